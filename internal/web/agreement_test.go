package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/chromedp/chromedp"

	"voisines/internal/agreement"
	"voisines/internal/auth"
	"voisines/internal/civil"
	"voisines/internal/e2e"
	"voisines/internal/org"
	"voisines/internal/server"
	"voisines/internal/server/servertest"
	"voisines/internal/store"
	"voisines/internal/store/storetest"
)

// The timeline the conventions' pages follow; the service's clock moves
// along it.
var (
	drafted     = civil.MustParse("2026-05-04")
	deliberated = civil.MustParse("2026-05-20")
	transmitted = civil.MustParse("2026-05-22")
	signedDay   = civil.MustParse("2026-06-01")
	launch      = civil.MustParse("2026-06-15")
	afterLaunch = civil.MustParse("2026-06-20")
	startDay    = civil.MustParse("2026-07-01")
	inForce     = civil.MustParse("2026-07-15")
	endDay      = civil.MustParse("2028-12-31")
	amendDelib  = civil.MustParse("2026-09-10")
	amendDay    = civil.MustParse("2026-09-15")
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) set(d civil.Date) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = d.Time(civil.Paris).Add(10 * time.Hour)
}

// world is servertest's fixture with Metz (Moselle), the département, a
// clerk of Olemps and of Metz, and a server whose conventions follow clock.
type world struct {
	f     *servertest.Fixture
	clock *clock
	org   map[string]int64
	code  map[string]string // INSEE code or SIREN, by short name
	users map[string]*servertest.Client
}

const (
	clerkOlemps = "clerk-olemps"
	clerkMetz   = "clerk-metz"
)

func newWorld(t *testing.T, db *store.DB) *world {
	t.Helper()
	ctx := context.Background()
	f := servertest.New(t, db, servertest.Options{})
	if _, err := f.Deps.Territory.ImportCOG(ctx, withMoselle(t), nil); err != nil {
		t.Fatalf("import the territory with Metz: %v", err)
	}
	w := &world{f: f, clock: &clock{}, org: map[string]int64{}, users: map[string]*servertest.Client{},
		code: map[string]string{"rodez": servertest.Rodez, "onet": servertest.Onet, "conques": servertest.Conques,
			"agglo": servertest.AggloRdz, "olemps": "12174", "druelle": "12090", "metz": "57463"}}
	w.clock.set(drafted)
	for short, code := range w.code {
		o, err := f.Deps.Orgs.Resolve(ctx, code)
		if err != nil {
			t.Fatalf("organisation %s: %v", code, err)
		}
		w.org[short] = o.ID
	}
	system := auth.SystemActor("test")
	dep, err := f.Deps.Orgs.Create(ctx, system, org.NewOrganisation{Kind: org.Departement, Name: "Département de l'Aveyron", DepartementCode: "12"})
	if err != nil {
		t.Fatal(err)
	}
	w.org["aveyron"], w.code["aveyron"] = dep.ID, "id:"+strconv.FormatInt(dep.ID, 10)
	for name, short := range map[string]string{clerkOlemps: "olemps", clerkMetz: "metz"} {
		if _, err := f.Deps.Auth.CreateUser(ctx, system, auth.NewUser{Email: servertest.Email(name), Name: "Compte " + name,
			Password: servertest.Password, Grants: []auth.Grant{{OrgID: w.org[short], Role: auth.RoleClerk}}}); err != nil {
			t.Fatalf("create account %s: %v", name, err)
		}
	}
	deps := f.Deps
	deps.Agreements = f.Deps.Agreements.WithClock(w.clock.now)
	h, err := server.New(deps)
	if err != nil {
		t.Fatal(err)
	}
	f.Server = httptest.NewServer(h)
	t.Cleanup(f.Server.Close)
	return w
}

// withMoselle returns the fixture territory with Metz, in Moselle.
func withMoselle(t *testing.T) fs.FS {
	t.Helper()
	cog := servertest.COG(t)
	out := fstest.MapFS{}
	add := func(name string, extra map[string]any) {
		b, err := fs.ReadFile(cog, name)
		if err != nil {
			t.Fatal(err)
		}
		if extra != nil {
			var list []map[string]any
			if err := json.Unmarshal(b, &list); err != nil {
				t.Fatal(err)
			}
			b, _ = json.Marshal(append(list, extra))
		}
		out[name] = &fstest.MapFile{Data: b}
	}
	add("package.json", nil)
	add("data/epci.json", nil)
	add("data/regions.json", map[string]any{"code": "44", "chefLieu": "67482", "nom": "Grand Est", "typeLiaison": 1, "zone": "metro"})
	add("data/departements.json", map[string]any{"code": "57", "region": "44", "chefLieu": "57463", "nom": "Moselle", "typeLiaison": 0, "zone": "metro"})
	add("data/communes.json", map[string]any{"code": "57463", "nom": "Metz", "typeLiaison": 0, "zone": "metro", "arrondissement": "579",
		"departement": "57", "region": "44", "type": "commune-actuelle", "rangChefLieu": 4, "siren": "215704636",
		"codesPostaux": []string{"57000"}, "population": 120874})
	return out
}

func (w *world) client(t *testing.T, user string) *servertest.Client {
	t.Helper()
	c, ok := w.users[user]
	if !ok {
		c = w.f.Client(t, user)
		w.users[user] = c
	}
	return c
}

// api calls the JSON API as user, to set a convention up; it must answer
// want.
func (w *world) api(t *testing.T, want int, user, method, path string, body any) agreement.Record {
	t.Helper()
	c := w.client(t, user)
	b, _ := json.Marshal(body)
	resp := c.Do(method, path, string(b), map[string]string{"X-CSRF-Token": c.CSRF})
	if resp.StatusCode != want {
		t.Fatalf("%s %s as %s: got %d want %d\n%s", method, path, user, resp.StatusCode, want, resp.Body)
	}
	var rec agreement.Record
	json.Unmarshal([]byte(resp.Body), &rec)
	return rec
}

// page gets a page as user.
func (w *world) page(t *testing.T, user, path string) servertest.Response {
	t.Helper()
	return w.client(t, user).Do("GET", path, "", nil)
}

type party struct {
	org  string
	role agreement.Role
}

// form is the creation form of kind k with content c, as a browser posts
// it: the fields named by the JSON paths of the content.
func (w *world) form(k agreement.Kind, c agreement.Content, parties ...party) url.Values {
	v := url.Values{"kind": {string(k)}, "title": {c.Title}}
	for i, p := range parties {
		v.Set(fmt.Sprintf("parties[%d].org", i), w.code[p.org])
		v.Set(fmt.Sprintf("parties[%d].role", i), string(p.role))
	}
	for _, cl := range c.Clauses {
		v.Set("clauses."+string(cl.ID), cl.Text)
	}
	b, _ := json.Marshal(c)
	var tree map[string]any
	json.Unmarshal(b, &tree)
	var flatten func(prefix string, x any)
	flatten = func(prefix string, x any) {
		switch y := x.(type) {
		case map[string]any:
			for k, z := range y {
				flatten(prefix+"."+k, z)
			}
		case bool:
			if y {
				v.Set(prefix[1:], "1")
			}
		case float64:
			v.Set(prefix[1:], strconv.FormatFloat(y, 'f', -1, 64))
		case string:
			v.Set(prefix[1:], y)
		}
	}
	for k, x := range tree {
		if k != "parties" && k != "clauses" && k != "title" {
			flatten("."+k, x)
		}
	}
	return v
}

