package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"voisines/internal/csvin"
	"voisines/internal/territory"
)

func importCOGCommand() command {
	return command{
		path:    "import cog",
		usage:   "[DIR]",
		summary: "import the official territory (COG): the copy shipped in the binary, or DIR",
		setup: func(flags *flag.FlagSet, env *Env) func(context.Context, []string) error {
			dsn := dbFlag(flags, env)
			return func(ctx context.Context, args []string) error {
				if len(args) > 1 {
					return fmt.Errorf("%w: at most one DIR", errUsage)
				}
				var dir fs.FS
				if len(args) == 1 {
					var err error
					if dir, err = cogDir(args[0]); err != nil {
						return err
					}
				}
				db, err := openDB(ctx, env, *dsn, true)
				if err != nil {
					return err
				}
				defer db.Close()
				svc := territory.New(db)
				p := newProgress(env.Stderr)
				start := time.Now()
				var rep territory.ImportReport
				if dir == nil {
					rep, err = svc.ImportShippedCOG(ctx, p.update)
				} else {
					rep, err = svc.ImportCOG(ctx, dir, p.update)
				}
				p.finish()
				if err != nil {
					return err
				}
				fmt.Fprintf(env.Stdout, "imported %s in %.1fs: %d communes, %d EPCI (%d member communes), %d départements, %d régions, %d population figures, %d organisations",
					rep.Vintage, time.Since(start).Seconds(), rep.Communes, rep.EPCI, rep.Members, rep.Departements, rep.Regions, rep.Populations, rep.Organisations)
				if rep.Retired > 0 {
					fmt.Fprintf(env.Stdout, "; %d communes or EPCI no longer listed, marked retired", rep.Retired)
				}
				fmt.Fprintln(env.Stdout)
				return nil
			}
		},
	}
}

// cogDir opens an unpacked @etalab/decoupage-administratif: its root (with
// package.json and data/) or its data folder, in which case the root is used
// when it holds package.json, so that the vintage is known.
func cogDir(dir string) (fs.FS, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("%s is not a directory", dir)
	}
	_, errHere := os.Stat(filepath.Join(dir, "package.json"))
	_, errParent := os.Stat(filepath.Join(dir, "..", "package.json"))
	if errors.Is(errHere, fs.ErrNotExist) && errParent == nil && filepath.Base(filepath.Clean(dir)) == "data" {
		dir = filepath.Dir(filepath.Clean(dir))
	}
	return os.DirFS(dir), nil
}

func importGeoCommand() command {
	return command{
		path:    "import geo",
		summary: "import commune coordinates and adjacency (shared borders) from CSV",
		setup: func(flags *flag.FlagSet, env *Env) func(context.Context, []string) error {
			dsn := dbFlag(flags, env)
			coords := flags.String("coords", "", "CSV of commune points, with columns code, lat, lon (WGS84 degrees)")
			adjacency := flags.String("adjacency", "", "CSV of communes sharing a border, with columns code_a, code_b, border_km; replaces the adjacency")
			return func(ctx context.Context, args []string) error {
				if err := noArgs(args); err != nil {
					return err
				}
				if *coords == "" && *adjacency == "" {
					return fmt.Errorf("%w: give --coords, --adjacency or both", errUsage)
				}
				db, err := openDB(ctx, env, *dsn, true)
				if err != nil {
					return err
				}
				defer db.Close()
				p := newProgress(env.Stderr)
				start := time.Now()
				rep, err := territory.New(db).ImportGeo(ctx, *coords, *adjacency, p.update)
				p.finish()
				if err != nil {
					return err
				}
				fmt.Fprintf(env.Stdout, "imported in %.1fs: %d commune points, %d pairs of adjacent communes\n",
					time.Since(start).Seconds(), rep.Coordinates, rep.Adjacencies)
				return nil
			}
		},
	}
}

// importRefused prints every problem of a refused file (a csvin.Errors in
// err), one a line, the same for every import command, and returns the
// command's error; ok is false when err is no refused file.
func importRefused(env *Env, name string, err error) (_ error, ok bool) {
	es, ok := csvin.AsErrors(err)
	if !ok {
		return nil, false
	}
	fmt.Fprintf(env.Stderr, "%s: nothing imported, %d error(s):\n", name, len(es))
	for _, e := range es {
		fmt.Fprintf(env.Stderr, "  %s\n", e.Error())
	}
	return fmt.Errorf("%s: not imported", name), true
}
