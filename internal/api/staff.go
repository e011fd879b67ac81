package api

// Staff secondment (issue 6): agents, their annual costs, secondments
// under their conventions, time records, reimbursements computed through
// the ledger, and alerts. Every handler is the same script: parse, call
// the staff service (which authorises: anybody but the employer's and the
// host's users gets 404 for an agent or a secondment), answer. The lists of
// an organisation answer 403 to a non-member (access.go).

import (
	"net/http"
	"strconv"

	"voisines/internal/agreement"
	"voisines/internal/civil"
	"voisines/internal/ledger"
	"voisines/internal/money"
	"voisines/internal/server/problem"
	"voisines/internal/staff"
)

// staffRoutes are the agents, secondments and time records (issue 6).
var staffRoutes = []route{
	{"GET", "/api/v1/organisations/{id}/agents", (*Handler).staffAgents},
	{"POST", "/api/v1/organisations/{id}/agents", (*Handler).staffAgentCreate},
	{"GET", "/api/v1/organisations/{id}/staff-alerts", (*Handler).staffAlerts},
	{"GET", "/api/v1/agents/{id}", (*Handler).staffAgent},
	{"PUT", "/api/v1/agents/{id}", (*Handler).staffAgentUpdate},
	{"GET", "/api/v1/agents/{id}/costs/{year}", (*Handler).staffCost},
	{"PUT", "/api/v1/agents/{id}/costs/{year}", (*Handler).staffCostSet},
	{"POST", "/api/v1/secondments", (*Handler).staffSecondmentCreate},
	{"GET", "/api/v1/secondments/{id}", (*Handler).staffSecondment},
	{"PUT", "/api/v1/secondments/{id}", (*Handler).staffSecondmentUpdate},
	{"POST", "/api/v1/secondments/{id}/consent", (*Handler).staffConsent},
	{"GET", "/api/v1/secondments/{id}/time-records", (*Handler).staffTimeRecords},
	{"POST", "/api/v1/secondments/{id}/time-records", (*Handler).staffTimeCreate},
	{"POST", "/api/v1/secondments/{id}/reimbursement", (*Handler).staffReimburse},
	{"POST", "/api/v1/time-records/import", (*Handler).staffTimeImport},
	{"PUT", "/api/v1/time-records/{id}", (*Handler).staffTimeUpdate},
	{"DELETE", "/api/v1/time-records/{id}", (*Handler).staffTimeDelete},
}

// staffFail answers err for a staff route.
func (h *Handler) staffFail(w http.ResponseWriter, r *http.Request, err error) {
	h.Fail(w, r, err)
}

// staffReply answers v with status, or the error.
func (h *Handler) staffReply(w http.ResponseWriter, r *http.Request, status int, v any, err error) {
	h.replyWith(h.staffFail, w, r, status, v, err)
}

// ---- Agents ----

type staffAgentList struct {
	Agents []staff.AgentLine `json:"agents"`
}

// staffAgents lists the agents of organisation {id} and those seconded to it.
func (h *Handler) staffAgents(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.actorAndID(w, r)
	if !ok {
		return
	}
	if !h.orgListAllowed(w, r, a, id, "ses agents et leurs mises à disposition") {
		return
	}
	lines, err := h.staff.Agents(r.Context(), a, id)
	h.staffReply(w, r, http.StatusOK, staffAgentList{Agents: lines}, err)
}

// staffAgentBody is the body of an agent's creation or change.
type staffAgentBody struct {
	Version    int64        `json:"version,omitempty"`
	FamilyName string       `json:"family_name"`
	GivenName  string       `json:"given_name"`
	Grade      string       `json:"grade"`
	Status     staff.Status `json:"status"`
}

// staffAgentCreate records an agent of organisation {id}.
func (h *Handler) staffAgentCreate(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.actorAndID(w, r)
	if !ok {
		return
	}
	var body staffAgentBody
	if !h.decode(w, r, &body) {
		return
	}
	ag, err := h.staff.CreateAgent(r.Context(), a, staff.AgentInput{EmployerOrgID: id, FamilyName: body.FamilyName,
		GivenName: body.GivenName, Grade: body.Grade, Status: body.Status})
	h.staffReply(w, r, http.StatusCreated, ag, err)
}

// staffAgent returns agent {id} with its costs, secondments and alerts.
func (h *Handler) staffAgent(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.actorAndID(w, r)
	if !ok {
		return
	}
	f, err := h.staff.Agent(r.Context(), a, id)
	h.staffReply(w, r, http.StatusOK, f, err)
}

// staffAgentUpdate changes agent {id}.
func (h *Handler) staffAgentUpdate(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.actorAndID(w, r)
	if !ok {
		return
	}
	var body staffAgentBody
	if err := decodeVersioned(r, &body, func() int64 { return body.Version }); err != nil {
		h.Fail(w, r, err)
		return
	}
	ag, err := h.staff.UpdateAgent(r.Context(), a, id, body.Version, staff.AgentInput{FamilyName: body.FamilyName,
		GivenName: body.GivenName, Grade: body.Grade, Status: body.Status})
	h.staffReply(w, r, http.StatusOK, ag, err)
}

