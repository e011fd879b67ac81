package web

// The register of the user's conventions, with the alerts of their
// organisations at the top, and the public page of the conventions in
// force.

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"voisines/internal/agreement"
	"voisines/internal/auth"
	"voisines/internal/server/problem"
	"voisines/internal/store"
)

// registerPageSize is how many conventions a page of the register lists.
const registerPageSize = 50

// alertGroup is one block of alerts: a heading and its alerts.
type alertGroup struct {
	Title  string
	Alerts []orgAlert
}

// orgAlert is an alert with the organisation it is addressed to.
type orgAlert struct {
	agreement.OrgAlert
	OrgName string
}

// registerFilter is the register's filter form as typed.
type registerFilter struct {
	Org     string
	Kind    string
	Status  string
	Partner string
	Year    string
	Text    string
}

// query returns the filter as a query string, with offset.
func (f registerFilter) query(offset int) string {
	v := url.Values{}
	for k, s := range map[string]string{"org": f.Org, "nature": f.Kind, "statut": f.Status, "partenaire": f.Partner, "annee": f.Year, "q": f.Text} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if offset > 0 {
		v.Set("debut", strconv.Itoa(offset))
	}
	return v.Encode()
}

type registerData struct {
	Filter      registerFilter
	Memberships []auth.Membership
	Kinds       []agreement.Spec
	Statuses    []agreement.Status
	Page        agreement.Page
	Alerts      []alertGroup
	AlertDays   int
	Invalid     map[string]string
	PrevURL     string
	NextURL     string
	CanCreate   bool
}

// statuses are the statuses in lifecycle order, for the filter.
var statuses = []agreement.Status{agreement.Draft, agreement.Submitted, agreement.Approved, agreement.Signed,
	agreement.InForce, agreement.Expired, agreement.Terminated}

// agreementRegister lists the conventions of the user's organisations,
// filtered by organisation, kind, status, partner, year and text, with the
// alerts of each organisation above: expiries within 60 days, missing
// approvals, D5211-16 deadlines.
func (h *Handler) agreementRegister(w http.ResponseWriter, r *http.Request) {
	a, ok := h.signedInActor(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	q := r.URL.Query()
	fv := registerFilter{Org: q.Get("org"), Kind: q.Get("nature"), Status: q.Get("statut"),
		Partner: strings.TrimSpace(q.Get("partenaire")), Year: strings.TrimSpace(q.Get("annee")), Text: strings.TrimSpace(q.Get("q"))}
	data := registerData{Filter: fv, Memberships: a.User.Memberships, Kinds: agreement.Catalogue(), Statuses: statuses,
		AlertDays: agreement.DefaultAlertDays, Invalid: map[string]string{}}
	for _, m := range a.User.Memberships {
		if m.Role.Allows(auth.Write) {
			data.CanCreate = true
		}
	}
	f := agreement.Filter{Kind: agreement.Kind(fv.Kind), Status: agreement.Status(fv.Status), Text: fv.Text, Limit: registerPageSize}
	if fv.Org != "" {
		id, err := strconv.ParseInt(fv.Org, 10, 64)
		if err != nil {
			data.Invalid["org"] = "organisation inconnue"
		}
		f.OrgID = id
	}
	if fv.Partner != "" {
		o, err := h.orgs.Resolve(ctx, fv.Partner)
		switch {
		case errors.Is(err, store.ErrNotFound):
			o, candidates, ferr := h.findOrg(ctx, fv.Partner)
			if ferr != nil {
				h.Fail(w, r, ferr)
				return
			}
			if len(candidates) == 1 {
				f.Partner = o.ID
			} else {
				data.Invalid["partenaire"] = "aucune organisation, ou plusieurs, correspondent : saisissez un code Insee ou un SIREN"
			}
		case err != nil:
			h.Fail(w, r, err)
			return
		default:
			f.Partner = o.ID
		}
	}
	if fv.Year != "" {
		y, err := strconv.Atoi(fv.Year)
		if err != nil || y < 1900 || y > 2200 {
			data.Invalid["annee"] = "année sur quatre chiffres attendue"
		}
		f.Year = y
	}
	if n, err := strconv.Atoi(q.Get("debut")); err == nil && n > 0 {
		f.Offset = n
	}
	if len(data.Invalid) > 0 {
		pg := newPage(r, "Conventions", "conventions", data)
		fields := []problem.Field{}
		for k, v := range data.Invalid {
			fields = append(fields, problem.Field{Name: k, Message: v})
		}
		p := problem.Problem{Status: http.StatusBadRequest, Code: "invalid_request", Message: "Un filtre n'est pas valide.", Fields: fields}
		pg.Problem = &p
		h.render(w, r, http.StatusBadRequest, "agreement_list", pg)
		return
	}
	page, err := h.agreement.List(ctx, a, f)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	data.Page = page
	if f.Offset > 0 {
		data.PrevURL = "/conventions?" + fv.query(max(0, f.Offset-registerPageSize))
	}
	if f.Offset+len(page.Items) < page.Total {
		data.NextURL = "/conventions?" + fv.query(f.Offset+registerPageSize)
	}
	if data.Alerts, err = h.alertGroups(r, a); err != nil {
		h.Fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "agreement_list", newPage(r, "Conventions", "conventions", data))
}

// alertGroups gathers the alerts of every organisation of the user, in
// three blocks: expiries, missing approvals, unit-cost deadlines (and the
// rest).
func (h *Handler) alertGroups(r *http.Request, a auth.Actor) ([]alertGroup, error) {
	groups := []alertGroup{
		{Title: "Échéances dans les 60 jours"},
		{Title: "Approbations manquantes"},
		{Title: "Échéances de notification du coût unitaire (CGCT D5211-16)"},
		{Title: "Autres alertes"},
	}
	for _, m := range a.User.Memberships {
		if !m.Role.Allows(auth.ReadPrivate) {
			continue
		}
		alerts, err := h.orgAlerts(r.Context(), a, m.OrgID)
		if err != nil {
			return nil, err
		}
		for _, al := range alerts {
			i := 3
			switch al.Kind {
			case agreement.AlertExpiring, agreement.AlertNotice:
				i = 0
			case agreement.AlertMissingApproval:
				i = 1
			case agreement.AlertUnitCost:
				i = 2
			}
			groups[i].Alerts = append(groups[i].Alerts, orgAlert{OrgAlert: al, OrgName: m.OrgName})
		}
	}
	return groups, nil
}

type openDataPage struct {
	Items []agreement.PublicAgreement
}

// openData is the public page of the conventions in force, with their
// open-data downloads; no login, no private field.
func (h *Handler) openData(w http.ResponseWriter, r *http.Request) {
	items, err := h.agreement.OpenData(r.Context())
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "agreement_opendata", newPage(r, "Conventions en vigueur", "conventions", openDataPage{Items: items}))
}
