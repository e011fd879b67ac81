package agreement

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"voisines/internal/civil"
)

// submitted returns valid(k) submitted to the parties.
func submitted(t *testing.T, k Kind) Agreement {
	t.Helper()
	a, err := Submit(valid(k), drafted)
	mustNot(t, err)
	return a
}

// approved returns valid(k) with every required approval recorded.
func approved(t *testing.T, k Kind) Agreement {
	t.Helper()
	a := submitted(t, k)
	for i, n := range RequiredApprovals(a) {
		var err error
		a, err = RecordApproval(a, approvalFor(n, deliberated, i+1), deliberated)
		mustNot(t, err)
	}
	return a
}

// inForce returns valid(k) approved, signed by all on signedDay and
// refreshed on startDay.
func inForce(t *testing.T, k Kind) Agreement {
	t.Helper()
	a := approved(t, k)
	for _, p := range a.signatories() {
		var err error
		a, err = Sign(a, Signature{OrgID: p.OrgID, Date: signedDay}, signedDay)
		mustNot(t, err)
	}
	return Refresh(a, startDay)
}

// refusal asserts that err is a *Refusal whose text contains fragment.
func refusal(t *testing.T, err error, fragment string) *Refusal {
	t.Helper()
	var r *Refusal
	if !errors.As(err, &r) {
		t.Fatalf("got error %v, want a *Refusal", err)
	}
	if !strings.Contains(r.Error(), fragment) {
		t.Errorf("got refusal %q, want it to contain %q", r.Error(), fragment)
	}
	return r
}

func TestSubmit(t *testing.T) {
	t.Run("a draft with blocking violations cannot be submitted", func(t *testing.T) {
		bad := withParty(valid(DelegationCompetence), 1, olemps)
		got, err := Submit(bad, drafted)
		r := refusal(t, err, "impossible de soumettre")
		if !has(r.Violations, RuleDelegation.ID) {
			t.Errorf("got violations %v, want %q among them", r.Violations, RuleDelegation.ID)
		}
		if got.Status != Draft {
			t.Errorf("got status %q, want it left %q", got.Status, Draft)
		}
	})
	t.Run("a draft with only warnings can be submitted", func(t *testing.T) {
		a := valid(Prestation)
		a.Prestation = PrestationTerms{}
		got, err := Submit(a, drafted)
		mustNot(t, err)
		if got.Status != Submitted {
			t.Errorf("got status %q, want %q", got.Status, Submitted)
		}
	})
	t.Run("a submitted convention cannot be submitted again", func(t *testing.T) {
		_, err := Submit(submitted(t, Entente), drafted)
		refusal(t, err, "n'est plus un brouillon")
	})
}

