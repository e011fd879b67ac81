package money

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// KeyKind is a kind of cost-sharing key (clé de répartition, domain.md §9.1).
type KeyKind string

// The kinds of key.
const (
	// KeyPopulation shares in proportion to a legal population figure per
	// party (municipale, totale or DGF), of one stated source and vintage.
	KeyPopulation KeyKind = "population"
	// KeyUsage shares in proportion to recorded use: hours, units, pupils, or
	// acts weighted by type with a per-type weight table.
	KeyUsage KeyKind = "usage"
	// KeyEqual gives each party 1/n.
	KeyEqual KeyKind = "equal"
	// KeyFixed gives each party a fixed fraction or percentage stated in the
	// convention or the titles (quote-parts of biens indivis); the fractions
	// must sum to exactly 1.
	KeyFixed KeyKind = "fixed"
	// KeyValue shares in proportion to a value entered per party (potentiel
	// financier, km of road…).
	KeyValue KeyKind = "value"
	// KeyMix is a weighted mix Σ wᵢ × normalised keyᵢ, with Σ wᵢ = 1.
	KeyMix KeyKind = "mix"
)

// Population measures a population key may use: the INSEE legal
// populations and the DGF population (CGCT L2334-2).
const (
	PopulationMunicipale = "municipale"
	PopulationTotale     = "totale"
	PopulationDGF        = "dgf"
)

// Key is a cost-sharing key together with the data it uses, so that a
// statement can store it as JSON and recompute or print it years later
// ("frozen with the data it used"). Which fields apply depends on Kind;
// Shares refuses a key that fills a field its kind does not use.
type Key struct {
	Kind KeyKind `json:"kind"`
	// Label is the key's wording in the convention, in French ("population
	// DGF", "billets par commune de résidence"); explanations print it.
	Label string `json:"label,omitempty"`
	// Measure says what the figures are: for a population key one of the
	// Population… constants (required); for a value key what the value is
	// (required, e.g. "potentiel financier"); for a usage key the unit
	// (optional, e.g. "heures").
	Measure string `json:"measure,omitempty"`
	// Source and Vintage say where the figures come from and of when
	// ("INSEE, populations légales", "2026"). Vintage is required for a
	// population key: figures of different vintages are never mixed.
	Source  string `json:"source,omitempty"`
	Vintage string `json:"vintage,omitempty"`
	// Figures holds one figure per party for population, value and fixed
	// keys (for a fixed key, the party's fraction: "5/12", "62,5 %").
	Figures []Figure `json:"figures,omitempty"`
	// Usage holds the recorded use of a usage key, any number of lines per
	// party; a party without a line used nothing.
	Usage []Usage `json:"usage,omitempty"`
	// UnitWeights is the per-type weight table of a usage key whose units
	// have types (a building permit 1, a development permit 1.2…). When it
	// is empty, usage lines must have no type and count as they are.
	UnitWeights []UnitWeight `json:"unit_weights,omitempty"`
	// Parts are the weighted components of a mix key.
	Parts []Part `json:"parts,omitempty"`
}

// Figure is one party's figure in a key.
type Figure struct {
	Party string `json:"party"`
	Value Rat    `json:"value"`
}

// Usage is a quantity of use recorded for a party, of a type when the key has
// a weight table.
type Usage struct {
	Party string `json:"party"`
	Type  string `json:"type,omitempty"`
	Units Rat    `json:"units"`
}

// UnitWeight is the weight of one type of unit in a usage key.
type UnitWeight struct {
	Type   string `json:"type"`
	Weight Rat    `json:"weight"`
}

// Part is one weighted component of a mix key.
type Part struct {
	Weight Rat `json:"weight"`
	Key    Key `json:"key"`
}

// Shares is what a key yields for the parties: an exact share per party, in
// the parties' order in the convention, summing to exactly 1, together with
// the key and data that produced it.
type Shares struct {
	Key Key `json:"key"`
	// Total is the sum of the parties' bases: the total population, the
	// total weighted units, n for equal shares, 1 for fixed and mix keys.
	Total   Rat          `json:"total"`
	Parties []PartyShare `json:"parties"`
}

