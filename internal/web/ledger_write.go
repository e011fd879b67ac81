package web

// The finances' write pages (issue 4): a convention's finances (its terms,
// its statements), the form of its financial terms, the form that
// computes a statement (preview, draft) or corrects one, the confirmation
// before issuing, the recording of a titre or mandat (and of their
// cancellation after a correction), the stated cost of doing alone on the
// year's page, and the M57 account mapping for platform admins. Every
// handler is the usual script: parse, call ledger.Service (which
// authorises), redirect or render the form again with its errors.

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"voisines/internal/agreement"
	"voisines/internal/auth"
	"voisines/internal/civil"
	"voisines/internal/ledger"
	"voisines/internal/money"
	"voisines/internal/server/problem"
	"voisines/internal/store"
	"voisines/internal/validate"
)

// ledgerWritePages are the templates of the ledger's write pages (issue 4): terms, statements, titres and mandats, standalone costs, accounts.
var ledgerWritePages = []string{"ledger_convention", "ledger_terms", "ledger_request", "ledger_issue", "ledger_document", "ledger_accounts"}

// registerLedgerWrites adds the routes of the ledger's write pages (issue 4): terms, statements, titres and mandats, standalone costs, accounts.
func (h *Handler) registerLedgerWrites(mux *http.ServeMux) {
	mux.HandleFunc("GET /conventions/{id}/finances", h.ledgerConvention)
	mux.HandleFunc("GET /conventions/{id}/finances/conditions", h.ledgerTermsForm)
	mux.HandleFunc("POST /conventions/{id}/finances/conditions", h.ledgerTermsSave)
	mux.HandleFunc("GET /conventions/{id}/finances/etat", h.ledgerRequestForm)
	mux.HandleFunc("POST /conventions/{id}/finances/etat", h.ledgerRequestPost)
	mux.HandleFunc("POST /finances/etats/{id}/recalculer", h.ledgerRecompute)
	mux.HandleFunc("POST /finances/etats/{id}/supprimer", h.ledgerDeleteDraft)
	mux.HandleFunc("GET /finances/etats/{id}/emettre", h.ledgerIssueConfirm)
	mux.HandleFunc("POST /finances/etats/{id}/emettre", h.ledgerIssue)
	mux.HandleFunc("GET /finances/etats/{id}/corriger", h.ledgerCorrectForm)
	mux.HandleFunc("POST /finances/etats/{id}/corriger", h.ledgerCorrectPost)
	mux.HandleFunc("GET /finances/flux/{id}/{side}", h.ledgerDocumentForm)
	mux.HandleFunc("POST /finances/flux/{id}/{side}", h.ledgerDocumentSave)
	mux.HandleFunc("POST /finances/couts-seuls", h.ledgerStandaloneSave)
	mux.HandleFunc("GET /finances/comptes", h.ledgerAccounts)
	mux.HandleFunc("POST /finances/comptes", h.ledgerAccountsSave)
}

// ---------------------------------------------------------------------
// Errors of the finance forms.

// ledgerErrors is the error summary of a finance form: its message and the
// fields at fault, each with the id of its input (f-…) and a French label.
type ledgerErrors struct {
	Message string
	Fields  []fieldError
	byID    map[string]string
}

// For returns the message of the input id, for aria-describedby.
func (e *ledgerErrors) For(id string) string {
	if e == nil {
		return ""
	}
	return e.byID[id]
}

// ledgerFormErrors turns err into the summary of a form whose inputs are
// known by known (an id the form lacks links to the nearest one it has,
// or to the form's first field, first).
func ledgerFormErrors(err error, known func(id string) bool, first string) (*ledgerErrors, int) {
	p := problem.From(err)
	e := &ledgerErrors{Message: p.Message, byID: map[string]string{}}
	for _, f := range p.Fields {
		id, label := ledgerFieldID(f.Name), ledgerFieldLabel(f.Name)
		for !known(id) {
			i := strings.LastIndexByte(id, '-')
			if i <= len("f") {
				id = first
				break
			}
			id = id[:i]
		}
		e.Fields = append(e.Fields, fieldError{ID: id, Label: label, Message: f.Message})
		if _, seen := e.byID[id]; !seen {
			e.byID[id] = f.Message
		}
	}
	return e, p.Status
}

// ledgerFieldID is the id of the input of a domain field:
// "terms.fixed[0].amount" → "f-fixed-0-amount".
func ledgerFieldID(name string) string {
	name = strings.TrimPrefix(name, "terms.")
	if name == "terms" {
		name = "mode"
	}
	r := strings.NewReplacer("[", "-", "]", "", ".", "-")
	return "f-" + r.Replace(name)
}

// ledgerLabels name the inputs of the finance forms, by id without "f-"
// and with row numbers as "*".
var ledgerLabels = map[string]string{
	"mode": "Mode financier", "creditor": "Créancier", "parties": "Parties qui supportent le coût", "parties-*": "Partie",
	"object": "Objet des titres", "period_months": "Périodicité", "usage_unit": "Unité des usages", "settlement": "Règlement",
	"fixed": "Prix forfaitaires", "fixed-*-party": "Partie du forfait", "fixed-*-label": "Libellé du forfait", "fixed-*-amount": "Montant du forfait",
	"unit_price": "Coût unitaire", "unit_price-rule-unit_cost": "Coût unitaire notifié", "unit_price-rule-rounding": "Arrondi des lignes",
	"unit_price-rule-round_unit_cost_first": "Arrondi du coût unitaire", "unit_price-rule-unit": "Unité",
	"unit_price-basis": "Calcul du coût unitaire", "unit_price-basis-lines": "Dépenses du compte administratif",
	"unit_price-basis-lines-*-label": "Libellé de la dépense", "unit_price-basis-lines-*-amount": "Montant de la dépense",
	"unit_price-basis-budget_update": "Actualisation du budget primitif", "unit_price-basis-units": "Unités prévisionnelles",
	"unit_price-unit_weights-*-type": "Type d'unité", "unit_price-unit_weights-*-weight": "Pondération",
	"key": "Clé de répartition", "key-kind": "Nature de la clé", "key-measure": "Mesure", "key-vintage": "Millésime", "key-source": "Source",
	"key-figures": "Valeurs par partie", "key-figures-*": "Valeur de la partie", "key-figures-*-value": "Valeur de la partie",
	"key-unit_weights-*-type": "Type d'usage", "key-unit_weights-*-weight": "Pondération", "key-advanced": "Clé avancée (JSON)",
	"secondment": "Mise à disposition", "secondment-cost_lines": "Rémunération et charges",
	"secondment-cost_lines-*-label": "Libellé de la ligne de paie", "secondment-cost_lines-*-amount": "Montant de la ligne de paie",
	"secondment-quotite": "Quotité", "secondment-rounding": "Arrondi du remboursement",
	"calls": "Appels de fonds", "calls-estimate": "Coût prévisionnel", "calls-calls-*-label": "Libellé de l'appel",
	"calls-calls-*-share": "Part de l'appel", "calls-calls-*-due": "Échéance de l'appel",
	"from": "Premier jour", "to": "Dernier jour", "label": "Libellé de la période", "call": "Appel de fonds", "final": "Décompte final",
	"cost_lines": "Dépenses de la période", "cost_lines-*-label": "Libellé de la dépense", "cost_lines-*-amount": "Montant de la dépense",
	"receipts": "Recettes", "receipts-*-label": "Libellé de la recette", "receipts-*-amount": "Montant de la recette",
	"units": "Unités", "units-*-party": "Partie", "units-*-type": "Type d'unité", "units-*-units": "Unités",
	"reason": "Motif de la correction", "agreement": "Convention", "agreement_id": "Convention", "status": "État", "id": "État",
	"reference": "Numéro", "date": "Date", "account": "Compte", "side": "Document",
	"standalone_cost": "Coût sans coopération", "own_cost": "Dépenses propres", "note": "Note", "org_id": "Organisation", "year": "Exercice",
	"instrument": "Nature de convention", "counterparty": "Relation", "rules": "Table des comptes",
}

// ledgerFieldLabel names a domain field in French: "terms.fixed[1].amount"
// → "Montant du forfait (ligne 2)".
func ledgerFieldLabel(name string) string {
	id := strings.TrimPrefix(ledgerFieldID(name), "f-")
	id = strings.TrimPrefix(id, "rules-")
	var row string
	parts := strings.Split(id, "-")
	for i, p := range parts {
		if n, err := strconv.Atoi(p); err == nil {
			parts[i] = "*"
			if row == "" {
				row = fmt.Sprintf(" (ligne %d)", n+1)
			}
		}
	}
	key := strings.Join(parts, "-")
	for key != "" {
		if l, ok := ledgerLabels[key]; ok {
			return l + row
		}
		i := strings.LastIndexByte(key, '-')
		if i < 0 {
			break
		}
		key = key[:i]
	}
	return "Conditions financières"
}

// ---------------------------------------------------------------------
// Reading forms.

// formReader reads the fields of a posted form, collecting the errors of
// malformed values under their domain names.
type formReader struct {
	r    *http.Request
	errs validate.Errors
}

func (f *formReader) text(name string) string { return strings.TrimSpace(f.r.PostFormValue(name)) }

func (f *formReader) checked(name string) bool { return f.r.PostFormValue(name) != "" }

// formValue reads input name through parse; empty is T's zero value, and a
// value parse refuses calls bad with it quoted.
func formValue[T any](f *formReader, name string, parse func(string) (T, error), bad func(quoted string)) T {
	s := f.text(name)
	if s == "" {
		var zero T
		return zero
	}
	v, err := parse(s)
	if err != nil {
		bad(validate.Quote(s))
	}
	return v
}

// cents reads an amount ("1 234,56"); empty is 0.
func (f *formReader) cents(name, field string) money.Cents {
	return formValue(f, name, money.Parse, func(q string) {
		f.errs.Add(field, "montant invalide : %s (écrivez par exemple 1 234,56)", q)
	})
}

// rat reads an exact number ("12,5", "3/7", "30 %"); empty is zero.
func (f *formReader) rat(name, field string) money.Rat {
	return formValue(f, name, money.ParseRat, func(q string) {
		f.errs.Add(field, "nombre invalide : %s (écrivez par exemple 12,5 ou 3/7 ou 30 %%)", q)
	})
}

func (f *formReader) date(name, field string) civil.Date {
	return formValue(f, name, civil.Parse, func(q string) { f.errs.Add(field, "date invalide : %s (format 2026-07-01)", q) })
}

func (f *formReader) int(name, field string) int {
	s := f.text(name)
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		f.errs.Add(field, "nombre entier attendu, pas %s", validate.Quote(s))
	}
	return n
}

func (f *formReader) id(name, field string) int64 {
	s := f.text(name)
	if s == "" {
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		f.errs.Add(field, "choix invalide")
	}
	return n
}

// maxRows caps the rows of a table of inputs a form may post.
const maxRows = 40

// rowsOf returns the indices of the posted rows named prefix.N.* that have
// a value in one of fields.
func (f *formReader) rowsOf(prefix string, fields ...string) []int {
	var out []int
	for i := range maxRows {
		for _, fl := range fields {
			if f.text(fmt.Sprintf("%s.%d.%s", prefix, i, fl)) != "" {
				out = append(out, i)
				break
			}
		}
	}
	return out
}

// costRow is one cost line of a form.
type costRow struct {
	Index    int
	Label    string
	Amount   string
	Eligible bool
	Reason   string
}

func costRows(lines []money.CostLine, blank int) []costRow {
	var out []costRow
	for i, l := range lines {
		out = append(out, costRow{Index: i, Label: l.Label, Amount: l.Amount.French(), Eligible: l.Eligible, Reason: l.Reason})
	}
	for i := len(out); i < len(lines)+blank; i++ {
		out = append(out, costRow{Index: i, Eligible: true})
	}
	return out
}

// costLines reads the cost lines prefix.N.{label,amount,eligible,reason};
// field names them in errors ("cost_lines").
func (f *formReader) costLines(prefix, field string) ([]money.CostLine, []costRow) {
	var lines []money.CostLine
	var rows []costRow
	for _, i := range f.rowsOf(prefix, "label", "amount") {
		n := len(lines)
		name := func(s string) string { return fmt.Sprintf("%s.%d.%s", prefix, i, s) }
		row := costRow{Index: n, Label: f.text(name("label")), Amount: f.text(name("amount")), Eligible: f.checked(name("eligible")),
			Reason: f.text(name("reason"))}
		rows = append(rows, row)
		if row.Amount == "" {
			f.errs.Add(fmt.Sprintf("%s[%d].amount", field, n), "indiquez le montant")
		}
		lines = append(lines, money.CostLine{Label: row.Label, Amount: f.cents(name("amount"), fmt.Sprintf("%s[%d].amount", field, n)),
			Eligible: row.Eligible, Reason: row.Reason})
	}
	for i := len(rows); i < len(lines)+2; i++ {
		rows = append(rows, costRow{Index: i, Eligible: true})
	}
	return lines, rows
}

// ratText writes an exact number so that it reads back the same: a French
// decimal when it has one of at most eight places, else a fraction.
func ratText(x money.Rat) string {
	if x.Sign() == 0 {
		return ""
	}
	den, p := x.Denom(), big.NewInt(1)
	for k := 0; k <= 8; k++ {
		if new(big.Int).Mod(p, den).Sign() == 0 {
			return strings.ReplaceAll(x.French(k), "\u202f", " ")
		}
		p.Mul(p, big.NewInt(10))
	}
	return x.String()
}

// ratPercent writes a share as a percentage when exact ("30 %"), else as
// a fraction.
func ratPercent(x money.Rat) string {
	if x.Sign() == 0 {
		return ""
	}
	p := x.Mul(money.IntRat(100))
	if s := ratText(p); !strings.Contains(s, "/") {
		return s + " %"
	}
	return x.String()
}

// safeReturn keeps a local return path of the finance pages, else def.
func safeReturn(s, def string) string {
	if strings.HasPrefix(s, "/") && !strings.HasPrefix(s, "//") && !strings.ContainsAny(s, "\\\r\n") &&
		(strings.HasPrefix(s, "/finances") || strings.HasPrefix(s, "/conventions/")) {
		return s
	}
	return def
}

// ---------------------------------------------------------------------
// A convention's finances.

// conventionFinances is the page of a convention's finances.
type conventionFinances struct {
	Agreement  agreement.Record
	Terms      *ledger.TermsRecord
	Summary    []string
	Creditor   string
	CanWrite   bool
	Statements []ledger.Statement
}

// creditorOf returns the creditor of convention rec: the terms', else the
// party holding the kind's creditor role.
func creditorOf(rec agreement.Record, tr *ledger.TermsRecord) int64 {
	if tr != nil {
		return tr.Terms.Creditor
	}
	role, _ := ledger.CreditorRole(rec.Agreement.Kind)
	for _, p := range rec.Agreement.Parties {
		if p.Role == role {
			return p.OrgID
		}
	}
	return 0
}

func partyNames(rec agreement.Record) map[int64]string {
	names := map[int64]string{}
	for _, p := range rec.Agreement.Parties {
		names[p.OrgID] = p.Name
	}
	return names
}