func TestRecordApproval(t *testing.T) {
	delib := func(org int64) Approval {
		return Approval{OrgID: org, Kind: Deliberation, Number: "2026-045", Date: deliberated, TransmittedOn: transmitted}
	}
	tests := []struct {
		name     string
		a        Agreement
		ap       Approval
		fragment string
	}{
		{"a draft records no approval", valid(Entente), delib(rodez.OrgID), "une fois la convention soumise"},
		{"an organisation outside the convention records no approval", submitted(t, Entente), delib(millau.OrgID), "n'est pas partie"},
		{"a deliberation needs its number", submitted(t, Entente), func() Approval { ap := delib(rodez.OrgID); ap.Number = ""; return ap }(), "numéro"},
		{"an approval needs its date", submitted(t, Entente), func() Approval { ap := delib(rodez.OrgID); ap.Date = civil.Date{}; return ap }(), "date"},
		{"an approval cannot be dated in the future", submitted(t, Entente), func() Approval { ap := delib(rodez.OrgID); ap.Date = deliberated.AddDays(1); return ap }(), "futur"},
		{"a transmission cannot precede the act", submitted(t, Entente), func() Approval { ap := delib(rodez.OrgID); ap.TransmittedOn = deliberated.AddDays(-1); return ap }(), "précède"},
		{"an unknown kind of approval is refused", submitted(t, Entente), Approval{OrgID: rodez.OrgID, Kind: "visa", Date: deliberated}, "inconnue"},
		{"a party's act cannot be anonymous", submitted(t, Entente), func() Approval { ap := delib(0); return ap }(), "émaner d'une partie"},
		{"the same deliberation cannot be recorded twice", func() Agreement {
			a, err := RecordApproval(submitted(t, Entente), delib(rodez.OrgID), deliberated)
			mustNot(t, err)
			return a
		}(), delib(rodez.OrgID), "déjà enregistrée pour « Rodez »"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := RecordApproval(tt.a, tt.ap, deliberated)
			refusal(t, err, tt.fragment)
			if len(got.Approvals) != len(tt.a.Approvals) {
				t.Errorf("got %d approvals, want %d (unchanged)", len(got.Approvals), len(tt.a.Approvals))
			}
		})
	}

	t.Run("the body defaults to the party's council", func(t *testing.T) {
		a, err := RecordApproval(submitted(t, Entente), delib(rodez.OrgID), deliberated)
		mustNot(t, err)
		if got := a.Approvals[0].Body; got != "Conseil municipal" {
			t.Errorf("got body %q, want %q", got, "Conseil municipal")
		}
	})
	t.Run("a rejected deliberation does not count and a new one may follow", func(t *testing.T) {
		a := submitted(t, Entente)
		rejected := delib(rodez.OrgID)
		rejected.Unfavourable = true
		a, err := RecordApproval(a, rejected, deliberated)
		mustNot(t, err)
		if got := len(MissingApprovals(a)); got != 3 {
			t.Errorf("missing after a rejection: got %d, want 3", got)
		}
		a, err = RecordApproval(a, delib(rodez.OrgID), deliberated)
		mustNot(t, err)
		if got := len(MissingApprovals(a)); got != 2 {
			t.Errorf("missing after the new deliberation: got %d, want 2", got)
		}
	})
	t.Run("the prefect's order of a commission syndicale is recorded without a party", func(t *testing.T) {
		a := submitted(t, BiensIndivis)
		a, err := RecordApproval(a, Approval{Kind: PrefectOrder, Body: "Préfet de l'Aveyron", Number: "12-2026-05-11", Date: deliberated}, deliberated)
		mustNot(t, err)
		if _, ok := a.approval(0, PrefectOrder); !ok {
			t.Error("got no prefect's order, want it recorded")
		}
	})
	t.Run("the last approval makes the convention approved", func(t *testing.T) {
		if got := approved(t, MADPersonnel).Status; got != Approved {
			t.Errorf("got status %q, want %q", got, Approved)
		}
	})
}

