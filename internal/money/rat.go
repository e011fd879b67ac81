package money

import (
	"math/big"
	"strconv"
	"strings"
	"unicode"
)

// Rat is an exact rational number: a weight, a share, a count of units, a
// unit cost. It is immutable — every operation returns a new value — so one
// Rat can be shared by a key, a statement and its explanation without
// copying. The zero value is 0. In JSON it is a string, "3/7" or "12".
type Rat struct{ r *big.Rat }

var zeroBig = new(big.Rat)

// big returns the underlying value, which must never be modified.
func (x Rat) big() *big.Rat {
	if x.r == nil {
		return zeroBig
	}
	return x.r
}

// NewRat returns num/den. It panics if den is 0, like math/big.
func NewRat(num, den int64) Rat { return Rat{big.NewRat(num, den)} }

// IntRat returns n as a Rat.
func IntRat(n int64) Rat { return Rat{new(big.Rat).SetInt64(n)} }

// RatFromBig returns a copy of r as a Rat.
func RatFromBig(r *big.Rat) Rat { return Rat{new(big.Rat).Set(r)} }

// Big returns a copy of x as a *big.Rat the caller may modify.
func (x Rat) Big() *big.Rat { return new(big.Rat).Set(x.big()) }

// Add returns x + y.
func (x Rat) Add(y Rat) Rat { return Rat{new(big.Rat).Add(x.big(), y.big())} }

// Sub returns x − y.
func (x Rat) Sub(y Rat) Rat { return Rat{new(big.Rat).Sub(x.big(), y.big())} }

// Mul returns x × y.
func (x Rat) Mul(y Rat) Rat { return Rat{new(big.Rat).Mul(x.big(), y.big())} }

// Quo returns x / y. It panics if y is 0, like math/big; the functions of
// this package check divisors first and return an error instead.
func (x Rat) Quo(y Rat) Rat { return Rat{new(big.Rat).Quo(x.big(), y.big())} }

// Cmp compares x and y and returns -1, 0 or +1.
func (x Rat) Cmp(y Rat) int { return x.big().Cmp(y.big()) }

// Sign returns -1, 0 or +1.
func (x Rat) Sign() int { return x.big().Sign() }

// IsInt reports whether x is a whole number.
func (x Rat) IsInt() bool { return x.big().IsInt() }

// Num returns a copy of x's numerator in lowest terms (sign included).
func (x Rat) Num() *big.Int { return new(big.Int).Set(x.big().Num()) }

// Denom returns a copy of x's denominator in lowest terms (always > 0).
func (x Rat) Denom() *big.Int { return new(big.Int).Set(x.big().Denom()) }

// String returns x in lowest terms as "num/den", or "num" for a whole number.
func (x Rat) String() string { return x.big().RatString() }

// Decimal returns x with places decimals, rounded half away from zero, in
// plain form ("0.5528"). It is for display only; computations use x itself.
func (x Rat) Decimal(places int) string { return x.decimal(places, "", ".") }

// French returns x with places decimals, rounded half away from zero, in
// French form ("4 812,5528"). It is for display only.
func (x Rat) French(places int) string { return x.decimal(places, thousandsSep, ",") }

func (x Rat) decimal(places int, group, point string) string {
	if places < 0 {
		places = 0
	}
	scale := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(places)), nil)
	scaled := new(big.Rat).Mul(x.big(), new(big.Rat).SetInt(scale))
	n := roundBig(scaled.Num(), scaled.Denom(), RoundHalfUp)
	neg := n.Sign() < 0
	digits := new(big.Int).Abs(n).String()
	if len(digits) <= places {
		digits = strings.Repeat("0", places-len(digits)+1) + digits
	}
	whole, frac := digits[:len(digits)-places], digits[len(digits)-places:]
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	b.WriteString(groupDigits(whole, group))
	if places > 0 {
		b.WriteString(point)
		b.WriteString(frac)
	}
	return b.String()
}

// exactDecimal returns x's exact decimal expansion when it has at most
// maxPlaces decimals (trailing zeros dropped), and false otherwise.
func (x Rat) exactDecimal(maxPlaces int, group, point string) (string, bool) {
	for places := 0; places <= maxPlaces; places++ {
		scale := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(places)), nil)
		if new(big.Rat).Mul(x.big(), new(big.Rat).SetInt(scale)).IsInt() {
			return x.decimal(places, group, point), true
		}
	}
	return "", false
}

