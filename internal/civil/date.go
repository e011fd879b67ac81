// Package civil holds the civil date — a day of the calendar with no time of
// day and no time zone — in which French law counts its deadlines: a
// deliberation's date, a convention's start and end, "avant le 15 avril".
//
// Instants stay time.Time in UTC; a civil date is what a person in
// Europe/Paris would write on a form. Today gives that date for now.
package civil

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // Europe/Paris must resolve even on hosts without a zoneinfo database
)

// Paris is the Europe/Paris time zone, in which Voisines' users live and in
// which "today" is reckoned.
var Paris = mustLoad("Europe/Paris")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(fmt.Sprintf("civil: load %s: %v", name, err)) // impossible with time/tzdata embedded
	}
	return loc
}

// Date is a day of the Gregorian calendar. Its zero value means "no date"
// and is formatted as the empty string (null in JSON).
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// New returns the date year-month-day, normalised like time.Date: 31 April
// becomes 1 May.
func New(year int, month time.Month, day int) Date {
	return Of(time.Date(year, month, day, 0, 0, 0, 0, time.UTC))
}

// Of returns the date of t in t's own location.
func Of(t time.Time) Date {
	y, m, d := t.Date()
	return Date{Year: y, Month: m, Day: d}
}

// In returns the date of t as seen in loc.
func In(t time.Time, loc *time.Location) Date { return Of(t.In(loc)) }

// Today returns today's date in Europe/Paris.
func Today() Date { return In(time.Now(), Paris) }

// ErrSyntax is wrapped by every Parse error.
var ErrSyntax = errors.New("civil: invalid date")

// Parse reads an ISO 8601 calendar date, "2026-04-30": four-digit year, two
// digits each for month and day, and a day that exists in that month.
func Parse(s string) (Date, error) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return Date{}, fmt.Errorf("%w: %q is not of the form 2026-04-30", ErrSyntax, s)
	}
	num := func(part string) (int, bool) {
		n := 0
		for _, c := range []byte(part) {
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		return n, true
	}
	y, ok1 := num(s[:4])
	m, ok2 := num(s[5:7])
	d, ok3 := num(s[8:])
	if !ok1 || !ok2 || !ok3 {
		return Date{}, fmt.Errorf("%w: %q is not of the form 2026-04-30", ErrSyntax, s)
	}
	date := Date{Year: y, Month: time.Month(m), Day: d}
	if y == 0 || !date.IsValid() {
		return Date{}, fmt.Errorf("%w: %q is not a day of the calendar", ErrSyntax, s)
	}
	return date, nil
}

// ParseFrench reads a date as a person types it in France or a spreadsheet
// writes it: "31/05/2026" (day and month of one or two digits, a four-digit
// year) or ISO "2026-05-31", with surrounding spaces ignored. Every import
// and query string reads dates with it.
func ParseFrench(s string) (Date, error) {
	s = strings.TrimSpace(s)
	day, rest, ok := strings.Cut(s, "/")
	if !ok {
		return Parse(s)
	}
	month, year, ok := strings.Cut(rest, "/")
	if !ok || len(day) < 1 || len(day) > 2 || len(month) < 1 || len(month) > 2 || len(year) != 4 {
		return Date{}, fmt.Errorf("%w: %q is not of the form 31/05/2026", ErrSyntax, s)
	}
	d, err := Parse(year + "-" + pad2(month) + "-" + pad2(day))
	if err != nil {
		return Date{}, fmt.Errorf("%w: %q is not a day of the calendar written 31/05/2026", ErrSyntax, s)
	}
	return d, nil
}

func pad2(s string) string {
	if len(s) == 1 {
		return "0" + s
	}
	return s
}

// MustParse is Parse that panics on error, for constants and tests.
func MustParse(s string) Date {
	d, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return d
}

// IsZero reports whether d is the zero Date, "no date".
func (d Date) IsZero() bool { return d == Date{} }

// IsValid reports whether d names a day that exists.
func (d Date) IsValid() bool {
	return d.Month >= time.January && d.Month <= time.December && d.Day >= 1 &&
		New(d.Year, d.Month, d.Day) == d
}

