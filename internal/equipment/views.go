package equipment

import (
	"context"
	"fmt"
	"strings"
	"time"

	"voisines/internal/auth"
	"voisines/internal/store"
	"voisines/internal/validate"
)

// list runs a bookings query with the standard columns.
func (s *Service) list(ctx context.Context, q store.Querier, where string, args []any, order string, limit int) ([]Booking, error) {
	query := `SELECT ` + bookingColumns + bookingFrom + ` WHERE ` + where + ` ORDER BY ` + order
	if limit > 0 {
		query += fmt.Sprintf(" LIMIT %d", limit)
	}
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("equipment: list bookings: %w", err)
	}
	defer rows.Close()
	var out []Booking
	for rows.Next() {
		b, err := scanBooking(rows)
		if err != nil {
			return nil, fmt.Errorf("equipment: list bookings: %w", err)
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// CalendarEntry is a busy interval of an equipment's calendar. Everyone
// sees when it is busy and whether it is a booking (pending or approved)
// or a blackout; Booking holds the details for the members of the owner
// and of the requester, and is nil for everyone else.
type CalendarEntry struct {
	Start   time.Time   `json:"starts_at"`
	End     time.Time   `json:"ends_at"`
	Kind    BookingKind `json:"kind"`
	Status  Status      `json:"status"`
	Booking *Booking    `json:"booking,omitempty"`
}

// MaxCalendarSpan is the longest period one calendar read covers.
const MaxCalendarSpan = 400 * 24 * time.Hour

// Calendar returns the active bookings and blackouts of an equipment that
// overlap [from, to), in order. It is public, with details only for those
// who may read them.
func (s *Service) Calendar(ctx context.Context, actor auth.Actor, equipmentID int64, from, to time.Time) ([]CalendarEntry, error) {
	if !to.After(from) || to.Sub(from) > MaxCalendarSpan {
		return nil, validate.FieldError{Field: "to", Message: "la période demandée doit être positive et d'au plus 400 jours"}
	}
	// starts_at is indexed; no booking is longer than MaxBlackout, which
	// bounds the scan from below.
	bs, err := s.list(ctx, s.db.Reader(), `b.equipment_id = ? AND b.status IN ('requested', 'approved')
		AND b.starts_at < ? AND b.starts_at > ? AND b.ends_at > ?`,
		[]any{equipmentID, to.UTC(), from.UTC().Add(-MaxBlackout), from.UTC()}, "b.starts_at", 0)
	if err != nil {
		return nil, err
	}
	out := make([]CalendarEntry, len(bs))
	for i, b := range bs {
		out[i] = CalendarEntry{Start: b.Start, End: b.End, Kind: b.Kind, Status: b.Status}
		if mayRead(actor, b) {
			out[i].Booking = &bs[i]
		}
	}
	return out, nil
}

// Side says from which side an organisation sees its bookings.
type Side string

// The sides of a booking.
const (
	AsRequester Side = "requester" // bookings the organisation made
	AsOwner     Side = "owner"     // bookings of the organisation's equipment
)

// BookingFilter selects an organisation's bookings.
type BookingFilter struct {
	OrgID       int64
	Side        Side
	Statuses    []Status // none: every status
	EquipmentID int64
	// From and To select bookings overlapping [From, To); zero: unbounded.
	From, To time.Time
	// Kind selects bookings or blackouts; "": both.
	Kind  BookingKind
	Limit int // default 200, at most 1000
}

// Bookings lists an organisation's bookings, as requester or as owner,
// soonest first; the actor must be a member of the organisation.
func (s *Service) Bookings(ctx context.Context, actor auth.Actor, f BookingFilter) ([]Booking, error) {
	if err := auth.Authorize(actor, auth.ReadPrivate, f.OrgID); err != nil {
		return nil, fmt.Errorf("equipment: bookings of %d: %w", f.OrgID, err)
	}
	var conds []string
	var args []any
	switch f.Side {
	case AsRequester:
		conds, args = append(conds, "b.requester_org_id = ?", "b.kind = 'booking'"), append(args, f.OrgID)
	case AsOwner:
		conds, args = append(conds, "e.owner_org_id = ?"), append(args, f.OrgID)
	default:
		return nil, validate.FieldError{Field: "side", Message: "indiquez requester ou owner"}
	}
	if len(f.Statuses) > 0 {
		marks := make([]string, len(f.Statuses))
		for i, st := range f.Statuses {
			marks[i] = "?"
			args = append(args, string(st))
		}
		conds = append(conds, "b.status IN ("+strings.Join(marks, ", ")+")")
	}
	if f.EquipmentID != 0 {
		conds, args = append(conds, "b.equipment_id = ?"), append(args, f.EquipmentID)
	}
	if f.Kind != "" {
		conds, args = append(conds, "b.kind = ?"), append(args, string(f.Kind))
	}
	if !f.From.IsZero() {
		conds, args = append(conds, "b.ends_at > ?"), append(args, f.From.UTC())
	}
	if !f.To.IsZero() {
		conds, args = append(conds, "b.starts_at < ?"), append(args, f.To.UTC())
	}
	if f.Limit <= 0 {
		f.Limit = 200
	}
	return s.list(ctx, s.db.Reader(), strings.Join(conds, " AND "), args, "b.starts_at, b.id", min(f.Limit, 1000))
}
