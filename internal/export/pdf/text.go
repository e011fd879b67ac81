package pdf

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// The core PDF fonts are encoded in Windows-1252 (WinAnsiEncoding), which
// covers French: accents, « », €, œ, ’, …. cp1252Extra are the characters
// of that code page outside Latin-1.
const cp1252Extra = "€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ"

// substitutes replace characters outside Windows-1252 that French text
// commonly holds. Narrow and thin spaces become the no-break space, which
// the core fonts have and fpdf never breaks a line on.
var substitutes = map[rune]string{
	'\u202f': "\u00a0", // narrow no-break space (money.Cents.String)
	'\u2009': "\u00a0", // thin space
	'\u2007': "\u00a0", // figure space
	'\u2008': "\u00a0",
	'\u200a': "\u00a0",
	'\u2002': " ",
	'\u2003': " ",
	'\u2010': "-",
	'\u2011': "-", // non-breaking hyphen
	'\u2012': "–",
	'\u2212': "-", // minus sign
	'\u2032': "'",
	'\u2192': "->",
	'\u2264': "<=",
	'\u2265': ">=",
	'\u2260': "!=",
	'\u2248': "~",
	'\u2713': "oui", // check marks
	'\u2714': "oui",
	'\t':     " ",
}

// printable returns s with every character the core fonts cannot show
// replaced: a known substitute, the letter without its diacritic, or "?".
// Control characters other than the newline are dropped. It also puts a
// no-break space where French typography wants one (before « : ; ? ! % € »
// and after «), so that a line never starts with a lone sign.
func printable(s string) string {
	var b strings.Builder
	for _, r := range s {
		if sub, ok := substitutes[r]; ok {
			b.WriteString(sub)
			continue
		}
		switch {
		case r == '\n':
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			// control characters carry nothing to print
		case r < 0x80 || (r >= 0xa0 && r <= 0xff) || strings.ContainsRune(cp1252Extra, r):
			b.WriteRune(r)
		default:
			b.WriteString(stripMarks(r))
		}
	}
	return frenchSpacing(b.String())
}

// stripMarks returns r's base letter when r decomposes into a Latin letter
// and marks ("ő" → "o"), and "?" otherwise.
func stripMarks(r rune) string {
	for _, d := range norm.NFD.String(string(r)) {
		if d < 0x80 && !unicode.IsControl(d) {
			return string(d)
		}
	}
	return "?"
}

var frenchSpacer = strings.NewReplacer(
	" :", "\u00a0:", " ;", "\u00a0;", " ?", "\u00a0?", " !", "\u00a0!",
	" %", "\u00a0%", " €", "\u00a0€", " »", "\u00a0»", "« ", "«\u00a0",
)

func frenchSpacing(s string) string { return frenchSpacer.Replace(s) }
