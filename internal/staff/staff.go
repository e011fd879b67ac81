// Package staff keeps the agents a commune makes available to another
// organisation (mise à disposition individuelle de personnel, CGFP L512-6
// ff., décret 2008-580): the agent's minimal HR record and yearly cost, the
// secondments under their conventions, the time worked at each host, the
// alerts, and the reimbursement the financial engine computes.
//
// # Agents and their cost
//
// An agent belongs to its employer organisation (the administration
// d'origine) and holds a status: titulaire or stagiaire (fonctionnaires),
// or contract staff on an open-ended (cdi) or fixed-term (cdd) contract;
// only cdi contract staff may be seconded (décret 88-145 art. 35-1,
// domain.md §3 H). The agent's annual cost to the employer is kept per
// civil year — gross pay including bonuses, employer contributions and any
// other line, each in integer cents — with the source of the figures
// ("DSN décembre 2025"): the host repays pay and related contributions and
// charges (décret 2008-580).
//
// # Secondments and their convention
//
// A secondment lives under a convention of kind mise_a_disposition_personnel
// (agreement.MADPersonnel) and must agree with it: its employer is the
// convention's administration d'origine, its host one of the convention's
// organismes d'accueil, its quotité the convention's as amended by its last
// avenant, its dates within the convention's. The agent's written consent
// (CGFP L512-7) is not copied: it is the convention's accord_agent approval
// of the home employer, recorded through agreement.Service.RecordApproval
// and read from there. The ledger keeps one set of financial terms per
// convention, so a convention carries one secondment: a second one for the
// same convention (a collective convention) is refused.
//
// # Billing and reimbursement
//
// A secondment is billed either pro rata (annual cost × quotité × months /
// 12, money.Secondment) or in real time: the time worked at the host,
// recorded day by day in whole minutes, × the hourly cost, which is the
// annual cost / the annual hours the secondment states (1,607 h by
// default, the legal working year). Each time record becomes a usage
// record (package usage, source "service", unit "minute") attributed to
// the convention. The convention states which: a secondment billed pro
// rata needs a convention whose financial mode is prorata_remuneration
// (agreement.SalaryProRata), one billed in real time a convention repaid
// at a unit price (agreement.UnitPrice, prix_unitaire); a mismatch is
// refused. Reimburse sets the convention's ledger terms from the agent's
// cost of the period's year — pro rata, the cost lines and the quotité;
// in real time, a unit price whose unit cost is the exact hourly cost
// (annual cost / annual hours, unit "heure"), the hours worked (minutes /
// 60, exact) given with the request, the line rounded half up, so that
// the état reads hours × hourly cost = amount — and drafts the statement;
// the employer then issues it through the ledger. A period lies within one civil year (so at most
// twelve months) and within the secondment, and has begun. The ledger
// keeps one set of terms per convention, so drafts are kept in step with
// what they were computed from: a change of cost, of the secondment or of
// time worked in a drafted period recomputes the draft (only the employer
// may change time in a drafted period; nobody in an issued one), and a
// draft whose terms were since set for another period is refused at issue
// by the ledger until it is computed again. Repayment is mandatory
// between communes; when the
// convention waives it (agreement validation checks the legal cases),
// nothing is billed and Reimburse says so.
//
// # Who sees what
//
// Agents, costs, secondments and time records are personal data. The
// employer's users (auth.ReadPrivate) see its agents; a host's users see
// the agents seconded to it, their secondments to it and their time
// records, and their costs for the years the secondment covers once it
// has started. Anybody else — a user of a commune that is neither employer
// nor host — gets store.ErrNotFound, as if nothing existed. Writes need
// auth.Write on the employer (agents, costs, secondments, reimbursements),
// or on the host or the employer (time records). Every write runs in one
// transaction and is recorded in the audit log.
package staff

import (
	"fmt"
	"strings"
	"time"

	"voisines/internal/agreement"
	"voisines/internal/civil"
	"voisines/internal/ledger"
	"voisines/internal/money"
	"voisines/internal/store"
)

// Service runs the staff operations.
type Service struct {
	db         *store.DB
	agreements *agreement.Service
	ledger     *ledger.Service
	now        func() time.Time
}

