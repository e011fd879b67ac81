package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"voisines/internal/auth"
	"voisines/internal/equipment"
	"voisines/internal/store"
)

// equipmentListCommand lists the shared-equipment catalogue.
func equipmentListCommand() command {
	return command{
		path:    "equipment list",
		summary: "list the shared-equipment catalogue (by kind, owner, distance from a commune)",
		setup: func(fs *flag.FlagSet, env *Env) func(context.Context, []string) error {
			dsn := dbFlag(fs, env)
			kind := fs.String("kind", "", "kind: hall, gym, pool, stadium, stage, vehicle, machine, room, land, other")
			owner := fs.String("owner", "", "owner: SIREN, or INSEE code of a commune")
			near := fs.String("near", "", "INSEE code of a commune: only equipment within --km of it, nearest first")
			km := fs.Float64("km", 20, "radius in km for --near")
			text := fs.String("q", "", "part of the name, description or owner's name")
			all := fs.Bool("all", false, "include equipment no longer offered")
			limit := fs.Int("limit", 100, "at most this many (up to 500)")
			return func(ctx context.Context, args []string) error {
				if err := noArgs(args); err != nil {
					return err
				}
				db, err := openDB(ctx, env, *dsn, false)
				if err != nil {
					return err
				}
				defer db.Close()
				q := equipment.Query{Kind: equipment.Kind(*kind), Text: *text, IncludeInactive: *all, Limit: *limit}
				if *near != "" {
					q.Near, q.Km = *near, *km
				}
				if *owner != "" {
					if q.OwnerOrgID, err = ownerID(ctx, db, *owner); err != nil {
						return err
					}
				}
				found, err := equipment.New(db).Search(ctx, q)
				if err != nil {
					return err
				}
				tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tKIND\tUNIT\tOWNER\tCOMMUNE\tKM\tNAME")
				for _, e := range found {
					dist := ""
					if e.DistanceKm != nil {
						dist = strconv.FormatFloat(*e.DistanceKm, 'f', 1, 64)
					}
					name := e.Name
					if !e.Active {
						name += " (inactive)"
					}
					fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", e.ID, e.Kind, e.Unit, e.OwnerName, e.CommuneCode, dist, name)
				}
				tw.Flush()
				fmt.Fprintf(env.Stdout, "%d equipment\n", len(found))
				return nil
			}
		},
	}
}

// ownerID resolves a SIREN or an INSEE code to an organisation id.
func ownerID(ctx context.Context, db *store.DB, ref string) (int64, error) {
	var id int64
	err := db.Reader().QueryRowContext(ctx, `SELECT id FROM organisations WHERE siren = ? OR epci_siren = ? OR commune_code = ?`,
		ref, ref, ref).Scan(&id)
	if errors.Is(store.MapError(err), store.ErrNotFound) {
		return 0, fmt.Errorf("no organisation has the SIREN or INSEE code %q", ref)
	}
	return id, err
}

// equipmentImportCommand imports a catalogue from CSV, all or nothing.
func equipmentImportCommand() command {
	return command{
		path:    "equipment import",
		summary: "import a shared-equipment catalogue from CSV, all or nothing",
		usage:   "FILE.csv",
		setup: func(fs *flag.FlagSet, env *Env) func(context.Context, []string) error {
			dsn := dbFlag(fs, env)
			return func(ctx context.Context, args []string) error {
				if len(args) != 1 {
					return fmt.Errorf("%w: give one CSV file (columns: %s)", errUsage, strings.Join(equipment.ImportColumns, ", "))
				}
				f, err := os.Open(args[0])
				if err != nil {
					return err
				}
				defer f.Close()
				db, err := openDB(ctx, env, *dsn, true)
				if err != nil {
					return err
				}
				defer db.Close()
				rep, err := equipment.New(db).ImportCSV(ctx, auth.System, f)
				if err, ok := importRefused(env, args[0], err); ok {
					return err
				}
				if err != nil {
					return err
				}
				fmt.Fprintf(env.Stdout, "imported %s: %d created, %d updated\n", args[0], rep.Created, rep.Updated)
				return nil
			}
		},
	}
}

// equipmentUsageCommand turns held bookings into usage records; run it
// from cron (it is idempotent).
func equipmentUsageCommand() command {
	return command{
		path:    "equipment usage",
		summary: "record the usage of held bookings for the financial engine (idempotent; run it periodically)",
		setup: func(fs *flag.FlagSet, env *Env) func(context.Context, []string) error {
			dsn := dbFlag(fs, env)
			return func(ctx context.Context, args []string) error {
				if err := noArgs(args); err != nil {
					return err
				}
				db, err := openDB(ctx, env, *dsn, false)
				if err != nil {
					return err
				}
				defer db.Close()
				n, err := equipment.New(db).SyncUsage(ctx)
				if err != nil {
					return err
				}
				fmt.Fprintf(env.Stdout, "%d usage record(s) written\n", n)
				return nil
			}
		},
	}
}
