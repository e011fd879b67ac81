package money

import (
	"cmp"
	"fmt"
	"math"
	"math/big"
	"math/bits"
	"slices"
	"strings"
)

// LargestRemainder names the allocation rule on statements (domain.md §9.2).
const LargestRemainder = "LARGEST_REMAINDER"

// Allocation is a total split between parties by the largest-remainder
// (Hamilton) method, with every figure needed to explain it.
type Allocation struct {
	Rule   string `json:"rule"` // always LargestRemainder
	Total  Cents  `json:"total"`
	Shares Shares `json:"shares"`
	// Floored is the sum of the parts before the leftover cents are handed
	// out; Leftover is how many cents remained (Total − Floored, in absolute
	// value), always fewer than the number of parties.
	Floored  Cents            `json:"floored"`
	Leftover int64            `json:"leftover"`
	Lines    []AllocationLine `json:"lines"` // in the parties' order
}

// AllocationLine is one party's part of an allocated total.
type AllocationLine struct {
	Party string `json:"party"`
	Share Rat    `json:"share"` // exact share of the total
	// Floor is the exact part Total × Share without its fraction of a cent
	// (truncated toward zero), and Remainder that fraction, with the
	// total's sign: in [0, 1) cent, or in (-1, 0] for a deficit. Exact
	// adds them back.
	Floor     Cents `json:"floor"`
	Remainder Rat   `json:"remainder"`
	// Rank is the party's place in the order in which leftover cents are
	// handed out (1 first); the first Leftover ranks get one cent each.
	Rank   int   `json:"rank"`
	Extra  bool  `json:"extra"`  // whether this party got a leftover cent
	Amount Cents `json:"amount"` // the party's part: Floor, ± 1 cent if Extra
}

// Allocate splits total between the parties of s by the largest-remainder
// method, in cents, so that the parts always sum exactly to total:
//
//  1. each party's exact part is |total| × share (exact rational);
//  2. each part is floored to a whole cent;
//  3. the cents left over (fewer than the number of parties) are handed out
//     one by one, in this order: larger fractional remainder first; on equal
//     remainders, larger share first; on equal shares too, the party listed
//     earlier in s (the parties' order in the convention) first.
//
// A negative total (a deficit to cover) is split the same way on its
// absolute value and every part is negated: each party bears the negation of
// what it would receive from the same surplus, and a leftover cent is one
// more cent to bear. So parts of a non-negative total are never negative,
// parts of a negative total never positive, and Allocate(-t) is exactly the
// negation of Allocate(t), party by party.
//
// s must hold non-negative shares summing to exactly 1, as Key.Shares
// returns.
func Allocate(total Cents, s Shares) (Allocation, error) {
	if total == math.MinInt64 {
		return Allocation{}, ErrOverflow
	}
	names := make([]string, len(s.Parties))
	shares := make([]Rat, len(s.Parties))
	for i, p := range s.Parties {
		names[i] = p.Party
		shares[i] = p.Share
		if p.Share.Sign() < 0 {
			return Allocation{}, invalid("shares", p.Party, ErrNegative, p.Share.String())
		}
	}
	if err := checkParties(names); err != nil {
		return Allocation{}, err
	}
	neg := total < 0
	abs := int64(total)
	if neg {
		abs = -abs
	}
	split, ok := largestRemainder64(uint64(abs), neg, shares)
	if !ok {
		split = largestRemainderBig(abs, neg, shares)
	}
	if !split.sumIsOne {
		var sum Rat
		for _, p := range s.Parties {
			sum = sum.Add(p.Share)
		}
		return Allocation{}, invalid("shares", "", ErrNotOne, "shares sum to "+sum.String())
	}

	a := Allocation{Rule: LargestRemainder, Total: total, Shares: s, Lines: make([]AllocationLine, len(s.Parties))}
	var floored int64 // ≤ |total|, cannot overflow
	for i, p := range s.Parties {
		floored += split.floors[i]
		a.Lines[i] = AllocationLine{Party: p.Party, Share: p.Share, Floor: signed(split.floors[i], neg), Remainder: split.remainders[i]}
	}
	a.Floored = signed(floored, neg)
	a.Leftover = abs - floored
	for rank, i := range split.order {
		l := &a.Lines[i]
		l.Rank = rank + 1
		l.Extra = int64(rank) < a.Leftover
		l.Amount = l.Floor
		if l.Extra {
			l.Amount += signed(1, neg)
		}
	}
	return a, nil
}