// valid returns a valid convention of kind k and its parties.
func valid(k agreement.Kind) (agreement.Content, []party) {
	spec, _ := agreement.Lookup(k)
	c := agreement.Content{
		Title:     spec.Label + " — essai",
		Term:      agreement.Term{Start: startDay, End: endDay, NoticeMonths: 3},
		Financial: agreement.Financial{Mode: spec.FinancialModes[0], Summary: "Remboursement annuel sur état des dépenses."},
	}
	var ps []party
	switch k {
	case agreement.Entente:
		ps = []party{{"rodez", agreement.RoleLead}, {"olemps", agreement.RoleMember}}
	case agreement.Prestation:
		ps = []party{{"rodez", agreement.RoleProvider}, {"conques", agreement.RoleBeneficiary}}
		c.Prestation = agreement.PrestationTerms{CooperationJustification: "Objectifs communs de service public.", OpenMarketBelow20: true}
	case agreement.MADPersonnel:
		ps = []party{{"rodez", agreement.RoleHomeEmployer}, {"onet", agreement.RoleHost}}
		c.Term.End = civil.MustParse("2029-06-30")
		c.Secondment = agreement.SecondmentTerms{Agent: "Julien Lacan", AgentStatus: agreement.Titulaire, Quotite: agreement.Fraction{Num: 30, Den: 100}}
	case agreement.GroupementCommandes:
		ps = []party{{"rodez", agreement.RoleCoordinator}, {"onet", agreement.RoleMember}, {"olemps", agreement.RoleMember}}
		c.PurchasingGroup = agreement.PurchasingGroupTerms{Needs: "produits d'entretien", LaunchDate: launch}
	case agreement.DelegationCompetence:
		ps = []party{{"rodez", agreement.RoleDelegating}, {"aveyron", agreement.RoleDelegate}}
		c.Delegation = agreement.DelegationTerms{Competence: "lecture publique"}
	case agreement.ServiceCommun:
		ps = []party{{"agglo", agreement.RoleManager}, {"rodez", agreement.RoleMember}, {"onet", agreement.RoleMember}}
		c.ServiceCommun = agreement.ServiceCommunTerms{Tasks: "instruction du droit des sols", ImpactStatement: "fiche-impact.pdf"}
	case agreement.MADServiceL5111:
		ps = []party{{"onet", agreement.RoleProvider}, {"olemps", agreement.RoleBeneficiary}}
		c.Provision = agreement.ProvisionTerms{Service: "balayeuse", UnitCostMethod: "Coût horaire.", Unit: "heure", ForecastUnits: 300}
		c.Financial.PeriodMonths = 12
	}
	for _, cs := range agreement.RequiredClauses(agreement.New(k, c)) {
		c.Clauses = append(c.Clauses, agreement.Clause{ID: cs.ID, Text: "Texte de l'article « " + cs.Title + " »."})
	}
	return c, ps
}

// apiBody is the JSON body of a convention for the API.
func (w *world) apiBody(k agreement.Kind, c agreement.Content, ps ...party) map[string]any {
	parties := make([]map[string]any, len(ps))
	for i, p := range ps {
		parties[i] = map[string]any{"org_id": w.org[p.org], "role": p.role}
	}
	return map[string]any{"kind": k, "content": c, "parties": parties}
}

func apiPath(id int64, rest string) string { return fmt.Sprintf("/api/v1/agreements/%d%s", id, rest) }

// approveAll records every missing approval on date, as the platform admin.
func (w *world) approveAll(t *testing.T, rec agreement.Record, date civil.Date) agreement.Record {
	t.Helper()
	for i, n := range agreement.MissingApprovals(rec.Agreement) {
		rec = w.api(t, 200, servertest.Admin, "POST", apiPath(rec.ID, "/approvals"), map[string]any{"version": rec.Version,
			"org_id": n.OrgID, "kind": n.Kind, "date": date, "number": fmt.Sprintf("2026-%03d", i+1), "transmitted_on": date.AddDays(2)})
	}
	return rec
}

// enteteInForce is an entente of Rodez and Olemps in force since July,
// with an avenant and a file attached by Rodez.
func (w *world) ententeInForce(t *testing.T) agreement.Record {
	t.Helper()
	w.clock.set(drafted)
	c, ps := valid(agreement.Entente)
	rec := w.api(t, 201, servertest.ClerkRodez, "POST", "/api/v1/agreements", w.apiBody(agreement.Entente, c, ps...))
	rec = w.api(t, 200, servertest.ClerkRodez, "POST", apiPath(rec.ID, "/submit"), map[string]any{"version": rec.Version})
	w.clock.set(transmitted)
	rec = w.approveAll(t, rec, deliberated)
	w.clock.set(signedDay)
	for _, p := range rec.Agreement.Parties {
		rec = w.api(t, 200, servertest.Admin, "POST", apiPath(rec.ID, "/signatures"), map[string]any{"version": rec.Version, "org_id": p.OrgID, "date": signedDay})
	}
	w.clock.set(amendDay)
	c = rec.Agreement.Content
	c.Term.NoticeMonths = 6
	body := w.apiBody(agreement.Entente, c, ps...)
	body["version"], body["date"], body["reason"] = rec.Version, amendDay, "Préavis porté à six mois"
	body["approvals"] = []map[string]any{
		{"org_id": w.org["rodez"], "kind": "deliberation", "date": amendDelib, "number": "2026-201"},
		{"org_id": w.org["olemps"], "kind": "deliberation", "date": amendDelib, "number": "2026-077"},
	}
	rec = w.api(t, 200, servertest.ClerkRodez, "POST", apiPath(rec.ID, "/amendments"), body)
	c2 := w.client(t, servertest.ClerkRodez)
	if resp := c2.Do("POST", apiPath(rec.ID, "/attachments?kind=signed_scan&filename=convention-signee.pdf"), "%PDF-1.4 signée",
		map[string]string{"Content-Type": "application/pdf", "X-CSRF-Token": c2.CSRF}); resp.StatusCode != 201 {
		t.Fatalf("attach: %d %s", resp.StatusCode, resp.Body)
	}
	return rec
}

func convURL(id int64, rest string) string { return fmt.Sprintf("/conventions/%d%s", id, rest) }

