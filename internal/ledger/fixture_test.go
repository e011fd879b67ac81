package ledger_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"voisines/internal/agreement"
	"voisines/internal/agreement/agreementtest"
	"voisines/internal/auth"
	"voisines/internal/civil"
	"voisines/internal/ledger"
	"voisines/internal/money"
	"voisines/internal/org"
	"voisines/internal/store"
	"voisines/internal/territory"
	"voisines/internal/usage"
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

// world is what every test starts from: real communes of Aveyron, their
// EPCI and a few other organisations inserted by SQL, a clerk per
// organisation and a platform admin; conventions are created and walked to
// signature through agreement.Service, as users would.
type world struct {
	db     *store.DB
	agr    *agreement.Service
	ledger *ledger.Service
	clock  *clock
	org    map[string]int64
	clerk  map[string]auth.Actor
	admin  auth.Actor
	seq    int // usage record references
}

// Real organisations of the COG 2026 (INSEE code, SIREN, EPCI à FP).
var aveyron = agreementtest.Territory{
	EPCIs: []agreementtest.EPCI{
		{Short: "agglo", SIREN: "241200187", Name: "CA Rodez Agglomération", Type: "CA", Representative: "Sophie Garric"},
		{Short: "ccmillau", SIREN: "241200567", Name: "CC de Millau Grands Causses", Type: "CC", Representative: "Henri Puech"},
	},
	Communes: []agreementtest.Commune{
		{Short: "rodez", Code: "12202", Name: "Rodez", SIREN: "211202023", EPCI: "241200187", Mayor: "Claire Martin"},
		{Short: "onet", Code: "12176", Name: "Onet-le-Château", SIREN: "211201769", EPCI: "241200187", Mayor: "Paul Bernard"},
		{Short: "olemps", Code: "12174", Name: "Olemps", SIREN: "211201744", EPCI: "241200187", Mayor: "Anne Roux"},
		{Short: "druelle", Code: "12090", Name: "Druelle Balsac", SIREN: "200064665", EPCI: "241200187", Mayor: "Luc Vidal"},
		{Short: "luc", Code: "12133", Name: "Luc-la-Primaube", SIREN: "211201330", EPCI: "241200187", Mayor: "Marie Costes"},
		{Short: "millau", Code: "12145", Name: "Millau", SIREN: "211201454", EPCI: "241200567", Mayor: "Jean Fabre"},
	},
	Others: []agreementtest.Other{
		{Short: "commission", Kind: "commission_syndicale", Name: "Commission syndicale des bois indivis (fictive)", Representative: "Luc Vidal"},
	},
}

// Populations DGF 2026 of domain.md §10 example 4, given to four real
// communes (fictitious figures), by INSEE code.
var dgf = map[string]int64{"12202": 4812, "12176": 2157, "12174": 1046, "12090": 689}

