package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"voisines/internal/server/servertest"
	"voisines/internal/store"
	"voisines/internal/store/storetest"
)

// scenario is one page request and what must come back.
type scenario struct {
	name     string
	user     string // a servertest account; "" is anonymous
	method   string // GET, or POST for a form
	path     string
	form     url.Values
	csrf     bool // add the CSRF token to the form
	status   int
	location string   // for redirects: the start of Location
	content  []string // substrings of the page
	absent   []string // substrings that must not appear
}

var h1 = regexp.MustCompile(`<h1[ >]`)

func run(t *testing.T, f *servertest.Fixture, scenarios []scenario) {
	clients := map[string]*servertest.Client{}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			c, ok := clients[sc.user]
			if !ok {
				c = f.Client(t, sc.user)
				clients[sc.user] = c
			}
			var resp servertest.Response
			if sc.method == "POST" {
				form := url.Values{}
				for k, v := range sc.form {
					form[k] = v
				}
				resp = c.PostForm(sc.path, form, sc.csrf)
			} else {
				resp = c.Do("GET", sc.path, "", nil)
			}
			if resp.StatusCode != sc.status {
				t.Fatalf("%s %s as %q: got status %d want %d\n%s", sc.method, sc.path, sc.user, resp.StatusCode, sc.status, resp.Body)
			}
			if sc.location != "" && !strings.HasPrefix(resp.Header.Get("Location"), sc.location) {
				t.Errorf("Location: got %q want %q…", resp.Header.Get("Location"), sc.location)
			}
			if resp.StatusCode < 300 || resp.StatusCode >= 400 {
				checkPage(t, resp)
			}
			for _, want := range sc.content {
				if !strings.Contains(resp.Body, want) {
					t.Errorf("page: want %q in it\n%s", want, resp.Body)
				}
			}
			for _, no := range sc.absent {
				if strings.Contains(resp.Body, no) {
					t.Errorf("page: %q must not be in it", no)
				}
			}
		})
	}
}

// checkPage checks what every page must have: French, one h1, the skip link,
// the landmarks, no inline script or style.
func checkPage(t *testing.T, resp servertest.Response) {
	t.Helper()
	if ct := resp.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type: got %q", ct)
	}
	for _, want := range []string{`<html lang="fr">`, `href="#contenu">Aller au contenu</a>`, `<header`, `<nav aria-label=`, `<main id="contenu"`, `<footer`} {
		if !strings.Contains(resp.Body, want) {
			t.Errorf("page: want %q in it", want)
		}
	}
	if n := len(h1.FindAllString(resp.Body, -1)); n != 1 {
		t.Errorf("page has %d h1 elements, want 1", n)
	}
	for _, no := range []string{"<script", "style=", "<style"} {
		if strings.Contains(resp.Body, no) {
			t.Errorf("page holds %q: the CSP forbids inline code and styles", no)
		}
	}
}

