// Package purchasing keeps the purchasing groups (groupement de commandes,
// CCP L2113-6 to L2113-8): the coordinator and members under the convention
// constitutive, the lots and each member's needs, the procedure the
// aggregated value calls for under the thresholds in force on the launch
// date, the award, each member's savings, and the split of the procedure's
// costs through the financial engine.
//
// # The group and its members
//
// A group belongs to one convention of kind groupement_commandes: its
// coordinator is the party holding the role coordonnateur, its members every
// current party holding coordonnateur or membre (read from the convention, so
// that an avenant adding a member is seen at once). The coordinator creates
// the group, describes the lots (label, CPV code, nature, duration, framework
// agreement or not), launches the procedure, records the award and splits the
// procedure costs (auth.Write on the coordinator). Each member enters its own
// needs per lot and the price it paid before for the same needs (auth.Write
// on the member); the coordinator may enter them on a member's behalf.
//
// # What each user sees
//
// A group exists only for the users of its members (and platform admins):
// anyone else gets store.ErrNotFound, and the list of an organisation's
// groups answers auth.ErrForbidden to a non-member. The coordinator sees
// everything. A member sees the lots, their aggregated needs, the group's
// procedure and the suppliers, but only its own needs per lot, its own
// previous prices, its own would-be procedure alone, its own awarded prices
// and its own savings.
//
// The split of the procedure costs is the exception, by design: its basis
// is shared between the parties to the convention. Once the coordinator
// splits the costs (SplitCosts, after launch), the convention's financial
// terms carry a key with each member's total needs over every lot (not per
// lot), and the statement each member's share. Both are the convention's,
// readable by every party as the ledger shows any convention's terms and
// statements: the members signed the key together (domain.md §4, financial
// terms of a groupement: the cost of the procedure), each member's share is
// proportional to its figure so showing the shares shows the figures, and a
// debtor can only check its share to the cent (largest remainder) against
// every figure. What stays private is what the split does not need: each
// member's needs per lot, previous prices, awarded prices and savings.
// Before the split no member sees another's needs in any form, and users of
// organisations that are not parties see nothing at any time.
//
// # The procedure
//
// The value that decides the procedure is that of the whole purchase (CCP
// R2121-1: every lot, the whole duration, options and renewals included),
// that is the sum of every member's needs, since the group awards one joint
// procedure (domain.md §3 I). The thresholds are those in force on the launch
// date (thresholds.csv, a dated table with sources; a date it does not cover
// is an error, not a guess), for the nature of the purchase's main object:
// the nature chosen by the coordinator, or else the nature whose lots carry
// the largest share of the value (CCP L1111-5: services rather than supplies
// when the services are worth more; the same rule is applied to works, a
// simplification of L1111-2 which looks at the main object), ties going to
// works, then services, then supplies. The procedure computed on launch is
// stored with the thresholds it applied, so that it can be shown years later
// as it was decided.
//
// # Freezing
//
// Launch refuses a group whose convention is not signed by every signatory,
// or one of whose members has not deliberated, on or before the launch date
// (CCP L2113-7; domain.md §11). After launch the lots and needs no longer
// change (a validate error), only the previous prices and the award.
package purchasing

import (
	"slices"
	"time"

	"voisines/internal/agreement"
	"voisines/internal/auth"
	"voisines/internal/civil"
	"voisines/internal/ledger"
	"voisines/internal/money"
	"voisines/internal/store"
)

// Service runs the purchasing-group operations.
type Service struct {
	db         *store.DB
	agreements *agreement.Service
	ledger     *ledger.Service
	table      Table
	now        func() time.Time
}

// New returns the purchasing-group operations over db, with the thresholds
// shipped in thresholds.csv.
func New(db *store.DB, agreements *agreement.Service, l *ledger.Service) *Service {
	return &Service{db: db, agreements: agreements, ledger: l, table: Thresholds(), now: time.Now}
}

// WithClock returns a copy of s that reads the time from now (tests).
func (s *Service) WithClock(now func() time.Time) *Service {
	c := *s
	c.now = now
	return &c
}

// today is the civil date in Europe/Paris.
func (s *Service) today() civil.Date { return civil.In(s.now(), civil.Paris) }

func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// Thresholds returns the service's table of thresholds.
func (s *Service) Thresholds() Table { return slices.Clone(s.table) }

// Status is where a group stands.
type Status string

// The statuses of a group.
const (
	// Preparing: lots and needs are being gathered.
	Preparing Status = "preparing"
	// Launched: the consultation is launched; needs are frozen.
	Launched Status = "launched"
)

// Label is the status in French.
func (s Status) Label() string {
	if s == Launched {
		return "procédure lancée"
	}
	return "en préparation"
}

