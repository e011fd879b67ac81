// Package ledger is Voisines' financial engine: from a convention's financial
// terms and the recorded usage it computes, for a period, the statement
// (état) of what each party owes — inputs, unit cost or key, each party's
// amount and the rule applied, line by line — freezes it when the creditor
// issues it, and turns it into gross flows creditor → debtor with the
// suggested M57 accounts, for the titres de recettes and mandats the finance
// officers then issue. It also gives each organisation its year: the titres
// to issue and the mandats to expect, per convention and partner.
//
// # Computation
//
// Every amount comes from the money package (keys, largest-remainder
// allocation, unit price, D5211-16 unit cost, secondment pro rata); this
// package chooses which of them a convention's terms call for, gathers their
// data (usage records, legal populations, earlier calls for funds) into
// Inputs, and evaluates them. Evaluate is pure: the same Inputs always give
// the same Result, which is how an issued statement can be checked years
// later (Recheck).
//
// # Freezing and corrections
//
// A statement is a draft until it is issued. Issuing stores its Inputs as
// JSON with their SHA-256, and its Result, never to be updated. A correction
// is a new version of the statement that references the one it replaces;
// both are kept and only the newest is current. Both operations are in the
// audit log.
//
// # No netting
//
// Accounting for local authorities is gross (domain.md §6): when two
// organisations owe each other, each debt is its own flow, its own titre and
// its own mandat. No table has a net column and no code path stores a net
// amount; the per-organisation year shows a net position per partner only as
// information, computed when shown.
//
// # Who may do what
//
// Every party of a convention (present or past) reads its terms, issued
// statements and flows; anyone else gets store.ErrNotFound. A draft is the
// creditor's work in progress: only those who may write for the creditor
// (and platform admins) see it, in lists and by id; to the other parties
// it does not exist until issued (Statement.VisibleTo).
//
// The creditor party — the one that invoices: the provider of a service,
// the owner of an equipment, the commune support of an entente, the home
// employer of a seconded agent, the commission syndicale of biens indivis,
// the coordinator of a purchasing group — writes the terms and computes,
// issues and corrects statements (auth.Write on it). The creditor records
// its titres, each debtor its mandats. Platform admins edit the account
// mapping.
package ledger

import (
	"strconv"
	"time"

	"voisines/internal/agreement"
	"voisines/internal/civil"
	"voisines/internal/money"
)

// Terms are a convention's financial terms in the structured form the
// engine computes with: the figures its financial article states in words.
// Parties are named by organisation id everywhere (in keys, written as the
// decimal id: "12").
type Terms struct {
	// Mode is the convention's financial mode; it must be the one the
	// convention states (agreement.Financial.Mode).
	Mode agreement.FinancialMode `json:"mode"`
	// Creditor is the party that invoices (see the package comment); it
	// must hold the creditor role of the convention's kind.
	Creditor int64 `json:"creditor"`
	// Parties are the parties that bear the cost or owe the price, in the
	// convention's order (the allocation's last tie-break). The creditor may
	// be among them: its own share is shown and yields no flow.
	Parties []int64 `json:"parties"`
	// Object is what the titres say they are for ("Participation aux frais
	// de fonctionnement du gymnase"); empty uses the instrument's name.
	Object string `json:"object,omitempty"`
	// PeriodMonths is the longest period a statement may cover, as the
	// convention says (at most 12 under D5211-16 and R5111-1); 0 for none.
	PeriodMonths int `json:"period_months,omitempty"`
	// UsageUnit is the unit of the usage records that feed unit-price
	// billing and usage keys ("hour", "acte"); empty accepts the records'
	// unit when they all have the same.
	UsageUnit string `json:"usage_unit,omitempty"`

	// Settlement is how the debtors pay: by mandat against the creditor's
	// titre (the default, empty), or, for a service commun of an EPCI with
	// fiscalité professionnelle unique, by a reduction of the attribution de
	// compensation (CGCT L5211-4-2, CGI 1609 nonies C; accounts 73211 /
	// 739211, domain.md §7).
	Settlement Settlement `json:"settlement,omitempty"`

	// Key shares an actual cost (ActualCostByKey) or a work's cost
	// (CallsForFunds). A usage component without usage lines is filled from
	// the usage records of the period; a population component without
	// figures from the legal populations of its Measure and Vintage.
	Key *money.Key `json:"key,omitempty"`
	// UnitPrice is the unit-price rule (UnitPrice mode).
	UnitPrice *UnitPriceTerms `json:"unit_price,omitempty"`
	// Secondment is the pay of a seconded agent (SalaryProRata mode).
	Secondment *SecondmentTerms `json:"secondment,omitempty"`
	// Fixed are the fixed prices per statement (FixedPrice mode).
	Fixed []FixedLine `json:"fixed,omitempty"`
	// Calls are the calls for funds of a work (CallsForFunds mode).
	Calls *CallsTerms `json:"calls,omitempty"`
}