// New returns the staff operations over db.
func New(db *store.DB, agreements *agreement.Service, l *ledger.Service) *Service {
	return &Service{db: db, agreements: agreements, ledger: l, now: time.Now}
}

// WithClock returns a copy of s that reads the time from now (tests). The
// agreements and ledger services keep their own clocks.
func (s *Service) WithClock(now func() time.Time) *Service {
	c := *s
	c.now = now
	return &c
}

func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// today is the civil date in Europe/Paris, the "as of" of alerts and of
// what a host may see.
func (s *Service) today() civil.Date { return civil.In(s.now(), civil.Paris) }

// Status is an agent's employment status.
type Status string

// The statuses of an agent.
const (
	Titulaire Status = "titulaire" // fonctionnaire titulaire
	Stagiaire Status = "stagiaire" // fonctionnaire stagiaire
	// CDI is contract staff on an open-ended contract, who may be seconded
	// (décret 88-145 art. 35-1).
	CDI Status = "cdi"
	// CDD is contract staff on a fixed-term contract, who may not.
	CDD Status = "cdd"
)

// Statuses lists every status, in the order of forms.
var Statuses = []Status{Titulaire, Stagiaire, CDI, CDD}

// Valid reports whether st is one of the statuses.
func (st Status) Valid() bool {
	return st == Titulaire || st == Stagiaire || st == CDI || st == CDD
}

// Label is the status's French name.
func (st Status) Label() string {
	switch st {
	case Titulaire:
		return "fonctionnaire titulaire"
	case Stagiaire:
		return "fonctionnaire stagiaire"
	case CDI:
		return "contractuel en CDI"
	case CDD:
		return "contractuel en CDD"
	}
	return string(st)
}

