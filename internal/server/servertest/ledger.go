package servertest

import (
	"context"
	"testing"

	"voisines/internal/agreement"
	"voisines/internal/agreement/agreementtest"
	"voisines/internal/civil"
	"voisines/internal/ledger"
	"voisines/internal/money"
	"voisines/internal/store"
)

// LedgerWorld is the servertest fixture with a convention of prestation
// of Rodez (provider) for Conques at a fixed price, signed, and its
// statement for the second half of 2026 issued by Rodez, which also stated
// what doing it alone would cost.
type LedgerWorld struct {
	F         *Fixture
	Rodez     int64 // the organisation id of Rodez, the creditor
	Agreement agreement.Record
	Statement ledger.Statement
}

// The fixed price Conques owes, and what Rodez states about the cost.
const (
	LedgerPrice      money.Cents = 1_234_56
	LedgerStandalone money.Cents = 5_000_00
	LedgerOwnCost    money.Cents = 3_000_00
)

// NewLedgerWorld builds the LedgerWorld over db, with its own server.
func NewLedgerWorld(t testing.TB, db *store.DB) *LedgerWorld {
	t.Helper()
	ctx := context.Background()
	f := New(t, db, Options{})
	clk := &agreementtest.Clock{}
	agr := f.Deps.Agreements.WithClock(clk.Now)
	led := ledger.New(db, agr).WithClock(clk.Now)
	clerk := f.Actor(t, ClerkRodez)
	rodez, conques := f.Orgs[Rodez].ID, f.Orgs[Conques].ID

	day := civil.MustParse
	c := agreement.Content{
		Title:     "Entretien des espaces verts de Conques",
		Term:      agreement.Term{Start: day("2026-07-01"), End: day("2028-12-31"), NoticeMonths: 3},
		Financial: agreement.Financial{Mode: agreement.FixedPrice, Summary: "Forfait semestriel.", PeriodMonths: 6},
		Prestation: agreement.PrestationTerms{CooperationJustification: "Entretien mutualisé des espaces verts au service d'objectifs communs de service public.",
			OpenMarketBelow20: true},
	}
	in := agreement.Input{Kind: agreement.Prestation, Content: c, Parties: []agreement.PartyInput{
		{OrgID: rodez, Role: agreement.RoleProvider}, {OrgID: conques, Role: agreement.RoleBeneficiary}}}
	r := f.conclude(t, clk, clerk, in, day("2026-05-04"),
		agreementtest.Acts{Date: day("2026-05-20"), Transmitted: day("2026-05-22"), Recorded: day("2026-05-22")}, day("2026-06-01"))
	if _, err := led.SetTerms(ctx, clerk, r.ID, 0, ledger.Terms{Mode: agreement.FixedPrice, Creditor: rodez, Parties: []int64{conques},
		Object: "Entretien des espaces verts", Fixed: []ledger.FixedLine{{Party: conques, Label: "Forfait semestriel", Amount: LedgerPrice}}}); err != nil {
		t.Fatalf("terms: %v", err)
	}
	clk.Set(day("2027-01-11"))
	st, err := led.Draft(ctx, clerk, ledger.Request{AgreementID: r.ID, From: day("2026-07-01"), To: day("2026-12-31"), Label: "2d semestre 2026"})
	if err != nil {
		t.Fatalf("draft: %v", err)
	}
	if st, err = led.Issue(ctx, clerk, st.ID); err != nil {
		t.Fatalf("issue: %v", err)
	}
	if err := led.SetStandalone(ctx, clerk, ledger.Standalone{AgreementID: r.ID, OrgID: rodez, Year: 2026,
		Cost: LedgerStandalone, OwnCost: LedgerOwnCost, Note: "Devis d'une entreprise"}); err != nil {
		t.Fatalf("standalone: %v", err)
	}
	return &LedgerWorld{F: f, Rodez: rodez, Agreement: r, Statement: st}
}
