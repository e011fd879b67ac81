package pdf

import (
	"fmt"
	"slices"
	"strings"

	"voisines/internal/agreement"
)

// Every convention has at least an object, a duration, financial terms,
// controls, termination and disputes. Some kinds name these articles
// differently; these groups say which of a kind's clauses stand for each.
var (
	objectClauses = []agreement.ClauseID{agreement.ClauseObjet, agreement.ClauseBesoins, agreement.ClauseCompetences,
		agreement.ClauseOuvrage, agreement.ClauseEquipement, agreement.ClauseMissions}
	termClauses = []agreement.ClauseID{agreement.ClauseDuree, agreement.ClauseDureeRenouvellement, agreement.ClauseTerme}
	// financeClauses are in order of preference for the article that states
	// the financial mode and summary.
	financeClauses = []agreement.ClauseID{agreement.ClauseFinancier, agreement.ClauseRemboursement,
		agreement.ClauseAppelsFonds, agreement.ClauseFinancementAvances, agreement.ClauseCleRepartition,
		agreement.ClauseRepartitionExcedents, agreement.ClauseCoutEleve}
	endClauses = []agreement.ClauseID{agreement.ClauseResiliation, agreement.ClausePreavis}
	// closingClauses come last, in this order.
	closingClauses = []agreement.ClauseID{agreement.ClauseSortie, agreement.ClauseRetrait,
		agreement.ClauseResiliation, agreement.ClausePreavis, agreement.ClauseLitiges}
)

// slot is one article to write: a clause of the kind, or one of the
// standard articles the kind lacks.
type slot struct {
	id    agreement.ClauseID
	title string
}

// conventionArticles returns the numbered articles of a convention: the
// kind's clauses in catalogue order, with the standard articles it lacks
// added where a reader expects them, then any other clause the parties
// wrote, and the closing clauses last.
func conventionArticles(a agreement.Agreement, spec agreement.Spec) []article {
	var main, closing []slot
	have := map[agreement.ClauseID]bool{}
	for _, c := range agreement.RequiredClauses(a) {
		title := c.Title
		if cl, ok := a.Clause(c.ID); ok && cl.Title != "" {
			title = cl.Title
		}
		s := slot{id: c.ID, title: title}
		if slices.Contains(closingClauses, c.ID) {
			closing = append(closing, s)
		} else {
			main = append(main, s)
		}
		have[c.ID] = true
	}
	hasAny := func(ids []agreement.ClauseID) bool {
		return slices.ContainsFunc(ids, func(id agreement.ClauseID) bool { return have[id] })
	}
	if !hasAny(objectClauses) {
		main = append([]slot{{id: agreement.ClauseObjet, title: "Objet"}}, main...)
		have[agreement.ClauseObjet] = true
	}
	if !hasAny(termClauses) {
		main = append(main, slot{id: agreement.ClauseDuree, title: "Durée"})
		have[agreement.ClauseDuree] = true
	}
	if !hasAny(financeClauses) {
		main = append(main, slot{id: agreement.ClauseFinancier, title: "Conditions financières"})
		have[agreement.ClauseFinancier] = true
	}
	if !have[agreement.ClauseControle] {
		main = append(main, slot{id: agreement.ClauseControle, title: "Modalités de contrôle"})
		have[agreement.ClauseControle] = true
	}
	// Clauses the parties added beyond their kind's.
	for _, cl := range a.Clauses {
		if have[cl.ID] {
			continue
		}
		title := cl.Title
		if title == "" {
			title = clauseTitle(cl.ID)
		}
		s := slot{id: cl.ID, title: title}
		if slices.Contains(closingClauses, cl.ID) {
			closing = append(closing, s)
		} else {
			main = append(main, s)
		}
		have[cl.ID] = true
	}
	if !hasAny(endClauses) {
		closing = append(closing, slot{id: agreement.ClauseResiliation, title: "Résiliation"})
	}
	if !have[agreement.ClauseLitiges] {
		closing = append(closing, slot{id: agreement.ClauseLitiges, title: "Litiges"})
	}
	slices.SortStableFunc(closing, func(x, y slot) int {
		return slices.Index(closingClauses, x.id) - slices.Index(closingClauses, y.id)
	})

	w := writer{a: a, spec: spec}
	for _, id := range financeClauses {
		if have[id] {
			w.financeHost = id
			break
		}
	}
	slots := append(main, closing...)
	out := make([]article, 0, len(slots))
	for _, s := range slots {
		w.number++
		out = append(out, article{title: fmt.Sprintf("Article %d — %s", w.number, s.title), blocks: w.clause(s.id)})
	}
	return out
}

