package agreement

import (
	"fmt"
	"math/big"
	"slices"
	"strings"

	"voisines/internal/civil"
)

// Severity says whether a violation forbids going on or only warns.
type Severity string

// The severities.
const (
	// Blocking violations forbid submitting, signing and amending.
	Blocking Severity = "bloquante"
	// Warning violations are shown but do not stop the lifecycle.
	Warning Severity = "avertissement"
)

// RuleID names a legal rule; it is stable, for tests, logs and the API.
type RuleID string

// Rule is a legal rule Validate applies.
type Rule struct {
	ID       RuleID   `json:"id"`
	Article  string   `json:"article"` // "CGCT L1111-8"; per kind when empty
	Title    string   `json:"title"`   // French
	Severity Severity `json:"severity"`
}

// Violation is a rule a convention breaks: which rule, under which article,
// on which field (its JSON path, as forms name it), and why, in French.
type Violation struct {
	Rule     RuleID   `json:"rule"`
	Article  string   `json:"article"`
	Field    string   `json:"field"`
	Severity Severity `json:"severity"`
	Message  string   `json:"message"`
}

// Error returns "field: message (article)".
func (v Violation) Error() string {
	s := v.Message
	if v.Article != "" {
		s += " (" + v.Article + ")"
	}
	if v.Field != "" {
		s = v.Field + " : " + s
	}
	return s
}

// The rules. Each has a test in validate_test.go that fails without it.
var (
	RuleKind            = Rule{ID: "nature_convention", Title: "Nature de convention connue", Severity: Blocking}
	RuleParties         = Rule{ID: "parties", Title: "Parties identifiées, distinctes et en nombre suffisant", Severity: Blocking}
	RuleRoles           = Rule{ID: "roles", Title: "Rôles admis par l'instrument, en nombre requis", Severity: Blocking}
	RuleOrgKind         = Rule{ID: "nature_partie", Title: "Nature d'organisation admise pour le rôle", Severity: Blocking}
	RuleClause          = Rule{ID: "clause_obligatoire", Title: "Clause obligatoire présente", Severity: Blocking}
	RuleUsualClause     = Rule{ID: "clause_usuelle", Title: "Clause usuelle présente", Severity: Warning}
	RuleFinancialMode   = Rule{ID: "mode_financier", Title: "Mode financier admis par l'instrument", Severity: Blocking}
	RuleTerm            = Rule{ID: "duree", Title: "Dates et durée cohérentes", Severity: Blocking}
	RuleMaxDuration     = Rule{ID: "duree_maximale", Article: "Décret n° 2008-580", Title: "Mise à disposition de trois ans au plus, renouvelable par périodes de trois ans au plus", Severity: Blocking}
	RuleDelegation      = Rule{ID: "delegation_meme_categorie", Article: "CGCT L1111-8", Title: "Délégation à une collectivité d'une autre catégorie ou à un EPCI à fiscalité propre", Severity: Blocking}
	RuleDelegationEPCI  = Rule{ID: "delegation_epci", Article: "CGCT L1111-8", Title: "Délégation par un EPCI au département ou à la région, statuts et unanimité des communes", Severity: Blocking}
	RuleAgentConsent    = Rule{ID: "accord_agent", Article: "CGFP L512-7", Title: "Accord écrit de l'agent avant la signature", Severity: Blocking}
	RuleRepayment       = Rule{ID: "remboursement_personnel", Article: "CGFP L512-11", Title: "Remboursement de la mise à disposition, exonération dans les seuls cas prévus", Severity: Blocking}
	RuleAgent           = Rule{ID: "agent_quotite", Article: "Décret n° 2008-580", Title: "Agent et quotité de travail désignés", Severity: Blocking}
	RuleContractAgent   = Rule{ID: "agent_contractuel", Article: "Décret n° 88-145, art. 35-1", Title: "Seuls les agents contractuels en CDI peuvent être mis à disposition", Severity: Warning}
	RuleEPCIMembers     = Rule{ID: "membres_epci", Title: "Convention entre un EPCI à fiscalité propre et ses communes membres", Severity: Blocking}
	RuleSameEPCI        = Rule{ID: "meme_epci", Article: "CGCT L5111-1-1", Title: "Communes membres du même EPCI à fiscalité propre", Severity: Blocking}
	RuleLocalLaw        = Rule{ID: "droit_local", Title: "Instrument non applicable en Alsace-Moselle", Severity: Blocking}
	RulePurchasingGroup = Rule{ID: "groupement_lancement", Article: "CCP L2113-7", Title: "Délibérations et signature de chaque membre avant le lancement de la procédure", Severity: Blocking}
	RuleCooperation     = Rule{ID: "prestation_cooperation", Article: "CCP L2511-6", Title: "Coopération justifiée et activité concurrentielle inférieure à 20 %, ou marché public", Severity: Warning}
	RuleEquipmentYear   = Rule{ID: "equipement_sans_convention", Article: "CGCT L1311-15", Title: "Convention signée dans l'année suivant le début de l'utilisation", Severity: Warning}
	RuleRepaymentPeriod = Rule{ID: "periodicite_remboursement", Title: "Remboursement au moins annuel", Severity: Blocking}
	RuleAC              = Rule{ID: "attribution_compensation", Article: "CGCT L5211-4-2", Title: "Imputation sur l'attribution de compensation réservée aux EPCI à FPU", Severity: Blocking}
	RuleShares          = Rule{ID: "quotes_parts", Title: "Quotes-parts complètes et de somme égale à 1", Severity: Blocking}
	RuleApprovals       = Rule{ID: "approbations", Title: "Approbations requises enregistrées avant la signature", Severity: Blocking}
	RuleSignatureOrder  = Rule{ID: "signature_avant_approbation", Title: "Signature postérieure aux approbations de la partie", Severity: Blocking}
	RuleTransmission    = Rule{ID: "transmission_prefecture", Article: "CGCT L2131-1", Title: "Délibération transmise au contrôle de légalité avant la signature", Severity: Warning}
	RulePaidMandate     = Rule{ID: "mandat_remunere", Article: "CCP L2511-6", Title: "Mandat rémunéré entre personnes publiques : marché public sauf coopération", Severity: Warning}
	RuleEligibility     = Rule{ID: "assistance_eligibilite", Article: "CGCT R3232-1", Title: "Éligibilité des bénéficiaires de l'assistance technique attestée", Severity: Warning}
)

