package api

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"sort"
)

// The OpenAPI 3.1 description of every route is openapi.json plus one
// fragment per route family in openapi/*.json (each with "paths" and, when
// it needs them, "tags" and "components"), merged once when the package
// loads. The package's tests fail when a route is missing from the merged
// document or it lists one that does not exist.
//
//go:embed openapi.json
var openAPIBase []byte

//go:embed openapi
var openAPIFragments embed.FS

// openAPIDocument is the merged document served at /api/v1/openapi.json.
var openAPIDocument = mustMergeOpenAPI(openAPIBase, openAPIFragments)

func (h *Handler) openAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Write(openAPIDocument)
}

// mustMergeOpenAPI merges the fragments into the base document. A fragment
// that is not JSON or that describes a path or component already described
// is a programming error, caught by every test of the package.
func mustMergeOpenAPI(base []byte, fragments fs.FS) []byte {
	doc, err := mergeOpenAPI(base, fragments)
	if err != nil {
		panic(err)
	}
	return doc
}

type openAPIPart struct {
	Tags       []json.RawMessage                     `json:"tags,omitempty"`
	Paths      map[string]json.RawMessage            `json:"paths,omitempty"`
	Components map[string]map[string]json.RawMessage `json:"components,omitempty"`
}

func mergeOpenAPI(base []byte, fragments fs.FS) ([]byte, error) {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(base, &doc); err != nil {
		return nil, fmt.Errorf("api: openapi.json: %w", err)
	}
	var all openAPIPart
	if err := json.Unmarshal(base, &all); err != nil {
		return nil, fmt.Errorf("api: openapi.json: %w", err)
	}
	names, err := fs.Glob(fragments, "openapi/*.json")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	for _, name := range names {
		raw, err := fs.ReadFile(fragments, name)
		if err != nil {
			return nil, err
		}
		var part openAPIPart
		if err := json.Unmarshal(raw, &part); err != nil {
			return nil, fmt.Errorf("api: %s: %w", name, err)
		}
		all.Tags = append(all.Tags, part.Tags...)
		for p, v := range part.Paths {
			if _, dup := all.Paths[p]; dup {
				return nil, fmt.Errorf("api: %s: path %s is already described", name, p)
			}
			all.Paths[p] = v
		}
		for section, entries := range part.Components {
			if all.Components[section] == nil {
				all.Components[section] = map[string]json.RawMessage{}
			}
			for k, v := range entries {
				if _, dup := all.Components[section][k]; dup {
					return nil, fmt.Errorf("api: %s: components.%s.%s is already described", name, section, k)
				}
				all.Components[section][k] = v
			}
		}
	}
	if err := acceptBearer(all.Paths); err != nil {
		return nil, err
	}
	for key, v := range map[string]any{"tags": all.Tags, "paths": all.Paths, "components": all.Components} {
		b, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		doc[key] = b
	}
	return json.MarshalIndent(doc, "", "  ")
}

// acceptBearer adds the bearerToken scheme (openapi/tokens.json) as an
// alternative to every operation that accepts the session cookie, which is
// what the server does: a personal API token is accepted wherever the
// cookie is. Operations marked "x-session-only" (logging out, creating a
// token) are left alone.
func acceptBearer(paths map[string]json.RawMessage) error {
	for path, raw := range paths {
		var ops map[string]json.RawMessage
		if err := json.Unmarshal(raw, &ops); err != nil {
			return fmt.Errorf("api: openapi path %s: %w", path, err)
		}
		changed := false
		for method, opRaw := range ops {
			var op map[string]json.RawMessage
			if json.Unmarshal(opRaw, &op) != nil || op["security"] == nil || op["x-session-only"] != nil {
				continue // parameters, summary…, a public or a session-only operation
			}
			var security []map[string][]string
			if err := json.Unmarshal(op["security"], &security); err != nil {
				return fmt.Errorf("api: openapi %s %s: security: %w", method, path, err)
			}
			cookie, bearer := false, false
			for _, req := range security {
				_, c := req["sessionCookie"]
				_, b := req["bearerToken"]
				cookie, bearer = cookie || c, bearer || b
			}
			if !cookie || bearer {
				continue
			}
			security = append(security, map[string][]string{"bearerToken": {}})
			var err error
			if op["security"], err = json.Marshal(security); err != nil {
				return err
			}
			if ops[method], err = json.Marshal(op); err != nil {
				return err
			}
			changed = true
		}
		if changed {
			b, err := json.Marshal(ops)
			if err != nil {
				return err
			}
			paths[path] = b
		}
	}
	return nil
}
