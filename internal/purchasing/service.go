package purchasing

// The operations. Each one authorises the actor (see the package comment),
// runs in one transaction when it writes, and records itself in the audit
// log. Errors: malformed input and refused requests come back as
// validate.Errors, unwrapped, so that a form, the API and the CLI can show
// them; a group the actor may not see as store.ErrNotFound; a stale version
// as store.ErrConflict; anything else wrapped with a "purchasing: …" prefix.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"voisines/internal/agreement"
	"voisines/internal/audit"
	"voisines/internal/auth"
	"voisines/internal/civil"
	"voisines/internal/money"
	"voisines/internal/org"
	"voisines/internal/store"
	"voisines/internal/validate"
)

// maxAmount caps any amount typed in (a hundred billion euros), so that
// sums of them never overflow.
const maxAmount = money.Cents(10_000_000_000_000)

// fail wraps err for the operation, except the errors faces render as they
// are: validation errors.
func fail(op string, err error) error {
	if _, ok := validate.As(err); ok {
		return err
	}
	return fmt.Errorf("purchasing: %s: %w", op, err)
}

func checkActor(actor auth.Actor) error {
	if actor.IsSystem() || actor.User != nil && !actor.User.Disabled {
		return nil
	}
	return auth.ErrUnauthenticated
}

// read loads group id in full through q for actor: store.ErrNotFound
// unless actor is a user of one of its members or a platform admin.
func read(ctx context.Context, q store.Querier, actor auth.Actor, id int64) (Group, viewer, error) {
	if err := checkActor(actor); err != nil {
		return Group{}, viewer{}, err
	}
	g, err := loadGroup(ctx, q, id)
	if err != nil {
		return Group{}, viewer{}, err
	}
	v, ok := viewerOf(actor, g)
	if !ok {
		return Group{}, viewer{}, fmt.Errorf("group %d: %w", id, store.ErrNotFound)
	}
	return g, v, nil
}

func entity(id int64) string { return strconv.FormatInt(id, 10) }

// Get returns group id as actor may see it.
func (s *Service) Get(ctx context.Context, actor auth.Actor, id int64) (Group, error) {
	g, v, err := read(ctx, s.db.Reader(), actor, id)
	if err != nil {
		return Group{}, fail("get", err)
	}
	return g.redact(actor, v), nil
}

// ByAgreement returns the group of convention agreementID.
func (s *Service) ByAgreement(ctx context.Context, actor auth.Actor, agreementID int64) (Group, error) {
	id, err := groupOfAgreement(ctx, s.db.Reader(), agreementID)
	if err != nil {
		return Group{}, fail("get", err)
	}
	return s.Get(ctx, actor, id)
}

// List returns the groups organisation orgID coordinates or belongs to. The
// actor must be a user of orgID (any role) or a platform admin: anyone else
// gets auth.ErrForbidden (organisations are public, their lists are not;
// a group itself stays store.ErrNotFound to a non-member, see Get).
func (s *Service) List(ctx context.Context, actor auth.Actor, orgID int64) ([]Summary, error) {
	if err := checkActor(actor); err != nil {
		return nil, fail("list", err)
	}
	if err := auth.Authorize(actor, auth.ReadPrivate, orgID); err != nil {
		return nil, fail("list", fmt.Errorf("organisation %d: %w", orgID, err))
	}
	out, err := listSummaries(ctx, s.db.Reader(), []int64{orgID}, false)
	if err != nil {
		return nil, fail("list", err)
	}
	return out, nil
}

// Mine returns the groups of every organisation the actor is a user of;
// every group for a platform admin.
func (s *Service) Mine(ctx context.Context, actor auth.Actor) ([]Summary, error) {
	if err := checkActor(actor); err != nil {
		return nil, fail("list", err)
	}
	var orgs []int64
	if actor.User != nil {
		for _, m := range actor.User.Memberships {
			orgs = append(orgs, m.OrgID)
		}
	}
	out, err := listSummaries(ctx, s.db.Reader(), orgs, actor.PlatformAdmin())
	if err != nil {
		return nil, fail("list", err)
	}
	return out, nil
}

// CreateInput is what the coordinator writes to open a group.
type CreateInput struct {
	// AgreementID is the convention constitutive, of kind
	// groupement_commandes.
	AgreementID int64 `json:"agreement_id"`
	// Title defaults to the convention's title.
	Title      string `json:"title"`
	MainNature Nature `json:"main_nature,omitempty"`
}

func checkDetails(title string, nature Nature) (string, error) {
	var errs validate.Errors
	title = strings.TrimSpace(title)
	if title == "" {
		errs.Add("title", "l'intitulé du groupement est obligatoire")
	}
	errs.Check(validate.MaxLen("title", title, 300))
	if nature != "" && !nature.Valid() {
		errs.Add("main_nature", "%s n'est pas une nature d'achat (supplies, services, works)", validate.Quote(string(nature)))
	}
	return title, errs.Err()
}

