package web

// The staff pages (issue 6), under /personnel: the agents of the user's
// organisation and those seconded to it with their alerts, the form of a
// new agent, an agent's page (its costs per year, its secondments, the
// forms to change it, record a year's cost and create a secondment), and
// a secondment's page (its convention, consent, alerts, time worked,
// reimbursements, and the forms to record time, the consent and to
// compute a reimbursement). Every handler is the usual script: parse,
// call staff.Service (which authorises: anybody but the employer's and
// the host's users gets 404), redirect or render the page again with the
// form's errors. Display strings are prepared here, so that the templates
// need no helper of their own.

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"voisines/internal/agreement"
	"voisines/internal/auth"
	"voisines/internal/civil"
	"voisines/internal/ledger"
	"voisines/internal/money"
	"voisines/internal/server/problem"
	"voisines/internal/staff"
	"voisines/internal/store"
	"voisines/internal/validate"
)

// staffPages are the templates of the agents, secondments and time records (issue 6), under /personnel.
var staffPages = []string{"staff_list", "staff_agent_new", "staff_agent", "staff_secondment"}

// registerStaff adds the routes of the agents, secondments and time records (issue 6), under /personnel.
func (h *Handler) registerStaff(mux *http.ServeMux) {
	mux.HandleFunc("GET /personnel", h.staffList)
	mux.HandleFunc("GET /personnel/agents/nouveau", h.staffAgentNew)
	mux.HandleFunc("POST /personnel/agents", h.staffAgentCreate)
	mux.HandleFunc("GET /personnel/agents/{id}", h.staffAgentPage)
	mux.HandleFunc("POST /personnel/agents/{id}", h.staffAgentUpdate)
	mux.HandleFunc("POST /personnel/agents/{id}/couts", h.staffCostSave)
	mux.HandleFunc("POST /personnel/agents/{id}/mises-a-disposition", h.staffSecondmentCreate)
	mux.HandleFunc("GET /personnel/mises-a-disposition/{id}", h.staffSecondmentPage)
	mux.HandleFunc("POST /personnel/mises-a-disposition/{id}/temps", h.staffTimeSave)
	mux.HandleFunc("POST /personnel/mises-a-disposition/{id}/accord", h.staffConsentSave)
	mux.HandleFunc("POST /personnel/mises-a-disposition/{id}/remboursement", h.staffReimburseSave)
	mux.HandleFunc("POST /personnel/temps/{id}/supprimer", h.staffTimeDelete)
}

// ---- Form errors ----

// staffFields maps the domain's field names to the inputs of the staff
// forms (the id after "f-<form>-") and their French labels.
var staffFields = map[string][2]string{
	"family_name": {"family", "Nom"}, "given_name": {"given", "Prénom"}, "grade": {"grade", "Grade"},
	"status": {"status", "Situation"}, "employer_org_id": {"employer", "Employeur"}, "version": {"", "Version"},
	"year": {"year", "Année"}, "gross_pay": {"gross", "Rémunération brute"},
	"employer_contributions": {"contributions", "Cotisations et charges patronales"}, "other_lines": {"other-label", "Autre ligne"},
	"source":       {"source", "Source des montants"},
	"agreement_id": {"agreement", "Convention"}, "agent_id": {"agreement", "Agent"}, "host_org_id": {"host", "Organisme d'accueil"},
	"quotite": {"quotite", "Quotité"}, "start": {"start", "Premier jour"}, "end": {"end", "Dernier jour"},
	"activities": {"activities", "Activités exercées"}, "arrete_reference": {"arrete-ref", "Numéro de l'arrêté"},
	"arrete_date": {"arrete-date", "Date de l'arrêté"}, "billing": {"billing", "Facturation"}, "annual_hours": {"hours", "Heures annuelles"},
	"date": {"date", "Date"}, "minutes": {"duration", "Durée"}, "duration": {"duration", "Durée"}, "activity": {"activity", "Activité"},
	"note": {"note", "Note"}, "by_org_id": {"date", "Saisi pour"},
	"consent_date": {"consent-date", "Date de l'accord"}, "consent_reference": {"consent-ref", "Référence de l'accord"},
	"from": {"from", "Premier jour de la période"}, "to": {"to", "Dernier jour de la période"}, "label": {"label", "Libellé"},
}

// staffForms lists the inputs of each form, the first one receiving the
// errors of fields the form has no input for.
var staffForms = map[string][]string{
	"agent":      {"family", "given", "grade", "status", "employer"},
	"cost":       {"year", "gross", "contributions", "other-label", "other-amount", "source"},
	"secondment": {"agreement", "host", "quotite", "start", "end", "activities", "arrete-ref", "arrete-date", "billing", "hours"},
	"time":       {"date", "duration", "activity", "note"},
	"consent":    {"consent-date", "consent-ref"},
	"reimburse":  {"from", "to", "label"},
}

// staffErrors is the error summary of one form of a staff page.
type staffErrors struct {
	Form    string
	Message string
	Fields  []fieldError
	byID    map[string]string
}

// staffFormErrors turns err into the summary of form, and the status to
// answer with.
func staffFormErrors(err error, form string) (*staffErrors, int) {
	p := problem.From(err)
	e := &staffErrors{Form: form, Message: p.Message, byID: map[string]string{}}
	inputs := staffForms[form]
	for _, f := range p.Fields {
		name := f.Name
		if i := strings.IndexByte(name, '['); i > 0 {
			name = name[:i]
		}
		m, ok := staffFields[name]
		input, label := m[0], m[1]
		if !ok {
			label = f.Name
		}
		known := false
		for _, in := range inputs {
			known = known || in == input
		}
		if !known {
			input = inputs[0]
		}
		id := "f-" + form + "-" + input
		e.Fields = append(e.Fields, fieldError{ID: id, Label: label, Message: f.Message})
		if _, seen := e.byID[id]; !seen {
			e.byID[id] = f.Message
		}
	}
	if len(e.Fields) == 0 && p.Status == http.StatusConflict {
		e.Message = p.Message
	}
	return e, p.Status
}

// Err returns the message of input id of form, or "".
func (e *staffErrors) Err(form, input string) string {
	if e == nil || e.Form != form {
		return ""
	}
	return e.byID["f-"+form+"-"+input]
}

// In reports whether the summary belongs to form.
func (e *staffErrors) In(form string) bool { return e != nil && e.Form == form }

// staffFailed reports whether err must be answered as a page error (not
// found, refused, server error) rather than shown in a form.
func staffFailed(status int) bool {
	return status >= 500 || status == http.StatusNotFound || status == http.StatusUnauthorized || status == http.StatusForbidden
}

// staffFormPage is the data of a staff page that shows forms: it takes a
// form's errors and names its template and title.
type staffFormPage interface {
	setErrors(*staffErrors)
	page() (name, title string)
}

// staffRefused renders a staff page again with the errors of its form
// named form: load reads the page's data afresh, keep (when not nil) puts
// back what the user typed. An error no form shows (not found, refused,
// server error) fails the page instead.
func staffRefused[D staffFormPage](h *Handler, w http.ResponseWriter, r *http.Request, form string, err error, load func() (D, error), keep func(D)) {
	fe, status := staffFormErrors(err, form)
	if staffFailed(status) {
		h.Fail(w, r, err)
		return
	}
	d, err := load()
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	d.setErrors(fe)
	if keep != nil {
		keep(d)
	}
	name, title := d.page()
	h.render(w, r, status, name, newPage(r, title, "personnel", d))
}

// ---- Display helpers ----

func staffStatusOptions(selected staff.Status) []option {
	var out []option
	for _, s := range staff.Statuses {
		out = append(out, option{Value: string(s), Label: capitalize(s.Label()), Selected: s == selected})
	}
	return out
}

func staffPeriod(from, to civil.Date) string { return "du " + from.French() + " au " + to.French() }

// staffOrg returns the organisation the list shows: ?org= when the user
// reads it, else the first organisation the user belongs to.
func staffOrg(a auth.Actor, r *http.Request) (int64, []option, error) {
	var opts []option
	want, _ := strconv.ParseInt(r.URL.Query().Get("org"), 10, 64)
	chosen := int64(0)
	for _, m := range a.User.Memberships {
		if !m.Role.Allows(auth.ReadPrivate) {
			continue
		}
		if chosen == 0 || m.OrgID == want {
			chosen = m.OrgID
		}
		opts = append(opts, option{Value: strconv.FormatInt(m.OrgID, 10), Label: m.OrgName})
	}
	if want != 0 && want != chosen {
		if a.PlatformAdmin() {
			chosen = want
		} else {
			return 0, nil, auth.ErrForbidden
		}
	}
	for i := range opts {
		opts[i].Selected = opts[i].Value == strconv.FormatInt(chosen, 10)
	}
	return chosen, opts, nil
}

// ---- The list ----

type staffAlertView struct {
	Kind, Message, Due, Link, LinkText string
}

func staffAlertViews(als []staff.Alert) []staffAlertView {
	var out []staffAlertView
	for _, al := range als {
		v := staffAlertView{Kind: al.Kind.Label(), Message: capitalize(al.Message), Link: fmt.Sprintf("/personnel/mises-a-disposition/%d", al.SecondmentID),
			LinkText: fmt.Sprintf("Voir la mise à disposition n° %d", al.SecondmentID)}
		if !al.Due.IsZero() {
			v.Due = al.Due.French()
		}
		out = append(out, v)
	}
	return out
}

type staffSecondmentLine struct {
	Link, Host, Employer, Period, Quotite, Billing string
}

