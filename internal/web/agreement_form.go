package web

// Creating a convention (choose a kind, then its form), editing a draft,
// and concluding an avenant: the same form, showing the fields the kind
// needs and, next to each, the rules the convention breaks.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"voisines/internal/agreement"
	"voisines/internal/auth"
	"voisines/internal/civil"
	"voisines/internal/org"
	"voisines/internal/server/problem"
	"voisines/internal/store"
	"voisines/internal/territory"
	"voisines/internal/validate"
)

// The modes of the form.
const (
	modeCreate = "create"
	modeEdit   = "edit"
	modeAmend  = "amend"
)

// maxPartyRows caps the party rows a form may post.
const maxPartyRows = 40

// partyRow is one party of the form.
type partyRow struct {
	Index   int
	Org     string // as typed: INSEE code, SIREN, id or name
	OrgName string // the organisation found
	OrgID   int64
	OrgKind agreement.OrgKind
	Role    agreement.Role
	Rep     agreement.Representative
	// AttachedCommune and AttachedEPCI are the authority of an
	// établissement public rattaché.
	AttachedCommune string
	AttachedEPCI    string
	Share           string
	// Candidates are the organisations a name matched, to choose from.
	Candidates []org.Organisation
}

// clauseRow is the text of one article.
type clauseRow struct {
	ID      agreement.ClauseID
	Name    string // "clauses.objet"
	Title   string
	Level   agreement.Level
	Basis   string
	Text    string
	Covered bool // a structured field already provides it
}

// approvalRow is an approval an avenant needs from a party.
type approvalRow struct {
	Index         int
	OrgID         int64
	PartyName     string
	Kind          agreement.ApprovalKind
	Title         string
	Date          string
	Number        string
	TransmittedOn string
}

// summaryItem is one line of the form's error summary.
type summaryItem struct {
	Field   string // form field; "" when the form has none
	Label   string
	Message string
	Rule    agreement.RuleID
	Article string
	Warning bool
}

// formData is what agreement_form.html shows.
type formData struct {
	Mode      string
	Action    string
	Spec      agreement.Spec
	ID        int64
	Reference string
	Version   int64
	Title     string
	Parties   []partyRow
	// Attached shows the rattachement of établissements publics rattachés.
	Attached bool
	// Shares shows a share with each party.
	Shares    bool
	Term      []inputSpec
	Financial []inputSpec
	Specific  []inputSpec
	Values    fieldValues
	Clauses   []clauseRow
	// Avenant.
	AmendDate   string
	AmendReason string
	Approvals   []approvalRow
	// Problems: notes by field, the summary, its title.
	Notes        map[string][]note
	Summary      []summaryItem
	SummaryTitle string
	Blocking     int
}

// fields returns every field of the form with a single input.
func (d *formData) fields() []inputSpec {
	out := append([]inputSpec{}, d.Term...)
	out = append(out, d.Financial...)
	return append(out, d.Specific...)
}

// has reports whether the form shows a field, so that the summary links to
// it.
func (d *formData) has(name string) bool {
	switch name {
	case "title", "parties", "term":
		return true
	case "reason", "date":
		return d.Mode == modeAmend
	}
	for _, f := range d.fields() {
		if f.Name == name {
			return true
		}
	}
	for _, c := range d.Clauses {
		if c.Name == name {
			return true
		}
	}
	if m := partyPath.FindStringSubmatch(name); m != nil {
		i, _ := strconv.Atoi(m[1])
		if i >= len(d.Parties) {
			return false
		}
		switch m[2] {
		case "org", "role":
			return true
		case "representative.name", "representative.title", "representative.authority":
			return true
		case "attached_commune", "attached_epci":
			return d.Attached
		case "share":
			return d.Shares
		}
	}
	return false
}

