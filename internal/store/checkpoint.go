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
// So a checkpointer of its own, on a connection of its own, runs PASSIVE
// checkpoints every checkpointEvery: those copy what no reader still
// needs without taking the writer's lock, so writers and readers go on
// meanwhile.
//
// Copying is not enough for the log to start again from its beginning:
// SQLite restarts the log only in a write transaction that began when the
// whole log was already in the database file, and under steady writes
// there is always a commit between the checkpointer's copy and the next
// write. The log then grew until the writer's own checkpoint at
// walWriterPages, which had everything written since the last background
// checkpoint to copy: 10–16 ms inside one commit, every 0.7 s at 1,000
// bookings a second. Instead, when a background checkpoint has copied a
// log of restartPages or more, it asks the writer to checkpoint once
// after its next commit (restartLog): that checkpoint has only the few
// commits since to copy, and the write after it restarts the log. The
// writer's own checkpoint at walWriterPages is left as the backstop (a
// reader holding an old snapshot for a long time, say).

const (
	// checkpointEvery is how often the checkpointer copies the log back.
	checkpointEvery = 200 * time.Millisecond
	// walWriterPages is the log size, in pages, at which the writer
	// checkpoints by itself: only when the checkpointer falls behind.
	walWriterPages = 8000
	// restartPages is the log size, in pages, past which the writer is
	// asked to let the log restart (4 MiB with 4 KiB pages).
	restartPages = 1000
)

// checkpointer runs PASSIVE checkpoints in the background until stopped.
type checkpointer struct {
	db     *sql.DB
	cancel context.CancelFunc
	done   sync.WaitGroup
	// last is the outcome of the last checkpoint: the log's size and how
	// much of it is in the database file, in pages.
	last atomic.Pointer[[2]int]
	// restartDue asks the writer to finish a checkpoint (see restartLog).
	restartDue atomic.Bool
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
			c.tick(context.WithoutCancel(ctx))
		}
	}
}

// tick runs one background checkpoint, records its outcome and, when it
// copied a log of restartPages or more, asks the writer to let the log
// restart.
func (c *checkpointer) tick(ctx context.Context) (logPages, copied int, err error) {
	logPages, copied, err = c.checkpoint(ctx)
	if err != nil {
		return 0, 0, err
	}
	c.last.Store(&[2]int{logPages, copied})
	if logPages >= restartPages && copied == logPages {
		c.restartDue.Store(true)
	}
	return logPages, copied, nil
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

// restartLog runs, on the writer's connection and outside any
// transaction, the checkpoint a background checkpoint asked for: it copies
// the few commits since, so that the next write transaction begins with
// the whole log in the database file and starts the log again. A failure
// is left to the next request and the writer's own checkpoint.
func (c *checkpointer) restartLog(ctx context.Context, w *sql.DB) {
	if !c.restartDue.CompareAndSwap(true, false) {
		return
	}
	var busy, logPages, copied int
	_ = w.QueryRowContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &logPages, &copied)
}
