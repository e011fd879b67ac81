package equipment_test

import (
	"bytes"
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	ics "github.com/arran4/golang-ical"

	"voisines/internal/agreement"
	"voisines/internal/auth"
	"voisines/internal/civil"
	"voisines/internal/csvin"
	"voisines/internal/equipment"
	"voisines/internal/export/ical"
	"voisines/internal/ledger"
	"voisines/internal/money"
	"voisines/internal/org"
	"voisines/internal/server/servertest"
	"voisines/internal/store"
	"voisines/internal/store/storetest"
	"voisines/internal/usage"
)

func TestAHeldBookingBecomesOneUsageRecordAndAStatementLine(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		gym := e.gym(t, "Gymnase Paul-Ramadier", equipment.ApproveConvention)
		conv := e.agreement(t, string(agreement.EquipementPartage), "en_vigueur", e.rodez, e.onet)
		onet, rodez := e.actor(servertest.ClerkOnet), e.actor(servertest.ClerkRodez)
		held, err := e.svc.Book(ctx, onet, equipment.Request{EquipmentID: gym.ID, RequesterOrgID: e.onet, AgreementID: conv,
			Start: at(t, "2026-09-07T17:00"), End: at(t, "2026-09-07T19:00"), Purpose: "Écoles d'Onet"})
		if err != nil {
			t.Fatal(err)
		}
		pending, err := e.svc.Book(ctx, onet, equipment.Request{EquipmentID: gym.ID, RequesterOrgID: e.onet,
			Start: at(t, "2026-09-08T17:00"), End: at(t, "2026-09-08T19:00")})
		if err != nil {
			t.Fatal(err)
		}
		if n, err := e.svc.SyncUsage(ctx); err != nil || n != 0 {
			t.Errorf("before the end: got %d records, %v; want 0", n, err)
		}
		e.advance(at(t, "2026-09-09T08:00").Sub(start))
		if n, err := e.svc.SyncUsage(ctx); err != nil || n != 1 {
			t.Fatalf("after the end: got %d records, %v; want 1 (the pending request is not held)", n, err)
		}
		if n, _ := e.svc.SyncUsage(ctx); n != 0 {
			t.Errorf("a second sync wrote %d records, want 0", n)
		}
		rec, err := usage.Get(ctx, db.Reader(), usage.FromBooking, itoa(held.ID))
		if err != nil {
			t.Fatal(err)
		}
		if rec.ProviderOrgID != e.rodez || rec.UserOrgID != e.onet || rec.AgreementID != conv || rec.Unit != usage.UnitHour ||
			rec.Milli != 2000 || rec.OccurredOn != civil.MustParse("2026-09-07") {
			t.Errorf("usage record: got %+v", rec)
		}
		if _, err := usage.Get(ctx, db.Reader(), usage.FromBooking, itoa(pending.ID)); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("the pending request got a record: %v", err)
		}
		// Real times recorded at check-out replace the booked ones in the
		// same record: 17:05–19:20 is 2 h 15 started quarters.
		if _, err := e.svc.RecordUse(ctx, onet, held.ID, at(t, "2026-09-07T17:05"), at(t, "2026-09-07T19:20")); err == nil {
			t.Error("the requester recorded the real times; only the owner may")
		}
		if _, err := e.svc.RecordUse(ctx, rodez, held.ID, at(t, "2026-09-07T17:05"), at(t, "2026-09-07T19:20")); err != nil {
			t.Fatal(err)
		}
		all, err := usage.List(ctx, db.Reader(), usage.Filter{AgreementID: conv})
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 1 || all[0].Milli != 2250 || all[0].ID != rec.ID {
			t.Fatalf("after check-out: got %+v, want the same record with 2250", all)
		}
		// From usage to the statement line the financial engine bills:
		// 2.25 h × 26.00 €/h = 58.50 € (domain.md §10 example 7's rate).
		totals, err := usage.Sum(ctx, db.Reader(), usage.Filter{AgreementID: conv,
			From: civil.MustParse("2026-09-01"), To: civil.MustParse("2026-12-31")})
		if err != nil {
			t.Fatal(err)
		}
		if len(totals) != 1 || totals[0].Milli != 2250 || totals[0].Records != 1 {
			t.Fatalf("totals: got %+v", totals)
		}
		names := map[int64]string{e.onet: "Onet-le-Château"}
		lines := usage.KeyUsage(totals, func(id int64) string { return names[id] })
		unitLines := []money.UnitLine{{Party: lines[0].Party, Label: "septembre 2026", Units: lines[0].Units}}
		pricing, err := money.UnitPrice{UnitCost: money.IntRat(26), Unit: "heure", Rounding: money.RoundHalfUp}.Price(unitLines)
		if err != nil {
			t.Fatal(err)
		}
		if pricing.Total != 5850 {
			t.Errorf("statement line: got %s, want 58,50 €", pricing.Total)
		}
		// Nothing is recorded twice, even when the sync runs again.
		if n, _ := e.svc.SyncUsage(ctx); n != 0 {
			t.Errorf("a sync after check-out wrote %d records, want 0", n)
		}
	})
}

