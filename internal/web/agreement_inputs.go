package web

// The fields of a convention's form. Each input is named by the JSON path
// of agreement.Content it fills ("term.end", "secondment.quotite"), so that
// the domain's violations, which name the same paths, show next to the
// right field; the form is read into a JSON tree decoded into Content, and
// a Content is shown by encoding it the same way.

import (
	"encoding/json"
	"fmt"
	"math/big"
	"regexp"
	"strconv"
	"strings"

	"voisines/internal/agreement"
	"voisines/internal/civil"
)

// inputSpec is one field of a convention's form.
type inputSpec struct {
	Name    string // JSON path in agreement.Content
	Label   string // French
	Hint    string
	Type    string // text, textarea, date, number, checkbox, select, fraction
	Options []choice
}

// choice is a choice of a select.
type choice struct{ Value, Label string }

func inText(name, label, hint string) inputSpec {
	return inputSpec{Name: name, Label: label, Hint: hint, Type: "text"}
}
func inArea(name, label, hint string) inputSpec {
	return inputSpec{Name: name, Label: label, Hint: hint, Type: "textarea"}
}
func inDate(name, label, hint string) inputSpec {
	return inputSpec{Name: name, Label: label, Hint: hint, Type: "date"}
}
func inNumber(name, label, hint string) inputSpec {
	return inputSpec{Name: name, Label: label, Hint: hint, Type: "number"}
}
func inCheck(name, label, hint string) inputSpec {
	return inputSpec{Name: name, Label: label, Hint: hint, Type: "checkbox"}
}

// provisionInputs are the terms of a service made available (D5211-16,
// R5111-1).
var provisionInputs = []inputSpec{
	inText("provision.service", "Service mis à disposition", ""),
	inArea("provision.unit_cost_method", "Méthode de détermination du coût unitaire de fonctionnement", "CGCT D5211-16 : à partir des dépenses du dernier compte administratif."),
	inText("provision.unit", "Unité de fonctionnement", "heure, dossier, acte…"),
	inNumber("provision.forecast_units", "Prévision d'utilisation (unités par an)", ""),
}

// unitCostKinds are the services made available, repaid on a unit cost at
// least once a year (D5211-16, R5111-1).
var unitCostKinds = map[agreement.Kind]bool{agreement.MADServicesAscendante: true, agreement.MADServicesDescendante: true,
	agreement.MADServiceL5111: true, agreement.ServiceUnifie: true}

// shareKinds are the kinds whose parties hold shares, entered with each
// party, and the field of the shares.
var shareKinds = map[agreement.Kind]string{
	agreement.BiensIndivis:      "indivision.shares",
	agreement.CoMaitriseOuvrage: "project_ownership.shares",
}

