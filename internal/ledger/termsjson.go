package ledger

import (
	"encoding/json"
	"unicode/utf8"

	"voisines/internal/civil"
	"voisines/internal/money"
)

// termsDecoder decodes financial terms as stored (saveTerms, synth). It
// first tries readTerms, a reader of the plain JSON that json.Marshal
// writes, twice as fast as a general decoder on a national year's 200,000
// terms; on anything else it uses encoding/json as loadTerms does, which
// gives the same value, or the error. It keeps one string per distinct
// short word (a mode, a unit, a rounding): one decoder per goroutine.
type termsDecoder struct {
	words wordCache
}

func (d *termsDecoder) decode(doc []byte, t *Terms) error {
	if d.read(doc, t) {
		return nil
	}
	*t = Terms{}
	return json.Unmarshal(doc, t)
}

// read reads doc into *t when doc is JSON as json.Marshal writes it for
// Terms: members the types below know, each once, strings without escapes,
// integers without fraction or exponent. It reports false at the first
// thing it does not expect — an unknown or repeated member, an escape, a
// null where a value is needed, a Rat that does not parse — leaving *t
// partly set, and the caller decodes doc again in full. What it reads, it
// reads as encoding/json does (FuzzReadTerms checks it). A member added to
// Terms or to a type it holds must be added here
// (TestTermsReaderKnowsEveryMember says so).
func (d *termsDecoder) read(doc []byte, t *Terms) bool {
	r := termsReader{b: doc, words: &d.words}
	if !r.terms(t) {
		return false
	}
	r.space()
	return r.i == len(r.b)
}

// readTerms is termsDecoder.read with a decoder of its own.
func readTerms(doc []byte, t *Terms) bool {
	var d termsDecoder
	return d.read(doc, t)
}

// wordCache keeps the last string read for each of 256 slots picked by a
// word's length and ends: the words that recur from one convention to the
// next (a mode, a unit, a rounding) are then shared, not allocated again.
type wordCache [256]string

func (c *wordCache) get(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	slot := &c[(uint(len(b))*31+uint(b[0])*7+uint(b[len(b)-1]))&255]
	if *slot != string(b) { // the comparison allocates nothing
		*slot = string(b)
	}
	return *slot
}

type termsReader struct {
	b     []byte
	i     int
	words *wordCache
}

func (r *termsReader) space() {
	for r.i < len(r.b) {
		switch r.b[r.i] {
		case ' ', '\t', '\n', '\r':
			r.i++
		default:
			return
		}
	}
}

// next skips spaces and returns the next byte, 0 at the end.
func (r *termsReader) next() byte {
	r.space()
	if r.i < len(r.b) {
		return r.b[r.i]
	}
	return 0
}

func (r *termsReader) eat(c byte) bool {
	if r.next() != c {
		return false
	}
	r.i++
	return true
}

// null consumes a null if one comes.
func (r *termsReader) null() bool {
	if r.next() == 'n' && len(r.b)-r.i >= 4 && string(r.b[r.i:r.i+4]) == "null" {
		r.i += 4
		return true
	}
	return false
}

