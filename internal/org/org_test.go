package org_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"voisines/internal/audit"
	"voisines/internal/auth"
	"voisines/internal/org"
	"voisines/internal/store"
	"voisines/internal/store/storetest"
	"voisines/internal/validate"
)

func TestValidateSIREN(t *testing.T) {
	tests := []struct {
		name  string
		siren string
		want  string // "" for valid, else the whole error message
	}{
		{"Rodez's SIREN is valid", "211202023", ""},
		{"CA Rodez Agglomération's SIREN is valid", "241200187", ""},
		{"Ambérieu-en-Bugey's SIREN is valid", "210100012", ""},
		{"a wrong check digit is refused", "211202024", "siren: « 211202024 » n'est pas un SIREN valide (clé de Luhn)"},
		{"the example of the issue is refused", "123456789", "siren: « 123456789 » n'est pas un SIREN valide (clé de Luhn)"},
		{"eight digits are refused", "12345678", "siren: « 12345678 » n'est pas un SIREN valide (9 chiffres)"},
		{"ten digits are refused", "2112020230", "siren: « 2112020230 » n'est pas un SIREN valide (9 chiffres)"},
		{"letters are refused", "21120202A", "siren: « 21120202A » n'est pas un SIREN valide (9 chiffres)"},
		{"spaces are refused (Create removes them first)", "211 202 023", "siren: « 211 202 023 » n'est pas un SIREN valide (9 chiffres)"},
		{"an empty SIREN is refused", "", "siren: «  » n'est pas un SIREN valide (9 chiffres)"},
		{"non-ASCII digits are refused", "２１１２０２０２３", "siren: « ２１１２０２０２３ » n'est pas un SIREN valide (9 chiffres)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := org.ValidateSIREN(tt.siren)
			got := ""
			if err != nil {
				got = err.Error()
				var fe validate.FieldError
				if !errors.As(err, &fe) || fe.Field != "siren" {
					t.Fatalf("got %#v want a FieldError for siren", err)
				}
			}
			if got != tt.want {
				t.Fatalf("got %q want %q", got, tt.want)
			}
		})
	}
}

// fixture holds the rows every test of this file starts from: two communes of
// Aveyron and their organisations, and a few users. The territory import is
// not used: the rows are inserted directly.
type fixture struct {
	orgs                     *org.Service
	rodez, olemps, agglo     org.Organisation
	clerk, readonly, elected auth.Actor
	admin                    auth.Actor
}

