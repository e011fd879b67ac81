package ledger_test

// domain.md §10, examples 1 to 9, reproduced through the ledger: a
// convention created and signed through agreement.Service, its financial
// terms, usage records, then statements issued and their gross flows.
// Expected figures are copied from domain.md, not from this code's output.

import (
	"context"
	"testing"

	"voisines/internal/agreement"
	"voisines/internal/civil"
	"voisines/internal/ledger"
	"voisines/internal/money"
	"voisines/internal/store"
	"voisines/internal/store/storetest"
	"voisines/internal/validate"
)

func TestExample1D5211RepaymentBySixMonthStatements(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := setup(t, db)
		r := w.sign(t, convention{
			kind: agreement.MADServicesAscendante, mode: agreement.UnitPrice, period: 6,
			parties: []party{{"olemps", agreement.RoleProvider}, {"agglo", agreement.RoleBeneficiary}},
			start:   d("2026-01-01"), end: d("2028-12-31"),
			content: func(w *world, c *agreement.Content) {
				c.Provision = agreement.ProvisionTerms{Service: "voirie", UnitCostMethod: "Compte administratif actualisé du budget primitif, divisé par les heures productives.",
					Unit: "heure", ForecastUnits: 8500}
			},
		})
		w.terms(t, r, "olemps", ledger.Terms{
			Object:    "Remboursement de la mise à disposition du service voirie",
			UsageUnit: "hour",
			UnitPrice: &ledger.UnitPriceTerms{
				Rule: money.UnitPrice{Unit: "heure", Rounding: money.RoundHalfUp},
				Basis: &money.UnitCostBasis{
					Source: "compte administratif 2025",
					Lines: []money.CostLine{
						{Label: "Charges de personnel du service", Amount: eur(t, "182 400,00"), Eligible: true},
						{Label: "Fournitures", Amount: eur(t, "23 650,00"), Eligible: true},
						{Label: "Renouvellement des véhicules et outils", Amount: eur(t, "18 000,00"), Eligible: true},
						{Label: "Contrats de services rattachés", Amount: eur(t, "9 350,00"), Eligible: true},
						{Label: "Quote-part d'intérêts d'emprunt et frais généraux", Amount: eur(t, "6 200,00"),
							Reason: "non strictement liée au fonctionnement du service"},
					},
					BudgetUpdate: eur(t, "4 600,00"), BudgetUpdateReason: "budget primitif 2026",
					Units: rat(t, "8500"), Unit: "heure",
				},
			},
		})
		// 598.0 h in the first half-year, 638.5 h in the second, recorded
		// as the EPCI used the service.
		for _, u := range []struct{ day, hours string }{
			{"2026-02-10", "200"}, {"2026-04-03", "250,5"}, {"2026-06-30", "147,5"},
			{"2026-07-01", "300"}, {"2026-10-15", "238,5"}, {"2026-12-31", "100"},
		} {
			w.use(t, r, "olemps", "agglo", d(u.day), "hour", "", u.hours)
		}
		// Use outside the year is not billed in it.
		w.use(t, r, "olemps", "agglo", d("2027-01-02"), "hour", "", "40")

		w.clock.set(d("2026-07-10"))
		s1 := w.issue(t, "olemps", ledger.Request{AgreementID: r.ID, From: d("2026-01-01"), To: d("2026-06-30"), Label: "S1 2026"})
		w.clock.set(d("2027-01-10"))
		s2 := w.issue(t, "olemps", ledger.Request{AgreementID: r.ID, From: d("2026-07-01"), To: d("2026-12-31"), Label: "S2 2026"})

		t.Run("the unit cost is 238,000.00 over 8,500 hours, 28.00 per hour", func(t *testing.T) {
			uc := s1.Result.UnitCost
			if uc == nil || uc.Eligible != eur(t, "233 400,00") || uc.Updated != eur(t, "238 000,00") || uc.PerUnit.Cmp(rat(t, "28")) != 0 {
				t.Fatalf("got unit cost %+v, want eligible 233,400.00, updated 238,000.00, 28 per hour", uc)
			}
		})
		t.Run("the first half-year is 598 hours, 16,744.00", func(t *testing.T) {
			w.checkLines(t, s1, want{"agglo", "16 744,00"})
		})
		t.Run("the second half-year is 638.5 hours, 17,878.00", func(t *testing.T) {
			w.checkLines(t, s2, want{"agglo", "17 878,00"})
		})
		t.Run("the year is 34,622.00 owed by the EPCI to the commune, on accounts 70876 and 62875", func(t *testing.T) {
			fs := append(w.flows(t, s1), w.flows(t, s2)...)
			w.checkFlows(t, fs,
				flowWant{"agglo", "olemps", "16 744,00", "70876", "62875"},
				flowWant{"agglo", "olemps", "17 878,00", "70876", "62875"})
			y, err := w.ledger.Year(context.Background(), w.clerk["olemps"], w.org["olemps"], 2026)
			if err != nil {
				t.Fatal(err)
			}
			if y.TotalTitres != eur(t, "34 622,00") || y.TotalMandats != 0 {
				t.Errorf("got titres %s and mandats %s, want 34,622.00 and 0", y.TotalTitres, y.TotalMandats)
			}
		})
		t.Run("a statement over more than a year is refused, citing D5211-16", func(t *testing.T) {
			_, err := w.ledger.Compute(context.Background(), w.clerk["olemps"], ledger.Request{AgreementID: r.ID,
				From: d("2026-01-01"), To: d("2027-01-01")})
			mustErr(t, err, nil, "D5211-16")
		})
		t.Run("a statement over more than the convention's six months is refused", func(t *testing.T) {
			_, err := w.ledger.Compute(context.Background(), w.clerk["olemps"], ledger.Request{AgreementID: r.ID,
				From: d("2026-01-01"), To: d("2026-07-01")})
			mustErr(t, err, nil, "6 mois")
		})
	})
}

