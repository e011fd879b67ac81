package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"voisines/internal/auth"
	"voisines/internal/civil"
	"voisines/internal/equipment"
	"voisines/internal/server/servertest"
	"voisines/internal/store"
	"voisines/internal/store/storetest"
)

// aMonday returns a Monday about two months ahead, so that bookings are in
// the future whenever the tests run.
func aMonday() time.Time {
	d := time.Now().UTC().AddDate(0, 2, 0)
	for d.Weekday() != time.Monday {
		d = d.AddDate(0, 0, 1)
	}
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
}

func TestEquipmentPages(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := servertest.New(t, db, servertest.Options{})
		svc := equipment.New(db)
		rodez, onet := f.Users[servertest.ClerkRodez], f.Users[servertest.ClerkOnet]
		gym, err := svc.Create(context.Background(), auth.Actor{User: &rodez}, f.Orgs[servertest.Rodez].ID, equipment.Details{
			Name: "Gymnase Paul-Ramadier", Kind: equipment.Gym, Unit: equipment.UnitHour, CommuneCode: servertest.Rodez,
			Description: "Parquet, tribunes", Active: true})
		if err != nil {
			t.Fatal(err)
		}
		monday := aMonday()
		day := monday.Format("2006-01-02")
		pending, err := svc.Book(context.Background(), auth.Actor{User: &onet}, equipment.Request{EquipmentID: gym.ID,
			RequesterOrgID: f.Orgs[servertest.Onet].ID, Start: equipment.At(civil.Of(monday), equipment.Clock{Hour: 8}),
			End: equipment.At(civil.Of(monday), equipment.Clock{Hour: 10}), Purpose: "Basket scolaire"})
		if err != nil {
			t.Fatal(err)
		}
		page := fmt.Sprintf("/equipements/%d", gym.ID)
		week := page + "?semaine=" + day
		onetID := fmt.Sprint(f.Orgs[servertest.Onet].ID)
		form := func(start, end string) url.Values {
			return url.Values{"org": {onetID}, "date": {day}, "start": {start}, "end": {end}, "purpose": {"Judo"}}
		}
		run(t, f, []scenario{
			{name: "anyone reads the catalogue", method: "GET", path: "/equipements", status: http.StatusOK,
				content: []string{"Équipements partagés", "Gymnase Paul-Ramadier", "Gymnase — Rodez"}},
			{name: "the catalogue filters by kind", method: "GET", path: "/equipements?type=pool", status: http.StatusOK,
				content: []string{"Aucun équipement"}, absent: []string{"Gymnase Paul-Ramadier</a>"}},
			{name: "anyone sees the week, busy without details", method: "GET", path: week, status: http.StatusOK,
				content: []string{"Disponibilités", "Réservé", "demande en attente", "Connectez-vous"}, absent: []string{"Basket scolaire"}},
			{name: "the requester sees its own details", user: servertest.ClerkOnet, method: "GET", path: week, status: http.StatusOK,
				content: []string{"Onet-le-Château — Basket scolaire", "Réserver un créneau"}, absent: []string{"Gestion par le propriétaire"}},
			{name: "the owner's clerk sees the management forms", user: servertest.ClerkRodez, method: "GET", path: week, status: http.StatusOK,
				content: []string{"Gestion par le propriétaire", "Fermer pour entretien"}},
			{name: "a booking form without CSRF token is refused", user: servertest.ClerkOnet, method: "POST", path: page + "/reservations",
				form: form("10:00", "12:00"), status: http.StatusForbidden},
			{name: "Onet books a touching slot", user: servertest.ClerkOnet, method: "POST", path: page + "/reservations", csrf: true,
				form: form("10:00", "12:00"), status: http.StatusSeeOther, location: page + "?"},
			{name: "an overlapping slot shows the clash", user: servertest.ClerkOnet, method: "POST", path: page + "/reservations", csrf: true,
				form: form("09:00", "11:00"), status: http.StatusConflict, content: []string{"chevauche", "de 8\u00a0h à 10\u00a0h"}},
			{name: "a bad time names its field", user: servertest.ClerkOnet, method: "POST", path: page + "/reservations", csrf: true,
				form: form("midi", "13:00"), status: http.StatusUnprocessableEntity, content: []string{"Début", `href="#f-booking-start"`}},
			{name: "anonymous visitors are sent to log in", method: "GET", path: "/reservations", status: http.StatusSeeOther, location: "/connexion"},
			{name: "the owner sees the approval queue", user: servertest.ClerkRodez, method: "GET", path: "/reservations", status: http.StatusOK,
				content: []string{"Demandes à valider", fmt.Sprintf("Valider la n° %d", pending.ID), "sans convention"}},
			{name: "the requester cannot approve", user: servertest.ClerkOnet, method: "POST", path: fmt.Sprintf("/reservations/%d/valider", pending.ID),
				csrf: true, form: url.Values{}, status: http.StatusForbidden},
			{name: "refusing without a reason is explained", user: servertest.ClerkRodez, method: "POST", path: fmt.Sprintf("/reservations/%d/refuser", pending.ID),
				csrf: true, form: url.Values{}, status: http.StatusUnprocessableEntity, content: []string{"motif du refus"}},
			{name: "the owner approves", user: servertest.ClerkRodez, method: "POST", path: fmt.Sprintf("/reservations/%d/valider", pending.ID),
				csrf: true, form: url.Values{}, status: http.StatusSeeOther, location: "/reservations?fait=valider"},
			{name: "Onet sees its bookings", user: servertest.ClerkOnet, method: "GET", path: "/reservations", status: http.StatusOK,
				content: []string{"Réservations à venir", "Gymnase Paul-Ramadier", "validée"}},
			{name: "a weekly series", user: servertest.ClerkOnet, method: "POST", path: page + "/series", csrf: true,
				form: url.Values{"org": {onetID}, "jours": {"2", "4"}, "start": {"18:00"}, "end": {"19:30"}, "from": {day},
					"to": {monday.AddDate(0, 0, 27).Format("2006-01-02")}, "purpose": {"Chorale"}},
				status: http.StatusSeeOther, location: page + "?"},
			{name: "the owner closes the gym", user: servertest.ClerkRodez, method: "POST", path: page + "/fermetures", csrf: true,
				form:   url.Values{"from": {monday.AddDate(0, 1, 0).Format("2006-01-02")}, "to": {monday.AddDate(0, 1, 2).Format("2006-01-02")}, "reason": {"Parquet"}},
				status: http.StatusSeeOther},
			{name: "another commune cannot close it", user: servertest.ClerkOnet, method: "POST", path: page + "/fermetures", csrf: true,
				form:   url.Values{"from": {monday.AddDate(0, 2, 0).Format("2006-01-02")}, "to": {monday.AddDate(0, 2, 1).Format("2006-01-02")}, "reason": {"Non"}},
				status: http.StatusForbidden},
			{name: "the owner creates a calendar feed", user: servertest.ClerkRodez, method: "POST", path: page + "/calendriers", csrf: true,
				form: url.Values{"label": {"Gardien"}}, status: http.StatusCreated, content: []string{"/calendriers/", ".ics"}},
		})
	})
}

func TestEquipmentFormAndWithdrawal(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := servertest.New(t, db, servertest.Options{})
		svc := equipment.New(db)
		rodez, onet := f.Users[servertest.ClerkRodez], f.Users[servertest.ClerkOnet]
		gym, err := svc.Create(context.Background(), auth.Actor{User: &rodez}, f.Orgs[servertest.Rodez].ID, equipment.Details{
			Name: "Gymnase Paul-Ramadier", Kind: equipment.Gym, Unit: equipment.UnitHour, Active: true})
		if err != nil {
			t.Fatal(err)
		}
		monday := aMonday()
		b, err := svc.Book(context.Background(), auth.Actor{User: &onet}, equipment.Request{EquipmentID: gym.ID,
			RequesterOrgID: f.Orgs[servertest.Onet].ID, Start: equipment.At(civil.Of(monday), equipment.Clock{Hour: 8}),
			End: equipment.At(civil.Of(monday), equipment.Clock{Hour: 10}), Purpose: "Basket scolaire"})
		if err != nil {
			t.Fatal(err)
		}
		page := fmt.Sprintf("/equipements/%d", gym.ID)
		edit := page + "/modifier"
		details := func(version int64, active bool, extra ...string) url.Values {
			v := url.Values{"version": {fmt.Sprint(version)}, "name": {"Gymnase Paul-Ramadier"}, "kind": {"gym"}, "unit": {"hour"},
				"approval": {"manual"}, "description": {"Parquet neuf"}, "tariff_convention": {"26,00"}}
			if active {
				v.Set("active", "1")
			}
			for i := 0; i+1 < len(extra); i += 2 {
				v.Set(extra[i], extra[i+1])
			}
			return v
		}
		const why = "Fermeture définitive pour désamiantage"
		run(t, f, []scenario{
			{name: "another commune cannot open the form", user: servertest.ClerkOnet, method: "GET", path: edit, status: http.StatusForbidden},
			{name: "the owner's clerk opens the form", user: servertest.ClerkRodez, method: "GET", path: edit, status: http.StatusOK,
				content: []string{"Modifier Gymnase Paul-Ramadier", `name="version" value="1"`, "Proposé à la réservation", `checked`}},
			{name: "a bad tariff names its field", user: servertest.ClerkRodez, method: "POST", path: edit, csrf: true,
				form: details(1, true, "tariff_own", "vingt euros"), status: http.StatusUnprocessableEntity,
				content: []string{`href="#f-equip-tariff-own"`, "Tarif pour le propriétaire"}},
			{name: "the owner's clerk saves", user: servertest.ClerkRodez, method: "POST", path: edit, csrf: true,
				form: details(1, true), status: http.StatusSeeOther, location: page + "?fait=modifie"},
			{name: "a stale version is refused", user: servertest.ClerkRodez, method: "POST", path: edit, csrf: true,
				form: details(1, true), status: http.StatusConflict, content: []string{"modifiées par quelqu&#39;un d&#39;autre entre-temps"}},
			{name: "withdrawing lists the bookings to come", user: servertest.ClerkRodez, method: "POST", path: edit, csrf: true,
				form: details(2, false), status: http.StatusConflict,
				content: []string{"annulerait 1 réservation", fmt.Sprintf("n° %d", b.ID), "Onet-le-Château", `name="cancel_bookings"`}},
			{name: "confirming without a reason is refused", user: servertest.ClerkRodez, method: "POST", path: edit, csrf: true,
				form: details(2, false, "cancel_bookings", "1"), status: http.StatusUnprocessableEntity,
				content: []string{`href="#f-equip-cancel-reason"`}},
			{name: "confirming with a reason withdraws it", user: servertest.ClerkRodez, method: "POST", path: edit, csrf: true,
				form: details(2, false, "cancel_bookings", "1", "cancel_reason", why), status: http.StatusSeeOther,
				location: page + "?fait=retire&annulees=1"},
			{name: "the page says it is withdrawn", user: servertest.ClerkOnet, method: "GET", path: page, status: http.StatusOK,
				content: []string{"n'est plus proposé à la réservation"}, absent: []string{"Réserver un créneau"}},
			{name: "the requester sees the cancellation and why", user: servertest.ClerkOnet, method: "GET", path: "/reservations", status: http.StatusOK,
				content: []string{"annulées ou refusées", why, servertest.Email(servertest.ClerkRodez)}},
			{name: "the booking's history tells who, when and why", user: servertest.ClerkOnet, method: "GET", path: fmt.Sprintf("/reservations/%d", b.ID),
				status: http.StatusOK, content: []string{"Historique", "annulation", why, "demande", "Basket scolaire"}},
			{name: "another organisation is told nothing of the booking, as from the API", user: servertest.AdminAgglo, method: "GET",
				path: fmt.Sprintf("/reservations/%d", b.ID), status: http.StatusNotFound, absent: []string{"Basket scolaire", why}},
			{name: "a clerk opens the form of new equipment", user: servertest.ClerkOnet, method: "GET", path: "/equipements/nouveau", status: http.StatusOK,
				content: []string{"Ajouter un équipement", "Onet-le-Château"}},
			{name: "a clerk adds equipment", user: servertest.ClerkOnet, method: "POST", path: "/equipements/nouveau", csrf: true,
				form: url.Values{"owner": {fmt.Sprint(f.Orgs[servertest.Onet].ID)}, "name": {"Minibus"}, "kind": {"vehicle"}, "unit": {"day"},
					"approval": {"automatic"}, "active": {"1"}, "tariff_other_commune": {"45"}},
				status: http.StatusSeeOther, location: "/equipements/"},
			{name: "nobody adds equipment for another commune", user: servertest.ClerkOnet, method: "POST", path: "/equipements/nouveau", csrf: true,
				form:   url.Values{"owner": {fmt.Sprint(f.Orgs[servertest.Rodez].ID)}, "name": {"Camion"}, "kind": {"vehicle"}, "unit": {"day"}},
				status: http.StatusForbidden},
		})
	})
}