// staffCost returns agent {id}'s annual cost of {year}.
func (h *Handler) staffCost(w http.ResponseWriter, r *http.Request) {
	a, id, year, ok := h.actorIDYear(w, r)
	if !ok {
		return
	}
	c, err := h.staff.Cost(r.Context(), a, id, year)
	h.staffReply(w, r, http.StatusOK, c, err)
}

// staffCostBody is the body of a year's cost: version 0 (or absent) for a
// year not recorded yet.
type staffCostBody struct {
	Version               int64            `json:"version"`
	GrossPay              money.Cents      `json:"gross_pay"`
	EmployerContributions money.Cents      `json:"employer_contributions"`
	Other                 []money.CostLine `json:"other_lines"`
	Source                string           `json:"source"`
}

// staffCostSet records agent {id}'s annual cost of {year}.
func (h *Handler) staffCostSet(w http.ResponseWriter, r *http.Request) {
	a, id, year, ok := h.actorIDYear(w, r)
	if !ok {
		return
	}
	var body staffCostBody
	if !h.decode(w, r, &body) {
		return
	}
	c, err := h.staff.SetCost(r.Context(), a, id, year, body.Version, staff.CostInput{GrossPay: body.GrossPay,
		EmployerContributions: body.EmployerContributions, Other: body.Other, Source: body.Source})
	status := http.StatusOK
	if c.Version == 1 {
		status = http.StatusCreated
	}
	h.staffReply(w, r, status, c, err)
}

// ---- Secondments ----

// staffSecondmentBody is the body of a secondment's creation or change.
type staffSecondmentBody struct {
	Version         int64              `json:"version,omitempty"`
	AgreementID     int64              `json:"agreement_id,omitempty"`
	AgentID         int64              `json:"agent_id,omitempty"`
	HostOrgID       int64              `json:"host_org_id,omitempty"`
	Quotite         agreement.Fraction `json:"quotite"`
	Start           civil.Date         `json:"start"`
	End             civil.Date         `json:"end"`
	Activities      string             `json:"activities"`
	ArreteReference string             `json:"arrete_reference"`
	ArreteDate      civil.Date         `json:"arrete_date"`
	Billing         staff.Billing      `json:"billing"`
	AnnualHours     int64              `json:"annual_hours"`
}

func (b staffSecondmentBody) input() staff.SecondmentInput {
	return staff.SecondmentInput{AgreementID: b.AgreementID, AgentID: b.AgentID, HostOrgID: b.HostOrgID, Quotite: b.Quotite,
		Start: b.Start, End: b.End, Activities: b.Activities, ArreteReference: b.ArreteReference, ArreteDate: b.ArreteDate,
		Billing: b.Billing, AnnualHours: b.AnnualHours}
}

// staffSecondmentCreate records a secondment under its convention.
func (h *Handler) staffSecondmentCreate(w http.ResponseWriter, r *http.Request) {
	a, err := actor(r)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	var body staffSecondmentBody
	if !h.decode(w, r, &body) {
		return
	}
	s, err := h.staff.CreateSecondment(r.Context(), a, body.input())
	h.staffReply(w, r, http.StatusCreated, s, err)
}

// staffSecondment returns secondment {id} with its consent, alerts and
// reimbursements.
func (h *Handler) staffSecondment(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.actorAndID(w, r)
	if !ok {
		return
	}
	f, err := h.staff.Secondment(r.Context(), a, id)
	h.staffReply(w, r, http.StatusOK, f, err)
}

// staffSecondmentUpdate changes secondment {id}.
func (h *Handler) staffSecondmentUpdate(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.actorAndID(w, r)
	if !ok {
		return
	}
	var body staffSecondmentBody
	if err := decodeVersioned(r, &body, func() int64 { return body.Version }); err != nil {
		h.Fail(w, r, err)
		return
	}
	s, err := h.staff.UpdateSecondment(r.Context(), a, id, body.Version, body.input())
	h.staffReply(w, r, http.StatusOK, s, err)
}

// staffConsentBody is the agent's written consent.
type staffConsentBody struct {
	Date      civil.Date `json:"date"`
	Reference string     `json:"reference"`
}

// staffConsent records the agent's consent on secondment {id}'s convention.
func (h *Handler) staffConsent(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.actorAndID(w, r)
	if !ok {
		return
	}
	var body staffConsentBody
	if !h.decode(w, r, &body) {
		return
	}
	f, err := h.staff.RecordConsent(r.Context(), a, id, body.Date, body.Reference)
	h.staffReply(w, r, http.StatusOK, f, err)
}

// ---- Time records ----

type staffTimeList struct {
	TimeRecords  []staff.TimeRecord `json:"time_records"`
	TotalMinutes int64              `json:"total_minutes"`
}

