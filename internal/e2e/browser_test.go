package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"voisines/internal/server/servertest"
	"voisines/internal/store/storetest"
)

// TestBrowserClerkLogsInAndOpensHerCommune walks the pages a clerk of Rodez
// uses, in headless Chromium, and fails on any serious or critical axe-core
// violation on each of them. The pages are server-rendered over the same
// domain services on both engines, which the store and HTTP suites already
// cover; the browser runs on SQLite only. Set VOISINES_SCREENSHOTS to a folder
// to keep a PNG of each page.
func TestBrowserClerkLogsInAndOpensHerCommune(t *testing.T) {
	f := servertest.New(t, storetest.SQLite(t), servertest.Options{Geography: true})
	base := f.Server.URL
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
			png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
			if err == nil {
				os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
			}
		}
	}
	visit := func(t *testing.T, name, path, wantH1 string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Navigate(base+path)); err != nil {
			t.Fatalf("%s: open %s: %v", name, path, err)
		}
		check(t, name, wantH1)
	}

	visit(t, "accueil", "/", "Voisines")
	visit(t, "recherche", "/communes?q=rod", "Rechercher une commune")
	visit(t, "connexion", "/connexion", "Se connecter")

	err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#f-email"), servertest.Email(servertest.ClerkRodez)),
		chromedp.SendKeys(chromedp.CSS("#f-password"), servertest.Password),
		chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/deconnexion"]`)),
	)
	if err != nil {
		t.Fatalf("log in as the clerk of Rodez: %v", err)
	}
	check(t, "accueil-connecte", "Bonjour")

	visit(t, "commune", "/communes/"+servertest.Rodez, "Rodez")
	body, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"12202", "211202023", "Rodez Agglomération", "Onet-le-Château"} {
		if !strings.Contains(body, want) {
			t.Errorf("commune page: want %q in the main content", want)
		}
	}
	visit(t, "epci", "/epci/"+servertest.AggloRdz, "Rodez")
	visit(t, "profil", fmt.Sprintf("/organisations/%d/profil", f.Orgs[servertest.Rodez].ID), "Informations de contact")
	visit(t, "refus", fmt.Sprintf("/organisations/%d/profil", f.Orgs[servertest.Onet].ID), "Accès refusé")
	visit(t, "compte", "/compte", "Mon compte")
	visit(t, "equipements", "/equipements", "Équipements partagés")
	visit(t, "reservations", "/reservations", "Réservations d'équipements")
	visit(t, "conventions", "/conventions", "Conventions")
	visit(t, "conventions-nouvelle", "/conventions/nouvelle", "")
}
