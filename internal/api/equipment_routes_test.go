package api_test

import (
	"fmt"
	"net/http"
	"testing"

	"voisines/internal/server/servertest"
	"voisines/internal/store"
	"voisines/internal/store/storetest"
)

// The routes of bookings, series and feeds that TestEquipmentAPI leaves
// out: each answers with its own status, body and errors.
func TestBookingDecisionsSeriesAndFeedsOverTheAPI(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := newEquipmentFixture(t, db)
		onet, rodez := f.Orgs[servertest.Onet].ID, f.Orgs[servertest.Rodez].ID
		gym := fmt.Sprintf("/api/v1/equipment/%d", f.gym.ID)
		booking := fmt.Sprintf("/api/v1/bookings/%d", f.pending.ID)
		day := nextMonday().Format("2006-01-02")
		to := nextMonday().AddDate(0, 0, 20).Format("2006-01-02")
		dateError := `"message":"Une date est invalide."`
		run(t, f.Fixture, []scenario{
			{name: "a use with a malformed time names the field", user: servertest.ClerkOnet, method: "PUT", path: booking + "/use", csrf: true,
				body: `{"checked_in_at": "hier", "checked_out_at": "x"}`, status: http.StatusBadRequest, content: []string{dateError, `"name":"checked_in_at"`}},
			{name: "a use body with an unknown field is refused", user: servertest.ClerkOnet, method: "PUT", path: booking + "/use", csrf: true,
				body: `{"in": 1}`, status: http.StatusBadRequest, content: []string{`"name":"in","message":"champ inconnu"`}},
			{name: "the requester does not record the use", user: servertest.ClerkOnet, method: "PUT", path: booking + "/use", csrf: true,
				body:   fmt.Sprintf(`{"checked_in_at": "%sT09:00", "checked_out_at": "%sT11:00"}`, day, day),
				status: http.StatusForbidden, content: []string{`"code":"forbidden"`}},
			{name: "the requester cannot refuse its own request", user: servertest.ClerkOnet, method: "POST", path: booking + "/refuse", csrf: true,
				body: `{"reason": "x"}`, status: http.StatusForbidden},
			{name: "the owner refuses with a reason", user: servertest.ClerkRodez, method: "POST", path: booking + "/refuse", csrf: true,
				body: `{"reason": "Salle prise"}`, status: http.StatusOK, content: []string{`"status":"refused"`, `"decision_note":"Salle prise"`}},
			{name: "a refused booking cannot be cancelled", user: servertest.ClerkRodez, method: "POST", path: booking + "/cancel", csrf: true,
				body: `{"reason": "x"}`, status: http.StatusUnprocessableEntity, content: []string{`"name":"status","message":"cette réservation est déjà refusée"`}},
			{name: "cancelling an unknown booking is not found", user: servertest.ClerkOnet, method: "POST", path: "/api/v1/bookings/999999/cancel", csrf: true,
				body: `{"reason": "x"}`, status: http.StatusNotFound, content: []string{`"code":"not_found"`}},
			{name: "a malformed booking id is not found", user: servertest.ClerkOnet, method: "POST", path: "/api/v1/bookings/abc/cancel", csrf: true,
				body: `{"reason": "x"}`, status: http.StatusNotFound},
			{name: "a decision needs a session", method: "POST", path: booking + "/cancel", body: `{"reason": "x"}`, status: http.StatusUnauthorized},
			{name: "another commune cannot black out the gym", user: servertest.ClerkOnet, method: "POST", path: gym + "/blackouts", csrf: true,
				body: fmt.Sprintf(`{"starts_at": "%sT20:00", "ends_at": "%sT21:00", "reason": "x"}`, day, day), status: http.StatusForbidden},
			{name: "a blackout with malformed times names the start", user: servertest.ClerkRodez, method: "POST", path: gym + "/blackouts", csrf: true,
				body: `{"starts_at": "x", "ends_at": "y"}`, status: http.StatusBadRequest, content: []string{dateError, `"name":"starts_at"`}},
			{name: "a blackout over nothing cancels nothing", user: servertest.ClerkRodez, method: "POST", path: gym + "/blackouts", csrf: true,
				body:   fmt.Sprintf(`{"starts_at": "%sT20:00", "ends_at": "%sT21:00", "reason": "Fuite"}`, day, day),
				status: http.StatusCreated, content: []string{`"kind":"blackout"`, `"cancelled_bookings":[]`}},
			{name: "Onet books a weekly series", user: servertest.ClerkOnet, method: "POST", path: gym + "/series", csrf: true,
				body:   fmt.Sprintf(`{"requester_org_id": %d, "weekdays": ["tuesday"], "start": "18:00", "end": "19:00", "from": %q, "to": %q}`, onet, day, to),
				status: http.StatusCreated, content: []string{`"id":1`, `"series_id":1`, `"skipped":null`}},
			{name: "an unknown weekday is invalid", user: servertest.ClerkOnet, method: "POST", path: gym + "/series", csrf: true,
				body:   fmt.Sprintf(`{"requester_org_id": %d, "weekdays": ["someday"], "start": "18:00", "end": "19:00", "from": %q, "to": %q}`, onet, day, to),
				status: http.StatusBadRequest, content: []string{`"name":"weekdays","message":"jour inconnu : someday"`}},
			{name: "cancelling the series cancels its sessions", user: servertest.ClerkOnet, method: "POST", path: "/api/v1/booking-series/1/cancel", csrf: true,
				body: `{"reason": "Fin de saison"}`, status: http.StatusOK, content: []string{`{"cancelled":3}`}},
			{name: "cancelling it again cancels nothing", user: servertest.ClerkOnet, method: "POST", path: "/api/v1/booking-series/1/cancel", csrf: true,
				body: `{"reason": "Fin de saison"}`, status: http.StatusOK, content: []string{`{"cancelled":0}`}},
			{name: "a series cancellation with an unknown field is refused", user: servertest.ClerkOnet, method: "POST", path: "/api/v1/booking-series/1/cancel", csrf: true,
				body: `{"motif": "x"}`, status: http.StatusBadRequest, content: []string{`"name":"motif"`}},
			{name: "an organisation without feeds lists none", user: servertest.ClerkOnet, method: "GET", path: fmt.Sprintf("/api/v1/organisations/%d/feeds", onet),
				status: http.StatusOK, content: []string{`{"feeds":[]}`}},
			{name: "a feed without body takes the organisation's name", user: servertest.ClerkOnet, method: "POST", path: fmt.Sprintf("/api/v1/organisations/%d/feeds", onet), csrf: true,
				status: http.StatusCreated, content: []string{`"scope":"organisation"`, `"label":"Onet-le-Château"`, `"url":"http://`, `/calendriers/`}},
			{name: "a feed with a label", user: servertest.ClerkOnet, method: "POST", path: fmt.Sprintf("/api/v1/organisations/%d/feeds", onet), csrf: true,
				body: `{"label": "Mairie"}`, status: http.StatusCreated, content: []string{`"label":"Mairie"`}},
			{name: "the organisation lists its feeds", user: servertest.ClerkOnet, method: "GET", path: fmt.Sprintf("/api/v1/organisations/%d/feeds", onet),
				status: http.StatusOK, content: []string{`"label":"Onet-le-Château"`, `"label":"Mairie"`}},
			{name: "another commune's feeds are not listed", user: servertest.ClerkOnet, method: "GET", path: fmt.Sprintf("/api/v1/organisations/%d/feeds", rodez),
				status: http.StatusForbidden},
			{name: "nor created", user: servertest.ClerkOnet, method: "POST", path: fmt.Sprintf("/api/v1/organisations/%d/feeds", rodez), csrf: true,
				status: http.StatusForbidden},
			{name: "a malformed from of a booking list names it", user: servertest.ClerkOnet, method: "GET", path: fmt.Sprintf("/api/v1/organisations/%d/bookings?from=x", onet),
				status: http.StatusBadRequest, content: []string{dateError, `"name":"from"`}},
			{name: "a malformed to of a booking list names it", user: servertest.ClerkOnet, method: "GET", path: fmt.Sprintf("/api/v1/organisations/%d/bookings?to=x", onet),
				status: http.StatusBadRequest, content: []string{dateError, `"name":"to"`}},
			{name: "a malformed from of a calendar names it", method: "GET", path: gym + "/calendar?from=x",
				status: http.StatusBadRequest, content: []string{dateError, `"name":"from"`}},
			{name: "a malformed to of a calendar names it", method: "GET", path: gym + "/calendar?to=x",
				status: http.StatusBadRequest, content: []string{dateError, `"name":"to"`}},
			{name: "the calendar of unknown equipment is not found", method: "GET", path: "/api/v1/equipment/999999/calendar", status: http.StatusNotFound},
			{name: "equipment 0 is not found", method: "GET", path: "/api/v1/equipment/0", status: http.StatusNotFound},
			{name: "a search finding nothing lists an empty catalogue", method: "GET", path: "/api/v1/equipment?q=zzzz",
				status: http.StatusOK, content: []string{`{"equipment":[]}`}},
			{name: "an update without version is invalid", user: servertest.ClerkRodez, method: "PUT", path: gym, csrf: true,
				body: `{"name": "x", "kind": "gym", "unit": "hour"}`, status: http.StatusBadRequest, content: []string{`"name":"version"`}},
			{name: "an update cancelling nothing lists no booking", user: servertest.ClerkRodez, method: "PUT", path: gym, csrf: true,
				body:   `{"version": 1, "name": "Gymnase P-R", "kind": "gym", "unit": "hour", "active": true}`,
				status: http.StatusOK, content: []string{`"name":"Gymnase P-R"`, `"version":2`, `"cancelled_bookings":[]`}},
		})
		for _, tc := range []struct {
			name, user, path, body, location string
		}{
			{"a new equipment is at its address", servertest.ClerkRodez, "/api/v1/equipment",
				fmt.Sprintf(`{"owner_org_id": %d, "name": "Minibus", "kind": "vehicle", "unit": "day"}`, rodez), "/api/v1/equipment/2"},
			{"a new booking is at its address", servertest.ClerkOnet, gym + "/bookings",
				fmt.Sprintf(`{"requester_org_id": %d, "starts_at": "%sT14:00", "ends_at": "%sT15:00"}`, onet, day, day), "/api/v1/bookings/6"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				c := f.Client(t, tc.user)
				resp := c.Do("POST", tc.path, tc.body, map[string]string{"X-CSRF-Token": c.CSRF})
				if resp.StatusCode != http.StatusCreated {
					t.Fatalf("got status %d want 201: %s", resp.StatusCode, resp.Body)
				}
				if got := resp.Header.Get("Location"); got != tc.location {
					t.Errorf("Location: got %q want %q", got, tc.location)
				}
			})
		}
	})
}

