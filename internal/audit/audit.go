// Package audit keeps the append-only, hash-chained log of every write: who,
// for which organisation, what, when. Each record's hash covers its content
// and the previous record's hash, so that Verify detects any altered or
// deleted record.
//
// # The hash
//
// A record's hash is the lowercase hexadecimal SHA-256 of this encoding of
// nine fields, in this order:
//
//	prev_hash, at, actor_user_id, actor, org_id, action, entity, entity_id, detail
//
// The encoding starts with the line "voisines-audit-v1\n"; then each field is
// written as its length in bytes (decimal ASCII), a colon, its bytes and a
// newline — a netstring-like frame, so that no choice of field contents can
// make two different records encode alike. The fields are spelled:
//
//   - prev_hash: the previous record's hash (64 hex digits); for the first
//     record, Genesis (64 zeros);
//   - at: the instant in UTC, time.RFC3339Nano ("2026-04-30T21:15:00.123456Z"),
//     kept to the microsecond (PostgreSQL's precision) before it is stored;
//   - actor_user_id and org_id: decimal, or the empty string when NULL
//     (Entry's 0 is stored as NULL);
//   - actor, action, entity, entity_id: as stored;
//   - detail: the stored JSON text, byte for byte (Record writes it with
//     encoding/json, whose map keys are sorted, but Verify never re-encodes).
//
// # What Verify detects, and what it cannot
//
// Verify walks the records by id and reports the first one that fails:
//
//   - an altered record (any field changed in place, hash left alone): its
//     recomputed hash differs from the stored one;
//   - a deleted, inserted or reordered record in the middle: the next record's
//     prev_hash no longer names the record before it;
//   - records deleted from the end of the log: Record also keeps a one-row
//     checkpoint (table audit_checkpoint: the last record's id and hash) in the
//     same transaction, and Verify checks that the chain still reaches it.
//
// It cannot detect a rewrite by someone who can write to the database and
// recomputes every hash after the change, checkpoint included — the chain has
// no secret. Nor does it notice that the whole log and its checkpoint were
// emptied. Against those, note the last id and hash that `voisines audit
// verify` prints somewhere outside the database (a signed e-mail, the
// minutes of a meeting) and later pass them as an anchor (VerifyAnchored):
// every record up to the anchor is then covered.
//
// # Concurrency
//
// Two writers must never read the same last hash. On PostgreSQL, Record takes
// the transaction-level advisory lock LockKey before reading the last hash; it
// is held until the caller's transaction ends, so every audited write is
// serialised from its Record call on: call Record last in the transaction.
// This relies on READ COMMITTED (the store's default): each statement sees the
// rows committed before the lock was granted. On SQLite the writer pool has a
// single connection and opens immediate transactions, so writes are already
// serialised.
package audit

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

	"voisines/internal/store"
)

// Genesis is the prev_hash of the first record.
const Genesis = "0000000000000000000000000000000000000000000000000000000000000000"

// LockKey is the PostgreSQL advisory lock that serialises appends to the log
// (store.Migrate uses 7000001).
const LockKey = 7000002

// Entry is one audited write.
type Entry struct {
	ActorUserID int64  // 0 for the system (CLI, import)
	Actor       string // e-mail of the user, or "system:cli"
	OrgID       int64  // organisation acted for, 0 when none
	Action      string // e.g. "organisation.update"
	Entity      string // e.g. "organisation"
	EntityID    string
	Detail      any // marshalled to JSON; nil is stored as {}
}

// Stored is one record as kept in the log.
type Stored struct {
	ID          int64     `json:"id"`
	At          time.Time `json:"at"`
	ActorUserID int64     `json:"actor_user_id,omitempty"`
	Actor       string    `json:"actor"`
	OrgID       int64     `json:"organisation_id,omitempty"`
	Action      string    `json:"action"`
	Entity      string    `json:"entity"`
	EntityID    string    `json:"entity_id"`
	Detail      string    `json:"detail"` // JSON text
	PrevHash    string    `json:"prev_hash"`
	Hash        string    `json:"hash"`
}

// now is the clock; tests may replace it.
var now = func() time.Time { return time.Now() }

// Record appends e to the log inside the caller's transaction, so that the
// write and its record commit or roll back together. Call it last in the
// transaction: on PostgreSQL it holds the log's lock until the end.
func Record(ctx context.Context, tx *store.Tx, e Entry) error {
	return RecordMany(ctx, tx, []Entry{e})
}

// recordChunk is the most records one INSERT statement appends.
const recordChunk = 16

// RecordMany appends the entries to the log, in order, inside the caller's
// transaction: the same chain as as many calls to Record, for one read of
// the last hash and one update of the checkpoint. Call it last in the
// transaction, as Record.
func RecordMany(ctx context.Context, tx *store.Tx, entries []Entry) error {
	if len(entries) == 0 {
		return nil
	}
	details := make([]string, len(entries))
	for i, e := range entries {
		if e.Action == "" || e.Entity == "" || e.Actor == "" {
			return fmt.Errorf("audit: entry needs an actor, an action and an entity: %+v", e)
		}
		details[i] = "{}"
		if e.Detail != nil {
			detail, err := json.Marshal(e.Detail)
			if err != nil {
				return fmt.Errorf("audit: %s: encode detail: %w", e.Action, err)
			}
			details[i] = string(detail)
		}
	}
	if tx.Dialect() == store.Postgres {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(?)`, int64(LockKey)); err != nil {
			return fmt.Errorf("audit: lock: %w", err)
		}
	}
	prev := Genesis
	err := tx.QueryRowContext(ctx, `SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1`).Scan(&prev)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("audit: read last hash: %w", store.MapError(err))
	}
	at := now().UTC().Truncate(time.Microsecond)
	rs := make([]Stored, len(entries))
	for i, e := range entries {
		rs[i] = Stored{At: at, ActorUserID: e.ActorUserID, Actor: e.Actor, OrgID: e.OrgID, Action: e.Action,
			Entity: e.Entity, EntityID: e.EntityID, Detail: details[i], PrevHash: prev}
		rs[i].Hash = Hash(rs[i])
		prev = rs[i].Hash
	}
	// All but the last record in multi-row statements, which number their
	// rows in the order of their VALUES on both engines (and the log's lock,
	// or SQLite's single writer, keeps anyone else out meanwhile); the last
	// alone, to learn its id for the checkpoint.
	for i := 0; i < len(rs)-1; i += recordChunk {
		chunk := rs[i:min(i+recordChunk, len(rs)-1)]
		args := make([]any, 0, 10*len(chunk))
		for _, r := range chunk {
			args = append(args, r.At, nullID(r.ActorUserID), r.Actor, nullID(r.OrgID), r.Action, r.Entity, r.EntityID,
				r.Detail, r.PrevHash, r.Hash)
		}
		if _, err := tx.ExecContext(ctx, insertRecords(len(chunk)), args...); err != nil {
			return fmt.Errorf("audit: %s: insert: %w", chunk[0].Action, store.MapError(err))
		}
	}
	r := &rs[len(rs)-1]
	if err := tx.QueryRowContext(ctx, insertRecords(1)+` RETURNING id`,
		r.At, nullID(r.ActorUserID), r.Actor, nullID(r.OrgID), r.Action, r.Entity, r.EntityID,
		r.Detail, r.PrevHash, r.Hash).Scan(&r.ID); err != nil {
		return fmt.Errorf("audit: %s: insert: %w", r.Action, store.MapError(err))
	}
	res, err := tx.ExecContext(ctx, `UPDATE audit_checkpoint SET last_id = ?, last_hash = ?, updated_at = ? WHERE id = 1`,
		r.ID, r.Hash, r.At)
	if err != nil {
		return fmt.Errorf("audit: checkpoint: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		if _, err := tx.ExecContext(ctx, `INSERT INTO audit_checkpoint (id, last_id, last_hash, updated_at) VALUES (1, ?, ?, ?)`,
			r.ID, r.Hash, r.At); err != nil {
			return fmt.Errorf("audit: checkpoint: %w", err)
		}
	}
	return nil
}

// insertRecords is the statement appending n records.
func insertRecords(n int) string {
	var b strings.Builder
	b.WriteString(`INSERT INTO audit_log (at, actor_user_id, actor, org_id, action, entity, entity_id, detail, prev_hash, hash) VALUES `)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	}
	return b.String()
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// Hash computes a record's hash from its content and PrevHash, as described
// in the package documentation. ID and Hash itself are not covered.
func Hash(r Stored) string {
	h := sha256.New()
	h.Write([]byte("voisines-audit-v1\n"))
	id := func(v int64) string {
		if v == 0 {
			return ""
		}
		return strconv.FormatInt(v, 10)
	}
	for _, f := range []string{
		r.PrevHash,
		r.At.UTC().Format(time.RFC3339Nano),
		id(r.ActorUserID),
		r.Actor,
		id(r.OrgID),
		r.Action,
		r.Entity,
		r.EntityID,
		r.Detail,
	} {
		h.Write([]byte(strconv.Itoa(len(f))))
		h.Write([]byte{':'})
		h.Write([]byte(f))
		h.Write([]byte{'\n'})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Report is the result of Verify.
type Report struct {
	Records  int    `json:"records"`
	OK       bool   `json:"ok"`
	BrokenAt int64  `json:"broken_at,omitempty"` // first record id that fails
	Problem  string `json:"problem,omitempty"`
	// LastID and LastHash name the newest record walked: note them outside
	// the database to anchor a later verification.
	LastID   int64  `json:"last_id,omitempty"`
	LastHash string `json:"last_hash,omitempty"`
}

// Anchor is a record id and hash noted outside the database.
type Anchor struct {
	ID   int64
	Hash string
}

// Verify recomputes the chain and reports the first broken record.
func Verify(ctx context.Context, db *store.DB) (Report, error) {
	return verify(ctx, db, nil)
}

// VerifyAnchored is Verify, and also checks that the record anchor.ID is
// still in the chain with the hash noted earlier.
func VerifyAnchored(ctx context.Context, db *store.DB, anchor Anchor) (Report, error) {
	return verify(ctx, db, &anchor)
}

func verify(ctx context.Context, db *store.DB, anchor *Anchor) (Report, error) {
	q := db.Reader()
	// The checkpoint is read before the walk, so the walk's snapshot is at
	// least as new: records appended meanwhile come after the checkpoint.
	var cp struct {
		id   int64
		hash string
	}
	haveCheckpoint := true
	err := q.QueryRowContext(ctx, `SELECT last_id, last_hash FROM audit_checkpoint WHERE id = 1`).Scan(&cp.id, &cp.hash)
	if errors.Is(err, sql.ErrNoRows) {
		haveCheckpoint = false
	} else if err != nil {
		return Report{}, fmt.Errorf("audit: verify: read checkpoint: %w", err)
	}

	rows, err := q.QueryContext(ctx, `SELECT id, at, actor_user_id, actor, org_id, action, entity, entity_id,
		detail, prev_hash, hash FROM audit_log ORDER BY id`)
	if err != nil {
		return Report{}, fmt.Errorf("audit: verify: %w", err)
	}
	defer rows.Close()
	var rep Report
	prev := Genesis
	seenCheckpoint, seenAnchor := false, false
	for rows.Next() {
		var r Stored
		var user, org sql.NullInt64
		if err := rows.Scan(&r.ID, &r.At, &user, &r.Actor, &org, &r.Action, &r.Entity, &r.EntityID,
			&r.Detail, &r.PrevHash, &r.Hash); err != nil {
			return Report{}, fmt.Errorf("audit: verify: read record: %w", err)
		}
		r.ActorUserID, r.OrgID = user.Int64, org.Int64
		rep.Records++
		switch {
		case r.PrevHash != prev:
			return broken(rep, r.ID, "the chain is broken before record %d: its prev_hash does not name the record before it (a record was deleted, inserted or reordered)", r.ID), nil
		case Hash(r) != r.Hash:
			return broken(rep, r.ID, "record %d was altered: its content no longer matches its hash", r.ID), nil
		case haveCheckpoint && r.ID == cp.id && r.Hash != cp.hash:
			return broken(rep, r.ID, "record %d does not match the checkpoint's hash (the log was rewritten from this record on)", r.ID), nil
		case anchor != nil && r.ID == anchor.ID && r.Hash != anchor.Hash:
			return broken(rep, r.ID, "record %d does not match the anchor's hash (the log was rewritten up to this record)", r.ID), nil
		}
		seenCheckpoint = seenCheckpoint || (haveCheckpoint && r.ID == cp.id)
		seenAnchor = seenAnchor || (anchor != nil && r.ID == anchor.ID)
		prev = r.Hash
		rep.LastID, rep.LastHash = r.ID, r.Hash
	}
	if err := rows.Err(); err != nil {
		return Report{}, fmt.Errorf("audit: verify: %w", err)
	}
	switch {
	case haveCheckpoint && !seenCheckpoint:
		return broken(rep, cp.id, "record %d, the last one according to the checkpoint, is missing: records were deleted from the end of the log", cp.id), nil
	case !haveCheckpoint && rep.Records > 0:
		return broken(rep, rep.LastID, "the checkpoint is missing although the log holds %d records: it was deleted", rep.Records), nil
	case anchor != nil && !seenAnchor:
		return broken(rep, anchor.ID, "record %d, the anchor, is missing from the log", anchor.ID), nil
	}
	rep.OK = true
	return rep, nil
}

func broken(rep Report, id int64, format string, args ...any) Report {
	rep.OK = false
	rep.BrokenAt = id
	rep.Problem = fmt.Sprintf(format, args...)
	return rep
}