// Exact returns the party's exact part, Total × Share, in cents.
func (l AllocationLine) Exact() Rat { return l.Floor.Rat().Add(l.Remainder) }

// split is the core of the largest-remainder method on |total|: each part's
// floor, its fractional remainder (negated when neg), and the order in which
// leftover cents are handed out.
type split struct {
	sumIsOne   bool
	floors     []int64
	remainders []Rat
	order      []int
}

// The order of leftover cents: larger remainder, then larger share, then
// the parties' order. With every share written n_i / d over one common
// denominator d, remainders are r_i / d and compare as r_i, shares as n_i.
func byRemainderThenShare[T any](order []int, rem, n []T, cmpT func(a, b T) int) {
	slices.SortFunc(order, func(i, j int) int {
		if c := cmpT(rem[j], rem[i]); c != 0 {
			return c
		}
		if c := cmpT(n[j], n[i]); c != 0 {
			return c
		}
		return cmp.Compare(i, j)
	})
}

// largestRemainder64 computes the split in machine integers. It reports
// false when a share is not in the small form or the common denominator of
// the shares exceeds math.MaxInt64, and the caller falls back to
// largestRemainderBig.
func largestRemainder64(abs uint64, neg bool, shares []Rat) (split, bool) {
	var d uint64 = 1
	for _, sh := range shares {
		num, den, ok := sh.small()
		if !ok || num < 0 {
			return split{}, false
		}
		dv := uint64(den)
		g := gcd64(d, dv)
		hi, lo := bits.Mul64(d, dv/g)
		if hi != 0 || lo > math.MaxInt64 {
			return split{}, false
		}
		d = lo
	}
	n := make([]uint64, len(shares))
	var sum uint64
	for i, sh := range shares {
		num, den, _ := sh.small()
		hi, lo := bits.Mul64(uint64(num), d/uint64(den))
		var carry uint64
		sum, carry = bits.Add64(sum, lo, 0)
		if hi != 0 || carry != 0 {
			return split{}, false
		}
		n[i] = lo
	}
	s := split{sumIsOne: sum == d}
	if !s.sumIsOne {
		return s, true
	}
	s.floors = make([]int64, len(shares))
	s.remainders = make([]Rat, len(shares))
	rem := make([]uint64, len(shares))
	for i := range shares {
		// abs × n_i / d: n_i ≤ d, so the quotient fits and Div64 cannot panic.
		hi, lo := bits.Mul64(abs, n[i])
		q, r := bits.Div64(hi, lo, d)
		s.floors[i], rem[i] = int64(q), r
		s.remainders[i] = reducedRat(r, d, neg)
	}
	s.order = make([]int, len(shares))
	for i := range s.order {
		s.order[i] = i
	}
	byRemainderThenShare(s.order, rem, n, cmp.Compare[uint64])
	return s, true
}

// largestRemainderBig computes the split with arbitrary-precision integers.
func largestRemainderBig(abs int64, neg bool, ratShares []Rat) split {
	shares := make([]*big.Rat, len(ratShares))
	for i, sh := range ratShares {
		shares[i] = sh.big()
	}
	d := big.NewInt(1)
	for _, sh := range shares {
		den := sh.Denom()
		g := new(big.Int).GCD(nil, nil, d, den)
		d.Mul(d, new(big.Int).Quo(den, g))
	}
	n := make([]*big.Int, len(shares))
	sum := new(big.Int)
	for i, sh := range shares {
		n[i] = new(big.Int).Mul(sh.Num(), new(big.Int).Quo(d, sh.Denom()))
		sum.Add(sum, n[i])
	}
	s := split{sumIsOne: sum.Cmp(d) == 0}
	if !s.sumIsOne {
		return s
	}
	s.floors = make([]int64, len(shares))
	s.remainders = make([]Rat, len(shares))
	rem := make([]*big.Int, len(shares))
	t := big.NewInt(abs)
	for i := range shares {
		q, r := new(big.Int).QuoRem(new(big.Int).Mul(t, n[i]), d, new(big.Int))
		s.floors[i], rem[i] = q.Int64(), r
		signedR := new(big.Int).Set(r)
		if neg {
			signedR.Neg(signedR)
		}
		s.remainders[i] = fromBig(new(big.Rat).SetFrac(signedR, d))
	}
	s.order = make([]int, len(shares))
	for i := range s.order {
		s.order[i] = i
	}
	byRemainderThenShare(s.order, rem, n, (*big.Int).Cmp)
	return s
}

