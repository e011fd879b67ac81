package purchasing_test

import (
	"strings"
	"testing"

	"voisines/internal/agreement"
	"voisines/internal/civil"
	"voisines/internal/money"
	"voisines/internal/purchasing"
	"voisines/internal/validate"
)

func d(s string) civil.Date { return civil.MustParse(s) }

func eur(t testing.TB, s string) money.Cents {
	t.Helper()
	c, err := money.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// one is a purchase of a single lot of nature n worth value.
func one(t *testing.T, n purchasing.Nature, value string) []purchasing.LotValue {
	return []purchasing.LotValue{{LotID: 1, Number: 1, Label: "lot", Nature: n, Value: eur(t, value)}}
}

// TestThresholdBoundaries2026 checks each 2026 threshold on both sides, and
// the 1 April 2026 change for supplies and services.
func TestThresholdBoundaries2026(t *testing.T) {
	table := purchasing.Thresholds()
	for _, tc := range []struct {
		name   string
		date   string
		nature purchasing.Nature
		value  string
		kind   purchasing.ProcedureKind
		online bool
		advert purchasing.Advert
	}{
		{"a 50,000 supplies lot launched on 31 March 2026 is a MAPA", "2026-03-31", purchasing.Supplies, "50 000,00", purchasing.ProcMAPA, true, purchasing.AdvertAdapted},
		{"the same lot launched on 1 April 2026 is exempt", "2026-04-01", purchasing.Supplies, "50 000,00", purchasing.ProcDispense, false, purchasing.AdvertNone},
		{"services at 39,999.99 on 31 March 2026 are exempt", "2026-03-31", purchasing.Services, "39 999,99", purchasing.ProcDispense, false, purchasing.AdvertNone},
		{"services at 40,000.00 on 31 March 2026 are a MAPA with documents online", "2026-03-31", purchasing.Services, "40 000,00", purchasing.ProcMAPA, true, purchasing.AdvertAdapted},
		{"services at 59,999.99 on 1 April 2026 are exempt", "2026-04-01", purchasing.Services, "59 999,99", purchasing.ProcDispense, false, purchasing.AdvertNone},
		{"services at 60,000.00 on 1 April 2026 are a MAPA with documents online", "2026-04-01", purchasing.Services, "60 000,00", purchasing.ProcMAPA, true, purchasing.AdvertAdapted},
		{"a MAPA at 89,999.99 needs no BOAMP advert", "2026-06-01", purchasing.Supplies, "89 999,99", purchasing.ProcMAPA, true, purchasing.AdvertAdapted},
		{"a MAPA at 90,000.00 needs a BOAMP or JAL advert", "2026-06-01", purchasing.Supplies, "90 000,00", purchasing.ProcMAPA, true, purchasing.AdvertBOAMP},
		{"supplies at 215,999.99 in 2026 are a MAPA", "2026-06-01", purchasing.Supplies, "215 999,99", purchasing.ProcMAPA, true, purchasing.AdvertBOAMP},
		{"supplies at 216,000.00 in 2026 are formalised", "2026-06-01", purchasing.Supplies, "216 000,00", purchasing.ProcFormalised, true, purchasing.AdvertJOUE},
		{"services at 216,000.00 on 1 January 2026 are formalised", "2026-01-01", purchasing.Services, "216 000,00", purchasing.ProcFormalised, true, purchasing.AdvertJOUE},
		{"works at 99,999.99 in 2026 are exempt", "2026-01-01", purchasing.Works, "99 999,99", purchasing.ProcDispense, false, purchasing.AdvertNone},
		{"works at 100,000.00 in 2026 are a MAPA", "2026-01-01", purchasing.Works, "100 000,00", purchasing.ProcMAPA, true, purchasing.AdvertBOAMP},
		{"works at 5,403,999.99 in 2026 are a MAPA", "2026-12-31", purchasing.Works, "5 403 999,99", purchasing.ProcMAPA, true, purchasing.AdvertBOAMP},
		{"works at 5,404,000.00 in 2026 are formalised", "2026-12-31", purchasing.Works, "5 404 000,00", purchasing.ProcFormalised, true, purchasing.AdvertJOUE},
		{"works at 5,404,000.00 on 31 December 2027 are still formalised", "2027-12-31", purchasing.Works, "5 404 000,00", purchasing.ProcFormalised, true, purchasing.AdvertJOUE},
		{"a 2025 launch uses 221,000: 216,000.00 is a MAPA", "2025-06-30", purchasing.Supplies, "216 000,00", purchasing.ProcMAPA, true, purchasing.AdvertBOAMP},
		{"a 2025 launch uses 221,000: 220,999.99 is a MAPA", "2025-12-31", purchasing.Supplies, "220 999,99", purchasing.ProcMAPA, true, purchasing.AdvertBOAMP},
		{"a 2025 launch uses 221,000: 221,000.00 is formalised", "2025-12-31", purchasing.Supplies, "221 000,00", purchasing.ProcFormalised, true, purchasing.AdvertJOUE},
		{"2025 works use 5,538,000: 5,404,000.00 is a MAPA", "2025-03-01", purchasing.Works, "5 404 000,00", purchasing.ProcMAPA, true, purchasing.AdvertBOAMP},
		{"2025 works use 5,538,000: 5,538,000.00 is formalised", "2025-03-01", purchasing.Works, "5 538 000,00", purchasing.ProcFormalised, true, purchasing.AdvertJOUE},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := purchasing.Decide(table, d(tc.date), one(t, tc.nature, tc.value), "", "du membre")
			if err != nil {
				t.Fatal(err)
			}
			if got.Kind != tc.kind || got.OnlinePublication != tc.online || got.Advert != tc.advert {
				t.Errorf("got %s, online %v, advert %s; want %s, online %v, advert %s", got.Kind, got.OnlinePublication, got.Advert,
					tc.kind, tc.online, tc.advert)
			}
			if len(got.Thresholds) < 4 || len(got.Explain) < 4 {
				t.Errorf("got %d thresholds and %d lines of explanation, want the snapshot and its explanation", len(got.Thresholds), len(got.Explain))
			}
			for _, th := range got.Thresholds {
				if th.Source == "" {
					t.Errorf("threshold %s %s without a source", th.Nature, th.Kind)
				}
			}
		})
	}
}

