package pdf

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	extract "github.com/ledongthuc/pdf"

	"voisines/internal/agreement"
	"voisines/internal/civil"
	"voisines/internal/money"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// TestConventionText checks the text a reader extracts from the PDF of an
// entente and of a secondment: the golden file holds the whole text, and
// the assertions name what the law requires it to contain.
func TestConventionText(t *testing.T) {
	tests := []struct {
		name     string
		a        agreement.Agreement
		ref      string
		contains []string
	}{
		{
			name: "entente", a: entente(), ref: "ENT-2026-004",
			contains: []string{
				"ENTENTE INTERCOMMUNALE",
				"Vu le code général des collectivités territoriales, notamment son article L5221-1 ;",
				"Vu le code général des collectivités territoriales, notamment son article L5221-2 ;",
				"Vu la délibération n° 2026-045 du conseil municipal de la commune de Rodez en date du 20 mai 2026 ;",
				"la commune de Rodez (SIREN 211202023), représentée par Claire Martin, maire, agissant en vertu de la délibération n° 2026-045 du 20 mai 2026, ci-après « Commune support »",
				"la commune d'Onet-le-Château (SIREN 211201769)", "la commune d'Olemps (SIREN 211201744)",
				"Article 1 — Objet", "Durée", "Conditions financières", "Modalités de contrôle", "Résiliation", "Litiges",
				"12 500,00 € par an", // money.Cents.String's narrow no-break space survives as a space
				"Fait à Rodez, le 1er juin 2026", "Pour la commune d'Olemps,", "Anne Roux, Maire",
			},
		},
		{
			name: "secondment", a: secondment(), ref: "MAD-2026-011",
			contains: []string{
				"MISE À DISPOSITION DE PERSONNEL",
				"Vu le code général de la fonction publique, notamment ses articles L512-6 à L512-15 ;",
				"Vu le décret n° 2008-580 du 18 juin 2008",
				"Vu l'accord écrit de l'agent en date du 12 mai 2026 ;",
				"la commune d'Onet-le-Château (SIREN 211201769), représentée par Paul Bernard, maire, ci-après « Administration d'origine »",
				"la commune de Rodez (SIREN 211202023), représentée par Claire Martin, maire, ci-après « Organisme d'accueil »",
				"mise à disposition de Julien Lacan (adjoint technique principal de 2e classe, fonctionnaire titulaire)",
				"pour une quotité de 30 % (30/100) de son temps de travail",
				"Article 1 — Objet", "Litiges", "moyennant un préavis de 2 mois",
				"Fait à Onet-le-Château, le 1er juin 2026",
			},
		},
	}
	for _, tt := range tests {
		t.Run("the "+tt.name+" document holds its parties, legal basis and mandatory clauses", func(t *testing.T) {
			if vs := agreement.Blockers(agreement.Validate(tt.a, asOf)); len(vs) > 0 {
				t.Fatalf("fixture breaks the law: %v", vs)
			}
			var buf bytes.Buffer
			if err := Convention(&buf, tt.a, Options{Reference: tt.ref, GeneratedOn: generated}); err != nil {
				t.Fatalf("Convention: %v", err)
			}
			keep(t, tt.name+".pdf", buf.Bytes())
			text := extractText(t, buf.Bytes())
			golden(t, tt.name+".txt", text)

			flat := flatten(text)
			spec, _ := agreement.Lookup(tt.a.Kind)
			want := append([]string{"Convention n° " + tt.ref, "Page 1/", tt.a.Title}, tt.contains...)
			for _, r := range spec.Basis {
				want = append(want, r.Article)
			}
			for _, p := range tt.a.Parties {
				want = append(want, p.Name, p.SIREN, p.Representative.Name)
			}
			for _, c := range agreement.RequiredClauses(tt.a) {
				want = append(want, c.Title) // mandatory and usual alike
			}
			for _, w := range want {
				if !strings.Contains(flat, flatten(w)) {
					t.Errorf("extracted text lacks %q", w)
				}
			}
			if strings.Contains(flat, "Clause à rédiger") {
				t.Errorf("a signed convention shows a clause still to write")
			}
		})
	}
}

