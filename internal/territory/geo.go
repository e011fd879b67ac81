package territory

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"voisines/internal/audit"
	"voisines/internal/store"
)

// EarthRadiusKm is the mean Earth radius (IUGG) used for great-circle distances.
const EarthRadiusKm = 6371.0088

// Distance returns the great-circle distance in kilometres between a and b
// (haversine formula).
func Distance(a, b Point) float64 {
	const rad = math.Pi / 180
	dLat := (b.Lat - a.Lat) * rad
	dLon := (b.Lon - a.Lon) * rad
	s1, s2 := math.Sin(dLat/2), math.Sin(dLon/2)
	h := s1*s1 + math.Cos(a.Lat*rad)*math.Cos(b.Lat*rad)*s2*s2
	return 2 * EarthRadiusKm * math.Asin(math.Sqrt(min(h, 1)))
}

// Valid reports whether p is a finite position on Earth.
func (p Point) Valid() bool {
	return p.Lat >= -90 && p.Lat <= 90 && p.Lon >= -180 && p.Lon <= 180
}

// csvFile reads a CSV file whose columns are found by their header names.
type csvFile struct {
	name string // base name, for errors
	r    *csv.Reader
	col  map[string]int // header name (lower case) → index
	rec  []string
}

func newCSV(name string, r io.Reader) (*csvFile, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err == io.EOF {
		return nil, &FileError{File: name, Line: 1, Err: errors.New("empty file, want a header line")}
	}
	if err != nil {
		return nil, csvErr(name, err)
	}
	f := &csvFile{name: name, r: cr, col: map[string]int{}}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if _, dup := f.col[h]; !dup {
			f.col[h] = i
		}
	}
	return f, nil
}

// column returns the index of the first header among names, or an error
// naming the first.
func (f *csvFile) column(names ...string) (int, error) {
	for _, n := range names {
		if i, ok := f.col[n]; ok {
			return i, nil
		}
	}
	return 0, &FileError{File: f.name, Line: 1, Field: names[0], Err: errors.New("missing column in the header")}
}

// next reads the next record; io.EOF at the end.
func (f *csvFile) next() error {
	rec, err := f.r.Read()
	if err != nil {
		if err == io.EOF {
			return err
		}
		return csvErr(f.name, err)
	}
	f.rec = rec
	return nil
}

func (f *csvFile) line() int {
	line, _ := f.r.FieldPos(0)
	return line
}

// field returns the trimmed value of column i, or an error naming it when the
// record is too short.
func (f *csvFile) field(i int, name string) (string, error) {
	if i >= len(f.rec) {
		return "", f.errf(name, "missing value (the line has %d fields)", len(f.rec))
	}
	return strings.TrimSpace(f.rec[i]), nil
}

func (f *csvFile) errf(column, format string, args ...any) error {
	return &FileError{File: f.name, Line: f.line(), Field: column, Err: fmt.Errorf(format, args...)}
}

func csvErr(name string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &FileError{File: name, Line: pe.Line, Field: fmt.Sprintf("#%d", pe.Column), Err: pe.Err}
	}
	return &FileError{File: name, Record: -1, Err: err}
}

func (f *csvFile) float(i int, name string) (float64, error) {
	s, err := f.field(i, name)
	if err != nil {
		return 0, err
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, f.errf(name, "got %q, want a number", s)
	}
	return v, nil
}

func (f *csvFile) communeCode(i int, name string) (string, error) {
	s, err := f.field(i, name)
	if err != nil {
		return "", err
	}
	if !isCommuneCode(s) {
		return "", f.errf(name, "got %q, want an INSEE code of 5 characters", s)
	}
	return s, nil
}

type coordRow struct {
	code string
	p    Point
	line int
}

