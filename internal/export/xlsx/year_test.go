package xlsx

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"voisines/internal/agreement"
	"voisines/internal/civil"
	"voisines/internal/ledger"
	"voisines/internal/money"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// reciprocalYear is Rodez's 2026 under domain.md §10 example 7's
// reciprocal variant: Onet-le-Château owes it 13,005.00 for a secondment,
// it owes Onet-le-Château 8,112.00 for the pool, with a stated cost of
// doing without the secondment.
func reciprocalYear() ledger.Year {
	rodez := ledger.PartyRef{OrgID: 1, Name: "Rodez", SIREN: "211202023", Kind: agreement.Commune}
	onet := ledger.PartyRef{OrgID: 2, Name: "Onet-le-Château", SIREN: "211201769", Kind: agreement.Commune}
	from, to := civil.MustParse("2026-01-01"), civil.MustParse("2026-12-31")
	titre := ledger.Flow{ID: 11, StatementID: 4, AgreementID: 2, AgreementReference: "2026-0002", Creditor: rodez, Debtor: onet,
		Amount: 1_300_500, FiscalYear: 2026, TitreAccount: "70848", MandatAccount: "6218", From: from, To: to, Current: true,
		Object: "Remboursement de la mise à disposition d'un agent — période du 1er janvier 2026 au 31 décembre 2026 (convention 2026-0002)",
		Titre:  &ledger.Document{Reference: "T-2027-0012", Date: civil.MustParse("2027-01-15"), Account: "70848"}}
	mandat := ledger.Flow{ID: 12, StatementID: 5, AgreementID: 3, AgreementReference: "2026-0003", Creditor: onet, Debtor: rodez,
		Amount: 811_200, FiscalYear: 2026, TitreAccount: "7474", MandatAccount: "65734", From: from, To: to, Current: true,
		Object: "Participation aux frais de la piscine — période du 1er janvier 2026 au 31 décembre 2026 (convention 2026-0003)"}
	net, saving := money.Cents(-1_300_500+300_000), money.Cents(1_500_000+1_300_500-300_000)
	return ledger.Year{OrgID: 1, Name: "Rodez", SIREN: "211202023", Year: 2026,
		Titres: []ledger.Flow{titre}, Mandats: []ledger.Flow{mandat}, TotalTitres: 1_300_500, TotalMandats: 811_200,
		Conventions: []ledger.ConventionYear{
			{AgreementID: 2, Reference: "2026-0002", Title: "Mise à disposition d'un agent des sports", Kind: agreement.MADPersonnel,
				Titres: 1_300_500, Standalone: &ledger.Standalone{AgreementID: 2, OrgID: 1, Year: 2026, Cost: 1_500_000, OwnCost: 300_000},
				NetCost: &net, Saving: &saving},
			{AgreementID: 3, Reference: "2026-0003", Title: "Utilisation de la piscine d'Onet-le-Château", Kind: agreement.EquipementPartage,
				Mandats: 811_200},
		},
		Partners: []ledger.PartnerYear{{OrgID: 2, Name: "Onet-le-Château", SIREN: "211201769", Titres: 1_300_500, Mandats: 811_200,
			NetInformation: 489_300}},
	}
}

func TestYearWorkbookCells(t *testing.T) {
	f := workbook(t, reciprocalYear())
	t.Run("the workbook's cells match the golden file", func(t *testing.T) {
		golden(t, "year.txt", cells(t, f))
	})
	t.Run("amounts are exact numbers shown in euros", func(t *testing.T) {
		amounts(t, f, []amount{{SheetTitres, "G2", "13005"}, {SheetMandats, "G2", "8112"}, {SheetPartners, "G2", "4893"},
			{SheetConventions, "F2", "0"}, {SheetConventions, "G2", "0"}, {SheetPartners, "E2", "0"}, {SheetPartners, "F2", "0"}})
	})
}

