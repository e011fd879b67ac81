// Package cli is the command-line face of Voisines: one binary with
// subcommands (serve, demo, migrate, import, user, audit, version…), each a
// thin script over the domain packages.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strings"

	"voisines/internal/store"
)

// Env is what every command gets: its standard streams and the process
// environment, so that tests can drive commands without touching os.*.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	Log    *slog.Logger
}

// command is one subcommand. Its path is the words that name it ("import cog").
type command struct {
	path    string
	summary string
	// usage is the argument synopsis shown after the path, e.g. "[DIR]".
	usage string
	// flags declares the command's own flags on fs and returns the function that
	// runs it once they are parsed.
	setup func(fs *flag.FlagSet, env *Env) func(ctx context.Context, args []string) error
}

// commands is the registry, filled by each command file's register call in
// commands(). Kept as a function so that there is no init-time state.
func commands() []command {
	cs := []command{
		versionCommand(),
		migrateCommand(),
	}
	cs = append(cs, extraCommands()...)
	sort.Slice(cs, func(i, j int) bool { return cs[i].path < cs[j].path })
	return cs
}

// errUsage marks an error caused by the command line itself.
var errUsage = errors.New("usage")

// Run parses args (without the program name), runs the named command and
// returns the process exit code: 0 success, 1 failure, 2 bad usage.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	env := &Env{Stdin: stdin, Stdout: stdout, Stderr: stderr, Getenv: os.Getenv,
		Log: slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))}
	return run(ctx, env, args)
}

func run(ctx context.Context, env *Env, args []string) int {
	cs := commands()
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		printHelp(env.Stdout, cs)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	// Longest command path that prefixes args wins: "import cog" before "import".
	var best *command
	bestLen := 0
	for i := range cs {
		words := strings.Fields(cs[i].path)
		if len(words) <= len(args) && len(words) > bestLen && equalWords(words, args[:len(words)]) {
			best, bestLen = &cs[i], len(words)
		}
	}
	if best == nil {
		// A group word alone ("import") lists its subcommands.
		var group []command
		for _, c := range cs {
			if strings.HasPrefix(c.path, args[0]+" ") {
				group = append(group, c)
			}
		}
		if len(group) > 0 {
			fmt.Fprintf(env.Stderr, "voisines %s: choose a subcommand:\n", args[0])
			printList(env.Stderr, group)
			return 2
		}
		fmt.Fprintf(env.Stderr, "voisines: unknown command %q (see voisines --help)\n", args[0])
		return 2
	}
	fs := flag.NewFlagSet("voisines "+best.path, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	runFn := best.setup(fs, env)
	fs.Usage = func() {
		fmt.Fprintf(env.Stderr, "Usage: voisines %s [flags] %s\n\n%s\n\nFlags:\n", best.path, best.usage, best.summary)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args[bestLen:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if err := runFn(ctx, fs.Args()); err != nil {
		if errors.Is(err, errUsage) {
			fmt.Fprintf(env.Stderr, "voisines %s: %v\n", best.path, err)
			fs.Usage()
			return 2
		}
		fmt.Fprintf(env.Stderr, "voisines %s: %v\n", best.path, err)
		return 1
	}
	return 0
}

func equalWords(a, b []string) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func printHelp(w io.Writer, cs []command) {
	fmt.Fprintln(w, "voisines — coopération territoriale entre communes voisines")
	fmt.Fprintln(w, "\nUsage: voisines COMMAND [flags] [args]\n\nCommands:")
	printList(w, cs)
	fmt.Fprintln(w, "\nEvery command takes --help. The database is chosen with --db or VOISINES_DB:")
	fmt.Fprintln(w, "a SQLite file path (default voisines.db) or a postgres:// URL.")
}

func printList(w io.Writer, cs []command) {
	width := 0
	for _, c := range cs {
		width = max(width, len(c.path))
	}
	for _, c := range cs {
		fmt.Fprintf(w, "  %-*s  %s\n", width, c.path, c.summary)
	}
}

// dbFlag declares the --db flag, defaulting to VOISINES_DB or voisines.db.
func dbFlag(fs *flag.FlagSet, env *Env) *string {
	def := env.Getenv("VOISINES_DB")
	if def == "" {
		def = "voisines.db"
	}
	return fs.String("db", def, "database: a SQLite file path or a postgres:// URL (env VOISINES_DB)")
}

// openDB opens the database and checks that its schema is current; with
// migrate it applies pending migrations first.
func openDB(ctx context.Context, env *Env, dsn string, migrate bool) (*store.DB, error) {
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	if migrate {
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

func migrateCommand() command {
	return command{
		path:    "migrate",
		summary: "apply pending database migrations",
		setup: func(fs *flag.FlagSet, env *Env) func(context.Context, []string) error {
			dsn := dbFlag(fs, env)
			return func(ctx context.Context, args []string) error {
				db, err := store.Open(ctx, *dsn)
				if err != nil {
					return err
				}
				defer db.Close()
				applied, err := db.Migrate(ctx)
				if err != nil {
					return err
				}
				if len(applied) == 0 {
					fmt.Fprintf(env.Stdout, "schema already at version %d\n", store.Latest())
					return nil
				}
				fmt.Fprintf(env.Stdout, "applied migrations %v; schema at version %d\n", applied, store.Latest())
				return nil
			}
		},
	}
}

// Version is the binary's version, set at build time with
// -ldflags "-X voisines/internal/cli.Version=…".
var Version = "dev"

func versionCommand() command {
	return command{
		path:    "version",
		summary: "print the version and schema version",
		setup: func(fs *flag.FlagSet, env *Env) func(context.Context, []string) error {
			return func(ctx context.Context, args []string) error {
				fmt.Fprintf(env.Stdout, "voisines %s (schema %d)\n", Version, store.Latest())
				return nil
			}
		},
	}
}

// noArgs refuses the positional arguments of a command that takes none.
func noArgs(args []string) error {
	if len(args) > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, args[0])
	}
	return nil
}

// onDB is the run function of a command that takes no argument and works on
// the database named by dsn (checked, not migrated): it refuses arguments,
// opens the database, runs fn and closes it.
func onDB(env *Env, dsn *string, fn func(ctx context.Context, db *store.DB) error) func(context.Context, []string) error {
	return func(ctx context.Context, args []string) error {
		if err := noArgs(args); err != nil {
			return err
		}
		db, err := openDB(ctx, env, *dsn, false)
		if err != nil {
			return err
		}
		defer db.Close()
		return fn(ctx, db)
	}
}
