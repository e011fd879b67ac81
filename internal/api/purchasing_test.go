package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"voisines/internal/ledger"
	"voisines/internal/purchasing"
	"voisines/internal/server/servertest"
	"voisines/internal/store"
	"voisines/internal/store/storetest"
)

// pcall sends a request as c with the CSRF header and checks the status.
func pcall(t *testing.T, c *servertest.Client, method, path, body string, status int) []byte {
	t.Helper()
	hdr := map[string]string{"X-CSRF-Token": c.CSRF}
	resp := c.Do(method, path, body, hdr)
	if resp.StatusCode != status {
		t.Fatalf("%s %s: got status %d want %d\n%s", method, path, resp.StatusCode, status, resp.Body)
	}
	return []byte(resp.Body)
}

func TestProcurementThresholdsArePublic(t *testing.T) {
	f := servertest.New(t, storetest.SQLite(t), servertest.Options{})
	run(t, f, []scenario{
		{name: "supplies on 31 March 2026: dispense below 40,000", path: "/api/v1/procurement-thresholds?date=2026-03-31&nature=supplies", method: "GET", status: 200,
			check: func(t *testing.T, body []byte) {
				a := decode[struct {
					Applicable []purchasing.Applicable `json:"applicable"`
				}](t, body)
				th, ok := a.Applicable[0].Get(purchasing.Dispense)
				if !ok || th.Amount != 40_000_00 || th.Source == "" {
					t.Fatalf("got %+v", th)
				}
			}},
		{name: "supplies on 1 April 2026: dispense below 60,000", path: "/api/v1/procurement-thresholds?date=2026-04-01&nature=fournitures", method: "GET", status: 200,
			content: []string{`"amount":6000000`, `"amount":21600000`}},
		{name: "every nature by default", path: "/api/v1/procurement-thresholds?date=2026-06-01", method: "GET", status: 200,
			content: []string{`"nature":"works"`, `"amount":540400000`}},
		{name: "a date the table does not cover is refused", path: "/api/v1/procurement-thresholds?date=2023-06-01&nature=works", method: "GET", status: 422,
			check: errorIs("invalid", "launch_date")},
		{name: "an unknown nature is refused", path: "/api/v1/procurement-thresholds?nature=goods", method: "GET", status: 400,
			check: errorIs("invalid_request", "nature")},
	})
}

