package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"voisines/internal/auth"
	"voisines/internal/civil"
	"voisines/internal/equipment"
	"voisines/internal/server/servertest"
	"voisines/internal/store"
	"voisines/internal/store/storetest"
)

// equipmentFixture is the servertest fixture with Rodez's gym and one
// request of Onet's on it, made through the domain so that their ids are
// known when the scenarios are written.
type equipmentFixture struct {
	*servertest.Fixture
	gym     equipment.Equipment
	pending equipment.Booking
}

// nextMonday is a Monday well ahead of the clock, so that bookings are in
// the future whenever the tests run.
func nextMonday() time.Time {
	d := time.Now().In(time.UTC).AddDate(0, 2, 0)
	for d.Weekday() != time.Monday {
		d = d.AddDate(0, 0, 1)
	}
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
}

func newEquipmentFixture(t *testing.T, db *store.DB) equipmentFixture {
	t.Helper()
	f := servertest.New(t, db, servertest.Options{})
	svc := equipment.New(db)
	rodez, onet := f.Users[servertest.ClerkRodez], f.Users[servertest.ClerkOnet]
	gym, err := svc.Create(context.Background(), auth.Actor{User: &rodez}, f.Orgs[servertest.Rodez].ID, equipment.Details{
		Name: "Gymnase Paul-Ramadier", Kind: equipment.Gym, Unit: equipment.UnitHour, CommuneCode: servertest.Rodez, Active: true})
	if err != nil {
		t.Fatal(err)
	}
	day := nextMonday()
	b, err := svc.Book(context.Background(), auth.Actor{User: &onet}, equipment.Request{EquipmentID: gym.ID,
		RequesterOrgID: f.Orgs[servertest.Onet].ID, Start: equipment.At(civil.Of(day), equipment.Clock{Hour: 9}),
		End: equipment.At(civil.Of(day), equipment.Clock{Hour: 11}), Purpose: "Basket scolaire"})
	if err != nil {
		t.Fatal(err)
	}
	return equipmentFixture{Fixture: f, gym: gym, pending: b}
}

func TestEquipmentAPI(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := newEquipmentFixture(t, db)
		rodez, onet := f.Orgs[servertest.Rodez].ID, f.Orgs[servertest.Onet].ID
		day := nextMonday().Add(7 * 24 * time.Hour).Format("2006-01-02")
		gym := fmt.Sprintf("/api/v1/equipment/%d", f.gym.ID)
		booking := fmt.Sprintf("/api/v1/bookings/%d", f.pending.ID)
		book := func(from, to string) string {
			return fmt.Sprintf(`{"requester_org_id": %d, "starts_at": "%sT%s", "ends_at": "%sT%s", "purpose": "Judo"}`, onet, day, from, day, to)
		}
		// A series of Mondays around next year's Easter Monday, with two
		// weeks of exceptions after it.
		easterMonday := equipment.Easter(time.Now().Year() + 1).AddDays(1)
		exceptionDays, _ := equipment.ParseDates(easterMonday.AddDays(14).String() + "/" + easterMonday.AddDays(25).String())
		exception := easterMonday.AddDays(14).String() + "/" + easterMonday.AddDays(25).String()
		seriesRule := equipment.SeriesRule{Weekdays: []time.Weekday{time.Monday}, Start: equipment.Clock{Hour: 18},
			End: equipment.Clock{Hour: 20}, From: easterMonday.AddDays(-28), To: easterMonday.AddDays(32), Exceptions: exceptionDays}
		wantSessions, _, err := seriesRule.Occurrences(false)
		if err != nil {
			t.Fatal(err)
		}
		run(t, f.Fixture, []scenario{
			{name: "anyone searches the catalogue by kind", method: "GET", path: "/api/v1/equipment?kind=gym",
				status: http.StatusOK, content: []string{`"name":"Gymnase Paul-Ramadier"`, `"owner_name":"Rodez"`}},
			{name: "an unknown kind is invalid", method: "GET", path: "/api/v1/equipment?kind=castle",
				status: http.StatusUnprocessableEntity, content: []string{`"kind"`}},
			{name: "anyone reads an equipment", method: "GET", path: gym, status: http.StatusOK, content: []string{`"unit":"hour"`}},
			{name: "a clerk adds to their own catalogue", user: servertest.ClerkRodez, method: "POST", path: "/api/v1/equipment", csrf: true,
				body:   fmt.Sprintf(`{"owner_org_id": %d, "name": "Minibus", "kind": "vehicle", "unit": "day", "tariffs": {"other_commune": 4500}}`, rodez),
				status: http.StatusCreated, content: []string{`"other_commune":4500`, `"approval":"manual"`, `"active":true`}},
			{name: "another commune cannot add to Rodez's catalogue", user: servertest.ClerkOnet, method: "POST", path: "/api/v1/equipment", csrf: true,
				body: fmt.Sprintf(`{"owner_org_id": %d, "name": "Intrus", "kind": "hall", "unit": "day"}`, rodez), status: http.StatusForbidden},
			{name: "another commune cannot change the catalogue", user: servertest.ClerkOnet, method: "PUT", path: gym, csrf: true,
				body: `{"version": 1, "name": "Repris", "kind": "gym", "unit": "hour"}`, status: http.StatusForbidden},
			{name: "a booking without CSRF token is refused", user: servertest.ClerkOnet, method: "POST", path: gym + "/bookings",
				body: book("10:00", "12:00"), status: http.StatusForbidden, content: []string{`"csrf"`}},
			{name: "Onet books a slot", user: servertest.ClerkOnet, method: "POST", path: gym + "/bookings", csrf: true,
				body: book("10:00", "12:00"), status: http.StatusCreated, content: []string{`"status":"requested"`, `"uncovered":true`}},
			{name: "the same slot is a clear conflict", user: servertest.ClerkOnet, method: "POST", path: gym + "/bookings", csrf: true,
				body: book("10:00", "12:00"), status: http.StatusConflict, content: []string{`"code":"conflict"`, "de 10\u00a0h à 12\u00a0h"}},
			{name: "an overlapping slot is a conflict too", user: servertest.ClerkOnet, method: "POST", path: gym + "/bookings", csrf: true,
				body: book("11:30", "12:30"), status: http.StatusConflict, content: []string{"chevauche"}},
			{name: "a touching slot is accepted", user: servertest.ClerkOnet, method: "POST", path: gym + "/bookings", csrf: true,
				body: book("12:00", "14:00"), status: http.StatusCreated},
			{name: "times off the quarter grid are invalid", user: servertest.ClerkOnet, method: "POST", path: gym + "/bookings", csrf: true,
				body: book("14:05", "15:00"), status: http.StatusUnprocessableEntity, content: []string{`"starts_at"`}},
			{name: "Onet cannot book in Rodez's name", user: servertest.ClerkOnet, method: "POST", path: gym + "/bookings", csrf: true,
				body:   fmt.Sprintf(`{"requester_org_id": %d, "starts_at": "%sT16:00", "ends_at": "%sT17:00"}`, rodez, day, day),
				status: http.StatusForbidden},
			{name: "the requester cannot approve its own request", user: servertest.ClerkOnet, method: "POST", path: booking + "/approve", csrf: true,
				body: `{}`, status: http.StatusForbidden},
			{name: "the owner's clerk approves", user: servertest.ClerkRodez, method: "POST", path: booking + "/approve", csrf: true,
				body: `{"note": "Clés à l'accueil"}`, status: http.StatusOK, content: []string{`"status":"approved"`}},
			{name: "the owner's reader sees the details and history", user: servertest.ReaderRodez, method: "GET", path: booking,
				status: http.StatusOK, content: []string{`"purpose":"Basket scolaire"`, `"action":"approved"`}},
			{name: "another organisation cannot see the details", user: servertest.AdminAgglo, method: "GET", path: booking, status: http.StatusNotFound},
			{name: "anyone sees busy and free, without details", method: "GET",
				path:   gym + "/calendar?from=" + nextMonday().Format("2006-01-02") + "T00:00&to=" + nextMonday().AddDate(0, 0, 14).Format("2006-01-02") + "T00:00",
				status: http.StatusOK, content: []string{`"time_zone":"Europe/Paris"`, `"status":"approved"`},
				check: func(t *testing.T, body []byte) {
					var cal struct {
						Entries []map[string]any `json:"entries"`
					}
					json.Unmarshal(body, &cal)
					if len(cal.Entries) != 3 {
						t.Errorf("got %d entries, want 3", len(cal.Entries))
					}
					for _, e := range cal.Entries {
						if _, ok := e["booking"]; ok {
							t.Errorf("an anonymous visitor sees details: %v", e)
						}
					}
				}},
			{name: "the requester sees its own details in the calendar", user: servertest.ClerkOnet, method: "GET",
				path:   gym + "/calendar?from=" + nextMonday().Format("2006-01-02") + "T00:00&to=" + nextMonday().AddDate(0, 0, 14).Format("2006-01-02") + "T00:00",
				status: http.StatusOK, content: []string{`"purpose":"Basket scolaire"`}},
			{name: "Onet lists its bookings", user: servertest.ClerkOnet, method: "GET", path: fmt.Sprintf("/api/v1/organisations/%d/bookings", onet),
				status: http.StatusOK, content: []string{`"equipment_name":"Gymnase Paul-Ramadier"`}},
			{name: "Rodez's approval queue", user: servertest.ClerkRodez, method: "GET",
				path: fmt.Sprintf("/api/v1/organisations/%d/bookings?side=owner&status=requested", rodez), status: http.StatusOK,
				check: func(t *testing.T, body []byte) {
					var got struct {
						Bookings []equipment.Booking `json:"bookings"`
					}
					json.Unmarshal(body, &got)
					if len(got.Bookings) != 2 {
						t.Errorf("got %d pending requests, want 2", len(got.Bookings))
					}
				}},
			{name: "Onet cannot read Rodez's queue", user: servertest.ClerkOnet, method: "GET",
				path: fmt.Sprintf("/api/v1/organisations/%d/bookings?side=owner", rodez), status: http.StatusForbidden},
			{name: "a weekly series skips Easter Monday and the exceptions", user: servertest.ClerkOnet, method: "POST", path: gym + "/series", csrf: true,
				body: fmt.Sprintf(`{"requester_org_id": %d, "weekdays": ["lundi"], "start": "18:00", "end": "20:00", "from": %q, "to": %q,
					"exceptions": [%q], "purpose": "Chorale"}`, onet, seriesRule.From, seriesRule.To, exception),
				status: http.StatusCreated, content: []string{`"reason":"Lundi de Pâques"`, `"reason":"exception déclarée"`},
				check: func(t *testing.T, body []byte) {
					var s equipment.Series
					json.Unmarshal(body, &s)
					if len(s.Bookings) != len(wantSessions) {
						t.Errorf("got %d sessions, want %d", len(s.Bookings), len(wantSessions))
					}
				}},
			{name: "public holidays of 2027", method: "GET", path: "/api/v1/holidays?year=2027", status: http.StatusOK,
				content: []string{`{"date":"2027-05-06","name":"Ascension"}`}},
			{name: "Onet's uncovered uses", user: servertest.ClerkOnet, method: "GET", path: fmt.Sprintf("/api/v1/organisations/%d/equipment-alerts", onet),
				status: http.StatusOK, content: []string{`"uncovered_uses":[]`}},
			{name: "Onet's usage (nothing held yet)", user: servertest.ClerkOnet, method: "GET", path: fmt.Sprintf("/api/v1/organisations/%d/usage", onet),
				status: http.StatusOK, content: []string{`"records":[]`}},
		})
	})
}

func TestCalendarFeedOverHTTP(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := newEquipmentFixture(t, db)
		rodez := f.Client(t, servertest.ClerkRodez)
		resp := rodez.Do("POST", fmt.Sprintf("/api/v1/equipment/%d/feeds", f.gym.ID), `{"label": "Gymnase (gardien)"}`,
			map[string]string{"X-CSRF-Token": rodez.CSRF})
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("create feed: %d %s", resp.StatusCode, resp.Body)
		}
		var created struct {
			Feed equipment.Feed `json:"feed"`
			URL  string         `json:"url"`
		}
		json.Unmarshal([]byte(resp.Body), &created)
		path := created.URL[strings.Index(created.URL, "/calendriers/"):]
		anon := f.Client(t, servertest.Nobody)
		got := anon.Do("GET", path, "", nil)
		if got.StatusCode != http.StatusOK || !strings.HasPrefix(got.Header.Get("Content-Type"), "text/calendar") {
			t.Fatalf("feed: %d %s %s", got.StatusCode, got.Header.Get("Content-Type"), got.Body)
		}
		cal, err := ics.ParseCalendar(strings.NewReader(got.Body))
		if err != nil {
			t.Fatalf("the feed does not parse: %v", err)
		}
		events := cal.Events()
		if len(events) != 1 || events[0].Id() != fmt.Sprintf("booking-%d@voisines", f.pending.ID) {
			t.Fatalf("got %d events, want the pending request", len(events))
		}
		if st := events[0].GetProperty(ics.ComponentPropertyStatus).Value; st != "TENTATIVE" {
			t.Errorf("a pending request's status: got %s, want TENTATIVE", st)
		}
		start, _ := events[0].GetStartAt()
		if !start.Equal(f.pending.Start) {
			t.Errorf("start: got %v, want %v", start, f.pending.Start)
		}
		if !strings.Contains(got.Body, "DTSTART;TZID=Europe/Paris:") || !strings.Contains(got.Body, "BEGIN:VTIMEZONE") {
			t.Error("the feed does not use Europe/Paris local times")
		}
		onet := f.Client(t, servertest.ClerkOnet)
		if r := onet.Do("DELETE", fmt.Sprintf("/api/v1/feeds/%d", created.Feed.ID), "", map[string]string{"X-CSRF-Token": onet.CSRF}); r.StatusCode != http.StatusNotFound {
			t.Errorf("another commune revokes the feed: got %d, want 404", r.StatusCode)
		}
		if r := rodez.Do("DELETE", fmt.Sprintf("/api/v1/feeds/%d", created.Feed.ID), "", map[string]string{"X-CSRF-Token": rodez.CSRF}); r.StatusCode != http.StatusOK {
			t.Fatalf("revoke: %d %s", r.StatusCode, r.Body)
		}
		if r := anon.Do("GET", path, "", nil); r.StatusCode != http.StatusNotFound {
			t.Errorf("revoked feed: got %d, want 404", r.StatusCode)
		}
		if r := anon.Do("GET", "/calendriers/inconnu.ics", "", nil); r.StatusCode != http.StatusNotFound {
			t.Errorf("unknown feed: got %d, want 404", r.StatusCode)
		}
	})
}

