package web_test

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"voisines/internal/export/xlsx"
	"voisines/internal/money"
	"voisines/internal/server/servertest"
	"voisines/internal/store"
	"voisines/internal/store/storetest"
)

const (
	creditor = servertest.ClerkRodez
	debtor   = servertest.ClerkConques
	stranger = servertest.ClerkOnet
	reader   = servertest.ReaderRodez
	admin    = servertest.Admin
)

// page is one request of a scenario and what must come back.
type page struct {
	name     string
	user     string
	method   string // GET, or POST for a form
	path     string
	form     url.Values
	status   int
	contains []string
	lacks    []string
	location string // the redirect's prefix, for a 303
}

// browse runs pages in order, each as its user (logged in once), and
// returns the bodies and redirects by page name.
func browse(t *testing.T, w *servertest.LedgerWorld, pages []page) map[string]servertest.Response {
	t.Helper()
	clients := map[string]*servertest.Client{}
	out := map[string]servertest.Response{}
	for _, p := range pages {
		c, ok := clients[p.user]
		if !ok {
			c = w.F.Client(t, p.user)
			clients[p.user] = c
		}
		var resp servertest.Response
		if p.method == "POST" {
			form := url.Values{}
			for k, v := range p.form {
				form[k] = v
			}
			resp = c.PostForm(p.path, form, true)
		} else {
			resp = c.Do("GET", p.path, "", nil)
		}
		out[p.name] = resp
		if resp.StatusCode != p.status {
			t.Errorf("%s (%s %s as %q): got %d, want %d: %s", p.name, p.method, p.path, p.user, resp.StatusCode, p.status, excerpt(resp.Body))
			continue
		}
		if p.location != "" && !strings.HasPrefix(resp.Header.Get("Location"), p.location) {
			t.Errorf("%s: got Location %q, want %s…", p.name, resp.Header.Get("Location"), p.location)
		}
		for _, want := range p.contains {
			if !strings.Contains(resp.Body, want) && !strings.Contains(resp.Body, html.EscapeString(want)) {
				t.Errorf("%s: the page lacks %q", p.name, want)
			}
		}
		for _, bad := range p.lacks {
			if strings.Contains(resp.Body, bad) || strings.Contains(resp.Body, html.EscapeString(bad)) {
				t.Errorf("%s: the page shows %q", p.name, bad)
			}
		}
		if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") &&
			(resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusUnprocessableEntity || resp.StatusCode == http.StatusConflict) {
			checkAccessible(t, p.name, resp.Body)
		}
	}
	return out
}

func excerpt(s string) string {
	if i := strings.Index(s, `<main`); i >= 0 {
		s = s[i:]
	}
	return s[:min(len(s), 1500)]
}

var (
	inputTag = regexp.MustCompile(`<(input|select|textarea)\b[^>]*>`)
	idAttr   = regexp.MustCompile(`\bid="([^"]+)"`)
	labelFor = regexp.MustCompile(`<label[^>]*\bfor="([^"]+)"`)
)

// checkAccessible checks what every page must: one h1, a label for every
// input, a caption for every table, error summaries linking to inputs
// that exist.
func checkAccessible(t *testing.T, name, body string) {
	t.Helper()
	if n := strings.Count(body, "<h1"); n != 1 {
		t.Errorf("%s: got %d h1, want 1", name, n)
	}
	labels := map[string]bool{}
	for _, m := range labelFor.FindAllStringSubmatch(body, -1) {
		labels[m[1]] = true
	}
	ids := map[string]bool{}
	for _, m := range idAttr.FindAllStringSubmatch(body, -1) {
		ids[m[1]] = true
	}
	for _, tag := range inputTag.FindAllString(body, -1) {
		if strings.Contains(tag, `type="hidden"`) {
			continue
		}
		m := idAttr.FindStringSubmatch(tag)
		if m == nil || !labels[m[1]] {
			t.Errorf("%s: an input has no label: %s", name, tag)
		}
	}
	if strings.Count(body, "<table") != strings.Count(body, "<caption>") {
		t.Errorf("%s: a table has no caption", name)
	}
	if i := strings.Index(body, `class="error-summary"`); i >= 0 {
		summary := body[i:]
		summary = summary[:strings.Index(summary, "</div>")]
		for _, m := range regexp.MustCompile(`href="#([^"]+)"`).FindAllStringSubmatch(summary, -1) {
			if !ids[m[1]] {
				t.Errorf("%s: the error summary links to #%s, which is not on the page", name, m[1])
			}
		}
	}
}

