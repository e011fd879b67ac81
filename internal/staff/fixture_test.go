package staff_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"voisines/internal/agreement"
	"voisines/internal/agreement/agreementtest"
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
type clock struct{ agreementtest.Clock }

// set moves the clock to ten in the morning of d, in Paris.
func (c *clock) set(d civil.Date) { c.Set(d) }

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

var aveyron = agreementtest.Territory{
	EPCIs: []agreementtest.EPCI{
		{Short: "agglo", SIREN: "241200187", Name: "CA Rodez Agglomération", Type: "CA", Representative: "Sophie Garric"},
		{SIREN: "241200641", Name: "CC Conques-Marcillac", Type: "CC", NoOrganisation: true},
	},
	Communes: []agreementtest.Commune{
		{Short: "rodez", Code: "12202", Name: "Rodez", SIREN: "211202023", EPCI: "241200187", Mayor: "Claire Martin"},
		{Short: "onet", Code: "12176", Name: "Onet-le-Château", SIREN: "211201769", EPCI: "241200187", Mayor: "Paul Bernard"},
		{Short: "conques", Code: "12218", Name: "Conques-en-Rouergue", SIREN: "200055929", EPCI: "241200641", Mayor: "Anne Roux"},
	},
}

func d(s string) civil.Date { return civil.MustParse(s) }

func setup(t *testing.T, db *store.DB) *world {
	t.Helper()
	w := &world{db: db, clock: &clock{}, org: aveyron.Insert(t, db), clerk: map[string]auth.Actor{}}
	for short, id := range w.org {
		w.clerk[short] = agreementtest.User(t, db, "rh@"+short+".test", false, auth.Grant{OrgID: id, Role: auth.RoleClerk})
	}
	w.reader = agreementtest.User(t, db, "lecture@rodez.test", false, auth.Grant{OrgID: w.org["rodez"], Role: auth.RoleReadOnly})
	w.admin = agreementtest.User(t, db, "admin@voisines.test", true)
	w.agr = agreement.NewService(db, org.New(db), territory.New(db)).WithClock(w.clock.Now)
	w.ledger = ledger.New(db, w.agr).WithClock(w.clock.Now)
	w.staff = staff.New(db, w.agr, w.ledger).WithClock(w.clock.Now)
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
	// realTime repays the time worked at a unit price (hours × hourly
	// cost) rather than pro rata of the quotité.
	realTime bool
	// submitOnly stops before the approvals (no consent recorded).
	submitOnly bool
}

// convene creates convention cv drafted by the home employer's clerk
// three months before it starts, has every approval recorded (the agent's
// consent among them) and every party sign a month later, unless
// submitOnly.
func (w *world) convene(t *testing.T, cv convention) agreement.Record {
	t.Helper()
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
	if cv.realTime {
		c.Financial = agreement.Financial{Mode: agreement.UnitPrice, Summary: "Remboursement au temps réel : heures travaillées × coût horaire (coût annuel / 1 607 h)."}
	}
	if cv.waived {
		c.Financial = agreement.Financial{Mode: agreement.NoFlow, Summary: "Sans remboursement."}
		c.Secondment.RepaymentWaived = true
		c.Secondment.WaiverReason = "mise à disposition auprès de l'EPCI dont la commune est membre"
	}
	in := agreementtest.WithClauses(agreement.Input{Kind: agreement.MADPersonnel, Content: c, Parties: []agreement.PartyInput{
		{OrgID: w.org[cv.home], Role: agreement.RoleHomeEmployer}, {OrgID: w.org[cv.host], Role: agreement.RoleHost}}})
	clerks := agreementtest.Clerks{Service: w.agr, SetDate: w.clock.Set, Of: func(id int64) auth.Actor { return w.clerkOf(t, id) }}
	drafted := cv.start.AddMonths(-3)
	if cv.submitOnly {
		return clerks.Submit(t, in, drafted)
	}
	deliberated := drafted.AddDays(14)
	return clerks.Conclude(t, in, drafted, agreementtest.Acts{Date: deliberated, Transmitted: deliberated.AddDays(2)}, drafted.AddMonths(1))
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
	return agreementtest.Euros(t, s)
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
