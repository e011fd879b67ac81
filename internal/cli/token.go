package cli

import (
	"context"
	"flag"
	"fmt"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"voisines/internal/auth"
)

// tokenListCommand lists personal API tokens, of one user or of everyone,
// as a platform admin would (the CLI acts as the system).
func tokenListCommand() command {
	return command{
		path:    "token list",
		summary: "list personal API tokens (never their secrets), of one user or of all",
		setup: func(fs *flag.FlagSet, env *Env) func(context.Context, []string) error {
			dsn := dbFlag(fs, env)
			user := fs.String("user", "", "only this user's tokens: an e-mail address or a user id")
			return func(ctx context.Context, args []string) error {
				if err := noArgs(args); err != nil {
					return err
				}
				db, err := openDB(ctx, env, *dsn, false)
				if err != nil {
					return err
				}
				defer db.Close()
				s := auth.New(db)
				var userID int64
				if *user != "" {
					if userID, err = strconv.ParseInt(*user, 10, 64); err != nil || userID <= 0 {
						u, err := s.UserByEmail(ctx, *user)
						if err != nil {
							return fmt.Errorf("--user %s: %w", *user, err)
						}
						userID = u.ID
					}
				}
				tokens, err := s.Tokens(ctx, auth.System, userID)
				if err != nil {
					return err
				}
				tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tUSER\tNAME\tSCOPE\tSTATUS\tCREATED\tEXPIRES\tLAST USED")
				for _, t := range tokens {
					used := "never"
					if t.LastUsedAt != nil {
						used = t.LastUsedAt.Format(time.RFC3339)
					}
					fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Email, t.Name, t.Scope, t.Status,
						t.CreatedAt.Format(time.RFC3339), t.ExpiresAt.Format(time.RFC3339), used)
				}
				tw.Flush()
				fmt.Fprintf(env.Stdout, "%d token(s)\n", len(tokens))
				return nil
			}
		},
	}
}

// tokenRevokeCommand revokes a token by id, whoever owns it.
func tokenRevokeCommand() command {
	return command{
		path:    "token revoke",
		usage:   "ID",
		summary: "revoke a personal API token at once (its next request gets 401)",
		setup: func(fs *flag.FlagSet, env *Env) func(context.Context, []string) error {
			dsn := dbFlag(fs, env)
			return func(ctx context.Context, args []string) error {
				if len(args) != 1 {
					return fmt.Errorf("%w: give one token id (see voisines token list)", errUsage)
				}
				id, err := strconv.ParseInt(args[0], 10, 64)
				if err != nil || id <= 0 {
					return fmt.Errorf("%w: token id %q is not a positive integer", errUsage, args[0])
				}
				db, err := openDB(ctx, env, *dsn, false)
				if err != nil {
					return err
				}
				defer db.Close()
				t, err := auth.New(db).RevokeToken(ctx, auth.System, id)
				if err != nil {
					return err
				}
				fmt.Fprintf(env.Stdout, "revoked token %d %q of %s\n", t.ID, t.Name, t.Email)
				return nil
			}
		},
	}
}

// tokenPurgeCommand deletes the tokens revoked or expired long ago.
func tokenPurgeCommand() command {
	return command{
		path:    "token purge",
		summary: "delete personal API tokens revoked or expired long ago (live tokens are kept)",
		setup: func(fs *flag.FlagSet, env *Env) func(context.Context, []string) error {
			dsn := dbFlag(fs, env)
			olderThan := fs.String("older-than", fmt.Sprintf("%dd", int(auth.DefaultTokenPurgeAge/(24*time.Hour))), "delete tokens revoked or expired more than this long ago: days (90d) or a Go duration (2160h)")
			return func(ctx context.Context, args []string) error {
				if err := noArgs(args); err != nil {
					return err
				}
				age, err := parseAge(*olderThan)
				if err != nil {
					return fmt.Errorf("%w: --older-than %q: %v", errUsage, *olderThan, err)
				}
				db, err := openDB(ctx, env, *dsn, false)
				if err != nil {
					return err
				}
				defer db.Close()
				n, err := auth.New(db).PurgeTokens(ctx, auth.System, age)
				if err != nil {
					return err
				}
				fmt.Fprintf(env.Stdout, "purged %d token(s)\n", n)
				return nil
			}
		},
	}
}

// parseAge reads a non-negative duration given in days ("90d") or as a Go
// duration ("2160h", "36h30m").
func parseAge(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	var d time.Duration
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n > int(math.MaxInt64/int64(24*time.Hour)) {
			return 0, fmt.Errorf("want a whole number of days such as 90d")
		}
		d = time.Duration(n) * 24 * time.Hour
	} else {
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			return 0, fmt.Errorf("want days such as 90d or a duration such as 2160h")
		}
	}
	if d < 0 {
		return 0, fmt.Errorf("must not be negative")
	}
	return d, nil
}
