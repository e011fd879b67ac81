// Package audit keeps the append-only, hash-chained log of every write: who,
// for which organisation, what, when. Each record's hash covers its content
// and the previous record's hash, so that Verify detects any altered or
// deleted record.
package audit

import (
	"context"
	"errors"

	"voisines/internal/store"
)

var errNotYet = errors.New("audit: not implemented yet")

// Entry is one audited write.
type Entry struct {
	ActorUserID int64  // 0 for the system (CLI, import)
	Actor       string // e-mail of the user, or "system:cli"
	OrgID       int64  // organisation acted for, 0 when none
	Action      string // e.g. "organisation.update"
	Entity      string // e.g. "organisation"
	EntityID    string
	Detail      any // marshalled to JSON
}

// Record appends e to the log inside the caller's transaction, so that the
// write and its record commit or roll back together.
func Record(ctx context.Context, tx *store.Tx, e Entry) error { return errNotYet }

// Report is the result of Verify.
type Report struct {
	Records  int    `json:"records"`
	OK       bool   `json:"ok"`
	BrokenAt int64  `json:"broken_at,omitempty"` // first record id that fails
	Problem  string `json:"problem,omitempty"`
}

// Verify recomputes the chain and reports the first broken record.
func Verify(ctx context.Context, db *store.DB) (Report, error) { return Report{}, errNotYet }
