package money_test

import (
	"errors"
	"math"
	"testing"

	"voisines/internal/money"
)

func TestArithmetic(t *testing.T) {
	max := money.MaxCents
	for _, c := range []struct {
		name    string
		op      func() (money.Cents, error)
		want    money.Cents
		wantErr error
	}{
		{"adding two amounts gives their sum", func() (money.Cents, error) { return money.Cents(150).Add(250) }, 400, nil},
		{"adding past the maximum overflows", func() (money.Cents, error) { return max.Add(1) }, 0, money.ErrOverflow},
		{"adding below the minimum overflows", func() (money.Cents, error) { return (-max).Add(-1) }, 0, money.ErrOverflow},
		{"adding opposite extremes is fine", func() (money.Cents, error) { return max.Add(-max) }, 0, nil},
		{"subtracting gives the difference", func() (money.Cents, error) { return money.Cents(100).Sub(250) }, -150, nil},
		{"subtracting the minimum int64 overflows", func() (money.Cents, error) { return money.Cents(0).Sub(math.MinInt64) }, 0, money.ErrOverflow},
		{"subtracting below the minimum overflows", func() (money.Cents, error) { return (-max).Sub(1) }, 0, money.ErrOverflow},
		{"multiplying by a count gives the product", func() (money.Cents, error) { return money.Cents(-125).Mul(8) }, -1000, nil},
		{"multiplying past the maximum overflows", func() (money.Cents, error) { return (max / 2).Mul(3) }, 0, money.ErrOverflow},
		{"multiplying by zero is zero", func() (money.Cents, error) { return max.Mul(0) }, 0, nil},
		{"summing amounts adds them all", func() (money.Cents, error) { return money.Sum(1, 2, 3, -4) }, 2, nil},
		{"summing past the maximum overflows even if a later term would bring it back",
			func() (money.Cents, error) { return money.Sum(max, 1, -1) }, 0, money.ErrOverflow},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := c.op()
			if !errors.Is(err, c.wantErr) {
				t.Fatalf("error: got %v want %v", err, c.wantErr)
			}
			if got != c.want {
				t.Errorf("got %d want %d", got, c.want)
			}
		})
	}
}

func TestFormatting(t *testing.T) {
	const nnbsp, nbsp = "\u202f", "\u00a0"
	for _, c := range []struct {
		name   string
		amount money.Cents
		french string
		plain  string
	}{
		{"zero shows two decimals", 0, "0,00" + nbsp + "€", "0.00"},
		{"a few cents keep the leading zero", 5, "0,05" + nbsp + "€", "0.05"},
		{"hundreds have no thousands separator", 98765, "987,65" + nbsp + "€", "987.65"},
		{"thousands are separated by a narrow no-break space", 123456, "1" + nnbsp + "234,56" + nbsp + "€", "1234.56"},
		{"millions get two separators", 4738055_00, "4" + nnbsp + "738" + nnbsp + "055,00" + nbsp + "€", "4738055.00"},
		{"a deficit starts with a minus", -1250, "-12,50" + nbsp + "€", "-12.50"},
		{"the largest amount formats", money.MaxCents, "92" + nnbsp + "233" + nnbsp + "720" + nnbsp + "368" + nnbsp + "547" + nnbsp + "758,07" + nbsp + "€", "92233720368547758.07"},
		{"even the out-of-range minimum formats", math.MinInt64, "-92" + nnbsp + "233" + nnbsp + "720" + nnbsp + "368" + nnbsp + "547" + nnbsp + "758,08" + nbsp + "€", "-92233720368547758.08"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := c.amount.String(); got != c.french {
				t.Errorf("String: got %q want %q", got, c.french)
			}
			if got := c.amount.Plain(); got != c.plain {
				t.Errorf("Plain: got %q want %q", got, c.plain)
			}
		})
	}
}