func staffSecondmentLineOf(s staff.Secondment) staffSecondmentLine {
	return staffSecondmentLine{Link: fmt.Sprintf("/personnel/mises-a-disposition/%d", s.ID), Host: s.HostName, Employer: s.EmployerName,
		Period: staffPeriod(s.Start, s.End), Quotite: s.Quotite.Percent(), Billing: s.Billing.Label()}
}

type staffAgentRow struct {
	Link, Name, Grade, Status, Employer string
	Secondments                         []staffSecondmentLine
}

type staffListData struct {
	OrgID    int64
	OrgName  string
	Orgs     []option
	CanWrite bool
	Employed []staffAgentRow
	Hosted   []staffAgentRow
	Alerts   []staffAlertView
}

func (h *Handler) staffList(w http.ResponseWriter, r *http.Request) {
	a, ok := h.requireUser(w, r)
	if !ok {
		return
	}
	orgID, orgs, err := staffOrg(a, r)
	if errors.Is(err, auth.ErrForbidden) {
		// The list of an organisation that exists but of which the user
		// is not a member: 403, saying why (README, access rule).
		want, _ := strconv.ParseInt(r.URL.Query().Get("org"), 10, 64)
		if _, gerr := h.orgs.Get(r.Context(), want); gerr != nil {
			h.Fail(w, r, gerr)
			return
		}
		h.WriteProblem(w, r, problem.Problem{Status: http.StatusForbidden, Code: "forbidden",
			Message: "Vous n'êtes pas membre de cette organisation : seuls ses membres peuvent consulter ses agents et leurs mises à disposition."})
		return
	}
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	data := staffListData{OrgID: orgID, Orgs: orgs, CanWrite: orgID != 0 && auth.Authorize(a, auth.Write, orgID) == nil}
	for _, o := range orgs {
		if o.Selected {
			data.OrgName = o.Label
		}
	}
	if data.OrgName == "" && orgID != 0 {
		o, err := h.orgs.Get(r.Context(), orgID)
		if err != nil {
			h.Fail(w, r, err)
			return
		}
		data.OrgName = o.Name
	}
	if orgID != 0 {
		roster, err := h.staff.Roster(r.Context(), a, orgID)
		if err != nil {
			h.Fail(w, r, err)
			return
		}
		for _, l := range roster.Agents {
			row := staffAgentRow{Link: fmt.Sprintf("/personnel/agents/%d", l.Agent.ID), Name: l.Agent.FamilyName + " " + l.Agent.GivenName,
				Grade: l.Agent.Grade, Status: capitalize(l.Agent.Status.Label()), Employer: l.Agent.EmployerName}
			for _, s := range l.Secondments {
				row.Secondments = append(row.Secondments, staffSecondmentLineOf(s))
			}
			if l.Employed {
				data.Employed = append(data.Employed, row)
			} else {
				data.Hosted = append(data.Hosted, row)
			}
		}
		data.Alerts = staffAlertViews(roster.Alerts)
	}
	pg := newPage(r, "Personnel mis à disposition", "personnel", data)
	pg.Flash = staffFlashes[r.URL.Query().Get("fait")]
	h.render(w, r, http.StatusOK, "staff_list", pg)
}

// staffFlashes are the confirmations of the staff forms, chosen by a code
// (never copied from the address).
var staffFlashes = map[string]string{
	"agent":         "L'agent est enregistré.",
	"agent-modifie": "La fiche de l'agent est enregistrée.",
	"cout":          "Le coût annuel est enregistré.",
	"mad":           "La mise à disposition est enregistrée.",
	"temps":         "Le temps de travail est enregistré.",
	"temps-suppr":   "Le relevé de temps est supprimé.",
	"accord":        "L'accord écrit de l'agent est enregistré sur la convention.",
	"remboursement": "Le remboursement est calculé : l'état est en brouillon. Vérifiez-le puis émettez-le depuis la page Finances.",
}

// ---- New agent ----

type staffAgentForm struct {
	Version                  int64
	Family, Given, Grade     string
	Statuses                 []option
	Employers                []option
	Action, Submit, FormName string
}

type staffAgentNewData struct {
	AgentForm staffAgentForm
	Errors    *staffErrors
}

func (d *staffAgentNewData) setErrors(fe *staffErrors) { d.Errors = fe }
func (d *staffAgentNewData) page() (string, string)    { return "staff_agent_new", "Enregistrer un agent" }

// newStaffAgent is the new agent's page, its form valued from in.
func newStaffAgent(a auth.Actor, in staff.AgentInput) *staffAgentNewData {
	return &staffAgentNewData{AgentForm: staffAgentForm{Family: in.FamilyName, Given: in.GivenName, Grade: in.Grade,
		Statuses: staffStatusOptions(in.Status), Employers: writableOrgs(a, in.EmployerOrgID), Action: "/personnel/agents", Submit: "Enregistrer l'agent"}}
}

