// Package store opens the Voisines database on one of its two engines — embedded
// SQLite (the default) or PostgreSQL (the scale-out backend) — applies the embedded
// migrations, runs transactions and maps driver errors to a few sentinels.
//
// Domain packages write their own SQL with "?" placeholders; the store rebinds them
// for PostgreSQL. Dialect differences are kept to the explicit switch sites of this
// package and of the few queries that need them.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver
)

// Dialect names a database engine.
type Dialect int

// The two engines Voisines runs on.
const (
	SQLite Dialect = iota
	Postgres
)

func (d Dialect) String() string {
	if d == Postgres {
		return "postgres"
	}
	return "sqlite"
}

// Sentinel errors returned by the store and by domain packages built on it.
var (
	// ErrNotFound means the requested row does not exist (or is not visible).
	ErrNotFound = errors.New("not found")
	// ErrConflict means a write collided with existing data or with a concurrent
	// write: a unique key, a foreign key, an exclusion constraint, a stale version.
	ErrConflict = errors.New("conflict")
	// ErrStaleSchema means the database schema is older than this binary expects.
	ErrStaleSchema = errors.New("database schema is not up to date")
)

// DB is an open Voisines database. On SQLite writes go through a single-connection
// pool (SQLite has one writer) and reads through a separate pool; on PostgreSQL
// both fields share one pool.
type DB struct {
	Dialect Dialect
	write   *sql.DB
	read    *sql.DB
	dsn     string
	stmts   stmtCache
	// readStmts caches the read pool's prepared statements on SQLite:
	// unlike the writer's, they are prepared on first use, since the read
	// pool has several connections and nothing holds them.
	readStmts stmtCache
	// ckpt copies SQLite's write-ahead log back into the database file in
	// the background (checkpoint.go); nil on PostgreSQL.
	ckpt *checkpointer
}

// stmtCache keeps the writer's prepared statements by query text, so that a
// transaction on SQLite does not parse the same SQL again for every write
// (the pure-Go driver has no cache of its own; pgx has one, so PostgreSQL
// does not use this). A statement is prepared after the transaction that
// first ran it has ended, because SQLite's writer pool has one connection
// and that transaction holds it.
type stmtCache struct {
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

// maxCachedStmts bounds the cache: queries built with a variable number of
// placeholders would otherwise grow it without end.
const maxCachedStmts = 512

func (c *stmtCache) get(q string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[q]
}

// prepare prepares the queries missed by a finished transaction. The lock is
// not held while preparing: PrepareContext waits for the writer connection,
// which another transaction may hold while it looks up the cache.
func (c *stmtCache) prepare(ctx context.Context, db *sql.DB, queries map[string]bool) {
	for q := range queries {
		c.mu.Lock()
		_, have := c.m[q]
		full := len(c.m) >= maxCachedStmts
		c.mu.Unlock()
		if have || full {
			continue
		}
		st, err := db.PrepareContext(ctx, q)
		if err != nil {
			continue // the query ran once already; an error here is not the caller's
		}
		c.mu.Lock()
		if c.m == nil {
			c.m = make(map[string]*sql.Stmt)
		}
		if _, have := c.m[q]; have || len(c.m) >= maxCachedStmts {
			st.Close()
		} else {
			c.m[q] = st
		}
		c.mu.Unlock()
	}
}

// readStmt returns the read pool's prepared statement for q, preparing it
// on first use; nil when the cache is full or q does not prepare (the
// caller then runs q unprepared, which reports the error).
func (c *stmtCache) readStmt(ctx context.Context, db *sql.DB, q string) *sql.Stmt {
	c.mu.Lock()
	st, have := c.m[q]
	full := len(c.m) >= maxCachedStmts
	c.mu.Unlock()
	if have || full {
		return st
	}
	st, err := db.PrepareContext(ctx, q)
	if err != nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = make(map[string]*sql.Stmt)
	}
	if other, have := c.m[q]; have {
		st.Close() // another reader prepared it meanwhile
		return other
	}
	c.m[q] = st
	return st
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.m {
		st.Close()
	}
	c.m = nil
}

// Open opens the database named by dsn: a postgres:// or postgresql:// URL selects
// PostgreSQL, anything else is a SQLite file path.
func Open(ctx context.Context, dsn string) (*DB, error) {
	if dsn == "" {
		return nil, errors.New("store: empty database name")
	}
	if IsPostgresURL(dsn) {
		return openPostgres(ctx, dsn)
	}
	return openSQLite(ctx, dsn)
}

