package agreement

// The operations on stored conventions. Each one authorises the actor, runs
// in one transaction, moves the convention through the pure lifecycle
// functions of lifecycle.go (no rule is written here), writes it back only
// if nobody changed it meanwhile, and records itself in the audit log last.
//
// Who may do what:
//
//   - reading a convention (Get, Versions, attachments): a user of any
//     organisation that is or was party to it, or a platform admin; anyone
//     else gets store.ErrNotFound, so that a convention's existence does not
//     leak;
//   - Create, UpdateDraft, Submit, Amend, Renew, RecordDecision, Import: auth.Write
//     on the lead party (the holder of the kind's LeadRole, who drafts and
//     runs the convention);
//   - RecordApproval: auth.Write on the party whose act it is — each party
//     records its own deliberation, opinion or consent; an act of no party
//     (the prefect's order) is recorded by the lead. Write, not Approve: the
//     decision is the council's, taken on paper; a clerk (secrétaire de
//     mairie) records it, with its number and date;
//   - Sign: auth.Write on the signing party, for the same reason;
//   - Terminate: auth.Write on the party that terminates (Termination.By);
//   - RecordUnitCostNotice: auth.Write on the provider of the service;
//   - Refresh: any reader; RefreshDue: a platform admin or the system (the
//     daily job).
//
// A party's user acting for another party gets auth.ErrForbidden.
//
// Errors: a lifecycle refusal comes back as the *Refusal of lifecycle.go,
// unwrapped (its French message, its action and its Violations with rule,
// article and field); malformed input (unknown organisation, missing
// title, bad attachment) as validate.Errors, unwrapped; a stale version as
// store.ErrConflict; anything else wrapped with an "agreement: …" prefix.

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"voisines/internal/audit"
	"voisines/internal/auth"
	"voisines/internal/civil"
	"voisines/internal/store"
	"voisines/internal/validate"
)

// Service stores conventions and runs their lifecycle.
type Service struct {
	db   *store.DB
	orgs Organisations
	terr Territory
	now  func() time.Time
	log  *slog.Logger
}

// NewService returns a Service over db; orgs and terr (usually *org.Service
// and *territory.Service) give the data of the parties. It logs to
// slog.Default() unless told otherwise (WithLogger).
func NewService(db *store.DB, orgs Organisations, terr Territory) *Service {
	return &Service{db: db, orgs: orgs, terr: terr, now: time.Now, log: slog.Default()}
}

// WithLogger returns a copy of s that logs to log: what RefreshDue could
// not refresh.
func (s *Service) WithLogger(log *slog.Logger) *Service {
	c := *s
	c.log = log
	return &c
}

// WithClock returns a copy of s that reads the time from now: tests and
// demonstrations move it to walk a convention through its life.
func (s *Service) WithClock(now func() time.Time) *Service {
	c := *s
	c.now = now
	return &c
}

// today is the civil date in Europe/Paris, the "asOf" of every rule.
func (s *Service) today() civil.Date { return civil.In(s.now(), civil.Paris) }

// clock is the current instant in UTC, to the microsecond both engines keep.
func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// Record is a stored convention: the Agreement, and what the store keeps
// around it.
type Record struct {
	ID int64 `json:"id"`
	// Reference is the convention's human number, "2026-0012": the year of
	// creation and a sequence number unique across the platform.
	Reference string `json:"reference"`
	// ExternalReference is the number the parties knew the convention by
	// before Voisines ("ENT-2026-004", from an import), unique for its lead
	// organisation; Notes are the import's free notes. Both are private.
	ExternalReference string `json:"external_reference,omitempty"`
	Notes             string `json:"notes,omitempty"`
	// Version is the row's version for optimistic concurrency: every write
	// names the version it started from. It is not the number of avenants
	// (Agreement.Version).
	Version   int64     `json:"version"`
	LeadOrgID int64     `json:"lead_org_id"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	CreatedBy int64     `json:"created_by,omitempty"` // user id; 0 for the system
	Agreement Agreement `json:"agreement"`
	// Violations are the rules the convention breaks today, blocking or
	// not (Validate), for the faces to show; not stored.
	Violations []Violation `json:"violations,omitempty"`
}

// Version is one version of a convention's content: number 0 is the
// initial convention, number n the content after avenant n.
type Version struct {
	Number  int     `json:"number"`
	Content Content `json:"content"`
	// Date and Reason are the avenant's; zero for version 0.
	Date      civil.Date `json:"date,omitzero"`
	Reason    string     `json:"reason,omitempty"`
	Changes   []Change   `json:"changes"`
	CreatedAt time.Time  `json:"created_at"`
	CreatedBy int64      `json:"created_by,omitempty"`
}

// ActUpdate is the action of changing a draft, named in its refusal.
const ActUpdate Action = "modifier le brouillon"

// LastDay returns the last day convention a applies: the end of its current
// period, or the day before its termination takes effect when that comes
// first; zero when it has no end.
func LastDay(a Agreement) civil.Date {
	end := a.CurrentEnd()
	if t := a.Termination; t.By != 0 && !t.Effective.IsZero() {
		last := t.Effective.AddDays(-1)
		if end.IsZero() || last.Before(end) {
			end = last
		}
	}
	return end
}

// canRead reports whether actor may read a convention whose parties (now or
// before) are orgs.
func canRead(actor auth.Actor, orgs []int64) bool {
	if actor.PlatformAdmin() {
		return true
	}
	if actor.User == nil || actor.User.Disabled {
		return false
	}
	return slices.ContainsFunc(actor.User.Memberships, func(m auth.Membership) bool {
		return slices.Contains(orgs, m.OrgID)
	})
}

// checkActor refuses an anonymous or disabled actor.
func checkActor(actor auth.Actor) error {
	if actor.IsSystem() || actor.User != nil && !actor.User.Disabled {
		return nil
	}
	return auth.ErrUnauthenticated
}

// fail wraps err for the operation, except the errors the faces render as
// they are: refusals and validation errors.
func fail(op string, id int64, err error) error {
	var r *Refusal
	if errors.As(err, &r) {
		return err
	}
	if _, ok := validate.As(err); ok {
		return err
	}
	if id == 0 {
		return fmt.Errorf("agreement: %s: %w", op, err)
	}
	return fmt.Errorf("agreement: %s %d: %w", op, id, err)
}

func (s *Service) withViolations(r Record) Record {
	r.Violations = Validate(r.Agreement, s.today())
	return r
}

// checkInput checks what the store needs of a convention, before the rules:
// a known kind and a title.
func checkInput(d Input) error {
	var errs validate.Errors
	if _, ok := Lookup(d.Kind); !ok {
		errs.Add("kind", "%s n'est pas une nature de convention", validate.Quote(string(d.Kind)))
	}
	title := strings.TrimSpace(d.Content.Title)
	switch {
	case title == "":
		errs.Add("title", "l'intitulé de la convention est obligatoire")
	default:
		errs.Check(validate.MaxLen("title", title, 300))
	}
	if len(d.Parties) == 0 {
		errs.Add("parties", "la convention n'a aucune partie")
	}
	return errs.Err()
}

// agreementOf builds the convention a draft describes, with the parties'
// snapshots.
func (s *Service) agreementOf(ctx context.Context, d Input) (Content, error) {
	if err := checkInput(d); err != nil {
		return Content{}, err
	}
	parties, err := buildParties(ctx, s.orgs, s.terr, d.Parties)
	if err != nil {
		return Content{}, err
	}
	c := d.Content
	c.Title = strings.TrimSpace(c.Title)
	c.Parties = parties
	return c, nil
}

// leadOf returns the lead party's organisation, or a validation error when
// no party holds the kind's lead role.
func leadOf(a Agreement) (int64, error) {
	if p, ok := a.Lead(); ok {
		return p.OrgID, nil
	}
	spec, _ := Lookup(a.Kind)
	label := spec.LeadRole.Label()
	if rs, ok := spec.Role(spec.LeadRole); ok {
		label = rs.Label
	}
	return 0, validate.Errors{{Field: "parties", Message: fmt.Sprintf(
		"aucune partie ne tient le rôle « %s » : c'est elle qui rédige et suit la convention", label)}}
}

// Create stores a new draft convention described by d and gives it its
// reference. The actor needs auth.Write on the lead party. The draft may
// still break rules (they are in Record.Violations); Submit refuses it
// until the blocking ones are fixed.
func (s *Service) Create(ctx context.Context, actor auth.Actor, d Input) (Record, error) {
	if err := checkActor(actor); err != nil {
		return Record{}, fail("create", 0, err)
	}
	c, err := s.agreementOf(ctx, d)
	if err != nil {
		return Record{}, fail("create", 0, err)
	}
	a := New(d.Kind, c)
	lead, err := leadOf(a)
	if err != nil {
		return Record{}, err
	}
	if err := auth.Authorize(actor, auth.Write, lead); err != nil {
		return Record{}, fail("create", 0, err)
	}
	now := s.clock()
	r := Record{LeadOrgID: lead, Version: 1, CreatedAt: now, UpdatedAt: now, CreatedBy: actor.UserID(), Agreement: a}
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if r.Reference, err = nextReference(ctx, tx, s.today().Year); err != nil {
			return err
		}
		if err := insertRecord(ctx, tx, &r); err != nil {
			return err
		}
		if err := writeParties(ctx, tx, r.ID, a.Parties, false); err != nil {
			return err
		}
		if err := writeVersion(ctx, tx, r.ID, Version{Number: 0, Content: a.Content, CreatedAt: now, CreatedBy: actor.UserID()}); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Audit(lead, "agreement.create", "agreement", strconv.FormatInt(r.ID, 10), map[string]any{
			"reference": r.Reference, "kind": a.Kind, "title": a.Title, "parties": partyList(a.Parties),
		}))
	})
	if err != nil {
		return Record{}, fail("create", 0, err)
	}
	return s.withViolations(r), nil
}

// partyList sums up parties for the audit log: organisation and role.
func partyList(parties []Party) []map[string]any {
	out := make([]map[string]any, len(parties))
	for i, p := range parties {
		out[i] = map[string]any{"org_id": p.OrgID, "name": p.Name, "role": p.Role}
	}
	return out
}

// anyVersion skips the version check, for time-driven changes.
const anyVersion = -1

// change is one operation on a stored convention, for run.
type change struct {
	op string // audit action "agreement."+op, and error prefix
	// perm is what the actor needs on the organisation actsFor returns.
	perm    auth.Action
	actsFor func(a Agreement) int64
	apply   func(a Agreement, asOf civil.Date) (Agreement, error)
	// lead, when set, is the lead organisation after the change (drafts and
	// avenants may change the parties).
	lead func(a Agreement) (int64, error)
	// also writes what else the change needs, after the row (parties,
	// versions).
	also func(ctx context.Context, tx *store.Tx, r Record) error
	// detail is the audit detail beyond reference, version and status.
	detail func(before, after Agreement) map[string]any
	// onlyIfChanged writes nothing when the status and renewals stay
	// (Refresh).
	onlyIfChanged bool
}

// run applies c to convention id at version, as the comment at the top of
// this file says.
func (s *Service) run(ctx context.Context, actor auth.Actor, id, version int64, c change) (Record, error) {
	r, _, err := s.runChange(ctx, actor, id, version, c)
	return r, err
}

// runChange is run, also reporting whether anything was written.
func (s *Service) runChange(ctx context.Context, actor auth.Actor, id, version int64, c change) (Record, bool, error) {
	if err := checkActor(actor); err != nil {
		return Record{}, false, fail(c.op, id, err)
	}
	var out Record
	written := false
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		r, err := s.readOn(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		before := r.Agreement
		actingFor := c.actsFor(before)
		if err := auth.Authorize(actor, c.perm, actingFor); err != nil {
			return err
		}
		if version != anyVersion && r.Version != version {
			return staleVersion(r.Reference, version)
		}
		asOf := s.today()
		next, err := c.apply(Refresh(before, asOf), asOf)
		if err != nil {
			return err
		}
		next.ID = r.ID
		if c.onlyIfChanged && next.Status == before.Status && len(next.Renewals) == len(before.Renewals) {
			out = r
			return nil
		}
		written = true
		if c.lead != nil {
			if r.LeadOrgID, err = c.lead(next); err != nil {
				return err
			}
		}
		r.Agreement = next
		if err := saveRecord(ctx, tx, &r, s.clock()); err != nil {
			return err
		}
		if c.also != nil {
			if err := c.also(ctx, tx, r); err != nil {
				return err
			}
		}
		detail := map[string]any{}
		if c.detail != nil {
			detail = c.detail(before, next)
		}
		detail["reference"] = r.Reference
		detail["version"] = r.Version
		if before.Status != next.Status {
			detail["status"] = [2]Status{before.Status, next.Status}
		}
		out = r
		return audit.Record(ctx, tx, actor.Audit(actingFor, "agreement."+c.op, "agreement", strconv.FormatInt(id, 10), detail))
	})
	if err != nil {
		return Record{}, false, fail(c.op, id, err)
	}
	return s.withViolations(out), written, nil
}

func leadID(a Agreement) int64 {
	p, _ := a.Lead()
	return p.OrgID
}

// UpdateDraft replaces the content (and possibly the kind) of a draft
// convention; version is the version the user edited. The actor needs
// auth.Write on the current lead party. A convention no longer a draft
// changes only by avenant (Amend).
func (s *Service) UpdateDraft(ctx context.Context, actor auth.Actor, id, version int64, d Input) (Record, error) {
	if err := checkActor(actor); err != nil {
		return Record{}, fail("update", id, err)
	}
	c, err := s.agreementOf(ctx, d)
	if err != nil {
		return Record{}, fail("update", id, err)
	}
	return s.run(ctx, actor, id, version, change{
		op: "update", perm: auth.Write, actsFor: leadID,
		apply: func(a Agreement, _ civil.Date) (Agreement, error) {
			if a.Status != Draft {
				return a, &Refusal{Action: ActUpdate, Status: a.Status, Message: fmt.Sprintf(
					"la convention n'est plus un brouillon (%s) : elle se modifie par avenant une fois signée", a.Status.Label())}
			}
			a.Kind, a.Content = d.Kind, c
			return a, nil
		},
		lead: leadOf,
		also: func(ctx context.Context, tx *store.Tx, r Record) error {
			if err := writeParties(ctx, tx, r.ID, r.Agreement.Parties, false); err != nil {
				return err
			}
			return writeVersion(ctx, tx, r.ID, Version{Number: 0, Content: r.Agreement.Content, CreatedAt: r.UpdatedAt, CreatedBy: actor.UserID()})
		},
		detail: func(before, after Agreement) map[string]any {
			d := map[string]any{"changes": Diff(before.Content, after.Content)}
			if before.Kind != after.Kind {
				d["kind"] = [2]Kind{before.Kind, after.Kind}
			}
			return d
		},
	})
}

// Submit sends a draft to the parties for their approvals (Submit of
// lifecycle.go). The actor needs auth.Write on the lead party.
func (s *Service) Submit(ctx context.Context, actor auth.Actor, id, version int64) (Record, error) {
	return s.run(ctx, actor, id, version, change{
		op: "submit", perm: auth.Write, actsFor: leadID, apply: Submit,
	})
}

// RecordApproval records a party's act: its deliberation, the agent's
// consent, the CST's opinion, a ratification… The actor needs auth.Write on
// ap.OrgID, the party whose act it is; an act of no party (OrgID 0, the
// prefect's order) is recorded by the lead party.
func (s *Service) RecordApproval(ctx context.Context, actor auth.Actor, id, version int64, ap Approval) (Record, error) {
	return s.run(ctx, actor, id, version, change{
		op: "approve", perm: auth.Write,
		actsFor: func(a Agreement) int64 {
			if ap.OrgID != 0 {
				return ap.OrgID
			}
			return leadID(a)
		},
		apply: func(a Agreement, asOf civil.Date) (Agreement, error) { return RecordApproval(a, ap, asOf) },
		detail: func(_, _ Agreement) map[string]any {
			return map[string]any{"approval": ap}
		},
	})
}

// Sign records the signature of party sig.OrgID; the actor needs auth.Write
// on that party. The last signature makes the convention signed, and in
// force from its start date.
func (s *Service) Sign(ctx context.Context, actor auth.Actor, id, version int64, sig Signature) (Record, error) {
	return s.run(ctx, actor, id, version, change{
		op: "sign", perm: auth.Write,
		actsFor: func(Agreement) int64 { return sig.OrgID },
		apply:   func(a Agreement, asOf civil.Date) (Agreement, error) { return Sign(a, sig, asOf) },
		detail: func(_, after Agreement) map[string]any {
			d := map[string]any{"signature": sig}
			if recorded, ok := after.signature(sig.OrgID); ok {
				d["signature"] = recorded // with the signatory filled in
			}
			return d
		},
	})
}

// Amend concludes an avenant: d is the convention's new content (its
// parties rebuilt from the organisations as they are today), am the
// avenant's date, purpose and the approvals authorising it (Amend of
// lifecycle.go numbers it and records what changed). The new version is
// kept in the versions table with the avenant; parties the avenant removes
// keep read access. The actor needs auth.Write on the lead party, who
// records the avenant with every party's approval.
func (s *Service) Amend(ctx context.Context, actor auth.Actor, id, version int64, d Input, am Amendment) (Record, error) {
	if err := checkActor(actor); err != nil {
		return Record{}, fail("amend", id, err)
	}
	c, err := s.agreementOf(ctx, d)
	if err != nil {
		return Record{}, fail("amend", id, err)
	}
	return s.run(ctx, actor, id, version, change{
		op: "amend", perm: auth.Write, actsFor: leadID,
		apply: func(a Agreement, asOf civil.Date) (Agreement, error) {
			if d.Kind != a.Kind {
				return a, &Refusal{Action: ActAmend, Status: a.Status, Message: fmt.Sprintf(
					"un avenant ne change pas la nature de la convention (« %s »)", a.Kind.Label())}
			}
			return Amend(a, c, am, asOf)
		},
		lead: leadOf,
		also: func(ctx context.Context, tx *store.Tx, r Record) error {
			if err := writeParties(ctx, tx, r.ID, r.Agreement.Parties, true); err != nil {
				return err
			}
			last := r.Agreement.Amendments[len(r.Agreement.Amendments)-1]
			return writeVersion(ctx, tx, r.ID, Version{Number: last.Number, Content: r.Agreement.Content, Date: last.Date,
				Reason: last.Reason, Changes: last.Changes, CreatedAt: r.UpdatedAt, CreatedBy: actor.UserID()})
		},
		detail: func(_, after Agreement) map[string]any {
			last := after.Amendments[len(after.Amendments)-1]
			return map[string]any{"avenant": last.Number, "date": last.Date, "reason": last.Reason, "changes": last.Changes}
		},
	})
}

// Renew renews a signed or in-force convention expressly until newEnd,
// decided on date. The actor needs auth.Write on the lead party.
func (s *Service) Renew(ctx context.Context, actor auth.Actor, id, version int64, newEnd, date civil.Date) (Record, error) {
	return s.run(ctx, actor, id, version, change{
		op: "renew", perm: auth.Write, actsFor: leadID,
		apply: func(a Agreement, asOf civil.Date) (Agreement, error) { return Renew(a, newEnd, date, asOf) },
		detail: func(before, after Agreement) map[string]any {
			return map[string]any{"previous_end": before.CurrentEnd(), "new_end": after.CurrentEnd(), "date": date}
		},
	})
}

// Terminate ends a convention before its term: t says by which party
// (t.By), when, why and from when. The actor needs auth.Write on t.By.
func (s *Service) Terminate(ctx context.Context, actor auth.Actor, id, version int64, t Termination) (Record, error) {
	return s.run(ctx, actor, id, version, change{
		op: "terminate", perm: auth.Write,
		actsFor: func(a Agreement) int64 {
			if t.By != 0 {
				return t.By
			}
			return leadID(a)
		},
		apply: func(a Agreement, asOf civil.Date) (Agreement, error) { return Terminate(a, t, asOf) },
		detail: func(_, after Agreement) map[string]any {
			return map[string]any{"termination": after.Termination}
		},
	})
}

// RecordDecision records a decision of an entente's conférence; each
// council then ratifies it (RecordApproval with kind Ratification). The
// actor needs auth.Write on the lead party (the commune support).
func (s *Service) RecordDecision(ctx context.Context, actor auth.Actor, id, version int64, d ConferenceDecision) (Record, error) {
	return s.run(ctx, actor, id, version, change{
		op: "decide", perm: auth.Write, actsFor: leadID,
		apply:  func(a Agreement, asOf civil.Date) (Agreement, error) { return RecordDecision(a, d, asOf) },
		detail: func(_, _ Agreement) map[string]any { return map[string]any{"decision": d} },
	})
}

// RecordUnitCostNotice records that the unit cost of a service made
// available was notified to the beneficiaries (D5211-16, R5111-1), which
// clears the alert. The actor needs auth.Write on the provider of the
// service (the lead when no party is a provider).
func (s *Service) RecordUnitCostNotice(ctx context.Context, actor auth.Actor, id, version int64, n UnitCostNotice) (Record, error) {
	return s.run(ctx, actor, id, version, change{
		op: "notify_unit_cost", perm: auth.Write,
		actsFor: func(a Agreement) int64 {
			if ps := a.WithRole(RoleProvider); len(ps) > 0 {
				return ps[0].OrgID
			}
			return leadID(a)
		},
		apply:  func(a Agreement, asOf civil.Date) (Agreement, error) { return RecordUnitCostNotice(a, n, asOf) },
		detail: func(_, _ Agreement) map[string]any { return map[string]any{"notice": n} },
	})
}

// Refresh applies to convention id what time alone brought by today
// (Refresh of lifecycle.go: coming into force, tacit renewal, expiry, a
// termination taking effect) and stores it; nothing is written when nothing
// changed. Any reader of the convention may call it.
func (s *Service) Refresh(ctx context.Context, actor auth.Actor, id int64) (Record, error) {
	r, _, err := s.refresh(ctx, actor, id)
	return r, err
}

func (s *Service) refresh(ctx context.Context, actor auth.Actor, id int64) (Record, bool, error) {
	return s.runChange(ctx, actor, id, anyVersion, change{
		op: "refresh", perm: auth.ReadPrivate,
		actsFor: func(a Agreement) int64 {
			if !actor.PlatformAdmin() {
				// An organisation of the actor's that is or was a party.
				for _, m := range actor.User.Memberships {
					if _, ok := a.Party(m.OrgID); ok {
						return m.OrgID
					}
				}
			}
			return leadID(a)
		},
		apply:         func(a Agreement, _ civil.Date) (Agreement, error) { return a, nil }, // run refreshes before apply
		onlyIfChanged: true,
		detail: func(before, after Agreement) map[string]any {
			d := map[string]any{"as_of": s.today()}
			if n := len(after.Renewals) - len(before.Renewals); n > 0 {
				d["tacit_renewals"] = after.Renewals[len(before.Renewals):]
			}
			return d
		},
	})
}

// RefreshDue refreshes every signed or in-force convention and returns how
// many changed: the daily job (`voisines agreement refresh`). A convention
// that fails to refresh does not stop the others: each failure is logged
// with the convention's id, and the failures come back joined
// (errors.Join) with the count of those refreshed; a cancelled ctx stops
// it. Only a platform admin or the system may run it.
func (s *Service) RefreshDue(ctx context.Context, actor auth.Actor) (int, error) {
	if err := auth.RequirePlatformAdmin(actor); err != nil {
		return 0, fail("refresh", 0, err)
	}
	ids, err := idsWithStatus(ctx, s.db.Reader(), Signed, InForce)
	if err != nil {
		return 0, fail("refresh", 0, err)
	}
	changed := 0
	var errs []error
	for _, id := range ids {
		if ctx.Err() != nil {
			errs = append(errs, ctx.Err())
			break
		}
		_, written, err := s.refresh(ctx, actor, id)
		if err != nil {
			s.log.ErrorContext(ctx, "convention refresh failed", "agreement_id", id, "error", err)
			errs = append(errs, err)
			continue
		}
		if written {
			changed++
		}
	}
	return changed, errors.Join(errs...)
}

// read loads convention id for actor: store.ErrNotFound unless a user of
// one of its parties, or a platform admin.
func (s *Service) read(ctx context.Context, actor auth.Actor, id int64) (Record, error) {
	if err := checkActor(actor); err != nil {
		return Record{}, err
	}
	return s.readOn(ctx, s.db.Reader(), actor, id)
}

// readOn is read through q (a transaction, to read and write as one).
func (s *Service) readOn(ctx context.Context, q store.Querier, actor auth.Actor, id int64) (Record, error) {
	r, err := loadRecord(ctx, q, id)
	if err != nil {
		return Record{}, err
	}
	orgs, err := partyOrgIDs(ctx, q, id)
	if err != nil {
		return Record{}, err
	}
	if !canRead(actor, orgs) {
		return Record{}, fmt.Errorf("convention %d: %w", id, store.ErrNotFound)
	}
	return r, nil
}

// Get returns convention id as stored, with the rules it breaks today. Only
// users of its parties (present or past) and platform admins see it; for
// anyone else it does not exist (store.ErrNotFound).
func (s *Service) Get(ctx context.Context, actor auth.Actor, id int64) (Record, error) {
	r, err := s.read(ctx, actor, id)
	if err != nil {
		return Record{}, fail("get", id, err)
	}
	return s.withViolations(r), nil
}

// ByReference is Get by the convention's reference ("2026-0012").
func (s *Service) ByReference(ctx context.Context, actor auth.Actor, reference string) (Record, error) {
	if err := checkActor(actor); err != nil {
		return Record{}, fail("get "+reference, 0, err)
	}
	id, err := recordID(ctx, s.db.Reader(), strings.TrimSpace(reference))
	if err != nil {
		return Record{}, fail("get "+reference, 0, err)
	}
	return s.Get(ctx, actor, id)
}

// Versions returns every version of convention id's content, oldest first:
// version 0 and one per avenant, with what it changed.
func (s *Service) Versions(ctx context.Context, actor auth.Actor, id int64) ([]Version, error) {
	if _, err := s.read(ctx, actor, id); err != nil {
		return nil, fail("versions", id, err)
	}
	vs, err := listVersions(ctx, s.db.Reader(), id)
	if err != nil {
		return nil, fail("versions", id, err)
	}
	return vs, nil
}

// Import stores the conventions ParseImport read from a spreadsheet, all of
// them or none, in one transaction: each gets its platform reference, keeps
// the file's reference as ExternalReference and its notes, and is brought
// up to date by Refresh as of today. The actor needs auth.Write on each
// convention's lead party. A convention whose lead already holds that
// external reference (a file imported twice) refuses the whole import with
// store.ErrConflict, naming the line. Records come back in the order of
// rows.
func (s *Service) Import(ctx context.Context, actor auth.Actor, rows []ImportRow) ([]Record, error) {
	if err := checkActor(actor); err != nil {
		return nil, fail("import", 0, err)
	}
	asOf, now := s.today(), s.clock()
	records := make([]Record, len(rows))
	for i, row := range rows {
		a := Refresh(row.Agreement, asOf)
		a.ID = 0
		lead, err := leadOf(a)
		if err != nil {
			return nil, fail("import", 0, fmt.Errorf("ligne %d : %w", row.Line, err))
		}
		if err := auth.Authorize(actor, auth.Write, lead); err != nil {
			return nil, fail("import", 0, fmt.Errorf("ligne %d, « %s » : %w", row.Line, row.Reference, err))
		}
		records[i] = Record{ExternalReference: strings.TrimSpace(row.Reference), Notes: strings.TrimSpace(row.Notes),
			LeadOrgID: lead, Version: 1, CreatedAt: now, UpdatedAt: now, CreatedBy: actor.UserID(), Agreement: a}
	}
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		for i := range records {
			r := &records[i]
			if r.ExternalReference != "" {
				held, taken, err := externalReferenceHolder(ctx, tx, r.LeadOrgID, r.ExternalReference)
				if err != nil {
					return err
				}
				if taken {
					lead, _ := r.Agreement.Lead()
					return fmt.Errorf("%w: ligne %d, la convention « %s » de « %s » est déjà enregistrée sous le numéro %s",
						store.ErrConflict, rows[i].Line, r.ExternalReference, lead.Name, held)
				}
			}
			var err error
			if r.Reference, err = nextReference(ctx, tx, asOf.Year); err != nil {
				return err
			}
			if err := insertRecord(ctx, tx, r); err != nil {
				return err
			}
			if err := writeParties(ctx, tx, r.ID, r.Agreement.Parties, false); err != nil {
				return err
			}
			for n := 0; n <= len(r.Agreement.Amendments); n++ {
				content, _ := r.Agreement.ContentAt(n)
				v := Version{Number: n, Content: content, CreatedAt: now, CreatedBy: actor.UserID()}
				if n > 0 {
					am := r.Agreement.Amendments[n-1]
					v.Date, v.Reason, v.Changes = am.Date, am.Reason, am.Changes
				}
				if err := writeVersion(ctx, tx, r.ID, v); err != nil {
					return err
				}
			}
		}
		// One audit record per convention, after every write.
		for i, r := range records {
			if err := audit.Record(ctx, tx, actor.Audit(r.LeadOrgID, "agreement.import", "agreement", strconv.FormatInt(r.ID, 10),
				map[string]any{"reference": r.Reference, "external_reference": r.ExternalReference, "line": rows[i].Line,
					"kind": r.Agreement.Kind, "status": r.Agreement.Status, "title": r.Agreement.Title,
					"parties": partyList(r.Agreement.Parties)})); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fail("import", 0, err)
	}
	for i := range records {
		records[i] = s.withViolations(records[i])
	}
	return records, nil
}
