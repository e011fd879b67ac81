package money_test

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"

	"voisines/internal/money"
)

// sharesOf builds Shares by hand from exact fractions, in order.
func sharesOf(t *testing.T, fractions ...string) money.Shares {
	var s money.Shares
	for i, f := range fractions {
		s.Parties = append(s.Parties, money.PartyShare{Party: string(rune('A' + i)), Share: rat(t, f)})
	}
	return s
}

func TestAllocateTieBreak(t *testing.T) {
	for _, c := range []struct {
		name   string
		total  money.Cents
		shares []string
		want   []money.Cents
	}{
		{"a larger remainder wins over a larger share", 10, []string{"17/100", "83/100"}, []money.Cents{2, 8}},
		{"on equal remainders the larger share gets the cent", 3, []string{"1/6", "1/3", "1/2"}, []money.Cents{0, 1, 2}},
		{"the larger share wins even when listed first", 3, []string{"1/2", "1/3", "1/6"}, []money.Cents{2, 1, 0}},
		{"on equal remainders and shares the party listed first gets the cent", 1, []string{"1/3", "1/3", "1/3"}, []money.Cents{1, 0, 0}},
		{"two leftover cents go to the first two of three equal parties", 2, []string{"1/3", "1/3", "1/3"}, []money.Cents{1, 1, 0}},
		{"a party with a zero share never gets a leftover cent", 1, []string{"0", "1/2", "1/2"}, []money.Cents{0, 1, 0}},
		{"a single party takes the whole total", 12345, []string{"1"}, []money.Cents{12345}},
		{"a zero total gives zero parts", 0, []string{"1/3", "2/3"}, []money.Cents{0, 0}},
		{"a deficit of one cent falls on the first of equal parties", -1, []string{"1/3", "1/3", "1/3"}, []money.Cents{-1, 0, 0}},
		{"a deficit mirrors the surplus share for share", -3, []string{"1/6", "1/3", "1/2"}, []money.Cents{0, -1, -2}},
		{"the largest total splits exactly", money.MaxCents, []string{"1/3", "1/3", "1/3"},
			[]money.Cents{money.MaxCents/3 + 1, money.MaxCents / 3, money.MaxCents / 3}},
		{"the smallest total splits exactly", -money.MaxCents, []string{"1/3", "1/3", "1/3"},
			[]money.Cents{-(money.MaxCents/3 + 1), -(money.MaxCents / 3), -(money.MaxCents / 3)}},
	} {
		t.Run(c.name, func(t *testing.T) {
			a, err := money.Allocate(c.total, sharesOf(t, c.shares...))
			if err != nil {
				t.Fatal(err)
			}
			if got := a.Amounts(); !reflect.DeepEqual(got, c.want) {
				t.Errorf("got %v want %v", got, c.want)
			}
		})
	}
}

func TestAllocateRefusals(t *testing.T) {
	for _, c := range []struct {
		name   string
		total  money.Cents
		shares money.Shares
		rule   error
	}{
		{"shares that do not sum to 1 are refused", 100, sharesOf(t, "1/2", "1/3"), money.ErrNotOne},
		{"a negative share is refused", 100, sharesOf(t, "3/2", "-1/2"), money.ErrNegative},
		{"no parties is refused", 100, money.Shares{}, money.ErrNoParties},
		{"the out-of-range minimum total is refused", math.MinInt64, sharesOf(t, "1"), money.ErrOverflow},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := money.Allocate(c.total, c.shares); !errors.Is(err, c.rule) {
				t.Errorf("got %v want %v", err, c.rule)
			}
		})
	}
}

