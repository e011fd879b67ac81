package api_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io/fs"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"voisines/internal/agreement"
	"voisines/internal/auth"
	"voisines/internal/civil"
	"voisines/internal/org"
	"voisines/internal/server"
	"voisines/internal/server/servertest"
	"voisines/internal/store"
	"voisines/internal/store/storetest"
)

// The timeline the conventions' tests follow; the service's clock moves
// along it.
var (
	drafted      = civil.MustParse("2026-05-04")
	deliberated  = civil.MustParse("2026-05-20")
	transmitted  = civil.MustParse("2026-05-22")
	signedDay    = civil.MustParse("2026-06-01")
	launch       = civil.MustParse("2026-06-15")
	afterLaunch  = civil.MustParse("2026-06-20")
	startDay     = civil.MustParse("2026-07-01")
	inForce      = civil.MustParse("2026-07-15")
	endDay       = civil.MustParse("2028-12-31")
	amendDelib   = civil.MustParse("2026-09-10")
	amendDay     = civil.MustParse("2026-09-15")
	terminateDay = civil.MustParse("2026-10-01")
)

// clock is the conventions' clock, moved by the tests.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// set moves the clock to ten in the morning of d, in Paris.
func (c *clock) set(d civil.Date) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = d.Time(civil.Paris).Add(10 * time.Hour)
}

// world is the fixture of servertest with what conventions need: Metz (a
// commune of Moselle, under local law), the département of Aveyron, a
// CCAS, more clerks, and a server whose conventions follow clock.
type world struct {
	f     *servertest.Fixture
	clock *clock
	org   map[string]int64 // by short name
	users map[string]*servertest.Client
}

// The organisations, by short name: INSEE code or SIREN of the fixture's.
var fixtureOrgs = map[string]string{
	"rodez": servertest.Rodez, "onet": servertest.Onet, "conques": servertest.Conques,
	"agglo": servertest.AggloRdz, "ccconques": servertest.CCConques,
	"olemps": "12174", "druelle": "12090", "metz": "57463",
}

// Accounts the conventions' tests add: a clerk of Olemps, of Metz and of
// the département.
const (
	clerkOlemps  = "clerk-olemps"
	clerkMetz    = "clerk-metz"
	clerkAveyron = "clerk-aveyron"
)