func TestEquipmentMonthViewAndBlackoutConfirmation(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := servertest.New(t, db, servertest.Options{})
		svc := equipment.New(db)
		rodez, onet := f.Users[servertest.ClerkRodez], f.Users[servertest.ClerkOnet]
		gym, err := svc.Create(context.Background(), auth.Actor{User: &rodez}, f.Orgs[servertest.Rodez].ID, equipment.Details{
			Name: "Gymnase", Kind: equipment.Gym, Unit: equipment.UnitHour, Active: true})
		if err != nil {
			t.Fatal(err)
		}
		monday := aMonday()
		b, err := svc.Book(context.Background(), auth.Actor{User: &onet}, equipment.Request{EquipmentID: gym.ID,
			RequesterOrgID: f.Orgs[servertest.Onet].ID, Start: equipment.At(civil.Of(monday), equipment.Clock{Hour: 18}),
			End: equipment.At(civil.Of(monday), equipment.Clock{Hour: 19, Minute: 30}), Purpose: "Judo"})
		if err != nil {
			t.Fatal(err)
		}
		page := fmt.Sprintf("/equipements/%d", gym.ID)
		month := civil.Of(monday).String()[:7]
		first := civil.New(monday.Year(), monday.Month(), 1)
		_, monthName, _ := strings.Cut(first.French(), " ")
		day := monday.Format("2006-01-02")
		close := url.Values{"from": {day}, "to": {day}, "reason": {"Fuite de la toiture"}}
		closeConfirmed := url.Values{"from": {day}, "to": {day}, "reason": {"Fuite de la toiture"}, "cancel_bookings": {"1"}}
		run(t, f, []scenario{
			{name: "anyone sees the month, busy without details", method: "GET", path: page + "?mois=" + month, status: http.StatusOK,
				content: []string{"Créneaux occupés, " + monthName, "18\u00a0h – 19\u00a0h\u00a030 : Réservé", "Vue par semaine", "Mois suivant", `scope="col">Lundi`},
				absent:  []string{"Judo"}},
			{name: "the requester sees its details in the month", user: servertest.ClerkOnet, method: "GET", path: page + "?mois=" + month,
				status: http.StatusOK, content: []string{"Onet-le-Château — Judo"}},
			{name: "the week view links to the month", user: servertest.ClerkOnet, method: "GET", path: page + "?semaine=" + day, status: http.StatusOK,
				content: []string{"Vue par mois", "par quarts d'heure", `step="900"`}},
			{name: "an off-grid time is explained", user: servertest.ClerkOnet, method: "POST", path: page + "/reservations", csrf: true,
				form:   url.Values{"org": {fmt.Sprint(f.Orgs[servertest.Onet].ID)}, "date": {day}, "start": {"10:10"}, "end": {"11:00"}},
				status: http.StatusUnprocessableEntity, content: []string{"ne tombe pas sur un quart d&#39;heure", `id="e-booking-start"`, `aria-invalid="true"`}},
			{name: "a blackout over a booking lists it", user: servertest.ClerkRodez, method: "POST", path: page + "/fermetures", csrf: true,
				form: close, status: http.StatusConflict, content: []string{"annulerait 1 réservation", fmt.Sprintf("n° %d", b.ID), `name="cancel_bookings"`}},
			{name: "the confirmed blackout cancels it", user: servertest.ClerkRodez, method: "POST", path: page + "/fermetures", csrf: true,
				form: closeConfirmed, status: http.StatusSeeOther, location: page + "?"},
			{name: "the requester reads why", user: servertest.ClerkOnet, method: "GET", path: fmt.Sprintf("/reservations/%d", b.ID),
				status: http.StatusOK, content: []string{"Fuite de la toiture", "annulée"}},
		})
	})
}