// clauseTitle returns the title a catalogue gives clause id in any kind.
func clauseTitle(id agreement.ClauseID) string {
	for _, s := range agreement.Catalogue() {
		for _, c := range s.Clauses {
			if c.ID == id {
				return c.Title
			}
		}
	}
	return upperFirst(strings.ReplaceAll(string(id), "_", " "))
}

// writer writes the articles of one convention.
type writer struct {
	a    agreement.Agreement
	spec agreement.Spec
	// financeHost is the article that states the financial mode.
	financeHost agreement.ClauseID
	number      int
}

// clause returns the body of the article for clause id: what the
// structured fields say, then the text the parties wrote; a clause with
// neither is marked as still to be written.
func (w *writer) clause(id agreement.ClauseID) []block {
	facts := w.facts(id)
	cl, ok := w.a.Clause(id)
	if ok && strings.TrimSpace(cl.Text) != "" {
		var written []block
		for _, p := range paragraphs(cl.Text) {
			written = append(written, block{kind: plain, text: p})
		}
		// What the parties wrote states the object best; the structured
		// facts (a duration, a financial mode) come before the text that
		// details them.
		if slices.Contains(objectClauses, id) {
			return append(written, facts...)
		}
		return append(facts, written...)
	}
	if len(facts) == 0 {
		facts = w.fallback(id)
	}
	if len(facts) == 0 {
		facts = []block{{kind: pending, text: "Clause à rédiger par les parties."}}
	}
	return facts
}

// paragraphs splits a clause's text on blank lines and line breaks.
func paragraphs(s string) []string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// facts returns what the structured fields say for clause id.
func (w *writer) facts(id agreement.ClauseID) []block {
	a := w.a
	var out []block
	add := func(format string, args ...any) { out = append(out, para(format, args...)) }
	switch {
	case id == w.financeHost:
		out = append(out, w.financial()...)
	case slices.Contains(termClauses, id):
		out = append(out, w.term()...)
	}
	switch id {
	case agreement.ClauseObjet, agreement.ClauseBesoins, agreement.ClauseCompetences, agreement.ClauseOuvrage,
		agreement.ClauseEquipement, agreement.ClauseMissions:
		out = append(out, w.object(id)...)
	case agreement.ClauseMethodeCoutUnitaire:
		if m := a.Provision.UnitCostMethod; m != "" {
			add("Le coût unitaire de fonctionnement est déterminé par %s selon la méthode suivante : %s", w.providerName(), sentence(m))
		}
	case agreement.ClausePrevisionUnites:
		if n := a.Provision.ForecastUnits; n > 0 {
			unit := a.Provision.Unit
			if unit == "" {
				unit = "unité de fonctionnement"
			}
			add("Les parties prévoient une utilisation de %s (unité : %s) par an.", number(n), unit)
		}
	case agreement.ClauseFicheImpact:
		if f := a.ServiceCommun.ImpactStatement; f != "" {
			add("La fiche d'impact décrivant les effets sur l'organisation et les conditions de travail, la rémunération et les droits acquis des agents est annexée à la présente convention (« %s »).", f)
		}
	case agreement.ClauseQuotesParts:
		out = append(out, w.shares(a.Indivision.Shares, "La quote-part de chaque commune dans les biens et droits indivis est la suivante :")...)
	case agreement.ClausePreavis:
		out = append(out, w.notice()...)
	case agreement.ClauseMandatEncaissement:
		add("Conformément à l'article L1611-7-1 du code général des collectivités territoriales, et après avis conforme de leur comptable public, les parties confient à %s le mandat d'encaisser en leur nom et pour leur compte les recettes de billetterie de l'événement. Le mandataire rend compte de sa gestion au moins une fois par an.", w.leadName())
	case agreement.ClauseCoutEleve:
		if a.SchoolCosts.RoundUnitCostFirst {
			add("Le coût moyen par élève est arrondi au centime d'euro avant d'être multiplié par le nombre d'élèves de chaque commune de résidence.")
		} else {
			add("Le coût moyen par élève est multiplié par le nombre d'élèves de chaque commune de résidence, le résultat étant seul arrondi au centime d'euro.")
		}
	case agreement.ClauseEffetsPersonnel:
		if a.Kind == agreement.ServiceCommun || a.Kind == agreement.ServiceUnifie {
			add("Les agents sont placés, pour l'exercice de leurs missions, sous l'autorité fonctionnelle du maire ou du président selon la mission réalisée.")
		}
	}
	return out
}

