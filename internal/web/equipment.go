package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"voisines/internal/auth"
	"voisines/internal/civil"
	"voisines/internal/equipment"
	"voisines/internal/export/ical"
	"voisines/internal/money"
	"voisines/internal/server/problem"
	"voisines/internal/server/session"
	"voisines/internal/store"
	"voisines/internal/validate"
)

// Pages of shared equipment (issue 5): the catalogue, an equipment's page
// with its week calendar and booking forms, the bookings page with the
// owner's approval queue, and the secret calendar feeds. Times are shown
// and typed in Europe/Paris; the domain keeps instants in UTC.

// option is an entry of a select or a checkbox list.
type option struct {
	Value    string
	Label    string
	Selected bool
}

// formErrors is the error summary of a form: its message and the fields at
// fault, each with the id of its input and a French label.
type formErrors struct {
	Message string
	Fields  []fieldError
	// ByName gives the message of a field, for aria-describedby.
	ByName map[string]string
}

type fieldError struct {
	ID, Label, Message string
}

// equipmentFields maps the domain's field names to the forms' inputs and
// their French labels.
var equipmentFields = map[string][2]string{
	"requester_org_id": {"org", "Organisme demandeur"},
	"agreement_id":     {"agreement", "Convention"},
	"starts_at":        {"start", "Début"},
	"ends_at":          {"end", "Fin"},
	"purpose":          {"purpose", "Objet"},
	"equipment_id":     {"org", "Équipement"},
	"weekdays":         {"weekdays", "Jours"},
	"start":            {"start", "Heure de début"},
	"end":              {"end", "Heure de fin"},
	"from":             {"from", "Premier jour"},
	"to":               {"to", "Dernier jour"},
	"exceptions":       {"exceptions", "Exceptions"},
	"holidays":         {"exceptions", "Jours fériés"},
	"reason":           {"reason", "Motif"},
	"note":             {"reason", "Note"},
	"status":           {"reason", "État"},
	"date":             {"date", "Date"},
	"kind":             {"kind", "Type"},
	"near":             {"near", "Commune"},
	"km":               {"km", "Distance"},
	"label":            {"label", "Nom du calendrier"},
	"scope":            {"label", "Calendrier"},
}

// toFormErrors turns err into the summary of a form: the conflict's own
// message, field errors with labels, or the problem's safe message.
func toFormErrors(err error) (*formErrors, int) {
	var ce *equipment.ConflictError
	if errors.As(err, &ce) {
		return &formErrors{Message: ce.Message, ByName: map[string]string{}}, http.StatusConflict
	}
	var ae *equipment.AffectedError
	if errors.As(err, &ae) {
		return &formErrors{Message: ae.Message, ByName: map[string]string{}}, http.StatusConflict
	}
	return formErrorsIn(err, equipmentFields)
}

// invalidField is a form error on one input.
func invalidField(name, message string) error {
	return validate.FieldError{Field: name, Message: message}
}

func idParam(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("web: id %q: %w", r.PathValue("id"), store.ErrNotFound)
	}
	return id, nil
}

// writableOrgs lists the organisations the user may book for.
func writableOrgs(a auth.Actor, selected int64) []option {
	var out []option
	if a.User == nil {
		return nil
	}
	for _, m := range a.User.Memberships {
		if m.Role.Allows(auth.Write) {
			out = append(out, option{Value: strconv.FormatInt(m.OrgID, 10), Label: m.OrgName, Selected: m.OrgID == selected})
		}
	}
	return out
}

func price(c *money.Cents, unit equipment.Unit) string {
	if c == nil {
		return "sur demande"
	}
	if *c == 0 {
		return "gratuit"
	}
	return c.String() + " par " + unit.Label()
}

// ---- Catalogue ----

type equipmentCard struct {
	ID                                      int64
	Name, Kind, Owner, Commune, Unit, Extra string
}

type catalogueData struct {
	Kinds              []option
	Text, Near, Km     string
	Searched           bool
	Results            []equipmentCard
	Errors             *formErrors
	CanAdd             bool
	CatalogueTruncated bool
}