// newForm returns an empty form for kind spec.
func newForm(mode string, spec agreement.Spec) *formData {
	d := &formData{Mode: mode, Spec: spec, Values: newFieldValues(), Notes: map[string][]note{},
		Term: termInputs(spec.Kind), Financial: financialInputs(spec), Specific: kindInputs[spec.Kind]}
	_, d.Shares = shareKinds[spec.Kind]
	for _, rs := range spec.Roles {
		for _, k := range rs.OrgKinds {
			if k == agreement.EPARattache {
				d.Attached = true
			}
		}
	}
	return d
}

// withContent shows content c (its parties, fields and clauses).
func (d *formData) withContent(c agreement.Content) {
	d.Title = c.Title
	d.Parties = nil
	shares := map[int64]agreement.Fraction{}
	for _, s := range append(c.Indivision.Shares, c.ProjectOwnership.Shares...) {
		shares[s.OrgID] = s.Share
	}
	for i, p := range c.Parties {
		d.Parties = append(d.Parties, partyRow{Index: i, Org: orgCode(p.CommuneCode, p.SIREN, p.OrgID), OrgName: p.Name, OrgID: p.OrgID,
			OrgKind: p.Kind, Role: p.Role, Rep: p.Representative, AttachedCommune: p.AttachedCommune, AttachedEPCI: p.AttachedEPCI,
			Share: shares[p.OrgID].String()})
	}
	valuesOf(d.fields(), c, d.Values)
	d.setClauses(c)
}

// setClauses lists the kind's articles with their texts in c.
func (d *formData) setClauses(c agreement.Content) {
	a := agreement.New(d.Spec.Kind, c)
	d.Clauses = nil
	for _, cs := range agreement.RequiredClauses(a) {
		row := clauseRow{ID: cs.ID, Name: "clauses." + string(cs.ID), Title: cs.Title, Level: cs.Level,
			Covered: agreement.Filled(everyField, cs.ID)}
		if cs.Basis.Code != "" {
			row.Basis = cs.Basis.String()
		}
		if cl, ok := c.Clause(cs.ID); ok {
			row.Text = cl.Text
		}
		d.Clauses = append(d.Clauses, row)
	}
}

// everyField is a convention whose every structured field is filled, to
// tell which articles a field of the form can stand for (agreement.Filled).
var everyField = agreement.Agreement{Content: agreement.Content{
	Term:             agreement.Term{End: civil.MustParse("2030-12-31"), NoticeMonths: 1},
	Financial:        agreement.Financial{Summary: "-"},
	Provision:        agreement.ProvisionTerms{UnitCostMethod: "-", ForecastUnits: 1},
	ServiceCommun:    agreement.ServiceCommunTerms{ImpactStatement: "-"},
	Indivision:       agreement.IndivisionTerms{Shares: []agreement.Share{{}}},
	Delegation:       agreement.DelegationTerms{Competence: "-"},
	PurchasingGroup:  agreement.PurchasingGroupTerms{Needs: "-"},
	ProjectOwnership: agreement.ProjectOwnershipTerms{Work: "-"},
	Equipment:        agreement.EquipmentTerms{Equipment: "-"},
}}

// padParties adds empty rows for more parties.
func (d *formData) padParties() {
	blank := max(2, d.Spec.MinParties-len(d.Parties))
	// A kind whose every role is capped needs no more rows than its cap.
	capacity := 0
	for _, rs := range d.Spec.Roles {
		if rs.Max == 0 {
			capacity = maxPartyRows
			break
		}
		capacity += rs.Max
	}
	blank = min(blank, max(0, capacity-len(d.Parties)))
	for i := 0; i < blank && len(d.Parties) < maxPartyRows; i++ {
		row := partyRow{Index: len(d.Parties)}
		if len(d.Parties) == 0 {
			row.Role = d.Spec.LeadRole
		} else {
			for _, rs := range d.Spec.Roles {
				if rs.Role != d.Spec.LeadRole {
					row.Role = rs.Role
					break
				}
			}
		}
		d.Parties = append(d.Parties, row)
	}
}

