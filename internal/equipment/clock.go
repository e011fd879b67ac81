package equipment

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"voisines/internal/civil"
)

// Quarter is the grain of every booking: starts and ends fall on a quarter
// hour. Europe/Paris is a whole number of hours from UTC, so a quarter hour
// in Paris is a quarter hour in UTC too.
const Quarter = 15 * time.Minute

// quarterOf returns the number of the quarter hour holding t since
// 1970-01-01T00:00Z, the key of booking_slots.
func quarterOf(t time.Time) int64 { return t.Unix() / int64(Quarter/time.Second) }

// onGrid reports whether t falls exactly on a quarter hour.
func onGrid(t time.Time) bool { return t.Equal(t.Truncate(Quarter)) }

// offGridMessage explains the quarter-hour rule about a time that breaks
// it, typed as shown ("10 h 20"), with the two nearest times that keep it.
func offGridMessage(what, shown string, before, after string) string {
	return fmt.Sprintf("%s %s ne tombe pas sur un quart d'heure : les réservations se font par quarts d'heure "+
		"(heure pile, et quart, et demie ou moins le quart, comme 10:00, 10:15, 10:30 ou 10:45) ; choisissez %s ou %s",
		what, shown, before, after)
}

// offGrid explains why instant t, the start or the end of a booking, is
// refused.
func offGrid(what string, t time.Time) string {
	p := t.In(civil.Paris)
	shown := FrenchClock(t)
	if p.Second() != 0 || p.Nanosecond() != 0 {
		shown = fmt.Sprintf("%02d:%02d:%02d", p.Hour(), p.Minute(), p.Second())
	}
	down := t.Truncate(Quarter)
	return offGridMessage(what, shown, FrenchClock(down), FrenchClock(down.Add(Quarter)))
}

// offGridClock is offGrid for a time of day of a series.
func offGridClock(what string, c Clock) string {
	m := c.minutes() / 15 * 15
	down, up := Clock{m / 60, m % 60}, Clock{(m + 15) / 60, (m + 15) % 60}
	return offGridMessage(what, c.String(), down.String(), up.String())
}

// Clock is a time of day on the wall clock in Europe/Paris.
type Clock struct {
	Hour, Minute int
}

// ParseClock reads a time of day as people type it: "17:00", "17h00",
// "17 h 30", "9h", "09:15".
func ParseClock(s string) (Clock, error) {
	t := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(s), " ", ""))
	h, m, found := strings.Cut(t, ":")
	if !found {
		h, m, _ = strings.Cut(t, "h")
	}
	if m == "" {
		m = "0"
	}
	hour, err1 := strconv.Atoi(h)
	minute, err2 := strconv.Atoi(m)
	c := Clock{hour, minute}
	if err1 != nil || err2 != nil || len(h) > 2 || len(m) > 2 || !c.Valid() {
		return Clock{}, fmt.Errorf("equipment: %q is not a time of day like 17:30", s)
	}
	return c, nil
}

// Valid reports whether c is a time of day, 00:00 to 24:00 (the end of a
// day may be written 24:00).
func (c Clock) Valid() bool {
	return c.Hour >= 0 && c.Minute >= 0 && c.Minute < 60 && (c.Hour < 24 || (c.Hour == 24 && c.Minute == 0))
}

// String returns "17:30".
func (c Clock) String() string { return fmt.Sprintf("%02d:%02d", c.Hour, c.Minute) }

// minutes returns c as minutes after midnight.
func (c Clock) minutes() int { return c.Hour*60 + c.Minute }

// MarshalText writes "17:30".
func (c Clock) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalText reads what ParseClock reads.
func (c *Clock) UnmarshalText(b []byte) error {
	p, err := ParseClock(string(b))
	if err != nil {
		return err
	}
	*c = p
	return nil
}

// At returns the instant of clock c on day d in Europe/Paris, in UTC. 24:00
// is midnight at the start of the next day.
func At(d civil.Date, c Clock) time.Time {
	return time.Date(d.Year, d.Month, d.Day, c.Hour, c.Minute, 0, 0, civil.Paris).UTC()
}

// ParseInstant reads an instant from a form or a JSON body: RFC 3339 with
// an offset ("2026-09-07T17:00:00+02:00", "…Z") names that instant; a
// local date and time without offset ("2026-09-07T17:00", "2026-09-07
// 17:00") is read as wall-clock time in Europe/Paris.
func ParseInstant(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02T15:04:05", "2006-01-02 15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, civil.Paris); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("equipment: %q is not a date and time like 2026-09-07T17:00", s)
}

var frenchWeekdays = [7]string{"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"}

// WeekdayName is the French name of a day of the week, "lundi".
func WeekdayName(d time.Weekday) string { return frenchWeekdays[d] }

// FrenchDay writes the Paris day of t the French way: "lundi 7 septembre 2026".
func FrenchDay(t time.Time) string {
	p := t.In(civil.Paris)
	return frenchWeekdays[p.Weekday()] + " " + civil.Of(p).French()
}

// FrenchClock writes the Paris time of day of t the French way: "17 h",
// "17 h 30".
func FrenchClock(t time.Time) string {
	p := t.In(civil.Paris)
	if p.Minute() == 0 {
		return fmt.Sprintf("%d\u00a0h", p.Hour())
	}
	return fmt.Sprintf("%d\u00a0h\u00a0%02d", p.Hour(), p.Minute())
}

// FrenchSpan writes the interval [start, end) in Paris time: "lundi 7
// septembre 2026 de 10 h à 12 h", or "du lundi 7 septembre 2026 à 10 h au
// mardi 8 septembre 2026 à 12 h" across days. An end at midnight closes the
// day before ("de 14 h à 24 h").
func FrenchSpan(start, end time.Time) string {
	ps, pe := start.In(civil.Paris), end.In(civil.Paris)
	endDay := civil.Of(pe)
	endClock := FrenchClock(end)
	if pe.Hour() == 0 && pe.Minute() == 0 && pe.After(ps) {
		endDay = endDay.AddDays(-1)
		endClock = "24\u00a0h"
	}
	if civil.Of(ps) == endDay {
		return FrenchDay(start) + " de " + FrenchClock(start) + " à " + endClock
	}
	return "du " + FrenchDay(start) + " à " + FrenchClock(start) + " au " +
		frenchWeekdays[endDay.Weekday()] + " " + endDay.French() + " à " + endClock
}

// LocalISO writes t as a local date and time in Europe/Paris with its
// offset, "2026-09-07T17:00:00+02:00": the form of the JSON API.
func LocalISO(t time.Time) string { return t.In(civil.Paris).Format(time.RFC3339) }
