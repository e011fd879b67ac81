package demo_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"voisines/internal/agreement"
	"voisines/internal/auth"
	"voisines/internal/civil"
	"voisines/internal/demo"
	"voisines/internal/equipment"
	"voisines/internal/ledger"
	"voisines/internal/money"
	"voisines/internal/org"
	"voisines/internal/purchasing"
	"voisines/internal/service"
	"voisines/internal/staff"
	"voisines/internal/store"
	"voisines/internal/store/storetest"
	"voisines/internal/territory"
	"voisines/internal/usage"
)

// The demo's day in the tests: Saturday 28 November 2026, noon in Paris.
var demoNow = time.Date(2026, 11, 28, 12, 0, 0, 0, civil.Paris)

// services returns the demo's services over db, with the servertest
// fixture territory (a 20-commune slice of the Aveyron holding the CC
// Conques-Marcillac) imported, so that Setup imports nothing. The fixture
// is read from its folder rather than through servertest, which would
// build the whole server into this test.
func services(t *testing.T, db *store.DB) demo.Services {
	t.Helper()
	terr, orgs := territory.New(db), org.New(db)
	agr := agreement.NewService(db, orgs, terr)
	svc := demo.Services{Territory: terr, Orgs: orgs, Auth: auth.New(db),
		Agreements: agr, Ledger: ledger.New(db, agr), Equipment: equipment.New(db),
		NewStaff:      func(a *agreement.Service, l *ledger.Service) *staff.Service { return staff.New(db, a, l) },
		NewServices:   func(a *agreement.Service, l *ledger.Service) *service.Manager { return service.New(db, a, l) },
		NewPurchasing: func(a *agreement.Service, l *ledger.Service) *purchasing.Service { return purchasing.New(db, a, l) }}
	cog := os.DirFS(filepath.Join("..", "server", "servertest", "testdata", "cog"))
	if _, err := terr.ImportCOG(context.Background(), cog, nil); err != nil {
		t.Fatal(err)
	}
	return svc
}

// system reads everything, as the platform does.
var system = auth.SystemActor("test")

