package money_test

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"

	"voisines/internal/money"
)

// randomKey returns a key of a random kind over parties, with small figures
// so that equal shares (ties) are frequent.
func randomKey(rng *rand.Rand, parties []string) money.Key {
	smallInts := func() []int64 {
		v := make([]int64, len(parties))
		var sum int64
		for i := range v {
			v[i] = rng.Int64N(5)
			sum += v[i]
		}
		if sum == 0 {
			v[rng.IntN(len(v))] = 1 + rng.Int64N(3)
		}
		return v
	}
	figs := func(v []int64, den int64) []money.Figure {
		fs := make([]money.Figure, len(v))
		for i, x := range v {
			fs[i] = money.Figure{Party: parties[i], Value: money.NewRat(x, den)}
		}
		return fs
	}
	switch rng.IntN(6) {
	case 0:
		return money.Key{Kind: money.KeyEqual}
	case 1:
		v := smallInts()
		if rng.IntN(2) == 0 { // sometimes realistic populations
			for i := range v {
				v[i] = rng.Int64N(200_000)
			}
			v[0]++
		}
		return money.Key{Kind: money.KeyPopulation, Measure: money.PopulationDGF, Vintage: "2026", Figures: figs(v, 1)}
	case 2:
		v := smallInts()
		var sum int64
		for _, x := range v {
			sum += x
		}
		return money.Key{Kind: money.KeyFixed, Figures: figs(v, sum)}
	case 3:
		return money.Key{Kind: money.KeyValue, Measure: "km de voirie", Figures: figs(smallInts(), 10)}
	case 4:
		k := money.Key{Kind: money.KeyUsage, UnitWeights: []money.UnitWeight{
			{Type: "PC", Weight: money.IntRat(1)}, {Type: "PA", Weight: money.NewRat(6, 5)}, {Type: "DP", Weight: money.NewRat(7, 10)}}}
		for i, x := range smallInts() {
			k.Usage = append(k.Usage, money.Usage{Party: parties[i], Type: k.UnitWeights[rng.IntN(3)].Type, Units: money.IntRat(x)})
		}
		return k
	default:
		a, b := 1+rng.Int64N(9), 1+rng.Int64N(9)
		return money.Key{Kind: money.KeyMix, Parts: []money.Part{
			{Weight: money.NewRat(a, a+b), Key: money.Key{Kind: money.KeyValue, Measure: "potentiel financier", Figures: figs(smallInts(), 1)}},
			{Weight: money.NewRat(b, a+b), Key: money.Key{Kind: money.KeyEqual}},
		}}
	}
}

func randomTotal(rng *rand.Rand, n int) money.Cents {
	var t money.Cents
	switch rng.IntN(10) {
	case 0, 1, 2:
		t = money.Cents(rng.Int64N(int64(3*n + 1))) // fewer cents than parties × 3: many leftovers
	case 3, 4, 5, 6:
		t = money.Cents(rng.Int64N(1_000_000_000))
	case 7, 8:
		t = money.Cents(rng.Int64N(int64(money.MaxCents)))
	default:
		t = money.MaxCents - money.Cents(rng.Int64N(1000))
	}
	if rng.IntN(3) == 0 {
		t = -t
	}
	return t
}

// reference allocates like domain.md §9.2 says, written independently of
// Allocate: big.Rat parts, floor, then a stable sort by remainder then share,
// so ties keep the parties' order.
func reference(total money.Cents, shares []*big.Rat) []money.Cents {
	abs := new(big.Int).Abs(big.NewInt(int64(total)))
	type part struct {
		i     int
		floor *big.Int
		frac  *big.Rat
		share *big.Rat
	}
	parts := make([]part, len(shares))
	left := new(big.Int).Set(abs)
	for i, s := range shares {
		exact := new(big.Rat).Mul(new(big.Rat).SetInt(abs), s)
		floor := new(big.Int).Quo(exact.Num(), exact.Denom())
		parts[i] = part{i, floor, new(big.Rat).Sub(exact, new(big.Rat).SetInt(floor)), s}
		left.Sub(left, floor)
	}
	order := slices.Clone(parts)
	sort.SliceStable(order, func(a, b int) bool {
		if c := order[a].frac.Cmp(order[b].frac); c != 0 {
			return c > 0
		}
		return order[a].share.Cmp(order[b].share) > 0
	})
	out := make([]money.Cents, len(shares))
	for rank, p := range order {
		v := p.floor.Int64()
		if int64(rank) < left.Int64() {
			v++
		}
		if total < 0 {
			v = -v
		}
		out[p.i] = money.Cents(v)
	}
	return out
}