// Create opens the group of a convention constitutive. The actor needs
// auth.Write on the convention's coordinator; a convention has one group.
func (s *Service) Create(ctx context.Context, actor auth.Actor, in CreateInput) (Group, error) {
	if err := checkActor(actor); err != nil {
		return Group{}, fail("create", err)
	}
	rec, err := s.agreements.Get(ctx, actor, in.AgreementID)
	if err != nil {
		return Group{}, fail("create", err)
	}
	a := rec.Agreement
	if a.Kind != agreement.GroupementCommandes {
		return Group{}, validate.Errors{{Field: "agreement_id", Message: fmt.Sprintf(
			"la convention %s n'est pas une convention constitutive de groupement de commandes (CCP L2113-7)", rec.Reference)}}
	}
	if a.Status.Final() {
		return Group{}, validate.Errors{{Field: "agreement_id", Message: fmt.Sprintf("la convention %s est %s", rec.Reference, a.Status.Label())}}
	}
	coord, ok := a.Lead()
	if !ok {
		return Group{}, validate.Errors{{Field: "agreement_id", Message: "la convention ne désigne pas de coordonnateur"}}
	}
	if err := auth.Authorize(actor, auth.Write, coord.OrgID); err != nil {
		return Group{}, fail("create", err)
	}
	if strings.TrimSpace(in.Title) == "" {
		in.Title = a.Title
	}
	title, err := checkDetails(in.Title, in.MainNature)
	if err != nil {
		return Group{}, err
	}
	var id int64
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		if id, err = insertGroup(ctx, tx, in.AgreementID, title, in.MainNature, s.clock(), actor.UserID()); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Audit(coord.OrgID, "purchasing.group.create", "purchasing_group", entity(id),
			map[string]any{"agreement": rec.Reference, "title": title, "main_nature": in.MainNature}))
	})
	if err != nil {
		return Group{}, fail("create", err)
	}
	return s.Get(ctx, actor, id)
}

// write runs fn in a transaction on group id loaded in full, after checking
// that actor may see it; fn authorises the write itself.
func (s *Service) write(ctx context.Context, actor auth.Actor, op string, id int64, fn func(tx *store.Tx, g Group) error) (Group, error) {
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		g, _, err := read(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		return fn(tx, g)
	})
	if err != nil {
		return Group{}, fail(op, err)
	}
	return s.Get(ctx, actor, id)
}

// preparing refuses a change of lots or needs after launch.
func preparing(g Group, field string) error {
	if g.Status == Launched {
		return validate.Errors{{Field: field, Message: fmt.Sprintf(
			"la procédure a été lancée le %s : les lots et les besoins sont arrêtés et ne changent plus (ils ont fixé la procédure)", g.LaunchDate.French())}}
	}
	return nil
}

// GroupInput is what the coordinator may change of a group before launch.
type GroupInput struct {
	Title      string `json:"title"`
	MainNature Nature `json:"main_nature"`
}

// Update changes the title and the chosen main nature of group id, from
// version. The actor needs auth.Write on the coordinator.
func (s *Service) Update(ctx context.Context, actor auth.Actor, id, version int64, in GroupInput) (Group, error) {
	title, err := checkDetails(in.Title, in.MainNature)
	if err != nil {
		return Group{}, err
	}
	return s.write(ctx, actor, "update", id, func(tx *store.Tx, g Group) error {
		if err := auth.Authorize(actor, auth.Write, g.Coordinator.OrgID); err != nil {
			return err
		}
		if err := preparing(g, "main_nature"); err != nil {
			return err
		}
		if err := bumpGroup(ctx, tx, id, version, s.clock()); err != nil {
			return err
		}
		if err := updateGroupDetails(ctx, tx, id, title, in.MainNature); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Audit(g.Coordinator.OrgID, "purchasing.group.update", "purchasing_group", entity(id),
			map[string]any{"from_version": version, "title": title, "main_nature": in.MainNature}))
	})
}

// normalizeLot trims and checks a lot.
func normalizeLot(l LotInput) (LotInput, error) {
	var errs validate.Errors
	l.Label = strings.TrimSpace(l.Label)
	if l.Label == "" {
		errs.Add("label", "l'intitulé du lot est obligatoire")
	}
	errs.Check(validate.MaxLen("label", l.Label, 300))
	if !l.Nature.Valid() {
		errs.Add("nature", "choisissez la nature du lot : fournitures, services ou travaux")
	}
	cpv, err := NormalizeCPV(l.CPV, map[bool]Nature{true: l.Nature}[l.Nature.Valid()])
	errs.Check(err)
	l.CPV = cpv
	if l.DurationMonths < 1 || l.DurationMonths > 240 {
		errs.Add("duration_months", "la durée du marché, reconductions comprises, est un nombre de mois entre 1 et 240")
	}
	return l, errs.Err()
}

