package money

import (
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxInputLen bounds what the parsers read; the largest amount needs fewer
// than 40 bytes even with separators.
const maxInputLen = 100

// Parse reads an amount typed by a person or found in a file, in French or
// plain form: "1 234,56", "1234,56 €", "1234.56", "-12,5", "+3", "12 €",
// "−4,10" (typographic minus). Rules:
//   - the decimal separator is a comma or a point, never both in one amount;
//   - at most 2 decimals ("1,234" is refused, not guessed as 1 234);
//   - thousands may be separated by a space, a no-break space (U+00A0), a
//     narrow no-break space (U+202F) or a thin space (U+2009), in groups of
//     exactly three digits; a point or comma is never a thousands separator;
//   - an optional "€" or "EUR" may follow the number.
//
// Errors are *ParseError wrapping ErrSyntax, ErrTooManyDecimals or ErrOverflow.
func Parse(s string) (Cents, error) {
	fail := func(rule error, reason string) (Cents, error) {
		return 0, &ParseError{Input: s, Rule: rule, Reason: reason}
	}
	if len(s) > maxInputLen {
		return fail(ErrSyntax, "too long")
	}
	body := strings.TrimFunc(s, unicode.IsSpace)
	for _, suffix := range []string{"€", "EUR", "eur"} {
		if t, ok := strings.CutSuffix(body, suffix); ok {
			body = strings.TrimRightFunc(t, unicode.IsSpace)
			break
		}
	}
	d, reason := scanDecimal(body)
	if reason != "" {
		return fail(ErrSyntax, reason)
	}
	if len(d.frac) > 2 {
		return fail(ErrTooManyDecimals, strconv.Itoa(len(d.frac))+" decimals")
	}
	frac := d.frac + strings.Repeat("0", 2-len(d.frac))
	var v uint64
	for _, r := range d.whole + frac {
		digit := uint64(r - '0')
		if v > (math.MaxInt64-digit)/10 {
			return fail(ErrOverflow, "")
		}
		v = v*10 + digit
	}
	if d.neg {
		return -Cents(v), nil
	}
	return Cents(v), nil
}

// decimal is a number as written: sign, digits before and after the decimal
// separator, separators removed.
type decimal struct {
	neg   bool
	whole string
	frac  string
}

// scanDecimal reads an optionally signed decimal number in French or plain
// form. It returns a non-empty reason when s is not one.
func scanDecimal(s string) (decimal, string) {
	var d decimal
	if s == "" {
		return d, "empty"
	}
	switch r, size := utf8.DecodeRuneInString(s); r {
	case '-', '\u2212':
		d.neg = true
		s = s[size:]
	case '+':
		s = s[size:]
	}
	if !utf8.ValidString(s) {
		return d, "invalid UTF-8"
	}
	commas, points := strings.Count(s, ","), strings.Count(s, ".")
	switch {
	case commas > 0 && points > 0:
		return d, "both a comma and a point; use one decimal separator and spaces between thousands"
	case commas > 1 || points > 1:
		return d, "more than one decimal separator; separate thousands with spaces"
	}
	whole, frac, hasPoint := strings.Cut(s, ",")
	if !hasPoint {
		whole, frac, hasPoint = strings.Cut(s, ".")
	}
	if hasPoint {
		if frac == "" {
			return d, "no digit after the decimal separator"
		}
		for _, r := range frac {
			if r < '0' || r > '9' {
				return d, "unexpected character " + strconv.QuoteRune(r) + " after the decimal separator"
			}
		}
	}
	if whole == "" && hasPoint {
		return d, "no digit before the decimal separator"
	}
	if whole == "" {
		return d, "no digit"
	}
	// Thousands separators may only sit between two digits; groups after the
	// first have exactly three digits.
	var digits strings.Builder
	groups := []int{0}
	afterSep := true // no separator allowed at the start
	for _, r := range whole {
		switch {
		case r >= '0' && r <= '9':
			digits.WriteRune(r)
			groups[len(groups)-1]++
			afterSep = false
		case isGroupSep(r):
			if afterSep {
				return d, "misplaced thousands separator"
			}
			groups = append(groups, 0)
			afterSep = true
		default:
			return d, "unexpected character " + strconv.QuoteRune(r)
		}
	}
	if afterSep {
		return d, "misplaced thousands separator"
	}
	if len(groups) > 1 {
		for i, n := range groups {
			if (i == 0 && n > 3) || (i > 0 && n != 3) {
				return d, "thousands must be grouped by three digits"
			}
		}
	}
	d.whole = digits.String()
	d.frac = frac
	return d, ""
}

func isGroupSep(r rune) bool {
	return r == ' ' || r == '\u00a0' || r == '\u202f' || r == '\u2009'
}
