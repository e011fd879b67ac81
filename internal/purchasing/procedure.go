package purchasing

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"voisines/internal/civil"
	"voisines/internal/money"
	"voisines/internal/validate"
)

// ProcedureKind is the award procedure a value calls for.
type ProcedureKind string

// The procedures, from the lightest.
const (
	// ProcDispense: no advertising or competition (CCP R2122-8).
	ProcDispense ProcedureKind = "dispense"
	// ProcMAPA: adapted procedure (procédure adaptée, CCP R2123-1).
	ProcMAPA ProcedureKind = "mapa"
	// ProcFormalised: formalised procedure (CCP L2124-1: appel d'offres,
	// procédure avec négociation, dialogue compétitif).
	ProcFormalised ProcedureKind = "formalised"
)

// Label is the procedure's French name.
func (k ProcedureKind) Label() string {
	switch k {
	case ProcDispense:
		return "marché sans publicité ni mise en concurrence préalables (dispense)"
	case ProcMAPA:
		return "procédure adaptée (MAPA)"
	case ProcFormalised:
		return "procédure formalisée"
	}
	return string(k)
}

// Short is the procedure's short French name, for tables.
func (k ProcedureKind) Short() string {
	switch k {
	case ProcDispense:
		return "dispense"
	case ProcMAPA:
		return "MAPA"
	case ProcFormalised:
		return "procédure formalisée"
	}
	return string(k)
}

// Advert is the advertising a procedure needs.
type Advert string

// The adverts.
const (
	AdvertNone    Advert = "none"       // dispense: none
	AdvertAdapted Advert = "adapted"    // MAPA below 90,000: advertising suited to the purchase
	AdvertBOAMP   Advert = "boamp_jal"  // MAPA from 90,000: BOAMP or a legal-notices journal
	AdvertJOUE    Advert = "joue_boamp" // formalised: Official Journal of the EU and BOAMP
)

// Label is the advert in French.
func (a Advert) Label() string {
	switch a {
	case AdvertNone:
		return "aucune publicité préalable"
	case AdvertAdapted:
		return "publicité adaptée au montant et à l'objet (libre)"
	case AdvertBOAMP:
		return "avis au BOAMP ou dans un journal d'annonces légales (CCP R2131-12)"
	case AdvertJOUE:
		return "avis au Journal officiel de l'Union européenne et au BOAMP (CCP R2131-16)"
	}
	return string(a)
}

// LotValue is a lot's estimated value, as a procedure is computed from it.
type LotValue struct {
	LotID  int64       `json:"lot_id"`
	Number int         `json:"number"`
	Label  string      `json:"label"`
	Nature Nature      `json:"nature"`
	Value  money.Cents `json:"value"`
}

// SmallLot is a lot below the dispense threshold of its nature, which may be
// awarded without advertising or competition if such lots together stay
// within 20 % of the value of all lots (CCP R2122-8).
type SmallLot struct {
	LotValue
	Threshold money.Cents `json:"threshold"`
	// Within says the lot fits in the 20 % allowance, lots taken from the
	// smallest: information for the coordinator, who chooses.
	Within bool `json:"within_20_percent"`
}

// Decision is the procedure a value calls for on a date.
type Decision struct {
	LaunchDate civil.Date `json:"launch_date"`
	// Nature is the nature of the main object, whose thresholds apply;
	// NatureRule says how it was chosen.
	Nature     Nature        `json:"nature"`
	NatureRule string        `json:"nature_rule"`
	Value      money.Cents   `json:"value"`
	Lots       []LotValue    `json:"lots"`
	Kind       ProcedureKind `json:"kind"`
	// OnlinePublication: the consultation documents must be on the buyer's
	// profile (CCP R2132-2).
	OnlinePublication bool   `json:"online_publication"`
	Advert            Advert `json:"advert"`
	// Thresholds are the thresholds applied: those of the main nature, and
	// the dispense thresholds of the lots' other natures.
	Thresholds []Threshold `json:"thresholds"`
	// SmallLots are the lots that may use the dispense under the 20 % rule;
	// SmallLotsCap is 20 % of the value of all lots.
	SmallLots    []SmallLot  `json:"small_lots,omitempty"`
	SmallLotsCap money.Cents `json:"small_lots_cap,omitempty"`
	Explain      []string    `json:"explain"`
}

