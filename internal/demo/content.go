package demo

// The demo's content: what the communes of the CC Conques-Marcillac do
// together, recorded through the same domain operations a clerk uses, by
// the demo accounts themselves (each act by the clerk or the mayor of the
// commune that did it, the intercommunality's by its administrator), and
// dated as it would have happened in 2025 and 2026: conventions drafted,
// approved by dated and transmitted délibérations and signed; a gym and a
// salle des fêtes with their tariffs and bookings; the statements of the
// first half of 2026 with their titres and mandats; agents seconded to
// neighbouring communes (content_staff.go), the intercommunal service
// commun for planning permits (content_service.go) and a purchasing group
// (content_purchasing.go).
//
// Every step first looks for what an earlier run made — a convention by its
// lead and title, equipment by its owner and name, a booking by its
// requester, purpose and start, a statement by its period, an agent by its
// employer and name, a service or a group by its convention — and adds
// only what is missing, so that `voisines demo` can run again on the same
// database without duplicating anything.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"voisines/internal/agreement"
	"voisines/internal/auth"
	"voisines/internal/civil"
	"voisines/internal/equipment"
	"voisines/internal/ledger"
	"voisines/internal/money"
	"voisines/internal/purchasing"
	"voisines/internal/service"
	"voisines/internal/staff"
	"voisines/internal/store"
	"voisines/internal/territory"
)

// The communes of the CC Conques-Marcillac the content names, by INSEE code.
const (
	conques      = "12218" // Conques-en-Rouergue
	marcillac    = "12138" // Marcillac-Vallon
	nauviale     = "12171" // Nauviale
	salles       = "12254" // Salles-la-Source
	valady       = "12288" // Valady
	stChristophe = "12215" // Saint-Christophe-Vallon
	clairvaux    = "12066" // Clairvaux-d'Aveyron
	mouret       = "12161" // Mouret
	muret        = "12165" // Muret-le-Château
	senergues    = "12268" // Sénergues
	pruines      = "12193" // Pruines
)

// The demo content's stable names: a later run finds what an earlier one
// made by them.
const (
	TitleFestival   = "Entente intercommunale pour le festival « Vallon en fête »"
	TitlePrestation = "Entretien des espaces verts et des cimetières de Sénergues et de Pruines"
	TitleGym        = "Utilisation du gymnase de Marcillac-Vallon par l'école de Saint-Christophe-Vallon"
	TitleHall       = "Utilisation de la salle des fêtes de Salles-la-Source par Mouret et Muret-le-Château"

	GymName  = "Gymnase de Marcillac-Vallon"
	HallName = "Salle des fêtes de Salles-la-Source"

	// PurposeSchool is the purpose of the weekly series of the school of
	// Saint-Christophe-Vallon at the gym.
	PurposeSchool = "Éducation physique et sportive — école publique de Saint-Christophe-Vallon"
)

// The keys of the demo conventions in seeder.conv.
const (
	convFestival   = "festival"
	convPrestation = "prestation"
	convGym        = "gym"
	convHall       = "hall"
)

// cc is the key of the intercommunality in the seeder's maps of member
// communes (org, name, clerk, mayor): its SIREN, as an INSEE code keys a
// commune.
const cc = DefaultEPCI

// ContentReport sums up the demo content, for the command to print.
type ContentReport struct {
	Conventions []ConventionLine
	Equipment   []string
	// Bookings counts the active bookings (requested or approved) of the
	// demo equipment.
	Bookings   int
	Statements []StatementLine
	// Drafts are the statements computed and left for their creditor to
	// check and issue: a reimbursement of secondment, procedure costs.
	Drafts []StatementLine
	// Secondments, Services and Groups describe the staff secondments, the
	// shared services and the purchasing groups, a French sentence each.
	Secondments []string
	Services    []string
	Groups      []string
	// Created counts what this run created: conventions, equipment,
	// bookings and series, statements, financial terms, documents, agents
	// and their costs, secondments, time records, services and their
	// years, notices and usage files, groups, lots, needs and awards.
	Created int
}

// ConventionLine is one demo convention.
type ConventionLine struct {
	Reference string
	Title     string
	Status    string // French label
}

// StatementLine is one demo statement, issued or draft.
type StatementLine struct {
	Reference string // the convention's
	Title     string
	Label     string
	Total     money.Cents
}

// clock is the time the demo's services read: it walks through 2025 and
// 2026 so that every act bears the date a clerk would have recorded it.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// on moves the clock to ten in the morning of day d in Paris.
func (c *clock) on(d civil.Date) { c.t = d.Time(civil.Paris).Add(10 * time.Hour) }

// set moves the clock to t.
func (c *clock) set(t time.Time) { c.t = t }

// seeder holds what the content steps share.
type seeder struct {
	svc Services
	clk *clock
	agr *agreement.Service
	led *ledger.Service
	eq  *equipment.Service
	// staff, shared and purchase run over agr and led, on the clock.
	staff    *staff.Service
	shared   *service.Manager
	purchase *purchasing.Service
	today    time.Time // the instant the demo is set up as of
	epci     territory.EPCI
	// org, name, clerk and mayor are per INSEE code of member commune,
	// and for the intercommunality under cc (its administrator as both
	// clerk and mayor).
	org          map[string]int64
	name         map[string]string
	clerk, mayor map[string]auth.Actor
	conv         map[string]agreement.Record
	// convKeys are the keys of conv in the order the conventions were
	// ensured, the report's order.
	convKeys []string
	equip    map[string]equipment.Equipment
	rep      ContentReport
}

// seedStep adds one family of demo content.
type seedStep struct {
	name string
	run  func(ctx context.Context, s *seeder) error
}

// seedSteps are the families of content, in order: later steps use what
// earlier ones made (the gym's bookings need its convention, the
// statements the bookings' usage). The first step makes the conventions
// of every family (allConventionSpecs); each family of cooperation adds
// its step before the last, which brings the demo to its day.
var seedSteps = []seedStep{
	{"conventions", seedConventions},
	{"équipements et réservations", seedEquipment},
	{"finances", seedFinances},
	{"mises à disposition de personnel", seedStaff},
	{"service commun", seedSharedService},
	{"groupement de commandes", seedPurchasing},
	{"mise à jour au jour de la démonstration", seedToday},
}