// Agent is an agent of an employer organisation: the HR data a secondment
// needs, nothing more.
type Agent struct {
	ID            int64     `json:"id"`
	EmployerOrgID int64     `json:"employer_org_id"`
	EmployerName  string    `json:"employer_name"`
	FamilyName    string    `json:"family_name"`
	GivenName     string    `json:"given_name"`
	Grade         string    `json:"grade"`
	Status        Status    `json:"status"`
	Version       int64     `json:"version"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// Name returns "Jeanne Dupont".
func (a Agent) Name() string { return strings.TrimSpace(a.GivenName + " " + a.FamilyName) }

// AgentInput is what a user types about an agent.
type AgentInput struct {
	// EmployerOrgID is the employer; it cannot change once the agent is
	// recorded.
	EmployerOrgID int64  `json:"employer_org_id"`
	FamilyName    string `json:"family_name"`
	GivenName     string `json:"given_name"`
	Grade         string `json:"grade"`
	Status        Status `json:"status"`
}

// Cost is an agent's annual cost to its employer for one civil year.
type Cost struct {
	AgentID int64 `json:"agent_id"`
	Year    int   `json:"year"`
	// GrossPay is the gross pay of the year, bonuses included (traitement
	// indiciaire, NBI, IFSE, CIA…).
	GrossPay money.Cents `json:"gross_pay"`
	// EmployerContributions are the employer's contributions and charges
	// (CNRACL or IRCANTEC, URSSAF, CNFPT, centre de gestion…).
	EmployerContributions money.Cents `json:"employer_contributions"`
	// Other are further lines (social action, a vehicle allowance…), each
	// repaid (Eligible) or not, as the convention says.
	Other []money.CostLine `json:"other_lines"`
	// Source says where the figures come from: "DSN décembre 2025".
	Source    string    `json:"source"`
	Version   int64     `json:"version"`
	UpdatedAt time.Time `json:"updated_at"`
}

// CostInput is what a user types about a year's cost.
type CostInput struct {
	GrossPay              money.Cents      `json:"gross_pay"`
	EmployerContributions money.Cents      `json:"employer_contributions"`
	Other                 []money.CostLine `json:"other_lines"`
	Source                string           `json:"source"`
}

// Lines returns the cost as the lines of money.Secondment: gross pay,
// employer contributions, then the other lines.
func (c Cost) Lines() []money.CostLine {
	lines := []money.CostLine{
		{Label: fmt.Sprintf("Rémunération brute %d (traitement et primes)", c.Year), Amount: c.GrossPay, Eligible: true},
		{Label: fmt.Sprintf("Cotisations et charges patronales %d", c.Year), Amount: c.EmployerContributions, Eligible: true},
	}
	return append(lines, c.Other...)
}

// Total returns the annual cost repaid: the sum of the eligible lines.
func (c Cost) Total() money.Cents {
	var t money.Cents
	for _, l := range c.Lines() {
		if l.Eligible {
			t += l.Amount // bounded by checkCost
		}
	}
	return t
}

// Billing is how a secondment is billed to the host.
type Billing string

// The billing modes.
const (
	// ProRata bills the annual cost × quotité × months / 12.
	ProRata Billing = "prorata"
	// RealTime bills the time worked × the hourly cost.
	RealTime Billing = "temps_reel"
)

// Valid reports whether b is one of the modes.
func (b Billing) Valid() bool { return b == ProRata || b == RealTime }

// Label is the mode's French wording.
func (b Billing) Label() string {
	switch b {
	case ProRata:
		return "au prorata de la quotité et des mois"
	case RealTime:
		return "au temps réellement effectué"
	}
	return string(b)
}

// Mode returns the financial mode of the convention b needs, which the
// ledger computes with: a unit price for real time (hours worked × hourly
// cost), the pay pro rata of the quotité otherwise.
func (b Billing) Mode() agreement.FinancialMode {
	if b == RealTime {
		return agreement.UnitPrice
	}
	return agreement.SalaryProRata
}

// DefaultAnnualHours is the legal working year of a full-time agent,
// 1,607 hours (décret 2000-815 art. 1, applied to the territorial civil
// service by décret 2001-623), which turns an annual cost into an hourly
// cost unless the secondment states another figure.
const DefaultAnnualHours = 1607

// Secondment is an agent made available to a host under a convention.
type Secondment struct {
	ID                 int64  `json:"id"`
	AgreementID        int64  `json:"agreement_id"`
	AgreementReference string `json:"agreement_reference"`
	AgreementTitle     string `json:"agreement_title"`
	AgentID            int64  `json:"agent_id"`
	AgentName          string `json:"agent_name"`
	EmployerOrgID      int64  `json:"employer_org_id"`
	EmployerName       string `json:"employer_name"`
	HostOrgID          int64  `json:"host_org_id"`
	HostName           string `json:"host_name"`
	// Quotite is the share of the agent's working time at the host,
	// exact: 30/100, or 14/35 for fourteen hours a week.
	Quotite agreement.Fraction `json:"quotite"`
	// Start and End are the first and last days of the secondment.
	Start      civil.Date `json:"start"`
	End        civil.Date `json:"end"`
	Activities string     `json:"activities"`
	// ArreteReference and ArreteDate identify the employer's arrêté of
	// mise à disposition (décret 2008-580).
	ArreteReference string     `json:"arrete_reference"`
	ArreteDate      civil.Date `json:"arrete_date"`
	Billing         Billing    `json:"billing"`
	// AnnualHours turns the annual cost into an hourly cost when billing
	// in real time.
	AnnualHours int64     `json:"annual_hours"`
	Version     int64     `json:"version"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// SecondmentInput is what a user types about a secondment. Zero values take
// the convention's: its only host, its quotité, its start and last day.
type SecondmentInput struct {
	AgreementID     int64              `json:"agreement_id"`
	AgentID         int64              `json:"agent_id"`
	HostOrgID       int64              `json:"host_org_id"`
	Quotite         agreement.Fraction `json:"quotite"`
	Start           civil.Date         `json:"start"`
	End             civil.Date         `json:"end"`
	Activities      string             `json:"activities"`
	ArreteReference string             `json:"arrete_reference"`
	ArreteDate      civil.Date         `json:"arrete_date"`
	Billing         Billing            `json:"billing"`
	// AnnualHours is 1,607 (DefaultAnnualHours) when 0.
	AnnualHours int64 `json:"annual_hours"`
}

// HourlyCost returns the hourly cost of an annual cost over the
// secondment's annual hours, in cents per hour, exact.
func (s Secondment) HourlyCost(annual money.Cents) money.Rat {
	return annual.Rat().Quo(money.IntRat(s.AnnualHours))
}

// TimeRecord is time an agent worked at the host on one day.
type TimeRecord struct {
	ID           int64      `json:"id"`
	SecondmentID int64      `json:"secondment_id"`
	Date         civil.Date `json:"date"`
	Minutes      int64      `json:"minutes"`
	Activity     string     `json:"activity"`
	Note         string     `json:"note"`
	// EnteredByOrgID is the organisation (host or employer) whose user
	// entered the record.
	EnteredByOrgID int64     `json:"entered_by_org_id"`
	Version        int64     `json:"version"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
	CreatedBy      string    `json:"created_by"`
}

// TimeInput is what a user types about time worked. ByOrgID is the
// organisation the user enters it for, host or employer; 0 takes the first
// of them the user may write for.
type TimeInput struct {
	Date     civil.Date `json:"date"`
	Minutes  int64      `json:"minutes"`
	Activity string     `json:"activity"`
	Note     string     `json:"note"`
	ByOrgID  int64      `json:"by_org_id,omitempty"`
}

// UsageUnit is the unit of the usage records of time worked: minutes,
// whole, so that a record's quantity is exact in thousandths.
const UsageUnit = "minute"

// HourUnit is the unit real time is billed in: the ledger's unit price is
// the hourly cost, and the units the hours worked (minutes / 60, exact).
const HourUnit = "heure"

// usageRef is the usage record's SourceRef of time record id.
func usageRef(id int64) string { return fmt.Sprintf("staff-time/%d", id) }

// Period is the period a reimbursement covers, within one civil year.
type Period struct {
	From  civil.Date `json:"from"`
	To    civil.Date `json:"to"`
	Label string     `json:"label,omitempty"`
}

// Reimbursement is a reimbursement computed for a secondment and a
// period: the ledger statement drafted (or issued since) and the basis it
// was computed from.
type Reimbursement struct {
	ID           int64      `json:"id"`
	SecondmentID int64      `json:"secondment_id"`
	StatementID  int64      `json:"statement_id"`
	From         civil.Date `json:"from"`
	To           civil.Date `json:"to"`
	Label        string     `json:"label,omitempty"`
	Billing      Billing    `json:"billing"`
	CostYear     int        `json:"cost_year"`
	// AnnualCost is the agent's annual cost of CostYear that was repaid.
	AnnualCost money.Cents `json:"annual_cost"`
	// Quotite is the convention's quotité (for real time, for the record:
	// the hours worked are billed, not the quotité).
	Quotite     money.Rat `json:"quotite"`
	Minutes     int64     `json:"minutes"`
	AnnualHours int64     `json:"annual_hours"`
	// Amount is the statement's total: what the host owes the employer.
	Amount money.Cents `json:"amount"`
	// StatementStatus is where the statement stands now (draft or issued).
	StatementStatus ledger.Status `json:"statement_status"`
	ComputedAt      time.Time     `json:"computed_at"`
	ComputedBy      string        `json:"computed_by"`
}

// HourlyCost returns the hourly cost used in real time: the annual cost
// over the annual hours, in cents per hour.
func (r Reimbursement) HourlyCost() money.Rat {
	if r.AnnualHours == 0 {
		return money.Rat{}
	}
	return r.AnnualCost.Rat().Quo(money.IntRat(r.AnnualHours))
}

// Act is an act of the home employer recorded on the convention as one of
// its approvals: the agent's written agreement (accord_agent, CGFP
// L512-7) or the arrêté of mise à disposition (arrete, décret 2008-580).
type Act struct {
	Date      civil.Date `json:"date"`
	Reference string     `json:"reference"`
	// Amendment is the avenant whose approvals hold it, 0 for the
	// convention's own.
	Amendment int `json:"amendment,omitempty"`
}

// FormatMinutes writes a duration the French way: "7 h 30", "45 min", "8 h".
func FormatMinutes(m int64) string {
	h, min := m/60, m%60
	switch {
	case h == 0:
		return fmt.Sprintf("%d\u00a0min", min)
	case min == 0:
		return fmt.Sprintf("%d\u00a0h", h)
	}
	return fmt.Sprintf("%d\u00a0h\u00a0%02d", h, min)
}
