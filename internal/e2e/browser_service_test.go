package e2e

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
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

	ctx := browser(t)
	axeJS := axe(t)
	check := func(t *testing.T, name, wantH1 string) {
		t.Helper()
		h1, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("h1")))
		if err != nil {
			t.Fatalf("%s: read h1: %v", name, err)
		}
		if !strings.Contains(h1, wantH1) {
			t.Fatalf("%s: h1 %q, want it to contain %q", name, h1, wantH1)
		}
		vs, err := Axe(ctx, axeJS)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, v := range Serious(vs) {
			t.Errorf("%s: accessibility: %s", name, v)
		}
		if dir := os.Getenv("VOISINES_SCREENSHOTS"); dir != "" {
			if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
				os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
			}
		}
	}
	visit := func(t *testing.T, name, path, wantH1 string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Navigate(w.F.Server.URL+path)); err != nil {
			t.Fatalf("%s: open %s: %v", name, path, err)
		}
		check(t, name, wantH1)
	}
	login := func(t *testing.T, user string) {
		t.Helper()
		visit(t, "connexion-"+user, "/connexion", "Se connecter")
		if err := chromedp.Do(ctx,
			chromedp.SendKeys(chromedp.CSS("#f-email"), servertest.Email(user)),
			chromedp.SendKeys(chromedp.CSS("#f-password"), servertest.Password),
			chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)),
			chromedp.WaitVisible(chromedp.CSS(`form[action="/deconnexion"]`)),
		); err != nil {
			t.Fatalf("log in as %s: %v", user, err)
		}
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

	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`form[action="/deconnexion"] button`)), chromedp.WaitVisible(chromedp.CSS(`a[href="/connexion"]`))); err != nil {
		t.Fatalf("log out: %v", err)
	}
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
