package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"voisines/internal/civil"
	"voisines/internal/ledger"
	"voisines/internal/money"
	"voisines/internal/server/servertest"
	"voisines/internal/staff"
	"voisines/internal/store"
	"voisines/internal/store/storetest"
)

// TestStaffRoutesExample2 drives domain.md §10 example 2 through the API:
// the agent of Rodez and its 2026 cost, the secondment to Conques under
// the signed convention, the reimbursement statement of 8,670.00 drafted,
// issued by Rodez and read by Conques with its flow on 70848 / 6218 — and
// a clerk of Onet-le-Château, neither employer nor host, gets 404
// everywhere.
func TestStaffRoutesExample2(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := servertest.NewStaffWorld(t, db)
		rodez := w.F.Client(t, servertest.ClerkRodez)
		conques := w.F.Client(t, servertest.HostClerk)
		onet := w.F.Client(t, servertest.ClerkOnet)
		reader := w.F.Client(t, servertest.ReaderRodez)
		csrf := func(c *servertest.Client) map[string]string { return map[string]string{"X-CSRF-Token": c.CSRF} }
		do := func(t *testing.T, c *servertest.Client, method, path, body string, want int, v any) {
			t.Helper()
			resp := c.Do(method, path, body, csrf(c))
			if resp.StatusCode != want {
				t.Fatalf("%s %s: got %d, want %d: %s", method, path, resp.StatusCode, want, resp.Body)
			}
			if v != nil {
				if err := json.Unmarshal([]byte(resp.Body), v); err != nil {
					t.Fatalf("%s %s: %v in %s", method, path, err, resp.Body)
				}
			}
		}

		var ag staff.Agent
		do(t, rodez, "POST", fmt.Sprintf("/api/v1/organisations/%d/agents", w.Rodez),
			`{"family_name":"Dupont","given_name":"Jeanne","grade":"adjoint technique principal de 2e classe","status":"titulaire"}`, http.StatusCreated, &ag)
		var cost staff.Cost
		do(t, rodez, "PUT", fmt.Sprintf("/api/v1/agents/%d/costs/2026", ag.ID),
			`{"gross_pay":3000000,"employer_contributions":1335000,"source":"DSN décembre 2026"}`, http.StatusCreated, &cost)
		var sec staff.Secondment
		do(t, rodez, "POST", "/api/v1/secondments", fmt.Sprintf(`{"agreement_id":%d,"agent_id":%d,"activities":"Entretien des espaces verts","arrete_reference":"A-2026-031","arrete_date":"2026-04-15"}`,
			w.Agreement.ID, ag.ID), http.StatusCreated, &sec)
		if sec.Quotite.String() != "30/100" || sec.HostOrgID != w.Conques || sec.End != civil.MustParse("2026-12-31") {
			t.Fatalf("got secondment %+v", sec)
		}

		paths := map[string]string{
			"agent":  fmt.Sprintf("/api/v1/agents/%d", ag.ID),
			"cost":   fmt.Sprintf("/api/v1/agents/%d/costs/2026", ag.ID),
			"sec":    fmt.Sprintf("/api/v1/secondments/%d", sec.ID),
			"times":  fmt.Sprintf("/api/v1/secondments/%d/time-records", sec.ID),
			"alerts": fmt.Sprintf("/api/v1/organisations/%d/staff-alerts", w.Rodez),
		}
		t.Run("who sees what, before the secondment starts", func(t *testing.T) {
			for _, tt := range []struct {
				who    string
				c      *servertest.Client
				path   string
				status int
			}{
				{"the employer's clerk", rodez, "agent", 200}, {"the employer's clerk", rodez, "cost", 200},
				{"the employer's reader", reader, "cost", 200}, {"the employer's clerk", rodez, "alerts", 200},
				{"the host's clerk", conques, "agent", 200}, {"the host's clerk", conques, "sec", 200}, {"the host's clerk", conques, "times", 200},
				{"the host's clerk, before the start", conques, "cost", 404},
				{"a clerk of Onet", onet, "agent", 404}, {"a clerk of Onet", onet, "cost", 404}, {"a clerk of Onet", onet, "sec", 404},
				{"a clerk of Onet", onet, "times", 404}, {"a clerk of Onet", onet, "alerts", 403},
			} {
				t.Run(tt.who+" reads "+tt.path, func(t *testing.T) {
					resp := tt.c.Do("GET", paths[tt.path], "", nil)
					if resp.StatusCode != tt.status {
						t.Fatalf("got %d, want %d: %s", resp.StatusCode, tt.status, resp.Body)
					}
					if tt.status == 404 && strings.Contains(resp.Body, "Dupont") {
						t.Fatalf("a 404 names the agent: %s", resp.Body)
					}
				})
			}
			resp := onet.Do("GET", fmt.Sprintf("/api/v1/organisations/%d/agents", w.Onet), "", nil)
			if resp.StatusCode != 200 || strings.Contains(resp.Body, "Dupont") {
				t.Fatalf("Onet's list: %d %s", resp.StatusCode, resp.Body)
			}
		})
		t.Run("a stale version is a conflict, a wrong body names its field", func(t *testing.T) {
			do(t, rodez, "PUT", paths["agent"], fmt.Sprintf(`{"version":%d,"family_name":"Dupont","given_name":"Jeanne","status":"titulaire","grade":"x"}`, ag.Version), 200, nil)
			do(t, rodez, "PUT", paths["agent"], fmt.Sprintf(`{"version":%d,"family_name":"Dupont","given_name":"Jeanne","status":"titulaire"}`, ag.Version), 409, nil)
			do(t, rodez, "PUT", paths["cost"], `{"gross_pay":1,"source":"x"}`, 409, nil)
			var e struct {
				Error struct {
					Fields []struct{ Name string } `json:"fields"`
				} `json:"error"`
			}
			do(t, rodez, "POST", "/api/v1/secondments", fmt.Sprintf(`{"agreement_id":%d,"agent_id":%d,"activities":"x"}`, w.Agreement.ID, ag.ID), 422, &e)
			if len(e.Error.Fields) != 1 || e.Error.Fields[0].Name != "agreement_id" {
				t.Fatalf("got %+v, want the second secondment refused on agreement_id", e)
			}
			do(t, conques, "PUT", paths["cost"], `{"version":1,"gross_pay":1,"source":"x"}`, 403, nil)
		})
		t.Run("time is not recorded for a pro rata secondment, and an import names its lines", func(t *testing.T) {
			do(t, conques, "POST", paths["times"], `{"date":"2026-04-20","duration":"7 h 30","activity":"Tonte"}`, 422, nil)
			resp := conques.Do("POST", "/api/v1/time-records/import", fmt.Sprintf("secondment,date,duration,activity\n%d,2026-04-20,7:30,Tonte\n", sec.ID),
				map[string]string{"X-CSRF-Token": conques.CSRF, "Content-Type": "text/csv"})
			if resp.StatusCode != 422 || !strings.Contains(resp.Body, `"line":2`) {
				t.Fatalf("got %d %s", resp.StatusCode, resp.Body)
			}
		})

		w.SetDate(civil.MustParse("2026-06-02"))
		t.Run("once started, the host sees the 2026 cost", func(t *testing.T) {
			var c staff.Cost
			do(t, conques, "GET", paths["cost"], "", 200, &c)
			if c.Total() != money.Cents(4_335_000) {
				t.Fatalf("got %s", c.Total())
			}
		})

		w.SetDate(civil.MustParse("2027-01-08"))
		var rb struct {
			Reimbursement staff.Reimbursement `json:"reimbursement"`
			Statement     ledger.Statement    `json:"statement"`
		}
		t.Run("only the employer computes the reimbursement", func(t *testing.T) {
			do(t, conques, "POST", paths["sec"]+"/reimbursement", `{"from":"2026-05-01","to":"2026-12-31"}`, 403, nil)
			do(t, onet, "POST", paths["sec"]+"/reimbursement", `{"from":"2026-05-01","to":"2026-12-31"}`, 404, nil)
		})
		do(t, rodez, "POST", paths["sec"]+"/reimbursement", `{"from":"2026-05-01","to":"2026-12-31","label":"Mai à décembre 2026"}`, http.StatusCreated, &rb)
		t.Run("the statement is 8,670.00 owed by Conques", func(t *testing.T) {
			st := rb.Statement
			if st.Status != ledger.Draft || st.Result.Total != money.Cents(867_000) || len(st.Result.Lines) != 1 || st.Result.Lines[0].OrgID != w.Conques {
				t.Fatalf("got %+v", st.Result)
			}
		})
		// The employer issues it through the ledger, as any statement; the
		// host does not see the employer's draft (404).
		do(t, conques, "POST", fmt.Sprintf("/api/v1/statements/%d/issue", rb.Statement.ID), "", 404, nil)
		do(t, rodez, "POST", fmt.Sprintf("/api/v1/statements/%d/issue", rb.Statement.ID), "", 200, nil)
		t.Run("issued, Conques reads the flow on 70848 and 6218", func(t *testing.T) {
			var st struct {
				ledger.Statement
				Flows []ledger.Flow `json:"flows"`
			}
			do(t, conques, "GET", fmt.Sprintf("/api/v1/statements/%d", rb.Statement.ID), "", 200, &st)
			if len(st.Flows) != 1 || st.Flows[0].Amount != money.Cents(867_000) || st.Flows[0].Debtor.OrgID != w.Conques ||
				st.Flows[0].Creditor.OrgID != w.Rodez || st.Flows[0].TitreAccount != "70848" || st.Flows[0].MandatAccount != "6218" {
				t.Fatalf("got flows %+v", st.Flows)
			}
			var f staff.SecondmentFile
			do(t, conques, "GET", paths["sec"], "", 200, &f)
			if len(f.Reimbursements) != 1 || f.Reimbursements[0].StatementStatus != ledger.Issued || f.Consent == nil {
				t.Fatalf("got %+v", f)
			}
			do(t, onet, "GET", fmt.Sprintf("/api/v1/statements/%d", rb.Statement.ID), "", 404, nil)
		})
	})
}
