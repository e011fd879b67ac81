package money

import (
	"fmt"
)

// Secondment is the repayment rule of a mise à disposition individuelle de
// personnel (CGFP L512-6 ff., décret 2008-580): the host repays the agent's
// annual cost (pay and employer charges) × quotité × months / 12.
type Secondment struct {
	// CostLines make up the agent's annual cost to the home authority
	// (gross pay, employer contributions…); excluded lines are listed but
	// not repaid.
	CostLines []CostLine `json:"cost_lines"`
	// Quotite is the share of working time made available, 0 < q ≤ 1
	// (quotité de travail, e.g. 3/10).
	Quotite Rat `json:"quotite"`
	// Months is the number of months of the period, 0 < m ≤ 12; it may be
	// fractional (7,5) when the convention counts half months.
	Months Rat `json:"months"`
	// Rounding rounds the repayment to the cent; RoundMonthlyFirst first
	// rounds the monthly amount to the cent and multiplies that by Months,
	// as a convention that states a monthly figure does. By default the
	// exact amount annual × quotité × months / 12 is rounded once.
	Rounding          Rounding `json:"rounding"`
	RoundMonthlyFirst bool     `json:"round_monthly_first"`
}

// SecondmentRepayment is a computed secondment repayment and its explanation.
type SecondmentRepayment struct {
	Rule       Secondment `json:"rule"`
	AnnualCost Cents      `json:"annual_cost"` // sum of eligible cost lines
	// AnnualEquivalent is AnnualCost × Quotite in cents, exact; Monthly is
	// that / 12 (rounded to the cent if RoundMonthlyFirst), in cents.
	AnnualEquivalent Rat   `json:"annual_equivalent"`
	Monthly          Rat   `json:"monthly"`
	Exact            Rat   `json:"exact"` // Monthly × Months, in cents
	Amount           Cents `json:"amount"`
}

// Repayment computes what the host owes for the period.
func (s Secondment) Repayment() (SecondmentRepayment, error) {
	if !s.Rounding.Valid() {
		return SecondmentRepayment{}, invalid("rounding", "", ErrUnknownRounding, quote(string(s.Rounding)))
	}
	if s.Quotite.Sign() <= 0 || s.Quotite.Cmp(IntRat(1)) > 0 {
		return SecondmentRepayment{}, invalid("quotite", "", ErrOutOfRange, "must be in (0, 1], not "+s.Quotite.String())
	}
	if s.Months.Sign() <= 0 || s.Months.Cmp(IntRat(12)) > 0 {
		return SecondmentRepayment{}, invalid("months", "", ErrOutOfRange, "must be in (0, 12], not "+s.Months.String())
	}
	r := SecondmentRepayment{Rule: s}
	for i, l := range s.CostLines {
		if l.Amount < 0 {
			return SecondmentRepayment{}, invalid(fmt.Sprintf("cost_lines[%d]", i), "", ErrNegative, l.Amount.Plain())
		}
		if !l.Eligible {
			continue
		}
		var err error
		if r.AnnualCost, err = r.AnnualCost.Add(l.Amount); err != nil {
			return SecondmentRepayment{}, fmt.Errorf("money: cost_lines[%d]: %w", i, err)
		}
	}
	r.AnnualEquivalent = r.AnnualCost.Rat().Mul(s.Quotite)
	r.Monthly = r.AnnualEquivalent.Quo(IntRat(12))
	if s.RoundMonthlyFirst {
		m, err := Round(r.Monthly, s.Rounding)
		if err != nil {
			return SecondmentRepayment{}, err
		}
		r.Monthly = m.Rat()
	}
	r.Exact = r.Monthly.Mul(s.Months)
	var err error
	if r.Amount, err = Round(r.Exact, s.Rounding); err != nil {
		return SecondmentRepayment{}, err
	}
	return r, nil
}

// Explain returns the computation in French, line by line.
func (r SecondmentRepayment) Explain() []string {
	var lines []string
	for _, l := range r.Rule.CostLines {
		state := "retenu"
		if !l.Eligible {
			state = "non remboursé"
		}
		lines = append(lines, fmt.Sprintf("%s : %s, %s.", l.Label, l.Amount, state))
	}
	cents := func(x Rat) string { return frenchEuros(x.Quo(IntRat(100))) + "\u00a0€" }
	rounded := ""
	if r.Rule.RoundMonthlyFirst {
		rounded = " (arrondi au centime)"
	}
	lines = append(lines,
		fmt.Sprintf("Coût annuel : %s ; quotité %s ; équivalent annuel : %s.", r.AnnualCost, frenchPercent(r.Rule.Quotite), cents(r.AnnualEquivalent)),
		fmt.Sprintf("Par mois : équivalent annuel / 12 = %s%s.", cents(r.Monthly), rounded),
		fmt.Sprintf("Période : mensualité × %s mois = %s → %s (%s).", frenchRat(r.Rule.Months), cents(r.Exact), r.Amount, r.Rule.Rounding.French()),
	)
	return lines
}
