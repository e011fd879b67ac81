package ledger

import (
	"fmt"

	"voisines/internal/agreement"
	"voisines/internal/civil"
	"voisines/internal/money"
)

// Flow is one gross debt of an issued statement: the debtor owes the
// creditor Amount, for which the creditor issues a titre de recettes and
// the debtor a mandat. Amount is always positive; flows are never netted.
type Flow struct {
	ID                 int64       `json:"id"`
	StatementID        int64       `json:"statement_id"`
	AgreementID        int64       `json:"agreement_id"`
	AgreementReference string      `json:"agreement_reference"`
	Creditor           PartyRef    `json:"creditor"`
	Debtor             PartyRef    `json:"debtor"`
	Amount             money.Cents `json:"amount"`
	FiscalYear         int         `json:"fiscal_year"`
	// TitreAccount and MandatAccount are the suggested M57 accounts of the
	// creditor's titre and the debtor's mandat; empty when the mapping has
	// no suggestion.
	TitreAccount  string     `json:"titre_account"`
	MandatAccount string     `json:"mandat_account"`
	Object        string     `json:"object"`
	From          civil.Date `json:"from"`
	To            civil.Date `json:"to"`
	// Titre and Mandat are the documents the finance officers recorded.
	Titre  *Document `json:"titre,omitempty"`
	Mandat *Document `json:"mandat,omitempty"`
	// Current is false once the statement was corrected: the correction's
	// flows replace this one, and SupersededBy is the correcting statement.
	Current      bool  `json:"current"`
	SupersededBy int64 `json:"superseded_by,omitempty"`
	// Settlement is SettleAgainstAC for a flow settled by reducing the
	// attribution de compensation: it gives rise to no titre nor mandat.
	Settlement Settlement `json:"settlement,omitempty"`
	// TitreCancellation and MandatCancellation are the titre d'annulation
	// (or de réduction) and the mandat's cancellation recorded for a flow
	// no longer current whose titre or mandat had been recorded: until
	// then the year shows them to do, the amounts never being netted.
	TitreCancellation  *Document `json:"titre_cancellation,omitempty"`
	MandatCancellation *Document `json:"mandat_cancellation,omitempty"`
}

// AgainstAC reports whether f is settled against the attribution de
// compensation rather than by titre and mandat.
func (f Flow) AgainstAC() bool { return f.Settlement == SettleAgainstAC }

// TitreToCancel reports whether the creditor must still cancel or reduce
// the titre it recorded for f, replaced by a correction.
func (f Flow) TitreToCancel() bool { return !f.Current && f.Titre != nil && f.TitreCancellation == nil }

// MandatToCancel reports whether the debtor must still cancel the mandat
// it recorded for f, replaced by a correction.
func (f Flow) MandatToCancel() bool {
	return !f.Current && f.Mandat != nil && f.MandatCancellation == nil
}

// Document is a titre de recettes or a mandat recorded for a flow.
type Document struct {
	Reference string     `json:"reference"` // the number in the finance software
	Date      civil.Date `json:"date,omitzero"`
	Account   string     `json:"account,omitempty"` // the account actually used
}

// Side is a flow's side: the creditor's titre or the debtor's mandat.
type Side string

// The sides of a flow: the creditor's titre and the debtor's mandat, and
// their cancellations once a correction replaced the flow.
const (
	Titre  Side = "titre"
	Mandat Side = "mandat"
	// TitreCancel is the creditor's titre d'annulation or de réduction of
	// the titre of a replaced flow.
	TitreCancel Side = "annulation_titre"
	// MandatCancel is the debtor's cancellation of the mandat of a
	// replaced flow.
	MandatCancel Side = "annulation_mandat"
)

// Sides are every side a document may be recorded on.
var Sides = []Side{Titre, Mandat, TitreCancel, MandatCancel}

// ByCreditor reports whether the creditor records documents of side s (a
// titre or its cancellation); the debtor records the others.
func (s Side) ByCreditor() bool { return s == Titre || s == TitreCancel }

// Label is the side's French name.
func (s Side) Label() string {
	switch s {
	case Titre:
		return "titre de recettes"
	case Mandat:
		return "mandat"
	case TitreCancel:
		return "titre d'annulation ou de réduction"
	case MandatCancel:
		return "annulation du mandat"
	}
	return string(s)
}

// Relation is how the counterparty of a flow relates to the organisation
// booking it, as the M57 accounts distinguish it (domain.md §7).
type Relation string

// The relations.
const (
	// GFPRattachement: the counterparty is the EPCI à fiscalité propre the
	// organisation (a commune) belongs to.
	GFPRattachement Relation = "gfp_rattachement"
	// CommuneMembre: the counterparty is a member commune of the
	// organisation (an EPCI).
	CommuneMembre Relation = "commune_membre"
	// Autre: any other counterparty.
	Autre Relation = "autre"
	// AnyRelation matches every relation in the mapping.
	AnyRelation Relation = "*"
)

