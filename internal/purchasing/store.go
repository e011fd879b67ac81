package purchasing

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"voisines/internal/agreement"
	"voisines/internal/civil"
	"voisines/internal/money"
	"voisines/internal/store"
)

const groupColumns = `g.id, g.agreement_id, a.reference, a.title, a.status, g.title, g.main_nature, g.status,
	g.launch_date, g.procedure_json, g.version, g.created_at, g.updated_at`

const groupFrom = ` FROM purchasing_groups g JOIN agreements a ON a.id = g.agreement_id`

// loadGroup reads group id in full: members, lots with their totals, every
// need and every award. The caller redacts it for the viewer.
func loadGroup(ctx context.Context, q store.Querier, id int64) (Group, error) {
	var g Group
	var procedure sql.NullString
	var agrStatus, nature, status string
	err := q.QueryRowContext(ctx, `SELECT `+groupColumns+groupFrom+` WHERE g.id = ?`, id).Scan(
		&g.ID, &g.AgreementID, &g.AgreementReference, &g.AgreementTitle, &agrStatus, &g.Title, &nature, &status,
		&g.LaunchDate, &procedure, &g.Version, &g.CreatedAt, &g.UpdatedAt)
	if err != nil {
		return Group{}, fmt.Errorf("group %d: %w", id, store.MapError(err))
	}
	g.AgreementStatus, g.MainNature, g.Status = agreement.Status(agrStatus), Nature(nature), Status(status)
	g.CreatedAt, g.UpdatedAt = g.CreatedAt.UTC(), g.UpdatedAt.UTC()
	if procedure.Valid {
		var p Procedure
		if err := json.Unmarshal([]byte(procedure.String), &p); err != nil {
			return Group{}, fmt.Errorf("group %d: procedure: %w", id, err)
		}
		g.Procedure = &p
	}
	if g.Coordinator, g.Members, err = loadMembers(ctx, q, g.AgreementID); err != nil {
		return Group{}, err
	}
	if g.Lots, err = loadLots(ctx, q, id); err != nil {
		return Group{}, err
	}
	if g.Needs, err = loadNeeds(ctx, q, id); err != nil {
		return Group{}, err
	}
	for i := range g.Lots {
		for _, n := range g.Needs {
			if n.LotID == g.Lots[i].ID {
				g.Lots[i].Total += n.Amount
			}
		}
	}
	if g.Awards, err = loadAwards(ctx, q, id); err != nil {
		return Group{}, err
	}
	return g, nil
}

// loadMembers reads the current parties of convention agreementID holding
// the roles of a group: the coordinator, and every member with the
// coordinator first, then by name.
func loadMembers(ctx context.Context, q store.Querier, agreementID int64) (Member, []Member, error) {
	rows, err := q.QueryContext(ctx, `SELECT p.role, o.id, o.name, COALESCE(o.siren, c.siren, o.epci_siren, ''), o.kind,
		COALESCE(o.commune_code, '')
		FROM agreement_parties p JOIN organisations o ON o.id = p.org_id LEFT JOIN communes c ON c.code = o.commune_code
		WHERE p.agreement_id = ? AND p.is_current = TRUE AND p.role IN (?, ?)
		ORDER BY CASE WHEN p.role = ? THEN 0 ELSE 1 END, o.name, o.id`,
		agreementID, string(agreement.RoleCoordinator), string(agreement.RoleMember), string(agreement.RoleCoordinator))
	if err != nil {
		return Member{}, nil, fmt.Errorf("members of convention %d: %w", agreementID, err)
	}
	defer rows.Close()
	var coord Member
	var members []Member
	for rows.Next() {
		var m Member
		var role, kind string
		if err := rows.Scan(&role, &m.OrgID, &m.Name, &m.SIREN, &kind, &m.CommuneCode); err != nil {
			return Member{}, nil, fmt.Errorf("members of convention %d: %w", agreementID, err)
		}
		m.Role, m.Kind = agreement.Role(role), agreement.OrgKind(kind)
		if slices.ContainsFunc(members, func(x Member) bool { return x.OrgID == m.OrgID }) {
			continue // a coordinator also listed as member
		}
		if m.Role == agreement.RoleCoordinator && coord.OrgID == 0 {
			coord = m
		}
		members = append(members, m)
	}
	return coord, members, rows.Err()
}

func loadLots(ctx context.Context, q store.Querier, groupID int64) ([]Lot, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, number, label, cpv, nature, duration_months, framework
		FROM purchasing_lots WHERE group_id = ? ORDER BY number`, groupID)
	if err != nil {
		return nil, fmt.Errorf("lots of group %d: %w", groupID, err)
	}
	defer rows.Close()
	var out []Lot
	for rows.Next() {
		var l Lot
		var nature string
		if err := rows.Scan(&l.ID, &l.Number, &l.Label, &l.CPV, &nature, &l.DurationMonths, &l.Framework); err != nil {
			return nil, fmt.Errorf("lots of group %d: %w", groupID, err)
		}
		l.Nature = Nature(nature)
		out = append(out, l)
	}
	return out, rows.Err()
}

func loadNeeds(ctx context.Context, q store.Querier, groupID int64) ([]Need, error) {
	rows, err := q.QueryContext(ctx, `SELECT n.lot_id, n.org_id, n.amount, n.yearly, n.years, n.previous_cost, n.version,
		n.updated_at, n.updated_by_name
		FROM purchasing_needs n JOIN purchasing_lots l ON l.id = n.lot_id
		WHERE l.group_id = ? ORDER BY l.number, n.org_id`, groupID)
	if err != nil {
		return nil, fmt.Errorf("needs of group %d: %w", groupID, err)
	}
	defer rows.Close()
	var out []Need
	for rows.Next() {
		var n Need
		var yearly, previous sql.NullInt64
		var years sql.NullInt64
		if err := rows.Scan(&n.LotID, &n.OrgID, &n.Amount, &yearly, &years, &previous, &n.Version, &n.UpdatedAt, &n.UpdatedBy); err != nil {
			return nil, fmt.Errorf("needs of group %d: %w", groupID, err)
		}
		n.Yearly, n.PreviousCost, n.Years = centsPtr(yearly), centsPtr(previous), int(years.Int64)
		n.UpdatedAt = n.UpdatedAt.UTC()
		out = append(out, n)
	}
	return out, rows.Err()
}

func loadAwards(ctx context.Context, q store.Querier, groupID int64) ([]Award, error) {
	rows, err := q.QueryContext(ctx, `SELECT w.lot_id, w.supplier, w.supplier_siren, w.awarded_on, w.unit_prices, w.version, w.updated_at
		FROM purchasing_awards w JOIN purchasing_lots l ON l.id = w.lot_id
		WHERE l.group_id = ? ORDER BY l.number`, groupID)
	if err != nil {
		return nil, fmt.Errorf("awards of group %d: %w", groupID, err)
	}
	var out []Award
	for rows.Next() {
		var a Award
		var units string
		if err := rows.Scan(&a.LotID, &a.Supplier, &a.SupplierSIREN, &a.AwardedOn, &units, &a.Version, &a.UpdatedAt); err != nil {
			rows.Close()
			return nil, fmt.Errorf("awards of group %d: %w", groupID, err)
		}
		if err := json.Unmarshal([]byte(units), &a.UnitPrices); err != nil {
			rows.Close()
			return nil, fmt.Errorf("awards of group %d: unit prices: %w", groupID, err)
		}
		a.UpdatedAt = a.UpdatedAt.UTC()
		out = append(out, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	prices, err := q.QueryContext(ctx, `SELECT p.lot_id, p.org_id, p.amount, p.quantities
		FROM purchasing_award_prices p JOIN purchasing_lots l ON l.id = p.lot_id
		WHERE l.group_id = ? ORDER BY p.lot_id, p.org_id`, groupID)
	if err != nil {
		return nil, fmt.Errorf("award prices of group %d: %w", groupID, err)
	}
	defer prices.Close()
	for prices.Next() {
		var lot int64
		var p MemberPrice
		var qty string
		if err := prices.Scan(&lot, &p.OrgID, &p.Amount, &qty); err != nil {
			return nil, fmt.Errorf("award prices of group %d: %w", groupID, err)
		}
		if err := json.Unmarshal([]byte(qty), &p.Quantities); err != nil {
			return nil, fmt.Errorf("award prices of group %d: quantities: %w", groupID, err)
		}
		if i := slices.IndexFunc(out, func(a Award) bool { return a.LotID == lot }); i >= 0 {
			out[i].Prices = append(out[i].Prices, p)
		}
	}
	return out, prices.Err()
}

func centsPtr(v sql.NullInt64) *money.Cents {
	if !v.Valid {
		return nil
	}
	c := money.Cents(v.Int64)
	return &c
}

func nullCents(c *money.Cents) any {
	if c == nil {
		return nil
	}
	return int64(*c)
}

// groupOfAgreement returns the group of convention agreementID.
func groupOfAgreement(ctx context.Context, q store.Querier, agreementID int64) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, `SELECT id FROM purchasing_groups WHERE agreement_id = ?`, agreementID).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("group of convention %d: %w", agreementID, store.MapError(err))
	}
	return id, nil
}

func insertGroup(ctx context.Context, tx *store.Tx, agreementID int64, title string, nature Nature, now time.Time, by int64) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO purchasing_groups (agreement_id, title, main_nature, status, version, created_at, updated_at, created_by)
		VALUES (?, ?, ?, 'preparing', 1, ?, ?, ?) RETURNING id`, agreementID, title, string(nature), now, now, nullID(by)).Scan(&id)
	if err != nil {
		if errors.Is(store.MapError(err), store.ErrConflict) {
			return 0, conflict("la convention a déjà un groupement")
		}
		return 0, fmt.Errorf("insert group: %w", store.MapError(err))
	}
	return id, nil
}

