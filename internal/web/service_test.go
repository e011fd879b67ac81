package web_test

import (
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"voisines/internal/server/servertest"
	"voisines/internal/store"
	"voisines/internal/store/storetest"
)

var (
	svcIDAttr   = regexp.MustCompile(`\sid="([^"]+)"`)
	svcInputTag = regexp.MustCompile(`<(input|select|textarea)\b[^>]*>`)
	svcLabelFor = regexp.MustCompile(`<label[^>]*\sfor="([^"]+)"`)
	svcSummary  = regexp.MustCompile(`<div class="error-summary"[\s\S]*?</div>`)
	svcAnchor   = regexp.MustCompile(`href="#([^"]+)"`)
)

// checkServicePage checks what every page of the services must hold:
// the layout, unique ids, a label for every input, and an error summary
// whose links lead to elements of the page.
func checkServicePage(t *testing.T, resp servertest.Response) {
	t.Helper()
	checkPage(t, resp)
	ids := map[string]int{}
	for _, m := range svcIDAttr.FindAllStringSubmatch(resp.Body, -1) {
		ids[m[1]]++
	}
	for id, n := range ids {
		if n > 1 {
			t.Errorf("id %q is used %d times", id, n)
		}
	}
	labelled := map[string]bool{}
	for _, m := range svcLabelFor.FindAllStringSubmatch(resp.Body, -1) {
		labelled[m[1]] = true
	}
	for _, tag := range svcInputTag.FindAllString(resp.Body, -1) {
		if strings.Contains(tag, `type="hidden"`) {
			continue
		}
		m := svcIDAttr.FindStringSubmatch(tag)
		if m == nil || !labelled[m[1]] {
			t.Errorf("input without a label: %s", tag)
		}
	}
	if s := svcSummary.FindString(resp.Body); s != "" {
		for _, m := range svcAnchor.FindAllStringSubmatch(s, -1) {
			if ids[m[1]] == 0 {
				t.Errorf("the error summary links to #%s, which is not on the page", m[1])
			}
		}
	}
}

func svcPostFile(c *servertest.Client, path, name, content string) servertest.Response {
	var body strings.Builder
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf_token", c.CSRF)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write([]byte(content))
	mw.Close()
	return c.Do("POST", path, body.String(), map[string]string{"Content-Type": mw.FormDataContentType()})
}

