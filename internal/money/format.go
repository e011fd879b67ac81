package money

import (
	"strconv"
	"strings"
)

// Separators used in French formatting, as CLDR and French public documents
// use them: a narrow no-break space between thousands, a no-break space
// before the euro sign.
const (
	thousandsSep = "\u202f"
	currencySep  = "\u00a0"
)

// String formats the amount in French with the euro sign: "1 234,56 €", where
// the thousands separator is a narrow no-break space (U+202F) and the space
// before € a no-break space (U+00A0). Negative amounts start with "-".
func (c Cents) String() string { return c.French() + currencySep + "€" }

// French formats the amount in French without the euro sign: "1 234,56",
// for table columns headed "montant (€)".
func (c Cents) French() string { return c.format(thousandsSep, ",") }

// Plain formats the amount for CSV and machines: "1234.56", "-12.50", no
// thousands separator, a point before the cents.
func (c Cents) Plain() string { return c.format("", ".") }

func (c Cents) format(group, point string) string {
	neg := c < 0
	u := uint64(c)
	if neg {
		u = -u // two's complement: correct even for math.MinInt64
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	b.WriteString(groupDigits(strconv.FormatUint(u/100, 10), group))
	b.WriteString(point)
	cents := u % 100
	b.WriteByte(byte('0' + cents/10))
	b.WriteByte(byte('0' + cents%10))
	return b.String()
}

// groupDigits inserts sep every three digits from the right.
func groupDigits(digits, sep string) string {
	if sep == "" || len(digits) <= 3 {
		return digits
	}
	var b strings.Builder
	first := len(digits) % 3
	if first == 0 {
		first = 3
	}
	b.WriteString(digits[:first])
	for i := first; i < len(digits); i += 3 {
		b.WriteString(sep)
		b.WriteString(digits[i : i+3])
	}
	return b.String()
}
