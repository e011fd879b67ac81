package web

import (
	"net/http"

	"voisines/internal/auth"
	"voisines/internal/server/session"
)

type homeData struct {
	Query       string
	Memberships []auth.Membership
}

// home shows a member their organisations, and anyone the search box.
func (h *Handler) home(w http.ResponseWriter, r *http.Request) {
	var data homeData
	if u := session.ActorFrom(r.Context()).User; u != nil {
		data.Memberships = u.Memberships
	}
	h.render(w, r, http.StatusOK, "home", newPage(r, "Accueil", "accueil", data))
}

// account lists the user's memberships.
func (h *Handler) account(w http.ResponseWriter, r *http.Request) {
	if session.ActorFrom(r.Context()).User == nil {
		h.Fail(w, r, auth.ErrUnauthenticated)
		return
	}
	h.render(w, r, http.StatusOK, "account", newPage(r, "Mon compte", "compte", nil))
}