func setup(t *testing.T, db *store.DB) *world {
	t.Helper()
	ctx := context.Background()
	w := &world{db: db, clock: &clock{}, org: aveyron.Insert(t, db), clerk: map[string]auth.Actor{}}
	err := db.InTx(ctx, func(tx *store.Tx) error {
		for code, v := range dgf {
			if _, err := tx.ExecContext(ctx, `INSERT INTO commune_populations (commune_code, measure, source, vintage, value)
				VALUES (?, 'dgf', 'DGCL, fiche DGF', '2026', ?)`, code, v); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("populations: %v", err)
	}
	for short, id := range w.org {
		w.clerk[short] = agreementtest.User(t, db, "finances@"+short+".test", false, auth.Grant{OrgID: id, Role: auth.RoleClerk})
	}
	w.admin = agreementtest.User(t, db, "admin@voisines.test", true)
	w.agr = agreement.NewService(db, org.New(db), territory.New(db)).WithClock(w.clock.now)
	w.ledger = ledger.New(db, w.agr).WithClock(w.clock.now)
	return w
}

// party names a party of a convention by short name.
type party struct {
	short string
	role  agreement.Role
}

// convention describes a convention to create: kind, parties in order,
// financial mode, term, and kind-specific content.
type convention struct {
	kind    agreement.Kind
	parties []party
	mode    agreement.FinancialMode
	start   civil.Date
	end     civil.Date
	period  int // financial period in months
	content func(w *world, c *agreement.Content)
}

func d(s string) civil.Date { return civil.MustParse(s) }

// sign creates convention cv as drafted by its lead, has every party
// approve and sign it (a month and more before it starts), and returns it
// signed.
func (w *world) sign(t *testing.T, cv convention) agreement.Record {
	t.Helper()
	spec, ok := agreement.Lookup(cv.kind)
	if !ok {
		t.Fatalf("unknown kind %s", cv.kind)
	}
	c := agreement.Content{
		Title:     spec.Label + " — exemple",
		Term:      agreement.Term{Start: cv.start, End: cv.end, NoticeMonths: 3},
		Financial: agreement.Financial{Mode: cv.mode, Reference: "ledger", Summary: "Article financier.", PeriodMonths: cv.period},
	}
	if cv.content != nil {
		cv.content(w, &c)
	}
	in := agreement.Input{Kind: cv.kind, Content: c}
	for _, p := range cv.parties {
		id, ok := w.org[p.short]
		if !ok {
			t.Fatalf("no organisation %s", p.short)
		}
		in.Parties = append(in.Parties, agreement.PartyInput{OrgID: id, Role: p.role})
	}
	drafted := cv.start.AddMonths(-3)
	deliberated := drafted.AddDays(14)
	clerks := agreementtest.Clerks{Service: w.agr, SetDate: w.clock.set, Of: w.clerkOf}
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

// use records usage of convention r by user, provided by provider.
func (w *world) use(t *testing.T, r agreement.Record, provider, user string, day civil.Date, unit, actType, quantity string) {
	t.Helper()
	q, err := money.ParseRat(quantity)
	if err != nil {
		t.Fatal(err)
	}
	milli := q.Mul(money.IntRat(1000))
	if !milli.IsInt() {
		t.Fatalf("quantity %s is not a whole number of thousandths", quantity)
	}
	w.seq++
	err = w.db.InTx(context.Background(), func(tx *store.Tx) error {
		_, err := usage.Record(context.Background(), tx, usage.Entry{ProviderOrgID: w.org[provider], UserOrgID: w.org[user],
			AgreementID: r.ID, Source: usage.FromManual, SourceRef: fmt.Sprintf("test-%d", w.seq), Unit: unit,
			Milli: milli.Num().Int64(), ActType: actType, OccurredOn: day})
		return err
	})
	if err != nil {
		t.Fatalf("usage: %v", err)
	}
}

// terms records t as the financial terms of r, by the creditor's clerk.
func (w *world) terms(t *testing.T, r agreement.Record, creditor string, terms ledger.Terms) ledger.TermsRecord {
	t.Helper()
	tr, err := w.ledger.SetTerms(context.Background(), w.clerk[creditor], r.ID, 0, terms)
	if err != nil {
		t.Fatalf("set terms of %s: %v", r.Reference, err)
	}
	return tr
}

// issue drafts and issues the statement req asks for, by the creditor's
// clerk.
func (w *world) issue(t *testing.T, creditor string, req ledger.Request) ledger.Statement {
	t.Helper()
	ctx := context.Background()
	st, err := w.ledger.Draft(ctx, w.clerk[creditor], req)
	if err != nil {
		t.Fatalf("draft: %v", err)
	}
	if st, err = w.ledger.Issue(ctx, w.clerk[creditor], st.ID); err != nil {
		t.Fatalf("issue: %v", err)
	}
	return st
}

// flows returns the flows of statement st.
func (w *world) flows(t *testing.T, st ledger.Statement) []ledger.Flow {
	t.Helper()
	fs, err := w.ledger.Flows(context.Background(), w.admin, st.ID)
	if err != nil {
		t.Fatal(err)
	}
	return fs
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

// flowWant is an expected gross flow.
type flowWant struct {
	debtor, creditor string
	amount           string
	titre, mandat    string // accounts
}

func (w *world) checkFlows(t *testing.T, got []ledger.Flow, wants ...flowWant) {
	t.Helper()
	if len(got) != len(wants) {
		t.Fatalf("got %d flows %+v, want %d", len(got), got, len(wants))
	}
	for i, fw := range wants {
		f := got[i]
		if f.Debtor.OrgID != w.org[fw.debtor] || f.Creditor.OrgID != w.org[fw.creditor] {
			t.Errorf("flow %d: got %s → %s, want %s → %s", i, f.Debtor.Name, f.Creditor.Name, fw.debtor, fw.creditor)
		}
		if want := eur(t, fw.amount); f.Amount != want {
			t.Errorf("flow %d (%s → %s): got %s, want %s", i, fw.debtor, fw.creditor, f.Amount, want)
		}
		if f.TitreAccount != fw.titre || f.MandatAccount != fw.mandat {
			t.Errorf("flow %d (%s → %s): got accounts titre %q / mandat %q, want %q / %q", i, fw.debtor, fw.creditor,
				f.TitreAccount, f.MandatAccount, fw.titre, fw.mandat)
		}
	}
}

func mustErr(t *testing.T, err error, target error, contains string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %v", target)
	}
	if target != nil && !errors.Is(err, target) {
		t.Fatalf("got error %v, want %v", err, target)
	}
	if contains != "" && !strings.Contains(err.Error(), contains) {
		t.Fatalf("got error %q, want it to mention %q", err, contains)
	}
}