// AddLot adds a lot to group id, from version, numbered after the last. The
// actor needs auth.Write on the coordinator.
func (s *Service) AddLot(ctx context.Context, actor auth.Actor, id, version int64, in LotInput) (Group, error) {
	l, err := normalizeLot(in)
	if err != nil {
		return Group{}, err
	}
	return s.write(ctx, actor, "add lot", id, func(tx *store.Tx, g Group) error {
		if err := auth.Authorize(actor, auth.Write, g.Coordinator.OrgID); err != nil {
			return err
		}
		if err := preparing(g, "lots"); err != nil {
			return err
		}
		if err := bumpGroup(ctx, tx, id, version, s.clock()); err != nil {
			return err
		}
		lotID, number, err := insertLot(ctx, tx, id, l)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Audit(g.Coordinator.OrgID, "purchasing.lot.add", "purchasing_group", entity(id),
			map[string]any{"lot_id": lotID, "number": number, "lot": l}))
	})
}

// UpdateLot changes lot lotID of group id, from the group's version. A
// duration that no longer matches needs entered per year is refused.
func (s *Service) UpdateLot(ctx context.Context, actor auth.Actor, id, lotID, version int64, in LotInput) (Group, error) {
	l, err := normalizeLot(in)
	if err != nil {
		return Group{}, err
	}
	return s.write(ctx, actor, "update lot", id, func(tx *store.Tx, g Group) error {
		if err := auth.Authorize(actor, auth.Write, g.Coordinator.OrgID); err != nil {
			return err
		}
		cur, ok := g.Lot(lotID)
		if !ok {
			return fmt.Errorf("lot %d: %w", lotID, store.ErrNotFound)
		}
		if err := preparing(g, "lots"); err != nil {
			return err
		}
		for _, n := range g.Needs {
			if n.LotID == lotID && n.Yearly != nil && n.Years*12 != l.DurationMonths {
				m, _ := g.Member(n.OrgID)
				return validate.Errors{{Field: "duration_months", Message: fmt.Sprintf(
					"« %s » a saisi ses besoins sur %d ans : ils ne couvriraient plus les %d mois du marché ; faites-les corriger d'abord", m.Name, n.Years, l.DurationMonths)}}
			}
		}
		if err := bumpGroup(ctx, tx, id, version, s.clock()); err != nil {
			return err
		}
		if err := updateLot(ctx, tx, lotID, l); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Audit(g.Coordinator.OrgID, "purchasing.lot.update", "purchasing_group", entity(id),
			map[string]any{"lot_id": lotID, "number": cur.Number, "from": cur, "to": l}))
	})
}

// DeleteLot deletes lot lotID of group id and its needs, from the group's
// version, before launch.
func (s *Service) DeleteLot(ctx context.Context, actor auth.Actor, id, lotID, version int64) (Group, error) {
	return s.write(ctx, actor, "delete lot", id, func(tx *store.Tx, g Group) error {
		if err := auth.Authorize(actor, auth.Write, g.Coordinator.OrgID); err != nil {
			return err
		}
		cur, ok := g.Lot(lotID)
		if !ok {
			return fmt.Errorf("lot %d: %w", lotID, store.ErrNotFound)
		}
		if err := preparing(g, "lots"); err != nil {
			return err
		}
		if err := bumpGroup(ctx, tx, id, version, s.clock()); err != nil {
			return err
		}
		if err := deleteLot(ctx, tx, lotID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Audit(g.Coordinator.OrgID, "purchasing.lot.delete", "purchasing_group", entity(id),
			map[string]any{"lot_id": lotID, "lot": cur}))
	})
}

// NeedInput is a member's line in a lot: its need over the contract's whole
// duration, as a total (Amount) or a yearly amount (Yearly × Years), and the
// price it paid before for the same needs. A nil field keeps its value;
// an amount of 0 removes the line before launch.
type NeedInput struct {
	LotID  int64        `json:"lot_id"`
	OrgID  int64        `json:"org_id"`
	Amount *money.Cents `json:"amount,omitempty"`
	Yearly *money.Cents `json:"yearly,omitempty"`
	// Years defaults to the lot's duration in years when Yearly is given.
	Years        int          `json:"years,omitempty"`
	PreviousCost *money.Cents `json:"previous_cost,omitempty"`
	// Version is the line's version as read, 0 for a new line.
	Version int64 `json:"version"`
}