// fallback returns the usual wording of a standard article the parties
// left unwritten, when the law or the structured fields supply it.
func (w *writer) fallback(id agreement.ClauseID) []block {
	a := w.a
	switch id {
	case agreement.ClauseConference:
		return []block{para("Les questions d'intérêt commun sont débattues dans des conférences où chaque conseil est représenté, à défaut d'autre stipulation, par trois membres désignés au scrutin secret. Les décisions qui y sont prises ne sont exécutoires qu'après avoir été ratifiées par l'ensemble des conseils intéressés (article L5221-2 du code général des collectivités territoriales).")}
	case agreement.ClauseControle:
		switch a.Kind {
		case agreement.MADServicesAscendante, agreement.MADServicesDescendante, agreement.MADServiceL5111, agreement.ServiceUnifie:
			return []block{para("Le remboursement est effectué sur la base d'un état annuel établi par %s, indiquant la liste des recours au service convertis en unités de fonctionnement.", w.providerName())}
		case agreement.Entente:
			return []block{para("L'exécution de la présente convention est suivie par la conférence intercommunale. %s présente chaque année aux autres parties l'état des dépenses engagées et des sommes dues par chacune.", upperFirst(w.leadName()))}
		}
		return []block{para("Chaque partie peut obtenir à tout moment communication des pièces relatives à l'exécution de la présente convention. %s en présente chaque année le bilan aux autres parties.", upperFirst(w.leadName()))}
	case agreement.ClauseResiliation:
		return w.notice()
	case agreement.ClauseLitiges:
		return []block{para("Les parties s'efforcent de régler à l'amiable tout différend relatif à l'interprétation ou à l'exécution de la présente convention. À défaut, le litige est porté devant le tribunal administratif territorialement compétent.")}
	}
	return nil
}

