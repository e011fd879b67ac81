package money

import (
	"cmp"
	"math"
	"math/big"
	"math/bits"
	"strconv"
	"strings"
	"unicode"
)

// Rat is an exact rational number: a weight, a share, a count of units, a
// unit cost. It is immutable — every operation returns a new value — so one
// Rat can be shared by a key, a statement and its explanation without
// copying. The zero value is 0. In JSON it is a string, "3/7" or "12".
//
// A Rat whose numerator and denominator fit in machine integers (nearly
// every weight, share and quantity a convention holds) is computed with
// them, without allocating; an operation that would overflow is redone with
// math/big, and its result goes back to machine integers when it fits. The
// form is canonical — a value has exactly one representation — so two equal
// Rats are equal field by field too.
type Rat struct {
	// The small form, used when r is nil: num/(den1+1) in lowest terms,
	// with num ≠ math.MinInt64 (so it can be negated) and a positive
	// denominator. Storing the denominator minus one makes the zero value
	// 0/1.
	num, den1 int64
	// r holds, never modified, a value that does not fit the small form.
	r *big.Rat
}

// small returns x's numerator and denominator when x has the small form.
func (x Rat) small() (num, den int64, ok bool) { return x.num, x.den1 + 1, x.r == nil }

// smallRat returns num/den, which must be in lowest terms with den > 0 and
// num ≠ math.MinInt64.
func smallRat(num, den int64) Rat { return Rat{num: num, den1: den - 1} }

// fracRat returns num/den (den ≠ 0) in canonical form.
func fracRat(num, den int64) Rat {
	if den < 0 {
		if num == math.MinInt64 || den == math.MinInt64 {
			return fromBig(new(big.Rat).SetFrac(big.NewInt(num), big.NewInt(den)))
		}
		num, den = -num, -den
	}
	g := int64(gcd64(absU(num), uint64(den)))
	num, den = num/g, den/g
	if num == math.MinInt64 {
		return Rat{r: new(big.Rat).SetFrac64(num, den)}
	}
	return smallRat(num, den)
}

// fromBig returns b as a Rat, taking ownership of it: in the small form when
// it fits.
func fromBig(b *big.Rat) Rat {
	n, d := b.Num(), b.Denom()
	if n.IsInt64() && d.IsInt64() {
		if num := n.Int64(); num != math.MinInt64 {
			return smallRat(num, d.Int64())
		}
	}
	return Rat{r: b}
}

// big returns x as a *big.Rat, which must never be modified: x's own for a
// big value, a new one for a small value.
func (x Rat) big() *big.Rat {
	if x.r != nil {
		return x.r
	}
	return new(big.Rat).SetFrac64(x.num, x.den1+1)
}

func absU(n int64) uint64 {
	if n < 0 {
		return uint64(-n) // n ≠ MinInt64 for a small Rat; -MinInt64 wraps to 2^63 anyway
	}
	return uint64(n)
}

// mul64 returns a × b, and false on overflow or a result of MinInt64.
func mul64(a, b int64) (int64, bool) {
	if a == 0 || b == 0 {
		return 0, true
	}
	p := a * b
	if p/b != a || p == math.MinInt64 || (a == -1 && b == math.MinInt64) || (b == -1 && a == math.MinInt64) {
		return 0, false
	}
	return p, true
}

// add64 returns a + b, and false on overflow or a result of MinInt64.
func add64(a, b int64) (int64, bool) {
	s := a + b
	if (a >= 0) == (b >= 0) && (s >= 0) != (a >= 0) || s == math.MinInt64 {
		return 0, false
	}
	return s, true
}

// NewRat returns num/den. It panics if den is 0, like math/big.
func NewRat(num, den int64) Rat {
	if den == 0 {
		panic("division by zero")
	}
	return fracRat(num, den)
}

// IntRat returns n as a Rat.
func IntRat(n int64) Rat {
	if n == math.MinInt64 {
		return Rat{r: new(big.Rat).SetInt64(n)}
	}
	return smallRat(n, 1)
}

