package purchasing

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"voisines/internal/auth"
	"voisines/internal/csvin"
	"voisines/internal/money"
	"voisines/internal/store"
	"voisines/internal/validate"
)

// NeedColumns are the columns of a needs file, in the order of the
// template. member is the member's INSEE code (a commune) or SIREN; lot is
// the lot's number; amount is in euros excl. VAT ("21 500,00"): the need
// over the contract's whole duration, or, when years is given, the yearly
// need (the line is then amount × years, and years must cover the lot's
// duration); previous_cost, optional, is what the member paid before for the
// same needs, over the same scope. member, lot and amount are required.
var NeedColumns = []string{"member", "lot", "amount", "years", "previous_cost"}

// NeedRow is one line of a needs file, parsed.
type NeedRow struct {
	Line         int
	Member       string
	Lot          int
	Amount       money.Cents
	Years        int // 0: Amount is the total
	PreviousCost *money.Cents
}

// Limits of a needs file.
const (
	MaxNeedRows  = 10000
	MaxNeedBytes = 8 << 20
)

// ParseNeeds reads a needs file (comma- or semicolon-separated, UTF-8 or
// Windows-1252, with a header naming NeedColumns) and returns the lines it
// could read and every error found, each with its line and column; a file
// with any error is refused as a whole.
func ParseNeeds(r io.Reader) ([]NeedRow, csvin.Errors) {
	var errs csvin.Errors
	fail := errs.Add
	body, err := csvin.Read(r, MaxNeedBytes)
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
	col := csvin.Columns(header, NeedColumns, []string{"member", "lot", "amount"}, func(column, format string, args ...any) {
		fail(1, column, format, args...)
	})
	if len(errs) > 0 {
		return nil, errs
	}
	var rows []NeedRow
	seen := map[string]int{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.Line
			}
			fail(line, "", "ligne CSV mal formée (guillemet non refermé ?)")
			break
		}
		line, _ := cr.FieldPos(0)
		if len(rows) >= MaxNeedRows {
			fail(line, "", "un fichier compte au plus %d lignes", MaxNeedRows)
			break
		}
		get := func(c string) string { return csvin.Cell(rec, col, c) }
		if strings.Join(rec, "") == "" {
			continue // a blank line
		}
		row := NeedRow{Line: line, Member: strings.Map(func(r rune) rune {
			if r == ' ' || r == '\u00a0' || r == '\u202f' {
				return -1
			}
			return r
		}, get("member"))}
		before := len(errs)
		switch {
		case row.Member == "":
			fail(line, "member", "indiquez le code Insee ou le SIREN du membre")
		case strings.Trim(row.Member, "0123456789AB") != "" || (len(row.Member) != 5 && len(row.Member) != 9):
			fail(line, "member", "%s n'est ni un code Insee (5 caractères) ni un SIREN (9 chiffres)", validate.Quote(row.Member))
		}
		if n, err := strconv.Atoi(get("lot")); err != nil || n <= 0 {
			fail(line, "lot", "indiquez le numéro du lot (1, 2…), pas %s", validate.Quote(get("lot")))
		} else {
			row.Lot = n
		}
		if a, err := money.Parse(get("amount")); err != nil || a < 0 || a > maxAmount {
			fail(line, "amount", "%s n'est pas un montant en euros HT (21 500,00)", validate.Quote(get("amount")))
		} else {
			row.Amount = a
		}
		if y := get("years"); y != "" {
			if n, err := strconv.Atoi(y); err != nil || n <= 0 || n > 20 {
				fail(line, "years", "le nombre d'années est un entier entre 1 et 20, pas %s", validate.Quote(y))
			} else {
				row.Years = n
			}
		}
		if p := get("previous_cost"); p != "" {
			if c, err := money.Parse(p); err != nil || c < 0 || c > maxAmount {
				fail(line, "previous_cost", "%s n'est pas un montant en euros HT", validate.Quote(p))
			} else {
				row.PreviousCost = &c
			}
		}
		if len(errs) > before {
			continue
		}
		key := row.Member + "/" + strconv.Itoa(row.Lot)
		if first, dup := seen[key]; dup {
			fail(line, "", "le membre %s a déjà une ligne pour le lot n° %d (ligne %d)", row.Member, row.Lot, first)
			continue
		}
		seen[key] = line
		rows = append(rows, row)
	}
	if len(rows) == 0 && len(errs) == 0 {
		fail(2, "", "le fichier ne contient aucun besoin")
	}
	return rows, errs
}