// CAO says whether the group needs its own commission d'appel d'offres.
type CAO struct {
	// Required: a formalised procedure in a group made up mostly of local
	// authorities or local public bodies (CGCT L1414-3).
	Required    bool   `json:"required"`
	LocalPublic int    `json:"local_public_members"`
	Members     int    `json:"members"`
	Explain     string `json:"explain"`
}

// Alone is a member's would-be procedure if it bought its needs alone.
type Alone struct {
	OrgID    int64    `json:"org_id"`
	Name     string   `json:"name"`
	Decision Decision `json:"decision"`
}

// Procedure is the procedure of a group: the decision on the aggregated
// value, the CAO, and each member's would-be procedure alone.
type Procedure struct {
	Decision
	CAO   CAO     `json:"cao"`
	Alone []Alone `json:"alone"`
}

// natureOrder breaks ties between natures of equal value: works, then
// services, then supplies.
var natureOrder = []Nature{Works, Services, Supplies}

// mainNature returns the nature of the main object of lots, and why.
func mainNature(lots []LotValue, chosen Nature) (Nature, string) {
	if chosen != "" {
		return chosen, fmt.Sprintf("objet principal : %s, désigné par le coordonnateur", chosen.Label())
	}
	byNature := map[Nature]money.Cents{}
	var present []Nature
	for _, l := range lots {
		if _, ok := byNature[l.Nature]; !ok {
			present = append(present, l.Nature)
		}
		byNature[l.Nature] += l.Value
	}
	best := Nature("")
	for _, n := range natureOrder {
		if _, ok := byNature[n]; ok && (best == "" || byNature[n] > byNature[best]) {
			best = n
		}
	}
	if len(present) == 1 {
		return best, fmt.Sprintf("objet principal : %s (tous les lots sont de cette nature)", best.Label())
	}
	var parts []string
	for _, n := range natureOrder {
		if v, ok := byNature[n]; ok {
			parts = append(parts, n.Label()+" "+v.String())
		}
	}
	return best, fmt.Sprintf("objet principal : %s, nature des lots de plus forte valeur estimée (%s ; CCP L1111-2 à L1111-5, à égalité : travaux, puis services, puis fournitures)",
		best.Label(), strings.Join(parts, ", "))
}