func TestExample2SecondmentAt30PercentFromMayToDecember(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := setup(t, db)
		r := w.sign(t, secondment(t, "onet", "rodez", d("2026-05-01"), d("2029-04-30")))
		w.terms(t, r, "onet", secondmentTerms(t))
		w.clock.set(d("2027-01-05"))
		st := w.issue(t, "onet", ledger.Request{AgreementID: r.ID, From: d("2026-05-01"), To: d("2026-12-31")})
		t.Run("the host repays 43,350.00 × 30 % × 8/12 = 8,670.00", func(t *testing.T) {
			rep := st.Result.Repayment
			if rep == nil || rep.AnnualCost != eur(t, "43 350,00") || rep.Monthly.Cmp(eur(t, "1 083,75").Rat()) != 0 || rep.Rule.Months.Cmp(money.IntRat(8)) != 0 {
				t.Fatalf("got repayment %+v, want annual 43,350.00, monthly 1,083.75, 8 months", rep)
			}
			w.checkLines(t, st, want{"rodez", "8 670,00"})
		})
		t.Run("the flow goes from the host to the home commune on 70848 and 6218", func(t *testing.T) {
			w.checkFlows(t, w.flows(t, st), flowWant{"rodez", "onet", "8 670,00", "70848", "6218"})
		})
	})
}

func secondment(t *testing.T, home, host string, start, end civil.Date) convention {
	return convention{
		kind: agreement.MADPersonnel, mode: agreement.SalaryProRata,
		parties: []party{{home, agreement.RoleHomeEmployer}, {host, agreement.RoleHost}},
		start:   start, end: end,
		content: func(w *world, c *agreement.Content) {
			c.Secondment = agreement.SecondmentTerms{Agent: "Agent A.", Grade: "adjoint technique principal",
				AgentStatus: agreement.Titulaire, Quotite: agreement.Fraction{Num: 30, Den: 100}}
		},
	}
}

func secondmentTerms(t *testing.T) ledger.Terms {
	return ledger.Terms{
		Object: "Remboursement de la mise à disposition d'un agent",
		Secondment: &ledger.SecondmentTerms{
			CostLines: []money.CostLine{
				{Label: "Rémunération brute (traitement + IFSE)", Amount: eur(t, "30 000,00"), Eligible: true},
				{Label: "Cotisations employeur", Amount: eur(t, "13 350,00"), Eligible: true},
			},
			Rounding: money.RoundHalfUp,
		},
	}
}

