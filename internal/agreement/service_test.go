package agreement_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"

	"voisines/internal/agreement"
	"voisines/internal/agreement/agreementtest"
	"voisines/internal/audit"
	"voisines/internal/auth"
	"voisines/internal/civil"
	"voisines/internal/org"
	"voisines/internal/store"
	"voisines/internal/store/storetest"
	"voisines/internal/territory"
	"voisines/internal/validate"
)

// The timeline every lifecycle test follows (that of the pure tests).
var (
	drafted      = civil.MustParse("2026-05-04") // drafted and submitted
	deliberated  = civil.MustParse("2026-05-20") // councils deliberate
	signedDay    = civil.MustParse("2026-06-01") // every party signs
	launch       = civil.MustParse("2026-06-15") // a groupement launches its procedure
	startDay     = civil.MustParse("2026-07-01")
	endDay       = civil.MustParse("2028-12-31")
	amendDelib   = civil.MustParse("2026-09-10")
	amendDay     = civil.MustParse("2026-09-15")
	terminateDay = civil.MustParse("2026-10-01")
)

// world is what every test starts from: a handful of real communes of
// Aveyron and Moselle, their EPCI and organisations inserted by SQL (the
// territory import is not used), a clerk per organisation, a read-only
// user of Rodez and a platform admin.
type world struct {
	db       *store.DB
	svc      *agreement.Service
	clock    *agreementtest.Clock
	org      map[string]int64      // by short name: "rodez", "agglo"…
	clerk    map[string]auth.Actor // a clerk of each organisation
	readonly auth.Actor            // read-only member of Rodez
	admin    auth.Actor
}

// Real organisations of the COG 2026 (INSEE code, SIREN, EPCI à FP); the
// representatives are fictitious.
var fixtureTerritory = agreementtest.Territory{
	EPCIs: []agreementtest.EPCI{
		{Short: "agglo", SIREN: "241200187", Name: "CA Rodez Agglomération", Type: "CA", Representative: "Sophie Garric"},
		{Short: "ccmillau", SIREN: "241200567", Name: "CC de Millau Grands Causses", Type: "CC", Representative: "Henri Puech"},
		{Short: "metzmetropole", SIREN: "200039865", Name: "Metz Métropole", Type: "METRO", Departement: "57", Representative: "Marc Klein"},
	},
	Communes: []agreementtest.Commune{
		{Short: "rodez", Code: "12202", Name: "Rodez", SIREN: "211202023", EPCI: "241200187", Mayor: "Claire Martin"},
		{Short: "onet", Code: "12176", Name: "Onet-le-Château", SIREN: "211201769", EPCI: "241200187", Mayor: "Paul Bernard"},
		{Short: "olemps", Code: "12174", Name: "Olemps", SIREN: "211201744", EPCI: "241200187", Mayor: "Anne Roux"},
		{Short: "druelle", Code: "12090", Name: "Druelle Balsac", SIREN: "200064665", EPCI: "241200187", Mayor: "Luc Vidal"},
		{Short: "millau", Code: "12145", Name: "Millau", SIREN: "211201454", EPCI: "241200567", Mayor: "Jean Fabre"},
		{Short: "metz", Code: "57463", Name: "Metz", SIREN: "215704636", Departement: "57", EPCI: "200039865", Mayor: "Yves Weber", AlsaceMoselle: true},
		{Short: "montigny", Code: "57480", Name: "Montigny-lès-Metz", SIREN: "215704800", Departement: "57", EPCI: "200039865", Mayor: "Eva Muller", AlsaceMoselle: true},
	},
	Others: []agreementtest.Other{
		{Short: "aveyron", Kind: "departement", Name: "Département de l'Aveyron", Representative: "Hélène Albert"},
		{Short: "ccas", Kind: "epa_rattache", Name: "CCAS de Rodez", Representative: "Claire Martin"},
		{Short: "commission", Kind: "commission_syndicale", Name: "Commission syndicale des bois indivis d'Olemps et Druelle Balsac", Representative: "Luc Vidal"},
		{Short: "comite", Kind: "association", Name: "Comité des fêtes du Grand Rodez (fictif)", Representative: "Inès Lacombe"},
	},
}

func setup(t *testing.T, db *store.DB) *world {
	t.Helper()
	w := &world{db: db, clock: &agreementtest.Clock{}, org: fixtureTerritory.Insert(t, db), clerk: map[string]auth.Actor{}}
	for short, id := range w.org {
		w.clerk[short] = agreementtest.User(t, db, "secretariat@"+short+".test", false, auth.Grant{OrgID: id, Role: auth.RoleClerk})
	}
	w.readonly = agreementtest.User(t, db, "lecture@rodez.test", false, auth.Grant{OrgID: w.org["rodez"], Role: auth.RoleReadOnly})
	w.admin = agreementtest.User(t, db, "admin@voisines.test", true)
	w.clock.Set(drafted)
	w.svc = agreement.NewService(db, org.New(db), territory.New(db)).WithClock(w.clock.Now)
	return w
}

// p names a party of a convention.
func (w *world) p(short string, role agreement.Role) agreement.PartyInput {
	id, ok := w.org[short]
	if !ok {
		panic("no organisation " + short)
	}
	return agreement.PartyInput{OrgID: id, Role: role}
}

