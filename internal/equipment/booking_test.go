package equipment_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"voisines/internal/audit"
	"voisines/internal/auth"
	"voisines/internal/civil"
	"voisines/internal/equipment"
	"voisines/internal/server/servertest"
	"voisines/internal/store"
	"voisines/internal/store/storetest"
)

func TestOverlapIsRefusedAndTouchingIsAccepted(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		gym := e.gym(t, "Gymnase Paul-Ramadier", equipment.ApproveManual)
		hall := e.gym(t, "Salle des fêtes", equipment.ApproveManual)
		onet := e.actor(servertest.ClerkOnet)
		book := func(eq int64, from, to string) (equipment.Booking, error) {
			return e.svc.Book(ctx, onet, equipment.Request{EquipmentID: eq, RequesterOrgID: e.onet,
				Start: at(t, from), End: at(t, to), Purpose: "Entraînement"})
		}
		first, err := book(gym.ID, "2026-09-07T10:00", "2026-09-07T12:00")
		if err != nil {
			t.Fatalf("first booking: %v", err)
		}
		if first.Status != equipment.Requested || !first.Uncovered {
			t.Errorf("first booking: got status %s uncovered %v, want requested and uncovered", first.Status, first.Uncovered)
		}
		for _, tt := range []struct{ name, from, to string }{
			{"touching after", "2026-09-07T12:00", "2026-09-07T14:00"},
			{"touching before", "2026-09-07T08:00", "2026-09-07T10:00"},
		} {
			if _, err := book(gym.ID, tt.from, tt.to); err != nil {
				t.Errorf("%s: got %v, want accepted", tt.name, err)
			}
		}
		for _, tt := range []struct{ name, from, to, names string }{
			{"same slot", "2026-09-07T10:00", "2026-09-07T12:00", "de 10\u00a0h à 12\u00a0h"},
			{"inside", "2026-09-07T10:30", "2026-09-07T11:00", "de 10\u00a0h à 12\u00a0h"},
			{"straddling two", "2026-09-07T11:45", "2026-09-07T12:15", "de 10\u00a0h à 12\u00a0h"},
			{"covering all", "2026-09-07T07:00", "2026-09-07T15:00", "de 8\u00a0h à 10\u00a0h"},
		} {
			_, err := book(gym.ID, tt.from, tt.to)
			var ce *equipment.ConflictError
			if !errors.As(err, &ce) || !errors.Is(err, store.ErrConflict) {
				t.Errorf("%s: got %v, want a conflict", tt.name, err)
				continue
			}
			if !strings.Contains(ce.Message, tt.names) || !strings.Contains(ce.Message, "lundi 7 septembre 2026") {
				t.Errorf("%s: message %q does not name the clashing booking %q", tt.name, ce.Message, tt.names)
			}
		}
		if _, err := book(hall.ID, "2026-09-07T10:00", "2026-09-07T12:00"); err != nil {
			t.Errorf("the same slot on another equipment: got %v, want accepted", err)
		}
		// Cancelling frees the slot.
		if _, err := e.svc.Cancel(ctx, onet, first.ID, "Match reporté"); err != nil {
			t.Fatalf("cancel: %v", err)
		}
		if _, err := book(gym.ID, "2026-09-07T10:00", "2026-09-07T12:00"); err != nil {
			t.Errorf("after cancellation: got %v, want accepted", err)
		}
		if n := overlaps(t, db); n != 0 {
			t.Errorf("got %d overlapping pairs, want 0", n)
		}
	})
}