func svcContains(t *testing.T, resp servertest.Response, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(resp.Body, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
}

// TestServicePagesFromCostLinesToStatement drives example 6 (a) through
// the pages: the year's cost lines, the unit cost and its notification,
// the acts imported, a statement drafted and issued; then what a
// beneficiary and an outsider see.
func TestServicePagesFromCostLinesToStatement(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := servertest.NewServiceWorld(t, db)
		agglo := w.F.Client(t, servertest.AdminAgglo)
		base := fmt.Sprintf("/services/%d", w.Service.ID)

		t.Run("the provider lists its service", func(t *testing.T) {
			resp := agglo.Do("GET", "/services", "", nil)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("got %d", resp.StatusCode)
			}
			checkServicePage(t, resp)
			svcContains(t, resp, "Services que vous fournissez", `href="`+base+`">Instruction du droit des sols</a>`, `aria-current="page">Services`)
		})
		t.Run("an empty year offers the D5211-16 categories", func(t *testing.T) {
			resp := agglo.Do("GET", base+"/annees/2026", "", nil)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("got %d", resp.StatusCode)
			}
			checkServicePage(t, resp)
			svcContains(t, resp, "ne sont pas encore saisies", "Charges de personnel", "Contrats de services rattachés", "compte administratif 2025")
		})
		year := url.Values{"version": {"0"}, "rows": {"3"}, "source": {"budget prévisionnel 2026"},
			"lines[0].category": {"personnel"}, "lines[0].label": {"Coût prévisionnel du service commun"}, "lines[0].amount": {"96 000,00"}, "lines[0].eligible": {"1"},
			"lines[1].category": {"autre"}, "lines[1].label": {"Frais de siège"}, "lines[1].amount": {"4 500,00"},
			"forecast_units": {"265,5"}}
		t.Run("an excluded line without its reason is refused with a summary linking to the cell", func(t *testing.T) {
			resp := agglo.PostForm(base+"/annees/2026", year, true)
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("got %d", resp.StatusCode)
			}
			checkServicePage(t, resp)
			svcContains(t, resp, `href="#f-year-lines-1-reason"`, "Dépenses, ligne 2 : motif d&#39;exclusion", `aria-invalid="true"`, "4 500,00")
		})
		t.Run("the year is saved and the unit cost computed, rounded as the convention says", func(t *testing.T) {
			year.Set("lines[1].reason", "non strictement liée au fonctionnement du service")
			resp := agglo.PostForm(base+"/annees/2026", year, true)
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("got %d: %s", resp.StatusCode, resp.Body)
			}
			resp = agglo.Do("GET", resp.Header.Get("Location"), "", nil)
			checkServicePage(t, resp)
			svcContains(t, resp, "Coût unitaire 2026 : 361,58\u00a0€/acte pondéré", "Les dépenses de l&#39;année sont enregistrées",
				"exclu (non strictement liée", "service commun")
		})
		t.Run("the notification is recorded with its recipients", func(t *testing.T) {
			form := url.Values{"date": {"2026-04-20"}}
			for _, id := range w.Communes {
				form.Add("recipients", fmt.Sprint(id))
			}
			resp := agglo.PostForm(base+"/annees/2026/notification", form, true)
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("got %d: %s", resp.StatusCode, resp.Body)
			}
			resp = agglo.Do("GET", base+"/annees/2026", "", nil)
			svcContains(t, resp, "Coût unitaire 2026 notifié le 20 avril 2026", "Luc-la-Primaube", "sans délai légal (service commun)")
		})
		t.Run("a faulty usage file is refused whole, naming its line and column", func(t *testing.T) {
			resp := svcPostFile(agglo, base+"/usages/import", "actes.csv", "date;beneficiaire;type;quantite;reference\n2026-05-12;12202;PC;4;X-1\n2026-05-12;12218;PC;4;X-2\n")
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("got %d", resp.StatusCode)
			}
			checkServicePage(t, resp)
			svcContains(t, resp, "Le fichier est refusé en entier", `<table id="erreurs"`, "<th scope=\"row\">3</th><td>beneficiaire</td>", `href="#f-import-file"`)
			if strings.Contains(resp.Body, "X-1") {
				t.Errorf("a refused file's line appears among the usage")
			}
		})
		t.Run("the acts are imported and totalled by commune", func(t *testing.T) {
			resp := svcPostFile(agglo, base+"/usages/import", "actes.csv", servertest.ServiceADSUsage)
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("got %d: %s", resp.StatusCode, resp.Body)
			}
			resp = agglo.Do("GET", resp.Header.Get("Location"), "", nil)
			checkServicePage(t, resp)
			svcContains(t, resp, "17 ligne(s), 17 nouvelle(s), 0 corrigée(s)", "113,9", "64,9", "28,6", "41,7", "16,4", "ADS-B-PC",
				"Saisir un usage", `enctype="multipart/form-data"`)
		})
		t.Run("a use typed in the form is refused on its field, then recorded", func(t *testing.T) {
			use := url.Values{"date": {"2026-09-01"}, "beneficiary": {fmt.Sprint(w.Communes[servertest.Luc])}, "act_type": {"PC"}, "quantity": {"1,5"}}
			resp := agglo.PostForm(base+"/usages", use, true)
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("got %d", resp.StatusCode)
			}
			checkServicePage(t, resp)
			svcContains(t, resp, `href="#f-usage-quantity"`, "un nombre d&#39;actes est entier")
			use.Set("quantity", "1")
			use.Set("date", "2027-01-15")
			if resp := agglo.PostForm(base+"/usages", use, true); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("got %d: %s", resp.StatusCode, resp.Body)
			}
		})
		t.Run("a statement over more than a year is refused on its field", func(t *testing.T) {
			resp := agglo.PostForm(base+"/etats", url.Values{"from": {"2026-01-01"}, "to": {"2027-02-01"}}, true)
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("got %d", resp.StatusCode)
			}
			checkServicePage(t, resp)
			svcContains(t, resp, `href="#f-stmt-to"`, "ne peut excéder un an")
		})
		t.Run("the year's statement is drafted, then issued", func(t *testing.T) {
			resp := agglo.PostForm(base+"/etats", url.Values{"from": {"2026-01-01"}, "to": {"2026-12-31"}, "label": {"Exercice 2026"}}, true)
			if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/finances/etats/") {
				t.Fatalf("got %d to %q: %s", resp.StatusCode, resp.Header.Get("Location"), resp.Body)
			}
			id := strings.TrimPrefix(resp.Header.Get("Location"), "/finances/etats/")
			page := agglo.Do("GET", base, "", nil)
			svcContains(t, page, "Brouillon", "95\u202f999,49\u00a0€", "Émettre l'état n° 1")
			resp = agglo.PostForm(base+"/etats/"+id+"/emettre", url.Values{}, true)
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("issue: got %d: %s", resp.StatusCode, resp.Body)
			}
			page = agglo.Do("GET", resp.Header.Get("Location"), "", nil)
			checkServicePage(t, page)
			svcContains(t, page, "L&#39;état est émis", "Émis", "95\u202f999,49\u00a0€")
		})
		t.Run("a beneficiary sees the unit cost, its own usage and its own amount only", func(t *testing.T) {
			rodez := w.F.Client(t, servertest.ClerkRodez)
			resp := rodez.Do("GET", base, "", nil)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("got %d", resp.StatusCode)
			}
			checkServicePage(t, resp)
			svcContains(t, resp, "Vous ne voyez que les usages de vos organisations", "ADS-A-PC", "113,9", "41\u202f183,96\u00a0€", "361,58")
			for _, other := range []string{"ADS-B-PC", "64,9", "Saisir un usage", "Calculer le brouillon", "Supprimer l'usage"} {
				if strings.Contains(resp.Body, other) {
					t.Errorf("Rodez's page shows %q", other)
				}
			}
			if resp := rodez.Do("GET", base+"/annees/2026", "", nil); resp.StatusCode != http.StatusOK || strings.Contains(resp.Body, `id="f-year"`) {
				t.Errorf("the year page for a beneficiary: got %d, editable %v", resp.StatusCode, strings.Contains(resp.Body, `id="f-year"`))
			}
			if resp := rodez.PostForm(base+"/usages", url.Values{"date": {"2026-03-01"}}, true); resp.StatusCode != http.StatusForbidden {
				t.Errorf("a beneficiary recording usage: got %d, want 403", resp.StatusCode)
			}
		})
		t.Run("a user of no party gets 404", func(t *testing.T) {
			out := w.F.Client(t, servertest.ServiceOutsider)
			for _, p := range []string{base, base + "/annees/2026", base + "/usages/modele.csv", base + "/modifier"} {
				if resp := out.Do("GET", p, "", nil); resp.StatusCode != http.StatusNotFound {
					t.Errorf("%s: got %d, want 404", p, resp.StatusCode)
				}
			}
			if resp := out.Do("GET", "/services", "", nil); strings.Contains(resp.Body, "Instruction du droit des sols") {
				t.Errorf("the outsider's list shows the service")
			}
		})
	})
}

