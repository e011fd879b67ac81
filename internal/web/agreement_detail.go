package web

// The page of one convention and the actions taken from it: submit,
// record an approval, sign, renew, terminate, attach files, download its
// documents.

import (
	"bytes"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"voisines/internal/agreement"
	"voisines/internal/auth"
	"voisines/internal/civil"
	"voisines/internal/export/pdf"
	"voisines/internal/server/problem"
	"voisines/internal/store"
	"voisines/internal/validate"
)

// neededRow is an approval the convention needs, with the act recorded.
type neededRow struct {
	agreement.Needed
	Recorded *agreement.Approval
}

// signatureRow is a signatory with its signature, if any.
type signatureRow struct {
	Party  agreement.Party
	Signed *agreement.Signature
}

// approvalChoice is an approval the user may record: for which party, of
// which kind.
type approvalChoice struct {
	Value string // "orgID:kind"
	Label string
}

// decisionRow is a decision of an entente's conférence, with each
// council's ratification, if recorded.
type decisionRow struct {
	agreement.ConferenceDecision
	Councils    []ratificationRow
	Enforceable bool
}

// ratificationRow is a party's council and its ratification of a decision.
type ratificationRow struct {
	Party    agreement.Party
	Ratified *agreement.Approval
}

// attachmentRow is an attached file, with its uploader and whether the
// user may delete it.
type attachmentRow struct {
	agreement.Attachment
	OrgName   string
	CanDelete bool
}

// detailData is what agreement_detail.html shows.
type detailData struct {
	Rec      agreement.Record
	Spec     agreement.Spec
	Lead     agreement.Party
	Blocking []agreement.Violation
	Warnings []agreement.Violation
	Needed   []neededRow
	Others   []agreement.Approval // recorded acts no requirement names
	Signers  []signatureRow
	Versions []agreement.Version
	Files    []attachmentRow
	LastDay  civil.Date

	CanEdit      bool
	CanSubmit    bool
	CanAmend     bool
	CanRenew     bool
	CanTerminate bool
	// ApprovalChoices are the approvals the user may record now.
	ApprovalChoices []approvalChoice
	// SignFor are the user's parties that may sign now.
	SignFor []agreement.Party
	// UploadFor are the user's parties, for whom files are attached.
	UploadFor []agreement.Party
	Pieces    []agreement.AttachmentKind

	// Entente: the decisions of its conférence; CanDecide when the user
	// may record one (the lead party, while the entente lives).
	Entente   bool
	Decisions []decisionRow
	CanDecide bool
	// UnitCost: a service made available whose unit cost is notified each
	// year (D5211-16, R5111-1), by UnitCostProvider; CanNotifyUnitCost when
	// the user may record a notification.
	UnitCost          bool
	UnitCostProvider  string
	UnitCostNotices   []agreement.UnitCostNotice
	CanNotifyUnitCost bool

	// The failed action, shown at the top and next to its form.
	Refusal *refusalView
	Form    map[string]string   // values of the failed form
	Invalid map[string][]string // its field errors, by field
}

// refusalView is an action refused, with the rules that forbid it.
type refusalView struct {
	Message    string
	Violations []agreement.Violation
	Fields     []validate.FieldError
}

