package store

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Checkpoints on SQLite
//
// In WAL mode a commit appends pages to the write-ahead log, and a
// checkpoint copies them back into the database file and syncs both
// files to disk. Left to itself, SQLite checkpoints inside the commit
// that makes the log pass 1,000 pages: that commit, and every write
// queued behind the single writer, then waits for two fsyncs and a
// thousand page copies — tens of milliseconds, the latency tail of every
// write under load.
//
// So the writer checkpoints only as a last resort (at walWriterPages),
// and a checkpointer of its own, on a connection of its own, runs PASSIVE
// checkpoints every checkpointEvery: those copy what no reader still
// needs without taking the writer's lock, so writers and readers go on
// meanwhile. A commit that finds the whole log copied starts it again
// from its beginning. Under writes without a pause the checkpointer is
// always a few commits behind and the log grows to walWriterPages; the
// writer's checkpoint then finds nearly everything already copied and
// synced, and is short.

const (
	// checkpointEvery is how often the checkpointer copies the log back.
	checkpointEvery = 200 * time.Millisecond
	// walWriterPages is the log size, in pages, at which the writer
	// checkpoints by itself: only when the checkpointer falls behind
	// (a reader holding an old snapshot for a long time, say).
	walWriterPages = 8000
)

// checkpointer runs PASSIVE checkpoints in the background until stopped.
type checkpointer struct {
	db     *sql.DB
	cancel context.CancelFunc
	done   sync.WaitGroup
	// last is the outcome of the last checkpoint: the log's size and how
	// much of it is in the database file, in pages.
	last atomic.Pointer[[2]int]
}

// startCheckpointer opens the checkpointer's connection to path and
// starts it.
func startCheckpointer(path string) (*checkpointer, error) {
	db, err := sql.Open("sqlite", sqliteDSN(path, dsnCheckpoint))
	if err != nil {
		return nil, fmt.Errorf("store: open sqlite %s for checkpoints: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	ctx, cancel := context.WithCancel(context.Background())
	c := &checkpointer{db: db, cancel: cancel}
	c.done.Add(1)
	go c.run(ctx)
	return c, nil
}

func (c *checkpointer) run(ctx context.Context) {
	defer c.done.Done()
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			// An error (the database busy in an exclusive transaction,
			// say) is retried at the next tick; the writer's own
			// checkpoints are the backstop.
			if logPages, copied, err := c.checkpoint(context.WithoutCancel(ctx)); err == nil {
				c.last.Store(&[2]int{logPages, copied})
			}
		}
	}
}

// checkpoint runs one PASSIVE checkpoint and returns the log's size and
// how much of it is now in the database file, in pages.
func (c *checkpointer) checkpoint(ctx context.Context) (logPages, copied int, err error) {
	var busy int
	err = c.db.QueryRowContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &logPages, &copied)
	return logPages, copied, err
}

// stop ends the checkpointer and closes its connection; the database's
// last connection to close checkpoints what is left.
func (c *checkpointer) stop() error {
	c.cancel()
	c.done.Wait()
	return c.db.Close()
}
