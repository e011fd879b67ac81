package auth

import (
	"context"
	"testing"

	"voisines/internal/store/storetest"
)

// BenchmarkResume resumes a session on SQLite with a cancellable context,
// as every request does.
func BenchmarkResume(b *testing.B) {
	db := storetest.SQLite(b)
	s, _ := newService(db)
	x := newOrg(b, db, "commune", "Rodez")
	newUser(b, s, "clerk@rodez.fr", Grant{x, RoleClerk})
	sess, err := s.Login(context.Background(), "clerk@rodez.fr", password, "192.0.2.1")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		ctx, cancel := context.WithCancel(context.Background())
		if _, _, err := s.Resume(ctx, sess.Token); err != nil {
			b.Fatal(err)
		}
		cancel()
	}
}

// TestResumingIsAShortReadThatACancelledRequestDoesNotStop pins that the
// session's lookup runs without the request's cancellation on SQLite (see
// store.DB.ShortRead): a request whose client has gone still resolves its
// session, and the lookup costs no watcher goroutines.
func TestResumingIsAShortReadThatACancelledRequestDoesNotStop(t *testing.T) {
	db := storetest.SQLite(t)
	s, _ := newService(db)
	x := newOrg(t, db, "commune", "Rodez")
	clerk := newUser(t, s, "clerk@rodez.fr", Grant{x, RoleClerk})
	sess, err := s.Login(context.Background(), "clerk@rodez.fr", password, "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	u, _, err := s.Resume(ctx, sess.Token)
	if err != nil || u.ID != clerk.ID {
		t.Fatalf("got user %d, %v; want %d resumed", u.ID, err, clerk.ID)
	}
}
