package service

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"voisines/internal/agreement"
	"voisines/internal/store"
	"voisines/internal/usage"
)

const serviceColumns = `id, agreement_id, provider_org_id, name, description, unit, weights, rounding,
	round_unit_cost_first, charge_against_ac, version, created_at, updated_at`

func scanService(row interface{ Scan(...any) error }) (Service, error) {
	var s Service
	var weights string
	err := row.Scan(&s.ID, &s.AgreementID, &s.Provider.OrgID, &s.Name, &s.Description, &s.Unit, &weights, &s.Rounding,
		&s.RoundUnitCostFirst, &s.ChargeAgainstAC, &s.Version, &s.CreatedAt, &s.UpdatedAt)
	if err != nil {
		return Service{}, store.MapError(err)
	}
	if err := json.Unmarshal([]byte(weights), &s.Weights); err != nil {
		return Service{}, fmt.Errorf("service %d: weights: %w", s.ID, err)
	}
	if len(s.Weights) == 0 {
		s.Weights = nil
	}
	s.CreatedAt, s.UpdatedAt = s.CreatedAt.UTC(), s.UpdatedAt.UTC()
	return s, nil
}

func getService(ctx context.Context, q store.Querier, id int64) (Service, error) {
	s, err := scanService(q.QueryRowContext(ctx, `SELECT `+serviceColumns+` FROM services WHERE id = ?`, id))
	if err != nil {
		return Service{}, fmt.Errorf("service %d: %w", id, err)
	}
	return s, nil
}

func serviceOfAgreement(ctx context.Context, q store.Querier, agreementID int64) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, `SELECT id FROM services WHERE agreement_id = ?`, agreementID).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("service of agreement %d: %w", agreementID, store.MapError(err))
	}
	return id, nil
}

func weightsJSON(ws []ActWeight) (string, error) {
	if ws == nil {
		ws = []ActWeight{}
	}
	b, err := json.Marshal(ws)
	return string(b), err
}

func insertService(ctx context.Context, tx *store.Tx, s *Service, userID int64) error {
	weights, err := weightsJSON(s.Weights)
	if err != nil {
		return err
	}
	err = tx.QueryRowContext(ctx, `INSERT INTO services (agreement_id, provider_org_id, name, description, unit, weights,
		rounding, round_unit_cost_first, charge_against_ac, version, created_at, updated_at, updated_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?) RETURNING id`,
		s.AgreementID, s.Provider.OrgID, s.Name, s.Description, string(s.Unit), weights, string(s.Rounding),
		s.RoundUnitCostFirst, s.ChargeAgainstAC, s.CreatedAt, s.UpdatedAt, nullID(userID)).Scan(&s.ID)
	return store.MapError(err)
}

