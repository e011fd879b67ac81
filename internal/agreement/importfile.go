package agreement

import (
	"bytes"
	"cmp"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/unicode/norm"

	"voisines/internal/civil"
	"voisines/internal/csvin"
	"voisines/internal/money"
	"voisines/internal/validate"
)

// The import of existing conventions from a spreadsheet (issue 3, point 6).
//
// The file has a header row naming its columns, then one row per
// convention. Columns may come in any order; their names are matched
// without regard to case, accents or spaces ("Date début" is date_debut).
// ImportColumns documents each one; Template writes a file to start from.
// The import is all or nothing: ParseImport returns rows only when every
// line is right, and otherwise every error, each naming its line and
// column in French.

// Import formats.
const (
	FormatCSV  = "csv"
	FormatXLSX = "xlsx"
)

// Limits on an import file, so that an upload cannot exhaust the server.
const (
	MaxImportBytes = 10 << 20
	MaxImportRows  = 5000
)

// ErrImportFormat is returned for a format other than FormatCSV and
// FormatXLSX.
var ErrImportFormat = errors.New("agreement: import format must be csv or xlsx")

// ErrUnknownParty is what a Resolver's error wraps when no organisation has
// the code it was given; any other error stops the import.
var ErrUnknownParty = errors.New("agreement: no organisation with that code")

// Resolver turns the code of an organisation found in an import file — a
// commune's INSEE code ("12202") or a SIREN ("241200187") — into a Party
// snapshot (everything but its Role, which the file gives).
type Resolver interface {
	Party(ctx context.Context, ref string) (Party, error)
}

// ImportRow is one convention read from an import file, ready to be stored.
type ImportRow struct {
	Line      int       // line of the file, the header being line 1
	Reference string    // the convention's reference in the file, unique in it
	Agreement Agreement // validated: no blocking violation
	Notes     string
	// Warnings are the non-blocking violations, to show after the import.
	Warnings []Violation
}

// ImportColumn documents a column of the import format.
type ImportColumn struct {
	Name string `json:"name"`
	// Required columns must be in the header; the others may be left out.
	Required bool   `json:"required"`
	Format   string `json:"format"` // French
	Help     string `json:"help"`   // French
}

// The names of the columns.
const (
	colReference   = "reference"
	colKind        = "nature"
	colTitle       = "titre"
	colLead        = "partie_principale"
	colOthers      = "autres_parties"
	colStart       = "date_debut"
	colEnd         = "date_fin"
	colDuration    = "duree_mois"
	colTacit       = "reconduction_tacite"
	colNotice      = "preavis_mois"
	colMode        = "mode_financier"
	colAmount      = "montant_ou_cle"
	colSigned      = "date_signature"
	colStatus      = "statut"
	colObject      = "objet"
	colAgent       = "agent"
	colQuotite     = "quotite"
	colApprovals   = "approbations"
	colNotes       = "notes"
	clauseColumnOf = "clause_" // followed by a clause code: clause_cle_repartition
)

// importColumns are the columns of the format, in the template's order.
var importColumns = []ImportColumn{
	{colReference, true, "texte, unique dans le fichier", "Référence de la convention, telle que les parties la connaissent (ex. ENT-2026-004)."},
	{colKind, true, "code de nature (voir la liste des natures)", "Instrument juridique de la convention : son code (entente, mise_a_disposition_personnel…) ou son libellé."},
	{colTitle, true, "texte", "Intitulé de la convention."},
	{colLead, true, "code INSEE ou SIREN", "Partie principale, qui tient le rôle de chef de file de la nature (commune support d'une entente, administration d'origine d'une mise à disposition de personnel…) : code INSEE d'une commune (5 caractères, ex. 12202) ou SIREN (9 chiffres)."},
	{colOthers, true, "code[:rôle] ; code[:rôle]", "Autres parties, séparées par « ; » ou des retours à la ligne, chacune avec son rôle après « : » (ex. 12176:membre;12174:membre). Le rôle peut être omis quand la nature n'en admet qu'un pour les autres parties."},
	{colStart, false, "AAAA-MM-JJ ou JJ/MM/AAAA", "Date de prise d'effet."},
	{colEnd, false, "AAAA-MM-JJ ou JJ/MM/AAAA", "Dernier jour d'application. Indiquez la date de fin ou la durée (ou les deux, si elles concordent)."},
	{colDuration, false, "nombre de mois, ou « achèvement »", "Durée initiale en mois ; « achèvement » pour un mandat qui court jusqu'à l'achèvement de l'ouvrage."},
	{colTacit, false, "oui ou non", "Reconduction tacite à l'échéance (vide : non)."},
	{colNotice, false, "nombre de mois", "Préavis de résiliation ou de dénonciation, en mois."},
	{colMode, true, "code de mode financier (voir la liste)", "Mode financier : son code (cout_reel_cle, prix_unitaire…) ou son libellé."},
	{colAmount, false, "montant en euros ou texte", "Montant (ex. 12 500,00 €) ou clé de répartition (ex. population DGF). Repris dans l'article financier."},
	{colSigned, false, "AAAA-MM-JJ ou JJ/MM/AAAA", "Date de signature par les signataires ; vide pour une convention non signée."},
	{colStatus, false, "code de statut (voir la liste)", "Statut : brouillon, soumise, approuvee, signee, en_vigueur, expiree ou resiliee. Vide : déduit de la date de signature et des dates de la convention."},
	{colObject, false, "texte", "Objet de la convention : le texte de son premier article (objet, besoins d'un groupement, compétence déléguée, ouvrage, équipement, missions, activités de l'agent mis à disposition)."},
	{colAgent, false, "texte", "Mise à disposition de personnel : nom de l'agent."},
	{colQuotite, false, "30 % ou 30/100", "Mise à disposition de personnel : part du temps de travail de l'agent (30 %, 27,5 %, 14/35)."},
	{colApprovals, false, "nature:partie:date[:numéro] ; …", "Approbations, séparées par « ; » : nature de l'acte (deliberation, accord_agent, information_assemblee, arrete, avis_cst, arrete_prefectoral, accord_comptable), code de la partie (vide pour un arrêté préfectoral), date et numéro (ex. deliberation:12202:2026-05-20:2026-045). Une convention signée doit porter toutes ses approbations."},
	{colNotes, false, "texte", "Notes libres, conservées avec la convention importée."},
	{clauseColumnOf + "<code>", false, "texte", "Texte d'un article : une colonne par clause, nommée clause_ suivi du code de la clause (ex. clause_cle_repartition, clause_conditions_emploi). Voir la liste des clauses de chaque nature."},
}

