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
	h.reply(w, r, http.StatusOK, usageResponse{Records: orEmpty(records), Totals: orEmpty(totals)}, err)
}

// propertyCreate records undivided property managed by the commission
// syndicale of the path.
func (h *Handler) propertyCreate(w http.ResponseWriter, r *http.Request) {
	var body equipment.NewProperty
	a, id, ok := h.actorIDBody(w, r, &body)
	if !ok {
		return
	}
	p, err := h.equipment.CreateProperty(r.Context(), a, id, body)
	h.reply(w, r, http.StatusCreated, p, err)
}

func (h *Handler) propertyGet(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.actorAndID(w, r)
	if !ok {
		return
	}
	p, err := h.equipment.Property(r.Context(), a, id)
	h.reply(w, r, http.StatusOK, p, err)
}

// accountsBody is a year's receipts and expenses, in cents.
type accountsBody struct {
	Receipts money.Cents `json:"receipts"`
	Expenses money.Cents `json:"expenses"`
	Note     string      `json:"note"`
}

func (h *Handler) propertyAccounts(w http.ResponseWriter, r *http.Request) {
	a, id, year, ok := h.propertyYear(w, r)
	if !ok {
		return
	}
	var body accountsBody
	if !h.decode(w, r, &body) {
		return
	}
	if err := h.equipment.RecordAccounts(r.Context(), a, id, equipment.Accounts{Year: year, Receipts: body.Receipts,
		Expenses: body.Expenses, Note: body.Note}); err != nil {
		h.Fail(w, r, err)
		return
	}
	d, err := h.equipment.Split(r.Context(), a, id, year)
	h.reply(w, r, http.StatusOK, d, err)
}

// propertyDistribution is the split of a year's surplus or deficit between
// the co-owners.
func (h *Handler) propertyDistribution(w http.ResponseWriter, r *http.Request) {
	a, id, year, ok := h.propertyYear(w, r)
	if !ok {
		return
	}
	d, err := h.equipment.Split(r.Context(), a, id, year)
	h.reply(w, r, http.StatusOK, d, err)
}

// propertyYear reads the actor, the property {id} and the {year} of the
// path; unlike yearOf, a malformed year is a field error (400), as the
// accounts routes always answered. When it returns false it has already
// answered.
func (h *Handler) propertyYear(w http.ResponseWriter, r *http.Request) (auth.Actor, int64, int, bool) {
	a, id, ok := h.actorAndID(w, r)
	if !ok {
		return a, 0, 0, false
	}
	year, err := strconv.Atoi(r.PathValue("year"))
	if err != nil {
		h.Fail(w, r, problem.Invalid("L'année est invalide.", problem.Field{Name: "year", Message: "année attendue, comme 2025"}))
		return a, 0, 0, false
	}
	return a, id, year, true
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
	h.reply(w, r, http.StatusOK, propertyList{Properties: orEmpty(ps)}, err)
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
	h.reply(w, r, http.StatusOK, accountsList{Accounts: orEmpty(list)}, err)
}

// propertyStatement drafts, in the financial engine, the statement that
// splits a year's surplus or deficit between the co-owners; the commission
// issues it like any other statement.
func (h *Handler) propertyStatement(w http.ResponseWriter, r *http.Request) {
	a, id, year, ok := h.propertyYear(w, r)
	if !ok {
		return
	}
	req, err := h.equipment.StatementRequest(r.Context(), a, id, year)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	st, err := h.ledger.Draft(r.Context(), a, req)
	h.replyCreated(h.Fail, w, r, fmt.Sprintf("/api/v1/statements/%d", st.ID), st, err)
}
