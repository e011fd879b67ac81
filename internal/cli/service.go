package cli

// The shared services from the command line (issue 6), acting as the
// operator: list the services, record a year's cost lines and print its
// unit cost, record its notification, import usage from CSV (all or
// nothing, errors by line and column) and draft (and issue) a statement.

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"voisines/internal/auth"
	"voisines/internal/civil"
	"voisines/internal/ledger"
	"voisines/internal/money"
	"voisines/internal/service"
	"voisines/internal/store"
	"voisines/internal/validate"
)

func services(db *store.DB) *service.Manager {
	agr := agreements(db)
	return service.New(db, agr, ledger.New(db, agr))
}

// serviceID resolves --service: a service id, or the reference of its
// convention (2026-0012).
func serviceID(ctx context.Context, db *store.DB, ref string) (int64, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return 0, fmt.Errorf("%w: --service is required (a service id or its convention's reference)", errUsage)
	}
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		return id, nil
	}
	r, err := agreements(db).ByReference(ctx, auth.System, ref)
	if err != nil {
		return 0, fmt.Errorf("--service %s: %w", ref, err)
	}
	s, err := services(db).ByAgreement(ctx, auth.System, r.ID)
	if err != nil {
		return 0, fmt.Errorf("--service %s: %w", ref, err)
	}
	return s.ID, nil
}

// serviceFlags adds the flags of every service command: the database and
// --service.
func serviceFlags(fs *flag.FlagSet, env *Env) (dsn, svc *string) {
	return dbFlag(fs, env), fs.String("service", "", "the service: its id, or its convention's reference")
}

// onService opens the database, resolves --service and runs fn: the end
// of the service commands that read their own arguments first.
func onService(ctx context.Context, env *Env, dsn, svc string, fn func(db *store.DB, id int64) error) error {
	db, err := openDB(ctx, env, dsn, false)
	if err != nil {
		return err
	}
	defer db.Close()
	id, err := serviceID(ctx, db, svc)
	if err != nil {
		return err
	}
	return fn(db, id)
}

// printFieldErrors writes validation errors one per line and returns a
// short error, or returns err as it is.
func printFieldErrors(env *Env, err error) error {
	fes, ok := validate.As(err)
	if !ok {
		return err
	}
	for _, fe := range fes {
		if fe.Field != "" {
			fmt.Fprintf(env.Stderr, "  %s: %s\n", fe.Field, fe.Message)
		} else {
			fmt.Fprintf(env.Stderr, "  %s\n", fe.Message)
		}
	}
	return errors.New("refused")
}

func serviceListCommand() command {
	return command{
		path:    "service list",
		summary: "list the shared services (mise à disposition de services, service unifié, service commun)",
		setup: func(fs *flag.FlagSet, env *Env) func(context.Context, []string) error {
			dsn := dbFlag(fs, env)
			orgRef := fs.String("org", "", "only the services this organisation provides or benefits from (INSEE code, SIREN or id:N)")
			format := fs.String("format", "table", "table or json")
			return onDB(env, dsn, func(ctx context.Context, db *store.DB) error {
				m := services(db)
				var list []service.Summary
				var err error
				if *orgRef != "" {
					org, err := resolveOrg(ctx, db, "org", *orgRef)
					if err != nil {
						return err
					}
					list, err = m.ForOrganisation(ctx, auth.System, org)
					if err != nil {
						return err
					}
				} else if list, err = m.All(ctx, auth.System); err != nil {
					return err
				}
				if *format == "json" {
					enc := json.NewEncoder(env.Stdout)
					enc.SetIndent("", "  ")
					return enc.Encode(list)
				}
				tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tCONVENTION\tUNIT\tPROVIDER\tROLE\tNAME")
				for _, s := range list {
					role := "provides"
					if !s.Provides {
						role = "benefits"
					}
					fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", s.ID, s.AgreementReference, s.Unit, s.ProviderName, role, s.Name)
				}
				tw.Flush()
				fmt.Fprintf(env.Stdout, "%d service(s)\n", len(list))
				return nil
			})
		},
	}
}

