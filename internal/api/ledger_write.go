package api

// The ledger's write routes: a convention's financial terms, statements
// (preview, draft, recompute, delete, issue, correct) and their history,
// the titre and mandat references of each flow and their cancellations,
// each organisation's stated cost of doing alone what a convention does,
// and the per-year M57 account mapping. Every handler is the usual script:
// parse, call ledger.Service (which authorises), answer.

import (
	"fmt"
	"net/http"
	"strconv"

	"voisines/internal/ledger"
	"voisines/internal/money"
	"voisines/internal/server/problem"
	"voisines/internal/store"
)

// ledgerWriteRoutes are the ledger's write operations: financial terms,
// draft, issue and correct statements, titre and mandat references,
// standalone costs and the account mapping (issue 4).
var ledgerWriteRoutes = []route{
	{"GET", "/api/v1/agreements/{id}/terms", (*Handler).termsGet},
	{"PUT", "/api/v1/agreements/{id}/terms", (*Handler).termsPut},
	{"POST", "/api/v1/agreements/{id}/statements", (*Handler).statementCreate},
	{"DELETE", "/api/v1/statements/{id}", (*Handler).statementDelete},
	{"POST", "/api/v1/statements/{id}/recompute", (*Handler).statementRecompute},
	{"POST", "/api/v1/statements/{id}/issue", (*Handler).statementIssue},
	{"POST", "/api/v1/statements/{id}/corrections", (*Handler).statementCorrect},
	{"GET", "/api/v1/statements/{id}/history", (*Handler).statementHistory},
	{"GET", "/api/v1/flows/{id}", (*Handler).flowGet},
	{"PUT", "/api/v1/flows/{id}/titre", (*Handler).flowTitre},
	{"PUT", "/api/v1/flows/{id}/mandat", (*Handler).flowMandat},
	{"PUT", "/api/v1/flows/{id}/titre-cancellation", (*Handler).flowTitreCancel},
	{"PUT", "/api/v1/flows/{id}/mandat-cancellation", (*Handler).flowMandatCancel},
	{"PUT", "/api/v1/organisations/{id}/ledger/{year}/standalone-costs/{agreement}", (*Handler).standalonePut},
	{"GET", "/api/v1/accounts/{year}", (*Handler).accountsGet},
	{"PUT", "/api/v1/accounts/{year}", (*Handler).accountsPut},
}

// termsGet returns convention {id}'s financial terms; 404 when none are
// recorded or the user is not of a party.
func (h *Handler) termsGet(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.actorAndID(w, r)
	if !ok {
		return
	}
	tr, err := h.ledger.Terms(r.Context(), a, id)
	h.reply(w, r, http.StatusOK, tr, err)
}

// termsBody is the body of PUT /agreements/{id}/terms: the version the
// client read (0 for the first terms) and the terms.
type termsBody struct {
	Version int64        `json:"version"`
	Terms   ledger.Terms `json:"terms"`
}

// termsPut records convention {id}'s financial terms.
func (h *Handler) termsPut(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.actorAndID(w, r)
	if !ok {
		return
	}
	var body termsBody
	if !h.decode(w, r, &body) {
		return
	}
	tr, err := h.ledger.SetTerms(r.Context(), a, id, body.Version, body.Terms)
	h.reply(w, r, http.StatusOK, tr, err)
}

// statementCreate computes a statement of convention {id}: with
// ?preview=true without storing it (any party may), else stored as a
// draft (the creditor).
func (h *Handler) statementCreate(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.actorAndID(w, r)
	if !ok {
		return
	}
	preview, err := boolQuery(r, "preview")
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	var req ledger.Request
	if !h.decode(w, r, &req) {
		return
	}
	if req.AgreementID != 0 && req.AgreementID != id {
		h.Fail(w, r, problem.Invalid("La convention du corps n'est pas celle du chemin.",
			problem.Field{Name: "agreement_id", Message: fmt.Sprintf("%d attendu (ou absent)", id)}))
		return
	}
	req.AgreementID = id
	if preview {
		st, err := h.ledger.Compute(r.Context(), a, req)
		if err != nil {
			h.Fail(w, r, err)
			return
		}
		h.writeJSON(w, http.StatusOK, st)
		return
	}
	st, err := h.ledger.Draft(r.Context(), a, req)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/statements/%d", st.ID))
	h.writeJSON(w, http.StatusCreated, st)
}

// boolQuery reads an optional true/false query parameter.
func boolQuery(r *http.Request, name string) (bool, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return false, problem.Invalid("Un paramètre est invalide.", problem.Field{Name: name, Message: "true ou false attendu"})
	}
	return b, nil
}

