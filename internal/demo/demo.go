// Package demo sets up the demonstration Voisines shows on a fresh machine: the
// official territory, a real rural communauté de communes, and for each of its
// member communes a clerk and a mayor who can log in, plus an administrator
// of the intercommunality and a platform administrator; then what these
// communes do together (content.go): signed conventions, a convention
// awaiting délibérations, a gym and a salle des fêtes with their bookings,
// the statements of the first half of 2026 with their titres and mandats,
// agents seconded to neighbouring communes, the intercommunality's service
// commun for planning permits, and a purchasing group.
package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"voisines/internal/agreement"
	"voisines/internal/auth"
	"voisines/internal/equipment"
	"voisines/internal/ledger"
	"voisines/internal/org"
	"voisines/internal/purchasing"
	"voisines/internal/service"
	"voisines/internal/staff"
	"voisines/internal/store"
	"voisines/internal/territory"
)

// DefaultEPCI is the demo intercommunality: the Communauté de communes
// Conques-Marcillac (Aveyron), 12 rural communes on the edge of Rodez,
// among them Conques and Marcillac-Vallon.
const DefaultEPCI = "241200641"

// DefaultPassword is the demo accounts' password when none is given. The demo
// serves on the loopback interface only; a real instance has real accounts.
const DefaultPassword = "voisines-demo-2026"

// Domain is the e-mail domain of the demo accounts.
const Domain = "demo.voisines.fr"

// Services are the domain services the demo uses. All are required.
type Services struct {
	Territory *territory.Service
	Orgs      *org.Service
	Auth      *auth.Service
	// Agreements, Ledger and Equipment record the demo content; the demo
	// walks copies of them through 2025 and 2026 with WithClock.
	Agreements *agreement.Service
	Ledger     *ledger.Service
	Equipment  *equipment.Service
	// NewStaff, NewServices and NewPurchasing build the operations of
	// staff secondment, shared services and purchasing groups over the
	// conventions and ledger given: staff.New, service.New and
	// purchasing.New over the demo database. The demo builds them over its
	// clocked copies of Agreements and Ledger, because their own WithClock
	// leaves the conventions and the ledger they call on the real clock:
	// the statements they issue would be dated the day of the demo.
	NewStaff      func(*agreement.Service, *ledger.Service) *staff.Service
	NewServices   func(*agreement.Service, *ledger.Service) *service.Manager
	NewPurchasing func(*agreement.Service, *ledger.Service) *purchasing.Service
}

// Options say what to set up.
type Options struct {
	// EPCI is the SIREN of the demo intercommunality; DefaultEPCI when empty.
	EPCI string
	// Password of every demo account; DefaultPassword when empty. Accounts
	// that already exist keep their password.
	Password string
	// CoordsCSV and AdjacencyCSV, when both set, are imported (see
	// territory.ImportGeo) unless the demo communes already have coordinates.
	CoordsCSV    string
	AdjacencyCSV string
	// Progress is told how the imports go; it may be nil.
	Progress territory.Progress
	// Now is the instant the demo is set up as of: the bookings held by
	// then become usage records and the conventions take the status time
	// gives them. The content itself is dated in 2025 and 2026 whatever
	// Now. Nil is time.Now.
	Now func() time.Time
}

// Login is one demo account.
type Login struct {
	Email        string
	Name         string
	Role         auth.Role
	Organisation string
	// CommuneCode is the commune the account acts for, empty for the others.
	CommuneCode string
	// Created is false when the account was already there.
	Created bool
}

// Result is what Setup did, for the command to print.
type Result struct {
	// Territory is the import report, nil when the territory was there already.
	Territory *territory.ImportReport
	// Geography is the geography import report, nil when none was done.
	Geography *territory.GeoReport
	EPCI      territory.EPCI
	Password  string
	// Logins lists the platform admin, the EPCI admin, then a clerk and a
	// mayor per member commune, in the EPCI's member order.
	Logins []Login
	// Content sums up the conventions, equipment, bookings, secondments,
	// services, purchasing groups and statements.
	Content ContentReport
}

// Created counts the accounts this run created.
func (r Result) Created() int {
	n := 0
	for _, l := range r.Logins {
		if l.Created {
			n++
		}
	}
	return n
}

// actor is who the demo's writes are recorded as in the audit log.
var actor = auth.SystemActor("demo")

