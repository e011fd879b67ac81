package ical_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"voisines/internal/export/ical"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func sample() ical.Calendar {
	paris, _ := time.LoadLocation("Europe/Paris")
	stamp := time.Date(2026, 8, 20, 9, 30, 0, 0, time.UTC)
	return ical.Calendar{
		Name:        "Gymnase Paul-Ramadier — réservations",
		Description: "Réservations; annulations, et fermetures",
		Location:    paris,
		Events: []ical.Event{
			{
				UID:     "booking-1@voisines",
				Start:   time.Date(2026, 9, 7, 17, 0, 0, 0, paris),
				End:     time.Date(2026, 9, 7, 19, 0, 0, 0, paris),
				Summary: "Entraînement de basket, club d'Onet-le-Château",
				// Long enough to be folded, with accented letters on the fold.
				Description: strings.Repeat("Séance hebdomadaire réservée à l'école élémentaire; ", 4) + "\nligne 2 \\ fin",
				Location:    "Rue Paul-Ramadier, 12000 Rodez",
				Status:      ical.Confirmed,
				Categories:  []string{"réservation", "sport"},
				Sequence:    2,
				Stamp:       stamp,
			},
			{
				UID:     "booking-2@voisines",
				Start:   time.Date(2026, 12, 21, 8, 0, 0, 0, paris),
				End:     time.Date(2026, 12, 23, 18, 0, 0, 0, paris),
				Summary: "Fermeture : entretien du parquet",
				Status:  ical.Tentative,
				Stamp:   stamp,
			},
		},
	}
}

func TestWriteMatchesTheGoldenFile(t *testing.T) {
	var buf bytes.Buffer
	if err := ical.Write(&buf, sample()); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "sample.ics")
	if *update {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("read %s (run with -update to create it): %v", golden, err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("output differs from %s; got:\n%s", golden, buf.String())
	}
}

func TestEveryPhysicalLineHasAtMost75OctetsAndEndsInCRLF(t *testing.T) {
	var buf bytes.Buffer
	if err := ical.Write(&buf, sample()); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.HasSuffix(out, "\r\n") {
		t.Fatal("the document does not end with CRLF")
	}
	for i, l := range strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n") {
		if len(l) > 75 {
			t.Errorf("line %d has %d octets, more than 75: %q", i+1, len(l), l)
		}
		if strings.ContainsAny(l, "\r\n") {
			t.Errorf("line %d holds a bare CR or LF: %q", i+1, l)
		}
	}
}

func TestAnotherLibraryReadsTheEventsBack(t *testing.T) {
	var buf bytes.Buffer
	cal := sample()
	if err := ical.Write(&buf, cal); err != nil {
		t.Fatal(err)
	}
	parsed, err := ics.ParseCalendar(&buf)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	events := parsed.Events()
	if len(events) != 2 {
		t.Fatalf("got %d events, want 2", len(events))
	}
	tz := parsed.Timezones()
	if len(tz) != 1 || tz[0].GetProperty(ics.ComponentPropertyTzid) == nil ||
		tz[0].GetProperty(ics.ComponentPropertyTzid).Value != "Europe/Paris" {
		t.Errorf("got %d time zones, want one Europe/Paris", len(tz))
	}
	first := events[0]
	if got := first.Id(); got != "booking-1@voisines" {
		t.Errorf("UID: got %q, want booking-1@voisines", got)
	}
	start, err := first.GetStartAt()
	if err != nil {
		t.Fatal(err)
	}
	if want := cal.Events[0].Start; !start.Equal(want) {
		t.Errorf("start: got %v, want %v", start, want)
	}
	prop := first.GetProperty(ics.ComponentPropertyDtStart)
	if tzid := prop.ICalParameters["TZID"]; len(tzid) != 1 || tzid[0] != "Europe/Paris" {
		t.Errorf("DTSTART TZID: got %v, want Europe/Paris", tzid)
	}
	for prop, want := range map[ics.ComponentProperty]string{
		ics.ComponentPropertySummary:     cal.Events[0].Summary,
		ics.ComponentPropertyDescription: cal.Events[0].Description,
		ics.ComponentPropertyLocation:    cal.Events[0].Location,
		ics.ComponentPropertyStatus:      "CONFIRMED",
		ics.ComponentPropertySequence:    "2",
	} {
		if got := first.GetProperty(prop); got == nil || got.Value != want {
			t.Errorf("%s: got %+v, want %q", prop, got, want)
		}
	}
	end, err := events[1].GetEndAt()
	if err != nil {
		t.Fatal(err)
	}
	if want := cal.Events[1].End; !end.Equal(want) {
		t.Errorf("end of the second event: got %v, want %v", end, want)
	}
}

func TestEscape(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"a;b,c", `a\;b\,c`},
		{`back\slash`, `back\\slash`},
		{"two\nlines\r\n", `two\nlines\n`},
		{"bell\x07", "bell"},
	}
	for _, tt := range tests {
		if got := ical.Escape(tt.in); got != tt.want {
			t.Errorf("Escape(%q): got %q, want %q", tt.in, got, tt.want)
		}
	}
}
