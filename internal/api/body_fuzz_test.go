package api

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"voisines/internal/org"
	"voisines/internal/server/problem"
)

// FuzzParseProfilePatch feeds arbitrary bodies to the profile patch parser:
// it must never panic, must refuse with a 400-class problem (never a 500),
// and what it accepts must carry a positive version.
func FuzzParseProfilePatch(f *testing.F) {
	for _, seed := range []string{
		`{"version":3,"phone":"05 65 00 00 00"}`,
		`{"version":1,"address":"Place de la mairie\n12000 Rodez","email":"mairie@rodez.fr","website":"https://rodez.fr","representative":"M. le maire"}`,
		`{"version":0}`, `{"version":-1}`, `{"version":1.5}`, `{"version":"1"}`, `{"version":1e400}`,
		`{"version":1}{"version":2}`, `{"version":1} x`, `[]`, `null`, `"x"`, ``, `{`, `{"fax":1,"version":1}`,
		`{"version":1,"phone":null}`, `{"version":9223372036854775807}`, "{\"version\":1,\"address\":\"\xff\"}",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		p, err := parseProfilePatch(strings.NewReader(body))
		if err != nil {
			pb := problem.From(err)
			if pb.Status != http.StatusBadRequest || pb.Message == "" {
				t.Fatalf("body %q: got %d %q want a 400 with a message", body, pb.Status, pb.Message)
			}
			var inv *problem.InvalidError
			if !errors.As(err, &inv) {
				t.Fatalf("body %q: error %v is not an InvalidError", body, err)
			}
			return
		}
		if p.Version == nil || *p.Version <= 0 {
			t.Fatalf("body %q: accepted without a positive version", body)
		}
		_ = p.apply(org.Profile{Address: "a", Email: "b"})
	})
}

// FuzzParseLogin does the same for the login body.
func FuzzParseLogin(f *testing.F) {
	for _, seed := range []string{
		`{"email":"a@b.fr","password":"secret secret"}`, `{"email":"","password":""}`, `{"email":1}`,
		`{}`, `{"email":"a@b.fr","password":"x","extra":true}`, `{"email":"a@b.fr"`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		l, err := parseLogin(strings.NewReader(body))
		if err != nil {
			if pb := problem.From(err); pb.Status != http.StatusBadRequest {
				t.Fatalf("body %q: got status %d want 400", body, pb.Status)
			}
			return
		}
		if l.Email == "" || l.Password == "" {
			t.Fatalf("body %q: accepted with an empty e-mail or password", body)
		}
	})
}
