package staff

// The SQL of the staff tables (migration 0005_staff.sql). Functions take a
// store.Querier, so that reads run inside a write's transaction or on the
// read pool; none checks who acts.

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"voisines/internal/civil"
	"voisines/internal/money"
	"voisines/internal/store"
)

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// ---- Agents ----

const agentColumns = `a.id, a.employer_org_id, o.name, a.family_name, a.given_name, a.grade, a.status, a.version,
	a.created_at, a.updated_at FROM staff_agents a JOIN organisations o ON o.id = a.employer_org_id`

func scanAgent(row interface{ Scan(...any) error }) (Agent, error) {
	var a Agent
	err := row.Scan(&a.ID, &a.EmployerOrgID, &a.EmployerName, &a.FamilyName, &a.GivenName, &a.Grade, &a.Status, &a.Version,
		&a.CreatedAt, &a.UpdatedAt)
	a.CreatedAt, a.UpdatedAt = a.CreatedAt.UTC(), a.UpdatedAt.UTC()
	return a, err
}

func loadAgent(ctx context.Context, q store.Querier, id int64) (Agent, error) {
	a, err := scanAgent(q.QueryRowContext(ctx, `SELECT `+agentColumns+` WHERE a.id = ?`, id))
	if err != nil {
		return Agent{}, fmt.Errorf("agent %d: %w", id, store.MapError(err))
	}
	return a, nil
}

// listAgents returns the agents employed by org or seconded to it, by name.
func listAgents(ctx context.Context, q store.Querier, org int64) ([]Agent, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+agentColumns+` WHERE a.employer_org_id = ?
		OR a.id IN (SELECT agent_id FROM staff_secondments WHERE host_org_id = ?)
		ORDER BY a.family_name, a.given_name, a.id`, org, org)
	return store.Collect(rows, err, scanAgent)
}

func insertAgent(ctx context.Context, tx *store.Tx, a *Agent, by int64) error {
	return tx.QueryRowContext(ctx, `INSERT INTO staff_agents (employer_org_id, family_name, given_name, grade, status,
		version, created_at, updated_at, created_by) VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?) RETURNING id`,
		a.EmployerOrgID, a.FamilyName, a.GivenName, a.Grade, string(a.Status), a.CreatedAt, a.UpdatedAt, nullID(by)).Scan(&a.ID)
}

