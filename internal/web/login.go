package web

import (
	"errors"
	"net/http"
	"strings"

	"voisines/internal/auth"
	"voisines/internal/server/problem"
	"voisines/internal/server/session"
)

type loginData struct {
	Email string
	Next  string
}

// safeNext keeps a post-login destination only when it is a path of this
// site, so that the login form cannot be used as an open redirect.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}

func (h *Handler) loginForm(w http.ResponseWriter, r *http.Request) {
	next := safeNext(r.URL.Query().Get("suite"))
	if session.ActorFrom(r.Context()).User != nil {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	h.render(w, r, http.StatusOK, "login", newPage(r, "Se connecter", "connexion", loginData{Next: next}))
}

// login checks the password, opens a session and sends the user on. A wrong
// password or a throttled account re-displays the form with the French
// message at its top.
func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	email := strings.TrimSpace(r.PostFormValue("email"))
	password := r.PostFormValue("password")
	next := safeNext(r.PostFormValue("suite"))
	data := loginData{Email: email, Next: next}

	var fields []problem.Field
	if email == "" {
		fields = append(fields, problem.Field{Name: "email", Message: "indiquez votre adresse électronique"})
	}
	if password == "" {
		fields = append(fields, problem.Field{Name: "password", Message: "indiquez votre mot de passe"})
	}
	if len(fields) > 0 {
		h.loginFailed(w, r, data, problem.Invalid("Le formulaire est incomplet.", fields...))
		return
	}
	sess, err := h.auth.Login(r.Context(), email, password, session.ClientIP(r))
	if err != nil {
		h.loginFailed(w, r, data, err)
		return
	}
	session.SetCookie(w, sess, h.secure)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (h *Handler) loginFailed(w http.ResponseWriter, r *http.Request, data loginData, err error) {
	p := problem.From(err)
	if !errors.Is(err, auth.ErrBadCredentials) && !errors.Is(err, auth.ErrThrottled) && p.Code != "invalid_request" {
		h.Fail(w, r, err)
		return
	}
	pg := newPage(r, "Se connecter", "connexion", data)
	pg.Problem = &p
	h.render(w, r, p.Status, "login", pg)
}

// logout ends the session, on the server and in the browser.
func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	if token := session.From(r.Context()).Token; token != "" {
		if err := h.auth.Logout(r.Context(), token); err != nil {
			h.Fail(w, r, err)
			return
		}
	}
	session.ClearCookie(w, h.secure)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}
