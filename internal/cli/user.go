package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"voisines/internal/auth"
	"voisines/internal/org"
)

func userAddCommand() command {
	return command{
		path:    "user add",
		summary: "create a user account, optionally member of an organisation",
		setup: func(fs *flag.FlagSet, env *Env) func(context.Context, []string) error {
			dsn := dbFlag(fs, env)
			email := fs.String("email", "", "e-mail address, used to log in (required)")
			name := fs.String("name", "", "full name (required)")
			password := fs.String("password", "", "password, at least 12 characters; when absent it is asked for on a terminal,\nor read from the first line of standard input (the flag is visible to other local users)")
			orgRef := fs.String("org", "", "organisation to join: an INSEE commune code (12202), a SIREN or an id")
			roleName := fs.String("role", string(auth.RoleClerk), "role in --org: admin, elected, clerk or readonly")
			admin := fs.Bool("platform-admin", false, "make the user a platform admin, who may do everything")
			return func(ctx context.Context, args []string) error {
				if err := noArgs(args); err != nil {
					return err
				}
				if *email == "" || *name == "" {
					return fmt.Errorf("%w: --email and --name are required", errUsage)
				}
				if flagSet(fs, "role") && *orgRef == "" {
					return fmt.Errorf("%w: --role needs --org", errUsage)
				}
				role, err := auth.ParseRole(*roleName)
				if err != nil {
					return err
				}
				db, err := openDB(ctx, env, *dsn, true)
				if err != nil {
					return err
				}
				defer db.Close()
				nu := auth.NewUser{Email: *email, Name: *name, Password: *password, PlatformAdmin: *admin}
				if *orgRef != "" {
					o, err := org.New(db).Resolve(ctx, *orgRef)
					if err != nil {
						return fmt.Errorf("--org %s: %w", *orgRef, err)
					}
					nu.Grants = []auth.Grant{{OrgID: o.ID, Role: role}}
				}
				if nu.Password == "" {
					if nu.Password, err = readPassword(env); err != nil {
						return err
					}
				}
				u, err := auth.New(db).CreateUser(ctx, auth.System, nu)
				if err != nil {
					return err
				}
				fmt.Fprintf(env.Stdout, "created user %d: %s (%s)", u.ID, u.Email, u.Name)
				if u.PlatformAdmin {
					fmt.Fprint(env.Stdout, ", platform admin")
				}
				fmt.Fprintln(env.Stdout)
				for _, m := range u.Memberships {
					fmt.Fprintf(env.Stdout, "  %s of %s (%s, organisation %d)\n", m.Role, m.OrgName, m.OrgKind, m.OrgID)
				}
				return nil
			}
		},
	}
}

// flagSet reports whether the flag name was given on the command line.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// readPassword asks for the password twice without echo on a terminal, and
// otherwise reads the first line of standard input (for scripts:
// `printf '%s\n' "$PW" | voisines user add …`).
func readPassword(env *Env) (string, error) {
	if f, ok := env.Stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		ask := func(prompt string) (string, error) {
			fmt.Fprint(env.Stderr, prompt)
			b, err := term.ReadPassword(int(f.Fd()))
			fmt.Fprintln(env.Stderr)
			return string(b), err
		}
		pw, err := ask("Password: ")
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		again, err := ask("Password again: ")
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		if pw != again {
			return "", errors.New("the two passwords differ")
		}
		return pw, nil
	}
	line, err := bufio.NewReader(env.Stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password from standard input: %w", err)
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", fmt.Errorf("%w: no password: give --password, type it on a terminal or pipe it on standard input", errUsage)
	}
	return pw, nil
}