func TestServiceFormRefusesAChargeTheConventionDoesNotProvide(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := servertest.NewServiceWorld(t, db)
		agglo := w.F.Client(t, servertest.AdminAgglo)
		base := fmt.Sprintf("/services/%d", w.Service.ID)
		resp := agglo.Do("GET", base+"/modifier", "", nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("got %d", resp.StatusCode)
		}
		checkServicePage(t, resp)
		svcContains(t, resp, `value="CUb"`, `value="1,2"`, "Imputation sur l&#39;attribution de compensation")
		form := url.Values{"version": {"1"}, "rows": {"2"}, "name": {"ADS"}, "unit": {"act"}, "rounding": {"HALF_UP"},
			"weights[0].type": {"PC"}, "weights[0].weight": {"1"}, "weights[1].type": {"DP"}, "weights[1].weight": {"zéro"},
			"charge_against_ac": {"oui"}}
		resp = agglo.PostForm(base+"/modifier", form, true)
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("got %d", resp.StatusCode)
		}
		checkServicePage(t, resp)
		svcContains(t, resp, `href="#f-service-weights-1-weight"`, "poids invalide")
		form.Set("weights[1].weight", "0,7")
		resp = agglo.PostForm(base+"/modifier", form, true)
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("got %d", resp.StatusCode)
		}
		checkServicePage(t, resp)
		svcContains(t, resp, `href="#f-service-charge-against-ac"`, "ne prévoit pas l&#39;imputation")
		form.Set("charge_against_ac", "")
		if resp = agglo.PostForm(base+"/modifier", form, true); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("got %d: %s", resp.StatusCode, resp.Body)
		}
		if page := agglo.Do("GET", base, "", nil); !strings.Contains(page.Body, "<h1>ADS</h1>") {
			t.Errorf("the service was not renamed")
		}
		if resp := agglo.Do("GET", "/services/nouveau", "", nil); !strings.Contains(resp.Body, "Aucune convention de vos organisations") {
			t.Errorf("the new service form should say no convention is left")
		}
	})
}