func (h *Handler) equipmentCatalogue(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	data := catalogueData{Text: strings.TrimSpace(q.Get("q")), Near: strings.TrimSpace(q.Get("commune")), Km: strings.TrimSpace(q.Get("km"))}
	kind := equipment.Kind(q.Get("type"))
	data.Kinds = []option{{Value: "", Label: "Tous les types", Selected: kind == ""}}
	for _, k := range equipment.Kinds {
		data.Kinds = append(data.Kinds, option{Value: string(k), Label: capitalize(k.Label()), Selected: k == kind})
	}
	query := equipment.Query{Kind: kind, Text: data.Text, Limit: 100}
	status := http.StatusOK
	if data.Near != "" {
		if data.Km == "" {
			data.Km = "20"
		}
		km, err := strconv.Atoi(data.Km)
		if err != nil {
			km = -1
		}
		query.Near, query.Km = data.Near, float64(km)
	}
	found, err := h.equipment.Search(r.Context(), query)
	if err != nil {
		if _, ok := validate.As(err); !ok {
			h.Fail(w, r, err)
			return
		}
		data.Errors, status = toFormErrors(err)
	}
	data.Searched = data.Text != "" || data.Near != "" || kind != ""
	for _, e := range found {
		c := equipmentCard{ID: e.ID, Name: e.Name, Kind: capitalize(e.Kind.Label()), Owner: e.OwnerName, Commune: e.CommuneName,
			Unit: "réservable à la " + e.Unit.Label()}
		if e.Unit == equipment.UnitHour {
			c.Unit = "réservable à l'heure"
		}
		if e.DistanceKm != nil {
			c.Extra = "à " + formatKm(*e.DistanceKm)
		}
		if e.Capacity > 0 {
			c.Extra = strings.TrimPrefix(c.Extra+", "+strconv.Itoa(e.Capacity)+" personnes", ", ")
		}
		data.Results = append(data.Results, c)
	}
	data.CatalogueTruncated = len(found) == query.Limit
	data.CanAdd = len(writableOrgs(session.ActorFrom(r.Context()), 0)) > 0
	h.render(w, r, status, "equipment_catalogue", newPage(r, "Équipements partagés", "equipements", data))
}

// ---- Equipment page ----

type slotView struct {
	Time   string
	What   string
	Status string
}

type dayView struct {
	Name  string
	Items []slotView
}

type weekView struct {
	Label      string
	Prev, Next string // values of ?semaine=
	Days       []dayView
}

type bookingForm struct {
	Org, Date, Start, End, Purpose, Agreement string
	// Series
	Weekdays             []option
	From, To, Exceptions string
	Holidays             string
	// Blackout
	BlackoutFrom, BlackoutFromTime, BlackoutTo, BlackoutToTime, Reason string
}

type equipmentPageData struct {
	E                              equipment.Equipment
	Kind, Unit, Approval, Capacity string
	Tariffs                        [][2]string
	Week                           weekView
	Month                          *monthView // set for the month view (?mois=)
	Orgs                           []option
	Manager                        bool
	LoggedIn                       bool
	Form                           bookingForm
	Errors                         *formErrors
	ErrorsFor                      string // which form the errors belong to: booking, series, blackout, feed
	FeedURL                        string
	HolidayNames                   []option
	// Affected lists the bookings a blackout would cancel, to confirm.
	Affected []string
}

// Err returns the error message of input id of form which, "" when none.
func (d equipmentPageData) Err(which, id string) string {
	if d.Errors == nil || d.ErrorsFor != which {
		return ""
	}
	return d.Errors.ByName[id]
}

// mondayOf returns the Monday of d's week.
func mondayOf(d civil.Date) civil.Date {
	return d.AddDays(-((int(d.Weekday()) + 6) % 7))
}

// week builds the week view starting on monday from the calendar entries.
func week(monday civil.Date, entries []equipment.CalendarEntry) weekView {
	sunday := monday.AddDays(6)
	v := weekView{
		Label: "Semaine du " + monday.French() + " au " + sunday.French(),
		Prev:  monday.AddDays(-7).String(),
		Next:  monday.AddDays(7).String(),
	}
	for i := range 7 {
		d := monday.AddDays(i)
		v.Days = append(v.Days, dayView{Name: capitalize(equipment.WeekdayName(d.Weekday())) + " " + d.French(), Items: daySlots(d, entries)})
	}
	return v
}

// daySlots lists the busy slots of day d in the calendar entries, cut to
// the day.
func daySlots(d civil.Date, entries []equipment.CalendarEntry) []slotView {
	var items []slotView
	dayStart, dayEnd := equipment.At(d, equipment.Clock{}), equipment.At(d.AddDays(1), equipment.Clock{})
	for _, e := range entries {
		if !e.Start.Before(dayEnd) || !e.End.After(dayStart) {
			continue
		}
		from, to := "0\u00a0h", "24\u00a0h"
		if !e.Start.Before(dayStart) {
			from = equipment.FrenchClock(e.Start)
		}
		if !e.End.After(dayEnd) && e.End.Before(dayEnd) {
			to = equipment.FrenchClock(e.End)
		}
		s := slotView{Time: from + " – " + to}
		switch {
		case e.Kind == equipment.KindBlackout:
			s.What, s.Status = "Fermé", "fermeture"
		case e.Status == equipment.Requested:
			s.What, s.Status = "Réservé", "demande en attente"
		default:
			s.What, s.Status = "Réservé", "validé"
		}
		if e.Booking != nil {
			s.What = e.Booking.RequesterName
			if e.Kind == equipment.KindBlackout {
				s.What = "Fermé"
			}
			if e.Booking.Purpose != "" {
				s.What += " — " + e.Booking.Purpose
			}
		}
		items = append(items, s)
	}
	return items
}

// loadEquipmentPage gathers what the equipment page shows for week.
func (h *Handler) loadEquipmentPage(r *http.Request, id int64, monday civil.Date) (equipmentPageData, error) {
	e, err := h.equipment.Get(r.Context(), id)
	if err != nil {
		return equipmentPageData{}, err
	}
	a := session.ActorFrom(r.Context())
	entries, err := h.equipment.Calendar(r.Context(), a, id, equipment.At(monday, equipment.Clock{}), equipment.At(monday.AddDays(7), equipment.Clock{}))
	if err != nil {
		return equipmentPageData{}, err
	}
	d := equipmentPageData{
		E: e, Kind: capitalize(e.Kind.Label()), Unit: e.Unit.Label(), Approval: capitalize(e.Approval.Label()),
		Week: week(monday, entries), LoggedIn: a.User != nil,
		Manager: a.User != nil && auth.Authorize(a, auth.Write, e.OwnerOrgID) == nil,
		Tariffs: [][2]string{
			{capitalize(equipment.CategoryOwn.Label()), price(e.Tariffs.Own, e.Unit)},
			{capitalize(equipment.CategoryConvention.Label()), price(e.Tariffs.Convention, e.Unit)},
			{capitalize(equipment.CategoryOtherCommune.Label()), price(e.Tariffs.OtherCommune, e.Unit)},
			{capitalize(equipment.CategoryAssociation.Label()), price(e.Tariffs.Association, e.Unit)},
		},
	}
	if e.Capacity > 0 {
		d.Capacity = strconv.Itoa(e.Capacity) + " personnes"
	}
	d.Orgs = writableOrgs(a, 0)
	d.Form.Weekdays = weekdayOptions(nil)
	d.Form.Date = monday.String()
	d.HolidayNames = holidayOptions(e, "")
	return d, nil
}

func weekdayOptions(checked map[time.Weekday]bool) []option {
	var out []option
	for _, wd := range []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday} {
		out = append(out, option{Value: strconv.Itoa(int(wd)), Label: capitalize(equipment.WeekdayName(wd)), Selected: checked[wd]})
	}
	return out
}

func holidayOptions(e equipment.Equipment, selected string) []option {
	auto := "Jours fériés de la commune de l'équipement (nationaux)"
	if e.AlsaceMoselle {
		auto = "Jours fériés de la commune de l'équipement (Alsace-Moselle : Vendredi saint et 26 décembre en plus)"
	}
	return []option{
		{Value: "", Label: auto, Selected: selected == ""},
		{Value: string(equipment.HolidaysNational), Label: "Jours fériés nationaux", Selected: selected == string(equipment.HolidaysNational)},
		{Value: string(equipment.HolidaysAlsaceMoselle), Label: "Jours fériés d'Alsace-Moselle", Selected: selected == string(equipment.HolidaysAlsaceMoselle)},
		{Value: string(equipment.HolidaysNone), Label: "Ne pas sauter les jours fériés", Selected: selected == string(equipment.HolidaysNone)},
	}
}

