package staff_test

import (
	"context"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"voisines/internal/agreement"
	"voisines/internal/auth"
	"voisines/internal/civil"
	"voisines/internal/ledger"
	"voisines/internal/money"
	"voisines/internal/staff"
	"voisines/internal/store"
	"voisines/internal/store/storetest"
	"voisines/internal/usage"
	"voisines/internal/validate"
)

// TestExample2StaffSecondmentThroughStaff reproduces domain.md §10 example
// 2 through the staff features: an agent of Rodez costing 30,000.00 +
// 13,350.00 in 2026, seconded at 30 % to Conques-en-Rouergue from 1 May to
// 31 December 2026 under a signed convention carrying the agent's consent;
// the reimbursement is a statement of 8,670.00 owed by Conques to Rodez,
// on accounts 70848 and 6218 once issued. The figures come from
// domain.md, not from this code.
func TestExample2StaffSecondmentThroughStaff(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := setup(t, db)
		r := w.convene(t, convention{home: "rodez", host: "conques", start: d("2026-05-01"), end: d("2026-12-31")})
		w.clock.set(d("2026-04-20"))
		ag := w.agent(t, "rodez", "")
		cost := w.cost2026(t, ag)
		if cost.Total() != eur(t, "43 350,00") {
			t.Fatalf("got annual cost %s, want 43,350.00", cost.Total())
		}
		sec, err := w.staff.CreateSecondment(ctx, w.clerk["rodez"], staff.SecondmentInput{AgreementID: r.ID, AgentID: ag.ID,
			Activities: "Entretien des espaces verts et de la voirie communale", ArreteReference: "A-2026-031", ArreteDate: d("2026-04-15")})
		if err != nil {
			t.Fatalf("create secondment: %v", err)
		}
		t.Run("the secondment takes the convention's host, quotité and dates", func(t *testing.T) {
			if sec.HostOrgID != w.org["conques"] || sec.EmployerOrgID != w.org["rodez"] || sec.Quotite.String() != "30/100" ||
				sec.Start != d("2026-05-01") || sec.End != d("2026-12-31") || sec.Billing != staff.ProRata || sec.AnnualHours != 1607 {
				t.Fatalf("got %+v", sec)
			}
		})
		t.Run("the consent is the convention's accord_agent, not a copy", func(t *testing.T) {
			f, err := w.staff.Secondment(ctx, w.clerk["conques"], sec.ID)
			if err != nil {
				t.Fatal(err)
			}
			if f.Consent == nil || f.Consent.Date != d("2026-02-15") || f.Consent.Reference == "" {
				t.Fatalf("got consent %+v, want the convention's of 15 February 2026", f.Consent)
			}
		})

		w.clock.set(d("2027-01-08"))
		rb, st, err := w.staff.Reimburse(ctx, w.clerk["rodez"], sec.ID, staff.Period{From: d("2026-05-01"), To: d("2026-12-31"), Label: "Mai à décembre 2026"})
		if err != nil {
			t.Fatalf("reimburse: %v", err)
		}
		t.Run("the host repays 43,350.00 × 30 % × 8/12 = 8,670.00", func(t *testing.T) {
			rep := st.Result.Repayment
			if rep == nil || rep.AnnualCost != eur(t, "43 350,00") || rep.Monthly.Cmp(eur(t, "1 083,75").Rat()) != 0 || rep.Rule.Months.Cmp(money.IntRat(8)) != 0 {
				t.Fatalf("got repayment %+v, want annual 43,350.00, monthly 1,083.75, 8 months", rep)
			}
			if len(st.Result.Lines) != 1 || st.Result.Lines[0].OrgID != w.org["conques"] || st.Result.Lines[0].Amount != eur(t, "8 670,00") {
				t.Fatalf("got lines %+v, want Conques owing 8,670.00", st.Result.Lines)
			}
			if st.Status != ledger.Draft || rb.Amount != eur(t, "8 670,00") || rb.StatementID != st.ID || rb.CostYear != 2026 ||
				rb.Quotite.Cmp(money.NewRat(3, 10)) != 0 {
				t.Fatalf("got reimbursement %+v of statement %d (%s)", rb, st.ID, st.Status)
			}
		})
		t.Run("computing again recomputes the same draft", func(t *testing.T) {
			rb2, st2, err := w.staff.Reimburse(ctx, w.clerk["rodez"], sec.ID, staff.Period{From: d("2026-05-01"), To: d("2026-12-31")})
			if err != nil {
				t.Fatal(err)
			}
			if st2.ID != st.ID || rb2.ID != rb.ID || st2.Result.Total != eur(t, "8 670,00") {
				t.Fatalf("got statement %d reimbursement %d, want %d and %d", st2.ID, rb2.ID, st.ID, rb.ID)
			}
		})
		issued, err := w.ledger.Issue(ctx, w.clerk["rodez"], st.ID)
		if err != nil {
			t.Fatalf("issue: %v", err)
		}
		t.Run("issued by the employer, the flow goes from Conques to Rodez on 70848 and 6218", func(t *testing.T) {
			fs, err := w.ledger.Flows(ctx, w.clerk["conques"], issued.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(fs) != 1 || fs[0].Debtor.OrgID != w.org["conques"] || fs[0].Creditor.OrgID != w.org["rodez"] ||
				fs[0].Amount != eur(t, "8 670,00") || fs[0].TitreAccount != "70848" || fs[0].MandatAccount != "6218" {
				t.Fatalf("got flows %+v", fs)
			}
		})
		t.Run("the secondment lists its reimbursement as issued", func(t *testing.T) {
			f, err := w.staff.Secondment(ctx, w.clerk["rodez"], sec.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(f.Reimbursements) != 1 || f.Reimbursements[0].StatementStatus != ledger.Issued || f.Reimbursements[0].Amount != eur(t, "8 670,00") {
				t.Fatalf("got %+v", f.Reimbursements)
			}
		})
		t.Run("a second statement over an issued period is refused", func(t *testing.T) {
			_, _, err := w.staff.Reimburse(ctx, w.clerk["rodez"], sec.ID, staff.Period{From: d("2026-11-01"), To: d("2026-12-31")})
			mustErr(t, err, nil, "émis")
		})
		t.Run("a period across two years or outside the secondment is refused", func(t *testing.T) {
			_, _, err := w.staff.Reimburse(ctx, w.clerk["rodez"], sec.ID, staff.Period{From: d("2026-05-01"), To: d("2027-01-31")})
			mustErr(t, err, nil, "une seule année civile")
			_, _, err = w.staff.Reimburse(ctx, w.clerk["rodez"], sec.ID, staff.Period{From: d("2026-04-01"), To: d("2026-06-30")})
			mustErr(t, err, nil, "avant la mise à disposition")
		})
		t.Run("only the employer computes the reimbursement", func(t *testing.T) {
			_, _, err := w.staff.Reimburse(ctx, w.clerk["conques"], sec.ID, staff.Period{From: d("2026-05-01"), To: d("2026-05-31")})
			mustErr(t, err, auth.ErrForbidden, "")
		})
	})
}

