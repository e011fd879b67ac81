package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"voisines/internal/agreement"
	"voisines/internal/auth"
	"voisines/internal/civil"
	"voisines/internal/ledger"
	"voisines/internal/money"
	"voisines/internal/store"
	"voisines/internal/validate"
)

// SettledAgainstAC is how pages say a service is charged against the
// attribution de compensation.
const SettledAgainstAC = "imputé sur l'attribution de compensation"

// StatementRequest asks for a statement (état) of a service's period.
type StatementRequest struct {
	// From and To are the period's first and last days, inclusive: at most
	// twelve months (D5211-16, R5111-1) and, in unit-price billing, within
	// one calendar year (the unit cost is annual).
	From  civil.Date `json:"from"`
	To    civil.Date `json:"to"`
	Label string     `json:"label,omitempty"` // "1er semestre 2026"
	// CostLines are the actual cost of the period in actual-cost billing
	// ("coût réel constaté au compte administratif"); empty takes the cost
	// lines recorded for the period's year, without its budget update (a
	// forecast). Not used in unit-price billing.
	CostLines []money.CostLine `json:"cost_lines,omitempty"`
}

// yearRule names the rule capping a period at a year for services of kind k.
func yearRule(k agreement.Kind) string {
	if a := noticeArticle(k); a != "" {
		return a
	}
	return "règle de CGCT D5211-16 reprise par la convention de service commun"
}

// checkPeriod validates a statement's period for s.
func (s Service) checkPeriod(req StatementRequest) error {
	var errs validate.Errors
	switch {
	case req.From.IsZero():
		errs.Add("from", "le premier jour de la période est obligatoire")
	case req.To.IsZero():
		errs.Add("to", "le dernier jour de la période est obligatoire")
	case req.To.Before(req.From):
		errs.Add("to", "la période finit (%s) avant de commencer (%s)", req.To.French(), req.From.French())
	case !req.To.Before(req.From.AddMonths(12)):
		errs.Add("to", "la période du %s au %s dépasse douze mois : la périodicité du remboursement ne peut excéder un an (%s)",
			req.From.French(), req.To.French(), yearRule(s.Kind))
	case s.Billing == UnitPriceBilling && req.From.Year != req.To.Year:
		errs.Add("to", "la période du %s au %s est à cheval sur deux exercices : le coût unitaire est fixé pour une année, faites un état par exercice",
			req.From.French(), req.To.French())
	}
	if s.Billing == NoBilling {
		errs.Add("billing", "la convention ne prévoit aucun remboursement du service : elle ne donne lieu à aucun état")
	}
	return errs.Err()
}

// Terms returns the ledger terms of service s for year: the unit cost of
// the year's cost lines over its forecast units with the service's act
// weights and rounding (unit-price billing), or a key sharing the actual
// cost by the units recorded (actual-cost billing); the creditor is the
// provider, the debtors the beneficiaries; a service commun charged
// against the attribution de compensation settles so.
func (m *Manager) Terms(ctx context.Context, actor auth.Actor, id int64, year int) (ledger.Terms, error) {
	s, rec, err := m.load(ctx, actor, id)
	if err != nil {
		return ledger.Terms{}, fail("terms", err)
	}
	t, err := m.termsFor(ctx, s, rec, year)
	if err != nil {
		return ledger.Terms{}, fail("terms", err)
	}
	return t, nil
}

func (m *Manager) termsFor(ctx context.Context, s Service, rec agreement.Record, year int) (ledger.Terms, error) {
	t := ledger.Terms{
		Mode: rec.Agreement.Financial.Mode, Creditor: s.Provider.OrgID,
		Object:       fmt.Sprintf("Remboursement du service « %s »", s.Name),
		PeriodMonths: rec.Agreement.Financial.PeriodMonths,
		UsageUnit:    s.Unit.UsageUnit(),
	}
	if len(t.Object) > 200 {
		t.Object = string([]rune(t.Object)[:190]) + "…"
	}
	// The parties bearing the cost in the convention's order, as the ledger
	// would default them (the party carrying a service unifié bears its own
	// share too).
	bearers := ledger.BearerRoles(s.Kind)
	for _, p := range rec.Agreement.Parties {
		if slices.Contains(bearers, p.Role) && !slices.Contains(t.Parties, p.OrgID) {
			t.Parties = append(t.Parties, p.OrgID)
		}
	}
	if s.ChargeAgainstAC {
		if err := checkChargeAgainstAC(rec.Agreement); err != nil {
			return ledger.Terms{}, validate.Errors{{Field: "charge_against_ac", Message: err.(validate.FieldError).Message}}
		}
		t.Settlement = ledger.SettleAgainstAC
	}
	var weights []money.UnitWeight
	for _, w := range s.Weights {
		weights = append(weights, money.UnitWeight{Type: w.Type, Weight: w.Weight})
	}
	switch s.Billing {
	case UnitPriceBilling:
		y, err := loadYear(ctx, m.db.Reader(), s.ID, year)
		if isNotFound(err) {
			return ledger.Terms{}, errNoYear("year", year)
		} else if err != nil {
			return ledger.Terms{}, err
		}
		b := y.basis(year, s.Unit)
		t.UnitPrice = &ledger.UnitPriceTerms{
			Rule:        money.UnitPrice{Unit: s.Unit.Label(), RoundUnitCostFirst: s.RoundUnitCostFirst, Rounding: s.Rounding},
			Basis:       &b,
			UnitWeights: weights,
		}
	case ActualCostBilling:
		label := "unités d'œuvre constatées (" + s.Unit.Label() + ")"
		if s.Unit == Act {
			label = "actes pondérés constatés"
		}
		t.Key = &money.Key{Kind: money.KeyUsage, Label: label, Measure: s.Unit.Label(), UnitWeights: weights}
	default:
		return ledger.Terms{}, validate.Errors{{Field: "billing", Message: "la convention ne prévoit aucun remboursement du service : elle ne donne lieu à aucun état"}}
	}
	return t, nil
}

