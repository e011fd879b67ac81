// Package ical writes iCalendar documents (RFC 5545) that calendar
// applications subscribe to: a VCALENDAR of VEVENTs whose local times are
// in Europe/Paris, with the VTIMEZONE that defines it, content lines folded
// at 75 octets without splitting a UTF-8 character, and text values
// escaped.
//
// It writes; tests read the documents back with a separate iCalendar
// library (github.com/arran4/golang-ical), so that the output is checked
// by code that did not produce it.
package ical

import (
	"bufio"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// TZID is the time zone of every local time written.
const TZID = "Europe/Paris"

// Calendar is a document of events.
type Calendar struct {
	// Name is shown by calendar applications (X-WR-CALNAME).
	Name        string
	Description string
	Events      []Event
	// Location is the time zone of local times; it must be Europe/Paris,
	// the zone the VTIMEZONE block describes.
	Location *time.Location
}

// Status is an event's STATUS.
type Status string

// The statuses of an event.
const (
	Confirmed Status = "CONFIRMED"
	Tentative Status = "TENTATIVE"
	Cancelled Status = "CANCELLED"
)

// Event is one VEVENT.
type Event struct {
	// UID identifies the event for ever, across feeds and changes, e.g.
	// "booking-42@voisines".
	UID          string
	Start, End   time.Time
	Summary      string
	Location     string
	Description  string
	Status       Status
	Categories   []string
	Sequence     int64     // increases with every change
	Stamp        time.Time // DTSTAMP: when the feed describes the event (its last change)
	LastModified time.Time
}

// vtimezone describes Europe/Paris since 1996 (EU summer time rules: last
// Sunday of March at 01:00 UTC to last Sunday of October at 01:00 UTC).
var vtimezone = []string{
	"BEGIN:VTIMEZONE",
	"TZID:" + TZID,
	"X-LIC-LOCATION:" + TZID,
	"BEGIN:DAYLIGHT",
	"TZOFFSETFROM:+0100",
	"TZOFFSETTO:+0200",
	"TZNAME:CEST",
	"DTSTART:19700329T020000",
	"RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
	"END:DAYLIGHT",
	"BEGIN:STANDARD",
	"TZOFFSETFROM:+0200",
	"TZOFFSETTO:+0100",
	"TZNAME:CET",
	"DTSTART:19701025T030000",
	"RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
	"END:STANDARD",
	"END:VTIMEZONE",
}

// Write writes c to w as an iCalendar document.
func Write(w io.Writer, c Calendar) error {
	loc := c.Location
	if loc == nil {
		var err error
		if loc, err = time.LoadLocation(TZID); err != nil {
			return err
		}
	}
	bw := bufio.NewWriter(w)
	line := func(s string) { writeFolded(bw, s) }
	line("BEGIN:VCALENDAR")
	line("VERSION:2.0")
	line("PRODID:-//Voisines//Équipements partagés//FR")
	line("CALSCALE:GREGORIAN")
	line("METHOD:PUBLISH")
	if c.Name != "" {
		line("X-WR-CALNAME:" + Escape(c.Name))
	}
	if c.Description != "" {
		line("X-WR-CALDESC:" + Escape(c.Description))
	}
	line("X-WR-TIMEZONE:" + TZID)
	for _, l := range vtimezone {
		line(l)
	}
	for _, e := range c.Events {
		line("BEGIN:VEVENT")
		line("UID:" + Escape(e.UID))
		line("DTSTAMP:" + utc(e.Stamp))
		line("DTSTART;TZID=" + TZID + ":" + local(e.Start, loc))
		line("DTEND;TZID=" + TZID + ":" + local(e.End, loc))
		line("SUMMARY:" + Escape(e.Summary))
		if e.Location != "" {
			line("LOCATION:" + Escape(e.Location))
		}
		if e.Description != "" {
			line("DESCRIPTION:" + Escape(e.Description))
		}
		if e.Status != "" {
			line("STATUS:" + string(e.Status))
		}
		if len(e.Categories) > 0 {
			cats := make([]string, len(e.Categories))
			for i, cat := range e.Categories {
				cats[i] = Escape(cat)
			}
			line("CATEGORIES:" + strings.Join(cats, ","))
		}
		line("SEQUENCE:" + strconv.FormatInt(e.Sequence, 10))
		if !e.LastModified.IsZero() {
			line("LAST-MODIFIED:" + utc(e.LastModified))
		}
		line("TRANSP:OPAQUE")
		line("END:VEVENT")
	}
	line("END:VCALENDAR")
	return bw.Flush()
}

func utc(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

func local(t time.Time, loc *time.Location) string { return t.In(loc).Format("20060102T150405") }

// Escape escapes a TEXT value (RFC 5545 §3.3.11): backslash, semicolon,
// comma and new lines.
func Escape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\\':
			b.WriteString(`\\`)
		case ';':
			b.WriteString(`\;`)
		case ',':
			b.WriteString(`\,`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
		default:
			if r < 0x20 && r != '\t' {
				continue // control characters are not allowed in TEXT
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

// writeFolded writes one content line ending in CRLF, folded so that no
// physical line exceeds 75 octets (RFC 5545 §3.1): a fold is CRLF followed
// by one space, placed between UTF-8 characters.
func writeFolded(w *bufio.Writer, s string) {
	const limit = 75
	n := 0 // octets on the current physical line
	for len(s) > 0 {
		_, size := utf8.DecodeRuneInString(s)
		if n+size > limit {
			w.WriteString("\r\n ")
			n = 1
		}
		w.WriteString(s[:size])
		n += size
		s = s[size:]
	}
	w.WriteString("\r\n")
}
