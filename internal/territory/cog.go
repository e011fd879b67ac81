package territory

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"
)

// The files of @etalab/decoupage-administratif read by the COG import, and the
// population sources they stand for.
const (
	fileRegions      = "regions.json"
	fileDepartements = "departements.json"
	fileCommunes     = "communes.json"
	fileEPCI         = "epci.json"
	filePackage      = "package.json"

	// SourceCommunes and SourceEPCI name the population figures of each file
	// in commune_populations: they differ for most communes (different INSEE
	// vintages) and are never mixed.
	SourceCommunes = "communes.json"
	SourceEPCI     = "epci.json"
)

// FileError is an input file refused by an import. It names the file, the
// record (JSON array index, counted from 0, and its code when known) or the
// CSV line (counted from 1, the header being line 1), and the field or column.
type FileError struct {
	File   string
	Record int    // JSON record index; -1 when the error is not about one record
	Line   int    // CSV line; 0 for JSON files
	Code   string // the record's code (INSEE code, SIREN), when known
	Field  string // JSON field or CSV column, when known
	Err    error
}

func (e *FileError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	switch {
	case e.Line > 0:
		fmt.Fprintf(&b, ": line %d", e.Line)
		if e.Field != "" {
			fmt.Fprintf(&b, ", column %q", e.Field)
		}
	case e.Record >= 0:
		fmt.Fprintf(&b, ": record %d", e.Record)
		if e.Code != "" {
			fmt.Fprintf(&b, " (code %q)", e.Code)
		}
		if e.Field != "" {
			fmt.Fprintf(&b, ": field %q", e.Field)
		}
	case e.Field != "":
		fmt.Fprintf(&b, ": field %q", e.Field)
	}
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *FileError) Unwrap() error { return e.Err }

// cogData is the official geographic code as read from the four files, checked
// for consistency and ready to be written.
type cogData struct {
	vintage      string // e.g. "decoupage-administratif 6.0.0"
	regions      []regionRec
	departements []departementRec
	communes     []communeRec // current communes only ("commune-actuelle")
	epcis        []epciRec
	epciOf       map[string]string // commune code → EPCI SIREN
	members      int
}

type regionRec struct {
	Code     string `json:"code"`
	Name     string `json:"nom"`
	ChefLieu string `json:"chefLieu"`
	Zone     string `json:"zone"`
}

type departementRec struct {
	Code     string `json:"code"`
	Name     string `json:"nom"`
	Region   string `json:"region"`
	ChefLieu string `json:"chefLieu"`
	Zone     string `json:"zone"`
}

type communeRec struct {
	Code           string   `json:"code"`
	Name           string   `json:"nom"`
	Type           string   `json:"type"`
	Zone           string   `json:"zone"`
	Arrondissement string   `json:"arrondissement"`
	Departement    string   `json:"departement"`
	Region         string   `json:"region"`
	SIREN          string   `json:"siren"`
	PostalCodes    []string `json:"codesPostaux"`
	Population     *int64   `json:"population"`
}

type epciRec struct {
	Code                 string      `json:"code"`
	Name                 string      `json:"nom"`
	Type                 string      `json:"type"`
	Financing            string      `json:"modeFinancement"`
	PopulationMunicipale *int64      `json:"populationMunicipale"`
	PopulationTotale     *int64      `json:"populationTotale"`
	Members              []memberRec `json:"membres"`
}

type memberRec struct {
	Code                 string `json:"code"`
	PopulationMunicipale *int64 `json:"populationMunicipale"`
	PopulationTotale     *int64 `json:"populationTotale"`
}

// communeTypeCurrent is the type of the records kept from communes.json; the
// others (commune-deleguee, commune-associee, arrondissement-municipal) are
// parts of current communes.
const communeTypeCurrent = "commune-actuelle"

