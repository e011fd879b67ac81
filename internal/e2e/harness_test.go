package e2e

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
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
