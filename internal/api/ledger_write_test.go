package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"voisines/internal/ledger"
	"voisines/internal/server/servertest"
	"voisines/internal/store"
	"voisines/internal/store/storetest"
)

// call is one request of a scenario: who sends it, and what must come back.
type call struct {
	name         string
	user         string
	method, path string
	body         string
	status       int
	contains     []string
}

// ledgerScenario runs calls in order, each as its user, and returns the
// bodies by call name.
func ledgerScenario(t *testing.T, w *servertest.LedgerWorld, calls []call) map[string]string {
	t.Helper()
	clients := map[string]*servertest.Client{}
	bodies := map[string]string{}
	for _, c := range calls {
		cl, ok := clients[c.user]
		if !ok {
			cl = w.F.Client(t, c.user)
			clients[c.user] = cl
		}
		headers := map[string]string{"X-CSRF-Token": cl.CSRF}
		resp := cl.Do(c.method, c.path, c.body, headers)
		if resp.StatusCode != c.status {
			t.Errorf("%s (%s %s as %q): got %d, want %d: %s", c.name, c.method, c.path, c.user, resp.StatusCode, c.status, resp.Body)
			continue
		}
		for _, want := range c.contains {
			if !strings.Contains(resp.Body, want) {
				t.Errorf("%s: the answer lacks %q: %s", c.name, want, resp.Body)
			}
		}
		bodies[c.name] = resp.Body
	}
	return bodies
}

func decodeAs[T any](t *testing.T, body string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	return v
}

const (
	creditor = servertest.ClerkRodez
	debtor   = servertest.ClerkConques
	stranger = servertest.ClerkOnet
	reader   = servertest.ReaderRodez
	admin    = servertest.Admin
)

// TestLedgerTermsAPI: the creditor reads and sets the terms, the debtor and
// a reader read them only, a stranger sees nothing, a stale version is a
// conflict.
func TestLedgerTermsAPI(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := servertest.NewLedgerWorld(t, db)
		w.AddClerkConques(t)
		terms := fmt.Sprintf("/api/v1/agreements/%d/terms", w.Agreement.ID)
		conques := w.F.Orgs[servertest.Conques].ID
		set := func(version int64, amount int) string {
			return fmt.Sprintf(`{"version": %d, "terms": {"mode": "forfait", "object": "Entretien des espaces verts",
				"fixed": [{"party": %d, "label": "Forfait semestriel", "amount": %d}]}}`, version, conques, amount)
		}
		bodies := ledgerScenario(t, w, []call{
			{"the creditor reads the terms", creditor, "GET", terms, "", 200, []string{`"version":1`, `"forfait"`}},
			{"the debtor reads them", debtor, "GET", terms, "", 200, []string{`"amount":123456`}},
			{"a reader reads them", reader, "GET", terms, "", 200, nil},
			{"a stranger does not see them", stranger, "GET", terms, "", 404, nil},
			{"an anonymous visitor must log in", servertest.Nobody, "GET", terms, "", 401, nil},
			{"the debtor may not set them", debtor, "PUT", terms, set(1, 100), 403, nil},
			{"a reader may not set them", reader, "PUT", terms, set(1, 100), 403, nil},
			{"a stranger is told nothing", stranger, "PUT", terms, set(1, 100), 404, nil},
			{"the creditor sets them", creditor, "PUT", terms, set(1, 130000), 200, []string{`"version":2`, `"amount":130000`}},
			{"from the old version it is a conflict", creditor, "PUT", terms, set(1, 140000), 409, []string{`"conflict"`}},
			{"a platform admin sets them", admin, "PUT", terms, set(2, 140000), 200, []string{`"version":3`}},
			{"terms of another mode are refused, naming the field", creditor, "PUT", terms,
				`{"version": 3, "terms": {"mode": "prix_unitaire", "unit_price": {"rule": {"unit_cost": "28", "rounding": "HALF_UP", "round_unit_cost_first": false}}}}`,
				422, []string{`"terms.mode"`}},
			{"a settlement against the AC is refused for a prestation", creditor, "PUT", terms,
				fmt.Sprintf(`{"version": 3, "terms": {"mode": "forfait", "settlement": "attribution_compensation", "fixed": [{"party": %d, "amount": 1}]}}`, conques),
				422, []string{`"terms.settlement"`}},
			{"an unknown field is refused", creditor, "PUT", terms, `{"version": 3, "terms": {"prix": 1}}`, 400, []string{`"prix"`}},
		})
		if tr := decodeAs[ledger.TermsRecord](t, bodies["a platform admin sets them"]); tr.Terms.Creditor != w.Rodez {
			t.Errorf("got creditor %d, want Rodez (%d) completed from the convention", tr.Terms.Creditor, w.Rodez)
		}
	})
}

