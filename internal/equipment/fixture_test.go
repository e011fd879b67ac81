package equipment_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"voisines/internal/auth"
	"voisines/internal/equipment"
	"voisines/internal/money"
	"voisines/internal/server/servertest"
	"voisines/internal/store"
)

// env is a database holding the servertest territory and accounts, an
// equipment service whose clock the test moves, and Rodez's gym.
type env struct {
	db  *store.DB
	f   *servertest.Fixture
	svc *equipment.Service

	mu  sync.Mutex
	now time.Time

	rodez, onet, conques, agglo int64
}

// start is the fixture's "now": before the 2026–2027 school year.
var start = time.Date(2026, 8, 20, 8, 0, 0, 0, time.UTC)

func newEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	f := servertest.New(t, db, servertest.Options{})
	e := &env{db: db, f: f, svc: equipment.New(db), now: start,
		rodez: f.Orgs[servertest.Rodez].ID, onet: f.Orgs[servertest.Onet].ID,
		conques: f.Orgs[servertest.Conques].ID, agglo: f.Orgs[servertest.AggloRdz].ID}
	equipment.SetClock(e.svc, func() time.Time {
		e.mu.Lock()
		defer e.mu.Unlock()
		return e.now
	})
	return e
}

// advance moves the clock.
func (e *env) advance(d time.Duration) {
	e.mu.Lock()
	e.now = e.now.Add(d)
	e.mu.Unlock()
}

// set moves the clock to t.
func (e *env) set(t time.Time) {
	e.mu.Lock()
	e.now = t
	e.mu.Unlock()
}

// actor returns the actor of a fixture account.
func (e *env) actor(name string) auth.Actor {
	u := e.f.Users[name]
	return auth.Actor{User: &u}
}

func cents(c money.Cents) *money.Cents { return &c }

// gym creates Rodez's gym, counted in hours, with manual approval.
func (e *env) gym(t *testing.T, name string, approval equipment.Approval) equipment.Equipment {
	t.Helper()
	g, err := e.svc.Create(context.Background(), e.actor(servertest.ClerkRodez), e.rodez, equipment.Details{
		Name: name, Kind: equipment.Gym, Description: "Gymnase municipal, parquet, tribunes", Capacity: 300,
		CommuneCode: servertest.Rodez, Address: "Avenue Paul-Ramadier", Unit: equipment.UnitHour,
		Tariffs:  equipment.Tariffs{Own: cents(0), Convention: cents(2600), OtherCommune: cents(3500)},
		Approval: approval, Active: true,
	})
	if err != nil {
		t.Fatalf("create gym: %v", err)
	}
	return g
}

// agreement records a convention in force between the parties, directly
// in the tables of migration 0002 (the conventions' own store is another
// package's), and returns its id.
func (e *env) agreement(t *testing.T, kind, status string, parties ...int64) int64 {
	t.Helper()
	ctx := context.Background()
	var id int64
	err := e.db.InTx(ctx, func(tx *store.Tx) error {
		now := time.Now().UTC()
		ref := "T-" + time.Now().Format("150405.000000000")
		if err := tx.QueryRowContext(ctx, `INSERT INTO agreements (reference, kind, status, title, lead_org_id,
			start_date, end_date, signed_on, version, document, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, '{}', ?, ?) RETURNING id`,
			ref, kind, status, "Utilisation partagée du gymnase", parties[0], "2026-01-01", "2028-12-31", "2025-12-15", now, now).Scan(&id); err != nil {
			return err
		}
		for i, p := range parties {
			role := "beneficiary"
			if i == 0 {
				role = "owner"
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO agreement_parties (agreement_id, org_id, role, is_current) VALUES (?, ?, ?, TRUE)`,
				id, p, role); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("record agreement: %v", err)
	}
	return id
}

// at reads a Paris wall-clock time "2026-09-07T17:00".
func at(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := equipment.ParseInstant(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// overlaps counts pairs of active bookings of one equipment that overlap,
// straight from the bookings table: the invariant, checked without the
// slot table that enforces it.
func overlaps(t *testing.T, db *store.DB) int {
	t.Helper()
	var n int
	err := db.Reader().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM bookings a JOIN bookings b
		ON a.equipment_id = b.equipment_id AND a.id < b.id
		WHERE a.status IN ('requested', 'approved') AND b.status IN ('requested', 'approved')
		AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at`).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func actorOf(u *auth.User) auth.Actor { return auth.Actor{User: u} }
