package web

// The finances of an organisation: its year under its conventions (the
// titres de recettes it must issue and the mandats it should expect, per
// convention and partner, gross), its downloads, and each statement (état)
// with its computation, parties' amounts, versions and PDF.

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"voisines/internal/agreement"
	"voisines/internal/auth"
	"voisines/internal/civil"
	"voisines/internal/export/pdf"
	"voisines/internal/export/xlsx"
	"voisines/internal/ledger"
	"voisines/internal/money"
	"voisines/internal/store"
)

// ledgerFuncs are the helpers of the finances' pages.
func ledgerFuncs() template.FuncMap {
	return template.FuncMap{
		"eur": func(c money.Cents) string { return c.String() },
		"eurp": func(c *money.Cents) string {
			if c == nil {
				return "—"
			}
			return c.String()
		},
		"netLabel":      func() string { return ledger.NetLabel },
		"stmtStatus":    statementStatusName,
		"stmtKind":      statementKindName,
		"periodOf":      statementPeriod,
		"docRef":        func(d *ledger.Document) string { return documentRef(d) },
		"ledgerYearURL": ledgerYearURL,
		"flowAccount":   flowAccount,
		// The write pages' helpers (ledger_write.go).
		"errFor":         func(e *ledgerErrors, id string) string { return e.For(id) },
		"documentURL":    documentURL,
		"roundings":      roundingOptions,
		"keyKinds":       keyKindOptions,
		"populations":    populationOptions,
		"relationName":   relationName,
		"instrumentName": instrumentName,
		"sideLabel":      func(s ledger.Side) string { return capitalize(s.Label()) },
		"roundingName":   func(m money.Rounding) string { return capitalize(m.French()) },
		"eventName":      eventName,
		"ratText":        ratText,
		"costTable": func(name, id, caption string, rows []costRow, e *ledgerErrors) rowsTable[costRow] {
			return rowsTable[costRow]{Name: name, ID: id, Caption: caption, Rows: rows, Errors: e}
		},
		"weightTable": func(name, id, caption string, rows []weightRow, e *ledgerErrors) rowsTable[weightRow] {
			return rowsTable[weightRow]{Name: name, ID: id, Caption: caption, Rows: rows, Errors: e}
		},
	}
}

// rowsTable is a table of inputs of a form: the rows' field name prefix,
// the table's id (each input's is ID-row-column), its caption and rows.
type rowsTable[R any] struct {
	Name, ID, Caption string
	Rows              []R
	Errors            *ledgerErrors
}

// roundingOptions are the rounding modes, selected the one named.
func roundingOptions(selected string) []option {
	var out []option
	for _, m := range []money.Rounding{money.RoundHalfUp, money.RoundHalfEven, money.RoundDown, money.RoundUp} {
		out = append(out, option{Value: string(m), Label: capitalize(m.French()), Selected: string(m) == selected})
	}
	return out
}

// keyKindOptions are the kinds of key, selected the one named.
func keyKindOptions(selected string) []option {
	var out []option
	for _, k := range []money.KeyKind{money.KeyEqual, money.KeyPopulation, money.KeyUsage, money.KeyFixed, money.KeyValue, money.KeyMix} {
		out = append(out, option{Value: string(k), Label: capitalize(keyKindNames[k]), Selected: string(k) == selected})
	}
	return out
}

// populationOptions are the measures of a population key.
func populationOptions(selected string) []option {
	var out []option
	for _, m := range []string{money.PopulationMunicipale, money.PopulationTotale, money.PopulationDGF} {
		out = append(out, option{Value: m, Label: capitalize(measureNames[m]), Selected: m == selected})
	}
	return out
}

// eventName says an operation of a statement's history in French.
func eventName(action string) string {
	switch action {
	case "ledger.draft.create":
		return "Brouillon calculé et enregistré"
	case "ledger.draft.recompute":
		return "Brouillon recalculé"
	case "ledger.statement.issue":
		return "État émis"
	case "ledger.statement.correct":
		return "Version corrigée émise"
	}
	return action
}

// statementStatusName is a statement's status in French.
func statementStatusName(st ledger.Statement) string {
	switch {
	case st.Status == ledger.Draft:
		return "Brouillon"
	case st.SupersededBy != 0:
		return "Émis, remplacé par une correction"
	default:
		return "Émis"
	}
}

func statementKindName(k ledger.StatementKind) string {
	switch k {
	case ledger.CallKind:
		return "Appel de fonds"
	case ledger.Final:
		return "Décompte final"
	default:
		return "État de la période"
	}
}

// statementPeriod writes a statement's period: "du 1er juillet 2026 au 31
// décembre 2026", or the day of a call for funds.
func statementPeriod(in ledger.Inputs) string {
	if in.From == in.To {
		return "le " + frenchDate(in.From)
	}
	return "du " + frenchDate(in.From) + " au " + frenchDate(in.To)
}

