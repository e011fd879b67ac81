package equipment

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"voisines/internal/audit"
	"voisines/internal/auth"
	"voisines/internal/store"
	"voisines/internal/validate"
)

// SeriesRequest asks for a weekly series of bookings.
type SeriesRequest struct {
	EquipmentID    int64      `json:"equipment_id"`
	RequesterOrgID int64      `json:"requester_org_id"`
	AgreementID    int64      `json:"agreement_id,omitempty"`
	Purpose        string     `json:"purpose"`
	Rule           SeriesRule `json:"rule"`
}

// Series is a created series: its bookings and the dates it skipped.
type Series struct {
	ID             int64      `json:"id"`
	EquipmentID    int64      `json:"equipment_id"`
	RequesterOrgID int64      `json:"requester_org_id"`
	Rule           SeriesRule `json:"rule"`
	Bookings       []Booking  `json:"bookings"`
	Skipped        []Skip     `json:"skipped"`
}

// BookSeries books every occurrence of a weekly series, all or nothing:
// when one occurrence overlaps an active booking or blackout, nothing is
// written and the *ConflictError names the first clashing occurrence.
// Public holidays are skipped by the rule's calendar (by default the one of
// the equipment's commune, Alsace-Moselle included) and so are the declared
// exceptions.
func (s *Service) BookSeries(ctx context.Context, actor auth.Actor, r SeriesRequest) (Series, error) {
	r.Purpose = strings.TrimSpace(r.Purpose)
	e, err := s.Get(ctx, r.EquipmentID)
	if err != nil {
		return Series{}, err
	}
	if err := auth.Authorize(actor, auth.Write, r.RequesterOrgID); err != nil {
		return Series{}, fmt.Errorf("equipment: book series on %d: %w", r.EquipmentID, err)
	}
	occ, skipped, err := r.Rule.Occurrences(e.AlsaceMoselle)
	if err != nil {
		return Series{}, err
	}
	var errs validate.Errors
	if occ[0].Start.Before(s.clock()) {
		errs.Add("from", "la première séance (%s) est dans le passé", FrenchSpan(occ[0].Start, occ[0].End))
	}
	p, err := s.prepare(ctx, actor, r.EquipmentID, r.RequesterOrgID, r.AgreementID, r.Purpose, occ[0].Date, Interval{}, &errs)
	if err != nil {
		return Series{}, fmt.Errorf("equipment: book series on %d: %w", r.EquipmentID, err)
	}
	if r.AgreementID != 0 && len(errs) == 0 {
		// The convention must cover the last session too.
		errs.Check(checkCovering(ctx, s.db.Reader(), r.AgreementID, e.OwnerOrgID, r.RequesterOrgID, occ[len(occ)-1].Date))
	}
	if err := errs.Err(); err != nil {
		return Series{}, err
	}
	want := make([]Interval, len(occ))
	for i, o := range occ {
		want[i] = Interval{o.Start, o.End}
	}
	rule, err := json.Marshal(r.Rule)
	if err != nil {
		return Series{}, fmt.Errorf("equipment: book series: %w", err)
	}
	series := Series{EquipmentID: r.EquipmentID, RequesterOrgID: r.RequesterOrgID, Rule: r.Rule, Skipped: skipped}
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		now := s.clock()
		if active, err := lockActive(ctx, tx, []int64{r.EquipmentID}); err != nil {
			return err
		} else if !active[r.EquipmentID] {
			return errInactive
		}
		if req, clash, kind, found, err := firstClash(ctx, tx, r.EquipmentID, want, 0); err != nil {
			return err
		} else if found {
			return newConflict(req, clash, kind, true)
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO booking_series (equipment_id, requester_org_id, rule, created_by, created_at)
			VALUES (?, ?, ?, ?, ?) RETURNING id`, r.EquipmentID, r.RequesterOrgID, string(rule), nullID(actor.UserID()), now).
			Scan(&series.ID); err != nil {
			return err
		}
		for _, iv := range want {
			if _, err := s.insertBooking(ctx, tx, actor, p, KindBooking, r.RequesterOrgID, r.AgreementID, series.ID, iv, r.Purpose, now); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, actor.Audit(r.RequesterOrgID, "booking.series", "booking_series", strconv.FormatInt(series.ID, 10),
			map[string]any{"equipment_id": r.EquipmentID, "owner_org_id": e.OwnerOrgID, "rule": r.Rule, "occurrences": len(want),
				"skipped": len(skipped), "agreement_id": r.AgreementID, "status": p.status, "uncovered": p.uncovered}))
	})
	if err != nil {
		return Series{}, s.explainConflict(ctx, r.EquipmentID, want, true, fmt.Errorf("equipment: book series on %d: %w", r.EquipmentID, err))
	}
	series.Bookings, err = s.list(ctx, s.db.Reader(), `b.series_id = ?`, []any{series.ID}, "b.starts_at", 0)
	return series, err
}

// CancelSeries cancels every active occurrence of a series that has not
// started yet, with a reason; who may is as for Cancel. It returns how many
// were cancelled.
func (s *Service) CancelSeries(ctx context.Context, actor auth.Actor, seriesID int64, reason string) (int, error) {
	reason = strings.TrimSpace(reason)
	var equipmentID, requester, owner int64
	err := s.db.Reader().QueryRowContext(ctx, `SELECT bs.equipment_id, bs.requester_org_id, e.owner_org_id
		FROM booking_series bs JOIN equipment e ON e.id = bs.equipment_id WHERE bs.id = ?`, seriesID).Scan(&equipmentID, &requester, &owner)
	if err != nil {
		return 0, fmt.Errorf("equipment: series %d: %w", seriesID, store.MapError(err))
	}
	if auth.Authorize(actor, auth.Write, owner) != nil {
		if err := auth.Authorize(actor, auth.Write, requester); err != nil {
			return 0, fmt.Errorf("equipment: cancel series %d: %w", seriesID, err)
		}
	}
	if reason == "" {
		return 0, validate.FieldError{Field: "reason", Message: "indiquez le motif de l'annulation"}
	}
	if err := validate.MaxLen("reason", reason, 500); err != nil {
		return 0, err
	}
	var n int
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		now := s.clock()
		rows, err := tx.QueryContext(ctx, `SELECT id FROM bookings WHERE series_id = ? AND status IN ('requested', 'approved')
			AND starts_at > ? ORDER BY starts_at`, seriesID, now)
		if err != nil {
			return err
		}
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, id := range ids {
			if _, err := tx.ExecContext(ctx, `UPDATE bookings SET status = 'cancelled', cancelled_by_name = ?, cancelled_at = ?,
				cancel_reason = ?, version = version + 1, updated_at = ? WHERE id = ?`, actor.String(), now, reason, now, id); err != nil {
				return err
			}
			if err := releaseSlots(ctx, tx, id); err != nil {
				return err
			}
			if err := s.event(ctx, tx, id, actor, string(Cancelled), reason, now); err != nil {
				return err
			}
		}
		n = len(ids)
		return audit.Record(ctx, tx, actor.Audit(requester, "booking.series_cancel", "booking_series", strconv.FormatInt(seriesID, 10),
			map[string]any{"cancelled": n, "reason": reason}))
	})
	if err != nil {
		return 0, fmt.Errorf("equipment: cancel series %d: %w", seriesID, err)
	}
	return n, nil
}