func TestThresholdTableRefusesDaysItDoesNotCover(t *testing.T) {
	table := purchasing.Thresholds()
	for _, day := range []string{"2023-12-31", "2028-01-01", "2031-05-01"} {
		t.Run(day, func(t *testing.T) {
			_, err := purchasing.Decide(table, d(day), one(t, purchasing.Supplies, "10 000"), "", "du membre")
			fes, ok := validate.As(err)
			if !ok || fes[0].Field != "launch_date" || !strings.Contains(fes[0].Message, "ne couvre pas") {
				t.Fatalf("got %v, want a launch_date error saying the table does not cover the day", err)
			}
		})
	}
	t.Run("every required kind is covered from 2024 to 2027 for every nature", func(t *testing.T) {
		for day := d("2024-01-01"); !day.After(d("2027-12-31")); day = day.AddDays(1) {
			for _, n := range purchasing.Natures {
				if _, err := table.On(day, n); err != nil {
					t.Fatalf("%s %s: %v", day, n, err)
				}
			}
		}
	})
	t.Run("a table with overlapping rows is refused", func(t *testing.T) {
		_, err := purchasing.ParseTable(strings.NewReader("valid_from,valid_to,nature,kind,amount,source\n" +
			"2026-01-01,,works,dispense,100000,a\n2026-06-01,2026-12-31,works,dispense,90000,b\n"))
		if err == nil || !strings.Contains(err.Error(), "overlaps") {
			t.Fatalf("got %v, want an overlap error", err)
		}
	})
	t.Run("the innovative-purchase dispense is 140,000 from 2026", func(t *testing.T) {
		a, err := table.On(d("2026-02-01"), purchasing.Supplies)
		if err != nil {
			t.Fatal(err)
		}
		if th, ok := a.Get(purchasing.InnovativeDispense); !ok || th.Amount != eur(t, "140 000") {
			t.Fatalf("got %+v, want 140,000", th)
		}
	})
}

