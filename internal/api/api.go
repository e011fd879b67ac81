// Package api is the JSON face of Voisines, versioned under /api/v1/. It calls
// the same domain operations as the HTML pages. Territory reads are public;
// everything else acts as the user of the session cookie or of the personal
// API token (Authorization: Bearer) the request carries. The OpenAPI
// document that lists every route lives next to the handlers, in
// openapi.json.
package api

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"voisines/internal/agreement"
	"voisines/internal/auth"
	"voisines/internal/equipment"
	"voisines/internal/ledger"
	"voisines/internal/org"
	"voisines/internal/purchasing"
	"voisines/internal/server/problem"
	"voisines/internal/server/session"
	"voisines/internal/service"
	"voisines/internal/staff"
	"voisines/internal/territory"
)

// Config is what the API needs.
type Config struct {
	Territory     *territory.Service
	Orgs          *org.Service
	Auth          *auth.Service
	Agreements    *agreement.Service
	Equipment     *equipment.Service
	Ledger        *ledger.Service
	Staff         *staff.Service
	Services      *service.Manager
	Purchasing    *purchasing.Service
	Log           *slog.Logger
	SecureCookies bool
}

// Handler serves the JSON API.
type Handler struct {
	territory *territory.Service
	orgs      *org.Service
	auth      *auth.Service
	agreement *agreement.Service
	equipment *equipment.Service
	ledger    *ledger.Service
	staff     *staff.Service
	services  *service.Manager
	purchase  *purchasing.Service
	log       *slog.Logger
	secure    bool
}

// New returns the API handler.
func New(cfg Config) *Handler {
	h := &Handler{territory: cfg.Territory, orgs: cfg.Orgs, auth: cfg.Auth, equipment: cfg.Equipment, log: cfg.Log, secure: cfg.SecureCookies}
	h.agreement = cfg.Agreements
	h.ledger = cfg.Ledger
	h.staff, h.services, h.purchase = cfg.Staff, cfg.Services, cfg.Purchasing
	if h.log == nil {
		h.log = slog.Default()
	}
	return h
}

// route is one API endpoint. The routes table is what Register installs and
// what the OpenAPI test compares with the document; each route family keeps
// its own slice in its own file and is listed here.
type route struct {
	method  string
	pattern string
	handle  func(h *Handler, w http.ResponseWriter, r *http.Request)
}

var routes = slices.Concat(coreRoutes, ledgerWriteRoutes, staffRoutes, serviceRoutes, purchasingRoutes, tokenRoutes)