// ImportReport says what an import did.
type ImportReport struct {
	Lines int `json:"lines"`
}

// ImportNeeds reads a needs file for group id and writes every line, all or
// nothing: any error in any line (csvin.Errors, each with its line and
// column) writes nothing. A line replaces the member's line in the lot
// (its previous price is kept when the file gives none). The actor must
// write for each member named, or for the coordinator; the group must not
// be launched.
func (s *Service) ImportNeeds(ctx context.Context, actor auth.Actor, id int64, r io.Reader) (ImportReport, error) {
	rows, perrs := ParseNeeds(r)
	if len(rows) == 0 && len(perrs) > 0 {
		return ImportReport{}, perrs
	}
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		g, _, err := read(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if g.Status == Launched {
			return csvin.Errors{{Line: 1, Message: fmt.Sprintf("la procédure a été lancée le %s : les besoins sont arrêtés", g.LaunchDate.French())}}
		}
		errs := slices.Clone(perrs)
		type resolved struct {
			row NeedRow
			in  NeedInput
		}
		var lines []resolved
		for _, row := range rows {
			m, ok := memberByCode(g, row.Member)
			if !ok {
				errs = append(errs, csvin.Error{Line: row.Line, Column: "member", Message: fmt.Sprintf("%s n'est pas membre du groupement", validate.Quote(row.Member))})
				continue
			}
			l, ok := lotByNumber(g, row.Lot)
			if !ok {
				errs = append(errs, csvin.Error{Line: row.Line, Column: "lot", Message: fmt.Sprintf("le groupement n'a pas de lot n° %d", row.Lot)})
				continue
			}
			if auth.Authorize(actor, auth.Write, m.OrgID) != nil && auth.Authorize(actor, auth.Write, g.Coordinator.OrgID) != nil {
				errs = append(errs, csvin.Error{Line: row.Line, Column: "member", Message: fmt.Sprintf("vous n'agissez ni pour « %s » ni pour le coordonnateur", m.Name)})
				continue
			}
			in := NeedInput{LotID: l.ID, OrgID: m.OrgID, PreviousCost: row.PreviousCost}
			amount := row.Amount
			if row.Years > 0 {
				in.Yearly, in.Years = &amount, row.Years
			} else {
				in.Amount = &amount
			}
			cur, exists := g.Need(l.ID, m.OrgID)
			if _, _, err := resolveNeed(g, l, cur, exists, in); err != nil {
				if fes, ok := validate.As(err); ok {
					for _, fe := range fes {
						errs = append(errs, csvin.Error{Line: row.Line, Column: needColumn(fe.Field), Message: fe.Message})
					}
					continue
				}
				return err
			}
			in.Version = cur.Version
			lines = append(lines, resolved{row, in})
		}
		if len(errs) > 0 {
			errs.Sort()
			return errs
		}
		for _, l := range lines {
			// Each line sees the group as the previous ones left it.
			if err := s.applyNeed(ctx, tx, actor, g, l.in, l.in.Version); err != nil {
				if fes, ok := validate.As(err); ok {
					return csvin.Errors{{Line: l.row.Line, Column: needColumn(fes[0].Field), Message: fes[0].Message}}
				}
				return fmt.Errorf("line %d: %w", l.row.Line, err)
			}
		}
		return nil
	})
	if err != nil {
		if es, ok := csvin.AsErrors(err); ok {
			return ImportReport{}, es
		}
		return ImportReport{}, fail("import needs", err)
	}
	return ImportReport{Lines: len(rows)}, nil
}

// needColumn names the file column of a NeedInput field.
func needColumn(field string) string {
	switch field {
	case "yearly":
		return "amount"
	case "org_id":
		return "member"
	case "lot_id":
		return "lot"
	}
	return field
}

// memberByCode finds a member by INSEE code or SIREN.
func memberByCode(g Group, code string) (Member, bool) {
	for _, m := range g.Members {
		if code != "" && (m.CommuneCode == code || m.SIREN == code) {
			return m, true
		}
	}
	return Member{}, false
}

func lotByNumber(g Group, n int) (Lot, bool) {
	for _, l := range g.Lots {
		if l.Number == n {
			return l, true
		}
	}
	return Lot{}, false
}
