package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"voisines/internal/ledger"
	"voisines/internal/money"
	"voisines/internal/server/servertest"
	"voisines/internal/service"
	"voisines/internal/store"
	"voisines/internal/store/storetest"
)

// csvHeaders sends a CSV body with the session's CSRF token.
func csvHeaders(c *servertest.Client) map[string]string {
	return map[string]string{"Content-Type": "text/csv; charset=utf-8", "X-CSRF-Token": c.CSRF}
}

func jsonHeaders(c *servertest.Client) map[string]string {
	return map[string]string{"X-CSRF-Token": c.CSRF}
}

func svcDecode[T any](t *testing.T, resp servertest.Response) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(resp.Body), &v); err != nil {
		t.Fatalf("decode %s: %v", resp.Body, err)
	}
	return v
}

// TestServiceExample6OverHTTP walks domain.md §10 example 6 (a) through
// the API: the year's cost and forecast, the acts imported from CSV, the
// statement drafted and issued, each commune's amount to the cent.
func TestServiceExample6OverHTTP(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := servertest.NewServiceWorld(t, db)
		agglo := w.F.Client(t, servertest.AdminAgglo)
		base := fmt.Sprintf("/api/v1/services/%d", w.Service.ID)

		resp := agglo.Do("PUT", base+"/years/2026", `{"source": "budget prévisionnel 2026",
			"lines": [{"category": "personnel", "label": "Coût prévisionnel du service commun", "amount": 9600000, "eligible": true},
			          {"category": "autre", "label": "Frais généraux du siège", "amount": 450000, "eligible": false, "reason": "non strictement liée au fonctionnement du service"}],
			"forecast_units": "265,5"}`, jsonHeaders(agglo))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("PUT year: %d %s", resp.StatusCode, resp.Body)
		}
		y := svcDecode[service.Year](t, resp)
		if y.Applied.Cmp(money.NewRat(36158, 100)) != 0 || y.UnitCost.Eligible != 9600000 || y.UnitCost.Excluded != 450000 || y.Version != 1 {
			t.Fatalf("got year %+v", y)
		}

		resp = agglo.Do("POST", base+"/usage/import", servertest.ServiceADSUsage, csvHeaders(agglo))
		if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Body, `"created":17`) {
			t.Fatalf("import: %d %s", resp.StatusCode, resp.Body)
		}
		resp = agglo.Do("POST", base+"/statements", `{"from": "2026-01-01", "to": "2026-12-31", "label": "Exercice 2026"}`, jsonHeaders(agglo))
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("draft: %d %s", resp.StatusCode, resp.Body)
		}
		st := svcDecode[ledger.Statement](t, resp)
		resp = agglo.Do("POST", fmt.Sprintf("%s/statements/%d/issue", base, st.ID), "", jsonHeaders(agglo))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("issue: %d %s", resp.StatusCode, resp.Body)
		}
		st = svcDecode[ledger.Statement](t, resp)
		want := map[int64]money.Cents{
			w.Communes[servertest.Rodez]: 4118396, w.Communes[servertest.Onet]: 2346654, w.Communes[servertest.Olemps]: 1034119,
			w.Communes[servertest.Druelle]: 1507789, w.Communes[servertest.Luc]: 592991,
		}
		if st.Status != ledger.Issued || len(st.Result.Lines) != 5 || st.Result.Total != 9599949 {
			t.Fatalf("got statement %s total %s with %d lines, want issued, 95,999.49", st.Status, st.Result.Total, len(st.Result.Lines))
		}
		for _, l := range st.Result.Lines {
			if l.Amount != want[l.OrgID] {
				t.Errorf("%s: got %s, want %s", l.Name, l.Amount, want[l.OrgID])
			}
		}

		t.Run("a beneficiary reads the statements and its own usage only", func(t *testing.T) {
			rodez := w.F.Client(t, servertest.ClerkRodez)
			list := svcDecode[struct {
				Statements []ledger.Statement `json:"statements"`
			}](t, rodez.Do("GET", base+"/statements", "", nil))
			if len(list.Statements) != 1 || list.Statements[0].ID != st.ID {
				t.Fatalf("got %+v", list.Statements)
			}
			u := svcDecode[service.UsageView](t, rodez.Do("GET", base+"/usage", "", nil))
			if u.All || len(u.Lines) != 4 || len(u.Totals) != 1 || u.Totals[0].Weighted.Cmp(money.NewRat(1139, 10)) != 0 {
				t.Fatalf("Rodez sees all=%v, %d lines, totals %+v", u.All, len(u.Lines), u.Totals)
			}
			u = svcDecode[service.UsageView](t, rodez.Do("GET", fmt.Sprintf("%s/usage?beneficiary=%d", base, w.Communes[servertest.Onet]), "", nil))
			if len(u.Lines) != 0 || len(u.Totals) != 0 {
				t.Fatalf("Rodez sees Onet's usage: %+v", u)
			}
		})
	})
}

