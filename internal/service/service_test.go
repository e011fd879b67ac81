package service_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"voisines/internal/agreement"
	"voisines/internal/auth"
	"voisines/internal/csvin"
	"voisines/internal/ledger"
	"voisines/internal/service"
	"voisines/internal/store"
	"voisines/internal/store/storetest"
	"voisines/internal/validate"
)

// adsService signs example 6's convention in unit-price mode and creates
// its service with the year 2026 and the acts imported.
func adsService(t *testing.T, w *world) service.Service {
	t.Helper()
	ctx := context.Background()
	r := w.sign(t, ads(agreement.UnitPrice, false))
	w.clock.set(d("2026-01-10"))
	s, err := w.services.Create(ctx, w.clerk["agglo"], r.ID, service.Details{Name: "Service commun ADS", Unit: service.Act,
		Weights: adsWeights(t), RoundUnitCostFirst: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.services.SetYear(ctx, w.clerk["agglo"], s.ID, 2026, 0, service.YearInput{
		Lines:         []service.CostLine{{Category: service.Personnel, Label: "Coût prévisionnel", Amount: eur(t, "96 000,00"), Eligible: true}},
		ForecastUnits: rat(t, "265,5"),
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.services.ImportUsage(ctx, w.clerk["agglo"], s.ID, strings.NewReader(adsCSV)); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestReadersSeeOnlyWhatConcernsThem(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := setup(t, db)
		s := adsService(t, w)

		t.Run("a beneficiary reads the service, its cost lines and unit cost", func(t *testing.T) {
			if _, err := w.services.Get(ctx, w.reader["rodez"], s.ID); err != nil {
				t.Fatal(err)
			}
			y, err := w.services.Year(ctx, w.reader["rodez"], s.ID, 2026)
			if err != nil || len(y.Lines) != 1 {
				t.Fatalf("got %+v, %v", y, err)
			}
		})
		t.Run("a beneficiary sees its own usage lines only, never another's", func(t *testing.T) {
			u, err := w.services.Usage(ctx, w.clerk["rodez"], s.ID, service.UsageFilter{})
			if err != nil {
				t.Fatal(err)
			}
			if u.All || len(u.Lines) != 4 || len(u.Totals) != 1 || u.Totals[0].BeneficiaryID != w.org["rodez"] {
				t.Fatalf("got all=%v, %d lines, totals %+v; want Rodez's 4 lines only", u.All, len(u.Lines), u.Totals)
			}
			for _, l := range u.Lines {
				if l.BeneficiaryID != w.org["rodez"] {
					t.Errorf("Rodez sees a line of %s", l.BeneficiaryName)
				}
			}
			u, err = w.services.Usage(ctx, w.clerk["rodez"], s.ID, service.UsageFilter{Beneficiary: w.org["onet"]})
			if err != nil || len(u.Lines) != 0 || len(u.Totals) != 0 {
				t.Fatalf("asking for Onet's usage, Rodez got %+v, %v", u, err)
			}
		})
		t.Run("the provider sees every beneficiary's usage", func(t *testing.T) {
			u, err := w.services.Usage(ctx, w.reader["agglo"], s.ID, service.UsageFilter{})
			if err != nil || !u.All || len(u.Lines) != 17 || len(u.Totals) != 5 {
				t.Fatalf("got all=%v, %d lines, %d totals, %v", u.All, len(u.Lines), len(u.Totals), err)
			}
		})
		t.Run("an organisation that is not a party gets not found everywhere", func(t *testing.T) {
			millau := w.clerk["millau"]
			_, err := w.services.Get(ctx, millau, s.ID)
			mustFail(t, err, store.ErrNotFound, "", "")
			_, err = w.services.Year(ctx, millau, s.ID, 2026)
			mustFail(t, err, store.ErrNotFound, "", "")
			_, err = w.services.Usage(ctx, millau, s.ID, service.UsageFilter{})
			mustFail(t, err, store.ErrNotFound, "", "")
			_, err = w.services.RecordUsage(ctx, millau, s.ID, service.UsageInput{})
			mustFail(t, err, store.ErrNotFound, "", "")
			if list, err := w.services.Mine(ctx, millau); err != nil || len(list) != 0 {
				t.Fatalf("Millau lists %+v, %v", list, err)
			}
		})
		t.Run("only the provider writes: a beneficiary may not record usage nor notify", func(t *testing.T) {
			_, err := w.services.RecordUsage(ctx, w.clerk["rodez"], s.ID, service.UsageInput{Date: d("2026-03-01"),
				Beneficiary: w.org["rodez"], ActType: "PC", Quantity: rat(t, "1")})
			mustFail(t, err, auth.ErrForbidden, "", "")
			_, err = w.services.Notify(ctx, w.clerk["rodez"], s.ID, 2026, service.NoticeInput{Date: d("2026-01-10")})
			mustFail(t, err, auth.ErrForbidden, "", "")
			_, err = w.services.ImportUsage(ctx, w.reader["agglo"], s.ID, strings.NewReader(adsCSV))
			mustFail(t, err, auth.ErrForbidden, "", "")
		})
		t.Run("the lists show each organisation's side", func(t *testing.T) {
			list, err := w.services.ForOrganisation(ctx, w.clerk["rodez"], w.org["rodez"])
			if err != nil || len(list) != 1 || list[0].Provides {
				t.Fatalf("Rodez lists %+v, %v", list, err)
			}
			list, err = w.services.ForOrganisation(ctx, w.clerk["agglo"], w.org["agglo"])
			if err != nil || len(list) != 1 || !list[0].Provides {
				t.Fatalf("the EPCI lists %+v, %v", list, err)
			}
			_, err = w.services.ForOrganisation(ctx, w.clerk["rodez"], w.org["agglo"])
			mustFail(t, err, auth.ErrForbidden, "", "")
		})
	})
}

func TestUsageImportIsAllOrNothingAndIdempotent(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := setup(t, db)
		s := adsService(t, w)
		agglo := w.clerk["agglo"]
		count := func() int {
			u, err := w.services.Usage(ctx, agglo, s.ID, service.UsageFilter{})
			if err != nil {
				t.Fatal(err)
			}
			return len(u.Lines)
		}

		t.Run("importing the same file again changes nothing", func(t *testing.T) {
			rep, err := w.services.ImportUsage(ctx, agglo, s.ID, strings.NewReader(adsCSV))
			if err != nil || rep.Created != 0 || rep.Updated != 17 || count() != 17 {
				t.Fatalf("got %+v, %v, %d lines", rep, err, count())
			}
		})
		t.Run("a corrected line corrects its record", func(t *testing.T) {
			file := "date;beneficiaire;type;quantite;reference\n2026-05-12;12202;PC;41;ADS-A-PC\n"
			rep, err := w.services.ImportUsage(ctx, agglo, s.ID, strings.NewReader(file))
			if err != nil || rep.Updated != 1 || count() != 17 {
				t.Fatalf("got %+v, %v, %d lines", rep, err, count())
			}
			u, _ := w.services.Usage(ctx, agglo, s.ID, service.UsageFilter{Beneficiary: w.org["rodez"]})
			if u.Totals[0].Weighted.Cmp(rat(t, "114,9")) != 0 {
				t.Fatalf("got %s weighted acts for Rodez, want 114.9", u.Totals[0].Weighted)
			}
		})
		tests := []struct {
			name, file string
			want       []csvin.Error
		}{
			{"every faulty cell is named by its line and column",
				"Date;Bénéficiaire;Type;Quantité;Référence\n" +
					"2026-05-12;12202;PC;3;X-1\n" +
					"31/02/2026;12202;PC;3;X-2\n" +
					"2026-05-13;12145;PC;3;X-3\n" +
					"2026-05-13;12202;PZ;3;X-4\n" +
					"2026-05-13;12202;PC;2,5;X-5\n" +
					"2026-05-13;12202;PC;-1;X-6\n" +
					"2026-05-13;12202;PC;1;X-1\n" +
					"2029-05-13;12202;PC;1;X-8\n" +
					"2026-05-13;12202;PC;1;\n",
				[]csvin.Error{
					{Line: 3, Column: "Date", Message: "n'est pas une date valide"},
					{Line: 4, Column: "Bénéficiaire", Message: "ne désigne aucun bénéficiaire"},
					{Line: 5, Column: "Type", Message: "type d'acte inconnu"},
					{Line: 6, Column: "Quantité", Message: "un nombre d'actes est entier"},
					{Line: 7, Column: "Quantité", Message: "la quantité doit être positive"},
					{Line: 8, Column: "Référence", Message: "figure déjà à la ligne 2"},
					{Line: 9, Column: "Date", Message: "postérieur au dernier jour d'application"},
					{Line: 10, Column: "Référence", Message: "la référence est vide"},
				}},
			{"a missing required column is named on the header line",
				"date;beneficiaire;quantite\n2026-05-12;12202;3\n",
				[]csvin.Error{{Line: 1, Column: "reference", Message: "colonne obligatoire absente"}, {Line: 1, Column: "type", Message: "colonne obligatoire absente"}}},
			{"an unknown column is refused",
				"date;beneficiaire;type;quantite;reference;couleur\n2026-05-12;12202;PC;3;X\n",
				[]csvin.Error{{Line: 1, Column: "couleur", Message: "colonne inconnue"}}},
			{"a stray quote names its line",
				"date;beneficiaire;type;quantite;reference\n2026-05-12;12202;PC;3;X\n2026-05-12;12202;PC;3;\"X\"Y\n",
				[]csvin.Error{{Line: 3, Message: "guillemet mal placé"}}},
			{"an empty file is refused", "", []csvin.Error{{Line: 1, Message: "l'en-tête est illisible"}}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before := count()
				_, err := w.services.ImportUsage(ctx, agglo, s.ID, strings.NewReader(tt.file))
				var ie csvin.Errors
				if !errors.As(err, &ie) {
					t.Fatalf("got %v, want import errors", err)
				}
				if len(ie) != len(tt.want) {
					t.Fatalf("got %d errors %v, want %d", len(ie), ie, len(tt.want))
				}
				for i, want := range tt.want {
					if ie[i].Line != want.Line || ie[i].Column != want.Column || !strings.Contains(ie[i].Message, want.Message) {
						t.Errorf("error %d: got %+v, want line %d column %q mentioning %q", i, ie[i], want.Line, want.Column, want.Message)
					}
				}
				if count() != before {
					t.Fatalf("a refused file wrote usage: %d lines, want %d", count(), before)
				}
			})
		}
		t.Run("a use typed in the form and then imported is counted once", func(t *testing.T) {
			if _, err := w.services.RecordUsage(ctx, agglo, s.ID, service.UsageInput{Date: d("2026-07-01"), Beneficiary: w.org["luc"],
				ActType: "PC", Quantity: rat(t, "1"), Reference: "PC-2026-900"}); err != nil {
				t.Fatal(err)
			}
			before := count()
			rep, err := w.services.ImportUsage(ctx, agglo, s.ID, strings.NewReader("date;beneficiaire;type;quantite;reference\n2026-07-01;12133;PC;2;PC-2026-900\n"))
			if err != nil || rep.Updated != 1 || count() != before {
				t.Fatalf("got %+v, %v, %d lines (want %d)", rep, err, count(), before)
			}
		})
		t.Run("a Windows-1252 file with a comma separator is read", func(t *testing.T) {
			file := "date,b\xe9n\xe9ficiaire,type,quantite,r\xe9f\xe9rence,note\n2026-06-01,12176,DP,2,W-1,d\xe9clarations\n"
			rep, err := w.services.ImportUsage(ctx, agglo, s.ID, strings.NewReader(file))
			if err != nil || rep.Created != 1 {
				t.Fatalf("got %+v, %v", rep, err)
			}
		})
	})
}