func fixedTerms(w *servertest.LedgerWorld, version, amount string) url.Values {
	conques := fmt.Sprint(w.F.Orgs[servertest.Conques].ID)
	return url.Values{"version": {version}, "mode": {"forfait"}, "creditor": {fmt.Sprint(w.Rodez)}, "parties.0": {conques},
		"object": {"Entretien des espaces verts"}, "period_months": {"6"},
		"fixed.0.party": {conques}, "fixed.0.label": {"Forfait semestriel"}, "fixed.0.amount": {amount}}
}

// TestLedgerTermsPages: the creditor sets the convention's terms through
// the form; the debtor and a reader see them, a stranger nothing.
func TestLedgerTermsPages(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := servertest.NewLedgerWorld(t, db)
		w.AddClerkConques(t)
		fin := fmt.Sprintf("/conventions/%d/finances", w.Agreement.ID)
		price := servertest.LedgerPrice.String()
		browse(t, w, []page{
			{"the creditor sees the convention's finances", creditor, "GET", fin, nil, 200,
				[]string{"Conditions financières", "Forfait de " + price + " dû par Conques-en-Rouergue", "Modifier les conditions financières",
					fmt.Sprintf("/finances/etats/%d", w.Statement.ID), "Calculer un état"}, nil, ""},
			{"the debtor sees them without the creditor's links", debtor, "GET", fin, nil, 200,
				[]string{"Forfait de " + price, "Calculer un aperçu"}, []string{"Modifier les conditions"}, ""},
			{"a stranger sees nothing", stranger, "GET", fin, nil, 404, nil, []string{"Conques"}, ""},
			{"the creditor gets the form", creditor, "GET", fin + "/conditions", nil, 200,
				[]string{`name="fixed.0.amount"`, `value="` + servertest.LedgerPrice.French() + `"`, "Créancier (la partie qui facture)", `name="version" value="1"`}, nil, ""},
			{"the debtor does not", debtor, "GET", fin + "/conditions", nil, 403, nil, nil, ""},
			{"nor a reader", reader, "GET", fin + "/conditions", nil, 403, nil, nil, ""},
			{"nor a stranger", stranger, "GET", fin + "/conditions", nil, 404, nil, nil, ""},
			{"a malformed amount is shown back with its error", creditor, "POST", fin + "/conditions", fixedTerms(w, "1", "12,345"), 422,
				[]string{"error-summary", `href="#f-fixed-0-amount"`, "Montant du forfait (ligne 1)", `value="12,345"`}, nil, ""},
			{"the debtor may not post them", debtor, "POST", fin + "/conditions", fixedTerms(w, "1", "1 300,00"), 403, nil, nil, ""},
			{"the creditor saves them", creditor, "POST", fin + "/conditions", fixedTerms(w, "1", "1 300,00"), 303, nil, nil, fin + "?fait=conditions"},
			{"the convention's page shows the new price", creditor, "GET", fin + "?fait=conditions", nil, 200,
				[]string{"Les conditions financières sont enregistrées.", "Forfait de " + money.Cents(1_300_00).String(), "Version 2"}, nil, ""},
			{"the same form again is a conflict", creditor, "POST", fin + "/conditions", fixedTerms(w, "1", "1 400,00"), 409,
				[]string{"error-summary"}, nil, ""},
		})
	})
}