// parseCoords reads a CSV of commune points with columns code, lat and lon
// (others are ignored).
func parseCoords(name string, r io.Reader) ([]coordRow, error) {
	f, err := newCSV(name, r)
	if err != nil {
		return nil, err
	}
	iCode, err := f.column("code", "code_insee", "insee", "codgeo")
	if err != nil {
		return nil, err
	}
	iLat, err := f.column("lat", "latitude")
	if err != nil {
		return nil, err
	}
	iLon, err := f.column("lon", "longitude", "lng")
	if err != nil {
		return nil, err
	}
	var rows []coordRow
	seen := map[string]int{}
	for {
		if err := f.next(); err == io.EOF {
			return rows, nil
		} else if err != nil {
			return nil, err
		}
		var row coordRow
		row.line = f.line()
		if row.code, err = f.communeCode(iCode, "code"); err != nil {
			return nil, err
		}
		if first, dup := seen[row.code]; dup {
			return nil, f.errf("code", "commune %s already on line %d", row.code, first)
		}
		if row.p.Lat, err = f.float(iLat, "lat"); err != nil {
			return nil, err
		}
		if row.p.Lat < -90 || row.p.Lat > 90 {
			return nil, f.errf("lat", "got %v, want a latitude between -90 and 90", row.p.Lat)
		}
		if row.p.Lon, err = f.float(iLon, "lon"); err != nil {
			return nil, err
		}
		if row.p.Lon < -180 || row.p.Lon > 180 {
			return nil, f.errf("lon", "got %v, want a longitude between -180 and 180", row.p.Lon)
		}
		seen[row.code] = row.line
		rows = append(rows, row)
	}
}

// maxBorderKm bounds a shared border: far above any real one (the longest
// are a few tens of kilometres), it keeps metres within an int64.
const maxBorderKm = 10000

type adjRow struct {
	a, b    string // a < b
	borderM int64
	line    int
}

// parseAdjacency reads a CSV of pairs of communes sharing a border, with
// columns code_a, code_b and border_km (the length of the shared border).
func parseAdjacency(name string, r io.Reader) ([]adjRow, error) {
	f, err := newCSV(name, r)
	if err != nil {
		return nil, err
	}
	iA, err := f.column("code_a")
	if err != nil {
		return nil, err
	}
	iB, err := f.column("code_b")
	if err != nil {
		return nil, err
	}
	iKm, err := f.column("border_km")
	if err != nil {
		return nil, err
	}
	var rows []adjRow
	seen := map[[2]string]int{}
	for {
		if err := f.next(); err == io.EOF {
			return rows, nil
		} else if err != nil {
			return nil, err
		}
		row := adjRow{line: f.line()}
		if row.a, err = f.communeCode(iA, "code_a"); err != nil {
			return nil, err
		}
		if row.b, err = f.communeCode(iB, "code_b"); err != nil {
			return nil, err
		}
		if row.a == row.b {
			return nil, f.errf("code_b", "commune %s paired with itself", row.a)
		}
		if row.a > row.b {
			row.a, row.b = row.b, row.a
		}
		km, err := f.float(iKm, "border_km")
		if err != nil {
			return nil, err
		}
		if km < 0 || km > maxBorderKm {
			return nil, f.errf("border_km", "got %v, want a length between 0 and %d km", km, maxBorderKm)
		}
		row.borderM = int64(math.Round(km * 1000))
		key := [2]string{row.a, row.b}
		if first, dup := seen[key]; dup {
			return nil, f.errf("code_b", "pair %s–%s already on line %d", row.a, row.b, first)
		}
		seen[key] = row.line
		rows = append(rows, row)
	}
}

func parseCSVFile[T any](path string, parse func(string, io.Reader) ([]T, error)) ([]T, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("territory: %w", err)
	}
	defer f.Close()
	return parse(filepath.Base(path), f)
}