func TestAYearOfUseWithoutConventionRaisesTheAlert(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		gym := e.gym(t, "Gymnase", equipment.ApproveAutomatic)
		onet := e.actor(servertest.ClerkOnet)
		b, err := e.svc.Book(ctx, onet, equipment.Request{EquipmentID: gym.ID, RequesterOrgID: e.onet,
			Start: at(t, "2026-09-07T17:00"), End: at(t, "2026-09-07T19:00")})
		if err != nil {
			t.Fatal(err)
		}
		if !b.Uncovered {
			t.Fatal("a use between two communes without convention is not flagged")
		}
		e.advance(at(t, "2026-10-01T08:00").Sub(start))
		uses, err := e.svc.UncoveredUses(ctx, e.actor(servertest.ClerkRodez), e.rodez, civil.MustParse("2026-10-01"))
		if err != nil {
			t.Fatal(err)
		}
		if len(uses) != 1 || uses[0].FirstUse != civil.MustParse("2026-09-07") || uses[0].Alert != nil ||
			uses[0].Deadline != civil.MustParse("2027-09-07") {
			t.Fatalf("after a month: got %+v, want the use flagged without alert yet", uses)
		}
		uses, _ = e.svc.UncoveredUses(ctx, onet, e.onet, civil.MustParse("2027-09-08"))
		if len(uses) != 1 || uses[0].Alert == nil || uses[0].Alert.Kind != agreement.AlertEquipment {
			t.Fatalf("after a year: got %+v, want the L1311-15 alert", uses)
		}
		if !strings.Contains(uses[0].Alert.Message, "dépense obligatoire") {
			t.Errorf("alert message: %q", uses[0].Alert.Message)
		}
		if _, err := e.svc.UncoveredUses(ctx, onet, e.rodez, civil.MustParse("2027-09-08")); err == nil {
			t.Error("Onet read Rodez's uncovered uses")
		}
		// Once a convention is signed, the alert stops.
		e.agreement(t, string(agreement.EquipementPartage), "signee", e.rodez, e.onet)
		uses, _ = e.svc.UncoveredUses(ctx, onet, e.onet, civil.MustParse("2027-09-08"))
		if len(uses) != 1 || !uses[0].Covered || uses[0].Alert != nil {
			t.Errorf("after signature: got %+v, want covered without alert", uses)
		}
	})
}