// Setup creates the demo, or completes and reuses the one already there: it is
// idempotent, so `voisines demo` can be run again on the same database.
func Setup(ctx context.Context, svc Services, opt Options) (Result, error) {
	if opt.EPCI == "" {
		opt.EPCI = DefaultEPCI
	}
	if opt.Password == "" {
		opt.Password = DefaultPassword
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	res := Result{Password: opt.Password}
	if svc.Territory == nil || svc.Orgs == nil || svc.Auth == nil || svc.Agreements == nil || svc.Ledger == nil || svc.Equipment == nil ||
		svc.NewStaff == nil || svc.NewServices == nil || svc.NewPurchasing == nil {
		return res, errors.New("demo: incomplete services")
	}

	epci, err := svc.Territory.EPCI(ctx, opt.EPCI)
	if errors.Is(err, store.ErrNotFound) {
		rep, ierr := svc.Territory.ImportShippedCOG(ctx, opt.Progress)
		if ierr != nil {
			return res, fmt.Errorf("demo: import the territory: %w", ierr)
		}
		res.Territory = &rep
		epci, err = svc.Territory.EPCI(ctx, opt.EPCI)
	}
	if err != nil {
		return res, fmt.Errorf("demo: intercommunality %s: %w", opt.EPCI, err)
	}
	if len(epci.Members) == 0 {
		return res, fmt.Errorf("demo: intercommunality %s has no member commune", opt.EPCI)
	}
	res.EPCI = epci

	if opt.CoordsCSV != "" && opt.AdjacencyCSV != "" {
		first, err := svc.Territory.Commune(ctx, epci.Members[0].Code)
		if err != nil {
			return res, fmt.Errorf("demo: commune %s: %w", epci.Members[0].Code, err)
		}
		if first.Coordinates == nil {
			rep, err := svc.Territory.ImportGeo(ctx, opt.CoordsCSV, opt.AdjacencyCSV, opt.Progress)
			if err != nil {
				return res, fmt.Errorf("demo: import the geography: %w", err)
			}
			res.Geography = &rep
		}
	}

	epciOrg, err := svc.Orgs.BySIREN(ctx, epci.SIREN)
	if err != nil {
		return res, fmt.Errorf("demo: organisation of %s: %w", epci.Name, err)
	}
	add := func(l Login, platformAdmin bool, orgID int64) error {
		created, err := ensureUser(ctx, svc.Auth, l, opt.Password, platformAdmin, orgID)
		if err != nil {
			return fmt.Errorf("demo: account %s: %w", l.Email, err)
		}
		l.Created = created
		res.Logins = append(res.Logins, l)
		return nil
	}
	if err := add(Login{Email: "admin@" + Domain, Name: "Administrateur de la plateforme", Role: auth.RoleAdmin,
		Organisation: "plateforme Voisines"}, true, 0); err != nil {
		return res, err
	}
	if err := add(Login{Email: "admin." + Slug(epci.Name) + "@" + Domain, Name: "Agent de " + epci.Name, Role: auth.RoleAdmin,
		Organisation: epci.Name}, false, epciOrg.ID); err != nil {
		return res, err
	}
	for _, m := range epci.Members {
		o, err := svc.Orgs.ByCommune(ctx, m.Code)
		if err != nil {
			return res, fmt.Errorf("demo: organisation of %s (%s): %w", m.Name, m.Code, err)
		}
		slug := Slug(m.Name)
		if err := add(Login{Email: "secretaire." + slug + "@" + Domain, Name: "Secrétaire de mairie de " + m.Name,
			Role: auth.RoleClerk, Organisation: m.Name, CommuneCode: m.Code}, false, o.ID); err != nil {
			return res, err
		}
		if err := add(Login{Email: "maire." + slug + "@" + Domain, Name: "Maire de " + m.Name,
			Role: auth.RoleElected, Organisation: m.Name, CommuneCode: m.Code}, false, o.ID); err != nil {
			return res, err
		}
	}
	// The content names the communes of the default intercommunality;
	// another gets the accounts only.
	if epci.SIREN == DefaultEPCI {
		res.Content, err = seedContent(ctx, svc, epci, res.Logins, opt.Now())
	}
	return res, err
}

// ensureUser creates the account with its membership, or gives an existing
// account the membership (AddMembership is idempotent). It reports whether
// the account was created.
func ensureUser(ctx context.Context, a *auth.Service, l Login, password string, platformAdmin bool, orgID int64) (bool, error) {
	u, err := a.UserByEmail(ctx, l.Email)
	switch {
	case err == nil:
		if orgID != 0 {
			return false, a.AddMembership(ctx, actor, u.ID, orgID, l.Role)
		}
		return false, nil
	case !errors.Is(err, store.ErrNotFound):
		return false, err
	}
	nu := auth.NewUser{Email: l.Email, Name: l.Name, Password: password, PlatformAdmin: platformAdmin}
	if orgID != 0 {
		nu.Grants = []auth.Grant{{OrgID: orgID, Role: l.Role}}
	}
	_, err = a.CreateUser(ctx, actor, nu)
	return err == nil, err
}

// Slug turns a name into the part of an e-mail address it names:
// "Conques-en-Rouergue" → "conques-en-rouergue", "CC Conques-Marcillac" →
// "cc-conques-marcillac".
func Slug(name string) string {
	return strings.Join(strings.Fields(territory.Fold(name)), "-")
}

// WriteLogins writes the accounts as a table: one line per account.
func (r Result) WriteLogins(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "IDENTIFIANT\tRÔLE\tORGANISATION")
	for _, l := range r.Logins {
		role := l.Role.Label()
		if l.Organisation == "plateforme Voisines" {
			role = "administrateur de la plateforme"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", l.Email, role, l.Organisation)
	}
	return tw.Flush()
}

// LoginsFile is where the full list of logins is written, next to the
// database file.
func LoginsFile(dbPath string) string {
	return strings.TrimSuffix(dbPath, filepath.Ext(dbPath)) + "-logins.txt"
}