func documentRef(d *ledger.Document) string {
	if d == nil || d.Reference == "" {
		return "à émettre"
	}
	s := "n° " + d.Reference
	if !d.Date.IsZero() {
		s += " du " + frenchDate(d.Date)
	}
	return s
}

// flowAccount is the account of a flow's titre or mandat: the one recorded
// with the document, else the suggested one, else a dash.
func flowAccount(f ledger.Flow, side string) string {
	account, doc := f.TitreAccount, f.Titre
	if side == "mandat" {
		account, doc = f.MandatAccount, f.Mandat
	}
	if doc != nil && doc.Account != "" {
		account = doc.Account
	}
	if account == "" {
		return "—"
	}
	return account
}

// ledgerYearURL is the query of an organisation's year.
func ledgerYearURL(path string, orgID int64, year int) string {
	v := url.Values{}
	v.Set("org", strconv.FormatInt(orgID, 10))
	v.Set("annee", strconv.Itoa(year))
	return path + "?" + v.Encode()
}

// yearData is the page of an organisation's year.
type yearData struct {
	Year        ledger.Year
	Memberships []auth.Membership
	Prev, Next  int
	// Savings are the conventions with a stated standalone cost.
	Savings []ledger.ConventionYear
	// CanWrite says the user may act for the organisation: record its
	// titres and mandats, state its costs of doing alone.
	CanWrite bool
	Admin    bool
	// Here is the page's own address, to come back to after a form.
	Here string
	// Conventions are the organisation's conventions of the year, for the
	// form stating a cost of doing alone (Standalone, with its Errors).
	Conventions []option
	Standalone  standaloneForm
	Errors      *ledgerErrors
}

// ledgerYearOf reads the organisation (org, or the user's only one) and
// the year (annee, or this year) of the query, and returns the year.
func (h *Handler) ledgerYearOf(w http.ResponseWriter, r *http.Request) (auth.Actor, ledger.Year, bool) {
	a, ok := h.signedInActor(w, r)
	if !ok {
		return a, ledger.Year{}, false
	}
	q := r.URL.Query()
	var orgID int64
	if s := strings.TrimSpace(q.Get("org")); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			h.Fail(w, r, fmt.Errorf("web: organisation %q: %w", s, store.ErrNotFound))
			return a, ledger.Year{}, false
		}
		orgID = id
	} else if len(a.User.Memberships) > 0 {
		orgID = a.User.Memberships[0].OrgID
	} else {
		h.Fail(w, r, fmt.Errorf("web: finances without organisation: %w", store.ErrNotFound))
		return a, ledger.Year{}, false
	}
	year := civil.Today().Year
	if s := strings.TrimSpace(q.Get("annee")); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 2000 || n > 2100 {
			h.Fail(w, r, fmt.Errorf("web: année %q: %w", s, store.ErrNotFound))
			return a, ledger.Year{}, false
		}
		year = n
	}
	y, err := h.ledger.Year(r.Context(), a, orgID, year)
	if err != nil {
		h.Fail(w, r, err)
		return a, ledger.Year{}, false
	}
	return a, y, true
}

// ledgerYear shows an organisation's year: the titres to issue, the
// mandats to expect, per convention and partner, with totals.
func (h *Handler) ledgerYear(w http.ResponseWriter, r *http.Request) {
	a, y, ok := h.ledgerYearOf(w, r)
	if !ok {
		return
	}
	var form standaloneForm
	if id := r.URL.Query().Get("cout"); id != "" {
		form.Agreement = id
		for _, c := range y.Conventions {
			if st := c.Standalone; st != nil && strconv.FormatInt(c.AgreementID, 10) == id {
				form.Cost, form.OwnCost, form.Note = st.Cost.French(), st.OwnCost.French(), st.Note
			}
		}
	}
	h.renderYear(w, r, a, y, form, nil, http.StatusOK)
}

// renderYear shows year y with the form stating a cost of doing alone
// (and its errors).
func (h *Handler) renderYear(w http.ResponseWriter, r *http.Request, a auth.Actor, y ledger.Year, form standaloneForm, errs *ledgerErrors, status int) {
	data := yearData{Year: y, Memberships: a.User.Memberships, Prev: y.Year - 1, Next: y.Year + 1,
		CanWrite: canWrite(a, y.OrgID), Admin: a.PlatformAdmin(), Here: ledgerYearURL("/finances", y.OrgID, y.Year),
		Standalone: form, Errors: errs}
	for _, c := range y.Conventions {
		if c.Standalone != nil {
			data.Savings = append(data.Savings, c)
		}
	}
	if data.CanWrite {
		page, err := h.agreement.List(r.Context(), a, agreement.Filter{OrgID: y.OrgID, Year: y.Year, Limit: 500})
		if err != nil {
			h.log.Warn("finances: the year's conventions", "error", err, "org", y.OrgID)
		}
		for _, c := range page.Items {
			id := strconv.FormatInt(c.ID, 10)
			data.Conventions = append(data.Conventions, option{Value: id, Label: c.Reference + " — " + c.Title, Selected: id == form.Agreement})
		}
	}
	pg := newPage(r, fmt.Sprintf("Finances %d — %s", y.Year, y.Name), "finances", data)
	if errs == nil {
		pg.Flash = flashOf(r)
	}
	h.render(w, r, status, "ledger_year", pg)
}