// RatFromBig returns a copy of r as a Rat.
func RatFromBig(r *big.Rat) Rat { return fromBig(new(big.Rat).Set(r)) }

// Big returns a copy of x as a *big.Rat the caller may modify.
func (x Rat) Big() *big.Rat {
	if x.r != nil {
		return new(big.Rat).Set(x.r)
	}
	return x.big()
}

// Add returns x + y.
func (x Rat) Add(y Rat) Rat {
	if r, ok := addSmall(x, y, false); ok {
		return r
	}
	return fromBig(new(big.Rat).Add(x.big(), y.big()))
}

// Sub returns x − y.
func (x Rat) Sub(y Rat) Rat {
	if r, ok := addSmall(x, y, true); ok {
		return r
	}
	return fromBig(new(big.Rat).Sub(x.big(), y.big()))
}

// addSmall returns x + y, or x − y when sub, in machine integers, and false
// when either is big or the result overflows (Knuth, TAOCP 4.5.1: with
// g = gcd(b, d), a/b + c/d = (a·d/g + c·b/g) / (b·d/g), reduced by the gcd
// of the numerator and g only).
func addSmall(x, y Rat, sub bool) (Rat, bool) {
	a, b, ok1 := x.small()
	c, d, ok2 := y.small()
	if !ok1 || !ok2 {
		return Rat{}, false
	}
	if sub {
		c = -c // c ≠ MinInt64
	}
	if b == 1 && d == 1 {
		s, ok := add64(a, c)
		return smallRat(s, 1), ok
	}
	g := int64(gcd64(uint64(b), uint64(d)))
	ad, ok1 := mul64(a, d/g)
	cb, ok2 := mul64(c, b/g)
	t, ok3 := add64(ad, cb)
	if !ok1 || !ok2 || !ok3 {
		return Rat{}, false
	}
	if g == 1 {
		den, ok := mul64(b, d)
		return smallRat(t, den), ok
	}
	if t == 0 {
		return Rat{}, true
	}
	g2 := int64(gcd64(absU(t), uint64(g)))
	den, ok := mul64(b/g, d/g2)
	return smallRat(t/g2, den), ok
}

// Mul returns x × y.
func (x Rat) Mul(y Rat) Rat {
	a, b, ok1 := x.small()
	c, d, ok2 := y.small()
	if ok1 && ok2 {
		if r, ok := mulSmall(a, b, c, d); ok {
			return r
		}
	}
	return fromBig(new(big.Rat).Mul(x.big(), y.big()))
}

// mulSmall returns a/b × c/d, both in lowest terms, or false on overflow.
func mulSmall(a, b, c, d int64) (Rat, bool) {
	g1 := int64(gcd64(absU(a), uint64(d)))
	g2 := int64(gcd64(absU(c), uint64(b)))
	num, ok1 := mul64(a/g1, c/g2)
	den, ok2 := mul64(b/g2, d/g1)
	if !ok1 || !ok2 {
		return Rat{}, false
	}
	if num == 0 {
		return Rat{}, true
	}
	return smallRat(num, den), true
}

// Quo returns x / y. It panics if y is 0, like math/big; the functions of
// this package check divisors first and return an error instead.
func (x Rat) Quo(y Rat) Rat {
	a, b, ok1 := x.small()
	c, d, ok2 := y.small()
	if ok1 && ok2 {
		if c == 0 {
			panic("division by zero")
		}
		if c < 0 {
			c, d = -c, -d // c ≠ MinInt64, d ≥ 1
		}
		if r, ok := mulSmall(a, b, d, c); ok {
			return r
		}
	}
	return fromBig(new(big.Rat).Quo(x.big(), y.big()))
}