func TestTheDatabaseItselfRefusesADoubleBooking(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		gym := e.gym(t, "Gymnase", equipment.ApproveManual)
		b, err := e.svc.Book(ctx, e.actor(servertest.ClerkOnet), equipment.Request{EquipmentID: gym.ID, RequesterOrgID: e.onet,
			Start: at(t, "2026-09-07T10:00"), End: at(t, "2026-09-07T12:00")})
		if err != nil {
			t.Fatal(err)
		}
		// A writer that skips the domain's check still hits the key.
		err = db.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO booking_slots (equipment_id, quarter, booking_id) VALUES (?, ?, ?)`,
				gym.ID, at(t, "2026-09-07T11:00").Unix()/900, b.ID)
			return err
		})
		if !errors.Is(err, store.ErrConflict) {
			t.Errorf("raw insert of a held quarter: got %v, want store.ErrConflict", err)
		}
	})
}

func TestFiftyConcurrentIdenticalRequestsLetExactlyOneThrough(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		gym := e.gym(t, "Gymnase", equipment.ApproveAutomatic)
		onet := e.actor(servertest.ClerkOnet)
		req := equipment.Request{EquipmentID: gym.ID, RequesterOrgID: e.onet,
			Start: at(t, "2026-09-09T14:00"), End: at(t, "2026-09-09T16:00"), Purpose: "Tournoi"}
		const n = 50
		var wg sync.WaitGroup
		errs := make([]error, n)
		gate := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-gate
				_, errs[i] = e.svc.Book(context.Background(), onet, req)
			}()
		}
		close(gate)
		wg.Wait()
		accepted, conflicts := 0, 0
		for _, err := range errs {
			var ce *equipment.ConflictError
			switch {
			case err == nil:
				accepted++
			case errors.As(err, &ce) && errors.Is(err, store.ErrConflict):
				conflicts++
				if !strings.Contains(ce.Message, "mercredi 9 septembre 2026") && !strings.Contains(ce.Message, "vient d'être réservé") {
					t.Errorf("unclear conflict message: %q", ce.Message)
				}
			default:
				t.Errorf("unexpected error: %v", err)
			}
		}
		if accepted != 1 || conflicts != n-1 {
			t.Errorf("got %d accepted and %d conflicts, want 1 and %d", accepted, conflicts, n-1)
		}
		if o := overlaps(t, db); o != 0 {
			t.Errorf("got %d overlapping pairs, want 0", o)
		}
	})
}

func TestRandomConcurrentRequestsLeaveNoOverlap(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		gyms := []int64{e.gym(t, "Gymnase A", equipment.ApproveAutomatic).ID, e.gym(t, "Gymnase B", equipment.ApproveManual).ID}
		actors := []struct {
			actor auth.Actor
			org   int64
		}{{e.actor(servertest.ClerkOnet), e.onet}, {e.actor(servertest.ClerkRodez), e.rodez}}
		base := at(t, "2026-10-05T08:00")
		const workers, each = 16, 25
		var wg sync.WaitGroup
		var mu sync.Mutex
		accepted, conflicts := 0, 0
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rng := rand.New(rand.NewPCG(uint64(w), 7))
				who := actors[w%2]
				for range each {
					start := base.Add(time.Duration(rng.IntN(48)) * equipment.Quarter)
					end := start.Add(time.Duration(1+rng.IntN(12)) * equipment.Quarter)
					_, err := e.svc.Book(context.Background(), who.actor, equipment.Request{
						EquipmentID: gyms[rng.IntN(2)], RequesterOrgID: who.org, Start: start, End: end})
					mu.Lock()
					switch {
					case err == nil:
						accepted++
					case errors.Is(err, store.ErrConflict):
						conflicts++
					default:
						t.Errorf("unexpected error: %v", err)
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if accepted == 0 || conflicts == 0 {
			t.Errorf("got %d accepted and %d conflicts: the test did not contend", accepted, conflicts)
		}
		if o := overlaps(t, db); o != 0 {
			t.Errorf("got %d overlapping pairs among %d accepted bookings, want 0", o, accepted)
		}
		// The slot table mirrors the active bookings exactly.
		var slots, quarters int64
		ctx := context.Background()
		db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM booking_slots`).Scan(&slots)
		rows, err := db.Reader().QueryContext(ctx, `SELECT starts_at, ends_at FROM bookings WHERE status IN ('requested', 'approved')`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var s, en time.Time
			rows.Scan(&s, &en)
			quarters += int64(en.Sub(s) / equipment.Quarter)
		}
		rows.Close()
		if slots != quarters {
			t.Errorf("got %d slot rows for %d booked quarters", slots, quarters)
		}
		// Each accepted booking has its audit record, the groups' records
		// chained like any others.
		rep, err := audit.Verify(ctx, db)
		if err != nil || !rep.OK {
			t.Errorf("audit log: got %+v, %v want intact", rep, err)
		}
		var records int
		db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = 'booking.request'`).Scan(&records)
		if records != accepted {
			t.Errorf("got %d booking.request records for %d accepted bookings", records, accepted)
		}
	})
}

func TestApprovalRefusalAndCancellationFollowTheRules(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		gym := e.gym(t, "Gymnase", equipment.ApproveManual)
		onet, rodez := e.actor(servertest.ClerkOnet), e.actor(servertest.ClerkRodez)
		req := equipment.Request{EquipmentID: gym.ID, RequesterOrgID: e.onet,
			Start: at(t, "2026-09-10T18:00"), End: at(t, "2026-09-10T20:00"), Purpose: "Répétition"}
		b, err := e.svc.Book(ctx, onet, req)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Approve(ctx, onet, b.ID, ""); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("the requester approves its own request: got %v, want forbidden", err)
		}
		if _, err := e.svc.Approve(ctx, e.actor(servertest.ReaderRodez), b.ID, ""); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("a read-only member of the owner approves: got %v, want forbidden", err)
		}
		if _, err := e.svc.Refuse(ctx, rodez, b.ID, ""); fieldOf(err) != "reason" {
			t.Errorf("refusal without a reason: got %v, want a reason error", err)
		}
		approved, err := e.svc.Approve(ctx, rodez, b.ID, "Clés à l'accueil")
		if err != nil {
			t.Fatal(err)
		}
		if approved.Status != equipment.Approved || approved.DecidedBy != servertest.Email(servertest.ClerkRodez) {
			t.Errorf("got %s decided by %q", approved.Status, approved.DecidedBy)
		}
		if _, err := e.svc.Approve(ctx, rodez, b.ID, ""); fieldOf(err) != "status" {
			t.Errorf("approving twice: got %v, want a status error", err)
		}
		// The requester cancels before the start, with a reason.
		if _, err := e.svc.Cancel(ctx, onet, b.ID, ""); fieldOf(err) != "reason" {
			t.Errorf("cancellation without a reason: got %v", err)
		}
		cancelled, err := e.svc.Cancel(ctx, onet, b.ID, "Spectacle annulé")
		if err != nil {
			t.Fatal(err)
		}
		if cancelled.CancelledBy != servertest.Email(servertest.ClerkOnet) || cancelled.CancelReason != "Spectacle annulé" || cancelled.CancelledAt == nil {
			t.Errorf("cancellation not recorded: %+v", cancelled)
		}
		history, err := e.svc.History(ctx, rodez, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, h := range history {
			actions = append(actions, h.Action+" by "+h.Actor)
		}
		want := []string{"requested by " + servertest.Email(servertest.ClerkOnet), "approved by " + servertest.Email(servertest.ClerkRodez),
			"cancelled by " + servertest.Email(servertest.ClerkOnet)}
		if fmt.Sprint(actions) != fmt.Sprint(want) {
			t.Errorf("history: got %v, want %v", actions, want)
		}
		// A refused request frees its slot.
		b2, err := e.svc.Book(ctx, onet, req)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Refuse(ctx, rodez, b2.ID, "Créneau réservé aux scolaires"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Book(ctx, onet, req); err != nil {
			t.Errorf("booking after refusal: %v", err)
		}
		// The requester may not cancel once started; the owner may.
		e.advance(at(t, "2026-09-10T18:30").Sub(start))
		current, _ := e.svc.Bookings(ctx, onet, equipment.BookingFilter{OrgID: e.onet, Side: equipment.AsRequester,
			Statuses: []equipment.Status{equipment.Requested}})
		if len(current) != 1 {
			t.Fatalf("got %d pending bookings, want 1", len(current))
		}
		if _, err := e.svc.Cancel(ctx, onet, current[0].ID, "Trop tard"); fieldOf(err) != "status" {
			t.Errorf("cancellation by the requester after the start: got %v", err)
		}
		if _, err := e.svc.Cancel(ctx, rodez, current[0].ID, "Fuite d'eau"); err != nil {
			t.Errorf("cancellation by the owner after the start: %v", err)
		}
	})
}

func TestOtherCommunesSeeBusyFreeOnlyAndCannotManage(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		gym := e.gym(t, "Gymnase", equipment.ApproveManual)
		rodez := e.actor(servertest.ClerkRodez)
		b, err := e.svc.Book(ctx, rodez, equipment.Request{EquipmentID: gym.ID, RequesterOrgID: e.rodez,
			Start: at(t, "2026-09-11T09:00"), End: at(t, "2026-09-11T11:00"), Purpose: "Conseil d'école"})
		if err != nil {
			t.Fatal(err)
		}
		if b.Status != equipment.Approved {
			t.Errorf("the owner's own booking: got %s, want approved at once", b.Status)
		}
		onet := e.actor(servertest.ClerkOnet)
		if _, err := e.svc.Booking(ctx, onet, b.ID); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("another commune reads the details: got %v, want forbidden", err)
		}
		cal, err := e.svc.Calendar(ctx, onet, gym.ID, at(t, "2026-09-07T00:00"), at(t, "2026-09-14T00:00"))
		if err != nil {
			t.Fatal(err)
		}
		if len(cal) != 1 || cal[0].Booking != nil || !cal[0].Start.Equal(b.Start) {
			t.Errorf("another commune's calendar: got %+v, want one busy slot without details", cal)
		}
		cal, _ = e.svc.Calendar(ctx, e.actor(servertest.ReaderRodez), gym.ID, at(t, "2026-09-07T00:00"), at(t, "2026-09-14T00:00"))
		if len(cal) != 1 || cal[0].Booking == nil || cal[0].Booking.Purpose != "Conseil d'école" {
			t.Errorf("the owner's reader: got %+v, want the details", cal)
		}
		if _, err := e.svc.Cancel(ctx, onet, b.ID, "Je veux ce créneau"); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("another commune cancels: got %v, want forbidden", err)
		}
		d := gym.Details()
		d.Description = "Repris par Onet"
		if _, err := e.svc.Update(ctx, onet, gym.ID, gym.Version, d); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("another commune changes the catalogue: got %v, want forbidden", err)
		}
		if _, err := e.svc.Create(ctx, onet, e.rodez, d); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("another commune adds to the owner's catalogue: got %v, want forbidden", err)
		}
		if _, _, err := e.svc.Blackout(ctx, onet, gym.ID, at(t, "2026-12-01T00:00"), at(t, "2026-12-02T00:00"), "Travaux", equipment.Withdrawal{}); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("another commune closes the gym: got %v, want forbidden", err)
		}
		if _, err := e.svc.Book(ctx, e.actor(servertest.ReaderRodez), equipment.Request{EquipmentID: gym.ID, RequesterOrgID: e.rodez,
			Start: at(t, "2026-09-12T09:00"), End: at(t, "2026-09-12T10:00")}); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("a read-only member books: got %v, want forbidden", err)
		}
		if _, err := e.svc.Book(ctx, onet, equipment.Request{EquipmentID: gym.ID, RequesterOrgID: e.rodez,
			Start: at(t, "2026-09-12T09:00"), End: at(t, "2026-09-12T10:00")}); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("Onet books in Rodez's name: got %v, want forbidden", err)
		}
		// A stale version is a conflict for the owner too.
		d = gym.Details()
		if _, err := e.svc.Update(ctx, rodez, gym.ID, gym.Version, d); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Update(ctx, rodez, gym.ID, gym.Version, d); !errors.Is(err, store.ErrConflict) {
			t.Errorf("stale update: got %v, want conflict", err)
		}
	})
}

func TestBlackoutsBlockBookingsAndBookingsBlockBlackouts(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		gym := e.gym(t, "Gymnase", equipment.ApproveAutomatic)
		rodez, onet := e.actor(servertest.ClerkRodez), e.actor(servertest.ClerkOnet)
		bo, _, err := e.svc.Blackout(ctx, rodez, gym.ID, at(t, "2026-12-21T00:00"), at(t, "2027-01-04T00:00"), "Vitrification du parquet", equipment.Withdrawal{})
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.Book(ctx, onet, equipment.Request{EquipmentID: gym.ID, RequesterOrgID: e.onet,
			Start: at(t, "2026-12-22T10:00"), End: at(t, "2026-12-22T12:00")})
		var ce *equipment.ConflictError
		if !errors.As(err, &ce) || ce.ClashKind != equipment.KindBlackout || !strings.Contains(ce.Message, "fermeture") {
			t.Errorf("booking during the blackout: got %v, want a conflict naming the closure", err)
		}
		b, err := e.svc.Book(ctx, onet, equipment.Request{EquipmentID: gym.ID, RequesterOrgID: e.onet,
			Start: at(t, "2027-01-05T10:00"), End: at(t, "2027-01-05T12:00")})
		if err != nil {
			t.Fatal(err)
		}
		var ae *equipment.AffectedError
		if _, _, err := e.svc.Blackout(ctx, rodez, gym.ID, at(t, "2027-01-05T00:00"), at(t, "2027-01-06T00:00"), "Contrôle", equipment.Withdrawal{}); !errors.As(err, &ae) || len(ae.Bookings) != 1 || ae.Bookings[0].ID != b.ID {
			t.Errorf("blackout over a booking: got %v, want a refusal listing it", err)
		}
		if _, err := e.svc.Cancel(ctx, rodez, bo.ID, "Travaux reportés"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Book(ctx, onet, equipment.Request{EquipmentID: gym.ID, RequesterOrgID: e.onet,
			Start: at(t, "2026-12-22T10:00"), End: at(t, "2026-12-22T12:00")}); err != nil {
			t.Errorf("after the blackout was lifted: %v", err)
		}
	})
}

func TestRequestsAreValidated(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		gym := e.gym(t, "Gymnase", equipment.ApproveManual)
		onet := e.actor(servertest.ClerkOnet)
		for _, tt := range []struct {
			name, from, to string
			agreement      int64
			field          string
		}{
			{"a start off the quarter grid", "2026-09-07T10:10", "2026-09-07T11:00", 0, "starts_at"},
			{"an end off the quarter grid", "2026-09-07T10:00", "2026-09-07T11:05", 0, "ends_at"},
			{"reversed", "2026-09-07T11:00", "2026-09-07T10:00", 0, "ends_at"},
			{"in the past", "2026-08-01T10:00", "2026-08-01T11:00", 0, "starts_at"},
			{"too long", "2026-09-01T10:00", "2026-10-15T11:00", 0, "ends_at"},
			{"unknown convention", "2026-09-07T10:00", "2026-09-07T11:00", 999, "agreement_id"},
		} {
			_, err := e.svc.Book(ctx, onet, equipment.Request{EquipmentID: gym.ID, RequesterOrgID: e.onet,
				AgreementID: tt.agreement, Start: at(t, tt.from), End: at(t, tt.to)})
			if got := fieldOf(err); got != tt.field {
				t.Errorf("%s: got %v, want an error on %s", tt.name, err, tt.field)
			}
		}
		// The quarter-hour rule is spelled out, with the nearest allowed times.
		_, err := e.svc.Book(ctx, onet, equipment.Request{EquipmentID: gym.ID, RequesterOrgID: e.onet,
			Start: at(t, "2026-09-07T10:20"), End: at(t, "2026-09-07T11:00")})
		for _, want := range []string{"10\u00a0h\u00a020 ne tombe pas sur un quart d'heure", "par quarts d'heure", "10\u00a0h\u00a015 ou 10\u00a0h\u00a030"} {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("off-grid start: got %v, want it to say %q", err, want)
			}
		}
		// A convention that does not bind Onet does not cover it.
		other := e.agreement(t, "equipement_partage", "en_vigueur", e.rodez, e.conques)
		_, err = e.svc.Book(ctx, onet, equipment.Request{EquipmentID: gym.ID, RequesterOrgID: e.onet,
			AgreementID: other, Start: at(t, "2026-09-07T10:00"), End: at(t, "2026-09-07T11:00")})
		if fieldOf(err) != "agreement_id" || !strings.Contains(err.Error(), "demandeur") {
			t.Errorf("convention without the requester: got %v", err)
		}
		draft := e.agreement(t, "equipement_partage", "brouillon", e.rodez, e.onet)
		_, err = e.svc.Book(ctx, onet, equipment.Request{EquipmentID: gym.ID, RequesterOrgID: e.onet,
			AgreementID: draft, Start: at(t, "2026-09-07T10:00"), End: at(t, "2026-09-07T11:00")})
		if fieldOf(err) != "agreement_id" {
			t.Errorf("draft convention: got %v", err)
		}
	})
}

func TestConventionApprovalModeApprovesCoveredRequests(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		gym := e.gym(t, "Gymnase", equipment.ApproveConvention)
		onet := e.actor(servertest.ClerkOnet)
		conv := e.agreement(t, "equipement_partage", "en_vigueur", e.rodez, e.onet)
		covered, err := e.svc.Book(ctx, onet, equipment.Request{EquipmentID: gym.ID, RequesterOrgID: e.onet, AgreementID: conv,
			Start: at(t, "2026-09-07T10:00"), End: at(t, "2026-09-07T11:00")})
		if err != nil {
			t.Fatal(err)
		}
		if covered.Status != equipment.Approved || covered.Uncovered || covered.DecidedBy != "validation automatique" {
			t.Errorf("covered request: got %s uncovered=%v decided by %q", covered.Status, covered.Uncovered, covered.DecidedBy)
		}
		bare, err := e.svc.Book(ctx, onet, equipment.Request{EquipmentID: gym.ID, RequesterOrgID: e.onet,
			Start: at(t, "2026-09-07T11:00"), End: at(t, "2026-09-07T12:00")})
		if err != nil {
			t.Fatal(err)
		}
		if bare.Status != equipment.Requested || !bare.Uncovered {
			t.Errorf("request without convention: got %s uncovered=%v", bare.Status, bare.Uncovered)
		}
	})
}

func TestARecurringSeriesOverTheSchoolYear(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		gym := e.gym(t, "Gymnase", equipment.ApproveManual)
		onet := e.actor(servertest.ClerkOnet)
		exceptions, _ := equipment.ParseDates("2026-10-17/2026-11-01 2027-02-03")
		rule := equipment.SeriesRule{
			Weekdays: []time.Weekday{time.Monday, time.Wednesday, time.Thursday, time.Saturday},
			Start:    equipment.Clock{Hour: 17}, End: equipment.Clock{Hour: 19},
			From: civil.MustParse("2026-09-01"), To: civil.MustParse("2027-07-03"), Exceptions: exceptions,
		}
		want, _, err := rule.Occurrences(false)
		if err != nil {
			t.Fatal(err)
		}
		s, err := e.svc.BookSeries(ctx, onet, equipment.SeriesRequest{EquipmentID: gym.ID, RequesterOrgID: e.onet,
			Purpose: "Basket — école de sport", Rule: rule})
		if err != nil {
			t.Fatal(err)
		}
		if len(s.Bookings) != len(want) {
			t.Fatalf("got %d bookings, want %d", len(s.Bookings), len(want))
		}
		days := map[string]bool{}
		for _, b := range s.Bookings {
			days[civil.In(b.Start, civil.Paris).String()] = true
			if b.SeriesID != s.ID || b.Status != equipment.Requested {
				t.Errorf("booking %d: series %d status %s", b.ID, b.SeriesID, b.Status)
			}
		}
		for _, d := range []string{"2026-11-11", "2027-03-29", "2027-05-08", "2027-05-06", "2027-02-03", "2026-10-22"} {
			if days[d] {
				t.Errorf("a session was booked on %s", d)
			}
		}
		// All or nothing: a second series clashing once writes nothing and
		// names the first clashing session.
		var before int
		db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM bookings`).Scan(&before)
		clash := rule
		clash.Weekdays = []time.Weekday{time.Tuesday, time.Wednesday}
		clash.Start, clash.End = equipment.Clock{Hour: 18}, equipment.Clock{Hour: 20}
		_, err = e.svc.BookSeries(ctx, e.actor(servertest.ClerkRodez), equipment.SeriesRequest{EquipmentID: gym.ID,
			RequesterOrgID: e.rodez, Purpose: "Judo", Rule: clash})
		var ce *equipment.ConflictError
		if !errors.As(err, &ce) || !ce.Series {
			t.Fatalf("clashing series: got %v, want a series conflict", err)
		}
		if !strings.Contains(ce.Message, "mercredi 2 septembre 2026 de 18\u00a0h à 20\u00a0h") {
			t.Errorf("the conflict does not name the first clashing session: %q", ce.Message)
		}
		var after int
		db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM bookings`).Scan(&after)
		if after != before {
			t.Errorf("the refused series wrote %d bookings", after-before)
		}
		// Cancelling the series frees every future session.
		n, err := e.svc.CancelSeries(ctx, onet, s.ID, "Le club change de salle")
		if err != nil || n != len(want) {
			t.Errorf("cancel series: got %d, %v; want %d", n, err, len(want))
		}
		if _, err := e.svc.BookSeries(ctx, e.actor(servertest.ClerkRodez), equipment.SeriesRequest{EquipmentID: gym.ID,
			RequesterOrgID: e.rodez, Purpose: "Judo", Rule: clash}); err != nil {
			t.Errorf("series after cancellation: %v", err)
		}
	})
}

func TestSeriesInAlsaceMoselleSkipsGoodFriday(t *testing.T) {
	rule := equipment.SeriesRule{Weekdays: []time.Weekday{time.Friday}, Start: equipment.Clock{Hour: 9}, End: equipment.Clock{Hour: 10},
		From: civil.MustParse("2027-03-22"), To: civil.MustParse("2027-04-02")}
	national, _, _ := rule.Occurrences(false)
	local, skipped, _ := rule.Occurrences(true)
	if len(national) != 2 || len(local) != 1 || len(skipped) != 1 || skipped[0].Date != civil.MustParse("2027-03-26") {
		t.Errorf("got %d national, %d local sessions, skipped %v; want 2, 1 and Good Friday 26 March 2027", len(national), len(local), skipped)
	}
	rule.Holidays = equipment.HolidaysNational
	forced, _, _ := rule.Occurrences(true)
	if len(forced) != 2 {
		t.Errorf("the national calendar chosen explicitly: got %d sessions, want 2", len(forced))
	}
}
