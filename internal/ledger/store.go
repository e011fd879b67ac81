package ledger

// This file holds the SQL of the package: the ledger's own tables
// (migration 0004_ledger.sql), and reads of the conventions, organisations
// and populations it computes from. Usage records are read through the
// usage package.

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"voisines/internal/agreement"
	"voisines/internal/civil"
	"voisines/internal/money"
	"voisines/internal/store"
	"voisines/internal/usage"
)

// partyColumns read a party's organisation: name, SIREN (the
// organisation's, or for a commune the territory's, or an EPCI's own),
// kind, INSEE code, and for a commune its EPCI à fiscalité propre.
const partyColumns = `o.id, o.name, COALESCE(o.siren, c.siren, o.epci_siren, ''), o.kind,
	COALESCE(o.commune_code, ''), COALESCE(c.epci_siren, '')`

const partyJoins = `JOIN organisations o ON o.id = p.org_id LEFT JOIN communes c ON c.code = o.commune_code`

// loadConvention reads convention id with its parties.
func loadConvention(ctx context.Context, q store.Querier, id int64) (Convention, error) {
	var c Convention
	var kind, status string
	err := q.QueryRowContext(ctx, `SELECT id, reference, title, kind, status, lead_org_id, start_date, end_date
		FROM agreements WHERE id = ?`, id).Scan(&c.ID, &c.Reference, &c.Title, &kind, &status, &c.LeadOrgID, &c.Start, &c.End)
	if err != nil {
		return Convention{}, fmt.Errorf("convention %d: %w", id, store.MapError(err))
	}
	c.Kind, c.Status = agreement.Kind(kind), agreement.Status(status)
	rows, err := q.QueryContext(ctx, `SELECT p.role, p.is_current, `+partyColumns+`
		FROM agreement_parties p `+partyJoins+` WHERE p.agreement_id = ? ORDER BY p.org_id, p.role`, id)
	if err != nil {
		return Convention{}, fmt.Errorf("parties of convention %d: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var p PartyRef
		var role, okind string
		var current bool
		if err := rows.Scan(&role, &current, &p.OrgID, &p.Name, &p.SIREN, &okind, &p.CommuneCode, &p.EPCISIREN); err != nil {
			return Convention{}, fmt.Errorf("parties of convention %d: %w", id, err)
		}
		p.Role, p.Kind = agreement.Role(role), agreement.OrgKind(okind)
		if len(c.Readers) == 0 || c.Readers[len(c.Readers)-1] != p.OrgID {
			c.Readers = append(c.Readers, p.OrgID)
		}
		if current {
			c.Parties = append(c.Parties, p)
		}
	}
	return c, rows.Err()
}

// termsRecord is the stored terms of a convention.
type termsRecord struct {
	Terms     Terms
	Version   int64
	UpdatedAt time.Time
}

// loadTerms reads the terms of convention id; store.ErrNotFound when there
// are none.
func loadTerms(ctx context.Context, q store.Querier, id int64) (termsRecord, error) {
	var r termsRecord
	var doc string
	err := q.QueryRowContext(ctx, `SELECT terms, version, updated_at FROM ledger_terms WHERE agreement_id = ?`, id).
		Scan(&doc, &r.Version, &r.UpdatedAt)
	if err != nil {
		return termsRecord{}, fmt.Errorf("financial terms of convention %d: %w", id, store.MapError(err))
	}
	if err := json.Unmarshal([]byte(doc), &r.Terms); err != nil {
		return termsRecord{}, fmt.Errorf("financial terms of convention %d: decode: %w", id, err)
	}
	r.UpdatedAt = r.UpdatedAt.UTC()
	return r, nil
}

// saveTerms writes the terms of convention id: inserted when version is 0,
// else updated if still at version (store.ErrConflict otherwise).
func saveTerms(ctx context.Context, tx *store.Tx, id, version int64, t Terms, now time.Time, by int64) (int64, error) {
	doc, err := json.Marshal(t)
	if err != nil {
		return 0, fmt.Errorf("encode terms: %w", err)
	}
	if version == 0 {
		_, err := tx.ExecContext(ctx, `INSERT INTO ledger_terms (agreement_id, creditor_org_id, mode, terms, version, updated_at, updated_by)
			VALUES (?, ?, ?, ?, 1, ?, ?)`, id, t.Creditor, string(t.Mode), string(doc), now, nullID(by))
		if err != nil {
			return 0, fmt.Errorf("insert terms: %w", err)
		}
		return 1, nil
	}
	res, err := tx.ExecContext(ctx, `UPDATE ledger_terms SET creditor_org_id = ?, mode = ?, terms = ?, version = version + 1,
		updated_at = ?, updated_by = ? WHERE agreement_id = ? AND version = ?`,
		t.Creditor, string(t.Mode), string(doc), now, nullID(by), id, version)
	if err != nil {
		return 0, fmt.Errorf("update terms: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return 0, fmt.Errorf("%w: les conditions financières ont été modifiées entre-temps (vous partiez de la version %d) ; rechargez-les",
			store.ErrConflict, version)
	}
	return version + 1, nil
}

// gather reads what a statement of convention c under terms t needs
// beyond them: the usage of the period, legal populations for population
// keys without figures, and for a final statement the calls already issued.
func gather(ctx context.Context, q store.Querier, c Convention, t Terms, req Request) (gathered, error) {
	var d gathered
	needUsage := t.Mode == agreement.UnitPrice && len(req.Units) == 0
	var pops []popKey
	var walk func(k money.Key)
	walk = func(k money.Key) {
		switch k.Kind {
		case money.KeyMix:
			for _, p := range k.Parts {
				walk(p.Key)
			}
		case money.KeyUsage:
			needUsage = needUsage || (len(k.Usage) == 0 && len(req.Units) == 0)
		case money.KeyPopulation:
			if len(k.Figures) == 0 {
				pops = append(pops, popKey{k.Measure, k.Vintage, k.Source})
			}
		}
	}
	if t.Key != nil && (t.Mode == agreement.ActualCostByKey || t.Mode == agreement.CallsForFunds) {
		walk(*t.Key)
	}
	if needUsage && !req.From.IsZero() && !req.To.IsZero() {
		totals, err := usage.Sum(ctx, q, usage.Filter{AgreementID: c.ID, From: req.From, To: req.To})
		if err != nil {
			return gathered{}, err
		}
		for _, u := range totals {
			d.usage = append(d.usage, UsageTotal{Party: u.UserOrgID, Unit: u.Unit, Type: u.ActType, Milli: u.Milli, Records: u.Records})
		}
	}
	for _, k := range pops {
		set, err := populations(ctx, q, k, t.Parties)
		if err != nil {
			return gathered{}, err
		}
		if d.populations == nil {
			d.populations = map[popKey]map[int64]popFigure{}
		}
		d.populations[k] = set
	}
	if t.Mode == agreement.CallsForFunds && req.Final {
		calls, err := issuedCalls(ctx, q, c.ID)
		if err != nil {
			return gathered{}, err
		}
		d.priorCalls = calls
	}
	return d, nil
}

// populations reads the legal populations of set k for the communes among
// orgs. With no source named, a commune with figures from two sources is
// an error: figures of different sources are never mixed.
func populations(ctx context.Context, q store.Querier, k popKey, orgs []int64) (map[int64]popFigure, error) {
	if len(orgs) == 0 {
		return nil, nil
	}
	query := `SELECT o.id, cp.value, cp.source, cp.vintage FROM commune_populations cp
		JOIN organisations o ON o.commune_code = cp.commune_code
		WHERE cp.measure = ? AND cp.vintage = ? AND o.id IN (` + placeholders(len(orgs)) + `)`
	args := []any{k.measure, k.vintage}
	for _, o := range orgs {
		args = append(args, o)
	}
	if k.source != "" {
		query += ` AND cp.source = ?`
		args = append(args, k.source)
	}
	rows, err := q.QueryContext(ctx, query+` ORDER BY o.id, cp.source`, args...)
	if err != nil {
		return nil, fmt.Errorf("populations: %w", err)
	}
	defer rows.Close()
	out := map[int64]popFigure{}
	for rows.Next() {
		var org int64
		var f popFigure
		if err := rows.Scan(&org, &f.value, &f.source, &f.vintage); err != nil {
			return nil, fmt.Errorf("populations: %w", err)
		}
		if prev, dup := out[org]; dup {
			return nil, fmt.Errorf("%w: populations %s %s de l'organisation n° %d de deux sources (%s, %s) : nommez la source dans la clé",
				errAmbiguous, k.measure, k.vintage, org, prev.source, f.source)
		}
		out[org] = f
	}
	return out, rows.Err()
}

var errAmbiguous = errors.New("ledger: ambiguous key data")

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// issuedCalls returns the lines of the current issued calls for funds of
// convention id.
func issuedCalls(ctx context.Context, q store.Querier, id int64) ([]PriorCall, error) {
	ss, err := listStatements(ctx, q, `s.agreement_id = ? AND s.kind = 'call' AND s.status = 'issued'`, id)
	if err != nil {
		return nil, err
	}
	var out []PriorCall
	for _, s := range ss {
		if !s.Current() {
			continue
		}
		for _, l := range s.Result.Lines {
			out = append(out, PriorCall{StatementID: s.ID, Call: s.Inputs.Call, Party: l.OrgID, Amount: l.Amount})
		}
	}
	return out, nil
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// hashInputs returns the JSON of in as stored and its SHA-256 in hex.
func hashInputs(in Inputs) (string, string, error) {
	b, err := json.Marshal(in)
	if err != nil {
		return "", "", fmt.Errorf("encode inputs: %w", err)
	}
	return string(b), sha256Hex(string(b)), nil
}

const statementColumns = `s.id, s.agreement_id, s.number, s.version, s.corrects_id, s.status, s.fiscal_year,
	s.inputs, s.inputs_sha256, s.result, s.reason, s.created_at, s.created_by_name, s.issued_at, s.issued_by_name,
	(SELECT MIN(x.id) FROM ledger_statements x WHERE x.corrects_id = s.id AND x.status = 'issued')`

func scanStatement(row interface{ Scan(...any) error }) (Statement, error) {
	var s Statement
	var corrects, superseded sql.NullInt64
	var status, inputs, result string
	var issuedAt sql.NullTime
	if err := row.Scan(&s.ID, &s.AgreementID, &s.Number, &s.Version, &corrects, &status, &s.FiscalYear,
		&inputs, &s.InputsSHA256, &result, &s.Reason, &s.CreatedAt, &s.CreatedBy, &issuedAt, &s.IssuedBy, &superseded); err != nil {
		return Statement{}, store.MapError(err)
	}
	s.Status, s.Corrects, s.SupersededBy = Status(status), corrects.Int64, superseded.Int64
	s.CreatedAt = s.CreatedAt.UTC()
	if issuedAt.Valid {
		s.IssuedAt = issuedAt.Time.UTC()
	}
	if err := json.Unmarshal([]byte(inputs), &s.Inputs); err != nil {
		return Statement{}, fmt.Errorf("statement %d: decode inputs: %w", s.ID, err)
	}
	if err := json.Unmarshal([]byte(result), &s.Result); err != nil {
		return Statement{}, fmt.Errorf("statement %d: decode result: %w", s.ID, err)
	}
	return s, nil
}

func loadStatement(ctx context.Context, q store.Querier, id int64) (Statement, error) {
	s, err := scanStatement(q.QueryRowContext(ctx, `SELECT `+statementColumns+` FROM ledger_statements s WHERE s.id = ?`, id))
	if err != nil {
		return Statement{}, fmt.Errorf("statement %d: %w", id, err)
	}
	return s, nil
}

func listStatements(ctx context.Context, q store.Querier, where string, args ...any) ([]Statement, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+statementColumns+` FROM ledger_statements s WHERE `+where+
		` ORDER BY s.number, s.version, s.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("statements: %w", err)
	}
	defer rows.Close()
	var out []Statement
	for rows.Next() {
		s, err := scanStatement(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// nextNumber returns the number of a new statement of convention id.
func nextNumber(ctx context.Context, tx *store.Tx, id int64) (int, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(number), 0) + 1 FROM ledger_statements WHERE agreement_id = ?`, id).Scan(&n)
	return n, err
}

// insertStatement stores s (draft or issued) and sets its id.
func insertStatement(ctx context.Context, tx *store.Tx, s *Statement, createdBy, issuedBy int64) error {
	inputs, hash, err := hashInputs(s.Inputs)
	if err != nil {
		return err
	}
	result, err := json.Marshal(s.Result)
	if err != nil {
		return fmt.Errorf("encode result: %w", err)
	}
	s.InputsSHA256 = hash
	var issuedAt any
	if s.Status == Issued {
		issuedAt = s.IssuedAt
	}
	err = tx.QueryRowContext(ctx, `INSERT INTO ledger_statements (agreement_id, number, version, corrects_id, status, kind,
		call_number, label, period_from, period_to, fiscal_year, creditor_org_id, mode, total, inputs, inputs_sha256, result,
		reason, created_at, created_by, created_by_name, issued_at, issued_by, issued_by_name)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		s.AgreementID, s.Number, s.Version, nullID(s.Corrects), string(s.Status), string(s.Inputs.Kind),
		s.Inputs.Call, s.Inputs.Label, s.Inputs.From, s.Inputs.To, s.FiscalYear, s.Inputs.Creditor.OrgID, string(s.Inputs.Mode),
		int64(s.Result.Total), inputs, hash, string(result), s.Reason, s.CreatedAt, nullID(createdBy), s.CreatedBy,
		issuedAt, nullID(issuedBy), s.IssuedBy).Scan(&s.ID)
	if err != nil {
		return fmt.Errorf("insert statement: %w", store.MapError(err))
	}
	return nil
}

// updateDraft rewrites draft s with new inputs and result.
func updateDraft(ctx context.Context, tx *store.Tx, s *Statement) error {
	inputs, hash, err := hashInputs(s.Inputs)
	if err != nil {
		return err
	}
	result, err := json.Marshal(s.Result)
	if err != nil {
		return fmt.Errorf("encode result: %w", err)
	}
	s.InputsSHA256 = hash
	res, err := tx.ExecContext(ctx, `UPDATE ledger_statements SET label = ?, period_from = ?, period_to = ?, fiscal_year = ?,
		total = ?, inputs = ?, inputs_sha256 = ?, result = ? WHERE id = ? AND status = 'draft'`,
		s.Inputs.Label, s.Inputs.From, s.Inputs.To, s.FiscalYear, int64(s.Result.Total), inputs, hash, string(result), s.ID)
	if err != nil {
		return fmt.Errorf("update draft %d: %w", s.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("%w: l'état n° %d n'est plus un brouillon", store.ErrConflict, s.ID)
	}
	return nil
}

// markIssued turns draft s into an issued statement: the one update an
// issued statement ever gets, from the draft state.
func markIssued(ctx context.Context, tx *store.Tx, s Statement, by int64) error {
	res, err := tx.ExecContext(ctx, `UPDATE ledger_statements SET status = 'issued', issued_at = ?, issued_by = ?, issued_by_name = ?
		WHERE id = ? AND status = 'draft' AND inputs_sha256 = ?`, s.IssuedAt, nullID(by), s.IssuedBy, s.ID, s.InputsSHA256)
	if err != nil {
		return fmt.Errorf("issue statement %d: %w", s.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("%w: l'état n° %d n'est plus le brouillon vérifié", store.ErrConflict, s.ID)
	}
	return nil
}

// overlapping returns the current issued statements of convention id that
// the new statement in would duplicate: a periodic statement over an
// overlapping period, the same call for funds, another final statement.
// except is a statement being corrected, left out.
func overlapping(ctx context.Context, q store.Querier, id int64, in Inputs, except int64) ([]Statement, error) {
	var where string
	args := []any{id, string(in.Kind)}
	switch in.Kind {
	case Periodic:
		where = ` AND s.period_from <= ? AND s.period_to >= ?`
		args = append(args, in.To, in.From)
	case CallKind:
		where = ` AND s.call_number = ?`
		args = append(args, in.Call)
	}
	ss, err := listStatements(ctx, q, `s.agreement_id = ? AND s.status = 'issued' AND s.kind = ?`+where, args...)
	if err != nil {
		return nil, err
	}
	var out []Statement
	for _, s := range ss {
		if s.Current() && s.ID != except {
			out = append(out, s)
		}
	}
	return out, nil
}

// insertFlows stores the flows of issued statement s.
func insertFlows(ctx context.Context, tx *store.Tx, s Statement, flows []Flow) error {
	for i := range flows {
		f := &flows[i]
		err := tx.QueryRowContext(ctx, `INSERT INTO ledger_flows (statement_id, agreement_id, creditor_org_id, debtor_org_id,
			amount, fiscal_year, titre_account, mandat_account, object, period_from, period_to, settlement)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			s.ID, s.AgreementID, f.Creditor.OrgID, f.Debtor.OrgID, int64(f.Amount), f.FiscalYear,
			f.TitreAccount, f.MandatAccount, f.Object, f.From, f.To, string(f.Settlement)).Scan(&f.ID)
		if err != nil {
			return fmt.Errorf("insert flow: %w", store.MapError(err))
		}
		f.StatementID = s.ID
	}
	return nil
}

