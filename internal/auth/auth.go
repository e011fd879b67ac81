// Package auth knows who is acting and what they may do: users, their
// memberships of organisations with a role, password login (argon2id) with
// throttling, database-stored sessions with a CSRF token, and the one
// authorisation check every request goes through.
//
// Authorize is that check. The web and API faces turn a session cookie into
// an Actor with Resume and pass it to the domain operations, which call
// Authorize(actor, action, orgID) before touching anything. Platform admins
// and the System actor (the command line) may do everything.
//
// Scripts use personal API tokens instead of a session (token.go): the
// server turns "Authorization: Bearer vsn_…" into the same Actor with
// ResumeToken, and the audit log names the token beside the user.
//
// Passwords are hashed with argon2id (PHC string, OWASP parameters). Sessions
// live in the database, so that any `serve` instance can answer any request;
// only the SHA-256 of the cookie value is stored. Failed logins are
// throttled per e-mail and per client address, also in the database.
//
// Audit: user creation, membership changes, successful logins
// ("session.login") and logouts ("session.logout") are recorded in the audit
// log in the same transaction as the write. Failed logins are not: they are
// unauthenticated, anyone could flood the permanent log with them, and
// login_attempts already keeps them (hashed keys, one day) for throttling.
package auth

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"voisines/internal/audit"
	"voisines/internal/store"
	"voisines/internal/validate"
)

// Role is what a user may do for an organisation.
type Role string

// The roles a member can hold.
const (
	RoleAdmin    Role = "admin"    // manages the organisation's users and data
	RoleClerk    Role = "clerk"    // secrétaire de mairie: prepares and records
	RoleElected  Role = "elected"  // mayor, councillor: approves
	RoleReadOnly Role = "readonly" // reads the organisation's private data
)

// Roles lists every role, strongest first.
var Roles = []Role{RoleAdmin, RoleElected, RoleClerk, RoleReadOnly}

// ParseRole returns the role named s ("admin", "clerk", "elected",
// "readonly"), or a validation error for the field "role".
func ParseRole(s string) (Role, error) {
	r := Role(strings.ToLower(strings.TrimSpace(s)))
	if r.Valid() {
		return r, nil
	}
	return "", validate.FieldError{Field: "role", Message: validate.Quote(s) + " n'est pas un rôle (admin, elected, clerk ou readonly)"}
}

// Valid reports whether r is one of the four roles.
func (r Role) Valid() bool {
	switch r {
	case RoleAdmin, RoleClerk, RoleElected, RoleReadOnly:
		return true
	}
	return false
}

// Allows reports whether a member holding r may perform action: any role
// reads the organisation's private data; clerks, elected members and admins
// write; elected members and admins approve; admins manage.
func (r Role) Allows(action Action) bool {
	switch r {
	case RoleAdmin:
		return true
	case RoleElected:
		return action <= Approve
	case RoleClerk:
		return action <= Write
	case RoleReadOnly:
		return action == ReadPrivate
	}
	return false
}

// Label is the role's French name, for pages.
func (r Role) Label() string {
	switch r {
	case RoleAdmin:
		return "administrateur"
	case RoleClerk:
		return "secrétaire"
	case RoleElected:
		return "élu"
	case RoleReadOnly:
		return "lecture seule"
	}
	return string(r)
}

// Errors returned by authorisation and login.
var (
	// ErrUnauthenticated means the request carries no valid session.
	ErrUnauthenticated = errors.New("authentication required")
	// ErrForbidden means the actor may not do this for this organisation.
	ErrForbidden = errors.New("forbidden")
	// ErrBadCredentials means the e-mail or password is wrong.
	ErrBadCredentials = errors.New("bad credentials")
	// ErrThrottled means too many failed logins; try again later.
	ErrThrottled = errors.New("too many attempts")
)

// Membership is a user's role in one organisation.
type Membership struct {
	OrgID   int64  `json:"organisation_id"`
	OrgName string `json:"organisation_name"`
	OrgKind string `json:"organisation_kind"`
	Role    Role   `json:"role"`
}

