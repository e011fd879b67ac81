package demo_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"voisines/internal/auth"
	"voisines/internal/demo"
	"voisines/internal/org"
	"voisines/internal/server/servertest"
	"voisines/internal/store"
	"voisines/internal/store/storetest"
	"voisines/internal/territory"
)

func TestSetupCreatesTheDemoAndReusesIt(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := demo.Services{Territory: territory.New(db), Orgs: org.New(db), Auth: auth.New(db)}
		// The fixture territory holds the demo's CC, so Setup imports nothing.
		if _, err := svc.Territory.ImportCOG(ctx, servertest.COG(t), nil); err != nil {
			t.Fatal(err)
		}
		res, err := demo.Setup(ctx, svc, demo.Options{})
		if err != nil {
			t.Fatalf("Setup: %v", err)
		}
		if res.Territory != nil {
			t.Errorf("Setup imported the territory although the CC was there")
		}
		if res.EPCI.SIREN != demo.DefaultEPCI || len(res.EPCI.Members) != 12 {
			t.Fatalf("EPCI: got %s with %d members want %s with 12", res.EPCI.SIREN, len(res.EPCI.Members), demo.DefaultEPCI)
		}
		if want := 2 + 2*12; len(res.Logins) != want || res.Created() != want {
			t.Fatalf("logins: got %d (%d created) want %d", len(res.Logins), res.Created(), want)
		}

		t.Run("each commune has a clerk and a mayor who can log in and act for it", func(t *testing.T) {
			conques, err := svc.Orgs.ByCommune(ctx, "12218")
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct {
				email string
				role  auth.Role
			}{
				{"secretaire.conques-en-rouergue@demo.voisines.fr", auth.RoleClerk},
				{"maire.conques-en-rouergue@demo.voisines.fr", auth.RoleElected},
			} {
				sess, err := svc.Auth.Login(ctx, c.email, demo.DefaultPassword, "test")
				if err != nil {
					t.Fatalf("login %s: %v", c.email, err)
				}
				u, _, err := svc.Auth.Resume(ctx, sess.Token)
				if err != nil {
					t.Fatal(err)
				}
				if len(u.Memberships) != 1 || u.Memberships[0].OrgID != conques.ID || u.Memberships[0].Role != c.role {
					t.Errorf("%s: memberships %+v want %s of Conques-en-Rouergue", c.email, u.Memberships, c.role)
				}
				if err := auth.Authorize(auth.Actor{User: &u}, auth.Write, conques.ID); err != nil {
					t.Errorf("%s may not write for Conques-en-Rouergue: %v", c.email, err)
				}
			}
		})
		t.Run("the EPCI admin and the platform admin exist", func(t *testing.T) {
			u, err := svc.Auth.UserByEmail(ctx, "admin.cc-conques-marcillac@demo.voisines.fr")
			if err != nil {
				t.Fatal(err)
			}
			if len(u.Memberships) != 1 || u.Memberships[0].Role != auth.RoleAdmin {
				t.Errorf("EPCI admin memberships: %+v", u.Memberships)
			}
			a, err := svc.Auth.UserByEmail(ctx, "admin@demo.voisines.fr")
			if err != nil || !a.PlatformAdmin {
				t.Errorf("platform admin: %+v %v", a, err)
			}
		})
		t.Run("a second run reuses everything", func(t *testing.T) {
			again, err := demo.Setup(ctx, svc, demo.Options{Password: "another password"})
			if err != nil {
				t.Fatal(err)
			}
			if again.Created() != 0 || len(again.Logins) != len(res.Logins) {
				t.Fatalf("second run: %d created, %d logins; want 0 and %d", again.Created(), len(again.Logins), len(res.Logins))
			}
		})
		t.Run("the logins table lists every account", func(t *testing.T) {
			var b bytes.Buffer
			if err := res.WriteLogins(&b); err != nil {
				t.Fatal(err)
			}
			if n := strings.Count(b.String(), "@demo.voisines.fr"); n != len(res.Logins) {
				t.Errorf("table lists %d accounts want %d:\n%s", n, len(res.Logins), b.String())
			}
		})
	})
}

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{
		"Conques-en-Rouergue":  "conques-en-rouergue",
		"Clairvaux-d'Aveyron":  "clairvaux-d-aveyron",
		"Saint-Félix-de-Lunel": "saint-felix-de-lunel",
		"CC Conques-Marcillac": "cc-conques-marcillac",
		"Sénergues":            "senergues",
	} {
		if got := demo.Slug(in); got != want {
			t.Errorf("Slug(%q): got %q want %q", in, got, want)
		}
	}
}
