package ledger

// The operations. Each one authorises the actor (see the package comment),
// runs in one transaction when it writes, and records itself in the audit
// log last. Errors: malformed input and refused requests come back as
// validate.Errors, unwrapped, so that a form, the API and the CLI can show
// them; a convention or statement the actor may not read as
// store.ErrNotFound; a stale version or a duplicate statement as
// store.ErrConflict; anything else wrapped with a "ledger: …" prefix.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"voisines/internal/agreement"
	"voisines/internal/audit"
	"voisines/internal/auth"
	"voisines/internal/civil"
	"voisines/internal/store"
	"voisines/internal/validate"
)

// Service computes, issues and reads statements and flows.
type Service struct {
	db         *store.DB
	agreements *agreement.Service
	now        func() time.Time
}

// New returns a Service over db; agreements (the conventions service over
// the same database) gives the content of conventions when terms are set.
func New(db *store.DB, agreements *agreement.Service) *Service {
	return &Service{db: db, agreements: agreements, now: time.Now}
}

// WithClock returns a copy of s that reads the time from now (tests).
func (s *Service) WithClock(now func() time.Time) *Service {
	c := *s
	c.now = now
	return &c
}

func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// fail wraps err for the operation, except the errors faces render as they
// are: validation errors.
func fail(op string, err error) error {
	if _, ok := validate.As(err); ok {
		return err
	}
	return fmt.Errorf("ledger: %s: %w", op, err)
}

func checkActor(actor auth.Actor) error {
	if actor.IsSystem() || actor.User != nil && !actor.User.Disabled {
		return nil
	}
	return auth.ErrUnauthenticated
}

// canRead reports whether actor may read what concerns a convention whose
// parties (now or before) are orgs.
func canRead(actor auth.Actor, orgs []int64) bool {
	if actor.PlatformAdmin() {
		return true
	}
	if actor.User == nil || actor.User.Disabled {
		return false
	}
	return slices.ContainsFunc(actor.User.Memberships, func(m auth.Membership) bool { return slices.Contains(orgs, m.OrgID) })
}

// readConvention loads convention id for actor: store.ErrNotFound unless
// actor is a user of one of its parties or a platform admin.
func readConvention(ctx context.Context, q store.Querier, actor auth.Actor, id int64) (Convention, error) {
	if err := checkActor(actor); err != nil {
		return Convention{}, err
	}
	c, err := loadConvention(ctx, q, id)
	if err != nil {
		return Convention{}, err
	}
	if !canRead(actor, c.Readers) {
		return Convention{}, fmt.Errorf("convention %d: %w", id, store.ErrNotFound)
	}
	return c, nil
}

// TermsRecord is a convention's stored financial terms.
type TermsRecord struct {
	AgreementID int64     `json:"agreement_id"`
	Version     int64     `json:"version"`
	UpdatedAt   time.Time `json:"updated_at"`
	Terms       Terms     `json:"terms"`
}

// Terms returns the financial terms of convention id; store.ErrNotFound
// when none are recorded or the actor is not a party.
func (s *Service) Terms(ctx context.Context, actor auth.Actor, id int64) (TermsRecord, error) {
	q := s.db.Reader()
	if _, err := readConvention(ctx, q, actor, id); err != nil {
		return TermsRecord{}, fail("terms", err)
	}
	r, err := loadTerms(ctx, q, id)
	if err != nil {
		return TermsRecord{}, fail("terms", err)
	}
	return TermsRecord{AgreementID: id, Version: r.Version, UpdatedAt: r.UpdatedAt, Terms: r.Terms}, nil
}

// SetTerms records the financial terms of convention id, completed from
// the convention (its creditor, parties in order, period, quotité, shares)
// and checked against it. version is the version the user edited, 0 for
// the first terms. The actor needs auth.Write on the creditor (and on the
// previous creditor when it changes).
func (s *Service) SetTerms(ctx context.Context, actor auth.Actor, id, version int64, t Terms) (TermsRecord, error) {
	rec, t, err := s.checkTerms(ctx, actor, id, t)
	if err != nil {
		return TermsRecord{}, fail("set terms", err)
	}
	var out TermsRecord
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		out, err = s.writeTerms(ctx, tx, actor, rec, version, t)
		return err
	})
	if err != nil {
		return TermsRecord{}, fail("set terms", err)
	}
	return out, nil
}

// checkTerms completes terms t of convention id from the convention and
// checks them against it, and checks that the actor may write them (on
// their creditor), before any transaction.
func (s *Service) checkTerms(ctx context.Context, actor auth.Actor, id int64, t Terms) (agreement.Record, Terms, error) {
	rec, err := s.agreements.Get(ctx, actor, id)
	if err != nil {
		return agreement.Record{}, Terms{}, err
	}
	if t, err = prepareTerms(rec.Agreement, t); err != nil {
		return agreement.Record{}, Terms{}, err
	}
	if err := auth.Authorize(actor, auth.Write, t.Creditor); err != nil {
		return agreement.Record{}, Terms{}, err
	}
	return rec, t, nil
}

