package equipment

import (
	"time"

	"voisines/internal/civil"
)

// afternoon is when the afternoon half-day starts, Paris time.
const afternoon = 13

// Units returns the units of use of the interval [start, end) in unit, in
// thousandths (the quantity of a usage record), by these rules:
//
//   - hour: the duration rounded up to the next quarter hour, so a started
//     quarter counts whole (1 h 20 counts 1 h 30, that is 1500);
//   - half_day: each Paris day has a morning (until 13 h) and an afternoon
//     (from 13 h); every half-day the interval touches counts one (9 h–11 h
//     is one half-day, 8 h–18 h two, 12 h–14 h two);
//   - day: every Paris calendar day the interval touches counts one (a
//     vehicle lent from Monday 8 h to Tuesday 8 h counts two days).
//
// Booked intervals lie on the quarter-hour grid, so hours are exact; the
// rounding only matters for real times recorded at check-out. An empty or
// reversed interval counts 0.
func Units(unit Unit, start, end time.Time) int64 {
	if !end.After(start) {
		return 0
	}
	switch unit {
	case UnitHour:
		quarters := (end.Sub(start) + Quarter - 1) / Quarter
		return int64(quarters) * 250
	case UnitHalfDay, UnitDay:
		var n int64
		first := civil.In(start, civil.Paris)
		last := civil.In(end.Add(-time.Nanosecond), civil.Paris)
		for d := first; !d.After(last); d = d.AddDays(1) {
			if unit == UnitDay {
				n++
				continue
			}
			noon := At(d, Clock{Hour: afternoon})
			dayStart, dayEnd := At(d, Clock{}), At(d.AddDays(1), Clock{})
			if start.Before(noon) && end.After(dayStart) {
				n++ // touches the morning
			}
			if end.After(noon) && start.Before(dayEnd) {
				n++ // touches the afternoon
			}
		}
		return n * 1000
	}
	return 0
}