// Cmp compares x and y and returns -1, 0 or +1.
func (x Rat) Cmp(y Rat) int {
	a, b, ok1 := x.small()
	c, d, ok2 := y.small()
	if !ok1 || !ok2 {
		return x.big().Cmp(y.big())
	}
	if b == d {
		return cmp.Compare(a, c)
	}
	sa, sc := sign64(a), sign64(c)
	if sa != sc || sa == 0 {
		return cmp.Compare(sa, sc)
	}
	// Same sign: compare |a|·d with |c|·b in 128 bits.
	h1, l1 := bits.Mul64(absU(a), uint64(d))
	h2, l2 := bits.Mul64(absU(c), uint64(b))
	r := cmp.Compare(h1, h2)
	if r == 0 {
		r = cmp.Compare(l1, l2)
	}
	return r * sa
}

func sign64(n int64) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}

// Sign returns -1, 0 or +1.
func (x Rat) Sign() int {
	if x.r == nil {
		return sign64(x.num)
	}
	return x.r.Sign()
}

// IsInt reports whether x is a whole number.
func (x Rat) IsInt() bool { return x.r == nil && x.den1 == 0 || x.r != nil && x.r.IsInt() }

// Num returns a copy of x's numerator in lowest terms (sign included).
func (x Rat) Num() *big.Int {
	if x.r == nil {
		return big.NewInt(x.num)
	}
	return new(big.Int).Set(x.r.Num())
}

// Denom returns a copy of x's denominator in lowest terms (always > 0).
func (x Rat) Denom() *big.Int {
	if x.r == nil {
		return big.NewInt(x.den1 + 1)
	}
	return new(big.Int).Set(x.r.Denom())
}

// String returns x in lowest terms as "num/den", or "num" for a whole number.
func (x Rat) String() string {
	if x.r != nil {
		return x.r.RatString()
	}
	if x.den1 == 0 {
		return strconv.FormatInt(x.num, 10)
	}
	return strconv.FormatInt(x.num, 10) + "/" + strconv.FormatInt(x.den1+1, 10)
}

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
func (x Rat) MarshalText() ([]byte, error) {
	if x.r != nil {
		return []byte(x.r.RatString()), nil
	}
	b := strconv.AppendInt(make([]byte, 0, 24), x.num, 10)
	if x.den1 != 0 {
		b = strconv.AppendInt(append(b, '/'), x.den1+1, 10)
	}
	return b, nil
}

// UnmarshalText implements encoding.TextUnmarshaler with ParseRat's rules
// but a far larger size limit, so that every Rat written by MarshalText reads
// back — a fraction in lowest terms can be twice as long as the decimal it
// came from.
func (x *Rat) UnmarshalText(text []byte) error {
	if r, ok := parseSmallRat(text); ok {
		*x = r
		return nil
	}
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
	if r, ok := parseSmallRat(s); ok {
		return r, nil
	}
	return parseBigRat(s)
}

// parseBigRat is parseRat with math/big, for every form.
func parseBigRat(s string) (Rat, error) {
	fail := func(reason string) (Rat, error) {
		return Rat{}, &ParseError{Input: s, Rule: ErrSyntax, Reason: reason}
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
	return fromBig(r), nil
}

// parseSmallRat reads the plain forms MarshalText writes, "-12" and "3/7",
// when both parts have at most 18 digits (so they fit an int64), without
// math/big; it returns false for anything else, which parseRat then reads
// (or refuses) by the general rules, to the same value.
func parseSmallRat[T string | []byte](s T) (Rat, bool) {
	digits := func(s T) (int64, bool) {
		if len(s) == 0 || len(s) > 18 {
			return 0, false
		}
		var n int64
		for i := 0; i < len(s); i++ {
			c := s[i]
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int64(c-'0')
		}
		return n, true
	}
	neg := len(s) > 0 && s[0] == '-'
	if neg {
		s = s[1:]
	}
	numPart, denPart := s, s[:0]
	for i := 0; i < len(s); i++ {
		if s[i] == '/' {
			numPart, denPart = s[:i], s[i+1:]
			break
		}
	}
	num, ok := digits(numPart)
	if !ok {
		return Rat{}, false
	}
	if neg {
		num = -num
	}
	if len(denPart) == 0 && len(numPart) == len(s) {
		return smallRat(num, 1), true
	}
	den, ok := digits(denPart)
	if !ok || den == 0 {
		return Rat{}, false
	}
	return fracRat(num, den), true
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
