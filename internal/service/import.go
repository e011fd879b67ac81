package service

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"voisines/internal/audit"
	"voisines/internal/auth"
	"voisines/internal/civil"
	"voisines/internal/csvin"
	"voisines/internal/money"
	"voisines/internal/org"
	"voisines/internal/store"
	"voisines/internal/usage"
	"voisines/internal/validate"
)

// The usage file: one use per line, a header naming the columns (in any
// order, case and accents ignored). date, beneficiaire, quantite and
// reference are required; type is required for a service counting acts.
const (
	ColDate        = "date"         // 2026-05-12 or 12/05/2026
	ColBeneficiary = "beneficiaire" // INSEE code of a commune, or SIREN
	ColType        = "type"         // the act type (PC, DP…), or the unit for other services
	ColQuantity    = "quantite"     // 1, 2,5, 1 234,5 (to the thousandth)
	ColReference   = "reference"    // the provider's reference of the use: re-importing it corrects it
	ColNote        = "note"
)

// ImportColumns are the columns of a usage file, in the template's order.
var ImportColumns = []string{ColDate, ColBeneficiary, ColType, ColQuantity, ColReference, ColNote}

// columnAliases are other names a header may give a column.
var columnAliases = map[string]string{
	"beneficiary": ColBeneficiary, "code": ColBeneficiary, "insee_ou_siren": ColBeneficiary, "commune": ColBeneficiary,
	"type_acte": ColType, "type_ou_unite": ColType, "acte": ColType, "unite": ColType, "act_type": ColType,
	"quantity": ColQuantity, "nombre": ColQuantity, "ref": ColReference, "reference_externe": ColReference,
	"jour": ColDate, "date_usage": ColDate, "commentaire": ColNote,
}

// Limits of a usage file.
const (
	MaxImportBytes = 4 << 20
	MaxImportRows  = 20000
)

// ImportReport says what an import did.
type ImportReport struct {
	Lines   int `json:"lines"`
	Created int `json:"created"`
	Updated int `json:"updated"`
	// SHA256 is the hex digest of the file as received, kept in the audit
	// log.
	SHA256 string `json:"sha256"`
}

// importRow is a line of a usage file, read and checked.
type importRow struct {
	line  int
	entry usage.Entry
}

// resolver finds an organisation id by INSEE code or SIREN.
type resolver func(code string) (int64, bool)

// normalize writes a header the way columns are named: lower case, no
// accents, underscores for spaces and hyphens.
func normalize(h string) string {
	h = strings.ToLower(strings.TrimSpace(h))
	r := strings.NewReplacer("é", "e", "è", "e", "ê", "e", "ë", "e", "à", "a", "â", "a", "ç", "c", "î", "i", "ï", "i",
		"ô", "o", "û", "u", "ù", "u", " ", "_", "-", "_", "'", "_")
	h = r.Replace(h)
	if c, ok := columnAliases[h]; ok {
		return c
	}
	return h
}

// unitNames are how a usage file may write each unit in its type column.
var unitNames = map[Unit][]string{
	Hour:         {"hour", "heure", "heures", "h"},
	Km:           {"km", "kilometre", "kilometres", "kilomètre", "kilomètres"},
	Intervention: {"intervention", "interventions"},
}

