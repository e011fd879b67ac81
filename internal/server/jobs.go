package server

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"voisines/internal/agreement"
	"voisines/internal/auth"
	"voisines/internal/equipment"
)

// DefaultJobsInterval is how often `voisines serve` runs the background
// jobs unless told otherwise.
const DefaultJobsInterval = time.Hour

// jobsActor is who the background jobs act as in the audit trail.
var jobsActor = auth.SystemActor("jobs")

// job is one periodic task: it returns how many things it changed.
type job struct {
	name string
	run  func(context.Context) (int, error)
}

// RunJobs runs the background jobs once at once and then every interval
// (DefaultJobsInterval when interval is not positive) until ctx is
// cancelled, and returns then. The jobs are:
//
//   - the daily refresh of the conventions (agreement.Service.RefreshDue):
//     signed conventions whose start has come are put in force, expired ones
//     closed;
//   - the usage sync of the equipment (equipment.Service.SyncUsage): held
//     bookings become the usage records the ledger bills;
//   - the purge of the API tokens revoked or expired more than
//     auth.DefaultTokenPurgeAge ago (auth.Service.PurgeTokens).
//
// All are idempotent, so several serve instances over one database may run
// them side by side. A job's error, or even its panic, is logged and never
// stops the server or the other jobs; the next round tries again.
func RunJobs(ctx context.Context, deps Deps, interval time.Duration) {
	if interval <= 0 {
		interval = DefaultJobsInterval
	}
	log := deps.Log
	if log == nil {
		log = slog.Default()
	}
	agreements := deps.Agreements
	if agreements == nil {
		agreements = agreement.NewService(deps.DB, deps.Orgs, deps.Territory)
	}
	agreements = agreements.WithLogger(log)
	equipments := equipment.New(deps.DB)
	users := deps.Auth
	if users == nil {
		users = auth.New(deps.DB)
	}
	jobs := []job{
		{"agreement.refresh", func(ctx context.Context) (int, error) { return agreements.RefreshDue(ctx, jobsActor) }},
		{"equipment.usage_sync", equipments.SyncUsage},
		{"token.purge", func(ctx context.Context) (int, error) {
			return users.PurgeTokens(ctx, jobsActor, auth.DefaultTokenPurgeAge)
		}},
	}
	log.Info("background jobs started", "interval", interval.String())
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		for _, j := range jobs {
			if ctx.Err() != nil {
				break
			}
			runJob(ctx, log, j)
		}
		select {
		case <-ctx.Done():
			log.Info("background jobs stopped")
			return
		case <-ticker.C:
		}
	}
}

// runJob runs j once and logs its outcome.
func runJob(ctx context.Context, log *slog.Logger, j job) {
	start := time.Now()
	n, err := func() (n int, err error) {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("panic: %v", p)
			}
		}()
		return j.run(ctx)
	}()
	took := time.Since(start).Round(time.Millisecond).String()
	switch {
	case err != nil && ctx.Err() != nil:
		log.Info("background job interrupted", "job", j.name, "changed", n, "took", took, "error", err)
	case err != nil:
		log.Error("background job failed", "job", j.name, "changed", n, "took", took, "error", err)
	default:
		log.Info("background job done", "job", j.name, "changed", n, "took", took)
	}
}