func TestCalendarFeedsParseAndRevokedTokensAreGone(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		gym := e.gym(t, "Gymnase, salle A", equipment.ApproveManual)
		onet, rodez := e.actor(servertest.ClerkOnet), e.actor(servertest.ClerkRodez)
		b1, err := e.svc.Book(ctx, onet, equipment.Request{EquipmentID: gym.ID, RequesterOrgID: e.onet,
			Start: at(t, "2026-09-07T17:00"), End: at(t, "2026-09-07T19:00"), Purpose: "Basket; U13"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Approve(ctx, rodez, b1.ID, ""); err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.svc.Blackout(ctx, rodez, gym.ID, at(t, "2026-12-21T00:00"), at(t, "2026-12-24T00:00"), "Entretien", equipment.Withdrawal{}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.svc.CreateFeed(ctx, onet, equipment.FeedEquipment, gym.ID, ""); err == nil {
			t.Error("Onet created a feed of Rodez's gym")
		}
		feed, token, err := e.svc.CreateFeed(ctx, rodez, equipment.FeedEquipment, gym.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		cal, err := e.svc.FeedCalendar(ctx, token)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := ical.Write(&buf, cal); err != nil {
			t.Fatal(err)
		}
		parsed, err := ics.ParseCalendar(&buf)
		if err != nil {
			t.Fatalf("the feed does not parse: %v", err)
		}
		events := parsed.Events()
		if len(events) != 2 {
			t.Fatalf("got %d events, want 2", len(events))
		}
		if events[0].Id() != "booking-"+itoa(b1.ID)+"@voisines" {
			t.Errorf("UID: got %q", events[0].Id())
		}
		startAt, _ := events[0].GetStartAt()
		if !startAt.Equal(b1.Start) {
			t.Errorf("start: got %v, want %v", startAt, b1.Start)
		}
		if s := events[0].GetProperty(ics.ComponentPropertySummary).Value; s != "Onet-le-Château — Basket; U13" {
			t.Errorf("summary: got %q", s)
		}
		if s := events[1].GetProperty(ics.ComponentPropertySummary).Value; s != "Fermeture : Entretien" {
			t.Errorf("blackout summary: got %q", s)
		}
		// The organisation's own feed lists its bookings on every equipment.
		_, orgToken, err := e.svc.CreateFeed(ctx, onet, equipment.FeedOrganisation, e.onet, "")
		if err != nil {
			t.Fatal(err)
		}
		orgCal, err := e.svc.FeedCalendar(ctx, orgToken)
		if err != nil || len(orgCal.Events) != 1 {
			t.Errorf("organisation feed: got %d events, %v; want 1", len(orgCal.Events), err)
		}
		if _, err := e.svc.RevokeFeed(ctx, onet, feed.ID); err == nil {
			t.Error("Onet revoked Rodez's feed")
		}
		if _, err := e.svc.RevokeFeed(ctx, rodez, feed.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.FeedCalendar(ctx, token); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("revoked token: got %v, want not found", err)
		}
		if _, err := e.svc.FeedCalendar(ctx, "not-a-token"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown token: got %v, want not found", err)
		}
	})
}

func TestCatalogueImportIsAllOrNothingWithErrorsByLineAndColumn(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		good := "owner;name;kind;unit;commune;capacity;tariff_other_commune;lat;lon\n" +
			"12202;Salle des fêtes;hall;day;12202;250;180,00;;\n" +
			"211202023;Balayeuse;machine;half_day;;;95;44,35;2,57\n"
		rep, err := e.svc.ImportCSV(ctx, e.actor(servertest.ClerkRodez), strings.NewReader(good))
		if err != nil || rep.Created != 2 {
			t.Fatalf("got %+v, %v; want 2 created", rep, err)
		}
		found, _ := e.svc.Search(ctx, equipment.Query{OwnerOrgID: e.rodez})
		if len(found) != 2 || found[0].Name != "Balayeuse" || *found[0].Tariffs.OtherCommune != 9500 || found[0].Coordinates == nil {
			t.Errorf("imported catalogue: got %+v", found)
		}
		// Importing again updates.
		if rep, err := e.svc.ImportCSV(ctx, e.actor(servertest.ClerkRodez), strings.NewReader(good)); err != nil || rep.Updated != 2 {
			t.Errorf("re-import: got %+v, %v; want 2 updated", rep, err)
		}
		bad := "owner,name,kind,unit,capacity\n" +
			"12202,Gymnase,gym,hour,300\n" +
			"12202,Piscine,pool,week,x\n" +
			"12176,Stade d'Onet,stadium,hour,\n" +
			"99999,Stade,stadium,hour,\n"
		_, err = e.svc.ImportCSV(ctx, e.actor(servertest.ClerkRodez), strings.NewReader(bad))
		var ie csvin.Errors
		if !errors.As(err, &ie) {
			t.Fatalf("got %v, want import errors", err)
		}
		got := map[string]bool{}
		for _, le := range ie {
			got[itoa(int64(le.Line))+":"+le.Column] = true
		}
		for _, want := range []string{"3:unit", "3:capacity", "4:owner", "5:owner"} {
			if !got[want] {
				t.Errorf("missing error %s in %v", want, ie)
			}
		}
		found, _ = e.svc.Search(ctx, equipment.Query{Text: "Gymnase"})
		if len(found) != 0 {
			t.Errorf("the refused file wrote %d equipment", len(found))
		}
	})
}

