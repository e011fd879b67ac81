package servertest

import (
	"context"
	"fmt"
	"testing"

	"voisines/internal/agreement"
	"voisines/internal/auth"
	"voisines/internal/civil"
	"voisines/internal/ledger"
	"voisines/internal/money"
)

// ClerkConques is the clerk of Conques-en-Rouergue, the debtor of the
// LedgerWorld, once AddClerkConques has created the account.
const ClerkConques = "clerk-conques"

// AddClerkConques creates the account of a clerk of Conques (the
// LedgerWorld's debtor), to log in as ClerkConques.
func (w *LedgerWorld) AddClerkConques(t testing.TB) {
	t.Helper()
	u, err := w.F.Deps.Auth.CreateUser(context.Background(), auth.SystemActor("test"), auth.NewUser{
		Email: Email(ClerkConques), Name: "Compte " + ClerkConques, Password: Password,
		Grants: []auth.Grant{{OrgID: w.F.Orgs[Conques].ID, Role: auth.RoleClerk}}})
	if err != nil {
		t.Fatalf("create account %s: %v", ClerkConques, err)
	}
	w.F.Users[ClerkConques] = u
}

// ACWorld is a service commun of the CA Rodez Agglomération (FPU) for
// Rodez and Onet-le-Château, charged against the attribution de
// compensation, with its statement for 2026 issued by the EPCI: its flows
// are imputations on the AC, neither titres nor mandats.
type ACWorld struct {
	Agreement agreement.Record
	Statement ledger.Statement
}

// The cost of the ACWorld's service commun in 2026, shared equally.
const ACCost money.Cents = 9_000_00

// AddServiceCommunAC builds the ACWorld in w's database.
func (w *LedgerWorld) AddServiceCommunAC(t testing.TB) ACWorld {
	t.Helper()
	ctx := context.Background()
	f := w.F
	clk := &ledgerClock{}
	agr := f.Deps.Agreements.WithClock(clk.now)
	led := ledger.New(f.DB, agr).WithClock(clk.now)
	u, err := f.Deps.Auth.User(ctx, f.Users[Admin].ID)
	if err != nil {
		t.Fatal(err)
	}
	admin := auth.Actor{User: &u}
	agglo, rodez, onet := f.Orgs[AggloRdz].ID, f.Orgs[Rodez].ID, f.Orgs[Onet].ID
	day := civil.MustParse
	c := agreement.Content{
		Title:     "Service commun d'instruction du droit des sols",
		Term:      agreement.Term{Start: day("2026-01-01"), End: day("2028-12-31"), NoticeMonths: 3},
		Financial: agreement.Financial{Mode: agreement.ActualCostByKey, Summary: "Coût réel à parts égales, imputé sur l'attribution de compensation."},
		ServiceCommun: agreement.ServiceCommunTerms{Tasks: "Instruction des autorisations d'urbanisme", ImpactStatement: "fiche-impact-ads.pdf",
			ChargeAgainstAC: true},
	}
	r := signAsAdmin(t, w.F, clk, admin, agreement.Input{Kind: agreement.ServiceCommun, Content: c, Parties: []agreement.PartyInput{
		{OrgID: agglo, Role: agreement.RoleManager}, {OrgID: rodez, Role: agreement.RoleMember}, {OrgID: onet, Role: agreement.RoleMember}}})
	if _, err := led.SetTerms(ctx, admin, r.ID, 0, ledger.Terms{Object: "Service commun ADS", Settlement: ledger.SettleAgainstAC,
		Key: &money.Key{Kind: money.KeyEqual, Label: "parts égales"}}); err != nil {
		t.Fatalf("terms: %v", err)
	}
	clk.set(day("2027-01-20"))
	st, err := led.Draft(ctx, admin, ledger.Request{AgreementID: r.ID, From: day("2026-01-01"), To: day("2026-12-31"), Label: "Année 2026",
		CostLines: []money.CostLine{{Label: "Coût du service commun (compte administratif 2026)", Amount: ACCost, Eligible: true}}})
	if err != nil {
		t.Fatalf("draft: %v", err)
	}
	if st, err = led.Issue(ctx, admin, st.ID); err != nil {
		t.Fatalf("issue: %v", err)
	}
	return ACWorld{Agreement: r, Statement: st}
}

// signAsAdmin creates convention in as the platform admin, in October
// 2025, records every approval it needs and every party's signature.
func signAsAdmin(t testing.TB, f *Fixture, clk *ledgerClock, admin auth.Actor, in agreement.Input) agreement.Record {
	t.Helper()
	ctx := context.Background()
	agr := f.Deps.Agreements.WithClock(clk.now)
	day := civil.MustParse
	for _, cs := range agreement.RequiredClauses(agreement.New(in.Kind, in.Content)) {
		in.Content.Clauses = append(in.Content.Clauses, agreement.Clause{ID: cs.ID, Text: "Texte de l'article « " + cs.Title + " »."})
	}
	clk.set(day("2025-10-01"))
	r, err := agr.Create(ctx, admin, in)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if r, err = agr.Submit(ctx, admin, r.ID, r.Version); err != nil {
		t.Fatalf("submit: %v", err)
	}
	clk.set(day("2025-10-20"))
	for i, n := range agreement.RequiredApprovals(r.Agreement) {
		ap := agreement.Approval{OrgID: n.OrgID, Kind: n.Kind, Date: day("2025-10-15"), Number: fmt.Sprintf("2025-%03d", i+1),
			TransmittedOn: day("2025-10-17")}
		if r, err = agr.RecordApproval(ctx, admin, r.ID, r.Version, ap); err != nil {
			t.Fatalf("approval %s: %v", n.Kind, err)
		}
	}
	clk.set(day("2025-11-03"))
	for _, p := range r.Agreement.Parties {
		if r, err = agr.Sign(ctx, admin, r.ID, r.Version, agreement.Signature{OrgID: p.OrgID, Date: day("2025-11-03")}); err != nil {
			t.Fatalf("sign: %v", err)
		}
	}
	return r
}

// AddGymUnitPrice signs a convention of shared use of Rodez's gym by
// Onet-le-Château (L1311-15, unit price) for 2026, without financial
// terms yet.
func (w *LedgerWorld) AddGymUnitPrice(t testing.TB) agreement.Record {
	t.Helper()
	u, err := w.F.Deps.Auth.User(context.Background(), w.F.Users[Admin].ID)
	if err != nil {
		t.Fatal(err)
	}
	day := civil.MustParse
	c := agreement.Content{
		Title:     "Utilisation du gymnase Paul-Ramadier par Onet-le-Château",
		Term:      agreement.Term{Start: day("2026-01-01"), End: day("2026-12-31"), NoticeMonths: 3},
		Financial: agreement.Financial{Mode: agreement.UnitPrice, Summary: "Participation horaire aux frais de fonctionnement.", PeriodMonths: 12},
		Equipment: agreement.EquipmentTerms{Equipment: "Gymnase Paul-Ramadier", FirstUse: day("2025-12-01")},
	}
	return signAsAdmin(t, w.F, &ledgerClock{}, auth.Actor{User: &u}, agreement.Input{Kind: agreement.EquipementPartage, Content: c,
		Parties: []agreement.PartyInput{{OrgID: w.F.Orgs[Rodez].ID, Role: agreement.RoleOwner}, {OrgID: w.F.Orgs[Onet].ID, Role: agreement.RoleUser}}})
}
