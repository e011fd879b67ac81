package territory

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"voisines/internal/store"
)

// ErrNoCoordinates means a commune has no point yet: run the geography import.
var ErrNoCoordinates = errors.New("commune has no coordinates (run `voisines import geo`)")

// Commune returns the commune with INSEE code code, or store.ErrNotFound.
func (s *Service) Commune(ctx context.Context, code string) (Commune, error) {
	q := s.db.Reader()
	var c Commune
	var postal string
	var lat, lon sql.NullFloat64
	err := q.QueryRowContext(ctx, `SELECT c.code, c.name, COALESCE(c.siren, ''), c.departement_code, COALESCE(d.name, ''),
			c.region_code, COALESCE(r.name, ''), c.arrondissement, c.zone, c.postal_codes,
			COALESCE(c.epci_siren, ''), COALESCE(e.name, ''), c.alsace_moselle, c.retired, c.lat, c.lon
		FROM communes c
		LEFT JOIN departements d ON d.code = c.departement_code
		LEFT JOIN regions r ON r.code = c.region_code
		LEFT JOIN epcis e ON e.siren = c.epci_siren
		WHERE c.code = ?`, code).Scan(&c.Code, &c.Name, &c.SIREN, &c.DepartementCode, &c.DepartementName,
		&c.RegionCode, &c.RegionName, &c.Arrondissement, &c.Zone, &postal,
		&c.EPCISIREN, &c.EPCIName, &c.AlsaceMoselle, &c.Retired, &lat, &lon)
	if err != nil {
		return Commune{}, fmt.Errorf("territory: commune %s: %w", code, store.MapError(err))
	}
	c.PostalCodes = strings.Fields(postal)
	if c.PostalCodes == nil {
		c.PostalCodes = []string{}
	}
	if lat.Valid && lon.Valid {
		c.Coordinates = &Point{Lat: lat.Float64, Lon: lon.Float64}
	}
	rows, err := q.QueryContext(ctx, `SELECT measure, source, vintage, value FROM commune_populations
		WHERE commune_code = ? ORDER BY source, measure`, code)
	if err != nil {
		return Commune{}, fmt.Errorf("territory: populations of %s: %w", code, err)
	}
	defer rows.Close()
	c.Populations = []Population{}
	for rows.Next() {
		var p Population
		if err := rows.Scan(&p.Measure, &p.Source, &p.Vintage, &p.Value); err != nil {
			return Commune{}, fmt.Errorf("territory: populations of %s: %w", code, err)
		}
		c.Populations = append(c.Populations, p)
	}
	if err := rows.Err(); err != nil {
		return Commune{}, fmt.Errorf("territory: populations of %s: %w", code, err)
	}
	return c, nil
}

