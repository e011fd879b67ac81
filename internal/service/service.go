// Package service keeps the shared services one organisation runs for
// others — mise à disposition de services (CGCT L5211-4-1, D5211-16),
// services under L5111-1-1 and R5111-1 including the service unifié, and
// services communs (L5211-4-2): their unit of work, yearly cost lines, the
// unit cost and its notification, the usage of each beneficiary, and the
// periodic statements the financial engine computes from them.
//
// # One service per convention
//
// A service is run under one convention of a kind listed in Kinds. Its
// provider is the party holding the creditor role of that kind
// (ledger.CreditorRole: the commune of an ascending mise à disposition, the
// EPCI of a descending one, the party carrying a service unifié, the
// manager of a service commun); its beneficiaries are the other parties
// that bear the cost. How it is billed is what the convention states
// (agreement.Financial.Mode): unit price — the D5211-16 unit cost × the
// units recorded — or the actual cost allocated by the units recorded.
//
// # Money
//
// Nothing here computes an amount by itself: the unit cost is
// money.ServiceUnitCost over the year's cost lines, and statements are the
// ledger's, drafted from terms this package builds from the service
// (Terms). A statement is thus computed, frozen and turned into gross flows
// exactly like every other convention's.
//
// # Who may do what
//
// Users of the convention's parties (provider and beneficiaries) and
// platform admins read the service, its cost lines and unit cost; anyone
// else gets store.ErrNotFound. Only the provider writes (auth.Write on it):
// the service, its years, notifications, usage and statements. A
// beneficiary reads its own usage lines only, never another's. Every write
// is in the audit log.
package service

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"voisines/internal/agreement"
	"voisines/internal/audit"
	"voisines/internal/auth"
	"voisines/internal/civil"
	"voisines/internal/csvin"
	"voisines/internal/ledger"
	"voisines/internal/money"
	"voisines/internal/org"
	"voisines/internal/store"
	"voisines/internal/usage"
	"voisines/internal/validate"
)

// Manager runs the shared-service operations.
type Manager struct {
	db         *store.DB
	agreements *agreement.Service
	ledger     *ledger.Service
	orgs       *org.Service // resolves the codes of a usage file
	now        func() time.Time
}

// New returns the shared-service operations over db; agreements and l are
// the conventions and the financial engine over the same database.
func New(db *store.DB, agreements *agreement.Service, l *ledger.Service) *Manager {
	return &Manager{db: db, agreements: agreements, ledger: l, orgs: org.New(db), now: time.Now}
}

// WithClock returns a copy of m that reads the time from now (tests). The
// conventions and ledger services keep their own clocks: give them the
// same one.
func (m *Manager) WithClock(now func() time.Time) *Manager {
	c := *m
	c.now = now
	return &c
}

func (m *Manager) clock() time.Time { return m.now().UTC().Truncate(time.Microsecond) }

// today is the civil date in Europe/Paris.
func (m *Manager) today() civil.Date { return civil.In(m.now(), civil.Paris) }

// Kinds are the kinds of convention under which a shared service runs.
var Kinds = []agreement.Kind{
	agreement.MADServicesAscendante, agreement.MADServicesDescendante,
	agreement.MADServiceL5111, agreement.ServiceUnifie, agreement.ServiceCommun,
}

// IsServiceKind reports whether a convention of kind k can carry a shared
// service.
func IsServiceKind(k agreement.Kind) bool { return slices.Contains(Kinds, k) }

// Unit is a service's unit of work: what its usage is counted in.
type Unit string

// The units of work.
const (
	Hour         Unit = "hour"
	Act          Unit = "act" // an act weighted by its type (a building permit, a prior declaration…)
	Km           Unit = "km"
	Intervention Unit = "intervention"
)

// Units lists the units of work, in the order of the forms.
var Units = []Unit{Hour, Act, Km, Intervention}

// Valid reports whether u is one of the units.
func (u Unit) Valid() bool { return slices.Contains(Units, u) }

