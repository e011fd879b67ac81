// Package synth generates a synthetic national year on the real territory,
// for measuring the financial engine at scale: conventions of realistic
// kinds between neighbouring communes (sharing a border, from the imported
// adjacency) and between EPCI and their member communes, each with its
// financial terms, and usage records over the year. Everything is written
// with each engine's bulk path (COPY on PostgreSQL, multi-row INSERT on
// SQLite); the conventions are marked synthetic (references "SYN-…") and
// are not real agreements.
//
// The generation is deterministic for a seed: the same territory and
// options give the same rows.
package synth

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"voisines/internal/agreement"
	"voisines/internal/audit"
	"voisines/internal/auth"
	"voisines/internal/civil"
	"voisines/internal/ledger"
	"voisines/internal/money"
	"voisines/internal/store"
)

// Options say how much to generate.
type Options struct {
	Year         int   // the fiscal year of the usage (default 2026)
	Conventions  int   // default 200,000
	UsageRecords int   // default 5,000,000
	Seed         int64 // default 1
	// Progress, when set, is told of each step (done out of total).
	Progress func(step string, done, total int)
}

func (o Options) withDefaults() Options {
	if o.Year == 0 {
		o.Year = 2026
	}
	if o.Conventions == 0 {
		o.Conventions = 200_000
	}
	if o.UsageRecords == 0 {
		o.UsageRecords = 5_000_000
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	return o
}

// Report says what was generated.
type Report struct {
	Communes     int                    `json:"communes"`
	EPCIs        int                    `json:"epcis"`
	Adjacencies  int                    `json:"adjacencies"`
	Conventions  int                    `json:"conventions"`
	Parties      int                    `json:"parties"`
	UsageRecords int                    `json:"usage_records"`
	ByKind       map[agreement.Kind]int `json:"by_kind"`
	Elapsed      time.Duration          `json:"elapsed_ns"`
}

// ReferencePrefix starts the reference of every synthetic convention.
const ReferencePrefix = "SYN-"

// ErrNoTerritory is returned when no territory is imported.
var ErrNoTerritory = errors.New("synth: no communes: import the territory first (voisines import cog, voisines import geo --adjacency)")

// commune is a commune of the territory with its organisation.
type commune struct {
	org   int64
	code  string
	name  string
	siren string
	dep   string
	epci  int // index in epcis, -1 when none
	pop   int64
	neigh []int32 // indexes of adjacent communes
}

type epci struct {
	org     int64
	siren   string
	name    string
	members []int32
}

type territory struct {
	communes    []commune
	epcis       []epci
	adjacencies int
	popVintage  string // vintage of the municipal populations of communes.json
}

// Generate writes a synthetic year into db, whose territory must be
// imported. It refuses to run twice on the same database.
func Generate(ctx context.Context, db *store.DB, o Options) (Report, error) {
	o = o.withDefaults()
	start := time.Now()
	progress := func(step string, done, total int) {
		if o.Progress != nil {
			o.Progress(step, done, total)
		}
	}
	var n int
	if err := db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM agreements WHERE reference LIKE ?`, ReferencePrefix+"%").Scan(&n); err != nil {
		return Report{}, fmt.Errorf("synth: %w", err)
	}
	if n > 0 {
		return Report{}, fmt.Errorf("synth: %w: the database already holds %d synthetic conventions", store.ErrConflict, n)
	}
	progress("read territory", 0, 1)
	t, err := readTerritory(ctx, db.Reader())
	if err != nil {
		return Report{}, err
	}
	progress("read territory", 1, 1)
	var firstID int64
	if err := db.Reader().QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) + 1 FROM agreements`).Scan(&firstID); err != nil {
		return Report{}, fmt.Errorf("synth: %w", err)
	}
	g := newGenerator(t, o, firstID)
	progress("plan conventions", 0, o.Conventions)
	if err := g.plan(); err != nil {
		return Report{}, err
	}
	progress("plan conventions", o.Conventions, o.Conventions)

	rep := Report{Communes: len(t.communes), EPCIs: len(t.epcis), Adjacencies: t.adjacencies, ByKind: map[agreement.Kind]int{}}
	for _, c := range g.convs {
		rep.ByKind[c.kind]++
		rep.Parties += len(c.parties)
	}
	rep.Conventions, rep.UsageRecords = len(g.convs), g.usageTotal
	err = write(ctx, db, func(s sink) error {
		now := time.Now().UTC().Truncate(time.Microsecond)
		steps := []struct {
			name  string
			table string
			cols  []string
			rows  rowSource
			total int
		}{
			{"write conventions", "agreements", []string{"id", "reference", "external_reference", "notes", "kind", "status", "title",
				"lead_org_id", "start_date", "end_date", "signed_on", "version", "document", "created_at", "updated_at"},
				g.agreementRows(now), len(g.convs)},
			{"write parties", "agreement_parties", []string{"agreement_id", "org_id", "role", "is_current"}, g.partyRows(), rep.Parties},
			{"write financial terms", "ledger_terms", []string{"agreement_id", "creditor_org_id", "mode", "terms", "version", "updated_at"},
				g.termsRows(now), len(g.convs)},
			{"write usage records", "usage_records", []string{"provider_org_id", "user_org_id", "agreement_id", "source_kind", "source_ref",
				"subject", "unit", "quantity_milli", "act_type", "occurred_on", "note", "created_at", "updated_at"},
				g.usageRows(now), g.usageTotal},
		}
		for _, st := range steps {
			if err := s.copy(ctx, st.table, st.cols, st.rows, func(done int) { progress(st.name, done, st.total) }); err != nil {
				return fmt.Errorf("%s: %w", st.name, err)
			}
		}
		return nil
	})
	if err != nil {
		return Report{}, fmt.Errorf("synth: %w", err)
	}
	rep.Elapsed = time.Since(start)
	err = db.InTx(ctx, func(tx *store.Tx) error {
		return audit.Record(ctx, tx, auth.SystemActor("synth").Audit(0, "synth.generate", "agreement", ReferencePrefix+"*", map[string]any{
			"year": o.Year, "seed": o.Seed, "conventions": rep.Conventions, "usage_records": rep.UsageRecords, "by_kind": rep.ByKind,
		}))
	})
	if err != nil {
		return Report{}, fmt.Errorf("synth: audit: %w", err)
	}
	return rep, nil
}

func readTerritory(ctx context.Context, q store.Querier) (*territory, error) {
	t := &territory{}
	epciIndex := map[string]int{}
	rows, err := q.QueryContext(ctx, `SELECT o.id, e.siren, e.name FROM epcis e JOIN organisations o ON o.epci_siren = e.siren
		WHERE NOT e.retired ORDER BY e.siren`)
	if err != nil {
		return nil, fmt.Errorf("synth: epcis: %w", err)
	}
	for rows.Next() {
		var e epci
		if err := rows.Scan(&e.org, &e.siren, &e.name); err != nil {
			rows.Close()
			return nil, err
		}
		epciIndex[e.siren] = len(t.epcis)
		t.epcis = append(t.epcis, e)
	}
	rows.Close()
	if err := q.QueryRowContext(ctx, `SELECT COALESCE(MAX(vintage), '') FROM commune_populations WHERE measure = 'municipale' AND source = 'communes.json'`).
		Scan(&t.popVintage); err != nil {
		return nil, fmt.Errorf("synth: populations: %w", err)
	}
	rows, err = q.QueryContext(ctx, `SELECT o.id, c.code, c.name, COALESCE(c.siren, ''), c.departement_code, COALESCE(c.epci_siren, ''),
		COALESCE((SELECT p.value FROM commune_populations p WHERE p.commune_code = c.code AND p.measure = 'municipale'
			AND p.source = 'communes.json' AND p.vintage = ?), 0)
		FROM communes c JOIN organisations o ON o.commune_code = c.code WHERE NOT c.retired ORDER BY c.code`, t.popVintage)
	if err != nil {
		return nil, fmt.Errorf("synth: communes: %w", err)
	}
	index := map[string]int32{}
	for rows.Next() {
		var c commune
		var siren string
		if err := rows.Scan(&c.org, &c.code, &c.name, &c.siren, &c.dep, &siren, &c.pop); err != nil {
			rows.Close()
			return nil, err
		}
		c.epci = -1
		if i, ok := epciIndex[siren]; ok {
			c.epci = i
			t.epcis[i].members = append(t.epcis[i].members, int32(len(t.communes)))
		}
		index[c.code] = int32(len(t.communes))
		t.communes = append(t.communes, c)
	}
	rows.Close()
	if len(t.communes) == 0 {
		return nil, ErrNoTerritory
	}
	rows, err = q.QueryContext(ctx, `SELECT code_a, code_b FROM commune_adjacency`)
	if err != nil {
		return nil, fmt.Errorf("synth: adjacency: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var a, b string
		if err := rows.Scan(&a, &b); err != nil {
			return nil, err
		}
		ia, oka := index[a]
		ib, okb := index[b]
		if !oka || !okb {
			continue
		}
		t.communes[ia].neigh = append(t.communes[ia].neigh, ib)
		t.communes[ib].neigh = append(t.communes[ib].neigh, ia)
		t.adjacencies++
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if t.adjacencies == 0 {
		// Without the adjacency, neighbours are the communes next in their
		// EPCI's list: the same intercommunality, so nearby.
		for _, e := range t.epcis {
			for k := 1; k < len(e.members); k++ {
				a, b := e.members[k-1], e.members[k]
				t.communes[a].neigh = append(t.communes[a].neigh, b)
				t.communes[b].neigh = append(t.communes[b].neigh, a)
			}
		}
	}
	return t, nil
}

// conv is one planned convention.
type conv struct {
	id      int64
	kind    agreement.Kind
	title   string
	parties []party // in the convention's order
	start   civil.Date
	end     civil.Date
	terms   ledger.Terms
	usage   usagePlan
}

type party struct {
	c    int32 // commune index, or -1
	e    int   // EPCI index, or -1
	role agreement.Role
}

// usagePlan says what usage records a convention gets.
type usagePlan struct {
	records int
	unit    string
	types   []string // act types drawn from, none when empty
	users   []int64  // user organisations
	// quarter is the quantity step in thousandths and max the number of
	// steps of one record.
	step, max int64
}

type generator struct {
	t          *territory
	o          Options
	r          *rand.Rand
	nextID     int64
	convs      []conv
	usageTotal int
}

func newGenerator(t *territory, o Options, firstID int64) *generator {
	return &generator{t: t, o: o, r: rand.New(rand.NewPCG(uint64(o.Seed), 0x766f6973696e6573)), nextID: firstID}
}

// mix is the share of each kind among the conventions, in thousandths.
var mix = []struct {
	kind agreement.Kind
	per  int
}{
	{agreement.EquipementPartage, 300},
	{agreement.MADPersonnel, 120},
	{agreement.Prestation, 100},
	{agreement.FraisScolarite, 100},
	{agreement.Entente, 100},
	{agreement.PartenariatEvenement, 50},
	{agreement.MADServicesDescendante, 80},
	{agreement.MADServicesAscendante, 50},
	{agreement.ServiceCommun, 50},
	{agreement.GroupementCommandes, 50},
}

func (g *generator) orgOf(p party) int64 {
	if p.c >= 0 {
		return g.t.communes[p.c].org
	}
	return g.t.epcis[p.e].org
}

func (g *generator) plan() error {
	var withNeigh []int32
	for i, c := range g.t.communes {
		if len(c.neigh) > 0 {
			withNeigh = append(withNeigh, int32(i))
		}
	}
	var bigEPCI []int
	for i, e := range g.t.epcis {
		if len(e.members) >= 2 {
			bigEPCI = append(bigEPCI, i)
		}
	}
	if len(withNeigh) == 0 || len(bigEPCI) == 0 {
		return fmt.Errorf("synth: the territory has no neighbouring communes or no EPCI with two members")
	}
	year := g.o.Year
	counts := make([]int, len(mix))
	sum := 0
	for i, m := range mix {
		counts[i] = g.o.Conventions * m.per / 1000
		sum += counts[i]
	}
	counts[0] += g.o.Conventions - sum // what rounding left goes to the commonest kind
	for i, m := range mix {
		for range counts[i] {
			a := withNeigh[g.r.IntN(len(withNeigh))]
			e := bigEPCI[g.r.IntN(len(bigEPCI))]
			c := g.build(m.kind, a, e, year)
			c.id = g.nextID
			g.nextID++
			g.convs = append(g.convs, c)
		}
	}
	g.r.Shuffle(len(g.convs), func(i, j int) { g.convs[i], g.convs[j] = g.convs[j], g.convs[i] })
	for i := range g.convs {
		g.convs[i].id = g.nextID - int64(len(g.convs)) + int64(i)
	}
	// Share the usage records between the conventions that bill by use,
	// a random weight each.
	var weights []int
	total := 0
	for i := range g.convs {
		w := 0
		if g.convs[i].usage.unit != "" {
			w = 1 + g.r.IntN(60)
		}
		weights = append(weights, w)
		total += w
	}
	if total == 0 {
		return nil
	}
	assigned := 0
	last := -1
	for i, w := range weights {
		if w == 0 {
			continue
		}
		n := int(int64(g.o.UsageRecords) * int64(w) / int64(total))
		g.convs[i].usage.records = n
		assigned += n
		last = i
	}
	g.convs[last].usage.records += g.o.UsageRecords - assigned
	g.usageTotal = g.o.UsageRecords
	return nil
}

func (g *generator) neighbours(a int32, most int) []int32 {
	ns := slices.Clone(g.t.communes[a].neigh)
	g.r.Shuffle(len(ns), func(i, j int) { ns[i], ns[j] = ns[j], ns[i] })
	if len(ns) > most {
		ns = ns[:most]
	}
	return ns
}

func (g *generator) members(e int, least, most int) []int32 {
	ms := slices.Clone(g.t.epcis[e].members)
	g.r.Shuffle(len(ms), func(i, j int) { ms[i], ms[j] = ms[j], ms[i] })
	n := least + g.r.IntN(most-least+1)
	if n > len(ms) {
		n = len(ms)
	}
	return ms[:n]
}

func cents(euros int) money.Cents { return money.Cents(euros) * 100 }

// build plans one convention of kind k around commune a and EPCI e.
func (g *generator) build(k agreement.Kind, a int32, e int, year int) conv {
	r := g.r
	c := conv{kind: k, start: civil.New(year-1, time.January, 1), end: civil.New(year+2, time.December, 31)}
	com := func(i int32, role agreement.Role) party { return party{c: i, e: -1, role: role} }
	ep := func(i int, role agreement.Role) party { return party{c: -1, e: i, role: role} }
	name := func(i int32) string { return g.t.communes[i].name }
	id := func(p party) string { return money.IntRat(g.orgOf(p)).String() }
	rule := money.UnitPrice{Rounding: money.RoundHalfUp}
	hourly := func(lo, hi int) money.Rat { return money.NewRat(int64(lo*100+r.IntN((hi-lo)*100)), 100) }
	b := g.neighbours(a, 1)[0]
	switch k {
	case agreement.EquipementPartage:
		what := []string{"gymnase", "piscine", "salle des fêtes", "stade", "dojo", "médiathèque"}[r.IntN(6)]
		c.title = fmt.Sprintf("Utilisation du %s de %s par %s", what, name(a), name(b))
		c.parties = []party{com(a, agreement.RoleOwner), com(b, agreement.RoleUser)}
		rule.UnitCost, rule.Unit = hourly(12, 48), "heure"
		c.terms = ledger.Terms{Mode: agreement.UnitPrice, UsageUnit: "hour", UnitPrice: &ledger.UnitPriceTerms{Rule: rule}}
		c.usage = usagePlan{unit: "hour", step: 250, max: 16}
	case agreement.MADPersonnel:
		c.title = fmt.Sprintf("Mise à disposition d'un agent de %s auprès de %s", name(a), name(b))
		c.start, c.end = civil.New(year-1, time.July, 1), civil.New(year+2, time.June, 30)
		c.parties = []party{com(a, agreement.RoleHomeEmployer), com(b, agreement.RoleHost)}
		pay := 22_000 + r.IntN(20_000)
		q := []money.Rat{money.NewRat(1, 5), money.NewRat(3, 10), money.NewRat(1, 2), money.NewRat(14, 35)}[r.IntN(4)]
		c.terms = ledger.Terms{Mode: agreement.SalaryProRata, Secondment: &ledger.SecondmentTerms{
			CostLines: []money.CostLine{{Label: "Rémunération brute", Amount: cents(pay), Eligible: true},
				{Label: "Cotisations employeur", Amount: cents(pay * 45 / 100), Eligible: true}},
			Quotite: q, Rounding: money.RoundHalfUp}}
	case agreement.Prestation:
		c.title = fmt.Sprintf("Prestation d'entretien des espaces verts de %s par %s", name(b), name(a))
		c.parties = []party{com(a, agreement.RoleProvider), com(b, agreement.RoleBeneficiary)}
		if r.IntN(2) == 0 {
			c.terms = ledger.Terms{Mode: agreement.FixedPrice, Fixed: []ledger.FixedLine{{Party: g.orgOf(c.parties[1]),
				Label: "forfait annuel", Amount: cents(2_000 + r.IntN(30_000))}}}
		} else {
			rule.UnitCost, rule.Unit = hourly(30, 90), "intervention"
			c.terms = ledger.Terms{Mode: agreement.UnitPrice, UsageUnit: "intervention", UnitPrice: &ledger.UnitPriceTerms{Rule: rule}}
			c.usage = usagePlan{unit: "intervention", step: 1000, max: 3}
		}
	case agreement.FraisScolarite:
		c.title = fmt.Sprintf("Frais de scolarité des élèves de %s dans les écoles de %s", name(b), name(a))
		c.parties = []party{com(a, agreement.RoleSchoolHost), com(b, agreement.RoleResidence)}
		pupils := 40 + r.IntN(600)
		rule.Unit, rule.RoundUnitCostFirst = "élève", r.IntN(2) == 0
		c.terms = ledger.Terms{Mode: agreement.UnitPrice, UsageUnit: "élève", UnitPrice: &ledger.UnitPriceTerms{Rule: rule,
			Basis: &money.UnitCostBasis{Source: fmt.Sprintf("compte administratif %d", year-1), Unit: "élève",
				Units: money.IntRat(int64(pupils)), Lines: []money.CostLine{
					{Label: "Frais de fonctionnement des écoles publiques", Amount: cents(pupils * (900 + r.IntN(900))), Eligible: true}}}}}
		c.usage = usagePlan{unit: "élève", step: 1000, max: 1}
	case agreement.Entente:
		ns := g.neighbours(a, 1+r.IntN(3))
		c.title = fmt.Sprintf("Entente intercommunale autour de %s", name(a))
		c.parties = []party{com(a, agreement.RoleLead)}
		for _, n := range ns {
			c.parties = append(c.parties, com(n, agreement.RoleMember))
		}
		var key money.Key
		switch r.IntN(3) {
		case 0:
			key = money.Key{Kind: money.KeyPopulation, Measure: money.PopulationMunicipale, Source: "communes.json", Vintage: g.t.popVintage}
			if g.t.popVintage == "" {
				key = money.Key{Kind: money.KeyEqual}
			}
		case 1:
			key = money.Key{Kind: money.KeyEqual}
		default:
			key = money.Key{Kind: money.KeyUsage, Label: "heures d'utilisation", Measure: "heures"}
			c.usage = usagePlan{unit: "hour", step: 500, max: 8}
		}
		c.terms = ledger.Terms{Mode: agreement.ActualCostByKey, UsageUnit: "hour", Key: &key}
	case agreement.PartenariatEvenement:
		ns := g.neighbours(a, 1+r.IntN(3))
		c.title = fmt.Sprintf("Festival de %s et des communes voisines", name(a))
		c.start, c.end = civil.New(year, time.January, 1), civil.New(year, time.December, 31)
		c.parties = []party{com(a, agreement.RoleLead)}
		for _, n := range ns {
			c.parties = append(c.parties, com(n, agreement.RolePartner))
		}
		pop := money.Key{Kind: money.KeyPopulation, Measure: money.PopulationMunicipale, Source: "communes.json", Vintage: g.t.popVintage}
		if g.t.popVintage == "" {
			pop = money.Key{Kind: money.KeyEqual}
		}
		c.terms = ledger.Terms{Mode: agreement.ActualCostByKey, UsageUnit: "billet", Key: &money.Key{Kind: money.KeyMix, Label: "clé du festival",
			Parts: []money.Part{{Weight: money.NewRat(1, 2), Key: pop},
				{Weight: money.NewRat(3, 10), Key: money.Key{Kind: money.KeyUsage, Label: "billets par commune de résidence"}},
				{Weight: money.NewRat(1, 5), Key: money.Key{Kind: money.KeyEqual}}}}}
		c.usage = usagePlan{unit: "billet", step: 1000, max: 12}
	case agreement.MADServicesDescendante:
		ms := g.members(e, 1, 3)
		c.title = fmt.Sprintf("Mise à disposition du service technique de %s", g.t.epcis[e].name)
		c.parties = []party{ep(e, agreement.RoleProvider)}
		for _, m := range ms {
			c.parties = append(c.parties, com(m, agreement.RoleBeneficiary))
		}
		hours := 2_000 + r.IntN(10_000)
		rule.Unit = "heure"
		c.terms = ledger.Terms{Mode: agreement.UnitPrice, UsageUnit: "hour", PeriodMonths: 12, UnitPrice: &ledger.UnitPriceTerms{Rule: rule,
			Basis: &money.UnitCostBasis{Source: fmt.Sprintf("compte administratif %d", year-1), Unit: "heure", Units: money.IntRat(int64(hours)),
				BudgetUpdate: cents(r.IntN(5_000)), Lines: []money.CostLine{
					{Label: "Charges de personnel", Amount: cents(hours * (25 + r.IntN(15))), Eligible: true},
					{Label: "Fournitures", Amount: cents(hours * (2 + r.IntN(5))), Eligible: true},
					{Label: "Frais généraux", Amount: cents(hours), Reason: "non strictement liés au fonctionnement du service"}}}}}
		c.usage = usagePlan{unit: "hour", step: 250, max: 32}
	case agreement.MADServicesAscendante:
		m := g.members(e, 1, 1)[0]
		c.title = fmt.Sprintf("Mise à disposition du service voirie de %s à %s", name(m), g.t.epcis[e].name)
		c.parties = []party{com(m, agreement.RoleProvider), ep(e, agreement.RoleBeneficiary)}
		rule.UnitCost, rule.Unit = hourly(22, 40), "heure"
		c.terms = ledger.Terms{Mode: agreement.UnitPrice, UsageUnit: "hour", PeriodMonths: 12, UnitPrice: &ledger.UnitPriceTerms{Rule: rule}}
		c.usage = usagePlan{unit: "hour", step: 500, max: 16}
	case agreement.ServiceCommun:
		ms := g.members(e, 3, 12)
		c.title = fmt.Sprintf("Service commun d'instruction du droit des sols de %s", g.t.epcis[e].name)
		c.parties = []party{ep(e, agreement.RoleManager)}
		for _, m := range ms {
			c.parties = append(c.parties, com(m, agreement.RoleMember))
		}
		c.terms = ledger.Terms{Mode: agreement.ActualCostByKey, UsageUnit: "acte", Key: &money.Key{Kind: money.KeyUsage, Label: "actes pondérés",
			Measure: "actes", UnitWeights: []money.UnitWeight{{Type: "PC", Weight: money.IntRat(1)}, {Type: "PA", Weight: money.NewRat(6, 5)},
				{Type: "DP", Weight: money.NewRat(7, 10)}, {Type: "CUb", Weight: money.NewRat(2, 5)}}}}
		if e%2 == 0 {
			// Half the EPCI (all à fiscalité professionnelle unique here)
			// charge the service against the attribution de compensation.
			c.terms.Settlement = ledger.SettleAgainstAC
		}
		c.usage = usagePlan{unit: "acte", types: []string{"PC", "PA", "DP", "DP", "CUb", "CUb"}, step: 1000, max: 1}
	case agreement.GroupementCommandes:
		ns := g.neighbours(a, 2+r.IntN(4))
		c.title = fmt.Sprintf("Groupement de commandes de fournitures coordonné par %s", name(a))
		c.parties = []party{com(a, agreement.RoleCoordinator)}
		for _, n := range ns {
			c.parties = append(c.parties, com(n, agreement.RoleMember))
		}
		key := money.Key{Kind: money.KeyValue, Measure: "besoins sur 4 ans (€ HT)"}
		for _, p := range c.parties {
			key.Figures = append(key.Figures, money.Figure{Party: id(p), Value: money.IntRat(int64(5_000 + r.IntN(80_000)))})
		}
		c.terms = ledger.Terms{Mode: agreement.ActualCostByKey, Key: &key}
	}
	// Terms name the creditor and the bearers, in the convention's order.
	creditorRole, _ := ledger.CreditorRole(k)
	bearers := ledger.BearerRoles(k)
	for _, p := range c.parties {
		org := g.orgOf(p)
		if p.role == creditorRole && c.terms.Creditor == 0 {
			c.terms.Creditor = org
		}
		if slices.Contains(bearers, p.role) {
			c.terms.Parties = append(c.terms.Parties, org)
			if c.usage.unit != "" {
				c.usage.users = append(c.usage.users, org)
			}
		}
	}
	c.terms.Object = c.title
	return c
}

// Request is the request of the year's statement of a synthetic
// convention: the whole year, and for the modes that share an actual cost,
// a cost drawn from the convention's id (the creditor's compte
// administratif, in real life).
func Request(c ledger.Convention, t ledger.Terms, from, to civil.Date) ledger.Request {
	req := ledger.Request{AgreementID: c.ID, From: from, To: to, Label: fmt.Sprintf("exercice %d", to.Year)}
	if t.Mode == agreement.ActualCostByKey {
		h := uint64(c.ID)*0x9e3779b97f4a7c15 + 1
		req.CostLines = []money.CostLine{
			{Label: "Dépenses de fonctionnement", Amount: money.Cents(500_000 + h%20_000_000), Eligible: true},
			{Label: "Frais financiers", Amount: money.Cents(h % 300_000), Reason: "non liés au fonctionnement"},
		}
	}
	return req
}

// rowSource yields rows one at a time.
type rowSource interface {
	next(dst []any) bool
}

type funcSource func(dst []any) bool

func (f funcSource) next(dst []any) bool { return f(dst) }

func (g *generator) document(c conv) (string, error) {
	a := agreement.New(c.kind, agreement.Content{
		Title: c.title,
		Term:  agreement.Term{Start: c.start, End: c.end},
		Financial: agreement.Financial{Mode: c.terms.Mode, Reference: "ledger", PeriodMonths: c.terms.PeriodMonths,
			Summary: "Convention synthétique générée pour mesurer le moteur financier."},
	})
	a.ID, a.Status = c.id, agreement.InForce
	for _, p := range c.parties {
		ap := agreement.Party{OrgID: g.orgOf(p), Role: p.role}
		if p.c >= 0 {
			cm := g.t.communes[p.c]
			ap.Kind, ap.Name, ap.SIREN, ap.CommuneCode, ap.DepartementCode = agreement.Commune, cm.name, cm.siren, cm.code, cm.dep
			if cm.epci >= 0 {
				ap.EPCISIREN = g.t.epcis[cm.epci].siren
			}
		} else {
			e := g.t.epcis[p.e]
			ap.Kind, ap.Name, ap.SIREN, ap.FPU = agreement.EPCI, e.name, e.siren, true
		}
		a.Parties = append(a.Parties, ap)
	}
	b, err := json.Marshal(a)
	return string(b), err
}

func (g *generator) agreementRows(now time.Time) rowSource {
	i := 0
	return funcSource(func(dst []any) bool {
		if i >= len(g.convs) {
			return false
		}
		c := g.convs[i]
		i++
		doc, err := g.document(c)
		if err != nil {
			doc = "{}"
		}
		signed := c.start.AddMonths(-1)
		lead := g.orgOf(c.parties[0])
		copy(dst, []any{c.id, fmt.Sprintf("%s%d-%06d", ReferencePrefix, g.o.Year, c.id), "", "synthétique", string(c.kind),
			string(agreement.InForce), c.title, lead, c.start.String(), c.end.String(), signed.String(), int64(1), doc, now, now})
		return true
	})
}

func (g *generator) partyRows() rowSource {
	i, j := 0, 0
	return funcSource(func(dst []any) bool {
		for i < len(g.convs) && j >= len(g.convs[i].parties) {
			i, j = i+1, 0
		}
		if i >= len(g.convs) {
			return false
		}
		c := g.convs[i]
		p := c.parties[j]
		j++
		copy(dst, []any{c.id, g.orgOf(p), string(p.role), true})
		return true
	})
}

func (g *generator) termsRows(now time.Time) rowSource {
	i := 0
	return funcSource(func(dst []any) bool {
		if i >= len(g.convs) {
			return false
		}
		c := g.convs[i]
		i++
		b, _ := json.Marshal(c.terms)
		copy(dst, []any{c.id, c.terms.Creditor, string(c.terms.Mode), string(b), int64(1), now})
		return true
	})
}

func (g *generator) usageRows(now time.Time) rowSource {
	i, j, seq := 0, 0, 0
	r := rand.New(rand.NewPCG(uint64(g.o.Seed), 0x7573616765))
	first := civil.New(g.o.Year, time.January, 1)
	return funcSource(func(dst []any) bool {
		for i < len(g.convs) && j >= g.convs[i].usage.records {
			i, j = i+1, 0
		}
		if i >= len(g.convs) {
			return false
		}
		c := g.convs[i]
		u := c.usage
		j++
		seq++
		user := u.users[r.IntN(len(u.users))]
		typ := ""
		if len(u.types) > 0 {
			typ = u.types[r.IntN(len(u.types))]
		}
		// One record in twenty falls in the previous year, outside the
		// statements of the year.
		day := first.AddDays(r.IntN(365))
		if r.IntN(20) == 0 {
			day = first.AddDays(-1 - r.IntN(180))
		}
		qty := u.step * (1 + r.Int64N(u.max))
		copy(dst, []any{c.terms.Creditor, user, c.id, "import", fmt.Sprintf("synth-%d", seq), "", u.unit, qty, typ,
			day.String(), "", now, now})
		return true
	})
}

// sink writes rows in bulk into one engine.
type sink interface {
	copy(ctx context.Context, table string, cols []string, rows rowSource, progress func(done int)) error
}

// write runs fn with the engine's bulk sink, in one transaction on
// PostgreSQL, in transactions of a bounded size on SQLite.
func write(ctx context.Context, db *store.DB, fn func(sink) error) error {
	if db.Dialect == store.Postgres {
		conn, err := db.Raw().Conn(ctx)
		if err != nil {
			return err
		}
		defer conn.Close()
		return conn.Raw(func(driverConn any) error {
			pc := driverConn.(*stdlib.Conn).Conn()
			tx, err := pc.Begin(ctx)
			if err != nil {
				return err
			}
			defer tx.Rollback(ctx)
			if err := fn(pgSink{tx}); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `SELECT setval(pg_get_serial_sequence('agreements', 'id'), (SELECT MAX(id) FROM agreements))`); err != nil {
				return err
			}
			return tx.Commit(ctx)
		})
	}
	return fn(sqliteSink{db})
}

type pgSink struct{ tx pgx.Tx }

func (s pgSink) copy(ctx context.Context, table string, cols []string, rows rowSource, progress func(int)) error {
	src := &copySource{rows: rows, row: make([]any, len(cols)), progress: progress}
	_, err := s.tx.CopyFrom(ctx, pgx.Identifier{table}, cols, src)
	progress(src.done)
	return err
}

type copySource struct {
	rows     rowSource
	row      []any
	done     int
	progress func(int)
}

func (c *copySource) Next() bool {
	if !c.rows.next(c.row) {
		return false
	}
	c.done++
	if c.done%100_000 == 0 {
		c.progress(c.done)
	}
	return true
}
func (c *copySource) Values() ([]any, error) { return c.row, nil }
func (c *copySource) Err() error             { return nil }

type sqliteSink struct{ db *store.DB }

// copy inserts rows by statements of up to 64 rows, in transactions of
// 200,000 rows.
func (s sqliteSink) copy(ctx context.Context, table string, cols []string, rows rowSource, progress func(int)) error {
	const perStatement, perTx = 64, 200_000
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	query := func(n int) string {
		return "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES " +
			strings.TrimSuffix(strings.Repeat(one+", ", n), ", ")
	}
	done := 0
	row := make([]any, len(cols))
	more := true
	for more {
		err := s.db.InTx(ctx, func(tx *store.Tx) error {
			full, err := tx.PrepareContext(ctx, query(perStatement))
			if err != nil {
				return err
			}
			defer full.Close()
			args := make([]any, 0, perStatement*len(cols))
			flush := func(stmt *sql.Stmt, n int) error {
				if n == 0 {
					return nil
				}
				var err error
				if stmt != nil {
					_, err = stmt.ExecContext(ctx, args...)
				} else {
					_, err = tx.ExecContext(ctx, query(n), args...)
				}
				args = args[:0]
				return err
			}
			n, inTx := 0, 0
			for inTx < perTx {
				if !rows.next(row) {
					more = false
					break
				}
				args = append(args, row...)
				n++
				inTx++
				if n == perStatement {
					if err := flush(full, n); err != nil {
						return err
					}
					n = 0
				}
			}
			if err := flush(nil, n); err != nil {
				return err
			}
			done += inTx
			return nil
		})
		if err != nil {
			return err
		}
		progress(done)
	}
	return nil
}
