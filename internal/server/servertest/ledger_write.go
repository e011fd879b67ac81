package servertest

import (
	"context"
	"testing"

	"voisines/internal/agreement"
	"voisines/internal/agreement/agreementtest"
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
	w.F.AddClerk(t, ClerkConques, Conques)
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
	clk := &agreementtest.Clock{}
	agr := f.Deps.Agreements.WithClock(clk.Now)
	led := ledger.New(f.DB, agr).WithClock(clk.Now)
	admin := f.Actor(t, Admin)
	agglo, rodez, onet := f.Orgs[AggloRdz].ID, f.Orgs[Rodez].ID, f.Orgs[Onet].ID
	day := civil.MustParse
	c := agreement.Content{
		Title:     "Service commun d'instruction du droit des sols",
		Term:      agreement.Term{Start: day("2026-01-01"), End: day("2028-12-31"), NoticeMonths: 3},
		Financial: agreement.Financial{Mode: agreement.ActualCostByKey, Summary: "Coût réel à parts égales, imputé sur l'attribution de compensation."},
		ServiceCommun: agreement.ServiceCommunTerms{Tasks: "Instruction des autorisations d'urbanisme", ImpactStatement: "fiche-impact-ads.pdf",
			ChargeAgainstAC: true},
	}
	r := signAsAdmin(t, f, clk, agreement.Input{Kind: agreement.ServiceCommun, Content: c, Parties: []agreement.PartyInput{
		{OrgID: agglo, Role: agreement.RoleManager}, {OrgID: rodez, Role: agreement.RoleMember}, {OrgID: onet, Role: agreement.RoleMember}}})
	if _, err := led.SetTerms(ctx, admin, r.ID, 0, ledger.Terms{Object: "Service commun ADS", Settlement: ledger.SettleAgainstAC,
		Key: &money.Key{Kind: money.KeyEqual, Label: "parts égales"}}); err != nil {
		t.Fatalf("terms: %v", err)
	}
	clk.Set(day("2027-01-20"))
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

// signAsAdmin has the platform admin conclude convention in on clock clk:
// drafted in October 2025, every approval it needs recorded, every
// party's signature.
func signAsAdmin(t testing.TB, f *Fixture, clk *agreementtest.Clock, in agreement.Input) agreement.Record {
	t.Helper()
	day := civil.MustParse
	return f.conclude(t, clk, f.Actor(t, Admin), in, day("2025-10-01"),
		agreementtest.Acts{Date: day("2025-10-15"), Transmitted: day("2025-10-17"), Recorded: day("2025-10-20")}, day("2025-11-03"))
}

// AddGymUnitPrice signs a convention of shared use of Rodez's gym by
// Onet-le-Château (L1311-15, unit price) for 2026, without financial
// terms yet.
func (w *LedgerWorld) AddGymUnitPrice(t testing.TB) agreement.Record {
	t.Helper()
	day := civil.MustParse
	c := agreement.Content{
		Title:     "Utilisation du gymnase Paul-Ramadier par Onet-le-Château",
		Term:      agreement.Term{Start: day("2026-01-01"), End: day("2026-12-31"), NoticeMonths: 3},
		Financial: agreement.Financial{Mode: agreement.UnitPrice, Summary: "Participation horaire aux frais de fonctionnement.", PeriodMonths: 12},
		Equipment: agreement.EquipmentTerms{Equipment: "Gymnase Paul-Ramadier", FirstUse: day("2025-12-01")},
	}
	return signAsAdmin(t, w.F, &agreementtest.Clock{}, agreement.Input{Kind: agreement.EquipementPartage, Content: c,
		Parties: []agreement.PartyInput{{OrgID: w.F.Orgs[Rodez].ID, Role: agreement.RoleOwner}, {OrgID: w.F.Orgs[Onet].ID, Role: agreement.RoleUser}}})
}