// resolveNeed turns in into the line to store for lot l, given the current
// line (ok: it exists). remove is set for an amount of 0.
func resolveNeed(g Group, l Lot, cur Need, exists bool, in NeedInput) (n Need, remove bool, err error) {
	var errs validate.Errors
	n = cur
	n.LotID, n.OrgID = l.ID, in.OrgID
	changed := false
	switch {
	case in.Amount != nil && in.Yearly != nil:
		errs.Add("amount", "saisissez le besoin soit en total sur la durée du marché, soit par an, pas les deux")
	case in.Amount != nil:
		switch {
		case *in.Amount < 0 || *in.Amount > maxAmount:
			errs.Add("amount", "le besoin est un montant positif en euros HT")
		case *in.Amount != cur.Amount || cur.Yearly != nil:
			n.Amount, n.Yearly, n.Years, changed = *in.Amount, nil, 0, true
		}
	case in.Yearly != nil:
		years := in.Years
		if years == 0 && l.DurationMonths%12 == 0 {
			years = l.DurationMonths / 12
		}
		switch {
		case *in.Yearly < 0 || *in.Yearly > maxAmount/100:
			errs.Add("yearly", "le besoin annuel est un montant positif en euros HT")
		case years <= 0:
			errs.Add("years", "le lot dure %d mois, pas un nombre entier d'années : saisissez le besoin en total sur la durée du marché", l.DurationMonths)
		case years*12 != l.DurationMonths:
			errs.Add("years", "le lot n° %d dure %d mois : %d an(s) ne couvrent pas toute la durée du marché (CCP R2121-1)", l.Number, l.DurationMonths, years)
		default:
			total, _ := in.Yearly.Mul(int64(years))
			if total != cur.Amount || cur.Yearly == nil || *cur.Yearly != *in.Yearly || cur.Years != years {
				y := *in.Yearly
				n.Amount, n.Yearly, n.Years, changed = total, &y, years, true
			}
		}
	case !exists:
		errs.Add("amount", "indiquez le besoin du membre dans ce lot")
	}
	if in.PreviousCost != nil {
		switch {
		case *in.PreviousCost < 0 || *in.PreviousCost > maxAmount:
			errs.Add("previous_cost", "le prix payé auparavant est un montant positif en euros HT")
		default:
			p := *in.PreviousCost
			n.PreviousCost = &p
		}
	}
	if err := errs.Err(); err != nil {
		return Need{}, false, err
	}
	if changed && g.Status == Launched {
		return Need{}, false, validate.Errors{{Field: "amount", Message: fmt.Sprintf(
			"la procédure a été lancée le %s : les besoins sont arrêtés et ne changent plus (ils ont fixé la procédure) ; seul le prix payé auparavant peut encore être saisi",
			g.LaunchDate.French())}}
	}
	if n.Amount == 0 {
		if n.PreviousCost != nil && in.PreviousCost != nil {
			return Need{}, false, validate.Errors{{Field: "previous_cost", Message: "un prix payé auparavant se rapporte à un besoin : saisissez d'abord le besoin"}}
		}
		return n, true, nil
	}
	return n, false, nil
}

// applyNeed writes in for group g (loaded in tx) and audits it.
func (s *Service) applyNeed(ctx context.Context, tx *store.Tx, actor auth.Actor, g Group, in NeedInput, version int64) error {
	m, ok := g.Member(in.OrgID)
	if !ok {
		return validate.Errors{{Field: "org_id", Message: "cette organisation n'est pas membre du groupement"}}
	}
	if auth.Authorize(actor, auth.Write, m.OrgID) != nil {
		if err := auth.Authorize(actor, auth.Write, g.Coordinator.OrgID); err != nil {
			return err
		}
	}
	l, ok := g.Lot(in.LotID)
	if !ok {
		return validate.Errors{{Field: "lot_id", Message: "ce lot n'existe pas dans le groupement"}}
	}
	cur, exists := g.Need(l.ID, m.OrgID)
	n, remove, err := resolveNeed(g, l, cur, exists, in)
	if err != nil {
		return err
	}
	if exists && version != cur.Version || !exists && version != 0 {
		return conflict("le besoin de « %s » dans le lot n° %d a été modifié entre-temps (version %d, vous aviez la %d)", m.Name, l.Number, cur.Version, version)
	}
	action := "purchasing.need.set"
	switch {
	case remove && !exists:
		return nil
	case remove:
		action = "purchasing.need.delete"
		err = deleteNeed(ctx, tx, l.ID, m.OrgID, version)
	default:
		_, err = saveNeed(ctx, tx, n, version, s.clock(), actor.UserID(), actor.String())
	}
	if err != nil {
		return err
	}
	if n.Amount != cur.Amount || remove {
		if err := touchGroup(ctx, tx, g.ID, s.clock()); err != nil {
			return err
		}
	}
	detail := map[string]any{"lot": l.Number, "member": m.Name, "amount": n.Amount.Plain(), "from_version": version}
	if n.Yearly != nil {
		detail["yearly"], detail["years"] = n.Yearly.Plain(), n.Years
	}
	if n.PreviousCost != nil {
		detail["previous_cost"] = n.PreviousCost.Plain()
	}
	return audit.Record(ctx, tx, actor.Audit(m.OrgID, action, "purchasing_group", entity(g.ID), detail))
}

// SetNeed writes a member's line in a lot of group id: its need and the
// price it paid before. The actor needs auth.Write on the member, or on the
// coordinator (who may enter it on the member's behalf). After launch only
// the previous price may change.
func (s *Service) SetNeed(ctx context.Context, actor auth.Actor, id int64, in NeedInput) (Group, error) {
	return s.write(ctx, actor, "set need", id, func(tx *store.Tx, g Group) error {
		return s.applyNeed(ctx, tx, actor, g, in, in.Version)
	})
}