// statementDelete deletes draft {id}.
func (h *Handler) statementDelete(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.actorAndID(w, r)
	if !ok {
		return
	}
	if err := h.ledger.DeleteDraft(r.Context(), a, id); err != nil {
		h.Fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// statementRecompute recomputes draft {id} from today's data.
func (h *Handler) statementRecompute(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.actorAndID(w, r)
	if !ok {
		return
	}
	st, err := h.ledger.Recompute(r.Context(), a, id)
	h.reply(w, r, http.StatusOK, st, err)
}

// statementIssue issues draft {id}: 409 when its data changed since it was
// computed or it duplicates a current statement.
func (h *Handler) statementIssue(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.actorAndID(w, r)
	if !ok {
		return
	}
	st, err := h.ledger.Issue(r.Context(), a, id)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.writeStatementWithFlows(w, r, st, http.StatusOK)
}

// writeStatementWithFlows answers statement st with its flows.
func (h *Handler) writeStatementWithFlows(w http.ResponseWriter, r *http.Request, st ledger.Statement, status int) {
	a, _ := actor(r)
	flows, err := h.ledger.Flows(r.Context(), a, st.ID)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	if flows == nil {
		flows = []ledger.Flow{}
	}
	h.writeJSON(w, status, statementWithFlows{Statement: st, Flows: flows})
}

// correctionBody is the body of POST /statements/{id}/corrections: why,
// and the request of the new version. Fields of the request left out keep
// the corrected version's (its period, label, lines and call), so that an
// empty request recomputes it from today's data.
type correctionBody struct {
	Reason  string          `json:"reason"`
	Request *ledger.Request `json:"request,omitempty"`
}

// statementCorrect issues a corrected version of issued statement {id}.
func (h *Handler) statementCorrect(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.actorAndID(w, r)
	if !ok {
		return
	}
	var body correctionBody
	if !h.decode(w, r, &body) {
		return
	}
	prev, err := h.ledger.Statement(r.Context(), a, id)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	req := prev.Inputs.Request
	if body.Request != nil {
		req = body.Request.Complete(prev.Inputs.Request)
	}
	st, err := h.ledger.Correct(r.Context(), a, id, req, body.Reason)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/statements/%d", st.ID))
	h.writeStatementWithFlows(w, r, st, http.StatusCreated)
}

// statementHistory lists who drafted, recomputed, issued and corrected
// every version of statement {id}, from the audit log.
func (h *Handler) statementHistory(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.actorAndID(w, r)
	if !ok {
		return
	}
	evs, err := h.ledger.History(r.Context(), a, id)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	if evs == nil {
		evs = []ledger.Event{}
	}
	h.writeJSON(w, http.StatusOK, map[string]any{"events": evs})
}

// flowGet returns flow {id} with its documents.
func (h *Handler) flowGet(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.actorAndID(w, r)
	if !ok {
		return
	}
	f, err := h.ledger.Flow(r.Context(), a, id)
	h.reply(w, r, http.StatusOK, f, err)
}

// flowDocument records the document of side for flow {id}.
func (h *Handler) flowDocument(w http.ResponseWriter, r *http.Request, side ledger.Side) {
	a, id, ok := h.actorAndID(w, r)
	if !ok {
		return
	}
	var doc ledger.Document
	if !h.decode(w, r, &doc) {
		return
	}
	f, err := h.ledger.RecordDocument(r.Context(), a, id, side, doc)
	h.reply(w, r, http.StatusOK, f, err)
}

func (h *Handler) flowTitre(w http.ResponseWriter, r *http.Request) {
	h.flowDocument(w, r, ledger.Titre)
}

func (h *Handler) flowMandat(w http.ResponseWriter, r *http.Request) {
	h.flowDocument(w, r, ledger.Mandat)
}

func (h *Handler) flowTitreCancel(w http.ResponseWriter, r *http.Request) {
	h.flowDocument(w, r, ledger.TitreCancel)
}

func (h *Handler) flowMandatCancel(w http.ResponseWriter, r *http.Request) {
	h.flowDocument(w, r, ledger.MandatCancel)
}

// standaloneBody is the body of PUT …/standalone-costs/{agreement}.
type standaloneBody struct {
	Cost    money.Cents `json:"standalone_cost"`
	OwnCost money.Cents `json:"own_cost"`
	Note    string      `json:"note"`
}

// standalonePut records what doing alone what convention {agreement} does
// would cost organisation {id} in {year}.
func (h *Handler) standalonePut(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.actorAndID(w, r)
	if !ok {
		return
	}
	agr, err := pathInt(r, "agreement")
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	year, err := yearPath(r)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	var body standaloneBody
	if !h.decode(w, r, &body) {
		return
	}
	st := ledger.Standalone{AgreementID: agr, OrgID: id, Year: year, Cost: body.Cost, OwnCost: body.OwnCost, Note: body.Note}
	if err := h.ledger.SetStandalone(r.Context(), a, st); err != nil {
		h.Fail(w, r, err)
		return
	}
	h.writeJSON(w, http.StatusOK, st)
}

// yearPath reads the {year} of the path: a fiscal year from 2000 to 2100.
func yearPath(r *http.Request) (int, error) {
	year, err := strconv.Atoi(r.PathValue("year"))
	if err != nil || year < 2000 || year > 2100 {
		return 0, fmt.Errorf("api: year %q: %w", r.PathValue("year"), store.ErrNotFound)
	}
	return year, nil
}

// accountsGet returns the account mapping of {year}: its own rows, or
// those of the year it falls back to.
func (h *Handler) accountsGet(w http.ResponseWriter, r *http.Request) {
	if _, err := actor(r); err != nil {
		h.Fail(w, r, err)
		return
	}
	year, err := yearPath(r)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	t, err := h.ledger.AccountTable(r.Context(), year)
	h.reply(w, r, http.StatusOK, t, err)
}

// accountTableBody is the body of PUT /accounts/{year}: the version read and
// the whole table.
type accountTableBody struct {
	Version string               `json:"version"`
	Rules   []ledger.AccountRule `json:"rules"`
}

// accountsPut replaces the account mapping of {year} (platform admins).
func (h *Handler) accountsPut(w http.ResponseWriter, r *http.Request) {
	a, err := actor(r)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	year, err := yearPath(r)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	var body accountTableBody
	if !h.decode(w, r, &body) {
		return
	}
	t, err := h.ledger.SetAccounts(r.Context(), a, year, body.Version, body.Rules)
	h.reply(w, r, http.StatusOK, t, err)
}