// Label is the unit's French name, as statements bill it.
func (u Unit) Label() string {
	switch u {
	case Hour:
		return "heure"
	case Act:
		return "acte pondéré"
	case Km:
		return "kilomètre"
	case Intervention:
		return "intervention"
	}
	return string(u)
}

// UsageUnit is the unit of the usage records of a service counting in u
// (usage.Entry.Unit).
func (u Unit) UsageUnit() string {
	switch u {
	case Hour:
		return usage.UnitHour
	case Act:
		return "acte"
	}
	return string(u)
}

// Billing is how a service is billed, as its convention states.
type Billing string

// The billing modes.
const (
	// UnitPriceBilling bills the units recorded at the year's unit cost
	// (D5211-16, R5111-1), each line rounded as the convention says.
	UnitPriceBilling Billing = "unit_price"
	// ActualCostBilling allocates the actual cost by the units recorded,
	// to the cent by the largest remainder.
	ActualCostBilling Billing = "actual_cost"
	// NoBilling: the convention provides no repayment.
	NoBilling Billing = "none"
)

// BillingOf returns the billing of a convention's financial mode.
func BillingOf(mode agreement.FinancialMode) Billing {
	switch mode {
	case agreement.UnitPrice:
		return UnitPriceBilling
	case agreement.ActualCostByKey:
		return ActualCostBilling
	}
	return NoBilling
}

// Label is the billing's French name.
func (b Billing) Label() string {
	switch b {
	case UnitPriceBilling:
		return "coût unitaire × unités constatées"
	case ActualCostBilling:
		return "coût réel réparti au prorata des unités constatées"
	}
	return "aucun remboursement"
}

// ActWeight is the weight of one type of act in a service counting
// weighted acts: a building permit (PC) 1, a development permit (PA) 1.2.
type ActWeight struct {
	// Type is the act's code, as usage records and imports name it.
	Type  string `json:"type"`
	Label string `json:"label,omitempty"`
	// Weight is exact: "6/5", or typed "1,2".
	Weight money.Rat `json:"weight"`
}

// Party is a party of a service's convention: its provider or a
// beneficiary.
type Party struct {
	OrgID int64             `json:"org_id"`
	Name  string            `json:"name"`
	Kind  agreement.OrgKind `json:"kind"`
	Role  agreement.Role    `json:"role"`
	// CommuneCode (INSEE) and SIREN are how files name it.
	CommuneCode string `json:"commune_code,omitempty"`
	SIREN       string `json:"siren,omitempty"`
	// FPU is set for an EPCI with fiscalité professionnelle unique.
	FPU bool `json:"fpu,omitempty"`
}