// ledgerYearXLSX sends the year as a workbook.
func (h *Handler) ledgerYearXLSX(w http.ResponseWriter, r *http.Request) {
	_, y, ok := h.ledgerYearOf(w, r)
	if !ok {
		return
	}
	var buf bytes.Buffer
	if err := xlsx.Year(&buf, y); err != nil {
		h.Fail(w, r, err)
		return
	}
	writeDownload(w, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		fmt.Sprintf("finances-%d-%d.xlsx", y.OrgID, y.Year), buf.Bytes())
}

// ledgerTitresCSV sends the titres to issue as CSV for the finance
// software.
func (h *Handler) ledgerTitresCSV(w http.ResponseWriter, r *http.Request) {
	_, y, ok := h.ledgerYearOf(w, r)
	if !ok {
		return
	}
	var buf bytes.Buffer
	if err := ledger.WriteTitresCSV(&buf, y.Titres); err != nil {
		h.Fail(w, r, err)
		return
	}
	writeDownload(w, "text/csv; charset=utf-8", fmt.Sprintf("titres-%d-%d.csv", y.OrgID, y.Year), buf.Bytes())
}

func writeDownload(w http.ResponseWriter, contentType, filename string, body []byte) {
	hd := w.Header()
	hd.Set("Content-Type", contentType)
	hd.Set("Content-Disposition", attachmentDisposition(filename))
	hd.Set("Content-Length", strconv.Itoa(len(body)))
	hd.Set("Cache-Control", "private, no-store")
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}

// statementData is the page of a statement.
type statementData struct {
	Statement ledger.Statement
	Flows     []flowRow
	Versions  []ledger.Statement
	// CanWrite says the user acts for the creditor: recomputes, deletes,
	// issues or corrects the statement.
	CanWrite bool
	// History is who drafted, issued and corrected each version.
	History []ledger.Event
	Here    string
}

// flowRow is a flow of a statement's page with what the user may record
// for it.
type flowRow struct {
	ledger.Flow
	CanTitre, CanMandat bool
}

// ledgerStatement shows statement {id}; {id}.pdf (the mux gives this route
// the whole segment) sends its PDF.
func (h *Handler) ledgerStatement(w http.ResponseWriter, r *http.Request) {
	a, ok := h.signedInActor(w, r)
	if !ok {
		return
	}
	raw := r.PathValue("id")
	asPDF := strings.HasSuffix(raw, ".pdf")
	id, err := strconv.ParseInt(strings.TrimSuffix(raw, ".pdf"), 10, 64)
	if err != nil || id <= 0 {
		h.Fail(w, r, fmt.Errorf("web: état %q: %w", raw, store.ErrNotFound))
		return
	}
	ctx := r.Context()
	st, err := h.ledger.Statement(ctx, a, id)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	flows, err := h.ledger.Flows(ctx, a, id)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	if asPDF {
		var buf bytes.Buffer
		if err := pdf.Statement(&buf, st, pdf.StatementOptions{Flows: flows}); err != nil {
			h.Fail(w, r, err)
			return
		}
		ref := st.Inputs.Agreement.Reference
		if ref == "" {
			ref = strconv.FormatInt(st.AgreementID, 10)
		}
		writePDF(w, fmt.Sprintf("etat-%s-%d-v%d.pdf", ref, st.Number, st.Version), buf.Bytes())
		return
	}
	all, err := h.ledger.Statements(ctx, a, st.AgreementID)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	history, err := h.ledger.History(ctx, a, id)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	data := statementData{Statement: st, CanWrite: canWrite(a, st.Inputs.Creditor.OrgID), History: history,
		Here: fmt.Sprintf("/finances/etats/%d", st.ID)}
	for _, f := range flows {
		data.Flows = append(data.Flows, flowRow{Flow: f, CanTitre: canWrite(a, f.Creditor.OrgID), CanMandat: canWrite(a, f.Debtor.OrgID)})
	}
	for _, s := range all {
		if s.Number == st.Number {
			data.Versions = append(data.Versions, s)
		}
	}
	title := fmt.Sprintf("État n° %d (version %d) — convention %s", st.Number, st.Version, st.Inputs.Agreement.Reference)
	pg := newPage(r, title, "finances", data)
	pg.Flash = flashOf(r)
	h.render(w, r, http.StatusOK, "ledger_statement", pg)
}