func TestExample3PurchasingGroupProcedureCosts(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := setup(t, db)
		r := w.sign(t, convention{
			kind: agreement.GroupementCommandes, mode: agreement.ActualCostByKey,
			parties: []party{{"rodez", agreement.RoleCoordinator}, {"onet", agreement.RoleMember}, {"olemps", agreement.RoleMember}},
			start:   d("2026-07-01"), end: d("2030-06-30"),
			content: func(w *world, c *agreement.Content) {
				c.PurchasingGroup = agreement.PurchasingGroupTerms{Needs: "produits d'entretien et papier, accord-cadre de quatre ans",
					LaunchDate: d("2026-07-15")}
			},
		})
		ids := func(s string) string { return partyID(w, s) }
		w.terms(t, r, "rodez", ledger.Terms{
			Object: "Frais de procédure du groupement de commandes",
			Key: &money.Key{Kind: money.KeyValue, Measure: "besoins sur 4 ans (€ HT)", Figures: []money.Figure{
				{Party: ids("rodez"), Value: rat(t, "86000")}, {Party: ids("onet"), Value: rat(t, "59200")},
				{Party: ids("olemps"), Value: rat(t, "79600")}}},
		})
		w.clock.set(d("2026-12-15"))
		st := w.issue(t, "rodez", ledger.Request{AgreementID: r.ID, From: d("2026-07-01"), To: d("2026-12-31"),
			CostLines: []money.CostLine{{Label: "Publicité et plateforme de dématérialisation", Amount: eur(t, "1 850,00"), Eligible: true}}})
		t.Run("1,850.00 is split by share of needs, the leftover cent to B", func(t *testing.T) {
			w.checkLines(t, st, want{"rodez", "707,74"}, want{"onet", "487,19"}, want{"olemps", "655,07"})
			if st.Result.Total != eur(t, "1 850,00") {
				t.Errorf("got total %s, want 1,850.00", st.Result.Total)
			}
		})
		t.Run("the coordinator's own share yields no flow", func(t *testing.T) {
			w.checkFlows(t, w.flows(t, st),
				flowWant{"onet", "rodez", "487,19", "70878", "62878"},
				flowWant{"olemps", "rodez", "655,07", "70878", "62878"})
		})
	})
}

func partyID(w *world, short string) string {
	id, ok := w.org[short]
	if !ok {
		panic("no organisation " + short)
	}
	return money.IntRat(id).String()
}

func TestExample4FestivalMixedKeyFromPopulationsAndTickets(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := setup(t, db)
		r := w.sign(t, convention{
			kind: agreement.PartenariatEvenement, mode: agreement.ActualCostByKey,
			parties: []party{{"rodez", agreement.RoleLead}, {"onet", agreement.RolePartner}, {"olemps", agreement.RolePartner}, {"druelle", agreement.RolePartner}},
			start:   d("2026-06-01"), end: d("2026-12-31"),
			content: func(w *world, c *agreement.Content) {
				c.Event = agreement.EventTerms{Event: "festival d'été"}
			},
		})
		// Population DGF comes from the recorded legal populations, tickets
		// from the usage records: neither is typed into the key.
		w.terms(t, r, "rodez", ledger.Terms{
			Object: "Participation au coût net du festival", UsageUnit: "billet",
			Key: &money.Key{Kind: money.KeyMix, Label: "clé du festival", Parts: []money.Part{
				{Weight: rat(t, "50 %"), Key: money.Key{Kind: money.KeyPopulation, Measure: money.PopulationDGF, Vintage: "2026"}},
				{Weight: rat(t, "30 %"), Key: money.Key{Kind: money.KeyUsage, Label: "billets par commune de résidence", Measure: "billets"}},
				{Weight: rat(t, "20 %"), Key: money.Key{Kind: money.KeyEqual}},
			}},
		})
		for short, tickets := range map[string]string{"rodez": "1230", "onet": "810", "olemps": "402", "druelle": "158"} {
			w.use(t, r, "rodez", short, d("2026-07-14"), "billet", "", tickets)
		}
		w.clock.set(d("2026-10-01"))
		st := w.issue(t, "rodez", ledger.Request{AgreementID: r.ID, From: d("2026-06-01"), To: d("2026-09-30"), Label: "Festival 2026",
			CostLines: []money.CostLine{{Label: "Coût net du festival (dépenses − recettes de billetterie)", Amount: eur(t, "47 380,55"), Eligible: true}}})
		t.Run("47,380.55 is split to the cent, the leftover cent to C", func(t *testing.T) {
			w.checkLines(t, st, want{"rodez", "22 190,57"}, want{"onet", "12 668,14"}, want{"olemps", "7 413,73"}, want{"druelle", "5 108,11"})
			a := st.Result.Allocation
			if a == nil || a.Floored != 4738054 || !a.Lines[2].Extra {
				t.Fatalf("got allocation %+v, want floors summing to 4,738,054 and the extra cent to C", a)
			}
		})
		t.Run("the key is frozen with the populations and tickets it used", func(t *testing.T) {
			k := st.Inputs.Key
			if k == nil || len(k.Parts[0].Key.Figures) != 4 || k.Parts[0].Key.Figures[0].Value.Cmp(rat(t, "4812")) != 0 ||
				k.Parts[0].Key.Source != "DGCL, fiche DGF" || len(k.Parts[1].Key.Usage) != 4 {
				t.Fatalf("got key %+v, want the four DGF populations with their source and the four ticket counts", k)
			}
		})
		t.Run("each partner owes the lead its share", func(t *testing.T) {
			w.checkFlows(t, w.flows(t, st),
				flowWant{"onet", "rodez", "12 668,14", "74748", "657348"},
				flowWant{"olemps", "rodez", "7 413,73", "74748", "657348"},
				flowWant{"druelle", "rodez", "5 108,11", "74748", "657348"})
		})
	})
}