// imputationsAndCorrectionsYear is Rodez's 2026 when the CA Rodez
// Agglomération's service commun is charged against its attribution de
// compensation (5,000.01, as in the ledger's
// TestSettlementAgainstTheAttributionDeCompensation) and two statements
// were corrected after their documents were recorded (as in
// TestACorrectionNeverMakesARecordedTitreDisappear): the gymnasium's, whose
// titre T-2026-12 of 7,800.00 Rodez must cancel or reduce, and the pool's,
// whose mandat M-2026-88 of 4,056.00 it must cancel. The corrected flows are
// current, gross, among the titres and mandats.
func imputationsAndCorrectionsYear() ledger.Year {
	rodez := ledger.PartyRef{OrgID: 1, Name: "Rodez", SIREN: "211202023", Kind: agreement.Commune}
	onet := ledger.PartyRef{OrgID: 2, Name: "Onet-le-Château", SIREN: "211201769", Kind: agreement.Commune}
	agglo := ledger.PartyRef{OrgID: 3, Name: "CA Rodez Agglomération", SIREN: "241200187", Kind: agreement.EPCI}
	jan, jun, dec := civil.MustParse("2026-01-01"), civil.MustParse("2026-06-30"), civil.MustParse("2026-12-31")
	imputation := ledger.Flow{ID: 21, StatementID: 7, AgreementID: 7, AgreementReference: "2026-0007", Creditor: agglo, Debtor: rodez,
		Amount: 500_001, FiscalYear: 2026, TitreAccount: "739211", MandatAccount: "73211", From: jan, To: dec, Current: true,
		Settlement: ledger.SettleAgainstAC,
		Object:     "Service commun ADS — période du 1er janvier 2026 au 31 décembre 2026 (convention 2026-0007)"}
	gym := "Utilisation du gymnase — S1 2026 (convention 2026-0005)"
	titre := ledger.Flow{ID: 31, StatementID: 9, AgreementID: 5, AgreementReference: "2026-0005", Creditor: rodez, Debtor: onet,
		Amount: 811_200, FiscalYear: 2026, TitreAccount: "70632", MandatAccount: "6288", From: jan, To: jun, Current: true, Object: gym}
	oldTitre := titre
	oldTitre.ID, oldTitre.StatementID, oldTitre.Amount, oldTitre.Current, oldTitre.SupersededBy = 30, 8, 780_000, false, 9
	oldTitre.Titre = &ledger.Document{Reference: "T-2026-12", Date: civil.MustParse("2026-07-03"), Account: "70632"}
	oldTitre.Mandat = &ledger.Document{Reference: "M-2026-51", Date: civil.MustParse("2026-07-10")}
	pool := "Participation aux frais de la piscine — S1 2026 (convention 2026-0003)"
	mandat := ledger.Flow{ID: 41, StatementID: 12, AgreementID: 3, AgreementReference: "2026-0003", Creditor: onet, Debtor: rodez,
		Amount: 410_000, FiscalYear: 2026, TitreAccount: "7474", MandatAccount: "65734", From: jan, To: jun, Current: true, Object: pool}
	oldMandat := mandat
	oldMandat.ID, oldMandat.StatementID, oldMandat.Amount, oldMandat.Current, oldMandat.SupersededBy = 40, 11, 405_600, false, 12
	oldMandat.Titre = &ledger.Document{Reference: "T-ONET-2026-7", Date: civil.MustParse("2026-07-05")}
	oldMandat.Mandat = &ledger.Document{Reference: "M-2026-88", Date: civil.MustParse("2026-07-10"), Account: "657341"}
	net := money.Cents(-500_001)
	return ledger.Year{OrgID: 1, Name: "Rodez", SIREN: "211202023", Year: 2026,
		Titres: []ledger.Flow{titre}, Mandats: []ledger.Flow{mandat}, TotalTitres: 811_200, TotalMandats: 410_000,
		Imputations: []ledger.Flow{imputation}, TotalImputationsDebtor: 500_001,
		TitresToCancel: []ledger.Flow{oldTitre}, MandatsToCancel: []ledger.Flow{oldMandat},
		Conventions: []ledger.ConventionYear{
			{AgreementID: 3, Reference: "2026-0003", Title: "Utilisation de la piscine d'Onet-le-Château", Kind: agreement.EquipementPartage,
				Mandats: 410_000},
			{AgreementID: 5, Reference: "2026-0005", Title: "Utilisation du gymnase de Rodez", Kind: agreement.EquipementPartage,
				Titres: 811_200},
			{AgreementID: 7, Reference: "2026-0007", Title: "Service commun d'instruction du droit des sols", Kind: agreement.ServiceCommun,
				ImputationsDebtor: 500_001, Standalone: &ledger.Standalone{AgreementID: 7, OrgID: 1, Year: 2026, Cost: 900_000},
				NetCost: new(money.Cents(500_001)), Saving: new(money.Cents(399_999))},
		},
		Partners: []ledger.PartnerYear{
			{OrgID: 3, Name: "CA Rodez Agglomération", SIREN: "241200187", ImputationsDebtor: 500_001, NetInformation: net},
			{OrgID: 2, Name: "Onet-le-Château", SIREN: "211201769", Titres: 811_200, Mandats: 410_000, NetInformation: 401_200},
		},
	}
}

