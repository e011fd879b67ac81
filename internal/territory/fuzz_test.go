package territory

import (
	"errors"
	"os"
	"strings"
	"testing"
)

// The parsers read files from outside; whatever the bytes, they must return
// either data or a *FileError, never panic.

func FuzzParseCommunes(f *testing.F) {
	b, err := os.ReadFile("testdata/cog/data/communes.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(b))
	f.Add(`[{"code":"12202","nom":"Rodez","type":"commune-actuelle","departement":"12","region":"76","population":-1}]`)
	f.Add(`[{"code":"12202","type":"commune-actuelle","codesPostaux":[1]}]`)
	f.Add(`[`)
	f.Add(`{}`)
	f.Fuzz(func(t *testing.T, s string) {
		d := &cogData{
			regions:      []regionRec{{Code: "76"}},
			departements: []departementRec{{Code: "12"}},
		}
		err := parseCommunes(strings.NewReader(s), d)
		checkParseResult(t, err)
		for _, c := range d.communes {
			if !isCommuneCode(c.Code) || c.Departement != "12" || c.Name == "" {
				t.Errorf("accepted an invalid commune %+v", c)
			}
		}
	})
}

func FuzzParseEPCI(f *testing.F) {
	b, err := os.ReadFile("testdata/cog/data/epci.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(b))
	f.Add(`[{"code":"241200187","nom":"x","type":"CA","modeFinancement":"FPU","membres":[{"code":"12202"}]}]`)
	f.Fuzz(func(t *testing.T, s string) {
		d := &cogData{communes: []communeRec{{Code: "12202"}, {Code: "12174"}, {Code: "12176"}}}
		err := parseEPCI(strings.NewReader(s), d)
		checkParseResult(t, err)
		seen := map[string]bool{}
		for _, e := range d.epcis {
			for _, m := range e.Members {
				if seen[m.Code] || m.PopulationMunicipale == nil || m.PopulationTotale == nil {
					t.Errorf("accepted an invalid member %+v", m)
				}
				seen[m.Code] = true
			}
		}
	})
}

func FuzzParseCoords(f *testing.F) {
	f.Add(fixtureCoords)
	f.Add("code,lat,lon\n12202,NaN,Inf\n")
	f.Add("code,lat,lon\n\"12202\",\"44\"\"\",2\n")
	f.Fuzz(func(t *testing.T, s string) {
		rows, err := parseCoords("coords.csv", strings.NewReader(s))
		checkParseResult(t, err)
		for _, r := range rows {
			if !r.p.Valid() || !isCommuneCode(r.code) {
				t.Errorf("accepted an invalid row %+v", r)
			}
		}
	})
}

func FuzzParseAdjacency(f *testing.F) {
	f.Add(fixtureAdjacency)
	f.Add("code_a,code_b,border_km\n12202,12174,1e308\n")
	f.Fuzz(func(t *testing.T, s string) {
		rows, err := parseAdjacency("adjacency.csv", strings.NewReader(s))
		checkParseResult(t, err)
		for _, r := range rows {
			if r.a >= r.b || r.borderM < 0 {
				t.Errorf("accepted an invalid row %+v", r)
			}
		}
	})
}

func checkParseResult(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var fe *FileError
	if !errors.As(err, &fe) {
		t.Errorf("got error %T %v, want a *FileError", err, err)
	}
}
