package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"voisines/internal/civil"
	"voisines/internal/equipment"
	"voisines/internal/server/session"
)

// The month view of an equipment's calendar: a table of the weeks that
// cover the month, Monday first, each day with its busy slots and a link
// to its week (where the booking forms are).

type monthDay struct {
	Day     int
	Name    string // "lundi 7 septembre 2026", for the link's text
	Week    string // the ?semaine= of its week
	InMonth bool
	Items   []slotView
}

type monthWeek struct {
	Label string // "Semaine du 31 août"
	Days  []monthDay
}

type monthView struct {
	Label      string // "septembre 2026"
	Title      string // "Septembre 2026"
	Value      string // "2026-09"
	Prev, Next string // values of ?mois=
	Weekdays   []string
	Weeks      []monthWeek
}

// monthParam reads ?mois=2026-09, and reports whether it was given.
func monthParam(r *http.Request) (civil.Date, bool) {
	s := strings.TrimSpace(r.URL.Query().Get("mois"))
	if s == "" {
		return civil.Date{}, false
	}
	if d, err := civil.Parse(s + "-01"); err == nil {
		return d, true
	}
	if d, err := civil.Parse(s); err == nil {
		return civil.New(d.Year, d.Month, 1), true
	}
	t := civil.Today()
	return civil.New(t.Year, t.Month, 1), true
}

// monthLabel writes "septembre 2026".
func monthLabel(first civil.Date) string {
	_, rest, _ := strings.Cut(first.French(), " ")
	return rest
}

func monthValue(d civil.Date) string { return d.String()[:7] }

// monthGrid returns the first Monday and the day after the last Sunday of
// the weeks that cover the month of first.
func monthGrid(first civil.Date) (from, to civil.Date) {
	last := first.AddMonths(1).AddDays(-1)
	return mondayOf(first), mondayOf(last).AddDays(7)
}

// month builds the month view from the calendar entries of its grid.
func month(first civil.Date, entries []equipment.CalendarEntry) monthView {
	v := monthView{Label: monthLabel(first), Title: capitalize(monthLabel(first)), Value: monthValue(first), Prev: monthValue(first.AddMonths(-1)),
		Next: monthValue(first.AddMonths(1))}
	for _, wd := range []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday} {
		v.Weekdays = append(v.Weekdays, capitalize(equipment.WeekdayName(wd)))
	}
	from, to := monthGrid(first)
	for monday := from; monday.Before(to); monday = monday.AddDays(7) {
		w := monthWeek{Label: "Semaine du " + strings.TrimSuffix(monday.French(), " "+strconv.Itoa(monday.Year))}
		for i := range 7 {
			d := monday.AddDays(i)
			day := monthDay{Day: d.Day, Name: equipment.WeekdayName(d.Weekday()) + " " + d.French(), Week: monday.String(),
				InMonth: d.Month == first.Month}
			if day.InMonth {
				day.Items = daySlots(d, entries)
			}
			w.Days = append(w.Days, day)
		}
		v.Weeks = append(v.Weeks, w)
	}
	return v
}

// loadMonth fills the month view of the equipment page.
func (h *Handler) loadMonth(r *http.Request, data *equipmentPageData, first civil.Date) error {
	from, to := monthGrid(first)
	entries, err := h.equipment.Calendar(r.Context(), session.ActorFrom(r.Context()), data.E.ID,
		equipment.At(from, equipment.Clock{}), equipment.At(to, equipment.Clock{}))
	if err != nil {
		return err
	}
	m := month(first, entries)
	data.Month = &m
	return nil
}