func TestYearWorkbookShowsImputationsAndDocumentsToCancel(t *testing.T) {
	y := imputationsAndCorrectionsYear()
	f := workbook(t, y)
	t.Run("the workbook's cells match the golden file", func(t *testing.T) {
		golden(t, "year_imputations_corrections.txt", cells(t, f))
	})
	t.Run("the imputation is neither among the titres nor among the mandats", func(t *testing.T) {
		for _, sh := range []string{SheetTitres, SheetMandats} {
			if c := find(t, f, sh, "2026-0007"); c != "" {
				t.Errorf("%s!%s: got the imputation's convention, want it left out", sh, c)
			}
		}
		if c := find(t, f, SheetImputations, "2026-0007"); c != "A5" {
			t.Errorf("got the imputation in %s!%q, want A5", SheetImputations, c)
		}
	})
	t.Run("the imputation shows the commune's side and account 73211", func(t *testing.T) {
		for cell, want := range map[string]string{"B5": "CA Rodez Agglomération", "D5": "Rodez", "J5": "subie (commune)", "K5": "73211"} {
			if got := value(t, f, SheetImputations, cell); got != want {
				t.Errorf("%s!%s: got %q, want %q", SheetImputations, cell, got, want)
			}
		}
	})
	t.Run("each document to cancel shows its number, its account and the cancellation still to record", func(t *testing.T) {
		for _, c := range []struct{ cell, want string }{
			{"B6", "Onet-le-Château"}, {"H6", "T-2026-12"}, {"I6", "2026-07-03"}, {"J6", "70632"}, {"K6", "à enregistrer"},
			{"A8", "Mandats à annuler par Rodez"}, {"H10", "M-2026-88"}, {"J10", "657341"}, {"K10", "à enregistrer"},
		} {
			if got := value(t, f, SheetToCancel, c.cell); got != c.want {
				t.Errorf("%s!%s: got %q, want %q", SheetToCancel, c.cell, got, c.want)
			}
		}
	})
	t.Run("the documents still to cancel are marked to do", func(t *testing.T) {
		for _, cell := range []string{"M6", "M10"} {
			if got := value(t, f, SheetToCancel, cell); got != "à faire" {
				t.Errorf("%s!%s: got %q, want %q", SheetToCancel, cell, got, "à faire")
			}
		}
	})
	t.Run("a recorded cancellation shows as done, with its reference and date", func(t *testing.T) {
		done := y
		cancelled := y.TitresToCancel[0]
		cancelled.TitreCancellation = &ledger.Document{Reference: "TA-2026-3", Date: civil.MustParse("2026-09-01")}
		done.TitresToCancel, done.TitresCancelled = []ledger.Flow{}, []ledger.Flow{cancelled}
		g := workbook(t, done)
		for cell, want := range map[string]string{"H6": "T-2026-12", "K6": "TA-2026-3", "L6": "2026-09-01", "M6": "fait"} {
			if got := value(t, g, SheetToCancel, cell); got != want {
				t.Errorf("%s!%s: got %q, want %q", SheetToCancel, cell, got, want)
			}
		}
		if c := find(t, g, SheetToCancel, "à enregistrer"); c != "K10" {
			t.Errorf("got %q still to record, want only the mandat's K10", c)
		}
	})
	t.Run("the sheets per convention and per partner show the imputations on the AC as the year's page does", func(t *testing.T) {
		for _, c := range []struct{ sheet, cell, want string }{
			{SheetConventions, "F1", "Imputations sur l'AC reçues (EPCI)"}, {SheetConventions, "G1", "Imputations sur l'AC subies (commune)"},
			{SheetPartners, "E1", "Imputations sur l'AC reçues (EPCI)"}, {SheetPartners, "F1", "Imputations sur l'AC subies (commune)"},
			{SheetConventions, "A4", "2026-0007"}, {SheetPartners, "A2", "CA Rodez Agglomération"},
		} {
			if got := value(t, f, c.sheet, c.cell); got != c.want {
				t.Errorf("%s!%s: got %q, want %q", c.sheet, c.cell, got, c.want)
			}
		}
		amounts(t, f, []amount{
			{SheetConventions, "F4", "0"}, {SheetConventions, "G4", "5000.01"}, {SheetConventions, "J4", "5000.01"},
			{SheetPartners, "E2", "0"}, {SheetPartners, "F2", "5000.01"}, {SheetPartners, "G2", "-5000.01"},
			{SheetPartners, "F3", "0"}, {SheetPartners, "G3", "4012"},
		})
	})
	t.Run("amounts are the gross flows' exact numbers shown in euros, never a net", func(t *testing.T) {
		amounts(t, f, []amount{
			{SheetImputations, "I5", "5000.01"}, {SheetImputations, "I6", "0"}, {SheetImputations, "I7", "5000.01"},
			{SheetToCancel, "G6", "7800"}, {SheetToCancel, "G10", "4056"},
			{SheetTitres, "G2", "8112"}, {SheetMandats, "G2", "4100"},
		})
	})
}