// object states what the convention is about, from its title and its
// kind's terms.
func (w *writer) object(id agreement.ClauseID) []block {
	a := w.a
	var out []block
	add := func(format string, args ...any) { out = append(out, para(format, args...)) }
	if cl, written := a.Clause(id); written && strings.TrimSpace(cl.Text) != "" {
		// the parties' own wording replaces the title as the object
	} else if t := strings.TrimSpace(a.Title); t != "" && a.Kind != agreement.MADPersonnel {
		add("La présente convention a pour objet : %s", sentence(lowerFirst(t)))
	}
	switch a.Kind {
	case agreement.Entente:
		add("Les parties constituent entre elles une entente, au sens de l'article L5221-1 du code général des collectivités territoriales, afin d'entreprendre ou de conserver à frais communs les ouvrages ou institutions d'utilité commune qui en font l'objet. %s en assure la gestion pour le compte des parties.", upperFirst(w.leadName()))
	case agreement.Prestation:
		t := a.Prestation
		switch {
		case t.PublicContract:
			add("La présente convention constitue un marché public, passé selon les règles du code de la commande publique.")
		case t.NonEconomicService:
			add("La prestation porte sur un service non économique d'intérêt général ; elle n'est pas soumise au code de la commande publique (article L5111-1 du code général des collectivités territoriales).")
		default:
			if j := t.CooperationJustification; j != "" {
				add("Cette coopération, régie par des seules considérations d'intérêt général, poursuit les objectifs communs suivants : %s", sentence(j))
			}
			if t.OpenMarketBelow20 {
				add("Les parties attestent réaliser sur le marché concurrentiel moins de 20 %% des activités concernées par la coopération (article L2511-6 du code de la commande publique).")
			}
		}
	case agreement.MADServicesAscendante, agreement.MADServicesDescendante, agreement.MADServiceL5111, agreement.ServiceUnifie:
		if s := a.Provision.Service; s != "" {
			add("Service concerné : %s", sentence(s))
		}
	case agreement.ServiceCommun:
		if s := a.ServiceCommun.Tasks; s != "" {
			add("Missions confiées au service commun : %s", sentence(s))
		}
	case agreement.EquipementPartage:
		t := a.Equipment
		if t.Equipment != "" {
			add("Équipement concerné : %s, propriété de %s.", t.Equipment, w.names(agreement.RoleOwner))
		}
		if t.Vehicles {
			add("La mise à disposition porte sur un parc de véhicules.")
		}
		if !t.FirstUse.IsZero() {
			add("Les collectivités utilisatrices utilisent l'équipement depuis le %s.", t.FirstUse.French())
		}
	case agreement.BiensIndivis:
		if p := a.Indivision.Property; p != "" {
			add("Biens et droits indivis : %s", sentence(p))
		}
	case agreement.MADPersonnel:
		out = append(out, w.secondmentObject()...)
	case agreement.GroupementCommandes:
		if n := a.PurchasingGroup.Needs; n != "" {
			add("Besoins et lots : %s", sentence(n))
		}
		if d := a.PurchasingGroup.LaunchDate; !d.IsZero() {
			add("La procédure de passation est lancée le %s ; chaque membre adhère au groupement avant cette date.", d.French())
		}
	case agreement.DelegationCompetence:
		if c := a.Delegation.Competence; c != "" {
			add("Compétence déléguée : %s", sentence(c))
		}
		add("La compétence déléguée est exercée au nom et pour le compte de l'autorité délégante (article L1111-8 du code général des collectivités territoriales).")
	case agreement.MandatMaitriseOuvrage, agreement.CoMaitriseOuvrage:
		t := a.ProjectOwnership
		if t.Work != "" {
			add("Ouvrage : %s", sentence(t.Work))
		}
		if a.Kind == agreement.MandatMaitriseOuvrage {
			if t.Remunerated {
				add("Le mandataire exerce sa mission au nom et pour le compte du maître d'ouvrage, moyennant rémunération.")
			} else {
				add("Le mandataire exerce sa mission au nom et pour le compte du maître d'ouvrage, à titre gratuit.")
			}
		}
		if len(t.Shares) > 0 {
			out = append(out, w.shares(t.Shares, "La part de chaque maître d'ouvrage dans l'opération est la suivante :")...)
		}
	case agreement.AssistanceTechnique:
		if d := a.TechnicalAssistance.Domain; d != "" {
			add("Domaine de l'assistance technique : %s", sentence(d))
		}
		if a.TechnicalAssistance.EligibilityAttested {
			add("Le département atteste que chaque bénéficiaire remplit les conditions d'éligibilité de l'article R3232-1 du code général des collectivités territoriales.")
		}
	case agreement.PartenariatEvenement:
		if e := a.Event.Event; e != "" {
			add("Événement co-organisé : %s", sentence(e))
		}
	case agreement.FraisScolarite:
		if y := a.SchoolCosts.SchoolYear; y != "" {
			add("Année scolaire concernée : %s.", y)
		}
	}
	return out
}

