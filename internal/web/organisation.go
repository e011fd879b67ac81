package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"voisines/internal/auth"
	"voisines/internal/org"
	"voisines/internal/server/problem"
	"voisines/internal/server/session"
	"voisines/internal/store"
)

// orgID reads the {id} of the path; a malformed id is a page that does not exist.
func orgID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("web: organisation id %q: %w", r.PathValue("id"), store.ErrNotFound)
	}
	return id, nil
}

// organisation sends to the organisation's public page: the commune or EPCI
// page for those, the profile page for the others.
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
	target := fmt.Sprintf("/organisations/%d/profil", o.ID)
	switch {
	case o.CommuneCode != "":
		target = "/communes/" + o.CommuneCode
	case o.EPCISIREN != "":
		target = "/epci/" + o.EPCISIREN
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

type profileData struct {
	Org      org.Organisation
	Form     org.Profile
	Invalid  map[string]string // field name → message
	Conflict bool
}

// profileForm shows the contact profile form to members who may write for
// the organisation; anyone else gets the French refusal page.
func (h *Handler) profileForm(w http.ResponseWriter, r *http.Request) {
	o, ok := h.writableOrg(w, r)
	if !ok {
		return
	}
	pg := newPage(r, "Contact de "+o.Name, "", profileData{Org: o, Form: o.Profile, Invalid: map[string]string{}})
	if r.URL.Query().Get("enregistre") == "1" {
		pg.Flash = "Les informations de contact ont été enregistrées."
	}
	h.render(w, r, http.StatusOK, "profile", pg)
}

// writableOrg loads the organisation of the path and checks that the actor
// may write for it, answering the request itself when not.
func (h *Handler) writableOrg(w http.ResponseWriter, r *http.Request) (org.Organisation, bool) {
	actor := session.ActorFrom(r.Context())
	if actor.User == nil {
		h.Fail(w, r, auth.ErrUnauthenticated)
		return org.Organisation{}, false
	}
	id, err := orgID(r)
	if err != nil {
		h.Fail(w, r, err)
		return org.Organisation{}, false
	}
	if err := auth.Authorize(actor, auth.Write, id); err != nil {
		h.Fail(w, r, err)
		return org.Organisation{}, false
	}
	o, err := h.orgs.Get(r.Context(), id)
	if err != nil {
		h.Fail(w, r, err)
		return org.Organisation{}, false
	}
	return o, true
}

// saveProfile records the posted profile. The domain checks the actor's
// right again and refuses a stale version with a conflict.
func (h *Handler) saveProfile(w http.ResponseWriter, r *http.Request) {
	o, ok := h.writableOrg(w, r)
	if !ok {
		return
	}
	form := org.Profile{
		Address:        strings.TrimSpace(r.PostFormValue("address")),
		Email:          strings.TrimSpace(r.PostFormValue("email")),
		Phone:          strings.TrimSpace(r.PostFormValue("phone")),
		Website:        strings.TrimSpace(r.PostFormValue("website")),
		Representative: strings.TrimSpace(r.PostFormValue("representative")),
	}
	version, err := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	if err != nil || version <= 0 {
		h.profileFailed(w, r, o, form, problem.Invalid("Le formulaire est incomplet : rechargez la page.",
			problem.Field{Name: "version", Message: "version manquante ou invalide"}))
		return
	}
	if _, err := h.orgs.UpdateProfile(r.Context(), session.ActorFrom(r.Context()), o.ID, version, form); err != nil {
		h.profileFailed(w, r, o, form, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/organisations/%d/profil?enregistre=1", o.ID), http.StatusSeeOther)
}

// profileFailed re-displays the form: with the user's values and the fields
// at fault for invalid input; with the current saved values and a request to
// reload for a conflict; as the error page for anything else.
func (h *Handler) profileFailed(w http.ResponseWriter, r *http.Request, o org.Organisation, form org.Profile, err error) {
	p := problem.From(err)
	data := profileData{Org: o, Form: form, Invalid: map[string]string{}}
	switch {
	case errors.Is(err, store.ErrConflict):
		p.Message = "Ces informations ont été modifiées par quelqu'un d'autre depuis que vous avez ouvert la page ; vos changements n'ont pas été enregistrés. Rechargez la page pour voir la version actuelle, puis refaites vos changements."
		data.Conflict = true
		if cur, gerr := h.orgs.Get(r.Context(), o.ID); gerr == nil {
			data.Org, data.Form = cur, cur.Profile
		}
	case p.Status == http.StatusBadRequest || p.Status == http.StatusUnprocessableEntity:
		for _, f := range p.Fields {
			data.Invalid[f.Name] = f.Message
		}
	default:
		h.Fail(w, r, err)
		return
	}
	pg := newPage(r, "Contact de "+o.Name, "", data)
	pg.Problem = &p
	h.render(w, r, p.Status, "profile", pg)
}
