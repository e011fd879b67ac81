package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"voisines/internal/purchasing"
	"voisines/internal/server/servertest"
	"voisines/internal/store/storetest"
)

// TestBrowserPurchasingPages opens the purchasing-group pages of Rodez, the
// coordinator of domain.md §10 example 3 — the list, the group with its
// needs and procedure, the group once launched with its award and savings,
// the launch form sent too early with its error summary, the thresholds —
// and a member's view, in headless Chromium, and fails on any serious or
// critical axe-core violation.
func TestBrowserPurchasingPages(t *testing.T) {
	w := servertest.NewPurchasingWorld(t, storetest.SQLite(t))
	api := func(user, method, path, body string, status int) string {
		t.Helper()
		c := w.F.Client(t, user)
		resp := c.Do(method, "/api/v1"+path, body, map[string]string{"X-CSRF-Token": c.CSRF})
		if resp.StatusCode != status {
			t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, resp.Body)
		}
		return resp.Body
	}
	group := func(body string) purchasing.Group {
		t.Helper()
		var g purchasing.Group
		if err := json.Unmarshal([]byte(body), &g); err != nil {
			t.Fatalf("group: %v: %s", err, body)
		}
		return g
	}
	g := group(api(servertest.ClerkRodez, "POST", "/purchasing-groups", fmt.Sprintf(`{"agreement_id": %d}`, w.Agreement.ID), http.StatusCreated))
	id := g.ID
	base := fmt.Sprintf("/purchasing-groups/%d", id)
	g = group(api(servertest.ClerkRodez, "POST", base+"/lots", fmt.Sprintf(`{"label": "Produits d'entretien et papier", "cpv": "39830000-9",
		"nature": "supplies", "duration_months": 48, "framework": true, "version": %d}`, g.Version), http.StatusCreated))
	lot := g.Lots[0].ID
	for _, m := range []struct {
		user   string
		org    int64
		yearly int
	}{{servertest.ClerkRodez, w.Rodez, 21_500_00}, {servertest.ClerkOnet, w.Onet, 14_800_00}, {servertest.BuyerConques, w.Conques, 19_900_00}} {
		api(m.user, "PUT", base+"/needs", fmt.Sprintf(`{"lot_id": %d, "org_id": %d, "yearly": %d, "version": 0}`, lot, m.org, m.yearly), http.StatusOK)
	}

	p := newPages(t, w.F.Server.URL)
	ctx, check, visit := p.ctx, p.check, p.visit
	login := func(t *testing.T, user string) {
		t.Helper()
		visit(t, "connexion-"+user, "/connexion", "Se connecter")
		p.logIn(t, user)
	}
	page := fmt.Sprintf("/achats/%d", id)

	visit(t, "seuils", "/achats/seuils?date=2026-04-01", "Seuils de la commande publique")
	login(t, servertest.ClerkRodez)
	visit(t, "achats", "/achats", "Achats groupés")
	visit(t, "groupement", page+"?date=2026-07-15", "Groupement de commandes")
	main, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Procédure formalisée", "Si chaque membre achetait seul", "décret n° 2025-1386"} {
		if !strings.Contains(main, want) {
			t.Errorf("the group's page lacks %q", want)
		}
	}

	// The launch sent before the deliberations comes back with its summary.
	if err := chromedp.Do(ctx,
		chromedp.Navigate(w.F.Server.URL+page),
		chromedp.SetValue(chromedp.CSS("#f-launch-date"), "2026-05-19"),
		chromedp.Click(chromedp.CSS(`form[action="`+page+`/lancement"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(".error-summary")),
	); err != nil {
		t.Fatalf("send the launch form: %v", err)
	}
	check(t, "groupement-lancement-refuse", "Groupement de commandes")
	summary, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".error-summary")))
	if err != nil || !strings.Contains(summary, "délibération") {
		t.Errorf("the error summary %q does not name the deliberation (%v)", summary, err)
	}

	g = group(api(servertest.ClerkRodez, "GET", base, "", http.StatusOK))
	api(servertest.ClerkRodez, "POST", base+"/launch", fmt.Sprintf(`{"launch_date": "2026-07-15", "version": %d}`, g.Version), http.StatusOK)
	api(servertest.ClerkRodez, "PUT", fmt.Sprintf("%s/lots/%d/award", base, lot), fmt.Sprintf(`{"supplier": "Hygiène du Rouergue", "awarded_on": "2026-07-20",
		"version": 0, "prices": [{"org_id": %d, "amount": 8000000}, {"org_id": %d, "amount": 5500000}, {"org_id": %d, "amount": 7400000}]}`,
		w.Rodez, w.Onet, w.Conques), http.StatusOK)
	visit(t, "groupement-lance", page, "Groupement de commandes")

	p.logOut(t)
	login(t, servertest.ClerkOnet)
	visit(t, "groupement-membre", page, "Groupement de commandes")
}