func TestAllocationExplainsEveryFigure(t *testing.T) {
	key := money.Key{Kind: money.KeyFixed, Label: "quote-parts des titres", Figures: figures(t, "A", "3/7", "B", "2/7", "C", "2/7")}
	lines := allocate(t, eur(t, "55 611,60"), key, "A", "B", "C").Explain()
	want := []string{
		"Montant à répartir : 55 611,60 € (5 561 160 centimes), par la méthode du plus fort reste, au centime.",
		"Clé de répartition : quote-parts des titres (fractions fixées, de somme 1).",
		"A : 3/7 ≈ 0,428571",
		"B : 2/7 ≈ 0,285714",
		"C : 2/7 ≈ 0,285714",
		"A : 5 561 160 × 3/7 ≈ 2 383 354,2857 centimes ; partie entière 2 383 354 ; reste ≈ 0,2857 ; rang 3 : pas de centime restant ; montant 23 833,54 €.",
		"B : 5 561 160 × 2/7 ≈ 1 588 902,8571 centimes ; partie entière 1 588 902 ; reste ≈ 0,8571 ; rang 1 : reçoit 1 centime restant ; montant 15 889,03 €.",
		"C : 5 561 160 × 2/7 ≈ 1 588 902,8571 centimes ; partie entière 1 588 902 ; reste ≈ 0,8571 ; rang 2 : reçoit 1 centime restant ; montant 15 889,03 €.",
		"Somme des parties entières : 55 611,58 € ; 2 centimes restants, attribués un par un par reste décroissant, " +
			"puis par part décroissante, puis dans l'ordre des parties de la convention. Total réparti : 55 611,60 €.",
	}
	normalise := func(s string) string { return strings.NewReplacer("\u202f", " ", "\u00a0", " ").Replace(s) }
	if len(lines) != len(want) {
		t.Fatalf("got %d lines want %d:\n%s", len(lines), len(want), normalise(strings.Join(lines, "\n")))
	}
	for i := range want {
		if got := normalise(lines[i]); got != want[i] {
			t.Errorf("line %d:\ngot  %s\nwant %s", i, got, want[i])
		}
	}
}

func TestOtherComputationsExplainThemselves(t *testing.T) {
	normalise := func(lines []string) string {
		return strings.NewReplacer("\u202f", " ", "\u00a0", " ").Replace(strings.Join(lines, "\n"))
	}
	t.Run("a unit-price bill shows the rounded unit cost and each line", func(t *testing.T) {
		p, err := money.UnitPrice{UnitCost: money.NewRat(82470, 49), Unit: "élève", RoundUnitCostFirst: true, Rounding: money.RoundHalfUp}.
			Price([]money.UnitLine{{Party: "B", Units: rat(t, "17")}})
		if err != nil {
			t.Fatal(err)
		}
		got := normalise(p.Explain())
		for _, want := range []string{
			"Coût unitaire : 82 470/49 ≈ 1 683,061224 €/élève, arrondi au centime avant multiplication : 1 683,06 €/élève.",
			"B : 17 × 1 683,06 € = 28 612,02 € → 28 612,02 €.",
			"Total facturé : 28 612,02 €.",
		} {
			if !strings.Contains(got, want) {
				t.Errorf("got\n%s\nwant a line %s", got, want)
			}
		}
	})
	t.Run("a unit cost shows excluded lines with their reason", func(t *testing.T) {
		uc, err := money.ServiceUnitCost(money.UnitCostBasis{
			Lines: []money.CostLine{{Label: "Personnel", Amount: eur(t, "100"), Eligible: true},
				{Label: "Intérêts", Amount: eur(t, "5"), Reason: "non strictement liée au fonctionnement"}},
			Units: rat(t, "4"), Unit: "heure",
		})
		if err != nil {
			t.Fatal(err)
		}
		got := normalise(uc.Explain())
		for _, want := range []string{"Intérêts : 5,00 €, exclu (non strictement liée au fonctionnement).", "Coût unitaire : 100,00 € / 4 = 25,00 €/heure."} {
			if !strings.Contains(got, want) {
				t.Errorf("got\n%s\nwant a line %s", got, want)
			}
		}
	})
	t.Run("a secondment shows the annual equivalent, the month and the period", func(t *testing.T) {
		r, err := money.Secondment{CostLines: []money.CostLine{{Label: "Paie et charges", Amount: eur(t, "43 350"), Eligible: true}},
			Quotite: rat(t, "30 %"), Months: rat(t, "8"), Rounding: money.RoundHalfUp}.Repayment()
		if err != nil {
			t.Fatal(err)
		}
		got := normalise(r.Explain())
		for _, want := range []string{"équivalent annuel : 13 005,00 €", "Par mois : équivalent annuel / 12 = 1 083,75 €.", "= 8 670,00 € → 8 670,00 €"} {
			if !strings.Contains(got, want) {
				t.Errorf("got\n%s\nwant %s", got, want)
			}
		}
	})
}