// TestLedgerStatementsAPI walks a statement from preview to correction and
// checks who may do each step; both versions and the audit log's record of
// who did what are then read over HTTP.
func TestLedgerStatementsAPI(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := servertest.NewLedgerWorld(t, db)
		w.AddClerkConques(t)
		statements := fmt.Sprintf("/api/v1/agreements/%d/statements", w.Agreement.ID)
		req := `{"from": "2027-01-01", "to": "2027-06-30", "label": "1er semestre 2027"}`
		bodies := ledgerScenario(t, w, []call{
			{"the debtor previews", debtor, "POST", statements + "?preview=true", req, 200, []string{`"id":0`, `"status":"draft"`, `"total":123456`}},
			{"a reader previews", reader, "POST", statements + "?preview=true", req, 200, nil},
			{"a stranger does not", stranger, "POST", statements + "?preview=true", req, 404, nil},
			{"the debtor may not draft", debtor, "POST", statements, req, 403, nil},
			{"a reader may not draft", reader, "POST", statements, req, 403, nil},
			{"a period over the convention's six months is refused", creditor, "POST", statements,
				`{"from": "2027-01-01", "to": "2027-12-31"}`, 422, []string{`"to"`}},
			{"another convention in the body is refused", creditor, "POST", statements,
				`{"agreement_id": 999999, "from": "2027-01-01", "to": "2027-06-30"}`, 400, []string{`"agreement_id"`}},
			{"the creditor drafts", creditor, "POST", statements, req, 201, []string{`"status":"draft"`, `"number":2`}},
		})
		draft := decodeAs[ledger.Statement](t, bodies["the creditor drafts"])
		st := fmt.Sprintf("/api/v1/statements/%d", draft.ID)
		listed := func(t *testing.T, user string) bool {
			t.Helper()
			resp := w.F.Client(t, user).Do("GET", statements, "", nil)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("list as %q: got %d, want 200", user, resp.StatusCode)
			}
			list := decodeAs[struct {
				Statements []ledger.Statement `json:"statements"`
			}](t, resp.Body)
			for _, s := range list.Statements {
				if s.ID == draft.ID {
					return true
				}
			}
			return false
		}
		t.Run("the draft is the creditor's work in progress", func(t *testing.T) {
			for _, c := range []struct {
				name   string
				user   string
				listed bool
				byID   int
			}{
				{"the creditor sees its draft", creditor, true, 200},
				{"a platform admin sees it", admin, true, 200},
				{"the debtor does not, in the list or by id", debtor, false, 404},
				{"nor does a read-only user of the creditor", reader, false, 404},
			} {
				if got := listed(t, c.user); got != c.listed {
					t.Errorf("%s: got listed %t, want %t", c.name, got, c.listed)
				}
				for _, path := range []string{st, st + "/document.pdf", st + "/history"} {
					if resp := w.F.Client(t, c.user).Do("GET", path, "", nil); resp.StatusCode != c.byID {
						t.Errorf("%s: GET %s got %d, want %d", c.name, path, resp.StatusCode, c.byID)
					}
				}
			}
		})
		bodies = ledgerScenario(t, w, []call{
			{"the debtor may not recompute, nor learn of the draft", debtor, "POST", st + "/recompute", "", 404, nil},
			{"the creditor recomputes", creditor, "POST", st + "/recompute", "", 200, []string{`"status":"draft"`}},
			{"the debtor may not issue", debtor, "POST", st + "/issue", "", 404, nil},
			{"a stranger is told nothing", stranger, "POST", st + "/issue", "", 404, nil},
			{"the creditor issues", creditor, "POST", st + "/issue", "", 200, []string{`"status":"issued"`, `"flows":[{`, `"titre_account":"70878"`}},
			{"once issued, the debtor reads it", debtor, "GET", st, "", 200, []string{`"status":"issued"`}},
			{"an issued statement is not issued twice", creditor, "POST", st + "/issue", "", 422, []string{`"status"`}},
			{"nor deleted", creditor, "DELETE", st, "", 422, nil},
			{"a correction needs a reason", creditor, "POST", st + "/corrections", `{"reason": " "}`, 422, []string{`"reason"`}},
			{"the debtor may not correct", debtor, "POST", st + "/corrections", `{"reason": "erreur"}`, 403, nil},
			{"the creditor corrects", creditor, "POST", st + "/corrections",
				`{"reason": "Libellé erroné", "request": {"label": "Premier semestre 2027"}}`, 201,
				[]string{`"version":2`, `"reason":"Libellé erroné"`, `"label":"Premier semestre 2027"`, `"from":"2027-01-01"`}},
			{"the first version cannot be corrected again", creditor, "POST", st + "/corrections", `{"reason": "encore"}`, 422, nil},
		})
		second := decodeAs[statementWithFlows](t, bodies["the creditor corrects"])
		t.Run("once issued, every party lists it", func(t *testing.T) {
			for _, user := range []string{creditor, debtor, reader} {
				if !listed(t, user) {
					t.Errorf("%q: got the issued statement left out", user)
				}
			}
		})
		t.Run("both versions are kept and listed", func(t *testing.T) {
			list := decodeAs[struct {
				Statements []ledger.Statement `json:"statements"`
			}](t, w.F.Client(t, debtor).Do("GET", statements, "", nil).Body)
			var versions []string
			for _, s := range list.Statements {
				if s.Number == draft.Number {
					versions = append(versions, fmt.Sprintf("v%d %s superseded by %d", s.Version, s.Status, s.SupersededBy))
				}
			}
			want := fmt.Sprintf("[v1 issued superseded by %d v2 issued superseded by 0]", second.ID)
			if fmt.Sprint(versions) != want {
				t.Errorf("got %v, want %s", versions, want)
			}
		})
		t.Run("the history says who drafted, issued and corrected", func(t *testing.T) {
			resp := w.F.Client(t, debtor).Do("GET", st+"/history", "", nil)
			h := decodeAs[struct {
				Events []ledger.Event `json:"events"`
			}](t, resp.Body)
			var got []string
			for _, e := range h.Events {
				got = append(got, e.Action+" "+e.Actor)
			}
			who := servertest.Email(creditor)
			want := []string{"ledger.draft.create " + who, "ledger.draft.recompute " + who, "ledger.statement.issue " + who, "ledger.statement.correct " + who}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("got %v, want %v", got, want)
			}
			if resp := w.F.Client(t, stranger).Do("GET", st+"/history", "", nil); resp.StatusCode != http.StatusNotFound {
				t.Errorf("a stranger reading the history: got %d, want 404", resp.StatusCode)
			}
		})
		t.Run("a draft is deleted by the creditor only", func(t *testing.T) {
			bodies := ledgerScenario(t, w, []call{{"draft", creditor, "POST", statements,
				`{"from": "2027-07-01", "to": "2027-12-31"}`, 201, nil}})
			del := fmt.Sprintf("/api/v1/statements/%d", decodeAs[ledger.Statement](t, bodies["draft"]).ID)
			ledgerScenario(t, w, []call{
				{"the debtor may not, nor learn of it", debtor, "DELETE", del, "", 404, nil},
				{"the creditor deletes it", creditor, "DELETE", del, "", 204, nil},
				{"then it is gone", creditor, "GET", del, "", 404, nil},
			})
		})
	})
}

