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
	for key, v := range map[string]any{"tags": all.Tags, "paths": all.Paths, "components": all.Components} {
		b, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		doc[key] = b
	}
	return json.MarshalIndent(doc, "", "  ")
}
