package territory

import (
	"archive/zip"
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"voisines/internal/audit"
	"voisines/internal/store"
)

// AuditActor is the actor recorded in the audit log for the imports, which
// run from the command line (or the demo) rather than for a user.
const AuditActor = "system:cli"

// shippedCOG is the official geographic code shipped inside the binary: the
// four JSON files of @etalab/decoupage-administratif reduced to the fields
// Voisines reads, zipped by tools/gencog.
//
//go:embed cogdata/cog.zip
var shippedCOG []byte

// ShippedCOG returns the territory shipped inside the binary as a file system
// holding package.json and data/*.json, for ImportCOG.
func ShippedCOG() (fs.FS, error) {
	zr, err := zip.NewReader(bytes.NewReader(shippedCOG), int64(len(shippedCOG)))
	if err != nil {
		return nil, fmt.Errorf("territory: shipped COG: %w", err)
	}
	return zr, nil
}

// ImportShippedCOG imports the territory shipped inside the binary.
func (s *Service) ImportShippedCOG(ctx context.Context, progress Progress) (ImportReport, error) {
	fsys, err := ShippedCOG()
	if err != nil {
		return ImportReport{}, err
	}
	return s.ImportCOG(ctx, fsys, progress)
}

// ImportCOG imports the official geographic code from the four JSON files of
// @etalab/decoupage-administratif (communes.json, epci.json,
// departements.json, regions.json) found in dir, which is either the package
// root (package.json and data/) or its data folder; the vintage is read from
// package.json when present.
//
// The import is all or nothing and idempotent: communes, EPCI, départements and
// régions are upserted; population figures of the files' two sources are
// replaced; communes and EPCI absent from the files are marked retired (never
// deleted: organisations may refer to them). Every commune and EPCI gets an
// organisation, whose profile is left alone when it exists.
func (s *Service) ImportCOG(ctx context.Context, dir fs.FS, progress Progress) (ImportReport, error) {
	started := time.Now().UTC()
	d, err := readCOG(dir, progress)
	if err != nil {
		return ImportReport{}, err
	}
	rep := ImportReport{
		Vintage:      d.vintage,
		Regions:      len(d.regions),
		Departements: len(d.departements),
		Communes:     len(d.communes),
		EPCI:         len(d.epcis),
		Members:      d.members,
	}
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := writeCOG(ctx, tx, d, started, &rep, progress); err != nil {
			return err
		}
		summary, _ := json.Marshal(rep)
		if _, err := tx.ExecContext(ctx, `INSERT INTO import_runs (kind, source, summary, started_at, finished_at) VALUES (?, ?, ?, ?, ?)`,
			"cog", d.vintage, string(summary), started, time.Now().UTC()); err != nil {
			return fmt.Errorf("territory: record import run: %w", err)
		}
		// Last in the transaction: on PostgreSQL it holds the log's lock to the end.
		return audit.Record(ctx, tx, audit.Entry{Actor: AuditActor, Action: "territory.import_cog",
			Entity: "territory", EntityID: d.vintage, Detail: rep})
	})
	if err != nil {
		return ImportReport{}, err
	}
	s.invalidate()
	return rep, nil
}

