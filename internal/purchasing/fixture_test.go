package purchasing_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"voisines/internal/agreement"
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

// Real communes of the COG 2026 (INSEE code, SIREN, EPCI).
var communes = []struct{ short, code, name, siren, mayor string }{
	{"rodez", "12202", "Rodez", "211202023", "Claire Martin"},
	{"onet", "12176", "Onet-le-Château", "211201769", "Paul Bernard"},
	{"olemps", "12174", "Olemps", "211201744", "Anne Roux"},
	{"millau", "12145", "Millau", "211201454", "Jean Fabre"},
}

func setup(t *testing.T, db *store.DB) *world {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	w := &world{db: db, clock: &clock{}, org: map[string]int64{}, clerk: map[string]auth.Actor{}, reader: map[string]auth.Actor{}}
	err := db.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO epcis (siren, name, type, financing) VALUES ('241200187', 'CA Rodez Agglomération', 'CA', 'FPU')`); err != nil {
			return err
		}
		for _, c := range communes {
			if _, err := tx.ExecContext(ctx, `INSERT INTO communes (code, name, siren, departement_code, epci_siren) VALUES (?, ?, ?, '12', '241200187')`,
				c.code, c.name, c.siren); err != nil {
				return err
			}
			var id int64
			if err := tx.QueryRowContext(ctx, `INSERT INTO organisations (kind, name, siren, commune_code, departement_code, representative, created_at, updated_at)
				VALUES ('commune', ?, ?, ?, '12', ?, ?, ?) RETURNING id`, c.name, c.siren, c.code, c.mayor, now, now).Scan(&id); err != nil {
				return fmt.Errorf("organisation %s: %w", c.short, err)
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
		w.clerk[short] = actor("achats@"+short+".test", false, auth.Grant{OrgID: id, Role: auth.RoleClerk})
		w.reader[short] = actor("lecture@"+short+".test", false, auth.Grant{OrgID: id, Role: auth.RoleReadOnly})
	}
	w.admin = actor("admin@voisines.test", true)
	w.agr = agreement.NewService(db, org.New(db), territory.New(db)).WithClock(w.clock.now)
	w.ledger = ledger.New(db, w.agr).WithClock(w.clock.now)
	w.purchases = purchasing.New(db, w.agr, w.ledger).WithClock(w.clock.now)
	return w
}

// convention drafts the groupement de commandes of Rodez (coordinator),
// Onet-le-Château and Olemps (members), financed by sharing the actual
// procedure costs, and submits it; it returns it with the required
// approvals still to record.
func (w *world) convention(t *testing.T) agreement.Record {
	t.Helper()
	ctx := context.Background()
	c := agreement.Content{
		Title:           "Groupement de commandes — produits d'entretien et papier",
		Term:            agreement.Term{Start: d("2026-03-01"), End: d("2030-12-31"), NoticeMonths: 3},
		Financial:       agreement.Financial{Mode: agreement.ActualCostByKey, Summary: "Frais de procédure répartis au prorata des besoins."},
		PurchasingGroup: agreement.PurchasingGroupTerms{Needs: "produits d'entretien et papier, accord-cadre de quatre ans"},
	}
	for _, cs := range agreement.RequiredClauses(agreement.New(agreement.GroupementCommandes, c)) {
		c.Clauses = append(c.Clauses, agreement.Clause{ID: cs.ID, Text: "Texte de l'article « " + cs.Title + " »."})
	}
	w.clock.set(d("2026-01-05"))
	r, err := w.agr.Create(ctx, w.clerk["rodez"], agreement.Input{Kind: agreement.GroupementCommandes, Content: c, Parties: []agreement.PartyInput{
		{OrgID: w.org["rodez"], Role: agreement.RoleCoordinator},
		{OrgID: w.org["onet"], Role: agreement.RoleMember},
		{OrgID: w.org["olemps"], Role: agreement.RoleMember},
	}})
	if err != nil {
		t.Fatalf("create convention: %v", err)
	}
	if r, err = w.agr.Submit(ctx, w.clerk["rodez"], r.ID, r.Version); err != nil {
		t.Fatalf("submit: %v", err)
	}
	return r
}

// approve records every member's deliberation on day.
func (w *world) approve(t *testing.T, r agreement.Record, day civil.Date) agreement.Record {
	t.Helper()
	w.clock.set(day)
	var err error
	for i, n := range agreement.RequiredApprovals(r.Agreement) {
		ap := agreement.Approval{OrgID: n.OrgID, Kind: n.Kind, Date: day, Number: fmt.Sprintf("%d-%03d", day.Year, i+1), TransmittedOn: day}
		if r, err = w.agr.RecordApproval(context.Background(), w.admin, r.ID, r.Version, ap); err != nil {
			t.Fatalf("approval %s: %v", n.Kind, err)
		}
	}
	return r
}

// sign has every party sign r on day.
func (w *world) sign(t *testing.T, r agreement.Record, day civil.Date) agreement.Record {
	t.Helper()
	w.clock.set(day)
	var err error
	for _, p := range r.Agreement.Parties {
		if r, err = w.agr.Sign(context.Background(), w.admin, r.ID, r.Version, agreement.Signature{OrgID: p.OrgID, Date: day}); err != nil {
			t.Fatalf("sign: %v", err)
		}
	}
	return r
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
