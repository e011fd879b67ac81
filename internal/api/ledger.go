package api

// The ledger's read routes: an organisation's year (titres to issue,
// mandats to expect, per convention and partner), its XLSX workbook and
// titres CSV, a statement with its PDF, and a convention's statements.

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"voisines/internal/export/pdf"
	"voisines/internal/export/xlsx"
	"voisines/internal/ledger"
	"voisines/internal/store"
)

// ledgerYearOf reads the actor, the organisation and the fiscal year of the
// path (the year without suffix) and returns the organisation's year.
func (h *Handler) ledgerYearOf(w http.ResponseWriter, r *http.Request, suffix string) (ledger.Year, bool) {
	a, err := actor(r)
	if err != nil {
		h.Fail(w, r, err)
		return ledger.Year{}, false
	}
	id, err := pathInt(r, "id")
	if err != nil {
		h.Fail(w, r, err)
		return ledger.Year{}, false
	}
	raw := strings.TrimSuffix(r.PathValue("year"), suffix)
	year, err := strconv.Atoi(raw)
	if err != nil || year < 2000 || year > 2100 {
		h.Fail(w, r, fmt.Errorf("api: year %q: %w", r.PathValue("year"), store.ErrNotFound))
		return ledger.Year{}, false
	}
	y, err := h.ledger.Year(r.Context(), a, id, year)
	if err != nil {
		h.Fail(w, r, err)
		return ledger.Year{}, false
	}
	return y, true
}

// ledgerYear returns organisation {id}'s year as JSON; {year}.xlsx (which
// the mux gives this route, a wildcard being a whole segment) is the
// workbook.
func (h *Handler) ledgerYear(w http.ResponseWriter, r *http.Request) {
	if strings.HasSuffix(r.PathValue("year"), ".xlsx") {
		h.ledgerYearXLSX(w, r)
		return
	}
	y, ok := h.ledgerYearOf(w, r, "")
	if !ok {
		return
	}
	h.writeJSON(w, http.StatusOK, y)
}

// ledgerYearXLSX returns organisation {id}'s year as an XLSX workbook.
func (h *Handler) ledgerYearXLSX(w http.ResponseWriter, r *http.Request) {
	y, ok := h.ledgerYearOf(w, r, ".xlsx")
	if !ok {
		return
	}
	var buf bytes.Buffer
	if err := xlsx.Year(&buf, y); err != nil {
		h.Fail(w, r, err)
		return
	}
	writeFile(w, xlsxType, fmt.Sprintf("finances-%d-%d.xlsx", y.OrgID, y.Year), buf.Bytes())
}

// ledgerTitresCSV returns the titres de recettes organisation {id} must
// issue for {year}, as the CSV the finance software imports.
func (h *Handler) ledgerTitresCSV(w http.ResponseWriter, r *http.Request) {
	y, ok := h.ledgerYearOf(w, r, "")
	if !ok {
		return
	}
	var buf bytes.Buffer
	if err := ledger.WriteTitresCSV(&buf, y.Titres); err != nil {
		h.Fail(w, r, err)
		return
	}
	writeFile(w, "text/csv; charset=utf-8", fmt.Sprintf("titres-%d-%d.csv", y.OrgID, y.Year), buf.Bytes())
}

// statementWithFlows is a statement with its stored flows.
type statementWithFlows struct {
	ledger.Statement
	Flows []ledger.Flow `json:"flows"`
}

// statementGet returns statement {id} with its flows; 404 to anyone but
// the parties of its convention, and for a draft to anyone the ledger does
// not show it to (ledger.Statement.VisibleTo).
func (h *Handler) statementGet(w http.ResponseWriter, r *http.Request) {
	a, err := actor(r)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	id, err := pathInt(r, "id")
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	st, err := h.ledger.Statement(r.Context(), a, id)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	flows, err := h.ledger.Flows(r.Context(), a, id)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	if flows == nil {
		flows = []ledger.Flow{}
	}
	h.writeJSON(w, http.StatusOK, statementWithFlows{Statement: st, Flows: flows})
}

// statementPDF returns the PDF of statement {id}, in French.
func (h *Handler) statementPDF(w http.ResponseWriter, r *http.Request) {
	a, err := actor(r)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	id, err := pathInt(r, "id")
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	st, err := h.ledger.Statement(r.Context(), a, id)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	flows, err := h.ledger.Flows(r.Context(), a, id)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := pdf.Statement(&buf, st, pdf.StatementOptions{Flows: flows}); err != nil {
		h.Fail(w, r, err)
		return
	}
	writeFile(w, "application/pdf", statementFileName(st), buf.Bytes())
}

// statementFileName names a statement's PDF by its convention, number and
// version.
func statementFileName(st ledger.Statement) string {
	ref := st.Inputs.Agreement.Reference
	if ref == "" {
		ref = strconv.FormatInt(st.AgreementID, 10)
	}
	return fmt.Sprintf("etat-%s-%d-v%d.pdf", ref, st.Number, st.Version)
}

// agreementStatements lists the statements of convention {id} the actor
// may see: issued ones and their former versions to every party, drafts
// to the creditor's writers only (ledger.Statement.VisibleTo).
func (h *Handler) agreementStatements(w http.ResponseWriter, r *http.Request) {
	a, err := actor(r)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	id, err := pathInt(r, "id")
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	ss, err := h.ledger.Statements(r.Context(), a, id)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	if ss == nil {
		ss = []ledger.Statement{}
	}
	h.writeJSON(w, http.StatusOK, map[string]any{"statements": ss})
}
