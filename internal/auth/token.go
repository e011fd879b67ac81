package auth

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"voisines/internal/audit"
	"voisines/internal/store"
	"voisines/internal/validate"
)

// Personal API access tokens let a user's scripts and finance software call
// the JSON API without a browser session: "Authorization: Bearer vsn_…".
// The request acts as the token's user with the user's memberships of the
// moment, so removing a membership or disabling the account takes effect at
// once. Only the SHA-256 of the secret is stored; the secret is shown once,
// when the token is created.

// TokenPrefix starts every token's secret, so that people and secret
// scanners recognise a Voisines token.
const TokenPrefix = "vsn_"

// Token lifetimes, in days: 90 unless the user chooses, a year at most.
const (
	DefaultTokenDays = 90
	MaxTokenDays     = 365
)

// MaxLiveTokens is how many live tokens (neither revoked nor expired) one
// user may hold: enough for every script and finance package of a town
// hall, few enough that a forgotten loop creating tokens is stopped and the
// list on the account page stays readable.
const MaxLiveTokens = 20

// DefaultTokenPurgeAge is how long a revoked or expired token is kept, for
// the list and the audit log to name it, before PurgeTokens deletes it.
const DefaultTokenPurgeAge = 90 * 24 * time.Hour

// maxTokenName bounds a token's name, in characters.
const maxTokenName = 100

// tokenSecretLen is the length of a secret: the prefix and 32 random bytes
// in unpadded base64url.
var tokenSecretLen = len(TokenPrefix) + 43

// Errors of API tokens.
var (
	// ErrInvalidToken means the bearer token is malformed, unknown, expired
	// or revoked, or its user disabled.
	ErrInvalidToken = fmt.Errorf("%w: api token unknown, expired or revoked", ErrUnauthenticated)
	// ErrReadOnlyToken means a token of scope read was used for a write.
	ErrReadOnlyToken = fmt.Errorf("%w: read-only api token", ErrForbidden)
	// ErrSessionRequired means the operation needs a password session, not
	// an API token: a token may not create other tokens (or a leaked token
	// could outlive its own expiry), nor log out a session it has not.
	ErrSessionRequired = fmt.Errorf("%w: needs a session, not an api token", ErrForbidden)
)

// TokenScope is what a token may do: read (GET and HEAD only) or write.
type TokenScope string

// The scopes of a token.
const (
	ScopeRead  TokenScope = "read"
	ScopeWrite TokenScope = "write"
)

// ParseTokenScope returns the scope named s ("read" or "write"), or a
// validation error for the field "scope".
func ParseTokenScope(s string) (TokenScope, error) {
	switch sc := TokenScope(strings.ToLower(strings.TrimSpace(s))); sc {
	case ScopeRead, ScopeWrite:
		return sc, nil
	}
	return "", validate.FieldError{Field: "scope", Message: validate.Quote(s) + " n'est pas une portée (read ou write)"}
}

// AllowsMethod reports whether a request with HTTP method may be made with
// a token of scope sc: a read token only reads (GET, HEAD).
func (sc TokenScope) AllowsMethod(method string) bool {
	return sc == ScopeWrite || method == "GET" || method == "HEAD"
}

// Label is the scope's French name, for pages.
func (sc TokenScope) Label() string {
	switch sc {
	case ScopeRead:
		return "lecture seule"
	case ScopeWrite:
		return "lecture et écriture"
	}
	return string(sc)
}

// TokenRef names the token an actor acts through.
type TokenRef struct {
	ID    int64
	Name  string
	Scope TokenScope
}

// Token is an API token as listed: never its secret.
type Token struct {
	ID     int64  `json:"id"`
	UserID int64  `json:"user_id"`
	Email  string `json:"user_email"`
	Name   string `json:"name"`
	// Scope is read or write.
	Scope     TokenScope `json:"scope"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt time.Time  `json:"expires_at"`
	// LastUsedAt is nil for a token never used; it moves at most once a
	// minute.
	LastUsedAt *time.Time `json:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
	// Status is "active", "expired" or "revoked", at the time of reading.
	Status string `json:"status"`
}

func (t *Token) setStatus(now time.Time) {
	switch {
	case t.RevokedAt != nil:
		t.Status = "revoked"
	case !now.Before(t.ExpiresAt):
		t.Status = "expired"
	default:
		t.Status = "active"
	}
}

// IssuedToken is a token just created, with its secret: the only time the
// secret is known to Voisines.
type IssuedToken struct {
	Token
	Secret string `json:"secret"`
}

