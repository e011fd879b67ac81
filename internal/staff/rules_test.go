package staff

import (
	"fmt"
	"strings"
	"testing"

	"voisines/internal/agreement"
	"voisines/internal/civil"
	"voisines/internal/money"
)

func date(s string) civil.Date { return civil.MustParse(s) }

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want int64 // 0: refused
	}{
		{"7:30", 450}, {"7h30", 450}, {"7 h 30", 450}, {"7H30", 450}, {"7h", 420}, {"0:45", 45},
		{"45 min", 45}, {"45min", 45}, {"45 mn", 45}, {"7,5", 450}, {"7.5", 450}, {"1,25", 75}, {"8", 480}, {"0,1", 6},
		{"", 0}, {"0", 0}, {"0:00", 0}, {"-1", 0}, {"7:3", 0}, {"7:60", 0}, {"h30", 0}, {"0,01", 0}, {"1/2", 0},
		{"50%", 0}, {"7h30min", 0}, {"sept heures", 0}, {"1e3", 0}, {"99999999", 0},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q is %d minutes", tt.in, tt.want), func(t *testing.T) {
			got, err := ParseDuration(tt.in)
			if tt.want == 0 {
				if err == nil {
					t.Fatalf("got %d, want an error", got)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %d, %v; want %d", got, err, tt.want)
			}
		})
	}
}

func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"7:30", "7 h 30", "45 min", "7,5", "0,01", "1/2", "99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseDuration(s)
		if err == nil && (m <= 0 || m > 60_000_000) {
			t.Fatalf("%q: got %d minutes", s, m)
		}
	})
}

func TestPeriodMonthsAndEffectiveQuotite(t *testing.T) {
	tests := []struct {
		from, to string
		months   money.Rat
	}{
		{"2026-05-01", "2026-12-31", money.IntRat(8)},
		{"2026-01-01", "2026-12-31", money.IntRat(12)},
		{"2026-05-01", "2026-05-31", money.IntRat(1)},
		{"2026-05-16", "2026-05-31", money.NewRat(16, 31)},
		{"2026-02-01", "2026-03-15", money.NewRat(1, 1).Add(money.NewRat(15, 31))},
	}
	for _, tt := range tests {
		t.Run(tt.from+" to "+tt.to, func(t *testing.T) {
			if got := periodMonths(date(tt.from), date(tt.to)); got.Cmp(tt.months) != 0 {
				t.Fatalf("got %s months, want %s", got, tt.months)
			}
		})
	}
	t.Run("the share of a full time: 400 h over 8 months of 1,607 h a year", func(t *testing.T) {
		months := periodMonths(date("2026-05-01"), date("2026-12-31"))
		// 400 / (1,607 × 8 / 12) = 1,200 / 3,214 = 600/1,607.
		if got := fullTimeShare(24_000, 1607, months); got.Cmp(money.NewRat(600, 1607)) != 0 {
			t.Fatalf("got %s, want 600/1607", got)
		}
		// 1,072 h (more than 1,607 × 8 / 12 ≈ 1,071.3 h) is more than a full time.
		if got := fullTimeShare(1072*60, 1607, months); got.Cmp(money.IntRat(1)) <= 0 {
			t.Fatalf("got %s, want more than 1", got)
		}
	})
}

// signedSecondment is a convention of Rodez (1) seconding Jeanne Dupont to
// Conques (2) at 30 %, with the agent's consent.
func signedSecondment() agreement.Agreement {
	a := agreement.New(agreement.MADPersonnel, agreement.Content{
		Title: "MAD", Term: agreement.Term{Start: date("2026-05-01"), End: date("2026-12-31")},
		Parties: []agreement.Party{{OrgID: 1, Name: "Rodez", Kind: agreement.Commune, Role: agreement.RoleHomeEmployer},
			{OrgID: 2, Name: "Conques-en-Rouergue", Kind: agreement.Commune, Role: agreement.RoleHost}},
		Secondment: agreement.SecondmentTerms{Agent: "Mme Jeanne DUPONT", Quotite: agreement.Fraction{Num: 30, Den: 100}},
	})
	a.Status = agreement.Signed
	a.Approvals = []agreement.Approval{{OrgID: 1, Kind: agreement.AgentConsent, Date: date("2026-02-15"), Number: "AC-1"}}
	return a
}

