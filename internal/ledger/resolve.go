package ledger

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"voisines/internal/agreement"
	"voisines/internal/civil"
	"voisines/internal/money"
	"voisines/internal/validate"
)

// Convention is what the ledger reads of a stored convention: its identity,
// status, term and parties (from the agreements and agreement_parties
// tables, with the organisations' current names and SIREN).
type Convention struct {
	ID        int64            `json:"id"`
	Reference string           `json:"reference"`
	Title     string           `json:"title"`
	Kind      agreement.Kind   `json:"kind"`
	Status    agreement.Status `json:"status"`
	LeadOrgID int64            `json:"lead_org_id"`
	// Start and End are the first and last days the convention applies;
	// End is zero for an open term.
	Start civil.Date `json:"start,omitzero"`
	End   civil.Date `json:"end,omitzero"`
	// Parties are its current parties, one entry per role held.
	Parties []PartyRef `json:"parties"`
	// Readers are every organisation that is or was party: whose users may
	// read the convention's statements.
	Readers []int64 `json:"-"`
}

// holder returns the current party org holding role, if any.
func (c Convention) holder(org int64, role agreement.Role) (PartyRef, bool) {
	for _, p := range c.Parties {
		if p.OrgID == org && p.Role == role {
			return p, true
		}
	}
	return PartyRef{}, false
}

// holderOf returns org's current party entry among roles, in roles' order.
func (c Convention) holderOf(org int64, roles []agreement.Role) (PartyRef, bool) {
	for _, r := range roles {
		if p, ok := c.holder(org, r); ok {
			return p, true
		}
	}
	return PartyRef{}, false
}

// concluded reports whether the convention was concluded (signed), so that
// its statements may be issued.
func (c Convention) concluded() bool {
	switch c.Status {
	case agreement.Signed, agreement.InForce, agreement.Expired, agreement.Terminated:
		return true
	}
	return false
}

// popKey names a set of legal population figures.
type popKey struct{ measure, vintage, source string }

// popFigure is one commune's legal population in a set.
type popFigure struct {
	value   int64
	source  string
	vintage string
}

// gathered is the data read from the database for one statement.
type gathered struct {
	usage       []UsageTotal
	populations map[popKey]map[int64]popFigure
	priorCalls  []PriorCall
}

// resolve checks the request against the convention and its terms and
// builds the statement's Inputs from them and the gathered data. It is
// pure: everything it reads is in its arguments.
func resolve(c Convention, t Terms, req Request, d gathered) (Inputs, error) {
	in, err := resolveParties(c, t, req)
	if err != nil {
		return Inputs{}, err
	}
	if err := resolveTerms(&in, t, req, d); err != nil {
		return Inputs{}, err
	}
	return in, nil
}