// The writing routes of undivided properties: creation, a year's
// accounts, the distribution; the year of the path is read before the
// body.
func TestUndividedPropertyWritesOverTheAPI(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := servertest.NewIndivisWorld(t, db)
		p := fmt.Sprintf("/api/v1/undivided-properties/%d", w.Property.ID)
		create := fmt.Sprintf("/api/v1/organisations/%d/undivided-properties", w.Commission.ID)
		pond := fmt.Sprintf(`{"name": "Étang du Puech", "shares": [{"org_id": %d, "share": "1/2"}, {"org_id": %d, "share": "1/2"}]}`,
			w.F.Orgs[servertest.Rodez].ID, w.F.Orgs[servertest.Conques].ID)
		badYear := `{"error":{"code":"invalid_request","message":"L'année est invalide.","fields":[{"name":"year","message":"année attendue, comme 2025"}]}}`
		run(t, w.F, []scenario{
			{name: "a co-owner cannot record property for the commission", user: servertest.ClerkOnet, method: "POST", path: create, csrf: true,
				body: pond, status: http.StatusForbidden},
			{name: "a property body with an unknown field is refused", user: servertest.Admin, method: "POST", path: create, csrf: true,
				body: `{"nom": 1}`, status: http.StatusBadRequest, content: []string{`"name":"nom","message":"champ inconnu"`}},
			{name: "the commission records a property", user: servertest.Admin, method: "POST", path: create, csrf: true,
				body: pond, status: http.StatusCreated, content: []string{`"name":"Étang du Puech"`, `"share":"1/2"`, `"version":1`}},
			{name: "the commission records a year's accounts and reads the split", user: servertest.Admin, method: "PUT", path: p + "/accounts/2026", csrf: true,
				body:   `{"receipts": 1000000, "expenses": 300000, "note": "Bois"}`,
				status: http.StatusOK, content: []string{`"year":2026`, `"result":700000`, `"name":"Rodez","share":"3/7","amount":300000`}},
			{name: "a malformed year is refused before the body is read", user: servertest.Admin, method: "PUT", path: p + "/accounts/20x6", csrf: true,
				body: `{"nope": 1}`, status: http.StatusBadRequest, content: []string{badYear}},
			{name: "an accounts body with an unknown field is refused", user: servertest.Admin, method: "PUT", path: p + "/accounts/2026", csrf: true,
				body: `{"nope": 1}`, status: http.StatusBadRequest, content: []string{`"name":"nope"`}},
			{name: "a co-owner cannot record the accounts", user: servertest.ClerkOnet, method: "PUT", path: p + "/accounts/2026", csrf: true,
				body: `{"receipts": 1}`, status: http.StatusForbidden},
			{name: "a co-owner reads the distribution of a year", user: servertest.ClerkOnet, method: "GET", path: p + "/distribution/2025",
				status: http.StatusOK, content: []string{`"result":5561160`, `"name":"Onet-le-Château","share":"2/7","amount":1588903`}},
			{name: "the distribution of a malformed year is refused", user: servertest.ClerkOnet, method: "GET", path: p + "/distribution/abc",
				status: http.StatusBadRequest, content: []string{badYear}},
			{name: "the distribution of a year without accounts is invalid", user: servertest.ClerkOnet, method: "GET", path: p + "/distribution/2019",
				status: http.StatusUnprocessableEntity, content: []string{`"message":"aucun compte n'est enregistré pour 2019"`}},
			{name: "the statement of a malformed year is refused", user: servertest.Admin, method: "POST", path: p + "/distribution/abc/statement", csrf: true,
				body: `{}`, status: http.StatusBadRequest, content: []string{badYear}},
			{name: "an unknown property is not found", user: servertest.ClerkOnet, method: "GET", path: "/api/v1/undivided-properties/999999",
				status: http.StatusNotFound},
			{name: "the years recorded, latest first", user: servertest.Admin, method: "GET", path: p + "/accounts",
				status: http.StatusOK, content: []string{`{"accounts":[{"year":2026,`}},
		})
		t.Run("a drafted statement is at its address", func(t *testing.T) {
			c := w.F.Client(t, servertest.Admin)
			resp := c.Do("POST", p+"/distribution/2025/statement", `{}`, map[string]string{"X-CSRF-Token": c.CSRF})
			if resp.StatusCode != http.StatusCreated {
				t.Fatalf("got status %d want 201: %s", resp.StatusCode, resp.Body)
			}
			st := decode[struct {
				ID int64 `json:"id"`
			}](t, []byte(resp.Body))
			if got, want := resp.Header.Get("Location"), fmt.Sprintf("/api/v1/statements/%d", st.ID); got != want {
				t.Errorf("Location: got %q want %q", got, want)
			}
		})
	})
}