// TestAgreementPages shows every page of the conventions to the parties: the
// register with its alerts and filters, the choice of a kind, the form of
// each kind with the fields it needs, the convention with its approvals,
// avenants, versions and attachments, termination, import, open data.
func TestAgreementPages(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		rec := w.ententeInForce(t)
		w.clock.set(inForce)
		c, ps := valid(agreement.Prestation)
		pending := w.api(t, 201, servertest.ClerkRodez, "POST", "/api/v1/agreements", w.apiBody(agreement.Prestation, c, ps...))
		pending = w.api(t, 200, servertest.ClerkRodez, "POST", apiPath(pending.ID, "/submit"), map[string]any{"version": pending.Version})

		run(t, w.f, []scenario{
			{name: "the register needs a login", method: "GET", path: "/conventions", status: 303, location: "/connexion?suite=%2Fconventions"},
			{name: "Rodez's register lists its conventions with the alerts first", user: servertest.ClerkRodez, method: "GET", path: "/conventions", status: 200,
				content: []string{"<h1>Conventions</h1>", `aria-current="page">Conventions`, "Approbations manquantes", pending.Reference,
					"<caption>2 conventions</caption>", `scope="col"`, `<th scope="row"><a href="/conventions/` + strconv.FormatInt(rec.ID, 10) + `">` + rec.Reference,
					"En vigueur", "Soumise aux parties", `<label for="f-nature">`, `<label for="f-partenaire">`, "Nouvelle convention"}},
			{name: "the register filtered by partner and kind", user: servertest.ClerkRodez, method: "GET", path: "/conventions?partenaire=Olemps&nature=entente&annee=2026", status: 200,
				content: []string{"<caption>1 convention</caption>", rec.Reference}, absent: []string{`">` + pending.Reference + "</a></th>"}},
			{name: "a bad year is shown at its field", user: servertest.ClerkRodez, method: "GET", path: "/conventions?annee=deux", status: 400,
				content: []string{`id="e-annee"`, "année sur quatre chiffres"}},
			{name: "the kinds to choose from, with their legal basis", user: servertest.ClerkRodez, method: "GET", path: "/conventions/nouvelle", status: 200,
				content: []string{"<h1>Nouvelle convention</h1>", "Entente intercommunale", "CGCT L5221-1", "Délégation de compétence", "CGCT L1111-8",
					`href="/conventions/nouvelle?nature=mise_a_disposition_personnel"`, "Code de l&#39;éducation L212-8"}},
			{name: "the secondment form asks for the agent, the quotité and the waiver", user: servertest.ClerkRodez, method: "GET",
				path: "/conventions/nouvelle?nature=mise_a_disposition_personnel", status: 200,
				content: []string{"Mise à disposition de personnel", `<label for="f-secondment-agent">Agent mis à disposition</label>`,
					`name="secondment.quotite"`, "Quotité de travail", `name="secondment.repayment_waived"`, "accord écrit de l&#39;agent",
					`<option value="administration_origine" selected>Administration d&#39;origine</option>`, `<option value="organisme_accueil"`,
					`name="clauses.conditions_emploi"`, "Remboursement ou exonération", `name="parties[0].org"`}},
			{name: "the prestation form asks for the justification and the 20 % attestation", user: servertest.ClerkRodez, method: "GET",
				path: "/conventions/nouvelle?nature=prestation_services", status: 200,
				content: []string{`name="prestation.cooperation_justification"`, `name="prestation.open_market_below_20"`, "moins de 20 %"},
				absent:  []string{`name="secondment.quotite"`}},
			{name: "the groupement form asks for the launch date", user: servertest.ClerkRodez, method: "GET",
				path: "/conventions/nouvelle?nature=groupement_commandes", status: 200,
				content: []string{`type="date" id="f-purchasing_group-launch_date" name="purchasing_group.launch_date"`, "Coordonnateur"}},
			{name: "the délégation form asks for the competence", user: servertest.ClerkRodez, method: "GET",
				path: "/conventions/nouvelle?nature=delegation_competence", status: 200,
				content: []string{`name="delegation.competence"`, "Autorité délégante", "Autorité délégataire"}},
			{name: "an unknown kind is a 404", user: servertest.ClerkRodez, method: "GET", path: "/conventions/nouvelle?nature=pacte", status: 404},
			{name: "the convention shows its parties, status, approvals, avenant, versions and files", user: servertest.ClerkRodez, method: "GET",
				path: convURL(rec.ID, ""), status: 200,
				content: []string{"<h1>Entente intercommunale — essai</h1>", "En vigueur", "Rodez", "Olemps", "Commune support", "Membre de l&#39;entente",
					"Avenant n° 1 du 15 septembre 2026", "Préavis porté à six mois", `href="/conventions/` + strconv.FormatInt(rec.ID, 10) + `/avenants/1/avenant.pdf"`,
					`href="/conventions/` + strconv.FormatInt(rec.ID, 10) + `/convention.pdf"`, "Convention initiale", "convention-signee.pdf",
					"Conclure un avenant", "Résilier la convention", "Renouveler", `enctype="multipart/form-data"`, "<caption>Approbations requises avant la signature</caption>",
					"Préavis de résiliation ou de dénonciation (mois)"},
				absent: []string{"Soumettre aux parties", "Enregistrer l&#39;approbation"}},
			{name: "a submitted prestation offers Rodez its approval form", user: servertest.ClerkRodez, method: "GET", path: convURL(pending.ID, ""), status: 200,
				content: []string{"Soumise aux parties", "Enregistrer une approbation de votre organisation", `<option value="` + strconv.FormatInt(w.org["rodez"], 10) + `:deliberation"`,
					"<strong>manquante</strong>"},
				absent: []string{`:deliberation">Délibération — Conques`}},
			{name: "the termination form", user: servertest.ClerkRodez, method: "GET", path: convURL(rec.ID, "/resiliation"), status: 200,
				content: []string{"<h1>Résilier la convention " + rec.Reference + "</h1>", `<label for="f-reason">Motif</label>`, "préavis prévu est de 6 mois"}},
			{name: "the avenant form holds the current content and the approvals it needs", user: servertest.ClerkRodez, method: "GET", path: convURL(rec.ID, "/avenant"), status: 200,
				content: []string{"<h1>Avenant à la convention " + rec.Reference + "</h1>", `name="reason"`, `name="approvals[0].date"`, `value="6"`, "Conclure l'avenant"}},
			{name: "the import page documents the format", user: servertest.ClerkRodez, method: "GET", path: "/conventions/import", status: 200,
				content: []string{"<h1>Importer des conventions</h1>", `href="/conventions/import/modele.xlsx"`, `href="/conventions/import/modele.csv"`,
					"<code>date_debut</code>", "<code>mise_a_disposition_personnel</code>"}},
			{name: "the open data page needs no login", method: "GET", path: "/donnees/conventions", status: 200,
				content: []string{"<h1>Conventions en vigueur</h1>", rec.Reference, `href="/api/v1/opendata/agreements.csv"`, `href="/api/v1/opendata/agreements.json"`, "Olemps"},
				absent:  []string{"Remboursement annuel", "Texte de l&#39;article", "2026-201", pending.Reference}},
		})

		for _, ext := range []string{"csv", "xlsx"} {
			resp := w.page(t, servertest.Nobody, "/conventions/import/modele."+ext)
			if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Disposition"), "modele-import-conventions."+ext) {
				t.Errorf("template %s: got %d %q", ext, resp.StatusCode, resp.Header.Get("Content-Disposition"))
			}
		}
	})
}

// creation posts the creation form of kind k; the answer must be a
// redirect, whose page is returned.
func (w *world) creation(t *testing.T, user string, form url.Values) (servertest.Response, int64) {
	t.Helper()
	c := w.client(t, user)
	resp := c.PostForm("/conventions/nouvelle", form, true)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: got %d want 303\n%s", resp.StatusCode, resp.Body)
	}
	loc := resp.Header.Get("Location")
	m := regexp.MustCompile(`^/conventions/(\d+)`).FindStringSubmatch(loc)
	if m == nil {
		t.Fatalf("create: Location %q", loc)
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	page := c.Do("GET", loc, "", nil)
	if page.StatusCode != 200 {
		t.Fatalf("GET %s: %d", loc, page.StatusCode)
	}
	checkPage(t, page)
	return page, id
}

// noteOf returns the text of the problems shown next to the field whose
// input has id.
func noteOf(page, id string) string {
	i := strings.Index(page, `<ul class="field-notes" id="e-`+id+`">`)
	if i < 0 {
		return ""
	}
	j := strings.Index(page[i:], "</ul>")
	return page[i : i+j]
}

