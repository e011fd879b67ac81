package api

import (
	"net/http"
	"time"

	"voisines/internal/auth"
	"voisines/internal/server/session"
)

// meResponse is the logged-in user, with the CSRF token that unsafe calls
// authenticated by the session cookie must send in X-CSRF-Token.
type meResponse struct {
	User      auth.User `json:"user"`
	CSRFToken string    `json:"csrf_token"`
}

func (h *Handler) me(w http.ResponseWriter, r *http.Request) {
	a, err := actor(r)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.writeJSON(w, http.StatusOK, meResponse{User: *a.User, CSRFToken: session.From(r.Context()).CSRF})
}

type sessionResponse struct {
	User      auth.User `json:"user"`
	CSRFToken string    `json:"csrf_token"`
	ExpiresAt time.Time `json:"expires_at"`
}

// login opens a session: the token comes back as the session cookie, the
// CSRF token in the body.
func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	req, err := parseLogin(r.Body)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	sess, err := h.auth.Login(r.Context(), req.Email, req.Password, session.ClientIP(r))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	user, err := h.auth.User(r.Context(), sess.UserID)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	session.SetCookie(w, sess, h.secure)
	h.writeJSON(w, http.StatusCreated, sessionResponse{User: user, CSRFToken: sess.CSRF, ExpiresAt: sess.ExpiresAt})
}

// logout ends the session of the cookie; a request made with an API token
// has no session to end.
func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	a, err := actor(r)
	if err == nil && a.Token != nil {
		err = auth.ErrSessionRequired
	}
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	if err := h.auth.Logout(r.Context(), session.From(r.Context()).Token); err != nil {
		h.Fail(w, r, err)
		return
	}
	session.ClearCookie(w, h.secure)
	w.WriteHeader(http.StatusNoContent)
}