// Settlement is how a statement's debtors pay.
type Settlement string

// The settlements.
const (
	// SettleByTitre is the default: the creditor issues a titre de recettes,
	// each debtor pays it by mandat.
	SettleByTitre Settlement = ""
	// SettleAgainstAC charges a service commun against the attribution de
	// compensation the EPCI pays each commune (CGCT L5211-4-2): no titre,
	// the AC is reduced by the amount.
	SettleAgainstAC Settlement = "attribution_compensation"
)

// UnitPriceTerms bill units of use at a unit cost: D5211-16 and R5111-1
// services, L1311-15 equipment, L212-8 school costs.
type UnitPriceTerms struct {
	// Rule is the unit cost and how lines are rounded. When Basis is set,
	// Rule.UnitCost is left zero: the unit cost is computed from Basis.
	Rule money.UnitPrice `json:"rule"`
	// Basis computes the unit cost from the cost lines of the last compte
	// administratif, the budget update and the forecast units (D5211-16).
	Basis *money.UnitCostBasis `json:"basis,omitempty"`
	// UnitWeights weight typed units (a building permit 1, a development
	// permit 1.2): the units billed are the weighted sum.
	UnitWeights []money.UnitWeight `json:"unit_weights,omitempty"`
}

// SecondmentTerms are the annual cost of a seconded agent, repaid × quotité
// × months / 12 (CGFP L512-11, décret 2008-580).
type SecondmentTerms struct {
	CostLines []money.CostLine `json:"cost_lines"`
	// Quotite is the share of working time at the host; zero takes the
	// convention's.
	Quotite           money.Rat      `json:"quotite"`
	Rounding          money.Rounding `json:"rounding"`
	RoundMonthlyFirst bool           `json:"round_monthly_first,omitempty"`
}

// FixedLine is a fixed price a party owes for each statement.
type FixedLine struct {
	Party  int64       `json:"party"`
	Label  string      `json:"label,omitempty"`
	Amount money.Cents `json:"amount"`
}

// CallsTerms are the calls for funds of a work (maîtrise d'ouvrage): each
// party's share of the estimate, called in instalments, then a final
// statement on the actual cost that calls the balance (or refunds it).
type CallsTerms struct {
	// Estimate is the work's estimated cost (incl. VAT when the parties
	// share it so), shared by Terms.Key.
	Estimate money.Cents `json:"estimate"`
	Calls    []Call      `json:"calls"`
}

// Call is one call for funds: a share of each party's part of the estimate.
type Call struct {
	Label string     `json:"label"` // "1er appel — ordre de service"
	Share money.Rat  `json:"share"` // 30 %
	Due   civil.Date `json:"due,omitzero"`
}

// StatementKind is what a statement is for.
type StatementKind string

// The kinds of statement.
const (
	Periodic StatementKind = "periodic" // the état of a period
	CallKind StatementKind = "call"     // an appel de fonds
	Final    StatementKind = "final"    // the décompte final of calls for funds
)

