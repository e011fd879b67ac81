package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"voisines/internal/agreement"
	"voisines/internal/agreement/agreementtest"
	"voisines/internal/auth"
	"voisines/internal/civil"
	"voisines/internal/ledger"
	"voisines/internal/staff"
)

// TestStaffCommands imports time worked by an agent of Rodez seconded to
// Onet-le-Château in real time (refused whole with its line numbers, then
// recorded), lists the agents, computes May's reimbursement and prints the
// alerts.
func TestStaffCommands(t *testing.T) {
	ctx := context.Background()
	db, dsn, dir := migratedSQLite(t)
	rodezAgglo(2).Insert(t, db)
	clk := &agreementtest.Clock{}
	agr := agreements(db).WithClock(clk.Now)
	day := civil.MustParse
	c := agreement.Content{Title: "Mise à disposition d'un agent technique",
		Term:       agreement.Term{Start: day("2026-05-01"), End: day("2026-12-31")},
		Financial:  agreement.Financial{Mode: agreement.UnitPrice, Summary: "Remboursement au temps passé."},
		Secondment: agreement.SecondmentTerms{Agent: "Jeanne Dupont", AgentStatus: agreement.Titulaire, Quotite: agreement.Fraction{Num: 1, Den: 2}}}
	for _, cs := range agreement.RequiredClauses(agreement.New(agreement.MADPersonnel, c)) {
		c.Clauses = append(c.Clauses, agreement.Clause{ID: cs.ID, Text: cs.Title + "."})
	}
	r := conclude(t, agr, clk, agreement.Input{Kind: agreement.MADPersonnel, Content: c, Parties: []agreement.PartyInput{
		{OrgID: 1, Role: agreement.RoleHomeEmployer}, {OrgID: 2, Role: agreement.RoleHost}}},
		day("2026-02-02"), agreementtest.Acts{Date: day("2026-02-16"), Transmitted: day("2026-02-17"), Recorded: day("2026-02-20")}, day("2026-03-02"))
	svc := staff.New(db, agr, ledger.New(db, agr))
	ag, err := svc.CreateAgent(ctx, auth.System, staff.AgentInput{EmployerOrgID: 1, FamilyName: "Dupont", GivenName: "Jeanne", Status: staff.Titulaire})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SetCost(ctx, auth.System, ag.ID, 2026, 0, staff.CostInput{GrossPay: 3_000_000, EmployerContributions: 1_335_000, Source: "DSN"}); err != nil {
		t.Fatal(err)
	}
	sec, err := svc.CreateSecondment(ctx, auth.System, staff.SecondmentInput{AgreementID: r.ID, AgentID: ag.ID, Activities: "Voirie", Billing: staff.RealTime})
	if err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.csv")
	good := filepath.Join(dir, "good.csv")
	os.WriteFile(bad, []byte(fmt.Sprintf("secondment;date;duration;activity\n%d;04/05/2026;7:30;Voirie\n%d;2026-05-05;sept heures;Voirie\n", sec.ID, sec.ID)), 0o644)
	os.WriteFile(good, []byte(fmt.Sprintf("agreement;date;duration;activity\n%s;04/05/2026;7:30;Voirie\n%s;2026-05-05;11:30;Voirie\n", r.Reference, r.Reference)), 0o644)

	steps := []cliStep{
		{"a file with an error imports nothing and names the line", []string{"staff", "import-time", bad}, "", 1, nil, "ligne 3, colonne « duration »"},
		{"a good file is imported", []string{"staff", "import-time", good}, "", 0, []string{"2 time record(s), 19 h"}, ""},
		{"the same file again is refused", []string{"staff", "import-time", good}, "", 1, nil, "déjà saisi"},
		{"the list shows the agent and the secondment", []string{"staff", "list", "--org", "12202"}, "", 0,
			[]string{"Dupont Jeanne", "Onet-le-Château", "temps_reel", "1 agent(s)"}, ""},
		{"the host's list shows the agent too", []string{"staff", "list", "--org", "12176", "--format", "json"}, "", 0, []string{`"employed": false`}, ""},
		{"May's reimbursement: 19 h at 43,350.00 / 1,607 h", []string{"staff", "reimburse", "--secondment", fmt.Sprint(sec.ID), "--from", "2026-05-01", "--to", "2026-05-31"}, "", 0,
			[]string{"512.54 owed", "voisines ledger issue"}, ""},
		{"a period across two years is refused", []string{"staff", "reimburse", "--secondment", fmt.Sprint(sec.ID), "--from", "2026-05-01", "--to", "2027-01-31"}, "", 1, nil, "année civile"},
		{"the alerts print", []string{"staff", "alerts", "--org", "12202"}, "", 0, []string{"alert(s)"}, ""},
		{"--org is required", []string{"staff", "alerts"}, "", 2, nil, "--org"},
	}
	runSteps(t, dsn, steps)
}