// PartyShare is one party's share and how it was obtained.
type PartyShare struct {
	Party string `json:"party"`
	// Basis is the party's figure under the key: its population, its
	// (weighted) units, its value, its fixed fraction, 1 for equal shares,
	// its mixed share for a mix key.
	Basis Rat `json:"basis"`
	// Share is Basis / Total, exact.
	Share Rat `json:"share"`
	// Usage details the weighted units of a usage key with a weight table.
	Usage []TypedUnits `json:"usage,omitempty"`
	// Parts details a mix key, component by component.
	Parts []PartShare `json:"parts,omitempty"`
}

// TypedUnits is a party's units of one type and their weighted count.
type TypedUnits struct {
	Type     string `json:"type"`
	Units    Rat    `json:"units"`
	Weight   Rat    `json:"weight"`
	Weighted Rat    `json:"weighted"`
}

// PartShare is a party's contribution from one component of a mix key.
type PartShare struct {
	Label    string `json:"label"`
	Weight   Rat    `json:"weight"`   // the component's weight in the mix
	Basis    Rat    `json:"basis"`    // the party's figure in the component
	Total    Rat    `json:"total"`    // the component's total
	Share    Rat    `json:"share"`    // Basis / Total
	Weighted Rat    `json:"weighted"` // Weight × Share
}

// Shares applies the key to the parties, given in their order in the
// convention (the order the allocation tie-break uses). Every share is
// exact and they sum to exactly 1. Errors are *Error values: a key whose
// total weight is 0 (ErrZeroTotal), fixed fractions or mix weights that do
// not sum to 1 (ErrNotOne), a negative figure, a party without a figure, a
// figure for a party not listed, an unknown unit type…
func (k Key) Shares(parties []string) (Shares, error) {
	if err := checkParties(parties); err != nil {
		return Shares{}, err
	}
	return k.shares(parties, "")
}

// UnitLines returns each party's basis as a line of units, for pricing the
// same recorded use in unit-price mode (domain.md §10 example 6).
func (s Shares) UnitLines() []UnitLine {
	lines := make([]UnitLine, len(s.Parties))
	for i, p := range s.Parties {
		lines[i] = UnitLine{Party: p.Party, Units: p.Basis}
	}
	return lines
}

func checkParties(parties []string) error {
	if len(parties) == 0 {
		return invalid("parties", "", ErrNoParties, "")
	}
	if len(parties) <= 16 { // a handful: compare, no map
		for i, p := range parties {
			if p == "" {
				return invalid("parties", "", ErrRequired, "empty party identifier")
			}
			if slices.Contains(parties[:i], p) {
				return invalid("parties", p, ErrDuplicate, "")
			}
		}
		return nil
	}
	seen := make(map[string]bool, len(parties))
	for _, p := range parties {
		if p == "" {
			return invalid("parties", "", ErrRequired, "empty party identifier")
		}
		if seen[p] {
			return invalid("parties", p, ErrDuplicate, "")
		}
		seen[p] = true
	}
	return nil
}

