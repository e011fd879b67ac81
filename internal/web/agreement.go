package web

// The pages of the conventions (issue 3): register, creation and edition
// per kind, detail with its approvals, signatures, avenants, versions and
// attachments, termination, spreadsheet import and the public open data.
// Each handler is the usual script — parse, authorise, call
// agreement.Service, render — and a user of no party gets 404 on every
// page of a convention, before anything else is read: the convention is
// loaded first.

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"voisines/internal/agreement"
	"voisines/internal/auth"
	"voisines/internal/civil"
	"voisines/internal/org"
	"voisines/internal/server/session"
	"voisines/internal/store"
)

// signedInActor returns the request's user, or answers the request (the
// login page for a GET) when nobody is logged in.
func (h *Handler) signedInActor(w http.ResponseWriter, r *http.Request) (auth.Actor, bool) {
	a := session.ActorFrom(r.Context())
	if a.User == nil {
		h.Fail(w, r, auth.ErrUnauthenticated)
		return a, false
	}
	return a, true
}

// pathNumber reads a positive integer of the path; anything else names no
// page.
func pathNumber(r *http.Request, name string) (int64, error) {
	n, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("web: %s %q: %w", name, r.PathValue(name), store.ErrNotFound)
	}
	return n, nil
}

// agreementRecord loads the convention of the path for the request's user;
// a user of no party gets the 404 page, like a convention that does not
// exist.
func (h *Handler) agreementRecord(w http.ResponseWriter, r *http.Request) (auth.Actor, agreement.Record, bool) {
	a, ok := h.signedInActor(w, r)
	if !ok {
		return a, agreement.Record{}, false
	}
	id, err := pathNumber(r, "id")
	if err != nil {
		h.Fail(w, r, err)
		return a, agreement.Record{}, false
	}
	rec, err := h.agreement.Get(r.Context(), a, id)
	if err != nil {
		h.Fail(w, r, err)
		return a, agreement.Record{}, false
	}
	return a, rec, true
}

// agreementURL is the detail page of convention id.
func agreementURL(id int64) string { return "/conventions/" + strconv.FormatInt(id, 10) }

// canWrite reports whether the actor may act for organisation orgID.
func canWrite(a auth.Actor, orgID int64) bool {
	return orgID != 0 && auth.Authorize(a, auth.Write, orgID) == nil
}

// writableParties returns the parties of a the actor may act for.
func writableParties(act auth.Actor, a agreement.Agreement) []agreement.Party {
	var out []agreement.Party
	for _, p := range a.Parties {
		if canWrite(act, p.OrgID) {
			out = append(out, p)
		}
	}
	return out
}

// signatories returns the parties that sign a convention: the kind's
// signatory roles, or every party.
func signatories(a agreement.Agreement) []agreement.Party {
	spec, _ := agreement.Lookup(a.Kind)
	if len(spec.Signatories) == 0 {
		return a.Parties
	}
	var out []agreement.Party
	for _, p := range a.Parties {
		if slices.Contains(spec.Signatories, p.Role) {
			out = append(out, p)
		}
	}
	return out
}

// orgCode is how a form names an organisation: INSEE code for a commune,
// SIREN when it has one, id otherwise.
func orgCode(communeCode, siren string, id int64) string {
	switch {
	case communeCode != "":
		return communeCode
	case siren != "":
		return siren
	}
	return "id:" + strconv.FormatInt(id, 10)
}

