package api

// The conventions (issue 3) under /api/v1/agreements: the register, each
// convention and its lifecycle. Every handler is the same script: parse,
// authorise (reading the convention first, so that a user of no party gets
// 404 on every route, whatever the body), call agreement.Service, answer.
// The service holds every rule; a refusal comes back as 422 with the
// violated rules, their articles and fields.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"voisines/internal/agreement"
	"voisines/internal/auth"
	"voisines/internal/civil"
	"voisines/internal/server/problem"
	"voisines/internal/staff"
	"voisines/internal/store"
	"voisines/internal/validate"
)

// agreementProblem is the error body of the conventions' routes: the usual
// {code, message, fields}, plus the violated rules of a refusal and the
// faulty lines of an import.
type agreementProblem struct {
	problem.Problem
	Violations []agreement.Violation `json:"violations,omitempty"`
}

// refusalProblem turns a lifecycle refusal into a 422 naming each blocking
// rule: its field in fields, and the rule, article, field and French
// message in violations.
func refusalProblem(rf *agreement.Refusal) agreementProblem {
	p := agreementProblem{
		Problem: problem.Problem{Status: http.StatusUnprocessableEntity, Code: "refused",
			Message: capitalize("impossible de " + string(rf.Action) + " : " + rf.Message + ".")},
		Violations: rf.Violations,
	}
	for _, v := range rf.Violations {
		msg := v.Message
		if v.Article != "" {
			msg += " (" + v.Article + ")"
		}
		p.Fields = append(p.Fields, problem.Field{Name: v.Field, Message: msg})
	}
	return p
}

// agreementFail answers err for a conventions route: refusals and refused
// imports with their details, anything else as every route does.
func (h *Handler) agreementFail(w http.ResponseWriter, r *http.Request, err error) {
	var rf *agreement.Refusal
	switch {
	case errors.As(err, &rf):
		h.writeJSON(w, http.StatusUnprocessableEntity, struct {
			Error agreementProblem `json:"error"`
		}{refusalProblem(rf)})
	case errors.Is(err, store.ErrConflict) && conflictLine(err) != "":
		// An import naming the line of a convention already stored: the
		// domain wrote that sentence in French for the user.
		p := problem.From(err)
		p.Message = capitalize(conflictLine(err))
		h.WriteProblem(w, r, p)
	default:
		h.Fail(w, r, err)
	}
}

// conflictLine returns the French sentence "ligne 12, la convention … est
// déjà enregistrée …" of an import conflict, or "".
func conflictLine(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, ": ligne "); i >= 0 {
		return msg[i+2:]
	}
	return ""
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	r[0] = []rune(strings.ToUpper(string(r[0])))[0]
	return string(r)
}

// pathInt reads the path parameter name as a positive integer; anything
// else names nothing (404).
func pathInt(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("api: %s %q: %w", name, r.PathValue(name), store.ErrNotFound)
	}
	return id, nil
}

// agreementRecord reads the actor and the convention of the path: what
// every route under /agreements/{id} does first, so that a user of no party
// gets 404 before anything else is looked at.
func (h *Handler) agreementRecord(w http.ResponseWriter, r *http.Request) (auth.Actor, agreement.Record, bool) {
	a, err := actor(r)
	if err != nil {
		h.Fail(w, r, err)
		return a, agreement.Record{}, false
	}
	id, err := pathInt(r, "id")
	if err != nil {
		h.Fail(w, r, err)
		return a, agreement.Record{}, false
	}
	rec, err := h.agreement.Get(r.Context(), a, id)
	if err != nil {
		h.agreementFail(w, r, err)
		return a, agreement.Record{}, false
	}
	return a, rec, true
}

// agreementKinds lists the catalogue: each kind with its legal basis, roles,
// clauses, approvals and financial modes, and the rules the validation
// applies. The law is public: no login.
func (h *Handler) agreementKinds(w http.ResponseWriter, r *http.Request) {
	h.writeJSON(w, http.StatusOK, struct {
		Kinds []agreement.Spec `json:"kinds"`
		Rules []agreement.Rule `json:"rules"`
	}{agreement.Catalogue(), agreement.Rules()})
}