// Rules returns every rule Validate applies.
func Rules() []Rule {
	return []Rule{RuleKind, RuleParties, RuleRoles, RuleOrgKind, RuleClause, RuleUsualClause, RuleFinancialMode,
		RuleTerm, RuleMaxDuration, RuleDelegation, RuleDelegationEPCI, RuleAgentConsent, RuleRepayment, RuleAgent,
		RuleContractAgent, RuleEPCIMembers, RuleSameEPCI, RuleLocalLaw, RulePurchasingGroup, RuleCooperation,
		RuleEquipmentYear, RuleRepaymentPeriod, RuleAC, RuleShares, RuleApprovals, RuleSignatureOrder,
		RuleTransmission, RulePaidMandate, RuleEligibility}
}

func (r Rule) at(article, field, format string, args ...any) Violation {
	if article == "" {
		article = r.Article
	}
	return Violation{Rule: r.ID, Article: article, Field: field, Severity: r.Severity, Message: fmt.Sprintf(format, args...)}
}

func (r Rule) on(field, format string, args ...any) Violation {
	return r.at("", field, format, args...)
}

// Blockers returns the blocking violations among vs.
func Blockers(vs []Violation) []Violation {
	var out []Violation
	for _, v := range vs {
		if v.Severity == Blocking {
			out = append(out, v)
		}
	}
	return out
}

// Validate checks a convention against the law as of the civil date asOf
// (usually civil.Today()) and returns every violation, blocking or not; nil
// means none. Rules that depend on approvals or signatures apply once the
// convention has reached the stage that needs them.
func Validate(a Agreement, asOf civil.Date) []Violation {
	spec, ok := Lookup(a.Kind)
	if !ok {
		return []Violation{RuleKind.on("kind", "nature de convention inconnue : « %s »", a.Kind)}
	}
	v := &validation{a: a, spec: spec, asOf: asOf, basis: spec.Basis[0].String()}
	for _, check := range []func(){
		v.parties, v.clauses, v.financial, v.term, v.maxDuration,
		v.delegation, v.secondment, v.epciMembers, v.sameEPCI, v.localLaw, v.purchasingGroup,
		v.prestation, v.equipment, v.repaymentPeriod, v.serviceCommun, v.shares,
		v.approvals, v.signatureOrder, v.transmission, v.projectOwnership, v.assistance,
	} {
		check()
	}
	return v.out
}

type validation struct {
	a     Agreement
	spec  Spec
	asOf  civil.Date
	basis string // the kind's main article
	out   []Violation
}

func (v *validation) add(vs ...Violation) { v.out = append(v.out, vs...) }

func partyField(i int, sub string) string {
	if sub == "" {
		return fmt.Sprintf("parties[%d]", i)
	}
	return fmt.Sprintf("parties[%d].%s", i, sub)
}

// signing reports whether the convention has reached signature, so that
// the approvals it needs must be there.
func (v *validation) signing() bool {
	return len(v.a.Signatures) > 0 || v.a.Status.atLeast(Signed)
}