func serviceImportUsageCommand() command {
	return command{
		path:    "service import-usage",
		summary: "import a service's usage from CSV (date;beneficiaire;type;quantite;reference[;note]), all or nothing",
		usage:   "--service ID FILE.csv",
		setup: func(fs *flag.FlagSet, env *Env) func(context.Context, []string) error {
			dsn, svc := serviceFlags(fs, env)
			return func(ctx context.Context, args []string) error {
				if len(args) != 1 {
					return fmt.Errorf("%w: give one CSV file (columns: %s)", errUsage, strings.Join(service.ImportColumns, ", "))
				}
				f, err := os.Open(args[0])
				if err != nil {
					return err
				}
				defer f.Close()
				return onService(ctx, env, *dsn, *svc, func(db *store.DB, id int64) error {
					rep, err := services(db).ImportUsage(ctx, auth.System, id, f)
					if err, ok := importRefused(env, args[0], err); ok {
						return err
					}
					if err != nil {
						return printFieldErrors(env, err)
					}
					fmt.Fprintf(env.Stdout, "imported %s: %d line(s), %d created, %d updated (sha256 %s)\n", args[0], rep.Lines, rep.Created, rep.Updated, rep.SHA256)
					return nil
				})
			}
		},
	}
}

func serviceUnitCostCommand() command {
	return command{
		path:    "service unit-cost",
		summary: "print (or record with --set) a service's cost lines, D5211-16 unit cost and notification status for a year",
		usage:   "--service ID --year 2026 [--set year.json]",
		setup: func(fs *flag.FlagSet, env *Env) func(context.Context, []string) error {
			dsn, svc := serviceFlags(fs, env)
			year := fs.Int("year", civil.Today().Year, "the fiscal year")
			set := fs.String("set", "", "a JSON service.YearInput to record first (lines, budget_update, budget_update_reason, forecast_units, source); - for stdin")
			format := fs.String("format", "text", "text or json")
			return onDB(env, dsn, func(ctx context.Context, db *store.DB) error {
				id, err := serviceID(ctx, db, *svc)
				if err != nil {
					return err
				}
				m := services(db)
				var y service.Year
				if *set != "" {
					var in service.YearInput
					if err := readJSON(env, *set, &in); err != nil {
						return err
					}
					var version int64
					if cur, err := m.Year(ctx, auth.System, id, *year); err == nil {
						version = cur.Version
					} else if !errors.Is(err, store.ErrNotFound) {
						return err
					}
					if y, err = m.SetYear(ctx, auth.System, id, *year, version, in); err != nil {
						return printFieldErrors(env, err)
					}
				} else if y, err = m.Year(ctx, auth.System, id, *year); err != nil {
					return err
				}
				if *format == "json" {
					enc := json.NewEncoder(env.Stdout)
					enc.SetIndent("", "  ")
					return enc.Encode(y)
				}
				s, err := m.Get(ctx, auth.System, id)
				if err != nil {
					return err
				}
				fmt.Fprintf(env.Stdout, "%s — %d\n", s.Name, y.Year)
				for _, l := range y.Explain {
					fmt.Fprintf(env.Stdout, "  %s\n", l)
				}
				fmt.Fprintf(env.Stdout, "unit cost: %s\n", service.UnitCostText(y.Applied, s.Unit))
				late := ""
				if y.Notification.Late {
					late = "LATE: "
				}
				fmt.Fprintf(env.Stdout, "notification: %s%s\n", late, y.Notification.Message)
				return nil
			})
		},
	}
}

