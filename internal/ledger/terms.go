package ledger

import (
	"fmt"
	"slices"
	"strings"

	"voisines/internal/agreement"
	"voisines/internal/money"
	"voisines/internal/validate"
)

// prepareTerms completes terms t of convention a from its content — the
// creditor, the parties in the convention's order, the period, the
// quotité, the shares of biens indivis or of a work — and checks them.
// Errors are validate.Errors naming the field under "terms.".
func prepareTerms(a agreement.Agreement, t Terms) (Terms, error) {
	var errs validate.Errors
	spec, ok := agreement.Lookup(a.Kind)
	r, known := kindRoles[a.Kind]
	if !ok || !known {
		return Terms{}, validate.Errors{{Field: "kind", Message: fmt.Sprintf("nature de convention inconnue : %s", a.Kind)}}
	}
	if t.Mode == "" {
		t.Mode = a.Financial.Mode
	}
	if t.Secondment != nil { // completed below: work on a copy
		s := *t.Secondment
		t.Secondment = &s
	}
	switch {
	case t.Mode == agreement.NoFlow:
		errs.Add("terms.mode", "la convention ne prévoit aucun flux financier (%s) : elle ne donne lieu à aucun état", t.Mode.Label())
	case !slices.Contains(spec.FinancialModes, t.Mode):
		errs.Add("terms.mode", "le mode « %s » n'est pas prévu pour une convention de ce type (%s)", t.Mode.Label(), spec.Label)
	case a.Financial.Mode != "" && a.Financial.Mode != t.Mode:
		errs.Add("terms.mode", "la convention prévoit le mode « %s », pas « %s » : modifiez-la par avenant d'abord",
			a.Financial.Mode.Label(), t.Mode.Label())
	}

	holds := func(org int64, roles ...agreement.Role) bool {
		return slices.ContainsFunc(a.Parties, func(p agreement.Party) bool { return p.OrgID == org && slices.Contains(roles, p.Role) })
	}
	if t.Creditor == 0 {
		for _, p := range a.Parties {
			if p.Role == r.creditor {
				t.Creditor = p.OrgID
				break
			}
		}
	}
	if !holds(t.Creditor, r.creditor) {
		errs.Add("terms.creditor", "le créancier doit être une partie au rôle « %s »", r.creditor.Label())
	}
	if len(t.Parties) == 0 {
		for _, p := range a.Parties {
			if slices.Contains(r.bearers, p.Role) && !slices.Contains(t.Parties, p.OrgID) {
				t.Parties = append(t.Parties, p.OrgID)
			}
		}
	}
	seen := map[int64]bool{}
	for i, org := range t.Parties {
		switch {
		case seen[org]:
			errs.Add(fmt.Sprintf("terms.parties[%d]", i), "l'organisation n° %d est citée deux fois", org)
		case !holds(org, r.bearers...) && !(org == t.Creditor && holds(org, r.creditor)):
			errs.Add(fmt.Sprintf("terms.parties[%d]", i), "l'organisation n° %d n'est pas une partie débitrice de la convention", org)
		}
		seen[org] = true
	}
	if len(t.Parties) == 0 {
		errs.Add("terms.parties", "aucune partie ne supporte le coût")
	}
	t.Object = strings.TrimSpace(t.Object)
	errs.Check(validate.MaxLen("terms.object", t.Object, 200))
	t.UsageUnit = strings.TrimSpace(t.UsageUnit)
	if t.PeriodMonths == 0 {
		t.PeriodMonths = a.Financial.PeriodMonths
	}
	if _, yearly := yearlyPeriod[a.Kind]; t.PeriodMonths < 0 || (yearly && t.PeriodMonths > 12) {
		errs.Add("terms.period_months", "la périodicité doit être comprise entre 1 et 12 mois")
	}

	keyParties := func(k *money.Key, field string) {
		if k == nil {
			errs.Add(field, "la clé de répartition est obligatoire")
			return
		}
		_, err := relabelKey(*k, field, func(org int64) string {
			if slices.Contains(t.Parties, org) {
				return partyKey(org)
			}
			return ""
		})
		errs.Check(err)
	}
	switch t.Mode {
	case agreement.ActualCostByKey:
		if t.Key == nil {
			t.Key = sharesKey(a, t.Parties)
		}
		keyParties(t.Key, "terms.key")
	case agreement.CallsForFunds:
		if t.Key == nil {
			t.Key = sharesKey(a, t.Parties)
		}
		keyParties(t.Key, "terms.key")
		switch {
		case t.Calls == nil || len(t.Calls.Calls) == 0:
			errs.Add("terms.calls", "l'échéancier des appels de fonds est obligatoire")
		case t.Calls.Estimate <= 0:
			errs.Add("terms.calls.estimate", "le coût prévisionnel de l'ouvrage doit être positif")
		default:
			var sum money.Rat
			for _, c := range t.Calls.Calls {
				sum = sum.Add(c.Share)
				if c.Share.Sign() <= 0 {
					errs.Add("terms.calls", "chaque appel de fonds porte sur une part positive")
				}
			}
			if sum.Cmp(money.IntRat(1)) != 0 {
				errs.Add("terms.calls", "les appels de fonds totalisent %s du coût prévisionnel, pas 100 %%", frenchPercent(sum))
			}
		}
	case agreement.UnitPrice:
		switch up := t.UnitPrice; {
		case up == nil:
			errs.Add("terms.unit_price", "le coût unitaire est obligatoire")
		case !up.Rule.Rounding.Valid():
			errs.Add("terms.unit_price.rule.rounding", "indiquez comment la convention arrondit chaque ligne (HALF_UP, HALF_EVEN, DOWN, UP)")
		case up.Basis == nil && up.Rule.UnitCost.Sign() <= 0:
			errs.Add("terms.unit_price.rule.unit_cost", "indiquez le coût unitaire notifié, ou les dépenses dont il se calcule")
		case up.Basis != nil:
			if _, err := money.ServiceUnitCost(*up.Basis); err != nil {
				errs.Check(moneyError(err))
			}
		}
		if a.Kind == agreement.FraisScolarite && t.UnitPrice != nil && a.SchoolCosts.RoundUnitCostFirst != t.UnitPrice.Rule.RoundUnitCostFirst {
			errs.Add("terms.unit_price.rule.round_unit_cost_first", "la convention dit %s le coût moyen par élève avant de le multiplier",
				map[bool]string{true: "arrondir", false: "ne pas arrondir"}[a.SchoolCosts.RoundUnitCostFirst])
		}
	case agreement.SalaryProRata:
		switch s := t.Secondment; {
		case s == nil:
			errs.Add("terms.secondment", "le coût annuel de l'agent est obligatoire")
		case a.Secondment.RepaymentWaived:
			errs.Add("terms.mode", "la convention déroge au remboursement : elle ne donne lieu à aucun état")
		default:
			if s.Quotite.Sign() == 0 && a.Secondment.Quotite.Valid() && !a.Secondment.Quotite.IsZero() {
				s.Quotite = money.NewRat(a.Secondment.Quotite.Num, a.Secondment.Quotite.Den)
			}
			if !s.Rounding.Valid() {
				errs.Add("terms.secondment.rounding", "indiquez comment le remboursement est arrondi (HALF_UP…)")
			}
			if len(s.CostLines) == 0 {
				errs.Add("terms.secondment.cost_lines", "indiquez la rémunération et les charges de l'agent")
			}
			if len(t.Parties) != 1 {
				errs.Add("terms.parties", "un seul organisme d'accueil rembourse la mise à disposition")
			}
		}
	case agreement.FixedPrice:
		if len(t.Fixed) == 0 {
			errs.Add("terms.fixed", "le prix forfaitaire est obligatoire")
		}
		for i, f := range t.Fixed {
			if !slices.Contains(t.Parties, f.Party) {
				errs.Add(fmt.Sprintf("terms.fixed[%d].party", i), "ce prix ne désigne pas une partie débitrice")
			}
			if f.Amount < 0 {
				errs.Add(fmt.Sprintf("terms.fixed[%d].amount", i), "un prix ne peut pas être négatif")
			}
		}
	}
	errs.Check(checkSettlement(a, t))
	if err := errs.Err(); err != nil {
		return Terms{}, err
	}
	return t, nil
}