// setTerms records t as the convention's ledger terms unless they already
// are, through the ledger (which checks them against the convention and
// audits the change).
func (m *Manager) setTerms(ctx context.Context, actor auth.Actor, agreementID int64, t ledger.Terms) error {
	version, changed, err := m.termsChange(ctx, actor, agreementID, t)
	if err != nil || !changed {
		return err
	}
	_, err = m.ledger.SetTerms(ctx, actor, agreementID, version, t)
	return err
}

// termsChange reports whether t differs from the convention's ledger terms,
// and the version of those (0 when it has none yet).
func (m *Manager) termsChange(ctx context.Context, actor auth.Actor, agreementID int64, t ledger.Terms) (int64, bool, error) {
	cur, err := m.ledger.Terms(ctx, actor, agreementID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return 0, true, nil
	case err != nil:
		return 0, false, err
	}
	a, _ := json.Marshal(cur.Terms)
	b, _ := json.Marshal(t)
	return cur.Version, string(a) != string(b), nil
}

// DraftStatement sets the convention's ledger terms from service id for
// the period's year (see Terms) and has the ledger draft the statement of
// the period from the usage recorded: unit cost × units per beneficiary,
// or the actual cost allocated by units to the cent. The draft is then
// checked and issued (IssueStatement). The actor needs auth.Write on the
// provider.
func (m *Manager) DraftStatement(ctx context.Context, actor auth.Actor, id int64, req StatementRequest) (ledger.Statement, error) {
	s, rec, err := m.loadForWrite(ctx, actor, id)
	if err != nil {
		return ledger.Statement{}, fail("draft statement", err)
	}
	req.Label = strings.TrimSpace(req.Label)
	if err := s.checkPeriod(req); err != nil {
		return ledger.Statement{}, err
	}
	t, err := m.termsFor(ctx, s, rec, req.To.Year)
	if err != nil {
		return ledger.Statement{}, fail("draft statement", err)
	}
	lr := ledger.Request{AgreementID: s.AgreementID, From: req.From, To: req.To, Label: req.Label}
	if s.Billing == ActualCostBilling {
		if lr.CostLines, err = m.actualCost(ctx, s, req); err != nil {
			return ledger.Statement{}, fail("draft statement", err)
		}
	}
	// Changed terms are written with the draft, in one transaction: a
	// draft that cannot be computed leaves them as they were.
	version, changed, err := m.termsChange(ctx, actor, s.AgreementID, t)
	if err != nil {
		return ledger.Statement{}, fail("draft statement", err)
	}
	var st ledger.Statement
	if changed {
		st, err = m.ledger.DraftWithTerms(ctx, actor, version, t, lr)
	} else {
		st, err = m.ledger.Draft(ctx, actor, lr)
	}
	if err != nil {
		return ledger.Statement{}, fail("draft statement", err)
	}
	return st, nil
}

// actualCost returns the cost lines of an actual-cost statement: those of
// the request, else the lines recorded for the period's year.
func (m *Manager) actualCost(ctx context.Context, s Service, req StatementRequest) ([]money.CostLine, error) {
	if len(req.CostLines) > 0 {
		var errs validate.Errors
		for i, l := range req.CostLines {
			if strings.TrimSpace(l.Label) == "" {
				errs.Add(fmt.Sprintf("cost_lines[%d].label", i), "le libellé de la dépense est obligatoire")
			}
			if l.Amount < 0 {
				errs.Add(fmt.Sprintf("cost_lines[%d].amount", i), "une dépense ne peut pas être négative")
			}
		}
		return req.CostLines, errs.Err()
	}
	y, err := loadYear(ctx, m.db.Reader(), s.ID, req.To.Year)
	if isNotFound(err) {
		return nil, validate.Errors{{Field: "cost_lines", Message: fmt.Sprintf(
			"indiquez le coût réel de la période, ou saisissez les dépenses de %d du service", req.To.Year)}}
	} else if err != nil {
		return nil, err
	}
	var lines []money.CostLine
	for _, l := range y.Lines {
		lines = append(lines, money.CostLine{Label: l.Label, Amount: l.Amount, Eligible: l.Eligible, Reason: l.Reason})
	}
	return lines, nil
}