// Decide computes the procedure that lots call for when the consultation is
// launched on date, under table t. chosen is the nature of the main object
// chosen by the coordinator, or "" to let the values decide; whose names the
// needs in the explanation ("de tous les membres", "de Rodez seule").
func Decide(t Table, date civil.Date, lots []LotValue, chosen Nature, whose string) (Decision, error) {
	if len(lots) == 0 {
		return Decision{}, validate.FieldError{Field: "lots", Message: "le groupement n'a encore aucun lot"}
	}
	if chosen != "" && !chosen.Valid() {
		return Decision{}, validate.FieldError{Field: "main_nature", Message: fmt.Sprintf("%s n'est pas une nature d'achat", validate.Quote(string(chosen)))}
	}
	d := Decision{LaunchDate: date, Lots: slices.Clone(lots)}
	var err error
	for _, l := range lots {
		if d.Value, err = d.Value.Add(l.Value); err != nil {
			return Decision{}, validate.FieldError{Field: "needs", Message: "la somme des besoins dépasse ce que Voisines sait compter"}
		}
	}
	d.Nature, d.NatureRule = mainNature(lots, chosen)
	main, err := t.On(date, d.Nature)
	if err != nil {
		return Decision{}, err
	}
	d.Thresholds = slices.Clone(main.Thresholds)
	dispense, online, advert, formal := main.amount(Dispense), main.amount(OnlinePublication), main.amount(MAPAAdvert), main.amount(Formalised)
	switch {
	case d.Value < dispense:
		d.Kind, d.Advert = ProcDispense, AdvertNone
	case d.Value >= formal:
		d.Kind, d.Advert, d.OnlinePublication = ProcFormalised, AdvertJOUE, true
	default:
		d.Kind = ProcMAPA
		d.OnlinePublication = d.Value >= online
		d.Advert = AdvertAdapted
		if d.Value >= advert {
			d.Advert = AdvertBOAMP
		}
	}

	// Lots that may use the dispense (R2122-8), each against the threshold
	// of its own nature, the smallest first within 20 % of the whole.
	byNature := map[Nature]Applicable{d.Nature: main}
	for _, l := range lots {
		a, ok := byNature[l.Nature]
		if !ok {
			if a, err = t.On(date, l.Nature); err != nil {
				return Decision{}, err
			}
			byNature[l.Nature] = a
			if th, ok := a.Get(Dispense); ok {
				d.Thresholds = append(d.Thresholds, th)
			}
		}
		if th := a.amount(Dispense); l.Value > 0 && l.Value < th && len(lots) > 1 {
			d.SmallLots = append(d.SmallLots, SmallLot{LotValue: l, Threshold: th})
		}
	}
	if d.Kind != ProcDispense && len(d.SmallLots) > 0 {
		d.SmallLotsCap, _, _ = d.Value.MulRat(money.NewRat(20, 100), money.RoundDown)
		order := make([]int, len(d.SmallLots))
		for i := range order {
			order[i] = i
		}
		slices.SortStableFunc(order, func(i, j int) int {
			a, b := d.SmallLots[i], d.SmallLots[j]
			return cmp.Or(cmp.Compare(a.Value, b.Value), cmp.Compare(a.Number, b.Number))
		})
		var used money.Cents
		for _, i := range order {
			// 5 × (used + value) ≤ total is "within 20 %", exactly.
			if (used+d.SmallLots[i].Value)*5 <= d.Value {
				used += d.SmallLots[i].Value
				d.SmallLots[i].Within = true
			}
		}
	} else {
		d.SmallLots = nil
	}
	d.Explain = explain(d, main, whose)
	return d, nil
}

// explain writes the decision in French, line by line.
func explain(d Decision, main Applicable, whose string) []string {
	lines := []string{
		fmt.Sprintf("Valeur estimée du besoin (CCP R2121-1) : %s HT, somme des besoins %s pour tous les lots, sur toute la durée des marchés, options et reconductions comprises.", d.Value, whose),
		capitalize(d.NatureRule) + ".",
	}
	var th []string
	for _, t := range main.Thresholds {
		switch t.Kind {
		case Dispense:
			th = append(th, "dispense en dessous de "+t.Amount.String())
		case OnlinePublication:
			th = append(th, "documents en ligne à partir de "+t.Amount.String())
		case MAPAAdvert:
			th = append(th, "avis BOAMP ou JAL à partir de "+t.Amount.String())
		case Formalised:
			th = append(th, "procédure formalisée à partir de "+t.Amount.String())
		}
	}
	lines = append(lines, fmt.Sprintf("Seuils en vigueur le %s pour les marchés de %s : %s.", d.LaunchDate.French(), d.Nature.Label(), strings.Join(th, ", ")))
	dispense, formal := main.amount(Dispense), main.amount(Formalised)
	switch d.Kind {
	case ProcDispense:
		lines = append(lines, fmt.Sprintf("%s < %s : marché sans publicité ni mise en concurrence préalables (CCP R2122-8) ; choisir une offre pertinente, faire une bonne utilisation des deniers publics et ne pas contracter systématiquement avec le même opérateur.",
			d.Value, dispense))
	case ProcFormalised:
		lines = append(lines, fmt.Sprintf("%s ≥ %s : %s, %s, documents de la consultation en ligne.", d.Value, formal, d.Kind.Label(), d.Advert.Label()))
	default:
		online := "documents de la consultation non obligatoirement en ligne"
		if d.OnlinePublication {
			online = "documents de la consultation en ligne sur le profil d'acheteur (CCP R2132-2)"
		}
		lines = append(lines, fmt.Sprintf("%s ≤ %s < %s : %s ; %s ; %s.", dispense, d.Value, formal, d.Kind.Label(), d.Advert.Label(), online))
	}
	if len(d.SmallLots) > 0 {
		var names []string
		for _, l := range d.SmallLots {
			if l.Within {
				names = append(names, fmt.Sprintf("lot n° %d (%s)", l.Number, l.Value))
			}
		}
		if len(names) > 0 {
			lines = append(lines, fmt.Sprintf("Information : les lots sous le seuil de dispense de leur nature peuvent être passés sans publicité ni mise en concurrence tant qu'ensemble ils ne dépassent pas 20 %% de la valeur de tous les lots, %s (CCP R2122-8) : par exemple %s.",
				d.SmallLotsCap, strings.Join(names, ", ")))
		}
	}
	return lines
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	return strings.ToUpper(string(r[0])) + string(r[1:])
}