// Service is a shared service as stored, with what its convention says.
type Service struct {
	ID          int64  `json:"id"`
	AgreementID int64  `json:"agreement_id"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Unit        Unit   `json:"unit"`
	// Weights are the act weights of a service counting acts, in order.
	Weights []ActWeight `json:"weights,omitempty"`
	// Rounding rounds each billed line (and the unit cost when
	// RoundUnitCostFirst), as the convention says.
	Rounding           money.Rounding `json:"rounding"`
	RoundUnitCostFirst bool           `json:"round_unit_cost_first"`
	// ChargeAgainstAC charges the service against the attribution de
	// compensation (service commun of an EPCI with FPU, CGCT L5211-4-2):
	// "imputé sur l'attribution de compensation".
	ChargeAgainstAC bool      `json:"charge_against_ac"`
	Version         int64     `json:"version"`
	CreatedAt       time.Time `json:"created_at"`
	UpdatedAt       time.Time `json:"updated_at"`

	// From the convention.
	AgreementReference string           `json:"agreement_reference"`
	AgreementTitle     string           `json:"agreement_title"`
	Kind               agreement.Kind   `json:"kind"`
	AgreementStatus    agreement.Status `json:"agreement_status"`
	Billing            Billing          `json:"billing"`
	// PeriodMonths is the longest period of a statement the convention
	// states (at most 12), 0 when it says nothing.
	PeriodMonths  int     `json:"period_months,omitempty"`
	Provider      Party   `json:"provider"`
	Beneficiaries []Party `json:"beneficiaries"`
	// Start and End are the convention's first and last days of
	// application; zero when open.
	Start civil.Date `json:"start,omitzero"`
	End   civil.Date `json:"end,omitzero"`
	// SignedOn is the day the convention was concluded; zero while a
	// signature is missing.
	SignedOn civil.Date `json:"signed_on,omitzero"`
}

// Code is how a page names the party: its INSEE code, else its SIREN.
func (p Party) Code() string {
	if p.CommuneCode != "" {
		return p.CommuneCode
	}
	return p.SIREN
}

// Beneficiary returns the beneficiary party org.
func (s Service) Beneficiary(org int64) (Party, bool) {
	for _, p := range s.Beneficiaries {
		if p.OrgID == org {
			return p, true
		}
	}
	return Party{}, false
}

// Weight returns the weight of act type typ.
func (s Service) Weight(typ string) (ActWeight, bool) {
	for _, w := range s.Weights {
		if w.Type == typ {
			return w, true
		}
	}
	return ActWeight{}, false
}

// Details are what the provider says about its service.
type Details struct {
	Name        string      `json:"name"`
	Description string      `json:"description,omitempty"`
	Unit        Unit        `json:"unit"`
	Weights     []ActWeight `json:"weights,omitempty"`
	// Rounding defaults to HALF_UP.
	Rounding           money.Rounding `json:"rounding,omitempty"`
	RoundUnitCostFirst bool           `json:"round_unit_cost_first,omitempty"`
	// ChargeAgainstAC, when nil, follows the convention
	// (agreement.ServiceCommunTerms.ChargeAgainstAC).
	ChargeAgainstAC *bool `json:"charge_against_ac,omitempty"`
}

// fail wraps err for the operation, except the errors faces render as they
// are: validation errors and import errors.
func fail(op string, err error) error {
	var ie csvin.Errors
	if _, ok := validate.As(err); ok || errors.As(err, &ie) {
		return err
	}
	return fmt.Errorf("service: %s: %w", op, err)
}

var actCode = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.\-]{0,19}$`)

// check validates d for a service under convention rec and returns it
// cleaned up, with ChargeAgainstAC resolved.
func (d Details) check(rec agreement.Record) (Details, error) {
	var errs validate.Errors
	d.Name, d.Description = strings.TrimSpace(d.Name), strings.TrimSpace(d.Description)
	if d.Name == "" {
		errs.Add("name", "le nom du service est obligatoire (par exemple « Service voirie »)")
	}
	errs.Check(validate.MaxLen("name", d.Name, 200))
	errs.Check(validate.MaxLen("description", d.Description, 2000))
	if d.Rounding == "" {
		d.Rounding = money.RoundHalfUp
	}
	if !d.Rounding.Valid() {
		errs.Add("rounding", "%s n'est pas un arrondi connu (HALF_UP, HALF_EVEN, DOWN, UP)", validate.Quote(string(d.Rounding)))
	}
	switch {
	case !d.Unit.Valid():
		errs.Add("unit", "choisissez l'unité d'œuvre : heure, acte pondéré, kilomètre ou intervention")
	case d.Unit == Act && len(d.Weights) == 0:
		errs.Add("weights", "un service qui compte des actes a une table de pondération (par exemple PC 1 ; PA 1,2 ; DP 0,7 ; CUb 0,4)")
	case d.Unit != Act && len(d.Weights) > 0:
		errs.Add("weights", "seul un service qui compte des actes pondère ses unités par type")
	}
	seen := map[string]bool{}
	for i, w := range d.Weights {
		f := fmt.Sprintf("weights[%d]", i)
		w.Type, w.Label = strings.TrimSpace(w.Type), strings.TrimSpace(w.Label)
		d.Weights[i] = w
		switch {
		case !actCode.MatchString(w.Type):
			errs.Add(f+".type", "le code du type d'acte %s doit compter 1 à 20 lettres, chiffres, points, tirets ou soulignés (ex. PC, DP, CUb)", validate.Quote(w.Type))
		case seen[strings.ToLower(w.Type)]:
			errs.Add(f+".type", "le type d'acte %s est cité deux fois", validate.Quote(w.Type))
		}
		seen[strings.ToLower(w.Type)] = true
		if w.Weight.Sign() <= 0 {
			errs.Add(f+".weight", "le poids de l'acte %s doit être positif", validate.Quote(w.Type))
		}
		errs.Check(validate.MaxLen(f+".label", w.Label, 100))
	}
	if len(d.Weights) > 50 {
		errs.Add("weights", "une table de pondération compte au plus 50 types d'actes")
	}
	if len(d.Weights) == 0 {
		d.Weights = nil
	}
	a := rec.Agreement
	if d.ChargeAgainstAC == nil {
		v := a.Kind == agreement.ServiceCommun && a.ServiceCommun.ChargeAgainstAC
		d.ChargeAgainstAC = &v
	}
	if *d.ChargeAgainstAC {
		errs.Check(checkChargeAgainstAC(a))
	}
	return d, errs.Err()
}