func TestUsageFormRecordsAndCorrectsAndRemoves(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := setup(t, db)
		s := adsService(t, w)
		agglo := w.clerk["agglo"]
		e, err := w.services.RecordUsage(ctx, agglo, s.ID, service.UsageInput{Date: d("2026-09-01"), Beneficiary: w.org["luc"],
			ActType: "cub", Quantity: rat(t, "2"), Reference: "CU-2026-77"})
		if err != nil {
			t.Fatal(err)
		}
		if e.ActType != "CUb" || e.Milli != 2000 || e.Unit != "acte" || e.Source != "service" {
			t.Fatalf("got %+v", e)
		}
		again, err := w.services.RecordUsage(ctx, agglo, s.ID, service.UsageInput{Date: d("2026-09-01"), Beneficiary: w.org["luc"],
			ActType: "CUb", Quantity: rat(t, "3"), Reference: "CU-2026-77"})
		if err != nil || again.ID != e.ID || again.Milli != 3000 {
			t.Fatalf("recording the same reference again: got %+v, %v; want record %d corrected", again, err, e.ID)
		}
		tests := []struct {
			name  string
			in    service.UsageInput
			field string
		}{
			{"without date", service.UsageInput{Beneficiary: w.org["luc"], ActType: "PC", Quantity: rat(t, "1")}, "date"},
			{"for the provider itself", service.UsageInput{Date: d("2026-09-01"), Beneficiary: w.org["agglo"], ActType: "PC", Quantity: rat(t, "1")}, "beneficiary"},
			{"for a commune outside the convention", service.UsageInput{Date: d("2026-09-01"), Beneficiary: w.org["millau"], ActType: "PC", Quantity: rat(t, "1")}, "beneficiary"},
			{"without act type", service.UsageInput{Date: d("2026-09-01"), Beneficiary: w.org["luc"], Quantity: rat(t, "1")}, "act_type"},
			{"of zero acts", service.UsageInput{Date: d("2026-09-01"), Beneficiary: w.org["luc"], ActType: "PC"}, "quantity"},
			{"before the convention applies", service.UsageInput{Date: d("2025-12-31"), Beneficiary: w.org["luc"], ActType: "PC", Quantity: rat(t, "1")}, "date"},
		}
		for _, tt := range tests {
			t.Run("a use "+tt.name+" is refused", func(t *testing.T) {
				_, err := w.services.RecordUsage(ctx, agglo, s.ID, tt.in)
				fes, ok := validate.As(err)
				if !ok || fes[0].Field != tt.field {
					t.Fatalf("got %v, want an error on %s", err, tt.field)
				}
			})
		}
		t.Run("the provider removes a use recorded by mistake", func(t *testing.T) {
			if err := w.services.RemoveUsage(ctx, w.clerk["rodez"], s.ID, e.ID); !errors.Is(err, auth.ErrForbidden) {
				t.Fatalf("a beneficiary removing: got %v, want forbidden", err)
			}
			if err := w.services.RemoveUsage(ctx, agglo, s.ID, e.ID); err != nil {
				t.Fatal(err)
			}
			if err := w.services.RemoveUsage(ctx, agglo, s.ID, e.ID); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("removing twice: got %v, want not found", err)
			}
		})
	})
}

