package agreement

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
)

// Diff returns the fields that differ between two versions of a content,
// named by their JSON path ("term.end", "parties[1].representative.name"),
// with their previous and new values as JSON text ("" when absent). An
// element added to or removed from a list is reported whole.
func Diff(prev, next Content) []Change {
	var out []Change
	diffValue("", tree(prev), tree(next), &out)
	return out
}

func tree(c Content) any {
	b, err := json.Marshal(c)
	if err != nil {
		panic(fmt.Sprintf("agreement: encode content: %v", err)) // Content has no unencodable field
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		panic(fmt.Sprintf("agreement: decode content: %v", err))
	}
	return v
}

func diffValue(path string, a, b any, out *[]Change) {
	switch av := a.(type) {
	case map[string]any:
		if bv, ok := b.(map[string]any); ok {
			keys := make([]string, 0, len(av)+len(bv))
			for k := range av {
				keys = append(keys, k)
			}
			for k := range bv {
				if _, dup := av[k]; !dup {
					keys = append(keys, k)
				}
			}
			slices.Sort(keys)
			for _, k := range keys {
				p := k
				if path != "" {
					p = path + "." + k
				}
				diffValue(p, av[k], bv[k], out)
			}
			return
		}
	case []any:
		if bv, ok := b.([]any); ok {
			for i := 0; i < max(len(av), len(bv)); i++ {
				p := fmt.Sprintf("%s[%d]", path, i)
				switch {
				case i >= len(av):
					diffValue(p, nil, bv[i], out)
				case i >= len(bv):
					diffValue(p, av[i], nil, out)
				default:
					diffValue(p, av[i], bv[i], out)
				}
			}
			return
		}
	}
	as, bs := text(a), text(b)
	if as != bs {
		*out = append(*out, Change{Field: path, Previous: as, New: bs})
	}
}

// text renders a JSON value: strings bare, other values as JSON, absent
// values as "".
func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return x.String()
	}
	b, _ := json.Marshal(v)
	return string(b)
}