func TestPages(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := servertest.New(t, db, servertest.Options{Geography: true})
		rodez := f.Orgs[servertest.Rodez]
		profil := fmt.Sprintf("/organisations/%d/profil", rodez.ID)
		version := fmt.Sprint(rodez.Version)
		good := url.Values{"version": {version}, "address": {"Place Adrien Rozier\n12000 Rodez"}, "email": {"mairie@rodez.fr"},
			"phone": {"05 65 77 88 00"}, "website": {"https://www.ville-rodez.fr"}, "representative": {"Le maire"}}

		run(t, f, []scenario{
			{name: "the home page presents Voisines to a visitor", method: "GET", path: "/", status: 200,
				content: []string{"<h1>Voisines, la coopération entre communes voisines</h1>", `<label for="q">`, `href="/" aria-current="page"`}},
			{name: "the home page lists a member's organisations", user: servertest.ClerkRodez, method: "GET", path: "/", status: 200,
				content: []string{"Vos organisations", fmt.Sprintf(`href="/organisations/%d">Rodez</a>`, rodez.ID), "Se déconnecter"}},
			{name: "anyone reads the commune page of Rodez", method: "GET", path: "/communes/12202", status: 200,
				content: []string{"<h1>Rodez</h1>", "12202", "211202023", "Aveyron", `href="/epci/241200187"`, "CA Rodez Agglomération",
					"Onet-le-Château", "Population municipale", "<caption>", `scope="col"`, "Communes limitrophes de Rodez",
					"Communes à moins de 10 km", "12000", `aria-current="page">Communes`},
				absent: []string{"Modifier les informations"}},
			{name: "the clerk of Rodez sees the link to edit its contact", user: servertest.ClerkRodez, method: "GET", path: "/communes/12202", status: 200,
				content: []string{`href="` + profil + `"`}},
			{name: "the clerk of Onet does not see it", user: servertest.ClerkOnet, method: "GET", path: "/communes/12202", status: 200,
				absent: []string{`href="` + profil + `"`}},
			{name: "an unknown commune is a French 404 page", method: "GET", path: "/communes/99999", status: 404,
				content: []string{"<h1>Page introuvable</h1>"}},
			{name: "the search finds Rodez", method: "GET", path: "/communes?q=rodez", status: 200,
				content: []string{`<a href="/communes/12202">Rodez</a>`, `value="rodez"`}},
			{name: "the search form alone", method: "GET", path: "/communes", status: 200,
				content: []string{"<h1>Rechercher une commune</h1>"}},
			{name: "the EPCI page lists its members", method: "GET", path: "/epci/241200187", status: 200,
				content: []string{"<h1>CA Rodez Agglomération</h1>", "Communauté d&#39;agglomération", "Luc-la-Primaube", "Sainte-Radegonde", "<caption>Communes membres"}},
			{name: "an organisation link leads to its commune page", method: "GET", path: fmt.Sprintf("/organisations/%d", rodez.ID), status: 303,
				location: "/communes/12202"},
			{name: "my account needs a login", method: "GET", path: "/compte", status: 303, location: "/connexion?suite=%2Fcompte"},
			{name: "my account lists memberships", user: servertest.ClerkRodez, method: "GET", path: "/compte", status: 200,
				content: []string{"<h1>Mon compte</h1>", "Rodez", "Secrétaire"}},
			{name: "the profile form needs a login", method: "GET", path: profil, status: 303, location: "/connexion?suite="},
			{name: "a clerk of Onet gets the French refusal page for Rodez's form", user: servertest.ClerkOnet, method: "GET", path: profil, status: 403,
				content: []string{"<h1>Accès refusé</h1>", "Vous n&#39;agissez pas pour cette organisation"}},
			{name: "a clerk of Onet posting for Rodez gets the French refusal page", user: servertest.ClerkOnet, method: "POST", path: profil,
				form: good, csrf: true, status: 403, content: []string{"<h1>Accès refusé</h1>"}},
			{name: "a read-only member of Rodez may not post either", user: servertest.ReaderRodez, method: "POST", path: profil,
				form: good, csrf: true, status: 403, content: []string{"<h1>Accès refusé</h1>"}},
			{name: "the clerk of Rodez gets the form", user: servertest.ClerkRodez, method: "GET", path: profil, status: 200,
				content: []string{"<h1>Informations de contact de Rodez</h1>", `<label for="f-email">`, `name="csrf_token"`, `name="version" value="` + version + `"`}},
			{name: "a form without its CSRF token is refused", user: servertest.ClerkRodez, method: "POST", path: profil,
				form: good, status: 403, content: []string{"<h1>Formulaire expiré</h1>"}},
			{name: "an invalid e-mail is shown in the error summary", user: servertest.ClerkRodez, method: "POST", path: profil, csrf: true,
				form:   url.Values{"version": {version}, "email": {"pas-une-adresse"}},
				status: 422, content: []string{`class="error-summary"`, `href="#f-email"`, `aria-invalid="true"`, `value="pas-une-adresse"`}},
			{name: "the clerk of Rodez saves the contact", user: servertest.ClerkRodez, method: "POST", path: profil, form: good, csrf: true,
				status: 303, location: profil + "?enregistre=1"},
			{name: "the saved contact is confirmed", user: servertest.ClerkRodez, method: "GET", path: profil + "?enregistre=1", status: 200,
				content: []string{"ont été enregistrées", `value="05 65 77 88 00"`}},
			{name: "the commune page shows the new contact", method: "GET", path: "/communes/12202", status: 200,
				content: []string{"mailto:mairie@rodez.fr", "05 65 77 88 00"}},
			{name: "a stale version gets the French conflict message", user: servertest.ClerkRodez, method: "POST", path: profil, form: good, csrf: true,
				status: 409, content: []string{"modifiées par quelqu&#39;un d&#39;autre", "Recharger la page"}},
			{name: "an unknown page is 404 in French", method: "GET", path: "/nulle-part", status: 404, content: []string{"<h1>Page introuvable</h1>"}},
		})
	})
}

