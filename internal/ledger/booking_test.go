package ledger_test

// From a booking to a statement line (issue 5, acceptance: "a held booking
// produces the usage record the financial engine bills"): a gym of Rodez
// booked by Onet-le-Château under a signed L1311-15 convention with
// unit-price terms, approved, held with its real times recorded, turned
// into a usage record by SyncUsage, then billed by the ledger.

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"voisines/internal/agreement"
	"voisines/internal/equipment"
	"voisines/internal/ledger"
	"voisines/internal/money"
	"voisines/internal/store"
	"voisines/internal/store/storetest"
	"voisines/internal/usage"
)

// setAt moves the clock to the Paris wall-clock time s ("2026-03-02T18:00").
func (c *clock) setAt(t *testing.T, s string) {
	t.Helper()
	v := paris(t, s)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = v
}

// paris reads a Paris wall-clock time "2026-03-02T18:00".
func paris(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := equipment.ParseInstant(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// equipmentService returns an equipment service reading the world's clock.
func (w *world) equipmentService(t *testing.T) *equipment.Service {
	t.Helper()
	return equipment.New(w.db).WithClock(w.clock.now)
}

func TestBookingHeldUnderAnEquipmentConventionBecomesAStatementLine(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := setup(t, db)
		ctx := context.Background()
		eq := w.equipmentService(t)
		rodez, onet := w.clerk["rodez"], w.clerk["onet"]

		// A = Rodez owns the gym, B = Onet-le-Château uses it (domain.md
		// §10 example 7), under a signed L1311-15 convention for 2026.
		conv := w.sign(t, convention{
			kind: agreement.EquipementPartage, mode: agreement.UnitPrice,
			parties: []party{{"rodez", agreement.RoleOwner}, {"onet", agreement.RoleUser}},
			start:   d("2026-01-01"), end: d("2026-12-31"),
			content: func(w *world, c *agreement.Content) {
				c.Equipment = agreement.EquipmentTerms{Equipment: "gymnase Paul-Ramadier", FirstUse: d("2026-03-02")}
			},
		})
		// The hourly cost is left exact (64,490.00 € / 2,480 h =
		// 26.004032… €/h) and each line is rounded half up once, from the
		// exact product, as these terms say.
		w.terms(t, conv, "rodez", ledger.Terms{
			Object: "Participation aux frais de fonctionnement du gymnase (L1311-15)", UsageUnit: "hour",
			UnitPrice: &ledger.UnitPriceTerms{
				Rule: money.UnitPrice{Unit: "heure", Rounding: money.RoundHalfUp},
				Basis: &money.UnitCostBasis{Source: "CA 2025", Units: rat(t, "2480"), Unit: "heure",
					Lines: []money.CostLine{{Label: "Frais de fonctionnement (énergie, ménage, entretien, gardien)", Amount: eur(t, "64 490,00"), Eligible: true}}},
			},
		})

		w.clock.setAt(t, "2026-02-20T09:00")
		gym, err := eq.Create(ctx, rodez, w.org["rodez"], equipment.Details{
			Name: "Gymnase Paul-Ramadier", Kind: equipment.Gym, Description: "Gymnase municipal", Capacity: 300,
			CommuneCode: "12202", Address: "Avenue Paul-Ramadier", Unit: equipment.UnitHour,
			Approval: equipment.ApproveManual, Active: true,
		})
		if err != nil {
			t.Fatalf("create gym: %v", err)
		}
		book := func(start, end string) equipment.Booking {
			t.Helper()
			b, err := eq.Book(ctx, onet, equipment.Request{EquipmentID: gym.ID, RequesterOrgID: w.org["onet"],
				AgreementID: conv.ID, Start: paris(t, start), End: paris(t, end), Purpose: "Écoles d'Onet-le-Château"})
			if err != nil {
				t.Fatalf("book %s: %v", start, err)
			}
			if b.Status != equipment.Requested || b.Uncovered {
				t.Fatalf("booking %s: got status %s, uncovered %v; want a covered request waiting for Rodez", start, b.Status, b.Uncovered)
			}
			if b, err = eq.Approve(ctx, rodez, b.ID, "Accordé"); err != nil {
				t.Fatalf("approve %s: %v", start, err)
			}
			return b
		}
		held := book("2026-03-02T18:00", "2026-03-02T20:00")
		cancelled := book("2026-03-09T18:00", "2026-03-09T20:00")
		if _, err := eq.Cancel(ctx, onet, cancelled.ID, "Sortie scolaire reportée"); err != nil {
			t.Fatalf("cancel: %v", err)
		}

		// The gym was used from 18:00 to 20:15, a quarter hour beyond the
		// booking: the real times are what is billed, 2.25 h.
		w.clock.setAt(t, "2026-03-10T09:00")
		if _, err := eq.RecordUse(ctx, rodez, held.ID, paris(t, "2026-03-02T18:00"), paris(t, "2026-03-02T20:15")); err != nil {
			t.Fatalf("record use: %v", err)
		}
		if _, err := eq.SyncUsage(ctx); err != nil {
			t.Fatalf("sync usage: %v", err)
		}
		if n, err := eq.SyncUsage(ctx); err != nil || n != 0 {
			t.Errorf("a second sync: got %d records, %v; want 0", n, err)
		}
		recs, err := usage.List(ctx, db.Reader(), usage.Filter{AgreementID: conv.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != 1 {
			t.Fatalf("got %d usage records %+v, want 1 (the held booking; the cancelled one has none)", len(recs), recs)
		}
		rec := recs[0]
		if rec.Source != usage.FromBooking || rec.SourceRef != strconv.FormatInt(held.ID, 10) ||
			rec.ProviderOrgID != w.org["rodez"] || rec.UserOrgID != w.org["onet"] || rec.Unit != usage.UnitHour ||
			rec.Milli != 2250 || rec.OccurredOn != d("2026-03-02") {
			t.Errorf("usage record: got %+v, want 2.25 h of booking %d by Onet on 2 March 2026", rec, held.ID)
		}
		if _, err := usage.Get(ctx, db.Reader(), usage.FromBooking, strconv.FormatInt(cancelled.ID, 10)); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("the cancelled booking: got %v, want no usage record", err)
		}

		// The statement of the year bills Onet the 2.25 h:
		// 2.25 × 64,490.00 / 2,480 = 58.5090… → 58.51 € (58.50 € had the
		// unit cost been rounded first).
		w.clock.set(d("2027-01-08"))
		st := w.issue(t, "rodez", ledger.Request{AgreementID: conv.ID, From: d("2026-01-01"), To: d("2026-12-31")})
		if st.Inputs.UnitsFrom != "usage_records" {
			t.Errorf("units from %q, want the usage records", st.Inputs.UnitsFrom)
		}
		p := st.Result.Pricing
		if p == nil || len(p.Lines) != 1 {
			t.Fatalf("got pricing %+v, want one line", p)
		}
		if p.Lines[0].Units.Cmp(rat(t, "2,25")) != 0 {
			t.Errorf("got %s hours billed, want 2.25 (the booking's real times)", p.Lines[0].Units.Decimal(3))
		}
		if p.AppliedUnitCost.Cmp(money.NewRat(6449000, 248000)) != 0 {
			t.Errorf("got unit cost %s, want 64,490.00 / 2,480 unrounded", p.AppliedUnitCost.Decimal(6))
		}
		w.checkLines(t, st, want{"onet", "58,51"})
		w.checkFlows(t, w.flows(t, st), flowWant{"onet", "rodez", "58,51", "74748", "657348"})

		// A period holding only the cancelled booking bills nothing: the
		// engine keeps Onet's line as a debtor party of the convention, at
		// zero hours and 0.00 €.
		march9 := d("2026-03-09")
		got, err := w.ledger.Compute(ctx, rodez, ledger.Request{AgreementID: conv.ID, From: march9, To: march9})
		if err != nil {
			t.Fatalf("compute the cancelled booking's day: %v", err)
		}
		if len(got.Inputs.Usage) != 0 {
			t.Errorf("the cancelled booking's day: got usage %+v, want none", got.Inputs.Usage)
		}
		for _, l := range got.Result.Lines {
			if l.Amount != 0 {
				t.Errorf("the cancelled booking's day: got a line of %s for %s, want nothing billed", l.Amount, l.Name)
			}
		}
		if p := got.Result.Pricing; p == nil || len(p.Lines) != 1 || p.Lines[0].Units.Sign() != 0 || p.Total != 0 {
			t.Errorf("the cancelled booking's day: got pricing %+v, want zero hours for Onet", p)
		}
	})
}