// IsPostgresURL reports whether dsn names a PostgreSQL database.
func IsPostgresURL(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

func openPostgres(ctx context.Context, dsn string) (*DB, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open postgres: %w", err)
	}
	db.SetMaxOpenConns(32)
	db.SetMaxIdleConns(16)
	db.SetConnMaxIdleTime(5 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: connect to postgres: %w", err)
	}
	return &DB{Dialect: Postgres, write: db, read: db, dsn: dsn}, nil
}

// dsnRole says what a SQLite connection is for.
type dsnRole int

const (
	dsnWriter     dsnRole = iota // the single writer
	dsnReader                    // the read pool: queries only
	dsnCheckpoint                // the checkpointer (checkpoint.go)
)

func sqliteDSN(path string, role dsnRole) string {
	q := url.Values{}
	// busy_timeout first, so that every later pragma waits for a lock too.
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "journal_mode(WAL)")
	// Statement journals and temporary b-trees in memory: a statement
	// that writes many rows in a transaction (a group of bookings) keeps
	// a journal to undo itself, and past 64 KiB SQLite spilled it to a
	// temporary file — created, written and deleted by the single writer
	// inside its transaction, a quarter of its time under load.
	q.Add("_pragma", "temp_store(MEMORY)")
	switch role {
	case dsnWriter:
		q.Add("_pragma", "cache_size(-32000)")
		q.Add("_pragma", fmt.Sprintf("wal_autocheckpoint(%d)", walWriterPages))
		q.Set("_txlock", "immediate")
	case dsnReader:
		q.Add("_pragma", "cache_size(-32000)")
		q.Add("_pragma", "query_only(1)")
	}
	return "file:" + path + "?" + q.Encode()
}

func openSQLite(ctx context.Context, path string) (*DB, error) {
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("store: create directory for %s: %w", path, err)
		}
	}
	w, err := sql.Open("sqlite", sqliteDSN(path, dsnWriter))
	if err != nil {
		return nil, fmt.Errorf("store: open sqlite %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open sqlite %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", sqliteDSN(path, dsnReader))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open sqlite %s for reading: %w", path, err)
	}
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	ckpt, err := startCheckpointer(path)
	if err != nil {
		w.Close()
		r.Close()
		return nil, err
	}
	return &DB{Dialect: SQLite, write: w, read: r, dsn: path, ckpt: ckpt}, nil
}

// Close closes every pool.
func (db *DB) Close() error {
	var err error
	if db.ckpt != nil {
		err = db.ckpt.stop()
	}
	db.stmts.close()
	db.readStmts.close()
	if werr := db.write.Close(); err == nil {
		err = werr
	}
	if db.read != db.write {
		if rerr := db.read.Close(); err == nil {
			err = rerr
		}
	}
	return err
}

// DSN returns the name the database was opened with.
func (db *DB) DSN() string { return db.dsn }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.read.PingContext(ctx) }

// Raw returns the writer pool, for the few callers (bulk loads, benchmarks) that
// need driver-level access. Everything else uses the query methods and InTx.
func (db *DB) Raw() *sql.DB { return db.write }

// Querier runs queries written with "?" placeholders. DB (reads outside a
// transaction) and Tx both satisfy it.
type Querier interface {
	Dialect() Dialect
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Reader returns a Querier over the read pool, for queries outside a transaction.
func (db *DB) Reader() Querier { return reader{db} }

// ShortRead returns the context for a read of a row or a few by key on
// every request's path (the session, a booking's checks). On SQLite it is
// ctx without its cancellation: such a read takes tens of microseconds in
// this process, while a cancellable context costs each statement two
// watcher goroutines (database/sql's and the driver's) and a progress
// handler, a quarter of the read's time. On PostgreSQL it is ctx itself: a
// read there crosses the network, and the request's cancellation is what
// bounds it when the connection stalls. Never for a read whose length
// depends on the data, which must stop when the client leaves.
func (db *DB) ShortRead(ctx context.Context) context.Context {
	if db.Dialect == SQLite {
		return context.WithoutCancel(ctx)
	}
	return ctx
}

type reader struct{ db *DB }

func (r reader) Dialect() Dialect { return r.db.Dialect }
func (r reader) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	res, err := r.db.write.ExecContext(ctx, r.db.Dialect.Rebind(q), args...)
	return res, MapError(err)
}
func (r reader) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if st := r.stmt(ctx, q); st != nil {
		rows, err := st.QueryContext(ctx, args...)
		return rows, MapError(err)
	}
	rows, err := r.db.read.QueryContext(ctx, r.db.Dialect.Rebind(q), args...)
	return rows, MapError(err)
}
func (r reader) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	if st := r.stmt(ctx, q); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return r.db.read.QueryRowContext(ctx, r.db.Dialect.Rebind(q), args...)
}

