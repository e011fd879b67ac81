package web_test

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
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

// TestLedgerFinancePages shows the creditor its year and the statement,
// sends the files with their content types, and shows a user of an
// unrelated commune nothing.
func TestLedgerFinancePages(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newLedgerWorld(t, db)
		q := url.Values{"org": {fmt.Sprint(w.rodez)}, "annee": {"2026"}}.Encode()
		routes := map[string]string{
			"year":      "/finances?" + q,
			"xlsx":      "/finances/annee.xlsx?" + q,
			"csv":       "/finances/titres.csv?" + q,
			"statement": fmt.Sprintf("/finances/etats/%d", w.statement.ID),
			"pdf":       fmt.Sprintf("/finances/etats/%d.pdf", w.statement.ID),
		}
		clerk := w.f.Client(t, servertest.ClerkRodez)

		t.Run("the creditor sees its year with its totals", func(t *testing.T) {
			resp := clerk.Do("GET", routes["year"], "", nil)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("got %d: %s", resp.StatusCode, resp.Body)
			}
			page := resp.Body
			if n := strings.Count(page, "<h1"); n != 1 {
				t.Errorf("got %d h1, want 1", n)
			}
			net := ledgerOwnCost - ledgerPrice
			for _, want := range []string{
				"Titres à émettre", "Mandats à recevoir", "<caption>", `scope="col"`, `scope="row"`,
				"Conques-en-Rouergue", w.agreement.Reference, ledgerPrice.String(), "Total des titres à émettre",
				"information seulement", "jamais comptabilisée", (ledgerStandalone - net).String(), net.String(),
				"/finances/annee.xlsx?annee=2026&amp;org=", "/finances/titres.csv?annee=2026&amp;org=",
				fmt.Sprintf("/finances/etats/%d", w.statement.ID), `aria-current="page">Finances`,
			} {
				if !strings.Contains(page, want) {
					t.Errorf("the year's page lacks %q", want)
				}
			}
			if !strings.Contains(page, "Aucun mandat attendu pour 2026") {
				t.Errorf("the page should say no mandat is expected")
			}
		})
		t.Run("the statement with its computation, versions and PDF", func(t *testing.T) {
			resp := clerk.Do("GET", routes["statement"], "", nil)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("got %d: %s", resp.StatusCode, resp.Body)
			}
			page := resp.Body
			if n := strings.Count(page, "<h1"); n != 1 {
				t.Errorf("got %d h1, want 1", n)
			}
			for _, want := range []string{"Montants des parties", "Le calcul, ligne à ligne", "Historique des versions", "Émis",
				"Règle appliquée", "Conques-en-Rouergue", ledgerPrice.String(), routes["pdf"], "<caption>"} {
				if !strings.Contains(page, want) {
					t.Errorf("the statement's page lacks %q", want)
				}
			}
			for _, line := range w.statement.Result.Explain {
				if !strings.Contains(page, template.HTMLEscapeString(line)) {
					t.Errorf("the statement's page lacks the explanation %q", line)
				}
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
			}
			if body := clerk.Do("GET", routes["csv"], "", nil).Body; !strings.Contains(body, ledgerPrice.Plain()) {
				t.Errorf("csv lacks the amount: %s", body)
			}
		})
		t.Run("a user of an unrelated commune gets nothing", func(t *testing.T) {
			onet := w.f.Client(t, servertest.ClerkOnet)
			for name, p := range routes {
				resp := onet.Do("GET", p, "", nil)
				if resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusNotFound {
					t.Errorf("%s %s: got %d, want 403 or 404", name, p, resp.StatusCode)
				}
				if strings.Contains(resp.Body, "Conques-en-Rouergue") {
					t.Errorf("%s: the answer names the debtor", name)
				}
			}
			// Onet's own year is empty, not an error.
			if resp := onet.Do("GET", "/finances?annee=2026", "", nil); resp.StatusCode != http.StatusOK || !strings.Contains(resp.Body, "Aucun titre à émettre") {
				t.Errorf("Onet's own year: got %d", resp.StatusCode)
			}
		})
	})
}
