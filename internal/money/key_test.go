package money_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"voisines/internal/money"
)

func figures(t *testing.T, kv ...string) []money.Figure {
	var fs []money.Figure
	for i := 0; i < len(kv); i += 2 {
		fs = append(fs, money.Figure{Party: kv[i], Value: rat(t, kv[i+1])})
	}
	return fs
}

func TestKeyShares(t *testing.T) {
	abc := []string{"A", "B", "C"}
	for _, c := range []struct {
		name string
		key  money.Key
		want []string
	}{
		{"equal shares give a third each", money.Key{Kind: money.KeyEqual}, []string{"1/3", "1/3", "1/3"}},
		{"a population key shares in proportion to the figures", money.Key{Kind: money.KeyPopulation,
			Measure: money.PopulationMunicipale, Vintage: "2026", Figures: figures(t, "A", "100", "B", "300", "C", "600")},
			[]string{"1/10", "3/10", "3/5"}},
		{"ownership shares of 1/3, 5/12 and 1/4 are kept exactly", money.Key{Kind: money.KeyFixed,
			Figures: figures(t, "A", "1/3", "B", "5/12", "C", "1/4")}, []string{"1/3", "5/12", "1/4"}},
		{"fixed percentages are exact fractions", money.Key{Kind: money.KeyFixed,
			Figures: figures(t, "A", "50 %", "B", "25 %", "C", "25 %")}, []string{"1/2", "1/4", "1/4"}},
		{"a value per party shares in proportion", money.Key{Kind: money.KeyValue, Measure: "km de voirie",
			Figures: figures(t, "A", "12,5", "B", "0", "C", "37,5")}, []string{"1/4", "0", "3/4"}},
		{"usage lines of one party add up and a party without use gets nothing", money.Key{Kind: money.KeyUsage,
			Usage: []money.Usage{{Party: "A", Units: rat(t, "10")}, {Party: "C", Units: rat(t, "20")}, {Party: "A", Units: rat(t, "10")}}},
			[]string{"1/2", "0", "1/2"}},
		{"a half-and-half mix of population and usage", money.Key{Kind: money.KeyMix, Parts: []money.Part{
			{Weight: rat(t, "1/2"), Key: money.Key{Kind: money.KeyPopulation, Measure: money.PopulationTotale, Vintage: "2026",
				Figures: figures(t, "A", "1", "B", "1", "C", "2")}},
			{Weight: rat(t, "1/2"), Key: money.Key{Kind: money.KeyUsage, Usage: []money.Usage{{Party: "A", Units: rat(t, "3")}}}},
		}}, []string{"5/8", "1/8", "1/4"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, err := c.key.Shares(abc)
			if err != nil {
				t.Fatal(err)
			}
			for i, p := range s.Parties {
				if p.Party != abc[i] || p.Share.String() != c.want[i] {
					t.Errorf("party %d: got %s %s want %s %s", i, p.Party, p.Share, abc[i], c.want[i])
				}
			}
		})
	}
}