// writeTerms stores terms t (checked by checkTerms) of convention rec in
// tx, if the stored ones are still at version, and audits it.
func (s *Service) writeTerms(ctx context.Context, tx *store.Tx, actor auth.Actor, rec agreement.Record, version int64, t Terms) (TermsRecord, error) {
	id := rec.ID
	prev, err := loadTerms(ctx, tx, id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		if version != 0 {
			return TermsRecord{}, fmt.Errorf("%w: la convention n'a pas encore de conditions financières (version %d)", store.ErrConflict, version)
		}
	case err != nil:
		return TermsRecord{}, err
	case version == 0:
		return TermsRecord{}, fmt.Errorf("%w: la convention a déjà des conditions financières (version %d) : modifiez-les", store.ErrConflict, prev.Version)
	case prev.Terms.Creditor != t.Creditor:
		if err := auth.Authorize(actor, auth.Write, prev.Terms.Creditor); err != nil {
			return TermsRecord{}, err
		}
	}
	now := s.clock()
	out := TermsRecord{AgreementID: id, UpdatedAt: now, Terms: t}
	if out.Version, err = saveTerms(ctx, tx, id, version, t, now, actor.UserID()); err != nil {
		return TermsRecord{}, err
	}
	err = audit.Record(ctx, tx, actor.Audit(t.Creditor, "ledger.terms.set", "agreement", strconv.FormatInt(id, 10),
		map[string]any{"reference": rec.Reference, "version": out.Version, "terms": t}))
	return out, err
}

// prepare reads convention and terms, gathers the data and resolves the
// inputs of a statement, through q.
func prepare(ctx context.Context, q store.Querier, actor auth.Actor, req Request) (Convention, Inputs, error) {
	c, err := readConvention(ctx, q, actor, req.AgreementID)
	if err != nil {
		return Convention{}, Inputs{}, err
	}
	tr, err := loadTerms(ctx, q, req.AgreementID)
	if errors.Is(err, store.ErrNotFound) {
		return Convention{}, Inputs{}, validate.Errors{{Field: "terms", Message: "la convention n'a pas encore de conditions financières structurées : saisissez-les d'abord"}}
	} else if err != nil {
		return Convention{}, Inputs{}, err
	}
	d, err := gather(ctx, q, c, tr.Terms, req)
	if errors.Is(err, errAmbiguous) {
		return Convention{}, Inputs{}, validate.Errors{{Field: "terms.key", Message: strings.TrimPrefix(err.Error(), errAmbiguous.Error()+": ")}}
	} else if err != nil {
		return Convention{}, Inputs{}, err
	}
	in, err := resolve(c, tr.Terms, req, d)
	in.Settlement = tr.Terms.Settlement
	return c, in, err
}

// statementOf evaluates in into a new statement of status st.
func (s *Service) statementOf(actor auth.Actor, in Inputs, st Status) (Statement, error) {
	r, err := Evaluate(in)
	if err != nil {
		return Statement{}, err
	}
	stmt := Statement{AgreementID: in.Agreement.ID, Version: 1, Status: st, FiscalYear: in.To.Year, Inputs: in, Result: r,
		CreatedAt: s.clock(), CreatedBy: actor.String()}
	_, stmt.InputsSHA256, err = hashInputs(in)
	return stmt, err
}

// Compute returns the statement req asks for without storing it: a draft
// to look at. Any reader of the convention may compute.
func (s *Service) Compute(ctx context.Context, actor auth.Actor, req Request) (Statement, error) {
	_, in, err := prepare(ctx, s.db.Reader(), actor, req)
	if err != nil {
		return Statement{}, fail("compute", err)
	}
	st, err := s.statementOf(actor, in, Draft)
	if err != nil {
		return Statement{}, fail("compute", err)
	}
	return st, nil
}

// Draft computes the statement req asks for and stores it as a draft, to
// be checked and issued. The actor needs auth.Write on the creditor.
func (s *Service) Draft(ctx context.Context, actor auth.Actor, req Request) (Statement, error) {
	var out Statement
	err := s.db.InTx(ctx, func(tx *store.Tx) (err error) {
		out, err = s.draft(ctx, tx, actor, req)
		return err
	})
	if err != nil {
		return Statement{}, fail("draft", err)
	}
	return out, nil
}

// DraftWithTerms records terms t of convention req.AgreementID, as
// SetTerms does (version is the version of the terms the caller read, 0
// for the first terms), and drafts the statement req asks for, as Draft
// does, in one transaction: when either fails, neither is stored. The
// authorisation and the audit entries are those of the two operations.
// The domains that set the terms from their own data (staff, shared
// services, purchasing groups) draft through it.
func (s *Service) DraftWithTerms(ctx context.Context, actor auth.Actor, version int64, t Terms, req Request) (Statement, error) {
	rec, t, err := s.checkTerms(ctx, actor, req.AgreementID, t)
	if err != nil {
		return Statement{}, fail("draft with terms", err)
	}
	var out Statement
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		if _, err := s.writeTerms(ctx, tx, actor, rec, version, t); err != nil {
			return err
		}
		out, err = s.draft(ctx, tx, actor, req)
		return err
	})
	if err != nil {
		return Statement{}, fail("draft with terms", err)
	}
	return out, nil
}

