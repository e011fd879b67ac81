package cli

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"voisines/internal/agreement"
	"voisines/internal/auth"
	"voisines/internal/org"
	"voisines/internal/store"
	"voisines/internal/territory"
)

// agreements builds the conventions service over db.
func agreements(db *store.DB) *agreement.Service {
	return agreement.NewService(db, org.New(db), territory.New(db))
}

// resolveOrg turns an --org style reference into an organisation id; "" is 0.
func resolveOrg(ctx context.Context, db *store.DB, flagName, ref string) (int64, error) {
	if ref == "" {
		return 0, nil
	}
	o, err := org.New(db).Resolve(ctx, ref)
	if err != nil {
		return 0, fmt.Errorf("--%s %s: %w", flagName, ref, err)
	}
	return o.ID, nil
}

func formatFlag(fs *flag.FlagSet, def string, allowed ...string) func() (string, error) {
	f := fs.String("format", def, "output format: "+strings.Join(allowed, ", "))
	return func() (string, error) {
		for _, a := range allowed {
			if *f == a {
				return a, nil
			}
		}
		return "", fmt.Errorf("%w: --format must be one of %s", errUsage, strings.Join(allowed, ", "))
	}
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func partyNames(s agreement.Summary) string {
	names := make([]string, len(s.Parties))
	for i, p := range s.Parties {
		names[i] = p.Name
	}
	return strings.Join(names, " ; ")
}

func agreementListCommand() command {
	return command{
		path:    "agreement list",
		summary: "list conventions (the register), filtered by organisation, kind, status, year",
		setup: func(fs *flag.FlagSet, env *Env) func(context.Context, []string) error {
			dsn := dbFlag(fs, env)
			orgRef := fs.String("org", "", "only conventions this organisation is party to: INSEE code, SIREN or id")
			partnerRef := fs.String("partner", "", "only conventions this other organisation is party to too")
			var f agreement.Filter
			kind := fs.String("kind", "", "kind, e.g. entente, prestation_services, mise_a_disposition_personnel")
			status := fs.String("status", "", "status: brouillon, soumise, approuvee, signee, en_vigueur, expiree, resiliee")
			fs.IntVar(&f.Year, "year", 0, "only conventions applying during that year")
			fs.StringVar(&f.Text, "text", "", "part of the title, reference or a party's name")
			fs.IntVar(&f.Limit, "limit", 50, "at most this many (up to 500)")
			fs.IntVar(&f.Offset, "offset", 0, "skip this many first")
			format := formatFlag(fs, "table", "table", "json", "csv")
			return func(ctx context.Context, args []string) error {
				if err := noArgs(args); err != nil {
					return err
				}
				out, err := format()
				if err != nil {
					return err
				}
				f.Kind, f.Status = agreement.Kind(*kind), agreement.Status(*status)
				db, err := openDB(ctx, env, *dsn, false)
				if err != nil {
					return err
				}
				defer db.Close()
				if f.OrgID, err = resolveOrg(ctx, db, "org", *orgRef); err != nil {
					return err
				}
				if f.Partner, err = resolveOrg(ctx, db, "partner", *partnerRef); err != nil {
					return err
				}
				page, err := agreements(db).List(ctx, auth.System, f)
				if err != nil {
					return err
				}
				switch out {
				case "json":
					return writeJSON(env.Stdout, page)
				case "csv":
					cw := csv.NewWriter(env.Stdout)
					cw.Write([]string{"id", "reference", "kind", "status", "title", "start", "end", "parties"})
					for _, s := range page.Items {
						cw.Write([]string{strconv.FormatInt(s.ID, 10), s.Reference, string(s.Kind), string(s.Status), s.Title,
							s.Start.String(), s.End.String(), partyNames(s)})
					}
					cw.Flush()
					return cw.Error()
				}
				tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tREFERENCE\tKIND\tSTATUS\tSTART\tEND\tTITLE\tPARTIES")
				for _, s := range page.Items {
					fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.ID, s.Reference, s.Kind, s.Status,
						s.Start, s.End, s.Title, partyNames(s))
				}
				tw.Flush()
				fmt.Fprintf(env.Stdout, "%d–%d of %d\n", min(page.Offset+1, page.Total), page.Offset+len(page.Items), page.Total)
				return nil
			}
		},
	}
}

