// Package equipment shares equipment and premises between organisations: a
// gym, a hall, a truck or a road sweeper owned by one commune and used by its
// neighbours (CGCT L1311-15, domain.md §3 F2), and property held undivided by
// several communes (biens indivis, L5222-1 ff., §3 G).
//
// # Catalogue
//
// Each piece of equipment belongs to an owner organisation, whose members
// with the Write right are its managers: they describe it, publish tariffs
// per category of requester, decide on requests and close it for
// maintenance. The catalogue and every equipment's busy/free calendar are
// public; a booking's details (who, why) are visible only to the members of
// the owner and of the requesting organisation.
//
// # No double booking, ever
//
// Bookings are half-open intervals [start, end) on the quarter-hour grid:
// 10:00–12:00 and 12:00–14:00 may both stand. Two active bookings (status
// requested or approved — a pending request holds its slot, first come,
// first served; the owner refuses it to free the slot) or blackouts of one
// equipment never overlap. The database guarantees it on both engines by
// one rule, not two: every active booking holds a row per quarter hour in
// booking_slots, whose primary key (equipment, quarter) lets one quarter be
// held once. It needs no extension, no trigger and no lock: the unique index
// serialises concurrent writers on PostgreSQL (the loser's insert waits for
// the winner to commit, then is refused) and SQLite has one writer.
//
// A single booking is simply inserted: the key is the check. Single
// bookings are written in groups, one transaction and one commit for all
// the requests waiting for the writer (group commit, see writerqueue.go),
// each still accepted or refused alone: its slots are inserted with ON
// CONFLICT DO NOTHING, a booking that did not get all its quarters removes
// what it wrote, and the booking holding the slot (committed, or earlier in
// the same group) is read to tell the user which one ("chevauche une
// réservation existante, lundi 7 septembre 2026 de 10 h à 12 h"). A series
// or a blackout, which may hold hundreds of quarters, looks for the first
// clash in its transaction before writing, so that a series names its
// first clashing session. Either way the error is a *ConflictError
// wrapping store.ErrConflict.
//
// Durability is the store's: a booking is answered only once the
// transaction holding it has committed (SQLite in WAL mode with
// synchronous=NORMAL, PostgreSQL with synchronous_commit on).
//
// Bookings are on the quarter-hour grid (Quarter): a start or an end at
// 10:20 is refused with a message that says so and proposes 10:15 or
// 10:30; the forms step their time inputs by 15 minutes.
//
// A trigger-based check (or, on PostgreSQL, an exclusion constraint
// EXCLUDE USING gist (int8range(equipment_id, equipment_id, '[]') WITH =,
// tstzrange(starts_at, ends_at) WITH &&), which needs no btree_gist) would
// need engine-specific statements, which the migration runner does not
// have; the slot table keeps one portable rule.
//
// # Withdrawing equipment
//
// Deactivating equipment, or closing it for a period, never strands the
// bookings to come silently: see Withdrawal.
//
// # Usage
//
// Held bookings (approved, ended) become usage records (package usage) in
// the equipment's unit, attributed to the requesting organisation and the
// covering convention, by SyncUsage; see Units for the rounding. A use
// between two public authorities without a covering convention is flagged,
// and after a year of such use UncoveredUses raises the L1311-15 alert.
package equipment

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"voisines/internal/money"
	"voisines/internal/store"
	"voisines/internal/territory"
	"voisines/internal/validate"
)

// Kind is what a piece of equipment is.
type Kind string

// The kinds of equipment.
const (
	Hall    Kind = "hall"    // salle polyvalente, salle des fêtes
	Gym     Kind = "gym"     // gymnase
	Pool    Kind = "pool"    // piscine
	Stadium Kind = "stadium" // stade, terrain de sport
	Stage   Kind = "stage"   // scène mobile, podium
	Vehicle Kind = "vehicle" // véhicule, minibus, camion (the 2019 fleet case of L1311-15)
	Machine Kind = "machine" // engin: balayeuse, épareuse, nacelle
	Room    Kind = "room"    // salle de réunion
	Land    Kind = "land"    // terrain
	Other   Kind = "other"
)

// Kinds lists every kind, in the order of the catalogue's menu.
var Kinds = []Kind{Hall, Gym, Pool, Stadium, Stage, Vehicle, Machine, Room, Land, Other}

