package equipment

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"voisines/internal/audit"
	"voisines/internal/auth"
	"voisines/internal/civil"
	"voisines/internal/store"
	"voisines/internal/validate"
)

// BookingKind tells a booking from a blackout.
type BookingKind string

// The kinds of booking.
const (
	KindBooking  BookingKind = "booking"
	KindBlackout BookingKind = "blackout" // closure or maintenance, decided by the owner
)

// Status is where a booking stands.
type Status string

// The statuses of a booking. Requested and Approved are active: they hold
// their slots.
const (
	Requested Status = "requested"
	Approved  Status = "approved"
	Refused   Status = "refused"
	Cancelled Status = "cancelled"
)

// Active reports whether a booking in status st holds its slots.
func (st Status) Active() bool { return st == Requested || st == Approved }

// Label is the status's French name.
func (st Status) Label() string {
	switch st {
	case Requested:
		return "en attente de validation"
	case Approved:
		return "validée"
	case Refused:
		return "refusée"
	case Cancelled:
		return "annulée"
	}
	return string(st)
}

// Limits of one booking's length.
const (
	MaxBooking  = 31 * 24 * time.Hour
	MaxBlackout = 366 * 24 * time.Hour
)

// Booking is a booking or a blackout of a piece of equipment.
type Booking struct {
	ID             int64       `json:"id"`
	EquipmentID    int64       `json:"equipment_id"`
	EquipmentName  string      `json:"equipment_name"`
	OwnerOrgID     int64       `json:"owner_org_id"`
	Kind           BookingKind `json:"kind"`
	RequesterOrgID int64       `json:"requester_org_id"`
	RequesterName  string      `json:"requester_name"`
	// AgreementID is the covering convention, 0 when none.
	AgreementID int64     `json:"agreement_id,omitempty"`
	SeriesID    int64     `json:"series_id,omitempty"`
	Start       time.Time `json:"starts_at"`
	End         time.Time `json:"ends_at"`
	Status      Status    `json:"status"`
	Purpose     string    `json:"purpose"`
	// Uncovered flags a use between two public authorities without a
	// covering convention (L1311-15).
	Uncovered    bool       `json:"uncovered,omitempty"`
	RequestedBy  string     `json:"requested_by"`
	DecidedBy    string     `json:"decided_by,omitempty"`
	DecidedAt    *time.Time `json:"decided_at,omitempty"`
	DecisionNote string     `json:"decision_note,omitempty"`
	CancelledBy  string     `json:"cancelled_by,omitempty"`
	CancelledAt  *time.Time `json:"cancelled_at,omitempty"`
	CancelReason string     `json:"cancel_reason,omitempty"`
	CheckedIn    *time.Time `json:"checked_in_at,omitempty"`
	CheckedOut   *time.Time `json:"checked_out_at,omitempty"`
	Version      int64      `json:"version"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
}

// Interval returns the booked interval.
func (b Booking) Interval() Interval { return Interval{b.Start, b.End} }

// Used returns the interval actually used: the checked-in and checked-out
// times where recorded, the booked ones otherwise.
func (b Booking) Used() Interval {
	iv := b.Interval()
	if b.CheckedIn != nil {
		iv.Start = *b.CheckedIn
	}
	if b.CheckedOut != nil {
		iv.End = *b.CheckedOut
	}
	return iv
}

// Event is one line of a booking's change history.
type Event struct {
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Action string    `json:"action"` // requested, approved, refused, cancelled, use_recorded, blackout
	Detail string    `json:"detail,omitempty"`
}

const bookingColumns = `b.id, b.equipment_id, e.name, e.owner_org_id, b.kind, b.requester_org_id, r.name,
	b.agreement_id, b.series_id, b.starts_at, b.ends_at, b.status, b.purpose, b.uncovered, b.requested_by_name,
	b.decided_by_name, b.decided_at, b.decision_note, b.cancelled_by_name, b.cancelled_at, b.cancel_reason,
	b.checked_in_at, b.checked_out_at, b.version, b.created_at, b.updated_at`

const bookingFrom = ` FROM bookings b JOIN equipment e ON e.id = b.equipment_id
	JOIN organisations r ON r.id = b.requester_org_id`

func scanBooking(row interface{ Scan(...any) error }) (Booking, error) {
	var b Booking
	var agreement, series sql.NullInt64
	var decided, cancelled, in, out sql.NullTime
	err := row.Scan(&b.ID, &b.EquipmentID, &b.EquipmentName, &b.OwnerOrgID, &b.Kind, &b.RequesterOrgID, &b.RequesterName,
		&agreement, &series, &b.Start, &b.End, &b.Status, &b.Purpose, &b.Uncovered, &b.RequestedBy,
		&b.DecidedBy, &decided, &b.DecisionNote, &b.CancelledBy, &cancelled, &b.CancelReason,
		&in, &out, &b.Version, &b.CreatedAt, &b.UpdatedAt)
	if err != nil {
		return Booking{}, err
	}
	b.AgreementID, b.SeriesID = agreement.Int64, series.Int64
	b.Start, b.End = b.Start.UTC(), b.End.UTC()
	b.CreatedAt, b.UpdatedAt = b.CreatedAt.UTC(), b.UpdatedAt.UTC()
	b.DecidedAt, b.CancelledAt, b.CheckedIn, b.CheckedOut = utcPtr(decided), utcPtr(cancelled), utcPtr(in), utcPtr(out)
	return b, nil
}

func utcPtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

func getBooking(ctx context.Context, q store.Querier, id int64) (Booking, error) {
	b, err := scanBooking(q.QueryRowContext(ctx, `SELECT `+bookingColumns+bookingFrom+` WHERE b.id = ?`, id))
	if err != nil {
		return Booking{}, fmt.Errorf("equipment: booking %d: %w", id, store.MapError(err))
	}
	return b, nil
}

// mayRead reports whether actor may see the details of b: members of the
// owner and of the requesting organisation. Everyone else sees it as busy.
func mayRead(actor auth.Actor, b Booking) bool {
	return auth.Authorize(actor, auth.ReadPrivate, b.OwnerOrgID) == nil ||
		auth.Authorize(actor, auth.ReadPrivate, b.RequesterOrgID) == nil
}

// Booking returns one booking with its details, for the members of its
// owner and of its requester; anyone else gets auth.ErrForbidden (the
// calendar shows them the slot as busy).
func (s *Service) Booking(ctx context.Context, actor auth.Actor, id int64) (Booking, error) {
	b, err := getBooking(ctx, s.db.Reader(), id)
	if err != nil {
		return Booking{}, err
	}
	if !mayRead(actor, b) {
		if actor.Anonymous() {
			return Booking{}, fmt.Errorf("equipment: booking %d: %w", id, auth.ErrUnauthenticated)
		}
		return Booking{}, fmt.Errorf("equipment: booking %d: %w", id, auth.ErrForbidden)
	}
	return b, nil
}

// History returns the change history of a booking, oldest first, to those
// who may read the booking. Its first line, the creation, comes from the
// booking row; the later ones from booking_events.
func (s *Service) History(ctx context.Context, actor auth.Actor, id int64) ([]Event, error) {
	b, err := s.Booking(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT at, actor, action, detail FROM booking_events
		WHERE booking_id = ? ORDER BY id`, id)
	if err != nil {
		return nil, fmt.Errorf("equipment: history of booking %d: %w", id, err)
	}
	defer rows.Close()
	first := Event{At: b.CreatedAt, Actor: b.RequestedBy, Action: "requested", Detail: b.Purpose}
	out := []Event{first}
	decidedLater := false
	for rows.Next() {
		var e Event
		if err := rows.Scan(&e.At, &e.Actor, &e.Action, &e.Detail); err != nil {
			return nil, fmt.Errorf("equipment: history of booking %d: %w", id, err)
		}
		e.At = e.At.UTC()
		decidedLater = decidedLater || e.Action == string(Approved) || e.Action == string(Refused)
		out = append(out, e)
	}
	switch {
	case b.Kind == KindBlackout:
		out[0].Action = "blackout"
	case b.DecidedAt != nil && !decidedLater:
		out[0].Action = "requested_and_approved" // approved at once
	}
	return out, rows.Err()
}

