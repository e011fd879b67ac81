package purchasing_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"voisines/internal/csvin"
	"voisines/internal/money"
	"voisines/internal/purchasing"
	"voisines/internal/store"
	"voisines/internal/store/storetest"
)

// A needs file stores no text, only codes and amounts, but French Excel
// writes its amounts with no-break spaces (0xA0) and euro signs (0x80) in
// Windows-1252, and the messages quote the cells they refuse: both must come
// out as the clerk typed them.
func TestParseNeedsReadsWindows1252(t *testing.T) {
	for _, tc := range []struct {
		name string
		body string
		rows []purchasing.NeedRow
		errs csvin.Errors
	}{
		{name: "amounts with no-break spaces and euro signs are read",
			body: "member;lot;amount;previous_cost\r\n" +
				"12202;1;21\xa0500,00\xa0\x80;92\xa0000,00\r\n" +
				"211\xa0201\xa0769;1;59\xa0200,00\xa0\x80;\r\n",
			rows: []purchasing.NeedRow{
				{Line: 2, Member: "12202", Lot: 1, Amount: 21_500_00, PreviousCost: ptr(money.Cents(92_000_00))},
				{Line: 3, Member: "211201769", Lot: 1, Amount: 59_200_00},
			}},
		{name: "a commune named instead of its code is quoted with its accents",
			body: "member;lot;amount\nS\xe9v\xe9rac-le-Ch\xe2teau;1;100\n",
			errs: csvin.Errors{{Line: 2, Column: "member",
				Message: "« Sévérac-le-Château » n'est ni un code Insee (5 caractères) ni un SIREN (9 chiffres)"}}},
		{name: "a lot written with its number sign is quoted",
			body: "member;lot;amount\n12202;n\xb0 1;100\n",
			errs: csvin.Errors{{Line: 2, Column: "lot", Message: "indiquez le numéro du lot (1, 2…), pas « n° 1 »"}}},
		{name: "an amount in words is quoted with its euro sign",
			body: "member;lot;amount\n12202;1;douze \x80\n",
			errs: csvin.Errors{{Line: 2, Column: "amount", Message: "« douze € » n'est pas un montant en euros HT (21 500,00)"}}},
		{name: "an unknown column is named with its accents",
			body: "member;lot;quantit\xe9\n12202;1;100\n",
			errs: csvin.Errors{
				{Line: 1, Column: "quantité", Message: "colonne inconnue (colonnes possibles : member, lot, amount, years, previous_cost)"},
				{Line: 1, Column: "amount", Message: "colonne obligatoire absente"},
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rows, errs := purchasing.ParseNeeds(strings.NewReader(tc.body))
			if !slices.EqualFunc(rows, tc.rows, sameRow) || !slices.Equal(errs, tc.errs) {
				t.Errorf("got %+v, %v\nwant %+v, %v", rows, errs, tc.rows, tc.errs)
			}
			if len(errs) > 0 && !utf8.ValidString(errs.Error()) {
				t.Errorf("got message %q, want UTF-8", errs.Error())
			}
		})
	}
}

func TestImportNeedsReadsWindows1252(t *testing.T) {
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
		file := "member;lot;amount;years;previous_cost\r\n" +
			"12202;1;21\xa0500,00\xa0\x80;4;92\xa0000,00\xa0\x80\r\n" +
			"211\xa0201\xa0769;1;59\xa0200,00;;\r\n"
		rep, err := w.purchases.ImportNeeds(ctx, w.clerk["rodez"], g.ID, strings.NewReader(file))
		if err != nil || rep.Lines != 2 {
			t.Fatalf("got %+v, %v; want 2 lines", rep, err)
		}
		cur, err := w.purchases.Get(ctx, w.clerk["rodez"], g.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := cur.Total(), money.Cents(145_200_00); got != want {
			t.Errorf("got total %s, want %s", got, want)
		}
		n, _ := cur.Need(cur.Lots[0].ID, w.org["rodez"])
		if n.PreviousCost == nil || *n.PreviousCost != 92_000_00 {
			t.Errorf("got Rodez's previous price %v, want 92 000,00", n.PreviousCost)
		}
	})
}

func ptr[T any](v T) *T { return &v }

func sameRow(a, b purchasing.NeedRow) bool {
	return a.Line == b.Line && a.Member == b.Member && a.Lot == b.Lot && a.Amount == b.Amount && a.Years == b.Years &&
		(a.PreviousCost == nil) == (b.PreviousCost == nil) && (a.PreviousCost == nil || *a.PreviousCost == *b.PreviousCost)
}
