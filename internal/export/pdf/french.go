package pdf

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"voisines/internal/agreement"
	"voisines/internal/civil"
)

// visa returns the "Vu" line of a legal reference: "Vu le code général des
// collectivités territoriales, notamment son article L5221-1 ;".
func visa(r agreement.Reference) string {
	name := lowerFirst(r.CodeName())
	if full, ok := decreeTitles[r.Code]; ok {
		name = full
	}
	s := "Vu " + definite(name)
	switch {
	case r.Article == "":
	case strings.Contains(r.Article, " à ") || strings.Contains(r.Article, " et "):
		s += ", notamment ses articles " + r.Article
	default:
		s += ", notamment son article " + r.Article
	}
	return s + " ;"
}

// decreeTitles are the full titles of the decrees the catalogue cites.
var decreeTitles = map[string]string{
	"Décret n° 2008-580": "décret n° 2008-580 du 18 juin 2008 relatif au régime de la mise à disposition applicable aux collectivités territoriales et aux établissements publics administratifs locaux",
}

// definite puts the definite article before a masculine noun phrase, with
// elision: "le code…", "l'arrêté…".
func definite(noun string) string {
	if startsWithVowel(noun) {
		return "l'" + noun
	}
	return "le " + noun
}

// approvalVisa returns the "Vu" line of an approval: "Vu la délibération
// n° 2026-045 du conseil municipal de la commune de Rodez en date du 20 mai
// 2026 ;". It returns "" for an act that is no visa of the convention (the
// ratification of a conférence decision).
func approvalVisa(ap agreement.Approval, party agreement.Party) string {
	num := ""
	if ap.Number != "" {
		num = " n° " + ap.Number
	}
	body := ap.Body
	if body == "" {
		body = agreement.DefaultBody(party.Kind, ap.Kind)
	}
	body = lowerFirst(body)
	var act string
	switch ap.Kind {
	case agreement.Deliberation:
		act = "la délibération" + num + " du " + body + " " + of(party)
	case agreement.CouncilInformation:
		act = "l'information préalable du " + body + " " + of(party)
	case agreement.AgentConsent:
		act = "l'accord écrit de l'agent"
	case agreement.CSTOpinion:
		opinion := "l'avis"
		if ap.Unfavourable {
			opinion = "l'avis défavorable"
		}
		act = opinion + " du " + body
	case agreement.Arrete:
		act = "l'arrêté" + num + " du " + body + " " + of(party)
	case agreement.PrefectOrder:
		act = "l'arrêté préfectoral" + num
	case agreement.AccountantApproval:
		act = "l'avis conforme du comptable public " + of(party)
	default:
		return ""
	}
	return "Vu " + act + " en date du " + ap.Date.French() + " ;"
}

// of returns "de la commune de Rodez", "du Département de l'Aveyron".
func of(p agreement.Party) string {
	if p.Kind == agreement.Commune {
		return "de la commune " + deName(p.Name)
	}
	switch articleOf(p.Name) {
	case "le":
		return "du " + p.Name
	case "la":
		return "de la " + p.Name
	case "l'":
		return "de l'" + p.Name
	}
	return deName(p.Name)
}

// designation names a party as the opening of a convention does: "la
// commune de Rodez", "le Département de l'Aveyron", or the bare name.
func designation(p agreement.Party) string {
	if p.Kind == agreement.Commune {
		return "la commune " + deName(p.Name)
	}
	switch a := articleOf(p.Name); a {
	case "l'":
		return a + p.Name
	case "":
		return p.Name
	default:
		return a + " " + p.Name
	}
}

// noun is the article and gender of a common noun that opens an
// organisation's name, so that "CCAS de Rodez" reads "le CCAS de Rodez".
type noun struct {
	article  string
	feminine bool
}

