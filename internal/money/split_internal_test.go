package money

import (
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestMachineAndBigIntegerSplitsAgree checks the uint64 fast path of the
// largest-remainder method against the arbitrary-precision one.
func TestMachineAndBigIntegerSplitsAgree(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	fast := 0
	for c := range 3000 {
		n := 1 + rng.IntN(15)
		weights := make([]int64, n)
		var total int64
		for i := range weights {
			switch rng.IntN(3) {
			case 0:
				weights[i] = rng.Int64N(4)
			case 1:
				weights[i] = rng.Int64N(1_000_000)
			default:
				weights[i] = rng.Int64N(1 << 40)
			}
			total += weights[i]
		}
		if total == 0 {
			weights[0], total = 1, 1
		}
		shares := make([]*big.Rat, n)
		for i, w := range weights {
			shares[i] = big.NewRat(w, total)
		}
		abs := rng.Int64N(1 << 62)
		if rng.IntN(2) == 0 {
			abs = rng.Int64N(int64(3*n + 1))
		}
		neg := rng.IntN(2) == 0
		a, ok := largestRemainder64(uint64(abs), neg, rats(shares))
		if !ok {
			continue
		}
		fast++
		b := largestRemainderBig(abs, neg, rats(shares))
		if !a.sumIsOne || !b.sumIsOne || !slices.Equal(a.floors, b.floors) || !slices.Equal(a.order, b.order) {
			t.Fatalf("case %d: got floors %v order %v want %v %v", c, a.floors, a.order, b.floors, b.order)
		}
		for i := range a.remainders {
			if a.remainders[i].Cmp(b.remainders[i]) != 0 {
				t.Fatalf("case %d: remainder %d: got %s want %s", c, i, a.remainders[i], b.remainders[i])
			}
		}
	}
	if fast < 2000 {
		t.Errorf("fast path taken in %d cases, want most of 3000", fast)
	}
}

func TestReducedRatIsInLowestTerms(t *testing.T) {
	for _, c := range []struct {
		num, den uint64
		neg      bool
		want     string
	}{
		{0, 7, false, "0"}, {0, 7, true, "0"}, {6, 8, false, "3/4"}, {6, 8, true, "-3/4"}, {5, 5, false, "1"},
		{1<<62 - 2, 1<<63 - 4, false, "1/2"},
	} {
		got := reducedRat(c.num, c.den, c.neg)
		want, _ := new(big.Rat).SetString(c.want)
		if got.String() != c.want || got.big().Cmp(want) != 0 || got.Denom().Sign() <= 0 {
			t.Errorf("reducedRat(%d, %d, %v): got %s want %s", c.num, c.den, c.neg, got, c.want)
		}
		if again := new(big.Rat).SetFrac(got.Num(), got.Denom()); again.Num().Cmp(got.Num()) != 0 || again.Denom().Cmp(got.Denom()) != 0 {
			t.Errorf("reducedRat(%d, %d, %v) = %s is not in lowest terms", c.num, c.den, c.neg, got)
		}
	}
}

func TestBigIntegerSplitTakesOverForHugeDenominators(t *testing.T) {
	// Shares over two coprime denominators near 2^40 need a common
	// denominator beyond 2^63.
	p, q := int64(1<<40-87), int64(1<<40-167)
	shares := []*big.Rat{big.NewRat(1, p), big.NewRat(1, q)}
	third := new(big.Rat).Sub(big.NewRat(1, 1), new(big.Rat).Add(shares[0], shares[1]))
	shares = append(shares, third)
	if _, ok := largestRemainder64(100, false, rats(shares)); ok {
		t.Fatal("got the fast path want the big-integer one")
	}
	a, err := Allocate(MaxCents, Shares{Parties: []PartyShare{
		{Party: "A", Share: RatFromBig(shares[0])}, {Party: "B", Share: RatFromBig(shares[1])}, {Party: "C", Share: RatFromBig(shares[2])},
	}})
	if err != nil {
		t.Fatal(err)
	}
	var sum Cents
	for _, v := range a.Amounts() {
		sum += v
	}
	if sum != MaxCents {
		t.Errorf("got sum %d want %d", sum, MaxCents)
	}
}

func rats(bs []*big.Rat) []Rat {
	out := make([]Rat, len(bs))
	for i, b := range bs {
		out[i] = RatFromBig(b)
	}
	return out
}