// resolveParties is the first half of resolve, which needs no gathered
// data: it checks the request (kind, period) and names the creditor and
// the parties. ComputeAll runs it while the usage is being summed.
func resolveParties(c Convention, t Terms, req Request) (Inputs, error) {
	var errs validate.Errors
	kind := Periodic
	switch {
	case req.Final && req.Call != 0:
		errs.Add("call", "un décompte final n'est pas un appel de fonds : indiquez l'un ou l'autre")
	case req.Final:
		kind = Final
	case req.Call != 0:
		kind = CallKind
	}
	if (kind != Periodic) != (t.Mode == agreement.CallsForFunds) {
		if t.Mode == agreement.CallsForFunds {
			errs.Add("call", "la convention procède par appels de fonds : indiquez le numéro de l'appel ou demandez le décompte final")
		} else {
			errs.Add("call", "la convention ne procède pas par appels de fonds (mode « %s »)", t.Mode.Label())
		}
	}
	switch {
	case req.From.IsZero():
		errs.Add("from", "le premier jour de la période est obligatoire")
	case req.To.IsZero():
		errs.Add("to", "le dernier jour de la période est obligatoire")
	case req.To.Before(req.From):
		errs.Add("to", "la période finit (%s) avant de commencer (%s)", req.To.French(), req.From.French())
	default:
		if art, ok := yearlyPeriod[c.Kind]; ok && longerThan(req.From, req.To, 12) {
			errs.Add("to", "la période %s dépasse un an : la périodicité du remboursement ne peut excéder un an (%s)",
				frenchPeriod(req.From, req.To), art)
		} else if t.PeriodMonths > 0 && longerThan(req.From, req.To, t.PeriodMonths) {
			errs.Add("to", "la période %s dépasse les %d mois que prévoit la convention", frenchPeriod(req.From, req.To), t.PeriodMonths)
		}
		if t.Mode == agreement.SalaryProRata && longerThan(req.From, req.To, 12) {
			errs.Add("to", "un état de remboursement de mise à disposition couvre au plus douze mois")
		}
		if !c.Start.IsZero() && req.From.Before(c.Start) {
			errs.Add("from", "la période commence le %s, avant la prise d'effet de la convention (%s)", req.From.French(), c.Start.French())
		}
		if !c.End.IsZero() && req.To.After(c.End) {
			errs.Add("to", "la période finit le %s, après le dernier jour d'application de la convention (%s)", req.To.French(), c.End.French())
		}
	}
	errs.Check(validate.MaxLen("label", req.Label, 120))
	if err := errs.Err(); err != nil {
		return Inputs{}, err
	}

	in := Inputs{
		Request:   req,
		Agreement: AgreementRef{ID: c.ID, Reference: c.Reference, Title: c.Title, Kind: c.Kind},
		Kind:      kind, Call: req.Call, From: req.From, To: req.To, Label: strings.TrimSpace(req.Label),
		Mode: t.Mode, Object: t.Object, Settlement: t.Settlement,
	}
	if in.Object == "" {
		in.Object = kindLabel(c.Kind)
	}
	cr, ok := c.holder(t.Creditor, kindRoles[c.Kind].creditor)
	if !ok {
		return Inputs{}, validate.Errors{{Field: "terms.creditor", Message: "le créancier des conditions financières n'est plus partie à la convention dans ce rôle : mettez-les à jour"}}
	}
	in.Creditor = cr
	if len(t.Parties) > 0 {
		in.Parties = make([]PartyRef, 0, len(t.Parties))
	}
	for _, org := range t.Parties {
		p, ok := c.holderOf(org, kindRoles[c.Kind].bearers)
		if !ok {
			if p2, ok2 := c.holder(org, cr.Role); ok2 && org == cr.OrgID {
				p, ok = p2, true
			}
		}
		if !ok {
			return Inputs{}, validate.Errors{{Field: "terms.parties", Message: fmt.Sprintf(
				"l'organisation n° %d des conditions financières n'est plus partie à la convention : mettez-les à jour", org)}}
		}
		in.Parties = append(in.Parties, p)
	}
	labelParties(&in)
	return in, nil
}

// resolveTerms is the second half of resolve: the mode's rule, with the
// gathered data (usage, populations, calls already issued).
func resolveTerms(in *Inputs, t Terms, req Request, d gathered) error {
	label := func(org int64) string {
		if org == in.Creditor.OrgID {
			return in.Creditor.Label
		}
		for _, p := range in.Parties {
			if p.OrgID == org {
				return p.Label
			}
		}
		return ""
	}

	var err error
	switch t.Mode {
	case agreement.ActualCostByKey:
		err = resolveKeyed(in, t, req, d, label)
		if err == nil {
			in.CostLines, in.Receipts = req.CostLines, req.Receipts
			if in.Agreement.Kind != agreement.BiensIndivis && len(req.Receipts) > 0 {
				err = validate.Errors{{Field: "receipts", Message: "seules les biens indivis répartissent un excédent de recettes"}}
			}
			if len(req.CostLines) == 0 && len(req.Receipts) == 0 {
				err = validate.Errors{{Field: "cost_lines", Message: "indiquez les dépenses de la période (coût réel à répartir)"}}
			}
		}
	case agreement.UnitPrice:
		err = resolveUnits(in, t, req, d, label)
	case agreement.SalaryProRata:
		err = resolveSecondment(in, t)
	case agreement.FixedPrice:
		err = resolveFixed(in, t)
	case agreement.CallsForFunds:
		err = resolveCalls(in, t, req, d, label)
	default:
		err = validate.Errors{{Field: "terms.mode", Message: fmt.Sprintf("le mode « %s » ne donne lieu à aucun état", t.Mode.Label())}}
	}
	return err
}

