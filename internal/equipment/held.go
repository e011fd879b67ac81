package equipment

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"voisines/internal/agreement"
	"voisines/internal/audit"
	"voisines/internal/auth"
	"voisines/internal/civil"
	"voisines/internal/store"
	"voisines/internal/usage"
)

// usageActor is who SyncUsage acts as: the platform, turning facts into
// records, not a user.
var usageActor = auth.SystemActor("usage")

// recordUsage writes (or rewrites) the usage record of a held booking and
// marks the booking's version as recorded. Every held booking is recorded,
// the owner's own use too: its hours count in the equipment's occupation,
// the basis of the hourly cost (domain.md §10 example 7).
func (s *Service) recordUsage(ctx context.Context, tx *store.Tx, b Booking) (usage.Entry, error) {
	var unit Unit
	if err := tx.QueryRowContext(ctx, `SELECT unit FROM equipment WHERE id = ?`, b.EquipmentID).Scan(&unit); err != nil {
		return usage.Entry{}, store.MapError(err)
	}
	used := b.Used()
	note := "réservation n° " + strconv.FormatInt(b.ID, 10)
	if b.Uncovered {
		note += ", sans convention (CGCT L1311-15)"
	}
	if b.CheckedIn != nil || b.CheckedOut != nil {
		note += ", horaires réels"
	}
	e, err := usage.Record(ctx, tx, usage.Entry{
		ProviderOrgID: b.OwnerOrgID,
		UserOrgID:     b.RequesterOrgID,
		AgreementID:   b.AgreementID,
		Source:        usage.FromBooking,
		SourceRef:     strconv.FormatInt(b.ID, 10),
		Subject:       b.EquipmentName,
		Unit:          string(unit),
		Milli:         Units(unit, used.Start, used.End),
		OccurredOn:    civil.In(used.Start, civil.Paris),
		Note:          note,
	})
	if err != nil {
		return usage.Entry{}, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE bookings SET usage_version = ? WHERE id = ?`, b.Version, b.ID); err != nil {
		return usage.Entry{}, err
	}
	return e, nil
}

// SyncUsage turns every held booking — approved and ended — whose usage
// record is missing or older than the booking into its record, in batches,
// and returns how many it wrote. It is idempotent: a booking yields one
// record, rewritten when its real times change. Run it from a periodic job
// (`voisines equipment usage`); recording real times runs it for that
// booking at once.
func (s *Service) SyncUsage(ctx context.Context) (int, error) {
	const batch = 500
	total := 0
	for {
		now := s.clock()
		held, err := s.list(ctx, s.db.Reader(), `b.kind = 'booking' AND b.status = 'approved' AND b.ends_at <= ?
			AND (b.usage_version IS NULL OR b.usage_version <> b.version)`, []any{now}, "b.id", batch)
		if err != nil {
			return total, err
		}
		if len(held) == 0 {
			return total, nil
		}
		ids := make([]int64, len(held))
		err = s.db.InTx(ctx, func(tx *store.Tx) error {
			for i, b := range held {
				// Skip a booking changed since it was read; the next round sees it.
				var version int64
				var status string
				if err := tx.QueryRowContext(ctx, `SELECT version, status FROM bookings WHERE id = ?`, b.ID).Scan(&version, &status); err != nil {
					return store.MapError(err)
				}
				if version != b.Version || Status(status) != Approved {
					continue
				}
				if _, err := s.recordUsage(ctx, tx, b); err != nil {
					return err
				}
				ids[i] = b.ID
			}
			return audit.Record(ctx, tx, usageActor.Audit(0, "usage.sync", "booking", "", map[string]any{"bookings": ids}))
		})
		if err != nil {
			return total, fmt.Errorf("equipment: sync usage: %w", err)
		}
		total += len(held)
		if len(held) < batch {
			return total, nil
		}
	}
}

// UncoveredUse is the use of one owner's equipment by another public
// authority without a covering convention (CGCT L1311-15).
type UncoveredUse struct {
	OwnerOrgID int64      `json:"owner_org_id"`
	OwnerName  string     `json:"owner_name"`
	UserOrgID  int64      `json:"user_org_id"`
	UserName   string     `json:"user_name"`
	FirstUse   civil.Date `json:"first_use"`
	LastUse    civil.Date `json:"last_use"`
	Bookings   int        `json:"bookings"`
	// Covered is set when a shared-equipment convention between them is
	// now signed or in force: the past uses stay flagged, the alert stops.
	Covered bool `json:"covered"`
	// Deadline is a year after the first use: from then on the owner sets
	// the participation alone, a dépense obligatoire for the user.
	Deadline civil.Date `json:"deadline"`
	// Alert is the L1311-15 alert, raised once the deadline has passed
	// without a convention.
	Alert *agreement.Alert `json:"alert,omitempty"`
}

// UncoveredUses lists, for an organisation as owner or as user, the pairs
// of authorities whose approved bookings (started by now) had no covering
// convention, with the date of first use and the L1311-15 alert when a year
// has passed by today. The actor must be a member of the organisation.
func (s *Service) UncoveredUses(ctx context.Context, actor auth.Actor, orgID int64, today civil.Date) ([]UncoveredUse, error) {
	if err := auth.Authorize(actor, auth.ReadPrivate, orgID); err != nil {
		return nil, fmt.Errorf("equipment: uncovered uses of %d: %w", orgID, err)
	}
	q := s.db.Reader()
	rows, err := q.QueryContext(ctx, `SELECT e.owner_org_id, o.name, b.requester_org_id, r.name,
		MIN(b.starts_at), MAX(b.starts_at), COUNT(*)
		FROM bookings b JOIN equipment e ON e.id = b.equipment_id
		JOIN organisations o ON o.id = e.owner_org_id JOIN organisations r ON r.id = b.requester_org_id
		WHERE b.uncovered = TRUE AND b.status = 'approved' AND b.kind = 'booking' AND b.starts_at <= ?
		AND (e.owner_org_id = ? OR b.requester_org_id = ?)
		GROUP BY e.owner_org_id, o.name, b.requester_org_id, r.name
		ORDER BY MIN(b.starts_at)`, s.clock(), orgID, orgID)
	if err != nil {
		return nil, fmt.Errorf("equipment: uncovered uses: %w", err)
	}
	var out []UncoveredUse
	for rows.Next() {
		var u UncoveredUse
		var first, last timeScanner
		if err := rows.Scan(&u.OwnerOrgID, &u.OwnerName, &u.UserOrgID, &u.UserName, &first, &last, &u.Bookings); err != nil {
			rows.Close()
			return nil, fmt.Errorf("equipment: uncovered uses: %w", err)
		}
		u.FirstUse, u.LastUse = civil.In(first.t, civil.Paris), civil.In(last.t, civil.Paris)
		out = append(out, u)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("equipment: uncovered uses: %w", err)
	}
	for i := range out {
		u := &out[i]
		var n int
		if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM agreements a
			WHERE a.kind = ? AND a.status IN ('signee', 'en_vigueur')
			AND EXISTS (SELECT 1 FROM agreement_parties p WHERE p.agreement_id = a.id AND p.is_current = TRUE AND p.org_id = ?)
			AND EXISTS (SELECT 1 FROM agreement_parties p WHERE p.agreement_id = a.id AND p.is_current = TRUE AND p.org_id = ?)`,
			string(agreement.EquipementPartage), u.OwnerOrgID, u.UserOrgID).Scan(&n); err != nil {
			return nil, fmt.Errorf("equipment: uncovered uses: %w", err)
		}
		u.Covered = n > 0
		u.Deadline = agreement.EquipmentDeadline(u.FirstUse)
		if al, ok := agreement.EquipmentUseAlert(u.FirstUse, today, u.Covered); ok {
			al.OrgID = u.UserOrgID
			al.Message = u.UserName + " utilise un équipement de " + u.OwnerName + " : " + al.Message
			u.Alert = &al
		}
	}
	return out, nil
}

// timeScanner reads an aggregate of a timestamp column: a time.Time on
// PostgreSQL, the stored text on SQLite (MIN and MAX lose the column's
// declared type there, so the driver does not parse it).
type timeScanner struct{ t time.Time }

func (ts *timeScanner) Scan(src any) error {
	switch v := src.(type) {
	case time.Time:
		ts.t = v.UTC()
		return nil
	case string:
		return ts.parse(v)
	case []byte:
		return ts.parse(string(v))
	}
	return fmt.Errorf("equipment: cannot read %T as a time", src)
}

// storedTimeLayouts are the texts SQLite's driver writes for a time.Time
// (its String form) and the usual ISO forms.
var storedTimeLayouts = []string{"2006-01-02 15:04:05.999999999 -0700 MST", "2006-01-02 15:04:05.999999999-07:00",
	time.RFC3339Nano, "2006-01-02 15:04:05"}

func (ts *timeScanner) parse(s string) error {
	for _, layout := range storedTimeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			ts.t = t.UTC()
			return nil
		}
	}
	return fmt.Errorf("equipment: %q is not a stored time", s)
}