var nounArticles = map[string]noun{
	"département": {"le", false}, "région": {"la", true}, "ca": {"la", true}, "cc": {"la", true},
	"cu": {"la", true}, "communauté": {"la", true}, "métropole": {"la", true},
	"syndicat": {"le", false}, "sivu": {"le", false}, "sivom": {"le", false},
	"ccas": {"le", false}, "cias": {"le", false}, "caisse": {"la", true},
	"commission": {"la", true}, "comité": {"le", false}, "association": {"l'", true},
	"établissement": {"l'", false}, "office": {"l'", false}, "pôle": {"le", false},
	"petr": {"le", false}, "conseil": {"le", false}, "centre": {"le", false},
	"groupement": {"le", false},
}

// nounOf returns the article and gender of an organisation's name; ok is
// false for a proper name that takes no article.
func nounOf(name string) (noun, bool) {
	first, _, _ := strings.Cut(name, " ")
	n, ok := nounArticles[strings.ToLower(first)]
	return n, ok
}

// articleOf returns the definite article of an organisation's name, or "" for
// a proper name that takes none.
func articleOf(name string) string {
	n, _ := nounOf(name)
	return n.article
}

// deName puts "de" before a name with French contraction and elision:
// "de Rodez", "d'Olemps", "du Monastère", "des Costes-Gozon".
func deName(name string) string {
	switch {
	case strings.HasPrefix(name, "Le "):
		return "du " + name[len("Le "):]
	case strings.HasPrefix(name, "Les "):
		return "des " + name[len("Les "):]
	case startsWithVowel(name):
		return "d'" + name
	}
	return "de " + name
}

func startsWithVowel(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return strings.ContainsRune("aeiouyàâéèêëîïôûùAEIOUYÀÂÉÈÊËÎÏÔÛÙ", r)
}

func lowerFirst(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError || s == "" {
		return s
	}
	// Keep acronyms and proper nouns ("CGCT", "Département …") as they are:
	// only lower a capital followed by a lower-case letter of a common noun.
	if r2, _ := utf8.DecodeRuneInString(s[size:]); unicode.IsUpper(r2) {
		return s
	}
	return string(unicode.ToLower(r)) + s[size:]
}

func upperFirst(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	if s == "" {
		return s
	}
	return string(unicode.ToUpper(r)) + s[size:]
}

// sentence ends s with a full stop unless it already ends with a mark.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	if strings.ContainsRune(".!?…:;", rune(s[len(s)-1])) || strings.HasSuffix(s, "…") {
		return s
	}
	return s + "."
}

// period returns how often something recurs every n months: "chaque
// trimestre", "tous les 4 mois".
func period(n int) string {
	switch n {
	case 1:
		return "chaque mois"
	case 3:
		return "chaque trimestre"
	case 6:
		return "chaque semestre"
	case 12:
		return "chaque année"
	}
	return "tous les " + months(n)
}

// months returns "3 mois", "un mois".
func months(n int) string {
	if n == 1 {
		return "un mois"
	}
	return strconv.Itoa(n) + " mois"
}

// number formats n with French digit grouping: "8 500".
func number(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteRune('\u00a0')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// quotite returns "30 % (30/100)".
func quotite(f agreement.Fraction) string {
	if !f.Valid() {
		return f.String()
	}
	return fmt.Sprintf("%s (%s)", f.Percent(), f)
}

// dateOr returns d in French, or a blank to fill by hand.
func dateOr(d civil.Date) string {
	if d.IsZero() {
		return blankLine
	}
	return d.French()
}

// blankLine is the dotted space a person fills in on the printed document;
// blankWord is a shorter one, inside a justified sentence.
const (
	blankLine = "……………………"
	blankWord = "……………"
)

// agentStatus returns the French name of a seconded agent's status.
func agentStatus(s agreement.AgentStatus) string {
	switch s {
	case agreement.Titulaire:
		return "fonctionnaire titulaire"
	case agreement.CDI:
		return "agent contractuel en contrat à durée indéterminée"
	case agreement.CDD:
		return "agent contractuel en contrat à durée déterminée"
	}
	return string(s)
}

// list joins items in French: "A", "A et B", "A, B et C".
func list(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " et " + items[len(items)-1]
}