// updateAgent writes a over version; store.ErrConflict when the row moved on.
func updateAgent(ctx context.Context, tx *store.Tx, a *Agent, version int64) error {
	res, err := tx.ExecContext(ctx, `UPDATE staff_agents SET family_name = ?, given_name = ?, grade = ?, status = ?,
		version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
		a.FamilyName, a.GivenName, a.Grade, string(a.Status), a.UpdatedAt, a.ID, version)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return fmt.Errorf("%w: la fiche de l'agent a été modifiée entre-temps (version %d)", store.ErrConflict, version)
	}
	a.Version = version + 1
	return nil
}

// ---- Costs ----

const costColumns = `agent_id, year, gross_pay, employer_contributions, other_lines, source, version, updated_at FROM staff_agent_costs`

func scanCost(row interface{ Scan(...any) error }) (Cost, error) {
	var c Cost
	var other string
	if err := row.Scan(&c.AgentID, &c.Year, &c.GrossPay, &c.EmployerContributions, &other, &c.Source, &c.Version, &c.UpdatedAt); err != nil {
		return Cost{}, err
	}
	c.UpdatedAt = c.UpdatedAt.UTC()
	if err := json.Unmarshal([]byte(other), &c.Other); err != nil {
		return Cost{}, fmt.Errorf("cost %d/%d: other lines: %w", c.AgentID, c.Year, err)
	}
	if c.Other == nil {
		c.Other = []money.CostLine{}
	}
	return c, nil
}

func loadCost(ctx context.Context, q store.Querier, agentID int64, year int) (Cost, error) {
	c, err := scanCost(q.QueryRowContext(ctx, `SELECT `+costColumns+` WHERE agent_id = ? AND year = ?`, agentID, year))
	if err != nil {
		return Cost{}, fmt.Errorf("cost of agent %d for %d: %w", agentID, year, store.MapError(err))
	}
	return c, nil
}

func listCosts(ctx context.Context, q store.Querier, agentID int64) ([]Cost, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+costColumns+` WHERE agent_id = ? ORDER BY year DESC`, agentID)
	return store.Collect(rows, err, scanCost)
}

// saveCost inserts (version 0) or updates (over version) c.
func saveCost(ctx context.Context, tx *store.Tx, c *Cost, version, by int64) error {
	if c.Other == nil {
		c.Other = []money.CostLine{}
	}
	other, err := json.Marshal(c.Other)
	if err != nil {
		return err
	}
	if version == 0 {
		_, err := tx.ExecContext(ctx, `INSERT INTO staff_agent_costs (agent_id, year, gross_pay, employer_contributions,
			other_lines, source, version, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)`,
			c.AgentID, c.Year, c.GrossPay, c.EmployerContributions, string(other), c.Source, c.UpdatedAt, nullID(by))
		if errors.Is(err, store.ErrConflict) {
			return fmt.Errorf("%w: le coût %d de l'agent est déjà saisi : modifiez-le", store.ErrConflict, c.Year)
		}
		c.Version = 1
		return err
	}
	res, err := tx.ExecContext(ctx, `UPDATE staff_agent_costs SET gross_pay = ?, employer_contributions = ?, other_lines = ?,
		source = ?, version = version + 1, updated_at = ?, updated_by = ? WHERE agent_id = ? AND year = ? AND version = ?`,
		c.GrossPay, c.EmployerContributions, string(other), c.Source, c.UpdatedAt, nullID(by), c.AgentID, c.Year, version)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return fmt.Errorf("%w: le coût %d a été modifié entre-temps, ou n'existe pas (version %d)", store.ErrConflict, c.Year, version)
	}
	c.Version = version + 1
	return nil
}

// ---- Secondments ----

const secondmentColumns = `s.id, s.agreement_id, g.reference, g.title, s.agent_id, a.given_name, a.family_name,
	s.employer_org_id, e.name, s.host_org_id, h.name, s.quotite_num, s.quotite_den, s.start_date, s.end_date,
	s.activities, s.arrete_reference, s.arrete_date, s.billing, s.annual_hours, s.version, s.created_at, s.updated_at
	FROM staff_secondments s
	JOIN agreements g ON g.id = s.agreement_id
	JOIN staff_agents a ON a.id = s.agent_id
	JOIN organisations e ON e.id = s.employer_org_id
	JOIN organisations h ON h.id = s.host_org_id`

func scanSecondment(row interface{ Scan(...any) error }) (Secondment, error) {
	var s Secondment
	var given, family string
	if err := row.Scan(&s.ID, &s.AgreementID, &s.AgreementReference, &s.AgreementTitle, &s.AgentID, &given, &family,
		&s.EmployerOrgID, &s.EmployerName, &s.HostOrgID, &s.HostName, &s.Quotite.Num, &s.Quotite.Den, &s.Start, &s.End,
		&s.Activities, &s.ArreteReference, &s.ArreteDate, &s.Billing, &s.AnnualHours, &s.Version, &s.CreatedAt, &s.UpdatedAt); err != nil {
		return Secondment{}, err
	}
	s.AgentName = strings.TrimSpace(given + " " + family)
	s.CreatedAt, s.UpdatedAt = s.CreatedAt.UTC(), s.UpdatedAt.UTC()
	return s, nil
}

func loadSecondment(ctx context.Context, q store.Querier, id int64) (Secondment, error) {
	s, err := scanSecondment(q.QueryRowContext(ctx, `SELECT `+secondmentColumns+` WHERE s.id = ?`, id))
	if err != nil {
		return Secondment{}, fmt.Errorf("secondment %d: %w", id, store.MapError(err))
	}
	return s, nil
}

// listSecondments returns the secondments where is true (a condition on
// s.), by start date.
func listSecondments(ctx context.Context, q store.Querier, where string, args ...any) ([]Secondment, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+secondmentColumns+` WHERE `+where+` ORDER BY s.start_date, s.id`, args...)
	return store.Collect(rows, err, scanSecondment)
}

func insertSecondment(ctx context.Context, tx *store.Tx, s *Secondment, by int64) error {
	err := tx.QueryRowContext(ctx, `INSERT INTO staff_secondments (agreement_id, agent_id, employer_org_id, host_org_id,
		quotite_num, quotite_den, start_date, end_date, activities, arrete_reference, arrete_date, billing, annual_hours,
		version, created_at, updated_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?) RETURNING id`,
		s.AgreementID, s.AgentID, s.EmployerOrgID, s.HostOrgID, s.Quotite.Num, s.Quotite.Den, s.Start, s.End, s.Activities,
		s.ArreteReference, s.ArreteDate, string(s.Billing), s.AnnualHours, s.CreatedAt, s.UpdatedAt, nullID(by)).Scan(&s.ID)
	if err != nil {
		return store.MapError(err)
	}
	s.Version = 1
	return nil
}

func updateSecondment(ctx context.Context, tx *store.Tx, s *Secondment, version int64) error {
	res, err := tx.ExecContext(ctx, `UPDATE staff_secondments SET host_org_id = ?, quotite_num = ?, quotite_den = ?,
		start_date = ?, end_date = ?, activities = ?, arrete_reference = ?, arrete_date = ?, billing = ?, annual_hours = ?,
		version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
		s.HostOrgID, s.Quotite.Num, s.Quotite.Den, s.Start, s.End, s.Activities, s.ArreteReference, s.ArreteDate,
		string(s.Billing), s.AnnualHours, s.UpdatedAt, s.ID, version)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return fmt.Errorf("%w: la mise à disposition a été modifiée entre-temps (version %d)", store.ErrConflict, version)
	}
	s.Version = version + 1
	return nil
}