// input returns a convention of kind k between real organisations that
// breaks no rule, not even a warning one, as of drafted: the fixtures of
// the pure tests, with parties named by organisation.
func (w *world) input(k agreement.Kind) agreement.Input {
	spec, ok := agreement.Lookup(k)
	if !ok {
		panic("unknown kind " + string(k))
	}
	c := agreement.Content{
		Title:     spec.Label + " — essai",
		Term:      agreement.Term{Start: startDay, End: endDay, NoticeMonths: 3},
		Financial: agreement.Financial{Mode: spec.FinancialModes[0], Reference: "cout-1", Summary: "Article financier : 12 345,67 € par an."},
	}
	var parties []agreement.PartyInput
	frac := func(num, den int64) agreement.Fraction { return agreement.Fraction{Num: num, Den: den} }
	switch k {
	case agreement.Entente:
		parties = []agreement.PartyInput{w.p("rodez", agreement.RoleLead), w.p("onet", agreement.RoleMember), w.p("olemps", agreement.RoleMember)}
	case agreement.Prestation:
		parties = []agreement.PartyInput{w.p("rodez", agreement.RoleProvider), w.p("millau", agreement.RoleBeneficiary)}
		c.Prestation = agreement.PrestationTerms{CooperationJustification: "Entretien mutualisé des espaces verts des deux villes centres, au service d'objectifs communs de service public.", OpenMarketBelow20: true}
	case agreement.MADServicesAscendante:
		parties = []agreement.PartyInput{w.p("olemps", agreement.RoleProvider), w.p("agglo", agreement.RoleBeneficiary)}
		c.Provision = agreement.ProvisionTerms{Service: "voirie", UnitCostMethod: "Dépenses du dernier compte administratif actualisées du budget primitif, divisées par les heures productives.", Unit: "heure", ForecastUnits: 8500}
		c.Financial.PeriodMonths = 6
	case agreement.MADServicesDescendante:
		parties = []agreement.PartyInput{w.p("agglo", agreement.RoleProvider), w.p("druelle", agreement.RoleBeneficiary), w.p("olemps", agreement.RoleBeneficiary)}
		c.Provision = agreement.ProvisionTerms{Service: "instruction des autorisations d'urbanisme", UnitCostMethod: "Coût du service divisé par le nombre d'actes.", Unit: "acte", ForecastUnits: 420}
		c.Financial.PeriodMonths = 12
	case agreement.MADServiceL5111:
		parties = []agreement.PartyInput{w.p("onet", agreement.RoleProvider), w.p("olemps", agreement.RoleBeneficiary)}
		c.Provision = agreement.ProvisionTerms{Service: "balayeuse et son chauffeur", UnitCostMethod: "Coût horaire du compte administratif.", Unit: "heure", ForecastUnits: 300}
		c.Financial.PeriodMonths = 12
	case agreement.ServiceUnifie:
		parties = []agreement.PartyInput{w.p("rodez", agreement.RoleLead), w.p("onet", agreement.RoleMember)}
		c.Provision = agreement.ProvisionTerms{Service: "service des archives", UnitCostMethod: "Coût par mètre linéaire traité.", Unit: "mètre linéaire", ForecastUnits: 120}
		c.Financial.PeriodMonths = 12
	case agreement.ServiceCommun:
		ccas := w.p("ccas", agreement.RoleMember)
		ccas.AttachedCommune = "12202"
		parties = []agreement.PartyInput{w.p("agglo", agreement.RoleManager), w.p("rodez", agreement.RoleMember), w.p("onet", agreement.RoleMember), ccas}
		c.ServiceCommun = agreement.ServiceCommunTerms{Tasks: "instruction du droit des sols", ImpactStatement: "fiche-impact-ads-2026.pdf", ChargeAgainstAC: true}
	case agreement.BiensPartages:
		parties = []agreement.PartyInput{w.p("agglo", agreement.RoleOwner), w.p("olemps", agreement.RoleMember), w.p("druelle", agreement.RoleMember)}
	case agreement.EquipementPartage:
		parties = []agreement.PartyInput{w.p("rodez", agreement.RoleOwner), w.p("olemps", agreement.RoleUser)}
		c.Equipment = agreement.EquipmentTerms{Equipment: "gymnase Paul-Lignon (fictif)", FirstUse: civil.MustParse("2026-03-01")}
	case agreement.BiensIndivis:
		parties = []agreement.PartyInput{w.p("olemps", agreement.RoleCoOwner), w.p("druelle", agreement.RoleCoOwner), w.p("commission", agreement.RoleManager)}
		c.Indivision = agreement.IndivisionTerms{Property: "bois indivis", Shares: []agreement.Share{
			{OrgID: w.org["olemps"], Share: frac(3, 7)}, {OrgID: w.org["druelle"], Share: frac(4, 7)}}}
	case agreement.MADPersonnel:
		parties = []agreement.PartyInput{w.p("onet", agreement.RoleHomeEmployer), w.p("rodez", agreement.RoleHost)}
		c.Term.End = civil.MustParse("2029-06-30") // three years from 1 July 2026
		c.Secondment = agreement.SecondmentTerms{Agent: "Agent Anonyme-Dupuis", Grade: "adjoint technique principal", AgentStatus: agreement.Titulaire, Quotite: frac(30, 100)}
	case agreement.GroupementCommandes:
		parties = []agreement.PartyInput{w.p("rodez", agreement.RoleCoordinator), w.p("onet", agreement.RoleMember), w.p("olemps", agreement.RoleMember), w.p("druelle", agreement.RoleMember)}
		c.PurchasingGroup = agreement.PurchasingGroupTerms{Needs: "produits d'entretien et papier, accord-cadre de quatre ans", LaunchDate: launch}
	case agreement.DelegationCompetence:
		parties = []agreement.PartyInput{w.p("rodez", agreement.RoleDelegating), w.p("aveyron", agreement.RoleDelegate)}
		c.Delegation = agreement.DelegationTerms{Competence: "gestion du réseau de lecture publique"}
	case agreement.MandatMaitriseOuvrage:
		parties = []agreement.PartyInput{w.p("druelle", agreement.RoleProjectOwner), w.p("rodez", agreement.RoleMandatary)}
		c.ProjectOwnership = agreement.ProjectOwnershipTerms{Work: "réhabilitation de l'école"}
	case agreement.CoMaitriseOuvrage:
		parties = []agreement.PartyInput{w.p("rodez", agreement.RoleLead), w.p("onet", agreement.RoleProjectOwner)}
		c.ProjectOwnership = agreement.ProjectOwnershipTerms{Work: "carrefour giratoire", Shares: []agreement.Share{
			{OrgID: w.org["rodez"], Share: frac(5, 8)}, {OrgID: w.org["onet"], Share: frac(3, 8)}}}
	case agreement.AssistanceTechnique:
		parties = []agreement.PartyInput{w.p("aveyron", agreement.RoleProvider), w.p("druelle", agreement.RoleBeneficiary)}
		c.TechnicalAssistance = agreement.TechnicalAssistanceTerms{Domain: "assainissement", EligibilityAttested: true}
	case agreement.PartenariatEvenement:
		parties = []agreement.PartyInput{w.p("rodez", agreement.RoleLead), w.p("onet", agreement.RolePartner), w.p("olemps", agreement.RolePartner), w.p("comite", agreement.RolePartner)}
		c.Event = agreement.EventTerms{Event: "festival d'été", Ticketing: true}
	case agreement.FraisScolarite:
		parties = []agreement.PartyInput{w.p("rodez", agreement.RoleSchoolHost), w.p("olemps", agreement.RoleResidence), w.p("druelle", agreement.RoleResidence)}
		c.SchoolCosts = agreement.SchoolCostsTerms{SchoolYear: "2026-2027", RoundUnitCostFirst: true}
	default:
		panic("no fixture for " + string(k))
	}
	for _, cs := range agreement.RequiredClauses(agreement.New(k, c)) {
		c.Clauses = append(c.Clauses, agreement.Clause{ID: cs.ID, Text: "Texte confidentiel de l'article « " + cs.Title + " »."})
	}
	return agreement.Input{Kind: k, Content: c, Parties: parties}
}