// User is an account.
type User struct {
	ID            int64        `json:"id"`
	Email         string       `json:"email"`
	Name          string       `json:"name"`
	PlatformAdmin bool         `json:"platform_admin"`
	Disabled      bool         `json:"disabled,omitempty"`
	Memberships   []Membership `json:"memberships"`
}

// Member is a user as listed among an organisation's members.
type Member struct {
	UserID int64  `json:"user_id"`
	Email  string `json:"email"`
	Name   string `json:"name"`
	Role   Role   `json:"role"`
}

// Actor is who performs an operation: a user, the system (System), or nobody
// (anonymous reads of public data). The zero Actor is anonymous.
type Actor struct {
	User *User
	// Token is the API token the user acts through, nil for a session.
	Token *TokenRef
	// system names a system actor ("system:cli"); only SystemActor sets it, so
	// that no request can claim it.
	system string
}

// SystemActor returns the actor of work started by the operator on the
// machine itself rather than by a logged-in user: the CLI (`voisines user
// add`, `org add`), the demo set-up, imports. It may do everything, like a
// platform admin, and is recorded in the audit log as "system:"+name with no
// user id. Only code run by the operator may use it: an HTTP handler never
// does — it acts as the request's session actor.
func SystemActor(name string) Actor { return Actor{system: "system:" + name} }

// System is the actor of the command line, recorded as "system:cli".
var System = SystemActor("cli")

// IsSystem reports whether a is a system actor.
func (a Actor) IsSystem() bool { return a.system != "" }

// Anonymous reports whether a is nobody: no user, not the system.
func (a Actor) Anonymous() bool { return a.User == nil && a.system == "" }

// UserID returns the actor's user id, 0 for the system or an anonymous actor.
func (a Actor) UserID() int64 {
	if a.User == nil {
		return 0
	}
	return a.User.ID
}

// PlatformAdmin reports whether a may do everything: an enabled platform
// admin, or the system.
func (a Actor) PlatformAdmin() bool {
	return a.system != "" || (a.User != nil && a.User.PlatformAdmin && !a.User.Disabled)
}

// String names the actor as the audit log does: the user's e-mail, followed
// by the token's name for a request made with an API token
// (`clerk@rodez.fr (jeton « Compta »)`), "system:…", or "anonymous".
func (a Actor) String() string {
	switch {
	case a.system != "":
		return a.system
	case a.User != nil && a.Token != nil:
		return a.User.Email + " (jeton « " + a.Token.Name + " »)"
	case a.User != nil:
		return a.User.Email
	}
	return "anonymous"
}

// Audit returns the audit entry of a write a performs for organisation orgID
// (0 when none), ready for audit.Record.
func (a Actor) Audit(orgID int64, action, entity, entityID string, detail any) audit.Entry {
	return audit.Entry{
		ActorUserID: a.UserID(),
		Actor:       a.String(),
		OrgID:       orgID,
		Action:      action,
		Entity:      entity,
		EntityID:    entityID,
		Detail:      detail,
	}
}

// Action is a kind of operation checked by Authorize.
type Action int

// Actions, from weakest to strongest.
const (
	// ReadPrivate reads an organisation's private data.
	ReadPrivate Action = iota
	// Write changes an organisation's data (clerk, elected member, admin).
	Write
	// Approve records a decision for the organisation (elected member, admin).
	Approve
	// Manage manages the organisation's users and settings (admin).
	Manage
)

func (a Action) String() string {
	switch a {
	case ReadPrivate:
		return "read"
	case Write:
		return "write"
	case Approve:
		return "approve"
	case Manage:
		return "manage"
	}
	return fmt.Sprintf("action(%d)", int(a))
}

// Service holds users, memberships and sessions.
type Service struct {
	db       *store.DB
	throttle Throttle
	// now is the clock; tests move it to expire sessions and attempts.
	now func() time.Time
}

// New returns a Service over db, with DefaultThrottle.
func New(db *store.DB) *Service {
	return &Service{db: db, throttle: DefaultThrottle, now: time.Now}
}

// clock returns the current instant in UTC, to the microsecond (what both
// engines keep), so that stored and compared instants agree.
func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }
