package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"voisines/internal/auth"
	"voisines/internal/civil"
	"voisines/internal/ledger"
	"voisines/internal/purchasing"
	"voisines/internal/store"
)

// purchasingSub is a subcommand of `voisines purchasing`.
type purchasingSub struct {
	name, usage, summary string
	setup                func(fs *flag.FlagSet, env *Env) func(ctx context.Context, db *store.DB, args []string) error
}

// purchasingCommand is `voisines purchasing SUBCOMMAND`: the purchasing
// groups from the command line, acting as the system (the operator).
func purchasingCommand() command {
	subs := purchasingSubs()
	var names []string
	for _, s := range subs {
		names = append(names, s.name)
	}
	help := func() string {
		var b strings.Builder
		for _, s := range subs {
			fmt.Fprintf(&b, "  %-13s %s\n", s.name, s.summary)
		}
		return b.String()
	}
	return command{
		path:    "purchasing",
		usage:   "SUBCOMMAND [flags] (" + strings.Join(names, ", ") + ")",
		summary: "purchasing groups (groupements de commandes): groups, needs import, procedure, thresholds",
		setup: func(_ *flag.FlagSet, env *Env) func(context.Context, []string) error {
			return func(ctx context.Context, args []string) error {
				if len(args) == 0 {
					return fmt.Errorf("%w: choose a subcommand:\n%s", errUsage, help())
				}
				for _, s := range subs {
					if s.name != args[0] {
						continue
					}
					fs := flag.NewFlagSet("voisines purchasing "+s.name, flag.ContinueOnError)
					fs.SetOutput(env.Stderr)
					dsn := dbFlag(fs, env)
					run := s.setup(fs, env)
					fs.Usage = func() {
						fmt.Fprintf(env.Stderr, "Usage: voisines purchasing %s [flags] %s\n\n%s\n\nFlags:\n", s.name, s.usage, s.summary)
						fs.PrintDefaults()
					}
					if err := fs.Parse(args[1:]); err != nil {
						if errors.Is(err, flag.ErrHelp) {
							return nil
						}
						return fmt.Errorf("%w: %v", errUsage, err)
					}
					var db *store.DB
					if s.name != "thresholds" {
						var err error
						if db, err = openDB(ctx, env, *dsn, false); err != nil {
							return err
						}
						defer db.Close()
					}
					return run(ctx, db, fs.Args())
				}
				return fmt.Errorf("%w: unknown subcommand %q; choose one of:\n%s", errUsage, args[0], help())
			}
		},
	}
}

func purchasingService(db *store.DB) *purchasing.Service {
	agr := agreements(db)
	return purchasing.New(db, agr, ledger.New(db, agr))
}

func purchasingSubs() []purchasingSub {
	return []purchasingSub{
		{name: "list", usage: "", summary: "list the purchasing groups (of one organisation with --org)", setup: purchasingList},
		{name: "import-needs", usage: "FILE.csv", summary: "import members' needs into a group from CSV, all or nothing (columns: " +
			strings.Join(purchasing.NeedColumns, ", ") + ")", setup: purchasingImportNeeds},
		{name: "procedure", usage: "", summary: "show a group's procedure: stored on launch, or computed for --date", setup: purchasingProcedure},
		{name: "thresholds", usage: "", summary: "show the procurement thresholds in force on a date, with their sources", setup: purchasingThresholds},
	}
}

func purchasingList(fs *flag.FlagSet, env *Env) func(context.Context, *store.DB, []string) error {
	orgRef := fs.String("org", "", "only this organisation's groups: INSEE code, SIREN or id")
	return func(ctx context.Context, db *store.DB, args []string) error {
		if err := noArgs(args); err != nil {
			return err
		}
		svc := purchasingService(db)
		var list []purchasing.Summary
		var err error
		if *orgRef != "" {
			id, rerr := resolveOrg(ctx, db, "org", *orgRef)
			if rerr != nil {
				return rerr
			}
			list, err = svc.List(ctx, auth.System, id)
		} else {
			list, err = svc.Mine(ctx, auth.System)
		}
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tCONVENTION\tCOORDINATOR\tLOTS\tSTATUS\tLAUNCH\tPROCEDURE\tTITLE")
		for _, s := range list {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%s\t%s\t%s\t%s\n", s.ID, s.AgreementReference, s.Coordinator, s.Lots, s.Status,
				s.LaunchDate, s.Procedure, s.Title)
		}
		tw.Flush()
		fmt.Fprintf(env.Stdout, "%d group(s)\n", len(list))
		return nil
	}
}