func TestExample5UndividedForestSurplusPaidOutByTheCommission(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := setup(t, db)
		r := w.sign(t, convention{
			kind: agreement.BiensIndivis, mode: agreement.ActualCostByKey,
			parties: []party{{"olemps", agreement.RoleCoOwner}, {"druelle", agreement.RoleCoOwner}, {"onet", agreement.RoleCoOwner},
				{"commission", agreement.RoleManager}},
			start: d("2025-01-01"), end: d("2034-12-31"),
			content: func(w *world, c *agreement.Content) {
				c.Indivision = agreement.IndivisionTerms{Property: "forêt indivise", Shares: []agreement.Share{
					{OrgID: w.org["olemps"], Share: agreement.Fraction{Num: 3, Den: 7}},
					{OrgID: w.org["druelle"], Share: agreement.Fraction{Num: 2, Den: 7}},
					{OrgID: w.org["onet"], Share: agreement.Fraction{Num: 2, Den: 7}}}}
			},
		})
		// The key is not typed: it is the convention's quotes-parts.
		tr := w.terms(t, r, "commission", ledger.Terms{Object: "Répartition de l'excédent de la forêt indivise"})
		if tr.Terms.Key == nil || tr.Terms.Key.Kind != money.KeyFixed || len(tr.Terms.Key.Figures) != 3 {
			t.Fatalf("got key %+v, want the three quotes-parts of the convention", tr.Terms.Key)
		}
		w.clock.set(d("2026-03-01"))
		st := w.issue(t, "commission", ledger.Request{AgreementID: r.ID, From: d("2025-01-01"), To: d("2025-12-31"), Label: "Exercice 2025",
			Receipts: []money.CostLine{
				{Label: "Ventes de bois", Amount: eur(t, "84 317,00")},
				{Label: "Bail de chasse", Amount: eur(t, "3 200,00")}},
			CostLines: []money.CostLine{{Label: "Travaux, frais de garderie, assurances", Amount: eur(t, "31 905,40"), Eligible: true}}})
		t.Run("the surplus of 55,611.60 is split 3/7, 2/7, 2/7, tied B and C both getting a cent", func(t *testing.T) {
			w.checkLines(t, st, want{"olemps", "-23 833,54"}, want{"druelle", "-15 889,03"}, want{"onet", "-15 889,03"})
			a := st.Result.Allocation
			if a == nil || a.Total != eur(t, "55 611,60") || a.Lines[1].Rank != 1 || a.Lines[2].Rank != 2 {
				t.Fatalf("got allocation %+v, want 55,611.60 with B then C first in line", a)
			}
		})
		t.Run("the commission owes each co-owner its share", func(t *testing.T) {
			w.checkFlows(t, w.flows(t, st),
				flowWant{"commission", "olemps", "23 833,54", "74748", "6558"},
				flowWant{"commission", "druelle", "15 889,03", "74748", "6558"},
				flowWant{"commission", "onet", "15 889,03", "74748", "6558"})
		})
	})
}

// adsUsage records the acts of domain.md §10 example 6 for convention r.
func adsUsage(t *testing.T, w *world, r agreement.Record) {
	counts := map[string][4]string{ // PC, PA, DP, CUb
		"rodez": {"40", "2", "85", "30"}, "onet": {"22", "0", "51", "18"}, "olemps": {"9", "1", "20", "11"},
		"druelle": {"15", "0", "33", "9"}, "luc": {"6", "0", "12", "5"},
	}
	for short, c := range counts {
		for j, typ := range []string{"PC", "PA", "DP", "CUb"} {
			if c[j] != "0" {
				w.use(t, r, "agglo", short, d("2026-05-12"), "acte", typ, c[j])
			}
		}
	}
}

var adsWeights = []money.UnitWeight{
	{Type: "PC", Weight: money.NewRat(1, 1)}, {Type: "PA", Weight: money.NewRat(6, 5)},
	{Type: "DP", Weight: money.NewRat(7, 10)}, {Type: "CUb", Weight: money.NewRat(2, 5)},
}

