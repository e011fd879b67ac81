package agreement

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// Fraction is an exact non-negative ratio such as a quotité of 10/35 (ten
// hours out of thirty-five) or an undivided share of 3/7. It is written
// "10/35" in JSON and forms; a whole number "1" means 1/1. The money package
// turns it into its own rational with Num and Den.
type Fraction struct {
	Num int64
	Den int64
}

// IsZero reports whether f is unset.
func (f Fraction) IsZero() bool { return f == Fraction{} }

// Valid reports whether f is a ratio with a positive denominator and a
// non-negative numerator.
func (f Fraction) Valid() bool { return f.Den > 0 && f.Num >= 0 }

// Rat returns f as a big.Rat; f must be Valid.
func (f Fraction) Rat() *big.Rat { return big.NewRat(f.Num, f.Den) }

// String returns "10/35", or "" for the zero Fraction.
func (f Fraction) String() string {
	if f.IsZero() {
		return ""
	}
	return strconv.FormatInt(f.Num, 10) + "/" + strconv.FormatInt(f.Den, 10)
}

// Percent returns f as a French percentage rounded to two decimals: "28,57 %".
func (f Fraction) Percent() string {
	if !f.Valid() {
		return ""
	}
	p := new(big.Rat).Mul(f.Rat(), big.NewRat(100, 1))
	s := strings.TrimRight(strings.TrimRight(p.FloatString(2), "0"), ".")
	return strings.Replace(s, ".", ",", 1) + " %"
}

// ParseFraction reads "3/7" or a whole number "1".
func ParseFraction(s string) (Fraction, error) {
	num, den, found := strings.Cut(strings.TrimSpace(s), "/")
	n, err := strconv.ParseInt(strings.TrimSpace(num), 10, 64)
	if err != nil {
		return Fraction{}, fmt.Errorf("agreement: %q n'est pas une fraction de la forme 3/7", s)
	}
	d := int64(1)
	if found {
		if d, err = strconv.ParseInt(strings.TrimSpace(den), 10, 64); err != nil {
			return Fraction{}, fmt.Errorf("agreement: %q n'est pas une fraction de la forme 3/7", s)
		}
	}
	f := Fraction{Num: n, Den: d}
	if !f.Valid() {
		return Fraction{}, fmt.Errorf("agreement: %q n'est pas une fraction positive de dénominateur non nul", s)
	}
	return f, nil
}

// MarshalText writes "3/7".
func (f Fraction) MarshalText() ([]byte, error) { return []byte(f.String()), nil }

// UnmarshalText reads "3/7"; the empty string is the zero Fraction.
func (f *Fraction) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*f = Fraction{}
		return nil
	}
	p, err := ParseFraction(string(b))
	if err != nil {
		return err
	}
	*f = p
	return nil
}
