package ledger

import (
	"fmt"
	"strings"

	"voisines/internal/agreement"
	"voisines/internal/money"
	"voisines/internal/validate"
)

// Evaluate computes a statement's result from its inputs, with the money
// package: allocation of an actual cost by a key, unit price, secondment
// pro rata, fixed price, calls for funds and their final balance. It is
// pure and deterministic, so an issued statement can be recomputed from its
// frozen inputs and compared (Recheck).
func Evaluate(in Inputs) (Result, error) { return evaluate(in, true) }

// evaluate is Evaluate, with the explanation in words only when explain is
// set: computing a whole territory's year needs the amounts, and the words
// can always be written later from the same inputs.
func evaluate(in Inputs, explain bool) (Result, error) {
	r := Result{quiet: !explain}
	if explain {
		r.Explain = header(in)
	}
	amounts := make([]money.Cents, len(in.Parties))
	var err error
	switch in.Mode {
	case agreement.ActualCostByKey:
		err = evalKeyed(in, &r, amounts)
	case agreement.UnitPrice:
		err = evalUnitPrice(in, &r, amounts)
	case agreement.SalaryProRata:
		err = evalSecondment(in, &r, amounts)
	case agreement.FixedPrice:
		err = evalFixed(in, &r, amounts)
	case agreement.CallsForFunds:
		err = evalCalls(in, &r, amounts)
	default:
		err = validate.Errors{{Field: "mode", Message: fmt.Sprintf("le mode « %s » ne donne lieu à aucun état", in.Mode.Label())}}
	}
	if err != nil {
		return Result{}, moneyError(err)
	}
	if !r.quiet {
		r.Explain = append(r.Explain, "Montants dus :")
	}
	if len(in.Parties) > 0 {
		r.Lines = make([]Line, 0, len(in.Parties))
	}
	for i, p := range in.Parties {
		l := Line{OrgID: p.OrgID, Name: p.Label, Amount: amounts[i], Own: p.OrgID == in.Creditor.OrgID}
		r.Lines = append(r.Lines, l)
		if r.Total, err = r.Total.Add(l.Amount); err != nil {
			return Result{}, err
		}
		if !r.quiet {
			r.Explain = append(r.Explain, lineText(in, l))
		}
	}
	if !r.quiet {
		r.Explain = append(r.Explain, fmt.Sprintf("Total de l'état : %s.", r.Total))
	}
	return r, nil
}

// header is the top of the explanation: the convention, the period, the
// rule, and what was left out of the usage.
func header(in Inputs) []string {
	what := "État"
	switch in.Kind {
	case CallKind:
		what = fmt.Sprintf("Appel de fonds n° %d", in.Call)
		if in.Calls != nil && in.Call >= 1 && in.Call <= len(in.Calls.Calls) {
			if l := in.Calls.Calls[in.Call-1].Label; l != "" {
				what += " (" + l + ")"
			}
		}
	case Final:
		what = "Décompte final"
	}
	lines := []string{
		fmt.Sprintf("%s — convention n° %s, « %s » (%s).", what, in.Agreement.Reference, in.Agreement.Title, kindLabel(in.Agreement.Kind)),
	}
	period := "Période : " + frenchPeriod(in.From, in.To)
	if in.Label != "" {
		period += " (" + in.Label + ")"
	}
	lines = append(lines, period+".",
		fmt.Sprintf("Créancier : %s.", in.Creditor.Label),
		"Règle appliquée : "+ruleText(in.Agreement.Kind, in.Mode, in.Kind))
	switch in.UnitsFrom {
	case "usage_records":
		lines = append(lines, "Unités : enregistrements d'usage de la période rattachés à la convention.")
	case "saisie":
		lines = append(lines, "Unités : saisies pour cet état.")
	}
	return append(lines, in.Notes...)
}

// lineText says what a party owes, or is owed, in words.
func lineText(in Inputs, l Line) string {
	switch {
	case l.Own:
		return fmt.Sprintf("%s : %s, part supportée par le créancier lui-même (aucun flux).", l.Name, l.Amount)
	case l.Amount > 0:
		return fmt.Sprintf("%s doit %s à %s.", l.Name, l.Amount, in.Creditor.Label)
	case l.Amount < 0:
		return fmt.Sprintf("%s doit %s à %s.", in.Creditor.Label, -l.Amount, l.Name)
	}
	return fmt.Sprintf("%s : rien à payer pour la période.", l.Name)
}

// moneyError turns a money validation error into a field error a form can
// show; other errors pass through.
func moneyError(err error) error {
	if me, ok := err.(*money.Error); ok {
		msg := me.Rule.Error()
		if me.Party != "" {
			msg = me.Party + " : " + msg
		}
		if me.Detail != "" {
			msg += " (" + me.Detail + ")"
		}
		return validate.Errors{{Field: me.Field, Message: msg}}
	}
	return err
}