func (s *Service) event(ctx context.Context, tx store.Querier, bookingID int64, actor auth.Actor, action, detail string, at time.Time) error {
	_, err := tx.ExecContext(ctx, qEvent, bookingID, at, actor.String(), action, detail)
	return err
}

// Request is a request to book a piece of equipment.
type Request struct {
	EquipmentID int64 `json:"equipment_id"`
	// RequesterOrgID is the organisation the booking is made for; the actor
	// must write for it.
	RequesterOrgID int64 `json:"requester_org_id"`
	// AgreementID is the convention covering the use, 0 when none.
	AgreementID int64     `json:"agreement_id,omitempty"`
	Start       time.Time `json:"starts_at"`
	End         time.Time `json:"ends_at"`
	Purpose     string    `json:"purpose"`
}

// checkInterval validates a requested interval: on the quarter-hour grid,
// not empty, not too long, not in the past.
func (s *Service) checkInterval(errs *validate.Errors, start, end time.Time, max time.Duration) {
	switch {
	case start.IsZero():
		errs.Add("starts_at", "le début est obligatoire")
	case end.IsZero():
		errs.Add("ends_at", "la fin est obligatoire")
	case !end.After(start):
		errs.Add("ends_at", "la fin doit suivre le début")
	case !onGrid(start):
		errs.Add("starts_at", "%s", offGrid("le début", start))
	case !onGrid(end):
		errs.Add("ends_at", "%s", offGrid("la fin", end))
	case end.Sub(start) > max:
		errs.Add("ends_at", "un créneau ne peut pas dépasser %d jours", int(max/(24*time.Hour)))
	case start.Before(s.clock().Truncate(Quarter)):
		errs.Add("starts_at", "le créneau commence dans le passé")
	}
}

// party is what a booking needs to know of an organisation.
type party struct {
	id   int64
	kind string
	name string
}

// publicAuthority reports whether an organisation of kind is one of the
// collectivités, EPCI and syndicats that L1311-15 binds.
func publicAuthority(kind string) bool {
	switch kind {
	case "commune", "epci", "syndicat_communes", "syndicat_mixte", "departement", "region":
		return true
	}
	return false
}

func orgParty(ctx context.Context, q store.Querier, id int64) (party, error) {
	p := party{id: id}
	err := q.QueryRowContext(ctx, `SELECT kind, name FROM organisations WHERE id = ?`, id).Scan(&p.kind, &p.name)
	if isNotFound(err) {
		return party{}, validate.FieldError{Field: "requester_org_id", Message: "cet organisme n'existe pas"}
	}
	if err != nil {
		return party{}, fmt.Errorf("equipment: organisation %d: %w", id, err)
	}
	return p, nil
}

// RequesterCategory returns the tariff category of a requester of e, of
// organisation kind requesterKind, with or without a covering convention.
func RequesterCategory(e Equipment, requesterOrgID int64, requesterKind string, agreementID int64) Category {
	switch {
	case requesterOrgID == e.OwnerOrgID:
		return CategoryOwn
	case agreementID != 0:
		return CategoryConvention
	case publicAuthority(requesterKind) || requesterKind == "commission_syndicale" || requesterKind == "epa_rattache":
		return CategoryOtherCommune
	}
	return CategoryAssociation
}

// checkCovering checks that the convention agreementID covers a use of the
// owner's equipment by the requester on day: signed or in force, both
// current parties, day within its term. It reads the agreements tables of
// migration 0002.
func checkCovering(ctx context.Context, q store.Querier, agreementID, ownerOrgID, requesterOrgID int64, day civil.Date) error {
	var status string
	var start, end sql.NullString
	var owner, requester int
	err := q.QueryRowContext(ctx, `SELECT a.status, a.start_date, a.end_date,
		(SELECT COUNT(*) FROM agreement_parties p WHERE p.agreement_id = a.id AND p.is_current = TRUE AND p.org_id = ?),
		(SELECT COUNT(*) FROM agreement_parties p WHERE p.agreement_id = a.id AND p.is_current = TRUE AND p.org_id = ?)
		FROM agreements a WHERE a.id = ?`, ownerOrgID, requesterOrgID, agreementID).Scan(&status, &start, &end, &owner, &requester)
	bad := func(why string) error {
		return validate.FieldError{Field: "agreement_id", Message: fmt.Sprintf("la convention n° %d ne couvre pas cet usage : %s", agreementID, why)}
	}
	switch {
	case isNotFound(err):
		return validate.FieldError{Field: "agreement_id", Message: fmt.Sprintf("aucune convention n'a le numéro %d", agreementID)}
	case err != nil:
		return fmt.Errorf("equipment: convention %d: %w", agreementID, err)
	case status != "signee" && status != "en_vigueur":
		return bad("elle n'est ni signée ni en vigueur")
	case owner == 0:
		return bad("le propriétaire de l'équipement n'y est pas partie")
	case requester == 0:
		return bad("l'organisme demandeur n'y est pas partie")
	case start.Valid && start.String != "" && day.String() < start.String[:min(10, len(start.String))]:
		return bad("le créneau précède son entrée en vigueur")
	case end.Valid && end.String != "" && day.String() > end.String[:min(10, len(end.String))]:
		return bad("le créneau suit son terme")
	}
	return nil
}

// prepared is a checked request, ready to be written.
type prepared struct {
	equipment Equipment
	requester party
	owner     party
	status    Status
	uncovered bool
	// heldBy is the booking or blackout holding the first taken quarter of
	// the interval prepare was given, as committed when it read; 0 when
	// free.
	heldBy int64
}

// prepare checks a request (or a series' common part) and decides its
// initial status. When iv is not zero, it also reads who holds its first
// taken quarter (p.heldBy), in the same statement.
func (s *Service) prepare(ctx context.Context, actor auth.Actor, equipmentID, requesterOrgID, agreementID int64, purpose string, day civil.Date, iv Interval, errs *validate.Errors) (prepared, error) {
	if err := auth.Authorize(actor, auth.Write, requesterOrgID); err != nil {
		return prepared{}, err
	}
	// One light read for what a request needs of the equipment, its owner
	// and the requester: this runs for every booking.
	var p prepared
	e := Equipment{ID: equipmentID}
	var heldBy sql.NullInt64
	err := s.db.Reader().QueryRowContext(s.db.ShortRead(ctx), `SELECT e.owner_org_id, o.kind, o.name, e.name, e.active, e.approval, r.kind, r.name,
		(SELECT s.booking_id FROM booking_slots s WHERE s.equipment_id = e.id AND s.quarter >= ? AND s.quarter < ?
			ORDER BY s.quarter LIMIT 1)
		FROM equipment e JOIN organisations o ON o.id = e.owner_org_id JOIN organisations r ON r.id = ?
		WHERE e.id = ?`, quarterOf(iv.Start), quarterOf(iv.End), requesterOrgID, equipmentID).Scan(&e.OwnerOrgID, &e.OwnerKind,
		&e.OwnerName, &e.Name, &e.Active, &e.Approval, &p.requester.kind, &p.requester.name, &heldBy)
	if isNotFound(err) {
		if _, err := s.Get(ctx, equipmentID); err != nil {
			return prepared{}, err // no such equipment
		}
		return prepared{}, validate.FieldError{Field: "requester_org_id", Message: "cet organisme n'existe pas"}
	}
	if err != nil {
		return prepared{}, fmt.Errorf("equipment: %d: %w", equipmentID, err)
	}
	p.equipment = e
	p.heldBy = heldBy.Int64
	p.requester.id = requesterOrgID
	p.owner = party{id: e.OwnerOrgID, kind: e.OwnerKind, name: e.OwnerName}
	if !e.Active {
		errs.Add("equipment_id", "cet équipement n'est plus proposé à la réservation")
	}
	errs.Check(validate.MaxLen("purpose", purpose, 500))
	q := s.db.Reader()
	if agreementID != 0 && !day.IsZero() {
		if err := checkCovering(ctx, q, agreementID, e.OwnerOrgID, requesterOrgID, day); err != nil {
			if _, ok := validate.As(err); !ok {
				return prepared{}, err
			}
			errs.Check(err)
		}
	}
	p.uncovered = agreementID == 0 && requesterOrgID != e.OwnerOrgID &&
		publicAuthority(p.requester.kind) && publicAuthority(p.owner.kind)
	p.status = Requested
	switch {
	case auth.Authorize(actor, auth.Write, e.OwnerOrgID) == nil && requesterOrgID == e.OwnerOrgID:
		p.status = Approved // the owner's managers book for the owner
	case e.Approval == ApproveAutomatic:
		p.status = Approved
	case e.Approval == ApproveConvention && agreementID != 0:
		p.status = Approved
	}
	return p, nil
}

// Book records a booking request. It is approved at once when the owner's
// managers book for the owner, or as the equipment's approval mode says;
// otherwise it waits for a manager, holding its slot meanwhile. An overlap
// with an active booking or blackout is a *ConflictError.
func (s *Service) Book(ctx context.Context, actor auth.Actor, r Request) (Booking, error) {
	defer s.writer.begin()()
	r.Start, r.End = r.Start.UTC(), r.End.UTC()
	r.Purpose = strings.TrimSpace(r.Purpose)
	var errs validate.Errors
	s.checkInterval(&errs, r.Start, r.End, MaxBooking)
	iv := Interval{r.Start, r.End}
	p, err := s.prepare(ctx, actor, r.EquipmentID, r.RequesterOrgID, r.AgreementID, r.Purpose, civil.In(r.Start, civil.Paris), iv, &errs)
	if err != nil {
		return Booking{}, fmt.Errorf("equipment: book %d: %w", r.EquipmentID, err)
	}
	if err := errs.Err(); err != nil {
		return Booking{}, err
	}
	// A slot a committed booking already holds is refused here, on the read
	// pool, without queueing for the single writer. A slot that looks free
	// may still be taken meanwhile: the writer's primary key decides.
	if p.heldBy != 0 {
		var clash Interval
		var kind BookingKind
		if err := s.db.Reader().QueryRowContext(s.db.ShortRead(ctx), qClashBooking, p.heldBy).Scan(&clash.Start, &clash.End, &kind); err == nil {
			clash.Start, clash.End = clash.Start.UTC(), clash.End.UTC()
			return Booking{}, fmt.Errorf("equipment: book %d: %w", r.EquipmentID, newConflict(iv, clash, kind, false))
		} else if !isNotFound(err) {
			return Booking{}, fmt.Errorf("equipment: book %d: read booking %d: %w", r.EquipmentID, p.heldBy, store.MapError(err))
		}
		// The holder was deleted since the read: the writer decides.
	}
	detail, err := json.Marshal(map[string]any{"equipment_id": r.EquipmentID, "owner_org_id": p.equipment.OwnerOrgID,
		"starts_at": r.Start, "ends_at": r.End, "agreement_id": r.AgreementID, "status": p.status, "uncovered": p.uncovered})
	if err != nil {
		return Booking{}, fmt.Errorf("equipment: book %d: %w", r.EquipmentID, err)
	}
	j := &bookingJob{ctx: ctx, actor: actor, p: p, r: r, detail: detail}
	s.write(j)
	if j.err != nil {
		return Booking{}, fmt.Errorf("equipment: book %d: %w", r.EquipmentID, j.err)
	}
	return j.booking, nil
}

// insertBooking writes one booking and holds its slots; a quarter already
// held is store.ErrConflict. It returns the booking as written.
func (s *Service) insertBooking(ctx context.Context, tx store.Querier, actor auth.Actor, p prepared, kind BookingKind,
	requesterOrgID, agreementID, seriesID int64, iv Interval, purpose string, now time.Time) (Booking, error) {
	b, err := s.newBookingRow(ctx, tx, actor, p, kind, requesterOrgID, agreementID, seriesID, iv, purpose, now)
	if err != nil {
		return Booking{}, err
	}
	if err := holdSlots(ctx, tx, p.equipment.ID, b.ID, iv); err != nil {
		return Booking{}, err
	}
	return b, nil
}

// newBookingRow writes the row of a booking, without its slots.
func (s *Service) newBookingRow(ctx context.Context, tx store.Querier, actor auth.Actor, p prepared, kind BookingKind,
	requesterOrgID, agreementID, seriesID int64, iv Interval, purpose string, now time.Time) (Booking, error) {
	b, args := bookingRow(actor, p, kind, requesterOrgID, agreementID, seriesID, iv, purpose, now)
	if err := tx.QueryRowContext(ctx, qInsertBooking, args...).Scan(&b.ID); err != nil {
		return Booking{}, store.MapError(err)
	}
	// The creation needs no history line: the booking row itself says who
	// asked, when and why (History reads it back as the first line).
	return b, nil
}

