package auth

import (
	"context"
	"errors"
	"time"
)

var errNotYet = errors.New("auth: not implemented yet")

// Authorize is the one authorisation check: it returns nil when actor may
// perform action for organisation orgID, ErrUnauthenticated for an anonymous
// actor, and ErrForbidden otherwise. Platform admins may do everything.
func Authorize(actor Actor, action Action, orgID int64) error { return errNotYet }

// NewUser is what CreateUser needs.
type NewUser struct {
	Email         string
	Name          string
	Password      string
	PlatformAdmin bool
}

// CreateUser creates an account (platform admin, or the CLI's system actor).
func (s *Service) CreateUser(ctx context.Context, actor Actor, u NewUser) (User, error) {
	return User{}, errNotYet
}

// AddMembership gives user userID role in organisation orgID (admin of that
// organisation or platform admin).
func (s *Service) AddMembership(ctx context.Context, actor Actor, userID, orgID int64, role Role) error {
	return errNotYet
}

// Session is a logged-in session. Token is the cookie value (only its hash is
// stored); CSRF is the token forms must echo.
type Session struct {
	Token     string
	CSRF      string
	UserID    int64
	ExpiresAt time.Time
}

// Login checks the password and opens a session. clientKey (the client's IP)
// feeds login throttling together with the e-mail.
func (s *Service) Login(ctx context.Context, email, password, clientKey string) (Session, error) {
	return Session{}, errNotYet
}

// Resume returns the user and session behind a cookie token, or
// ErrUnauthenticated when it is unknown or expired.
func (s *Service) Resume(ctx context.Context, token string) (User, Session, error) {
	return User{}, Session{}, errNotYet
}

// Logout ends the session behind token.
func (s *Service) Logout(ctx context.Context, token string) error { return errNotYet }

// UserByEmail returns a user with memberships.
func (s *Service) UserByEmail(ctx context.Context, email string) (User, error) {
	return User{}, errNotYet
}
