package purchasing

import (
	_ "embed"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strings"

	"voisines/internal/civil"
	"voisines/internal/money"
	"voisines/internal/validate"
)

// Nature is what a contract buys (CCP L1111-2 to L1111-5): supplies,
// services or works. Thresholds depend on it.
type Nature string

// The natures of a purchase.
const (
	Supplies Nature = "supplies" // fournitures
	Services Nature = "services" // services
	Works    Nature = "works"    // travaux
)

// Natures lists the natures, in the order of the forms.
var Natures = []Nature{Supplies, Services, Works}

// Valid reports whether n is one of the natures.
func (n Nature) Valid() bool { return slices.Contains(Natures, n) }

// Label is the nature's French name.
func (n Nature) Label() string {
	switch n {
	case Supplies:
		return "fournitures"
	case Services:
		return "services"
	case Works:
		return "travaux"
	}
	return string(n)
}

// ParseNature reads a nature by its code or its French name ("fournitures").
func ParseNature(s string) (Nature, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	for _, n := range Natures {
		if s == string(n) || s == n.Label() {
			return n, true
		}
	}
	switch s {
	case "fourniture", "service", "travail":
		return map[string]Nature{"fourniture": Supplies, "service": Services, "travail": Works}[s], true
	}
	return "", false
}

// ThresholdKind is what crossing a threshold changes.
type ThresholdKind string

// The kinds of threshold. A value strictly below a dispense threshold
// escapes advertising and competition; a value equal to or above the
// others triggers their obligation.
const (
	// Dispense: below it, a contract may be awarded without advertising or
	// competition (CCP R2122-8).
	Dispense ThresholdKind = "dispense"
	// OnlinePublication: from it, the consultation documents are published
	// on the buyer's profile (CCP R2132-2).
	OnlinePublication ThresholdKind = "online_publication"
	// MAPAAdvert: from it, an adapted procedure (MAPA) is advertised in the
	// BOAMP or a legal-notices journal (CCP R2131-12).
	MAPAAdvert ThresholdKind = "mapa_advert"
	// Formalised: from it, a formalised procedure with an advert in the
	// Official Journal of the EU is required (CCP L2124-1, annex 2).
	Formalised ThresholdKind = "formalised"
	// InnovativeDispense: below it, an innovative purchase may be made
	// without advertising or competition (CCP R2122-9-1); information only.
	InnovativeDispense ThresholdKind = "innovative_dispense"
)

type kindSpec struct {
	kind     ThresholdKind
	required bool
	label    string
}

// thresholdKinds are the kinds in the order they are shown; required ones
// must be in force on a launch date for the procedure to be computed.
var thresholdKinds = []kindSpec{
	{Dispense, true, "dispense de publicité et de mise en concurrence (en dessous)"},
	{OnlinePublication, true, "publication en ligne des documents de la consultation (à partir de)"},
	{MAPAAdvert, true, "avis au BOAMP ou dans un journal d'annonces légales pour une procédure adaptée (à partir de)"},
	{Formalised, true, "procédure formalisée, avis au JOUE (à partir de)"},
	{InnovativeDispense, false, "achat innovant sans publicité ni mise en concurrence (en dessous)"},
}

// Label is the kind's French wording.
func (k ThresholdKind) Label() string {
	for _, tk := range thresholdKinds {
		if tk.kind == k {
			return tk.label
		}
	}
	return string(k)
}

func (k ThresholdKind) valid() bool {
	return slices.ContainsFunc(thresholdKinds, func(t kindSpec) bool { return t.kind == k })
}

// Threshold is one dated threshold: an amount excl. VAT in force for a
// nature from ValidFrom to ValidTo (both inclusive; ValidTo zero means
// until further notice), with where it comes from.
type Threshold struct {
	ValidFrom civil.Date    `json:"valid_from"`
	ValidTo   civil.Date    `json:"valid_to,omitzero"`
	Nature    Nature        `json:"nature"`
	Kind      ThresholdKind `json:"kind"`
	Amount    money.Cents   `json:"amount"`
	Source    string        `json:"source"`
}

// covers reports whether the threshold is in force on d.
func (t Threshold) covers(d civil.Date) bool {
	return !d.Before(t.ValidFrom) && (t.ValidTo.IsZero() || !d.After(t.ValidTo))
}

// Table is a table of dated thresholds.
type Table []Threshold

//go:embed thresholds.csv
var thresholdsCSV string

// defaultTable is the table shipped with the binary.
var defaultTable = mustParseTable(thresholdsCSV)

// Thresholds returns the table of thresholds shipped with Voisines
// (thresholds.csv): the 2024–2025 and 2026–2027 values with their sources.
func Thresholds() Table { return slices.Clone(defaultTable) }

func mustParseTable(text string) Table {
	t, err := ParseTable(strings.NewReader(text))
	if err != nil {
		panic(fmt.Sprintf("purchasing: thresholds.csv: %v", err))
	}
	return t
}

