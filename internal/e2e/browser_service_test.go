package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"voisines/internal/server/servertest"
	"voisines/internal/store/storetest"
)

// TestBrowserServicePages opens the shared-service pages of the CA Rodez
// Agglomération's admin — the list, the service with its usage and
// statement, its year with the unit cost and notification, the service's
// form, the usage form sent with an error — and a beneficiary's view, in
// headless Chromium, and fails on any serious or critical axe-core
// violation.
func TestBrowserServicePages(t *testing.T) {
	w := servertest.NewServiceWorld(t, storetest.SQLite(t))
	api := w.F.Client(t, servertest.AdminAgglo)
	base := fmt.Sprintf("/services/%d", w.Service.ID)
	csrf := map[string]string{"X-CSRF-Token": api.CSRF}
	if resp := api.Do("PUT", "/api/v1"+base+"/years/2026", `{"lines": [{"category": "personnel", "label": "Coût prévisionnel", "amount": 9600000, "eligible": true},
		{"category": "autre", "label": "Frais de siège", "amount": 450000, "eligible": false, "reason": "non strictement liée au fonctionnement du service"}],
		"forecast_units": "265,5"}`, csrf); resp.StatusCode != http.StatusOK {
		t.Fatalf("year: %d %s", resp.StatusCode, resp.Body)
	}
	csvHeaders := map[string]string{"X-CSRF-Token": api.CSRF, "Content-Type": "text/csv"}
	if resp := api.Do("POST", "/api/v1"+base+"/usage/import", servertest.ServiceADSUsage, csvHeaders); resp.StatusCode != http.StatusOK {
		t.Fatalf("import: %d %s", resp.StatusCode, resp.Body)
	}
	if resp := api.Do("POST", "/api/v1"+base+"/statements", `{"from": "2026-01-01", "to": "2026-12-31", "label": "Exercice 2026"}`, csrf); resp.StatusCode != http.StatusCreated {
		t.Fatalf("statement: %d %s", resp.StatusCode, resp.Body)
	}

	p := newPages(t, w.F.Server.URL)
	ctx, check, visit := p.ctx, p.check, p.visit
	login := func(t *testing.T, user string) {
		t.Helper()
		visit(t, "connexion-"+user, "/connexion", "Se connecter")
		p.logIn(t, user)
	}

	login(t, servertest.AdminAgglo)
	visit(t, "services", "/services", "Services partagés")
	visit(t, "service", base, "Instruction du droit des sols")
	visit(t, "service-annee", base+"/annees/2026", "Dépenses et coût unitaire 2026")
	visit(t, "service-annee-vide", base+"/annees/2027", "Dépenses et coût unitaire 2027")
	visit(t, "service-modifier", base+"/modifier", "Modifier le service")

	// The usage form sent without a quantity comes back with its summary.
	if err := chromedp.Do(ctx,
		chromedp.Navigate(w.F.Server.URL+base),
		chromedp.Click(chromedp.CSS(`#f-usage button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(".error-summary")),
	); err != nil {
		t.Fatalf("send the usage form: %v", err)
	}
	check(t, "service-erreur-usage", "Instruction du droit des sols")
	summary, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".error-summary")))
	if err != nil || !strings.Contains(summary, "Quantité") {
		t.Errorf("the error summary %q does not name the quantity (%v)", summary, err)
	}

	p.logOut(t)
	login(t, servertest.ClerkRodez)
	visit(t, "service-beneficiaire", base, "Instruction du droit des sols")
	body, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(body, "ADS-A-PC") || strings.Contains(body, "ADS-B-PC") {
		t.Errorf("Rodez should see its own usage only")
	}
	visit(t, "service-annee-beneficiaire", base+"/annees/2026", "Dépenses et coût unitaire 2026")
}