// TestPrivacyOfAgents shows an agent of Rodez seconded to Conques to the
// users of Rodez and, for what concerns its secondment, of Conques — and
// to nobody else: a clerk of Onet-le-Château gets not found on the agent,
// its cost, its secondment and its time records.
func TestPrivacyOfAgents(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := setup(t, db)
		r := w.convene(t, convention{home: "rodez", host: "conques", start: d("2026-05-01"), end: d("2026-12-31"), realTime: true})
		w.clock.set(d("2026-04-20"))
		ag := w.agent(t, "rodez", "")
		w.cost2026(t, ag)
		if _, err := w.staff.SetCost(ctx, w.clerk["rodez"], ag.ID, 2025, 0, staff.CostInput{GrossPay: eur(t, "29 000,00"),
			EmployerContributions: eur(t, "12 900,00"), Source: "DSN décembre 2025"}); err != nil {
			t.Fatal(err)
		}
		sec, err := w.staff.CreateSecondment(ctx, w.clerk["rodez"], staff.SecondmentInput{AgreementID: r.ID, AgentID: ag.ID,
			Activities: "Entretien", Billing: staff.RealTime})
		if err != nil {
			t.Fatal(err)
		}
		onet, conques := w.clerk["onet"], w.clerk["conques"]

		t.Run("a user of a commune neither employer nor host sees nothing", func(t *testing.T) {
			_, err := w.staff.Agent(ctx, onet, ag.ID)
			mustErr(t, err, store.ErrNotFound, "")
			_, err = w.staff.Cost(ctx, onet, ag.ID, 2026)
			mustErr(t, err, store.ErrNotFound, "")
			_, err = w.staff.Secondment(ctx, onet, sec.ID)
			mustErr(t, err, store.ErrNotFound, "")
			_, err = w.staff.TimeRecords(ctx, onet, sec.ID, civil.Date{}, civil.Date{})
			mustErr(t, err, store.ErrNotFound, "")
			_, err = w.staff.UpdateAgent(ctx, onet, ag.ID, ag.Version, staff.AgentInput{FamilyName: "X", GivenName: "Y", Status: staff.Titulaire})
			mustErr(t, err, store.ErrNotFound, "")
			_, err = w.staff.RecordTime(ctx, onet, sec.ID, staff.TimeInput{Date: d("2026-04-20"), Minutes: 60, Activity: "x"})
			mustErr(t, err, store.ErrNotFound, "")
			lines, err := w.staff.Agents(ctx, onet, w.org["onet"])
			if err != nil || len(lines) != 0 {
				t.Fatalf("got %d agents, %v; want none", len(lines), err)
			}
			_, err = w.staff.Agents(ctx, onet, w.org["rodez"])
			mustErr(t, err, auth.ErrForbidden, "")
			_, err = w.staff.Alerts(ctx, onet, w.org["rodez"])
			mustErr(t, err, auth.ErrForbidden, "")
			_, err = w.staff.Roster(ctx, onet, w.org["rodez"])
			mustErr(t, err, auth.ErrForbidden, "")
		})
		t.Run("before the secondment starts, the host sees the agent but not the cost", func(t *testing.T) {
			f, err := w.staff.Agent(ctx, conques, ag.ID)
			if err != nil {
				t.Fatal(err)
			}
			if f.Employer || f.CanWrite || len(f.Costs) != 0 || len(f.Secondments) != 1 {
				t.Fatalf("got employer %v write %v costs %d secondments %d", f.Employer, f.CanWrite, len(f.Costs), len(f.Secondments))
			}
			_, err = w.staff.Cost(ctx, conques, ag.ID, 2026)
			mustErr(t, err, store.ErrNotFound, "")
		})
		w.clock.set(d("2026-06-02"))
		t.Run("once it has started, the host sees the cost of the years it covers, no other", func(t *testing.T) {
			f, err := w.staff.Agent(ctx, conques, ag.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(f.Costs) != 1 || f.Costs[0].Year != 2026 {
				t.Fatalf("got costs %+v, want 2026 only", f.Costs)
			}
			if c, err := w.staff.Cost(ctx, conques, ag.ID, 2026); err != nil || c.Total() != eur(t, "43 350,00") {
				t.Fatalf("got %s, %v", c.Total(), err)
			}
			_, err = w.staff.Cost(ctx, conques, ag.ID, 2025)
			mustErr(t, err, store.ErrNotFound, "")
			lines, err := w.staff.Agents(ctx, conques, w.org["conques"])
			if err != nil || len(lines) != 1 || lines[0].Employed || len(lines[0].Secondments) != 1 {
				t.Fatalf("got %+v, %v; want the agent seconded to Conques", lines, err)
			}
		})
		t.Run("the host records time but does not change the agent nor its cost", func(t *testing.T) {
			if _, err := w.staff.RecordTime(ctx, conques, sec.ID, staff.TimeInput{Date: d("2026-06-01"), Minutes: 450, Activity: "Tonte"}); err != nil {
				t.Fatal(err)
			}
			_, err := w.staff.UpdateAgent(ctx, conques, ag.ID, ag.Version, staff.AgentInput{FamilyName: "X", GivenName: "Y", Status: staff.Titulaire})
			mustErr(t, err, auth.ErrForbidden, "")
			_, err = w.staff.SetCost(ctx, conques, ag.ID, 2027, 0, staff.CostInput{GrossPay: 1, Source: "x"})
			mustErr(t, err, auth.ErrForbidden, "")
		})
		t.Run("the employer's read-only user reads but does not write", func(t *testing.T) {
			f, err := w.staff.Agent(ctx, w.reader, ag.ID)
			if err != nil || !f.Employer || f.CanWrite || len(f.Costs) != 2 {
				t.Fatalf("got employer %v write %v costs %d, %v", f.Employer, f.CanWrite, len(f.Costs), err)
			}
			_, err = w.staff.SetCost(ctx, w.reader, ag.ID, 2027, 0, staff.CostInput{GrossPay: 1, Source: "x"})
			mustErr(t, err, auth.ErrForbidden, "")
			_, err = w.staff.RecordTime(ctx, w.reader, sec.ID, staff.TimeInput{Date: d("2026-06-01"), Minutes: 60, Activity: "x"})
			mustErr(t, err, auth.ErrForbidden, "")
		})
		t.Run("an anonymous actor is refused", func(t *testing.T) {
			_, err := w.staff.Agent(ctx, auth.Actor{}, ag.ID)
			mustErr(t, err, auth.ErrUnauthenticated, "")
		})
	})
}

