package service_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"voisines/internal/agreement"
	"voisines/internal/agreement/agreementtest"
	"voisines/internal/auth"
	"voisines/internal/civil"
	"voisines/internal/ledger"
	"voisines/internal/money"
	"voisines/internal/org"
	"voisines/internal/service"
	"voisines/internal/store"
	"voisines/internal/territory"
)

// clock is the services' clock, moved by the tests.
type clock struct{ agreementtest.Clock }

// set moves the clock to ten in the morning of d, in Paris.
func (c *clock) set(d civil.Date) { c.Set(d) }

// world is what every test starts from: real communes of Aveyron and their
// EPCI inserted by SQL (the CA Rodez Agglomération with FPU, the CC de
// Millau Grands Causses made FA for the tests), a clerk and a read-only
// member per organisation and a platform admin; conventions are created
// and signed through agreement.Service, as users would.
type world struct {
	db       *store.DB
	agr      *agreement.Service
	ledger   *ledger.Service
	services *service.Manager
	clock    *clock
	org      map[string]int64
	clerk    map[string]auth.Actor
	reader   map[string]auth.Actor
	admin    auth.Actor
}

var aveyron = agreementtest.Territory{
	EPCIs: []agreementtest.EPCI{
		{Short: "agglo", SIREN: "241200187", Name: "CA Rodez Agglomération", Type: "CA", Financing: "FPU", Representative: "Sophie Garric"},
		{Short: "ccmillau", SIREN: "241200567", Name: "CC de Millau Grands Causses", Type: "CC", Financing: "FA", Representative: "Henri Puech"},
	},
	Communes: []agreementtest.Commune{
		{Short: "rodez", Code: "12202", Name: "Rodez", SIREN: "211202023", EPCI: "241200187", Mayor: "Claire Martin"},
		{Short: "onet", Code: "12176", Name: "Onet-le-Château", SIREN: "211201769", EPCI: "241200187", Mayor: "Paul Bernard"},
		{Short: "olemps", Code: "12174", Name: "Olemps", SIREN: "211201744", EPCI: "241200187", Mayor: "Anne Roux"},
		{Short: "druelle", Code: "12090", Name: "Druelle Balsac", SIREN: "200064665", EPCI: "241200187", Mayor: "Luc Vidal"},
		{Short: "luc", Code: "12133", Name: "Luc-la-Primaube", SIREN: "211201330", EPCI: "241200187", Mayor: "Marie Costes"},
		{Short: "millau", Code: "12145", Name: "Millau", SIREN: "211201454", EPCI: "241200567", Mayor: "Jean Fabre"},
	},
}

func setup(t *testing.T, db *store.DB) *world {
	t.Helper()
	w := &world{db: db, clock: &clock{}, org: aveyron.Insert(t, db), clerk: map[string]auth.Actor{}, reader: map[string]auth.Actor{}}
	for short, id := range w.org {
		w.clerk[short] = agreementtest.User(t, db, "secretariat@"+short+".test", false, auth.Grant{OrgID: id, Role: auth.RoleClerk})
		w.reader[short] = agreementtest.User(t, db, "lecture@"+short+".test", false, auth.Grant{OrgID: id, Role: auth.RoleReadOnly})
	}
	w.admin = agreementtest.User(t, db, "admin@voisines.test", true)
	w.agr = agreement.NewService(db, org.New(db), territory.New(db)).WithClock(w.clock.Now)
	w.ledger = ledger.New(db, w.agr).WithClock(w.clock.Now)
	w.services = service.New(db, w.agr, w.ledger).WithClock(w.clock.Now)
	return w
}

// party names a party of a convention by short name.
type party struct {
	short string
	role  agreement.Role
}

// convention describes a convention to create.
type convention struct {
	kind    agreement.Kind
	parties []party
	mode    agreement.FinancialMode
	start   civil.Date
	end     civil.Date
	period  int // financial period in months
	content func(c *agreement.Content)
}

func d(s string) civil.Date { return civil.MustParse(s) }

// sign creates convention cv as drafted by its lead, has every party
// approve it and sign it two months before it starts, and returns it
// signed.
func (w *world) sign(t *testing.T, cv convention) agreement.Record {
	t.Helper()
	spec, _ := agreement.Lookup(cv.kind)
	c := agreement.Content{
		Title:     spec.Label + " — exemple",
		Term:      agreement.Term{Start: cv.start, End: cv.end, NoticeMonths: 3},
		Financial: agreement.Financial{Mode: cv.mode, Summary: "Article financier.", PeriodMonths: cv.period},
	}
	if cv.content != nil {
		cv.content(&c)
	}
	in := agreement.Input{Kind: cv.kind, Content: c}
	for _, p := range cv.parties {
		in.Parties = append(in.Parties, agreement.PartyInput{OrgID: w.org[p.short], Role: p.role})
	}
	drafted := cv.start.AddMonths(-3)
	deliberated := drafted.AddDays(14)
	clerks := agreementtest.Clerks{Service: w.agr, SetDate: w.clock.Set, Of: w.clerkOf}
	return clerks.Conclude(t, agreementtest.WithClauses(in), drafted,
		agreementtest.Acts{Date: deliberated, Transmitted: deliberated.AddDays(2)}, drafted.AddMonths(1))
}

func (w *world) clerkOf(id int64) auth.Actor {
	for s, o := range w.org {
		if o == id {
			return w.clerk[s]
		}
	}
	panic(fmt.Sprintf("no organisation %d", id))
}

func (w *world) short(id int64) string {
	for s, o := range w.org {
		if o == id {
			return s
		}
	}
	return fmt.Sprintf("#%d", id)
}

func eur(t *testing.T, s string) money.Cents {
	t.Helper()
	return agreementtest.Euros(t, s)
}

