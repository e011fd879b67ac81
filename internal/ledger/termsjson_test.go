package ledger

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"voisines/internal/civil"
	"voisines/internal/money"
)

// fill sets every field reachable from v to a random value, so that a
// member added to Terms, or to a type it holds, is written by json.Marshal
// and met by readTerms.
func fill(rng *rand.Rand, v reflect.Value, depth int) {
	switch x := v.Addr().Interface().(type) {
	case *money.Rat:
		*x = money.NewRat(rng.Int64N(2_000_000)-1_000_000, 1+rng.Int64N(1000))
		return
	case *civil.Date:
		*x = civil.New(2000+rng.IntN(40), time.Month(1+rng.IntN(12)), 1+rng.IntN(28))
		return
	}
	switch v.Kind() {
	case reflect.String:
		words := []string{"heure", "Frais de scolarité des élèves", "Saint-Pierre-d'Argençon", "PC", "", "acte", "HALF_UP", "€ HT"}
		v.SetString(words[rng.IntN(len(words))])
	case reflect.Int, reflect.Int64:
		v.SetInt(rng.Int64N(1 << 40))
		if rng.IntN(4) == 0 {
			v.SetInt(-v.Int())
		}
	case reflect.Bool:
		v.SetBool(rng.IntN(2) == 0)
	case reflect.Pointer:
		if depth > 3 {
			return
		}
		v.Set(reflect.New(v.Type().Elem()))
		fill(rng, v.Elem(), depth+1)
	case reflect.Slice:
		n := 1 + rng.IntN(3)
		if depth > 3 {
			n = rng.IntN(2) // no deeper nesting of mixes
		}
		s := reflect.MakeSlice(v.Type(), n, n)
		for i := range n {
			fill(rng, s.Index(i), depth+1)
		}
		v.Set(s)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(rng, v.Field(i), depth)
			}
		}
	default:
		panic(fmt.Sprintf("fill: a %s field: teach fill and readTerms about it", v.Type()))
	}
}

func randomTerms(rng *rand.Rand) Terms {
	var t Terms
	fill(rng, reflect.ValueOf(&t).Elem(), 0)
	return t
}

// TestTermsReaderKnowsEveryMember writes terms with every member set, as
// saveTerms writes them, and reads them back with readTerms: it must read
// them all (no fallback) to the value encoding/json reads.
func TestTermsReaderKnowsEveryMember(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var dec termsDecoder
	for i := range 300 {
		in := randomTerms(rng)
		doc, err := json.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		var fast, want Terms
		if !dec.read(doc, &fast) {
			t.Fatalf("case %d: readTerms gave up on what json.Marshal wrote (a member it does not know?):\n%s", i, doc)
		}
		if err := json.Unmarshal(doc, &want); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(fast, want) {
			t.Fatalf("case %d: got %+v want %+v from\n%s", i, fast, want, doc)
		}
	}
}

func TestTermsReaderLeavesTheRestToEncodingJSON(t *testing.T) {
	for _, c := range []struct {
		name string
		doc  string
		want Terms // termsDecoder's value, as encoding/json reads it
		err  bool
	}{
		{"plain", `{"mode":"forfait","creditor":12,"parties":[3,4]}`, Terms{Mode: "forfait", Creditor: 12, Parties: []int64{3, 4}}, false},
		{"spaces", " {\n \"creditor\" : 12 , \"parties\" : [ ] }\t", Terms{Creditor: 12, Parties: []int64{}}, false},
		{"an escape", `{"object":"L\u0027école"}`, Terms{Object: "L'école"}, false},
		{"an unknown member is ignored", `{"creditor":1,"colour":"blue"}`, Terms{Creditor: 1}, false},
		{"a member in capitals", `{"Creditor":7}`, Terms{Creditor: 7}, false},
		{"a repeated member", `{"key":{"kind":"equal"},"key":{"label":"x"}}`, Terms{Key: &money.Key{Kind: money.KeyEqual, Label: "x"}}, false},
		{"null parties", `{"parties":null}`, Terms{}, false},
		{"a null string is no change", `{"object":null}`, Terms{}, false},
		{"a fraction in an integer", `{"creditor":1.5}`, Terms{}, true},
		{"a leading zero", `{"creditor":012}`, Terms{}, true},
		{"a huge integer", `{"creditor":123456789012345678901}`, Terms{}, true},
		{"a bad rational", `{"unit_price":{"rule":{"unit_cost":"1/0"}}}`, Terms{}, true},
		{"trailing data", `{"creditor":1} x`, Terms{}, true},
		{"not an object", `[1]`, Terms{}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			var got Terms
			var d termsDecoder
			err := d.decode([]byte(c.doc), &got)
			if (err != nil) != c.err {
				t.Fatalf("got error %v, want error %v", err, c.err)
			}
			if !c.err && !reflect.DeepEqual(got, c.want) {
				t.Errorf("got %+v want %+v", got, c.want)
			}
		})
	}
}

// FuzzReadTerms checks that what readTerms reads, encoding/json reads to the
// same value.
func FuzzReadTerms(f *testing.F) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 20 {
		doc, _ := json.Marshal(randomTerms(rng))
		f.Add(string(doc))
	}
	f.Add(`{"mode":"forfait","creditor":12,"parties":[3,4],"fixed":[{"party":4,"amount":-0}]}`)
	f.Add(`{"calls":{"calls":[{"due":null,"share":"30 %"}]}}`)
	f.Fuzz(func(t *testing.T, doc string) {
		var fast Terms
		if !readTerms([]byte(doc), &fast) {
			return
		}
		var want Terms
		if err := json.Unmarshal([]byte(doc), &want); err != nil {
			t.Fatalf("readTerms read %q, encoding/json refuses it: %v", doc, err)
		}
		if !reflect.DeepEqual(fast, want) {
			t.Fatalf("%q: readTerms got %+v, encoding/json %+v", doc, fast, want)
		}
		if strings.Contains(doc, `\`) {
			t.Fatalf("%q: readTerms read an escape", doc)
		}
	})
}

func BenchmarkDecodeTerms(b *testing.B) {
	rng := rand.New(rand.NewPCG(5, 6))
	docs := make([][]byte, 64)
	for i := range docs {
		docs[i], _ = json.Marshal(randomTerms(rng))
	}
	b.Run("readTerms", func(b *testing.B) {
		i := 0
		for b.Loop() {
			var t Terms
			if !readTerms(docs[i%len(docs)], &t) {
				b.Fatal("fallback")
			}
			i++
		}
	})
	b.Run("encoding/json", func(b *testing.B) {
		i := 0
		for b.Loop() {
			var t Terms
			if err := json.Unmarshal(docs[i%len(docs)], &t); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}
