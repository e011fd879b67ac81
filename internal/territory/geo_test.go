package territory

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"voisines/internal/store"
	"voisines/internal/store/storetest"
)

// Hand-made geography of the fixture's communes: columns in another order
// than the reference files, and an extra one, to show the header is read.
const (
	fixtureCoords = `nom,lon,code,lat
Olemps,2.547,12174,44.339
Onet-le-Château,2.559,12176,44.383
Rodez,2.567,12202,44.359
Périgueux,0.712,24322,45.192
Metz,6.196,57463,49.108
Montigny-lès-Metz,6.155,57480,49.095
`
	fixtureAdjacency = `code_a,code_b,border_km,method
12174,12202,3.8294,hand
12202,12176,8.0126,hand
57463,57480,5.687,hand
`
)

func writeFile(t testing.TB, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDistance(t *testing.T) {
	tests := []struct {
		name string
		a, b Point
		want float64 // km
		tol  float64
	}{
		{"a point is at zero from itself", Point{44.35871, 2.56694}, Point{44.35871, 2.56694}, 0, 1e-12},
		{"Paris to Lyon is about 392 km", Point{48.8566, 2.3522}, Point{45.7640, 4.8357}, 391.5, 1},
		{"a degree of latitude is about 111.2 km", Point{45, 3}, Point{46, 3}, 111.195, 0.01},
		{"the antimeridian is crossed the short way", Point{-13.3, 179.9}, Point{-13.3, -179.9}, 21.65, 0.05},
		{"antipodes are half the circumference apart", Point{0, 0}, Point{0, 180}, math.Pi * EarthRadiusKm, 1e-6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Distance(tt.a, tt.b); math.Abs(got-tt.want) > tt.tol {
				t.Errorf("got %.4f km, want %.4f ± %v", got, tt.want, tt.tol)
			}
			if got, back := Distance(tt.a, tt.b), Distance(tt.b, tt.a); got != back {
				t.Errorf("got %v one way and %v back, want the same", got, back)
			}
		})
	}
}

// TestGridMatchesBruteForce compares the spatial index with a scan of every
// point, on random points crowded near the poles and the antimeridian too.
func TestGridMatchesBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var pts []gridPoint
	for i := 0; i < 2500; i++ {
		p := Point{Lat: r.Float64()*180 - 90, Lon: r.Float64()*360 - 180}
		switch i % 4 {
		case 1:
			p.Lat = 89 + r.Float64() // near the North Pole
		case 2:
			p.Lon = 179.5 + r.Float64()*0.5 // near the antimeridian
		case 3:
			p = Point{Lat: 44 + r.Float64(), Lon: 2 + r.Float64()} // a dense region
		}
		pts = append(pts, gridPoint{ref: CommuneRef{Code: strconv.Itoa(i)}, p: p})
	}
	g := newGrid(slices.Clone(pts))
	for _, km := range []float64{0.5, 5, 20, 150, 3000, 30000} {
		for _, c := range pts[:120] {
			var want, got []string
			for _, q := range pts {
				if Distance(c.p, q.p) <= km {
					want = append(want, q.ref.Code)
				}
			}
			g.within(c.p, km, func(i int32, d float64) {
				got = append(got, g.pts[i].ref.Code)
				if dd := Distance(c.p, g.pts[i].p); math.Abs(dd-d) > 1e-6 {
					t.Fatalf("distance: got %v, want %v", d, dd)
				}
			})
			slices.Sort(want)
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Fatalf("within %v km of %v: got %d points, want %d", km, c.p, len(got), len(want))
			}
		}
	}
}

