package web

import (
	"errors"
	"net/http"
	"strings"

	"voisines/internal/auth"
	"voisines/internal/org"
	"voisines/internal/server/session"
	"voisines/internal/store"
	"voisines/internal/territory"
)

// searchLimit is how many communes a search shows.
const searchLimit = 50

type searchData struct {
	Query     string
	Results   []territory.CommuneRef
	Truncated bool
}

func (h *Handler) searchCommunes(w http.ResponseWriter, r *http.Request) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	data := searchData{Query: q}
	if q != "" {
		res, err := h.territory.Search(r.Context(), q, searchLimit+1)
		if err != nil {
			h.Fail(w, r, err)
			return
		}
		if len(res) > searchLimit {
			res, data.Truncated = res[:searchLimit], true
		}
		data.Results = res
	}
	title := "Rechercher une commune"
	if q != "" {
		title = "Recherche « " + q + " »"
	}
	h.render(w, r, http.StatusOK, "communes", newPage(r, title, "communes", data))
}

// withinKm is the radius of the "communes nearby" table.
const withinKm = 10

type communeData struct {
	Commune       territory.Commune
	EPCI          *territory.EPCI
	FellowMembers []territory.CommuneRef
	Org           *org.Organisation
	CanEdit       bool
	HasGeography  bool
	Adjacent      []territory.Neighbour
	Within        []territory.Neighbour
	WithinKm      int
}

// commune shows a commune's identity, populations with their sources, its
// EPCI and fellow members, its neighbours and its public contact profile.
func (h *Handler) commune(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	c, err := h.territory.Commune(ctx, r.PathValue("code"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	data := communeData{Commune: c, WithinKm: withinKm}
	if c.EPCISIREN != "" {
		e, err := h.territory.EPCI(ctx, c.EPCISIREN)
		if err != nil {
			h.Fail(w, r, err)
			return
		}
		data.EPCI = &e
		for _, m := range e.Members {
			if m.Code != c.Code {
				data.FellowMembers = append(data.FellowMembers, m)
			}
		}
	}
	o, err := h.orgs.ByCommune(ctx, c.Code)
	if data.Org, data.CanEdit, err = h.orgWithRights(r, o, err); err != nil {
		h.Fail(w, r, err)
		return
	}
	if c.Coordinates != nil {
		data.HasGeography = true
		if data.Adjacent, err = h.territory.Adjacent(ctx, c.Code); err != nil {
			h.Fail(w, r, err)
			return
		}
		if data.Within, err = h.territory.Within(ctx, c.Code, withinKm); err != nil {
			h.Fail(w, r, err)
			return
		}
	}
	h.render(w, r, http.StatusOK, "commune", newPage(r, c.Name+" ("+c.Code+")", "communes", data))
}

// orgWithRights turns the result of an organisation lookup into the page's
// view: none when the territory has no organisation row for it, and whether
// the visitor may edit it.
func (h *Handler) orgWithRights(r *http.Request, o org.Organisation, err error) (*org.Organisation, bool, error) {
	if errors.Is(err, store.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	actor := session.ActorFrom(r.Context())
	canEdit := actor.User != nil && auth.Authorize(actor, auth.Write, o.ID) == nil
	return &o, canEdit, nil
}

type epciData struct {
	EPCI    territory.EPCI
	Org     *org.Organisation
	CanEdit bool
}

func (h *Handler) epci(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	e, err := h.territory.EPCI(ctx, r.PathValue("siren"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	data := epciData{EPCI: e}
	o, err := h.orgs.BySIREN(ctx, e.SIREN)
	if data.Org, data.CanEdit, err = h.orgWithRights(r, o, err); err != nil {
		h.Fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "epci", newPage(r, e.Name, "communes", data))
}
