package money_test

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// TestNoBinaryFloatingPoint keeps binary floating point out of the package:
// money and weights are integers and exact rationals only.
func TestNoBinaryFloatingPoint(t *testing.T) {
	// Built from pieces so this file does not match itself.
	forbidden := regexp.MustCompile(`\b(` + "float" + `(32|64)|Parse` + "Float" + `|Float` + `64\(|Set` + `Float64|` + "math\\.Round" + `)\b`)
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no Go files found")
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if loc := forbidden.FindIndex(data); loc != nil {
			t.Errorf("%s: got %q, want no binary floating point in the money package", f, data[loc[0]:loc[1]])
		}
	}
}