func TestSetupCreatesTheDemoAndReusesIt(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := services(t, db)
		started := time.Now()
		res, err := demo.Setup(ctx, svc, demo.Options{Now: func() time.Time { return demoNow }})
		if err != nil {
			t.Fatalf("Setup: %v", err)
		}
		t.Logf("Setup took %v", time.Since(started))
		if res.Territory != nil {
			t.Errorf("Setup imported the territory although the CC was there")
		}
		if res.EPCI.SIREN != demo.DefaultEPCI || len(res.EPCI.Members) != 12 {
			t.Fatalf("EPCI: got %s with %d members want %s with 12", res.EPCI.SIREN, len(res.EPCI.Members), demo.DefaultEPCI)
		}
		if want := 2 + 2*12; len(res.Logins) != want || res.Created() != want {
			t.Fatalf("logins: got %d (%d created) want %d", len(res.Logins), res.Created(), want)
		}

		t.Run("each commune has a clerk and a mayor who can log in and act for it", func(t *testing.T) {
			conques, err := svc.Orgs.ByCommune(ctx, "12218")
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct {
				email string
				role  auth.Role
			}{
				{"secretaire.conques-en-rouergue@demo.voisines.fr", auth.RoleClerk},
				{"maire.conques-en-rouergue@demo.voisines.fr", auth.RoleElected},
			} {
				sess, err := svc.Auth.Login(ctx, c.email, demo.DefaultPassword, "test")
				if err != nil {
					t.Fatalf("login %s: %v", c.email, err)
				}
				u, _, err := svc.Auth.Resume(ctx, sess.Token)
				if err != nil {
					t.Fatal(err)
				}
				if len(u.Memberships) != 1 || u.Memberships[0].OrgID != conques.ID || u.Memberships[0].Role != c.role {
					t.Errorf("%s: memberships %+v want %s of Conques-en-Rouergue", c.email, u.Memberships, c.role)
				}
				if err := auth.Authorize(auth.Actor{User: &u}, auth.Write, conques.ID); err != nil {
					t.Errorf("%s may not write for Conques-en-Rouergue: %v", c.email, err)
				}
			}
		})
		t.Run("the EPCI admin and the platform admin exist", func(t *testing.T) {
			u, err := svc.Auth.UserByEmail(ctx, "admin.cc-conques-marcillac@demo.voisines.fr")
			if err != nil {
				t.Fatal(err)
			}
			if len(u.Memberships) != 1 || u.Memberships[0].Role != auth.RoleAdmin {
				t.Errorf("EPCI admin memberships: %+v", u.Memberships)
			}
			a, err := svc.Auth.UserByEmail(ctx, "admin@demo.voisines.fr")
			if err != nil || !a.PlatformAdmin {
				t.Errorf("platform admin: %+v %v", a, err)
			}
		})

		w := newWorld(ctx, t, svc)
		t.Run("the signed conventions went through their whole life and are in force", func(t *testing.T) {
			for _, c := range []struct {
				title   string
				kind    agreement.Kind
				parties int
			}{
				{demo.TitleFestival, agreement.Entente, 5},
				{demo.TitlePrestation, agreement.Prestation, 3},
				{demo.TitleGym, agreement.EquipementPartage, 2},
			} {
				r := w.convention(c.title)
				a := r.Agreement
				if a.Kind != c.kind || a.Status != agreement.InForce || len(a.Parties) != c.parties {
					t.Errorf("%s: got %s, %s, %d parties; want %s in force with %d parties", c.title, a.Kind, a.Status, len(a.Parties), c.kind, c.parties)
				}
				if len(r.Violations) != 0 {
					t.Errorf("%s breaks rules: %+v", c.title, r.Violations)
				}
				if len(a.Approvals) != c.parties || len(a.Signatures) != c.parties {
					t.Errorf("%s: got %d délibérations and %d signatures, want one of each per party", c.title, len(a.Approvals), len(a.Signatures))
				}
				for _, ap := range a.Approvals {
					if ap.Kind != agreement.Deliberation || ap.Number == "" || ap.TransmittedOn.IsZero() || ap.TransmittedOn.After(a.SignedOn()) {
						t.Errorf("%s: délibération %+v is not numbered and transmitted before the signature (%s)", c.title, ap, a.SignedOn())
					}
				}
				if _, err := svc.Ledger.Terms(ctx, system, r.ID); err != nil {
					t.Errorf("%s has no financial terms: %v", c.title, err)
				}
			}
		})
		t.Run("the salle des fêtes convention awaits the délibérations of Mouret and Muret-le-Château", func(t *testing.T) {
			r := w.convention(demo.TitleHall)
			if r.Agreement.Status != agreement.Submitted || len(r.Agreement.Approvals) != 1 || len(r.Agreement.Signatures) != 0 {
				t.Fatalf("got %s with %d approvals and %d signatures, want it submitted with Salles-la-Source's délibération only",
					r.Agreement.Status, len(r.Agreement.Approvals), len(r.Agreement.Signatures))
			}
			for _, code := range []string{"12161", "12165"} {
				alerts, err := svc.Agreements.Alerts(ctx, system, w.org(code), 0)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.ContainsFunc(alerts, func(a agreement.OrgAlert) bool { return a.Reference == r.Reference }) {
					t.Errorf("commune %s: got alerts %+v, want the missing délibération of %s", code, alerts, r.Reference)
				}
			}
		})

		t.Run("the statements of the first half of 2026 are issued with the amounts computed by hand", func(t *testing.T) {
			for _, c := range []struct {
				title string
				want  map[string]money.Cents // INSEE code → amount
				own   string                 // the creditor's own share, no flow
				flows int
			}{
				// Fixed prices: 3,150.00 € and 2,400.00 € a semester.
				{demo.TitlePrestation, map[string]money.Cents{"12268": 3_150_00, "12193": 2_400_00}, "", 2},
				// 20 Mondays from 5 January to 29 June 2026 (26 Mondays less
				// Easter and Whit Monday and 4 in the winter and spring
				// school holidays), less the cancelled 29 June: 19 sessions
				// of 2 h, one of which ran until 16:30, so 38.5 h ×
				// 28.00 €/h (58,240.00 € / 2,080 h) = 1,078.00 €.
				{demo.TitleGym, map[string]money.Cents{"12215": 1_078_00}, "", 1},
				// 31,130.50 € of eligible costs (the 420.00 € reception is
				// left out), 60 % by population totale (Marcillac 1,770,
				// Salles 2,383, Valady 1,655, Saint-Christophe 1,222,
				// Clairvaux 1,183; 8,213 in all) and 40 % in equal fifths.
				// Each exact share is 1,867,830 × pop / 8,213 + 249,044
				// cents: 651,583.766, 790,994.431, 625,430.053,
				// 526,955.635, 518,086.115; the floors sum to 3,113,048,
				// the 2 cents left go to the largest fractions, Marcillac
				// (.766) and Saint-Christophe (.635).
				{demo.TitleFestival, map[string]money.Cents{"12138": 6_515_84, "12254": 7_909_94, "12288": 6_254_30,
					"12215": 5_269_56, "12066": 5_180_86}, "12138", 4},
			} {
				r := w.convention(c.title)
				sts, err := svc.Ledger.Statements(ctx, system, r.ID)
				if err != nil {
					t.Fatal(err)
				}
				if len(sts) != 1 || !sts[0].Current() || sts[0].Inputs.From != civil.MustParse("2026-01-01") || sts[0].Inputs.To != civil.MustParse("2026-06-30") {
					t.Fatalf("%s: got statements %+v, want one issued for the first half of 2026", c.title, sts)
				}
				got := map[int64]ledger.Line{}
				for _, l := range sts[0].Result.Lines {
					got[l.OrgID] = l
				}
				for code, amount := range c.want {
					l, ok := got[w.org(code)]
					if !ok || l.Amount != amount || l.Own != (code == c.own) {
						t.Errorf("%s, commune %s: got %+v, want %s (own share: %v)", c.title, code, l, amount, code == c.own)
					}
				}
				if len(got) != len(c.want) {
					t.Errorf("%s: got %d lines, want %d", c.title, len(got), len(c.want))
				}
				flows, err := svc.Ledger.Flows(ctx, system, sts[0].ID)
				if err != nil {
					t.Fatal(err)
				}
				if len(flows) != c.flows {
					t.Errorf("%s: got %d flows, want %d (one per debtor, none for the creditor's own share)", c.title, len(flows), c.flows)
				}
			}
		})
		t.Run("the Finances pages show titres to issue, a titre recorded, mandats to expect and a saving", func(t *testing.T) {
			conques, err := svc.Ledger.Year(ctx, system, w.org("12218"), 2026)
			if err != nil {
				t.Fatal(err)
			}
			recorded := slices.IndexFunc(conques.Titres, func(f ledger.Flow) bool { return f.Titre != nil })
			if conques.TotalTitres != 5_550_00 || len(conques.Titres) != 2 || recorded < 0 || conques.Titres[recorded].Titre.Reference != "T-2026-0142" {
				t.Errorf("Conques-en-Rouergue: got %s of titres %+v, want 5,550.00 € in two, T-2026-0142 recorded", conques.TotalTitres, conques.Titres)
			}
			stc, err := svc.Ledger.Year(ctx, system, w.org("12215"), 2026)
			if err != nil {
				t.Fatal(err)
			}
			if want := money.Cents(1_078_00 + 5_269_56 + 10_341_19); stc.TotalMandats != want {
				t.Errorf("Saint-Christophe-Vallon: got %s of mandats, want %s (gym, festival and service commun ADS)", stc.TotalMandats, want)
			}
			// Saving = 7,900.00 − (450.00 own cost + 3,150.00 of mandats) = 4,300.00 €.
			sen, err := svc.Ledger.Year(ctx, system, w.org("12268"), 2026)
			if err != nil {
				t.Fatal(err)
			}
			i := slices.IndexFunc(sen.Conventions, func(c ledger.ConventionYear) bool { return c.Saving != nil })
			if i < 0 || *sen.Conventions[i].Saving != 4_300_00 {
				t.Errorf("Sénergues: got conventions %+v, want a saving of 4,300.00 €", sen.Conventions)
			}
		})

		t.Run("the gym's bookings never overlap, skip public and school holidays, and one request waits", func(t *testing.T) {
			gym := w.equipment(demo.GymName)
			all, err := svc.Equipment.Bookings(ctx, system, equipment.BookingFilter{OrgID: gym.OwnerOrgID, Side: equipment.AsOwner,
				EquipmentID: gym.ID, Kind: equipment.KindBooking, Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			var active []equipment.Booking
			series, pending := 0, 0
			for _, b := range all {
				if b.Status.Active() {
					active = append(active, b)
				}
				if b.SeriesID != 0 {
					series++
					if d := civil.In(b.Start, civil.Paris); d.Weekday() != time.Monday || b.AgreementID != w.convention(demo.TitleGym).ID {
						t.Errorf("session %s: not a Monday under the gym's convention", d)
					}
				}
				if b.Status == equipment.Requested {
					pending++
				}
			}
			for i := 1; i < len(active); i++ {
				if active[i].Start.Before(active[i-1].End) {
					t.Errorf("bookings %d and %d overlap: %s–%s and %s–%s", active[i-1].ID, active[i].ID,
						active[i-1].Start, active[i-1].End, active[i].Start, active[i].End)
				}
			}
			// 2025-26: 20 sessions (see above); 2026-27: 43 Mondays from 7
			// September 2026 to 28 June 2027, less Easter and Whit Monday
			// and 8 in the Toussaint, Christmas, winter and spring holidays.
			if series != 20+33 {
				t.Errorf("got %d sessions, want 53", series)
			}
			for _, d := range []string{"2026-04-06", "2026-05-25", "2026-02-23", "2027-03-29", "2027-05-17", "2026-12-21"} {
				if slices.ContainsFunc(all, func(b equipment.Booking) bool { return civil.In(b.Start, civil.Paris) == civil.MustParse(d) }) {
					t.Errorf("a session was booked on %s, a public or school holiday", d)
				}
			}
			if pending != 1 {
				t.Errorf("got %d pending requests, want Clairvaux-d'Aveyron's", pending)
			}
		})
		t.Run("the sessions held by the demo's day are usage records", func(t *testing.T) {
			recs, err := usage.List(ctx, db.Reader(), usage.Filter{AgreementID: w.convention(demo.TitleGym).ID,
				From: civil.MustParse("2026-09-01"), To: civil.MustParse("2026-12-31")})
			if err != nil {
				t.Fatal(err)
			}
			// 7, 14, 21, 28 September, 5, 12 October, 2, 9, 16, 23 November.
			if len(recs) != 10 {
				t.Errorf("got %d usage records this autumn, want the 10 sessions held by 28 November", len(recs))
			}
		})

		testFamilies(ctx, t, db, svc, w)

		counts := tableCounts(t, db)
		t.Run("a second run changes nothing", func(t *testing.T) {
			again, err := demo.Setup(ctx, svc, demo.Options{Password: "another password", Now: func() time.Time { return demoNow }})
			if err != nil {
				t.Fatal(err)
			}
			if again.Created() != 0 || len(again.Logins) != len(res.Logins) {
				t.Fatalf("second run: %d created, %d logins; want 0 and %d", again.Created(), len(again.Logins), len(res.Logins))
			}
			if again.Content.Created != 0 {
				t.Errorf("second run: created %d pieces of content, want 0", again.Content.Created)
			}
			for table, n := range tableCounts(t, db) {
				if n != counts[table] {
					t.Errorf("%s: %d rows after the second run, %d before", table, n, counts[table])
				}
			}
		})
		t.Run("the logins table lists every account", func(t *testing.T) {
			var b bytes.Buffer
			if err := res.WriteLogins(&b); err != nil {
				t.Fatal(err)
			}
			if n := strings.Count(b.String(), "@demo.voisines.fr"); n != len(res.Logins) {
				t.Errorf("table lists %d accounts want %d:\n%s", n, len(res.Logins), b.String())
			}
		})
		t.Run("the content report lists the conventions, the families and the statements", func(t *testing.T) {
			var b bytes.Buffer
			if err := res.Content.WriteContent(&b); err != nil {
				t.Fatal(err)
			}
			t.Log("\n" + b.String())
			for _, want := range []string{demo.TitleFestival, demo.TitleHall, "en vigueur", "soumise aux parties", demo.GymName,
				"Édition 2026", money.Cents(31_130_50).String(), money.Cents(1_078_00).String(), money.Cents(5_550_00).String(),
				demo.TitleSecondment, "Julien Bessière", money.Cents(1_083_75).String(), "Nathalie Couderc", "48\u00a0h\u00a030",
				demo.ServiceADS, "361,58", demo.LabelADS, money.Cents(95_999_49).String(),
				demo.GroupTitle, "procédure formalisée", money.Cents(30_000_00).String(),
				"État à vérifier et émettre", money.Cents(6_502_50).String(), money.Cents(1_850_00).String()} {
				if !strings.Contains(b.String(), want) {
					t.Errorf("report lacks %q:\n%s", want, b.String())
				}
			}
		})
	})
}