// secondmentOf returns the id of the secondment of convention agreementID,
// 0 when it has none.
func secondmentOf(ctx context.Context, q store.Querier, agreementID int64) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, `SELECT id FROM staff_secondments WHERE agreement_id = ?`, agreementID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return id, store.MapError(err)
}

// costYears returns the years whose cost is recorded, per agent, for the
// agents of ids.
func costYears(ctx context.Context, q store.Querier, ids []int64) (map[int64]map[int]bool, error) {
	out := map[int64]map[int]bool{}
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := q.QueryContext(ctx, `SELECT agent_id, year FROM staff_agent_costs WHERE agent_id IN (`+
		strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ")+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var y int
		if err := rows.Scan(&id, &y); err != nil {
			return nil, err
		}
		if out[id] == nil {
			out[id] = map[int]bool{}
		}
		out[id][y] = true
	}
	return out, rows.Err()
}

// ---- Time records ----

const timeColumns = `id, secondment_id, worked_on, minutes, activity, note, entered_by_org_id, version, created_at,
	updated_at, created_by_name FROM staff_time_records`

func scanTime(row interface{ Scan(...any) error }) (TimeRecord, error) {
	var t TimeRecord
	err := row.Scan(&t.ID, &t.SecondmentID, &t.Date, &t.Minutes, &t.Activity, &t.Note, &t.EnteredByOrgID, &t.Version,
		&t.CreatedAt, &t.UpdatedAt, &t.CreatedBy)
	t.CreatedAt, t.UpdatedAt = t.CreatedAt.UTC(), t.UpdatedAt.UTC()
	return t, err
}

func loadTime(ctx context.Context, q store.Querier, id int64) (TimeRecord, error) {
	t, err := scanTime(q.QueryRowContext(ctx, `SELECT `+timeColumns+` WHERE id = ?`, id))
	if err != nil {
		return TimeRecord{}, fmt.Errorf("time record %d: %w", id, store.MapError(err))
	}
	return t, nil
}

// listTimes returns the time records of secondment id from..to (zero for
// no bound), by day.
func listTimes(ctx context.Context, q store.Querier, id int64, from, to civil.Date) ([]TimeRecord, error) {
	query := `SELECT ` + timeColumns + ` WHERE secondment_id = ?`
	args := []any{id}
	if !from.IsZero() {
		query += ` AND worked_on >= ?`
		args = append(args, from.String())
	}
	if !to.IsZero() {
		query += ` AND worked_on <= ?`
		args = append(args, to.String())
	}
	rows, err := q.QueryContext(ctx, query+` ORDER BY worked_on, id`, args...)
	return store.Collect(rows, err, scanTime)
}

