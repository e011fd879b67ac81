package agreement

import (
	"slices"
	"strings"

	"voisines/internal/civil"
)

// Agreement is a convention: its kind, its content as it stands after the
// last avenant, and its life (approvals, signatures, avenants, renewals,
// termination). Every earlier version of the content is kept in Amendments.
type Agreement struct {
	ID     int64  `json:"id,omitempty"`
	Kind   Kind   `json:"kind"`
	Status Status `json:"status"`
	Content
	Approvals  []Approval  `json:"approvals,omitempty"`
	Signatures []Signature `json:"signatures,omitempty"`
	// Amendments are the numbered avenants, oldest first; each keeps the
	// content it replaced, so version n is Amendments[n].Previous and the
	// current version is Content.
	Amendments []Amendment `json:"amendments,omitempty"`
	Renewals   []Renewal   `json:"renewals,omitempty"`
	// Decisions are the entente's conférence decisions, each enforceable once
	// every council has ratified it (L5221-2).
	Decisions []ConferenceDecision `json:"conference_decisions,omitempty"`
	// UnitCostNotices are the dates the unit cost was notified to the
	// beneficiaries (D5211-16, R5111-1).
	UnitCostNotices []UnitCostNotice `json:"unit_cost_notices,omitempty"`
	Termination     Termination      `json:"termination,omitzero"`
}

// Content is what the parties agree on: everything an avenant may change.
type Content struct {
	Title     string    `json:"title"`
	Parties   []Party   `json:"parties"`
	Term      Term      `json:"term"`
	Financial Financial `json:"financial"`
	// Clauses are the convention's articles in document order; the kind's
	// catalogue entry says which are mandatory.
	Clauses []Clause `json:"clauses,omitempty"`

	// Kind-specific terms; only the one matching Kind is used.
	Prestation          PrestationTerms          `json:"prestation,omitzero"`
	Provision           ProvisionTerms           `json:"provision,omitzero"`
	ServiceCommun       ServiceCommunTerms       `json:"service_commun,omitzero"`
	Equipment           EquipmentTerms           `json:"equipment,omitzero"`
	Indivision          IndivisionTerms          `json:"indivision,omitzero"`
	Secondment          SecondmentTerms          `json:"secondment,omitzero"`
	PurchasingGroup     PurchasingGroupTerms     `json:"purchasing_group,omitzero"`
	Delegation          DelegationTerms          `json:"delegation,omitzero"`
	ProjectOwnership    ProjectOwnershipTerms    `json:"project_ownership,omitzero"`
	TechnicalAssistance TechnicalAssistanceTerms `json:"technical_assistance,omitzero"`
	Event               EventTerms               `json:"event,omitzero"`
	SchoolCosts         SchoolCostsTerms         `json:"school_costs,omitzero"`
}

// Party is an organisation party to a convention, as it was when the
// convention was drafted, with the role it holds.
type Party struct {
	OrgID           int64   `json:"org_id"`
	Kind            OrgKind `json:"kind"`
	Name            string  `json:"name"`
	SIREN           string  `json:"siren,omitempty"`
	CommuneCode     string  `json:"commune_code,omitempty"` // INSEE code, for a commune
	DepartementCode string  `json:"departement,omitempty"`
	// EPCISIREN is the EPCI à fiscalité propre the commune belongs to.
	EPCISIREN string `json:"epci_siren,omitempty"`
	// FPU is set for an EPCI levying the fiscalité professionnelle unique.
	FPU           bool `json:"fpu,omitempty"`
	AlsaceMoselle bool `json:"droit_local_alsace_moselle,omitempty"`
	// AttachedCommune (INSEE code) or AttachedEPCI (SIREN) is the authority an
	// établissement public rattaché (CCAS, CIAS, caisse des écoles) belongs to.
	AttachedCommune string         `json:"attached_commune,omitempty"`
	AttachedEPCI    string         `json:"attached_epci,omitempty"`
	Role            Role           `json:"role"`
	Representative  Representative `json:"representative,omitzero"`
}

// Representative is the person who signs for a party.
type Representative struct {
	Name  string `json:"name"`
	Title string `json:"title"` // "Maire", "Président", "Adjoint délégué"
	// Authority is the act empowering them, e.g. "délibération n° 2026-045".
	Authority string `json:"authority,omitempty"`
}

// localLawDepartements are Moselle, Bas-Rhin and Haut-Rhin, whose communes
// follow local law (CGCT L5815-1, L5816-1).
var localLawDepartements = []string{"57", "67", "68"}

