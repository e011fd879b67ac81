package equipment

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"voisines/internal/audit"
	"voisines/internal/auth"
	"voisines/internal/csvin"
	"voisines/internal/money"
	"voisines/internal/store"
	"voisines/internal/territory"
	"voisines/internal/validate"
)

// ImportColumns are the columns of a catalogue CSV file, in the order of
// the template; owner, name, kind and unit are required, the others may be
// left out. owner is the owner's SIREN, or the INSEE code of a commune.
// Tariffs are in euros per unit ("12,50"); an empty tariff means none is
// published. active is "oui"/"non" (or true/false, 1/0), "oui" by default.
var ImportColumns = []string{"owner", "name", "kind", "description", "capacity", "commune", "address",
	"lat", "lon", "accessibility", "rules", "unit", "tariff_own", "tariff_convention", "tariff_other_commune",
	"tariff_association", "approval", "active"}

// ImportReport says what an import did.
type ImportReport struct {
	Created int `json:"created"`
	Updated int `json:"updated"`
}

// Limits of a catalogue file.
const (
	MaxImportRows  = 5000
	MaxImportBytes = 16 << 20
)

type importRow struct {
	line    int
	ownerID int64
	details Details
}

// ImportCSV reads a catalogue file (comma- or semicolon-separated, UTF-8
// or Windows-1252, with a header naming ImportColumns) and creates each row's equipment, or
// updates the owner's equipment of the same name, all or nothing: any error
// in any row (csvin.Errors, every one with its line and column) writes
// nothing. The actor must write for every owner named.
func (s *Service) ImportCSV(ctx context.Context, actor auth.Actor, r io.Reader) (ImportReport, error) {
	rows, errs := s.parseCatalogue(ctx, actor, r)
	if len(errs) > 0 {
		return ImportReport{}, errs
	}
	var rep ImportReport
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		for _, row := range rows {
			var id int64
			err := tx.QueryRowContext(ctx, `SELECT id FROM equipment WHERE owner_org_id = ? AND name = ?`, row.ownerID, row.details.Name).Scan(&id)
			switch {
			case isNotFound(err):
				if _, err := s.insert(ctx, tx, actor, row.ownerID, row.details); err != nil {
					return lineErr(row.line, err)
				}
				rep.Created++
			case err != nil:
				return err
			default:
				cur, err := getEquipment(ctx, tx, id)
				if err != nil {
					return err
				}
				now := s.clock()
				if err := s.update(ctx, tx, cur, cur.Version, row.details, now); err != nil {
					return lineErr(row.line, err)
				}
				if cur.Active && !row.details.Active {
					// A file does not cancel bookings: that is done on the
					// equipment's page, with a reason the requesters read.
					bs, err := s.affected(ctx, tx, id, now, time.Time{}, now, true)
					if err != nil {
						return err
					}
					if len(bs) > 0 {
						return csvin.Errors{{Line: row.line, Column: "active", Message: fmt.Sprintf(
							"retirer %s de la réservation annulerait %d réservation(s) à venir : faites-le depuis la page de l'équipement, qui les annule avec un motif",
							validate.Quote(cur.Name), len(bs))}}
					}
				}
				if err := audit.Record(ctx, tx, actor.Audit(cur.OwnerOrgID, "equipment.update", "equipment", strconv.FormatInt(id, 10),
					map[string]any{"from_version": cur.Version, "details": row.details, "import": true})); err != nil {
					return err
				}
				rep.Updated++
			}
		}
		return nil
	})
	if err != nil {
		return ImportReport{}, fmt.Errorf("equipment: import: %w", err)
	}
	return rep, nil
}

// lineErr attaches a field error raised while writing to its line.
func lineErr(line int, err error) error {
	if fes, ok := validate.As(err); ok {
		var out csvin.Errors
		for _, fe := range fes {
			out = append(out, csvin.Error{Line: line, Column: columnOf(fe.Field), Message: fe.Message})
		}
		return out
	}
	return err
}

// columnOf names the file column of a Details field.
func columnOf(field string) string {
	switch field {
	case "commune_code":
		return "commune"
	case "coordinates":
		return "lat"
	}
	return strings.ReplaceAll(field, "tariffs.", "tariff_")
}