// seedContent runs every seed step for the EPCI's communes, whose accounts
// are logins.
func seedContent(ctx context.Context, svc Services, epci territory.EPCI, logins []Login, now time.Time) (ContentReport, error) {
	clk := &clock{}
	s := &seeder{
		svc:   svc,
		clk:   clk,
		agr:   svc.Agreements.WithClock(clk.now),
		led:   svc.Ledger.WithClock(clk.now),
		eq:    svc.Equipment.WithClock(clk.now),
		today: now,
		epci:  epci,
		org:   map[string]int64{},
		name:  map[string]string{},
		clerk: map[string]auth.Actor{},
		mayor: map[string]auth.Actor{},
		conv:  map[string]agreement.Record{},
		equip: map[string]equipment.Equipment{},
	}
	s.staff = svc.NewStaff(s.agr, s.led).WithClock(clk.now)
	s.shared = svc.NewServices(s.agr, s.led).WithClock(clk.now)
	s.purchase = svc.NewPurchasing(s.agr, s.led).WithClock(clk.now)
	for _, m := range epci.Members {
		o, err := svc.Orgs.ByCommune(ctx, m.Code)
		if err != nil {
			return ContentReport{}, fmt.Errorf("demo: organisation of %s: %w", m.Name, err)
		}
		s.org[m.Code], s.name[m.Code] = o.ID, m.Name
	}
	epciOrg, err := svc.Orgs.BySIREN(ctx, epci.SIREN)
	if err != nil {
		return ContentReport{}, fmt.Errorf("demo: organisation of %s: %w", epci.Name, err)
	}
	s.org[cc], s.name[cc] = epciOrg.ID, epci.Name
	for _, l := range logins {
		epciAdmin := l.CommuneCode == "" && l.Organisation == epci.Name
		if l.CommuneCode == "" && !epciAdmin {
			continue
		}
		u, err := svc.Auth.UserByEmail(ctx, l.Email)
		if err != nil {
			return ContentReport{}, fmt.Errorf("demo: account %s: %w", l.Email, err)
		}
		switch {
		case epciAdmin:
			s.clerk[cc], s.mayor[cc] = auth.Actor{User: &u}, auth.Actor{User: &u}
		case l.Role == auth.RoleClerk:
			s.clerk[l.CommuneCode] = auth.Actor{User: &u}
		case l.Role == auth.RoleElected:
			s.mayor[l.CommuneCode] = auth.Actor{User: &u}
		}
	}
	for _, code := range []string{cc, conques, marcillac, nauviale, salles, valady, stChristophe, clairvaux, mouret, muret, senergues, pruines} {
		if _, ok := s.clerk[code]; !ok {
			return ContentReport{}, fmt.Errorf("demo: the content needs the commune %s among the members of %s", code, epci.Name)
		}
	}
	for _, st := range seedSteps {
		if err := st.run(ctx, s); err != nil {
			return s.rep, fmt.Errorf("demo: %s: %w", st.name, err)
		}
	}
	return s.rep, nil
}

// day is civil.MustParse, for the content's literal dates.
func day(s string) civil.Date { return civil.MustParse(s) }

// --- Conventions -----------------------------------------------------------

// partySpec is a party of a demo convention.
type partySpec struct {
	code string
	role agreement.Role
}

// approvalSpec is a party's délibération: its number, the day the council
// voted it and the day it was sent to the prefecture (and recorded).
type approvalSpec struct {
	code        string
	number      string
	date        civil.Date
	transmitted civil.Date
}

// actSpec is another approval a convention needs (the agent's consent, the
// council's information and the arrêté of a secondment, the comité social
// territorial's opinion on a service commun), recorded on its date, before
// the délibérations.
type actSpec struct {
	code   string
	kind   agreement.ApprovalKind
	body   string // the act's author, when not the usual one (agreement.DefaultBody)
	number string
	date   civil.Date
}

// approvalNotes say what each kind of act records.
var approvalNotes = map[agreement.ApprovalKind]string{
	agreement.Deliberation:       "Délibération approuvant la convention et autorisant le maire à la signer",
	agreement.AgentConsent:       "Accord écrit de l'agent sur la mise à disposition, la nature de ses activités et ses conditions d'emploi",
	agreement.CouncilInformation: "Information préalable du conseil municipal sur la mise à disposition",
	agreement.Arrete:             "Arrêté du maire prononçant la mise à disposition",
	agreement.CSTOpinion:         "Avis favorable du comité social territorial sur la convention et la fiche d'impact",
}

// convSpec is a demo convention and its life.
type convSpec struct {
	key     string
	kind    agreement.Kind
	parties []partySpec
	content agreement.Content
	clauses map[agreement.ClauseID]string
	// drafted is when the lead's clerk drafted and submitted it.
	drafted   civil.Date
	acts      []actSpec
	approvals []approvalSpec
	// signed is when every party's mayor signed; zero leaves it awaiting
	// its approvals.
	signed civil.Date
	// terms are its financial terms, recorded by the creditor's clerk on
	// termsOn; a zero termsOn leaves them to the family's own operations
	// (a secondment's reimbursement, a service's statement, a group's
	// split of costs set the terms they compute with).
	terms   ledger.Terms
	termsOn civil.Date
}

// Clauses every demo convention shares.
const (
	textLitiges = "Les litiges nés de l'exécution de la présente convention sont, après recherche d'un accord amiable, portés devant le tribunal administratif de Toulouse."
	textResil   = "Chaque partie peut résilier la convention par délibération, avec un préavis de trois mois notifié par lettre recommandée avec accusé de réception ; les sommes dues pour la période écoulée restent exigibles."
)