// Procedure returns the procedure of group id for a consultation launched
// on date: once launched and for the launch date (or a zero date), the
// procedure stored on launch; otherwise the procedure computed now from the
// current needs and the thresholds in force on date (today for a zero
// date). Each member sees its own procedure alone only; the coordinator
// sees every member's.
func (s *Service) Procedure(ctx context.Context, actor auth.Actor, id int64, date civil.Date) (Procedure, error) {
	g, v, err := read(ctx, s.db.Reader(), actor, id)
	if err != nil {
		return Procedure{}, fail("procedure", err)
	}
	return s.procedure(g, v, date)
}

// ProcedureOf is Procedure for group g, sparing a reload: g must be the
// group Get returned for the same actor (whose needs are redacted for the
// viewer; the lots' totals still count every member's).
func (s *Service) ProcedureOf(ctx context.Context, actor auth.Actor, g Group, date civil.Date) (Procedure, error) {
	v, err := viewerOfGot(actor, g)
	if err != nil {
		return Procedure{}, fail("procedure", err)
	}
	return s.procedure(g, v, date)
}

// viewerOfGot checks actor as read does, for group g already read.
func viewerOfGot(actor auth.Actor, g Group) (viewer, error) {
	if err := checkActor(actor); err != nil {
		return viewer{}, err
	}
	v, ok := viewerOf(actor, g)
	if !ok {
		return viewer{}, fmt.Errorf("group %d: %w", g.ID, store.ErrNotFound)
	}
	return v, nil
}

// procedure is the body of Procedure for group g as read or got by viewer
// v: the group's decision stands on the lots' totals, which count every
// member's needs even where g's needs are redacted for v, and v sees the
// procedures alone of the members it sees, whose needs g holds.
func (s *Service) procedure(g Group, v viewer, date civil.Date) (Procedure, error) {
	var p Procedure
	switch {
	case g.Procedure != nil && (date.IsZero() || date == g.LaunchDate):
		p = *g.Procedure
	default:
		if date.IsZero() {
			date = s.today()
		}
		lots := make([]LotValue, 0, len(g.Lots))
		for _, l := range g.Lots {
			lots = append(lots, LotValue{LotID: l.ID, Number: l.Number, Label: l.Label, Nature: l.Nature, Value: l.Total})
		}
		var err error
		if p, err = computeProcedure(s.table, date, g, lots); err != nil {
			return Procedure{}, err
		}
	}
	p.Alone = slices.DeleteFunc(slices.Clone(p.Alone), func(a Alone) bool { return !v.sees(a.OrgID) })
	return p, nil
}

// launchBlockers returns, in French, every act missing for a launch on
// date: a signature of the convention constitutive, or a member's
// deliberation, made on or after date or not at all (CCP L2113-7).
func launchBlockers(a agreement.Agreement, reference string, members []Member, date civil.Date) validate.Errors {
	var errs validate.Errors
	if a.Status.Final() {
		errs.Add("agreement", "la convention constitutive %s est %s", reference, a.Status.Label())
	}
	spec, _ := agreement.Lookup(a.Kind)
	for _, p := range a.Parties {
		if len(spec.Signatories) > 0 && !slices.Contains(spec.Signatories, p.Role) {
			continue
		}
		i := slices.IndexFunc(a.Signatures, func(s agreement.Signature) bool { return s.OrgID == p.OrgID && !s.Date.IsZero() })
		switch {
		case i < 0:
			errs.Add("agreement", "la convention constitutive %s n'est pas signée par « %s » : la procédure ne peut être lancée qu'une fois la convention signée par tous ses membres",
				reference, p.Name)
		case a.Signatures[i].Date.After(date):
			errs.Add("agreement", "« %s » a signé la convention constitutive le %s, après la date de lancement (%s)",
				p.Name, a.Signatures[i].Date.French(), date.French())
		}
	}
	approvals := slices.Clone(a.Approvals)
	for _, am := range a.Amendments {
		approvals = append(approvals, am.Approvals...)
	}
	for _, m := range members {
		var first civil.Date
		for _, ap := range approvals {
			if ap.OrgID == m.OrgID && ap.Kind == agreement.Deliberation && ap.Decision == "" && !ap.Date.IsZero() && !ap.Unfavourable &&
				(first.IsZero() || ap.Date.Before(first)) {
				first = ap.Date
			}
		}
		switch {
		case first.IsZero():
			errs.Add("agreement", "il manque la délibération de « %s » approuvant son adhésion au groupement (CCP L2113-7) : la procédure ne peut pas être lancée avant", m.Name)
		case !first.Before(date):
			// Strictly before, as the convention's own rule says
			// (agreement.RulePurchasingGroup): the grouping must be in force
			// when the procedure starts.
			errs.Add("agreement", "la délibération de « %s » est datée du %s : elle doit être antérieure à la date de lancement (%s)",
				m.Name, first.French(), date.French())
		}
	}
	return errs
}

