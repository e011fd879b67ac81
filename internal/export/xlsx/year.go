// Package xlsx writes spreadsheets for the finance officers of an
// organisation: its year under its conventions (ledger.Year), with the
// titres to issue, the mandats to expect, and their totals per convention
// and per partner. Amounts are written as exact decimal numbers (the cell
// holds "8112.00", never a binary float computed by Voisines) with a euro
// format.
package xlsx

import (
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"

	"voisines/internal/ledger"
	"voisines/internal/money"
)

// Sheet names, in French, in the order of the workbook.
const (
	SheetSummary     = "Synthèse"
	SheetTitres      = "Titres à émettre"
	SheetMandats     = "Mandats attendus"
	SheetConventions = "Par convention"
	SheetPartners    = "Par partenaire"
)

// Year writes organisation y's year as an XLSX workbook.
func Year(w io.Writer, y ledger.Year) error {
	f := excelize.NewFile()
	defer f.Close()
	s, err := newStyles(f)
	if err != nil {
		return err
	}
	if err := f.SetSheetName("Sheet1", SheetSummary); err != nil {
		return err
	}
	for _, name := range []string{SheetTitres, SheetMandats, SheetConventions, SheetPartners} {
		if _, err := f.NewSheet(name); err != nil {
			return err
		}
	}
	sw := sheetWriter{f: f, s: s}
	sw.summary(y)
	sw.flows(SheetTitres, "Débiteur", y.Titres, func(fl ledger.Flow) (ledger.PartyRef, string, *ledger.Document) {
		return fl.Debtor, fl.TitreAccount, fl.Titre
	}, y.TotalTitres)
	sw.flows(SheetMandats, "Créancier", y.Mandats, func(fl ledger.Flow) (ledger.PartyRef, string, *ledger.Document) {
		return fl.Creditor, fl.MandatAccount, fl.Mandat
	}, y.TotalMandats)
	sw.conventions(y)
	sw.partners(y)
	if sw.err != nil {
		return fmt.Errorf("xlsx: year: %w", sw.err)
	}
	f.SetActiveSheet(0)
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("xlsx: year: %w", err)
	}
	return nil
}

type styles struct{ header, money, title, note int }

func newStyles(f *excelize.File) (styles, error) {
	var s styles
	var err error
	euro := `#,##0.00\ "€";-#,##0.00\ "€"`
	if s.header, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill: excelize.Fill{Type: "pattern", Color: []string{"DCE6F1"}, Pattern: 1}}); err != nil {
		return s, err
	}
	if s.money, err = f.NewStyle(&excelize.Style{CustomNumFmt: &euro}); err != nil {
		return s, err
	}
	if s.title, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}}); err != nil {
		return s, err
	}
	s.note, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Italic: true, Color: "6E6E6E"}})
	return s, err
}

// sheetWriter writes cells and keeps the first error.
type sheetWriter struct {
	f   *excelize.File
	s   styles
	err error
}

func (w *sheetWriter) cell(sheet string, col, row int, v any, style int) {
	if w.err != nil {
		return
	}
	name, err := excelize.CoordinatesToCellName(col, row)
	if err != nil {
		w.err = err
		return
	}
	switch x := v.(type) {
	case money.Cents:
		// The decimal text itself, so that the cell holds the exact amount.
		w.err = w.f.SetCellDefault(sheet, name, x.Plain())
		if style == 0 {
			style = w.s.money
		}
	default:
		w.err = w.f.SetCellValue(sheet, name, v)
	}
	if w.err == nil && style != 0 {
		w.err = w.f.SetCellStyle(sheet, name, name, style)
	}
}

func (w *sheetWriter) row(sheet string, row int, style int, values ...any) {
	for i, v := range values {
		w.cell(sheet, i+1, row, v, style)
	}
}

