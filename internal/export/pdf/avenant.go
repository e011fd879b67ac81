package pdf

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"voisines/internal/agreement"
	"voisines/internal/civil"
)

// avenantDocument builds avenant n of convention a: the convention it
// amends, its reasons, and each change with its previous and new value.
func avenantDocument(a agreement.Agreement, spec agreement.Spec, n int, o Options) document {
	am := a.Amendments[n-1]
	after, _ := a.ContentAt(n)
	before := am.Previous
	d := document{
		header:  fmt.Sprintf("Avenant n° %d à la %s — %s", n, conventionLabel(o), spec.Label),
		kicker:  strings.ToUpper(spec.Label),
		heading: fmt.Sprintf("Avenant n° %d", n),
		title:   fmt.Sprintf("à la %s « %s »", conventionLabel(o), before.Title),
	}
	d.visas = legalVisas(a, spec)
	signed := ""
	if s := a.SignedOn(); !s.IsZero() {
		signed = ", signée le " + s.French()
	}
	d.visas = append(d.visas, fmt.Sprintf("Vu la %s « %s »%s ;", conventionLabel(o), a.Amendments[0].Previous.Title, signed))
	for _, prev := range a.Amendments[:n-1] {
		d.visas = append(d.visas, fmt.Sprintf("Vu l'avenant n° %d en date du %s ;", prev.Number, prev.Date.French()))
	}
	// The parties are those of the amended version; their representatives
	// act under the deliberations approving the avenant.
	version := a
	version.Content = after
	version.Approvals = am.Approvals
	version.Signatures = nil
	for _, ap := range am.Approvals {
		if v := visaOfApproval(version, ap); v != "" {
			d.visas = append(d.visas, v)
		}
	}
	d.parties = partyLines(version, after, spec)
	if r := strings.TrimSpace(am.Reason); r != "" {
		d.preamble = append(d.preamble, block{kind: label, text: "Exposé des motifs"})
		for _, p := range paragraphs(r) {
			d.preamble = append(d.preamble, para("%s", p))
		}
	}
	d.preamble = append(d.preamble, para("Il est convenu ce qui suit :"))

	concluded := ""
	if s := a.SignedOn(); !s.IsZero() {
		concluded = " conclue le " + s.French()
	}
	d.articles = append(d.articles, article{title: "Article 1 — Objet de l'avenant", blocks: []block{
		para("Le présent avenant a pour objet de modifier la %s%s, dans les conditions définies à l'article 2.", conventionLabel(o), concluded),
	}})
	var changes []block
	for i, c := range am.Changes {
		was, is := "Valeur antérieure :", "Nouvelle valeur :"
		if wording(c.Field) {
			was, is = "Rédaction antérieure :", "Nouvelle rédaction :"
		}
		changes = append(changes,
			block{kind: label, text: fmt.Sprintf("%d. %s", i+1, changeLabel(c.Field, before, after, spec))},
			block{kind: caption, text: was},
			block{kind: quoted, text: changeValue(c.Field, c.Previous, before, spec)},
			block{kind: caption, text: is},
			block{kind: quoted, text: changeValue(c.Field, c.New, after, spec)},
		)
	}
	if len(changes) == 0 {
		changes = []block{para("Aucune modification n'est enregistrée.")}
	}
	d.articles = append(d.articles,
		article{title: "Article 2 — Modifications apportées à la convention", blocks: changes},
		article{title: "Article 3 — Autres stipulations", blocks: []block{
			para("Toutes les stipulations de la convention qui ne sont pas modifiées par le présent avenant demeurent inchangées et continuent de produire leurs effets."),
		}},
	)
	effect := "Le présent avenant prend effet à la date de sa signature par l'ensemble des parties."
	if !am.Date.IsZero() {
		effect = "Le présent avenant prend effet le " + am.Date.French() + "."
	}
	d.articles = append(d.articles, article{title: "Article 4 — Entrée en vigueur", blocks: []block{para("%s", effect)}})
	signers := signatories(after, spec)
	if k := len(signers); k > 1 {
		d.closing = append(d.closing, fmt.Sprintf("Fait en %d exemplaires originaux, un pour chaque signataire.", k))
	}
	d.signatures = signatureBlocks(version, signers, false)
	for i := range d.signatures {
		d.signatures[i].date = dateOr(am.Date)
	}
	return d
}