// reducedRat returns ±num/den (den > 0) as a Rat, reduced with machine
// integers: this is the hot spot of large allocations.
func reducedRat(num, den uint64, neg bool) Rat {
	g := gcd64(num, den)
	num, den = num/g, den/g
	if num > math.MaxInt64 || den > math.MaxInt64 {
		r := new(big.Rat).SetInt64(1) // initialised, so Denom aliases it
		r.Num().SetUint64(num)
		r.Denom().SetUint64(den)
		if neg {
			r.Neg(r)
		}
		return fromBig(r)
	}
	if neg {
		return smallRat(-int64(num), int64(den))
	}
	return smallRat(int64(num), int64(den))
}

func gcd64(a, b uint64) uint64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

func signed(v int64, neg bool) Cents {
	if neg {
		return Cents(-v)
	}
	return Cents(v)
}

// Amounts returns the parts in the parties' order.
func (a Allocation) Amounts() []Cents {
	out := make([]Cents, len(a.Lines))
	for i, l := range a.Lines {
		out[i] = l.Amount
	}
	return out
}

// Explain returns the allocation in French, line by line, as a statement
// prints it: the key, each party's exact part, floor, remainder and whether
// it got a leftover cent, then the tie-break rule and the total.
func (a Allocation) Explain() []string {
	abs := a.Total
	if abs < 0 {
		abs = -abs
	}
	what := "Montant à répartir"
	if a.Total < 0 {
		what = "Déficit à répartir"
	}
	lines := []string{fmt.Sprintf("%s : %s (%s centimes), par la méthode du plus fort reste, au centime.",
		what, a.Total, groupSigned(itoa(int64(abs))))}
	lines = append(lines, a.Shares.Explain()...)
	for _, l := range a.Lines {
		var b strings.Builder
		fmt.Fprintf(&b, "%s : %s × %s %s centimes ; partie entière %s ; reste %s",
			l.Party, groupSigned(itoa(int64(a.Total))), frenchFraction(l.Share), approx(l.Exact(), 4),
			groupSigned(itoa(int64(l.Floor))), approxValue(l.Remainder, 4))
		switch {
		case l.Extra && a.Total < 0:
			fmt.Fprintf(&b, " ; rang %d : supporte 1 centime restant", l.Rank)
		case l.Extra:
			fmt.Fprintf(&b, " ; rang %d : reçoit 1 centime restant", l.Rank)
		case l.Remainder.Sign() != 0:
			fmt.Fprintf(&b, " ; rang %d : pas de centime restant", l.Rank)
		}
		fmt.Fprintf(&b, " ; montant %s.", l.Amount)
		lines = append(lines, b.String())
	}
	var left string
	switch a.Leftover {
	case 0:
		left = "aucun centime restant"
	case 1:
		left = "1 centime restant, attribué"
	default:
		left = fmt.Sprintf("%d centimes restants, attribués un par un", a.Leftover)
	}
	if a.Leftover > 0 {
		left += " par reste décroissant, puis par part décroissante, puis dans l'ordre des parties de la convention"
	}
	return append(lines, fmt.Sprintf("Somme des parties entières : %s ; %s. Total réparti : %s.", a.Floored, left, a.Total))
}

// approx writes "= x" when x has at most places decimals, "≈ x" rounded to
// places otherwise.
func approx(x Rat, places int) string {
	if s, ok := x.exactDecimal(places, thousandsSep, ","); ok {
		return "= " + s
	}
	return "≈ " + x.French(places)
}

// approxValue writes x exactly when it has at most places decimals, else
// "≈ x" rounded to places.
func approxValue(x Rat, places int) string {
	if s, ok := x.exactDecimal(places, thousandsSep, ","); ok {
		return s
	}
	return "≈ " + x.French(places)
}
