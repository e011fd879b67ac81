package agreement

import (
	"cmp"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"voisines/internal/auth"
	"voisines/internal/civil"
	"voisines/internal/validate"
)

// Filter selects conventions for List. Empty fields do not filter.
type Filter struct {
	// OrgID is the organisation whose register it is: conventions it is or
	// was party to. The actor must belong to it. 0 means every organisation
	// of the actor (every convention for a platform admin).
	OrgID int64 `json:"org_id,omitempty"`
	// Partner keeps the conventions another organisation is party to.
	Partner int64  `json:"partner,omitempty"`
	Kind    Kind   `json:"kind,omitempty"`
	Status  Status `json:"status,omitempty"`
	// Year keeps the conventions that apply on some day of that year (from
	// their start to their last day); one with no start date yet counts in
	// the year of its reference.
	Year int `json:"year,omitempty"`
	// Text is part of the title, of the reference (or the one known before
	// Voisines) or of a party's name,
	// ignoring case (on SQLite, for unaccented letters only).
	Text   string `json:"text,omitempty"`
	Limit  int    `json:"limit,omitempty"` // 50 when 0, at most 500
	Offset int    `json:"offset,omitempty"`
}

// Summary is a convention as a register lists it.
type Summary struct {
	ID                int64          `json:"id"`
	Reference         string         `json:"reference"`
	ExternalReference string         `json:"external_reference,omitempty"`
	Kind              Kind           `json:"kind"`
	KindLabel         string         `json:"kind_label"`
	Status            Status         `json:"status"`
	StatusLabel       string         `json:"status_label"`
	Title             string         `json:"title"`
	Start             civil.Date     `json:"start,omitzero"`
	End               civil.Date     `json:"end,omitzero"` // LastDay
	Parties           []PartySummary `json:"parties"`
	Version           int64          `json:"version"`
	UpdatedAt         time.Time      `json:"updated_at"`
}

// PartySummary is a party as a register lists it.
type PartySummary struct {
	OrgID     int64  `json:"org_id"`
	Name      string `json:"name"`
	Role      Role   `json:"role"`
	RoleLabel string `json:"role_label"`
}

// Page is one page of a List.
type Page struct {
	Items  []Summary `json:"items"`
	Total  int       `json:"total"` // matching conventions, all pages
	Limit  int       `json:"limit"`
	Offset int       `json:"offset"`
}

// roleLabel is the role's label fitted to the kind of convention.
func roleLabel(k Kind, r Role) string {
	if spec, ok := Lookup(k); ok {
		if rs, ok := spec.Role(r); ok {
			return rs.Label
		}
	}
	return r.Label()
}

// Summarize returns the register line of r.
func Summarize(r Record) Summary {
	a := r.Agreement
	start, end, _ := columnsOf(a)
	s := Summary{ID: r.ID, Reference: r.Reference, ExternalReference: r.ExternalReference, Kind: a.Kind, KindLabel: a.Kind.Label(), Status: a.Status,
		StatusLabel: a.Status.Label(), Title: a.Title, Start: start, End: end, Version: r.Version, UpdatedAt: r.UpdatedAt,
		Parties: make([]PartySummary, len(a.Parties))}
	for i, p := range a.Parties {
		s.Parties[i] = PartySummary{OrgID: p.OrgID, Name: p.Name, Role: p.Role, RoleLabel: roleLabel(a.Kind, p.Role)}
	}
	return s
}

// List returns the register: the conventions of the actor's organisations
// matching f, newest first, one page at a time. Anonymous actors get
// auth.ErrUnauthenticated; naming in f.OrgID an organisation the actor does
// not belong to is auth.ErrForbidden.
func (s *Service) List(ctx context.Context, actor auth.Actor, f Filter) (Page, error) {
	if err := checkActor(actor); err != nil {
		return Page{}, fail("list", 0, err)
	}
	switch {
	case f.Limit <= 0:
		f.Limit = 50
	case f.Limit > 500:
		f.Limit = 500
	}
	f.Offset = max(f.Offset, 0)
	if f.Status != "" && f.Status.Label() == string(f.Status) {
		return Page{}, validate.Errors{{Field: "status", Message: validate.Quote(string(f.Status)) + " n'est pas un statut de convention"}}
	}
	if f.Kind != "" {
		if _, ok := Lookup(f.Kind); !ok {
			return Page{}, validate.Errors{{Field: "kind", Message: validate.Quote(string(f.Kind)) + " n'est pas une nature de convention"}}
		}
	}
	orgs, all := auth.ActsFor(actor, auth.ReadPrivate)
	if f.OrgID != 0 {
		if err := auth.Authorize(actor, auth.ReadPrivate, f.OrgID); err != nil {
			return Page{}, fail("list", 0, err)
		}
	}
	page := Page{Items: []Summary{}, Limit: f.Limit, Offset: f.Offset}
	if !all && len(orgs) == 0 {
		return page, nil
	}
	records, total, err := listRecords(ctx, s.db.Reader(), f, orgs, all)
	if err != nil {
		return Page{}, fail("list", 0, err)
	}
	page.Total = total
	for _, r := range records {
		page.Items = append(page.Items, Summarize(r))
	}
	return page, nil
}

// DefaultAlertDays is how far ahead Alerts looks when told 0 days.
const DefaultAlertDays = 60

// OrgAlert is an alert of one of an organisation's conventions.
type OrgAlert struct {
	Alert
	Reference string `json:"reference"`
	Title     string `json:"title"`
}

// Alerts returns what organisation orgID must do or know about its live
// conventions as of today, looking days ahead (DefaultAlertDays when 0):
// conventions expiring or whose tacit renewal must be stopped, approvals it
// must record, unit-cost notification deadlines (D5211-16), equipment used
// for a year without convention (L1311-15), conférence decisions to
// ratify. The rules are those of alerts.go; only the alerts addressed to
// orgID or to every party are kept. Earliest due first, undated last. The
// actor needs auth.ReadPrivate on orgID.
func (s *Service) Alerts(ctx context.Context, actor auth.Actor, orgID int64, days int) ([]OrgAlert, error) {
	if err := checkActor(actor); err != nil {
		return nil, fail("alerts", 0, err)
	}
	if days < 0 {
		return nil, validate.Errors{{Field: "days", Message: "le nombre de jours ne peut pas être négatif"}}
	}
	if days == 0 {
		days = DefaultAlertDays
	}
	if err := auth.Authorize(actor, auth.ReadPrivate, orgID); err != nil {
		return nil, fail("alerts", 0, err)
	}
	records, err := liveRecordsOf(ctx, s.db.Reader(), orgID)
	if err != nil {
		return nil, fail("alerts", 0, err)
	}
	asOf := s.today()
	out := []OrgAlert{}
	for _, r := range records {
		for _, al := range Alerts(Refresh(r.Agreement, asOf), asOf, days) {
			if al.OrgID == 0 || al.OrgID == orgID {
				out = append(out, OrgAlert{Alert: al, Reference: r.Reference, Title: r.Agreement.Title})
			}
		}
	}
	slices.SortStableFunc(out, func(a, b OrgAlert) int {
		switch {
		case a.Due.IsZero() != b.Due.IsZero():
			if a.Due.IsZero() {
				return 1
			}
			return -1
		}
		return cmp.Or(a.Due.Compare(b.Due), cmp.Compare(a.Reference, b.Reference))
	})
	return out, nil
}

// PublicAgreement is a convention in force as the open data publishes it.
// Its fields are the public ones: reference, kind and its label, legal
// basis, title, status, start and last day, and each party's name, SIREN
// and role. Never published: the representatives (personal data), the
// financial terms and amounts, the clauses, the kind-specific terms (an
// agent's name, for a secondment), approvals, signatures, avenants'
// reasons and attachments.
type PublicAgreement struct {
	Reference   string        `json:"reference"`
	Kind        Kind          `json:"kind"`
	KindLabel   string        `json:"kind_label"`
	LegalBasis  []string      `json:"legal_basis"`
	Title       string        `json:"title"`
	Status      Status        `json:"status"`
	StatusLabel string        `json:"status_label"`
	Start       civil.Date    `json:"start"`
	End         civil.Date    `json:"end"` // null when open-ended
	Parties     []PublicParty `json:"parties"`
}

// PublicParty is a party as the open data publishes it.
type PublicParty struct {
	Name      string `json:"name"`
	SIREN     string `json:"siren"`
	Role      Role   `json:"role"`
	RoleLabel string `json:"role_label"`
}

// Public returns the open-data form of a.
func Public(reference string, a Agreement) PublicAgreement {
	spec, _ := Lookup(a.Kind)
	start, end, _ := columnsOf(a)
	p := PublicAgreement{Reference: reference, Kind: a.Kind, KindLabel: a.Kind.Label(), LegalBasis: []string{},
		Title: a.Title, Status: a.Status, StatusLabel: a.Status.Label(), Start: start, End: end,
		Parties: make([]PublicParty, len(a.Parties))}
	for _, b := range spec.Basis {
		p.LegalBasis = append(p.LegalBasis, b.String())
	}
	for i, party := range a.Parties {
		p.Parties[i] = PublicParty{Name: party.Name, SIREN: party.SIREN, Role: party.Role, RoleLabel: roleLabel(a.Kind, party.Role)}
	}
	return p
}

// OpenData returns the conventions in force today, by reference, in their
// public form. It needs no actor: this is open data. Conventions whose
// stored status lags (signed, started since the last refresh) are judged
// as of today.
func (s *Service) OpenData(ctx context.Context) ([]PublicAgreement, error) {
	records, err := recordsWithStatus(ctx, s.db.Reader(), Signed, InForce)
	if err != nil {
		return nil, fail("open data", 0, err)
	}
	asOf := s.today()
	out := []PublicAgreement{}
	for _, r := range records {
		if a := Refresh(r.Agreement, asOf); a.Status == InForce {
			out = append(out, Public(r.Reference, a))
		}
	}
	return out, nil
}

// OpenDataColumns are the columns of the open-data CSV file, in order.
// Parties are listed in the same order in the three "parties…" columns,
// separated by " ; ".
var OpenDataColumns = []string{"reference", "kind", "kind_label", "legal_basis", "title", "status", "status_label",
	"start", "end", "parties", "parties_siren", "parties_roles"}

// WriteOpenDataCSV writes items as CSV (RFC 4180, UTF-8, comma-separated,
// header line of OpenDataColumns).
func WriteOpenDataCSV(w io.Writer, items []PublicAgreement) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(OpenDataColumns); err != nil {
		return err
	}
	for _, p := range items {
		var names, sirens, roles []string
		for _, party := range p.Parties {
			names = append(names, party.Name)
			sirens = append(sirens, party.SIREN)
			roles = append(roles, party.RoleLabel)
		}
		if err := cw.Write([]string{p.Reference, string(p.Kind), p.KindLabel, strings.Join(p.LegalBasis, " ; "), p.Title,
			string(p.Status), p.StatusLabel, p.Start.String(), p.End.String(),
			strings.Join(names, " ; "), strings.Join(sirens, " ; "), strings.Join(roles, " ; ")}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteOpenDataJSON writes items as an indented JSON array.
func WriteOpenDataJSON(w io.Writer, items []PublicAgreement) error {
	if items == nil {
		items = []PublicAgreement{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(items); err != nil {
		return fmt.Errorf("agreement: open data: %w", err)
	}
	return nil
}
