package ledger

import (
	"encoding/csv"
	"io"
	"strconv"
)

// TitresHeader are the columns of the titres CSV.
var TitresHeader = []string{
	"debiteur", "siren_debiteur", "objet", "periode_debut", "periode_fin", "montant", "compte",
	"convention", "creancier", "siren_creancier", "exercice", "flux", "numero_titre",
}

// WriteTitresCSV writes the titres de recettes to issue for the finance
// software, one line per titre (one per gross flow the creditor is owed):
// the debtor's name and SIREN, the object, the period, the amount, the
// suggested account (or the one recorded with the titre) and the
// convention's reference, then the creditor, the fiscal year, the flow's id
// and the titre's number once recorded. The separator is ";" as French
// spreadsheets expect, amounts are written with a point and two decimals
// ("8112.00") and dates in ISO form, so that no locale can misread them.
// Flows settled against the attribution de compensation are left out: they
// are not titres.
func WriteTitresCSV(w io.Writer, titres []Flow) error {
	cw := csv.NewWriter(w)
	cw.Comma = ';'
	if err := cw.Write(TitresHeader); err != nil {
		return err
	}
	for _, f := range titres {
		if f.AgainstAC() {
			continue
		}
		account, number := f.TitreAccount, ""
		if f.Titre != nil {
			number = f.Titre.Reference
			if f.Titre.Account != "" {
				account = f.Titre.Account
			}
		}
		if err := cw.Write([]string{
			f.Debtor.Name, f.Debtor.SIREN, f.Object, f.From.String(), f.To.String(), f.Amount.Plain(), account,
			f.AgreementReference, f.Creditor.Name, f.Creditor.SIREN, strconv.Itoa(f.FiscalYear),
			strconv.FormatInt(f.ID, 10), number,
		}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