func setup(t *testing.T, db *store.DB) fixture {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	err := db.InTx(ctx, func(tx *store.Tx) error {
		for _, c := range [][3]string{{"12202", "Rodez", "211202023"}, {"12174", "Olemps", "211201744"}} {
			if _, err := tx.ExecContext(ctx, `INSERT INTO communes (code, name, siren, departement_code) VALUES (?, ?, ?, '12')`,
				c[0], c[1], c[2]); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO organisations (kind, name, siren, commune_code, departement_code, version, created_at, updated_at)
				VALUES ('commune', ?, ?, ?, '12', 1, ?, ?)`, c[1], c[2], c[0], now, now); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO epcis (siren, name, type, financing) VALUES ('241200187', 'CA Rodez Agglomération', 'CA', 'FPU')`); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO organisations (kind, name, epci_siren, departement_code, version, created_at, updated_at)
			VALUES ('epci', 'CA Rodez Agglomération', '241200187', '12', 1, ?, ?)`, now, now)
		return err
	})
	if err != nil {
		t.Fatalf("fixture: %v", err)
	}
	f := fixture{orgs: org.New(db)}
	f.rodez, _ = f.orgs.ByCommune(ctx, "12202")
	f.olemps, _ = f.orgs.ByCommune(ctx, "12174")
	f.agglo, _ = f.orgs.BySIREN(ctx, "241200187")
	// Users and memberships are inserted directly too (auth's own tests cover
	// CreateUser; argon2id would only slow these down), then loaded the way a
	// session loads them.
	users := auth.New(db)
	actor := func(email string, admin bool, grants ...auth.Grant) auth.Actor {
		var id int64
		err := db.InTx(ctx, func(tx *store.Tx) error {
			if err := tx.QueryRowContext(ctx, `INSERT INTO users (email, name, password_hash, platform_admin, created_at)
				VALUES (?, ?, 'not a hash', ?, ?) RETURNING id`, email, email, admin, now).Scan(&id); err != nil {
				return err
			}
			for _, g := range grants {
				if _, err := tx.ExecContext(ctx, `INSERT INTO memberships (user_id, org_id, role) VALUES (?, ?, ?)`,
					id, g.OrgID, string(g.Role)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatalf("insert user %s: %v", email, err)
		}
		u, err := users.User(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return auth.Actor{User: &u}
	}
	f.clerk = actor("clerk@rodez.fr", false, auth.Grant{OrgID: f.rodez.ID, Role: auth.RoleClerk})
	f.readonly = actor("lecture@rodez.fr", false, auth.Grant{OrgID: f.rodez.ID, Role: auth.RoleReadOnly})
	f.elected = actor("maire@rodez.fr", false, auth.Grant{OrgID: f.rodez.ID, Role: auth.RoleElected})
	f.admin = actor("admin@voisines.fr", true)
	return f
}

func TestUpdateProfile(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := setup(t, db)
		profile := org.Profile{Address: " Place Foch, 12000 Rodez ", Email: "mairie@rodez.fr", Phone: "05 65 77 88 00",
			Website: "www.rodez.fr", Representative: "Christian Teyssèdre"}

		t.Run("a clerk of Rodez updates Rodez's profile", func(t *testing.T) {
			got, err := f.orgs.UpdateProfile(ctx, f.clerk, f.rodez.ID, 1, profile)
			if err != nil {
				t.Fatalf("got %v want nil", err)
			}
			want := org.Profile{Address: "Place Foch, 12000 Rodez", Email: "mairie@rodez.fr", Phone: "05 65 77 88 00",
				Website: "https://www.rodez.fr", Representative: "Christian Teyssèdre"}
			if got.Profile != want || got.Version != 2 {
				t.Fatalf("got %+v version %d want %+v version 2", got.Profile, got.Version, want)
			}
			var action, actor, detail string
			var orgID int64
			err = db.Reader().QueryRowContext(ctx, `SELECT action, actor, org_id, detail FROM audit_log ORDER BY id DESC LIMIT 1`).
				Scan(&action, &actor, &orgID, &detail)
			if err != nil {
				t.Fatal(err)
			}
			if action != "organisation.update_profile" || actor != "clerk@rodez.fr" || orgID != f.rodez.ID ||
				!strings.Contains(detail, `"website":["","https://www.rodez.fr"]`) {
				t.Fatalf("audit: got %s by %s for %d: %s", action, actor, orgID, detail)
			}
		})

		refusals := []struct {
			name  string
			actor auth.Actor
			org   func() org.Organisation
			want  error
		}{
			{"a clerk of Rodez is refused for Olemps", f.clerk, func() org.Organisation { return f.olemps }, auth.ErrForbidden},
			{"a clerk of Rodez is refused for the agglomération", f.clerk, func() org.Organisation { return f.agglo }, auth.ErrForbidden},
			{"a read-only member of Rodez is refused for Rodez", f.readonly, func() org.Organisation { return f.rodez }, auth.ErrForbidden},
			{"an anonymous visitor is refused", auth.Actor{}, func() org.Organisation { return f.rodez }, auth.ErrUnauthenticated},
		}
		for _, tt := range refusals {
			t.Run(tt.name, func(t *testing.T) {
				before, _ := f.orgs.Get(ctx, tt.org().ID)
				_, err := f.orgs.UpdateProfile(ctx, tt.actor, before.ID, before.Version, org.Profile{Email: "pirate@example.com"})
				if !errors.Is(err, tt.want) {
					t.Fatalf("got %v want %v", err, tt.want)
				}
				after, _ := f.orgs.Get(ctx, before.ID)
				if after.Version != before.Version || after.Profile != before.Profile {
					t.Fatalf("the refused update changed the organisation: %+v", after)
				}
			})
		}

		t.Run("an elected member of Rodez updates Rodez's profile", func(t *testing.T) {
			cur, _ := f.orgs.Get(ctx, f.rodez.ID)
			p := cur.Profile
			p.Phone = "+33 5 65 77 88 00"
			if _, err := f.orgs.UpdateProfile(ctx, f.elected, cur.ID, cur.Version, p); err != nil {
				t.Fatalf("got %v want nil", err)
			}
		})

		t.Run("a platform admin updates Olemps's profile", func(t *testing.T) {
			if _, err := f.orgs.UpdateProfile(ctx, f.admin, f.olemps.ID, 1, org.Profile{Email: "mairie@olemps.fr"}); err != nil {
				t.Fatalf("got %v want nil", err)
			}
		})

		t.Run("a stale version is refused as a conflict", func(t *testing.T) {
			cur, _ := f.orgs.Get(ctx, f.rodez.ID)
			_, err := f.orgs.UpdateProfile(ctx, f.clerk, cur.ID, cur.Version-1, org.Profile{Email: "autre@rodez.fr"})
			if !errors.Is(err, store.ErrConflict) || !strings.Contains(err.Error(), "modifié entre-temps") {
				t.Fatalf("got %v want ErrConflict saying it was changed meanwhile", err)
			}
			after, _ := f.orgs.Get(ctx, cur.ID)
			if after.Version != cur.Version || after.Profile != cur.Profile {
				t.Fatalf("the stale update changed the organisation: %+v", after)
			}
		})

		t.Run("invalid fields are all named and nothing is written", func(t *testing.T) {
			cur, _ := f.orgs.Get(ctx, f.rodez.ID)
			_, err := f.orgs.UpdateProfile(ctx, f.clerk, cur.ID, cur.Version, org.Profile{Email: "mairie(at)rodez.fr",
				Phone: "05 65", Website: "ftp://rodez.fr", Representative: strings.Repeat("x", 201)})
			errs, ok := validate.As(err)
			if !ok {
				t.Fatalf("got %v want validation errors", err)
			}
			for _, field := range []string{"email", "phone", "website", "representative"} {
				if errs.For(field) == "" {
					t.Errorf("got %v want an error for %s", errs, field)
				}
			}
			after, _ := f.orgs.Get(ctx, cur.ID)
			if after.Version != cur.Version {
				t.Fatalf("version: got %d want %d", after.Version, cur.Version)
			}
		})

		t.Run("an unchanged profile writes nothing", func(t *testing.T) {
			cur, _ := f.orgs.Get(ctx, f.rodez.ID)
			rep, _ := audit.Verify(ctx, db)
			got, err := f.orgs.UpdateProfile(ctx, f.clerk, cur.ID, cur.Version, cur.Profile)
			if err != nil || got.Version != cur.Version {
				t.Fatalf("got version %d, %v want %d, nil", got.Version, err, cur.Version)
			}
			if after, _ := audit.Verify(ctx, db); after.Records != rep.Records {
				t.Fatalf("audit records: got %d want %d", after.Records, rep.Records)
			}
		})

		t.Run("an unknown organisation is not found", func(t *testing.T) {
			if _, err := f.orgs.UpdateProfile(ctx, f.admin, 99999, 1, org.Profile{}); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("got %v want ErrNotFound", err)
			}
		})

		t.Run("of concurrent updates from the same version exactly one wins", func(t *testing.T) {
			cur, _ := f.orgs.Get(ctx, f.olemps.ID)
			const writers = 8
			var wg sync.WaitGroup
			results := make(chan error, writers)
			for i := range writers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, err := f.orgs.UpdateProfile(ctx, f.admin, cur.ID, cur.Version,
						org.Profile{Representative: fmt.Sprintf("Maire n°%d", i)})
					results <- err
				}()
			}
			wg.Wait()
			close(results)
			won := 0
			for err := range results {
				switch {
				case err == nil:
					won++
				case !errors.Is(err, store.ErrConflict):
					t.Fatalf("got %v want nil or ErrConflict", err)
				}
			}
			after, _ := f.orgs.Get(ctx, cur.ID)
			if won != 1 || after.Version != cur.Version+1 {
				t.Fatalf("got %d winners and version %d want 1 winner and version %d", won, after.Version, cur.Version+1)
			}
		})

		t.Run("the audit log is intact after all of it", func(t *testing.T) {
			if rep, err := audit.Verify(ctx, db); err != nil || !rep.OK {
				t.Fatalf("got %+v, %v", rep, err)
			}
		})
	})
}

func TestCreate(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := setup(t, db)
		smic := org.NewOrganisation{Kind: org.SyndicatMixte, Name: " Syndicat mixte du Lévézou ", SIREN: "200 000 172",
			DepartementCode: "12", Profile: org.Profile{Website: "levezou.fr"}}

		t.Run("a platform admin creates a syndicat mixte", func(t *testing.T) {
			o, err := f.orgs.Create(ctx, f.admin, smic)
			if err != nil {
				t.Fatalf("got %v want nil", err)
			}
			if o.Kind != org.SyndicatMixte || o.Name != "Syndicat mixte du Lévézou" || o.SIREN != "200000172" ||
				o.DepartementCode != "12" || o.Version != 1 || o.Profile.Website != "https://levezou.fr" {
				t.Fatalf("got %+v", o)
			}
			var action string
			db.Reader().QueryRowContext(ctx, `SELECT action FROM audit_log WHERE org_id = ? ORDER BY id DESC LIMIT 1`, o.ID).Scan(&action)
			if action != "organisation.create" {
				t.Fatalf("audit: got %q want organisation.create", action)
			}
		})

		t.Run("the system creates an association without SIREN", func(t *testing.T) {
			if _, err := f.orgs.Create(ctx, auth.System, org.NewOrganisation{Kind: org.Association, Name: "Comité des fêtes"}); err != nil {
				t.Fatalf("got %v want nil", err)
			}
		})

		t.Run("the same SIREN twice is a conflict", func(t *testing.T) {
			_, err := f.orgs.Create(ctx, f.admin, org.NewOrganisation{Kind: org.SyndicatCommunes, Name: "Autre", SIREN: "200000172"})
			if !errors.Is(err, store.ErrConflict) || !strings.Contains(err.Error(), "Lévézou") {
				t.Fatalf("got %v want ErrConflict naming the holder", err)
			}
		})

		t.Run("the SIREN of an EPCI is a conflict too", func(t *testing.T) {
			_, err := f.orgs.Create(ctx, f.admin, org.NewOrganisation{Kind: org.SyndicatCommunes, Name: "Autre", SIREN: "241200187"})
			if !errors.Is(err, store.ErrConflict) {
				t.Fatalf("got %v want ErrConflict", err)
			}
		})

		for _, tt := range []struct {
			name  string
			actor auth.Actor
			want  error
		}{
			{"a clerk may not create an organisation", f.clerk, auth.ErrForbidden},
			{"an anonymous visitor may not create an organisation", auth.Actor{}, auth.ErrUnauthenticated},
		} {
			t.Run(tt.name, func(t *testing.T) {
				if _, err := f.orgs.Create(ctx, tt.actor, org.NewOrganisation{Kind: org.Association, Name: "X"}); !errors.Is(err, tt.want) {
					t.Fatalf("got %v want %v", err, tt.want)
				}
			})
		}

		invalid := []struct {
			name  string
			n     org.NewOrganisation
			field string
			msg   string
		}{
			{"a commune cannot be created by hand", org.NewOrganisation{Kind: org.Commune, Name: "Nouvelle"}, "kind", "import du territoire"},
			{"an EPCI cannot be created by hand", org.NewOrganisation{Kind: org.EPCI, Name: "CC"}, "kind", "import du territoire"},
			{"an unknown kind is named", org.NewOrganisation{Kind: "club", Name: "Club"}, "kind", "« club » n'est pas un type"},
			{"a name is required", org.NewOrganisation{Kind: org.Association, Name: "  "}, "name", "obligatoire"},
			{"a bad SIREN is refused", org.NewOrganisation{Kind: org.Association, Name: "A", SIREN: "123456789"}, "siren", "clé de Luhn"},
			{"a bad département is refused", org.NewOrganisation{Kind: org.Association, Name: "A", DepartementCode: "20"}, "departement", "code de département"},
			{"a bad contact e-mail is refused", org.NewOrganisation{Kind: org.Association, Name: "A", Profile: org.Profile{Email: "x"}}, "email", "adresse électronique"},
		}
		for _, tt := range invalid {
			t.Run(tt.name, func(t *testing.T) {
				_, err := f.orgs.Create(ctx, f.admin, tt.n)
				errs, ok := validate.As(err)
				if !ok || !strings.Contains(errs.For(tt.field), tt.msg) {
					t.Fatalf("got %v want an error for %s containing %q", err, tt.field, tt.msg)
				}
			})
		}
	})
}

func TestLookups(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := setup(t, db)
		tests := []struct {
			name, ref string
			want      int64
		}{
			{"an INSEE code finds the commune", "12202", f.rodez.ID},
			{"a commune's SIREN finds the commune", "211202023", f.rodez.ID},
			{"a SIREN typed with spaces finds it too", "211 202 023", f.rodez.ID},
			{"an EPCI's SIREN finds the EPCI", "241200187", f.agglo.ID},
			{"an id finds the organisation", fmt.Sprint(f.olemps.ID), f.olemps.ID},
			{"an explicit id finds the organisation", fmt.Sprintf("id:%d", f.olemps.ID), f.olemps.ID},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				o, err := f.orgs.Resolve(ctx, tt.ref)
				if err != nil || o.ID != tt.want {
					t.Fatalf("got %d, %v want %d", o.ID, err, tt.want)
				}
			})
		}
		for _, ref := range []string{"99999", "211202024", "id:abc", "Rodez", "2A004"} {
			t.Run(fmt.Sprintf("%q is not found", ref), func(t *testing.T) {
				if _, err := f.orgs.Resolve(ctx, ref); !errors.Is(err, store.ErrNotFound) {
					t.Fatalf("got %v want ErrNotFound", err)
				}
			})
		}
		t.Run("a commune organisation carries its codes", func(t *testing.T) {
			o, err := f.orgs.Get(ctx, f.rodez.ID)
			if err != nil {
				t.Fatal(err)
			}
			if o.Kind != org.Commune || o.CommuneCode != "12202" || o.SIREN != "211202023" || o.DepartementCode != "12" || o.Version != 1 {
				t.Fatalf("got %+v", o)
			}
		})
	})
}

func TestList(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := setup(t, db)
		for _, n := range []org.NewOrganisation{
			{Kind: org.SyndicatMixte, Name: "Syndicat mixte du Lévézou", DepartementCode: "12"},
			{Kind: org.SyndicatCommunes, Name: "SIVOM de Rodez", DepartementCode: "12"},
			{Kind: org.Association, Name: "100% Aveyron", DepartementCode: "12"},
			{Kind: org.Departement, Name: "Département du Lot", DepartementCode: "46"},
		} {
			if _, err := f.orgs.Create(ctx, f.admin, n); err != nil {
				t.Fatal(err)
			}
		}
		names := func(p org.Page) string {
			var s []string
			for _, o := range p.Items {
				s = append(s, o.Name)
			}
			return strings.Join(s, "|")
		}
		tests := []struct {
			name  string
			f     org.Filter
			want  string
			total int
		}{
			{"a part of the name matches in any case", org.Filter{Name: "RODEZ"}, "CA Rodez Agglomération|Rodez|SIVOM de Rodez", 3},
			{"a kind filters", org.Filter{Kind: org.Commune}, "Olemps|Rodez", 2},
			{"a département filters", org.Filter{Departement: "46"}, "Département du Lot", 1},
			{"filters combine", org.Filter{Name: "rodez", Kind: org.SyndicatCommunes}, "SIVOM de Rodez", 1},
			{"a percent sign is a character, not a wildcard", org.Filter{Name: "%"}, "100% Aveyron", 1},
			{"an underscore is a character, not a wildcard", org.Filter{Name: "_"}, "", 0},
			{"pages are cut by limit and offset, total counts all", org.Filter{Limit: 2, Offset: 2}, "Département du Lot|Olemps", 7},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				p, err := f.orgs.List(ctx, tt.f)
				if err != nil {
					t.Fatal(err)
				}
				if got := names(p); got != tt.want || p.Total != tt.total {
					t.Fatalf("got %q (total %d) want %q (total %d)", got, p.Total, tt.want, tt.total)
				}
			})
		}
	})
}

func TestSearch(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := setup(t, db)
		tests := []struct {
			name string
			q    org.Query
			want string
		}{
			{"a part of the name finds organisations", org.Query{Text: "rodez"}, "CA Rodez Agglomération|Rodez"},
			{"a SIREN finds its commune", org.Query{Text: "211 202 023"}, "Rodez"},
			{"an EPCI's SIREN finds the EPCI", org.Query{Text: "241200187"}, "CA Rodez Agglomération"},
			{"an INSEE code finds its commune", org.Query{Text: "12174"}, "Olemps"},
			{"a kind narrows the search", org.Query{Text: "rodez", Kind: org.EPCI}, "CA Rodez Agglomération"},
			{"the limit cuts the list", org.Query{Text: "rodez", Limit: 1}, "CA Rodez Agglomération"},
			{"nothing matches an unknown name", org.Query{Text: "Paris"}, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				found, err := f.orgs.Search(ctx, tt.q)
				if err != nil {
					t.Fatal(err)
				}
				var names []string
				for _, o := range found {
					names = append(names, o.Name)
				}
				if got := strings.Join(names, "|"); got != tt.want {
					t.Fatalf("got %q want %q", got, tt.want)
				}
			})
		}
	})
}
