package equipment

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"voisines/internal/audit"
	"voisines/internal/auth"
	"voisines/internal/store"
	"voisines/internal/validate"
)

// Withdrawing equipment from its users
//
// Deactivating a piece of equipment, or closing it for a period, strands
// the bookings already made for that time. Voisines never leaves them
// standing silently, nor cancels them behind the requesters' backs: the
// operation is refused with the list of the bookings it affects
// (*AffectedError) until the manager confirms that they are to be
// cancelled (Withdrawal.Cancel). Then, in the same transaction as the
// deactivation or the blackout, each of them is cancelled like any other
// cancellation by the owner: its status, who cancelled it, when and why
// are written on the booking, a line is added to its history and a record
// to the audit log, and the requester sees all of it on its bookings page
// and in the API.
//
// Affected are the active bookings (requested or approved) that have not
// started yet: for a deactivation, all of them; for a blackout, those that
// overlap it. A booking in progress is never cancelled by these operations,
// because its use is real and becomes a usage record: a deactivation leaves
// it to end, and a blackout over it is refused until it ends. Blackouts
// already planned stay as they are.

// Withdrawal says what to do with the future bookings a deactivation or a
// blackout affects.
type Withdrawal struct {
	// Cancel confirms that they are to be cancelled; without it the
	// operation is refused with their list.
	Cancel bool `json:"cancel_bookings"`
	// Reason is what the requesters read. For a deactivation it is
	// required when bookings are cancelled; a blackout's own reason is the
	// default.
	Reason string `json:"cancel_reason"`
}

// AffectedError refuses a deactivation or a blackout that would cancel
// future bookings the manager has not confirmed. It wraps
// store.ErrConflict; Message is French and Bookings lists the bookings, the
// earliest first.
type AffectedError struct {
	Bookings []Booking
	Message  string
}

func (e *AffectedError) Error() string { return e.Message }

// Unwrap makes errors.Is(err, store.ErrConflict) hold.
func (e *AffectedError) Unwrap() error { return store.ErrConflict }

// Lines describes each affected booking in French, for a list.
func (e *AffectedError) Lines() []string {
	out := make([]string, len(e.Bookings))
	for i, b := range e.Bookings {
		out[i] = fmt.Sprintf("n° %d : %s, %s (%s)", b.ID, FrenchSpan(b.Start, b.End), b.RequesterName, b.Status.Label())
	}
	return out
}

func newAffected(bs []Booking, what string) *AffectedError {
	n := len(bs)
	msg := fmt.Sprintf("%s annulerait %d réservation à venir. Confirmez son annulation, avec un motif que le demandeur lira, ou choisissez une autre période.", what, n)
	if n > 1 {
		msg = fmt.Sprintf("%s annulerait %d réservations à venir. Confirmez leur annulation, avec un motif que les demandeurs liront, ou choisissez une autre période.", what, n)
	}
	return &AffectedError{Bookings: bs, Message: msg}
}

// affected lists, inside tx, the active bookings of an equipment that
// overlap [from, to) (to zero: no end) and have not started at now. A
// booking in progress is skipped when skipStarted, and refuses the
// operation otherwise.
func (s *Service) affected(ctx context.Context, tx *store.Tx, equipmentID int64, from, to, now time.Time, skipStarted bool) ([]Booking, error) {
	where := `b.equipment_id = ? AND b.kind = 'booking' AND b.status IN ('requested', 'approved') AND b.ends_at > ?`
	args := []any{equipmentID, from}
	if !to.IsZero() {
		where += ` AND b.starts_at < ?`
		args = append(args, to)
	}
	bs, err := s.list(ctx, tx, where, args, "b.starts_at, b.id", 0)
	if err != nil {
		return nil, err
	}
	out := bs[:0]
	for _, b := range bs {
		switch {
		case !b.Start.Before(now):
			out = append(out, b)
		case !skipStarted:
			return nil, validate.FieldError{Field: "starts_at", Message: fmt.Sprintf(
				"la réservation n° %d (%s, %s) a déjà commencé : une fermeture ne peut pas l'annuler ; faites commencer la fermeture à sa fin",
				b.ID, FrenchSpan(b.Start, b.End), b.RequesterName)}
		}
	}
	return out, nil
}

