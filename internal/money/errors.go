package money

import (
	"errors"
	"strconv"
	"strings"
)

// The rules a computation can break. Errors returned by this package wrap one
// of them, so callers can test with errors.Is and show their own message.
var (
	ErrOverflow        = errors.New("amount out of range")
	ErrSyntax          = errors.New("not a number")
	ErrTooManyDecimals = errors.New("more than 2 decimals")
	ErrNoParties       = errors.New("no parties")
	ErrDuplicate       = errors.New("listed twice")
	ErrUnknownParty    = errors.New("party not among the parties")
	ErrMissingFigure   = errors.New("no figure for this party")
	ErrNegative        = errors.New("negative value")
	ErrNotInteger      = errors.New("not a whole number")
	ErrZeroTotal       = errors.New("total weight is zero")
	ErrNotOne          = errors.New("does not sum to exactly 1")
	ErrOutOfRange      = errors.New("out of range")
	ErrNotApplicable   = errors.New("not used by this kind of key")
	ErrUnknownKind     = errors.New("unknown key kind")
	ErrUnknownUnitType = errors.New("unit type has no weight")
	ErrNestedMix       = errors.New("a mix cannot contain a mix")
	ErrRequired        = errors.New("required")
	ErrUnknownRounding = errors.New("unknown rounding mode")
)

// Error is a validation error naming the field, the party when there is one,
// and the rule broken, so a form, the API and the CLI can all point at it.
type Error struct {
	Field  string // e.g. "figures", "parts[1].weight", "units"
	Party  string // the party concerned, if any
	Rule   error  // one of the Err… values above
	Detail string // e.g. "sum is 11/12"
}

// Error reads "money: field: party "X": rule (detail)".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("money: ")
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	if e.Party != "" {
		b.WriteString("party ")
		b.WriteString(quote(e.Party))
		b.WriteString(": ")
	}
	b.WriteString(e.Rule.Error())
	if e.Detail != "" {
		b.WriteString(" (")
		b.WriteString(e.Detail)
		b.WriteString(")")
	}
	return b.String()
}

// Unwrap returns the rule, for errors.Is.
func (e *Error) Unwrap() error { return e.Rule }

func invalid(field, party string, rule error, detail string) error {
	return &Error{Field: field, Party: party, Rule: rule, Detail: detail}
}

// ParseError reports input that could not be read as an amount or a number.
type ParseError struct {
	Input  string
	Rule   error  // ErrSyntax, ErrTooManyDecimals or ErrOverflow
	Reason string // what exactly is wrong, e.g. `unexpected character "x"`
}

// Error reads "money: cannot read "input": rule: reason".
func (e *ParseError) Error() string {
	msg := "money: cannot read " + quote(e.Input) + ": " + e.Rule.Error()
	if e.Reason != "" {
		msg += ": " + e.Reason
	}
	return msg
}

// Unwrap returns the rule, for errors.Is.
func (e *ParseError) Unwrap() error { return e.Rule }

func quote(s string) string {
	const max = 40
	r := []rune(s)
	if len(r) > max {
		s = string(r[:max]) + "…"
	}
	return strconv.Quote(s)
}