// checkChargeAgainstAC says why a service under a cannot be charged
// against the attribution de compensation, or nil when it can: a service
// commun (CGCT L5211-4-2) of an EPCI with fiscalité professionnelle unique
// (CGI 1609 nonies C), whose convention provides for it.
func checkChargeAgainstAC(a agreement.Agreement) error {
	const field = "charge_against_ac"
	if a.Kind != agreement.ServiceCommun {
		return validate.FieldError{Field: field, Message: fmt.Sprintf(
			"seul un service commun peut être imputé sur l'attribution de compensation (CGCT L5211-4-2) ; cette convention est une « %s »",
			a.Kind.Label())}
	}
	var epci *agreement.Party
	for i, p := range a.Parties {
		if p.Kind == agreement.EPCI {
			epci = &a.Parties[i]
			break
		}
	}
	switch {
	case epci == nil:
		return validate.FieldError{Field: field, Message: "l'imputation sur l'attribution de compensation suppose un EPCI à fiscalité professionnelle unique parmi les parties du service commun"}
	case !epci.FPU:
		return validate.FieldError{Field: field, Message: fmt.Sprintf(
			"%s n'est pas à fiscalité professionnelle unique : il ne verse pas d'attribution de compensation sur laquelle imputer le service commun (CGCT L5211-4-2, CGI 1609 nonies C)",
			epci.Name)}
	case !a.ServiceCommun.ChargeAgainstAC:
		return validate.FieldError{Field: field, Message: "la convention ne prévoit pas l'imputation du service commun sur l'attribution de compensation : prévoyez-la par avenant d'abord"}
	}
	return nil
}

// partiesOf returns the provider and the beneficiaries of a service under
// convention a: the holder of the kind's creditor role, and the other
// parties bearing the cost, in the convention's order.
func partiesOf(a agreement.Agreement) (Party, []Party, error) {
	role, ok := ledger.CreditorRole(a.Kind)
	if !ok || !IsServiceKind(a.Kind) {
		return Party{}, nil, validate.Errors{{Field: "agreement_id", Message: fmt.Sprintf(
			"une convention « %s » n'organise pas un service partagé : choisissez une mise à disposition de services, un service unifié ou un service commun",
			a.Kind.Label())}}
	}
	party := func(p agreement.Party) Party {
		return Party{OrgID: p.OrgID, Name: p.Name, Kind: p.Kind, Role: p.Role, CommuneCode: p.CommuneCode, SIREN: p.SIREN, FPU: p.FPU}
	}
	var provider Party
	for _, p := range a.Parties {
		if p.Role == role {
			provider = party(p)
			break
		}
	}
	if provider.OrgID == 0 {
		return Party{}, nil, validate.Errors{{Field: "agreement_id", Message: fmt.Sprintf(
			"la convention n'a pas de partie au rôle « %s » pour fournir le service", role.Label())}}
	}
	bearers := ledger.BearerRoles(a.Kind)
	var out []Party
	for _, p := range a.Parties {
		if p.OrgID == provider.OrgID || !slices.Contains(bearers, p.Role) ||
			slices.ContainsFunc(out, func(q Party) bool { return q.OrgID == p.OrgID }) {
			continue
		}
		out = append(out, party(p))
	}
	return provider, out, nil
}