// parties checks the parties, their roles and their kinds against the
// catalogue (CGCT articles of each instrument; domain.md §2).
func (v *validation) parties() {
	a, spec := v.a, v.spec
	if len(a.Parties) < spec.MinParties {
		v.add(RuleParties.at(v.basis, "parties", "une convention « %s » suppose au moins %s (%d actuellement)",
			spec.Label, nParties(spec.MinParties), len(a.Parties)))
	}
	seen := map[int64]bool{}
	count := map[Role]int{}
	for i, p := range a.Parties {
		switch {
		case p.OrgID == 0:
			v.add(RuleParties.at(v.basis, partyField(i, "org_id"), "la partie « %s » n'est pas rattachée à une organisation", p.Name))
		case seen[p.OrgID]:
			v.add(RuleParties.at(v.basis, partyField(i, "org_id"), "« %s » figure deux fois parmi les parties", p.Name))
		}
		seen[p.OrgID] = true
		if blank(p.Name) {
			v.add(RuleParties.at(v.basis, partyField(i, "name"), "le nom de la partie n° %d est manquant", i+1))
		}
		rs, ok := spec.Role(p.Role)
		if !ok {
			v.add(RuleRoles.at(v.basis, partyField(i, "role"), "le rôle « %s » de « %s » n'existe pas pour une convention « %s »",
				p.Role.Label(), p.Name, spec.Label))
			continue
		}
		count[p.Role]++
		if !slices.Contains(rs.OrgKinds, p.Kind) {
			v.add(RuleOrgKind.at(v.basis, partyField(i, "kind"), "« %s » (%s) ne peut pas tenir le rôle « %s » : %s",
				p.Name, p.Kind.Label(), rs.Label, admitted(rs.OrgKinds)))
		}
	}
	for _, rs := range spec.Roles {
		n := count[rs.Role]
		switch {
		case n < rs.Min:
			v.add(RuleRoles.at(v.basis, "parties", "le rôle « %s » doit être tenu par au moins %s (%d actuellement)", rs.Label, nParties(rs.Min), n))
		case rs.Max > 0 && n > rs.Max:
			v.add(RuleRoles.at(v.basis, "parties", "le rôle « %s » ne peut être tenu que par %s au plus (%d actuellement)", rs.Label, nParties(rs.Max), n))
		}
	}
}

func nParties(n int) string {
	if n <= 1 {
		return fmt.Sprintf("%d partie", n)
	}
	return fmt.Sprintf("%d parties", n)
}

func admitted(kinds []OrgKind) string {
	labels := make([]string, len(kinds))
	for i, k := range kinds {
		labels[i] = k.Label()
	}
	return "seuls sont admis : " + strings.Join(labels, ", ")
}

// RequiredClauses returns the clauses a convention must or should contain:
// its kind's, plus those its own terms add (the mandate to collect receipts
// of L1611-7-1 when an event's ticketing is entrusted).
func RequiredClauses(a Agreement) []ClauseSpec {
	spec, ok := Lookup(a.Kind)
	if !ok {
		return nil
	}
	cs := spec.Clauses
	if a.Kind == PartenariatEvenement && a.Event.Ticketing {
		cs = append(cs, ClauseSpec{ID: ClauseMandatEncaissement, Title: "Mandat d'encaissement des recettes et reddition des comptes au moins annuelle",
			Level: Mandatory, Basis: cgct("L1611-7-1")})
	}
	return cs
}

// Filled reports whether the convention provides clause id, either as the
// clause's text or through the structured field that carries it (the term
// for "duree", the financial summary for "conditions_financieres", …).
func Filled(a Agreement, id ClauseID) bool {
	if c, ok := a.Clause(id); ok && !blank(c.Text) {
		return true
	}
	t := a.Term
	switch id {
	case ClauseDuree, ClauseTerme, ClauseDureeRenouvellement:
		return !t.End.IsZero() || t.DurationMonths > 0 || t.UntilCompletion
	case ClauseFinancier, ClauseRemboursement, ClauseAppelsFonds, ClauseFinancementAvances:
		return !blank(a.Financial.Summary)
	case ClausePreavis:
		return t.NoticeMonths > 0
	case ClauseMethodeCoutUnitaire:
		return !blank(a.Provision.UnitCostMethod)
	case ClausePrevisionUnites:
		return a.Provision.ForecastUnits > 0
	case ClauseFicheImpact:
		return !blank(a.ServiceCommun.ImpactStatement)
	case ClauseQuotesParts:
		return len(a.Indivision.Shares) > 0
	case ClauseCompetences:
		return !blank(a.Delegation.Competence)
	case ClauseBesoins:
		return !blank(a.PurchasingGroup.Needs)
	case ClauseOuvrage:
		return !blank(a.ProjectOwnership.Work)
	case ClauseEquipement:
		return !blank(a.Equipment.Equipment)
	}
	return false
}

// clauses checks that the mandatory clauses of domain.md §4 are there, and
// warns about the usual ones.
func (v *validation) clauses() {
	for _, c := range RequiredClauses(v.a) {
		if Filled(v.a, c.ID) {
			continue
		}
		article := c.Basis.String()
		if c.Basis.Code == "" {
			article = v.basis
		}
		field := "clauses." + string(c.ID)
		if c.Level == Mandatory {
			v.add(RuleClause.at(article, field, "la clause « %s » est obligatoire pour une convention « %s »", c.Title, v.spec.Label))
		} else {
			v.add(RuleUsualClause.at(article, field, "la clause « %s » est d'usage pour une convention « %s »", c.Title, v.spec.Label))
		}
	}
}

