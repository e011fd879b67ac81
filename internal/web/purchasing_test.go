package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"voisines/internal/money"
	"voisines/internal/purchasing"
	"voisines/internal/server/servertest"
	"voisines/internal/store"
	"voisines/internal/store/storetest"
)

// labelled checks that every visible input, select and textarea of page
// has an id that a label names.
func labelled(t *testing.T, name, page string) {
	t.Helper()
	fields := regexp.MustCompile(`<(input|select|textarea)\b[^>]*>`).FindAllString(page, -1)
	for _, f := range fields {
		if strings.Contains(f, `type="hidden"`) {
			continue
		}
		m := regexp.MustCompile(`\bid="([^"]+)"`).FindStringSubmatch(f)
		if m == nil {
			t.Errorf("%s: a field without id: %s", name, f)
			continue
		}
		if !strings.Contains(page, `for="`+m[1]+`"`) {
			t.Errorf("%s: no label for %s", name, m[1])
		}
	}
	if n := strings.Count(page, "<h1"); n != 1 {
		t.Errorf("%s: got %d h1, want 1", name, n)
	}
}

func groupOf(t *testing.T, c *servertest.Client, id int64) purchasing.Group {
	t.Helper()
	resp := c.Do("GET", fmt.Sprintf("/api/v1/purchasing-groups/%d", id), "", nil)
	var g purchasing.Group
	if err := json.Unmarshal([]byte(resp.Body), &g); err != nil {
		t.Fatalf("group %d: %v: %s", id, err, resp.Body)
	}
	return g
}

// TestPurchasingPages walks domain.md §10 example 3 through the pages under
// /achats: the coordinator opens the group and its lot, each member enters
// its needs, the page shows the procedure with the thresholds applied and
// their sources and each member's procedure alone, the launch is refused
// then recorded, the lot is awarded and the costs split, and a user of a
// commune outside the group sees nothing.
func TestPurchasingPages(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := servertest.NewPurchasingWorld(t, db)
		rodez := w.F.Client(t, servertest.ClerkRodez)
		onet := w.F.Client(t, servertest.ClerkOnet)
		conques := w.F.Client(t, servertest.BuyerConques)

		resp := rodez.Do("GET", "/achats", "", nil)
		if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Body, `aria-current="page">Achats groupés`) {
			t.Fatalf("list: got %d", resp.StatusCode)
		}
		labelled(t, "list", resp.Body)
		resp = rodez.PostForm("/achats", url.Values{"convention": {"2099-9999"}}, true)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(resp.Body, `href="#f-open-convention"`) {
			t.Fatalf("unknown convention: got %d %s", resp.StatusCode, resp.Body)
		}
		resp = rodez.PostForm("/achats", url.Values{"convention": {w.Agreement.Reference}}, true)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("open: got %d %s", resp.StatusCode, resp.Body)
		}
		var id int64
		fmt.Sscanf(resp.Header.Get("Location"), "/achats/%d", &id)
		g := groupOf(t, rodez, id)
		resp = rodez.PostForm(fmt.Sprintf("/achats/%d/lots", id), url.Values{"version": {fmt.Sprint(g.Version)}, "label": {"Produits d'entretien et papier"},
			"cpv": {"39830000-9"}, "nature": {"supplies"}, "duration_months": {"48"}, "framework": {"oui"}}, true)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("lot: got %d %s", resp.StatusCode, resp.Body)
		}
		lot := groupOf(t, rodez, id).Lots[0].ID
		for _, m := range []struct {
			c      *servertest.Client
			org    int64
			yearly string
		}{{rodez, w.Rodez, "21 500"}, {onet, w.Onet, "14 800,00"}, {conques, w.Conques, "19900"}} {
			resp := m.c.PostForm(fmt.Sprintf("/achats/%d/besoins", id), url.Values{"lot": {fmt.Sprint(lot)}, "org": {fmt.Sprint(m.org)},
				"version": {"0"}, "mode": {"yearly"}, "amount": {m.yearly}}, true)
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("need of %d: got %d %s", m.org, resp.StatusCode, resp.Body)
			}
		}
		t.Run("a mistyped need is shown again with its error", func(t *testing.T) {
			resp := onet.PostForm(fmt.Sprintf("/achats/%d/besoins", id), url.Values{"lot": {fmt.Sprint(lot)}, "org": {fmt.Sprint(w.Onet)},
				"version": {"1"}, "mode": {"total"}, "amount": {"douze"}}, true)
			key := fmt.Sprintf("f-need-%d-%d", lot, w.Onet)
			if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(resp.Body, `href="#`+key+`-amount"`) || !strings.Contains(resp.Body, `value="douze"`) {
				t.Fatalf("got %d %s", resp.StatusCode, resp.Body)
			}
		})
		t.Run("the coordinator sees every line, the procedure, its thresholds and sources", func(t *testing.T) {
			resp := rodez.Do("GET", fmt.Sprintf("/achats/%d?date=2026-07-15", id), "", nil)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("got %d", resp.StatusCode)
			}
			page := resp.Body
			labelled(t, "group", page)
			for _, want := range []string{"Procédure formalisée", money.Cents(224_800_00).String(), money.Cents(216_000_00).String(),
				"décret n° 2025-1386", "CGCT L1414-3", "Si chaque membre achetait seul", money.Cents(79_600_00).String(),
				money.Cents(59_200_00).String(), "Procédure adaptée (MAPA)", "Marché sans publicité ni mise en concurrence préalables",
				"<caption>", `scope="row"`} {
				if !strings.Contains(page, want) {
					t.Errorf("the group's page lacks %q", want)
				}
			}
		})
		t.Run("a member sees its own line only", func(t *testing.T) {
			page := onet.Do("GET", fmt.Sprintf("/achats/%d", id), "", nil).Body
			if strings.Contains(page, money.Cents(79_600_00).String()) || strings.Contains(page, money.Cents(86_000_00).String()) {
				t.Errorf("Onet sees another member's needs")
			}
			if !strings.Contains(page, money.Cents(59_200_00).String()) || strings.Contains(page, `action="/achats/`+fmt.Sprint(id)+`/lancement"`) {
				t.Errorf("Onet's page: its line, and no launch form")
			}
		})
		t.Run("the launch is refused, with the missing act named, then recorded", func(t *testing.T) {
			g := groupOf(t, rodez, id)
			resp := rodez.PostForm(fmt.Sprintf("/achats/%d/lancement", id), url.Values{"version": {fmt.Sprint(g.Version)}, "launch_date": {"2026-05-19"}}, true)
			if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(resp.Body, "délibération de « Onet-le-Château »") ||
				!strings.Contains(resp.Body, `href="#f-launch-date"`) {
				t.Fatalf("got %d %s", resp.StatusCode, resp.Body)
			}
			resp = rodez.PostForm(fmt.Sprintf("/achats/%d/lancement", id), url.Values{"version": {fmt.Sprint(g.Version)}, "launch_date": {"2026-07-15"}}, true)
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("got %d %s", resp.StatusCode, resp.Body)
			}
			page := rodez.Do("GET", fmt.Sprintf("/achats/%d", id), "", nil).Body
			if !strings.Contains(page, "Procédure arrêtée au lancement du 15 juillet 2026") || !strings.Contains(page, "enregistrés avec la procédure") {
				t.Errorf("the stored procedure is not shown")
			}
			labelled(t, "launched group", page)
		})
		t.Run("award, savings and the split of the procedure costs", func(t *testing.T) {
			resp := rodez.PostForm(fmt.Sprintf("/achats/%d/lots/%d/attribution", id, lot), url.Values{"version": {"0"}, "supplier": {"Hygiène du Rouergue"},
				"awarded_on": {"2026-07-20"}, fmt.Sprintf("price-%d", w.Rodez): {"80 000"}, fmt.Sprintf("price-%d", w.Onet): {"55 000"},
				fmt.Sprintf("price-%d", w.Conques): {"74 000"}}, true)
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("award: got %d %s", resp.StatusCode, resp.Body)
			}
			g := groupOf(t, onet, id)
			n, _ := g.Need(lot, w.Onet)
			resp = onet.PostForm(fmt.Sprintf("/achats/%d/besoins", id), url.Values{"lot": {fmt.Sprint(lot)}, "org": {fmt.Sprint(w.Onet)},
				"version": {fmt.Sprint(n.Version)}, "previous_cost": {"64 000"}}, true)
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("previous price: got %d %s", resp.StatusCode, resp.Body)
			}
			page := onet.Do("GET", fmt.Sprintf("/achats/%d", id), "", nil).Body
			if !strings.Contains(page, money.Cents(9_000_00).String()) || strings.Contains(page, money.Cents(74_000_00).String()) {
				t.Errorf("Onet's savings: want 9,000.00 and no other member's price")
			}
			resp = rodez.PostForm(fmt.Sprintf("/achats/%d/frais", id), url.Values{"what": {"Publicité"}, "amount": {"1 850,00"},
				"from": {"2026-07-01"}, "to": {"2026-12-31"}}, true)
			if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/finances/etats/") {
				t.Fatalf("costs: got %d %s", resp.StatusCode, resp.Body)
			}
			st := rodez.Do("GET", resp.Header.Get("Location"), "", nil)
			for _, want := range []string{"707,74", "487,19", "655,07"} {
				if !strings.Contains(st.Body, want) {
					t.Errorf("the statement lacks %s", want)
				}
			}
			// The draft is the coordinator's work in progress: a member sees
			// the statement once the coordinator issues it.
			draft := resp.Header.Get("Location")
			if i := strings.Index(draft, "?"); i >= 0 {
				draft = draft[:i]
			}
			page = conques.Do("GET", fmt.Sprintf("/achats/%d", id), "", nil).Body
			if strings.Contains(page, draft) {
				t.Errorf("Conques sees the link to the coordinator's draft")
			}
			if resp := rodez.PostForm(draft+"/emettre", url.Values{}, true); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("issue: got %d %s", resp.StatusCode, resp.Body)
			}
			page = conques.Do("GET", fmt.Sprintf("/achats/%d", id), "", nil).Body
			if !strings.Contains(page, draft) {
				t.Errorf("Conques does not see the issued statement's link")
			}
		})
		t.Run("a user of a commune outside the group sees nothing", func(t *testing.T) {
			agglo := w.F.Client(t, servertest.AdminAgglo)
			resp := agglo.Do("GET", fmt.Sprintf("/achats/%d", id), "", nil)
			if resp.StatusCode != http.StatusNotFound || strings.Contains(resp.Body, "Hygiène") {
				t.Fatalf("got %d", resp.StatusCode)
			}
			if page := agglo.Do("GET", "/achats", "", nil).Body; strings.Contains(page, "/achats/"+fmt.Sprint(id)) {
				t.Errorf("the list shows the group")
			}
		})
	})
}

func TestPurchasingThresholdsPage(t *testing.T) {
	f := servertest.New(t, storetest.SQLite(t), servertest.Options{})
	c := f.Client(t, servertest.Nobody)
	for _, tc := range []struct{ date, want string }{
		{"2026-03-31", money.Cents(40_000_00).String()},
		{"2026-04-01", money.Cents(60_000_00).String()},
		{"2025-06-01", money.Cents(221_000_00).String()},
		{"2023-06-01", "ne couvre pas"},
	} {
		resp := c.Do("GET", "/achats/seuils?date="+tc.date, "", nil)
		if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Body, tc.want) {
			t.Errorf("%s: got %d, want %q", tc.date, resp.StatusCode, tc.want)
		}
		labelled(t, "thresholds "+tc.date, resp.Body)
	}
}
