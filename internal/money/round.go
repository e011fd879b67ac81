package money

import (
	"math"
	"math/big"
)

// Rounding is how an exact amount is brought to a whole number of cents. The
// convention must say which applies (domain.md §9.2); no statute does. Every
// mode is symmetric around zero: -x rounds to the negation of x's rounding.
type Rounding string

// The rounding modes. The names are stored on conventions and statements.
const (
	// RoundHalfUp rounds to the nearest cent, a half cent away from zero
	// (arrondi commercial: 0,125 → 0,13; -0,125 → -0,13). domain.md §9.2's
	// default for unit-price billing.
	RoundHalfUp Rounding = "HALF_UP"
	// RoundHalfEven rounds to the nearest cent, a half cent to the even cent
	// (0,125 → 0,12; 0,135 → 0,14).
	RoundHalfEven Rounding = "HALF_EVEN"
	// RoundDown truncates toward zero (0,129 → 0,12; -0,129 → -0,12).
	RoundDown Rounding = "DOWN"
	// RoundUp rounds away from zero (0,121 → 0,13; -0,121 → -0,13).
	RoundUp Rounding = "UP"
)

// Valid reports whether m is one of the rounding modes above.
func (m Rounding) Valid() bool {
	switch m {
	case RoundHalfUp, RoundHalfEven, RoundDown, RoundUp:
		return true
	}
	return false
}

// French names the mode as a statement prints it.
func (m Rounding) French() string {
	switch m {
	case RoundHalfUp:
		return "arrondi au centime le plus proche, la moitié s'arrondissant en s'éloignant de zéro"
	case RoundHalfEven:
		return "arrondi au centime le plus proche, la moitié s'arrondissant au centime pair"
	case RoundDown:
		return "troncature au centime, vers zéro"
	case RoundUp:
		return "arrondi au centime supérieur, en s'éloignant de zéro"
	}
	return string(m)
}

// Round rounds an exact number of cents to a whole number of cents with mode.
// It returns ErrUnknownRounding for an invalid mode and ErrOverflow when the
// result does not fit.
func Round(cents Rat, mode Rounding) (Cents, error) {
	if !mode.Valid() {
		return 0, invalid("rounding", "", ErrUnknownRounding, string(mode))
	}
	if num, den, ok := cents.small(); ok {
		return Cents(round64(num, den, mode)), nil // |result| ≤ |num| < 2^63
	}
	n := roundBig(cents.big().Num(), cents.big().Denom(), mode)
	if !n.IsInt64() || n.Int64() == math.MinInt64 {
		return 0, ErrOverflow
	}
	return Cents(n.Int64()), nil
}

// roundBig rounds num/den (den > 0) to an integer with mode.
func roundBig(num, den *big.Int, mode Rounding) *big.Int {
	q, r := new(big.Int).QuoRem(num, den, new(big.Int)) // q truncated toward zero
	if r.Sign() == 0 {
		return q
	}
	away := false // whether to move one step away from zero
	switch mode {
	case RoundUp:
		away = true
	case RoundDown:
	case RoundHalfUp, RoundHalfEven:
		twice := new(big.Int).Abs(r)
		twice.Lsh(twice, 1)
		switch twice.Cmp(den) {
		case 1:
			away = true
		case 0:
			away = mode == RoundHalfUp || q.Bit(0) == 1
		}
	}
	if away {
		if num.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	return q
}

// round64 rounds num/den (den > 0, num ≠ math.MinInt64) to an integer with
// mode, as roundBig does.
func round64(num, den int64, mode Rounding) int64 {
	q, r := num/den, num%den // q truncated toward zero, r of num's sign
	if r == 0 {
		return q
	}
	away := false
	switch mode {
	case RoundUp:
		away = true
	case RoundDown:
	case RoundHalfUp, RoundHalfEven:
		// Compare 2|r| with den without overflow: |r| < den ≤ MaxInt64.
		ar := uint64(r)
		if r < 0 {
			ar = uint64(-r)
		}
		switch twice := 2 * ar; {
		case twice > uint64(den):
			away = true
		case twice == uint64(den):
			away = mode == RoundHalfUp || q&1 != 0
		}
	}
	if away {
		if num < 0 {
			q--
		} else {
			q++
		}
	}
	return q
}