// TestVersionsAndRules checks optimistic concurrency and the rules that
// tie a secondment to its agent and convention.
func TestVersionsAndRules(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := setup(t, db)
		r := w.convene(t, convention{home: "rodez", host: "conques", start: d("2026-05-01"), end: d("2026-12-31")})
		rodez := w.clerk["rodez"]
		w.clock.set(d("2026-04-20"))
		ag := w.agent(t, "rodez", "")
		t.Run("an agent changed from a stale version is a conflict", func(t *testing.T) {
			in := staff.AgentInput{FamilyName: "Dupont-Martin", GivenName: "Jeanne", Grade: "adjoint technique principal de 1re classe", Status: staff.Titulaire}
			up, err := w.staff.UpdateAgent(ctx, rodez, ag.ID, ag.Version, in)
			if err != nil || up.Version != ag.Version+1 || up.FamilyName != "Dupont-Martin" {
				t.Fatalf("got %+v, %v", up, err)
			}
			_, err = w.staff.UpdateAgent(ctx, rodez, ag.ID, ag.Version, in)
			mustErr(t, err, store.ErrConflict, "")
		})
		t.Run("an agent's employer does not change", func(t *testing.T) {
			_, err := w.staff.UpdateAgent(ctx, rodez, ag.ID, ag.Version+1, staff.AgentInput{EmployerOrgID: w.org["onet"],
				FamilyName: "Dupont", GivenName: "Jeanne", Status: staff.Titulaire})
			mustErr(t, err, nil, "employeur")
		})
		t.Run("a cost recorded twice as new, or from a stale version, is a conflict", func(t *testing.T) {
			c := w.cost2026(t, ag)
			_, err := w.staff.SetCost(ctx, rodez, ag.ID, 2026, 0, staff.CostInput{GrossPay: 1, Source: "DSN"})
			mustErr(t, err, store.ErrConflict, "")
			c2, err := w.staff.SetCost(ctx, rodez, ag.ID, 2026, c.Version, staff.CostInput{GrossPay: eur(t, "30 000,00"),
				EmployerContributions: eur(t, "13 350,00"), Other: []money.CostLine{{Label: "Action sociale (CNAS)", Amount: eur(t, "212,00")}},
				Source: "DSN décembre 2026"})
			if err != nil || c2.Version != 2 || c2.Total() != eur(t, "43 350,00") {
				t.Fatalf("got %+v (total %s), %v; the line not repaid stays out of the total", c2, c2.Total(), err)
			}
			_, err = w.staff.SetCost(ctx, rodez, ag.ID, 2026, c.Version, staff.CostInput{GrossPay: 1, Source: "DSN"})
			mustErr(t, err, store.ErrConflict, "")
		})
		t.Run("invalid inputs name their fields", func(t *testing.T) {
			_, err := w.staff.CreateAgent(ctx, rodez, staff.AgentInput{EmployerOrgID: w.org["rodez"], Status: "vacataire"})
			fields(t, err, "family_name", "given_name", "status")
			_, err = w.staff.SetCost(ctx, rodez, ag.ID, 1999, 0, staff.CostInput{GrossPay: -1})
			fields(t, err, "year", "gross_pay", "source")
		})
		t.Run("the secondment must agree with its convention", func(t *testing.T) {
			_, err := w.staff.CreateSecondment(ctx, rodez, staff.SecondmentInput{AgreementID: r.ID, AgentID: ag.ID, Activities: "x",
				Quotite: agreement.Fraction{Num: 1, Den: 2}})
			fields(t, err, "quotite")
			_, err = w.staff.CreateSecondment(ctx, rodez, staff.SecondmentInput{AgreementID: r.ID, AgentID: ag.ID, Activities: "x",
				HostOrgID: w.org["onet"]})
			fields(t, err, "host_org_id")
			_, err = w.staff.CreateSecondment(ctx, rodez, staff.SecondmentInput{AgreementID: r.ID, AgentID: ag.ID, Activities: "x",
				Start: d("2026-04-01")})
			fields(t, err, "start")
			_, err = w.staff.CreateSecondment(ctx, rodez, staff.SecondmentInput{AgreementID: r.ID, AgentID: ag.ID})
			fields(t, err, "activities")
		})
		t.Run("a contract agent on a fixed-term contract is not seconded", func(t *testing.T) {
			cdd := w.agent(t, "rodez", staff.CDD)
			_, err := w.staff.CreateSecondment(ctx, rodez, staff.SecondmentInput{AgreementID: r.ID, AgentID: cdd.ID, Activities: "x"})
			mustErr(t, err, nil, "CDD")
		})
		t.Run("an agent of another employer is not seconded under Rodez's convention", func(t *testing.T) {
			other, err := w.staff.CreateAgent(ctx, w.clerk["onet"], staff.AgentInput{EmployerOrgID: w.org["onet"], FamilyName: "Martin",
				GivenName: "Luc", Status: staff.Titulaire})
			if err != nil {
				t.Fatal(err)
			}
			_, err = w.staff.CreateSecondment(ctx, w.clerk["onet"], staff.SecondmentInput{AgreementID: r.ID, AgentID: other.ID, Activities: "x"})
			fields(t, err, "agreement_id")
		})
		sec, err := w.staff.CreateSecondment(ctx, rodez, staff.SecondmentInput{AgreementID: r.ID, AgentID: ag.ID, Activities: "Entretien"})
		if err != nil {
			t.Fatal(err)
		}
		t.Run("a second secondment under the same convention is refused clearly", func(t *testing.T) {
			ag2 := w.agent(t, "rodez", "")
			_, err := w.staff.CreateSecondment(ctx, rodez, staff.SecondmentInput{AgreementID: r.ID, AgentID: ag2.ID, Activities: "x"})
			mustErr(t, err, nil, "porte déjà une mise à disposition")
		})
		t.Run("real time is refused under a convention repaid pro rata, naming the billing", func(t *testing.T) {
			_, err := w.staff.UpdateSecondment(ctx, rodez, sec.ID, sec.Version, staff.SecondmentInput{Activities: "Entretien",
				Billing: staff.RealTime})
			fields(t, err, "billing")
			mustErr(t, err, nil, "rémunération et charges au prorata de la quotité")
		})
		t.Run("a secondment changed from a stale version is a conflict", func(t *testing.T) {
			up, err := w.staff.UpdateSecondment(ctx, rodez, sec.ID, sec.Version, staff.SecondmentInput{Activities: "Entretien des espaces verts",
				AnnualHours: 1593})
			if err != nil || up.Version != 2 || up.Billing != staff.ProRata || up.AnnualHours != 1593 || up.Quotite.String() != "30/100" {
				t.Fatalf("got %+v, %v", up, err)
			}
			_, err = w.staff.UpdateSecondment(ctx, rodez, sec.ID, sec.Version, staff.SecondmentInput{Activities: "x"})
			mustErr(t, err, store.ErrConflict, "")
		})
		t.Run("each write is in the audit log", func(t *testing.T) {
			var n int
			if err := db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE action LIKE 'staff.%'`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			// 4 agents created, 1 updated, 2 costs set, 1 secondment created and 1 updated.
			if n != 9 {
				t.Fatalf("got %d staff audit records, want 9", n)
			}
		})
	})
}

// TestWaivedRepaymentBillsNothing: Rodez seconds an agent to its EPCI,
// waiving repayment as the convention states; nothing is billed.
func TestWaivedRepaymentBillsNothing(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := setup(t, db)
		r := w.convene(t, convention{home: "rodez", host: "agglo", start: d("2026-05-01"), end: d("2026-12-31"), waived: true})
		w.clock.set(d("2026-04-20"))
		ag := w.agent(t, "rodez", "")
		w.cost2026(t, ag)
		sec, err := w.staff.CreateSecondment(ctx, w.clerk["rodez"], staff.SecondmentInput{AgreementID: r.ID, AgentID: ag.ID, Activities: "Urbanisme"})
		if err != nil {
			t.Fatal(err)
		}
		f, err := w.staff.Secondment(ctx, w.clerk["agglo"], sec.ID)
		if err != nil || !f.RepaymentWaived || f.WaiverReason == "" {
			t.Fatalf("got waived %v (%q), %v", f.RepaymentWaived, f.WaiverReason, err)
		}
		w.clock.set(d("2027-01-08"))
		_, _, err = w.staff.Reimburse(ctx, w.clerk["rodez"], sec.ID, staff.Period{From: d("2026-05-01"), To: d("2026-12-31")})
		mustErr(t, err, nil, "aucun état de remboursement")
		if ss, err := w.ledger.Statements(ctx, w.clerk["rodez"], r.ID); err != nil || len(ss) != 0 {
			t.Fatalf("got %d statements, %v; want none", len(ss), err)
		}
	})
}

// TestConsentAndAlerts follows a secondment prepared before its convention
// is approved: the missing consent and cost are flagged, the consent is
// recorded on the convention through staff, and the end is announced three
// months ahead.
func TestConsentAndAlerts(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := setup(t, db)
		r := w.convene(t, convention{home: "rodez", host: "conques", start: d("2026-05-01"), end: d("2026-12-31"), submitOnly: true})
		w.clock.set(d("2026-02-10"))
		ag := w.agent(t, "rodez", "")
		sec, err := w.staff.CreateSecondment(ctx, w.clerk["rodez"], staff.SecondmentInput{AgreementID: r.ID, AgentID: ag.ID, Activities: "Entretien"})
		if err != nil {
			t.Fatal(err)
		}
		kinds := func(t *testing.T, actor auth.Actor, org string) map[staff.AlertKind]int {
			t.Helper()
			als, err := w.staff.Alerts(ctx, actor, w.org[org])
			if err != nil {
				t.Fatal(err)
			}
			out := map[staff.AlertKind]int{}
			for _, al := range als {
				out[al.Kind]++
			}
			return out
		}
		t.Run("the missing consent is the employer's alert", func(t *testing.T) {
			if k := kinds(t, w.clerk["rodez"], "rodez"); k[staff.AlertConsent] != 1 {
				t.Fatalf("got %v, want the consent alert", k)
			}
			if k := kinds(t, w.clerk["conques"], "conques"); k[staff.AlertConsent] != 0 {
				t.Fatalf("got %v for the host, want no consent alert", k)
			}
		})
		t.Run("the roster gives the agents and the alerts of the list and alert operations", func(t *testing.T) {
			for _, org := range []string{"rodez", "conques"} {
				actor := w.clerk[org]
				roster, err := w.staff.Roster(ctx, actor, w.org[org])
				if err != nil {
					t.Fatal(err)
				}
				lines, err := w.staff.Agents(ctx, actor, w.org[org])
				if err != nil {
					t.Fatal(err)
				}
				als, err := w.staff.Alerts(ctx, actor, w.org[org])
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(roster.Agents, lines) || len(lines) != 1 {
					t.Errorf("%s: got roster agents %+v, want %+v (one agent)", org, roster.Agents, lines)
				}
				if !reflect.DeepEqual(roster.Alerts, als) || org == "rodez" && len(als) == 0 {
					t.Errorf("%s: got roster alerts %+v, want %+v (the employer's: some)", org, roster.Alerts, als)
				}
			}
		})
		t.Run("a consent in the future is refused by the convention", func(t *testing.T) {
			_, err := w.staff.RecordConsent(ctx, w.clerk["rodez"], sec.ID, d("2026-03-01"), "Courrier du 1er mars")
			fields(t, err, "consent_date")
		})
		t.Run("the host cannot record the consent", func(t *testing.T) {
			_, err := w.staff.RecordConsent(ctx, w.clerk["conques"], sec.ID, d("2026-02-09"), "Courrier")
			mustErr(t, err, auth.ErrForbidden, "")
		})
		f, err := w.staff.RecordConsent(ctx, w.clerk["rodez"], sec.ID, d("2026-02-09"), "Accord écrit du 9 février 2026")
		if err != nil {
			t.Fatalf("record consent: %v", err)
		}
		t.Run("the consent recorded through staff is the convention's approval", func(t *testing.T) {
			if f.Consent == nil || f.Consent.Reference != "Accord écrit du 9 février 2026" {
				t.Fatalf("got %+v", f.Consent)
			}
			rec, err := w.agr.Get(ctx, w.clerk["rodez"], r.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range agreement.MissingApprovals(rec.Agreement) {
				if n.Kind == agreement.AgentConsent {
					t.Fatal("the convention still misses the agent's consent")
				}
			}
			if k := kinds(t, w.clerk["rodez"], "rodez"); k[staff.AlertConsent] != 0 {
				t.Fatalf("got %v, want no consent alert", k)
			}
		})
		w.clock.set(d("2026-10-05"))
		t.Run("three months before the end, both sides are told; the missing 2026 cost is the employer's", func(t *testing.T) {
			k := kinds(t, w.clerk["rodez"], "rodez")
			if k[staff.AlertEnding] != 1 || k[staff.AlertCost] != 1 {
				t.Fatalf("got %v, want the end and the missing cost", k)
			}
			k = kinds(t, w.clerk["conques"], "conques")
			if k[staff.AlertEnding] != 1 || k[staff.AlertCost] != 0 {
				t.Fatalf("got %v for the host, want the end only", k)
			}
			w.cost2026(t, ag)
			if k := kinds(t, w.clerk["rodez"], "rodez"); k[staff.AlertCost] != 0 {
				t.Fatalf("got %v after the cost was recorded", k)
			}
		})
	})
}

// TestRealTimeBilling bills a secondment at the hours the host recorded ×
// the hourly cost (annual cost / 1,607 h), keeps the draft in step with
// the time records, and freezes the time of an issued period.
func TestRealTimeBilling(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := setup(t, db)
		r := w.convene(t, convention{home: "rodez", host: "conques", start: d("2026-05-01"), end: d("2026-12-31"), realTime: true})
		w.clock.set(d("2026-04-20"))
		ag := w.agent(t, "rodez", "")
		w.cost2026(t, ag)
		t.Run("a secondment billed pro rata is refused under a convention repaid at a unit price", func(t *testing.T) {
			_, err := w.staff.CreateSecondment(ctx, w.clerk["rodez"], staff.SecondmentInput{AgreementID: r.ID, AgentID: ag.ID,
				Activities: "Entretien", Billing: staff.ProRata})
			fields(t, err, "billing")
			mustErr(t, err, nil, "coût unitaire × unités consommées")
		})
		sec, err := w.staff.CreateSecondment(ctx, w.clerk["rodez"], staff.SecondmentInput{AgreementID: r.ID, AgentID: ag.ID,
			Activities: "Entretien"})
		if err != nil {
			t.Fatal(err)
		}
		host := w.clerk["conques"]
		w.clock.set(d("2026-06-03"))
		for _, tr := range []struct {
			day     string
			minutes int64
		}{{"2026-05-04", 450}, {"2026-05-05", 450}, {"2026-05-11", 240}} {
			if _, err := w.staff.RecordTime(ctx, host, sec.ID, staff.TimeInput{Date: d(tr.day), Minutes: tr.minutes, Activity: "Tonte"}); err != nil {
				t.Fatalf("record time: %v", err)
			}
		}
		t.Run("time is refused in the future, outside the secondment, or for a pro rata secondment", func(t *testing.T) {
			_, err := w.staff.RecordTime(ctx, host, sec.ID, staff.TimeInput{Date: d("2026-06-10"), Minutes: 60, Activity: "x"})
			fields(t, err, "date")
			_, err = w.staff.RecordTime(ctx, host, sec.ID, staff.TimeInput{Date: d("2026-04-30"), Minutes: 60, Activity: "x"})
			fields(t, err, "date")
			_, err = w.staff.RecordTime(ctx, host, sec.ID, staff.TimeInput{Date: d("2026-05-06"), Minutes: 0})
			fields(t, err, "minutes", "activity")
		})
		t.Run("each time record is a usage record of the convention, in minutes", func(t *testing.T) {
			totals, err := usage.Sum(ctx, db.Reader(), usage.Filter{AgreementID: r.ID})
			if err != nil {
				t.Fatal(err)
			}
			if len(totals) != 1 || totals[0].Unit != staff.UsageUnit || totals[0].Milli != 1140_000 || totals[0].Records != 3 ||
				totals[0].ProviderOrgID != w.org["rodez"] || totals[0].UserOrgID != w.org["conques"] {
				t.Fatalf("got %+v", totals)
			}
		})
		may := staff.Period{From: d("2026-05-01"), To: d("2026-05-31"), Label: "Mai 2026"}
		rb, st, err := w.staff.Reimburse(ctx, w.clerk["rodez"], sec.ID, may)
		if err != nil {
			t.Fatalf("reimburse: %v", err)
		}
		t.Run("the billing follows the convention's unit price", func(t *testing.T) {
			if sec.Billing != staff.RealTime {
				t.Fatalf("got billing %s, want %s", sec.Billing, staff.RealTime)
			}
		})
		t.Run("19 hours at 43,350.00 / 1,607 h make 512.54", func(t *testing.T) {
			if rb.Minutes != 1140 || st.Result.Total != eur(t, "512,54") || rb.HourlyCost().Cmp(money.NewRat(4_335_000, 1607)) != 0 {
				t.Fatalf("got %d minutes, total %s, hourly %s", rb.Minutes, st.Result.Total, rb.HourlyCost())
			}
		})
		t.Run("the état is a unit price: 19 hours × the exact hourly cost, no fitted quotité", func(t *testing.T) {
			p := st.Result.Pricing
			if st.Inputs.Mode != agreement.UnitPrice || st.Result.Repayment != nil || p == nil || len(p.Lines) != 1 ||
				p.Lines[0].Units.Cmp(money.IntRat(19)) != 0 || p.Rule.Unit != staff.HourUnit ||
				p.AppliedUnitCost.Cmp(money.NewRat(4_335_000, 160_700)) != 0 || p.Rule.Rounding != money.RoundHalfUp {
				t.Fatalf("got mode %s, pricing %+v", st.Inputs.Mode, p)
			}
			text := strings.Join(st.Result.Explain, "\n")
			for _, want := range []string{"19 × ", "€/heure", "512,54", "temps réel", "coût horaire"} {
				if !strings.Contains(text, want) {
					t.Errorf("got état %q, want it to contain %q", text, want)
				}
			}
			if strings.Contains(text, "quotité") {
				t.Errorf("got état %q, want no quotité", text)
			}
		})
		t.Run("a period not yet begun is not billed", func(t *testing.T) {
			_, _, err := w.staff.Reimburse(ctx, w.clerk["rodez"], sec.ID, staff.Period{From: d("2026-06-10"), To: d("2026-06-30")})
			fields(t, err, "from")
		})
		t.Run("the host may not change the time of a period the employer has computed", func(t *testing.T) {
			_, err := w.staff.RecordTime(ctx, host, sec.ID, staff.TimeInput{Date: d("2026-05-12"), Minutes: 60, Activity: "Tonte"})
			mustErr(t, err, nil, "calculé")
		})
		t.Run("time the employer adds recomputes the draft", func(t *testing.T) {
			if _, err := w.staff.RecordTime(ctx, w.clerk["rodez"], sec.ID, staff.TimeInput{Date: d("2026-05-12"), Minutes: 60, Activity: "Tonte"}); err != nil {
				t.Fatal(err)
			}
			// The hours billed are part of the draft's request: the draft
			// is drafted again, under the same number.
			f, err := w.staff.Secondment(ctx, w.clerk["rodez"], sec.ID)
			if err != nil || len(f.Reimbursements) != 1 {
				t.Fatalf("got %+v, %v, want one reimbursement", f.Reimbursements, err)
			}
			got, err := w.ledger.Statement(ctx, w.clerk["rodez"], f.Reimbursements[0].StatementID)
			if err != nil {
				t.Fatal(err)
			}
			// 20 h × 43,350.00 / 1,607 h = 539.51.
			if got.Status != ledger.Draft || got.Result.Total != eur(t, "539,51") || got.Number != st.Number ||
				f.Reimbursements[0].Minutes != 1200 || f.Reimbursements[0].Amount != eur(t, "539,51") {
				t.Fatalf("got n° %d %s %s, %+v, want draft n° %d of 539.51", got.Number, got.Status, got.Result.Total, f.Reimbursements[0], st.Number)
			}
			if _, err := w.ledger.Statement(ctx, w.clerk["rodez"], st.ID); !errors.Is(err, store.ErrNotFound) && got.ID != st.ID {
				t.Fatalf("the former draft: got %v, want it gone", err)
			}
			st = got
		})
		if _, err := w.ledger.Issue(ctx, w.clerk["rodez"], st.ID); err != nil {
			t.Fatalf("issue: %v", err)
		}
		t.Run("once issued, the period's time is frozen", func(t *testing.T) {
			_, err := w.staff.RecordTime(ctx, w.clerk["rodez"], sec.ID, staff.TimeInput{Date: d("2026-05-13"), Minutes: 60, Activity: "Tonte"})
			mustErr(t, err, nil, "émis")
			ts, err := w.staff.TimeRecords(ctx, host, sec.ID, d("2026-05-01"), d("2026-05-31"))
			if err != nil || len(ts) != 4 {
				t.Fatalf("got %d records, %v", len(ts), err)
			}
			err = w.staff.DeleteTime(ctx, host, ts[0].ID, ts[0].Version)
			mustErr(t, err, nil, "émis")
		})
		t.Run("June's time is still open: updated, then deleted with its usage record", func(t *testing.T) {
			tr, err := w.staff.RecordTime(ctx, host, sec.ID, staff.TimeInput{Date: d("2026-06-01"), Minutes: 60, Activity: "Tonte"})
			if err != nil {
				t.Fatal(err)
			}
			up, err := w.staff.UpdateTime(ctx, host, tr.ID, tr.Version, staff.TimeInput{Date: d("2026-06-02"), Minutes: 90, Activity: "Tonte"})
			if err != nil || up.Version != 2 || up.Minutes != 90 {
				t.Fatalf("got %+v, %v", up, err)
			}
			_, err = w.staff.UpdateTime(ctx, host, tr.ID, tr.Version, staff.TimeInput{Date: d("2026-06-02"), Minutes: 30, Activity: "Tonte"})
			mustErr(t, err, store.ErrConflict, "")
			if err := w.staff.DeleteTime(ctx, host, tr.ID, up.Version); err != nil {
				t.Fatal(err)
			}
			if _, err := usage.Get(ctx, db.Reader(), usage.FromService, "staff-time/"+strconv.FormatInt(tr.ID, 10)); err == nil {
				t.Fatal("the usage record of the deleted time record is still there")
			}
		})
		t.Run("a month without time has nothing to bill", func(t *testing.T) {
			w.clock.set(d("2026-08-03"))
			_, _, err := w.staff.Reimburse(ctx, w.clerk["rodez"], sec.ID, staff.Period{From: d("2026-07-01"), To: d("2026-07-31")})
			mustErr(t, err, nil, "aucun temps")
		})
	})
}

// fields fails unless err is a validation error naming exactly the fields.
func fields(t *testing.T, err error, want ...string) {
	t.Helper()
	fes, ok := validate.As(err)
	if !ok {
		t.Fatalf("got %v, want a validation error on %v", err, want)
	}
	got := map[string]bool{}
	for _, fe := range fes {
		got[fe.Field] = true
	}
	for _, f := range want {
		if !got[f] {
			t.Errorf("got errors %v, want one on %q", fes, f)
		}
	}
	if len(got) != len(want) {
		t.Errorf("got errors on %v, want exactly %v", fes, want)
	}
}
