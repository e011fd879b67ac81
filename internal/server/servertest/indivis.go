package servertest

import (
	"context"
	"testing"

	"voisines/internal/agreement"
	"voisines/internal/agreement/agreementtest"
	"voisines/internal/civil"
	"voisines/internal/equipment"
	"voisines/internal/ledger"
	"voisines/internal/money"
	"voisines/internal/org"
	"voisines/internal/store"
)

// IndivisWorld is the servertest fixture of domain.md §10 example 5: a
// forest held undivided by Rodez (3/7), Onet-le-Château (2/7) and Conques
// (2/7), managed by a commission syndicale, under a biens indivis
// convention signed for 2025–2034 whose financial terms split the actual
// receipts and expenses by the shares; the property is recorded with its
// 2025 accounts (receipts 87 517,00 €, expenses 31 905,40 €). The platform
// admin (Admin) manages the commission; the communes' clerks read it.
type IndivisWorld struct {
	F          *Fixture
	Commission org.Organisation
	Agreement  agreement.Record
	Property   equipment.Property
}

// NewIndivisWorld builds the IndivisWorld over db, with its own server.
func NewIndivisWorld(t testing.TB, db *store.DB) *IndivisWorld {
	t.Helper()
	ctx := context.Background()
	f := New(t, db, Options{})
	clk := &agreementtest.Clock{}
	agr := f.Deps.Agreements.WithClock(clk.Now)
	led := ledger.New(db, agr).WithClock(clk.Now)
	admin := f.Actor(t, Admin)
	w := &IndivisWorld{F: f}
	var err error
	if w.Commission, err = f.Deps.Orgs.Create(ctx, admin, org.NewOrganisation{Kind: org.CommissionSyndicale,
		Name: "Commission syndicale de la forêt des Palanges", DepartementCode: "12"}); err != nil {
		t.Fatalf("commission: %v", err)
	}
	rodez, onet, conques := f.Orgs[Rodez].ID, f.Orgs[Onet].ID, f.Orgs[Conques].ID
	day := civil.MustParse
	c := agreement.Content{
		Title:     "Gestion de la forêt indivise des Palanges",
		Term:      agreement.Term{Start: day("2025-01-01"), End: day("2034-12-31"), NoticeMonths: 3},
		Financial: agreement.Financial{Mode: agreement.ActualCostByKey, Summary: "Répartition de l'excédent ou du déficit annuel selon les quotes-parts.", PeriodMonths: 12},
		Indivision: agreement.IndivisionTerms{Property: "forêt indivise des Palanges", Shares: []agreement.Share{
			{OrgID: rodez, Share: agreement.Fraction{Num: 3, Den: 7}},
			{OrgID: onet, Share: agreement.Fraction{Num: 2, Den: 7}},
			{OrgID: conques, Share: agreement.Fraction{Num: 2, Den: 7}}}},
	}
	in := agreement.Input{Kind: agreement.BiensIndivis, Content: c, Parties: []agreement.PartyInput{
		{OrgID: rodez, Role: agreement.RoleCoOwner}, {OrgID: onet, Role: agreement.RoleCoOwner},
		{OrgID: conques, Role: agreement.RoleCoOwner}, {OrgID: w.Commission.ID, Role: agreement.RoleManager}}}
	r := f.conclude(t, clk, admin, in, day("2024-10-01"),
		agreementtest.Acts{Date: day("2024-10-15"), Transmitted: day("2024-10-17")}, day("2024-11-01"))
	w.Agreement = r
	if _, err := led.SetTerms(ctx, admin, r.ID, 0, ledger.Terms{Object: "Répartition de l'excédent de la forêt indivise"}); err != nil {
		t.Fatalf("terms: %v", err)
	}
	eq := equipment.New(db)
	share := func(num, den int64) equipment.Share { return equipment.Share{Share: money.NewRat(num, den)} }
	shares := []equipment.Share{share(3, 7), share(2, 7), share(2, 7)}
	shares[0].OrgID, shares[0].Title = rodez, "partage de 1862"
	shares[1].OrgID, shares[2].OrgID = onet, conques
	if w.Property, err = eq.CreateProperty(ctx, admin, w.Commission.ID, equipment.NewProperty{Name: "Forêt des Palanges",
		Description: "Futaie de hêtres et de sapins", AgreementID: r.ID, Shares: shares}); err != nil {
		t.Fatalf("property: %v", err)
	}
	if err := eq.RecordAccounts(ctx, admin, w.Property.ID, equipment.Accounts{Year: 2025, Receipts: 87_517_00, Expenses: 31_905_40,
		Note: "Ventes de bois et bail de chasse ; travaux, garderie, assurances"}); err != nil {
		t.Fatalf("accounts: %v", err)
	}
	return w
}