func newWorld(t *testing.T, db *store.DB) *world {
	t.Helper()
	ctx := context.Background()
	f := servertest.New(t, db, servertest.Options{})
	if _, err := f.Deps.Territory.ImportCOG(ctx, withMoselle(t), nil); err != nil {
		t.Fatalf("import the territory with Metz: %v", err)
	}
	w := &world{f: f, clock: &clock{}, org: map[string]int64{}, users: map[string]*servertest.Client{}}
	w.clock.set(drafted)
	for short, code := range fixtureOrgs {
		o, err := f.Deps.Orgs.Resolve(ctx, code)
		if err != nil {
			t.Fatalf("organisation %s: %v", code, err)
		}
		w.org[short] = o.ID
	}
	system := auth.SystemActor("test")
	for short, n := range map[string]org.NewOrganisation{
		"aveyron": {Kind: org.Departement, Name: "Département de l'Aveyron", DepartementCode: "12", Profile: org.Profile{Representative: "Hélène Albert"}},
		"ccas":    {Kind: org.EPARattache, Name: "CCAS de Rodez", DepartementCode: "12"},
		"comite":  {Kind: org.Association, Name: "Comité des fêtes du Grand Rodez (fictif)"},
	} {
		o, err := f.Deps.Orgs.Create(ctx, system, n)
		if err != nil {
			t.Fatalf("create %s: %v", n.Name, err)
		}
		w.org[short] = o.ID
	}
	for name, short := range map[string]string{clerkOlemps: "olemps", clerkMetz: "metz", clerkAveyron: "aveyron"} {
		if _, err := f.Deps.Auth.CreateUser(ctx, system, auth.NewUser{Email: servertest.Email(name), Name: "Compte " + name,
			Password: servertest.Password, Grants: []auth.Grant{{OrgID: w.org[short], Role: auth.RoleClerk}}}); err != nil {
			t.Fatalf("create account %s: %v", name, err)
		}
	}
	// The same server, whose conventions read the test's clock.
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

// client returns the logged-in client of an account (anonymous for "").
func (w *world) client(t *testing.T, user string) *servertest.Client {
	t.Helper()
	c, ok := w.users[user]
	if !ok {
		c = w.f.Client(t, user)
		w.users[user] = c
	}
	return c
}

// call sends a JSON request as user (with the CSRF token on unsafe
// methods) and returns the status and body.
func (w *world) call(t *testing.T, user, method, path string, body any) (int, string) {
	t.Helper()
	c := w.client(t, user)
	var b string
	switch v := body.(type) {
	case nil:
	case string:
		b = v
	default:
		j, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		b = string(j)
	}
	hdr := map[string]string{}
	if method != "GET" {
		hdr["X-CSRF-Token"] = c.CSRF
	}
	resp := c.Do(method, path, b, hdr)
	return resp.StatusCode, resp.Body
}

// must sends a request that must answer want, and decodes its body.
func must[T any](t *testing.T, w *world, want int, user, method, path string, body any) T {
	t.Helper()
	status, resp := w.call(t, user, method, path, body)
	if status != want {
		t.Fatalf("%s %s as %q: got %d want %d\n%s", method, path, user, status, want, resp)
	}
	var v T
	if err := json.Unmarshal([]byte(resp), &v); err != nil {
		t.Fatalf("%s %s: decode %s: %v", method, path, resp, err)
	}
	return v
}

// party names a party of a convention by its organisation's short name.
type party struct {
	org  string
	role agreement.Role
}

// input is the body of a convention: kind, content, parties by code.
func (w *world) input(kind agreement.Kind, c agreement.Content, parties ...party) map[string]any {
	ps := make([]map[string]any, len(parties))
	for i, p := range parties {
		ps[i] = map[string]any{"org_id": w.org[p.org], "role": p.role}
	}
	return map[string]any{"kind": kind, "content": c, "parties": ps}
}

// valid returns a convention of kind k between real organisations of the
// fixture that breaks no blocking rule, and the account of its lead party.
func valid(k agreement.Kind) (agreement.Content, []party, string) {
	spec, _ := agreement.Lookup(k)
	c := agreement.Content{
		Title:     spec.Label + " — essai",
		Term:      agreement.Term{Start: startDay, End: endDay, NoticeMonths: 3},
		Financial: agreement.Financial{Mode: spec.FinancialModes[0], Summary: "Remboursement annuel sur état des dépenses."},
	}
	var ps []party
	lead := servertest.ClerkRodez
	switch k {
	case agreement.Entente:
		ps = []party{{"rodez", agreement.RoleLead}, {"onet", agreement.RoleMember}, {"olemps", agreement.RoleMember}}
	case agreement.Prestation:
		ps = []party{{"rodez", agreement.RoleProvider}, {"conques", agreement.RoleBeneficiary}}
		c.Prestation = agreement.PrestationTerms{CooperationJustification: "Entretien mutualisé des espaces verts au service d'objectifs communs de service public.", OpenMarketBelow20: true}
	case agreement.MADServicesAscendante:
		ps, lead = []party{{"olemps", agreement.RoleProvider}, {"agglo", agreement.RoleBeneficiary}}, servertest.AdminAgglo
		c.Provision = agreement.ProvisionTerms{Service: "voirie", UnitCostMethod: "Dépenses du dernier compte administratif divisées par les heures.", Unit: "heure", ForecastUnits: 8500}
		c.Financial.PeriodMonths = 6
	case agreement.MADServicesDescendante:
		ps, lead = []party{{"agglo", agreement.RoleProvider}, {"rodez", agreement.RoleBeneficiary}, {"olemps", agreement.RoleBeneficiary}}, servertest.AdminAgglo
		c.Provision = agreement.ProvisionTerms{Service: "instruction des autorisations d'urbanisme", UnitCostMethod: "Coût du service divisé par le nombre d'actes.", Unit: "acte", ForecastUnits: 420}
		c.Financial.PeriodMonths = 12
	case agreement.MADServiceL5111:
		ps, lead = []party{{"onet", agreement.RoleProvider}, {"olemps", agreement.RoleBeneficiary}}, servertest.ClerkOnet
		c.Provision = agreement.ProvisionTerms{Service: "balayeuse et son chauffeur", UnitCostMethod: "Coût horaire du compte administratif.", Unit: "heure", ForecastUnits: 300}
		c.Financial.PeriodMonths = 12
	case agreement.ServiceUnifie:
		ps = []party{{"rodez", agreement.RoleLead}, {"onet", agreement.RoleMember}}
		c.Provision = agreement.ProvisionTerms{Service: "service des archives", UnitCostMethod: "Coût par mètre linéaire traité.", Unit: "mètre linéaire", ForecastUnits: 120}
		c.Financial.PeriodMonths = 12
	case agreement.ServiceCommun:
		ps, lead = []party{{"agglo", agreement.RoleManager}, {"rodez", agreement.RoleMember}, {"onet", agreement.RoleMember}}, servertest.AdminAgglo
		c.ServiceCommun = agreement.ServiceCommunTerms{Tasks: "instruction du droit des sols", ImpactStatement: "fiche-impact-ads-2026.pdf", ChargeAgainstAC: true}
	case agreement.BiensPartages:
		ps, lead = []party{{"agglo", agreement.RoleOwner}, {"olemps", agreement.RoleMember}, {"druelle", agreement.RoleMember}}, servertest.AdminAgglo
	case agreement.EquipementPartage:
		ps = []party{{"rodez", agreement.RoleOwner}, {"olemps", agreement.RoleUser}}
		c.Equipment = agreement.EquipmentTerms{Equipment: "gymnase (fictif)", FirstUse: civil.MustParse("2026-03-01")}
	case agreement.BiensIndivis:
		ps, lead = []party{{"olemps", agreement.RoleCoOwner}, {"druelle", agreement.RoleCoOwner}}, clerkOlemps
		c.Indivision = agreement.IndivisionTerms{Property: "bois indivis"}
	case agreement.MADPersonnel:
		ps = []party{{"rodez", agreement.RoleHomeEmployer}, {"onet", agreement.RoleHost}}
		c.Term.End = civil.MustParse("2029-06-30")
		c.Secondment = agreement.SecondmentTerms{Agent: "Julien Lacan", Grade: "adjoint technique principal", AgentStatus: agreement.Titulaire, Quotite: agreement.Fraction{Num: 30, Den: 100}}
	case agreement.GroupementCommandes:
		ps = []party{{"rodez", agreement.RoleCoordinator}, {"onet", agreement.RoleMember}, {"olemps", agreement.RoleMember}}
		c.PurchasingGroup = agreement.PurchasingGroupTerms{Needs: "produits d'entretien, accord-cadre de quatre ans", LaunchDate: launch}
	case agreement.DelegationCompetence:
		ps = []party{{"rodez", agreement.RoleDelegating}, {"aveyron", agreement.RoleDelegate}}
		c.Delegation = agreement.DelegationTerms{Competence: "gestion du réseau de lecture publique"}
	case agreement.MandatMaitriseOuvrage:
		ps, lead = []party{{"olemps", agreement.RoleProjectOwner}, {"rodez", agreement.RoleMandatary}}, clerkOlemps
		c.ProjectOwnership = agreement.ProjectOwnershipTerms{Work: "réhabilitation de l'école"}
	case agreement.CoMaitriseOuvrage:
		ps = []party{{"rodez", agreement.RoleLead}, {"onet", agreement.RoleProjectOwner}}
		c.ProjectOwnership = agreement.ProjectOwnershipTerms{Work: "carrefour giratoire"}
	case agreement.AssistanceTechnique:
		ps, lead = []party{{"aveyron", agreement.RoleProvider}, {"olemps", agreement.RoleBeneficiary}}, clerkAveyron
		c.TechnicalAssistance = agreement.TechnicalAssistanceTerms{Domain: "assainissement", EligibilityAttested: true}
	case agreement.PartenariatEvenement:
		ps = []party{{"rodez", agreement.RoleLead}, {"onet", agreement.RolePartner}, {"comite", agreement.RolePartner}}
		c.Event = agreement.EventTerms{Event: "festival d'été", Ticketing: true}
	case agreement.FraisScolarite:
		ps = []party{{"rodez", agreement.RoleSchoolHost}, {"olemps", agreement.RoleResidence}}
		c.SchoolCosts = agreement.SchoolCostsTerms{SchoolYear: "2026-2027", RoundUnitCostFirst: true}
	}
	a := agreement.New(k, c)
	for _, cs := range agreement.RequiredClauses(a) {
		c.Clauses = append(c.Clauses, agreement.Clause{ID: cs.ID, Text: "Texte de l'article « " + cs.Title + " »."})
	}
	return c, ps, lead
}

// withShares adds the shares a kind needs, once the organisations' ids
// are known.
func (w *world) withShares(k agreement.Kind, c agreement.Content) agreement.Content {
	switch k {
	case agreement.BiensIndivis:
		c.Indivision.Shares = []agreement.Share{{OrgID: w.org["olemps"], Share: agreement.Fraction{Num: 3, Den: 7}}, {OrgID: w.org["druelle"], Share: agreement.Fraction{Num: 4, Den: 7}}}
	case agreement.CoMaitriseOuvrage:
		c.ProjectOwnership.Shares = []agreement.Share{{OrgID: w.org["rodez"], Share: agreement.Fraction{Num: 5, Den: 8}}, {OrgID: w.org["onet"], Share: agreement.Fraction{Num: 3, Den: 8}}}
	}
	return c
}

// create drafts a convention as user and returns it.
func (w *world) create(t *testing.T, user string, body map[string]any) agreement.Record {
	t.Helper()
	return must[agreement.Record](t, w, http.StatusCreated, user, "POST", "/api/v1/agreements", body)
}

func path(id int64, rest string) string { return fmt.Sprintf("/api/v1/agreements/%d%s", id, rest) }

// approveAll records every approval rec needs, dated on date, as the
// platform admin (who may act for every party).
func (w *world) approveAll(t *testing.T, rec agreement.Record, date civil.Date) agreement.Record {
	t.Helper()
	for i, n := range agreement.MissingApprovals(rec.Agreement) {
		ap := map[string]any{"version": rec.Version, "org_id": n.OrgID, "kind": n.Kind, "date": date}
		if n.Kind == agreement.Deliberation || n.Kind == agreement.Arrete || n.Kind == agreement.PrefectOrder {
			ap["number"] = fmt.Sprintf("2026-%03d", i+1)
			ap["transmitted_on"] = date.AddDays(2)
		}
		rec = must[agreement.Record](t, w, 200, servertest.Admin, "POST", path(rec.ID, "/approvals"), ap)
	}
	return rec
}

// signAll records every signatory's signature on date, as the platform
// admin.
func (w *world) signAll(t *testing.T, rec agreement.Record, date civil.Date) agreement.Record {
	t.Helper()
	spec, _ := agreement.Lookup(rec.Agreement.Kind)
	for _, p := range rec.Agreement.Parties {
		if len(spec.Signatories) > 0 && !slices.Contains(spec.Signatories, p.Role) {
			continue
		}
		rec = must[agreement.Record](t, w, 200, servertest.Admin, "POST", path(rec.ID, "/signatures"),
			map[string]any{"version": rec.Version, "org_id": p.OrgID, "date": date})
	}
	return rec
}

// errorBody is the JSON error of the conventions' routes.
type errorBody struct {
	Error struct {
		Code       string `json:"code"`
		Message    string `json:"message"`
		Fields     []struct{ Name, Message string }
		Violations []agreement.Violation `json:"violations"`
		Lines      []struct {
			Line    int    `json:"line"`
			Column  string `json:"column"`
			Message string `json:"message"`
		} `json:"lines"`
	} `json:"error"`
}

func hasRule(vs []agreement.Violation, rule agreement.RuleID, article string) bool {
	return slices.ContainsFunc(vs, func(v agreement.Violation) bool {
		return v.Rule == rule && (article == "" || v.Article == article)
	})
}

// TestAgreementEveryKindWalksThroughTheAPI drafts a valid convention of
// each kind between communes of the imported territory, and takes it
// through submission, approvals, signature, entry into force, an avenant
// with its PDF, the versions and termination.
func TestAgreementEveryKindWalksThroughTheAPI(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		for _, k := range agreement.Kinds() {
			t.Run(string(k), func(t *testing.T) {
				w.clock.set(drafted)
				c, ps, lead := valid(k)
				body := w.input(k, w.withShares(k, c), ps...)
				rec := w.create(t, lead, body)
				if bs := agreement.Blockers(rec.Violations); len(bs) > 0 {
					t.Fatalf("a valid %s breaks %v", k, bs)
				}
				rec = must[agreement.Record](t, w, 200, lead, "POST", path(rec.ID, "/submit"), map[string]any{"version": rec.Version})
				if rec.Agreement.Status != agreement.Submitted {
					t.Fatalf("after submit: status %s", rec.Agreement.Status)
				}
				w.clock.set(transmitted)
				rec = w.approveAll(t, rec, deliberated)
				if rec.Agreement.Status != agreement.Approved {
					t.Fatalf("after approvals: status %s, missing %v", rec.Agreement.Status, agreement.MissingApprovals(rec.Agreement))
				}
				w.clock.set(signedDay)
				rec = w.signAll(t, rec, signedDay)
				if rec.Agreement.Status != agreement.Signed {
					t.Fatalf("after signatures: status %s", rec.Agreement.Status)
				}
				w.clock.set(inForce)
				rec = must[agreement.Record](t, w, 200, lead, "GET", path(rec.ID, ""), nil)
				if rec.Agreement.Status != agreement.InForce {
					t.Fatalf("in July: status %s", rec.Agreement.Status)
				}

				w.clock.set(amendDay)
				amend := w.input(k, rec.Agreement.Content, ps...)
				content := rec.Agreement.Content
				content.Title += " (modifiée)"
				amend["content"] = content
				amend["version"] = rec.Version
				amend["date"] = amendDay
				amend["reason"] = "Précision de l'intitulé"
				var approvals []map[string]any
				for i, n := range agreement.RequiredApprovals(rec.Agreement) {
					if n.Kind == agreement.Deliberation || n.Kind == agreement.AgentConsent {
						approvals = append(approvals, map[string]any{"org_id": n.OrgID, "kind": n.Kind, "date": amendDelib,
							"number": fmt.Sprintf("2026-A%02d", i), "transmitted_on": amendDelib.AddDays(1)})
					}
				}
				amend["approvals"] = approvals
				rec = must[agreement.Record](t, w, 200, lead, "POST", path(rec.ID, "/amendments"), amend)
				if n := len(rec.Agreement.Amendments); n != 1 || !slices.ContainsFunc(rec.Agreement.Amendments[0].Changes, func(c agreement.Change) bool { return c.Field == "title" }) {
					t.Fatalf("avenant: got %+v", rec.Agreement.Amendments)
				}
				versions := must[struct{ Versions []agreement.Version }](t, w, 200, lead, "GET", path(rec.ID, "/versions"), nil)
				if len(versions.Versions) != 2 || versions.Versions[1].Reason != "Précision de l'intitulé" {
					t.Errorf("versions: got %+v", versions.Versions)
				}
				for _, p := range []string{"/document.pdf", "/amendments/1/document.pdf"} {
					resp := w.client(t, lead).Do("GET", path(rec.ID, p), "", nil)
					if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(resp.Body, "%PDF-") {
						t.Errorf("GET %s: got %d %s", p, resp.StatusCode, resp.Header.Get("Content-Type"))
					}
				}

				w.clock.set(terminateDay)
				rec = must[agreement.Record](t, w, 200, lead, "POST", path(rec.ID, "/termination"), map[string]any{"version": rec.Version,
					"by": rec.LeadOrgID, "date": terminateDay, "effective": terminateDay, "mutual": true, "reason": "Fin de la coopération d'un commun accord"})
				if rec.Agreement.Status != agreement.Terminated {
					t.Errorf("after termination: status %s", rec.Agreement.Status)
				}
			})
		}
	})
}

