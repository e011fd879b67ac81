package servertest

import (
	"context"
	"fmt"
	"net/http/httptest"
	"testing"

	"voisines/internal/agreement"
	"voisines/internal/auth"
	"voisines/internal/civil"
	"voisines/internal/ledger"
	"voisines/internal/server"
	"voisines/internal/staff"
	"voisines/internal/store"
)

// HostClerk is the fixture account of a clerk of Conques-en-Rouergue, the
// host of the StaffWorld, which adds it.
const HostClerk = "rh-conques"

// StaffWorld is the servertest fixture with a signed convention of mise à
// disposition de personnel of Rodez (home employer) to Conques-en-Rouergue
// (host) at 30 % from 1 May to 31 December 2026, carrying the agent's
// consent (domain.md §10 example 2), and a server whose conventions,
// ledger and staff services read the world's clock (20 April 2026 at
// first; SetDate moves it). No agent is recorded yet: tests do it through
// the faces.
type StaffWorld struct {
	F         *Fixture
	Rodez     int64 // the home employer
	Conques   int64 // the host
	Onet      int64 // concerned by nothing
	Agreement agreement.Record
	Staff     *staff.Service
	Ledger    *ledger.Service
	clock     *ledgerClock
}

// SetDate moves the world's clock to ten in the morning of d in Paris.
func (w *StaffWorld) SetDate(d civil.Date) { w.clock.set(d) }

// Actor returns the fixture account name as an actor, for domain calls.
func (w *StaffWorld) Actor(t testing.TB, name string) auth.Actor {
	t.Helper()
	u, err := w.F.Deps.Auth.User(context.Background(), w.F.Users[name].ID)
	if err != nil {
		t.Fatal(err)
	}
	return auth.Actor{User: &u}
}

// NewStaffWorld builds the StaffWorld over db, with its own server. Its
// convention repays pro rata of the quotité or, given staff.RealTime, the
// hours worked at a unit price (hours × hourly cost).
func NewStaffWorld(t testing.TB, db *store.DB, billing ...staff.Billing) *StaffWorld {
	t.Helper()
	ctx := context.Background()
	f := New(t, db, Options{})
	conques := f.Orgs[Conques].ID
	u, err := f.Deps.Auth.CreateUser(ctx, auth.SystemActor("test"), auth.NewUser{Email: Email(HostClerk), Name: "Compte " + HostClerk,
		Password: Password, Grants: []auth.Grant{{OrgID: conques, Role: auth.RoleClerk}}})
	if err != nil {
		t.Fatalf("create account %s: %v", HostClerk, err)
	}
	f.Users[HostClerk] = u
	clk := &ledgerClock{}
	agr := f.Deps.Agreements.WithClock(clk.now)
	led := ledger.New(db, agr).WithClock(clk.now)
	w := &StaffWorld{F: f, Rodez: f.Orgs[Rodez].ID, Conques: conques, Onet: f.Orgs[Onet].ID,
		Staff: staff.New(db, agr, led).WithClock(clk.now), Ledger: led, clock: clk}
	admin, clerk := w.Actor(t, Admin), w.Actor(t, ClerkRodez)

	day := civil.MustParse
	c := agreement.Content{
		Title:     "Mise à disposition d'un agent des services techniques de Rodez",
		Term:      agreement.Term{Start: day("2026-05-01"), End: day("2026-12-31"), NoticeMonths: 2},
		Financial: agreement.Financial{Mode: agreement.SalaryProRata, Summary: "Remboursement de la rémunération et des charges au prorata de la quotité."},
		Secondment: agreement.SecondmentTerms{Agent: "Jeanne Dupont", Grade: "adjoint technique principal", AgentStatus: agreement.Titulaire,
			Quotite: agreement.Fraction{Num: 30, Den: 100}},
	}
	if len(billing) > 0 && billing[0] == staff.RealTime {
		c.Financial = agreement.Financial{Mode: agreement.UnitPrice, Summary: "Remboursement au temps réel : heures travaillées × coût horaire."}
	}
	in := agreement.Input{Kind: agreement.MADPersonnel, Content: c, Parties: []agreement.PartyInput{
		{OrgID: w.Rodez, Role: agreement.RoleHomeEmployer}, {OrgID: conques, Role: agreement.RoleHost}}}
	for _, cs := range agreement.RequiredClauses(agreement.New(agreement.MADPersonnel, c)) {
		in.Content.Clauses = append(in.Content.Clauses, agreement.Clause{ID: cs.ID, Text: "Texte de l'article « " + cs.Title + " »."})
	}
	clk.set(day("2026-02-02"))
	r, err := agr.Create(ctx, clerk, in)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if r, err = agr.Submit(ctx, clerk, r.ID, r.Version); err != nil {
		t.Fatalf("submit: %v", err)
	}
	clk.set(day("2026-02-20"))
	for i, n := range agreement.RequiredApprovals(r.Agreement) {
		ap := agreement.Approval{OrgID: n.OrgID, Kind: n.Kind, Date: day("2026-02-16"), Number: fmt.Sprintf("2026-%03d", i+1),
			TransmittedOn: day("2026-02-18")}
		if r, err = agr.RecordApproval(ctx, admin, r.ID, r.Version, ap); err != nil {
			t.Fatalf("approval %s: %v", n.Kind, err)
		}
	}
	clk.set(day("2026-03-02"))
	for _, p := range r.Agreement.Parties {
		if r, err = agr.Sign(ctx, admin, r.ID, r.Version, agreement.Signature{OrgID: p.OrgID, Date: day("2026-03-02")}); err != nil {
			t.Fatalf("sign: %v", err)
		}
	}
	w.Agreement = r
	clk.set(day("2026-04-20"))

	// Serve the world's services, on its clock.
	f.Deps.Agreements, f.Deps.Ledger, f.Deps.Staff = agr, led, w.Staff
	h, err := server.New(f.Deps)
	if err != nil {
		t.Fatalf("server.New: %v", err)
	}
	f.Server.Close()
	f.Server = httptest.NewServer(h)
	t.Cleanup(f.Server.Close)
	return w
}
