package purchasing

import (
	"fmt"
	"slices"
	"strings"

	"voisines/internal/validate"
)

// cpvDivisions are the 45 divisions (first two digits) of the main
// vocabulary of the CPV 2008 (Commission Regulation (EC) No 213/2008):
// 03 to 44 and 48 are supplies, 45 works, 50 to 98 services.
var cpvDivisions = []string{
	"03", "09", "14", "15", "16", "18", "19", "22", "24", "30", "31", "32", "33", "34", "35", "37", "38", "39",
	"41", "42", "43", "44", "45", "48", "50", "51", "55", "60", "63", "64", "65", "66", "70", "71", "72", "73",
	"75", "76", "77", "79", "80", "85", "90", "92", "98",
}

// NormalizeCPV checks a CPV code and returns it as written in notices:
// "39830000-9", or the eight digits alone when the check digit is left out.
//
// The format is eight digits, a hyphen and one digit, the eight digits
// beginning with a division of the CPV 2008. The ninth digit is kept as
// typed but not verified: the rule the CPV documentation gives for it does
// not reproduce the published codes, as the EU Publications Office itself
// acknowledged (github.com/OP-TED/ePO discussion 589), and no rule we could
// fit matches the published list either; refusing a genuine code would be
// worse than accepting a mistyped check digit.
//
// nature, when set, must agree with the division: works are in division 45
// and division 45 is only works (the thresholds of works are 25 times those
// of supplies and services, so the two must not be confused).
func NormalizeCPV(s string, nature Nature) (string, error) {
	code := strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\u00a0', '\u202f', '.':
			return -1
		case '‐', '‑', '–', '—':
			return '-'
		}
		return r
	}, strings.TrimSpace(s))
	bad := func(format string, args ...any) (string, error) {
		return "", validate.FieldError{Field: "cpv", Message: fmt.Sprintf(format, args...)}
	}
	if code == "" {
		return bad("le code CPV est obligatoire (par exemple 39830000-9)")
	}
	digits, check, hasCheck := strings.Cut(code, "-")
	if len(digits) != 8 || strings.Trim(digits, "0123456789") != "" || (hasCheck && (len(check) != 1 || check[0] < '0' || check[0] > '9')) {
		return bad("%s n'est pas un code CPV : huit chiffres, un tiret et un chiffre de contrôle (39830000-9)", validate.Quote(s))
	}
	if !slices.Contains(cpvDivisions, digits[:2]) {
		return bad("%s ne commence pas par une division du CPV (03, 09, 14… 45 pour les travaux… 98)", validate.Quote(s))
	}
	if nature != "" {
		works := digits[:2] == "45"
		switch {
		case works && nature != Works:
			return bad("le code CPV %s désigne des travaux (division 45) : le lot est de nature « travaux »", code)
		case !works && nature == Works:
			return bad("le code CPV %s ne désigne pas des travaux (division 45) : choisissez un code de la division 45 ou une autre nature", code)
		}
	}
	return code, nil
}