// Group is a purchasing group under its convention constitutive.
type Group struct {
	ID                 int64            `json:"id"`
	AgreementID        int64            `json:"agreement_id"`
	AgreementReference string           `json:"agreement_reference"`
	AgreementTitle     string           `json:"agreement_title"`
	AgreementStatus    agreement.Status `json:"agreement_status"`
	Title              string           `json:"title"`
	// MainNature is the nature of the purchase's main object as the
	// coordinator chose it; empty lets the value of the lots decide.
	MainNature Nature     `json:"main_nature,omitempty"`
	Status     Status     `json:"status"`
	LaunchDate civil.Date `json:"launch_date,omitzero"`
	// Procedure is the procedure computed on launch, with the thresholds it
	// applied; nil before launch.
	Procedure   *Procedure `json:"procedure,omitempty"`
	Coordinator Member     `json:"coordinator"`
	// Members are every member, the coordinator first.
	Members []Member `json:"members"`
	Lots    []Lot    `json:"lots"`
	// Needs are the needs the viewer may see: all of them for the
	// coordinator, its own for a member.
	Needs  []Need  `json:"needs"`
	Awards []Award `json:"awards"`
	// Rights say what the viewer may do.
	Rights    Rights    `json:"rights"`
	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Rights are what the viewer of a group may do.
type Rights struct {
	// Coordinator: the viewer reads as the coordinator (all needs, prices,
	// savings).
	Coordinator bool `json:"coordinator"`
	// Manage: the viewer writes for the coordinator (lots, launch, award,
	// costs).
	Manage bool `json:"manage"`
	// NeedsFor are the members whose needs the viewer may write.
	NeedsFor []int64 `json:"needs_for"`
}

// Member is a party of the group's convention.
type Member struct {
	OrgID       int64             `json:"org_id"`
	Name        string            `json:"name"`
	SIREN       string            `json:"siren,omitempty"`
	CommuneCode string            `json:"commune_code,omitempty"`
	Kind        agreement.OrgKind `json:"kind"`
	Role        agreement.Role    `json:"role"`
}

// LocalPublic reports whether the member is a local authority or a local
// public body (collectivité territoriale or établissement public local), as
// CGCT L1414-3 counts them.
func (m Member) LocalPublic() bool {
	switch m.Kind {
	case agreement.Commune, agreement.Departement, agreement.Region, agreement.EPCI, agreement.SyndicatCommunes,
		agreement.SyndicatMixte, agreement.CommissionSyndicale, agreement.EPARattache:
		return true
	}
	return false
}

// Member returns the member of organisation orgID.
func (g Group) Member(orgID int64) (Member, bool) {
	i := slices.IndexFunc(g.Members, func(m Member) bool { return m.OrgID == orgID })
	if i < 0 {
		return Member{}, false
	}
	return g.Members[i], true
}

// Lot is one lot of the purchase.
type Lot struct {
	ID     int64  `json:"id"`
	Number int    `json:"number"`
	Label  string `json:"label"`
	// CPV is the main code of the Common Procurement Vocabulary,
	// "39830000-9" (or its eight digits alone).
	CPV    string `json:"cpv"`
	Nature Nature `json:"nature"`
	// DurationMonths is the contract's whole duration, renewals included.
	DurationMonths int  `json:"duration_months"`
	Framework      bool `json:"framework"` // accord-cadre
	// Total is the sum of every member's needs in the lot (excl. VAT, whole
	// duration), visible to every member.
	Total money.Cents `json:"total"`
}

// LotInput is what the coordinator writes about a lot.
type LotInput struct {
	Label          string `json:"label"`
	CPV            string `json:"cpv"`
	Nature         Nature `json:"nature"`
	DurationMonths int    `json:"duration_months"`
	Framework      bool   `json:"framework"`
}

// Need is a member's estimated need in a lot over the contract's whole
// duration, excl. VAT.
type Need struct {
	LotID  int64       `json:"lot_id"`
	OrgID  int64       `json:"org_id"`
	Amount money.Cents `json:"amount"`
	// Yearly and Years are set when the need was entered as a yearly
	// amount: Amount = Yearly × Years.
	Yearly *money.Cents `json:"yearly,omitempty"`
	Years  int          `json:"years,omitempty"`
	// PreviousCost is what the member states it paid before for the same
	// needs (same scope and duration), for its savings; visible to the
	// member and the coordinator only.
	PreviousCost *money.Cents `json:"previous_cost,omitempty"`
	Version      int64        `json:"version"`
	UpdatedAt    time.Time    `json:"updated_at"`
	UpdatedBy    string       `json:"updated_by"`
}

// Award is the award of a lot: the supplier and each member's price.
type Award struct {
	LotID         int64      `json:"lot_id"`
	Supplier      string     `json:"supplier"`
	SupplierSIREN string     `json:"supplier_siren,omitempty"`
	AwardedOn     civil.Date `json:"awarded_on"`
	// UnitPrices are the contract's unit prices, when members' prices are
	// unit prices × their quantities.
	UnitPrices []UnitPrice `json:"unit_prices,omitempty"`
	// Prices are each member's price for its needs in the lot (the viewer's
	// own only, unless the viewer is the coordinator).
	Prices    []MemberPrice `json:"prices"`
	Version   int64         `json:"version"`
	UpdatedAt time.Time     `json:"updated_at"`
}

// UnitPrice is the price excl. VAT of one unit of an item.
type UnitPrice struct {
	Item  string      `json:"item"`
	Price money.Cents `json:"price"`
}

// MemberPrice is a member's price in an award: an amount, or quantities
// priced at the unit prices.
type MemberPrice struct {
	OrgID      int64       `json:"org_id"`
	Amount     money.Cents `json:"amount"`
	Quantities []Quantity  `json:"quantities,omitempty"`
}

// Quantity is a whole number of units of an item.
type Quantity struct {
	Item     string `json:"item"`
	Quantity int64  `json:"quantity"`
}

// Summary is a group as lists show it.
type Summary struct {
	ID                 int64      `json:"id"`
	Title              string     `json:"title"`
	AgreementID        int64      `json:"agreement_id"`
	AgreementReference string     `json:"agreement_reference"`
	Coordinator        string     `json:"coordinator"`
	CoordinatorID      int64      `json:"coordinator_id"`
	Status             Status     `json:"status"`
	LaunchDate         civil.Date `json:"launch_date,omitzero"`
	// Procedure is the kind of procedure decided on launch.
	Procedure ProcedureKind `json:"procedure,omitempty"`
	Lots      int           `json:"lots"`
}

// viewer is what an actor is to a group.
type viewer struct {
	admin       bool
	coordinator bool    // a user of the coordinator (any role)
	orgs        []int64 // the members the actor is a user of
}

// sees reports whether the viewer sees the private data of member orgID.
func (v viewer) sees(orgID int64) bool {
	return v.admin || v.coordinator || slices.Contains(v.orgs, orgID)
}

func viewerOf(actor auth.Actor, g Group) (viewer, bool) {
	if actor.PlatformAdmin() {
		return viewer{admin: true, coordinator: true}, true
	}
	if actor.User == nil || actor.User.Disabled {
		return viewer{}, false
	}
	var v viewer
	for _, m := range actor.User.Memberships {
		if _, ok := g.Member(m.OrgID); ok && !slices.Contains(v.orgs, m.OrgID) {
			v.orgs = append(v.orgs, m.OrgID)
			if m.OrgID == g.Coordinator.OrgID {
				v.coordinator = true
			}
		}
	}
	return v, len(v.orgs) > 0
}

// redact returns g as viewer v may see it, with v's rights.
func (g Group) redact(actor auth.Actor, v viewer) Group {
	out := g
	out.Needs = nil
	for _, n := range g.Needs {
		if v.sees(n.OrgID) {
			out.Needs = append(out.Needs, n)
		}
	}
	out.Awards = nil
	for _, a := range g.Awards {
		a.Prices = slices.DeleteFunc(slices.Clone(a.Prices), func(p MemberPrice) bool { return !v.sees(p.OrgID) })
		out.Awards = append(out.Awards, a)
	}
	if g.Procedure != nil {
		p := *g.Procedure
		p.Alone = slices.DeleteFunc(slices.Clone(p.Alone), func(a Alone) bool { return !v.sees(a.OrgID) })
		out.Procedure = &p
	}
	out.Rights = Rights{Coordinator: v.coordinator, Manage: auth.Authorize(actor, auth.Write, g.Coordinator.OrgID) == nil}
	for _, m := range g.Members {
		if out.Rights.Manage || auth.Authorize(actor, auth.Write, m.OrgID) == nil {
			out.Rights.NeedsFor = append(out.Rights.NeedsFor, m.OrgID)
		}
	}
	if out.Needs == nil {
		out.Needs = []Need{}
	}
	if out.Awards == nil {
		out.Awards = []Award{}
	}
	if out.Lots == nil {
		out.Lots = []Lot{}
	}
	return out
}

// Lot returns the lot with that id.
func (g Group) Lot(id int64) (Lot, bool) {
	i := slices.IndexFunc(g.Lots, func(l Lot) bool { return l.ID == id })
	if i < 0 {
		return Lot{}, false
	}
	return g.Lots[i], true
}

// Need returns the need of member orgID in lot lotID, as the viewer sees it.
func (g Group) Need(lotID, orgID int64) (Need, bool) {
	i := slices.IndexFunc(g.Needs, func(n Need) bool { return n.LotID == lotID && n.OrgID == orgID })
	if i < 0 {
		return Need{}, false
	}
	return g.Needs[i], true
}

// Award returns the award of lot lotID.
func (g Group) Award(lotID int64) (Award, bool) {
	i := slices.IndexFunc(g.Awards, func(a Award) bool { return a.LotID == lotID })
	if i < 0 {
		return Award{}, false
	}
	return g.Awards[i], true
}

// Total returns the aggregated value of the needs of every member in every
// lot (the viewer sees it whatever lines it may read).
func (g Group) Total() money.Cents {
	var t money.Cents
	for _, l := range g.Lots {
		t += l.Total
	}
	return t
}