func TestServiceRoutesAuthorisationAndErrors(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := servertest.NewServiceWorld(t, db)
		agglo := w.F.Client(t, servertest.AdminAgglo)
		rodez := w.F.Client(t, servertest.ClerkRodez)
		conques := w.F.Client(t, servertest.ServiceOutsider)
		nobody := w.F.Client(t, servertest.Nobody)
		base := fmt.Sprintf("/api/v1/services/%d", w.Service.ID)
		year := `{"lines": [{"category": "personnel", "label": "Coût", "amount": 9600000, "eligible": true}], "forecast_units": "265,5"}`
		if resp := agglo.Do("PUT", base+"/years/2026", year, jsonHeaders(agglo)); resp.StatusCode != http.StatusOK {
			t.Fatalf("PUT year: %d %s", resp.StatusCode, resp.Body)
		}
		usage := fmt.Sprintf(`{"date": "2026-03-02", "beneficiary": %d, "act_type": "DP", "quantity": "2", "reference": "DP-2026-001"}`, w.Communes[servertest.Rodez])

		tests := []struct {
			name   string
			client *servertest.Client
			method string
			path   string
			body   string
			csv    bool
			status int
			want   string
		}{
			{"the provider reads its service", agglo, "GET", base, "", false, 200, `"billing":"unit_price"`},
			{"a beneficiary reads the service", rodez, "GET", base, "", false, 200, `"name":"Instruction du droit des sols"`},
			{"a beneficiary reads the year and its unit cost", rodez, "GET", base + "/years/2026", "", false, 200, `"applied_unit_cost":"18079/50"`},
			{"a user of no party gets 404 for the service", conques, "GET", base, "", false, 404, `"not_found"`},
			{"a user of no party gets 404 for the year", conques, "GET", base + "/years/2026", "", false, 404, `"not_found"`},
			{"a user of no party gets 404 for the usage", conques, "GET", base + "/usage", "", false, 404, `"not_found"`},
			{"a user of no party gets 404 for the statements", conques, "GET", base + "/statements", "", false, 404, `"not_found"`},
			{"a user of no party cannot record usage", conques, "POST", base + "/usage", usage, false, 404, `"not_found"`},
			{"anonymous gets 401", nobody, "GET", base, "", false, 401, `"unauthenticated"`},
			{"a year not recorded is 404", agglo, "GET", base + "/years/2025", "", false, 404, `"not_found"`},
			{"a beneficiary cannot record usage", rodez, "POST", base + "/usage", usage, false, 403, `"forbidden"`},
			{"a beneficiary cannot import usage", rodez, "POST", base + "/usage/import", servertest.ServiceADSUsage, true, 403, `"forbidden"`},
			{"a beneficiary cannot change the cost lines", rodez, "PUT", base + "/years/2027", year, false, 403, `"forbidden"`},
			{"the provider records a use", agglo, "POST", base + "/usage", usage, false, 201, `"source":"service"`},
			{"an unknown act type is refused on its field", agglo, "POST", base + "/usage",
				strings.Replace(usage, `"DP"`, `"XX"`, 1), false, 422, `"name":"act_type"`},
			{"a quantity typed as a number is a bad request", agglo, "POST", base + "/usage",
				strings.Replace(usage, `"2"`, `2`, 1), false, 400, `"invalid_request"`},
			{"a faulty file is refused whole with its lines", agglo, "POST", base + "/usage/import",
				"date;beneficiaire;type;quantite;reference\n2026-05-12;12202;PC;4;X-1\n2026-05-12;12218;PC;4;X-2\n", true, 422, `"line":3,"column":"beneficiaire"`},
			{"a period over a year is refused citing the rule", agglo, "POST", base + "/statements",
				`{"from": "2026-01-01", "to": "2027-01-31"}`, false, 422, `ne peut excéder un an`},
			{"a stale year version conflicts", agglo, "PUT", base + "/years/2026", strings.Replace(year, `{"lines"`, `{"version": 7, "lines"`, 1), false, 409, `"conflict"`},
			{"the notification is recorded with its recipients", agglo, "POST", base + "/years/2026/notification",
				`{"date": "2026-04-20"}`, false, 201, `"recipients":[`},
			{"the notification status says it", rodez, "GET", base + "/years/2026/notification", "", false, 200, `"notified":true`},
			{"a service commun is charged against the AC only if the convention says so", agglo, "PUT", base,
				`{"version": 1, "name": "ADS", "unit": "act", "weights": [{"type": "PC", "weight": "1"}], "charge_against_ac": true}`, false, 422, `"name":"charge_against_ac"`},
			{"the organisation's list says who provides", rodez, "GET", fmt.Sprintf("/api/v1/organisations/%d/services", w.Communes[servertest.Rodez]), "", false, 200, `"provides":false`},
			{"another organisation's list is forbidden", rodez, "GET", fmt.Sprintf("/api/v1/organisations/%d/services", w.Agglo), "", false, 403, `"forbidden"`},
			{"the user's services", agglo, "GET", "/api/v1/services", "", false, 200, `"provides":true`},
			{"the usage template names the beneficiaries", agglo, "GET", base + "/usage/template.csv", "", false, 200, "12202;PC"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				h := jsonHeaders(tt.client)
				if tt.csv {
					h = csvHeaders(tt.client)
				}
				if tt.method == "GET" {
					h = nil
				}
				resp := tt.client.Do(tt.method, tt.path, tt.body, h)
				if resp.StatusCode != tt.status || !strings.Contains(resp.Body, tt.want) {
					t.Fatalf("got %d %s, want %d with %s", resp.StatusCode, resp.Body, tt.status, tt.want)
				}
			})
		}
	})
}