// thresholdColumns are the columns of a threshold table, in order.
var thresholdColumns = []string{"valid_from", "valid_to", "nature", "kind", "amount", "source"}

// ParseTable reads a table of thresholds in CSV (header thresholdColumns;
// amounts in euros excl. VAT, "216000" or "216 000,00"; empty valid_to for
// open-ended). Two rows of the same nature and kind must not overlap.
func ParseTable(r io.Reader) (Table, error) {
	cr := csv.NewReader(r)
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	if !slices.Equal(header, thresholdColumns) {
		return nil, fmt.Errorf("header: got %v, want %v", header, thresholdColumns)
	}
	var t Table
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		var th Threshold
		if th.ValidFrom, err = civil.Parse(rec[0]); err != nil {
			return nil, fmt.Errorf("line %d: valid_from: %w", line, err)
		}
		if rec[1] != "" {
			if th.ValidTo, err = civil.Parse(rec[1]); err != nil {
				return nil, fmt.Errorf("line %d: valid_to: %w", line, err)
			}
			if th.ValidTo.Before(th.ValidFrom) {
				return nil, fmt.Errorf("line %d: valid_to before valid_from", line)
			}
		}
		th.Nature, th.Kind = Nature(rec[2]), ThresholdKind(rec[3])
		if !th.Nature.Valid() {
			return nil, fmt.Errorf("line %d: unknown nature %q", line, rec[2])
		}
		if !th.Kind.valid() {
			return nil, fmt.Errorf("line %d: unknown kind %q", line, rec[3])
		}
		if th.Amount, err = money.Parse(rec[4]); err != nil || th.Amount <= 0 {
			return nil, fmt.Errorf("line %d: amount %q: want a positive amount in euros", line, rec[4])
		}
		if th.Source = strings.TrimSpace(rec[5]); th.Source == "" {
			return nil, fmt.Errorf("line %d: the source is required", line)
		}
		for _, o := range t {
			if o.Nature == th.Nature && o.Kind == th.Kind && overlap(o, th) {
				return nil, fmt.Errorf("line %d: %s %s overlaps the row valid from %s", line, th.Nature, th.Kind, o.ValidFrom)
			}
		}
		t = append(t, th)
	}
	return t, nil
}

func overlap(a, b Threshold) bool {
	endsBefore := func(x, y Threshold) bool { return !x.ValidTo.IsZero() && x.ValidTo.Before(y.ValidFrom) }
	return !endsBefore(a, b) && !endsBefore(b, a)
}

// Applicable are the thresholds in force on a day for a nature, one per
// kind (Optional ones may be missing).
type Applicable struct {
	Date       civil.Date  `json:"date"`
	Nature     Nature      `json:"nature"`
	Thresholds []Threshold `json:"thresholds"`
}

// Get returns the threshold of kind k, and whether there is one.
func (a Applicable) Get(k ThresholdKind) (Threshold, bool) {
	for _, t := range a.Thresholds {
		if t.Kind == k {
			return t, true
		}
	}
	return Threshold{}, false
}

// amount returns the amount of a required kind; On guarantees it exists.
func (a Applicable) amount(k ThresholdKind) money.Cents {
	t, _ := a.Get(k)
	return t.Amount
}

// On returns the thresholds in force on day d for nature n. A day the table
// does not cover for a required kind is an error naming it (a
// validate.FieldError on "launch_date"), never a guess.
func (t Table) On(d civil.Date, n Nature) (Applicable, error) {
	if d.IsZero() {
		return Applicable{}, validate.FieldError{Field: "launch_date", Message: "indiquez la date de lancement de la consultation"}
	}
	if !n.Valid() {
		return Applicable{}, validate.FieldError{Field: "nature", Message: fmt.Sprintf("%s n'est pas une nature d'achat (supplies, services, works)", validate.Quote(string(n)))}
	}
	out := Applicable{Date: d, Nature: n}
	for _, tk := range thresholdKinds {
		i := slices.IndexFunc(t, func(th Threshold) bool { return th.Nature == n && th.Kind == tk.kind && th.covers(d) })
		switch {
		case i >= 0:
			out.Thresholds = append(out.Thresholds, t[i])
		case tk.required:
			return Applicable{}, validate.FieldError{Field: "launch_date", Message: fmt.Sprintf(
				"la table des seuils ne couvre pas le %s pour les marchés de %s (seuil « %s ») : mettez-la à jour plutôt que de deviner",
				d.French(), n.Label(), tk.label)}
		}
	}
	return out, nil
}

// All returns the thresholds in force on d for every nature, for the
// threshold pages; natures the table does not cover are skipped.
func (t Table) All(d civil.Date) []Applicable {
	var out []Applicable
	for _, n := range Natures {
		if a, err := t.On(d, n); err == nil {
			out = append(out, a)
		}
	}
	return out
}