// bumpGroup moves group id from version to version + 1; store.ErrConflict
// when someone else moved it first.
func bumpGroup(ctx context.Context, tx *store.Tx, id, version int64, now time.Time) error {
	res, err := tx.ExecContext(ctx, `UPDATE purchasing_groups SET version = version + 1, updated_at = ? WHERE id = ? AND version = ?`, now, id, version)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return conflict("le groupement a été modifié entre-temps (vous aviez la version %d) : rechargez la page", version)
	}
	return nil
}

// touchGroup moves group id to a new version whatever it was (a need
// changed: a launch prepared on the old needs must be looked at again).
func touchGroup(ctx context.Context, tx *store.Tx, id int64, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE purchasing_groups SET version = version + 1, updated_at = ? WHERE id = ?`, now, id)
	return err
}

func updateGroupDetails(ctx context.Context, tx *store.Tx, id int64, title string, nature Nature) error {
	_, err := tx.ExecContext(ctx, `UPDATE purchasing_groups SET title = ?, main_nature = ? WHERE id = ?`, title, string(nature), id)
	return err
}

func insertLot(ctx context.Context, tx *store.Tx, groupID int64, l LotInput) (int64, int, error) {
	var number int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(number), 0) + 1 FROM purchasing_lots WHERE group_id = ?`, groupID).Scan(&number); err != nil {
		return 0, 0, err
	}
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO purchasing_lots (group_id, number, label, cpv, nature, duration_months, framework)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, groupID, number, l.Label, l.CPV, string(l.Nature), l.DurationMonths, l.Framework).Scan(&id)
	if err != nil {
		return 0, 0, fmt.Errorf("insert lot: %w", store.MapError(err))
	}
	return id, number, nil
}

