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
	var buf bytes.Buffer
	if err := Year(&buf, reciprocalYear()); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	t.Run("the workbook's cells match the golden file", func(t *testing.T) {
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
		golden(t, "year.txt", out.String())
	})
	t.Run("amounts are exact numbers shown in euros", func(t *testing.T) {
		for _, c := range []struct{ sheet, cell, want string }{
			{SheetTitres, "G2", "13005"}, {SheetMandats, "G2", "8112"}, {SheetPartners, "E2", "4893"},
		} {
			v, err := f.GetCellValue(c.sheet, c.cell, excelize.Options{RawCellValue: true})
			if err != nil {
				t.Fatal(err)
			}
			if v != c.want+".00" {
				t.Errorf("%s!%s: got %q, want %s", c.sheet, c.cell, v, c.want)
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
	})
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
