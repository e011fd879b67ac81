// Package servertest gives HTTP tests a running Voisines over a real
// database: a small territory (département 12 with the CA Rodez
// Agglomération and the CC Conques-Marcillac, imported through
// territory.ImportCOG from testdata), a few accounts, and clients that keep
// their session cookie and CSRF token.
package servertest

import (
	"bufio"
	"context"
	"embed"
	"encoding/csv"
	"encoding/json"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"voisines/internal/agreement"
	"voisines/internal/agreement/agreementtest"
	"voisines/internal/auth"
	"voisines/internal/civil"
	"voisines/internal/org"
	"voisines/internal/server"
	"voisines/internal/server/session"
	"voisines/internal/store"
	"voisines/internal/territory"
)

//go:embed testdata/cog
var cogFS embed.FS

// Password is the password of every fixture account.
const Password = "mot-de-passe-de-test"

// Codes of the fixture's territory.
const (
	Rodez     = "12202" // SIREN 211202023, in the CA Rodez Agglomération
	Onet      = "12176" // Onet-le-Château, same EPCI
	Conques   = "12218" // Conques-en-Rouergue, CC Conques-Marcillac
	AggloRdz  = "241200187"
	CCConques = "241200641"
)

// The fixture's accounts, by the name tests use for them.
const (
	Admin         = "admin"        // platform admin
	ClerkRodez    = "clerk-rodez"  // clerk of Rodez
	ClerkOnet     = "clerk-onet"   // clerk of Onet-le-Château
	ReaderRodez   = "reader-rodez" // read-only member of Rodez
	AdminAgglo    = "admin-agglo"  // admin of the CA Rodez Agglomération
	Nobody        = ""             // anonymous
	emailDomain   = "@test.voisines.fr"
	throttledUser = "throttled"
)

// Fixture is a running server over a database holding the fixture.
type Fixture struct {
	DB     *store.DB
	Deps   server.Deps
	Server *httptest.Server
	Users  map[string]auth.User
	// Orgs are the organisations of the fixture's communes and EPCI, by INSEE
	// code or SIREN.
	Orgs map[string]org.Organisation
}

// Email returns the e-mail of a fixture account.
func Email(name string) string { return name + emailDomain }

// Options change the fixture.
type Options struct {
	// Geography imports coordinates and adjacency of the fixture's communes,
	// read from ../shared/data (the project's reference files).
	Geography bool
}

// New imports the fixture territory into db, creates the accounts and starts
// a server over it, stopped at the end of the test.
func New(t testing.TB, db *store.DB, opt Options) *Fixture {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	deps := server.Deps{
		DB:        db,
		Log:       log,
		Territory: territory.New(db),
		Orgs:      org.New(db),
		Auth:      auth.New(db),
	}
	deps.Agreements = agreement.NewService(db, deps.Orgs, deps.Territory)
	if _, err := deps.Territory.ImportCOG(ctx, COG(t), nil); err != nil {
		t.Fatalf("import the fixture territory: %v", err)
	}
	if opt.Geography {
		coords, adj := GeoFiles(t)
		if _, err := deps.Territory.ImportGeo(ctx, coords, adj, nil); err != nil {
			t.Fatalf("import the fixture geography: %v", err)
		}
	}
	f := &Fixture{DB: db, Deps: deps, Users: map[string]auth.User{}, Orgs: map[string]org.Organisation{}}
	for _, code := range []string{Rodez, Onet, Conques} {
		o, err := deps.Orgs.ByCommune(ctx, code)
		if err != nil {
			t.Fatalf("organisation of commune %s: %v", code, err)
		}
		f.Orgs[code] = o
	}
	for _, siren := range []string{AggloRdz, CCConques} {
		o, err := deps.Orgs.BySIREN(ctx, siren)
		if err != nil {
			t.Fatalf("organisation of EPCI %s: %v", siren, err)
		}
		f.Orgs[siren] = o
	}
	accounts := []struct {
		name  string
		admin bool
		org   string
		role  auth.Role
	}{
		{Admin, true, "", ""},
		{ClerkRodez, false, Rodez, auth.RoleClerk},
		{ClerkOnet, false, Onet, auth.RoleClerk},
		{ReaderRodez, false, Rodez, auth.RoleReadOnly},
		{AdminAgglo, false, AggloRdz, auth.RoleAdmin},
		{throttledUser, false, Conques, auth.RoleClerk},
	}
	for _, a := range accounts {
		nu := auth.NewUser{Email: Email(a.name), Name: "Compte " + a.name, Password: Password, PlatformAdmin: a.admin}
		if a.org != "" {
			nu.Grants = []auth.Grant{{OrgID: f.Orgs[a.org].ID, Role: a.role}}
		}
		u, err := deps.Auth.CreateUser(ctx, auth.SystemActor("test"), nu)
		if err != nil {
			t.Fatalf("create account %s: %v", a.name, err)
		}
		f.Users[a.name] = u
	}
	h, err := server.New(deps)
	if err != nil {
		t.Fatalf("server.New: %v", err)
	}
	f.Server = httptest.NewServer(h)
	t.Cleanup(f.Server.Close)
	return f
}

