package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
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
