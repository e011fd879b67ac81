package money

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// checkCanonical fails when x is not in its one representation: the small
// form, in lowest terms, whenever the value fits it.
func checkCanonical(t *testing.T, what string, x Rat) {
	t.Helper()
	if x.r == nil {
		if x.num == math.MinInt64 || x.den1 < 0 || x.den1 == math.MaxInt64 {
			t.Fatalf("%s: small form out of range: %d/%d+1", what, x.num, x.den1)
		}
		if g := gcd64(absU(x.num), uint64(x.den1+1)); g != 1 && !(x.num == 0 && x.den1 == 0) {
			t.Fatalf("%s: %d/%d not in lowest terms", what, x.num, x.den1+1)
		}
		return
	}
	n, d := x.r.Num(), x.r.Denom()
	if n.IsInt64() && d.IsInt64() && n.Int64() != math.MinInt64 {
		t.Fatalf("%s: %s is held by math/big but fits machine integers", what, x.r.RatString())
	}
}

// ratOperands draws numbers that stress the machine-integer path: small
// ones, ones near 2^31 and 2^62 (whose products and sums overflow), the
// extremes of int64, and big values.
func ratOperand(rng *rand.Rand) *big.Rat {
	pick := func() int64 {
		switch rng.IntN(6) {
		case 0:
			return rng.Int64N(20) - 10
		case 1:
			return rng.Int64N(1_000_000_000) - 500_000_000
		case 2:
			return rng.Int64N(1<<33) - 1<<32
		case 3:
			return math.MaxInt64 - rng.Int64N(5)
		case 4:
			return math.MinInt64 + rng.Int64N(5)
		default:
			return rng.Int64()>>rng.IntN(63) - rng.Int64()>>rng.IntN(63)
		}
	}
	num := big.NewInt(pick())
	den := big.NewInt(pick())
	if den.Sign() == 0 {
		den.SetInt64(1)
	}
	if rng.IntN(8) == 0 { // beyond int64
		num.Mul(num, big.NewInt(pick()|1))
	}
	return new(big.Rat).SetFrac(num, den)
}

// TestSmallRatAgreesWithMathBig checks every operation of the machine
// integer path against math/big, on operands chosen to overflow, and that
// every result is canonical.
func TestSmallRatAgreesWithMathBig(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	for i := range 20_000 {
		bx, by := ratOperand(rng), ratOperand(rng)
		x, y := RatFromBig(bx), RatFromBig(by)
		checkCanonical(t, "operand", x)
		if x.big().Cmp(bx) != 0 {
			t.Fatalf("case %d: RatFromBig(%s) = %s", i, bx.RatString(), x)
		}
		if x.String() != bx.RatString() {
			t.Fatalf("case %d: String: got %s want %s", i, x, bx.RatString())
		}
		for _, op := range []struct {
			name string
			got  Rat
			want *big.Rat
		}{
			{"add", x.Add(y), new(big.Rat).Add(bx, by)},
			{"sub", x.Sub(y), new(big.Rat).Sub(bx, by)},
			{"mul", x.Mul(y), new(big.Rat).Mul(bx, by)},
		} {
			checkCanonical(t, op.name, op.got)
			if op.got.big().Cmp(op.want) != 0 {
				t.Fatalf("case %d: %s %s %s: got %s want %s", i, x, op.name, y, op.got, op.want.RatString())
			}
		}
		if by.Sign() != 0 {
			got, want := x.Quo(y), new(big.Rat).Quo(bx, by)
			checkCanonical(t, "quo", got)
			if got.big().Cmp(want) != 0 {
				t.Fatalf("case %d: %s / %s: got %s want %s", i, x, y, got, want.RatString())
			}
		}
		if got, want := x.Cmp(y), bx.Cmp(by); got != want {
			t.Fatalf("case %d: Cmp(%s, %s): got %d want %d", i, x, y, got, want)
		}
		if x.Sign() != bx.Sign() || x.IsInt() != bx.IsInt() || x.Num().Cmp(bx.Num()) != 0 || x.Denom().Cmp(bx.Denom()) != 0 {
			t.Fatalf("case %d: sign, IsInt, Num or Denom of %s differ from math/big", i, x)
		}
		for _, mode := range []Rounding{RoundHalfUp, RoundHalfEven, RoundDown, RoundUp} {
			got, err := Round(x, mode)
			n := roundBig(bx.Num(), bx.Denom(), mode)
			if !n.IsInt64() || n.Int64() == math.MinInt64 {
				if err == nil {
					t.Fatalf("case %d: Round(%s, %s) = %d want an overflow", i, x, mode, got)
				}
				continue
			}
			if err != nil || int64(got) != n.Int64() {
				t.Fatalf("case %d: Round(%s, %s): got %d, %v want %s", i, x, mode, got, err, n)
			}
		}
	}
}