// complete fills s's convention fields from rec.
func complete(s *Service, rec agreement.Record) error {
	a := rec.Agreement
	provider, beneficiaries, err := partiesOf(a)
	if err != nil {
		return err
	}
	s.AgreementReference, s.AgreementTitle, s.Kind, s.AgreementStatus = rec.Reference, a.Title, a.Kind, a.Status
	s.Billing, s.PeriodMonths = BillingOf(a.Financial.Mode), a.Financial.PeriodMonths
	s.Provider, s.Beneficiaries = provider, beneficiaries
	s.Start, s.End, s.SignedOn = a.Term.Start, agreement.LastDay(a), a.SignedOn()
	return nil
}

// convention returns convention id for actor (store.ErrNotFound unless a
// user of one of its parties or a platform admin).
func (m *Manager) convention(ctx context.Context, actor auth.Actor, id int64) (agreement.Record, error) {
	rec, err := m.agreements.Get(ctx, actor, id)
	if err != nil {
		return agreement.Record{}, err
	}
	return rec, nil
}

// load returns service id as actor may read it, with its convention.
func (m *Manager) load(ctx context.Context, actor auth.Actor, id int64) (Service, agreement.Record, error) {
	if actor.Anonymous() {
		return Service{}, agreement.Record{}, auth.ErrUnauthenticated
	}
	s, err := getService(ctx, m.db.Reader(), id)
	if err != nil {
		return Service{}, agreement.Record{}, err
	}
	rec, err := m.convention(ctx, actor, s.AgreementID)
	if errors.Is(err, store.ErrNotFound) {
		return Service{}, agreement.Record{}, fmt.Errorf("service %d: %w", id, store.ErrNotFound)
	} else if err != nil {
		return Service{}, agreement.Record{}, err
	}
	if err := complete(&s, rec); err != nil {
		return Service{}, agreement.Record{}, err
	}
	return s, rec, nil
}

// loadForWrite is load, then checks that actor writes for the provider.
func (m *Manager) loadForWrite(ctx context.Context, actor auth.Actor, id int64) (Service, agreement.Record, error) {
	s, rec, err := m.load(ctx, actor, id)
	if err != nil {
		return Service{}, agreement.Record{}, err
	}
	if err := auth.Authorize(actor, auth.Write, s.Provider.OrgID); err != nil {
		return Service{}, agreement.Record{}, err
	}
	return s, rec, nil
}

// Get returns service id; store.ErrNotFound unless the actor is a user of
// its provider or of a beneficiary (or a platform admin).
func (m *Manager) Get(ctx context.Context, actor auth.Actor, id int64) (Service, error) {
	s, _, err := m.load(ctx, actor, id)
	if err != nil {
		return Service{}, fail("get", err)
	}
	return s, nil
}

// ByAgreement returns the service of convention agreementID, store.ErrNotFound
// when it has none or the actor may not read it.
func (m *Manager) ByAgreement(ctx context.Context, actor auth.Actor, agreementID int64) (Service, error) {
	id, err := serviceOfAgreement(ctx, m.db.Reader(), agreementID)
	if err != nil {
		return Service{}, fail("by agreement", err)
	}
	return m.Get(ctx, actor, id)
}