// MarshalText implements encoding.TextMarshaler: "3/7", "12", "-5/2".
func (x Rat) MarshalText() ([]byte, error) { return []byte(x.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler with ParseRat's rules
// but a far larger size limit, so that every Rat written by MarshalText reads
// back — a fraction in lowest terms can be twice as long as the decimal it
// came from.
func (x *Rat) UnmarshalText(text []byte) error {
	r, err := parseRat(string(text), maxStoredRatLen)
	if err != nil {
		return err
	}
	*x = r
	return nil
}

// Size limits of ParseRat: for what a person types, and for stored JSON.
const (
	maxRatInputLen  = 200
	maxStoredRatLen = 1 << 16
)

// ParseRat reads an exact number: a fraction "3/7" or "-5/12", a decimal in
// French or plain form "1,2", "0.375", "1 234,5" (any number of decimals, same
// separator rules as Parse), or a percentage "37,5 %" or "62.5%". Exponents
// are refused and the input is at most 200 bytes, so a short input can never
// make a huge number.
func ParseRat(s string) (Rat, error) { return parseRat(s, maxRatInputLen) }

func parseRat(s string, maxLen int) (Rat, error) {
	fail := func(reason string) (Rat, error) {
		return Rat{}, &ParseError{Input: s, Rule: ErrSyntax, Reason: reason}
	}
	if len(s) > maxLen {
		return fail("too long")
	}
	body := strings.TrimFunc(s, unicode.IsSpace)
	body, percent := strings.CutSuffix(body, "%")
	if percent {
		body = strings.TrimRightFunc(body, unicode.IsSpace)
	}
	var r *big.Rat
	if num, den, ok := strings.Cut(body, "/"); ok {
		n, reason := scanInteger(num)
		if reason != "" {
			return fail("numerator: " + reason)
		}
		d, reason := scanInteger(den)
		if reason != "" {
			return fail("denominator: " + reason)
		}
		if d.Sign() == 0 {
			return fail("zero denominator")
		}
		r = new(big.Rat).SetFrac(n, d)
	} else {
		d, reason := scanDecimal(body)
		if reason != "" {
			return fail(reason)
		}
		n, _ := new(big.Int).SetString(d.whole+d.frac, 10)
		if d.neg {
			n.Neg(n)
		}
		den := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(len(d.frac))), nil)
		r = new(big.Rat).SetFrac(n, den)
	}
	if percent {
		r.Quo(r, big.NewRat(100, 1))
	}
	return Rat{r}, nil
}

// scanInteger reads an optionally signed whole number without separators.
func scanInteger(s string) (*big.Int, string) {
	s = strings.TrimFunc(s, unicode.IsSpace)
	d, reason := scanDecimal(s)
	if reason != "" {
		return nil, reason
	}
	if d.frac != "" || strings.ContainsAny(s, ".,") {
		return nil, "not a whole number"
	}
	n, _ := new(big.Int).SetString(d.whole, 10)
	if d.neg {
		n.Neg(n)
	}
	return n, ""
}

// frenchRat writes x for a French reader: exactly as a decimal when it has at
// most six decimals ("1,2", "4 812"), otherwise as a fraction followed by an
// approximation ("3/7 ≈ 0,428571").
func frenchRat(x Rat) string {
	if s, ok := x.exactDecimal(6, thousandsSep, ","); ok {
		return s
	}
	return frenchFraction(x) + " ≈ " + x.French(6)
}

// frenchFraction writes x in lowest terms as "num/den" with French digit
// grouping.
func frenchFraction(x Rat) string {
	num := x.big().Num()
	s := groupSigned(num.String())
	if x.IsInt() {
		return s
	}
	return s + "/" + groupDigits(x.big().Denom().String(), thousandsSep)
}

// frenchPercent writes a weight as a percentage when that is exact within
// four decimals ("50 %", "12,5 %"), otherwise via frenchRat.
func frenchPercent(x Rat) string {
	if s, ok := x.Mul(IntRat(100)).exactDecimal(4, thousandsSep, ","); ok {
		return s + "\u00a0%"
	}
	return frenchRat(x)
}

// frenchEuros writes an amount of euros held as a Rat: with two decimals
// when it is a whole number of cents ("22,00"), exactly up to six decimals
// ("361,581"), else as a fraction and an approximation.
func frenchEuros(x Rat) string {
	if x.Mul(IntRat(100)).IsInt() {
		return x.French(2)
	}
	return frenchRat(x)
}

func groupSigned(digits string) string {
	if strings.HasPrefix(digits, "-") {
		return "-" + groupDigits(digits[1:], thousandsSep)
	}
	return groupDigits(digits, thousandsSep)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