func TestKeyRefusals(t *testing.T) {
	abc := []string{"A", "B", "C"}
	pop := func(fs []money.Figure) money.Key {
		return money.Key{Kind: money.KeyPopulation, Measure: money.PopulationDGF, Vintage: "2026", Figures: fs}
	}
	for _, c := range []struct {
		name    string
		key     money.Key
		parties []string
		rule    error
		field   string
		party   string
	}{
		{"fixed shares summing to 11/12 are refused", money.Key{Kind: money.KeyFixed, Figures: figures(t, "A", "1/3", "B", "1/3", "C", "1/4")},
			abc, money.ErrNotOne, "figures", ""},
		{"three times 33.33 % is not 1", money.Key{Kind: money.KeyFixed, Figures: figures(t, "A", "33,33 %", "B", "33,33 %", "C", "33,33 %")},
			abc, money.ErrNotOne, "figures", ""},
		{"a key whose figures are all zero is refused", pop(figures(t, "A", "0", "B", "0", "C", "0")), abc, money.ErrZeroTotal, "figures", ""},
		{"a usage key with no use at all is refused", money.Key{Kind: money.KeyUsage}, abc, money.ErrZeroTotal, "figures", ""},
		{"a negative population is refused", pop(figures(t, "A", "-1", "B", "2", "C", "3")), abc, money.ErrNegative, "figures[0]", "A"},
		{"a fractional population is refused", pop(figures(t, "A", "1,5", "B", "2", "C", "3")), abc, money.ErrNotInteger, "figures[0]", "A"},
		{"a party without a figure is refused", pop(figures(t, "A", "1", "B", "2")), abc, money.ErrMissingFigure, "figures", "C"},
		{"a figure for a party not in the convention is refused", pop(figures(t, "A", "1", "B", "2", "C", "3", "Z", "4")), abc, money.ErrUnknownParty, "figures[3]", "Z"},
		{"two figures for one party are refused", pop(figures(t, "A", "1", "A", "2", "C", "3")), abc, money.ErrDuplicate, "figures[1]", "A"},
		{"a population key without vintage is refused", money.Key{Kind: money.KeyPopulation, Measure: money.PopulationDGF,
			Figures: figures(t, "A", "1", "B", "2", "C", "3")}, abc, money.ErrRequired, "vintage", ""},
		{"a population key with an unknown measure is refused", money.Key{Kind: money.KeyPopulation, Measure: "legale", Vintage: "2026",
			Figures: figures(t, "A", "1", "B", "2", "C", "3")}, abc, money.ErrOutOfRange, "measure", ""},
		{"a value key must say what the value is", money.Key{Kind: money.KeyValue, Figures: figures(t, "A", "1", "B", "2", "C", "3")},
			abc, money.ErrRequired, "measure", ""},
		{"a usage type missing from the weight table is refused", money.Key{Kind: money.KeyUsage,
			UnitWeights: []money.UnitWeight{{Type: "PC", Weight: rat(t, "1")}},
			Usage:       []money.Usage{{Party: "A", Type: "PA", Units: rat(t, "1")}}}, abc, money.ErrUnknownUnitType, "usage[0]", "A"},
		{"a typed usage line without a weight table is refused", money.Key{Kind: money.KeyUsage,
			Usage: []money.Usage{{Party: "A", Type: "PC", Units: rat(t, "1")}}}, abc, money.ErrUnknownUnitType, "usage[0]", "A"},
		{"negative units are refused", money.Key{Kind: money.KeyUsage, Usage: []money.Usage{{Party: "B", Units: rat(t, "-1")}}},
			abc, money.ErrNegative, "usage[0]", "B"},
		{"mix weights summing to 0.9 are refused", money.Key{Kind: money.KeyMix, Parts: []money.Part{
			{Weight: rat(t, "50 %"), Key: money.Key{Kind: money.KeyEqual}}, {Weight: rat(t, "40 %"), Key: money.Key{Kind: money.KeyEqual}},
		}}, abc, money.ErrNotOne, "parts", ""},
		{"a mix inside a mix is refused", money.Key{Kind: money.KeyMix, Parts: []money.Part{
			{Weight: rat(t, "1"), Key: money.Key{Kind: money.KeyMix}},
		}}, abc, money.ErrNestedMix, "parts[0].key", ""},
		{"an error inside a mix names the component", money.Key{Kind: money.KeyMix, Parts: []money.Part{
			{Weight: rat(t, "1/2"), Key: money.Key{Kind: money.KeyEqual}},
			{Weight: rat(t, "1/2"), Key: money.Key{Kind: money.KeyUsage}},
		}}, abc, money.ErrZeroTotal, "parts[1].key.figures", ""},
		{"an unknown kind is refused", money.Key{Kind: "quotient familial"}, abc, money.ErrUnknownKind, "kind", ""},
		{"figures on an equal-shares key are refused rather than ignored", money.Key{Kind: money.KeyEqual, Figures: figures(t, "A", "1")},
			abc, money.ErrNotApplicable, "figures", ""},
		{"a unit type listed twice in the weight table is refused", money.Key{Kind: money.KeyUsage, UnitWeights: []money.UnitWeight{
			{Type: "PC", Weight: rat(t, "1")}, {Type: "PC", Weight: rat(t, "2")}}}, abc, money.ErrDuplicate, "unit_weights[1]", ""},
		{"no parties is refused", money.Key{Kind: money.KeyEqual}, nil, money.ErrNoParties, "parties", ""},
		{"a party listed twice is refused", money.Key{Kind: money.KeyEqual}, []string{"A", "B", "A"}, money.ErrDuplicate, "parties", "A"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := c.key.Shares(c.parties)
			if !errors.Is(err, c.rule) {
				t.Fatalf("got %v want %v", err, c.rule)
			}
			var e *money.Error
			if !errors.As(err, &e) {
				t.Fatalf("got %T want *money.Error", err)
			}
			if e.Field != c.field || e.Party != c.party {
				t.Errorf("got field %q party %q want %q %q (%v)", e.Field, e.Party, c.field, c.party, err)
			}
		})
	}
	t.Run("the error for fixed shares that miss 1 shows the sum", func(t *testing.T) {
		_, err := money.Key{Kind: money.KeyFixed, Figures: figures(t, "A", "1/3", "B", "1/3", "C", "1/4")}.Shares(abc)
		want := "money: figures: does not sum to exactly 1 (fixed shares sum to 11/12 ≈ 0.916667)"
		if err == nil || err.Error() != want {
			t.Errorf("got %v want %s", err, want)
		}
	})
	t.Run("the error for a zero key says why", func(t *testing.T) {
		_, err := pop(figures(t, "A", "0", "B", "0", "C", "0")).Shares(abc)
		want := "money: figures: total weight is zero (every party's figure is 0, so no share can be computed)"
		if err == nil || err.Error() != want {
			t.Errorf("got %v want %s", err, want)
		}
	})
}

func TestKeyFreezesAsJSON(t *testing.T) {
	key := money.Key{Kind: money.KeyMix, Label: "clé du festival", Parts: []money.Part{
		{Weight: rat(t, "1/2"), Key: money.Key{Kind: money.KeyPopulation, Measure: money.PopulationDGF, Source: "DGCL", Vintage: "2026",
			Figures: figures(t, "A", "4812", "B", "2157")}},
		{Weight: rat(t, "1/2"), Key: money.Key{Kind: money.KeyUsage, Measure: "actes",
			UnitWeights: []money.UnitWeight{{Type: "PC", Weight: rat(t, "1")}, {Type: "PA", Weight: rat(t, "1,2")}},
			Usage:       []money.Usage{{Party: "A", Type: "PA", Units: rat(t, "2")}, {Party: "B", Type: "PC", Units: rat(t, "5")}}}},
	}}
	parties := []string{"A", "B"}
	before, err := key.Shares(parties)
	if err != nil {
		t.Fatal(err)
	}
	a, err := money.Allocate(eur(t, "1 000,00"), before)
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("a frozen allocation carries its key, data and shares as exact strings", func(t *testing.T) {
		for _, want := range []string{`"kind":"mix"`, `"vintage":"2026"`, `"weight":"6/5"`, `"value":"4812"`, `"rule":"LARGEST_REMAINDER"`} {
			if !strings.Contains(string(data), want) {
				t.Errorf("JSON lacks %s: %s", want, data)
			}
		}
	})
	t.Run("the key read back from JSON gives the same allocation", func(t *testing.T) {
		var frozen money.Allocation
		if err := json.Unmarshal(data, &frozen); err != nil {
			t.Fatal(err)
		}
		again, err := frozen.Shares.Key.Shares(parties)
		if err != nil {
			t.Fatal(err)
		}
		b, err := money.Allocate(frozen.Total, again)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(b.Amounts(), a.Amounts()) {
			t.Errorf("got %v want %v", b.Amounts(), a.Amounts())
		}
		redone, _ := json.Marshal(b)
		if string(redone) != string(data) {
			t.Errorf("recomputed JSON differs:\ngot  %s\nwant %s", redone, data)
		}
	})
}