// readCOG reads and checks the four files from fsys, which is either the
// package's root (package.json and data/) or its data folder.
func readCOG(fsys fs.FS, progress Progress) (*cogData, error) {
	dir := "."
	if _, err := fs.Stat(fsys, fileCommunes); err != nil {
		if _, err2 := fs.Stat(fsys, path.Join("data", fileCommunes)); err2 == nil {
			dir = "data"
		}
	}
	d := &cogData{vintage: readVintage(fsys)}
	open := func(name string) (fs.File, error) {
		f, err := fsys.Open(path.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("territory: %s: %w", name, err)
		}
		return f, nil
	}
	parse := func(name string, fn func(io.Reader, *cogData) error) error {
		f, err := open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		return fn(f, d)
	}
	if progress != nil {
		progress("read", 0, 4)
	}
	if err := parse(fileRegions, parseRegions); err != nil {
		return nil, err
	}
	if err := parse(fileDepartements, parseDepartements); err != nil {
		return nil, err
	}
	if progress != nil {
		progress("read", 2, 4)
	}
	// The two big files are decoded side by side (they fill distinct fields of
	// d); the EPCI members are checked against the communes afterwards.
	epciErr := make(chan error, 1)
	go func() { epciErr <- parse(fileEPCI, decodeEPCI) }()
	errC := parse(fileCommunes, parseCommunes)
	errE := <-epciErr
	switch {
	case errC != nil:
		return nil, errC
	case errE != nil:
		return nil, errE
	}
	if err := checkMembers(d); err != nil {
		return nil, err
	}
	if progress != nil {
		progress("read", 4, 4)
	}
	return d, nil
}

// readVintage names the package and version of the files, from package.json
// when fsys holds it: "decoupage-administratif 6.0.0".
func readVintage(fsys fs.FS) string {
	const unknown = "decoupage-administratif (version unknown)"
	b, err := fs.ReadFile(fsys, filePackage)
	if err != nil {
		return unknown
	}
	var p struct{ Name, Version string }
	if json.Unmarshal(b, &p) != nil || p.Name == "" || p.Version == "" {
		return unknown
	}
	name := p.Name
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	return name + " " + p.Version
}

// eachRecord decodes the JSON array in r one record at a time into a fresh
// *T and calls fn with its index. Syntax errors and truncation name the
// record; type errors name the record, its code (read by codeOf) and the field.
func eachRecord[T any](file string, r io.Reader, codeOf func(*T) string, fn func(i int, rec *T) error) error {
	dec := json.NewDecoder(r)
	tok, err := dec.Token()
	if err != nil {
		return &FileError{File: file, Record: -1, Err: jsonErr(err, dec)}
	}
	if tok != json.Delim('[') {
		return &FileError{File: file, Record: -1, Err: errors.New("not a JSON array")}
	}
	i := 0
	for ; dec.More(); i++ {
		var rec T
		if err := dec.Decode(&rec); err != nil {
			fe := &FileError{File: file, Record: i, Code: codeOf(&rec), Err: jsonErr(err, dec)}
			var te *json.UnmarshalTypeError
			if errors.As(err, &te) {
				fe.Field = te.Field
				fe.Err = fmt.Errorf("got a JSON %s, want %s", te.Value, jsonKind(te.Type.String()))
			}
			return fe
		}
		if err := fn(i, &rec); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil {
		return &FileError{File: file, Record: i, Err: jsonErr(err, dec)}
	}
	if _, err := dec.Token(); err != io.EOF {
		return &FileError{File: file, Record: -1, Err: errors.New("unexpected data after the array")}
	}
	return nil
}

func jsonErr(err error, dec *json.Decoder) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("file truncated at byte %d: %w", dec.InputOffset(), io.ErrUnexpectedEOF)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("malformed JSON at byte %d: %w", se.Offset, err)
	}
	return err
}

func jsonKind(goType string) string {
	switch strings.TrimPrefix(goType, "*") {
	case "string":
		return "a string"
	case "int64":
		return "an integer"
	case "[]string":
		return "an array of strings"
	}
	return goType
}

// recErr builds the error for a field of record i.
func recErr(file string, i int, code, field, format string, args ...any) error {
	return &FileError{File: file, Record: i, Code: code, Field: field, Err: fmt.Errorf(format, args...)}
}

