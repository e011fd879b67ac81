// Package agreementtest helps the tests of the packages built on
// conventions: it inserts a small territory and its users straight into
// the database, gives the services a clock the test moves, and walks a
// convention through agreement.Service (create, submit, approvals,
// signatures) as the parties' clerks would, and reads the amounts and
// checks the statement lines the tests expect.
package agreementtest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"voisines/internal/agreement"
	"voisines/internal/auth"
	"voisines/internal/civil"
	"voisines/internal/ledger"
	"voisines/internal/money"
	"voisines/internal/store"
)

// Clock is a clock the test moves; services read it through Now, from
// any goroutine.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// Now returns the time the clock was set to.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set moves the clock to ten in the morning of d, in Paris.
func (c *Clock) Set(d civil.Date) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = d.Time(civil.Paris).Add(10 * time.Hour)
}

// EPCI is an EPCI à fiscalité propre of the test territory.
type EPCI struct {
	Short, SIREN, Name, Type string
	Financing                string // "FPU" when empty
	Departement              string // "12" when empty
	Representative           string
	// NoOrganisation leaves it in the territory only, with no organisation
	// using Voisines.
	NoOrganisation bool
}

// Commune is a commune of the test territory and its organisation.
type Commune struct {
	Short, Code, Name, SIREN string
	Departement              string // "12" when empty
	EPCI                     string // SIREN of its EPCI
	Mayor                    string
	AlsaceMoselle            bool
}

// Other is an organisation that is neither a commune nor an EPCI
// (département, CCAS, commission syndicale, association…), in the Aveyron.
type Other struct {
	Short, Kind, Name, Representative string
}

// Territory is what Insert writes: the EPCI first, then the communes, then
// the other organisations, so organisation ids follow that order.
type Territory struct {
	EPCIs    []EPCI
	Communes []Commune
	Others   []Other
}

