package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"voisines/internal/server/servertest"
	"voisines/internal/store"
	"voisines/internal/store/storetest"
)

// scenario is one API call and what must come back.
type scenario struct {
	name    string
	user    string // a servertest account; "" is anonymous
	method  string
	path    string
	body    string
	csrf    bool // send the session's CSRF token in X-CSRF-Token
	header  map[string]string
	status  int
	content []string                        // substrings of the body
	check   func(t *testing.T, body []byte) // further checks on the JSON
}

func run(t *testing.T, f *servertest.Fixture, scenarios []scenario) {
	clients := map[string]*servertest.Client{}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			c, ok := clients[sc.user]
			if !ok {
				c = f.Client(t, sc.user)
				clients[sc.user] = c
			}
			hdr := map[string]string{}
			for k, v := range sc.header {
				hdr[k] = v
			}
			if sc.csrf {
				hdr["X-CSRF-Token"] = c.CSRF
			}
			resp := c.Do(sc.method, sc.path, sc.body, hdr)
			if resp.StatusCode != sc.status {
				t.Fatalf("%s %s as %q: got status %d want %d\n%s", sc.method, sc.path, sc.user, resp.StatusCode, sc.status, resp.Body)
			}
			if resp.StatusCode != http.StatusNoContent {
				if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
					t.Errorf("Content-Type: got %q want application/json", ct)
				}
				if !json.Valid([]byte(resp.Body)) {
					t.Fatalf("body is not JSON: %s", resp.Body)
				}
			}
			for _, want := range sc.content {
				if !strings.Contains(resp.Body, want) {
					t.Errorf("body: want %q in it, got %s", want, resp.Body)
				}
			}
			if sc.check != nil {
				sc.check(t, []byte(resp.Body))
			}
		})
	}
}

func decode[T any](t *testing.T, body []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	return v
}

type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Fields  []struct {
			Name    string `json:"name"`
			Message string `json:"message"`
		} `json:"fields"`
	} `json:"error"`
}

// errorIs checks the JSON error's code and, when given, a field it names.
func errorIs(code, field string) func(*testing.T, []byte) {
	return func(t *testing.T, body []byte) {
		e := decode[apiError](t, body)
		if e.Error.Code != code {
			t.Errorf("error code: got %q want %q", e.Error.Code, code)
		}
		if e.Error.Message == "" {
			t.Errorf("error without a message: %s", body)
		}
		if field == "" {
			return
		}
		for _, f := range e.Error.Fields {
			if f.Name == field {
				return
			}
		}
		t.Errorf("error fields: want %q among %+v", field, e.Error.Fields)
	}
}

