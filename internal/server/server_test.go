package server_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"voisines/internal/auth"
	"voisines/internal/org"
	"voisines/internal/server"
	"voisines/internal/server/servertest"
	"voisines/internal/server/session"
	"voisines/internal/store"
	"voisines/internal/store/storetest"
	"voisines/internal/territory"
)

func TestHealthAndMiddleware(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := servertest.New(t, db, servertest.Options{})
		c := f.Client(t, servertest.Nobody)

		t.Run("healthz says the process is alive", func(t *testing.T) {
			if r := c.Do("GET", "/healthz", "", nil); r.StatusCode != 200 || r.Body != "ok\n" {
				t.Fatalf("got %d %q want 200 ok", r.StatusCode, r.Body)
			}
		})
		t.Run("readyz says the database answers with a current schema", func(t *testing.T) {
			if r := c.Do("GET", "/readyz", "", nil); r.StatusCode != 200 || !strings.Contains(r.Body, `"ready"`) {
				t.Fatalf("got %d %s want 200 ready", r.StatusCode, r.Body)
			}
		})
		t.Run("every response carries the security headers", func(t *testing.T) {
			for _, path := range []string{"/", "/api/v1/communes/12202", "/nulle-part"} {
				r := c.Do("GET", path, "", nil)
				h := r.Header
				csp := h.Get("Content-Security-Policy")
				for _, want := range []string{"frame-ancestors 'none'", "script-src 'self'", "default-src 'self'"} {
					if !strings.Contains(csp, want) {
						t.Errorf("%s: CSP %q lacks %q", path, csp, want)
					}
				}
				if strings.Contains(csp, "unsafe-inline") {
					t.Errorf("%s: CSP allows inline code: %q", path, csp)
				}
				if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") == "" || h.Get("X-Request-Id") == "" {
					t.Errorf("%s: headers %v", path, h)
				}
			}
		})
		t.Run("a body over the limit is refused", func(t *testing.T) {
			big := `{"email":"` + strings.Repeat("a", server.MaxBodyBytes) + `","password":"x"}`
			r := c.Do("POST", "/api/v1/session", big, nil)
			if r.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(r.Body, `"too_large"`) {
				t.Fatalf("got %d %s want 413 too_large", r.StatusCode, r.Body)
			}
		})
		t.Run("a cross-site form post is refused", func(t *testing.T) {
			r := c.Do("POST", "/connexion", "email=a&password=b", map[string]string{
				"Content-Type": "application/x-www-form-urlencoded", "Sec-Fetch-Site": "cross-site"})
			if r.StatusCode != http.StatusForbidden {
				t.Fatalf("got %d want 403", r.StatusCode)
			}
		})
		t.Run("the session cookie is HttpOnly and SameSite=Lax", func(t *testing.T) {
			r := c.Do("POST", "/api/v1/session", `{"email":"`+servertest.Email(servertest.ClerkRodez)+`","password":"`+servertest.Password+`"}`, nil)
			if r.StatusCode != http.StatusCreated {
				t.Fatalf("login: got %d %s", r.StatusCode, r.Body)
			}
			cookie := r.Header.Get("Set-Cookie")
			for _, want := range []string{"voisines_session=", "HttpOnly", "SameSite=Lax", "Path=/"} {
				if !strings.Contains(cookie, want) {
					t.Errorf("Set-Cookie %q lacks %s", cookie, want)
				}
			}
			if strings.Contains(cookie, "Secure") {
				t.Errorf("Set-Cookie %q is Secure without --secure-cookies", cookie)
			}
		})
		t.Run("an unknown session cookie is anonymous", func(t *testing.T) {
			anon := f.Client(t, servertest.Nobody)
			r := anon.Do("GET", "/api/v1/me", "", map[string]string{"Cookie": "voisines_session=forged"})
			if r.StatusCode != http.StatusUnauthorized {
				t.Fatalf("got %d want 401", r.StatusCode)
			}
		})
	})
}

func TestReadyzFailsOnAStaleSchema(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "empty.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	h, err := server.New(server.Deps{DB: db, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Territory: territory.New(db), Orgs: org.New(db), Auth: auth.New(db)})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- server.ServeListener(ctx, ln, h, slog.New(slog.NewTextHandler(io.Discard, nil))) }()
	base := "http://" + ln.Addr().String()

	resp, err := http.Get(base + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), "schema") {
		t.Fatalf("readyz on an empty database: got %d %s want 503 naming the schema", resp.StatusCode, body)
	}
	if resp, err := http.Get(base + "/healthz"); err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz: %v %v", resp, err)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("graceful shutdown: got %v want nil", err)
		}
	case <-time.After(server.ShutdownTimeout + 5*time.Second):
		t.Fatal("ServeListener did not return after the context was cancelled")
	}
}

// TestAUsedSessionSendsItsCookieAgainWithTheNewExpiry checks that a session
// whose expiry slides also moves the browser's cookie: otherwise the browser
// would drop it 12 hours after login even while the clerk is working.
func TestAUsedSessionSendsItsCookieAgainWithTheNewExpiry(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := servertest.New(t, db, servertest.Options{})
		c := f.Client(t, servertest.ClerkRodez)
		if resp := c.Do("GET", "/compte", "", nil); resp.Header.Get("Set-Cookie") != "" &&
			strings.Contains(resp.Header.Get("Set-Cookie"), session.CookieName+"=") {
			t.Fatalf("a session seen a moment ago sent its cookie again: %q", resp.Header.Get("Set-Cookie"))
		}
		// Pretend the last request was two hours ago.
		if _, err := db.Reader().ExecContext(context.Background(),
			`UPDATE sessions SET last_seen_at = ?, expires_at = ?`,
			time.Now().UTC().Add(-2*time.Hour), time.Now().UTC().Add(10*time.Hour)); err != nil {
			t.Fatal(err)
		}
		resp := c.Do("GET", "/compte", "", nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /compte: got %d want 200", resp.StatusCode)
		}
		var renewed *http.Cookie
		for _, ck := range (&http.Response{Header: resp.Header}).Cookies() {
			if ck.Name == session.CookieName {
				renewed = ck
			}
		}
		if renewed == nil {
			t.Fatalf("no %s cookie in the answer: got %q", session.CookieName, resp.Header.Values("Set-Cookie"))
		}
		want := time.Now().Add(auth.SessionIdle)
		if d := renewed.Expires.Sub(want); d < -time.Minute || d > time.Minute {
			t.Fatalf("cookie expiry: got %v want about %v", renewed.Expires, want)
		}
	})
}