// detail gathers the page of convention rec for actor.
func (h *Handler) detail(r *http.Request, act auth.Actor, rec agreement.Record) (*detailData, error) {
	ctx := r.Context()
	a := rec.Agreement
	spec, _ := agreement.Lookup(a.Kind)
	d := &detailData{Rec: rec, Spec: spec, LastDay: agreement.LastDay(a), Form: map[string]string{}, Invalid: map[string][]string{},
		Pieces: []agreement.AttachmentKind{agreement.SignedScan, agreement.DeliberationScan, agreement.AnnexFile, agreement.OtherFile}}
	d.Lead, _ = a.Lead()
	for _, v := range rec.Violations {
		if v.Severity == agreement.Blocking {
			d.Blocking = append(d.Blocking, v)
		} else {
			d.Warnings = append(d.Warnings, v)
		}
	}
	lead := canWrite(act, rec.LeadOrgID)
	switch a.Status {
	case agreement.Draft:
		d.CanEdit, d.CanSubmit = lead, lead
	case agreement.Signed, agreement.InForce:
		d.CanAmend = lead
		d.CanRenew = lead && !agreement.LastDay(a).IsZero() && a.Termination.By == 0
		d.CanTerminate = a.Termination.By == 0 && len(writableParties(act, a)) > 0
	}

	// Approvals: each one needed, with the act recorded (the earliest that
	// counts), and the choices the user has.
	used := map[int]bool{}
	for _, n := range agreement.RequiredApprovals(a) {
		row := neededRow{Needed: n}
		for i, ap := range a.Approvals {
			if ap.OrgID == n.OrgID && ap.Kind == n.Kind && ap.Decision == "" && !used[i] {
				row.Recorded = &a.Approvals[i]
				used[i] = true
				break
			}
		}
		d.Needed = append(d.Needed, row)
		counts := row.Recorded != nil && !row.Recorded.Date.IsZero() && (!row.Recorded.Unfavourable || n.Kind == agreement.CSTOpinion)
		acting := n.OrgID
		if acting == 0 {
			acting = rec.LeadOrgID
		}
		if !counts && (a.Status == agreement.Submitted || a.Status == agreement.Approved) && canWrite(act, acting) {
			label := capitalize(n.Kind.Label())
			if n.PartyName != "" {
				label += " — " + n.PartyName
			} else {
				label += " — pour la convention"
			}
			d.ApprovalChoices = append(d.ApprovalChoices, approvalChoice{Value: fmt.Sprintf("%d:%s", n.OrgID, n.Kind), Label: label})
		}
	}
	for i, ap := range a.Approvals {
		if !used[i] && ap.Decision == "" { // ratifications show with their decision
			d.Others = append(d.Others, ap)
		}
	}
	live := a.Status == agreement.Signed || a.Status == agreement.InForce
	if a.Kind == agreement.Entente {
		d.Entente, d.CanDecide = true, lead && live
		for _, dec := range a.Decisions {
			row := decisionRow{ConferenceDecision: dec, Enforceable: agreement.Enforceable(a, dec.Ref)}
			for _, p := range a.Parties {
				rr := ratificationRow{Party: p}
				for i, ap := range a.Approvals {
					if ap.Kind == agreement.Ratification && ap.OrgID == p.OrgID && ap.Decision == dec.Ref && !ap.Date.IsZero() && !ap.Unfavourable {
						rr.Ratified = &a.Approvals[i]
						break
					}
				}
				row.Councils = append(row.Councils, rr)
				// Each council ratifies through the approvals form: the
				// choice carries the decision's reference.
				if rr.Ratified == nil && live && canWrite(act, p.OrgID) {
					d.ApprovalChoices = append(d.ApprovalChoices, approvalChoice{
						Value: fmt.Sprintf("%d:%s:%s", p.OrgID, agreement.Ratification, dec.Ref),
						Label: fmt.Sprintf("%s de la décision « %s » de la conférence — %s", capitalize(agreement.Ratification.Label()), dec.Ref, p.Name)})
				}
			}
			d.Decisions = append(d.Decisions, row)
		}
	}
	if unitCostKind(a.Kind) {
		d.UnitCost, d.UnitCostNotices = true, a.UnitCostNotices
		provider := unitCostProvider(a)
		if p, ok := a.Party(provider); ok {
			d.UnitCostProvider = p.Name
		}
		d.CanNotifyUnitCost = live && canWrite(act, provider)
		d.Form["notice_year"] = strconv.Itoa(civil.Today().Year)
	}
	for _, p := range signatories(a) {
		row := signatureRow{Party: p}
		for i, s := range a.Signatures {
			if s.OrgID == p.OrgID {
				row.Signed = &a.Signatures[i]
			}
		}
		d.Signers = append(d.Signers, row)
		if row.Signed == nil && a.Status == agreement.Approved && canWrite(act, p.OrgID) {
			d.SignFor = append(d.SignFor, p)
		}
	}
	if a.Status != agreement.Expired && a.Status != agreement.Terminated {
		d.UploadFor = writableParties(act, a)
	}

	var err error
	if d.Versions, err = h.agreement.Versions(ctx, act, rec.ID); err != nil {
		return nil, err
	}
	files, err := h.agreement.Attachments(ctx, act, rec.ID)
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		row := attachmentRow{Attachment: f, CanDelete: canWrite(act, f.OrgID)}
		if p, ok := a.Party(f.OrgID); ok {
			row.OrgName = p.Name
		}
		d.Files = append(d.Files, row)
	}
	return d, nil
}

// unitCostKind reports whether conventions of kind k make a service
// available at a unit cost notified each year (D5211-16, R5111-1): the
// kinds agreement.RecordUnitCostNotice accepts.
func unitCostKind(k agreement.Kind) bool {
	switch k {
	case agreement.MADServicesAscendante, agreement.MADServicesDescendante, agreement.MADServiceL5111, agreement.ServiceUnifie:
		return true
	}
	return false
}

// unitCostProvider is the party that notifies the unit cost, as
// agreement.Service.RecordUnitCostNotice decides: the provider of the
// service, or the lead party.
func unitCostProvider(a agreement.Agreement) int64 {
	if ps := a.WithRole(agreement.RoleProvider); len(ps) > 0 {
		return ps[0].OrgID
	}
	p, _ := a.Lead()
	return p.OrgID
}

// actionFieldLabels name the fields of the page's forms in the error
// summary.
var actionFieldLabels = map[string]string{
	"approval": "Approbation", "number": "Numéro", "transmitted_on": "Date de transmission en préfecture",
	"org_id": "Partie qui signe", "signed_on": "Date de signature", "new_end": "Nouveau terme", "decided_on": "Date de la décision de renouvellement",
	"decision_ref": "Référence de la décision", "decision_date": "Date de la décision", "decision_subject": "Objet de la décision",
	"notice_year": "Année du coût unitaire", "notice_date": "Date de la notification",
}

// FieldLabel names a field of the page's forms in the error summary.
func (d *detailData) FieldLabel(name string) string {
	if l, ok := actionFieldLabels[name]; ok {
		return l
	}
	return agreementFieldLabel(name)
}

// agreementDetail shows a convention: its parties, status, the rules it
// breaks, approvals, signatures, avenants, versions, attachments and the
// actions the user may take.
func (h *Handler) agreementDetail(w http.ResponseWriter, r *http.Request) {
	a, rec, ok := h.agreementRecord(w, r)
	if !ok {
		return
	}
	// What time alone changed (coming into force, renewal, expiry) is
	// recorded before the convention is shown; a former party, who may
	// read but no longer act, sees it as stored.
	if cur, err := h.agreement.Refresh(r.Context(), a, rec.ID); err == nil {
		rec = cur
	} else if !errors.Is(err, auth.ErrForbidden) {
		h.Fail(w, r, err)
		return
	}
	d, err := h.detail(r, a, rec)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	pg := newPage(r, rec.Agreement.Title, "conventions", d)
	pg.Flash = doneMessage(r)
	h.render(w, r, http.StatusOK, "agreement_detail", pg)
}

// doneMessage is the confirmation of the action the user just took.
func doneMessage(r *http.Request) string {
	switch r.URL.Query().Get("fait") {
	case "enregistree":
		return "Le brouillon est enregistré."
	case "soumise":
		return "La convention est soumise aux parties : chacune enregistre maintenant ses approbations."
	case "approbation":
		return "L'approbation est enregistrée."
	case "signature":
		return "La signature est enregistrée."
	case "avenant":
		return "L'avenant n° " + r.URL.Query().Get("n") + " est conclu."
	case "renouvelee":
		return "Le renouvellement est enregistré."
	case "resiliee":
		return "La résiliation est enregistrée."
	case "piece":
		return "La pièce est jointe à la convention."
	case "piece-supprimee":
		return "La pièce est supprimée."
	case "decision":
		return "La décision de la conférence est enregistrée : chaque conseil doit maintenant la ratifier."
	case "cout-unitaire":
		return "La notification du coût unitaire est enregistrée."
	}
	return ""
}

