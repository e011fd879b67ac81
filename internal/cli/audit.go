package cli

import (
	"context"
	"flag"
	"fmt"
	"strconv"
	"strings"

	"voisines/internal/audit"
)

func auditVerifyCommand() command {
	return command{
		path:    "audit verify",
		summary: "check the audit log's hash chain (exit 1 at the first altered or deleted record)",
		setup: func(fs *flag.FlagSet, env *Env) func(context.Context, []string) error {
			dsn := dbFlag(fs, env)
			anchor := fs.String("anchor", "", "ID:HASH of a record noted earlier outside the database (as printed by a previous\nverify); the record must still be in the chain with that hash")
			return func(ctx context.Context, args []string) error {
				if err := noArgs(args); err != nil {
					return err
				}
				var a *audit.Anchor
				if *anchor != "" {
					id, hash, ok := strings.Cut(*anchor, ":")
					n, err := strconv.ParseInt(id, 10, 64)
					if !ok || err != nil || len(hash) != 64 {
						return fmt.Errorf("%w: --anchor must be ID:HASH, e.g. 42:%s", errUsage, strings.Repeat("0", 64))
					}
					a = &audit.Anchor{ID: n, Hash: strings.ToLower(hash)}
				}
				// A verification writes nothing, not even a migration: a stale
				// schema is reported as such.
				db, err := openDB(ctx, env, *dsn, false)
				if err != nil {
					return err
				}
				defer db.Close()
				var rep audit.Report
				if a != nil {
					rep, err = audit.VerifyAnchored(ctx, db, *a)
				} else {
					rep, err = audit.Verify(ctx, db)
				}
				if err != nil {
					return err
				}
				if !rep.OK {
					return fmt.Errorf("the audit log is broken at record %d (%d records read): %s", rep.BrokenAt, rep.Records, rep.Problem)
				}
				if rep.Records == 0 {
					fmt.Fprintln(env.Stdout, "audit log intact: no records yet")
					return nil
				}
				fmt.Fprintf(env.Stdout, "audit log intact: %d records\nlast record: %d:%s\n", rep.Records, rep.LastID, rep.LastHash)
				return nil
			}
		},
	}
}