// financial checks that the financial mode is one the instrument allows.
func (v *validation) financial() {
	m := v.a.Financial.Mode
	switch {
	case m == "":
		v.add(RuleFinancialMode.at(v.basis, "financial.mode", "le mode financier n'est pas choisi"))
	case !v.spec.Allows(m):
		labels := make([]string, len(v.spec.FinancialModes))
		for i, fm := range v.spec.FinancialModes {
			labels[i] = fm.Label()
		}
		v.add(RuleFinancialMode.at(v.basis, "financial.mode", "le mode « %s » n'est pas admis pour une convention « %s » (modes admis : %s)",
			m.Label(), v.spec.Label, strings.Join(labels, ", ")))
	}
}

// term checks that the dates hold together.
func (v *validation) term() {
	t := v.a.Term
	switch {
	case t.DurationMonths < 0 || t.RenewalMonths < 0 || t.NoticeMonths < 0 || t.MaxRenewals < 0:
		v.add(RuleTerm.at(v.basis, "term", "les durées ne peuvent pas être négatives"))
	case !t.Start.IsZero() && !t.End.IsZero() && t.End.Before(t.Start):
		v.add(RuleTerm.at(v.basis, "term.end", "la date de fin (%s) précède la date de début (%s)", t.End.French(), t.Start.French()))
	case !t.End.IsZero() && t.DurationMonths > 0 && !t.Start.IsZero() &&
		t.Start.AddMonths(t.DurationMonths).AddDays(-1) != t.End:
		v.add(RuleTerm.at(v.basis, "term.end", "la date de fin (%s) ne correspond pas à la durée de %d mois à compter du %s",
			t.End.French(), t.DurationMonths, t.Start.French()))
	case t.UntilCompletion && (!t.End.IsZero() || t.DurationMonths > 0):
		v.add(RuleTerm.at(v.basis, "term.until_completion", "une convention qui court jusqu'à l'achèvement de l'ouvrage n'a ni date de fin ni durée"))
	}
}

// maxDuration caps each period of a secondment at three years (décret
// 2008-580: three years at most, renewable for periods of three years at
// most).
func (v *validation) maxDuration() {
	max := v.spec.MaxMonths
	if max == 0 {
		return
	}
	t := v.a.Term
	start := t.Start
	if start.IsZero() {
		start = v.a.firstSignature()
	}
	switch {
	case t.DurationMonths > max:
		v.add(RuleMaxDuration.on("term.duration_months", "la durée de %d mois dépasse le maximum de %d mois (trois ans)", t.DurationMonths, max))
	case !t.End.IsZero() && !start.IsZero() && !t.End.Before(start.AddMonths(max)):
		v.add(RuleMaxDuration.on("term.end", "du %s au %s, la durée dépasse trois ans : la fin doit précéder le %s",
			start.French(), t.End.French(), start.AddMonths(max).French()))
	case t.UntilCompletion:
		v.add(RuleMaxDuration.on("term.until_completion", "une mise à disposition a une durée fixe de trois ans au plus"))
	}
	if t.TacitRenewal && t.RenewalMonths > max {
		v.add(RuleMaxDuration.on("term.renewal_months", "chaque renouvellement est de trois ans au plus (%d mois demandés)", t.RenewalMonths))
	}
	for i, r := range v.a.Renewals {
		if !r.NewEnd.Before(r.PreviousEnd.AddDays(1).AddMonths(max)) {
			v.add(RuleMaxDuration.on(fmt.Sprintf("renewals[%d].new_end", i), "le renouvellement n° %d jusqu'au %s dépasse trois ans",
				r.Number, r.NewEnd.French()))
		}
	}
}

func (a Agreement) firstSignature() civil.Date {
	var first civil.Date
	for _, s := range a.Signatures {
		first = civil.Min(first, s.Date)
	}
	return first
}

func (a Agreement) roleIndex(role Role) (int, Party, bool) {
	for i, p := range a.Parties {
		if p.Role == role {
			return i, p, true
		}
	}
	return 0, Party{}, false
}

