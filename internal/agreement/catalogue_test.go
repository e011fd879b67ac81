package agreement

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"voisines/internal/civil"
)

func TestCatalogueCoversEveryInstrumentOfTheIssue(t *testing.T) {
	want := []Kind{Entente, Prestation, MADServicesAscendante, MADServicesDescendante, MADServiceL5111, ServiceUnifie,
		ServiceCommun, BiensPartages, EquipementPartage, BiensIndivis, MADPersonnel, GroupementCommandes,
		DelegationCompetence, MandatMaitriseOuvrage, CoMaitriseOuvrage, AssistanceTechnique, PartenariatEvenement, FraisScolarite}
	if got := Kinds(); !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestEverySpecIsComplete(t *testing.T) {
	orgKinds := []OrgKind{Commune, EPCI, SyndicatCommunes, SyndicatMixte, CommissionSyndicale, Departement, Region, EPARattache, Association, OrganismePrive}
	for _, s := range Catalogue() {
		t.Run(string(s.Kind)+" has a label, a basis, roles, clauses, approvals and financial modes", func(t *testing.T) {
			if s.Label == "" || len(s.Basis) == 0 || s.MinParties < 2 || len(s.FinancialModes) == 0 || len(s.Approvals) == 0 {
				t.Errorf("got %+v, want label, basis, at least 2 parties, approvals and financial modes", s)
			}
			for _, b := range s.Basis {
				if b.Code == "" || !strings.Contains(b.String(), b.Code) {
					t.Errorf("basis %+v: got no code name, want one", b)
				}
			}
			if _, ok := s.Role(s.LeadRole); !ok {
				t.Errorf("lead role %q: got no RoleSpec, want one", s.LeadRole)
			}
			minSum := 0
			for _, r := range s.Roles {
				minSum += r.Min
				if r.Label == "" || len(r.OrgKinds) == 0 || (r.Max > 0 && r.Max < r.Min) {
					t.Errorf("role %+v: got an incomplete spec", r)
				}
				for _, k := range r.OrgKinds {
					if !slices.Contains(orgKinds, k) {
						t.Errorf("role %q admits %q, which is not an organisation kind", r.Role, k)
					}
				}
			}
			if minSum == 0 {
				t.Error("got no role that must be held, want at least one")
			}
			mandatory, ids := 0, map[ClauseID]bool{}
			for _, c := range s.Clauses {
				if c.Title == "" || ids[c.ID] {
					t.Errorf("clause %+v: got an empty title or a duplicate", c)
				}
				ids[c.ID] = true
				if c.Level == Mandatory {
					mandatory++
				}
			}
			if mandatory == 0 {
				t.Error("got no mandatory clause, want the object at least")
			}
			for _, r := range s.Approvals {
				if r.Title == "" || r.Kind.Label() == string(r.Kind) {
					t.Errorf("approval %+v: got no title or an unknown kind", r)
				}
			}
			for _, m := range s.FinancialModes {
				if m.Label() == string(m) {
					t.Errorf("financial mode %q: unknown", m)
				}
			}
		})
	}
}

func TestLookupReturnsACopy(t *testing.T) {
	s, _ := Lookup(Entente)
	s.Roles[0].OrgKinds[0] = Association
	s.Clauses[0].Title = "modifié"
	again, _ := Lookup(Entente)
	if again.Roles[0].OrgKinds[0] != Commune || again.Clauses[0].Title != "Objet" {
		t.Errorf("got %+v, want the catalogue unchanged by a caller", again)
	}
	if _, ok := Lookup("inconnu"); ok {
		t.Error("Lookup of an unknown kind: got ok, want not found")
	}
	if got := Kind("inconnu").Label(); got != "inconnu" {
		t.Errorf("label of an unknown kind: got %q, want its code", got)
	}
}

func TestSecondmentRequiresTheAgentsConsentAndNotTheHostsDeliberation(t *testing.T) {
	a := valid(MADPersonnel)
	var got []string
	for _, n := range RequiredApprovals(a) {
		got = append(got, string(n.Kind)+"@"+n.PartyName)
	}
	want := []string{"accord_agent@Onet-le-Château", "information_assemblee@Onet-le-Château", "arrete@Onet-le-Château"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// A secondment is repaid pro rata of the quotité or in real time (hours
// worked × hourly cost, a unit price), or not at all under a waiver; no
// other mode is admitted.
func TestSecondmentAdmitsProRataRealTimeAndWaiver(t *testing.T) {
	tests := []struct {
		mode FinancialMode
		want bool
	}{
		{SalaryProRata, true}, {UnitPrice, true}, {NoFlow, true},
		{FixedPrice, false}, {ActualCostByKey, false}, {CallsForFunds, false},
	}
	for _, tt := range tests {
		a := valid(MADPersonnel)
		a.Financial.Mode = tt.mode
		if tt.mode == NoFlow {
			a.Secondment.RepaymentWaived = false // the waiver rule is not under test
		}
		vs := Validate(a, drafted)
		got := !slices.ContainsFunc(vs, func(v Violation) bool { return v.Rule == RuleFinancialMode.ID })
		if spec, _ := Lookup(MADPersonnel); got != tt.want || spec.Allows(tt.mode) != tt.want {
			t.Errorf("mode %s: got admitted %v (catalogue %v), want %v; violations %v", tt.mode, got, spec.Allows(tt.mode), tt.want, vs)
		}
	}
}

func TestEventApprovalsSkipTheAssociationAndAddTheAccountant(t *testing.T) {
	a := valid(PartenariatEvenement)
	count := map[ApprovalKind]int{}
	for _, n := range RequiredApprovals(a) {
		if n.OrgID == comite.OrgID {
			t.Errorf("got a requirement %q for the association, want none", n.Kind)
		}
		count[n.Kind]++
	}
	if count[Deliberation] != 3 || count[AccountantApproval] != 2 {
		t.Errorf("got %v, want 3 deliberations and 2 accountant approvals (the partner communes)", count)
	}
}

func TestDefaultBody(t *testing.T) {
	tests := []struct {
		o    OrgKind
		k    ApprovalKind
		want string
	}{
		{Commune, Deliberation, "Conseil municipal"},
		{EPCI, Deliberation, "Conseil communautaire"},
		{SyndicatMixte, Ratification, "Comité syndical"},
		{Departement, Deliberation, "Conseil départemental"},
		{Commune, Arrete, "Maire"},
		{EPCI, CSTOpinion, "Comité social territorial"},
		{Commune, CouncilInformation, "Conseil municipal"},
	}
	for _, tt := range tests {
		if got := DefaultBody(tt.o, tt.k); got != tt.want {
			t.Errorf("%s %s: got %q, want %q", tt.o, tt.k, got, tt.want)
		}
	}
}

func TestFilledReadsStructuredFields(t *testing.T) {
	a := valid(MADServicesAscendante)
	a.Clauses = nil
	for _, id := range []ClauseID{ClauseDuree, ClauseFinancier, ClauseMethodeCoutUnitaire, ClausePrevisionUnites} {
		if !Filled(a, id) {
			t.Errorf("%s: got not filled, want filled by its structured field", id)
		}
	}
	if Filled(a, ClauseObjet) {
		t.Error("objet: got filled, want it to need its text")
	}
	a.Term = Term{Start: startDay}
	if Filled(a, ClauseDuree) {
		t.Error("duree with only a start: got filled, want not")
	}
}

func TestAgreementJSONRoundTrips(t *testing.T) {
	a := inForce(t, MADPersonnel)
	a.ID = 7
	b, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	for _, fragment := range []string{`"kind":"mise_a_disposition_personnel"`, `"status":"en_vigueur"`,
		`"quotite":"30/100"`, `"start":"2026-07-01"`, `"title":`, `"parties":[`} {
		if !strings.Contains(string(b), fragment) {
			t.Errorf("got %s, want it to contain %s", b, fragment)
		}
	}
	for _, absent := range []string{`"indivision"`, `"termination"`, `"prestation"`} {
		if strings.Contains(string(b), absent) {
			t.Errorf("got %s, want no empty %s", b, absent)
		}
	}
	var back Agreement
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, a) {
		t.Errorf("round trip: got %+v, want %+v", back, a)
	}
}

func TestFraction(t *testing.T) {
	tests := []struct {
		in      string
		want    Fraction
		percent string
		ok      bool
	}{
		{"3/7", Fraction{3, 7}, "42,86 %", true},
		{"30/100", Fraction{30, 100}, "30 %", true},
		{" 14 / 35 ", Fraction{14, 35}, "40 %", true},
		{"1", Fraction{1, 1}, "100 %", true},
		{"1/0", Fraction{}, "", false},
		{"-1/2", Fraction{}, "", false},
		{"0,3", Fraction{}, "", false},
		{"a/b", Fraction{}, "", false},
	}
	for _, tt := range tests {
		t.Run("parsing "+tt.in, func(t *testing.T) {
			got, err := ParseFraction(tt.in)
			if (err == nil) != tt.ok || got != tt.want {
				t.Fatalf("got %v, %v, want %v (ok=%v)", got, err, tt.want, tt.ok)
			}
			if tt.ok && got.Percent() != tt.percent {
				t.Errorf("percent: got %q, want %q", got.Percent(), tt.percent)
			}
		})
	}
	var f Fraction
	if err := json.Unmarshal([]byte(`"5/8"`), &f); err != nil || f != (Fraction{5, 8}) {
		t.Errorf("JSON: got %v, %v, want 5/8", f, err)
	}
}

func TestDiff(t *testing.T) {
	prev := valid(Entente).Content
	next := prev
	next.Parties = slices.Clone(prev.Parties)
	next.Parties[1].Representative.Name = "Nouveau maire"
	next.Parties = next.Parties[:2]
	next.Term.End = civil.MustParse("2029-12-31")
	got := map[string]Change{}
	for _, c := range Diff(prev, next) {
		got[c.Field] = c
	}
	if c := got["parties[1].representative.name"]; c.Previous != "Paul Bernard" || c.New != "Nouveau maire" {
		t.Errorf("representative: got %+v, want Paul Bernard → Nouveau maire", c)
	}
	if c := got["term.end"]; c.Previous != "2028-12-31" || c.New != "2029-12-31" {
		t.Errorf("end: got %+v, want 2028-12-31 → 2029-12-31", c)
	}
	if c := got["parties[2]"]; !strings.Contains(c.Previous, "Olemps") || c.New != "" {
		t.Errorf("removed party: got %+v, want the whole of Olemps → empty", c)
	}
	if len(got) != 3 {
		t.Errorf("got %d changes %v, want 3", len(got), got)
	}
	if d := Diff(prev, prev); len(d) != 0 {
		t.Errorf("same content: got %v, want no change", d)
	}
}

func TestLocalLaw(t *testing.T) {
	tests := []struct {
		name string
		p    Party
		want bool
	}{
		{"Metz by its flag", Party{AlsaceMoselle: true}, true},
		{"Mulhouse by its département", Party{DepartementCode: "68"}, true},
		{"Strasbourg by its INSEE code alone", Party{CommuneCode: "67482"}, true},
		{"Rodez is under general law", rodez, false},
		{"a Corsican commune is under general law", Party{CommuneCode: "2A004", DepartementCode: "2A"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.p.LocalLaw(); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}