// bookingRow returns a booking as newBookingRow writes it, without its id,
// and the arguments of its row in qBookingValues.
func bookingRow(actor auth.Actor, p prepared, kind BookingKind, requesterOrgID, agreementID, seriesID int64, iv Interval,
	purpose string, now time.Time) (Booking, []any) {
	b := Booking{EquipmentID: p.equipment.ID, EquipmentName: p.equipment.Name, OwnerOrgID: p.equipment.OwnerOrgID,
		Kind: kind, RequesterOrgID: requesterOrgID, RequesterName: p.requester.name, AgreementID: agreementID,
		SeriesID: seriesID, Start: iv.Start, End: iv.End, Status: p.status, Purpose: purpose, Uncovered: p.uncovered,
		RequestedBy: actor.String(), Version: 1, CreatedAt: now, UpdatedAt: now}
	var decidedAt any
	if p.status == Approved {
		b.DecidedBy, b.DecidedAt, decidedAt = actor.String(), &now, now
		if auth.Authorize(actor, auth.Write, p.equipment.OwnerOrgID) != nil {
			b.DecidedBy = "validation automatique"
		}
	}
	return b, []any{p.equipment.ID, string(kind), requesterOrgID, nullID(agreementID), nullID(seriesID), iv.Start, iv.End,
		string(p.status), purpose, p.uncovered, nullID(actor.UserID()), actor.String(), b.DecidedBy, decidedAt, now, now}
}

// explainConflict turns a bare store.ErrConflict — a concurrent writer
// took a slot between our check and our insert, and the slot table's key
// refused ours — into a *ConflictError naming the booking that won, read
// after the rollback. Other errors pass through.
func (s *Service) explainConflict(ctx context.Context, equipmentID int64, want []Interval, series bool, err error) error {
	var ce *ConflictError
	var ae *AffectedError
	if errors.As(err, &ce) || errors.As(err, &ae) || !errors.Is(err, store.ErrConflict) {
		return err
	}
	req, clash, kind, found, qerr := firstClash(ctx, s.db.Reader(), equipmentID, want, 0)
	if qerr != nil || !found {
		return &ConflictError{Series: series, Message: "Ce créneau vient d'être réservé par quelqu'un d'autre. Rechargez le calendrier et choisissez un autre créneau."}
	}
	return newConflict(req, clash, kind, series)
}

// Blackout closes a piece of equipment for a period (maintenance,
// closure); only the owner's managers may. Bookings to come over the period
// are refused with their list (*AffectedError) unless w confirms their
// cancellation, with w's reason or else the blackout's; a booking in
// progress, or another blackout, over the period is refused (see
// Withdrawal). It returns the blackout and the bookings it cancelled.
func (s *Service) Blackout(ctx context.Context, actor auth.Actor, equipmentID int64, start, end time.Time, reason string, w Withdrawal) (Booking, []Booking, error) {
	e, err := s.Get(ctx, equipmentID)
	if err != nil {
		return Booking{}, nil, err
	}
	if err := auth.Authorize(actor, auth.Write, e.OwnerOrgID); err != nil {
		return Booking{}, nil, fmt.Errorf("equipment: blackout %d: %w", equipmentID, err)
	}
	start, end, reason = start.UTC(), end.UTC(), strings.TrimSpace(reason)
	var errs validate.Errors
	s.checkInterval(&errs, start, end, MaxBlackout)
	if reason == "" {
		errs.Add("purpose", "indiquez le motif de la fermeture (entretien, travaux…)")
	}
	errs.Check(validate.MaxLen("purpose", reason, 500))
	checkWithdrawal(&errs, &w, false)
	if err := errs.Err(); err != nil {
		return Booking{}, nil, err
	}
	if w.Reason == "" {
		w.Reason = "Fermeture de l'équipement : " + reason
	}
	owner := party{id: e.OwnerOrgID, kind: e.OwnerKind, name: e.OwnerName}
	p := prepared{equipment: e, status: Approved, owner: owner, requester: owner}
	iv := Interval{start, end}
	var b Booking
	var cancelled []Booking
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		now := s.clock()
		bs, err := s.affected(ctx, tx, equipmentID, start, end, now, false)
		if err != nil {
			return err
		}
		entries, err := s.withdraw(ctx, tx, actor, bs, w, "Cette fermeture", "blackout", now)
		if err != nil {
			return err
		}
		cancelled = bs
		// What still clashes is another blackout.
		if req, clash, kind, found, err := firstClash(ctx, tx, equipmentID, []Interval{iv}, 0); err != nil {
			return err
		} else if found {
			return newConflict(req, clash, kind, false)
		}
		if b, err = s.insertBooking(ctx, tx, actor, p, KindBlackout, e.OwnerOrgID, 0, 0, iv, reason, now); err != nil {
			return err
		}
		entries = append(entries, actor.Audit(e.OwnerOrgID, "booking.blackout", "booking", strconv.FormatInt(b.ID, 10),
			map[string]any{"equipment_id": equipmentID, "starts_at": start, "ends_at": end, "reason": reason, "cancelled_bookings": len(bs)}))
		return audit.RecordMany(ctx, tx, entries)
	})
	if err != nil {
		return Booking{}, nil, s.explainConflict(ctx, equipmentID, []Interval{iv}, false, fmt.Errorf("equipment: blackout %d: %w", equipmentID, err))
	}
	return b, cancelled, nil
}