// NewToken is what CreateToken needs.
type NewToken struct {
	Name string
	// Scope is read when empty.
	Scope TokenScope
	// Days is the lifetime: DefaultTokenDays when 0, MaxTokenDays at most.
	Days int
}

func (n *NewToken) validate() error {
	var errs validate.Errors
	n.Name = strings.TrimSpace(n.Name)
	switch {
	case n.Name == "":
		errs.Add("name", "le nom du jeton est obligatoire")
	case utf8.RuneCountInString(n.Name) > maxTokenName:
		errs.Add("name", "le nom ne doit pas dépasser %d caractères", maxTokenName)
	case strings.ContainsFunc(n.Name, unicode.IsControl):
		errs.Add("name", "le nom ne doit pas contenir de caractères de contrôle")
	}
	if n.Scope == "" {
		n.Scope = ScopeRead
	} else {
		sc, err := ParseTokenScope(string(n.Scope))
		errs.Check(err)
		n.Scope = sc
	}
	switch {
	case n.Days == 0:
		n.Days = DefaultTokenDays
	case n.Days < 1 || n.Days > MaxTokenDays:
		errs.Add("expires_in_days", "la durée de validité doit être comprise entre 1 et %d jours", MaxTokenDays)
	}
	return errs.Err()
}

// BearerToken reads the value of an Authorization header. ok is false when
// the header does not use the Bearer scheme (absent, or another scheme such
// as Basic): the request then carries no API token. With the Bearer scheme
// it returns the secret, or ErrInvalidToken when the credentials are not a
// well-formed Voisines token.
func BearerToken(header string) (secret string, ok bool, err error) {
	scheme, rest, _ := strings.Cut(strings.TrimSpace(header), " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return "", false, nil
	}
	secret = strings.TrimSpace(rest)
	if !wellFormed(secret) {
		return "", true, ErrInvalidToken
	}
	return secret, true, nil
}

// wellFormed reports whether s looks like a secret CreateToken issues.
func wellFormed(s string) bool {
	if len(s) != tokenSecretLen || !strings.HasPrefix(s, TokenPrefix) {
		return false
	}
	for _, c := range []byte(s[len(TokenPrefix):]) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// CreateToken issues a token for the actor's own account. Its secret is in
// the result and nowhere else; only its hash is stored. A token may not
// create tokens (ErrSessionRequired); invalid fields are validate.Errors
// (name, scope, expires_in_days), and so is a user already holding
// MaxLiveTokens live tokens (field "tokens"). Recorded as "token.create".
func (s *Service) CreateToken(ctx context.Context, actor Actor, n NewToken) (IssuedToken, error) {
	switch {
	case actor.User == nil || actor.User.Disabled:
		return IssuedToken{}, fmt.Errorf("auth: create token: %w", ErrUnauthenticated)
	case actor.Token != nil:
		return IssuedToken{}, fmt.Errorf("auth: create token: %w", ErrSessionRequired)
	}
	if err := n.validate(); err != nil {
		return IssuedToken{}, err
	}
	now := s.clock()
	t := IssuedToken{Secret: TokenPrefix + randomToken(), Token: Token{UserID: actor.User.ID, Email: actor.User.Email,
		Name: n.Name, Scope: n.Scope, CreatedAt: now, ExpiresAt: now.AddDate(0, 0, n.Days)}}
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := checkLiveTokens(ctx, tx, t.UserID, now); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO api_tokens (user_id, token_hash, name, scope, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, t.UserID, hashToken(t.Secret), t.Name, string(t.Scope), t.CreatedAt, t.ExpiresAt).
			Scan(&t.ID); err != nil {
			return store.MapError(err)
		}
		return audit.Record(ctx, tx, actor.Audit(0, "token.create", "api_token", strconv.FormatInt(t.ID, 10), map[string]any{
			"user_id": t.UserID, "name": t.Name, "scope": t.Scope, "expires_at": t.ExpiresAt,
		}))
	})
	if err != nil {
		return IssuedToken{}, fmt.Errorf("auth: create token for user %d: %w", actor.User.ID, err)
	}
	t.setStatus(now)
	return t, nil
}

