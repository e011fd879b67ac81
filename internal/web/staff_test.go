package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"voisines/internal/civil"
	"voisines/internal/server/servertest"
	"voisines/internal/store"
	"voisines/internal/store/storetest"
)

// TestStaffPages walks domain.md §10 example 2 through the pages under
// /personnel: Rodez records its agent, the agent's 2026 cost and the
// secondment to Conques under the signed convention, then computes the
// reimbursement of 8,670.00; forms with errors name their fields; the
// host sees the agent seconded to it; a clerk of Onet-le-Château sees
// nothing.
func TestStaffPages(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := servertest.NewStaffWorld(t, db)
		rodez := w.F.Client(t, servertest.ClerkRodez)
		conques := w.F.Client(t, servertest.HostClerk)
		onet := w.F.Client(t, servertest.ClerkOnet)
		post := func(t *testing.T, c *servertest.Client, path string, form url.Values, want int) servertest.Response {
			t.Helper()
			resp := c.PostForm(path, form, true)
			if resp.StatusCode != want {
				t.Fatalf("POST %s: got %d, want %d: %s", path, resp.StatusCode, want, resp.Body)
			}
			return resp
		}
		get := func(t *testing.T, c *servertest.Client, path string, want int) string {
			t.Helper()
			resp := c.Do("GET", path, "", nil)
			if resp.StatusCode != want {
				t.Fatalf("GET %s: got %d, want %d: %s", path, resp.StatusCode, want, resp.Body)
			}
			return resp.Body
		}
		accessible := func(t *testing.T, page string) {
			t.Helper()
			if n := strings.Count(page, "<h1"); n != 1 {
				t.Errorf("got %d h1, want 1", n)
			}
			for _, m := range regexp.MustCompile(`<(input|select|textarea) [^>]*id="([^"]+)"`).FindAllStringSubmatch(page, -1) {
				if strings.Contains(m[0], `type="hidden"`) {
					continue
				}
				if !strings.Contains(page, `for="`+m[2]+`"`) {
					t.Errorf("input %s has no label", m[2])
				}
			}
			if strings.Count(page, "<table") != strings.Count(page, "<caption>") {
				t.Errorf("a table has no caption")
			}
		}

		t.Run("the list of an organisation without agents", func(t *testing.T) {
			page := get(t, rodez, "/personnel", 200)
			accessible(t, page)
			for _, want := range []string{"Personnel mis à disposition", "Aucun agent enregistré", `aria-current="page">Personnel`, "/personnel/agents/nouveau"} {
				if !strings.Contains(page, want) {
					t.Errorf("the list lacks %q", want)
				}
			}
		})
		t.Run("a new agent without a name is refused, naming the fields", func(t *testing.T) {
			resp := post(t, rodez, "/personnel/agents", url.Values{"employer": {fmt.Sprint(w.Rodez)}, "status": {"titulaire"}}, 422)
			for _, want := range []string{`class="error-summary"`, `href="#f-agent-family"`, `href="#f-agent-given"`, "Nom : le nom de l&#39;agent est obligatoire"} {
				if !strings.Contains(resp.Body, want) {
					t.Errorf("the form lacks %q", want)
				}
			}
			accessible(t, resp.Body)
		})
		resp := post(t, rodez, "/personnel/agents", url.Values{"employer": {fmt.Sprint(w.Rodez)}, "family": {"Dupont"}, "given": {"Jeanne"},
			"grade": {"adjoint technique principal"}, "status": {"titulaire"}}, http.StatusSeeOther)
		agentPath := strings.SplitN(resp.Header.Get("Location"), "?", 2)[0]
		if !strings.HasPrefix(agentPath, "/personnel/agents/") {
			t.Fatalf("redirected to %q", resp.Header.Get("Location"))
		}
		t.Run("a cost with a wrong amount is refused, then recorded", func(t *testing.T) {
			resp := post(t, rodez, agentPath+"/couts", url.Values{"year": {"2026"}, "gross": {"trente mille"}, "source": {"DSN"}}, 422)
			if !strings.Contains(resp.Body, `href="#f-cost-gross"`) {
				t.Errorf("the summary does not link the gross pay: %s", resp.Body)
			}
			post(t, rodez, agentPath+"/couts", url.Values{"year": {"2026"}, "gross": {"30 000,00"}, "contributions": {"13 350,00"},
				"source": {"DSN décembre 2026"}}, http.StatusSeeOther)
			page := get(t, rodez, agentPath, 200)
			accessible(t, page)
			for _, want := range []string{"43\u202f350,00\u00a0€", "DSN décembre 2026", w.Agreement.Reference} {
				if !strings.Contains(page, want) {
					t.Errorf("the agent's page lacks %q", want)
				}
			}
		})
		resp = post(t, rodez, agentPath+"/mises-a-disposition", url.Values{"agreement": {fmt.Sprint(w.Agreement.ID)},
			"activities": {"Entretien des espaces verts"}, "arrete-ref": {"A-2026-031"}, "arrete-date": {"2026-04-15"}, "billing": {"prorata"},
			"hours": {"1607"}}, http.StatusSeeOther)
		secPath := strings.SplitN(resp.Header.Get("Location"), "?", 2)[0]
		t.Run("a second secondment under the convention is refused on the convention's field", func(t *testing.T) {
			resp := post(t, rodez, agentPath+"/mises-a-disposition", url.Values{"agreement": {fmt.Sprint(w.Agreement.ID)},
				"activities": {"x"}, "billing": {"prorata"}}, 422)
			if !strings.Contains(resp.Body, `href="#f-secondment-agreement"`) || !strings.Contains(resp.Body, "porte déjà une mise à disposition") {
				t.Errorf("got %s", resp.Body)
			}
		})
		t.Run("the host sees the secondment and the agent, without writing them", func(t *testing.T) {
			page := get(t, conques, "/personnel", 200)
			if !strings.Contains(page, "Dupont") || !strings.Contains(page, "Agents mis à disposition de Conques-en-Rouergue") {
				t.Errorf("the host's list lacks the agent: %s", page)
			}
			page = get(t, conques, secPath, 200)
			accessible(t, page)
			for _, want := range []string{"Mise à disposition de Jeanne Dupont", "30 %", "enregistré sur la convention", "A-2026-031"} {
				if !strings.Contains(page, want) {
					t.Errorf("the secondment's page lacks %q", want)
				}
			}
			if strings.Contains(page, "Calculer le remboursement") {
				t.Error("the host is offered to compute the reimbursement")
			}
			if page := get(t, conques, agentPath, 200); strings.Contains(page, "Enregistrer le coût") {
				t.Error("the host is offered to record a cost")
			}
		})
		t.Run("a clerk of Onet-le-Château sees nothing", func(t *testing.T) {
			for _, p := range []string{agentPath, secPath} {
				if page := get(t, onet, p, 404); strings.Contains(page, "Dupont") {
					t.Errorf("%s names the agent", p)
				}
			}
			if page := get(t, onet, "/personnel", 200); strings.Contains(page, "Dupont") {
				t.Error("Onet's list names the agent")
			}
			post(t, onet, secPath+"/remboursement", url.Values{"from": {"2026-05-01"}, "to": {"2026-12-31"}}, 404)
		})
		w.SetDate(civil.MustParse("2027-01-08"))
		t.Run("a period without its first day is refused, naming it", func(t *testing.T) {
			resp := post(t, rodez, secPath+"/remboursement", url.Values{"to": {"2026-12-31"}}, 422)
			if !strings.Contains(resp.Body, `href="#f-reimburse-from"`) {
				t.Errorf("got %s", resp.Body)
			}
		})
		t.Run("the reimbursement of May to December 2026 is 8,670.00", func(t *testing.T) {
			post(t, rodez, secPath+"/remboursement", url.Values{"from": {"2026-05-01"}, "to": {"2026-12-31"}, "label": {"2026"}}, http.StatusSeeOther)
			page := get(t, rodez, secPath, 200)
			accessible(t, page)
			for _, want := range []string{"8\u202f670,00\u00a0€", "Brouillon", "/emettre", "coût annuel 2026 de 43\u202f350,00\u00a0€"} {
				if !strings.Contains(page, want) {
					t.Errorf("the secondment's page lacks %q", want)
				}
			}
		})
	})
}
