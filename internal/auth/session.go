package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"voisines/internal/audit"
	"voisines/internal/store"
)

// Session lifetimes: a session ends after SessionIdle without a request
// (sliding), and in any case SessionMax after the login.
const (
	SessionIdle = 12 * time.Hour
	SessionMax  = 7 * 24 * time.Hour
)

const (
	// touchEvery spaces the writes that slide a session's expiry: at most one
	// per minute and session, not one per request.
	touchEvery = time.Minute
	// attemptsKept is how long login attempts are kept for throttling.
	attemptsKept = 24 * time.Hour
	// maxTokenLen bounds the cookie values Resume bothers to hash.
	maxTokenLen = 256
)

// Throttle limits failed logins within a sliding window, per e-mail address
// and per client (the client's IP address).
//
// The e-mail count restarts after a successful login of that same address;
// the client count never restarts before the window has passed, so that
// logging into one's own account does not buy more guesses at others'. The
// client limit is higher than the e-mail one because a whole town hall, or
// every client behind a reverse proxy, may share one address.
type Throttle struct {
	Window    time.Duration
	PerEmail  int
	PerClient int
}

// DefaultThrottle refuses a login after 5 failures for the same e-mail, or 20
// from the same client, within 15 minutes — even with the right password.
var DefaultThrottle = Throttle{Window: 15 * time.Minute, PerEmail: 5, PerClient: 20}

// SetThrottle replaces the service's login throttling limits.
func (s *Service) SetThrottle(t Throttle) { s.throttle = t }

// Session is a logged-in session. Token is the cookie value (only its hash is
// stored); CSRF is the token forms must echo.
type Session struct {
	Token     string
	CSRF      string
	UserID    int64
	CreatedAt time.Time
	// ExpiresAt moves forward as the session is used (Resume), never beyond
	// CreatedAt + SessionMax.
	ExpiresAt time.Time
	// Renewed is set by Resume when it moved ExpiresAt, so that the caller
	// sends the cookie again with the new expiry.
	Renewed bool
}

// CheckCSRF reports, in constant time, whether token is the session's CSRF
// token.
func (s Session) CheckCSRF(token string) bool {
	return s.CSRF != "" && subtle.ConstantTimeCompare([]byte(s.CSRF), []byte(token)) == 1
}