func TestYearRulesAndConcurrentEdits(t *testing.T) {
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
		bad := func(f func(*service.YearInput)) service.YearInput {
			in := voirieYear(t)
			f(&in)
			return in
		}
		tests := []struct {
			name  string
			in    service.YearInput
			field string
		}{
			{"an excluded line needs its reason", bad(func(in *service.YearInput) { in.Lines[4].Reason = "" }), "lines[4].reason"},
			{"a budget update needs its reason", bad(func(in *service.YearInput) { in.BudgetUpdateReason = "" }), "budget_update_reason"},
			{"the forecast units are required", bad(func(in *service.YearInput) { in.ForecastUnits = rat(t, "0") }), "forecast_units"},
			{"a line's nature is one of the five", bad(func(in *service.YearInput) { in.Lines[0].Category = "cadeaux" }), "lines[0].category"},
			{"an update cannot cancel the cost", bad(func(in *service.YearInput) { in.BudgetUpdate = -eur(t, "233 400,00") }), "budget_update"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := w.services.SetYear(ctx, olemps, s.ID, 2026, 0, tt.in)
				fes, ok := validate.As(err)
				if !ok || fes[0].Field != tt.field {
					t.Fatalf("got %v, want an error on %s", err, tt.field)
				}
			})
		}
		t.Run("a negative budget update with its reason lowers the unit cost", func(t *testing.T) {
			in := voirieYear(t)
			in.BudgetUpdate, in.BudgetUpdateReason = -eur(t, "8 900,00"), "départ d'un agent non remplacé"
			y, err := w.services.SetYear(ctx, olemps, s.ID, 2027, 0, in)
			if err != nil {
				t.Fatal(err)
			}
			if y.UnitCost.Updated != eur(t, "224 500,00") || y.Source != "compte administratif 2025" {
				t.Fatalf("got %+v", y.UnitCost)
			}
		})
		y, err := w.services.SetYear(ctx, olemps, s.ID, 2026, 0, voirieYear(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Run("a second first save of the year conflicts", func(t *testing.T) {
			_, err := w.services.SetYear(ctx, olemps, s.ID, 2026, 0, voirieYear(t))
			mustFail(t, err, store.ErrConflict, "", "")
		})
		t.Run("an edit of an old version conflicts, never merged", func(t *testing.T) {
			if _, err := w.services.SetYear(ctx, olemps, s.ID, 2026, y.Version, voirieYear(t)); err != nil {
				t.Fatal(err)
			}
			_, err := w.services.SetYear(ctx, olemps, s.ID, 2026, y.Version, voirieYear(t))
			mustFail(t, err, store.ErrConflict, "", "")
			_, err = w.services.Update(ctx, olemps, s.ID, s.Version+5, service.Details{Name: "Voirie", Unit: service.Hour})
			mustFail(t, err, store.ErrConflict, "", "")
		})
		t.Run("a beneficiary cannot edit the cost lines", func(t *testing.T) {
			_, err := w.services.SetYear(ctx, w.clerk["agglo"], s.ID, 2028, 0, voirieYear(t))
			mustFail(t, err, auth.ErrForbidden, "", "")
		})
		t.Run("a convention carries one service", func(t *testing.T) {
			_, err := w.services.Create(ctx, olemps, r.ID, service.Details{Name: "Bis", Unit: service.Hour})
			mustFail(t, err, store.ErrConflict, "", "")
		})
		t.Run("the unit of work cannot change once usage is counted in it", func(t *testing.T) {
			if _, err := w.services.RecordUsage(ctx, olemps, s.ID, service.UsageInput{Date: d("2026-02-01"), Beneficiary: w.org["agglo"],
				Quantity: rat(t, "7,25")}); err != nil {
				t.Fatal(err)
			}
			_, err := w.services.Update(ctx, olemps, s.ID, s.Version, service.Details{Name: "Voirie", Unit: service.Km})
			mustFail(t, err, nil, "unit", "ne peut plus changer")
		})
	})
}

