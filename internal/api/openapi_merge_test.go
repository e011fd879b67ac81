package api

import (
	"encoding/json"
	"strings"
	"testing"
	"testing/fstest"
)

// TestOpenAPIFragmentsMergeAndRefuseDuplicates merges fragments into a base
// document: their paths, tags and schemas join the base's, and a path or a
// schema described twice is refused with the fragment's name.
func TestOpenAPIFragmentsMergeAndRefuseDuplicates(t *testing.T) {
	base := []byte(`{"openapi": "3.1.0", "tags": [{"name": "a"}], "paths": {"/x": {"get": {}}},
		"components": {"schemas": {"X": {"type": "string"}}}}`)
	good := fstest.MapFS{
		"openapi/b.json": {Data: []byte(`{"tags": [{"name": "b"}], "paths": {"/y": {"get": {}}}, "components": {"schemas": {"Y": {"type": "integer"}}}}`)},
	}
	doc, err := mergeOpenAPI(base, good)
	if err != nil {
		t.Fatalf("merge: %v", err)
	}
	var got struct {
		OpenAPI    string                                `json:"openapi"`
		Tags       []map[string]string                   `json:"tags"`
		Paths      map[string]json.RawMessage            `json:"paths"`
		Components map[string]map[string]json.RawMessage `json:"components"`
	}
	if err := json.Unmarshal(doc, &got); err != nil {
		t.Fatal(err)
	}
	if got.OpenAPI != "3.1.0" || len(got.Tags) != 2 || len(got.Paths) != 2 || len(got.Components["schemas"]) != 2 {
		t.Fatalf("merged document: got %s", doc)
	}
	for name, frag := range map[string]string{
		"path":   `{"paths": {"/x": {"post": {}}}}`,
		"schema": `{"paths": {}, "components": {"schemas": {"X": {"type": "object"}}}}`,
	} {
		_, err := mergeOpenAPI(base, fstest.MapFS{"openapi/dup.json": {Data: []byte(frag)}})
		if err == nil || !strings.Contains(err.Error(), "openapi/dup.json") || !strings.Contains(err.Error(), "already described") {
			t.Errorf("a %s described twice: got %v, want an error naming openapi/dup.json", name, err)
		}
	}
	if _, err := mergeOpenAPI(base, fstest.MapFS{"openapi/bad.json": {Data: []byte(`{`)}}); err == nil {
		t.Error("a fragment that is not JSON was accepted")
	}
}