// LocalLaw reports whether the party is under the local law of
// Alsace-Moselle: by its flag, its département, or its INSEE code's first
// two digits — any one is enough, so that a missing flag cannot let a
// forbidden instrument through.
func (p Party) LocalLaw() bool {
	return p.AlsaceMoselle || slices.Contains(localLawDepartements, p.DepartementCode) ||
		(len(p.CommuneCode) == 5 && slices.Contains(localLawDepartements, p.CommuneCode[:2]))
}

// Term is the duration of a convention.
type Term struct {
	Start civil.Date `json:"start,omitzero"`
	// End is the last day the convention applies; or set DurationMonths, or
	// UntilCompletion for a mandat that ends with the work.
	End             civil.Date `json:"end,omitzero"`
	DurationMonths  int        `json:"duration_months,omitempty"`
	UntilCompletion bool       `json:"until_completion,omitempty"`
	TacitRenewal    bool       `json:"tacit_renewal,omitempty"`
	// RenewalMonths is the length of each tacit renewal; 0 repeats the
	// initial duration.
	RenewalMonths int `json:"renewal_months,omitempty"`
	// MaxRenewals caps tacit renewals; 0 means no cap.
	MaxRenewals  int `json:"max_renewals,omitempty"`
	NoticeMonths int `json:"notice_months,omitempty"`
}

// EndDate returns the last day of the initial period: End, or the day before
// Start + DurationMonths; zero when the term is open.
func (t Term) EndDate() civil.Date {
	switch {
	case !t.End.IsZero():
		return t.End
	case t.DurationMonths > 0 && !t.Start.IsZero():
		return t.Start.AddMonths(t.DurationMonths).AddDays(-1)
	}
	return civil.Date{}
}

// months returns the length of the initial period in months, rounded up.
func (t Term) months() int {
	if t.DurationMonths > 0 {
		return t.DurationMonths
	}
	end := t.EndDate()
	if t.Start.IsZero() || end.IsZero() {
		return 0
	}
	n := 0
	for !t.Start.AddMonths(n).After(end) {
		n++
	}
	return n
}

// Financial is how a convention is paid for. The figures (keys, unit
// costs, pay) live in the money package under Reference.
type Financial struct {
	Mode FinancialMode `json:"mode"`
	// Reference identifies the cost model in the money package.
	Reference string `json:"reference,omitempty"`
	// Summary is the text of the financial article.
	Summary string `json:"summary,omitempty"`
	// PeriodMonths is how often repayments are made; at most 12 under
	// D5211-16 and R5111-1.
	PeriodMonths int `json:"period_months,omitempty"`
}

// Clause is one article of a convention.
type Clause struct {
	ID    ClauseID `json:"id"`
	Title string   `json:"title,omitempty"` // empty: the catalogue's title
	Text  string   `json:"text"`
}

// Clause returns the clause with that id.
func (c Content) Clause(id ClauseID) (Clause, bool) {
	for _, cl := range c.Clauses {
		if cl.ID == id {
			return cl, true
		}
	}
	return Clause{}, false
}

// Party returns the party with that organisation id.
func (c Content) Party(orgID int64) (Party, bool) {
	for _, p := range c.Parties {
		if p.OrgID == orgID {
			return p, true
		}
	}
	return Party{}, false
}

// Lead returns the party that drafts and runs the convention: the first
// holder of its kind's LeadRole (the entente's commune support, the
// groupement's coordinator, the secondment's home employer…).
func (a Agreement) Lead() (Party, bool) {
	spec, ok := Lookup(a.Kind)
	if !ok {
		return Party{}, false
	}
	_, p, ok := a.roleIndex(spec.LeadRole)
	return p, ok
}

// WithRole returns the parties holding role, in order.
func (c Content) WithRole(role Role) []Party {
	var out []Party
	for _, p := range c.Parties {
		if p.Role == role {
			out = append(out, p)
		}
	}
	return out
}

// PrestationTerms are the terms of a prestation de services between public
// buyers: either a cooperation under CCP L2511-6, or a public contract.
type PrestationTerms struct {
	// CooperationJustification says which common objectives the parties
	// pursue, governed only by general-interest considerations.
	CooperationJustification string `json:"cooperation_justification,omitempty"`
	// OpenMarketBelow20 attests that the parties perform less than 20 % of
	// the activities concerned on the open market (CCP L2511-6 2°).
	OpenMarketBelow20 bool `json:"open_market_below_20,omitempty"`
	// NonEconomicService marks a non-economic service of general interest,
	// outside the CCP by L5111-1.
	NonEconomicService bool `json:"non_economic_service,omitempty"`
	// PublicContract marks the convention as a public contract, awarded under
	// the CCP's procedures.
	PublicContract bool `json:"public_contract,omitempty"`
}