func (k Key) shares(parties []string, prefix string) (Shares, error) {
	unused := func(field string, n int) error {
		if n > 0 {
			return invalid(prefix+field, "", ErrNotApplicable, "kind "+string(k.Kind))
		}
		return nil
	}
	var errs []error
	switch k.Kind {
	case KeyEqual:
		errs = append(errs, unused("figures", len(k.Figures)), unused("usage", len(k.Usage)),
			unused("unit_weights", len(k.UnitWeights)), unused("parts", len(k.Parts)))
	case KeyPopulation, KeyValue, KeyFixed:
		errs = append(errs, unused("usage", len(k.Usage)), unused("unit_weights", len(k.UnitWeights)),
			unused("parts", len(k.Parts)))
	case KeyUsage:
		errs = append(errs, unused("figures", len(k.Figures)), unused("parts", len(k.Parts)))
	case KeyMix:
		errs = append(errs, unused("figures", len(k.Figures)), unused("usage", len(k.Usage)),
			unused("unit_weights", len(k.UnitWeights)))
	default:
		return Shares{}, invalid(prefix+"kind", "", ErrUnknownKind, string(k.Kind))
	}
	for _, err := range errs {
		if err != nil {
			return Shares{}, err
		}
	}

	s := Shares{Key: k, Parties: make([]PartyShare, len(parties))}
	for i, p := range parties {
		s.Parties[i].Party = p
	}
	switch k.Kind {
	case KeyEqual:
		for i := range s.Parties {
			s.Parties[i].Basis = IntRat(1)
		}
	case KeyPopulation:
		switch k.Measure {
		case PopulationMunicipale, PopulationTotale, PopulationDGF:
		case "":
			return Shares{}, invalid(prefix+"measure", "", ErrRequired, "municipale, totale or dgf")
		default:
			return Shares{}, invalid(prefix+"measure", "", ErrOutOfRange, "population measure must be municipale, totale or dgf, not "+quote(k.Measure))
		}
		if k.Vintage == "" {
			return Shares{}, invalid(prefix+"vintage", "", ErrRequired, "the year of the population figures")
		}
		if err := k.figuresByParty(s.Parties, prefix, true); err != nil {
			return Shares{}, err
		}
	case KeyValue:
		if k.Measure == "" {
			return Shares{}, invalid(prefix+"measure", "", ErrRequired, "what the value is, e.g. potentiel financier")
		}
		if err := k.figuresByParty(s.Parties, prefix, false); err != nil {
			return Shares{}, err
		}
	case KeyFixed:
		if err := k.figuresByParty(s.Parties, prefix, false); err != nil {
			return Shares{}, err
		}
	case KeyUsage:
		if err := k.usageByParty(s.Parties, prefix); err != nil {
			return Shares{}, err
		}
	case KeyMix:
		return k.mixShares(s, parties, prefix)
	}

	for _, p := range s.Parties {
		s.Total = s.Total.Add(p.Basis)
	}
	switch {
	case k.Kind == KeyFixed && s.Total.Cmp(IntRat(1)) != 0:
		return Shares{}, invalid(prefix+"figures", "", ErrNotOne, "fixed shares sum to "+s.Total.String()+" ≈ "+s.Total.Decimal(6))
	case s.Total.Sign() == 0:
		return Shares{}, invalid(prefix+"figures", "", ErrZeroTotal, "every party's figure is 0, so no share can be computed")
	}
	for i := range s.Parties {
		s.Parties[i].Share = s.Parties[i].Basis.Quo(s.Total)
	}
	return s, nil
}

// figuresByParty sets each party's basis from k.Figures: exactly one
// non-negative figure per party, none for anyone else.
func (k Key) figuresByParty(ps []PartyShare, prefix string, whole bool) error {
	index := partyIndex(ps)
	seen := make([]bool, len(ps))
	for j, f := range k.Figures {
		field := lazyField{prefix, "figures", j}
		i, ok := index.find(f.Party)
		switch {
		case !ok:
			return invalid(field.String(), f.Party, ErrUnknownParty, "")
		case seen[i]:
			return invalid(field.String(), f.Party, ErrDuplicate, "")
		case f.Value.Sign() < 0:
			return invalid(field.String(), f.Party, ErrNegative, f.Value.String())
		case whole && !f.Value.IsInt():
			return invalid(field.String(), f.Party, ErrNotInteger, "a population is a whole number, not "+f.Value.String())
		}
		seen[i] = true
		ps[i].Basis = f.Value
	}
	for i, ok := range seen {
		if !ok {
			return invalid(prefix+"figures", ps[i].Party, ErrMissingFigure, "")
		}
	}
	return nil
}

// usageByParty sets each party's basis to its (weighted) units.
func (k Key) usageByParty(ps []PartyShare, prefix string) error {
	for j, w := range k.UnitWeights {
		field := lazyField{prefix, "unit_weights", j}
		switch {
		case w.Type == "":
			return invalid(field.String(), "", ErrRequired, "unit type")
		case slices.ContainsFunc(k.UnitWeights[:j], func(v UnitWeight) bool { return v.Type == w.Type }):
			return invalid(field.String(), "", ErrDuplicate, "type "+quote(w.Type))
		case w.Weight.Sign() < 0:
			return invalid(field.String(), "", ErrNegative, w.Weight.String())
		}
	}
	weight := func(typ string) (int, bool) {
		for t, w := range k.UnitWeights {
			if w.Type == typ {
				return t, true
			}
		}
		return 0, false
	}
	index := partyIndex(ps)
	typed := len(k.UnitWeights) > 0
	nw := len(k.UnitWeights)
	var byType []Rat // party i's units of weight-table row t at i×nw + t
	if typed {
		byType = make([]Rat, len(ps)*nw)
	}
	for j, u := range k.Usage {
		field := lazyField{prefix, "usage", j}
		i, ok := index.find(u.Party)
		if !ok {
			return invalid(field.String(), u.Party, ErrUnknownParty, "")
		}
		if u.Units.Sign() < 0 {
			return invalid(field.String(), u.Party, ErrNegative, u.Units.String())
		}
		if !typed {
			if u.Type != "" {
				return invalid(field.String(), u.Party, ErrUnknownUnitType, "type "+quote(u.Type)+" but the key has no weight table")
			}
			ps[i].Basis = ps[i].Basis.Add(u.Units)
			continue
		}
		t, ok := weight(u.Type)
		if !ok {
			return invalid(field.String(), u.Party, ErrUnknownUnitType, quote(u.Type))
		}
		byType[i*nw+t] = byType[i*nw+t].Add(u.Units)
	}
	if !typed {
		return nil
	}
	typedUnits := make([]TypedUnits, len(ps)*nw)
	for i := range ps {
		ps[i].Usage = typedUnits[i*nw : (i+1)*nw : (i+1)*nw]
		for t, w := range k.UnitWeights {
			units := byType[i*nw+t]
			weighted := units.Mul(w.Weight)
			ps[i].Usage[t] = TypedUnits{Type: w.Type, Units: units, Weight: w.Weight, Weighted: weighted}
			ps[i].Basis = ps[i].Basis.Add(weighted)
		}
	}
	return nil
}

func (k Key) mixShares(s Shares, parties []string, prefix string) (Shares, error) {
	if len(k.Parts) == 0 {
		return Shares{}, invalid(prefix+"parts", "", ErrRequired, "a mix needs at least one component")
	}
	var sum Rat
	for j, part := range k.Parts {
		field := lazyField{prefix, "parts", j}
		if part.Weight.Sign() < 0 {
			return Shares{}, invalid(field.String()+".weight", "", ErrNegative, part.Weight.String())
		}
		if part.Key.Kind == KeyMix {
			return Shares{}, invalid(field.String()+".key", "", ErrNestedMix, "")
		}
		sum = sum.Add(part.Weight)
	}
	if sum.Cmp(IntRat(1)) != 0 {
		return Shares{}, invalid(prefix+"parts", "", ErrNotOne, "weights sum to "+sum.String()+" ≈ "+sum.Decimal(6))
	}
	for j, part := range k.Parts {
		cs, err := part.Key.shares(parties, prefix+"parts["+strconv.Itoa(j)+"].key.")
		if err != nil {
			return Shares{}, err
		}
		label := part.Key.frenchName()
		for i, p := range cs.Parties {
			if j == 0 {
				s.Parties[i].Parts = make([]PartShare, 0, len(k.Parts))
			}
			weighted := part.Weight.Mul(p.Share)
			s.Parties[i].Parts = append(s.Parties[i].Parts, PartShare{
				Label: label, Weight: part.Weight, Basis: p.Basis, Total: cs.Total, Share: p.Share, Weighted: weighted,
			})
			s.Parties[i].Basis = s.Parties[i].Basis.Add(weighted)
		}
	}
	s.Total = IntRat(1)
	for i := range s.Parties {
		s.Parties[i].Share = s.Parties[i].Basis
	}
	return s, nil
}

// lazyField names the field prefix+name[j] of an error; it is written only
// when an error needs it, so checking many lines formats nothing.
type lazyField struct {
	prefix, name string
	j            int
}

func (f lazyField) String() string { return fmt.Sprintf("%s%s[%d]", f.prefix, f.name, f.j) }

// partyLookup finds a party's index among a key's parties: by comparing
// for the handful of parties of most conventions, through a map beyond.
type partyLookup struct {
	ps    []PartyShare
	index map[string]int
}

func partyIndex(ps []PartyShare) partyLookup {
	if len(ps) <= 16 {
		return partyLookup{ps: ps}
	}
	index := make(map[string]int, len(ps))
	for i, p := range ps {
		index[p.Party] = i
	}
	return partyLookup{index: index}
}

func (l partyLookup) find(party string) (int, bool) {
	if l.index != nil {
		i, ok := l.index[party]
		return i, ok
	}
	for i, p := range l.ps {
		if p.Party == party {
			return i, true
		}
	}
	return 0, false
}

// frenchName is how explanations name the key: its label, or a description
// built from its kind.
func (k Key) frenchName() string {
	if k.Label != "" {
		return k.Label
	}
	switch k.Kind {
	case KeyPopulation:
		if k.Measure == PopulationDGF {
			return "population DGF"
		}
		return "population " + k.Measure
	case KeyUsage:
		if k.Measure != "" {
			return "usage (" + k.Measure + ")"
		}
		return "usage"
	case KeyEqual:
		return "parts égales"
	case KeyFixed:
		return "parts fixes"
	case KeyValue:
		return k.Measure
	case KeyMix:
		return "clé mixte"
	}
	return string(k.Kind)
}

// Explain returns, in French, one line describing the key then one line per
// party showing how its share was obtained, as a statement prints them.
func (s Shares) Explain() []string {
	k := s.Key
	var head strings.Builder
	head.WriteString("Clé de répartition : ")
	switch k.Kind {
	case KeyEqual:
		fmt.Fprintf(&head, "parts égales entre les %d parties", len(s.Parties))
	case KeyFixed:
		head.WriteString(k.frenchName() + " (fractions fixées, de somme 1)")
	case KeyMix:
		head.WriteString(k.frenchName() + " = ")
		for j, part := range k.Parts {
			if j > 0 {
				head.WriteString(" + ")
			}
			head.WriteString(frenchPercent(part.Weight) + " × " + part.Key.frenchName())
		}
	case KeyUsage:
		head.WriteString(k.frenchName() + ", au prorata des unités")
		if len(k.UnitWeights) > 0 {
			head.WriteString(" pondérées par type (")
			for j, w := range k.UnitWeights {
				if j > 0 {
					head.WriteString(" ; ")
				}
				head.WriteString(w.Type + " : " + frenchRat(w.Weight))
			}
			head.WriteString(")")
		}
	default:
		head.WriteString(k.frenchName() + ", au prorata")
	}
	if k.Source != "" || k.Vintage != "" {
		var meta []string
		if k.Source != "" {
			meta = append(meta, "source : "+k.Source)
		}
		if k.Vintage != "" {
			meta = append(meta, "millésime : "+k.Vintage)
		}
		head.WriteString(" (" + strings.Join(meta, " ; ") + ")")
	}
	head.WriteString(".")
	lines := []string{head.String()}
	for _, p := range s.Parties {
		var b strings.Builder
		b.WriteString(p.Party + " : ")
		switch k.Kind {
		case KeyFixed:
			b.WriteString(frenchRat(p.Share))
		case KeyMix:
			for j, part := range p.Parts {
				if j > 0 {
					b.WriteString(" + ")
				}
				b.WriteString(frenchPercent(part.Weight) + " × " + frenchRat(part.Basis) + " / " + frenchRat(part.Total))
			}
			b.WriteString(" = " + frenchRat(p.Share))
		default:
			if len(p.Usage) > 0 {
				for j, u := range p.Usage {
					if j > 0 {
						b.WriteString(" + ")
					}
					b.WriteString(frenchRat(u.Units) + " " + u.Type + " × " + frenchRat(u.Weight))
				}
				b.WriteString(" = " + frenchRat(p.Basis) + " unités ; ")
			}
			b.WriteString(frenchRat(p.Basis) + " / " + frenchRat(s.Total) + " = " + frenchRat(p.Share))
		}
		lines = append(lines, b.String())
	}
	return lines
}