// sumLines returns the sum of the eligible lines (or of all lines when
// eligibleOnly is false) and explains them.
func sumLines(lines []money.CostLine, eligibleOnly bool, title string, quiet bool) (money.Cents, []string, error) {
	var total money.Cents
	var out []string
	if title != "" && !quiet {
		out = append(out, title)
	}
	for i, l := range lines {
		if l.Amount < 0 {
			return 0, nil, validate.Errors{{Field: fmt.Sprintf("cost_lines[%d].amount", i), Message: "un montant de dépense ou de recette ne peut pas être négatif"}}
		}
		if eligibleOnly && !l.Eligible && quiet {
			continue
		}
		if eligibleOnly && !l.Eligible {
			reason := ""
			if l.Reason != "" {
				reason = " (" + l.Reason + ")"
			}
			out = append(out, fmt.Sprintf("  %s : %s, exclu%s.", l.Label, l.Amount, reason))
			continue
		}
		if !quiet {
			out = append(out, fmt.Sprintf("  %s : %s, retenu.", l.Label, l.Amount))
		}
		var err error
		if total, err = total.Add(l.Amount); err != nil {
			return 0, nil, err
		}
	}
	return total, out, nil
}

func evalKeyed(in Inputs, r *Result, amounts []money.Cents) error {
	expenses, lines, err := sumLines(in.CostLines, true, "Dépenses de la période :", r.quiet)
	if err != nil {
		return err
	}
	total := expenses
	sign := money.Cents(1)
	if in.Agreement.Kind == agreement.BiensIndivis {
		receipts, rl, err := sumLines(in.Receipts, false, "Recettes de la période :", r.quiet)
		if err != nil {
			return err
		}
		if total, err = receipts.Sub(expenses); err != nil {
			return err
		}
		if !r.quiet {
			r.Explain = append(r.Explain, rl...)
		}
		if !r.quiet {
			r.Explain = append(r.Explain, lines...)
		}
		word := "Excédent"
		if total < 0 {
			word = "Déficit"
		}
		if !r.quiet {
			r.Explain = append(r.Explain, fmt.Sprintf("%s : recettes %s − dépenses %s = %s.", word, receipts, expenses, total))
		}
		// A co-owner's share of a surplus is owed to it; of a deficit, by it.
		sign = -1
	} else {
		if !r.quiet {
			r.Explain = append(r.Explain, lines...)
		}
		if !r.quiet {
			r.Explain = append(r.Explain, fmt.Sprintf("Coût réel retenu : %s.", total))
		}
	}
	shares, err := in.Key.Shares(in.labels())
	if err != nil {
		return err
	}
	a, err := money.Allocate(total, shares)
	if err != nil {
		return err
	}
	r.Allocation = &a
	if !r.quiet {
		r.Explain = append(r.Explain, a.Explain()...)
	}
	for i, l := range a.Lines {
		amounts[i] = sign * l.Amount
	}
	return nil
}

func evalUnitPrice(in Inputs, r *Result, amounts []money.Cents) error {
	rule := in.UnitPrice.Rule
	if b := in.UnitPrice.Basis; b != nil {
		uc, err := money.ServiceUnitCost(*b)
		if err != nil {
			return err
		}
		r.UnitCost = &uc
		if !r.quiet {
			r.Explain = append(r.Explain, uc.Explain()...)
		}
		rule.UnitCost = uc.PerUnit
		if rule.Unit == "" {
			rule.Unit = b.Unit
		}
	}
	lines, err := unitLines(in)
	if err != nil {
		return err
	}
	p, err := rule.Price(lines)
	if err != nil {
		return err
	}
	r.Pricing = &p
	if !r.quiet {
		r.Explain = append(r.Explain, p.Explain()...)
	}
	for i, l := range p.Lines {
		amounts[i] = l.Amount
	}
	return nil
}

// unitLines returns one line of units per party, in the parties' order:
// the units summed, or weighted by type through a usage key when the terms
// weight them.
func unitLines(in Inputs) ([]money.UnitLine, error) {
	lines := make([]money.UnitLine, len(in.Parties))
	for i, p := range in.Parties {
		lines[i] = money.UnitLine{Party: p.Label, Label: in.Label}
	}
	weights := in.UnitPrice.UnitWeights
	if len(weights) == 0 {
		// The parties are a handful: find each line's by comparing labels.
		index := func(label string) int {
			for i := len(in.Parties) - 1; i >= 0; i-- {
				if in.Parties[i].Label == label {
					return i
				}
			}
			return 0
		}
		for j, u := range in.Units {
			if u.Type != "" {
				return nil, validate.Errors{{Field: fmt.Sprintf("units[%d].type", j), Message: fmt.Sprintf(
					"des unités de type %s sont comptées mais la convention ne pondère pas les unités par type", validate.Quote(u.Type))}}
			}
			i := index(u.Party)
			lines[i].Units = lines[i].Units.Add(u.Units)
		}
		return lines, nil
	}
	used := false
	for _, u := range in.Units {
		used = used || u.Units.Sign() > 0
	}
	if !used {
		return lines, nil // nothing used: every line is 0
	}
	k := money.Key{Kind: money.KeyUsage, Label: "unités pondérées", UnitWeights: weights, Usage: in.Units}
	s, err := k.Shares(in.labels())
	if err != nil {
		return nil, err
	}
	for i, ul := range s.UnitLines() {
		lines[i].Units = ul.Units
	}
	return lines, nil
}

