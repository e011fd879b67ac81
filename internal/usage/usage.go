// Package usage keeps the usage records: what one organisation used of
// another's equipment or service — hours in a gym, half-days of a road
// sweeper, planning permits by type — attributed to the covering convention
// when there is one. The financial engine reads them by convention and
// period to bill L1311-15 participations and unit-price services, and to
// build usage keys (domain.md §9.1, "hours of use", "weighted acts").
//
// # Quantities
//
// A record's quantity is an integer number of thousandths of its unit
// (Milli): 1 h 30 in hours is 1500, one permit is 1000. Sums are then exact
// integers on both engines, and Quantity gives the exact rational the money
// package computes with. Whoever records use rounds it to the thousandth
// first and documents how (the equipment package counts started quarter
// hours, half-days and days, see equipment.Units).
//
// # Idempotence
//
// (Source, SourceRef) names a record's origin once: recording the same
// origin again updates the record instead of adding one, so a booking
// yields exactly one record, corrected when its real use is changed.
package usage

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"voisines/internal/civil"
	"voisines/internal/money"
	"voisines/internal/store"
	"voisines/internal/validate"
)

// Source is where a usage record comes from.
type Source string

// The sources of usage records.
const (
	FromBooking Source = "booking" // a held equipment booking (SourceRef: the booking id)
	FromService Source = "service" // a unit of a shared service (an act, an intervention)
	FromManual  Source = "manual"  // typed in by the provider
	FromImport  Source = "import"  // imported from a file of the provider's
)

// Valid reports whether s is one of the sources.
func (s Source) Valid() bool {
	return s == FromBooking || s == FromService || s == FromManual || s == FromImport
}

// Common units. Unit is free text so that a service can count in its own
// unit ("acte", "élève", "km"); these are the ones Voisines writes itself.
const (
	UnitHour    = "hour"
	UnitHalfDay = "half_day"
	UnitDay     = "day"
)