func serviceNotifyCommand() command {
	return command{
		path:    "service notify",
		summary: "record that a year's unit cost was notified to the beneficiaries (D5211-16: 15 April, 30 April in 2026)",
		usage:   "--service ID --year 2026 --date 2026-04-20 [--to CODE,CODE]",
		setup: func(fs *flag.FlagSet, env *Env) func(context.Context, []string) error {
			dsn, svc := serviceFlags(fs, env)
			year := fs.Int("year", civil.Today().Year, "the fiscal year")
			date := fs.String("date", "", "the day the unit cost was notified, 2026-04-20")
			to := fs.String("to", "", "the beneficiaries notified, by INSEE code, SIREN or id:N, comma-separated (default: all)")
			note := fs.String("note", "", "how it was sent")
			return func(ctx context.Context, args []string) error {
				if err := noArgs(args); err != nil {
					return err
				}
				d, err := civil.Parse(*date)
				if err != nil {
					return fmt.Errorf("%w: --date %q: want 2026-04-20", errUsage, *date)
				}
				return onService(ctx, env, *dsn, *svc, func(db *store.DB, id int64) error {
					in := service.NoticeInput{Date: d, Note: *note}
					for _, ref := range strings.Split(*to, ",") {
						if ref = strings.TrimSpace(ref); ref == "" {
							continue
						}
						org, err := resolveOrg(ctx, db, "to", ref)
						if err != nil {
							return err
						}
						in.Recipients = append(in.Recipients, org)
					}
					n, err := services(db).Notify(ctx, auth.System, id, *year, in)
					if err != nil {
						return printFieldErrors(env, err)
					}
					names := make([]string, len(n.Recipients))
					for i, r := range n.Recipients {
						names[i] = r.Name
					}
					status := "in time"
					switch {
					case n.Deadline.IsZero():
						status = "no legal deadline (service commun)"
					case n.Late:
						status = fmt.Sprintf("LATE by %d day(s): due by %s", n.DaysLate, n.Deadline)
					}
					fmt.Fprintf(env.Stdout, "unit cost %d notified on %s to %s: %s\n", n.Year, n.Date, strings.Join(names, ", "), status)
					return nil
				})
			}
		},
	}
}

func serviceStatementCommand() command {
	return command{
		path:    "service statement",
		summary: "draft (and with --issue issue) a service's statement for a period of at most 12 months",
		usage:   "--service ID --from 2026-01-01 --to 2026-06-30 [--label L] [--actual-cost 97212,40] [--issue]",
		setup: func(fs *flag.FlagSet, env *Env) func(context.Context, []string) error {
			dsn, svc := serviceFlags(fs, env)
			from := fs.String("from", "", "first day of the period")
			to := fs.String("to", "", "last day of the period")
			label := fs.String("label", "", "the period's name, e.g. \"1er semestre 2026\"")
			actual := fs.String("actual-cost", "", "actual-cost billing: the period's actual cost (default: the year's cost lines)")
			actualLabel := fs.String("actual-label", "Coût réel constaté", "the actual cost's label")
			issue := fs.Bool("issue", false, "issue the draft at once")
			return func(ctx context.Context, args []string) error {
				if err := noArgs(args); err != nil {
					return err
				}
				var req service.StatementRequest
				var err error
				if req.From, err = civil.Parse(*from); err != nil {
					return fmt.Errorf("%w: --from %q: want 2026-01-01", errUsage, *from)
				}
				if req.To, err = civil.Parse(*to); err != nil {
					return fmt.Errorf("%w: --to %q: want 2026-06-30", errUsage, *to)
				}
				req.Label = *label
				if *actual != "" {
					c, err := money.Parse(*actual)
					if err != nil {
						return fmt.Errorf("%w: --actual-cost %q: %v", errUsage, *actual, err)
					}
					req.CostLines = []money.CostLine{{Label: *actualLabel, Amount: c, Eligible: true}}
				}
				return onService(ctx, env, *dsn, *svc, func(db *store.DB, id int64) error {
					m := services(db)
					st, err := m.DraftStatement(ctx, auth.System, id, req)
					if err != nil {
						return printFieldErrors(env, err)
					}
					if *issue {
						if st, err = m.IssueStatement(ctx, auth.System, id, st.ID); err != nil {
							return printFieldErrors(env, err)
						}
					}
					for _, l := range st.Result.Explain {
						fmt.Fprintln(env.Stdout, l)
					}
					fmt.Fprintf(env.Stdout, "statement %d (n° %d, %s): total %s\n", st.ID, st.Number, st.Status, st.Result.Total)
					return nil
				})
			}
		},
	}
}
