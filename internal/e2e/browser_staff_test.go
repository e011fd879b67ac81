package e2e

import (
	"context"
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"

	"voisines/internal/civil"
	"voisines/internal/server/servertest"
	"voisines/internal/staff"
	"voisines/internal/store/storetest"
)

// TestBrowserStaffPages opens the staff pages of Rodez's clerk — the list,
// the new agent's form (empty, then sent with errors), an agent and a
// secondment billed in real time with its time and reimbursement — in
// headless Chromium, and fails on any serious or critical axe-core
// violation.
func TestBrowserStaffPages(t *testing.T) {
	w := servertest.NewStaffWorld(t, storetest.SQLite(t), staff.RealTime)
	clerk := w.Actor(t, servertest.ClerkRodez)
	bg := context.Background()
	ag, err := w.Staff.CreateAgent(bg, clerk, staff.AgentInput{EmployerOrgID: w.Rodez, FamilyName: "Dupont", GivenName: "Jeanne",
		Grade: "adjoint technique principal", Status: staff.Titulaire})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Staff.SetCost(bg, clerk, ag.ID, 2026, 0, staff.CostInput{GrossPay: 3_000_000, EmployerContributions: 1_335_000, Source: "DSN"}); err != nil {
		t.Fatal(err)
	}
	sec, err := w.Staff.CreateSecondment(bg, clerk, staff.SecondmentInput{AgreementID: w.Agreement.ID, AgentID: ag.ID,
		Activities: "Entretien des espaces verts", Billing: staff.RealTime})
	if err != nil {
		t.Fatal(err)
	}
	w.SetDate(civil.MustParse("2026-06-02"))
	if _, err := w.Staff.RecordTime(bg, clerk, sec.ID, staff.TimeInput{Date: civil.MustParse("2026-05-04"), Minutes: 450, Activity: "Tonte"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.Staff.Reimburse(bg, clerk, sec.ID, staff.Period{From: civil.MustParse("2026-05-01"), To: civil.MustParse("2026-05-31")}); err != nil {
		t.Fatal(err)
	}

	p := newPages(t, w.F.Server.URL)
	ctx, check, visit := p.ctx, p.check, p.visit

	visit(t, "connexion", "/connexion", "Se connecter")
	p.logIn(t, servertest.ClerkRodez)
	visit(t, "personnel", "/personnel", "Personnel mis à disposition")
	visit(t, "agent-nouveau", "/personnel/agents/nouveau", "Enregistrer un agent")
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.error-summary`)),
	)
	if err != nil {
		t.Fatalf("send the empty form: %v", err)
	}
	check(t, "agent-nouveau-erreurs", "Enregistrer un agent")
	visit(t, "agent", fmt.Sprintf("/personnel/agents/%d", ag.ID), "Jeanne Dupont")
	visit(t, "mise-a-disposition", fmt.Sprintf("/personnel/mises-a-disposition/%d", sec.ID), "Mise à disposition de Jeanne Dupont")
}
