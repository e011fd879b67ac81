package auth

import (
	"context"
	"errors"
	"strings"
	"testing"

	"voisines/internal/audit"
	"voisines/internal/store"
	"voisines/internal/store/storetest"
	"voisines/internal/validate"
)

func TestUsersAndMemberships(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _ := newService(db)
		x := newOrg(t, db, "commune", "Rodez")
		y := newOrg(t, db, "commune", "Olemps")
		admin := newUser(t, s, "admin@voisines.fr")
		if _, err := db.Raw().ExecContext(ctx, db.Dialect.Rebind(`UPDATE users SET platform_admin = ? WHERE id = ?`), true, admin.ID); err != nil {
			t.Fatal(err)
		}
		adminActor := actorOf(t, s, admin)
		orgAdminX := actorOf(t, s, newUser(t, s, "admin@rodez.fr", Grant{x, RoleAdmin}))
		clerkX := actorOf(t, s, newUser(t, s, "clerk@rodez.fr", Grant{x, RoleClerk}))

		t.Run("the system creates a user with a membership", func(t *testing.T) {
			u, err := s.CreateUser(ctx, System, NewUser{Email: "  Maire@Rodez.FR ", Name: " Christian ", Password: "douze caractères",
				Grants: []Grant{{OrgID: x, Role: RoleElected}}})
			if err != nil {
				t.Fatal(err)
			}
			if u.Email != "maire@rodez.fr" || u.Name != "Christian" || u.PlatformAdmin {
				t.Fatalf("got %+v want maire@rodez.fr, Christian, not admin", u)
			}
			if len(u.Memberships) != 1 || u.Memberships[0] != (Membership{OrgID: x, OrgName: "Rodez", OrgKind: "commune", Role: RoleElected}) {
				t.Fatalf("memberships: got %+v", u.Memberships)
			}
			var stored string
			if err := db.Reader().QueryRowContext(ctx, `SELECT password_hash FROM users WHERE id = ?`, u.ID).Scan(&stored); err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(stored, "$argon2id$") || strings.Contains(stored, "douze") {
				t.Fatalf("stored password: got %q want an argon2id hash", stored)
			}
		})

		t.Run("a platform admin creates a user", func(t *testing.T) {
			if _, err := s.CreateUser(ctx, adminActor, NewUser{Email: "new@rodez.fr", Name: "New", Password: "douze caractères"}); err != nil {
				t.Fatalf("got %v want nil", err)
			}
		})

		refused := []struct {
			name  string
			actor Actor
			want  error
		}{
			{"an anonymous visitor may not create a user", Actor{}, ErrUnauthenticated},
			{"an organisation admin may not create a user", orgAdminX, ErrForbidden},
			{"a clerk may not create a user", clerkX, ErrForbidden},
		}
		for _, tt := range refused {
			t.Run(tt.name, func(t *testing.T) {
				_, err := s.CreateUser(ctx, tt.actor, NewUser{Email: "intrus@rodez.fr", Name: "Intrus", Password: "douze caractères"})
				if !errors.Is(err, tt.want) {
					t.Fatalf("got %v want %v", err, tt.want)
				}
			})
		}

		t.Run("an e-mail already taken, in any case, is a conflict", func(t *testing.T) {
			_, err := s.CreateUser(ctx, System, NewUser{Email: "CLERK@rodez.fr", Name: "Twin", Password: "douze caractères"})
			if !errors.Is(err, store.ErrConflict) || !strings.Contains(err.Error(), "un compte existe déjà") {
				t.Fatalf("got %v want ErrConflict saying the account exists", err)
			}
		})

		invalid := []struct {
			name   string
			user   NewUser
			fields []string
		}{
			{"a short password, a bad e-mail and no name are each named", NewUser{Email: "rodez.fr", Password: "court"}, []string{"email", "name", "password"}},
			{"an unknown role is named", NewUser{Email: "r@rodez.fr", Name: "R", Password: "douze caractères", Grants: []Grant{{x, "maire"}}}, []string{"role"}},
		}
		for _, tt := range invalid {
			t.Run(tt.name, func(t *testing.T) {
				_, err := s.CreateUser(ctx, System, tt.user)
				errs, ok := validate.As(err)
				if !ok {
					t.Fatalf("got %v want validation errors", err)
				}
				for _, f := range tt.fields {
					if errs.For(f) == "" {
						t.Errorf("got %v want an error for %s", errs, f)
					}
				}
			})
		}

		t.Run("a membership of an unknown organisation is not found and creates nobody", func(t *testing.T) {
			_, err := s.CreateUser(ctx, System, NewUser{Email: "ghost@rodez.fr", Name: "G", Password: "douze caractères", Grants: []Grant{{9999, RoleClerk}}})
			if !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("got %v want ErrNotFound", err)
			}
			if _, err := s.UserByEmail(ctx, "ghost@rodez.fr"); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("user after failed creation: got %v want ErrNotFound", err)
			}
		})

		newcomer := newUser(t, s, "newcomer@olemps.fr")
		t.Run("an organisation admin adds a member to their organisation", func(t *testing.T) {
			if err := s.AddMembership(ctx, orgAdminX, newcomer.ID, x, RoleReadOnly); err != nil {
				t.Fatalf("got %v want nil", err)
			}
			if err := s.AddMembership(ctx, orgAdminX, newcomer.ID, x, RoleClerk); err != nil {
				t.Fatalf("change role: got %v want nil", err)
			}
			u, _ := s.User(ctx, newcomer.ID)
			if len(u.Memberships) != 1 || u.Memberships[0].Role != RoleClerk {
				t.Fatalf("got %+v want one clerk membership", u.Memberships)
			}
		})

		membershipRefusals := []struct {
			name  string
			actor Actor
			org   int64
			want  error
		}{
			{"an organisation admin may not add a member to another organisation", orgAdminX, y, ErrForbidden},
			{"a clerk may not add a member to their own organisation", clerkX, x, ErrForbidden},
			{"an anonymous visitor may not add a member", Actor{}, x, ErrUnauthenticated},
		}
		for _, tt := range membershipRefusals {
			t.Run(tt.name, func(t *testing.T) {
				if err := s.AddMembership(ctx, tt.actor, newcomer.ID, tt.org, RoleAdmin); !errors.Is(err, tt.want) {
					t.Fatalf("got %v want %v", err, tt.want)
				}
			})
		}

		t.Run("a platform admin adds a member anywhere", func(t *testing.T) {
			if err := s.AddMembership(ctx, adminActor, newcomer.ID, y, RoleAdmin); err != nil {
				t.Fatalf("got %v want nil", err)
			}
		})

		t.Run("adding an unknown user is not found", func(t *testing.T) {
			if err := s.AddMembership(ctx, adminActor, 9999, x, RoleClerk); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("got %v want ErrNotFound", err)
			}
		})

		t.Run("members are listed for members only", func(t *testing.T) {
			ms, err := s.Members(ctx, clerkX, x)
			if err != nil {
				t.Fatal(err)
			}
			var emails []string
			for _, m := range ms {
				emails = append(emails, m.Email+":"+string(m.Role))
			}
			want := "maire@rodez.fr:elected admin@rodez.fr:admin clerk@rodez.fr:clerk newcomer@olemps.fr:clerk"
			if got := strings.Join(emails, " "); got != want {
				t.Fatalf("got %s want %s", got, want)
			}
			if _, err := s.Members(ctx, clerkX, y); !errors.Is(err, ErrForbidden) {
				t.Fatalf("members of Y for a clerk of X: got %v want ErrForbidden", err)
			}
			if _, err := s.Members(ctx, Actor{}, x); !errors.Is(err, ErrUnauthenticated) {
				t.Fatalf("members for an anonymous visitor: got %v want ErrUnauthenticated", err)
			}
		})

		t.Run("an organisation admin removes a member", func(t *testing.T) {
			if err := s.RemoveMembership(ctx, orgAdminX, newcomer.ID, x); err != nil {
				t.Fatalf("got %v want nil", err)
			}
			if err := s.RemoveMembership(ctx, orgAdminX, newcomer.ID, x); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("second removal: got %v want ErrNotFound", err)
			}
		})

		t.Run("every change is in an intact audit log, without passwords", func(t *testing.T) {
			rep, err := audit.Verify(ctx, db)
			if err != nil || !rep.OK {
				t.Fatalf("got %+v, %v want an intact log", rep, err)
			}
			rows, err := db.Reader().QueryContext(ctx, `SELECT action, actor, detail FROM audit_log ORDER BY id`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			counts := map[string]int{}
			for rows.Next() {
				var action, actor, detail string
				if err := rows.Scan(&action, &actor, &detail); err != nil {
					t.Fatal(err)
				}
				counts[action]++
				if strings.Contains(detail, "douze") || strings.Contains(detail, "horse") {
					t.Fatalf("a password is in the audit log: %s", detail)
				}
			}
			want := map[string]int{"user.create": 6, "membership.add": 5, "membership.change": 1, "membership.remove": 1}
			for action, n := range want {
				if counts[action] != n {
					t.Errorf("%s: got %d records want %d (all: %v)", action, counts[action], n, counts)
				}
			}
		})
	})
}
