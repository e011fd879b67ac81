package api

import (
	"net/http"
	"strconv"
	"strings"

	"voisines/internal/auth"
	"voisines/internal/server/problem"
)

// tokenRoutes are the personal API tokens of the logged-in user (a
// platform admin reaches anyone's with ?user_id=).
var tokenRoutes = []route{
	{"GET", "/api/v1/tokens", (*Handler).tokenList},
	{"POST", "/api/v1/tokens", (*Handler).tokenCreate},
	{"DELETE", "/api/v1/tokens/{id}", (*Handler).tokenRevoke},
}

// tokenRequest is the body of POST /api/v1/tokens.
type tokenRequest struct {
	Name          string `json:"name"`
	Scope         string `json:"scope"`
	ExpiresInDays int    `json:"expires_in_days"`
}

// tokenList lists the caller's tokens, or with ?user_id= another user's
// (platform admins only).
func (h *Handler) tokenList(w http.ResponseWriter, r *http.Request) {
	a, err := actor(r)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	userID := a.UserID()
	if v := strings.TrimSpace(r.URL.Query().Get("user_id")); v != "" {
		if userID, err = strconv.ParseInt(v, 10, 64); err != nil || userID <= 0 {
			h.Fail(w, r, problem.Invalid("Paramètre invalide.", problem.Field{Name: "user_id", Message: "identifiant d'utilisateur attendu"}))
			return
		}
	}
	tokens, err := h.auth.Tokens(r.Context(), a, userID)
	h.reply(w, r, http.StatusOK, struct {
		Tokens []auth.Token `json:"tokens"`
	}{tokens}, err)
}

// tokenCreate issues a token for the caller; the secret is in the answer
// and never again.
func (h *Handler) tokenCreate(w http.ResponseWriter, r *http.Request) {
	a, err := actor(r)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	var req tokenRequest
	if !h.decode(w, r, &req) {
		return
	}
	t, err := h.auth.CreateToken(r.Context(), a, auth.NewToken{Name: req.Name, Scope: auth.TokenScope(req.Scope), Days: req.ExpiresInDays})
	h.reply(w, r, http.StatusCreated, t, err)
}

// tokenRevoke ends a token at once: the caller's own, or anyone's for a
// platform admin; another user's token is 404.
func (h *Handler) tokenRevoke(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.actorAndID(w, r)
	if !ok {
		return
	}
	t, err := h.auth.RevokeToken(r.Context(), a, id)
	h.reply(w, r, http.StatusOK, t, err)
}
