package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"voisines/internal/auth"
	"voisines/internal/server/servertest"
	"voisines/internal/store"
	"voisines/internal/store/storetest"
)

type issuedToken struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	Scope      string     `json:"scope"`
	Secret     string     `json:"secret"`
	ExpiresAt  time.Time  `json:"expires_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
	Status     string     `json:"status"`
}

// createToken creates a token through the API with c's session.
func createToken(t *testing.T, c *servertest.Client, body string) issuedToken {
	t.Helper()
	resp := c.Do("POST", "/api/v1/tokens", body, map[string]string{"X-CSRF-Token": c.CSRF})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create token %s: got status %d want 201\n%s", body, resp.StatusCode, resp.Body)
	}
	tok := decode[issuedToken](t, []byte(resp.Body))
	if !strings.HasPrefix(tok.Secret, auth.TokenPrefix) || len(tok.Secret) != len(auth.TokenPrefix)+43 {
		t.Fatalf("secret %q: want vsn_ and 43 characters", tok.Secret)
	}
	return tok
}

func bearer(secret string) map[string]string {
	return map[string]string{"Authorization": "Bearer " + secret}
}

func TestAPITokens(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := servertest.New(t, db, servertest.Options{})
		rodez := f.Orgs[servertest.Rodez]
		clerk := f.Users[servertest.ClerkRodez]
		session := f.Client(t, servertest.ClerkRodez)
		script := f.Client(t, servertest.Nobody) // no cookie: what a script sends
		profile := fmt.Sprintf("/api/v1/organisations/%d/profile", rodez.ID)
		bookings := fmt.Sprintf("/api/v1/organisations/%d/bookings", rodez.ID)

		write := createToken(t, session, `{"name":"Compta","scope":"write"}`)
		read := createToken(t, session, `{"name":"Tableau de bord","scope":"read","expires_in_days":7}`)

		t.Run("a token lasts 90 days unless told otherwise, a year at most", func(t *testing.T) {
			if d := time.Until(write.ExpiresAt); d < 89*24*time.Hour || d > 91*24*time.Hour {
				t.Errorf("write token expires in %v: want about 90 days", d)
			}
			if d := time.Until(read.ExpiresAt); d < 6*24*time.Hour || d > 8*24*time.Hour {
				t.Errorf("read token expires in %v: want about 7 days", d)
			}
			resp := session.Do("POST", "/api/v1/tokens", `{"name":"Trop long","expires_in_days":366}`, map[string]string{"X-CSRF-Token": session.CSRF})
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("366 days: got status %d want 422\n%s", resp.StatusCode, resp.Body)
			}
			errorIs("invalid", "expires_in_days")(t, []byte(resp.Body))
		})

		t.Run("only the SHA-256 of the secret is stored", func(t *testing.T) {
			var clear, total int
			if err := db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM api_tokens WHERE token_hash = ? OR name = ? OR token_hash LIKE ?`,
				write.Secret, write.Secret, "%"+write.Secret[4:]+"%").Scan(&clear); err != nil {
				t.Fatal(err)
			}
			if err := db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM api_tokens WHERE user_id = ?`, clerk.ID).Scan(&total); err != nil {
				t.Fatal(err)
			}
			if clear != 0 || total != 2 {
				t.Fatalf("got %d rows holding the secret and %d tokens want 0 and 2", clear, total)
			}
		})

		v := rodez.Version
		for _, sc := range []struct {
			name    string
			method  string
			path    string
			body    string
			secret  string
			status  int
			code    string
			content string
		}{
			{"a write token reads as its user", "GET", "/api/v1/me", "", write.Secret, 200, "", `"email":"` + servertest.Email(servertest.ClerkRodez) + `"`},
			{"a read token reads the user's organisation's data", "GET", bookings, "", read.Secret, 200, "", ""},
			{"a write token writes without a CSRF token", "PATCH", profile, fmt.Sprintf(`{"version":%d,"phone":"05 65 77 88 00"}`, v), write.Secret, 200, "", `"phone":"05 65 77 88 00"`},
			{"a read token may not write", "PATCH", profile, fmt.Sprintf(`{"version":%d,"phone":"05 65 77 88 11"}`, v+1), read.Secret, 403, "read_only_token", ""},
			{"a read token may not even revoke", "DELETE", fmt.Sprintf("/api/v1/tokens/%d", write.ID), "", read.Secret, 403, "read_only_token", ""},
			{"a token may not create tokens", "POST", "/api/v1/tokens", `{"name":"Encore"}`, write.Secret, 403, "session_required", ""},
			{"a token has no session to log out", "DELETE", "/api/v1/session", "", write.Secret, 403, "session_required", ""},
			{"an unknown token is 401", "GET", "/api/v1/me", "", auth.TokenPrefix + strings.Repeat("A", 43), 401, "invalid_token", ""},
			{"a malformed token is 401", "GET", "/api/v1/me", "", "abc", 401, "invalid_token", ""},
		} {
			t.Run(sc.name, func(t *testing.T) {
				resp := script.Do(sc.method, sc.path, sc.body, bearer(sc.secret))
				if resp.StatusCode != sc.status {
					t.Fatalf("%s %s: got status %d want %d\n%s", sc.method, sc.path, resp.StatusCode, sc.status, resp.Body)
				}
				if sc.code != "" {
					errorIs(sc.code, "")(t, []byte(resp.Body))
				}
				if sc.content != "" && !strings.Contains(resp.Body, sc.content) {
					t.Errorf("body: want %q in it, got %s", sc.content, resp.Body)
				}
				if sc.status == 401 && !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
					t.Errorf("WWW-Authenticate: got %q want a Bearer challenge", resp.Header.Get("WWW-Authenticate"))
				}
			})
		}

		t.Run("the write is audited as the user, naming the token", func(t *testing.T) {
			var actor string
			var userID int64
			if err := db.Reader().QueryRowContext(ctx, `SELECT actor, actor_user_id FROM audit_log
				WHERE action = ? ORDER BY id DESC LIMIT 1`, "organisation.update_profile").Scan(&actor, &userID); err != nil {
				t.Fatal(err)
			}
			want := servertest.Email(servertest.ClerkRodez) + " (jeton « Compta »)"
			if actor != want || userID != clerk.ID {
				t.Fatalf("got %q (user %d) want %q (user %d)", actor, userID, want, clerk.ID)
			}
		})

		t.Run("the list shows when each token was last used, never a secret", func(t *testing.T) {
			resp := session.Do("GET", "/api/v1/tokens", "", nil)
			if resp.StatusCode != 200 || strings.Contains(resp.Body, write.Secret) || strings.Contains(resp.Body, `"secret"`) {
				t.Fatalf("got %d %s want 200 without secrets", resp.StatusCode, resp.Body)
			}
			list := decode[struct{ Tokens []issuedToken }](t, []byte(resp.Body))
			if len(list.Tokens) != 2 {
				t.Fatalf("got %d tokens want 2", len(list.Tokens))
			}
			for _, tok := range list.Tokens {
				if tok.LastUsedAt == nil || tok.Status != "active" {
					t.Errorf("token %q: got last used %v, status %q want a time and active", tok.Name, tok.LastUsedAt, tok.Status)
				}
			}
		})

		t.Run("a token and the session cookie together are refused", func(t *testing.T) {
			resp := session.Do("GET", "/api/v1/me", "", bearer(write.Secret))
			if resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("got status %d want 400\n%s", resp.StatusCode, resp.Body)
			}
		})

		t.Run("a token is not accepted on HTML pages", func(t *testing.T) {
			resp := script.Do("GET", "/compte", "", bearer(write.Secret))
			if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/connexion") {
				t.Fatalf("got status %d to %q want 303 to the login page", resp.StatusCode, resp.Header.Get("Location"))
			}
			resp = script.Do("GET", "/", "", bearer(write.Secret))
			if resp.StatusCode != 200 || strings.Contains(resp.Body, "Compte "+servertest.ClerkRodez) {
				t.Fatalf("home page: got %d, showing the token's user: %v", resp.StatusCode, strings.Contains(resp.Body, "Compte "+servertest.ClerkRodez))
			}
		})

		t.Run("a removed membership takes effect at once", func(t *testing.T) {
			if err := f.Deps.Auth.RemoveMembership(ctx, auth.System, clerk.ID, rodez.ID); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { f.Deps.Auth.AddMembership(ctx, auth.System, clerk.ID, rodez.ID, auth.RoleClerk) })
			resp := script.Do("GET", bookings, "", bearer(read.Secret))
			if resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusNotFound {
				t.Fatalf("got status %d want 403 or 404\n%s", resp.StatusCode, resp.Body)
			}
		})

		t.Run("another user neither lists nor revokes the clerk's tokens", func(t *testing.T) {
			onet := f.Client(t, servertest.ClerkOnet)
			resp := onet.Do("GET", fmt.Sprintf("/api/v1/tokens?user_id=%d", clerk.ID), "", nil)
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("list: got status %d want 403", resp.StatusCode)
			}
			resp = onet.Do("DELETE", fmt.Sprintf("/api/v1/tokens/%d", write.ID), "", map[string]string{"X-CSRF-Token": onet.CSRF})
			if resp.StatusCode != http.StatusNotFound {
				t.Errorf("revoke: got status %d want 404", resp.StatusCode)
			}
		})

		t.Run("a platform admin lists anyone's tokens", func(t *testing.T) {
			admin := f.Client(t, servertest.Admin)
			resp := admin.Do("GET", fmt.Sprintf("/api/v1/tokens?user_id=%d", clerk.ID), "", nil)
			if resp.StatusCode != 200 || !strings.Contains(resp.Body, `"name":"Compta"`) {
				t.Fatalf("got %d %s want the clerk's tokens", resp.StatusCode, resp.Body)
			}
		})

		t.Run("a revoked token is 401 at once, and the revocation is audited", func(t *testing.T) {
			resp := script.Do("DELETE", fmt.Sprintf("/api/v1/tokens/%d", write.ID), "", bearer(write.Secret))
			if resp.StatusCode != 200 || !strings.Contains(resp.Body, `"status":"revoked"`) {
				t.Fatalf("revoke: got %d %s want 200 and revoked", resp.StatusCode, resp.Body)
			}
			resp = script.Do("GET", "/api/v1/me", "", bearer(write.Secret))
			if resp.StatusCode != 401 || resp.Header.Get("WWW-Authenticate") != `Bearer realm="voisines", error="invalid_token"` {
				t.Fatalf("after revocation: got %d %q want 401 with a Bearer invalid_token challenge", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
			}
			var n int
			if err := db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE entity = ? AND entity_id = ? AND action IN (?, ?)`,
				"api_token", fmt.Sprint(write.ID), "token.create", "token.revoke").Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != 2 {
				t.Fatalf("got %d audit records of the token want 2 (create, revoke)", n)
			}
		})

		t.Run("an expired token is 401", func(t *testing.T) {
			if err := db.InTx(ctx, func(tx *store.Tx) error {
				_, err := tx.ExecContext(ctx, `UPDATE api_tokens SET expires_at = ? WHERE id = ?`, time.Now().UTC().Add(-time.Second), read.ID)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			resp := script.Do("GET", "/api/v1/me", "", bearer(read.Secret))
			if resp.StatusCode != 401 {
				t.Fatalf("got status %d want 401", resp.StatusCode)
			}
			errorIs("invalid_token", "")(t, []byte(resp.Body))
		})

		t.Run("a disabled user's tokens stop working", func(t *testing.T) {
			tok := createToken(t, f.Client(t, servertest.ClerkOnet), `{"name":"Onet","scope":"read"}`)
			if resp := script.Do("GET", "/api/v1/me", "", bearer(tok.Secret)); resp.StatusCode != 200 {
				t.Fatalf("before: got status %d want 200", resp.StatusCode)
			}
			if err := db.InTx(ctx, func(tx *store.Tx) error {
				_, err := tx.ExecContext(ctx, `UPDATE users SET disabled = ? WHERE id = ?`, true, f.Users[servertest.ClerkOnet].ID)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			if resp := script.Do("GET", "/api/v1/me", "", bearer(tok.Secret)); resp.StatusCode != 401 {
				t.Fatalf("after: got status %d want 401", resp.StatusCode)
			}
		})
	})
}