// orgParam reads an organisation named in the query by id, INSEE code or
// SIREN; 0 when absent.
func (h *Handler) orgParam(ctx context.Context, r *http.Request, name string) (int64, error) {
	ref := strings.TrimSpace(r.URL.Query().Get(name))
	if ref == "" {
		return 0, nil
	}
	o, err := h.orgs.Resolve(ctx, ref)
	if errors.Is(err, store.ErrNotFound) {
		return 0, problem.Invalid("Un paramètre de la requête est invalide.",
			problem.Field{Name: name, Message: "aucune organisation n'a ce numéro, ce code Insee ou ce SIREN"})
	}
	return o.ID, err
}

// agreementList is the register of the user's organisations, filtered by
// org, partner, kind, status, year and text (q).
func (h *Handler) agreementList(w http.ResponseWriter, r *http.Request) {
	a, err := actor(r)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	var f agreement.Filter
	if f.OrgID, err = h.orgParam(r.Context(), r, "org"); err != nil {
		h.Fail(w, r, err)
		return
	}
	if f.Partner, err = h.orgParam(r.Context(), r, "partner"); err != nil {
		h.Fail(w, r, err)
		return
	}
	q := r.URL.Query()
	f.Kind = agreement.Kind(strings.TrimSpace(q.Get("kind")))
	f.Status = agreement.Status(strings.TrimSpace(q.Get("status")))
	f.Text = strings.TrimSpace(q.Get("q"))
	if f.Year, err = intParam(r, "year", 0, 1900, 2200); err != nil {
		h.Fail(w, r, err)
		return
	}
	if f.Limit, err = intParam(r, "limit", 50, 1, 500); err != nil {
		h.Fail(w, r, err)
		return
	}
	if f.Offset, err = intParam(r, "offset", 0, 0, 1<<30); err != nil {
		h.Fail(w, r, err)
		return
	}
	page, err := h.agreement.List(r.Context(), a, f)
	h.replyWith(h.agreementFail, w, r, http.StatusOK, page, err)
}

// agreementCreate stores a new draft. It may still break rules (listed in
// violations): submitting it is refused until the blocking ones are fixed.
func (h *Handler) agreementCreate(w http.ResponseWriter, r *http.Request) {
	a, err := actor(r)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	var body agreementBody
	if !h.decode(w, r, &body) {
		return
	}
	in, err := h.agreementInput(r.Context(), body)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	rec, err := h.agreement.Create(r.Context(), a, in)
	h.replyCreated(h.agreementFail, w, r, fmt.Sprintf("/api/v1/agreements/%d", rec.ID), rec, err)
}

// agreementGet returns a convention with the rules it breaks today.
// It is first brought up to date with what time alone changed (coming into
// force, tacit renewal, expiry).
func (h *Handler) agreementGet(w http.ResponseWriter, r *http.Request) {
	a, rec, ok := h.agreementRecord(w, r)
	if !ok {
		return
	}
	// A former party, who may read but no longer act, reads it as stored.
	if cur, err := h.agreement.Refresh(r.Context(), a, rec.ID); err == nil {
		rec = cur
	} else if !errors.Is(err, auth.ErrForbidden) {
		h.agreementFail(w, r, err)
		return
	}
	h.writeJSON(w, http.StatusOK, rec)
}

// agreementUpdate replaces the content of a draft, from the version read.
func (h *Handler) agreementUpdate(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Version int64 `json:"version"`
		agreementBody
	}
	a, rec, ok := h.agreementStep(w, r, &body, &body.Version)
	if !ok {
		return
	}
	in, err := h.agreementInput(r.Context(), body.agreementBody)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.answer(w, r)(h.agreement.UpdateDraft(r.Context(), a, rec.ID, body.Version, in))
}

// answer returns the function that answers with the record an operation
// returned, or its error.
func (h *Handler) answer(w http.ResponseWriter, r *http.Request) func(agreement.Record, error) {
	return func(rec agreement.Record, err error) {
		h.replyWith(h.agreementFail, w, r, http.StatusOK, rec, err)
	}
}

// versionBody is the body of an operation that only names the version read.
type versionBody struct {
	Version int64 `json:"version"`
}

func needVersion(v int64) error {
	if v <= 0 {
		return problem.Invalid("La version lue est obligatoire, pour ne pas écraser la modification de quelqu'un d'autre.",
			problem.Field{Name: "version", Message: "nombre entier positif obligatoire : la version de la convention que vous avez lue"})
	}
	return nil
}

// decodeVersioned reads a body carrying the version read, into v, whose
// Version field is returned by version.
func decodeVersioned(r *http.Request, v any, version func() int64) error {
	if err := decodeJSON(r.Body, v); err != nil {
		return err
	}
	return needVersion(version())
}

// agreementStep starts a step on the convention of the path: the actor
// and the convention (agreementRecord: 404 to a user of no party, before
// the body is looked at), then the body read into v, which must carry the
// version read at *version. When it returns false it has already answered.
func (h *Handler) agreementStep(w http.ResponseWriter, r *http.Request, v any, version *int64) (auth.Actor, agreement.Record, bool) {
	a, rec, ok := h.agreementRecord(w, r)
	if !ok {
		return a, rec, false
	}
	if err := decodeVersioned(r, v, func() int64 { return *version }); err != nil {
		h.Fail(w, r, err)
		return a, rec, false
	}
	return a, rec, true
}

// agreementSubmit sends a draft to the parties for their approvals.
func (h *Handler) agreementSubmit(w http.ResponseWriter, r *http.Request) {
	var body versionBody
	a, rec, ok := h.agreementStep(w, r, &body, &body.Version)
	if !ok {
		return
	}
	h.answer(w, r)(h.agreement.Submit(r.Context(), a, rec.ID, body.Version))
}

// agreementApprove records a party's act: deliberation, consent, opinion…
func (h *Handler) agreementApprove(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Version int64 `json:"version"`
		agreement.Approval
	}
	a, rec, ok := h.agreementStep(w, r, &body, &body.Version)
	if !ok {
		return
	}
	h.answer(w, r)(h.agreement.RecordApproval(r.Context(), a, rec.ID, body.Version, body.Approval))
}

// agreementSign records a party's signature.
func (h *Handler) agreementSign(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Version int64 `json:"version"`
		agreement.Signature
	}
	a, rec, ok := h.agreementStep(w, r, &body, &body.Version)
	if !ok {
		return
	}
	h.answer(w, r)(h.agreement.Sign(r.Context(), a, rec.ID, body.Version, body.Signature))
}

// agreementAmend concludes an avenant: the new content, its date, purpose
// and the approvals authorising it.
func (h *Handler) agreementAmend(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Version int64 `json:"version"`
		agreementBody
		Date      civil.Date           `json:"date"`
		Reason    string               `json:"reason"`
		Approvals []agreement.Approval `json:"approvals"`
	}
	a, rec, ok := h.agreementStep(w, r, &body, &body.Version)
	if !ok {
		return
	}
	if body.Kind == "" {
		body.Kind = rec.Agreement.Kind
	}
	in, err := h.agreementInput(r.Context(), body.agreementBody)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	am := agreement.Amendment{Date: body.Date, Reason: strings.TrimSpace(body.Reason), Approvals: body.Approvals}
	h.answer(w, r)(h.agreement.Amend(r.Context(), a, rec.ID, body.Version, in, am))
}

// agreementRenew renews a convention expressly until new_end.
func (h *Handler) agreementRenew(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Version int64      `json:"version"`
		NewEnd  civil.Date `json:"new_end"`
		Date    civil.Date `json:"date"`
	}
	a, rec, ok := h.agreementStep(w, r, &body, &body.Version)
	if !ok {
		return
	}
	h.answer(w, r)(h.agreement.Renew(r.Context(), a, rec.ID, body.Version, body.NewEnd, body.Date))
}