// accountRules returns the account mapping in force for fiscal year: the
// rows of the latest year not after it, or of the first year mapped when
// the mapping starts later (a suggestion is better than none).
func accountRules(ctx context.Context, q store.Querier, year int) ([]AccountRule, error) {
	rows, err := q.QueryContext(ctx, `SELECT year, instrument, counterparty, side, account, label FROM ledger_accounts
		WHERE year = COALESCE((SELECT MAX(year) FROM ledger_accounts WHERE year <= ?), (SELECT MIN(year) FROM ledger_accounts))
		ORDER BY instrument, counterparty, side`, year)
	if err != nil {
		return nil, fmt.Errorf("accounts: %w", err)
	}
	defer rows.Close()
	return scanAccountRules(rows)
}

// flowColumns read a flow with both parties and its documents.
const flowColumns = `f.id, f.statement_id, f.agreement_id, a.reference, f.amount, f.fiscal_year, f.titre_account,
	f.mandat_account, f.object, f.period_from, f.period_to,
	cr.id, cr.name, COALESCE(cr.siren, crc.siren, cr.epci_siren, ''), cr.kind,
	dr.id, dr.name, COALESCE(dr.siren, drc.siren, dr.epci_siren, ''), dr.kind,
	t.reference, t.issued_on, t.account, m.reference, m.issued_on, m.account,
	(SELECT MIN(x.id) FROM ledger_statements x WHERE x.corrects_id = f.statement_id AND x.status = 'issued'),
	f.settlement, ta.reference, ta.issued_on, ta.account, ma.reference, ma.issued_on, ma.account`

