// Package server assembles the HTTP face of Voisines: the HTML pages
// (internal/web), the JSON API (internal/api), health endpoints and the
// shared middleware, over one set of domain services.
package server

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"voisines/internal/agreement"
	"voisines/internal/api"
	"voisines/internal/auth"
	"voisines/internal/equipment"
	"voisines/internal/ledger"
	"voisines/internal/org"
	"voisines/internal/purchasing"
	"voisines/internal/server/problem"
	"voisines/internal/service"
	"voisines/internal/staff"
	"voisines/internal/store"
	"voisines/internal/territory"
	"voisines/internal/web"
)

// Deps is everything the HTTP faces need, built once by `serve`.
type Deps struct {
	DB        *store.DB
	Log       *slog.Logger
	Territory *territory.Service
	Orgs      *org.Service
	Auth      *auth.Service
	// Agreements runs the conventions; nil builds one over DB, Orgs and
	// Territory.
	Agreements *agreement.Service
	// Ledger computes and reads statements and flows; nil builds one over
	// DB and Agreements.
	Ledger *ledger.Service
	// Staff, Services and Purchasing run secondments, shared services and
	// purchasing groups; nil builds each over DB, Agreements and Ledger.
	Staff      *staff.Service
	Services   *service.Manager
	Purchasing *purchasing.Service
	// SecureCookies marks cookies Secure (true behind HTTPS).
	SecureCookies bool
}

// MaxBodyBytes is the largest request body accepted; Voisines' forms and
// JSON bodies are a few kilobytes.
const MaxBodyBytes = 1 << 20

// server holds the pieces the middleware needs.
type server struct {
	deps  Deps
	log   *slog.Logger
	pages *web.Handler
	api   *api.Handler
}

// New builds the whole HTTP handler: routes of both faces, health endpoints
// and middleware. It fails when a template or asset cannot be loaded.
func New(deps Deps) (http.Handler, error) {
	if deps.DB == nil || deps.Territory == nil || deps.Orgs == nil || deps.Auth == nil {
		return nil, fmt.Errorf("server: incomplete dependencies")
	}
	if deps.Log == nil {
		deps.Log = slog.Default()
	}
	if deps.Agreements == nil {
		deps.Agreements = agreement.NewService(deps.DB, deps.Orgs, deps.Territory)
	}
	if deps.Ledger == nil {
		deps.Ledger = ledger.New(deps.DB, deps.Agreements)
	}
	equipments := equipment.New(deps.DB)
	if deps.Staff == nil {
		deps.Staff = staff.New(deps.DB, deps.Agreements, deps.Ledger)
	}
	if deps.Services == nil {
		deps.Services = service.New(deps.DB, deps.Agreements, deps.Ledger)
	}
	if deps.Purchasing == nil {
		deps.Purchasing = purchasing.New(deps.DB, deps.Agreements, deps.Ledger)
	}
	staffs, services, purchases := deps.Staff, deps.Services, deps.Purchasing
	pages, err := web.New(web.Config{
		Territory:     deps.Territory,
		Orgs:          deps.Orgs,
		Auth:          deps.Auth,
		Equipment:     equipments,
		Agreements:    deps.Agreements,
		Ledger:        deps.Ledger,
		Staff:         staffs,
		Services:      services,
		Purchasing:    purchases,
		Log:           deps.Log,
		SecureCookies: deps.SecureCookies,
	})
	if err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	s := &server{
		deps:  deps,
		log:   deps.Log,
		pages: pages,
		api: api.New(api.Config{
			Territory:     deps.Territory,
			Orgs:          deps.Orgs,
			Auth:          deps.Auth,
			Equipment:     equipments,
			Agreements:    deps.Agreements,
			Ledger:        deps.Ledger,
			Staff:         staffs,
			Services:      services,
			Purchasing:    purchases,
			Log:           deps.Log,
			SecureCookies: deps.SecureCookies,
		}),
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /readyz", s.readyz)
	s.pages.Register(mux)
	s.api.Register(mux)

	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, fmt.Errorf("cross-origin request refused: %w", problem.ErrCSRF))
	}))

	// Outermost first: every request is logged, panics are caught, headers
	// set and bodies limited before the session is looked up and the CSRF
	// token checked.
	var h http.Handler = mux
	h = s.checkCSRF(h)
	h = s.loadSession(h)
	h = cop.Handler(h)
	h = limitBody(h)
	h = s.securityHeaders(h)
	h = s.recoverPanics(h)
	h = s.logRequests(h)
	return h, nil
}

// isAPI reports whether r is for the JSON face.
func isAPI(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/") }

// fail answers r with err through the face it was meant for.
func (s *server) fail(w http.ResponseWriter, r *http.Request, err error) {
	if isAPI(r) {
		s.api.Fail(w, r, err)
		return
	}
	s.pages.Fail(w, r, err)
}

// writeProblem answers with p without logging (the caller already did).
func (s *server) writeProblem(w http.ResponseWriter, r *http.Request, p problem.Problem) {
	if isAPI(r) {
		s.api.WriteProblem(w, r, p)
		return
	}
	s.pages.WriteProblem(w, r, p)
}