// parseUsage reads a usage file for service s. It is pure (resolve is the
// only lookup), so that it can be fuzzed; it returns every row, or no row
// and every error.
func parseUsage(data []byte, s Service, resolve resolver) ([]importRow, csvin.Errors) {
	var errs csvin.Errors
	add := func(line int, column, format string, args ...any) {
		if len(errs) < 200 {
			errs.Add(line, column, format, args...)
		}
	}
	data, err := csvin.Read(bytes.NewReader(data), MaxImportBytes)
	if es, ok := csvin.AsErrors(err); ok {
		return nil, es
	}
	cr := csvin.Open(data)
	header, err := cr.Read()
	if err != nil {
		return nil, csvin.Errors{{Line: 1, Message: "l'en-tête est illisible ou le fichier est vide (colonnes attendues : " + strings.Join(ImportColumns, ", ") + ")"}}
	}
	col := map[string]int{} // column → index + 1
	name := map[string]string{}
	for i, h := range header {
		c := normalize(h)
		switch {
		case c == "":
			if strings.TrimSpace(h) != "" || i < len(header)-1 {
				add(1, h, "colonne sans nom")
			}
		case !containsString(ImportColumns, c):
			add(1, h, "colonne inconnue (colonnes possibles : %s)", strings.Join(ImportColumns, ", "))
		case col[c] != 0:
			add(1, h, "colonne en double")
		default:
			col[c], name[c] = i+1, strings.TrimSpace(h)
		}
	}
	required := []string{ColDate, ColBeneficiary, ColQuantity, ColReference}
	if s.Unit == Act {
		required = append(required, ColType)
	}
	for _, c := range required {
		if col[c] == 0 {
			add(1, c, "colonne obligatoire absente")
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	var rows []importRow
	refs := map[string]int{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			add(pe.Line, "", "guillemet mal placé : une cellule qui contient un guillemet, un séparateur ou un retour à la ligne doit être entourée de guillemets, et ses guillemets doublés")
			break
		} else if err != nil {
			add(0, "", "lecture impossible du fichier")
			break
		}
		line, _ := cr.FieldPos(0)
		if len(rows)+1 > MaxImportRows {
			add(line, "", "un fichier compte au plus %d lignes d'usage : découpez-le", MaxImportRows)
			break
		}
		get := func(c string) string { return csvin.Cell(rec, col, c) }
		blank := true
		for _, cell := range rec {
			blank = blank && strings.TrimSpace(cell) == ""
		}
		if blank {
			continue
		}
		before := len(errs)
		var in UsageInput
		if v := get(ColDate); v == "" {
			add(line, name[ColDate], "la date est vide")
		} else if d, err := civil.ParseFrench(v); err != nil {
			add(line, name[ColDate], "%s n'est pas une date valide (AAAA-MM-JJ ou JJ/MM/AAAA)", validate.Quote(v))
		} else {
			in.Date = d
		}
		if v := get(ColBeneficiary); v == "" {
			add(line, name[ColBeneficiary], "le bénéficiaire est vide : indiquez le code Insee de la commune ou le SIREN")
		} else if org, ok := resolve(v); !ok {
			add(line, name[ColBeneficiary], "%s ne désigne aucun bénéficiaire du service (code Insee ou SIREN attendu ; bénéficiaires : %s)", validate.Quote(v), s.beneficiaryCodes())
		} else {
			in.Beneficiary = org
		}
		typ := get(ColType)
		if s.Unit == Act {
			in.ActType = typ
		} else if typ != "" && !unitMatches(s.Unit, typ) {
			add(line, name[ColType], "le service compte en %s, pas en %s", s.Unit.Label(), validate.Quote(typ))
		}
		if v := get(ColQuantity); v == "" {
			add(line, name[ColQuantity], "la quantité est vide")
		} else if q, err := money.ParseRat(v); err != nil || strings.Contains(v, "/") || strings.Contains(v, "%") {
			add(line, name[ColQuantity], "%s n'est pas une quantité (un nombre comme 3 ou 2,5)", validate.Quote(v))
		} else {
			in.Quantity = q
		}
		in.Reference, in.Note = get(ColReference), get(ColNote)
		if in.Reference == "" {
			add(line, name[ColReference], "la référence est vide : chaque usage a la sienne, pour qu'un nouvel import corrige au lieu de dupliquer")
		} else if prev, dup := refs[in.Reference]; dup {
			add(line, name[ColReference], "la référence %s figure déjà à la ligne %d", validate.Quote(in.Reference), prev)
		} else {
			refs[in.Reference] = line
		}
		if len(errs) > before {
			continue
		}
		e, err := s.entry(in, usage.FromImport)
		if fes, ok := validate.As(err); ok {
			for _, fe := range fes {
				add(line, columnOf(fe.Field, name), "%s", fe.Message)
			}
			continue
		}
		rows = append(rows, importRow{line: line, entry: e})
	}
	if len(errs) > 0 {
		return nil, errs
	}
	if len(rows) == 0 {
		return nil, csvin.Errors{{Line: 2, Message: "le fichier ne contient aucune ligne d'usage"}}
	}
	return rows, nil
}

// columnOf names the file column of a UsageInput field.
func columnOf(field string, name map[string]string) string {
	c := map[string]string{"date": ColDate, "beneficiary": ColBeneficiary, "act_type": ColType, "quantity": ColQuantity,
		"reference": ColReference, "note": ColNote}[field]
	if n := name[c]; n != "" {
		return n
	}
	return c
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func unitMatches(u Unit, s string) bool {
	s = strings.ToLower(strings.TrimSpace(s))
	return s == string(u) || containsString(unitNames[u], s)
}

func (s Service) beneficiaryCodes() string {
	var out []string
	for _, p := range s.Beneficiaries {
		if c := p.Code(); c != "" {
			out = append(out, c+" "+p.Name)
		}
	}
	return strings.Join(out, ", ")
}

// resolverFor finds a beneficiary of s by INSEE code or SIREN, first among
// the convention's parties, then among organisations (a party recorded
// without its SIREN).
func (m *Manager) resolverFor(ctx context.Context, s Service) resolver {
	cache := map[string]int64{}
	return func(code string) (int64, bool) {
		code = strings.ReplaceAll(strings.TrimSpace(code), " ", "")
		for _, p := range s.Beneficiaries {
			if code != "" && (strings.EqualFold(p.CommuneCode, code) || p.SIREN == code) {
				return p.OrgID, true
			}
		}
		id, ok := cache[code]
		if !ok {
			id = orgOfCode(ctx, m.orgs, code)
			cache[code] = id
		}
		_, isBeneficiary := s.Beneficiary(id)
		return id, id != 0 && isBeneficiary
	}
}

// orgOfCode returns the organisation of an INSEE code ("12202", "2a004")
// or a SIREN as the org package resolves it, 0 when none: Resolve also
// reads ids, which a usage file never gives.
func orgOfCode(ctx context.Context, orgs *org.Service, code string) int64 {
	o, err := orgs.Resolve(ctx, code)
	if err != nil || code == "" {
		return 0
	}
	if strings.EqualFold(o.CommuneCode, code) || org.NormalizeSIREN(code) == o.SIREN && o.SIREN != "" ||
		org.NormalizeSIREN(code) == o.EPCISIREN && o.EPCISIREN != "" {
		return o.ID
	}
	return 0
}

// ImportUsage imports a usage file (CSV, ";" or ",", UTF-8 or
// Windows-1252) for service id: all of it or nothing. Every error comes
// back in a csvin.Errors naming its line and column. Each line becomes a
// usage record (source "import") whose reference is the file's: importing
// the same file again changes nothing, and a corrected line corrects its
// record. Only the provider imports (auth.Write on it).
func (m *Manager) ImportUsage(ctx context.Context, actor auth.Actor, id int64, r io.Reader) (ImportReport, error) {
	s, rec, err := m.loadForWrite(ctx, actor, id)
	if err != nil {
		return ImportReport{}, fail("import usage", err)
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxImportBytes+1))
	if err != nil {
		return ImportReport{}, fail("import usage", err)
	}
	rows, ies := parseUsage(data, s, m.resolverFor(ctx, s))
	if len(ies) > 0 {
		return ImportReport{}, ies
	}
	sum := sha256.Sum256(data)
	rep := ImportReport{Lines: len(rows), SHA256: hex.EncodeToString(sum[:])}
	err = m.db.InTx(ctx, func(tx *store.Tx) error {
		for _, row := range rows {
			updated, err := sameReference(ctx, tx, &row.entry)
			if err != nil {
				return err
			}
			if updated {
				rep.Updated++
			} else {
				rep.Created++
			}
			if _, err := usage.Record(ctx, tx, row.entry); err != nil {
				if fes, ok := validate.As(err); ok {
					return csvin.Errors{{Line: row.line, Message: fes.Error()}}
				}
				return fmt.Errorf("line %d: %w", row.line, err)
			}
		}
		return audit.Record(ctx, tx, actor.Audit(s.Provider.OrgID, "service.usage.import", "service", strconv.FormatInt(id, 10),
			map[string]any{"agreement": rec.Reference, "lines": rep.Lines, "created": rep.Created, "updated": rep.Updated,
				"sha256": rep.SHA256}))
	})
	if err != nil {
		return ImportReport{}, fail("import usage", err)
	}
	return rep, nil
}

// ImportTemplate returns a usage file to fill in for service s: the header
// and one example line per beneficiary.
func ImportTemplate(s Service) string {
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.Comma = ';'
	w.Write(ImportColumns)
	typ, qty := s.Unit.Label(), "1"
	if s.Unit == Act && len(s.Weights) > 0 {
		typ = s.Weights[0].Type
	}
	if s.Unit == Hour {
		typ, qty = "heure", "3,5"
	}
	for i, p := range s.Beneficiaries {
		w.Write([]string{"2026-01-15", p.Code(), typ, qty, fmt.Sprintf("EX-%03d", i+1), ""})
	}
	w.Flush()
	return b.String()
}
