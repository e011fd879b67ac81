package store

import (
	"database/sql"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// MapError translates driver errors into the store sentinels, keeping the
// original error in the chain for logs. nil stays nil.
func MapError(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, ErrNotFound) || errors.Is(err, ErrConflict) {
		return err
	}
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "23505", // unique_violation
			"23503", // foreign_key_violation
			"23P01", // exclusion_violation
			"40001", // serialization_failure
			"40P01": // deadlock_detected
			return fmt.Errorf("%w: %w", ErrConflict, err)
		}
		return err
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		switch sqErr.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE,
			sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY,
			sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY,
			sqlite3.SQLITE_CONSTRAINT_TRIGGER,
			sqlite3.SQLITE_BUSY:
			return fmt.Errorf("%w: %w", ErrConflict, err)
		}
	}
	return err
}

// IsConstraint reports whether err is a CHECK or NOT NULL violation, which
// domain code should have caught earlier; it is a bug, not a user error.
func IsConstraint(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23514" || pgErr.Code == "23502"
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		return sqErr.Code()&0xff == sqlite3.SQLITE_CONSTRAINT
	}
	return false
}
