package equipment

import (
	"context"
	"fmt"
	"strings"
	"time"

	"voisines/internal/store"
)

// ConflictError says that a booking, blackout or series was refused because
// it overlaps an active booking or blackout of the same equipment. It wraps
// store.ErrConflict; Message is French, for the user, and names the
// clashing booking's time.
type ConflictError struct {
	// Requested is the interval that was refused: the booking, or the first
	// clashing occurrence of a series.
	Requested Interval
	// Clash is the existing booking or blackout it overlaps.
	Clash Interval
	// ClashKind is booking or blackout.
	ClashKind BookingKind
	// Series is set when the refused request was a series.
	Series  bool
	Message string
}

// Interval is a half-open interval of time [Start, End).
type Interval struct {
	Start time.Time `json:"starts_at"`
	End   time.Time `json:"ends_at"`
}

func (e *ConflictError) Error() string { return e.Message }

// Unwrap makes errors.Is(err, store.ErrConflict) hold.
func (e *ConflictError) Unwrap() error { return store.ErrConflict }

func newConflict(requested, clash Interval, kind BookingKind, series bool) *ConflictError {
	what := "une réservation existante"
	if kind == KindBlackout {
		what = "une période de fermeture ou d'entretien"
	}
	msg := fmt.Sprintf("Ce créneau n'est pas libre : il chevauche %s, %s.", what, FrenchSpan(clash.Start, clash.End))
	if series {
		msg = fmt.Sprintf("La série n'a pas été enregistrée : la séance du %s chevauche %s, %s. Ajoutez cette date aux exceptions ou choisissez un autre créneau.",
			FrenchSpan(requested.Start, requested.End), what, FrenchSpan(clash.Start, clash.End))
	}
	return &ConflictError{Requested: requested, Clash: clash, ClashKind: kind, Series: series, Message: msg}
}

// The statements of the booking path (store.Tx keeps them prepared on SQLite).
const (
	qClash = `SELECT booking_id FROM booking_slots WHERE equipment_id = ? AND quarter >= ? AND quarter < ?
		AND booking_id <> ? ORDER BY quarter LIMIT 1`
	qClashBooking      = `SELECT starts_at, ends_at, kind FROM bookings WHERE id = ?`
	qInsertBookingInto = `INSERT INTO bookings (equipment_id, kind, requester_org_id, agreement_id, series_id,
		starts_at, ends_at, status, purpose, uncovered, requested_by, requested_by_name, decided_by_name, decided_at,
		version, created_at, updated_at)
		VALUES `
	qBookingValues = `(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`
	qInsertBooking = qInsertBookingInto + qBookingValues + ` RETURNING id`
	qEvent         = `INSERT INTO booking_events (booking_id, at, actor, action, detail) VALUES (?, ?, ?, ?, ?)`
)

// insertBookings is the statement inserting n booking rows, returning
// their ids.
func insertBookings(n int) string {
	if n == 1 {
		return qInsertBooking
	}
	var b strings.Builder
	b.WriteString(qInsertBookingInto)
	for k := range n {
		if k > 0 {
			b.WriteByte(',')
		}
		b.WriteString(qBookingValues)
	}
	b.WriteString(" RETURNING id")
	return b.String()
}

// slotBatch is the most slot rows one statement inserts.
const slotBatch = 300

// slotInsert is the statement inserting n slot rows.
func slotInsert(n int64) string {
	var b strings.Builder
	b.Grow(64 + int(n)*11)
	b.WriteString("INSERT INTO booking_slots (equipment_id, quarter, booking_id) VALUES ")
	for k := range n {
		if k > 0 {
			b.WriteByte(',')
		}
		b.WriteString("(?, ?, ?)")
	}
	return b.String()
}

// firstClash returns the earliest active booking or blackout of the
// equipment that overlaps one of the intervals, checking them in order, by
// the slot table (the same rule the primary key enforces). ok is false
// when every interval is free.
func firstClash(ctx context.Context, q store.Querier, equipmentID int64, want []Interval, except int64) (requested, clash Interval, kind BookingKind, ok bool, err error) {
	for _, iv := range want {
		var id int64
		err := q.QueryRowContext(ctx, qClash, equipmentID, quarterOf(iv.Start), quarterOf(iv.End), except).Scan(&id)
		if isNotFound(err) {
			continue
		}
		if err != nil {
			return Interval{}, Interval{}, "", false, fmt.Errorf("equipment: look for overlaps: %w", store.MapError(err))
		}
		if err := q.QueryRowContext(ctx, qClashBooking, id).Scan(&clash.Start, &clash.End, &kind); err != nil {
			return Interval{}, Interval{}, "", false, fmt.Errorf("equipment: read booking %d: %w", id, store.MapError(err))
		}
		clash.Start, clash.End = clash.Start.UTC(), clash.End.UTC()
		return iv, clash, kind, true, nil
	}
	return Interval{}, Interval{}, "", false, nil
}

// holdSlots inserts the slot rows of a booking, slotBatch per statement.
// A quarter already held is a unique violation, store.ErrConflict.
func holdSlots(ctx context.Context, tx store.Querier, equipmentID, bookingID int64, iv Interval) error {
	first, last := quarterOf(iv.Start), quarterOf(iv.End)
	for q := first; q < last; q += slotBatch {
		end := min(q+slotBatch, last)
		args := make([]any, 0, 3*(end-q))
		for k := q; k < end; k++ {
			args = append(args, equipmentID, k, bookingID)
		}
		if _, err := tx.ExecContext(ctx, slotInsert(end-q), args...); err != nil {
			return err
		}
	}
	return nil
}

// releaseSlots frees the slots of a booking that is no longer active.
func releaseSlots(ctx context.Context, tx *store.Tx, bookingID int64) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM booking_slots WHERE booking_id = ?`, bookingID)
	return err
}
