package api

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"voisines/internal/auth"
	"voisines/internal/civil"
	"voisines/internal/equipment"
	"voisines/internal/server/problem"
	"voisines/internal/server/session"
	"voisines/internal/store"
)

// Shared equipment (issue 5): the catalogue, calendars, bookings, series,
// blackouts, calendar feeds, usage and biens indivis. Every handler is the
// same script: parse, call the equipment service (which authorises), answer.

// failEquipment answers err; a booking conflict keeps its own French
// message, which names the clashing booking's time.
func (h *Handler) failEquipment(w http.ResponseWriter, r *http.Request, err error) {
	var ce *equipment.ConflictError
	if errors.As(err, &ce) {
		h.WriteProblem(w, r, problem.Problem{Status: http.StatusConflict, Code: "conflict", Message: ce.Message})
		return
	}
	// Bookings a deactivation or a blackout would cancel: one field per
	// booking, bookings[i], naming it.
	var ae *equipment.AffectedError
	if errors.As(err, &ae) {
		p := problem.Problem{Status: http.StatusConflict, Code: "bookings_affected", Message: ae.Message}
		for i, line := range ae.Lines() {
			p.Fields = append(p.Fields, problem.Field{Name: fmt.Sprintf("bookings[%d]", i), Message: line})
		}
		h.WriteProblem(w, r, p)
		return
	}
	h.Fail(w, r, err)
}

// equipmentReply answers v with status, or err through failEquipment.
func (h *Handler) equipmentReply(w http.ResponseWriter, r *http.Request, status int, v any, err error) {
	h.replyWith(h.failEquipment, w, r, status, v, err)
}

// instant reads a date and time of a body or query: RFC 3339, or a Paris
// wall-clock time without offset.
func instant(field, s string) (time.Time, error) {
	t, err := equipment.ParseInstant(s)
	if err != nil {
		return time.Time{}, problem.Invalid("Une date est invalide.",
			problem.Field{Name: field, Message: "date et heure attendues, comme 2026-09-07T17:00 (heure de Paris) ou 2026-09-07T15:00:00Z"})
	}
	return t, nil
}

// instants parses both ends of a span, naming the field at fault.
func instants(startField, start, endField, end string) (time.Time, time.Time, error) {
	from, err := instant(startField, start)
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	to, err := instant(endField, end)
	return from, to, err
}

// queryInstant reads the date and time ?name=, or def when it is absent.
func queryInstant(r *http.Request, name string, def time.Time) (time.Time, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return def, nil
	}
	return instant(name, s)
}

// actorAndID starts the handlers of a resource named by {id}: the acting
// user and the id. When it returns false it has already answered.
func (h *Handler) actorAndID(w http.ResponseWriter, r *http.Request) (auth.Actor, int64, bool) {
	a, err := actor(r)
	if err != nil {
		h.Fail(w, r, err)
		return auth.Actor{}, 0, false
	}
	id, ok := h.pathParam(w, r, "id")
	if !ok {
		return auth.Actor{}, 0, false
	}
	return a, id, true
}

// actorIDBody is actorAndID, then the JSON body read into v.
func (h *Handler) actorIDBody(w http.ResponseWriter, r *http.Request, v any) (auth.Actor, int64, bool) {
	a, id, ok := h.actorAndID(w, r)
	if !ok || !h.decode(w, r, v) {
		return auth.Actor{}, 0, false
	}
	return a, id, true
}

type equipmentList struct {
	Equipment []equipment.Equipment `json:"equipment"`
}