// Create records the shared service run under convention agreementID. The
// actor needs auth.Write on the provider. A convention carries at most one
// service (store.ErrConflict for a second).
func (m *Manager) Create(ctx context.Context, actor auth.Actor, agreementID int64, d Details) (Service, error) {
	if actor.Anonymous() {
		return Service{}, fail("create", auth.ErrUnauthenticated)
	}
	if agreementID <= 0 {
		return Service{}, validate.Errors{{Field: "agreement_id", Message: "choisissez la convention sous laquelle le service est rendu"}}
	}
	rec, err := m.convention(ctx, actor, agreementID)
	if errors.Is(err, store.ErrNotFound) {
		return Service{}, validate.Errors{{Field: "agreement_id", Message: fmt.Sprintf(
			"aucune convention n° %d parmi celles de vos organisations", agreementID)}}
	} else if err != nil {
		return Service{}, fail("create", err)
	}
	s := Service{AgreementID: agreementID}
	if err := complete(&s, rec); err != nil {
		return Service{}, err
	}
	if err := auth.Authorize(actor, auth.Write, s.Provider.OrgID); err != nil {
		return Service{}, fail("create", err)
	}
	if d, err = d.check(rec); err != nil {
		return Service{}, err
	}
	s.apply(d)
	now := m.clock()
	s.CreatedAt, s.UpdatedAt, s.Version = now, now, 1
	err = m.db.InTx(ctx, func(tx *store.Tx) error {
		if id, err := serviceOfAgreement(ctx, tx, agreementID); err == nil {
			return fmt.Errorf("%w: la convention %s a déjà un service (n° %d)", store.ErrConflict, rec.Reference, id)
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if err := insertService(ctx, tx, &s, actor.UserID()); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Audit(s.Provider.OrgID, "service.create", "service", strconv.FormatInt(s.ID, 10),
			map[string]any{"agreement": rec.Reference, "details": d}))
	})
	if err != nil {
		return Service{}, fail("create", err)
	}
	return s, nil
}

func (s *Service) apply(d Details) {
	s.Name, s.Description, s.Unit, s.Weights = d.Name, d.Description, d.Unit, d.Weights
	s.Rounding, s.RoundUnitCostFirst, s.ChargeAgainstAC = d.Rounding, d.RoundUnitCostFirst, *d.ChargeAgainstAC
}

// Update changes service id's details; version is the version the user
// edited (store.ErrConflict when stale). The unit of work cannot change
// once usage is recorded in it. The actor needs auth.Write on the provider.
func (m *Manager) Update(ctx context.Context, actor auth.Actor, id, version int64, d Details) (Service, error) {
	s, rec, err := m.loadForWrite(ctx, actor, id)
	if err != nil {
		return Service{}, fail("update", err)
	}
	if d, err = d.check(rec); err != nil {
		return Service{}, err
	}
	before := s
	s.apply(d)
	s.UpdatedAt = m.clock()
	err = m.db.InTx(ctx, func(tx *store.Tx) error {
		if before.Unit != s.Unit {
			es, err := usage.List(ctx, tx, usage.Filter{AgreementID: s.AgreementID, ProviderOrgID: s.Provider.OrgID,
				Unit: before.Unit.UsageUnit(), Limit: 1})
			if err != nil {
				return err
			}
			if len(es) > 0 {
				return validate.Errors{{Field: "unit", Message: fmt.Sprintf(
					"des usages sont déjà comptés en « %s » : l'unité d'œuvre ne peut plus changer", before.Unit.Label())}}
			}
		}
		if s.Version, err = updateService(ctx, tx, s, version, actor.UserID()); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Audit(s.Provider.OrgID, "service.update", "service", strconv.FormatInt(s.ID, 10),
			map[string]any{"agreement": rec.Reference, "version": s.Version, "details": d}))
	})
	if err != nil {
		return Service{}, fail("update", err)
	}
	return s, nil
}

// Summary is a service in a list, seen from one organisation.
type Summary struct {
	ID                 int64          `json:"id"`
	Name               string         `json:"name"`
	Unit               Unit           `json:"unit"`
	AgreementID        int64          `json:"agreement_id"`
	AgreementReference string         `json:"agreement_reference"`
	AgreementTitle     string         `json:"agreement_title"`
	Kind               agreement.Kind `json:"kind"`
	ProviderOrgID      int64          `json:"provider_org_id"`
	ProviderName       string         `json:"provider_name"`
	// OrgID is the organisation the row is seen from, and Provides says
	// whether it provides the service (else it benefits from it).
	OrgID    int64 `json:"org_id"`
	Provides bool  `json:"provides"`
}