// EPCI returns the EPCI with the given SIREN and its member communes, sorted
// by name.
func (s *Service) EPCI(ctx context.Context, siren string) (EPCI, error) {
	q := s.db.Reader()
	var e EPCI
	var pm, pt sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT siren, name, type, financing, population_municipale, population_totale,
			population_source, population_vintage, retired
		FROM epcis WHERE siren = ?`, siren).Scan(&e.SIREN, &e.Name, &e.Type, &e.Financing, &pm, &pt,
		&e.PopulationSource, &e.PopulationVintage, &e.Retired)
	if err != nil {
		return EPCI{}, fmt.Errorf("territory: EPCI %s: %w", siren, store.MapError(err))
	}
	e.PopulationMunicipale, e.PopulationTotale = pm.Int64, pt.Int64
	rows, err := q.QueryContext(ctx, `SELECT code, name, departement_code, search_name FROM communes
		WHERE epci_siren = ? AND NOT retired`, siren)
	if err != nil {
		return EPCI{}, fmt.Errorf("territory: members of EPCI %s: %w", siren, err)
	}
	defer rows.Close()
	type member struct {
		CommuneRef
		key string
	}
	var ms []member
	for rows.Next() {
		var m member
		if err := rows.Scan(&m.Code, &m.Name, &m.DepartementCode, &m.key); err != nil {
			return EPCI{}, fmt.Errorf("territory: members of EPCI %s: %w", siren, err)
		}
		ms = append(ms, m)
	}
	if err := rows.Err(); err != nil {
		return EPCI{}, fmt.Errorf("territory: members of EPCI %s: %w", siren, err)
	}
	// Sorting on the folded name keeps "Écully" beside "Ecuelles" whatever
	// the engine's collation.
	slices.SortFunc(ms, func(a, b member) int { return cmp.Or(cmp.Compare(a.key, b.key), cmp.Compare(a.Code, b.Code)) })
	e.Members = make([]CommuneRef, len(ms))
	for i, m := range ms {
		e.Members[i] = m.CommuneRef
	}
	return e, nil
}

// Departement returns a département with its number of current communes.
func (s *Service) Departement(ctx context.Context, code string) (Departement, error) {
	var d Departement
	err := s.db.Reader().QueryRowContext(ctx, `SELECT d.code, d.name, d.region_code,
			(SELECT COUNT(*) FROM communes c WHERE c.departement_code = d.code AND NOT c.retired)
		FROM departements d WHERE d.code = ?`, code).Scan(&d.Code, &d.Name, &d.RegionCode, &d.Communes)
	if err != nil {
		return Departement{}, fmt.Errorf("territory: département %s: %w", code, store.MapError(err))
	}
	return d, nil
}

// Search finds current communes by INSEE code, postal code or name (case- and
// accent-insensitive), best matches first: the exact code, the exact postal
// code, the exact name, names starting with q, names with a word starting
// with q, names containing q, then codes and postal codes starting with q.
// Within a rank, more populous communes come first. limit defaults to 20 and
// is capped at 100.
func (s *Service) Search(ctx context.Context, q string, limit int) ([]CommuneRef, error) {
	if limit <= 0 {
		limit = 20
	}
	limit = min(limit, 100)
	folded := Fold(q)
	out := []CommuneRef{}
	if folded == "" {
		return out, nil
	}
	code := strings.ToUpper(strings.TrimSpace(q))
	digits := isDigits(folded, 1, 5)
	postal, codePrefix := "", ""
	if digits && len(folded) == 5 {
		postal = folded
	}
	if digits && len(folded) >= 2 && len(folded) < 5 {
		codePrefix = folded
	}
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT c.code, c.name, c.departement_code, r.rank
		FROM (SELECT code,
			CASE WHEN code = ? THEN 0
				WHEN ? <> '' AND ' ' || postal_codes || ' ' LIKE '% ' || ? || ' %' THEN 1
				WHEN search_name = ? THEN 2
				WHEN search_name LIKE ? || '%' THEN 3
				WHEN search_name LIKE '% ' || ? || '%' THEN 4
				WHEN search_name LIKE '%' || ? || '%' THEN 5
				WHEN ? <> '' AND (code LIKE ? || '%' OR ' ' || postal_codes LIKE '% ' || ? || '%') THEN 6
				ELSE 9 END AS rank
			FROM communes WHERE NOT retired) r
		JOIN communes c ON c.code = r.code
		LEFT JOIN commune_populations p ON p.commune_code = c.code AND p.measure = 'municipale' AND p.source = ?
		WHERE r.rank < 9
		ORDER BY r.rank, COALESCE(p.value, 0) DESC, c.search_name, c.code
		LIMIT ?`,
		code, postal, postal, folded, folded, folded, folded, codePrefix, codePrefix, codePrefix, SourceCommunes, limit)
	if err != nil {
		return nil, fmt.Errorf("territory: search %q: %w", q, err)
	}
	defer rows.Close()
	for rows.Next() {
		var c CommuneRef
		var rank int
		if err := rows.Scan(&c.Code, &c.Name, &c.DepartementCode, &rank); err != nil {
			return nil, fmt.Errorf("territory: search %q: %w", q, err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("territory: search %q: %w", q, err)
	}
	return out, nil
}

// Adjacent lists the communes sharing a border with code, nearest first, with
// the length of the shared border and the distance between the communes'
// points (0 when either has no point yet).
func (s *Service) Adjacent(ctx context.Context, code string) ([]Neighbour, error) {
	q := s.db.Reader()
	var lat, lon sql.NullFloat64
	if err := q.QueryRowContext(ctx, `SELECT lat, lon FROM communes WHERE code = ?`, code).Scan(&lat, &lon); err != nil {
		return nil, fmt.Errorf("territory: adjacent to %s: %w", code, store.MapError(err))
	}
	rows, err := q.QueryContext(ctx, `SELECT n.code, n.name, n.departement_code, n.search_name, n.lat, n.lon, a.border_m
		FROM commune_adjacency a JOIN communes n ON n.code = a.code_b WHERE a.code_a = ?
		UNION ALL
		SELECT n.code, n.name, n.departement_code, n.search_name, n.lat, n.lon, a.border_m
		FROM commune_adjacency a JOIN communes n ON n.code = a.code_a WHERE a.code_b = ?`, code, code)
	if err != nil {
		return nil, fmt.Errorf("territory: adjacent to %s: %w", code, err)
	}
	defer rows.Close()
	type neighbour struct {
		Neighbour
		key string
	}
	var ns []neighbour
	for rows.Next() {
		var n neighbour
		var nlat, nlon sql.NullFloat64
		if err := rows.Scan(&n.Code, &n.Name, &n.DepartementCode, &n.key, &nlat, &nlon, &n.BorderM); err != nil {
			return nil, fmt.Errorf("territory: adjacent to %s: %w", code, err)
		}
		if lat.Valid && lon.Valid && nlat.Valid && nlon.Valid {
			n.DistanceKm = Distance(Point{lat.Float64, lon.Float64}, Point{nlat.Float64, nlon.Float64})
		}
		ns = append(ns, n)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("territory: adjacent to %s: %w", code, err)
	}
	slices.SortFunc(ns, func(a, b neighbour) int {
		return cmp.Or(cmp.Compare(a.DistanceKm, b.DistanceKm), cmp.Compare(a.key, b.key), cmp.Compare(a.Code, b.Code))
	})
	out := make([]Neighbour, len(ns))
	for i, n := range ns {
		out[i] = n.Neighbour
	}
	return out, nil
}

// Within lists the current communes whose point lies within km of code's
// point, nearest first, without code itself. It answers from an in-memory
// spatial index built on first use.
func (s *Service) Within(ctx context.Context, code string, km float64) ([]Neighbour, error) {
	if !(km > 0) || math.IsInf(km, 0) {
		return nil, fmt.Errorf("territory: within %v km of %s: the radius must be a positive number of kilometres", km, code)
	}
	g, err := s.gridFor(ctx)
	if err != nil {
		return nil, err
	}
	self, ok := g.index[code]
	if !ok {
		var retired bool
		err := s.db.Reader().QueryRowContext(ctx, `SELECT retired FROM communes WHERE code = ?`, code).Scan(&retired)
		switch {
		case err != nil:
			return nil, fmt.Errorf("territory: within %v km of %s: %w", km, code, store.MapError(err))
		case retired:
			return nil, fmt.Errorf("territory: within %v km of %s: the commune is retired: %w", km, code, store.ErrNotFound)
		}
		return nil, fmt.Errorf("territory: within %v km of %s: %w", km, code, ErrNoCoordinates)
	}
	buf := hitPool.Get().(*hitBuf)
	defer hitPool.Put(buf)
	return buf.around(g, self, km, nil), nil
}

// WithinAll calls fn for every current commune that has a point, in code
// order, with the communes within km of it, nearest first (what Within
// returns for it). It is the batch form for reports and suggestions: the
// slice given to fn is reused by the next call, so copy what you keep. An
// error from fn stops the walk and is returned.
func (s *Service) WithinAll(ctx context.Context, km float64, fn func(c CommuneRef, ns []Neighbour) error) error {
	if !(km > 0) || math.IsInf(km, 0) {
		return fmt.Errorf("territory: within %v km: the radius must be a positive number of kilometres", km)
	}
	g, err := s.gridFor(ctx)
	if err != nil {
		return err
	}
	var buf hitBuf
	var ns []Neighbour
	for k, i := range g.byCode {
		if k%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		ns = buf.around(g, i, km, ns[:0])
		if err := fn(g.pts[i].ref, ns); err != nil {
			return err
		}
	}
	return nil
}

type hit struct {
	d float64
	i int32 // position in grid.pts
}

// hitBuf holds the scratch space of one Within call.
type hitBuf struct {
	hits []hit
	keys []uint64
}

var hitPool = sync.Pool{New: func() any { return new(hitBuf) }}

// keyBits is how many low bits of a sort key hold the hit's position.
const keyBits = 20

// around returns, appended to dst, the points within km of point self
// (itself excluded) as neighbours, nearest first, then by code.
func (b *hitBuf) around(g *grid, self int32, km float64, dst []Neighbour) []Neighbour {
	b.hits = b.hits[:0]
	g.within(g.pts[self].p, km, func(i int32, d float64) {
		if i != self {
			b.hits = append(b.hits, hit{d, i})
		}
	})
	return b.sorted(g, dst)
}

// sorted returns, appended to dst, the hits as neighbours, nearest first,
// then by code. The
// distances are non-negative, so their IEEE bits sort like the numbers: the
// hits are sorted as plain integers (the distance's bits, with the lowest
// mantissa bits replaced by the hit's position), several times faster than
// with a comparison function; a final insertion pass, linear on the nearly
// sorted keys, restores the exact order among near-ties. Only then is the
// result built, once.
func (b *hitBuf) sorted(g *grid, dst []Neighbour) []Neighbour {
	n, start := len(b.hits), len(dst)
	dst = slices.Grow(dst, n)[:start+n]
	out := dst[start:]
	if n >= 1<<keyBits { // more hits than a key can number: sort them plainly
		for j, h := range b.hits {
			out[j] = Neighbour{CommuneRef: g.pts[h.i].ref, DistanceKm: h.d}
		}
		slices.SortFunc(out, func(a, b Neighbour) int {
			return cmp.Or(cmp.Compare(a.DistanceKm, b.DistanceKm), cmp.Compare(a.Code, b.Code))
		})
		return dst
	}
	const mask = 1<<keyBits - 1
	keys := slices.Grow(b.keys[:0], n)[:n]
	for k, h := range b.hits {
		keys[k] = math.Float64bits(h.d)&^mask | uint64(k)
	}
	slices.Sort(keys)
	less := func(x, y uint64) bool {
		hx, hy := &b.hits[x&mask], &b.hits[y&mask]
		return hx.d < hy.d || hx.d == hy.d && g.pts[hx.i].ref.Code < g.pts[hy.i].ref.Code
	}
	for j := 1; j < n; j++ {
		for m := j; m > 0 && less(keys[m], keys[m-1]); m-- {
			keys[m], keys[m-1] = keys[m-1], keys[m]
		}
	}
	for j, key := range keys {
		h := b.hits[key&mask]
		out[j] = Neighbour{CommuneRef: g.pts[h.i].ref, DistanceKm: h.d}
	}
	b.keys = keys
	return dst
}

// gridRecheck is how often the spatial index compares itself with the last
// import, so that an import made by another process is seen.
const gridRecheck = 5 * time.Second

// gridFor returns the spatial index, building it when missing or when an
// import has been recorded since it was built.
func (s *Service) gridFor(ctx context.Context) (*grid, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	if s.grid != nil && now.Sub(s.gridCheck) < gridRecheck {
		return s.grid, nil
	}
	q := s.db.Reader()
	var run int64
	if err := q.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM import_runs`).Scan(&run); err != nil {
		return nil, fmt.Errorf("territory: spatial index: %w", err)
	}
	if s.grid != nil && run == s.gridRun {
		s.gridCheck = now
		return s.grid, nil
	}
	rows, err := q.QueryContext(ctx, `SELECT code, name, departement_code, lat, lon FROM communes
		WHERE lat IS NOT NULL AND lon IS NOT NULL AND NOT retired`)
	if err != nil {
		return nil, fmt.Errorf("territory: spatial index: %w", err)
	}
	defer rows.Close()
	pts := make([]gridPoint, 0, 35000)
	for rows.Next() {
		var p gridPoint
		if err := rows.Scan(&p.ref.Code, &p.ref.Name, &p.ref.DepartementCode, &p.p.Lat, &p.p.Lon); err != nil {
			return nil, fmt.Errorf("territory: spatial index: %w", err)
		}
		pts = append(pts, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("territory: spatial index: %w", err)
	}
	s.grid, s.gridRun, s.gridCheck = newGrid(pts), run, now
	return s.grid, nil
}

// invalidate drops the spatial index after an import by this Service.
func (s *Service) invalidate() {
	s.mu.Lock()
	s.grid = nil
	s.mu.Unlock()
}
