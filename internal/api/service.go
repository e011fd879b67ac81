package api

// The shared services (issue 6) under /api/v1/services: a service run by
// one organisation for the others under a mise à disposition de services,
// a service unifié or a service commun; its years (cost lines, budget
// update, forecast units → unit cost), the notification of the unit cost,
// the usage of each beneficiary (JSON or a CSV file) and the statements
// the ledger computes from them. Every handler is the same script: parse,
// read the service as the actor (404 to a user of no party), call
// service.Manager, answer. The manager holds every rule.

import (
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"voisines/internal/auth"
	"voisines/internal/civil"
	"voisines/internal/ledger"
	"voisines/internal/server/problem"
	"voisines/internal/service"
	"voisines/internal/store"
)

// serviceRoutes are the shared services: units of work, cost lines, unit
// cost and its notification, usage per beneficiary (issue 6).
var serviceRoutes = []route{
	{"GET", "/api/v1/services", (*Handler).serviceMine},
	{"POST", "/api/v1/services", (*Handler).serviceCreate},
	{"GET", "/api/v1/organisations/{id}/services", (*Handler).serviceOfOrg},
	{"GET", "/api/v1/services/{id}", (*Handler).serviceGet},
	{"PUT", "/api/v1/services/{id}", (*Handler).serviceUpdate},
	{"GET", "/api/v1/services/{id}/years", (*Handler).serviceYears},
	{"GET", "/api/v1/services/{id}/years/{year}", (*Handler).serviceYear},
	{"PUT", "/api/v1/services/{id}/years/{year}", (*Handler).serviceSetYear},
	{"GET", "/api/v1/services/{id}/years/{year}/notification", (*Handler).serviceNotification},
	{"POST", "/api/v1/services/{id}/years/{year}/notification", (*Handler).serviceNotify},
	{"GET", "/api/v1/services/{id}/usage", (*Handler).serviceUsage},
	{"POST", "/api/v1/services/{id}/usage", (*Handler).serviceRecordUsage},
	{"POST", "/api/v1/services/{id}/usage/import", (*Handler).serviceImportUsage},
	{"GET", "/api/v1/services/{id}/usage/template.csv", (*Handler).serviceUsageTemplate},
	{"DELETE", "/api/v1/services/{id}/usage/{uid}", (*Handler).serviceRemoveUsage},
	{"GET", "/api/v1/services/{id}/statements", (*Handler).serviceStatements},
	{"POST", "/api/v1/services/{id}/statements", (*Handler).serviceDraftStatement},
	{"POST", "/api/v1/services/{id}/statements/{sid}/issue", (*Handler).serviceIssueStatement},
	{"POST", "/api/v1/services/{id}/statements/{sid}/recompute", (*Handler).serviceRecomputeStatement},
}

// yearOf reads the year of the path; anything but a year names nothing.
func yearOf(r *http.Request) (int, error) {
	y, err := strconv.Atoi(r.PathValue("year"))
	if err != nil || y < 2000 || y > 2100 {
		return 0, fmt.Errorf("api: year %q: %w", r.PathValue("year"), store.ErrNotFound)
	}
	return y, nil
}

// serviceMine lists the services of every organisation of the user.
func (h *Handler) serviceMine(w http.ResponseWriter, r *http.Request) {
	a, err := actor(r)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	list, err := h.services.Mine(r.Context(), a)
	if list == nil {
		list = []service.Summary{}
	}
	h.reply(w, r, http.StatusOK, map[string]any{"services": list}, err)
}

// serviceOfOrg lists the services organisation {id} provides or benefits
// from.
func (h *Handler) serviceOfOrg(w http.ResponseWriter, r *http.Request) {
	a, org, ok := h.actorAndID(w, r)
	if !ok {
		return
	}
	if !h.orgListAllowed(w, r, a, org, "ses services partagés") {
		return
	}
	list, err := h.services.ForOrganisation(r.Context(), a, org)
	h.reply(w, r, http.StatusOK, map[string]any{"org_id": org, "services": list}, err)
}

// serviceBody is the body of POST and PUT /api/v1/services[/{id}].
type serviceBody struct {
	AgreementID int64 `json:"agreement_id,omitempty"`
	Version     int64 `json:"version,omitempty"`
	service.Details
}

func (h *Handler) serviceCreate(w http.ResponseWriter, r *http.Request) {
	a, err := actor(r)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	var b serviceBody
	if !h.decode(w, r, &b) {
		return
	}
	s, err := h.services.Create(r.Context(), a, b.AgreementID, b.Details)
	h.reply(w, r, http.StatusCreated, s, err)
}

func (h *Handler) serviceGet(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.actorAndID(w, r)
	if !ok {
		return
	}
	s, err := h.services.Get(r.Context(), a, id)
	h.reply(w, r, http.StatusOK, s, err)
}

func (h *Handler) serviceUpdate(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.actorAndID(w, r)
	if !ok {
		return
	}
	var b serviceBody
	if !h.decode(w, r, &b) {
		return
	}
	if b.Version <= 0 {
		h.Fail(w, r, versionRequired())
		return
	}
	s, err := h.services.Update(r.Context(), a, id, b.Version, b.Details)
	h.reply(w, r, http.StatusOK, s, err)
}

func versionRequired() error {
	return problem.Invalid("La version lue est obligatoire, pour ne pas écraser la modification de quelqu'un d'autre.",
		problem.Field{Name: "version", Message: "nombre entier positif obligatoire : la version que vous avez lue"})
}

func (h *Handler) serviceYears(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.actorAndID(w, r)
	if !ok {
		return
	}
	ys, err := h.services.Years(r.Context(), a, id)
	h.reply(w, r, http.StatusOK, map[string]any{"service_id": id, "years": ys}, err)
}

func (h *Handler) serviceYear(w http.ResponseWriter, r *http.Request) {
	a, id, year, ok := h.actorIDYear(w, r)
	if !ok {
		return
	}
	y, err := h.services.Year(r.Context(), a, id, year)
	h.reply(w, r, http.StatusOK, y, err)
}

// yearBody is the body of PUT /api/v1/services/{id}/years/{year}: the
// version read (0 or absent for a new year) and the year's input.
type yearBody struct {
	Version int64 `json:"version,omitempty"`
	service.YearInput
}

func (h *Handler) serviceSetYear(w http.ResponseWriter, r *http.Request) {
	a, id, year, ok := h.actorIDYear(w, r)
	if !ok {
		return
	}
	var b yearBody
	if !h.decode(w, r, &b) {
		return
	}
	y, err := h.services.SetYear(r.Context(), a, id, year, b.Version, b.YearInput)
	h.reply(w, r, http.StatusOK, y, err)
}

func (h *Handler) serviceNotification(w http.ResponseWriter, r *http.Request) {
	a, id, year, ok := h.actorIDYear(w, r)
	if !ok {
		return
	}
	st, err := h.services.Notification(r.Context(), a, id, year)
	h.reply(w, r, http.StatusOK, st, err)
}

func (h *Handler) serviceNotify(w http.ResponseWriter, r *http.Request) {
	a, id, year, ok := h.actorIDYear(w, r)
	if !ok {
		return
	}
	var in service.NoticeInput
	if !h.decode(w, r, &in) {
		return
	}
	n, err := h.services.Notify(r.Context(), a, id, year, in)
	h.reply(w, r, http.StatusCreated, n, err)
}

func (h *Handler) serviceUsage(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.actorAndID(w, r)
	if !ok {
		return
	}
	var f service.UsageFilter
	var fields []problem.Field
	q := r.URL.Query()
	for _, p := range []struct {
		name string
		dst  *civil.Date
	}{{"from", &f.From}, {"to", &f.To}} {
		if v := strings.TrimSpace(q.Get(p.name)); v != "" {
			d, err := civil.Parse(v)
			if err != nil {
				fields = append(fields, problem.Field{Name: p.name, Message: "date attendue au format 2026-04-30"})
			}
			*p.dst = d
		}
	}
	if v := strings.TrimSpace(q.Get("beneficiary")); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			fields = append(fields, problem.Field{Name: "beneficiary", Message: "identifiant d'organisation attendu"})
		}
		f.Beneficiary = n
	}
	if len(fields) > 0 {
		h.Fail(w, r, problem.Invalid("Les filtres de la requête ne sont pas valides.", fields...))
		return
	}
	v, err := h.services.Usage(r.Context(), a, id, f)
	h.reply(w, r, http.StatusOK, v, err)
}

func (h *Handler) serviceRecordUsage(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.actorAndID(w, r)
	if !ok {
		return
	}
	var in service.UsageInput
	if !h.decode(w, r, &in) {
		return
	}
	e, err := h.services.RecordUsage(r.Context(), a, id, in)
	h.reply(w, r, http.StatusCreated, e, err)
}

// serviceImportUsage imports a usage file sent as the body (text/csv) or as
// the "file" field of a multipart form: all of it or nothing.
func (h *Handler) serviceImportUsage(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.actorAndID(w, r)
	if !ok {
		return
	}
	var body io.Reader = r.Body
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == "multipart/form-data" {
		f, _, err := r.FormFile("file")
		if err != nil {
			h.Fail(w, r, uploadProblem(err))
			return
		}
		defer f.Close()
		body = f
	}
	rep, err := h.services.ImportUsage(r.Context(), a, id, body)
	h.replyWith(h.importFail(h.Fail, "aucun usage n'a été enregistré"), w, r, http.StatusOK, rep, err)
}

// serviceUsageTemplate sends a usage file to fill in, with one example
// line per beneficiary.
func (h *Handler) serviceUsageTemplate(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.actorAndID(w, r)
	if !ok {
		return
	}
	s, err := h.services.Get(r.Context(), a, id)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	writeFile(w, "text/csv; charset=utf-8", fmt.Sprintf("usages-service-%d.csv", id), []byte(service.ImportTemplate(s)))
}

func (h *Handler) serviceRemoveUsage(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.actorAndID(w, r)
	if !ok {
		return
	}
	uid, ok := h.pathParam(w, r, "uid")
	if !ok {
		return
	}
	if err := h.services.RemoveUsage(r.Context(), a, id, uid); err != nil {
		h.Fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// serviceStatements lists the statements of service {id}: the issued ones
// to every party, the drafts too to the provider (service.StatementsOf).
func (h *Handler) serviceStatements(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.actorAndID(w, r)
	if !ok {
		return
	}
	ss, err := h.services.Statements(r.Context(), a, id)
	if ss == nil {
		ss = []ledger.Statement{}
	}
	h.reply(w, r, http.StatusOK, map[string]any{"statements": ss}, err)
}

func (h *Handler) serviceDraftStatement(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.actorAndID(w, r)
	if !ok {
		return
	}
	var req service.StatementRequest
	if !h.decode(w, r, &req) {
		return
	}
	st, err := h.services.DraftStatement(r.Context(), a, id, req)
	h.reply(w, r, http.StatusCreated, st, err)
}

// statementStep runs an operation on statement {sid} of service {id}.
func (h *Handler) statementStep(w http.ResponseWriter, r *http.Request,
	op func(m *service.Manager, r *http.Request, a auth.Actor, id, sid int64) (ledger.Statement, error)) {
	a, id, ok := h.actorAndID(w, r)
	if !ok {
		return
	}
	sid, ok := h.pathParam(w, r, "sid")
	if !ok {
		return
	}
	st, err := op(h.services, r, a, id, sid)
	h.reply(w, r, http.StatusOK, st, err)
}

func (h *Handler) serviceIssueStatement(w http.ResponseWriter, r *http.Request) {
	h.statementStep(w, r, func(m *service.Manager, r *http.Request, a auth.Actor, id, sid int64) (ledger.Statement, error) {
		return m.IssueStatement(r.Context(), a, id, sid)
	})
}

func (h *Handler) serviceRecomputeStatement(w http.ResponseWriter, r *http.Request) {
	h.statementStep(w, r, func(m *service.Manager, r *http.Request, a auth.Actor, id, sid int64) (ledger.Statement, error) {
		return m.RecomputeStatement(r.Context(), a, id, sid)
	})
}