// secondmentObject states who is made available, to whom and for how much
// of their time.
func (w *writer) secondmentObject() []block {
	s := w.a.Secondment
	agent := s.Agent
	if agent == "" {
		agent = blankWord
	}
	var who []string
	if s.Grade != "" {
		who = append(who, s.Grade)
	}
	if s.AgentStatus != "" {
		who = append(who, agentStatus(s.AgentStatus))
	}
	desc := agent
	if len(who) > 0 {
		desc += " (" + strings.Join(who, ", ") + ")"
	}
	q := quotite(s.Quotite)
	if q == "" {
		q = blankWord
	}
	return []block{
		para("La présente convention a pour objet la mise à disposition de %s, agent de %s, auprès de %s, pour une quotité de %s de son temps de travail.",
			desc, w.names(agreement.RoleHomeEmployer), w.names(agreement.RoleHost), q),
		para("L'agent a donné son accord écrit à la présente mise à disposition, au vu de la convention qui lui a été transmise avant sa signature. Il demeure dans son cadre d'emplois, est réputé occuper son emploi et continue à percevoir la rémunération correspondante (articles L512-6 et L512-7 du code général de la fonction publique)."),
	}
}

// term states the duration, renewal and notice from the structured term.
func (w *writer) term() []block {
	t := w.a.Term
	var out []block
	start := "à compter de la date de sa signature par l'ensemble des parties"
	if !t.Start.IsZero() {
		start = "le " + t.Start.French()
	}
	switch {
	case t.UntilCompletion:
		out = append(out, para("La présente convention prend effet %s et court jusqu'à l'achèvement de l'ouvrage, constaté dans les conditions qu'elle prévoit.", start))
	case !t.End.IsZero():
		out = append(out, para("La présente convention prend effet %s et s'achève le %s.", start, t.End.French()))
	case t.DurationMonths > 0:
		s := fmt.Sprintf("La présente convention prend effet %s pour une durée de %s", start, months(t.DurationMonths))
		if end := t.EndDate(); !end.IsZero() {
			s += ", soit jusqu'au " + end.French()
		}
		out = append(out, para("%s.", s))
	default:
		out = append(out, para("La présente convention prend effet %s, pour une durée indéterminée.", start))
	}
	if max := w.spec.MaxMonths; max > 0 {
		if t.TacitRenewal {
			out = append(out, para("Sa durée ne peut excéder %s, non plus que celle de chacun de ses renouvellements.", monthsOrYears(max)))
		} else {
			out = append(out, para("Elle peut être renouvelée de manière expresse, par périodes n'excédant pas %s.", monthsOrYears(max)))
		}
	}
	if t.TacitRenewal {
		period := "de même durée"
		if t.RenewalMonths > 0 {
			period = "de " + months(t.RenewalMonths)
		}
		s := "Elle est renouvelée par tacite reconduction pour des périodes " + period
		if t.MaxRenewals > 0 {
			s += fmt.Sprintf(", %d fois au plus", t.MaxRenewals)
		}
		if t.NoticeMonths > 0 {
			s += fmt.Sprintf(", sauf dénonciation par l'une des parties notifiée aux autres au moins %s avant l'échéance", months(t.NoticeMonths))
		}
		out = append(out, para("%s.", s))
	} else if w.spec.MaxMonths == 0 && !t.UntilCompletion && (!t.End.IsZero() || t.DurationMonths > 0) {
		out = append(out, para("Elle ne peut être renouvelée que de manière expresse."))
	}
	return out
}

