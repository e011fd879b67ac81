package money_test

import (
	"errors"
	"testing"

	"voisines/internal/money"
)

func TestRound(t *testing.T) {
	// Each row: an exact number of cents and its rounding in every mode.
	for _, c := range []struct {
		name                       string
		cents                      money.Rat
		halfUp, halfEven, down, up money.Cents
	}{
		{"a whole cent is left alone", money.IntRat(7), 7, 7, 7, 7},
		{"below a half cent", money.NewRat(124, 10), 12, 12, 12, 13},
		{"exactly a half cent after an even cent", money.NewRat(125, 10), 13, 12, 12, 13},
		{"exactly a half cent after an odd cent", money.NewRat(135, 10), 14, 14, 13, 14},
		{"above a half cent", money.NewRat(126, 10), 13, 13, 12, 13},
		{"a negative half cent is symmetric", money.NewRat(-125, 10), -13, -12, -12, -13},
		{"a negative odd half cent", money.NewRat(-135, 10), -14, -14, -13, -14},
		{"a small negative fraction", money.NewRat(-1, 3), 0, 0, 0, -1},
		{"example 9, 2,861,204.0816 cents", money.NewRat(140199000, 49), 2861204, 2861204, 2861204, 2861205},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, m := range []struct {
				mode money.Rounding
				want money.Cents
			}{{money.RoundHalfUp, c.halfUp}, {money.RoundHalfEven, c.halfEven}, {money.RoundDown, c.down}, {money.RoundUp, c.up}} {
				got, err := money.Round(c.cents, m.mode)
				if err != nil {
					t.Fatal(err)
				}
				if got != m.want {
					t.Errorf("%s of %s: got %d want %d", m.mode, c.cents, got, m.want)
				}
			}
		})
	}
	t.Run("an unknown mode is refused", func(t *testing.T) {
		if _, err := money.Round(money.IntRat(1), "NEAREST"); !errors.Is(err, money.ErrUnknownRounding) {
			t.Errorf("got %v want ErrUnknownRounding", err)
		}
	})
	t.Run("a result beyond the range overflows", func(t *testing.T) {
		huge := money.MaxCents.Rat().Add(money.NewRat(1, 2))
		if _, err := money.Round(huge, money.RoundHalfUp); !errors.Is(err, money.ErrOverflow) {
			t.Errorf("got %v want ErrOverflow", err)
		}
		if got, err := money.Round(huge, money.RoundDown); err != nil || got != money.MaxCents {
			t.Errorf("truncating: got %d, %v want MaxCents", got, err)
		}
	})
}