// kindInputs are the fields only one kind of convention needs.
var kindInputs = map[agreement.Kind][]inputSpec{
	agreement.Prestation: {
		inArea("prestation.cooperation_justification", "Justification de la coopération entre pouvoirs adjudicateurs",
			"Objectifs communs poursuivis, guidés par des considérations d'intérêt général (CCP L2511-6)."),
		inCheck("prestation.open_market_below_20", "Les parties attestent réaliser moins de 20 % des activités concernées sur le marché concurrentiel (CCP L2511-6 2°)", ""),
		inCheck("prestation.non_economic_service", "Service non économique d'intérêt général (hors code de la commande publique)", ""),
		inCheck("prestation.public_contract", "Convention conclue comme un marché public, selon les procédures du code de la commande publique", ""),
	},
	agreement.MADServicesAscendante:  provisionInputs,
	agreement.MADServicesDescendante: provisionInputs,
	agreement.MADServiceL5111:        provisionInputs,
	agreement.ServiceUnifie:          provisionInputs,
	agreement.ServiceCommun: {
		inArea("service_commun.tasks", "Missions du service commun", ""),
		inText("service_commun.impact_statement", "Fiche d'impact annexée", "Nom du document annexé à la convention (CGCT L5211-4-2)."),
		inCheck("service_commun.charge_against_ac", "Imputation sur l'attribution de compensation (EPCI à fiscalité professionnelle unique seulement)", ""),
	},
	agreement.EquipementPartage: {
		inText("equipment.equipment", "Équipements concernés", ""),
		inDate("equipment.first_use", "Début de l'utilisation", "Sans convention signée un an après, le propriétaire fixe seul la participation (CGCT L1311-15)."),
		inCheck("equipment.vehicles", "Flotte de véhicules", ""),
	},
	agreement.BiensIndivis: {
		inText("indivision.property", "Biens et droits indivis", "La quote-part de chaque commune s'indique avec la partie."),
	},
	agreement.MADPersonnel: {
		inText("secondment.agent", "Agent mis à disposition", "L'accord écrit de l'agent s'enregistre avec les approbations, avant la signature (CGFP L512-7)."),
		inText("secondment.grade", "Grade", ""),
		{Name: "secondment.agent_status", Label: "Situation de l'agent", Type: "select", Options: []choice{
			{"", "—"}, {string(agreement.Titulaire), "Fonctionnaire titulaire"}, {string(agreement.CDI), "Contractuel en CDI"}, {string(agreement.CDD), "Contractuel en CDD"}}},
		{Name: "secondment.quotite", Label: "Quotité de travail mise à disposition", Hint: "30 %, 30/100 ou 14/35 (quatorze heures sur trente-cinq).", Type: "fraction"},
		inCheck("secondment.repayment_waived", "Exonération du remboursement par l'organisme d'accueil", "Possible seulement entre une collectivité et un établissement dont elle est membre ou qui lui est rattaché (CGFP L512-15)."),
		inArea("secondment.waiver_reason", "Motif de l'exonération", ""),
	},
	agreement.GroupementCommandes: {
		inArea("purchasing_group.needs", "Besoins et lots", ""),
		inDate("purchasing_group.launch_date", "Date de lancement de la procédure", "Chaque membre doit avoir délibéré et signé avant cette date (CCP L2113-7)."),
	},
	agreement.DelegationCompetence: {
		inArea("delegation.competence", "Compétence déléguée", "CGCT L1111-8 : une commune ne délègue qu'à un EPCI à fiscalité propre, au département ou à la région."),
		inCheck("delegation.epci_unanimity", "Si un EPCI délègue : ses statuts le permettent et ses communes membres ont donné leur accord unanime", ""),
	},
	agreement.MandatMaitriseOuvrage: {
		inArea("project_ownership.work", "Ouvrage et missions confiées", ""),
		inCheck("project_ownership.remunerated", "Mandat rémunéré", ""),
	},
	agreement.CoMaitriseOuvrage: {
		inArea("project_ownership.work", "Ouvrage", "La part de chaque maître d'ouvrage s'indique avec la partie."),
	},
	agreement.AssistanceTechnique: {
		inText("technical_assistance.domain", "Domaine de l'assistance", "assainissement, voirie, aménagement…"),
		inCheck("technical_assistance.eligibility_attested", "Le département atteste que chaque bénéficiaire remplit les conditions de l'article R3232-1", ""),
	},
	agreement.PartenariatEvenement: {
		inText("event.event", "Événement co-organisé", ""),
		inCheck("event.ticketing", "Billetterie confiée au chef de file (mandat d'encaissement, CGCT L1611-7-1)", ""),
	},
	agreement.FraisScolarite: {
		inText("school_costs.school_year", "Année scolaire", "2026-2027"),
		inCheck("school_costs.round_unit_cost_first", "Arrondir le coût moyen par élève au centime avant de le multiplier", ""),
	},
}

// termInputs are the fields of the term, for kind k.
func termInputs(k agreement.Kind) []inputSpec {
	in := []inputSpec{
		inDate("term.start", "Date de prise d'effet", ""),
		inDate("term.end", "Dernier jour d'application", "Indiquez la date de fin ou la durée."),
		inNumber("term.duration_months", "Durée initiale (mois)", ""),
	}
	if k == agreement.MandatMaitriseOuvrage || k == agreement.CoMaitriseOuvrage {
		in = append(in, inCheck("term.until_completion", "Jusqu'à l'achèvement de l'ouvrage", ""))
	}
	return append(in,
		inCheck("term.tacit_renewal", "Reconduction tacite à l'échéance", ""),
		inNumber("term.renewal_months", "Durée de chaque reconduction (mois)", "Vide : la durée initiale."),
		inNumber("term.max_renewals", "Nombre maximal de reconductions", "Vide : sans limite."),
		inNumber("term.notice_months", "Préavis de résiliation ou de dénonciation (mois)", ""),
	)
}

// financialInputs are the fields of the financial terms: the modes kind k
// allows, and the periodicity of repayments for a service made available.
func financialInputs(spec agreement.Spec) []inputSpec {
	modes := []choice{{"", "— choisir —"}}
	for _, m := range spec.FinancialModes {
		modes = append(modes, choice{string(m), capitalize(m.Label())})
	}
	in := []inputSpec{
		{Name: "financial.mode", Label: "Mode financier", Type: "select", Options: modes},
		inArea("financial.summary", "Article financier", "Prix, remboursement, clé de répartition, calendrier des paiements."),
		inText("financial.reference", "Référence du modèle de coût", "Facultatif."),
	}
	if unitCostKinds[spec.Kind] {
		in = append(in, inNumber("financial.period_months", "Périodicité des remboursements (mois)", "Un an au plus (CGCT D5211-16, R5111-1)."))
	}
	return in
}