// statementOf returns statement stID if it belongs to service s's
// convention.
func (m *Manager) statementOf(ctx context.Context, actor auth.Actor, s Service, stID int64) (ledger.Statement, error) {
	st, err := m.ledger.Statement(ctx, actor, stID)
	if err != nil {
		return ledger.Statement{}, err
	}
	if st.AgreementID != s.AgreementID {
		return ledger.Statement{}, fmt.Errorf("statement %d of service %d: %w", stID, s.ID, store.ErrNotFound)
	}
	return st, nil
}

// IssueStatement issues draft stID of service id through the ledger, after
// setting the terms of the statement's year again (another year's draft
// may have changed them). The ledger refuses a draft whose data changed
// since it was computed (store.ErrConflict: recompute it). The actor needs
// auth.Write on the provider.
func (m *Manager) IssueStatement(ctx context.Context, actor auth.Actor, id, stID int64) (ledger.Statement, error) {
	s, rec, err := m.loadForWrite(ctx, actor, id)
	if err != nil {
		return ledger.Statement{}, fail("issue statement", err)
	}
	st, err := m.statementOf(ctx, actor, s, stID)
	if err != nil {
		return ledger.Statement{}, fail("issue statement", err)
	}
	if st.Status == ledger.Draft {
		t, err := m.termsFor(ctx, s, rec, st.Inputs.To.Year)
		if err != nil {
			return ledger.Statement{}, fail("issue statement", err)
		}
		if err := m.setTerms(ctx, actor, s.AgreementID, t); err != nil {
			return ledger.Statement{}, fail("issue statement", err)
		}
	}
	if st, err = m.ledger.Issue(ctx, actor, stID); err != nil {
		return ledger.Statement{}, fail("issue statement", err)
	}
	return st, nil
}

// RecomputeStatement recomputes draft stID of service id from today's
// usage and cost lines of its year.
func (m *Manager) RecomputeStatement(ctx context.Context, actor auth.Actor, id, stID int64) (ledger.Statement, error) {
	s, rec, err := m.loadForWrite(ctx, actor, id)
	if err != nil {
		return ledger.Statement{}, fail("recompute statement", err)
	}
	st, err := m.statementOf(ctx, actor, s, stID)
	if err != nil {
		return ledger.Statement{}, fail("recompute statement", err)
	}
	t, err := m.termsFor(ctx, s, rec, st.Inputs.To.Year)
	if err != nil {
		return ledger.Statement{}, fail("recompute statement", err)
	}
	version, changed, err := m.termsChange(ctx, actor, s.AgreementID, t)
	if err != nil {
		return ledger.Statement{}, fail("recompute statement", err)
	}
	if changed {
		st, err = m.ledger.RecomputeWithTerms(ctx, actor, s.AgreementID, version, t, stID)
	} else {
		st, err = m.ledger.Recompute(ctx, actor, stID)
	}
	if err != nil {
		return ledger.Statement{}, fail("recompute statement", err)
	}
	return st, nil
}

// Statements returns the statements of service id's convention as the
// ledger keeps them, former versions included: the issued ones to every
// party, the drafts too to the provider's users (and platform admins) only,
// since a draft is the provider's work in progress (see StatementsOf).
func (m *Manager) Statements(ctx context.Context, actor auth.Actor, id int64) ([]ledger.Statement, error) {
	s, _, err := m.load(ctx, actor, id)
	if err != nil {
		return nil, fail("statements", err)
	}
	return m.StatementsOf(ctx, actor, s)
}

// StatementsOf is Statements for a service already read. s must come from
// Get (or ByAgreement) for the same actor in the same request: StatementsOf
// does not read the service or its convention again, so it does not re-check
// that actor is a user of one of its parties (the ledger applies its own
// checks to actor). A draft is the creditor's work in progress: the
// ledger lists it only to those who may write for the provider
// (ledger.Statement.VisibleTo), so a beneficiary sees issued statements
// only, whatever face it reads them through.
func (m *Manager) StatementsOf(ctx context.Context, actor auth.Actor, s Service) ([]ledger.Statement, error) {
	if actor.Anonymous() {
		return nil, fail("statements", auth.ErrUnauthenticated)
	}
	ss, err := m.ledger.Statements(ctx, actor, s.AgreementID)
	if err != nil {
		return nil, fail("statements", err)
	}
	return ss, nil
}
