package territory

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"voisines/internal/store"
	"voisines/internal/store/storetest"
)

// sharedData is where the reference data of ../shared/data/README.md lies,
// seen from this package's directory; those files are never copied into the
// repository.
func sharedData(t testing.TB, name string) string {
	t.Helper()
	p := filepath.Join("..", "..", "..", "shared", "data", name)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("reference data %s is missing (the tests read ../shared/data beside the repository): %v", name, err)
	}
	return p
}

func countRows(t testing.TB, db *store.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.Reader().QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// tableCounts counts the rows of every table an import writes.
func tableCounts(t testing.TB, db *store.DB) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, table := range []string{"regions", "departements", "epcis", "communes", "commune_populations",
		"commune_adjacency", "organisations", "import_runs"} {
		out[table] = countRows(t, db, "SELECT COUNT(*) FROM "+table)
	}
	out["communes with an EPCI"] = countRows(t, db, "SELECT COUNT(*) FROM communes WHERE epci_siren IS NOT NULL")
	out["communes with a point"] = countRows(t, db, "SELECT COUNT(*) FROM communes WHERE lat IS NOT NULL")
	return out
}

// TestShippedTerritory imports the shipped territory once per engine and runs
// every test that needs the whole of France on it.
func TestShippedTerritory(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := New(db)
		rep, err := s.ImportShippedCOG(ctx, nil)
		if err != nil {
			t.Fatalf("import shipped COG: %v", err)
		}

		t.Run("the shipped import reports 34,969 communes and 1,255 EPCI", func(t *testing.T) {
			want := ImportReport{Vintage: "decoupage-administratif 6.0.0", Regions: 26, Departements: 109,
				Communes: 34969, EPCI: 1255, Members: 34871, Populations: 34963 + 2*34871, Organisations: 34969 + 1255}
			if rep != want {
				t.Errorf("got %+v\nwant %+v", rep, want)
			}
			got := tableCounts(t, db)
			for table, n := range map[string]int{"communes": 34969, "epcis": 1255, "departements": 109, "regions": 26,
				"commune_populations": 104705, "organisations": 36224, "communes with an EPCI": 34871, "import_runs": 1} {
				if got[table] != n {
					t.Errorf("%s: got %d rows, want %d", table, got[table], n)
				}
			}
		})

		t.Run("a second import changes no count, duplicates nothing and leaves profiles alone", func(t *testing.T) {
			if _, err := db.Reader().ExecContext(ctx, `UPDATE organisations SET email = 'mairie@rodez.fr', version = 7,
				name = 'Rodez (old name)' WHERE commune_code = '12202'`); err != nil {
				t.Fatal(err)
			}
			before := tableCounts(t, db)
			rep2, err := s.ImportShippedCOG(ctx, nil)
			if err != nil {
				t.Fatalf("second import: %v", err)
			}
			if rep2 != rep {
				t.Errorf("report: got %+v, want %+v", rep2, rep)
			}
			after := tableCounts(t, db)
			before["import_runs"]++
			for table, n := range before {
				if after[table] != n {
					t.Errorf("%s: got %d rows after the second import, want %d", table, after[table], n)
				}
			}
			var name, email string
			var version int
			if err := db.Reader().QueryRowContext(ctx, `SELECT name, email, version FROM organisations WHERE commune_code = '12202'`).
				Scan(&name, &email, &version); err != nil {
				t.Fatal(err)
			}
			if name != "Rodez" || email != "mairie@rodez.fr" || version != 7 {
				t.Errorf("Rodez organisation: got name %q, email %q, version %d; want Rodez, mairie@rodez.fr, 7", name, email, version)
			}
		})

		t.Run("Rodez has its SIREN, département, région, EPCI and populations", func(t *testing.T) {
			c, err := s.Commune(ctx, "12202")
			if err != nil {
				t.Fatalf("Commune(12202): %v", err)
			}
			checks := []struct{ field, got, want string }{
				{"name", c.Name, "Rodez"},
				{"SIREN", c.SIREN, "211202023"},
				{"département", c.DepartementCode, "12"},
				{"département name", c.DepartementName, "Aveyron"},
				{"région", c.RegionCode, "76"},
				{"région name", c.RegionName, "Occitanie"},
				{"EPCI", c.EPCISIREN, "241200187"},
				{"EPCI name", c.EPCIName, "CA Rodez Agglomération"},
				{"zone", c.Zone, "metro"},
			}
			for _, ch := range checks {
				if ch.got != ch.want {
					t.Errorf("%s: got %q, want %q", ch.field, ch.got, ch.want)
				}
			}
			if !slices.Equal(c.PostalCodes, []string{"12000"}) {
				t.Errorf("postal codes: got %v, want [12000]", c.PostalCodes)
			}
			if c.AlsaceMoselle {
				t.Errorf("Alsace-Moselle: got true, want false")
			}
			wantPops := []Population{
				{Measure: "municipale", Source: "communes.json", Vintage: "decoupage-administratif 6.0.0", Value: 23981},
				{Measure: "municipale", Source: "epci.json", Vintage: "decoupage-administratif 6.0.0", Value: 24136},
				{Measure: "totale", Source: "epci.json", Vintage: "decoupage-administratif 6.0.0", Value: 25920},
			}
			if !slices.Equal(c.Populations, wantPops) {
				t.Errorf("populations: got %+v, want %+v", c.Populations, wantPops)
			}
		})

		t.Run("an unknown commune is not found", func(t *testing.T) {
			if _, err := s.Commune(ctx, "99999"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("got %v, want store.ErrNotFound", err)
			}
			if _, err := s.EPCI(ctx, "999999999"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("EPCI: got %v, want store.ErrNotFound", err)
			}
		})

		t.Run("CA Rodez Agglomération lists its 8 members sorted by name", func(t *testing.T) {
			e, err := s.EPCI(ctx, "241200187")
			if err != nil {
				t.Fatalf("EPCI(241200187): %v", err)
			}
			if e.Name != "CA Rodez Agglomération" || e.Type != "CA" || !e.FPU() {
				t.Errorf("got %q %s FPU=%v, want CA Rodez Agglomération CA FPU=true", e.Name, e.Type, e.FPU())
			}
			var names []string
			for _, m := range e.Members {
				names = append(names, m.Name)
			}
			want := []string{"Druelle Balsac", "Le Monastère", "Luc-la-Primaube", "Olemps", "Onet-le-Château",
				"Rodez", "Sainte-Radegonde", "Sébazac-Concourès"}
			if !slices.Equal(names, want) {
				t.Errorf("members: got %q, want %q", names, want)
			}
			if e.PopulationSource != "epci.json" || e.PopulationMunicipale != 56303 {
				t.Errorf("population: got %d from %q, want 56303 from epci.json", e.PopulationMunicipale, e.PopulationSource)
			}
		})

		t.Run("communes of Moselle, Bas-Rhin and Haut-Rhin are under the local law of Alsace-Moselle", func(t *testing.T) {
			got := countRows(t, db, "SELECT COUNT(*) FROM communes WHERE alsace_moselle")
			want := countRows(t, db, "SELECT COUNT(*) FROM communes WHERE departement_code IN ('57', '67', '68')")
			if got != want || got < 1000 {
				t.Errorf("got %d communes flagged, want the %d of départements 57, 67, 68", got, want)
			}
			metz, err := s.Commune(ctx, "57463")
			if err != nil || !metz.AlsaceMoselle {
				t.Errorf("Metz: got flag %v (err %v), want true", metz.AlsaceMoselle, err)
			}
		})

		t.Run("every commune and EPCI is an organisation", func(t *testing.T) {
			if n := countRows(t, db, "SELECT COUNT(*) FROM organisations WHERE kind = 'commune' AND commune_code IS NOT NULL"); n != 34969 {
				t.Errorf("commune organisations: got %d, want 34969", n)
			}
			if n := countRows(t, db, "SELECT COUNT(*) FROM organisations WHERE kind = 'epci' AND epci_siren = siren"); n != 1255 {
				t.Errorf("EPCI organisations: got %d, want 1255", n)
			}
		})

		t.Run("a département counts its communes", func(t *testing.T) {
			d, err := s.Departement(ctx, "12")
			if err != nil {
				t.Fatal(err)
			}
			want := Departement{Code: "12", Name: "Aveyron", RegionCode: "76", Communes: 285}
			if d != want {
				t.Errorf("got %+v, want %+v", d, want)
			}
		})

		t.Run("search", func(t *testing.T) {
			tests := []struct {
				name, q string
				first   string // code of the first result
				has     string // a code among the results
			}{
				{"a lower-case name finds Rodez first", "rodez", "12202", ""},
				{"an upper-case name finds Rodez first", "RODEZ", "12202", ""},
				{"an INSEE code finds its commune", "12202", "12202", ""},
				{"a postal code finds the communes it serves", "12000", "12202", "12176"},
				{"an accented name finds Périgueux", "Périgueux", "24322", ""},
				{"a name typed without accents finds Périgueux", "perigueux", "24322", ""},
				{"a prefix without accents finds Périgueux", "peri", "", "24322"},
				{"an apostrophe and hyphens are ignored", "l hay les roses", "94038", ""},
				{"a Corsican code is found in any case", "2a004", "2A004", ""},
				{"a word inside a name is found", "radegonde", "", "12241"},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					got, err := s.Search(ctx, tt.q, 20)
					if err != nil {
						t.Fatal(err)
					}
					if len(got) == 0 {
						t.Fatalf("Search(%q): got no result", tt.q)
					}
					if tt.first != "" && got[0].Code != tt.first {
						t.Errorf("Search(%q): got %s %s first, want %s", tt.q, got[0].Code, got[0].Name, tt.first)
					}
					if tt.has != "" && !slices.ContainsFunc(got, func(c CommuneRef) bool { return c.Code == tt.has }) {
						t.Errorf("Search(%q): got %v, want %s among them", tt.q, got, tt.has)
					}
				})
			}
			t.Run("results are capped by the limit", func(t *testing.T) {
				got, err := s.Search(ctx, "saint", 5)
				if err != nil || len(got) != 5 {
					t.Errorf("got %d results (err %v), want 5", len(got), err)
				}
			})
			t.Run("an empty query finds nothing", func(t *testing.T) {
				got, err := s.Search(ctx, " - ", 5)
				if err != nil || len(got) != 0 {
					t.Errorf("got %v (err %v), want nothing", got, err)
				}
			})
		})

		t.Run("neighbours need the geography import", func(t *testing.T) {
			if _, err := s.Within(ctx, "12202", 10); !errors.Is(err, ErrNoCoordinates) {
				t.Errorf("Within before the geography import: got %v, want ErrNoCoordinates", err)
			}
		})

		geo, err := s.ImportGeo(ctx, sharedData(t, "communes_coords_2026.csv"), sharedData(t, "communes_adjacency_2026.csv"), nil)
		if err != nil {
			t.Fatalf("import geo: %v", err)
		}

		t.Run("the geography import sets every point and adjacency", func(t *testing.T) {
			if geo != (GeoReport{Coordinates: 34969, Adjacencies: 101933}) {
				t.Errorf("got %+v, want 34969 points and 101933 pairs", geo)
			}
			got := tableCounts(t, db)
			if got["communes with a point"] != 34969 || got["commune_adjacency"] != 101933 {
				t.Errorf("got %d points and %d pairs, want 34969 and 101933", got["communes with a point"], got["commune_adjacency"])
			}
			c, _ := s.Commune(ctx, "12202")
			if c.Coordinates == nil || *c.Coordinates != (Point{44.35871, 2.56694}) {
				t.Errorf("Rodez: got %v, want {44.35871 2.56694}", c.Coordinates)
			}
		})

		t.Run("communes within 10 km of Rodez come nearest first", func(t *testing.T) {
			got, err := s.Within(ctx, "12202", 10)
			if err != nil {
				t.Fatal(err)
			}
			var codes []string
			for i, n := range got {
				codes = append(codes, n.Code)
				if n.DistanceKm <= 0 || n.DistanceKm > 10 {
					t.Errorf("%s at %.3f km, want within (0, 10]", n.Code, n.DistanceKm)
				}
				if i > 0 && n.DistanceKm < got[i-1].DistanceKm {
					t.Errorf("%s (%.3f km) after %s (%.3f km): not sorted", n.Code, n.DistanceKm, got[i-1].Code, got[i-1].DistanceKm)
				}
			}
			want := []string{"12174", "12176", "12146", "12241", "12133", "12131", "12090", "12264", "12102"}
			if !slices.Equal(codes, want) {
				t.Errorf("got %v, want %v", codes, want)
			}
			if d := got[0].DistanceKm; d < 2.70 || d > 2.72 {
				t.Errorf("Olemps: got %.4f km, want 2.712", d)
			}
		})

		t.Run("the communes adjacent to Rodez are listed with border and distance", func(t *testing.T) {
			got, err := s.Adjacent(ctx, "12202")
			if err != nil {
				t.Fatal(err)
			}
			border := map[string]int64{}
			for _, n := range got {
				border[n.Code] = n.BorderM
				if n.DistanceKm <= 0 {
					t.Errorf("%s: got distance %.3f, want > 0", n.Code, n.DistanceKm)
				}
			}
			want := map[string]int64{"12090": 2157, "12146": 3450, "12174": 3829, "12176": 8012, "12241": 2199}
			if len(border) != len(want) {
				t.Errorf("got %v, want %v", border, want)
			}
			for code, m := range want {
				if border[code] != m {
					t.Errorf("%s: got border %d m, want %d", code, border[code], m)
				}
			}
		})

		t.Run("an island commune has no neighbour", func(t *testing.T) {
			got, err := s.Adjacent(ctx, "29155")
			if err != nil || len(got) != 0 {
				t.Errorf("Ouessant: got %v (err %v), want none", got, err)
			}
		})

		t.Run("the batch neighbour search gives every commune what Within gives", func(t *testing.T) {
			var visited int
			last := ""
			err := s.WithinAll(ctx, 10, func(c CommuneRef, ns []Neighbour) error {
				visited++
				if c.Code <= last {
					t.Fatalf("%s after %s: not in code order", c.Code, last)
				}
				last = c.Code
				if c.Code == "12202" || c.Code == "29155" || c.Code == "75056" || visited%5000 == 0 {
					want, err := s.Within(ctx, c.Code, 10)
					if err != nil {
						return err
					}
					if !slices.Equal(ns, want) {
						t.Errorf("%s: got %v, want %v", c.Code, ns, want)
					}
				}
				return nil
			})
			if err != nil || visited != 34969 {
				t.Errorf("got %d communes visited (err %v), want 34969", visited, err)
			}
			stop := errors.New("stop")
			if err := s.WithinAll(ctx, 10, func(CommuneRef, []Neighbour) error { return stop }); err != stop {
				t.Errorf("an error from fn: got %v, want it returned", err)
			}
		})

		t.Run("the neighbour search agrees with a brute-force scan", func(t *testing.T) {
			g, err := s.gridFor(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, code := range []string{"12202", "75056", "2A004", "29155", "97411", "98735", "98611"} {
				i, ok := g.index[code]
				if !ok {
					continue // not every overseas collectivity has a commune with that code
				}
				p := g.pts[i].p
				var want []string
				for _, q := range g.pts {
					if q.ref.Code != code && Distance(p, q.p) <= 25 {
						want = append(want, q.ref.Code)
					}
				}
				got, err := s.Within(ctx, code, 25)
				if err != nil {
					t.Fatal(err)
				}
				var gotCodes []string
				for _, n := range got {
					gotCodes = append(gotCodes, n.Code)
				}
				slices.Sort(want)
				slices.Sort(gotCodes)
				if !slices.Equal(gotCodes, want) {
					t.Errorf("%s: got %d communes, want %d", code, len(gotCodes), len(want))
				}
			}
		})
	})
}
