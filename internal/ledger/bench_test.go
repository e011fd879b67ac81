package ledger

import (
	"testing"

	"voisines/internal/agreement"
	"voisines/internal/civil"
	"voisines/internal/money"
)

// benchConvention is a convention as ComputeAll sees it: two communes, or
// an EPCI and six members.
func benchConvention(k agreement.Kind, creditor agreement.Role, bearer agreement.Role, bearers int) Convention {
	c := Convention{ID: 1, Reference: "SYN-1", Title: "Synthétique", Kind: k, Status: agreement.InForce,
		Start: civil.MustParse("2025-01-01"), End: civil.MustParse("2028-12-31")}
	c.Parties = append(c.Parties, PartyRef{OrgID: 100, Name: "Créancier", SIREN: "200000001", Kind: agreement.EPCI, Role: creditor})
	for i := range bearers {
		c.Parties = append(c.Parties, PartyRef{OrgID: int64(200 + i), Name: "Commune " + string(rune('A'+i)), Kind: agreement.Commune,
			SIREN: "210000001", EPCISIREN: "200000001", Role: bearer})
	}
	return c
}

func BenchmarkStatement(b *testing.B) {
	from, to := civil.MustParse("2026-01-01"), civil.MustParse("2026-12-31")
	for _, tc := range []struct {
		name  string
		c     Convention
		t     Terms
		req   Request
		usage []UsageTotal
		pops  map[popKey]map[int64]popFigure
	}{
		{
			name: "equipment unit price",
			c:    benchConvention(agreement.EquipementPartage, agreement.RoleOwner, agreement.RoleUser, 1),
			t: Terms{Mode: agreement.UnitPrice, Creditor: 100, Parties: []int64{200}, UsageUnit: "hour",
				UnitPrice: &UnitPriceTerms{Rule: money.UnitPrice{UnitCost: money.NewRat(2651, 100), Rounding: money.RoundHalfUp}}},
			usage: []UsageTotal{{Party: 200, Unit: "hour", Milli: 312_250, Records: 40}},
		},
		{
			name: "service commun weighted acts",
			c:    benchConvention(agreement.ServiceCommun, agreement.RoleManager, agreement.RoleMember, 6),
			t: Terms{Mode: agreement.ActualCostByKey, Creditor: 100, Parties: []int64{200, 201, 202, 203, 204, 205}, UsageUnit: "acte",
				Key: &money.Key{Kind: money.KeyUsage, UnitWeights: []money.UnitWeight{{Type: "PC", Weight: money.IntRat(1)},
					{Type: "PA", Weight: money.NewRat(6, 5)}, {Type: "DP", Weight: money.NewRat(7, 10)}, {Type: "CUb", Weight: money.NewRat(2, 5)}}}},
			req: Request{CostLines: []money.CostLine{{Label: "Dépenses", Amount: 9_721_240, Eligible: true}}},
			usage: func() []UsageTotal {
				var u []UsageTotal
				for p := range int64(6) {
					for _, typ := range []string{"PC", "PA", "DP", "CUb"} {
						u = append(u, UsageTotal{Party: 200 + p, Unit: "acte", Type: typ, Milli: (3 + p) * 1000, Records: 3})
					}
				}
				return u
			}(),
		},
		{
			name: "school costs from a unit cost basis",
			c:    benchConvention(agreement.FraisScolarite, agreement.RoleSchoolHost, agreement.RoleResidence, 1),
			t: Terms{Mode: agreement.UnitPrice, Creditor: 100, Parties: []int64{200}, UsageUnit: "élève",
				UnitPrice: &UnitPriceTerms{Rule: money.UnitPrice{Rounding: money.RoundHalfUp, Unit: "élève"},
					Basis: &money.UnitCostBasis{Unit: "élève", Units: money.IntRat(535), Lines: []money.CostLine{
						{Label: "Frais de fonctionnement", Amount: 89_933_500, Eligible: true}}}}},
			usage: []UsageTotal{{Party: 200, Unit: "élève", Milli: 41_000, Records: 41}},
		},
		{
			name: "festival mixed key",
			c:    benchConvention(agreement.PartenariatEvenement, agreement.RoleLead, agreement.RolePartner, 3),
			t: Terms{Mode: agreement.ActualCostByKey, Creditor: 100, Parties: []int64{200, 201, 202}, UsageUnit: "billet",
				Key: &money.Key{Kind: money.KeyMix, Parts: []money.Part{
					{Weight: money.NewRat(1, 2), Key: money.Key{Kind: money.KeyPopulation, Measure: money.PopulationMunicipale, Vintage: "2026"}},
					{Weight: money.NewRat(3, 10), Key: money.Key{Kind: money.KeyUsage}},
					{Weight: money.NewRat(1, 5), Key: money.Key{Kind: money.KeyEqual}}}}},
			req: Request{CostLines: []money.CostLine{{Label: "Dépenses", Amount: 4_812_345, Eligible: true}}},
			usage: []UsageTotal{{Party: 200, Unit: "billet", Milli: 312_000, Records: 40},
				{Party: 201, Unit: "billet", Milli: 97_000, Records: 12}, {Party: 202, Unit: "billet", Milli: 5_000, Records: 2}},
			pops: map[popKey]map[int64]popFigure{{money.PopulationMunicipale, "2026", ""}: {
				200: {4812, "INSEE", "2026"}, 201: {1203, "INSEE", "2026"}, 202: {377, "INSEE", "2026"}}},
		},
		{
			name: "purchasing group value key",
			c:    benchConvention(agreement.GroupementCommandes, agreement.RoleCoordinator, agreement.RoleMember, 4),
			t: Terms{Mode: agreement.ActualCostByKey, Creditor: 100, Parties: []int64{200, 201, 202, 203},
				Key: &money.Key{Kind: money.KeyValue, Measure: "besoins", Figures: []money.Figure{
					{Party: "200", Value: money.IntRat(35_353)}, {Party: "201", Value: money.IntRat(63_699)},
					{Party: "202", Value: money.IntRat(6_893)}, {Party: "203", Value: money.IntRat(12_000)}}}},
			req: Request{CostLines: []money.CostLine{{Label: "Dépenses", Amount: 1_234_567, Eligible: true}}},
		},
		{
			name: "secondment",
			c:    benchConvention(agreement.MADPersonnel, agreement.RoleHomeEmployer, agreement.RoleHost, 1),
			t: Terms{Mode: agreement.SalaryProRata, Creditor: 100, Parties: []int64{200}, Secondment: &SecondmentTerms{
				CostLines: []money.CostLine{{Label: "Rémunération", Amount: 3_622_700, Eligible: true},
					{Label: "Cotisations", Amount: 1_630_200, Eligible: true}},
				Quotite: money.NewRat(2, 5), Rounding: money.RoundHalfUp}},
		},
	} {
		b.Run(tc.name, func(b *testing.B) {
			req := tc.req
			req.AgreementID, req.From, req.To = 1, from, to
			for b.Loop() {
				if _, err := batchStatement(tc.c, tc.t, req, gathered{usage: tc.usage, populations: tc.pops}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