// coreRoutes are the territory, organisations, accounts, conventions,
// equipment and ledger reads.
var coreRoutes = []route{
	{"GET", "/api/v1/openapi.json", (*Handler).openAPI},
	{"GET", "/api/v1/communes", (*Handler).searchCommunes},
	{"GET", "/api/v1/communes/{code}", (*Handler).commune},
	{"GET", "/api/v1/communes/{code}/neighbours", (*Handler).neighbours},
	{"GET", "/api/v1/communes/{code}/adjacent", (*Handler).adjacent},
	{"GET", "/api/v1/epci/{siren}", (*Handler).epci},
	{"GET", "/api/v1/departements/{code}", (*Handler).departement},
	{"GET", "/api/v1/organisations", (*Handler).organisations},
	{"GET", "/api/v1/organisations/{id}", (*Handler).organisation},
	{"PATCH", "/api/v1/organisations/{id}/profile", (*Handler).patchProfile},
	{"GET", "/api/v1/me", (*Handler).me},
	{"POST", "/api/v1/session", (*Handler).login},
	{"DELETE", "/api/v1/session", (*Handler).logout},
	{"GET", "/api/v1/agreement-kinds", (*Handler).agreementKinds},
	{"GET", "/api/v1/agreements", (*Handler).agreementList},
	{"POST", "/api/v1/agreements", (*Handler).agreementCreate},
	{"GET", "/api/v1/agreements/alerts", (*Handler).agreementAlerts},
	{"POST", "/api/v1/agreements/import", (*Handler).agreementImport},
	{"GET", "/api/v1/agreements/{id}", (*Handler).agreementGet},
	{"PUT", "/api/v1/agreements/{id}", (*Handler).agreementUpdate},
	{"POST", "/api/v1/agreements/{id}/submit", (*Handler).agreementSubmit},
	{"POST", "/api/v1/agreements/{id}/approvals", (*Handler).agreementApprove},
	{"POST", "/api/v1/agreements/{id}/signatures", (*Handler).agreementSign},
	{"POST", "/api/v1/agreements/{id}/amendments", (*Handler).agreementAmend},
	{"POST", "/api/v1/agreements/{id}/renewal", (*Handler).agreementRenew},
	{"POST", "/api/v1/agreements/{id}/termination", (*Handler).agreementTerminate},
	{"POST", "/api/v1/agreements/{id}/decisions", (*Handler).agreementDecide},
	{"POST", "/api/v1/agreements/{id}/unit-cost-notices", (*Handler).agreementUnitCostNotice},
	{"GET", "/api/v1/agreements/{id}/versions", (*Handler).agreementVersions},
	{"GET", "/api/v1/agreements/{id}/document.pdf", (*Handler).agreementPDF},
	{"GET", "/api/v1/agreements/{id}/amendments/{n}/document.pdf", (*Handler).amendmentPDF},
	{"GET", "/api/v1/agreements/{id}/attachments", (*Handler).attachmentList},
	{"POST", "/api/v1/agreements/{id}/attachments", (*Handler).attachmentUpload},
	{"GET", "/api/v1/agreements/{id}/attachments/{aid}", (*Handler).attachmentDownload},
	{"DELETE", "/api/v1/agreements/{id}/attachments/{aid}", (*Handler).attachmentDelete},
	{"GET", "/api/v1/opendata/agreements.csv", (*Handler).openDataCSV},
	{"GET", "/api/v1/opendata/agreements.json", (*Handler).openDataJSON},
	{"GET", "/api/v1/equipment", (*Handler).equipmentSearch},
	{"POST", "/api/v1/equipment", (*Handler).equipmentCreate},
	{"GET", "/api/v1/equipment/{id}", (*Handler).equipmentGet},
	{"PUT", "/api/v1/equipment/{id}", (*Handler).equipmentUpdate},
	{"GET", "/api/v1/equipment/{id}/calendar", (*Handler).equipmentCalendar},
	{"POST", "/api/v1/equipment/{id}/bookings", (*Handler).bookingCreate},
	{"POST", "/api/v1/equipment/{id}/series", (*Handler).seriesCreate},
	{"POST", "/api/v1/equipment/{id}/blackouts", (*Handler).blackoutCreate},
	{"POST", "/api/v1/equipment/{id}/feeds", (*Handler).equipmentFeedCreate},
	{"GET", "/api/v1/bookings/{id}", (*Handler).bookingGet},
	{"POST", "/api/v1/bookings/{id}/approve", (*Handler).bookingApprove},
	{"POST", "/api/v1/bookings/{id}/refuse", (*Handler).bookingRefuse},
	{"POST", "/api/v1/bookings/{id}/cancel", (*Handler).bookingCancel},
	{"PUT", "/api/v1/bookings/{id}/use", (*Handler).bookingUse},
	{"POST", "/api/v1/booking-series/{id}/cancel", (*Handler).seriesCancel},
	{"GET", "/api/v1/organisations/{id}/bookings", (*Handler).orgBookings},
	{"GET", "/api/v1/organisations/{id}/equipment-alerts", (*Handler).orgEquipmentAlerts},
	{"GET", "/api/v1/organisations/{id}/usage", (*Handler).orgUsage},
	{"GET", "/api/v1/organisations/{id}/feeds", (*Handler).orgFeeds},
	{"POST", "/api/v1/organisations/{id}/feeds", (*Handler).orgFeedCreate},
	{"DELETE", "/api/v1/feeds/{id}", (*Handler).feedRevoke},
	{"GET", "/api/v1/holidays", (*Handler).holidays},
	{"POST", "/api/v1/organisations/{id}/undivided-properties", (*Handler).propertyCreate},
	{"GET", "/api/v1/undivided-properties/{id}", (*Handler).propertyGet},
	{"PUT", "/api/v1/undivided-properties/{id}/accounts/{year}", (*Handler).propertyAccounts},
	{"GET", "/api/v1/undivided-properties/{id}/distribution/{year}", (*Handler).propertyDistribution},
	{"GET", "/api/v1/undivided-properties", (*Handler).propertyListAll},
	{"GET", "/api/v1/undivided-properties/{id}/accounts", (*Handler).propertyAccountsList},
	{"POST", "/api/v1/undivided-properties/{id}/distribution/{year}/statement", (*Handler).propertyStatement},
	{"GET", "/api/v1/organisations/{id}/ledger/{year}", (*Handler).ledgerYear},
	{"GET", "/api/v1/organisations/{id}/ledger/{year}.xlsx", (*Handler).ledgerYearXLSX},
	{"GET", "/api/v1/organisations/{id}/ledger/{year}/titres.csv", (*Handler).ledgerTitresCSV},
	{"GET", "/api/v1/statements/{id}", (*Handler).statementGet},
	{"GET", "/api/v1/statements/{id}/document.pdf", (*Handler).statementPDF},
	{"GET", "/api/v1/agreements/{id}/statements", (*Handler).agreementStatements},
}

