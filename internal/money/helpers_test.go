package money_test

import (
	"testing"

	"voisines/internal/money"
)

// eur reads an amount written as in domain.md ("1 850,00", "47380.55").
func eur(t testing.TB, s string) money.Cents {
	t.Helper()
	c, err := money.Parse(s)
	if err != nil {
		t.Fatalf("eur(%q): %v", s, err)
	}
	return c
}

// rat reads an exact number ("3/7", "1,2", "62,5 %").
func rat(t testing.TB, s string) money.Rat {
	t.Helper()
	r, err := money.ParseRat(s)
	if err != nil {
		t.Fatalf("rat(%q): %v", s, err)
	}
	return r
}

func checkCents(t testing.TB, what string, got, want money.Cents) {
	t.Helper()
	if got != want {
		t.Errorf("%s: got %s want %s", what, got.Plain(), want.Plain())
	}
}

// checkDecimal compares x rounded to len(decimals of want) places with want,
// the way domain.md prints rounded figures ("70774.0214").
func checkDecimal(t testing.TB, what string, x money.Rat, want string) {
	t.Helper()
	places := 0
	for i := len(want) - 1; i >= 0 && want[i] != '.'; i-- {
		places++
	}
	if places == len(want) {
		places = 0
	}
	if got := x.Decimal(places); got != want {
		t.Errorf("%s: got %s (exactly %s) want %s", what, got, x, want)
	}
}
