package money_test

import (
	"errors"
	"math"
	"math/big"
	"strings"
	"testing"

	"voisines/internal/money"
)

func FuzzParse(f *testing.F) {
	for _, s := range []string{"1 234,56", "1234,56 €", "1234.56", "-12,5", "+3", "\u22124,10", "1\u202f234,56\u00a0€",
		"92233720368547758.07", "92233720368547758.08", "1,234", "1.234,56", "12 34", "", "€", "- 1", "0,0", "10 EUR"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := money.Parse(s)
		if err != nil {
			var pe *money.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse(%q): got %T want *ParseError", s, err)
			}
			return
		}
		// Whatever was accepted formats back to the same amount.
		for _, form := range []string{c.String(), c.French(), c.Plain()} {
			back, err := money.Parse(form)
			if err != nil || back != c {
				t.Fatalf("Parse(%q) = %d, formatted %q, read back %d, %v", s, c, form, back, err)
			}
		}
		// And it is the number written, by an independent reading: drop
		// separators and currency, read with math/big.
		plain := strings.TrimSpace(s)
		for _, suffix := range []string{"€", "EUR", "eur"} {
			if cut, ok := strings.CutSuffix(plain, suffix); ok {
				plain = strings.TrimSpace(cut)
				break
			}
		}
		plain = strings.NewReplacer(" ", "", "\u00a0", "", "\u202f", "", "\u2009", "", ",", ".", "\u2212", "-").Replace(plain)
		want, ok := new(big.Rat).SetString(plain)
		if !ok {
			t.Fatalf("Parse(%q) = %d but big.Rat cannot read %q", s, c, plain)
		}
		want.Mul(want, big.NewRat(100, 1))
		if !want.IsInt() || want.Num().Int64() != int64(c) {
			t.Fatalf("Parse(%q) = %d want %s", s, c, want.RatString())
		}
	})
}

func FuzzFormatParseRoundTrip(f *testing.F) {
	for _, v := range []int64{0, 1, -1, 99, 100, 123456, -123456, math.MaxInt64, -math.MaxInt64} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v int64) {
		if v == math.MinInt64 {
			return
		}
		c := money.Cents(v)
		for _, form := range []string{c.String(), c.French(), c.Plain()} {
			back, err := money.Parse(form)
			if err != nil || back != c {
				t.Fatalf("%d formatted %q read back %d, %v", v, form, back, err)
			}
		}
	})
}

func FuzzParseRat(f *testing.F) {
	for _, s := range []string{"3/7", "-5/12", "1,2", "0.375", "62,5 %", "37.5%", "1 236,5", "1/0", "1e9", "4812/8704"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := money.ParseRat(s)
		if err != nil {
			if !errors.Is(err, money.ErrSyntax) {
				t.Fatalf("ParseRat(%q): got %v want ErrSyntax", s, err)
			}
			return
		}
		// What was read is stored as text and always reads back.
		text, err := r.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		var back money.Rat
		if err := back.UnmarshalText(text); err != nil || back.Cmp(r) != 0 {
			t.Fatalf("ParseRat(%q) = %s, read back %s, %v", s, r, back, err)
		}
	})
}