// Launch records that the consultation of group id is launched on date,
// from version: it refuses a convention constitutive not signed by every
// member or a member without a deliberation dated before date; it then
// computes the procedure on the aggregated needs and the thresholds in
// force on date, stores it with those thresholds, and freezes the lots and
// needs. The actor needs auth.Write on the coordinator.
func (s *Service) Launch(ctx context.Context, actor auth.Actor, id, version int64, date civil.Date) (Group, error) {
	if err := checkActor(actor); err != nil {
		return Group{}, fail("launch", err)
	}
	cur, err := s.Get(ctx, actor, id)
	if err != nil {
		return Group{}, err
	}
	// The convention as the actor may read it (a member's user can).
	rec, err := s.agreements.Get(ctx, actor, cur.AgreementID)
	if err != nil {
		return Group{}, fail("launch", err)
	}
	return s.write(ctx, actor, "launch", id, func(tx *store.Tx, g Group) error {
		if err := auth.Authorize(actor, auth.Write, g.Coordinator.OrgID); err != nil {
			return err
		}
		if g.Status == Launched {
			return validate.Errors{{Field: "launch_date", Message: fmt.Sprintf("la procédure a déjà été lancée le %s", g.LaunchDate.French())}}
		}
		var errs validate.Errors
		switch {
		case date.IsZero():
			errs.Add("launch_date", "indiquez la date de lancement de la consultation (envoi de l'avis ou de la consultation)")
		case date.After(s.today()):
			errs.Add("launch_date", "la date de lancement (%s) est dans le futur : enregistrez le lancement le jour où la consultation part", date.French())
		}
		if err := errs.Err(); err != nil {
			return err
		}
		errs = launchBlockers(rec.Agreement, rec.Reference, g.Members, date)
		if len(g.Lots) == 0 {
			errs.Add("lots", "le groupement n'a aucun lot")
		}
		for _, l := range g.Lots {
			if l.Total == 0 {
				errs.Add("lots", "le lot n° %d (%s) n'a aucun besoin saisi", l.Number, l.Label)
			}
		}
		if err := errs.Err(); err != nil {
			return err
		}
		p, err := ComputeProcedure(s.table, date, g)
		if err != nil {
			return err
		}
		if err := bumpGroup(ctx, tx, id, version, s.clock()); err != nil {
			return err
		}
		if err := saveLaunch(ctx, tx, id, date, p); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Audit(g.Coordinator.OrgID, "purchasing.group.launch", "purchasing_group", entity(id),
			map[string]any{"agreement": g.AgreementReference, "launch_date": date, "value": p.Value.Plain(), "nature": p.Nature,
				"procedure": p.Kind, "advert": p.Advert, "cao": p.CAO.Required, "thresholds": p.Thresholds}))
	})
}

// AwardInput is the award of a lot: the supplier, the date, and each
// member's price, as an amount or as quantities at the unit prices.
type AwardInput struct {
	Supplier      string       `json:"supplier"`
	SupplierSIREN string       `json:"supplier_siren,omitempty"`
	AwardedOn     civil.Date   `json:"awarded_on"`
	UnitPrices    []UnitPrice  `json:"unit_prices,omitempty"`
	Prices        []PriceInput `json:"prices"`
	// Version is the award's version as read, 0 for the first.
	Version int64 `json:"version"`
}

// PriceInput is a member's price in an award: Amount, or Quantities of the
// items of the unit prices.
type PriceInput struct {
	OrgID      int64        `json:"org_id"`
	Amount     *money.Cents `json:"amount,omitempty"`
	Quantities []Quantity   `json:"quantities,omitempty"`
}