// draft is the body of Draft, in tx.
func (s *Service) draft(ctx context.Context, tx *store.Tx, actor auth.Actor, req Request) (Statement, error) {
	_, in, err := prepare(ctx, tx, actor, req)
	if err != nil {
		return Statement{}, err
	}
	if err := auth.Authorize(actor, auth.Write, in.Creditor.OrgID); err != nil {
		return Statement{}, err
	}
	out, err := s.statementOf(actor, in, Draft)
	if err != nil {
		return Statement{}, err
	}
	if out.Number, err = nextNumber(ctx, tx, req.AgreementID); err != nil {
		return Statement{}, err
	}
	if err := insertStatement(ctx, tx, &out, actor.UserID(), 0); err != nil {
		return Statement{}, err
	}
	return out, audit.Record(ctx, tx, actor.Audit(in.Creditor.OrgID, "ledger.draft.create", "ledger_statement",
		strconv.FormatInt(out.ID, 10), draftDetail(out)))
}

// VisibleTo reports whether actor, a reader of st's convention, may see
// st. An issued statement (current, corrected or cancelled by a
// correction) shows to every party of the convention; a draft is the work
// in progress of the organisation that drafts it, its creditor, and shows
// only to those who may write for that organisation (auth.Write on
// st.Inputs.Creditor), to platform admins and to the system. This is the
// one rule every reader applies: Statement, Statements, Flows, History and
// Recheck through readStatement and Statements, and the faces through them.
func (st Statement) VisibleTo(actor auth.Actor) bool {
	return st.Status != Draft || auth.Authorize(actor, auth.Write, st.Inputs.Creditor.OrgID) == nil
}

// readStatement loads statement id for actor with its convention:
// store.ErrNotFound unless actor is a party of its convention and may see
// the statement (Statement.VisibleTo), so that another party asking for a
// draft by id learns nothing of it.
func readStatement(ctx context.Context, q store.Querier, actor auth.Actor, id int64) (Statement, Convention, error) {
	if err := checkActor(actor); err != nil {
		return Statement{}, Convention{}, err
	}
	st, err := loadStatement(ctx, q, id)
	if err != nil {
		return Statement{}, Convention{}, err
	}
	c, err := readConvention(ctx, q, actor, st.AgreementID)
	if errors.Is(err, store.ErrNotFound) || err == nil && !st.VisibleTo(actor) {
		return Statement{}, Convention{}, fmt.Errorf("statement %d: %w", id, store.ErrNotFound)
	}
	return st, c, err
}

// Recompute recomputes draft id from its request and today's data. The
// actor needs auth.Write on the creditor.
func (s *Service) Recompute(ctx context.Context, actor auth.Actor, id int64) (Statement, error) {
	var out Statement
	err := s.db.InTx(ctx, func(tx *store.Tx) (err error) {
		out, err = s.recompute(ctx, tx, actor, id)
		return err
	})
	if err != nil {
		return Statement{}, fail("recompute", err)
	}
	return out, nil
}

// RecomputeWithTerms is DraftWithTerms for draft id of convention
// agreementID: it records terms t, as SetTerms does, and recomputes the
// draft with them, as Recompute does, in one transaction.
func (s *Service) RecomputeWithTerms(ctx context.Context, actor auth.Actor, agreementID, version int64, t Terms, id int64) (Statement, error) {
	rec, t, err := s.checkTerms(ctx, actor, agreementID, t)
	if err != nil {
		return Statement{}, fail("recompute with terms", err)
	}
	var out Statement
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		st, _, err := readStatement(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if st.AgreementID != agreementID {
			return fmt.Errorf("statement %d of convention %d: %w", id, agreementID, store.ErrNotFound)
		}
		if _, err := s.writeTerms(ctx, tx, actor, rec, version, t); err != nil {
			return err
		}
		out, err = s.recompute(ctx, tx, actor, id)
		return err
	})
	if err != nil {
		return Statement{}, fail("recompute with terms", err)
	}
	return out, nil
}

// recompute is the body of Recompute, in tx.
func (s *Service) recompute(ctx context.Context, tx *store.Tx, actor auth.Actor, id int64) (Statement, error) {
	st, _, err := readStatement(ctx, tx, actor, id)
	if err != nil {
		return Statement{}, err
	}
	if err := auth.Authorize(actor, auth.Write, st.Inputs.Creditor.OrgID); err != nil {
		return Statement{}, err
	}
	if st.Status != Draft {
		return Statement{}, notDraft(st)
	}
	_, in, err := prepare(ctx, tx, actor, st.Inputs.Request)
	if err != nil {
		return Statement{}, err
	}
	fresh, err := s.statementOf(actor, in, Draft)
	if err != nil {
		return Statement{}, err
	}
	before := st.Result.Total
	st.Inputs, st.Result, st.FiscalYear = fresh.Inputs, fresh.Result, fresh.FiscalYear
	if err := updateDraft(ctx, tx, &st); err != nil {
		return Statement{}, err
	}
	detail := draftDetail(st)
	detail["previous_total"] = before.Plain()
	return st, audit.Record(ctx, tx, actor.Audit(st.Inputs.Creditor.OrgID, "ledger.draft.recompute", "ledger_statement",
		strconv.FormatInt(st.ID, 10), detail))
}

// draftDetail is what the audit log keeps of a draft.
func draftDetail(st Statement) map[string]any {
	return map[string]any{
		"agreement": st.Inputs.Agreement.Reference, "number": st.Number, "version": st.Version,
		"period": [2]civil.Date{st.Inputs.From, st.Inputs.To}, "total": st.Result.Total.Plain(),
		"inputs_sha256": st.InputsSHA256,
	}
}

func notDraft(st Statement) error {
	return validate.Errors{{Field: "status", Message: fmt.Sprintf(
		"l'état n° %d (version %d) est émis : il ne change plus ; corrigez-le par une nouvelle version", st.Number, st.Version)}}
}

// DeleteDraft deletes draft id. The actor needs auth.Write on the creditor.
func (s *Service) DeleteDraft(ctx context.Context, actor auth.Actor, id int64) error {
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		st, _, err := readStatement(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if err := auth.Authorize(actor, auth.Write, st.Inputs.Creditor.OrgID); err != nil {
			return err
		}
		if st.Status != Draft {
			return notDraft(st)
		}
		if _, err = tx.ExecContext(ctx, `DELETE FROM ledger_statements WHERE id = ? AND status = 'draft'`, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Audit(st.Inputs.Creditor.OrgID, "ledger.draft.delete", "ledger_statement",
			strconv.FormatInt(id, 10), draftDetail(st)))
	})
	if err != nil {
		return fail("delete draft", err)
	}
	return nil
}

// Issue issues draft id: it recomputes it from its request and today's
// data, refuses if anything changed since the draft was computed (the
// creditor recomputes and checks it again), refuses a statement that
// duplicates a current one (an overlapping period, the same call for
// funds), then freezes it and stores its gross flows with their suggested
// accounts. The actor needs auth.Write on the creditor.
func (s *Service) Issue(ctx context.Context, actor auth.Actor, id int64) (Statement, error) {
	var out Statement
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		st, c, err := readStatement(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if err := auth.Authorize(actor, auth.Write, st.Inputs.Creditor.OrgID); err != nil {
			return err
		}
		if st.Status != Draft {
			return notDraft(st)
		}
		if !c.concluded() {
			return validate.Errors{{Field: "agreement", Message: fmt.Sprintf(
				"la convention %s n'est pas conclue (%s) : ses états ne peuvent pas être émis", c.Reference, c.Status.Label())}}
		}
		_, in, err := prepare(ctx, tx, actor, st.Inputs.Request)
		if err != nil {
			return err
		}
		if _, hash, err := hashInputs(in); err != nil {
			return err
		} else if hash != st.InputsSHA256 {
			return fmt.Errorf("%w: les données de l'état n° %d ont changé depuis son calcul (usages, conditions financières) : recalculez-le et vérifiez-le avant de l'émettre",
				store.ErrConflict, st.Number)
		}
		if err := refuseDuplicate(ctx, tx, st.AgreementID, in, 0); err != nil {
			return err
		}
		st.Status, st.IssuedAt, st.IssuedBy = Issued, s.clock(), actor.String()
		if err := markIssued(ctx, tx, st, actor.UserID()); err != nil {
			return err
		}
		flows, err := s.storeFlows(ctx, tx, st)
		if err != nil {
			return err
		}
		out = st
		return audit.Record(ctx, tx, actor.Audit(st.Inputs.Creditor.OrgID, "ledger.statement.issue", "ledger_statement",
			strconv.FormatInt(st.ID, 10), issueDetail(st, flows)))
	})
	if err != nil {
		return Statement{}, fail("issue", err)
	}
	return out, nil
}

func refuseDuplicate(ctx context.Context, tx *store.Tx, agreementID int64, in Inputs, except int64) error {
	dups, err := overlapping(ctx, tx, agreementID, in, except)
	if err != nil {
		return err
	}
	if len(dups) > 0 {
		d := dups[0]
		return fmt.Errorf("%w: l'état n° %d (version %d, %s) couvre déjà cette période ou cet appel : corrigez-le plutôt",
			store.ErrConflict, d.Number, d.Version, frenchPeriod(d.Inputs.From, d.Inputs.To))
	}
	return nil
}

// storeFlows stores the gross flows of issued statement st with the
// accounts of its fiscal year.
func (s *Service) storeFlows(ctx context.Context, tx *store.Tx, st Statement) ([]Flow, error) {
	rules, err := accountRules(ctx, tx, st.FiscalYear)
	if err != nil {
		return nil, err
	}
	flows := flowsOf(st.Inputs, st.Result, rules)
	return flows, insertFlows(ctx, tx, st, flows)
}

func issueDetail(st Statement, flows []Flow) map[string]any {
	fl := make([]map[string]any, len(flows))
	for i, f := range flows {
		fl[i] = map[string]any{"id": f.ID, "creditor": f.Creditor.OrgID, "debtor": f.Debtor.OrgID, "amount": f.Amount.Plain()}
	}
	return map[string]any{
		"agreement": st.Inputs.Agreement.Reference, "number": st.Number, "version": st.Version,
		"period": [2]civil.Date{st.Inputs.From, st.Inputs.To}, "total": st.Result.Total.Plain(),
		"inputs_sha256": st.InputsSHA256, "flows": fl,
	}
}

