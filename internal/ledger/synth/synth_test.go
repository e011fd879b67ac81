package synth_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"voisines/internal/agreement"
	"voisines/internal/auth"
	"voisines/internal/civil"
	"voisines/internal/ledger"
	"voisines/internal/ledger/synth"
	"voisines/internal/org"
	"voisines/internal/store"
	"voisines/internal/store/storetest"
	"voisines/internal/territory"
)

// smallTerritory inserts twelve communes in two EPCI, each bordering the
// next, with their municipal populations.
func smallTerritory(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	err := db.InTx(ctx, func(tx *store.Tx) error {
		for i, siren := range []string{"200000001", "200000002"} {
			if _, err := tx.ExecContext(ctx, `INSERT INTO epcis (siren, name, type, financing) VALUES (?, ?, 'CC', 'FPU')`,
				siren, fmt.Sprintf("CC numéro %d", i+1)); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO organisations (kind, name, epci_siren, created_at, updated_at) VALUES ('epci', ?, ?, ?, ?)`,
				fmt.Sprintf("CC numéro %d", i+1), siren, now, now); err != nil {
				return err
			}
		}
		for i := range 12 {
			code := fmt.Sprintf("99%03d", i+1)
			epci := "200000001"
			if i >= 6 {
				epci = "200000002"
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO communes (code, name, siren, departement_code, epci_siren) VALUES (?, ?, ?, '99', ?)`,
				code, "Commune "+code, fmt.Sprintf("21%07d", i+1), epci); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO organisations (kind, name, commune_code, created_at, updated_at) VALUES ('commune', ?, ?, ?, ?)`,
				"Commune "+code, code, now, now); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO commune_populations (commune_code, measure, source, vintage, value)
				VALUES (?, 'municipale', 'communes.json', '2026', ?)`, code, 150+i*731); err != nil {
				return err
			}
			if i > 0 {
				if _, err := tx.ExecContext(ctx, `INSERT INTO commune_adjacency (code_a, code_b, border_m) VALUES (?, ?, 1000)`,
					fmt.Sprintf("99%03d", i), code); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestASyntheticYearIsComputedAlikeInBulkAndOneByOne(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		smallTerritory(t, db)
		rep, err := synth.Generate(ctx, db, synth.Options{Conventions: 400, UsageRecords: 8000, Seed: 7})
		if err != nil {
			t.Fatal(err)
		}
		t.Run("the conventions and usage records asked for are written", func(t *testing.T) {
			var convs, usage, terms int
			q := db.Reader()
			q.QueryRowContext(ctx, `SELECT COUNT(*) FROM agreements`).Scan(&convs)
			q.QueryRowContext(ctx, `SELECT COUNT(*) FROM usage_records`).Scan(&usage)
			q.QueryRowContext(ctx, `SELECT COUNT(*) FROM ledger_terms`).Scan(&terms)
			if convs != 400 || terms != 400 || usage != 8000 || rep.Conventions != 400 || rep.UsageRecords != 8000 {
				t.Fatalf("got %d conventions, %d terms, %d usage records (report %+v), want 400, 400 and 8000", convs, terms, usage, rep)
			}
			if len(rep.ByKind) != 10 {
				t.Errorf("got kinds %v, want the ten kinds of the mix", rep.ByKind)
			}
		})
		t.Run("generating twice is refused", func(t *testing.T) {
			if _, err := synth.Generate(ctx, db, synth.Options{Conventions: 10, UsageRecords: 10}); err == nil {
				t.Fatal("got a second generation, want a refusal")
			}
		})

		svc := ledger.New(db, agreement.NewService(db, org.New(db), territory.New(db)))
		from, to := civil.MustParse("2026-01-01"), civil.MustParse("2026-12-31")
		var mu sync.Mutex
		var bulk []ledger.Statement
		var refusals []error
		b, err := svc.ComputeAll(ctx, auth.System, from, to, synth.Request, func(st ledger.Statement, err error) error {
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				refusals = append(refusals, fmt.Errorf("convention %d: %w", st.AgreementID, err))
				return nil
			}
			bulk = append(bulk, st)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Run("every synthetic convention gets its statement of the year", func(t *testing.T) {
			if b.Statements != 400 || b.Refused != 0 {
				t.Fatalf("got %+v, refusals %v, want 400 statements and none refused", b, refusals[:min(3, len(refusals))])
			}
			if b.Flows == 0 || b.Owed <= 0 {
				t.Errorf("got %+v, want flows", b)
			}
		})
		t.Run("each bulk statement is the one-by-one computation's, inputs and figures", func(t *testing.T) {
			slices.SortFunc(bulk, func(a, b ledger.Statement) int { return int(a.AgreementID - b.AgreementID) })
			kinds := map[agreement.Kind]int{}
			for i, st := range bulk {
				if i%3 != 0 { // a sample: the single path is slower
					continue
				}
				one, err := svc.Compute(ctx, auth.System, st.Inputs.Request)
				if err != nil {
					t.Fatalf("convention %d: %v", st.AgreementID, err)
				}
				kinds[st.Inputs.Agreement.Kind]++
				if !slices.Equal(one.Result.Lines, st.Result.Lines) || one.Result.Total != st.Result.Total {
					t.Errorf("convention %d (%s): got bulk lines %+v, one-by-one %+v", st.AgreementID, st.Inputs.Agreement.Kind,
						st.Result.Lines, one.Result.Lines)
				}
				// The bulk statements carry no explanation in words; every
				// other figure, and the inputs, are the same.
				one.Result.Explain = nil
				for _, c := range []struct {
					what      string
					bulk, one any
				}{{"inputs", st.Inputs, one.Inputs}, {"result", st.Result, one.Result}} {
					b, _ := json.Marshal(c.bulk)
					o, _ := json.Marshal(c.one)
					if string(b) != string(o) {
						t.Errorf("convention %d (%s): %s differ:\nbulk       %s\none-by-one %s", st.AgreementID,
							st.Inputs.Agreement.Kind, c.what, b, o)
					}
				}
			}
			if len(kinds) != 10 {
				t.Errorf("compared the kinds %v, want all ten", kinds)
			}
		})
		t.Run("only usage of the year counts", func(t *testing.T) {
			var inYear int64
			db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM usage_records WHERE occurred_on >= '2026-01-01'`).Scan(&inYear)
			if inYear == 8000 || inYear < 7000 {
				t.Errorf("got %d of 8000 records in 2026, want about 95 %%", inYear)
			}
		})
	})
}
