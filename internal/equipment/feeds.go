package equipment

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"voisines/internal/audit"
	"voisines/internal/auth"
	"voisines/internal/civil"
	"voisines/internal/export/ical"
	"voisines/internal/store"
	"voisines/internal/validate"
)

// FeedScope says what a calendar feed shows.
type FeedScope string

// The scopes of calendar feeds.
const (
	// FeedEquipment shows every booking and blackout of one equipment, with
	// details: it is created by the owner's managers, for the caretaker.
	FeedEquipment FeedScope = "equipment"
	// FeedOrganisation shows the bookings an organisation made, on every
	// equipment.
	FeedOrganisation FeedScope = "organisation"
)

// Feed is a secret calendar feed. Its token is shown once, at creation;
// only its hash is kept.
type Feed struct {
	ID          int64      `json:"id"`
	Scope       FeedScope  `json:"scope"`
	EquipmentID int64      `json:"equipment_id,omitempty"`
	OrgID       int64      `json:"org_id"`
	Label       string     `json:"label"`
	CreatedBy   string     `json:"created_by"`
	CreatedAt   time.Time  `json:"created_at"`
	RevokedAt   *time.Time `json:"revoked_at,omitempty"`
	RevokedBy   string     `json:"revoked_by,omitempty"`
}

// FeedWindow is how far back a feed goes; everything ahead is included.
const FeedWindow = 90 * 24 * time.Hour

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func newToken() string {
	var b [32]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// CreateFeed creates a secret feed and returns it with its token, shown
// only now. An equipment feed needs the Write right on the owner; an
// organisation feed the Write right on that organisation.
func (s *Service) CreateFeed(ctx context.Context, actor auth.Actor, scope FeedScope, id int64, label string) (Feed, string, error) {
	f := Feed{Scope: scope, Label: strings.TrimSpace(label), CreatedBy: actor.String()}
	switch scope {
	case FeedEquipment:
		e, err := s.Get(ctx, id)
		if err != nil {
			return Feed{}, "", err
		}
		f.EquipmentID, f.OrgID = e.ID, e.OwnerOrgID
		if f.Label == "" {
			f.Label = e.Name
		}
	case FeedOrganisation:
		f.OrgID = id
		if f.Label == "" {
			if err := s.db.Reader().QueryRowContext(ctx, `SELECT name FROM organisations WHERE id = ?`, id).Scan(&f.Label); err != nil {
				return Feed{}, "", fmt.Errorf("equipment: feed of organisation %d: %w", id, store.MapError(err))
			}
		}
	default:
		return Feed{}, "", validate.FieldError{Field: "scope", Message: "un calendrier porte sur un équipement ou sur un organisme"}
	}
	if err := auth.Authorize(actor, auth.Write, f.OrgID); err != nil {
		return Feed{}, "", fmt.Errorf("equipment: create feed: %w", err)
	}
	if err := validate.MaxLen("label", f.Label, 200); err != nil {
		return Feed{}, "", err
	}
	token := newToken()
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		f.CreatedAt = s.clock()
		if err := tx.QueryRowContext(ctx, `INSERT INTO calendar_feeds (token_hash, scope, equipment_id, org_id, label,
			created_by_name, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			hashToken(token), string(scope), nullID(f.EquipmentID), f.OrgID, f.Label, f.CreatedBy, f.CreatedAt).Scan(&f.ID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Audit(f.OrgID, "calendar_feed.create", "calendar_feed", strconv.FormatInt(f.ID, 10),
			map[string]any{"scope": scope, "equipment_id": f.EquipmentID, "label": f.Label}))
	})
	if err != nil {
		return Feed{}, "", fmt.Errorf("equipment: create feed: %w", err)
	}
	return f, token, nil
}

const feedColumns = `id, scope, equipment_id, org_id, label, created_by_name, created_at, revoked_at, revoked_by_name`

func scanFeed(row interface{ Scan(...any) error }) (Feed, error) {
	var f Feed
	var eq sql.NullInt64
	var revoked sql.NullTime
	if err := row.Scan(&f.ID, &f.Scope, &eq, &f.OrgID, &f.Label, &f.CreatedBy, &f.CreatedAt, &revoked, &f.RevokedBy); err != nil {
		return Feed{}, err
	}
	f.EquipmentID, f.CreatedAt, f.RevokedAt = eq.Int64, f.CreatedAt.UTC(), utcPtr(revoked)
	return f, nil
}

// Feeds lists an organisation's feeds, revoked ones included, for its
// members with the Write right.
func (s *Service) Feeds(ctx context.Context, actor auth.Actor, orgID int64) ([]Feed, error) {
	if err := auth.Authorize(actor, auth.Write, orgID); err != nil {
		return nil, fmt.Errorf("equipment: feeds of %d: %w", orgID, err)
	}
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT `+feedColumns+` FROM calendar_feeds WHERE org_id = ? ORDER BY id`, orgID)
	if err != nil {
		return nil, fmt.Errorf("equipment: feeds of %d: %w", orgID, err)
	}
	defer rows.Close()
	var out []Feed
	for rows.Next() {
		f, err := scanFeed(rows)
		if err != nil {
			return nil, fmt.Errorf("equipment: feeds of %d: %w", orgID, err)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// RevokeFeed revokes a feed for ever: its address answers 404 from now on.
func (s *Service) RevokeFeed(ctx context.Context, actor auth.Actor, feedID int64) (Feed, error) {
	f, err := scanFeed(s.db.Reader().QueryRowContext(ctx, `SELECT `+feedColumns+` FROM calendar_feeds WHERE id = ?`, feedID))
	if err != nil {
		return Feed{}, fmt.Errorf("equipment: feed %d: %w", feedID, store.MapError(err))
	}
	if err := auth.Authorize(actor, auth.ReadPrivate, f.OrgID); errors.Is(err, auth.ErrForbidden) {
		// Another organisation's feed: as if it did not exist.
		return Feed{}, fmt.Errorf("equipment: revoke feed %d: %w", feedID, store.ErrNotFound)
	}
	if err := auth.Authorize(actor, auth.Write, f.OrgID); err != nil {
		return Feed{}, fmt.Errorf("equipment: revoke feed %d: %w", feedID, err)
	}
	if f.RevokedAt != nil {
		return f, nil
	}
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		now := s.clock()
		if _, err := tx.ExecContext(ctx, `UPDATE calendar_feeds SET revoked_at = ?, revoked_by_name = ? WHERE id = ? AND revoked_at IS NULL`,
			now, actor.String(), feedID); err != nil {
			return err
		}
		f.RevokedAt, f.RevokedBy = &now, actor.String()
		return audit.Record(ctx, tx, actor.Audit(f.OrgID, "calendar_feed.revoke", "calendar_feed", strconv.FormatInt(feedID, 10), nil))
	})
	if err != nil {
		return Feed{}, fmt.Errorf("equipment: revoke feed %d: %w", feedID, err)
	}
	return f, nil
}

// FeedCalendar returns the calendar behind a feed token. An unknown or
// revoked token is store.ErrNotFound, so that the address answers 404
// either way.
func (s *Service) FeedCalendar(ctx context.Context, token string) (ical.Calendar, error) {
	if token == "" || len(token) > 100 {
		return ical.Calendar{}, fmt.Errorf("equipment: feed: %w", store.ErrNotFound)
	}
	q := s.db.Reader()
	f, err := scanFeed(q.QueryRowContext(ctx, `SELECT `+feedColumns+` FROM calendar_feeds WHERE token_hash = ?`, hashToken(token)))
	if err != nil {
		return ical.Calendar{}, fmt.Errorf("equipment: feed: %w", store.MapError(err))
	}
	if f.RevokedAt != nil {
		return ical.Calendar{}, fmt.Errorf("equipment: feed %d is revoked: %w", f.ID, store.ErrNotFound)
	}
	from := s.clock().Add(-FeedWindow)
	var bs []Booking
	cal := ical.Calendar{Name: f.Label, Location: civil.Paris}
	switch f.Scope {
	case FeedEquipment:
		cal.Description = "Réservations et fermetures de " + f.Label + " (Voisines)"
		bs, err = s.list(ctx, q, `b.equipment_id = ? AND b.status IN ('requested', 'approved') AND b.ends_at > ?`,
			[]any{f.EquipmentID, from}, "b.starts_at, b.id", 5000)
	default:
		cal.Description = "Réservations d'équipements de " + f.Label + " (Voisines)"
		bs, err = s.list(ctx, q, `b.requester_org_id = ? AND b.kind = 'booking' AND b.status IN ('requested', 'approved') AND b.ends_at > ?`,
			[]any{f.OrgID, from}, "b.starts_at, b.id", 5000)
	}
	if err != nil {
		return ical.Calendar{}, err
	}
	places := map[int64]string{}
	for _, b := range bs {
		if _, ok := places[b.EquipmentID]; !ok {
			var name, address, commune string
			if err := q.QueryRowContext(ctx, `SELECT e.name, e.address, COALESCE(c.name, '') FROM equipment e
				LEFT JOIN communes c ON c.code = e.commune_code WHERE e.id = ?`, b.EquipmentID).Scan(&name, &address, &commune); err != nil {
				return ical.Calendar{}, fmt.Errorf("equipment: feed: %w", err)
			}
			places[b.EquipmentID] = strings.Join(nonEmpty(name, address, commune), ", ")
		}
		cal.Events = append(cal.Events, feedEvent(b, places[b.EquipmentID], f.Scope))
	}
	return cal, nil
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// feedEvent turns a booking into its calendar event. The UID is stable per
// booking, so that a subscribed calendar updates the event in place.
func feedEvent(b Booking, place string, scope FeedScope) ical.Event {
	ev := ical.Event{
		UID:          fmt.Sprintf("booking-%d@voisines", b.ID),
		Start:        b.Start,
		End:          b.End,
		Location:     place,
		Sequence:     b.Version - 1,
		Stamp:        b.UpdatedAt,
		LastModified: b.UpdatedAt,
		Status:       ical.Confirmed,
	}
	var desc []string
	switch {
	case b.Kind == KindBlackout:
		ev.Summary = "Fermeture : " + b.Purpose
		ev.Categories = []string{"fermeture"}
	case scope == FeedEquipment:
		ev.Summary = b.RequesterName
		if b.Purpose != "" {
			ev.Summary += " — " + b.Purpose
		}
		ev.Categories = []string{"réservation"}
	default:
		ev.Summary = b.EquipmentName
		if b.Purpose != "" {
			ev.Summary += " — " + b.Purpose
		}
		ev.Categories = []string{"réservation"}
	}
	if b.Kind == KindBooking {
		desc = append(desc, "Réservation n° "+strconv.FormatInt(b.ID, 10)+" pour "+b.RequesterName+", "+b.Status.Label()+".")
		if b.AgreementID != 0 {
			desc = append(desc, fmt.Sprintf("Sous la convention n° %d.", b.AgreementID))
		}
		desc = append(desc, "Demandée par "+b.RequestedBy+".")
	}
	if b.Status == Requested {
		ev.Status = ical.Tentative
		ev.Summary = "[en attente] " + ev.Summary
	}
	ev.Description = strings.Join(desc, "\n")
	return ev
}
