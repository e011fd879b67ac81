package service_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"voisines/internal/agreement"
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
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// set moves the clock to ten in the morning of d, in Paris.
func (c *clock) set(d civil.Date) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = d.Time(civil.Paris).Add(10 * time.Hour)
}

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

var communes = []struct{ short, code, name, siren, epci, mayor string }{
	{"rodez", "12202", "Rodez", "211202023", "241200187", "Claire Martin"},
	{"onet", "12176", "Onet-le-Château", "211201769", "241200187", "Paul Bernard"},
	{"olemps", "12174", "Olemps", "211201744", "241200187", "Anne Roux"},
	{"druelle", "12090", "Druelle Balsac", "200064665", "241200187", "Luc Vidal"},
	{"luc", "12133", "Luc-la-Primaube", "211201330", "241200187", "Marie Costes"},
	{"millau", "12145", "Millau", "211201454", "241200567", "Jean Fabre"},
}

var epcis = []struct{ short, siren, name, typ, financing, representative string }{
	{"agglo", "241200187", "CA Rodez Agglomération", "CA", "FPU", "Sophie Garric"},
	{"ccmillau", "241200567", "CC de Millau Grands Causses", "CC", "FA", "Henri Puech"},
}

func setup(t *testing.T, db *store.DB) *world {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	w := &world{db: db, clock: &clock{}, org: map[string]int64{}, clerk: map[string]auth.Actor{}, reader: map[string]auth.Actor{}}
	err := db.InTx(ctx, func(tx *store.Tx) error {
		insertOrg := func(short, query string, args ...any) error {
			var id int64
			if err := tx.QueryRowContext(ctx, query+` RETURNING id`, append(args, now, now)...).Scan(&id); err != nil {
				return fmt.Errorf("organisation %s: %w", short, err)
			}
			w.org[short] = id
			return nil
		}
		for _, e := range epcis {
			if _, err := tx.ExecContext(ctx, `INSERT INTO epcis (siren, name, type, financing) VALUES (?, ?, ?, ?)`,
				e.siren, e.name, e.typ, e.financing); err != nil {
				return err
			}
			if err := insertOrg(e.short, `INSERT INTO organisations (kind, name, epci_siren, departement_code, representative, created_at, updated_at)
				VALUES ('epci', ?, ?, '12', ?, ?, ?)`, e.name, e.siren, e.representative); err != nil {
				return err
			}
		}
		for _, c := range communes {
			if _, err := tx.ExecContext(ctx, `INSERT INTO communes (code, name, siren, departement_code, epci_siren)
				VALUES (?, ?, ?, '12', ?)`, c.code, c.name, c.siren, c.epci); err != nil {
				return err
			}
			if err := insertOrg(c.short, `INSERT INTO organisations (kind, name, siren, commune_code, departement_code, representative, created_at, updated_at)
				VALUES ('commune', ?, ?, ?, '12', ?, ?, ?)`, c.name, c.siren, c.code, c.mayor); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("fixture: %v", err)
	}
	users := auth.New(db)
	actor := func(email string, admin bool, grants ...auth.Grant) auth.Actor {
		var id int64
		err := db.InTx(ctx, func(tx *store.Tx) error {
			if err := tx.QueryRowContext(ctx, `INSERT INTO users (email, name, password_hash, platform_admin, created_at)
				VALUES (?, ?, 'not a hash', ?, ?) RETURNING id`, email, email, admin, now).Scan(&id); err != nil {
				return err
			}
			for _, g := range grants {
				if _, err := tx.ExecContext(ctx, `INSERT INTO memberships (user_id, org_id, role) VALUES (?, ?, ?)`,
					id, g.OrgID, string(g.Role)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatalf("insert user %s: %v", email, err)
		}
		u, err := users.User(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return auth.Actor{User: &u}
	}
	for short, id := range w.org {
		w.clerk[short] = actor("secretariat@"+short+".test", false, auth.Grant{OrgID: id, Role: auth.RoleClerk})
		w.reader[short] = actor("lecture@"+short+".test", false, auth.Grant{OrgID: id, Role: auth.RoleReadOnly})
	}
	w.admin = actor("admin@voisines.test", true)
	w.agr = agreement.NewService(db, org.New(db), territory.New(db)).WithClock(w.clock.now)
	w.ledger = ledger.New(db, w.agr).WithClock(w.clock.now)
	w.services = service.New(db, w.agr, w.ledger).WithClock(w.clock.now)
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
	ctx := context.Background()
	spec, _ := agreement.Lookup(cv.kind)
	c := agreement.Content{
		Title:     spec.Label + " — exemple",
		Term:      agreement.Term{Start: cv.start, End: cv.end, NoticeMonths: 3},
		Financial: agreement.Financial{Mode: cv.mode, Summary: "Article financier.", PeriodMonths: cv.period},
	}
	if cv.content != nil {
		cv.content(&c)
	}
	var inputs []agreement.PartyInput
	lead := int64(0)
	for _, p := range cv.parties {
		inputs = append(inputs, agreement.PartyInput{OrgID: w.org[p.short], Role: p.role})
		if p.role == spec.LeadRole && lead == 0 {
			lead = w.org[p.short]
		}
	}
	for _, cs := range agreement.RequiredClauses(agreement.New(cv.kind, c)) {
		c.Clauses = append(c.Clauses, agreement.Clause{ID: cs.ID, Text: "Texte de l'article « " + cs.Title + " »."})
	}
	drafted := cv.start.AddMonths(-3)
	w.clock.set(drafted)
	r, err := w.agr.Create(ctx, w.clerkOf(lead), agreement.Input{Kind: cv.kind, Content: c, Parties: inputs})
	if err != nil {
		t.Fatalf("create %s: %v", cv.kind, err)
	}
	if r, err = w.agr.Submit(ctx, w.clerkOf(lead), r.ID, r.Version); err != nil {
		t.Fatalf("submit %s: %v", cv.kind, err)
	}
	deliberated := drafted.AddDays(14)
	w.clock.set(deliberated)
	for i, n := range agreement.RequiredApprovals(r.Agreement) {
		ap := agreement.Approval{OrgID: n.OrgID, Kind: n.Kind, Date: deliberated, Number: fmt.Sprintf("%d-%03d", deliberated.Year, i+1),
			TransmittedOn: deliberated.AddDays(2)}
		who := n.OrgID
		if who == 0 {
			who = lead
		}
		if r, err = w.agr.RecordApproval(ctx, w.clerkOf(who), r.ID, r.Version, ap); err != nil {
			t.Fatalf("approval %s of %s: %v", n.Kind, cv.kind, err)
		}
	}
	signed := drafted.AddMonths(1)
	w.clock.set(signed)
	for _, p := range r.Agreement.Parties {
		if len(spec.Signatories) > 0 && !slices.Contains(spec.Signatories, p.Role) {
			continue
		}
		if r, err = w.agr.Sign(ctx, w.clerkOf(p.OrgID), r.ID, r.Version, agreement.Signature{OrgID: p.OrgID, Date: signed}); err != nil {
			t.Fatalf("sign %s: %v", cv.kind, err)
		}
	}
	if r.Agreement.Status != agreement.Signed {
		t.Fatalf("convention %s: got status %s, want signed", cv.kind, r.Agreement.Status)
	}
	return r
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
	c, err := money.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func rat(t *testing.T, s string) money.Rat {
	t.Helper()
	r, err := money.ParseRat(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// want is an expected line of a statement.
type want struct {
	short  string
	amount string
}

func (w *world) checkLines(t *testing.T, st ledger.Statement, wants ...want) {
	t.Helper()
	if len(st.Result.Lines) != len(wants) {
		t.Fatalf("got %d lines %+v, want %d", len(st.Result.Lines), st.Result.Lines, len(wants))
	}
	for i, wl := range wants {
		l := st.Result.Lines[i]
		if l.OrgID != w.org[wl.short] {
			t.Errorf("line %d: got party %s, want %s", i, l.Name, wl.short)
		}
		if got, want := l.Amount, eur(t, wl.amount); got != want {
			t.Errorf("%s: got %s, want %s", wl.short, got, want)
		}
	}
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
