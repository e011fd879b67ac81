package territory

import (
	"context"
	"os"
	"testing"

	"voisines/internal/store"
	"voisines/internal/store/storetest"
)

// BenchmarkImportCOG measures the full import of the shipped territory into a
// fresh database, on each engine (bench/import.sh compares it with the
// engines' own bulk loads).
func BenchmarkImportCOG(b *testing.B) {
	engines := []struct {
		name string
		open func(testing.TB) *store.DB
	}{{"sqlite", storetest.SQLite}}
	if os.Getenv(storetest.EnvPostgres) != "" {
		engines = append(engines, struct {
			name string
			open func(testing.TB) *store.DB
		}{"postgres", storetest.Postgres})
	}
	for _, e := range engines {
		b.Run(e.name, func(b *testing.B) {
			ctx := context.Background()
			for b.Loop() {
				b.StopTimer()
				s := New(e.open(b))
				b.StartTimer()
				if _, err := s.ImportShippedCOG(ctx, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(e.name+"/again", func(b *testing.B) {
			ctx := context.Background()
			s := New(e.open(b))
			if _, err := s.ImportShippedCOG(ctx, nil); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if _, err := s.ImportShippedCOG(ctx, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkReadCOG measures unzipping, parsing and checking the shipped files.
func BenchmarkReadCOG(b *testing.B) {
	for b.Loop() {
		fsys, err := ShippedCOG()
		if err != nil {
			b.Fatal(err)
		}
		if _, err := readCOG(fsys, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// geoService returns a SQLite territory with the shared geography imported.
func geoService(b *testing.B) (*Service, []string) {
	b.Helper()
	ctx := context.Background()
	s := New(storetest.SQLite(b))
	if _, err := s.ImportShippedCOG(ctx, nil); err != nil {
		b.Fatal(err)
	}
	if _, err := s.ImportGeo(ctx, sharedData(b, "communes_coords_2026.csv"), sharedData(b, "communes_adjacency_2026.csv"), nil); err != nil {
		b.Fatal(err)
	}
	g, err := s.gridFor(ctx)
	if err != nil {
		b.Fatal(err)
	}
	codes := make([]string, len(g.pts))
	for i, p := range g.pts {
		codes[i] = p.ref.Code
	}
	return s, codes
}

// BenchmarkWithin20kmAllCommunes finds, for every one of the 34,969
// communes, the communes within 20 km (one op = all of them): "each" calls
// Within once per commune, "batch" makes one WithinAll call.
func BenchmarkWithin20kmAllCommunes(b *testing.B) {
	s, codes := geoService(b)
	ctx := context.Background()
	b.Run("each", func(b *testing.B) {
		var found int
		for b.Loop() {
			found = 0
			for _, code := range codes {
				ns, err := s.Within(ctx, code, 20)
				if err != nil {
					b.Fatal(err)
				}
				found += len(ns)
			}
		}
		b.ReportMetric(float64(found)/float64(len(codes)), "neighbours/commune")
	})
	b.Run("batch", func(b *testing.B) {
		var found int
		for b.Loop() {
			found = 0
			if err := s.WithinAll(ctx, 20, func(_ CommuneRef, ns []Neighbour) error {
				found += len(ns)
				return nil
			}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(found)/float64(len(codes)), "neighbours/commune")
	})
}

// BenchmarkBuildGrid measures building the spatial index from the database.
func BenchmarkBuildGrid(b *testing.B) {
	s, _ := geoService(b)
	ctx := context.Background()
	for b.Loop() {
		s.invalidate()
		if _, err := s.gridFor(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSearch(b *testing.B) {
	s, _ := geoService(b)
	ctx := context.Background()
	for b.Loop() {
		for _, q := range []string{"rodez", "saint", "12000", "peri"} {
			if _, err := s.Search(ctx, q, 20); err != nil {
				b.Fatal(err)
			}
		}
	}
}