func (s *seeder) conventionSpecs() []convSpec {
	festivalKey := &money.Key{Kind: money.KeyMix, Label: "60 % population totale, 40 % parts égales", Parts: []money.Part{
		{Weight: money.NewRat(60, 100), Key: money.Key{Kind: money.KeyPopulation, Label: "population totale (INSEE)",
			Measure: money.PopulationTotale, Source: territory.SourceEPCI, Vintage: s.epci.PopulationVintage}},
		{Weight: money.NewRat(40, 100), Key: money.Key{Kind: money.KeyEqual, Label: "parts égales"}},
	}}
	return []convSpec{
		{
			key: convFestival, kind: agreement.Entente,
			parties: []partySpec{{marcillac, agreement.RoleLead}, {salles, agreement.RoleMember}, {valady, agreement.RoleMember},
				{stChristophe, agreement.RoleMember}, {clairvaux, agreement.RoleMember}},
			content: agreement.Content{
				Title: TitleFestival,
				Term:  agreement.Term{Start: day("2026-01-01"), End: day("2028-12-31"), NoticeMonths: 3},
				Financial: agreement.Financial{Mode: agreement.ActualCostByKey, PeriodMonths: 12,
					Summary: "La commune support règle les dépenses du festival et émet après chaque édition un titre de recettes à chaque commune membre pour sa part, accompagné de l'état des dépenses."},
			},
			clauses: map[agreement.ClauseID]string{
				agreement.ClauseObjet:          "Les communes membres organisent ensemble, chaque année en juin, le festival « Vallon en fête » (concerts, spectacles de rue, marché de producteurs) ; la commune de Marcillac-Vallon en est la commune support.",
				agreement.ClauseCleRepartition: "Les dépenses de chaque édition sont réparties entre les communes membres pour 60 % au prorata de leur population totale (INSEE) et pour 40 % à parts égales ; les parts sont arrondies au centime par la méthode du plus fort reste.",
				agreement.ClauseConference:     "La conférence intercommunale réunit deux délégués de chaque conseil municipal ; elle arrête le programme et le budget prévisionnel de chaque édition. Ses décisions sont ratifiées par chaque conseil municipal (CGCT L5221-2).",
				agreement.ClauseFinancier:      "La commune support règle les dépenses et émet après chaque édition un titre de recettes à chaque commune membre pour sa part, accompagné de l'état des dépenses.",
				agreement.ClauseDuree:          "La convention couvre les éditions 2026 à 2028, du 1er janvier 2026 au 31 décembre 2028.",
				agreement.ClauseSortie:         "Une commune peut se retirer de l'entente au 31 décembre, par délibération notifiée avant le 30 septembre ; le matériel acquis en commun reste à la commune support, sans indemnité.",
				agreement.ClauseResiliation:    textResil,
				agreement.ClauseLitiges:        textLitiges,
			},
			drafted: day("2025-10-06"),
			approvals: []approvalSpec{
				{marcillac, "2025-071", day("2025-10-16"), day("2025-10-20")},
				{salles, "2025-058", day("2025-10-23"), day("2025-10-27")},
				{valady, "2025-049", day("2025-10-21"), day("2025-10-24")},
				{stChristophe, "2025-044", day("2025-10-28"), day("2025-10-30")},
				{clairvaux, "2025-062", day("2025-11-04"), day("2025-11-06")},
			},
			signed:  day("2025-11-14"),
			terms:   ledger.Terms{Object: "Participation aux frais du festival « Vallon en fête »", PeriodMonths: 12, Key: festivalKey},
			termsOn: day("2025-11-17"),
		},
		{
			key: convPrestation, kind: agreement.Prestation,
			parties: []partySpec{{conques, agreement.RoleProvider}, {senergues, agreement.RoleBeneficiary}, {pruines, agreement.RoleBeneficiary}},
			content: agreement.Content{
				Title: TitlePrestation,
				Term:  agreement.Term{Start: day("2026-01-01"), End: day("2028-12-31"), NoticeMonths: 3},
				Financial: agreement.Financial{Mode: agreement.FixedPrice, PeriodMonths: 6,
					Summary: "Forfait semestriel de 3 150,00 € pour Sénergues et de 2 400,00 € pour Pruines, payé sur titre de recettes émis par Conques-en-Rouergue à la fin de chaque semestre."},
				Prestation: agreement.PrestationTerms{
					CooperationJustification: "Les trois communes mettent en commun l'entretien de leurs espaces publics pour assurer ensemble, sans produit phytosanitaire, un service public qu'aucune ne peut tenir seule ; la coopération ne poursuit que l'intérêt général.",
					OpenMarketBelow20:        true,
				},
			},
			clauses: map[agreement.ClauseID]string{
				agreement.ClauseObjet:       "La commune de Conques-en-Rouergue assure, avec ses services techniques, l'entretien des espaces verts et des cimetières de Sénergues et de Pruines : tonte, taille des haies, désherbage sans produit phytosanitaire et évacuation des déchets verts, selon le calendrier annexé.",
				agreement.ClauseDuree:       "La convention prend effet le 1er janvier 2026 et s'achève le 31 décembre 2028.",
				agreement.ClauseFinancier:   "Forfait semestriel de 3 150,00 € pour Sénergues et de 2 400,00 € pour Pruines, payé sur titre de recettes émis par Conques-en-Rouergue à la fin de chaque semestre.",
				agreement.ClauseControle:    "Le prestataire tient le relevé des interventions, joint à chaque titre de recettes ; chaque commune bénéficiaire peut en demander le détail.",
				agreement.ClauseResiliation: textResil,
				agreement.ClauseLitiges:     textLitiges,
			},
			drafted: day("2025-11-03"),
			approvals: []approvalSpec{
				{conques, "2025-064", day("2025-11-20"), day("2025-11-24")},
				{senergues, "2025-041", day("2025-11-27"), day("2025-12-01")},
				{pruines, "2025-038", day("2025-12-04"), day("2025-12-08")},
			},
			signed: day("2025-12-15"),
			terms: ledger.Terms{Object: "Entretien des espaces verts et des cimetières", PeriodMonths: 6, Fixed: []ledger.FixedLine{
				{Party: s.org[senergues], Label: "Forfait semestriel", Amount: 3_150_00},
				{Party: s.org[pruines], Label: "Forfait semestriel", Amount: 2_400_00},
			}},
			termsOn: day("2025-12-16"),
		},
		{
			key: convGym, kind: agreement.EquipementPartage,
			parties: []partySpec{{marcillac, agreement.RoleOwner}, {stChristophe, agreement.RoleUser}},
			content: agreement.Content{
				Title: TitleGym,
				Term:  agreement.Term{Start: day("2026-01-01"), End: day("2028-12-31"), NoticeMonths: 3},
				Financial: agreement.Financial{Mode: agreement.UnitPrice, PeriodMonths: 6,
					Summary: "Participation horaire calculée par référence aux frais de fonctionnement du gymnase constatés au compte administratif 2024 (58 240,00 € pour 2 080 heures d'occupation, soit 28,00 € de l'heure), facturée chaque semestre sur les heures réellement utilisées."},
				Equipment: agreement.EquipmentTerms{Equipment: GymName, FirstUse: day("2026-01-05")},
			},
			clauses: map[agreement.ClauseID]string{
				agreement.ClauseEquipement: "Le gymnase de Marcillac-Vallon (salle de sports collectifs, vestiaires, matériel pédagogique), mis à la disposition des classes de l'école publique de Saint-Christophe-Vallon le lundi de 14 h à 16 h en période scolaire.",
				agreement.ClauseFinancier:  "Participation horaire calculée par référence aux frais de fonctionnement du gymnase constatés au compte administratif 2024 (58 240,00 € pour 2 080 heures d'occupation, soit 28,00 € de l'heure), facturée chaque semestre sur les heures réellement utilisées.",
				agreement.ClauseDuree:      "La convention prend effet le 1er janvier 2026 et s'achève le 31 décembre 2028.",
				agreement.ClauseControle:   "La commune de Marcillac-Vallon tient le registre des créneaux et des horaires réels d'utilisation, joint à l'état semestriel des heures.",
				agreement.ClauseLitiges:    textLitiges,
			},
			drafted: day("2025-11-17"),
			approvals: []approvalSpec{
				{marcillac, "2025-087", day("2025-12-04"), day("2025-12-08")},
				{stChristophe, "2025-052", day("2025-12-09"), day("2025-12-11")},
			},
			signed:  day("2025-12-17"),
			terms:   gymTerms(),
			termsOn: day("2025-12-18"),
		},
		{
			key: convHall, kind: agreement.EquipementPartage,
			parties: []partySpec{{salles, agreement.RoleOwner}, {mouret, agreement.RoleUser}, {muret, agreement.RoleUser}},
			content: agreement.Content{
				Title: TitleHall,
				Term:  agreement.Term{Start: day("2027-01-01"), End: day("2029-12-31"), NoticeMonths: 3},
				Financial: agreement.Financial{Mode: agreement.UnitPrice, PeriodMonths: 12,
					Summary: "Participation de 150,00 € par journée d'utilisation, calculée sur les frais de fonctionnement de la salle (chauffage, énergie, ménage), facturée une fois par an."},
				Equipment: agreement.EquipmentTerms{Equipment: HallName, FirstUse: day("2026-10-17")},
			},
			clauses: map[agreement.ClauseID]string{
				agreement.ClauseEquipement: "La salle des fêtes de Salles-la-Source (grande salle, office de réchauffage, sanitaires), pour les manifestations municipales et associatives de Mouret et de Muret-le-Château.",
				agreement.ClauseFinancier:  "Participation de 150,00 € par journée d'utilisation, calculée sur les frais de fonctionnement de la salle (chauffage, énergie, ménage), facturée une fois par an.",
				agreement.ClauseDuree:      "La convention prend effet le 1er janvier 2027 et s'achève le 31 décembre 2029.",
				agreement.ClauseControle:   "La commune de Salles-la-Source tient le registre des réservations et le joint au titre de recettes annuel.",
				agreement.ClauseLitiges:    textLitiges,
			},
			drafted: day("2026-11-02"),
			approvals: []approvalSpec{
				{salles, "2026-071", day("2026-11-19"), day("2026-11-23")},
			},
			terms: ledger.Terms{Object: "Participation aux frais de fonctionnement de la salle des fêtes (CGCT L1311-15)", PeriodMonths: 12,
				UsageUnit: "day", UnitPrice: &ledger.UnitPriceTerms{Rule: money.UnitPrice{UnitCost: money.IntRat(150), Unit: "journée", Rounding: money.RoundHalfUp}}},
			termsOn: day("2026-11-23"),
		},
	}
}

