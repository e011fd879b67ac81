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
	clk := &ledgerClock{}
	agr := f.Deps.Agreements.WithClock(clk.now)
	services := service.New(db, agr, ledger.New(db, agr).WithClock(clk.now)).WithClock(clk.now)
	actorOf := func(name string) auth.Actor {
		u, err := f.Deps.Auth.User(ctx, f.Users[name].ID)
		if err != nil {
			t.Fatal(err)
		}
		return auth.Actor{User: &u}
	}
	conques, err := f.Deps.Auth.CreateUser(ctx, auth.SystemActor("test"), auth.NewUser{Email: Email(ServiceOutsider), Name: "Compte " + ServiceOutsider,
		Password: Password, Grants: []auth.Grant{{OrgID: f.Orgs[Conques].ID, Role: auth.RoleClerk}}})
	if err != nil {
		t.Fatalf("create account %s: %v", ServiceOutsider, err)
	}
	f.Users[ServiceOutsider] = conques
	admin, agglo := actorOf(Admin), actorOf(AdminAgglo)
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
	for _, cs := range agreement.RequiredClauses(agreement.New(agreement.ServiceCommun, c)) {
		in.Content.Clauses = append(in.Content.Clauses, agreement.Clause{ID: cs.ID, Text: "Texte de l'article « " + cs.Title + " »."})
	}
	clk.set(day("2025-10-01"))
	r, err := agr.Create(ctx, agglo, in)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if r, err = agr.Submit(ctx, agglo, r.ID, r.Version); err != nil {
		t.Fatalf("submit: %v", err)
	}
	clk.set(day("2025-11-03"))
	for i, n := range agreement.RequiredApprovals(r.Agreement) {
		ap := agreement.Approval{OrgID: n.OrgID, Kind: n.Kind, Date: day("2025-11-03"), Number: fmt.Sprintf("2025-%03d", i+1),
			TransmittedOn: day("2025-11-03")}
		if r, err = agr.RecordApproval(ctx, admin, r.ID, r.Version, ap); err != nil {
			t.Fatalf("approval %s: %v", n.Kind, err)
		}
	}
	clk.set(day("2025-12-01"))
	for _, p := range r.Agreement.Parties {
		if r, err = agr.Sign(ctx, admin, r.ID, r.Version, agreement.Signature{OrgID: p.OrgID, Date: day("2025-12-01")}); err != nil {
			t.Fatalf("sign: %v", err)
		}
	}
	w.Agreement = r
	weight := func(s string) money.Rat {
		q, err := money.ParseRat(s)
		if err != nil {
			t.Fatal(err)
		}
		return q
	}
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