// ComputeProcedure computes group g's procedure for a consultation launched
// on date under table t: the decision on the sum of every member's needs
// (which g must hold in full, as the coordinator sees them), whether the
// group needs its own CAO, and each member's would-be procedure alone on its
// own needs.
func ComputeProcedure(t Table, date civil.Date, g Group) (Procedure, error) {
	lots := make([]LotValue, 0, len(g.Lots))
	for _, l := range g.Lots {
		var v money.Cents
		for _, n := range g.Needs {
			if n.LotID == l.ID {
				v += n.Amount
			}
		}
		lots = append(lots, LotValue{LotID: l.ID, Number: l.Number, Label: l.Label, Nature: l.Nature, Value: v})
	}
	return computeProcedure(t, date, g, lots)
}

// computeProcedure is ComputeProcedure on lots, the group's lots valued at
// the sum of every member's needs: g's needs serve only for each member's
// procedure alone, so a member alone is computed right when g holds its
// needs in full.
func computeProcedure(t Table, date civil.Date, g Group, lots []LotValue) (Procedure, error) {
	d, err := Decide(t, date, lots, g.MainNature, "de tous les membres")
	if err != nil {
		return Procedure{}, err
	}
	p := Procedure{Decision: d}
	p.CAO.Members = len(g.Members)
	for _, m := range g.Members {
		if m.LocalPublic() {
			p.CAO.LocalPublic++
		}
	}
	mostly := p.CAO.LocalPublic*2 > p.CAO.Members
	p.CAO.Required = d.Kind == ProcFormalised && mostly
	switch {
	case p.CAO.Required:
		p.CAO.Explain = fmt.Sprintf("Le groupement est composé en majorité de collectivités territoriales ou d'établissements publics locaux (%d membres sur %d) : une commission d'appel d'offres du groupement attribue le marché, composée d'un représentant élu parmi les membres ayant voix délibérative de la CAO de chaque membre, présidée par le représentant du coordonnateur ; la convention peut prévoir que la CAO est celle du coordonnateur (CGCT L1414-3).",
			p.CAO.LocalPublic, p.CAO.Members)
	case d.Kind == ProcFormalised:
		p.CAO.Explain = fmt.Sprintf("Les collectivités et établissements publics locaux ne sont pas majoritaires (%d membres sur %d) : pas de CAO de groupement au sens de CGCT L1414-3 ; la convention organise le choix de l'attributaire.",
			p.CAO.LocalPublic, p.CAO.Members)
	default:
		p.CAO.Explain = "Procédure non formalisée : pas de commission d'appel d'offres obligatoire (CGCT L1414-2) ; la convention désigne qui choisit l'attributaire."
	}
	for _, m := range g.Members {
		own := make([]LotValue, 0, len(lots))
		var total money.Cents
		for _, l := range lots {
			lv := l
			lv.Value = 0
			for _, n := range g.Needs {
				if n.LotID == l.LotID && n.OrgID == m.OrgID {
					lv.Value += n.Amount
				}
			}
			if lv.Value > 0 {
				own = append(own, lv)
				total += lv.Value
			}
		}
		if total == 0 {
			continue
		}
		ad, err := Decide(t, date, own, g.MainNature, "du seul membre « "+m.Name+" »")
		if err != nil {
			return Procedure{}, err
		}
		p.Alone = append(p.Alone, Alone{OrgID: m.OrgID, Name: m.Name, Decision: ad})
	}
	return p, nil
}
