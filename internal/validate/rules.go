package validate

import (
	"fmt"
	"net/mail"
	"net/url"
	"strings"
	"unicode/utf8"
)

// Quote returns s between French quotation marks, shortened to 60 characters,
// the way every message here cites the value the user typed.
func Quote(s string) string {
	const max = 60
	if utf8.RuneCountInString(s) > max {
		r := []rune(s)
		s = string(r[:max]) + "…"
	}
	return "« " + s + " »"
}

// MaxLen returns a FieldError when s is longer than max characters.
func MaxLen(field, s string, max int) error {
	if n := utf8.RuneCountInString(s); n > max {
		return FieldError{field, fmt.Sprintf("ne doit pas dépasser %d caractères (il en compte %d)", max, n)}
	}
	return nil
}

// Email checks an e-mail address: one plain address (no display name), with
// a domain that has a dot, at most 254 characters.
func Email(field, s string) error {
	bad := FieldError{field, Quote(s) + " n'est pas une adresse électronique valide (exemple : mairie@rodez.fr)"}
	if len(s) > 254 || strings.ContainsAny(s, " \t\r\n<>") {
		return bad
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return bad
	}
	at := strings.LastIndexByte(s, '@')
	domain := s[at+1:]
	if at <= 0 || !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") {
		return bad
	}
	return nil
}

// Website checks the address of a web site and returns it normalised: an
// address typed without a scheme ("www.rodez.fr") gets "https://". Only http
// and https addresses of a named host are accepted.
func Website(field, s string) (string, error) {
	bad := FieldError{field, Quote(s) + " n'est pas une adresse de site web valide (exemple : https://www.rodez.fr)"}
	if len(s) > 500 || strings.ContainsAny(s, " \t\r\n\"<>") {
		return s, bad
	}
	norm := s
	if !strings.Contains(s, "://") {
		norm = "https://" + s
	}
	u, err := url.Parse(norm)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.User != nil {
		return s, bad
	}
	host := u.Hostname()
	if host == "" || !strings.Contains(host, ".") || strings.HasPrefix(host, ".") || strings.HasSuffix(host, ".") {
		return s, bad
	}
	return norm, nil
}

// Phone checks a telephone number as people write it: either a French
// number of 10 digits starting with 0 ("05 65 77 88 00", "05.65.77.88.00"),
// or an international one starting with + or 00 followed by 8 to 15 digits
// ("+33 5 65 77 88 00"). Spaces, dots, hyphens and parentheses are ignored;
// the number is kept as typed.
func Phone(field, s string) error {
	bad := FieldError{field, Quote(s) + " n'est pas un numéro de téléphone valide (10 chiffres comme 05 65 77 88 00, ou au format international comme +33 5 65 77 88 00)"}
	var digits strings.Builder
	plus := false
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits.WriteRune(r)
		case r == '+' && i == 0:
			plus = true
		case r == ' ' || r == '.' || r == '-' || r == '(' || r == ')' || r == '\u00a0':
		default:
			return bad
		}
	}
	d := digits.String()
	if !plus && strings.HasPrefix(d, "00") {
		plus, d = true, d[2:]
	}
	switch {
	case plus && len(d) >= 8 && len(d) <= 15 && d[0] != '0':
		return nil
	case !plus && len(d) == 10 && d[0] == '0':
		return nil
	}
	return bad
}

// Luhn reports whether s is a non-empty string of ASCII digits whose Luhn
// check digit (the last one) is right. SIREN and SIRET numbers use it.
func Luhn(s string) bool {
	if s == "" {
		return false
	}
	sum := 0
	double := false
	for i := len(s) - 1; i >= 0; i-- {
		c := s[i]
		if c < '0' || c > '9' {
			return false
		}
		d := int(c - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}
