// Package xlsx writes spreadsheets for the finance officers of an
// organisation: its year under its conventions (ledger.Year), with the
// titres to issue, the mandats to expect, and their totals per convention
// and per partner (imputations on the attribution de compensation
// included), the imputations themselves (neither titres nor mandats) and
// the titres and mandats a correction left to cancel or reduce, those done
// shown as done. Amounts are written as exact decimal numbers
// (the cell holds "8112.00", never a binary float computed by Voisines)
// with a euro format.
package xlsx

import (
	"fmt"
	"io"
	"slices"

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
	// SheetImputations lists the flows settled against the attribution de
	// compensation (CGCT L5211-4-2); a sheet name holds 31 characters at
	// most, its first row gives the full title.
	SheetImputations = "Imputations sur l'AC"
	// SheetToCancel lists the titres and mandats recorded for flows a
	// correction replaced, to cancel or reduce.
	SheetToCancel = "À annuler ou réduire"
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
	for _, name := range []string{SheetTitres, SheetMandats, SheetConventions, SheetPartners, SheetImputations, SheetToCancel} {
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
	sw.imputations(y)
	sw.toCancel(y)
	if sw.err != nil {
		return fmt.Errorf("xlsx: year: %w", sw.err)
	}
	f.SetActiveSheet(0)
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("xlsx: year: %w", err)
	}
	return nil
}

type styles struct{ header, money, title, note, block int }

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
	if s.note, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Italic: true, Color: "6E6E6E"}}); err != nil {
		return s, err
	}
	s.block, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 12}})
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

// Headers of the imputations on the attribution de compensation in the
// sheets per convention and per partner, as the year's page names them.
const (
	headImputationsCreditor = "Imputations sur l'AC reçues (EPCI)"
	headImputationsDebtor   = "Imputations sur l'AC subies (commune)"
)

// conventions writes the year's totals per convention: titres, mandats and
// imputations on the attribution de compensation (received as EPCI,
// borne as commune), each gross, then the stated cost of doing alone and
// what it gives for information.
func (w *sheetWriter) conventions(y ledger.Year) {
	sh := SheetConventions
	w.row(sh, 1, w.s.header, "Convention", "Intitulé", "Nature", "Titres", "Mandats", headImputationsCreditor,
		headImputationsDebtor, "Coût seul (déclaré)", "Dépenses propres", "Coût net (information)", "Économie (information)")
	for i, c := range y.Conventions {
		r := i + 2
		w.row(sh, r, 0, c.Reference, c.Title, c.Kind.Label(), c.Titres, c.Mandats, c.ImputationsCreditor, c.ImputationsDebtor)
		if c.Standalone != nil {
			w.cell(sh, 8, r, c.Standalone.Cost, 0)
			w.cell(sh, 9, r, c.Standalone.OwnCost, 0)
			w.cell(sh, 10, r, *c.NetCost, 0)
			w.cell(sh, 11, r, *c.Saving, 0)
		}
	}
	w.cell(sh, 1, len(y.Conventions)+3, "Coût net et économie sont calculés pour information, là où l'organisation a déclaré ce que lui coûterait d'agir seule ; ils ne sont jamais comptabilisés.", w.s.note)
	w.widths(sh, 12, 50, 40, 16, 16, 20, 20, 18, 16, 20, 20)
}

// partners writes the year's totals per partner, gross, with the net
// position for information only.
func (w *sheetWriter) partners(y ledger.Year) {
	sh := SheetPartners
	w.row(sh, 1, w.s.header, "Partenaire", "SIREN", "Titres (à émettre)", "Mandats (attendus)", headImputationsCreditor,
		headImputationsDebtor, ledger.NetLabel)
	for i, p := range y.Partners {
		w.row(sh, i+2, 0, p.Name, p.SIREN, p.Titres, p.Mandats, p.ImputationsCreditor, p.ImputationsDebtor, p.NetInformation)
	}
	w.cell(sh, 1, len(y.Partners)+3, "Les budgets restent bruts : seuls les comptables publics peuvent régler des dettes réciproques par compensation légale.", w.s.note)
	w.widths(sh, 36, 12, 18, 18, 20, 20, 30)
}

// imputations writes the flows settled against the attribution de
// compensation, each gross, with the organisation's side (the EPCI receives
// the imputation, the commune's AC is reduced by it) and its account, and
// the two gross totals. No amount is netted.
func (w *sheetWriter) imputations(y ledger.Year) {
	sh := SheetImputations
	w.cell(sh, 1, 1, fmt.Sprintf("Imputations sur l'attribution de compensation — exercice %d", y.Year), w.s.title)
	w.cell(sh, 1, 2, "Ces sommes ne font l'objet ni d'un titre ni d'un mandat : l'attribution de compensation que l'EPCI à fiscalité professionnelle unique verse à la commune est réduite d'autant (CGCT L5211-4-2, comptes 73211 pour la commune et 739211 pour l'EPCI). Elles ne figurent ni parmi les titres à émettre, ni parmi les mandats attendus, ni dans le fichier des titres.", w.s.note)
	w.row(sh, 4, w.s.header, "Convention", "EPCI", "SIREN de l'EPCI", "Commune", "SIREN de la commune", "Objet", "Début", "Fin",
		"Montant", "Sens pour "+y.Name, "Compte de "+y.Name)
	r := 5
	for _, f := range y.Imputations {
		side, account := "subie (commune)", docAccount(f.MandatAccount, f.Mandat)
		if f.Creditor.OrgID == y.OrgID {
			side, account = "reçue (EPCI)", docAccount(f.TitreAccount, f.Titre)
		}
		w.row(sh, r, 0, f.AgreementReference, f.Creditor.Name, f.Creditor.SIREN, f.Debtor.Name, f.Debtor.SIREN, f.Object,
			f.From.String(), f.To.String(), f.Amount, side, account)
		r++
	}
	if len(y.Imputations) == 0 {
		w.cell(sh, 1, r, fmt.Sprintf("Aucune imputation sur l'attribution de compensation pour %d.", y.Year), 0)
		r++
	}
	w.cell(sh, 1, r, "Total reçu comme EPCI", w.s.header)
	w.cell(sh, 9, r, y.TotalImputationsCreditor, 0)
	w.cell(sh, 1, r+1, "Total subi comme commune", w.s.header)
	w.cell(sh, 9, r+1, y.TotalImputationsDebtor, 0)
	w.cell(sh, 1, r+3, "La position nette (feuille « Par partenaire ») et le coût net (feuille « Par convention ») en tiennent compte, pour information seulement.", w.s.note)
	w.widths(sh, 12, 32, 14, 32, 14, 60, 11, 11, 16, 16, 14)
}

// toCancel writes the flows a correction replaced whose titre or mandat
// the organisation had recorded: the document to cancel or reduce, the
// gross amount replaced, and the cancellation — "à enregistrer" while it
// is to do, its reference and date once recorded (done).
func (w *sheetWriter) toCancel(y ledger.Year) {
	sh := SheetToCancel
	w.cell(sh, 1, 1, fmt.Sprintf("Titres et mandats à annuler ou réduire — exercice %d", y.Year), w.s.title)
	w.cell(sh, 1, 2, "Ces flux ont été remplacés par la correction de leur état alors que leur titre ou leur mandat était déjà enregistré. Le document émis doit être annulé ou réduit (titre d'annulation ou de réduction, annulation du mandat), puis sa référence enregistrée dans Voisines. Le montant corrigé fait l'objet de son propre flux, brut, parmi les titres à émettre ou les mandats attendus.", w.s.note)
	r := w.cancelBlock(sh, 4, "Titres à annuler ou réduire par "+y.Name, "Débiteur", "N° du titre émis",
		fmt.Sprintf("Aucun titre à annuler ou réduire pour %d.", y.Year), slices.Concat(y.TitresToCancel, y.TitresCancelled),
		func(f ledger.Flow) (ledger.PartyRef, string, *ledger.Document, *ledger.Document) {
			return f.Debtor, f.TitreAccount, f.Titre, f.TitreCancellation
		})
	w.cancelBlock(sh, r, "Mandats à annuler par "+y.Name, "Créancier", "N° du mandat émis",
		fmt.Sprintf("Aucun mandat à annuler pour %d.", y.Year), slices.Concat(y.MandatsToCancel, y.MandatsCancelled),
		func(f ledger.Flow) (ledger.PartyRef, string, *ledger.Document, *ledger.Document) {
			return f.Creditor, f.MandatAccount, f.Mandat, f.MandatCancellation
		})
	w.widths(sh, 12, 32, 12, 60, 11, 11, 18, 18, 11, 14, 20, 14, 10)
}

// cancelBlock writes one titled table of documents to cancel from row r
// and returns the row after it and a blank one.
func (w *sheetWriter) cancelBlock(sh string, r int, title, counterpart, number, none string, flows []ledger.Flow,
	pick func(ledger.Flow) (ledger.PartyRef, string, *ledger.Document, *ledger.Document)) int {
	w.cell(sh, 1, r, title, w.s.block)
	w.row(sh, r+1, w.s.header, "Convention", counterpart, "SIREN", "Objet", "Début", "Fin", "Montant remplacé", number,
		"Date", "Compte utilisé", "N° d'annulation", "Date d'annulation", "État")
	r += 2
	for _, f := range flows {
		p, account, doc, cancel := pick(f)
		ref, date := "", ""
		if doc != nil {
			ref, date = doc.Reference, doc.Date.String()
		}
		cancelRef, cancelDate, state := "à enregistrer", "", "à faire"
		if cancel != nil {
			cancelRef, cancelDate, state = cancel.Reference, cancel.Date.String(), "fait"
		}
		w.row(sh, r, 0, f.AgreementReference, p.Name, p.SIREN, f.Object, f.From.String(), f.To.String(), f.Amount,
			ref, date, docAccount(account, doc), cancelRef, cancelDate, state)
		r++
	}
	if len(flows) == 0 {
		w.cell(sh, 1, r, none, 0)
		r++
	}
	return r + 1
}

// docAccount is the account recorded with doc, else the suggested one.
func docAccount(suggested string, doc *ledger.Document) string {
	if doc != nil && doc.Account != "" {
		return doc.Account
	}
	return suggested
}