// TestServiceStatementsDraftsStayWithTheProvider checks that the list of a
// service's statements shows a draft to the provider only: a beneficiary
// sees a statement once it is issued.
func TestServiceStatementsDraftsStayWithTheProvider(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := servertest.NewServiceWorld(t, db)
		agglo := w.F.Client(t, servertest.AdminAgglo)
		rodez := w.F.Client(t, servertest.ClerkRodez)
		base := fmt.Sprintf("/api/v1/services/%d", w.Service.ID)
		year := `{"lines": [{"category": "personnel", "label": "Coût", "amount": 9600000, "eligible": true}], "forecast_units": "265,5"}`
		if resp := agglo.Do("PUT", base+"/years/2026", year, jsonHeaders(agglo)); resp.StatusCode != http.StatusOK {
			t.Fatalf("PUT year: %d %s", resp.StatusCode, resp.Body)
		}
		if resp := agglo.Do("POST", base+"/usage/import", servertest.ServiceADSUsage, csvHeaders(agglo)); resp.StatusCode != http.StatusOK {
			t.Fatalf("import: %d %s", resp.StatusCode, resp.Body)
		}
		resp := agglo.Do("POST", base+"/statements", `{"from": "2026-01-01", "to": "2026-12-31", "label": "Exercice 2026"}`, jsonHeaders(agglo))
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("draft: %d %s", resp.StatusCode, resp.Body)
		}
		draft := svcDecode[ledger.Statement](t, resp)
		type list struct {
			Statements []ledger.Statement `json:"statements"`
		}
		statuses := func(c *servertest.Client) []ledger.Status {
			t.Helper()
			resp := c.Do("GET", base+"/statements", "", nil)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET statements: got %d %s, want 200", resp.StatusCode, resp.Body)
			}
			out := []ledger.Status{}
			for _, st := range svcDecode[list](t, resp).Statements {
				out = append(out, st.Status)
			}
			return out
		}
		check := func(who string, got []ledger.Status, want ...ledger.Status) {
			t.Helper()
			if want == nil {
				want = []ledger.Status{}
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s: got statements %v, want %v", who, got, want)
			}
		}
		t.Run("a draft is listed to the provider only", func(t *testing.T) {
			check("the provider", statuses(agglo), ledger.Draft)
			check("a beneficiary", statuses(rodez))
		})
		if resp := agglo.Do("POST", fmt.Sprintf("%s/statements/%d/issue", base, draft.ID), "", jsonHeaders(agglo)); resp.StatusCode != http.StatusOK {
			t.Fatalf("issue: %d %s", resp.StatusCode, resp.Body)
		}
		t.Run("an issued statement is listed to every party", func(t *testing.T) {
			check("the provider", statuses(agglo), ledger.Issued)
			check("a beneficiary", statuses(rodez), ledger.Issued)
		})
	})
}