// delegation applies L1111-8: a collectivité delegates only to a
// collectivité of another category or to an EPCI à FP — so never a commune
// to a commune; an EPCI à FP delegates only to a département or a region,
// as its statutes allow and with its communes' unanimous agreement.
func (v *validation) delegation() {
	if v.a.Kind != DelegationCompetence {
		return
	}
	_, from, ok1 := v.a.roleIndex(RoleDelegating)
	i, to, ok2 := v.a.roleIndex(RoleDelegate)
	if !ok1 || !ok2 {
		return
	}
	switch {
	case from.Kind == Commune && to.Kind == Commune:
		v.add(RuleDelegation.on(partyField(i, "kind"), "une commune ne peut pas déléguer une compétence à une autre commune : « %s » ne peut être délégataire de « %s » (délégation possible à un EPCI à fiscalité propre, au département ou à la région)",
			to.Name, from.Name))
	case collectivite(from.Kind) && from.Kind == to.Kind:
		v.add(RuleDelegation.on(partyField(i, "kind"), "une collectivité ne peut déléguer une compétence qu'à une collectivité d'une autre catégorie ou à un EPCI à fiscalité propre : « %s » et « %s » sont toutes deux de type %s",
			from.Name, to.Name, from.Kind.Label()))
	case from.Kind == EPCI && to.Kind != Departement && to.Kind != Region:
		v.add(RuleDelegationEPCI.on(partyField(i, "kind"), "un EPCI à fiscalité propre ne peut déléguer une compétence qu'au département ou à la région, pas à « %s » (%s)",
			to.Name, to.Kind.Label()))
	case from.Kind == EPCI && !v.a.Delegation.EPCIUnanimity:
		v.add(RuleDelegationEPCI.on("delegation.epci_unanimity", "attestez que les statuts de « %s » le permettent et que ses communes membres ont donné leur accord unanime", from.Name))
	}
}

// secondment applies the rules of a mise à disposition de personnel (CGFP
// L512-6 ff.; décret 2008-580; domain.md §3 H).
func (v *validation) secondment() {
	if v.a.Kind != MADPersonnel {
		return
	}
	s := v.a.Secondment
	if blank(s.Agent) {
		v.add(RuleAgent.on("secondment.agent", "l'agent mis à disposition n'est pas désigné"))
	}
	q := s.Quotite
	switch {
	case q.IsZero():
		v.add(RuleAgent.on("secondment.quotite", "la quotité de temps de travail mise à disposition n'est pas indiquée"))
	case !q.Valid() || q.Num == 0 || q.Num > q.Den:
		v.add(RuleAgent.on("secondment.quotite", "la quotité « %s » doit être comprise entre 0 (exclu) et 1 (temps complet)", q))
	}
	if s.AgentStatus == CDD {
		v.add(RuleContractAgent.on("secondment.agent_status", "un agent contractuel ne peut être mis à disposition que s'il est en CDI (point à confirmer, domain.md §3 H)"))
	}
	v.agentConsent()
	v.repayment()
}

// agentConsent: the agent's written agreement is a condition of the
// secondment (CGFP L512-7 1°), given on the convention sent before signature.
func (v *validation) agentConsent() {
	if !v.signing() {
		return
	}
	_, home, ok := v.a.roleIndex(RoleHomeEmployer)
	if !ok {
		return
	}
	consent, ok := v.a.approval(home.OrgID, AgentConsent)
	first := v.a.firstSignature()
	switch {
	case !ok:
		v.add(RuleAgentConsent.on("approvals", "la convention est signée sans l'accord écrit de l'agent %s", v.a.Secondment.Agent))
	case !first.IsZero() && consent.Date.After(first):
		v.add(RuleAgentConsent.on("approvals", "l'accord de l'agent (%s) doit précéder la signature de la convention (%s)",
			consent.Date.French(), first.French()))
	}
}

// repayment: a secondment gives rise to repayment (L512-11); a waiver is
// possible between a collectivité and a public body it is a member of or
// that is attached to it (former loi 84-53 art. 61-1 II, now L512-15 —
// wording unverified, domain.md §12 point 4), and must be stated.
func (v *validation) repayment() {
	s := v.a.Secondment
	_, home, ok := v.a.roleIndex(RoleHomeEmployer)
	if !ok {
		return
	}
	if !s.RepaymentWaived {
		if v.a.Financial.Mode == NoFlow {
			v.add(RuleRepayment.on("financial.mode", "la mise à disposition donne lieu à remboursement : choisissez le remboursement au prorata de la quotité, ou déclarez une exonération"))
		}
		return
	}
	if blank(s.WaiverReason) {
		v.add(RuleRepayment.at("CGFP L512-15", "secondment.waiver_reason", "l'exonération de remboursement doit être expressément motivée dans la convention"))
	}
	if v.a.Financial.Mode != NoFlow && v.a.Financial.Mode != "" {
		v.add(RuleRepayment.on("financial.mode", "avec une exonération de remboursement, le mode financier est « sans flux financier »"))
	}
	for i, host := range v.a.Parties {
		if host.Role != RoleHost {
			continue
		}
		allowed, unsure := waiverAllowed(home, host)
		switch {
		case !allowed && home.Kind == Commune && host.Kind == Commune:
			v.add(RuleRepayment.on(partyField(i, ""), "entre deux communes (« %s » et « %s »), la mise à disposition donne obligatoirement lieu à remboursement",
				home.Name, host.Name))
		case !allowed:
			v.add(RuleRepayment.at("CGFP L512-15", partyField(i, ""), "l'exonération n'est possible qu'entre une collectivité et un établissement public dont elle est membre ou qui lui est rattaché ; ce n'est pas le cas de « %s » et « %s »",
				home.Name, host.Name))
		case unsure:
			v.add(Violation{Rule: RuleRepayment.ID, Article: "CGFP L512-15", Field: partyField(i, ""), Severity: Warning,
				Message: fmt.Sprintf("vérifiez que « %s » et « %s » sont liés par une adhésion ou un rattachement : l'exonération en dépend", home.Name, host.Name)})
		}
	}
}

