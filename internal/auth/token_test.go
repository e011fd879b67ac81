package auth

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"voisines/internal/store"
	"voisines/internal/store/storetest"
	"voisines/internal/validate"
)

func TestBearerToken(t *testing.T) {
	good := TokenPrefix + strings.Repeat("aZ9-_", 8) + "abc"
	for _, tc := range []struct {
		name   string
		header string
		secret string
		ok     bool
		err    error
	}{
		{"no header carries no token", "", "", false, nil},
		{"another scheme carries no token", "Basic dXNlcjpwYXNz", "", false, nil},
		{"a word starting like Bearer is another scheme", "Bearerx " + good, "", false, nil},
		{"a well-formed token is read", "Bearer " + good, good, true, nil},
		{"the scheme is case-blind", "bEaReR " + good, good, true, nil},
		{"spaces around the token are ignored", "  Bearer   " + good + "  ", good, true, nil},
		{"Bearer without a token is invalid", "Bearer", "", true, ErrInvalidToken},
		{"a token without the prefix is invalid", "Bearer " + strings.Repeat("a", 47), "", true, ErrInvalidToken},
		{"a short token is invalid", "Bearer " + good[:len(good)-1], "", true, ErrInvalidToken},
		{"a long token is invalid", "Bearer " + good + "a", "", true, ErrInvalidToken},
		{"padding is invalid", "Bearer " + good[:len(good)-1] + "=", "", true, ErrInvalidToken},
		{"standard base64 characters are invalid", "Bearer " + good[:len(good)-1] + "+", "", true, ErrInvalidToken},
		{"two tokens are invalid", "Bearer " + good + " " + good, "", true, ErrInvalidToken},
	} {
		t.Run(tc.name, func(t *testing.T) {
			secret, ok, err := BearerToken(tc.header)
			if secret != tc.secret || ok != tc.ok || !errors.Is(err, tc.err) || (tc.err == nil && err != nil) {
				t.Fatalf("BearerToken(%q): got %q %v %v want %q %v %v", tc.header, secret, ok, err, tc.secret, tc.ok, tc.err)
			}
		})
	}
}

// FuzzBearerToken feeds arbitrary Authorization headers to the parser: it
// never panics, a secret it returns is well formed and appears in the
// header, and anything refused is ErrInvalidToken (a 401), never another
// error.
func FuzzBearerToken(f *testing.F) {
	for _, seed := range []string{"", "Bearer", "Bearer ", "bearer vsn_", "Basic abc", "Bearer vsn_" + strings.Repeat("A", 43),
		"Bearer\tvsn_" + strings.Repeat("A", 43), "Bearer vsn_" + strings.Repeat("é", 22), "Bearer  \x00", "Bearer vsn_" + strings.Repeat("_", 44)} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, header string) {
		secret, ok, err := BearerToken(header)
		switch {
		case !ok && (secret != "" || err != nil):
			t.Fatalf("%q: not a bearer header, yet got %q %v", header, secret, err)
		case ok && err != nil && (!errors.Is(err, ErrInvalidToken) || secret != ""):
			t.Fatalf("%q: got %q %v want ErrInvalidToken and no secret", header, secret, err)
		case ok && err == nil && (!wellFormed(secret) || !strings.Contains(header, secret)):
			t.Fatalf("%q: accepted %q, which is not a well-formed token of the header", header, secret)
		}
	})
}

func TestTokenScopeAllowsMethod(t *testing.T) {
	for _, tc := range []struct {
		scope  TokenScope
		method string
		want   bool
	}{
		{ScopeRead, "GET", true}, {ScopeRead, "HEAD", true}, {ScopeRead, "POST", false}, {ScopeRead, "PATCH", false},
		{ScopeRead, "DELETE", false}, {ScopeRead, "OPTIONS", false}, {ScopeWrite, "POST", true}, {ScopeWrite, "DELETE", true},
	} {
		if got := tc.scope.AllowsMethod(tc.method); got != tc.want {
			t.Errorf("%s %s: got %v want %v", tc.scope, tc.method, got, tc.want)
		}
	}
}

func TestActorNamesItsToken(t *testing.T) {
	u := &User{ID: 3, Email: "compta@rodez.fr"}
	for _, tc := range []struct {
		actor Actor
		want  string
	}{
		{Actor{User: u}, "compta@rodez.fr"},
		{Actor{User: u, Token: &TokenRef{ID: 1, Name: "Compta"}}, "compta@rodez.fr (jeton « Compta »)"},
		{System, "system:cli"},
	} {
		if got := tc.actor.String(); got != tc.want {
			t.Errorf("got %q want %q", got, tc.want)
		}
	}
}

