package agreement

import (
	"strings"
	"testing"

	"voisines/internal/civil"
)

func TestCouncilRenewalYear(t *testing.T) {
	for year, want := range map[int]bool{2014: true, 2020: true, 2026: true, 2032: true, 2025: false, 2027: false, 2002: false} {
		if got := CouncilRenewalYear(year); got != want {
			t.Errorf("%d: got %v, want %v", year, got, want)
		}
	}
}

func TestUnitCostDeadline(t *testing.T) {
	tests := []struct {
		name   string
		signed string
		year   int
		want   string
	}{
		{"in 2026, a council-renewal year, the unit cost is due by 30 April", "2024-03-10", 2026, "2026-04-30"},
		{"in an ordinary year it is due by 15 April", "2024-03-10", 2027, "2027-04-15"},
		{"in the year of signature it is due within three months of signature", "2026-06-01", 2026, "2026-09-01"},
		{"signed in January, the three months end before April", "2027-01-10", 2027, "2027-04-10"},
		{"the year after signature the budget date applies again", "2026-06-01", 2027, "2027-04-15"},
		{"three months from 30 November end on the last day of February", "2026-11-30", 2026, "2027-02-28"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := UnitCostDeadline(civil.MustParse(tt.signed), tt.year).String(); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestUnitCostAlert(t *testing.T) {
	a := inForce(t, MADServicesAscendante) // signed 1 June 2026: due 1 September 2026
	t.Run("not yet within the horizon", func(t *testing.T) {
		if al, ok := UnitCostAlert(a, civil.MustParse("2026-07-01"), 30); ok {
			t.Errorf("got %+v, want no alert two months ahead with a 30-day horizon", al)
		}
	})
	t.Run("due within the horizon, addressed to the provider", func(t *testing.T) {
		al, ok := UnitCostAlert(a, civil.MustParse("2026-08-15"), 30)
		if !ok || al.Due != civil.MustParse("2026-09-01") || al.Overdue || al.OrgID != olemps.OrgID {
			t.Errorf("got %+v, %v, want an alert due 2026-09-01 for Olemps, not overdue", al, ok)
		}
		if !strings.Contains(al.Message, "au plus tard le 1er septembre 2026") {
			t.Errorf("got message %q, want the deadline in French", al.Message)
		}
	})
	t.Run("overdue the day after", func(t *testing.T) {
		al, ok := UnitCostAlert(a, civil.MustParse("2026-09-02"), 30)
		if !ok || !al.Overdue {
			t.Errorf("got %+v, %v, want an overdue alert", al, ok)
		}
	})
	t.Run("the next year, by 15 April", func(t *testing.T) {
		al, ok := UnitCostAlert(a, civil.MustParse("2027-04-01"), 30)
		if !ok || al.Due != civil.MustParse("2027-04-15") {
			t.Errorf("got %+v, %v, want due 2027-04-15", al, ok)
		}
	})
	t.Run("no alert once the year's notice is recorded", func(t *testing.T) {
		b, err := RecordUnitCostNotice(a, UnitCostNotice{Year: 2026, Date: civil.MustParse("2026-08-20")}, civil.MustParse("2026-08-20"))
		mustNot(t, err)
		if al, ok := UnitCostAlert(b, civil.MustParse("2026-09-02"), 30); ok {
			t.Errorf("got %+v, want none", al)
		}
	})
	t.Run("no unit cost for an entente", func(t *testing.T) {
		if al, ok := UnitCostAlert(inForce(t, Entente), civil.MustParse("2026-08-15"), 30); ok {
			t.Errorf("got %+v, want none", al)
		}
	})
}

func TestEquipmentUseAlert(t *testing.T) {
	first := civil.MustParse("2025-09-15")
	tests := []struct {
		name    string
		first   civil.Date
		today   string
		covered bool
		want    bool
	}{
		{"eleven months of use without convention raise no alert yet", first, "2026-08-15", false, false},
		{"twelve months of use without convention raise the alert", first, "2026-09-15", false, true},
		{"later still the alert stays", first, "2027-01-01", false, true},
		{"a signed convention silences it", first, "2027-01-01", true, false},
		{"no first use, no alert", civil.Date{}, "2027-01-01", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			al, got := EquipmentUseAlert(tt.first, civil.MustParse(tt.today), tt.covered)
			if got != tt.want {
				t.Fatalf("got %v (%+v), want %v", got, al, tt.want)
			}
			if got && (al.Due != civil.MustParse("2026-09-15") || !al.Overdue || !strings.Contains(al.Message, "dépense obligatoire")) {
				t.Errorf("got %+v, want due 2026-09-15, overdue, naming the dépense obligatoire", al)
			}
		})
	}
}

func TestExpiring(t *testing.T) {
	a := inForce(t, Entente) // ends 2028-12-31
	t.Run("a convention ending within the horizon is reported", func(t *testing.T) {
		got := Expiring(a, civil.MustParse("2028-11-15"), 60)
		if len(got) != 1 || got[0].Kind != AlertExpiring || got[0].Due != endDay {
			t.Fatalf("got %+v, want one expiry alert due %v", got, endDay)
		}
		if !strings.Contains(got[0].Message, "dans 46 jours") {
			t.Errorf("got %q, want the days left", got[0].Message)
		}
	})
	t.Run("a convention ending later is not", func(t *testing.T) {
		if got := Expiring(a, civil.MustParse("2028-10-01"), 60); len(got) != 0 {
			t.Errorf("got %+v, want none", got)
		}
	})
	t.Run("a tacit renewal is reported by its notice deadline", func(t *testing.T) {
		b := a
		b.Term.TacitRenewal = true
		got := Expiring(b, civil.MustParse("2028-09-01"), 60)
		if len(got) != 1 || got[0].Kind != AlertNotice || got[0].Due != civil.MustParse("2028-10-01") {
			t.Fatalf("got %+v, want a notice alert due 2028-10-01 (three months before 2029-01-01)", got)
		}
		// Notice given on that day stops the renewal.
		b, err := Terminate(b, Termination{By: onet.OrgID, Date: civil.MustParse("2028-10-01"), Reason: "Non-reconduction"}, civil.MustParse("2028-10-01"))
		mustNot(t, err)
		if got := Refresh(b, civil.MustParse("2029-01-01")); got.Status != Terminated || len(got.Renewals) != 0 {
			t.Errorf("got %q with %d renewals, want %q", got.Status, len(got.Renewals), Terminated)
		}
	})
	t.Run("a draft never expires", func(t *testing.T) {
		if got := Expiring(valid(Entente), civil.MustParse("2028-12-30"), 60); len(got) != 0 {
			t.Errorf("got %+v, want none", got)
		}
	})
}

func TestApprovalAlerts(t *testing.T) {
	a := submitted(t, GroupementCommandes)
	a, err := RecordApproval(a, approvalFor(RequiredApprovals(a)[0], deliberated, 1), deliberated)
	mustNot(t, err)
	got := ApprovalAlerts(a)
	if len(got) != 3 {
		t.Fatalf("got %d alerts, want 3 (Onet, Olemps, Luc-la-Primaube)", len(got))
	}
	for i, want := range []int64{onet.OrgID, olemps.OrgID, luc.OrgID} {
		if got[i].OrgID != want || got[i].Due != launch.AddDays(-1) {
			t.Errorf("alert %d: got %+v, want for org %d due the day before the launch", i, got[i], want)
		}
	}
	if got := ApprovalAlerts(valid(Entente)); len(got) != 0 {
		t.Errorf("a draft: got %+v, want none", got)
	}
}

func TestAlertsGathersEverything(t *testing.T) {
	a := valid(EquipementPartage)
	a.ID = 42
	a.Equipment.FirstUse = civil.MustParse("2025-03-01")
	a, err := Submit(a, drafted)
	mustNot(t, err)
	got := Alerts(a, drafted, 30)
	kinds := map[AlertKind]int{}
	for _, al := range got {
		kinds[al.Kind]++
		if al.AgreementID != 42 {
			t.Errorf("got agreement id %d, want 42", al.AgreementID)
		}
	}
	if kinds[AlertEquipment] != 1 || kinds[AlertMissingApproval] != 2 {
		t.Errorf("got %v, want 1 equipment alert and 2 missing approvals", kinds)
	}
}