func TestSmallRatEdges(t *testing.T) {
	minR := new(big.Rat).SetInt64(math.MinInt64)
	for _, c := range []struct {
		name string
		got  Rat
		want string
	}{
		{"the zero value is 0", Rat{}, "0"},
		{"0/n is the zero value", NewRat(0, -7), "0"},
		{"a negative denominator moves its sign", NewRat(3, -6), "-1/2"},
		{"MinInt64 is held by math/big", IntRat(math.MinInt64), "-9223372036854775808"},
		{"MinInt64 over -1", NewRat(math.MinInt64, -1), "9223372036854775808"},
		{"MinInt64 over MinInt64", NewRat(math.MinInt64, math.MinInt64), "1"},
		{"MinInt64 over 2 is small", NewRat(math.MinInt64, 2), "-4611686018427387904"},
		{"MaxInt64 + 1 overflows to math/big", IntRat(math.MaxInt64).Add(IntRat(1)), "9223372036854775808"},
		{"and comes back", IntRat(math.MaxInt64).Add(IntRat(1)).Sub(IntRat(2)), "9223372036854775806"},
		{"a sum to zero is canonical", NewRat(1, 6).Sub(NewRat(2, 12)), "0"},
		{"−MaxInt64 − 1 is MinInt64", IntRat(-math.MaxInt64).Sub(IntRat(1)), "-9223372036854775808"},
		{"products over 2^63", NewRat(1<<40, 3).Mul(NewRat(1<<40, 5)), "1208925819614629174706176/15"},
		{"RatFromBig(MinInt64)", RatFromBig(minR), "-9223372036854775808"},
	} {
		t.Run(c.name, func(t *testing.T) {
			checkCanonical(t, c.name, c.got)
			if c.got.String() != c.want {
				t.Errorf("got %s want %s", c.got, c.want)
			}
		})
	}
	if NewRat(2, 4) != NewRat(1, 2) || IntRat(0) != (Rat{}) || NewRat(6, 3) != IntRat(2) {
		t.Error("equal values have different representations")
	}
}

func FuzzRatArithmetic(f *testing.F) {
	f.Add(int64(1), int64(3), int64(-5), int64(7))
	f.Add(int64(math.MaxInt64), int64(1), int64(1), int64(1))
	f.Add(int64(math.MinInt64), int64(-1), int64(math.MaxInt64), int64(math.MaxInt64-1))
	f.Add(int64(1<<40), int64(3), int64(1<<40), int64(5))
	f.Fuzz(func(t *testing.T, a, b, c, d int64) {
		if b == 0 || d == 0 {
			return
		}
		bx, by := new(big.Rat).SetFrac64(a, b), new(big.Rat).SetFrac64(c, d)
		x, y := NewRat(a, b), NewRat(c, d)
		for _, op := range []struct {
			name string
			got  Rat
			want *big.Rat
		}{
			{"operand x", x, bx},
			{"add", x.Add(y), new(big.Rat).Add(bx, by)},
			{"sub", x.Sub(y), new(big.Rat).Sub(bx, by)},
			{"mul", x.Mul(y), new(big.Rat).Mul(bx, by)},
		} {
			checkCanonical(t, op.name, op.got)
			if op.got.big().Cmp(op.want) != 0 {
				t.Fatalf("%s: got %s want %s", op.name, op.got, op.want.RatString())
			}
		}
		if c != 0 {
			got := x.Quo(y)
			checkCanonical(t, "quo", got)
			if got.big().Cmp(new(big.Rat).Quo(bx, by)) != 0 {
				t.Fatalf("quo: got %s", got)
			}
		}
		if x.Cmp(y) != bx.Cmp(by) {
			t.Fatalf("Cmp(%s, %s) = %d", x, y, x.Cmp(y))
		}
	})
}

// FuzzParseSmallRat checks that the machine-integer reading of "-12" and
// "3/7" gives what the general reading gives.
func FuzzParseSmallRat(f *testing.F) {
	for _, s := range []string{"12", "-3/7", "007", "-0", "1/0", "999999999999999999/2", "5/", "-", "4812/8704", "1/-2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fast, ok := parseSmallRat(s)
		if !ok {
			return
		}
		if b, ok := parseSmallRat([]byte(s)); !ok || b != fast {
			t.Fatalf("parseSmallRat(%q): string and bytes differ", s)
		}
		checkCanonical(t, s, fast)
		slow, err := parseBigRat(s)
		if err != nil || slow != fast {
			t.Fatalf("parseSmallRat(%q) = %s, general reading %s, %v", s, fast, slow, err)
		}
	})
}