// transition changes a booking's status from one of from to to, checking
// the right with check, in one transaction with its history and audit
// record. A booking that changed meanwhile is store.ErrConflict.
func (s *Service) transition(ctx context.Context, actor auth.Actor, id int64, action string, to Status, note string,
	check func(b Booking) error) (Booking, error) {
	b, err := getBooking(ctx, s.db.Reader(), id)
	if err != nil {
		return Booking{}, err
	}
	if err := check(b); err != nil {
		return Booking{}, fmt.Errorf("equipment: %s booking %d: %w", action, id, err)
	}
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		now := s.clock()
		var res sql.Result
		var err error
		switch to {
		case Approved, Refused:
			res, err = tx.ExecContext(ctx, `UPDATE bookings SET status = ?, decided_by_name = ?, decided_at = ?,
				decision_note = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
				string(to), actor.String(), now, note, now, id, b.Version)
		case Cancelled:
			res, err = tx.ExecContext(ctx, `UPDATE bookings SET status = ?, cancelled_by_name = ?, cancelled_at = ?,
				cancel_reason = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
				string(to), actor.String(), now, note, now, id, b.Version)
		}
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("%w: la réservation a changé entre-temps ; rechargez la page", store.ErrConflict)
		}
		if !to.Active() {
			if err := releaseSlots(ctx, tx, id); err != nil {
				return err
			}
		}
		if err := s.event(ctx, tx, id, actor, string(to), note, now); err != nil {
			return err
		}
		org := b.OwnerOrgID
		if to == Cancelled && auth.Authorize(actor, auth.Write, b.OwnerOrgID) != nil {
			org = b.RequesterOrgID
		}
		return audit.Record(ctx, tx, actor.Audit(org, action, "booking", strconv.FormatInt(id, 10),
			map[string]any{"from": b.Status, "to": to, "note": note, "version": b.Version + 1}))
	})
	if err != nil {
		return Booking{}, fmt.Errorf("equipment: %s booking %d: %w", action, id, err)
	}
	return getBooking(ctx, s.db.Reader(), id)
}

// errState is a field error on a booking that is not in the right state.
func errState(msg string) error { return validate.FieldError{Field: "status", Message: msg} }

// Approve approves a pending request; only the owner's managers may.
func (s *Service) Approve(ctx context.Context, actor auth.Actor, id int64, note string) (Booking, error) {
	note = strings.TrimSpace(note)
	return s.transition(ctx, actor, id, "booking.approve", Approved, note, func(b Booking) error {
		if err := auth.Authorize(actor, auth.Write, b.OwnerOrgID); err != nil {
			return err
		}
		if b.Status != Requested {
			return errState("seule une demande en attente peut être validée (celle-ci est " + b.Status.Label() + ")")
		}
		return validate.MaxLen("note", note, 500)
	})
}

// Refuse refuses a pending request and frees its slot; only the owner's
// managers may, and they say why.
func (s *Service) Refuse(ctx context.Context, actor auth.Actor, id int64, reason string) (Booking, error) {
	reason = strings.TrimSpace(reason)
	return s.transition(ctx, actor, id, "booking.refuse", Refused, reason, func(b Booking) error {
		if err := auth.Authorize(actor, auth.Write, b.OwnerOrgID); err != nil {
			return err
		}
		if b.Status != Requested {
			return errState("seule une demande en attente peut être refusée (celle-ci est " + b.Status.Label() + ")")
		}
		if reason == "" {
			return validate.FieldError{Field: "reason", Message: "indiquez le motif du refus"}
		}
		return validate.MaxLen("reason", reason, 500)
	})
}

// Cancel cancels an active booking or blackout and frees its slots, with a
// reason. The requester's members may cancel until it starts; the owner's
// managers until it ends.
func (s *Service) Cancel(ctx context.Context, actor auth.Actor, id int64, reason string) (Booking, error) {
	reason = strings.TrimSpace(reason)
	return s.transition(ctx, actor, id, "booking.cancel", Cancelled, reason, func(b Booking) error {
		owner := auth.Authorize(actor, auth.Write, b.OwnerOrgID) == nil
		if !owner {
			if err := auth.Authorize(actor, auth.Write, b.RequesterOrgID); err != nil {
				return err
			}
		}
		now := s.clock()
		switch {
		case !b.Status.Active():
			return errState("cette réservation est déjà " + b.Status.Label())
		case !now.Before(b.End):
			return errState("une réservation terminée ne s'annule plus")
		case !owner && !now.Before(b.Start):
			return errState("la réservation a commencé : seul le propriétaire peut encore l'annuler")
		case reason == "":
			return validate.FieldError{Field: "reason", Message: "indiquez le motif de l'annulation"}
		}
		return validate.MaxLen("reason", reason, 500)
	})
}

// RecordUse records the real times of use of an approved booking
// (check-in, check-out), which its usage record then counts; only the
// owner's managers may. Recording them again replaces them.
func (s *Service) RecordUse(ctx context.Context, actor auth.Actor, id int64, in, out time.Time) (Booking, error) {
	b, err := getBooking(ctx, s.db.Reader(), id)
	if err != nil {
		return Booking{}, err
	}
	if err := auth.Authorize(actor, auth.Write, b.OwnerOrgID); err != nil {
		return Booking{}, fmt.Errorf("equipment: record use of booking %d: %w", id, err)
	}
	in, out = in.UTC().Truncate(time.Minute), out.UTC().Truncate(time.Minute)
	var errs validate.Errors
	now := s.clock()
	switch {
	case b.Kind != KindBooking || b.Status != Approved:
		errs.Add("status", "seule une réservation validée peut recevoir des horaires réels")
	case in.IsZero() || out.IsZero():
		errs.Add("checked_in_at", "les heures d'arrivée et de départ sont obligatoires")
	case !out.After(in):
		errs.Add("checked_out_at", "le départ doit suivre l'arrivée")
	case in.After(now):
		errs.Add("checked_in_at", "l'arrivée ne peut pas être dans le futur")
	case out.After(now):
		errs.Add("checked_out_at", "le départ ne peut pas être dans le futur")
	case in.Before(b.Start.Add(-12*time.Hour)) || out.After(b.End.Add(12*time.Hour)):
		errs.Add("checked_in_at", "les horaires réels doivent rester à moins de 12 heures du créneau réservé")
	}
	if err := errs.Err(); err != nil {
		return Booking{}, err
	}
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE bookings SET checked_in_at = ?, checked_out_at = ?, version = version + 1,
			updated_at = ? WHERE id = ? AND version = ?`, in, out, now, id, b.Version)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("%w: la réservation a changé entre-temps ; rechargez la page", store.ErrConflict)
		}
		detail := "arrivée " + FrenchDay(in) + " " + FrenchClock(in) + ", départ " + FrenchDay(out) + " " + FrenchClock(out)
		if err := s.event(ctx, tx, id, actor, "use_recorded", detail, now); err != nil {
			return err
		}
		b.CheckedIn, b.CheckedOut, b.Version = &in, &out, b.Version+1
		if !b.End.After(now) {
			if _, err := s.recordUsage(ctx, tx, b); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, actor.Audit(b.OwnerOrgID, "booking.use", "booking", strconv.FormatInt(id, 10),
			map[string]any{"checked_in_at": in, "checked_out_at": out}))
	})
	if err != nil {
		return Booking{}, fmt.Errorf("equipment: record use of booking %d: %w", id, err)
	}
	return getBooking(ctx, s.db.Reader(), id)
}