// example3 is the group of domain.md §10 example 3: cleaning products and
// paper, a four-year framework agreement.
func example3() purchasing.Group {
	members := []purchasing.Member{
		{OrgID: 1, Name: "A", Kind: agreement.Commune, Role: agreement.RoleCoordinator},
		{OrgID: 2, Name: "B", Kind: agreement.Commune, Role: agreement.RoleMember},
		{OrgID: 3, Name: "C", Kind: agreement.Commune, Role: agreement.RoleMember},
	}
	needs := []purchasing.Need{
		{LotID: 10, OrgID: 1, Amount: 86_000_00},
		{LotID: 10, OrgID: 2, Amount: 59_200_00},
		{LotID: 10, OrgID: 3, Amount: 79_600_00},
	}
	return purchasing.Group{AgreementReference: "2026-0001", Coordinator: members[0], Members: members, Needs: needs,
		Lots: []purchasing.Lot{{ID: 10, Number: 1, Label: "Produits d'entretien et papier", CPV: "39830000-9", Nature: purchasing.Supplies,
			DurationMonths: 48, Framework: true}}}
}

func TestExample3Procedure(t *testing.T) {
	table := purchasing.Thresholds()
	for _, tc := range []struct {
		date   string
		aloneB purchasing.ProcedureKind
	}{
		{"2026-03-31", purchasing.ProcMAPA},
		{"2026-04-01", purchasing.ProcDispense},
		{"2026-07-15", purchasing.ProcDispense},
	} {
		t.Run("launched on "+tc.date, func(t *testing.T) {
			p, err := purchasing.ComputeProcedure(table, d(tc.date), example3())
			if err != nil {
				t.Fatal(err)
			}
			if p.Value != 224_800_00 || p.Kind != purchasing.ProcFormalised || p.Advert != purchasing.AdvertJOUE {
				t.Fatalf("grouped: got %s %s %s, want 224,800.00 formalised with an EU advert", p.Value, p.Kind, p.Advert)
			}
			if !p.CAO.Required || p.CAO.LocalPublic != 3 {
				t.Errorf("CAO: got %+v, want a grouping CAO (three communes, CGCT L1414-3)", p.CAO)
			}
			want := map[int64]purchasing.ProcedureKind{1: purchasing.ProcMAPA, 2: tc.aloneB, 3: purchasing.ProcMAPA}
			if len(p.Alone) != 3 {
				t.Fatalf("alone: got %d members, want 3", len(p.Alone))
			}
			for _, a := range p.Alone {
				if a.Decision.Kind != want[a.OrgID] {
					t.Errorf("%s alone: got %s, want %s", a.Name, a.Decision.Kind, want[a.OrgID])
				}
			}
		})
	}
}