// actionFailed shows the convention again with why the action failed: a
// refusal with its rules, field errors, a conflict or a refused right; any
// other error is the error page.
func (h *Handler) actionFailed(w http.ResponseWriter, r *http.Request, a auth.Actor, rec agreement.Record, form map[string]string, err error) {
	p := problem.From(err)
	view := &refusalView{Message: p.Message}
	status := p.Status
	if rf, ok := isRefusal(err); ok {
		view.Message = refusalMessage(rf)
		view.Violations = rf.Violations
		status = http.StatusUnprocessableEntity
	} else if errs, ok := validate.As(err); ok {
		view.Fields = errs
	} else if !errors.Is(err, store.ErrConflict) && !errors.Is(err, auth.ErrForbidden) && p.Code != "invalid_request" {
		h.Fail(w, r, err)
		return
	} else if p.Code == "invalid_request" {
		for _, f := range p.Fields {
			view.Fields = append(view.Fields, validate.FieldError{Field: f.Name, Message: f.Message})
		}
	}
	// Show the convention as it is now (a conflict means it changed).
	if cur, gerr := h.agreement.Get(r.Context(), a, rec.ID); gerr == nil {
		rec = cur
	}
	d, derr := h.detail(r, a, rec)
	if derr != nil {
		h.Fail(w, r, derr)
		return
	}
	d.Refusal = view
	for k, v := range form {
		d.Form[k] = v
	}
	for _, f := range view.Fields {
		d.Invalid[f.Field] = append(d.Invalid[f.Field], f.Message)
	}
	h.render(w, r, status, "agreement_detail", newPage(r, rec.Agreement.Title, "conventions", d))
}

// postedVersion reads the version the user acted on.
func postedVersion(r *http.Request) (int64, error) {
	v, err := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	if err != nil || v <= 0 {
		return 0, problem.Invalid("Le formulaire est incomplet : rechargez la page.",
			problem.Field{Name: "version", Message: "version manquante ou invalide"})
	}
	return v, nil
}

// postedDate reads a date field, reporting it in errs when malformed or,
// if required, missing.
func postedDate(r *http.Request, name, label string, required bool, errs *validate.Errors) civil.Date {
	raw := strings.TrimSpace(r.PostFormValue(name))
	if raw == "" {
		if required {
			errs.Add(name, "indiquez %s", label)
		}
		return civil.Date{}
	}
	d, err := civil.Parse(raw)
	if err != nil {
		errs.Add(name, "%s : date attendue au format AAAA-MM-JJ", label)
	}
	return d
}

// formValues keeps the posted values of the fields named, to show them again.
func formValues(r *http.Request, names ...string) map[string]string {
	m := map[string]string{}
	for _, n := range names {
		m[n] = r.PostFormValue(n)
	}
	return m
}

// postedAction is an action posted from a convention's page: who acts, on
// which convention, from which version, and the values posted (shown again
// after a failure).
type postedAction struct {
	actor   auth.Actor
	rec     agreement.Record
	version int64
	form    map[string]string
}

// postAction starts the script every action of the page shares: the
// convention of the path, the posted values of fields, the version the
// user acted on. When it returns false it has already answered.
func (h *Handler) postAction(w http.ResponseWriter, r *http.Request, fields ...string) (postedAction, bool) {
	a, rec, ok := h.agreementRecord(w, r)
	if !ok {
		return postedAction{}, false
	}
	p := postedAction{actor: a, rec: rec, form: formValues(r, fields...)}
	var err error
	if p.version, err = postedVersion(r); err != nil {
		h.actionFailed(w, r, a, rec, p.form, err)
		return postedAction{}, false
	}
	return p, true
}

// formInvalid shows the page again with the form's errors, if any, and
// reports whether it did.
func (h *Handler) formInvalid(w http.ResponseWriter, r *http.Request, p postedAction, errs validate.Errors) bool {
	if len(errs) == 0 {
		return false
	}
	h.actionFailed(w, r, p.actor, p.rec, p.form, errs)
	return true
}

// actionDone ends the action: back to the convention's page with done
// (its ?fait= confirmation and anchor) when err is nil, else the page
// again with why.
func (h *Handler) actionDone(w http.ResponseWriter, r *http.Request, p postedAction, err error, done string) {
	if err != nil {
		h.actionFailed(w, r, p.actor, p.rec, p.form, err)
		return
	}
	http.Redirect(w, r, agreementURL(p.rec.ID)+done, http.StatusSeeOther)
}

// agreementSubmit sends the draft to the parties; a draft breaking a
// blocking rule is refused, each rule listed with its article.
func (h *Handler) agreementSubmit(w http.ResponseWriter, r *http.Request) {
	p, ok := h.postAction(w, r)
	if !ok {
		return
	}
	_, err := h.agreement.Submit(r.Context(), p.actor, p.rec.ID, p.version)
	h.actionDone(w, r, p, err, "?fait=soumise")
}

