package cli

import (
	"context"
	"flag"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"voisines/internal/auth"
	"voisines/internal/org"
	"voisines/internal/server"
	"voisines/internal/store"
	"voisines/internal/territory"
)

// serveConfig is the typed configuration of `voisines serve`, from flags whose
// defaults come from VOISINES_* environment variables.
type serveConfig struct {
	DB            string // VOISINES_DB
	Addr          string // VOISINES_ADDR
	Migrate       bool   // VOISINES_MIGRATE
	SecureCookies bool   // VOISINES_SECURE_COOKIES
	// JobsInterval is how often the background jobs run; 0 disables them.
	JobsInterval time.Duration // VOISINES_JOBS_INTERVAL
}

// envErrors collects malformed environment variables, reported at start-up
// rather than silently replaced by defaults.
type envErrors []string

func (e *envErrors) err() error {
	if len(*e) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %s", errUsage, strings.Join(*e, "; "))
}

// envBool reads a boolean environment variable; empty is false.
func envBool(env *Env, name string, errs *envErrors) bool {
	s := strings.TrimSpace(env.Getenv(name))
	if s == "" {
		return false
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		*errs = append(*errs, fmt.Sprintf("%s=%q is not a boolean (true or false)", name, s))
	}
	return b
}

// envString reads an environment variable, def when unset or empty.
func envString(env *Env, name, def string) string {
	if s := strings.TrimSpace(env.Getenv(name)); s != "" {
		return s
	}
	return def
}

// envDuration reads a duration environment variable ("1h", "30m"), def
// when unset or empty.
func envDuration(env *Env, name string, def time.Duration, errs *envErrors) time.Duration {
	s := strings.TrimSpace(env.Getenv(name))
	if s == "" {
		return def
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		*errs = append(*errs, fmt.Sprintf("%s=%q is not a duration (for example 1h, 30m or 0 to disable)", name, s))
		return def
	}
	return d
}

// validateAddr checks a listen address: host:port with a port number (the
// host may be empty to listen on every interface).
func validateAddr(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%w: --addr %q is not host:port (for example :8080 or 127.0.0.1:8080)", errUsage, addr)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("%w: --addr %q: the port must be a number from 0 to 65535", errUsage, addr)
	}
	return nil
}

func (c serveConfig) validate() error {
	if strings.TrimSpace(c.DB) == "" {
		return fmt.Errorf("%w: --db is empty", errUsage)
	}
	if c.JobsInterval < 0 {
		return fmt.Errorf("%w: --jobs-interval %s is negative (0 disables the background jobs)", errUsage, c.JobsInterval)
	}
	return validateAddr(c.Addr)
}

func serveCommand() command {
	return command{
		path:    "serve",
		summary: "serve the web pages and the JSON API",
		setup: func(fs *flag.FlagSet, env *Env) func(context.Context, []string) error {
			var errs envErrors
			cfg := serveConfig{}
			fs.StringVar(&cfg.DB, "db", envString(env, "VOISINES_DB", "voisines.db"), "database: a SQLite file path or a postgres:// URL (env VOISINES_DB)")
			fs.StringVar(&cfg.Addr, "addr", envString(env, "VOISINES_ADDR", ":8080"), "listen address host:port (env VOISINES_ADDR)")
			fs.BoolVar(&cfg.Migrate, "migrate", envBool(env, "VOISINES_MIGRATE", &errs), "apply pending migrations before serving (env VOISINES_MIGRATE); an empty database is always migrated")
			fs.BoolVar(&cfg.SecureCookies, "secure-cookies", envBool(env, "VOISINES_SECURE_COOKIES", &errs), "mark cookies Secure and send HSTS: set it when Voisines is served over HTTPS (env VOISINES_SECURE_COOKIES)")
			fs.DurationVar(&cfg.JobsInterval, "jobs-interval", envDuration(env, "VOISINES_JOBS_INTERVAL", server.DefaultJobsInterval, &errs), "run the background jobs (conventions' daily refresh, equipment usage sync) at start and then at this interval; 0 disables them (env VOISINES_JOBS_INTERVAL)")
			return func(ctx context.Context, args []string) error {
				if err := noArgs(args); err != nil {
					return err
				}
				if err := errs.err(); err != nil {
					return err
				}
				if err := cfg.validate(); err != nil {
					return err
				}
				db, err := openForServing(ctx, env, cfg.DB, cfg.Migrate)
				if err != nil {
					return err
				}
				defer db.Close()
				deps := newDeps(env, db, cfg.SecureCookies)
				h, err := server.New(deps)
				if err != nil {
					return err
				}
				if cfg.JobsInterval > 0 {
					// Stopped and waited for before the database is closed.
					jobsCtx, stopJobs := context.WithCancel(ctx)
					jobsDone := make(chan struct{})
					go func() {
						defer close(jobsDone)
						server.RunJobs(jobsCtx, deps, cfg.JobsInterval)
					}()
					defer func() { stopJobs(); <-jobsDone }()
				}
				gc := server.TuneGC(env.Getenv)
				env.Log.Info("voisines serving", "version", Version, "engine", db.Dialect.String(), "addr", cfg.Addr, "secure_cookies", cfg.SecureCookies,
					"jobs_interval", cfg.JobsInterval.String(), "gogc", gc.Percent, "gomemlimit", gc.MemoryLimit)
				return server.Serve(ctx, cfg.Addr, h, env.Log)
			}
		},
	}
}

// openForServing opens the database for a server: an empty database is
// migrated; a stale one is refused with the store's message unless migrate
// is set.
func openForServing(ctx context.Context, env *Env, dsn string, migrate bool) (*store.DB, error) {
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	v, err := db.Version(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	if migrate || v == 0 {
		applied, err := db.Migrate(ctx)
		if err != nil {
			db.Close()
			return nil, err
		}
		if len(applied) > 0 {
			env.Log.Info("schema migrated", "applied", applied, "engine", db.Dialect.String())
		}
	}
	if err := db.CheckSchema(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// newDeps builds the services the HTTP faces share.
func newDeps(env *Env, db *store.DB, secureCookies bool) server.Deps {
	return server.Deps{
		DB:            db,
		Log:           env.Log,
		Territory:     territory.New(db),
		Orgs:          org.New(db),
		Auth:          auth.New(db),
		Agreements:    agreements(db),
		SecureCookies: secureCookies,
	}
}