func TestMainNatureAndSmallLots(t *testing.T) {
	table := purchasing.Thresholds()
	lots := []purchasing.LotValue{
		{LotID: 1, Number: 1, Label: "Fournitures de bureau", Nature: purchasing.Supplies, Value: 100_000_00},
		{LotID: 2, Number: 2, Label: "Maintenance", Nature: purchasing.Services, Value: 150_000_00},
		{LotID: 3, Number: 3, Label: "Petit lot", Nature: purchasing.Supplies, Value: 30_000_00},
		{LotID: 4, Number: 4, Label: "Petit lot bis", Nature: purchasing.Services, Value: 25_000_00},
	}
	t.Run("the nature of the lots of largest value is the main object", func(t *testing.T) {
		p, err := purchasing.Decide(table, d("2026-06-01"), lots, "", "de tous les membres")
		if err != nil {
			t.Fatal(err)
		}
		if p.Nature != purchasing.Services || p.Value != 305_000_00 || p.Kind != purchasing.ProcFormalised {
			t.Fatalf("got %s %s %s, want services 305,000 formalised", p.Nature, p.Value, p.Kind)
		}
		// 20 % of 305,000 is 61,000: the 25,000 and 30,000 lots fit together.
		if p.SmallLotsCap != 61_000_00 || len(p.SmallLots) != 2 || !p.SmallLots[0].Within || !p.SmallLots[1].Within {
			t.Fatalf("small lots: got cap %s and %+v", p.SmallLotsCap, p.SmallLots)
		}
	})
	t.Run("the coordinator may name the main object", func(t *testing.T) {
		p, err := purchasing.Decide(table, d("2026-06-01"), lots, purchasing.Supplies, "de tous les membres")
		if err != nil {
			t.Fatal(err)
		}
		if p.Nature != purchasing.Supplies || !strings.Contains(p.NatureRule, "coordonnateur") {
			t.Fatalf("got %s (%s)", p.Nature, p.NatureRule)
		}
	})
	t.Run("small lots beyond 20 percent are listed but not within", func(t *testing.T) {
		small := []purchasing.LotValue{
			{LotID: 1, Number: 1, Nature: purchasing.Supplies, Value: 55_000_00},
			{LotID: 2, Number: 2, Nature: purchasing.Supplies, Value: 50_000_00},
			{LotID: 3, Number: 3, Nature: purchasing.Supplies, Value: 150_000_00},
		}
		p, err := purchasing.Decide(table, d("2026-06-01"), small, "", "de tous les membres")
		if err != nil {
			t.Fatal(err)
		}
		// total 255,000, cap 51,000: only the 50,000 lot fits.
		if len(p.SmallLots) != 2 || p.SmallLots[0].Within || !p.SmallLots[1].Within {
			t.Fatalf("got %+v", p.SmallLots)
		}
	})
	t.Run("ties go to works, then services", func(t *testing.T) {
		tie := []purchasing.LotValue{
			{LotID: 1, Number: 1, Nature: purchasing.Supplies, Value: 10_000_00},
			{LotID: 2, Number: 2, Nature: purchasing.Services, Value: 10_000_00},
		}
		p, err := purchasing.Decide(table, d("2026-06-01"), tie, "", "de tous les membres")
		if err != nil || p.Nature != purchasing.Services {
			t.Fatalf("got %s, %v, want services", p.Nature, err)
		}
	})
}

func TestCAOOnlyWhenLocalAuthoritiesAreTheMajority(t *testing.T) {
	g := example3()
	g.Members[1].Kind, g.Members[2].Kind = agreement.Association, agreement.OrganismePrive
	p, err := purchasing.ComputeProcedure(purchasing.Thresholds(), d("2026-06-01"), g)
	if err != nil {
		t.Fatal(err)
	}
	if p.CAO.Required || p.CAO.LocalPublic != 1 {
		t.Fatalf("got %+v, want no grouping CAO with one local authority out of three", p.CAO)
	}
}

func TestNormalizeCPV(t *testing.T) {
	for _, tc := range []struct {
		in     string
		nature purchasing.Nature
		want   string
		bad    bool
	}{
		{"39830000-9", purchasing.Supplies, "39830000-9", false},
		{" 39830000 ", purchasing.Supplies, "39830000", false},
		{"39 83 00 00-9", "", "39830000-9", false},
		{"45233140-2", purchasing.Works, "45233140-2", false},
		{"90919200–4", purchasing.Services, "90919200-4", false},
		{"45233140-2", purchasing.Supplies, "", true},
		{"39830000-9", purchasing.Works, "", true},
		{"3983000-9", "", "", true},
		{"39830000-99", "", "", true},
		{"39830000-X", "", "", true},
		{"01830000-9", "", "", true},
		{"", "", "", true},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := purchasing.NormalizeCPV(tc.in, tc.nature)
			if tc.bad {
				if fes, ok := validate.As(err); !ok || fes[0].Field != "cpv" {
					t.Fatalf("got %q, %v, want a cpv error", got, err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %q, %v, want %q", got, err, tc.want)
			}
		})
	}
}