// addNote attaches a problem to a field and to the summary.
func (d *formData) addNote(field string, n note) {
	f := formField(field)
	d.Notes[f] = append(d.Notes[f], n)
	item := summaryItem{Label: agreementFieldLabel(f), Message: n.Message, Rule: n.Rule, Article: n.Article, Warning: n.Warning}
	if d.has(f) {
		item.Field = f
	}
	if field == "" {
		item.Label = ""
	}
	d.Summary = append(d.Summary, item)
	if !n.Warning {
		d.Blocking++
	}
}

// addViolations shows the rules the convention breaks, blocking first.
func (d *formData) addViolations(vs []agreement.Violation) {
	for _, warning := range []bool{false, true} {
		for _, v := range vs {
			if (v.Severity != agreement.Blocking) == warning {
				d.addNote(v.Field, note{Message: v.Message, Rule: v.Rule, Article: v.Article, Warning: warning})
			}
		}
	}
}

// addErrors shows field errors of the domain or of the form.
func (d *formData) addErrors(errs validate.Errors) {
	for _, e := range errs {
		d.addNote(e.Field, note{Message: e.Message})
	}
}

// postedForm reads the form of kind spec from r: the content, the parties
// resolved (by code, SIREN or name) and the avenant's details, and the
// problems found reading it.
func (h *Handler) postedForm(ctx context.Context, r *http.Request, mode string, spec agreement.Spec) (*formData, agreement.Input, validate.Errors, error) {
	d := newForm(mode, spec)
	var errs validate.Errors
	bad := func(field, format string, args ...any) { errs.Add(field, format, args...) }
	form := r.PostForm
	d.Title = strings.TrimSpace(form.Get("title"))
	for _, f := range d.fields() {
		if f.Type == "checkbox" {
			d.Values.Checked[f.Name] = form.Get(f.Name) != ""
		} else {
			d.Values.Text[f.Name] = form.Get(f.Name)
		}
	}
	c := agreement.Content{Title: d.Title}
	contentOf(d.fields(), d.Values, &c, bad)
	for _, cs := range agreement.RequiredClauses(agreement.New(spec.Kind, c)) {
		if t := strings.TrimSpace(form.Get("clauses." + string(cs.ID))); t != "" {
			c.Clauses = append(c.Clauses, agreement.Clause{ID: cs.ID, Text: t})
		}
	}
	d.setClauses(c)

	// Parties: the rows with an organisation, renumbered in order.
	in := agreement.Input{Kind: spec.Kind}
	var shares []agreement.Share
	for i := 0; i < maxPartyRows; i++ {
		p := fmt.Sprintf("parties[%d].", i)
		typed := strings.TrimSpace(form.Get(p + "org"))
		if picked := strings.TrimSpace(form.Get(p + "choice")); picked != "" {
			typed = picked
		}
		if typed == "" {
			continue
		}
		row := partyRow{Index: len(d.Parties), Org: typed, Role: agreement.Role(form.Get(p + "role")),
			Rep: agreement.Representative{Name: strings.TrimSpace(form.Get(p + "representative.name")),
				Title: strings.TrimSpace(form.Get(p + "representative.title")), Authority: strings.TrimSpace(form.Get(p + "representative.authority"))},
			AttachedCommune: strings.TrimSpace(form.Get(p + "attached_commune")), AttachedEPCI: strings.TrimSpace(form.Get(p + "attached_epci")),
			Share: strings.TrimSpace(form.Get(p + "share"))}
		field := fmt.Sprintf("parties[%d].org", row.Index)
		o, candidates, err := h.findOrg(ctx, typed)
		switch {
		case err != nil:
			return nil, agreement.Input{}, nil, err
		case len(candidates) > 1:
			row.Candidates = candidates
			bad(field, "plusieurs organisations correspondent à « %s » : choisissez-en une dans la liste", typed)
		case len(candidates) == 0:
			bad(field, "aucune organisation ne correspond à « %s » : saisissez un code Insee, un SIREN ou le nom exact", typed)
		default:
			row.OrgID, row.OrgName, row.OrgKind = o.ID, o.Name, agreement.OrgKind(o.Kind)
			row.Org = orgCode(o.CommuneCode, orgSIREN(o), o.ID)
		}
		if d.Shares && row.Share != "" {
			q, err := parseFraction(row.Share)
			if err != nil {
				bad(fmt.Sprintf("parties[%d].share", row.Index), "%s", err)
			} else if row.OrgID != 0 {
				shares = append(shares, agreement.Share{OrgID: row.OrgID, Share: q})
			}
		}
		d.Parties = append(d.Parties, row)
		in.Parties = append(in.Parties, agreement.PartyInput{OrgID: row.OrgID, Role: row.Role, Representative: row.Rep,
			AttachedCommune: row.AttachedCommune, AttachedEPCI: row.AttachedEPCI})
	}
	switch spec.Kind {
	case agreement.BiensIndivis:
		c.Indivision.Shares = shares
	case agreement.CoMaitriseOuvrage:
		c.ProjectOwnership.Shares = shares
	}
	in.Content = c

	if mode == modeAmend {
		d.AmendDate = strings.TrimSpace(form.Get("date"))
		d.AmendReason = strings.TrimSpace(form.Get("reason"))
		if d.AmendDate != "" {
			if _, err := civil.Parse(d.AmendDate); err != nil {
				bad("date", "date attendue, au format AAAA-MM-JJ")
			}
		}
		d.Approvals = amendApprovals(spec.Kind, d.Parties)
		for i := range d.Approvals {
			ap := &d.Approvals[i]
			p := fmt.Sprintf("approvals[%d].", i)
			if form.Get(p+"org_id") == strconv.FormatInt(ap.OrgID, 10) && form.Get(p+"kind") == string(ap.Kind) {
				ap.Date, ap.Number, ap.TransmittedOn = strings.TrimSpace(form.Get(p+"date")), strings.TrimSpace(form.Get(p+"number")), strings.TrimSpace(form.Get(p+"transmitted_on"))
			}
		}
	}
	return d, in, errs, nil
}