// refusal is a convention the law forbids, and the rule that says so.
type refusal struct {
	name    string
	user    string
	kind    agreement.Kind
	change  func(w *world, c *agreement.Content, ps []party) []party
	rule    agreement.RuleID
	article string
	field   string // the field the violation names
	message string // part of the French message
}

// refusals are the legal refusals of issue 3, point 2, that a draft shows
// and submission enforces.
var refusals = []refusal{
	{name: "a commune cannot delegate a competence to another commune", kind: agreement.DelegationCompetence,
		change: func(w *world, c *agreement.Content, ps []party) []party {
			return []party{{"rodez", agreement.RoleDelegating}, {"onet", agreement.RoleDelegate}}
		},
		rule: "delegation_meme_categorie", article: "CGCT L1111-8", field: "parties[1].kind",
		message: "une commune ne peut pas déléguer une compétence à une autre commune"},
	{name: "a secondment lasts three years at most", kind: agreement.MADPersonnel,
		change: func(w *world, c *agreement.Content, ps []party) []party {
			c.Term.End = civil.MustParse("2030-06-30")
			return ps
		},
		rule: "duree_maximale", article: "Décret n° 2008-580", field: "term.end", message: "la durée dépasse trois ans"},
	{name: "a secondment between two communes cannot waive repayment", kind: agreement.MADPersonnel,
		change: func(w *world, c *agreement.Content, ps []party) []party {
			c.Secondment.RepaymentWaived, c.Secondment.WaiverReason = true, "Mutualisation"
			c.Financial.Mode = agreement.NoFlow
			return ps
		},
		rule: "remboursement_personnel", article: "CGFP L512-11", field: "parties[1]",
		message: "donne obligatoirement lieu à remboursement"},
	{name: "a service commun links an EPCI and its own member communes only", user: servertest.AdminAgglo, kind: agreement.ServiceCommun,
		change: func(w *world, c *agreement.Content, ps []party) []party {
			return append(ps, party{"conques", agreement.RoleMember})
		},
		rule: "membres_epci", article: "CGCT L5211-4-2", field: "parties[3].epci_siren",
		message: "n'est pas membre de « CA Rodez Agglomération »"},
	{name: "an L5111-1-1 convention between communes needs the same EPCI", user: servertest.ClerkOnet, kind: agreement.MADServiceL5111,
		change: func(w *world, c *agreement.Content, ps []party) []party {
			return []party{{"onet", agreement.RoleProvider}, {"conques", agreement.RoleBeneficiary}}
		},
		rule: "meme_epci", article: "CGCT L5111-1-1", field: "parties[1].epci_siren",
		message: "ne sont pas membres du même EPCI à fiscalité propre"},
	{name: "an entente is refused to a commune of Moselle", kind: agreement.Entente,
		change: func(w *world, c *agreement.Content, ps []party) []party {
			return []party{{"rodez", agreement.RoleLead}, {"metz", agreement.RoleMember}}
		},
		rule: "droit_local", article: "CGCT L5815-1", field: "parties[1]",
		message: "relève du droit local d'Alsace-Moselle"},
}