// Register adds the API routes to mux, and a catch-all that answers unknown
// API paths in JSON.
func (h *Handler) Register(mux *http.ServeMux) {
	for _, rt := range routes {
		if strings.Contains(rt.pattern, "}.") {
			continue // a wildcard with a suffix: served by the segment's route, which dispatches on it
		}
		handle := rt.handle
		mux.HandleFunc(rt.method+" "+rt.pattern, func(w http.ResponseWriter, r *http.Request) { handle(h, w, r) })
	}
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) { h.unrouted(mux, w, r) })
}

// unrouted answers a request no API route took: 405 with Allow when the path
// exists for other methods, 404 otherwise, both in JSON.
func (h *Handler) unrouted(mux *http.ServeMux, w http.ResponseWriter, r *http.Request) {
	var allow []string
	for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := mux.Handler(probe); pattern != "/api/" && pattern != "" {
			allow = append(allow, m)
		}
	}
	if len(allow) == 0 {
		h.Fail(w, r, problem.ErrRouteNotFound)
		return
	}
	w.Header().Set("Allow", strings.Join(allow, ", "))
	h.Fail(w, r, problem.ErrMethodNotAllowed)
}

// errorBody is the JSON of every error: {"error": {"code", "message", "fields"}}.
type errorBody struct {
	Error problem.Problem `json:"error"`
}

// writeJSON sends v with status.
func (h *Handler) writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		h.log.Debug("api: write response", "error", err)
	}
}

// Fail answers with the JSON error for err, logging err once when it is the
// server's fault.
func (h *Handler) Fail(w http.ResponseWriter, r *http.Request, err error) {
	p := problem.From(err)
	if p.Internal() {
		h.log.Error("api request failed", "error", err, "method", r.Method, "path", r.URL.Path,
			"request_id", session.From(r.Context()).RequestID)
	}
	h.WriteProblem(w, r, p)
}

// WriteProblem answers with the JSON error for p, without logging.
func (h *Handler) WriteProblem(w http.ResponseWriter, r *http.Request, p problem.Problem) {
	if p.Status == http.StatusUnauthorized {
		// Two ways in: a personal API token (RFC 6750), or the session cookie.
		if p.Code == "invalid_token" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="voisines", error="invalid_token"`)
		} else {
			w.Header().Set("WWW-Authenticate", `Bearer realm="voisines"`)
			w.Header().Add("WWW-Authenticate", `Cookie realm="voisines", cookie-name="`+session.CookieName+`"`)
		}
	}
	h.writeJSON(w, p.Status, errorBody{Error: p})
}

// actor returns the request's actor, or ErrUnauthenticated.
func actor(r *http.Request) (auth.Actor, error) {
	a := session.ActorFrom(r.Context())
	if a.User == nil {
		return a, auth.ErrUnauthenticated
	}
	return a, nil
}