// gymTerms bills the hours of use at the hourly operating cost of the
// gym: 58,240.00 € over 2,080 hours, 28.00 € an hour (domain.md §10
// example 7), the loan interest left out.
func gymTerms() ledger.Terms {
	return ledger.Terms{
		Object: "Participation aux frais de fonctionnement du gymnase (CGCT L1311-15)", PeriodMonths: 6, UsageUnit: "hour",
		UnitPrice: &ledger.UnitPriceTerms{
			Rule: money.UnitPrice{Unit: "heure", Rounding: money.RoundHalfUp},
			Basis: &money.UnitCostBasis{Source: "compte administratif 2024", Units: money.IntRat(2080), Unit: "heure",
				Lines: []money.CostLine{
					{Label: "Énergie (électricité, chauffage)", Amount: 21_400_00, Eligible: true},
					{Label: "Nettoyage et produits d'entretien", Amount: 14_860_00, Eligible: true},
					{Label: "Maintenance et contrôles réglementaires", Amount: 9_380_00, Eligible: true},
					{Label: "Gardiennage (quote-part de l'agent)", Amount: 12_600_00, Eligible: true},
					{Label: "Intérêts de l'emprunt de construction", Amount: 7_150_00,
						Reason: "charge financière, hors frais de fonctionnement (CGCT L1311-15)"},
				}},
		},
	}
}

// allConventionSpecs are the conventions of every family, in the order they
// were drafted, which gives them their references (2025-0001…) in that
// order.
func (s *seeder) allConventionSpecs() []convSpec {
	specs := slices.Concat(s.conventionSpecs(), s.staffConventionSpecs(), []convSpec{s.adsConventionSpec(), s.groupConventionSpec()})
	slices.SortStableFunc(specs, func(a, b convSpec) int { return a.drafted.Compare(b.drafted) })
	return specs
}

// seedConventions brings every demo convention, of every family, to where
// its life says, with its financial terms when they are set by hand.
func seedConventions(ctx context.Context, s *seeder) error {
	for _, spec := range s.allConventionSpecs() {
		r, err := s.ensureConvention(ctx, spec)
		if err != nil {
			return fmt.Errorf("« %s » : %w", spec.content.Title, err)
		}
		if err := s.ensureTerms(ctx, r, spec); err != nil {
			return fmt.Errorf("« %s », conditions financières : %w", spec.content.Title, err)
		}
		s.keep(spec.key, r)
	}
	return nil
}

// keep records convention r under key, for the later steps and the report.
func (s *seeder) keep(key string, r agreement.Record) {
	if _, ok := s.conv[key]; !ok {
		s.convKeys = append(s.convKeys, key)
	}
	s.conv[key] = r
}

// signatory names who signs for the party of that code: the mayor, or the
// intercommunality's president.
func (s *seeder) signatory(code string) string {
	if code == cc {
		return "Président de la " + s.name[cc]
	}
	return "Maire de " + s.name[code]
}

// findConvention returns the convention lead drafted under title.
func (s *seeder) findConvention(ctx context.Context, lead int64, title string) (agreement.Record, bool, error) {
	page, err := s.agr.List(ctx, actor, agreement.Filter{OrgID: lead, Limit: 500})
	if err != nil {
		return agreement.Record{}, false, err
	}
	for _, it := range page.Items {
		if it.Title == title {
			r, err := s.agr.Get(ctx, actor, it.ID)
			return r, err == nil, err
		}
	}
	return agreement.Record{}, false, nil
}

// ensureConvention brings the convention of spec to where its life says:
// drafted and submitted, each délibération recorded, each party signed. It
// resumes a convention an interrupted run left half-way.
func (s *seeder) ensureConvention(ctx context.Context, spec convSpec) (agreement.Record, error) {
	lead := spec.parties[0].code
	r, found, err := s.findConvention(ctx, s.org[lead], spec.content.Title)
	if err != nil {
		return r, err
	}
	if !found {
		in := agreement.Input{Kind: spec.kind, Content: spec.content}
		for _, p := range spec.parties {
			in.Parties = append(in.Parties, agreement.PartyInput{OrgID: s.org[p.code], Role: p.role})
		}
		for _, cs := range agreement.RequiredClauses(agreement.New(spec.kind, spec.content)) {
			if text, ok := spec.clauses[cs.ID]; ok {
				in.Content.Clauses = append(in.Content.Clauses, agreement.Clause{ID: cs.ID, Text: text})
			}
		}
		s.clk.on(spec.drafted)
		if r, err = s.agr.Create(ctx, s.clerk[lead], in); err != nil {
			return r, fmt.Errorf("rédaction : %w", err)
		}
		s.rep.Created++
	}
	if r.Agreement.Status == agreement.Draft {
		s.clk.on(spec.drafted)
		if r, err = s.agr.Submit(ctx, s.clerk[lead], r.ID, r.Version); err != nil {
			return r, fmt.Errorf("soumission : %w", err)
		}
	}
	type approval struct {
		code     string
		recorded civil.Date
		agreement.Approval
	}
	var approvals []approval
	for _, a := range spec.acts {
		approvals = append(approvals, approval{a.code, a.date, agreement.Approval{OrgID: s.org[a.code], Kind: a.kind, Body: a.body,
			Number: a.number, Date: a.date, Note: approvalNotes[a.kind]}})
	}
	for _, ap := range spec.approvals {
		note := approvalNotes[agreement.Deliberation]
		if ap.code == cc {
			note = "Délibération du conseil communautaire approuvant la convention et autorisant le président à la signer"
		}
		approvals = append(approvals, approval{ap.code, ap.transmitted, agreement.Approval{OrgID: s.org[ap.code], Kind: agreement.Deliberation,
			Number: ap.number, Date: ap.date, TransmittedOn: ap.transmitted, Note: note}})
	}
	for _, ap := range approvals {
		if slices.ContainsFunc(r.Agreement.Approvals, func(a agreement.Approval) bool {
			return a.OrgID == ap.OrgID && a.Kind == ap.Kind
		}) {
			continue
		}
		s.clk.on(ap.recorded)
		if r, err = s.agr.RecordApproval(ctx, s.clerk[ap.code], r.ID, r.Version, ap.Approval); err != nil {
			return r, fmt.Errorf("%s de %s : %w", ap.Kind.Label(), s.name[ap.code], err)
		}
	}
	if spec.signed.IsZero() {
		return r, nil
	}
	for _, p := range spec.parties {
		org := s.org[p.code]
		if slices.ContainsFunc(r.Agreement.Signatures, func(sg agreement.Signature) bool { return sg.OrgID == org }) {
			continue
		}
		s.clk.on(spec.signed)
		if r, err = s.agr.Sign(ctx, s.mayor[p.code], r.ID, r.Version, agreement.Signature{
			OrgID: org, Date: spec.signed, Signatory: s.signatory(p.code),
		}); err != nil {
			return r, fmt.Errorf("signature de %s : %w", s.name[p.code], err)
		}
	}
	return r, nil
}

// ensureTerms records the convention's financial terms unless it has some,
// or spec leaves them to the family's operations.
func (s *seeder) ensureTerms(ctx context.Context, r agreement.Record, spec convSpec) error {
	if spec.termsOn.IsZero() {
		return nil
	}
	_, err := s.led.Terms(ctx, actor, r.ID)
	if err == nil || !errors.Is(err, store.ErrNotFound) {
		return err
	}
	creditor, ok := ledger.CreditorRole(spec.kind)
	if !ok {
		return fmt.Errorf("no creditor for %s", spec.kind)
	}
	i := slices.IndexFunc(spec.parties, func(p partySpec) bool { return p.role == creditor })
	s.clk.on(spec.termsOn)
	if _, err := s.led.SetTerms(ctx, s.clerk[spec.parties[i].code], r.ID, 0, spec.terms); err != nil {
		return err
	}
	s.rep.Created++
	return nil
}

// --- Equipment and bookings --------------------------------------------------

// seriesSpec is a weekly series of bookings.
type seriesSpec struct {
	equipment string // name
	requester string // INSEE code
	conv      string // key of the covering convention, "" for none
	purpose   string
	rule      equipment.SeriesRule
	bookedOn  civil.Date
}

// bookingSpec is a one-off booking, approved by the owner on approvedOn
// when it is a request; a zero approvedOn leaves it pending.
type bookingSpec struct {
	equipment  string
	requester  string
	purpose    string
	start, end time.Time
	bookedOn   civil.Date
	approvedOn civil.Date
}

// at is the Paris wall-clock instant "2026-12-12 09:00" of a booking.
func at(d string, hour, minute int) time.Time {
	return equipment.At(day(d), equipment.Clock{Hour: hour, Minute: minute})
}

// The school holidays of zone C (académie de Toulouse) that fall on the
// series' Mondays, declared as exceptions; public holidays are skipped by
// the series' calendar.
var (
	schoolHolidays2026 = []civil.Date{
		day("2026-02-23"), day("2026-03-02"), // hiver, 21 février – 9 mars 2026
		day("2026-04-20"), day("2026-04-27"), // printemps, 18 avril – 4 mai 2026
	}
	schoolHolidays2027 = []civil.Date{
		day("2026-10-19"), day("2026-10-26"), // Toussaint, 17 octobre – 2 novembre 2026
		day("2026-12-21"), day("2026-12-28"), // Noël, 19 décembre 2026 – 4 janvier 2027
		// Winter and spring 2027 in zone C as the rotation of the zones
		// gives them; check them against the published calendar.
		day("2027-02-08"), day("2027-02-15"), // hiver, 6 – 22 février 2027
		day("2027-04-05"), day("2027-04-12"), // printemps, 3 – 19 avril 2027
	}
)

// The real times and the cancellation of two sessions of the 2026 series.
var (
	lateSession      = at("2026-03-16", 14, 0) // a session that ran until 16:30
	cancelledSession = at("2026-06-29", 14, 0) // cancelled for the end-of-year outing
)

func seedEquipment(ctx context.Context, s *seeder) error {
	gymTariff, gymOther, gymAssoc := money.Cents(28_00), money.Cents(35_00), money.Cents(12_00)
	hallOwn, hallConv, hallOther, hallAssoc := money.Cents(0), money.Cents(150_00), money.Cents(250_00), money.Cents(180_00)
	for _, e := range []struct {
		owner   string
		created civil.Date
		d       equipment.Details
	}{
		{marcillac, day("2025-11-10"), equipment.Details{
			Name: GymName, Kind: equipment.Gym, Capacity: 250, CommuneCode: marcillac,
			Description:   "Gymnase municipal : salle de sports collectifs (handball, basket, volley, badminton), vestiaires, matériel de gymnastique.",
			Address:       "Complexe sportif, 12330 Marcillac-Vallon",
			Accessibility: "Accès de plain-pied ; vestiaires et sanitaires adaptés aux personnes à mobilité réduite.",
			Rules:         "Chaussures de salle obligatoires. Le matériel est rangé à la fin de chaque séance. Clés à retirer en mairie la veille.",
			Unit:          equipment.UnitHour, Approval: equipment.ApproveConvention, Active: true,
			Tariffs: equipment.Tariffs{Convention: &gymTariff, OtherCommune: &gymOther, Association: &gymAssoc},
		}},
		{salles, day("2026-09-01"), equipment.Details{
			Name: HallName, Kind: equipment.Hall, Capacity: 200, CommuneCode: salles,
			Description:   "Salle des fêtes : grande salle de 200 places, office de réchauffage, sono, tables et chaises.",
			Address:       "Le bourg, 12330 Salles-la-Source",
			Accessibility: "Accès de plain-pied et sanitaires adaptés.",
			Rules:         "Fin des manifestations à 1 h. Salle rendue balayée, état des lieux à l'entrée et à la sortie.",
			Unit:          equipment.UnitDay, Approval: equipment.ApproveManual, Active: true,
			Tariffs: equipment.Tariffs{Own: &hallOwn, Convention: &hallConv, OtherCommune: &hallOther, Association: &hallAssoc},
		}},
	} {
		eq, err := s.ensureEquipment(ctx, e.owner, e.created, e.d)
		if err != nil {
			return fmt.Errorf("%s : %w", e.d.Name, err)
		}
		s.equip[eq.Name] = eq
		s.rep.Equipment = append(s.rep.Equipment, eq.Name+" ("+eq.CommuneName+")")
	}

	for _, sr := range []seriesSpec{
		{equipment: GymName, requester: stChristophe, conv: convGym, purpose: PurposeSchool, bookedOn: day("2025-12-19"),
			rule: equipment.SeriesRule{Weekdays: []time.Weekday{time.Monday}, Start: equipment.Clock{Hour: 14}, End: equipment.Clock{Hour: 16},
				From: day("2026-01-05"), To: day("2026-07-03"), Exceptions: schoolHolidays2026}},
		{equipment: GymName, requester: stChristophe, conv: convGym, purpose: PurposeSchool, bookedOn: day("2026-07-07"),
			rule: equipment.SeriesRule{Weekdays: []time.Weekday{time.Monday}, Start: equipment.Clock{Hour: 14}, End: equipment.Clock{Hour: 16},
				From: day("2026-09-07"), To: day("2027-07-02"), Exceptions: schoolHolidays2027}},
	} {
		if err := s.ensureSeries(ctx, sr); err != nil {
			return fmt.Errorf("série %s du %s : %w", sr.purpose, sr.rule.From.French(), err)
		}
	}
	if err := s.adjustSeries(ctx); err != nil {
		return err
	}

	for _, b := range []bookingSpec{
		{equipment: HallName, requester: mouret, purpose: "Assemblée générale et repas du comité des fêtes de Mouret",
			start: at("2026-10-17", 10, 0), end: at("2026-10-17", 23, 0), bookedOn: day("2026-09-14"), approvedOn: day("2026-09-16")},
		{equipment: HallName, requester: valady, purpose: "Repas des aînés de Valady",
			start: at("2026-12-13", 11, 0), end: at("2026-12-13", 18, 0), bookedOn: day("2026-11-03"), approvedOn: day("2026-11-05")},
		{equipment: GymName, requester: marcillac, purpose: "Tournoi de futsal des écoles du Vallon",
			start: at("2026-12-12", 9, 0), end: at("2026-12-12", 18, 0), bookedOn: day("2026-11-16")},
		{equipment: HallName, requester: salles, purpose: "Vœux de la municipalité",
			start: at("2027-01-15", 18, 0), end: at("2027-01-15", 22, 0), bookedOn: day("2026-11-18")},
		// Without a convention, the request waits for Marcillac-Vallon.
		{equipment: GymName, requester: clairvaux, purpose: "Rencontre de basket des écoles de Clairvaux-d'Aveyron",
			start: at("2027-01-20", 13, 30), end: at("2027-01-20", 16, 30), bookedOn: day("2026-11-24")},
	} {
		if err := s.ensureBooking(ctx, b); err != nil {
			return fmt.Errorf("réservation « %s » : %w", b.purpose, err)
		}
	}
	return nil
}

