// Package money holds Voisines' money rules: amounts in integer cents, exact
// rational weights and shares, cost-sharing keys (clés de répartition), the
// two computation modes of domain.md §9.2 — allocation of a total by the
// largest-remainder method and unit-price billing with explicit rounding —
// and the pure formulas behind them (D5211-16 unit cost, staff secondment pro
// rata). Every computation returns, besides its amounts, the figures that
// explain it, so a statement can print how each cent was obtained.
//
// The package is pure Go: no I/O, no database, and no binary floating point
// anywhere (a test enforces it). Amounts are Cents; weights, shares, units and
// unit costs are Rat, an exact rational.
package money

import (
	"math"
)

// Cents is an amount of money in euro cents. The valid range is
// ±math.MaxInt64: checked operations refuse math.MinInt64 so that every valid
// amount can be negated.
type Cents int64

// MaxCents is the largest amount a Cents can hold (about 92 million billion
// euros); -MaxCents is the smallest.
const MaxCents = Cents(math.MaxInt64)

// Add returns c + d, or ErrOverflow.
func (c Cents) Add(d Cents) (Cents, error) {
	s := c + d
	// Overflow happened iff both operands have the same sign and the sum's
	// sign differs; MinInt64 is out of range too.
	if (c >= 0) == (d >= 0) && (s >= 0) != (c >= 0) || s == math.MinInt64 {
		return 0, ErrOverflow
	}
	return s, nil
}

// Sub returns c − d, or ErrOverflow.
func (c Cents) Sub(d Cents) (Cents, error) {
	if d == math.MinInt64 {
		return 0, ErrOverflow
	}
	return c.Add(-d)
}

// Mul returns c × n, or ErrOverflow.
func (c Cents) Mul(n int64) (Cents, error) {
	if c == 0 || n == 0 {
		return 0, nil
	}
	if c == math.MinInt64 || n == math.MinInt64 {
		return 0, ErrOverflow
	}
	p := int64(c) * n
	if p/n != int64(c) || p == math.MinInt64 {
		return 0, ErrOverflow
	}
	return Cents(p), nil
}

// Sum returns the sum of amounts, or ErrOverflow if any partial sum leaves
// the valid range.
func Sum(amounts ...Cents) (Cents, error) {
	var s Cents
	for _, a := range amounts {
		var err error
		if s, err = s.Add(a); err != nil {
			return 0, err
		}
	}
	return s, nil
}

// Rat returns the amount as an exact rational number of cents.
func (c Cents) Rat() Rat { return IntRat(int64(c)) }

// Euros returns the amount as an exact rational number of euros.
func (c Cents) Euros() Rat { return NewRat(int64(c), 100) }

// MulRat returns c × r rounded to the cent with mode, together with the
// exact product in cents. It serves percentages applied to an amount (a 30 %
// call for funds, the 20 % minimum owner contribution, an FCTVA rate).
func (c Cents) MulRat(r Rat, mode Rounding) (Cents, Rat, error) {
	exact := c.Rat().Mul(r)
	amount, err := Round(exact, mode)
	return amount, exact, err
}