// Correct issues a new version of issued statement id, computed from req
// (for the same convention), which replaces it: both are kept, the old one
// is no longer current and its flows give way to the new ones. reason says
// why, for the parties and the audit log. The actor needs auth.Write on the
// creditor.
func (s *Service) Correct(ctx context.Context, actor auth.Actor, id int64, req Request, reason string) (Statement, error) {
	reason = strings.TrimSpace(reason)
	var errs validate.Errors
	if reason == "" {
		errs.Add("reason", "dites pourquoi l'état est corrigé")
	}
	errs.Check(validate.MaxLen("reason", reason, 1000))
	if err := errs.Err(); err != nil {
		return Statement{}, err
	}
	var out Statement
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		prev, _, err := readStatement(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if err := auth.Authorize(actor, auth.Write, prev.Inputs.Creditor.OrgID); err != nil {
			return err
		}
		if !prev.Current() {
			return validate.Errors{{Field: "id", Message: fmt.Sprintf(
				"seule la dernière version émise d'un état se corrige (l'état n° %d version %d ne l'est pas)", prev.Number, prev.Version)}}
		}
		if req.AgreementID == 0 {
			req.AgreementID = prev.AgreementID
		}
		if req.AgreementID != prev.AgreementID {
			return validate.Errors{{Field: "agreement_id", Message: "une correction porte sur la même convention"}}
		}
		_, in, err := prepare(ctx, tx, actor, req)
		if err != nil {
			return err
		}
		if in.Kind != prev.Inputs.Kind || in.Call != prev.Inputs.Call {
			return validate.Errors{{Field: "call", Message: "une correction est du même type que l'état qu'elle corrige"}}
		}
		if err := refuseDuplicate(ctx, tx, prev.AgreementID, in, prev.ID); err != nil {
			return err
		}
		if out, err = s.statementOf(actor, in, Issued); err != nil {
			return err
		}
		out.Number, out.Version, out.Corrects, out.Reason = prev.Number, prev.Version+1, prev.ID, reason
		out.IssuedAt, out.IssuedBy = s.clock(), actor.String()
		if err := insertStatement(ctx, tx, &out, actor.UserID(), actor.UserID()); err != nil {
			return err
		}
		flows, err := s.storeFlows(ctx, tx, out)
		if err != nil {
			return err
		}
		detail := issueDetail(out, flows)
		detail["corrects"] = map[string]any{"id": prev.ID, "version": prev.Version, "total": prev.Result.Total.Plain(),
			"inputs_sha256": prev.InputsSHA256}
		detail["reason"] = reason
		return audit.Record(ctx, tx, actor.Audit(out.Inputs.Creditor.OrgID, "ledger.statement.correct", "ledger_statement",
			strconv.FormatInt(out.ID, 10), detail))
	})
	if err != nil {
		return Statement{}, fail("correct", err)
	}
	return out, nil
}

// Complete returns r with the fields it leaves unset taken from base, the
// request of the statement being corrected: the period, the label, the
// cost lines, receipts and units (all three, when r gives none) and the
// call for funds. A correction that changes one figure names only it.
func (r Request) Complete(base Request) Request {
	if r.From.IsZero() {
		r.From = base.From
	}
	if r.To.IsZero() {
		r.To = base.To
	}
	if r.Label == "" {
		r.Label = base.Label
	}
	if r.CostLines == nil && r.Receipts == nil && r.Units == nil {
		r.CostLines, r.Receipts, r.Units = base.CostLines, base.Receipts, base.Units
	}
	if r.Call == 0 && !r.Final {
		r.Call, r.Final = base.Call, base.Final
	}
	return r
}

// Statement returns statement id; store.ErrNotFound unless the actor is a
// party of its convention (or a platform admin) and, for a draft, may
// write for its creditor (Statement.VisibleTo).
func (s *Service) Statement(ctx context.Context, actor auth.Actor, id int64) (Statement, error) {
	st, _, err := readStatement(ctx, s.db.Reader(), actor, id)
	if err != nil {
		return Statement{}, fail("statement", err)
	}
	return st, nil
}

// Statements returns the statements of convention id the actor may see
// (Statement.VisibleTo), by number and version: every issued one, former
// versions included, to each party; the drafts too to those who may write
// for the creditor, and to platform admins.
func (s *Service) Statements(ctx context.Context, actor auth.Actor, id int64) ([]Statement, error) {
	q := s.db.Reader()
	if _, err := readConvention(ctx, q, actor, id); err != nil {
		return nil, fail("statements", err)
	}
	ss, err := listStatements(ctx, q, `s.agreement_id = ?`, id)
	if err != nil {
		return nil, fail("statements", err)
	}
	return slices.DeleteFunc(ss, func(st Statement) bool { return !st.VisibleTo(actor) }), nil
}