func TestImportGeoFixture(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := New(db)
		if _, err := s.ImportCOG(ctx, fixture(t, nil), nil); err != nil {
			t.Fatal(err)
		}
		coords := writeFile(t, "coords.csv", fixtureCoords)
		adjacency := writeFile(t, "adjacency.csv", fixtureAdjacency)

		rep, err := s.ImportGeo(ctx, coords, adjacency, nil)
		if err != nil {
			t.Fatalf("import geo: %v", err)
		}

		t.Run("points and pairs are imported, border lengths in metres", func(t *testing.T) {
			if rep != (GeoReport{Coordinates: 6, Adjacencies: 3}) {
				t.Errorf("got %+v, want 6 points and 3 pairs", rep)
			}
			got, err := s.Adjacent(ctx, "12202")
			if err != nil {
				t.Fatal(err)
			}
			want := []Neighbour{
				{CommuneRef: CommuneRef{Code: "12174", Name: "Olemps", DepartementCode: "12"}, BorderM: 3829},
				{CommuneRef: CommuneRef{Code: "12176", Name: "Onet-le-Château", DepartementCode: "12"}, BorderM: 8013},
			}
			for i := range want {
				want[i].DistanceKm = Distance(Point{44.359, 2.567}, map[string]Point{"12174": {44.339, 2.547}, "12176": {44.383, 2.559}}[want[i].Code])
			}
			if !slices.Equal(got, want) {
				t.Errorf("got %+v, want %+v", got, want)
			}
		})

		t.Run("a second import changes nothing", func(t *testing.T) {
			before := snapshot(t, db)
			if _, err := s.ImportGeo(ctx, coords, adjacency, nil); err != nil {
				t.Fatal(err)
			}
			after := snapshot(t, db)
			// Only the import_runs count moves.
			if strip := func(s string) string { return s[:strings.LastIndex(s, "--\n")] }; strip(strip(after)) != strip(strip(before)) {
				t.Errorf("got\n%s\nwant\n%s", after, before)
			}
		})

		t.Run("a new adjacency file replaces the old one", func(t *testing.T) {
			changed := writeFile(t, "changed.csv", "code_a,code_b,border_km\n12202,12176,2\n24322,57463,0.5\n57463,57480,5.687\n")
			if _, err := s.ImportGeo(ctx, "", changed, nil); err != nil {
				t.Fatal(err)
			}
			var got []string
			rows, err := db.Reader().QueryContext(ctx, `SELECT code_a, code_b, border_m FROM commune_adjacency ORDER BY code_a, code_b`)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var a, b string
				var m int64
				rows.Scan(&a, &b, &m)
				got = append(got, fmt.Sprintf("%s-%s:%d", a, b, m))
			}
			rows.Close()
			want := []string{"12176-12202:2000", "24322-57463:500", "57463-57480:5687"}
			if !slices.Equal(got, want) {
				t.Errorf("got %v, want %v", got, want)
			}
			if _, err := s.ImportGeo(ctx, "", adjacency, nil); err != nil {
				t.Fatal(err)
			}
		})

		t.Run("within follows a new import", func(t *testing.T) {
			got, err := s.Within(ctx, "12202", 3)
			if err != nil || len(got) != 2 {
				t.Fatalf("got %v (err %v), want Olemps and Onet-le-Château", got, err)
			}
			moved := writeFile(t, "moved.csv", "code,lat,lon\n12174,45.0,2.547\n")
			if _, err := s.ImportGeo(ctx, moved, "", nil); err != nil {
				t.Fatal(err)
			}
			got, err = s.Within(ctx, "12202", 3)
			if err != nil || len(got) != 1 || got[0].Code != "12176" {
				t.Errorf("after moving Olemps: got %v (err %v), want only Onet-le-Château", got, err)
			}
			if _, err := s.ImportGeo(ctx, coords, "", nil); err != nil {
				t.Fatal(err)
			}
		})

		t.Run("within refuses a radius that is not a positive number", func(t *testing.T) {
			for _, km := range []float64{0, -1, math.NaN(), math.Inf(1)} {
				if _, err := s.Within(ctx, "12202", km); err == nil {
					t.Errorf("Within(12202, %v): got no error, want one", km)
				}
			}
			if _, err := s.Within(ctx, "99999", 5); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("Within(99999): got %v, want store.ErrNotFound", err)
			}
		})

		before := snapshot(t, db)
		refused := []struct {
			name              string
			coords, adjacency string // file contents; "" skips the file
			want              string
		}{
			{"a latitude that is not a number", "code,lat,lon\n12202,44.35,2.56\n12174,north,2.5\n", "",
				`coords.csv: line 3, column "lat": got "north", want a number`},
			{"a latitude beyond the pole", "code,lat,lon\n12202,94.35,2.56\n", "",
				`coords.csv: line 2, column "lat": got 94.35`},
			{"a missing longitude column", "code,lat\n12202,44.35\n", "",
				`coords.csv: line 1, column "lon": missing column in the header`},
			{"an unknown commune", "code,lat,lon\n12202,44.35,2.56\n12999,44.3,2.5\n", "",
				`coords.csv: line 3, column "code": unknown commune 12999`},
			{"a commune listed twice", "code,lat,lon\n12202,44.35,2.56\n12202,44.3,2.5\n", "",
				`coords.csv: line 3, column "code": commune 12202 already on line 2`},
			{"a short line", "code,lat,lon\n12202,44.35\n", "",
				`coords.csv: line 2, column "lon": missing value`},
			{"an unclosed quote", "code,lat,lon\n\"12202,44.35,2.56\n", "",
				`coords.csv: line 2`},
			{"an empty file", "", "\n", `adjacency.csv: line 1: empty file`},
			{"a commune paired with itself", fixtureCoords, "code_a,code_b,border_km\n12202,12202,1\n",
				`adjacency.csv: line 2, column "code_b": commune 12202 paired with itself`},
			{"a pair given twice, in either order", fixtureCoords, "code_a,code_b,border_km\n12174,12202,1\n12202,12174,1\n",
				`adjacency.csv: line 3, column "code_b": pair 12174–12202 already on line 2`},
			{"a negative border", fixtureCoords, "code_a,code_b,border_km\n12174,12202,-1\n",
				`adjacency.csv: line 2, column "border_km": got -1`},
			{"an unknown commune in a pair, after good coordinates", fixtureCoords, "code_a,code_b,border_km\n12174,12202,1\n12202,13999,1\n",
				`adjacency.csv: line 3, column "code_b": unknown commune 13999`},
		}
		for _, tt := range refused {
			t.Run("refused: "+tt.name, func(t *testing.T) {
				var cp, ap string
				if tt.coords != "" {
					cp = writeFile(t, "coords.csv", tt.coords)
				}
				if tt.adjacency != "" {
					ap = writeFile(t, "adjacency.csv", tt.adjacency)
				}
				_, err := s.ImportGeo(ctx, cp, ap, nil)
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("got error %v, want one containing %q", err, tt.want)
				}
				if after := snapshot(t, db); after != before {
					t.Errorf("the database changed after a refused import:\ngot\n%s\nwant\n%s", after, before)
				}
			})
		}
		t.Run("refused: no file at all", func(t *testing.T) {
			if _, err := s.ImportGeo(ctx, "", "", nil); err == nil {
				t.Error("got no error, want one")
			}
		})
		t.Run("refused: a file that does not exist", func(t *testing.T) {
			_, err := s.ImportGeo(ctx, filepath.Join(t.TempDir(), "nope.csv"), "", nil)
			if err == nil || !strings.Contains(err.Error(), "nope.csv") {
				t.Errorf("got %v, want an error naming nope.csv", err)
			}
		})
	})
}