const flowJoins = ` FROM ledger_flows f JOIN agreements a ON a.id = f.agreement_id
	JOIN organisations cr ON cr.id = f.creditor_org_id LEFT JOIN communes crc ON crc.code = cr.commune_code
	JOIN organisations dr ON dr.id = f.debtor_org_id LEFT JOIN communes drc ON drc.code = dr.commune_code
	LEFT JOIN ledger_flow_documents t ON t.flow_id = f.id AND t.side = 'titre'
	LEFT JOIN ledger_flow_documents m ON m.flow_id = f.id AND m.side = 'mandat'
	LEFT JOIN ledger_flow_documents ta ON ta.flow_id = f.id AND ta.side = 'annulation_titre'
	LEFT JOIN ledger_flow_documents ma ON ma.flow_id = f.id AND ma.side = 'annulation_mandat'`

// documentColumns are the nullable columns of one recorded document.
type documentColumns struct {
	ref, account sql.NullString
	on           civil.Date
}

func (d documentColumns) document() *Document {
	if !d.ref.Valid {
		return nil
	}
	return &Document{Reference: d.ref.String, Date: d.on, Account: d.account.String}
}

func scanFlow(row interface{ Scan(...any) error }) (Flow, error) {
	var f Flow
	var ck, dk, settlement string
	var t, m, ta, ma documentColumns
	var superseded sql.NullInt64
	if err := row.Scan(&f.ID, &f.StatementID, &f.AgreementID, &f.AgreementReference, &f.Amount, &f.FiscalYear, &f.TitreAccount,
		&f.MandatAccount, &f.Object, &f.From, &f.To,
		&f.Creditor.OrgID, &f.Creditor.Name, &f.Creditor.SIREN, &ck,
		&f.Debtor.OrgID, &f.Debtor.Name, &f.Debtor.SIREN, &dk,
		&t.ref, &t.on, &t.account, &m.ref, &m.on, &m.account, &superseded,
		&settlement, &ta.ref, &ta.on, &ta.account, &ma.ref, &ma.on, &ma.account); err != nil {
		return Flow{}, store.MapError(err)
	}
	f.Creditor.Kind, f.Debtor.Kind = agreement.OrgKind(ck), agreement.OrgKind(dk)
	f.Creditor.Label, f.Debtor.Label = f.Creditor.Name, f.Debtor.Name
	f.Titre, f.Mandat = t.document(), m.document()
	f.TitreCancellation, f.MandatCancellation = ta.document(), ma.document()
	f.Current, f.SupersededBy = !superseded.Valid, superseded.Int64
	f.Settlement = Settlement(settlement)
	return f, nil
}