func TestSecondmentAlerts(t *testing.T) {
	ag := Agent{ID: 7, EmployerOrgID: 1, FamilyName: "Dupont", GivenName: "Jeanne"}
	base := Secondment{ID: 3, AgentID: 7, AgreementID: 9, EmployerOrgID: 1, EmployerName: "Rodez", HostOrgID: 2, HostName: "Conques-en-Rouergue",
		Quotite: agreement.Fraction{Num: 3, Den: 10}, Start: date("2026-05-01"), End: date("2026-12-31")}
	costs := map[int]bool{2026: true}
	tests := []struct {
		name  string
		edit  func(*Secondment, *agreement.Agreement)
		today string
		costs map[int]bool
		want  []AlertKind
	}{
		{"a secondment in order raises nothing", nil, "2026-06-01", costs, nil},
		{"more than three months before its end, nothing yet", nil, "2026-09-30", costs, nil},
		{"three months before the day after its end, the end", nil, "2026-10-01", costs, []AlertKind{AlertEnding}},
		{"on its last day, still the end", nil, "2026-12-31", costs, []AlertKind{AlertEnding}},
		{"once over, nothing", nil, "2027-01-01", costs, nil},
		{"a terminated convention announces no end", func(_ *Secondment, a *agreement.Agreement) { a.Status = agreement.Terminated },
			"2026-10-01", costs, nil},
		{"without the consent on the convention", func(_ *Secondment, a *agreement.Agreement) { a.Approvals = nil },
			"2026-06-01", costs, []AlertKind{AlertConsent}},
		{"a refused consent does not count", func(_ *Secondment, a *agreement.Agreement) { a.Approvals[0].Unfavourable = true },
			"2026-06-01", costs, []AlertKind{AlertConsent}},
		{"exactly three years is allowed", func(s *Secondment, a *agreement.Agreement) { s.End = date("2029-04-30"); a.Term.End = s.End },
			"2026-06-01", costs, nil},
		{"a day more than three years", func(s *Secondment, a *agreement.Agreement) { s.End = date("2029-05-01"); a.Term.End = s.End },
			"2026-06-01", costs, []AlertKind{AlertDuration}},
		{"the cost of the running year is missing", nil, "2026-06-01", map[int]bool{}, []AlertKind{AlertCost}},
		{"before it starts, no cost is due", nil, "2026-04-01", map[int]bool{}, nil},
		{"a quotité changed by avenant", func(_ *Secondment, a *agreement.Agreement) {
			a.Secondment.Quotite = agreement.Fraction{Num: 1, Den: 2}
		}, "2026-06-01", costs, []AlertKind{AlertMismatch}},
		{"another agent named in the convention", func(_ *Secondment, a *agreement.Agreement) { a.Secondment.Agent = "Luc Martin" },
			"2026-06-01", costs, []AlertKind{AlertMismatch}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, a := base, signedSecondment()
			if tt.edit != nil {
				tt.edit(&s, &a)
			}
			got := secondmentAlerts(s, ag, a, tt.costs, date(tt.today))
			var kinds []AlertKind
			for _, al := range got {
				kinds = append(kinds, al.Kind)
				if al.Message == "" || al.SecondmentID != 3 {
					t.Errorf("got alert %+v", al)
				}
			}
			if fmt.Sprint(kinds) != fmt.Sprint(tt.want) {
				t.Fatalf("got %v, want %v (%v)", kinds, tt.want, got)
			}
		})
	}
}

func TestConsentOfReadsTheConventionAndItsAvenants(t *testing.T) {
	a := signedSecondment()
	c, ok := consentOf(a)
	if !ok || c.Reference != "AC-1" || c.Amendment != 0 {
		t.Fatalf("got %+v, %v", c, ok)
	}
	a.Amendments = []agreement.Amendment{{Number: 1, Date: date("2026-09-01"),
		Approvals: []agreement.Approval{{OrgID: 1, Kind: agreement.AgentConsent, Date: date("2026-08-20"), Number: "AC-2"}}}}
	if c, ok = consentOf(a); !ok || c.Reference != "AC-2" || c.Amendment != 1 {
		t.Fatalf("got %+v, %v; want the avenant's consent", c, ok)
	}
	a.Approvals[0].OrgID = 2
	a.Amendments = nil
	if _, ok := consentOf(a); ok {
		t.Fatal("a consent recorded by the host is not the home employer's")
	}
}

func TestParseTimeCSV(t *testing.T) {
	t.Run("a good file, with a semicolon, a BOM and French dates", func(t *testing.T) {
		rows, errs := parseTimeCSV(strings.NewReader("\ufeffagreement;date;duration;activity;note\n2026-0001;04/05/2026;7 h 30;Tonte;\n\n2026-0001;2026-05-05;45 min;Taille;haies\n"))
		if len(errs) != 0 || len(rows) != 2 {
			t.Fatalf("got %v %v", rows, errs)
		}
		if rows[0].date != date("2026-05-04") || rows[0].minutes != 450 || rows[1].line != 4 || rows[1].note != "haies" {
			t.Fatalf("got %+v", rows)
		}
	})
	t.Run("every error with its line and column", func(t *testing.T) {
		_, errs := parseTimeCSV(strings.NewReader("secondment,date,duration,activity\nabc,2026-13-01,7h30,Tonte\n3,2026-05-04,sept heures,Tonte\n,2026-05-04,1:00,x\n"))
		var got []string
		for _, e := range errs {
			got = append(got, fmt.Sprintf("%d/%s", e.Line, e.Column))
		}
		if want := "[2/secondment 2/date 3/duration 4/secondment]"; fmt.Sprint(got) != want {
			t.Fatalf("got %v, want %s (%v)", got, want, errs)
		}
	})
	t.Run("a header without the required columns", func(t *testing.T) {
		_, errs := parseTimeCSV(strings.NewReader("date,heures,activity\n"))
		if len(errs) != 3 {
			t.Fatalf("got %v, want the unknown column, the missing duration and the missing secondment", errs)
		}
	})
}

func FuzzParseTimeCSV(f *testing.F) {
	f.Add("secondment,date,duration,activity,note\n1,2026-05-04,7:30,Tonte,\n")
	f.Add("agreement;date;duration;activity\n2026-0001;04/05/2026;7,5;x\n")
	f.Add("date\n\"unterminated\n")
	f.Fuzz(func(t *testing.T, s string) {
		rows, errs := parseTimeCSV(strings.NewReader(s))
		for _, e := range errs {
			if e.Message == "" {
				t.Fatalf("an error without a message: %+v", e)
			}
		}
		if len(errs) == 0 {
			for _, r := range rows {
				if r.minutes <= 0 || r.date.IsZero() || (r.secondment == 0 && r.agreement == "") {
					t.Fatalf("a row accepted without its fields: %+v", r)
				}
			}
		}
	})
}