// Insert writes the territory and its organisations in one transaction,
// by SQL (the COG import would be slower and needs files), and returns
// the organisation ids by short name.
func (tr Territory) Insert(t testing.TB, db *store.DB) map[string]int64 {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	ids := map[string]int64{}
	err := db.InTx(ctx, func(tx *store.Tx) error {
		insertOrg := func(short, query string, args ...any) error {
			var id int64
			if err := tx.QueryRowContext(ctx, query+` RETURNING id`, append(args, now, now)...).Scan(&id); err != nil {
				return fmt.Errorf("organisation %s: %w", short, err)
			}
			ids[short] = id
			return nil
		}
		for _, e := range tr.EPCIs {
			if _, err := tx.ExecContext(ctx, `INSERT INTO epcis (siren, name, type, financing) VALUES (?, ?, ?, ?)`,
				e.SIREN, e.Name, e.Type, or(e.Financing, "FPU")); err != nil {
				return err
			}
			if e.NoOrganisation {
				continue
			}
			if err := insertOrg(e.Short, `INSERT INTO organisations (kind, name, epci_siren, departement_code, representative, created_at, updated_at)
				VALUES ('epci', ?, ?, ?, ?, ?, ?)`, e.Name, e.SIREN, or(e.Departement, "12"), e.Representative); err != nil {
				return err
			}
		}
		for _, c := range tr.Communes {
			dep := or(c.Departement, "12")
			if _, err := tx.ExecContext(ctx, `INSERT INTO communes (code, name, siren, departement_code, epci_siren, alsace_moselle)
				VALUES (?, ?, ?, ?, ?, ?)`, c.Code, c.Name, c.SIREN, dep, c.EPCI, c.AlsaceMoselle); err != nil {
				return err
			}
			if err := insertOrg(c.Short, `INSERT INTO organisations (kind, name, siren, commune_code, departement_code, representative, created_at, updated_at)
				VALUES ('commune', ?, ?, ?, ?, ?, ?, ?)`, c.Name, c.SIREN, c.Code, dep, c.Mayor); err != nil {
				return err
			}
		}
		for _, o := range tr.Others {
			if err := insertOrg(o.Short, `INSERT INTO organisations (kind, name, departement_code, representative, created_at, updated_at)
				VALUES (?, ?, '12', ?, ?, ?)`, o.Kind, o.Name, o.Representative); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("fixture: %v", err)
	}
	return ids
}

func or(s, otherwise string) string {
	if s == "" {
		return otherwise
	}
	return s
}

// User inserts a user with its memberships straight into the database
// (argon2id would only slow the tests) and returns it as an actor, loaded
// the way a session loads it.
func User(t testing.TB, db *store.DB, email string, admin bool, grants ...auth.Grant) auth.Actor {
	t.Helper()
	ctx := context.Background()
	var id int64
	err := db.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO users (email, name, password_hash, platform_admin, created_at)
			VALUES (?, ?, 'not a hash', ?, ?) RETURNING id`, email, email, admin, time.Now().UTC()).Scan(&id); err != nil {
			return err
		}
		for _, g := range grants {
			if _, err := tx.ExecContext(ctx, `INSERT INTO memberships (user_id, org_id, role) VALUES (?, ?, ?)`,
				id, g.OrgID, string(g.Role)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("insert user %s: %v", email, err)
	}
	u, err := auth.New(db).User(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return auth.Actor{User: &u}
}

// Clauses returns the clauses a convention of kind with content must
// carry, each with a placeholder text naming its title.
func Clauses(kind agreement.Kind, content agreement.Content) []agreement.Clause {
	var out []agreement.Clause
	for _, cs := range agreement.RequiredClauses(agreement.New(kind, content)) {
		out = append(out, agreement.Clause{ID: cs.ID, Text: "Texte de l'article « " + cs.Title + " »."})
	}
	return out
}

// WithClauses returns in with the clauses its kind requires appended.
func WithClauses(in agreement.Input) agreement.Input {
	in.Content.Clauses = append(in.Content.Clauses, Clauses(in.Kind, in.Content)...)
	return in
}

// Clerks walk conventions through Service as users would.
type Clerks struct {
	Service *agreement.Service
	// SetDate, when set, moves the services' clock to the day of each step.
	SetDate func(civil.Date)
	// Of returns who acts for organisation orgID: records its approvals
	// (the lead party's for approvals of no party) and signs for it; and,
	// unless Drafter is set, creates and submits for the lead party.
	Of func(orgID int64) auth.Actor
	// Drafter, when set, creates and submits the conventions.
	Drafter auth.Actor
}

// Anyone returns an Of under which actor acts for every organisation, as
// a platform admin may.
func Anyone(actor auth.Actor) func(int64) auth.Actor {
	return func(int64) auth.Actor { return actor }
}

func (c Clerks) at(d civil.Date) {
	if c.SetDate != nil {
		c.SetDate(d)
	}
}

// Submit creates in on day, by the lead party's clerk (the first party
// holding the kind's lead role), and submits it for approval.
func (c Clerks) Submit(t testing.TB, in agreement.Input, day civil.Date) agreement.Record {
	t.Helper()
	ctx := context.Background()
	drafter := c.Drafter
	if drafter.User == nil {
		spec, ok := agreement.Lookup(in.Kind)
		if !ok {
			t.Fatalf("unknown kind %s", in.Kind)
		}
		i := slices.IndexFunc(in.Parties, func(p agreement.PartyInput) bool { return p.Role == spec.LeadRole })
		if i < 0 {
			t.Fatalf("%s: no party is %s", in.Kind, spec.LeadRole)
		}
		drafter = c.Of(in.Parties[i].OrgID)
	}
	c.at(day)
	r, err := c.Service.Create(ctx, drafter, in)
	if err != nil {
		t.Fatalf("create %s: %v", in.Kind, err)
	}
	if len(r.Violations) > 0 {
		t.Logf("violations of %s: %v", in.Kind, r.Violations)
	}
	submitted, err := c.Service.Submit(ctx, drafter, r.ID, r.Version)
	if err != nil {
		t.Fatalf("submit %s: %v (violations %v)", in.Kind, err, r.Violations)
	}
	return submitted
}

// Acts dates the approvals of a convention.
type Acts struct {
	Date        civil.Date // the date of every act
	Transmitted civil.Date // when each reached the prefecture
	Recorded    civil.Date // when the clerks enter them; Date when zero
	First       int        // the number of the first act of the year; 1 when zero
}

// Approve records every approval agreement.RequiredApprovals asks of r,
// numbered in order from acts.First, each by the clerk of its party.
func (c Clerks) Approve(t testing.TB, r agreement.Record, acts Acts) agreement.Record {
	t.Helper()
	if acts.Recorded.IsZero() {
		acts.Recorded = acts.Date
	}
	if acts.First == 0 {
		acts.First = 1
	}
	c.at(acts.Recorded)
	kind := r.Agreement.Kind
	var err error
	for i, n := range agreement.RequiredApprovals(r.Agreement) {
		ap := agreement.Approval{OrgID: n.OrgID, Kind: n.Kind, Date: acts.Date,
			Number: fmt.Sprintf("%d-%03d", acts.Date.Year, acts.First+i), TransmittedOn: acts.Transmitted}
		who := n.OrgID
		if who == 0 {
			who = r.LeadOrgID
		}
		if r, err = c.Service.RecordApproval(context.Background(), c.Of(who), r.ID, r.Version, ap); err != nil {
			t.Fatalf("approval %s of %s: %v", n.Kind, kind, err)
		}
	}
	return r
}

// Sign has every signatory of r (every party unless the kind names the
// roles that sign) sign it on day, each by its own clerk.
func (c Clerks) Sign(t testing.TB, r agreement.Record, day civil.Date) agreement.Record {
	t.Helper()
	c.at(day)
	kind := r.Agreement.Kind
	spec, _ := agreement.Lookup(kind)
	var err error
	for _, p := range r.Agreement.Parties {
		if len(spec.Signatories) > 0 && !slices.Contains(spec.Signatories, p.Role) {
			continue
		}
		if r, err = c.Service.Sign(context.Background(), c.Of(p.OrgID), r.ID, r.Version, agreement.Signature{OrgID: p.OrgID, Date: day}); err != nil {
			t.Fatalf("sign %s: %v", kind, err)
		}
	}
	return r
}

// Conclude creates and submits in on drafted, records its approvals as
// acts says and has every signatory sign on signed; it fails the test
// unless the convention ends signed.
func (c Clerks) Conclude(t testing.TB, in agreement.Input, drafted civil.Date, acts Acts, signed civil.Date) agreement.Record {
	t.Helper()
	r := c.Sign(t, c.Approve(t, c.Submit(t, in, drafted), acts), signed)
	if r.Agreement.Status != agreement.Signed {
		t.Fatalf("convention %s: got status %s, want signed", in.Kind, r.Agreement.Status)
	}
	return r
}

// Euros reads an amount written as in domain.md ("1 850,00", "47380.55"),
// failing the test when it is not one.
func Euros(t testing.TB, s string) money.Cents {
	t.Helper()
	c, err := money.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Rat reads an exact number ("3/7", "1,2", "62,5 %"), failing the test
// when it is not one.
func Rat(t testing.TB, s string) money.Rat {
	t.Helper()
	r, err := money.ParseRat(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// Line is a line a test expects on a statement: the party, by its short
// name in the Territory, and its amount as Euros reads it.
type Line struct {
	Short, Amount string
}

// CheckLines compares the lines of statement st, in order, with wants;
// orgs are the organisation ids by short name, as Insert returns them.
// wants may be of the test's own type with Line's fields, so that the
// test writes them unkeyed.
func CheckLines[L ~struct{ Short, Amount string }](t testing.TB, st ledger.Statement, orgs map[string]int64, wants ...L) {
	t.Helper()
	if len(st.Result.Lines) != len(wants) {
		t.Fatalf("got %d lines %+v, want %d", len(st.Result.Lines), st.Result.Lines, len(wants))
	}
	for i, w := range wants {
		l, wl := st.Result.Lines[i], Line(w)
		if l.OrgID != orgs[wl.Short] {
			t.Errorf("line %d: got party %s, want %s", i, l.Name, wl.Short)
		}
		if got, want := l.Amount, Euros(t, wl.Amount); got != want {
			t.Errorf("%s: got %s, want %s", wl.Short, got, want)
		}
	}
}
