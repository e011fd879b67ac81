package auth

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"

	"voisines/internal/store"
)

func TestMain(m *testing.M) {
	// Cheap argon2id parameters keep the suite fast; TestPasswordHash checks
	// the real ones.
	hashParams = argonParams{memory: 64, time: 1, threads: 1}
	os.Exit(m.Run())
}

// clock is a test clock that moves a little over a second forward at every
// reading, so that successive attempts never share an instant and instants
// carry fractions of every length (SQLite compares them as text).
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second + 250*time.Millisecond + 7*time.Microsecond)
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// newService returns a Service over db whose clock the test moves.
func newService(db *store.DB) (*Service, *clock) {
	s := New(db)
	c := newClock()
	s.now = c.Now
	return s, c
}

// newOrg inserts an organisation row directly: the territory import is not
// part of these tests.
func newOrg(t testing.TB, db *store.DB, kind, name string) int64 {
	t.Helper()
	ctx := context.Background()
	var id int64
	now := time.Now().UTC()
	err := db.InTx(ctx, func(tx *store.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO organisations (kind, name, version, created_at, updated_at)
			VALUES (?, ?, 1, ?, ?) RETURNING id`, kind, name, now, now).Scan(&id)
	})
	if err != nil {
		t.Fatalf("insert organisation %s: %v", name, err)
	}
	return id
}

// newUser creates a user through the service, as the system actor.
func newUser(t testing.TB, s *Service, email string, grants ...Grant) User {
	t.Helper()
	u, err := s.CreateUser(context.Background(), System, NewUser{Email: email, Name: "Test " + email,
		Password: "correct horse battery", Grants: grants})
	if err != nil {
		t.Fatalf("create user %s: %v", email, err)
	}
	return u
}

// actorOf returns the actor a fresh session of u would give.
func actorOf(t *testing.T, s *Service, u User) Actor {
	t.Helper()
	got, err := s.User(context.Background(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return Actor{User: &got}
}