func agreementShowCommand() command {
	return command{
		path:    "agreement show",
		usage:   "ID|REFERENCE",
		summary: "show one convention: parties, term, approvals, signatures, avenants",
		setup: func(fs *flag.FlagSet, env *Env) func(context.Context, []string) error {
			dsn := dbFlag(fs, env)
			format := formatFlag(fs, "text", "text", "json")
			return func(ctx context.Context, args []string) error {
				if len(args) != 1 {
					return fmt.Errorf("%w: give one convention id or reference", errUsage)
				}
				out, err := format()
				if err != nil {
					return err
				}
				db, err := openDB(ctx, env, *dsn, false)
				if err != nil {
					return err
				}
				defer db.Close()
				svc := agreements(db)
				var r agreement.Record
				if id, perr := strconv.ParseInt(args[0], 10, 64); perr == nil {
					r, err = svc.Get(ctx, auth.System, id)
				} else {
					r, err = svc.ByReference(ctx, auth.System, args[0])
				}
				if err != nil {
					return err
				}
				if out == "json" {
					return writeJSON(env.Stdout, r)
				}
				printAgreement(env.Stdout, r)
				return nil
			}
		},
	}
}

func printAgreement(w io.Writer, r agreement.Record) {
	a := r.Agreement
	fmt.Fprintf(w, "%s — %s\n", r.Reference, a.Title)
	fmt.Fprintf(w, "  id %d, version %d, %s\n", r.ID, r.Version, a.Kind.Label())
	fmt.Fprintf(w, "  statut : %s\n", a.Status.Label())
	if spec, ok := agreement.Lookup(a.Kind); ok {
		basis := make([]string, len(spec.Basis))
		for i, b := range spec.Basis {
			basis[i] = b.String()
		}
		fmt.Fprintf(w, "  base légale : %s\n", strings.Join(basis, ", "))
	}
	fmt.Fprintln(w, "Parties :")
	for _, p := range a.Parties {
		fmt.Fprintf(w, "  - %s (%s", p.Name, p.Kind.Label())
		if p.SIREN != "" {
			fmt.Fprintf(w, ", SIREN %s", p.SIREN)
		}
		fmt.Fprintf(w, ") : %s", p.Role.Label())
		if p.Representative.Name != "" {
			fmt.Fprintf(w, ", représentée par %s, %s", p.Representative.Name, p.Representative.Title)
		}
		fmt.Fprintln(w)
	}
	start, end := a.Term.Start, agreement.LastDay(a)
	fmt.Fprintf(w, "Durée : du %s au %s", orDash(start.French()), orDash(end.French()))
	if a.Term.TacitRenewal {
		fmt.Fprint(w, ", reconduction tacite")
	}
	if a.Term.NoticeMonths > 0 {
		fmt.Fprintf(w, ", préavis de %d mois", a.Term.NoticeMonths)
	}
	fmt.Fprintln(w)
	if len(a.Approvals) > 0 {
		fmt.Fprintln(w, "Approbations :")
		for _, ap := range a.Approvals {
			who := "—"
			if p, ok := a.Party(ap.OrgID); ok {
				who = p.Name
			}
			fmt.Fprintf(w, "  - %s : %s", who, ap.Kind.Label())
			if ap.Number != "" {
				fmt.Fprintf(w, " n° %s", ap.Number)
			}
			fmt.Fprintf(w, " du %s\n", ap.Date.French())
		}
	}
	if len(a.Signatures) > 0 {
		fmt.Fprintln(w, "Signatures :")
		for _, sg := range a.Signatures {
			p, _ := a.Party(sg.OrgID)
			fmt.Fprintf(w, "  - %s, le %s (%s)\n", p.Name, sg.Date.French(), orDash(sg.Signatory))
		}
	}
	for _, am := range a.Amendments {
		fmt.Fprintf(w, "Avenant n° %d du %s : %s (%d modification(s))\n", am.Number, am.Date.French(), am.Reason, len(am.Changes))
	}
	if t := a.Termination; t.By != 0 {
		p, _ := a.Party(t.By)
		fmt.Fprintf(w, "Résiliation : par %s le %s, effet au %s : %s\n", p.Name, t.Date.French(), t.Effective.French(), t.Reason)
	}
	for _, v := range r.Violations {
		fmt.Fprintf(w, "! [%s] %s\n", v.Severity, v.Error())
	}
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func agreementAlertsCommand() command {
	return command{
		path:    "agreement alerts",
		summary: "list an organisation's alerts: conventions expiring, approvals missing, deadlines",
		setup: func(fs *flag.FlagSet, env *Env) func(context.Context, []string) error {
			dsn := dbFlag(fs, env)
			orgRef := fs.String("org", "", "organisation (required): INSEE code, SIREN or id")
			days := fs.Int("days", agreement.DefaultAlertDays, "look this many days ahead")
			format := formatFlag(fs, "table", "table", "json")
			return func(ctx context.Context, args []string) error {
				if err := noArgs(args); err != nil {
					return err
				}
				if *orgRef == "" {
					return fmt.Errorf("%w: --org is required", errUsage)
				}
				out, err := format()
				if err != nil {
					return err
				}
				db, err := openDB(ctx, env, *dsn, false)
				if err != nil {
					return err
				}
				defer db.Close()
				orgID, err := resolveOrg(ctx, db, "org", *orgRef)
				if err != nil {
					return err
				}
				alerts, err := agreements(db).Alerts(ctx, auth.System, orgID, *days)
				if err != nil {
					return err
				}
				if out == "json" {
					return writeJSON(env.Stdout, alerts)
				}
				tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "DUE\tREFERENCE\tKIND\tMESSAGE")
				for _, al := range alerts {
					due := al.Due.String()
					if al.Overdue {
						due += " (dépassé)"
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", orDash(due), al.Reference, al.Kind, al.Message)
				}
				tw.Flush()
				fmt.Fprintf(env.Stdout, "%d alert(s)\n", len(alerts))
				return nil
			}
		},
	}
}

func agreementOpenDataCommand() command {
	return command{
		path:    "agreement opendata",
		summary: "export the conventions in force, public fields only (open data)",
		setup: func(fs *flag.FlagSet, env *Env) func(context.Context, []string) error {
			dsn := dbFlag(fs, env)
			format := formatFlag(fs, "csv", "csv", "json")
			return func(ctx context.Context, args []string) error {
				if err := noArgs(args); err != nil {
					return err
				}
				out, err := format()
				if err != nil {
					return err
				}
				db, err := openDB(ctx, env, *dsn, false)
				if err != nil {
					return err
				}
				defer db.Close()
				items, err := agreements(db).OpenData(ctx)
				if err != nil {
					return err
				}
				if out == "json" {
					return agreement.WriteOpenDataJSON(env.Stdout, items)
				}
				return agreement.WriteOpenDataCSV(env.Stdout, items)
			}
		},
	}
}

func agreementRefreshCommand() command {
	return command{
		path:    "agreement refresh",
		summary: "apply what time brings to conventions (in force, renewed, expired, terminated): the daily job",
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
				// A convention that fails does not stop the others: the
				// count is theirs, the error lists the failures.
				n, err := agreements(db).WithLogger(env.Log).RefreshDue(ctx, auth.System)
				fmt.Fprintf(env.Stdout, "%d convention(s) changed\n", n)
				return err
			}
		},
	}
}