// saveDocument records (or replaces) the document of side for flow id.
func saveDocument(ctx context.Context, tx *store.Tx, id int64, side Side, doc Document, at time.Time, by string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO ledger_flow_documents (flow_id, side, reference, issued_on, account, recorded_at, recorded_by_name)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (flow_id, side) DO UPDATE SET reference = excluded.reference,
		issued_on = excluded.issued_on, account = excluded.account, recorded_at = excluded.recorded_at,
		recorded_by_name = excluded.recorded_by_name`,
		id, string(side), doc.Reference, doc.Date, doc.Account, at, by)
	if err != nil {
		return fmt.Errorf("record %s of flow %d: %w", side, id, err)
	}
	return nil
}

// ownAccountRules returns the rows of the account mapping stored for year
// itself (none when the year uses an earlier year's).
func ownAccountRules(ctx context.Context, q store.Querier, year int) ([]AccountRule, error) {
	rows, err := q.QueryContext(ctx, `SELECT year, instrument, counterparty, side, account, label FROM ledger_accounts
		WHERE year = ? ORDER BY instrument, counterparty, side`, year)
	if err != nil {
		return nil, fmt.Errorf("accounts of %d: %w", year, err)
	}
	defer rows.Close()
	return scanAccountRules(rows)
}

func scanAccountRules(rows *sql.Rows) ([]AccountRule, error) {
	var out []AccountRule
	for rows.Next() {
		var r AccountRule
		var side, cp string
		if err := rows.Scan(&r.Year, &r.Instrument, &cp, &side, &r.Account, &r.Label); err != nil {
			return nil, fmt.Errorf("accounts: %w", err)
		}
		r.Counterparty, r.Side = Relation(cp), Side(side)
		out = append(out, r)
	}
	return out, rows.Err()
}

// replaceAccountRules replaces the rows of year with rules.
func replaceAccountRules(ctx context.Context, tx *store.Tx, year int, rules []AccountRule) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM ledger_accounts WHERE year = ?`, year); err != nil {
		return fmt.Errorf("accounts of %d: %w", year, err)
	}
	for _, r := range rules {
		if _, err := tx.ExecContext(ctx, `INSERT INTO ledger_accounts (year, instrument, counterparty, side, account, label)
			VALUES (?, ?, ?, ?, ?, ?)`, year, r.Instrument, string(r.Counterparty), string(r.Side), r.Account, r.Label); err != nil {
			return fmt.Errorf("accounts of %d: %w", year, store.MapError(err))
		}
	}
	return nil
}

// statementEvents returns the audit log's records of the statements ids
// (every version of one statement), oldest first.
func statementEvents(ctx context.Context, q store.Querier, ids []int64) ([]Event, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = strconv.FormatInt(id, 10)
	}
	rows, err := q.QueryContext(ctx, `SELECT at, actor, action, entity_id FROM audit_log
		WHERE entity = 'ledger_statement' AND entity_id IN (`+placeholders(len(ids))+`) ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("statement events: %w", err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		var id string
		if err := rows.Scan(&e.At, &e.Actor, &e.Action, &id); err != nil {
			return nil, fmt.Errorf("statement events: %w", err)
		}
		e.At = e.At.UTC()
		e.StatementID, _ = strconv.ParseInt(id, 10, 64)
		out = append(out, e)
	}
	return out, rows.Err()
}

func listFlows(ctx context.Context, q store.Querier, where string, args ...any) ([]Flow, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+flowColumns+flowJoins+` WHERE `+where+` ORDER BY f.period_from, f.agreement_id, f.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("flows: %w", err)
	}
	defer rows.Close()
	var out []Flow
	for rows.Next() {
		f, err := scanFlow(rows)
		if err != nil {
			return nil, fmt.Errorf("flows: %w", err)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
