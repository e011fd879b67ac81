package purchasing_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"voisines/internal/agreement"
	"voisines/internal/auth"
	"voisines/internal/csvin"
	"voisines/internal/ledger"
	"voisines/internal/money"
	"voisines/internal/purchasing"
	"voisines/internal/store"
	"voisines/internal/store/storetest"
	"voisines/internal/validate"
)

// invalid checks that err is a validation error on field whose messages
// mention every one of wants.
func invalid(t *testing.T, err error, field string, wants ...string) {
	t.Helper()
	fes, ok := validate.As(err)
	if !ok {
		t.Fatalf("got %v, want a validation error on %s", err, field)
	}
	var msgs []string
	for _, fe := range fes {
		if fe.Field == field {
			msgs = append(msgs, fe.Message)
		}
	}
	if len(msgs) == 0 {
		t.Fatalf("got errors %v, want one on %s", fes, field)
	}
	all := strings.Join(msgs, " | ")
	for _, w := range wants {
		if !strings.Contains(all, w) {
			t.Errorf("got %q, want it to mention %q", all, w)
		}
	}
}

// TestExample3ThroughThePurchasingGroup walks domain.md §10 example 3 from
// the records to the statement: convention, group, lot, each member's
// needs, the launch refused then accepted, the procedure stored with its
// thresholds, award, savings, and the procedure costs split by the
// financial engine.
func TestExample3ThroughThePurchasingGroup(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := setup(t, db)
		r := w.convention(t)
		rodez, onet, olemps := w.clerk["rodez"], w.clerk["onet"], w.clerk["olemps"]

		t.Run("only the coordinator opens the group", func(t *testing.T) {
			_, err := w.purchases.Create(ctx, onet, purchasing.CreateInput{AgreementID: r.ID})
			if !errors.Is(err, auth.ErrForbidden) {
				t.Fatalf("member: got %v, want forbidden", err)
			}
			_, err = w.purchases.Create(ctx, w.clerk["millau"], purchasing.CreateInput{AgreementID: r.ID})
			if !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("stranger: got %v, want not found", err)
			}
		})
		g := w.example3(t, r)
		lot := g.Lots[0].ID

		t.Run("the needs add up to 224,800.00 over four years", func(t *testing.T) {
			if g.Lots[0].Total != 224_800_00 || len(g.Needs) != 3 || !g.Rights.Coordinator || !g.Rights.Manage {
				t.Fatalf("got total %s, %d needs, rights %+v", g.Lots[0].Total, len(g.Needs), g.Rights)
			}
			n, _ := g.Need(lot, w.org["onet"])
			if n.Amount != 59_200_00 || n.Yearly == nil || *n.Yearly != 14_800_00 || n.Years != 4 {
				t.Fatalf("Onet's line: got %+v", n)
			}
		})
		t.Run("a member sees its own line and the lot's total, a stranger nothing", func(t *testing.T) {
			mine, err := w.purchases.Get(ctx, onet, g.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(mine.Needs) != 1 || mine.Needs[0].OrgID != w.org["onet"] || mine.Lots[0].Total != 224_800_00 || mine.Rights.Manage {
				t.Fatalf("got needs %+v, total %s, rights %+v", mine.Needs, mine.Lots[0].Total, mine.Rights)
			}
			if _, err := w.purchases.Get(ctx, w.clerk["millau"], g.ID); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("stranger: got %v, want not found", err)
			}
			if list, err := w.purchases.List(ctx, w.clerk["millau"], w.org["rodez"]); !errors.Is(err, auth.ErrForbidden) {
				t.Fatalf("stranger listing Rodez: got %v %v, want forbidden (organisations are public, their lists are not)", list, err)
			}
			list, err := w.purchases.List(ctx, onet, w.org["onet"])
			if err != nil || len(list) != 1 || list[0].ID != g.ID || list[0].Coordinator != "Rodez" || list[0].Lots != 1 {
				t.Fatalf("Onet's groups: got %+v, %v", list, err)
			}
		})
		t.Run("each member writes its own line only, and on the version it read", func(t *testing.T) {
			amount := money.Cents(1_00)
			_, err := w.purchases.SetNeed(ctx, onet, g.ID, purchasing.NeedInput{LotID: lot, OrgID: w.org["olemps"], Amount: &amount, Version: 1})
			if !errors.Is(err, auth.ErrForbidden) {
				t.Fatalf("Onet writing Olemps's line: got %v, want forbidden", err)
			}
			_, err = w.purchases.SetNeed(ctx, w.reader["onet"], g.ID, purchasing.NeedInput{LotID: lot, OrgID: w.org["onet"], Amount: &amount, Version: 1})
			if !errors.Is(err, auth.ErrForbidden) {
				t.Fatalf("a read-only user: got %v, want forbidden", err)
			}
			_, err = w.purchases.SetNeed(ctx, onet, g.ID, purchasing.NeedInput{LotID: lot, OrgID: w.org["onet"], Amount: &amount, Version: 0})
			if !errors.Is(err, store.ErrConflict) {
				t.Fatalf("stale version: got %v, want conflict", err)
			}
			three := cents(t, "10 000")
			_, err = w.purchases.SetNeed(ctx, onet, g.ID, purchasing.NeedInput{LotID: lot, OrgID: w.org["onet"], Yearly: three, Years: 3, Version: 1})
			invalid(t, err, "years", "48 mois")
		})
		t.Run("the procedure before launch: formalised together, each alone a MAPA or a dispense", func(t *testing.T) {
			p, err := w.purchases.Procedure(ctx, rodez, g.ID, d("2026-03-31"))
			if err != nil {
				t.Fatal(err)
			}
			if p.Kind != purchasing.ProcFormalised || len(p.Alone) != 3 {
				t.Fatalf("got %s with %d members alone", p.Kind, len(p.Alone))
			}
			for _, a := range p.Alone {
				if a.Decision.Kind != purchasing.ProcMAPA {
					t.Errorf("%s alone on 31 March 2026: got %s, want MAPA", a.Name, a.Decision.Kind)
				}
			}
			p, err = w.purchases.Procedure(ctx, onet, g.ID, d("2026-04-01"))
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Alone) != 1 || p.Alone[0].OrgID != w.org["onet"] || p.Alone[0].Decision.Kind != purchasing.ProcDispense {
				t.Fatalf("Onet on 1 April 2026: got %+v, want its own dispense only", p.Alone)
			}
		})
		t.Run("launch is refused before the convention is signed and every member has deliberated", func(t *testing.T) {
			w.clock.set(d("2026-07-20"))
			_, err := w.purchases.Launch(ctx, rodez, g.ID, g.Version, d("2026-07-15"))
			invalid(t, err, "agreement", "délibération de « Onet-le-Château »", "délibération de « Olemps »", "n'est pas signée par « Rodez »")
			r = w.approve(t, r, d("2026-05-20"))
			r = w.sign(t, r, d("2026-06-01"))
			w.clock.set(d("2026-07-20"))
			_, err = w.purchases.Launch(ctx, rodez, g.ID, g.Version, d("2026-05-25"))
			invalid(t, err, "agreement", "a signé la convention constitutive le 1er juin 2026, après la date de lancement")
			_, err = w.purchases.Launch(ctx, rodez, g.ID, g.Version, d("2026-05-19"))
			invalid(t, err, "agreement", "la délibération de « Olemps » est datée du 20 mai 2026")
			_, err = w.purchases.Launch(ctx, rodez, g.ID, g.Version, d("2026-05-20"))
			invalid(t, err, "agreement", "la délibération de « Olemps » est datée du 20 mai 2026 : elle doit être antérieure à la date de lancement (20 mai 2026)")
			_, err = w.purchases.Launch(ctx, rodez, g.ID, g.Version, d("2026-08-01"))
			invalid(t, err, "launch_date", "dans le futur")
			_, err = w.purchases.Launch(ctx, onet, g.ID, g.Version, d("2026-07-15"))
			if !errors.Is(err, auth.ErrForbidden) {
				t.Fatalf("a member launching: got %v, want forbidden", err)
			}
			_, err = w.purchases.Launch(ctx, rodez, g.ID, g.Version-1, d("2026-07-15"))
			if !errors.Is(err, store.ErrConflict) {
				t.Fatalf("stale version: got %v, want conflict", err)
			}
		})
		t.Run("launched on 15 July 2026, the procedure is stored with its thresholds", func(t *testing.T) {
			cur, err := w.purchases.Get(ctx, rodez, g.ID)
			if err != nil {
				t.Fatal(err)
			}
			if g, err = w.purchases.Launch(ctx, rodez, g.ID, cur.Version, d("2026-07-15")); err != nil {
				t.Fatal(err)
			}
			p := g.Procedure
			if g.Status != purchasing.Launched || p == nil || p.Value != 224_800_00 || p.Kind != purchasing.ProcFormalised || !p.CAO.Required {
				t.Fatalf("got status %s, procedure %+v", g.Status, p)
			}
			var formal money.Cents
			for _, th := range p.Thresholds {
				if th.Kind == purchasing.Formalised {
					formal = th.Amount
				}
			}
			if formal != 216_000_00 {
				t.Fatalf("stored formalised threshold: got %s, want 216,000.00", formal)
			}
			mine, err := w.purchases.Get(ctx, onet, g.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(mine.Procedure.Alone) != 1 || mine.Procedure.Alone[0].Decision.Kind != purchasing.ProcDispense {
				t.Fatalf("Onet's stored alone procedure: got %+v", mine.Procedure.Alone)
			}
		})
		t.Run("after launch the needs are frozen, the previous prices are not", func(t *testing.T) {
			n, _ := g.Need(lot, w.org["onet"])
			_, err := w.purchases.SetNeed(ctx, onet, g.ID, purchasing.NeedInput{LotID: lot, OrgID: w.org["onet"], Amount: cents(t, "60 000"), Version: n.Version})
			invalid(t, err, "amount", "lancée le 15 juillet 2026")
			_, err = w.purchases.AddLot(ctx, rodez, g.ID, g.Version, purchasing.LotInput{Label: "Papier", CPV: "30197630-1", Nature: purchasing.Supplies, DurationMonths: 48})
			invalid(t, err, "lots", "lancée")
			for short, prev := range map[string]string{"rodez": "92 000", "onet": "64 000", "olemps": "83 000"} {
				cur, _ := g.Need(lot, w.org[short])
				if _, err := w.purchases.SetNeed(ctx, w.clerk[short], g.ID, purchasing.NeedInput{LotID: lot, OrgID: w.org[short],
					PreviousCost: cents(t, prev), Version: cur.Version}); err != nil {
					t.Fatalf("previous price of %s: %v", short, err)
				}
			}
		})
		t.Run("the award gives each member its savings", func(t *testing.T) {
			in := purchasing.AwardInput{Supplier: "Hygiène du Rouergue", AwardedOn: d("2026-07-20"), Prices: []purchasing.PriceInput{
				{OrgID: w.org["rodez"], Amount: cents(t, "80 000")}, {OrgID: w.org["onet"], Amount: cents(t, "55 000")},
				{OrgID: w.org["olemps"], Amount: cents(t, "74 000")}}}
			if _, err := w.purchases.Award(ctx, onet, g.ID, lot, in); !errors.Is(err, auth.ErrForbidden) {
				t.Fatalf("a member awarding: got %v, want forbidden", err)
			}
			bad := in
			bad.Prices = bad.Prices[:2]
			_, err := w.purchases.Award(ctx, rodez, g.ID, lot, bad)
			invalid(t, err, "prices", "« Olemps »")
			if _, err := w.purchases.Award(ctx, rodez, g.ID, lot, in); err != nil {
				t.Fatal(err)
			}
			s, err := w.purchases.Savings(ctx, rodez, g.ID)
			if err != nil {
				t.Fatal(err)
			}
			if s.Total == nil || s.Total.Previous != 239_000_00 || s.Total.Awarded != 209_000_00 || s.Total.Saving != 30_000_00 {
				t.Fatalf("total: got %+v", s.Total)
			}
			mine, err := w.purchases.Savings(ctx, onet, g.ID)
			if err != nil {
				t.Fatal(err)
			}
			if mine.Total != nil || len(mine.Members) != 1 || mine.Members[0].Total.Saving != 9_000_00 {
				t.Fatalf("Onet's savings: got %+v", mine)
			}
		})
		t.Run("unit prices times quantities, exact in cents", func(t *testing.T) {
			cur, _ := w.purchases.Get(ctx, rodez, g.ID)
			a, _ := cur.Award(lot)
			in := purchasing.AwardInput{Supplier: "Hygiène du Rouergue", SupplierSIREN: "211202023", AwardedOn: d("2026-07-20"), Version: a.Version,
				UnitPrices: []purchasing.UnitPrice{{Item: "carton de papier", Price: 23_47}, {Item: "bidon de détergent", Price: 12_99}},
				Prices: []purchasing.PriceInput{
					{OrgID: w.org["rodez"], Quantities: []purchasing.Quantity{{Item: "carton de papier", Quantity: 2000}, {Item: "bidon de détergent", Quantity: 1000}}},
					{OrgID: w.org["onet"], Quantities: []purchasing.Quantity{{Item: "carton de papier", Quantity: 1500}}},
					{OrgID: w.org["olemps"], Quantities: []purchasing.Quantity{{Item: "bidon de détergent", Quantity: 3}}},
				}}
			got, err := w.purchases.Award(ctx, rodez, g.ID, lot, in)
			if err != nil {
				t.Fatal(err)
			}
			a, _ = got.Award(lot)
			want := map[int64]money.Cents{w.org["rodez"]: 59_930_00, w.org["onet"]: 35_205_00, w.org["olemps"]: 38_97}
			for _, p := range a.Prices {
				if p.Amount != want[p.OrgID] {
					t.Errorf("member %d: got %s, want %s", p.OrgID, p.Amount, want[p.OrgID])
				}
			}
			in.Version = a.Version - 1
			if _, err := w.purchases.Award(ctx, rodez, g.ID, lot, in); !errors.Is(err, store.ErrConflict) {
				t.Fatalf("stale award: got %v, want conflict", err)
			}
		})
		t.Run("the procedure costs of 1,850.00 split by share of needs", func(t *testing.T) {
			in := purchasing.CostsInput{From: d("2026-07-01"), To: d("2026-12-31"), Label: "Frais de procédure 2026",
				Lines: []money.CostLine{{Label: "Publicité et plateforme de dématérialisation", Amount: 1_850_00, Eligible: true}}}
			if _, err := w.purchases.SplitCosts(ctx, onet, g.ID, in); !errors.Is(err, auth.ErrForbidden) {
				t.Fatalf("a member splitting: got %v, want forbidden", err)
			}
			st, err := w.purchases.SplitCosts(ctx, rodez, g.ID, in)
			if err != nil {
				t.Fatal(err)
			}
			want := map[int64]money.Cents{w.org["rodez"]: 707_74, w.org["onet"]: 487_19, w.org["olemps"]: 655_07}
			if len(st.Result.Lines) != 3 || st.Result.Total != 1_850_00 || st.Inputs.Creditor.OrgID != w.org["rodez"] {
				t.Fatalf("got %+v", st.Result)
			}
			for _, l := range st.Result.Lines {
				if l.Amount != want[l.OrgID] {
					t.Errorf("%s: got %s, want %s", l.Name, l.Amount, want[l.OrgID])
				}
				if l.OrgID == w.org["rodez"] && !l.Own {
					t.Errorf("the coordinator's share is its own")
				}
			}
			// The draft is the coordinator's work in progress (the ledger's
			// rule, ledger.Statement.VisibleTo): the members see it once issued.
			for _, c := range []struct {
				name  string
				actor auth.Actor
				want  int
			}{
				{"the coordinator's clerk sees the draft", rodez, 1},
				{"a member does not", olemps, 0},
				{"nor does a read-only user of the coordinator", w.reader["rodez"], 0},
			} {
				list, err := w.purchases.CostStatements(ctx, c.actor, g.ID)
				if err != nil || len(list) != c.want || c.want == 1 && list[0].ID != st.ID {
					t.Errorf("%s: got %v, %v, want %d statement(s)", c.name, list, err, c.want)
				}
			}
			if _, err := w.ledger.Issue(ctx, rodez, st.ID); err != nil {
				t.Fatalf("issue: %v", err)
			}
			list, err := w.purchases.CostStatements(ctx, olemps, g.ID)
			if err != nil || len(list) != 1 || list[0].ID != st.ID || list[0].Status != ledger.Issued {
				t.Fatalf("issued statements seen by Olemps: got %v, %v", list, err)
			}
			// A second split rewrites the terms from their version.
			if _, err := w.purchases.SplitCosts(ctx, rodez, g.ID, in); err != nil {
				t.Fatalf("second split: %v", err)
			}
		})
		t.Run("every write is in the audit log", func(t *testing.T) {
			rows, err := db.Reader().QueryContext(ctx, `SELECT action, COUNT(*) FROM audit_log WHERE action LIKE 'purchasing.%' GROUP BY action`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			got := map[string]int{}
			for rows.Next() {
				var a string
				var n int
				if err := rows.Scan(&a, &n); err != nil {
					t.Fatal(err)
				}
				got[a] = n
			}
			for a, n := range map[string]int{"purchasing.group.create": 1, "purchasing.lot.add": 1, "purchasing.need.set": 6,
				"purchasing.group.launch": 1, "purchasing.lot.award": 2, "purchasing.costs.split": 2} {
				if got[a] != n {
					t.Errorf("%s: got %d entries, want %d", a, got[a], n)
				}
			}
		})
	})
}