func TestLateNotificationIsReportedClearly(t *testing.T) {
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
		if _, err := w.services.SetYear(ctx, olemps, s.ID, 2026, 0, voirieYear(t)); err != nil {
			t.Fatal(err)
		}
		w.clock.set(d("2026-05-06"))
		t.Run("past the deadline without notification, the year says it is late", func(t *testing.T) {
			st, err := w.services.Notification(ctx, w.clerk["agglo"], s.ID, 2026)
			if err != nil {
				t.Fatal(err)
			}
			if !st.Late || st.Notified || !strings.Contains(st.Message, "En retard") || !strings.Contains(st.Message, "30 avril 2026") {
				t.Fatalf("got %+v", st)
			}
		})
		t.Run("a notification after 30 April 2026 is recorded, late by its days", func(t *testing.T) {
			n, err := w.services.Notify(ctx, olemps, s.ID, 2026, service.NoticeInput{Date: d("2026-05-05")})
			if err != nil {
				t.Fatal(err)
			}
			if !n.Late || n.DaysLate != 5 {
				t.Fatalf("got %+v", n)
			}
			st, _ := w.services.Notification(ctx, olemps, s.ID, 2026)
			if !st.Late || !strings.Contains(st.Message, "en retard de 5 jour(s)") {
				t.Fatalf("got %q", st.Message)
			}
		})
		t.Run("a notification in the future, or to a non-beneficiary, is refused", func(t *testing.T) {
			_, err := w.services.Notify(ctx, olemps, s.ID, 2026, service.NoticeInput{Date: d("2026-05-07")})
			mustFail(t, err, nil, "date", "dans le futur")
			_, err = w.services.Notify(ctx, olemps, s.ID, 2026, service.NoticeInput{Date: d("2026-05-06"), Recipients: []int64{w.org["rodez"]}})
			mustFail(t, err, nil, "recipients[0]", "pas bénéficiaire")
			_, err = w.services.Notify(ctx, olemps, s.ID, 2025, service.NoticeInput{Date: d("2026-05-06")})
			mustFail(t, err, nil, "year", "2025")
		})
		t.Run("in the year of signature the deadline is three months after it", func(t *testing.T) {
			cv := voirie(w)
			cv.parties = []party{{"onet", agreement.RoleProvider}, {"agglo", agreement.RoleBeneficiary}}
			cv.start = d("2026-06-01") // signed on 1 April 2026
			r := w.sign(t, cv)
			w.clock.set(d("2026-04-02"))
			s, err := w.services.Create(ctx, w.clerk["onet"], r.ID, service.Details{Name: "Voirie d'Onet", Unit: service.Hour})
			if err != nil {
				t.Fatal(err)
			}
			y, err := w.services.SetYear(ctx, w.clerk["onet"], s.ID, 2026, 0, voirieYear(t))
			if err != nil {
				t.Fatal(err)
			}
			if st := y.Notification; st.Deadline != d("2026-07-01") || st.Late || !strings.Contains(st.Message, "1er juillet 2026") {
				t.Fatalf("got %+v", st)
			}
			w.clock.set(d("2026-05-06"))
		})
		t.Run("a cost changed after notification must be notified again", func(t *testing.T) {
			y, _ := w.services.Year(ctx, olemps, s.ID, 2026)
			in := voirieYear(t)
			in.ForecastUnits = rat(t, "8000")
			if _, err := w.services.SetYear(ctx, olemps, s.ID, 2026, y.Version, in); err != nil {
				t.Fatal(err)
			}
			st, _ := w.services.Notification(ctx, olemps, s.ID, 2026)
			if !st.Changed || !strings.Contains(st.Message, "notifiez-le de nouveau") {
				t.Fatalf("got %+v", st)
			}
		})
	})
}