// stmt returns the prepared statement for q on SQLite, whose pure-Go driver
// would otherwise parse the SQL on every call; nil on PostgreSQL, where
// pgx caches statements itself.
func (r reader) stmt(ctx context.Context, q string) *sql.Stmt {
	if r.db.Dialect != SQLite {
		return nil
	}
	return r.db.readStmts.readStmt(ctx, r.db.read, q)
}

// Tx is a write transaction. Its methods take "?" placeholders.
type Tx struct {
	tx      *sql.Tx
	dialect Dialect
	// On SQLite: the cache shared by the DB, the statements bound to this
	// transaction, and the queries it ran that the cache lacked.
	cache  *stmtCache
	bound  map[string]*sql.Stmt
	missed map[string]bool
}

// stmt returns a prepared statement for q bound to this transaction, or nil
// when q is not cached yet (it is then run unprepared and cached afterwards).
func (t *Tx) stmt(ctx context.Context, q string) *sql.Stmt {
	if t.cache == nil {
		return nil
	}
	if st := t.bound[q]; st != nil {
		return st
	}
	shared := t.cache.get(q)
	if shared == nil {
		if t.missed == nil {
			t.missed = make(map[string]bool)
		}
		t.missed[q] = true
		return nil
	}
	st := t.tx.StmtContext(ctx, shared)
	if t.bound == nil {
		t.bound = make(map[string]*sql.Stmt)
	}
	t.bound[q] = st
	return st
}

// Dialect returns the engine the transaction runs on.
func (t *Tx) Dialect() Dialect { return t.dialect }

// ExecContext executes a statement inside the transaction.
func (t *Tx) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if st := t.stmt(ctx, q); st != nil {
		res, err := st.ExecContext(ctx, args...)
		return res, MapError(err)
	}
	res, err := t.tx.ExecContext(ctx, t.dialect.Rebind(q), args...)
	return res, MapError(err)
}

// QueryContext runs a query inside the transaction.
func (t *Tx) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if st := t.stmt(ctx, q); st != nil {
		rows, err := st.QueryContext(ctx, args...)
		return rows, MapError(err)
	}
	rows, err := t.tx.QueryContext(ctx, t.dialect.Rebind(q), args...)
	return rows, MapError(err)
}

// QueryRowContext runs a single-row query inside the transaction.
func (t *Tx) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	if st := t.stmt(ctx, q); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return t.tx.QueryRowContext(ctx, t.dialect.Rebind(q), args...)
}

// PrepareContext prepares a statement for repeated use inside the transaction.
func (t *Tx) PrepareContext(ctx context.Context, q string) (*sql.Stmt, error) {
	st, err := t.tx.PrepareContext(ctx, t.dialect.Rebind(q))
	return st, MapError(err)
}

// SQL returns the underlying transaction for driver-level work such as COPY.
func (t *Tx) SQL() *sql.Tx { return t.tx }

// InTx runs fn in one write transaction: committed when fn returns nil, rolled
// back otherwise. Errors are mapped to the store sentinels.
func (db *DB) InTx(ctx context.Context, fn func(tx *Tx) error) (err error) {
	sqlTx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", MapError(err))
	}
	defer func() {
		if p := recover(); p != nil {
			_ = sqlTx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = sqlTx.Rollback()
		}
	}()
	tx := &Tx{tx: sqlTx, dialect: db.Dialect}
	if db.Dialect == SQLite {
		tx.cache = &db.stmts
	}
	if err = fn(tx); err != nil {
		return err
	}
	if err = sqlTx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", MapError(err))
	}
	if len(tx.missed) > 0 {
		db.stmts.prepare(ctx, db.write, tx.missed)
	}
	if db.ckpt != nil {
		db.ckpt.restartLog(context.WithoutCancel(ctx), db.write)
	}
	return nil
}

// Rebind turns "?" placeholders into the engine's own ("$1", "$2"… for
// PostgreSQL). Question marks inside quoted strings are left alone.
func (d Dialect) Rebind(q string) string {
	if d != Postgres || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	inQuote := false
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'':
			inQuote = !inQuote
			b.WriteByte(c)
		case c == '?' && !inQuote:
			n++
			b.WriteByte('$')
			b.WriteString(fmt.Sprint(n))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// Collect reads every row of a query with scan and closes rows: the loop
// every list function would otherwise write again. err is the query's own
// error, so a call reads `rows, err := q.QueryContext(…); return
// store.Collect(rows, err, scanThing)`.
func Collect[T any](rows *sql.Rows, err error, scan func(interface{ Scan(...any) error }) (T, error)) ([]T, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		x, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}