// ImportColumns returns the columns of the import format, for the page
// and the help that document it.
func ImportColumns() []ImportColumn { return slices.Clone(importColumns) }

// ParseImport reads conventions from an import file in format FormatCSV
// (UTF-8, or Windows-1252 as older spreadsheet software writes it; ";" or
// "," separator, detected; byte-order mark tolerated) or FormatXLSX (the
// first sheet), resolving each party's code with resolve. It returns
// every row, or — when any line is wrong — no row and a csvin.Errors
// listing every problem. A row is wrong when a cell cannot be read or when
// the convention it describes breaks a blocking rule of Validate. Other
// errors (an unreadable file, a failing resolver) stop the import.
func ParseImport(ctx context.Context, r io.Reader, format string, resolve Resolver) ([]ImportRow, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxImportBytes+1))
	if err != nil {
		return nil, fmt.Errorf("agreement: import: read: %w", err)
	}
	if len(data) > MaxImportBytes {
		return nil, csvin.Errors{{Message: fmt.Sprintf("le fichier dépasse la taille maximale de %d Mo", MaxImportBytes>>20)}}
	}
	var table []importRecord
	switch strings.ToLower(format) {
	case FormatCSV:
		table, err = readImportCSV(data)
	case FormatXLSX:
		table, err = readImportXLSX(data)
	default:
		return nil, fmt.Errorf("%w: %q", ErrImportFormat, format)
	}
	if err != nil {
		return nil, err
	}
	p := &importer{ctx: ctx, resolve: resolve, xlsx: strings.ToLower(format) == FormatXLSX,
		parties: map[string]resolvedParty{}, today: civil.Today()}
	return p.run(table)
}

// importRecord is a row of the file with its line number.
type importRecord struct {
	line  int
	cells []string
}

// readImportCSV splits a CSV file into records. A malformed file (a stray
// quote) is a csvin.Errors naming where it went wrong.
func readImportCSV(data []byte) ([]importRecord, error) {
	data, ok := csvin.UTF8(data)
	if !ok {
		return nil, csvin.Fail("%s", csvin.EncodingMessage)
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = csvSeparator(data)
	cr.FieldsPerRecord = -1
	var out []importRecord
	for {
		cells, err := cr.Read()
		if err == io.EOF {
			break
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, csvin.Errors{{Line: pe.Line, Message: "guillemet mal placé : une cellule qui contient un guillemet, un séparateur ou un retour à la ligne doit être entourée de guillemets, et ses guillemets doublés"}}
		}
		if err != nil {
			return nil, fmt.Errorf("agreement: import: read CSV: %w", err)
		}
		line, _ := cr.FieldPos(0)
		out = append(out, importRecord{line: line, cells: cells})
		if len(out) > MaxImportRows+1 {
			return nil, tooManyImportRows()
		}
	}
	return out, nil
}

func tooManyImportRows() csvin.Errors {
	return csvin.Errors{{Message: fmt.Sprintf("le fichier compte plus de %d conventions : découpez-le en plusieurs fichiers", MaxImportRows)}}
}

// csvSeparator returns the CSV separator: the one of ";" and "," that the
// header line holds most of, outside quotes; ";" when neither.
func csvSeparator(data []byte) rune {
	semi, comma, quoted := 0, 0, false
	for _, c := range data {
		switch {
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == '\n':
			if comma > semi {
				return ','
			}
			return ';'
		case c == ';':
			semi++
		case c == ',':
			comma++
		}
	}
	if comma > semi {
		return ','
	}
	return ';'
}

// readImportXLSX returns the rows of the workbook's first sheet, with raw cell
// values (a date is then its serial number, which dateCell converts).
func readImportXLSX(data []byte) ([]importRecord, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: 64 << 20, UnzipXMLSizeLimit: 16 << 20})
	if err != nil {
		return nil, csvin.Errors{{Message: "le fichier n'est pas un classeur XLSX lisible"}}
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, csvin.Errors{{Message: "le classeur ne contient aucune feuille"}}
	}
	rows, err := f.GetRows(sheets[0], excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, csvin.Errors{{Message: fmt.Sprintf("la feuille « %s » est illisible", sheets[0])}}
	}
	if len(rows) > MaxImportRows+1 {
		return nil, tooManyImportRows()
	}
	out := make([]importRecord, len(rows))
	for i, cells := range rows {
		out[i] = importRecord{line: i + 1, cells: cells}
	}
	return out, nil
}

// importer reads the records of one file.
type importer struct {
	ctx     context.Context
	resolve Resolver
	xlsx    bool
	today   civil.Date
	parties map[string]resolvedParty // by normalised code: one lookup per organisation
	errs    csvin.Errors
	fatal   error // a resolver failure: stop
	header  map[string]int
	width   int                 // cells of the header row
	clauses map[ClauseID]string // clause columns present: id → header name
}

type resolvedParty struct {
	party Party
	found bool
}

func (p *importer) fail(line int, col, format string, args ...any) {
	p.errs.Add(line, col, format, args...)
}