// Actor returns the fixture account name as an actor, loaded the way a
// session loads it, for domain calls.
func (f *Fixture) Actor(t testing.TB, name string) auth.Actor {
	t.Helper()
	u, err := f.Deps.Auth.User(context.Background(), f.Users[name].ID)
	if err != nil {
		t.Fatal(err)
	}
	return auth.Actor{User: &u}
}

// AddClerk creates the account name, a clerk of the organisation of
// commune code, to log in with Password like the fixture's own accounts.
func (f *Fixture) AddClerk(t testing.TB, name, code string) {
	t.Helper()
	u, err := f.Deps.Auth.CreateUser(context.Background(), auth.SystemActor("test"), auth.NewUser{
		Email: Email(name), Name: "Compte " + name, Password: Password,
		Grants: []auth.Grant{{OrgID: f.Orgs[code].ID, Role: auth.RoleClerk}}})
	if err != nil {
		t.Fatalf("create account %s: %v", name, err)
	}
	f.Users[name] = u
}

// conclude has the conventions service, on clock clk, conclude in (with
// the clauses its kind requires): drafter creates and submits it on
// drafted, the platform admin records its approvals as acts says and
// every signature on signed.
func (f *Fixture) conclude(t testing.TB, clk *agreementtest.Clock, drafter auth.Actor,
	in agreement.Input, drafted civil.Date, acts agreementtest.Acts, signed civil.Date) agreement.Record {
	t.Helper()
	clerks := agreementtest.Clerks{Service: f.Deps.Agreements.WithClock(clk.Now), SetDate: clk.Set, Of: agreementtest.Anyone(f.Actor(t, Admin)), Drafter: drafter}
	// Not Conclude: a convention signed on the day it starts is in force
	// at once, which some worlds want.
	return clerks.Sign(t, clerks.Approve(t, clerks.Submit(t, agreementtest.WithClauses(in), drafted), acts), signed)
}

// COG returns the fixture territory in the layout of the
// @etalab/decoupage-administratif package (package.json and data/*.json):
// département 12, région 76, the CA Rodez Agglomération and the CC
// Conques-Marcillac with their 20 member communes.
func COG(t testing.TB) fs.FS {
	t.Helper()
	cog, err := fs.Sub(cogFS, "testdata/cog")
	if err != nil {
		t.Fatal(err)
	}
	return cog
}

// ThrottledUser is an account tests may lock out by failing to log in.
const ThrottledUser = throttledUser

// GeoFiles writes, in a temporary directory, the coordinates and adjacency of
// the fixture's communes taken from the reference files in ../shared/data
// (which are not copied into the repository), and returns the two paths.
func GeoFiles(t testing.TB) (coords, adjacency string) {
	t.Helper()
	codes := map[string]bool{}
	var communes []struct {
		Code string `json:"code"`
	}
	b, err := cogFS.ReadFile("testdata/cog/data/communes.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &communes); err != nil {
		t.Fatal(err)
	}
	for _, c := range communes {
		codes[c.Code] = true
	}
	dir := t.TempDir()
	coords = filepath.Join(dir, "communes_coords.csv")
	adjacency = filepath.Join(dir, "communes_adjacency.csv")
	shared := SharedData(t)
	filterCSV(t, filepath.Join(shared, "communes_coords_2026.csv"), coords, func(rec []string) bool { return codes[rec[0]] })
	filterCSV(t, filepath.Join(shared, "communes_adjacency_2026.csv"), adjacency, func(rec []string) bool { return codes[rec[0]] && codes[rec[1]] })
	return coords, adjacency
}