func TestLogin(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := servertest.New(t, db, servertest.Options{})
		right := url.Values{"email": {servertest.Email(servertest.ClerkRodez)}, "password": {servertest.Password}, "suite": {"/compte"}}
		wrong := url.Values{"email": {servertest.Email(servertest.ThrottledUser)}, "password": {"pas le bon mot de passe"}}

		run(t, f, []scenario{
			{name: "the login form has labelled fields and a CSRF token", method: "GET", path: "/connexion", status: 200,
				content: []string{"<h1>Se connecter</h1>", `<label for="f-email">`, `<label for="f-password">`, `name="csrf_token" value="`}},
			{name: "a login form without CSRF token is refused", method: "POST", path: "/connexion", form: right, status: 403,
				content: []string{"<h1>Formulaire expiré</h1>"}},
			{name: "an empty form names the missing fields", method: "POST", path: "/connexion", form: url.Values{}, csrf: true, status: 400,
				content: []string{`href="#f-email"`, `href="#f-password"`}},
			{name: "a wrong password is refused in French", method: "POST", path: "/connexion", form: wrong, csrf: true, status: 401,
				content: []string{"mot de passe incorrect"}},
		})

		c := f.Client(t, servertest.Nobody)
		var last servertest.Response
		for i := 0; i < 10; i++ {
			last = c.PostForm("/connexion", url.Values{"email": wrong["email"], "password": wrong["password"]}, true)
			if last.StatusCode == http.StatusTooManyRequests {
				break
			}
		}
		if last.StatusCode != http.StatusTooManyRequests || !strings.Contains(last.Body, "Trop de tentatives") {
			t.Fatalf("throttled login: got %d, want 429 with « Trop de tentatives »\n%s", last.StatusCode, last.Body)
		}

		run(t, f, []scenario{
			{name: "the right password opens a session and goes on", method: "POST", path: "/connexion", form: right, csrf: true,
				status: 303, location: "/compte"},
		})
		resp := c.PostForm("/connexion", right, true)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("login: got %d", resp.StatusCode)
		}
		if got := c.Do("GET", "/compte", "", nil); got.StatusCode != 200 || !strings.Contains(got.Body, servertest.Email(servertest.ClerkRodez)) {
			t.Fatalf("after login, /compte: got %d", got.StatusCode)
		}
		// Logging out needs the session's token, which the page holds.
		page := c.Do("GET", "/compte", "", nil).Body
		const marker = `name="csrf_token" value="`
		i := strings.Index(page, marker)
		token := page[i+len(marker):]
		token = token[:strings.IndexByte(token, '"')]
		c.CSRF = token
		if out := c.PostForm("/deconnexion", url.Values{}, true); out.StatusCode != http.StatusSeeOther {
			t.Fatalf("logout: got %d", out.StatusCode)
		}
		if got := c.Do("GET", "/compte", "", nil); got.StatusCode != http.StatusSeeOther {
			t.Fatalf("after logout, /compte: got %d want 303 to the login page", got.StatusCode)
		}
	})
}

func TestAssetsHaveHashedURLs(t *testing.T) {
	db := storetest.SQLite(t)
	f := servertest.New(t, db, servertest.Options{})
	c := f.Client(t, servertest.Nobody)
	page := c.Do("GET", "/", "", nil).Body
	m := regexp.MustCompile(`href="(/static/voisines\.[0-9a-f]{10}\.css)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no hashed stylesheet URL in the page")
	}
	css := c.Do("GET", m[1], "", nil)
	if css.StatusCode != 200 || !strings.HasPrefix(css.Header.Get("Content-Type"), "text/css") {
		t.Fatalf("GET %s: got %d %s", m[1], css.StatusCode, css.Header.Get("Content-Type"))
	}
	if !strings.Contains(css.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("Cache-Control: got %q want immutable", css.Header.Get("Cache-Control"))
	}
	if got := c.Do("GET", "/static/voisines.css", "", nil); got.StatusCode != 404 {
		t.Errorf("unhashed name: got %d want 404", got.StatusCode)
	}
}
