// Package auth knows who is acting and what they may do: users, their
// memberships of organisations with a role, password login (argon2id) with
// throttling, database-stored sessions with a CSRF token, and the one
// authorisation check every request goes through.
package auth

import (
	"errors"

	"voisines/internal/store"
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
	Memberships   []Membership `json:"memberships"`
}

// Actor is who performs an operation: a user, or nobody (anonymous reads of
// public data). The zero Actor is anonymous.
type Actor struct {
	User *User
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

// Service holds users, memberships and sessions.
type Service struct {
	db *store.DB
}

// New returns a Service over db.
func New(db *store.DB) *Service { return &Service{db: db} }
