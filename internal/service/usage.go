package service

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"voisines/internal/audit"
	"voisines/internal/auth"
	"voisines/internal/civil"
	"voisines/internal/money"
	"voisines/internal/store"
	"voisines/internal/usage"
	"voisines/internal/validate"
)

// UsageInput is one use of the service by a beneficiary, as the provider
// records it.
type UsageInput struct {
	Date        civil.Date `json:"date"`
	Beneficiary int64      `json:"beneficiary"` // organisation id
	// ActType is the type of act (a code of the weight table) for a
	// service counting acts; empty otherwise.
	ActType string `json:"act_type,omitempty"`
	// Quantity is in the service's unit, to the thousandth at most.
	Quantity money.Rat `json:"quantity"`
	// Reference is the provider's own reference of the use (a file
	// number); recording the same reference again corrects the record
	// instead of adding one. Empty gets a generated one.
	Reference string `json:"reference,omitempty"`
	Note      string `json:"note,omitempty"`
}

// validateRef checks an external reference: printable, no control
// characters, at most 100 characters.
func validateRef(field, ref string) error {
	if err := validate.MaxLen(field, ref, 100); err != nil {
		return err
	}
	for _, r := range ref {
		if r < ' ' || r == 0x7f {
			return validate.FieldError{Field: field, Message: "la référence contient un caractère de contrôle"}
		}
	}
	return nil
}

// sourceRef is the usage record reference of a service's use: the service
// id names the namespace, so that two services' references never meet.
func sourceRef(serviceID int64, ref string) string {
	return "service/" + strconv.FormatInt(serviceID, 10) + "/" + ref
}

// Reference returns the provider's reference of a usage record of service
// id ("" when the record is not one of the service's own).
func Reference(serviceID int64, e usage.Entry) string {
	ref, ok := strings.CutPrefix(e.SourceRef, sourceRef(serviceID, ""))
	if !ok || (e.Source != usage.FromService && e.Source != usage.FromImport) {
		return ""
	}
	return ref
}

// milli converts a quantity to thousandths, or says why it cannot.
func milli(q money.Rat) (int64, string) {
	if q.Sign() <= 0 {
		return 0, "la quantité doit être positive"
	}
	t := q.Mul(money.IntRat(1000))
	if !t.IsInt() {
		return 0, "la quantité se compte au millième au plus"
	}
	if !t.Num().IsInt64() || t.Num().Int64() > 1_000_000_000_000 {
		return 0, "la quantité est trop grande"
	}
	return t.Num().Int64(), ""
}

// entry checks in for service s and returns its usage record. Fields are
// named as in UsageInput.
func (s Service) entry(in UsageInput, src usage.Source) (usage.Entry, error) {
	var errs validate.Errors
	in.ActType, in.Reference, in.Note = strings.TrimSpace(in.ActType), strings.TrimSpace(in.Reference), strings.TrimSpace(in.Note)
	switch {
	case in.Date.IsZero():
		errs.Add("date", "la date de l'usage est obligatoire")
	case !s.Start.IsZero() && in.Date.Before(s.Start):
		errs.Add("date", "l'usage du %s précède la prise d'effet de la convention (%s)", in.Date.French(), s.Start.French())
	case !s.End.IsZero() && in.Date.After(s.End):
		errs.Add("date", "l'usage du %s est postérieur au dernier jour d'application de la convention (%s)", in.Date.French(), s.End.French())
	}
	if _, ok := s.Beneficiary(in.Beneficiary); !ok {
		errs.Add("beneficiary", "choisissez un bénéficiaire du service parmi les parties de la convention")
	}
	switch {
	case s.Unit == Act && in.ActType == "":
		errs.Add("act_type", "indiquez le type d'acte (%s)", s.actTypes())
	case s.Unit == Act:
		if w, ok := s.weightFold(in.ActType); ok {
			in.ActType = w.Type
		} else {
			errs.Add("act_type", "type d'acte inconnu %s : la table de pondération du service compte %s", validate.Quote(in.ActType), s.actTypes())
		}
	case in.ActType != "":
		errs.Add("act_type", "le service compte en %s, sans type d'acte", s.Unit.Label())
	}
	n, why := milli(in.Quantity)
	if why != "" {
		errs.Add("quantity", "%s", why)
	}
	if s.Unit == Act && why == "" && n%1000 != 0 {
		errs.Add("quantity", "un nombre d'actes est entier")
	}
	errs.Check(validateRef("reference", in.Reference))
	errs.Check(validate.MaxLen("note", in.Note, 500))
	if err := errs.Err(); err != nil {
		return usage.Entry{}, err
	}
	if in.Reference == "" {
		var b [8]byte
		rand.Read(b[:])
		in.Reference = "saisie-" + hex.EncodeToString(b[:])
	}
	return usage.Entry{ProviderOrgID: s.Provider.OrgID, UserOrgID: in.Beneficiary, AgreementID: s.AgreementID,
		Source: src, SourceRef: sourceRef(s.ID, in.Reference), Subject: s.Name, Unit: s.Unit.UsageUnit(), Milli: n,
		ActType: in.ActType, OccurredOn: in.Date, Note: in.Note}, nil
}

