// Package org holds the organisations that act in Voisines: every commune and
// EPCI of the imported territory, and the syndicats, commissions syndicales,
// départements, attached public bodies and associations created by users.
//
// Communes and EPCI come only from the territory import; the other kinds are
// created by platform admins (Create). Each organisation's own members keep
// its public profile up to date (UpdateProfile), with optimistic concurrency
// on its version. Reads are public: an organisation's identity and contact
// details are not private data.
package org

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"voisines/internal/audit"
	"voisines/internal/auth"
	"voisines/internal/store"
	"voisines/internal/validate"
)

// Kind is the legal nature of an organisation (domain.md §1).
type Kind string

// The kinds of organisation.
const (
	Commune             Kind = "commune"
	EPCI                Kind = "epci"
	SyndicatCommunes    Kind = "syndicat_communes" // SIVU / SIVOM
	SyndicatMixte       Kind = "syndicat_mixte"
	CommissionSyndicale Kind = "commission_syndicale" // CGCT L5222-1, biens indivis
	Departement         Kind = "departement"
	Region              Kind = "region"
	EPARattache         Kind = "epa_rattache" // CCAS/CIAS, caisse des écoles
	Association         Kind = "association"
	OrganismePrive      Kind = "organisme_prive"
)

// Creatable lists the kinds Create accepts: every kind but communes and
// EPCI, which come only from the territory import.
var Creatable = []Kind{SyndicatCommunes, SyndicatMixte, CommissionSyndicale, Departement, Region,
	EPARattache, Association, OrganismePrive}

// Label is the kind's French name, for pages.
func (k Kind) Label() string {
	switch k {
	case Commune:
		return "commune"
	case EPCI:
		return "EPCI à fiscalité propre"
	case SyndicatCommunes:
		return "syndicat de communes (SIVU, SIVOM)"
	case SyndicatMixte:
		return "syndicat mixte"
	case CommissionSyndicale:
		return "commission syndicale"
	case Departement:
		return "département"
	case Region:
		return "région"
	case EPARattache:
		return "établissement public rattaché (CCAS, caisse des écoles)"
	case Association:
		return "association"
	case OrganismePrive:
		return "organisme privé"
	}
	return string(k)
}

// Public reports whether organisations of this kind are public bodies
// (public buyers under the CCP and employers of civil servants).
func (k Kind) Public() bool {
	switch k {
	case Commune, EPCI, SyndicatCommunes, SyndicatMixte, CommissionSyndicale, Departement, Region, EPARattache:
		return true
	}
	return false
}

// Valid reports whether k is one of the kinds.
func (k Kind) Valid() bool {
	return k == Commune || k == EPCI || k.creatable()
}

func (k Kind) creatable() bool {
	for _, c := range Creatable {
		if k == c {
			return true
		}
	}
	return false
}

// Organisation is an organisation with its public contact details.
type Organisation struct {
	ID              int64     `json:"id"`
	Kind            Kind      `json:"kind"`
	Name            string    `json:"name"`
	SIREN           string    `json:"siren,omitempty"`
	CommuneCode     string    `json:"commune_code,omitempty"`
	EPCISIREN       string    `json:"epci_siren,omitempty"`
	DepartementCode string    `json:"departement,omitempty"`
	Profile         Profile   `json:"profile"`
	Version         int64     `json:"version"`
	UpdatedAt       time.Time `json:"updated_at"`
}

// Profile is the part of an organisation its own members keep up to date.
type Profile struct {
	Address        string `json:"address"`
	Email          string `json:"email"`
	Phone          string `json:"phone"`
	Website        string `json:"website"`
	Representative string `json:"representative"` // mayor, president
}

// Service reads and changes organisations.
type Service struct {
	db *store.DB
}

// New returns a Service over db.
func New(db *store.DB) *Service { return &Service{db: db} }

// ValidateSIREN checks a SIREN: nine digits whose last is the Luhn check
// digit. The error is a validate.FieldError for the field "siren".
func ValidateSIREN(s string) error {
	if len(s) != 9 || strings.Trim(s, "0123456789") != "" {
		return validate.FieldError{Field: "siren", Message: validate.Quote(s) + " n'est pas un SIREN valide (9 chiffres)"}
	}
	if !validate.Luhn(s) {
		return validate.FieldError{Field: "siren", Message: validate.Quote(s) + " n'est pas un SIREN valide (clé de Luhn)"}
	}
	return nil
}

// NormalizeSIREN removes the spaces people type in a SIREN ("211 202 023").
func NormalizeSIREN(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '\u00a0' || r == '\u202f' {
			return -1
		}
		return r
	}, strings.TrimSpace(s))
}

var departementCode = regexp.MustCompile(`^(0[1-9]|1[0-9]|2[1-9AB]|[3-8][0-9]|9[0-5]|97[1-6])$`)

// ValidateDepartement checks the form of a département code of the COG:
// "01"…"95" (without "20"), "2A", "2B", "971"…"976".
func ValidateDepartement(code string) error {
	if !departementCode.MatchString(code) {
		return validate.FieldError{Field: "departement", Message: validate.Quote(code) + " n'est pas un code de département (par exemple 12, 2A ou 974)"}
	}
	return nil
}

// normalize trims the profile and checks each field, returning the
// normalised profile (a web site typed without https:// gets it).
func (p Profile) normalize() (Profile, error) {
	var errs validate.Errors
	p.Address = strings.TrimSpace(p.Address)
	p.Email = strings.TrimSpace(p.Email)
	p.Phone = strings.TrimSpace(p.Phone)
	p.Website = strings.TrimSpace(p.Website)
	p.Representative = strings.TrimSpace(p.Representative)
	errs.Check(validate.MaxLen("address", p.Address, 500))
	if p.Email != "" {
		errs.Check(validate.Email("email", p.Email))
	}
	if p.Phone != "" {
		errs.Check(validate.Phone("phone", p.Phone))
	}
	if p.Website != "" {
		var err error
		p.Website, err = validate.Website("website", p.Website)
		errs.Check(err)
	}
	errs.Check(validate.MaxLen("representative", p.Representative, 200))
	return p, errs.Err()
}

const columns = `id, kind, name, siren, commune_code, epci_siren, departement_code,
	address, email, phone, website, representative, version, updated_at`

func scan(row interface{ Scan(...any) error }) (Organisation, error) {
	var o Organisation
	var siren, commune, epci sql.NullString
	err := row.Scan(&o.ID, &o.Kind, &o.Name, &siren, &commune, &epci, &o.DepartementCode,
		&o.Profile.Address, &o.Profile.Email, &o.Profile.Phone, &o.Profile.Website, &o.Profile.Representative,
		&o.Version, &o.UpdatedAt)
	o.SIREN, o.CommuneCode, o.EPCISIREN = siren.String, commune.String, epci.String
	o.UpdatedAt = o.UpdatedAt.UTC()
	return o, err
}

func (s *Service) one(ctx context.Context, what, where string, args ...any) (Organisation, error) {
	o, err := scan(s.db.Reader().QueryRowContext(ctx, `SELECT `+columns+` FROM organisations WHERE `+where, args...))
	if err != nil {
		return Organisation{}, fmt.Errorf("org: %s: %w", what, store.MapError(err))
	}
	return o, nil
}

// Get returns an organisation by id.
func (s *Service) Get(ctx context.Context, id int64) (Organisation, error) {
	return s.one(ctx, "organisation "+strconv.FormatInt(id, 10), `id = ?`, id)
}

// ByCommune returns the organisation of the commune with INSEE code code.
func (s *Service) ByCommune(ctx context.Context, code string) (Organisation, error) {
	return s.one(ctx, "commune "+code, `commune_code = ?`, code)
}

// BySIREN returns the organisation with that SIREN (an EPCI is also found by
// its epci_siren).
func (s *Service) BySIREN(ctx context.Context, siren string) (Organisation, error) {
	return s.one(ctx, "SIREN "+siren, `siren = ? OR epci_siren = ? ORDER BY id LIMIT 1`, siren, siren)
}

var communeCode = regexp.MustCompile(`^([0-9]{5}|2[AB][0-9]{3})$`)

// Resolve finds an organisation from what a person types on a command line:
// an INSEE commune code ("12202", "2A004"), a SIREN (nine digits), or an id
// ("42", or "id:42" when the id could be read as a commune code).
func (s *Service) Resolve(ctx context.Context, ref string) (Organisation, error) {
	ref = strings.TrimSpace(ref)
	if id, ok := strings.CutPrefix(ref, "id:"); ok {
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			return Organisation{}, fmt.Errorf("org: %s is not an id: %w", validate.Quote(ref), store.ErrNotFound)
		}
		return s.Get(ctx, n)
	}
	upper := strings.ToUpper(ref)
	switch {
	case communeCode.MatchString(upper):
		return s.ByCommune(ctx, upper)
	case len(NormalizeSIREN(ref)) == 9 && ValidateSIREN(NormalizeSIREN(ref)) == nil:
		return s.BySIREN(ctx, NormalizeSIREN(ref))
	}
	n, err := strconv.ParseInt(ref, 10, 64)
	if err != nil {
		return Organisation{}, fmt.Errorf("org: %s is neither a commune code, a SIREN nor an id: %w", validate.Quote(ref), store.ErrNotFound)
	}
	return s.Get(ctx, n)
}

// Filter selects organisations for List. Empty fields do not filter.
type Filter struct {
	Name        string // part of the name, case-insensitive
	SIREN       string // exact SIREN (an EPCI's too)
	CommuneCode string // exact INSEE code
	Kind        Kind
	Departement string
	Limit       int // 50 when 0, at most 500
	Offset      int
}

// Query is what Search looks for: Text is a part of the name, a SIREN or an
// INSEE commune code.
type Query struct {
	Text        string
	Kind        Kind
	Departement string
	Limit       int // 50 when 0, at most 500
}

// Search returns the first organisations matching q, by name: those with
// that SIREN or commune code when q.Text is one, else those whose name
// contains q.Text.
func (s *Service) Search(ctx context.Context, q Query) ([]Organisation, error) {
	f := Filter{Kind: q.Kind, Departement: q.Departement, Limit: q.Limit}
	text := strings.TrimSpace(q.Text)
	switch siren := NormalizeSIREN(text); {
	case len(siren) == 9 && strings.Trim(siren, "0123456789") == "":
		f.SIREN = siren
	case communeCode.MatchString(strings.ToUpper(text)):
		f.CommuneCode = strings.ToUpper(text)
	default:
		f.Name = text
	}
	page, err := s.List(ctx, f)
	if err != nil {
		return nil, err
	}
	return page.Items, nil
}

// Page is one page of a List.
type Page struct {
	Items  []Organisation `json:"items"`
	Total  int            `json:"total"` // matching organisations, all pages
	Limit  int            `json:"limit"`
	Offset int            `json:"offset"`
}

// List returns the organisations matching f, by name, one page at a time.
// Name matching ignores case (on SQLite, for unaccented letters only) but
// not accents: search communes by name through the territory package.
func (s *Service) List(ctx context.Context, f Filter) (Page, error) {
	switch {
	case f.Limit <= 0:
		f.Limit = 50
	case f.Limit > 500:
		f.Limit = 500
	}
	f.Offset = max(f.Offset, 0)
	var where []string
	var args []any
	if name := strings.TrimSpace(f.Name); name != "" {
		like := "LIKE"
		if s.db.Dialect == store.Postgres {
			like = "ILIKE"
		}
		where = append(where, `name `+like+` ? ESCAPE '\'`)
		args = append(args, "%"+escapeLike(name)+"%")
	}
	if f.SIREN != "" {
		where = append(where, `(siren = ? OR epci_siren = ?)`)
		args = append(args, f.SIREN, f.SIREN)
	}
	if f.CommuneCode != "" {
		where = append(where, `commune_code = ?`)
		args = append(args, f.CommuneCode)
	}
	if f.Kind != "" {
		where = append(where, `kind = ?`)
		args = append(args, string(f.Kind))
	}
	if f.Departement != "" {
		where = append(where, `departement_code = ?`)
		args = append(args, strings.ToUpper(f.Departement))
	}
	cond := ""
	if len(where) > 0 {
		cond = ` WHERE ` + strings.Join(where, ` AND `)
	}
	q := s.db.Reader()
	page := Page{Items: []Organisation{}, Limit: f.Limit, Offset: f.Offset}
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM organisations`+cond, args...).Scan(&page.Total); err != nil {
		return Page{}, fmt.Errorf("org: list: %w", err)
	}
	rows, err := q.QueryContext(ctx, `SELECT `+columns+` FROM organisations`+cond+` ORDER BY name, id LIMIT ? OFFSET ?`,
		append(args, f.Limit, f.Offset)...)
	if err != nil {
		return Page{}, fmt.Errorf("org: list: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		o, err := scan(rows)
		if err != nil {
			return Page{}, fmt.Errorf("org: list: %w", err)
		}
		page.Items = append(page.Items, o)
	}
	if err := rows.Err(); err != nil {
		return Page{}, fmt.Errorf("org: list: %w", err)
	}
	return page, nil
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// NewOrganisation is what Create needs.
type NewOrganisation struct {
	Kind            Kind
	Name            string
	SIREN           string // optional; spaces are removed
	DepartementCode string // optional
	Profile         Profile
}

// Create adds an organisation of one of the Creatable kinds; only platform
// admins (and the system actor) may. Invalid fields are validate.Errors
// (kind, name, siren, departement, and the profile's fields); a SIREN
// already held by another organisation is store.ErrConflict.
func (s *Service) Create(ctx context.Context, actor auth.Actor, n NewOrganisation) (Organisation, error) {
	if err := auth.RequirePlatformAdmin(actor); err != nil {
		return Organisation{}, fmt.Errorf("org: create: %w", err)
	}
	var errs validate.Errors
	n.Kind = Kind(strings.TrimSpace(string(n.Kind)))
	switch {
	case n.Kind == Commune || n.Kind == EPCI:
		errs.Add("kind", "les communes et les EPCI viennent de l'import du territoire officiel, ils ne se créent pas à la main")
	case !n.Kind.creatable():
		names := make([]string, len(Creatable))
		for i, k := range Creatable {
			names[i] = string(k)
		}
		errs.Add("kind", "%s n'est pas un type d'organisme (%s)", validate.Quote(string(n.Kind)), strings.Join(names, ", "))
	}
	n.Name = strings.TrimSpace(n.Name)
	if n.Name == "" {
		errs.Add("name", "le nom est obligatoire")
	} else {
		errs.Check(validate.MaxLen("name", n.Name, 200))
	}
	if n.SIREN = NormalizeSIREN(n.SIREN); n.SIREN != "" {
		errs.Check(ValidateSIREN(n.SIREN))
	}
	if n.DepartementCode = strings.ToUpper(strings.TrimSpace(n.DepartementCode)); n.DepartementCode != "" {
		errs.Check(ValidateDepartement(n.DepartementCode))
	}
	p, err := n.Profile.normalize()
	errs.Check(err)
	if err := errs.Err(); err != nil {
		return Organisation{}, err
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	var id int64
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		if n.SIREN != "" {
			var holder string
			err := tx.QueryRowContext(ctx, `SELECT name FROM organisations WHERE siren = ? OR epci_siren = ?`, n.SIREN, n.SIREN).Scan(&holder)
			if err == nil {
				return fmt.Errorf("%w: le SIREN %s est déjà celui de %s", store.ErrConflict, validate.Quote(n.SIREN), holder)
			} else if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO organisations (kind, name, siren, departement_code,
			address, email, phone, website, representative, version, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id`,
			string(n.Kind), n.Name, nullString(n.SIREN), n.DepartementCode,
			p.Address, p.Email, p.Phone, p.Website, p.Representative, now, now).Scan(&id); err != nil {
			return store.MapError(err)
		}
		return audit.Record(ctx, tx, actor.Audit(id, "organisation.create", "organisation", strconv.FormatInt(id, 10),
			map[string]any{"kind": n.Kind, "name": n.Name, "siren": n.SIREN, "departement": n.DepartementCode, "profile": p}))
	})
	if err != nil {
		return Organisation{}, fmt.Errorf("org: create %s: %w", n.Name, err)
	}
	return s.Get(ctx, id)
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// UpdateProfile changes an organisation's profile. version is the version the
// user saw; an older one is refused with store.ErrConflict. The actor needs
// auth.Write on the organisation (a clerk, elected member or admin of it, or
// a platform admin). Invalid fields are validate.Errors (address, email,
// phone, website, representative). The change is audited with the old and
// new value of every field that changed; a profile equal to the stored one
// writes nothing.
func (s *Service) UpdateProfile(ctx context.Context, actor auth.Actor, id, version int64, p Profile) (Organisation, error) {
	if err := auth.Authorize(actor, auth.Write, id); err != nil {
		return Organisation{}, fmt.Errorf("org: update profile of %d: %w", id, err)
	}
	p, err := p.normalize()
	if err != nil {
		return Organisation{}, err
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		cur, err := scan(tx.QueryRowContext(ctx, `SELECT `+columns+` FROM organisations WHERE id = ?`, id))
		if err != nil {
			return store.MapError(err)
		}
		if cur.Version != version {
			return staleVersion(cur, version)
		}
		changes := diff(cur.Profile, p)
		if len(changes) == 0 {
			return nil
		}
		res, err := tx.ExecContext(ctx, `UPDATE organisations SET address = ?, email = ?, phone = ?, website = ?,
			representative = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
			p.Address, p.Email, p.Phone, p.Website, p.Representative, now, id, version)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n != 1 {
			// A concurrent update committed between our read and our write.
			return staleVersion(cur, version)
		}
		return audit.Record(ctx, tx, actor.Audit(id, "organisation.update_profile", "organisation", strconv.FormatInt(id, 10),
			map[string]any{"version": version + 1, "changes": changes}))
	})
	if err != nil {
		return Organisation{}, fmt.Errorf("org: update profile of %d: %w", id, err)
	}
	return s.Get(ctx, id)
}

func staleVersion(cur Organisation, version int64) error {
	return fmt.Errorf("%w: le profil de %s a été modifié entre-temps (version %d enregistrée, vous modifiiez la version %d) ; rechargez la page et refaites vos changements",
		store.ErrConflict, cur.Name, cur.Version, version)
}

// diff lists the fields of the profile that change, with their old and new
// values, under their JSON names.
func diff(old, new Profile) map[string][2]string {
	changes := map[string][2]string{}
	add := func(field, a, b string) {
		if a != b {
			changes[field] = [2]string{a, b}
		}
	}
	add("address", old.Address, new.Address)
	add("email", old.Email, new.Email)
	add("phone", old.Phone, new.Phone)
	add("website", old.Website, new.Website)
	add("representative", old.Representative, new.Representative)
	return changes
}