// TestLedgerStatementPages walks a statement through the pages: preview,
// draft, recompute, issue after confirmation, correction; both versions
// and who did what are shown.
func TestLedgerStatementPages(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := servertest.NewLedgerWorld(t, db)
		w.AddClerkConques(t)
		fin := fmt.Sprintf("/conventions/%d/finances", w.Agreement.ID)
		price := servertest.LedgerPrice.String()
		period := func(action string) url.Values {
			return url.Values{"from": {"2027-01-01"}, "to": {"2027-06-30"}, "label": {"1er semestre 2027"}, "action": {action}}
		}
		got := browse(t, w, []page{
			{"the creditor gets the statement form", creditor, "GET", fin + "/etat", nil, 200,
				[]string{`name="from" value="2027-01-01"`, `name="to" value="2027-06-30"`, "Enregistrer le brouillon"}, nil, ""},
			{"the debtor previews", debtor, "POST", fin + "/etat", period("apercu"), 200,
				[]string{"Aperçu (non enregistré)", price, "Le calcul, ligne à ligne"}, []string{"Enregistrer le brouillon"}, ""},
			{"the debtor may not draft", debtor, "POST", fin + "/etat", period("brouillon"), 403, nil, nil, ""},
			{"a stranger may not preview", stranger, "POST", fin + "/etat", period("apercu"), 404, nil, nil, ""},
			{"a period past the convention's six months is shown back", creditor, "POST", fin + "/etat",
				url.Values{"from": {"2027-01-01"}, "to": {"2027-12-31"}, "action": {"apercu"}}, 422,
				[]string{"error-summary", `href="#f-to"`, "6 mois"}, nil, ""},
			{"the creditor drafts", creditor, "POST", fin + "/etat", period("brouillon"), 303, nil, nil, "/finances/etats/"},
		})
		draft := got["the creditor drafts"].Header.Get("Location")
		draft = strings.TrimSuffix(draft, "?fait=brouillon")
		got = browse(t, w, []page{
			{"the draft offers recompute, delete and issue", creditor, "GET", draft + "?fait=brouillon", nil, 200,
				[]string{"Brouillon", "Le brouillon de l'état est enregistré", "Recalculer le brouillon", "Supprimer le brouillon", "Émettre cet état"}, nil, ""},
			{"the debtor is told nothing of the creditor's draft", debtor, "GET", draft, nil, 404, nil, nil, ""},
			{"nor does the convention's finances page list it to the debtor", debtor, "GET", fin, nil, 200, nil, []string{draft + `"`}, ""},
			{"the creditor's convention page lists it", creditor, "GET", fin, nil, 200, []string{draft + `"`}, nil, ""},
			{"its PDF is not sent to the debtor either", debtor, "GET", draft + ".pdf", nil, 404, nil, nil, ""},
			{"the creditor recomputes", creditor, "POST", draft + "/recalculer", url.Values{}, 303, nil, nil, draft + "?fait=recalcule"},
			{"the debtor may not issue", debtor, "GET", draft + "/emettre", nil, 404, nil, nil, ""},
			{"issuing asks for confirmation", creditor, "GET", draft + "/emettre", nil, 200,
				[]string{"Confirmer l'émission", price, "le fige"}, nil, ""},
			{"the creditor confirms", creditor, "POST", draft + "/emettre", url.Values{}, 303, nil, nil, draft + "?fait=emis"},
			{"once issued, the debtor sees it", debtor, "GET", draft, nil, 200, []string{"Émis"}, []string{"Émettre cet état", "Supprimer le brouillon"}, ""},
			{"and finds it on the convention's finances page", debtor, "GET", fin, nil, 200, []string{draft + `"`}, nil, ""},
			{"the issued statement offers its titre and its correction", creditor, "GET", draft + "?fait=emis", nil, 200,
				[]string{"L'état est émis", "Corriger cet état", "Saisir<span class=\"visually-hidden\"> le titre dû par Conques-en-Rouergue",
					"État émis", servertest.Email(creditor)}, []string{"Saisir<span class=\"visually-hidden\"> le mandat"}, ""},
			{"the debtor may record its mandat there", debtor, "GET", draft, nil, 200,
				[]string{"Saisir<span class=\"visually-hidden\"> le mandat de Conques-en-Rouergue"}, []string{"Corriger cet état"}, ""},
			{"the correction form starts from the statement", creditor, "GET", draft + "/corriger", nil, 200,
				[]string{`value="2027-01-01"`, `value="1er semestre 2027"`, "Motif de la correction", "Émettre la version corrigée"}, nil, ""},
			{"the debtor may not correct", debtor, "GET", draft + "/corriger", nil, 403, nil, nil, ""},
			{"a correction needs its reason", creditor, "POST", draft + "/corriger", period("corriger"), 422,
				[]string{`href="#f-reason"`}, nil, ""},
		})
		correct := period("corriger")
		correct.Set("reason", "Libellé à revoir")
		correct.Set("label", "Premier semestre 2027")
		got = browse(t, w, []page{
			{"the creditor corrects", creditor, "POST", draft + "/corriger", correct, 303, nil, nil, "/finances/etats/"},
		})
		second := strings.TrimSuffix(got["the creditor corrects"].Header.Get("Location"), "?fait=corrige")
		browse(t, w, []page{
			{"the correction shows both versions and who did what", debtor, "GET", second, nil, 200,
				[]string{"Version</dt><dd>2 — correction : Libellé à revoir", "Émis, remplacé par une correction", "Brouillon calculé et enregistré",
					"Brouillon recalculé", "État émis", "Version corrigée émise", servertest.Email(creditor)}, nil, ""},
			{"the first version is kept, replaced", debtor, "GET", draft, nil, 200,
				[]string{"Émis, remplacé par une correction", "Non (remplacé)"}, []string{"Corriger cet état"}, ""},
			{"the convention lists both", debtor, "GET", fin, nil, 200, []string{draft + `"`, second + `"`}, nil, ""},
		})
		got = browse(t, w, []page{{"another draft", creditor, "POST", fin + "/etat",
			url.Values{"from": {"2027-07-01"}, "to": {"2027-12-31"}, "action": {"brouillon"}}, 303, nil, nil, "/finances/etats/"}})
		other := strings.TrimSuffix(got["another draft"].Header.Get("Location"), "?fait=brouillon")
		browse(t, w, []page{
			{"the debtor may not delete it, nor learn of it", debtor, "POST", other + "/supprimer", url.Values{}, 404, nil, nil, ""},
			{"the creditor deletes it", creditor, "POST", other + "/supprimer", url.Values{}, 303, nil, nil, fin + "?fait=supprime"},
			{"it is gone", creditor, "GET", other, nil, 404, nil, nil, ""},
		})
	})
}