// weightFold finds an act type ignoring case: "cub" is "CUb".
func (s Service) weightFold(typ string) (ActWeight, bool) {
	for _, w := range s.Weights {
		if strings.EqualFold(w.Type, typ) {
			return w, true
		}
	}
	return ActWeight{}, false
}

func (s Service) actTypes() string {
	types := make([]string, len(s.Weights))
	for i, w := range s.Weights {
		types[i] = w.Type
	}
	return strings.Join(types, ", ")
}

// RecordUsage records one use of service id by a beneficiary (usage source
// "service"). Recording a reference already recorded corrects that record.
// Only the provider records usage (auth.Write on it).
func (m *Manager) RecordUsage(ctx context.Context, actor auth.Actor, id int64, in UsageInput) (usage.Entry, error) {
	s, rec, err := m.loadForWrite(ctx, actor, id)
	if err != nil {
		return usage.Entry{}, fail("record usage", err)
	}
	e, err := s.entry(in, usage.FromService)
	if err != nil {
		return usage.Entry{}, err
	}
	err = m.db.InTx(ctx, func(tx *store.Tx) error {
		updated, err := sameReference(ctx, tx, &e)
		if err != nil {
			return err
		}
		if e, err = usage.Record(ctx, tx, e); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Audit(s.Provider.OrgID, "service.usage.record", "service", strconv.FormatInt(id, 10),
			map[string]any{"agreement": rec.Reference, "usage_id": e.ID, "reference": Reference(id, e), "updated": updated,
				"beneficiary": e.UserOrgID, "date": e.OccurredOn, "act_type": e.ActType, "quantity_milli": e.Milli}))
	})
	if err != nil {
		return usage.Entry{}, fail("record usage", err)
	}
	return e, nil
}

// sameReference looks for the record of e's reference, entered or
// imported: a reference names one use of the service whichever way it came
// in, so that typing a use and importing it later never counts it twice.
// When there is one, e takes its source (recording e then corrects it)
// and sameReference reports true.
func sameReference(ctx context.Context, tx *store.Tx, e *usage.Entry) (bool, error) {
	for _, src := range []usage.Source{e.Source, usage.FromService, usage.FromImport} {
		_, err := usage.Get(ctx, tx, src, e.SourceRef)
		switch {
		case err == nil:
			e.Source = src
			return true, nil
		case !isNotFound(err):
			return false, err
		}
	}
	return false, nil
}

// RemoveUsage deletes usage record usageID of service id (a use recorded
// by mistake). Only the records the service wrote itself (entered or
// imported) can be removed here. The actor needs auth.Write on the
// provider.
func (m *Manager) RemoveUsage(ctx context.Context, actor auth.Actor, id, usageID int64) error {
	s, rec, err := m.loadForWrite(ctx, actor, id)
	if err != nil {
		return fail("remove usage", err)
	}
	err = m.db.InTx(ctx, func(tx *store.Tx) error {
		e, err := usageByID(ctx, tx, usageID)
		if err != nil {
			return err
		}
		ref := Reference(id, e)
		if ref == "" || e.AgreementID != s.AgreementID {
			return fmt.Errorf("usage %d of service %d: %w", usageID, id, store.ErrNotFound)
		}
		if _, err := usage.Remove(ctx, tx, e.Source, e.SourceRef); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Audit(s.Provider.OrgID, "service.usage.remove", "service", strconv.FormatInt(id, 10),
			map[string]any{"agreement": rec.Reference, "usage_id": usageID, "reference": ref, "beneficiary": e.UserOrgID,
				"date": e.OccurredOn, "act_type": e.ActType, "quantity_milli": e.Milli}))
	})
	if err != nil {
		return fail("remove usage", err)
	}
	return nil
}

// UsageFilter selects a service's usage; zero fields select everything.
// From and To are inclusive days of use.
type UsageFilter struct {
	From, To    civil.Date
	Beneficiary int64
}

// UsageLine is a usage record as a reader of the service sees it.
type UsageLine struct {
	ID              int64      `json:"id"`
	Date            civil.Date `json:"date"`
	BeneficiaryID   int64      `json:"beneficiary"`
	BeneficiaryName string     `json:"beneficiary_name"`
	ActType         string     `json:"act_type,omitempty"`
	// Quantity is in the service's unit; Weighted is Quantity × the act's
	// weight for a service counting acts, else Quantity.
	Quantity  money.Rat    `json:"quantity"`
	Weighted  money.Rat    `json:"weighted"`
	Source    usage.Source `json:"source"`
	Reference string       `json:"reference,omitempty"`
	Note      string       `json:"note,omitempty"`
}

// UsageTotal is one beneficiary's use over the period.
type UsageTotal struct {
	BeneficiaryID   int64  `json:"beneficiary"`
	BeneficiaryName string `json:"beneficiary_name"`
	// ByType are the quantities per act type (a service counting acts).
	ByType   []TypeTotal `json:"by_type,omitempty"`
	Quantity money.Rat   `json:"quantity"`
	Weighted money.Rat   `json:"weighted"`
	Records  int         `json:"records"`
}

// TypeTotal is a quantity of one act type.
type TypeTotal struct {
	ActType  string    `json:"act_type"`
	Quantity money.Rat `json:"quantity"`
}

// UsageView is the usage of a service a reader may see: every line to the
// provider, only its own lines to a beneficiary.
type UsageView struct {
	ServiceID int64      `json:"service_id"`
	Unit      Unit       `json:"unit"`
	From      civil.Date `json:"from,omitzero"`
	To        civil.Date `json:"to,omitzero"`
	// All says the reader sees every beneficiary's usage (the provider, a
	// platform admin); otherwise only its own organisations'.
	All    bool         `json:"all"`
	Lines  []UsageLine  `json:"lines"`
	Totals []UsageTotal `json:"totals"`
}

// Usage returns the usage of service id the actor may see, with totals per
// beneficiary. The provider's users see every line; a beneficiary's users
// see only their organisation's lines and totals, never another's.
func (m *Manager) Usage(ctx context.Context, actor auth.Actor, id int64, f UsageFilter) (UsageView, error) {
	s, _, err := m.load(ctx, actor, id)
	if err != nil {
		return UsageView{}, fail("usage", err)
	}
	return m.UsageOf(ctx, actor, s, f)
}

// UsageOf is Usage for a service already read, with the same visibility
// rules (a beneficiary's users see only their organisation's usage). s must
// come from Get (or ByAgreement) for the same actor in the same request:
// UsageOf does not read the service or its convention again, so it does not
// re-check that actor is a user of one of its parties.
func (m *Manager) UsageOf(ctx context.Context, actor auth.Actor, s Service, f UsageFilter) (UsageView, error) {
	if actor.Anonymous() {
		return UsageView{}, fail("usage", auth.ErrUnauthenticated)
	}
	id := s.ID
	v := UsageView{ServiceID: id, Unit: s.Unit, From: f.From, To: f.To, Lines: []UsageLine{}, Totals: []UsageTotal{}}
	v.All = auth.Authorize(actor, auth.ReadPrivate, s.Provider.OrgID) == nil
	visible := func(org int64) bool {
		return v.All || auth.Authorize(actor, auth.ReadPrivate, org) == nil
	}
	if f.Beneficiary != 0 && !visible(f.Beneficiary) {
		return v, nil
	}
	es, err := usage.List(ctx, m.db.Reader(), usage.Filter{AgreementID: s.AgreementID, ProviderOrgID: s.Provider.OrgID,
		UserOrgID: f.Beneficiary, Unit: s.Unit.UsageUnit(), From: f.From, To: f.To})
	if err != nil {
		return UsageView{}, fail("usage", err)
	}
	totals := map[int64]*UsageTotal{}
	for _, e := range es {
		if !visible(e.UserOrgID) {
			continue
		}
		name := fmt.Sprintf("organisation n° %d", e.UserOrgID)
		if p, ok := s.Beneficiary(e.UserOrgID); ok {
			name = p.Name
		}
		l := UsageLine{ID: e.ID, Date: e.OccurredOn, BeneficiaryID: e.UserOrgID, BeneficiaryName: name, ActType: e.ActType,
			Quantity: e.Quantity(), Weighted: e.Quantity(), Source: e.Source, Reference: Reference(id, e), Note: e.Note}
		if w, ok := s.Weight(e.ActType); ok && s.Unit == Act {
			l.Weighted = l.Quantity.Mul(w.Weight)
		}
		v.Lines = append(v.Lines, l)
		t := totals[e.UserOrgID]
		if t == nil {
			t = &UsageTotal{BeneficiaryID: e.UserOrgID, BeneficiaryName: name}
			totals[e.UserOrgID] = t
		}
		t.Quantity, t.Weighted, t.Records = t.Quantity.Add(l.Quantity), t.Weighted.Add(l.Weighted), t.Records+1
		if s.Unit == Act {
			i := slices.IndexFunc(t.ByType, func(tt TypeTotal) bool { return tt.ActType == e.ActType })
			if i < 0 {
				t.ByType = append(t.ByType, TypeTotal{ActType: e.ActType})
				i = len(t.ByType) - 1
			}
			t.ByType[i].Quantity = t.ByType[i].Quantity.Add(l.Quantity)
		}
	}
	// Totals in the convention's order, act types in the table's.
	for _, p := range s.Beneficiaries {
		if t := totals[p.OrgID]; t != nil {
			slices.SortStableFunc(t.ByType, func(a, b TypeTotal) int { return s.weightIndex(a.ActType) - s.weightIndex(b.ActType) })
			v.Totals = append(v.Totals, *t)
			delete(totals, p.OrgID)
		}
	}
	var former []UsageTotal // usage of organisations no longer beneficiaries
	for _, t := range totals {
		former = append(former, *t)
	}
	slices.SortFunc(former, func(a, b UsageTotal) int { return int(a.BeneficiaryID - b.BeneficiaryID) })
	v.Totals = append(v.Totals, former...)
	return v, nil
}

func (s Service) weightIndex(typ string) int {
	return slices.IndexFunc(s.Weights, func(w ActWeight) bool { return w.Type == typ })
}
