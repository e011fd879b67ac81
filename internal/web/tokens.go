package web

import (
	"net/http"
	"strconv"
	"strings"

	"voisines/internal/auth"
	"voisines/internal/server/problem"
	"voisines/internal/server/session"
)

// The account page ("Mon compte") lists the user's memberships and their
// personal API tokens: create one (its secret is shown once, on the page
// that answers the form, never stored nor redirected to), revoke one.

// accountData is the account page's own data.
type accountData struct {
	Tokens []auth.Token
	// Issued is the token just created, with its secret.
	Issued *auth.IssuedToken
	Form   tokenForm
	// Errors are the form's problems, labelled in French; Invalid the
	// same by field name, for the fields themselves.
	Errors      []fieldError
	Invalid     map[string]string
	DefaultDays int
	MaxDays     int
}

// tokenForm is what the user typed in the creation form.
type tokenForm struct {
	Name  string
	Scope string
	Days  string
}

// tokenFieldLabels name the creation form's fields, by the domain's field
// names, and give their ids in the page.
var tokenFieldLabels = map[string][2]string{
	"name":            {"f-token-name", "Nom du jeton"},
	"scope":           {"f-token-scope-read", "Portée"},
	"expires_in_days": {"f-token-days", "Durée de validité"},
	"tokens":          {"f-token-name", "Jetons actifs"},
}

// tokenFlashes are the messages of ?fait= after a revocation.
var tokenFlashes = map[string]string{
	"revoque": "Le jeton est révoqué : il ne donne plus accès à l'API.",
}

// account shows the user's memberships and API tokens.
func (h *Handler) account(w http.ResponseWriter, r *http.Request) {
	h.renderAccount(w, r, http.StatusOK, accountData{}, nil)
}

// renderAccount renders the account page with the user's tokens, the
// given form state, and p as the error summary when not nil.
func (h *Handler) renderAccount(w http.ResponseWriter, r *http.Request, status int, data accountData, p *problem.Problem) {
	a := session.ActorFrom(r.Context())
	if a.User == nil {
		h.Fail(w, r, auth.ErrUnauthenticated)
		return
	}
	tokens, err := h.auth.Tokens(r.Context(), a, a.User.ID)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	data.Tokens, data.DefaultDays, data.MaxDays = tokens, auth.DefaultTokenDays, auth.MaxTokenDays
	if data.Form == (tokenForm{}) {
		data.Form = tokenForm{Scope: string(auth.ScopeRead), Days: strconv.Itoa(auth.DefaultTokenDays)}
	}
	pg := newPage(r, "Mon compte", "compte", data)
	pg.Problem = p
	pg.Flash = tokenFlashes[r.URL.Query().Get("fait")]
	h.render(w, r, status, "account", pg)
}

// tokenCreate issues a token and answers with the account page showing its
// secret, once.
func (h *Handler) tokenCreate(w http.ResponseWriter, r *http.Request) {
	a := session.ActorFrom(r.Context())
	form := tokenForm{
		Name:  strings.TrimSpace(r.PostFormValue("name")),
		Scope: r.PostFormValue("scope"),
		Days:  strings.TrimSpace(r.PostFormValue("days")),
	}
	days, err := strconv.Atoi(form.Days)
	if err != nil {
		days = -1 // not a number: refused with the other fields' problems
	}
	t, err := h.auth.CreateToken(r.Context(), a, auth.NewToken{Name: form.Name, Scope: auth.TokenScope(form.Scope), Days: days})
	if err != nil {
		h.tokenFailed(w, r, form, err)
		return
	}
	h.renderAccount(w, r, http.StatusCreated, accountData{Issued: &t}, nil)
}

// tokenFailed shows the form again with its errors, or the error page.
func (h *Handler) tokenFailed(w http.ResponseWriter, r *http.Request, form tokenForm, err error) {
	p := problem.From(err)
	if p.Status != http.StatusBadRequest && p.Status != http.StatusUnprocessableEntity {
		h.Fail(w, r, err)
		return
	}
	data := accountData{Form: form, Invalid: map[string]string{}}
	for _, f := range p.Fields {
		data.Invalid[f.Name] = f.Message
		l, ok := tokenFieldLabels[f.Name]
		if !ok {
			l = [2]string{"f-token-name", f.Name}
		}
		data.Errors = append(data.Errors, fieldError{ID: l[0], Label: l[1], Message: f.Message})
	}
	h.renderAccount(w, r, p.Status, data, &p)
}

// tokenRevoke revokes one of the user's tokens.
func (h *Handler) tokenRevoke(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		h.Fail(w, r, problem.ErrRouteNotFound)
		return
	}
	if _, err := h.auth.RevokeToken(r.Context(), session.ActorFrom(r.Context()), id); err != nil {
		h.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/compte?fait=revoque#jetons", http.StatusSeeOther)
}