func TestGroupNeedsAConventionOfGroupement(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := setup(t, db)
		c := agreement.Content{Title: "Entente", Term: agreement.Term{Start: d("2026-03-01"), End: d("2028-12-31")},
			Financial: agreement.Financial{Mode: agreement.NoFlow}}
		w.clock.set(d("2026-01-05"))
		r, err := w.agr.Create(ctx, w.clerk["rodez"], agreement.Input{Kind: agreement.Entente, Content: c, Parties: []agreement.PartyInput{
			{OrgID: w.org["rodez"], Role: agreement.RoleLead}, {OrgID: w.org["onet"], Role: agreement.RoleMember}}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = w.purchases.Create(ctx, w.clerk["rodez"], purchasing.CreateInput{AgreementID: r.ID})
		invalid(t, err, "agreement_id", "groupement de commandes")
		g := w.convention(t)
		if _, err := w.purchases.Create(ctx, w.clerk["rodez"], purchasing.CreateInput{AgreementID: g.ID}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.purchases.Create(ctx, w.clerk["rodez"], purchasing.CreateInput{AgreementID: g.ID}); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("a second group: got %v, want conflict", err)
		}
	})
}

func TestLots(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := setup(t, db)
		r := w.convention(t)
		g, err := w.purchases.Create(ctx, w.clerk["rodez"], purchasing.CreateInput{AgreementID: r.ID, Title: "Achats 2026"})
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name  string
			in    purchasing.LotInput
			field string
		}{
			{"a works lot needs a works CPV code", purchasing.LotInput{Label: "Voirie", CPV: "39830000-9", Nature: purchasing.Works, DurationMonths: 12}, "cpv"},
			{"a CPV code has eight digits", purchasing.LotInput{Label: "Papier", CPV: "3019763", Nature: purchasing.Supplies, DurationMonths: 12}, "cpv"},
			{"the nature is one of three", purchasing.LotInput{Label: "Papier", CPV: "30197630-1", Nature: "goods", DurationMonths: 12}, "nature"},
			{"the duration is in months", purchasing.LotInput{Label: "Papier", CPV: "30197630-1", Nature: purchasing.Supplies}, "duration_months"},
			{"the label is required", purchasing.LotInput{CPV: "30197630-1", Nature: purchasing.Supplies, DurationMonths: 12}, "label"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := w.purchases.AddLot(ctx, w.clerk["rodez"], g.ID, g.Version, tc.in)
				invalid(t, err, tc.field)
			})
		}
		if _, err := w.purchases.AddLot(ctx, w.clerk["onet"], g.ID, g.Version, purchasing.LotInput{Label: "Papier", CPV: "30197630-1",
			Nature: purchasing.Supplies, DurationMonths: 36}); !errors.Is(err, auth.ErrForbidden) {
			t.Fatalf("a member adding a lot: got %v, want forbidden", err)
		}
		g, err = w.purchases.AddLot(ctx, w.clerk["rodez"], g.ID, g.Version, purchasing.LotInput{Label: "Papier", CPV: "30197630-1",
			Nature: purchasing.Supplies, DurationMonths: 36})
		if err != nil {
			t.Fatal(err)
		}
		g, err = w.purchases.AddLot(ctx, w.clerk["rodez"], g.ID, g.Version, purchasing.LotInput{Label: "Réfection de voirie", CPV: "45233140-2",
			Nature: purchasing.Works, DurationMonths: 12})
		if err != nil {
			t.Fatal(err)
		}
		if len(g.Lots) != 2 || g.Lots[1].Number != 2 || g.Lots[1].Nature != purchasing.Works {
			t.Fatalf("got lots %+v", g.Lots)
		}
		y := eur(t, "3 000")
		if g, err = w.purchases.SetNeed(ctx, w.clerk["onet"], g.ID, purchasing.NeedInput{LotID: g.Lots[0].ID, OrgID: w.org["onet"], Yearly: &y}); err != nil {
			t.Fatal(err)
		}
		t.Run("a lot's duration cannot leave yearly needs short", func(t *testing.T) {
			_, err := w.purchases.UpdateLot(ctx, w.clerk["rodez"], g.ID, g.Lots[0].ID, g.Version, purchasing.LotInput{Label: "Papier",
				CPV: "30197630-1", Nature: purchasing.Supplies, DurationMonths: 48})
			invalid(t, err, "duration_months", "Onet-le-Château")
		})
		t.Run("a stale version is a conflict", func(t *testing.T) {
			_, err := w.purchases.DeleteLot(ctx, w.clerk["rodez"], g.ID, g.Lots[1].ID, g.Version-1)
			if !errors.Is(err, store.ErrConflict) {
				t.Fatalf("got %v, want conflict", err)
			}
		})
		g, err = w.purchases.DeleteLot(ctx, w.clerk["rodez"], g.ID, g.Lots[1].ID, g.Version)
		if err != nil || len(g.Lots) != 1 {
			t.Fatalf("delete: got %v, %+v", err, g.Lots)
		}
		t.Run("an amount of zero removes a line", func(t *testing.T) {
			n, _ := g.Need(g.Lots[0].ID, w.org["onet"])
			zero := money.Cents(0)
			g2, err := w.purchases.SetNeed(ctx, w.clerk["rodez"], g.ID, purchasing.NeedInput{LotID: g.Lots[0].ID, OrgID: w.org["onet"], Amount: &zero, Version: n.Version})
			if err != nil || len(g2.Needs) != 0 || g2.Lots[0].Total != 0 {
				t.Fatalf("got %v, %+v", err, g2.Needs)
			}
		})
	})
}