func updateLot(ctx context.Context, tx *store.Tx, id int64, l LotInput) error {
	_, err := tx.ExecContext(ctx, `UPDATE purchasing_lots SET label = ?, cpv = ?, nature = ?, duration_months = ?, framework = ? WHERE id = ?`,
		l.Label, l.CPV, string(l.Nature), l.DurationMonths, l.Framework, id)
	return err
}

func deleteLot(ctx context.Context, tx *store.Tx, id int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM purchasing_needs WHERE lot_id = ?`, id); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM purchasing_lots WHERE id = ?`, id)
	return err
}

// saveNeed writes need n from version (0: a new line); it returns the new
// version, or store.ErrConflict when the line moved meanwhile.
func saveNeed(ctx context.Context, tx *store.Tx, n Need, version int64, now time.Time, by int64, byName string) (int64, error) {
	var years any
	if n.Yearly != nil {
		years = n.Years
	}
	if version == 0 {
		_, err := tx.ExecContext(ctx, `INSERT INTO purchasing_needs (lot_id, org_id, amount, yearly, years, previous_cost, version,
			updated_at, updated_by, updated_by_name) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?)`,
			n.LotID, n.OrgID, int64(n.Amount), nullCents(n.Yearly), years, nullCents(n.PreviousCost), now, nullID(by), byName)
		if errors.Is(store.MapError(err), store.ErrConflict) {
			return 0, conflict("ce besoin vient d'être saisi par quelqu'un d'autre : rechargez la page")
		}
		return 1, err
	}
	res, err := tx.ExecContext(ctx, `UPDATE purchasing_needs SET amount = ?, yearly = ?, years = ?, previous_cost = ?,
		version = version + 1, updated_at = ?, updated_by = ?, updated_by_name = ? WHERE lot_id = ? AND org_id = ? AND version = ?`,
		int64(n.Amount), nullCents(n.Yearly), years, nullCents(n.PreviousCost), now, nullID(by), byName, n.LotID, n.OrgID, version)
	if err != nil {
		return 0, err
	}
	if k, _ := res.RowsAffected(); k == 0 {
		return 0, conflict("ce besoin a été modifié entre-temps (vous aviez la version %d)", version)
	}
	return version + 1, nil
}

func deleteNeed(ctx context.Context, tx *store.Tx, lotID, orgID, version int64) error {
	res, err := tx.ExecContext(ctx, `DELETE FROM purchasing_needs WHERE lot_id = ? AND org_id = ? AND version = ?`, lotID, orgID, version)
	if err != nil {
		return err
	}
	if k, _ := res.RowsAffected(); k == 0 {
		return conflict("ce besoin a été modifié entre-temps (vous aviez la version %d)", version)
	}
	return nil
}

func saveLaunch(ctx context.Context, tx *store.Tx, id int64, date civil.Date, p Procedure) error {
	doc, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("encode procedure: %w", err)
	}
	_, err = tx.ExecContext(ctx, `UPDATE purchasing_groups SET status = 'launched', launch_date = ?, procedure_json = ? WHERE id = ?`,
		date, string(doc), id)
	return err
}

