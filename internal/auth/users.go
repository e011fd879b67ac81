package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"voisines/internal/audit"
	"voisines/internal/store"
	"voisines/internal/validate"
)

// Password length bounds, in characters. Twelve characters is the floor
// ANSSI's guidance sets for a password that is the only factor.
const (
	MinPasswordLen = 12
	MaxPasswordLen = 1024
)

// Grant is a role in one organisation, given to a new user.
type Grant struct {
	OrgID int64
	Role  Role
}

// NewUser is what CreateUser needs.
type NewUser struct {
	Email         string
	Name          string
	Password      string
	PlatformAdmin bool
	// Grants are memberships created in the same transaction as the user.
	Grants []Grant
}

// NormalizeEmail trims an e-mail address and puts it in lower case, the form
// accounts are stored and looked up in.
func NormalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

func (u *NewUser) validate() error {
	var errs validate.Errors
	u.Email = NormalizeEmail(u.Email)
	u.Name = strings.TrimSpace(u.Name)
	if u.Email == "" {
		errs.Add("email", "l'adresse électronique est obligatoire")
	} else {
		errs.Check(validate.Email("email", u.Email))
	}
	if u.Name == "" {
		errs.Add("name", "le nom est obligatoire")
	} else {
		errs.Check(validate.MaxLen("name", u.Name, 200))
	}
	switch n := utf8.RuneCountInString(u.Password); {
	case n < MinPasswordLen:
		errs.Add("password", "le mot de passe doit compter au moins %d caractères", MinPasswordLen)
	case n > MaxPasswordLen:
		errs.Add("password", "le mot de passe ne doit pas dépasser %d caractères", MaxPasswordLen)
	}
	u.Grants = append([]Grant(nil), u.Grants...) // the caller's slice stays as it was
	for i, g := range u.Grants {
		role, err := ParseRole(string(g.Role))
		errs.Check(err)
		u.Grants[i].Role = role
	}
	return errs.Err()
}

// CreateUser creates an account, and its Grants, in one transaction. Only a
// platform admin or the system actor may. A taken e-mail address is
// store.ErrConflict; an unknown organisation in Grants is store.ErrNotFound;
// invalid fields are validate.Errors (email, name, password, role).
func (s *Service) CreateUser(ctx context.Context, actor Actor, u NewUser) (User, error) {
	if err := RequirePlatformAdmin(actor); err != nil {
		return User{}, fmt.Errorf("auth: create user: %w", err)
	}
	if err := u.validate(); err != nil {
		return User{}, err
	}
	// Hash before the transaction: argon2id takes tens of milliseconds and
	// SQLite has one writer.
	hash, err := hashPassword(u.Password)
	if err != nil {
		return User{}, err
	}
	now := s.clock()
	var id int64
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		var taken int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE email = ?`, u.Email).Scan(&taken); err != nil {
			return err
		}
		if taken > 0 {
			return fmt.Errorf("%w: un compte existe déjà pour %s", store.ErrConflict, validate.Quote(u.Email))
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO users (email, name, password_hash, platform_admin, created_at)
			VALUES (?, ?, ?, ?, ?) RETURNING id`, u.Email, u.Name, hash, u.PlatformAdmin, now).Scan(&id); err != nil {
			return store.MapError(err)
		}
		for _, g := range u.Grants {
			if err := orgExists(ctx, tx, g.OrgID); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO memberships (user_id, org_id, role) VALUES (?, ?, ?)`,
				id, g.OrgID, string(g.Role)); err != nil {
				return err
			}
		}
		uid := strconv.FormatInt(id, 10)
		if err := audit.Record(ctx, tx, actor.Audit(0, "user.create", "user", uid, map[string]any{
			"email": u.Email, "name": u.Name, "platform_admin": u.PlatformAdmin,
		})); err != nil {
			return err
		}
		for _, g := range u.Grants {
			if err := audit.Record(ctx, tx, actor.Audit(g.OrgID, "membership.add", "membership", membershipID(id, g.OrgID),
				map[string]any{"user_id": id, "email": u.Email, "role": g.Role})); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return User{}, fmt.Errorf("auth: create user %s: %w", u.Email, err)
	}
	return s.User(ctx, id)
}

func membershipID(userID, orgID int64) string {
	return strconv.FormatInt(userID, 10) + "@" + strconv.FormatInt(orgID, 10)
}

func orgExists(ctx context.Context, q store.Querier, orgID int64) error {
	var one int
	err := q.QueryRowContext(ctx, `SELECT 1 FROM organisations WHERE id = ?`, orgID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("organisation %d: %w", orgID, store.ErrNotFound)
	}
	return err
}

// AddMembership gives user userID role in organisation orgID, or changes the
// role they hold there. The actor must be an admin of that organisation or a
// platform admin.
func (s *Service) AddMembership(ctx context.Context, actor Actor, userID, orgID int64, role Role) error {
	if err := Authorize(actor, Manage, orgID); err != nil {
		return fmt.Errorf("auth: add membership of user %d to organisation %d: %w", userID, orgID, err)
	}
	role, err := ParseRole(string(role))
	if err != nil {
		return err
	}
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		var email string
		err := tx.QueryRowContext(ctx, `SELECT email FROM users WHERE id = ?`, userID).Scan(&email)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("user %d: %w", userID, store.ErrNotFound)
		} else if err != nil {
			return err
		}
		if err := orgExists(ctx, tx, orgID); err != nil {
			return err
		}
		var previous string
		err = tx.QueryRowContext(ctx, `SELECT role FROM memberships WHERE user_id = ? AND org_id = ?`, userID, orgID).Scan(&previous)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if previous == string(role) {
			return nil // nothing changes, nothing to record
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO memberships (user_id, org_id, role) VALUES (?, ?, ?)
			ON CONFLICT (user_id, org_id) DO UPDATE SET role = excluded.role`, userID, orgID, string(role)); err != nil {
			return err
		}
		action, detail := "membership.add", map[string]any{"user_id": userID, "email": email, "role": role}
		if previous != "" {
			action, detail["previous_role"] = "membership.change", previous
		}
		return audit.Record(ctx, tx, actor.Audit(orgID, action, "membership", membershipID(userID, orgID), detail))
	})
	if err != nil {
		return fmt.Errorf("auth: add membership of user %d to organisation %d: %w", userID, orgID, err)
	}
	return nil
}

