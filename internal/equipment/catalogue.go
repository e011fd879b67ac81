package equipment

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"voisines/internal/audit"
	"voisines/internal/auth"
	"voisines/internal/money"
	"voisines/internal/store"
	"voisines/internal/territory"
	"voisines/internal/validate"
)

// Create adds a piece of equipment to the catalogue of owner; the actor
// must write for the owner.
func (s *Service) Create(ctx context.Context, actor auth.Actor, ownerOrgID int64, d Details) (Equipment, error) {
	if err := auth.Authorize(actor, auth.Write, ownerOrgID); err != nil {
		return Equipment{}, fmt.Errorf("equipment: create: %w", err)
	}
	d, err := d.normalize()
	if err != nil {
		return Equipment{}, err
	}
	var id int64
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		id, err = s.insert(ctx, tx, actor, ownerOrgID, d)
		return err
	})
	if err != nil {
		return Equipment{}, fmt.Errorf("equipment: create %s: %w", d.Name, err)
	}
	return s.Get(ctx, id)
}

// insert writes new equipment and its audit record; d is normalised.
func (s *Service) insert(ctx context.Context, tx *store.Tx, actor auth.Actor, ownerOrgID int64, d Details) (int64, error) {
	if err := checkCommune(ctx, tx, d.CommuneCode); err != nil {
		return 0, err
	}
	now := s.clock()
	lat, lon := coords(d.Coordinates)
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO equipment (owner_org_id, name, kind, description, capacity,
		commune_code, address, lat, lon, accessibility, rules, unit, tariff_own, tariff_convention,
		tariff_other_commune, tariff_association, approval, active, version, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id`,
		ownerOrgID, d.Name, string(d.Kind), d.Description, d.Capacity, nullString(d.CommuneCode), d.Address,
		lat, lon, d.Accessibility, d.Rules, string(d.Unit), cents(d.Tariffs.Own), cents(d.Tariffs.Convention),
		cents(d.Tariffs.OtherCommune), cents(d.Tariffs.Association), string(d.Approval), d.Active, now, now).Scan(&id)
	if err != nil {
		if errors.Is(store.MapError(err), store.ErrConflict) {
			return 0, validate.FieldError{Field: "name", Message: "votre organisme a déjà un équipement de ce nom " + validate.Quote(d.Name)}
		}
		return 0, store.MapError(err)
	}
	return id, audit.Record(ctx, tx, actor.Audit(ownerOrgID, "equipment.create", "equipment", strconv.FormatInt(id, 10), d))
}

// Update replaces the details of a piece of equipment; the actor must
// write for its owner, and version must be the one read (optimistic
// concurrency: a stale version is store.ErrConflict). Deactivating
// equipment that has bookings to come is refused with their list
// (*AffectedError); UpdateWithdrawing confirms their cancellation.
func (s *Service) Update(ctx context.Context, actor auth.Actor, id, version int64, d Details) (Equipment, error) {
	e, _, err := s.UpdateWithdrawing(ctx, actor, id, version, d, Withdrawal{})
	return e, err
}

// UpdateWithdrawing is Update, and when it deactivates the equipment it
// cancels the bookings to come if w confirms it, with w's reason; it
// returns them as cancelled. See Withdrawal.
func (s *Service) UpdateWithdrawing(ctx context.Context, actor auth.Actor, id, version int64, d Details, w Withdrawal) (Equipment, []Booking, error) {
	cur, err := s.Get(ctx, id)
	if err != nil {
		return Equipment{}, nil, err
	}
	if err := auth.Authorize(actor, auth.Write, cur.OwnerOrgID); err != nil {
		return Equipment{}, nil, fmt.Errorf("equipment: update %d: %w", id, err)
	}
	var errs validate.Errors
	d, err = d.normalize()
	errs.Check(err)
	checkWithdrawal(&errs, &w, true)
	if err := errs.Err(); err != nil {
		return Equipment{}, nil, err
	}
	var cancelled []Booking
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		now := s.clock()
		if err := s.update(ctx, tx, cur, version, d, now); err != nil {
			return err
		}
		detail := map[string]any{"from_version": version, "details": d}
		entries := []audit.Entry{actor.Audit(cur.OwnerOrgID, "equipment.update", "equipment", strconv.FormatInt(id, 10), detail)}
		if !d.Active && cur.Active {
			// Read after the update: on PostgreSQL the updated row waits
			// for the bookings being written to commit, and this sees them.
			bs, err := s.affected(ctx, tx, id, now, time.Time{}, now, true)
			if err != nil {
				return err
			}
			more, err := s.withdraw(ctx, tx, actor, bs, w, "Retirer cet équipement de la réservation", "equipment.deactivate", now)
			if err != nil {
				return err
			}
			cancelled, detail["cancelled_bookings"] = bs, len(bs)
			entries = append(entries, more...)
		}
		for _, e := range entries {
			if err := audit.Record(ctx, tx, e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Equipment{}, nil, fmt.Errorf("equipment: update %d: %w", id, err)
	}
	e, err := s.Get(ctx, id)
	return e, cancelled, err
}

// update writes new details; the caller records them in the audit log.
func (s *Service) update(ctx context.Context, tx *store.Tx, cur Equipment, version int64, d Details, now time.Time) error {
	if err := checkCommune(ctx, tx, d.CommuneCode); err != nil {
		return err
	}
	lat, lon := coords(d.Coordinates)
	res, err := tx.ExecContext(ctx, `UPDATE equipment SET name = ?, kind = ?, description = ?, capacity = ?,
		commune_code = ?, address = ?, lat = ?, lon = ?, accessibility = ?, rules = ?, unit = ?, tariff_own = ?,
		tariff_convention = ?, tariff_other_commune = ?, tariff_association = ?, approval = ?, active = ?,
		version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
		d.Name, string(d.Kind), d.Description, d.Capacity, nullString(d.CommuneCode), d.Address, lat, lon,
		d.Accessibility, d.Rules, string(d.Unit), cents(d.Tariffs.Own), cents(d.Tariffs.Convention),
		cents(d.Tariffs.OtherCommune), cents(d.Tariffs.Association), string(d.Approval), d.Active, now,
		cur.ID, version)
	if err != nil {
		if errors.Is(err, store.ErrConflict) {
			return validate.FieldError{Field: "name", Message: "votre organisme a déjà un équipement de ce nom " + validate.Quote(d.Name)}
		}
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("%w: l'équipement a été modifié entre-temps (version %d, vous aviez la %d)", store.ErrConflict, cur.Version, version)
	}
	return nil
}