// equipmentSearch lists the public catalogue: ?kind=, ?q=, ?owner=,
// ?near=INSEE&km=, ?limit=.
func (h *Handler) equipmentSearch(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	query := equipment.Query{Kind: equipment.Kind(q.Get("kind")), Text: q.Get("q"), Near: strings.TrimSpace(q.Get("near"))}
	var err error
	if query.Limit, err = intParam(r, "limit", 50, 1, 500); err != nil {
		h.Fail(w, r, err)
		return
	}
	if s := q.Get("owner"); s != "" {
		if query.OwnerOrgID, err = strconv.ParseInt(s, 10, 64); err != nil {
			h.Fail(w, r, problem.Invalid("Un paramètre de la requête est invalide.", problem.Field{Name: "owner", Message: "identifiant d'organisation attendu"}))
			return
		}
	}
	if query.Near != "" {
		km, err := intParam(r, "km", 20, 1, equipment.MaxKm)
		if err != nil {
			h.Fail(w, r, err)
			return
		}
		query.Km = float64(km)
	}
	found, err := h.equipment.Search(r.Context(), query)
	h.reply(w, r, http.StatusOK, equipmentList{Equipment: orEmpty(found)}, err)
}

// equipmentBody is the body of POST /api/v1/equipment and PUT
// /api/v1/equipment/{id}: the details, with the owner on creation and the
// version read on update.
type equipmentBody struct {
	OwnerOrgID int64 `json:"owner_org_id"`
	Version    int64 `json:"version"`
	equipment.Details
	// On update, what to do with the bookings to come when active turns
	// false.
	equipment.Withdrawal
}

func (h *Handler) equipmentCreate(w http.ResponseWriter, r *http.Request) {
	a, err := actor(r)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	var body equipmentBody
	body.Active = true
	if !h.decode(w, r, &body) {
		return
	}
	e, err := h.equipment.Create(r.Context(), a, body.OwnerOrgID, body.Details)
	h.replyCreated(h.Fail, w, r, fmt.Sprintf("/api/v1/equipment/%d", e.ID), e, err)
}

func (h *Handler) equipmentGet(w http.ResponseWriter, r *http.Request) {
	id, ok := h.pathParam(w, r, "id")
	if !ok {
		return
	}
	e, err := h.equipment.Get(r.Context(), id)
	h.reply(w, r, http.StatusOK, e, err)
}

func (h *Handler) equipmentUpdate(w http.ResponseWriter, r *http.Request) {
	var body equipmentBody
	a, id, ok := h.actorIDBody(w, r, &body)
	if !ok {
		return
	}
	if body.Version <= 0 {
		h.Fail(w, r, problem.Invalid("La version lue est obligatoire, pour ne pas écraser la modification de quelqu'un d'autre.",
			problem.Field{Name: "version", Message: "nombre entier positif obligatoire"}))
		return
	}
	e, cancelled, err := h.equipment.UpdateWithdrawing(r.Context(), a, id, body.Version, body.Details, body.Withdrawal)
	h.equipmentReply(w, r, http.StatusOK, equipmentResponse{Equipment: e, Cancelled: orEmpty(cancelled)}, err)
}

type calendarResponse struct {
	EquipmentID int64                     `json:"equipment_id"`
	From        time.Time                 `json:"from"`
	To          time.Time                 `json:"to"`
	TimeZone    string                    `json:"time_zone"`
	Entries     []equipment.CalendarEntry `json:"entries"`
}

// equipmentCalendar is the busy/free calendar of [from, to) (default: the
// next 7 days), with details for the owner's and requester's members.
func (h *Handler) equipmentCalendar(w http.ResponseWriter, r *http.Request) {
	id, ok := h.pathParam(w, r, "id")
	if !ok {
		return
	}
	from, err := queryInstant(r, "from", time.Now().UTC().Truncate(time.Hour))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	to, err := queryInstant(r, "to", from.Add(7*24*time.Hour))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	if _, err := h.equipment.Get(r.Context(), id); err != nil {
		h.Fail(w, r, err)
		return
	}
	entries, err := h.equipment.Calendar(r.Context(), session.ActorFrom(r.Context()), id, from, to)
	h.reply(w, r, http.StatusOK, calendarResponse{EquipmentID: id, From: from, To: to, TimeZone: "Europe/Paris", Entries: orEmpty(entries)}, err)
}

// bookingBody is the body of POST /api/v1/equipment/{id}/bookings.
type bookingBody struct {
	RequesterOrgID int64  `json:"requester_org_id"`
	AgreementID    int64  `json:"agreement_id"`
	StartsAt       string `json:"starts_at"`
	EndsAt         string `json:"ends_at"`
	Purpose        string `json:"purpose"`
}