func (p *importer) run(table []importRecord) ([]ImportRow, error) {
	// Rows left empty (a spreadsheet's trailing lines) are not conventions.
	table = slices.DeleteFunc(table, func(r importRecord) bool {
		return !slices.ContainsFunc(r.cells, func(c string) bool { return strings.TrimSpace(c) != "" })
	})
	if len(table) == 0 {
		return nil, csvin.Errors{{Message: "le fichier est vide : la première ligne doit nommer les colonnes"}}
	}
	if !p.readHeader(table[0]) {
		return nil, p.errs
	}
	if len(table) == 1 {
		return nil, csvin.Errors{{Message: "le fichier ne contient aucune convention sous la ligne d'en-tête"}}
	}
	var rows []ImportRow
	firstLine := map[string]int{}
	for _, rec := range table[1:] {
		row, ok := p.row(rec)
		if p.fatal != nil {
			return nil, p.fatal
		}
		if ref := row.Reference; ref != "" {
			if first, dup := firstLine[strings.ToLower(ref)]; dup {
				p.fail(rec.line, colReference, "la référence « %s » figure déjà ligne %d", ref, first)
				ok = false
			} else {
				firstLine[strings.ToLower(ref)] = rec.line
			}
		}
		if ok {
			rows = append(rows, row)
		}
	}
	if len(p.errs) > 0 {
		p.errs.Sort()
		return nil, p.errs
	}
	return rows, nil
}

// readHeader maps column names to positions, and refuses unknown,
// repeated and missing columns.
func (p *importer) readHeader(rec importRecord) bool {
	p.header = map[string]int{}
	p.width = len(rec.cells)
	p.clauses = map[ClauseID]string{}
	known := map[string]bool{}
	for _, c := range importColumns {
		known[c.Name] = true
	}
	clauseIDs := clauseCodes()
	for i, cell := range rec.cells {
		name := foldCode(cell)
		switch {
		case name == "":
			if i < len(rec.cells)-1 || strings.TrimSpace(cell) != "" {
				p.fail(rec.line, "", "la colonne n° %d n'a pas de nom", i+1)
			}
			continue
		case strings.HasPrefix(name, clauseColumnOf):
			id := ClauseID(strings.TrimPrefix(name, clauseColumnOf))
			if !slices.Contains(clauseIDs, id) {
				p.fail(rec.line, strings.TrimSpace(cell), "code de clause inconnu « %s » (voir la liste des clauses de chaque nature)", id)
				continue
			}
			p.clauses[id] = name
		case !known[name]:
			p.fail(rec.line, strings.TrimSpace(cell), "colonne inconnue ; les colonnes admises sont : %s", importColumnNames())
			continue
		}
		if _, dup := p.header[name]; dup {
			p.fail(rec.line, name, "la colonne figure deux fois")
			continue
		}
		p.header[name] = i
	}
	for _, c := range importColumns {
		if _, ok := p.header[c.Name]; c.Required && !ok {
			p.fail(rec.line, c.Name, "colonne obligatoire absente de la ligne d'en-tête")
		}
	}
	return len(p.errs) == 0
}

func importColumnNames() string {
	var names []string
	for _, c := range importColumns {
		names = append(names, c.Name)
	}
	return strings.Join(names, ", ")
}

// clauseCodes returns every clause code the catalogue uses.
func clauseCodes() []ClauseID {
	ids := []ClauseID{ClauseMandatEncaissement}
	for _, s := range catalogue {
		for _, c := range s.Clauses {
			if !slices.Contains(ids, c.ID) {
				ids = append(ids, c.ID)
			}
		}
	}
	return ids
}

// foldCode returns s as a code: lower case, without accents, apostrophes or
// surrounding spaces, inner spaces and hyphens as "_" ("Date début" →
// "date_debut", "Coût réel" → "cout_reel").
func foldCode(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.TrimSpace(s)) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r == ' ' || r == '-' || r == '\u00a0' || r == '\'' || r == '’':
			b.WriteByte('_')
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return strings.Trim(b.String(), "_")
}

// importLine is one record being read: its cells by column name.
type importLine struct {
	p   *importer
	rec importRecord
	ok  bool
}

func (l *importLine) cell(col string) string {
	i, ok := l.p.header[col]
	if !ok || i >= len(l.rec.cells) {
		return ""
	}
	return strings.TrimSpace(l.rec.cells[i])
}

func (l *importLine) fail(col, format string, args ...any) {
	l.p.fail(l.rec.line, col, format, args...)
	l.ok = false
}

// row reads one convention. ok is false when the line has errors, which
// are recorded.
func (p *importer) row(rec importRecord) (ImportRow, bool) {
	l := &importLine{p: p, rec: rec, ok: true}
	out := ImportRow{Line: rec.line, Reference: l.cell(colReference), Notes: l.cell(colNotes)}
	if n := len(rec.cells); n > p.width && strings.TrimSpace(strings.Join(rec.cells[p.width:], "")) != "" {
		l.fail("", "%d cellules pour %d colonnes : une cellule qui contient le séparateur doit être entre guillemets", n, p.width)
	}
	if out.Reference == "" {
		l.fail(colReference, "la référence est obligatoire")
	} else if utf8.RuneCountInString(out.Reference) > 60 {
		l.fail(colReference, "la référence dépasse 60 caractères")
	}
	spec, kindOK := l.kind()
	c := Content{Title: l.cell(colTitle)}
	if c.Title == "" {
		l.fail(colTitle, "l'intitulé est obligatoire")
	}
	refs := l.parties(spec, kindOK, &c)
	c.Term = l.term()
	c.Financial = l.financial(spec, kindOK)
	if kindOK {
		l.object(spec, &c)
		l.secondment(spec, &c)
	}
	l.clauseColumns(&c)
	if !kindOK {
		return out, false
	}
	a := New(spec.Kind, c)
	a.Approvals = l.approvals(refs, a)
	l.signature(spec, &a)
	if !l.ok {
		return out, false
	}
	vs := Validate(a, p.today)
	for _, v := range Blockers(vs) {
		msg := v.Message
		if v.Article != "" {
			msg += " (" + v.Article + ")"
		}
		col := l.columnOf(v.Field, spec)
		if strings.HasPrefix(col, clauseColumnOf) {
			if _, present := p.header[col]; !present {
				msg += " : ajoutez une colonne « " + col + " »"
			}
		}
		l.fail(col, "%s", msg)
	}
	for _, v := range vs {
		if v.Severity != Blocking {
			out.Warnings = append(out.Warnings, v)
		}
	}
	out.Agreement = a
	return out, l.ok
}

// kind reads the nature: a kind's code or its label.
func (l *importLine) kind() (Spec, bool) {
	v := l.cell(colKind)
	if v == "" {
		l.fail(colKind, "la nature de la convention est obligatoire")
		return Spec{}, false
	}
	f := foldCode(v)
	for _, s := range catalogue {
		if f == string(s.Kind) || f == foldCode(s.Label) {
			return s.clone(), true
		}
	}
	l.fail(colKind, "« %s » n'est pas une nature de convention connue (voir la liste des natures)", v)
	return Spec{}, false
}

// parties reads the lead party and the others with their roles, resolving
// each code. It returns the parties' normalised codes, in order, for the
// approvals column to refer to.
func (l *importLine) parties(spec Spec, kindOK bool, c *Content) []string {
	var refs []string
	lead := l.cell(colLead)
	if lead == "" {
		l.fail(colLead, "la partie principale est obligatoire (code INSEE ou SIREN)")
	} else {
		code, role, hasRole := strings.Cut(lead, ":")
		if p, ok := l.party(colLead, code); ok && kindOK {
			if hasRole {
				if r, roleOK := l.role(colLead, spec, role); roleOK && r != spec.LeadRole {
					l.fail(colLead, "la partie principale d'une convention « %s » tient le rôle « %s » ; les autres rôles se donnent dans la colonne « %s »",
						spec.Label, string(spec.LeadRole), colOthers)
				}
			}
			p.Role = spec.LeadRole
			c.Parties = append(c.Parties, p)
			refs = append(refs, normaliseOrgCode(code))
		}
	}
	items := strings.FieldsFunc(l.cell(colOthers), func(r rune) bool { return r == ';' || r == '\n' || r == '\r' })
	for _, item := range items {
		if item = strings.TrimSpace(item); item == "" {
			continue
		}
		code, role, hasRole := strings.Cut(item, ":")
		p, ok := l.party(colOthers, code)
		if !kindOK {
			continue
		}
		var r Role
		var roleOK bool
		if hasRole {
			r, roleOK = l.role(colOthers, spec, role)
		} else if r, roleOK = defaultOtherRole(spec); !roleOK {
			l.fail(colOthers, "précisez le rôle de « %s » après « : » ; rôles admis pour une convention « %s » : %s",
				strings.TrimSpace(code), spec.Label, roleChoices(spec))
		}
		if ok && roleOK {
			p.Role = r
			c.Parties = append(c.Parties, p)
			refs = append(refs, normaliseOrgCode(code))
		}
	}
	return refs
}

// defaultOtherRole returns the role of the other parties when the kind leaves
// no choice: one lead, and a single other role.
func defaultOtherRole(spec Spec) (Role, bool) {
	lead, ok := spec.Role(spec.LeadRole)
	if !ok || lead.Max != 1 || len(spec.Roles) != 2 {
		return "", false
	}
	for _, rs := range spec.Roles {
		if rs.Role != spec.LeadRole {
			return rs.Role, true
		}
	}
	return "", false
}

func roleChoices(spec Spec) string {
	var out []string
	for _, rs := range spec.Roles {
		out = append(out, fmt.Sprintf("%s (%s)", rs.Role, rs.Label))
	}
	return strings.Join(out, ", ")
}

// role reads a role: its code, its general label or the kind's label.
func (l *importLine) role(col string, spec Spec, v string) (Role, bool) {
	f := foldCode(v)
	for _, rs := range spec.Roles {
		if f == string(rs.Role) || f == foldCode(rs.Label) || f == foldCode(rs.Role.Label()) {
			return rs.Role, true
		}
	}
	l.fail(col, "le rôle « %s » n'existe pas pour une convention « %s » ; rôles admis : %s", strings.TrimSpace(v), spec.Label, roleChoices(spec))
	return "", false
}

var (
	inseeCodePattern = regexp.MustCompile(`^(\d{5}|2[AB]\d{3})$`)
	sirenPattern     = regexp.MustCompile(`^\d{9}$`)
)

// normaliseOrgCode removes the spaces people type in a SIREN and restores the
// leading zero a spreadsheet drops from an INSEE code ("1053" → "01053").
func normaliseOrgCode(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '\u00a0' || r == '\u202f' {
			return -1
		}
		return r
	}, s)
	s = strings.ToUpper(s)
	if len(s) == 4 && strings.Trim(s, "0123456789") == "" {
		s = "0" + s
	}
	return s
}

// party resolves a code into a Party, once per code and file.
func (l *importLine) party(col, raw string) (Party, bool) {
	code := normaliseOrgCode(raw)
	switch {
	case inseeCodePattern.MatchString(code):
	case sirenPattern.MatchString(code) && validate.Luhn(code):
	case sirenPattern.MatchString(code):
		l.fail(col, "« %s » n'est pas un SIREN valide (clé de contrôle erronée)", strings.TrimSpace(raw))
		return Party{}, false
	default:
		l.fail(col, "« %s » n'est ni un code INSEE de commune (5 caractères, ex. 12202) ni un SIREN (9 chiffres)", strings.TrimSpace(raw))
		return Party{}, false
	}
	r, seen := l.p.parties[code]
	if !seen {
		p, err := l.p.resolve.Party(l.p.ctx, code)
		switch {
		case errors.Is(err, ErrUnknownParty):
		case err != nil:
			if l.p.fatal == nil {
				l.p.fatal = fmt.Errorf("agreement: import: resolve %q: %w", code, err)
			}
			return Party{}, false
		default:
			r = resolvedParty{party: p, found: true}
		}
		l.p.parties[code] = r
	}
	if !r.found {
		l.fail(col, "aucune organisation connue n'a le code « %s »", code)
		return Party{}, false
	}
	return r.party, true
}

// term reads the dates, duration, renewal and notice.
func (l *importLine) term() Term {
	var t Term
	t.Start = l.date(colStart)
	t.End = l.date(colEnd)
	if v := l.cell(colDuration); v != "" {
		if f := foldCode(v); f == "achevement" || f == "jusqu_a_achevement" {
			t.UntilCompletion = true
		} else if n, ok := l.count(colDuration, v); ok {
			if n == 0 {
				l.fail(colDuration, "la durée doit être d'au moins un mois")
			}
			t.DurationMonths = n
		}
	}
	t.TacitRenewal = l.yesNo(colTacit)
	if v := l.cell(colNotice); v != "" {
		t.NoticeMonths, _ = l.count(colNotice, v)
	}
	return t
}

// count reads a whole number of months.
func (l *importLine) count(col, v string) (int, bool) {
	n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(strings.TrimSuffix(v, "mois")), ".0"))
	if err != nil || n < 0 || n > 1200 {
		l.fail(col, "« %s » n'est pas un nombre de mois valide (nombre entier, ex. 36)", v)
		return 0, false
	}
	return n, true
}

func (l *importLine) yesNo(col string) bool {
	switch v := l.cell(col); foldCode(v) {
	case "", "non", "n", "faux", "false", "0":
		return false
	case "oui", "o", "vrai", "true", "1":
		return true
	default:
		l.fail(col, "« %s » n'est pas une réponse valide (oui ou non)", v)
		return false
	}
}

func (l *importLine) date(col string) civil.Date {
	v := l.cell(col)
	if v == "" {
		return civil.Date{}
	}
	d, ok := parseImportDate(v, l.p.xlsx)
	if !ok {
		l.fail(col, "« %s » n'est pas une date valide (AAAA-MM-JJ ou JJ/MM/AAAA)", v)
	}
	return d
}

var excelSerialPattern = regexp.MustCompile(`^\d{1,6}(\.\d+)?$`)

// parseImportDate reads "2026-04-30" or "30/04/2026", and in a workbook the
// serial number a date cell holds.
func parseImportDate(v string, xlsx bool) (civil.Date, bool) {
	if d, err := civil.ParseFrench(v); err == nil {
		return d, true
	}
	if xlsx && excelSerialPattern.MatchString(v) {
		// Serial numbers of 1 January 1950 to 31 December 2099: a bare
		// year or count typed in a date column is no date.
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 18264 || f > 73415 {
			return civil.Date{}, false
		}
		t, err := excelize.ExcelDateToTime(f, false)
		if err != nil {
			return civil.Date{}, false
		}
		return civil.Of(t), true
	}
	return civil.Date{}, false
}

// amountPattern matches what can only be meant as an amount.
var amountPattern = regexp.MustCompile(`^[+\-−]?[0-9][0-9\s\x{00a0}\x{202f}.,]*\s*(€|EUR|eur)?$`)

// financial reads the financial mode and the amount or key, which become
// the financial article's summary.
func (l *importLine) financial(spec Spec, kindOK bool) Financial {
	var f Financial
	v := l.cell(colMode)
	if v == "" {
		l.fail(colMode, "le mode financier est obligatoire")
	} else {
		fv := foldCode(v)
		for _, m := range []FinancialMode{ActualCostByKey, UnitPrice, SalaryProRata, FixedPrice, CallsForFunds, NoFlow} {
			if fv == string(m) || fv == foldCode(m.Label()) {
				f.Mode = m
			}
		}
		switch {
		case f.Mode == "":
			l.fail(colMode, "« %s » n'est pas un mode financier connu (cout_reel_cle, prix_unitaire, prorata_remuneration, forfait, appels_de_fonds, sans_flux)", v)
		case kindOK && !spec.Allows(f.Mode):
			var codes []string
			for _, m := range spec.FinancialModes {
				codes = append(codes, string(m))
			}
			l.fail(colMode, "le mode « %s » n'est pas admis pour une convention « %s » (modes admis : %s)", f.Mode, spec.Label, strings.Join(codes, ", "))
		}
	}
	amount := l.cell(colAmount)
	if amount == "" {
		return f
	}
	label := upperFirstRune(f.Mode.Label())
	if amountPattern.MatchString(amount) {
		c, err := money.Parse(amount)
		if err != nil {
			l.fail(colAmount, "« %s » n'est pas un montant valide (ex. 12 500,00 € ou 12500.00)", amount)
			return f
		}
		f.Summary = label + " : " + c.String() + "."
		return f
	}
	f.Summary = label + " : " + amount
	if !strings.HasSuffix(amount, ".") {
		f.Summary += "."
	}
	return f
}

func upperFirstRune(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError {
		return s
	}
	return string(unicode.ToUpper(r)) + s[size:]
}

// object puts the objet column where the kind's first clause is read from:
// the structured field that fills it, or the clause's text.
func (l *importLine) object(spec Spec, c *Content) {
	v := l.cell(colObject)
	if v == "" || len(spec.Clauses) == 0 {
		return
	}
	switch id := spec.Clauses[0].ID; id {
	case ClauseBesoins:
		c.PurchasingGroup.Needs = v
	case ClauseCompetences:
		c.Delegation.Competence = v
	case ClauseOuvrage:
		c.ProjectOwnership.Work = v
	case ClauseEquipement:
		c.Equipment.Equipment = v
	default:
		c.Clauses = append(c.Clauses, Clause{ID: id, Text: v})
	}
}

// secondment reads the agent and the quotité of a mise à disposition de
// personnel; its "sans flux" mode is the waiver of repayment, whose reason
// is the text of the remboursement clause.
func (l *importLine) secondment(spec Spec, c *Content) {
	agent, q := l.cell(colAgent), l.cell(colQuotite)
	if spec.Kind != MADPersonnel {
		if agent != "" {
			l.fail(colAgent, "l'agent ne se renseigne que pour une mise à disposition de personnel")
		}
		if q != "" {
			l.fail(colQuotite, "la quotité ne se renseigne que pour une mise à disposition de personnel")
		}
		return
	}
	c.Secondment.Agent = agent
	if q != "" {
		f, ok := parseQuotiteCell(q)
		if !ok {
			l.fail(colQuotite, "« %s » n'est pas une quotité valide (ex. 30 %%, 27,5 %% ou 14/35)", q)
		}
		c.Secondment.Quotite = f
	}
	if c.Financial.Mode == NoFlow {
		c.Secondment.RepaymentWaived = true
		if i, ok := l.p.header[clauseColumnOf+string(ClauseRemboursement)]; ok && i < len(l.rec.cells) {
			c.Secondment.WaiverReason = strings.TrimSpace(l.rec.cells[i])
		}
	}
}

var percentPattern = regexp.MustCompile(`^(\d{1,3})(?:[.,](\d{1,2}))?\s*%$`)

// parseQuotiteCell reads "30 %", "27,5 %", "14/35" or "1".
func parseQuotiteCell(v string) (Fraction, bool) {
	v = strings.ReplaceAll(strings.ReplaceAll(v, "\u00a0", " "), "\u202f", " ")
	if m := percentPattern.FindStringSubmatch(strings.TrimSpace(v)); m != nil {
		whole, _ := strconv.ParseInt(m[1], 10, 64)
		den := int64(100)
		num := whole
		if m[2] != "" {
			dec, _ := strconv.ParseInt(m[2], 10, 64)
			scale := int64(10)
			if len(m[2]) == 2 {
				scale = 100
			}
			num, den = whole*scale+dec, 100*scale
		}
		f := Fraction{Num: num, Den: den}
		return f, num > 0 && num <= den
	}
	f, err := ParseFraction(v)
	return f, err == nil && f.Num > 0 && f.Num <= f.Den
}

// clauseColumns reads the clause_<code> columns.
func (l *importLine) clauseColumns(c *Content) {
	ids := make([]ClauseID, 0, len(l.p.clauses))
	for id := range l.p.clauses {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b ClauseID) int { return cmp.Compare(l.p.header[l.p.clauses[a]], l.p.header[l.p.clauses[b]]) })
	for _, id := range ids {
		text := l.cell(l.p.clauses[id])
		if text == "" {
			continue
		}
		if i := slices.IndexFunc(c.Clauses, func(cl Clause) bool { return cl.ID == id }); i >= 0 {
			l.fail(l.p.clauses[id], "cette clause est déjà donnée par la colonne « %s »", colObject)
			continue
		}
		c.Clauses = append(c.Clauses, Clause{ID: id, Text: text})
	}
}

// approvals reads the approbations column: "nature:partie:date[:numéro]"
// entries separated by ";".
func (l *importLine) approvals(refs []string, a Agreement) []Approval {
	v := l.cell(colApprovals)
	if v == "" {
		return nil
	}
	var out []Approval
	for _, item := range strings.FieldsFunc(v, func(r rune) bool { return r == ';' || r == '\n' || r == '\r' }) {
		if item = strings.TrimSpace(item); item == "" {
			continue
		}
		parts := strings.Split(item, ":")
		if len(parts) < 3 || len(parts) > 4 {
			l.fail(colApprovals, "« %s » ne suit pas la forme nature:partie:date[:numéro] (ex. deliberation:12202:2026-05-20:2026-045)", item)
			continue
		}
		var ap Approval
		kind := foldCode(parts[0])
		for _, k := range []ApprovalKind{Deliberation, AgentConsent, CouncilInformation, CSTOpinion, Arrete, PrefectOrder, AccountantApproval} {
			if kind == string(k) || kind == foldCode(k.Label()) {
				ap.Kind = k
			}
		}
		if ap.Kind == "" {
			l.fail(colApprovals, "« %s » n'est pas une nature d'approbation connue (deliberation, accord_agent, information_assemblee, avis_cst, arrete, arrete_prefectoral, accord_comptable)", strings.TrimSpace(parts[0]))
			continue
		}
		party := Party{}
		if code := strings.TrimSpace(parts[1]); code != "" {
			i := slices.Index(refs, normaliseOrgCode(code))
			if i < 0 || i >= len(a.Parties) {
				l.fail(colApprovals, "« %s » n'est pas une partie de cette convention", code)
				continue
			}
			party = a.Parties[i]
			ap.OrgID = party.OrgID
		} else if ap.Kind != PrefectOrder {
			l.fail(colApprovals, "indiquez la partie dont émane l'acte « %s »", item)
			continue
		}
		d, ok := parseImportDate(strings.TrimSpace(parts[2]), false)
		if !ok {
			l.fail(colApprovals, "« %s » n'est pas une date valide (AAAA-MM-JJ ou JJ/MM/AAAA)", strings.TrimSpace(parts[2]))
			continue
		}
		ap.Date = d
		if len(parts) == 4 {
			ap.Number = strings.TrimSpace(parts[3])
		}
		ap.Body = DefaultBody(party.Kind, ap.Kind)
		out = append(out, ap)
	}
	return out
}

// signature reads the date of signature and the status: a signed
// convention gets every signatory's signature on that date.
func (l *importLine) signature(spec Spec, a *Agreement) {
	signed := l.date(colSigned)
	status := Status("")
	if v := l.cell(colStatus); v != "" {
		f := foldCode(v)
		for _, s := range []Status{Draft, Submitted, Approved, Signed, InForce, Expired, Terminated} {
			if f == string(s) || f == foldCode(s.Label()) {
				status = s
			}
		}
		switch {
		case status == "":
			l.fail(colStatus, "« %s » n'est pas un statut connu (brouillon, soumise, approuvee, signee, en_vigueur, expiree, resiliee)", v)
			return
		case status.atLeast(Signed) && signed.IsZero():
			l.fail(colSigned, "une convention au statut « %s » doit porter sa date de signature", status.Label())
			return
		case !status.atLeast(Signed) && !signed.IsZero():
			l.fail(colStatus, "une convention signée le %s ne peut pas être au statut « %s »", signed.French(), status.Label())
			return
		}
	}
	if !signed.IsZero() {
		if signed.After(l.p.today) {
			l.fail(colSigned, "la date de signature (%s) est dans le futur", signed.French())
			return
		}
		for _, p := range a.signatories() {
			a.Signatures = append(a.Signatures, Signature{OrgID: p.OrgID, Date: signed, Signatory: p.Representative.Name})
		}
	}
	switch {
	case status != "":
		a.Status = status
	case !signed.IsZero():
		a.Status = Signed
		*a = Refresh(*a, l.p.today)
	default:
		a.Status = Draft
	}
}

// columnOf returns the column a violation's field comes from, or "" when
// it concerns the whole line.
func (l *importLine) columnOf(field string, spec Spec) string {
	switch {
	case field == "parties":
		return colOthers
	case strings.HasPrefix(field, "parties[0]"):
		return colLead
	case strings.HasPrefix(field, "parties["):
		return colOthers
	case field == "term.start":
		return colStart
	case field == "term.end":
		if l.cell(colEnd) == "" && l.cell(colDuration) != "" {
			return colDuration
		}
		return colEnd
	case field == "term.duration_months", field == "term.until_completion":
		return colDuration
	case field == "term.renewal_months":
		return colTacit
	case field == "financial.mode":
		return colMode
	case strings.HasPrefix(field, "financial."):
		return colAmount
	case strings.HasPrefix(field, "clauses."):
		id := ClauseID(strings.TrimPrefix(field, "clauses."))
		if len(spec.Clauses) > 0 && spec.Clauses[0].ID == id {
			return colObject
		}
		switch id {
		case ClauseDuree, ClauseDureeRenouvellement, ClauseTerme:
			return colDuration
		case ClausePreavis:
			return colNotice
		case ClauseFinancier, ClauseRemboursement, ClauseAppelsFonds, ClauseFinancementAvances:
			if _, ok := l.p.clauses[id]; !ok {
				return colAmount
			}
		}
		return clauseColumnOf + string(id)
	case field == "secondment.agent":
		return colAgent
	case field == "secondment.quotite":
		return colQuotite
	case field == "secondment.waiver_reason":
		return clauseColumnOf + string(ClauseRemboursement)
	case field == "approvals":
		return colApprovals
	case field == "signatures":
		return colSigned
	}
	return ""
}

// templateColumns are the columns of the downloadable template: every
// named column, with the clause columns its examples use.
var templateColumns = []string{colReference, colKind, colTitle, colLead, colOthers, colStart, colEnd, colDuration,
	colTacit, colNotice, colMode, colAmount, colSigned, colStatus, colObject, colAgent, colQuotite, colApprovals,
	clauseColumnOf + string(ClauseCleRepartition), clauseColumnOf + string(ClauseConditionsEmploi),
	clauseColumnOf + string(ClauseControle), colNotes}

// templateExamples are two conventions between communes of Rodez
// Agglomération, signed, that import without a blocking violation.
var templateExamples = []map[string]string{
	{
		colReference: "ENT-2026-001", colKind: string(Entente), colTitle: "Gestion commune de la piscine intercommunale",
		colLead: "12202", colOthers: "12176:membre;12174:membre",
		colStart: "2026-01-01", colDuration: "36", colTacit: "oui", colNotice: "6",
		colMode: string(ActualCostByKey), colAmount: "50 % selon la population DGF, 50 % selon les entrées des scolaires",
		colSigned:    "2025-12-15",
		colObject:    "Gestion, entretien et exploitation de la piscine intercommunale, équipement d'utilité commune aux trois communes.",
		colApprovals: "deliberation:12202:2025-11-20:2025-112;deliberation:12176:2025-11-24:2025-087;deliberation:12174:2025-11-27:2025-064",
		clauseColumnOf + string(ClauseCleRepartition): "Les frais communs sont répartis pour moitié selon la population DGF de l'année précédente et pour moitié selon le nombre d'entrées des scolaires de chaque commune.",
		colNotes: "Exemple : remplacez ces deux lignes par vos conventions.",
	},
	{
		colReference: "MAD-2026-003", colKind: string(MADPersonnel), colTitle: "Mise à disposition d'un agent du service des sports",
		colLead: "12176", colOthers: "12202:organisme_accueil",
		colStart: "01/01/2026", colEnd: "31/12/2028", colTacit: "non", colNotice: "2",
		colMode: string(SalaryProRata), colAmount: "remboursement trimestriel sur état des rémunérations versées",
		colSigned: "15/12/2025",
		colObject: "Entretien des équipements sportifs de plein air et organisation des manifestations sportives.",
		colAgent:  "Julien Lacan", colQuotite: "30 %",
		colApprovals: "accord_agent:12176:2025-11-10;information_assemblee:12176:2025-11-24;arrete:12176:2025-12-01:A-2025-118",
		clauseColumnOf + string(ClauseConditionsEmploi): "L'organisme d'accueil fixe les conditions de travail de l'agent ; l'administration d'origine gère sa situation administrative.",
		clauseColumnOf + string(ClauseControle):         "Un rapport sur la manière de servir de l'agent est établi chaque année par l'organisme d'accueil.",
	},
}

// Template writes the import template in format FormatCSV (UTF-8 with a
// byte-order mark, ";" separator, as French spreadsheet software expects)
// or FormatXLSX (a "Conventions" sheet and an "Aide" sheet listing the
// columns, the kinds with their roles and clauses, the financial modes,
// statuses and approvals): a header row and two example rows.
func Template(w io.Writer, format string) error {
	rows := [][]string{templateColumns}
	for _, ex := range templateExamples {
		row := make([]string, len(templateColumns))
		for i, c := range templateColumns {
			row[i] = ex[c]
		}
		rows = append(rows, row)
	}
	switch strings.ToLower(format) {
	case FormatCSV:
		if _, err := io.WriteString(w, "\ufeff"); err != nil {
			return fmt.Errorf("agreement: template: %w", err)
		}
		cw := csv.NewWriter(w)
		cw.Comma = ';'
		cw.UseCRLF = true
		if err := cw.WriteAll(rows); err != nil {
			return fmt.Errorf("agreement: template: %w", err)
		}
		return nil
	case FormatXLSX:
		if err := templateXLSX(w, rows); err != nil {
			return fmt.Errorf("agreement: template: %w", err)
		}
		return nil
	}
	return fmt.Errorf("%w: %q", ErrImportFormat, format)
}

func templateXLSX(w io.Writer, rows [][]string) error {
	f := excelize.NewFile()
	defer f.Close()
	const sheet, help = "Conventions", "Aide"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	// Every cell is text, so that a spreadsheet keeps the leading zero of
	// an INSEE code and does not turn a date into a number.
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49, Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
	if err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{NumFmt: 49, Font: &excelize.Font{Bold: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DCE6F1"}}})
	if err != nil {
		return err
	}
	last, _ := excelize.ColumnNumberToName(len(rows[0]))
	if err := f.SetColStyle(sheet, "A:"+last, text); err != nil {
		return err
	}
	if err := f.SetColWidth(sheet, "A", last, 24); err != nil {
		return err
	}
	for i, row := range rows {
		for j, v := range row {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			if err := f.SetCellStr(sheet, cell, v); err != nil {
				return err
			}
		}
	}
	if err := f.SetCellStyle(sheet, "A1", last+"1", bold); err != nil {
		return err
	}
	if err := f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}

	if _, err := f.NewSheet(help); err != nil {
		return err
	}
	if err := f.SetColWidth(help, "A", "A", 34); err != nil {
		return err
	}
	if err := f.SetColWidth(help, "B", "F", 48); err != nil {
		return err
	}
	if err := f.SetColStyle(help, "A:F", text); err != nil {
		return err
	}
	r := 0
	put := func(style int, cells ...string) error {
		r++
		for j, v := range cells {
			cell, _ := excelize.CoordinatesToCellName(j+1, r)
			if err := f.SetCellStr(help, cell, v); err != nil {
				return err
			}
		}
		if style != 0 && len(cells) > 0 {
			end, _ := excelize.CoordinatesToCellName(len(cells), r)
			return f.SetCellStyle(help, "A"+strconv.Itoa(r), end, style)
		}
		return nil
	}
	for _, lines := range helpSections() {
		for i, cells := range lines {
			style := 0
			if i <= 1 && len(lines) > 1 || len(lines) == 1 {
				style = bold
			}
			if err := put(style, cells...); err != nil {
				return err
			}
		}
		r++ // a blank row between sections
	}
	return f.Write(w)
}

// helpSections returns the content of the "Aide" sheet: sections, each a
// title row, a header row and its lines.
func helpSections() [][][]string {
	intro := [][]string{
		{"Import de conventions existantes : une ligne par convention, la première ligne nommant les colonnes (dans n'importe quel ordre). Le fichier est importé en entier ou pas du tout : chaque erreur est signalée avec sa ligne et sa colonne."},
	}
	cols := [][]string{{"Colonnes"}, {"Colonne", "Obligatoire", "Format", "Description"}}
	for _, c := range importColumns {
		req := "non"
		if c.Required {
			req = "oui"
		}
		cols = append(cols, []string{c.Name, req, c.Format, c.Help})
	}
	kinds := [][]string{{"Natures de convention"}, {"Code", "Libellé", "Rôle de la partie principale", "Rôles (code : libellé)", "Modes financiers admis", "Clauses (code : titre)"}}
	for _, s := range catalogue {
		var others, modes, clauses []string
		lead := string(s.LeadRole)
		for _, rs := range s.Roles {
			if rs.Role == s.LeadRole {
				lead = fmt.Sprintf("%s : %s", rs.Role, rs.Label)
			}
			others = append(others, fmt.Sprintf("%s : %s", rs.Role, rs.Label))
		}
		for _, m := range s.FinancialModes {
			modes = append(modes, string(m))
		}
		for _, c := range s.Clauses {
			clauses = append(clauses, fmt.Sprintf("%s : %s (%s)", c.ID, c.Title, c.Level))
		}
		kinds = append(kinds, []string{string(s.Kind), s.Label, lead, strings.Join(others, "\n"), strings.Join(modes, ", "), strings.Join(clauses, "\n")})
	}
	modes := [][]string{{"Modes financiers"}, {"Code", "Libellé"}}
	for _, m := range []FinancialMode{ActualCostByKey, UnitPrice, SalaryProRata, FixedPrice, CallsForFunds, NoFlow} {
		modes = append(modes, []string{string(m), m.Label()})
	}
	statuses := [][]string{{"Statuts"}, {"Code", "Libellé"}}
	for _, st := range []Status{Draft, Submitted, Approved, Signed, InForce, Expired, Terminated} {
		statuses = append(statuses, []string{string(st), st.Label()})
	}
	acts := [][]string{{"Approbations"}, {"Code", "Libellé"}}
	for _, k := range []ApprovalKind{Deliberation, AgentConsent, CouncilInformation, CSTOpinion, Arrete, PrefectOrder, AccountantApproval} {
		acts = append(acts, []string{string(k), k.Label()})
	}
	return [][][]string{intro, cols, kinds, modes, statuses, acts}
}
