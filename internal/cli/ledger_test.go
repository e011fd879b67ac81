package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"voisines/internal/agreement"
	"voisines/internal/auth"
	"voisines/internal/civil"
	"voisines/internal/org"
	"voisines/internal/store"
	"voisines/internal/territory"
)

// TestLedgerCommands drives `ledger terms`, `compute --draft`, `issue`,
// `show`, `year` and `accounts` on an entente between Rodez and
// Onet-le-Château sharing a cost equally.
func TestLedgerCommands(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	dsn := filepath.Join(dir, "voisines.db")
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	err = db.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO epcis (siren, name, type, financing) VALUES ('241200187', 'CA Rodez Agglomération', 'CA', 'FPU')`); err != nil {
			return err
		}
		for _, c := range [][3]string{{"12202", "Rodez", "211202023"}, {"12176", "Onet-le-Château", "211201769"}} {
			if _, err := tx.ExecContext(ctx, `INSERT INTO communes (code, name, siren, departement_code, epci_siren) VALUES (?, ?, ?, '12', '241200187')`,
				c[0], c[1], c[2]); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO organisations (kind, name, siren, commune_code, departement_code, representative, created_at, updated_at)
				VALUES ('commune', ?, ?, ?, '12', 'Maire fictif', ?, ?)`, c[1], c[2], c[0], now, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var clock time.Time
	svc := agreement.NewService(db, org.New(db), territory.New(db)).WithClock(func() time.Time { return clock })
	at := func(d string) { clock = civil.MustParse(d).Time(civil.Paris).Add(10 * time.Hour) }
	at("2025-11-02")
	r, err := svc.Create(ctx, auth.System, agreement.Input{Kind: agreement.Entente, Content: agreement.Content{
		Title:     "Entente pour la fourrière",
		Term:      agreement.Term{Start: civil.MustParse("2026-01-01"), End: civil.MustParse("2028-12-31")},
		Financial: agreement.Financial{Mode: agreement.ActualCostByKey, Summary: "Frais partagés à parts égales."},
		Clauses: []agreement.Clause{{ID: agreement.ClauseObjet, Text: "Fourrière commune."},
			{ID: agreement.ClauseCleRepartition, Text: "Moitié chacune."}},
	}, Parties: []agreement.PartyInput{{OrgID: 1, Role: agreement.RoleLead}, {OrgID: 2, Role: agreement.RoleMember}}})
	if err == nil {
		r, err = svc.Submit(ctx, auth.System, r.ID, r.Version)
	}
	at("2025-11-22")
	for i, party := range []int64{1, 2} {
		if err == nil {
			r, err = svc.RecordApproval(ctx, auth.System, r.ID, r.Version, agreement.Approval{OrgID: party, Kind: agreement.Deliberation,
				Number: fmt.Sprint(i + 1), Date: civil.MustParse("2025-11-20"), TransmittedOn: civil.MustParse("2025-11-21")})
		}
	}
	at("2025-12-01")
	for _, party := range []int64{1, 2} {
		if err == nil {
			r, err = svc.Sign(ctx, auth.System, r.ID, r.Version, agreement.Signature{OrgID: party, Date: civil.MustParse("2025-12-01")})
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	request := filepath.Join(dir, "request.json")
	if err := os.WriteFile(request, []byte(`{"cost_lines": [{"label": "Marché de fourrière", "amount": 1234567, "eligible": true}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	pdfOut, xlsxOut := filepath.Join(dir, "etat.pdf"), filepath.Join(dir, "annee.xlsx")
	steps := []struct {
		name     string
		args     []string
		stdin    string
		wantCode int
		wantOut  []string
		wantErr  string
	}{
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
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			env := &Env{Stdin: strings.NewReader(st.stdin), Stdout: &out, Stderr: &errb,
				Getenv: func(k string) string {
					if k == "VOISINES_DB" {
						return dsn
					}
					return ""
				},
				Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
			code := run(ctx, env, st.args)
			plain := strings.NewReplacer("\u202f", " ", "\u00a0", " ").Replace(out.String())
			ok := code == st.wantCode && strings.Contains(errb.String(), st.wantErr)
			for _, w := range st.wantOut {
				ok = ok && strings.Contains(plain, w)
			}
			if !ok {
				t.Fatalf("got exit %d, stdout %q, stderr %q\nwant exit %d, stdout with %q, stderr with %q",
					code, out.String(), errb.String(), st.wantCode, st.wantOut, st.wantErr)
			}
		})
	}
	for _, f := range []string{pdfOut, xlsxOut} {
		if b, err := os.ReadFile(f); err != nil || len(b) < 1000 {
			t.Errorf("%s: got %d bytes, %v; want a document", f, len(b), err)
		}
	}
}