func TestCalendarFeedsPage(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := servertest.New(t, db, servertest.Options{})
		svc := equipment.New(db)
		onetID := f.Orgs[servertest.Onet].ID
		run(t, f, []scenario{
			{name: "anonymous visitors are sent to log in", method: "GET", path: "/calendriers", status: http.StatusSeeOther, location: "/connexion"},
			{name: "a clerk creates its organisation's feed", user: servertest.ClerkOnet, method: "POST", path: "/calendriers", csrf: true,
				form: url.Values{"org": {fmt.Sprint(onetID)}, "label": {"Agenda des salles"}}, status: http.StatusCreated,
				content: []string{"/calendriers/", ".ics", "ne sera plus affichée"}},
			{name: "nobody creates another organisation's feed", user: servertest.ClerkOnet, method: "POST", path: "/calendriers", csrf: true,
				form: url.Values{"org": {fmt.Sprint(f.Orgs[servertest.Rodez].ID)}}, status: http.StatusForbidden},
			{name: "the list shows it, with a revoke button", user: servertest.ClerkOnet, method: "GET", path: "/calendriers", status: http.StatusOK,
				content: []string{"Agenda des salles", "réservations faites par Onet-le-Château", "actif", "Révoquer"}},
		})
		onet := f.Users[servertest.ClerkOnet]
		feeds, err := svc.Feeds(context.Background(), auth.Actor{User: &onet}, onetID)
		if err != nil || len(feeds) != 1 {
			t.Fatalf("got feeds %v, %v", feeds, err)
		}
		revoke := fmt.Sprintf("/calendriers/%d/revoquer", feeds[0].ID)
		run(t, f, []scenario{
			{name: "another commune's clerk cannot revoke it", user: servertest.ClerkRodez, method: "POST", path: revoke, csrf: true,
				form: url.Values{}, status: http.StatusNotFound},
			{name: "the clerk revokes it", user: servertest.ClerkOnet, method: "POST", path: revoke, csrf: true, form: url.Values{},
				status: http.StatusSeeOther, location: "/calendriers?fait=revoque"},
			{name: "the list shows it revoked", user: servertest.ClerkOnet, method: "GET", path: "/calendriers?fait=revoque", status: http.StatusOK,
				content: []string{"révoqué par " + servertest.Email(servertest.ClerkOnet), "ne répond plus"}, absent: []string{"Révoquer « Agenda"}},
		})
	})
}

