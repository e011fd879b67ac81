package agreement

import (
	"slices"
	"testing"
)

// TestEveryKindLivesFromDraftToTermination builds, for each instrument, a
// valid convention between real communes and walks it through approvals,
// signature, an avenant and termination.
func TestEveryKindLivesFromDraftToTermination(t *testing.T) {
	for _, k := range Kinds() {
		t.Run(string(k)+" goes from draft to termination", func(t *testing.T) {
			a := valid(k)
			if vs := Validate(a, drafted); len(vs) > 0 {
				t.Fatalf("the fixture breaks rules: got %v, want none", vs)
			}
			a, err := Submit(a, drafted)
			mustNot(t, err)
			if a.Status != Submitted {
				t.Fatalf("after Submit: got status %q, want %q", a.Status, Submitted)
			}

			needed := RequiredApprovals(a)
			if len(needed) == 0 {
				t.Fatal("got no required approval, want at least one")
			}
			for i, n := range needed {
				if a.Status != Submitted {
					t.Fatalf("before the last approval: got status %q, want %q", a.Status, Submitted)
				}
				a, err = RecordApproval(a, approvalFor(n, deliberated, i+1), deliberated)
				mustNot(t, err)
			}
			if a.Status != Approved {
				t.Fatalf("after every approval: got status %q, want %q", a.Status, Approved)
			}

			signatories := a.signatories()
			for _, p := range signatories {
				a, err = Sign(a, Signature{OrgID: p.OrgID, Date: signedDay}, signedDay)
				mustNot(t, err)
			}
			if a.Status != Signed {
				t.Fatalf("after every signature: got status %q, want %q", a.Status, Signed)
			}
			if got := a.SignedOn(); got != signedDay {
				t.Errorf("SignedOn: got %v, want %v", got, signedDay)
			}
			if got := a.Signatures[0].Signatory; got != signatories[0].Representative.Name {
				t.Errorf("signatory: got %q, want the representative %q", got, signatories[0].Representative.Name)
			}

			a = Refresh(a, startDay.AddDays(-1))
			if a.Status != Signed {
				t.Fatalf("the day before the start: got status %q, want %q", a.Status, Signed)
			}
			a = Refresh(a, startDay)
			if a.Status != InForce {
				t.Fatalf("on the start day: got status %q, want %q", a.Status, InForce)
			}

			original := a.Content
			next := a.Content
			next.Title = original.Title + " (modifiée)"
			next.Financial.Summary = "Article financier révisé."
			am := Amendment{Date: amendDay, Reason: "Révision des conditions financières"}
			seq := 100
			for _, r := range Requirements(a) {
				if r.Kind != Deliberation && r.Kind != AgentConsent {
					continue
				}
				for _, p := range a.Parties {
					if r.applies(p) {
						seq++
						am.Approvals = append(am.Approvals, approvalFor(Needed{Requirement: r, OrgID: p.OrgID}, amendDelib, seq))
					}
				}
			}
			a, err = Amend(a, next, am, amendDay)
			mustNot(t, err)
			if got := a.Version(); got != 1 {
				t.Errorf("version after the avenant: got %d, want 1", got)
			}
			if got := a.Amendments[0].Number; got != 1 {
				t.Errorf("avenant number: got %d, want 1", got)
			}
			fields := []string{}
			for _, c := range a.Amendments[0].Changes {
				fields = append(fields, c.Field)
			}
			if want := []string{"financial.summary", "title"}; !slices.Equal(fields, want) {
				t.Errorf("changed fields: got %v, want %v", fields, want)
			}
			if v0, _ := a.ContentAt(0); v0.Title != original.Title {
				t.Errorf("version 0 title: got %q, want %q", v0.Title, original.Title)
			}
			if a.Title != next.Title || a.Status != InForce {
				t.Errorf("after the avenant: got title %q status %q, want %q in force", a.Title, a.Status, next.Title)
			}

			lead, ok := a.Lead()
			if !ok || lead.Role != mustSpec(t, k).LeadRole {
				t.Fatalf("Lead: got %+v, %v, want the holder of the lead role", lead, ok)
			}
			a, err = Terminate(a, Termination{By: lead.OrgID, Date: terminateDay, Reason: "Reprise du service en régie"}, terminateDay)
			mustNot(t, err)
			if want := terminateDay.AddMonths(3); a.Termination.Effective != want {
				t.Errorf("effective date: got %v, want %v (three months' notice)", a.Termination.Effective, want)
			}
			if a.Status != InForce {
				t.Errorf("during the notice: got status %q, want %q", a.Status, InForce)
			}
			a = Refresh(a, a.Termination.Effective)
			if a.Status != Terminated {
				t.Errorf("on the effective date: got status %q, want %q", a.Status, Terminated)
			}
		})
	}
}

func mustSpec(t *testing.T, k Kind) Spec {
	t.Helper()
	s, ok := Lookup(k)
	if !ok {
		t.Fatalf("Lookup(%q): not found", k)
	}
	return s
}