// weekParam reads ?semaine= (any day of the week wanted), today by default.
func weekParam(r *http.Request) civil.Date {
	if d, err := civil.Parse(r.URL.Query().Get("semaine")); err == nil {
		return mondayOf(d)
	}
	return mondayOf(civil.Today())
}

func (h *Handler) equipmentPage(w http.ResponseWriter, r *http.Request) {
	id, err := idParam(r)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	monday := weekParam(r)
	first, monthly := monthParam(r)
	if monthly {
		monday = mondayOf(first)
		if t := civil.Today(); t.Year == first.Year && t.Month == first.Month {
			monday = mondayOf(t)
		}
	}
	data, err := h.loadEquipmentPage(r, id, monday)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	if monthly {
		if err := h.loadMonth(r, &data, first); err != nil {
			h.Fail(w, r, err)
			return
		}
	}
	pg := newPage(r, data.E.Name, "equipements", data)
	// The confirmation is chosen by a code, never copied from the address:
	// a link must not be able to put its own words in Voisines' mouth.
	pg.Flash = equipmentFlashes[r.URL.Query().Get("fait")]
	if n, err := strconv.Atoi(r.URL.Query().Get("annulees")); err == nil && n > 0 && r.URL.Query().Get("fait") == "retire" {
		pg.Flash += fmt.Sprintf(" %d réservation(s) à venir ont été annulées ; les demandeurs voient le motif sur leur page de réservations.", n)
	}
	h.render(w, r, http.StatusOK, "equipment_page", pg)
}

// equipmentFormFailed re-displays the equipment page with the form's
// values and its errors.
func (h *Handler) equipmentFormFailed(w http.ResponseWriter, r *http.Request, id int64, monday civil.Date, which string, form bookingForm, err error) {
	fe, status := toFormErrors(err)
	if status >= 500 || status == http.StatusNotFound || status == http.StatusUnauthorized {
		h.Fail(w, r, err)
		return
	}
	data, lerr := h.loadEquipmentPage(r, id, monday)
	if lerr != nil {
		h.Fail(w, r, lerr)
		return
	}
	org, _ := strconv.ParseInt(form.Org, 10, 64)
	data.Orgs = writableOrgs(session.ActorFrom(r.Context()), org)
	if form.Weekdays == nil {
		form.Weekdays = data.Form.Weekdays
	}
	data.HolidayNames = holidayOptions(data.E, form.Holidays)
	var ae *equipment.AffectedError
	if errors.As(err, &ae) {
		data.Affected = ae.Lines()
	}
	data.Form, data.Errors, data.ErrorsFor = form, fe, which
	h.render(w, r, status, "equipment_page", newPage(r, data.E.Name, "equipements", data))
}

// requireUser answers for an anonymous visitor and reports whether to go on.
func (h *Handler) requireUser(w http.ResponseWriter, r *http.Request) (auth.Actor, bool) {
	a := session.ActorFrom(r.Context())
	if a.User == nil {
		h.Fail(w, r, auth.ErrUnauthenticated)
		return a, false
	}
	return a, true
}

// parseDayClock reads a date and a time of day of a form as an instant.
func parseDayClock(date, clock, field string) (time.Time, error) {
	d, err := civil.Parse(strings.TrimSpace(date))
	if err != nil {
		return time.Time{}, invalidField("date", "date invalide (format 2026-09-07)")
	}
	c, err := equipment.ParseClock(clock)
	if err != nil {
		return time.Time{}, invalidField(field, "heure invalide (format 17:30)")
	}
	return equipment.At(d, c), nil
}

func formOrg(s string) (int64, error) {
	id, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || id <= 0 {
		return 0, invalidField("requester_org_id", "choisissez l'organisme pour lequel vous réservez")
	}
	return id, nil
}

func formAgreement(s string) (int64, error) {
	s = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s), "n°"))
	if s == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, invalidField("agreement_id", "numéro de convention invalide")
	}
	return id, nil
}