// checkSettlement allows settling against the attribution de compensation
// only where CGCT L5211-4-2 does: a service commun that says so, managed
// by (invoiced by) an EPCI levying the fiscalité professionnelle unique,
// whose cost is borne by its member communes — the AC flows between the
// EPCI and each of them (CGI 1609 nonies C).
func checkSettlement(a agreement.Agreement, t Terms) error {
	const field = "terms.settlement"
	var errs validate.Errors
	switch t.Settlement {
	case SettleByTitre:
		return nil
	case SettleAgainstAC:
	default:
		errs.Add(field, "%s n'est pas un mode de règlement (vide : titre et mandat ; %s : attribution de compensation)",
			validate.Quote(string(t.Settlement)), SettleAgainstAC)
		return errs.Err()
	}
	if a.Kind != agreement.ServiceCommun {
		errs.Add(field, "seul un service commun (CGCT L5211-4-2) peut être imputé sur l'attribution de compensation")
		return errs.Err()
	}
	if !a.ServiceCommun.ChargeAgainstAC {
		errs.Add(field, "la convention ne prévoit pas l'imputation sur l'attribution de compensation : modifiez-la par avenant d'abord")
	}
	var epci *agreement.Party
	for i, p := range a.Parties {
		if p.OrgID == t.Creditor && p.Kind == agreement.EPCI {
			epci = &a.Parties[i]
			break
		}
	}
	switch {
	case epci == nil:
		errs.Add(field, "l'imputation sur l'attribution de compensation suppose que l'EPCI gère le service commun et en soit le créancier")
	case !epci.FPU:
		errs.Add(field, "l'imputation sur l'attribution de compensation n'est possible que pour un EPCI à fiscalité professionnelle unique (%s ne l'est pas)", epci.Name)
	default:
		for i, org := range t.Parties {
			if org == t.Creditor {
				continue
			}
			j := slices.IndexFunc(a.Parties, func(p agreement.Party) bool { return p.OrgID == org })
			if j < 0 {
				continue // reported with the parties
			}
			if p := a.Parties[j]; p.Kind != agreement.Commune || p.EPCISIREN != epci.SIREN {
				errs.Add(fmt.Sprintf("terms.parties[%d]", i), "%s n'est pas une commune membre de %s : elle ne reçoit pas d'attribution de compensation de lui", p.Name, epci.Name)
			}
		}
	}
	return errs.Err()
}

// sharesKey returns the fixed key of the shares a convention states (biens
// indivis, a work's co-owners) restricted to parties, or nil when it
// states none.
func sharesKey(a agreement.Agreement, parties []int64) *money.Key {
	var shares []agreement.Share
	label := ""
	switch {
	case len(a.Indivision.Shares) > 0:
		shares, label = a.Indivision.Shares, "quotes-parts des titres de propriété"
	case len(a.ProjectOwnership.Shares) > 0:
		shares, label = a.ProjectOwnership.Shares, "répartition par partie d'ouvrage"
	default:
		return nil
	}
	k := &money.Key{Kind: money.KeyFixed, Label: label}
	for _, s := range shares {
		if slices.Contains(parties, s.OrgID) && s.Share.Valid() {
			k.Figures = append(k.Figures, money.Figure{Party: partyKey(s.OrgID), Value: money.NewRat(s.Share.Num, s.Share.Den)})
		}
	}
	return k
}
