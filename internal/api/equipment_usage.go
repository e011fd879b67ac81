package api

import (
	"fmt"
	"net/http"
	"strconv"

	"voisines/internal/auth"
	"voisines/internal/civil"
	"voisines/internal/equipment"
	"voisines/internal/money"
	"voisines/internal/server/problem"
	"voisines/internal/usage"
)

type usageResponse struct {
	Records []usage.Entry `json:"records"`
	Totals  []usage.Total `json:"totals"`
}

// orgUsage lists the usage records where the organisation is provider or
// user, with their totals: ?agreement=, ?from=, ?to= (civil dates). Held
// bookings are turned into records first, so the answer is up to date.
func (h *Handler) orgUsage(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.actorAndID(w, r)
	if !ok {
		return
	}
	if err := auth.Authorize(a, auth.ReadPrivate, id); err != nil {
		h.Fail(w, r, err)
		return
	}
	var err error
	q := r.URL.Query()
	f := usage.Filter{OrgID: id}
	if s := q.Get("agreement"); s != "" {
		if f.AgreementID, err = strconv.ParseInt(s, 10, 64); err != nil {
			h.Fail(w, r, problem.Invalid("Un paramètre de la requête est invalide.", problem.Field{Name: "agreement", Message: "numéro de convention attendu"}))
			return
		}
	}
	for name, dst := range map[string]*civil.Date{"from": &f.From, "to": &f.To} {
		if s := q.Get(name); s != "" {
			if *dst, err = civil.Parse(s); err != nil {
				h.Fail(w, r, problem.Invalid("Une date est invalide.", problem.Field{Name: name, Message: "date attendue, comme 2026-09-30"}))
				return
			}
		}
	}
	if _, err := h.equipment.SyncUsage(r.Context()); err != nil {
		h.Fail(w, r, err)
		return
	}
	reader := h.equipment.DB().Reader()
	records, err := usage.List(r.Context(), reader, f)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	totals, err := usage.Sum(r.Context(), reader, f)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	if records == nil {
		records = []usage.Entry{}
	}
	if totals == nil {
		totals = []usage.Total{}
	}
	h.writeJSON(w, http.StatusOK, usageResponse{Records: records, Totals: totals})
}

// propertyCreate records undivided property managed by the commission
// syndicale of the path.
func (h *Handler) propertyCreate(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.actorAndID(w, r)
	if !ok {
		return
	}
	var body equipment.NewProperty
	if err := decodeJSON(r.Body, &body); err != nil {
		h.Fail(w, r, err)
		return
	}
	p, err := h.equipment.CreateProperty(r.Context(), a, id, body)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.writeJSON(w, http.StatusCreated, p)
}

func (h *Handler) propertyGet(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.actorAndID(w, r)
	if !ok {
		return
	}
	p, err := h.equipment.Property(r.Context(), a, id)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.writeJSON(w, http.StatusOK, p)
}

// accountsBody is a year's receipts and expenses, in cents.
type accountsBody struct {
	Receipts money.Cents `json:"receipts"`
	Expenses money.Cents `json:"expenses"`
	Note     string      `json:"note"`
}

func (h *Handler) propertyAccounts(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.actorAndID(w, r)
	if !ok {
		return
	}
	year, err := yearParam(r)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	var body accountsBody
	if err := decodeJSON(r.Body, &body); err != nil {
		h.Fail(w, r, err)
		return
	}
	if err := h.equipment.RecordAccounts(r.Context(), a, id, equipment.Accounts{Year: year, Receipts: body.Receipts,
		Expenses: body.Expenses, Note: body.Note}); err != nil {
		h.Fail(w, r, err)
		return
	}
	d, err := h.equipment.Split(r.Context(), a, id, year)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.writeJSON(w, http.StatusOK, d)
}

// propertyDistribution is the split of a year's surplus or deficit between
// the co-owners.
func (h *Handler) propertyDistribution(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.actorAndID(w, r)
	if !ok {
		return
	}
	year, err := yearParam(r)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	d, err := h.equipment.Split(r.Context(), a, id, year)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.writeJSON(w, http.StatusOK, d)
}

// yearParam reads the {year} of the path.
func yearParam(r *http.Request) (int, error) {
	year, err := strconv.Atoi(r.PathValue("year"))
	if err != nil {
		return 0, problem.Invalid("L'année est invalide.", problem.Field{Name: "year", Message: "année attendue, comme 2025"})
	}
	return year, nil
}

type propertyList struct {
	Properties []equipment.Property `json:"properties"`
}

// propertyListAll lists the undivided properties of the user's
// commissions and co-owner communes.
func (h *Handler) propertyListAll(w http.ResponseWriter, r *http.Request) {
	a, err := actor(r)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	ps, err := h.equipment.Properties(r.Context(), a)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	if ps == nil {
		ps = []equipment.Property{}
	}
	h.writeJSON(w, http.StatusOK, propertyList{Properties: ps})
}

type accountsList struct {
	Accounts []equipment.RecordedAccounts `json:"accounts"`
}

// propertyAccountsList lists the years recorded for a property, latest
// first.
func (h *Handler) propertyAccountsList(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.actorAndID(w, r)
	if !ok {
		return
	}
	list, err := h.equipment.AccountsOf(r.Context(), a, id)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	if list == nil {
		list = []equipment.RecordedAccounts{}
	}
	h.writeJSON(w, http.StatusOK, accountsList{Accounts: list})
}

// propertyStatement drafts, in the financial engine, the statement that
// splits a year's surplus or deficit between the co-owners; the commission
// issues it like any other statement.
func (h *Handler) propertyStatement(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.actorAndID(w, r)
	if !ok {
		return
	}
	year, err := yearParam(r)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	req, err := h.equipment.StatementRequest(r.Context(), a, id, year)
	if err != nil {
		h.Fail(w, r, err)
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