func parseRegions(r io.Reader, d *cogData) error {
	seen := map[string]bool{}
	return eachRecord(fileRegions, r, func(x *regionRec) string { return x.Code }, func(i int, x *regionRec) error {
		switch {
		case !isDigits(x.Code, 2, 3):
			return recErr(fileRegions, i, x.Code, "code", "got %q, want 2 or 3 digits", x.Code)
		case seen[x.Code]:
			return recErr(fileRegions, i, x.Code, "code", "duplicate code")
		case strings.TrimSpace(x.Name) == "":
			return recErr(fileRegions, i, x.Code, "nom", "missing")
		}
		seen[x.Code] = true
		d.regions = append(d.regions, *x)
		return nil
	})
}

func parseDepartements(r io.Reader, d *cogData) error {
	regions := map[string]bool{}
	for _, x := range d.regions {
		regions[x.Code] = true
	}
	seen := map[string]bool{}
	return eachRecord(fileDepartements, r, func(x *departementRec) string { return x.Code }, func(i int, x *departementRec) error {
		switch {
		case !isDepartementCode(x.Code):
			return recErr(fileDepartements, i, x.Code, "code", "got %q, want 2 or 3 digits, 2A or 2B", x.Code)
		case seen[x.Code]:
			return recErr(fileDepartements, i, x.Code, "code", "duplicate code")
		case strings.TrimSpace(x.Name) == "":
			return recErr(fileDepartements, i, x.Code, "nom", "missing")
		case !regions[x.Region]:
			return recErr(fileDepartements, i, x.Code, "region", "unknown région %q (not in %s)", x.Region, fileRegions)
		}
		seen[x.Code] = true
		d.departements = append(d.departements, *x)
		return nil
	})
}

func parseCommunes(r io.Reader, d *cogData) error {
	deps := map[string]bool{}
	for _, x := range d.departements {
		deps[x.Code] = true
	}
	regions := map[string]bool{}
	for _, x := range d.regions {
		regions[x.Code] = true
	}
	codes := make(map[string]bool, 40000)
	sirens := make(map[string]bool, 40000)
	d.communes = make([]communeRec, 0, 35000)
	return eachRecord(fileCommunes, r, func(x *communeRec) string { return x.Code }, func(i int, x *communeRec) error {
		if x.Type == "" {
			return recErr(fileCommunes, i, x.Code, "type", "missing")
		}
		if x.Type != communeTypeCurrent {
			return nil
		}
		switch {
		case !isCommuneCode(x.Code):
			return recErr(fileCommunes, i, x.Code, "code", "got %q, want an INSEE code of 5 characters", x.Code)
		case codes[x.Code]:
			return recErr(fileCommunes, i, x.Code, "code", "duplicate current commune")
		case strings.TrimSpace(x.Name) == "":
			return recErr(fileCommunes, i, x.Code, "nom", "missing")
		case !deps[x.Departement]:
			return recErr(fileCommunes, i, x.Code, "departement", "unknown département %q (not in %s)", x.Departement, fileDepartements)
		case !regions[x.Region]:
			return recErr(fileCommunes, i, x.Code, "region", "unknown région %q (not in %s)", x.Region, fileRegions)
		case x.SIREN != "" && !isDigits(x.SIREN, 9, 9):
			return recErr(fileCommunes, i, x.Code, "siren", "got %q, want 9 digits", x.SIREN)
		case x.SIREN != "" && sirens[x.SIREN]:
			return recErr(fileCommunes, i, x.Code, "siren", "SIREN %s already given to another commune", x.SIREN)
		case x.Population != nil && *x.Population < 0:
			return recErr(fileCommunes, i, x.Code, "population", "got %d, want a number ≥ 0", *x.Population)
		}
		for j, cp := range x.PostalCodes {
			if !isDigits(cp, 5, 5) {
				return recErr(fileCommunes, i, x.Code, fmt.Sprintf("codesPostaux[%d]", j), "got %q, want 5 digits", cp)
			}
		}
		codes[x.Code] = true
		if x.SIREN != "" {
			sirens[x.SIREN] = true
		}
		d.communes = append(d.communes, *x)
		return nil
	})
}

// parseEPCI decodes epci.json and checks its members against d.communes.
func parseEPCI(r io.Reader, d *cogData) error {
	if err := decodeEPCI(r, d); err != nil {
		return err
	}
	return checkMembers(d)
}

