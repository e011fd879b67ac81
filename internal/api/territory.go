package api

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"voisines/internal/server/problem"
	"voisines/internal/store"
	"voisines/internal/territory"
)

// Limits of the territory queries.
const (
	defaultSearchLimit = 20
	maxSearchLimit     = 100
	defaultWithinKm    = 10
	maxWithinKm        = 100
)

// communeResponse is a commune with the id of its organisation, the one to
// use for organisation endpoints.
type communeResponse struct {
	territory.Commune
	OrganisationID int64 `json:"organisation_id,omitempty"`
}

func (h *Handler) commune(w http.ResponseWriter, r *http.Request) {
	c, err := h.territory.Commune(r.Context(), r.PathValue("code"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	resp := communeResponse{Commune: c}
	o, err := h.orgs.ByCommune(r.Context(), c.Code)
	switch {
	case err == nil:
		resp.OrganisationID = o.ID
	case !errors.Is(err, store.ErrNotFound):
		h.Fail(w, r, err)
		return
	}
	h.writeJSON(w, http.StatusOK, resp)
}

// intParam reads an optional integer query parameter within [min, max].
func intParam(r *http.Request, name string, def, min, max int) (int, error) {
	s := strings.TrimSpace(r.URL.Query().Get(name))
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < min || n > max {
		return 0, problem.Invalid("Un paramètre de la requête est invalide.",
			problem.Field{Name: name, Message: "nombre entier entre " + strconv.Itoa(min) + " et " + strconv.Itoa(max) + " attendu"})
	}
	return n, nil
}

type searchResponse struct {
	Query    string                 `json:"query"`
	Communes []territory.CommuneRef `json:"communes"`
}

func (h *Handler) searchCommunes(w http.ResponseWriter, r *http.Request) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if q == "" {
		h.Fail(w, r, problem.Invalid("Indiquez ce que vous cherchez.",
			problem.Field{Name: "q", Message: "nom, code Insee ou code postal obligatoire"}))
		return
	}
	limit, err := intParam(r, "limit", defaultSearchLimit, 1, maxSearchLimit)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	res, err := h.territory.Search(r.Context(), q, limit)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	if res == nil {
		res = []territory.CommuneRef{}
	}
	h.writeJSON(w, http.StatusOK, searchResponse{Query: q, Communes: res})
}

type neighboursResponse struct {
	Commune    string                `json:"commune"`
	WithinKm   float64               `json:"within_km,omitempty"`
	Adjacent   bool                  `json:"adjacent,omitempty"`
	Neighbours []territory.Neighbour `json:"neighbours"`
}

// neighbours lists the communes within ?within_km= (default 10) of a commune,
// nearest first, or with ?adjacent=true those sharing a border.
func (h *Handler) neighbours(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Query().Get("adjacent") {
	case "", "false":
	case "true":
		h.adjacent(w, r)
		return
	default:
		h.Fail(w, r, problem.Invalid("Un paramètre de la requête est invalide.",
			problem.Field{Name: "adjacent", Message: "true ou false attendu"}))
		return
	}
	km := float64(defaultWithinKm)
	if s := strings.TrimSpace(r.URL.Query().Get("within_km")); s != "" {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || !(v > 0 && v <= maxWithinKm) {
			h.Fail(w, r, problem.Invalid("Un paramètre de la requête est invalide.",
				problem.Field{Name: "within_km", Message: "distance en kilomètres, supérieure à 0 et au plus 100"}))
			return
		}
		km = v
	}
	code := r.PathValue("code")
	ns, err := h.territory.Within(r.Context(), code, km)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	if ns == nil {
		ns = []territory.Neighbour{}
	}
	h.writeJSON(w, http.StatusOK, neighboursResponse{Commune: code, WithinKm: km, Neighbours: ns})
}

func (h *Handler) adjacent(w http.ResponseWriter, r *http.Request) {
	code := r.PathValue("code")
	ns, err := h.territory.Adjacent(r.Context(), code)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	if ns == nil {
		ns = []territory.Neighbour{}
	}
	h.writeJSON(w, http.StatusOK, neighboursResponse{Commune: code, Adjacent: true, Neighbours: ns})
}

// epciResponse is an EPCI with the id of its organisation.
type epciResponse struct {
	territory.EPCI
	OrganisationID int64 `json:"organisation_id,omitempty"`
}

func (h *Handler) epci(w http.ResponseWriter, r *http.Request) {
	e, err := h.territory.EPCI(r.Context(), r.PathValue("siren"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	resp := epciResponse{EPCI: e}
	o, err := h.orgs.BySIREN(r.Context(), e.SIREN)
	switch {
	case err == nil:
		resp.OrganisationID = o.ID
	case !errors.Is(err, store.ErrNotFound):
		h.Fail(w, r, err)
		return
	}
	h.writeJSON(w, http.StatusOK, resp)
}

func (h *Handler) departement(w http.ResponseWriter, r *http.Request) {
	d, err := h.territory.Departement(r.Context(), r.PathValue("code"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.writeJSON(w, http.StatusOK, d)
}