// SharedData returns the project's reference data folder, ../shared/data
// beside the repository root (VOISINES_SHARED_DATA overrides it).
func SharedData(t testing.TB) string {
	t.Helper()
	if d := os.Getenv("VOISINES_SHARED_DATA"); d != "" {
		return d
	}
	_, file, _, _ := runtime.Caller(0)
	// internal/server/servertest/servertest.go → repository root → ../shared/data
	root := filepath.Join(filepath.Dir(file), "..", "..", "..")
	dir := filepath.Join(root, "..", "shared", "data")
	if _, err := os.Stat(filepath.Join(dir, "communes_coords_2026.csv")); err != nil {
		t.Fatalf("reference data not found in %s (set VOISINES_SHARED_DATA): %v", dir, err)
	}
	return dir
}

func filterCSV(t testing.TB, src, dst string, keep func([]string) bool) {
	t.Helper()
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	r := csv.NewReader(bufio.NewReader(in))
	w := csv.NewWriter(out)
	header, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	w.Write(header)
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if keep(rec) {
			w.Write(rec)
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		t.Fatal(err)
	}
}

// Client is a browser or script talking to the fixture's server: it keeps
// cookies, does not follow redirects, and knows the CSRF token of its session.
type Client struct {
	t    testing.TB
	f    *Fixture
	http *http.Client
	// CSRF is the session's token once logged in (or the pre-session token
	// after a page was read anonymously).
	CSRF string
}

// Client returns a client logged in as the fixture account name, or an
// anonymous one for Nobody.
func (f *Fixture) Client(t testing.TB, name string) *Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &Client{t: t, f: f, http: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
	if name == Nobody {
		return c
	}
	resp := c.Do("POST", "/api/v1/session", `{"email":"`+Email(name)+`","password":"`+Password+`"}`, nil)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("log in as %s: status %d: %s", name, resp.StatusCode, resp.Body)
	}
	var s struct {
		CSRF string `json:"csrf_token"`
	}
	if err := json.Unmarshal([]byte(resp.Body), &s); err != nil || s.CSRF == "" {
		t.Fatalf("log in as %s: no CSRF token in %s", name, resp.Body)
	}
	c.CSRF = s.CSRF
	return c
}

// Response is a response with its body read.
type Response struct {
	StatusCode int
	Header     http.Header
	Body       string
}

// Do sends a request. body is sent as JSON unless headers say otherwise;
// headers may be nil.
func (c *Client) Do(method, path, body string, headers map[string]string) Response {
	c.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, c.f.Server.URL+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return Response{StatusCode: resp.StatusCode, Header: resp.Header, Body: string(b)}
}

// PostForm posts an HTML form; with csrf the session's token (or the
// pre-session cookie's, fetched from the login page when anonymous) is added
// as the hidden field.
func (c *Client) PostForm(path string, form url.Values, csrf bool) Response {
	c.t.Helper()
	if csrf {
		token := c.CSRF
		if token == "" {
			token = c.preSessionToken()
		}
		form.Set(session.FormField, token)
	}
	return c.Do("POST", path, form.Encode(), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
}

// preSessionToken reads the login page, which sets the pre-session CSRF
// cookie, and returns the token of its form.
func (c *Client) preSessionToken() string {
	c.t.Helper()
	resp := c.Do("GET", "/connexion", "", nil)
	const marker = `name="csrf_token" value="`
	i := strings.Index(resp.Body, marker)
	if i < 0 {
		c.t.Fatalf("no CSRF field in the login page")
	}
	rest := resp.Body[i+len(marker):]
	return rest[:strings.IndexByte(rest, '"')]
}
