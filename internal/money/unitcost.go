package money

import (
	"fmt"
)

// CostLine is one expense line of an account, marked eligible or excluded.
type CostLine struct {
	Label    string `json:"label"`
	Amount   Cents  `json:"amount"`
	Eligible bool   `json:"eligible"`
	// Reason says why a line is excluded, e.g. "non strictement liée au
	// fonctionnement du service" (D5211-16).
	Reason string `json:"reason,omitempty"`
}

// UnitCostBasis is what a unit operating cost (coût unitaire de
// fonctionnement) is computed from, CGCT D5211-16 and R5111-1: the service's
// expenses in the latest compte administratif, each line eligible or not,
// updated for the year's budget primitif, over the forecast units. The same
// formula gives the L1311-15 hourly cost of an equipment and the L212-8
// average cost per pupil.
type UnitCostBasis struct {
	Source string     `json:"source,omitempty"` // e.g. "compte administratif 2025"
	Lines  []CostLine `json:"lines"`
	// BudgetUpdate adds the foreseeable changes of the budget primitif; it
	// may be negative.
	BudgetUpdate       Cents  `json:"budget_update"`
	BudgetUpdateReason string `json:"budget_update_reason,omitempty"`
	// Units are the forecast units of use (D5211-16), or the units the cost
	// is spread over (hours occupied, pupils). Must be positive.
	Units Rat    `json:"units"`
	Unit  string `json:"unit,omitempty"` // "heure", "élève"…
}

// UnitCost is a computed unit cost with its explanation.
type UnitCost struct {
	Basis    UnitCostBasis `json:"basis"`
	Eligible Cents         `json:"eligible"` // sum of eligible lines
	Excluded Cents         `json:"excluded"` // sum of excluded lines
	Updated  Cents         `json:"updated"`  // Eligible + BudgetUpdate
	// PerUnit is Updated / Units in euros per unit, exact. Whether it is
	// rounded before billing is the UnitPrice rule's business.
	PerUnit Rat `json:"per_unit"`
}

// ServiceUnitCost computes the unit operating cost of CGCT D5211-16:
// (Σ eligible lines + budget update) / units, exactly, in euros per unit.
// It refuses non-positive units and a non-positive updated cost.
func ServiceUnitCost(b UnitCostBasis) (UnitCost, error) {
	uc := UnitCost{Basis: b}
	for i, l := range b.Lines {
		var err error
		if l.Eligible {
			uc.Eligible, err = uc.Eligible.Add(l.Amount)
		} else {
			uc.Excluded, err = uc.Excluded.Add(l.Amount)
		}
		if err != nil {
			return UnitCost{}, fmt.Errorf("money: lines[%d]: %w", i, err)
		}
	}
	var err error
	if uc.Updated, err = uc.Eligible.Add(b.BudgetUpdate); err != nil {
		return UnitCost{}, fmt.Errorf("money: budget_update: %w", err)
	}
	if uc.Updated <= 0 {
		return UnitCost{}, invalid("lines", "", ErrOutOfRange, "the updated cost must be positive, not "+uc.Updated.Plain())
	}
	if b.Units.Sign() <= 0 {
		return UnitCost{}, invalid("units", "", ErrOutOfRange, "units must be positive, not "+b.Units.String())
	}
	uc.PerUnit = uc.Updated.Euros().Quo(b.Units)
	return uc, nil
}

// Explain returns the computation in French, line by line.
func (uc UnitCost) Explain() []string {
	unit := uc.Basis.Unit
	if unit == "" {
		unit = "unité"
	}
	var lines []string
	if uc.Basis.Source != "" {
		lines = append(lines, "Source : "+uc.Basis.Source+".")
	}
	for _, l := range uc.Basis.Lines {
		if l.Eligible {
			lines = append(lines, fmt.Sprintf("%s : %s, retenu.", l.Label, l.Amount))
		} else {
			reason := ""
			if l.Reason != "" {
				reason = " (" + l.Reason + ")"
			}
			lines = append(lines, fmt.Sprintf("%s : %s, exclu%s.", l.Label, l.Amount, reason))
		}
	}
	lines = append(lines, fmt.Sprintf("Dépenses retenues : %s (exclues : %s).", uc.Eligible, uc.Excluded))
	if uc.Basis.BudgetUpdate != 0 {
		reason := ""
		if uc.Basis.BudgetUpdateReason != "" {
			reason = " (" + uc.Basis.BudgetUpdateReason + ")"
		}
		lines = append(lines, fmt.Sprintf("Actualisation au budget primitif%s : %s → %s.", reason, uc.Basis.BudgetUpdate, uc.Updated))
	}
	lines = append(lines, fmt.Sprintf("Coût unitaire : %s / %s = %s\u00a0€/%s.",
		uc.Updated, frenchRat(uc.Basis.Units), frenchEuros(uc.PerUnit), unit))
	return lines
}