// TestAgreementRefusalsThroughTheAPI drafts each convention the law
// forbids: the draft is stored with the violation named, and submitting it
// is refused with 422, the rule, its article and its field.
func TestAgreementRefusalsThroughTheAPI(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		for _, rf := range refusals {
			t.Run(rf.name, func(t *testing.T) {
				c, ps, lead := valid(rf.kind)
				if rf.user != "" {
					lead = rf.user
				}
				ps = rf.change(w, &c, ps)
				rec := w.create(t, lead, w.input(rf.kind, c, ps...))
				if !hasRule(rec.Violations, rf.rule, rf.article) {
					t.Fatalf("draft: want rule %s (%s) among %+v", rf.rule, rf.article, rec.Violations)
				}
				status, body := w.call(t, lead, "POST", path(rec.ID, "/submit"), map[string]any{"version": rec.Version})
				if status != http.StatusUnprocessableEntity {
					t.Fatalf("submit: got %d want 422\n%s", status, body)
				}
				var e errorBody
				json.Unmarshal([]byte(body), &e)
				if e.Error.Code != "refused" || !strings.HasPrefix(e.Error.Message, "Impossible de soumettre") {
					t.Errorf("error: got %q %q", e.Error.Code, e.Error.Message)
				}
				i := slices.IndexFunc(e.Error.Violations, func(v agreement.Violation) bool { return v.Rule == rf.rule })
				if i < 0 {
					t.Fatalf("violations: want %s in %s", rf.rule, body)
				}
				v := e.Error.Violations[i]
				if v.Article != rf.article || v.Field != rf.field || v.Severity != agreement.Blocking || !strings.Contains(v.Message, rf.message) {
					t.Errorf("violation: got %+v want article %q, field %q, message with %q", v, rf.article, rf.field, rf.message)
				}
				if !slices.ContainsFunc(e.Error.Fields, func(f struct{ Name, Message string }) bool { return f.Name == rf.field }) {
					t.Errorf("fields: want %q in %+v", rf.field, e.Error.Fields)
				}
			})
		}
	})
}

// TestAgreementLifecycleRefusalsThroughTheAPI covers the rules that bite
// after the draft: the agent's consent before signature, the groupement's
// deliberations before its launch, and the prestation flagged (not
// refused) without the cooperation attestation.
func TestAgreementLifecycleRefusalsThroughTheAPI(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)

		t.Run("a secondment is not signed without the agent's consent", func(t *testing.T) {
			w.clock.set(drafted)
			c, ps, lead := valid(agreement.MADPersonnel)
			rec := w.create(t, lead, w.input(agreement.MADPersonnel, c, ps...))
			rec = must[agreement.Record](t, w, 200, lead, "POST", path(rec.ID, "/submit"), map[string]any{"version": rec.Version})
			w.clock.set(signedDay)
			for _, k := range []agreement.ApprovalKind{agreement.CouncilInformation, agreement.Arrete} {
				ap := map[string]any{"version": rec.Version, "org_id": w.org["rodez"], "kind": k, "date": deliberated, "number": "A-2026-1"}
				rec = must[agreement.Record](t, w, 200, lead, "POST", path(rec.ID, "/approvals"), ap)
			}
			sign := map[string]any{"version": rec.Version, "org_id": w.org["rodez"], "date": signedDay}
			status, body := w.call(t, lead, "POST", path(rec.ID, "/signatures"), sign)
			if status != 422 || !strings.Contains(body, "accord écrit de l'agent") || !strings.Contains(body, `"code":"refused"`) {
				t.Fatalf("sign without consent: got %d %s", status, body)
			}

			// A consent dated after the signature does not do either.
			rec = must[agreement.Record](t, w, 200, lead, "POST", path(rec.ID, "/approvals"),
				map[string]any{"version": rec.Version, "org_id": w.org["rodez"], "kind": agreement.AgentConsent, "date": signedDay})
			sign = map[string]any{"version": rec.Version, "org_id": w.org["rodez"], "date": transmitted}
			status, body = w.call(t, lead, "POST", path(rec.ID, "/signatures"), sign)
			var e errorBody
			json.Unmarshal([]byte(body), &e)
			if status != 422 || !hasRule(e.Error.Violations, "accord_agent", "CGFP L512-7") {
				t.Fatalf("sign before consent: got %d %s", status, body)
			}
		})

		t.Run("a groupement member deliberating after the launch date blocks the signature", func(t *testing.T) {
			w.clock.set(drafted)
			c, ps, lead := valid(agreement.GroupementCommandes)
			rec := w.create(t, lead, w.input(agreement.GroupementCommandes, c, ps...))
			rec = must[agreement.Record](t, w, 200, lead, "POST", path(rec.ID, "/submit"), map[string]any{"version": rec.Version})
			w.clock.set(afterLaunch)
			for _, p := range []string{"rodez", "onet"} {
				rec = must[agreement.Record](t, w, 200, servertest.Admin, "POST", path(rec.ID, "/approvals"), map[string]any{
					"version": rec.Version, "org_id": w.org[p], "kind": "deliberation", "date": deliberated, "number": "2026-1", "transmitted_on": transmitted})
			}
			rec = must[agreement.Record](t, w, 200, servertest.Admin, "POST", path(rec.ID, "/approvals"), map[string]any{
				"version": rec.Version, "org_id": w.org["olemps"], "kind": "deliberation", "date": afterLaunch, "number": "2026-9", "transmitted_on": afterLaunch})
			if !hasRule(rec.Violations, "groupement_lancement", "CCP L2113-7") {
				t.Errorf("after a late deliberation: want groupement_lancement among %+v", rec.Violations)
			}
			status, body := w.call(t, lead, "POST", path(rec.ID, "/signatures"), map[string]any{"version": rec.Version, "org_id": w.org["rodez"], "date": signedDay})
			var e errorBody
			json.Unmarshal([]byte(body), &e)
			if status != 422 || !hasRule(e.Error.Violations, "groupement_lancement", "CCP L2113-7") ||
				!strings.Contains(body, "doit être antérieure au lancement de la procédure") {
				t.Fatalf("sign: got %d %s", status, body)
			}
		})

		t.Run("a prestation without the 20 % attestation is flagged, not refused", func(t *testing.T) {
			w.clock.set(drafted)
			c, ps, lead := valid(agreement.Prestation)
			c.Prestation.OpenMarketBelow20 = false
			rec := w.create(t, lead, w.input(agreement.Prestation, c, ps...))
			i := slices.IndexFunc(rec.Violations, func(v agreement.Violation) bool { return v.Rule == "prestation_cooperation" })
			if i < 0 || rec.Violations[i].Severity != agreement.Warning || rec.Violations[i].Article != "CCP L2511-6" ||
				rec.Violations[i].Field != "prestation.open_market_below_20" {
				t.Fatalf("want the CCP L2511-6 warning on prestation.open_market_below_20, got %+v", rec.Violations)
			}
			must[agreement.Record](t, w, 200, lead, "POST", path(rec.ID, "/submit"), map[string]any{"version": rec.Version})
		})
	})
}

