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
	"voisines/internal/money"
	"voisines/internal/purchasing"
	"voisines/internal/store"
)

// TestPurchasingCommands drives `purchasing thresholds`, `import-needs`
// (refused with line-numbered errors, then accepted), `procedure` and
// `list` on the three-commune group of domain.md §10 example 3.
func TestPurchasingCommands(t *testing.T) {
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
		for _, c := range [][3]string{{"12202", "Rodez", "211202023"}, {"12176", "Onet-le-Château", "211201769"}, {"12174", "Olemps", "211201744"}} {
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
	c := agreement.Content{Title: "Groupement de commandes — entretien",
		Term:      agreement.Term{Start: civil.MustParse("2026-06-01"), End: civil.MustParse("2030-12-31")},
		Financial: agreement.Financial{Mode: agreement.ActualCostByKey, Summary: "Frais au prorata des besoins."}}
	for _, cs := range agreement.RequiredClauses(agreement.New(agreement.GroupementCommandes, c)) {
		c.Clauses = append(c.Clauses, agreement.Clause{ID: cs.ID, Text: "Article."})
	}
	r, err := agreements(db).Create(ctx, auth.System, agreement.Input{Kind: agreement.GroupementCommandes, Content: c, Parties: []agreement.PartyInput{
		{OrgID: 1, Role: agreement.RoleCoordinator}, {OrgID: 2, Role: agreement.RoleMember}, {OrgID: 3, Role: agreement.RoleMember}}})
	if err != nil {
		t.Fatal(err)
	}
	svc := purchasingService(db)
	g, err := svc.Create(ctx, auth.System, purchasing.CreateInput{AgreementID: r.ID})
	if err == nil {
		g, err = svc.AddLot(ctx, auth.System, g.ID, g.Version, purchasing.LotInput{Label: "Produits d'entretien et papier", CPV: "39830000-9",
			Nature: purchasing.Supplies, DurationMonths: 48, Framework: true})
	}
	if err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.csv")
	good := filepath.Join(dir, "good.csv")
	os.WriteFile(bad, []byte("member;lot;amount;years\n12202;1;21 500;4\n12176;7;14 800;4\n99999;1;1;\n"), 0o644)
	os.WriteFile(good, []byte("member;lot;amount;years\n12202;1;21 500;4\n211201769;1;14 800;4\n12174;1;79 600,00;\n"), 0o644)

	for _, st := range []struct {
		name   string
		args   []string
		code   int
		stdout []string
		stderr []string
	}{
		{"thresholds on 1 April 2026", []string{"purchasing", "thresholds", "--date", "2026-04-01", "--nature", "supplies"}, 0,
			[]string{"dispense", "60000.00", "216000.00", "décret n° 2025-1386"}, nil},
		{"thresholds on a day the table does not cover", []string{"purchasing", "thresholds", "--date", "2023-01-01"}, 1, nil, []string{"ne couvre pas"}},
		{"a needs file with errors imports nothing", []string{"purchasing", "import-needs", "--db", dsn, "--group", fmt.Sprint(g.ID), bad}, 1, nil,
			[]string{"nothing imported", "ligne 3, colonne « lot »", "ligne 4, colonne « member »"}},
		{"a valid needs file", []string{"purchasing", "import-needs", "--db", dsn, "--group", r.Reference, good}, 0, []string{"3 line(s)"}, nil},
		{"the procedure on 15 July 2026", []string{"purchasing", "procedure", "--db", dsn, "--group", fmt.Sprint(g.ID), "--date", "2026-07-15"}, 0,
			[]string{"procédure formalisée", money.Cents(224_800_00).French(), "Onet-le-Château", "dispense", "MAPA"}, nil},
		{"the list", []string{"purchasing", "list", "--db", dsn}, 0, []string{r.Reference, "Rodez", "1 group(s)"}, nil},
		{"one organisation's list", []string{"purchasing", "list", "--db", dsn, "--org", "12174"}, 0, []string{"1 group(s)"}, nil},
		{"no subcommand", []string{"purchasing"}, 2, nil, []string{"import-needs"}},
	} {
		t.Run(st.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			env := &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" },
				Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
			if code := run(ctx, env, st.args); code != st.code {
				t.Fatalf("got exit %d want %d\nstdout: %s\nstderr: %s", code, st.code, out.String(), errb.String())
			}
			for _, want := range st.stdout {
				if !strings.Contains(out.String(), want) {
					t.Errorf("stdout lacks %q:\n%s", want, out.String())
				}
			}
			for _, want := range st.stderr {
				if !strings.Contains(errb.String(), want) {
					t.Errorf("stderr lacks %q:\n%s", want, errb.String())
				}
			}
		})
	}
}
