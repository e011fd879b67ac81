package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"voisines/internal/auth"
	"voisines/internal/civil"
	"voisines/internal/export/pdf"
	"voisines/internal/export/xlsx"
	"voisines/internal/ledger"
	"voisines/internal/ledger/synth"
	"voisines/internal/store"
)

// ledgerSub is a subcommand of `voisines ledger`.
type ledgerSub struct {
	name, usage, summary string
	setup                func(fs *flag.FlagSet, env *Env, dsn *string) func(ctx context.Context, db *store.DB, args []string) error
}

// ledgerCommand is `voisines ledger SUBCOMMAND`: the financial engine from
// the command line, acting as the system (the operator). Every subcommand
// takes --db.
func ledgerCommand() command {
	subs := ledgerSubs()
	var names []string
	for _, s := range subs {
		names = append(names, s.name)
	}
	return command{
		path:    "ledger",
		usage:   "SUBCOMMAND [flags] (" + strings.Join(names, ", ") + ")",
		summary: "financial engine: terms, statements (états), gross flows, a commune's year",
		setup: func(_ *flag.FlagSet, env *Env) func(context.Context, []string) error {
			return func(ctx context.Context, args []string) error {
				if len(args) == 0 {
					return fmt.Errorf("%w: choose a subcommand:\n%s", errUsage, ledgerHelp(subs))
				}
				for _, s := range subs {
					if s.name != args[0] {
						continue
					}
					fs := flag.NewFlagSet("voisines ledger "+s.name, flag.ContinueOnError)
					fs.SetOutput(env.Stderr)
					dsn := dbFlag(fs, env)
					run := s.setup(fs, env, dsn)
					fs.Usage = func() {
						fmt.Fprintf(env.Stderr, "Usage: voisines ledger %s [flags] %s\n\n%s\n\nFlags:\n", s.name, s.usage, s.summary)
						fs.PrintDefaults()
					}
					positional, err := parseInterspersed(fs, args[1:])
					if err != nil {
						if errors.Is(err, flag.ErrHelp) {
							return nil
						}
						return fmt.Errorf("%w: %v", errUsage, err)
					}
					db, err := openDB(ctx, env, *dsn, false)
					if err != nil {
						return err
					}
					defer db.Close()
					return run(ctx, db, positional)
				}
				return fmt.Errorf("%w: unknown subcommand %q; choose one of:\n%s", errUsage, args[0], ledgerHelp(subs))
			}
		},
	}
}

// parseInterspersed parses flags wherever they stand among the arguments
// ("show 12 --format pdf" as well as "show --format pdf 12") and returns
// the positional arguments.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

func ledgerHelp(subs []ledgerSub) string {
	var b strings.Builder
	for _, s := range subs {
		fmt.Fprintf(&b, "  %-10s %s\n", s.name, s.summary)
	}
	return b.String()
}

func ledgerService(db *store.DB) *ledger.Service { return ledger.New(db, agreements(db)) }

// agreementID resolves a convention given by id or reference.
func agreementID(ctx context.Context, db *store.DB, ref string) (int64, error) {
	if ref == "" {
		return 0, fmt.Errorf("%w: --agreement is required", errUsage)
	}
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		return id, nil
	}
	r, err := agreements(db).ByReference(ctx, auth.System, ref)
	if err != nil {
		return 0, err
	}
	return r.ID, nil
}

func oneID(args []string, what string) (int64, error) {
	if len(args) != 1 {
		return 0, fmt.Errorf("%w: give one %s id", errUsage, what)
	}
	id, err := strconv.ParseInt(args[0], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: %q is not a %s id", errUsage, args[0], what)
	}
	return id, nil
}