// TestLedgerDocumentPages: each side records its document from the year's
// page; a correction leaves the recorded titre and mandat to cancel until
// their cancellations are recorded.
func TestLedgerDocumentPages(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := servertest.NewLedgerWorld(t, db)
		w.AddClerkConques(t)
		conques := w.F.Orgs[servertest.Conques].ID
		rodezYear := fmt.Sprintf("/finances?annee=2026&org=%d", w.Rodez)
		conquesYear := fmt.Sprintf("/finances?annee=2026&org=%d", conques)
		price := servertest.LedgerPrice.String()
		got := browse(t, w, []page{{"the creditor's year", creditor, "GET", rodezYear, nil, 200, []string{"/finances/flux/"}, nil, ""}})
		m := regexp.MustCompile(`/finances/flux/(\d+)/titre`).FindStringSubmatch(got["the creditor's year"].Body)
		if m == nil {
			t.Fatal("no link to record the titre on the creditor's year")
		}
		flow := "/finances/flux/" + m[1]
		doc := func(ref, back string) url.Values {
			return url.Values{"reference": {ref}, "date": {"2027-01-15"}, "account": {""}, "retour": {back}}
		}
		browse(t, w, []page{
			{"the titre form shows the flow and the suggested account", creditor, "GET", flow + "/titre?retour=" + url.QueryEscape(rodezYear), nil, 200,
				[]string{"Enregistrer le titre de recettes", price, `value="70878"`, "Conques-en-Rouergue"}, nil, ""},
			{"the debtor may not record the titre", debtor, "GET", flow + "/titre", nil, 403, nil, nil, ""},
			{"nor a reader", reader, "POST", flow + "/titre", doc("T-1", rodezYear), 403, nil, nil, ""},
			{"nor a stranger", stranger, "GET", flow + "/titre", nil, 404, nil, nil, ""},
			{"an unknown side names nothing", creditor, "GET", flow + "/avoir", nil, 404, nil, nil, ""},
			{"a titre needs its number", creditor, "POST", flow + "/titre", doc("", rodezYear), 422, []string{`href="#f-reference"`}, nil, ""},
			{"the creditor records its titre and goes back", creditor, "POST", flow + "/titre", doc("T-2027-31", rodezYear), 303, nil, nil, "/finances?annee=2026"},
			{"the year shows it", creditor, "GET", rodezYear + "&fait=document", nil, 200, []string{"n° T-2027-31 du 15 janvier 2027", "Le document est enregistré."}, nil, ""},
			{"the debtor records its mandat", debtor, "POST", flow + "/mandat", doc("M-2027-4", conquesYear), 303, nil, nil, "/finances?annee=2026"},
			{"the debtor's year shows it", debtor, "GET", conquesYear, nil, 200, []string{"n° M-2027-4"}, nil, ""},
			{"the creditor corrects the statement", creditor, "POST", fmt.Sprintf("/finances/etats/%d/corriger", w.Statement.ID),
				url.Values{"from": {"2026-07-01"}, "to": {"2026-12-31"}, "label": {"2d semestre 2026"}, "reason": {"Erreur de libellé"}, "action": {"corriger"}},
				303, nil, nil, "/finances/etats/"},
			{"the creditor's year lists the titre to cancel", creditor, "GET", rodezYear, nil, 200,
				[]string{"Titres à annuler ou réduire par Rodez", "n° T-2027-31", flow + "/annulation-titre"}, nil, ""},
			{"the debtor's year lists the mandat to cancel", debtor, "GET", conquesYear, nil, 200,
				[]string{"Mandats à annuler par Conques-en-Rouergue", flow + "/annulation-mandat"}, nil, ""},
			{"the replaced flow takes no new titre", creditor, "POST", flow + "/titre", doc("T-2", rodezYear), 422, []string{"corrigé"}, nil, ""},
			{"the cancellation form names the titre to cancel", creditor, "GET", flow + "/annulation-titre", nil, 200,
				[]string{"Enregistrer le titre d'annulation ou de réduction", "Document à annuler ou réduire", "n° T-2027-31"}, nil, ""},
			{"the creditor records it", creditor, "POST", flow + "/annulation-titre", doc("TA-2027-1", rodezYear), 303, nil, nil, "/finances?annee=2026"},
			{"then the creditor's titre shows as cancelled, nothing left to do", creditor, "GET", rodezYear, nil, 200,
				[]string{"Titres à annuler ou réduire par Rodez (0 à faire, 1 fait)", "<strong>Fait</strong> : titre d'annulation n° TA-2027-1 du 15 janvier 2027",
					flow + "/annulation-titre"}, []string{"<strong>À faire</strong>", "enregistrer le titre d'annulation"}, ""},
			{"while the debtor's mandat is still to cancel", debtor, "GET", conquesYear, nil, 200,
				[]string{"Mandats à annuler par Conques-en-Rouergue (1 à faire, 0 fait)", "<strong>À faire</strong>"}, []string{"<strong>Fait</strong>"}, ""},
			{"the debtor cancels its mandat", debtor, "POST", flow + "/annulation-mandat", doc("MA-2027-1", conquesYear), 303, nil, nil, "/finances?annee=2026"},
			{"then the debtor's mandat shows as cancelled too", debtor, "GET", conquesYear, nil, 200,
				[]string{"Mandats à annuler par Conques-en-Rouergue (0 à faire, 1 fait)", "<strong>Fait</strong> : annulation n° MA-2027-1 du 15 janvier 2027"},
				[]string{"<strong>À faire</strong>"}, ""},
		})
		t.Run("the creditor's workbook marks the cancellation done, with its reference", func(t *testing.T) {
			resp := w.F.Client(t, creditor).Do("GET", "/finances/annee.xlsx?"+url.Values{"annee": {"2026"}, "org": {fmt.Sprint(w.Rodez)}}.Encode(), "", nil)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("got %d, want 200", resp.StatusCode)
			}
			f, err := excelize.OpenReader(strings.NewReader(resp.Body))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			for cell, want := range map[string]string{"H6": "T-2027-31", "K6": "TA-2027-1", "M6": "fait"} {
				if got, _ := f.GetCellValue(xlsx.SheetToCancel, cell); got != want {
					t.Errorf("%s!%s: got %q, want %q", xlsx.SheetToCancel, cell, got, want)
				}
			}
		})
	})
}