// decodeEPCI decodes and checks epci.json on its own; checkMembers then
// checks the members against the communes.
func decodeEPCI(r io.Reader, d *cogData) error {
	seen := map[string]bool{}
	d.epcis = make([]epciRec, 0, 1300)
	return eachRecord(fileEPCI, r, func(x *epciRec) string { return x.Code }, func(i int, x *epciRec) error {
		switch {
		case !isDigits(x.Code, 9, 9):
			return recErr(fileEPCI, i, x.Code, "code", "got %q, want a SIREN of 9 digits", x.Code)
		case seen[x.Code]:
			return recErr(fileEPCI, i, x.Code, "code", "duplicate EPCI")
		case strings.TrimSpace(x.Name) == "":
			return recErr(fileEPCI, i, x.Code, "nom", "missing")
		case x.Type == "":
			return recErr(fileEPCI, i, x.Code, "type", "missing")
		case x.Financing == "":
			return recErr(fileEPCI, i, x.Code, "modeFinancement", "missing")
		case x.PopulationMunicipale != nil && *x.PopulationMunicipale < 0:
			return recErr(fileEPCI, i, x.Code, "populationMunicipale", "got %d, want a number ≥ 0", *x.PopulationMunicipale)
		case x.PopulationTotale != nil && *x.PopulationTotale < 0:
			return recErr(fileEPCI, i, x.Code, "populationTotale", "got %d, want a number ≥ 0", *x.PopulationTotale)
		case len(x.Members) == 0:
			return recErr(fileEPCI, i, x.Code, "membres", "no member commune")
		}
		for j, m := range x.Members {
			field := fmt.Sprintf("membres[%d]", j)
			switch {
			case m.PopulationMunicipale == nil:
				return recErr(fileEPCI, i, x.Code, field+".populationMunicipale", "missing")
			case *m.PopulationMunicipale < 0:
				return recErr(fileEPCI, i, x.Code, field+".populationMunicipale", "got %d, want a number ≥ 0", *m.PopulationMunicipale)
			case m.PopulationTotale == nil:
				return recErr(fileEPCI, i, x.Code, field+".populationTotale", "missing")
			case *m.PopulationTotale < 0:
				return recErr(fileEPCI, i, x.Code, field+".populationTotale", "got %d, want a number ≥ 0", *m.PopulationTotale)
			}
		}
		seen[x.Code] = true
		d.members += len(x.Members)
		d.epcis = append(d.epcis, *x)
		return nil
	})
}

// checkMembers checks that every EPCI member is a current commune and belongs
// to one EPCI only, and fills d.epciOf.
func checkMembers(d *cogData) error {
	communes := make(map[string]bool, len(d.communes))
	for _, c := range d.communes {
		communes[c.Code] = true
	}
	d.epciOf = make(map[string]string, len(d.communes))
	for i, x := range d.epcis {
		for j, m := range x.Members {
			field := fmt.Sprintf("membres[%d].code", j)
			switch {
			case !communes[m.Code]:
				return recErr(fileEPCI, i, x.Code, field, "unknown commune %q (not a current commune of %s)", m.Code, fileCommunes)
			case d.epciOf[m.Code] != "":
				return recErr(fileEPCI, i, x.Code, field, "commune %s is already a member of EPCI %s", m.Code, d.epciOf[m.Code])
			}
			d.epciOf[m.Code] = x.Code
		}
	}
	return nil
}

func isDigits(s string, min, max int) bool {
	if len(s) < min || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isCommuneCode accepts INSEE commune codes: 5 digits, or 2A/2B and 3 digits
// for Corsica.
func isCommuneCode(s string) bool {
	if len(s) != 5 {
		return false
	}
	if s[0] == '2' && (s[1] == 'A' || s[1] == 'B') {
		return isDigits(s[2:], 3, 3)
	}
	return isDigits(s, 5, 5)
}

func isDepartementCode(s string) bool {
	return s == "2A" || s == "2B" || isDigits(s, 2, 3)
}

// alsaceMoselle reports whether communes of département dep follow the local
// law of Alsace-Moselle (Moselle, Bas-Rhin, Haut-Rhin), under which CGCT
// L5221-1/L5221-2 and L5222-1 do not apply (CGCT L5815-1, L5816-1).
func alsaceMoselle(dep string) bool { return dep == "57" || dep == "67" || dep == "68" }