// TestExample3OverHTTP runs domain.md §10 example 3 through the JSON API:
// the coordinator opens the group and its lot, each member enters its own
// needs, the launch is refused then recorded, the procedure is formalised,
// and the procedure costs of 1,850.00 are split 707.74 / 487.19 / 655.07.
func TestExample3OverHTTP(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := servertest.NewPurchasingWorld(t, db)
		rodez := w.F.Client(t, servertest.ClerkRodez)
		onet := w.F.Client(t, servertest.ClerkOnet)
		conques := w.F.Client(t, servertest.BuyerConques)
		agglo := w.F.Client(t, servertest.AdminAgglo)
		create := fmt.Sprintf(`{"agreement_id":%d}`, w.Agreement.ID)

		pcall(t, onet, "POST", "/api/v1/purchasing-groups", create, http.StatusForbidden)
		pcall(t, agglo, "POST", "/api/v1/purchasing-groups", create, http.StatusNotFound)
		g := decode[purchasing.Group](t, pcall(t, rodez, "POST", "/api/v1/purchasing-groups", create, http.StatusCreated))
		base := fmt.Sprintf("/api/v1/purchasing-groups/%d", g.ID)
		pcall(t, rodez, "POST", base+"/lots", fmt.Sprintf(`{"label":"Produits","cpv":"45000000-7","nature":"supplies","duration_months":48,"version":%d}`, g.Version),
			http.StatusUnprocessableEntity)
		g = decode[purchasing.Group](t, pcall(t, rodez, "POST", base+"/lots",
			fmt.Sprintf(`{"label":"Produits d'entretien et papier","cpv":"39830000-9","nature":"supplies","duration_months":48,"framework":true,"version":%d}`, g.Version),
			http.StatusCreated))
		lot := g.Lots[0].ID

		t.Run("a needs file with errors is refused line by line", func(t *testing.T) {
			resp := conques.Do("POST", base+"/needs/import", "member,lot,amount\n12202,1,86000\n99999,1,10\n",
				map[string]string{"X-CSRF-Token": conques.CSRF, "Content-Type": "text/csv"})
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("got %d: %s", resp.StatusCode, resp.Body)
			}
			errorIs("invalid_import", "ligne 2, colonne member")(t, []byte(resp.Body))
			errorIs("invalid_import", "ligne 3, colonne member")(t, []byte(resp.Body))
		})
		t.Run("each member enters its own needs", func(t *testing.T) {
			for _, m := range []struct {
				c      *servertest.Client
				org    int64
				yearly int
			}{{rodez, w.Rodez, 21_500_00}, {onet, w.Onet, 14_800_00}, {conques, w.Conques, 19_900_00}} {
				pcall(t, m.c, "PUT", base+"/needs", fmt.Sprintf(`{"lot_id":%d,"org_id":%d,"yearly":%d,"version":0}`, lot, m.org, m.yearly), http.StatusOK)
			}
			pcall(t, onet, "PUT", base+"/needs", fmt.Sprintf(`{"lot_id":%d,"org_id":%d,"amount":1,"version":1}`, lot, w.Conques), http.StatusForbidden)
			n := decode[struct {
				Needs []purchasing.Need `json:"needs"`
				Total int64             `json:"total"`
			}](t, pcall(t, onet, "GET", base+"/needs", "", http.StatusOK))
			if n.Total != 224_800_00 || len(n.Needs) != 1 || n.Needs[0].Amount != 59_200_00 {
				t.Fatalf("Onet sees total %d and %+v", n.Total, n.Needs)
			}
		})
		t.Run("the procedure on 15 July 2026", func(t *testing.T) {
			p := decode[purchasing.Procedure](t, pcall(t, onet, "GET", base+"/procedure?date=2026-07-15", "", http.StatusOK))
			if p.Kind != purchasing.ProcFormalised || p.Value != 224_800_00 || len(p.Alone) != 1 || p.Alone[0].Decision.Kind != purchasing.ProcDispense {
				t.Fatalf("got %s %s, alone %+v", p.Kind, p.Value, p.Alone)
			}
			p = decode[purchasing.Procedure](t, pcall(t, rodez, "GET", base+"/procedure?date=2026-03-31", "", http.StatusOK))
			for _, a := range p.Alone {
				if a.Decision.Kind != purchasing.ProcMAPA {
					t.Errorf("%s alone on 31 March 2026: got %s", a.Name, a.Decision.Kind)
				}
			}
		})
		t.Run("the launch is refused before every deliberation, then recorded", func(t *testing.T) {
			g = decode[purchasing.Group](t, pcall(t, rodez, "GET", base, "", http.StatusOK))
			body := pcall(t, rodez, "POST", base+"/launch", fmt.Sprintf(`{"launch_date":"2026-05-19","version":%d}`, g.Version), http.StatusUnprocessableEntity)
			if !strings.Contains(string(body), "délibération de « Onet-le-Château »") || !strings.Contains(string(body), "après la date de lancement") {
				t.Fatalf("got %s", body)
			}
			pcall(t, onet, "POST", base+"/launch", fmt.Sprintf(`{"launch_date":"2026-07-15","version":%d}`, g.Version), http.StatusForbidden)
			pcall(t, rodez, "POST", base+"/launch", fmt.Sprintf(`{"launch_date":"2026-07-15","version":%d}`, g.Version-1), http.StatusConflict)
			g = decode[purchasing.Group](t, pcall(t, rodez, "POST", base+"/launch", fmt.Sprintf(`{"launch_date":"2026-07-15","version":%d}`, g.Version), http.StatusOK))
			if g.Status != purchasing.Launched || g.Procedure == nil || g.Procedure.Kind != purchasing.ProcFormalised || len(g.Procedure.Thresholds) == 0 {
				t.Fatalf("got %+v", g.Procedure)
			}
			need, _ := g.Need(lot, w.Onet)
			body = pcall(t, onet, "PUT", base+"/needs", fmt.Sprintf(`{"lot_id":%d,"org_id":%d,"amount":6000000,"version":%d}`, lot, w.Onet, need.Version),
				http.StatusUnprocessableEntity)
			if !strings.Contains(string(body), "les besoins sont arrêtés") {
				t.Fatalf("got %s", body)
			}
			pcall(t, onet, "PUT", base+"/needs", fmt.Sprintf(`{"lot_id":%d,"org_id":%d,"previous_cost":6400000,"version":%d}`, lot, w.Onet, need.Version), http.StatusOK)
		})
		t.Run("the award and the savings", func(t *testing.T) {
			award := fmt.Sprintf(`{"supplier":"Hygiène du Rouergue","awarded_on":"2026-07-20","version":0,"prices":[{"org_id":%d,"amount":8000000},{"org_id":%d,"amount":5500000},{"org_id":%d,"amount":7400000}]}`,
				w.Rodez, w.Onet, w.Conques)
			pcall(t, onet, "PUT", fmt.Sprintf("%s/lots/%d/award", base, lot), award, http.StatusForbidden)
			pcall(t, rodez, "PUT", fmt.Sprintf("%s/lots/%d/award", base, lot), award, http.StatusOK)
			s := decode[purchasing.Savings](t, pcall(t, onet, "GET", base+"/savings", "", http.StatusOK))
			if len(s.Members) != 1 || s.Members[0].Total.Saving != 9_000_00 || s.Total != nil {
				t.Fatalf("Onet's savings: got %+v", s)
			}
			g := decode[purchasing.Group](t, pcall(t, conques, "GET", base, "", http.StatusOK))
			if a, _ := g.Award(lot); len(a.Prices) != 1 || a.Prices[0].OrgID != w.Conques || a.Supplier == "" {
				t.Fatalf("Conques sees prices %+v", a.Prices)
			}
		})
		t.Run("the procedure costs split by share of needs", func(t *testing.T) {
			costs := `{"from":"2026-07-01","to":"2026-12-31","label":"Frais de procédure 2026","cost_lines":[{"label":"Publicité et plateforme","amount":185000,"eligible":true}]}`
			pcall(t, conques, "POST", base+"/costs", costs, http.StatusForbidden)
			st := decode[ledger.Statement](t, pcall(t, rodez, "POST", base+"/costs", costs, http.StatusCreated))
			want := map[int64]int64{w.Rodez: 707_74, w.Onet: 487_19, w.Conques: 655_07}
			if st.Result.Total != 1_850_00 || len(st.Result.Lines) != 3 {
				t.Fatalf("got %+v", st.Result)
			}
			for _, l := range st.Result.Lines {
				if int64(l.Amount) != want[l.OrgID] {
					t.Errorf("%s: got %s, want %d cents", l.Name, l.Amount, want[l.OrgID])
				}
			}
			// The draft is the coordinator's work in progress: a member neither
			// lists it nor reads it by id until the coordinator issues it.
			seen := func(user *servertest.Client) int {
				var list struct {
					Statements []ledger.Statement `json:"statements"`
				}
				if err := json.Unmarshal(pcall(t, user, "GET", base+"/costs", "", http.StatusOK), &list); err != nil {
					t.Fatal(err)
				}
				return len(list.Statements)
			}
			if n := seen(conques); n != 0 {
				t.Errorf("Conques lists %d statements before the issue, want the draft left out", n)
			}
			if n := seen(rodez); n != 1 {
				t.Errorf("the coordinator lists %d statements, want its draft", n)
			}
			pcall(t, conques, "GET", fmt.Sprintf("/api/v1/statements/%d", st.ID), "", http.StatusNotFound)
			pcall(t, rodez, "POST", fmt.Sprintf("/api/v1/statements/%d/issue", st.ID), "", http.StatusOK)
			if n := seen(conques); n != 1 {
				t.Errorf("Conques lists %d statements once issued, want 1", n)
			}
		})
		var list struct {
			Statements []ledger.Statement `json:"statements"`
		}
		if err := json.Unmarshal(pcall(t, rodez, "GET", base+"/costs", "", http.StatusOK), &list); err != nil || len(list.Statements) != 1 {
			t.Fatalf("Rodez's statements: %v %+v", err, list)
		}
		statement := fmt.Sprintf("/api/v1/statements/%d", list.Statements[0].ID)
		terms := fmt.Sprintf("/api/v1/agreements/%d/terms", w.Agreement.ID)
		t.Run("after the split, the split basis is shared between the members, and nothing more", func(t *testing.T) {
			// By design (package purchasing): the key of each member's
			// total needs and every member's share are the convention's.
			for _, p := range []string{statement, terms} {
				body := string(pcall(t, onet, "GET", p, "", http.StatusOK))
				for _, want := range []string{"86000", "59200", "79600"} {
					if !strings.Contains(body, want) {
						t.Errorf("%s: Onet should read the figure %s of the key: %s", p, want, body)
					}
				}
			}
			// Per lot, its own needs only, still.
			g := decode[purchasing.Group](t, pcall(t, onet, "GET", base, "", http.StatusOK))
			if len(g.Needs) != 1 || g.Needs[0].OrgID != w.Onet {
				t.Fatalf("Onet sees the needs %+v, want its own only", g.Needs)
			}
		})
		t.Run("a user of an organisation that is not a member sees nothing", func(t *testing.T) {
			for _, p := range []string{base, base + "/needs", base + "/procedure", base + "/savings", base + "/costs", statement, terms} {
				body := pcall(t, agglo, "GET", p, "", http.StatusNotFound)
				if strings.Contains(string(body), "Hygiène") || strings.Contains(string(body), "5920000") || strings.Contains(string(body), "59200") {
					t.Errorf("%s leaks: %s", p, body)
				}
			}
			pcall(t, agglo, "GET", fmt.Sprintf("/api/v1/organisations/%d/purchasing-groups", w.Rodez), "", http.StatusForbidden)
			list := decode[struct {
				Groups []purchasing.Summary `json:"groups"`
			}](t, pcall(t, conques, "GET", fmt.Sprintf("/api/v1/organisations/%d/purchasing-groups", w.Conques), "", http.StatusOK))
			if len(list.Groups) != 1 || list.Groups[0].Procedure != purchasing.ProcFormalised {
				t.Fatalf("Conques's groups: %+v", list.Groups)
			}
		})
	})
}