// checkLiveTokens returns a validation error when user userID already holds
// MaxLiveTokens live tokens. On PostgreSQL it first locks the user's row
// until the end of tx, so that two creations for one user run one after the
// other and the second counts the first's token; on SQLite the single
// writer already serialises them.
func checkLiveTokens(ctx context.Context, tx *store.Tx, userID int64, now time.Time) error {
	if tx.Dialect() == store.Postgres {
		var id int64
		if err := tx.QueryRowContext(ctx, `SELECT id FROM users WHERE id = ? FOR NO KEY UPDATE`, userID).Scan(&id); err != nil {
			return store.MapError(err)
		}
	}
	var live int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM api_tokens WHERE user_id = ? AND revoked_at IS NULL AND expires_at > ?`,
		userID, now).Scan(&live); err != nil {
		return store.MapError(err)
	}
	if live >= MaxLiveTokens {
		var errs validate.Errors
		errs.Add("tokens", "Vous avez déjà %d jetons actifs : révoquez-en un avant d'en créer un autre.", MaxLiveTokens)
		return errs.Err()
	}
	return nil
}

const tokenColumns = `t.id, t.user_id, u.email, t.name, t.scope, t.created_at, t.expires_at, t.last_used_at, t.revoked_at`

func scanToken(row interface{ Scan(...any) error }) (Token, error) {
	var t Token
	var scope string
	var used, revoked sql.NullTime
	if err := row.Scan(&t.ID, &t.UserID, &t.Email, &t.Name, &scope, &t.CreatedAt, &t.ExpiresAt, &used, &revoked); err != nil {
		return Token{}, err
	}
	t.Scope = TokenScope(scope)
	t.CreatedAt, t.ExpiresAt = t.CreatedAt.UTC(), t.ExpiresAt.UTC()
	if used.Valid {
		u := used.Time.UTC()
		t.LastUsedAt = &u
	}
	if revoked.Valid {
		r := revoked.Time.UTC()
		t.RevokedAt = &r
	}
	return t, nil
}

// Tokens lists the tokens of user userID, newest first, or of every user
// when userID is 0. A user lists their own; a platform admin (or the
// system) anyone's. Revoked and expired tokens are listed with their
// status.
func (s *Service) Tokens(ctx context.Context, actor Actor, userID int64) ([]Token, error) {
	if actor.Anonymous() || (actor.User != nil && actor.User.Disabled) {
		return nil, fmt.Errorf("auth: tokens of user %d: %w", userID, ErrUnauthenticated)
	}
	if !actor.PlatformAdmin() && (userID == 0 || userID != actor.UserID()) {
		return nil, fmt.Errorf("auth: tokens of user %d: %w", userID, ErrForbidden)
	}
	q := `SELECT ` + tokenColumns + ` FROM api_tokens t JOIN users u ON u.id = t.user_id`
	args := []any{}
	if userID != 0 {
		q += ` WHERE t.user_id = ?`
		args = append(args, userID)
	}
	rows, err := s.db.Reader().QueryContext(ctx, q+` ORDER BY t.id DESC`, args...)
	if err != nil {
		return nil, fmt.Errorf("auth: tokens of user %d: %w", userID, err)
	}
	defer rows.Close()
	now := s.clock()
	tokens := []Token{}
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, fmt.Errorf("auth: tokens of user %d: %w", userID, err)
		}
		t.setStatus(now)
		tokens = append(tokens, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("auth: tokens of user %d: %w", userID, err)
	}
	return tokens, nil
}

// RevokeToken ends token id at once and returns it. A user revokes their
// own tokens (with a session or with a token); a platform admin (or the
// system) anyone's. Another user's token is store.ErrNotFound, so that its
// existence does not leak. Revoking a revoked token changes nothing.
// Recorded as "token.revoke".
func (s *Service) RevokeToken(ctx context.Context, actor Actor, id int64) (Token, error) {
	if actor.Anonymous() || (actor.User != nil && actor.User.Disabled) {
		return Token{}, fmt.Errorf("auth: revoke token %d: %w", id, ErrUnauthenticated)
	}
	now := s.clock()
	var t Token
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		t, err = scanToken(tx.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens t JOIN users u ON u.id = t.user_id
			WHERE t.id = ?`, id))
		if err != nil {
			return store.MapError(err)
		}
		if t.UserID != actor.UserID() && !actor.PlatformAdmin() {
			return store.ErrNotFound
		}
		if t.RevokedAt != nil {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE id = ?`, now, id); err != nil {
			return err
		}
		t.RevokedAt = &now
		return audit.Record(ctx, tx, actor.Audit(0, "token.revoke", "api_token", strconv.FormatInt(id, 10), map[string]any{
			"user_id": t.UserID, "name": t.Name,
		}))
	})
	if err != nil {
		return Token{}, fmt.Errorf("auth: revoke token %d: %w", id, err)
	}
	t.setStatus(now)
	return t, nil
}

// ResumeToken returns the user behind a bearer secret, with their current
// memberships, and the token they act through; ErrInvalidToken when the
// secret is malformed, unknown, expired or revoked, or the user disabled.
// The token's last use is written at most once a minute.
func (s *Service) ResumeToken(ctx context.Context, secret string) (User, TokenRef, error) {
	if !wellFormed(secret) {
		return User{}, TokenRef{}, ErrInvalidToken
	}
	now := s.clock()
	var (
		ref              TokenRef
		scope            string
		u                User
		expires          time.Time
		lastUsed, revoke sql.NullTime
		found            bool
	)
	// The token, its user and the user's memberships in one read, as Resume
	// does for sessions.
	rows, err := s.db.Reader().QueryContext(s.db.ShortRead(ctx), `SELECT t.id, t.name, t.scope, t.expires_at, t.last_used_at, t.revoked_at,
		u.id, u.email, u.name, u.platform_admin, u.disabled, m.org_id, o.name, o.kind, m.role
		FROM api_tokens t JOIN users u ON u.id = t.user_id
		LEFT JOIN memberships m ON m.user_id = u.id LEFT JOIN organisations o ON o.id = m.org_id
		WHERE t.token_hash = ? ORDER BY o.name, m.org_id`, hashToken(secret))
	if err != nil {
		return User{}, TokenRef{}, fmt.Errorf("auth: resume token: %w", err)
	}
	u.Memberships = []Membership{}
	for rows.Next() {
		var org sql.NullInt64
		var orgName, orgKind, role sql.NullString
		if err := rows.Scan(&ref.ID, &ref.Name, &scope, &expires, &lastUsed, &revoke, &u.ID, &u.Email, &u.Name,
			&u.PlatformAdmin, &u.Disabled, &org, &orgName, &orgKind, &role); err != nil {
			rows.Close()
			return User{}, TokenRef{}, fmt.Errorf("auth: resume token: %w", err)
		}
		found = true
		if org.Valid {
			u.Memberships = append(u.Memberships, Membership{OrgID: org.Int64, OrgName: orgName.String, OrgKind: orgKind.String, Role: Role(role.String)})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return User{}, TokenRef{}, fmt.Errorf("auth: resume token: %w", err)
	}
	if !found || revoke.Valid || !now.Before(expires) || u.Disabled {
		return User{}, TokenRef{}, ErrInvalidToken
	}
	ref.Scope = TokenScope(scope)
	if !lastUsed.Valid || now.Sub(lastUsed.Time) >= touchEvery {
		if err := s.db.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE id = ?`, now, ref.ID)
			return err
		}); err != nil {
			return User{}, TokenRef{}, fmt.Errorf("auth: resume token %d: %w", ref.ID, err)
		}
	}
	return u, ref, nil
}