// agreementApprove records an act of one of the user's parties.
func (h *Handler) agreementApprove(w http.ResponseWriter, r *http.Request) {
	p, ok := h.postAction(w, r, "approval", "number", "date", "transmitted_on", "body", "note", "unfavourable")
	if !ok {
		return
	}
	var errs validate.Errors
	ap := agreement.Approval{Number: strings.TrimSpace(p.form["number"]), Body: strings.TrimSpace(p.form["body"]),
		Note: strings.TrimSpace(p.form["note"]), Unfavourable: p.form["unfavourable"] != ""}
	orgPart, kindPart, found := strings.Cut(p.form["approval"], ":")
	orgID, perr := strconv.ParseInt(orgPart, 10, 64)
	if !found || perr != nil {
		errs.Add("approval", "choisissez l'approbation à enregistrer")
	}
	// A ratification names the conférence decision it ratifies:
	// "orgID:ratification:ref".
	kindPart, decision, _ := strings.Cut(kindPart, ":")
	ap.OrgID, ap.Kind, ap.Decision = orgID, agreement.ApprovalKind(kindPart), decision
	ap.Date = postedDate(r, "date", "la date de l'acte", true, &errs)
	ap.TransmittedOn = postedDate(r, "transmitted_on", "la date de transmission en préfecture", false, &errs)
	if h.formInvalid(w, r, p, errs) {
		return
	}
	_, err := h.agreement.RecordApproval(r.Context(), p.actor, p.rec.ID, p.version, ap)
	h.actionDone(w, r, p, err, "?fait=approbation")
}

// agreementDecide records a decision of an entente's conférence; each
// council then ratifies it through the approvals form.
func (h *Handler) agreementDecide(w http.ResponseWriter, r *http.Request) {
	p, ok := h.postAction(w, r, "decision_ref", "decision_date", "decision_subject")
	if !ok {
		return
	}
	var errs validate.Errors
	dec := agreement.ConferenceDecision{Ref: strings.TrimSpace(p.form["decision_ref"]), Subject: strings.TrimSpace(p.form["decision_subject"])}
	if dec.Ref == "" {
		errs.Add("decision_ref", "indiquez la référence de la décision")
	}
	dec.Date = postedDate(r, "decision_date", "la date de la décision", true, &errs)
	if dec.Subject == "" {
		errs.Add("decision_subject", "indiquez l'objet de la décision")
	}
	if h.formInvalid(w, r, p, errs) {
		return
	}
	_, err := h.agreement.RecordDecision(r.Context(), p.actor, p.rec.ID, p.version, dec)
	h.actionDone(w, r, p, err, "?fait=decision#decisions")
}

// agreementUnitCostNotice records that the unit cost of a year was
// notified to the beneficiaries (D5211-16, R5111-1).
func (h *Handler) agreementUnitCostNotice(w http.ResponseWriter, r *http.Request) {
	p, ok := h.postAction(w, r, "notice_year", "notice_date")
	if !ok {
		return
	}
	var errs validate.Errors
	var n agreement.UnitCostNotice
	year, yerr := strconv.Atoi(strings.TrimSpace(p.form["notice_year"]))
	if yerr != nil || year < 1900 || year > 2200 {
		errs.Add("notice_year", "indiquez l'année du coût unitaire notifié, sur quatre chiffres")
	}
	n.Year = year
	n.Date = postedDate(r, "notice_date", "la date de la notification", true, &errs)
	if h.formInvalid(w, r, p, errs) {
		return
	}
	_, err := h.agreement.RecordUnitCostNotice(r.Context(), p.actor, p.rec.ID, p.version, n)
	h.actionDone(w, r, p, err, "?fait=cout-unitaire#cout-unitaire")
}

// agreementSign records the signature of one of the user's parties.
func (h *Handler) agreementSign(w http.ResponseWriter, r *http.Request) {
	p, ok := h.postAction(w, r, "org_id", "signed_on", "signatory")
	if !ok {
		return
	}
	var errs validate.Errors
	sig := agreement.Signature{Signatory: strings.TrimSpace(p.form["signatory"])}
	var err error
	if sig.OrgID, err = strconv.ParseInt(p.form["org_id"], 10, 64); err != nil {
		errs.Add("org_id", "choisissez la partie qui signe")
	}
	sig.Date = postedDate(r, "signed_on", "la date de signature", true, &errs)
	if h.formInvalid(w, r, p, errs) {
		return
	}
	_, err = h.agreement.Sign(r.Context(), p.actor, p.rec.ID, p.version, sig)
	h.actionDone(w, r, p, err, "?fait=signature")
}

