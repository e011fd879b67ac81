package problem_test

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"voisines/internal/auth"
	"voisines/internal/server/problem"
	"voisines/internal/store"
	"voisines/internal/validate"
)

func TestFromMapsDomainErrorsToSafeFrenchProblems(t *testing.T) {
	secret := errors.New(`pq: relation "organisations" violates constraint secret_detail`)
	for _, tc := range []struct {
		name   string
		err    error
		status int
		code   string
		field  string
	}{
		{"not found", fmt.Errorf("territory: commune 99999: %w", store.ErrNotFound), 404, "not_found", ""},
		{"conflict", fmt.Errorf("org: %w: %w", store.ErrConflict, secret), 409, "conflict", ""},
		{"unauthenticated", auth.ErrUnauthenticated, 401, "unauthenticated", ""},
		{"forbidden", fmt.Errorf("org: update profile of 3: %w", auth.ErrForbidden), 403, "forbidden", ""},
		{"throttled", auth.ErrThrottled, 429, "throttled", ""},
		{"bad credentials", auth.ErrBadCredentials, 401, "bad_credentials", ""},
		{"an invalid API token", fmt.Errorf("auth: resume token: %w", auth.ErrInvalidToken), 401, "invalid_token", ""},
		{"a read-only API token used to write", auth.ErrReadOnlyToken, 403, "read_only_token", ""},
		{"an API token where a session is needed", fmt.Errorf("auth: create token: %w", auth.ErrSessionRequired), 403, "session_required", ""},
		{"one field error", fmt.Errorf("org: %w", validate.FieldError{Field: "email", Message: "adresse invalide"}), 422, "invalid", "email"},
		{"a list of field errors", validate.Errors{{Field: "phone", Message: "numéro invalide"}}, 422, "invalid", "phone"},
		{"an input error of a face", problem.Invalid("Requête invalide.", problem.Field{Name: "q", Message: "obligatoire"}), 400, "invalid_request", "q"},
		{"a body too large", &http.MaxBytesError{Limit: 10}, 413, "too_large", ""},
		{"a missing CSRF token", problem.ErrCSRF, 403, "csrf", ""},
		{"a database error", fmt.Errorf("store: %w", secret), 500, "internal", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := problem.From(tc.err)
			if p.Status != tc.status || p.Code != tc.code {
				t.Fatalf("got %d %s want %d %s", p.Status, p.Code, tc.status, tc.code)
			}
			if p.Message == "" || strings.Contains(p.Message, "secret_detail") || strings.Contains(p.Message, "pq:") {
				t.Fatalf("message %q: want a safe French message", p.Message)
			}
			if tc.field != "" && (len(p.Fields) == 0 || p.Fields[0].Name != tc.field || p.Fields[0].Message == "") {
				t.Fatalf("fields %+v: want %q with its message", p.Fields, tc.field)
			}
			if p.Internal() != (tc.status >= 500) {
				t.Fatalf("Internal: got %v", p.Internal())
			}
		})
	}
}
