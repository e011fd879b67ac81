package purchasing_test

import (
	"context"
	"testing"

	"voisines/internal/agreement"
	"voisines/internal/agreement/agreementtest"
	"voisines/internal/auth"
	"voisines/internal/civil"
	"voisines/internal/ledger"
	"voisines/internal/money"
	"voisines/internal/org"
	"voisines/internal/purchasing"
	"voisines/internal/store"
	"voisines/internal/territory"
)

// clock is the services' clock, moved by the tests.
type clock struct{ agreementtest.Clock }

// set moves the clock to ten in the morning of d, in Paris.
func (c *clock) set(d civil.Date) { c.Set(d) }

// world is what the store tests start from: real communes of Aveyron and an
// association inserted by SQL, a clerk and a reader per organisation, a
// platform admin, and the services over the database.
type world struct {
	db        *store.DB
	agr       *agreement.Service
	ledger    *ledger.Service
	purchases *purchasing.Service
	clock     *clock
	org       map[string]int64
	clerk     map[string]auth.Actor
	reader    map[string]auth.Actor
	admin     auth.Actor
}

// Real communes of the COG 2026 (INSEE code, SIREN, EPCI); their EPCI has
// no organisation.
var aveyron = agreementtest.Territory{
	EPCIs: []agreementtest.EPCI{{SIREN: "241200187", Name: "CA Rodez Agglomération", Type: "CA", NoOrganisation: true}},
	Communes: []agreementtest.Commune{
		{Short: "rodez", Code: "12202", Name: "Rodez", SIREN: "211202023", EPCI: "241200187", Mayor: "Claire Martin"},
		{Short: "onet", Code: "12176", Name: "Onet-le-Château", SIREN: "211201769", EPCI: "241200187", Mayor: "Paul Bernard"},
		{Short: "olemps", Code: "12174", Name: "Olemps", SIREN: "211201744", EPCI: "241200187", Mayor: "Anne Roux"},
		{Short: "millau", Code: "12145", Name: "Millau", SIREN: "211201454", EPCI: "241200187", Mayor: "Jean Fabre"},
	},
}

func setup(t *testing.T, db *store.DB) *world {
	t.Helper()
	w := &world{db: db, clock: &clock{}, org: aveyron.Insert(t, db), clerk: map[string]auth.Actor{}, reader: map[string]auth.Actor{}}
	for short, id := range w.org {
		w.clerk[short] = agreementtest.User(t, db, "achats@"+short+".test", false, auth.Grant{OrgID: id, Role: auth.RoleClerk})
		w.reader[short] = agreementtest.User(t, db, "lecture@"+short+".test", false, auth.Grant{OrgID: id, Role: auth.RoleReadOnly})
	}
	w.admin = agreementtest.User(t, db, "admin@voisines.test", true)
	w.agr = agreement.NewService(db, org.New(db), territory.New(db)).WithClock(w.clock.Now)
	w.ledger = ledger.New(db, w.agr).WithClock(w.clock.Now)
	w.purchases = purchasing.New(db, w.agr, w.ledger).WithClock(w.clock.Now)
	return w
}

// clerks walk the group's convention: Rodez's clerk drafts it, the platform
// admin records every approval and signature.
func (w *world) clerks() agreementtest.Clerks {
	return agreementtest.Clerks{Service: w.agr, SetDate: w.clock.Set, Of: agreementtest.Anyone(w.admin), Drafter: w.clerk["rodez"]}
}

// convention drafts the groupement de commandes of Rodez (coordinator),
// Onet-le-Château and Olemps (members), financed by sharing the actual
// procedure costs, and submits it; it returns it with the required
// approvals still to record.
func (w *world) convention(t *testing.T) agreement.Record {
	t.Helper()
	c := agreement.Content{
		Title:           "Groupement de commandes — produits d'entretien et papier",
		Term:            agreement.Term{Start: d("2026-03-01"), End: d("2030-12-31"), NoticeMonths: 3},
		Financial:       agreement.Financial{Mode: agreement.ActualCostByKey, Summary: "Frais de procédure répartis au prorata des besoins."},
		PurchasingGroup: agreement.PurchasingGroupTerms{Needs: "produits d'entretien et papier, accord-cadre de quatre ans"},
	}
	return w.clerks().Submit(t, agreementtest.WithClauses(agreement.Input{Kind: agreement.GroupementCommandes, Content: c, Parties: []agreement.PartyInput{
		{OrgID: w.org["rodez"], Role: agreement.RoleCoordinator},
		{OrgID: w.org["onet"], Role: agreement.RoleMember},
		{OrgID: w.org["olemps"], Role: agreement.RoleMember},
	}}), d("2026-01-05"))
}

// approve records every member's deliberation on day.
func (w *world) approve(t *testing.T, r agreement.Record, day civil.Date) agreement.Record {
	t.Helper()
	return w.clerks().Approve(t, r, agreementtest.Acts{Date: day, Transmitted: day})
}

// sign has every party sign r on day.
func (w *world) sign(t *testing.T, r agreement.Record, day civil.Date) agreement.Record {
	t.Helper()
	return w.clerks().Sign(t, r, day)
}

// example3 builds domain.md §10 example 3 through the service: the group
// of the convention, one lot, and each member's yearly needs entered by the
// member itself over four years.
func (w *world) example3(t *testing.T, r agreement.Record) purchasing.Group {
	t.Helper()
	ctx := context.Background()
	g, err := w.purchases.Create(ctx, w.clerk["rodez"], purchasing.CreateInput{AgreementID: r.ID})
	if err != nil {
		t.Fatalf("create group: %v", err)
	}
	g, err = w.purchases.AddLot(ctx, w.clerk["rodez"], g.ID, g.Version, purchasing.LotInput{Label: "Produits d'entretien et papier",
		CPV: "39830000-9", Nature: purchasing.Supplies, DurationMonths: 48, Framework: true})
	if err != nil {
		t.Fatalf("add lot: %v", err)
	}
	lot := g.Lots[0].ID
	for short, yearly := range map[string]string{"rodez": "21 500", "onet": "14 800", "olemps": "19 900"} {
		y := eur(t, yearly)
		if _, err := w.purchases.SetNeed(ctx, w.clerk[short], g.ID, purchasing.NeedInput{LotID: lot, OrgID: w.org[short], Yearly: &y}); err != nil {
			t.Fatalf("need of %s: %v", short, err)
		}
	}
	g, err = w.purchases.Get(ctx, w.clerk["rodez"], g.ID)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func cents(t testing.TB, s string) *money.Cents {
	c := eur(t, s)
	return &c
}
