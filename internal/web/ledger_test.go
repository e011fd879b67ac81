package web_test

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"voisines/internal/server/servertest"
	"voisines/internal/store"
	"voisines/internal/store/storetest"
)

// The fixed price Conques owes and what Rodez states about the cost, in
// servertest's LedgerWorld.
const (
	ledgerPrice      = servertest.LedgerPrice
	ledgerStandalone = servertest.LedgerStandalone
	ledgerOwnCost    = servertest.LedgerOwnCost
)

// TestLedgerFinancePages shows the creditor its year and the statement,
// sends the files with their content types, and shows a user of an
// unrelated commune nothing.
func TestLedgerFinancePages(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := servertest.NewLedgerWorld(t, db)
		q := url.Values{"org": {fmt.Sprint(w.Rodez)}, "annee": {"2026"}}.Encode()
		routes := map[string]string{
			"year":      "/finances?" + q,
			"xlsx":      "/finances/annee.xlsx?" + q,
			"csv":       "/finances/titres.csv?" + q,
			"statement": fmt.Sprintf("/finances/etats/%d", w.Statement.ID),
			"pdf":       fmt.Sprintf("/finances/etats/%d.pdf", w.Statement.ID),
		}
		clerk := w.F.Client(t, servertest.ClerkRodez)

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
				"Conques-en-Rouergue", w.Agreement.Reference, ledgerPrice.String(), "Total des titres à émettre",
				"information seulement", "jamais comptabilisée", (ledgerStandalone - net).String(), net.String(),
				"/finances/annee.xlsx?annee=2026&amp;org=", "/finances/titres.csv?annee=2026&amp;org=",
				fmt.Sprintf("/finances/etats/%d", w.Statement.ID), `aria-current="page">Finances`,
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
			for _, line := range w.Statement.Result.Explain {
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
			onet := w.F.Client(t, servertest.ClerkOnet)
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
