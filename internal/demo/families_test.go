package demo_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"voisines/internal/agreement"
	"voisines/internal/civil"
	"voisines/internal/demo"
	"voisines/internal/ledger"
	"voisines/internal/money"
	"voisines/internal/purchasing"
	"voisines/internal/service"
	"voisines/internal/staff"
	"voisines/internal/store"
	"voisines/internal/usage"
)

// The demo communes of the families, by INSEE code.
const (
	codeConques      = "12218"
	codeMarcillac    = "12138"
	codeNauviale     = "12171"
	codeSalles       = "12254"
	codeValady       = "12288"
	codeStChristophe = "12215"
	codeMouret       = "12161"
	codePruines      = "12193"
)

// testFamilies checks the staff secondments, the service commun and the
// purchasing group of the demo Setup made over db, with the amounts of
// domain.md §10 examples 2, 6 and 3.
func testFamilies(ctx context.Context, t *testing.T, db *store.DB, svc demo.Services, w *world) {
	staffs := svc.NewStaff(svc.Agreements, svc.Ledger)
	shared := svc.NewServices(svc.Agreements, svc.Ledger)
	purchases := svc.NewPurchasing(svc.Agreements, svc.Ledger)
	d := civil.MustParse

	t.Run("the conventions of the families were approved by the acts their kind requires and are in force", func(t *testing.T) {
		for _, c := range []struct {
			title   string
			kind    agreement.Kind
			parties int
			acts    map[agreement.ApprovalKind]int
		}{
			{demo.TitleSecondment, agreement.MADPersonnel, 2,
				map[agreement.ApprovalKind]int{agreement.AgentConsent: 1, agreement.CouncilInformation: 1, agreement.Arrete: 1}},
			{demo.TitleSecretariat, agreement.MADPersonnel, 2,
				map[agreement.ApprovalKind]int{agreement.AgentConsent: 1, agreement.CouncilInformation: 1, agreement.Arrete: 1}},
			{demo.TitleADS, agreement.ServiceCommun, 6, map[agreement.ApprovalKind]int{agreement.Deliberation: 6, agreement.CSTOpinion: 6}},
			{demo.TitleGroup, agreement.GroupementCommandes, 3, map[agreement.ApprovalKind]int{agreement.Deliberation: 3}},
		} {
			r := w.convention(c.title)
			a := r.Agreement
			if a.Kind != c.kind || a.Status != agreement.InForce || len(a.Parties) != c.parties || len(a.Signatures) != c.parties {
				t.Errorf("%s: got %s, %s, %d parties, %d signatures; want %s in force, signed by its %d parties",
					c.title, a.Kind, a.Status, len(a.Parties), len(a.Signatures), c.kind, c.parties)
			}
			if len(r.Violations) != 0 {
				t.Errorf("%s breaks rules: %+v", c.title, r.Violations)
			}
			got := map[agreement.ApprovalKind]int{}
			for _, ap := range a.Approvals {
				got[ap.Kind]++
				if ap.Date.After(a.SignedOn()) {
					t.Errorf("%s: %s of %s dated after the signature (%s)", c.title, ap.Kind, ap.Date, a.SignedOn())
				}
			}
			for k, n := range c.acts {
				if got[k] != n {
					t.Errorf("%s: got %d acts %s, want %d", c.title, got[k], k, n)
				}
			}
		}
	})

	t.Run("Marcillac-Vallon's agent works 30 % for Mouret; May to October is drafted at 1,083.75 a month", func(t *testing.T) {
		lines, err := staffs.Agents(ctx, system, w.org(codeMarcillac))
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(lines, func(l staff.AgentLine) bool { return l.Agent.FamilyName == "Bessière" })
		if i < 0 || len(lines[i].Secondments) != 1 {
			t.Fatalf("got agents %+v, want Julien Bessière seconded once", lines)
		}
		ag, sec := lines[i].Agent, lines[i].Secondments[0]
		// domain.md §10 example 2: 30,000.00 + 13,350.00.
		cost, err := staffs.Cost(ctx, system, ag.ID, 2026)
		if err != nil || cost.Total() != 43_350_00 {
			t.Fatalf("got cost %s, %v; want 43,350.00", cost.Total(), err)
		}
		if sec.HostOrgID != w.org(codeMouret) || sec.Quotite.String() != "30/100" || sec.Start != d("2026-05-01") || sec.End != d("2026-12-31") ||
			sec.Billing != staff.ProRata || sec.AgreementID != w.convention(demo.TitleSecondment).ID {
			t.Fatalf("got secondment %+v", sec)
		}
		f, err := staffs.Secondment(ctx, system, sec.ID)
		if err != nil {
			t.Fatal(err)
		}
		if f.Consent == nil || f.Consent.Date != d("2026-03-02") || f.ConventionArrete == nil || f.ConventionArrete.Reference != "A-2026-027" {
			t.Errorf("got consent %+v and arrêté %+v, want the convention's of 2 March and A-2026-027", f.Consent, f.ConventionArrete)
		}
		if len(f.Reimbursements) != 1 {
			t.Fatalf("got reimbursements %+v, want one", f.Reimbursements)
		}
		rb := f.Reimbursements[0]
		// 43,350.00 × 30 % / 12 = 1,083.75 a month, × 6 = 6,502.50.
		if rb.From != d("2026-05-01") || rb.To != d("2026-10-31") || rb.StatementStatus != ledger.Draft || rb.Amount != 6_502_50 {
			t.Fatalf("got reimbursement %+v, want a draft of 6,502.50 for May to October", rb)
		}
		st, err := svc.Ledger.Statement(ctx, system, rb.StatementID)
		if err != nil {
			t.Fatal(err)
		}
		rep := st.Result.Repayment
		if rep == nil || rep.Monthly.Cmp(money.Cents(1_083_75).Rat()) != 0 || rep.Rule.Months.Cmp(money.IntRat(6)) != 0 ||
			len(st.Result.Lines) != 1 || st.Result.Lines[0].OrgID != w.org(codeMouret) || st.Result.Total != 6_502_50 {
			t.Fatalf("got repayment %+v, lines %+v; want Mouret owing 6 × 1,083.75", rep, st.Result.Lines)
		}
	})

	t.Run("Conques-en-Rouergue's secrétaire de mairie works for Pruines in real time, seven Tuesdays recorded", func(t *testing.T) {
		lines, err := staffs.Agents(ctx, system, w.org(codePruines))
		if err != nil || len(lines) != 1 || len(lines[0].Secondments) != 1 {
			t.Fatalf("got %+v, %v; want the agent seconded to Pruines", lines, err)
		}
		sec := lines[0].Secondments[0]
		if sec.EmployerOrgID != w.org(codeConques) || sec.Billing != staff.RealTime || sec.AnnualHours != staff.DefaultAnnualHours {
			t.Fatalf("got %+v", sec)
		}
		// Real time is repaid at a unit price: the convention says so.
		if mode := w.convention(demo.TitleSecretariat).Agreement.Financial.Mode; mode != agreement.UnitPrice {
			t.Fatalf("got the convention's financial mode %s, want %s (hours × hourly cost)", mode, agreement.UnitPrice)
		}
		ts, err := staffs.TimeRecords(ctx, system, sec.ID, civil.Date{}, civil.Date{})
		if err != nil {
			t.Fatal(err)
		}
		var minutes int64
		for _, tr := range ts {
			minutes += tr.Minutes
			if tr.Date.Weekday() != time.Tuesday || tr.EnteredByOrgID != w.org(codePruines) {
				t.Errorf("time record %+v: not a Tuesday entered by Pruines", tr)
			}
		}
		totals, err := usage.Sum(ctx, db.Reader(), usage.Filter{AgreementID: sec.AgreementID})
		if err != nil {
			t.Fatal(err)
		}
		// 420 + 450 + 390 + 420 + 420 + 450 + 360 minutes = 48 h 30.
		if len(ts) != 7 || minutes != 2910 || len(totals) != 1 || totals[0].Milli != 2910_000 || totals[0].Unit != staff.UsageUnit {
			t.Fatalf("got %d records of %d minutes, usage %+v; want 7 of 2,910 minutes", len(ts), minutes, totals)
		}
	})

	t.Run("the service commun ADS bills the first half of 2026 at 361.58 € the weighted act, example 6's amounts", func(t *testing.T) {
		r := w.convention(demo.TitleADS)
		s, err := shared.ByAgreement(ctx, system, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if s.Provider.OrgID != w.cc() || len(s.Beneficiaries) != 5 || s.Unit != service.Act || len(s.Weights) != 4 || !s.RoundUnitCostFirst {
			t.Fatalf("got %+v", s)
		}
		y, err := shared.Year(ctx, system, s.ID, 2026)
		if err != nil {
			t.Fatal(err)
		}
		// (179,500.00 eligible + 12,500.00 update) / 531 = 361.5819… → 361.58.
		uc := y.UnitCost
		if uc.Eligible != 179_500_00 || uc.Excluded != 7_400_00 || uc.Updated != 192_000_00 ||
			y.Applied.Cmp(money.NewRat(36158, 100)) != 0 || uc.PerUnit.Cmp(money.NewRat(192_000, 531)) != 0 {
			t.Fatalf("got unit cost %+v applied %s", uc, y.Applied)
		}
		if !y.Notification.Notified || len(y.Notification.Notices) != 1 || y.Notification.Notices[0].Date != d("2026-03-12") ||
			len(y.Notification.Notices[0].Recipients) != 5 {
			t.Fatalf("got notification %+v, want notified to the five communes on 12 March 2026", y.Notification)
		}
		u, err := shared.Usage(ctx, system, s.ID, service.UsageFilter{From: d("2026-01-01"), To: d("2026-06-30")})
		if err != nil {
			t.Fatal(err)
		}
		weighted := map[string]money.Rat{codeSalles: money.NewRat(1139, 10), codeMarcillac: money.NewRat(649, 10),
			codeStChristophe: money.NewRat(286, 10), codeValady: money.NewRat(417, 10), codeNauviale: money.NewRat(164, 10)}
		if len(u.Totals) != 5 {
			t.Fatalf("got usage totals %+v", u.Totals)
		}
		for code, want := range weighted {
			i := slices.IndexFunc(u.Totals, func(tot service.UsageTotal) bool { return tot.BeneficiaryID == w.org(code) })
			if i < 0 || u.Totals[i].Weighted.Cmp(want) != 0 {
				t.Errorf("commune %s: got %+v, want %s weighted acts", code, u.Totals, want)
			}
		}
		sts, err := shared.Statements(ctx, system, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(sts) != 1 || !sts[0].Current() || sts[0].Inputs.From != d("2026-01-01") || sts[0].Inputs.To != d("2026-06-30") ||
			civil.In(sts[0].IssuedAt, civil.Paris) != d("2026-07-08") {
			t.Fatalf("got statements %+v, want the first half of 2026 issued on 8 July 2026", sts)
		}
		// domain.md §10 example 6 (a): the lines fall 0.51 short of 96,000.00.
		want := map[string]money.Cents{codeSalles: 41_183_96, codeMarcillac: 23_466_54, codeStChristophe: 10_341_19,
			codeValady: 15_077_89, codeNauviale: 5_929_91}
		checkLines(t, w, sts[0], want, "")
		if sts[0].Result.Total != 95_999_49 {
			t.Errorf("got total %s, want 95,999.49", sts[0].Result.Total)
		}
		flows, err := svc.Ledger.Flows(ctx, system, sts[0].ID)
		if err != nil || len(flows) != 5 {
			t.Fatalf("got %d flows, %v; want one titre per commune", len(flows), err)
		}
	})

	t.Run("the purchasing group is formalised, awarded with 30,000.00 saved, and its 1,850.00 of costs drafted as example 3", func(t *testing.T) {
		r := w.convention(demo.TitleGroup)
		g, err := purchases.ByAgreement(ctx, system, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if g.Coordinator.OrgID != w.org(codeSalles) || len(g.Members) != 3 || len(g.Lots) != 1 || g.Lots[0].CPV != "39830000-9" ||
			!g.Lots[0].Framework || g.Lots[0].DurationMonths != 48 {
			t.Fatalf("got %+v", g)
		}
		for code, want := range map[string]money.Cents{codeSalles: 86_000_00, codeValady: 59_200_00, codeMarcillac: 79_600_00} {
			if n, ok := g.Need(g.Lots[0].ID, w.org(code)); !ok || n.Amount != want || n.Years != 4 {
				t.Errorf("commune %s: got need %+v, want %s over 4 years", code, n, want)
			}
		}
		p := g.Procedure
		if g.Status != purchasing.Launched || g.LaunchDate != d("2026-05-18") || p == nil || p.Value != 224_800_00 ||
			p.Kind != purchasing.ProcFormalised || !p.CAO.Required {
			t.Fatalf("got %s on %s, procedure %+v; want a formalised procedure of 224,800.00 launched on 18 May 2026", g.Status, g.LaunchDate, p)
		}
		for _, a := range p.Alone {
			if a.Decision.Kind == purchasing.ProcFormalised {
				t.Errorf("%s alone: got a formalised procedure, want less", a.Name)
			}
		}
		sv, err := purchases.Savings(ctx, system, g.ID)
		if err != nil {
			t.Fatal(err)
		}
		if sv.Total == nil || sv.Total.Previous != 239_000_00 || sv.Total.Awarded != 209_000_00 || sv.Total.Saving != 30_000_00 {
			t.Fatalf("got savings %+v", sv.Total)
		}
		sts, err := purchases.CostStatements(ctx, system, g.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(sts) != 1 || sts[0].Status != ledger.Draft || sts[0].Result.Total != 1_850_00 {
			t.Fatalf("got statements %+v, want a draft of 1,850.00", sts)
		}
		// 185,000 cents × 86,000 / 224,800 = 70,774.02, × 59,200 / 224,800
		// = 48,718.86 (+1, the largest fraction), × 79,600 / 224,800 =
		// 65,507.12.
		checkLines(t, w, sts[0], map[string]money.Cents{codeSalles: 707_74, codeValady: 487_19, codeMarcillac: 655_07}, codeSalles)
	})
}

// checkLines checks a statement's lines by INSEE code, own the creditor's.
func checkLines(t *testing.T, w *world, st ledger.Statement, want map[string]money.Cents, own string) {
	t.Helper()
	got := map[int64]ledger.Line{}
	for _, l := range st.Result.Lines {
		got[l.OrgID] = l
	}
	for code, amount := range want {
		if l, ok := got[w.org(code)]; !ok || l.Amount != amount || l.Own != (code == own) {
			t.Errorf("commune %s: got %+v, want %s (own share: %v)", code, l, amount, code == own)
		}
	}
	if len(got) != len(want) {
		t.Errorf("got %d lines, want %d", len(got), len(want))
	}
}

// cc returns the organisation of the CC Conques-Marcillac.
func (w *world) cc() int64 {
	w.t.Helper()
	o, err := w.svc.Orgs.BySIREN(w.ctx, demo.DefaultEPCI)
	if err != nil {
		w.t.Fatal(err)
	}
	return o.ID
}
