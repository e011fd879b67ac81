package money

import (
	"fmt"
)

// UnitPrice is the unit-price rule of a convention (domain.md §9.2): each
// line is billed unit cost × units, rounded to the cent on its own. The
// lines' total is not required to equal any budget figure.
type UnitPrice struct {
	// UnitCost is the unit cost in euros per unit, exact (e.g. 82470/49
	// €/élève, or 28 €/h as notified).
	UnitCost Rat `json:"unit_cost"`
	// Unit names the unit in French ("heure", "élève", "acte pondéré").
	Unit string `json:"unit,omitempty"`
	// RoundUnitCostFirst says the convention rounds the unit cost to the
	// cent, with Rounding, before multiplying (domain.md §10 example 9: it
	// changes the result). When false, each line is rounded once, from the
	// exact product. A unit cost notified with more than two decimals is
	// given as it is in UnitCost, with RoundUnitCostFirst false.
	RoundUnitCostFirst bool `json:"round_unit_cost_first"`
	// Rounding rounds each line (and the unit cost, when rounded first).
	// It has no default: the convention must say (usually RoundHalfUp).
	Rounding Rounding `json:"rounding"`
}

// UnitLine is a quantity of units to bill to a party.
type UnitLine struct {
	Party string `json:"party"`
	Label string `json:"label,omitempty"` // e.g. "1er semestre 2026"
	Units Rat    `json:"units"`
}

// Pricing is the outcome of a UnitPrice rule on lines of units.
type Pricing struct {
	Rule UnitPrice `json:"rule"`
	// AppliedUnitCost is the unit cost actually multiplied, in euros per
	// unit: UnitCost, or UnitCost rounded to the cent.
	AppliedUnitCost Rat           `json:"applied_unit_cost"`
	Lines           []PricingLine `json:"lines"`
	Total           Cents         `json:"total"` // sum of the lines' amounts
}

// PricingLine is one billed line.
type PricingLine struct {
	Party string `json:"party"`
	Label string `json:"label,omitempty"`
	Units Rat    `json:"units"`
	// Exact is Units × AppliedUnitCost in cents, before rounding; Amount is
	// Exact rounded with the rule's mode.
	Exact  Rat   `json:"exact"`
	Amount Cents `json:"amount"`
}

// Price bills every line: Units × unit cost, rounded to the cent as the rule
// says. Units must not be negative (a correction is a new statement, not a
// negative line).
func (u UnitPrice) Price(lines []UnitLine) (Pricing, error) {
	if !u.Rounding.Valid() {
		return Pricing{}, invalid("rounding", "", ErrUnknownRounding, quote(string(u.Rounding)))
	}
	if u.UnitCost.Sign() < 0 {
		return Pricing{}, invalid("unit_cost", "", ErrNegative, u.UnitCost.String())
	}
	p := Pricing{Rule: u, AppliedUnitCost: u.UnitCost, Lines: make([]PricingLine, len(lines))}
	if u.RoundUnitCostFirst {
		c, err := Round(u.UnitCost.Mul(IntRat(100)), u.Rounding)
		if err != nil {
			return Pricing{}, err
		}
		p.AppliedUnitCost = c.Euros()
	}
	centsPerUnit := p.AppliedUnitCost.Mul(IntRat(100))
	for i, l := range lines {
		field := lazyField{"", "lines", i} // written only for an error
		if l.Party == "" {
			return Pricing{}, invalid(field.String()+".party", "", ErrRequired, "")
		}
		if l.Units.Sign() < 0 {
			return Pricing{}, invalid(field.String()+".units", l.Party, ErrNegative, l.Units.String())
		}
		exact := l.Units.Mul(centsPerUnit)
		amount, err := Round(exact, u.Rounding)
		if err != nil {
			return Pricing{}, fmt.Errorf("money: %s: %w", field.String(), err)
		}
		if p.Total, err = p.Total.Add(amount); err != nil {
			return Pricing{}, err
		}
		p.Lines[i] = PricingLine{Party: l.Party, Label: l.Label, Units: l.Units, Exact: exact, Amount: amount}
	}
	return p, nil
}

// Explain returns the pricing in French, line by line, as a statement
// prints it.
func (p Pricing) Explain() []string {
	unit := p.Rule.Unit
	if unit == "" {
		unit = "unité"
	}
	head := fmt.Sprintf("Coût unitaire : %s\u00a0€/%s", frenchEuros(p.Rule.UnitCost), unit)
	if p.Rule.RoundUnitCostFirst {
		head += fmt.Sprintf(", arrondi au centime avant multiplication : %s\u00a0€/%s", p.AppliedUnitCost.French(2), unit)
	} else {
		head += ", sans arrondi intermédiaire"
	}
	lines := []string{head + ". Chaque ligne : " + p.Rule.Rounding.French() + "."}
	for _, l := range p.Lines {
		who := l.Party
		if l.Label != "" {
			who += " (" + l.Label + ")"
		}
		lines = append(lines, fmt.Sprintf("%s : %s × %s\u00a0€ = %s\u00a0€ → %s.",
			who, frenchRat(l.Units), frenchEuros(p.AppliedUnitCost), frenchEuros(l.Exact.Quo(IntRat(100))), l.Amount))
	}
	return append(lines, fmt.Sprintf("Total facturé : %s.", p.Total))
}
