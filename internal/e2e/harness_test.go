package e2e

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"voisines/internal/server/servertest"
)

// TestAxeFindsAViolation proves the harness really fails pages: a page with an
// unlabelled input and an image without alternative must be reported.
func TestAxeFindsAViolation(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(`<!doctype html><html><head><title>x</title></head><body><main><h1>x</h1>
			<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><input type="text"></main></body></html>`))
	}))
	defer srv.Close()
	ctx := browser(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL)); err != nil {
		t.Fatal(err)
	}
	vs, err := Axe(ctx, axe(t))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, v := range Serious(vs) {
		ids = append(ids, v.ID)
	}
	got := strings.Join(ids, ",")
	for _, want := range []string{"image-alt", "html-has-lang"} {
		if !strings.Contains(got, want) {
			t.Errorf("serious violations %q: want %s among them", got, want)
		}
	}
}

func browser(t *testing.T) context.Context {
	t.Helper()
	path, err := ChromiumPath()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	bctx, cancelBrowser := NewBrowser(ctx, path, t.TempDir())
	t.Cleanup(func() { cancelBrowser(); cancel() })
	return bctx
}

func axe(t *testing.T) string {
	t.Helper()
	src, err := AxeSource("../..")
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// pages is a headless Chromium opening the pages of the server at base,
// each checked with axe-core.
type pages struct {
	ctx   context.Context
	axeJS string
	base  string
}

func newPages(t *testing.T, base string) *pages {
	t.Helper()
	return &pages{ctx: browser(t), axeJS: axe(t), base: base}
}

// check fails unless the page's h1 contains wantH1 and it has no serious
// or critical axe-core violation; with VOISINES_SCREENSHOTS set to a
// folder, it keeps a PNG of the page there.
func (p *pages) check(t *testing.T, name, wantH1 string) {
	t.Helper()
	h1, err := chromedp.Run(p.ctx, chromedp.Text(chromedp.CSS("h1")))
	if err != nil {
		t.Fatalf("%s: read h1: %v", name, err)
	}
	if !strings.Contains(h1, wantH1) {
		t.Fatalf("%s: h1 %q, want it to contain %q", name, h1, wantH1)
	}
	vs, err := Axe(p.ctx, p.axeJS)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	for _, v := range Serious(vs) {
		t.Errorf("%s: accessibility: %s", name, v)
	}
	if dir := os.Getenv("VOISINES_SCREENSHOTS"); dir != "" {
		if png, err := chromedp.Run(p.ctx, chromedp.FullScreenshot(100)); err == nil {
			os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
		}
	}
}

// visit opens path and checks the page.
func (p *pages) visit(t *testing.T, name, path, wantH1 string) {
	t.Helper()
	if err := chromedp.Do(p.ctx, chromedp.Navigate(p.base+path)); err != nil {
		t.Fatalf("%s: open %s: %v", name, path, err)
	}
	p.check(t, name, wantH1)
}

// logIn fills and sends the login form open in the browser as the
// fixture account user.
func (p *pages) logIn(t *testing.T, user string) {
	t.Helper()
	if err := chromedp.Do(p.ctx,
		chromedp.SendKeys(chromedp.CSS("#f-email"), servertest.Email(user)),
		chromedp.SendKeys(chromedp.CSS("#f-password"), servertest.Password),
		chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/deconnexion"]`)),
	); err != nil {
		t.Fatalf("log in as %s: %v", user, err)
	}
}

// logOut sends the logout form and waits for the login link.
func (p *pages) logOut(t *testing.T) {
	t.Helper()
	if err := chromedp.Do(p.ctx, chromedp.Click(chromedp.CSS(`form[action="/deconnexion"] button`)), chromedp.WaitVisible(chromedp.CSS(`a[href="/connexion"]`))); err != nil {
		t.Fatalf("log out: %v", err)
	}
}