func TestChargeAgainstTheAttributionDeCompensation(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := setup(t, db)
		yes := true
		t.Run("a service commun of an FPU EPCI whose convention says so settles against the AC", func(t *testing.T) {
			r := w.sign(t, ads(agreement.UnitPrice, true))
			w.clock.set(d("2026-01-10"))
			s, err := w.services.Create(ctx, w.clerk["agglo"], r.ID, service.Details{Name: "ADS", Unit: service.Act, Weights: adsWeights(t)})
			if err != nil {
				t.Fatal(err)
			}
			if !s.ChargeAgainstAC {
				t.Fatal("the service does not follow its convention's charge against the AC")
			}
			if _, err := w.services.SetYear(ctx, w.clerk["agglo"], s.ID, 2026, 0, service.YearInput{
				Lines:         []service.CostLine{{Category: service.Personnel, Label: "Coût", Amount: eur(t, "96 000,00"), Eligible: true}},
				ForecastUnits: rat(t, "265,5")}); err != nil {
				t.Fatal(err)
			}
			terms, err := w.services.Terms(ctx, w.clerk["rodez"], s.ID, 2026)
			if err != nil {
				t.Fatal(err)
			}
			if terms.Settlement != ledger.SettleAgainstAC || terms.Creditor != w.org["agglo"] || len(terms.Parties) != 5 {
				t.Fatalf("got terms %+v", terms)
			}
			if _, err := w.services.ImportUsage(ctx, w.clerk["agglo"], s.ID, strings.NewReader(adsCSV)); err != nil {
				t.Fatal(err)
			}
			w.clock.set(d("2027-01-10"))
			st, err := w.services.DraftStatement(ctx, w.clerk["agglo"], s.ID, service.StatementRequest{From: d("2026-01-01"), To: d("2026-12-31")})
			if err != nil {
				t.Fatal(err)
			}
			if st, err = w.services.IssueStatement(ctx, w.clerk["agglo"], s.ID, st.ID); err != nil {
				t.Fatal(err)
			}
			fs, err := w.ledger.Flows(ctx, w.clerk["rodez"], st.ID)
			if err != nil || len(fs) != 5 {
				t.Fatalf("got %d flows, %v", len(fs), err)
			}
			for _, f := range fs {
				if !f.AgainstAC() {
					t.Errorf("flow of %s is not settled against the AC: %+v", f.Debtor.Name, f)
				}
			}
		})
		t.Run("a mise à disposition de services is refused: only a service commun", func(t *testing.T) {
			r := w.sign(t, voirie(w))
			_, err := w.services.Create(ctx, w.clerk["olemps"], r.ID, service.Details{Name: "Voirie", Unit: service.Hour, ChargeAgainstAC: &yes})
			mustFail(t, err, nil, "charge_against_ac", "seul un service commun")
		})
		t.Run("a service commun of an EPCI without FPU is refused", func(t *testing.T) {
			r := w.sign(t, convention{
				kind: agreement.ServiceCommun, mode: agreement.ActualCostByKey,
				parties: []party{{"ccmillau", agreement.RoleManager}, {"millau", agreement.RoleMember}},
				start:   d("2026-01-01"), end: d("2027-12-31"), period: 12,
				content: func(c *agreement.Content) {
					c.ServiceCommun = agreement.ServiceCommunTerms{Tasks: "informatique", ImpactStatement: "fiche.pdf"}
				},
			})
			_, err := w.services.Create(ctx, w.clerk["ccmillau"], r.ID, service.Details{Name: "Informatique", Unit: service.Intervention, ChargeAgainstAC: &yes})
			mustFail(t, err, nil, "charge_against_ac", "fiscalité professionnelle unique")
		})
		t.Run("a service commun whose convention does not provide for it is refused", func(t *testing.T) {
			r := w.sign(t, ads(agreement.UnitPrice, false))
			_, err := w.services.Create(ctx, w.clerk["agglo"], r.ID, service.Details{Name: "ADS", Unit: service.Act, Weights: adsWeights(t), ChargeAgainstAC: &yes})
			mustFail(t, err, nil, "charge_against_ac", "ne prévoit pas")
		})
	})
}

func TestServiceDetailsAreChecked(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := setup(t, db)
		r := w.sign(t, ads(agreement.UnitPrice, false))
		tests := []struct {
			name  string
			d     service.Details
			field string
		}{
			{"a name is required", service.Details{Unit: service.Hour}, "name"},
			{"the unit is one of four", service.Details{Name: "X", Unit: "jour"}, "unit"},
			{"acts need a weight table", service.Details{Name: "X", Unit: service.Act}, "weights"},
			{"hours have no weight table", service.Details{Name: "X", Unit: service.Hour, Weights: adsWeights(t)}, "weights"},
			{"a weight is positive", service.Details{Name: "X", Unit: service.Act, Weights: []service.ActWeight{{Type: "PC", Weight: rat(t, "0")}}}, "weights[0].weight"},
			{"an act type is named once", service.Details{Name: "X", Unit: service.Act, Weights: []service.ActWeight{{Type: "PC", Weight: rat(t, "1")}, {Type: "pc", Weight: rat(t, "1")}}}, "weights[1].type"},
			{"the rounding is known", service.Details{Name: "X", Unit: service.Hour, Rounding: "CEIL"}, "rounding"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := w.services.Create(ctx, w.clerk["agglo"], r.ID, tt.d)
				fes, ok := validate.As(err)
				if !ok || fes[0].Field != tt.field {
					t.Fatalf("got %v, want an error on %s", err, tt.field)
				}
			})
		}
		t.Run("a beneficiary cannot create the service", func(t *testing.T) {
			_, err := w.services.Create(ctx, w.clerk["rodez"], r.ID, service.Details{Name: "X", Unit: service.Hour})
			mustFail(t, err, auth.ErrForbidden, "", "")
		})
		t.Run("a convention of another kind carries no service", func(t *testing.T) {
			other := w.sign(t, convention{kind: agreement.Entente, mode: agreement.ActualCostByKey,
				parties: []party{{"rodez", agreement.RoleLead}, {"onet", agreement.RoleMember}},
				start:   d("2026-01-01"), end: d("2026-12-31"),
				content: func(c *agreement.Content) {}})
			_, err := w.services.Create(ctx, w.clerk["rodez"], other.ID, service.Details{Name: "X", Unit: service.Hour})
			mustFail(t, err, nil, "agreement_id", "n'organise pas un service partagé")
		})
		t.Run("the provider lists the conventions it may create a service for", func(t *testing.T) {
			cs, err := w.services.Candidates(ctx, w.clerk["agglo"])
			if err != nil || len(cs) != 1 || cs[0].ID != r.ID {
				t.Fatalf("got %d candidates, %v", len(cs), err)
			}
			if cs, _ := w.services.Candidates(ctx, w.clerk["rodez"]); len(cs) != 0 {
				t.Fatalf("a beneficiary got %d candidates", len(cs))
			}
		})
		t.Run("whether there is a candidate agrees with the list", func(t *testing.T) {
			for _, tc := range []struct {
				who  string
				want bool
			}{{"agglo", true}, {"rodez", false}, {"onet", false}} {
				got, err := w.services.HasCandidates(ctx, w.clerk[tc.who])
				if err != nil || got != tc.want {
					t.Errorf("%s: got %v, %v; want %v", tc.who, got, err, tc.want)
				}
			}
			if _, err := w.services.HasCandidates(ctx, auth.Actor{}); !errors.Is(err, auth.ErrUnauthenticated) {
				t.Errorf("anonymous: got %v, want auth.ErrUnauthenticated", err)
			}
		})
	})
}