// TestLedgerYearPages: the imputations on the attribution de compensation
// have their own section and stay out of the titres file; each
// organisation states its own cost of doing alone from its year.
func TestLedgerYearPages(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := servertest.NewLedgerWorld(t, db)
		w.AddClerkConques(t)
		w.AddServiceCommunAC(t)
		agglo, onet := w.F.Orgs[servertest.AggloRdz].ID, w.F.Orgs[servertest.Onet].ID
		half := (servertest.ACCost / 2).String()
		aggloYear := fmt.Sprintf("/finances?annee=2026&org=%d", agglo)
		rodezYear := fmt.Sprintf("/finances?annee=2026&org=%d", w.Rodez)
		cost := func(agr int64, amount string) url.Values {
			return url.Values{"org": {fmt.Sprint(w.Rodez)}, "annee": {"2026"}, "convention": {fmt.Sprint(agr)},
				"standalone_cost": {amount}, "own_cost": {"3 000,00"}, "note": {"Devis"}}
		}
		browse(t, w, []page{
			{"the EPCI's year shows its imputations, no titre", servertest.AdminAgglo, "GET", aggloYear, nil, 200,
				[]string{"Imputations sur l'attribution de compensation", "739211", half, "Aucun titre à émettre pour 2026", "73211"}, nil, ""},
			{"the EPCI's titres file leaves them out", servertest.AdminAgglo, "GET", strings.Replace(aggloYear, "/finances?", "/finances/titres.csv?", 1), nil, 200,
				nil, []string{"Rodez", half}, ""},
			{"a member commune's year shows its AC reduced", stranger, "GET", fmt.Sprintf("/finances?annee=2026&org=%d", onet), nil, 200,
				[]string{"Imputations sur l'attribution de compensation", "CA Rodez Agglomération", half, "Aucun mandat attendu"}, nil, ""},
			{"the creditor's year offers the standalone form", creditor, "GET", rodezYear, nil, 200,
				[]string{"Déclarer le coût si Rodez agissait seule", w.Agreement.Reference + " — "}, nil, ""},
			{"a reader's does not", reader, "GET", rodezYear, nil, 200, nil, []string{"Déclarer le coût"}, ""},
			{"a missing cost is shown back", creditor, "POST", "/finances/couts-seuls", cost(w.Agreement.ID, ""), 422,
				[]string{`href="#f-standalone_cost"`, "Imputations sur l'attribution de compensation"}, nil, ""},
			{"a reader may not state it", reader, "POST", "/finances/couts-seuls", cost(w.Agreement.ID, "6 000"), 403, nil, nil, ""},
			{"the creditor states it", creditor, "POST", "/finances/couts-seuls", cost(w.Agreement.ID, "6 000"), 303, nil, nil, "/finances?annee=2026"},
			{"the saving is shown for information", creditor, "GET", rodezYear + "&fait=cout", nil, 200,
				[]string{"Le coût sans coopération est enregistré.", money.Cents(6_000_00).String(), (6_000_00 - (servertest.LedgerOwnCost - servertest.LedgerPrice)).String()}, nil, ""},
		})
	})
}