// randomToken returns 32 random bytes in unpadded base64url (43 characters).
func randomToken() string {
	var b [32]byte
	rand.Read(b[:]) // never fails: crypto/rand aborts the program rather than return an error
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// hashToken is what the sessions table keeps of a cookie value.
func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// attemptKey is the throttling key of an e-mail address or a client: a
// hash, so that login_attempts keeps neither typed addresses nor IPs.
func attemptKey(kind, value string) string {
	sum := sha256.Sum256([]byte(kind + "\x00" + value))
	return kind + ":" + hex.EncodeToString(sum[:16])
}

// Login checks the password and opens a session. clientKey (the client's IP)
// feeds login throttling together with the e-mail.
//
// A wrong password, an unknown e-mail and a disabled account all return
// ErrBadCredentials after the same work (an unknown e-mail hashes the
// password against a dummy salt), so that the answer does not tell whether
// an account exists. Too many recent failures return ErrThrottled before the
// password is even checked. A successful login is recorded in the audit log
// as "session.login"; failures are kept only in login_attempts (pruned after
// a day), so that anyone on the internet cannot grow the permanent log.
func (s *Service) Login(ctx context.Context, email, password, clientKey string) (Session, error) {
	email = NormalizeEmail(email)
	now := s.clock()
	keys := []string{attemptKey("email", email)}
	if clientKey != "" {
		keys = append(keys, attemptKey("client", clientKey))
	}
	if err := s.checkThrottle(ctx, keys, now); err != nil {
		return Session{}, err
	}

	var (
		id       int64
		hash     string
		disabled bool
		ok       bool
		rehash   bool
	)
	err := s.db.Reader().QueryRowContext(ctx, `SELECT id, password_hash, disabled FROM users WHERE email = ?`, email).
		Scan(&id, &hash, &disabled)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		burnPassword(password)
	case err != nil:
		return Session{}, fmt.Errorf("auth: login: %w", err)
	default:
		if ok, rehash, err = checkPassword(hash, password); err != nil {
			return Session{}, fmt.Errorf("auth: login: user %d: %w", id, err)
		}
	}
	if !ok || disabled {
		err := s.db.InTx(ctx, func(tx *store.Tx) error {
			if err := recordAttempts(ctx, tx, keys, now, false); err != nil {
				return err
			}
			return prune(ctx, tx, now)
		})
		if err != nil {
			return Session{}, fmt.Errorf("auth: login: record failure: %w", err)
		}
		return Session{}, ErrBadCredentials
	}

	newHash := ""
	if rehash {
		if newHash, err = hashPassword(password); err != nil {
			return Session{}, err
		}
	}
	sess := Session{Token: randomToken(), CSRF: randomToken(), UserID: id, CreatedAt: now, ExpiresAt: now.Add(SessionIdle)}
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := recordAttempts(ctx, tx, keys, now, true); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at, last_seen_at)
			VALUES (?, ?, ?, ?, ?, ?)`, hashToken(sess.Token), id, sess.CSRF, now, sess.ExpiresAt, now); err != nil {
			return err
		}
		if newHash != "" {
			// The same password under the current argon2id parameters.
			if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = ? WHERE id = ?`, newHash, id); err != nil {
				return err
			}
		}
		if err := prune(ctx, tx, now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{ActorUserID: id, Actor: email, Action: "session.login",
			Entity: "user", EntityID: strconv.FormatInt(id, 10)})
	})
	if err != nil {
		return Session{}, fmt.Errorf("auth: login: %w", err)
	}
	return sess, nil
}

// checkThrottle returns ErrThrottled when one of keys (e-mail first, then
// client) has reached its limit of failures.
func (s *Service) checkThrottle(ctx context.Context, keys []string, now time.Time) error {
	t := s.throttle
	since := now.Add(-t.Window)
	q := s.db.Reader()
	for i, key := range keys {
		from, limit := since, t.PerClient
		if i == 0 { // the e-mail: count from its last success, if later
			limit = t.PerEmail
			var last time.Time
			err := q.QueryRowContext(ctx, `SELECT at FROM login_attempts WHERE key = ? AND success = ? ORDER BY at DESC LIMIT 1`,
				key, true).Scan(&last)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("auth: login: throttle: %w", err)
			}
			if last.After(from) {
				from = last
			}
		}
		var failures int
		if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM login_attempts WHERE key = ? AND success = ? AND at > ?`,
			key, false, from).Scan(&failures); err != nil {
			return fmt.Errorf("auth: login: throttle: %w", err)
		}
		if limit > 0 && failures >= limit {
			return ErrThrottled
		}
	}
	return nil
}

func recordAttempts(ctx context.Context, tx *store.Tx, keys []string, at time.Time, success bool) error {
	for _, k := range keys {
		if _, err := tx.ExecContext(ctx, `INSERT INTO login_attempts (key, at, success) VALUES (?, ?, ?)`, k, at, success); err != nil {
			return err
		}
	}
	return nil
}

// prune deletes old login attempts and expired sessions; logins call it, so
// both tables stay small without a background job.
func prune(ctx context.Context, tx *store.Tx, now time.Time) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM login_attempts WHERE at < ?`, now.Add(-attemptsKept)); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at < ?`, now)
	return err
}

// Resume returns the user and session behind a cookie token, or
// ErrUnauthenticated when it is unknown or expired, or its user disabled.
// Using a session slides its expiry to SessionIdle from now, within
// SessionMax of the login.
func (s *Service) Resume(ctx context.Context, token string) (User, Session, error) {
	if token == "" || len(token) > maxTokenLen {
		return User{}, Session{}, ErrUnauthenticated
	}
	h := hashToken(token)
	now := s.clock()
	sess := Session{Token: token}
	var lastSeen time.Time
	var u User
	// The session, its user and the user's memberships in one read: this
	// runs for every request. One row per membership (one with NULLs for a
	// user without any), in the order of memberships.
	rows, err := s.db.Reader().QueryContext(s.db.ShortRead(ctx), `SELECT s.user_id, s.csrf_token, s.created_at, s.expires_at, s.last_seen_at,
		u.id, u.email, u.name, u.platform_admin, u.disabled, m.org_id, o.name, o.kind, m.role
		FROM sessions s JOIN users u ON u.id = s.user_id
		LEFT JOIN memberships m ON m.user_id = u.id LEFT JOIN organisations o ON o.id = m.org_id
		WHERE s.token_hash = ? ORDER BY o.name, m.org_id`, h)
	if err != nil {
		return User{}, Session{}, fmt.Errorf("auth: resume session: %w", err)
	}
	found := false
	u.Memberships = []Membership{}
	for rows.Next() {
		var org sql.NullInt64
		var orgName, orgKind, role sql.NullString
		if err := rows.Scan(&sess.UserID, &sess.CSRF, &sess.CreatedAt, &sess.ExpiresAt, &lastSeen, &u.ID, &u.Email, &u.Name,
			&u.PlatformAdmin, &u.Disabled, &org, &orgName, &orgKind, &role); err != nil {
			rows.Close()
			return User{}, Session{}, fmt.Errorf("auth: resume session: %w", err)
		}
		found = true
		if org.Valid {
			u.Memberships = append(u.Memberships, Membership{OrgID: org.Int64, OrgName: orgName.String, OrgKind: orgKind.String, Role: Role(role.String)})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return User{}, Session{}, fmt.Errorf("auth: resume session: %w", err)
	}
	if !found {
		return User{}, Session{}, ErrUnauthenticated
	}
	limit := sess.CreatedAt.Add(SessionMax)
	if !now.Before(sess.ExpiresAt) || !now.Before(limit) {
		if err := s.db.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = ?`, h)
			return err
		}); err != nil {
			return User{}, Session{}, fmt.Errorf("auth: resume session: %w", err)
		}
		return User{}, Session{}, ErrUnauthenticated
	}
	if u.Disabled {
		return User{}, Session{}, ErrUnauthenticated
	}
	if now.Sub(lastSeen) >= touchEvery {
		exp := now.Add(SessionIdle)
		if exp.After(limit) {
			exp = limit
		}
		if err := s.db.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE sessions SET expires_at = ?, last_seen_at = ? WHERE token_hash = ?`, exp, now, h)
			return err
		}); err != nil {
			return User{}, Session{}, fmt.Errorf("auth: resume session: %w", err)
		}
		sess.ExpiresAt = exp
		sess.Renewed = true
	}
	sess.CreatedAt, sess.ExpiresAt = sess.CreatedAt.UTC(), sess.ExpiresAt.UTC()
	return u, sess, nil
}

// Logout ends the session behind token and records "session.logout"; an
// unknown or already ended session is not an error.
func (s *Service) Logout(ctx context.Context, token string) error {
	if token == "" || len(token) > maxTokenLen {
		return nil
	}
	h := hashToken(token)
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		var id int64
		var email string
		err := tx.QueryRowContext(ctx, `SELECT u.id, u.email FROM sessions s JOIN users u ON u.id = s.user_id
			WHERE s.token_hash = ?`, h).Scan(&id, &email)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		} else if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = ?`, h); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{ActorUserID: id, Actor: email, Action: "session.logout",
			Entity: "user", EntityID: strconv.FormatInt(id, 10)})
	})
	if err != nil {
		return fmt.Errorf("auth: logout: %w", err)
	}
	return nil
}
