// Package csvin reads spreadsheets of outside input: CSV files a clerk saved
// from a spreadsheet, separated by commas or semicolons, with a header line
// naming the columns. It holds only what the imports read the same way; each
// import keeps its own rules, messages and limits.
package csvin

import (
	"bytes"
	"encoding/csv"
	"slices"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// UTF8 returns body less its byte order mark, as UTF-8: spreadsheet
// software on French Windows saves "CSV" in Windows-1252, decoded here. It
// reports false when body is neither.
func UTF8(body []byte) ([]byte, bool) {
	body = bytes.TrimPrefix(body, []byte("\xef\xbb\xbf"))
	if utf8.Valid(body) {
		return body, true
	}
	decoded, err := charmap.Windows1252.NewDecoder().Bytes(body)
	return decoded, err == nil
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
