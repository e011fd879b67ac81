package api

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"voisines/internal/auth"
	"voisines/internal/org"
	"voisines/internal/server/problem"
	"voisines/internal/store"
)

// orgID reads the {id} of the path; a malformed id names no organisation.
func orgID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("api: organisation id %q: %w", r.PathValue("id"), store.ErrNotFound)
	}
	return id, nil
}

type organisationsResponse struct {
	Query         string             `json:"query,omitempty"`
	Kind          string             `json:"kind,omitempty"`
	Organisations []org.Organisation `json:"organisations"`
}

// organisations searches organisations by name or SIREN (?q=) and kind
// (?kind=commune…). Their public contact profiles are open data.
func (h *Handler) organisations(w http.ResponseWriter, r *http.Request) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	kind := strings.TrimSpace(r.URL.Query().Get("kind"))
	if kind != "" && !org.Kind(kind).Valid() {
		h.Fail(w, r, problem.Invalid("Un paramètre de la requête est invalide.",
			problem.Field{Name: "kind", Message: "nature d'organisation inconnue"}))
		return
	}
	limit, err := intParam(r, "limit", defaultSearchLimit, 1, maxSearchLimit)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	if q == "" && kind == "" {
		h.Fail(w, r, problem.Invalid("Indiquez ce que vous cherchez.",
			problem.Field{Name: "q", Message: "nom ou SIREN obligatoire (ou une nature avec kind)"}))
		return
	}
	found, err := h.orgs.Search(r.Context(), org.Query{Text: q, Kind: org.Kind(kind), Limit: limit})
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	if found == nil {
		found = []org.Organisation{}
	}
	h.writeJSON(w, http.StatusOK, organisationsResponse{Query: q, Kind: kind, Organisations: found})
}

func (h *Handler) organisation(w http.ResponseWriter, r *http.Request) {
	id, err := orgID(r)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	o, err := h.orgs.Get(r.Context(), id)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.writeJSON(w, http.StatusOK, o)
}

// patchProfile changes an organisation's public contact profile: parse,
// authorise, call the domain (which authorises again and refuses a stale
// version with 409), answer with the organisation as now saved.
func (h *Handler) patchProfile(w http.ResponseWriter, r *http.Request) {
	a, err := actor(r)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	id, err := orgID(r)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	if err := auth.Authorize(a, auth.Write, id); err != nil {
		h.Fail(w, r, err)
		return
	}
	patch, err := parseProfilePatch(r.Body)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	cur, err := h.orgs.Get(r.Context(), id)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	updated, err := h.orgs.UpdateProfile(r.Context(), a, id, *patch.Version, patch.apply(cur.Profile))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.writeJSON(w, http.StatusOK, updated)
}
