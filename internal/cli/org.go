package cli

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"

	"voisines/internal/auth"
	"voisines/internal/org"
)

func orgAddCommand() command {
	kinds := make([]string, len(org.Creatable))
	for i, k := range org.Creatable {
		kinds[i] = string(k)
	}
	return command{
		path:    "org add",
		summary: "create an organisation (syndicat, commission syndicale, département, CCAS, association…)",
		setup: func(fs *flag.FlagSet, env *Env) func(context.Context, []string) error {
			dsn := dbFlag(fs, env)
			kind := fs.String("kind", "", "kind (required): "+strings.Join(kinds, ", "))
			name := fs.String("name", "", "name (required)")
			siren := fs.String("siren", "", "SIREN, 9 digits (optional)")
			dep := fs.String("departement", "", "département code, e.g. 12 or 2A (optional)")
			var p org.Profile
			fs.StringVar(&p.Address, "address", "", "postal address (optional)")
			fs.StringVar(&p.Email, "email", "", "contact e-mail (optional)")
			fs.StringVar(&p.Phone, "phone", "", "telephone (optional)")
			fs.StringVar(&p.Website, "website", "", "web site (optional)")
			fs.StringVar(&p.Representative, "representative", "", "president or legal representative (optional)")
			return func(ctx context.Context, args []string) error {
				if err := noArgs(args); err != nil {
					return err
				}
				if *kind == "" || *name == "" {
					return fmt.Errorf("%w: --kind and --name are required", errUsage)
				}
				db, err := openDB(ctx, env, *dsn, true)
				if err != nil {
					return err
				}
				defer db.Close()
				o, err := org.New(db).Create(ctx, auth.System, org.NewOrganisation{
					Kind: org.Kind(*kind), Name: *name, SIREN: *siren, DepartementCode: *dep, Profile: p,
				})
				if err != nil {
					return err
				}
				fmt.Fprintf(env.Stdout, "created organisation %d: %s (%s", o.ID, o.Name, o.Kind)
				if o.SIREN != "" {
					fmt.Fprintf(env.Stdout, ", SIREN %s", o.SIREN)
				}
				if o.DepartementCode != "" {
					fmt.Fprintf(env.Stdout, ", département %s", o.DepartementCode)
				}
				fmt.Fprintln(env.Stdout, ")")
				return nil
			}
		},
	}
}

func orgListCommand() command {
	return command{
		path:    "org list",
		summary: "list organisations, with their ids (for user add --org)",
		setup: func(fs *flag.FlagSet, env *Env) func(context.Context, []string) error {
			dsn := dbFlag(fs, env)
			var f org.Filter
			fs.StringVar(&f.Name, "name", "", "part of the name")
			kind := fs.String("kind", "", "kind, e.g. commune, epci, syndicat_mixte")
			fs.StringVar(&f.Departement, "departement", "", "département code")
			fs.IntVar(&f.Limit, "limit", 50, "at most this many (up to 500)")
			fs.IntVar(&f.Offset, "offset", 0, "skip this many first")
			return func(ctx context.Context, args []string) error {
				if err := noArgs(args); err != nil {
					return err
				}
				f.Kind = org.Kind(*kind)
				db, err := openDB(ctx, env, *dsn, false)
				if err != nil {
					return err
				}
				defer db.Close()
				page, err := org.New(db).List(ctx, f)
				if err != nil {
					return err
				}
				tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tKIND\tSIREN\tCOMMUNE\tDEP\tNAME")
				for _, o := range page.Items {
					fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", o.ID, o.Kind, o.SIREN, o.CommuneCode, o.DepartementCode, o.Name)
				}
				tw.Flush()
				fmt.Fprintf(env.Stdout, "%d–%d of %d\n", min(page.Offset+1, page.Total), page.Offset+len(page.Items), page.Total)
				return nil
			}
		},
	}
}