// waiverAllowed reports whether repayment may be waived between a and b
// (in either direction), and whether that could not be checked from the
// data (a syndicat's members are not known here).
func waiverAllowed(a, b Party) (allowed, unsure bool) {
	if collectivite(b.Kind) {
		a, b = b, a
	}
	if !collectivite(a.Kind) {
		return false, false
	}
	switch b.Kind {
	case EPCI:
		return a.Kind == Commune && a.EPCISIREN != "" && a.EPCISIREN == b.SIREN, false
	case EPARattache:
		if a.Kind == Commune {
			return b.AttachedCommune != "" && b.AttachedCommune == a.CommuneCode, false
		}
		return true, true
	case SyndicatCommunes, SyndicatMixte:
		return true, true
	}
	return false, false
}

// epciMembers applies the "only among members" condition of domain.md §2:
// mise à disposition de services (L5211-4-1), service commun (L5211-4-2)
// and biens partagés (L5211-4-3) link an EPCI à FP and its own communes —
// and, for a service commun, public bodies attached to them.
func (v *validation) epciMembers() {
	var article string
	switch v.a.Kind {
	case MADServicesAscendante, MADServicesDescendante:
		article = "CGCT L5211-4-1"
	case ServiceCommun:
		article = "CGCT L5211-4-2"
	case BiensPartages:
		article = "CGCT L5211-4-3"
	default:
		return
	}
	var epcis []int
	for i, p := range v.a.Parties {
		if p.Kind == EPCI {
			epcis = append(epcis, i)
		}
	}
	if len(epcis) != 1 {
		v.add(RuleEPCIMembers.at(article, "parties", "la convention associe un seul EPCI à fiscalité propre et ses communes membres (%d EPCI parmi les parties)", len(epcis)))
		return
	}
	epci := v.a.Parties[epcis[0]]
	if blank(epci.SIREN) {
		v.add(RuleEPCIMembers.at(article, partyField(epcis[0], "siren"), "le SIREN de « %s » manque : l'appartenance des communes ne peut être vérifiée", epci.Name))
		return
	}
	communes := map[string]bool{}
	for i, p := range v.a.Parties {
		if p.Kind != Commune {
			continue
		}
		communes[p.CommuneCode] = true
		if p.EPCISIREN != epci.SIREN {
			v.add(RuleEPCIMembers.at(article, partyField(i, "epci_siren"), "« %s » n'est pas membre de « %s » : seules ses communes membres peuvent être parties",
				p.Name, epci.Name))
		}
	}
	for i, p := range v.a.Parties {
		if p.Kind != EPARattache {
			continue
		}
		if p.AttachedEPCI != epci.SIREN && (p.AttachedCommune == "" || !communes[p.AttachedCommune]) {
			v.add(RuleEPCIMembers.at(article, partyField(i, "attached_commune"), "« %s » doit être rattaché à « %s » ou à l'une des communes parties", p.Name, epci.Name))
		}
	}
}

// sameEPCI applies L5111-1-1 II: communes use these conventions between
// themselves only when members of the same EPCI à FP.
func (v *validation) sameEPCI() {
	if v.a.Kind != MADServiceL5111 && v.a.Kind != ServiceUnifie {
		return
	}
	var first Party
	for i, p := range v.a.Parties {
		if p.Kind != Commune {
			continue
		}
		switch {
		case blank(p.EPCISIREN):
			v.add(RuleSameEPCI.on(partyField(i, "epci_siren"), "l'EPCI à fiscalité propre de « %s » n'est pas renseigné", p.Name))
		case first.OrgID == 0:
			first = p
		case p.EPCISIREN != first.EPCISIREN:
			v.add(RuleSameEPCI.on(partyField(i, "epci_siren"), "« %s » et « %s » ne sont pas membres du même EPCI à fiscalité propre : entre communes, cette convention n'est possible qu'au sein d'un même EPCI",
				first.Name, p.Name))
		}
	}
}

// localLaw refuses the entente (L5221-1, L5221-2) and the commission
// syndicale (L5222-1) to communes of Moselle, Bas-Rhin and Haut-Rhin, which
// follow local law (L5815-1, L5816-1).
func (v *validation) localLaw() {
	var article, what string
	switch v.a.Kind {
	case Entente:
		article, what = "CGCT L5815-1", "l'entente intercommunale (L5221-1 et L5221-2)"
	case BiensIndivis:
		article, what = "CGCT L5816-1", "la commission syndicale de biens indivis (L5222-1)"
	default:
		return
	}
	for i, p := range v.a.Parties {
		if p.Kind == Commune && p.LocalLaw() {
			v.add(RuleLocalLaw.at(article, partyField(i, ""), "« %s » relève du droit local d'Alsace-Moselle : %s ne s'applique pas aux communes de la Moselle, du Bas-Rhin et du Haut-Rhin",
				p.Name, what))
		}
	}
}