// inForceEntente drafts an entente between Rodez (its commune support) and
// Olemps and takes it into force, with an avenant and an attachment: the
// convention the access tests try every route on.
func (w *world) inForceEntente(t *testing.T) (agreement.Record, agreement.Attachment) {
	t.Helper()
	w.clock.set(drafted)
	c, _, lead := valid(agreement.Entente)
	body := w.input(agreement.Entente, c, party{"rodez", agreement.RoleLead}, party{"olemps", agreement.RoleMember})
	body["parties"].([]map[string]any)[0]["representative"] = map[string]any{"name": "Claire Martin", "title": "Maire"}
	rec := w.create(t, lead, body)
	rec = must[agreement.Record](t, w, 200, lead, "POST", path(rec.ID, "/submit"), map[string]any{"version": rec.Version})
	w.clock.set(transmitted)
	rec = w.approveAll(t, rec, deliberated)
	w.clock.set(signedDay)
	rec = w.signAll(t, rec, signedDay)
	w.clock.set(amendDay)
	content := rec.Agreement.Content
	content.Term.NoticeMonths = 6
	amend := w.input(agreement.Entente, content, party{"rodez", agreement.RoleLead}, party{"olemps", agreement.RoleMember})
	amend["parties"].([]map[string]any)[0]["representative"] = map[string]any{"name": "Claire Martin", "title": "Maire"}
	amend["version"], amend["date"], amend["reason"] = rec.Version, amendDay, "Préavis porté à six mois"
	amend["approvals"] = []map[string]any{
		{"org_id": w.org["rodez"], "kind": "deliberation", "date": amendDelib, "number": "2026-201"},
		{"org_id": w.org["olemps"], "kind": "deliberation", "date": amendDelib, "number": "2026-077"},
	}
	rec = must[agreement.Record](t, w, 200, lead, "POST", path(rec.ID, "/amendments"), amend)
	resp := w.client(t, lead).Do("POST", path(rec.ID, "/attachments?kind=signed_scan&filename=convention-signee.pdf"),
		"%PDF-1.4 convention signée", map[string]string{"Content-Type": "application/pdf", "X-CSRF-Token": w.client(t, lead).CSRF})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("attach: got %d %s", resp.StatusCode, resp.Body)
	}
	var at agreement.Attachment
	json.Unmarshal([]byte(resp.Body), &at)
	return rec, at
}

// TestAgreementRoutesAreHiddenFromNonParties tries every route of a
// convention as users of organisations that are not party to it: each
// answers 404, as for a convention that does not exist; anonymous callers
// get 401, and parties get through.
func TestAgreementRoutesAreHiddenFromNonParties(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		rec, at := w.inForceEntente(t)
		v := rec.Version
		routes := []struct {
			method, path string
			body         any
		}{
			{"GET", path(rec.ID, ""), nil},
			{"PUT", path(rec.ID, ""), map[string]any{"version": v, "kind": "entente", "content": map[string]any{"title": "x"}, "parties": []any{}}},
			{"POST", path(rec.ID, "/submit"), map[string]any{"version": v}},
			{"POST", path(rec.ID, "/approvals"), map[string]any{"version": v, "kind": "deliberation", "date": drafted}},
			{"POST", path(rec.ID, "/signatures"), map[string]any{"version": v, "org_id": w.org["onet"], "date": drafted}},
			{"POST", path(rec.ID, "/amendments"), map[string]any{"version": v, "kind": "entente", "content": map[string]any{"title": "x"}, "parties": []any{}, "date": amendDay, "reason": "x"}},
			{"POST", path(rec.ID, "/renewal"), map[string]any{"version": v, "new_end": "2030-12-31", "date": amendDay}},
			{"POST", path(rec.ID, "/termination"), map[string]any{"version": v, "by": w.org["onet"], "date": amendDay, "reason": "x"}},
			{"POST", path(rec.ID, "/decisions"), map[string]any{"version": v, "ref": "CE-1", "date": amendDay, "subject": "x"}},
			{"POST", path(rec.ID, "/unit-cost-notices"), map[string]any{"version": v, "year": 2026, "date": amendDay}},
			{"GET", path(rec.ID, "/versions"), nil},
			{"GET", path(rec.ID, "/document.pdf"), nil},
			{"GET", path(rec.ID, "/amendments/1/document.pdf"), nil},
			{"GET", path(rec.ID, "/attachments"), nil},
			{"POST", path(rec.ID, "/attachments?kind=annex"), "%PDF-1.4 annexe"},
			{"GET", path(rec.ID, fmt.Sprintf("/attachments/%d", at.ID)), nil},
			{"DELETE", path(rec.ID, fmt.Sprintf("/attachments/%d", at.ID)), nil},
		}
		for _, user := range []string{servertest.ClerkOnet, servertest.AdminAgglo, clerkMetz} {
			for _, rt := range routes {
				t.Run(user+" "+rt.method+" "+rt.path, func(t *testing.T) {
					status, body := w.call(t, user, rt.method, rt.path, rt.body)
					if status != http.StatusNotFound || !strings.Contains(body, `"code":"not_found"`) {
						t.Fatalf("got %d want 404 not_found\n%s", status, body)
					}
				})
			}
		}
		for _, rt := range routes {
			t.Run("anonymous "+rt.method+" "+rt.path, func(t *testing.T) {
				if status, body := w.call(t, servertest.Nobody, rt.method, rt.path, rt.body); status != http.StatusUnauthorized {
					t.Fatalf("got %d want 401\n%s", status, body)
				}
			})
		}
		t.Run("the register of a non-party does not list it", func(t *testing.T) {
			page := must[agreement.Page](t, w, 200, servertest.ClerkOnet, "GET", "/api/v1/agreements", nil)
			if page.Total != 0 {
				t.Errorf("got %+v want none", page)
			}
		})
		t.Run("both parties read the PDF documents", func(t *testing.T) {
			for _, user := range []string{servertest.ClerkRodez, clerkOlemps, servertest.ReaderRodez} {
				for _, p := range []string{path(rec.ID, "/document.pdf"), path(rec.ID, "/amendments/1/document.pdf")} {
					resp := w.client(t, user).Do("GET", p, "", nil)
					if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(resp.Body, "%PDF-") {
						t.Errorf("%s GET %s: got %d %q", user, p, resp.StatusCode, resp.Header.Get("Content-Type"))
					}
					if !strings.Contains(resp.Header.Get("Content-Disposition"), rec.Reference) {
						t.Errorf("Content-Disposition: got %q", resp.Header.Get("Content-Disposition"))
					}
				}
			}
			if status, _ := w.call(t, servertest.ClerkRodez, "GET", path(rec.ID, "/amendments/2/document.pdf"), nil); status != 404 {
				t.Errorf("avenant 2 of 1: got %d want 404", status)
			}
		})
		t.Run("a read-only member of a party reads but may not act", func(t *testing.T) {
			must[agreement.Record](t, w, 200, servertest.ReaderRodez, "GET", path(rec.ID, ""), nil)
			status, body := w.call(t, servertest.ReaderRodez, "POST", path(rec.ID, "/renewal"), map[string]any{"version": v, "new_end": "2030-12-31", "date": amendDay})
			if status != http.StatusForbidden {
				t.Errorf("renewal by a reader: got %d want 403\n%s", status, body)
			}
		})
	})
}

// multipartFile builds a multipart form with a file and fields.
func multipartFile(t *testing.T, field, filename string, data []byte, fields map[string]string) (string, string) {
	t.Helper()
	var buf strings.Builder
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	fw, err := mw.CreateFormFile(field, filename)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(data)
	mw.Close()
	return buf.String(), mw.FormDataContentType()
}

