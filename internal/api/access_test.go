package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"voisines/internal/purchasing"
	"voisines/internal/server/servertest"
	"voisines/internal/staff"
	"voisines/internal/store"
	"voisines/internal/store/storetest"
)

// The access rule (README, « Accounts, roles and the audit log »): a record
// of others the caller may not see answers 404; a list scoped to an
// organisation the caller is not a member of answers 403 with a French
// message; a platform admin reads both.
const notMember = "pas membre de cette organisation"

// forbiddenList and hidden are the scenarios' expectations for a refused
// list and a hidden record.
func forbiddenList(name, user, path string) scenario {
	return scenario{name: name, user: user, method: "GET", path: path, status: http.StatusForbidden,
		content: []string{`"code":"forbidden"`, notMember}}
}

func hidden(name, user, path string) scenario {
	return scenario{name: name, user: user, method: "GET", path: path, status: http.StatusNotFound, content: []string{`"code":"not_found"`}}
}

func allowed(name, user, path string) scenario {
	return scenario{name: name, user: user, method: "GET", path: path, status: http.StatusOK}
}

// postJSON sends body as c and decodes the answer into v, which must come
// with status want.
func postJSON(t *testing.T, c *servertest.Client, method, path, body string, want int, v any) {
	t.Helper()
	resp := c.Do(method, path, body, map[string]string{"X-CSRF-Token": c.CSRF})
	if resp.StatusCode != want {
		t.Fatalf("%s %s: got %d, want %d: %s", method, path, resp.StatusCode, want, resp.Body)
	}
	if v != nil {
		if err := json.Unmarshal([]byte(resp.Body), v); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, resp.Body)
		}
	}
}

func TestAccessRuleStaff(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := servertest.NewStaffWorld(t, db)
		rodez := w.F.Client(t, servertest.ClerkRodez)
		var ag staff.Agent
		postJSON(t, rodez, "POST", fmt.Sprintf("/api/v1/organisations/%d/agents", w.Rodez),
			`{"family_name":"Dupont","given_name":"Jeanne","grade":"adjoint technique","status":"titulaire"}`, http.StatusCreated, &ag)
		var sec staff.Secondment
		postJSON(t, rodez, "POST", "/api/v1/secondments", fmt.Sprintf(`{"agreement_id":%d,"agent_id":%d,"activities":"Entretien des espaces verts","arrete_reference":"A-2026-031","arrete_date":"2026-04-15"}`,
			w.Agreement.ID, ag.ID), http.StatusCreated, &sec)
		agents := fmt.Sprintf("/api/v1/organisations/%d/agents", w.Rodez)
		alerts := fmt.Sprintf("/api/v1/organisations/%d/staff-alerts", w.Rodez)
		agent := fmt.Sprintf("/api/v1/agents/%d", ag.ID)
		secondment := fmt.Sprintf("/api/v1/secondments/%d", sec.ID)
		run(t, w.F, []scenario{
			allowed("a member reads its organisation's agents", servertest.ClerkRodez, agents),
			allowed("a read-only member reads them too", servertest.ReaderRodez, agents),
			forbiddenList("a non-member is refused the agents of an organisation", servertest.ClerkOnet, agents),
			allowed("a platform admin reads any organisation's agents", servertest.Admin, agents),
			hidden("the agents of an organisation that does not exist are not found", servertest.ClerkOnet, "/api/v1/organisations/999999/agents"),
			allowed("a member reads its organisation's staff alerts", servertest.ClerkRodez, alerts),
			forbiddenList("a non-member is refused the staff alerts of an organisation", servertest.ClerkOnet, alerts),
			allowed("a platform admin reads any organisation's staff alerts", servertest.Admin, alerts),
			allowed("the employer reads its agent", servertest.ClerkRodez, agent),
			hidden("a non-member does not find the agent", servertest.ClerkOnet, agent),
			allowed("a platform admin reads the agent", servertest.Admin, agent),
			allowed("the host reads the secondment", servertest.HostClerk, secondment),
			hidden("a non-party does not find the secondment", servertest.ClerkOnet, secondment),
			allowed("a platform admin reads the secondment", servertest.Admin, secondment),
			{name: "anonymous must log in for a list", user: servertest.Nobody, method: "GET", path: agents, status: http.StatusUnauthorized},
		})
	})
}

func TestAccessRuleServices(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := servertest.NewServiceWorld(t, db)
		list := fmt.Sprintf("/api/v1/organisations/%d/services", w.Agglo)
		svc := fmt.Sprintf("/api/v1/services/%d", w.Service.ID)
		run(t, w.F, []scenario{
			allowed("the provider reads its organisation's services", servertest.AdminAgglo, list),
			forbiddenList("a beneficiary is refused the provider's list", servertest.ClerkRodez, list),
			forbiddenList("a non-member is refused the list", servertest.ServiceOutsider, list),
			allowed("a platform admin reads any organisation's services", servertest.Admin, list),
			hidden("the services of an organisation that does not exist are not found", servertest.ClerkRodez, "/api/v1/organisations/999999/services"),
			allowed("a beneficiary reads the service", servertest.ClerkRodez, svc),
			hidden("a non-party does not find the service", servertest.ServiceOutsider, svc),
			hidden("a non-party does not find its statements", servertest.ServiceOutsider, svc+"/statements"),
			allowed("a platform admin reads the service", servertest.Admin, svc),
		})
	})
}

func TestAccessRulePurchasing(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := servertest.NewPurchasingWorld(t, db)
		var g purchasing.Group
		postJSON(t, w.F.Client(t, servertest.ClerkRodez), "POST", "/api/v1/purchasing-groups", fmt.Sprintf(`{"agreement_id":%d}`, w.Agreement.ID), http.StatusCreated, &g)
		list := fmt.Sprintf("/api/v1/organisations/%d/purchasing-groups", w.Rodez)
		group := fmt.Sprintf("/api/v1/purchasing-groups/%d", g.ID)
		run(t, w.F, []scenario{
			allowed("the coordinator reads its organisation's groups", servertest.ClerkRodez, list),
			forbiddenList("a member of the group is refused another member's list", servertest.ClerkOnet, list),
			forbiddenList("a non-member is refused the list", servertest.AdminAgglo, list),
			allowed("a platform admin reads any organisation's groups", servertest.Admin, list),
			hidden("the groups of an organisation that does not exist are not found", servertest.ClerkOnet, "/api/v1/organisations/999999/purchasing-groups"),
			allowed("a member reads the group", servertest.ClerkOnet, group),
			hidden("a non-member does not find the group", servertest.AdminAgglo, group),
			hidden("a non-member does not find its costs", servertest.AdminAgglo, group+"/costs"),
			allowed("a platform admin reads the group", servertest.Admin, group),
		})
	})
}

func TestAccessRuleBookings(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := newEquipmentFixture(t, db)
		booking := fmt.Sprintf("/api/v1/bookings/%d", f.pending.ID)
		run(t, f.Fixture, []scenario{
			allowed("the owner reads the booking", servertest.ClerkRodez, booking),
			allowed("the requester reads the booking", servertest.ClerkOnet, booking),
			hidden("an outsider does not find the booking", servertest.AdminAgglo, booking),
			hidden("a booking that does not exist is not found", servertest.ClerkOnet, "/api/v1/bookings/999999"),
			allowed("a platform admin reads the booking", servertest.Admin, booking),
		})
	})
}