// ImportGeo imports commune coordinates (CSV with columns code, lat, lon) and
// adjacency (CSV with columns code_a, code_b, border_km); either path may be
// empty to skip it. Coordinates are set for the communes listed; the
// adjacency table is replaced. All or nothing: a bad value or an unknown
// commune refuses the whole import, naming the file, line and column.
func (s *Service) ImportGeo(ctx context.Context, coordsPath, adjacencyPath string, progress Progress) (GeoReport, error) {
	started := time.Now().UTC()
	var coords []coordRow
	var adj []adjRow
	var err error
	var sources []string
	if coordsPath != "" {
		if progress != nil {
			progress("read coordinates", 0, 1)
		}
		if coords, err = parseCSVFile(coordsPath, parseCoords); err != nil {
			return GeoReport{}, err
		}
		if progress != nil {
			progress("read coordinates", 1, 1)
		}
		sources = append(sources, filepath.Base(coordsPath))
	}
	if adjacencyPath != "" {
		if progress != nil {
			progress("read adjacency", 0, 1)
		}
		if adj, err = parseCSVFile(adjacencyPath, parseAdjacency); err != nil {
			return GeoReport{}, err
		}
		if progress != nil {
			progress("read adjacency", 1, 1)
		}
		sources = append(sources, filepath.Base(adjacencyPath))
	}
	if len(sources) == 0 {
		return GeoReport{}, errors.New("territory: import geo: no file given")
	}
	rep := GeoReport{Coordinates: len(coords), Adjacencies: len(adj)}
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		known, err := communeCodes(ctx, tx)
		if err != nil {
			return err
		}
		// Check both files before writing anything.
		for _, r := range coords {
			if !known[r.code] {
				return &FileError{File: filepath.Base(coordsPath), Line: r.line, Field: "code",
					Err: fmt.Errorf("unknown commune %s (import the COG first?)", r.code)}
			}
		}
		for _, r := range adj {
			for _, c := range [2]struct{ code, col string }{{r.a, "code_a"}, {r.b, "code_b"}} {
				if !known[c.code] {
					return &FileError{File: filepath.Base(adjacencyPath), Line: r.line, Field: c.col,
						Err: fmt.Errorf("unknown commune %s (import the COG first?)", c.code)}
				}
			}
		}
		// Adjacency first: its foreign-key checks then find each commune's
		// row in one version, before the coordinates update adds another.
		if adjacencyPath != "" {
			if err := writeAdjacency(ctx, tx, adj, progress); err != nil {
				return err
			}
		}
		if coordsPath != "" {
			if err := writeCoords(ctx, tx, coords, progress); err != nil {
				return err
			}
		}
		summary := fmt.Sprintf(`{"coordinates":%d,"adjacencies":%d}`, rep.Coordinates, rep.Adjacencies)
		if _, err := tx.ExecContext(ctx, `INSERT INTO import_runs (kind, source, summary, started_at, finished_at) VALUES (?, ?, ?, ?, ?)`,
			"geo", strings.Join(sources, " "), summary, started, time.Now().UTC()); err != nil {
			return fmt.Errorf("territory: record import run: %w", err)
		}
		return audit.Record(ctx, tx, audit.Entry{Actor: AuditActor, Action: "territory.import_geo",
			Entity: "territory", EntityID: strings.Join(sources, " "), Detail: rep})
	})
	if err != nil {
		return GeoReport{}, err
	}
	s.invalidate()
	return rep, nil
}

func communeCodes(ctx context.Context, q store.Querier) (map[string]bool, error) {
	rows, err := q.QueryContext(ctx, `SELECT code FROM communes`)
	if err != nil {
		return nil, fmt.Errorf("territory: read communes: %w", err)
	}
	defer rows.Close()
	known := make(map[string]bool, 40000)
	for rows.Next() {
		var code string
		if err := rows.Scan(&code); err != nil {
			return nil, fmt.Errorf("territory: read communes: %w", err)
		}
		known[code] = true
	}
	return known, rows.Err()
}