// tableCounts counts the rows of the tables the demo writes.
func tableCounts(t *testing.T, db *store.DB) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, table := range []string{"users", "memberships", "agreements", "agreement_versions", "ledger_terms", "ledger_statements",
		"ledger_flows", "ledger_flow_documents", "ledger_standalone_costs", "equipment", "booking_series", "bookings",
		"booking_events", "usage_records", "audit_log",
		"staff_agents", "staff_agent_costs", "staff_secondments", "staff_time_records", "staff_reimbursements",
		"services", "service_years", "service_cost_lines", "service_notices", "service_notice_recipients",
		"purchasing_groups", "purchasing_lots", "purchasing_needs", "purchasing_awards", "purchasing_award_prices"} {
		var n int
		if err := db.Reader().QueryRowContext(context.Background(), "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
			t.Fatalf("count %s: %v", table, err)
		}
		out[table] = n
	}
	return out
}

// world finds the demo's organisations, conventions and equipment.
type world struct {
	t    *testing.T
	ctx  context.Context
	svc  demo.Services
	orgs map[string]int64
}

func newWorld(ctx context.Context, t *testing.T, svc demo.Services) *world {
	return &world{t: t, ctx: ctx, svc: svc, orgs: map[string]int64{}}
}

func (w *world) org(code string) int64 {
	w.t.Helper()
	if id, ok := w.orgs[code]; ok {
		return id
	}
	o, err := w.svc.Orgs.ByCommune(w.ctx, code)
	if err != nil {
		w.t.Fatal(err)
	}
	w.orgs[code] = o.ID
	return o.ID
}

func (w *world) convention(title string) agreement.Record {
	w.t.Helper()
	page, err := w.svc.Agreements.List(w.ctx, system, agreement.Filter{Limit: 500})
	if err != nil {
		w.t.Fatal(err)
	}
	for _, it := range page.Items {
		if it.Title == title {
			r, err := w.svc.Agreements.Get(w.ctx, system, it.ID)
			if err != nil {
				w.t.Fatal(err)
			}
			return r
		}
	}
	w.t.Fatalf("no convention %q", title)
	return agreement.Record{}
}

func (w *world) equipment(name string) equipment.Equipment {
	w.t.Helper()
	list, err := w.svc.Equipment.Search(w.ctx, equipment.Query{Text: name, IncludeInactive: true})
	if err != nil {
		w.t.Fatal(err)
	}
	for _, e := range list {
		if e.Name == name {
			return e
		}
	}
	w.t.Fatalf("no equipment %q", name)
	return equipment.Equipment{}
}

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{
		"Conques-en-Rouergue":  "conques-en-rouergue",
		"Clairvaux-d'Aveyron":  "clairvaux-d-aveyron",
		"Saint-Félix-de-Lunel": "saint-felix-de-lunel",
		"CC Conques-Marcillac": "cc-conques-marcillac",
		"Sénergues":            "senergues",
	} {
		if got := demo.Slug(in); got != want {
			t.Errorf("Slug(%q): got %q want %q", in, got, want)
		}
	}
}