func TestWithdrawingEquipmentOverTheAPI(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := newEquipmentFixture(t, db)
		gym := fmt.Sprintf("/api/v1/equipment/%d", f.gym.ID)
		day := nextMonday().Format("2006-01-02")
		off := func(version int, extra string) string {
			return fmt.Sprintf(`{"version": %d, "name": "Gymnase Paul-Ramadier", "kind": "gym", "unit": "hour", "active": false%s}`, version, extra)
		}
		run(t, f.Fixture, []scenario{
			{name: "a blackout over a booking lists it", user: servertest.ClerkRodez, method: "POST", path: gym + "/blackouts", csrf: true,
				body:   fmt.Sprintf(`{"starts_at": "%sT08:00", "ends_at": "%sT12:00", "reason": "Fuite"}`, day, day),
				status: http.StatusConflict, content: []string{`"code":"bookings_affected"`, `"name":"bookings[0]"`, fmt.Sprintf("n° %d", f.pending.ID)}},
			{name: "deactivating lists the bookings to come", user: servertest.ClerkRodez, method: "PUT", path: gym, csrf: true,
				body: off(1, ""), status: http.StatusConflict, content: []string{`"code":"bookings_affected"`, "Onet-le-Château"}},
			{name: "a confirmation needs a reason", user: servertest.ClerkRodez, method: "PUT", path: gym, csrf: true,
				body: off(1, `, "cancel_bookings": true`), status: http.StatusUnprocessableEntity, content: []string{`"cancel_reason"`}},
			{name: "a confirmed deactivation cancels them", user: servertest.ClerkRodez, method: "PUT", path: gym, csrf: true,
				body: off(1, `, "cancel_bookings": true, "cancel_reason": "Désamiantage"`), status: http.StatusOK,
				content: []string{`"active":false`, `"cancelled_bookings":[{`, `"cancel_reason":"Désamiantage"`}},
			{name: "the requester reads why in the history", user: servertest.ClerkOnet, method: "GET", path: fmt.Sprintf("/api/v1/bookings/%d", f.pending.ID),
				status: http.StatusOK, content: []string{`"status":"cancelled"`, `"action":"cancelled"`, `"detail":"Désamiantage"`,
					`"cancelled_by":"` + servertest.Email(servertest.ClerkRodez)}},
			{name: "nobody books withdrawn equipment", user: servertest.ClerkOnet, method: "POST", path: gym + "/bookings", csrf: true,
				body:   fmt.Sprintf(`{"requester_org_id": %d, "starts_at": "%sT14:00", "ends_at": "%sT15:00"}`, f.Orgs[servertest.Onet].ID, day, day),
				status: http.StatusUnprocessableEntity, content: []string{`"equipment_id"`}},
		})
	})
}