// TestAgreementAttachments uploads, lists, downloads and deletes files,
// checking type and size.
func TestAgreementAttachments(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		rec, first := w.inForceEntente(t)
		rodez := w.client(t, servertest.ClerkRodez)
		olemps := w.client(t, clerkOlemps)
		scan := []byte("%PDF-1.7\nla délibération d'Olemps")

		body, ct := multipartFile(t, "file", "délibération 2026-077.pdf", scan, map[string]string{"kind": "deliberation"})
		resp := olemps.Do("POST", path(rec.ID, "/attachments"), body, map[string]string{"Content-Type": ct, "X-CSRF-Token": olemps.CSRF})
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("multipart upload: got %d %s", resp.StatusCode, resp.Body)
		}
		var at agreement.Attachment
		json.Unmarshal([]byte(resp.Body), &at)
		if at.OrgID != w.org["olemps"] || at.Size != int64(len(scan)) || len(at.SHA256) != 64 || at.ContentType != "application/pdf" {
			t.Errorf("attachment: got %+v", at)
		}
		list := must[struct{ Attachments []agreement.Attachment }](t, w, 200, servertest.ClerkRodez, "GET", path(rec.ID, "/attachments"), nil)
		if len(list.Attachments) != 2 {
			t.Errorf("attachments: got %d want 2", len(list.Attachments))
		}
		got := rodez.Do("GET", path(rec.ID, fmt.Sprintf("/attachments/%d", at.ID)), "", nil)
		if got.StatusCode != 200 || got.Body != string(scan) || got.Header.Get("Content-Type") != "application/pdf" ||
			!strings.Contains(got.Header.Get("Content-Disposition"), "attachment") {
			t.Errorf("download: got %d %q %q", got.StatusCode, got.Header.Get("Content-Type"), got.Header.Get("Content-Disposition"))
		}

		for _, sc := range []struct {
			name, body, ct string
			status         int
			want           string
		}{
			{"a text file is refused on its content", "bonjour", "application/pdf", 422, "seuls les fichiers PDF, PNG et JPEG"},
			{"an unknown kind is refused", "%PDF-1.4", "application/pdf", 422, "n'est pas une nature de pièce"},
			{"a file over 10 MiB is refused", "%PDF-" + strings.Repeat("x", agreement.MaxAttachmentSize), "application/pdf", 0, ""},
		} {
			t.Run(sc.name, func(t *testing.T) {
				kind := "annex"
				if strings.Contains(sc.name, "kind") {
					kind = "brouillon"
				}
				resp := rodez.Do("POST", path(rec.ID, "/attachments?kind="+kind), sc.body, map[string]string{"Content-Type": sc.ct, "X-CSRF-Token": rodez.CSRF})
				if sc.status == 0 {
					if resp.StatusCode != 413 && resp.StatusCode != 422 {
						t.Fatalf("got %d want 413 or 422\n%s", resp.StatusCode, resp.Body[:min(len(resp.Body), 300)])
					}
					return
				}
				if resp.StatusCode != sc.status || !strings.Contains(resp.Body, sc.want) {
					t.Fatalf("got %d %s", resp.StatusCode, resp.Body)
				}
			})
		}

		t.Run("another party may not delete a file it did not attach", func(t *testing.T) {
			if status, body := w.call(t, clerkOlemps, "DELETE", path(rec.ID, fmt.Sprintf("/attachments/%d", first.ID)), nil); status != 403 {
				t.Fatalf("got %d want 403\n%s", status, body)
			}
		})
		t.Run("its uploader deletes it", func(t *testing.T) {
			if status, body := w.call(t, servertest.ClerkRodez, "DELETE", path(rec.ID, fmt.Sprintf("/attachments/%d", first.ID)), nil); status != 204 {
				t.Fatalf("got %d want 204\n%s", status, body)
			}
			if status, _ := w.call(t, servertest.ClerkRodez, "GET", path(rec.ID, fmt.Sprintf("/attachments/%d", first.ID)), nil); status != 404 {
				t.Fatalf("after delete: got %d want 404", status)
			}
		})
	})
}

// TestAgreementRegisterAlertsOpenData checks the register's filters, the
// alerts, the catalogue and the open data, which has no private field.
func TestAgreementRegisterAlertsOpenData(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		rec, _ := w.inForceEntente(t)
		w.clock.set(inForce)
		c, ps, lead := valid(agreement.Prestation)
		pending := w.create(t, lead, w.input(agreement.Prestation, c, ps...))
		must[agreement.Record](t, w, 200, lead, "POST", path(pending.ID, "/submit"), map[string]any{"version": pending.Version})

		run(t, w.f, []scenario{
			{name: "the catalogue is public", method: "GET", path: "/api/v1/agreement-kinds", status: 200,
				content: []string{`"kind":"entente"`, `"label":"Délégation de compétence"`, `"id":"delegation_meme_categorie"`, `"article":"CGCT L1111-8"`}},
			{name: "the register needs a login", method: "GET", path: "/api/v1/agreements", status: 401},
			{name: "Rodez's register lists both", user: servertest.ClerkRodez, method: "GET", path: "/api/v1/agreements", status: 200,
				check: func(t *testing.T, b []byte) {
					if p := decode[agreement.Page](t, b); p.Total != 2 {
						t.Errorf("total: got %d want 2", p.Total)
					}
				}},
			{name: "filtered by kind", user: servertest.ClerkRodez, method: "GET", path: "/api/v1/agreements?kind=entente", status: 200,
				check: func(t *testing.T, b []byte) {
					if p := decode[agreement.Page](t, b); p.Total != 1 || p.Items[0].ID != rec.ID {
						t.Errorf("got %+v", p)
					}
				}},
			{name: "filtered by partner, by INSEE code", user: servertest.ClerkRodez, method: "GET", path: "/api/v1/agreements?partner=12218", status: 200,
				check: func(t *testing.T, b []byte) {
					if p := decode[agreement.Page](t, b); p.Total != 1 || p.Items[0].ID != pending.ID {
						t.Errorf("got %+v", p)
					}
				}},
			{name: "filtered by status and year", user: servertest.ClerkRodez, method: "GET", path: "/api/v1/agreements?status=soumise&year=2026", status: 200,
				check: func(t *testing.T, b []byte) {
					if p := decode[agreement.Page](t, b); p.Total != 1 || p.Items[0].ID != pending.ID {
						t.Errorf("got %+v", p)
					}
				}},
			{name: "an unknown status is refused in French", user: servertest.ClerkRodez, method: "GET", path: "/api/v1/agreements?status=perdue", status: 422,
				check: errorIs("invalid", "status")},
			{name: "another organisation's register is forbidden", user: servertest.ClerkRodez, method: "GET", path: "/api/v1/agreements?org=12176", status: 403},
			{name: "Rodez's alerts name its missing deliberation", user: servertest.ClerkRodez, method: "GET", path: "/api/v1/agreements/alerts?days=60", status: 200,
				content: []string{`"kind":"approbation_manquante"`, pending.Reference, "délibération de chaque partie"}},
			{name: "alerts of an organisation named by SIREN", user: servertest.AdminAgglo, method: "GET", path: "/api/v1/agreements/alerts?org=241200187", status: 200,
				content: []string{`"alerts":[]`}},
			{name: "the open data needs no login", method: "GET", path: "/api/v1/opendata/agreements.json", status: 200,
				check: func(t *testing.T, b []byte) {
					var items []map[string]any
					if err := json.Unmarshal(b, &items); err != nil || len(items) != 1 {
						t.Fatalf("got %s", b)
					}
					keys := make([]string, 0)
					for k := range items[0] {
						keys = append(keys, k)
					}
					slices.Sort(keys)
					want := []string{"end", "kind", "kind_label", "legal_basis", "parties", "reference", "start", "status", "status_label", "title"}
					if !slices.Equal(keys, want) {
						t.Errorf("keys: got %v want %v", keys, want)
					}
					for _, private := range []string{"Claire Martin", "Remboursement annuel", "Texte de l'article", "2026-201", "convention-signee", "Préavis porté"} {
						if strings.Contains(string(b), private) {
							t.Errorf("open data holds %q: %s", private, b)
						}
					}
				}},
		})
		resp := w.client(t, servertest.Nobody).Do("GET", "/api/v1/opendata/agreements.csv", "", nil)
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") ||
			!strings.HasPrefix(resp.Body, "reference,kind,kind_label,legal_basis") || !strings.Contains(resp.Body, rec.Reference) {
			t.Errorf("CSV: got %d %q\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Body)
		}
		for _, private := range []string{"Claire Martin", "Remboursement annuel", "Texte de l'article"} {
			if strings.Contains(resp.Body, private) {
				t.Errorf("open data CSV holds %q", private)
			}
		}
	})
}

