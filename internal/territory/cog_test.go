package territory

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"strings"
	"testing"
	"testing/fstest"

	"voisines/internal/audit"
	"voisines/internal/store"
	"voisines/internal/store/storetest"
)

// fixture returns the small hand-made package of testdata/cog (3 régions, 3
// départements, 6 current communes and a delegated one, 3 EPCI), with the
// changes given as file name → function of its content.
func fixture(t testing.TB, changes map[string]func(string) string) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	err := fs.WalkDir(os.DirFS("testdata/cog"), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path.Join("testdata/cog", p))
		if err != nil {
			return err
		}
		content := string(b)
		if change, ok := changes[path.Base(p)]; ok {
			content = change(content)
		}
		m[p] = &fstest.MapFile{Data: []byte(content)}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// replace returns a change that replaces old by new exactly once.
func replace(t testing.TB, old, new string) func(string) string {
	return func(s string) string {
		if strings.Count(s, old) != 1 {
			t.Fatalf("fixture: %q found %d times, want once", old, strings.Count(s, old))
		}
		return strings.Replace(s, old, new, 1)
	}
}

// snapshot renders the territory tables, to show that a refused import left
// the database as it was.
func snapshot(t testing.TB, db *store.DB) string {
	t.Helper()
	var b strings.Builder
	for _, q := range []string{
		`SELECT code, name, region_code FROM departements ORDER BY code`,
		`SELECT siren, name, financing, COALESCE(population_totale, -1), retired FROM epcis ORDER BY siren`,
		`SELECT code, name, search_name, COALESCE(siren, '-'), COALESCE(epci_siren, '-'), postal_codes, alsace_moselle, retired, COALESCE(lat, 0) FROM communes ORDER BY code`,
		`SELECT commune_code, measure, source, vintage, value FROM commune_populations ORDER BY commune_code, measure, source`,
		`SELECT code_a, code_b, border_m FROM commune_adjacency ORDER BY code_a, code_b`,
		`SELECT kind, name, COALESCE(siren, '-'), COALESCE(commune_code, '-'), COALESCE(epci_siren, '-') FROM organisations ORDER BY name, kind`,
		`SELECT (SELECT COUNT(*) FROM import_runs), (SELECT COUNT(*) FROM audit_log)`,
	} {
		rows, err := db.Reader().QueryContext(context.Background(), q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintln(&b, vals...)
		}
		rows.Close()
		b.WriteString("--\n")
	}
	return b.String()
}