// writeCOG writes d inside tx. Parents come before children so that foreign
// keys hold at every statement: régions, départements, EPCI, communes, then
// populations and organisations.
func writeCOG(ctx context.Context, tx *store.Tx, d *cogData, now time.Time, rep *ImportReport, progress Progress) error {
	// On a first import nothing can conflict: plain INSERTs are cheaper.
	var noCommunes, noPopulations, noCommuneOrgs, noEPCIOrgs bool
	if err := tx.QueryRowContext(ctx, `SELECT
			NOT EXISTS (SELECT 1 FROM communes),
			NOT EXISTS (SELECT 1 FROM commune_populations WHERE source IN (?, ?)),
			NOT EXISTS (SELECT 1 FROM organisations WHERE commune_code IS NOT NULL),
			NOT EXISTS (SELECT 1 FROM organisations WHERE epci_siren IS NOT NULL)`, SourceCommunes, SourceEPCI).
		Scan(&noCommunes, &noPopulations, &noCommuneOrgs, &noEPCIOrgs); err != nil {
		return fmt.Errorf("territory: read the current territory: %w", err)
	}
	// Régions and départements.
	{
		n := len(d.regions)
		code, name, chef, zone := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		for i, r := range d.regions {
			code[i], name[i], chef[i], zone[i] = r.Code, r.Name, r.ChefLieu, r.Zone
		}
		if err := (upsert{table: "regions", stage: "regions",
			cols:   []column{textCol("code", code), textCol("name", name), textCol("chef_lieu", chef), textCol("zone", zone)},
			key:    []string{"code"},
			update: []string{"name", "chef_lieu", "zone"},
		}).run(ctx, tx, progress); err != nil {
			return err
		}
	}
	{
		n := len(d.departements)
		code, name, region, chef, zone := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		for i, r := range d.departements {
			code[i], name[i], region[i], chef[i], zone[i] = r.Code, r.Name, r.Region, r.ChefLieu, r.Zone
		}
		if err := (upsert{table: "departements", stage: "departements",
			cols: []column{textCol("code", code), textCol("name", name), textCol("region_code", region),
				textCol("chef_lieu", chef), textCol("zone", zone)},
			key:    []string{"code"},
			update: []string{"name", "region_code", "chef_lieu", "zone"},
		}).run(ctx, tx, progress); err != nil {
			return err
		}
	}

	// EPCI.
	{
		n := len(d.epcis)
		siren, name, typ, fin := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		pm, pt := make([]*int64, n), make([]*int64, n)
		src, vintage := make([]string, n), make([]string, n)
		retired := make([]bool, n)
		for i, e := range d.epcis {
			siren[i], name[i], typ[i], fin[i] = e.Code, e.Name, e.Type, e.Financing
			pm[i], pt[i] = e.PopulationMunicipale, e.PopulationTotale
			src[i], vintage[i] = SourceEPCI, d.vintage
		}
		if err := (upsert{table: "epcis", stage: "epci",
			cols: []column{textCol("siren", siren), textCol("name", name), textCol("type", typ), textCol("financing", fin),
				nullIntCol("population_municipale", pm), nullIntCol("population_totale", pt),
				textCol("population_source", src), textCol("population_vintage", vintage), boolCol("retired", retired)},
			key: []string{"siren"},
			update: []string{"name", "type", "financing", "population_municipale", "population_totale",
				"population_source", "population_vintage", "retired"},
		}).run(ctx, tx, progress); err != nil {
			return err
		}
	}

	// Communes.
	{
		n := len(d.communes)
		code, name, search, dep, reg := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		arr, zone, postal := make([]string, n), make([]string, n), make([]string, n)
		siren, epci := make([]*string, n), make([]*string, n)
		am, retired := make([]bool, n), make([]bool, n)
		for i := range d.communes {
			c := &d.communes[i]
			code[i], name[i], search[i], dep[i], reg[i] = c.Code, c.Name, Fold(c.Name), c.Departement, c.Region
			arr[i], zone[i], postal[i] = c.Arrondissement, c.Zone, strings.Join(c.PostalCodes, " ")
			if c.SIREN != "" {
				siren[i] = &c.SIREN
			}
			if e, ok := d.epciOf[c.Code]; ok {
				epci[i] = &e
			}
			am[i] = alsaceMoselle(c.Departement)
		}
		if err := (upsert{table: "communes", stage: "communes",
			cols: []column{textCol("code", code), textCol("name", name), textCol("search_name", search),
				nullTextCol("siren", siren), textCol("departement_code", dep), textCol("region_code", reg),
				textCol("arrondissement", arr), textCol("zone", zone), textCol("postal_codes", postal),
				nullTextCol("epci_siren", epci), boolCol("alsace_moselle", am), boolCol("retired", retired)},
			key: []string{"code"},
			update: []string{"name", "search_name", "siren", "departement_code", "region_code", "arrondissement",
				"zone", "postal_codes", "epci_siren", "alsace_moselle", "retired"},
			empty: noCommunes,
		}).run(ctx, tx, progress); err != nil {
			return err
		}
	}

	// Populations: one figure per commune from communes.json (municipale), two
	// per member commune from epci.json (municipale and totale). They are
	// written in primary-key order, commune by commune, so that the index
	// grows at its end and the foreign-key lookups walk communes in order.
	{
		member := make(map[string]*memberRec, d.members)
		for i := range d.epcis {
			for j := range d.epcis[i].Members {
				m := &d.epcis[i].Members[j]
				member[m.Code] = m
			}
		}
		n := len(d.communes) + 2*d.members
		code, measure, src, vintage := make([]string, 0, n), make([]string, 0, n), make([]string, 0, n), make([]string, 0, n)
		value := make([]int64, 0, n)
		add := func(c, m, s string, v int64) {
			code, measure, src, vintage, value = append(code, c), append(measure, m), append(src, s), append(vintage, d.vintage), append(value, v)
		}
		for _, c := range d.communes {
			if c.Population != nil {
				add(c.Code, "municipale", SourceCommunes, *c.Population)
			}
			if m := member[c.Code]; m != nil {
				add(c.Code, "municipale", SourceEPCI, *m.PopulationMunicipale)
				add(c.Code, "totale", SourceEPCI, *m.PopulationTotale)
			}
		}
		if err := (upsert{table: "commune_populations", stage: "populations",
			cols: []column{textCol("commune_code", code), textCol("measure", measure), textCol("source", src),
				textCol("vintage", vintage), intCol("value", value)},
			key:    []string{"commune_code", "measure", "source"},
			update: []string{"vintage", "value"},
			empty:  noPopulations,
		}).run(ctx, tx, progress); err != nil {
			return err
		}
		rep.Populations = len(code)
		// Figures of these two sources that the new files no longer give. Every
		// new figure is now in the table, so there are stale ones only when the
		// table holds more than were written.
		stale, err := count(ctx, tx, `SELECT COUNT(*) FROM commune_populations WHERE source IN (?, ?)`, SourceCommunes, SourceEPCI)
		if err != nil {
			return err
		}
		if stale > len(code) {
			fresh := make(map[[3]string]bool, len(code))
			for i := range code {
				fresh[[3]string{code[i], measure[i], src[i]}] = true
			}
			err := eachRow(ctx, tx, `SELECT commune_code, measure, source FROM commune_populations WHERE source IN (?, ?)`,
				[]any{SourceCommunes, SourceEPCI}, func(k [3]string) error {
					if fresh[k] {
						return nil
					}
					_, err := tx.ExecContext(ctx, `DELETE FROM commune_populations WHERE commune_code = ? AND measure = ? AND source = ?`, k[0], k[1], k[2])
					return err
				})
			if err != nil {
				return fmt.Errorf("territory: delete stale populations: %w", err)
			}
		}
	}

	// Communes and EPCI that the files no longer list are retired, not deleted.
	if n, err := count(ctx, tx, `SELECT COUNT(*) FROM communes WHERE NOT retired`); err != nil {
		return err
	} else if n > len(d.communes) {
		fresh := make(map[string]bool, len(d.communes))
		for _, c := range d.communes {
			fresh[c.Code] = true
		}
		if err := retire(ctx, tx, `SELECT code, '', '' FROM communes WHERE NOT retired`,
			`UPDATE communes SET retired = ?, epci_siren = NULL WHERE code = ?`, fresh, &rep.Retired); err != nil {
			return fmt.Errorf("territory: retire communes: %w", err)
		}
	}
	if n, err := count(ctx, tx, `SELECT COUNT(*) FROM epcis WHERE NOT retired`); err != nil {
		return err
	} else if n > len(d.epcis) {
		fresh := make(map[string]bool, len(d.epcis))
		for _, e := range d.epcis {
			fresh[e.Code] = true
		}
		if err := retire(ctx, tx, `SELECT siren, '', '' FROM epcis WHERE NOT retired`,
			`UPDATE epcis SET retired = ? WHERE siren = ?`, fresh, &rep.Retired); err != nil {
			return fmt.Errorf("territory: retire EPCI: %w", err)
		}
	}

	// Organisations: one per commune and per EPCI. Only the identity columns
	// follow the COG; the profile and version belong to the organisation.
	{
		n := len(d.communes)
		kind, name, dep, code := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		siren := make([]*string, n)
		at := make([]time.Time, n)
		for i := range d.communes {
			c := &d.communes[i]
			kind[i], name[i], dep[i], code[i], at[i] = "commune", c.Name, c.Departement, c.Code, now
			if c.SIREN != "" {
				siren[i] = &c.SIREN
			}
		}
		if err := (upsert{table: "organisations", stage: "commune organisations",
			cols: []column{textCol("kind", kind), textCol("name", name), nullTextCol("siren", siren),
				textCol("commune_code", code), textCol("departement_code", dep),
				timeCol("created_at", at), timeCol("updated_at", at)},
			key:     []string{"commune_code"},
			update:  []string{"name", "siren", "departement_code", "updated_at"},
			compare: []string{"name", "siren", "departement_code"},
			empty:   noCommuneOrgs,
		}).run(ctx, tx, progress); err != nil {
			return err
		}
	}
	{
		n := len(d.epcis)
		kind, name, siren := make([]string, n), make([]string, n), make([]string, n)
		at := make([]time.Time, n)
		for i, e := range d.epcis {
			kind[i], name[i], siren[i], at[i] = "epci", e.Name, e.Code, now
		}
		if err := (upsert{table: "organisations", stage: "EPCI organisations",
			cols: []column{textCol("kind", kind), textCol("name", name), textCol("siren", siren),
				textCol("epci_siren", siren), timeCol("created_at", at), timeCol("updated_at", at)},
			key:     []string{"epci_siren"},
			update:  []string{"name", "siren", "updated_at"},
			compare: []string{"name", "siren"},
			empty:   noEPCIOrgs,
		}).run(ctx, tx, progress); err != nil {
			return err
		}
	}
	rep.Organisations = len(d.communes) + len(d.epcis)
	return nil
}

func count(ctx context.Context, tx *store.Tx, query string, args ...any) (int, error) {
	var n int
	if err := tx.QueryRowContext(ctx, query, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("territory: count: %w", err)
	}
	return n, nil
}

// eachRow reads every row of a query of three text columns, then calls fn for
// each (after closing the rows, so that fn may write).
func eachRow(ctx context.Context, tx *store.Tx, query string, args []any, fn func([3]string) error) error {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	var all [][3]string
	for rows.Next() {
		var k [3]string
		if err := rows.Scan(&k[0], &k[1], &k[2]); err != nil {
			rows.Close()
			return err
		}
		all = append(all, k)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, k := range all {
		if err := fn(k); err != nil {
			return err
		}
	}
	return nil
}

// retire runs update (with TRUE and the key) for every key listed by query
// that is not in fresh.
func retire(ctx context.Context, tx *store.Tx, query, update string, fresh map[string]bool, n *int) error {
	return eachRow(ctx, tx, query, nil, func(k [3]string) error {
		if fresh[k[0]] {
			return nil
		}
		*n++
		_, err := tx.ExecContext(ctx, update, true, k[0])
		return err
	})
}