// saveAward writes the award of a lot from version (0: the first) with its
// prices; store.ErrConflict when it moved meanwhile.
func saveAward(ctx context.Context, tx *store.Tx, a Award, version int64, now time.Time, by int64) (int64, error) {
	units, err := json.Marshal(orEmpty(a.UnitPrices))
	if err != nil {
		return 0, err
	}
	if version == 0 {
		_, err = tx.ExecContext(ctx, `INSERT INTO purchasing_awards (lot_id, supplier, supplier_siren, awarded_on, unit_prices, version, updated_at, updated_by)
			VALUES (?, ?, ?, ?, ?, 1, ?, ?)`, a.LotID, a.Supplier, a.SupplierSIREN, a.AwardedOn, string(units), now, nullID(by))
		if errors.Is(store.MapError(err), store.ErrConflict) {
			return 0, conflict("ce lot vient d'être attribué par quelqu'un d'autre : rechargez la page")
		}
		if err != nil {
			return 0, err
		}
	} else {
		res, err := tx.ExecContext(ctx, `UPDATE purchasing_awards SET supplier = ?, supplier_siren = ?, awarded_on = ?, unit_prices = ?,
			version = version + 1, updated_at = ?, updated_by = ? WHERE lot_id = ? AND version = ?`,
			a.Supplier, a.SupplierSIREN, a.AwardedOn, string(units), now, nullID(by), a.LotID, version)
		if err != nil {
			return 0, err
		}
		if k, _ := res.RowsAffected(); k == 0 {
			return 0, conflict("l'attribution du lot a été modifiée entre-temps (vous aviez la version %d)", version)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM purchasing_award_prices WHERE lot_id = ?`, a.LotID); err != nil {
			return 0, err
		}
	}
	for _, p := range a.Prices {
		qty, err := json.Marshal(orEmpty(p.Quantities))
		if err != nil {
			return 0, err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO purchasing_award_prices (lot_id, org_id, amount, quantities) VALUES (?, ?, ?, ?)`,
			a.LotID, p.OrgID, int64(p.Amount), string(qty)); err != nil {
			return 0, err
		}
	}
	return version + 1, nil
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// listSummaries lists the groups one of orgs is a member of (every group
// when all), newest first.
func listSummaries(ctx context.Context, q store.Querier, orgs []int64, all bool) ([]Summary, error) {
	where := ""
	var args []any
	if !all {
		if len(orgs) == 0 {
			return nil, nil
		}
		marks := strings.TrimSuffix(strings.Repeat("?, ", len(orgs)), ", ")
		where = ` WHERE g.agreement_id IN (SELECT p.agreement_id FROM agreement_parties p WHERE p.is_current = TRUE
			AND p.role IN ('coordonnateur', 'membre') AND p.org_id IN (` + marks + `))`
		for _, o := range orgs {
			args = append(args, o)
		}
	}
	rows, err := q.QueryContext(ctx, `SELECT g.id, g.title, g.agreement_id, a.reference, g.status, g.launch_date, g.procedure_json,
		COALESCE((SELECT o.id FROM agreement_parties p JOIN organisations o ON o.id = p.org_id
			WHERE p.agreement_id = g.agreement_id AND p.is_current = TRUE AND p.role = 'coordonnateur' ORDER BY o.id LIMIT 1), 0),
		COALESCE((SELECT o.name FROM agreement_parties p JOIN organisations o ON o.id = p.org_id
			WHERE p.agreement_id = g.agreement_id AND p.is_current = TRUE AND p.role = 'coordonnateur' ORDER BY o.id LIMIT 1), ''),
		(SELECT COUNT(*) FROM purchasing_lots l WHERE l.group_id = g.id)`+groupFrom+where+` ORDER BY g.id DESC LIMIT 500`, args...)
	if err != nil {
		return nil, fmt.Errorf("list groups: %w", err)
	}
	defer rows.Close()
	var out []Summary
	for rows.Next() {
		var s Summary
		var status string
		var procedure sql.NullString
		if err := rows.Scan(&s.ID, &s.Title, &s.AgreementID, &s.AgreementReference, &status, &s.LaunchDate, &procedure,
			&s.CoordinatorID, &s.Coordinator, &s.Lots); err != nil {
			return nil, fmt.Errorf("list groups: %w", err)
		}
		s.Status = Status(status)
		if procedure.Valid {
			var p struct {
				Kind ProcedureKind `json:"kind"`
			}
			if err := json.Unmarshal([]byte(procedure.String), &p); err == nil {
				s.Procedure = p.Kind
			}
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
