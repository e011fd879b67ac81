package servertest

import (
	"context"
	"fmt"
	"testing"

	"voisines/internal/agreement"
	"voisines/internal/auth"
	"voisines/internal/civil"
	"voisines/internal/store"
)

// BuyerConques is the account of a clerk of Conques-en-Rouergue that
// NewPurchasingWorld adds (the fixture's own Conques account is kept for
// throttling tests).
const BuyerConques = "achats-conques"

// PurchasingWorld is the servertest fixture with the convention
// constitutive of a groupement de commandes between Rodez (coordinator),
// Onet-le-Château and Conques-en-Rouergue, whose members deliberated on 20
// May 2026 and signed on 1 June 2026, financed by sharing the actual
// procedure costs. The group itself is left to the test, through the faces.
type PurchasingWorld struct {
	F                    *Fixture
	Agreement            agreement.Record
	Rodez, Onet, Conques int64
}

// NewPurchasingWorld builds the PurchasingWorld over db, with its own
// server.
func NewPurchasingWorld(t testing.TB, db *store.DB) *PurchasingWorld {
	t.Helper()
	ctx := context.Background()
	f := New(t, db, Options{})
	w := &PurchasingWorld{F: f, Rodez: f.Orgs[Rodez].ID, Onet: f.Orgs[Onet].ID, Conques: f.Orgs[Conques].ID}
	u, err := f.Deps.Auth.CreateUser(ctx, auth.SystemActor("test"), auth.NewUser{Email: Email(BuyerConques), Name: "Compte " + BuyerConques,
		Password: Password, Grants: []auth.Grant{{OrgID: w.Conques, Role: auth.RoleClerk}}})
	if err != nil {
		t.Fatalf("create account %s: %v", BuyerConques, err)
	}
	f.Users[BuyerConques] = u
	clk := &ledgerClock{}
	agr := f.Deps.Agreements.WithClock(clk.now)
	admin, err := f.Deps.Auth.User(ctx, f.Users[Admin].ID)
	if err != nil {
		t.Fatal(err)
	}
	actor := auth.Actor{User: &admin}
	day := civil.MustParse
	c := agreement.Content{
		Title:           "Groupement de commandes — produits d'entretien et papier",
		Term:            agreement.Term{Start: day("2026-06-01"), End: day("2030-12-31"), NoticeMonths: 3},
		Financial:       agreement.Financial{Mode: agreement.ActualCostByKey, Summary: "Frais de procédure répartis au prorata des besoins de chaque membre."},
		PurchasingGroup: agreement.PurchasingGroupTerms{Needs: "Produits d'entretien et papier, accord-cadre de quatre ans"},
	}
	for _, cs := range agreement.RequiredClauses(agreement.New(agreement.GroupementCommandes, c)) {
		c.Clauses = append(c.Clauses, agreement.Clause{ID: cs.ID, Text: "Texte de l'article « " + cs.Title + " »."})
	}
	clk.set(day("2026-04-01"))
	r, err := agr.Create(ctx, actor, agreement.Input{Kind: agreement.GroupementCommandes, Content: c, Parties: []agreement.PartyInput{
		{OrgID: w.Rodez, Role: agreement.RoleCoordinator}, {OrgID: w.Onet, Role: agreement.RoleMember}, {OrgID: w.Conques, Role: agreement.RoleMember}}})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if r, err = agr.Submit(ctx, actor, r.ID, r.Version); err != nil {
		t.Fatalf("submit: %v", err)
	}
	clk.set(day("2026-05-22"))
	for i, n := range agreement.RequiredApprovals(r.Agreement) {
		ap := agreement.Approval{OrgID: n.OrgID, Kind: n.Kind, Date: day("2026-05-20"), Number: fmt.Sprintf("2026-%03d", 40+i),
			TransmittedOn: day("2026-05-22")}
		if r, err = agr.RecordApproval(ctx, actor, r.ID, r.Version, ap); err != nil {
			t.Fatalf("approval %s: %v", n.Kind, err)
		}
	}
	clk.set(day("2026-06-01"))
	for _, p := range r.Agreement.Parties {
		if r, err = agr.Sign(ctx, actor, r.ID, r.Version, agreement.Signature{OrgID: p.OrgID, Date: day("2026-06-01")}); err != nil {
			t.Fatalf("sign: %v", err)
		}
	}
	w.Agreement = r
	return w
}