// ForOrganisation returns the services org provides or benefits from, by
// name. The actor needs auth.ReadPrivate on org.
func (m *Manager) ForOrganisation(ctx context.Context, actor auth.Actor, org int64) ([]Summary, error) {
	if err := auth.Authorize(actor, auth.ReadPrivate, org); err != nil {
		return nil, fail("list", err)
	}
	out, err := listSummaries(ctx, m.db.Reader(), []int64{org})
	if err != nil {
		return nil, fail("list", err)
	}
	return out, nil
}

// Mine returns the services of every organisation the actor belongs to,
// one row per (service, organisation).
func (m *Manager) Mine(ctx context.Context, actor auth.Actor) ([]Summary, error) {
	if actor.User == nil {
		return nil, fail("list", auth.ErrUnauthenticated)
	}
	var orgs []int64
	for _, ms := range actor.User.Memberships {
		orgs = append(orgs, ms.OrgID)
	}
	if len(orgs) == 0 {
		return nil, nil
	}
	out, err := listSummaries(ctx, m.db.Reader(), orgs)
	if err != nil {
		return nil, fail("list", err)
	}
	return out, nil
}

// All returns every service, seen from its provider: for platform admins
// and the operator's command line.
func (m *Manager) All(ctx context.Context, actor auth.Actor) ([]Summary, error) {
	if err := auth.RequirePlatformAdmin(actor); err != nil {
		return nil, fail("list", err)
	}
	out, err := listAll(ctx, m.db.Reader())
	if err != nil {
		return nil, fail("list", err)
	}
	return out, nil
}

// Candidates returns the conventions under which the actor could create a
// service: of a service kind, with a party of the actor's (with the Write
// right) as provider, and no service yet.
func (m *Manager) Candidates(ctx context.Context, actor auth.Actor) ([]agreement.Record, error) {
	return m.candidates(ctx, actor, maxCandidates)
}

// HasCandidates reports whether Candidates would return a convention (the
// list page's offer to create a service) without loading every one.
func (m *Manager) HasCandidates(ctx context.Context, actor auth.Actor) (bool, error) {
	out, err := m.candidates(ctx, actor, 1)
	return len(out) > 0, err
}

// maxCandidates bounds the conventions Candidates offers.
const maxCandidates = 200

// candidates returns at most limit of the conventions of Candidates.
func (m *Manager) candidates(ctx context.Context, actor auth.Actor, limit int) ([]agreement.Record, error) {
	if actor.User == nil {
		return nil, fail("candidates", auth.ErrUnauthenticated)
	}
	orgs, all := auth.ActsFor(actor, auth.Write)
	providers := map[agreement.Kind]agreement.Role{}
	for _, k := range Kinds {
		if role, ok := ledger.CreditorRole(k); ok {
			providers[k] = role
		}
	}
	// The query keeps only conventions whose provider is one of orgs, so
	// the first rows normally pass the checks below; it reads up to
	// maxCandidates rows in case some do not.
	ids, err := candidateAgreements(ctx, m.db.Reader(), providers, orgs, all, maxCandidates)
	if err != nil {
		return nil, fail("candidates", err)
	}
	var out []agreement.Record
	for _, id := range ids {
		if len(out) == limit {
			break
		}
		rec, err := m.agreements.Get(ctx, actor, id)
		if errors.Is(err, store.ErrNotFound) {
			continue
		} else if err != nil {
			return nil, fail("candidates", err)
		}
		if rec.Agreement.Status.Final() {
			continue
		}
		provider, _, err := partiesOf(rec.Agreement)
		if err != nil || auth.Authorize(actor, auth.Write, provider.OrgID) != nil {
			continue
		}
		out = append(out, rec)
	}
	return out, nil
}
