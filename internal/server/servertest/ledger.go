package servertest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"voisines/internal/agreement"
	"voisines/internal/auth"
	"voisines/internal/civil"
	"voisines/internal/ledger"
	"voisines/internal/money"
	"voisines/internal/store"
)

// ledgerClock is the time the LedgerWorld's services read; set moves it to
// ten in the morning of a day in Paris.
type ledgerClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *ledgerClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *ledgerClock) set(d civil.Date) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = d.Time(civil.Paris).Add(10 * time.Hour)
}

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
	clk := &ledgerClock{}
	agr := f.Deps.Agreements.WithClock(clk.now)
	led := ledger.New(db, agr).WithClock(clk.now)
	actorOf := func(name string) auth.Actor {
		u, err := f.Deps.Auth.User(ctx, f.Users[name].ID)
		if err != nil {
			t.Fatal(err)
		}
		return auth.Actor{User: &u}
	}
	admin, clerk := actorOf(Admin), actorOf(ClerkRodez)
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
	for _, cs := range agreement.RequiredClauses(agreement.New(agreement.Prestation, c)) {
		in.Content.Clauses = append(in.Content.Clauses, agreement.Clause{ID: cs.ID, Text: "Texte de l'article « " + cs.Title + " »."})
	}
	clk.set(day("2026-05-04"))
	r, err := agr.Create(ctx, clerk, in)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if r, err = agr.Submit(ctx, clerk, r.ID, r.Version); err != nil {
		t.Fatalf("submit: %v", err)
	}
	clk.set(day("2026-05-22"))
	for i, n := range agreement.RequiredApprovals(r.Agreement) {
		ap := agreement.Approval{OrgID: n.OrgID, Kind: n.Kind, Date: day("2026-05-20"), Number: fmt.Sprintf("2026-%03d", i+1),
			TransmittedOn: day("2026-05-22")}
		if r, err = agr.RecordApproval(ctx, admin, r.ID, r.Version, ap); err != nil {
			t.Fatalf("approval %s: %v", n.Kind, err)
		}
	}
	clk.set(day("2026-06-01"))
	for _, p := range r.Agreement.Parties {
		if r, err = agr.Sign(ctx, admin, r.ID, r.Version, agreement.Signature{OrgID: p.OrgID, Date: day("2026-06-01")}); err != nil {
			t.Fatalf("sign: %v", err)
		}
	}
	if _, err := led.SetTerms(ctx, clerk, r.ID, 0, ledger.Terms{Mode: agreement.FixedPrice, Creditor: rodez, Parties: []int64{conques},
		Object: "Entretien des espaces verts", Fixed: []ledger.FixedLine{{Party: conques, Label: "Forfait semestriel", Amount: LedgerPrice}}}); err != nil {
		t.Fatalf("terms: %v", err)
	}
	clk.set(day("2027-01-11"))
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