// writeCoords sets lat/lon of the listed communes, skipping unchanged ones.
func writeCoords(ctx context.Context, tx *store.Tx, rows []coordRow, progress Progress) error {
	n := len(rows)
	if progress != nil {
		progress("coordinates", 0, n)
	}
	if tx.Dialect() == store.Postgres {
		code, lat, lon := make([]string, n), make([]float64, n), make([]float64, n)
		for i, r := range rows {
			code[i], lat[i], lon[i] = r.code, r.p.Lat, r.p.Lon
		}
		if _, err := tx.ExecContext(ctx, `UPDATE communes SET lat = v.lat, lon = v.lon
			FROM unnest(?::text[], ?::float8[], ?::float8[]) AS v (code, lat, lon)
			WHERE communes.code = v.code AND (communes.lat IS DISTINCT FROM v.lat OR communes.lon IS DISTINCT FROM v.lon)`,
			code, lat, lon); err != nil {
			return fmt.Errorf("territory: write coordinates: %w", err)
		}
	} else {
		statement := func(k int) string {
			return `UPDATE communes SET lat = v.column2, lon = v.column3 FROM (VALUES ` +
				strings.TrimSuffix(strings.Repeat("(?, ?, ?), ", k), ", ") + `) AS v
				WHERE communes.code = v.column1 AND (communes.lat IS DISTINCT FROM v.column2 OR communes.lon IS DISTINCT FROM v.column3)`
		}
		full, err := tx.PrepareContext(ctx, statement(sqliteBatchRows))
		if err != nil {
			return fmt.Errorf("territory: write coordinates: %w", err)
		}
		defer full.Close()
		args := make([]any, 0, 3*sqliteBatchRows)
		for start := 0; start < n; start += sqliteBatchRows {
			end := min(start+sqliteBatchRows, n)
			args = args[:0]
			for _, r := range rows[start:end] {
				args = append(args, r.code, r.p.Lat, r.p.Lon)
			}
			if end-start == sqliteBatchRows {
				_, err = full.ExecContext(ctx, args...)
			} else {
				_, err = tx.ExecContext(ctx, statement(end-start), args...)
			}
			if err != nil {
				return fmt.Errorf("territory: write coordinates: %w", store.MapError(err))
			}
			if progress != nil {
				progress("coordinates", end, n)
			}
		}
	}
	if progress != nil {
		progress("coordinates", n, n)
	}
	return nil
}

// writeAdjacency makes the adjacency table hold exactly rows. It writes only
// the difference: new pairs are inserted, changed borders updated and pairs
// no longer listed deleted, so that importing the same file again writes
// nothing (and readers are never blocked, as TRUNCATE would).
func writeAdjacency(ctx context.Context, tx *store.Tx, rows []adjRow, progress Progress) error {
	old := map[[2]string]int64{}
	q, err := tx.QueryContext(ctx, `SELECT code_a, code_b, border_m FROM commune_adjacency`)
	if err != nil {
		return fmt.Errorf("territory: read adjacency: %w", err)
	}
	for q.Next() {
		var k [2]string
		var m int64
		if err := q.Scan(&k[0], &k[1], &m); err != nil {
			q.Close()
			return fmt.Errorf("territory: read adjacency: %w", err)
		}
		old[k] = m
	}
	q.Close()
	if err := q.Err(); err != nil {
		return fmt.Errorf("territory: read adjacency: %w", err)
	}
	var a, b []string
	var m []int64
	var changed []adjRow
	for _, r := range rows {
		k := [2]string{r.a, r.b}
		was, ok := old[k]
		switch {
		case !ok:
			a, b, m = append(a, r.a), append(b, r.b), append(m, r.borderM)
		case was != r.borderM:
			changed = append(changed, r)
		}
		delete(old, k)
	}
	for _, r := range changed {
		if _, err := tx.ExecContext(ctx, `UPDATE commune_adjacency SET border_m = ? WHERE code_a = ? AND code_b = ?`, r.borderM, r.a, r.b); err != nil {
			return fmt.Errorf("territory: update adjacency %s–%s: %w", r.a, r.b, err)
		}
	}
	for k := range old {
		if _, err := tx.ExecContext(ctx, `DELETE FROM commune_adjacency WHERE code_a = ? AND code_b = ?`, k[0], k[1]); err != nil {
			return fmt.Errorf("territory: delete adjacency %s–%s: %w", k[0], k[1], err)
		}
	}
	if progress != nil {
		progress("adjacency", 0, len(rows))
	}
	// The pairs inserted are new ones: nothing can conflict.
	if err := (upsert{table: "commune_adjacency", stage: "adjacency new pairs", empty: true,
		cols: []column{textCol("code_a", a), textCol("code_b", b), intCol("border_m", m)},
	}).run(ctx, tx, nil); err != nil {
		return err
	}
	if progress != nil {
		progress("adjacency", len(rows), len(rows))
	}
	return nil
}
