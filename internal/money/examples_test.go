package money_test

// Every pure money computation of domain.md §10, examples 1 to 9, through the
// package API. Expected values are copied from the document, not from this
// code's output. The one place where the document's arithmetic is wrong is
// marked DOMAIN-ERRATUM and asserted as such.

import (
	"math/big"
	"testing"

	"voisines/internal/money"
)

func TestExample1D5211UnitCostAndRepayment(t *testing.T) {
	uc, err := money.ServiceUnitCost(money.UnitCostBasis{
		Source: "compte administratif 2025",
		Lines: []money.CostLine{
			{Label: "Charges de personnel du service", Amount: eur(t, "182 400,00"), Eligible: true},
			{Label: "Fournitures", Amount: eur(t, "23 650,00"), Eligible: true},
			{Label: "Renouvellement des véhicules et outils", Amount: eur(t, "18 000,00"), Eligible: true},
			{Label: "Contrats de services rattachés", Amount: eur(t, "9 350,00"), Eligible: true},
			{Label: "Quote-part d'intérêts d'emprunt et frais généraux", Amount: eur(t, "6 200,00"),
				Reason: "non strictement liée au fonctionnement du service"},
		},
		BudgetUpdate:       eur(t, "4 600,00"),
		BudgetUpdateReason: "budget primitif 2026",
		Units:              rat(t, "8500"),
		Unit:               "heure",
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("the eligible base leaves out loan interest and overheads", func(t *testing.T) {
		checkCents(t, "eligible base", uc.Eligible, eur(t, "233 400,00"))
		checkCents(t, "excluded", uc.Excluded, eur(t, "6 200,00"))
	})
	t.Run("the budget update brings the base to 238,000.00", func(t *testing.T) {
		checkCents(t, "updated base", uc.Updated, eur(t, "238 000,00"))
	})
	t.Run("the unit cost is exactly 28.00 per hour", func(t *testing.T) {
		if uc.PerUnit.Cmp(rat(t, "28")) != 0 {
			t.Errorf("unit cost: got %s want 28", uc.PerUnit)
		}
	})

	rule := money.UnitPrice{UnitCost: uc.PerUnit, Unit: "heure", Rounding: money.RoundHalfUp}
	p, err := rule.Price([]money.UnitLine{
		{Party: "EPCI", Label: "S1 2026", Units: rat(t, "598,0")},
		{Party: "EPCI", Label: "S2 2026", Units: rat(t, "638,5")},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("each half-year statement is hours times 28.00", func(t *testing.T) {
		checkCents(t, "S1 2026", p.Lines[0].Amount, eur(t, "16 744,00"))
		checkCents(t, "S2 2026", p.Lines[1].Amount, eur(t, "17 878,00"))
		checkCents(t, "year", p.Total, eur(t, "34 622,00"))
	})
	t.Run("the year equals 1,236.5 hours times 28.00", func(t *testing.T) {
		year, err := rule.Price([]money.UnitLine{{Party: "EPCI", Units: rat(t, "1 236,5")}})
		if err != nil {
			t.Fatal(err)
		}
		checkCents(t, "year", year.Total, eur(t, "34 622,00"))
	})
}

func TestExample2SecondmentAt30Percent(t *testing.T) {
	for _, monthlyFirst := range []bool{false, true} {
		s := money.Secondment{
			CostLines: []money.CostLine{
				{Label: "Rémunération brute (traitement + IFSE)", Amount: eur(t, "30 000,00"), Eligible: true},
				{Label: "Cotisations employeur", Amount: eur(t, "13 350,00"), Eligible: true},
			},
			Quotite:           rat(t, "30 %"),
			Months:            rat(t, "8"),
			Rounding:          money.RoundHalfUp,
			RoundMonthlyFirst: monthlyFirst,
		}
		r, err := s.Repayment()
		if err != nil {
			t.Fatal(err)
		}
		name := "computed exactly then rounded once"
		if monthlyFirst {
			name = "computed from the monthly amount rounded to the cent"
		}
		t.Run("the May–December 2026 repayment is 8,670.00 when "+name, func(t *testing.T) {
			checkCents(t, "annual cost", r.AnnualCost, eur(t, "43 350,00"))
			if r.AnnualEquivalent.Cmp(eur(t, "13 005,00").Rat()) != 0 {
				t.Errorf("annual equivalent: got %s cents want 1300500", r.AnnualEquivalent)
			}
			if r.Monthly.Cmp(eur(t, "1 083,75").Rat()) != 0 {
				t.Errorf("monthly: got %s cents want 108375", r.Monthly)
			}
			checkCents(t, "repayment", r.Amount, eur(t, "8 670,00"))
		})
	}
}

func TestExample3PurchasingGroup(t *testing.T) {
	needs := map[string]money.Cents{"A": eur(t, "86 000"), "B": eur(t, "59 200"), "C": eur(t, "79 600")}
	t.Run("the grouping's need is the sum of the members' four-year needs", func(t *testing.T) {
		total, err := money.Sum(needs["A"], needs["B"], needs["C"])
		if err != nil {
			t.Fatal(err)
		}
		checkCents(t, "grouping", total, eur(t, "224 800"))
	})

	key := money.Key{Kind: money.KeyValue, Measure: "besoins sur 4 ans (€ HT)", Figures: []money.Figure{
		{Party: "A", Value: needs["A"].Euros()}, {Party: "B", Value: needs["B"].Euros()}, {Party: "C", Value: needs["C"].Euros()},
	}}
	a := allocate(t, eur(t, "1 850,00"), key, "A", "B", "C")
	t.Run("procedure costs of 1,850.00 are split by share of needs to the cent", func(t *testing.T) {
		checkAllocation(t, a, []lineWant{
			{"A", "70774.0214", 70774, "0.0214", false, eur(t, "707,74")},
			{"B", "48718.8612", 48718, "0.8612", true, eur(t, "487,19")},
			{"C", "65507.1174", 65507, "0.1174", false, eur(t, "655,07")},
		})
		checkCents(t, "sum of floors", a.Floored, 184999)
		if a.Leftover != 1 {
			t.Errorf("leftover: got %d want 1", a.Leftover)
		}
	})
}

func TestExample4FestivalMixedKey(t *testing.T) {
	parties := []string{"A", "B", "C", "D"}
	key := money.Key{Kind: money.KeyMix, Label: "clé du festival", Parts: []money.Part{
		{Weight: rat(t, "50 %"), Key: money.Key{Kind: money.KeyPopulation, Measure: money.PopulationDGF,
			Source: "DGF", Vintage: "2026", Figures: []money.Figure{
				{Party: "A", Value: rat(t, "4812")}, {Party: "B", Value: rat(t, "2157")},
				{Party: "C", Value: rat(t, "1046")}, {Party: "D", Value: rat(t, "689")}}}},
		{Weight: rat(t, "30 %"), Key: money.Key{Kind: money.KeyUsage, Label: "billets par commune de résidence",
			Measure: "billets", Usage: []money.Usage{
				{Party: "A", Units: rat(t, "1230")}, {Party: "B", Units: rat(t, "810")},
				{Party: "C", Units: rat(t, "402")}, {Party: "D", Units: rat(t, "158")}}}},
		{Weight: rat(t, "20 %"), Key: money.Key{Kind: money.KeyEqual}},
	}}
	shares, err := key.Shares(parties)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("population, ticket and mixed shares match the document to six decimals", func(t *testing.T) {
		want := []struct{ pop, tix, w string }{
			{"0.552849", "0.473077", "0.468348"},
			{"0.247817", "0.311538", "0.267370"},
			{"0.120175", "0.154615", "0.156472"},
			{"0.079159", "0.060769", "0.107810"},
		}
		for i, p := range shares.Parties {
			checkDecimal(t, p.Party+" population share", p.Parts[0].Share, want[i].pop)
			checkDecimal(t, p.Party+" ticket share", p.Parts[1].Share, want[i].tix)
			checkDecimal(t, p.Party+" mixed weight", p.Share, want[i].w)
		}
		if shares.Parties[0].Parts[0].Total.Cmp(rat(t, "8704")) != 0 || shares.Parties[0].Parts[1].Total.Cmp(rat(t, "2600")) != 0 {
			t.Errorf("totals: got %s and %s want 8704 and 2600", shares.Parties[0].Parts[0].Total, shares.Parties[0].Parts[1].Total)
		}
	})
	a, err := money.Allocate(eur(t, "47 380,55"), shares)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("the net cost of 47,380.55 is split to the cent, the leftover cent going to C", func(t *testing.T) {
		checkAllocation(t, a, []lineWant{
			{"A", "2219057.2057", 2219057, "0.2057", false, eur(t, "22 190,57")},
			{"B", "1266814.1740", 1266814, "0.1740", false, eur(t, "12 668,14")},
			{"C", "741372.6177", 741372, "0.6177", true, eur(t, "7 413,73")},
			{"D", "510811.0026", 510811, "0.0026", false, eur(t, "5 108,11")},
		})
		checkCents(t, "sum of floors", a.Floored, 4738054)
	})
	t.Run("rounding each share half-up on its own happens to give the same total here", func(t *testing.T) {
		var sum money.Cents
		for _, l := range a.Lines {
			c, err := money.Round(l.Exact(), money.RoundHalfUp)
			if err != nil {
				t.Fatal(err)
			}
			sum += c
		}
		checkCents(t, "sum of half-up parts", sum, eur(t, "47 380,55"))
	})
}

func TestExample5UndividedForestSurplus(t *testing.T) {
	receipts, err := money.Sum(eur(t, "84 317,00"), eur(t, "3 200,00"))
	if err != nil {
		t.Fatal(err)
	}
	surplus, err := receipts.Sub(eur(t, "31 905,40"))
	if err != nil {
		t.Fatal(err)
	}
	t.Run("the surplus is receipts minus expenses", func(t *testing.T) {
		checkCents(t, "receipts", receipts, eur(t, "87 517,00"))
		checkCents(t, "surplus", surplus, eur(t, "55 611,60"))
	})
	key := money.Key{Kind: money.KeyFixed, Label: "quote-parts des titres", Figures: []money.Figure{
		{Party: "A", Value: rat(t, "3/7")}, {Party: "B", Value: rat(t, "2/7")}, {Party: "C", Value: rat(t, "2/7")},
	}}
	a := allocate(t, surplus, key, "A", "B", "C")
	t.Run("the surplus is split by ownership shares and B and C, tied, both get a leftover cent", func(t *testing.T) {
		checkAllocation(t, a, []lineWant{
			{"A", "2383354.2857", 2383354, "0.2857", false, eur(t, "23 833,54")},
			{"B", "1588902.8571", 1588902, "0.8571", true, eur(t, "15 889,03")},
			{"C", "1588902.8571", 1588902, "0.8571", true, eur(t, "15 889,03")},
		})
		checkCents(t, "sum of floors", a.Floored, 5561158)
		if a.Lines[1].Rank != 1 || a.Lines[2].Rank != 2 {
			t.Errorf("tie between B and C: got ranks %d and %d want 1 and 2 (convention order)", a.Lines[1].Rank, a.Lines[2].Rank)
		}
	})
	t.Run("the same amount as a deficit is split symmetrically", func(t *testing.T) {
		d := allocate(t, -surplus, key, "A", "B", "C")
		want := []money.Cents{eur(t, "-23 833,54"), eur(t, "-15 889,03"), eur(t, "-15 889,03")}
		for i, l := range d.Lines {
			checkCents(t, l.Party, l.Amount, want[i])
		}
	})
}

func TestExample6PlanningPermitService(t *testing.T) {
	parties := []string{"A", "B", "C", "D", "E"}
	counts := map[string][4]string{ // PC, PA, DP, CUb
		"A": {"40", "2", "85", "30"}, "B": {"22", "0", "51", "18"}, "C": {"9", "1", "20", "11"},
		"D": {"15", "0", "33", "9"}, "E": {"6", "0", "12", "5"},
	}
	types := []string{"PC", "PA", "DP", "CUb"}
	key := money.Key{Kind: money.KeyUsage, Label: "actes pondérés", Measure: "actes", UnitWeights: []money.UnitWeight{
		{Type: "PC", Weight: rat(t, "1,0")}, {Type: "PA", Weight: rat(t, "1,2")},
		{Type: "DP", Weight: rat(t, "0,7")}, {Type: "CUb", Weight: rat(t, "0,4")},
	}}
	for _, p := range parties {
		for j, n := range counts[p] {
			key.Usage = append(key.Usage, money.Usage{Party: p, Type: types[j], Units: rat(t, n)})
		}
	}
	shares, err := key.Shares(parties)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("weighted units per commune and in total match the document", func(t *testing.T) {
		want := []string{"113,9", "64,9", "28,6", "41,7", "16,4"}
		for i, p := range shares.Parties {
			if p.Basis.Cmp(rat(t, want[i])) != 0 {
				t.Errorf("%s weighted units: got %s want %s", p.Party, p.Basis, want[i])
			}
		}
		if shares.Total.Cmp(rat(t, "265,5")) != 0 {
			t.Errorf("total: got %s want 265.5", shares.Total)
		}
	})

	t.Run("in unit-price mode the notified unit cost is rounded to 361.58 and the lines fall 0.51 short", func(t *testing.T) {
		uc, err := money.ServiceUnitCost(money.UnitCostBasis{
			Lines: []money.CostLine{{Label: "Coût prévisionnel du service commun", Amount: eur(t, "96 000,00"), Eligible: true}},
			Units: shares.Total, Unit: "acte pondéré",
		})
		if err != nil {
			t.Fatal(err)
		}
		// "96,000.00 / 265.5 = 361.581920…"
		if uc.PerUnit.Cmp(rat(t, "361,581920")) < 0 || uc.PerUnit.Cmp(rat(t, "361,581921")) >= 0 {
			t.Errorf("unit cost: got %s want 361.581920…", uc.PerUnit.Decimal(9))
		}
		p, err := money.UnitPrice{UnitCost: uc.PerUnit, RoundUnitCostFirst: true, Rounding: money.RoundHalfUp}.Price(shares.UnitLines())
		if err != nil {
			t.Fatal(err)
		}
		if p.AppliedUnitCost.Cmp(rat(t, "361,58")) != 0 {
			t.Errorf("applied unit cost: got %s want 361.58", p.AppliedUnitCost)
		}
		want := []struct{ exact, amount string }{
			{"41183.962", "41 183,96"}, {"23466.542", "23 466,54"}, {"10341.188", "10 341,19"},
			{"15077.886", "15 077,89"}, {"5929.912", "5 929,91"},
		}
		for i, l := range p.Lines {
			checkDecimal(t, l.Party+" exact euros", l.Exact.Quo(money.IntRat(100)), want[i].exact)
			checkCents(t, l.Party, l.Amount, eur(t, want[i].amount))
		}
		checkCents(t, "total", p.Total, eur(t, "95 999,49"))
		short, _ := eur(t, "96 000,00").Sub(p.Total)
		checkCents(t, "shortfall", short, eur(t, "0,51"))
	})

	a, err := money.Allocate(eur(t, "97 212,40"), shares)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("in actual-cost mode 97,212.40 is split to the cent, leftover cents to D then C", func(t *testing.T) {
		checkAllocation(t, a, []lineWant{
			{"A", "4170430.2674", 4170430, "0.2674", false, eur(t, "41 704,30")},
			{"B", "2376303.1111", 2376303, "0.1111", false, eur(t, "23 763,03")},
			// DOMAIN-ERRATUM: domain.md prints C's exact part as
			// "1,047,184.4219"; it is 1,047,184.42184…, .4218 to four
			// decimals (the document seems to have rounded twice). C's
			// amount, 10,471.85, is unaffected.
			{"C", "1047184.4218", 1047184, "0.4218", true, eur(t, "10 471,85")},
			// DOMAIN-ERRATUM: domain.md prints D's exact part as
			// "1,526,838.8589"; 9,721,240 × 41.7 / 265.5 is 1,526,838.8249
			// (see the next subtest). D still gets a cent and 15,268.39.
			{"D", "1526838.8249", 1526838, "0.8249", true, eur(t, "15 268,39")},
			{"E", "600483.3748", 600483, "0.3748", false, eur(t, "6 004,83")},
		})
		if a.Lines[3].Rank != 1 || a.Lines[2].Rank != 2 {
			t.Errorf("ranks of D and C: got %d and %d want 1 and 2", a.Lines[3].Rank, a.Lines[2].Rank)
		}
	})
	t.Run("the document's exact part for C, 1,047,184.4219, is a rounding slip", func(t *testing.T) {
		// Independent of this package: 9,721,240 × 286 / 2,655 lies between
		// 1,047,184.42184 and 1,047,184.42185, so .4218 to four decimals.
		exact := new(big.Rat).SetFrac64(9721240*286, 2655)
		lo, hi := big.NewRat(104718442184, 100000), big.NewRat(104718442185, 100000)
		if exact.Cmp(lo) < 0 || exact.Cmp(hi) > 0 {
			t.Fatalf("arithmetic check: got %s", exact.FloatString(6))
		}
		if got := a.Lines[2].Exact(); got.Big().Cmp(exact) != 0 {
			t.Errorf("C exact: got %s want %s", got.Decimal(6), exact.FloatString(6))
		}
	})
	t.Run("the document's exact part for D, 1,526,838.8589, is an arithmetic slip", func(t *testing.T) {
		// Independent of this package: 9,721,240 × 417 / 2,655 lies between
		// 1,526,838.8248 and 1,526,838.8249, not at .8589.
		exact := new(big.Rat).SetFrac64(9721240*417, 2655)
		lo, hi := big.NewRat(15268388248, 10000), big.NewRat(15268388250, 10000)
		if exact.Cmp(lo) < 0 || exact.Cmp(hi) > 0 {
			t.Fatalf("arithmetic check: got %s", exact.FloatString(6))
		}
		if got := a.Lines[3].Exact(); got.Big().Cmp(exact) != 0 {
			t.Errorf("D exact: got %s want %s", got.Decimal(6), exact.FloatString(6))
		}
	})
	t.Run("rounding each share half-up on its own would fall one cent short", func(t *testing.T) {
		want := []string{"41 704,30", "23 763,03", "10 471,84", "15 268,39", "6 004,83"}
		var sum money.Cents
		for i, l := range a.Lines {
			c, err := money.Round(l.Exact(), money.RoundHalfUp)
			if err != nil {
				t.Fatal(err)
			}
			checkCents(t, l.Party+" half-up", c, eur(t, want[i]))
			sum += c
		}
		checkCents(t, "sum of half-up parts", sum, eur(t, "97 212,39"))
	})
}

func TestExample7SharedGym(t *testing.T) {
	uc, err := money.ServiceUnitCost(money.UnitCostBasis{
		Source: "CA 2025",
		Lines: []money.CostLine{{Label: "Frais de fonctionnement du gymnase (énergie, ménage, entretien, gardien)",
			Amount: eur(t, "64 480,00"), Eligible: true}},
		Units: rat(t, "2480"), Unit: "heure",
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("the hourly cost is 26.00", func(t *testing.T) {
		if uc.PerUnit.Cmp(rat(t, "26")) != 0 {
			t.Errorf("hourly cost: got %s want 26", uc.PerUnit)
		}
	})
	t.Run("312 hours cost B 8,112.00", func(t *testing.T) {
		p, err := money.UnitPrice{UnitCost: uc.PerUnit, Rounding: money.RoundHalfUp}.Price([]money.UnitLine{{Party: "B", Units: rat(t, "312")}})
		if err != nil {
			t.Fatal(err)
		}
		checkCents(t, "participation", p.Total, eur(t, "8 112,00"))
	})
	t.Run("the secondment on a full-year basis is 13,005.00", func(t *testing.T) {
		r, err := money.Secondment{
			CostLines: []money.CostLine{{Label: "Coût annuel", Amount: eur(t, "43 350,00"), Eligible: true}},
			Quotite:   rat(t, "0,30"), Months: rat(t, "12"), Rounding: money.RoundHalfUp,
		}.Repayment()
		if err != nil {
			t.Fatal(err)
		}
		checkCents(t, "full year", r.Amount, eur(t, "13 005,00"))
	})
	t.Run("the information-only net position of the reciprocal variant is 4,893.00", func(t *testing.T) {
		net, err := eur(t, "13 005,00").Sub(eur(t, "8 112,00"))
		if err != nil {
			t.Fatal(err)
		}
		checkCents(t, "net", net, eur(t, "4 893,00"))
	})
}

func TestExample8JunctionCoOwnership(t *testing.T) {
	split := money.Key{Kind: money.KeyFixed, Label: "répartition par partie d'ouvrage", Figures: []money.Figure{
		{Party: "A", Value: rat(t, "62,5 %")}, {Party: "B", Value: rat(t, "37,5 %")},
	}}
	excl := eur(t, "360 000,00")
	vat, _, err := excl.MulRat(rat(t, "20 %"), money.RoundHalfUp)
	if err != nil {
		t.Fatal(err)
	}
	incl, _ := excl.Add(vat)
	t.Run("VAT at 20 % brings the works to 432,000.00", func(t *testing.T) {
		checkCents(t, "VAT", vat, eur(t, "72 000,00"))
		checkCents(t, "incl. VAT", incl, eur(t, "432 000,00"))
	})
	initial := allocate(t, incl, split, "A", "B")
	t.Run("A's and B's parts are 270,000.00 and 162,000.00", func(t *testing.T) {
		checkCents(t, "A", initial.Lines[0].Amount, eur(t, "270 000,00"))
		checkCents(t, "B", initial.Lines[1].Amount, eur(t, "162 000,00"))
	})
	t.Run("B's calls for funds of 30, 40 and 30 % sum to its part", func(t *testing.T) {
		calls := money.Key{Kind: money.KeyFixed, Label: "appels de fonds", Figures: []money.Figure{
			{Party: "appel 1", Value: rat(t, "30 %")}, {Party: "appel 2", Value: rat(t, "40 %")}, {Party: "appel 3", Value: rat(t, "30 %")},
		}}
		a := allocate(t, initial.Lines[1].Amount, calls, "appel 1", "appel 2", "appel 3")
		for i, want := range []string{"48 600,00", "64 800,00", "48 600,00"} {
			checkCents(t, a.Lines[i].Party, a.Lines[i].Amount, eur(t, want))
		}
	})
	final := allocate(t, eur(t, "438 912,00"), split, "A", "B")
	balance, _ := final.Lines[1].Amount.Sub(initial.Lines[1].Amount)
	t.Run("the final statement leaves B a balance of 2,592.00 to call", func(t *testing.T) {
		checkCents(t, "B final", final.Lines[1].Amount, eur(t, "164 592,00"))
		checkCents(t, "A final", final.Lines[0].Amount, eur(t, "274 320,00"))
		checkCents(t, "B balance", balance, eur(t, "2 592,00"))
	})
	t.Run("FCTVA at 16.404 % matches the document's figures", func(t *testing.T) {
		rate := rat(t, "16,404 %")
		b, exact, err := final.Lines[1].Amount.MulRat(rate, money.RoundHalfUp)
		if err != nil {
			t.Fatal(err)
		}
		checkDecimal(t, "B exact FCTVA (euros)", exact.Quo(money.IntRat(100)), "26999.67168")
		checkCents(t, "B FCTVA", b, eur(t, "26 999,67"))
		for _, c := range []struct{ base, want string }{
			{"270 000,00", "44 290,80"}, {"162 000,00", "26 574,48"}, {"432 000,00", "70 865,28"},
		} {
			got, _, err := eur(t, c.base).MulRat(rate, money.RoundHalfUp)
			if err != nil {
				t.Fatal(err)
			}
			checkCents(t, "FCTVA on "+c.base, got, eur(t, c.want))
		}
	})
	t.Run("B's minimum own funding of 20 % is 32,918.40 and its 124,592.00 covers it", func(t *testing.T) {
		min, _, err := final.Lines[1].Amount.MulRat(rat(t, "20 %"), money.RoundHalfUp)
		if err != nil {
			t.Fatal(err)
		}
		checkCents(t, "minimum", min, eur(t, "32 918,40"))
		own, _ := final.Lines[1].Amount.Sub(eur(t, "40 000,00"))
		checkCents(t, "own funds", own, eur(t, "124 592,00"))
		if own < min {
			t.Errorf("own funds %s below minimum %s", own, min)
		}
	})
}

func TestExample9SchoolCostsRoundingOrder(t *testing.T) {
	uc, err := money.ServiceUnitCost(money.UnitCostBasis{
		Lines: []money.CostLine{{Label: "Frais de fonctionnement des écoles publiques (hors périscolaire)",
			Amount: eur(t, "412 350,00"), Eligible: true}},
		Units: rat(t, "245"), Unit: "élève",
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("the exact average cost is 1,683.0612245… per pupil", func(t *testing.T) {
		checkDecimal(t, "average cost", uc.PerUnit, "1683.0612245")
	})
	pupils := []money.UnitLine{{Party: "B", Units: rat(t, "17")}}
	for _, c := range []struct {
		name       string
		roundFirst bool
		want       string
	}{
		{"rounding the average cost to the cent first gives 28,612.02", true, "28 612,02"},
		{"rounding only the amount gives 28,612.04", false, "28 612,04"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, err := money.UnitPrice{UnitCost: uc.PerUnit, Unit: "élève", RoundUnitCostFirst: c.roundFirst, Rounding: money.RoundHalfUp}.Price(pupils)
			if err != nil {
				t.Fatal(err)
			}
			checkCents(t, "B", p.Total, eur(t, c.want))
			if c.roundFirst && p.AppliedUnitCost.Cmp(rat(t, "1 683,06")) != 0 {
				t.Errorf("applied unit cost: got %s want 1683.06", p.AppliedUnitCost)
			}
			if !c.roundFirst {
				checkDecimal(t, "exact amount", p.Lines[0].Exact.Quo(money.IntRat(100)), "28612.0408")
			}
		})
	}
}

// lineWant is one expected line of an allocation, from a domain.md table.
type lineWant struct {
	party     string
	exact     string // cents, as rounded in the table
	floor     money.Cents
	remainder string
	extra     bool
	amount    money.Cents
}

func checkAllocation(t *testing.T, a money.Allocation, want []lineWant) {
	t.Helper()
	if len(a.Lines) != len(want) {
		t.Fatalf("lines: got %d want %d", len(a.Lines), len(want))
	}
	var sum money.Cents
	for i, w := range want {
		l := a.Lines[i]
		if l.Party != w.party {
			t.Errorf("line %d: got party %s want %s", i, l.Party, w.party)
		}
		checkDecimal(t, w.party+" exact", l.Exact(), w.exact)
		checkCents(t, w.party+" floor", l.Floor, w.floor)
		checkDecimal(t, w.party+" remainder", l.Remainder, w.remainder)
		if l.Extra != w.extra {
			t.Errorf("%s extra cent: got %v want %v", w.party, l.Extra, w.extra)
		}
		checkCents(t, w.party+" amount", l.Amount, w.amount)
		sum += l.Amount
	}
	checkCents(t, "sum of parts", sum, a.Total)
}

func allocate(t *testing.T, total money.Cents, k money.Key, parties ...string) money.Allocation {
	t.Helper()
	s, err := k.Shares(parties)
	if err != nil {
		t.Fatal(err)
	}
	a, err := money.Allocate(total, s)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
