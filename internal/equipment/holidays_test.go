package equipment_test

import (
	"slices"
	"testing"
	"time"

	"voisines/internal/civil"
	"voisines/internal/equipment"
)

func TestEasterMatchesThePublishedDates(t *testing.T) {
	want := map[int]string{
		1818: "1818-03-22", // earliest possible
		1943: "1943-04-25", // latest possible
		2000: "2000-04-23",
		2024: "2024-03-31",
		2025: "2025-04-20",
		2026: "2026-04-05",
		2027: "2027-03-28",
		2038: "2038-04-25",
	}
	for year, date := range want {
		if got := equipment.Easter(year); got != civil.MustParse(date) {
			t.Errorf("Easter(%d): got %s, want %s", year, got, date)
		}
	}
}

func TestPublicHolidaysOf2027(t *testing.T) {
	var got []string
	for _, h := range equipment.PublicHolidays(2027, false) {
		got = append(got, h.Date.String()+" "+h.Name)
	}
	want := []string{
		"2027-01-01 Jour de l'an",
		"2027-03-29 Lundi de Pâques",
		"2027-05-01 Fête du Travail",
		"2027-05-06 Ascension",
		"2027-05-08 Victoire 1945",
		"2027-05-17 Lundi de Pentecôte",
		"2027-07-14 Fête nationale",
		"2027-08-15 Assomption",
		"2027-11-01 Toussaint",
		"2027-11-11 Armistice 1918",
		"2027-12-25 Noël",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestAlsaceMoselleAddsGoodFridayAndSaintStephen(t *testing.T) {
	national := equipment.PublicHolidays(2026, false)
	local := equipment.PublicHolidays(2026, true)
	if len(local) != len(national)+2 {
		t.Fatalf("got %d holidays in Alsace-Moselle, want %d", len(local), len(national)+2)
	}
	dates := map[civil.Date]bool{}
	for _, h := range local {
		dates[h.Date] = true
	}
	for _, d := range []string{"2026-04-03", "2026-12-26"} {
		if !dates[civil.MustParse(d)] {
			t.Errorf("%s is missing from the Alsace-Moselle holidays", d)
		}
	}
	if !equipment.AlsaceMoselleCommune("57463") || !equipment.AlsaceMoselleCommune("67482") || equipment.AlsaceMoselleCommune("12202") {
		t.Error("AlsaceMoselleCommune does not recognise Metz, Strasbourg and Rodez")
	}
}

func TestOccurrencesOfASchoolYearSkipHolidaysAndExceptions(t *testing.T) {
	exceptions, err := equipment.ParseDates("2026-10-17/2026-11-01, 2027-02-03")
	if err != nil {
		t.Fatal(err)
	}
	rule := equipment.SeriesRule{
		Weekdays:   []time.Weekday{time.Monday, time.Wednesday, time.Thursday, time.Saturday},
		Start:      equipment.Clock{Hour: 17},
		End:        equipment.Clock{Hour: 19},
		From:       civil.MustParse("2026-09-01"),
		To:         civil.MustParse("2027-07-03"),
		Exceptions: exceptions,
	}
	occ, skipped, err := rule.Occurrences(false)
	if err != nil {
		t.Fatal(err)
	}
	held := map[civil.Date]bool{}
	for _, o := range occ {
		held[o.Date] = true
		if o.Start.In(civil.Paris).Hour() != 17 || o.End.Sub(o.Start) != 2*time.Hour {
			t.Errorf("%s: got %v–%v, want 17:00–19:00 Paris time", o.Date, o.Start, o.End)
		}
	}
	for _, d := range []string{"2026-11-11", "2027-03-29", "2027-05-08", "2027-05-06", "2027-05-17", "2027-02-03", "2026-10-21", "2026-10-17"} {
		if held[civil.MustParse(d)] {
			t.Errorf("the series holds a session on %s, a holiday or an exception", d)
		}
	}
	for _, d := range []string{"2026-09-02", "2026-11-12", "2027-03-31", "2027-05-10"} {
		if !held[civil.MustParse(d)] {
			t.Errorf("the series has no session on %s", d)
		}
	}
	reasons := map[string]string{}
	for _, s := range skipped {
		reasons[s.Date.String()] = s.Reason
	}
	if reasons["2026-11-11"] != "Armistice 1918" || reasons["2027-03-29"] != "Lundi de Pâques" || reasons["2027-02-03"] != "exception déclarée" {
		t.Errorf("skip reasons: got %v", reasons)
	}
	// Winter time: 17:00 in Paris is 16:00 UTC in January, 15:00 UTC in June.
	for _, o := range occ {
		if o.Date == civil.MustParse("2027-01-04") && o.Start.Hour() != 16 {
			t.Errorf("4 January 2027: got %v UTC, want 16:00", o.Start)
		}
		if o.Date == civil.MustParse("2027-06-07") && o.Start.Hour() != 15 {
			t.Errorf("7 June 2027: got %v UTC, want 15:00", o.Start)
		}
	}
}

func TestSeriesRuleErrorsNameTheirField(t *testing.T) {
	tests := []struct {
		name  string
		rule  equipment.SeriesRule
		field string
	}{
		{"no weekday", equipment.SeriesRule{Start: equipment.Clock{Hour: 9}, End: equipment.Clock{Hour: 10},
			From: civil.MustParse("2026-09-01"), To: civil.MustParse("2026-10-01")}, "weekdays"},
		{"end before start", equipment.SeriesRule{Weekdays: []time.Weekday{time.Monday}, Start: equipment.Clock{Hour: 9},
			End: equipment.Clock{Hour: 8}, From: civil.MustParse("2026-09-01"), To: civil.MustParse("2026-10-01")}, "end"},
		{"off the quarter grid", equipment.SeriesRule{Weekdays: []time.Weekday{time.Monday}, Start: equipment.Clock{Hour: 9, Minute: 10},
			End: equipment.Clock{Hour: 10}, From: civil.MustParse("2026-09-01"), To: civil.MustParse("2026-10-01")}, "start"},
		{"period reversed", equipment.SeriesRule{Weekdays: []time.Weekday{time.Monday}, Start: equipment.Clock{Hour: 9},
			End: equipment.Clock{Hour: 10}, From: civil.MustParse("2026-10-01"), To: civil.MustParse("2026-09-01")}, "to"},
		{"only holidays", equipment.SeriesRule{Weekdays: []time.Weekday{time.Wednesday}, Start: equipment.Clock{Hour: 9},
			End: equipment.Clock{Hour: 10}, From: civil.MustParse("2026-11-11"), To: civil.MustParse("2026-11-11")}, "from"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := tt.rule.Occurrences(false)
			if err == nil {
				t.Fatal("got no error")
			}
			if got := fieldOf(err); got != tt.field {
				t.Errorf("got field %q (%v), want %q", got, err, tt.field)
			}
		})
	}
}

func TestParseClock(t *testing.T) {
	for in, want := range map[string]string{"17:30": "17:30", "9h": "09:00", "17 h 15": "17:15", "08H45": "08:45", "24:00": "24:00"} {
		c, err := equipment.ParseClock(in)
		if err != nil || c.String() != want {
			t.Errorf("ParseClock(%q): got %v, %v; want %s", in, c, err, want)
		}
	}
	for _, in := range []string{"", "25:00", "12:60", "midi", "1:2:3"} {
		if _, err := equipment.ParseClock(in); err == nil {
			t.Errorf("ParseClock(%q) accepted", in)
		}
	}
}

func TestUnitsCountStartedQuartersHalfDaysAndDays(t *testing.T) {
	at := func(s string) time.Time {
		t.Helper()
		v, err := equipment.ParseInstant(s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		unit       equipment.Unit
		start, end string
		want       int64
	}{
		{equipment.UnitHour, "2026-09-07T17:00", "2026-09-07T19:00", 2000},
		{equipment.UnitHour, "2026-09-07T17:05", "2026-09-07T19:20", 2250},
		{equipment.UnitHour, "2026-09-07T17:00", "2026-09-07T17:01", 250},
		{equipment.UnitHalfDay, "2026-09-07T09:00", "2026-09-07T11:00", 1000},
		{equipment.UnitHalfDay, "2026-09-07T08:00", "2026-09-07T18:00", 2000},
		{equipment.UnitHalfDay, "2026-09-07T12:00", "2026-09-07T14:00", 2000},
		{equipment.UnitHalfDay, "2026-09-07T13:00", "2026-09-07T18:00", 1000},
		{equipment.UnitHalfDay, "2026-09-07T08:00", "2026-09-07T13:00", 1000},
		{equipment.UnitDay, "2026-09-07T08:00", "2026-09-08T08:00", 2000},
		{equipment.UnitDay, "2026-09-07T00:00", "2026-09-08T00:00", 1000},
		{equipment.UnitHour, "2026-09-07T10:00", "2026-09-07T10:00", 0},
	}
	for _, tt := range tests {
		if got := equipment.Units(tt.unit, at(tt.start), at(tt.end)); got != tt.want {
			t.Errorf("Units(%s, %s, %s): got %d, want %d", tt.unit, tt.start, tt.end, got, tt.want)
		}
	}
}

func TestFrenchSpan(t *testing.T) {
	a, _ := equipment.ParseInstant("2026-09-07T10:00")
	b, _ := equipment.ParseInstant("2026-09-07T12:30")
	c, _ := equipment.ParseInstant("2026-09-08T00:00")
	d, _ := equipment.ParseInstant("2026-09-09T09:00")
	for _, tt := range []struct{ got, want string }{
		{equipment.FrenchSpan(a, b), "lundi 7 septembre 2026 de 10\u00a0h à 12\u00a0h\u00a030"},
		{equipment.FrenchSpan(a, c), "lundi 7 septembre 2026 de 10\u00a0h à 24\u00a0h"},
		{equipment.FrenchSpan(a, d), "du lundi 7 septembre 2026 à 10\u00a0h au mercredi 9 septembre 2026 à 9\u00a0h"},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}