// short returns the short name of organisation id.
func (w *world) short(id int64) string {
	for s, o := range w.org {
		if o == id {
			return s
		}
	}
	panic(fmt.Sprintf("no organisation %d", id))
}

// actorFor returns the clerk of organisation id, or of the lead for 0.
func (w *world) actorFor(r agreement.Record, id int64) auth.Actor {
	if id == 0 {
		id = r.LeadOrgID
	}
	return w.clerk[w.short(id)]
}

// approval returns the act meeting n, dated date, numbered seq.
func approval(n agreement.Needed, date civil.Date, seq int) agreement.Approval {
	return agreement.Approval{OrgID: n.OrgID, Kind: n.Kind, Date: date, Number: fmt.Sprintf("2026-%03d", seq), TransmittedOn: date.AddDays(2)}
}

func signatories(a agreement.Agreement) []agreement.Party {
	spec, _ := agreement.Lookup(a.Kind)
	if len(spec.Signatories) == 0 {
		return a.Parties
	}
	var out []agreement.Party
	for _, p := range a.Parties {
		if slices.Contains(spec.Signatories, p.Role) {
			out = append(out, p)
		}
	}
	return out
}

// must returns a function that fails the test on an error and returns the
// record otherwise: must(t)(w.svc.Submit(…)).
func must(t *testing.T) func(agreement.Record, error) agreement.Record {
	return func(r agreement.Record, err error) agreement.Record {
		t.Helper()
		if err != nil {
			t.Fatalf("got error %v, want none", err)
		}
		return r
	}
}

func wantStatus(t *testing.T, r agreement.Record, want agreement.Status) {
	t.Helper()
	if r.Agreement.Status != want {
		t.Fatalf("got status %q, want %q", r.Agreement.Status, want)
	}
}

// create stores w.input(k) as drafted by the lead's clerk.
func (w *world) create(t *testing.T, in agreement.Input) agreement.Record {
	t.Helper()
	spec, _ := agreement.Lookup(in.Kind)
	lead := int64(0)
	for _, p := range in.Parties {
		if p.Role == spec.LeadRole {
			lead = p.OrgID
			break
		}
	}
	return must(t)(w.svc.Create(context.Background(), w.clerk[w.short(lead)], in))
}

// clerks has each organisation's clerk act for it.
func (w *world) clerks() agreementtest.Clerks {
	return agreementtest.Clerks{Service: w.svc, SetDate: w.clock.Set, Of: func(id int64) auth.Actor { return w.clerk[w.short(id)] }}
}

// approveAll submits r and records every required approval, each by its
// party's clerk, on deliberated.
func (w *world) approveAll(t *testing.T, r agreement.Record) agreement.Record {
	t.Helper()
	w.clock.Set(drafted)
	r = must(t)(w.svc.Submit(context.Background(), w.clerk[w.short(r.LeadOrgID)], r.ID, r.Version))
	return w.clerks().Approve(t, r, agreementtest.Acts{Date: deliberated, Transmitted: deliberated.AddDays(2)})
}

// signAll has every signatory's clerk sign r on signedDay.
func (w *world) signAll(t *testing.T, r agreement.Record) agreement.Record {
	t.Helper()
	return w.clerks().Sign(t, r, signedDay)
}

// inForce walks w.input(k) to in force on startDay.
func (w *world) inForce(t *testing.T, in agreement.Input) agreement.Record {
	t.Helper()
	w.clock.Set(drafted)
	r := w.signAll(t, w.approveAll(t, w.create(t, in)))
	w.clock.Set(startDay)
	r = must(t)(w.svc.Refresh(context.Background(), w.admin, r.ID))
	wantStatus(t, r, agreement.InForce)
	return r
}

// avenantApprovals are the deliberations (and the agent's consent) an
// avenant of r needs, dated amendDelib.
func avenantApprovals(r agreement.Record) []agreement.Approval {
	var aps []agreement.Approval
	for i, n := range agreement.RequiredApprovals(r.Agreement) {
		if n.Kind == agreement.Deliberation || n.Kind == agreement.AgentConsent {
			aps = append(aps, approval(n, amendDelib, 100+i))
		}
	}
	return aps
}

// amended returns in with a new financial article.
func amended(in agreement.Input, summary string) agreement.Input {
	in.Content.Financial.Summary = summary
	return in
}

