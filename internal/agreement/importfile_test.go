package agreement

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"

	"voisines/internal/civil"
	"voisines/internal/csvin"
)

// importResolver knows the organisations of the fixtures by INSEE code and
// SIREN, and counts its calls.
type importResolver struct {
	byCode map[string]Party
	calls  int
	fail   error
}

func newImportResolver() *importResolver {
	r := &importResolver{byCode: map[string]Party{}}
	for _, p := range []Party{rodez, onet, olemps, druelle, luc, millau, agglo, ccMillau} {
		if p.CommuneCode != "" {
			r.byCode[p.CommuneCode] = p
		}
		r.byCode[p.SIREN] = p
	}
	return r
}

func (r *importResolver) Party(_ context.Context, ref string) (Party, error) {
	r.calls++
	if r.fail != nil {
		return Party{}, r.fail
	}
	p, ok := r.byCode[ref]
	if !ok {
		return Party{}, fmt.Errorf("organisation %s: %w", ref, ErrUnknownParty)
	}
	return p, nil
}

// templateRow returns the cells of template example i (0: an entente, 1: a
// secondment), to change one column at a time.
func templateRow(i int) map[string]string { return maps.Clone(templateExamples[i]) }

// importPrestationRow is a draft prestation de services at a fixed price.
func importPrestationRow() map[string]string {
	return map[string]string{
		colReference: "PRE-2026-001", colKind: "Convention de prestation de services", colTitle: "Entretien des espaces verts",
		colLead: "211202023", colOthers: "12145:beneficiaire", colStart: "2027-01-01", colEnd: "2027-12-31",
		colMode: "forfait", colAmount: "12 500,00 €", colStatus: "brouillon",
		colObject: "Entretien des espaces verts de la commune bénéficiaire par les équipes de la commune prestataire.",
	}
}

// table returns the header and rows of an import file with the template's
// columns.
func importTable(rows ...map[string]string) [][]string {
	out := [][]string{slices.Clone(templateColumns)}
	for _, r := range rows {
		line := make([]string, len(templateColumns))
		for i, c := range templateColumns {
			line[i] = r[c]
		}
		out = append(out, line)
	}
	return out
}

