package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"voisines/internal/auth"
	"voisines/internal/civil"
	"voisines/internal/equipment"
	"voisines/internal/ledger"
	"voisines/internal/money"
	"voisines/internal/org"
	"voisines/internal/store"
	"voisines/internal/validate"
)

// Pages of biens indivis (CGCT L5222-1 ff., domain.md §3 G): property held
// undivided by several communes, managed by a commission syndicale. The
// commission's managers record the property with each co-owner's share
// from the titles, then each year's receipts and expenses; everyone
// concerned sees the surplus (or deficit) split by the shares, and the
// commission turns it into a statement of the financial engine, whose
// titres and mandats the communes then issue (a deficit share is a
// dépense obligatoire, L5222-2).

// indivisFields maps the domain's fields to the inputs of the indivis forms.
var indivisFields = map[string][2]string{
	"commission_org_id": {"commission", "Commission syndicale"},
	"name":              {"name", "Nom du bien"},
	"description":       {"description", "Description"},
	"agreement_id":      {"agreement", "Convention"},
	"shares":            {"share-0-commune", "Quotes-parts"},
	"year":              {"year", "Année"},
	"receipts":          {"receipts", "Recettes"},
	"expenses":          {"expenses", "Dépenses"},
	"note":              {"note", "Note"},
}

// indivisFieldsOf also maps shares[i].org_id and shares[i].share to their
// row's inputs.
func indivisFieldsOf(err error) (*formErrors, int) {
	fields := map[string][2]string{}
	for k, v := range indivisFields {
		fields[k] = v
	}
	for i := range maxShareRows {
		n := strconv.Itoa(i + 1)
		fields[fmt.Sprintf("shares[%d].org_id", i)] = [2]string{fmt.Sprintf("share-%d-commune", i), "Copropriétaire " + n}
		fields[fmt.Sprintf("shares[%d].share", i)] = [2]string{fmt.Sprintf("share-%d-share", i), "Quote-part " + n}
		fields[fmt.Sprintf("shares[%d].title", i)] = [2]string{fmt.Sprintf("share-%d-title", i), "Titre " + n}
	}
	return formErrorsIn(err, fields)
}

// The form offers defaultShareRows co-owners, maxShareRows on demand.
const (
	defaultShareRows = 6
	maxShareRows     = 12
)

type propertyCard struct {
	ID                       int64
	Name, Commission, Owners string
}

type indivisListData struct {
	Properties []propertyCard
	CanCreate  bool
}

// commissions lists the commissions syndicales the actor writes for:
// those it is a member of, every one for a platform admin.
func (h *Handler) commissions(r *http.Request, a auth.Actor, selected int64) ([]option, error) {
	var out []option
	if a.PlatformAdmin() {
		page, err := h.orgs.List(r.Context(), org.Filter{Kind: org.CommissionSyndicale, Limit: 500})
		if err != nil {
			return nil, err
		}
		for _, o := range page.Items {
			out = append(out, option{Value: strconv.FormatInt(o.ID, 10), Label: o.Name, Selected: o.ID == selected})
		}
		return out, nil
	}
	if a.User == nil {
		return nil, nil
	}
	for _, m := range a.User.Memberships {
		if m.OrgKind == string(org.CommissionSyndicale) && m.Role.Allows(auth.Write) {
			out = append(out, option{Value: strconv.FormatInt(m.OrgID, 10), Label: m.OrgName, Selected: m.OrgID == selected})
		}
	}
	return out, nil
}

func (h *Handler) indivisList(w http.ResponseWriter, r *http.Request) {
	a, ok := h.requireUser(w, r)
	if !ok {
		return
	}
	ps, err := h.equipment.Properties(r.Context(), a)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	cs, err := h.commissions(r, a, 0)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	data := indivisListData{CanCreate: len(cs) > 0}
	for _, p := range ps {
		names := make([]string, len(p.Shares))
		for i, sh := range p.Shares {
			names[i] = sh.Name + " (" + sh.Share.String() + ")"
		}
		data.Properties = append(data.Properties, propertyCard{ID: p.ID, Name: p.Name, Commission: p.CommissionName,
			Owners: strings.Join(names, ", ")})
	}
	h.render(w, r, http.StatusOK, "indivis_list", newPage(r, "Biens indivis", "equipements", data))
}