func TestParse(t *testing.T) {
	for _, c := range []struct {
		name    string
		in      string
		want    money.Cents
		wantErr error
	}{
		{"a French amount with a space and a comma", "1 234,56", 123456, nil},
		{"a French amount with the euro sign", "1234,56 €", 123456, nil},
		{"a plain amount with a point", "1234.56", 123456, nil},
		{"one decimal means tens of cents", "-12,5", -1250, nil},
		{"a whole number of euros", "12", 1200, nil},
		{"an explicit plus sign", "+3", 300, nil},
		{"a typographic minus", "\u22124,10", -410, nil},
		{"narrow no-break spaces as printed by String", "1\u202f234\u202f567,89\u00a0€", 123456789, nil},
		{"no-break spaces between thousands", "12\u00a0345", 1234500, nil},
		{"EUR after the number", "10,00 EUR", 1000, nil},
		{"surrounding spaces", "  7,5  ", 750, nil},
		{"leading zeros", "007,05", 705, nil},
		{"minus zero is zero", "-0,00", 0, nil},
		{"the largest amount", "92233720368547758.07", money.MaxCents, nil},
		{"the smallest amount", "-92 233 720 368 547 758,07", -money.MaxCents, nil},

		{"three decimals are refused, not guessed as thousands", "1,234", 0, money.ErrTooManyDecimals},
		{"three decimals with a point are refused", "12.500", 0, money.ErrTooManyDecimals},
		{"one cent past the maximum overflows", "92233720368547758.08", 0, money.ErrOverflow},
		{"a huge number overflows", "99999999999999999999999", 0, money.ErrOverflow},
		{"the empty string is refused", "", 0, money.ErrSyntax},
		{"only spaces are refused", "   ", 0, money.ErrSyntax},
		{"only a euro sign is refused", "€", 0, money.ErrSyntax},
		{"a sign alone is refused", "-", 0, money.ErrSyntax},
		{"letters are refused", "12a", 0, money.ErrSyntax},
		{"a word is refused", "douze", 0, money.ErrSyntax},
		{"English grouping is refused", "1,234.56", 0, money.ErrSyntax},
		{"German grouping is refused", "1.234,56", 0, money.ErrSyntax},
		{"two decimal points are refused", "1.234.567", 0, money.ErrSyntax},
		{"a trailing separator is refused", "12,", 0, money.ErrSyntax},
		{"a leading separator is refused", ",5", 0, money.ErrSyntax},
		{"badly grouped thousands are refused", "12 34,5", 0, money.ErrSyntax},
		{"a first group of four digits is refused", "1234 567", 0, money.ErrSyntax},
		{"two spaces in a row are refused", "1  234", 0, money.ErrSyntax},
		{"a space inside the decimals is refused", "1,2 3", 0, money.ErrSyntax},
		{"a space after the sign is refused", "- 12", 0, money.ErrSyntax},
		{"two signs are refused", "--12", 0, money.ErrSyntax},
		{"an exponent is refused", "1e3", 0, money.ErrSyntax},
		{"a fraction is refused", "1/2", 0, money.ErrSyntax},
		{"a tab inside is refused", "1\t234", 0, money.ErrSyntax},
		{"input longer than any amount is refused", "1" + string(make([]byte, 200)), 0, money.ErrSyntax},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := money.Parse(c.in)
			if !errors.Is(err, c.wantErr) {
				t.Fatalf("Parse(%q): got error %v want %v", c.in, err, c.wantErr)
			}
			if err != nil {
				var pe *money.ParseError
				if !errors.As(err, &pe) || pe.Input != c.in {
					t.Errorf("Parse(%q): got %T %v want *ParseError naming the input", c.in, err, err)
				}
				return
			}
			if got != c.want {
				t.Errorf("Parse(%q): got %d want %d", c.in, got, c.want)
			}
		})
	}
}

func TestParseErrorsReadClearly(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"1,234", `money: cannot read "1,234": more than 2 decimals: 3 decimals`},
		{"1,234.56", `money: cannot read "1,234.56": not a number: both a comma and a point; use one decimal separator and spaces between thousands`},
		{"12x", `money: cannot read "12x": not a number: unexpected character 'x'`},
		{"92233720368547758.08", `money: cannot read "92233720368547758.08": amount out of range`},
	} {
		t.Run("the error for "+c.in+" says what is wrong", func(t *testing.T) {
			_, err := money.Parse(c.in)
			if err == nil || err.Error() != c.want {
				t.Errorf("got %v want %s", err, c.want)
			}
		})
	}
}

func TestMulRat(t *testing.T) {
	for _, c := range []struct {
		name   string
		amount money.Cents
		rate   string
		mode   money.Rounding
		want   money.Cents
	}{
		{"a percentage of an amount rounds half up", 1001, "50 %", money.RoundHalfUp, 501},
		{"the same percentage can truncate", 1001, "50 %", money.RoundDown, 500},
		{"a half cent goes to the even cent in half-even", 1001, "50 %", money.RoundHalfEven, 500},
		{"a negative amount rounds symmetrically", -1001, "50 %", money.RoundHalfUp, -501},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, _, err := c.amount.MulRat(rat(t, c.rate), c.mode)
			if err != nil {
				t.Fatal(err)
			}
			checkCents(t, "product", got, c.want)
		})
	}
}
