package csvin_test

import (
	"fmt"
	"slices"
	"testing"

	"voisines/internal/csvin"
)

func TestOpenDetectsTheSeparatorAndDropsTheMark(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		want       []string
	}{
		{"commas", "a,b;c\n", []string{"a", "b;c"}},
		{"semicolons from a French spreadsheet", "\ufeffa;b,c;d\n", []string{"a", "b,c", "d"}},
		{"a tie keeps commas", "a;b,c\n", []string{"a;b", "c"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := csvin.Open([]byte(tc.body)).Read()
			if err != nil || !slices.Equal(got, tc.want) {
				t.Errorf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestUTF8DecodesWindows1252(t *testing.T) {
	for _, tc := range []struct{ name, body, want string }{
		{"UTF-8 with a mark", "\ufeffquantité", "quantité"},
		{"Windows-1252", "quantit\xe9", "quantité"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := csvin.UTF8([]byte(tc.body))
			if !ok || string(got) != tc.want {
				t.Errorf("got %q, %v; want %q", got, ok, tc.want)
			}
		})
	}
}

func TestColumnsReportsUnknownRepeatedAndMissing(t *testing.T) {
	var got []string
	col := csvin.Columns([]string{" Date ", "lot", "x", "DATE"}, []string{"date", "lot", "amount"}, []string{"date", "amount"},
		func(column, format string, args ...any) { got = append(got, column+": "+fmt.Sprintf(format, args...)) })
	want := []string{"x: colonne inconnue (colonnes possibles : date, lot, amount)", "date: colonne en double", "amount: colonne obligatoire absente"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if col["date"] != 1 || col["lot"] != 2 || col["amount"] != 0 {
		t.Errorf("got columns %v, want date 1, lot 2, amount absent", col)
	}
	if c := csvin.Cell([]string{" 2026-05-31 "}, col, "date"); c != "2026-05-31" {
		t.Errorf("got cell %q, want 2026-05-31", c)
	}
	if c := csvin.Cell([]string{"2026-05-31"}, col, "lot"); c != "" {
		t.Errorf("got cell %q of a short line, want empty", c)
	}
}

// FuzzOpen: whatever a clerk uploads, reading it never panics.
func FuzzOpen(f *testing.F) {
	for _, s := range []string{"a;b\n1;2\n", "\ufeffa,b\n\"x", "", "a\n\"\"\"\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		data, _ := csvin.UTF8(body)
		cr := csvin.Open(data)
		for range 100 {
			if _, err := cr.Read(); err != nil {
				return
			}
			if line, _ := cr.FieldPos(0); line < 1 {
				t.Fatalf("got line %d of a line read whole, want 1 or more", line)
			}
		}
	})
}