// ProvisionTerms are the terms of a service made available (L5211-4-1,
// L5111-1-1): the service and the D5211-16 / R5111-1 unit-cost mechanism.
type ProvisionTerms struct {
	Service        string `json:"service"`
	UnitCostMethod string `json:"unit_cost_method,omitempty"`
	Unit           string `json:"unit,omitempty"` // "heure", "dossier"
	ForecastUnits  int64  `json:"forecast_units,omitempty"`
}

// ServiceCommunTerms are the terms of a service commun (L5211-4-2).
type ServiceCommunTerms struct {
	Tasks string `json:"tasks"`
	// ImpactStatement references the fiche d'impact attached to the
	// convention (file name or document id).
	ImpactStatement string `json:"impact_statement,omitempty"`
	// ChargeAgainstAC charges the service against the attribution de
	// compensation, possible only for an EPCI with FPU.
	ChargeAgainstAC bool `json:"charge_against_ac,omitempty"`
}

// EquipmentTerms are the terms of a shared use of equipment (L1311-15).
type EquipmentTerms struct {
	Equipment string `json:"equipment"`
	// FirstUse is when the users started using it: without a convention a
	// year later, the owner sets the participation alone.
	FirstUse civil.Date `json:"first_use,omitzero"`
	Vehicles bool       `json:"vehicles,omitempty"` // a fleet of vehicles, added in 2019
}

// IndivisionTerms are the terms of undivided property (L5222-1 ff.).
type IndivisionTerms struct {
	Property string  `json:"property"`
	Shares   []Share `json:"shares,omitempty"`
}

// Share is a party's share of undivided property or of a work.
type Share struct {
	OrgID int64    `json:"org_id"`
	Share Fraction `json:"share"`
}

// AgentStatus is a seconded agent's employment status.
type AgentStatus string

// The statuses of an agent.
const (
	Titulaire AgentStatus = "titulaire"
	CDI       AgentStatus = "cdi"
	CDD       AgentStatus = "cdd"
)

// SecondmentTerms are the terms of a mise à disposition de personnel.
type SecondmentTerms struct {
	Agent       string      `json:"agent"`
	Grade       string      `json:"grade,omitempty"`
	AgentStatus AgentStatus `json:"agent_status,omitempty"`
	// Quotite is the share of the agent's working time spent at the host:
	// 30/100, or 14/35 for fourteen hours a week.
	Quotite Fraction `json:"quotite"`
	// RepaymentWaived waives the host's repayment, allowed only in the cases
	// of CGFP L512-11 and L512-15; WaiverReason states it in the convention.
	RepaymentWaived bool   `json:"repayment_waived,omitempty"`
	WaiverReason    string `json:"waiver_reason,omitempty"`
}

// PurchasingGroupTerms are the terms of a groupement de commandes.
type PurchasingGroupTerms struct {
	Needs string `json:"needs"`
	// LaunchDate is when the award procedure is launched (consultation or
	// notice sent): every member must have deliberated before it.
	LaunchDate civil.Date `json:"launch_date,omitzero"`
}

// DelegationTerms are the terms of a délégation de compétence (L1111-8).
type DelegationTerms struct {
	Competence string `json:"competence"`
	// EPCIUnanimity attests, for an EPCI that delegates, that its statutes
	// allow it and that its communes agreed unanimously.
	EPCIUnanimity bool `json:"epci_unanimity,omitempty"`
}

// ProjectOwnershipTerms are the terms of a mandat or co-maîtrise d'ouvrage.
type ProjectOwnershipTerms struct {
	Work        string  `json:"work"`
	Remunerated bool    `json:"remunerated,omitempty"` // the mandatary is paid
	Shares      []Share `json:"shares,omitempty"`      // co-maîtrise: each owner's part
}

// TechnicalAssistanceTerms are the terms of the département's assistance.
type TechnicalAssistanceTerms struct {
	Domain string `json:"domain"` // assainissement, voirie, aménagement…
	// EligibilityAttested attests that each beneficiary meets R3232-1.
	EligibilityAttested bool `json:"eligibility_attested,omitempty"`
}

// EventTerms are the terms of a co-organised event.
type EventTerms struct {
	Event string `json:"event"`
	// Ticketing entrusts the collection of receipts to the lead under
	// L1611-7-1, which needs each commune's accountant's approval.
	Ticketing bool `json:"ticketing,omitempty"`
}

// SchoolCostsTerms are the terms of a school-costs convention (L212-8).
type SchoolCostsTerms struct {
	SchoolYear string `json:"school_year,omitempty"` // "2026-2027"
	// RoundUnitCostFirst rounds the cost per pupil to the cent before
	// multiplying (domain.md §10, example 9).
	RoundUnitCostFirst bool `json:"round_unit_cost_first,omitempty"`
}

