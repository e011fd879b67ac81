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
	"voisines/internal/ledger"
	"voisines/internal/org"
	"voisines/internal/staff"
	"voisines/internal/store"
	"voisines/internal/territory"
)

// TestStaffCommands imports time worked by an agent of Rodez seconded to
// Onet-le-Château in real time (refused whole with its line numbers, then
// recorded), lists the agents, computes May's reimbursement and prints the
// alerts.
func TestStaffCommands(t *testing.T) {
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
	at := func(d string) { clock = civil.MustParse(d).Time(civil.Paris).Add(10 * time.Hour) }
	agr := agreement.NewService(db, org.New(db), territory.New(db)).WithClock(func() time.Time { return clock })
	c := agreement.Content{Title: "Mise à disposition d'un agent technique",
		Term:       agreement.Term{Start: civil.MustParse("2026-05-01"), End: civil.MustParse("2026-12-31")},
		Financial:  agreement.Financial{Mode: agreement.UnitPrice, Summary: "Remboursement au temps passé."},
		Secondment: agreement.SecondmentTerms{Agent: "Jeanne Dupont", AgentStatus: agreement.Titulaire, Quotite: agreement.Fraction{Num: 1, Den: 2}}}
	for _, cs := range agreement.RequiredClauses(agreement.New(agreement.MADPersonnel, c)) {
		c.Clauses = append(c.Clauses, agreement.Clause{ID: cs.ID, Text: cs.Title + "."})
	}
	at("2026-02-02")
	r, err := agr.Create(ctx, auth.System, agreement.Input{Kind: agreement.MADPersonnel, Content: c, Parties: []agreement.PartyInput{
		{OrgID: 1, Role: agreement.RoleHomeEmployer}, {OrgID: 2, Role: agreement.RoleHost}}})
	if err == nil {
		r, err = agr.Submit(ctx, auth.System, r.ID, r.Version)
	}
	at("2026-02-20")
	for i, n := range agreement.RequiredApprovals(r.Agreement) {
		if err == nil {
			r, err = agr.RecordApproval(ctx, auth.System, r.ID, r.Version, agreement.Approval{OrgID: n.OrgID, Kind: n.Kind,
				Number: fmt.Sprint(i + 1), Date: civil.MustParse("2026-02-16"), TransmittedOn: civil.MustParse("2026-02-17")})
		}
	}
	at("2026-03-02")
	for _, party := range []int64{1, 2} {
		if err == nil {
			r, err = agr.Sign(ctx, auth.System, r.ID, r.Version, agreement.Signature{OrgID: party, Date: civil.MustParse("2026-03-02")})
		}
	}
	if err != nil {
		t.Fatal(err)
	}
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

	steps := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  []string
		wantErr  string
	}{
		{"a file with an error imports nothing and names the line", []string{"staff", "import-time", bad}, 1, nil, "ligne 3, colonne « duration »"},
		{"a good file is imported", []string{"staff", "import-time", good}, 0, []string{"2 time record(s), 19 h"}, ""},
		{"the same file again is refused", []string{"staff", "import-time", good}, 1, nil, "déjà saisi"},
		{"the list shows the agent and the secondment", []string{"staff", "list", "--org", "12202"}, 0,
			[]string{"Dupont Jeanne", "Onet-le-Château", "temps_reel", "1 agent(s)"}, ""},
		{"the host's list shows the agent too", []string{"staff", "list", "--org", "12176", "--format", "json"}, 0, []string{`"employed": false`}, ""},
		{"May's reimbursement: 19 h at 43,350.00 / 1,607 h", []string{"staff", "reimburse", "--secondment", fmt.Sprint(sec.ID), "--from", "2026-05-01", "--to", "2026-05-31"}, 0,
			[]string{"512.54 owed", "voisines ledger issue"}, ""},
		{"a period across two years is refused", []string{"staff", "reimburse", "--secondment", fmt.Sprint(sec.ID), "--from", "2026-05-01", "--to", "2027-01-31"}, 1, nil, "année civile"},
		{"the alerts print", []string{"staff", "alerts", "--org", "12202"}, 0, []string{"alert(s)"}, ""},
		{"--org is required", []string{"staff", "alerts"}, 2, nil, "--org"},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			env := &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb,
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
}