func insertTime(ctx context.Context, tx *store.Tx, t *TimeRecord) error {
	return tx.QueryRowContext(ctx, `INSERT INTO staff_time_records (secondment_id, worked_on, minutes, activity, note,
		entered_by_org_id, version, created_at, updated_at, created_by_name) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?) RETURNING id`,
		t.SecondmentID, t.Date, t.Minutes, t.Activity, t.Note, t.EnteredByOrgID, t.CreatedAt, t.UpdatedAt, t.CreatedBy).Scan(&t.ID)
}

func updateTime(ctx context.Context, tx *store.Tx, t *TimeRecord, version int64) error {
	res, err := tx.ExecContext(ctx, `UPDATE staff_time_records SET worked_on = ?, minutes = ?, activity = ?, note = ?,
		entered_by_org_id = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
		t.Date, t.Minutes, t.Activity, t.Note, t.EnteredByOrgID, t.UpdatedAt, t.ID, version)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return fmt.Errorf("%w: ce relevé de temps a été modifié entre-temps (version %d)", store.ErrConflict, version)
	}
	t.Version = version + 1
	return nil
}

func deleteTime(ctx context.Context, tx *store.Tx, id, version int64) error {
	res, err := tx.ExecContext(ctx, `DELETE FROM staff_time_records WHERE id = ? AND version = ?`, id, version)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return fmt.Errorf("%w: ce relevé de temps a été modifié entre-temps (version %d)", store.ErrConflict, version)
	}
	return nil
}

// ---- Reimbursements ----

const reimbursementColumns = `id, secondment_id, statement_id, period_from, period_to, label, billing, cost_year,
	annual_cost, quotite, minutes, annual_hours, amount, computed_at, computed_by_name FROM staff_reimbursements`

func scanReimbursement(row interface{ Scan(...any) error }) (Reimbursement, error) {
	var r Reimbursement
	var q string
	if err := row.Scan(&r.ID, &r.SecondmentID, &r.StatementID, &r.From, &r.To, &r.Label, &r.Billing, &r.CostYear,
		&r.AnnualCost, &q, &r.Minutes, &r.AnnualHours, &r.Amount, &r.ComputedAt, &r.ComputedBy); err != nil {
		return Reimbursement{}, err
	}
	r.ComputedAt = r.ComputedAt.UTC()
	if err := r.Quotite.UnmarshalText([]byte(q)); err != nil {
		return Reimbursement{}, fmt.Errorf("reimbursement %d: quotité %q: %w", r.ID, q, err)
	}
	return r, nil
}

func listReimbursements(ctx context.Context, q store.Querier, secondmentID int64) ([]Reimbursement, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+reimbursementColumns+` WHERE secondment_id = ? ORDER BY period_from, id`, secondmentID)
	return store.Collect(rows, err, scanReimbursement)
}

// saveReimbursement inserts r, or updates the row of its statement (a
// draft recomputed).
func saveReimbursement(ctx context.Context, tx *store.Tx, r *Reimbursement) error {
	q, _ := r.Quotite.MarshalText()
	return tx.QueryRowContext(ctx, `INSERT INTO staff_reimbursements (secondment_id, statement_id, period_from, period_to,
		label, billing, cost_year, annual_cost, quotite, minutes, annual_hours, amount, computed_at, computed_by_name)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (statement_id) DO UPDATE SET period_from = excluded.period_from, period_to = excluded.period_to,
			label = excluded.label, billing = excluded.billing, cost_year = excluded.cost_year,
			annual_cost = excluded.annual_cost, quotite = excluded.quotite, minutes = excluded.minutes,
			annual_hours = excluded.annual_hours, amount = excluded.amount, computed_at = excluded.computed_at,
			computed_by_name = excluded.computed_by_name
		RETURNING id`,
		r.SecondmentID, r.StatementID, r.From, r.To, r.Label, string(r.Billing), r.CostYear, r.AnnualCost, string(q),
		r.Minutes, r.AnnualHours, r.Amount, r.ComputedAt, r.ComputedBy).Scan(&r.ID)
}