func rat(t *testing.T, s string) money.Rat {
	t.Helper()
	return agreementtest.Rat(t, s)
}

// want is an expected line of a statement: party by short name, amount.
type want struct{ Short, Amount string }

// checkLines compares a statement's lines with the document's figures.
func (w *world) checkLines(t *testing.T, st ledger.Statement, wants ...want) {
	t.Helper()
	agreementtest.CheckLines(t, st, w.org, wants...)
}

// mustFail checks that err is a validation error on field whose message
// mentions contains, or an error wrapping target.
func mustFail(t *testing.T, err error, target error, field, contains string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want one mentioning %q", contains)
	}
	if target != nil && !errors.Is(err, target) {
		t.Fatalf("got error %v, want %v", err, target)
	}
	if !strings.Contains(err.Error(), contains) {
		t.Fatalf("got error %q, want it to mention %q", err, contains)
	}
	if field != "" && !strings.Contains(err.Error(), field+":") {
		t.Fatalf("got error %q, want it on field %q", err, field)
	}
}

// voirie is domain.md §10 example 1: Olemps makes its roads service
// available to the CA Rodez Agglomération (ascending), repaid every six
// months at the D5211-16 unit cost.
func voirie(w *world) convention {
	return convention{
		kind: agreement.MADServicesAscendante, mode: agreement.UnitPrice, period: 6,
		parties: []party{{"olemps", agreement.RoleProvider}, {"agglo", agreement.RoleBeneficiary}},
		start:   d("2026-01-01"), end: d("2028-12-31"),
		content: func(c *agreement.Content) {
			c.Provision = agreement.ProvisionTerms{Service: "voirie", UnitCostMethod: "Compte administratif actualisé du budget primitif, divisé par les heures productives.",
				Unit: "heure", ForecastUnits: 8500}
		},
	}
}

// voirieYear is the cost of example 1: compte administratif 2025 and the
// budget primitif 2026.
func voirieYear(t *testing.T) service.YearInput {
	return service.YearInput{
		Source: "compte administratif 2025",
		Lines: []service.CostLine{
			{Category: service.Personnel, Label: "Charges de personnel du service", Amount: eur(t, "182 400,00"), Eligible: true},
			{Category: service.Fournitures, Label: "Fournitures", Amount: eur(t, "23 650,00"), Eligible: true},
			{Category: service.Renouvellement, Label: "Renouvellement des véhicules et outils", Amount: eur(t, "18 000,00"), Eligible: true},
			{Category: service.Contrats, Label: "Contrats de services rattachés", Amount: eur(t, "9 350,00"), Eligible: true},
			{Category: service.Autre, Label: "Quote-part d'intérêts d'emprunt et frais généraux", Amount: eur(t, "6 200,00"),
				Reason: service.NotStrictlyLinked},
		},
		BudgetUpdate: eur(t, "4 600,00"), BudgetUpdateReason: "budget primitif 2026 : glissement et nouveau contrat d'entretien",
		ForecastUnits: rat(t, "8500"),
	}
}

// adsWeights are the act weights of example 6.
func adsWeights(t *testing.T) []service.ActWeight {
	return []service.ActWeight{
		{Type: "PC", Label: "Permis de construire", Weight: rat(t, "1")},
		{Type: "PA", Label: "Permis d'aménager", Weight: rat(t, "1,2")},
		{Type: "DP", Label: "Déclaration préalable", Weight: rat(t, "0,7")},
		{Type: "CUb", Label: "Certificat d'urbanisme opérationnel", Weight: rat(t, "0,4")},
	}
}

// ads is example 6's service commun of the CA Rodez Agglomération for five
// of its communes.
func ads(mode agreement.FinancialMode, chargeAC bool) convention {
	return convention{
		kind: agreement.ServiceCommun, mode: mode,
		parties: []party{{"agglo", agreement.RoleManager}, {"rodez", agreement.RoleMember}, {"onet", agreement.RoleMember},
			{"olemps", agreement.RoleMember}, {"druelle", agreement.RoleMember}, {"luc", agreement.RoleMember}},
		start: d("2026-01-01"), end: d("2028-12-31"), period: 12,
		content: func(c *agreement.Content) {
			c.ServiceCommun = agreement.ServiceCommunTerms{Tasks: "instruction du droit des sols", ImpactStatement: "fiche-impact-ads.pdf",
				ChargeAgainstAC: chargeAC}
		},
	}
}

// adsCSV is example 6's acts of 2026 as a usage file: one line per
// commune and act type, communes named by INSEE code (Olemps by SIREN).
const adsCSV = `date;beneficiaire;type;quantite;reference
2026-05-12;12202;PC;40;ADS-A-PC
2026-05-12;12202;PA;2;ADS-A-PA
2026-05-12;12202;DP;85;ADS-A-DP
2026-05-12;12202;CUb;30;ADS-A-CUb
2026-05-12;12176;PC;22;ADS-B-PC
2026-05-12;12176;DP;51;ADS-B-DP
2026-05-12;12176;CUb;18;ADS-B-CUb
12/05/2026;211201744;PC;9;ADS-C-PC
12/05/2026;211201744;pa;1;ADS-C-PA
12/05/2026;211201744;DP;20;ADS-C-DP
12/05/2026;211201744;CUb;11;ADS-C-CUb
2026-05-12;12090;PC;15;ADS-D-PC
2026-05-12;12090;DP;33;ADS-D-DP
2026-05-12;12090;CUb;9;ADS-D-CUb
2026-05-12;12133;PC;6;ADS-E-PC
2026-05-12;12133;DP;12;ADS-E-DP
2026-05-12;12133;CUb;5;ADS-E-CUb
`
