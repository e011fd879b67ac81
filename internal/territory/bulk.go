package territory

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"voisines/internal/store"
)

// column is one column of a bulk write: its name, its PostgreSQL array type
// and its values as a typed slice ([]string, []*string, []int64, []*int64,
// []bool or []time.Time; a nil pointer is SQL NULL).
type column struct {
	name   string
	pgType string
	vals   any
}

func textCol(name string, v []string) column      { return column{name, "text[]", v} }
func nullTextCol(name string, v []*string) column { return column{name, "text[]", v} }
func intCol(name string, v []int64) column        { return column{name, "bigint[]", v} }
func nullIntCol(name string, v []*int64) column   { return column{name, "bigint[]", v} }
func boolCol(name string, v []bool) column        { return column{name, "boolean[]", v} }
func timeCol(name string, v []time.Time) column   { return column{name, "timestamptz[]", v} }

// at returns the value of row i, with nil for SQL NULL.
func (c column) at(i int) any {
	switch v := c.vals.(type) {
	case []string:
		return v[i]
	case []*string:
		if v[i] == nil {
			return nil
		}
		return *v[i]
	case []int64:
		return v[i]
	case []*int64:
		if v[i] == nil {
			return nil
		}
		return *v[i]
	case []bool:
		return v[i]
	case []time.Time:
		return v[i]
	}
	panic(fmt.Sprintf("territory: column %s: unsupported type %T", c.name, c.vals))
}

func (c column) len() int {
	switch v := c.vals.(type) {
	case []string:
		return len(v)
	case []*string:
		return len(v)
	case []int64:
		return len(v)
	case []*int64:
		return len(v)
	case []bool:
		return len(v)
	case []time.Time:
		return len(v)
	}
	panic(fmt.Sprintf("territory: column %s: unsupported type %T", c.name, c.vals))
}

// upsert describes an INSERT … ON CONFLICT (key) DO UPDATE of many rows. Only
// the columns in update are overwritten on conflict, and a row is rewritten
// only when one of them differs, so that importing the same data twice writes
// nothing the second time.
type upsert struct {
	table  string
	cols   []column
	key    []string // conflict target
	update []string // columns set from the new row on conflict
	// compare lists the columns whose difference triggers the update; it
	// defaults to update (a timestamp in update but not in compare then only
	// moves when something else changed).
	compare []string
	stage   string // progress stage name
	// empty says the table holds no row that could conflict (checked in the
	// same transaction): a plain INSERT then does the same for less, as
	// PostgreSQL's ON CONFLICT probes the key index before every row.
	empty bool
}

// sqliteBatchRows bounds the rows of one multi-row INSERT on SQLite, so that a
// statement stays under SQLite's host-parameter limit (32,766).
const sqliteBatchRows = 256

func (u upsert) conflictClause(excluded string) string {
	if u.empty {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, " ON CONFLICT (%s) DO ", strings.Join(u.key, ", "))
	if len(u.update) == 0 {
		b.WriteString("NOTHING")
		return b.String()
	}
	b.WriteString("UPDATE SET ")
	for i, c := range u.update {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s = %s.%s", c, excluded, c)
	}
	compare := u.compare
	if compare == nil {
		compare = u.update
	}
	b.WriteString(" WHERE ")
	for i, c := range compare {
		if i > 0 {
			b.WriteString(" OR ")
		}
		fmt.Fprintf(&b, "%s.%s IS DISTINCT FROM %s.%s", u.table, c, excluded, c)
	}
	return b.String()
}

func (u upsert) names() string {
	names := make([]string, len(u.cols))
	for i, c := range u.cols {
		names[i] = c.name
	}
	return strings.Join(names, ", ")
}

// run writes every row through tx: on PostgreSQL in one statement that
// unnests one array per column; on SQLite in prepared multi-row INSERTs.
func (u upsert) run(ctx context.Context, tx *store.Tx, progress Progress) error {
	if len(u.cols) == 0 || u.cols[0].len() == 0 {
		return nil
	}
	n := u.cols[0].len()
	for _, c := range u.cols {
		if c.len() != n {
			return fmt.Errorf("territory: %s: column %s has %d values, want %d", u.table, c.name, c.len(), n)
		}
	}
	if progress != nil {
		progress(u.stage, 0, n)
	}
	if n == 0 {
		return nil
	}
	var err error
	if tx.Dialect() == store.Postgres {
		err = u.runPostgres(ctx, tx)
	} else {
		err = u.runSQLite(ctx, tx, n, progress)
	}
	if err != nil {
		return fmt.Errorf("territory: write %s: %w", u.table, err)
	}
	if progress != nil {
		progress(u.stage, n, n)
	}
	return nil
}

func (u upsert) runPostgres(ctx context.Context, tx *store.Tx) error {
	var b strings.Builder
	fmt.Fprintf(&b, "INSERT INTO %s (%s) SELECT * FROM unnest(", u.table, u.names())
	args := make([]any, len(u.cols))
	for i, c := range u.cols {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "?::%s", c.pgType)
		args[i] = c.vals
	}
	b.WriteString(")")
	b.WriteString(u.conflictClause("excluded"))
	_, err := tx.ExecContext(ctx, b.String(), args...)
	return err
}

func (u upsert) runSQLite(ctx context.Context, tx *store.Tx, n int, progress Progress) error {
	row := "(" + strings.Repeat("?, ", len(u.cols)-1) + "?)"
	statement := func(rows int) string {
		var b strings.Builder
		fmt.Fprintf(&b, "INSERT INTO %s (%s) VALUES ", u.table, u.names())
		for i := 0; i < rows; i++ {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(row)
		}
		b.WriteString(u.conflictClause("excluded"))
		return b.String()
	}
	var full *sql.Stmt
	defer func() {
		if full != nil {
			full.Close()
		}
	}()
	args := make([]any, 0, sqliteBatchRows*len(u.cols))
	for start := 0; start < n; start += sqliteBatchRows {
		end := min(start+sqliteBatchRows, n)
		args = args[:0]
		for i := start; i < end; i++ {
			for _, c := range u.cols {
				args = append(args, c.at(i))
			}
		}
		var err error
		if end-start == sqliteBatchRows {
			if full == nil {
				if full, err = tx.PrepareContext(ctx, statement(sqliteBatchRows)); err != nil {
					return err
				}
			}
			_, err = full.ExecContext(ctx, args...)
		} else {
			_, err = tx.ExecContext(ctx, statement(end-start), args...)
		}
		if err != nil {
			return store.MapError(err)
		}
		if progress != nil {
			progress(u.stage, end, n)
		}
	}
	return nil
}
