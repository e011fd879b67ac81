package auth

import (
	"errors"
	"fmt"
	"slices"
	"testing"
)

func TestAuthorize(t *testing.T) {
	const x, y = 1, 2
	member := func(role Role) Actor {
		return Actor{User: &User{ID: 10, Email: string(role) + "@x.fr", Memberships: []Membership{{OrgID: x, Role: role}}}}
	}
	admin := Actor{User: &User{ID: 1, Email: "admin@voisines.fr", PlatformAdmin: true}}
	tests := []struct {
		who    string
		actor  Actor
		action Action
		org    int64
		want   error
	}{
		{"an anonymous visitor", Actor{}, ReadPrivate, x, ErrUnauthenticated},
		{"an anonymous visitor", Actor{}, Write, x, ErrUnauthenticated},
		{"a platform admin", admin, Manage, y, nil},
		{"the system actor", System, Manage, y, nil},
		{"a user without membership", Actor{User: &User{ID: 3}}, ReadPrivate, x, ErrForbidden},
		{"a read-only member of X", member(RoleReadOnly), ReadPrivate, x, nil},
		{"a read-only member of X", member(RoleReadOnly), Write, x, ErrForbidden},
		{"a clerk of X", member(RoleClerk), ReadPrivate, x, nil},
		{"a clerk of X", member(RoleClerk), Write, x, nil},
		{"a clerk of X", member(RoleClerk), Write, y, ErrForbidden},
		{"a clerk of X", member(RoleClerk), ReadPrivate, y, ErrForbidden},
		{"a clerk of X", member(RoleClerk), Approve, x, ErrForbidden},
		{"an elected member of X", member(RoleElected), Write, x, nil},
		{"an elected member of X", member(RoleElected), Approve, x, nil},
		{"an elected member of X", member(RoleElected), Manage, x, ErrForbidden},
		{"an admin of X", member(RoleAdmin), Manage, x, nil},
		{"an admin of X", member(RoleAdmin), Manage, y, ErrForbidden},
		{"a member with an unknown role", member("mayor"), ReadPrivate, x, ErrForbidden},
		{"a disabled clerk of X", Actor{User: &User{ID: 11, Disabled: true, Memberships: []Membership{{OrgID: x, Role: RoleClerk}}}}, ReadPrivate, x, ErrUnauthenticated},
		{"a disabled platform admin", Actor{User: &User{ID: 12, Disabled: true, PlatformAdmin: true}}, ReadPrivate, x, ErrUnauthenticated},
	}
	for _, tt := range tests {
		verdict := "may"
		if tt.want != nil {
			verdict = "may not (" + tt.want.Error() + ")"
		}
		org := "X"
		if tt.org == y {
			org = "Y"
		}
		t.Run(fmt.Sprintf("%s %s %s for %s", tt.who, verdict, tt.action, org), func(t *testing.T) {
			if got := Authorize(tt.actor, tt.action, tt.org); !errors.Is(got, tt.want) || (got == nil) != (tt.want == nil) {
				t.Fatalf("got %v want %v", got, tt.want)
			}
		})
	}
}

func TestActsFor(t *testing.T) {
	u := Actor{User: &User{ID: 5, Memberships: []Membership{{OrgID: 1, Role: RoleClerk}, {OrgID: 2, Role: RoleReadOnly}, {OrgID: 3, Role: RoleAdmin}}}}
	tests := []struct {
		name    string
		actor   Actor
		action  Action
		want    []int64
		wantAll bool
	}{
		{"a member reads for all their organisations", u, ReadPrivate, []int64{1, 2, 3}, false},
		{"a member writes where their role allows", u, Write, []int64{1, 3}, false},
		{"a member manages where they are admin", u, Manage, []int64{3}, false},
		{"an anonymous visitor acts for none", Actor{}, ReadPrivate, nil, false},
		{"the system acts for all", System, Manage, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, all := ActsFor(tt.actor, tt.action)
			if !slices.Equal(got, tt.want) || all != tt.wantAll {
				t.Fatalf("got %v, %v want %v, %v", got, all, tt.want, tt.wantAll)
			}
		})
	}
}

func TestActorNames(t *testing.T) {
	tests := []struct {
		actor Actor
		want  string
	}{
		{Actor{}, "anonymous"},
		{System, "system:cli"},
		{SystemActor("demo"), "system:demo"},
		{Actor{User: &User{ID: 4, Email: "clerk@rodez.fr"}}, "clerk@rodez.fr"},
	}
	for _, tt := range tests {
		t.Run("the audit log names "+tt.want, func(t *testing.T) {
			e := tt.actor.Audit(9, "x.y", "x", "1", nil)
			if e.Actor != tt.want || e.ActorUserID != tt.actor.UserID() || e.OrgID != 9 {
				t.Fatalf("got %+v want actor %s", e, tt.want)
			}
		})
	}
}

func TestParseRole(t *testing.T) {
	for _, s := range []string{"admin", "clerk", "elected", "readonly", " Clerk "} {
		if _, err := ParseRole(s); err != nil {
			t.Errorf("ParseRole(%q): got %v want nil", s, err)
		}
	}
	_, err := ParseRole("mayor")
	if err == nil || err.Error() != "role: « mayor » n'est pas un rôle (admin, elected, clerk ou readonly)" {
		t.Fatalf("got %v", err)
	}
}