// ensureEquipment returns the owner's equipment of that name, created on
// the day given when missing.
func (s *seeder) ensureEquipment(ctx context.Context, owner string, created civil.Date, d equipment.Details) (equipment.Equipment, error) {
	list, err := s.eq.Search(ctx, equipment.Query{OwnerOrgID: s.org[owner], IncludeInactive: true, Limit: 500})
	if err != nil {
		return equipment.Equipment{}, err
	}
	for _, e := range list {
		if e.Name == d.Name {
			return e, nil
		}
	}
	s.clk.on(created)
	e, err := s.eq.Create(ctx, s.clerk[owner], s.org[owner], d)
	if err == nil {
		s.rep.Created++
	}
	return e, err
}

// bookingsOf returns the requester's bookings of an equipment over [from, to).
func (s *seeder) bookingsOf(ctx context.Context, equipmentID int64, requester string, from, to time.Time) ([]equipment.Booking, error) {
	return s.eq.Bookings(ctx, actor, equipment.BookingFilter{OrgID: s.org[requester], Side: equipment.AsRequester,
		EquipmentID: equipmentID, From: from, To: to, Limit: 1000})
}

func (s *seeder) ensureSeries(ctx context.Context, sr seriesSpec) error {
	e := s.equip[sr.equipment]
	from, to := equipment.At(sr.rule.From, equipment.Clock{}), equipment.At(sr.rule.To.AddDays(1), equipment.Clock{})
	have, err := s.bookingsOf(ctx, e.ID, sr.requester, from, to)
	if err != nil {
		return err
	}
	if slices.ContainsFunc(have, func(b equipment.Booking) bool { return b.SeriesID != 0 && b.Purpose == sr.purpose }) {
		return nil
	}
	s.clk.on(sr.bookedOn)
	if _, err := s.eq.BookSeries(ctx, s.clerk[sr.requester], equipment.SeriesRequest{EquipmentID: e.ID,
		RequesterOrgID: s.org[sr.requester], AgreementID: s.conv[sr.conv].ID, Purpose: sr.purpose, Rule: sr.rule}); err != nil {
		return err
	}
	s.rep.Created++
	return nil
}

// adjustSeries records what happened to two sessions of the 2026 series:
// one ran half an hour late, one was cancelled for the end-of-year outing.
func (s *seeder) adjustSeries(ctx context.Context) error {
	gym := s.equip[GymName]
	session := func(start time.Time) (equipment.Booking, error) {
		bs, err := s.bookingsOf(ctx, gym.ID, stChristophe, start, start.Add(time.Minute))
		if err != nil {
			return equipment.Booking{}, err
		}
		for _, b := range bs {
			if b.Start.Equal(start) && b.Purpose == PurposeSchool {
				return b, nil
			}
		}
		return equipment.Booking{}, fmt.Errorf("la séance du %s est introuvable", equipment.FrenchDay(start))
	}
	late, err := session(lateSession)
	if err != nil {
		return err
	}
	if late.CheckedOut == nil {
		s.clk.on(day("2026-03-17"))
		if _, err := s.eq.RecordUse(ctx, s.clerk[marcillac], late.ID, lateSession, lateSession.Add(150*time.Minute)); err != nil {
			return fmt.Errorf("horaires réels du %s : %w", equipment.FrenchDay(lateSession), err)
		}
	}
	cancelled, err := session(cancelledSession)
	if err != nil {
		return err
	}
	if cancelled.Status.Active() {
		s.clk.on(day("2026-06-15"))
		if _, err := s.eq.Cancel(ctx, s.clerk[stChristophe], cancelled.ID, "Sortie scolaire de fin d'année"); err != nil {
			return fmt.Errorf("annulation du %s : %w", equipment.FrenchDay(cancelledSession), err)
		}
	}
	return nil
}

func (s *seeder) ensureBooking(ctx context.Context, bs bookingSpec) error {
	e := s.equip[bs.equipment]
	have, err := s.bookingsOf(ctx, e.ID, bs.requester, bs.start, bs.end)
	if err != nil {
		return err
	}
	var b equipment.Booking
	if i := slices.IndexFunc(have, func(b equipment.Booking) bool { return b.Start.Equal(bs.start) && b.Purpose == bs.purpose }); i >= 0 {
		b = have[i]
	} else {
		s.clk.on(bs.bookedOn)
		if b, err = s.eq.Book(ctx, s.clerk[bs.requester], equipment.Request{EquipmentID: e.ID, RequesterOrgID: s.org[bs.requester],
			Start: bs.start, End: bs.end, Purpose: bs.purpose}); err != nil {
			return err
		}
		s.rep.Created++
	}
	if b.Status == equipment.Requested && !bs.approvedOn.IsZero() {
		s.clk.on(bs.approvedOn)
		if _, err := s.eq.Approve(ctx, s.clerk[s.codeOf(e.OwnerOrgID)], b.ID, "Accordé : état des lieux avec l'agent communal."); err != nil {
			return err
		}
	}
	return nil
}

// codeOf returns the INSEE code of the member commune with that
// organisation id.
func (s *seeder) codeOf(orgID int64) string {
	for code, id := range s.org {
		if id == orgID {
			return code
		}
	}
	return ""
}

// --- Finances ---------------------------------------------------------------

// The period of the statements: the first half of 2026.
var firstHalfFrom, firstHalfTo = day("2026-01-01"), day("2026-06-30")

// festivalCosts are the expenses of the 2026 edition of the festival, the
// reception of the councillors left out of the shared cost.
var festivalCosts = []money.CostLine{
	{Label: "Cachets des artistes et droits d'auteur", Amount: 18_400_00, Eligible: true},
	{Label: "Location de la sonorisation et de l'éclairage", Amount: 6_950_00, Eligible: true},
	{Label: "Affiches, programmes et communication", Amount: 2_180_50, Eligible: true},
	{Label: "Sécurité et secours (prestataire agréé)", Amount: 3_600_00, Eligible: true},
	{Label: "Réception des élus", Amount: 420_00, Reason: "dépense propre à la commune support, hors frais communs"},
}

func seedFinances(ctx context.Context, s *seeder) error {
	// The usage job has turned the sessions held by early July into usage
	// records, which the gym's statement bills.
	s.clk.set(at("2026-07-03", 18, 0))
	if _, err := s.eq.SyncUsage(ctx); err != nil {
		return err
	}
	for _, st := range []struct {
		conv     string
		creditor string
		on       civil.Date
		req      ledger.Request
	}{
		{convPrestation, conques, day("2026-07-06"), ledger.Request{Label: "1er semestre 2026"}},
		{convGym, marcillac, day("2026-07-06"), ledger.Request{Label: "1er semestre 2026"}},
		{convFestival, marcillac, day("2026-07-20"), ledger.Request{Label: "Édition 2026", CostLines: festivalCosts}},
	} {
		st.req.AgreementID, st.req.From, st.req.To = s.conv[st.conv].ID, firstHalfFrom, firstHalfTo
		if _, err := s.ensureStatement(ctx, st.creditor, st.on, st.req); err != nil {
			return fmt.Errorf("état « %s » de « %s » : %w", st.req.Label, s.conv[st.conv].Agreement.Title, err)
		}
	}

	// Conques-en-Rouergue has issued the titre of Sénergues' share.
	prest := s.conv[convPrestation]
	sts, err := s.led.Statements(ctx, actor, prest.ID)
	if err != nil {
		return err
	}
	for _, st := range sts {
		if !st.Current() {
			continue
		}
		flows, err := s.led.Flows(ctx, actor, st.ID)
		if err != nil {
			return err
		}
		for _, f := range flows {
			if f.Debtor.OrgID != s.org[senergues] || f.Titre != nil {
				continue
			}
			s.clk.on(day("2026-07-10"))
			if _, err := s.led.RecordDocument(ctx, s.clerk[conques], f.ID, ledger.Titre,
				ledger.Document{Reference: "T-2026-0142", Date: day("2026-07-10")}); err != nil {
				return fmt.Errorf("titre de Sénergues : %w", err)
			}
			s.rep.Created++
		}
	}

	// Sénergues states what the same upkeep would cost it alone.
	y, err := s.led.Year(ctx, actor, s.org[senergues], 2026)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(y.Conventions, func(c ledger.ConventionYear) bool { return c.AgreementID == prest.ID && c.Standalone != nil }) {
		s.clk.on(day("2026-07-10"))
		if err := s.led.SetStandalone(ctx, s.clerk[senergues], ledger.Standalone{AgreementID: prest.ID, OrgID: s.org[senergues],
			Year: 2026, Cost: 7_900_00, OwnCost: 450_00,
			Note: "Devis 2026 d'une entreprise paysagiste pour le même entretien ; fleurissement resté à la charge de la commune."}); err != nil {
			return fmt.Errorf("coût si seule de Sénergues : %w", err)
		}
		s.rep.Created++
	}
	return nil
}

// ensureStatement returns the current statement of req's convention and
// period, drafting and issuing it on the day given when there is none.
func (s *seeder) ensureStatement(ctx context.Context, creditor string, on civil.Date, req ledger.Request) (ledger.Statement, error) {
	sts, err := s.led.Statements(ctx, actor, req.AgreementID)
	if err != nil {
		return ledger.Statement{}, err
	}
	var draft *ledger.Statement
	for i, st := range sts {
		if st.Inputs.From != req.From || st.Inputs.To != req.To {
			continue
		}
		switch {
		case st.Current():
			return st, nil
		case st.Status == ledger.Draft:
			draft = &sts[i]
		}
	}
	s.clk.on(on)
	clerk := s.clerk[creditor]
	if draft == nil {
		st, err := s.led.Draft(ctx, clerk, req)
		if err != nil {
			return st, err
		}
		draft = &st
	} else if _, err := s.led.Recompute(ctx, clerk, draft.ID); err != nil {
		return ledger.Statement{}, err
	}
	st, err := s.led.Issue(ctx, clerk, draft.ID)
	if err == nil {
		s.rep.Created++
	}
	return st, err
}

// --- Today -------------------------------------------------------------------

// seedToday brings the demo to its day: the sessions held since July become
// usage records, the conventions take the status time gives them, and the
// report is filled.
func seedToday(ctx context.Context, s *seeder) error {
	s.clk.set(s.today)
	if _, err := s.eq.SyncUsage(ctx); err != nil {
		return err
	}
	for _, key := range s.convKeys {
		r, err := s.agr.Refresh(ctx, actor, s.conv[key].ID)
		if err != nil {
			return err
		}
		s.conv[key] = r
		s.rep.Conventions = append(s.rep.Conventions, ConventionLine{Reference: r.Reference, Title: r.Agreement.Title,
			Status: r.Agreement.Status.Label()})
		sts, err := s.led.Statements(ctx, actor, r.ID)
		if err != nil {
			return err
		}
		for _, st := range sts {
			if st.Current() {
				s.rep.Statements = append(s.rep.Statements, StatementLine{Reference: r.Reference, Title: r.Agreement.Title,
					Label: st.Inputs.Label, Total: st.Result.Total})
			}
		}
	}
	for _, name := range []string{GymName, HallName} {
		e := s.equip[name]
		bs, err := s.eq.Bookings(ctx, actor, equipment.BookingFilter{OrgID: e.OwnerOrgID, Side: equipment.AsOwner, EquipmentID: e.ID,
			Statuses: []equipment.Status{equipment.Requested, equipment.Approved}, Kind: equipment.KindBooking, Limit: 1000})
		if err != nil {
			return err
		}
		s.rep.Bookings += len(bs)
	}
	return nil
}

// WriteContent writes what the demo shows, in French: its conventions, its
// equipment, secondments, shared services and purchasing groups, the
// statements issued and those drafted.
func (c ContentReport) WriteContent(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CONVENTION\tINTITULÉ\tSTATUT")
	for _, cv := range c.Conventions {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", cv.Reference, cv.Title, cv.Status)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(c.Equipment) > 0 {
		fmt.Fprintf(w, "Équipements : %s ; %d réservations validées ou en attente.\n", strings.Join(c.Equipment, ", "), c.Bookings)
	}
	for _, l := range c.Secondments {
		fmt.Fprintf(w, "Mise à disposition : %s\n", l)
	}
	for _, l := range c.Services {
		fmt.Fprintf(w, "Service commun : %s\n", l)
	}
	for _, l := range c.Groups {
		fmt.Fprintf(w, "Groupement de commandes : %s\n", l)
	}
	for _, st := range c.Statements {
		fmt.Fprintf(w, "État émis : %s, %s — %s.\n", st.Reference, st.Label, st.Total)
	}
	for _, st := range c.Drafts {
		fmt.Fprintf(w, "État à vérifier et émettre : %s, %s — %s.\n", st.Reference, st.Label, st.Total)
	}
	return nil
}