func checkCommune(ctx context.Context, q store.Querier, code string) error {
	if code == "" {
		return nil
	}
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM communes WHERE code = ?`, code).Scan(&n); err != nil {
		return fmt.Errorf("equipment: commune %s: %w", code, store.MapError(err))
	}
	if n == 0 {
		return validate.FieldError{Field: "commune_code", Message: "aucune commune n'a le code Insee " + validate.Quote(code)}
	}
	return nil
}

func coords(p *territory.Point) (lat, lon any) {
	if p == nil {
		return nil, nil
	}
	return p.Lat, p.Lon
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// Query selects equipment in the catalogue. Zero fields select everything.
type Query struct {
	Kind       Kind
	Text       string // part of the name, the description or the owner's name
	OwnerOrgID int64
	// Near and Km select equipment within Km kilometres of the commune Near
	// (INSEE code), nearest first, measured from the equipment's own
	// coordinates or else its commune's point.
	Near            string
	Km              float64
	IncludeInactive bool
	Limit           int // default 50, at most 500
}

// MaxKm is the largest search radius.
const MaxKm = 200

// Search lists the catalogue. It is public.
func (s *Service) Search(ctx context.Context, q Query) ([]Equipment, error) {
	if q.Limit <= 0 {
		q.Limit = 50
	}
	q.Limit = min(q.Limit, 500)
	var conds []string
	var args []any
	if q.Kind != "" {
		if !q.Kind.Valid() {
			return nil, validate.FieldError{Field: "kind", Message: fmt.Sprintf("%s n'est pas un type d'équipement (%s)", validate.Quote(string(q.Kind)), kindList())}
		}
		conds, args = append(conds, "e.kind = ?"), append(args, string(q.Kind))
	}
	if q.OwnerOrgID != 0 {
		conds, args = append(conds, "e.owner_org_id = ?"), append(args, q.OwnerOrgID)
	}
	if !q.IncludeInactive {
		conds = append(conds, "e.active = TRUE")
	}
	if t := strings.TrimSpace(q.Text); t != "" {
		like := "%" + strings.ToLower(escapeLike(t)) + "%"
		conds = append(conds, `(LOWER(e.name) LIKE ? ESCAPE '\' OR LOWER(e.description) LIKE ? ESCAPE '\' OR LOWER(o.name) LIKE ? ESCAPE '\')`)
		args = append(args, like, like, like)
	}
	var center territory.Point
	near := q.Near != ""
	if near {
		if !(q.Km > 0) || q.Km > MaxKm || math.IsNaN(q.Km) {
			return nil, validate.FieldError{Field: "km", Message: fmt.Sprintf("la distance est un nombre de kilomètres entre 1 et %d", MaxKm)}
		}
		var lat, lon *float64
		err := s.db.Reader().QueryRowContext(ctx, `SELECT lat, lon FROM communes WHERE code = ?`, q.Near).Scan(&lat, &lon)
		switch {
		case isNotFound(err):
			return nil, validate.FieldError{Field: "near", Message: "aucune commune n'a le code Insee " + validate.Quote(q.Near)}
		case err != nil:
			return nil, fmt.Errorf("equipment: search near %s: %w", q.Near, err)
		case lat == nil || lon == nil:
			return nil, validate.FieldError{Field: "near", Message: "la position de cette commune n'est pas connue : la recherche par distance est impossible"}
		}
		center = territory.Point{Lat: *lat, Lon: *lon}
		// A bounding box first, in SQL; the exact great-circle distance after.
		dLat := q.Km / 111.0
		dLon := q.Km / (111.0 * math.Max(math.Cos(center.Lat*math.Pi/180), 0.01))
		conds = append(conds, `COALESCE(e.lat, c.lat) BETWEEN ? AND ?`, `COALESCE(e.lon, c.lon) BETWEEN ? AND ?`)
		args = append(args, center.Lat-dLat, center.Lat+dLat, center.Lon-dLon, center.Lon+dLon)
	}
	query := `SELECT ` + equipmentColumns + `, COALESCE(e.lat, c.lat), COALESCE(e.lon, c.lon)` + equipmentFrom
	if len(conds) > 0 {
		query += " WHERE " + strings.Join(conds, " AND ")
	}
	query += " ORDER BY e.name, e.id"
	if !near {
		query += fmt.Sprintf(" LIMIT %d", q.Limit)
	}
	rows, err := s.db.Reader().QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("equipment: search: %w", err)
	}
	defer rows.Close()
	var out []Equipment
	for rows.Next() {
		var lat, lon *float64
		e, err := scanEquipment(rows, &lat, &lon)
		if err != nil {
			return nil, fmt.Errorf("equipment: search: %w", err)
		}
		if near {
			if lat == nil || lon == nil {
				continue
			}
			d := territory.Distance(center, territory.Point{Lat: *lat, Lon: *lon})
			if d > q.Km {
				continue
			}
			e.DistanceKm = &d
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("equipment: search: %w", err)
	}
	if near {
		slices.SortStableFunc(out, func(a, b Equipment) int {
			switch {
			case *a.DistanceKm < *b.DistanceKm:
				return -1
			case *a.DistanceKm > *b.DistanceKm:
				return 1
			}
			return 0
		})
		if len(out) > q.Limit {
			out = out[:q.Limit]
		}
	}
	return out, nil
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func cents(c *money.Cents) any {
	if c == nil {
		return nil
	}
	return int64(*c)
}