func TestUndividedPropertiesOverTheAPI(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := servertest.NewIndivisWorld(t, db)
		p := fmt.Sprintf("/api/v1/undivided-properties/%d", w.Property.ID)
		run(t, w.F, []scenario{
			{name: "a co-owner lists its properties", user: servertest.ClerkOnet, method: "GET", path: "/api/v1/undivided-properties",
				status: http.StatusOK, content: []string{`"name":"Forêt des Palanges"`, `"share":"2/7"`}},
			{name: "an organisation not concerned lists none", user: servertest.AdminAgglo, method: "GET", path: "/api/v1/undivided-properties",
				status: http.StatusOK, content: []string{`{"properties":[]}`}},
			{name: "nor reads the property", user: servertest.AdminAgglo, method: "GET", path: p, status: http.StatusNotFound},
			{name: "a co-owner reads the years recorded", user: servertest.ClerkOnet, method: "GET", path: p + "/accounts",
				status: http.StatusOK, content: []string{`"year":2025`, `"receipts":8751700`, `"expenses":3190540`}},
			{name: "a co-owner cannot draft the commission's statement", user: servertest.ClerkOnet, method: "POST",
				path: p + "/distribution/2025/statement", csrf: true, body: `{}`, status: http.StatusForbidden},
			{name: "a year without accounts is invalid", user: servertest.Admin, method: "POST",
				path: p + "/distribution/2019/statement", csrf: true, body: `{}`, status: http.StatusUnprocessableEntity, content: []string{`"year"`}},
			{name: "the commission drafts the statement through the ledger", user: servertest.Admin, method: "POST",
				path: p + "/distribution/2025/statement", csrf: true, body: `{}`, status: http.StatusCreated,
				content: []string{`"status":"draft"`, fmt.Sprintf(`"agreement_id":%d`, w.Agreement.ID), "55611"}},
		})
	})
}