// importFile returns a CSV of n ententes between Rodez and Onet, made from
// the template's first example; bad, when not 0, is the line (the header
// being line 1) whose start date is not a date.
func importFile(t *testing.T, n, bad int) string {
	t.Helper()
	var tmpl strings.Builder
	if err := agreement.Template(&tmpl, agreement.FormatCSV); err != nil {
		t.Fatal(err)
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(tmpl.String(), "\ufeff")))
	r.Comma = ';'
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	header, example := rows[0], rows[1]
	col := func(name string) int { return slices.Index(header, name) }
	var out strings.Builder
	cw := csv.NewWriter(&out)
	cw.Comma = ';'
	cw.Write(header)
	for i := 1; i <= n; i++ {
		row := slices.Clone(example)
		row[col("reference")] = fmt.Sprintf("ENT-%04d", i)
		row[col("titre")] = fmt.Sprintf("Entente n° %d", i)
		if i+1 == bad {
			row[col("date_debut")] = "31/02/2026"
		}
		cw.Write(row)
	}
	cw.Flush()
	return out.String()
}

// TestAgreementImportIsAllOrNothing imports 500 conventions: with one bad
// line the file is refused whole, naming the line and column; fixed, it
// imports.
func TestAgreementImportIsAllOrNothing(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		w.clock.set(inForce)
		c := w.client(t, servertest.ClerkRodez)
		hdr := map[string]string{"Content-Type": "text/csv; charset=utf-8", "X-CSRF-Token": c.CSRF}

		resp := c.Do("POST", "/api/v1/agreements/import", importFile(t, 500, 251), hdr)
		var e errorBody
		json.Unmarshal([]byte(resp.Body), &e)
		if resp.StatusCode != 422 || e.Error.Code != "invalid_import" || len(e.Error.Lines) != 1 ||
			e.Error.Lines[0].Line != 251 || e.Error.Lines[0].Column != "date_debut" {
			t.Fatalf("bad file: got %d %s", resp.StatusCode, resp.Body)
		}
		if p := must[agreement.Page](t, w, 200, servertest.ClerkRodez, "GET", "/api/v1/agreements", nil); p.Total != 0 {
			t.Fatalf("after a refused import: %d conventions, want none", p.Total)
		}

		resp = c.Do("POST", "/api/v1/agreements/import", importFile(t, 500, 0), hdr)
		if resp.StatusCode != http.StatusCreated || !strings.Contains(resp.Body, `"imported":500`) {
			t.Fatalf("fixed file: got %d %s", resp.StatusCode, resp.Body[:min(300, len(resp.Body))])
		}
		if p := must[agreement.Page](t, w, 200, servertest.ClerkRodez, "GET", "/api/v1/agreements?q=ENT-0250", nil); p.Total != 1 {
			t.Errorf("ENT-0250: got %d", p.Total)
		}

		t.Run("the same file again is a conflict naming the line", func(t *testing.T) {
			resp := c.Do("POST", "/api/v1/agreements/import", importFile(t, 3, 0), hdr)
			if resp.StatusCode != 409 || !strings.Contains(resp.Body, "Ligne 2") {
				t.Fatalf("got %d %s", resp.StatusCode, resp.Body)
			}
		})
		t.Run("onet may not import conventions led by Rodez", func(t *testing.T) {
			onet := w.client(t, servertest.ClerkOnet)
			resp := onet.Do("POST", "/api/v1/agreements/import", importFile(t, 2, 0), map[string]string{"Content-Type": "text/csv", "X-CSRF-Token": onet.CSRF})
			if resp.StatusCode != 403 {
				t.Fatalf("got %d %s", resp.StatusCode, resp.Body)
			}
		})
	})
}