// cancelAffected cancels bookings for the owner inside tx, with their
// history lines; it returns the audit entries to record once the
// transaction's other writes are done.
func (s *Service) cancelAffected(ctx context.Context, tx *store.Tx, actor auth.Actor, bs []Booking, reason, cause string, now time.Time) ([]audit.Entry, error) {
	var entries []audit.Entry
	for i, b := range bs {
		res, err := tx.ExecContext(ctx, `UPDATE bookings SET status = 'cancelled', cancelled_by_name = ?, cancelled_at = ?,
			cancel_reason = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
			actor.String(), now, reason, now, b.ID, b.Version)
		if err != nil {
			return nil, err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil, fmt.Errorf("%w: la réservation n° %d a changé entre-temps ; recommencez", store.ErrConflict, b.ID)
		}
		if err := releaseSlots(ctx, tx, b.ID); err != nil {
			return nil, err
		}
		if err := s.event(ctx, tx, b.ID, actor, string(Cancelled), reason, now); err != nil {
			return nil, err
		}
		bs[i].Status, bs[i].CancelledBy, bs[i].CancelledAt, bs[i].CancelReason = Cancelled, actor.String(), &now, reason
		bs[i].Version++
		entries = append(entries, actor.Audit(b.OwnerOrgID, "booking.cancel", "booking", strconv.FormatInt(b.ID, 10),
			map[string]any{"from": b.Status, "to": Cancelled, "note": reason, "version": b.Version + 1, "cause": cause}))
	}
	return entries, nil
}

// withdraw deals with the bookings a deactivation or a blackout affects:
// none, refused with their list, or cancelled.
func (s *Service) withdraw(ctx context.Context, tx *store.Tx, actor auth.Actor, bs []Booking, w Withdrawal, what, cause string, now time.Time) ([]audit.Entry, error) {
	if len(bs) == 0 {
		return nil, nil
	}
	if !w.Cancel {
		return nil, newAffected(bs, what)
	}
	return s.cancelAffected(ctx, tx, actor, bs, w.Reason, cause, now)
}

// checkWithdrawal validates a withdrawal's reason.
func checkWithdrawal(errs *validate.Errors, w *Withdrawal, required bool) {
	w.Reason = strings.TrimSpace(w.Reason)
	if w.Cancel && required && w.Reason == "" {
		errs.Add("cancel_reason", "indiquez le motif de l'annulation des réservations, que les demandeurs liront")
	}
	errs.Check(validate.MaxLen("cancel_reason", w.Reason, 500))
}

// lockActive reads, inside tx, which of the equipment are active. On
// PostgreSQL the rows are locked in share mode until the end of tx, so
// that a deactivation (which updates the row) waits for the bookings being
// written and then sees them, and a booking waits for a deactivation being
// written and then sees it; on SQLite the single writer already
// serialises them.
func lockActive(ctx context.Context, tx *store.Tx, ids []int64) (map[int64]bool, error) {
	q := `SELECT active FROM equipment WHERE id = ?`
	if tx.Dialect() == store.Postgres {
		q += ` FOR SHARE`
	}
	active := make(map[int64]bool, len(ids))
	for _, id := range ids {
		if _, seen := active[id]; seen {
			continue
		}
		var a bool
		if err := tx.QueryRowContext(ctx, q, id).Scan(&a); err != nil {
			return nil, fmt.Errorf("equipment: %d: %w", id, store.MapError(err))
		}
		active[id] = a
	}
	return active, nil
}

// errInactive refuses a booking of equipment that is not offered any more.
var errInactive = validate.FieldError{Field: "equipment_id", Message: "cet équipement n'est plus proposé à la réservation"}