func TestAPI(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := servertest.New(t, db, servertest.Options{Geography: true})
		rodez := f.Orgs[servertest.Rodez]
		onet := f.Orgs[servertest.Onet]
		profile := fmt.Sprintf("/api/v1/organisations/%d/profile", rodez.ID)
		v1 := rodez.Version

		run(t, f, []scenario{
			{name: "anyone reads Rodez with its SIREN, département and EPCI", method: "GET", path: "/api/v1/communes/12202", status: 200,
				check: func(t *testing.T, body []byte) {
					c := decode[struct {
						Code, Name, SIREN, Departement, EPCISIREN string
						OrganisationID                            int64 `json:"organisation_id"`
						Populations                               []struct {
							Measure, Source, Vintage string
							Value                    int64
						}
						PostalCodes []string `json:"postal_codes"`
					}](t, body)
					var raw map[string]any
					json.Unmarshal(body, &raw)
					c.SIREN, _ = raw["siren"].(string)
					c.EPCISIREN, _ = raw["epci_siren"].(string)
					if c.Code != "12202" || c.Name != "Rodez" || c.SIREN != "211202023" || c.Departement != "12" || c.EPCISIREN != "241200187" {
						t.Errorf("got %+v want Rodez 12202, SIREN 211202023, dép. 12, EPCI 241200187", c)
					}
					if c.OrganisationID != rodez.ID {
						t.Errorf("organisation_id: got %d want %d", c.OrganisationID, rodez.ID)
					}
					if len(c.Populations) == 0 {
						t.Fatalf("no population figures")
					}
					for _, p := range c.Populations {
						if p.Source == "" || p.Vintage == "" || p.Value <= 0 {
							t.Errorf("population figure without source, vintage or value: %+v", p)
						}
					}
					if len(c.PostalCodes) != 1 || c.PostalCodes[0] != "12000" {
						t.Errorf("postal codes: got %v want [12000]", c.PostalCodes)
					}
				}},
			{name: "an unknown commune is 404 in JSON", method: "GET", path: "/api/v1/communes/99999", status: 404,
				check: errorIs("not_found", "")},
			{name: "the EPCI lists its 8 member communes", method: "GET", path: "/api/v1/epci/241200187", status: 200,
				content: []string{`"name":"CA Rodez Agglomération"`, `"type":"CA"`},
				check: func(t *testing.T, body []byte) {
					e := decode[struct {
						Members []struct{ Code string } `json:"members"`
					}](t, body)
					if len(e.Members) != 8 {
						t.Errorf("members: got %d want 8", len(e.Members))
					}
				}},
			{name: "the search finds Rodez by name without accents", method: "GET", path: "/api/v1/communes?q=rodez", status: 200,
				content: []string{`"code":"12202"`}},
			{name: "a search needs q", method: "GET", path: "/api/v1/communes", status: 400, check: errorIs("invalid_request", "q")},
			{name: "a search limit out of range is refused", method: "GET", path: "/api/v1/communes?q=a&limit=1000", status: 400,
				check: errorIs("invalid_request", "limit")},
			{name: "communes within 10 km come with distances", method: "GET", path: "/api/v1/communes/12202/neighbours?within_km=10", status: 200,
				check: func(t *testing.T, body []byte) {
					n := decode[struct {
						Neighbours []struct {
							Code       string  `json:"code"`
							DistanceKm float64 `json:"distance_km"`
						} `json:"neighbours"`
					}](t, body)
					found := false
					for i, x := range n.Neighbours {
						if x.Code == "12202" {
							t.Errorf("Rodez is listed as its own neighbour")
						}
						if x.DistanceKm <= 0 || x.DistanceKm > 10 {
							t.Errorf("%s at %.2f km: want within (0, 10]", x.Code, x.DistanceKm)
						}
						if i > 0 && x.DistanceKm < n.Neighbours[i-1].DistanceKm {
							t.Errorf("not nearest first: %v", n.Neighbours)
						}
						found = found || x.Code == servertest.Onet
					}
					if !found {
						t.Errorf("Onet-le-Château (12176) not within 10 km of Rodez: %s", body)
					}
				}},
			{name: "adjacent communes come with border lengths", method: "GET", path: "/api/v1/communes/12202/adjacent", status: 200,
				content: []string{`"code":"12241"`, `"border_m":`}},
			{name: "adjacent=true on neighbours lists the same", method: "GET", path: "/api/v1/communes/12202/neighbours?adjacent=true", status: 200,
				content: []string{`"code":"12241"`, `"adjacent":true`}},
			{name: "a bad radius is refused", method: "GET", path: "/api/v1/communes/12202/neighbours?within_km=-3", status: 400,
				check: errorIs("invalid_request", "within_km")},
			{name: "anyone reads a département", method: "GET", path: "/api/v1/departements/12", status: 200,
				content: []string{`"name":"Aveyron"`}},
			{name: "anyone reads an organisation's public profile", method: "GET", path: fmt.Sprintf("/api/v1/organisations/%d", rodez.ID), status: 200,
				content: []string{`"name":"Rodez"`, `"profile":`}},
			{name: "organisations are searched by name and kind", method: "GET", path: "/api/v1/organisations?q=rodez&kind=commune", status: 200,
				content: []string{`"commune_code":"12202"`}},
			{name: "an unknown kind of organisation is refused", method: "GET", path: "/api/v1/organisations?kind=club", status: 400,
				check: errorIs("invalid_request", "kind")},
			{name: "me needs a login", method: "GET", path: "/api/v1/me", status: 401, check: errorIs("unauthenticated", "")},
			{name: "me shows the user and memberships", user: servertest.ClerkRodez, method: "GET", path: "/api/v1/me", status: 200,
				content: []string{servertest.Email(servertest.ClerkRodez), `"role":"clerk"`, `"csrf_token":`}},
			{name: "an anonymous visitor cannot change a profile", method: "PATCH", path: profile,
				body: fmt.Sprintf(`{"version":%d,"phone":"05 65 00 00 00"}`, v1), status: 401, check: errorIs("unauthenticated", "")},
			{name: "a clerk of Onet cannot change Rodez's profile", user: servertest.ClerkOnet, method: "PATCH", path: profile, csrf: true,
				body: fmt.Sprintf(`{"version":%d,"phone":"05 65 00 00 00"}`, v1), status: 403, check: errorIs("forbidden", "")},
			{name: "a read-only member of Rodez cannot change its profile", user: servertest.ReaderRodez, method: "PATCH", path: profile, csrf: true,
				body: fmt.Sprintf(`{"version":%d,"phone":"05 65 00 00 00"}`, v1), status: 403, check: errorIs("forbidden", "")},
			{name: "a change without the CSRF header is refused", user: servertest.ClerkRodez, method: "PATCH", path: profile,
				body: fmt.Sprintf(`{"version":%d,"phone":"05 65 00 00 00"}`, v1), status: 403, check: errorIs("csrf", "")},
			{name: "a change with a wrong CSRF header is refused", user: servertest.ClerkRodez, method: "PATCH", path: profile,
				header: map[string]string{"X-CSRF-Token": "not-the-token"}, body: fmt.Sprintf(`{"version":%d}`, v1), status: 403, check: errorIs("csrf", "")},
			{name: "a body with an unknown field is refused", user: servertest.ClerkRodez, method: "PATCH", path: profile, csrf: true,
				body: fmt.Sprintf(`{"version":%d,"fax":"x"}`, v1), status: 400, check: errorIs("invalid_request", "fax")},
			{name: "a body without version is refused", user: servertest.ClerkRodez, method: "PATCH", path: profile, csrf: true,
				body: `{"phone":"05 65 00 00 00"}`, status: 400, check: errorIs("invalid_request", "version")},
			{name: "an invalid e-mail is refused with its field", user: servertest.ClerkRodez, method: "PATCH", path: profile, csrf: true,
				body: fmt.Sprintf(`{"version":%d,"email":"pas-une-adresse"}`, v1), status: 422, check: errorIs("invalid", "email")},
			{name: "the clerk of Rodez changes Rodez's profile", user: servertest.ClerkRodez, method: "PATCH", path: profile, csrf: true,
				body:   fmt.Sprintf(`{"version":%d,"phone":"05 65 77 88 00","email":"mairie@rodez.fr"}`, v1),
				status: 200, content: []string{`"phone":"05 65 77 88 00"`, `"email":"mairie@rodez.fr"`, fmt.Sprintf(`"version":%d`, v1+1)}},
			{name: "a change from a stale version is a conflict", user: servertest.ClerkRodez, method: "PATCH", path: profile, csrf: true,
				body: fmt.Sprintf(`{"version":%d,"phone":"05 65 00 00 00"}`, v1), status: 409, check: errorIs("conflict", "")},
			{name: "the platform admin may change any profile", user: servertest.Admin, method: "PATCH", csrf: true,
				path: fmt.Sprintf("/api/v1/organisations/%d/profile", onet.ID),
				body: fmt.Sprintf(`{"version":%d,"representative":"Le maire"}`, onet.Version), status: 200,
				content: []string{`"representative":"Le maire"`}},
			{name: "an unknown organisation is 404", user: servertest.Admin, method: "PATCH", csrf: true, path: "/api/v1/organisations/999999/profile",
				body: `{"version":1}`, status: 404, check: errorIs("not_found", "")},
			{name: "an unknown API route is 404 in JSON", method: "GET", path: "/api/v1/nothing", status: 404, check: errorIs("not_found", "")},
			{name: "a wrong method is 405 in JSON", method: "PUT", path: "/api/v1/me", status: 405, check: errorIs("method_not_allowed", "")},
			{name: "a wrong password is refused", method: "POST", path: "/api/v1/session",
				body: `{"email":"` + servertest.Email(servertest.ClerkOnet) + `","password":"wrong password!"}`, status: 401,
				check: errorIs("bad_credentials", "")},
			{name: "a login without password is refused", method: "POST", path: "/api/v1/session",
				body: `{"email":"x@y.fr"}`, status: 400, check: errorIs("invalid_request", "password")},
			{name: "logging out needs the CSRF header", user: servertest.AdminAgglo, method: "DELETE", path: "/api/v1/session", status: 403,
				check: errorIs("csrf", "")},
			{name: "logging out ends the session", user: servertest.AdminAgglo, method: "DELETE", path: "/api/v1/session", csrf: true, status: 204},
			{name: "after logging out, me is 401 again", user: servertest.AdminAgglo, method: "GET", path: "/api/v1/me", status: 401},
		})
	})
}

