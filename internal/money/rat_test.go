package money_test

import (
	"encoding/json"
	"errors"
	"testing"

	"voisines/internal/money"
)

func TestParseRat(t *testing.T) {
	for _, c := range []struct {
		name string
		in   string
		want string // lowest terms
	}{
		{"a fraction stays exact", "5/12", "5/12"},
		{"a fraction is reduced", "4812/8704", "1203/2176"},
		{"a negative fraction", "-3/7", "-3/7"},
		{"a French decimal", "1,2", "6/5"},
		{"a plain decimal", "0.375", "3/8"},
		{"many decimals are kept", "16,404", "4101/250"},
		{"a percentage", "62,5 %", "5/8"},
		{"a percentage without a space", "37.5%", "3/8"},
		{"a whole number", "8500", "8500"},
		{"a grouped number", "1 236,5", "2473/2"},
		{"surrounding spaces", " 3/4 ", "3/4"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := money.ParseRat(c.in)
			if err != nil {
				t.Fatal(err)
			}
			if got.String() != c.want {
				t.Errorf("ParseRat(%q): got %s want %s", c.in, got, c.want)
			}
		})
	}
	for _, in := range []string{"", "1/0", "1e9", "1/2/3", "a/b", "1,5/2", "0x10", "1.2,3", "%", "1 2/3", "inf", "NaN"} {
		t.Run("refuses "+in, func(t *testing.T) {
			if got, err := money.ParseRat(in); !errors.Is(err, money.ErrSyntax) {
				t.Errorf("ParseRat(%q): got %s, %v want ErrSyntax", in, got, err)
			}
		})
	}
}

func TestRatIsImmutableAndZeroValueIsZero(t *testing.T) {
	var zero money.Rat
	if zero.Sign() != 0 || zero.String() != "0" {
		t.Errorf("zero value: got %s want 0", zero)
	}
	a := money.NewRat(1, 3)
	b := a.Add(money.NewRat(1, 6))
	if a.String() != "1/3" || b.String() != "1/2" {
		t.Errorf("got a=%s b=%s want 1/3 and 1/2", a, b)
	}
	big := a.Big()
	big.SetInt64(42)
	if a.String() != "1/3" {
		t.Errorf("modifying Big's copy changed the Rat: got %s", a)
	}
}

func TestRatJSON(t *testing.T) {
	t.Run("a rational is a string in JSON and comes back the same", func(t *testing.T) {
		in := struct {
			Share money.Rat `json:"share"`
		}{money.NewRat(5, 12)}
		data, err := json.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		if string(data) != `{"share":"5/12"}` {
			t.Errorf("got %s want {\"share\":\"5/12\"}", data)
		}
		var out struct {
			Share money.Rat `json:"share"`
		}
		if err := json.Unmarshal(data, &out); err != nil {
			t.Fatal(err)
		}
		if out.Share.Cmp(in.Share) != 0 {
			t.Errorf("got %s want %s", out.Share, in.Share)
		}
	})
	t.Run("JSON accepts decimal and percentage strings", func(t *testing.T) {
		var out struct{ W money.Rat }
		if err := json.Unmarshal([]byte(`{"W":"37,5 %"}`), &out); err != nil {
			t.Fatal(err)
		}
		if out.W.String() != "3/8" {
			t.Errorf("got %s want 3/8", out.W)
		}
	})
	t.Run("JSON refuses a bare number so no binary fraction sneaks in", func(t *testing.T) {
		var out struct{ W money.Rat }
		if err := json.Unmarshal([]byte(`{"W":0.1}`), &out); err == nil {
			t.Errorf("got %s want an error", out.W)
		}
	})
}

func TestRatDisplay(t *testing.T) {
	for _, c := range []struct {
		name          string
		x             money.Rat
		places        int
		plain, french string
	}{
		{"rounds half away from zero", money.NewRat(1, 8), 2, "0.13", "0,13"},
		{"negative values too", money.NewRat(-1, 8), 2, "-0.13", "-0,13"},
		{"groups thousands in French", money.NewRat(22190574, 1000), 1, "22190.6", "22\u202f190,6"},
		{"zero places gives an integer", money.NewRat(7, 2), 0, "4", "4"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := c.x.Decimal(c.places); got != c.plain {
				t.Errorf("Decimal: got %s want %s", got, c.plain)
			}
			if got := c.x.French(c.places); got != c.french {
				t.Errorf("French: got %q want %q", got, c.french)
			}
		})
	}
}
