package usage_test

import (
	"context"
	"errors"
	"testing"

	"voisines/internal/auth"
	"voisines/internal/civil"
	"voisines/internal/money"
	"voisines/internal/org"
	"voisines/internal/store"
	"voisines/internal/store/storetest"
	"voisines/internal/usage"
	"voisines/internal/validate"
)

func orgs(t *testing.T, db *store.DB, names ...string) []int64 {
	t.Helper()
	var ids []int64
	for _, n := range names {
		o, err := org.New(db).Create(context.Background(), auth.System, org.NewOrganisation{Kind: org.SyndicatMixte, Name: n})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, o.ID)
	}
	return ids
}

func record(t *testing.T, db *store.DB, e usage.Entry) usage.Entry {
	t.Helper()
	var out usage.Entry
	err := db.InTx(context.Background(), func(tx *store.Tx) error {
		var err error
		out, err = usage.Record(context.Background(), tx, e)
		return err
	})
	if err != nil {
		t.Fatalf("record %+v: %v", e, err)
	}
	return out
}

func TestRecordIsIdempotentPerOrigin(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ids := orgs(t, db, "Propriétaire", "Utilisateur")
		ctx := context.Background()
		e := usage.Entry{ProviderOrgID: ids[0], UserOrgID: ids[1], Source: usage.FromBooking, SourceRef: "42",
			Subject: "Gymnase", Unit: usage.UnitHour, Milli: 2000, OccurredOn: civil.MustParse("2026-09-07")}
		first := record(t, db, e)
		e.Milli = 2250
		second := record(t, db, e)
		if second.ID != first.ID {
			t.Errorf("the same origin got a second record: %d then %d", first.ID, second.ID)
		}
		all, err := usage.List(ctx, db.Reader(), usage.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 1 || all[0].Milli != 2250 || all[0].Quantity().Cmp(money.NewRat(9, 4)) != 0 {
			t.Errorf("got %+v, want one record of 2.25 h", all)
		}
		removed, err := func() (bool, error) {
			var ok bool
			err := db.InTx(ctx, func(tx *store.Tx) error {
				var err error
				ok, err = usage.Remove(ctx, tx, usage.FromBooking, "42")
				return err
			})
			return ok, err
		}()
		if err != nil || !removed {
			t.Errorf("remove: got %v, %v", removed, err)
		}
		if _, err := usage.Get(ctx, db.Reader(), usage.FromBooking, "42"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("after removal: got %v, want not found", err)
		}
	})
}

func TestSumGroupsByConventionUnitAndActType(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ids := orgs(t, db, "Service ADS", "Commune A", "Commune B")
		ctx := context.Background()
		day := func(s string) civil.Date { return civil.MustParse(s) }
		for i, r := range []struct {
			user  int64
			act   string
			milli int64
			on    string
		}{
			{ids[1], "PC", 1000, "2026-01-10"},
			{ids[1], "PC", 1000, "2026-02-10"},
			{ids[1], "PA", 1000, "2026-03-10"},
			{ids[2], "PC", 1000, "2026-03-11"},
			{ids[2], "PC", 1000, "2027-01-05"}, // outside the period
			{ids[2], "PC", 1000, "2026-04-01"},
		} {
			record(t, db, usage.Entry{ProviderOrgID: ids[0], UserOrgID: r.user, Source: usage.FromService,
				SourceRef: "acte-" + string(rune('a'+i)), Unit: "acte", ActType: r.act, Milli: r.milli, OccurredOn: day(r.on)})
		}
		totals, err := usage.Sum(ctx, db.Reader(), usage.Filter{ProviderOrgID: ids[0], From: day("2026-01-01"), To: day("2026-12-31")})
		if err != nil {
			t.Fatal(err)
		}
		type key struct {
			user int64
			act  string
		}
		got := map[key]int64{}
		for _, tt := range totals {
			got[key{tt.UserOrgID, tt.ActType}] = tt.Milli
		}
		want := map[key]int64{{ids[1], "PA"}: 1000, {ids[1], "PC"}: 2000, {ids[2], "PC"}: 2000}
		if len(got) != len(want) {
			t.Fatalf("got %v, want %v", got, want)
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%v: got %d, want %d", k, got[k], v)
			}
		}
		for _, tt := range totals {
			if tt.UserOrgID == ids[1] && tt.ActType == "PC" && (tt.First != day("2026-01-10") || tt.Last != day("2026-02-10") || tt.Records != 2) {
				t.Errorf("first/last/records: got %+v", tt)
			}
		}
		lines := usage.KeyUsage(totals, func(id int64) string {
			if id == ids[1] {
				return "A"
			}
			return ""
		})
		if len(lines) != 2 || lines[0].Party != "A" {
			t.Errorf("key usage: got %+v, want A's two lines only", lines)
		}
	})
}

func TestRecordRefusesAnIncompleteEntry(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		err := db.InTx(context.Background(), func(tx *store.Tx) error {
			_, err := usage.Record(context.Background(), tx, usage.Entry{Source: "guess", Milli: -1})
			return err
		})
		fes, ok := validate.As(err)
		if !ok {
			t.Fatalf("got %v, want field errors", err)
		}
		fields := map[string]bool{}
		for _, fe := range fes {
			fields[fe.Field] = true
		}
		for _, f := range []string{"provider_org_id", "user_org_id", "source", "source_ref", "unit", "quantity_milli", "occurred_on"} {
			if !fields[f] {
				t.Errorf("no error on %s in %v", f, fes)
			}
		}
	})
}
