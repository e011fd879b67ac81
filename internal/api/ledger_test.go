package api_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"voisines/internal/agreement"
	"voisines/internal/auth"
	"voisines/internal/civil"
	"voisines/internal/ledger"
	"voisines/internal/money"
	"voisines/internal/server/servertest"
	"voisines/internal/store"
	"voisines/internal/store/storetest"
)

// ledgerWorld is the servertest fixture with a convention of prestation
// of Rodez (provider) for Conques at a fixed price, signed, and its
// statement for the second half of 2026 issued by Rodez, which also stated
// what doing it alone would cost.
type ledgerWorld struct {
	f         *servertest.Fixture
	rodez     int64
	agreement agreement.Record
	statement ledger.Statement
}

// The fixed price Conques owes, and what Rodez states about the cost.
const (
	ledgerPrice      money.Cents = 1_234_56
	ledgerStandalone money.Cents = 5_000_00
	ledgerOwnCost    money.Cents = 3_000_00
)

func newLedgerWorld(t *testing.T, db *store.DB) *ledgerWorld {
	t.Helper()
	ctx := context.Background()
	f := servertest.New(t, db, servertest.Options{})
	clk := &clock{}
	agr := f.Deps.Agreements.WithClock(clk.now)
	led := ledger.New(db, agr).WithClock(clk.now)
	actorOf := func(name string) auth.Actor {
		u, err := f.Deps.Auth.User(ctx, f.Users[name].ID)
		if err != nil {
			t.Fatal(err)
		}
		return auth.Actor{User: &u}
	}
	admin, clerk := actorOf(servertest.Admin), actorOf(servertest.ClerkRodez)
	rodez, conques := f.Orgs[servertest.Rodez].ID, f.Orgs[servertest.Conques].ID

	day := civil.MustParse
	c := agreement.Content{
		Title:     "Entretien des espaces verts de Conques",
		Term:      agreement.Term{Start: day("2026-07-01"), End: day("2028-12-31"), NoticeMonths: 3},
		Financial: agreement.Financial{Mode: agreement.FixedPrice, Summary: "Forfait semestriel.", PeriodMonths: 6},
		Prestation: agreement.PrestationTerms{CooperationJustification: "Entretien mutualisé des espaces verts au service d'objectifs communs de service public.",
			OpenMarketBelow20: true},
	}
	in := agreement.Input{Kind: agreement.Prestation, Content: c, Parties: []agreement.PartyInput{
		{OrgID: rodez, Role: agreement.RoleProvider}, {OrgID: conques, Role: agreement.RoleBeneficiary}}}
	for _, cs := range agreement.RequiredClauses(agreement.New(agreement.Prestation, c)) {
		in.Content.Clauses = append(in.Content.Clauses, agreement.Clause{ID: cs.ID, Text: "Texte de l'article « " + cs.Title + " »."})
	}
	clk.set(day("2026-05-04"))
	r, err := agr.Create(ctx, clerk, in)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if r, err = agr.Submit(ctx, clerk, r.ID, r.Version); err != nil {
		t.Fatalf("submit: %v", err)
	}
	clk.set(day("2026-05-22"))
	for i, n := range agreement.RequiredApprovals(r.Agreement) {
		ap := agreement.Approval{OrgID: n.OrgID, Kind: n.Kind, Date: day("2026-05-20"), Number: fmt.Sprintf("2026-%03d", i+1),
			TransmittedOn: day("2026-05-22")}
		if r, err = agr.RecordApproval(ctx, admin, r.ID, r.Version, ap); err != nil {
			t.Fatalf("approval %s: %v", n.Kind, err)
		}
	}
	clk.set(day("2026-06-01"))
	for _, p := range r.Agreement.Parties {
		if r, err = agr.Sign(ctx, admin, r.ID, r.Version, agreement.Signature{OrgID: p.OrgID, Date: day("2026-06-01")}); err != nil {
			t.Fatalf("sign: %v", err)
		}
	}
	if _, err := led.SetTerms(ctx, clerk, r.ID, 0, ledger.Terms{Mode: agreement.FixedPrice, Creditor: rodez, Parties: []int64{conques},
		Object: "Entretien des espaces verts", Fixed: []ledger.FixedLine{{Party: conques, Label: "Forfait semestriel", Amount: ledgerPrice}}}); err != nil {
		t.Fatalf("terms: %v", err)
	}
	clk.set(day("2027-01-11"))
	st, err := led.Draft(ctx, clerk, ledger.Request{AgreementID: r.ID, From: day("2026-07-01"), To: day("2026-12-31"), Label: "2d semestre 2026"})
	if err != nil {
		t.Fatalf("draft: %v", err)
	}
	if st, err = led.Issue(ctx, clerk, st.ID); err != nil {
		t.Fatalf("issue: %v", err)
	}
	if err := led.SetStandalone(ctx, clerk, ledger.Standalone{AgreementID: r.ID, OrgID: rodez, Year: 2026,
		Cost: ledgerStandalone, OwnCost: ledgerOwnCost, Note: "Devis d'une entreprise"}); err != nil {
		t.Fatalf("standalone: %v", err)
	}
	return &ledgerWorld{f: f, rodez: rodez, agreement: r, statement: st}
}