// Request asks for a statement of a convention.
type Request struct {
	AgreementID int64 `json:"agreement_id"`
	// From and To are the period's first and last days, inclusive. A call
	// for funds is dated From = To = the call's date.
	From  civil.Date `json:"from"`
	To    civil.Date `json:"to"`
	Label string     `json:"label,omitempty"` // "1er semestre 2026"
	// CostLines are the period's expenses, each eligible or excluded: the
	// actual cost shared by the key, the actual cost of a work for the
	// final statement, the expenses of biens indivis.
	CostLines []money.CostLine `json:"cost_lines,omitempty"`
	// Receipts are the receipts of biens indivis; receipts − expenses is
	// the surplus (or deficit) shared between the co-owners.
	Receipts []money.CostLine `json:"receipts,omitempty"`
	// Units, when given, are the units of use instead of the usage records
	// (a pupil count, acts counted outside Voisines).
	Units []UnitEntry `json:"units,omitempty"`
	// Call is the number of the call for funds (1 for the first); Final
	// asks for the final statement instead.
	Call  int  `json:"call,omitempty"`
	Final bool `json:"final,omitempty"`
}

// UnitEntry is a quantity of units used by a party, of a type when the
// units are weighted.
type UnitEntry struct {
	Party int64     `json:"party"`
	Type  string    `json:"type,omitempty"`
	Units money.Rat `json:"units"`
}

// PartyRef identifies a party in a statement: who it is, as titres and
// mandats need it.
type PartyRef struct {
	OrgID       int64             `json:"org_id"`
	Name        string            `json:"name"`
	SIREN       string            `json:"siren,omitempty"`
	Kind        agreement.OrgKind `json:"kind"`
	Role        agreement.Role    `json:"role"`
	CommuneCode string            `json:"commune_code,omitempty"`
	// EPCISIREN is, for a commune, the EPCI à fiscalité propre it belongs
	// to: it decides the accounts (domain.md §7).
	EPCISIREN string `json:"epci_siren,omitempty"`
	// Label is how the computation names the party: its name, with its
	// code when two parties share a name.
	Label string `json:"label"`
}

// Inputs are everything a statement is computed from, resolved: the
// convention's identity, the terms, the request, and the data gathered for
// them (usage units, key figures, earlier calls). Parties are named by
// their Label in the money values. Issuing freezes them with their hash.
type Inputs struct {
	// Request is the request as it was made, to recompute a draft.
	Request   Request                 `json:"request"`
	Agreement AgreementRef            `json:"agreement"`
	Kind      StatementKind           `json:"kind"`
	Call      int                     `json:"call,omitempty"`
	From      civil.Date              `json:"from"`
	To        civil.Date              `json:"to"`
	Label     string                  `json:"label,omitempty"`
	Mode      agreement.FinancialMode `json:"mode"`
	Object    string                  `json:"object"`
	Creditor  PartyRef                `json:"creditor"`
	Parties   []PartyRef              `json:"parties"`
	// Settlement is the terms' settlement: its flows are settled by titre
	// and mandat, or against the attribution de compensation.
	Settlement Settlement `json:"settlement,omitempty"`

	// Mode-specific, with labels for parties.
	Key        *money.Key           `json:"key,omitempty"`
	CostLines  []money.CostLine     `json:"cost_lines,omitempty"`
	Receipts   []money.CostLine     `json:"receipts,omitempty"`
	UnitPrice  *UnitPriceTerms      `json:"unit_price,omitempty"`
	Units      []money.Usage        `json:"units,omitempty"`
	UnitsFrom  string               `json:"units_from,omitempty"` // "usage_records" or "saisie"
	Secondment *money.Secondment    `json:"secondment,omitempty"`
	Fixed      []FixedLine          `json:"fixed,omitempty"`
	Calls      *CallsTerms          `json:"calls,omitempty"`
	PriorCalls []PriorCall          `json:"prior_calls,omitempty"`
	Notes      []string             `json:"notes,omitempty"` // usage left out, and why
	Usage      []UsageTotal         `json:"usage,omitempty"` // the usage records summed
	Figures    map[string]KeySource `json:"figures,omitempty"`
}