// readJSON decodes the JSON file path ("-" for standard input) into v.
func readJSON(env *Env, path string, v any) error {
	var r io.Reader
	if path == "-" {
		r = env.Stdin
	} else {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		r = f
	}
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// output returns where to write: --out FILE or standard output.
func output(env *Env, path string) (io.Writer, func() error, error) {
	if path == "" || path == "-" {
		return env.Stdout, func() error { return nil }, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, nil, err
	}
	return f, f.Close, nil
}

// requestFlags declares the flags of a statement request.
func requestFlags(fs *flag.FlagSet) func(ctx context.Context, env *Env, db *store.DB) (ledger.Request, error) {
	agr := fs.String("agreement", "", "convention: id or reference (2026-0012)")
	from := fs.String("from", "", "first day of the period, 2026-01-01")
	to := fs.String("to", "", "last day of the period, 2026-06-30")
	label := fs.String("label", "", "the period's name, e.g. \"1er semestre 2026\"")
	file := fs.String("request", "", "a JSON ledger.Request (cost lines, receipts, units, call…); flags override its fields")
	call := fs.Int("call", 0, "number of the call for funds")
	final := fs.Bool("final", false, "the final statement of calls for funds")
	return func(ctx context.Context, env *Env, db *store.DB) (ledger.Request, error) {
		var req ledger.Request
		if *file != "" {
			if err := readJSON(env, *file, &req); err != nil {
				return req, err
			}
		}
		if *agr != "" {
			id, err := agreementID(ctx, db, *agr)
			if err != nil {
				return req, err
			}
			req.AgreementID = id
		}
		for _, f := range []struct {
			s   string
			dst *civil.Date
		}{{*from, &req.From}, {*to, &req.To}} {
			if f.s == "" {
				continue
			}
			d, err := civil.Parse(f.s)
			if err != nil {
				return req, fmt.Errorf("%w: %v", errUsage, err)
			}
			*f.dst = d
		}
		if *label != "" {
			req.Label = *label
		}
		if *call != 0 {
			req.Call = *call
		}
		if *final {
			req.Final = true
		}
		return req, nil
	}
}

// printStatement writes a statement as text, JSON or PDF.
func printStatement(env *Env, st ledger.Statement, flows []ledger.Flow, format, out string) error {
	w, done, err := output(env, out)
	if err != nil {
		return err
	}
	switch format {
	case "json":
		err = writeJSON(w, struct {
			Statement ledger.Statement `json:"statement"`
			Flows     []ledger.Flow    `json:"flows,omitempty"`
		}{st, flows})
	case "pdf":
		err = pdf.Statement(w, st, pdf.StatementOptions{Flows: flows})
	default:
		status := "brouillon"
		if st.Status == ledger.Issued {
			status = "émis le " + civil.In(st.IssuedAt, civil.Paris).French() + " par " + st.IssuedBy
			if st.SupersededBy != 0 {
				status += fmt.Sprintf(", remplacé par l'état %d", st.SupersededBy)
			}
		}
		fmt.Fprintf(w, "État %d — n° %d version %d, %s\n", st.ID, st.Number, st.Version, status)
		for _, l := range st.Result.Explain {
			fmt.Fprintln(w, l)
		}
		if len(flows) > 0 {
			fmt.Fprintln(w, "Flux bruts :")
			for _, f := range flows {
				fmt.Fprintf(w, "  %d. %s → %s : %s (titre %s, mandat %s)\n", f.ID, f.Debtor.Name, f.Creditor.Name, f.Amount,
					orDash(f.TitreAccount), orDash(f.MandatAccount))
			}
		}
		fmt.Fprintf(w, "Empreinte SHA-256 des données : %s\n", st.InputsSHA256)
	}
	if cerr := done(); err == nil {
		err = cerr
	}
	return err
}

func ledgerSubs() []ledgerSub {
	return []ledgerSub{
		{
			name: "terms", usage: "AGREEMENT", summary: "show a convention's financial terms, or set them with --set FILE",
			setup: func(fs *flag.FlagSet, env *Env, _ *string) func(context.Context, *store.DB, []string) error {
				set := fs.String("set", "", "a JSON ledger.Terms to record (\"-\" for standard input)")
				version := fs.Int64("version", 0, "version of the terms being replaced (0 for the first terms)")
				return func(ctx context.Context, db *store.DB, args []string) error {
					if len(args) != 1 {
						return fmt.Errorf("%w: give one convention id or reference", errUsage)
					}
					id, err := agreementID(ctx, db, args[0])
					if err != nil {
						return err
					}
					svc := ledgerService(db)
					if *set == "" {
						tr, err := svc.Terms(ctx, auth.System, id)
						if err != nil {
							return err
						}
						return writeJSON(env.Stdout, tr)
					}
					var t ledger.Terms
					if err := readJSON(env, *set, &t); err != nil {
						return err
					}
					tr, err := svc.SetTerms(ctx, auth.System, id, *version, t)
					if err != nil {
						return err
					}
					return writeJSON(env.Stdout, tr)
				}
			},
		},
		{
			name: "compute", summary: "compute a statement (état) without storing it, or store it as a draft with --draft",
			setup: func(fs *flag.FlagSet, env *Env, _ *string) func(context.Context, *store.DB, []string) error {
				request := requestFlags(fs)
				draft := fs.Bool("draft", false, "store the statement as a draft, to issue later")
				format := fs.String("format", "text", "output: text, json or pdf")
				out := fs.String("out", "", "write to this file instead of standard output")
				return func(ctx context.Context, db *store.DB, args []string) error {
					req, err := request(ctx, env, db)
					if err != nil {
						return err
					}
					svc := ledgerService(db)
					var st ledger.Statement
					if *draft {
						st, err = svc.Draft(ctx, auth.System, req)
					} else {
						st, err = svc.Compute(ctx, auth.System, req)
					}
					if err != nil {
						return err
					}
					return printStatement(env, st, nil, *format, *out)
				}
			},
		},
		{
			name: "issue", usage: "STATEMENT", summary: "issue a draft statement: freeze it and create its gross flows",
			setup: func(fs *flag.FlagSet, env *Env, _ *string) func(context.Context, *store.DB, []string) error {
				return func(ctx context.Context, db *store.DB, args []string) error {
					id, err := oneID(args, "statement")
					if err != nil {
						return err
					}
					svc := ledgerService(db)
					st, err := svc.Issue(ctx, auth.System, id)
					if err != nil {
						return err
					}
					flows, err := svc.Flows(ctx, auth.System, st.ID)
					if err != nil {
						return err
					}
					return printStatement(env, st, flows, "text", "")
				}
			},
		},
		{
			name: "correct", usage: "STATEMENT", summary: "issue a corrected version of an issued statement (--reason required)",
			setup: func(fs *flag.FlagSet, env *Env, _ *string) func(context.Context, *store.DB, []string) error {
				request := requestFlags(fs)
				reason := fs.String("reason", "", "why the statement is corrected")
				return func(ctx context.Context, db *store.DB, args []string) error {
					id, err := oneID(args, "statement")
					if err != nil {
						return err
					}
					svc := ledgerService(db)
					prev, err := svc.Statement(ctx, auth.System, id)
					if err != nil {
						return err
					}
					base := prev.Inputs.Request
					req, err := request(ctx, env, db)
					if err != nil {
						return err
					}
					// Unset fields keep the corrected statement's.
					if req.From.IsZero() {
						req.From = base.From
					}
					if req.To.IsZero() {
						req.To = base.To
					}
					if req.Label == "" {
						req.Label = base.Label
					}
					if req.CostLines == nil && req.Receipts == nil && req.Units == nil {
						req.CostLines, req.Receipts, req.Units = base.CostLines, base.Receipts, base.Units
					}
					if req.Call == 0 && !req.Final {
						req.Call, req.Final = base.Call, base.Final
					}
					st, err := svc.Correct(ctx, auth.System, id, req, *reason)
					if err != nil {
						return err
					}
					flows, err := svc.Flows(ctx, auth.System, st.ID)
					if err != nil {
						return err
					}
					return printStatement(env, st, flows, "text", "")
				}
			},
		},
		{
			name: "show", usage: "STATEMENT", summary: "show a statement and its flows (text, json or pdf)",
			setup: func(fs *flag.FlagSet, env *Env, _ *string) func(context.Context, *store.DB, []string) error {
				format := fs.String("format", "text", "output: text, json or pdf")
				out := fs.String("out", "", "write to this file instead of standard output")
				return func(ctx context.Context, db *store.DB, args []string) error {
					id, err := oneID(args, "statement")
					if err != nil {
						return err
					}
					svc := ledgerService(db)
					st, err := svc.Statement(ctx, auth.System, id)
					if err != nil {
						return err
					}
					flows, err := svc.Flows(ctx, auth.System, id)
					if err != nil {
						return err
					}
					return printStatement(env, st, flows, *format, *out)
				}
			},
		},
		{
			name: "year", summary: "an organisation's year: titres to issue, mandats to expect (text, json, xlsx, or csv of titres)",
			setup: func(fs *flag.FlagSet, env *Env, _ *string) func(context.Context, *store.DB, []string) error {
				orgRef := fs.String("org", "", "organisation: INSEE code, SIREN or id")
				year := fs.Int("year", civil.Today().Year, "fiscal year")
				format := fs.String("format", "text", "output: text, json, xlsx or csv (the titres)")
				out := fs.String("out", "", "write to this file instead of standard output")
				return func(ctx context.Context, db *store.DB, args []string) error {
					orgID, err := resolveOrg(ctx, db, "org", *orgRef)
					if err != nil {
						return err
					}
					if orgID == 0 {
						return fmt.Errorf("%w: --org is required", errUsage)
					}
					y, err := ledgerService(db).Year(ctx, auth.System, orgID, *year)
					if err != nil {
						return err
					}
					w, done, err := output(env, *out)
					if err != nil {
						return err
					}
					switch *format {
					case "json":
						err = writeJSON(w, y)
					case "xlsx":
						err = xlsx.Year(w, y)
					case "csv":
						err = ledger.WriteTitresCSV(w, y.Titres)
					default:
						err = printYear(w, y)
					}
					if cerr := done(); err == nil {
						err = cerr
					}
					return err
				}
			},
		},
		{
			name: "document", usage: "FLOW", summary: "record the titre or mandat issued for a flow (--side, --ref)",
			setup: func(fs *flag.FlagSet, env *Env, _ *string) func(context.Context, *store.DB, []string) error {
				side := fs.String("side", "titre", "titre (the creditor's) or mandat (the debtor's)")
				ref := fs.String("ref", "", "the document's number in the finance software")
				date := fs.String("date", "", "the document's date, 2026-07-15")
				account := fs.String("account", "", "the account used (default: the suggested one)")
				return func(ctx context.Context, db *store.DB, args []string) error {
					id, err := oneID(args, "flow")
					if err != nil {
						return err
					}
					doc := ledger.Document{Reference: *ref, Account: *account}
					if *date != "" {
						if doc.Date, err = civil.Parse(*date); err != nil {
							return fmt.Errorf("%w: %v", errUsage, err)
						}
					}
					f, err := ledgerService(db).RecordDocument(ctx, auth.System, id, ledger.Side(*side), doc)
					if err != nil {
						return err
					}
					return writeJSON(env.Stdout, f)
				}
			},
		},
		{
			name: "run", summary: "compute every convention's statement of a period without storing it, and time it",
			setup: func(fs *flag.FlagSet, env *Env, _ *string) func(context.Context, *store.DB, []string) error {
				year := fs.Int("year", civil.Today().Year, "the calendar year to compute (sets --from and --to)")
				baseline := fs.Bool("baseline", false, "only run the plain SQL GROUP BY that sums the same usage, for comparison")
				cpuProfile := fs.String("cpuprofile", "", "write a CPU profile to this file")
				memory := fs.Int64("memory", 512, "memory budget in MiB: the garbage collector runs only when the heap nears it")
				return func(ctx context.Context, db *store.DB, args []string) error {
					if *cpuProfile != "" {
						f, err := os.Create(*cpuProfile)
						if err != nil {
							return err
						}
						defer f.Close()
						if err := pprof.StartCPUProfile(f); err != nil {
							return err
						}
						defer pprof.StopCPUProfile()
					}
					from, to := civil.New(*year, time.January, 1), civil.New(*year, time.December, 31)
					// A batch job: collect garbage only when the heap nears
					// the memory budget, not every time it doubles.
					defer debug.SetGCPercent(debug.SetGCPercent(-1))
					defer debug.SetMemoryLimit(debug.SetMemoryLimit(*memory << 20))
					start := time.Now()
					var out any
					if *baseline {
						n, sum, err := ledgerService(db).UsageBaseline(ctx, auth.System, from, to)
						if err != nil {
							return err
						}
						out = map[string]any{"groups": n, "quantity_milli": sum}
					} else {
						var refusals atomic.Int64
						var example atomic.Value
						b, err := ledgerService(db).ComputeAll(ctx, auth.System, from, to, synth.Request, func(st ledger.Statement, err error) error {
							if err != nil && refusals.Add(1) == 1 {
								example.Store(fmt.Sprintf("convention %d: %v", st.AgreementID, err))
							}
							return nil
						})
						if err != nil {
							return err
						}
						res := map[string]any{"batch": b}
						if e := example.Load(); e != nil {
							res["first_refusal"] = e
						}
						out = res
					}
					elapsed := time.Since(start)
					var m runtime.MemStats
					runtime.ReadMemStats(&m)
					return writeJSON(env.Stdout, map[string]any{"engine": db.Dialect.String(), "from": from, "to": to,
						"elapsed_ms": elapsed.Milliseconds(), "go_sys_mib": m.Sys >> 20, "result": out})
				}
			},
		},
		{
			name: "accounts", summary: "the suggested M57 accounts of a fiscal year; --set FILE records a rule (JSON)",
			setup: func(fs *flag.FlagSet, env *Env, _ *string) func(context.Context, *store.DB, []string) error {
				year := fs.Int("year", civil.Today().Year, "fiscal year")
				set := fs.String("set", "", "a JSON ledger.AccountRule to record")
				return func(ctx context.Context, db *store.DB, args []string) error {
					svc := ledgerService(db)
					if *set != "" {
						var r ledger.AccountRule
						if err := readJSON(env, *set, &r); err != nil {
							return err
						}
						if err := svc.SetAccount(ctx, auth.System, r); err != nil {
							return err
						}
						*year = r.Year
					}
					rules, err := svc.Accounts(ctx, *year)
					if err != nil {
						return err
					}
					tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
					fmt.Fprintln(tw, "YEAR\tINSTRUMENT\tCOUNTERPARTY\tSIDE\tACCOUNT\tLABEL")
					for _, r := range rules {
						fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", r.Year, r.Instrument, r.Counterparty, r.Side, orDash(r.Account), r.Label)
					}
					return tw.Flush()
				}
			},
		},
	}
}

func printYear(w io.Writer, y ledger.Year) error {
	fmt.Fprintf(w, "%s — exercice %d\n", y.Name, y.Year)
	fmt.Fprintf(w, "Titres de recettes à émettre : %d, total %s\n", len(y.Titres), y.TotalTitres)
	for _, f := range y.Titres {
		fmt.Fprintf(w, "  %s  %-32s %14s  compte %-6s  %s\n", f.AgreementReference, f.Debtor.Name, f.Amount.French(), orDash(f.TitreAccount), f.Object)
	}
	fmt.Fprintf(w, "Mandats attendus : %d, total %s\n", len(y.Mandats), y.TotalMandats)
	for _, f := range y.Mandats {
		fmt.Fprintf(w, "  %s  %-32s %14s  compte %-6s  %s\n", f.AgreementReference, f.Creditor.Name, f.Amount.French(), orDash(f.MandatAccount), f.Object)
	}
	if len(y.Partners) > 0 {
		fmt.Fprintf(w, "Par partenaire (%s) :\n", ledger.NetLabel)
		for _, p := range y.Partners {
			fmt.Fprintf(w, "  %-32s titres %14s  mandats %14s  position nette %14s\n", p.Name, p.Titres.French(), p.Mandats.French(), p.NetInformation.French())
		}
	}
	for _, c := range y.Conventions {
		if c.Saving != nil {
			fmt.Fprintf(w, "Convention %s : coût seul déclaré %s, coût net %s, économie %s (information)\n",
				c.Reference, c.Standalone.Cost, *c.NetCost, *c.Saving)
		}
	}
	return nil
}

// genCommand is `voisines gen`: a synthetic national year on the imported
// territory, for measuring the financial engine.
func genCommand() command {
	return command{
		path:    "gen",
		summary: "generate a synthetic national year (conventions, terms, usage) on the imported territory",
		setup: func(fs *flag.FlagSet, env *Env) func(context.Context, []string) error {
			dsn := dbFlag(fs, env)
			var o synth.Options
			fs.IntVar(&o.Year, "year", 2026, "fiscal year of the usage")
			fs.IntVar(&o.Conventions, "conventions", 200_000, "number of conventions")
			fs.IntVar(&o.UsageRecords, "usage", 5_000_000, "number of usage records")
			fs.Int64Var(&o.Seed, "seed", 1, "random seed (the same seed gives the same rows)")
			return func(ctx context.Context, args []string) error {
				if err := noArgs(args); err != nil {
					return err
				}
				db, err := openDB(ctx, env, *dsn, false)
				if err != nil {
					return err
				}
				defer db.Close()
				p := newProgress(env.Stderr)
				o.Progress = p.update
				rep, err := synth.Generate(ctx, db, o)
				p.finish()
				if err != nil {
					return err
				}
				return writeJSON(env.Stdout, rep)
			}
		},
	}
}