// AnyInstrument matches every kind of convention in the mapping.
const AnyInstrument = "*"

// ACInstrument stands in the mapping's instrument column for the flows of a
// service commun settled against the attribution de compensation: they
// take these rows only, never the generic ones.
const ACInstrument = string(SettleAgainstAC)

// AccountRule is one row of the per-year account mapping.
type AccountRule struct {
	Year int `json:"year"`
	// Instrument is a kind of convention, AnyInstrument, or ACInstrument
	// for flows settled against the attribution de compensation.
	Instrument   string   `json:"instrument"`
	Counterparty Relation `json:"counterparty"`
	Side         Side     `json:"side"`
	// Account is the M57 account ("70876"); empty means no suggestion.
	Account string `json:"account"`
	Label   string `json:"label,omitempty"`
}

// relation returns how other relates to self for self's accounts.
func relation(self, other PartyRef) Relation {
	switch {
	case self.Kind == agreement.Commune && other.Kind == agreement.EPCI && self.EPCISIREN != "" && self.EPCISIREN == other.SIREN:
		return GFPRattachement
	case self.Kind == agreement.EPCI && other.Kind == agreement.Commune && other.EPCISIREN != "" && other.EPCISIREN == self.SIREN:
		return CommuneMembre
	}
	return Autre
}

// pickAccount returns the most specific rule for a flow of a convention of
// kind k on side, with relation rel: the kind's own row for rel, then the
// kind's row for any relation, then the generic rows.
func pickAccount(rules []AccountRule, k agreement.Kind, rel Relation, side Side) AccountRule {
	return firstRule(rules, side, [][2]string{{string(k), string(rel)}, {string(k), "*"}, {"*", string(rel)}, {"*", "*"}})
}

// pickACAccount returns the rule for a flow settled against the
// attribution de compensation: the ACInstrument rows only, so that such a
// flow never gets the account of a titre or mandat.
func pickACAccount(rules []AccountRule, rel Relation, side Side) AccountRule {
	return firstRule(rules, side, [][2]string{{ACInstrument, string(rel)}, {ACInstrument, "*"}})
}

// firstRule returns the rule on side matching the first (instrument,
// counterparty) pair of wants that has one, or the zero rule.
func firstRule(rules []AccountRule, side Side, wants [][2]string) AccountRule {
	for _, want := range wants {
		for _, r := range rules {
			if r.Side == side && r.Instrument == want[0] && string(r.Counterparty) == want[1] {
				return r
			}
		}
	}
	return AccountRule{}
}

// flowsOf returns the gross flows of a statement: one per party with a
// non-zero amount other than the creditor, from the party to the creditor
// for a positive amount, from the creditor to the party for a negative
// one. Nothing is netted. Under SettleAgainstAC each flow carries the
// settlement and the attribution de compensation's accounts.
func flowsOf(in Inputs, r Result, rules []AccountRule) []Flow {
	object := in.Object + " — " + statementTitle(in)
	var out []Flow
	for i, l := range r.Lines {
		if l.Own || l.Amount == 0 {
			continue
		}
		party := in.Parties[i]
		f := Flow{AgreementID: in.Agreement.ID, AgreementReference: in.Agreement.Reference, Creditor: in.Creditor,
			Debtor: party, Amount: l.Amount, FiscalYear: in.To.Year, Object: object, From: in.From, To: in.To, Current: true}
		if l.Amount < 0 {
			f.Creditor, f.Debtor, f.Amount = party, in.Creditor, -l.Amount
		}
		if in.Settlement == SettleAgainstAC {
			f.Settlement = SettleAgainstAC
			f.TitreAccount = pickACAccount(rules, relation(f.Creditor, f.Debtor), Titre).Account
			f.MandatAccount = pickACAccount(rules, relation(f.Debtor, f.Creditor), Mandat).Account
		} else {
			f.TitreAccount = pickAccount(rules, in.Agreement.Kind, relation(f.Creditor, f.Debtor), Titre).Account
			f.MandatAccount = pickAccount(rules, in.Agreement.Kind, relation(f.Debtor, f.Creditor), Mandat).Account
		}
		out = append(out, f)
	}
	return out
}

// statementTitle names a statement in a line: its label, the call for
// funds, or its period.
func statementTitle(in Inputs) string {
	switch {
	case in.Kind == CallKind:
		return fmt.Sprintf("appel de fonds n° %d (convention %s)", in.Call, in.Agreement.Reference)
	case in.Kind == Final:
		return fmt.Sprintf("décompte final (convention %s)", in.Agreement.Reference)
	case in.Label != "":
		return fmt.Sprintf("%s (convention %s)", in.Label, in.Agreement.Reference)
	}
	return fmt.Sprintf("période %s (convention %s)", frenchPeriod(in.From, in.To), in.Agreement.Reference)
}
