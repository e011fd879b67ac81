package api_test

import (
	"encoding/csv"
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

// The fixed price Conques owes and what Rodez states about the cost, in
// servertest's LedgerWorld.
const (
	ledgerPrice      = servertest.LedgerPrice
	ledgerStandalone = servertest.LedgerStandalone
	ledgerOwnCost    = servertest.LedgerOwnCost
)

// TestLedgerRoutes reads the year, its files, the statement and its PDF as
// a party, and gets nothing as a user of an unrelated commune.
func TestLedgerRoutes(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := servertest.NewLedgerWorld(t, db)
		yearPath := fmt.Sprintf("/api/v1/organisations/%d/ledger/2026", w.Rodez)
		routes := map[string]string{
			"year":       yearPath,
			"xlsx":       yearPath + ".xlsx",
			"csv":        yearPath + "/titres.csv",
			"statement":  fmt.Sprintf("/api/v1/statements/%d", w.Statement.ID),
			"pdf":        fmt.Sprintf("/api/v1/statements/%d/document.pdf", w.Statement.ID),
			"statements": fmt.Sprintf("/api/v1/agreements/%d/statements", w.Agreement.ID),
		}
		clerk := w.F.Client(t, servertest.ClerkRodez)

		t.Run("the creditor sees its year with its totals", func(t *testing.T) {
			resp := clerk.Do("GET", routes["year"], "", nil)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("got %d: %s", resp.StatusCode, resp.Body)
			}
			var y ledger.Year
			if err := json.Unmarshal([]byte(resp.Body), &y); err != nil {
				t.Fatal(err)
			}
			if y.OrgID != w.Rodez || y.Year != 2026 || y.TotalTitres != ledgerPrice || y.TotalMandats != 0 {
				t.Fatalf("got org %d year %d titres %s mandats %s, want titres %s", y.OrgID, y.Year, y.TotalTitres, y.TotalMandats, ledgerPrice)
			}
			if len(y.Titres) != 1 || y.Titres[0].StatementID != w.Statement.ID || y.Titres[0].Amount != ledgerPrice {
				t.Fatalf("titres: %+v", y.Titres)
			}
			if len(y.Partners) != 1 || y.Partners[0].Titres != ledgerPrice || y.Partners[0].NetInformation != ledgerPrice {
				t.Fatalf("partners: %+v", y.Partners)
			}
			if len(y.Conventions) != 1 || y.Conventions[0].Saving == nil {
				t.Fatalf("conventions: %+v", y.Conventions)
			}
			// net cost = own cost + mandats − titres; saving = standalone − net cost
			if net, save := *y.Conventions[0].NetCost, *y.Conventions[0].Saving; net != ledgerOwnCost-ledgerPrice || save != ledgerStandalone-net {
				t.Errorf("got net cost %s and saving %s", net, save)
			}
		})
		t.Run("the files have their content types", func(t *testing.T) {
			for name, want := range map[string]string{
				"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
				"csv":  "text/csv", "pdf": "application/pdf",
			} {
				resp := clerk.Do("GET", routes[name], "", nil)
				if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), want) {
					t.Errorf("%s: got %d %q, want 200 %s", name, resp.StatusCode, resp.Header.Get("Content-Type"), want)
				}
				if resp.Header.Get("Content-Disposition") == "" {
					t.Errorf("%s: no Content-Disposition", name)
				}
				switch name {
				case "pdf":
					if !strings.HasPrefix(resp.Body, "%PDF-") {
						t.Errorf("pdf: body starts %q", resp.Body[:min(len(resp.Body), 10)])
					}
				case "xlsx":
					if !strings.HasPrefix(resp.Body, "PK") {
						t.Errorf("xlsx: not a zip")
					}
				case "csv":
					rows, err := csvRows(resp.Body)
					if err != nil || len(rows) != 2 || rows[1][0] != "Conques-en-Rouergue" || rows[1][5] != ledgerPrice.Plain() {
						t.Errorf("csv: %v %q", err, rows)
					}
				}
			}
		})
		t.Run("the statement and the convention's statements", func(t *testing.T) {
			var st struct {
				ledger.Statement
				Flows []ledger.Flow `json:"flows"`
			}
			if err := json.Unmarshal([]byte(clerk.Do("GET", routes["statement"], "", nil).Body), &st); err != nil {
				t.Fatal(err)
			}
			if st.ID != w.Statement.ID || st.Status != ledger.Issued || st.Result.Total != ledgerPrice || len(st.Flows) != 1 || len(st.Result.Explain) == 0 {
				t.Fatalf("statement: %+v", st)
			}
			var list struct {
				Statements []ledger.Statement `json:"statements"`
			}
			if err := json.Unmarshal([]byte(clerk.Do("GET", routes["statements"], "", nil).Body), &list); err != nil {
				t.Fatal(err)
			}
			if len(list.Statements) != 1 || list.Statements[0].ID != w.Statement.ID {
				t.Fatalf("statements: %+v", list.Statements)
			}
		})
		t.Run("a user of an unrelated commune gets nothing", func(t *testing.T) {
			onet := w.F.Client(t, servertest.ClerkOnet)
			for name, p := range routes {
				resp := onet.Do("GET", p, "", nil)
				if resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusNotFound {
					t.Errorf("%s %s: got %d, want 403 or 404", name, p, resp.StatusCode)
				}
				if strings.Contains(resp.Body, "Conques") {
					t.Errorf("%s: the answer names the debtor: %s", name, resp.Body)
				}
			}
		})
		t.Run("an anonymous visitor must log in", func(t *testing.T) {
			anon := w.F.Client(t, servertest.Nobody)
			for name, p := range routes {
				if resp := anon.Do("GET", p, "", nil); resp.StatusCode != http.StatusUnauthorized {
					t.Errorf("%s: got %d, want 401", name, resp.StatusCode)
				}
			}
		})
	})
}

func csvRows(body string) ([][]string, error) {
	r := csv.NewReader(strings.NewReader(body))
	r.Comma = ';'
	return r.ReadAll()
}