// TestLedgerAccountsPage: every signed-in user reads the mapping, only a
// platform admin edits it, a year without its own table gets one.
func TestLedgerAccountsPage(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := servertest.NewLedgerWorld(t, db)
		got := browse(t, w, []page{
			{"a clerk reads the 2026 mapping", creditor, "GET", "/finances/comptes?annee=2026", nil, 200,
				[]string{"Comptes M57 suggérés — exercice 2026", "70878", "Imputation sur l'attribution de compensation", "73211"},
				[]string{"Enregistrer la ligne"}, ""},
			{"an admin sees 2027 falls back to 2026", admin, "GET", "/finances/comptes?annee=2027", nil, 200,
				[]string{"applique celle de 2026", "Créer la table 2027", "Ajouter une ligne"}, nil, ""},
		})
		version := regexp.MustCompile(`name="version" value="([0-9a-f]+)"`).FindStringSubmatch(got["an admin sees 2027 falls back to 2026"].Body)
		if version == nil {
			t.Fatal("no version on the page")
		}
		row := url.Values{"annee": {"2027"}, "version": {version[1]}, "instrument": {"frais_scolarite"}, "counterparty": {"*"},
			"side": {"mandat"}, "account": {"65548"}, "label": {"Autres contributions obligatoires"}, "action": {"enregistrer"}}
		bad := url.Values{}
		for k, v := range row {
			bad[k] = v
		}
		bad.Set("account", "655A8")
		browse(t, w, []page{
			{"a clerk may not edit it", creditor, "POST", "/finances/comptes", row, 403, nil, nil, ""},
			{"a malformed account is shown back", admin, "POST", "/finances/comptes", bad, 422, []string{`href="#f-account"`, `value="655A8"`}, nil, ""},
			{"the admin saves a row, creating 2027's table", admin, "POST", "/finances/comptes", row, 303, nil, nil, "/finances/comptes?annee=2027&fait=comptes"},
			{"2027 has its own table with the row", admin, "GET", "/finances/comptes?annee=2027&fait=comptes", nil, 200,
				[]string{"La table des comptes est enregistrée.", "65548"}, []string{"applique celle de"}, ""},
			{"the old version is a conflict", admin, "POST", "/finances/comptes", row, 409, nil, nil, ""},
			{"2026 is unchanged", admin, "GET", "/finances/comptes?annee=2026", nil, 200, nil, []string{"65548"}, ""},
		})
	})
}