// agreementTerminate ends a convention before its term.
func (h *Handler) agreementTerminate(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Version int64 `json:"version"`
		agreement.Termination
	}
	a, rec, ok := h.agreementStep(w, r, &body, &body.Version)
	if !ok {
		return
	}
	body.Reason = strings.TrimSpace(body.Reason)
	h.answer(w, r)(h.agreement.Terminate(r.Context(), a, rec.ID, body.Version, body.Termination))
}

// agreementVersions lists every version of the content, with what each
// avenant changed.
func (h *Handler) agreementVersions(w http.ResponseWriter, r *http.Request) {
	a, rec, ok := h.agreementRecord(w, r)
	if !ok {
		return
	}
	vs, err := h.agreement.Versions(r.Context(), a, rec.ID)
	h.replyWith(h.agreementFail, w, r, http.StatusOK, struct {
		Versions []agreement.Version `json:"versions"`
	}{vs}, err)
}

// agreementAlerts lists what an organisation must do about its conventions
// in the next days (60 by default): expiries, missing approvals,
// D5211-16 deadlines; and about its secondments, as staff.OrgAlerts gives
// them (end within three months, missing consent or cost, more than three
// years, mismatch with the convention). org may be left out by a member of
// one organisation.
func (h *Handler) agreementAlerts(w http.ResponseWriter, r *http.Request) {
	a, err := actor(r)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	orgID, err := h.orgParam(r.Context(), r, "org")
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	if orgID == 0 {
		if len(a.User.Memberships) != 1 {
			h.Fail(w, r, problem.Invalid("Indiquez l'organisation dont vous voulez les alertes.",
				problem.Field{Name: "org", Message: "numéro, code Insee ou SIREN de l'organisation obligatoire"}))
			return
		}
		orgID = a.User.Memberships[0].OrgID
	}
	days, err := intParam(r, "days", agreement.DefaultAlertDays, 1, 3660)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	alerts, err := h.agreement.Alerts(r.Context(), a, orgID, days)
	if err != nil {
		h.agreementFail(w, r, err)
		return
	}
	if h.staff != nil { // the staff alerts of its secondments, on their own horizon
		staffAlerts, err := h.staff.OrgAlerts(r.Context(), a, orgID)
		if err != nil {
			h.agreementFail(w, r, err)
			return
		}
		alerts = staff.MergeAlerts(alerts, staffAlerts)
	}
	h.writeJSON(w, http.StatusOK, struct {
		OrgID  int64                `json:"org_id"`
		Days   int                  `json:"days"`
		Alerts []agreement.OrgAlert `json:"alerts"`
	}{orgID, days, alerts})
}

// agreementBody is a convention's content as the API receives it: the
// agreement.Input, whose parties may name their organisation by INSEE code
// or SIREN ("org") instead of id.
type agreementBody struct {
	Kind    agreement.Kind    `json:"kind"`
	Content agreement.Content `json:"content"`
	Parties []partyBody       `json:"parties"`
}

type partyBody struct {
	agreement.PartyInput
	// Org names the organisation by INSEE code, SIREN or id, when OrgID is 0.
	Org string `json:"org,omitempty"`
}

// agreementInput resolves the parties named by code into the Input of the
// service; an unknown code is a field error.
func (h *Handler) agreementInput(ctx context.Context, b agreementBody) (agreement.Input, error) {
	in := agreement.Input{Kind: b.Kind, Content: b.Content, Parties: make([]agreement.PartyInput, len(b.Parties))}
	var errs validate.Errors
	for i, p := range b.Parties {
		in.Parties[i] = p.PartyInput
		if p.OrgID != 0 || strings.TrimSpace(p.Org) == "" {
			continue
		}
		o, err := h.orgs.Resolve(ctx, p.Org)
		switch {
		case errors.Is(err, store.ErrNotFound):
			errs.Add(fmt.Sprintf("parties[%d].org", i), "aucune organisation n'a le code %s", validate.Quote(p.Org))
		case err != nil:
			return agreement.Input{}, err
		default:
			in.Parties[i].OrgID = o.ID
		}
	}
	return in, errs.Err()
}