func TestImportFixture(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := New(db)
		rep, err := s.ImportCOG(ctx, fixture(t, nil), nil)
		if err != nil {
			t.Fatalf("import fixture: %v", err)
		}

		t.Run("the report counts current communes only", func(t *testing.T) {
			want := ImportReport{Vintage: "decoupage-administratif 6.0.0-test", Regions: 3, Departements: 3,
				Communes: 6, EPCI: 3, Members: 6, Populations: 6 + 12, Organisations: 9}
			if rep != want {
				t.Errorf("got %+v, want %+v", rep, want)
			}
			if _, err := s.Commune(ctx, "12014"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("delegated commune 12014: got %v, want not found", err)
			}
		})

		t.Run("the import is recorded once in the audit log, and the chain holds", func(t *testing.T) {
			var actor, action, entityID string
			if err := db.Reader().QueryRowContext(ctx, `SELECT actor, action, entity_id FROM audit_log ORDER BY id DESC LIMIT 1`).
				Scan(&actor, &action, &entityID); err != nil {
				t.Fatal(err)
			}
			if actor != "system:cli" || action != "territory.import_cog" || entityID != "decoupage-administratif 6.0.0-test" {
				t.Errorf("got %s %s %s, want system:cli territory.import_cog decoupage-administratif 6.0.0-test", actor, action, entityID)
			}
			if n := countRows(t, db, `SELECT COUNT(*) FROM audit_log`); n != 1 {
				t.Errorf("got %d audit records, want 1", n)
			}
			if rep, err := audit.Verify(ctx, db); err != nil || !rep.OK {
				t.Errorf("audit.Verify: got %+v (err %v), want OK", rep, err)
			}
		})

		t.Run("the data folder alone imports with an unknown vintage", func(t *testing.T) {
			sub, err := fs.Sub(fixture(t, nil), "data")
			if err != nil {
				t.Fatal(err)
			}
			d, err := readCOG(sub, nil)
			if err != nil {
				t.Fatal(err)
			}
			if d.vintage != "decoupage-administratif (version unknown)" || len(d.communes) != 6 {
				t.Errorf("got vintage %q and %d communes, want the unknown version and 6", d.vintage, len(d.communes))
			}
		})

		before := snapshot(t, db)
		refused := []struct {
			name    string
			changes map[string]func(string) string
			want    []string // parts of the error message
		}{
			{
				name:    "a truncated communes.json",
				changes: map[string]func(string) string{"communes.json": func(s string) string { return s[:len(s)*2/3] }},
				want:    []string{"communes.json: record 4", "truncated"},
			},
			{
				name:    "a SIREN of 8 digits",
				changes: map[string]func(string) string{"communes.json": replace(t, `"siren": "211202023"`, `"siren": "21120202"`)},
				want:    []string{`communes.json: record 2 (code "12202"): field "siren": got "21120202", want 9 digits`},
			},
			{
				name:    "a SIREN written as a number",
				changes: map[string]func(string) string{"communes.json": replace(t, `"siren": "211202023"`, `"siren": 211202023`)},
				want:    []string{`communes.json: record 2 (code "12202"): field "siren": got a JSON number, want a string`},
			},
			{
				name:    "a negative population",
				changes: map[string]func(string) string{"communes.json": replace(t, `"population": 23981`, `"population": -3`)},
				want:    []string{`communes.json: record 2 (code "12202"): field "population": got -3`},
			},
			{
				name:    "a population with a fraction",
				changes: map[string]func(string) string{"communes.json": replace(t, `"population": 23981`, `"population": 239.5`)},
				want:    []string{`communes.json: record 2 (code "12202"): field "population"`},
			},
			{
				name:    "an unknown département",
				changes: map[string]func(string) string{"communes.json": replace(t, `"departement": "24"`, `"departement": "99"`)},
				want:    []string{`communes.json: record 4 (code "24322"): field "departement": unknown département "99"`},
			},
			{
				name:    "a commune without a name",
				changes: map[string]func(string) string{"communes.json": replace(t, `"nom": "Rodez"`, `"nom": ""`)},
				want:    []string{`communes.json: record 2 (code "12202"): field "nom": missing`},
			},
			{
				name:    "a malformed INSEE code",
				changes: map[string]func(string) string{"communes.json": replace(t, `"code": "12202"`, `"code": "1220"`)},
				want:    []string{`communes.json: record 2 (code "1220"): field "code"`},
			},
			{
				name:    "a malformed postal code",
				changes: map[string]func(string) string{"communes.json": replace(t, `"codesPostaux": ["12000"]`, `"codesPostaux": ["12O00"]`)},
				want:    []string{`communes.json: record 2 (code "12202"): field "codesPostaux[0]"`},
			},
			{
				name: "a duplicated commune",
				changes: map[string]func(string) string{"communes.json": replace(t, `"code": "12174", "nom": "Olemps"`,
					`"code": "12202", "nom": "Olemps"`)},
				want: []string{`communes.json: record 2 (code "12202"): field "code": duplicate current commune`},
			},
			{
				name:    "communes.json that is not an array",
				changes: map[string]func(string) string{"communes.json": func(string) string { return `{"code": "12202"}` }},
				want:    []string{"communes.json: not a JSON array"},
			},
			{
				name:    "data after the array",
				changes: map[string]func(string) string{"communes.json": func(s string) string { return s + "[]" }},
				want:    []string{"communes.json: unexpected data after the array"},
			},
			{
				name:    "an unknown EPCI member",
				changes: map[string]func(string) string{"epci.json": replace(t, `{"code": "12176", "siren"`, `{"code": "12999", "siren"`)},
				want:    []string{`epci.json: record 2 (code "241200187"): field "membres[1].code": unknown commune "12999"`},
			},
			{
				name:    "a commune member of two EPCI",
				changes: map[string]func(string) string{"epci.json": replace(t, `{"code": "24322", "siren"`, `{"code": "57463", "siren"`)},
				want:    []string{`epci.json: record 1 (code "200040392"): field "membres[0].code": commune 57463 is already a member of EPCI 200039865`},
			},
			{
				name:    "an EPCI member without population",
				changes: map[string]func(string) string{"epci.json": replace(t, `"populationTotale": 31360, `, ``)},
				want:    []string{`epci.json: record 1 (code "200040392"): field "membres[0].populationTotale": missing`},
			},
			{
				name:    "an EPCI SIREN of letters",
				changes: map[string]func(string) string{"epci.json": replace(t, `"code": "241200187"`, `"code": "24120018A"`)},
				want:    []string{`epci.json: record 2 (code "24120018A"): field "code"`},
			},
			{
				name:    "a truncated epci.json",
				changes: map[string]func(string) string{"epci.json": func(s string) string { return s[:len(s)-40] }},
				want:    []string{"epci.json: record 2", "truncated"},
			},
			{
				name:    "a département of an unknown région",
				changes: map[string]func(string) string{"departements.json": replace(t, `"region": "76"`, `"region": "00"`)},
				want:    []string{`departements.json: record 0 (code "12"): field "region": unknown région "00"`},
			},
			{
				name:    "a missing file",
				changes: map[string]func(string) string{},
				want:    []string{"regions.json", "not exist"},
			},
		}
		for _, tt := range refused {
			t.Run("refused: "+tt.name, func(t *testing.T) {
				fsys := fixture(t, tt.changes)
				if tt.name == "a missing file" {
					delete(fsys, "data/regions.json")
				}
				_, err := s.ImportCOG(ctx, fsys, nil)
				if err == nil {
					t.Fatal("got no error, want the import refused")
				}
				for _, w := range tt.want {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("got error %q, want it to contain %q", err, w)
					}
				}
				if after := snapshot(t, db); after != before {
					t.Errorf("the database changed after a refused import:\ngot\n%s\nwant\n%s", after, before)
				}
			})
		}

		t.Run("a failure while writing rolls everything back", func(t *testing.T) {
			// Another organisation already holds Rodez's SIREN: the organisations
			// step fails after communes and populations were written.
			if _, err := db.Reader().ExecContext(ctx, `UPDATE organisations SET siren = NULL WHERE commune_code = '12202'`); err != nil {
				t.Fatal(err)
			}
			if _, err := db.Reader().ExecContext(ctx, `INSERT INTO organisations (kind, name, siren, created_at, updated_at)
				VALUES ('association', 'Squatter', '211202023', ?, ?)`, "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z"); err != nil {
				t.Fatal(err)
			}
			defer func() {
				db.Reader().ExecContext(ctx, `DELETE FROM organisations WHERE name = 'Squatter'`)
				db.Reader().ExecContext(ctx, `UPDATE organisations SET siren = '211202023' WHERE commune_code = '12202'`)
			}()
			mid := snapshot(t, db)
			changed := fixture(t, map[string]func(string) string{"communes.json": replace(t, `"population": 23981`, `"population": 1`)})
			if _, err := s.ImportCOG(ctx, changed, nil); !errors.Is(err, store.ErrConflict) {
				t.Fatalf("got %v, want store.ErrConflict", err)
			}
			if after := snapshot(t, db); after != mid {
				t.Errorf("the database changed after a failed import:\ngot\n%s\nwant\n%s", after, mid)
			}
		})

		t.Run("a commune absent from a later vintage is retired, then restored", func(t *testing.T) {
			// Olemps leaves communes.json and its EPCI.
			without := fixture(t, map[string]func(string) string{
				"communes.json": func(s string) string {
					lines := strings.Split(s, "\n")
					return strings.Join(append(lines[:1:1], lines[2:]...), "\n")
				},
				"epci.json": func(s string) string {
					s = replace(t, `, {"code": "12174", "siren": "211201744", "nom": "Olemps", "populationTotale": 3621, "populationMunicipale": 3531}`, ``)(s)
					// and CA Le Grand Périgueux is dissolved.
					lines := strings.Split(s, "\n")
					return strings.Join(append(lines[:2:2], lines[3:]...), "\n")
				},
			})
			rep, err := s.ImportCOG(ctx, without, nil)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Retired != 2 || rep.Communes != 5 || rep.EPCI != 2 {
				t.Errorf("got %d communes, %d EPCI and %d retired, want 5, 2 and 2", rep.Communes, rep.EPCI, rep.Retired)
			}
			if e, err := s.EPCI(ctx, "200040392"); err != nil || !e.Retired || len(e.Members) != 0 {
				t.Errorf("CA Le Grand Périgueux: got retired %v with %d members (err %v), want retired without member", e.Retired, len(e.Members), err)
			}
			if c, _ := s.Commune(ctx, "24322"); c.EPCISIREN != "" || c.Retired {
				t.Errorf("Périgueux: got EPCI %q, retired %v; want no EPCI, current", c.EPCISIREN, c.Retired)
			}
			c, err := s.Commune(ctx, "12174")
			if err != nil || !c.Retired || c.EPCISIREN != "" || len(c.Populations) != 0 {
				t.Errorf("Olemps: got retired %v, EPCI %q, populations %v (err %v); want retired, no EPCI, no figure",
					c.Retired, c.EPCISIREN, c.Populations, err)
			}
			if got, _ := s.Search(ctx, "olemps", 5); len(got) != 0 {
				t.Errorf("search: got %v, want no retired commune", got)
			}
			if e, _ := s.EPCI(ctx, "241200187"); len(e.Members) != 2 {
				t.Errorf("EPCI members: got %v, want 2", e.Members)
			}
			if _, err := s.ImportCOG(ctx, fixture(t, nil), nil); err != nil {
				t.Fatal(err)
			}
			if c, _ := s.Commune(ctx, "12174"); c.Retired || c.EPCISIREN != "241200187" || len(c.Populations) != 3 {
				t.Errorf("Olemps restored: got retired %v, EPCI %q, %d figures; want current, 241200187, 3", c.Retired, c.EPCISIREN, len(c.Populations))
			}
			if e, _ := s.EPCI(ctx, "200040392"); e.Retired || len(e.Members) != 1 {
				t.Errorf("CA Le Grand Périgueux restored: got retired %v with %d members, want current with 1", e.Retired, len(e.Members))
			}
		})
	})
}

func TestFileErrorNamesFileRecordAndField(t *testing.T) {
	tests := []struct {
		name string
		err  FileError
		want string
	}{
		{"a JSON record with its code", FileError{File: "communes.json", Record: 1234, Code: "01001", Field: "siren", Err: errors.New("bad")},
			`communes.json: record 1234 (code "01001"): field "siren": bad`},
		{"a JSON record without code", FileError{File: "epci.json", Record: 0, Err: errors.New("bad")}, `epci.json: record 0: bad`},
		{"a whole file", FileError{File: "epci.json", Record: -1, Err: errors.New("bad")}, `epci.json: bad`},
		{"a CSV line and column", FileError{File: "c.csv", Line: 12, Field: "lat", Err: errors.New("bad")}, `c.csv: line 12, column "lat": bad`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
