package purchasing

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"voisines/internal/agreement"
	"voisines/internal/audit"
	"voisines/internal/auth"
	"voisines/internal/civil"
	"voisines/internal/ledger"
	"voisines/internal/money"
	"voisines/internal/store"
)

// CostsInput asks for the split of a procedure's costs (advertising, legal
// fees, the dematerialisation platform…) for a period.
type CostsInput struct {
	From  civil.Date       `json:"from"`
	To    civil.Date       `json:"to"`
	Label string           `json:"label,omitempty"`
	Lines []money.CostLine `json:"cost_lines"`
}

// NeedsKey returns the key that shares a group's procedure costs: each
// member's needs over every lot (a value key, money.KeyValue, in euros
// excl. VAT), with the convention's parties named as the ledger names them.
// g must hold every need (as the coordinator sees it).
func NeedsKey(g Group) *money.Key {
	k := &money.Key{Kind: money.KeyValue, Label: "besoins estimés de chaque membre",
		Measure: "besoins estimés sur toute la durée des marchés (€ HT)",
		Source:  fmt.Sprintf("groupement de commandes %s, besoins arrêtés au lancement", g.AgreementReference)}
	if !g.LaunchDate.IsZero() {
		k.Vintage = g.LaunchDate.String()
	}
	for _, m := range g.Members {
		var total money.Cents
		for _, n := range g.Needs {
			if n.OrgID == m.OrgID {
				total += n.Amount
			}
		}
		k.Figures = append(k.Figures, money.Figure{Party: strconv.FormatInt(m.OrgID, 10), Value: total.Euros()})
	}
	return k
}

// SplitCosts shares the procedure costs of group id between its members by
// share of needs, through the financial engine: it sets the convention's
// financial terms (actual cost shared by a value key of each member's needs,
// the coordinator being the creditor, ledger.CreditorRole) and drafts the
// statement of in's period, which the coordinator then checks and issues
// from the finances pages. The needs must be frozen (after launch). The
// actor needs auth.Write on the coordinator.
//
// The terms and the draft are written in one transaction
// (ledger.Service.DraftWithTerms): a split that cannot be drafted leaves
// the terms as they were.
func (s *Service) SplitCosts(ctx context.Context, actor auth.Actor, id int64, in CostsInput) (ledger.Statement, error) {
	g, _, err := read(ctx, s.db.Reader(), actor, id)
	if err != nil {
		return ledger.Statement{}, fail("split costs", err)
	}
	if err := auth.Authorize(actor, auth.Write, g.Coordinator.OrgID); err != nil {
		return ledger.Statement{}, fail("split costs", err)
	}
	if g.Status != Launched {
		return ledger.Statement{}, errNotLaunched
	}
	version := int64(0)
	var t ledger.Terms
	switch tr, err := s.ledger.Terms(ctx, actor, g.AgreementID); {
	case err == nil:
		version, t = tr.Version, tr.Terms
	case !isNotFound(err):
		return ledger.Statement{}, fail("split costs", err)
	}
	creditor, _ := ledger.CreditorRole(agreement.GroupementCommandes)
	if creditor != agreement.RoleCoordinator {
		return ledger.Statement{}, fail("split costs", errors.New("the ledger's creditor of a purchasing group is not its coordinator"))
	}
	t.Mode, t.Creditor, t.Parties, t.Key = agreement.ActualCostByKey, g.Coordinator.OrgID, nil, NeedsKey(g)
	if t.Object == "" {
		t.Object = "Frais de procédure du groupement de commandes « " + g.Title + " »"
	}
	label := in.Label
	if label == "" {
		label = "Frais de procédure"
	}
	st, err := s.ledger.DraftWithTerms(ctx, actor, version, t,
		ledger.Request{AgreementID: g.AgreementID, From: in.From, To: in.To, Label: label, CostLines: in.Lines})
	if err != nil {
		return ledger.Statement{}, fail("split costs", err)
	}
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		return audit.Record(ctx, tx, actor.Audit(g.Coordinator.OrgID, "purchasing.costs.split", "purchasing_group", entity(id),
			map[string]any{"statement_id": st.ID, "number": st.Number, "total": st.Result.Total.Plain(), "period": [2]civil.Date{in.From, in.To}}))
	})
	if err != nil {
		return ledger.Statement{}, fail("split costs", err)
	}
	return st, nil
}

// CostStatements returns the statements of group id's convention (the
// procedure costs split so far) in the ledger's order: the issued ones to
// every member, the drafts only to those who may write for the
// coordinator, whose work in progress they are (and platform admins), by
// the ledger's one rule (ledger.Statement.VisibleTo).
func (s *Service) CostStatements(ctx context.Context, actor auth.Actor, id int64) ([]ledger.Statement, error) {
	g, _, err := read(ctx, s.db.Reader(), actor, id)
	if err != nil {
		return nil, fail("cost statements", err)
	}
	return s.costStatements(ctx, actor, g)
}

// CostStatementsOf is CostStatements for group g, sparing a reload: g must
// be the group Get returned for the same actor.
func (s *Service) CostStatementsOf(ctx context.Context, actor auth.Actor, g Group) ([]ledger.Statement, error) {
	if _, err := viewerOfGot(actor, g); err != nil {
		return nil, fail("cost statements", err)
	}
	return s.costStatements(ctx, actor, g)
}

// costStatements is the body of CostStatements for group g as read or got.
// The ledger leaves out the drafts actor may not see: the coordinator is
// their creditor (SplitCosts).
func (s *Service) costStatements(ctx context.Context, actor auth.Actor, g Group) ([]ledger.Statement, error) {
	out, err := s.ledger.Statements(ctx, actor, g.AgreementID)
	if err != nil {
		return nil, fail("cost statements", err)
	}
	if out == nil {
		out = []ledger.Statement{}
	}
	return out, nil
}