func evalSecondment(in Inputs, r *Result, amounts []money.Cents) error {
	rep, err := in.Secondment.Repayment()
	if err != nil {
		return err
	}
	r.Repayment = &rep
	if !r.quiet {
		r.Explain = append(r.Explain, rep.Explain()...)
	}
	amounts[0] = rep.Amount
	return nil
}

func evalFixed(in Inputs, r *Result, amounts []money.Cents) error {
	for _, f := range in.Fixed {
		for i, p := range in.Parties {
			if p.OrgID != f.Party {
				continue
			}
			var err error
			if amounts[i], err = amounts[i].Add(f.Amount); err != nil {
				return err
			}
			label := f.Label
			if label == "" {
				label = "prix forfaitaire"
			}
			if !r.quiet {
				r.Explain = append(r.Explain, fmt.Sprintf("%s : %s, %s.", p.Label, f.Amount, label))
			}
		}
	}
	return nil
}

func evalCalls(in Inputs, r *Result, amounts []money.Cents) error {
	shares, err := in.Key.Shares(in.labels())
	if err != nil {
		return err
	}
	if in.Kind == Final {
		actual, lines, err := sumLines(in.CostLines, true, "Coût réel de l'ouvrage :", r.quiet)
		if err != nil {
			return err
		}
		if !r.quiet {
			r.Explain = append(r.Explain, lines...)
		}
		if !r.quiet {
			r.Explain = append(r.Explain, fmt.Sprintf("Coût réel retenu : %s.", actual))
		}
		a, err := money.Allocate(actual, shares)
		if err != nil {
			return err
		}
		r.Allocation = &a
		if !r.quiet {
			r.Explain = append(r.Explain, a.Explain()...)
		}
		for i, p := range in.Parties {
			var called money.Cents
			for _, c := range in.PriorCalls {
				if c.Party == p.OrgID {
					if called, err = called.Add(c.Amount); err != nil {
						return err
					}
				}
			}
			if amounts[i], err = a.Lines[i].Amount.Sub(called); err != nil {
				return err
			}
			if !r.quiet {
				r.Explain = append(r.Explain, fmt.Sprintf("%s : part définitive %s − appels de fonds déjà émis %s = solde %s.",
					p.Label, a.Lines[i].Amount, called, amounts[i]))
			}
		}
		return nil
	}
	if !r.quiet {
		r.Explain = append(r.Explain, fmt.Sprintf("Coût prévisionnel de l'ouvrage : %s.", in.Calls.Estimate))
	}
	a, err := money.Allocate(in.Calls.Estimate, shares)
	if err != nil {
		return err
	}
	r.Allocation = &a
	if !r.quiet {
		r.Explain = append(r.Explain, a.Explain()...)
	}
	schedule := money.Key{Kind: money.KeyFixed, Label: "échéancier des appels de fonds"}
	names := make([]string, len(in.Calls.Calls))
	for j, c := range in.Calls.Calls {
		names[j] = fmt.Sprintf("appel n° %d", j+1)
		schedule.Figures = append(schedule.Figures, money.Figure{Party: names[j], Value: c.Share})
	}
	callShares, err := schedule.Shares(names)
	if err != nil {
		return err
	}
	for i, p := range in.Parties {
		split, err := money.Allocate(a.Lines[i].Amount, callShares)
		if err != nil {
			return err
		}
		r.CallSplits = append(r.CallSplits, split)
		amounts[i] = split.Lines[in.Call-1].Amount
		if !r.quiet {
			r.Explain = append(r.Explain, fmt.Sprintf("%s : part prévisionnelle %s, appel n° %d de %s = %s.",
				p.Label, a.Lines[i].Amount, in.Call, frenchPercent(in.Calls.Calls[in.Call-1].Share), amounts[i]))
		}
	}
	return nil
}

// frenchPercent writes a share as a French percentage: "30 %", "37,5 %".
func frenchPercent(x money.Rat) string {
	s := x.Mul(money.IntRat(100)).French(4)
	for len(s) > 0 && s[len(s)-1] == '0' {
		s = s[:len(s)-1]
	}
	s = strings.TrimSuffix(s, ",")
	return s + "\u00a0%"
}
