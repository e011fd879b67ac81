package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"testing"

	"voisines/internal/csvin"
	"voisines/internal/server/servertest"
	"voisines/internal/store"
	"voisines/internal/store/storetest"
)

// TestEveryImportRefusesAFileTheSameWay posts the same refused files to
// every import route: each answers 422 with the one ImportError shape —
// code invalid_import, a message, one field per problem and the problems
// in lines, by line and column.
func TestEveryImportRefusesAFileTheSameWay(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := servertest.NewServiceWorld(t, db)
		agglo := w.F.Client(t, servertest.AdminAgglo)
		routes := []struct{ name, path string }{
			{"conventions", "/api/v1/agreements/import"},
			{"shared-service usage", fmt.Sprintf("/api/v1/services/%d/usage/import", w.Service.ID)},
			{"time worked", "/api/v1/time-records/import"},
			// The file is read before the group: any id shows the shape.
			{"purchasing needs", "/api/v1/purchasing-groups/1/needs/import"},
		}
		files := []struct {
			name, body string
			want       csvin.Error
			field      string
		}{
			{"a file in neither UTF-8 nor Windows-1252", "\xff\xfed\x00a\x00t\x00e\x00\n\x00", csvin.Error{Line: 0, Message: csvin.EncodingMessage}, "fichier"},
			{"a header with an unknown column", "couleur_inconnue\n", csvin.Error{Line: 1, Column: "couleur_inconnue"}, "ligne 1, colonne couleur_inconnue"},
		}
		type body struct {
			Error map[string]json.RawMessage `json:"error"`
		}
		for _, f := range files {
			for _, rt := range routes {
				t.Run(f.name+" sent to the "+rt.name+" import", func(t *testing.T) {
					resp := agglo.Do("POST", rt.path, f.body, csvHeaders(agglo))
					if resp.StatusCode != http.StatusUnprocessableEntity {
						t.Fatalf("got %d %s, want 422", resp.StatusCode, resp.Body)
					}
					var b body
					if err := json.Unmarshal([]byte(resp.Body), &b); err != nil {
						t.Fatalf("decode %s: %v", resp.Body, err)
					}
					var keys []string
					for k := range b.Error {
						keys = append(keys, k)
					}
					slices.Sort(keys)
					if want := []string{"code", "fields", "lines", "message"}; !slices.Equal(keys, want) {
						t.Errorf("got error keys %v, want %v: %s", keys, want, resp.Body)
					}
					var code string
					var lines csvin.Errors
					var fields []struct{ Name, Message string }
					json.Unmarshal(b.Error["code"], &code)
					json.Unmarshal(b.Error["lines"], &lines)
					json.Unmarshal(b.Error["fields"], &fields)
					if code != "invalid_import" {
						t.Errorf("got code %q, want invalid_import", code)
					}
					if len(lines) == 0 || lines[0].Line != f.want.Line || lines[0].Column != f.want.Column ||
						f.want.Message != "" && lines[0].Message != f.want.Message {
						t.Errorf("got lines %+v, want first %+v", lines, f.want)
					}
					if len(fields) != len(lines) || len(fields) == 0 || fields[0].Name != f.field || fields[0].Message != lines[0].Message {
						t.Errorf("got fields %+v, want one per line, first named %q", fields, f.field)
					}
				})
			}
		}
	})
}