// PurgeTokens deletes the tokens revoked, or expired, more than olderThan
// ago (callers use DefaultTokenPurgeAge) and returns how many. A live token
// is never deleted, and a negative olderThan is a validation error (field
// "older_than"). Only a platform admin or the system may purge. Recorded
// as one "token.purge" with the count, when at least one token went: the
// background jobs call it every hour and an empty purge changes nothing.
func (s *Service) PurgeTokens(ctx context.Context, actor Actor, olderThan time.Duration) (int, error) {
	if err := RequirePlatformAdmin(actor); err != nil {
		return 0, fmt.Errorf("auth: purge tokens: %w", err)
	}
	if olderThan < 0 {
		var errs validate.Errors
		errs.Add("older_than", "la durée de conservation ne peut pas être négative")
		return 0, errs.Err()
	}
	now := s.clock()
	cutoff := now.Add(-olderThan)
	var n int
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		// expires_at < cutoff <= now: the token is expired as well.
		res, err := tx.ExecContext(ctx, `DELETE FROM api_tokens WHERE (revoked_at IS NOT NULL AND revoked_at < ?) OR expires_at < ?`,
			cutoff, cutoff)
		if err != nil {
			return err
		}
		deleted, err := res.RowsAffected()
		if err != nil {
			return err
		}
		n = int(deleted)
		if n == 0 {
			return nil
		}
		return audit.Record(ctx, tx, actor.Audit(0, "token.purge", "api_token", "", map[string]any{
			"count": n, "older_than": olderThan.String(), "cutoff": cutoff,
		}))
	})
	if err != nil {
		return 0, fmt.Errorf("auth: purge tokens: %w", err)
	}
	return n, nil
}
