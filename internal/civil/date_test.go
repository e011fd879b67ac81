package civil

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want Date
		ok   bool
	}{
		{"2026-04-30", Date{2026, time.April, 30}, true},
		{"2028-02-29", Date{2028, time.February, 29}, true},
		{"2026-02-29", Date{}, false},
		{"2026-13-01", Date{}, false},
		{"2026-00-10", Date{}, false},
		{"2026-04-00", Date{}, false},
		{"0000-01-01", Date{}, false},
		{"2026-4-30", Date{}, false},
		{"30/04/2026", Date{}, false},
		{"2026-04-3a", Date{}, false},
		{"+026-04-30", Date{}, false},
		{"", Date{}, false},
	}
	for _, tt := range tests {
		t.Run("parsing "+tt.in, func(t *testing.T) {
			got, err := Parse(tt.in)
			if (err == nil) != tt.ok {
				t.Fatalf("got error %v, want ok=%v", err, tt.ok)
			}
			if err != nil && !errors.Is(err, ErrSyntax) {
				t.Errorf("got error %v, want it to wrap ErrSyntax", err)
			}
			if got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestStringRoundTrips(t *testing.T) {
	for _, s := range []string{"2026-04-30", "0999-01-01", "2032-12-31"} {
		if got := MustParse(s).String(); got != s {
			t.Errorf("got %q, want %q", got, s)
		}
	}
	if got := (Date{}).String(); got != "" {
		t.Errorf("zero date: got %q, want empty", got)
	}
}

func TestFrench(t *testing.T) {
	tests := map[string]string{
		"2026-04-30": "30 avril 2026",
		"2026-05-01": "1er mai 2026",
		"2026-08-15": "15 août 2026",
	}
	for in, want := range tests {
		if got := MustParse(in).French(); got != want {
			t.Errorf("%s: got %q, want %q", in, got, want)
		}
	}
}

func TestAddMonths(t *testing.T) {
	tests := []struct {
		name string
		from string
		n    int
		want string
	}{
		{"three years after 1 May 2026 is 1 May 2029", "2026-05-01", 36, "2029-05-01"},
		{"one month after 31 January clamps to 28 February", "2026-01-31", 1, "2026-02-28"},
		{"one month after 31 January of a leap year clamps to 29 February", "2028-01-31", 1, "2028-02-29"},
		{"twelve months after 29 February lands on 28 February", "2028-02-29", 12, "2029-02-28"},
		{"minus one month crosses the year backwards", "2026-01-15", -1, "2025-12-15"},
		{"minus thirteen months", "2026-01-31", -13, "2024-12-31"},
		{"three months after 31 March clamps to 30 June", "2026-03-31", 3, "2026-06-30"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := MustParse(tt.from).AddMonths(tt.n).String(); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestArithmeticAndComparison(t *testing.T) {
	a, b := MustParse("2026-04-15"), MustParse("2026-04-30")
	if !a.Before(b) || b.Before(a) || !b.After(a) || a.Compare(a) != 0 {
		t.Errorf("ordering of %v and %v is wrong", a, b)
	}
	if got := a.DaysUntil(b); got != 15 {
		t.Errorf("days from %v to %v: got %d, want 15", a, b, got)
	}
	if got := b.DaysUntil(a); got != -15 {
		t.Errorf("days from %v to %v: got %d, want -15", b, a, got)
	}
	// Across the spring DST change in Paris a day is still one day.
	if got := MustParse("2026-03-28").DaysUntil(MustParse("2026-03-30")); got != 2 {
		t.Errorf("days across DST: got %d, want 2", got)
	}
	if got := MustParse("2026-12-31").AddDays(1).String(); got != "2027-01-01" {
		t.Errorf("AddDays: got %s, want 2027-01-01", got)
	}
	if got := MustParse("2028-02-29").AddYears(1).String(); got != "2029-02-28" {
		t.Errorf("AddYears: got %s, want 2029-02-28", got)
	}
	if got := Min(Date{}, a); got != a {
		t.Errorf("Min ignores the zero date: got %v, want %v", got, a)
	}
	if got := Max(a, b); got != b {
		t.Errorf("Max: got %v, want %v", got, b)
	}
	if got := New(2026, time.April, 31); got != MustParse("2026-05-01") {
		t.Errorf("New normalises 31 April: got %v, want 2026-05-01", got)
	}
}

func TestParisDate(t *testing.T) {
	// 22:30 UTC on 30 April 2026 is already 1 May in Paris (UTC+2 in summer).
	instant := time.Date(2026, time.April, 30, 22, 30, 0, 0, time.UTC)
	if got := In(instant, Paris).String(); got != "2026-05-01" {
		t.Errorf("got %s, want 2026-05-01", got)
	}
	if got := Of(instant).String(); got != "2026-04-30" {
		t.Errorf("the UTC date: got %s, want 2026-04-30", got)
	}
	if Today().IsZero() {
		t.Error("Today returned the zero date")
	}
}

func TestJSON(t *testing.T) {
	type doc struct {
		Start Date `json:"start"`
		End   Date `json:"end,omitzero"`
		Maybe Date `json:"maybe"`
	}
	b, err := json.Marshal(doc{Start: MustParse("2026-04-30")})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), `{"start":"2026-04-30","maybe":null}`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	var back doc
	if err := json.Unmarshal([]byte(`{"start":"2026-04-30","end":"","maybe":null}`), &back); err != nil {
		t.Fatal(err)
	}
	if back.Start != MustParse("2026-04-30") || !back.End.IsZero() || !back.Maybe.IsZero() {
		t.Errorf("got %+v, want start 2026-04-30 and zero end and maybe", back)
	}
	for _, bad := range []string{`{"start":"2026-02-30"}`, `{"start":20260430}`} {
		if err := json.Unmarshal([]byte(bad), &back); err == nil {
			t.Errorf("decoding %s: got no error, want one", bad)
		}
	}
}

func TestSQL(t *testing.T) {
	d := MustParse("2026-04-30")
	v, err := d.Value()
	if err != nil || v != "2026-04-30" {
		t.Errorf("Value: got %v, %v, want 2026-04-30", v, err)
	}
	if v, _ := (Date{}).Value(); v != nil {
		t.Errorf("Value of the zero date: got %v, want nil", v)
	}
	for _, src := range []any{"2026-04-30", []byte("2026-04-30"),
		time.Date(2026, time.April, 30, 0, 0, 0, 0, time.UTC)} {
		var got Date
		if err := got.Scan(src); err != nil || got != d {
			t.Errorf("Scan(%T): got %v, %v, want %v", src, got, err, d)
		}
	}
	var got Date
	if err := got.Scan(nil); err != nil || !got.IsZero() {
		t.Errorf("Scan(nil): got %v, %v, want the zero date", got, err)
	}
	if err := got.Scan(42); err == nil {
		t.Error("Scan(int): got no error, want one")
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"2026-04-30", "2028-02-29", "2026-02-29", "9999-12-31", "abcd-ef-gh"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := Parse(s)
		if err != nil {
			return
		}
		if !d.IsValid() {
			t.Fatalf("Parse(%q) = %v, which is not a valid date", s, d)
		}
		if d.String() != s {
			t.Fatalf("Parse(%q).String() = %q, want the input back", s, d.String())
		}
	})
}

func TestParseFrench(t *testing.T) {
	tests := []struct {
		name, in string
		want     Date
		ok       bool
	}{
		{"a French date", "31/05/2026", Date{2026, time.May, 31}, true},
		{"day and month of one digit", "1/5/2026", Date{2026, time.May, 1}, true},
		{"mixed widths", "01/5/2026", Date{2026, time.May, 1}, true},
		{"an ISO date", "2026-05-31", Date{2026, time.May, 31}, true},
		{"surrounding spaces", " 31/05/2026\t", Date{2026, time.May, 31}, true},
		{"29 February of a leap year", "29/02/2028", Date{2028, time.February, 29}, true},
		{"29 February of a common year", "29/02/2026", Date{}, false},
		{"31 April", "31/04/2026", Date{}, false},
		{"month 13", "01/13/2026", Date{}, false},
		{"day 0", "0/05/2026", Date{}, false},
		{"year 0", "01/01/0000", Date{}, false},
		{"a two-digit year", "31/05/26", Date{}, false},
		{"a three-digit day", "031/05/2026", Date{}, false},
		{"a signed day", "+1/05/2026", Date{}, false},
		{"letters", "aa/bb/cccc", Date{}, false},
		{"two parts", "31/05", Date{}, false},
		{"four parts", "31/05/2026/1", Date{}, false},
		{"an empty day", "/05/2026", Date{}, false},
		{"dashes the French way", "31-05-2026", Date{}, false},
		{"an ISO date with short parts", "2026-5-31", Date{}, false},
		{"empty", "", Date{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseFrench(tt.in)
			if tt.ok {
				if err != nil || got != tt.want {
					t.Errorf("ParseFrench(%q): got %v, %v; want %v", tt.in, got, err, tt.want)
				}
				return
			}
			if !errors.Is(err, ErrSyntax) {
				t.Errorf("ParseFrench(%q): got %v, %v; want an ErrSyntax", tt.in, got, err)
			}
		})
	}
}

// FuzzParseFrench: whatever is typed, ParseFrench never panics, returns a
// day that exists or an ErrSyntax, and reads back what French writes
// ("31/05/2026") as it reads the ISO form.
func FuzzParseFrench(f *testing.F) {
	for _, s := range []string{"31/05/2026", "1/5/2026", "2026-05-31", "29/02/2026", "//", "9/9/9999", " 01/01/2000 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseFrench(s)
		if err != nil {
			if !errors.Is(err, ErrSyntax) {
				t.Fatalf("ParseFrench(%q): got error %v, want an ErrSyntax", s, err)
			}
			return
		}
		if !d.IsValid() || d.Year < 1 || d.Year > 9999 {
			t.Fatalf("ParseFrench(%q): got %v, want a day of the calendar", s, d)
		}
		french := fmt.Sprintf("%02d/%02d/%04d", d.Day, int(d.Month), d.Year)
		if back, err := ParseFrench(french); err != nil || back != d {
			t.Fatalf("ParseFrench(%q) = %v, but ParseFrench(%q): got %v, %v", s, d, french, back, err)
		}
		if back, err := ParseFrench(d.String()); err != nil || back != d {
			t.Fatalf("ParseFrench(%q) = %v, but ParseFrench(%q): got %v, %v", s, d, d.String(), back, err)
		}
	})
}