// termsOf reads convention id's terms: nil when none are recorded.
func (h *Handler) termsOf(r *http.Request, a auth.Actor, id int64) (*ledger.TermsRecord, error) {
	tr, err := h.ledger.Terms(r.Context(), a, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &tr, nil
}

var ledgerFlashes = map[string]string{
	"conditions": "Les conditions financières sont enregistrées.",
	"brouillon":  "Le brouillon de l'état est enregistré : vérifiez-le, puis émettez-le.",
	"recalcule":  "Le brouillon est recalculé avec les données du jour.",
	"supprime":   "Le brouillon est supprimé.",
	"emis":       "L'état est émis : ses données sont figées et ses flux bruts créés. Enregistrez les titres et mandats quand ils sont émis.",
	"corrige":    "La version corrigée est émise ; la précédente est conservée, remplacée.",
	"document":   "Le document est enregistré.",
	"cout":       "Le coût sans coopération est enregistré.",
	"comptes":    "La table des comptes est enregistrée.",
}

func flashOf(r *http.Request) string { return ledgerFlashes[r.URL.Query().Get("fait")] }

// ledgerConvention shows convention {id}'s finances: its terms and its
// statements, with the actions the user may take.
func (h *Handler) ledgerConvention(w http.ResponseWriter, r *http.Request) {
	a, rec, ok := h.agreementRecord(w, r)
	if !ok {
		return
	}
	tr, err := h.termsOf(r, a, rec.ID)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	ss, err := h.ledger.Statements(r.Context(), a, rec.ID)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	names := partyNames(rec)
	d := conventionFinances{Agreement: rec, Terms: tr, Statements: ss}
	cr := creditorOf(rec, tr)
	d.Creditor, d.CanWrite = names[cr], canWrite(a, cr)
	if tr != nil {
		d.Summary = termsSummary(tr.Terms, names)
	}
	pg := newPage(r, "Finances de la convention "+rec.Reference, "finances", d)
	pg.Flash = flashOf(r)
	h.render(w, r, http.StatusOK, "ledger_convention", pg)
}

var keyKindNames = map[money.KeyKind]string{
	money.KeyPopulation: "population (Insee ou DGF)",
	money.KeyUsage:      "usage constaté (heures, unités, actes pondérés)",
	money.KeyEqual:      "parts égales",
	money.KeyFixed:      "parts fixes (fractions ou pourcentages)",
	money.KeyValue:      "valeur par partie (potentiel financier, km de voirie…)",
	money.KeyMix:        "clé mixte (pondération de plusieurs clés)",
}

var measureNames = map[string]string{
	money.PopulationMunicipale: "population municipale", money.PopulationTotale: "population totale", money.PopulationDGF: "population DGF",
}

// termsSummary says terms t in French, line by line.
func termsSummary(t ledger.Terms, names map[int64]string) []string {
	name := func(id int64) string {
		if n, ok := names[id]; ok {
			return n
		}
		return fmt.Sprintf("organisation n° %d", id)
	}
	var parties []string
	for _, p := range t.Parties {
		parties = append(parties, name(p))
	}
	out := []string{
		"Mode : " + t.Mode.Label() + ".",
		"Créancier (qui facture) : " + name(t.Creditor) + ".",
		"Parties qui supportent le coût, dans l'ordre de la convention : " + strings.Join(parties, ", ") + ".",
	}
	if t.Object != "" {
		out = append(out, "Objet des titres : « "+t.Object+" ».")
	}
	if t.PeriodMonths > 0 {
		out = append(out, fmt.Sprintf("Périodicité : %d mois au plus par état.", t.PeriodMonths))
	}
	if t.UsageUnit != "" {
		out = append(out, "Unité des usages enregistrés : "+t.UsageUnit+".")
	}
	if t.Settlement == ledger.SettleAgainstAC {
		out = append(out, "Règlement : imputation sur l'attribution de compensation (CGCT L5211-4-2) ; ni titre ni mandat.")
	} else {
		out = append(out, "Règlement : titre de recettes du créancier, mandat de chaque débiteur.")
	}
	if k := t.Key; k != nil {
		line := "Clé de répartition : " + keyKindNames[k.Kind]
		if k.Label != "" {
			line += " — « " + k.Label + " »"
		}
		if m := measureNames[k.Measure]; m != "" {
			line += ", " + m
		} else if k.Measure != "" {
			line += ", " + k.Measure
		}
		if k.Vintage != "" {
			line += " " + k.Vintage
		}
		if k.Source != "" {
			line += " (" + k.Source + ")"
		}
		var figs []string
		for _, f := range k.Figures {
			id, _ := strconv.ParseInt(f.Party, 10, 64)
			v := ratText(f.Value)
			if k.Kind == money.KeyFixed {
				v = ratPercent(f.Value)
			}
			figs = append(figs, name(id)+" "+v)
		}
		if len(figs) > 0 {
			line += " : " + strings.Join(figs, " ; ")
		}
		if len(k.Parts) > 0 {
			line += fmt.Sprintf(" (%d composantes)", len(k.Parts))
		}
		out = append(out, line+".")
	}
	if up := t.UnitPrice; up != nil {
		unit := up.Rule.Unit
		if unit == "" {
			unit = "unité"
		}
		if up.Basis != nil {
			var eligible money.Cents
			for _, l := range up.Basis.Lines {
				if l.Eligible {
					eligible += l.Amount
				}
			}
			out = append(out, fmt.Sprintf("Coût unitaire calculé selon CGCT D5211-16 : dépenses retenues %s%s, actualisation %s, sur %s unités prévisionnelles.",
				eligible, sourceSuffix(up.Basis.Source), up.Basis.BudgetUpdate, ratText(up.Basis.Units)))
		} else {
			out = append(out, fmt.Sprintf("Coût unitaire : %s € par %s.", ratText(up.Rule.UnitCost), unit))
		}
		out = append(out, "Arrondi de chaque ligne : "+up.Rule.Rounding.French()+".")
		if up.Rule.RoundUnitCostFirst {
			out = append(out, "Le coût unitaire est arrondi au centime avant d'être multiplié.")
		} else {
			out = append(out, "Le coût unitaire n'est pas arrondi avant d'être multiplié.")
		}
		if len(up.UnitWeights) > 0 {
			out = append(out, "Pondérations : "+weightsText(up.UnitWeights)+".")
		}
	}
	if s := t.Secondment; s != nil {
		var total money.Cents
		for _, l := range s.CostLines {
			if l.Eligible {
				total += l.Amount
			}
		}
		out = append(out, fmt.Sprintf("Rémunération et charges annuelles retenues : %s ; quotité %s ; %s.", total, ratPercent(s.Quotite), s.Rounding.French()))
	}
	for _, f := range t.Fixed {
		line := fmt.Sprintf("Forfait de %s dû par %s", f.Amount, name(f.Party))
		if f.Label != "" {
			line += " (" + f.Label + ")"
		}
		out = append(out, line+" pour chaque état.")
	}
	if c := t.Calls; c != nil {
		var calls []string
		for i, call := range c.Calls {
			s := fmt.Sprintf("n° %d « %s » %s", i+1, call.Label, ratPercent(call.Share))
			if !call.Due.IsZero() {
				s += " au " + frenchDate(call.Due)
			}
			calls = append(calls, s)
		}
		out = append(out, fmt.Sprintf("Coût prévisionnel de l'ouvrage : %s ; appels de fonds : %s.", c.Estimate, strings.Join(calls, " ; ")))
	}
	return out
}

func sourceSuffix(s string) string {
	if s == "" {
		return ""
	}
	return " (" + s + ")"
}

func weightsText(ws []money.UnitWeight) string {
	var out []string
	for _, w := range ws {
		out = append(out, w.Type+" × "+ratText(w.Weight))
	}
	return strings.Join(out, ", ")
}

// ---------------------------------------------------------------------
// The form of a convention's financial terms.

// partyCheck is a party that may bear the cost, checked when it does.
type partyCheck struct {
	Index   int
	ID      int64
	Name    string
	Checked bool
}

type fixedRow struct {
	Index                int
	Party, Label, Amount string
}

type weightRow struct {
	Index        int
	Type, Weight string
}

type figureRow struct {
	Index int
	Party int64
	Name  string
	Value string
}

type callRow struct {
	Index             int
	Label, Share, Due string
}

// termsForm is the form of a convention's financial terms: structured
// fields with French labels for every mode, and for the keys the form
// cannot say (a mix of keys) a JSON text, "avancé".
type termsForm struct {
	Agreement agreement.Record
	Version   int64
	Mode      agreement.FinancialMode
	ModeFixed bool     // the convention states the mode
	Modes     []option // when it does not
	Creditors []option
	Parties   []partyCheck
	// Bearers are the parties a fixed price may name.
	Bearers                   []option
	Object, Period, UsageUnit string
	ShowSettlement            bool
	Settlement                string
	Fixed                     []fixedRow
	// Unit price.
	UnitCost, Unit, Rounding                            string
	RoundFirst, UseBasis                                bool
	BasisSource, BudgetUpdate, BudgetReason, BasisUnits string
	BasisUnit                                           string
	BasisLines                                          []costRow
	Weights                                             []weightRow
	// Key.
	KeyKind, KeyLabel, KeyMeasure, KeyPopulation, KeySource, KeyVintage string
	Figures                                                             []figureRow
	KeyWeights                                                          []weightRow
	KeyAdvanced                                                         string
	// Secondment.
	SalaryLines             []costRow
	Quotite, SalaryRounding string
	MonthlyFirst            bool
	// Calls for funds.
	Estimate string
	Calls    []callRow
	Errors   *ledgerErrors
}

// Shows reports whether the form shows the section of a mode.
func (f *termsForm) Shows(section string) bool {
	switch section {
	case "key":
		return f.Mode == agreement.ActualCostByKey || f.Mode == agreement.CallsForFunds
	case "fixed":
		return f.Mode == agreement.FixedPrice
	case "unit":
		return f.Mode == agreement.UnitPrice
	case "secondment":
		return f.Mode == agreement.SalaryProRata
	case "calls":
		return f.Mode == agreement.CallsForFunds
	}
	return false
}

// known reports whether the form has an input (or a fieldset) with id.
func (f *termsForm) known(id string) bool {
	switch id {
	case "f-mode", "f-creditor", "f-parties", "f-object", "f-period_months", "f-usage_unit":
		return true
	case "f-settlement":
		return f.ShowSettlement
	}
	rows := func(prefix string, n int, cols ...string) bool {
		for i := range n {
			for _, c := range cols {
				if id == fmt.Sprintf("%s-%d-%s", prefix, i, c) {
					return true
				}
			}
		}
		return false
	}
	switch {
	case strings.HasPrefix(id, "f-parties-"):
		n, err := strconv.Atoi(strings.TrimPrefix(id, "f-parties-"))
		return err == nil && n < len(f.Parties)
	case strings.HasPrefix(id, "f-fixed"):
		return f.Shows("fixed") && (id == "f-fixed" || rows("f-fixed", len(f.Fixed), "party", "label", "amount"))
	case strings.HasPrefix(id, "f-unit_price"):
		if !f.Shows("unit") {
			return false
		}
		switch id {
		case "f-unit_price", "f-unit_price-rule-unit_cost", "f-unit_price-rule-unit", "f-unit_price-rule-rounding",
			"f-unit_price-rule-round_unit_cost_first", "f-unit_price-basis", "f-unit_price-basis-source", "f-unit_price-basis-lines",
			"f-unit_price-basis-budget_update", "f-unit_price-basis-units":
			return true
		}
		return rows("f-unit_price-basis-lines", len(f.BasisLines), "label", "amount") || rows("f-unit_price-unit_weights", len(f.Weights), "type", "weight")
	case strings.HasPrefix(id, "f-key"):
		if !f.Shows("key") {
			return false
		}
		switch id {
		case "f-key", "f-key-kind", "f-key-label", "f-key-measure", "f-key-population", "f-key-source", "f-key-vintage", "f-key-figures", "f-key-advanced":
			return true
		}
		if n, err := strconv.Atoi(strings.TrimPrefix(id, "f-key-figures-")); err == nil {
			return n < len(f.Figures)
		}
		return rows("f-key-unit_weights", len(f.KeyWeights), "type", "weight")
	case strings.HasPrefix(id, "f-secondment"):
		return f.Shows("secondment") && (id == "f-secondment" || id == "f-secondment-cost_lines" || id == "f-secondment-quotite" ||
			id == "f-secondment-rounding" || rows("f-secondment-cost_lines", len(f.SalaryLines), "label", "amount"))
	case strings.HasPrefix(id, "f-calls"):
		return f.Shows("calls") && (id == "f-calls" || id == "f-calls-estimate" || rows("f-calls-calls", len(f.Calls), "label", "share", "due"))
	}
	return false
}

func weightRows(ws []money.UnitWeight, blank int) []weightRow {
	var out []weightRow
	for i, w := range ws {
		out = append(out, weightRow{Index: i, Type: w.Type, Weight: ratText(w.Weight)})
	}
	for i := len(out); i < len(ws)+blank; i++ {
		out = append(out, weightRow{Index: i})
	}
	return out
}

// newTermsForm returns the form of convention rec's terms, filled from t
// (nil for a convention without terms yet) and mode.
func newTermsForm(rec agreement.Record, tr *ledger.TermsRecord, mode agreement.FinancialMode) *termsForm {
	a := rec.Agreement
	f := &termsForm{Agreement: rec, Mode: a.Financial.Mode, ModeFixed: a.Financial.Mode != "", Rounding: string(money.RoundHalfUp),
		SalaryRounding: string(money.RoundHalfUp), ShowSettlement: a.Kind == agreement.ServiceCommun, KeyKind: string(money.KeyEqual),
		KeyPopulation: money.PopulationMunicipale}
	var t ledger.Terms
	if tr != nil {
		f.Version, t = tr.Version, tr.Terms
	}
	if !f.ModeFixed {
		f.Mode = t.Mode
		if mode != "" {
			f.Mode = mode
		}
		spec, _ := agreement.Lookup(a.Kind)
		for _, m := range spec.FinancialModes {
			if m != agreement.NoFlow {
				if f.Mode == "" {
					f.Mode = m
				}
				f.Modes = append(f.Modes, option{Value: string(m), Label: capitalize(m.Label()), Selected: m == f.Mode})
			}
		}
	}
	creditorRole, _ := ledger.CreditorRole(a.Kind)
	bearers := ledger.BearerRoles(a.Kind)
	seen := map[int64]bool{}
	for _, p := range a.Parties {
		if p.Role == creditorRole {
			f.Creditors = append(f.Creditors, option{Value: strconv.FormatInt(p.OrgID, 10), Label: p.Name, Selected: p.OrgID == t.Creditor})
		}
		if slices.Contains(bearers, p.Role) && !seen[p.OrgID] {
			seen[p.OrgID] = true
			checked := len(t.Parties) == 0 || slices.Contains(t.Parties, p.OrgID)
			f.Parties = append(f.Parties, partyCheck{Index: len(f.Parties), ID: p.OrgID, Name: p.Name, Checked: checked})
			f.Bearers = append(f.Bearers, option{Value: strconv.FormatInt(p.OrgID, 10), Label: p.Name})
		}
	}
	f.Object, f.UsageUnit, f.Settlement = t.Object, t.UsageUnit, string(t.Settlement)
	if t.PeriodMonths > 0 {
		f.Period = strconv.Itoa(t.PeriodMonths)
	}
	for i, l := range t.Fixed {
		f.Fixed = append(f.Fixed, fixedRow{Index: i, Party: strconv.FormatInt(l.Party, 10), Label: l.Label, Amount: l.Amount.French()})
	}
	for i, p := range f.Parties {
		if i >= len(t.Fixed) && len(t.Fixed) == 0 {
			f.Fixed = append(f.Fixed, fixedRow{Index: i, Party: strconv.FormatInt(p.ID, 10)})
		}
	}
	f.Fixed = append(f.Fixed, fixedRow{Index: len(f.Fixed)})
	var basisLines []money.CostLine
	var weights []money.UnitWeight
	if up := t.UnitPrice; up != nil {
		f.UnitCost, f.Unit, f.Rounding, f.RoundFirst = ratText(up.Rule.UnitCost), up.Rule.Unit, string(up.Rule.Rounding), up.Rule.RoundUnitCostFirst
		if b := up.Basis; b != nil {
			f.UseBasis, f.BasisSource, f.BudgetReason, f.BasisUnits, f.BasisUnit = true, b.Source, b.BudgetUpdateReason, ratText(b.Units), b.Unit
			if b.BudgetUpdate != 0 {
				f.BudgetUpdate = b.BudgetUpdate.French()
			}
			basisLines = b.Lines
		}
		weights = up.UnitWeights
	}
	if a.Kind == agreement.FraisScolarite && t.UnitPrice == nil {
		f.RoundFirst = a.SchoolCosts.RoundUnitCostFirst
	}
	f.BasisLines, f.Weights = costRows(basisLines, 3), weightRows(weights, 2)
	var keyWeights []money.UnitWeight
	figures := map[string]string{}
	if k := t.Key; k != nil {
		f.KeyKind, f.KeyLabel, f.KeySource, f.KeyVintage = string(k.Kind), k.Label, k.Source, k.Vintage
		if k.Kind == money.KeyPopulation {
			f.KeyPopulation = k.Measure
		} else {
			f.KeyMeasure = k.Measure
		}
		for _, fig := range k.Figures {
			figures[fig.Party] = ratText(fig.Value)
			if k.Kind == money.KeyFixed {
				figures[fig.Party] = ratPercent(fig.Value)
			}
		}
		keyWeights = k.UnitWeights
		if k.Kind == money.KeyMix || len(k.Usage) > 0 {
			if b, err := jsonIndent(k); err == nil {
				f.KeyAdvanced = b
			}
		}
	}
	for i, p := range f.Parties {
		f.Figures = append(f.Figures, figureRow{Index: i, Party: p.ID, Name: p.Name, Value: figures[strconv.FormatInt(p.ID, 10)]})
	}
	f.KeyWeights = weightRows(keyWeights, 2)
	var salary []money.CostLine
	if s := t.Secondment; s != nil {
		salary, f.Quotite, f.SalaryRounding, f.MonthlyFirst = s.CostLines, ratPercent(s.Quotite), string(s.Rounding), s.RoundMonthlyFirst
	}
	f.SalaryLines = costRows(salary, 3)
	var calls []ledger.Call
	if c := t.Calls; c != nil {
		f.Estimate = c.Estimate.French()
		calls = c.Calls
	}
	for i, c := range calls {
		row := callRow{Index: i, Label: c.Label, Share: ratPercent(c.Share)}
		if !c.Due.IsZero() {
			row.Due = c.Due.String()
		}
		f.Calls = append(f.Calls, row)
	}
	for i := len(f.Calls); i < len(calls)+3; i++ {
		f.Calls = append(f.Calls, callRow{Index: i})
	}
	return f
}

// readTerms reads the posted terms form into f (to show again) and the
// terms it says.
func readTerms(r *http.Request, f *termsForm) (ledger.Terms, error) {
	in := &formReader{r: r}
	var t ledger.Terms
	if !f.ModeFixed {
		f.Mode = agreement.FinancialMode(in.text("mode"))
		for i := range f.Modes {
			f.Modes[i].Selected = f.Modes[i].Value == string(f.Mode)
		}
	}
	t.Mode = f.Mode
	t.Creditor = in.id("creditor", "terms.creditor")
	for i := range f.Creditors {
		f.Creditors[i].Selected = f.Creditors[i].Value == in.text("creditor")
	}
	for i := range f.Parties {
		f.Parties[i].Checked = in.checked(fmt.Sprintf("parties.%d", i))
		if f.Parties[i].Checked {
			t.Parties = append(t.Parties, f.Parties[i].ID)
		}
	}
	if len(t.Parties) == 0 {
		in.errs.Add("terms.parties", "cochez au moins une partie qui supporte le coût")
	}
	f.Object, f.Period, f.UsageUnit = in.text("object"), in.text("period_months"), in.text("usage_unit")
	t.Object, t.UsageUnit, t.PeriodMonths = f.Object, f.UsageUnit, in.int("period_months", "terms.period_months")
	if f.ShowSettlement {
		f.Settlement = in.text("settlement")
		t.Settlement = ledger.Settlement(f.Settlement)
	}
	switch {
	case f.Shows("fixed"):
		f.Fixed = nil
		for _, i := range in.rowsOf("fixed", "amount", "label") {
			n := len(t.Fixed)
			name := func(s string) string { return fmt.Sprintf("fixed.%d.%s", i, s) }
			row := fixedRow{Index: n, Party: in.text(name("party")), Label: in.text(name("label")), Amount: in.text(name("amount"))}
			f.Fixed = append(f.Fixed, row)
			line := ledger.FixedLine{Party: in.id(name("party"), fmt.Sprintf("terms.fixed[%d].party", n)), Label: row.Label,
				Amount: in.cents(name("amount"), fmt.Sprintf("terms.fixed[%d].amount", n))}
			if row.Amount == "" {
				in.errs.Add(fmt.Sprintf("terms.fixed[%d].amount", n), "indiquez le montant")
			}
			t.Fixed = append(t.Fixed, line)
		}
		f.Fixed = append(f.Fixed, fixedRow{Index: len(f.Fixed)})
	case f.Shows("unit"):
		up := &ledger.UnitPriceTerms{}
		f.UnitCost, f.Unit, f.Rounding, f.RoundFirst = in.text("unit_price.unit_cost"), in.text("unit_price.unit"),
			in.text("unit_price.rounding"), in.checked("unit_price.round_first")
		up.Rule = money.UnitPrice{UnitCost: in.rat("unit_price.unit_cost", "terms.unit_price.rule.unit_cost"), Unit: f.Unit,
			RoundUnitCostFirst: f.RoundFirst, Rounding: money.Rounding(f.Rounding)}
		f.UseBasis = in.checked("unit_price.use_basis")
		f.BasisSource, f.BudgetUpdate, f.BudgetReason = in.text("unit_price.basis.source"), in.text("unit_price.basis.budget_update"), in.text("unit_price.basis.budget_update_reason")
		f.BasisUnits, f.BasisUnit = in.text("unit_price.basis.units"), in.text("unit_price.basis.unit")
		lines, rows := in.costLines("unit_price.basis.lines", "terms.unit_price.basis.lines")
		f.BasisLines = rows
		if f.UseBasis {
			up.Rule.UnitCost = money.Rat{}
			up.Basis = &money.UnitCostBasis{Source: f.BasisSource, Lines: lines,
				BudgetUpdate:       in.cents("unit_price.basis.budget_update", "terms.unit_price.basis.budget_update"),
				BudgetUpdateReason: f.BudgetReason, Units: in.rat("unit_price.basis.units", "terms.unit_price.basis.units"), Unit: f.BasisUnit}
			if up.Basis.Unit == "" {
				up.Basis.Unit = f.Unit
			}
		}
		up.UnitWeights, f.Weights = readWeights(in, "unit_price.unit_weights", "terms.unit_price.unit_weights")
		t.UnitPrice = up
	case f.Shows("secondment"):
		lines, rows := in.costLines("secondment.cost_lines", "terms.secondment.cost_lines")
		f.SalaryLines = rows
		f.Quotite, f.SalaryRounding, f.MonthlyFirst = in.text("secondment.quotite"), in.text("secondment.rounding"), in.checked("secondment.round_monthly_first")
		t.Secondment = &ledger.SecondmentTerms{CostLines: lines, Quotite: in.rat("secondment.quotite", "terms.secondment.quotite"),
			Rounding: money.Rounding(f.SalaryRounding), RoundMonthlyFirst: f.MonthlyFirst}
	}
	if f.Shows("key") {
		t.Key = readKey(in, f)
	}
	if f.Shows("calls") {
		f.Estimate = in.text("calls.estimate")
		c := &ledger.CallsTerms{Estimate: in.cents("calls.estimate", "terms.calls.estimate")}
		f.Calls = nil
		for _, i := range in.rowsOf("calls.calls", "label", "share") {
			n := len(c.Calls)
			name := func(s string) string { return fmt.Sprintf("calls.calls.%d.%s", i, s) }
			row := callRow{Index: n, Label: in.text(name("label")), Share: in.text(name("share")), Due: in.text(name("due"))}
			f.Calls = append(f.Calls, row)
			c.Calls = append(c.Calls, ledger.Call{Label: row.Label, Share: in.rat(name("share"), fmt.Sprintf("terms.calls.calls[%d].share", n)),
				Due: in.date(name("due"), fmt.Sprintf("terms.calls.calls[%d].due", n))})
		}
		for i := len(f.Calls); i < len(c.Calls)+2; i++ {
			f.Calls = append(f.Calls, callRow{Index: i})
		}
		t.Calls = c
	}
	return t, in.errs.Err()
}

// readWeights reads the rows prefix.N.{type,weight}.
func readWeights(in *formReader, prefix, field string) ([]money.UnitWeight, []weightRow) {
	var ws []money.UnitWeight
	var rows []weightRow
	for _, i := range in.rowsOf(prefix, "type", "weight") {
		n := len(ws)
		name := func(s string) string { return fmt.Sprintf("%s.%d.%s", prefix, i, s) }
		row := weightRow{Index: n, Type: in.text(name("type")), Weight: in.text(name("weight"))}
		rows = append(rows, row)
		ws = append(ws, money.UnitWeight{Type: row.Type, Weight: in.rat(name("weight"), fmt.Sprintf("%s[%d].weight", field, n))})
	}
	for i := len(rows); i < len(ws)+2; i++ {
		rows = append(rows, weightRow{Index: i})
	}
	return ws, rows
}

// readKey reads the key's fields, or its JSON text when given (the only
// way to write a mix of keys).
func readKey(in *formReader, f *termsForm) *money.Key {
	f.KeyAdvanced = in.text("key.advanced")
	if f.KeyAdvanced != "" {
		var k money.Key
		if err := decodeStrict(f.KeyAdvanced, &k); err != nil {
			in.errs.Add("terms.key.advanced", "la clé avancée n'est pas un JSON de clé valide : %s", err)
			return nil
		}
		f.KeyKind = string(k.Kind)
		return &k
	}
	f.KeyKind, f.KeyLabel, f.KeyMeasure = in.text("key.kind"), in.text("key.label"), in.text("key.measure")
	f.KeyPopulation, f.KeySource, f.KeyVintage = in.text("key.population"), in.text("key.source"), in.text("key.vintage")
	k := &money.Key{Kind: money.KeyKind(f.KeyKind), Label: f.KeyLabel}
	switch k.Kind {
	case money.KeyPopulation:
		k.Measure, k.Source, k.Vintage = f.KeyPopulation, f.KeySource, f.KeyVintage
	case money.KeyUsage:
		k.Measure = f.KeyMeasure
		k.UnitWeights, f.KeyWeights = readWeights(in, "key.unit_weights", "terms.key.unit_weights")
	case money.KeyValue:
		k.Measure, k.Source, k.Vintage = f.KeyMeasure, f.KeySource, f.KeyVintage
	case money.KeyMix:
		in.errs.Add("terms.key.advanced", "une clé mixte s'écrit dans le champ « clé avancée (JSON) »")
	case money.KeyEqual, money.KeyFixed:
	default:
		in.errs.Add("terms.key.kind", "choisissez la nature de la clé")
	}
	for i := range f.Figures {
		name := fmt.Sprintf("key.figures.%d", i)
		f.Figures[i].Value = in.text(name)
		if f.Figures[i].Value == "" || k.Kind == money.KeyEqual || k.Kind == money.KeyUsage {
			continue
		}
		k.Figures = append(k.Figures, money.Figure{Party: strconv.FormatInt(f.Figures[i].Party, 10), Value: in.rat(name, fmt.Sprintf("terms.key.figures[%d]", i))})
	}
	return k
}

// ledgerTermsForm shows the form of convention {id}'s financial terms to
// the creditor; ?mode= chooses the mode of a convention that states none.
func (h *Handler) ledgerTermsForm(w http.ResponseWriter, r *http.Request) {
	a, rec, ok := h.agreementRecord(w, r)
	if !ok {
		return
	}
	tr, err := h.termsOf(r, a, rec.ID)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	if err := auth.Authorize(a, auth.Write, creditorOf(rec, tr)); err != nil {
		h.Fail(w, r, err)
		return
	}
	f := newTermsForm(rec, tr, agreement.FinancialMode(r.URL.Query().Get("mode")))
	h.render(w, r, http.StatusOK, "ledger_terms", newPage(r, "Conditions financières — convention "+rec.Reference, "finances", f))
}

// ledgerTermsSave records convention {id}'s financial terms.
func (h *Handler) ledgerTermsSave(w http.ResponseWriter, r *http.Request) {
	a, rec, ok := h.agreementRecord(w, r)
	if !ok {
		return
	}
	tr, err := h.termsOf(r, a, rec.ID)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	f := newTermsForm(rec, tr, "")
	version, _ := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	f.Version = version
	t, err := readTerms(r, f)
	if err == nil {
		_, err = h.ledger.SetTerms(r.Context(), a, rec.ID, version, t)
	}
	if err != nil {
		var status int
		f.Errors, status = ledgerFormErrors(err, f.known, "f-mode")
		if status == http.StatusForbidden || status == http.StatusNotFound || status >= 500 {
			h.Fail(w, r, err)
			return
		}
		h.render(w, r, status, "ledger_terms", newPage(r, "Conditions financières — convention "+rec.Reference, "finances", f))
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/conventions/%d/finances?fait=conditions", rec.ID), http.StatusSeeOther)
}

func jsonIndent(v any) (string, error) {
	b, err := json.MarshalIndent(v, "", "  ")
	return string(b), err
}

// decodeStrict decodes one JSON value of s into v, refusing unknown fields.
func decodeStrict(s string, v any) error {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("un seul objet JSON est attendu")
	}
	return nil
}

// ---------------------------------------------------------------------
// Computing a statement, and correcting one.

type unitRow struct {
	Index              int
	Party, Type, Units string
}

// requestForm is the form that computes a statement of a convention (a
// preview, or a draft) or, with Correct, the corrected version of an
// issued statement.
type requestForm struct {
	Agreement agreement.Record
	Terms     *ledger.TermsRecord
	// Correct is the issued statement being corrected, when correcting.
	Correct                                     *ledger.Statement
	Reason                                      string
	CanWrite                                    bool
	Mode                                        agreement.FinancialMode
	From, To, Label, Call                       string
	Final                                       bool
	CostLines, Receipts                         []costRow
	Units                                       []unitRow
	Parties                                     []option
	ShowCost, ShowReceipts, ShowUnits, ShowCall bool
	Preview                                     *ledger.Statement
	Errors                                      *ledgerErrors
}

// Action is where the form posts.
func (f *requestForm) Action() string {
	if f.Correct != nil {
		return fmt.Sprintf("/finances/etats/%d/corriger", f.Correct.ID)
	}
	return fmt.Sprintf("/conventions/%d/finances/etat", f.Agreement.ID)
}

func (f *requestForm) known(id string) bool {
	switch id {
	case "f-from", "f-to", "f-label":
		return true
	case "f-reason":
		return f.Correct != nil
	case "f-call", "f-final":
		return f.ShowCall
	}
	rows := func(prefix string, n int, cols ...string) bool {
		for i := range n {
			for _, c := range cols {
				if id == fmt.Sprintf("%s-%d-%s", prefix, i, c) {
					return true
				}
			}
		}
		return false
	}
	switch {
	case strings.HasPrefix(id, "f-cost_lines"):
		return f.ShowCost && (id == "f-cost_lines" || rows("f-cost_lines", len(f.CostLines), "label", "amount"))
	case strings.HasPrefix(id, "f-receipts"):
		return f.ShowReceipts && (id == "f-receipts" || rows("f-receipts", len(f.Receipts), "label", "amount"))
	case strings.HasPrefix(id, "f-units"):
		return f.ShowUnits && (id == "f-units" || rows("f-units", len(f.Units), "party", "type", "units"))
	}
	return false
}

// usesUsage reports whether key k (or one of its components) shares by
// recorded use.
func usesUsage(k *money.Key) bool {
	if k == nil {
		return false
	}
	if k.Kind == money.KeyUsage {
		return true
	}
	for _, p := range k.Parts {
		if usesUsage(&p.Key) {
			return true
		}
	}
	return false
}

// newRequestForm returns the form of a statement of convention rec under
// terms tr, filled from req.
func newRequestForm(rec agreement.Record, tr *ledger.TermsRecord, req ledger.Request, names map[int64]string) *requestForm {
	f := &requestForm{Agreement: rec, Terms: tr, Mode: rec.Agreement.Financial.Mode, Label: req.Label, Final: req.Final}
	if !req.From.IsZero() {
		f.From = req.From.String()
	}
	if !req.To.IsZero() {
		f.To = req.To.String()
	}
	if req.Call > 0 {
		f.Call = strconv.Itoa(req.Call)
	}
	var parties []int64
	if tr != nil {
		f.Mode, parties = tr.Terms.Mode, tr.Terms.Parties
	}
	for _, p := range parties {
		f.Parties = append(f.Parties, option{Value: strconv.FormatInt(p, 10), Label: names[p]})
	}
	f.ShowCost = f.Mode == agreement.ActualCostByKey || f.Mode == agreement.CallsForFunds
	f.ShowReceipts = rec.Agreement.Kind == agreement.BiensIndivis
	f.ShowUnits = f.Mode == agreement.UnitPrice || (tr != nil && usesUsage(tr.Terms.Key) && f.Mode == agreement.ActualCostByKey)
	f.ShowCall = f.Mode == agreement.CallsForFunds
	f.CostLines, f.Receipts = costRows(req.CostLines, 3), costRows(req.Receipts, 2)
	for i, u := range req.Units {
		f.Units = append(f.Units, unitRow{Index: i, Party: strconv.FormatInt(u.Party, 10), Type: u.Type, Units: ratText(u.Units)})
	}
	if len(req.Units) == 0 {
		for i, p := range parties {
			f.Units = append(f.Units, unitRow{Index: i, Party: strconv.FormatInt(p, 10)})
		}
	}
	for i := len(f.Units); i < max(len(req.Units), len(parties))+2; i++ {
		f.Units = append(f.Units, unitRow{Index: i})
	}
	return f
}

// readRequest reads the posted statement form into f and the request it
// says.
func readRequest(r *http.Request, f *requestForm) (ledger.Request, error) {
	in := &formReader{r: r}
	req := ledger.Request{AgreementID: f.Agreement.ID}
	f.From, f.To, f.Label, f.Call, f.Final = in.text("from"), in.text("to"), in.text("label"), in.text("call"), in.checked("final")
	req.From, req.To, req.Label = in.date("from", "from"), in.date("to", "to"), f.Label
	if f.From == "" {
		in.errs.Add("from", "le premier jour de la période est obligatoire")
	}
	if f.To == "" {
		in.errs.Add("to", "le dernier jour de la période est obligatoire")
	}
	if f.ShowCall {
		req.Call, req.Final = in.int("call", "call"), f.Final
	}
	if f.ShowCost {
		req.CostLines, f.CostLines = in.costLines("cost_lines", "cost_lines")
	}
	if f.ShowReceipts {
		req.Receipts, f.Receipts = in.costLines("receipts", "receipts")
	}
	if f.ShowUnits {
		f.Units = nil
		for _, i := range in.rowsOf("units", "units") {
			n := len(req.Units)
			name := func(s string) string { return fmt.Sprintf("units.%d.%s", i, s) }
			row := unitRow{Index: n, Party: in.text(name("party")), Type: in.text(name("type")), Units: in.text(name("units"))}
			f.Units = append(f.Units, row)
			req.Units = append(req.Units, ledger.UnitEntry{Party: in.id(name("party"), fmt.Sprintf("units[%d].party", n)), Type: row.Type,
				Units: in.rat(name("units"), fmt.Sprintf("units[%d].units", n))})
		}
		for i := len(f.Units); i < max(len(req.Units), len(f.Parties))+2; i++ {
			f.Units = append(f.Units, unitRow{Index: i})
		}
	}
	if f.Correct != nil {
		f.Reason = in.text("reason")
	}
	return req, in.errs.Err()
}

// requestPage loads convention {id}, its terms and the statement form.
func (h *Handler) requestPage(w http.ResponseWriter, r *http.Request) (auth.Actor, *requestForm, bool) {
	a, rec, ok := h.agreementRecord(w, r)
	if !ok {
		return a, nil, false
	}
	tr, err := h.termsOf(r, a, rec.ID)
	if err != nil {
		h.Fail(w, r, err)
		return a, nil, false
	}
	f := newRequestForm(rec, tr, ledger.Request{}, partyNames(rec))
	f.CanWrite = canWrite(a, creditorOf(rec, tr))
	return a, f, true
}

// ledgerRequestForm shows the form that computes a statement of
// convention {id}.
func (h *Handler) ledgerRequestForm(w http.ResponseWriter, r *http.Request) {
	a, f, ok := h.requestPage(w, r)
	if !ok {
		return
	}
	if f.Terms != nil && f.Mode != agreement.CallsForFunds {
		ss, err := h.ledger.Statements(r.Context(), a, f.Agreement.ID)
		if err != nil {
			h.Fail(w, r, err)
			return
		}
		f.From, f.To = nextPeriod(f.Agreement.Agreement.Term.Start, f.Terms.Terms.PeriodMonths, ss)
	}
	h.render(w, r, http.StatusOK, "ledger_request", newPage(r, "Calculer un état — convention "+f.Agreement.Reference, "finances", f))
}

// nextPeriod proposes the period of a new statement: from the day after
// the last statement (issued and current, or draft) or from the
// convention's start, for the terms' periodicity (a year by default).
func nextPeriod(start civil.Date, months int, ss []ledger.Statement) (string, string) {
	from := start
	for _, s := range ss {
		if s.Inputs.Kind == ledger.Periodic && (s.Current() || s.Status == ledger.Draft) && !s.Inputs.To.Before(from) {
			from = s.Inputs.To.AddDays(1)
		}
	}
	if from.IsZero() {
		return "", ""
	}
	if months <= 0 {
		months = 12
	}
	return from.String(), from.AddMonths(months).AddDays(-1).String()
}

// ledgerRequestPost computes the statement of the form: "apercu" shows it
// without storing it, "brouillon" stores it as a draft.
func (h *Handler) ledgerRequestPost(w http.ResponseWriter, r *http.Request) {
	a, f, ok := h.requestPage(w, r)
	if !ok {
		return
	}
	title := "Calculer un état — convention " + f.Agreement.Reference
	req, err := readRequest(r, f)
	if err == nil {
		if r.PostFormValue("action") == "brouillon" {
			var st ledger.Statement
			if st, err = h.ledger.Draft(r.Context(), a, req); err == nil {
				http.Redirect(w, r, fmt.Sprintf("/finances/etats/%d?fait=brouillon", st.ID), http.StatusSeeOther)
				return
			}
		} else {
			var st ledger.Statement
			if st, err = h.ledger.Compute(r.Context(), a, req); err == nil {
				f.Preview = &st
				h.render(w, r, http.StatusOK, "ledger_request", newPage(r, title, "finances", f))
				return
			}
		}
	}
	h.requestFailed(w, r, f, title, err)
}

// requestFailed shows the statement form again with the errors of err.
func (h *Handler) requestFailed(w http.ResponseWriter, r *http.Request, f *requestForm, title string, err error) {
	var status int
	f.Errors, status = ledgerFormErrors(err, f.known, "f-from")
	if status == http.StatusForbidden || status == http.StatusNotFound || status >= 500 {
		h.Fail(w, r, err)
		return
	}
	h.render(w, r, status, "ledger_request", newPage(r, title, "finances", f))
}

// statementOf loads statement {id} for the request's user.
func (h *Handler) statementOf(w http.ResponseWriter, r *http.Request) (auth.Actor, ledger.Statement, bool) {
	a, ok := h.signedInActor(w, r)
	if !ok {
		return a, ledger.Statement{}, false
	}
	id, err := pathNumber(r, "id")
	if err != nil {
		h.Fail(w, r, err)
		return a, ledger.Statement{}, false
	}
	st, err := h.ledger.Statement(r.Context(), a, id)
	if err != nil {
		h.Fail(w, r, err)
		return a, ledger.Statement{}, false
	}
	return a, st, true
}

// ledgerCorrectForm shows the form of the corrected version of issued
// statement {id}, filled with its request.
func (h *Handler) ledgerCorrectForm(w http.ResponseWriter, r *http.Request) {
	a, f, ok := h.correctPage(w, r)
	if !ok {
		return
	}
	if err := auth.Authorize(a, auth.Write, f.Correct.Inputs.Creditor.OrgID); err != nil {
		h.Fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "ledger_request", newPage(r, correctTitle(f.Correct), "finances", f))
}

func correctTitle(st *ledger.Statement) string {
	return fmt.Sprintf("Corriger l'état n° %d (version %d) — convention %s", st.Number, st.Version, st.Inputs.Agreement.Reference)
}

// correctPage loads statement {id}, its convention and terms, and the form
// of its correction.
func (h *Handler) correctPage(w http.ResponseWriter, r *http.Request) (auth.Actor, *requestForm, bool) {
	a, st, ok := h.statementOf(w, r)
	if !ok {
		return a, nil, false
	}
	rec, err := h.agreement.Get(r.Context(), a, st.AgreementID)
	if err != nil {
		h.Fail(w, r, err)
		return a, nil, false
	}
	tr, err := h.termsOf(r, a, rec.ID)
	if err != nil {
		h.Fail(w, r, err)
		return a, nil, false
	}
	f := newRequestForm(rec, tr, st.Inputs.Request, partyNames(rec))
	f.Correct, f.CanWrite = &st, canWrite(a, st.Inputs.Creditor.OrgID)
	return a, f, true
}

// ledgerCorrectPost previews ("apercu") or issues ("corriger") the
// corrected version of statement {id}.
func (h *Handler) ledgerCorrectPost(w http.ResponseWriter, r *http.Request) {
	a, f, ok := h.correctPage(w, r)
	if !ok {
		return
	}
	title := correctTitle(f.Correct)
	req, err := readRequest(r, f)
	if err == nil {
		if r.PostFormValue("action") == "corriger" {
			var st ledger.Statement
			if st, err = h.ledger.Correct(r.Context(), a, f.Correct.ID, req, f.Reason); err == nil {
				http.Redirect(w, r, fmt.Sprintf("/finances/etats/%d?fait=corrige", st.ID), http.StatusSeeOther)
				return
			}
		} else {
			var st ledger.Statement
			if st, err = h.ledger.Compute(r.Context(), a, req); err == nil {
				f.Preview = &st
				h.render(w, r, http.StatusOK, "ledger_request", newPage(r, title, "finances", f))
				return
			}
		}
	}
	h.requestFailed(w, r, f, title, err)
}

// ledgerRecompute recomputes draft {id} from today's data.
func (h *Handler) ledgerRecompute(w http.ResponseWriter, r *http.Request) {
	a, ok := h.signedInActor(w, r)
	if !ok {
		return
	}
	id, err := pathNumber(r, "id")
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	if _, err := h.ledger.Recompute(r.Context(), a, id); err != nil {
		h.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/finances/etats/%d?fait=recalcule", id), http.StatusSeeOther)
}

// ledgerDeleteDraft deletes draft {id} and goes back to its convention.
func (h *Handler) ledgerDeleteDraft(w http.ResponseWriter, r *http.Request) {
	a, st, ok := h.statementOf(w, r)
	if !ok {
		return
	}
	if err := h.ledger.DeleteDraft(r.Context(), a, st.ID); err != nil {
		h.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/conventions/%d/finances?fait=supprime", st.AgreementID), http.StatusSeeOther)
}

// issueData is the confirmation before issuing a draft.
type issueData struct {
	Statement ledger.Statement
	Errors    *ledgerErrors
}

// ledgerIssueConfirm asks the creditor to confirm the issue of draft {id}.
func (h *Handler) ledgerIssueConfirm(w http.ResponseWriter, r *http.Request) {
	a, st, ok := h.statementOf(w, r)
	if !ok {
		return
	}
	if err := auth.Authorize(a, auth.Write, st.Inputs.Creditor.OrgID); err != nil {
		h.Fail(w, r, err)
		return
	}
	if st.Status != ledger.Draft {
		http.Redirect(w, r, fmt.Sprintf("/finances/etats/%d", st.ID), http.StatusSeeOther)
		return
	}
	h.render(w, r, http.StatusOK, "ledger_issue", newPage(r, fmt.Sprintf("Émettre l'état n° %d — convention %s", st.Number, st.Inputs.Agreement.Reference),
		"finances", issueData{Statement: st}))
}

// ledgerIssue issues draft {id}; a refusal (data changed since the draft,
// a statement already covering the period, a convention not concluded)
// is shown on the confirmation page.
func (h *Handler) ledgerIssue(w http.ResponseWriter, r *http.Request) {
	a, st, ok := h.statementOf(w, r)
	if !ok {
		return
	}
	if _, err := h.ledger.Issue(r.Context(), a, st.ID); err != nil {
		errs, status := ledgerFormErrors(err, func(string) bool { return false }, "")
		if status == http.StatusForbidden || status == http.StatusNotFound || status >= 500 {
			h.Fail(w, r, err)
			return
		}
		h.render(w, r, status, "ledger_issue", newPage(r, fmt.Sprintf("Émettre l'état n° %d — convention %s", st.Number, st.Inputs.Agreement.Reference),
			"finances", issueData{Statement: st, Errors: errs}))
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/finances/etats/%d?fait=emis", st.ID), http.StatusSeeOther)
}

// ---------------------------------------------------------------------
// Titres, mandats and their cancellations.

// sideSlugs are the sides of a flow as the pages' paths name them.
var sideSlugs = map[string]ledger.Side{
	"titre": ledger.Titre, "mandat": ledger.Mandat,
	"annulation-titre": ledger.TitreCancel, "annulation-mandat": ledger.MandatCancel,
}

// documentURL is the page recording the document of side for flow id,
// coming back to back.
func documentURL(id int64, side string, back string) string {
	u := fmt.Sprintf("/finances/flux/%d/%s", id, side)
	if back != "" {
		u += "?" + url.Values{"retour": {back}}.Encode()
	}
	return u
}

// documentData is the page recording a document of a flow.
type documentData struct {
	Flow                     ledger.Flow
	Side                     ledger.Side
	Slug                     string
	Current                  *ledger.Document // the document already recorded, replaced
	Cancelled                *ledger.Document // the titre or mandat a cancellation cancels
	Reference, Date, Account string
	Return                   string
	Errors                   *ledgerErrors
}

// Title names the page.
func (d documentData) Title() string {
	switch d.Side {
	case ledger.Titre:
		return "Enregistrer le titre de recettes"
	case ledger.Mandat:
		return "Enregistrer le mandat"
	case ledger.TitreCancel:
		return "Enregistrer le titre d'annulation ou de réduction"
	}
	return "Enregistrer l'annulation du mandat"
}

// documentPage loads flow {id} and the side {side} for the request's user,
// who must record that side.
func (h *Handler) documentPage(w http.ResponseWriter, r *http.Request) (auth.Actor, *documentData, bool) {
	a, ok := h.signedInActor(w, r)
	if !ok {
		return a, nil, false
	}
	id, err := pathNumber(r, "id")
	if err != nil {
		h.Fail(w, r, err)
		return a, nil, false
	}
	slug := r.PathValue("side")
	side, ok := sideSlugs[slug]
	if !ok {
		h.Fail(w, r, fmt.Errorf("web: côté %q: %w", slug, store.ErrNotFound))
		return a, nil, false
	}
	f, err := h.ledger.Flow(r.Context(), a, id)
	if err != nil {
		h.Fail(w, r, err)
		return a, nil, false
	}
	who := f.Debtor.OrgID
	if side.ByCreditor() {
		who = f.Creditor.OrgID
	}
	if err := auth.Authorize(a, auth.Write, who); err != nil {
		h.Fail(w, r, err)
		return a, nil, false
	}
	d := &documentData{Flow: f, Side: side, Slug: slug, Return: safeReturn(r.FormValue("retour"), fmt.Sprintf("/finances/etats/%d", f.StatementID))}
	switch side {
	case ledger.Titre:
		d.Current, d.Account = f.Titre, f.TitreAccount
	case ledger.Mandat:
		d.Current, d.Account = f.Mandat, f.MandatAccount
	case ledger.TitreCancel:
		d.Current, d.Cancelled, d.Account = f.TitreCancellation, f.Titre, f.TitreAccount
	case ledger.MandatCancel:
		d.Current, d.Cancelled, d.Account = f.MandatCancellation, f.Mandat, f.MandatAccount
	}
	if d.Current != nil {
		d.Reference, d.Account = d.Current.Reference, d.Current.Account
		if !d.Current.Date.IsZero() {
			d.Date = d.Current.Date.String()
		}
	}
	return a, d, true
}

// ledgerDocumentForm shows the form recording a document of a flow.
func (h *Handler) ledgerDocumentForm(w http.ResponseWriter, r *http.Request) {
	_, d, ok := h.documentPage(w, r)
	if !ok {
		return
	}
	h.render(w, r, http.StatusOK, "ledger_document", newPage(r, d.Title(), "finances", d))
}

// ledgerDocumentSave records the document and goes back where the user
// came from.
func (h *Handler) ledgerDocumentSave(w http.ResponseWriter, r *http.Request) {
	a, d, ok := h.documentPage(w, r)
	if !ok {
		return
	}
	in := &formReader{r: r}
	d.Reference, d.Date, d.Account = in.text("reference"), in.text("date"), in.text("account")
	doc := ledger.Document{Reference: d.Reference, Date: in.date("date", "date"), Account: d.Account}
	err := in.errs.Err()
	if err == nil {
		_, err = h.ledger.RecordDocument(r.Context(), a, d.Flow.ID, d.Side, doc)
	}
	if err != nil {
		var status int
		d.Errors, status = ledgerFormErrors(err, func(id string) bool {
			return id == "f-reference" || id == "f-date" || id == "f-account"
		}, "f-reference")
		if status == http.StatusForbidden || status == http.StatusNotFound || status >= 500 {
			h.Fail(w, r, err)
			return
		}
		h.render(w, r, status, "ledger_document", newPage(r, d.Title(), "finances", d))
		return
	}
	back, _ := url.Parse(d.Return)
	q := back.Query()
	q.Set("fait", "document")
	back.RawQuery = q.Encode()
	http.Redirect(w, r, back.String(), http.StatusSeeOther)
}

// ---------------------------------------------------------------------
// The stated cost of doing alone, on the year's page.

// standaloneForm is the form of the year's page stating what doing alone
// what a convention does would cost.
type standaloneForm struct {
	Agreement, Cost, OwnCost, Note string
}

// ledgerStandaloneSave records the stated cost of doing alone and shows
// the year again.
func (h *Handler) ledgerStandaloneSave(w http.ResponseWriter, r *http.Request) {
	a, ok := h.signedInActor(w, r)
	if !ok {
		return
	}
	in := &formReader{r: r}
	form := standaloneForm{Agreement: in.text("convention"), Cost: in.text("standalone_cost"), OwnCost: in.text("own_cost"), Note: in.text("note")}
	st := ledger.Standalone{OrgID: in.id("org", "org_id"), Year: in.int("annee", "year"), AgreementID: in.id("convention", "agreement_id"),
		Cost: in.cents("standalone_cost", "standalone_cost"), OwnCost: in.cents("own_cost", "own_cost"), Note: form.Note}
	if form.Agreement == "" {
		in.errs.Add("agreement_id", "choisissez la convention")
	}
	if form.Cost == "" {
		in.errs.Add("standalone_cost", "indiquez ce que coûterait l'action menée seule")
	}
	err := in.errs.Err()
	if err == nil {
		err = h.ledger.SetStandalone(r.Context(), a, st)
	}
	if err == nil {
		http.Redirect(w, r, ledgerYearURL("/finances", st.OrgID, st.Year)+"&fait=cout#economies", http.StatusSeeOther)
		return
	}
	errs, status := ledgerFormErrors(err, func(id string) bool {
		return slices.Contains([]string{"f-agreement_id", "f-standalone_cost", "f-own_cost", "f-note"}, id)
	}, "f-agreement_id")
	if status == http.StatusForbidden || status == http.StatusNotFound || status >= 500 || st.OrgID == 0 || st.Year == 0 {
		h.Fail(w, r, err)
		return
	}
	y, yerr := h.ledger.Year(r.Context(), a, st.OrgID, st.Year)
	if yerr != nil {
		h.Fail(w, r, yerr)
		return
	}
	h.renderYear(w, r, a, y, form, errs, status)
}

// ---------------------------------------------------------------------
// The M57 account mapping.

// accountsData is the page of the account mapping of a fiscal year.
type accountsData struct {
	Table ledger.AccountTable
	Admin bool
	// Line is the row being edited, -1 for a new one.
	Line        int
	Row         ledger.AccountRule
	Instruments []option
	Relations   []option
	Sides       []option
	Errors      *ledgerErrors
	Prev, Next  int
}

// instrumentOptions are the mapping's instruments: every kind, any, and
// the settlement against the attribution de compensation.
func instrumentOptions(selected string) []option {
	out := []option{{Value: ledger.AnyInstrument, Label: "Toute convention (*)"},
		{Value: ledger.ACInstrument, Label: "Imputation sur l'attribution de compensation"}}
	for _, s := range agreement.Catalogue() {
		out = append(out, option{Value: string(s.Kind), Label: s.Label})
	}
	for i := range out {
		out[i].Selected = out[i].Value == selected
	}
	return out
}

func relationOptions(selected ledger.Relation) []option {
	out := []option{
		{Value: string(ledger.AnyRelation), Label: "Toute relation (*)"},
		{Value: string(ledger.GFPRattachement), Label: "GFP de rattachement (l'EPCI de la commune)"},
		{Value: string(ledger.CommuneMembre), Label: "Commune membre (du GFP)"},
		{Value: string(ledger.Autre), Label: "Autre organisme"},
	}
	for i := range out {
		out[i].Selected = out[i].Value == string(selected)
	}
	return out
}

func sideOptions(selected ledger.Side) []option {
	out := []option{{Value: string(ledger.Titre), Label: "Titre (créancier)"}, {Value: string(ledger.Mandat), Label: "Mandat (débiteur)"}}
	for i := range out {
		out[i].Selected = out[i].Value == string(selected)
	}
	return out
}

// relationName and instrumentName say a row of the mapping in French.
func relationName(r ledger.Relation) string {
	for _, o := range relationOptions("") {
		if o.Value == string(r) {
			return o.Label
		}
	}
	return string(r)
}

func instrumentName(s string) string {
	for _, o := range instrumentOptions("") {
		if o.Value == s {
			return o.Label
		}
	}
	return s
}

// accountsYear reads ?annee= (or the posted annee), this year by default.
func accountsYear(r *http.Request) (int, error) {
	s := strings.TrimSpace(r.FormValue("annee"))
	if s == "" {
		return civil.Today().Year, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 2000 || n > 2100 {
		return 0, fmt.Errorf("web: année %q: %w", s, store.ErrNotFound)
	}
	return n, nil
}

func (h *Handler) accountsPage(w http.ResponseWriter, r *http.Request, a auth.Actor, year, line int, row ledger.AccountRule, errs *ledgerErrors, status int) {
	t, err := h.ledger.AccountTable(r.Context(), year)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	d := accountsData{Table: t, Admin: a.PlatformAdmin(), Line: -1, Row: row, Errors: errs, Prev: year - 1, Next: year + 1}
	if line >= 0 && line < len(t.Rules) {
		d.Line = line
		if errs == nil {
			d.Row = t.Rules[line]
		}
	}
	d.Instruments, d.Relations, d.Sides = instrumentOptions(d.Row.Instrument), relationOptions(d.Row.Counterparty), sideOptions(d.Row.Side)
	pg := newPage(r, fmt.Sprintf("Comptes M57 suggérés — exercice %d", year), "finances", d)
	if errs == nil {
		pg.Flash = flashOf(r)
	}
	h.render(w, r, status, "ledger_accounts", pg)
}

// ledgerAccounts shows the account mapping of ?annee=; platform admins
// also get the forms (?ligne=N edits row N).
func (h *Handler) ledgerAccounts(w http.ResponseWriter, r *http.Request) {
	a, ok := h.signedInActor(w, r)
	if !ok {
		return
	}
	year, err := accountsYear(r)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	line := -1
	if s := r.URL.Query().Get("ligne"); s != "" {
		if n, err := strconv.Atoi(s); err == nil {
			line = n
		}
	}
	h.accountsPage(w, r, a, year, line, ledger.AccountRule{Counterparty: ledger.AnyRelation, Side: ledger.Titre, Instrument: ledger.AnyInstrument}, nil, http.StatusOK)
}

// ledgerAccountsSave changes the mapping of a year: "creer" gives the year
// its own table (a copy of the one in force), "supprimer" removes row
// ligne, "enregistrer" saves row ligne (or a new row when ligne is empty).
func (h *Handler) ledgerAccountsSave(w http.ResponseWriter, r *http.Request) {
	a, ok := h.signedInActor(w, r)
	if !ok {
		return
	}
	year, err := accountsYear(r)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	t, err := h.ledger.AccountTable(r.Context(), year)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	line := -1
	if n, err := strconv.Atoi(r.PostFormValue("ligne")); err == nil && n >= 0 && n < len(t.Rules) {
		line = n
	}
	in := &formReader{r: r}
	row := ledger.AccountRule{Year: year, Instrument: in.text("instrument"), Counterparty: ledger.Relation(in.text("counterparty")),
		Side: ledger.Side(in.text("side")), Account: in.text("account"), Label: in.text("label")}
	rules := slices.Clone(t.Rules)
	edited := -1
	switch r.PostFormValue("action") {
	case "creer":
	case "supprimer":
		if line < 0 {
			h.Fail(w, r, fmt.Errorf("web: ligne %q: %w", r.PostFormValue("ligne"), store.ErrNotFound))
			return
		}
		rules = slices.Delete(rules, line, line+1)
	default:
		// A new row for an instrument, relation and side already mapped
		// replaces that row.
		edited = line
		if edited < 0 {
			edited = slices.IndexFunc(rules, func(x ledger.AccountRule) bool {
				return x.Instrument == row.Instrument && x.Counterparty == row.Counterparty && x.Side == row.Side
			})
		}
		if edited >= 0 {
			rules[edited] = row
		} else {
			edited = len(rules)
			rules = append(rules, row)
		}
	}
	_, err = h.ledger.SetAccounts(r.Context(), a, year, r.PostFormValue("version"), rules)
	if err == nil {
		http.Redirect(w, r, fmt.Sprintf("/finances/comptes?annee=%d&fait=comptes", year), http.StatusSeeOther)
		return
	}
	if errs, ok := validate.As(err); ok {
		// The table's rows are checked one by one: name the edited row's
		// fields as the form's.
		prefix := fmt.Sprintf("rules[%d].", edited)
		renamed := slices.Clone(errs)
		for i := range renamed {
			renamed[i].Field = strings.TrimPrefix(renamed[i].Field, prefix)
		}
		err = renamed
	}
	errs, status := ledgerFormErrors(err, func(id string) bool {
		return slices.Contains([]string{"f-instrument", "f-counterparty", "f-side", "f-account", "f-label"}, id)
	}, "f-instrument")
	if status == http.StatusForbidden || status >= 500 {
		h.Fail(w, r, err)
		return
	}
	h.accountsPage(w, r, a, year, line, row, errs, status)
}
