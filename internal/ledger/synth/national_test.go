package synth_test

import (
	"context"
	"os"
	"runtime/debug"
	"testing"

	"voisines/internal/agreement"
	"voisines/internal/auth"
	"voisines/internal/civil"
	"voisines/internal/ledger"
	"voisines/internal/ledger/synth"
	"voisines/internal/org"
	"voisines/internal/store"
	"voisines/internal/territory"
)

// BenchmarkNationalYear computes every statement of 2026 on a database
// `voisines gen` filled, named by VOISINES_LEDGER_NATIONAL (a SQLite path or
// a postgres:// URL), and the GROUP BY baseline beside it; it is skipped
// without that variable, so the test suite never needs the national year.
// bench/ledger.sh measures the same through the binary, as the README
// reports it; this is for profiling:
//
//	VOISINES_LEDGER_NATIONAL=/tmp/national.db go test -run - -bench National -benchtime 1x -cpuprofile cpu.out ./internal/ledger/synth/
func BenchmarkNationalYear(b *testing.B) {
	dsn := os.Getenv("VOISINES_LEDGER_NATIONAL")
	if dsn == "" {
		b.Skip("VOISINES_LEDGER_NATIONAL is not set")
	}
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	svc := ledger.New(db, agreement.NewService(db, org.New(db), territory.New(db)))
	from, to := civil.MustParse("2026-01-01"), civil.MustParse("2026-12-31")
	// The settings of `voisines ledger run`.
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(512 << 20))
	b.Run("baseline", func(b *testing.B) {
		for b.Loop() {
			if _, _, err := svc.UsageBaseline(ctx, auth.System, from, to); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("engine", func(b *testing.B) {
		for b.Loop() {
			batch, err := svc.ComputeAll(ctx, auth.System, from, to, synth.Request, func(ledger.Statement, error) error { return nil })
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(batch.Aggregated.Milliseconds()), "aggregated-ms")
			b.ReportMetric(float64(batch.Read.Milliseconds()), "read-ms")
			b.ReportMetric(float64(batch.Streamed.Milliseconds()), "streamed-ms")
			b.ReportMetric(float64(batch.Statements), "statements")
		}
	})
}