// TestPurchasingOpenAPIReferencesResolve checks that every $ref of the
// purchasing fragment names something the merged document describes.
func TestPurchasingOpenAPIReferencesResolve(t *testing.T) {
	f := servertest.New(t, storetest.SQLite(t), servertest.Options{})
	resp := f.Client(t, servertest.Nobody).Do("GET", "/api/v1/openapi.json", "", nil)
	var doc map[string]any
	if err := json.Unmarshal([]byte(resp.Body), &doc); err != nil {
		t.Fatal(err)
	}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if ref, ok := x["$ref"].(string); ok && strings.HasPrefix(ref, "#/components/") {
				parts := strings.Split(strings.TrimPrefix(ref, "#/components/"), "/")
				comps, _ := doc["components"].(map[string]any)
				section, _ := comps[parts[0]].(map[string]any)
				if _, found := section[parts[1]]; !found {
					t.Errorf("unresolved %s", ref)
				}
			}
			for _, e := range x {
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	paths, _ := doc["paths"].(map[string]any)
	for p, ops := range paths {
		if strings.Contains(p, "purchasing") || strings.Contains(p, "procurement") {
			walk(ops)
		}
	}
	comps, _ := doc["components"].(map[string]any)
	schemas, _ := comps["schemas"].(map[string]any)
	for name, s := range schemas {
		if strings.HasPrefix(name, "Purchasing") {
			walk(s)
		}
	}
}