func TestLifecycleOfEveryKind(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := setup(t, db)
		for _, k := range agreement.Kinds() {
			t.Run(k.Label()+" goes from draft to termination between real organisations", func(t *testing.T) {
				in := w.input(k)
				w.clock.Set(drafted)
				r := w.create(t, in)
				if !strings.HasPrefix(r.Reference, "2026-") || len(r.Reference) != len("2026-0001") {
					t.Errorf("got reference %q, want 2026-NNNN", r.Reference)
				}
				wantStatus(t, r, agreement.Draft)
				if len(r.Violations) > 0 {
					t.Fatalf("got violations %v, want none: the party snapshots must carry the real data", r.Violations)
				}

				r = w.approveAll(t, r)
				wantStatus(t, r, agreement.Approved)
				if missing := agreement.MissingApprovals(r.Agreement); len(missing) > 0 {
					t.Fatalf("got missing approvals %v, want none", missing)
				}

				r = w.signAll(t, r)
				wantStatus(t, r, agreement.Signed)

				w.clock.Set(startDay)
				if n, err := w.svc.RefreshDue(ctx, auth.System); err != nil || n < 1 {
					t.Fatalf("got %d refreshed, %v; want at least 1, nil", n, err)
				}
				r = must(t)(w.svc.Get(ctx, w.clerk[w.short(r.LeadOrgID)], r.ID))
				wantStatus(t, r, agreement.InForce)

				w.clock.Set(amendDay)
				summary := "Article financier modifié par l'avenant n° 1."
				r = must(t)(w.svc.Amend(ctx, w.clerk[w.short(r.LeadOrgID)], r.ID, r.Version, amended(in, summary),
					agreement.Amendment{Date: amendDay, Reason: "Révision des conditions financières", Approvals: avenantApprovals(r)}))
				wantStatus(t, r, agreement.InForce)
				if n := r.Agreement.Version(); n != 1 {
					t.Fatalf("got %d avenants, want 1", n)
				}
				want := agreement.Change{Field: "financial.summary", Previous: in.Content.Financial.Summary, New: summary}
				if got := r.Agreement.Amendments[0].Changes; !slices.Equal(got, []agreement.Change{want}) {
					t.Errorf("got changes %+v, want exactly %+v", got, want)
				}
				versions, err := w.svc.Versions(ctx, w.clerk[w.short(r.LeadOrgID)], r.ID)
				if err != nil {
					t.Fatal(err)
				}
				if len(versions) != 2 || versions[0].Number != 0 || versions[1].Number != 1 {
					t.Fatalf("got versions %+v, want 0 and 1", versions)
				}
				if got := versions[0].Content.Financial.Summary; got != in.Content.Financial.Summary {
					t.Errorf("got version 0 summary %q, want the original %q", got, in.Content.Financial.Summary)
				}
				if v := versions[1]; v.Content.Financial.Summary != summary || v.Date != amendDay || v.Reason == "" ||
					!slices.Equal(v.Changes, []agreement.Change{want}) {
					t.Errorf("got version 1 %+v, want the avenant's content, date, reason and diff", v)
				}

				w.clock.Set(terminateDay)
				r = must(t)(w.svc.Terminate(ctx, w.clerk[w.short(r.LeadOrgID)], r.ID, r.Version, agreement.Termination{
					By: r.LeadOrgID, Date: terminateDay, Effective: terminateDay, Mutual: true, Reason: "Résiliation d'un commun accord"}))
				wantStatus(t, r, agreement.Terminated)
				if got := agreement.LastDay(r.Agreement); got != terminateDay.AddDays(-1) {
					t.Errorf("got last day %s, want %s", got, terminateDay.AddDays(-1))
				}

				actions := auditActions(t, db, r.ID)
				for _, a := range []string{"agreement.create", "agreement.submit", "agreement.approve", "agreement.sign",
					"agreement.refresh", "agreement.amend", "agreement.terminate"} {
					if !slices.Contains(actions, a) {
						t.Errorf("got audit actions %v, want %q among them", actions, a)
					}
				}
				if want := 2 + len(agreement.RequiredApprovals(r.Agreement)) + len(signatories(r.Agreement)) + 3; len(actions) != want {
					t.Errorf("got %d audit records %v, want %d", len(actions), actions, want)
				}
			})
		}
		t.Run("the audit log is intact after all of it", func(t *testing.T) {
			if rep, err := audit.Verify(ctx, db); err != nil || !rep.OK {
				t.Fatalf("got %+v, %v; want an intact log", rep, err)
			}
		})
	})
}

// auditActions returns the audit actions recorded on convention id, in order.
func auditActions(t *testing.T, db *store.DB, id int64) []string {
	t.Helper()
	rows, err := db.Reader().QueryContext(context.Background(),
		`SELECT action FROM audit_log WHERE entity = 'agreement' AND entity_id = ? ORDER BY id`, fmt.Sprint(id))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			t.Fatal(err)
		}
		out = append(out, a)
	}
	return out
}

func TestCreateChecksItsInput(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := setup(t, db)
		tests := []struct {
			name  string
			edit  func(in *agreement.Input)
			field string
		}{
			{"an unknown organisation is named on its party", func(in *agreement.Input) { in.Parties[1].OrgID = 999999 }, "parties[1].org_id"},
			{"a missing title is refused", func(in *agreement.Input) { in.Content.Title = "  " }, "title"},
			{"an unknown kind is refused", func(in *agreement.Input) { in.Kind = "jumelage" }, "kind"},
			{"a convention without its lead party is refused", func(in *agreement.Input) { in.Parties[0].Role = agreement.RoleMember }, "parties"},
			{"a CCAS attached to no real commune is refused", func(in *agreement.Input) {
				ccas := w.p("ccas", agreement.RoleMember)
				ccas.AttachedCommune = "99999"
				in.Parties = append(in.Parties, ccas)
			}, "parties[3].attached_commune"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				in := w.input(agreement.Entente)
				tt.edit(&in)
				_, err := w.svc.Create(ctx, w.clerk["rodez"], in)
				errs, ok := validate.As(err)
				if !ok || errs.For(tt.field) == "" {
					t.Fatalf("got %v, want a validation error on %q", err, tt.field)
				}
			})
		}
	})
}

func TestPartySnapshotsComeFromTheTerritory(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := setup(t, db)
		in := w.input(agreement.ServiceCommun)
		r := w.create(t, in)
		byName := map[string]agreement.Party{}
		for _, p := range r.Agreement.Parties {
			byName[p.Name] = p
		}
		tests := []struct {
			name      string
			got, want agreement.Party
		}{
			{"a commune gets its SIREN, INSEE code, département and EPCI", byName["Rodez"], agreement.Party{OrgID: w.org["rodez"],
				Kind: agreement.Commune, Name: "Rodez", SIREN: "211202023", CommuneCode: "12202", DepartementCode: "12", EPCISIREN: "241200187",
				Role: agreement.RoleMember, Representative: agreement.Representative{Name: "Claire Martin", Title: "Maire"}}},
			{"an EPCI gets its SIREN and its FPU", byName["CA Rodez Agglomération"], agreement.Party{OrgID: w.org["agglo"],
				Kind: agreement.EPCI, Name: "CA Rodez Agglomération", SIREN: "241200187", DepartementCode: "12", FPU: true,
				Role: agreement.RoleManager, Representative: agreement.Representative{Name: "Sophie Garric", Title: "Président"}}},
			{"a CCAS keeps the commune it is attached to", byName["CCAS de Rodez"], agreement.Party{OrgID: w.org["ccas"],
				Kind: agreement.EPARattache, Name: "CCAS de Rodez", DepartementCode: "12", AttachedCommune: "12202",
				Role: agreement.RoleMember, Representative: agreement.Representative{Name: "Claire Martin", Title: "Président"}}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if tt.got != tt.want {
					t.Errorf("got %+v, want %+v", tt.got, tt.want)
				}
			})
		}
		t.Run("a commune of Moselle carries the Alsace-Moselle flag, and an entente of Moselle is refused with its article", func(t *testing.T) {
			in := w.input(agreement.Entente)
			in.Parties = []agreement.PartyInput{w.p("metz", agreement.RoleLead), w.p("montigny", agreement.RoleMember)}
			r := w.create(t, in)
			if !r.Agreement.Parties[0].AlsaceMoselle {
				t.Errorf("got %+v, want the Alsace-Moselle flag", r.Agreement.Parties[0])
			}
			_, err := w.svc.Submit(context.Background(), w.clerk["metz"], r.ID, r.Version)
			var refusal *agreement.Refusal
			if !errors.As(err, &refusal) {
				t.Fatalf("got %v, want a *agreement.Refusal", err)
			}
			if _, unwrapped := err.(*agreement.Refusal); !unwrapped {
				t.Errorf("got %T, want the *agreement.Refusal itself", err)
			}
			if !slices.ContainsFunc(refusal.Violations, func(v agreement.Violation) bool {
				return v.Rule == agreement.RuleLocalLaw.ID && v.Article == "CGCT L5815-1" && v.Field == "parties[0]" && strings.Contains(v.Message, "Alsace-Moselle")
			}) {
				t.Errorf("got violations %+v, want the local-law rule on parties[0] citing CGCT L5815-1", refusal.Violations)
			}
		})
		t.Run("a commune outside the EPCI cannot join its service commun", func(t *testing.T) {
			in := w.input(agreement.ServiceCommun)
			in.Parties = append(in.Parties, w.p("millau", agreement.RoleMember))
			r := w.create(t, in)
			if !slices.ContainsFunc(r.Violations, func(v agreement.Violation) bool { return v.Rule == agreement.RuleEPCIMembers.ID }) {
				t.Errorf("got violations %+v, want %q", r.Violations, agreement.RuleEPCIMembers.ID)
			}
		})
	})
}

func TestUpdateDraft(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := setup(t, db)
		in := w.input(agreement.Entente)
		r := w.create(t, in)

		t.Run("the lead's clerk changes the draft and its version moves on", func(t *testing.T) {
			in.Content.Title = "Entente pour la fourrière intercommunale"
			got := must(t)(w.svc.UpdateDraft(ctx, w.clerk["rodez"], r.ID, r.Version, in))
			if got.Version != r.Version+1 || got.Agreement.Title != in.Content.Title {
				t.Fatalf("got version %d title %q, want %d %q", got.Version, got.Agreement.Title, r.Version+1, in.Content.Title)
			}
			r = got
		})
		t.Run("a stale version is a conflict", func(t *testing.T) {
			_, err := w.svc.UpdateDraft(ctx, w.clerk["rodez"], r.ID, r.Version-1, in)
			if !errors.Is(err, store.ErrConflict) {
				t.Fatalf("got %v, want store.ErrConflict", err)
			}
			_, err = w.svc.Submit(ctx, w.clerk["rodez"], r.ID, r.Version-1)
			if !errors.Is(err, store.ErrConflict) {
				t.Fatalf("got %v, want store.ErrConflict", err)
			}
		})
		t.Run("a party dropped from the draft loses sight of it", func(t *testing.T) {
			in.Parties = in.Parties[:2] // without Olemps
			r = must(t)(w.svc.UpdateDraft(ctx, w.clerk["rodez"], r.ID, r.Version, in))
			if _, err := w.svc.Get(ctx, w.clerk["olemps"], r.ID); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("got %v, want store.ErrNotFound", err)
			}
		})
		t.Run("a submitted convention is no longer a draft to update", func(t *testing.T) {
			r = must(t)(w.svc.Submit(ctx, w.clerk["rodez"], r.ID, r.Version))
			_, err := w.svc.UpdateDraft(ctx, w.clerk["rodez"], r.ID, r.Version, in)
			var refusal *agreement.Refusal
			if !errors.As(err, &refusal) || refusal.Action != agreement.ActUpdate {
				t.Fatalf("got %v, want a refusal to update", err)
			}
		})
	})
}

func TestWhoMayDoWhat(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := setup(t, db)
		in := w.input(agreement.Entente) // Rodez (lead), Onet, Olemps
		draft := w.create(t, in)
		live := w.inForce(t, w.input(agreement.Entente))
		w.clock.Set(amendDay)
		outsider := w.clerk["metz"]
		pdf := func() agreement.AttachmentInput {
			return agreement.AttachmentInput{Filename: "scan.pdf", Kind: agreement.SignedScan, Data: strings.NewReader("%PDF-1.7 scan")}
		}
		at, err := w.svc.Attach(ctx, w.clerk["rodez"], live.ID, w.org["rodez"], pdf())
		if err != nil {
			t.Fatal(err)
		}
		metz := w.org["metz"]

		ops := []struct {
			name string
			run  func(actor auth.Actor) error
		}{
			{"get", func(a auth.Actor) error { _, err := w.svc.Get(ctx, a, draft.ID); return err }},
			{"get by reference", func(a auth.Actor) error { _, err := w.svc.ByReference(ctx, a, draft.Reference); return err }},
			{"versions", func(a auth.Actor) error { _, err := w.svc.Versions(ctx, a, draft.ID); return err }},
			{"update the draft", func(a auth.Actor) error { _, err := w.svc.UpdateDraft(ctx, a, draft.ID, draft.Version, in); return err }},
			{"submit", func(a auth.Actor) error { _, err := w.svc.Submit(ctx, a, draft.ID, draft.Version); return err }},
			{"record its approval", func(a auth.Actor) error {
				_, err := w.svc.RecordApproval(ctx, a, draft.ID, draft.Version, agreement.Approval{OrgID: metz, Kind: agreement.Deliberation, Number: "1", Date: drafted})
				return err
			}},
			{"sign", func(a auth.Actor) error {
				_, err := w.svc.Sign(ctx, a, live.ID, live.Version, agreement.Signature{OrgID: metz, Date: amendDay})
				return err
			}},
			{"amend", func(a auth.Actor) error {
				_, err := w.svc.Amend(ctx, a, live.ID, live.Version, amended(in, "x"), agreement.Amendment{Date: amendDay, Reason: "x"})
				return err
			}},
			{"renew", func(a auth.Actor) error {
				_, err := w.svc.Renew(ctx, a, live.ID, live.Version, civil.MustParse("2030-12-31"), amendDay)
				return err
			}},
			{"terminate", func(a auth.Actor) error {
				_, err := w.svc.Terminate(ctx, a, live.ID, live.Version, agreement.Termination{By: metz, Date: amendDay, Reason: "x"})
				return err
			}},
			{"record a conférence decision", func(a auth.Actor) error {
				_, err := w.svc.RecordDecision(ctx, a, live.ID, live.Version, agreement.ConferenceDecision{Ref: "C1", Date: amendDay, Subject: "x"})
				return err
			}},
			{"record a unit-cost notice", func(a auth.Actor) error {
				_, err := w.svc.RecordUnitCostNotice(ctx, a, live.ID, live.Version, agreement.UnitCostNotice{Year: 2026, Date: amendDay})
				return err
			}},
			{"refresh", func(a auth.Actor) error { _, err := w.svc.Refresh(ctx, a, live.ID); return err }},
			{"list attachments", func(a auth.Actor) error { _, err := w.svc.Attachments(ctx, a, live.ID); return err }},
			{"attach a file", func(a auth.Actor) error { _, err := w.svc.Attach(ctx, a, live.ID, metz, pdf()); return err }},
			{"download a file", func(a auth.Actor) error { _, _, err := w.svc.OpenAttachment(ctx, a, live.ID, at.ID); return err }},
			{"delete a file", func(a auth.Actor) error { return w.svc.DeleteAttachment(ctx, a, live.ID, at.ID) }},
		}
		for _, op := range ops {
			t.Run("a user of a commune that is not a party cannot "+op.name+": the convention does not exist for them", func(t *testing.T) {
				if err := op.run(outsider); !errors.Is(err, store.ErrNotFound) {
					t.Fatalf("got %v, want store.ErrNotFound", err)
				}
			})
			t.Run("an anonymous visitor cannot "+op.name, func(t *testing.T) {
				if err := op.run(auth.Actor{}); !errors.Is(err, auth.ErrUnauthenticated) {
					t.Fatalf("got %v, want auth.ErrUnauthenticated", err)
				}
			})
		}
		t.Run("a user of a commune that is not a party sees none in the register", func(t *testing.T) {
			page, err := w.svc.List(ctx, outsider, agreement.Filter{})
			if err != nil || page.Total != 0 || len(page.Items) != 0 {
				t.Fatalf("got %+v, %v; want an empty register", page, err)
			}
			if _, err := w.svc.List(ctx, outsider, agreement.Filter{OrgID: w.org["rodez"]}); !errors.Is(err, auth.ErrForbidden) {
				t.Fatalf("got %v, want auth.ErrForbidden for Rodez's register", err)
			}
			if _, err := w.svc.Alerts(ctx, outsider, w.org["rodez"], 60); !errors.Is(err, auth.ErrForbidden) {
				t.Fatalf("got %v, want auth.ErrForbidden for Rodez's alerts", err)
			}
		})
		t.Run("a user of a commune that is not a party cannot draft in the name of another commune", func(t *testing.T) {
			if _, err := w.svc.Create(ctx, outsider, in); !errors.Is(err, auth.ErrForbidden) {
				t.Fatalf("got %v, want auth.ErrForbidden", err)
			}
		})

		partyCases := []struct {
			name  string
			actor auth.Actor
			run   func(a auth.Actor) error
		}{
			{"a member that is not the lead cannot submit", w.clerk["onet"], func(a auth.Actor) error {
				_, err := w.svc.Submit(ctx, a, draft.ID, draft.Version)
				return err
			}},
			{"a member cannot record another party's deliberation", w.clerk["onet"], func(a auth.Actor) error {
				_, err := w.svc.RecordApproval(ctx, a, draft.ID, draft.Version, agreement.Approval{OrgID: w.org["rodez"], Kind: agreement.Deliberation, Number: "1", Date: drafted})
				return err
			}},
			{"a member cannot sign for another party", w.clerk["onet"], func(a auth.Actor) error {
				_, err := w.svc.Sign(ctx, a, live.ID, live.Version, agreement.Signature{OrgID: w.org["rodez"], Date: amendDay})
				return err
			}},
			{"a member cannot terminate in the lead's name", w.clerk["olemps"], func(a auth.Actor) error {
				_, err := w.svc.Terminate(ctx, a, live.ID, live.Version, agreement.Termination{By: w.org["rodez"], Date: amendDay, Reason: "x"})
				return err
			}},
			{"a read-only user of the lead cannot submit", w.readonly, func(a auth.Actor) error {
				_, err := w.svc.Submit(ctx, a, draft.ID, draft.Version)
				return err
			}},
			{"another party's user cannot delete the lead's file", w.clerk["onet"], func(a auth.Actor) error {
				return w.svc.DeleteAttachment(ctx, a, live.ID, at.ID)
			}},
		}
		for _, tt := range partyCases {
			t.Run(tt.name, func(t *testing.T) {
				if err := tt.run(tt.actor); !errors.Is(err, auth.ErrForbidden) {
					t.Fatalf("got %v, want auth.ErrForbidden", err)
				}
			})
		}
		t.Run("a read-only user of a party reads the convention", func(t *testing.T) {
			if _, err := w.svc.Get(ctx, w.readonly, draft.ID); err != nil {
				t.Fatalf("got %v, want nil", err)
			}
		})
		t.Run("nothing of it was written", func(t *testing.T) {
			got := must(t)(w.svc.Get(ctx, w.admin, draft.ID))
			if got.Version != draft.Version || got.Agreement.Status != agreement.Draft {
				t.Errorf("got version %d status %q, want %d %q", got.Version, got.Agreement.Status, draft.Version, agreement.Draft)
			}
		})
	})
}

func TestConcurrentWritesFromTheSameVersion(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := setup(t, db)

		// race runs fns at once and returns their errors.
		race := func(fns ...func() error) []error {
			var wg sync.WaitGroup
			errs := make([]error, len(fns))
			start := make(chan struct{})
			for i, fn := range fns {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					errs[i] = fn()
				}()
			}
			close(start)
			wg.Wait()
			return errs
		}
		oneWins := func(t *testing.T, errs []error) {
			t.Helper()
			won := 0
			for _, err := range errs {
				switch {
				case err == nil:
					won++
				case !errors.Is(err, store.ErrConflict):
					t.Fatalf("got %v, want nil or store.ErrConflict", err)
				}
			}
			if won != 1 {
				t.Fatalf("got %d winners (%v), want exactly 1", won, errs)
			}
		}

		t.Run("two parties signing from the same version: exactly one wins", func(t *testing.T) {
			r := w.approveAll(t, w.create(t, w.input(agreement.Entente)))
			w.clock.Set(signedDay)
			sign := func(short string) func() error {
				return func() error {
					_, err := w.svc.Sign(ctx, w.clerk[short], r.ID, r.Version, agreement.Signature{OrgID: w.org[short], Date: signedDay})
					return err
				}
			}
			oneWins(t, race(sign("rodez"), sign("onet"), sign("olemps")))
			got := must(t)(w.svc.Get(ctx, w.admin, r.ID))
			if len(got.Agreement.Signatures) != 1 || got.Version != r.Version+1 {
				t.Errorf("got %d signatures at version %d, want 1 at %d", len(got.Agreement.Signatures), got.Version, r.Version+1)
			}
		})
		t.Run("two avenants from the same version: exactly one wins and one version is kept", func(t *testing.T) {
			in := w.input(agreement.FraisScolarite)
			r := w.inForce(t, in)
			w.clock.Set(amendDay)
			amend := func(summary string) func() error {
				return func() error {
					_, err := w.svc.Amend(ctx, w.clerk["rodez"], r.ID, r.Version, amended(in, summary),
						agreement.Amendment{Date: amendDay, Reason: summary, Approvals: avenantApprovals(r)})
					return err
				}
			}
			oneWins(t, race(amend("Avenant A"), amend("Avenant B")))
			versions, err := w.svc.Versions(ctx, w.admin, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(versions) != 2 {
				t.Fatalf("got %d versions, want 2 (the initial one and one avenant)", len(versions))
			}
			got := must(t)(w.svc.Get(ctx, w.admin, r.ID))
			if len(got.Agreement.Amendments) != 1 || got.Agreement.Amendments[0].Reason != versions[1].Reason {
				t.Errorf("got avenants %+v, want the one kept in the versions", got.Agreement.Amendments)
			}
		})
		t.Run("two creations never share a reference", func(t *testing.T) {
			refs := make([]string, 4)
			fns := make([]func() error, len(refs))
			for i := range fns {
				fns[i] = func() error {
					r, err := w.svc.Create(ctx, w.clerk["rodez"], w.input(agreement.Entente))
					refs[i] = r.Reference
					return err
				}
			}
			for _, err := range race(fns...) {
				if err != nil {
					t.Fatal(err)
				}
			}
			slices.Sort(refs)
			if len(slices.Compact(slices.Clone(refs))) != len(refs) {
				t.Fatalf("got references %v, want them all different", refs)
			}
		})
	})
}

func TestTimeDrivenChanges(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := setup(t, db)
		t.Run("a termination with notice takes effect when the daily job runs on its date", func(t *testing.T) {
			r := w.inForce(t, w.input(agreement.Entente))
			w.clock.Set(terminateDay)
			r = must(t)(w.svc.Terminate(ctx, w.clerk["onet"], r.ID, r.Version, agreement.Termination{
				By: w.org["onet"], Date: terminateDay, Reason: "Onet-le-Château se retire de l'entente"}))
			wantStatus(t, r, agreement.InForce)
			effective := terminateDay.AddMonths(3)
			if r.Agreement.Termination.Effective != effective {
				t.Fatalf("got effective %s, want %s (three months' notice)", r.Agreement.Termination.Effective, effective)
			}
			w.clock.Set(effective)
			if _, err := w.svc.RefreshDue(ctx, w.clerk["rodez"]); !errors.Is(err, auth.ErrForbidden) {
				t.Fatalf("got %v, want auth.ErrForbidden: the daily job is the system's", err)
			}
			if _, err := w.svc.RefreshDue(ctx, auth.System); err != nil {
				t.Fatal(err)
			}
			wantStatus(t, must(t)(w.svc.Get(ctx, w.clerk["rodez"], r.ID)), agreement.Terminated)
			if actions := auditActions(t, db, r.ID); actions[len(actions)-1] != "agreement.refresh" {
				t.Errorf("got audit actions %v, want the refresh last", actions)
			}
		})
		t.Run("a renewal moves the end date the register filters on", func(t *testing.T) {
			r := w.inForce(t, w.input(agreement.Prestation))
			w.clock.Set(amendDay)
			newEnd := civil.MustParse("2030-12-31")
			r = must(t)(w.svc.Renew(ctx, w.clerk["rodez"], r.ID, r.Version, newEnd, amendDay))
			if got := r.Agreement.CurrentEnd(); got != newEnd {
				t.Fatalf("got end %s, want %s", got, newEnd)
			}
			page, err := w.svc.List(ctx, w.clerk["millau"], agreement.Filter{Year: 2030})
			if err != nil || page.Total != 1 || page.Items[0].ID != r.ID {
				t.Fatalf("got %+v, %v; want the renewed convention in 2030", page, err)
			}
		})
		t.Run("refreshing an unchanged convention writes nothing", func(t *testing.T) {
			r := w.inForce(t, w.input(agreement.Entente))
			got := must(t)(w.svc.Refresh(ctx, w.clerk["olemps"], r.ID))
			if got.Version != r.Version {
				t.Errorf("got version %d, want %d unchanged", got.Version, r.Version)
			}
		})
	})
}

func TestRefreshDueGoesOnPastAConventionThatFails(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := setup(t, db)
		w.clock.Set(drafted)
		var signed []agreement.Record
		for _, k := range []agreement.Kind{agreement.Entente, agreement.Prestation, agreement.Entente} {
			signed = append(signed, w.signAll(t, w.approveAll(t, w.create(t, w.input(k)))))
		}
		broken := signed[1]
		err := db.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE agreements SET document = 'not json' WHERE id = ?`, broken.ID)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		var logged strings.Builder
		svc := w.svc.WithLogger(slog.New(slog.NewTextHandler(&logged, nil)))
		w.clock.Set(startDay)
		n, err := svc.RefreshDue(ctx, auth.System)
		t.Run("the conventions before and after the broken one are refreshed and counted", func(t *testing.T) {
			if n != 2 {
				t.Errorf("got %d refreshed, want 2", n)
			}
			for _, r := range []agreement.Record{signed[0], signed[2]} {
				wantStatus(t, must(t)(w.svc.Get(ctx, w.admin, r.ID)), agreement.InForce)
			}
		})
		t.Run("the failure comes back and names the convention", func(t *testing.T) {
			want := fmt.Sprintf("agreement: refresh %d:", broken.ID)
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("got error %v, want one containing %q", err, want)
			}
		})
		t.Run("the failure is logged with the convention's id", func(t *testing.T) {
			want := fmt.Sprintf("agreement_id=%d", broken.ID)
			if got := logged.String(); strings.Count(got, "convention refresh failed") != 1 || !strings.Contains(got, want) {
				t.Errorf("got log %q, want one failure with %s", got, want)
			}
		})
	})
}

func TestImport(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := setup(t, db)
		today := civil.Today() // ParseImport judges the file as of today
		w.clock.Set(today)
		d := func(days int) string { return today.AddDays(days).String() }
		file := "reference;nature;titre;partie_principale;autres_parties;date_debut;date_fin;mode_financier;montant_ou_cle;date_signature;approbations;objet;clause_cle_repartition;notes\n" +
			"ENT-004;entente;Entente pour la fourrière;12202;12176:membre;" + d(-30) + ";" + d(700) + ";cout_reel_cle;moitié chacune;" + d(-40) + ";" +
			`"deliberation:12202:` + d(-60) + `:2026-045 ; deliberation:12176:` + d(-60) + `:2026-046";Fourrière commune.;Moitié chacune.;Note privée` + "\n" +
			"PS-9;prestation_services;Tonte des stades;12202;12145:beneficiaire;" + d(10) + ";" + d(375) + ";forfait;4 800,00 €;;;Tonte.;;\n"
		parse := func(t *testing.T) []agreement.ImportRow {
			t.Helper()
			rows, err := agreement.ParseImport(ctx, strings.NewReader(file), agreement.FormatCSV, w.svc)
			if err != nil {
				t.Fatalf("got %v, want the file parsed", err)
			}
			return rows
		}
		count := func() int {
			page, err := w.svc.List(ctx, w.admin, agreement.Filter{})
			if err != nil {
				t.Fatal(err)
			}
			return page.Total
		}

		t.Run("the service resolves the parties of a file from the territory", func(t *testing.T) {
			p, err := w.svc.Party(ctx, "12176")
			if err != nil || p.Name != "Onet-le-Château" || p.EPCISIREN != "241200187" || p.SIREN != "211201769" {
				t.Fatalf("got %+v, %v; want Onet-le-Château with its EPCI", p, err)
			}
			if _, err := w.svc.Party(ctx, "99999"); !errors.Is(err, agreement.ErrUnknownParty) {
				t.Fatalf("got %v, want agreement.ErrUnknownParty", err)
			}
		})
		t.Run("a user who is not the lead's cannot import its conventions", func(t *testing.T) {
			_, err := w.svc.Import(ctx, w.clerk["onet"], parse(t))
			if !errors.Is(err, auth.ErrForbidden) || count() != 0 {
				t.Fatalf("got %v and %d conventions, want auth.ErrForbidden and none", err, count())
			}
		})
		var imported []agreement.Record
		t.Run("the lead's clerk imports every row, each in its status, with its file reference and notes", func(t *testing.T) {
			var err error
			imported, err = w.svc.Import(ctx, w.clerk["rodez"], parse(t))
			if err != nil {
				t.Fatal(err)
			}
			if len(imported) != 2 {
				t.Fatalf("got %d records, want 2", len(imported))
			}
			ent, ps := imported[0], imported[1]
			if ent.ExternalReference != "ENT-004" || ent.Notes != "Note privée" || ent.Agreement.Status != agreement.InForce ||
				len(ent.Agreement.Approvals) != 2 || len(ent.Agreement.Signatures) != 2 {
				t.Errorf("got %+v, want ENT-004 in force with its approvals and signatures", ent)
			}
			if ps.ExternalReference != "PS-9" || ps.Agreement.Status != agreement.Draft {
				t.Errorf("got %q %q, want PS-9 as a draft", ps.ExternalReference, ps.Agreement.Status)
			}
			got := must(t)(w.svc.Get(ctx, w.clerk["onet"], ent.ID))
			if got.Reference != ent.Reference || got.ExternalReference != "ENT-004" {
				t.Errorf("got %+v, want the stored import readable by Onet", got)
			}
			page, _ := w.svc.List(ctx, w.clerk["millau"], agreement.Filter{Text: "ps-9"})
			if page.Total != 1 || page.Items[0].ExternalReference != "PS-9" {
				t.Errorf("got %+v, want PS-9 found by its file reference", page)
			}
			if actions := auditActions(t, db, ent.ID); !slices.Equal(actions, []string{"agreement.import"}) {
				t.Errorf("got audit actions %v, want one import", actions)
			}
		})
		t.Run("the same file imported twice is refused whole, naming the line", func(t *testing.T) {
			_, err := w.svc.Import(ctx, w.clerk["rodez"], parse(t))
			if !errors.Is(err, store.ErrConflict) || !strings.Contains(err.Error(), "ligne 2") || count() != 2 {
				t.Fatalf("got %v and %d conventions, want store.ErrConflict naming line 2 and still 2", err, count())
			}
		})
		t.Run("the imported convention goes on living: Onet terminates it", func(t *testing.T) {
			if len(imported) == 0 {
				t.Skip("nothing imported")
			}
			ent := imported[0]
			r := must(t)(w.svc.Terminate(ctx, w.clerk["onet"], ent.ID, ent.Version, agreement.Termination{
				By: w.org["onet"], Date: today, Effective: today, Mutual: true, Reason: "Fin anticipée"}))
			wantStatus(t, r, agreement.Terminated)
		})
	})
}