// TestAgreementRefusalsInTheForm drafts each convention the law forbids
// through the form: the draft opens in its edit form with the rule's French
// message and article next to the field at fault, and submitting it is
// refused on the convention's page.
func TestAgreementRefusalsInTheForm(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		for _, sc := range []struct {
			name    string
			user    string
			kind    agreement.Kind
			change  func(c *agreement.Content, ps []party) []party
			field   string // id of the input the message is next to
			message string
			article string
		}{
			{name: "a commune delegating to another commune", kind: agreement.DelegationCompetence,
				change: func(c *agreement.Content, ps []party) []party {
					return []party{{"rodez", agreement.RoleDelegating}, {"onet", agreement.RoleDelegate}}
				},
				field: "f-parties-1-org", message: "une commune ne peut pas déléguer une compétence à une autre commune", article: "CGCT L1111-8"},
			{name: "a secondment of more than three years", kind: agreement.MADPersonnel,
				change: func(c *agreement.Content, ps []party) []party { c.Term.End = civil.MustParse("2030-06-30"); return ps },
				field:  "f-term-end", message: "la durée dépasse trois ans", article: "Décret n° 2008-580"},
			{name: "a secondment between communes waiving repayment", kind: agreement.MADPersonnel,
				change: func(c *agreement.Content, ps []party) []party {
					c.Secondment.RepaymentWaived, c.Secondment.WaiverReason, c.Financial.Mode = true, "Mutualisation", agreement.NoFlow
					return ps
				},
				field: "f-parties-1-org", message: "donne obligatoirement lieu à remboursement", article: "CGFP L512-11"},
			{name: "a service commun with a commune of another EPCI", user: servertest.AdminAgglo, kind: agreement.ServiceCommun,
				change: func(c *agreement.Content, ps []party) []party {
					return append(ps, party{"conques", agreement.RoleMember})
				},
				field: "f-parties-3-org", message: "n&#39;est pas membre de « CA Rodez Agglomération »", article: "CGCT L5211-4-2"},
			{name: "an L5111-1-1 convention across two EPCI", user: servertest.ClerkOnet, kind: agreement.MADServiceL5111,
				change: func(c *agreement.Content, ps []party) []party {
					return []party{{"onet", agreement.RoleProvider}, {"conques", agreement.RoleBeneficiary}}
				},
				field: "f-parties-1-org", message: "ne sont pas membres du même EPCI à fiscalité propre", article: "CGCT L5111-1-1"},
			{name: "an entente with a commune of Moselle", kind: agreement.Entente,
				change: func(c *agreement.Content, ps []party) []party {
					return []party{{"rodez", agreement.RoleLead}, {"metz", agreement.RoleMember}}
				},
				field: "f-parties-1-org", message: "relève du droit local d&#39;Alsace-Moselle", article: "CGCT L5815-1"},
		} {
			t.Run(sc.name, func(t *testing.T) {
				w.clock.set(drafted)
				user := servertest.ClerkRodez
				if sc.user != "" {
					user = sc.user
				}
				c, ps := valid(sc.kind)
				ps = sc.change(&c, ps)
				page, id := w.creation(t, user, w.form(sc.kind, c, ps...))
				for _, want := range []string{`class="error-summary"`, `href="#` + sc.field + `"`, "est enregistré"} {
					if !strings.Contains(page.Body, want) {
						t.Errorf("edit form: want %q in it\n%s", want, page.Body)
					}
				}
				note := noteOf(page.Body, sc.field)
				if !strings.Contains(note, sc.message) || !strings.Contains(note, sc.article) {
					t.Errorf("next to %s: got %q want %q (%s)", sc.field, note, sc.message, sc.article)
				}
				described := regexp.MustCompile(`id="` + sc.field + `"[^>]*aria-describedby="[^"]*e-` + sc.field + `"`)
				if !described.MatchString(page.Body) {
					t.Errorf("the input %s is not described by its note", sc.field)
				}

				var version string
				if m := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(page.Body); m != nil {
					version = m[1]
				}
				resp := w.client(t, user).PostForm(convURL(id, "/soumettre"), url.Values{"version": {version}}, true)
				if resp.StatusCode != 422 || !strings.Contains(resp.Body, "Impossible de soumettre") ||
					!strings.Contains(resp.Body, sc.message) || !strings.Contains(resp.Body, sc.article) {
					t.Errorf("submit: got %d\n%s", resp.StatusCode, resp.Body)
				}
				checkPage(t, resp)
			})
		}

		t.Run("the refused delegation is fixed in its form, then submitted", func(t *testing.T) {
			w.clock.set(drafted)
			c, _ := valid(agreement.DelegationCompetence)
			form := w.form(agreement.DelegationCompetence, c, party{"rodez", agreement.RoleDelegating}, party{"onet", agreement.RoleDelegate})
			page, id := w.creation(t, servertest.ClerkRodez, form)
			version := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(page.Body)[1]
			form.Set("version", version)
			form.Set("parties[1].org", w.code["aveyron"])
			rodez := w.client(t, servertest.ClerkRodez)
			resp := rodez.PostForm(convURL(id, "/modifier"), form, true)
			if resp.StatusCode != 303 || resp.Header.Get("Location") != convURL(id, "?fait=enregistree") {
				t.Fatalf("update: got %d to %q\n%s", resp.StatusCode, resp.Header.Get("Location"), resp.Body)
			}
			detail := rodez.Do("GET", convURL(id, ""), "", nil)
			if !strings.Contains(detail.Body, "Département de l&#39;Aveyron") || !strings.Contains(detail.Body, "Soumettre aux parties") {
				t.Fatalf("detail:\n%s", detail.Body)
			}
			stale := rodez.PostForm(convURL(id, "/modifier"), form, true)
			if stale.StatusCode != 409 || !strings.Contains(stale.Body, "modifiée par quelqu&#39;un d&#39;autre") {
				t.Errorf("stale version: got %d", stale.StatusCode)
			}
			version = regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(detail.Body)[1]
			if resp := rodez.PostForm(convURL(id, "/soumettre"), url.Values{"version": {version}}, true); resp.StatusCode != 303 {
				t.Fatalf("submit: got %d\n%s", resp.StatusCode, resp.Body)
			}
		})
		t.Run("an unknown organisation is named at its field and nothing is stored", func(t *testing.T) {
			c, ps := valid(agreement.Entente)
			form := w.form(agreement.Entente, c, ps...)
			form.Set("parties[1].org", "Commune imaginaire")
			resp := w.client(t, servertest.ClerkRodez).PostForm("/conventions/nouvelle", form, true)
			if resp.StatusCode != 422 || !strings.Contains(noteOf(resp.Body, "f-parties-1-org"), "aucune organisation ne correspond") ||
				!strings.Contains(resp.Body, `value="Commune imaginaire"`) {
				t.Fatalf("got %d\n%s", resp.StatusCode, resp.Body)
			}
			checkPage(t, resp)
		})
		t.Run("a name several organisations match offers them to choose from", func(t *testing.T) {
			c, ps := valid(agreement.Entente)
			form := w.form(agreement.Entente, c, ps...)
			form.Set("parties[1].org", "saint")
			resp := w.client(t, servertest.ClerkRodez).PostForm("/conventions/nouvelle", form, true)
			if resp.StatusCode != 422 || !strings.Contains(noteOf(resp.Body, "f-parties-1-org"), "plusieurs organisations correspondent") ||
				!strings.Contains(resp.Body, `name="parties[1].choice" value="12241"`) || !strings.Contains(resp.Body, "Sainte-Radegonde") {
				t.Fatalf("got %d\n%s", resp.StatusCode, resp.Body)
			}
			checkPage(t, resp)
			form.Set("parties[1].choice", "12241")
			_, id := w.creation(t, servertest.ClerkRodez, form)
			if page := w.page(t, servertest.ClerkRodez, convURL(id, "")); !strings.Contains(page.Body, ">Sainte-Radegonde</a>") {
				t.Errorf("the chosen commune is not a party")
			}
		})
		t.Run("a party named by its name is found", func(t *testing.T) {
			c, ps := valid(agreement.Entente)
			form := w.form(agreement.Entente, c, ps...)
			form.Set("parties[1].org", "olemps")
			_, id := w.creation(t, servertest.ClerkRodez, form)
			page := w.page(t, servertest.ClerkRodez, convURL(id, ""))
			if !strings.Contains(page.Body, ">Olemps</a>") {
				t.Errorf("Olemps is not a party:\n%s", page.Body)
			}
		})
		t.Run("a clerk cannot draft for a lead party she does not act for", func(t *testing.T) {
			c, ps := valid(agreement.Entente)
			resp := w.client(t, servertest.ClerkOnet).PostForm("/conventions/nouvelle", w.form(agreement.Entente, c, ps...), true)
			if resp.StatusCode != 403 || !strings.Contains(resp.Body, "Vous n&#39;agissez pas pour la partie qui rédige") {
				t.Fatalf("got %d\n%s", resp.StatusCode, resp.Body)
			}
		})
		t.Run("a prestation without the attestation is saved with a warning at its field", func(t *testing.T) {
			c, ps := valid(agreement.Prestation)
			c.Prestation.OpenMarketBelow20 = false
			c2 := w.client(t, servertest.ClerkRodez)
			resp := c2.PostForm("/conventions/nouvelle", w.form(agreement.Prestation, c, ps...), true)
			loc := resp.Header.Get("Location")
			if resp.StatusCode != 303 || strings.Contains(loc, "modifier") {
				t.Fatalf("got %d to %q: a warning does not block", resp.StatusCode, loc)
			}
			page := c2.Do("GET", loc, "", nil)
			if !strings.Contains(page.Body, "Avertissement") || !strings.Contains(page.Body, "20 % des activités") || !strings.Contains(page.Body, "CCP L2511-6") {
				t.Errorf("the detail page does not show the warning:\n%s", page.Body)
			}
			m := regexp.MustCompile(`^/conventions/(\d+)`).FindStringSubmatch(loc)
			edit := c2.Do("GET", "/conventions/"+m[1]+"/modifier", "", nil)
			if note := noteOf(edit.Body, "f-prestation-open_market_below_20"); !strings.Contains(note, "Avertissement") || !strings.Contains(note, "CCP L2511-6") {
				t.Errorf("edit form, next to the attestation: got %q", note)
			}
		})

		t.Run("a secondment signed without the agent's consent is refused on its page", func(t *testing.T) {
			w.clock.set(drafted)
			c, ps := valid(agreement.MADPersonnel)
			rec := w.api(t, 201, servertest.ClerkRodez, "POST", "/api/v1/agreements", w.apiBody(agreement.MADPersonnel, c, ps...))
			rec = w.api(t, 200, servertest.ClerkRodez, "POST", apiPath(rec.ID, "/submit"), map[string]any{"version": rec.Version})
			w.clock.set(signedDay)
			for _, k := range []string{"information_assemblee", "arrete"} {
				page := w.page(t, servertest.ClerkRodez, convURL(rec.ID, ""))
				version := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(page.Body)[1]
				resp := w.client(t, servertest.ClerkRodez).PostForm(convURL(rec.ID, "/approbations"), url.Values{"version": {version},
					"approval": {fmt.Sprintf("%d:%s", w.org["rodez"], k)}, "date": {deliberated.String()}, "number": {"A-1"}}, true)
				if resp.StatusCode != 303 {
					t.Fatalf("approval %s: got %d\n%s", k, resp.StatusCode, resp.Body)
				}
			}
			page := w.page(t, servertest.ClerkRodez, convURL(rec.ID, ""))
			version := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(page.Body)[1]
			resp := w.client(t, servertest.ClerkRodez).PostForm(convURL(rec.ID, "/signatures"), url.Values{"version": {version},
				"org_id": {strconv.FormatInt(w.org["rodez"], 10)}, "signed_on": {signedDay.String()}}, true)
			if resp.StatusCode != 422 || !strings.Contains(resp.Body, "Impossible de signer") || !strings.Contains(resp.Body, "accord écrit de l&#39;agent") {
				t.Fatalf("sign: got %d\n%s", resp.StatusCode, resp.Body)
			}
			checkPage(t, resp)
		})

		t.Run("a groupement member deliberating after the launch is refused at signature", func(t *testing.T) {
			w.clock.set(drafted)
			c, ps := valid(agreement.GroupementCommandes)
			rec := w.api(t, 201, servertest.ClerkRodez, "POST", "/api/v1/agreements", w.apiBody(agreement.GroupementCommandes, c, ps...))
			rec = w.api(t, 200, servertest.ClerkRodez, "POST", apiPath(rec.ID, "/submit"), map[string]any{"version": rec.Version})
			w.clock.set(afterLaunch)
			rec = w.approveAll(t, rec, afterLaunch)
			resp := w.client(t, servertest.ClerkRodez).PostForm(convURL(rec.ID, "/signatures"), url.Values{"version": {strconv.FormatInt(rec.Version, 10)},
				"org_id": {strconv.FormatInt(w.org["rodez"], 10)}, "signed_on": {signedDay.String()}}, true)
			if resp.StatusCode != 422 || !strings.Contains(resp.Body, "doit être antérieure au lancement de la procédure") || !strings.Contains(resp.Body, "CCP L2113-7") {
				t.Fatalf("sign: got %d\n%s", resp.StatusCode, resp.Body)
			}
		})
	})
}

// TestAgreementPagesHiddenFromNonParties tries every page of a convention
// as a clerk of a commune that is not party to it: each is the French 404
// page. Its parties get the documents.
func TestAgreementPagesHiddenFromNonParties(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		rec := w.ententeInForce(t)
		files := w.page(t, servertest.ClerkRodez, convURL(rec.ID, ""))
		m := regexp.MustCompile(`/pieces/(\d+)"`).FindStringSubmatch(files.Body)
		if m == nil {
			t.Fatalf("no attachment link in the page")
		}
		piece := convURL(rec.ID, "/pieces/"+m[1])
		v := url.Values{"version": {strconv.FormatInt(rec.Version, 10)}}
		var scenarios []scenario
		for _, user := range []string{servertest.ClerkOnet, clerkMetz} {
			for _, p := range []string{"", "/modifier", "/avenant", "/resiliation", "/convention.pdf", "/avenants/1/avenant.pdf", "/pieces/" + m[1]} {
				scenarios = append(scenarios, scenario{name: user + " GET " + p, user: user, method: "GET", path: convURL(rec.ID, p),
					status: 404, content: []string{"<h1>Page introuvable</h1>"}, absent: []string{rec.Agreement.Title}})
			}
			for _, p := range []string{"/modifier", "/soumettre", "/approbations", "/signatures", "/decisions", "/cout-unitaire", "/avenant", "/renouvellement", "/resiliation", "/pieces", "/pieces/" + m[1] + "/supprimer"} {
				scenarios = append(scenarios, scenario{name: user + " POST " + p, user: user, method: "POST", path: convURL(rec.ID, p),
					form: v, csrf: true, status: 404, content: []string{"<h1>Page introuvable</h1>"}})
			}
		}
		run(t, w.f, scenarios)

		for _, user := range []string{servertest.ClerkRodez, clerkOlemps} {
			for _, p := range []string{"/convention.pdf", "/avenants/1/avenant.pdf"} {
				resp := w.page(t, user, convURL(rec.ID, p))
				if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(resp.Body, "%PDF-") {
					t.Errorf("%s GET %s: got %d %q", user, p, resp.StatusCode, resp.Header.Get("Content-Type"))
				}
			}
			resp := w.page(t, user, piece)
			if resp.StatusCode != 200 || resp.Body != "%PDF-1.4 signée" {
				t.Errorf("%s GET %s: got %d", user, piece, resp.StatusCode)
			}
		}
	})
}

// TestAgreementImportPage sends a spreadsheet with a bad line: it is refused
// whole, the line and column named; the fixed file imports.
func TestAgreementImportPage(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		w.clock.set(inForce)
		c := w.client(t, servertest.ClerkRodez)
		header := "reference;nature;titre;partie_principale;autres_parties;date_debut;duree_mois;mode_financier;objet;clause_cle_repartition\n"
		line := func(ref, start string) string {
			return ref + ";entente;Entente " + ref + ";12202;12174:membre;" + start + ";36;cout_reel_cle;Gestion commune de la piscine;Moitié population, moitié entrées\n"
		}
		post := func(file string) servertest.Response {
			var body strings.Builder
			mw := multipart.NewWriter(&body)
			mw.WriteField("csrf_token", c.CSRF)
			fw, _ := mw.CreateFormFile("file", "conventions.csv")
			fw.Write([]byte(file))
			mw.Close()
			return c.Do("POST", "/conventions/import", body.String(), map[string]string{"Content-Type": mw.FormDataContentType()})
		}

		bad := post(header + line("ENT-1", "2026-01-01") + line("ENT-2", "2026-13-45") + line("ENT-3", "2026-01-01"))
		if bad.StatusCode != 422 || !strings.Contains(bad.Body, "est refusé en entier") ||
			!strings.Contains(bad.Body, `<th scope="row">3</th><td>date_debut</td>`) {
			t.Fatalf("bad file: got %d\n%s", bad.StatusCode, bad.Body)
		}
		checkPage(t, bad)
		if list := w.page(t, servertest.ClerkRodez, "/conventions"); strings.Contains(list.Body, "ENT-1") {
			t.Errorf("a refused file imported ENT-1")
		}
		good := post(header + line("ENT-1", "2026-01-01") + line("ENT-2", "2026-02-01") + line("ENT-3", "2026-01-01"))
		if good.StatusCode != 200 || !strings.Contains(good.Body, "3 conventions importées") || !strings.Contains(good.Body, "ENT-2") {
			t.Fatalf("fixed file: got %d\n%s", good.StatusCode, good.Body)
		}
		checkPage(t, good)
		if list := w.page(t, servertest.ClerkRodez, "/conventions?q=ENT-2"); !strings.Contains(list.Body, "<caption>1 convention</caption>") {
			t.Errorf("ENT-2 is not in the register:\n%s", list.Body)
		}
		noFile := c.PostForm("/conventions/import", url.Values{}, true)
		if noFile.StatusCode != 422 || !strings.Contains(noFile.Body, "choisissez le fichier") {
			t.Errorf("no file: got %d", noFile.StatusCode)
		}
	})
}

// TestAgreementActionsFromItsPage records approvals, signatures, a file
// and a termination through the convention's forms.
func TestAgreementActionsFromItsPage(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		w.clock.set(drafted)
		c, ps := valid(agreement.Entente)
		rodez, olemps := w.client(t, servertest.ClerkRodez), w.client(t, clerkOlemps)
		_, id := w.creation(t, servertest.ClerkRodez, w.form(agreement.Entente, c, ps...))
		version := func() string {
			rec := w.api(t, 200, servertest.ClerkRodez, "GET", apiPath(id, ""), nil)
			return strconv.FormatInt(rec.Version, 10)
		}
		steps := []struct {
			name   string
			c      *servertest.Client
			path   string
			form   url.Values
			status int
			done   string
		}{
			{"Rodez submits the draft", rodez, "/soumettre", url.Values{}, 303, "fait=soumise"},
			{"a deliberation without date is refused at its field", rodez, "/approbations",
				url.Values{"approval": {fmt.Sprintf("%d:deliberation", w.org["rodez"])}, "number": {"2026-1"}}, 422, ""},
			{"Rodez records its deliberation", rodez, "/approbations",
				url.Values{"approval": {fmt.Sprintf("%d:deliberation", w.org["rodez"])}, "date": {deliberated.String()}, "number": {"2026-045"}, "transmitted_on": {transmitted.String()}}, 303, "fait=approbation"},
			{"Rodez may not record Olemps's deliberation", rodez, "/approbations",
				url.Values{"approval": {fmt.Sprintf("%d:deliberation", w.org["olemps"])}, "date": {deliberated.String()}, "number": {"2026-9"}}, 403, ""},
			{"Olemps records its own", olemps, "/approbations",
				url.Values{"approval": {fmt.Sprintf("%d:deliberation", w.org["olemps"])}, "date": {deliberated.String()}, "number": {"2026-077"}, "transmitted_on": {transmitted.String()}}, 303, "fait=approbation"},
			{"Rodez signs", rodez, "/signatures", url.Values{"org_id": {strconv.FormatInt(w.org["rodez"], 10)}, "signed_on": {signedDay.String()}}, 303, "fait=signature"},
			{"Olemps signs", olemps, "/signatures", url.Values{"org_id": {strconv.FormatInt(w.org["olemps"], 10)}, "signed_on": {signedDay.String()}}, 303, "fait=signature"},
			{"Olemps terminates with notice", olemps, "/resiliation", url.Values{"by": {strconv.FormatInt(w.org["olemps"], 10)}, "date": {signedDay.String()},
				"reason": {"Fermeture de la piscine"}}, 303, "fait=resiliee"},
		}
		w.clock.set(signedDay)
		for _, st := range steps {
			t.Run(st.name, func(t *testing.T) {
				st.form.Set("version", version())
				resp := st.c.PostForm(convURL(id, st.path), st.form, true)
				if resp.StatusCode != st.status || (st.done != "" && !strings.Contains(resp.Header.Get("Location"), st.done)) {
					t.Fatalf("got %d to %q\n%s", resp.StatusCode, resp.Header.Get("Location"), resp.Body)
				}
				if resp.StatusCode != 303 {
					checkPage(t, resp)
				}
				if st.status == 422 && !strings.Contains(resp.Body, `id="e-date"`) {
					t.Errorf("the date's error is not next to it:\n%s", resp.Body)
				}
			})
		}
		page := rodez.Do("GET", convURL(id, ""), "", nil)
		for _, want := range []string{"Conseil municipal n° 2026-045 du 20 mai 2026", "décidée le 1er juin 2026", "Fermeture de la piscine"} {
			if !strings.Contains(page.Body, want) {
				t.Errorf("page: want %q in it", want)
			}
		}

		t.Run("a file is attached through the form and deleted", func(t *testing.T) {
			var body strings.Builder
			mw := multipart.NewWriter(&body)
			mw.WriteField("csrf_token", rodez.CSRF)
			mw.WriteField("kind", "deliberation")
			mw.WriteField("org_id", strconv.FormatInt(w.org["rodez"], 10))
			fw, _ := mw.CreateFormFile("file", "délibération 2026-045.pdf")
			fw.Write([]byte("%PDF-1.5 délibération"))
			mw.Close()
			resp := rodez.Do("POST", convURL(id, "/pieces"), body.String(), map[string]string{"Content-Type": mw.FormDataContentType()})
			if resp.StatusCode != 303 {
				t.Fatalf("upload: got %d\n%s", resp.StatusCode, resp.Body)
			}
			page := rodez.Do("GET", convURL(id, ""), "", nil)
			m := regexp.MustCompile(`action="(/conventions/\d+/pieces/\d+/supprimer)"`).FindStringSubmatch(page.Body)
			if m == nil || !strings.Contains(page.Body, "délibération 2026-045.pdf") {
				t.Fatalf("the file is not listed:\n%s", page.Body)
			}
			if other := olemps.Do("GET", convURL(id, ""), "", nil); strings.Contains(other.Body, m[1]) {
				t.Errorf("Olemps is offered to delete Rodez's file")
			}
			if resp := rodez.PostForm(m[1], url.Values{}, true); resp.StatusCode != 303 {
				t.Fatalf("delete: got %d", resp.StatusCode)
			}
			if page := rodez.Do("GET", convURL(id, ""), "", nil); strings.Contains(page.Body, "délibération 2026-045.pdf") {
				t.Errorf("the file is still listed")
			}
		})
		t.Run("a text file is refused in French", func(t *testing.T) {
			var body strings.Builder
			mw := multipart.NewWriter(&body)
			mw.WriteField("csrf_token", rodez.CSRF)
			mw.WriteField("kind", "annex")
			fw, _ := mw.CreateFormFile("file", "notes.txt")
			fw.Write([]byte("pas un PDF"))
			mw.Close()
			resp := rodez.Do("POST", convURL(id, "/pieces"), body.String(), map[string]string{"Content-Type": mw.FormDataContentType()})
			if resp.StatusCode != 422 || !strings.Contains(resp.Body, "seuls les fichiers PDF, PNG et JPEG") || !strings.Contains(resp.Body, `id="e-file"`) {
				t.Fatalf("got %d\n%s", resp.StatusCode, resp.Body)
			}
		})
		t.Run("a multipart form without its CSRF token is refused", func(t *testing.T) {
			var body strings.Builder
			mw := multipart.NewWriter(&body)
			fw, _ := mw.CreateFormFile("file", "a.pdf")
			fw.Write([]byte("%PDF-1.4"))
			mw.Close()
			resp := rodez.Do("POST", convURL(id, "/pieces"), body.String(), map[string]string{"Content-Type": mw.FormDataContentType()})
			if resp.StatusCode != 403 {
				t.Fatalf("got %d", resp.StatusCode)
			}
		})
	})
}

// TestAgreementPagesInABrowser opens the conventions' pages in headless
// Chromium as the clerk of Rodez and fails on any serious or critical
// axe-core violation (WCAG 2.1 AA). SQLite only; skipped with -short; it
// fails without Chromium and axe-core (scripts/test installs both). Set
// VOISINES_SCREENSHOTS to a folder to keep a PNG of each page.
func TestAgreementPagesInABrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	chromium, err := e2e.ChromiumPath()
	if err != nil {
		t.Fatal(err)
	}
	axeJS, err := e2e.AxeSource("../..")
	if err != nil {
		t.Fatal(err)
	}
	w := newWorld(t, storetest.SQLite(t))
	rec := w.ententeInForce(t)
	w.clock.set(inForce)
	c, ps := valid(agreement.DelegationCompetence)
	_, bad := w.creation(t, servertest.ClerkRodez, w.form(agreement.DelegationCompetence, c,
		party{"rodez", agreement.RoleDelegating}, party{"onet", agreement.RoleDelegate}))
	_ = ps

	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	bctx, stop := e2e.NewBrowser(ctx, chromium, t.TempDir())
	defer stop()
	base := w.f.Server.URL
	if err := chromedp.Do(bctx, chromedp.Navigate(base+"/connexion")); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(bctx,
		chromedp.SendKeys(chromedp.CSS("#f-email"), servertest.Email(servertest.ClerkRodez)),
		chromedp.SendKeys(chromedp.CSS("#f-password"), servertest.Password),
		chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/deconnexion"]`)),
	); err != nil {
		t.Fatalf("log in: %v", err)
	}
	for _, pg := range []struct{ name, path string }{
		{"registre", "/conventions"},
		{"natures", "/conventions/nouvelle"},
		{"formulaire-personnel", "/conventions/nouvelle?nature=mise_a_disposition_personnel"},
		{"brouillon-refuse", convURL(bad, "/modifier?enregistre=1")},
		{"convention", convURL(rec.ID, "")},
		{"avenant", convURL(rec.ID, "/avenant")},
		{"resiliation", convURL(rec.ID, "/resiliation")},
		{"import", "/conventions/import"},
		{"donnees", "/donnees/conventions"},
	} {
		t.Run(pg.name, func(t *testing.T) {
			if err := chromedp.Do(bctx, chromedp.Navigate(base+pg.path)); err != nil {
				t.Fatal(err)
			}
			vs, err := e2e.Axe(bctx, axeJS)
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range e2e.Serious(vs) {
				t.Errorf("accessibility: %s", v)
			}
			if dir := os.Getenv("VOISINES_SCREENSHOTS"); dir != "" {
				if png, err := chromedp.Run(bctx, chromedp.FullScreenshot(100)); err == nil {
					os.WriteFile(filepath.Join(dir, "convention-"+pg.name+".png"), png, 0o644)
				}
			}
		})
	}
}

// TestAgreementConferenceDecisionsFromItsPage records a decision of an
// entente's conférence through its page, then each council's ratification
// through the approvals form: the decision becomes enforceable.
func TestAgreementConferenceDecisionsFromItsPage(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		rec := w.ententeInForce(t)
		decided := civil.MustParse("2026-09-20")
		w.clock.set(civil.MustParse("2026-09-25"))
		rodez, olemps := w.client(t, servertest.ClerkRodez), w.client(t, clerkOlemps)
		version := func() string {
			return strconv.FormatInt(w.api(t, 200, servertest.ClerkRodez, "GET", apiPath(rec.ID, ""), nil).Version, 10)
		}
		page := rodez.Do("GET", convURL(rec.ID, ""), "", nil)
		checkPage(t, page)
		for _, want := range []string{`<h2 id="decisions">Décisions de la conférence</h2>`, `action="/conventions/` + strconv.FormatInt(rec.ID, 10) + `/decisions"`,
			`<label for="f-decision_ref">`, `<label for="f-decision_date">`, `<label for="f-decision_subject">`} {
			if !strings.Contains(page.Body, want) {
				t.Errorf("Rodez's page: want %q in it", want)
			}
		}
		if strings.Contains(page.Body, "Notification du coût unitaire") {
			t.Errorf("an entente has no unit cost to notify")
		}
		if other := olemps.Do("GET", convURL(rec.ID, ""), "", nil); !strings.Contains(other.Body, "Décisions de la conférence") || strings.Contains(other.Body, "/decisions\"") {
			t.Errorf("Olemps, not the commune support, sees the section but not the form")
		}
		decision := url.Values{"decision_ref": {"CE-2026-1"}, "decision_date": {decided.String()}, "decision_subject": {"Tarifs 2027 de la fourrière commune"}}
		t.Run("a decision without subject is refused at its field", func(t *testing.T) {
			f := url.Values{"version": {version()}, "decision_ref": {"CE-2026-1"}, "decision_date": {decided.String()}}
			resp := rodez.PostForm(convURL(rec.ID, "/decisions"), f, true)
			checkPage(t, resp)
			if resp.StatusCode != 422 || !strings.Contains(resp.Body, `id="e-decision_subject"`) || !strings.Contains(resp.Body, "Objet de la décision : indiquez l&#39;objet de la décision") ||
				!strings.Contains(resp.Body, `class="error-summary"`) || !strings.Contains(resp.Body, `value="CE-2026-1"`) {
				t.Fatalf("got %d\n%s", resp.StatusCode, resp.Body)
			}
		})
		t.Run("Olemps may not record a decision", func(t *testing.T) {
			f := url.Values{"version": {version()}}
			maps.Copy(f, decision)
			if resp := olemps.PostForm(convURL(rec.ID, "/decisions"), f, true); resp.StatusCode != 403 {
				t.Fatalf("got %d", resp.StatusCode)
			}
		})
		t.Run("a stale version is a conflict", func(t *testing.T) {
			v, _ := strconv.Atoi(version())
			f := url.Values{"version": {strconv.Itoa(v - 1)}}
			maps.Copy(f, decision)
			if resp := rodez.PostForm(convURL(rec.ID, "/decisions"), f, true); resp.StatusCode != 409 {
				t.Fatalf("got %d\n%s", resp.StatusCode, resp.Body)
			}
		})
		f := url.Values{"version": {version()}}
		maps.Copy(f, decision)
		resp := rodez.PostForm(convURL(rec.ID, "/decisions"), f, true)
		if resp.StatusCode != 303 || !strings.Contains(resp.Header.Get("Location"), "fait=decision") {
			t.Fatalf("record the decision: got %d\n%s", resp.StatusCode, resp.Body)
		}
		page = rodez.Do("GET", resp.Header.Get("Location"), "", nil)
		checkPage(t, page)
		choice := fmt.Sprintf(`value="%d:ratification:CE-2026-1"`, w.org["rodez"])
		for _, want := range []string{"La décision de la conférence est enregistrée", "Tarifs 2027 de la fourrière commune", "<strong>à ratifier</strong>", choice} {
			if !strings.Contains(page.Body, want) {
				t.Errorf("page after the decision: want %q in it", want)
			}
		}
		if strings.Contains(page.Body, fmt.Sprintf(`value="%d:ratification:CE-2026-1"`, w.org["olemps"])) {
			t.Errorf("Rodez is offered Olemps's ratification")
		}
		ratify := func(c *servertest.Client, org, number string) {
			t.Helper()
			resp := c.PostForm(convURL(rec.ID, "/approbations"), url.Values{"version": {version()},
				"approval": {fmt.Sprintf("%d:ratification:CE-2026-1", w.org[org])}, "date": {decided.AddDays(3).String()}, "number": {number}}, true)
			if resp.StatusCode != 303 || !strings.Contains(resp.Header.Get("Location"), "fait=approbation") {
				t.Fatalf("%s's ratification: got %d\n%s", org, resp.StatusCode, resp.Body)
			}
		}
		ratify(rodez, "rodez", "2026-301")
		if got := w.api(t, 200, servertest.ClerkRodez, "GET", apiPath(rec.ID, ""), nil); agreement.Enforceable(got.Agreement, "CE-2026-1") {
			t.Errorf("enforceable before Olemps ratified")
		}
		ratify(olemps, "olemps", "2026-088")
		if got := w.api(t, 200, clerkOlemps, "GET", apiPath(rec.ID, ""), nil); !agreement.Enforceable(got.Agreement, "CE-2026-1") {
			t.Errorf("not enforceable once both councils ratified: %+v", got.Agreement.Approvals)
		}
		page = olemps.Do("GET", convURL(rec.ID, ""), "", nil)
		for _, want := range []string{"ratifiée (n° 2026-301) le 23 septembre 2026", "ratifiée (n° 2026-088) le 23 septembre 2026", "<td>Oui</td>"} {
			if !strings.Contains(page.Body, want) {
				t.Errorf("page after both ratifications: want %q in it", want)
			}
		}
	})
}

// TestAgreementUnitCostNoticeFromItsPage takes a mise à disposition de
// services into force: its provider records the notification of the unit
// cost from the convention's page, which clears the D5211-16 alert.
func TestAgreementUnitCostNoticeFromItsPage(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		k := agreement.MADServiceL5111
		w.clock.set(drafted)
		c, ps := valid(k)
		rec := w.api(t, 201, servertest.ClerkOnet, "POST", "/api/v1/agreements", w.apiBody(k, c, ps...))
		rec = w.api(t, 200, servertest.ClerkOnet, "POST", apiPath(rec.ID, "/submit"), map[string]any{"version": rec.Version})
		w.clock.set(transmitted)
		rec = w.approveAll(t, rec, deliberated)
		w.clock.set(signedDay)
		spec, _ := agreement.Lookup(k)
		for _, p := range rec.Agreement.Parties {
			if len(spec.Signatories) > 0 && !slices.Contains(spec.Signatories, p.Role) {
				continue
			}
			rec = w.api(t, 200, servertest.Admin, "POST", apiPath(rec.ID, "/signatures"), map[string]any{"version": rec.Version, "org_id": p.OrgID, "date": signedDay})
		}
		w.clock.set(inForce)
		onet := w.client(t, servertest.ClerkOnet)
		alerts := func() string {
			return onet.Do("GET", fmt.Sprintf("/api/v1/agreements/alerts?org=%d&days=60", w.org["onet"]), "", nil).Body
		}
		if body := alerts(); !strings.Contains(body, `"kind":"notification_cout_unitaire"`) {
			t.Fatalf("Onet's alerts before the notice: %s", body)
		}
		version := func() string {
			return strconv.FormatInt(w.api(t, 200, servertest.ClerkOnet, "GET", apiPath(rec.ID, ""), nil).Version, 10)
		}
		page := onet.Do("GET", convURL(rec.ID, ""), "", nil)
		checkPage(t, page)
		for _, want := range []string{`<h2 id="cout-unitaire">Notification du coût unitaire</h2>`, "Aucune notification du coût unitaire", `<label for="f-notice_year">`, `<label for="f-notice_date">`, "D5211-16"} {
			if !strings.Contains(page.Body, want) {
				t.Errorf("Onet's page: want %q in it", want)
			}
		}
		if strings.Contains(page.Body, "Décisions de la conférence") {
			t.Errorf("only an entente has a conférence")
		}
		if other := w.client(t, clerkOlemps).Do("GET", convURL(rec.ID, ""), "", nil); strings.Contains(other.Body, "/cout-unitaire\"") {
			t.Errorf("the beneficiary is offered the provider's form")
		}
		notice := func(v string) url.Values {
			return url.Values{"version": {v}, "notice_year": {"2026"}, "notice_date": {inForce.String()}}
		}
		if resp := w.client(t, servertest.ClerkRodez).PostForm(convURL(rec.ID, "/cout-unitaire"), notice(version()), true); resp.StatusCode != 404 {
			t.Errorf("a non-party: got %d want 404", resp.StatusCode)
		}
		if resp := w.client(t, clerkOlemps).PostForm(convURL(rec.ID, "/cout-unitaire"), notice(version()), true); resp.StatusCode != 403 {
			t.Errorf("the beneficiary: got %d want 403", resp.StatusCode)
		}
		v, _ := strconv.Atoi(version())
		if resp := onet.PostForm(convURL(rec.ID, "/cout-unitaire"), notice(strconv.Itoa(v-1)), true); resp.StatusCode != 409 {
			t.Errorf("a stale version: got %d want 409\n%s", resp.StatusCode, resp.Body)
		}
		resp := onet.PostForm(convURL(rec.ID, "/cout-unitaire"), url.Values{"version": {version()}, "notice_year": {"2026"}}, true)
		checkPage(t, resp)
		if resp.StatusCode != 422 || !strings.Contains(resp.Body, `id="e-notice_date"`) || !strings.Contains(resp.Body, "Date de la notification : indiquez la date de la notification") {
			t.Errorf("a notice without date: got %d\n%s", resp.StatusCode, resp.Body)
		}
		resp = onet.PostForm(convURL(rec.ID, "/cout-unitaire"), notice(version()), true)
		if resp.StatusCode != 303 || !strings.Contains(resp.Header.Get("Location"), "fait=cout-unitaire") {
			t.Fatalf("record the notice: got %d\n%s", resp.StatusCode, resp.Body)
		}
		page = onet.Do("GET", resp.Header.Get("Location"), "", nil)
		checkPage(t, page)
		for _, want := range []string{"La notification du coût unitaire est enregistrée.", "<th scope=\"row\">2026</th><td>15 juillet 2026</td>"} {
			if !strings.Contains(page.Body, want) {
				t.Errorf("page after the notice: want %q in it", want)
			}
		}
		if body := alerts(); strings.Contains(body, `"kind":"notification_cout_unitaire"`) {
			t.Errorf("Onet's alerts after the notice: %s", body)
		}
	})
}