// RemoveMembership takes user userID out of organisation orgID (admin of
// that organisation or platform admin); store.ErrNotFound when they were not
// a member.
func (s *Service) RemoveMembership(ctx context.Context, actor Actor, userID, orgID int64) error {
	if err := Authorize(actor, Manage, orgID); err != nil {
		return fmt.Errorf("auth: remove user %d from organisation %d: %w", userID, orgID, err)
	}
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		var role string
		err := tx.QueryRowContext(ctx, `SELECT role FROM memberships WHERE user_id = ? AND org_id = ?`, userID, orgID).Scan(&role)
		if errors.Is(err, sql.ErrNoRows) {
			return store.ErrNotFound
		} else if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM memberships WHERE user_id = ? AND org_id = ?`, userID, orgID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Audit(orgID, "membership.remove", "membership", membershipID(userID, orgID),
			map[string]any{"user_id": userID, "previous_role": role}))
	})
	if err != nil {
		return fmt.Errorf("auth: remove user %d from organisation %d: %w", userID, orgID, err)
	}
	return nil
}

const userColumns = `id, email, name, platform_admin, disabled`

func scanUser(row interface{ Scan(...any) error }) (User, error) {
	var u User
	err := row.Scan(&u.ID, &u.Email, &u.Name, &u.PlatformAdmin, &u.Disabled)
	return u, err
}

// User returns the user with id, with their memberships.
func (s *Service) User(ctx context.Context, id int64) (User, error) {
	u, err := scanUser(s.db.Reader().QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	if err != nil {
		return User{}, fmt.Errorf("auth: user %d: %w", id, store.MapError(err))
	}
	if u.Memberships, err = s.memberships(ctx, u.ID); err != nil {
		return User{}, err
	}
	return u, nil
}

// UserByEmail returns a user with memberships; the address is compared
// without regard to case.
func (s *Service) UserByEmail(ctx context.Context, email string) (User, error) {
	email = NormalizeEmail(email)
	u, err := scanUser(s.db.Reader().QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE email = ?`, email))
	if err != nil {
		return User{}, fmt.Errorf("auth: user %s: %w", email, store.MapError(err))
	}
	if u.Memberships, err = s.memberships(ctx, u.ID); err != nil {
		return User{}, err
	}
	return u, nil
}

func (s *Service) memberships(ctx context.Context, userID int64) ([]Membership, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT m.org_id, o.name, o.kind, m.role
		FROM memberships m JOIN organisations o ON o.id = m.org_id
		WHERE m.user_id = ? ORDER BY o.name, m.org_id`, userID)
	if err != nil {
		return nil, fmt.Errorf("auth: memberships of user %d: %w", userID, err)
	}
	defer rows.Close()
	ms := []Membership{}
	for rows.Next() {
		var m Membership
		if err := rows.Scan(&m.OrgID, &m.OrgName, &m.OrgKind, &m.Role); err != nil {
			return nil, fmt.Errorf("auth: memberships of user %d: %w", userID, err)
		}
		ms = append(ms, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("auth: memberships of user %d: %w", userID, err)
	}
	return ms, nil
}

// Members lists the members of organisation orgID with their roles, by
// name; the actor needs ReadPrivate on that organisation.
func (s *Service) Members(ctx context.Context, actor Actor, orgID int64) ([]Member, error) {
	if err := Authorize(actor, ReadPrivate, orgID); err != nil {
		return nil, fmt.Errorf("auth: members of organisation %d: %w", orgID, err)
	}
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT u.id, u.email, u.name, m.role
		FROM memberships m JOIN users u ON u.id = m.user_id
		WHERE m.org_id = ? AND u.disabled = ? ORDER BY u.name, u.id`, orgID, false)
	if err != nil {
		return nil, fmt.Errorf("auth: members of organisation %d: %w", orgID, err)
	}
	defer rows.Close()
	members := []Member{}
	for rows.Next() {
		var m Member
		if err := rows.Scan(&m.UserID, &m.Email, &m.Name, &m.Role); err != nil {
			return nil, fmt.Errorf("auth: members of organisation %d: %w", orgID, err)
		}
		members = append(members, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("auth: members of organisation %d: %w", orgID, err)
	}
	return members, nil
}