// wording reports whether a changed field is a text the parties wrote (an
// article, the financial article, the title), rather than a value.
func wording(path string) bool {
	return path == "title" || strings.HasSuffix(path, ".text") || path == "financial.summary" ||
		strings.HasPrefix(path, "clauses[") && !strings.Contains(path, ".")
}

// fieldLabels name, in French, the JSON fields of a convention's content.
var fieldLabels = map[string]string{
	"title": "intitulé", "parties": "partie", "term": "durée", "financial": "conditions financières",
	"clauses": "article", "prestation": "prestation de services", "provision": "service mis à disposition",
	"service_commun": "service commun", "equipment": "équipement", "indivision": "indivision",
	"secondment": "mise à disposition de l'agent", "purchasing_group": "groupement de commandes",
	"delegation": "délégation de compétence", "project_ownership": "maîtrise d'ouvrage",
	"technical_assistance": "assistance technique", "event": "événement", "school_costs": "frais de scolarité",

	"start": "date de prise d'effet", "end": "date de fin", "duration_months": "durée en mois",
	"until_completion": "jusqu'à l'achèvement de l'ouvrage", "tacit_renewal": "reconduction tacite",
	"renewal_months": "durée de chaque reconduction", "max_renewals": "nombre maximal de reconductions",
	"notice_months": "préavis", "mode": "mode de financement", "reference": "modèle de coût",
	"summary": "rédaction", "period_months": "périodicité des remboursements", "text": "rédaction",
	"name": "nom", "role": "rôle", "representative": "représentant", "kind": "nature", "siren": "SIREN",
	"commune_code": "code INSEE", "authority": "habilitation", "org_id": "organisation",
	"agent": "agent", "grade": "grade", "agent_status": "statut de l'agent", "quotite": "quotité de travail",
	"repayment_waived": "exonération de remboursement", "waiver_reason": "motif de l'exonération",
	"service": "service", "unit_cost_method": "méthode de calcul du coût unitaire", "unit": "unité de fonctionnement",
	"forecast_units": "prévision d'utilisation", "tasks": "missions", "impact_statement": "fiche d'impact",
	"charge_against_ac": "imputation sur l'attribution de compensation", "first_use": "date de première utilisation",
	"vehicles": "parc de véhicules", "property": "biens et droits indivis", "shares": "quotes-parts",
	"share": "quote-part", "needs": "besoins et lots", "launch_date": "date de lancement de la procédure",
	"competence": "compétence déléguée", "epci_unanimity": "accord unanime des communes membres",
	"work": "ouvrage", "remunerated": "mission rémunérée", "domain": "domaine",
	"eligibility_attested": "éligibilité attestée", "ticketing": "billetterie confiée au chef de file",
	"school_year": "année scolaire", "round_unit_cost_first": "arrondi du coût par élève avant multiplication",
	"cooperation_justification": "justification de la coopération",
	"open_market_below_20":      "activité concurrentielle inférieure à 20 %", "non_economic_service": "service non économique d'intérêt général",
	"public_contract": "marché public", "fpu": "fiscalité professionnelle unique", "epci_siren": "EPCI de rattachement",
	"departement": "département", "droit_local_alsace_moselle": "droit local d'Alsace-Moselle",
}

var segment = regexp.MustCompile(`^([a-z_0-9]+)(?:\[(\d+)\])?$`)