// Valid reports whether k is one of the kinds.
func (k Kind) Valid() bool {
	for _, x := range Kinds {
		if k == x {
			return true
		}
	}
	return false
}

// Label is the kind's French name.
func (k Kind) Label() string {
	switch k {
	case Hall:
		return "salle polyvalente"
	case Gym:
		return "gymnase"
	case Pool:
		return "piscine"
	case Stadium:
		return "stade ou terrain de sport"
	case Stage:
		return "scène, podium"
	case Vehicle:
		return "véhicule"
	case Machine:
		return "engin, machine"
	case Room:
		return "salle de réunion"
	case Land:
		return "terrain"
	case Other:
		return "autre"
	}
	return string(k)
}

// Unit is the unit in which use is counted and priced.
type Unit string

// The units of use.
const (
	UnitHour    Unit = "hour"
	UnitHalfDay Unit = "half_day"
	UnitDay     Unit = "day"
)

// Valid reports whether u is one of the units.
func (u Unit) Valid() bool { return u == UnitHour || u == UnitHalfDay || u == UnitDay }

// Label is the unit's French name.
func (u Unit) Label() string {
	switch u {
	case UnitHour:
		return "heure"
	case UnitHalfDay:
		return "demi-journée"
	case UnitDay:
		return "journée"
	}
	return string(u)
}

// Approval says how a request becomes approved.
type Approval string

// The approval modes.
const (
	// ApproveManual: the owner's managers decide on every request.
	ApproveManual Approval = "manual"
	// ApproveConvention: requests made under a covering convention are
	// approved at once (the convention already settled the terms); the
	// others wait for a manager.
	ApproveConvention Approval = "convention"
	// ApproveAutomatic: every request is approved at once.
	ApproveAutomatic Approval = "automatic"
)

// Valid reports whether a is one of the modes.
func (a Approval) Valid() bool {
	return a == ApproveManual || a == ApproveConvention || a == ApproveAutomatic
}

// Label is the mode's French wording.
func (a Approval) Label() string {
	switch a {
	case ApproveManual:
		return "validation par le propriétaire"
	case ApproveConvention:
		return "automatique sous convention, sinon validation par le propriétaire"
	case ApproveAutomatic:
		return "automatique"
	}
	return string(a)
}

// Category is a category of requester, for tariffs.
type Category string

// The categories of requester.
const (
	CategoryOwn          Category = "own"           // the owner itself
	CategoryConvention   Category = "convention"    // a party to a covering convention
	CategoryOtherCommune Category = "other_commune" // another commune or public authority
	CategoryAssociation  Category = "association"   // an association or a private body
)

// Label is the category's French name.
func (c Category) Label() string {
	switch c {
	case CategoryOwn:
		return "organisme propriétaire"
	case CategoryConvention:
		return "partie à une convention couvrant l'équipement"
	case CategoryOtherCommune:
		return "autre commune ou collectivité"
	case CategoryAssociation:
		return "association"
	}
	return string(c)
}

// Tariffs are the prices per unit of use by category of requester; nil
// means no published tariff for that category (ask the owner).
type Tariffs struct {
	Own          *money.Cents `json:"own"`
	Convention   *money.Cents `json:"convention"`
	OtherCommune *money.Cents `json:"other_commune"`
	Association  *money.Cents `json:"association"`
}

// For returns the tariff of a category, nil when none is published.
func (t Tariffs) For(c Category) *money.Cents {
	switch c {
	case CategoryOwn:
		return t.Own
	case CategoryConvention:
		return t.Convention
	case CategoryOtherCommune:
		return t.OtherCommune
	case CategoryAssociation:
		return t.Association
	}
	return nil
}

// Equipment is a piece of equipment or premises of the catalogue.
type Equipment struct {
	ID          int64  `json:"id"`
	OwnerOrgID  int64  `json:"owner_org_id"`
	OwnerName   string `json:"owner_name"`
	OwnerKind   string `json:"owner_kind"` // the organisation's kind: commune, epci…
	Name        string `json:"name"`
	Kind        Kind   `json:"kind"`
	Description string `json:"description"`
	// Capacity is the number of people (or seats) admitted; 0 when not
	// stated or meaningless (a machine).
	Capacity    int    `json:"capacity"`
	CommuneCode string `json:"commune_code,omitempty"`
	CommuneName string `json:"commune_name,omitempty"`
	Address     string `json:"address"`
	// Coordinates are the equipment's own; when unknown, distances are
	// measured from its commune's point.
	Coordinates   *territory.Point `json:"coordinates,omitempty"`
	Accessibility string           `json:"accessibility"`
	Rules         string           `json:"rules"`
	Unit          Unit             `json:"unit"`
	Tariffs       Tariffs          `json:"tariffs"`
	Approval      Approval         `json:"approval"`
	Active        bool             `json:"active"`
	Version       int64            `json:"version"`
	CreatedAt     time.Time        `json:"created_at"`
	UpdatedAt     time.Time        `json:"updated_at"`
	// DistanceKm is set in the results of a search near a commune.
	DistanceKm *float64 `json:"distance_km,omitempty"`
	// AlsaceMoselle is set when its commune is under the local law of
	// Alsace-Moselle, whose extra public holidays recurring bookings skip.
	AlsaceMoselle bool `json:"alsace_moselle,omitempty"`
}

// Details is what the owner's managers write about a piece of equipment.
type Details struct {
	Name          string           `json:"name"`
	Kind          Kind             `json:"kind"`
	Description   string           `json:"description"`
	Capacity      int              `json:"capacity"`
	CommuneCode   string           `json:"commune_code"`
	Address       string           `json:"address"`
	Coordinates   *territory.Point `json:"coordinates"`
	Accessibility string           `json:"accessibility"`
	Rules         string           `json:"rules"`
	Unit          Unit             `json:"unit"`
	Tariffs       Tariffs          `json:"tariffs"`
	Approval      Approval         `json:"approval"`
	Active        bool             `json:"active"`
}

// Details returns the writable part of e.
func (e Equipment) Details() Details {
	return Details{Name: e.Name, Kind: e.Kind, Description: e.Description, Capacity: e.Capacity,
		CommuneCode: e.CommuneCode, Address: e.Address, Coordinates: e.Coordinates,
		Accessibility: e.Accessibility, Rules: e.Rules, Unit: e.Unit, Tariffs: e.Tariffs,
		Approval: e.Approval, Active: e.Active}
}

// normalize trims d and checks every field; the commune's existence is
// checked by the caller against the database.
func (d Details) normalize() (Details, error) {
	var errs validate.Errors
	d.Name = strings.TrimSpace(d.Name)
	d.Description = strings.TrimSpace(d.Description)
	d.CommuneCode = strings.ToUpper(strings.TrimSpace(d.CommuneCode))
	d.Address = strings.TrimSpace(d.Address)
	d.Accessibility = strings.TrimSpace(d.Accessibility)
	d.Rules = strings.TrimSpace(d.Rules)
	if d.Name == "" {
		errs.Add("name", "le nom est obligatoire")
	} else {
		errs.Check(validate.MaxLen("name", d.Name, 200))
	}
	if !d.Kind.Valid() {
		errs.Add("kind", "%s n'est pas un type d'équipement (%s)", validate.Quote(string(d.Kind)), kindList())
	}
	errs.Check(validate.MaxLen("description", d.Description, 5000))
	if d.Capacity < 0 || d.Capacity > 1_000_000 {
		errs.Add("capacity", "la capacité est un nombre de personnes, positif")
	}
	if d.CommuneCode != "" && len(d.CommuneCode) != 5 {
		errs.Add("commune_code", "%s n'est pas un code Insee de commune (5 caractères)", validate.Quote(d.CommuneCode))
	}
	errs.Check(validate.MaxLen("address", d.Address, 500))
	if d.Coordinates != nil && !d.Coordinates.Valid() {
		errs.Add("coordinates", "les coordonnées doivent être une latitude et une longitude en degrés")
	}
	errs.Check(validate.MaxLen("accessibility", d.Accessibility, 2000))
	errs.Check(validate.MaxLen("rules", d.Rules, 5000))
	if !d.Unit.Valid() {
		errs.Add("unit", "%s n'est pas une unité d'usage (hour, half_day, day)", validate.Quote(string(d.Unit)))
	}
	for _, c := range []struct {
		field string
		v     *money.Cents
	}{{"tariffs.own", d.Tariffs.Own}, {"tariffs.convention", d.Tariffs.Convention},
		{"tariffs.other_commune", d.Tariffs.OtherCommune}, {"tariffs.association", d.Tariffs.Association}} {
		if c.v != nil && *c.v < 0 {
			errs.Add(c.field, "un tarif ne peut pas être négatif")
		}
	}
	if d.Approval == "" {
		d.Approval = ApproveManual
	}
	if !d.Approval.Valid() {
		errs.Add("approval", "%s n'est pas un mode de validation (manual, convention, automatic)", validate.Quote(string(d.Approval)))
	}
	return d, errs.Err()
}

func kindList() string {
	names := make([]string, len(Kinds))
	for i, k := range Kinds {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}

// Service runs the equipment operations over the database.
type Service struct {
	db     *store.DB
	writer *writerQueue
	// now is the clock; tests move it.
	now func() time.Time
}

// New returns a Service over db.
func New(db *store.DB) *Service {
	return &Service{db: db, writer: newWriterQueue(db), now: time.Now}
}

// WithClock returns a copy of the service reading the time from now, for
// tests and replays; the copy shares the database, statements and writer queue.
func (s *Service) WithClock(now func() time.Time) *Service {
	c := *s
	c.now = now
	return &c
}

// clock returns now in UTC to the microsecond, what both engines keep.
func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// DB returns the database the service works on, for the usage readers.
func (s *Service) DB() *store.DB { return s.db }

const equipmentColumns = `e.id, e.owner_org_id, o.name, o.kind, e.name, e.kind, e.description, e.capacity,
	e.commune_code, COALESCE(c.name, ''), COALESCE(c.alsace_moselle, FALSE), e.address, e.lat, e.lon,
	e.accessibility, e.rules, e.unit, e.tariff_own, e.tariff_convention, e.tariff_other_commune,
	e.tariff_association, e.approval, e.active, e.version, e.created_at, e.updated_at`

const equipmentFrom = ` FROM equipment e JOIN organisations o ON o.id = e.owner_org_id
	LEFT JOIN communes c ON c.code = e.commune_code`

func scanEquipment(row interface{ Scan(...any) error }, extra ...any) (Equipment, error) {
	var e Equipment
	var commune sql.NullString
	var lat, lon sql.NullFloat64
	var own, conv, other, assoc sql.NullInt64
	dest := []any{&e.ID, &e.OwnerOrgID, &e.OwnerName, &e.OwnerKind, &e.Name, &e.Kind, &e.Description, &e.Capacity,
		&commune, &e.CommuneName, &e.AlsaceMoselle, &e.Address, &lat, &lon, &e.Accessibility, &e.Rules, &e.Unit,
		&own, &conv, &other, &assoc, &e.Approval, &e.Active, &e.Version, &e.CreatedAt, &e.UpdatedAt}
	if err := row.Scan(append(dest, extra...)...); err != nil {
		return Equipment{}, err
	}
	e.CommuneCode = commune.String
	if lat.Valid && lon.Valid {
		e.Coordinates = &territory.Point{Lat: lat.Float64, Lon: lon.Float64}
	}
	cents := func(v sql.NullInt64) *money.Cents {
		if !v.Valid {
			return nil
		}
		c := money.Cents(v.Int64)
		return &c
	}
	e.Tariffs = Tariffs{Own: cents(own), Convention: cents(conv), OtherCommune: cents(other), Association: cents(assoc)}
	e.AlsaceMoselle = e.AlsaceMoselle || AlsaceMoselleCommune(e.CommuneCode)
	e.CreatedAt, e.UpdatedAt = e.CreatedAt.UTC(), e.UpdatedAt.UTC()
	return e, nil
}

// Get returns one piece of equipment. The catalogue is public.
func (s *Service) Get(ctx context.Context, id int64) (Equipment, error) {
	return getEquipment(ctx, s.db.Reader(), id)
}

func getEquipment(ctx context.Context, q store.Querier, id int64) (Equipment, error) {
	e, err := scanEquipment(q.QueryRowContext(ctx, `SELECT `+equipmentColumns+equipmentFrom+` WHERE e.id = ?`, id))
	if err != nil {
		return Equipment{}, fmt.Errorf("equipment: get %d: %w", id, store.MapError(err))
	}
	return e, nil
}

func isNotFound(err error) bool {
	return errors.Is(err, store.ErrNotFound) || errors.Is(err, sql.ErrNoRows)
}