// TestAgreementDraftUpdate changes a draft from the version read, with
// parties named by INSEE code, and refuses stale versions and bad bodies.
func TestAgreementDraftUpdate(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		c, _, _ := valid(agreement.Entente)
		byCode := func(title string, codes ...string) map[string]any {
			c.Title = title
			ps := []map[string]any{{"org": codes[0], "role": "chef_de_file"}}
			for _, code := range codes[1:] {
				ps = append(ps, map[string]any{"org": code, "role": "membre"})
			}
			return map[string]any{"kind": "entente", "content": c, "parties": ps}
		}
		rec := w.create(t, servertest.ClerkRodez, byCode("Piscine", "12202", "12174"))
		if rec.LeadOrgID != w.org["rodez"] || rec.Agreement.Parties[1].Name != "Olemps" || rec.Reference == "" {
			t.Fatalf("created: got %+v", rec)
		}
		update := byCode("Piscine intercommunale", "12202", "12174", "12176")
		update["version"] = rec.Version
		run(t, w.f, []scenario{
			{name: "the draft is updated from its version", user: servertest.ClerkRodez, method: "PUT", path: path(rec.ID, ""), body: mustJSON(update), csrf: true, status: 200,
				content: []string{`"title":"Piscine intercommunale"`, `"name":"Onet-le-Château"`, fmt.Sprintf(`"version":%d`, rec.Version+1)}},
			{name: "the same version again is a conflict", user: servertest.ClerkRodez, method: "PUT", path: path(rec.ID, ""), body: mustJSON(update), csrf: true, status: 409,
				check: errorIs("conflict", "")},
			{name: "an unknown INSEE code is named at its party", user: servertest.ClerkRodez, method: "PUT", path: path(rec.ID, ""),
				body: mustJSON(map[string]any{"version": rec.Version + 1, "kind": "entente", "content": c, "parties": []map[string]any{{"org": "12202", "role": "chef_de_file"}, {"org": "99999", "role": "membre"}}}),
				csrf: true, status: 422, check: errorIs("invalid", "parties[1].org")},
			{name: "a body without version is refused", user: servertest.ClerkRodez, method: "POST", path: path(rec.ID, "/submit"), body: `{}`, csrf: true, status: 400,
				check: errorIs("invalid_request", "version")},
			{name: "an unknown field is refused", user: servertest.ClerkRodez, method: "POST", path: path(rec.ID, "/submit"), body: `{"version":2,"vite":true}`, csrf: true, status: 400,
				check: errorIs("invalid_request", "vite")},
			{name: "a call without its CSRF token is refused", user: servertest.ClerkRodez, method: "POST", path: path(rec.ID, "/submit"), body: `{"version":2}`, status: 403,
				check: errorIs("csrf", "")},
			{name: "a draft without title names the field", user: servertest.ClerkRodez, method: "POST", path: "/api/v1/agreements", csrf: true, status: 422,
				body: `{"kind":"entente","content":{"title":" "},"parties":[{"org":"12202","role":"chef_de_file"}]}`, check: errorIs("invalid", "title")},
			{name: "the lead party drafts: Onet cannot draft for Rodez", user: servertest.ClerkOnet, method: "POST", path: "/api/v1/agreements", csrf: true, status: 403,
				body: mustJSON(byCode("Piscine", "12202", "12176"))},
			{name: "the draft is submitted", user: servertest.ClerkRodez, method: "POST", path: path(rec.ID, "/submit"), body: fmt.Sprintf(`{"version":%d}`, rec.Version+1), csrf: true, status: 200,
				content: []string{`"status":"soumise"`}},
			{name: "a submitted convention is no longer a draft", user: servertest.ClerkRodez, method: "PUT", path: path(rec.ID, ""), csrf: true, status: 422,
				body:    mustJSON(map[string]any{"version": rec.Version + 2, "kind": "entente", "content": c, "parties": update["parties"]}),
				content: []string{`"code":"refused"`, "elle se modifie par avenant"}},
		})
	})
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// TestAgreementConferenceDecisions records a decision of an entente's
// conférence, then each council's ratification through the approvals
// route: the decision is enforceable once both have ratified. Non-parties
// get 404, the other party 403, a stale version 409.
func TestAgreementConferenceDecisions(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		rec, _ := w.inForceEntente(t)
		decided := civil.MustParse("2026-09-20")
		w.clock.set(civil.MustParse("2026-09-25"))
		decision := func(version int64) map[string]any {
			return map[string]any{"version": version, "ref": "CE-2026-1", "date": decided, "subject": "Tarifs 2027 de la fourrière commune"}
		}
		for _, user := range []string{servertest.ClerkOnet, servertest.AdminAgglo, clerkMetz} {
			if status, body := w.call(t, user, "POST", path(rec.ID, "/decisions"), decision(rec.Version)); status != http.StatusNotFound {
				t.Errorf("decision by non-party %s: got %d want 404\n%s", user, status, body)
			}
		}
		if status, body := w.call(t, clerkOlemps, "POST", path(rec.ID, "/decisions"), decision(rec.Version)); status != http.StatusForbidden {
			t.Errorf("decision by the member, not the commune support: got %d want 403\n%s", status, body)
		}
		if status, body := w.call(t, servertest.ClerkRodez, "POST", path(rec.ID, "/decisions"), decision(rec.Version-1)); status != http.StatusConflict {
			t.Errorf("stale version: got %d want 409\n%s", status, body)
		}
		if status, body := w.call(t, servertest.ClerkRodez, "POST", path(rec.ID, "/decisions"), map[string]any{"version": rec.Version, "ref": "CE-X", "date": decided}); status != http.StatusUnprocessableEntity {
			t.Errorf("decision without subject: got %d want 422\n%s", status, body)
		}
		rec = must[agreement.Record](t, w, 200, servertest.ClerkRodez, "POST", path(rec.ID, "/decisions"), decision(rec.Version))
		if len(rec.Agreement.Decisions) != 1 || rec.Agreement.Decisions[0].Ref != "CE-2026-1" {
			t.Fatalf("decisions: got %+v", rec.Agreement.Decisions)
		}
		alerts := func(user string) string {
			_, body := w.call(t, user, "GET", "/api/v1/agreements/alerts?days=60", nil)
			return body
		}
		if body := alerts(clerkOlemps); !strings.Contains(body, `"kind":"ratification_manquante"`) {
			t.Errorf("Olemps's alerts before ratification: %s", body)
		}
		ratify := func(user, org, number string, version int64) (int, string) {
			return w.call(t, user, "POST", path(rec.ID, "/approvals"), map[string]any{"version": version, "org_id": w.org[org],
				"kind": "ratification", "decision": "CE-2026-1", "number": number, "date": decided.AddDays(2)})
		}
		if status, body := ratify(servertest.ClerkRodez, "rodez", "2026-301", rec.Version-1); status != http.StatusConflict {
			t.Errorf("stale ratification: got %d want 409\n%s", status, body)
		}
		rec = must[agreement.Record](t, w, 200, servertest.ClerkRodez, "GET", path(rec.ID, ""), nil)
		if status, body := ratify(servertest.ClerkRodez, "rodez", "2026-301", rec.Version); status != 200 {
			t.Fatalf("Rodez's ratification: got %d\n%s", status, body)
		}
		rec = must[agreement.Record](t, w, 200, servertest.ClerkRodez, "GET", path(rec.ID, ""), nil)
		if agreement.Enforceable(rec.Agreement, "CE-2026-1") {
			t.Errorf("enforceable before Olemps ratified")
		}
		if status, body := ratify(clerkOlemps, "olemps", "2026-088", rec.Version); status != 200 {
			t.Fatalf("Olemps's ratification: got %d\n%s", status, body)
		}
		rec = must[agreement.Record](t, w, 200, clerkOlemps, "GET", path(rec.ID, ""), nil)
		if !agreement.Enforceable(rec.Agreement, "CE-2026-1") {
			t.Errorf("not enforceable once both councils ratified: %+v", rec.Agreement.Approvals)
		}
		if body := alerts(clerkOlemps); strings.Contains(body, `"kind":"ratification_manquante"`) {
			t.Errorf("Olemps's alerts after ratification: %s", body)
		}
		if status, body := w.call(t, servertest.ClerkRodez, "POST", path(rec.ID, "/decisions"), decision(rec.Version)); status != http.StatusUnprocessableEntity || !strings.Contains(body, "déjà enregistrée") {
			t.Errorf("the same decision twice: got %d\n%s", status, body)
		}
	})
}

// TestAgreementUnitCostNotice takes a descending mise à disposition de
// services into force: the D5211-16 alert of its provider is cleared once
// the notification of the unit cost is recorded.
func TestAgreementUnitCostNotice(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		k := agreement.MADServicesDescendante
		w.clock.set(drafted)
		c, ps, lead := valid(k)
		rec := w.create(t, lead, w.input(k, c, ps...))
		rec = must[agreement.Record](t, w, 200, lead, "POST", path(rec.ID, "/submit"), map[string]any{"version": rec.Version})
		w.clock.set(transmitted)
		rec = w.approveAll(t, rec, deliberated)
		w.clock.set(signedDay)
		rec = w.signAll(t, rec, signedDay)
		w.clock.set(inForce)
		rec = must[agreement.Record](t, w, 200, lead, "GET", path(rec.ID, ""), nil)
		alertsURL := fmt.Sprintf("/api/v1/agreements/alerts?org=%d&days=60", w.org["agglo"])
		if _, body := w.call(t, lead, "GET", alertsURL, nil); !strings.Contains(body, `"kind":"notification_cout_unitaire"`) {
			t.Fatalf("the provider's alerts before the notice: %s", body)
		}
		notice := func(version int64) map[string]any {
			return map[string]any{"version": version, "year": 2026, "date": inForce}
		}
		for _, user := range []string{servertest.ClerkOnet, clerkMetz} {
			if status, body := w.call(t, user, "POST", path(rec.ID, "/unit-cost-notices"), notice(rec.Version)); status != http.StatusNotFound {
				t.Errorf("notice by non-party %s: got %d want 404\n%s", user, status, body)
			}
		}
		if status, body := w.call(t, servertest.ClerkRodez, "POST", path(rec.ID, "/unit-cost-notices"), notice(rec.Version)); status != http.StatusForbidden {
			t.Errorf("notice by a beneficiary: got %d want 403\n%s", status, body)
		}
		if status, body := w.call(t, lead, "POST", path(rec.ID, "/unit-cost-notices"), notice(rec.Version-1)); status != http.StatusConflict {
			t.Errorf("stale version: got %d want 409\n%s", status, body)
		}
		if status, body := w.call(t, lead, "POST", path(rec.ID, "/unit-cost-notices"), map[string]any{"version": rec.Version, "date": inForce}); status != http.StatusUnprocessableEntity {
			t.Errorf("notice without a year: got %d want 422\n%s", status, body)
		}
		rec = must[agreement.Record](t, w, 200, lead, "POST", path(rec.ID, "/unit-cost-notices"), notice(rec.Version))
		if len(rec.Agreement.UnitCostNotices) != 1 || rec.Agreement.UnitCostNotices[0].Year != 2026 {
			t.Fatalf("notices: got %+v", rec.Agreement.UnitCostNotices)
		}
		if _, body := w.call(t, lead, "GET", alertsURL, nil); strings.Contains(body, `"kind":"notification_cout_unitaire"`) {
			t.Errorf("the provider's alerts after the notice: %s", body)
		}
	})
}