func adsConvention(mode agreement.FinancialMode) convention {
	return convention{
		kind: agreement.ServiceCommun, mode: mode,
		parties: []party{{"agglo", agreement.RoleManager}, {"rodez", agreement.RoleMember}, {"onet", agreement.RoleMember},
			{"olemps", agreement.RoleMember}, {"druelle", agreement.RoleMember}, {"luc", agreement.RoleMember}},
		start: d("2026-01-01"), end: d("2028-12-31"),
		content: func(w *world, c *agreement.Content) {
			c.ServiceCommun = agreement.ServiceCommunTerms{Tasks: "instruction du droit des sols", ImpactStatement: "fiche-impact-ads.pdf"}
		},
	}
}

func TestExample6PlanningPermitServiceInBothModes(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := setup(t, db)
		t.Run("in unit-price mode the unit cost is rounded to 361.58 and the lines fall 0.51 short of 96,000.00", func(t *testing.T) {
			r := w.sign(t, adsConvention(agreement.UnitPrice))
			w.terms(t, r, "agglo", ledger.Terms{
				Object: "Service commun d'instruction du droit des sols", UsageUnit: "acte",
				UnitPrice: &ledger.UnitPriceTerms{
					Rule:        money.UnitPrice{Unit: "acte pondéré", RoundUnitCostFirst: true, Rounding: money.RoundHalfUp},
					Basis:       &money.UnitCostBasis{Lines: []money.CostLine{{Label: "Coût prévisionnel du service commun", Amount: eur(t, "96 000,00"), Eligible: true}}, Units: rat(t, "265,5"), Unit: "acte pondéré"},
					UnitWeights: adsWeights,
				},
			})
			adsUsage(t, w, r)
			w.clock.set(d("2027-01-10"))
			st := w.issue(t, "agglo", ledger.Request{AgreementID: r.ID, From: d("2026-01-01"), To: d("2026-12-31")})
			w.checkLines(t, st, want{"rodez", "41 183,96"}, want{"onet", "23 466,54"}, want{"olemps", "10 341,19"},
				want{"druelle", "15 077,89"}, want{"luc", "5 929,91"})
			if st.Result.Total != eur(t, "95 999,49") {
				t.Errorf("got total %s, want 95,999.49", st.Result.Total)
			}
			if p := st.Result.Pricing; p == nil || p.AppliedUnitCost.Cmp(rat(t, "361,58")) != 0 || p.Lines[0].Units.Cmp(rat(t, "113,9")) != 0 {
				t.Fatalf("got pricing %+v, want 361.58 applied and 113.9 weighted acts for A", p)
			}
			fs := w.flows(t, st)
			if len(fs) != 5 || fs[0].TitreAccount != "70875" || fs[0].MandatAccount != "62876" {
				t.Fatalf("got flows %+v, want five, on 70875 for the EPCI and 62876 for each member commune", fs)
			}
		})
		t.Run("in actual-cost mode 97,212.40 is split to the cent, leftover cents to D then C", func(t *testing.T) {
			r := w.sign(t, adsConvention(agreement.ActualCostByKey))
			w.terms(t, r, "agglo", ledger.Terms{
				Object: "Service commun d'instruction du droit des sols", UsageUnit: "acte",
				Key: &money.Key{Kind: money.KeyUsage, Label: "actes pondérés", Measure: "actes", UnitWeights: adsWeights},
			})
			adsUsage(t, w, r)
			w.clock.set(d("2027-03-10"))
			st := w.issue(t, "agglo", ledger.Request{AgreementID: r.ID, From: d("2026-01-01"), To: d("2026-12-31"),
				CostLines: []money.CostLine{{Label: "Coût réel constaté au compte administratif 2026", Amount: eur(t, "97 212,40"), Eligible: true}}})
			w.checkLines(t, st, want{"rodez", "41 704,30"}, want{"onet", "23 763,03"}, want{"olemps", "10 471,85"},
				want{"druelle", "15 268,39"}, want{"luc", "6 004,83"})
			a := st.Result.Allocation
			if a == nil || a.Lines[3].Rank != 1 || a.Lines[2].Rank != 2 || st.Result.Total != eur(t, "97 212,40") {
				t.Fatalf("got allocation %+v, want D ranked first and C second, total 97,212.40", a)
			}
		})
	})
}

