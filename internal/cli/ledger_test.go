package cli

import (
	"os"
	"path/filepath"
	"testing"

	"voisines/internal/agreement"
	"voisines/internal/agreement/agreementtest"
	"voisines/internal/civil"
)

// TestLedgerCommands drives `ledger terms`, `compute --draft`, `issue`,
// `show`, `year` and `accounts` on an entente between Rodez and
// Onet-le-Château sharing a cost equally.
func TestLedgerCommands(t *testing.T) {
	db, dsn, dir := migratedSQLite(t)
	rodezAgglo(2).Insert(t, db)
	clk := &agreementtest.Clock{}
	day := civil.MustParse
	r := conclude(t, agreements(db).WithClock(clk.Now), clk, agreement.Input{Kind: agreement.Entente, Content: agreement.Content{
		Title:     "Entente pour la fourrière",
		Term:      agreement.Term{Start: day("2026-01-01"), End: day("2028-12-31")},
		Financial: agreement.Financial{Mode: agreement.ActualCostByKey, Summary: "Frais partagés à parts égales."},
		Clauses: []agreement.Clause{{ID: agreement.ClauseObjet, Text: "Fourrière commune."},
			{ID: agreement.ClauseCleRepartition, Text: "Moitié chacune."}},
	}, Parties: []agreement.PartyInput{{OrgID: 1, Role: agreement.RoleLead}, {OrgID: 2, Role: agreement.RoleMember}}},
		day("2025-11-02"), agreementtest.Acts{Date: day("2025-11-20"), Transmitted: day("2025-11-21"), Recorded: day("2025-11-22")}, day("2025-12-01"))
	request := filepath.Join(dir, "request.json")
	if err := os.WriteFile(request, []byte(`{"cost_lines": [{"label": "Marché de fourrière", "amount": 1234567, "eligible": true}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	pdfOut, xlsxOut := filepath.Join(dir, "etat.pdf"), filepath.Join(dir, "annee.xlsx")
	steps := []cliStep{
		{"ledger alone lists its subcommands", []string{"ledger"}, "", 2, nil, "compute"},
		{"ledger terms --set records the terms from standard input", []string{"ledger", "terms", r.Reference, "--set", "-"},
			`{"key": {"kind": "equal"}, "object": "Frais de fourrière"}`, 0, []string{`"creditor": 1`, `"parties": [`}, ""},
		{"ledger compute --draft stores a draft", []string{"ledger", "compute", "--agreement", r.Reference, "--from", "2026-01-01",
			"--to", "2026-12-31", "--label", "année 2026", "--request", request, "--draft"}, "", 0,
			[]string{"État 1 — n° 1 version 1, brouillon", "Onet-le-Château doit 6 172,83 € à Rodez."}, ""},
		{"ledger issue freezes it and lists its flow", []string{"ledger", "issue", "1"}, "", 0,
			[]string{"émis le", "Onet-le-Château → Rodez : 6 172,83 € (titre 70878, mandat 62878)"}, ""},
		{"ledger show writes the PDF", []string{"ledger", "show", "1", "--format", "pdf", "--out", pdfOut}, "", 0, nil, ""},
		{"ledger year writes the titres as CSV", []string{"ledger", "year", "--org", "12202", "--year", "2026", "--format", "csv"}, "", 0,
			[]string{"debiteur;siren_debiteur;objet", "Onet-le-Château;211201769;Frais de fourrière — année 2026 (convention " + r.Reference + ");2026-01-01;2026-12-31;6172.83;70878;" + r.Reference}, ""},
		{"ledger year writes the workbook", []string{"ledger", "year", "--org", "12176", "--year", "2026", "--format", "xlsx", "--out", xlsxOut}, "", 0, nil, ""},
		{"ledger year shows the mandats to expect", []string{"ledger", "year", "--org", "12176", "--year", "2026"}, "", 0,
			[]string{"Mandats attendus : 1, total 6 172,83 €", "information seulement"}, ""},
		{"ledger accounts lists the 2026 mapping", []string{"ledger", "accounts", "--year", "2026"}, "", 0, []string{"mise_a_disposition_personnel", "70848"}, ""},
		{"ledger issue of an issued statement is refused", []string{"ledger", "issue", "1"}, "", 1, nil, "est émis"},
		{"ledger with an unknown subcommand is a usage error", []string{"ledger", "net"}, "", 2, nil, "unknown subcommand"},
	}
	runSteps(t, dsn, steps)
	for _, f := range []string{pdfOut, xlsxOut} {
		if b, err := os.ReadFile(f); err != nil || len(b) < 1000 {
			t.Errorf("%s: got %d bytes, %v; want a document", f, len(b), err)
		}
	}
}