// AgreementRef identifies the convention of a statement.
type AgreementRef struct {
	ID        int64          `json:"id"`
	Reference string         `json:"reference"`
	Title     string         `json:"title"`
	Kind      agreement.Kind `json:"kind"`
}

// PriorCall is a call for funds already issued, for the final statement.
type PriorCall struct {
	StatementID int64       `json:"statement_id"`
	Call        int         `json:"call"`
	Party       int64       `json:"party"`
	Amount      money.Cents `json:"amount"`
}

// UsageTotal is the use of one party summed from the usage records of the
// period, as the statement used it.
type UsageTotal struct {
	Party   int64  `json:"party"`
	Unit    string `json:"unit"`
	Type    string `json:"type,omitempty"`
	Milli   int64  `json:"quantity_milli"`
	Records int64  `json:"records"`
}

// KeySource says where figures filled into a key came from ("INSEE,
// populations légales 2026").
type KeySource struct {
	Source  string `json:"source"`
	Vintage string `json:"vintage"`
}

// Line is one party's amount in a statement.
type Line struct {
	OrgID int64  `json:"org_id"`
	Name  string `json:"name"`
	// Amount is what the party owes the creditor for the statement; a
	// negative amount is what the creditor owes the party (a surplus of
	// biens indivis, a refund after a final statement).
	Amount money.Cents `json:"amount"`
	// Own marks the creditor's own share: borne by itself, no flow.
	Own bool `json:"own,omitempty"`
}

// Result is a statement's outcome: each party's amount and how it was
// obtained. Which of the computations is set depends on the mode.
type Result struct {
	Lines []Line `json:"lines"`
	// Total is the sum of the lines, the creditor's own share included.
	Total      money.Cents                `json:"total"`
	Explain    []string                   `json:"explain"`
	UnitCost   *money.UnitCost            `json:"unit_cost,omitempty"`
	Pricing    *money.Pricing             `json:"pricing,omitempty"`
	Allocation *money.Allocation          `json:"allocation,omitempty"`
	Repayment  *money.SecondmentRepayment `json:"repayment,omitempty"`
	// CallSplits split each party's part of the estimate into the calls.
	CallSplits []money.Allocation `json:"call_splits,omitempty"`

	quiet bool // no explanation in words (evaluate)
}

// Status is where a statement stands.
type Status string

// The statuses of a statement.
const (
	Draft  Status = "draft"
	Issued Status = "issued"
)

// Statement is an état: its inputs, its result and its life.
type Statement struct {
	ID          int64 `json:"id"`
	AgreementID int64 `json:"agreement_id"`
	// Number is the statement's number within its convention; its
	// corrections keep it and increase Version (1 for the first).
	Number  int    `json:"number"`
	Version int    `json:"version"`
	Status  Status `json:"status"`
	// Corrects is the statement this one corrects; SupersededBy the issued
	// statement that corrects this one (0 while it is current).
	Corrects     int64  `json:"corrects,omitempty"`
	SupersededBy int64  `json:"superseded_by,omitempty"`
	Reason       string `json:"reason,omitempty"` // why it was corrected
	FiscalYear   int    `json:"fiscal_year"`
	Inputs       Inputs `json:"inputs"`
	// InputsSHA256 is the hex SHA-256 of the Inputs' JSON as stored.
	InputsSHA256 string `json:"inputs_sha256"`
	Result       Result `json:"result"`
	CreatedBy    string `json:"created_by"`
	IssuedBy     string `json:"issued_by,omitempty"`
	// CreatedAt and IssuedAt are instants in UTC.
	CreatedAt time.Time `json:"created_at"`
	IssuedAt  time.Time `json:"issued_at,omitzero"`
}

// Current reports whether s is issued and not corrected.
func (s Statement) Current() bool { return s.Status == Issued && s.SupersededBy == 0 }

// partyKey is how terms name a party in a money.Key: its id in decimal.
func partyKey(orgID int64) string { return strconv.FormatInt(orgID, 10) }
