package agreement

// This file holds every SQL statement of the package (tables of migration
// 0002_agreements.sql). A convention is stored as its Agreement marshalled to
// JSON — the truth — with the columns lists and filters need copied beside it
// by saveRecord, in the same transaction.

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"voisines/internal/civil"
	"voisines/internal/store"
)

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(...any) error }

const recordColumns = `a.id, a.reference, a.external_reference, a.notes, a.version, a.lead_org_id, a.document,
	a.created_at, a.updated_at, a.created_by`

func scanRecord(row scanner) (Record, error) {
	var r Record
	var doc string
	var by sql.NullInt64
	if err := row.Scan(&r.ID, &r.Reference, &r.ExternalReference, &r.Notes, &r.Version, &r.LeadOrgID, &doc,
		&r.CreatedAt, &r.UpdatedAt, &by); err != nil {
		return Record{}, store.MapError(err)
	}
	if err := json.Unmarshal([]byte(doc), &r.Agreement); err != nil {
		return Record{}, fmt.Errorf("decode convention %d: %w", r.ID, err)
	}
	r.Agreement.ID = r.ID
	r.CreatedBy = by.Int64
	r.CreatedAt, r.UpdatedAt = r.CreatedAt.UTC(), r.UpdatedAt.UTC()
	return r, nil
}

// loadRecord reads convention id; store.ErrNotFound when there is none.
func loadRecord(ctx context.Context, q store.Querier, id int64) (Record, error) {
	return scanRecord(q.QueryRowContext(ctx, `SELECT `+recordColumns+` FROM agreements a WHERE a.id = ?`, id))
}

// recordID returns the id of the convention with that reference.
func recordID(ctx context.Context, q store.Querier, reference string) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, `SELECT id FROM agreements WHERE reference = ?`, reference).Scan(&id)
	return id, store.MapError(err)
}