// TestLedgerTermsFormsOfOtherModes: a unit price computed from the cost
// lines of the compte administratif (D5211-16), then previewed with units
// typed per party; keys with figures per party, and a mix of keys through
// the advanced JSON field.
func TestLedgerTermsFormsOfOtherModes(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := servertest.NewLedgerWorld(t, db)
		gym := w.AddGymUnitPrice(t)
		ac := w.AddServiceCommunAC(t)
		rodez, onet, agglo := fmt.Sprint(w.Rodez), fmt.Sprint(w.F.Orgs[servertest.Onet].ID), fmt.Sprint(w.F.Orgs[servertest.AggloRdz].ID)
		gymFin := fmt.Sprintf("/conventions/%d/finances", gym.ID)
		unitPrice := url.Values{"version": {"0"}, "mode": {"prix_unitaire"}, "creditor": {rodez}, "parties.0": {onet},
			"object": {"Participation aux frais du gymnase"}, "usage_unit": {"hour"}, "unit_price.unit": {"heure"}, "unit_price.rounding": {"HALF_UP"},
			"unit_price.use_basis": {"1"}, "unit_price.basis.source": {"compte administratif 2025"},
			"unit_price.basis.lines.0.label": {"Frais de fonctionnement"}, "unit_price.basis.lines.0.amount": {"64 480,00"}, "unit_price.basis.lines.0.eligible": {"1"},
			"unit_price.basis.lines.1.label": {"Intérêts d'emprunt"}, "unit_price.basis.lines.1.amount": {"1 000"}, "unit_price.basis.lines.1.reason": {"non strictement liée"},
			"unit_price.basis.units": {"2480"}}
		noRounding := url.Values{}
		for k, v := range unitPrice {
			noRounding[k] = v
		}
		noRounding.Set("unit_price.rounding", "")
		browse(t, w, []page{
			{"a convention without terms invites the creditor to enter them", creditor, "GET", gymFin, nil, 200,
				[]string{"Aucune condition financière structurée", "Saisir les conditions financières"}, []string{"Calculer un état"}, ""},
			{"the unit price form", creditor, "GET", gymFin + "/conditions", nil, 200,
				[]string{"Coût unitaire notifié", "Arrondi de chaque ligne au centime", `name="unit_price.basis.lines.0.amount"`, `name="version" value="0"`}, nil, ""},
			{"a missing rounding is named", creditor, "POST", gymFin + "/conditions", noRounding, 422,
				[]string{`href="#f-unit_price-rule-rounding"`}, nil, ""},
			{"the creditor saves the unit price basis", creditor, "POST", gymFin + "/conditions", unitPrice, 303, nil, nil, gymFin},
			{"the summary says how the unit cost is computed", stranger, "GET", gymFin, nil, 200,
				[]string{"Coût unitaire calculé selon CGCT D5211-16 : dépenses retenues " + money.Cents(64_480_00).String() + " (compte administratif 2025)"}, nil, ""},
			{"the form shows the lines back", creditor, "GET", gymFin + "/conditions", nil, 200,
				[]string{`value="` + money.Cents(64_480_00).French() + `"`, `value="non strictement liée"`, `name="version" value="1"`}, nil, ""},
			{"the user previews with its hours typed in", stranger, "POST", gymFin + "/etat",
				url.Values{"from": {"2026-01-01"}, "to": {"2026-06-30"}, "units.0.party": {onet}, "units.0.units": {"100"}, "action": {"apercu"}}, 200,
				[]string{"Aperçu (non enregistré)", money.Cents(2_600_00).String()}, nil, ""},
		})
		acFin := fmt.Sprintf("/conventions/%d/finances", ac.Agreement.ID)
		key := func(version string, extra url.Values) url.Values {
			v := url.Values{"version": {version}, "mode": {"cout_reel_cle"}, "creditor": {agglo}, "parties.0": {rodez}, "parties.1": {onet},
				"object": {"Service commun ADS"}, "settlement": {"attribution_compensation"}}
			for k, x := range extra {
				v[k] = x
			}
			return v
		}
		mix := fmt.Sprintf(`{"kind": "mix", "label": "moitié égale, moitié fixe", "parts": [{"weight": "1/2", "key": {"kind": "equal"}},
			{"weight": "1/2", "key": {"kind": "fixed", "figures": [{"party": "%s", "value": "1/4"}, {"party": "%s", "value": "3/4"}]}}]}`, rodez, onet)
		browse(t, w, []page{
			{"a member commune may not set the EPCI's terms", stranger, "GET", acFin + "/conditions", nil, 403, nil, nil, ""},
			{"the EPCI's form offers the settlement against the AC", servertest.AdminAgglo, "GET", acFin + "/conditions", nil, 200,
				[]string{`<option value="attribution_compensation" selected>`, "Nature de la clé", "Clé avancée (JSON)"}, nil, ""},
			{"fixed shares per party", servertest.AdminAgglo, "POST", acFin + "/conditions",
				key("1", url.Values{"key.kind": {"fixed"}, "key.label": {"parts fixes"}, "key.figures.0": {"40 %"}, "key.figures.1": {"60 %"}}), 303, nil, nil, acFin},
			{"the summary names each share", servertest.AdminAgglo, "GET", acFin, nil, 200,
				[]string{"parts fixes (fractions ou pourcentages)", "Rodez 40 %", "Onet-le-Château 60 %", "imputation sur l'attribution de compensation"}, nil, ""},
			{"a malformed advanced key is named", servertest.AdminAgglo, "POST", acFin + "/conditions",
				key("2", url.Values{"key.advanced": {"{"}}), 422, []string{`href="#f-key-advanced"`}, nil, ""},
			{"a mix of keys through the advanced field", servertest.AdminAgglo, "POST", acFin + "/conditions",
				key("2", url.Values{"key.advanced": {mix}}), 303, nil, nil, acFin},
			{"the summary says it is a mix", servertest.AdminAgglo, "GET", acFin, nil, 200,
				[]string{"clé mixte", "(2 composantes)", "Version 3"}, nil, ""},
			{"the form shows the mix back as JSON", servertest.AdminAgglo, "GET", acFin + "/conditions", nil, 200,
				[]string{`&#34;kind&#34;: &#34;mix&#34;`, `<option value="mix" selected>`}, nil, ""},
		})
	})
}