// resolveAward checks in against group g and lot l, and computes each
// member's price: exact cents, unit price × whole quantities.
func resolveAward(g Group, l Lot, in AwardInput, today civil.Date) (Award, error) {
	var errs validate.Errors
	a := Award{LotID: l.ID, Supplier: strings.TrimSpace(in.Supplier), SupplierSIREN: org.NormalizeSIREN(strings.TrimSpace(in.SupplierSIREN)), AwardedOn: in.AwardedOn}
	if a.Supplier == "" {
		errs.Add("supplier", "indiquez le titulaire du lot")
	}
	errs.Check(validate.MaxLen("supplier", a.Supplier, 300))
	if a.SupplierSIREN != "" {
		if fes, ok := validate.As(org.ValidateSIREN(a.SupplierSIREN)); ok {
			errs.Add("supplier_siren", "%s", fes[0].Message)
		}
	}
	switch {
	case a.AwardedOn.IsZero():
		errs.Add("awarded_on", "indiquez la date d'attribution")
	case a.AwardedOn.Before(g.LaunchDate):
		errs.Add("awarded_on", "le lot ne peut pas être attribué (%s) avant le lancement de la procédure (%s)", a.AwardedOn.French(), g.LaunchDate.French())
	case a.AwardedOn.After(today):
		errs.Add("awarded_on", "la date d'attribution (%s) est dans le futur", a.AwardedOn.French())
	}
	units := map[string]money.Cents{}
	for i, u := range in.UnitPrices {
		u.Item = strings.TrimSpace(u.Item)
		field := fmt.Sprintf("unit_prices[%d]", i)
		switch _, dup := units[u.Item]; {
		case u.Item == "":
			errs.Add(field, "nommez l'article de chaque prix unitaire")
		case dup:
			errs.Add(field, "l'article %s a deux prix unitaires", validate.Quote(u.Item))
		case u.Price < 0 || u.Price > maxAmount:
			errs.Add(field, "un prix unitaire est un montant positif en euros HT")
		}
		units[u.Item] = u.Price
		a.UnitPrices = append(a.UnitPrices, u)
	}
	priced := map[int64]bool{}
	for i, p := range in.Prices {
		field := fmt.Sprintf("prices[%d]", i)
		m, ok := g.Member(p.OrgID)
		if !ok {
			errs.Add(field, "cette organisation n'est pas membre du groupement")
			continue
		}
		if _, has := g.Need(l.ID, p.OrgID); !has {
			errs.Add(field, "« %s » n'a pas de besoin dans le lot n° %d", m.Name, l.Number)
			continue
		}
		if priced[p.OrgID] {
			errs.Add(field, "« %s » a deux prix", m.Name)
			continue
		}
		priced[p.OrgID] = true
		mp := MemberPrice{OrgID: p.OrgID}
		switch {
		case len(in.UnitPrices) == 0 && (p.Amount == nil || len(p.Quantities) > 0):
			errs.Add(field, "indiquez le prix de « %s » pour ses besoins du lot", m.Name)
		case len(in.UnitPrices) == 0:
			if *p.Amount < 0 || *p.Amount > maxAmount {
				errs.Add(field, "le prix de « %s » est un montant positif en euros HT", m.Name)
			}
			mp.Amount = *p.Amount
		case p.Amount != nil || len(p.Quantities) == 0:
			errs.Add(field, "avec des prix unitaires, indiquez les quantités de « %s » (et non un montant)", m.Name)
		default:
			for _, q := range p.Quantities {
				q.Item = strings.TrimSpace(q.Item)
				price, known := units[q.Item]
				if !known {
					errs.Add(field, "l'article %s n'a pas de prix unitaire", validate.Quote(q.Item))
					continue
				}
				if q.Quantity < 0 || q.Quantity > 1_000_000_000 {
					errs.Add(field, "une quantité est un nombre entier positif d'unités")
					continue
				}
				line, err := price.Mul(q.Quantity)
				if err == nil {
					mp.Amount, err = mp.Amount.Add(line)
				}
				if err != nil || mp.Amount > maxAmount {
					errs.Add(field, "le prix de « %s » dépasse ce que Voisines sait compter", m.Name)
					break
				}
				mp.Quantities = append(mp.Quantities, q)
			}
		}
		a.Prices = append(a.Prices, mp)
	}
	for _, n := range g.Needs {
		if n.LotID == l.ID && !priced[n.OrgID] {
			m, _ := g.Member(n.OrgID)
			errs.Add("prices", "indiquez le prix de « %s », qui a un besoin dans le lot n° %d", m.Name, l.Number)
		}
	}
	return a, errs.Err()
}

// Award records the award of lot lotID of group id, after launch: the
// supplier and each member's price. A second award of the lot corrects the
// first (from its version). The actor needs auth.Write on the coordinator.
func (s *Service) Award(ctx context.Context, actor auth.Actor, id, lotID int64, in AwardInput) (Group, error) {
	return s.write(ctx, actor, "award", id, func(tx *store.Tx, g Group) error {
		if err := auth.Authorize(actor, auth.Write, g.Coordinator.OrgID); err != nil {
			return err
		}
		l, ok := g.Lot(lotID)
		if !ok {
			return fmt.Errorf("lot %d: %w", lotID, store.ErrNotFound)
		}
		if g.Status != Launched {
			return validate.Errors{{Field: "awarded_on", Message: "la procédure n'est pas encore lancée : un lot s'attribue à son issue"}}
		}
		a, err := resolveAward(g, l, in, s.today())
		if err != nil {
			return err
		}
		if cur, ok := g.Award(lotID); ok && in.Version != cur.Version || !ok && in.Version != 0 {
			return conflict("l'attribution du lot n° %d a été modifiée entre-temps (vous aviez la version %d)", l.Number, in.Version)
		}
		if _, err := saveAward(ctx, tx, a, in.Version, s.clock(), actor.UserID()); err != nil {
			return err
		}
		prices := map[string]string{}
		for _, p := range a.Prices {
			m, _ := g.Member(p.OrgID)
			prices[m.Name] = p.Amount.Plain()
		}
		return audit.Record(ctx, tx, actor.Audit(g.Coordinator.OrgID, "purchasing.lot.award", "purchasing_group", entity(id),
			map[string]any{"lot": l.Number, "supplier": a.Supplier, "supplier_siren": a.SupplierSIREN, "awarded_on": a.AwardedOn,
				"unit_prices": a.UnitPrices, "prices": prices, "from_version": in.Version}))
	})
}

