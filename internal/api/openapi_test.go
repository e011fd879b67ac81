package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
)

type openAPIDoc struct {
	OpenAPI string                                `json:"openapi"`
	Paths   map[string]map[string]json.RawMessage `json:"paths"`
}

func loadDoc(t *testing.T) openAPIDoc {
	t.Helper()
	var doc openAPIDoc
	if err := json.Unmarshal(openAPIDocument, &doc); err != nil {
		t.Fatalf("openapi.json is not JSON: %v", err)
	}
	return doc
}

// TestOpenAPIListsEveryRouteAndNothingElse walks the routes Register installs
// and the document's operations: each must have the other.
func TestOpenAPIListsEveryRouteAndNothingElse(t *testing.T) {
	doc := loadDoc(t)
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi: got %q want 3.1.0", doc.OpenAPI)
	}
	registered := map[string]bool{}
	for _, rt := range routes {
		key := rt.method + " " + rt.pattern
		registered[key] = true
		if _, ok := doc.Paths[rt.pattern][strings.ToLower(rt.method)]; !ok {
			t.Errorf("route %s is missing from openapi.json", key)
		}
	}
	var documented []string
	for path, ops := range doc.Paths {
		for method := range ops {
			switch method {
			case "get", "put", "post", "delete", "patch", "head", "options", "trace":
			default:
				continue // parameters, summary…
			}
			key := strings.ToUpper(method) + " " + path
			documented = append(documented, key)
			if !registered[key] {
				t.Errorf("openapi.json documents %s, which is not a route", key)
			}
		}
	}
	sort.Strings(documented)
	if len(documented) != len(routes) {
		t.Errorf("documented operations: got %d want %d (%v)", len(documented), len(routes), documented)
	}
}

// TestEveryDocumentedRouteIsServed sends a request to each documented
// operation (path parameters filled with a placeholder) through a mux built
// by Register: none may fall through to the JSON catch-all for unknown routes
// or to the mux's own 404/405.
func TestEveryDocumentedRouteIsServed(t *testing.T) {
	doc := loadDoc(t)
	mux := http.NewServeMux()
	h := New(Config{})
	h.Register(mux)
	for path, ops := range doc.Paths {
		concrete := path
		for strings.Contains(concrete, "{") {
			i, j := strings.Index(concrete, "{"), strings.Index(concrete, "}")
			concrete = concrete[:i] + "1" + concrete[j+1:]
		}
		for method := range ops {
			req := httptest.NewRequest(strings.ToUpper(method), concrete, nil)
			_, pattern := mux.Handler(req)
			if pattern == "/api/" || pattern == "" {
				t.Errorf("%s %s: no route matches (pattern %q)", strings.ToUpper(method), path, pattern)
			}
		}
	}
}

func TestOpenAPIReferencesResolve(t *testing.T) {
	var doc map[string]any
	if err := json.Unmarshal(openAPIDocument, &doc); err != nil {
		t.Fatal(err)
	}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if ref, ok := x["$ref"].(string); ok {
				if !resolves(doc, ref) {
					t.Errorf("$ref %s does not resolve", ref)
				}
			}
			for _, y := range x {
				walk(y)
			}
		case []any:
			for _, y := range x {
				walk(y)
			}
		}
	}
	walk(doc)
}

func resolves(doc map[string]any, ref string) bool {
	parts := strings.Split(strings.TrimPrefix(ref, "#/"), "/")
	var cur any = doc
	for _, p := range parts {
		m, ok := cur.(map[string]any)
		if !ok {
			return false
		}
		if cur, ok = m[p]; !ok {
			return false
		}
	}
	return true
}