func TestTokens(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, clock := newService(db)
		x := newOrg(t, db, "commune", "Rodez")
		clerk := newUser(t, s, "clerk@rodez.fr", Grant{x, RoleClerk})
		other := newUser(t, s, "other@rodez.fr")
		me, them := Actor{User: &clerk}, Actor{User: &other}

		t.Run("invalid fields are named", func(t *testing.T) {
			for _, tc := range []struct {
				in    NewToken
				field string
			}{
				{NewToken{Name: "  "}, "name"},
				{NewToken{Name: strings.Repeat("é", 101)}, "name"},
				{NewToken{Name: "a\nb"}, "name"},
				{NewToken{Name: "Compta", Scope: "admin"}, "scope"},
				{NewToken{Name: "Compta", Days: 366}, "expires_in_days"},
				{NewToken{Name: "Compta", Days: -1}, "expires_in_days"},
			} {
				_, err := s.CreateToken(ctx, me, tc.in)
				errs, ok := validate.As(err)
				if !ok || errs.For(tc.field) == "" {
					t.Errorf("%+v: got %v want an error on %s", tc.in, err, tc.field)
				}
			}
		})

		t.Run("nobody, the system and a token cannot create tokens", func(t *testing.T) {
			tokenActor := Actor{User: &clerk, Token: &TokenRef{ID: 1, Name: "x", Scope: ScopeWrite}}
			for _, tc := range []struct {
				name  string
				actor Actor
				want  error
			}{
				{"anonymous", Actor{}, ErrUnauthenticated},
				{"system", System, ErrUnauthenticated},
				{"token", tokenActor, ErrSessionRequired},
			} {
				if _, err := s.CreateToken(ctx, tc.actor, NewToken{Name: "x"}); !errors.Is(err, tc.want) {
					t.Errorf("%s: got %v want %v", tc.name, err, tc.want)
				}
			}
		})

		issued, err := s.CreateToken(ctx, me, NewToken{Name: " Compta ", Scope: "WRITE"})
		if err != nil {
			t.Fatal(err)
		}

		t.Run("a new token has defaults and a secret stored only as a hash", func(t *testing.T) {
			if issued.Name != "Compta" || issued.Scope != ScopeWrite || issued.Status != "active" ||
				!issued.ExpiresAt.Equal(issued.CreatedAt.AddDate(0, 0, DefaultTokenDays)) || !wellFormed(issued.Secret) {
				t.Fatalf("got %+v want Compta, write, active, 90 days, a well-formed secret", issued)
			}
			var byClear, byHash int
			db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM api_tokens WHERE token_hash = ?`, issued.Secret).Scan(&byClear)
			db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM api_tokens WHERE token_hash = ?`, hashToken(issued.Secret)).Scan(&byHash)
			if byClear != 0 || byHash != 1 {
				t.Fatalf("got %d rows by secret and %d by hash want 0 and 1", byClear, byHash)
			}
		})

		t.Run("the token resumes its user with current memberships", func(t *testing.T) {
			u, ref, err := s.ResumeToken(ctx, issued.Secret)
			if err != nil {
				t.Fatal(err)
			}
			if u.ID != clerk.ID || len(u.Memberships) != 1 || ref.ID != issued.ID || ref.Name != "Compta" || ref.Scope != ScopeWrite {
				t.Fatalf("got %+v %+v want the clerk and the token Compta", u, ref)
			}
		})

		lastUsed := func() time.Time {
			t.Helper()
			ts, err := s.Tokens(ctx, me, clerk.ID)
			if err != nil || len(ts) != 1 || ts[0].LastUsedAt == nil {
				t.Fatalf("got %+v %v want one used token", ts, err)
			}
			return *ts[0].LastUsedAt
		}

		t.Run("last use is written at most once a minute", func(t *testing.T) {
			first := lastUsed()
			s.ResumeToken(ctx, issued.Secret) // the clock moves a second or so per reading
			if got := lastUsed(); !got.Equal(first) {
				t.Fatalf("got %v want %v: written again within a minute", got, first)
			}
			clock.Advance(time.Minute)
			s.ResumeToken(ctx, issued.Secret)
			if got := lastUsed(); !got.After(first.Add(time.Minute - time.Second)) {
				t.Fatalf("got %v want a minute after %v", got, first)
			}
		})

		t.Run("only the owner and platform admins list and revoke", func(t *testing.T) {
			if _, err := s.Tokens(ctx, them, clerk.ID); !errors.Is(err, ErrForbidden) {
				t.Errorf("list another's: got %v want ErrForbidden", err)
			}
			if _, err := s.Tokens(ctx, me, 0); !errors.Is(err, ErrForbidden) {
				t.Errorf("list everyone's: got %v want ErrForbidden", err)
			}
			if ts, err := s.Tokens(ctx, System, 0); err != nil || len(ts) != 1 || ts[0].Email != "clerk@rodez.fr" {
				t.Errorf("system lists everyone's: got %+v %v", ts, err)
			}
			if _, err := s.RevokeToken(ctx, them, issued.ID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("revoke another's: got %v want ErrNotFound", err)
			}
		})

		t.Run("a revoked token no longer resumes, and revoking again changes nothing", func(t *testing.T) {
			tok, err := s.RevokeToken(ctx, me, issued.ID)
			if err != nil || tok.Status != "revoked" || tok.RevokedAt == nil {
				t.Fatalf("got %+v %v want revoked", tok, err)
			}
			if _, _, err := s.ResumeToken(ctx, issued.Secret); !errors.Is(err, ErrInvalidToken) {
				t.Fatalf("resume: got %v want ErrInvalidToken", err)
			}
			again, err := s.RevokeToken(ctx, System, issued.ID)
			if err != nil || !again.RevokedAt.Equal(*tok.RevokedAt) {
				t.Fatalf("got %+v %v want the first revocation kept", again, err)
			}
			var n int
			db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = ?`, "token.revoke").Scan(&n)
			if n != 1 {
				t.Fatalf("got %d revocation records want 1", n)
			}
		})

		t.Run("a token expires after its days", func(t *testing.T) {
			short, err := s.CreateToken(ctx, me, NewToken{Name: "Court", Days: 1})
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := s.ResumeToken(ctx, short.Secret); err != nil {
				t.Fatal(err)
			}
			clock.Advance(24 * time.Hour)
			if _, _, err := s.ResumeToken(ctx, short.Secret); !errors.Is(err, ErrInvalidToken) || !errors.Is(err, ErrUnauthenticated) {
				t.Fatalf("got %v want ErrInvalidToken, an ErrUnauthenticated", err)
			}
			ts, _ := s.Tokens(ctx, me, clerk.ID)
			if len(ts) != 2 || ts[0].Name != "Court" || ts[0].Status != "expired" {
				t.Fatalf("got %+v want Court listed first as expired", ts)
			}
		})
	})
}