// Approval is an act recorded for a convention: a deliberation, an agent's
// consent, an opinion, an order.
type Approval struct {
	// OrgID is the party whose act it is; 0 for an outside act (the
	// prefect's order).
	OrgID  int64        `json:"org_id,omitempty"`
	Kind   ApprovalKind `json:"kind"`
	Body   string       `json:"body,omitempty"`   // "Conseil municipal", "CST du centre de gestion"
	Number string       `json:"number,omitempty"` // "2026-045"
	Date   civil.Date   `json:"date"`
	// TransmittedOn is when a deliberation or order was sent to the
	// prefecture (contrôle de légalité).
	TransmittedOn civil.Date `json:"transmitted_on,omitzero"`
	// Unfavourable records a rejection, a refused consent or an unfavourable
	// opinion. An unfavourable CST opinion still counts as given.
	Unfavourable bool `json:"unfavourable,omitempty"`
	// Decision names the conférence decision a ratification ratifies.
	Decision string `json:"decision,omitempty"`
	Note     string `json:"note,omitempty"`
}

// counts reports whether the approval satisfies a requirement of its kind.
func (ap Approval) counts() bool {
	return !ap.Date.IsZero() && (!ap.Unfavourable || ap.Kind == CSTOpinion)
}

// Signature is one signatory's signature.
type Signature struct {
	OrgID     int64      `json:"org_id"`
	Date      civil.Date `json:"date"`
	Signatory string     `json:"signatory,omitempty"`
}

// Amendment is a numbered avenant: what changed, and the content it replaced.
type Amendment struct {
	Number int        `json:"number"`
	Date   civil.Date `json:"date"`
	Reason string     `json:"reason"`
	// Approvals are the acts authorising the avenant: each party's
	// deliberation, the agent's consent for a secondment.
	Approvals []Approval `json:"approvals,omitempty"`
	Changes   []Change   `json:"changes"`
	Previous  Content    `json:"previous"`
}

// Change is one field an avenant changed, with its JSON path and values.
type Change struct {
	Field    string `json:"field"` // "term.end", "parties[2]"
	Previous string `json:"previous"`
	New      string `json:"new"`
}

// Renewal is an express or tacit renewal of a convention.
type Renewal struct {
	Number      int        `json:"number"`
	Date        civil.Date `json:"date"` // decision, or the first day of the new period when tacit
	Tacit       bool       `json:"tacit"`
	PreviousEnd civil.Date `json:"previous_end"`
	NewEnd      civil.Date `json:"new_end"`
}

// Termination is the end of a convention before its term.
type Termination struct {
	By        int64      `json:"by"`        // party that terminates
	Date      civil.Date `json:"date"`      // decision or notice
	Effective civil.Date `json:"effective"` // first day the convention no longer applies
	Reason    string     `json:"reason"`
	// Mutual is a termination agreed by every party, which needs no notice.
	Mutual bool `json:"mutual,omitempty"`
}

// ConferenceDecision is a decision of an entente's conférence.
type ConferenceDecision struct {
	Ref     string     `json:"ref"`
	Date    civil.Date `json:"date"`
	Subject string     `json:"subject"`
}

// UnitCostNotice records that the unit cost of a year was notified.
type UnitCostNotice struct {
	Year int        `json:"year"`
	Date civil.Date `json:"date"`
}

// CurrentEnd returns the last day of the period in force: the initial end
// moved by each renewal; zero when the term is open.
func (a Agreement) CurrentEnd() civil.Date {
	if n := len(a.Renewals); n > 0 {
		return a.Renewals[n-1].NewEnd
	}
	return a.Term.EndDate()
}

// SignedOn returns the date the convention was concluded: the last
// signatory's date, or zero while a signature is missing.
func (a Agreement) SignedOn() civil.Date {
	var last civil.Date
	for _, p := range a.signatories() {
		s, ok := a.signature(p.OrgID)
		if !ok {
			return civil.Date{}
		}
		last = civil.Max(last, s.Date)
	}
	return last
}

// Version returns the number of the current version: 0 for the initial
// convention, n after avenant n.
func (a Agreement) Version() int { return len(a.Amendments) }

func (a Agreement) signature(orgID int64) (Signature, bool) {
	for _, s := range a.Signatures {
		if s.OrgID == orgID {
			return s, true
		}
	}
	return Signature{}, false
}

// signatories returns the parties that must sign.
func (a Agreement) signatories() []Party {
	spec, _ := Lookup(a.Kind)
	if len(spec.Signatories) == 0 {
		return a.Parties
	}
	var out []Party
	for _, p := range a.Parties {
		if slices.Contains(spec.Signatories, p.Role) {
			out = append(out, p)
		}
	}
	return out
}

func blank(s string) bool { return strings.TrimSpace(s) == "" }
