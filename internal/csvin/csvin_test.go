package csvin_test

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"testing/iotest"

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

func TestReadReturnsUTF8OrRefusesTheFile(t *testing.T) {
	const max = 1 << 10
	encoding := csvin.Errors{{Message: csvin.EncodingMessage}}
	for _, tc := range []struct {
		name string
		body []byte
		max  int64
		want string       // the text read, when accepted
		errs csvin.Errors // the refusal, when refused
	}{
		{name: "UTF-8 is read as is", body: []byte("owner;name\n12202;Salle des fêtes\r\n"),
			want: "owner;name\n12202;Salle des fêtes\r\n"},
		{name: "UTF-8 with a byte order mark loses the mark", body: []byte("\xef\xbb\xbfowner;name\n12202;Salle des fêtes\n"),
			want: "owner;name\n12202;Salle des fêtes\n"},
		{name: "Windows-1252 from French Excel is decoded, é and ê included", body: []byte("owner;name;description\n12202;Salle des f\xeates;Cuisine \xe9quip\xe9e\n"),
			want: "owner;name;description\n12202;Salle des fêtes;Cuisine équipée\n"},
		{name: "Windows-1252 decodes the euro sign and the no-break space", body: []byte("amount\n21\xa0500,00 \x80\n"),
			want: "amount\n21\u00a0500,00 €\n"},
		{name: "tabs and line ends are no control characters", body: []byte("a\tb\r\n"), want: "a\tb\r\n"},
		{name: "a file of exactly the maximum is read", body: bytes.Repeat([]byte("a"), max), want: strings.Repeat("a", max)},
		{name: "an empty file is read, empty", body: nil, want: ""},
		{name: "a file over the maximum is refused with its size", body: bytes.Repeat([]byte("a"), max+1),
			errs: csvin.Errors{{Message: "le fichier dépasse 1 ko : découpez-le en plusieurs fichiers"}}},
		{name: "a file over a maximum in Mo names it in Mo", body: bytes.Repeat([]byte("a"), 2<<20+1), max: 2 << 20,
			errs: csvin.Errors{{Message: "le fichier dépasse 2 Mo : découpez-le en plusieurs fichiers"}}},
		{name: "a maximum of 2.5 Mo is named 2,5 Mo, not 2 Mo", body: bytes.Repeat([]byte("a"), 5<<19+1), max: 5 << 19,
			errs: csvin.Errors{{Message: "le fichier dépasse 2,5 Mo : découpez-le en plusieurs fichiers"}}},
		{name: "a maximum of 1,536 bytes is named 1,5 ko", body: bytes.Repeat([]byte("a"), 1537), max: 1536,
			errs: csvin.Errors{{Message: "le fichier dépasse 1,5 ko : découpez-le en plusieurs fichiers"}}},
		{name: "a C1 control character in UTF-8 (U+0085) is refused", body: []byte("owner;name\n12202;Salle\xc2\x85\n"), errs: encoding},
		{name: "a C1 control character in UTF-8 (U+009B, CSI) is refused", body: []byte("owner;name\n12202;\xc2\x9b1mSalle\n"), errs: encoding},
		{name: "U+00A0, the first character after C1, is read", body: []byte("a\xc2\xa0b\n"), want: "a\u00a0b\n"},
		{name: "UTF-16 with its byte order mark is refused", body: []byte("\xff\xfeo\x00w\x00n\x00e\x00r\x00\n\x00"), errs: encoding},
		{name: "UTF-16 big-endian is refused", body: []byte("\xfe\xff\x00o\x00w\x00n\x00e\x00r\x00\n"), errs: encoding},
		{name: "UTF-16 without a mark, valid UTF-8 full of NULs, is refused", body: []byte("o\x00w\x00n\x00e\x00r\x00\n\x00"), errs: encoding},
		{name: "a NUL in a UTF-8 file is refused", body: []byte("owner;name\n12202;Salle\x00\n"), errs: encoding},
		{name: "an escape control character is refused", body: []byte("owner;name\n12202;\x1b[1mSalle\n"), errs: encoding},
		{name: "DEL is refused", body: []byte("owner\x7f\n"), errs: encoding},
		{name: "a NUL in a Windows-1252 file is refused", body: []byte("f\xeate\x00\n"), errs: encoding},
		{name: "0x81, no character of Windows-1252, is refused", body: []byte("owner;name\n12202;Salle\x81\n"), errs: encoding},
		{name: "0x81 after Windows-1252 accents is refused", body: []byte("f\xeate\x81\n"), errs: encoding},
	} {
		t.Run(tc.name, func(t *testing.T) {
			limit := cmp.Or(tc.max, max)
			got, err := csvin.Read(bytes.NewReader(tc.body), limit)
			if tc.errs != nil {
				var es csvin.Errors
				if !errors.As(err, &es) || !slices.Equal(es, tc.errs) || got != nil {
					t.Errorf("got %q, %v; want no text and %v", got, err, tc.errs)
				}
				return
			}
			if err != nil || string(got) != tc.want {
				t.Errorf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestReadReturnsAFailedReadAsIs(t *testing.T) {
	boom := errors.New("disque illisible")
	got, err := csvin.Read(iotest.ErrReader(boom), 1<<10)
	if _, isForUser := csvin.AsErrors(err); got != nil || !errors.Is(err, boom) || isForUser {
		t.Errorf("got %q, %v; want the read error wrapped, not an error for the user", got, err)
	}
}

func TestErrorsSayLineColumnAndMessage(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"a cell names its line and column", csvin.Error{Line: 37, Column: "date_debut", Message: "date invalide"},
			"ligne 37, colonne « date_debut » : date invalide"},
		{"a whole line names no column", csvin.Error{Line: 3, Message: "ligne CSV mal formée"},
			"ligne 3 : ligne CSV mal formée"},
		{"a column of no line names the column alone", csvin.Error{Column: "amount", Message: "colonne obligatoire absente"},
			"colonne « amount » : colonne obligatoire absente"},
		{"the whole file is the message alone", csvin.Error{Message: csvin.EncodingMessage}, csvin.EncodingMessage},
		{"a refused file lists every problem", csvin.Errors{
			{Line: 2, Column: "name", Message: "indiquez le nom"},
			{Line: 5, Message: "ligne vide"},
			{Message: "le fichier ne contient aucun équipement"},
		}, "le fichier n'a pas été importé : ligne 2, colonne « name » : indiquez le nom ; ligne 5 : ligne vide ; le fichier ne contient aucun équipement"},
		{"Fail is one problem of the whole file", csvin.Fail("le fichier dépasse %d Mo", 16),
			"le fichier n'a pas été importé : le fichier dépasse 16 Mo"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.err.Error(); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestErrorsAddAndSortKeepTheOrderOfALine(t *testing.T) {
	var es csvin.Errors
	es.Add(4, "lot", "pas %s", "« x »")
	es.Add(2, "member", "inconnu")
	es.Add(4, "amount", "négatif")
	es.Add(0, "", "vide")
	es.Sort()
	want := csvin.Errors{{Message: "vide"}, {Line: 2, Column: "member", Message: "inconnu"},
		{Line: 4, Column: "lot", Message: "pas « x »"}, {Line: 4, Column: "amount", Message: "négatif"}}
	if !slices.Equal(es, want) {
		t.Errorf("got %v, want %v", es, want)
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