func (h *Handler) equipmentBook(w http.ResponseWriter, r *http.Request) {
	a, ok := h.requireUser(w, r)
	if !ok {
		return
	}
	id, err := idParam(r)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	form := bookingForm{Org: r.PostFormValue("org"), Date: r.PostFormValue("date"), Start: r.PostFormValue("start"),
		End: r.PostFormValue("end"), Purpose: r.PostFormValue("purpose"), Agreement: r.PostFormValue("agreement")}
	monday := mondayOf(civil.Today())
	if d, err := civil.Parse(form.Date); err == nil {
		monday = mondayOf(d)
	}
	req := equipment.Request{EquipmentID: id, Purpose: form.Purpose}
	var errs validate.Errors
	req.RequesterOrgID, err = formOrg(form.Org)
	errs.Check(err)
	req.AgreementID, err = formAgreement(form.Agreement)
	errs.Check(err)
	req.Start, err = parseDayClock(form.Date, form.Start, "starts_at")
	errs.Check(err)
	req.End, err = parseDayClock(form.Date, form.End, "ends_at")
	errs.Check(err)
	if err := errs.Err(); err != nil {
		h.equipmentFormFailed(w, r, id, monday, "booking", form, err)
		return
	}
	b, err := h.equipment.Book(r.Context(), a, req)
	if err != nil {
		h.equipmentFormFailed(w, r, id, monday, "booking", form, err)
		return
	}
	done := "demande"
	if b.Status == equipment.Approved {
		done = "reservee"
	}
	h.redirectEquipment(w, r, id, monday, done)
}

// equipmentFlashes are the confirmations of the equipment page's forms.
var equipmentFlashes = map[string]string{
	"demande":               "Votre demande est enregistrée : elle attend la validation du propriétaire et figure dans le calendrier ci-dessous.",
	"reservee":              "Votre réservation est enregistrée et validée : elle figure dans le calendrier ci-dessous.",
	"serie":                 "La série est enregistrée : ses séances figurent dans le calendrier (jours fériés et exceptions sautés). Retrouvez-les sur la page Réservations.",
	"fermeture":             "La fermeture est enregistrée : elle figure dans le calendrier ci-dessous.",
	"fermeture-annulations": "La fermeture est enregistrée et les réservations qu'elle recouvrait sont annulées ; les demandeurs en voient le motif sur leur page de réservations.",
	"cree":                  "L'équipement est ajouté au catalogue.",
	"modifie":               "Les modifications sont enregistrées.",
	"retire":                "L'équipement est retiré de la réservation.",
}

func (h *Handler) redirectEquipment(w http.ResponseWriter, r *http.Request, id int64, monday civil.Date, done string) {
	q := url.Values{"semaine": {monday.String()}, "fait": {done}}
	http.Redirect(w, r, fmt.Sprintf("/equipements/%d?%s#calendrier", id, q.Encode()), http.StatusSeeOther)
}

func (h *Handler) equipmentSeries(w http.ResponseWriter, r *http.Request) {
	a, ok := h.requireUser(w, r)
	if !ok {
		return
	}
	id, err := idParam(r)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		h.Fail(w, r, err)
		return
	}
	checked := map[time.Weekday]bool{}
	var rule equipment.SeriesRule
	for _, v := range r.PostForm["jours"] {
		n, err := strconv.Atoi(v)
		if err == nil && n >= 0 && n <= 6 {
			checked[time.Weekday(n)] = true
			rule.Weekdays = append(rule.Weekdays, time.Weekday(n))
		}
	}
	form := bookingForm{Org: r.PostFormValue("org"), Start: r.PostFormValue("start"), End: r.PostFormValue("end"),
		Purpose: r.PostFormValue("purpose"), Agreement: r.PostFormValue("agreement"), From: r.PostFormValue("from"),
		To: r.PostFormValue("to"), Exceptions: r.PostFormValue("exceptions"), Holidays: r.PostFormValue("holidays"),
		Weekdays: weekdayOptions(checked)}
	monday := mondayOf(civil.Today())
	req := equipment.SeriesRequest{EquipmentID: id, Purpose: form.Purpose}
	var errs validate.Errors
	req.RequesterOrgID, err = formOrg(form.Org)
	errs.Check(err)
	req.AgreementID, err = formAgreement(form.Agreement)
	errs.Check(err)
	if rule.Start, err = equipment.ParseClock(form.Start); err != nil {
		errs.Add("start", "heure invalide (format 17:30)")
	}
	if rule.End, err = equipment.ParseClock(form.End); err != nil {
		errs.Add("end", "heure invalide (format 19:00)")
	}
	if rule.From, err = civil.Parse(strings.TrimSpace(form.From)); err != nil {
		errs.Add("from", "date invalide (format 2026-09-01)")
	} else {
		monday = mondayOf(rule.From)
	}
	if rule.To, err = civil.Parse(strings.TrimSpace(form.To)); err != nil {
		errs.Add("to", "date invalide (format 2027-07-03)")
	}
	if rule.Exceptions, err = equipment.ParseDates(form.Exceptions); err != nil {
		errs.Add("exceptions", "%s", err.Error())
	}
	rule.Holidays = equipment.HolidayCalendar(form.Holidays)
	if err := errs.Err(); err != nil {
		h.equipmentFormFailed(w, r, id, monday, "series", form, err)
		return
	}
	req.Rule = rule
	if _, err := h.equipment.BookSeries(r.Context(), a, req); err != nil {
		h.equipmentFormFailed(w, r, id, monday, "series", form, err)
		return
	}
	h.redirectEquipment(w, r, id, monday, "serie")
}

func (h *Handler) equipmentBlackout(w http.ResponseWriter, r *http.Request) {
	a, ok := h.requireUser(w, r)
	if !ok {
		return
	}
	id, err := idParam(r)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	form := bookingForm{BlackoutFrom: r.PostFormValue("from"), BlackoutFromTime: r.PostFormValue("from_time"),
		BlackoutTo: r.PostFormValue("to"), BlackoutToTime: r.PostFormValue("to_time"), Reason: r.PostFormValue("reason")}
	if form.BlackoutFromTime == "" {
		form.BlackoutFromTime = "00:00"
	}
	if form.BlackoutToTime == "" {
		form.BlackoutToTime = "24:00"
	}
	monday := mondayOf(civil.Today())
	var errs validate.Errors
	start, err := parseDayClock(form.BlackoutFrom, form.BlackoutFromTime, "starts_at")
	errs.Check(err)
	end, err := parseDayClock(form.BlackoutTo, form.BlackoutToTime, "ends_at")
	errs.Check(err)
	if err := errs.Err(); err != nil {
		h.equipmentFormFailed(w, r, id, monday, "blackout", form, err)
		return
	}
	monday = mondayOf(civil.In(start, civil.Paris))
	wd := equipment.Withdrawal{Cancel: r.PostFormValue("cancel_bookings") != ""}
	_, cancelled, err := h.equipment.Blackout(r.Context(), a, id, start, end, form.Reason, wd)
	if err != nil {
		h.equipmentFormFailed(w, r, id, monday, "blackout", form, err)
		return
	}
	done := "fermeture"
	if len(cancelled) > 0 {
		done = "fermeture-annulations"
	}
	h.redirectEquipment(w, r, id, monday, done)
}

// equipmentFeed creates the owner's secret calendar feed and shows its
// address once.
func (h *Handler) equipmentFeed(w http.ResponseWriter, r *http.Request) {
	a, ok := h.requireUser(w, r)
	if !ok {
		return
	}
	id, err := idParam(r)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	_, token, err := h.equipment.CreateFeed(r.Context(), a, equipment.FeedEquipment, id, r.PostFormValue("label"))
	if err != nil {
		h.equipmentFormFailed(w, r, id, mondayOf(civil.Today()), "feed", bookingForm{}, err)
		return
	}
	data, err := h.loadEquipmentPage(r, id, mondayOf(civil.Today()))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	data.FeedURL = feedURL(r, token)
	pg := newPage(r, data.E.Name, "equipements", data)
	pg.Flash = "Calendrier créé. Copiez son adresse maintenant : elle ne sera plus affichée."
	h.render(w, r, http.StatusCreated, "equipment_page", pg)
}

func feedURL(r *http.Request, token string) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + "/calendriers/" + token + ".ics"
}

// calendarFeed serves a secret feed; an unknown or revoked token is a
// plain 404, whatever the reason.
func (h *Handler) calendarFeed(w http.ResponseWriter, r *http.Request) {
	token := strings.TrimSuffix(r.PathValue("token"), ".ics")
	cal, err := h.equipment.FeedCalendar(r.Context(), token)
	if errors.Is(err, store.ErrNotFound) {
		http.Error(w, "Calendrier introuvable ou révoqué.", http.StatusNotFound)
		return
	}
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Content-Disposition", `inline; filename="voisines.ics"`)
	w.Header().Set("Cache-Control", "private, max-age=300")
	if err := ical.Write(w, cal); err != nil {
		h.log.Debug("web: write calendar", "error", err)
	}
}

