package cli

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"voisines/internal/agreement"
	"voisines/internal/agreement/agreementtest"
	"voisines/internal/civil"
)

// TestAgreementCommands drives `agreement list`, `show`, `alerts`,
// `opendata` and `refresh` on a SQLite database holding an entente between
// Rodez and Onet-le-Château, signed before its start ten days ago and
// ending in thirty days (rows inserted directly; no territory import).
func TestAgreementCommands(t *testing.T) {
	db, dsn, _ := migratedSQLite(t)
	rodezAgglo(2).Insert(t, db)

	today := civil.Today()
	clk := &agreementtest.Clock{}
	r := conclude(t, agreements(db).WithClock(clk.Now), clk, agreement.Input{Kind: agreement.Entente, Content: agreement.Content{
		Title:     "Entente pour la fourrière",
		Term:      agreement.Term{Start: today.AddDays(-10), End: today.AddDays(30)},
		Financial: agreement.Financial{Mode: agreement.ActualCostByKey, Summary: "Frais partagés à parts égales."},
		Clauses: []agreement.Clause{{ID: agreement.ClauseObjet, Text: "Fourrière commune."},
			{ID: agreement.ClauseCleRepartition, Text: "Moitié chacune."}},
	}, Parties: []agreement.PartyInput{{OrgID: 1, Role: agreement.RoleLead}, {OrgID: 2, Role: agreement.RoleMember}}},
		today.AddDays(-40), agreementtest.Acts{Date: today.AddDays(-40), Transmitted: today.AddDays(-40)}, today.AddDays(-20))
	if r.Agreement.Status != agreement.Signed {
		t.Fatalf("got status %q, want %q before the refresh", r.Agreement.Status, agreement.Signed)
	}

	steps := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  []string
		wantErr  string
	}{
		{"agreement list shows the register", []string{"agreement", "list"}, 0,
			[]string{r.Reference, "entente", "signee", "Rodez ; Onet-le-Château", "1–1 of 1"}, ""},
		{"agreement list filters by organisation and status", []string{"agreement", "list", "--org", "12176", "--status", "en_vigueur"}, 0,
			[]string{"0–0 of 0"}, ""},
		{"agreement list refuses an unknown format", []string{"agreement", "list", "--format", "xml"}, 2, nil, "--format must be one of"},
		{"agreement list names an unknown kind in French", []string{"agreement", "list", "--kind", "jumelage"}, 1, nil, "n'est pas une nature de convention"},
		{"agreement refresh puts the convention in force", []string{"agreement", "refresh"}, 0, []string{"1 convention(s) changed"}, ""},
		{"agreement list in CSV", []string{"agreement", "list", "--status", "en_vigueur", "--format", "csv"}, 0,
			[]string{"id,reference,kind,status,title,start,end,parties\n", r.Reference + ",entente,en_vigueur,Entente pour la fourrière"}, ""},
		{"agreement show by reference", []string{"agreement", "show", r.Reference}, 0,
			[]string{r.Reference + " — Entente pour la fourrière", "statut : en vigueur", "base légale : CGCT L5221-1, CGCT L5221-2",
				"Onet-le-Château (commune, SIREN 211201769) : membre", fmt.Sprintf("délibération n° %d-002", today.AddDays(-40).Year)}, ""},
		{"agreement show of an unknown convention fails", []string{"agreement", "show", "999"}, 1, nil, "not found"},
		{"agreement alerts lists the coming expiry", []string{"agreement", "alerts", "--org", "12202", "--days", "60"}, 0,
			[]string{today.AddDays(30).String(), r.Reference, "echeance", "1 alert(s)"}, ""},
		{"agreement alerts needs --org", []string{"agreement", "alerts"}, 2, nil, "--org is required"},
		{"agreement opendata writes the CSV", []string{"agreement", "opendata"}, 0,
			[]string{strings.Join(agreement.OpenDataColumns, ","), r.Reference + ",entente,Entente intercommunale"}, ""},
	}
	run1 := func(args []string) (int, string, string) { return runCLI(dsn, "", args...) }
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			code, out, errOut := run1(st.args)
			ok := code == st.wantCode && strings.Contains(errOut, st.wantErr)
			for _, w := range st.wantOut {
				ok = ok && strings.Contains(out, w)
			}
			if !ok {
				t.Fatalf("got exit %d, stdout %q, stderr %q\nwant exit %d, stdout with %q, stderr with %q",
					code, out, errOut, st.wantCode, st.wantOut, st.wantErr)
			}
		})
	}
	t.Run("agreement opendata in JSON holds no representative", func(t *testing.T) {
		code, out, errOut := run1([]string{"agreement", "opendata", "--format", "json"})
		var items []agreement.PublicAgreement
		if code != 0 || json.Unmarshal([]byte(out), &items) != nil || len(items) != 1 || strings.Contains(out, "Maire fictif") {
			t.Fatalf("got exit %d, stdout %q, stderr %q; want one public convention without its representatives", code, out, errOut)
		}
	})
}