// Entry is one usage record. (The operation that writes it is Record.)
type Entry struct {
	ID            int64 `json:"id"`
	ProviderOrgID int64 `json:"provider_org_id"` // who provides: the equipment's owner
	UserOrgID     int64 `json:"user_org_id"`     // who used it and owes a participation
	// AgreementID is the covering convention, 0 when there is none.
	AgreementID int64  `json:"agreement_id,omitempty"`
	Source      Source `json:"source"`
	SourceRef   string `json:"source_ref"`
	// Subject says what was used, for statements: "Gymnase Paul-Ramadier".
	Subject string `json:"subject,omitempty"`
	Unit    string `json:"unit"`
	// Milli is the quantity in thousandths of Unit (see the package
	// comment).
	Milli int64 `json:"quantity_milli"`
	// ActType is the type of a weighted act (a building permit, a
	// development permit…), matched against a usage key's weight table; ""
	// for untyped units.
	ActType    string     `json:"act_type,omitempty"`
	OccurredOn civil.Date `json:"occurred_on"`
	Note       string     `json:"note,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
}

// Quantity returns the exact quantity in the record's unit.
func (e Entry) Quantity() money.Rat { return money.NewRat(e.Milli, 1000) }

func (e Entry) check() error {
	var errs validate.Errors
	if e.ProviderOrgID <= 0 {
		errs.Add("provider_org_id", "l'organisme qui fournit l'équipement ou le service est obligatoire")
	}
	if e.UserOrgID <= 0 {
		errs.Add("user_org_id", "l'organisme utilisateur est obligatoire")
	}
	if !e.Source.Valid() {
		errs.Add("source", "%s n'est pas une origine d'usage (booking, service, manual, import)", validate.Quote(string(e.Source)))
	}
	if strings.TrimSpace(e.SourceRef) == "" {
		errs.Add("source_ref", "la référence de l'origine est obligatoire")
	}
	if strings.TrimSpace(e.Unit) == "" {
		errs.Add("unit", "l'unité est obligatoire")
	}
	if e.Milli < 0 {
		errs.Add("quantity_milli", "la quantité ne peut pas être négative")
	}
	if e.OccurredOn.IsZero() {
		errs.Add("occurred_on", "la date d'usage est obligatoire")
	}
	errs.Check(validate.MaxLen("subject", e.Subject, 200))
	errs.Check(validate.MaxLen("note", e.Note, 1000))
	return errs.Err()
}

// Record writes e inside the caller's transaction and returns it as stored:
// a new record, or the record of the same (Source, SourceRef) updated with
// e's fields. Authorisation is the caller's: Record is called by domain
// operations that have already checked who acts.
func Record(ctx context.Context, tx *store.Tx, e Entry) (Entry, error) {
	if err := e.check(); err != nil {
		return Entry{}, err
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	err := tx.QueryRowContext(ctx, `INSERT INTO usage_records (provider_org_id, user_org_id, agreement_id,
		source_kind, source_ref, subject, unit, quantity_milli, act_type, occurred_on, note, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (source_kind, source_ref) DO UPDATE SET
			provider_org_id = excluded.provider_org_id, user_org_id = excluded.user_org_id,
			agreement_id = excluded.agreement_id, subject = excluded.subject, unit = excluded.unit,
			quantity_milli = excluded.quantity_milli, act_type = excluded.act_type,
			occurred_on = excluded.occurred_on, note = excluded.note, updated_at = excluded.updated_at
		RETURNING id, created_at`,
		e.ProviderOrgID, e.UserOrgID, nullID(e.AgreementID), string(e.Source), e.SourceRef, e.Subject, e.Unit,
		e.Milli, e.ActType, e.OccurredOn, e.Note, now, now).Scan(&e.ID, &e.CreatedAt)
	if err != nil {
		return Entry{}, fmt.Errorf("usage: record %s %s: %w", e.Source, e.SourceRef, store.MapError(err))
	}
	e.CreatedAt, e.UpdatedAt = e.CreatedAt.UTC(), now
	return e, nil
}

// Remove deletes the record of an origin, if any (a booking recorded as
// held and then found not to have taken place). It reports whether a record
// was deleted.
func Remove(ctx context.Context, tx *store.Tx, source Source, ref string) (bool, error) {
	res, err := tx.ExecContext(ctx, `DELETE FROM usage_records WHERE source_kind = ? AND source_ref = ?`, string(source), ref)
	if err != nil {
		return false, fmt.Errorf("usage: remove %s %s: %w", source, ref, err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// Filter selects usage records; zero fields select everything. From and To
// are inclusive civil dates of use.
type Filter struct {
	ProviderOrgID int64
	UserOrgID     int64
	// OrgID selects records where the organisation is provider or user.
	OrgID       int64
	AgreementID int64
	// NoAgreement selects only records without a covering convention.
	NoAgreement bool
	Source      Source
	SourceRef   string
	Unit        string
	From, To    civil.Date
	Limit       int // 0: no limit
}

func (f Filter) where() (string, []any) {
	var conds []string
	var args []any
	add := func(cond string, arg any) {
		conds = append(conds, cond)
		args = append(args, arg)
	}
	if f.ProviderOrgID != 0 {
		add("provider_org_id = ?", f.ProviderOrgID)
	}
	if f.UserOrgID != 0 {
		add("user_org_id = ?", f.UserOrgID)
	}
	if f.OrgID != 0 {
		conds = append(conds, "(provider_org_id = ? OR user_org_id = ?)")
		args = append(args, f.OrgID, f.OrgID)
	}
	if f.AgreementID != 0 {
		add("agreement_id = ?", f.AgreementID)
	}
	if f.NoAgreement {
		conds = append(conds, "agreement_id IS NULL")
	}
	if f.Source != "" {
		add("source_kind = ?", string(f.Source))
	}
	if f.SourceRef != "" {
		add("source_ref = ?", f.SourceRef)
	}
	if f.Unit != "" {
		add("unit = ?", f.Unit)
	}
	// Civil dates are ISO text on both engines: they compare as strings.
	if !f.From.IsZero() {
		add("occurred_on >= ?", f.From.String())
	}
	if !f.To.IsZero() {
		add("occurred_on <= ?", f.To.String())
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// List returns the records f selects, oldest use first.
func List(ctx context.Context, q store.Querier, f Filter) ([]Entry, error) {
	where, args := f.where()
	query := `SELECT id, provider_org_id, user_org_id, agreement_id, source_kind, source_ref, subject, unit,
		quantity_milli, act_type, occurred_on, note, created_at, updated_at FROM usage_records` + where +
		` ORDER BY occurred_on, id`
	if f.Limit > 0 {
		query += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("usage: list: %w", err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var e Entry
		var agreement sql.NullInt64
		var occurred string
		if err := rows.Scan(&e.ID, &e.ProviderOrgID, &e.UserOrgID, &agreement, &e.Source, &e.SourceRef, &e.Subject,
			&e.Unit, &e.Milli, &e.ActType, &occurred, &e.Note, &e.CreatedAt, &e.UpdatedAt); err != nil {
			return nil, fmt.Errorf("usage: list: %w", err)
		}
		e.AgreementID = agreement.Int64
		if e.OccurredOn, err = parseStoredDate(occurred); err != nil {
			return nil, fmt.Errorf("usage: record %d: %w", e.ID, err)
		}
		e.CreatedAt, e.UpdatedAt = e.CreatedAt.UTC(), e.UpdatedAt.UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

// parseStoredDate reads occurred_on, which is ISO text on both engines.
func parseStoredDate(s string) (civil.Date, error) {
	if len(s) > 10 { // a driver that returns a timestamp text
		s = s[:10]
	}
	return civil.Parse(s)
}

// Total is the use of one unit (and act type) by one organisation from
// another under one convention (or none) over the period summed.
type Total struct {
	ProviderOrgID int64  `json:"provider_org_id"`
	UserOrgID     int64  `json:"user_org_id"`
	AgreementID   int64  `json:"agreement_id,omitempty"`
	Unit          string `json:"unit"`
	ActType       string `json:"act_type,omitempty"`
	Milli         int64  `json:"quantity_milli"`
	Records       int64  `json:"records"`
	// First and Last are the first and last days of use summed.
	First civil.Date `json:"first"`
	Last  civil.Date `json:"last"`
}

// Quantity returns the exact summed quantity in the total's unit.
func (t Total) Quantity() money.Rat { return money.NewRat(t.Milli, 1000) }

// Sum returns the totals of the records f selects, one per (provider,
// user, convention, unit, act type), ordered by those. It is what the
// financial engine reads: Sum(Filter{AgreementID: id, From: start, To: end})
// gives each user's units over a statement's period.
func Sum(ctx context.Context, q store.Querier, f Filter) ([]Total, error) {
	where, args := f.where()
	rows, err := q.QueryContext(ctx, `SELECT provider_org_id, user_org_id, agreement_id, unit, act_type,
		SUM(quantity_milli), COUNT(*), MIN(occurred_on), MAX(occurred_on) FROM usage_records`+where+`
		GROUP BY provider_org_id, user_org_id, agreement_id, unit, act_type
		ORDER BY provider_org_id, user_org_id, COALESCE(agreement_id, 0), unit, act_type`, args...)
	if err != nil {
		return nil, fmt.Errorf("usage: sum: %w", err)
	}
	defer rows.Close()
	var out []Total
	for rows.Next() {
		var t Total
		var agreement sql.NullInt64
		var first, last string
		if err := rows.Scan(&t.ProviderOrgID, &t.UserOrgID, &agreement, &t.Unit, &t.ActType, &t.Milli, &t.Records, &first, &last); err != nil {
			return nil, fmt.Errorf("usage: sum: %w", err)
		}
		t.AgreementID = agreement.Int64
		if t.First, err = parseStoredDate(first); err != nil {
			return nil, fmt.Errorf("usage: sum: %w", err)
		}
		if t.Last, err = parseStoredDate(last); err != nil {
			return nil, fmt.Errorf("usage: sum: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// KeyUsage turns totals into the usage lines of a money.Key of kind usage,
// naming each user organisation with party (its name in the convention, as
// the key's parties are named). Totals whose user party returns "" are
// left out.
func KeyUsage(totals []Total, party func(userOrgID int64) string) []money.Usage {
	var out []money.Usage
	for _, t := range totals {
		name := party(t.UserOrgID)
		if name == "" {
			continue
		}
		out = append(out, money.Usage{Party: name, Type: t.ActType, Units: t.Quantity()})
	}
	return out
}

// ErrNoRecord is returned by Get for an origin without a record.
var ErrNoRecord = fmt.Errorf("usage: no record: %w", store.ErrNotFound)

// Get returns the record of one origin.
func Get(ctx context.Context, q store.Querier, source Source, ref string) (Entry, error) {
	es, err := List(ctx, q, Filter{Source: source, SourceRef: ref, Limit: 1})
	if err != nil {
		return Entry{}, err
	}
	if len(es) == 0 {
		return Entry{}, ErrNoRecord
	}
	return es[0], nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