func TestSign(t *testing.T) {
	t.Run("signing before every approval is recorded is refused and names what is missing", func(t *testing.T) {
		a := submitted(t, MADPersonnel)
		_, err := Sign(a, Signature{OrgID: onet.OrgID, Date: signedDay}, signedDay)
		refusal(t, err, "accord écrit de l'agent (Onet-le-Château)")
	})
	t.Run("a draft cannot be signed", func(t *testing.T) {
		_, err := Sign(valid(Entente), Signature{OrgID: rodez.OrgID, Date: signedDay}, signedDay)
		refusal(t, err, "n'est pas en cours de signature")
	})
	t.Run("a member commune does not sign the règlement of biens partagés", func(t *testing.T) {
		a := approved(t, BiensPartages)
		_, err := Sign(a, Signature{OrgID: olemps.OrgID, Date: signedDay}, signedDay)
		refusal(t, err, "n'est pas signataire")
	})
	t.Run("a party cannot sign twice", func(t *testing.T) {
		a, err := Sign(approved(t, Entente), Signature{OrgID: rodez.OrgID, Date: signedDay}, signedDay)
		mustNot(t, err)
		_, err = Sign(a, Signature{OrgID: rodez.OrgID, Date: signedDay}, signedDay)
		refusal(t, err, "a déjà signé")
	})
	t.Run("a signature cannot be dated in the future", func(t *testing.T) {
		_, err := Sign(approved(t, Entente), Signature{OrgID: rodez.OrgID, Date: signedDay.AddDays(1)}, signedDay)
		refusal(t, err, "dans le futur")
	})
	t.Run("a party cannot sign before its own deliberation", func(t *testing.T) {
		a := approved(t, Entente)
		got, err := Sign(a, Signature{OrgID: rodez.OrgID, Date: deliberated.AddDays(-1)}, signedDay)
		r := refusal(t, err, "avant sa délibération")
		if !has(r.Violations, RuleSignatureOrder.ID) {
			t.Errorf("got %v, want %q", r.Violations, RuleSignatureOrder.ID)
		}
		if len(got.Signatures) != 0 {
			t.Errorf("got %d signatures, want the refused one undone", len(got.Signatures))
		}
	})
	t.Run("a groupement member cannot sign after the launch", func(t *testing.T) {
		a := approved(t, GroupementCommandes)
		_, err := Sign(a, Signature{OrgID: luc.OrgID, Date: launch.AddDays(1)}, launch.AddDays(1))
		refusal(t, err, "après le lancement")
	})
	t.Run("signed by all but not started, then in force on its start date", func(t *testing.T) {
		a := approved(t, Entente)
		var err error
		for i, p := range a.Parties {
			a, err = Sign(a, Signature{OrgID: p.OrgID, Date: signedDay.AddDays(i)}, signedDay.AddDays(5))
			mustNot(t, err)
			if i < len(a.Parties)-1 && a.Status != Approved {
				t.Fatalf("after %d signature(s): got %q, want %q", i+1, a.Status, Approved)
			}
		}
		if a.Status != Signed {
			t.Fatalf("got %q, want %q", a.Status, Signed)
		}
		if got, want := a.SignedOn(), signedDay.AddDays(2); got != want {
			t.Errorf("SignedOn: got %v, want the last signature %v", got, want)
		}
		if got := Refresh(a, startDay).Status; got != InForce {
			t.Errorf("on the start day: got %q, want %q", got, InForce)
		}
	})
	t.Run("without a start date the convention is in force from the last signature", func(t *testing.T) {
		a := valid(Entente)
		a.Term.Start = civil.Date{}
		a.Term.End = civil.Date{}
		a.Term.DurationMonths = 24
		a, err := Submit(a, drafted)
		mustNot(t, err)
		for i, n := range RequiredApprovals(a) {
			a, err = RecordApproval(a, approvalFor(n, deliberated, i+1), deliberated)
			mustNot(t, err)
		}
		for _, p := range a.Parties {
			a, err = Sign(a, Signature{OrgID: p.OrgID, Date: signedDay}, signedDay)
			mustNot(t, err)
		}
		if a.Status != InForce {
			t.Errorf("got %q, want %q on the day of the last signature", a.Status, InForce)
		}
	})
}

func TestRefresh(t *testing.T) {
	t.Run("a convention past its end expires", func(t *testing.T) {
		a := inForce(t, Entente)
		if got := Refresh(a, endDay).Status; got != InForce {
			t.Errorf("on its last day: got %q, want %q", got, InForce)
		}
		if got := Refresh(a, endDay.AddDays(1)).Status; got != Expired {
			t.Errorf("the day after: got %q, want %q", got, Expired)
		}
	})
	t.Run("a tacitly renewable convention renews for the same duration", func(t *testing.T) {
		a := inForce(t, Entente)
		a.Term.Start, a.Term.End, a.Term.TacitRenewal = startDay, civil.MustParse("2027-06-30"), true
		got := Refresh(a, civil.MustParse("2029-01-01"))
		if got.Status != InForce {
			t.Fatalf("got %q, want %q", got.Status, InForce)
		}
		ends := []civil.Date{}
		for _, r := range got.Renewals {
			if !r.Tacit {
				t.Errorf("renewal %d: got express, want tacit", r.Number)
			}
			ends = append(ends, r.NewEnd)
		}
		want := []civil.Date{civil.MustParse("2028-06-30"), civil.MustParse("2029-06-30")}
		if !slices.Equal(ends, want) {
			t.Errorf("renewal ends: got %v, want %v", ends, want)
		}
	})
	t.Run("tacit renewals stop at their cap", func(t *testing.T) {
		a := inForce(t, Entente)
		a.Term.End, a.Term.TacitRenewal, a.Term.RenewalMonths, a.Term.MaxRenewals = civil.MustParse("2027-06-30"), true, 12, 1
		got := Refresh(a, civil.MustParse("2028-07-01"))
		if got.Status != Expired || len(got.Renewals) != 1 {
			t.Errorf("got %q with %d renewals, want %q after 1", got.Status, len(got.Renewals), Expired)
		}
	})
	t.Run("notice given in time stops a tacit renewal", func(t *testing.T) {
		a := inForce(t, Entente)
		a.Term.End, a.Term.TacitRenewal = civil.MustParse("2027-06-30"), true
		a, err := Terminate(a, Termination{By: onet.OrgID, Date: civil.MustParse("2027-04-01"), Reason: "Non-reconduction"}, civil.MustParse("2027-04-01"))
		mustNot(t, err)
		got := Refresh(a, civil.MustParse("2027-07-01"))
		if got.Status != Terminated || len(got.Renewals) != 0 {
			t.Errorf("got %q with %d renewals, want %q without renewal", got.Status, len(got.Renewals), Terminated)
		}
	})
	t.Run("a convention terminated before its start never comes into force", func(t *testing.T) {
		a := approved(t, Entente)
		for _, p := range a.Parties {
			var err error
			a, err = Sign(a, Signature{OrgID: p.OrgID, Date: signedDay}, signedDay)
			mustNot(t, err)
		}
		a, err := Terminate(a, Termination{By: rodez.OrgID, Date: signedDay.AddDays(5), Effective: signedDay.AddDays(5),
			Reason: "Projet abandonné", Mutual: true}, signedDay.AddDays(5))
		mustNot(t, err)
		if a.Status != Terminated {
			t.Errorf("got %q, want %q", a.Status, Terminated)
		}
	})
	t.Run("a mandat running until completion does not expire", func(t *testing.T) {
		a := valid(MandatMaitriseOuvrage)
		a.Term.End, a.Term.UntilCompletion = civil.Date{}, true
		a = signedVersion(a)
		if got := Refresh(a, civil.MustParse("2035-01-01")).Status; got != InForce {
			t.Errorf("got %q, want %q", got, InForce)
		}
	})
}

func TestAmend(t *testing.T) {
	delibs := func(date civil.Date, orgs ...int64) []Approval {
		var out []Approval
		for i, o := range orgs {
			out = append(out, Approval{OrgID: o, Kind: Deliberation, Number: "AV-" + string(rune('1'+i)), Date: date, TransmittedOn: date})
		}
		return out
	}
	t.Run("a draft is edited, not amended", func(t *testing.T) {
		_, err := Amend(valid(Entente), valid(Entente).Content, Amendment{Date: amendDay, Reason: "x"}, amendDay)
		refusal(t, err, "signée ou en vigueur")
	})
	t.Run("an avenant that changes nothing is refused", func(t *testing.T) {
		a := inForce(t, Entente)
		_, err := Amend(a, a.Content, Amendment{Date: amendDay, Reason: "Rien", Approvals: delibs(amendDelib, 1, 2, 3)}, amendDay)
		refusal(t, err, "ne modifie rien")
	})
	t.Run("an avenant needs every party's deliberation", func(t *testing.T) {
		a := inForce(t, Entente)
		next := a.Content
		next.Title = "Autre titre"
		_, err := Amend(a, next, Amendment{Date: amendDay, Reason: "Titre", Approvals: delibs(amendDelib, 1, 2)}, amendDay)
		refusal(t, err, "délibération de « Olemps »")
	})
	t.Run("an avenant breaking a rule is refused", func(t *testing.T) {
		a := inForce(t, Entente)
		next := a.Content
		next.Parties = []Party{as(rodez, RoleLead), as(onet, RoleMember), as(metz, RoleMember)}
		_, err := Amend(a, next, Amendment{Date: amendDay, Reason: "Adhésion", Approvals: delibs(amendDelib, 1, 2, metz.OrgID)}, amendDay)
		r := refusal(t, err, "droit local")
		if !has(r.Violations, RuleLocalLaw.ID) {
			t.Errorf("got %v, want %q", r.Violations, RuleLocalLaw.ID)
		}
	})
	t.Run("an avenant adding a member keeps the previous version and signs the newcomer in", func(t *testing.T) {
		a := inForce(t, GroupementCommandes)
		next := a.Content
		next.Parties = append(slices.Clone(next.Parties), as(druelle, RoleMember))
		am := Amendment{Date: amendDay, Reason: "Adhésion de Druelle Balsac",
			Approvals: delibs(amendDelib, rodez.OrgID, onet.OrgID, olemps.OrgID, luc.OrgID, druelle.OrgID)}
		next.PurchasingGroup.LaunchDate = civil.MustParse("2026-11-02") // a new procedure for the enlarged group
		got, err := Amend(a, next, am, amendDay)
		mustNot(t, err)
		if got.Version() != 1 || len(got.Amendments[0].Previous.Parties) != 4 || len(got.Parties) != 5 {
			t.Errorf("got version %d with %d parties (previously %d), want version 1 with 5 (previously 4)",
				got.Version(), len(got.Parties), len(got.Amendments[0].Previous.Parties))
		}
		if s, ok := got.signature(druelle.OrgID); !ok || s.Date != amendDay {
			t.Errorf("newcomer's signature: got %v, %v, want dated %v", s, ok, amendDay)
		}
		fields := map[string]Change{}
		for _, c := range got.Amendments[0].Changes {
			fields[c.Field] = c
		}
		if c := fields["purchasing_group.launch_date"]; c.Previous != "2026-06-15" || c.New != "2026-11-02" {
			t.Errorf("launch date change: got %+v, want 2026-06-15 → 2026-11-02", c)
		}
		if c, ok := fields["parties[4]"]; !ok || c.Previous != "" || !strings.Contains(c.New, "Druelle Balsac") {
			t.Errorf("added party: got %+v, want the whole new party", c)
		}
	})
	t.Run("an avenant moving the end into the past ends the convention", func(t *testing.T) {
		a := inForce(t, Entente)
		next := a.Content
		next.Term.End = amendDay
		got, err := Amend(a, next, Amendment{Date: amendDay, Reason: "Fin anticipée", Approvals: delibs(amendDelib, 1, 2, 3)}, amendDay.AddDays(1))
		mustNot(t, err)
		if got.Status != Expired {
			t.Errorf("got %q, want %q", got.Status, Expired)
		}
	})
}

