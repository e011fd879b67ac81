package cli

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"voisines/internal/auth"
	"voisines/internal/civil"
	"voisines/internal/staff"
	"voisines/internal/store"
)

// The staff commands (issue 6): the agents of an organisation, its staff
// alerts, a CSV import of time worked, and a secondment's reimbursement.
// They act as the system (the operator).

func staffService(db *store.DB) *staff.Service {
	return staff.New(db, agreements(db), ledgerService(db))
}

// staffOrgFlag declares --org and resolves it to an organisation id.
func staffOrgFlag(fs *flag.FlagSet) func(ctx context.Context, db *store.DB) (int64, error) {
	ref := fs.String("org", "", "organisation: INSEE code of a commune, SIREN or id (required)")
	return func(ctx context.Context, db *store.DB) (int64, error) {
		if *ref == "" {
			return 0, fmt.Errorf("%w: --org is required", errUsage)
		}
		return resolveOrg(ctx, db, "org", *ref)
	}
}

// staffListCommand lists the agents of an organisation and those seconded
// to it.
func staffListCommand() command {
	return command{
		path:    "staff list",
		summary: "list an organisation's agents and the agents seconded to it, with their secondments",
		setup: func(fs *flag.FlagSet, env *Env) func(context.Context, []string) error {
			dsn := dbFlag(fs, env)
			org := staffOrgFlag(fs)
			format := formatFlag(fs, "text", "text", "json")
			return func(ctx context.Context, args []string) error {
				if err := noArgs(args); err != nil {
					return err
				}
				f, err := format()
				if err != nil {
					return err
				}
				db, err := openDB(ctx, env, *dsn, false)
				if err != nil {
					return err
				}
				defer db.Close()
				id, err := org(ctx, db)
				if err != nil {
					return err
				}
				lines, err := staffService(db).Agents(ctx, auth.System, id)
				if err != nil {
					return err
				}
				if f == "json" {
					return writeJSON(env.Stdout, lines)
				}
				tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "AGENT\tNAME\tSTATUS\tEMPLOYER\tSECONDMENT\tHOST\tFROM\tTO\tQUOTITE\tBILLING")
				for _, l := range lines {
					ag := l.Agent
					if len(l.Secondments) == 0 {
						fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t-\t\t\t\t\t\n", ag.ID, ag.FamilyName+" "+ag.GivenName, ag.Status, ag.EmployerName)
					}
					for _, s := range l.Secondments {
						fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\n", ag.ID, ag.FamilyName+" "+ag.GivenName, ag.Status, ag.EmployerName,
							s.ID, s.HostName, s.Start, s.End, s.Quotite, s.Billing)
					}
				}
				tw.Flush()
				fmt.Fprintf(env.Stdout, "%d agent(s)\n", len(lines))
				return nil
			}
		},
	}
}

// staffAlertsCommand prints an organisation's staff alerts.
func staffAlertsCommand() command {
	return command{
		path:    "staff alerts",
		summary: "staff alerts of an organisation: secondments ending within 3 months, missing consent or annual cost, over 3 years",
		setup: func(fs *flag.FlagSet, env *Env) func(context.Context, []string) error {
			dsn := dbFlag(fs, env)
			org := staffOrgFlag(fs)
			return onDB(env, dsn, func(ctx context.Context, db *store.DB) error {
				id, err := org(ctx, db)
				if err != nil {
					return err
				}
				als, err := staffService(db).Alerts(ctx, auth.System, id)
				if err != nil {
					return err
				}
				for _, al := range als {
					due := ""
					if !al.Due.IsZero() {
						due = " (" + al.Due.String() + ")"
					}
					fmt.Fprintf(env.Stdout, "%s\tsecondment %d%s: %s\n", al.Kind, al.SecondmentID, due, al.Message)
				}
				fmt.Fprintf(env.Stdout, "%d alert(s)\n", len(als))
				return nil
			})
		},
	}
}

// staffImportTimeCommand imports time worked from CSV, all or nothing.
func staffImportTimeCommand() command {
	return command{
		path:    "staff import-time",
		summary: "import time worked at hosts from CSV, all or nothing, with line-numbered errors",
		usage:   "FILE.csv",
		setup: func(fs *flag.FlagSet, env *Env) func(context.Context, []string) error {
			dsn := dbFlag(fs, env)
			return func(ctx context.Context, args []string) error {
				if len(args) != 1 {
					return fmt.Errorf("%w: give one CSV file (columns: %s)", errUsage, strings.Join(staff.TimeColumns, ", "))
				}
				f, err := os.Open(args[0])
				if err != nil {
					return err
				}
				defer f.Close()
				db, err := openDB(ctx, env, *dsn, false)
				if err != nil {
					return err
				}
				defer db.Close()
				rep, err := staffService(db).ImportTimeCSV(ctx, auth.System, f)
				if err, ok := importRefused(env, args[0], err); ok {
					return err
				}
				if err != nil {
					return err
				}
				fmt.Fprintf(env.Stdout, "imported %s: %d time record(s), %s\n", args[0], rep.Records, staff.FormatMinutes(rep.Minutes))
				return nil
			}
		},
	}
}

// staffReimburseCommand computes a secondment's reimbursement for a period
// and drafts its statement.
func staffReimburseCommand() command {
	return command{
		path:    "staff reimburse",
		summary: "compute a secondment's reimbursement for a period (within one year) and draft its statement",
		setup: func(fs *flag.FlagSet, env *Env) func(context.Context, []string) error {
			dsn := dbFlag(fs, env)
			secondment := fs.Int64("secondment", 0, "the secondment's number (required)")
			from := fs.String("from", "", "first day of the period, 2026-05-01 (required)")
			to := fs.String("to", "", "last day of the period, 2026-12-31 (required)")
			label := fs.String("label", "", "label of the statement")
			return func(ctx context.Context, args []string) error {
				if err := noArgs(args); err != nil {
					return err
				}
				if *secondment <= 0 {
					return fmt.Errorf("%w: --secondment is required", errUsage)
				}
				id := *secondment
				p := staff.Period{Label: *label}
				var err error
				if p.From, err = civil.Parse(*from); err != nil {
					return fmt.Errorf("%w: --from: %v", errUsage, err)
				}
				if p.To, err = civil.Parse(*to); err != nil {
					return fmt.Errorf("%w: --to: %v", errUsage, err)
				}
				db, err := openDB(ctx, env, *dsn, false)
				if err != nil {
					return err
				}
				defer db.Close()
				rb, st, err := staffService(db).Reimburse(ctx, auth.System, id, p)
				if err != nil {
					return err
				}
				fmt.Fprintf(env.Stdout, "statement %d (n° %d, %s): %s owed for %s to %s\n", st.ID, st.Number, st.Status, rb.Amount.Plain(), rb.From, rb.To)
				for _, line := range st.Result.Explain {
					fmt.Fprintf(env.Stdout, "  %s\n", line)
				}
				fmt.Fprintf(env.Stdout, "check it, then issue it: voisines ledger issue %d\n", st.ID)
				return nil
			}
		},
	}
}
