package equipment_test

import (
	"testing"
	"time"

	"voisines/internal/equipment"
)

// The parsers of what people type in forms and files never panic, and
// what they accept is well formed.

func FuzzParseClock(f *testing.F) {
	for _, s := range []string{"17:30", "9h", "17 h 15", "24:00", "", "25:00", "-1:00", "1:2:3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := equipment.ParseClock(s)
		if err == nil && !c.Valid() {
			t.Errorf("ParseClock(%q) accepted an invalid time %v", s, c)
		}
	})
}

func FuzzParseDates(f *testing.F) {
	for _, s := range []string{"2026-11-02", "2026-10-17/2026-11-01, 2027-02-03", "2026-10-17..2026-11-01", "x/y", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ds, err := equipment.ParseDates(s)
		if err != nil {
			return
		}
		if len(ds) > 367*len(s) {
			t.Errorf("ParseDates(%q) returned %d dates", s, len(ds))
		}
		for _, d := range ds {
			if !d.IsValid() {
				t.Errorf("ParseDates(%q) returned the invalid date %v", s, d)
			}
		}
	})
}

func FuzzParseInstant(f *testing.F) {
	for _, s := range []string{"2026-09-07T17:00", "2026-09-07 17:00:00", "2026-09-07T15:00:00Z", "2026-03-29T02:30", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := equipment.ParseInstant(s)
		if err == nil && v.Location() != time.UTC {
			t.Errorf("ParseInstant(%q) returned %v, not in UTC", s, v)
		}
	})
}
