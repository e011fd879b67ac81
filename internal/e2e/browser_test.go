package e2e

import (
	"fmt"
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
	p := newPages(t, f.Server.URL)
	ctx, visit := p.ctx, p.visit

	visit(t, "accueil", "/", "Voisines")
	visit(t, "recherche", "/communes?q=rod", "Rechercher une commune")
	visit(t, "connexion", "/connexion", "Se connecter")

	p.logIn(t, servertest.ClerkRodez)
	p.check(t, "accueil-connecte", "Bonjour")

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