type statementWithFlows struct {
	ledger.Statement
	Flows []ledger.Flow `json:"flows"`
}

// TestLedgerFlowDocumentsAPI: the creditor records its titre, the debtor its
// mandat; after a correction the replaced flow's titre and mandat wait in
// each year until their cancellations are recorded.
func TestLedgerFlowDocumentsAPI(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := servertest.NewLedgerWorld(t, db)
		w.AddClerkConques(t)
		flows := decodeAs[statementWithFlows](t, w.F.Client(t, creditor).Do("GET", fmt.Sprintf("/api/v1/statements/%d", w.Statement.ID), "", nil).Body).Flows
		if len(flows) != 1 {
			t.Fatalf("got %d flows, want 1", len(flows))
		}
		flow := fmt.Sprintf("/api/v1/flows/%d", flows[0].ID)
		titre := `{"reference": "T-2027-14", "date": "2027-01-12"}`
		mandat := `{"reference": "M-2027-3", "date": "2027-01-20", "account": "62878"}`
		ledgerScenario(t, w, []call{
			{"the debtor reads the flow", debtor, "GET", flow, "", 200, []string{`"current":true`}},
			{"a stranger does not", stranger, "GET", flow, "", 404, nil},
			{"the debtor may not record the titre", debtor, "PUT", flow + "/titre", titre, 403, nil},
			{"a reader may not", reader, "PUT", flow + "/titre", titre, 403, nil},
			{"a stranger is told nothing", stranger, "PUT", flow + "/titre", titre, 404, nil},
			{"a titre needs its number", creditor, "PUT", flow + "/titre", `{"reference": ""}`, 422, []string{`"reference"`}},
			{"an account is digits", creditor, "PUT", flow + "/titre", `{"reference": "T", "account": "70 878"}`, 422, []string{`"account"`}},
			{"the creditor records the titre", creditor, "PUT", flow + "/titre", titre, 200, []string{`"reference":"T-2027-14"`, `"account":"70878"`}},
			{"the creditor may not record the mandat", creditor, "PUT", flow + "/mandat", mandat, 403, nil},
			{"the debtor records the mandat", debtor, "PUT", flow + "/mandat", mandat, 200, []string{`"reference":"M-2027-3"`, `"reference":"T-2027-14"`}},
			{"no cancellation of a current flow", creditor, "PUT", flow + "/titre-cancellation", `{"reference": "A-1"}`, 422, []string{`"side"`}},
			{"the creditor corrects the statement", creditor, "POST", fmt.Sprintf("/api/v1/statements/%d/corrections", w.Statement.ID),
				`{"reason": "Forfait révisé", "request": {}}`, 201, nil},
		})
		year := func(user string, org int64) ledger.Year {
			return decodeAs[ledger.Year](t, w.F.Client(t, user).Do("GET", fmt.Sprintf("/api/v1/organisations/%d/ledger/2026", org), "", nil).Body)
		}
		conques := w.F.Orgs[servertest.Conques].ID
		t.Run("each year lists its document to cancel", func(t *testing.T) {
			if y := year(creditor, w.Rodez); len(y.TitresToCancel) != 1 || y.TitresToCancel[0].Titre.Reference != "T-2027-14" || len(y.Titres) != 1 {
				t.Errorf("creditor: got titres to cancel %+v and titres %d", y.TitresToCancel, len(y.Titres))
			}
			if y := year(debtor, conques); len(y.MandatsToCancel) != 1 || y.MandatsToCancel[0].Mandat.Reference != "M-2027-3" {
				t.Errorf("debtor: got mandats to cancel %+v", y.MandatsToCancel)
			}
		})
		ledgerScenario(t, w, []call{
			{"the replaced flow takes no titre", creditor, "PUT", flow + "/titre", titre, 422, []string{`"side"`}},
			{"the debtor may not cancel the titre", debtor, "PUT", flow + "/titre-cancellation", `{"reference": "A-1"}`, 403, nil},
			{"the creditor records the titre d'annulation", creditor, "PUT", flow + "/titre-cancellation",
				`{"reference": "TA-2027-2", "date": "2027-02-01"}`, 200, []string{`"titre_cancellation":{"reference":"TA-2027-2"`, `"current":false`}},
			{"the creditor may not cancel the mandat", creditor, "PUT", flow + "/mandat-cancellation", `{"reference": "A-2"}`, 403, nil},
			{"the debtor cancels its mandat", debtor, "PUT", flow + "/mandat-cancellation", `{"reference": "MA-2027-1"}`, 200, []string{`"mandat_cancellation"`}},
		})
		t.Run("then nothing is left to cancel", func(t *testing.T) {
			if y := year(creditor, w.Rodez); len(y.TitresToCancel) != 0 {
				t.Errorf("creditor: got %+v", y.TitresToCancel)
			}
			if y := year(debtor, conques); len(y.MandatsToCancel) != 0 {
				t.Errorf("debtor: got %+v", y.MandatsToCancel)
			}
		})
	})
}

// TestLedgerStandaloneAndAccountsAPI: each organisation states its own
// cost of doing it alone; only a platform admin replaces the account
// mapping, from the version it read.
func TestLedgerStandaloneAndAccountsAPI(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := servertest.NewLedgerWorld(t, db)
		w.AddClerkConques(t)
		onet, conques := w.F.Orgs[servertest.Onet].ID, w.F.Orgs[servertest.Conques].ID
		path := func(org int64) string {
			return fmt.Sprintf("/api/v1/organisations/%d/ledger/2026/standalone-costs/%d", org, w.Agreement.ID)
		}
		cost := `{"standalone_cost": 300000, "own_cost": 0, "note": "Devis d'un paysagiste"}`
		ledgerScenario(t, w, []call{
			{"the debtor states its own cost", debtor, "PUT", path(conques), cost, 200, []string{`"standalone_cost":300000`}},
			{"the debtor may not state the creditor's", debtor, "PUT", path(w.Rodez), cost, 403, nil},
			{"a reader may not", reader, "PUT", path(w.Rodez), cost, 403, nil},
			{"a stranger to the convention is told nothing", stranger, "PUT", path(onet), cost, 404, nil},
			{"a negative cost is refused", debtor, "PUT", path(conques), `{"standalone_cost": -1}`, 422, []string{`"standalone_cost"`}},
			{"the debtor's year shows the saving", debtor, "GET", fmt.Sprintf("/api/v1/organisations/%d/ledger/2026", conques), "", 200,
				[]string{`"saving_information":176544`}},
		})
		bodies := ledgerScenario(t, w, []call{
			{"a clerk reads the 2027 table, in force from 2026", creditor, "GET", "/api/v1/accounts/2027", "", 200, []string{`"in_force":2026`, `"73211"`}},
			{"an anonymous visitor must log in", servertest.Nobody, "GET", "/api/v1/accounts/2027", "", 401, nil},
		})
		tb := decodeAs[ledger.AccountTable](t, bodies["a clerk reads the 2027 table, in force from 2026"])
		tb.Rules[0].Account = "7087"
		rules, _ := json.Marshal(tb.Rules)
		put := fmt.Sprintf(`{"version": %q, "rules": %s}`, tb.Version, rules)
		ledgerScenario(t, w, []call{
			{"a clerk may not replace it", creditor, "PUT", "/api/v1/accounts/2027", put, 403, nil},
			{"the EPCI's admin may not either", servertest.AdminAgglo, "PUT", "/api/v1/accounts/2027", put, 403, nil},
			{"a platform admin creates 2027's own table", admin, "PUT", "/api/v1/accounts/2027", put, 200, []string{`"in_force":2027`, `"7087"`}},
			{"from the old version it is a conflict", admin, "PUT", "/api/v1/accounts/2027", put, 409, nil},
			{"a row at fault is named", admin, "PUT", "/api/v1/accounts/2026", `{"version": "x", "rules": [{"instrument": "*", "counterparty": "autre", "side": "avoir", "account": "1"}]}`,
				422, []string{`"rules[0].side"`}},
			{"a year out of range names nothing", admin, "GET", "/api/v1/accounts/1999", "", 404, nil},
		})
	})
}