// orgSIREN is the SIREN an organisation is known by (an EPCI's is its own).
func orgSIREN(o org.Organisation) string {
	if o.SIREN != "" {
		return o.SIREN
	}
	return o.EPCISIREN
}

// findOrg finds the organisation typed in a party field: by INSEE code,
// SIREN or id; else by name, among organisations and communes (whose search
// ignores accents). One match, or one whose name is exactly the text, is
// the organisation; several are candidates to choose from.
func (h *Handler) findOrg(ctx context.Context, typed string) (org.Organisation, []org.Organisation, error) {
	o, err := h.orgs.Resolve(ctx, typed)
	if err == nil {
		return o, []org.Organisation{o}, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return org.Organisation{}, nil, err
	}
	found, err := h.orgs.Search(ctx, org.Query{Text: typed, Limit: 10})
	if err != nil {
		return org.Organisation{}, nil, err
	}
	seen := map[int64]bool{}
	for _, f := range found {
		seen[f.ID] = true
	}
	refs, err := h.territory.Search(ctx, typed, 10)
	if err != nil {
		return org.Organisation{}, nil, err
	}
	for _, c := range refs {
		co, err := h.orgs.ByCommune(ctx, c.Code)
		if errors.Is(err, store.ErrNotFound) {
			continue
		} else if err != nil {
			return org.Organisation{}, nil, err
		}
		if !seen[co.ID] {
			seen[co.ID] = true
			found = append(found, co)
		}
	}
	for _, f := range found {
		if territory.Fold(f.Name) == territory.Fold(typed) {
			return f, []org.Organisation{f}, nil
		}
	}
	if len(found) == 1 {
		return found[0], found, nil
	}
	return org.Organisation{}, found, nil
}

// amendApprovals lists the approvals an avenant needs from the parties of
// rows: each party's deliberation, the agent's consent for a secondment
// (the principle of parallel forms).
func amendApprovals(k agreement.Kind, rows []partyRow) []approvalRow {
	a := agreement.Agreement{Kind: k}
	for _, p := range rows {
		if p.OrgID != 0 {
			a.Parties = append(a.Parties, agreement.Party{OrgID: p.OrgID, Kind: p.OrgKind, Name: p.OrgName, Role: p.Role})
		}
	}
	var out []approvalRow
	for _, n := range agreement.RequiredApprovals(a) {
		if n.Kind != agreement.Deliberation && n.Kind != agreement.AgentConsent {
			continue
		}
		out = append(out, approvalRow{Index: len(out), OrgID: n.OrgID, PartyName: n.PartyName, Kind: n.Kind, Title: n.Title})
	}
	return out
}

// amendment reads the avenant's date, purpose and approvals.
func (d *formData) amendment() agreement.Amendment {
	am := agreement.Amendment{Reason: d.AmendReason}
	am.Date, _ = civil.Parse(d.AmendDate)
	for _, row := range d.Approvals {
		if row.Date == "" {
			continue
		}
		ap := agreement.Approval{OrgID: row.OrgID, Kind: row.Kind, Number: row.Number}
		ap.Date, _ = civil.Parse(row.Date)
		ap.TransmittedOn, _ = civil.Parse(row.TransmittedOn)
		am.Approvals = append(am.Approvals, ap)
	}
	return am
}

// renderForm shows the form; its title follows its mode.
func (h *Handler) renderForm(w http.ResponseWriter, r *http.Request, status int, d *formData, flash string) {
	d.padParties()
	var title string
	switch d.Mode {
	case modeCreate:
		d.Action = "/conventions/nouvelle"
		title = "Nouvelle convention : " + d.Spec.Label
	case modeEdit:
		d.Action = agreementURL(d.ID) + "/modifier"
		title = "Modifier le brouillon " + d.Reference
	case modeAmend:
		d.Action = agreementURL(d.ID) + "/avenant"
		title = "Avenant à la convention " + d.Reference
	}
	if d.SummaryTitle == "" && len(d.Summary) > 0 {
		switch {
		case d.Blocking == 0:
			d.SummaryTitle = "Points d'attention"
		case d.Blocking == 1:
			d.SummaryTitle = "Une règle bloquante est à corriger"
		default:
			d.SummaryTitle = fmt.Sprintf("%d règles bloquantes sont à corriger", d.Blocking)
		}
	}
	pg := newPage(r, title, "conventions", d)
	pg.Flash = flash
	h.render(w, r, status, "agreement_form", pg)
}

// agreementNew shows the kinds to choose from, then the form of the kind
// chosen (?nature=).
func (h *Handler) agreementNew(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.signedInActor(w, r); !ok {
		return
	}
	code := strings.TrimSpace(r.URL.Query().Get("nature"))
	if code == "" {
		h.render(w, r, http.StatusOK, "agreement_kinds", newPage(r, "Nouvelle convention", "conventions", agreement.Catalogue()))
		return
	}
	spec, ok := agreement.Lookup(agreement.Kind(code))
	if !ok {
		h.Fail(w, r, fmt.Errorf("web: kind %q: %w", code, store.ErrNotFound))
		return
	}
	d := newForm(modeCreate, spec)
	d.setClauses(agreement.Content{})
	h.renderForm(w, r, http.StatusOK, d, "")
}

// agreementCreate stores the draft. Unreadable fields come back at once
// (nothing is stored); once stored, a draft that breaks a blocking rule
// opens in its edit form, each rule next to its field.
func (h *Handler) agreementCreate(w http.ResponseWriter, r *http.Request) {
	a, ok := h.signedInActor(w, r)
	if !ok {
		return
	}
	spec, ok := agreement.Lookup(agreement.Kind(r.PostFormValue("kind")))
	if !ok {
		h.Fail(w, r, problem.Invalid("La nature de la convention manque : recommencez depuis la liste des natures.",
			problem.Field{Name: "kind", Message: "nature de convention inconnue"}))
		return
	}
	d, in, errs, err := h.postedForm(r.Context(), r, modeCreate, spec)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	if len(errs) > 0 {
		d.addErrors(errs)
		h.renderForm(w, r, http.StatusUnprocessableEntity, d, "")
		return
	}
	rec, err := h.agreement.Create(r.Context(), a, in)
	if err != nil {
		h.formFailed(w, r, d, err)
		return
	}
	h.afterSave(w, r, rec)
}

