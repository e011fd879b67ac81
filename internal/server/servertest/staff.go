package servertest

import (
	"net/http/httptest"
	"testing"

	"voisines/internal/agreement"
	"voisines/internal/agreement/agreementtest"
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
	clock     *agreementtest.Clock
}

// SetDate moves the world's clock to ten in the morning of d in Paris.
func (w *StaffWorld) SetDate(d civil.Date) { w.clock.Set(d) }

// Actor returns the fixture account name as an actor, for domain calls.
func (w *StaffWorld) Actor(t testing.TB, name string) auth.Actor {
	t.Helper()
	return w.F.Actor(t, name)
}

// NewStaffWorld builds the StaffWorld over db, with its own server. Its
// convention repays pro rata of the quotité or, given staff.RealTime, the
// hours worked at a unit price (hours × hourly cost).
func NewStaffWorld(t testing.TB, db *store.DB, billing ...staff.Billing) *StaffWorld {
	t.Helper()
	f := New(t, db, Options{})
	f.AddClerk(t, HostClerk, Conques)
	clk := &agreementtest.Clock{}
	agr := f.Deps.Agreements.WithClock(clk.Now)
	led := ledger.New(db, agr).WithClock(clk.Now)
	w := &StaffWorld{F: f, Rodez: f.Orgs[Rodez].ID, Conques: f.Orgs[Conques].ID, Onet: f.Orgs[Onet].ID,
		Staff: staff.New(db, agr, led).WithClock(clk.Now), Ledger: led, clock: clk}

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
		{OrgID: w.Rodez, Role: agreement.RoleHomeEmployer}, {OrgID: w.Conques, Role: agreement.RoleHost}}}
	w.Agreement = f.conclude(t, clk, w.Actor(t, ClerkRodez), in, day("2026-02-02"),
		agreementtest.Acts{Date: day("2026-02-16"), Transmitted: day("2026-02-18"), Recorded: day("2026-02-20")}, day("2026-03-02"))
	clk.Set(day("2026-04-20"))

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