// updateService writes s's details if the stored version is version, and
// returns the new version; store.ErrConflict when stale.
func updateService(ctx context.Context, tx *store.Tx, s Service, version, userID int64) (int64, error) {
	weights, err := weightsJSON(s.Weights)
	if err != nil {
		return 0, err
	}
	res, err := tx.ExecContext(ctx, `UPDATE services SET name = ?, description = ?, unit = ?, weights = ?, rounding = ?,
		round_unit_cost_first = ?, charge_against_ac = ?, version = version + 1, updated_at = ?, updated_by = ?
		WHERE id = ? AND version = ?`,
		s.Name, s.Description, string(s.Unit), weights, string(s.Rounding), s.RoundUnitCostFirst, s.ChargeAgainstAC,
		s.UpdatedAt, nullID(userID), s.ID, version)
	if err != nil {
		return 0, store.MapError(err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return 0, err
	} else if n == 0 {
		return 0, fmt.Errorf("%w: le service a été modifié par ailleurs (vous éditiez la version %d)", store.ErrConflict, version)
	}
	return version + 1, nil
}

// inList returns "?, ?, ?" for n values.
func inList(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

func listSummaries(ctx context.Context, q store.Querier, orgs []int64) ([]Summary, error) {
	args := []any{true}
	for _, o := range orgs {
		args = append(args, o)
	}
	rows, err := q.QueryContext(ctx, `SELECT s.id, s.name, s.unit, s.agreement_id, a.reference, a.title, a.kind,
		s.provider_org_id, o.name, p.org_id
		FROM services s
		JOIN agreements a ON a.id = s.agreement_id
		JOIN organisations o ON o.id = s.provider_org_id
		JOIN (SELECT DISTINCT agreement_id, org_id FROM agreement_parties WHERE is_current = ? AND org_id IN (`+inList(len(orgs))+`)) p
			ON p.agreement_id = s.agreement_id
		ORDER BY s.name, s.id, p.org_id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Summary{}
	for rows.Next() {
		var x Summary
		if err := rows.Scan(&x.ID, &x.Name, &x.Unit, &x.AgreementID, &x.AgreementReference, &x.AgreementTitle, &x.Kind,
			&x.ProviderOrgID, &x.ProviderName, &x.OrgID); err != nil {
			return nil, err
		}
		x.Provides = x.OrgID == x.ProviderOrgID
		out = append(out, x)
	}
	return out, rows.Err()
}

func listAll(ctx context.Context, q store.Querier) ([]Summary, error) {
	rows, err := q.QueryContext(ctx, `SELECT s.id, s.name, s.unit, s.agreement_id, a.reference, a.title, a.kind,
		s.provider_org_id, o.name FROM services s
		JOIN agreements a ON a.id = s.agreement_id
		JOIN organisations o ON o.id = s.provider_org_id
		ORDER BY s.name, s.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Summary{}
	for rows.Next() {
		var x Summary
		if err := rows.Scan(&x.ID, &x.Name, &x.Unit, &x.AgreementID, &x.AgreementReference, &x.AgreementTitle, &x.Kind,
			&x.ProviderOrgID, &x.ProviderName); err != nil {
			return nil, err
		}
		x.OrgID, x.Provides = x.ProviderOrgID, true
		out = append(out, x)
	}
	return out, rows.Err()
}

// candidateAgreements returns the conventions of the kinds providers
// names with no service yet, not ended, whose provider (the party holding
// the kind's provider role) is a current party among orgs (any when all),
// newest first, at most limit of them.
func candidateAgreements(ctx context.Context, q store.Querier, providers map[agreement.Kind]agreement.Role, orgs []int64, all bool, limit int) ([]int64, error) {
	var kinds []any
	var roles []string
	var roleArgs []any
	for _, k := range slices.Sorted(maps.Keys(providers)) {
		r := providers[k]
		kinds = append(kinds, string(k))
		roles = append(roles, `(a.kind = ? AND p.role = ?)`)
		roleArgs = append(roleArgs, string(k), string(r))
	}
	if len(kinds) == 0 || !all && len(orgs) == 0 {
		return nil, nil
	}
	args := kinds
	query := `SELECT a.id FROM agreements a WHERE a.kind IN (` + inList(len(kinds)) + `)
		AND a.status NOT IN ('expiree', 'resiliee')
		AND NOT EXISTS (SELECT 1 FROM services s WHERE s.agreement_id = a.id)
		AND EXISTS (SELECT 1 FROM agreement_parties p WHERE p.agreement_id = a.id AND p.is_current = ?
			AND (` + strings.Join(roles, " OR ") + `)`
	args = append(append(args, true), roleArgs...)
	if !all {
		query += ` AND p.org_id IN (` + inList(len(orgs)) + `)`
		for _, o := range orgs {
			args = append(args, o)
		}
	}
	args = append(args, limit)
	rows, err := q.QueryContext(ctx, query+`) ORDER BY a.id DESC LIMIT ?`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

func loadYear(ctx context.Context, q store.Querier, serviceID int64, year int) (Year, error) {
	y := Year{ServiceID: serviceID, Year: year}
	var units string
	err := q.QueryRowContext(ctx, `SELECT source, budget_update, budget_update_reason, forecast_units, version, updated_at
		FROM service_years WHERE service_id = ? AND year = ?`, serviceID, year).Scan(
		&y.Source, &y.BudgetUpdate, &y.BudgetUpdateReason, &units, &y.Version, &y.UpdatedAt)
	if err != nil {
		return Year{}, fmt.Errorf("service %d year %d: %w", serviceID, year, store.MapError(err))
	}
	if err := y.ForecastUnits.UnmarshalText([]byte(units)); err != nil {
		return Year{}, fmt.Errorf("service %d year %d: forecast units: %w", serviceID, year, err)
	}
	y.UpdatedAt = y.UpdatedAt.UTC()
	rows, err := q.QueryContext(ctx, `SELECT category, label, amount, eligible, reason FROM service_cost_lines
		WHERE service_id = ? AND year = ? ORDER BY position`, serviceID, year)
	if err != nil {
		return Year{}, err
	}
	defer rows.Close()
	for rows.Next() {
		var l CostLine
		if err := rows.Scan(&l.Category, &l.Label, &l.Amount, &l.Eligible, &l.Reason); err != nil {
			return Year{}, err
		}
		y.Lines = append(y.Lines, l)
	}
	return y, rows.Err()
}

// saveYear writes y (its lines replaced as a whole) if the stored version
// is version (0: no year yet) and returns the new version.
func saveYear(ctx context.Context, tx *store.Tx, y Year, version, userID int64) (int64, error) {
	units, _ := y.ForecastUnits.MarshalText()
	if version == 0 {
		_, err := tx.ExecContext(ctx, `INSERT INTO service_years (service_id, year, source, budget_update, budget_update_reason,
			forecast_units, version, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)`,
			y.ServiceID, y.Year, y.Source, y.BudgetUpdate, y.BudgetUpdateReason, string(units), y.UpdatedAt, nullID(userID))
		if err := store.MapError(err); err != nil {
			return 0, fmt.Errorf("%w: les dépenses de %d sont déjà saisies : modifiez-les", store.ErrConflict, y.Year)
		}
	} else {
		res, err := tx.ExecContext(ctx, `UPDATE service_years SET source = ?, budget_update = ?, budget_update_reason = ?,
			forecast_units = ?, version = version + 1, updated_at = ?, updated_by = ? WHERE service_id = ? AND year = ? AND version = ?`,
			y.Source, y.BudgetUpdate, y.BudgetUpdateReason, string(units), y.UpdatedAt, nullID(userID), y.ServiceID, y.Year, version)
		if err != nil {
			return 0, store.MapError(err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return 0, err
		} else if n == 0 {
			return 0, fmt.Errorf("%w: les dépenses de %d ont été modifiées par ailleurs (vous éditiez la version %d)", store.ErrConflict, y.Year, version)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM service_cost_lines WHERE service_id = ? AND year = ?`, y.ServiceID, y.Year); err != nil {
			return 0, err
		}
	}
	for i, l := range y.Lines {
		if _, err := tx.ExecContext(ctx, `INSERT INTO service_cost_lines (service_id, year, position, category, label, amount, eligible, reason)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, y.ServiceID, y.Year, i+1, string(l.Category), l.Label, l.Amount, l.Eligible, l.Reason); err != nil {
			return 0, err
		}
	}
	return version + 1, nil
}

func yearNumbers(ctx context.Context, q store.Querier, serviceID int64) ([]int, error) {
	rows, err := q.QueryContext(ctx, `SELECT year FROM service_years WHERE service_id = ? ORDER BY year DESC`, serviceID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int
	for rows.Next() {
		var y int
		if err := rows.Scan(&y); err != nil {
			return nil, err
		}
		out = append(out, y)
	}
	return out, rows.Err()
}

// listNotices returns the notifications of a service's year, oldest first,
// with their recipients.
func listNotices(ctx context.Context, q store.Querier, serviceID int64, year int) ([]Notice, error) {
	rows, err := q.QueryContext(ctx, `SELECT n.id, n.notified_on, n.unit_cost, n.applied_unit_cost, n.deadline, n.late, n.note,
		n.recorded_at, n.recorded_by_name FROM service_notices n WHERE n.service_id = ? AND n.year = ?
		ORDER BY n.notified_on, n.id`, serviceID, year)
	if err != nil {
		return nil, err
	}
	var out []Notice
	for rows.Next() {
		n := Notice{ServiceID: serviceID, Year: year}
		var uc, applied string
		if err := rows.Scan(&n.ID, &n.Date, &uc, &applied, &n.Deadline, &n.Late, &n.Note, &n.RecordedAt, &n.RecordedBy); err != nil {
			rows.Close()
			return nil, err
		}
		if err := n.UnitCost.UnmarshalText([]byte(uc)); err != nil {
			rows.Close()
			return nil, err
		}
		if err := n.Applied.UnmarshalText([]byte(applied)); err != nil {
			rows.Close()
			return nil, err
		}
		n.RecordedAt = n.RecordedAt.UTC()
		if n.Late {
			n.DaysLate = n.Deadline.DaysUntil(n.Date)
		}
		out = append(out, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		rs, err := q.QueryContext(ctx, `SELECT r.org_id, o.name FROM service_notice_recipients r
			JOIN organisations o ON o.id = r.org_id WHERE r.notice_id = ? ORDER BY o.name, r.org_id`, out[i].ID)
		if err != nil {
			return nil, err
		}
		for rs.Next() {
			var r Recipient
			if err := rs.Scan(&r.OrgID, &r.Name); err != nil {
				rs.Close()
				return nil, err
			}
			out[i].Recipients = append(out[i].Recipients, r)
		}
		rs.Close()
		if err := rs.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func insertNotice(ctx context.Context, tx *store.Tx, n *Notice, userID int64) error {
	uc, _ := n.UnitCost.MarshalText()
	applied, _ := n.Applied.MarshalText()
	err := tx.QueryRowContext(ctx, `INSERT INTO service_notices (service_id, year, notified_on, unit_cost, applied_unit_cost,
		deadline, late, note, recorded_at, recorded_by, recorded_by_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		n.ServiceID, n.Year, n.Date, string(uc), string(applied), n.Deadline, n.Late, n.Note, n.RecordedAt, nullID(userID),
		n.RecordedBy).Scan(&n.ID)
	if err != nil {
		return store.MapError(err)
	}
	for _, r := range n.Recipients {
		if _, err := tx.ExecContext(ctx, `INSERT INTO service_notice_recipients (notice_id, org_id) VALUES (?, ?)`, n.ID, r.OrgID); err != nil {
			return store.MapError(err)
		}
	}
	return nil
}

// usageByID returns usage record id.
func usageByID(ctx context.Context, q store.Querier, id int64) (usage.Entry, error) {
	var source, ref string
	err := q.QueryRowContext(ctx, `SELECT source_kind, source_ref FROM usage_records WHERE id = ?`, id).Scan(&source, &ref)
	if err != nil {
		return usage.Entry{}, fmt.Errorf("usage %d: %w", id, store.MapError(err))
	}
	return usage.Get(ctx, q, usage.Source(source), ref)
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