func TestRenew(t *testing.T) {
	t.Run("an express renewal moves the end", func(t *testing.T) {
		a := inForce(t, Entente)
		got, err := Renew(a, civil.MustParse("2030-12-31"), amendDay, amendDay)
		mustNot(t, err)
		if got.CurrentEnd() != civil.MustParse("2030-12-31") || got.Renewals[0].PreviousEnd != endDay || got.Renewals[0].Tacit {
			t.Errorf("got %+v, want an express renewal from %v to 2030-12-31", got.Renewals, endDay)
		}
	})
	t.Run("a renewal must extend the term", func(t *testing.T) {
		_, err := Renew(inForce(t, Entente), endDay, amendDay, amendDay)
		refusal(t, err, "doit suivre")
	})
	t.Run("a secondment is renewed for three years at most", func(t *testing.T) {
		a := inForce(t, MADPersonnel)
		_, err := Renew(a, civil.MustParse("2032-07-01"), amendDay, amendDay)
		r := refusal(t, err, "dépasse trois ans")
		if !has(r.Violations, RuleMaxDuration.ID) {
			t.Errorf("got %v, want %q", r.Violations, RuleMaxDuration.ID)
		}
		_, err = Renew(a, civil.MustParse("2032-06-30"), amendDay, amendDay)
		mustNot(t, err)
	})
}

func TestTerminate(t *testing.T) {
	a := inForce(t, Entente)
	tests := []struct {
		name     string
		t        Termination
		fragment string
	}{
		{"a termination needs a reason", Termination{By: onet.OrgID, Date: terminateDay}, "motif"},
		{"a termination comes from a party", Termination{By: millau.OrgID, Date: terminateDay, Reason: "x"}, "émaner d'une partie"},
		{"a termination cannot be dated in the future", Termination{By: onet.OrgID, Date: terminateDay.AddDays(1), Reason: "x"}, "futur"},
		{"a unilateral termination respects the notice", Termination{By: onet.OrgID, Date: terminateDay, Effective: terminateDay.AddMonths(2), Reason: "x"}, "préavis de 3 mois"},
		{"a termination cannot take effect before it is decided", Termination{By: onet.OrgID, Date: terminateDay, Effective: terminateDay.AddDays(-1), Reason: "x", Mutual: true}, "avant d'être décidée"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Terminate(a, tt.t, terminateDay)
			refusal(t, err, tt.fragment)
		})
	}
	t.Run("a mutual termination needs no notice", func(t *testing.T) {
		got, err := Terminate(a, Termination{By: onet.OrgID, Date: terminateDay, Effective: terminateDay, Reason: "Accord des parties", Mutual: true}, terminateDay)
		mustNot(t, err)
		if got.Status != Terminated {
			t.Errorf("got %q, want %q", got.Status, Terminated)
		}
	})
	t.Run("a terminated convention cannot be terminated again", func(t *testing.T) {
		got, err := Terminate(a, Termination{By: onet.OrgID, Date: terminateDay, Reason: "Départ"}, terminateDay)
		mustNot(t, err)
		_, err = Terminate(got, Termination{By: rodez.OrgID, Date: terminateDay, Reason: "Aussi"}, terminateDay)
		refusal(t, err, "déjà enregistrée")
	})
	t.Run("a draft cannot be terminated", func(t *testing.T) {
		_, err := Terminate(valid(Entente), Termination{By: onet.OrgID, Date: terminateDay, Reason: "x"}, terminateDay)
		refusal(t, err, "signée ou en vigueur")
	})
}

