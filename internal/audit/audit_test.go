package audit_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"voisines/internal/audit"
	"voisines/internal/store"
	"voisines/internal/store/storetest"
)

func TestHashEncodingIsStable(t *testing.T) {
	r := audit.Stored{
		At:          time.Date(2026, 4, 30, 21, 15, 0, 123456000, time.UTC),
		ActorUserID: 7,
		Actor:       "clerk@rodez.fr",
		OrgID:       12,
		Action:      "organisation.update_profile",
		Entity:      "organisation",
		EntityID:    "12",
		Detail:      `{"version":2}`,
		PrevHash:    audit.Genesis,
	}
	// Changing this value changes the meaning of every stored hash: never do it
	// without a new encoding version.
	const want = "3a0c75fef31540e8c060ff225b4b5c41b45978ceea27d1eef0711c1ad04fae45"
	if got := audit.Hash(r); got != want {
		t.Fatalf("got %s want %s", got, want)
	}
	t.Run("the time zone of the instant does not matter", func(t *testing.T) {
		paris := r
		paris.At = r.At.In(time.FixedZone("CEST", 2*3600))
		if audit.Hash(paris) != want {
			t.Fatal("got a different hash for the same instant in another zone")
		}
	})
	t.Run("moving bytes from one field to the next changes the hash", func(t *testing.T) {
		a, b := r, r
		a.Entity, a.EntityID = "organisation1", "2"
		b.Entity, b.EntityID = "organisation", "12"
		if audit.Hash(a) == audit.Hash(b) {
			t.Fatal("got the same hash for different field boundaries")
		}
	})
	t.Run("dropping the organisation changes the hash", func(t *testing.T) {
		a := r
		a.OrgID = 0
		if audit.Hash(a) == want {
			t.Fatal("got the same hash without the organisation")
		}
	})
}

// appendN records n entries, one transaction each, and returns their ids in order.
func appendN(t *testing.T, db *store.DB, n int) []int64 {
	t.Helper()
	ctx := context.Background()
	for i := range n {
		err := db.InTx(ctx, func(tx *store.Tx) error {
			return audit.Record(ctx, tx, audit.Entry{ActorUserID: int64(i%3 + 1), Actor: fmt.Sprintf("user%d@example.fr", i%3+1),
				OrgID: int64(i%2 + 10), Action: "test.write", Entity: "thing", EntityID: fmt.Sprint(i),
				Detail: map[string]any{"n": i, "note": "écrit « ici »"}})
		})
		if err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
	}
	return ids(t, db)
}

func ids(t *testing.T, db *store.DB) []int64 {
	t.Helper()
	rows, err := db.Reader().QueryContext(context.Background(), `SELECT id FROM audit_log ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		out = append(out, id)
	}
	return out
}

func exec(t *testing.T, db *store.DB, q string, args ...any) {
	t.Helper()
	err := db.InTx(context.Background(), func(tx *store.Tx) error {
		_, err := tx.ExecContext(context.Background(), q, args...)
		return err
	})
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func reset(t *testing.T, db *store.DB) {
	exec(t, db, `DELETE FROM audit_log`)
	exec(t, db, `DELETE FROM audit_checkpoint`)
}

func TestVerify(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()

		t.Run("an empty log is intact", func(t *testing.T) {
			rep, err := audit.Verify(ctx, db)
			if err != nil || !rep.OK || rep.Records != 0 {
				t.Fatalf("got %+v, %v want an intact empty log", rep, err)
			}
		})

		t.Run("an untouched chain is intact and names its last record", func(t *testing.T) {
			reset(t, db)
			id := appendN(t, db, 5)
			rep, err := audit.Verify(ctx, db)
			if err != nil || !rep.OK || rep.Records != 5 || rep.LastID != id[4] || len(rep.LastHash) != 64 {
				t.Fatalf("got %+v, %v want 5 intact records ending at %d", rep, err, id[4])
			}
			var first, detail string
			if err := db.Reader().QueryRowContext(ctx, `SELECT prev_hash, detail FROM audit_log WHERE id = ?`, id[0]).Scan(&first, &detail); err != nil {
				t.Fatal(err)
			}
			if first != audit.Genesis {
				t.Fatalf("first prev_hash: got %s want Genesis", first)
			}
			if want := `{"n":0,"note":"écrit « ici »"}`; detail != want {
				t.Fatalf("detail: got %s want %s", detail, want)
			}
		})

		// Each case starts from a fresh chain of five records and damages it.
		tests := []struct {
			name    string
			damage  func(id []int64)
			broken  func(id []int64) int64
			problem string
		}{
			{
				name:    "a tampered detail is reported at its record",
				damage:  func(id []int64) { exec(t, db, `UPDATE audit_log SET detail = ? WHERE id = ?`, `{"n":99}`, id[2]) },
				broken:  func(id []int64) int64 { return id[2] },
				problem: "altered",
			},
			{
				name:    "a tampered actor is reported at its record",
				damage:  func(id []int64) { exec(t, db, `UPDATE audit_log SET actor = ? WHERE id = ?`, "someone@else.fr", id[1]) },
				broken:  func(id []int64) int64 { return id[1] },
				problem: "altered",
			},
			{
				name: "a tampered instant is reported at its record",
				damage: func(id []int64) {
					exec(t, db, `UPDATE audit_log SET at = ? WHERE id = ?`, time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), id[3])
				},
				broken:  func(id []int64) int64 { return id[3] },
				problem: "altered",
			},
			{
				name:    "a deleted middle record is reported at the record after it",
				damage:  func(id []int64) { exec(t, db, `DELETE FROM audit_log WHERE id = ?`, id[2]) },
				broken:  func(id []int64) int64 { return id[3] },
				problem: "chain is broken",
			},
			{
				name: "two swapped records are reported at the first of them",
				damage: func(id []int64) {
					exec(t, db, `UPDATE audit_log SET id = ? WHERE id = ?`, int64(1_000_000), id[1])
					exec(t, db, `UPDATE audit_log SET id = ? WHERE id = ?`, id[1], id[2])
					exec(t, db, `UPDATE audit_log SET id = ? WHERE id = ?`, id[2], int64(1_000_000))
				},
				broken:  func(id []int64) int64 { return id[1] },
				problem: "chain is broken",
			},
			{
				name:    "records deleted from the end are reported by the checkpoint",
				damage:  func(id []int64) { exec(t, db, `DELETE FROM audit_log WHERE id >= ?`, id[3]) },
				broken:  func(id []int64) int64 { return id[4] },
				problem: "deleted from the end",
			},
			{
				name:    "a deleted checkpoint is reported",
				damage:  func(id []int64) { exec(t, db, `DELETE FROM audit_checkpoint`) },
				broken:  func(id []int64) int64 { return id[4] },
				problem: "checkpoint is missing",
			},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				reset(t, db)
				id := appendN(t, db, 5)
				tt.damage(id)
				rep, err := audit.Verify(ctx, db)
				if err != nil {
					t.Fatal(err)
				}
				if rep.OK || rep.BrokenAt != tt.broken(id) || !strings.Contains(rep.Problem, tt.problem) {
					t.Fatalf("got %+v want broken at %d with %q", rep, tt.broken(id), tt.problem)
				}
			})
		}

		t.Run("a full rewrite passes Verify but not an anchor noted before", func(t *testing.T) {
			reset(t, db)
			id := appendN(t, db, 5)
			before, err := audit.Verify(ctx, db)
			if err != nil || !before.OK {
				t.Fatalf("got %+v, %v", before, err)
			}
			anchor := audit.Anchor{ID: before.LastID, Hash: before.LastHash}
			if rep, err := audit.VerifyAnchored(ctx, db, anchor); err != nil || !rep.OK {
				t.Fatalf("untouched log with its anchor: got %+v, %v want intact", rep, err)
			}
			// Someone with write access changes record 2 and recomputes every
			// hash after it, checkpoint included: no secret stops them.
			exec(t, db, `UPDATE audit_log SET detail = ? WHERE id = ?`, `{"n":"forged"}`, id[1])
			rewriteFrom(t, db, id[1])
			if rep, err := audit.Verify(ctx, db); err != nil || !rep.OK {
				t.Fatalf("rewritten log: got %+v, %v want it to pass (undetectable without an anchor)", rep, err)
			}
			rep, err := audit.VerifyAnchored(ctx, db, anchor)
			if err != nil || rep.OK || rep.BrokenAt != anchor.ID {
				t.Fatalf("rewritten log with the old anchor: got %+v, %v want broken at %d", rep, err, anchor.ID)
			}
		})

		t.Run("a rolled-back write leaves no record and the chain goes on", func(t *testing.T) {
			reset(t, db)
			appendN(t, db, 2)
			boom := fmt.Errorf("boom")
			err := db.InTx(ctx, func(tx *store.Tx) error {
				if err := audit.Record(ctx, tx, audit.Entry{Actor: "system:test", Action: "test.write", Entity: "thing"}); err != nil {
					return err
				}
				return boom
			})
			if err != boom {
				t.Fatalf("got %v want boom", err)
			}
			appendN(t, db, 1)
			rep, err := audit.Verify(ctx, db)
			if err != nil || !rep.OK || rep.Records != 3 {
				t.Fatalf("got %+v, %v want 3 intact records", rep, err)
			}
		})

		t.Run("RecordMany appends its entries in order, chained as Record would", func(t *testing.T) {
			for _, n := range []int{0, 1, 2, 16, 17, 40} {
				reset(t, db)
				appendN(t, db, 2)
				entries := make([]audit.Entry, n)
				for i := range entries {
					entries[i] = audit.Entry{ActorUserID: int64(i%2 + 1), Actor: "clerk@rodez.fr", OrgID: int64(i%3) * 10,
						Action: "test.batch", Entity: "thing", EntityID: fmt.Sprint(i), Detail: map[string]any{"i": i}}
				}
				if err := db.InTx(ctx, func(tx *store.Tx) error { return audit.RecordMany(ctx, tx, entries) }); err != nil {
					t.Fatalf("%d entries: %v", n, err)
				}
				appendN(t, db, 1)
				rep, err := audit.Verify(ctx, db)
				if err != nil || !rep.OK || rep.Records != n+3 {
					t.Fatalf("%d entries: got %+v, %v want %d intact records", n, rep, err, n+3)
				}
				rows, err := db.Reader().QueryContext(ctx, `SELECT entity_id FROM audit_log WHERE action = 'test.batch' ORDER BY id`)
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for rows.Next() {
					var s string
					if err := rows.Scan(&s); err != nil {
						t.Fatal(err)
					}
					got = append(got, s)
				}
				rows.Close()
				for i, s := range got {
					if s != fmt.Sprint(i) {
						t.Fatalf("%d entries: got entity ids %v want 0…%d in order", n, got, n-1)
					}
				}
				if len(got) != n {
					t.Fatalf("%d entries: got %d records", n, len(got))
				}
			}
		})

		t.Run("RecordMany refuses the whole batch for one bad entry", func(t *testing.T) {
			reset(t, db)
			err := db.InTx(ctx, func(tx *store.Tx) error {
				return audit.RecordMany(ctx, tx, []audit.Entry{{Actor: "a", Action: "x", Entity: "y"}, {Action: "x", Entity: "y"}})
			})
			if err == nil {
				t.Fatal("got nil want an error")
			}
			if got := ids(t, db); len(got) != 0 {
				t.Fatalf("got records %v want none", got)
			}
		})

		t.Run("an entry without actor, action or entity is refused", func(t *testing.T) {
			err := db.InTx(ctx, func(tx *store.Tx) error {
				return audit.Record(ctx, tx, audit.Entry{Action: "x", Entity: "y"})
			})
			if err == nil {
				t.Fatal("got nil want an error")
			}
		})

		t.Run("concurrent writers keep one valid chain", func(t *testing.T) {
			reset(t, db)
			const writers = 20
			var wg sync.WaitGroup
			errs := make(chan error, writers)
			for i := range writers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs <- db.InTx(ctx, func(tx *store.Tx) error {
						// Some work before the record, as a real write would do.
						if _, err := tx.ExecContext(ctx, `INSERT INTO regions (code, name) VALUES (?, ?)`,
							fmt.Sprintf("c%d", i), "concurrent"); err != nil {
							return err
						}
						return audit.Record(ctx, tx, audit.Entry{ActorUserID: int64(i + 1), Actor: fmt.Sprintf("w%d@example.fr", i),
							Action: "test.concurrent", Entity: "thing", EntityID: fmt.Sprint(i)})
					})
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatalf("writer: %v", err)
				}
			}
			rep, err := audit.Verify(ctx, db)
			if err != nil || !rep.OK || rep.Records != writers {
				t.Fatalf("got %+v, %v want %d intact records", rep, err, writers)
			}
			var forks int
			if err := db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT prev_hash FROM audit_log
				GROUP BY prev_hash HAVING COUNT(*) > 1) AS f`).Scan(&forks); err != nil {
				t.Fatal(err)
			}
			if forks != 0 {
				t.Fatalf("got %d forked hashes want 0", forks)
			}
		})
	})
}

// rewriteFrom recomputes the hash of every record from id on, and the
// checkpoint, as a forger with write access would.
func rewriteFrom(t *testing.T, db *store.DB, from int64) {
	t.Helper()
	ctx := context.Background()
	var prev string
	err := db.Reader().QueryRowContext(ctx, `SELECT hash FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT 1`, from).Scan(&prev)
	if err != nil {
		prev = audit.Genesis
	}
	rows, err := db.Reader().QueryContext(ctx, `SELECT id, at, actor_user_id, actor, org_id, action, entity, entity_id, detail
		FROM audit_log WHERE id >= ? ORDER BY id`, from)
	if err != nil {
		t.Fatal(err)
	}
	var recs []audit.Stored
	for rows.Next() {
		var r audit.Stored
		var user, org *int64
		if err := rows.Scan(&r.ID, &r.At, &user, &r.Actor, &org, &r.Action, &r.Entity, &r.EntityID, &r.Detail); err != nil {
			t.Fatal(err)
		}
		if user != nil {
			r.ActorUserID = *user
		}
		if org != nil {
			r.OrgID = *org
		}
		recs = append(recs, r)
	}
	rows.Close()
	for _, r := range recs {
		r.PrevHash = prev
		r.Hash = audit.Hash(r)
		exec(t, db, `UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?`, r.PrevHash, r.Hash, r.ID)
		exec(t, db, `UPDATE audit_checkpoint SET last_id = ?, last_hash = ?`, r.ID, r.Hash)
		prev = r.Hash
	}
}
