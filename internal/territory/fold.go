package territory

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// foldTable maps the accented Latin letters found in French place names (and
// a few more) to their plain lower-case ASCII spelling.
var foldTable = map[rune]string{
	'à': "a", 'á': "a", 'â': "a", 'ã': "a", 'ä': "a", 'å': "a", 'ā': "a", 'ă': "a", 'ą': "a",
	'æ': "ae", 'ç': "c", 'ć': "c", 'č': "c",
	'è': "e", 'é': "e", 'ê': "e", 'ë': "e", 'ē': "e", 'ĕ': "e", 'ė': "e", 'ę': "e", 'ě': "e",
	'ì': "i", 'í': "i", 'î': "i", 'ï': "i", 'ĩ': "i", 'ī': "i", 'į': "i", 'ı': "i",
	'ñ': "n", 'ń': "n", 'ň': "n",
	'ò': "o", 'ó': "o", 'ô': "o", 'õ': "o", 'ö': "o", 'ø': "o", 'ō': "o", 'ő': "o",
	'œ': "oe", 'ß': "ss",
	'ù': "u", 'ú': "u", 'û': "u", 'ü': "u", 'ũ': "u", 'ū': "u", 'ů': "u", 'ű': "u",
	'ý': "y", 'ÿ': "y", 'ž': "z", 'ź': "z", 'ż': "z", 'š': "s", 'ś': "s", 'ł': "l", 'ř': "r", 'ď': "d", 'ť': "t",
}

// Fold returns s the way communes are searched: lower case, accents removed,
// every run of other characters (hyphens, apostrophes, spaces) turned into one
// space, trimmed. "L'Haÿ-les-Roses" becomes "l hay les roses".
func Fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	pending := false // a separator is due before the next letter
	emit := func(str string, c byte) {
		if pending {
			b.WriteByte(' ')
			pending = false
		}
		if str != "" {
			b.WriteString(str)
		} else {
			b.WriteByte(c)
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case c >= 'a' && c <= 'z' || c >= '0' && c <= '9':
				emit("", c)
			case c >= 'A' && c <= 'Z':
				emit("", c+('a'-'A'))
			default:
				pending = b.Len() > 0
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		lr := unicode.ToLower(r)
		switch f, ok := foldTable[lr]; {
		case ok:
			emit(f, 0)
		case unicode.IsLetter(lr) || unicode.IsDigit(lr):
			emit(string(lr), 0)
		default:
			pending = b.Len() > 0
		}
	}
	return b.String()
}