// raw reads a string without escapes and returns its bytes, which alias doc.
func (r *termsReader) raw() ([]byte, bool) {
	if !r.eat('"') {
		return nil, false
	}
	start := r.i
	ascii := true
	for r.i < len(r.b) {
		switch c := r.b[r.i]; {
		case c == '"':
			s := r.b[start:r.i]
			r.i++
			return s, ascii || utf8.Valid(s)
		case c == '\\' || c < 0x20:
			return nil, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
		r.i++
	}
	return nil, false
}

func (r *termsReader) str(dst *string) bool {
	s, ok := r.raw()
	if ok {
		*dst = string(s)
	}
	return ok
}

// word reads a short string that recurs from one convention to the next,
// sharing one copy.
func (r *termsReader) word(dst *string) bool {
	s, ok := r.raw()
	if ok {
		*dst = r.words.get(s)
	}
	return ok
}

// wordAs reads a word into a string type (a mode, a kind, a rounding).
func wordAs[T ~string](r *termsReader, dst *T) bool {
	var s string
	ok := r.word(&s)
	*dst = T(s)
	return ok
}

func (r *termsReader) int64(dst *int64) bool {
	r.space()
	neg := r.i < len(r.b) && r.b[r.i] == '-'
	if neg {
		r.i++
	}
	start := r.i
	if len(r.b)-r.i > 1 && r.b[r.i] == '0' && r.b[r.i+1] >= '0' && r.b[r.i+1] <= '9' {
		return false // a leading zero is not JSON
	}
	var n int64
	for r.i < len(r.b) && r.b[r.i] >= '0' && r.b[r.i] <= '9' {
		if r.i-start >= 18 { // may not fit: leave it to the general decoder
			return false
		}
		n = n*10 + int64(r.b[r.i]-'0')
		r.i++
	}
	if r.i == start || r.i < len(r.b) && (r.b[r.i] == '.' || r.b[r.i] == 'e' || r.b[r.i] == 'E') {
		return false
	}
	if neg {
		n = -n
	}
	*dst = n
	return true
}

func (r *termsReader) int(dst *int) bool {
	var n int64
	ok := r.int64(&n)
	*dst = int(n)
	return ok
}

func (r *termsReader) cents(dst *money.Cents) bool { return r.int64((*int64)(dst)) }

func (r *termsReader) bool(dst *bool) bool {
	switch {
	case r.next() == 't' && len(r.b)-r.i >= 4 && string(r.b[r.i:r.i+4]) == "true":
		*dst, r.i = true, r.i+4
	case r.next() == 'f' && len(r.b)-r.i >= 5 && string(r.b[r.i:r.i+5]) == "false":
		*dst, r.i = false, r.i+5
	default:
		return false
	}
	return true
}

func (r *termsReader) rat(dst *money.Rat) bool {
	s, ok := r.raw()
	return ok && dst.UnmarshalText(s) == nil
}

// date reads a date as civil.Date.UnmarshalJSON does: null is the zero Date.
func (r *termsReader) date(dst *civil.Date) bool {
	if r.null() {
		*dst = civil.Date{}
		return true
	}
	s, ok := r.raw()
	return ok && dst.UnmarshalText(s) == nil
}

// object reads an object, calling member with each member's name, the
// reader placed on its value. A repeated member stops it: encoding/json
// would merge the two values.
func (r *termsReader) object(member func(name []byte) bool) bool {
	if !r.eat('{') {
		return false
	}
	if r.eat('}') {
		return true
	}
	var seen [16][]byte
	for n := 0; ; n++ {
		name, ok := r.raw()
		if !ok || n == len(seen) {
			return false
		}
		for _, s := range seen[:n] {
			if string(s) == string(name) {
				return false
			}
		}
		seen[n] = name
		if !r.eat(':') || !member(name) {
			return false
		}
		if r.eat('}') {
			return true
		}
		if !r.eat(',') {
			return false
		}
	}
}

// array reads an array into *dst (nil for null), one element by elem.
func array[T any](r *termsReader, dst *[]T, elem func(*T) bool) bool {
	if r.null() {
		*dst = nil
		return true
	}
	if !r.eat('[') {
		return false
	}
	out := (*dst)[:0]
	if r.eat(']') {
		*dst = out
		if *dst == nil {
			*dst = []T{}
		}
		return true
	}
	for {
		var zero T
		out = append(out, zero)
		if !elem(&out[len(out)-1]) { // decoded in place: no copy to escape
			return false
		}
		if r.eat(']') {
			*dst = out
			return true
		}
		if !r.eat(',') {
			return false
		}
	}
}

// pointer reads an object into a new *T (nil for null).
func pointer[T any](r *termsReader, dst **T, read func(*T) bool) bool {
	if r.null() {
		*dst = nil
		return true
	}
	v := new(T)
	*dst = v
	return read(v)
}

func (r *termsReader) terms(t *Terms) bool {
	return r.object(func(name []byte) bool {
		switch string(name) {
		case "mode":
			return wordAs(r, &t.Mode)
		case "creditor":
			return r.int64(&t.Creditor)
		case "parties":
			return array(r, &t.Parties, r.int64)
		case "object":
			return r.str(&t.Object)
		case "period_months":
			return r.int(&t.PeriodMonths)
		case "usage_unit":
			return r.word(&t.UsageUnit)
		case "settlement":
			return wordAs(r, &t.Settlement)
		case "key":
			return pointer(r, &t.Key, r.key)
		case "unit_price":
			return pointer(r, &t.UnitPrice, r.unitPriceTerms)
		case "secondment":
			return pointer(r, &t.Secondment, r.secondment)
		case "fixed":
			return array(r, &t.Fixed, r.fixedLine)
		case "calls":
			return pointer(r, &t.Calls, r.callsTerms)
		}
		return false
	})
}

func (r *termsReader) key(k *money.Key) bool {
	return r.object(func(name []byte) bool {
		switch string(name) {
		case "kind":
			return wordAs(r, &k.Kind)
		case "label":
			return r.word(&k.Label)
		case "measure":
			return r.word(&k.Measure)
		case "source":
			return r.word(&k.Source)
		case "vintage":
			return r.word(&k.Vintage)
		case "figures":
			return array(r, &k.Figures, func(f *money.Figure) bool {
				return r.object(func(name []byte) bool {
					switch string(name) {
					case "party":
						return r.str(&f.Party)
					case "value":
						return r.rat(&f.Value)
					}
					return false
				})
			})
		case "usage":
			return array(r, &k.Usage, func(u *money.Usage) bool {
				return r.object(func(name []byte) bool {
					switch string(name) {
					case "party":
						return r.str(&u.Party)
					case "type":
						return r.word(&u.Type)
					case "units":
						return r.rat(&u.Units)
					}
					return false
				})
			})
		case "unit_weights":
			return array(r, &k.UnitWeights, r.unitWeight)
		case "parts":
			return array(r, &k.Parts, func(p *money.Part) bool {
				return r.object(func(name []byte) bool {
					switch string(name) {
					case "weight":
						return r.rat(&p.Weight)
					case "key":
						return r.key(&p.Key)
					}
					return false
				})
			})
		}
		return false
	})
}

func (r *termsReader) unitWeight(w *money.UnitWeight) bool {
	return r.object(func(name []byte) bool {
		switch string(name) {
		case "type":
			return r.word(&w.Type)
		case "weight":
			return r.rat(&w.Weight)
		}
		return false
	})
}

func (r *termsReader) unitPriceTerms(u *UnitPriceTerms) bool {
	return r.object(func(name []byte) bool {
		switch string(name) {
		case "rule":
			return r.object(func(name []byte) bool {
				switch string(name) {
				case "unit_cost":
					return r.rat(&u.Rule.UnitCost)
				case "unit":
					return r.word(&u.Rule.Unit)
				case "round_unit_cost_first":
					return r.bool(&u.Rule.RoundUnitCostFirst)
				case "rounding":
					return wordAs(r, &u.Rule.Rounding)
				}
				return false
			})
		case "basis":
			return pointer(r, &u.Basis, func(b *money.UnitCostBasis) bool {
				return r.object(func(name []byte) bool {
					switch string(name) {
					case "source":
						return r.word(&b.Source)
					case "lines":
						return array(r, &b.Lines, r.costLine)
					case "budget_update":
						return r.cents(&b.BudgetUpdate)
					case "budget_update_reason":
						return r.str(&b.BudgetUpdateReason)
					case "units":
						return r.rat(&b.Units)
					case "unit":
						return r.word(&b.Unit)
					}
					return false
				})
			})
		case "unit_weights":
			return array(r, &u.UnitWeights, r.unitWeight)
		}
		return false
	})
}

func (r *termsReader) costLine(l *money.CostLine) bool {
	return r.object(func(name []byte) bool {
		switch string(name) {
		case "label":
			return r.word(&l.Label)
		case "amount":
			return r.cents(&l.Amount)
		case "eligible":
			return r.bool(&l.Eligible)
		case "reason":
			return r.word(&l.Reason)
		}
		return false
	})
}

func (r *termsReader) secondment(s *SecondmentTerms) bool {
	return r.object(func(name []byte) bool {
		switch string(name) {
		case "cost_lines":
			return array(r, &s.CostLines, r.costLine)
		case "quotite":
			return r.rat(&s.Quotite)
		case "rounding":
			return wordAs(r, &s.Rounding)
		case "round_monthly_first":
			return r.bool(&s.RoundMonthlyFirst)
		}
		return false
	})
}

func (r *termsReader) fixedLine(f *FixedLine) bool {
	return r.object(func(name []byte) bool {
		switch string(name) {
		case "party":
			return r.int64(&f.Party)
		case "label":
			return r.word(&f.Label)
		case "amount":
			return r.cents(&f.Amount)
		}
		return false
	})
}

func (r *termsReader) callsTerms(c *CallsTerms) bool {
	return r.object(func(name []byte) bool {
		switch string(name) {
		case "estimate":
			return r.cents(&c.Estimate)
		case "calls":
			return array(r, &c.Calls, func(call *Call) bool {
				return r.object(func(name []byte) bool {
					switch string(name) {
					case "label":
						return r.word(&call.Label)
					case "share":
						return r.rat(&call.Share)
					case "due":
						return r.date(&call.Due)
					}
					return false
				})
			})
		}
		return false
	})
}