func TestConferenceDecisions(t *testing.T) {
	a := inForce(t, Entente)
	decision := ConferenceDecision{Ref: "CONF-2026-1", Date: amendDay, Subject: "Tarifs de la piscine"}
	a, err := RecordDecision(a, decision, amendDay)
	mustNot(t, err)
	t.Run("a decision cannot be recorded twice", func(t *testing.T) {
		_, err := RecordDecision(a, decision, amendDay)
		refusal(t, err, "déjà enregistrée")
	})
	t.Run("only an entente has a conférence", func(t *testing.T) {
		_, err := RecordDecision(inForce(t, Prestation), decision, amendDay)
		refusal(t, err, "seule une entente")
	})
	ratify := func(org int64, date civil.Date) Approval {
		return Approval{OrgID: org, Kind: Ratification, Number: "R-1", Date: date, TransmittedOn: date, Decision: decision.Ref}
	}
	t.Run("a ratification cannot precede the decision", func(t *testing.T) {
		_, err := RecordApproval(a, ratify(rodez.OrgID, amendDay.AddDays(-1)), terminateDay)
		refusal(t, err, "précède la décision")
	})
	t.Run("a ratification names a recorded decision", func(t *testing.T) {
		ap := ratify(rodez.OrgID, terminateDay)
		ap.Decision = "CONF-X"
		_, err := RecordApproval(a, ap, terminateDay)
		refusal(t, err, "n'est pas enregistrée")
	})
	t.Run("a decision is enforceable only once every council has ratified it", func(t *testing.T) {
		b := a
		for i, p := range b.Parties {
			if Enforceable(b, decision.Ref) {
				t.Fatalf("after %d ratification(s): got enforceable, want not yet", i)
			}
			if got := len(RatificationAlerts(b)); got != len(b.Parties)-i {
				t.Errorf("alerts after %d ratification(s): got %d, want %d", i, got, len(b.Parties)-i)
			}
			var err error
			b, err = RecordApproval(b, ratify(p.OrgID, terminateDay), terminateDay)
			mustNot(t, err)
		}
		if !Enforceable(b, decision.Ref) {
			t.Error("after every ratification: got not enforceable, want enforceable")
		}
		_, err := RecordApproval(b, ratify(rodez.OrgID, terminateDay), terminateDay)
		refusal(t, err, "déjà ratifiée")
	})
}

func TestRecordUnitCostNotice(t *testing.T) {
	a := inForce(t, MADServicesAscendante)
	got, err := RecordUnitCostNotice(a, UnitCostNotice{Year: 2026, Date: amendDay}, amendDay)
	mustNot(t, err)
	if len(got.UnitCostNotices) != 1 {
		t.Errorf("got %d notices, want 1", len(got.UnitCostNotices))
	}
	_, err = RecordUnitCostNotice(inForce(t, Entente), UnitCostNotice{Year: 2026, Date: amendDay}, amendDay)
	refusal(t, err, "pas de coût unitaire")
}

func TestLifecycleFunctionsDoNotAliasTheirInput(t *testing.T) {
	a := approved(t, Entente)
	a.Signatures = slices.Grow(a.Signatures, 10) // spare capacity an append could write into
	b, err := Sign(a, Signature{OrgID: rodez.OrgID, Date: signedDay}, signedDay)
	mustNot(t, err)
	c, err := Sign(a, Signature{OrgID: onet.OrgID, Date: signedDay}, signedDay)
	mustNot(t, err)
	if b.Signatures[0].OrgID != rodez.OrgID || c.Signatures[0].OrgID != onet.OrgID {
		t.Errorf("got signatures %v and %v, want each its own", b.Signatures, c.Signatures)
	}
}