func monthsOrYears(n int) string {
	if n%12 == 0 {
		switch n / 12 {
		case 1:
			return "un an"
		case 3:
			return "trois ans"
		}
		return fmt.Sprintf("%d ans", n/12)
	}
	return months(n)
}

// financial states the financial mode, the financial article's summary and
// the repayment period, and for a secondment the repayment or its waiver.
func (w *writer) financial() []block {
	a := w.a
	f := a.Financial
	var out []block
	if a.Kind == agreement.MADPersonnel {
		s := a.Secondment
		if s.RepaymentWaived {
			out = append(out, para("Par dérogation à l'article L512-11 du code général de la fonction publique, la mise à disposition ne donne pas lieu à remboursement."))
			if r := s.WaiverReason; r != "" {
				out = append(out, para("Motif de l'exonération : %s", sentence(r)))
			}
		} else {
			out = append(out, para("%s rembourse à %s la rémunération de l'agent ainsi que les cotisations et contributions afférentes, au prorata de la quotité de travail mise à disposition (article L512-11 du code général de la fonction publique).",
				upperFirst(w.names(agreement.RoleHost)), w.names(agreement.RoleHomeEmployer)))
		}
	} else if f.Mode != "" {
		out = append(out, para("Mode de financement : %s.", f.Mode.Label()))
	}
	if s := strings.TrimSpace(f.Summary); s != "" {
		for _, p := range paragraphs(s) {
			out = append(out, para("%s", p))
		}
	}
	if a.Kind == agreement.ServiceCommun && a.ServiceCommun.ChargeAgainstAC {
		out = append(out, para("Les effets financiers de la mise en commun sont imputés sur l'attribution de compensation des communes membres (article L5211-4-2 du code général des collectivités territoriales et article 1609 nonies C du code général des impôts)."))
	}
	if n := f.PeriodMonths; n > 0 {
		out = append(out, para("Les remboursements sont effectués %s.", period(n)))
	}
	return out
}

// notice states how a party ends the convention early.
func (w *writer) notice() []block {
	n := w.a.Term.NoticeMonths
	if w.a.Kind == agreement.MADPersonnel {
		if n > 0 {
			return []block{para("Il peut être mis fin à la mise à disposition avant son terme, à la demande de l'administration d'origine, de l'organisme d'accueil ou de l'agent, moyennant un préavis de %s.", months(n))}
		}
		return nil
	}
	if n > 0 {
		return []block{para("Chaque partie peut résilier la présente convention par décision de son assemblée délibérante, notifiée aux autres parties par lettre recommandée avec demande d'avis de réception, moyennant un préavis de %s.", months(n))}
	}
	return []block{para("Les parties peuvent mettre fin à la présente convention d'un commun accord.")}
}

// shares lists each party's share: "Olemps : 3/7 (42,86 %)".
func (w *writer) shares(shares []agreement.Share, intro string) []block {
	if len(shares) == 0 {
		return nil
	}
	out := []block{para("%s", intro)}
	for _, s := range shares {
		name := fmt.Sprintf("organisation %d", s.OrgID)
		if p, ok := w.a.Party(s.OrgID); ok {
			name = upperFirst(designation(p))
		}
		out = append(out, block{kind: bullet, text: fmt.Sprintf("%s : %s (%s)", name, s.Share, s.Share.Percent())})
	}
	return out
}

// names returns the designations of the parties holding role.
func (w *writer) names(role agreement.Role) string {
	var out []string
	for _, p := range w.a.WithRole(role) {
		out = append(out, designation(p))
	}
	if len(out) == 0 {
		return blankWord
	}
	return list(out)
}

func (w *writer) leadName() string { return w.names(w.spec.LeadRole) }

// providerName names the party that provides the service (and determines
// its unit cost): the provider, or the carrier of a service unifié.
func (w *writer) providerName() string {
	if len(w.a.WithRole(agreement.RoleProvider)) > 0 {
		return w.names(agreement.RoleProvider)
	}
	return w.leadName()
}
