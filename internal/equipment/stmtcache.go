package equipment

import (
	"context"
	"database/sql"
	"sync"

	"voisines/internal/store"
)

// stmtCache keeps the statements of the booking path prepared on SQLite.
// SQLite's driver compiles every statement it runs, and compiling costs
// more than running these small statements; on the single writer
// connection each statement is prepared once and reused by every
// transaction. PostgreSQL's driver caches prepared statements itself, so
// there the cache steps aside.
type stmtCache struct {
	db *store.DB
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

// maxCached bounds the cache: the slot inserts differ by their number of
// rows, the rest are a handful of fixed texts.
const maxCached = 400

// prepare makes sure queries are prepared. It must run outside a
// transaction: preparing takes the writer pool's only connection. The lock
// is never held while preparing, since a transaction holding that
// connection may be reading the cache.
func (c *stmtCache) prepare(ctx context.Context, queries ...string) error {
	if c.db.Dialect != store.SQLite {
		return nil
	}
	for _, q := range queries {
		c.mu.Lock()
		_, ok := c.m[q]
		full := len(c.m) >= maxCached
		c.mu.Unlock()
		if ok || full {
			continue
		}
		st, err := c.db.Raw().PrepareContext(ctx, q)
		if err != nil {
			return store.MapError(err)
		}
		c.mu.Lock()
		if c.m == nil {
			c.m = map[string]*sql.Stmt{}
		}
		if _, ok := c.m[q]; ok {
			st.Close() // prepared meanwhile by another request
		} else {
			c.m[q] = st
		}
		c.mu.Unlock()
	}
	return nil
}

// in returns a querier running tx's statements through the cache where it
// holds them, and like tx otherwise.
func (c *stmtCache) in(tx *store.Tx) cachedTx { return cachedTx{Tx: tx, c: c} }

func (c *stmtCache) get(q string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[q]
}

// cachedTx is a transaction whose statements come from the cache when they
// are there. It satisfies store.Querier.
type cachedTx struct {
	*store.Tx
	c *stmtCache
}

func (t cachedTx) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if st := t.c.get(q); st != nil {
		res, err := t.SQL().StmtContext(ctx, st).ExecContext(ctx, args...)
		return res, store.MapError(err)
	}
	return t.Tx.ExecContext(ctx, q, args...)
}

func (t cachedTx) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	if st := t.c.get(q); st != nil {
		return t.SQL().StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return t.Tx.QueryRowContext(ctx, q, args...)
}

// writerQueue hands SQLite's single writer connection to booking
// transactions in arrival order. database/sql wakes the requests waiting
// for a busy pool's connection in random order, which on a one-connection
// pool under load makes a few requests wait far longer than the others;
// the blocked senders of a channel are served first come, first served.
// On PostgreSQL writers run in parallel and the queue steps aside.
type writerQueue chan struct{}

func newWriterQueue(db *store.DB) writerQueue {
	if db.Dialect != store.SQLite {
		return nil
	}
	return make(writerQueue, 1)
}

// enter waits for the writer's turn; leave must follow.
func (q writerQueue) enter(ctx context.Context) error {
	if q == nil {
		return nil
	}
	select {
	case q <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (q writerQueue) leave() {
	if q != nil {
		<-q
	}
}