// ---- Bookings page: approval queue, own bookings, alerts ----

type bookingRow struct {
	ID                             int64
	Equipment                      string
	EquipmentID                    int64
	When, Who, Purpose, Status     string
	Agreement                      string
	Uncovered                      bool
	CanApprove, CanCancel, Blocked bool
}

type orgBookings struct {
	Name    string
	Pending []bookingRow // requests to decide on, for an owner
	Own     []bookingRow // bookings made by the organisation, upcoming
	// Cancelled are the organisation's bookings to come that were
	// cancelled or refused, with who did it and why.
	Cancelled []cancelledRow
	Alerts    []string
	Uses      []string
}

type bookingsData struct {
	Orgs   []orgBookings
	Errors *formErrors
}

func row(a auth.Actor, b equipment.Booking) bookingRow {
	owner := auth.Authorize(a, auth.Write, b.OwnerOrgID) == nil
	requester := auth.Authorize(a, auth.Write, b.RequesterOrgID) == nil
	now := time.Now()
	r := bookingRow{ID: b.ID, Equipment: b.EquipmentName, EquipmentID: b.EquipmentID, When: equipment.FrenchSpan(b.Start, b.End),
		Who: b.RequesterName, Purpose: b.Purpose, Status: b.Status.Label(), Uncovered: b.Uncovered,
		CanApprove: owner && b.Status == equipment.Requested,
		CanCancel:  b.Status.Active() && ((owner && now.Before(b.End)) || (requester && now.Before(b.Start)))}
	if b.AgreementID != 0 {
		r.Agreement = "convention n° " + strconv.FormatInt(b.AgreementID, 10)
	}
	return r
}

func (h *Handler) loadBookings(r *http.Request, a auth.Actor) (bookingsData, error) {
	var data bookingsData
	from := time.Now().Add(-24 * time.Hour)
	for _, m := range a.User.Memberships {
		ob := orgBookings{Name: m.OrgName}
		if m.Role.Allows(auth.Write) {
			pending, err := h.equipment.Bookings(r.Context(), a, equipment.BookingFilter{OrgID: m.OrgID, Side: equipment.AsOwner,
				Statuses: []equipment.Status{equipment.Requested}, From: from})
			if err != nil {
				return bookingsData{}, err
			}
			for _, b := range pending {
				ob.Pending = append(ob.Pending, row(a, b))
			}
		}
		own, err := h.equipment.Bookings(r.Context(), a, equipment.BookingFilter{OrgID: m.OrgID, Side: equipment.AsRequester,
			Statuses: []equipment.Status{equipment.Requested, equipment.Approved}, From: from})
		if err != nil {
			return bookingsData{}, err
		}
		for _, b := range own {
			ob.Own = append(ob.Own, row(a, b))
		}
		if ob.Cancelled, err = h.cancelledRows(r, a, m.OrgID); err != nil {
			return bookingsData{}, err
		}
		uses, err := h.equipment.UncoveredUses(r.Context(), a, m.OrgID, civil.Today())
		if err != nil {
			return bookingsData{}, err
		}
		for _, u := range uses {
			line := fmt.Sprintf("%s utilise un équipement de %s sans convention depuis le %s (%d réservations)", u.UserName, u.OwnerName, u.FirstUse.French(), u.Bookings)
			if u.Covered {
				line += " ; une convention est désormais signée"
			}
			ob.Uses = append(ob.Uses, line+".")
			if u.Alert != nil {
				ob.Alerts = append(ob.Alerts, u.Alert.Message)
			}
		}
		data.Orgs = append(data.Orgs, ob)
	}
	return data, nil
}

