package service_test

// domain.md §10 examples 1 and 6 through the shared-service features: a
// signed convention, its service, the year's cost lines and unit cost, its
// notification, usage entered and imported, then statements drafted and
// issued through the ledger. Expected figures are copied from domain.md.

import (
	"context"
	"strings"
	"testing"

	"voisines/internal/agreement"
	"voisines/internal/ledger"
	"voisines/internal/money"
	"voisines/internal/service"
	"voisines/internal/store"
	"voisines/internal/store/storetest"
)

func TestExample1RoadsServiceFromCostLinesToSixMonthStatements(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := setup(t, db)
		r := w.sign(t, voirie(w))
		olemps := w.clerk["olemps"]
		w.clock.set(d("2026-01-05"))
		s, err := w.services.Create(ctx, olemps, r.ID, service.Details{Name: "Service voirie", Unit: service.Hour})
		if err != nil {
			t.Fatal(err)
		}
		t.Run("the provider is the commune, the EPCI the beneficiary, billed by unit price", func(t *testing.T) {
			if s.Provider.OrgID != w.org["olemps"] || len(s.Beneficiaries) != 1 || s.Beneficiaries[0].OrgID != w.org["agglo"] ||
				s.Billing != service.UnitPriceBilling || s.Rounding != money.RoundHalfUp {
				t.Fatalf("got provider %+v, beneficiaries %+v, billing %s, rounding %s", s.Provider, s.Beneficiaries, s.Billing, s.Rounding)
			}
		})

		w.clock.set(d("2026-03-02"))
		y, err := w.services.SetYear(ctx, olemps, s.ID, 2026, 0, voirieYear(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Run("the unit cost is 233,400.00 eligible + 4,600.00 = 238,000.00 over 8,500 hours, 28.00 per hour", func(t *testing.T) {
			uc := y.UnitCost
			if uc.Eligible != eur(t, "233 400,00") || uc.Excluded != eur(t, "6 200,00") || uc.Updated != eur(t, "238 000,00") ||
				uc.PerUnit.Cmp(rat(t, "28")) != 0 || y.Applied.Cmp(rat(t, "28")) != 0 {
				t.Fatalf("got %+v, applied %s", uc, y.Applied)
			}
			if got := service.UnitCostText(y.Applied, s.Unit); got != "28,00\u00a0€/heure" {
				t.Errorf("got %q, want 28,00 €/heure", got)
			}
			text := strings.Join(y.Explain, "\n")
			for _, want := range []string{"238\u202f000,00", "exclu (non strictement liée", "Actualisation au budget primitif"} {
				if !strings.Contains(text, want) {
					t.Errorf("explanation %q does not mention %q", text, want)
				}
			}
		})
		t.Run("before notification the page says when the unit cost is due: 30 April in 2026", func(t *testing.T) {
			st := y.Notification
			if !st.Required || st.Notified || st.Late || st.Deadline != d("2026-04-30") || !strings.Contains(st.Message, "30 avril 2026") {
				t.Fatalf("got %+v", st)
			}
		})

		w.clock.set(d("2026-04-20"))
		n, err := w.services.Notify(ctx, olemps, s.ID, 2026, service.NoticeInput{Date: d("2026-04-20")})
		if err != nil {
			t.Fatal(err)
		}
		t.Run("the notification is recorded in time, with its recipient, and on the convention", func(t *testing.T) {
			if n.Late || n.Deadline != d("2026-04-30") || len(n.Recipients) != 1 || n.Recipients[0].OrgID != w.org["agglo"] {
				t.Fatalf("got notice %+v", n)
			}
			rec, err := w.agr.Get(ctx, olemps, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(rec.Agreement.UnitCostNotices) != 1 || rec.Agreement.UnitCostNotices[0] != (agreement.UnitCostNotice{Year: 2026, Date: d("2026-04-20")}) {
				t.Fatalf("got the convention's notices %+v", rec.Agreement.UnitCostNotices)
			}
			if al, ok := agreement.UnitCostAlert(rec.Agreement, d("2026-04-25"), 60); ok {
				t.Errorf("the convention still raises %+v", al)
			}
			y, err := w.services.Year(ctx, w.clerk["agglo"], s.ID, 2026)
			if err != nil {
				t.Fatal(err)
			}
			if !y.Notification.Notified || y.Notification.Late || !strings.Contains(y.Notification.Message, "dans le délai") {
				t.Fatalf("the beneficiary reads %+v", y.Notification)
			}
		})

		// 598.0 h in the first half-year, 638.5 h in the second: typed in
		// a form, and imported from the service's own timesheet.
		for _, u := range []struct{ day, hours, ref string }{
			{"2026-02-10", "200", "FEV-1"}, {"2026-04-03", "250,5", "AVR-1"}, {"2026-06-30", "147,5", ""},
		} {
			if _, err := w.services.RecordUsage(ctx, olemps, s.ID, service.UsageInput{Date: d(u.day), Beneficiary: w.org["agglo"],
				Quantity: rat(t, u.hours), Reference: u.ref}); err != nil {
				t.Fatal(err)
			}
		}
		csv := "date;beneficiaire;type;quantite;reference\n01/07/2026;241200187;heures;300;S2-1\n2026-10-15;241200187;;238,5;S2-2\n2026-12-31;241200187;h;100;S2-3\n2027-01-02;241200187;h;40;2027-1\n"
		rep, err := w.services.ImportUsage(ctx, olemps, s.ID, strings.NewReader(csv))
		if err != nil {
			t.Fatal(err)
		}
		if rep.Created != 4 || rep.Updated != 0 {
			t.Fatalf("got report %+v, want 4 created", rep)
		}

		w.clock.set(d("2026-07-10"))
		s1, err := w.services.DraftStatement(ctx, olemps, s.ID, service.StatementRequest{From: d("2026-01-01"), To: d("2026-06-30"), Label: "S1 2026"})
		if err != nil {
			t.Fatal(err)
		}
		if s1, err = w.services.IssueStatement(ctx, olemps, s.ID, s1.ID); err != nil {
			t.Fatal(err)
		}
		w.clock.set(d("2027-01-10"))
		s2, err := w.services.DraftStatement(ctx, olemps, s.ID, service.StatementRequest{From: d("2026-07-01"), To: d("2026-12-31"), Label: "S2 2026"})
		if err != nil {
			t.Fatal(err)
		}
		if s2, err = w.services.IssueStatement(ctx, olemps, s.ID, s2.ID); err != nil {
			t.Fatal(err)
		}
		t.Run("the first half-year is 598 hours, 16,744.00", func(t *testing.T) {
			w.checkLines(t, s1, want{"agglo", "16 744,00"})
			if p := s1.Result.Pricing; p == nil || p.Lines[0].Units.Cmp(rat(t, "598")) != 0 {
				t.Fatalf("got pricing %+v, want 598 hours", p)
			}
		})
		t.Run("the second half-year is 638.5 hours, 17,878.00", func(t *testing.T) {
			w.checkLines(t, s2, want{"agglo", "17 878,00"})
		})
		t.Run("the year is 34,622.00 owed by the EPCI to the commune, on accounts 70876 and 62875", func(t *testing.T) {
			var fs []ledger.Flow
			for _, st := range []ledger.Statement{s1, s2} {
				f, err := w.ledger.Flows(ctx, olemps, st.ID)
				if err != nil {
					t.Fatal(err)
				}
				fs = append(fs, f...)
			}
			var total money.Cents
			for _, f := range fs {
				if f.Debtor.OrgID != w.org["agglo"] || f.Creditor.OrgID != w.org["olemps"] || f.TitreAccount != "70876" || f.MandatAccount != "62875" {
					t.Errorf("got flow %s → %s on %s/%s", f.Debtor.Name, f.Creditor.Name, f.TitreAccount, f.MandatAccount)
				}
				total += f.Amount
			}
			if len(fs) != 2 || total != eur(t, "34 622,00") {
				t.Fatalf("got %d flows totalling %s, want 2 totalling 34,622.00", len(fs), total)
			}
		})
		t.Run("the service lists both statements", func(t *testing.T) {
			ss, err := w.services.Statements(ctx, w.clerk["agglo"], s.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(ss) != 2 || ss[0].Status != ledger.Issued || ss[1].Status != ledger.Issued {
				t.Fatalf("got %d statements %+v", len(ss), ss)
			}
		})
		t.Run("a period of more than twelve months is refused, citing D5211-16", func(t *testing.T) {
			_, err := w.services.DraftStatement(ctx, olemps, s.ID, service.StatementRequest{From: d("2026-01-01"), To: d("2027-01-01")})
			mustFail(t, err, nil, "to", "D5211-16")
		})
		t.Run("a period across two fiscal years is refused: the unit cost is annual", func(t *testing.T) {
			_, err := w.services.DraftStatement(ctx, olemps, s.ID, service.StatementRequest{From: d("2026-10-01"), To: d("2027-03-31")})
			mustFail(t, err, nil, "to", "deux exercices")
		})
		t.Run("a period of more than the convention's six months is refused by the ledger", func(t *testing.T) {
			_, err := w.services.DraftStatement(ctx, olemps, s.ID, service.StatementRequest{From: d("2026-01-01"), To: d("2026-07-31")})
			mustFail(t, err, nil, "to", "6 mois")
		})
	})
}

func TestExample6PlanningPermitsImportedAndBilledInBothModes(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := setup(t, db)
		agglo := w.clerk["agglo"]

		t.Run("in unit-price mode the unit cost is rounded to 361.58 and the lines fall 0.51 short of 96,000.00", func(t *testing.T) {
			r := w.sign(t, ads(agreement.UnitPrice, false))
			w.clock.set(d("2026-01-10"))
			s, err := w.services.Create(ctx, agglo, r.ID, service.Details{Name: "Service commun ADS", Unit: service.Act,
				Weights: adsWeights(t), RoundUnitCostFirst: true})
			if err != nil {
				t.Fatal(err)
			}
			y, err := w.services.SetYear(ctx, agglo, s.ID, 2026, 0, service.YearInput{
				Source:        "budget prévisionnel 2026 du service commun",
				Lines:         []service.CostLine{{Category: service.Personnel, Label: "Coût prévisionnel du service commun", Amount: eur(t, "96 000,00"), Eligible: true}},
				ForecastUnits: rat(t, "265,5"),
			})
			if err != nil {
				t.Fatal(err)
			}
			if y.Applied.Cmp(rat(t, "361,58")) != 0 || y.UnitCost.PerUnit.Cmp(rat(t, "96000").Quo(rat(t, "265,5"))) != 0 {
				t.Fatalf("got unit cost %s applied %s, want 96,000/265.5 applied 361.58", y.UnitCost.PerUnit, y.Applied)
			}
			if y.Notification.Required || !strings.Contains(y.Notification.Message, "service commun") {
				t.Errorf("a service commun has no legal deadline, got %+v", y.Notification)
			}
			rep, err := w.services.ImportUsage(ctx, agglo, s.ID, strings.NewReader(adsCSV))
			if err != nil {
				t.Fatal(err)
			}
			if rep.Created != 17 {
				t.Fatalf("got %+v, want 17 lines created", rep)
			}
			u, err := w.services.Usage(ctx, agglo, s.ID, service.UsageFilter{})
			if err != nil {
				t.Fatal(err)
			}
			wantWeighted := map[string]string{"rodez": "113,9", "onet": "64,9", "olemps": "28,6", "druelle": "41,7", "luc": "16,4"}
			if len(u.Totals) != 5 {
				t.Fatalf("got totals %+v", u.Totals)
			}
			for _, tot := range u.Totals {
				if tot.Weighted.Cmp(rat(t, wantWeighted[w.short(tot.BeneficiaryID)])) != 0 {
					t.Errorf("%s: got %s weighted acts, want %s", tot.BeneficiaryName, tot.Weighted, wantWeighted[w.short(tot.BeneficiaryID)])
				}
			}
			w.clock.set(d("2027-01-10"))
			st, err := w.services.DraftStatement(ctx, agglo, s.ID, service.StatementRequest{From: d("2026-01-01"), To: d("2026-12-31"), Label: "2026"})
			if err != nil {
				t.Fatal(err)
			}
			if st, err = w.services.IssueStatement(ctx, agglo, s.ID, st.ID); err != nil {
				t.Fatal(err)
			}
			w.checkLines(t, st, want{"rodez", "41 183,96"}, want{"onet", "23 466,54"}, want{"olemps", "10 341,19"},
				want{"druelle", "15 077,89"}, want{"luc", "5 929,91"})
			if st.Result.Total != eur(t, "95 999,49") {
				t.Errorf("got total %s, want 95,999.49", st.Result.Total)
			}
		})

		t.Run("in actual-cost mode 97,212.40 is split to the cent by the largest remainder", func(t *testing.T) {
			r := w.sign(t, ads(agreement.ActualCostByKey, false))
			w.clock.set(d("2026-01-10"))
			s, err := w.services.Create(ctx, agglo, r.ID, service.Details{Name: "Service commun ADS (coût réel)", Unit: service.Act,
				Weights: adsWeights(t)})
			if err != nil {
				t.Fatal(err)
			}
			// References are per service: the same file imports into this
			// service without touching the other's records.
			if _, err := w.services.ImportUsage(ctx, agglo, s.ID, strings.NewReader(adsCSV)); err != nil {
				t.Fatal(err)
			}
			w.clock.set(d("2027-03-10"))
			st, err := w.services.DraftStatement(ctx, agglo, s.ID, service.StatementRequest{From: d("2026-01-01"), To: d("2026-12-31"),
				CostLines: []money.CostLine{{Label: "Coût réel constaté au compte administratif 2026", Amount: eur(t, "97 212,40"), Eligible: true}}})
			if err != nil {
				t.Fatal(err)
			}
			if st, err = w.services.IssueStatement(ctx, agglo, s.ID, st.ID); err != nil {
				t.Fatal(err)
			}
			w.checkLines(t, st, want{"rodez", "41 704,30"}, want{"onet", "23 763,03"}, want{"olemps", "10 471,85"},
				want{"druelle", "15 268,39"}, want{"luc", "6 004,83"})
			if st.Result.Total != eur(t, "97 212,40") {
				t.Errorf("got total %s, want 97,212.40", st.Result.Total)
			}
		})
	})
}