// agreementRenew renews the convention expressly.
func (h *Handler) agreementRenew(w http.ResponseWriter, r *http.Request) {
	p, ok := h.postAction(w, r, "new_end", "decided_on")
	if !ok {
		return
	}
	var errs validate.Errors
	newEnd := postedDate(r, "new_end", "le nouveau terme", true, &errs)
	date := postedDate(r, "decided_on", "la date de la décision", true, &errs)
	if h.formInvalid(w, r, p, errs) {
		return
	}
	_, err := h.agreement.Renew(r.Context(), p.actor, p.rec.ID, p.version, newEnd, date)
	h.actionDone(w, r, p, err, "?fait=renouvelee")
}

// terminateData is what agreement_terminate.html shows.
type terminateData struct {
	Rec     agreement.Record
	For     []agreement.Party
	Form    map[string]string
	Invalid map[string][]string
	Notice  int
}

// agreementTerminateForm shows the termination form.
func (h *Handler) agreementTerminateForm(w http.ResponseWriter, r *http.Request) {
	a, rec, ok := h.agreementRecord(w, r)
	if !ok {
		return
	}
	parties := writableParties(a, rec.Agreement)
	if len(parties) == 0 {
		h.Fail(w, r, auth.ErrForbidden)
		return
	}
	d := terminateData{Rec: rec, For: parties, Form: map[string]string{"date": civil.Today().String()}, Invalid: map[string][]string{},
		Notice: rec.Agreement.Term.NoticeMonths}
	h.render(w, r, http.StatusOK, "agreement_terminate", newPage(r, "Résilier la convention "+rec.Reference, "conventions", d))
}

// agreementTerminate records the termination by one of the user's parties.
func (h *Handler) agreementTerminate(w http.ResponseWriter, r *http.Request) {
	a, rec, ok := h.agreementRecord(w, r)
	if !ok {
		return
	}
	form := formValues(r, "by", "date", "effective", "reason", "mutual")
	var errs validate.Errors
	version, verr := postedVersion(r)
	t := agreement.Termination{Reason: strings.TrimSpace(form["reason"]), Mutual: form["mutual"] != ""}
	var err error
	if t.By, err = strconv.ParseInt(form["by"], 10, 64); err != nil {
		errs.Add("by", "choisissez la partie qui résilie")
	}
	t.Date = postedDate(r, "date", "la date de la décision", true, &errs)
	t.Effective = postedDate(r, "effective", "la date de prise d'effet", false, &errs)
	if t.Reason == "" {
		errs.Add("reason", "indiquez le motif de la résiliation")
	}
	if verr == nil && len(errs) == 0 {
		if _, err = h.agreement.Terminate(r.Context(), a, rec.ID, version, t); err == nil {
			http.Redirect(w, r, agreementURL(rec.ID)+"?fait=resiliee", http.StatusSeeOther)
			return
		}
	} else if verr != nil {
		err = verr
	} else {
		err = errs
	}
	d := terminateData{Rec: rec, For: writableParties(a, rec.Agreement), Form: form, Invalid: map[string][]string{},
		Notice: rec.Agreement.Term.NoticeMonths}
	p := problem.From(err)
	status := p.Status
	if rf, ok := isRefusal(err); ok {
		p = problem.Problem{Message: refusalMessage(rf)}
		status = http.StatusUnprocessableEntity
	} else if es, ok := validate.As(err); ok {
		p.Message = "Certains champs ne sont pas valides."
		for _, e := range es {
			d.Invalid[e.Field] = append(d.Invalid[e.Field], e.Message)
			p.Fields = append(p.Fields, problem.Field{Name: e.Field, Message: e.Message})
		}
	} else if !errors.Is(err, store.ErrConflict) && !errors.Is(err, auth.ErrForbidden) && p.Code != "invalid_request" {
		h.Fail(w, r, err)
		return
	}
	pg := newPage(r, "Résilier la convention "+rec.Reference, "conventions", d)
	pg.Problem = &p
	h.render(w, r, status, "agreement_terminate", pg)
}

// attachmentDisposition is the Content-Disposition of a download named
// filename (RFC 2231-encoded when not ASCII).
func attachmentDisposition(filename string) string {
	if cd := mime.FormatMediaType("attachment", map[string]string{"filename": filename}); cd != "" {
		return cd
	}
	return "attachment"
}

