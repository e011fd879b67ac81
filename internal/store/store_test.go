package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"voisines/internal/store"
	"voisines/internal/store/storetest"
)

func TestRebindNumbersPlaceholdersOutsideQuotes(t *testing.T) {
	got := store.Postgres.Rebind(`SELECT '?' , a FROM t WHERE a = ? AND b = ?`)
	want := `SELECT '?' , a FROM t WHERE a = $1 AND b = $2`
	if got != want {
		t.Fatalf("got %q want %q", got, want)
	}
	if got := store.SQLite.Rebind("a = ?"); got != "a = ?" {
		t.Fatalf("sqlite rebind changed the query: %q", got)
	}
}

func TestStore(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()

		t.Run("migrations are recorded and idempotent", func(t *testing.T) {
			v, err := db.Version(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if v != store.Latest() {
				t.Fatalf("version: got %d want %d", v, store.Latest())
			}
			applied, err := db.Migrate(ctx)
			if err != nil || len(applied) != 0 {
				t.Fatalf("second migrate: applied %v, err %v", applied, err)
			}
			if err := db.CheckSchema(ctx); err != nil {
				t.Fatalf("check schema: %v", err)
			}
		})

		t.Run("a failed transaction leaves nothing behind", func(t *testing.T) {
			boom := errors.New("boom")
			err := db.InTx(ctx, func(tx *store.Tx) error {
				if _, err := tx.ExecContext(ctx, `INSERT INTO regions (code, name) VALUES (?, ?)`, "99", "Test"); err != nil {
					return err
				}
				return boom
			})
			if !errors.Is(err, boom) {
				t.Fatalf("got %v want boom", err)
			}
			var n int
			if err := db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM regions WHERE code = ?`, "99").Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != 0 {
				t.Fatalf("rolled-back row is visible: %d rows", n)
			}
		})

		t.Run("a duplicate key is a conflict and a missing row is not found", func(t *testing.T) {
			insert := func() error {
				return db.InTx(ctx, func(tx *store.Tx) error {
					_, err := tx.ExecContext(ctx, `INSERT INTO regions (code, name) VALUES (?, ?)`, "98", "Test")
					return err
				})
			}
			if err := insert(); err != nil {
				t.Fatal(err)
			}
			if err := insert(); !errors.Is(err, store.ErrConflict) {
				t.Fatalf("duplicate insert: got %v want ErrConflict", err)
			}
			var name string
			err := store.MapError(db.Reader().QueryRowContext(ctx, `SELECT name FROM regions WHERE code = ?`, "00").Scan(&name))
			if !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("missing row: got %v want ErrNotFound", err)
			}
		})

		t.Run("timestamps and booleans round-trip", func(t *testing.T) {
			at := time.Date(2026, 4, 30, 21, 15, 0, 0, time.UTC)
			var id int64
			err := db.InTx(ctx, func(tx *store.Tx) error {
				return tx.QueryRowContext(ctx, `INSERT INTO users (email, name, password_hash, platform_admin, created_at)
					VALUES (?, ?, ?, ?, ?) RETURNING id`, "a@example.fr", "A", "x", true, at).Scan(&id)
			})
			if err != nil {
				t.Fatal(err)
			}
			var gotAt time.Time
			var admin bool
			if err := db.Reader().QueryRowContext(ctx, `SELECT created_at, platform_admin FROM users WHERE id = ?`, id).Scan(&gotAt, &admin); err != nil {
				t.Fatal(err)
			}
			if !gotAt.Equal(at) || !admin {
				t.Fatalf("got %v %v want %v true", gotAt, admin, at)
			}
		})
	})
}

func TestCheckSchemaRefusesAnEmptyDatabase(t *testing.T) {
	db, err := store.Open(context.Background(), t.TempDir()+"/empty.db")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.CheckSchema(context.Background()); !errors.Is(err, store.ErrStaleSchema) {
		t.Fatalf("got %v want ErrStaleSchema", err)
	}
}

func TestCachedStatementsSeeTheirTransaction(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		insert := `INSERT INTO regions (code, name) VALUES (?, ?)`
		count := `SELECT COUNT(*) FROM regions WHERE code LIKE 'C%'`
		// Three rounds: the first runs unprepared and fills the cache, the
		// others run the cached statements; each must see its own writes and
		// a rolled-back round must leave nothing.
		for i, commit := range []bool{true, false, true} {
			err := db.InTx(ctx, func(tx *store.Tx) error {
				if _, err := tx.ExecContext(ctx, insert, fmt.Sprintf("C%d", i), "x"); err != nil {
					return err
				}
				var n int
				if err := tx.QueryRowContext(ctx, count).Scan(&n); err != nil {
					return err
				}
				if !commit {
					return errors.New("rollback")
				}
				return nil
			})
			if commit && err != nil {
				t.Fatalf("round %d: %v", i, err)
			}
		}
		var n int
		if err := db.Reader().QueryRowContext(ctx, count).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 2 {
			t.Fatalf("committed rows: got %d want 2", n)
		}
		err := db.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.ExecContext(ctx, insert, "C0", "again")
			return err
		})
		if !errors.Is(err, store.ErrConflict) {
			t.Fatalf("duplicate through a cached statement: got %v want ErrConflict", err)
		}
	})
}

// TestReadsSeeWritesAndSchemaChangesThroughTheirCache runs the same read
// query before and after writes and a schema change: the read pool's
// prepared statements (SQLite) must never answer from a stale plan.
func TestReadsSeeWritesAndSchemaChangesThroughTheirCache(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		exec := func(q string, args ...any) {
			t.Helper()
			if err := db.InTx(ctx, func(tx *store.Tx) error { _, err := tx.ExecContext(ctx, q, args...); return err }); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		exec(`CREATE TABLE cache_probe (id INTEGER PRIMARY KEY, label TEXT NOT NULL)`)
		count := func() (n int) {
			t.Helper()
			if err := db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM cache_probe WHERE label <> ?`, "").Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		for i := 1; i <= 3; i++ {
			exec(`INSERT INTO cache_probe (id, label) VALUES (?, ?)`, i, fmt.Sprint("ligne ", i))
			if got := count(); got != i {
				t.Fatalf("after %d inserts: got %d rows want %d", i, got, i)
			}
		}
		columns := func() []string {
			t.Helper()
			rows, err := db.Reader().QueryContext(ctx, `SELECT * FROM cache_probe WHERE id = ?`, 2)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			cols, err := rows.Columns()
			if err != nil {
				t.Fatal(err)
			}
			return cols
		}
		if cols := columns(); len(cols) != 2 {
			t.Fatalf("SELECT *: got columns %v, want id, label", cols)
		}
		exec(`ALTER TABLE cache_probe ADD COLUMN note TEXT`)
		exec(`UPDATE cache_probe SET note = 'vu' WHERE id = 2`)
		if got := count(); got != 3 {
			t.Fatalf("after the schema change: got %d rows want 3", got)
		}
		if db.Dialect != store.SQLite {
			// pgx's own statement cache refuses a SELECT * whose columns
			// changed ("cached plan must not change result type"); Voisines
			// names its columns, and migrations run before serving.
			return
		}
		if cols := columns(); len(cols) != 3 {
			t.Fatalf("SELECT * after ADD COLUMN: got columns %v, want id, label, note", cols)
		}
	})
}

func TestSQLiteKeepsStatementJournalsInMemory(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	var writer, reader int
	if err := db.Raw().QueryRowContext(ctx, `PRAGMA temp_store`).Scan(&writer); err != nil {
		t.Fatal(err)
	}
	if err := db.Reader().QueryRowContext(ctx, `PRAGMA temp_store`).Scan(&reader); err != nil {
		t.Fatal(err)
	}
	// 2 is MEMORY: no temporary file for a statement journal or a sort.
	if writer != 2 || reader != 2 {
		t.Errorf("temp_store: got writer %d, reader %d; want 2 (MEMORY) on both", writer, reader)
	}
}

// TestShortReadDropsCancellationOnlyOnSQLite: on SQLite a short read runs
// without the request's cancellation (no watcher goroutines); on
// PostgreSQL it keeps it, the only bound on a read over a stalled network.
func TestShortReadDropsCancellationOnlyOnSQLite(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		err := db.ShortRead(ctx).Err()
		if db.Dialect == store.SQLite && err != nil {
			t.Errorf("SQLite: short read context: %v, want no cancellation", err)
		}
		if db.Dialect == store.Postgres && err == nil {
			t.Error("PostgreSQL: short read context not cancelled with the request")
		}
	})
}