// changeLabel names a changed field in French: "Durée — date de fin",
// "Partie n° 3 (Olemps) — représentant — nom", "Article « Objet » — rédaction".
func changeLabel(path string, before, after agreement.Content, spec agreement.Spec) string {
	var parts []string
	for i, seg := range strings.Split(path, ".") {
		m := segment.FindStringSubmatch(seg)
		if m == nil {
			parts = append(parts, seg)
			continue
		}
		name, idx := m[1], -1
		if m[2] != "" {
			idx, _ = strconv.Atoi(m[2])
		}
		switch {
		case i == 0 && name == "parties" && idx >= 0:
			s := fmt.Sprintf("Partie n° %d", idx+1)
			if p, ok := partyAt(after, before, idx); ok {
				s += " (" + p.Name + ")"
			}
			parts = append(parts, s)
		case i == 0 && name == "clauses" && idx >= 0:
			parts = append(parts, "Article « "+clauseAt(after, before, idx, spec)+" »")
		default:
			label, ok := fieldLabels[name]
			if !ok {
				label = strings.ReplaceAll(name, "_", " ")
			}
			if idx >= 0 {
				label += fmt.Sprintf(" n° %d", idx+1)
			}
			parts = append(parts, label)
		}
	}
	if len(parts) > 0 {
		parts[0] = upperFirst(parts[0])
	}
	return strings.Join(parts, " — ")
}

func partyAt(after, before agreement.Content, i int) (agreement.Party, bool) {
	for _, c := range []agreement.Content{after, before} {
		if i < len(c.Parties) {
			return c.Parties[i], true
		}
	}
	return agreement.Party{}, false
}

func clauseAt(after, before agreement.Content, i int, spec agreement.Spec) string {
	for _, c := range []agreement.Content{after, before} {
		if i < len(c.Clauses) {
			if t := c.Clauses[i].Title; t != "" {
				return t
			}
			return spec.ClauseTitle(c.Clauses[i].ID)
		}
	}
	return fmt.Sprintf("n° %d", i+1)
}

// changeValue writes the value of a changed field as a reader expects it:
// dates in words, yes or no, labels rather than codes, a party or a
// clause rather than its JSON.
func changeValue(path, v string, c agreement.Content, spec agreement.Spec) string {
	if v == "" {
		return "(néant)"
	}
	leaf := path[strings.LastIndex(path, ".")+1:]
	if m := segment.FindStringSubmatch(leaf); m != nil {
		leaf = m[1]
	}
	switch v {
	case "true":
		return "oui"
	case "false":
		return "non"
	}
	switch leaf {
	case "start", "end", "first_use", "launch_date", "date":
		if d, err := civil.Parse(v); err == nil {
			return d.French()
		}
	case "mode":
		return agreement.FinancialMode(v).Label()
	case "role":
		if rs, ok := spec.Role(agreement.Role(v)); ok {
			return rs.Label
		}
		return agreement.Role(v).Label()
	case "kind":
		return agreement.OrgKind(v).Label()
	case "agent_status":
		return agentStatus(agreement.AgentStatus(v))
	case "quotite", "share":
		if f, err := agreement.ParseFraction(v); err == nil {
			return quotite(f)
		}
	case "duration_months", "renewal_months", "notice_months", "period_months":
		if n, err := strconv.Atoi(v); err == nil {
			return months(n)
		}
	}
	if strings.HasPrefix(v, "{") {
		return objectValue(v, c, spec)
	}
	return v
}

// objectValue writes a whole element added to or removed from a list: a
// party, a clause, a share.
func objectValue(v string, c agreement.Content, spec agreement.Spec) string {
	var party agreement.Party
	if json.Unmarshal([]byte(v), &party) == nil && party.Name != "" {
		s := upperFirst(designation(party))
		if party.SIREN != "" {
			s += " (SIREN " + party.SIREN + ")"
		}
		if rs, ok := spec.Role(party.Role); ok {
			s += ", " + lowerFirst(rs.Label)
		}
		if r := party.Representative; r.Name != "" {
			s += representedBy(party) + r.Name
			if r.Title != "" {
				s += ", " + lowerFirst(r.Title)
			}
		}
		return s
	}
	var clause agreement.Clause
	if json.Unmarshal([]byte(v), &clause) == nil && clause.ID != "" {
		title := clause.Title
		if title == "" {
			title = spec.ClauseTitle(clause.ID)
		}
		return title + " : " + clause.Text
	}
	var share agreement.Share
	if json.Unmarshal([]byte(v), &share) == nil && share.OrgID != 0 {
		name := fmt.Sprintf("organisation %d", share.OrgID)
		if p, ok := c.Party(share.OrgID); ok {
			name = upperFirst(designation(p))
		}
		return name + " : " + quotite(share.Share)
	}
	return v
}