// ---- Creation ----

type shareRow struct {
	Commune, Share, Title string
}

type indivisFormData struct {
	Commissions []option
	Name        string
	Description string
	Agreement   string
	Shares      []shareRow
	Errors      *formErrors
}

// Err returns the error message of input id, "" when none.
func (d indivisFormData) Err(id string) string {
	if d.Errors == nil {
		return ""
	}
	return d.Errors.ByName[id]
}

func (h *Handler) indivisNewForm(w http.ResponseWriter, r *http.Request) {
	a, ok := h.requireUser(w, r)
	if !ok {
		return
	}
	rows := defaultShareRows
	if n, err := strconv.Atoi(r.URL.Query().Get("lignes")); err == nil && n > rows {
		rows = min(n, maxShareRows)
	}
	cs, err := h.commissions(r, a, 0)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	d := indivisFormData{Commissions: cs, Shares: make([]shareRow, rows)}
	if len(d.Commissions) == 0 {
		h.Fail(w, r, auth.ErrForbidden)
		return
	}
	h.render(w, r, http.StatusOK, "indivis_form", newPage(r, "Enregistrer un bien indivis", "equipements", d))
}

func (h *Handler) indivisCreate(w http.ResponseWriter, r *http.Request) {
	a, ok := h.requireUser(w, r)
	if !ok {
		return
	}
	if err := r.ParseForm(); err != nil {
		h.Fail(w, r, err)
		return
	}
	commission, _ := strconv.ParseInt(r.PostFormValue("commission"), 10, 64)
	cs, err := h.commissions(r, a, commission)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	d := indivisFormData{Commissions: cs, Name: r.PostFormValue("name"),
		Description: r.PostFormValue("description"), Agreement: r.PostFormValue("agreement")}
	n := equipment.NewProperty{Name: d.Name, Description: d.Description}
	var errs validate.Errors
	if commission <= 0 {
		errs.Add("commission_org_id", "choisissez la commission syndicale")
	}
	n.AgreementID, err = formAgreement(d.Agreement)
	errs.Check(err)
	for i := range maxShareRows {
		row := shareRow{Commune: strings.TrimSpace(r.PostFormValue(fmt.Sprintf("share_%d_commune", i))),
			Share: strings.TrimSpace(r.PostFormValue(fmt.Sprintf("share_%d_share", i))),
			Title: strings.TrimSpace(r.PostFormValue(fmt.Sprintf("share_%d_title", i)))}
		if row == (shareRow{}) {
			continue
		}
		// The filled rows come back first, so that row k is shares[k].
		d.Shares = append(d.Shares, row)
		k := len(n.Shares)
		sh := equipment.Share{Title: row.Title}
		o, err := h.orgs.ByCommune(r.Context(), strings.ToUpper(row.Commune))
		switch {
		case errors.Is(err, store.ErrNotFound):
			errs.Add(fmt.Sprintf("shares[%d].org_id", k), "aucune commune n'a le code Insee %s", validate.Quote(row.Commune))
		case err != nil:
			h.Fail(w, r, err)
			return
		default:
			sh.OrgID = o.ID
		}
		if sh.Share, err = money.ParseRat(row.Share); err != nil {
			errs.Add(fmt.Sprintf("shares[%d].share", k), "quote-part attendue sous forme de fraction exacte, comme 3/7")
		}
		n.Shares = append(n.Shares, sh)
	}
	for len(d.Shares) < defaultShareRows {
		d.Shares = append(d.Shares, shareRow{})
	}
	if err := errs.Err(); err != nil {
		h.indivisFormFailed(w, r, d, err)
		return
	}
	p, err := h.equipment.CreateProperty(r.Context(), a, commission, n)
	if err != nil {
		h.indivisFormFailed(w, r, d, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/biens-indivis/%d?fait=cree", p.ID), http.StatusSeeOther)
}

func (h *Handler) indivisFormFailed(w http.ResponseWriter, r *http.Request, d indivisFormData, err error) {
	fe, status := indivisFieldsOf(err)
	if status >= 500 || status == http.StatusNotFound || status == http.StatusUnauthorized || status == http.StatusForbidden {
		h.Fail(w, r, err)
		return
	}
	d.Errors = fe
	h.render(w, r, status, "indivis_form", newPage(r, "Enregistrer un bien indivis", "equipements", d))
}

// ---- The property's page ----

type shareView struct {
	Name, Share, Percent, Title string
}

type accountsRow struct {
	Year                                int
	Receipts, Expenses, Result, Outcome string
	Recorded, Note                      string
	Selected                            bool
}

type distributionRow struct {
	Name, Share, Amount, Meaning string
	Compulsory                   bool
}

type propertyPageData struct {
	P        equipment.Property
	Shares   []shareView
	Accounts []accountsRow
	Manager  bool // writes for the commission
	// The year shown and its split.
	Year         int
	Result       string
	Outcome      string // "excédent" or "déficit"
	OutcomeTitle string
	Lines        []distributionRow
	Explanation  []string
	// The form of a year's accounts.
	Form   accountsForm
	Errors *formErrors
	// Ledger is the error of the last attempt to draft the statement.
	LedgerError string
}

type accountsForm struct {
	Year, Receipts, Expenses, Note string
}

// Err returns the error message of input id, "" when none.
func (d propertyPageData) Err(id string) string {
	if d.Errors == nil {
		return ""
	}
	return d.Errors.ByName[id]
}

// sharePercent writes an exact share as a French percentage with two decimals.
func sharePercent(r money.Rat) string { return r.Mul(money.NewRat(100, 1)).French(2) + "\u00a0%" }

func (h *Handler) loadProperty(r *http.Request, a auth.Actor, id int64, year int) (propertyPageData, error) {
	p, err := h.equipment.Property(r.Context(), a, id)
	if err != nil {
		return propertyPageData{}, err
	}
	d := propertyPageData{P: p, Manager: auth.Authorize(a, auth.Write, p.CommissionOrgID) == nil}
	for _, sh := range p.Shares {
		d.Shares = append(d.Shares, shareView{Name: sh.Name, Share: sh.Share.String(), Percent: sharePercent(sh.Share), Title: sh.Title})
	}
	accounts, err := h.equipment.AccountsOf(r.Context(), a, id)
	if err != nil {
		return propertyPageData{}, err
	}
	if year == 0 && len(accounts) > 0 {
		year = accounts[0].Year
	}
	for _, ac := range accounts {
		res := ac.Receipts - ac.Expenses
		row := accountsRow{Year: ac.Year, Receipts: ac.Receipts.String(), Expenses: ac.Expenses.String(), Result: res.String(),
			Outcome: "excédent", Note: ac.Note, Selected: ac.Year == year,
			Recorded: fmt.Sprintf("par %s le %s", ac.RecordedBy, civil.In(ac.RecordedAt, civil.Paris).French())}
		if res < 0 {
			row.Outcome, row.Result = "déficit", (-res).String()
		}
		d.Accounts = append(d.Accounts, row)
	}
	d.Form.Year = strconv.Itoa(civil.Today().Year - 1)
	if year != 0 {
		d.Year = year
		split, err := h.equipment.Split(r.Context(), a, id, year)
		_, invalid := validate.As(err)
		switch {
		case invalid:
			d.Year = 0 // no accounts for that year
		case err != nil:
			return propertyPageData{}, err
		default:
			d.Result, d.Outcome = split.Result.String(), "excédent"
			if split.Result < 0 {
				d.Result, d.Outcome = (-split.Result).String(), "déficit"
			}
			d.OutcomeTitle = capitalize(d.Outcome)
			for _, l := range split.Lines {
				row := distributionRow{Name: l.Name, Share: l.Share.String(), Compulsory: l.Compulsory}
				switch {
				case l.Amount < 0:
					row.Amount, row.Meaning = (-l.Amount).String(), "à payer à la commission : dépense obligatoire (CGCT L5222-2)"
				default:
					row.Amount, row.Meaning = l.Amount.String(), "à recevoir de la commission"
				}
				d.Lines = append(d.Lines, row)
			}
			d.Explanation = split.Explanation
		}
	}
	return d, nil
}

// yearParam reads ?annee=, 0 when absent or invalid.
func yearParam(r *http.Request) int {
	y, err := strconv.Atoi(r.URL.Query().Get("annee"))
	if err != nil || y < 1900 || y > 2200 {
		return 0
	}
	return y
}

// indivisFlashes are the confirmations of the property's page.
var indivisFlashes = map[string]string{
	"cree":    "Le bien indivis est enregistré.",
	"comptes": "Les comptes de l'année sont enregistrés ; la répartition ci-dessous en tient compte.",
}

func (h *Handler) indivisPage(w http.ResponseWriter, r *http.Request) {
	a, ok := h.requireUser(w, r)
	if !ok {
		return
	}
	id, err := idParam(r)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	d, err := h.loadProperty(r, a, id, yearParam(r))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	pg := newPage(r, d.P.Name, "equipements", d)
	pg.Flash = indivisFlashes[r.URL.Query().Get("fait")]
	h.render(w, r, http.StatusOK, "indivis_property", pg)
}

// indivisAccounts records (or corrects) a year's receipts and expenses.
func (h *Handler) indivisAccounts(w http.ResponseWriter, r *http.Request) {
	a, ok := h.requireUser(w, r)
	if !ok {
		return
	}
	id, err := idParam(r)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	form := accountsForm{Year: strings.TrimSpace(r.PostFormValue("year")), Receipts: r.PostFormValue("receipts"),
		Expenses: r.PostFormValue("expenses"), Note: r.PostFormValue("note")}
	ac := equipment.Accounts{Note: form.Note}
	var errs validate.Errors
	if ac.Year, err = strconv.Atoi(form.Year); err != nil {
		errs.Add("year", "année attendue, comme 2025")
	}
	if ac.Receipts, err = money.Parse(form.Receipts); err != nil {
		errs.Add("receipts", "montant en euros attendu, comme 87 517,00")
	}
	if ac.Expenses, err = money.Parse(form.Expenses); err != nil {
		errs.Add("expenses", "montant en euros attendu, comme 31 905,40")
	}
	if err := errs.Err(); err != nil {
		h.indivisPageFailed(w, r, a, id, form, err, "")
		return
	}
	if err := h.equipment.RecordAccounts(r.Context(), a, id, ac); err != nil {
		h.indivisPageFailed(w, r, a, id, form, err, "")
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/biens-indivis/%d?annee=%d&fait=comptes#repartition", id, ac.Year), http.StatusSeeOther)
}

func (h *Handler) indivisPageFailed(w http.ResponseWriter, r *http.Request, a auth.Actor, id int64, form accountsForm, err error, ledgerErr string) {
	var fe *formErrors
	status := http.StatusUnprocessableEntity
	if err != nil {
		fe, status = formErrorsIn(err, indivisFields)
		if status >= 500 || status == http.StatusNotFound || status == http.StatusUnauthorized || status == http.StatusForbidden {
			h.Fail(w, r, err)
			return
		}
	}
	year, _ := strconv.Atoi(form.Year)
	d, lerr := h.loadProperty(r, a, id, year)
	if lerr != nil {
		h.Fail(w, r, lerr)
		return
	}
	if form != (accountsForm{}) {
		d.Form = form
	}
	d.Errors, d.LedgerError = fe, ledgerErr
	h.render(w, r, status, "indivis_property", newPage(r, d.P.Name, "equipements", d))
}

// indivisStatement drafts, in the financial engine, the statement that
// splits a year's surplus or deficit by the convention's shares; the
// commission checks and issues it from the finances pages.
func (h *Handler) indivisStatement(w http.ResponseWriter, r *http.Request) {
	a, ok := h.requireUser(w, r)
	if !ok {
		return
	}
	id, err := idParam(r)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	year, err := strconv.Atoi(r.PostFormValue("year"))
	if err != nil {
		h.Fail(w, r, store.ErrNotFound)
		return
	}
	form := accountsForm{Year: strconv.Itoa(year)}
	req, err := h.equipment.StatementRequest(r.Context(), a, id, year)
	if err == nil {
		var st ledger.Statement
		if st, err = h.ledger.Draft(r.Context(), a, req); err == nil {
			http.Redirect(w, r, "/finances/etats/"+strconv.FormatInt(st.ID, 10), http.StatusSeeOther)
			return
		}
	}
	fes, invalid := validate.As(err)
	if !invalid {
		h.Fail(w, r, err)
		return
	}
	msg := "L'état n'a pas pu être préparé dans les finances :"
	for _, fe := range fes {
		msg += " " + fe.Message + "."
	}
	h.indivisPageFailed(w, r, a, id, form, nil, msg)
}