// agreementFuncs are the template helpers of the conventions' pages.
func agreementFuncs() template.FuncMap {
	return template.FuncMap{
		"frDate":        frenchDate,
		"statusName":    func(s agreement.Status) string { return capitalize(s.Label()) },
		"partyRole":     partyRoleLabel,
		"approvalName":  func(k agreement.ApprovalKind) string { return capitalize(k.Label()) },
		"modeName":      func(m agreement.FinancialMode) string { return capitalize(m.Label()) },
		"orgKindName":   func(k agreement.OrgKind) string { return k.Label() },
		"pieceName":     func(k agreement.AttachmentKind) string { return capitalize(k.Label()) },
		"ruleTitle":     ruleTitle,
		"fieldID":       fieldID,
		"fieldName":     agreementFieldLabel,
		"fileSize":      fileSize,
		"shortHash":     func(s string) string { return s[:min(len(s), 12)] },
		"bases":         bases,
		"alertKindName": alertKindName,
		"hasNote":       func(n map[string][]note, name string) bool { return len(n[name]) > 0 },
		"plus1":         func(i int) int { return i + 1 },
		"changeValue":   changeValue,
		"frTime":        func(t time.Time) string { return t.In(civil.Paris).Format("02/01/2006 à 15 h 04") },
		"orgRef":        func(o org.Organisation) string { return orgCode(o.CommuneCode, orgSIREN(o), o.ID) },
		"orgKindLabel":  func(k org.Kind) string { return k.Label() },
		"agrFormField":  formField,
		"add":           func(a, b int) int { return a + b },
		"inputOf":       inputOf,
		"termFields":    func() []inputSpec { return terminationInputs },
	}
}

// frenchDate writes a civil date the French way, "1er juillet 2026", or a
// dash when unset.
func frenchDate(d civil.Date) string {
	if d.IsZero() {
		return "—"
	}
	return d.French()
}

// partyRoleLabel is the role's label fitted to the kind of convention.
func partyRoleLabel(k agreement.Kind, role agreement.Role) string {
	if spec, ok := agreement.Lookup(k); ok {
		if rs, ok := spec.Role(role); ok {
			return rs.Label
		}
	}
	return capitalize(role.Label())
}

// ruleTitle is the French title of a rule, by its id.
func ruleTitle(id agreement.RuleID) string {
	for _, r := range agreement.Rules() {
		if r.ID == id {
			return r.Title
		}
	}
	return string(id)
}

// bases writes a kind's legal basis: "CGCT L5221-1, CGCT L5221-2".
func bases(refs []agreement.Reference) string {
	s := make([]string, len(refs))
	for i, r := range refs {
		s[i] = r.String()
	}
	return strings.Join(s, ", ")
}

func alertKindName(k agreement.AlertKind) string {
	switch k {
	case agreement.AlertExpiring:
		return "Échéance"
	case agreement.AlertNotice:
		return "Préavis de dénonciation"
	case agreement.AlertMissingApproval:
		return "Approbation manquante"
	case agreement.AlertUnitCost:
		return "Coût unitaire à notifier (D5211-16)"
	case agreement.AlertEquipment:
		return "Équipement utilisé sans convention (L1311-15)"
	case agreement.AlertRatification:
		return "Ratification attendue"
	}
	return string(k)
}

// fileSize writes a size in octets, kio or Mio, the French way.
func fileSize(n int64) string {
	switch {
	case n < 1024:
		return strconv.FormatInt(n, 10) + "\u00a0o"
	case n < 1<<20:
		return strconv.FormatInt((n+512)/1024, 10) + "\u00a0kio"
	}
	return strings.Replace(strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64), ".", ",", 1) + "\u00a0Mio"
}

// changeValue shows a value of an avenant's change: JSON text without its
// quotes, a dash when absent.
func changeValue(s string) string {
	if s == "" || s == "null" || s == `""` {
		return "—"
	}
	if uq, err := strconv.Unquote(s); err == nil {
		return uq
	}
	return s
}

var nonIDChars = regexp.MustCompile(`[^a-z0-9_]+`)

// fieldID is the id of the input named by a form or JSON path:
// "parties[1].org" is "f-parties-1-org".
func fieldID(name string) string {
	return "f-" + strings.Trim(nonIDChars.ReplaceAllString(strings.ToLower(name), "-"), "-")
}

var partyPath = regexp.MustCompile(`^parties\[(\d+)\](?:\.(.+))?$`)

