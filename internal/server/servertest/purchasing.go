package servertest

import (
	"testing"

	"voisines/internal/agreement"
	"voisines/internal/agreement/agreementtest"
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
	f := New(t, db, Options{})
	w := &PurchasingWorld{F: f, Rodez: f.Orgs[Rodez].ID, Onet: f.Orgs[Onet].ID, Conques: f.Orgs[Conques].ID}
	f.AddClerk(t, BuyerConques, Conques)
	day := civil.MustParse
	c := agreement.Content{
		Title:           "Groupement de commandes — produits d'entretien et papier",
		Term:            agreement.Term{Start: day("2026-06-01"), End: day("2030-12-31"), NoticeMonths: 3},
		Financial:       agreement.Financial{Mode: agreement.ActualCostByKey, Summary: "Frais de procédure répartis au prorata des besoins de chaque membre."},
		PurchasingGroup: agreement.PurchasingGroupTerms{Needs: "Produits d'entretien et papier, accord-cadre de quatre ans"},
	}
	w.Agreement = f.conclude(t, &agreementtest.Clock{}, f.Actor(t, Admin), agreement.Input{Kind: agreement.GroupementCommandes, Content: c,
		Parties: []agreement.PartyInput{
			{OrgID: w.Rodez, Role: agreement.RoleCoordinator}, {OrgID: w.Onet, Role: agreement.RoleMember}, {OrgID: w.Conques, Role: agreement.RoleMember}}},
		day("2026-04-01"), agreementtest.Acts{Date: day("2026-05-20"), Transmitted: day("2026-05-22"), Recorded: day("2026-05-22"), First: 40}, day("2026-06-01"))
	return w
}