// Recheck verifies issued statement id: the stored inputs still hash to
// the stored SHA-256, and evaluating them again gives the stored result.
// It returns nil when both hold.
func (s *Service) Recheck(ctx context.Context, actor auth.Actor, id int64) error {
	q := s.db.Reader()
	st, _, err := readStatement(ctx, q, actor, id)
	if err != nil {
		return fail("recheck", err)
	}
	var stored string
	if err := q.QueryRowContext(ctx, `SELECT inputs FROM ledger_statements WHERE id = ?`, id).Scan(&stored); err != nil {
		return fail("recheck", err)
	}
	if got := sha256Hex(stored); got != st.InputsSHA256 {
		return fmt.Errorf("ledger: recheck %d: the stored inputs hash to %s, not to the recorded %s", id, got, st.InputsSHA256)
	}
	r, err := Evaluate(st.Inputs)
	if err != nil {
		return fail("recheck", err)
	}
	if !slices.Equal(r.Lines, st.Result.Lines) || r.Total != st.Result.Total {
		return fmt.Errorf("ledger: recheck %d: recomputing the inputs gives other amounts than the stored ones", id)
	}
	return nil
}

// Flows returns the flows of statement id.
func (s *Service) Flows(ctx context.Context, actor auth.Actor, id int64) ([]Flow, error) {
	q := s.db.Reader()
	if _, _, err := readStatement(ctx, q, actor, id); err != nil {
		return nil, fail("flows", err)
	}
	fs, err := listFlows(ctx, q, `f.statement_id = ?`, id)
	if err != nil {
		return nil, fail("flows", err)
	}
	return fs, nil
}

// Flow returns flow id; store.ErrNotFound unless the actor is a party of
// its convention (or a platform admin).
func (s *Service) Flow(ctx context.Context, actor auth.Actor, id int64) (Flow, error) {
	if err := checkActor(actor); err != nil {
		return Flow{}, fail("flow", err)
	}
	q := s.db.Reader()
	f, err := readFlow(ctx, q, actor, id)
	if err != nil {
		return Flow{}, fail("flow", err)
	}
	return f, nil
}

// readFlow loads flow id for actor: store.ErrNotFound unless a party of
// its convention.
func readFlow(ctx context.Context, q store.Querier, actor auth.Actor, id int64) (Flow, error) {
	fs, err := listFlows(ctx, q, `f.id = ?`, id)
	if err != nil {
		return Flow{}, err
	}
	if len(fs) == 0 {
		return Flow{}, fmt.Errorf("flow %d: %w", id, store.ErrNotFound)
	}
	if _, err := readConvention(ctx, q, actor, fs[0].AgreementID); err != nil {
		return Flow{}, fmt.Errorf("flow %d: %w", id, store.ErrNotFound)
	}
	return fs[0], nil
}

// RecordDocument records a document issued for flow id: the titre (side
// Titre, by the creditor) or the mandat (side Mandat, by the debtor) of a
// current flow, or — once a correction replaced the flow — the titre
// d'annulation or de réduction of its recorded titre (TitreCancel, by the
// creditor) or the cancellation of its recorded mandat (MandatCancel, by
// the debtor): its number, date and the account used (empty keeps the
// suggested one). Recording again replaces the previous record; each
// recording is audited. A flow settled against the attribution de
// compensation has no titre nor mandat. The actor needs auth.Write on the
// organisation that records.
func (s *Service) RecordDocument(ctx context.Context, actor auth.Actor, flowID int64, side Side, doc Document) (Flow, error) {
	doc.Reference, doc.Account = strings.TrimSpace(doc.Reference), strings.TrimSpace(doc.Account)
	var errs validate.Errors
	if !slices.Contains(Sides, side) {
		errs.Add("side", "%s n'est ni un titre, ni un mandat, ni leur annulation", validate.Quote(string(side)))
	}
	if doc.Reference == "" {
		errs.Add("reference", "indiquez le numéro du document (%s)", side.Label())
	}
	errs.Check(validate.MaxLen("reference", doc.Reference, 100))
	errs.Check(validate.MaxLen("account", doc.Account, 20))
	errs.Check(checkAccount(doc.Account))
	if err := errs.Err(); err != nil {
		return Flow{}, err
	}
	if err := checkActor(actor); err != nil {
		return Flow{}, fail("record document", err)
	}
	var out Flow
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		f, err := readFlow(ctx, tx, actor, flowID)
		if err != nil {
			return err
		}
		who := f.Debtor.OrgID
		if side.ByCreditor() {
			who = f.Creditor.OrgID
		}
		if err := auth.Authorize(actor, auth.Write, who); err != nil {
			return err
		}
		if err := documentAllowed(f, side); err != nil {
			return err
		}
		if doc.Account == "" {
			doc.Account = f.TitreAccount
			if !side.ByCreditor() {
				doc.Account = f.MandatAccount
			}
		}
		if err := saveDocument(ctx, tx, flowID, side, doc, s.clock(), actor.String()); err != nil {
			return err
		}
		d := &doc
		switch side {
		case Titre:
			f.Titre = d
		case Mandat:
			f.Mandat = d
		case TitreCancel:
			f.TitreCancellation = d
		case MandatCancel:
			f.MandatCancellation = d
		}
		out = f
		return audit.Record(ctx, tx, actor.Audit(who, "ledger.flow."+string(side), "ledger_flow", strconv.FormatInt(flowID, 10),
			map[string]any{"agreement": f.AgreementReference, "statement_id": f.StatementID, "amount": f.Amount.Plain(),
				"reference": doc.Reference, "date": doc.Date, "account": doc.Account}))
	})
	if err != nil {
		return Flow{}, fail("record document", err)
	}
	return out, nil
}

// documentAllowed says whether a document of side may be recorded for f:
// a titre or mandat for a current flow settled by titre, a cancellation
// for a replaced flow whose document was recorded.
func documentAllowed(f Flow, side Side) error {
	refuse := func(format string, args ...any) error {
		return validate.Errors{{Field: "side", Message: fmt.Sprintf(format, args...)}}
	}
	if f.AgainstAC() {
		return refuse("ce flux est imputé sur l'attribution de compensation : il ne donne lieu ni à titre ni à mandat")
	}
	switch side {
	case Titre, Mandat:
		if !f.Current {
			return refuse("l'état de ce flux a été corrigé : enregistrez le %s sur le flux de la correction (état n° %d)",
				side.Label(), f.SupersededBy)
		}
	case TitreCancel:
		if f.Current || f.Titre == nil {
			return refuse("seul le titre déjà émis d'un flux remplacé par une correction s'annule ou se réduit")
		}
	case MandatCancel:
		if f.Current || f.Mandat == nil {
			return refuse("seul le mandat déjà émis d'un flux remplacé par une correction s'annule")
		}
	}
	return nil
}

// checkAccount refuses an account that is not made of digits.
func checkAccount(account string) error {
	for _, c := range account {
		if c < '0' || c > '9' {
			return validate.FieldError{Field: "account", Message: fmt.Sprintf("un compte M57 s'écrit en chiffres, pas %s", validate.Quote(account))}
		}
	}
	return nil
}

// Event is one recorded operation on a statement: who did what, when.
type Event struct {
	At          time.Time `json:"at"`
	Actor       string    `json:"actor"`
	Action      string    `json:"action"`
	StatementID int64     `json:"statement_id"`
}

// History returns, from the audit log, the operations on every version of
// statement id (drafted, recomputed, issued, corrected), oldest first.
func (s *Service) History(ctx context.Context, actor auth.Actor, id int64) ([]Event, error) {
	q := s.db.Reader()
	st, _, err := readStatement(ctx, q, actor, id)
	if err != nil {
		return nil, fail("history", err)
	}
	versions, err := listStatements(ctx, q, `s.agreement_id = ? AND s.number = ?`, st.AgreementID, st.Number)
	if err != nil {
		return nil, fail("history", err)
	}
	versions = slices.DeleteFunc(versions, func(v Statement) bool { return !v.VisibleTo(actor) })
	ids := make([]int64, len(versions))
	for i, v := range versions {
		ids[i] = v.ID
	}
	evs, err := statementEvents(ctx, q, ids)
	if err != nil {
		return nil, fail("history", err)
	}
	return evs, nil
}

// Accounts returns the account mapping in force for fiscal year.
func (s *Service) Accounts(ctx context.Context, year int) ([]AccountRule, error) {
	rs, err := accountRules(ctx, s.db.Reader(), year)
	if err != nil {
		return nil, fail("accounts", err)
	}
	return rs, nil
}

// AccountTable is the account mapping of a fiscal year as an editor sees
// it: the rules in force (the year's own, or those of the year it falls
// back to), and the version of the year's own rows, to detect an edit
// made in between.
type AccountTable struct {
	Year int `json:"year"`
	// InForce is the year whose rows apply: Year itself when it has rows
	// of its own, else the one it falls back to (0 when none is mapped).
	InForce int           `json:"in_force"`
	Version string        `json:"version"`
	Rules   []AccountRule `json:"rules"`
}

// Own reports whether the year has a mapping of its own.
func (t AccountTable) Own() bool { return t.InForce == t.Year }

// AccountTable returns the account mapping of fiscal year.
func (s *Service) AccountTable(ctx context.Context, year int) (AccountTable, error) {
	t, err := accountTable(ctx, s.db.Reader(), year)
	if err != nil {
		return AccountTable{}, fail("account table", err)
	}
	return t, nil
}

func accountTable(ctx context.Context, q store.Querier, year int) (AccountTable, error) {
	own, err := ownAccountRules(ctx, q, year)
	if err != nil {
		return AccountTable{}, err
	}
	t := AccountTable{Year: year, Version: accountsVersion(own), Rules: own}
	if len(own) > 0 {
		t.InForce = year
		return t, nil
	}
	if t.Rules, err = accountRules(ctx, q, year); err != nil {
		return AccountTable{}, err
	}
	if len(t.Rules) > 0 {
		t.InForce = t.Rules[0].Year
	}
	if t.Rules == nil {
		t.Rules = []AccountRule{}
	}
	return t, nil
}

// accountsVersion is the version of a year's rows: the SHA-256 of their
// content, so that no column is needed to guard an edit.
func accountsVersion(rules []AccountRule) string {
	var b strings.Builder
	for _, r := range rules {
		fmt.Fprintf(&b, "%q %q %q %q %q\n", r.Instrument, r.Counterparty, r.Side, r.Account, r.Label)
	}
	return sha256Hex(b.String())[:16]
}

// checkRule cleans and checks one row of the account mapping.
func checkRule(r AccountRule, field string) (AccountRule, validate.Errors) {
	r.Account, r.Label, r.Instrument = strings.TrimSpace(r.Account), strings.TrimSpace(r.Label), strings.TrimSpace(r.Instrument)
	var errs validate.Errors
	if r.Year < 2000 || r.Year > 2100 {
		errs.Add(field+"year", "exercice invalide : %d", r.Year)
	}
	if _, ok := agreement.Lookup(agreement.Kind(r.Instrument)); !ok && r.Instrument != AnyInstrument && r.Instrument != ACInstrument {
		errs.Add(field+"instrument", "%s n'est pas une nature de convention (ni « * », ni « %s »)", validate.Quote(r.Instrument), ACInstrument)
	}
	switch r.Counterparty {
	case GFPRattachement, CommuneMembre, Autre, AnyRelation:
	default:
		errs.Add(field+"counterparty", "%s n'est pas une relation (gfp_rattachement, commune_membre, autre, *)", validate.Quote(string(r.Counterparty)))
	}
	if r.Side != Titre && r.Side != Mandat {
		errs.Add(field+"side", "%s n'est ni titre ni mandat", validate.Quote(string(r.Side)))
	}
	if err := checkAccount(r.Account); err != nil {
		errs.Add(field+"account", "un compte M57 s'écrit en chiffres, pas %s", validate.Quote(r.Account))
	}
	if len(r.Account) > 20 {
		errs.Add(field+"account", "un compte M57 a au plus 20 chiffres")
	}
	errs.Check(validate.MaxLen(field+"label", r.Label, 200))
	return r, errs
}

// SetAccount sets one row of the account mapping (an empty account means
// "no suggestion"). Only a platform admin may.
func (s *Service) SetAccount(ctx context.Context, actor auth.Actor, r AccountRule) error {
	if err := auth.RequirePlatformAdmin(actor); err != nil {
		return fail("set account", err)
	}
	r, errs := checkRule(r, "")
	if err := errs.Err(); err != nil {
		return err
	}
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO ledger_accounts (year, instrument, counterparty, side, account, label)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (year, instrument, counterparty, side) DO UPDATE SET
			account = excluded.account, label = excluded.label`,
			r.Year, r.Instrument, string(r.Counterparty), string(r.Side), r.Account, r.Label); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Audit(0, "ledger.account.set", "ledger_account",
			fmt.Sprintf("%d/%s/%s/%s", r.Year, r.Instrument, r.Counterparty, r.Side), r))
	})
	if err != nil {
		return fail("set account", err)
	}
	return nil
}

// SetAccounts replaces the whole account mapping of fiscal year with
// rules (each row's Year is taken as year), if the year's rows are still
// at version (store.ErrConflict otherwise). Giving a year that falls back
// to an earlier one the rules in force creates its own table. Only a
// platform admin may.
func (s *Service) SetAccounts(ctx context.Context, actor auth.Actor, year int, version string, rules []AccountRule) (AccountTable, error) {
	if err := auth.RequirePlatformAdmin(actor); err != nil {
		return AccountTable{}, fail("set accounts", err)
	}
	var errs validate.Errors
	if year < 2000 || year > 2100 {
		errs.Add("year", "exercice invalide : %d", year)
	}
	seen := map[[3]string]int{}
	clean := make([]AccountRule, 0, len(rules))
	for i, r := range rules {
		r.Year = year
		field := fmt.Sprintf("rules[%d].", i)
		r, es := checkRule(r, field)
		errs = append(errs, es...)
		k := [3]string{r.Instrument, string(r.Counterparty), string(r.Side)}
		if j, dup := seen[k]; dup {
			errs.Add(field+"instrument", "cette ligne (%s, %s, %s) figure déjà au rang %d", r.Instrument, r.Counterparty, r.Side, j+1)
		}
		seen[k] = i
		clean = append(clean, r)
	}
	if err := errs.Err(); err != nil {
		return AccountTable{}, err
	}
	var out AccountTable
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		own, err := ownAccountRules(ctx, tx, year)
		if err != nil {
			return err
		}
		if got := accountsVersion(own); got != version {
			return fmt.Errorf("%w: la table des comptes %d a été modifiée entre-temps (version %s, vous partiez de %s) ; rechargez-la",
				store.ErrConflict, year, got, version)
		}
		if err := replaceAccountRules(ctx, tx, year, clean); err != nil {
			return err
		}
		if out, err = accountTable(ctx, tx, year); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Audit(0, "ledger.accounts.replace", "ledger_account", strconv.Itoa(year),
			map[string]any{"year": year, "previous_version": version, "version": out.Version, "rules": clean}))
	})
	if err != nil {
		return AccountTable{}, fail("set accounts", err)
	}
	return out, nil
}