func groupFlag(fs *flag.FlagSet) func(ctx context.Context, db *store.DB) (int64, error) {
	ref := fs.String("group", "", "the group: its id, or the reference of its convention (2026-0012)")
	return func(ctx context.Context, db *store.DB) (int64, error) {
		if *ref == "" {
			return 0, fmt.Errorf("%w: --group is required", errUsage)
		}
		var id int64
		if _, err := fmt.Sscanf(*ref, "%d", &id); err == nil && fmt.Sprint(id) == *ref {
			return id, nil
		}
		rec, err := agreements(db).ByReference(ctx, auth.System, *ref)
		if err != nil {
			return 0, fmt.Errorf("--group %s: %w", *ref, err)
		}
		g, err := purchasingService(db).ByAgreement(ctx, auth.System, rec.ID)
		if err != nil {
			return 0, fmt.Errorf("--group %s: %w", *ref, err)
		}
		return g.ID, nil
	}
}

func purchasingImportNeeds(fs *flag.FlagSet, env *Env) func(context.Context, *store.DB, []string) error {
	group := groupFlag(fs)
	return func(ctx context.Context, db *store.DB, args []string) error {
		if len(args) != 1 {
			return fmt.Errorf("%w: give one CSV file (columns: %s)", errUsage, strings.Join(purchasing.NeedColumns, ", "))
		}
		id, err := group(ctx, db)
		if err != nil {
			return err
		}
		f, err := os.Open(args[0])
		if err != nil {
			return err
		}
		defer f.Close()
		rep, err := purchasingService(db).ImportNeeds(ctx, auth.System, id, f)
		if err, ok := importRefused(env, args[0], err); ok {
			return err
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "imported %s: %d line(s) of needs into group %d\n", args[0], rep.Lines, id)
		return nil
	}
}

func dateFlag(fs *flag.FlagSet, name, usage string) func() (civil.Date, error) {
	s := fs.String(name, "", usage)
	return func() (civil.Date, error) {
		if *s == "" {
			return civil.Date{}, nil
		}
		d, err := civil.Parse(*s)
		if err != nil {
			return civil.Date{}, fmt.Errorf("%w: --%s: %v", errUsage, name, err)
		}
		return d, nil
	}
}

func purchasingProcedure(fs *flag.FlagSet, env *Env) func(context.Context, *store.DB, []string) error {
	group := groupFlag(fs)
	date := dateFlag(fs, "date", "launch date to compute for (default: the stored launch, or today)")
	asJSON := fs.Bool("json", false, "print the procedure as JSON")
	return func(ctx context.Context, db *store.DB, args []string) error {
		if err := noArgs(args); err != nil {
			return err
		}
		id, err := group(ctx, db)
		if err != nil {
			return err
		}
		d, err := date()
		if err != nil {
			return err
		}
		p, err := purchasingService(db).Procedure(ctx, auth.System, id, d)
		if err != nil {
			return err
		}
		if *asJSON {
			enc := json.NewEncoder(env.Stdout)
			enc.SetIndent("", "  ")
			enc.SetEscapeHTML(false)
			return enc.Encode(p)
		}
		fmt.Fprintf(env.Stdout, "%s — %s (%s)\n", p.Kind.Label(), p.Value, p.Nature.Label())
		for _, l := range p.Explain {
			fmt.Fprintln(env.Stdout, "  "+l)
		}
		fmt.Fprintln(env.Stdout, "  "+p.CAO.Explain)
		if len(p.Alone) > 0 {
			fmt.Fprintln(env.Stdout, "Each member alone:")
			tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
			for _, a := range p.Alone {
				fmt.Fprintf(tw, "  %s\t%s\t%s\n", a.Name, a.Decision.Value, a.Decision.Kind.Short())
			}
			tw.Flush()
		}
		return nil
	}
}

func purchasingThresholds(fs *flag.FlagSet, env *Env) func(context.Context, *store.DB, []string) error {
	date := dateFlag(fs, "date", "the launch date (default: today)")
	nature := fs.String("nature", "", "supplies, services or works (default: all)")
	return func(ctx context.Context, _ *store.DB, args []string) error {
		if err := noArgs(args); err != nil {
			return err
		}
		d, err := date()
		if err != nil {
			return err
		}
		if d.IsZero() {
			d = civil.Today()
		}
		table := purchasing.Thresholds()
		natures := purchasing.Natures
		if *nature != "" {
			n, ok := purchasing.ParseNature(*nature)
			if !ok {
				return fmt.Errorf("%w: --nature %q: supplies, services or works", errUsage, *nature)
			}
			natures = []purchasing.Nature{n}
		}
		tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NATURE\tKIND\tAMOUNT\tFROM\tTO\tSOURCE")
		for _, n := range natures {
			a, err := table.On(d, n)
			if err != nil {
				return err
			}
			for _, t := range a.Thresholds {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", n, t.Kind, t.Amount.Plain(), t.ValidFrom, t.ValidTo, t.Source)
			}
		}
		return tw.Flush()
	}
}