// labelParties names every party for the computation: its name, with a
// code when two parties of the statement share a name. The creditor listed
// among the parties is the same party, counted once.
func labelParties(in *Inputs) {
	// A statement has a handful of parties: count by comparing, no map.
	namesakes := func(name string) int {
		n := 0
		if in.Creditor.Name == name {
			n++
		}
		for _, p := range in.Parties {
			if p.Name == name && (in.Creditor.OrgID == 0 || p.OrgID != in.Creditor.OrgID) {
				n++
			}
		}
		return n
	}
	label := func(p *PartyRef) {
		p.Label = p.Name
		if namesakes(p.Name) > 1 {
			code := p.CommuneCode
			if code == "" {
				code = p.SIREN
			}
			if code == "" {
				code = fmt.Sprintf("n° %d", p.OrgID)
			}
			p.Label = fmt.Sprintf("%s (%s)", p.Name, code)
		}
	}
	label(&in.Creditor)
	for i := range in.Parties {
		label(&in.Parties[i])
	}
}

// labels returns the parties' labels in order.
func (in Inputs) labels() []string {
	out := make([]string, len(in.Parties))
	for i, p := range in.Parties {
		out[i] = p.Label
	}
	return out
}

// unitsOf returns the units of use of the period per party: the entered
// units when there are, else the usage records summed, in the unit of the
// terms. Usage of organisations that are not among the parties, and of
// other units, is left out with a note.
func unitsOf(in *Inputs, t Terms, req Request, d gathered, label func(int64) string) ([]money.Usage, error) {
	bearer := func(org int64) string {
		for _, p := range in.Parties {
			if p.OrgID == org {
				return p.Label
			}
		}
		return ""
	}
	if len(req.Units) > 0 {
		in.UnitsFrom = "saisie"
		var out []money.Usage
		for i, u := range req.Units {
			l := bearer(u.Party)
			if l == "" {
				return nil, validate.Errors{{Field: fmt.Sprintf("units[%d].party", i), Message: fmt.Sprintf(
					"l'organisation n° %d n'est pas une partie débitrice de la convention", u.Party)}}
			}
			if u.Units.Sign() < 0 {
				return nil, validate.Errors{{Field: fmt.Sprintf("units[%d].units", i), Message: "un nombre d'unités ne peut pas être négatif"}}
			}
			out = append(out, money.Usage{Party: l, Type: strings.TrimSpace(u.Type), Units: u.Units})
		}
		return out, nil
	}
	in.UnitsFrom = "usage_records"
	unit := t.UsageUnit
	if unit == "" {
		var units []string
		for _, u := range d.usage {
			if !slices.Contains(units, u.Unit) {
				units = append(units, u.Unit)
			}
		}
		if len(units) > 1 {
			return nil, validate.Errors{{Field: "terms.usage_unit", Message: fmt.Sprintf(
				"les usages de la période sont comptés en plusieurs unités (%s) : précisez l'unité facturée dans les conditions financières",
				strings.Join(units, ", "))}}
		}
	}
	out := make([]money.Usage, 0, len(d.usage))
	if in.Usage == nil {
		in.Usage = d.usage[:len(d.usage):len(d.usage)] // shared, never modified: a later append copies
	} else {
		in.Usage = append(in.Usage, d.usage...)
	}
	for _, u := range d.usage {
		q := money.NewRat(u.Milli, 1000)
		if unit != "" && u.Unit != unit {
			in.Notes = append(in.Notes, fmt.Sprintf("Usage de %s en « %s » (%s) non pris en compte : la convention facture en « %s ».",
				orgName(label, u.Party), u.Unit, q.Decimal(3), unit))
			continue
		}
		l := bearer(u.Party)
		if l == "" {
			in.Notes = append(in.Notes, fmt.Sprintf("Usage de %s (%s %s) non pris en compte : cette organisation n'est pas débitrice selon les conditions financières.",
				orgName(label, u.Party), q.Decimal(3), u.Unit))
			continue
		}
		out = append(out, money.Usage{Party: l, Type: u.Type, Units: q})
	}
	return out, nil
}