func (h *Handler) bookingsPage(w http.ResponseWriter, r *http.Request) {
	a, ok := h.requireUser(w, r)
	if !ok {
		return
	}
	data, err := h.loadBookings(r, a)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	pg := newPage(r, "Réservations d'équipements", "equipements", data)
	switch r.URL.Query().Get("fait") {
	case "valider":
		pg.Flash = "La demande est validée."
	case "refuser":
		pg.Flash = "La demande est refusée ; le créneau est libéré."
	case "annuler":
		pg.Flash = "La réservation est annulée ; le créneau est libéré."
	}
	h.render(w, r, http.StatusOK, "equipment_bookings", pg)
}

// bookingDecision validates, refuses or cancels a booking from the
// bookings page.
func (h *Handler) bookingDecision(w http.ResponseWriter, r *http.Request) {
	a, ok := h.requireUser(w, r)
	if !ok {
		return
	}
	id, err := idParam(r)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	reason := r.PostFormValue("reason")
	decision := r.PathValue("decision")
	switch decision {
	case "valider":
		_, err = h.equipment.Approve(r.Context(), a, id, reason)
	case "refuser":
		_, err = h.equipment.Refuse(r.Context(), a, id, reason)
	case "annuler":
		_, err = h.equipment.Cancel(r.Context(), a, id, reason)
	default:
		h.Fail(w, r, problem.ErrRouteNotFound)
		return
	}
	if err != nil {
		fe, status := toFormErrors(err)
		if status >= 500 || status == http.StatusNotFound || status == http.StatusForbidden {
			h.Fail(w, r, err)
			return
		}
		data, lerr := h.loadBookings(r, a)
		if lerr != nil {
			h.Fail(w, r, lerr)
			return
		}
		fe.Message = fmt.Sprintf("Réservation n° %d : %s", id, fe.Message)
		data.Errors = fe
		h.render(w, r, status, "equipment_bookings", newPage(r, "Réservations d'équipements", "equipements", data))
		return
	}
	http.Redirect(w, r, "/reservations?fait="+decision, http.StatusSeeOther)
}

// equipmentPages are the templates of shared equipment and biens indivis.
var equipmentPages = []string{"equipment_catalogue", "equipment_page", "equipment_bookings", "equipment_form",
	"equipment_booking", "equipment_feeds", "indivis_list", "indivis_form", "indivis_property"}

// registerEquipment adds the routes of shared equipment (catalogue,
// calendars, bookings, feeds) and biens indivis.
func (h *Handler) registerEquipment(mux *http.ServeMux) {
	mux.HandleFunc("GET /equipements", h.equipmentCatalogue)
	mux.HandleFunc("GET /equipements/nouveau", h.equipmentNewForm)
	mux.HandleFunc("POST /equipements/nouveau", h.equipmentCreate)
	mux.HandleFunc("GET /equipements/{id}", h.equipmentPage) // ?semaine= or ?mois=
	mux.HandleFunc("GET /equipements/{id}/modifier", h.equipmentEditForm)
	mux.HandleFunc("POST /equipements/{id}/modifier", h.equipmentUpdate)
	mux.HandleFunc("POST /equipements/{id}/reservations", h.equipmentBook)
	mux.HandleFunc("POST /equipements/{id}/series", h.equipmentSeries)
	mux.HandleFunc("POST /equipements/{id}/fermetures", h.equipmentBlackout)
	mux.HandleFunc("POST /equipements/{id}/calendriers", h.equipmentFeed)
	mux.HandleFunc("GET /reservations", h.bookingsPage)
	mux.HandleFunc("GET /reservations/{id}", h.bookingPage)
	mux.HandleFunc("POST /reservations/{id}/{decision}", h.bookingDecision)
	mux.HandleFunc("GET /calendriers", h.feedsPage)
	mux.HandleFunc("POST /calendriers", h.feedCreate)
	mux.HandleFunc("POST /calendriers/{id}/revoquer", h.feedRevoke)
	mux.HandleFunc("GET /calendriers/{token}", h.calendarFeed)
	mux.HandleFunc("GET /biens-indivis", h.indivisList)
	mux.HandleFunc("GET /biens-indivis/nouveau", h.indivisNewForm)
	mux.HandleFunc("POST /biens-indivis/nouveau", h.indivisCreate)
	mux.HandleFunc("GET /biens-indivis/{id}", h.indivisPage)
	mux.HandleFunc("POST /biens-indivis/{id}/comptes", h.indivisAccounts)
	mux.HandleFunc("POST /biens-indivis/{id}/etat", h.indivisStatement)
}