func workbook(t *testing.T, y ledger.Year) *excelize.File {
	t.Helper()
	var buf bytes.Buffer
	if err := Year(&buf, y); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// cells lists every non-empty cell of every sheet, raw, one a line.
func cells(t *testing.T, f *excelize.File) string {
	t.Helper()
	var out strings.Builder
	for _, sh := range f.GetSheetList() {
		fmt.Fprintf(&out, "== %s\n", sh)
		rows, err := f.GetRows(sh, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		for i, row := range rows {
			for j, v := range row {
				if v == "" {
					continue
				}
				name, _ := excelize.CoordinatesToCellName(j+1, i+1)
				fmt.Fprintf(&out, "%s\t%s\n", name, v)
			}
		}
	}
	return out.String()
}

func value(t *testing.T, f *excelize.File, sheet, cell string) string {
	t.Helper()
	v, err := f.GetCellValue(sheet, cell, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// find returns the first cell of sheet holding v, or "".
func find(t *testing.T, f *excelize.File, sheet, v string) string {
	t.Helper()
	found, err := f.SearchSheet(sheet, v)
	if err != nil {
		t.Fatal(err)
	}
	if len(found) == 0 {
		return ""
	}
	return found[0]
}

type amount struct{ sheet, cell, want string }

// amounts checks each cell holds want euros with two decimals as a number
// shown in euros.
func amounts(t *testing.T, f *excelize.File, want []amount) {
	t.Helper()
	for _, c := range want {
		v := value(t, f, c.sheet, c.cell)
		w := c.want
		if !strings.Contains(w, ".") {
			w += ".00"
		}
		if v != w {
			t.Errorf("%s!%s: got %q, want %s", c.sheet, c.cell, v, w)
		}
		typ, err := f.GetCellType(c.sheet, c.cell)
		if err != nil {
			t.Fatal(err)
		}
		if typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
			t.Errorf("%s!%s: got cell type %v, want a number", c.sheet, c.cell, typ)
		}
		shown, _ := f.GetCellValue(c.sheet, c.cell)
		if !strings.Contains(shown, "€") {
			t.Errorf("%s!%s: shown as %q, want euros", c.sheet, c.cell, shown)
		}
	}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run go test -update to create it): %v", err)
	}
	if got != string(want) {
		t.Errorf("cells differ from %s (run go test -update after checking):\ngot:\n%s", path, got)
	}
}