// Savings are what the members save with the group: per member and lot,
// the price stated as paid before for the same needs, the awarded price and
// the difference.
type Savings struct {
	GroupID int64           `json:"group_id"`
	Members []MemberSavings `json:"members"`
	// Total sums every member's lots with both prices; it is shown to the
	// coordinator only (nil otherwise).
	Total *SavingLine `json:"total,omitempty"`
}

// SavingLine is a previous price, an awarded price and the saving (previous
// − awarded; negative when the group costs more).
type SavingLine struct {
	Previous money.Cents `json:"previous"`
	Awarded  money.Cents `json:"awarded"`
	Saving   money.Cents `json:"saving"`
}

// MemberSavings are a member's savings, per lot and in total (over the lots
// with both prices).
type MemberSavings struct {
	OrgID int64        `json:"org_id"`
	Name  string       `json:"name"`
	Lots  []LotSavings `json:"lots"`
	Total SavingLine   `json:"total"`
	// Missing counts the lots where the member has needs but a price is
	// missing (not awarded yet, or no previous price stated).
	Missing int `json:"missing"`
}

// LotSavings is a member's saving in one lot; nil fields are unknown.
type LotSavings struct {
	LotID    int64        `json:"lot_id"`
	Number   int          `json:"number"`
	Label    string       `json:"label"`
	Supplier string       `json:"supplier,omitempty"`
	Previous *money.Cents `json:"previous,omitempty"`
	Awarded  *money.Cents `json:"awarded,omitempty"`
	Saving   *money.Cents `json:"saving,omitempty"`
}

// ComputeSavings computes the savings of group g as it stands (redacted or
// not: a member sees its own).
func ComputeSavings(g Group) Savings {
	out := Savings{GroupID: g.ID, Members: []MemberSavings{}}
	var total SavingLine
	some := false
	for _, m := range g.Members {
		ms := MemberSavings{OrgID: m.OrgID, Name: m.Name, Lots: []LotSavings{}}
		for _, l := range g.Lots {
			n, ok := g.Need(l.ID, m.OrgID)
			if !ok {
				continue
			}
			ls := LotSavings{LotID: l.ID, Number: l.Number, Label: l.Label, Previous: n.PreviousCost}
			if a, ok := g.Award(l.ID); ok {
				ls.Supplier = a.Supplier
				if i := slices.IndexFunc(a.Prices, func(p MemberPrice) bool { return p.OrgID == m.OrgID }); i >= 0 {
					amount := a.Prices[i].Amount
					ls.Awarded = &amount
				}
			}
			if ls.Previous != nil && ls.Awarded != nil {
				saving := *ls.Previous - *ls.Awarded
				ls.Saving = &saving
				ms.Total.Previous += *ls.Previous
				ms.Total.Awarded += *ls.Awarded
				ms.Total.Saving += saving
			} else {
				ms.Missing++
			}
			ms.Lots = append(ms.Lots, ls)
		}
		if len(ms.Lots) == 0 {
			continue
		}
		total.Previous += ms.Total.Previous
		total.Awarded += ms.Total.Awarded
		total.Saving += ms.Total.Saving
		some = true
		out.Members = append(out.Members, ms)
	}
	if some {
		out.Total = &total
	}
	return out
}

// Savings returns the savings of group id: each member's own to its users,
// every member's and the total to the coordinator.
func (s *Service) Savings(ctx context.Context, actor auth.Actor, id int64) (Savings, error) {
	g, err := s.Get(ctx, actor, id)
	if err != nil {
		return Savings{}, err
	}
	out := ComputeSavings(g)
	if !g.Rights.Coordinator {
		out.Total = nil
	}
	return out, nil
}

// errNotLaunched is the refusal of a cost split before launch.
var errNotLaunched = validate.Errors{{Field: "launch_date", Message: "les frais de procédure se répartissent selon les besoins arrêtés au lancement : lancez d'abord la procédure"}}

// ConflictError is a write refused because the data changed since the
// user read it (a stale version); Message says what, in French. It wraps
// store.ErrConflict.
type ConflictError struct{ Message string }

func (e *ConflictError) Error() string { return "conflict: " + e.Message }

// Unwrap makes errors.Is(err, store.ErrConflict) hold.
func (e *ConflictError) Unwrap() error { return store.ErrConflict }

func conflict(format string, args ...any) error {
	return &ConflictError{Message: fmt.Sprintf(format, args...)}
}

// isNotFound reports a missing row through any wrapping.
func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }
