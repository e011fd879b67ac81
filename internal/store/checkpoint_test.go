package store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestTheCheckpointerCopiesTheLogBack writes many pages in commits of the
// single writer, then waits for a background checkpoint to have copied
// them all into the database file — the writer's own checkpoint would
// come only at walWriterPages — and for the log to start again from its
// beginning at the next commit.
func TestTheCheckpointerCopiesTheLogBack(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "wal.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE filler (id INTEGER PRIMARY KEY, body BLOB NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	insert := func(pages int) {
		t.Helper()
		if err := db.InTx(ctx, func(tx *Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO filler (body) VALUES (?)`, []byte(strings.Repeat("x", pages*4096)))
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	// waitFor polls the checkpointer's last outcome until ok holds.
	waitFor := func(what string, ok func(logPages, copied int) bool) (logPages, copied int) {
		t.Helper()
		deadline := time.Now().Add(10 * checkpointEvery)
		for time.Now().Before(deadline) {
			if last := db.ckpt.last.Load(); last != nil && ok(last[0], last[1]) {
				return last[0], last[1]
			}
			time.Sleep(checkpointEvery / 10)
		}
		last := db.ckpt.last.Load()
		t.Fatalf("%s: the checkpointer's last outcome is %v (log pages, pages copied)", what, last)
		return 0, 0
	}
	for range 100 {
		insert(16)
	}
	logPages, _ := waitFor("after 1,600 pages", func(logPages, copied int) bool { return logPages >= 1600 && copied == logPages })
	if logPages >= walWriterPages {
		t.Fatalf("log of %d pages: the writer would have checkpointed by itself", logPages)
	}
	insert(4) // the log is all copied: this commit starts it again
	waitFor("after a commit on a copied log", func(logPages, copied int) bool { return logPages < 100 && copied == logPages })
}

// TestCloseStopsTheCheckpointer checks that closing the database ends the
// checkpointer and closes its connection.
func TestCloseStopsTheCheckpointer(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "close.db"))
	if err != nil {
		t.Fatal(err)
	}
	c := db.ckpt
	if c == nil {
		t.Fatal("no checkpointer on a SQLite database")
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.db.PingContext(ctx); err == nil {
		t.Fatal("the checkpointer's connection still answers after Close")
	}
}

// TestTheWriterLetsTheLogRestartUnderSteadyWrites reproduces what steady
// writes do: a commit lands while the background checkpoint copies the
// log, so the next write finds part of the log not yet copied and cannot
// start it again; the log then grows until the writer's own, long
// checkpoint at walWriterPages. With the writer's short checkpoint after
// that commit, the next write starts the log again; without it (the
// request cleared), the log keeps growing.
func TestTheWriterLetsTheLogRestartUnderSteadyWrites(t *testing.T) {
	for _, handOff := range []bool{true, false} {
		name := "with the writer's checkpoint the log starts again"
		if !handOff {
			name = "without it the log keeps growing"
		}
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			db, err := Open(ctx, filepath.Join(t.TempDir(), "restart.db"))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			// The test runs the checkpoints itself, at chosen moments.
			db.ckpt.cancel()
			db.ckpt.done.Wait()
			if _, err := db.write.ExecContext(ctx, `CREATE TABLE filler (id INTEGER PRIMARY KEY, body BLOB NOT NULL)`); err != nil {
				t.Fatal(err)
			}
			insert := func(tx *Tx, pages int) error {
				_, err := tx.ExecContext(ctx, `INSERT INTO filler (body) VALUES (?)`, []byte(strings.Repeat("x", pages*4096)))
				return err
			}
			for range 100 {
				if err := db.InTx(ctx, func(tx *Tx) error { return insert(tx, 16) }); err != nil {
					t.Fatal(err)
				}
			}
			// A write in progress while the background checkpoint copies
			// the log, committed after it.
			written, release, committed := make(chan struct{}), make(chan struct{}), make(chan error)
			go func() {
				committed <- db.InTx(ctx, func(tx *Tx) error {
					err := insert(tx, 1)
					close(written)
					<-release
					return err
				})
			}()
			<-written
			logPages, copied, err := db.ckpt.tick(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if logPages < 1600 || copied != logPages {
				t.Fatalf("background checkpoint: %d pages copied of a log of %d, want the whole log of 1,600 pages or more", copied, logPages)
			}
			if !db.ckpt.restartDue.Load() {
				t.Fatalf("a copied log of %d pages did not ask the writer to let it restart", logPages)
			}
			if !handOff {
				db.ckpt.restartDue.Store(false)
			}
			close(release)
			if err := <-committed; err != nil {
				t.Fatal(err)
			}
			if err := db.InTx(ctx, func(tx *Tx) error { return insert(tx, 1) }); err != nil {
				t.Fatal(err)
			}
			logPages, _, err = db.ckpt.tick(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if restarted := logPages < 100; restarted != handOff {
				t.Fatalf("log of %d pages after the next write; want it started again: %v", logPages, handOff)
			}
		})
	}
}
