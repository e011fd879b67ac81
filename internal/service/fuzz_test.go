package service

import (
	"strings"
	"testing"

	"voisines/internal/agreement"
	"voisines/internal/civil"
	"voisines/internal/money"
)

// FuzzParseUsage feeds arbitrary files to the usage import's parser: it
// never panics, returns rows or errors but not both, and every row it
// accepts is a valid usage record of the service, with a reference.
func FuzzParseUsage(f *testing.F) {
	s := Service{ID: 7, AgreementID: 3, Name: "ADS", Unit: Act,
		Weights:       []ActWeight{{Type: "PC", Weight: money.IntRat(1)}, {Type: "DP", Weight: money.NewRat(7, 10)}},
		Provider:      Party{OrgID: 1, Name: "Agglo", Kind: agreement.EPCI},
		Beneficiaries: []Party{{OrgID: 2, Name: "Rodez", CommuneCode: "12202", SIREN: "211202023"}},
		Start:         civil.MustParse("2026-01-01"), End: civil.MustParse("2028-12-31")}
	resolve := func(code string) (int64, bool) {
		if code == "12202" || code == "211202023" {
			return 2, true
		}
		return 0, false
	}
	f.Add([]byte("date;beneficiaire;type;quantite;reference\n2026-05-12;12202;PC;40;A\n12/05/2026;211202023;dp;3;B\n"))
	f.Add([]byte("date,beneficiaire,type,quantite,reference,note\n2026-05-12,12202,PC,\"1\",A,\"x\"\"y\"\n"))
	f.Add([]byte("\xef\xbb\xbfDate;Bénéficiaire;Type;Quantité;Référence\n31/02/2026;99999;ZZ;-1;\n"))
	f.Add([]byte("date;beneficiaire\n\"unterminated"))
	f.Add([]byte("d\xe9te;b\xe9n\xe9ficiaire\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, errs := parseUsage(data, s, resolve)
		if (len(rows) > 0) == (len(errs) > 0) {
			t.Fatalf("got %d rows and %d errors, want exactly one of them", len(rows), len(errs))
		}
		for _, r := range rows {
			e := r.entry
			if e.UserOrgID != 2 || e.ProviderOrgID != 1 || e.Milli <= 0 || e.Milli%1000 != 0 ||
				(e.ActType != "PC" && e.ActType != "DP") || !strings.HasPrefix(e.SourceRef, "service/7/") ||
				e.SourceRef == "service/7/" || e.OccurredOn.Before(s.Start) || e.OccurredOn.After(s.End) {
				t.Fatalf("accepted an invalid row %+v", e)
			}
		}
		for _, e := range errs {
			if e.Message == "" || e.Line < 0 {
				t.Fatalf("got an error without message or line: %+v", e)
			}
		}
	})
}