// purchasingGroup: the convention constitutive must be in force before the
// procedure starts, so every member deliberates, and signs, before the
// launch date (CCP L2113-7; domain.md §3 I, §11).
func (v *validation) purchasingGroup() {
	launch := v.a.PurchasingGroup.LaunchDate
	if v.a.Kind != GroupementCommandes || launch.IsZero() {
		return
	}
	started := !v.asOf.Before(launch)
	for i, p := range v.a.Parties {
		d, ok := v.a.approval(p.OrgID, Deliberation)
		switch {
		case ok && !d.Date.Before(launch):
			v.add(RulePurchasingGroup.on(partyField(i, ""), "la délibération de « %s » (%s) doit être antérieure au lancement de la procédure (%s)",
				p.Name, d.Date.French(), launch.French()))
		case !ok && started:
			v.add(RulePurchasingGroup.on(partyField(i, ""), "la procédure est lancée le %s sans délibération de « %s » : ce membre ne peut pas bénéficier de cette procédure",
				launch.French(), p.Name))
		}
		s, signed := v.a.signature(p.OrgID)
		switch {
		case signed && s.Date.After(launch):
			v.add(RulePurchasingGroup.on("signatures", "« %s » a signé le %s, après le lancement de la procédure (%s)", p.Name, s.Date.French(), launch.French()))
		case !signed && started:
			v.add(RulePurchasingGroup.on("signatures", "la procédure est lancée le %s sans la signature de « %s »", launch.French(), p.Name))
		}
	}
}

// prestation: a service contract between public buyers escapes the CCP
// only as a cooperation under L2511-6 (or for a non-economic service of
// general interest, L5111-1); otherwise it is a public contract. A warning:
// the convention stays possible, as a public contract.
func (v *validation) prestation() {
	if v.a.Kind != Prestation {
		return
	}
	for _, p := range v.a.Parties {
		if !p.Kind.Public() {
			return
		}
	}
	t := v.a.Prestation
	if t.PublicContract || t.NonEconomicService {
		return
	}
	if blank(t.CooperationJustification) {
		v.add(RuleCooperation.on("prestation.cooperation_justification", "sans justification de la coopération (objectifs communs, considérations d'intérêt général), la prestation est un marché public : justifiez-la ou déclarez-la comme marché public"))
	}
	if !t.OpenMarketBelow20 {
		v.add(RuleCooperation.on("prestation.open_market_below_20", "sans attestation que les parties réalisent moins de 20 %% des activités concernées sur le marché concurrentiel, la prestation est un marché public : attestez-le ou déclarez-la comme marché public"))
	}
}

// equipment: without a convention a year after the first use, the owner
// sets the participation alone and it becomes a dépense obligatoire
// (L1311-15).
func (v *validation) equipment() {
	if v.a.Kind != EquipementPartage {
		return
	}
	signed := v.a.SignedOn()
	covered := !signed.IsZero() && !signed.After(v.asOf)
	if al, ok := EquipmentUseAlert(v.a.Equipment.FirstUse, v.asOf, covered); ok {
		v.add(RuleEquipmentYear.on("equipment.first_use", "%s", al.Message))
	}
}

// repaymentPeriod: repayments are made at least once a year (D5211-16,
// R5111-1).
func (v *validation) repaymentPeriod() {
	article := ""
	switch v.a.Kind {
	case MADServicesAscendante, MADServicesDescendante:
		article = "CGCT D5211-16"
	case MADServiceL5111, ServiceUnifie:
		article = "CGCT R5111-1"
	default:
		return
	}
	if n := v.a.Financial.PeriodMonths; n > 12 {
		v.add(RuleRepaymentPeriod.at(article, "financial.period_months", "la périodicité du remboursement ne peut excéder un an (%d mois demandés)", n))
	}
}

// serviceCommun: charging against the attribution de compensation needs an
// EPCI with the fiscalité professionnelle unique (L5211-4-2).
func (v *validation) serviceCommun() {
	if v.a.Kind != ServiceCommun || !v.a.ServiceCommun.ChargeAgainstAC {
		return
	}
	for _, p := range v.a.Parties {
		if p.Kind == EPCI && p.FPU {
			return
		}
	}
	v.add(RuleAC.on("service_commun.charge_against_ac", "l'imputation sur l'attribution de compensation n'est possible que pour un EPCI à fiscalité professionnelle unique"))
}

