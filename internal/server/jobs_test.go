package server_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"voisines/internal/agreement"
	"voisines/internal/auth"
	"voisines/internal/civil"
	"voisines/internal/server"
	"voisines/internal/server/servertest"
	"voisines/internal/store"
	"voisines/internal/store/storetest"
)

// lockedBuffer is a log destination read while the jobs write to it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// signEntente creates an entente between two organisations through a
// service whose clock is set in the past, signed twenty days ago and
// starting ten days ago: due to be put in force by the next refresh.
func signEntente(t *testing.T, f *servertest.Fixture, a, b int64) agreement.Record {
	t.Helper()
	ctx := context.Background()
	today := civil.Today()
	var mu sync.Mutex
	var clock time.Time
	at := func(d civil.Date) { mu.Lock(); clock = d.Time(civil.Paris).Add(10 * time.Hour); mu.Unlock() }
	svc := f.Deps.Agreements.WithClock(func() time.Time { mu.Lock(); defer mu.Unlock(); return clock })
	in := agreement.Input{Kind: agreement.Entente, Content: agreement.Content{
		Title:     "Entente pour la fourrière",
		Term:      agreement.Term{Start: today.AddDays(-10), End: today.AddDays(30)},
		Financial: agreement.Financial{Mode: agreement.ActualCostByKey, Summary: "Frais partagés à parts égales."},
		Clauses: []agreement.Clause{{ID: agreement.ClauseObjet, Text: "Fourrière commune."},
			{ID: agreement.ClauseCleRepartition, Text: "Moitié chacune."}},
	}, Parties: []agreement.PartyInput{{OrgID: a, Role: agreement.RoleLead}, {OrgID: b, Role: agreement.RoleMember}}}
	at(today.AddDays(-40))
	r, err := svc.Create(ctx, auth.System, in)
	if err == nil {
		r, err = svc.Submit(ctx, auth.System, r.ID, r.Version)
	}
	for i, party := range []int64{a, b} {
		if err == nil {
			r, err = svc.RecordApproval(ctx, auth.System, r.ID, r.Version, agreement.Approval{OrgID: party, Kind: agreement.Deliberation,
				Number: fmt.Sprint(i + 1), Date: today.AddDays(-40), TransmittedOn: today.AddDays(-40)})
		}
	}
	at(today.AddDays(-20))
	for _, party := range []int64{a, b} {
		if err == nil {
			r, err = svc.Sign(ctx, auth.System, r.ID, r.Version, agreement.Signature{OrgID: party, Date: today.AddDays(-20)})
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	if r.Agreement.Status != agreement.Signed {
		t.Fatalf("got status %q, want %q before the jobs run", r.Agreement.Status, agreement.Signed)
	}
	return r
}

func status(t *testing.T, db *store.DB, id int64) agreement.Status {
	t.Helper()
	var s string
	if err := db.Reader().QueryRowContext(context.Background(), `SELECT status FROM agreements WHERE id = ?`, id).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return agreement.Status(s)
}

// waitFor polls cond every few milliseconds for up to ten seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestRunJobsPutsDueConventionsInForceUntilCancelled(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := servertest.New(t, db, servertest.Options{})
		var logs lockedBuffer
		deps := f.Deps
		deps.Log = slog.New(slog.NewTextHandler(&logs, nil))
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		done := make(chan struct{})
		go func() {
			defer close(done)
			server.RunJobs(ctx, deps, 20*time.Millisecond)
		}()

		// The round at start runs both jobs over an empty database.
		waitFor(t, "the first round", func() bool { return strings.Contains(logs.String(), "job=equipment.usage_sync") })

		// A convention signed meanwhile is put in force by a later round,
		// not by the one at start.
		r := signEntente(t, f, f.Orgs[servertest.Rodez].ID, f.Orgs[servertest.Onet].ID)
		waitFor(t, "the convention in force", func() bool { return status(t, db, r.ID) == agreement.InForce })
		waitFor(t, "the refresh logged", func() bool { return strings.Contains(logs.String(), "job=agreement.refresh changed=1") })

		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("RunJobs did not return after its context was cancelled")
		}
		out := logs.String()
		if strings.Contains(out, "background job failed") {
			t.Errorf("a job failed:\n%s", out)
		}
		if !strings.Contains(out, "background jobs stopped") {
			t.Errorf("no stop logged:\n%s", out)
		}
		// Idempotent: the rounds after the change changed nothing more.
		if n := strings.Count(out, "job=agreement.refresh changed=1"); n != 1 {
			t.Errorf("the convention was refreshed %d times, want once:\n%s", n, out)
		}
		// Stopped means stopped: no round runs after the return.
		before := logs.String()
		time.Sleep(60 * time.Millisecond)
		if after := logs.String(); after != before {
			t.Errorf("jobs ran after RunJobs returned:\n%s", strings.TrimPrefix(after, before))
		}
	})
}

func TestRunJobsLogsAFailingJobAndGoesOn(t *testing.T) {
	db := storetest.SQLite(t)
	f := servertest.New(t, db, servertest.Options{})
	var logs lockedBuffer
	deps := f.Deps
	deps.Log = slog.New(slog.NewTextHandler(&logs, nil))
	// Without its bookings table the usage sync fails on every round.
	if _, err := db.Raw().Exec(`DROP TABLE bookings`); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		server.RunJobs(ctx, deps, 10*time.Millisecond)
	}()
	waitFor(t, "three rounds", func() bool { return strings.Count(logs.String(), "job=equipment.usage_sync") >= 3 })
	cancel()
	<-done
	out := logs.String()
	if !strings.Contains(out, `level=ERROR msg="background job failed" job=equipment.usage_sync`) {
		t.Errorf("the failure is not logged as an error:\n%s", out)
	}
	if strings.Count(out, "job=agreement.refresh changed=0") < 3 {
		t.Errorf("the refresh did not go on running beside the failing sync:\n%s", out)
	}
}

// TestRunJobsPurgesOldRevokedTokens checks the token purge job: a token
// revoked long ago goes in the first round, a live one stays.
func TestRunJobsPurgesOldRevokedTokens(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := servertest.New(t, db, servertest.Options{})
		ctx := context.Background()
		u := f.Users[servertest.ClerkOnet]
		var ids []int64
		for _, name := range []string{"Ancien script", "Script actuel"} {
			tok, err := f.Deps.Auth.CreateToken(ctx, auth.Actor{User: &u}, auth.NewToken{Name: name})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, tok.ID)
		}
		old := time.Now().UTC().Add(-auth.DefaultTokenPurgeAge - 24*time.Hour)
		if err := db.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE id = ?`, old, ids[0])
			return err
		}); err != nil {
			t.Fatal(err)
		}
		exists := func(id int64) bool {
			var n int
			if err := db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM api_tokens WHERE id = ?`, id).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n == 1
		}
		var logs lockedBuffer
		deps := f.Deps
		deps.Log = slog.New(slog.NewTextHandler(&logs, nil))
		jctx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() {
			defer close(done)
			server.RunJobs(jctx, deps, time.Hour)
		}()
		waitFor(t, "the purge logged", func() bool { return strings.Contains(logs.String(), "job=token.purge changed=1") })
		cancel()
		<-done
		if exists(ids[0]) {
			t.Error("the token revoked long ago is still there")
		}
		if !exists(ids[1]) {
			t.Error("the live token was purged")
		}
	})
}
