// Package csvin reads spreadsheets of outside input: CSV files a clerk saved
// from a spreadsheet, separated by commas or semicolons, with a header line
// naming the columns. It holds what every import reads the same way — the
// encoding, the separator, the header, the errors by line and column — and
// each import keeps its own rules, messages and limits.
package csvin

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// Error is a problem in one cell, one line or the whole of an imported
// file, for the user.
type Error struct {
	Line    int    `json:"line"`             // 1 is the header; 0 the file as a whole
	Column  string `json:"column,omitempty"` // as the header writes it; "" for the whole line
	Message string `json:"message"`          // French
}

// Error returns "ligne 37, colonne « date_debut » : …", or the message
// alone for the file as a whole.
func (e Error) Error() string {
	var where []string
	if e.Line > 0 {
		where = append(where, "ligne "+strconv.Itoa(e.Line))
	}
	if e.Column != "" {
		where = append(where, "colonne « "+e.Column+" »")
	}
	if len(where) == 0 {
		return e.Message
	}
	return strings.Join(where, ", ") + " : " + e.Message
}

// Errors is every problem of a refused file: an import that returns it
// wrote nothing. Get it back from an import's error with errors.As.
type Errors []Error

// Error returns every problem, separated by " ; ".
func (es Errors) Error() string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.Error()
	}
	return "le fichier n'a pas été importé : " + strings.Join(parts, " ; ")
}

// Add appends the problem of line and column, its message formatted.
func (es *Errors) Add(line int, column, format string, args ...any) {
	*es = append(*es, Error{Line: line, Column: column, Message: fmt.Sprintf(format, args...)})
}

// Sort orders es by line, keeping the order of the problems of a line.
func (es Errors) Sort() {
	slices.SortStableFunc(es, func(a, b Error) int { return cmp.Compare(a.Line, b.Line) })
}

// Fail returns a single problem of the whole file.
func Fail(format string, args ...any) Errors {
	return Errors{{Message: fmt.Sprintf(format, args...)}}
}

// EncodingMessage is what a file in neither UTF-8 nor Windows-1252 is told.
const EncodingMessage = "le fichier n'est ni en UTF-8 ni en Windows-1252 (est-ce bien un fichier CSV ?) : enregistrez-le au format « CSV UTF-8 » ou « CSV (séparateur : point-virgule) »"

// UTF8 returns body less its byte order mark, as UTF-8: spreadsheet
// software on French Windows saves "CSV" in Windows-1252, decoded here. It
// reports false when body is neither: bytes that are no character of
// Windows-1252, or control characters other than tabs and line ends (a
// binary or UTF-16 file).
func UTF8(body []byte) ([]byte, bool) {
	body = bytes.TrimPrefix(body, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(body) {
		decoded, err := charmap.Windows1252.NewDecoder().Bytes(body)
		if err != nil || bytes.ContainsRune(decoded, utf8.RuneError) {
			return nil, false
		}
		body = decoded
	}
	if bytes.ContainsFunc(body, isControl) {
		return nil, false
	}
	return body, true
}

// isControl reports the control characters no CSV file of ours holds:
// C0 but tabs and line ends, DEL, and C1 (U+0080–U+009F, which the bytes
// Windows-1252 leaves undefined decode to, and which UTF-16 or binary
// files read as UTF-8 may contain).
func isControl(r rune) bool {
	return r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r >= 0x7f && r <= 0x9f
}

// Read reads a whole file of at most max bytes from r and returns it as
// UTF-8 (see UTF8). A file too large or in neither encoding is an Errors
// for the user; a failed read is returned as is.
func Read(r io.Reader, max int64) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, fmt.Errorf("csvin: read: %w", err)
	}
	if int64(len(body)) > max {
		return nil, Fail("le fichier dépasse %s : découpez-le en plusieurs fichiers", size(max))
	}
	text, ok := UTF8(body)
	if !ok {
		return nil, Fail("%s", EncodingMessage)
	}
	return text, nil
}

// size writes a limit in Mo, or in ko below one, with one decimal when
// it is not whole (2,5 Mo, not 2 Mo: the user must not be told a smaller
// limit than the real one, nor a larger).
func size(n int64) string {
	unit, name := int64(1<<10), " ko"
	if n >= 1<<20 {
		unit, name = 1<<20, " Mo"
	}
	if n%unit == 0 || n < unit {
		return strconv.FormatInt(max(n/unit, 1), 10) + name
	}
	tenths := n * 10 / unit // rounded down: never more than the limit
	return strconv.FormatInt(tenths/10, 10) + "," + strconv.FormatInt(tenths%10, 10) + name
}

// AsErrors returns the Errors err holds, for a face that shows them line
// by line.
func AsErrors(err error) (Errors, bool) {
	var es Errors
	ok := errors.As(err, &es)
	return es, ok
}

// Open returns a reader of body, less its byte order mark if any. The
// separator is ';' when the first line has more semicolons than commas (a
// French spreadsheet's "CSV"), ',' otherwise; lines may have any number of
// cells.
func Open(body []byte) *csv.Reader {
	text := strings.TrimPrefix(string(body), "\ufeff")
	cr := csv.NewReader(strings.NewReader(text))
	if first, _, _ := strings.Cut(text, "\n"); strings.Count(first, ";") > strings.Count(first, ",") {
		cr.Comma = ';'
	}
	cr.FieldsPerRecord = -1
	return cr
}

// Columns maps a header line to each known column's index + 1 (0 means
// absent), comparing names trimmed and in lower case. It hands fail, in
// order, every unknown or repeated column, then every required one absent.
func Columns(header, known, required []string, fail func(column, format string, args ...any)) map[string]int {
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		switch {
		case !slices.Contains(known, h):
			fail(h, "colonne inconnue (colonnes possibles : %s)", strings.Join(known, ", "))
		case col[h] != 0:
			fail(h, "colonne en double")
		default:
			col[h] = i + 1
		}
	}
	for _, req := range required {
		if col[req] == 0 {
			fail(req, "colonne obligatoire absente")
		}
	}
	return col
}

// Cell is the trimmed cell of column c in rec, or "" when the column is
// absent or the line shorter.
func Cell(rec []string, col map[string]int, c string) string {
	if i := col[c]; i != 0 && i <= len(rec) {
		return strings.TrimSpace(rec[i-1])
	}
	return ""
}
