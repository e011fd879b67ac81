package equipment

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"voisines/internal/civil"
	"voisines/internal/validate"
)

// MaxOccurrences caps the occurrences of one series: a weekly slot on
// every day of the week for a year and a half.
const MaxOccurrences = 550

// SeriesRule is a weekly slot repeated over a period: every Weekdays from
// Start to End (Paris wall-clock times), from From to To inclusive, except
// the public holidays of Holidays and the Exceptions (school holidays, a
// competition). It is stored with the series, so that the page can say what
// was asked.
type SeriesRule struct {
	Weekdays   []time.Weekday  `json:"weekdays"`
	Start      Clock           `json:"start"`
	End        Clock           `json:"end"`
	From       civil.Date      `json:"from"`
	To         civil.Date      `json:"to"`
	Exceptions []civil.Date    `json:"exceptions,omitempty"`
	Holidays   HolidayCalendar `json:"holidays,omitempty"`
}

// Occurrence is one date of a series with its interval.
type Occurrence struct {
	Date  civil.Date `json:"date"`
	Start time.Time  `json:"starts_at"`
	End   time.Time  `json:"ends_at"`
}

// Skip is a date of the series' weekdays that was left out, and why.
type Skip struct {
	Date   civil.Date `json:"date"`
	Reason string     `json:"reason"` // "Toussaint", "exception déclarée"
}

// check validates the rule, naming the fields of the series form.
func (r SeriesRule) check() error {
	var errs validate.Errors
	if len(r.Weekdays) == 0 {
		errs.Add("weekdays", "choisissez au moins un jour de la semaine")
	}
	for _, d := range r.Weekdays {
		if d < time.Sunday || d > time.Saturday {
			errs.Add("weekdays", "jour de la semaine inconnu")
			break
		}
	}
	switch {
	case !r.Start.Valid() || r.Start.Hour == 24:
		errs.Add("start", "heure de début invalide")
	case !r.End.Valid():
		errs.Add("end", "heure de fin invalide")
	case r.End.minutes() <= r.Start.minutes():
		errs.Add("end", "l'heure de fin doit suivre l'heure de début (une séance ne passe pas minuit)")
	case r.Start.Minute%15 != 0:
		errs.Add("start", "%s", offGridClock("le début", r.Start))
	case r.End.Minute%15 != 0:
		errs.Add("end", "%s", offGridClock("la fin", r.End))
	}
	switch {
	case r.From.IsZero():
		errs.Add("from", "la date de début est obligatoire")
	case r.To.IsZero():
		errs.Add("to", "la date de fin est obligatoire")
	case r.To.Before(r.From):
		errs.Add("to", "la date de fin précède la date de début")
	case r.From.DaysUntil(r.To) > 2*366:
		errs.Add("to", "une série ne peut pas dépasser deux ans")
	}
	if !r.Holidays.Valid() {
		errs.Add("holidays", "%s n'est pas un calendrier de jours fériés (national, alsace_moselle, none)", validate.Quote(string(r.Holidays)))
	}
	return errs.Err()
}

// Occurrences returns the dates of the series in order with their
// intervals, and the dates skipped for a holiday or an exception.
// alsaceMoselle is the location's calendar, used when r.Holidays is
// HolidaysAuto. It fails on an invalid rule or on more than MaxOccurrences.
func (r SeriesRule) Occurrences(alsaceMoselle bool) ([]Occurrence, []Skip, error) {
	if err := r.check(); err != nil {
		return nil, nil, err
	}
	var holidays holidaySet
	switch r.Holidays {
	case HolidaysNational:
		holidays = newHolidaySet(r.From, r.To, false)
	case HolidaysAlsaceMoselle:
		holidays = newHolidaySet(r.From, r.To, true)
	case HolidaysAuto:
		holidays = newHolidaySet(r.From, r.To, alsaceMoselle)
	}
	var occ []Occurrence
	var skipped []Skip
	for d := r.From; !d.After(r.To); d = d.AddDays(1) {
		if !slices.Contains(r.Weekdays, d.Weekday()) {
			continue
		}
		if name, ok := holidays[d]; ok {
			skipped = append(skipped, Skip{d, name})
			continue
		}
		if slices.Contains(r.Exceptions, d) {
			skipped = append(skipped, Skip{d, "exception déclarée"})
			continue
		}
		occ = append(occ, Occurrence{Date: d, Start: At(d, r.Start), End: At(d, r.End)})
		if len(occ) > MaxOccurrences {
			return nil, nil, validate.FieldError{Field: "to", Message: fmt.Sprintf("une série ne peut pas compter plus de %d séances", MaxOccurrences)}
		}
	}
	if len(occ) == 0 {
		return nil, skipped, validate.FieldError{Field: "from", Message: "aucune séance : la période ne contient aucun des jours choisis en dehors des jours fériés et des exceptions"}
	}
	return occ, skipped, nil
}

// ParseDates reads exception dates as a person types them, separated by
// commas, semicolons, spaces or new lines: single days "2026-11-02" and
// inclusive ranges "2026-10-17/2026-11-01" (or "2026-10-17..2026-11-01"),
// for school holidays. A range is at most a year long.
func ParseDates(s string) ([]civil.Date, error) {
	fields := strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '\r' || r == '\t'
	})
	var out []civil.Date
	for _, f := range fields {
		from, to, isRange := strings.Cut(f, "/")
		if !isRange {
			from, to, isRange = strings.Cut(f, "..")
		}
		a, err := civil.Parse(from)
		if err != nil {
			return nil, fmt.Errorf("%s n'est pas une date de la forme 2026-11-02", validate.Quote(from))
		}
		if !isRange {
			out = append(out, a)
			continue
		}
		b, err := civil.Parse(to)
		if err != nil {
			return nil, fmt.Errorf("%s n'est pas une date de la forme 2026-11-02", validate.Quote(to))
		}
		if b.Before(a) || a.DaysUntil(b) > 366 {
			return nil, fmt.Errorf("%s n'est pas une période valide (au plus un an, la fin après le début)", validate.Quote(f))
		}
		for d := a; !d.After(b); d = d.AddDays(1) {
			out = append(out, d)
		}
	}
	return out, nil
}
