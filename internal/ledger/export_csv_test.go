package ledger_test

import (
	"bytes"
	"encoding/csv"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"voisines/internal/agreement"
	"voisines/internal/civil"
	"voisines/internal/ledger"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

func TestTitresCSVHasOneLinePerTitre(t *testing.T) {
	rodez := ledger.PartyRef{OrgID: 1, Name: "Rodez", SIREN: "211202023", Kind: agreement.Commune}
	onet := ledger.PartyRef{OrgID: 2, Name: "Onet-le-Château", SIREN: "211201769", Kind: agreement.Commune}
	agglo := ledger.PartyRef{OrgID: 3, Name: "CA Rodez Agglomération", SIREN: "241200187", Kind: agreement.EPCI}
	year := civil.MustParse("2026-01-01")
	titres := []ledger.Flow{
		{ID: 11, AgreementReference: "2026-0002", Creditor: rodez, Debtor: onet, Amount: 1_300_500, FiscalYear: 2026,
			TitreAccount: "70848", From: year, To: civil.MustParse("2026-12-31"),
			Object: "Remboursement de la mise à disposition d'un agent — année 2026 (convention 2026-0002)",
			Titre:  &ledger.Document{Reference: "T-2027-0012", Account: "70848"}},
		{ID: 12, AgreementReference: "2026-0005", Creditor: rodez, Debtor: onet, Amount: 811_200, FiscalYear: 2026,
			TitreAccount: "7474", From: year, To: civil.MustParse("2026-12-31"),
			Object: "Participation aux frais du gymnase; « année 2026 » (convention 2026-0005)"},
		{ID: 13, AgreementReference: "2026-0009", Creditor: rodez, Debtor: agglo, Amount: 1_674_400, FiscalYear: 2026,
			TitreAccount: "70876", From: year, To: civil.MustParse("2026-06-30"),
			Object: "Remboursement du service voirie — S1 2026 (convention 2026-0009)",
			Titre:  &ledger.Document{Reference: "T-2026-0400", Account: "70878"}},
	}
	var buf bytes.Buffer
	if err := ledger.WriteTitresCSV(&buf, titres); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "titres.csv")
	if *update {
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("the file matches the golden file", func(t *testing.T) {
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("read golden file (run go test -update to create it): %v", err)
		}
		if buf.String() != string(want) {
			t.Errorf("got:\n%s\nwant:\n%s", buf.String(), want)
		}
	})
	t.Run("it reads back as one record per titre with the debtor, amount, account and convention", func(t *testing.T) {
		r := csv.NewReader(bytes.NewReader(buf.Bytes()))
		r.Comma = ';'
		recs, err := r.ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != 4 {
			t.Fatalf("got %d records, want a header and 3 titres", len(recs))
		}
		got := recs[3]
		want := map[int]string{0: "CA Rodez Agglomération", 1: "241200187", 5: "16744.00", 6: "70878", 7: "2026-0009", 12: "T-2026-0400"}
		for col, v := range want {
			if got[col] != v {
				t.Errorf("column %s: got %q, want %q", ledger.TitresHeader[col], got[col], v)
			}
		}
	})
}
