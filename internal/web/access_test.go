package web_test

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

// accessCase is one page read: who, which page, the status and a text the
// page must hold.
type accessCase struct {
	name, user, path string
	status           int
	want             string
}

// The access rule on the pages (README, « Accounts, roles and the audit
// log »): a record of others the user may not see is « introuvable »
// (404); the list of an organisation the user is not a member of is
// refused (403) saying so; a platform admin reads both.
const notMemberPage = "pas membre de cette organisation"

func runAccess(t *testing.T, f *servertest.Fixture, cases []accessCase) {
	t.Helper()
	clients := map[string]*servertest.Client{}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, ok := clients[tc.user]
			if !ok {
				c = f.Client(t, tc.user)
				clients[tc.user] = c
			}
			resp := c.Do("GET", tc.path, "", nil)
			if resp.StatusCode != tc.status || !strings.Contains(resp.Body, tc.want) {
				t.Fatalf("GET %s as %q: got %d, want %d with %q\n%s", tc.path, tc.user, resp.StatusCode, tc.status, tc.want, resp.Body)
			}
		})
	}
}

// apiCreate sends a JSON body to the API as c and returns the id of what
// it created.
func apiCreate(t *testing.T, c *servertest.Client, path, body string) int64 {
	t.Helper()
	resp := c.Do("POST", path, body, map[string]string{"X-CSRF-Token": c.CSRF})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST %s: got %d, want 201: %s", path, resp.StatusCode, resp.Body)
	}
	var v struct {
		ID int64 `json:"id"`
	}
	if err := json.Unmarshal([]byte(resp.Body), &v); err != nil || v.ID == 0 {
		t.Fatalf("POST %s: no id in %s (%v)", path, resp.Body, err)
	}
	return v.ID
}

func TestAccessRulePages(t *testing.T) {
	t.Run("staff", func(t *testing.T) {
		storetest.Engines(t, func(t *testing.T, db *store.DB) {
			w := servertest.NewStaffWorld(t, db)
			rodez := w.F.Client(t, servertest.ClerkRodez)
			ag := apiCreate(t, rodez, fmt.Sprintf("/api/v1/organisations/%d/agents", w.Rodez),
				`{"family_name":"Dupont","given_name":"Jeanne","grade":"adjoint technique","status":"titulaire"}`)
			sec := apiCreate(t, rodez, "/api/v1/secondments", fmt.Sprintf(`{"agreement_id":%d,"agent_id":%d,"activities":"Entretien des espaces verts","arrete_reference":"A-2026-031","arrete_date":"2026-04-15"}`,
				w.Agreement.ID, ag))
			list := fmt.Sprintf("/personnel?org=%d", w.Rodez)
			agent := fmt.Sprintf("/personnel/agents/%d", ag)
			secondment := fmt.Sprintf("/personnel/mises-a-disposition/%d", sec)
			runAccess(t, w.F, []accessCase{
				{"a member reads its organisation's agents", servertest.ClerkRodez, list, 200, "Dupont"},
				{"a non-member is refused an organisation's agents", servertest.ClerkOnet, list, 403, notMemberPage},
				{"a platform admin reads any organisation's agents", servertest.Admin, list, 200, "Dupont"},
				{"the agents of an organisation that does not exist are not found", servertest.ClerkOnet, "/personnel?org=999999", 404, ""},
				{"the employer reads its agent", servertest.ClerkRodez, agent, 200, "Dupont"},
				{"a non-member does not find the agent", servertest.ClerkOnet, agent, 404, ""},
				{"a platform admin reads the agent", servertest.Admin, agent, 200, "Dupont"},
				{"the host reads the secondment", servertest.HostClerk, secondment, 200, "Dupont"},
				{"a non-party does not find the secondment", servertest.ClerkOnet, secondment, 404, ""},
				{"a platform admin reads the secondment", servertest.Admin, secondment, 200, "Dupont"},
			})
		})
	})
	t.Run("services", func(t *testing.T) {
		storetest.Engines(t, func(t *testing.T, db *store.DB) {
			w := servertest.NewServiceWorld(t, db)
			page := fmt.Sprintf("/services/%d", w.Service.ID)
			runAccess(t, w.F, []accessCase{
				{"a beneficiary reads the service", servertest.ClerkRodez, page, 200, w.Service.Name},
				{"a non-party does not find the service", servertest.ServiceOutsider, page, 404, ""},
				{"a platform admin reads the service", servertest.Admin, page, 200, w.Service.Name},
			})
		})
	})
	t.Run("purchasing", func(t *testing.T) {
		storetest.Engines(t, func(t *testing.T, db *store.DB) {
			w := servertest.NewPurchasingWorld(t, db)
			g := apiCreate(t, w.F.Client(t, servertest.ClerkRodez), "/api/v1/purchasing-groups", fmt.Sprintf(`{"agreement_id":%d}`, w.Agreement.ID))
			page := fmt.Sprintf("/achats/%d", g)
			runAccess(t, w.F, []accessCase{
				{"a member reads the group", servertest.ClerkOnet, page, 200, "Groupement de commandes"},
				{"a non-member does not find the group", servertest.AdminAgglo, page, 404, ""},
				{"a platform admin reads the group", servertest.Admin, page, 200, "Groupement de commandes"},
			})
		})
	})
}