func importCSV(t testing.TB, rows [][]string) []byte {
	t.Helper()
	var b bytes.Buffer
	b.WriteString("\ufeff")
	w := csv.NewWriter(&b)
	w.Comma = ';'
	if err := w.WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func importXLSX(t testing.TB, rows [][]string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, row := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		cells := make([]any, len(row))
		for j, v := range row {
			cells[j] = v
		}
		if err := f.SetSheetRow("Sheet1", cell, &cells); err != nil {
			t.Fatal(err)
		}
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func importFile(t testing.TB, format string, rows [][]string) []byte {
	if format == FormatXLSX {
		return importXLSX(t, rows)
	}
	return importCSV(t, rows)
}

func parseFile(t testing.TB, format string, data []byte) ([]ImportRow, csvin.Errors) {
	t.Helper()
	rows, err := ParseImport(context.Background(), bytes.NewReader(data), format, newImportResolver())
	if err == nil {
		return rows, nil
	}
	var ie csvin.Errors
	if !errors.As(err, &ie) {
		t.Fatalf("ParseImport: got %v, want csvin.Errors", err)
	}
	if rows != nil {
		t.Errorf("got %d rows along with errors, want none", len(rows))
	}
	return nil, ie
}

// fiveHundred returns 500 conventions: ententes, secondments and draft
// prestations in turn, each with its own reference.
func fiveHundredRows() []map[string]string {
	var out []map[string]string
	for i := range 500 {
		var r map[string]string
		switch i % 3 {
		case 0:
			r = templateRow(0)
		case 1:
			r = templateRow(1)
		default:
			r = importPrestationRow()
		}
		r[colReference] = fmt.Sprintf("CONV-2026-%04d", i+1)
		out = append(out, r)
	}
	return out
}

func TestFiveHundredRows(t *testing.T) {
	for _, format := range []string{FormatCSV, FormatXLSX} {
		t.Run(format+": a file with one bad line is refused whole, naming that line and column", func(t *testing.T) {
			rows := fiveHundredRows()
			rows[35][colStart] = "31/02/2026" // the 36th convention, on line 37
			got, errs := parseFile(t, format, importFile(t, format, importTable(rows...)))
			if got != nil {
				t.Fatalf("got %d rows, want none", len(got))
			}
			want := "ligne 37, colonne « date_debut » : « 31/02/2026 » n'est pas une date valide (AAAA-MM-JJ ou JJ/MM/AAAA)"
			if len(errs) != 1 || errs[0].Error() != want {
				t.Fatalf("got errors %q, want exactly %q", brief(errs), want)
			}
		})
		t.Run(format+": the fixed file parses into 500 rows", func(t *testing.T) {
			got, errs := parseFile(t, format, importFile(t, format, importTable(fiveHundredRows()...)))
			if errs != nil {
				t.Fatalf("got errors:\n%s", brief(errs))
			}
			if len(got) != 500 {
				t.Fatalf("got %d rows, want 500", len(got))
			}
			for i, r := range got {
				if r.Line != i+2 || r.Reference != fmt.Sprintf("CONV-2026-%04d", i+1) {
					t.Fatalf("row %d: got line %d reference %q, want line %d", i, r.Line, r.Reference, i+2)
				}
				if vs := Blockers(Validate(r.Agreement, civil.Today())); len(vs) > 0 {
					t.Fatalf("row %d breaks the law: %v", i, vs)
				}
			}
		})
	}
}

func TestImportBuildsTheConvention(t *testing.T) {
	got, errs := parseFile(t, FormatCSV, importCSV(t, importTable(templateRow(0), templateRow(1), importPrestationRow())))
	if errs != nil {
		t.Fatalf("got errors:\n%s", brief(errs))
	}
	ent, mad, pre := got[0].Agreement, got[1].Agreement, got[2].Agreement

	t.Run("an entente gets its parties, roles, term, clauses, approvals and signatures", func(t *testing.T) {
		if ent.Kind != Entente || ent.Title != "Gestion commune de la piscine intercommunale" {
			t.Errorf("got kind %q title %q", ent.Kind, ent.Title)
		}
		var parties []string
		for _, p := range ent.Parties {
			parties = append(parties, p.Name+":"+string(p.Role))
		}
		if want := []string{"Rodez:chef_de_file", "Onet-le-Château:membre", "Olemps:membre"}; !slices.Equal(parties, want) {
			t.Errorf("got parties %q, want %q", parties, want)
		}
		wantTerm := Term{Start: civil.MustParse("2026-01-01"), DurationMonths: 36, TacitRenewal: true, NoticeMonths: 6}
		if ent.Term != wantTerm {
			t.Errorf("got term %+v, want %+v", ent.Term, wantTerm)
		}
		if c, _ := ent.Clause(ClauseObjet); !strings.HasPrefix(c.Text, "Gestion, entretien") {
			t.Errorf("got objet %q", c.Text)
		}
		if c, _ := ent.Clause(ClauseCleRepartition); !strings.Contains(c.Text, "population DGF") {
			t.Errorf("got clé de répartition %q", c.Text)
		}
		if want := "Coût réel réparti selon une clé : 50 % selon la population DGF, 50 % selon les entrées des scolaires."; ent.Financial.Summary != want {
			t.Errorf("got summary %q, want %q", ent.Financial.Summary, want)
		}
		if len(ent.Approvals) != 3 || ent.Approvals[0] != (Approval{OrgID: rodez.OrgID, Kind: Deliberation, Body: "Conseil municipal", Number: "2025-112", Date: civil.MustParse("2025-11-20")}) {
			t.Errorf("got approvals %+v", ent.Approvals)
		}
		if len(ent.Signatures) != 3 || ent.SignedOn() != civil.MustParse("2025-12-15") {
			t.Errorf("got signatures %+v", ent.Signatures)
		}
		if ent.Status != InForce {
			t.Errorf("a convention signed and started has status %q, want %q", ent.Status, InForce)
		}
		if got[0].Notes == "" {
			t.Errorf("notes were lost")
		}
	})
	t.Run("a secondment gets its agent, quotité, activities and the default role of its host", func(t *testing.T) {
		s := mad.Secondment
		if s.Agent != "Julien Lacan" || s.Quotite != (Fraction{30, 100}) || s.RepaymentWaived {
			t.Errorf("got secondment %+v", s)
		}
		if mad.Parties[1].Role != RoleHost || mad.Parties[0].Role != RoleHomeEmployer {
			t.Errorf("got roles %q, %q", mad.Parties[0].Role, mad.Parties[1].Role)
		}
		if c, _ := mad.Clause(ClauseActivites); !strings.HasPrefix(c.Text, "Entretien") {
			t.Errorf("objet did not become the activities: %q", c.Text)
		}
		if mad.Term.End != civil.MustParse("2028-12-31") {
			t.Errorf("JJ/MM/AAAA end date: got %s", mad.Term.End)
		}
	})
	t.Run("a draft prestation keeps its status, and its amount is written in French", func(t *testing.T) {
		if pre.Status != Draft || len(pre.Signatures) != 0 {
			t.Errorf("got status %q with %d signatures", pre.Status, len(pre.Signatures))
		}
		if want := "Prix forfaitaire : 12\u202f500,00\u00a0€."; pre.Financial.Summary != want {
			t.Errorf("got summary %q, want %q", pre.Financial.Summary, want)
		}
		if !slices.ContainsFunc(got[2].Warnings, func(v Violation) bool { return v.Rule == RuleCooperation.ID }) {
			t.Errorf("the missing cooperation justification is not among the warnings %v", got[2].Warnings)
		}
	})
}

// TestEveryColumnError changes one column of a valid row at a time and
// checks the error names the line, the column and the problem.
func TestEveryColumnError(t *testing.T) {
	entente, secondment := 0, 1
	tests := []struct {
		name   string
		base   int
		col    string
		value  string
		errCol string // the column named in the error; col when empty
		want   string
		also   map[string]string // other changes the case needs
	}{
		{"a missing reference", entente, colReference, "", "", "la référence est obligatoire", nil},
		{"a reference too long", entente, colReference, strings.Repeat("X", 61), "", "dépasse 60 caractères", nil},
		{"an unknown kind", entente, colKind, "piscine", "", "« piscine » n'est pas une nature de convention connue", nil},
		{"a missing kind", entente, colKind, "", "", "la nature de la convention est obligatoire", nil},
		{"a missing title", entente, colTitle, "", "", "l'intitulé est obligatoire", nil},
		{"a missing lead party", entente, colLead, "", "", "la partie principale est obligatoire", nil},
		{"a malformed code", entente, colLead, "12-202", "", "« 12-202 » n'est ni un code INSEE de commune", nil},
		{"a SIREN with a wrong check digit", entente, colLead, "211202024", "", "n'est pas un SIREN valide", nil},
		{"an unknown organisation", entente, colLead, "12999", "", "aucune organisation connue n'a le code « 12999 »", nil},
		{"a lead given another role", entente, colLead, "12202:membre", "", "tient le rôle « chef_de_file »", nil},
		{"an unknown role", entente, colOthers, "12176:maire;12174:membre", "", "le rôle « maire » n'existe pas pour une convention « Entente intercommunale »", nil},
		{"a bad code among the others", entente, colOthers, "12176:membre;abc", "", "« abc » n'est ni un code INSEE", nil},
		{"no other party", entente, colOthers, "", "", "suppose au moins 2 parties (1 actuellement)", map[string]string{colApprovals: "", colSigned: ""}},
		{"a role left out where the kind has a choice", entente, colKind, "biens_indivis", colOthers, "précisez le rôle de « 12176 »", map[string]string{colOthers: "12176;12174"}},
		{"a start date that does not exist", entente, colStart, "31/02/2026", "", "« 31/02/2026 » n'est pas une date valide (AAAA-MM-JJ ou JJ/MM/AAAA)", nil},
		{"an end date that does not exist", secondment, colEnd, "2026-13-01", "", "« 2026-13-01 » n'est pas une date valide", nil},
		{"an end date before the start", secondment, colEnd, "2025-06-30", "", "la date de fin (30 juin 2025) précède la date de début (1er janvier 2026) (CGFP L512-6 à L512-15)", nil},
		{"a duration in words", entente, colDuration, "trois ans", "", "« trois ans » n'est pas un nombre de mois valide", nil},
		{"a zero duration", entente, colDuration, "0", "", "au moins un mois", nil},
		{"a secondment of four years", secondment, colEnd, "31/12/2029", "", "la durée dépasse trois ans : la fin doit précéder le 1er janvier 2029 (Décret n° 2008-580)", nil},
		{"a tacit renewal neither yes nor no", entente, colTacit, "peut-être", "", "« peut-être » n'est pas une réponse valide (oui ou non)", nil},
		{"a negative notice", entente, colNotice, "-1", "", "« -1 » n'est pas un nombre de mois valide", nil},
		{"a missing financial mode", entente, colMode, "", "", "le mode financier est obligatoire", nil},
		{"an unknown financial mode", entente, colMode, "gratuit", "", "« gratuit » n'est pas un mode financier connu", nil},
		{"a financial mode the kind does not allow", entente, colMode, "prorata_remuneration", "", "le mode « prorata_remuneration » n'est pas admis pour une convention « Entente intercommunale »", nil},
		{"an amount with three decimals", entente, colAmount, "12,345", "", "« 12,345 » n'est pas un montant valide", nil},
		{"a signature date in the future", entente, colSigned, "2099-01-01", "", "est dans le futur", nil},
		{"a signature date that is no date", entente, colSigned, "hier", "", "« hier » n'est pas une date valide", nil},
		{"an unknown status", entente, colStatus, "actif", "", "« actif » n'est pas un statut connu", nil},
		{"a draft status with a signature date", entente, colStatus, "brouillon", "", "une convention signée le 15 décembre 2025 ne peut pas être au statut « brouillon »", nil},
		{"a missing object", entente, colObject, "", "", "la clause « Objet » est obligatoire pour une convention « Entente intercommunale » (CGCT L5221-1)", nil},
		{"an agent outside a secondment", entente, colAgent, "Julien Lacan", "", "ne se renseigne que pour une mise à disposition de personnel", nil},
		{"a missing agent", secondment, colAgent, "", "", "l'agent mis à disposition n'est pas désigné", nil},
		{"a quotité above full time", secondment, colQuotite, "150 %", "", "« 150 % » n'est pas une quotité valide", nil},
		{"a quotité outside a secondment", entente, colQuotite, "30 %", "", "ne se renseigne que pour une mise à disposition de personnel", nil},
		{"a malformed approval", entente, colApprovals, "deliberation:12202", "", "ne suit pas la forme nature:partie:date[:numéro]", nil},
		{"an unknown approval", entente, colApprovals, "vote:12202:2025-11-20", "", "« vote » n'est pas une nature d'approbation connue", nil},
		{"an approval of no party", entente, colApprovals, "deliberation:12133:2025-11-20", "", "« 12133 » n'est pas une partie de cette convention", nil},
		{"an approval without a date", entente, colApprovals, "deliberation:12202:2025-02-30", "", "« 2025-02-30 » n'est pas une date valide", nil},
		{"a signed convention without its approvals", entente, colApprovals, "deliberation:12202:2025-11-20", "", "approbation manquante pour « Onet-le-Château »", nil},
		{"a missing mandatory clause", entente, clauseColumnOf + string(ClauseCleRepartition), "", "", "la clause « Répartition des frais communs » est obligatoire", nil},
		{"a secondment without the agent's consent", secondment, colApprovals, "information_assemblee:12176:2025-11-24;arrete:12176:2025-12-01", "", "la convention est signée sans l'accord écrit de l'agent Julien Lacan (CGFP L512-7)", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is named by line and column", func(t *testing.T) {
			good := templateRow(0)
			good[colReference] = "AUTRE-1"
			bad := templateRow(tt.base)
			bad[tt.col] = tt.value
			maps.Copy(bad, tt.also)
			for _, format := range []string{FormatCSV, FormatXLSX} {
				_, errs := parseFile(t, format, importFile(t, format, importTable(good, bad)))
				t.Logf("%s: %s", format, brief(errs))
				col := orColumn(tt.errCol, tt.col)
				prefix := fmt.Sprintf("ligne 3, colonne « %s » : ", col)
				if !slices.ContainsFunc(errs, func(e csvin.Error) bool {
					return strings.HasPrefix(e.Error(), prefix) && strings.Contains(e.Message, tt.want)
				}) {
					t.Errorf("%s: got errors\n%s\nwant one starting %q containing %q", format, brief(errs), prefix, tt.want)
				}
				for _, e := range errs {
					if e.Line != 3 {
						t.Errorf("%s: the good line 2 got an error: %s", format, e)
					}
				}
			}
		})
	}
}

// brief returns the first errors of a list, enough to understand a
// failure without flooding the log.
func brief(errs csvin.Errors) string {
	if len(errs) > 6 {
		return csvin.Errors(errs[:6]).Error() + fmt.Sprintf("\n… and %d more", len(errs)-6)
	}
	return errs.Error()
}

func orColumn(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func TestHeaderErrors(t *testing.T) {
	tests := []struct {
		name   string
		header func([]string) []string
		want   string
	}{
		{"an unknown column", func(h []string) []string { return append(h, "commune") }, "ligne 1, colonne « commune » : colonne inconnue"},
		{"an unknown clause", func(h []string) []string { return append(h, "clause_inconnue") }, "ligne 1, colonne « clause_inconnue » : code de clause inconnu « inconnue »"},
		{"a repeated column", func(h []string) []string { return append(h, "Titre") }, "ligne 1, colonne « titre » : la colonne figure deux fois"},
		{"a missing required column", func(h []string) []string {
			return slices.DeleteFunc(h, func(s string) bool { return s == colMode })
		}, "ligne 1, colonne « mode_financier » : colonne obligatoire absente de la ligne d'en-tête"},
		{"a column without a name", func(h []string) []string { return append(h[:3:3], append([]string{""}, h[3:]...)...) }, "ligne 1 : la colonne n° 4 n'a pas de nom"},
	}
	for _, tt := range tests {
		t.Run(tt.name+" refuses the file", func(t *testing.T) {
			rows := importTable(templateRow(0))
			rows[0] = tt.header(slices.Clone(rows[0]))
			_, errs := parseFile(t, FormatCSV, importCSV(t, rows))
			if !slices.ContainsFunc(errs, func(e csvin.Error) bool { return strings.HasPrefix(e.Error(), tt.want) }) {
				t.Errorf("got errors\n%s\nwant one starting %q", brief(errs), tt.want)
			}
		})
	}
	t.Run("headers match without regard to case, accents and spaces", func(t *testing.T) {
		rows := importTable(templateRow(0))
		rows[0][slices.Index(rows[0], colStart)] = " Date début "
		rows[0][slices.Index(rows[0], colTitle)] = "TITRE"
		if _, errs := parseFile(t, FormatCSV, importCSV(t, rows)); errs != nil {
			t.Errorf("got errors\n%s", brief(errs))
		}
	})
}

func TestFileErrors(t *testing.T) {
	t.Run("a duplicate reference names the first line", func(t *testing.T) {
		a, b := templateRow(0), templateRow(1)
		b[colReference] = strings.ToLower(a[colReference])
		_, errs := parseFile(t, FormatCSV, importCSV(t, importTable(a, b)))
		want := "ligne 3, colonne « reference » : la référence « ent-2026-001 » figure déjà ligne 2"
		if len(errs) != 1 || errs[0].Error() != want {
			t.Errorf("got %q, want %q", brief(errs), want)
		}
	})
	t.Run("an empty file, a header alone and blank rows", func(t *testing.T) {
		for _, tt := range []struct{ data, want string }{
			{"", "le fichier est vide"},
			{"\ufeff\r\n;;\r\n", "le fichier est vide"},
			{strings.Join(templateColumns, ";") + "\n;;;\n", "aucune convention sous la ligne d'en-tête"},
		} {
			_, errs := parseFile(t, FormatCSV, []byte(tt.data))
			if len(errs) != 1 || !strings.Contains(errs[0].Message, tt.want) {
				t.Errorf("%q: got %q, want %q", tt.data, brief(errs), tt.want)
			}
		}
	})
	t.Run("a stray quote names its line", func(t *testing.T) {
		data := importCSV(t, importTable(templateRow(0)))
		data = append(data, []byte("REF-2;entente;Titre avec \"guillemet\" mal placé\n")...)
		_, errs := parseFile(t, FormatCSV, data)
		if len(errs) != 1 || errs[0].Line != 3 || !strings.Contains(errs[0].Message, "guillemet mal placé") {
			t.Errorf("got %q", brief(errs))
		}
	})
	t.Run("an unquoted separator in a cell gives too many cells", func(t *testing.T) {
		var b bytes.Buffer
		b.WriteString(strings.Join(templateColumns, ";") + "\n")
		cells := importTable(templateRow(0))[1]
		b.WriteString(strings.Join(cells, ";") + "\n") // autres_parties holds a ";" left unquoted
		_, errs := parseFile(t, FormatCSV, b.Bytes())
		if !slices.ContainsFunc(errs, func(e csvin.Error) bool {
			return e.Line == 2 && e.Column == "" && strings.Contains(e.Message, "doit être entre guillemets")
		}) {
			t.Errorf("got %q", brief(errs))
		}
	})
	t.Run("a file that is no workbook", func(t *testing.T) {
		_, errs := parseFile(t, FormatXLSX, []byte("reference;nature\n"))
		if len(errs) != 1 || !strings.Contains(errs[0].Message, "n'est pas un classeur XLSX lisible") {
			t.Errorf("got %q", brief(errs))
		}
	})
	t.Run("too many rows", func(t *testing.T) {
		rows := [][]string{templateColumns}
		for range MaxImportRows + 1 {
			rows = append(rows, []string{"x"})
		}
		_, errs := parseFile(t, FormatCSV, importCSV(t, rows))
		if len(errs) != 1 || !strings.Contains(errs[0].Message, "plus de 5000 conventions") {
			t.Errorf("got %q", brief(errs))
		}
	})
	t.Run("an unknown format", func(t *testing.T) {
		if _, err := ParseImport(context.Background(), strings.NewReader(""), "ods", newImportResolver()); !errors.Is(err, ErrImportFormat) {
			t.Errorf("got %v, want ErrImportFormat", err)
		}
	})
}

func TestCSVVariants(t *testing.T) {
	rows := importTable(templateRow(0), templateRow(1))
	commaFile := func() []byte {
		var b bytes.Buffer
		w := csv.NewWriter(&b)
		w.UseCRLF = true
		_ = w.WriteAll(rows)
		return b.Bytes()
	}
	latin1 := func() []byte {
		b, err := charmap.Windows1252.NewEncoder().Bytes(bytes.TrimPrefix(importCSV(t, rows), []byte("\ufeff")))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for name, data := range map[string][]byte{
		"a comma-separated file with CRLF and no byte-order mark": commaFile(),
		"a semicolon-separated file with a byte-order mark":       importCSV(t, rows),
		"a Windows-1252 file from older spreadsheet software":     latin1(),
	} {
		t.Run(name+" parses", func(t *testing.T) {
			got, errs := parseFile(t, FormatCSV, data)
			if errs != nil {
				t.Fatalf("got errors\n%s", brief(errs))
			}
			if len(got) != 2 || got[1].Agreement.Title != "Mise à disposition d'un agent du service des sports" {
				t.Errorf("got %d rows, second title %q", len(got), got[len(got)-1].Agreement.Title)
			}
		})
	}
}

func TestXLSXCells(t *testing.T) {
	t.Run("date cells and numbers typed in a workbook are read", func(t *testing.T) {
		f := excelize.NewFile()
		defer f.Close()
		rows := importTable(templateRow(1))
		for i, row := range rows {
			for j, v := range row {
				cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
				_ = f.SetCellStr("Sheet1", cell, v)
			}
		}
		start, _ := excelize.CoordinatesToCellName(slices.Index(templateColumns, colStart)+1, 2)
		_ = f.SetCellValue("Sheet1", start, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
		notice, _ := excelize.CoordinatesToCellName(slices.Index(templateColumns, colNotice)+1, 2)
		_ = f.SetCellValue("Sheet1", notice, 2)
		var b bytes.Buffer
		if err := f.Write(&b); err != nil {
			t.Fatal(err)
		}
		got, errs := parseFile(t, FormatXLSX, b.Bytes())
		if errs != nil {
			t.Fatalf("got errors\n%s", brief(errs))
		}
		if term := got[0].Agreement.Term; term.Start != civil.MustParse("2026-01-01") || term.NoticeMonths != 2 {
			t.Errorf("got term %+v", term)
		}
	})
	t.Run("a bare year in a date column is no date", func(t *testing.T) {
		if _, ok := parseImportDate("2026", true); ok {
			t.Errorf("2026 was read as a date")
		}
	})
}

func TestResolver(t *testing.T) {
	t.Run("each organisation is looked up once per file", func(t *testing.T) {
		r := newImportResolver()
		data := importCSV(t, importTable(fiveHundredRows()...))
		if _, err := ParseImport(context.Background(), bytes.NewReader(data), FormatCSV, r); err != nil {
			t.Fatal(err)
		}
		// 12202, 12176, 12174, 211202023, 12145
		if r.calls != 5 {
			t.Errorf("got %d lookups, want 5", r.calls)
		}
	})
	t.Run("a failing resolver stops the import with its error", func(t *testing.T) {
		r := newImportResolver()
		r.fail = errors.New("database is down")
		_, err := ParseImport(context.Background(), bytes.NewReader(importCSV(t, importTable(templateRow(0)))), FormatCSV, r)
		var ie csvin.Errors
		if err == nil || errors.As(err, &ie) || !strings.Contains(err.Error(), "database is down") {
			t.Errorf("got %v, want the resolver's error", err)
		}
	})
}

func TestCodesAndQuotites(t *testing.T) {
	for in, want := range map[string]string{"1053": "01053", "211 202 023": "211202023", "2a004": "2A004", " 12202 ": "12202"} {
		if got := normaliseOrgCode(in); got != want {
			t.Errorf("normaliseOrgCode(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]Fraction{"30 %": {30, 100}, "27,5 %": {275, 1000}, "12.25%": {1225, 10000}, "14/35": {14, 35}, "1": {1, 1}, "100 %": {100, 100}} {
		if got, ok := parseQuotiteCell(in); !ok || got != want {
			t.Errorf("parseQuotiteCell(%q) = %v, %v, want %v", in, got, ok, want)
		}
	}
	for _, in := range []string{"0 %", "150 %", "36/35", "trente", "0"} {
		if _, ok := parseQuotiteCell(in); ok {
			t.Errorf("parseQuotiteCell(%q) accepted", in)
		}
	}
}

func TestTemplateRoundTrips(t *testing.T) {
	for _, format := range []string{FormatCSV, FormatXLSX} {
		t.Run("the "+format+" template parses into its two examples", func(t *testing.T) {
			var b bytes.Buffer
			if err := Template(&b, format); err != nil {
				t.Fatalf("Template: %v", err)
			}
			if dir := os.Getenv("VOISINES_TEMPLATE_OUT"); dir != "" {
				_ = os.WriteFile(filepath.Join(dir, "modele-import-conventions."+format), b.Bytes(), 0o644)
			}
			got, errs := parseFile(t, format, b.Bytes())
			if errs != nil {
				t.Fatalf("got errors\n%s", brief(errs))
			}
			if len(got) != 2 || got[0].Agreement.Kind != Entente || got[1].Agreement.Kind != MADPersonnel {
				t.Fatalf("got %d rows", len(got))
			}
		})
	}
	t.Run("the XLSX template has a help sheet listing the columns and every kind", func(t *testing.T) {
		var b bytes.Buffer
		if err := Template(&b, FormatXLSX); err != nil {
			t.Fatal(err)
		}
		f, err := excelize.OpenReader(&b)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if got := f.GetSheetList(); !slices.Equal(got, []string{"Conventions", "Aide"}) {
			t.Errorf("got sheets %q", got)
		}
		rows, err := f.GetRows("Aide")
		if err != nil {
			t.Fatal(err)
		}
		var first []string
		for _, r := range rows {
			if len(r) > 0 {
				first = append(first, r[0])
			}
		}
		for _, c := range importColumns {
			if !slices.Contains(first, c.Name) {
				t.Errorf("the help lacks column %q", c.Name)
			}
		}
		for _, s := range Catalogue() {
			i := slices.IndexFunc(rows, func(r []string) bool { return len(r) > 1 && r[0] == string(s.Kind) })
			if i < 0 || rows[i][1] != s.Label {
				t.Errorf("the help lacks kind %q with its label %q", s.Kind, s.Label)
			}
		}
	})
	t.Run("an unknown format", func(t *testing.T) {
		if err := Template(&bytes.Buffer{}, "pdf"); !errors.Is(err, ErrImportFormat) {
			t.Errorf("got %v, want ErrImportFormat", err)
		}
	})
}

// FuzzParseImportCSV feeds arbitrary bytes to the CSV import: it must
// never panic, and must return either rows or errors that name a line.
func FuzzParseImportCSV(f *testing.F) {
	var tmpl bytes.Buffer
	_ = Template(&tmpl, FormatCSV)
	f.Add(tmpl.Bytes())
	f.Add(importCSV(f, importTable(importPrestationRow())))
	f.Add([]byte("reference,nature\n\"a,b\",entente\n"))
	f.Add([]byte("\ufeff" + strings.Join(templateColumns, ";") + "\nX;entente;T;12202;12176;31/02/2026\n"))
	f.Add([]byte("\xff\xfe;\"\n"))
	if b, err := os.ReadFile(filepath.Join("testdata", "import", "excel-windows-1252.csv")); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, err := ParseImport(context.Background(), bytes.NewReader(data), FormatCSV, newImportResolver())
		var ie csvin.Errors
		switch {
		case err == nil:
			for _, r := range rows {
				if r.Line < 2 || r.Reference == "" {
					t.Fatalf("row without line or reference: %+v", r)
				}
				if vs := Blockers(Validate(r.Agreement, civil.Today())); len(vs) > 0 {
					t.Fatalf("row %d breaks the law: %v", r.Line, vs)
				}
			}
		case errors.As(err, &ie):
			if rows != nil || len(ie) == 0 {
				t.Fatalf("got %d rows and %d errors", len(rows), len(ie))
			}
			for _, e := range ie {
				if e.Message == "" || e.Line < 0 {
					t.Fatalf("error without message or with a negative line: %+v", e)
				}
			}
		default:
			t.Fatalf("unexpected error: %v", err)
		}
	})
}

// TestSpreadsheetExport reads testdata/import/excel-windows-1252.csv, a
// file as French spreadsheet software saves it: Windows-1252, ";", CRLF,
// headers in words with accents, cells spanning several lines, labels for
// codes, a blank row at the end.
func TestSpreadsheetExport(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "import", "excel-windows-1252.csv"))
	if err != nil {
		t.Fatal(err)
	}
	got, errs := parseFile(t, FormatCSV, data)
	if errs != nil {
		t.Fatalf("got errors\n%s", brief(errs))
	}
	if len(got) != 2 {
		t.Fatalf("got %d rows, want 2", len(got))
	}
	ent, ps := got[0], got[1]
	if ent.Line != 2 || ps.Line != 6 {
		t.Errorf("got lines %d and %d, want 2 and 6 (the first row spans lines 2 to 5)", ent.Line, ps.Line)
	}
	if ent.Agreement.Kind != Entente || len(ent.Agreement.Parties) != 3 || ent.Agreement.Parties[2].Role != RoleMember {
		t.Errorf("got %q with parties %+v", ent.Agreement.Kind, ent.Agreement.Parties)
	}
	if ent.Notes != "Reprise du classeur « Conventions 2019 » – onglet Rodez" {
		t.Errorf("got notes %q: the Windows-1252 text was not decoded", ent.Notes)
	}
	if ent.Agreement.Status != InForce || len(ent.Agreement.Renewals) == 0 {
		t.Errorf("a tacitly renewed 2019 entente got status %q and %d renewals, want in force after renewals", ent.Agreement.Status, len(ent.Agreement.Renewals))
	}
	if ps.Agreement.Parties[1].Role != RoleBeneficiary || ps.Agreement.Parties[0].Name != "Rodez" {
		t.Errorf("got parties %+v", ps.Agreement.Parties)
	}
}
