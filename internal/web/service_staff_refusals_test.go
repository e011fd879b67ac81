package web_test

import (
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"voisines/internal/server/servertest"
	"voisines/internal/store"
	"voisines/internal/store/storetest"
)

// TestServiceRefusalsComeBackOnTheirForm checks that each form of the
// services' pages, once refused, comes back on its page with a summary
// linking to its inputs (or to the form), and that an error no form shows
// (an unknown statement) answers 404.
func TestServiceRefusalsComeBackOnTheirForm(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := servertest.NewServiceWorld(t, db)
		agglo := w.F.Client(t, servertest.AdminAgglo)
		base := fmt.Sprintf("/services/%d", w.Service.ID)
		noFile := func() servertest.Response {
			var body strings.Builder
			mw := multipart.NewWriter(&body)
			mw.WriteField("csrf_token", agglo.CSRF)
			mw.Close()
			return agglo.Do("POST", base+"/usages/import", body.String(), map[string]string{"Content-Type": mw.FormDataContentType()})
		}

		// A year, the acts and an issued statement, for the statements' refusals.
		year := url.Values{"version": {"0"}, "rows": {"1"}, "source": {"budget prévisionnel 2026"}, "forecast_units": {"265,5"},
			"lines[0].category": {"personnel"}, "lines[0].label": {"Coût du service"}, "lines[0].amount": {"96 000,00"}, "lines[0].eligible": {"1"}}
		if resp := agglo.PostForm(base+"/annees/2026", year, true); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("year: got %d: %s", resp.StatusCode, resp.Body)
		}
		if resp := svcPostFile(agglo, base+"/usages/import", "actes.csv", servertest.ServiceADSUsage); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("import: got %d: %s", resp.StatusCode, resp.Body)
		}
		resp := agglo.PostForm(base+"/etats", url.Values{"from": {"2026-01-01"}, "to": {"2026-12-31"}}, true)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("draft: got %d: %s", resp.StatusCode, resp.Body)
		}
		issued := base + "/etats/" + strings.TrimPrefix(resp.Header.Get("Location"), "/finances/etats/")
		if resp := agglo.PostForm(issued+"/emettre", url.Values{}, true); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("issue: got %d: %s", resp.StatusCode, resp.Body)
		}

		tests := []struct {
			name  string
			send  func() servertest.Response
			code  int
			wants []string
			not   []string
		}{
			// The world's only convention has its service: the page shows
			// no form, so a crafted POST is refused at the top of the page
			// with the reason, without links to absent inputs.
			{"a new service with a faulty weight, without a convention to carry it, says there is none",
				func() servertest.Response {
					return agglo.PostForm("/services/nouveau", url.Values{"rows": {"1"}, "unit": {"act"}, "weights[0].weight": {"x"}}, true)
				},
				http.StatusUnprocessableEntity, []string{"<h1>Enregistrer un service partagé</h1>",
					"Le service n&#39;est pas enregistré : aucune convention de vos organisations ne peut le porter.",
					"Aucune convention de vos organisations ne peut porter un nouveau service"},
				[]string{`href="#f-`, `id="f-service"`, "poids invalide"}},
			{"a new service under an unknown convention, without a convention to carry it, says there is none",
				func() servertest.Response {
					return agglo.PostForm("/services/nouveau", url.Values{"agreement_id": {"99999"}, "name": {"Voirie"}, "unit": {"hour"}}, true)
				},
				http.StatusUnprocessableEntity, []string{"Le service n&#39;est pas enregistré : aucune convention de vos organisations ne peut le porter."},
				[]string{`href="#f-`, "99999"}},
			{"a year with a faulty update comes back with the lines typed",
				func() servertest.Response {
					y := url.Values{}
					for k, v := range year {
						y[k] = v
					}
					y.Set("version", "1")
					y.Set("budget_update", "xx")
					return agglo.PostForm(base+"/annees/2026", y, true)
				},
				http.StatusUnprocessableEntity, []string{`href="#f-year-budget-update"`, `aria-describedby="e-year-budget-update"`, `value="Coût du service"`}, nil},
			{"a notification without date nor recipient names both",
				func() servertest.Response {
					return agglo.PostForm(base+"/annees/2026/notification", url.Values{"date": {"x"}}, true)
				},
				http.StatusUnprocessableEntity, []string{`href="#f-notice-date"`, `href="#f-notice-recipients"`, "cochez au moins un bénéficiaire notifié"}, nil},
			{"an import without a file asks for one", noFile,
				http.StatusUnprocessableEntity, []string{"Choisissez le fichier CSV des usages à importer.", `href="#f-import-file"`, "aucun fichier reçu"}, nil},
			{"a draft with a faulty first day keeps what was typed",
				func() servertest.Response {
					return agglo.PostForm(base+"/etats", url.Values{"from": {"x"}, "to": {"2026-02-01"}, "label": {"Février"}}, true)
				},
				http.StatusUnprocessableEntity, []string{`href="#f-stmt-from"`, `value="2026-02-01"`, `value="Février"`}, nil},
			// The world's service is billed by unit price: its statement
			// form has no actual cost, and a posted one is ignored.
			{"a unit-price draft with a faulty first day ignores a posted actual cost",
				func() servertest.Response {
					return agglo.PostForm(base+"/etats", url.Values{"from": {"x"}, "to": {"2026-02-01"}, "actual_amount": {"xx"}, "actual_label": {"Coût"}}, true)
				},
				http.StatusUnprocessableEntity, []string{`href="#f-stmt-from"`},
				[]string{"f-stmt-actual-amount", "f-stmt-actual-label", "montant invalide", "Coût réel"}},
			{"issuing an issued statement is refused on the statements' form",
				func() servertest.Response { return agglo.PostForm(issued+"/emettre", url.Values{}, true) },
				http.StatusUnprocessableEntity, []string{`href="#f-stmt"`, "est émis : il ne change plus"}, nil},
			{"recomputing an issued statement is refused on the statements' form",
				func() servertest.Response { return agglo.PostForm(issued+"/recalculer", url.Values{}, true) },
				http.StatusUnprocessableEntity, []string{`href="#f-stmt"`, "est émis : il ne change plus"}, nil},
			{"recomputing an unknown statement is not found",
				func() servertest.Response { return agglo.PostForm(base+"/etats/99999/recalculer", url.Values{}, true) },
				http.StatusNotFound, nil, nil},
			{"a unit-price draft with a sound period is drafted whatever actual cost is posted",
				func() servertest.Response {
					return agglo.PostForm(base+"/etats", url.Values{"from": {"2026-01-01"}, "to": {"2026-06-30"}, "actual_amount": {"xx"}}, true)
				},
				http.StatusSeeOther, nil, nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				resp := tt.send()
				if resp.StatusCode != tt.code {
					t.Fatalf("got %d, want %d: %s", resp.StatusCode, tt.code, resp.Body)
				}
				if tt.code == http.StatusUnprocessableEntity {
					checkServicePage(t, resp)
				}
				svcContains(t, resp, tt.wants...)
				for _, not := range tt.not {
					if strings.Contains(resp.Body, not) {
						t.Errorf("the page holds %q", not)
					}
				}
			})
		}
	})
}

// TestStaffRefusalsComeBackOnTheirPage checks the agent's form on both
// its pages (new agent, agent's page) and the refusals of the agent's and
// the secondment's forms: each comes back on its page, naming its fields
// and keeping what was typed.
func TestStaffRefusalsComeBackOnTheirPage(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := servertest.NewStaffWorld(t, db)
		rodez := w.F.Client(t, servertest.ClerkRodez)
		resp := rodez.PostForm("/personnel/agents", url.Values{"employer": {fmt.Sprint(w.Rodez)}, "family": {"Dupont"}, "given": {"Jeanne"},
			"grade": {"adjoint technique"}, "status": {"titulaire"}}, true)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("agent: got %d: %s", resp.StatusCode, resp.Body)
		}
		agent := strings.SplitN(resp.Header.Get("Location"), "?", 2)[0]
		resp = rodez.PostForm(agent+"/mises-a-disposition", url.Values{"agreement": {fmt.Sprint(w.Agreement.ID)}, "activities": {"Espaces verts"},
			"billing": {"prorata"}, "hours": {"1607"}}, true)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("secondment: got %d: %s", resp.StatusCode, resp.Body)
		}
		sec := strings.SplitN(resp.Header.Get("Location"), "?", 2)[0]
		agentFields := []string{
			`<label for="f-agent-family">Nom de famille</label>`, `<label for="f-agent-given">Prénom</label>`,
			`<label for="f-agent-grade">Grade <span class="hint">(par exemple adjoint technique principal de 2e classe)</span></label>`,
			`<select id="f-agent-status" name="status">`,
		}

		tests := []struct {
			name  string
			send  func() servertest.Response
			code  int
			wants []string
			not   []string
		}{
			{"the new agent's form offers the employer and the agent's fields",
				func() servertest.Response { return rodez.Do("GET", "/personnel/agents/nouveau", "", nil) },
				http.StatusOK, append([]string{`<select id="f-agent-employer" name="employer">`, "Enregistrer l&#39;agent</button>"}, agentFields...),
				[]string{`name="version"`}},
			{"the agent's page offers the same fields with the version",
				func() servertest.Response { return rodez.Do("GET", agent, "", nil) },
				http.StatusOK, append([]string{`<input type="hidden" name="version" value="1">`, `value="adjoint technique"`, "Enregistrer la fiche</button>"}, agentFields...),
				[]string{`id="f-agent-employer"`}},
			{"a new agent without names is refused on the new agent's form",
				func() servertest.Response {
					return rodez.PostForm("/personnel/agents", url.Values{"employer": {fmt.Sprint(w.Rodez)}, "status": {"titulaire"}, "grade": {"attaché"}}, true)
				},
				http.StatusUnprocessableEntity, []string{`href="#f-agent-family"`, `aria-describedby="e-agent-family"`, `<p class="error-text" id="e-agent-given">`, `value="attaché"`},
				nil},
			{"an agent's record without a name is refused on the agent's page, keeping what was typed",
				func() servertest.Response {
					return rodez.PostForm(agent, url.Values{"version": {"1"}, "family": {""}, "given": {"Jeanne"}, "grade": {"attaché"}, "status": {"titulaire"}}, true)
				},
				http.StatusUnprocessableEntity, []string{"<h1>Jeanne Dupont</h1>", `href="#f-agent-family"`, `aria-describedby="e-agent-family"`, `value="attaché"`},
				[]string{`aria-describedby="e-agent-given"`}},
			{"an agent's record changed meanwhile is a conflict",
				func() servertest.Response {
					return rodez.PostForm(agent, url.Values{"version": {"99"}, "family": {"Dupont"}, "given": {"Jeanne"}, "status": {"titulaire"}}, true)
				},
				http.StatusConflict, []string{"modifiées par quelqu&#39;un d&#39;autre"}, nil},
			{"a consent without a valid date is refused on the secondment's page",
				func() servertest.Response {
					return rodez.PostForm(sec+"/accord", url.Values{"consent-date": {"x"}}, true)
				},
				http.StatusUnprocessableEntity, []string{"<h1>Mise à disposition de Jeanne Dupont</h1>", `href="#f-consent-consent-date"`}, nil},
			{"a time record with a faulty duration is refused on the secondment's page",
				func() servertest.Response {
					return rodez.PostForm(sec+"/temps", url.Values{"date": {"2026-06-01"}, "duration": {"zz"}}, true)
				},
				http.StatusUnprocessableEntity, []string{`href="#f-time-duration"`, "n&#39;est pas une durée"}, nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				resp := tt.send()
				if resp.StatusCode != tt.code {
					t.Fatalf("got %d, want %d: %s", resp.StatusCode, tt.code, resp.Body)
				}
				for _, want := range tt.wants {
					if !strings.Contains(resp.Body, want) {
						t.Errorf("the page lacks %q", want)
					}
				}
				for _, not := range tt.not {
					if strings.Contains(resp.Body, not) {
						t.Errorf("the page holds %q", not)
					}
				}
			})
		}
	})
}
