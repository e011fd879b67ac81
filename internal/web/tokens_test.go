package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"voisines/internal/auth"
	"voisines/internal/server/servertest"
	"voisines/internal/store"
	"voisines/internal/store/storetest"
)

// TestAccountTokens creates a token on « Mon compte », uses it on the API,
// and revokes it from the page.
func TestAccountTokens(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := servertest.New(t, db, servertest.Options{})
		c := f.Client(t, servertest.ClerkRodez)
		script := f.Client(t, servertest.Nobody)
		secretRe := regexp.MustCompile(`<code>(vsn_[A-Za-z0-9_-]{43})</code>`)
		var secret string

		t.Run("the page offers to create a token", func(t *testing.T) {
			page := c.Do("GET", "/compte", "", nil)
			for _, want := range []string{`id="jetons"`, "Vous n'avez aucun jeton.", `action="/compte/jetons"`, `name="days" value="90"`} {
				if !strings.Contains(page.Body, want) {
					t.Errorf("want %q in the page", want)
				}
			}
		})

		t.Run("an invalid form is shown again with its error", func(t *testing.T) {
			resp := c.PostForm("/compte/jetons", url.Values{"name": {""}, "scope": {"read"}, "days": {"90"}}, true)
			if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(resp.Body, `href="#f-token-name">Nom du jeton`) ||
				secretRe.MatchString(resp.Body) {
				t.Fatalf("got %d want 422 naming the field, without a secret", resp.StatusCode)
			}
		})

		t.Run("a form without the CSRF token is refused", func(t *testing.T) {
			resp := c.PostForm("/compte/jetons", url.Values{"name": {"Compta"}, "scope": {"read"}, "days": {"90"}}, false)
			if resp.StatusCode != http.StatusForbidden {
				t.Fatalf("got %d want 403", resp.StatusCode)
			}
		})

		t.Run("a created token's secret is shown once", func(t *testing.T) {
			resp := c.PostForm("/compte/jetons", url.Values{"name": {"Compta"}, "scope": {"write"}, "days": {"30"}}, true)
			m := secretRe.FindStringSubmatch(resp.Body)
			if resp.StatusCode != http.StatusCreated || m == nil || !strings.Contains(resp.Body, "lecture et écriture") {
				t.Fatalf("got %d, secret %v want 201 with the secret and the token listed", resp.StatusCode, m)
			}
			secret = m[1]
			if page := c.Do("GET", "/compte", "", nil); strings.Contains(page.Body, secret) || !strings.Contains(page.Body, "Révoquer « Compta »") {
				t.Fatalf("the page shows the secret again, or not the token")
			}
			if resp := script.Do("GET", "/api/v1/me", "", map[string]string{"Authorization": "Bearer " + secret}); resp.StatusCode != 200 {
				t.Fatalf("the token on the API: got %d want 200", resp.StatusCode)
			}
		})

		t.Run("a revoked token is marked so and refused by the API", func(t *testing.T) {
			page := c.Do("GET", "/compte", "", nil).Body
			m := regexp.MustCompile(`action="(/compte/jetons/\d+/revoquer)"`).FindStringSubmatch(page)
			if m == nil {
				t.Fatal("no revocation form")
			}
			if other := f.Client(t, servertest.ClerkOnet).PostForm(m[1], url.Values{}, true); other.StatusCode != http.StatusNotFound {
				t.Fatalf("another user revoking: got %d want 404", other.StatusCode)
			}
			resp := c.PostForm(m[1], url.Values{}, true)
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/compte?fait=revoque#jetons" {
				t.Fatalf("got %d to %q want 303 back to the account", resp.StatusCode, resp.Header.Get("Location"))
			}
			if page := c.Do("GET", "/compte?fait=revoque", "", nil).Body; !strings.Contains(page, "révoqué le") || !strings.Contains(page, "Le jeton est révoqué") {
				t.Fatalf("the page does not show the revocation")
			}
			if resp := script.Do("GET", "/api/v1/me", "", map[string]string{"Authorization": "Bearer " + secret}); resp.StatusCode != 401 {
				t.Fatalf("the revoked token on the API: got %d want 401", resp.StatusCode)
			}
		})

		t.Run("past the limit of live tokens the form says so and creates nothing", func(t *testing.T) {
			for i := range auth.MaxLiveTokens {
				resp := c.PostForm("/compte/jetons", url.Values{"name": {fmt.Sprintf("Script %d", i+1)}, "scope": {"read"}, "days": {"30"}}, true)
				if resp.StatusCode != http.StatusCreated {
					t.Fatalf("token %d of %d: got %d want 201", i+1, auth.MaxLiveTokens, resp.StatusCode)
				}
			}
			resp := c.PostForm("/compte/jetons", url.Values{"name": {"Un de trop"}, "scope": {"read"}, "days": {"30"}}, true)
			if resp.StatusCode != http.StatusUnprocessableEntity || secretRe.MatchString(resp.Body) ||
				!strings.Contains(resp.Body, `href="#f-token-name">Jetons actifs`) ||
				!strings.Contains(resp.Body, fmt.Sprintf("Vous avez déjà %d jetons actifs", auth.MaxLiveTokens)) {
				t.Fatalf("got %d want 422 naming « Jetons actifs » and the limit, without a secret", resp.StatusCode)
			}
			if page := c.Do("GET", "/compte", "", nil).Body; strings.Contains(page, "Un de trop") {
				t.Fatal("the refused token is listed")
			}
		})
	})
}