func orgName(label func(int64) string, org int64) string {
	if l := label(org); l != "" {
		return l
	}
	return fmt.Sprintf("l'organisation n° %d", org)
}

// resolveKeyed copies the terms' key with parties named by label and fills
// its usage and population components from the gathered data.
func resolveKeyed(in *Inputs, t Terms, req Request, d gathered, label func(int64) string) error {
	if t.Key == nil {
		return validate.Errors{{Field: "terms.key", Message: "les conditions financières n'ont pas de clé de répartition"}}
	}
	k, err := relabelKey(*t.Key, "terms.key", label)
	if err != nil {
		return err
	}
	if err := fillKey(in, &k, t, req, d, label); err != nil {
		return err
	}
	in.Key = &k
	return nil
}

// relabelKey returns k with every party id replaced by its label.
func relabelKey(k money.Key, field string, label func(int64) string) (money.Key, error) {
	// name returns the label of party, member i of list; the field is
	// written only for an error.
	name := func(party, list string, i int) (string, error) {
		org, err := strconv.ParseInt(party, 10, 64)
		if err != nil || partyKey(org) != party || label(org) == "" {
			return "", validate.Errors{{Field: fmt.Sprintf("%s.%s[%d]", field, list, i),
				Message: fmt.Sprintf("%s ne désigne pas une partie des conditions financières", validate.Quote(party))}}
		}
		return label(org), nil
	}
	out := k
	out.Figures = make([]money.Figure, len(k.Figures))
	for i, f := range k.Figures {
		l, err := name(f.Party, "figures", i)
		if err != nil {
			return money.Key{}, err
		}
		out.Figures[i] = money.Figure{Party: l, Value: f.Value}
	}
	out.Usage = make([]money.Usage, len(k.Usage))
	for i, u := range k.Usage {
		l, err := name(u.Party, "usage", i)
		if err != nil {
			return money.Key{}, err
		}
		out.Usage[i] = money.Usage{Party: l, Type: u.Type, Units: u.Units}
	}
	out.Parts = make([]money.Part, len(k.Parts))
	for i, p := range k.Parts {
		pk, err := relabelKey(p.Key, field+".parts["+strconv.Itoa(i)+"].key", label)
		if err != nil {
			return money.Key{}, err
		}
		out.Parts[i] = money.Part{Weight: p.Weight, Key: pk}
	}
	if len(out.Figures) == 0 {
		out.Figures = nil
	}
	if len(out.Usage) == 0 {
		out.Usage = nil
	}
	if len(out.Parts) == 0 {
		out.Parts = nil
	}
	return out, nil
}

// fillKey fills a key's components that take their data from the
// database: usage without lines, population without figures.
func fillKey(in *Inputs, k *money.Key, t Terms, req Request, d gathered, label func(int64) string) error {
	switch k.Kind {
	case money.KeyMix:
		for i := range k.Parts {
			if err := fillKey(in, &k.Parts[i].Key, t, req, d, label); err != nil {
				return err
			}
		}
	case money.KeyUsage:
		if len(k.Usage) == 0 {
			u, err := unitsOf(in, t, req, d, label)
			if err != nil {
				return err
			}
			k.Usage = u
		}
	case money.KeyPopulation:
		if len(k.Figures) > 0 {
			return nil
		}
		set := d.populations[popKey{k.Measure, k.Vintage, k.Source}]
		for _, p := range in.Parties {
			f, ok := set[p.OrgID]
			if !ok {
				return validate.Errors{{Field: "terms.key", Message: fmt.Sprintf(
					"pas de population %s %s enregistrée pour %s : saisissez les chiffres dans la clé", k.Measure, k.Vintage, p.Label)}}
			}
			k.Figures = append(k.Figures, money.Figure{Party: p.Label, Value: money.IntRat(f.value)})
			if k.Source == "" {
				k.Source = f.source
			}
			if in.Figures == nil {
				in.Figures = map[string]KeySource{}
			}
			in.Figures["population "+k.Measure] = KeySource{Source: f.source, Vintage: f.vintage}
		}
	}
	return nil
}

// resolveUnits gathers the unit-price rule and the units billed.
func resolveUnits(in *Inputs, t Terms, req Request, d gathered, label func(int64) string) error {
	if t.UnitPrice == nil {
		return validate.Errors{{Field: "terms.unit_price", Message: "les conditions financières n'ont pas de coût unitaire"}}
	}
	up := *t.UnitPrice
	if up.Basis == nil && up.Rule.UnitCost.Sign() <= 0 {
		return validate.Errors{{Field: "terms.unit_price.rule.unit_cost", Message: "indiquez le coût unitaire notifié, ou les dépenses dont il se calcule"}}
	}
	units, err := unitsOf(in, t, req, d, label)
	if err != nil {
		return err
	}
	in.UnitPrice = &up
	in.Units = units
	return nil
}

// resolveSecondment takes the pay and quotité, and the months of the period.
func resolveSecondment(in *Inputs, t Terms) error {
	if t.Secondment == nil {
		return validate.Errors{{Field: "terms.secondment", Message: "les conditions financières n'ont pas le coût annuel de l'agent"}}
	}
	if len(in.Parties) != 1 {
		return validate.Errors{{Field: "terms.parties", Message: "un état de mise à disposition de personnel a exactement un organisme d'accueil débiteur"}}
	}
	s := t.Secondment
	in.Secondment = &money.Secondment{
		CostLines: s.CostLines, Quotite: s.Quotite, Months: periodMonths(in.From, in.To),
		Rounding: s.Rounding, RoundMonthlyFirst: s.RoundMonthlyFirst,
	}
	return nil
}

// resolveFixed takes the fixed prices.
func resolveFixed(in *Inputs, t Terms) error {
	if len(t.Fixed) == 0 {
		return validate.Errors{{Field: "terms.fixed", Message: "les conditions financières n'ont pas de prix forfaitaire"}}
	}
	for i, f := range t.Fixed {
		if !slices.ContainsFunc(in.Parties, func(p PartyRef) bool { return p.OrgID == f.Party }) {
			return validate.Errors{{Field: fmt.Sprintf("terms.fixed[%d].party", i), Message: "ce prix ne désigne pas une partie débitrice"}}
		}
		if f.Amount < 0 {
			return validate.Errors{{Field: fmt.Sprintf("terms.fixed[%d].amount", i), Message: "un prix ne peut pas être négatif"}}
		}
	}
	in.Fixed = t.Fixed
	return nil
}

// resolveCalls takes the key, the estimate and the calls; for the final
// statement, the actual cost and the calls already issued.
func resolveCalls(in *Inputs, t Terms, req Request, d gathered, label func(int64) string) error {
	if t.Calls == nil || len(t.Calls.Calls) == 0 {
		return validate.Errors{{Field: "terms.calls", Message: "les conditions financières n'ont pas d'échéancier d'appels de fonds"}}
	}
	if err := resolveKeyed(in, t, req, d, label); err != nil {
		return err
	}
	c := *t.Calls
	in.Calls = &c
	switch in.Kind {
	case CallKind:
		if req.Call < 1 || req.Call > len(c.Calls) {
			return validate.Errors{{Field: "call", Message: fmt.Sprintf("la convention prévoit %d appels de fonds, pas d'appel n° %d", len(c.Calls), req.Call)}}
		}
		if len(req.CostLines) > 0 {
			return validate.Errors{{Field: "cost_lines", Message: "un appel de fonds porte sur le coût prévisionnel des conditions financières"}}
		}
	case Final:
		if len(req.CostLines) == 0 {
			return validate.Errors{{Field: "cost_lines", Message: "indiquez le coût réel de l'ouvrage pour le décompte final"}}
		}
		in.CostLines = req.CostLines
		in.PriorCalls = d.priorCalls
	}
	return nil
}