func (w *sheetWriter) widths(sheet string, widths ...float64) {
	for i, wd := range widths {
		col, _ := excelize.ColumnNumberToName(i + 1)
		if w.err == nil {
			w.err = w.f.SetColWidth(sheet, col, col, wd)
		}
	}
}

func (w *sheetWriter) summary(y ledger.Year) {
	sh := SheetSummary
	who := y.Name
	if y.SIREN != "" {
		who += " (SIREN " + y.SIREN + ")"
	}
	w.cell(sh, 1, 1, fmt.Sprintf("%s — exercice %d", who, y.Year), w.s.title)
	w.cell(sh, 1, 2, "Flux bruts issus des états émis au titre des conventions ; aucune compensation n'est opérée.", w.s.note)
	w.row(sh, 4, w.s.header, "", "Nombre", "Montant")
	w.row(sh, 5, 0, "Titres de recettes à émettre", len(y.Titres), y.TotalTitres)
	w.row(sh, 6, 0, "Mandats attendus", len(y.Mandats), y.TotalMandats)
	w.widths(sh, 48, 10, 18)
}

func (w *sheetWriter) flows(sh, counterpart string, flows []ledger.Flow,
	pick func(ledger.Flow) (ledger.PartyRef, string, *ledger.Document), total money.Cents) {
	w.row(sh, 1, w.s.header, "Convention", counterpart, "SIREN", "Objet", "Début", "Fin", "Montant", "Compte suggéré",
		"N° du document", "Date", "Compte utilisé")
	r := 2
	for _, f := range flows {
		p, account, doc := pick(f)
		number, date, used := "", "", ""
		if doc != nil {
			number, date, used = doc.Reference, doc.Date.String(), doc.Account
		}
		w.row(sh, r, 0, f.AgreementReference, p.Name, p.SIREN, f.Object, f.From.String(), f.To.String(), f.Amount,
			account, number, date, used)
		r++
	}
	w.cell(sh, 1, r, "Total", w.s.header)
	w.cell(sh, 7, r, total, 0)
	w.widths(sh, 12, 32, 12, 60, 11, 11, 16, 14, 16, 11, 14)
}

func (w *sheetWriter) conventions(y ledger.Year) {
	sh := SheetConventions
	w.row(sh, 1, w.s.header, "Convention", "Intitulé", "Nature", "Titres", "Mandats", "Coût seul (déclaré)",
		"Dépenses propres", "Coût net (information)", "Économie (information)")
	for i, c := range y.Conventions {
		r := i + 2
		w.row(sh, r, 0, c.Reference, c.Title, c.Kind.Label(), c.Titres, c.Mandats)
		if c.Standalone != nil {
			w.cell(sh, 6, r, c.Standalone.Cost, 0)
			w.cell(sh, 7, r, c.Standalone.OwnCost, 0)
			w.cell(sh, 8, r, *c.NetCost, 0)
			w.cell(sh, 9, r, *c.Saving, 0)
		}
	}
	w.cell(sh, 1, len(y.Conventions)+3, "Coût net et économie sont calculés pour information, là où l'organisation a déclaré ce que lui coûterait d'agir seule ; ils ne sont jamais comptabilisés.", w.s.note)
	w.widths(sh, 12, 50, 40, 16, 16, 18, 16, 20, 20)
}

func (w *sheetWriter) partners(y ledger.Year) {
	sh := SheetPartners
	w.row(sh, 1, w.s.header, "Partenaire", "SIREN", "Titres (à émettre)", "Mandats (attendus)", ledger.NetLabel)
	for i, p := range y.Partners {
		w.row(sh, i+2, 0, p.Name, p.SIREN, p.Titres, p.Mandats, p.NetInformation)
	}
	w.cell(sh, 1, len(y.Partners)+3, "Les budgets restent bruts : seuls les comptables publics peuvent régler des dettes réciproques par compensation légale.", w.s.note)
	w.widths(sh, 36, 12, 18, 18, 30)
}