func (h *Handler) staffAgentNew(w http.ResponseWriter, r *http.Request) {
	a, ok := h.requireUser(w, r)
	if !ok {
		return
	}
	org, _ := strconv.ParseInt(r.URL.Query().Get("org"), 10, 64)
	d := newStaffAgent(a, staff.AgentInput{EmployerOrgID: org, Status: staff.Titulaire})
	name, title := d.page()
	h.render(w, r, http.StatusOK, name, newPage(r, title, "personnel", d))
}

func (h *Handler) staffAgentCreate(w http.ResponseWriter, r *http.Request) {
	a, ok := h.requireUser(w, r)
	if !ok {
		return
	}
	employer, _ := strconv.ParseInt(r.PostFormValue("employer"), 10, 64)
	in := staff.AgentInput{EmployerOrgID: employer, FamilyName: r.PostFormValue("family"), GivenName: r.PostFormValue("given"),
		Grade: r.PostFormValue("grade"), Status: staff.Status(r.PostFormValue("status"))}
	ag, err := h.staff.CreateAgent(r.Context(), a, in)
	if err != nil {
		staffRefused(h, w, r, "agent", err, func() (*staffAgentNewData, error) { return newStaffAgent(a, in), nil }, nil)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/personnel/agents/%d?fait=agent", ag.ID), http.StatusSeeOther)
}

// ---- The agent's page ----

type staffCostRow struct {
	Year                                       int
	Gross, Contributions, Other, Total, Source string
	EditLink                                   string
}

type staffCostForm struct {
	Year, Version                                         string
	Gross, Contributions, OtherLabel, OtherAmount, Source string
	OtherRepaid                                           bool
	Editing                                               bool
}

type staffSecondmentForm struct {
	Agreement, Host, Quotite, Start, End, Activities, ArreteRef, ArreteDate, Billing, Hours string
	Agreements, Hosts                                                                       []option
}

type staffAgentData struct {
	Agent       staff.Agent
	Status      string
	Employer    bool
	CanWrite    bool
	Costs       []staffCostRow
	Secondments []staffSecondmentLine
	Alerts      []staffAlertView
	AgentForm   staffAgentForm
	CostForm    staffCostForm
	SecForm     staffSecondmentForm
	Errors      *staffErrors
}

func (d *staffAgentData) setErrors(fe *staffErrors) { d.Errors = fe }
func (d *staffAgentData) page() (string, string)    { return "staff_agent", d.Agent.Name() }

func (h *Handler) loadStaffAgent(r *http.Request, a auth.Actor, id int64) (*staffAgentData, error) {
	f, err := h.staff.Agent(r.Context(), a, id)
	if err != nil {
		return nil, err
	}
	ag := f.Agent
	d := &staffAgentData{Agent: ag, Status: capitalize(ag.Status.Label()), Employer: f.Employer, CanWrite: f.CanWrite,
		Alerts: staffAlertViews(f.Alerts)}
	for _, c := range f.Costs {
		var other money.Cents
		for _, l := range c.Other {
			if l.Eligible {
				other += l.Amount
			}
		}
		d.Costs = append(d.Costs, staffCostRow{Year: c.Year, Gross: c.GrossPay.String(), Contributions: c.EmployerContributions.String(),
			Other: other.String(), Total: c.Total().String(), Source: c.Source,
			EditLink: fmt.Sprintf("/personnel/agents/%d?cout=%d#cout", ag.ID, c.Year)})
	}
	for _, s := range f.Secondments {
		d.Secondments = append(d.Secondments, staffSecondmentLineOf(s))
	}
	d.AgentForm = staffAgentForm{Version: ag.Version, Family: ag.FamilyName, Given: ag.GivenName, Grade: ag.Grade,
		Statuses: staffStatusOptions(ag.Status), Action: fmt.Sprintf("/personnel/agents/%d", ag.ID), Submit: "Enregistrer la fiche"}
	d.CostForm = staffCostForm{Year: strconv.Itoa(civil.Today().Year)}
	if y, err := strconv.Atoi(r.URL.Query().Get("cout")); err == nil {
		for _, c := range f.Costs {
			if c.Year == y {
				d.CostForm = staffCostForm{Year: strconv.Itoa(y), Version: strconv.FormatInt(c.Version, 10), Gross: c.GrossPay.French(),
					Contributions: c.EmployerContributions.French(), Source: c.Source, Editing: true}
				if len(c.Other) > 0 {
					d.CostForm.OtherLabel, d.CostForm.OtherAmount, d.CostForm.OtherRepaid = c.Other[0].Label, c.Other[0].Amount.French(), c.Other[0].Eligible
				}
			}
		}
	}
	if f.CanWrite {
		if err := h.staffSecondmentChoices(r, a, ag, &d.SecForm); err != nil {
			return nil, err
		}
	}
	d.SecForm.Billing = string(staff.ProRata)
	d.SecForm.Hours = strconv.Itoa(staff.DefaultAnnualHours)
	return d, nil
}

// staffSecondmentChoices fills the conventions of mise à disposition de
// personnel whose home employer is the agent's, and their hosts.
func (h *Handler) staffSecondmentChoices(r *http.Request, a auth.Actor, ag staff.Agent, f *staffSecondmentForm) error {
	page, err := h.agreement.List(r.Context(), a, agreement.Filter{OrgID: ag.EmployerOrgID, Kind: agreement.MADPersonnel, Limit: 500})
	if err != nil {
		return err
	}
	seen := map[int64]bool{}
	f.Agreements = []option{{Value: "", Label: "— choisissez la convention —"}}
	f.Hosts = []option{{Value: "", Label: "— celui de la convention —"}}
	for _, s := range page.Items {
		home := false
		for _, p := range s.Parties {
			home = home || (p.Role == agreement.RoleHomeEmployer && p.OrgID == ag.EmployerOrgID)
		}
		if !home {
			continue
		}
		f.Agreements = append(f.Agreements, option{Value: strconv.FormatInt(s.ID, 10), Label: fmt.Sprintf("%s — %s (%s)", s.Reference, s.Title, s.StatusLabel),
			Selected: f.Agreement == strconv.FormatInt(s.ID, 10)})
		for _, p := range s.Parties {
			if p.Role == agreement.RoleHost && !seen[p.OrgID] {
				seen[p.OrgID] = true
				f.Hosts = append(f.Hosts, option{Value: strconv.FormatInt(p.OrgID, 10), Label: p.Name, Selected: f.Host == strconv.FormatInt(p.OrgID, 10)})
			}
		}
	}
	return nil
}

// userAndID starts the handlers of a page named by {id}: the signed-in
// user and the id. When it returns false it has already answered.
func (h *Handler) userAndID(w http.ResponseWriter, r *http.Request) (auth.Actor, int64, bool) {
	a, ok := h.requireUser(w, r)
	if !ok {
		return a, 0, false
	}
	id, err := idParam(r)
	if err != nil {
		h.Fail(w, r, err)
		return a, 0, false
	}
	return a, id, true
}

// staffShow answers the page named by {id} whose data load reads, with
// the confirmation of the form just sent, if any.
func staffShow[D staffFormPage](h *Handler, w http.ResponseWriter, r *http.Request, load func(*http.Request, auth.Actor, int64) (D, error)) {
	a, id, ok := h.userAndID(w, r)
	if !ok {
		return
	}
	d, err := load(r, a, id)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	name, title := d.page()
	pg := newPage(r, title, "personnel", d)
	pg.Flash = staffFlashes[r.URL.Query().Get("fait")]
	h.render(w, r, http.StatusOK, name, pg)
}

func (h *Handler) staffAgentPage(w http.ResponseWriter, r *http.Request) {
	staffShow(h, w, r, h.loadStaffAgent)
}

// staffAgentFailed renders the agent's page again with a form's errors.
func (h *Handler) staffAgentFailed(w http.ResponseWriter, r *http.Request, a auth.Actor, id int64, form string, err error, keep func(d *staffAgentData)) {
	staffRefused(h, w, r, form, err, func() (*staffAgentData, error) { return h.loadStaffAgent(r, a, id) }, keep)
}

func (h *Handler) staffAgentUpdate(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.userAndID(w, r)
	if !ok {
		return
	}
	version, _ := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	in := staff.AgentInput{FamilyName: r.PostFormValue("family"), GivenName: r.PostFormValue("given"), Grade: r.PostFormValue("grade"),
		Status: staff.Status(r.PostFormValue("status"))}
	if _, err := h.staff.UpdateAgent(r.Context(), a, id, version, in); err != nil {
		h.staffAgentFailed(w, r, a, id, "agent", err, func(d *staffAgentData) {
			d.AgentForm.Family, d.AgentForm.Given, d.AgentForm.Grade = in.FamilyName, in.GivenName, in.Grade
			d.AgentForm.Statuses = staffStatusOptions(in.Status)
		})
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/personnel/agents/%d?fait=agent-modifie", id), http.StatusSeeOther)
}

// staffCents reads an amount of a form ("30 000,00"); empty is 0 unless
// required.
func staffCents(r *http.Request, input, field string, required bool, errs *validate.Errors) money.Cents {
	v := strings.TrimSpace(r.PostFormValue(input))
	if v == "" {
		if required {
			errs.Add(field, "le montant est obligatoire")
		}
		return 0
	}
	c, err := money.Parse(v)
	if err != nil {
		errs.Add(field, "%s n'est pas un montant en euros (exemple : 30 000,00)", validate.Quote(v))
	}
	return c
}

// staffDate reads a date of a form; empty is the zero date.
func staffDate(r *http.Request, input, field string, errs *validate.Errors) civil.Date {
	v := strings.TrimSpace(r.PostFormValue(input))
	if v == "" {
		return civil.Date{}
	}
	d, err := civil.Parse(v)
	if err != nil {
		errs.Add(field, "%s n'est pas une date (format 2026-05-31)", validate.Quote(v))
	}
	return d
}

func (h *Handler) staffCostSave(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.userAndID(w, r)
	if !ok {
		return
	}
	form := staffCostForm{Year: r.PostFormValue("year"), Version: r.PostFormValue("version"), Gross: r.PostFormValue("gross"),
		Contributions: r.PostFormValue("contributions"), OtherLabel: strings.TrimSpace(r.PostFormValue("other-label")),
		OtherAmount: r.PostFormValue("other-amount"), OtherRepaid: r.PostFormValue("other-repaid") != "", Source: r.PostFormValue("source")}
	form.Editing = form.Version != "" && form.Version != "0"
	var errs validate.Errors
	year, yerr := strconv.Atoi(strings.TrimSpace(form.Year))
	if yerr != nil {
		errs.Add("year", "indiquez l'année sur quatre chiffres")
	}
	version, _ := strconv.ParseInt(form.Version, 10, 64)
	in := staff.CostInput{GrossPay: staffCents(r, "gross", "gross_pay", true, &errs),
		EmployerContributions: staffCents(r, "contributions", "employer_contributions", false, &errs), Source: form.Source}
	if amount := staffCents(r, "other-amount", "other_lines", false, &errs); form.OtherLabel != "" || amount != 0 {
		in.Other = []money.CostLine{{Label: form.OtherLabel, Amount: amount, Eligible: form.OtherRepaid}}
	}
	err := errs.Err()
	if err == nil {
		_, err = h.staff.SetCost(r.Context(), a, id, year, version, in)
		if errors.Is(err, store.ErrConflict) && version == 0 {
			err = validate.Errors{{Field: "year", Message: fmt.Sprintf(
				"le coût %d est déjà enregistré : choisissez « Modifier le coût %d » dans le tableau", year, year)}}
		}
	}
	if err != nil {
		h.staffAgentFailed(w, r, a, id, "cost", err, func(d *staffAgentData) { d.CostForm = form })
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/personnel/agents/%d?fait=cout#couts", id), http.StatusSeeOther)
}

func (h *Handler) staffSecondmentCreate(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.userAndID(w, r)
	if !ok {
		return
	}
	form := staffSecondmentForm{Agreement: r.PostFormValue("agreement"), Host: r.PostFormValue("host"), Quotite: r.PostFormValue("quotite"),
		Start: r.PostFormValue("start"), End: r.PostFormValue("end"), Activities: r.PostFormValue("activities"),
		ArreteRef: r.PostFormValue("arrete-ref"), ArreteDate: r.PostFormValue("arrete-date"), Billing: r.PostFormValue("billing"),
		Hours: r.PostFormValue("hours")}
	var errs validate.Errors
	in := staff.SecondmentInput{AgentID: id, Activities: form.Activities, ArreteReference: form.ArreteRef, Billing: staff.Billing(form.Billing)}
	in.AgreementID, _ = strconv.ParseInt(form.Agreement, 10, 64)
	in.HostOrgID, _ = strconv.ParseInt(form.Host, 10, 64)
	if q := strings.TrimSpace(form.Quotite); q != "" {
		f, err := staffQuotite(q)
		if err != nil {
			errs.Add("quotite", "%s n'est pas une quotité (exemples : 30 %%, 30/100, 14/35)", validate.Quote(q))
		}
		in.Quotite = f
	}
	in.Start = staffDate(r, "start", "start", &errs)
	in.End = staffDate(r, "end", "end", &errs)
	in.ArreteDate = staffDate(r, "arrete-date", "arrete_date", &errs)
	if v := strings.TrimSpace(form.Hours); v != "" {
		n, err := strconv.ParseInt(strings.ReplaceAll(strings.ReplaceAll(v, " ", ""), "\u202f", ""), 10, 64)
		if err != nil {
			errs.Add("annual_hours", "indiquez un nombre entier d'heures (1 607 pour un temps complet)")
		}
		in.AnnualHours = n
	}
	err := errs.Err()
	var sec staff.Secondment
	if err == nil {
		sec, err = h.staff.CreateSecondment(r.Context(), a, in)
	}
	if err != nil {
		h.staffAgentFailed(w, r, a, id, "secondment", err, func(d *staffAgentData) {
			agreements, hosts := d.SecForm.Agreements, d.SecForm.Hosts
			d.SecForm = form
			for i := range agreements {
				agreements[i].Selected = agreements[i].Value == form.Agreement
			}
			for i := range hosts {
				hosts[i].Selected = hosts[i].Value == form.Host
			}
			d.SecForm.Agreements, d.SecForm.Hosts = agreements, hosts
		})
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/personnel/mises-a-disposition/%d?fait=mad", sec.ID), http.StatusSeeOther)
}

// staffQuotite reads a quotité as typed: "30 %", "30/100", "14/35", "0,3".
func staffQuotite(s string) (agreement.Fraction, error) {
	if f, err := agreement.ParseFraction(s); err == nil {
		return f, nil
	}
	t := strings.TrimSpace(s)
	percent := strings.HasSuffix(t, "%")
	t = strings.TrimSpace(strings.TrimSuffix(t, "%"))
	r, err := money.ParseRat(t)
	if err != nil {
		return agreement.Fraction{}, err
	}
	if percent {
		r = r.Quo(money.IntRat(100))
	}
	if !r.Num().IsInt64() || !r.Denom().IsInt64() {
		return agreement.Fraction{}, fmt.Errorf("quotité trop précise")
	}
	return agreement.Fraction{Num: r.Num().Int64(), Den: r.Denom().Int64()}, nil
}

// ---- The secondment's page ----

type staffTimeRow struct {
	ID                                 int64
	Version                            int64
	Date, Duration, Activity, Note, By string
	CanDelete                          bool
}

type staffReimbursementRow struct {
	Period, Basis, Amount, Status, Link, IssueLink string
}

type staffTimeForm struct{ Date, Duration, Activity, Note string }
type staffConsentForm struct{ Date, Reference string }
type staffReimburseForm struct{ From, To, Label string }

type staffSecondmentData struct {
	S               staff.SecondmentFile
	AgentLink       string
	AgreementLink   string
	Quotite, Period string
	Billing, Hours  string
	Arrete          string
	Consent         string
	AgreementStatus string
	RealTime        bool
	Alerts          []staffAlertView
	Times           []staffTimeRow
	TotalTime       string
	Reimbursements  []staffReimbursementRow
	CanTime         bool
	CanConsent      bool
	CanReimburse    bool
	TimeForm        staffTimeForm
	ConsentForm     staffConsentForm
	ReimburseForm   staffReimburseForm
	Errors          *staffErrors
}

func (d *staffSecondmentData) setErrors(fe *staffErrors) { d.Errors = fe }
func (d *staffSecondmentData) page() (string, string) {
	return "staff_secondment", "Mise à disposition de " + d.S.AgentName
}

func (h *Handler) loadStaffSecondment(r *http.Request, a auth.Actor, id int64) (*staffSecondmentData, error) {
	f, err := h.staff.Secondment(r.Context(), a, id)
	if err != nil {
		return nil, err
	}
	times, err := h.staff.TimeRecords(r.Context(), a, id, civil.Date{}, civil.Date{})
	if err != nil {
		return nil, err
	}
	d := &staffSecondmentData{S: f, AgentLink: fmt.Sprintf("/personnel/agents/%d", f.AgentID),
		AgreementLink: fmt.Sprintf("/conventions/%d", f.AgreementID), Quotite: fmt.Sprintf("%s (%s)", f.Quotite.Percent(), f.Quotite),
		Period: staffPeriod(f.Start, f.End), Billing: capitalize(f.Billing.Label()), Hours: formatNumber(f.AnnualHours) + " h",
		AgreementStatus: f.AgreementStatus.Label(), RealTime: f.Billing == staff.RealTime, Alerts: staffAlertViews(f.Alerts),
		CanTime:      f.Billing == staff.RealTime && (f.Employer || f.Host),
		CanConsent:   f.Consent == nil && f.Employer && (f.AgreementStatus == agreement.Submitted || f.AgreementStatus == agreement.Approved),
		CanReimburse: f.Employer && !f.RepaymentWaived}
	switch c := f.ConventionArrete; {
	case f.ArreteReference != "":
		d.Arrete = fmt.Sprintf("n° %s du %s", f.ArreteReference, f.ArreteDate.French())
	case c != nil:
		d.Arrete = fmt.Sprintf("n° %s du %s, enregistré sur la convention", c.Reference, c.Date.French())
	}
	if c := f.Consent; c != nil {
		d.Consent = fmt.Sprintf("donné le %s (%s)", c.Date.French(), c.Reference)
		if c.Amendment > 0 {
			d.Consent += fmt.Sprintf(", avenant n° %d", c.Amendment)
		}
	}
	var total int64
	for _, t := range times {
		by := f.HostName
		if t.EnteredByOrgID == f.EmployerOrgID {
			by = f.EmployerName
		}
		d.Times = append(d.Times, staffTimeRow{ID: t.ID, Version: t.Version, Date: t.Date.French(), Duration: staff.FormatMinutes(t.Minutes),
			Activity: t.Activity, Note: t.Note, By: by, CanDelete: f.Employer || f.Host})
		total += t.Minutes
	}
	d.TotalTime = staff.FormatMinutes(total)
	for _, rb := range f.Reimbursements {
		row := staffReimbursementRow{Period: staffPeriod(rb.From, rb.To), Amount: rb.Amount.String(),
			Link: fmt.Sprintf("/finances/etats/%d", rb.StatementID)}
		if rb.Billing == staff.RealTime {
			hourly := rb.HourlyCost().Quo(money.IntRat(100)).French(2) + "\u00a0€"
			if !rb.HourlyCost().IsInt() {
				hourly = "≈\u00a0" + hourly
			}
			row.Basis = fmt.Sprintf("%s au coût horaire %s (coût annuel %d de %s / %s h)", staff.FormatMinutes(rb.Minutes),
				hourly, rb.CostYear, rb.AnnualCost, formatNumber(rb.AnnualHours))
		} else {
			row.Basis = fmt.Sprintf("coût annuel %d de %s × quotité %s × mois / 12", rb.CostYear, rb.AnnualCost, f.Quotite.Percent())
		}
		switch rb.StatementStatus {
		case ledger.Issued:
			row.Status = "Émis"
		default:
			row.Status = "Brouillon, à vérifier et émettre"
			if f.Employer {
				row.IssueLink = fmt.Sprintf("/finances/etats/%d/emettre", rb.StatementID)
			}
		}
		d.Reimbursements = append(d.Reimbursements, row)
	}
	return d, nil
}

func (h *Handler) staffSecondmentPage(w http.ResponseWriter, r *http.Request) {
	staffShow(h, w, r, h.loadStaffSecondment)
}

// staffSecondmentFailed renders the secondment's page again with a form's
// errors.
func (h *Handler) staffSecondmentFailed(w http.ResponseWriter, r *http.Request, a auth.Actor, id int64, form string, err error, keep func(d *staffSecondmentData)) {
	staffRefused(h, w, r, form, err, func() (*staffSecondmentData, error) { return h.loadStaffSecondment(r, a, id) }, keep)
}

func (h *Handler) staffTimeSave(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.userAndID(w, r)
	if !ok {
		return
	}
	form := staffTimeForm{Date: r.PostFormValue("date"), Duration: r.PostFormValue("duration"), Activity: r.PostFormValue("activity"), Note: r.PostFormValue("note")}
	var errs validate.Errors
	in := staff.TimeInput{Date: staffDate(r, "date", "date", &errs), Activity: form.Activity, Note: form.Note}
	if strings.TrimSpace(form.Duration) == "" {
		errs.Add("minutes", "la durée est obligatoire")
	} else if m, err := staff.ParseDuration(form.Duration); err != nil {
		errs.Add("minutes", "%s", err.Error())
	} else {
		in.Minutes = m
	}
	err := errs.Err()
	if err == nil {
		_, err = h.staff.RecordTime(r.Context(), a, id, in)
	}
	if err != nil {
		h.staffSecondmentFailed(w, r, a, id, "time", err, func(d *staffSecondmentData) { d.TimeForm = form })
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/personnel/mises-a-disposition/%d?fait=temps#temps", id), http.StatusSeeOther)
}

func (h *Handler) staffTimeDelete(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.userAndID(w, r)
	if !ok {
		return
	}
	version, _ := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	secID, _ := strconv.ParseInt(r.PostFormValue("secondment"), 10, 64)
	if err := h.staff.DeleteTime(r.Context(), a, id, version); err != nil {
		if secID != 0 {
			h.staffSecondmentFailed(w, r, a, secID, "time", err, nil)
			return
		}
		h.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/personnel/mises-a-disposition/%d?fait=temps-suppr#temps", secID), http.StatusSeeOther)
}

func (h *Handler) staffConsentSave(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.userAndID(w, r)
	if !ok {
		return
	}
	form := staffConsentForm{Date: r.PostFormValue("consent-date"), Reference: r.PostFormValue("consent-ref")}
	var errs validate.Errors
	date := staffDate(r, "consent-date", "consent_date", &errs)
	err := errs.Err()
	if err == nil {
		_, err = h.staff.RecordConsent(r.Context(), a, id, date, form.Reference)
	}
	if err != nil {
		h.staffSecondmentFailed(w, r, a, id, "consent", err, func(d *staffSecondmentData) { d.ConsentForm = form })
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/personnel/mises-a-disposition/%d?fait=accord", id), http.StatusSeeOther)
}

func (h *Handler) staffReimburseSave(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.userAndID(w, r)
	if !ok {
		return
	}
	form := staffReimburseForm{From: r.PostFormValue("from"), To: r.PostFormValue("to"), Label: r.PostFormValue("label")}
	var errs validate.Errors
	p := staff.Period{From: staffDate(r, "from", "from", &errs), To: staffDate(r, "to", "to", &errs), Label: form.Label}
	err := errs.Err()
	if err == nil {
		_, _, err = h.staff.Reimburse(r.Context(), a, id, p)
	}
	if err != nil {
		h.staffSecondmentFailed(w, r, a, id, "reimburse", err, func(d *staffSecondmentData) { d.ReimburseForm = form })
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/personnel/mises-a-disposition/%d?fait=remboursement#remboursements", id), http.StatusSeeOther)
}