// staffTimeRecords lists the time worked under secondment {id}, ?from= and
// ?to= bounding the days.
func (h *Handler) staffTimeRecords(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.actorAndID(w, r)
	if !ok {
		return
	}
	from, err := queryDay(r, "from")
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	to, err := queryDay(r, "to")
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	ts, err := h.staff.TimeRecords(r.Context(), a, id, from, to)
	out := staffTimeList{TimeRecords: ts}
	for _, t := range ts {
		out.TotalMinutes += t.Minutes
	}
	h.staffReply(w, r, http.StatusOK, out, err)
}

// staffTimeBody is time worked: minutes, or a duration as people write it
// ("7:30", "7 h 30", "45 min", "7,5").
type staffTimeBody struct {
	Version  int64      `json:"version,omitempty"`
	Date     civil.Date `json:"date"`
	Minutes  int64      `json:"minutes,omitempty"`
	Duration string     `json:"duration,omitempty"`
	Activity string     `json:"activity"`
	Note     string     `json:"note"`
	ByOrgID  int64      `json:"by_org_id,omitempty"`
}

func (b staffTimeBody) input() (staff.TimeInput, error) {
	in := staff.TimeInput{Date: b.Date, Minutes: b.Minutes, Activity: b.Activity, Note: b.Note, ByOrgID: b.ByOrgID}
	if b.Duration != "" {
		if b.Minutes != 0 {
			return in, problem.Invalid("Indiquez la durée une seule fois.", problem.Field{Name: "duration", Message: "minutes ou duration, pas les deux"})
		}
		m, err := staff.ParseDuration(b.Duration)
		if err != nil {
			return in, problem.Invalid("La durée est invalide.", problem.Field{Name: "duration", Message: err.Error()})
		}
		in.Minutes = m
	}
	return in, nil
}

// staffTimeCreate records time worked under secondment {id}.
func (h *Handler) staffTimeCreate(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.actorAndID(w, r)
	if !ok {
		return
	}
	var body staffTimeBody
	if !h.decode(w, r, &body) {
		return
	}
	in, err := body.input()
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	t, err := h.staff.RecordTime(r.Context(), a, id, in)
	h.staffReply(w, r, http.StatusCreated, t, err)
}

// staffTimeUpdate changes time record {id}.
func (h *Handler) staffTimeUpdate(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.actorAndID(w, r)
	if !ok {
		return
	}
	var body staffTimeBody
	if err := decodeVersioned(r, &body, func() int64 { return body.Version }); err != nil {
		h.Fail(w, r, err)
		return
	}
	in, err := body.input()
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	t, err := h.staff.UpdateTime(r.Context(), a, id, body.Version, in)
	h.staffReply(w, r, http.StatusOK, t, err)
}

// staffTimeDelete deletes time record {id}, whose ?version= the client read.
func (h *Handler) staffTimeDelete(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.actorAndID(w, r)
	if !ok {
		return
	}
	v, err := strconv.ParseInt(r.URL.Query().Get("version"), 10, 64)
	if err != nil {
		v = 0
	}
	if err := needVersion(v); err != nil {
		h.Fail(w, r, err)
		return
	}
	if err := h.staff.DeleteTime(r.Context(), a, id, v); err != nil {
		h.staffFail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// staffTimeImport records the time worked a CSV body lists (staff.TimeColumns),
// all or nothing.
func (h *Handler) staffTimeImport(w http.ResponseWriter, r *http.Request) {
	a, err := actor(r)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	rep, err := h.staff.ImportTimeCSV(r.Context(), a, r.Body)
	h.replyWith(h.importFail(h.staffFail, "aucun temps n'a été enregistré"), w, r, http.StatusCreated, rep, err)
}

// ---- Reimbursement and alerts ----

// staffReimbursement is the answer of a reimbursement: its basis and the
// ledger statement drafted.
type staffReimbursement struct {
	Reimbursement staff.Reimbursement `json:"reimbursement"`
	Statement     ledger.Statement    `json:"statement"`
}

// staffReimburse computes the reimbursement of secondment {id} for a
// period and drafts its statement.
func (h *Handler) staffReimburse(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.actorAndID(w, r)
	if !ok {
		return
	}
	var body staff.Period
	if !h.decode(w, r, &body) {
		return
	}
	rb, st, err := h.staff.Reimburse(r.Context(), a, id, body)
	h.staffReply(w, r, http.StatusCreated, staffReimbursement{Reimbursement: rb, Statement: st}, err)
}

type staffAlertList struct {
	Alerts []staff.Alert `json:"alerts"`
}

// staffAlerts returns the staff alerts of organisation {id}.
func (h *Handler) staffAlerts(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.actorAndID(w, r)
	if !ok {
		return
	}
	if !h.orgListAllowed(w, r, a, id, "les alertes de ses mises à disposition") {
		return
	}
	als, err := h.staff.Alerts(r.Context(), a, id)
	h.staffReply(w, r, http.StatusOK, staffAlertList{Alerts: als}, err)
}
