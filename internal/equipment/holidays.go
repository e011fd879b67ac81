package equipment

import (
	"slices"
	"time"

	"voisines/internal/civil"
)

// HolidayCalendar says which public holidays a recurring booking skips.
type HolidayCalendar string

// The holiday calendars.
const (
	// HolidaysAuto takes the calendar of the equipment's commune: Alsace-
	// Moselle for the communes of the Moselle, Bas-Rhin and Haut-Rhin (57, 67,
	// 68), national elsewhere.
	HolidaysAuto HolidayCalendar = ""
	// HolidaysNational is the eleven public holidays of the Code du travail
	// (L3133-1).
	HolidaysNational HolidayCalendar = "national"
	// HolidaysAlsaceMoselle adds Good Friday and 26 December, public
	// holidays under the local law of Alsace-Moselle (Code du travail
	// L3134-13).
	HolidaysAlsaceMoselle HolidayCalendar = "alsace_moselle"
	// HolidaysNone skips no holiday: the equipment is used on holidays too.
	HolidaysNone HolidayCalendar = "none"
)

// Valid reports whether c is one of the calendars.
func (c HolidayCalendar) Valid() bool {
	switch c {
	case HolidaysAuto, HolidaysNational, HolidaysAlsaceMoselle, HolidaysNone:
		return true
	}
	return false
}

// Holiday is a public holiday.
type Holiday struct {
	Date civil.Date `json:"date"`
	Name string     `json:"name"` // French: "Lundi de Pâques"
}

// Easter returns Easter Sunday of year in the Gregorian calendar (the
// anonymous Gregorian computus of Meeus, Jones and Butcher), valid for
// every year from 1583.
func Easter(year int) civil.Date {
	a := year % 19
	b, c := year/100, year%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return civil.New(year, time.Month(month), day)
}

// PublicHolidays returns the public holidays (jours fériés) of year in
// metropolitan France, in date order: the eleven of Code du travail
// L3133-1, plus Good Friday and 26 December when alsaceMoselle is set.
// The overseas départements' days commemorating the abolition of slavery
// are not included: declare them as exceptions of a series.
func PublicHolidays(year int, alsaceMoselle bool) []Holiday {
	easter := Easter(year)
	hs := []Holiday{
		{civil.New(year, time.January, 1), "Jour de l'an"},
		{easter.AddDays(1), "Lundi de Pâques"},
		{civil.New(year, time.May, 1), "Fête du Travail"},
		{civil.New(year, time.May, 8), "Victoire 1945"},
		{easter.AddDays(39), "Ascension"},
		{easter.AddDays(50), "Lundi de Pentecôte"},
		{civil.New(year, time.July, 14), "Fête nationale"},
		{civil.New(year, time.August, 15), "Assomption"},
		{civil.New(year, time.November, 1), "Toussaint"},
		{civil.New(year, time.November, 11), "Armistice 1918"},
		{civil.New(year, time.December, 25), "Noël"},
	}
	if alsaceMoselle {
		hs = append(hs,
			Holiday{easter.AddDays(-2), "Vendredi saint (Alsace-Moselle)"},
			Holiday{civil.New(year, time.December, 26), "Saint-Étienne (Alsace-Moselle)"})
	}
	slices.SortFunc(hs, func(a, b Holiday) int { return a.Date.Compare(b.Date) })
	return hs
}

// holidaySet is the holidays of the years a series spans, by date.
type holidaySet map[civil.Date]string

func newHolidaySet(from, to civil.Date, alsaceMoselle bool) holidaySet {
	set := holidaySet{}
	for y := from.Year; y <= to.Year; y++ {
		for _, h := range PublicHolidays(y, alsaceMoselle) {
			set[h.Date] = h.Name
		}
	}
	return set
}

// localLawDepartements are the départements of Alsace-Moselle.
var localLawDepartements = []string{"57", "67", "68"}

// AlsaceMoselleCommune reports whether the commune of INSEE code is in
// Alsace-Moselle, by its département.
func AlsaceMoselleCommune(code string) bool {
	return len(code) == 5 && slices.Contains(localLawDepartements, code[:2])
}