func TestImportNeedsAllOrNothing(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := setup(t, db)
		r := w.convention(t)
		g, err := w.purchases.Create(ctx, w.clerk["rodez"], purchasing.CreateInput{AgreementID: r.ID})
		if err != nil {
			t.Fatal(err)
		}
		if g, err = w.purchases.AddLot(ctx, w.clerk["rodez"], g.ID, g.Version, purchasing.LotInput{Label: "Produits d'entretien et papier",
			CPV: "39830000-9", Nature: purchasing.Supplies, DurationMonths: 48, Framework: true}); err != nil {
			t.Fatal(err)
		}
		t.Run("a file with errors names every line and writes nothing", func(t *testing.T) {
			file := "member;lot;amount;years;previous_cost\n" +
				"12202;1;21 500,00;4;\n" +
				"12145;1;1 000;;\n" + // Millau is not a member
				"12176;2;1 000;;\n" + // no lot 2
				"12174;1;douze;;\n" + // not an amount
				"12174;1;19 900;3;\n" // 3 years do not cover 48 months
			_, err := w.purchases.ImportNeeds(ctx, w.clerk["rodez"], g.ID, strings.NewReader(file))
			var ie csvin.Errors
			if !errors.As(err, &ie) {
				t.Fatalf("got %v, want import errors", err)
			}
			got := ie.Error()
			for _, want := range []string{"ligne 3, colonne « member »", "ligne 4, colonne « lot »", "ligne 5, colonne « amount »"} {
				if !strings.Contains(got, want) {
					t.Errorf("got %q, want %q", got, want)
				}
			}
			cur, _ := w.purchases.Get(ctx, w.clerk["rodez"], g.ID)
			if len(cur.Needs) != 0 {
				t.Fatalf("got %d needs written, want none", len(cur.Needs))
			}
		})
		t.Run("the second pass names the line whose years are short", func(t *testing.T) {
			_, err := w.purchases.ImportNeeds(ctx, w.clerk["rodez"], g.ID, strings.NewReader("member,lot,amount,years\n12174,1,19900,3\n"))
			var ie csvin.Errors
			if !errors.As(err, &ie) || ie[0].Line != 2 || ie[0].Column != "years" {
				t.Fatalf("got %v", err)
			}
		})
		t.Run("a member cannot import another member's line", func(t *testing.T) {
			_, err := w.purchases.ImportNeeds(ctx, w.clerk["onet"], g.ID, strings.NewReader("member,lot,amount\n12176,1,59200\n12174,1,79600\n"))
			var ie csvin.Errors
			if !errors.As(err, &ie) || len(ie) != 1 || ie[0].Line != 3 || !strings.Contains(ie[0].Message, "Olemps") {
				t.Fatalf("got %v", err)
			}
		})
		t.Run("a valid file writes every line, by SIREN or INSEE code", func(t *testing.T) {
			file := "member,lot,amount,years,previous_cost\n12202,1,21500,4,92000\n211201769,1,\"59 200,00\",,\n12174,1,19900,4,\n"
			rep, err := w.purchases.ImportNeeds(ctx, w.clerk["rodez"], g.ID, strings.NewReader(file))
			if err != nil || rep.Lines != 3 {
				t.Fatalf("got %+v, %v", rep, err)
			}
			cur, _ := w.purchases.Get(ctx, w.clerk["rodez"], g.ID)
			if cur.Total() != 224_800_00 || len(cur.Needs) != 3 {
				t.Fatalf("got total %s and %d needs", cur.Total(), len(cur.Needs))
			}
			n, _ := cur.Need(cur.Lots[0].ID, w.org["rodez"])
			if n.PreviousCost == nil || *n.PreviousCost != 92_000_00 {
				t.Fatalf("Rodez's previous price: got %+v", n.PreviousCost)
			}
			// Imported again: the lines are replaced, not added.
			if _, err := w.purchases.ImportNeeds(ctx, w.clerk["rodez"], g.ID, strings.NewReader(file)); err != nil {
				t.Fatal(err)
			}
			cur, _ = w.purchases.Get(ctx, w.clerk["rodez"], g.ID)
			if cur.Total() != 224_800_00 {
				t.Fatalf("after a second import: got %s", cur.Total())
			}
		})
	})
}

func FuzzParseNeeds(f *testing.F) {
	f.Add("member,lot,amount,years,previous_cost\n12202,1,21500,4,92000\n")
	f.Add("member;lot;amount\n211201769;1;59 200,00\n")
	f.Add("member,lot\n\"x\n")
	f.Fuzz(func(t *testing.T, s string) {
		rows, errs := purchasing.ParseNeeds(strings.NewReader(s))
		if len(rows) == 0 && len(errs) == 0 {
			t.Fatalf("neither rows nor errors")
		}
		for _, r := range rows {
			if r.Amount < 0 || r.Lot <= 0 || r.Member == "" {
				t.Fatalf("bad row %+v", r)
			}
		}
		for _, e := range errs {
			if e.Message == "" {
				t.Fatalf("error without message")
			}
		}
	})
}
