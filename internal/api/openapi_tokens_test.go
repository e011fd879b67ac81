package api

import (
	"encoding/json"
	"slices"
	"testing"
)

// TestOpenAPIOffersTheBearerTokenWhereverTheCookieIs checks what the merge
// adds: every operation that accepts the session cookie also lists the
// bearerToken scheme, except logging in and out; public operations stay
// public.
func TestOpenAPIOffersTheBearerTokenWhereverTheCookieIs(t *testing.T) {
	var doc struct {
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			SecuritySchemes map[string]json.RawMessage `json:"securitySchemes"`
		} `json:"components"`
	}
	if err := json.Unmarshal(openAPIDocument, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Components.SecuritySchemes["bearerToken"] == nil {
		t.Fatal("no bearerToken security scheme")
	}
	for _, tc := range []struct {
		path, method string
		want         []string // schemes, in order
	}{
		{"/api/v1/me", "get", []string{"sessionCookie", "bearerToken"}},
		{"/api/v1/organisations/{id}/profile", "patch", []string{"sessionCookie", "bearerToken"}},
		{"/api/v1/tokens", "post", []string{"sessionCookie"}},
		{"/api/v1/tokens/{id}", "delete", []string{"sessionCookie", "bearerToken"}},
		{"/api/v1/session", "delete", []string{"sessionCookie"}},
		{"/api/v1/communes/{code}", "get", nil},
	} {
		var op struct {
			Security []map[string][]string `json:"security"`
		}
		if err := json.Unmarshal(doc.Paths[tc.path][tc.method], &op); err != nil {
			t.Fatalf("%s %s: %v", tc.method, tc.path, err)
		}
		var got []string
		for _, req := range op.Security {
			for _, name := range []string{"sessionCookie", "bearerToken"} {
				if _, ok := req[name]; ok {
					got = append(got, name)
				}
			}
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s %s: got %v want %v", tc.method, tc.path, got, tc.want)
		}
	}
}
