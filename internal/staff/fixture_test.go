package staff_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"voisines/internal/agreement"
	"voisines/internal/auth"
	"voisines/internal/civil"
	"voisines/internal/ledger"
	"voisines/internal/money"
	"voisines/internal/org"
	"voisines/internal/staff"
	"voisines/internal/store"
	"voisines/internal/territory"
)

// clock is the services' clock, moved by the tests.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// set moves the clock to ten in the morning of d, in Paris.
func (c *clock) set(d civil.Date) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = d.Time(civil.Paris).Add(10 * time.Hour)
}

// world is what every test starts from: real communes of Aveyron (Rodez,
// the home employer; Conques-en-Rouergue, the host; Onet-le-Château,
// concerned by nothing), the CA Rodez Agglomération, a clerk per
// organisation, a read-only user of Rodez and a platform admin.
type world struct {
	db     *store.DB
	agr    *agreement.Service
	ledger *ledger.Service
	staff  *staff.Service
	clock  *clock
	org    map[string]int64
	clerk  map[string]auth.Actor
	reader auth.Actor // read-only member of Rodez
	admin  auth.Actor
}

var communes = []struct{ short, code, name, siren, epci, mayor string }{
	{"rodez", "12202", "Rodez", "211202023", "241200187", "Claire Martin"},
	{"onet", "12176", "Onet-le-Château", "211201769", "241200187", "Paul Bernard"},
	{"conques", "12218", "Conques-en-Rouergue", "200055929", "241200641", "Anne Roux"},
}

func d(s string) civil.Date { return civil.MustParse(s) }

func setup(t *testing.T, db *store.DB) *world {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	w := &world{db: db, clock: &clock{}, org: map[string]int64{}, clerk: map[string]auth.Actor{}}
	err := db.InTx(ctx, func(tx *store.Tx) error {
		for _, e := range [][3]string{{"241200187", "CA Rodez Agglomération", "CA"}, {"241200641", "CC Conques-Marcillac", "CC"}} {
			if _, err := tx.ExecContext(ctx, `INSERT INTO epcis (siren, name, type, financing) VALUES (?, ?, ?, 'FPU')`, e[0], e[1], e[2]); err != nil {
				return err
			}
		}
		var id int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO organisations (kind, name, epci_siren, departement_code, representative, created_at, updated_at)
			VALUES ('epci', 'CA Rodez Agglomération', '241200187', '12', 'Sophie Garric', ?, ?) RETURNING id`, now, now).Scan(&id); err != nil {
			return err
		}
		w.org["agglo"] = id
		for _, c := range communes {
			if _, err := tx.ExecContext(ctx, `INSERT INTO communes (code, name, siren, departement_code, epci_siren) VALUES (?, ?, ?, '12', ?)`,
				c.code, c.name, c.siren, c.epci); err != nil {
				return err
			}
			if err := tx.QueryRowContext(ctx, `INSERT INTO organisations (kind, name, siren, commune_code, departement_code, representative, created_at, updated_at)
				VALUES ('commune', ?, ?, ?, '12', ?, ?, ?) RETURNING id`, c.name, c.siren, c.code, c.mayor, now, now).Scan(&id); err != nil {
				return err
			}
			w.org[c.short] = id
		}
		return nil
	})
	if err != nil {
		t.Fatalf("fixture: %v", err)
	}
	users := auth.New(db)
	actor := func(email string, admin bool, grants ...auth.Grant) auth.Actor {
		var id int64
		err := db.InTx(ctx, func(tx *store.Tx) error {
			if err := tx.QueryRowContext(ctx, `INSERT INTO users (email, name, password_hash, platform_admin, created_at)
				VALUES (?, ?, 'not a hash', ?, ?) RETURNING id`, email, email, admin, now).Scan(&id); err != nil {
				return err
			}
			for _, g := range grants {
				if _, err := tx.ExecContext(ctx, `INSERT INTO memberships (user_id, org_id, role) VALUES (?, ?, ?)`, id, g.OrgID, string(g.Role)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatalf("insert user %s: %v", email, err)
		}
		u, err := users.User(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return auth.Actor{User: &u}
	}
	for short, id := range w.org {
		w.clerk[short] = actor("rh@"+short+".test", false, auth.Grant{OrgID: id, Role: auth.RoleClerk})
	}
	w.reader = actor("lecture@rodez.test", false, auth.Grant{OrgID: w.org["rodez"], Role: auth.RoleReadOnly})
	w.admin = actor("admin@voisines.test", true)
	w.agr = agreement.NewService(db, org.New(db), territory.New(db)).WithClock(w.clock.now)
	w.ledger = ledger.New(db, w.agr).WithClock(w.clock.now)
	w.staff = staff.New(db, w.agr, w.ledger).WithClock(w.clock.now)
	return w
}

// convention describes a mise à disposition de personnel to create.
type convention struct {
	home, host string
	start, end civil.Date
	quotite    agreement.Fraction
	agent      string
	status     agreement.AgentStatus
	waived     bool
	// submitOnly stops before the approvals (no consent recorded).
	submitOnly bool
}

// convene creates convention cv drafted by the home employer's clerk
// three months before it starts, has every approval recorded (the agent's
// consent among them) and every party sign a month later, unless
// submitOnly.
func (w *world) convene(t *testing.T, cv convention) agreement.Record {
	t.Helper()
	ctx := context.Background()
	if cv.agent == "" {
		cv.agent = "Jeanne Dupont"
	}
	if cv.status == "" {
		cv.status = agreement.Titulaire
	}
	if cv.quotite.IsZero() {
		cv.quotite = agreement.Fraction{Num: 30, Den: 100}
	}
	c := agreement.Content{
		Title:     "Mise à disposition d'un agent des services techniques",
		Term:      agreement.Term{Start: cv.start, End: cv.end, NoticeMonths: 2},
		Financial: agreement.Financial{Mode: agreement.SalaryProRata, Summary: "Remboursement de la rémunération et des charges au prorata de la quotité."},
		Secondment: agreement.SecondmentTerms{Agent: cv.agent, Grade: "adjoint technique principal", AgentStatus: cv.status,
			Quotite: cv.quotite},
	}
	if cv.waived {
		c.Financial = agreement.Financial{Mode: agreement.NoFlow, Summary: "Sans remboursement."}
		c.Secondment.RepaymentWaived = true
		c.Secondment.WaiverReason = "mise à disposition auprès de l'EPCI dont la commune est membre"
	}
	for _, cs := range agreement.RequiredClauses(agreement.New(agreement.MADPersonnel, c)) {
		c.Clauses = append(c.Clauses, agreement.Clause{ID: cs.ID, Text: "Texte de l'article « " + cs.Title + " »."})
	}
	home := w.clerk[cv.home]
	drafted := cv.start.AddMonths(-3)
	w.clock.set(drafted)
	r, err := w.agr.Create(ctx, home, agreement.Input{Kind: agreement.MADPersonnel, Content: c, Parties: []agreement.PartyInput{
		{OrgID: w.org[cv.home], Role: agreement.RoleHomeEmployer}, {OrgID: w.org[cv.host], Role: agreement.RoleHost}}})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if r, err = w.agr.Submit(ctx, home, r.ID, r.Version); err != nil {
		t.Fatalf("submit: %v (violations %v)", err, r.Violations)
	}
	if cv.submitOnly {
		return r
	}
	deliberated := drafted.AddDays(14)
	w.clock.set(deliberated)
	for i, n := range agreement.RequiredApprovals(r.Agreement) {
		ap := agreement.Approval{OrgID: n.OrgID, Kind: n.Kind, Date: deliberated, Number: fmt.Sprintf("%d-%03d", deliberated.Year, i+1),
			TransmittedOn: deliberated.AddDays(2)}
		who := w.clerkOf(t, n.OrgID)
		if r, err = w.agr.RecordApproval(ctx, who, r.ID, r.Version, ap); err != nil {
			t.Fatalf("approval %s: %v", n.Kind, err)
		}
	}
	signed := drafted.AddMonths(1)
	w.clock.set(signed)
	for _, p := range r.Agreement.Parties {
		if r, err = w.agr.Sign(ctx, w.clerkOf(t, p.OrgID), r.ID, r.Version, agreement.Signature{OrgID: p.OrgID, Date: signed}); err != nil {
			t.Fatalf("sign: %v", err)
		}
	}
	if r.Agreement.Status != agreement.Signed {
		t.Fatalf("got status %s, want signed", r.Agreement.Status)
	}
	return r
}

func (w *world) clerkOf(t *testing.T, id int64) auth.Actor {
	for s, o := range w.org {
		if o == id {
			return w.clerk[s]
		}
	}
	t.Fatalf("no organisation %d", id)
	return auth.Actor{}
}

// agent records an agent of employer, titulaire unless status says.
func (w *world) agent(t *testing.T, employer string, status staff.Status) staff.Agent {
	t.Helper()
	if status == "" {
		status = staff.Titulaire
	}
	ag, err := w.staff.CreateAgent(context.Background(), w.clerk[employer], staff.AgentInput{EmployerOrgID: w.org[employer],
		FamilyName: "Dupont", GivenName: "Jeanne", Grade: "adjoint technique principal de 2e classe", Status: status})
	if err != nil {
		t.Fatalf("create agent: %v", err)
	}
	return ag
}

// cost2026 records the agent's 2026 cost of domain.md §10 example 2.
func (w *world) cost2026(t *testing.T, ag staff.Agent) staff.Cost {
	t.Helper()
	c, err := w.staff.SetCost(context.Background(), w.clerk["rodez"], ag.ID, 2026, 0, staff.CostInput{
		GrossPay: eur(t, "30 000,00"), EmployerContributions: eur(t, "13 350,00"), Source: "DSN décembre 2026"})
	if err != nil {
		t.Fatalf("set cost: %v", err)
	}
	return c
}

func eur(t *testing.T, s string) money.Cents {
	t.Helper()
	c, err := money.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// mustErr fails unless err is target (when given) and mentions contains.
func mustErr(t *testing.T, err error, target error, contains string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %v %q", target, contains)
	}
	if target != nil && !errors.Is(err, target) {
		t.Fatalf("got error %v, want %v", err, target)
	}
	if contains != "" && !strings.Contains(err.Error(), contains) {
		t.Fatalf("got error %q, want it to mention %q", err, contains)
	}
}