func TestSearchByKindAndDistance(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		gym := e.gym(t, "Gymnase", equipment.ApproveManual)
		// Coordinates are not imported in this fixture: give them by hand.
		db.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE communes SET lat = 44.3506, lon = 2.5750 WHERE code = '12202'`)
			tx.ExecContext(ctx, `UPDATE communes SET lat = 44.3653, lon = 2.5947 WHERE code = '12176'`)
			tx.ExecContext(ctx, `UPDATE communes SET lat = 44.5994, lon = 2.3975 WHERE code = '12218'`)
			return err
		})
		if _, err := e.svc.ImportCSV(ctx, e.actor(servertest.Admin), strings.NewReader(
			"owner,name,kind,unit,commune\n12218,Salle de Conques,hall,day,12218\n12176,Gymnase d'Onet,gym,hour,12176\n")); err != nil {
			t.Fatal(err)
		}
		near, err := e.svc.Search(ctx, equipment.Query{Near: servertest.Onet, Km: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(near) != 2 || near[0].Name != "Gymnase d'Onet" || near[1].ID != gym.ID || *near[1].DistanceKm > 3 {
			t.Errorf("within 10 km of Onet: got %v", names(near))
		}
		far, _ := e.svc.Search(ctx, equipment.Query{Near: servertest.Onet, Km: 50, Kind: equipment.Hall})
		if len(far) != 1 || far[0].Name != "Salle de Conques" {
			t.Errorf("halls within 50 km: got %v", names(far))
		}
		if _, err := e.svc.Search(ctx, equipment.Query{Kind: "castle"}); fieldOf(err) != "kind" {
			t.Errorf("unknown kind: got %v", err)
		}
	})
}

func names(es []equipment.Equipment) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Name)
	}
	return out
}

func TestTheUndividedForestSurplusIsSplitByShares(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		admin := e.actor(servertest.Admin)
		commission, err := e.f.Deps.Orgs.Create(ctx, admin, orgNew("Commission syndicale de la forêt des Palanges"))
		if err != nil {
			t.Fatal(err)
		}
		share := func(s string) money.Rat { r, _ := money.ParseRat(s); return r }
		// Shares that do not sum to 1 are refused.
		_, err = e.svc.CreateProperty(ctx, admin, commission.ID, equipment.NewProperty{Name: "Forêt", Shares: []equipment.Share{
			{OrgID: e.rodez, Share: share("3/7")}, {OrgID: e.onet, Share: share("3/7")}}})
		if fieldOf(err) != "shares" {
			t.Errorf("shares summing to 6/7: got %v", err)
		}
		// Only communes co-own.
		_, err = e.svc.CreateProperty(ctx, admin, commission.ID, equipment.NewProperty{Name: "Forêt", Shares: []equipment.Share{
			{OrgID: e.rodez, Share: share("1/2")}, {OrgID: e.agglo, Share: share("1/2")}}})
		if fieldOf(err) != "shares[1].org_id" {
			t.Errorf("an EPCI as co-owner: got %v", err)
		}
		p, err := e.svc.CreateProperty(ctx, admin, commission.ID, equipment.NewProperty{Name: "Forêt indivise", Shares: []equipment.Share{
			{OrgID: e.rodez, Share: share("3/7"), Title: "acte de 1862"}, {OrgID: e.onet, Share: share("2/7")}, {OrgID: e.conques, Share: share("2/7")}}})
		if err != nil {
			t.Fatal(err)
		}
		// Example 5 of domain.md §10: 87 517,00 − 31 905,40 = 55 611,60.
		if err := e.svc.RecordAccounts(ctx, admin, p.ID, equipment.Accounts{Year: 2025, Receipts: 8751700, Expenses: 3190540}); err != nil {
			t.Fatal(err)
		}
		d, err := e.svc.Split(ctx, e.actor(servertest.ClerkOnet), p.ID, 2025)
		if err != nil {
			t.Fatal(err)
		}
		want := []money.Cents{2383354, 1588903, 1588903}
		for i, l := range d.Lines {
			if l.Amount != want[i] || l.Compulsory {
				t.Errorf("line %d (%s): got %s compulsory=%v, want %s", i, l.Name, l.Amount, l.Compulsory, want[i])
			}
		}
		if d.Result != 5561160 {
			t.Errorf("surplus: got %s", d.Result)
		}
		// A deficit: every share is a compulsory expense.
		if err := e.svc.RecordAccounts(ctx, admin, p.ID, equipment.Accounts{Year: 2026, Receipts: 100000, Expenses: 200000}); err != nil {
			t.Fatal(err)
		}
		d, err = e.svc.Split(ctx, admin, p.ID, 2026)
		if err != nil {
			t.Fatal(err)
		}
		var sum money.Cents
		for _, l := range d.Lines {
			sum += l.Amount
			if !l.Compulsory || l.Amount >= 0 {
				t.Errorf("deficit line %s: got %s compulsory=%v", l.Name, l.Amount, l.Compulsory)
			}
		}
		if sum != -100000 {
			t.Errorf("deficit parts sum to %s, want -1 000,00 €", sum)
		}
		if _, err := e.svc.Split(ctx, e.actor(servertest.AdminAgglo), p.ID, 2025); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a non-co-owner reads the distribution: got %v, want not found", err)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func orgNew(name string) org.NewOrganisation {
	return org.NewOrganisation{Kind: org.CommissionSyndicale, Name: name, DepartementCode: "12"}
}

func TestTheUndividedForestIsSplitThroughTheLedger(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := servertest.NewIndivisWorld(t, db)
		ctx := context.Background()
		svc := equipment.New(db)
		admin, onet := w.F.Users[servertest.Admin], w.F.Users[servertest.ClerkOnet]
		if _, err := svc.StatementRequest(ctx, actorOf(&onet), w.Property.ID, 2025); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("a co-owner's clerk drafts the commission's statement: got %v, want forbidden", err)
		}
		req, err := svc.StatementRequest(ctx, actorOf(&admin), w.Property.ID, 2025)
		if err != nil {
			t.Fatal(err)
		}
		if req.AgreementID != w.Agreement.ID || req.From.String() != "2025-01-01" || req.To.String() != "2025-12-31" {
			t.Errorf("got request %+v, want the convention's year 2025", req)
		}
		led := ledger.New(db, w.F.Deps.Agreements)
		st, err := led.Draft(ctx, actorOf(&admin), req)
		if err != nil {
			t.Fatalf("draft: %v", err)
		}
		split, err := svc.Split(ctx, actorOf(&admin), w.Property.ID, 2025)
		if err != nil {
			t.Fatal(err)
		}
		// The financial engine and the property's page agree to the cent.
		a := st.Result.Allocation
		if a == nil || a.Total != split.Result || len(a.Lines) != len(split.Lines) {
			t.Fatalf("got allocation %+v, want the split %+v", a, split.Lines)
		}
		for i, l := range a.Lines {
			if l.Amount != split.Lines[i].Amount {
				t.Errorf("line %d: the ledger gives %s, the property's split %s", i, l.Amount, split.Lines[i].Amount)
			}
		}
		if split.Lines[0].Amount != 2383354 || split.Lines[1].Amount != 1588903 {
			t.Errorf("got %s and %s, want 23 833,54 and 15 889,03 (domain.md example 5)", split.Lines[0].Amount, split.Lines[1].Amount)
		}
	})
}