// shares: undivided shares (and co-owners' parts, when given) name parties
// and add up to exactly 1.
func (v *validation) shares() {
	var shares []Share
	var field, article string
	var holders []Role
	switch v.a.Kind {
	case BiensIndivis:
		shares, field, article, holders = v.a.Indivision.Shares, "indivision.shares", "CGCT L5222-2", []Role{RoleCoOwner}
	case CoMaitriseOuvrage:
		shares, field, article, holders = v.a.ProjectOwnership.Shares, "project_ownership.shares", "CCP L2422-12", []Role{RoleLead, RoleProjectOwner}
	default:
		return
	}
	if len(shares) == 0 {
		return
	}
	sum := new(big.Rat)
	seen := map[int64]bool{}
	for i, s := range shares {
		f := fmt.Sprintf("%s[%d]", field, i)
		p, ok := v.a.Party(s.OrgID)
		switch {
		case !ok || !slices.Contains(holders, p.Role):
			v.add(RuleShares.at(article, f, "la quote-part n° %d ne désigne pas une partie concernée", i+1))
		case seen[s.OrgID]:
			v.add(RuleShares.at(article, f, "« %s » a deux quotes-parts", p.Name))
		case !s.Share.Valid() || s.Share.Num == 0:
			v.add(RuleShares.at(article, f, "la quote-part de « %s » doit être une fraction positive", p.Name))
		default:
			sum.Add(sum, s.Share.Rat())
		}
		seen[s.OrgID] = true
	}
	for i, p := range v.a.Parties {
		if slices.Contains(holders, p.Role) && !seen[p.OrgID] {
			v.add(RuleShares.at(article, partyField(i, ""), "« %s » n'a pas de quote-part", p.Name))
		}
	}
	if sum.Cmp(big.NewRat(1, 1)) != 0 {
		v.add(RuleShares.at(article, field, "les quotes-parts totalisent %s au lieu de 1", sum.RatString()))
	}
}

// approvals: once a convention is signed, every approval it needs is there
// (domain.md §4, last row). The agent's consent has its own rule.
func (v *validation) approvals() {
	if !v.signing() {
		return
	}
	for _, n := range MissingApprovals(v.a) {
		if v.a.Kind == MADPersonnel && n.Kind == AgentConsent {
			continue
		}
		who := "la convention"
		if n.PartyName != "" {
			who = "« " + n.PartyName + " »"
		}
		v.add(RuleApprovals.at(n.Basis.String(), "approvals", "approbation manquante pour %s : %s (la signature a commencé)", who, lower(n.Title)))
	}
}

// signatureOrder: a party signs only once it has approved (its council
// authorises the signature).
func (v *validation) signatureOrder() {
	for _, s := range v.a.Signatures {
		p, ok := v.a.Party(s.OrgID)
		if !ok {
			v.add(RuleSignatureOrder.at(v.basis, "signatures", "une signature (organisation %d) n'émane d'aucune partie", s.OrgID))
			continue
		}
		for _, n := range RequiredApprovals(v.a) {
			if n.OrgID != p.OrgID || n.Kind == AgentConsent {
				continue
			}
			if ap, ok := v.a.approval(p.OrgID, n.Kind); ok && s.Date.Before(ap.Date) {
				v.add(RuleSignatureOrder.at(n.Basis.String(), "signatures", "« %s » a signé le %s, avant sa %s du %s",
					p.Name, s.Date.French(), n.Kind.Label(), ap.Date.French()))
			}
		}
	}
}

// transmission warns when a party signs on a deliberation not yet sent to
// the prefecture, hence not yet enforceable (CGCT L2131-1 for communes).
func (v *validation) transmission() {
	for _, s := range v.a.Signatures {
		p, ok := v.a.Party(s.OrgID)
		if !ok || !p.Kind.Public() {
			continue
		}
		d, ok := v.a.approval(p.OrgID, Deliberation)
		if ok && (d.TransmittedOn.IsZero() || d.TransmittedOn.After(s.Date)) {
			v.add(RuleTransmission.on("approvals", "la délibération de « %s » n'était pas transmise en préfecture lors de la signature (%s) : elle n'était pas exécutoire",
				p.Name, s.Date.French()))
		}
	}
}

// projectOwnership warns that a paid mandat between public persons is a
// public service contract unless a cooperation exemption applies (domain.md
// §3 K1, unverified).
func (v *validation) projectOwnership() {
	if v.a.Kind != MandatMaitriseOuvrage || !v.a.ProjectOwnership.Remunerated {
		return
	}
	if _, m, ok := v.a.roleIndex(RoleMandatary); ok && m.Kind.Public() {
		v.add(RulePaidMandate.on("project_ownership.remunerated", "un mandat rémunéré est en principe un marché public de services, sauf coopération entre pouvoirs adjudicateurs : vérifiez le régime applicable"))
	}
}

// assistance warns until the département attests that each beneficiary is
// eligible (rural commune, potentiel financier, EPCI size: R3232-1).
func (v *validation) assistance() {
	if v.a.Kind == AssistanceTechnique && !v.a.TechnicalAssistance.EligibilityAttested {
		v.add(RuleEligibility.on("technical_assistance.eligibility_attested", "attestez que chaque bénéficiaire remplit les conditions d'éligibilité de l'article R3232-1"))
	}
}

func lower(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	r[0] = []rune(strings.ToLower(string(r[0])))[0]
	return string(r)
}