// fieldByName finds the label of any field, for the error summary.
var fieldByName = func() map[string]inputSpec {
	m := map[string]inputSpec{}
	add := func(in []inputSpec) {
		for _, f := range in {
			m[f.Name] = f
		}
	}
	for _, in := range kindInputs {
		add(in)
	}
	add(termInputs(agreement.MandatMaitriseOuvrage))
	add(financialInputs(agreement.Spec{Kind: agreement.MADServicesAscendante}))
	return m
}()

// fieldValues are the values of a form's fields, as typed.
type fieldValues struct {
	Text    map[string]string
	Checked map[string]bool
}

func newFieldValues() fieldValues {
	return fieldValues{Text: map[string]string{}, Checked: map[string]bool{}}
}

// contentOf reads the fields into content c (which keeps what the fields
// do not hold), reporting each unreadable value.
func contentOf(fields []inputSpec, v fieldValues, c *agreement.Content, bad func(field, format string, args ...any)) {
	tree := map[string]any{}
	for _, f := range fields {
		raw := strings.TrimSpace(v.Text[f.Name])
		var val any
		switch f.Type {
		case "checkbox":
			if !v.Checked[f.Name] {
				continue
			}
			val = true
		case "date":
			if raw == "" {
				continue
			}
			d, err := civil.Parse(raw)
			if err != nil {
				bad(f.Name, "date attendue, au format AAAA-MM-JJ ou JJ/MM/AAAA")
				continue
			}
			val = d.String()
		case "number":
			if raw == "" {
				continue
			}
			n, err := strconv.ParseInt(strings.Map(dropSpaces, raw), 10, 64)
			if err != nil || n < 0 {
				bad(f.Name, "nombre entier positif attendu")
				continue
			}
			val = n
		case "fraction":
			if raw == "" {
				continue
			}
			q, err := parseFraction(raw)
			if err != nil {
				bad(f.Name, "%s", err)
				continue
			}
			val = q.String()
		default:
			if raw == "" {
				continue
			}
			val = raw
		}
		setPath(tree, f.Name, val)
	}
	b, err := json.Marshal(tree)
	if err == nil {
		err = json.Unmarshal(b, c)
	}
	if err != nil {
		bad("", "le formulaire n'a pas pu être lu : %v", err)
	}
}

// valuesOf shows content c in the fields.
func valuesOf(fields []inputSpec, c agreement.Content, v fieldValues) {
	b, _ := json.Marshal(c)
	var tree map[string]any
	json.Unmarshal(b, &tree)
	for _, f := range fields {
		val, ok := getPath(tree, f.Name)
		if !ok {
			continue
		}
		switch x := val.(type) {
		case bool:
			v.Checked[f.Name] = x
		case float64:
			if x != 0 {
				v.Text[f.Name] = strconv.FormatFloat(x, 'f', -1, 64)
			}
		case string:
			v.Text[f.Name] = x
		}
	}
}

func setPath(tree map[string]any, path string, val any) {
	parts := strings.Split(path, ".")
	for _, p := range parts[:len(parts)-1] {
		next, ok := tree[p].(map[string]any)
		if !ok {
			next = map[string]any{}
			tree[p] = next
		}
		tree = next
	}
	tree[parts[len(parts)-1]] = val
}

func getPath(tree map[string]any, path string) (any, bool) {
	parts := strings.Split(path, ".")
	var cur any = tree
	for _, p := range parts {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[p]; !ok {
			return nil, false
		}
	}
	return cur, true
}

func dropSpaces(r rune) rune {
	if r == ' ' || r == '\u00a0' || r == '\u202f' {
		return -1
	}
	return r
}

var percent = regexp.MustCompile(`^(\d{1,3})(?:[.,](\d{1,4}))?\s*%$`)

// parseFraction reads a quotité or a share: "30 %", "27,5 %", "30/100",
// "14/35" or "1".
func parseFraction(s string) (agreement.Fraction, error) {
	s = strings.TrimSpace(s)
	if m := percent.FindStringSubmatch(s); m != nil {
		r, ok := new(big.Rat).SetString(m[1] + "." + m[2] + "0")
		if !ok {
			return agreement.Fraction{}, fmt.Errorf("« %s » n'est pas un pourcentage", s)
		}
		r.Quo(r, big.NewRat(100, 1))
		return agreement.Fraction{Num: r.Num().Int64(), Den: r.Denom().Int64()}, nil
	}
	f, err := agreement.ParseFraction(s)
	if err != nil {
		return agreement.Fraction{}, fmt.Errorf("« %s » n'est ni un pourcentage (30 %%) ni une fraction (30/100, 14/35)", s)
	}
	return f, nil
}