// partyOrgIDs returns every organisation that is or was party to
// convention id: those whose users may read it.
func partyOrgIDs(ctx context.Context, q store.Querier, id int64) ([]int64, error) {
	rows, err := q.QueryContext(ctx, `SELECT DISTINCT org_id FROM agreement_parties WHERE agreement_id = ? ORDER BY org_id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var org int64
		if err := rows.Scan(&org); err != nil {
			return nil, err
		}
		ids = append(ids, org)
	}
	return ids, rows.Err()
}

// nextReference numbers a new convention of year: "2026-0001", then
// "2026-0002"… The counter row is locked until the transaction ends, so
// two creations never get the same number.
func nextReference(ctx context.Context, tx *store.Tx, year int) (string, error) {
	var n int64
	err := tx.QueryRowContext(ctx, `INSERT INTO agreement_numbers (year, last_number) VALUES (?, 1)
		ON CONFLICT (year) DO UPDATE SET last_number = agreement_numbers.last_number + 1
		RETURNING last_number`, year).Scan(&n)
	if err != nil {
		return "", store.MapError(err)
	}
	return fmt.Sprintf("%d-%04d", year, n), nil
}

// externalReferenceHolder returns the reference of the convention of lead
// organisation lead known outside Voisines as external, if there is one.
func externalReferenceHolder(ctx context.Context, q store.Querier, lead int64, external string) (string, bool, error) {
	var ref string
	err := q.QueryRowContext(ctx, `SELECT reference FROM agreements WHERE lead_org_id = ? AND external_reference = ?`,
		lead, external).Scan(&ref)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	return ref, err == nil, store.MapError(err)
}

// columnsOf returns the copied columns of a: status, title, dates.
func columnsOf(a Agreement) (start, end, signed civil.Date) {
	start = a.Term.Start
	if start.IsZero() {
		start = a.SignedOn()
	}
	return start, LastDay(a), a.SignedOn()
}

// encode returns the document of a. The id lives in its column only.
func encode(a Agreement) (string, error) {
	a.ID = 0
	doc, err := json.Marshal(a)
	if err != nil {
		return "", fmt.Errorf("encode convention: %w", err)
	}
	return string(doc), nil
}

// insertRecord stores a new convention and sets r.ID.
func insertRecord(ctx context.Context, tx *store.Tx, r *Record) error {
	doc, err := encode(r.Agreement)
	if err != nil {
		return err
	}
	start, end, signed := columnsOf(r.Agreement)
	err = tx.QueryRowContext(ctx, `INSERT INTO agreements (reference, external_reference, notes, kind, status, title, lead_org_id,
			start_date, end_date, signed_on, version, document, created_at, updated_at, created_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		r.Reference, r.ExternalReference, r.Notes, string(r.Agreement.Kind), string(r.Agreement.Status), r.Agreement.Title, r.LeadOrgID,
		start, end, signed, r.Version, doc, r.CreatedAt, r.UpdatedAt, nullID(r.CreatedBy)).Scan(&r.ID)
	if err != nil {
		return store.MapError(err)
	}
	r.Agreement.ID = r.ID
	return nil
}

// saveRecord writes r's document and columns if the stored version is still
// r.Version, and moves r to the next version; store.ErrConflict otherwise.
// Call it before any other write of the transaction: on PostgreSQL a
// concurrent writer of the same row waits on it and then finds the version
// changed.
func saveRecord(ctx context.Context, tx *store.Tx, r *Record, now time.Time) error {
	doc, err := encode(r.Agreement)
	if err != nil {
		return err
	}
	start, end, signed := columnsOf(r.Agreement)
	res, err := tx.ExecContext(ctx, `UPDATE agreements SET kind = ?, status = ?, title = ?, lead_org_id = ?,
			start_date = ?, end_date = ?, signed_on = ?, document = ?, version = version + 1, updated_at = ?
		WHERE id = ? AND version = ?`,
		string(r.Agreement.Kind), string(r.Agreement.Status), r.Agreement.Title, r.LeadOrgID,
		start, end, signed, doc, now, r.ID, r.Version)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n != 1 {
		return staleVersion(r.Reference, r.Version)
	}
	r.Version++
	r.UpdatedAt = now
	return nil
}

func staleVersion(reference string, version int64) error {
	return fmt.Errorf("%w: la convention %s a été modifiée entre-temps (vous partiez de la version %d) ; rechargez-la et refaites votre action",
		store.ErrConflict, reference, version)
}

// writeParties records the parties of convention id. With keepFormer the
// parties no longer in the list stay, marked not current (an avenant removed
// them; they keep read access to what they signed); without it they are
// deleted (a draft being written).
func writeParties(ctx context.Context, tx *store.Tx, id int64, parties []Party, keepFormer bool) error {
	if keepFormer {
		if _, err := tx.ExecContext(ctx, `UPDATE agreement_parties SET is_current = ? WHERE agreement_id = ?`, false, id); err != nil {
			return err
		}
	} else if _, err := tx.ExecContext(ctx, `DELETE FROM agreement_parties WHERE agreement_id = ?`, id); err != nil {
		return err
	}
	for _, p := range parties {
		if _, err := tx.ExecContext(ctx, `INSERT INTO agreement_parties (agreement_id, org_id, role, is_current)
			VALUES (?, ?, ?, ?) ON CONFLICT (agreement_id, org_id, role) DO UPDATE SET is_current = ?`,
			id, p.OrgID, string(p.Role), true, true); err != nil {
			return err
		}
	}
	return nil
}

// writeVersion stores version number of convention id's content,
// replacing it if it exists (version 0 while the convention is a draft).
func writeVersion(ctx context.Context, tx *store.Tx, id int64, v Version) error {
	content, err := json.Marshal(v.Content)
	if err != nil {
		return fmt.Errorf("encode version: %w", err)
	}
	changes, err := json.Marshal(v.Changes)
	if err != nil {
		return fmt.Errorf("encode changes: %w", err)
	}
	if v.Changes == nil {
		changes = []byte("[]")
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO agreement_versions (agreement_id, number, content, amended_on, reason, changes, created_at, created_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (agreement_id, number) DO UPDATE SET content = ?, amended_on = ?, reason = ?, changes = ?, created_at = ?, created_by = ?`,
		id, v.Number, string(content), v.Date, v.Reason, string(changes), v.CreatedAt, nullID(v.CreatedBy),
		string(content), v.Date, v.Reason, string(changes), v.CreatedAt, nullID(v.CreatedBy))
	return store.MapError(err)
}

// listVersions returns the versions of convention id, oldest first.
func listVersions(ctx context.Context, q store.Querier, id int64) ([]Version, error) {
	rows, err := q.QueryContext(ctx, `SELECT number, content, amended_on, reason, changes, created_at, created_by
		FROM agreement_versions WHERE agreement_id = ? ORDER BY number`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Version{}
	for rows.Next() {
		var v Version
		var content, changes string
		var by sql.NullInt64
		if err := rows.Scan(&v.Number, &content, &v.Date, &v.Reason, &changes, &v.CreatedAt, &by); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(content), &v.Content); err != nil {
			return nil, fmt.Errorf("decode version %d: %w", v.Number, err)
		}
		if err := json.Unmarshal([]byte(changes), &v.Changes); err != nil {
			return nil, fmt.Errorf("decode changes of version %d: %w", v.Number, err)
		}
		v.CreatedBy = by.Int64
		v.CreatedAt = v.CreatedAt.UTC()
		out = append(out, v)
	}
	return out, rows.Err()
}

// listRecords returns one page of the conventions matching f among those
// of organisations orgs (every convention when all), newest first, and how
// many match in all.
func listRecords(ctx context.Context, q store.Querier, f Filter, orgs []int64, all bool) ([]Record, int, error) {
	var where []string
	var args []any
	if !all {
		marks := strings.TrimSuffix(strings.Repeat("?, ", len(orgs)), ", ")
		where = append(where, `a.id IN (SELECT agreement_id FROM agreement_parties WHERE org_id IN (`+marks+`))`)
		for _, o := range orgs {
			args = append(args, o)
		}
	}
	for _, org := range []int64{f.OrgID, f.Partner} {
		if org != 0 {
			where = append(where, `EXISTS (SELECT 1 FROM agreement_parties p WHERE p.agreement_id = a.id AND p.org_id = ?)`)
			args = append(args, org)
		}
	}
	if f.Kind != "" {
		where = append(where, `a.kind = ?`)
		args = append(args, string(f.Kind))
	}
	if f.Status != "" {
		where = append(where, `a.status = ?`)
		args = append(args, string(f.Status))
	}
	if f.Year != 0 {
		// The convention applies during some day of the year; one with no
		// date yet belongs to the year its reference was given.
		y := strconv.Itoa(f.Year)
		where = append(where, `((a.start_date IS NULL AND a.reference LIKE ?) OR
			(a.start_date <= ? AND (a.end_date IS NULL OR a.end_date >= ?)))`)
		args = append(args, y+"-%", y+"-12-31", y+"-01-01")
	}
	if text := strings.TrimSpace(f.Text); text != "" {
		like := "LIKE"
		if q.Dialect() == store.Postgres {
			like = "ILIKE"
		}
		pattern := "%" + escapeLike(text) + "%"
		where = append(where, `(a.title `+like+` ? ESCAPE '\' OR a.reference `+like+` ? ESCAPE '\'
			OR a.external_reference `+like+` ? ESCAPE '\' OR EXISTS (
			SELECT 1 FROM agreement_parties p JOIN organisations o ON o.id = p.org_id
			WHERE p.agreement_id = a.id AND o.name `+like+` ? ESCAPE '\'))`)
		args = append(args, pattern, pattern, pattern, pattern)
	}
	cond := ""
	if len(where) > 0 {
		cond = ` WHERE ` + strings.Join(where, ` AND `)
	}
	var total int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM agreements a`+cond, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	records, err := queryRecords(ctx, q, `SELECT `+recordColumns+` FROM agreements a`+cond+` ORDER BY a.id DESC LIMIT ? OFFSET ?`,
		append(args, f.Limit, f.Offset)...)
	return records, total, err
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func queryRecords(ctx context.Context, q store.Querier, query string, args ...any) ([]Record, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Record
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// liveRecordsOf returns the conventions organisation org is currently party
// to that are not over (neither expired nor terminated), oldest first.
func liveRecordsOf(ctx context.Context, q store.Querier, org int64) ([]Record, error) {
	return queryRecords(ctx, q, `SELECT `+recordColumns+` FROM agreements a
		WHERE a.id IN (SELECT agreement_id FROM agreement_parties WHERE org_id = ? AND is_current = ?)
		AND a.status NOT IN (?, ?) ORDER BY a.id`, org, true, string(Expired), string(Terminated))
}

// recordsWithStatus returns the conventions in one of statuses, by reference.
func recordsWithStatus(ctx context.Context, q store.Querier, statuses ...Status) ([]Record, error) {
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(statuses)), ", ")
	args := make([]any, len(statuses))
	for i, s := range statuses {
		args[i] = string(s)
	}
	return queryRecords(ctx, q, `SELECT `+recordColumns+` FROM agreements a WHERE a.status IN (`+marks+`) ORDER BY a.reference`, args...)
}

// idsWithStatus returns the ids of the conventions in one of statuses.
func idsWithStatus(ctx context.Context, q store.Querier, statuses ...Status) ([]int64, error) {
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(statuses)), ", ")
	args := make([]any, len(statuses))
	for i, s := range statuses {
		args[i] = string(s)
	}
	rows, err := q.QueryContext(ctx, `SELECT id FROM agreements WHERE status IN (`+marks+`) ORDER BY id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

const attachmentColumns = `id, agreement_id, org_id, uploaded_by, filename, content_type, size, sha256, kind, created_at`

func scanAttachment(row scanner, extra ...any) (Attachment, error) {
	var at Attachment
	var by sql.NullInt64
	dest := append([]any{&at.ID, &at.AgreementID, &at.OrgID, &by, &at.Filename, &at.ContentType, &at.Size,
		&at.SHA256, &at.Kind, &at.CreatedAt}, extra...)
	if err := row.Scan(dest...); err != nil {
		return Attachment{}, store.MapError(err)
	}
	at.UploadedBy = by.Int64
	at.CreatedAt = at.CreatedAt.UTC()
	return at, nil
}

// insertAttachment stores at with its bytes and sets at.ID.
func insertAttachment(ctx context.Context, tx *store.Tx, at *Attachment, data []byte) error {
	err := tx.QueryRowContext(ctx, `INSERT INTO agreement_attachments (agreement_id, org_id, uploaded_by, filename,
			content_type, size, sha256, kind, data, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		at.AgreementID, at.OrgID, nullID(at.UploadedBy), at.Filename, at.ContentType, at.Size, at.SHA256,
		string(at.Kind), data, at.CreatedAt).Scan(&at.ID)
	return store.MapError(err)
}

// listAttachments returns the attachments of convention id, without their
// bytes, oldest first.
func listAttachments(ctx context.Context, q store.Querier, id int64) ([]Attachment, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+attachmentColumns+` FROM agreement_attachments WHERE agreement_id = ? ORDER BY id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Attachment{}
	for rows.Next() {
		at, err := scanAttachment(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, at)
	}
	return out, rows.Err()
}

// loadAttachment reads attachment id of convention agreementID, with its
// bytes when withData.
func loadAttachment(ctx context.Context, q store.Querier, agreementID, id int64, withData bool) (Attachment, []byte, error) {
	if !withData {
		at, err := scanAttachment(q.QueryRowContext(ctx, `SELECT `+attachmentColumns+` FROM agreement_attachments
			WHERE id = ? AND agreement_id = ?`, id, agreementID))
		return at, nil, err
	}
	var data []byte
	at, err := scanAttachment(q.QueryRowContext(ctx, `SELECT `+attachmentColumns+`, data FROM agreement_attachments
		WHERE id = ? AND agreement_id = ?`, id, agreementID), &data)
	return at, data, err
}

// deleteAttachment removes attachment id of convention agreementID.
func deleteAttachment(ctx context.Context, tx *store.Tx, agreementID, id int64) error {
	res, err := tx.ExecContext(ctx, `DELETE FROM agreement_attachments WHERE id = ? AND agreement_id = ?`, id, agreementID)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return fmt.Errorf("attachment %d: %w", id, store.ErrNotFound)
	}
	return nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// isNotFound reports whether err means a missing row.
func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }
