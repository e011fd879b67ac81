package ledger

import (
	"context"
	"testing"

	"voisines/internal/civil"
	"voisines/internal/store"
	"voisines/internal/store/storetest"
)

// TestBatchReadsScanAlikeOnBothEngines reads rows through ComputeAll's
// readers: pgx's raw bytes where scanRow can (integers, texts), its general
// scanning where it cannot (a NULL date, a number that is not a bigint).
func TestBatchReadsScanAlikeOnBothEngines(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		s := &Service{db: db}
		type row struct {
			id         int64
			word, text string
			date       civil.Date
			doc        string
		}
		want := []row{
			{1, "heure", "Salle des fêtes", civil.MustParse("2026-03-01"), `{"mode":"forfait"}`},
			{2, "heure", "L'école", civil.Date{}, `{}`},
		}
		docs := make(docBuffers, 1)
		var got []row
		err := s.batchRead(context.Background(), `SELECT CAST(1 AS BIGINT), 'heure', 'Salle des fêtes', '2026-03-01', '{"mode":"forfait"}'
			UNION ALL SELECT CAST(2 AS BIGINT), 'heure', 'L''école', NULL, '{}' ORDER BY 1`, nil, func(rows batchRows) error {
			var r row
			word, doc := newInternText(), &docScan{free: docs}
			dest := []any{&r.id, word, &r.text, (*dateText)(&r.date), doc}
			for rows.Next() {
				if err := scanRow(rows, dest); err != nil {
					return err
				}
				r.word, r.doc = word.s, string(doc.b)
				docs.put(doc.b)
				got = append(got, r)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("got %d rows want %d", len(got), len(want))
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("row %d: got %+v want %+v", i, got[i], want[i])
			}
		}
	})
}