func TestUnitPriceAndFormulaRefusals(t *testing.T) {
	for _, c := range []struct {
		name string
		err  func() error
		rule error
	}{
		{"a unit-price rule without a rounding mode is refused", func() error {
			_, err := money.UnitPrice{UnitCost: money.IntRat(1)}.Price(nil)
			return err
		}, money.ErrUnknownRounding},
		{"a negative unit cost is refused", func() error {
			_, err := money.UnitPrice{UnitCost: money.IntRat(-1), Rounding: money.RoundHalfUp}.Price(nil)
			return err
		}, money.ErrNegative},
		{"negative units are refused", func() error {
			_, err := money.UnitPrice{UnitCost: money.IntRat(1), Rounding: money.RoundHalfUp}.Price([]money.UnitLine{{Party: "A", Units: money.IntRat(-2)}})
			return err
		}, money.ErrNegative},
		{"a bill past the largest amount overflows", func() error {
			_, err := money.UnitPrice{UnitCost: money.IntRat(1 << 60), Rounding: money.RoundHalfUp}.Price([]money.UnitLine{{Party: "A", Units: money.IntRat(1000)}})
			return err
		}, money.ErrOverflow},
		{"zero forecast units are refused", func() error {
			_, err := money.ServiceUnitCost(money.UnitCostBasis{Lines: []money.CostLine{{Amount: 100, Eligible: true}}})
			return err
		}, money.ErrOutOfRange},
		{"a unit cost of nothing is refused", func() error {
			_, err := money.ServiceUnitCost(money.UnitCostBasis{Lines: []money.CostLine{{Amount: 100}}, Units: money.IntRat(5)})
			return err
		}, money.ErrOutOfRange},
		{"a quotité above 100 % is refused", func() error {
			_, err := money.Secondment{Quotite: rat(t, "110 %"), Months: money.IntRat(1), Rounding: money.RoundHalfUp}.Repayment()
			return err
		}, money.ErrOutOfRange},
		{"more than twelve months is refused", func() error {
			_, err := money.Secondment{Quotite: money.IntRat(1), Months: money.IntRat(13), Rounding: money.RoundHalfUp}.Repayment()
			return err
		}, money.ErrOutOfRange},
	} {
		t.Run(c.name, func(t *testing.T) {
			if err := c.err(); !errors.Is(err, c.rule) {
				t.Errorf("got %v want %v", err, c.rule)
			}
		})
	}
}

func TestSecondmentRoundingOrderMatters(t *testing.T) {
	// 43,351.00 × 30 % / 12 = 1,083.775 a month: rounding the month first
	// gives 1,083.78 × 8 = 8,670.24; rounding once gives 8,670.20.
	base := money.Secondment{CostLines: []money.CostLine{{Label: "Paie et charges", Amount: eur(t, "43 351"), Eligible: true}},
		Quotite: rat(t, "30 %"), Months: rat(t, "8"), Rounding: money.RoundHalfUp}
	for _, c := range []struct {
		name         string
		monthlyFirst bool
		want         string
	}{
		{"rounding once at the end gives 8,670.20", false, "8 670,20"},
		{"rounding the monthly amount first gives 8,670.24", true, "8 670,24"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := base
			s.RoundMonthlyFirst = c.monthlyFirst
			r, err := s.Repayment()
			if err != nil {
				t.Fatal(err)
			}
			checkCents(t, "repayment", r.Amount, eur(t, c.want))
		})
	}
}