func TestExample7SharedGymAndGrossReciprocalFlows(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := setup(t, db)
		ctx := context.Background()
		gymTerms := func(t *testing.T) ledger.Terms {
			return ledger.Terms{
				Object: "Participation aux frais de fonctionnement (L1311-15)", UsageUnit: "hour",
				UnitPrice: &ledger.UnitPriceTerms{
					Rule: money.UnitPrice{Unit: "heure", Rounding: money.RoundHalfUp},
					Basis: &money.UnitCostBasis{Source: "CA 2025", Units: rat(t, "2480"), Unit: "heure",
						Lines: []money.CostLine{{Label: "Frais de fonctionnement (énergie, ménage, entretien, gardien)", Amount: eur(t, "64 480,00"), Eligible: true}}},
				},
			}
		}
		equipment := func(owner, user, what string) convention {
			return convention{
				kind: agreement.EquipementPartage, mode: agreement.UnitPrice,
				parties: []party{{owner, agreement.RoleOwner}, {user, agreement.RoleUser}},
				start:   d("2026-01-01"), end: d("2026-12-31"),
				content: func(w *world, c *agreement.Content) {
					c.Equipment = agreement.EquipmentTerms{Equipment: what, FirstUse: d("2025-12-01")}
				},
			}
		}
		// A = Rodez, B = Onet-le-Château.
		gym := w.sign(t, equipment("rodez", "onet", "gymnase"))
		w.terms(t, gym, "rodez", gymTerms(t))
		for _, h := range []string{"100", "112", "100"} {
			w.use(t, gym, "rodez", "onet", d("2026-03-02"), "hour", "", h)
		}
		staff := w.sign(t, secondment(t, "rodez", "onet", d("2026-01-01"), d("2028-12-31")))
		w.terms(t, staff, "rodez", secondmentTerms(t))
		w.clock.set(d("2027-01-08"))
		gymSt := w.issue(t, "rodez", ledger.Request{AgreementID: gym.ID, From: d("2026-01-01"), To: d("2026-12-31")})
		staffSt := w.issue(t, "rodez", ledger.Request{AgreementID: staff.ID, From: d("2026-01-01"), To: d("2026-12-31")})

		t.Run("312 hours at 26.00 cost B 8,112.00 and the full-year secondment 13,005.00", func(t *testing.T) {
			if p := gymSt.Result.Pricing; p == nil || p.AppliedUnitCost.Cmp(rat(t, "26")) != 0 {
				t.Fatalf("got pricing %+v, want 26.00 per hour", p)
			}
			w.checkLines(t, gymSt, want{"onet", "8 112,00"})
			w.checkLines(t, staffSt, want{"onet", "13 005,00"})
		})
		t.Run("both debts run from B to A: two titres for A, two mandats for B, each on its own account", func(t *testing.T) {
			w.checkFlows(t, w.flows(t, staffSt), flowWant{"onet", "rodez", "13 005,00", "70848", "6218"})
			w.checkFlows(t, w.flows(t, gymSt), flowWant{"onet", "rodez", "8 112,00", "74748", "657348"})
			a, err := w.ledger.Year(ctx, w.clerk["rodez"], w.org["rodez"], 2026)
			if err != nil {
				t.Fatal(err)
			}
			if len(a.Titres) != 2 || len(a.Mandats) != 0 || a.TotalTitres != eur(t, "21 117,00") {
				t.Errorf("A: got %d titres (%s) and %d mandats, want 2 titres of 21,117.00 and none", len(a.Titres), a.TotalTitres, len(a.Mandats))
			}
		})

		// The reciprocal variant: A's pupils use B's pool, so A owes B 8,112.00.
		pool := w.sign(t, equipment("onet", "rodez", "piscine"))
		w.terms(t, pool, "onet", gymTerms(t))
		w.use(t, pool, "onet", "rodez", d("2026-05-04"), "hour", "", "312")
		w.clock.set(d("2027-01-09"))
		poolSt := w.issue(t, "onet", ledger.Request{AgreementID: pool.ID, From: d("2026-01-01"), To: d("2026-12-31")})

		t.Run("reciprocal debts stay two gross flows, recorded on both sides", func(t *testing.T) {
			w.checkFlows(t, w.flows(t, poolSt), flowWant{"rodez", "onet", "8 112,00", "74748", "657348"})
			a, err := w.ledger.Year(ctx, w.clerk["rodez"], w.org["rodez"], 2026)
			if err != nil {
				t.Fatal(err)
			}
			b, err := w.ledger.Year(ctx, w.clerk["onet"], w.org["onet"], 2026)
			if err != nil {
				t.Fatal(err)
			}
			amounts := func(fs []ledger.Flow) []money.Cents {
				var out []money.Cents
				for _, f := range fs {
					out = append(out, f.Amount)
				}
				return out
			}
			wantA := struct{ titres, mandats []money.Cents }{
				[]money.Cents{eur(t, "8 112,00"), eur(t, "13 005,00")}, []money.Cents{eur(t, "8 112,00")}}
			if got := amounts(a.Titres); !sameAmounts(got, wantA.titres) || !sameAmounts(amounts(a.Mandats), wantA.mandats) {
				t.Errorf("A: got titres %v and mandats %v, want titres %v and mandats %v", got, amounts(a.Mandats), wantA.titres, wantA.mandats)
			}
			if got := amounts(b.Mandats); !sameAmounts(got, wantA.titres) || !sameAmounts(amounts(b.Titres), wantA.mandats) {
				t.Errorf("B: got mandats %v and titres %v, want the mirror of A's", got, amounts(b.Titres))
			}
		})
		t.Run("the net position is computed for information only, and no row holds it", func(t *testing.T) {
			a, err := w.ledger.Year(ctx, w.clerk["rodez"], w.org["rodez"], 2026)
			if err != nil {
				t.Fatal(err)
			}
			if len(a.Partners) != 1 || a.Partners[0].NetInformation != eur(t, "13 005,00") {
				t.Fatalf("got partners %+v, want B with a net position of 13,005.00 (21,117.00 − 8,112.00)", a.Partners)
			}
			var n int
			if err := db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM ledger_flows WHERE amount IN (?, ?)`,
				int64(eur(t, "4 893,00")), int64(eur(t, "13 005,00")-eur(t, "8 112,00"))).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != 0 {
				t.Errorf("got %d flows of a netted amount, want none", n)
			}
		})
	})
}

func sameAmounts(got, want []money.Cents) bool {
	if len(got) != len(want) {
		return false
	}
	count := map[money.Cents]int{}
	for _, g := range got {
		count[g]++
	}
	for _, w := range want {
		count[w]--
	}
	for _, n := range count {
		if n != 0 {
			return false
		}
	}
	return true
}

func TestExample8JunctionCallsForFundsAndFinalBalance(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := setup(t, db)
		r := w.sign(t, convention{
			kind: agreement.CoMaitriseOuvrage, mode: agreement.CallsForFunds,
			parties: []party{{"rodez", agreement.RoleLead}, {"onet", agreement.RoleProjectOwner}},
			start:   d("2026-07-01"), end: d("2028-12-31"),
			content: func(w *world, c *agreement.Content) {
				c.ProjectOwnership = agreement.ProjectOwnershipTerms{Work: "carrefour giratoire", Shares: []agreement.Share{
					{OrgID: w.org["rodez"], Share: agreement.Fraction{Num: 5, Den: 8}}, {OrgID: w.org["onet"], Share: agreement.Fraction{Num: 3, Den: 8}}}}
			},
		})
		w.terms(t, r, "rodez", ledger.Terms{
			Object: "Co-maîtrise d'ouvrage du carrefour",
			Calls: &ledger.CallsTerms{Estimate: eur(t, "432 000,00"), Calls: []ledger.Call{
				{Label: "ordre de service", Share: rat(t, "30 %")}, {Label: "mi-parcours", Share: rat(t, "40 %")},
				{Label: "réception", Share: rat(t, "30 %")}}},
		})
		var calls []ledger.Statement
		for i, day := range []string{"2026-09-01", "2027-02-01", "2027-06-01"} {
			w.clock.set(d(day))
			calls = append(calls, w.issue(t, "rodez", ledger.Request{AgreementID: r.ID, From: d(day), To: d(day), Call: i + 1}))
		}
		t.Run("B's calls for funds are 48,600.00, 64,800.00 and 48,600.00", func(t *testing.T) {
			for i, amount := range []string{"48 600,00", "64 800,00", "48 600,00"} {
				if got := calls[i].Result.Lines[1].Amount; got != eur(t, amount) {
					t.Errorf("call %d: got %s, want %s", i+1, got, amount)
				}
			}
			if a := calls[0].Result.Allocation; a.Lines[0].Amount != eur(t, "270 000,00") || a.Lines[1].Amount != eur(t, "162 000,00") {
				t.Errorf("got parts %s and %s, want 270,000.00 and 162,000.00", a.Lines[0].Amount, a.Lines[1].Amount)
			}
		})
		w.clock.set(d("2027-09-01"))
		final := w.issue(t, "rodez", ledger.Request{AgreementID: r.ID, From: d("2027-08-31"), To: d("2027-08-31"), Final: true,
			CostLines: []money.CostLine{{Label: "Coût réel TTC de l'ouvrage", Amount: eur(t, "438 912,00"), Eligible: true}}})
		t.Run("the final statement calls B's balance of 2,592.00 on its 164,592.00", func(t *testing.T) {
			a := final.Result.Allocation
			if a.Lines[0].Amount != eur(t, "274 320,00") || a.Lines[1].Amount != eur(t, "164 592,00") {
				t.Errorf("got final parts %s and %s, want 274,320.00 and 164,592.00", a.Lines[0].Amount, a.Lines[1].Amount)
			}
			w.checkLines(t, final, want{"rodez", "4 320,00"}, want{"onet", "2 592,00"})
			w.checkFlows(t, w.flows(t, final), flowWant{"onet", "rodez", "2 592,00", "4582", ""})
		})
		t.Run("a call for funds cannot be issued twice", func(t *testing.T) {
			st, err := w.ledger.Draft(context.Background(), w.clerk["rodez"], ledger.Request{AgreementID: r.ID, From: d("2027-09-02"), To: d("2027-09-02"), Call: 2})
			if err != nil {
				t.Fatal(err)
			}
			_, err = w.ledger.Issue(context.Background(), w.clerk["rodez"], st.ID)
			mustErr(t, err, store.ErrConflict, "")
		})
	})
}

func TestExample9SchoolCostsRoundingOrder(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := setup(t, db)
		for _, c := range []struct {
			name       string
			roundFirst bool
			want       string
		}{
			{"the average cost rounded to the cent first gives 28,612.02", true, "28 612,02"},
			{"rounding only the amount gives 28,612.04", false, "28 612,04"},
		} {
			t.Run(c.name, func(t *testing.T) {
				r := w.sign(t, convention{
					kind: agreement.FraisScolarite, mode: agreement.UnitPrice,
					parties: []party{{"rodez", agreement.RoleSchoolHost}, {"olemps", agreement.RoleResidence}},
					start:   d("2026-09-01"), end: d("2027-08-31"),
					content: func(w *world, cc *agreement.Content) {
						cc.SchoolCosts = agreement.SchoolCostsTerms{SchoolYear: "2026-2027", RoundUnitCostFirst: c.roundFirst}
					},
				})
				w.terms(t, r, "rodez", ledger.Terms{
					Object: "Participation aux charges de scolarisation",
					UnitPrice: &ledger.UnitPriceTerms{
						Rule: money.UnitPrice{Unit: "élève", RoundUnitCostFirst: c.roundFirst, Rounding: money.RoundHalfUp},
						Basis: &money.UnitCostBasis{Units: rat(t, "245"), Unit: "élève", Lines: []money.CostLine{
							{Label: "Frais de fonctionnement des écoles publiques (hors périscolaire)", Amount: eur(t, "412 350,00"), Eligible: true}}},
					},
				})
				w.clock.set(d("2027-07-10"))
				st := w.issue(t, "rodez", ledger.Request{AgreementID: r.ID, From: d("2026-09-01"), To: d("2027-06-30"), Label: "année scolaire 2026-2027",
					Units: []ledger.UnitEntry{{Party: w.org["olemps"], Units: rat(t, "17")}}})
				w.checkLines(t, st, want{"olemps", c.want})
				w.checkFlows(t, w.flows(t, st), flowWant{"olemps", "rodez", c.want, "74748", "6558"})
			})
		}
		t.Run("terms that round otherwise than the convention are refused", func(t *testing.T) {
			r := w.sign(t, convention{
				kind: agreement.FraisScolarite, mode: agreement.UnitPrice,
				parties: []party{{"rodez", agreement.RoleSchoolHost}, {"druelle", agreement.RoleResidence}},
				start:   d("2026-09-01"), end: d("2027-08-31"),
				content: func(w *world, cc *agreement.Content) {
					cc.SchoolCosts = agreement.SchoolCostsTerms{SchoolYear: "2026-2027", RoundUnitCostFirst: true}
				},
			})
			_, err := w.ledger.SetTerms(context.Background(), w.clerk["rodez"], r.ID, 0, ledger.Terms{
				UnitPrice: &ledger.UnitPriceTerms{Rule: money.UnitPrice{UnitCost: rat(t, "1683,06"), Rounding: money.RoundHalfUp}}})
			if errs, ok := validate.As(err); !ok || errs.For("terms.unit_price.rule.round_unit_cost_first") == "" {
				t.Fatalf("got %v, want a field error on round_unit_cost_first", err)
			}
		})
	})
}