// writePDF sends a generated document.
func writePDF(w http.ResponseWriter, filename string, body []byte) {
	hd := w.Header()
	hd.Set("Content-Type", "application/pdf")
	hd.Set("Content-Disposition", attachmentDisposition(filename))
	hd.Set("Content-Length", strconv.Itoa(len(body)))
	hd.Set("Cache-Control", "private, no-store")
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}

// agreementPDF sends the convention's document, generated from its fields.
func (h *Handler) agreementPDF(w http.ResponseWriter, r *http.Request) {
	_, rec, ok := h.agreementRecord(w, r)
	if !ok {
		return
	}
	var buf bytes.Buffer
	if err := pdf.Convention(&buf, rec.Agreement, pdf.Options{Reference: rec.Reference}); err != nil {
		h.Fail(w, r, err)
		return
	}
	writePDF(w, "convention-"+rec.Reference+".pdf", buf.Bytes())
}

// amendmentPDF sends the document of avenant n.
func (h *Handler) amendmentPDF(w http.ResponseWriter, r *http.Request) {
	_, rec, ok := h.agreementRecord(w, r)
	if !ok {
		return
	}
	n, err := pathNumber(r, "n")
	if err != nil || n > int64(len(rec.Agreement.Amendments)) {
		h.Fail(w, r, fmt.Errorf("web: avenant %q: %w", r.PathValue("n"), store.ErrNotFound))
		return
	}
	var buf bytes.Buffer
	if err := pdf.Avenant(&buf, rec.Agreement, int(n), pdf.Options{Reference: rec.Reference}); err != nil {
		h.Fail(w, r, err)
		return
	}
	writePDF(w, fmt.Sprintf("avenant-%d-%s.pdf", n, rec.Reference), buf.Bytes())
}

// attachmentUpload attaches a file (PDF, PNG or JPEG, 10 Mio at most) for
// one of the user's parties.
func (h *Handler) attachmentUpload(w http.ResponseWriter, r *http.Request) {
	a, rec, ok := h.agreementRecord(w, r)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, agreement.MaxAttachmentSize+64<<10)
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		var mbe *http.MaxBytesError
		if !errors.As(err, &mbe) {
			err = validate.Errors{{Field: "file", Message: "choisissez le fichier à joindre"}}
		}
		h.actionFailed(w, r, a, rec, nil, err)
		return
	}
	in := agreement.AttachmentInput{Kind: agreement.AttachmentKind(r.PostFormValue("kind"))}
	orgID, _ := strconv.ParseInt(r.PostFormValue("org_id"), 10, 64)
	if f, hdr, err := r.FormFile("file"); err == nil {
		defer f.Close()
		in.Filename, in.Data = hdr.Filename, f
	}
	if _, err := h.agreement.Attach(r.Context(), a, rec.ID, orgID, in); err != nil {
		h.actionFailed(w, r, a, rec, nil, err)
		return
	}
	http.Redirect(w, r, agreementURL(rec.ID)+"?fait=piece#pieces", http.StatusSeeOther)
}

// attachmentDownload sends an attached file to a user of a party.
func (h *Handler) attachmentDownload(w http.ResponseWriter, r *http.Request) {
	a, rec, ok := h.agreementRecord(w, r)
	if !ok {
		return
	}
	aid, err := pathNumber(r, "aid")
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	at, data, err := h.agreement.OpenAttachment(r.Context(), a, rec.ID, aid)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", at.ContentType)
	hd.Set("Content-Disposition", attachmentDisposition(at.Filename))
	hd.Set("Content-Length", strconv.Itoa(len(data)))
	hd.Set("Cache-Control", "private, no-store")
	w.WriteHeader(http.StatusOK)
	w.Write(data)
}

// attachmentDelete removes a file the user's organisation attached.
func (h *Handler) attachmentDelete(w http.ResponseWriter, r *http.Request) {
	a, rec, ok := h.agreementRecord(w, r)
	if !ok {
		return
	}
	aid, err := pathNumber(r, "aid")
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	if err := h.agreement.DeleteAttachment(r.Context(), a, rec.ID, aid); err != nil {
		h.actionFailed(w, r, a, rec, nil, err)
		return
	}
	http.Redirect(w, r, agreementURL(rec.ID)+"?fait=piece-supprimee#pieces", http.StatusSeeOther)
}