// TestLedgerRoutes reads the year, its files, the statement and its PDF as
// a party, and gets nothing as a user of an unrelated commune.
func TestLedgerRoutes(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newLedgerWorld(t, db)
		yearPath := fmt.Sprintf("/api/v1/organisations/%d/ledger/2026", w.rodez)
		routes := map[string]string{
			"year":       yearPath,
			"xlsx":       yearPath + ".xlsx",
			"csv":        yearPath + "/titres.csv",
			"statement":  fmt.Sprintf("/api/v1/statements/%d", w.statement.ID),
			"pdf":        fmt.Sprintf("/api/v1/statements/%d/document.pdf", w.statement.ID),
			"statements": fmt.Sprintf("/api/v1/agreements/%d/statements", w.agreement.ID),
		}
		clerk := w.f.Client(t, servertest.ClerkRodez)

		t.Run("the creditor sees its year with its totals", func(t *testing.T) {
			resp := clerk.Do("GET", routes["year"], "", nil)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("got %d: %s", resp.StatusCode, resp.Body)
			}
			var y ledger.Year
			if err := json.Unmarshal([]byte(resp.Body), &y); err != nil {
				t.Fatal(err)
			}
			if y.OrgID != w.rodez || y.Year != 2026 || y.TotalTitres != ledgerPrice || y.TotalMandats != 0 {
				t.Fatalf("got org %d year %d titres %s mandats %s, want titres %s", y.OrgID, y.Year, y.TotalTitres, y.TotalMandats, ledgerPrice)
			}
			if len(y.Titres) != 1 || y.Titres[0].StatementID != w.statement.ID || y.Titres[0].Amount != ledgerPrice {
				t.Fatalf("titres: %+v", y.Titres)
			}
			if len(y.Partners) != 1 || y.Partners[0].Titres != ledgerPrice || y.Partners[0].NetInformation != ledgerPrice {
				t.Fatalf("partners: %+v", y.Partners)
			}
			if len(y.Conventions) != 1 || y.Conventions[0].Saving == nil {
				t.Fatalf("conventions: %+v", y.Conventions)
			}
			// net cost = own cost + mandats − titres; saving = standalone − net cost
			if net, save := *y.Conventions[0].NetCost, *y.Conventions[0].Saving; net != ledgerOwnCost-ledgerPrice || save != ledgerStandalone-net {
				t.Errorf("got net cost %s and saving %s", net, save)
			}
		})
		t.Run("the files have their content types", func(t *testing.T) {
			for name, want := range map[string]string{
				"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
				"csv":  "text/csv", "pdf": "application/pdf",
			} {
				resp := clerk.Do("GET", routes[name], "", nil)
				if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), want) {
					t.Errorf("%s: got %d %q, want 200 %s", name, resp.StatusCode, resp.Header.Get("Content-Type"), want)
				}
				if resp.Header.Get("Content-Disposition") == "" {
					t.Errorf("%s: no Content-Disposition", name)
				}
				switch name {
				case "pdf":
					if !strings.HasPrefix(resp.Body, "%PDF-") {
						t.Errorf("pdf: body starts %q", resp.Body[:min(len(resp.Body), 10)])
					}
				case "xlsx":
					if !strings.HasPrefix(resp.Body, "PK") {
						t.Errorf("xlsx: not a zip")
					}
				case "csv":
					rows, err := csvRows(resp.Body)
					if err != nil || len(rows) != 2 || rows[1][0] != "Conques-en-Rouergue" || rows[1][5] != ledgerPrice.Plain() {
						t.Errorf("csv: %v %q", err, rows)
					}
				}
			}
		})
		t.Run("the statement and the convention's statements", func(t *testing.T) {
			var st struct {
				ledger.Statement
				Flows []ledger.Flow `json:"flows"`
			}
			if err := json.Unmarshal([]byte(clerk.Do("GET", routes["statement"], "", nil).Body), &st); err != nil {
				t.Fatal(err)
			}
			if st.ID != w.statement.ID || st.Status != ledger.Issued || st.Result.Total != ledgerPrice || len(st.Flows) != 1 || len(st.Result.Explain) == 0 {
				t.Fatalf("statement: %+v", st)
			}
			var list struct {
				Statements []ledger.Statement `json:"statements"`
			}
			if err := json.Unmarshal([]byte(clerk.Do("GET", routes["statements"], "", nil).Body), &list); err != nil {
				t.Fatal(err)
			}
			if len(list.Statements) != 1 || list.Statements[0].ID != w.statement.ID {
				t.Fatalf("statements: %+v", list.Statements)
			}
		})
		t.Run("a user of an unrelated commune gets nothing", func(t *testing.T) {
			onet := w.f.Client(t, servertest.ClerkOnet)
			for name, p := range routes {
				resp := onet.Do("GET", p, "", nil)
				if resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusNotFound {
					t.Errorf("%s %s: got %d, want 403 or 404", name, p, resp.StatusCode)
				}
				if strings.Contains(resp.Body, "Conques") {
					t.Errorf("%s: the answer names the debtor: %s", name, resp.Body)
				}
			}
		})
		t.Run("an anonymous visitor must log in", func(t *testing.T) {
			anon := w.f.Client(t, servertest.Nobody)
			for name, p := range routes {
				if resp := anon.Do("GET", p, "", nil); resp.StatusCode != http.StatusUnauthorized {
					t.Errorf("%s: got %d, want 401", name, resp.StatusCode)
				}
			}
		})
	})
}

func csvRows(body string) ([][]string, error) {
	r := csv.NewReader(strings.NewReader(body))
	r.Comma = ';'
	return r.ReadAll()
}