func (h *Handler) bookingCreate(w http.ResponseWriter, r *http.Request) {
	var body bookingBody
	a, id, ok := h.actorIDBody(w, r, &body)
	if !ok {
		return
	}
	start, end, err := instants("starts_at", body.StartsAt, "ends_at", body.EndsAt)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	b, err := h.equipment.Book(r.Context(), a, equipment.Request{EquipmentID: id, RequesterOrgID: body.RequesterOrgID,
		AgreementID: body.AgreementID, Start: start, End: end, Purpose: body.Purpose})
	h.replyCreated(h.failEquipment, w, r, fmt.Sprintf("/api/v1/bookings/%d", b.ID), b, err)
}

// seriesBody is the body of POST /api/v1/equipment/{id}/series.
type seriesBody struct {
	RequesterOrgID int64                     `json:"requester_org_id"`
	AgreementID    int64                     `json:"agreement_id"`
	Purpose        string                    `json:"purpose"`
	Weekdays       []string                  `json:"weekdays"` // "monday"… or "lundi"…
	Start          equipment.Clock           `json:"start"`
	End            equipment.Clock           `json:"end"`
	From           civil.Date                `json:"from"`
	To             civil.Date                `json:"to"`
	Exceptions     []string                  `json:"exceptions"` // days or ranges "2026-10-17/2026-11-01"
	Holidays       equipment.HolidayCalendar `json:"holidays"`
}

// weekdayNames are accepted in English and in French.
var weekdayNames = map[string]time.Weekday{
	"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday,
	"thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday,
	"dimanche": time.Sunday, "lundi": time.Monday, "mardi": time.Tuesday, "mercredi": time.Wednesday,
	"jeudi": time.Thursday, "vendredi": time.Friday, "samedi": time.Saturday,
}

func (h *Handler) seriesCreate(w http.ResponseWriter, r *http.Request) {
	var body seriesBody
	a, id, ok := h.actorIDBody(w, r, &body)
	if !ok {
		return
	}
	rule := equipment.SeriesRule{Start: body.Start, End: body.End, From: body.From, To: body.To, Holidays: body.Holidays}
	for _, d := range body.Weekdays {
		wd, ok := weekdayNames[strings.ToLower(strings.TrimSpace(d))]
		if !ok {
			h.Fail(w, r, problem.Invalid("Un jour de la semaine est inconnu.", problem.Field{Name: "weekdays", Message: "jour inconnu : " + d}))
			return
		}
		rule.Weekdays = append(rule.Weekdays, wd)
	}
	var err error
	if rule.Exceptions, err = equipment.ParseDates(strings.Join(body.Exceptions, ",")); err != nil {
		h.Fail(w, r, problem.Invalid("Une exception est invalide.", problem.Field{Name: "exceptions", Message: err.Error()}))
		return
	}
	s, err := h.equipment.BookSeries(r.Context(), a, equipment.SeriesRequest{EquipmentID: id, RequesterOrgID: body.RequesterOrgID,
		AgreementID: body.AgreementID, Purpose: body.Purpose, Rule: rule})
	h.equipmentReply(w, r, http.StatusCreated, s, err)
}

// reasonBody is the body of decisions and cancellations.
type reasonBody struct {
	Reason string `json:"reason"`
	Note   string `json:"note"`
}

func (h *Handler) seriesCancel(w http.ResponseWriter, r *http.Request) {
	var body reasonBody
	a, id, ok := h.actorIDBody(w, r, &body)
	if !ok {
		return
	}
	n, err := h.equipment.CancelSeries(r.Context(), a, id, body.Reason)
	h.reply(w, r, http.StatusOK, map[string]int{"cancelled": n}, err)
}

// blackoutBody is the body of POST /api/v1/equipment/{id}/blackouts.
type blackoutBody struct {
	StartsAt string `json:"starts_at"`
	EndsAt   string `json:"ends_at"`
	Reason   string `json:"reason"`
	equipment.Withdrawal
}

// blackoutResponse is a blackout with the bookings it cancelled.
type blackoutResponse struct {
	equipment.Booking
	Cancelled []equipment.Booking `json:"cancelled_bookings"`
}

// equipmentResponse is equipment after an update, with the bookings its
// deactivation cancelled.
type equipmentResponse struct {
	equipment.Equipment
	Cancelled []equipment.Booking `json:"cancelled_bookings"`
}

func (h *Handler) blackoutCreate(w http.ResponseWriter, r *http.Request) {
	var body blackoutBody
	a, id, ok := h.actorIDBody(w, r, &body)
	if !ok {
		return
	}
	start, end, err := instants("starts_at", body.StartsAt, "ends_at", body.EndsAt)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	b, cancelled, err := h.equipment.Blackout(r.Context(), a, id, start, end, body.Reason, body.Withdrawal)
	h.equipmentReply(w, r, http.StatusCreated, blackoutResponse{Booking: b, Cancelled: orEmpty(cancelled)}, err)
}

type bookingResponse struct {
	equipment.Booking
	History []equipment.Event `json:"history"`
}

// bookingGet shows a booking with its change history to the members of
// its owner and requester; anyone else gets 404, as for any record of
// others (access.go), so that the booking's existence does not leak.
func (h *Handler) bookingGet(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.actorAndID(w, r)
	if !ok {
		return
	}
	b, err := h.equipment.Booking(r.Context(), a, id)
	if errors.Is(err, auth.ErrForbidden) {
		err = fmt.Errorf("api: booking %d: %w", id, store.ErrNotFound)
	}
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	history, err := h.equipment.History(r.Context(), a, id)
	h.reply(w, r, http.StatusOK, bookingResponse{Booking: b, History: history}, err)
}

// bookingDecide runs approve, refuse or cancel on the booking of the path.
func (h *Handler) bookingDecide(w http.ResponseWriter, r *http.Request, do func(a auth.Actor, id int64, body reasonBody) (equipment.Booking, error)) {
	var body reasonBody
	a, id, ok := h.actorIDBody(w, r, &body)
	if !ok {
		return
	}
	b, err := do(a, id, body)
	h.reply(w, r, http.StatusOK, b, err)
}

func (h *Handler) bookingApprove(w http.ResponseWriter, r *http.Request) {
	h.bookingDecide(w, r, func(a auth.Actor, id int64, body reasonBody) (equipment.Booking, error) {
		return h.equipment.Approve(r.Context(), a, id, body.Note)
	})
}

func (h *Handler) bookingRefuse(w http.ResponseWriter, r *http.Request) {
	h.bookingDecide(w, r, func(a auth.Actor, id int64, body reasonBody) (equipment.Booking, error) {
		return h.equipment.Refuse(r.Context(), a, id, body.Reason)
	})
}

func (h *Handler) bookingCancel(w http.ResponseWriter, r *http.Request) {
	h.bookingDecide(w, r, func(a auth.Actor, id int64, body reasonBody) (equipment.Booking, error) {
		return h.equipment.Cancel(r.Context(), a, id, body.Reason)
	})
}

// useBody is the body of PUT /api/v1/bookings/{id}/use.
type useBody struct {
	CheckedInAt  string `json:"checked_in_at"`
	CheckedOutAt string `json:"checked_out_at"`
}

func (h *Handler) bookingUse(w http.ResponseWriter, r *http.Request) {
	var body useBody
	a, id, ok := h.actorIDBody(w, r, &body)
	if !ok {
		return
	}
	in, out, err := instants("checked_in_at", body.CheckedInAt, "checked_out_at", body.CheckedOutAt)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	b, err := h.equipment.RecordUse(r.Context(), a, id, in, out)
	h.reply(w, r, http.StatusOK, b, err)
}

type bookingsResponse struct {
	Bookings []equipment.Booking `json:"bookings"`
}