func (s *Service) parseCatalogue(ctx context.Context, actor auth.Actor, r io.Reader) ([]importRow, csvin.Errors) {
	var errs csvin.Errors
	fail := errs.Add
	body, err := csvin.Read(r, MaxImportBytes)
	if es, ok := csvin.AsErrors(err); ok {
		return nil, es
	} else if err != nil {
		return nil, csvin.Fail("lecture impossible du fichier")
	}
	cr := csvin.Open(body)
	header, err := cr.Read()
	if err != nil {
		return nil, csvin.Errors{{Line: 1, Message: "l'en-tête est illisible ou le fichier est vide"}}
	}
	col := csvin.Columns(header, ImportColumns, []string{"owner", "name", "kind", "unit"}, func(column, format string, args ...any) {
		fail(1, column, format, args...)
	})
	if len(errs) > 0 {
		return nil, errs
	}
	owners := map[string]int64{}
	var rows []importRow
	names := map[string]int{} // owner id + name → first line
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			// FieldPos is only defined after a line read whole: it
			// panics on a malformed first line.
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.Line
			}
			fail(line, "", "ligne CSV mal formée : %v", err)
			break
		}
		line, _ := cr.FieldPos(0)
		if len(rows)+1 > MaxImportRows {
			fail(line, "", "un fichier compte au plus %d équipements", MaxImportRows)
			break
		}
		get := func(c string) string { return csvin.Cell(rec, col, c) }
		if strings.Join(rec, "") == "" {
			continue // blank line
		}
		row := importRow{line: line}
		before := len(errs)
		ownerRef := get("owner")
		if id, ok := owners[ownerRef]; ok {
			row.ownerID = id
		} else if id, err := resolveOwner(ctx, s.db.Reader(), ownerRef); err != nil {
			fail(line, "owner", "%s", err.Error())
		} else if err := auth.Authorize(actor, auth.Write, id); err != nil {
			fail(line, "owner", "vous n'agissez pas pour cet organisme")
		} else {
			owners[ownerRef], row.ownerID = id, id
		}
		d := Details{Name: get("name"), Kind: Kind(strings.ToLower(get("kind"))), Description: get("description"),
			CommuneCode: get("commune"), Address: get("address"), Accessibility: get("accessibility"),
			Rules: get("rules"), Unit: Unit(strings.ToLower(get("unit"))), Approval: Approval(strings.ToLower(get("approval"))), Active: true}
		if v := get("capacity"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				fail(line, "capacity", "%s n'est pas un nombre entier", validate.Quote(v))
			}
			d.Capacity = n
		}
		if lat, lon := get("lat"), get("lon"); lat != "" || lon != "" {
			la, err1 := strconv.ParseFloat(strings.Replace(lat, ",", ".", 1), 64)
			lo, err2 := strconv.ParseFloat(strings.Replace(lon, ",", ".", 1), 64)
			if err1 != nil || err2 != nil {
				fail(line, "lat", "latitude et longitude doivent être deux nombres en degrés (44,35 et 2,57)")
			} else {
				d.Coordinates = &territory.Point{Lat: la, Lon: lo}
			}
		}
		for _, t := range []struct {
			column string
			dst    **money.Cents
		}{{"tariff_own", &d.Tariffs.Own}, {"tariff_convention", &d.Tariffs.Convention},
			{"tariff_other_commune", &d.Tariffs.OtherCommune}, {"tariff_association", &d.Tariffs.Association}} {
			if v := get(t.column); v != "" {
				c, err := money.Parse(v)
				if err != nil {
					fail(line, t.column, "%s n'est pas un montant en euros (12,50)", validate.Quote(v))
					continue
				}
				*t.dst = &c
			}
		}
		switch strings.ToLower(get("active")) {
		case "", "oui", "true", "1", "vrai":
		case "non", "false", "0", "faux":
			d.Active = false
		default:
			fail(line, "active", "écrivez oui ou non")
		}
		norm, err := d.normalize()
		if fes, ok := validate.As(err); ok {
			for _, fe := range fes {
				fail(line, columnOf(fe.Field), "%s", fe.Message)
			}
		}
		if norm.CommuneCode != "" {
			if err := checkCommune(ctx, s.db.Reader(), norm.CommuneCode); err != nil {
				fail(line, "commune", "%s", strings.TrimPrefix(err.Error(), "commune_code: "))
			}
		}
		if len(errs) > before {
			continue
		}
		key := strconv.FormatInt(row.ownerID, 10) + "\x00" + norm.Name
		if first, dup := names[key]; dup {
			fail(line, "name", "le même équipement figure déjà ligne %d", first)
			continue
		}
		names[key] = line
		row.details = norm
		rows = append(rows, row)
	}
	if len(errs) == 0 && len(rows) == 0 {
		fail(2, "", "le fichier ne contient aucun équipement")
	}
	return rows, errs
}

// resolveOwner finds the organisation named by a SIREN or a commune's
// INSEE code.
func resolveOwner(ctx context.Context, q store.Querier, ref string) (int64, error) {
	ref = strings.ReplaceAll(ref, " ", "")
	var id int64
	var err error
	switch len(ref) {
	case 9:
		err = q.QueryRowContext(ctx, `SELECT id FROM organisations WHERE siren = ? OR epci_siren = ?`, ref, ref).Scan(&id)
	case 5:
		err = q.QueryRowContext(ctx, `SELECT id FROM organisations WHERE commune_code = ?`, strings.ToUpper(ref)).Scan(&id)
	default:
		return 0, fmt.Errorf("%s n'est ni un SIREN (9 chiffres) ni un code Insee de commune (5 caractères)", validate.Quote(ref))
	}
	if isNotFound(err) {
		return 0, fmt.Errorf("aucun organisme ne correspond à %s", validate.Quote(ref))
	}
	return id, err
}
