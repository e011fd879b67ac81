package api

// The decisions of an entente's conférence and the notifications of a unit
// cost, under /api/v1/agreements/{id}: the same script as every route of
// agreement.go (read the convention first, so that a user of no party gets
// 404; then the service, which holds the rules).

import (
	"net/http"
	"strings"

	"voisines/internal/agreement"
)

// agreementDecide records a decision of an entente's conférence (L5221-2);
// each council then ratifies it through the approvals route (kind
// "ratification", decision: the decision's ref).
func (h *Handler) agreementDecide(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Version int64 `json:"version"`
		agreement.ConferenceDecision
	}
	a, rec, ok := h.agreementStep(w, r, &body, &body.Version)
	if !ok {
		return
	}
	body.Ref = strings.TrimSpace(body.Ref)
	body.Subject = strings.TrimSpace(body.Subject)
	h.answer(w, r)(h.agreement.RecordDecision(r.Context(), a, rec.ID, body.Version, body.ConferenceDecision))
}

// agreementUnitCostNotice records that the unit cost of a year was notified
// to the beneficiaries of a service made available (D5211-16, R5111-1),
// which clears the alert.
func (h *Handler) agreementUnitCostNotice(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Version int64 `json:"version"`
		agreement.UnitCostNotice
	}
	a, rec, ok := h.agreementStep(w, r, &body, &body.Version)
	if !ok {
		return
	}
	h.answer(w, r)(h.agreement.RecordUnitCostNotice(r.Context(), a, rec.ID, body.Version, body.UnitCostNotice))
}
