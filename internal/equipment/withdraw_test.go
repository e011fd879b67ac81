package equipment_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"voisines/internal/csvin"
	"voisines/internal/equipment"
	"voisines/internal/server/servertest"
	"voisines/internal/store"
	"voisines/internal/store/storetest"
)

func TestDeactivatingEquipmentRefusesThenCancelsTheBookingsToCome(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		gym := e.gym(t, "Gymnase", equipment.ApproveAutomatic)
		rodez, onet := e.actor(servertest.ClerkRodez), e.actor(servertest.ClerkOnet)
		book := func(from, to string) equipment.Booking {
			t.Helper()
			b, err := e.svc.Book(ctx, onet, equipment.Request{EquipmentID: gym.ID, RequesterOrgID: e.onet,
				Start: at(t, from), End: at(t, to), Purpose: "Basket"})
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
		ongoing := book("2026-08-20T10:30", "2026-08-20T12:30")
		soon := book("2026-09-07T10:00", "2026-09-07T12:00")
		later := book("2026-10-05T10:00", "2026-10-05T12:00")
		e.advance(time.Hour) // 11:00 in Paris: the first booking has started
		d := gym.Details()
		d.Active = false

		// Without confirmation: refused, with the list, and nothing changes.
		_, err := e.svc.Update(ctx, rodez, gym.ID, gym.Version, d)
		var ae *equipment.AffectedError
		if !errors.As(err, &ae) || !errors.Is(err, store.ErrConflict) {
			t.Fatalf("deactivation with bookings to come: got %v, want an AffectedError", err)
		}
		if len(ae.Bookings) != 2 || ae.Bookings[0].ID != soon.ID || ae.Bookings[1].ID != later.ID {
			t.Errorf("affected bookings: got %+v, want %d and %d (not the one in progress)", ae.Bookings, soon.ID, later.ID)
		}
		if lines := ae.Lines(); len(lines) != 2 || !strings.Contains(lines[0], "lundi 7 septembre 2026") {
			t.Errorf("lines: got %q", lines)
		}
		if g, _ := e.svc.Get(ctx, gym.ID); !g.Active || g.Version != gym.Version {
			t.Errorf("after the refusal: got active %v version %d, want unchanged", g.Active, g.Version)
		}

		// Confirmation without a reason is not enough.
		_, _, err = e.svc.UpdateWithdrawing(ctx, rodez, gym.ID, gym.Version, d, equipment.Withdrawal{Cancel: true})
		if fieldOf(err) != "cancel_reason" {
			t.Errorf("confirmation without reason: got %v, want an error on cancel_reason", err)
		}

		// Confirmed: deactivated, both cancelled with who, when and why.
		const why = "Gymnase fermé pour désamiantage"
		g, cancelled, err := e.svc.UpdateWithdrawing(ctx, rodez, gym.ID, gym.Version, d, equipment.Withdrawal{Cancel: true, Reason: why})
		if err != nil {
			t.Fatalf("confirmed deactivation: %v", err)
		}
		if g.Active || len(cancelled) != 2 {
			t.Errorf("got active %v and %d cancelled, want inactive and 2", g.Active, len(cancelled))
		}
		for _, id := range []int64{soon.ID, later.ID} {
			b, err := e.svc.Booking(ctx, onet, id)
			if err != nil {
				t.Fatal(err)
			}
			if b.Status != equipment.Cancelled || b.CancelReason != why || b.CancelledBy != rodez.String() || b.CancelledAt == nil {
				t.Errorf("booking %d as its requester sees it: got %s by %q (%q), want cancelled by %s with the reason", id, b.Status, b.CancelledBy, b.CancelReason, rodez)
			}
			h, err := e.svc.History(ctx, onet, id)
			if err != nil {
				t.Fatal(err)
			}
			if last := h[len(h)-1]; last.Action != "cancelled" || last.Detail != why || last.Actor != rodez.String() {
				t.Errorf("history of %d: got %+v, want a cancellation by the owner with the reason", id, last)
			}
		}
		if b, _ := e.svc.Booking(ctx, onet, ongoing.ID); b.Status != equipment.Approved {
			t.Errorf("the booking in progress: got %s, want it left approved", b.Status)
		}
		// The slots are free, and the equipment takes no new booking.
		var slots int
		db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM booking_slots WHERE booking_id IN (?, ?)`, soon.ID, later.ID).Scan(&slots)
		if slots != 0 {
			t.Errorf("got %d slots still held by the cancelled bookings", slots)
		}
		_, err = e.svc.Book(ctx, onet, equipment.Request{EquipmentID: gym.ID, RequesterOrgID: e.onet,
			Start: at(t, "2026-09-08T10:00"), End: at(t, "2026-09-08T12:00")})
		if fieldOf(err) != "equipment_id" {
			t.Errorf("booking inactive equipment: got %v, want an error on equipment_id", err)
		}
		// Reactivating cancels nothing and needs no confirmation.
		d.Active = true
		if _, err := e.svc.Update(ctx, rodez, gym.ID, g.Version, d); err != nil {
			t.Errorf("reactivation: %v", err)
		}
	})
}

func TestABlackoutOverBookingsRefusesThenCancelsThem(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		gym := e.gym(t, "Gymnase", equipment.ApproveManual)
		rodez, onet := e.actor(servertest.ClerkRodez), e.actor(servertest.ClerkOnet)
		inside, err := e.svc.Book(ctx, onet, equipment.Request{EquipmentID: gym.ID, RequesterOrgID: e.onet,
			Start: at(t, "2026-12-22T10:00"), End: at(t, "2026-12-22T12:00"), Purpose: "Tournoi de Noël"})
		if err != nil {
			t.Fatal(err)
		}
		outside, err := e.svc.Book(ctx, onet, equipment.Request{EquipmentID: gym.ID, RequesterOrgID: e.onet,
			Start: at(t, "2027-01-10T10:00"), End: at(t, "2027-01-10T12:00")})
		if err != nil {
			t.Fatal(err)
		}
		from, to := at(t, "2026-12-21T00:00"), at(t, "2027-01-04T00:00")
		_, _, err = e.svc.Blackout(ctx, rodez, gym.ID, from, to, "Vitrification du parquet", equipment.Withdrawal{})
		var ae *equipment.AffectedError
		if !errors.As(err, &ae) || len(ae.Bookings) != 1 || ae.Bookings[0].ID != inside.ID {
			t.Fatalf("blackout over a booking: got %v, want a refusal listing booking %d", err, inside.ID)
		}
		bo, cancelled, err := e.svc.Blackout(ctx, rodez, gym.ID, from, to, "Vitrification du parquet", equipment.Withdrawal{Cancel: true})
		if err != nil {
			t.Fatalf("confirmed blackout: %v", err)
		}
		if len(cancelled) != 1 || cancelled[0].ID != inside.ID || bo.Kind != equipment.KindBlackout {
			t.Errorf("got blackout %+v and cancelled %+v", bo, cancelled)
		}
		b, err := e.svc.Booking(ctx, onet, inside.ID)
		if err != nil {
			t.Fatal(err)
		}
		if b.Status != equipment.Cancelled || !strings.Contains(b.CancelReason, "Vitrification du parquet") {
			t.Errorf("the booking under the blackout: got %s (%q), want cancelled with the blackout's reason", b.Status, b.CancelReason)
		}
		if b, _ := e.svc.Booking(ctx, onet, outside.ID); b.Status != equipment.Requested {
			t.Errorf("the booking outside the blackout: got %s, want it untouched", b.Status)
		}
		// Another blackout over this one is still a plain conflict.
		_, _, err = e.svc.Blackout(ctx, rodez, gym.ID, at(t, "2027-01-02T00:00"), at(t, "2027-01-05T00:00"), "Contrôle", equipment.Withdrawal{Cancel: true})
		var ce *equipment.ConflictError
		if !errors.As(err, &ce) || ce.ClashKind != equipment.KindBlackout {
			t.Errorf("blackout over a blackout: got %v, want a conflict naming it", err)
		}
		// A booking in progress is never cancelled by a blackout.
		e.set(at(t, "2027-01-10T11:00"))
		_, _, err = e.svc.Blackout(ctx, rodez, gym.ID, at(t, "2027-01-10T11:15"), at(t, "2027-01-11T00:00"), "Fuite", equipment.Withdrawal{Cancel: true})
		if fieldOf(err) != "starts_at" || !strings.Contains(err.Error(), "a déjà commencé") {
			t.Errorf("blackout over a booking in progress: got %v, want a refusal", err)
		}
		if n := overlaps(t, db); n != 0 {
			t.Errorf("got %d overlapping pairs, want 0", n)
		}
	})
}

func TestAnImportDoesNotWithdrawEquipmentWithBookingsToCome(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		gym := e.gym(t, "Gymnase", equipment.ApproveManual)
		if _, err := e.svc.Book(ctx, e.actor(servertest.ClerkOnet), equipment.Request{EquipmentID: gym.ID, RequesterOrgID: e.onet,
			Start: at(t, "2026-09-07T10:00"), End: at(t, "2026-09-07T12:00")}); err != nil {
			t.Fatal(err)
		}
		_, err := e.svc.ImportCSV(ctx, e.actor(servertest.ClerkRodez), strings.NewReader("owner,name,kind,unit,active\n12202,Gymnase,gym,hour,non\n"))
		var ie csvin.Errors
		if !errors.As(err, &ie) || len(ie) != 1 || ie[0].Line != 2 || ie[0].Column != "active" || !strings.Contains(ie[0].Message, "1 réservation") {
			t.Fatalf("import withdrawing booked equipment: got %v, want an error on line 2, column active", err)
		}
		if g, _ := e.svc.Get(ctx, gym.ID); !g.Active {
			t.Error("the import withdrew the equipment anyway")
		}
	})
}
