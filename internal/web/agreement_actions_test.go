package web_test

import (
	"net/url"
	"strconv"
	"strings"
	"testing"

	"voisines/internal/server/servertest"
	"voisines/internal/store"
	"voisines/internal/store/storetest"
)

// TestAgreementActionFailuresFromItsPage posts the actions of a
// convention's page with a missing or stale version and with bad fields:
// each shows the page again, with its status, the failure's message and
// the fields at fault; a renewal that passes goes back to the page.
func TestAgreementActionFailuresFromItsPage(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		rec := w.ententeInForce(t)
		w.clock.set(amendDay)
		rodez := w.client(t, servertest.ClerkRodez)
		current := func() string {
			return strconv.FormatInt(w.api(t, 200, servertest.ClerkRodez, "GET", apiPath(rec.ID, ""), nil).Version, 10)
		}
		rodezID := strconv.FormatInt(w.org["rodez"], 10)
		for _, tc := range []struct {
			name    string
			path    string
			version string // "" for none, "current" for the one stored
			form    url.Values
			status  int
			done    string   // in the Location of a success
			content []string // in the page shown again
		}{
			{"a renewal without version asks to reload the page", "/renouvellement", "",
				url.Values{"new_end": {"2030-12-31"}, "decided_on": {amendDay.String()}}, 400, "",
				[]string{"Le formulaire est incomplet : rechargez la page.", "2030-12-31"}},
			{"a renewal without dates names both fields", "/renouvellement", "current",
				url.Values{}, 422, "", []string{`id="e-new_end"`, `id="e-decided_on"`, "indiquez le nouveau terme"}},
			{"a renewal with a malformed date names it", "/renouvellement", "current",
				url.Values{"new_end": {"31/12/2030"}, "decided_on": {amendDay.String()}}, 422, "",
				[]string{`id="e-new_end"`, "le nouveau terme : date attendue au format AAAA-MM-JJ", "31/12/2030"}},
			{"a renewal from a stale version is a conflict", "/renouvellement", "1",
				url.Values{"new_end": {"2030-12-31"}, "decided_on": {amendDay.String()}}, 409, "", nil},
			{"a signature without version asks to reload the page", "/signatures", "",
				url.Values{"org_id": {rodezID}, "signed_on": {amendDay.String()}}, 400, "",
				[]string{"Le formulaire est incomplet : rechargez la page."}},
			{"a signature without party nor date names both fields", "/signatures", "current",
				url.Values{}, 422, "", []string{"choisissez la partie qui signe", "indiquez la date de signature"}},
			{"an approval without version asks to reload the page", "/approbations", "",
				url.Values{"approval": {rodezID + ":deliberation"}, "date": {amendDay.String()}}, 400, "",
				[]string{"Le formulaire est incomplet : rechargez la page."}},
			{"an approval without choice names it", "/approbations", "current",
				url.Values{"date": {amendDay.String()}}, 422, "", []string{"choisissez l&#39;approbation à enregistrer"}},
			{"a decision without version asks to reload the page", "/decisions", "",
				url.Values{"decision_ref": {"CE-2026-1"}}, 400, "", []string{"Le formulaire est incomplet : rechargez la page.", "CE-2026-1"}},
			{"a unit cost notice without version asks to reload the page", "/cout-unitaire", "",
				url.Values{"notice_year": {"2026"}}, 400, "", []string{"Le formulaire est incomplet : rechargez la page."}},
			{"submitting without version asks to reload the page", "/soumettre", "",
				url.Values{}, 400, "", []string{"Le formulaire est incomplet : rechargez la page."}},
			{"submitting a convention in force is refused", "/soumettre", "current",
				url.Values{}, 422, "", nil},
			{"Rodez renews until 2030", "/renouvellement", "current",
				url.Values{"new_end": {"2030-12-31"}, "decided_on": {amendDay.String()}}, 303, "?fait=renouvelee", nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				switch tc.version {
				case "":
				case "current":
					tc.form.Set("version", current())
				default:
					tc.form.Set("version", tc.version)
				}
				resp := rodez.PostForm(convURL(rec.ID, tc.path), tc.form, true)
				if resp.StatusCode != tc.status {
					t.Fatalf("got status %d want %d\n%s", resp.StatusCode, tc.status, resp.Body)
				}
				if tc.done != "" {
					if got, want := resp.Header.Get("Location"), convURL(rec.ID, tc.done); got != want {
						t.Errorf("Location: got %q want %q", got, want)
					}
					return
				}
				checkPage(t, resp)
				for _, want := range tc.content {
					if !strings.Contains(resp.Body, want) {
						t.Errorf("page: want %q in it", want)
					}
				}
			})
		}
		if page := rodez.Do("GET", convURL(rec.ID, "?fait=renouvelee"), "", nil); !strings.Contains(page.Body, "Le renouvellement est enregistré.") {
			t.Errorf("the renewal is not confirmed:\n%s", page.Body)
		}
		if resp := rodez.Do("GET", apiPath(rec.ID, ""), "", nil); !strings.Contains(resp.Body, `"2030-12-31"`) {
			t.Errorf("the convention does not name its new term:\n%s", resp.Body)
		}
	})
}
