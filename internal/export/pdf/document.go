package pdf

import (
	"fmt"
	"slices"
	"strings"

	"voisines/internal/agreement"
)

// document is what a PDF says, before it is laid out: conventionDocument
// and avenantDocument build it, render lays it out.
type document struct {
	header     string   // running header of every page, with the reference
	kicker     string   // the kind's label, in capitals
	heading    string   // "Convention n° ENT-2026-004"
	title      string   // the convention's title
	notes      []string // "Projet — document non signé", version
	visas      []string
	parties    []string
	preamble   []block
	articles   []article
	closing    []string
	signatures []signature
}

type article struct {
	title  string
	blocks []block
}

type blockKind int

const (
	plain   blockKind = iota
	bullet            // an item of a list
	label             // a bold lead-in line: "Nouvelle rédaction :"
	quoted            // an indented quotation of a wording
	caption           // a small italic lead-in: "Rédaction antérieure :"
	pending           // a clause the parties have yet to write, in italics
)

type block struct {
	kind blockKind
	text string
}

func para(format string, args ...any) block {
	return block{kind: plain, text: fmt.Sprintf(format, args...)}
}

// signature is one signatory's block at the end of a document.
type signature struct {
	party string // "Pour la commune de Rodez"
	place string
	date  string
	name  string // signatory and title
}

// conventionDocument builds the convention as it stands after its last
// avenant.
func conventionDocument(a agreement.Agreement, spec agreement.Spec, o Options) document {
	d := document{
		header:  upperFirst(conventionLabel(o)) + " — " + spec.Label,
		kicker:  strings.ToUpper(spec.Label),
		heading: upperFirst(conventionLabel(o)),
		title:   a.Title,
	}
	if v := a.Version(); v > 0 {
		d.notes = append(d.notes, fmt.Sprintf("Version consolidée intégrant les modifications de l'avenant n° %d du %s", v, a.Amendments[v-1].Date.French()))
	}
	if a.SignedOn().IsZero() {
		d.notes = append(d.notes, "Projet soumis à l'approbation des parties — document non signé")
	}
	d.visas = legalVisas(a, spec)
	for _, ap := range a.Approvals {
		if v := visaOfApproval(a, ap); v != "" {
			d.visas = append(d.visas, v)
		}
	}
	for _, am := range a.Amendments {
		d.visas = append(d.visas, fmt.Sprintf("Vu l'avenant n° %d en date du %s ;", am.Number, am.Date.French()))
	}
	d.parties = partyLines(a, a.Content, spec)
	d.preamble = []block{para("Il est convenu ce qui suit :")}
	d.articles = conventionArticles(a, spec)
	signers := signatories(a.Content, spec)
	if n := len(signers); n > 1 {
		d.closing = append(d.closing, fmt.Sprintf("Fait en %d exemplaires originaux, un pour chaque signataire.", n))
	}
	d.signatures = signatureBlocks(a, signers, true)
	return d
}

// legalVisas returns a "Vu" line for each article the kind rests on, and
// for the articles the convention's own terms add (L1611-7-1 when an
// event's ticketing is entrusted).
func legalVisas(a agreement.Agreement, spec agreement.Spec) []string {
	var out []string
	refs := slices.Clone(spec.Basis)
	for _, c := range agreement.RequiredClauses(a) {
		if c.Basis.Code != "" && !slices.Contains(refs, c.Basis) && !slices.ContainsFunc(spec.Clauses, func(s agreement.ClauseSpec) bool { return s.ID == c.ID }) {
			refs = append(refs, c.Basis)
		}
	}
	for _, r := range refs {
		out = append(out, visa(r))
	}
	return out
}

func visaOfApproval(a agreement.Agreement, ap agreement.Approval) string {
	if ap.Date.IsZero() || (ap.Unfavourable && ap.Kind != agreement.CSTOpinion) || ap.Decision != "" {
		return ""
	}
	p, _ := a.Party(ap.OrgID)
	return approvalVisa(ap, p)
}

// partyLines returns the opening paragraph of each party: who it is, who
// represents it and under which act, and the name the convention gives it.
func partyLines(a agreement.Agreement, c agreement.Content, spec agreement.Spec) []string {
	out := make([]string, 0, len(c.Parties))
	for i, p := range c.Parties {
		var b strings.Builder
		b.WriteString(designation(p))
		switch {
		case p.SIREN != "":
			fmt.Fprintf(&b, " (SIREN %s)", p.SIREN)
		case p.CommuneCode != "":
			fmt.Fprintf(&b, " (code INSEE %s)", p.CommuneCode)
		}
		rep := p.Representative
		name := rep.Name
		if name == "" {
			name = blankWord
		}
		if rep.Title != "" {
			name += ", " + lowerFirst(rep.Title)
		}
		b.WriteString(representedBy(p) + name)
		if act := authority(a, p); act != "" {
			b.WriteString(", agissant en vertu " + act)
		}
		if rs, ok := spec.Role(p.Role); ok {
			fmt.Fprintf(&b, ", ci-après « %s »", rs.Label)
		}
		if i == len(c.Parties)-1 {
			b.WriteString(".")
		} else {
			b.WriteString(" ;")
		}
		out = append(out, b.String())
	}
	return out
}

// representedBy returns ", représentée par " with the agreement the party's
// designation wants, or ", en la personne de " for a bare proper name.
func representedBy(p agreement.Party) string {
	switch n, ok := nounOf(p.Name); {
	case p.Kind == agreement.Commune || (ok && n.feminine):
		return ", représentée par "
	case ok:
		return ", représenté par "
	}
	return ", en la personne de "
}

// authority returns the act empowering a party's representative, after
// "agissant en vertu": its stated authority, its recorded deliberation, or
// a blank to fill in when it must deliberate and has not yet.
func authority(a agreement.Agreement, p agreement.Party) string {
	if s := strings.TrimSpace(p.Representative.Authority); s != "" {
		switch {
		case startsWithVowel(s):
			return "de l'" + s
		case strings.HasPrefix(strings.ToLower(s), "délibération"), strings.HasPrefix(strings.ToLower(s), "décision"):
			return "de la " + s
		}
		return "de " + s
	}
	for _, ap := range a.Approvals {
		if ap.OrgID == p.OrgID && ap.Kind == agreement.Deliberation && !ap.Date.IsZero() && !ap.Unfavourable {
			num := ""
			if ap.Number != "" {
				num = " n° " + ap.Number
			}
			return "de la délibération" + num + " du " + ap.Date.French()
		}
	}
	for _, n := range agreement.RequiredApprovals(a) {
		if n.OrgID == p.OrgID && n.Kind == agreement.Deliberation {
			return "de la délibération n° " + blankWord + " du " + blankWord
		}
	}
	return ""
}

// signatories returns the parties that sign: those holding the kind's
// signatory roles, or every party.
func signatories(c agreement.Content, spec agreement.Spec) []agreement.Party {
	if len(spec.Signatories) == 0 {
		return c.Parties
	}
	var out []agreement.Party
	for _, p := range c.Parties {
		if slices.Contains(spec.Signatories, p.Role) {
			out = append(out, p)
		}
	}
	return out
}

// signatureBlocks returns one block per signatory, with the place (the
// commune's name, or a blank) and the date it signed when recorded.
func signatureBlocks(a agreement.Agreement, signers []agreement.Party, withDates bool) []signature {
	out := make([]signature, 0, len(signers))
	for _, p := range signers {
		s := signature{party: "Pour " + designation(p), place: blankLine, date: blankLine}
		if p.Kind == agreement.Commune {
			s.place = p.Name
		}
		name := p.Representative.Name
		if withDates {
			for _, sg := range a.Signatures {
				if sg.OrgID == p.OrgID {
					s.date = dateOr(sg.Date)
					if sg.Signatory != "" {
						name = sg.Signatory
					}
				}
			}
		}
		if name == "" {
			name = blankLine
		}
		if t := p.Representative.Title; t != "" {
			name += ", " + t
		}
		s.name = name
		out = append(out, s)
	}
	return out
}
