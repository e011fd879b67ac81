package server

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"voisines/internal/api"
	"voisines/internal/web"
)

// TestAPanicIsLoggedOnceAndAnswered500 checks the recover middleware: the
// panic is logged with its stack, once, and the user gets a French 500 page
// (or JSON under /api/), never the panic's text.
func TestAPanicIsLoggedOnceAndAnswered500(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	pages, err := web.New(web.Config{Log: log})
	if err != nil {
		t.Fatal(err)
	}
	s := &server{log: log, pages: pages, api: api.New(api.Config{Log: log})}
	h := s.logRequests(s.recoverPanics(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		panic("secret database detail")
	})))
	for _, tc := range []struct{ path, want string }{
		{"/communes/12202", "Erreur interne"},
		{"/api/v1/communes/12202", `"code":"internal"`},
	} {
		logs.Reset()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", tc.path, nil))
		if rec.Code != http.StatusInternalServerError || !strings.Contains(rec.Body.String(), tc.want) {
			t.Errorf("%s: got %d %s want 500 with %q", tc.path, rec.Code, rec.Body, tc.want)
		}
		if strings.Contains(rec.Body.String(), "secret") {
			t.Errorf("%s: the panic's text reached the client", tc.path)
		}
		if n := strings.Count(logs.String(), "secret database detail"); n != 1 {
			t.Errorf("%s: the panic is logged %d times, want once:\n%s", tc.path, n, logs.String())
		}
	}
}
