package servertest

import (
	"context"
	"testing"

	"voisines/internal/agreement"
	"voisines/internal/agreement/agreementtest"
	"voisines/internal/civil"
	"voisines/internal/ledger"
	"voisines/internal/money"
	"voisines/internal/service"
	"voisines/internal/store"
)

// More communes of the CA Rodez Agglomération, members of the
// ServiceWorld's service commun.
const (
	Olemps  = "12174"
	Druelle = "12090"
	Luc     = "12133"
)

// ServiceOutsider is a clerk of Conques-en-Rouergue, a commune of another
// EPCI that is party to none of the ServiceWorld's conventions; only
// NewServiceWorld creates the account.
const ServiceOutsider = "outsider-conques"

// ServiceWorld is the servertest fixture with domain.md §10 example 6's
// service commun: the CA Rodez Agglomération (manager; account
// AdminAgglo) instructs planning permits for Rodez, Onet-le-Château,
// Olemps, Druelle Balsac and Luc-la-Primaube, under a convention signed on
// 1 December 2025 for 2026–2028, billed by unit price. Its service is
// recorded — acts weighted PC 1, PA 1.2, DP 0.7, CUb 0.4, the unit cost
// rounded to the cent first — and nothing else: years, usage and
// statements are the tests'.
type ServiceWorld struct {
	F         *Fixture
	Agglo     int64
	Communes  map[string]int64 // the members' organisation ids, by INSEE code
	Agreement agreement.Record
	Service   service.Service
}

// ServiceADSUsage is example 6's acts of 2026 as a usage file: A = Rodez,
// B = Onet, C = Olemps (named by SIREN), D = Druelle, E = Luc.
const ServiceADSUsage = `date;beneficiaire;type;quantite;reference
2026-05-12;12202;PC;40;ADS-A-PC
2026-05-12;12202;PA;2;ADS-A-PA
2026-05-12;12202;DP;85;ADS-A-DP
2026-05-12;12202;CUb;30;ADS-A-CUb
2026-05-12;12176;PC;22;ADS-B-PC
2026-05-12;12176;DP;51;ADS-B-DP
2026-05-12;12176;CUb;18;ADS-B-CUb
12/05/2026;211201744;PC;9;ADS-C-PC
12/05/2026;211201744;PA;1;ADS-C-PA
12/05/2026;211201744;DP;20;ADS-C-DP
12/05/2026;211201744;CUb;11;ADS-C-CUb
2026-05-12;12090;PC;15;ADS-D-PC
2026-05-12;12090;DP;33;ADS-D-DP
2026-05-12;12090;CUb;9;ADS-D-CUb
2026-05-12;12133;PC;6;ADS-E-PC
2026-05-12;12133;DP;12;ADS-E-DP
2026-05-12;12133;CUb;5;ADS-E-CUb
`

// NewServiceWorld builds the ServiceWorld over db, with its own server.
func NewServiceWorld(t testing.TB, db *store.DB) *ServiceWorld {
	t.Helper()
	ctx := context.Background()
	f := New(t, db, Options{})
	clk := &agreementtest.Clock{}
	agr := f.Deps.Agreements.WithClock(clk.Now)
	services := service.New(db, agr, ledger.New(db, agr).WithClock(clk.Now)).WithClock(clk.Now)
	f.AddClerk(t, ServiceOutsider, Conques)
	agglo := f.Actor(t, AdminAgglo)
	w := &ServiceWorld{F: f, Agglo: f.Orgs[AggloRdz].ID, Communes: map[string]int64{}}
	parties := []agreement.PartyInput{{OrgID: w.Agglo, Role: agreement.RoleManager}}
	for _, code := range []string{Rodez, Onet, Olemps, Druelle, Luc} {
		o, err := f.Deps.Orgs.ByCommune(ctx, code)
		if err != nil {
			t.Fatalf("organisation of commune %s: %v", code, err)
		}
		w.Communes[code] = o.ID
		parties = append(parties, agreement.PartyInput{OrgID: o.ID, Role: agreement.RoleMember})
	}

	day := civil.MustParse
	c := agreement.Content{
		Title:         "Service commun d'instruction du droit des sols",
		Term:          agreement.Term{Start: day("2026-01-01"), End: day("2028-12-31"), NoticeMonths: 6},
		Financial:     agreement.Financial{Mode: agreement.UnitPrice, Summary: "Coût unitaire par acte pondéré, état annuel.", PeriodMonths: 12},
		ServiceCommun: agreement.ServiceCommunTerms{Tasks: "instruction des autorisations du droit des sols", ImpactStatement: "fiche-impact-ads.pdf"},
	}
	in := agreement.Input{Kind: agreement.ServiceCommun, Content: c, Parties: parties}
	r := f.conclude(t, clk, agglo, in, day("2025-10-01"), agreementtest.Acts{Date: day("2025-11-03"), Transmitted: day("2025-11-03")}, day("2025-12-01"))
	w.Agreement = r
	weight := func(s string) money.Rat {
		q, err := money.ParseRat(s)
		if err != nil {
			t.Fatal(err)
		}
		return q
	}
	var err error
	if w.Service, err = services.Create(ctx, agglo, r.ID, service.Details{Name: "Instruction du droit des sols", Unit: service.Act,
		Weights: []service.ActWeight{
			{Type: "PC", Label: "Permis de construire", Weight: weight("1")},
			{Type: "PA", Label: "Permis d'aménager", Weight: weight("1,2")},
			{Type: "DP", Label: "Déclaration préalable", Weight: weight("0,7")},
			{Type: "CUb", Label: "Certificat d'urbanisme opérationnel", Weight: weight("0,4")},
		},
		RoundUnitCostFirst: true}); err != nil {
		t.Fatalf("service: %v", err)
	}
	return w
}
