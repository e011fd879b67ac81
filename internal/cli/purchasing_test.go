package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"voisines/internal/agreement"
	"voisines/internal/auth"
	"voisines/internal/civil"
	"voisines/internal/money"
	"voisines/internal/purchasing"
)

// TestPurchasingCommands drives `purchasing thresholds`, `import-needs`
// (refused with line-numbered errors, then accepted), `procedure` and
// `list` on the three-commune group of domain.md §10 example 3.
func TestPurchasingCommands(t *testing.T) {
	ctx := context.Background()
	db, dsn, dir := migratedSQLite(t)
	rodezAgglo(3).Insert(t, db)
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
			code, out, errOut := runCLI("", "", st.args...)
			if code != st.code {
				t.Fatalf("got exit %d want %d\nstdout: %s\nstderr: %s", code, st.code, out, errOut)
			}
			for _, want := range st.stdout {
				if !strings.Contains(out, want) {
					t.Errorf("stdout lacks %q:\n%s", want, out)
				}
			}
			for _, want := range st.stderr {
				if !strings.Contains(errOut, want) {
					t.Errorf("stderr lacks %q:\n%s", want, errOut)
				}
			}
		})
	}
}
