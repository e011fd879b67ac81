package cli

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"

	"voisines/internal/agreement"
	"voisines/internal/demo"
	"voisines/internal/equipment"
	"voisines/internal/ledger"
	"voisines/internal/purchasing"
	"voisines/internal/server"
	"voisines/internal/service"
	"voisines/internal/staff"
	"voisines/internal/store"
)

// demoConfig is the typed configuration of `voisines demo`.
type demoConfig struct {
	DB        string
	Addr      string
	GeoDir    string
	Password  string // VOISINES_DEMO_PASSWORD
	SetupOnly bool
}

func (c demoConfig) validate() error {
	if strings.TrimSpace(c.DB) == "" {
		return fmt.Errorf("%w: --db is empty", errUsage)
	}
	if c.GeoDir != "" {
		if st, err := os.Stat(c.GeoDir); err != nil || !st.IsDir() {
			return fmt.Errorf("%w: --geo-dir %q is not a directory", errUsage, c.GeoDir)
		}
	}
	return validateAddr(c.Addr)
}

// geoFiles finds the coordinates and adjacency CSV files in dir
// (communes_coords*.csv and communes_adjacency*.csv).
func geoFiles(dir string) (coords, adjacency string, err error) {
	find := func(pattern string) (string, error) {
		m, _ := filepath.Glob(filepath.Join(dir, pattern))
		if len(m) != 1 {
			return "", fmt.Errorf("--geo-dir %s: want exactly one file %s, found %d", dir, pattern, len(m))
		}
		return m[0], nil
	}
	if coords, err = find("communes_coords*.csv"); err != nil {
		return "", "", err
	}
	if adjacency, err = find("communes_adjacency*.csv"); err != nil {
		return "", "", err
	}
	return coords, adjacency, nil
}

func demoCommand() command {
	return command{
		path:    "demo",
		summary: "create (or reuse) a demo database with the territory and a demo intercommunality, print the logins, and serve it",
		setup: func(fs *flag.FlagSet, env *Env) func(context.Context, []string) error {
			cfg := demoConfig{}
			fs.StringVar(&cfg.DB, "db", "voisines-demo.db", "demo database: a SQLite file path (created when missing) or a postgres:// URL")
			fs.StringVar(&cfg.Addr, "addr", "127.0.0.1:8080", "listen address host:port")
			fs.StringVar(&cfg.GeoDir, "geo-dir", "", "directory holding communes_coords*.csv and communes_adjacency*.csv, to import commune coordinates and borders (neighbours)")
			fs.StringVar(&cfg.Password, "password", envString(env, "VOISINES_DEMO_PASSWORD", demo.DefaultPassword), "password of the demo accounts created by this run (env VOISINES_DEMO_PASSWORD)")
			fs.BoolVar(&cfg.SetupOnly, "setup-only", false, "set the demo up and print the logins, without serving")
			return func(ctx context.Context, args []string) error {
				if err := noArgs(args); err != nil {
					return err
				}
				if err := cfg.validate(); err != nil {
					return err
				}
				opt := demo.Options{Password: cfg.Password}
				if cfg.GeoDir != "" {
					var err error
					if opt.CoordsCSV, opt.AdjacencyCSV, err = geoFiles(cfg.GeoDir); err != nil {
						return err
					}
				}
				// Listen before the long set-up so that a busy port fails at once.
				var ln net.Listener
				if !cfg.SetupOnly {
					var err error
					if ln, err = net.Listen("tcp", cfg.Addr); err != nil {
						return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
					}
					defer ln.Close()
				}
				db, err := openDB(ctx, env, cfg.DB, true)
				if err != nil {
					return err
				}
				defer db.Close()
				deps := newDeps(env, db, false)
				// The server shares the ledger the demo content was written with.
				deps.Ledger = ledger.New(db, deps.Agreements)
				p := newProgress(env.Stderr)
				opt.Progress = p.update
				res, err := demo.Setup(ctx, demoServices(db, deps), opt)
				p.finish()
				if err != nil {
					return err
				}
				url := ""
				if ln != nil {
					url = "http://" + ln.Addr().String()
				}
				if err := printDemo(env, db, cfg, res, url); err != nil {
					return err
				}
				if cfg.SetupOnly {
					return nil
				}
				h, err := server.New(deps)
				if err != nil {
					return err
				}
				server.TuneGC(env.Getenv)
				return server.ServeListener(ctx, ln, h, env.Log)
			}
		},
	}
}

// demoServices are the services the demo sets itself up with, over db:
// those of the server, and the staff, shared-service and purchasing
// operations built over the conventions and ledger the demo gives them.
func demoServices(db *store.DB, deps server.Deps) demo.Services {
	return demo.Services{Territory: deps.Territory, Orgs: deps.Orgs, Auth: deps.Auth,
		Agreements: deps.Agreements, Ledger: deps.Ledger, Equipment: equipment.New(db),
		NewStaff: func(a *agreement.Service, l *ledger.Service) *staff.Service { return staff.New(db, a, l) },
		NewServices: func(a *agreement.Service, l *ledger.Service) *service.Manager {
			return service.New(db, a, l)
		},
		NewPurchasing: func(a *agreement.Service, l *ledger.Service) *purchasing.Service {
			return purchasing.New(db, a, l)
		},
	}
}

// shortList is how many logins the demo prints; the others follow the
// same scheme and are all in the logins file.
const shortList = 8

// printDemo tells the user where the demo is and how to log in; the full
// list of logins also goes to a file next to a SQLite database.
func printDemo(env *Env, db *store.DB, cfg demoConfig, res demo.Result, url string) error {
	w := env.Stdout
	if res.Territory != nil {
		fmt.Fprintf(w, "Territoire importé : %d communes, %d EPCI, %d départements.\n",
			res.Territory.Communes, res.Territory.EPCI, res.Territory.Departements)
	}
	if res.Geography != nil {
		fmt.Fprintf(w, "Géographie importée : %d points de communes, %d paires de communes limitrophes.\n",
			res.Geography.Coordinates, res.Geography.Adjacencies)
	}
	fmt.Fprintf(w, "\nDémo Voisines : %s (%d communes membres, SIREN %s), base %s\n",
		res.EPCI.Name, len(res.EPCI.Members), res.EPCI.SIREN, cfg.DB)
	if n := res.Created(); n > 0 {
		fmt.Fprintf(w, "%d comptes de démonstration créés.\n", n)
	} else {
		fmt.Fprintln(w, "Comptes de démonstration déjà présents : ils gardent le mot de passe de leur création.")
	}
	fmt.Fprintf(w, "Mot de passe de tous les comptes : %s\n\n", res.Password)
	// The full list goes to a file next to a SQLite database; a PostgreSQL
	// demo has no such place, so it is printed whole.
	abridged := len(res.Logins) > shortList && db.Dialect == store.SQLite
	short := res
	if abridged {
		short.Logins = res.Logins[:shortList]
	}
	if err := short.WriteLogins(w); err != nil {
		return err
	}
	if abridged {
		fmt.Fprintf(w, "… et de même pour chacune des %d communes : secretaire.<commune>@%s (secrétaire) et maire.<commune>@%s (élu).\n",
			len(res.EPCI.Members), demo.Domain, demo.Domain)
	}
	if res.Content.Created > 0 {
		fmt.Fprintln(w, "\nCe que les communes font ensemble :")
	} else {
		fmt.Fprintln(w, "\nCe que les communes font ensemble (déjà en place, inchangé) :")
	}
	if err := res.Content.WriteContent(w); err != nil {
		return err
	}
	if db.Dialect == store.SQLite {
		path := demo.LoginsFile(cfg.DB)
		var b strings.Builder
		fmt.Fprintf(&b, "Démo Voisines — %s\nMot de passe : %s\n\n", res.EPCI.Name, res.Password)
		res.WriteLogins(&b)
		fmt.Fprintln(&b, "\nCe que les communes font ensemble :")
		res.Content.WriteContent(&b)
		if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
			return fmt.Errorf("write the logins to %s: %w", path, err)
		}
		fmt.Fprintf(w, "Liste complète des identifiants : %s\n", path)
	}
	if url != "" {
		fmt.Fprintf(w, "\nOuvrez %s et connectez-vous, par exemple avec %s.\n", url, exampleLogin(res))
	}
	return nil
}

func exampleLogin(res demo.Result) string {
	for _, l := range res.Logins {
		if l.CommuneCode != "" {
			return l.Email
		}
	}
	return res.Logins[0].Email
}