func TestHitsAreSortedByDistanceThenCode(t *testing.T) {
	g := newGrid([]gridPoint{
		{ref: CommuneRef{Code: "A"}}, {ref: CommuneRef{Code: "B"}}, {ref: CommuneRef{Code: "C"}}, {ref: CommuneRef{Code: "D"}},
	})
	at := func(code string) int32 {
		for i, p := range g.pts {
			if p.ref.Code == code {
				return int32(i)
			}
		}
		t.Fatalf("no %s", code)
		return 0
	}
	// C and A tie; D is nearer than B by less than the keys can tell.
	b := &hitBuf{hits: []hit{{5, at("C")}, {7 + 1e-13, at("B")}, {5, at("A")}, {7, at("D")}, {0.5, at("B")}}}
	var got []string
	for _, n := range b.sorted(g, nil) {
		got = append(got, fmt.Sprintf("%s@%v", n.Code, n.DistanceKm))
	}
	want := []string{"B@0.5", "A@5", "C@5", "D@7", "B@7.0000000000001"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestAsinSmallMatchesMathAsin(t *testing.T) {
	for _, x := range []float64{0, 1e-9, 1e-5, 7.85e-4, 1.57e-3, 0.005, 0.00999999, 0.01, 0.3, 1} {
		got, want := asinSmall(x), math.Asin(x)
		if math.Abs(got-want) > 4e-16*want {
			t.Errorf("asinSmall(%v): got %v, want %v", x, got, want)
		}
	}
}