func TestUndividedPropertyPages(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := servertest.NewIndivisWorld(t, db)
		f := w.F
		page := fmt.Sprintf("/biens-indivis/%d", w.Property.ID)
		accounts := func(year, receipts, expenses string) url.Values {
			return url.Values{"year": {year}, "receipts": {receipts}, "expenses": {expenses}}
		}
		share := func(i int, code, s string) [2][2]string {
			return [2][2]string{{fmt.Sprintf("share_%d_commune", i), code}, {fmt.Sprintf("share_%d_share", i), s}}
		}
		newProperty := func(shares ...[2][2]string) url.Values {
			v := url.Values{"commission": {fmt.Sprint(w.Commission.ID)}, "name": {"Estive du Lévézou"}}
			for _, s := range shares {
				v.Set(s[0][0], s[0][1])
				v.Set(s[1][0], s[1][1])
			}
			return v
		}
		run(t, f, []scenario{
			{name: "a co-owner's clerk sees the property in the list", user: servertest.ClerkOnet, method: "GET", path: "/biens-indivis",
				status: http.StatusOK, content: []string{"Forêt des Palanges", "Onet-le-Château (2/7)"}, absent: []string{"Enregistrer un bien indivis"}},
			{name: "an organisation not concerned does not", user: servertest.AdminAgglo, method: "GET", path: "/biens-indivis",
				status: http.StatusOK, absent: []string{"Forêt des Palanges"}},
			{name: "nor can it open the page", user: servertest.AdminAgglo, method: "GET", path: page, status: http.StatusNotFound},
			{name: "the co-owner reads the shares and the split", user: servertest.ClerkOnet, method: "GET", path: page, status: http.StatusOK,
				content: []string{"3/7", "42,86\u00a0%", "partage de 1862", "Excédent de 55\u202f611,60\u00a0€", "23\u202f833,54\u00a0€",
					"15\u202f889,03\u00a0€", "à recevoir de la commission"},
				absent: []string{"Enregistrer les comptes", "Préparer l'état"}},
			{name: "a bad amount names its field", user: servertest.Admin, method: "POST", path: page + "/comptes", csrf: true,
				form: accounts("2026", "beaucoup", "2 000,00"), status: http.StatusUnprocessableEntity, content: []string{`href="#f-accounts-receipts"`}},
			{name: "the commission records a deficit year", user: servertest.Admin, method: "POST", path: page + "/comptes", csrf: true,
				form: accounts("2026", "1 000,00", "2 000,00"), status: http.StatusSeeOther, location: page + "?annee=2026"},
			{name: "a deficit share is a compulsory expense", user: servertest.ClerkOnet, method: "GET", path: page + "?annee=2026", status: http.StatusOK,
				content: []string{"Déficit de 1\u202f000,00\u00a0€", "dépense obligatoire"}},
			{name: "a co-owner cannot record the accounts", user: servertest.ClerkOnet, method: "POST", path: page + "/comptes", csrf: true,
				form: accounts("2026", "1,00", "2,00"), status: http.StatusForbidden},
			{name: "a co-owner cannot draft the statement", user: servertest.ClerkOnet, method: "POST", path: page + "/etat", csrf: true,
				form: url.Values{"year": {"2025"}}, status: http.StatusForbidden},
			{name: "the commission drafts the statement in the finances", user: servertest.Admin, method: "POST", path: page + "/etat", csrf: true,
				form: url.Values{"year": {"2025"}}, status: http.StatusSeeOther, location: "/finances/etats/"},
			{name: "the commission opens the creation form", user: servertest.Admin, method: "GET", path: "/biens-indivis/nouveau", status: http.StatusOK,
				content: []string{"Enregistrer un bien indivis", "Commission syndicale de la forêt des Palanges"}},
			{name: "shares that do not make 1 are refused", user: servertest.Admin, method: "POST", path: "/biens-indivis/nouveau", csrf: true,
				form: newProperty(share(0, servertest.Rodez, "1/2"), share(1, servertest.Onet, "1/3")), status: http.StatusUnprocessableEntity,
				content: []string{"totaliser exactement 1", `value="1/3"`}},
			{name: "an unknown commune is named", user: servertest.Admin, method: "POST", path: "/biens-indivis/nouveau", csrf: true,
				form: newProperty(share(0, servertest.Rodez, "1/2"), share(1, "99999", "1/2")), status: http.StatusUnprocessableEntity,
				content: []string{`href="#f-indivis-share-1-commune"`, "99999"}},
			{name: "the commission records a property", user: servertest.Admin, method: "POST", path: "/biens-indivis/nouveau", csrf: true,
				form: newProperty(share(0, servertest.Rodez, "1/2"), share(1, servertest.Onet, "1/2")), status: http.StatusSeeOther,
				location: "/biens-indivis/"},
		})
	})
}
