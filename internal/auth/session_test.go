package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"voisines/internal/audit"
	"voisines/internal/store"
	"voisines/internal/store/storetest"
)

const password = "correct horse battery"

func TestSessions(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, clock := newService(db)
		x := newOrg(t, db, "commune", "Rodez")
		clerk := newUser(t, s, "clerk@rodez.fr", Grant{x, RoleClerk})

		t.Run("the right password opens a session with a CSRF token", func(t *testing.T) {
			sess, err := s.Login(ctx, "Clerk@Rodez.fr", password, "192.0.2.1")
			if err != nil {
				t.Fatal(err)
			}
			if len(sess.Token) != 43 || len(sess.CSRF) != 43 || sess.Token == sess.CSRF || sess.UserID != clerk.ID {
				t.Fatalf("got %+v want two distinct 43-character tokens for user %d", sess, clerk.ID)
			}
			if !sess.CheckCSRF(sess.CSRF) || sess.CheckCSRF("") || sess.CheckCSRF(sess.Token) {
				t.Fatal("CheckCSRF accepts the wrong token or refuses the right one")
			}
			var byToken, byHash int
			db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM sessions WHERE token_hash = ?`, sess.Token).Scan(&byToken)
			db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM sessions WHERE token_hash = ?`, hashToken(sess.Token)).Scan(&byHash)
			if byToken != 0 || byHash != 1 {
				t.Fatalf("got %d rows by token and %d by hash want 0 and 1: only the hash is stored", byToken, byHash)
			}
			u, resumed, err := s.Resume(ctx, sess.Token)
			if err != nil {
				t.Fatal(err)
			}
			if u.ID != clerk.ID || len(u.Memberships) != 1 || u.Memberships[0].OrgID != x || resumed.CSRF != sess.CSRF {
				t.Fatalf("got %+v %+v want the clerk with their membership and the same CSRF token", u, resumed)
			}
		})

		t.Run("two logins give two different sessions", func(t *testing.T) {
			a, err1 := s.Login(ctx, "clerk@rodez.fr", password, "192.0.2.1")
			b, err2 := s.Login(ctx, "clerk@rodez.fr", password, "192.0.2.1")
			if err1 != nil || err2 != nil || a.Token == b.Token || a.CSRF == b.CSRF {
				t.Fatalf("got %v %v, tokens equal: %v", err1, err2, a.Token == b.Token)
			}
		})

		t.Run("a wrong password and an unknown e-mail get the same refusal", func(t *testing.T) {
			_, wrong := s.Login(ctx, "clerk@rodez.fr", "wrong password!", "192.0.2.2")
			_, unknown := s.Login(ctx, "nobody@rodez.fr", password, "192.0.2.2")
			if !errors.Is(wrong, ErrBadCredentials) || !errors.Is(unknown, ErrBadCredentials) || wrong.Error() != unknown.Error() {
				t.Fatalf("got %v and %v want the same ErrBadCredentials", wrong, unknown)
			}
		})

		t.Run("unknown, empty and oversized tokens are unauthenticated", func(t *testing.T) {
			for _, tok := range []string{"", "nope", strings.Repeat("a", 5000)} {
				if _, _, err := s.Resume(ctx, tok); !errors.Is(err, ErrUnauthenticated) {
					t.Fatalf("Resume(%.10q): got %v want ErrUnauthenticated", tok, err)
				}
			}
		})

		t.Run("a session expires after 12 hours without use", func(t *testing.T) {
			sess, err := s.Login(ctx, "clerk@rodez.fr", password, "192.0.2.1")
			if err != nil {
				t.Fatal(err)
			}
			clock.Advance(SessionIdle + time.Minute)
			if _, _, err := s.Resume(ctx, sess.Token); !errors.Is(err, ErrUnauthenticated) {
				t.Fatalf("got %v want ErrUnauthenticated", err)
			}
			var n int
			db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM sessions WHERE token_hash = ?`, hashToken(sess.Token)).Scan(&n)
			if n != 0 {
				t.Fatalf("the expired session is still stored")
			}
		})

		t.Run("use slides the expiry, up to 7 days after the login", func(t *testing.T) {
			sess, err := s.Login(ctx, "clerk@rodez.fr", password, "192.0.2.1")
			if err != nil {
				t.Fatal(err)
			}
			start := sess.CreatedAt
			// Used every 11 hours: alive for as long as 7 days allow.
			for elapsed := 11 * time.Hour; elapsed < SessionMax; elapsed += 11 * time.Hour {
				clock.Advance(11 * time.Hour)
				_, got, err := s.Resume(ctx, sess.Token)
				if err != nil {
					t.Fatalf("after %v: got %v want the session", elapsed, err)
				}
				if got.ExpiresAt.After(start.Add(SessionMax)) {
					t.Fatalf("expiry %v is past the 7-day limit %v", got.ExpiresAt, start.Add(SessionMax))
				}
			}
			clock.Advance(11 * time.Hour)
			if _, _, err := s.Resume(ctx, sess.Token); !errors.Is(err, ErrUnauthenticated) {
				t.Fatalf("after 7 days: got %v want ErrUnauthenticated", err)
			}
		})

		t.Run("logout ends the session and is recorded", func(t *testing.T) {
			sess, err := s.Login(ctx, "clerk@rodez.fr", password, "192.0.2.1")
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Logout(ctx, sess.Token); err != nil {
				t.Fatal(err)
			}
			if _, _, err := s.Resume(ctx, sess.Token); !errors.Is(err, ErrUnauthenticated) {
				t.Fatalf("after logout: got %v want ErrUnauthenticated", err)
			}
			if err := s.Logout(ctx, sess.Token); err != nil {
				t.Fatalf("second logout: got %v want nil", err)
			}
			var logouts int
			db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = 'session.logout' AND actor_user_id = ?`, clerk.ID).Scan(&logouts)
			if logouts != 1 {
				t.Fatalf("got %d session.logout records want 1", logouts)
			}
		})

		t.Run("a disabled account can neither log in nor resume", func(t *testing.T) {
			u := newUser(t, s, "leaving@rodez.fr")
			sess, err := s.Login(ctx, "leaving@rodez.fr", password, "192.0.2.3")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.Raw().ExecContext(ctx, db.Dialect.Rebind(`UPDATE users SET disabled = ? WHERE id = ?`), true, u.ID); err != nil {
				t.Fatal(err)
			}
			if _, _, err := s.Resume(ctx, sess.Token); !errors.Is(err, ErrUnauthenticated) {
				t.Fatalf("resume: got %v want ErrUnauthenticated", err)
			}
			if _, err := s.Login(ctx, "leaving@rodez.fr", password, "192.0.2.3"); !errors.Is(err, ErrBadCredentials) {
				t.Fatalf("login: got %v want ErrBadCredentials", err)
			}
		})

		t.Run("a hash with old parameters is re-made at login", func(t *testing.T) {
			saved := hashParams
			hashParams = argonParams{memory: 128, time: 1, threads: 1}
			newUser(t, s, "old@rodez.fr")
			hashParams = saved
			if _, err := s.Login(ctx, "old@rodez.fr", password, "192.0.2.4"); err != nil {
				t.Fatal(err)
			}
			var h string
			db.Reader().QueryRowContext(ctx, `SELECT password_hash FROM users WHERE email = ?`, "old@rodez.fr").Scan(&h)
			if !strings.Contains(h, fmt.Sprintf("m=%d,", saved.memory)) {
				t.Fatalf("got %s want the current parameters", h)
			}
		})

		t.Run("logins and logouts keep the audit log intact", func(t *testing.T) {
			rep, err := audit.Verify(ctx, db)
			if err != nil || !rep.OK {
				t.Fatalf("got %+v, %v", rep, err)
			}
			var failures int
			db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE action LIKE 'session.login%' AND actor = 'nobody@rodez.fr'`).Scan(&failures)
			if failures != 0 {
				t.Fatalf("got %d audit records for a failed login want 0", failures)
			}
		})
	})
}

func TestThrottling(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, clock := newService(db)
		for _, e := range []string{"a@rodez.fr", "b@rodez.fr", "c@rodez.fr"} {
			newUser(t, s, e)
		}
		fail := func(t *testing.T, email, client string) {
			t.Helper()
			if _, err := s.Login(ctx, email, "wrong password", client); !errors.Is(err, ErrBadCredentials) {
				t.Fatalf("failed login of %s from %s: got %v want ErrBadCredentials", email, client, err)
			}
		}
		login := func(email, client string) error {
			_, err := s.Login(ctx, email, password, client)
			return err
		}

		t.Run("five failures for an e-mail refuse even the right password", func(t *testing.T) {
			for i := range 5 {
				fail(t, "a@rodez.fr", fmt.Sprintf("198.51.100.%d", i)) // from five clients
			}
			if err := login("a@rodez.fr", "198.51.100.99"); !errors.Is(err, ErrThrottled) {
				t.Fatalf("got %v want ErrThrottled", err)
			}
			if err := login("b@rodez.fr", "198.51.100.99"); err != nil {
				t.Fatalf("another e-mail: got %v want nil", err)
			}
		})

		t.Run("the e-mail may log in again once the window has passed", func(t *testing.T) {
			clock.Advance(DefaultThrottle.Window)
			if err := login("a@rodez.fr", "198.51.100.99"); err != nil {
				t.Fatalf("got %v want nil", err)
			}
		})

		t.Run("a success restarts the count of its own e-mail", func(t *testing.T) {
			clock.Advance(DefaultThrottle.Window)
			for range 4 {
				fail(t, "c@rodez.fr", "203.0.113.1")
			}
			if err := login("c@rodez.fr", "203.0.113.1"); err != nil {
				t.Fatal(err)
			}
			for range 4 {
				fail(t, "c@rodez.fr", "203.0.113.1")
			}
			if err := login("c@rodez.fr", "203.0.113.1"); err != nil {
				t.Fatalf("4 failures since the last success: got %v want nil", err)
			}
		})

		t.Run("a success of another e-mail does not erase an e-mail's failures", func(t *testing.T) {
			clock.Advance(DefaultThrottle.Window)
			for range 4 {
				fail(t, "a@rodez.fr", "203.0.113.2")
			}
			if err := login("b@rodez.fr", "203.0.113.2"); err != nil {
				t.Fatal(err)
			}
			fail(t, "a@rodez.fr", "203.0.113.3")
			if err := login("a@rodez.fr", "203.0.113.4"); !errors.Is(err, ErrThrottled) {
				t.Fatalf("got %v want ErrThrottled", err)
			}
		})

		t.Run("twenty failures from a client refuse it, whatever the e-mail, even after a success", func(t *testing.T) {
			clock.Advance(DefaultThrottle.Window)
			const client = "192.0.2.77"
			for i := range 19 {
				fail(t, fmt.Sprintf("guess%d@rodez.fr", i), client)
			}
			if err := login("b@rodez.fr", client); err != nil {
				t.Fatalf("19 failures: got %v want nil", err)
			}
			fail(t, "guess19@rodez.fr", client)
			if err := login("b@rodez.fr", client); !errors.Is(err, ErrThrottled) {
				t.Fatalf("20 failures then the right password: got %v want ErrThrottled", err)
			}
			if err := login("b@rodez.fr", "192.0.2.78"); err != nil {
				t.Fatalf("another client: got %v want nil", err)
			}
		})

		t.Run("a throttled attempt is not counted as one more failure", func(t *testing.T) {
			var before, after int
			db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM login_attempts`).Scan(&before)
			if _, err := s.Login(ctx, "a@rodez.fr", "wrong password", "192.0.2.77"); !errors.Is(err, ErrThrottled) {
				t.Fatalf("got %v want ErrThrottled", err)
			}
			db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM login_attempts`).Scan(&after)
			if after != before {
				t.Fatalf("got %d attempts want %d", after, before)
			}
		})

		t.Run("attempts older than a day are pruned and keep no address in clear", func(t *testing.T) {
			clock.Advance(25 * time.Hour)
			if err := login("b@rodez.fr", "192.0.2.1"); err != nil {
				t.Fatal(err)
			}
			var n int
			db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM login_attempts`).Scan(&n)
			if n != 2 {
				t.Fatalf("got %d attempts want 2 (the last login's e-mail and client keys)", n)
			}
			var clear int
			db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM login_attempts WHERE key LIKE '%rodez%' OR key LIKE '%192.0%'`).Scan(&clear)
			if clear != 0 {
				t.Fatalf("got %d keys with an address in clear want 0", clear)
			}
		})
	})
}
