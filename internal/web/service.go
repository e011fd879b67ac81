package web

// The shared services (issue 6) under /services: the services an
// organisation provides or benefits from; a service's page (unit of work,
// weights, years with their unit cost and notification, usage by
// beneficiary and period, statements); the year's cost lines and
// notification; forms to record the service, a year, a notification, a
// use, a usage file and a statement. Handlers are short scripts over
// service.Manager; a refused form comes back with its error summary.

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"voisines/internal/auth"
	"voisines/internal/civil"
	"voisines/internal/csvin"
	"voisines/internal/ledger"
	"voisines/internal/money"
	"voisines/internal/service"
	"voisines/internal/store"
	"voisines/internal/validate"
)

// servicePages are the templates of the shared services, their unit cost and usage (issue 6), under /services.
var servicePages = []string{"service_list", "service_form", "service_page", "service_year"}

// registerServices adds the routes of the shared services, their unit cost and usage (issue 6), under /services.
func (h *Handler) registerServices(mux *http.ServeMux) {
	mux.HandleFunc("GET /services", h.serviceList)
	mux.HandleFunc("GET /services/nouveau", h.serviceNew)
	mux.HandleFunc("POST /services/nouveau", h.serviceCreate)
	mux.HandleFunc("GET /services/{id}", h.servicePage)
	mux.HandleFunc("GET /services/{id}/modifier", h.serviceEdit)
	mux.HandleFunc("POST /services/{id}/modifier", h.serviceUpdate)
	mux.HandleFunc("GET /services/{id}/annees", h.serviceYearJump)
	mux.HandleFunc("GET /services/{id}/annees/{year}", h.serviceYear)
	mux.HandleFunc("POST /services/{id}/annees/{year}", h.serviceSaveYear)
	mux.HandleFunc("POST /services/{id}/annees/{year}/notification", h.serviceNotify)
	mux.HandleFunc("POST /services/{id}/usages", h.serviceRecordUsage)
	mux.HandleFunc("POST /services/{id}/usages/import", h.serviceImportUsage)
	mux.HandleFunc("GET /services/{id}/usages/modele.csv", h.serviceUsageTemplate)
	mux.HandleFunc("POST /services/{id}/usages/{uid}/supprimer", h.serviceRemoveUsage)
	mux.HandleFunc("POST /services/{id}/etats", h.serviceDraft)
	mux.HandleFunc("POST /services/{id}/etats/{sid}/emettre", h.serviceIssue)
	mux.HandleFunc("POST /services/{id}/etats/{sid}/recalculer", h.serviceRecompute)
}

// svcFormErrors are a refused form's errors: the summary at the top of the
// page, each item linking to its input, and the messages by input id.
type svcFormErrors struct {
	Message string
	Items   []svcErrorItem
	Invalid map[string][]string // by input id without "f-"
	Lines   csvin.Errors        // of a refused import file, shown as on every import page
}

type svcErrorItem struct {
	ID, Label, Message string
}

// svcField is one input of a services' form, ready for the "svc-input"
// and "svc-select" templates: its id (without "f-"), name, label, hint,
// value or options, and its errors.
type svcField struct {
	ID, Name, Label, Hint, Value, Type string
	Options                            []option
	Errors                             []string
}

// invalidOf returns the messages by input id of errs, never nil.
func invalidOf(errs *svcFormErrors) map[string][]string {
	if errs == nil {
		return map[string][]string{}
	}
	return errs.Invalid
}

// svcInput returns the text input name of form, valued from values.
func svcInput(form, name, label, hint string, values map[string]string, inv map[string][]string) svcField {
	id := svcInputID(form, name)
	return svcField{ID: id, Name: name, Label: label, Hint: hint, Value: values[name], Type: "text", Errors: inv[id]}
}

// svcSelect returns the select name of form with its options.
func svcSelect(form, name, label, hint string, opts []option, inv map[string][]string) svcField {
	id := svcInputID(form, name)
	return svcField{ID: id, Name: name, Label: label, Hint: hint, Options: opts, Errors: inv[id]}
}

// typed returns f with input type t ("date", "file"…).
func (f svcField) typed(t string) svcField {
	f.Type = t
	return f
}

var svcNotID = regexp.MustCompile(`[^A-Za-z0-9]+`)

// svcInputID is the id of the input of a domain field in form: "usage" and
// "lines[3].label" give "usage-lines-3-label".
func svcInputID(form, field string) string {
	return strings.Trim(form+"-"+svcNotID.ReplaceAllString(field, "-"), "-")
}

// svcFormInputs are, by form, the fields that have an input in the form
// (by name, before any index); the errors of other fields link to the form
// itself (id "f-"+form).
var svcFormInputs = map[string][]string{
	"service": {"agreement_id", "name", "description", "unit", "weights", "rounding", "charge_against_ac"},
	"year":    {"source", "lines", "budget_update", "budget_update_reason", "forecast_units"},
	"notice":  {"date", "recipients", "note"},
	"usage":   {"date", "beneficiary", "act_type", "quantity", "reference", "note"},
	"import":  {"file"},
	"stmt":    {"from", "to", "label", "actual_amount"},
}

// svcRefused answers a refused form: it turns err into the errors of form
// and shows them with render, or fails the page for an error no form
// shows.
func (h *Handler) svcRefused(w http.ResponseWriter, r *http.Request, form string, err error, render func(*svcFormErrors)) {
	fe, ok := svcErrorsOf(form, err)
	if !ok {
		h.Fail(w, r, err)
		return
	}
	render(fe)
}

// svcErrorsOf turns err into the errors of form (see svcFormInputs). ok is
// false for an error no form shows (then the page fails as usual).
func svcErrorsOf(form string, err error) (*svcFormErrors, bool) {
	if ies, ok := csvin.AsErrors(err); ok {
		fe := &svcFormErrors{Message: fmt.Sprintf("Le fichier est refusé en entier : %d erreur(s) à corriger, aucun usage n'a été enregistré.", len(ies)),
			Invalid: map[string][]string{}, Lines: ies}
		id := svcInputID(form, "file")
		fe.Items = []svcErrorItem{{ID: id, Label: "Fichier", Message: "voir le tableau des erreurs, ligne par ligne"}}
		fe.Invalid[id] = []string{"le fichier contient des erreurs : voir le tableau en haut de la page"}
		return fe, true
	}
	fes, ok := validate.As(err)
	if !ok {
		return nil, false
	}
	fe := &svcFormErrors{Message: "Le formulaire contient des erreurs à corriger.", Invalid: map[string][]string{}}
	for _, f := range fes {
		base, _, _ := strings.Cut(f.Field, "[")
		base, _, _ = strings.Cut(base, ".")
		id := form
		if slices.Contains(svcFormInputs[form], base) {
			id = svcInputID(form, f.Field)
		}
		fe.Items = append(fe.Items, svcErrorItem{ID: id, Label: serviceFieldLabel(f.Field), Message: f.Message})
		fe.Invalid[id] = append(fe.Invalid[id], f.Message)
	}
	return fe, true
}

// serviceFieldLabels are the French names of the fields of the services'
// forms, for the error summaries.
var serviceFieldLabels = map[string]string{
	"agreement_id": "Convention", "name": "Nom du service", "description": "Description", "unit": "Unité d'œuvre",
	"weights": "Pondération des actes", "rounding": "Arrondi", "charge_against_ac": "Imputation sur l'attribution de compensation",
	"year": "Année", "source": "Source des dépenses", "lines": "Dépenses", "budget_update": "Actualisation au budget primitif",
	"budget_update_reason": "Motif de l'actualisation", "forecast_units": "Prévision d'unités d'œuvre",
	"date": "Date", "recipients": "Destinataires", "note": "Note", "beneficiary": "Bénéficiaire", "act_type": "Type d'acte",
	"quantity": "Quantité", "reference": "Référence", "from": "Premier jour", "to": "Dernier jour", "label": "Libellé",
	"cost_lines": "Coût réel", "actual_amount": "Coût réel", "billing": "Remboursement", "terms": "Conditions financières", "status": "État",
	"version": "Version", "file": "Fichier",
}

var svcIndexed = regexp.MustCompile(`^([a-z_]+)\[(\d+)\]\.?([a-z_]*)$`)

// serviceFieldLabel names a field of the services' forms: "lines[2].reason"
// is "Dépenses, ligne 3 : motif d'exclusion".
func serviceFieldLabel(field string) string {
	if m := svcIndexed.FindStringSubmatch(field); m != nil {
		n, _ := strconv.Atoi(m[2])
		label := serviceFieldLabels[m[1]]
		if label == "" {
			label = m[1]
		}
		sub := map[string]string{"category": "nature", "label": "libellé", "amount": "montant", "reason": "motif d'exclusion",
			"type": "code", "weight": "poids", "": ""}[m[3]]
		s := fmt.Sprintf("%s, ligne %d", label, n+1)
		if sub != "" {
			s += " : " + sub
		}
		return s
	}
	if l, ok := serviceFieldLabels[field]; ok {
		return l
	}
	return field
}

// serviceFlashes are the confirmations after a form.
var serviceFlashes = map[string]string{
	"cree":         "Le service est enregistré. Saisissez maintenant les dépenses de l'année pour calculer son coût unitaire.",
	"modifie":      "Les caractéristiques du service sont enregistrées.",
	"annee":        "Les dépenses de l'année sont enregistrées ; le coût unitaire est recalculé ci-dessous.",
	"notification": "La notification du coût unitaire est enregistrée, avec ses destinataires.",
	"usage":        "L'usage est enregistré.",
	"import":       "Le fichier d'usages est importé.",
	"supprime":     "L'usage est supprimé.",
	"brouillon":    "Le brouillon d'état est calculé : vérifiez-le, puis émettez-le.",
	"emis":         "L'état est émis : ses flux (titres et mandats) sont enregistrés aux finances.",
}

func svcFlash(r *http.Request) string { return serviceFlashes[r.URL.Query().Get("fait")] }

func redirectService(w http.ResponseWriter, r *http.Request, path, done, anchor string) {
	q := url.Values{"fait": {done}}
	target := path + "?" + q.Encode()
	if anchor != "" {
		target += "#" + anchor
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// svcQuantity writes an exact quantity the French way, to the
// thousandth: "638,5", "40".
func svcQuantity(q money.Rat) string {
	if q.IsInt() {
		return q.French(0)
	}
	s := q.French(3)
	return strings.TrimRight(strings.TrimRight(s, "0"), ",")
}

func svcRoundingLabel(r money.Rounding) string { return capitalize(r.French()) }

// --- the list -----------------------------------------------------------

type serviceListData struct {
	Provided, Benefited []service.Summary
	CanCreate           bool
}

func (h *Handler) serviceList(w http.ResponseWriter, r *http.Request) {
	a, ok := h.signedInActor(w, r)
	if !ok {
		return
	}
	list, err := h.services.Mine(r.Context(), a)
	if err == nil && len(a.User.Memberships) == 0 && a.PlatformAdmin() {
		list, err = h.services.All(r.Context(), a)
	}
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	var d serviceListData
	for _, s := range list {
		if s.Provides {
			d.Provided = append(d.Provided, s)
		} else {
			d.Benefited = append(d.Benefited, s)
		}
	}
	if d.CanCreate, err = h.services.HasCandidates(r.Context(), a); err != nil {
		h.Fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "service_list", newPage(r, "Services partagés", "services", d))
}

// --- the service's form -------------------------------------------------

type svcWeightRow struct {
	Prefix             string // input id prefix
	Index              int
	Type, Label, Value string
}

type serviceFormData struct {
	S          *service.Service // nil when creating
	Agreements []option
	Form       map[string]string
	Units      []option
	Roundings  []option
	ACChoices  []option
	Weights    []svcWeightRow
	Errs       *svcFormErrors
	Invalid    map[string][]string
	F          map[string]svcField
}

func svcUnitOptions(selected service.Unit) []option {
	var out []option
	for _, u := range service.Units {
		label := map[service.Unit]string{service.Hour: "Heure", service.Act: "Acte pondéré par type (permis, déclarations…)",
			service.Km: "Kilomètre", service.Intervention: "Intervention"}[u]
		out = append(out, option{Value: string(u), Label: label, Selected: u == selected})
	}
	return out
}

func svcRoundingOptions(selected money.Rounding) []option {
	var out []option
	for _, m := range []money.Rounding{money.RoundHalfUp, money.RoundHalfEven, money.RoundDown, money.RoundUp} {
		out = append(out, option{Value: string(m), Label: svcRoundingLabel(m), Selected: m == selected})
	}
	return out
}

func (h *Handler) renderServiceForm(w http.ResponseWriter, r *http.Request, status int, a auth.Actor, s *service.Service, form map[string]string, rows int, errs *svcFormErrors) {
	d := serviceFormData{S: s, Form: form, Errs: errs}
	if s == nil {
		cands, err := h.services.Candidates(r.Context(), a)
		if err != nil {
			h.Fail(w, r, err)
			return
		}
		if len(cands) == 0 && errs != nil {
			// The page shows no form, only why: a refusal (a crafted
			// POST) says so at the top, without links to absent inputs.
			errs = &svcFormErrors{Message: "Le service n'est pas enregistré : aucune convention de vos organisations ne peut le porter.",
				Invalid: map[string][]string{}}
			d.Errs = errs
		}
		for _, c := range cands {
			v := strconv.FormatInt(c.ID, 10)
			d.Agreements = append(d.Agreements, option{Value: v, Label: fmt.Sprintf("%s — %s (%s)", c.Reference, c.Agreement.Title, c.Agreement.Kind.Label()),
				Selected: form["agreement_id"] == v})
		}
	}
	d.Units = svcUnitOptions(service.Unit(form["unit"]))
	d.Roundings = svcRoundingOptions(money.Rounding(form["rounding"]))
	d.ACChoices = []option{
		{Value: "", Label: "Comme le prévoit la convention", Selected: form["charge_against_ac"] == ""},
		{Value: "oui", Label: "Oui, imputé sur l'attribution de compensation", Selected: form["charge_against_ac"] == "oui"},
		{Value: "non", Label: "Non, remboursé par titre et mandat", Selected: form["charge_against_ac"] == "non"},
	}
	for i := range rows {
		p := fmt.Sprintf("weights[%d]", i)
		d.Weights = append(d.Weights, svcWeightRow{Prefix: svcInputID("service", p), Index: i,
			Type: form[p+".type"], Label: form[p+".label"], Value: form[p+".weight"]})
	}
	inv := invalidOf(errs)
	d.Invalid = inv
	d.F = map[string]svcField{
		"agreement_id": svcSelect("service", "agreement_id", "Convention", "", d.Agreements, inv),
		"name":         svcInput("service", "name", "Nom du service", "par exemple « Service voirie »", form, inv),
		"description":  svcInput("service", "description", "Description", "facultative", form, inv),
		"unit":         svcSelect("service", "unit", "Unité d'œuvre", "", d.Units, inv),
		"rounding":     svcSelect("service", "rounding", "Arrondi de chaque montant", "comme le prévoit la convention", d.Roundings, inv),
		"charge_against_ac": svcSelect("service", "charge_against_ac", "Imputation sur l'attribution de compensation",
			"service commun d'un EPCI à fiscalité professionnelle unique, article L5211-4-2 du CGCT", d.ACChoices, inv),
	}
	title := "Enregistrer un service partagé"
	if s != nil {
		title = "Modifier le service « " + s.Name + " »"
	}
	h.render(w, r, status, "service_form", newPage(r, title, "services", d))
}

// serviceFormValues are the form's values for service s.
func serviceFormValues(s service.Service) (map[string]string, int) {
	form := map[string]string{"name": s.Name, "description": s.Description, "unit": string(s.Unit), "rounding": string(s.Rounding),
		"version": strconv.FormatInt(s.Version, 10)}
	if s.RoundUnitCostFirst {
		form["round_unit_cost_first"] = "1"
	}
	form["charge_against_ac"] = map[bool]string{true: "oui", false: "non"}[s.ChargeAgainstAC]
	for i, wt := range s.Weights {
		p := fmt.Sprintf("weights[%d]", i)
		form[p+".type"], form[p+".label"], form[p+".weight"] = wt.Type, wt.Label, svcQuantity(wt.Weight)
	}
	return form, len(s.Weights) + 3
}

func (h *Handler) serviceNew(w http.ResponseWriter, r *http.Request) {
	a, ok := h.signedInActor(w, r)
	if !ok {
		return
	}
	form := map[string]string{"unit": string(service.Hour), "rounding": string(money.RoundHalfUp), "agreement_id": r.URL.Query().Get("convention")}
	h.renderServiceForm(w, r, http.StatusOK, a, nil, form, 6, nil)
}

// readServiceForm reads the service form into Details.
func readServiceForm(r *http.Request) (service.Details, map[string]string, int, error) {
	form := map[string]string{}
	for _, k := range []string{"agreement_id", "version", "name", "description", "unit", "rounding", "round_unit_cost_first", "charge_against_ac", "rows"} {
		form[k] = strings.TrimSpace(r.PostFormValue(k))
	}
	d := service.Details{Name: form["name"], Description: form["description"], Unit: service.Unit(form["unit"]),
		Rounding: money.Rounding(form["rounding"]), RoundUnitCostFirst: form["round_unit_cost_first"] != ""}
	switch form["charge_against_ac"] {
	case "oui":
		d.ChargeAgainstAC = new(bool)
		*d.ChargeAgainstAC = true
	case "non":
		d.ChargeAgainstAC = new(bool)
	}
	rows, _ := strconv.Atoi(form["rows"])
	rows = min(max(rows, 0), 50)
	var errs validate.Errors
	for i := range rows {
		p := fmt.Sprintf("weights[%d]", i)
		typ, label, weight := strings.TrimSpace(r.PostFormValue(p+".type")), strings.TrimSpace(r.PostFormValue(p+".label")), strings.TrimSpace(r.PostFormValue(p+".weight"))
		form[p+".type"], form[p+".label"], form[p+".weight"] = typ, label, weight
		if typ == "" && label == "" && weight == "" {
			continue
		}
		q, err := money.ParseRat(weight)
		if err != nil {
			errs.Add(fmt.Sprintf("weights[%d].weight", len(d.Weights)), "poids invalide %s (par exemple 1,2)", validate.Quote(weight))
		}
		d.Weights = append(d.Weights, service.ActWeight{Type: typ, Label: label, Weight: q})
	}
	return d, form, rows, errs.Err()
}

func (h *Handler) serviceCreate(w http.ResponseWriter, r *http.Request) {
	a, ok := h.signedInActor(w, r)
	if !ok {
		return
	}
	d, form, rows, err := readServiceForm(r)
	var s service.Service
	if err == nil {
		agr, _ := strconv.ParseInt(form["agreement_id"], 10, 64)
		s, err = h.services.Create(r.Context(), a, agr, d)
	}
	if err != nil {
		h.svcRefused(w, r, "service", err, func(fe *svcFormErrors) {
			h.renderServiceForm(w, r, http.StatusUnprocessableEntity, a, nil, form, max(rows, len(d.Weights)+3), fe)
		})
		return
	}
	redirectService(w, r, fmt.Sprintf("/services/%d", s.ID), "cree", "")
}

func (h *Handler) serviceEdit(w http.ResponseWriter, r *http.Request) {
	a, s, ok := h.serviceOf(w, r)
	if !ok {
		return
	}
	form, rows := serviceFormValues(s)
	h.renderServiceForm(w, r, http.StatusOK, a, &s, form, rows, nil)
}

func (h *Handler) serviceUpdate(w http.ResponseWriter, r *http.Request) {
	a, s, ok := h.serviceOf(w, r)
	if !ok {
		return
	}
	d, form, rows, err := readServiceForm(r)
	if err == nil {
		version, _ := strconv.ParseInt(form["version"], 10, 64)
		_, err = h.services.Update(r.Context(), a, s.ID, version, d)
	}
	if err != nil {
		h.svcRefused(w, r, "service", err, func(fe *svcFormErrors) {
			h.renderServiceForm(w, r, http.StatusUnprocessableEntity, a, &s, form, max(rows, len(d.Weights)+3), fe)
		})
		return
	}
	redirectService(w, r, fmt.Sprintf("/services/%d", s.ID), "modifie", "")
}

// serviceOf reads the service of the path for the request's user (404 to
// a user of no party).
func (h *Handler) serviceOf(w http.ResponseWriter, r *http.Request) (auth.Actor, service.Service, bool) {
	a, ok := h.signedInActor(w, r)
	if !ok {
		return a, service.Service{}, false
	}
	id, err := idParam(r)
	if err != nil {
		h.Fail(w, r, err)
		return a, service.Service{}, false
	}
	s, err := h.services.Get(r.Context(), a, id)
	if err != nil {
		h.Fail(w, r, err)
		return a, service.Service{}, false
	}
	return a, s, true
}

// serviceItemOf reads the service of the path and the number {key} of one
// of its items (a usage, a statement).
func (h *Handler) serviceItemOf(w http.ResponseWriter, r *http.Request, key string) (auth.Actor, service.Service, int64, bool) {
	a, s, ok := h.serviceOf(w, r)
	if !ok {
		return a, s, 0, false
	}
	n, err := pathNumber(r, key)
	if err != nil {
		h.Fail(w, r, err)
		return a, s, 0, false
	}
	return a, s, n, true
}

// serviceYearOf reads the service of the path and the {year}.
func (h *Handler) serviceYearOf(w http.ResponseWriter, r *http.Request) (auth.Actor, service.Service, int, bool) {
	a, s, ok := h.serviceOf(w, r)
	if !ok {
		return a, s, 0, false
	}
	year, err := svcYearParam(r)
	if err != nil {
		h.Fail(w, r, err)
		return a, s, 0, false
	}
	return a, s, year, true
}

// --- the service's page -------------------------------------------------

type svcYearRow struct {
	Year     int
	UnitCost string
	Status   string
	Late     bool
}

type svcUsageRow struct {
	ID                                                   int64
	Date, Beneficiary, Type, Quantity, Weighted, Ref, By string
	Removable                                            bool
}

type svcTotalRow struct {
	Name, ByType, Quantity, Weighted string
	Records                          int
}

type svcStatementRow struct {
	ID                                int64
	Number, Version                   int
	Period, Label, Status, Total, Own string
	Draft, Current                    bool
}

type servicePageData struct {
	S                   service.Service
	KindLabel           string
	BillingLabel        string
	RoundingLabel       string
	SettledAC           string
	CanWrite            bool
	Years               []svcYearRow
	NextYear            int
	Usage               service.UsageView
	UsageRows           []svcUsageRow
	MoreUsage           int
	Totals              []svcTotalRow
	Filter              map[string]string
	FilterBeneficiaries []option
	Beneficiaries       []option
	ActTypes            []option
	Statements          []svcStatementRow
	UsageForm, StmtForm map[string]string
	Errs                *svcFormErrors
	Invalid             map[string][]string
	F                   map[string]svcField
	ActualCost          bool
	Weights             []svcWeightRow
}

// svcMaxUsageRows caps the usage lines shown on the page; the totals count
// them all.
const svcMaxUsageRows = 300

func (h *Handler) servicePage(w http.ResponseWriter, r *http.Request) {
	a, s, ok := h.serviceOf(w, r)
	if !ok {
		return
	}
	p := newPage(r, s.Name, "services", nil)
	p.Flash = svcFlash(r)
	if n := r.URL.Query().Get("import"); n != "" && r.URL.Query().Get("fait") == "import" {
		p.Flash = "Le fichier d'usages est importé : " + n + "."
	}
	d, status, err := h.buildServicePage(r, a, s, nil, nil, nil)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	p.Data = d
	h.render(w, r, status, "service_page", p)
}

// renderServicePage renders the page of s again with the values and errors
// of a refused form.
func (h *Handler) renderServicePage(w http.ResponseWriter, r *http.Request, a auth.Actor, s service.Service, usageForm, stmtForm map[string]string, errs *svcFormErrors) {
	d, _, err := h.buildServicePage(r, a, s, usageForm, stmtForm, errs)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	p := newPage(r, s.Name, "services", d)
	h.render(w, r, http.StatusUnprocessableEntity, "service_page", p)
}

func (h *Handler) buildServicePage(r *http.Request, a auth.Actor, s service.Service, usageForm, stmtForm map[string]string, errs *svcFormErrors) (servicePageData, int, error) {
	ctx := r.Context()
	d := servicePageData{S: s, KindLabel: s.Kind.Label(), BillingLabel: capitalize(s.Billing.Label()), RoundingLabel: svcRoundingLabel(s.Rounding),
		CanWrite: auth.Authorize(a, auth.Write, s.Provider.OrgID) == nil, Errs: errs, ActualCost: s.Billing == service.ActualCostBilling,
		UsageForm: usageForm, StmtForm: stmtForm}
	if s.ChargeAgainstAC {
		d.SettledAC = capitalize(service.SettledAgainstAC)
	}
	for i, wt := range s.Weights {
		d.Weights = append(d.Weights, svcWeightRow{Index: i, Type: wt.Type, Label: wt.Label, Value: svcQuantity(wt.Weight)})
	}
	years, err := h.services.YearsOf(ctx, a, s)
	if err != nil {
		return d, 0, err
	}
	d.NextYear = civil.Today().Year
	for _, y := range years {
		d.Years = append(d.Years, svcYearRow{Year: y.Year, UnitCost: service.UnitCostText(y.Applied, s.Unit), Status: y.Notification.Message, Late: y.Notification.Late})
		if y.Year >= d.NextYear {
			d.NextYear = y.Year + 1
		}
	}
	status := http.StatusOK
	q := r.URL.Query()
	d.Filter = map[string]string{"du": q.Get("du"), "au": q.Get("au"), "beneficiaire": q.Get("beneficiaire")}
	var f service.UsageFilter
	if v := strings.TrimSpace(d.Filter["du"]); v != "" {
		f.From, _ = civil.Parse(v)
	}
	if v := strings.TrimSpace(d.Filter["au"]); v != "" {
		f.To, _ = civil.Parse(v)
	}
	f.Beneficiary, _ = strconv.ParseInt(d.Filter["beneficiaire"], 10, 64)
	if d.Usage, err = h.services.UsageOf(ctx, a, s, f); err != nil {
		return d, 0, err
	}
	d.FilterBeneficiaries = []option{{Value: "", Label: "Tous ceux que vous pouvez voir", Selected: f.Beneficiary == 0}}
	if d.UsageForm == nil {
		d.UsageForm = map[string]string{"date": civil.Today().String()}
	}
	for _, b := range s.Beneficiaries {
		v := strconv.FormatInt(b.OrgID, 10)
		visible := d.CanWrite || auth.Authorize(a, auth.ReadPrivate, b.OrgID) == nil
		if visible {
			d.FilterBeneficiaries = append(d.FilterBeneficiaries, option{Value: v, Label: b.Name, Selected: b.OrgID == f.Beneficiary})
		}
		d.Beneficiaries = append(d.Beneficiaries, option{Value: v, Label: b.Name + " (" + b.Code() + ")", Selected: d.UsageForm["beneficiary"] == v})
	}
	for _, wt := range s.Weights {
		d.ActTypes = append(d.ActTypes, option{Value: wt.Type, Label: fmt.Sprintf("%s — %s (poids %s)", wt.Type, wt.Label, svcQuantity(wt.Weight)),
			Selected: d.UsageForm["act_type"] == wt.Type})
	}
	lines := d.Usage.Lines
	if len(lines) > svcMaxUsageRows {
		d.MoreUsage = len(lines) - svcMaxUsageRows
		lines = lines[len(lines)-svcMaxUsageRows:]
	}
	for _, l := range lines {
		by := "saisie"
		if l.Source == "import" {
			by = "import"
		}
		d.UsageRows = append(d.UsageRows, svcUsageRow{ID: l.ID, Date: frenchDate(l.Date), Beneficiary: l.BeneficiaryName, Type: l.ActType,
			Quantity: svcQuantity(l.Quantity), Weighted: svcQuantity(l.Weighted), Ref: l.Reference, By: by,
			Removable: d.CanWrite && l.Reference != ""})
	}
	for _, t := range d.Usage.Totals {
		var parts []string
		for _, bt := range t.ByType {
			parts = append(parts, bt.ActType+" "+svcQuantity(bt.Quantity))
		}
		d.Totals = append(d.Totals, svcTotalRow{Name: t.BeneficiaryName, ByType: strings.Join(parts, ", "), Quantity: svcQuantity(t.Quantity),
			Weighted: svcQuantity(t.Weighted), Records: t.Records})
	}
	sts, err := h.services.StatementsOf(ctx, a, s)
	if err != nil {
		return d, 0, err
	}
	mine := func(org int64) bool { return auth.Authorize(a, auth.ReadPrivate, org) == nil }
	for _, st := range sts {
		row := svcStatementRow{ID: st.ID, Number: st.Number, Version: st.Version, Period: statementPeriod(st.Inputs), Label: st.Inputs.Label,
			Status: statementStatusName(st), Total: st.Result.Total.String(), Draft: st.Status == ledger.Draft, Current: st.Current()}
		var own money.Cents
		found := false
		for _, l := range st.Result.Lines {
			if l.OrgID != s.Provider.OrgID && mine(l.OrgID) {
				own += l.Amount
				found = true
			}
		}
		if found {
			row.Own = own.String()
		}
		// StatementsOf already left out the drafts (the provider's work
		// in progress) unless the user reads for the provider.
		d.Statements = append(d.Statements, row)
	}
	if d.StmtForm == nil {
		d.StmtForm = map[string]string{}
	}
	inv := invalidOf(errs)
	d.Invalid = inv
	typeHint, quantityLabel := "au millième au plus", "Quantité en "+s.Unit.Label()
	if s.Unit == service.Act {
		typeHint, quantityLabel = "un nombre entier", "Nombre d'actes"
	}
	d.F = map[string]svcField{
		"usage-date":        svcInput("usage", "date", "Date de l'usage", "", d.UsageForm, inv).typed("date"),
		"usage-beneficiary": svcSelect("usage", "beneficiary", "Bénéficiaire", "", d.Beneficiaries, inv),
		"usage-act_type":    svcSelect("usage", "act_type", "Type d'acte", "", d.ActTypes, inv),
		"usage-quantity":    svcInput("usage", "quantity", quantityLabel, typeHint, d.UsageForm, inv),
		"usage-reference":   svcInput("usage", "reference", "Référence", "numéro de dossier ; la même référence corrige l'usage déjà saisi", d.UsageForm, inv),
		"usage-note":        svcInput("usage", "note", "Note", "facultative", d.UsageForm, inv),
		"import-file":       svcInput("import", "file", "Fichier CSV des usages", "colonnes date, beneficiaire, type, quantite, reference, note", nil, inv).typed("file"),
		"stmt-from":         svcInput("stmt", "from", "Premier jour de la période", "", d.StmtForm, inv).typed("date"),
		"stmt-to":           svcInput("stmt", "to", "Dernier jour de la période", "douze mois au plus", d.StmtForm, inv).typed("date"),
		"stmt-label":        svcInput("stmt", "label", "Libellé de la période", "par exemple « 1er semestre 2026 »", d.StmtForm, inv),
		"stmt-actual_label": svcInput("stmt", "actual_label", "Libellé du coût réel", "par exemple « Coût réel constaté au compte administratif 2026 »", d.StmtForm, inv),
		"stmt-actual_amount": svcInput("stmt", "actual_amount", "Coût réel de la période, en euros",
			"sans montant, les dépenses saisies pour l'année de la période", d.StmtForm, inv),
		"filter-du":           {ID: "filter-du", Name: "du", Label: "Du", Value: d.Filter["du"], Type: "date"},
		"filter-au":           {ID: "filter-au", Name: "au", Label: "Au", Value: d.Filter["au"], Type: "date"},
		"filter-beneficiaire": {ID: "filter-beneficiaire", Name: "beneficiaire", Label: "Bénéficiaire", Options: d.FilterBeneficiaries},
	}
	return d, status, nil
}

// --- usage --------------------------------------------------------------

func (h *Handler) serviceRecordUsage(w http.ResponseWriter, r *http.Request) {
	a, s, ok := h.serviceOf(w, r)
	if !ok {
		return
	}
	form := map[string]string{}
	for _, k := range []string{"date", "beneficiary", "act_type", "quantity", "reference", "note"} {
		form[k] = strings.TrimSpace(r.PostFormValue(k))
	}
	var in service.UsageInput
	var errs validate.Errors
	if form["date"] != "" {
		d, err := civil.Parse(form["date"])
		if err != nil {
			errs.Add("date", "date invalide (format 2026-05-12)")
		}
		in.Date = d
	}
	in.Beneficiary, _ = strconv.ParseInt(form["beneficiary"], 10, 64)
	if form["quantity"] != "" {
		q, err := money.ParseRat(form["quantity"])
		if err != nil {
			errs.Add("quantity", "quantité invalide %s (par exemple 3 ou 2,5)", validate.Quote(form["quantity"]))
		}
		in.Quantity = q
	}
	in.ActType, in.Reference, in.Note = form["act_type"], form["reference"], form["note"]
	err := errs.Err()
	if err == nil {
		_, err = h.services.RecordUsage(r.Context(), a, s.ID, in)
	}
	if err != nil {
		h.svcRefused(w, r, "usage", err, func(fe *svcFormErrors) { h.renderServicePage(w, r, a, s, form, nil, fe) })
		return
	}
	redirectService(w, r, fmt.Sprintf("/services/%d", s.ID), "usage", "usages")
}

func (h *Handler) serviceImportUsage(w http.ResponseWriter, r *http.Request) {
	a, s, ok := h.serviceOf(w, r)
	if !ok {
		return
	}
	f, _, err := r.FormFile("file")
	if err != nil {
		fe := &svcFormErrors{Message: "Choisissez le fichier CSV des usages à importer.",
			Items:   []svcErrorItem{{ID: "import-file", Label: "Fichier", Message: "aucun fichier reçu"}},
			Invalid: map[string][]string{"import-file": {"aucun fichier reçu"}}}
		h.renderServicePage(w, r, a, s, nil, nil, fe)
		return
	}
	defer f.Close()
	rep, err := h.services.ImportUsage(r.Context(), a, s.ID, f)
	if err != nil {
		h.svcRefused(w, r, "import", err, func(fe *svcFormErrors) { h.renderServicePage(w, r, a, s, nil, nil, fe) })
		return
	}
	q := url.Values{"fait": {"import"}, "import": {fmt.Sprintf("%d ligne(s), %d nouvelle(s), %d corrigée(s)", rep.Lines, rep.Created, rep.Updated)}}
	http.Redirect(w, r, fmt.Sprintf("/services/%d?%s#usages", s.ID, q.Encode()), http.StatusSeeOther)
}

func (h *Handler) serviceUsageTemplate(w http.ResponseWriter, r *http.Request) {
	_, s, ok := h.serviceOf(w, r)
	if !ok {
		return
	}
	hdr := w.Header()
	hdr.Set("Content-Type", "text/csv; charset=utf-8")
	hdr.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="usages-service-%d.csv"`, s.ID))
	hdr.Set("Cache-Control", "private, no-store")
	w.Write([]byte(service.ImportTemplate(s)))
}

func (h *Handler) serviceRemoveUsage(w http.ResponseWriter, r *http.Request) {
	a, s, uid, ok := h.serviceItemOf(w, r, "uid")
	if !ok {
		return
	}
	if err := h.services.RemoveUsage(r.Context(), a, s.ID, uid); err != nil {
		h.Fail(w, r, err)
		return
	}
	redirectService(w, r, fmt.Sprintf("/services/%d", s.ID), "supprime", "usages")
}

// --- statements ---------------------------------------------------------

func (h *Handler) serviceDraft(w http.ResponseWriter, r *http.Request) {
	a, s, ok := h.serviceOf(w, r)
	if !ok {
		return
	}
	form := map[string]string{}
	for _, k := range []string{"from", "to", "label", "actual_label", "actual_amount"} {
		form[k] = strings.TrimSpace(r.PostFormValue(k))
	}
	var req service.StatementRequest
	var errs validate.Errors
	for _, p := range []struct {
		k   string
		dst *civil.Date
	}{{"from", &req.From}, {"to", &req.To}} {
		if form[p.k] != "" {
			d, err := civil.Parse(form[p.k])
			if err != nil {
				errs.Add(p.k, "date invalide (format 2026-06-30)")
			}
			*p.dst = d
		}
	}
	req.Label = form["label"]
	// Only an actual-cost service takes the period's cost: a unit-price
	// service has no such input and its statement ignores it.
	actual := s.Billing == service.ActualCostBilling
	if !actual {
		form["actual_label"], form["actual_amount"] = "", ""
	}
	if actual && form["actual_amount"] != "" {
		c, err := money.Parse(form["actual_amount"])
		if err != nil {
			errs.Add("actual_amount", "montant invalide %s (par exemple 97 212,40)", validate.Quote(form["actual_amount"]))
		}
		label := form["actual_label"]
		if label == "" {
			label = "Coût réel constaté"
		}
		req.CostLines = []money.CostLine{{Label: label, Amount: c, Eligible: true}}
	}
	err := errs.Err()
	var st ledger.Statement
	if err == nil {
		st, err = h.services.DraftStatement(r.Context(), a, s.ID, req)
	}
	if err != nil {
		if fes, ok := validate.As(err); ok && actual {
			for i := range fes {
				if strings.HasPrefix(fes[i].Field, "cost_lines") {
					fes[i].Field = "actual_amount"
				}
			}
			err = fes
		}
		h.svcRefused(w, r, "stmt", err, func(fe *svcFormErrors) { h.renderServicePage(w, r, a, s, nil, form, fe) })
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/finances/etats/%d", st.ID), http.StatusSeeOther)
}

func (h *Handler) serviceIssue(w http.ResponseWriter, r *http.Request) {
	a, s, sid, ok := h.serviceItemOf(w, r, "sid")
	if !ok {
		return
	}
	if _, err := h.services.IssueStatement(r.Context(), a, s.ID, sid); err != nil {
		if errors.Is(err, store.ErrConflict) {
			err = validate.Errors{{Field: "status", Message: fmt.Sprintf(
				"les usages ou les dépenses ont changé depuis le calcul du brouillon n° %d, ou un état couvre déjà cette période : recalculez-le et vérifiez-le avant de l'émettre", sid)}}
		}
		h.svcRefused(w, r, "stmt", err, func(fe *svcFormErrors) { h.renderServicePage(w, r, a, s, nil, nil, fe) })
		return
	}
	redirectService(w, r, fmt.Sprintf("/services/%d", s.ID), "emis", "etats")
}

func (h *Handler) serviceRecompute(w http.ResponseWriter, r *http.Request) {
	a, s, sid, ok := h.serviceItemOf(w, r, "sid")
	if !ok {
		return
	}
	if _, err := h.services.RecomputeStatement(r.Context(), a, s.ID, sid); err != nil {
		h.svcRefused(w, r, "stmt", err, func(fe *svcFormErrors) { h.renderServicePage(w, r, a, s, nil, nil, fe) })
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/finances/etats/%d", sid), http.StatusSeeOther)
}

// --- a year -------------------------------------------------------------

type svcCostRow struct {
	Prefix                          string
	Index                           int
	Categories                      []option
	Label, Amount, Reason, Eligible string
}

type svcYearData struct {
	S            service.Service
	Year         int
	Exists       bool
	CanWrite     bool
	Y            service.Year
	UnitCost     string
	Form         map[string]string
	Rows         []svcCostRow
	Recipients   []option
	NoticeForm   map[string]string
	Notices      []svcNoticeRow
	Errs         *svcFormErrors
	Prev, Next   int
	ForecastUnit string
	Forecast     string
	Invalid      map[string][]string
	F            map[string]svcField
}

type svcNoticeRow struct {
	Date, Recipients, UnitCost, Deadline, Status string
	Late                                         bool
}

func svcCategoryOptions(selected string) []option {
	var out []option
	for _, c := range service.Categories {
		label := map[service.Category]string{service.Personnel: "Personnel", service.Fournitures: "Fournitures",
			service.Renouvellement: "Renouvellement des biens", service.Contrats: "Contrats rattachés", service.Autre: "Autre"}[c]
		out = append(out, option{Value: string(c), Label: label, Selected: string(c) == selected})
	}
	return out
}

func (h *Handler) serviceYearJump(w http.ResponseWriter, r *http.Request) {
	_, s, ok := h.serviceOf(w, r)
	if !ok {
		return
	}
	y, err := strconv.Atoi(strings.TrimSpace(r.URL.Query().Get("annee")))
	if err != nil || y < 2000 || y > 2100 {
		h.Fail(w, r, fmt.Errorf("web: année %q: %w", r.URL.Query().Get("annee"), store.ErrNotFound))
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/services/%d/annees/%d", s.ID, y), http.StatusSeeOther)
}

func svcYearParam(r *http.Request) (int, error) {
	y, err := strconv.Atoi(r.PathValue("year"))
	if err != nil || y < 2000 || y > 2100 {
		return 0, fmt.Errorf("web: année %q: %w", r.PathValue("year"), store.ErrNotFound)
	}
	return y, nil
}

func (h *Handler) serviceYear(w http.ResponseWriter, r *http.Request) {
	a, s, year, ok := h.serviceYearOf(w, r)
	if !ok {
		return
	}
	h.renderServiceYear(w, r, http.StatusOK, a, s, year, nil, 0, nil, nil)
}

// svcYearFormValues are the form's values for year y.
func svcYearFormValues(y service.Year) map[string]string {
	form := map[string]string{"source": y.Source, "budget_update_reason": y.BudgetUpdateReason, "forecast_units": svcQuantity(y.ForecastUnits),
		"version": strconv.FormatInt(y.Version, 10)}
	if y.BudgetUpdate != 0 {
		form["budget_update"] = y.BudgetUpdate.French()
	}
	for i, l := range y.Lines {
		p := fmt.Sprintf("lines[%d]", i)
		form[p+".category"], form[p+".label"], form[p+".amount"], form[p+".reason"] = string(l.Category), l.Label, l.Amount.French(), l.Reason
		if l.Eligible {
			form[p+".eligible"] = "1"
		}
	}
	return form
}

func (h *Handler) renderServiceYear(w http.ResponseWriter, r *http.Request, status int, a auth.Actor, s service.Service, year int,
	form map[string]string, rows int, noticeForm map[string]string, errs *svcFormErrors) {
	d := svcYearData{S: s, Year: year, CanWrite: auth.Authorize(a, auth.Write, s.Provider.OrgID) == nil, Errs: errs,
		Prev: year - 1, Next: year + 1, ForecastUnit: s.Unit.Label()}
	y, err := h.services.Year(r.Context(), a, s.ID, year)
	switch {
	case err == nil:
		d.Exists, d.Y = true, y
		d.UnitCost = service.UnitCostText(y.Applied, s.Unit)
		d.Forecast = svcQuantity(y.ForecastUnits)
		for _, n := range y.Notification.Notices {
			row := svcNoticeRow{Date: frenchDate(n.Date), UnitCost: service.UnitCostText(n.Applied, s.Unit), Deadline: frenchDate(n.Deadline), Late: n.Late}
			var names []string
			for _, rc := range n.Recipients {
				names = append(names, rc.Name)
			}
			row.Recipients = strings.Join(names, ", ")
			switch {
			case n.Deadline.IsZero():
				row.Status = "sans délai légal (service commun)"
			case n.Late:
				row.Status = fmt.Sprintf("en retard de %d jour(s)", n.DaysLate)
			default:
				row.Status = "dans le délai"
			}
			d.Notices = append(d.Notices, row)
		}
		if form == nil {
			form = svcYearFormValues(y)
		}
	case errors.Is(err, store.ErrNotFound):
		if !d.CanWrite {
			h.Fail(w, r, err)
			return
		}
		if form == nil {
			form = map[string]string{"source": fmt.Sprintf("compte administratif %d", year-1), "version": "0"}
			for i, c := range service.Categories[:4] {
				p := fmt.Sprintf("lines[%d]", i)
				form[p+".category"], form[p+".label"], form[p+".eligible"] = string(c), c.Label(), "1"
			}
		}
	default:
		h.Fail(w, r, err)
		return
	}
	d.Form = form
	n := 0
	for k := range form {
		if m := svcIndexed.FindStringSubmatch(k); m != nil && m[1] == "lines" {
			i, _ := strconv.Atoi(m[2])
			n = max(n, i+1)
		}
	}
	rows = max(rows, n+3, 6)
	for i := range rows {
		p := fmt.Sprintf("lines[%d]", i)
		cat := form[p+".category"]
		if cat == "" {
			cat = string(service.Autre)
		}
		d.Rows = append(d.Rows, svcCostRow{Prefix: svcInputID("year", p), Index: i, Categories: svcCategoryOptions(cat),
			Label: form[p+".label"], Amount: form[p+".amount"], Reason: form[p+".reason"], Eligible: form[p+".eligible"]})
	}
	if noticeForm == nil {
		noticeForm = map[string]string{"date": civil.Today().String()}
	}
	d.NoticeForm = noticeForm
	for _, b := range s.Beneficiaries {
		v := strconv.FormatInt(b.OrgID, 10)
		d.Recipients = append(d.Recipients, option{Value: v, Label: b.Name, Selected: noticeForm["r"+v] != "" || noticeForm["sent"] == ""})
	}
	inv := invalidOf(errs)
	d.Invalid = inv
	d.F = map[string]svcField{
		"source":               svcInput("year", "source", "Source des dépenses", "le dernier compte administratif", form, inv),
		"budget_update":        svcInput("year", "budget_update", "Actualisation au budget primitif, en euros", "peut être négative, par exemple 4 600,00 ou -1 200,00", form, inv),
		"budget_update_reason": svcInput("year", "budget_update_reason", "Motif de l'actualisation", "glissement vieillesse-technicité, nouveau contrat…", form, inv),
		"forecast_units":       svcInput("year", "forecast_units", "Prévision d'utilisation, en "+s.Unit.Label(), "unités d'œuvre prévues pour l'année (article D5211-16)", form, inv),
		"notice-date":          svcInput("notice", "date", "Date de la notification", "", noticeForm, inv).typed("date"),
		"notice-note":          svcInput("notice", "note", "Note", "facultative : mode d'envoi, référence du courrier", noticeForm, inv),
	}
	p := newPage(r, fmt.Sprintf("%s — année %d", s.Name, year), "services", d)
	if status == http.StatusOK {
		p.Flash = svcFlash(r)
	}
	h.render(w, r, status, "service_year", p)
}

func (h *Handler) serviceSaveYear(w http.ResponseWriter, r *http.Request) {
	a, s, year, ok := h.serviceYearOf(w, r)
	if !ok {
		return
	}
	form := map[string]string{}
	for _, k := range []string{"source", "budget_update", "budget_update_reason", "forecast_units", "version", "rows"} {
		form[k] = strings.TrimSpace(r.PostFormValue(k))
	}
	in := service.YearInput{Source: form["source"], BudgetUpdateReason: form["budget_update_reason"]}
	var errs validate.Errors
	if v := form["budget_update"]; v != "" {
		c, err := money.Parse(v)
		if err != nil {
			errs.Add("budget_update", "montant invalide %s (par exemple 4 600,00 ou -1 200,00)", validate.Quote(v))
		}
		in.BudgetUpdate = c
	}
	if v := form["forecast_units"]; v != "" {
		q, err := money.ParseRat(v)
		if err != nil {
			errs.Add("forecast_units", "nombre invalide %s (par exemple 8 500 ou 265,5)", validate.Quote(v))
		}
		in.ForecastUnits = q
	}
	rows, _ := strconv.Atoi(form["rows"])
	rows = min(max(rows, 0), 200)
	for i := range rows {
		p := fmt.Sprintf("lines[%d]", i)
		l := service.CostLine{Category: service.Category(r.PostFormValue(p + ".category")), Label: strings.TrimSpace(r.PostFormValue(p + ".label")),
			Eligible: r.PostFormValue(p+".eligible") != "", Reason: strings.TrimSpace(r.PostFormValue(p + ".reason"))}
		amount := strings.TrimSpace(r.PostFormValue(p + ".amount"))
		form[p+".category"], form[p+".label"], form[p+".amount"], form[p+".reason"] = string(l.Category), l.Label, amount, l.Reason
		if l.Eligible {
			form[p+".eligible"] = "1"
		}
		if l.Label == "" && amount == "" && l.Reason == "" {
			continue
		}
		if amount != "" {
			c, err := money.Parse(amount)
			if err != nil {
				errs.Add(fmt.Sprintf("lines[%d].amount", i), "montant invalide %s (par exemple 182 400,00)", validate.Quote(amount))
			}
			l.Amount = c
		}
		in.Lines = append(in.Lines, l)
	}
	err := errs.Err()
	if err == nil {
		version, _ := strconv.ParseInt(form["version"], 10, 64)
		_, err = h.services.SetYear(r.Context(), a, s.ID, year, version, in)
	}
	if err != nil {
		if fes, ok := validate.As(err); ok {
			// The domain numbers the lines kept; the form numbers its rows.
			kept := svcKeptRows(form, rows)
			for i := range fes {
				if m := svcIndexed.FindStringSubmatch(fes[i].Field); m != nil && m[1] == "lines" {
					n, _ := strconv.Atoi(m[2])
					if n < len(kept) {
						fes[i].Field = fmt.Sprintf("lines[%d].%s", kept[n], m[3])
						if m[3] == "" {
							fes[i].Field = fmt.Sprintf("lines[%d]", kept[n])
						}
					}
				}
			}
			err = fes
		}
		h.svcRefused(w, r, "year", err, func(fe *svcFormErrors) {
			h.renderServiceYear(w, r, http.StatusUnprocessableEntity, a, s, year, form, rows, nil, fe)
		})
		return
	}
	redirectService(w, r, fmt.Sprintf("/services/%d/annees/%d", s.ID, year), "annee", "cout-unitaire")
}

// svcKeptRows returns the form rows that hold a line, in order.
func svcKeptRows(form map[string]string, rows int) []int {
	var out []int
	for i := range rows {
		p := fmt.Sprintf("lines[%d]", i)
		if form[p+".label"] != "" || form[p+".amount"] != "" || form[p+".reason"] != "" {
			out = append(out, i)
		}
	}
	return out
}

func (h *Handler) serviceNotify(w http.ResponseWriter, r *http.Request) {
	a, s, year, ok := h.serviceYearOf(w, r)
	if !ok {
		return
	}
	form := map[string]string{"date": strings.TrimSpace(r.PostFormValue("date")), "note": strings.TrimSpace(r.PostFormValue("note")), "sent": "1"}
	var in service.NoticeInput
	var errs validate.Errors
	if form["date"] != "" {
		d, err := civil.Parse(form["date"])
		if err != nil {
			errs.Add("date", "date invalide (format 2026-04-20)")
		}
		in.Date = d
	}
	for _, v := range r.PostForm["recipients"] {
		id, err := strconv.ParseInt(v, 10, 64)
		if err == nil && slices.ContainsFunc(s.Beneficiaries, func(p service.Party) bool { return p.OrgID == id }) {
			in.Recipients = append(in.Recipients, id)
			form["r"+v] = "1"
		}
	}
	if len(in.Recipients) == 0 {
		errs.Add("recipients", "cochez au moins un bénéficiaire notifié")
	}
	in.Note = form["note"]
	err := errs.Err()
	if err == nil {
		_, err = h.services.Notify(r.Context(), a, s.ID, year, in)
	}
	if err != nil {
		h.svcRefused(w, r, "notice", err, func(fe *svcFormErrors) {
			h.renderServiceYear(w, r, http.StatusUnprocessableEntity, a, s, year, nil, 0, form, fe)
		})
		return
	}
	redirectService(w, r, fmt.Sprintf("/services/%d/annees/%d", s.ID, year), "notification", "notification")
}