func TestAllocationProperties(t *testing.T) {
	const cases = 5000
	rng := rand.New(rand.NewPCG(2026, 9))
	for c := range cases {
		n := 1 + rng.IntN(12)
		parties := make([]string, n)
		for i := range parties {
			parties[i] = fmt.Sprintf("commune-%02d", i)
		}
		key := randomKey(rng, parties)
		total := randomTotal(rng, n)
		desc := fmt.Sprintf("case %d: %s key over %d parties, total %d", c, key.Kind, n, total)

		shares, err := key.Shares(parties)
		if err != nil {
			t.Fatalf("%s: %v", desc, err)
		}
		a, err := money.Allocate(total, shares)
		if err != nil {
			t.Fatalf("%s: %v", desc, err)
		}
		got := a.Amounts()

		// The parts sum exactly to the total, carry its sign, and stay
		// within one cent of the exact part.
		var sum money.Cents
		for i, v := range got {
			sum += v
			if (total >= 0 && v < 0) || (total <= 0 && v > 0) {
				t.Fatalf("%s: part %d is %d, sign differs from the total", desc, i, v)
			}
			if diff := v.Rat().Sub(a.Lines[i].Exact()); diff.Cmp(money.IntRat(-1)) <= 0 || diff.Cmp(money.IntRat(1)) >= 0 {
				t.Fatalf("%s: part %d is %d, exact %s: more than a cent apart", desc, i, v, a.Lines[i].Exact())
			}
		}
		if sum != total {
			t.Fatalf("%s: parts sum to %d want %d", desc, sum, total)
		}

		// The assignment of leftover cents is the documented one.
		bigShares := make([]*big.Rat, n)
		for i, p := range shares.Parties {
			bigShares[i] = p.Share.Big()
		}
		if want := reference(total, bigShares); !slices.Equal(got, want) {
			t.Fatalf("%s: got %v want %v (reference)", desc, got, want)
		}

		// A deficit is the exact mirror of the surplus.
		neg, err := money.Allocate(-total, shares)
		if err != nil {
			t.Fatalf("%s: %v", desc, err)
		}
		for i, v := range neg.Amounts() {
			if v != -got[i] {
				t.Fatalf("%s: -total gives part %d = %d want %d", desc, i, v, -got[i])
			}
		}

		// Reordering the parties changes nothing but which of several
		// parties with equal shares receive the leftover cents, and those
		// go to the ones listed first in the new order.
		perm := rng.Perm(n)
		reordered := make([]string, n)
		for i, j := range perm {
			reordered[i] = parties[j]
		}
		shares2, err := key.Shares(reordered)
		if err != nil {
			t.Fatalf("%s: %v", desc, err)
		}
		b, err := money.Allocate(total, shares2)
		if err != nil {
			t.Fatalf("%s: %v", desc, err)
		}
		before := map[string]money.Cents{}
		shareOf := map[string]money.Rat{}
		for i, l := range a.Lines {
			before[l.Party] = got[i]
			shareOf[l.Party] = l.Share
		}
		groups := map[string][]money.Cents{} // share → amounts in the new order
		groupsBefore := map[string][]money.Cents{}
		for _, l := range b.Lines {
			groups[l.Share.String()] = append(groups[l.Share.String()], l.Amount)
			groupsBefore[l.Share.String()] = append(groupsBefore[l.Share.String()], before[l.Party])
			if shareOf[l.Party].Cmp(l.Share) != 0 {
				t.Fatalf("%s: %s's share changed with the order: %s then %s", desc, l.Party, shareOf[l.Party], l.Share)
			}
		}
		for share, amounts := range groups {
			if len(amounts) == 1 && amounts[0] != groupsBefore[share][0] {
				t.Fatalf("%s: a party with a share of its own (%s) went from %d to %d after reordering", desc, share, groupsBefore[share][0], amounts[0])
			}
			sorted, sortedBefore := slices.Clone(amounts), slices.Clone(groupsBefore[share])
			slices.Sort(sorted)
			slices.Sort(sortedBefore)
			if !slices.Equal(sorted, sortedBefore) {
				t.Fatalf("%s: parties with share %s got %v, before reordering %v", desc, share, amounts, groupsBefore[share])
			}
			for i := 1; i < len(amounts); i++ {
				if abs(amounts[i]) > abs(amounts[i-1]) {
					t.Fatalf("%s: among parties with share %s, a later one got more: %v", desc, share, amounts)
				}
			}
		}
	}
}

func abs(c money.Cents) money.Cents {
	if c < 0 {
		return -c
	}
	return c
}
