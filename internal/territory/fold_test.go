package territory

import "testing"

func TestFold(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"accents and case are removed", "Périgueux", "perigueux"},
		{"capitals with accents are folded", "ÉCULLY", "ecully"},
		{"apostrophes and hyphens become single spaces", "L'Haÿ-les-Roses", "l hay les roses"},
		{"ligatures are spelled out", "Œuilly", "oeuilly"},
		{"the cedilla is removed", "Montluçon", "montlucon"},
		{"surrounding and repeated separators are trimmed", "  --Saint   Étienne--  ", "saint etienne"},
		{"digits are kept", "Paris 75001", "paris 75001"},
		{"punctuation alone folds to nothing", "'-' ()", ""},
		{"letters of other scripts are kept in lower case", "Ωmega", "ωmega"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Fold(tt.in); got != tt.want {
				t.Errorf("Fold(%q): got %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