func TestLoginThrottlingReachesTheUserInFrench(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := servertest.New(t, db, servertest.Options{})
		c := f.Client(t, servertest.Nobody)
		body := `{"email":"` + servertest.Email(servertest.ThrottledUser) + `","password":"not the password"}`
		var last servertest.Response
		for i := 0; i < 10; i++ {
			last = c.Do("POST", "/api/v1/session", body, nil)
			if last.StatusCode == http.StatusTooManyRequests {
				break
			}
			if last.StatusCode != http.StatusUnauthorized {
				t.Fatalf("attempt %d: got status %d want 401 then 429: %s", i+1, last.StatusCode, last.Body)
			}
		}
		if last.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("after 10 failures: got status %d want 429", last.StatusCode)
		}
		e := decode[apiError](t, []byte(last.Body))
		if e.Error.Code != "throttled" || !strings.Contains(e.Error.Message, "Trop de tentatives") {
			t.Fatalf("got %+v want code throttled and a French message", e.Error)
		}
		// Even the right password is refused while throttled.
		ok := c.Do("POST", "/api/v1/session", `{"email":"`+servertest.Email(servertest.ThrottledUser)+`","password":"`+servertest.Password+`"}`, nil)
		if ok.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("right password while throttled: got %d want 429", ok.StatusCode)
		}
	})
}