// String formats d as "2026-04-30", or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// French formats d as French prose writes it: "30 avril 2026", "1er mai 2026".
func (d Date) French() string {
	if d.IsZero() {
		return ""
	}
	day := fmt.Sprint(d.Day)
	if d.Day == 1 {
		day = "1er"
	}
	return fmt.Sprintf("%s %s %d", day, frenchMonths[d.Month-1], d.Year)
}

var frenchMonths = [12]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet",
	"août", "septembre", "octobre", "novembre", "décembre"}

// Time returns midnight at the start of d in loc.
func (d Date) Time(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

func (d Date) utc() time.Time { return d.Time(time.UTC) }

// Compare returns -1, 0 or +1 as d is before, equal to or after e.
func (d Date) Compare(e Date) int {
	switch {
	case d.Year != e.Year:
		return cmp(d.Year, e.Year)
	case d.Month != e.Month:
		return cmp(int(d.Month), int(e.Month))
	default:
		return cmp(d.Day, e.Day)
	}
}

func cmp(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Before reports whether d is before e.
func (d Date) Before(e Date) bool { return d.Compare(e) < 0 }

// After reports whether d is after e.
func (d Date) After(e Date) bool { return d.Compare(e) > 0 }

// AddDays returns d plus n days (n may be negative).
func (d Date) AddDays(n int) Date { return Of(d.utc().AddDate(0, 0, n)) }

// AddMonths returns d plus n months. When the day does not exist in the
// target month it is clamped to that month's last day (31 January + 1 month
// = 28 or 29 February), as French law counts months "de quantième à
// quantième" — unlike time.AddDate, which would spill into March.
func (d Date) AddMonths(n int) Date {
	total := d.Year*12 + int(d.Month-1) + n
	y, m := total/12, time.Month(total%12+1)
	if total%12 < 0 { // negative years; kept correct for completeness
		y, m = y-1, m+12
	}
	day := d.Day
	if last := daysIn(y, m); day > last {
		day = last
	}
	return Date{Year: y, Month: m, Day: day}
}

// AddYears returns d plus n years; 29 February becomes 28 February in a
// common year.
func (d Date) AddYears(n int) Date { return d.AddMonths(12 * n) }

// DaysUntil returns the number of days from d to e: 1 when e is the next
// day, negative when e is earlier.
func (d Date) DaysUntil(e Date) int {
	return int(e.utc().Sub(d.utc()) / (24 * time.Hour))
}

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday { return d.utc().Weekday() }

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// MarshalText formats d as "2026-04-30" ("" for the zero Date).
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads "2026-04-30"; the empty string is the zero Date.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	p, err := Parse(string(b))
	if err != nil {
		return err
	}
	*d = p
	return nil
}

// MarshalJSON formats d as "2026-04-30", and the zero Date as null.
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	return []byte(`"` + d.String() + `"`), nil
}

// UnmarshalJSON reads "2026-04-30"; null and "" are the zero Date.
func (d *Date) UnmarshalJSON(b []byte) error {
	s := string(b)
	if s == "null" {
		*d = Date{}
		return nil
	}
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return fmt.Errorf("%w: %s is not a JSON string", ErrSyntax, s)
	}
	return d.UnmarshalText([]byte(s[1 : len(s)-1]))
}

// Value stores d as its ISO text, or NULL for the zero Date, so that the
// same column works as DATE on PostgreSQL and as TEXT on SQLite.
func (d Date) Value() (driver.Value, error) {
	if d.IsZero() {
		return nil, nil
	}
	return d.String(), nil
}

// Scan reads a date stored as ISO text or returned as a time.Time by the
// driver (its calendar date is kept as is, whatever its location); NULL is
// the zero Date.
func (d *Date) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d = Date{}
		return nil
	case time.Time:
		*d = Of(v)
		return nil
	case string:
		return d.UnmarshalText([]byte(v))
	case []byte:
		return d.UnmarshalText(v)
	}
	return fmt.Errorf("civil: cannot scan %T into a Date", src)
}

// Min returns the earlier of d and e, ignoring a zero one.
func Min(d, e Date) Date {
	switch {
	case d.IsZero():
		return e
	case e.IsZero() || d.Before(e):
		return d
	}
	return e
}

// Max returns the later of d and e.
func Max(d, e Date) Date {
	if d.After(e) {
		return d
	}
	return e
}