// orgBookings lists an organisation's bookings: ?side=requester (made by
// it, default) or owner (of its equipment), ?status=requested,approved,
// ?from=, ?to=, ?limit=.
func (h *Handler) orgBookings(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.actorAndID(w, r)
	if !ok {
		return
	}
	var err error
	q := r.URL.Query()
	f := equipment.BookingFilter{OrgID: id, Side: equipment.Side(q.Get("side"))}
	if f.Side == "" {
		f.Side = equipment.AsRequester
	}
	for _, st := range strings.Split(q.Get("status"), ",") {
		if st = strings.TrimSpace(st); st != "" {
			f.Statuses = append(f.Statuses, equipment.Status(st))
		}
	}
	if f.From, err = queryInstant(r, "from", time.Time{}); err != nil {
		h.Fail(w, r, err)
		return
	}
	if f.To, err = queryInstant(r, "to", time.Time{}); err != nil {
		h.Fail(w, r, err)
		return
	}
	if f.Limit, err = intParam(r, "limit", 200, 1, 1000); err != nil {
		h.Fail(w, r, err)
		return
	}
	bs, err := h.equipment.Bookings(r.Context(), a, f)
	h.reply(w, r, http.StatusOK, bookingsResponse{Bookings: orEmpty(bs)}, err)
}

type alertsResponse struct {
	Uses []equipment.UncoveredUse `json:"uncovered_uses"`
}

// orgEquipmentAlerts lists the uses without convention the organisation is
// part of, with the L1311-15 alert after a year.
func (h *Handler) orgEquipmentAlerts(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.actorAndID(w, r)
	if !ok {
		return
	}
	uses, err := h.equipment.UncoveredUses(r.Context(), a, id, civil.Today())
	h.reply(w, r, http.StatusOK, alertsResponse{Uses: orEmpty(uses)}, err)
}

type feedResponse struct {
	Feed equipment.Feed `json:"feed"`
	// URL is the secret address to subscribe to; it is shown only once.
	URL string `json:"url"`
}

// feedURL is the absolute address of a feed token on this server.
func feedURL(r *http.Request, token string) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + "/calendriers/" + token + ".ics"
}

type feedBody struct {
	Label string `json:"label"`
}

func (h *Handler) feedCreate(w http.ResponseWriter, r *http.Request, scope equipment.FeedScope) {
	a, id, ok := h.actorAndID(w, r)
	if !ok {
		return
	}
	var body feedBody
	if r.ContentLength != 0 && !h.decode(w, r, &body) {
		return
	}
	f, token, err := h.equipment.CreateFeed(r.Context(), a, scope, id, body.Label)
	h.reply(w, r, http.StatusCreated, feedResponse{Feed: f, URL: feedURL(r, token)}, err)
}

func (h *Handler) equipmentFeedCreate(w http.ResponseWriter, r *http.Request) {
	h.feedCreate(w, r, equipment.FeedEquipment)
}

func (h *Handler) orgFeedCreate(w http.ResponseWriter, r *http.Request) {
	h.feedCreate(w, r, equipment.FeedOrganisation)
}

type feedsResponse struct {
	Feeds []equipment.Feed `json:"feeds"`
}

func (h *Handler) orgFeeds(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.actorAndID(w, r)
	if !ok {
		return
	}
	fs, err := h.equipment.Feeds(r.Context(), a, id)
	h.reply(w, r, http.StatusOK, feedsResponse{Feeds: orEmpty(fs)}, err)
}

func (h *Handler) feedRevoke(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.actorAndID(w, r)
	if !ok {
		return
	}
	f, err := h.equipment.RevokeFeed(r.Context(), a, id)
	h.reply(w, r, http.StatusOK, f, err)
}

type holidaysResponse struct {
	Year     int                 `json:"year"`
	Holidays []equipment.Holiday `json:"holidays"`
}

// holidays lists the French public holidays of ?year= (default this year),
// with ?alsace_moselle=true for the local-law days.
func (h *Handler) holidays(w http.ResponseWriter, r *http.Request) {
	year, err := intParam(r, "year", civil.Today().Year, 1583, 4000)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	local := r.URL.Query().Get("alsace_moselle") == "true"
	h.writeJSON(w, http.StatusOK, holidaysResponse{Year: year, Holidays: equipment.PublicHolidays(year, local)})
}