// formField returns the form field that shows a problem the domain names by
// its JSON path: a party's details show at its organisation, shares at the
// parties, the rest at the field of the same name.
func formField(path string) string {
	if m := partyPath.FindStringSubmatch(path); m != nil {
		switch sub := m[2]; {
		case sub == "role", sub == "attached_commune", sub == "attached_epci", strings.HasPrefix(sub, "representative."):
			return path
		default:
			return "parties[" + m[1] + "].org"
		}
	}
	if strings.HasPrefix(path, "indivision.shares") || strings.HasPrefix(path, "project_ownership.shares") {
		return "parties"
	}
	return path
}

// agreementFieldLabel names a field of the conventions' forms in French.
func agreementFieldLabel(name string) string {
	if m := partyPath.FindStringSubmatch(name); m != nil {
		n, _ := strconv.Atoi(m[1])
		label := fmt.Sprintf("Partie n° %d", n+1)
		switch m[2] {
		case "role":
			return label + ", rôle"
		case "attached_commune", "attached_epci":
			return label + ", rattachement"
		case "representative.name", "representative.title", "representative.authority":
			return label + ", représentant"
		}
		return label
	}
	if id, ok := strings.CutPrefix(name, "clauses."); ok {
		return "Article « " + clauseTitle(agreement.ClauseID(id)) + " »"
	}
	if f, ok := fieldByName[name]; ok {
		return f.Label
	}
	switch name {
	case "kind":
		return "Nature de la convention"
	case "title":
		return "Intitulé"
	case "parties":
		return "Parties"
	case "term":
		return "Durée"
	case "approvals":
		return "Approbations"
	case "signatures":
		return "Signatures"
	case "version":
		return "Version"
	case "file":
		return "Fichier"
	case "reason":
		return "Objet"
	case "date":
		return "Date"
	}
	switch {
	case strings.HasPrefix(name, "renewals["):
		return "Renouvellement"
	case strings.HasPrefix(name, "clauses["):
		return "Articles"
	case strings.HasPrefix(name, "indivision.shares"), strings.HasPrefix(name, "project_ownership.shares"):
		return "Quotes-parts"
	}
	return name
}

// clauseTitle is the catalogue's title of a clause, from any kind.
func clauseTitle(id agreement.ClauseID) string {
	for _, s := range agreement.Catalogue() {
		for _, c := range s.Clauses {
			if c.ID == id {
				return c.Title
			}
		}
	}
	if id == agreement.ClauseMandatEncaissement {
		return "Mandat d'encaissement des recettes"
	}
	return string(id)
}

// note is a problem shown next to a form field: a field error, or a rule
// the convention breaks.
type note struct {
	Message string
	Rule    agreement.RuleID
	Article string
	Warning bool
}

// isRefusal reports whether err is a lifecycle refusal, and returns it.
func isRefusal(err error) (*agreement.Refusal, bool) {
	var rf *agreement.Refusal
	ok := errors.As(err, &rf)
	return rf, ok
}

// refusalMessage is the French sentence of a refusal.
func refusalMessage(rf *agreement.Refusal) string {
	return capitalize("impossible de " + string(rf.Action) + " : " + rf.Message + ".")
}

// simpleInput is a field of the small forms of the detail page.
type simpleInput struct {
	Type, Name, Label, Value string
	Errors                   []string
}

// inputOf returns the field name of a detail page's form, with the value
// and errors of a failed attempt.
func inputOf(d *detailData, typ, name, label string) simpleInput {
	return simpleInput{Type: typ, Name: name, Label: label, Value: d.Form[name], Errors: d.Invalid[name]}
}

// terminationInputs are the dated and written fields of the termination
// form.
var terminationInputs = []inputSpec{
	inDate("date", "Date de la décision de résilier", ""),
	inDate("effective", "Date de prise d'effet", "Premier jour où la convention ne s'applique plus ; vide : au terme du préavis."),
	inArea("reason", "Motif", ""),
}