// TestAvenantText checks the avenant's extracted text: its number, the
// convention it amends, and each change with its previous and new value.
func TestAvenantText(t *testing.T) {
	a := amendedSecondment(t)
	var buf bytes.Buffer
	if err := Avenant(&buf, a, 1, Options{Reference: "MAD-2026-011", GeneratedOn: generated}); err != nil {
		t.Fatalf("Avenant: %v", err)
	}
	keep(t, "secondment-avenant-1.pdf", buf.Bytes())
	text := extractText(t, buf.Bytes())
	golden(t, "secondment-avenant-1.txt", text)
	flat := flatten(text)
	for _, w := range []string{
		"Avenant n° 1", "à la convention n° MAD-2026-011 « Mise à disposition d'un agent du service des sports »",
		"Vu la convention n° MAD-2026-011", "signée le 1er juin 2026",
		"Vu l'accord écrit de l'agent en date du 1er septembre 2026 ;",
		"Exposé des motifs", "L'ouverture de l'école municipale des sports",
		"Mise à disposition de l'agent — quotité de travail",
		"Valeur antérieure : 30 % (30/100) Nouvelle valeur : 50 % (50/100)",
		"Article « Nature des activités exercées » — rédaction",
		"Nouvelle rédaction : L'agent assure l'entretien des équipements sportifs de plein air de la commune d'accueil et participe à l'organisation des manifestations sportives. Il assure en outre",
		"Le présent avenant prend effet le 15 septembre 2026.",
		"Fait à Rodez, le 15 septembre 2026",
	} {
		if !strings.Contains(flat, flatten(w)) {
			t.Errorf("extracted text lacks %q", w)
		}
	}
}

func TestAvenantRefusesAMissingNumber(t *testing.T) {
	a := amendedSecondment(t)
	for _, n := range []int{0, 2, -1} {
		if err := Avenant(&bytes.Buffer{}, a, n, Options{}); !errors.Is(err, ErrNoAmendment) {
			t.Errorf("Avenant(%d): got %v, want ErrNoAmendment", n, err)
		}
	}
	if err := Convention(&bytes.Buffer{}, agreement.Agreement{Kind: "inconnue"}, Options{}); err == nil {
		t.Errorf("Convention of an unknown kind: got nil error, want one")
	}
}

// TestEveryKindHasTheStandardArticles builds, for each kind, a draft with
// one party per role and no written clause, and checks that its document
// has every clause of its kind, the six standard articles, and renders.
func TestEveryKindHasTheStandardArticles(t *testing.T) {
	for _, spec := range agreement.Catalogue() {
		t.Run(spec.Label, func(t *testing.T) {
			a := draftOf(spec)
			d := conventionDocument(a, spec, Options{Reference: "T-1", GeneratedOn: generated}.withDefaults(a))
			var titles []string
			for i, ar := range d.articles {
				if want := fmt.Sprintf("Article %d — ", i+1); !strings.HasPrefix(ar.title, want) {
					t.Errorf("article %d is titled %q, want the prefix %q", i+1, ar.title, want)
				}
				if len(ar.blocks) == 0 {
					t.Errorf("%s is empty", ar.title)
				}
				titles = append(titles, ar.title)
			}
			all := strings.Join(titles, "\n")
			for _, c := range agreement.RequiredClauses(a) {
				if !strings.Contains(all, c.Title) {
					t.Errorf("no article %q among %q", c.Title, titles)
				}
			}
			groups := map[string][]agreement.ClauseID{
				"objet": objectClauses, "durée": termClauses, "conditions financières": financeClauses,
				"contrôle": {agreement.ClauseControle}, "résiliation": endClauses, "litiges": {agreement.ClauseLitiges},
			}
			for name, ids := range groups {
				found := false
				for _, ar := range d.articles {
					for _, id := range ids {
						if strings.HasSuffix(ar.title, "— "+titleIn(a, spec, id)) {
							found = true
						}
					}
				}
				if !found {
					t.Errorf("no article stands for %s among %q", name, titles)
				}
			}
			if !strings.Contains(strings.Join(d.notes, " "), "Projet") {
				t.Errorf("a draft is not marked as a project: notes %q", d.notes)
			}
			var buf bytes.Buffer
			if err := Convention(&buf, a, Options{GeneratedOn: generated}); err != nil {
				t.Fatalf("Convention: %v", err)
			}
			if !bytes.HasPrefix(buf.Bytes(), []byte("%PDF-")) {
				t.Errorf("output does not start with %%PDF-")
			}
		})
	}
}

// titleIn returns the title the document gives clause id: the kind's, or
// the standard one it adds.
func titleIn(a agreement.Agreement, spec agreement.Spec, id agreement.ClauseID) string {
	for _, c := range agreement.RequiredClauses(a) {
		if c.ID == id {
			return c.Title
		}
	}
	switch id {
	case agreement.ClauseObjet:
		return "Objet"
	case agreement.ClauseDuree:
		return "Durée"
	case agreement.ClauseFinancier:
		return "Conditions financières"
	case agreement.ClauseControle:
		return "Modalités de contrôle"
	case agreement.ClauseResiliation:
		return "Résiliation"
	case agreement.ClauseLitiges:
		return "Litiges"
	}
	return "\x00" // matches nothing
}

// draftOf returns a draft of the kind with one party per role (two for a
// role that needs two), of the first kind of organisation the role admits.
func draftOf(spec agreement.Spec) agreement.Agreement {
	var parties []agreement.Party
	id := int64(1)
	for _, rs := range spec.Roles {
		for n := 0; n < max(rs.Min, 1); n++ {
			parties = append(parties, agreement.Party{OrgID: id, Kind: rs.OrgKinds[0], Role: rs.Role,
				Name: fmt.Sprintf("Partie %d", id), Representative: agreement.Representative{Title: "Maire"}})
			id++
		}
	}
	a := agreement.New(spec.Kind, agreement.Content{
		Title:     "Essai " + spec.Label,
		Parties:   parties,
		Term:      agreement.Term{Start: civil.MustParse("2026-07-01"), DurationMonths: 12},
		Financial: agreement.Financial{Mode: spec.FinancialModes[0]},
	})
	a.Event.Ticketing = true // adds the L1611-7-1 clause to an event
	return a
}

func TestDraftShowsBlanksToFill(t *testing.T) {
	a := entente()
	a.Approvals, a.Signatures, a.Status = nil, nil, agreement.Draft
	a.Clauses = a.Clauses[:1]
	var buf bytes.Buffer
	if err := Convention(&buf, a, Options{Reference: "ENT-2026-005", GeneratedOn: generated}); err != nil {
		t.Fatalf("Convention: %v", err)
	}
	flat := flatten(extractText(t, buf.Bytes()))
	for _, w := range []string{
		"Projet soumis à l'approbation des parties",
		"agissant en vertu de la délibération n° " + blankWord + " du " + blankWord,
		"Article 2 — Répartition des frais communs Clause à rédiger par les parties.",
		// the law's default for the conférence (L5221-2)
		"chaque conseil est représenté, à défaut d'autre stipulation, par trois membres",
		"Fait à Rodez, le ……………………",
	} {
		if !strings.Contains(flat, flatten(w)) {
			t.Errorf("extracted text lacks %q", w)
		}
	}
}

func TestPrintable(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Œuvre, cœur, « été », 12 €, l’agent…", "Œuvre, cœur, «\u00a0été\u00a0», 12\u00a0€, l’agent…"},
		{money.Cents(1250000).String(), "12\u00a0500,00\u00a0€"},
		{"30 %", "30\u00a0%"},
		{"ancien → nouveau", "ancien -> nouveau"},
		{"Łódź et Ålesund", "?ódz et Ålesund"}, // ó is in Windows-1252, Ł is not
		{"a\tb\x00c\u0085d", "a bcd"},
		{"ligne\nsuivante", "ligne\nsuivante"},
		{"emoji 🙂", "emoji\u00a0?"},
	}
	for _, tt := range tests {
		if got := printable(tt.in); got != tt.want {
			t.Errorf("printable(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFrenchNames(t *testing.T) {
	tests := []struct {
		p    agreement.Party
		want string
	}{
		{agreement.Party{Kind: agreement.Commune, Name: "Rodez"}, "la commune de Rodez"},
		{agreement.Party{Kind: agreement.Commune, Name: "Olemps"}, "la commune d'Olemps"},
		{agreement.Party{Kind: agreement.Commune, Name: "Le Monastère"}, "la commune du Monastère"},
		{agreement.Party{Kind: agreement.Commune, Name: "Les Costes-Gozon"}, "la commune des Costes-Gozon"},
		{agreement.Party{Kind: agreement.Commune, Name: "Écoyeux"}, "la commune d'Écoyeux"},
		{agreement.Party{Kind: agreement.Departement, Name: "Département de l'Aveyron"}, "le Département de l'Aveyron"},
		{agreement.Party{Kind: agreement.EPCI, Name: "CA Rodez Agglomération"}, "la CA Rodez Agglomération"},
		{agreement.Party{Kind: agreement.EPARattache, Name: "CCAS de Rodez"}, "le CCAS de Rodez"},
		{agreement.Party{Kind: agreement.Association, Name: "Association sportive"}, "l'Association sportive"},
		{agreement.Party{Kind: agreement.OrganismePrive, Name: "Sarl Dupont"}, "Sarl Dupont"},
	}
	for _, tt := range tests {
		if got := designation(tt.p); got != tt.want {
			t.Errorf("designation(%q) = %q, want %q", tt.p.Name, got, tt.want)
		}
	}
	if got, want := visa(agreement.Reference{Code: "Code de l'éducation", Article: "L212-8"}), "Vu le code de l'éducation, notamment son article L212-8 ;"; got != want {
		t.Errorf("visa = %q, want %q", got, want)
	}
}

// extractText returns the text of each page of a PDF as a reader extracts
// it, a line per line of text, pages separated by a marker line. No-break
// spaces become spaces.
func extractText(t *testing.T, b []byte) string {
	t.Helper()
	r, err := extract.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("read PDF: %v", err)
	}
	var out strings.Builder
	for i := 1; i <= r.NumPage(); i++ {
		if i > 1 {
			fmt.Fprintf(&out, "=== page %d ===\n", i)
		}
		var line strings.Builder
		lastY, lastEnd := math.NaN(), 0.0
		flush := func() {
			if s := strings.TrimRight(line.String(), " "); s != "" {
				out.WriteString(s + "\n")
			}
			line.Reset()
		}
		for _, tx := range r.Page(i).Content().Text {
			if tx.Y != lastY {
				flush()
			} else if tx.X > lastEnd+2 && !strings.HasSuffix(line.String(), " ") {
				line.WriteString(" ") // a second column on the same line
			}
			line.WriteString(strings.ReplaceAll(tx.S, "\u00a0", " "))
			lastY, lastEnd = tx.Y, tx.X+tx.W
		}
		flush()
	}
	return out.String()
}

// flatten joins lines and collapses spaces, so that a phrase is found
// whatever the line breaks.
func flatten(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\u00a0", " ")), " ")
}

// keep writes a generated PDF to the directory $VOISINES_PDF_OUT, if set,
// so that a person can look at it (pdftoppm -png -r 80 file.pdf page).
func keep(t *testing.T, name string, b []byte) {
	t.Helper()
	if dir := os.Getenv("VOISINES_PDF_OUT"); dir != "" {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run go test -update to create it): %v", err)
	}
	if got != string(want) {
		t.Errorf("extracted text differs from %s (run go test -update after checking the PDF):\n%s", path, lineDiff(string(want), got))
	}
}

// lineDiff returns the first differing lines of want and got.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < max(len(w), len(g)); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return fmt.Sprintf("line %d:\n got  %q\n want %q", i+1, gl, wl)
		}
	}
	return "(same lines)"
}