// afterSave sends to the edit form while the draft breaks a blocking rule,
// to the convention otherwise.
func (h *Handler) afterSave(w http.ResponseWriter, r *http.Request, rec agreement.Record) {
	if len(agreement.Blockers(rec.Violations)) > 0 {
		http.Redirect(w, r, agreementURL(rec.ID)+"/modifier?enregistre=1", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, agreementURL(rec.ID)+"?fait=enregistree", http.StatusSeeOther)
}

// formFailed shows the form again with the domain's answer: field errors,
// a refusal with its rules, a refused right or a conflict; anything else is
// the error page.
func (h *Handler) formFailed(w http.ResponseWriter, r *http.Request, d *formData, err error) {
	p := problem.From(err)
	status := p.Status
	switch {
	case p.Code == "invalid" || p.Code == "invalid_request":
		errs, _ := validate.As(err)
		d.addErrors(errs)
		if len(errs) == 0 {
			d.SummaryTitle = p.Message
		}
	case errors.Is(err, auth.ErrForbidden):
		lead := d.Spec.LeadRole.Label()
		if rs, ok := d.Spec.Role(d.Spec.LeadRole); ok {
			lead = rs.Label
		}
		d.SummaryTitle = "Vous n'agissez pas pour la partie qui rédige et suit cette convention"
		d.addNote("parties", note{Message: fmt.Sprintf("la partie « %s » doit être une organisation pour laquelle vous êtes habilité à agir", lead)})
	case errors.Is(err, store.ErrConflict):
		d.SummaryTitle = "La convention a été modifiée par quelqu'un d'autre depuis que vous avez ouvert la page ; vos changements n'ont pas été enregistrés. Rechargez la page, puis refaites-les."
	default:
		rf, ok := isRefusal(err)
		if !ok {
			h.Fail(w, r, err)
			return
		}
		status = http.StatusUnprocessableEntity
		d.SummaryTitle = refusalMessage(rf)
		d.addViolations(rf.Violations)
	}
	h.renderForm(w, r, status, d, "")
}

// agreementEditForm shows a draft's form, with the rules it breaks next to
// their fields.
func (h *Handler) agreementEditForm(w http.ResponseWriter, r *http.Request) {
	a, rec, ok := h.agreementRecord(w, r)
	if !ok {
		return
	}
	if rec.Agreement.Status != agreement.Draft {
		http.Redirect(w, r, agreementURL(rec.ID), http.StatusSeeOther)
		return
	}
	if err := auth.Authorize(a, auth.Write, rec.LeadOrgID); err != nil {
		h.Fail(w, r, err)
		return
	}
	spec, _ := agreement.Lookup(rec.Agreement.Kind)
	d := newForm(modeEdit, spec)
	d.ID, d.Reference, d.Version = rec.ID, rec.Reference, rec.Version
	d.withContent(rec.Agreement.Content)
	d.addViolations(rec.Violations)
	flash := ""
	if r.URL.Query().Get("enregistre") == "1" {
		flash = fmt.Sprintf("Le brouillon %s est enregistré.", rec.Reference)
		if n := len(agreement.Blockers(rec.Violations)); n > 0 {
			flash += " Il ne pourra être soumis aux parties qu'une fois corrigées les règles bloquantes signalées ci-dessous."
		}
	}
	h.renderForm(w, r, http.StatusOK, d, flash)
}

// agreementUpdate saves a draft from the version the user edited.
func (h *Handler) agreementUpdate(w http.ResponseWriter, r *http.Request) {
	a, rec, ok := h.agreementRecord(w, r)
	if !ok {
		return
	}
	spec, _ := agreement.Lookup(rec.Agreement.Kind)
	d, in, errs, err := h.postedForm(r.Context(), r, modeEdit, spec)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	d.ID, d.Reference = rec.ID, rec.Reference
	version, verr := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	d.Version = version
	if verr != nil || version <= 0 {
		errs.Add("version", "version manquante : rechargez la page")
	}
	if len(errs) > 0 {
		d.addErrors(errs)
		h.renderForm(w, r, http.StatusUnprocessableEntity, d, "")
		return
	}
	saved, err := h.agreement.UpdateDraft(r.Context(), a, rec.ID, version, in)
	if err != nil {
		h.formFailed(w, r, d, err)
		return
	}
	h.afterSave(w, r, saved)
}

// agreementAmendForm shows the form of an avenant: the current content to
// change, the avenant's date and purpose, and the approvals it needs.
func (h *Handler) agreementAmendForm(w http.ResponseWriter, r *http.Request) {
	a, rec, ok := h.agreementRecord(w, r)
	if !ok {
		return
	}
	if err := auth.Authorize(a, auth.Write, rec.LeadOrgID); err != nil {
		h.Fail(w, r, err)
		return
	}
	spec, _ := agreement.Lookup(rec.Agreement.Kind)
	d := newForm(modeAmend, spec)
	d.ID, d.Reference, d.Version = rec.ID, rec.Reference, rec.Version
	d.withContent(rec.Agreement.Content)
	d.Approvals = amendApprovals(spec.Kind, d.Parties)
	if st := rec.Agreement.Status; st != agreement.Signed && st != agreement.InForce {
		d.SummaryTitle = fmt.Sprintf("Seule une convention signée ou en vigueur se modifie par avenant (celle-ci est %s).", st.Label())
		d.Summary = []summaryItem{}
	}
	h.renderForm(w, r, http.StatusOK, d, "")
}

// agreementAmend concludes the avenant.
func (h *Handler) agreementAmend(w http.ResponseWriter, r *http.Request) {
	a, rec, ok := h.agreementRecord(w, r)
	if !ok {
		return
	}
	spec, _ := agreement.Lookup(rec.Agreement.Kind)
	d, in, errs, err := h.postedForm(r.Context(), r, modeAmend, spec)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	d.ID, d.Reference = rec.ID, rec.Reference
	version, verr := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	d.Version = version
	if verr != nil || version <= 0 {
		errs.Add("version", "version manquante : rechargez la page")
	}
	if len(errs) > 0 {
		d.addErrors(errs)
		h.renderForm(w, r, http.StatusUnprocessableEntity, d, "")
		return
	}
	saved, err := h.agreement.Amend(r.Context(), a, rec.ID, version, in, d.amendment())
	if err != nil {
		h.formFailed(w, r, d, err)
		return
	}
	n := len(saved.Agreement.Amendments)
	http.Redirect(w, r, agreementURL(saved.ID)+"?fait=avenant&n="+url.QueryEscape(strconv.Itoa(n)), http.StatusSeeOther)
}

// inputView is a field of the form with its value and problems, for the
// template.
type inputView struct {
	inputSpec
	ID      string
	Value   string
	Checked bool
	Notes   []note
	Invalid bool // a blocking problem
}

// Input returns the view of field f.
func (d *formData) Input(f inputSpec) inputView {
	v := inputView{inputSpec: f, ID: fieldID(f.Name), Value: d.Values.Text[f.Name], Checked: d.Values.Checked[f.Name], Notes: d.Notes[f.Name]}
	for _, n := range v.Notes {
		if !n.Warning {
			v.Invalid = true
		}
	}
	return v
}

// View returns the view of a field the template lays out itself (title,
// party fields, avenant), of input type typ, with its value.
func (d *formData) View(typ, name, label, hint, value string) inputView {
	v := d.Input(inputSpec{Name: name, Label: label, Hint: hint, Type: typ})
	v.Value = value
	return v
}
