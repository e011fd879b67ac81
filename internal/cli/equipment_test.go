package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEquipmentCommands imports a catalogue from CSV (refused whole when a
// line is wrong), lists it and records usage.
func TestEquipmentCommands(t *testing.T) {
	db, dsn, dir := migratedSQLite(t)
	insertRodez(t, db)
	good := filepath.Join(dir, "catalogue.csv")
	os.WriteFile(good, []byte("owner;name;kind;unit;commune;tariff_other_commune\n12202;Gymnase Paul-Ramadier;gym;hour;12202;26,00\n211202023;Balayeuse;machine;half_day;;\n"), 0o644)
	bad := filepath.Join(dir, "mauvais.csv")
	os.WriteFile(bad, []byte("owner,name,kind,unit\n12202,Piscine,swimming,hour\n12202,,hall,day\n"), 0o644)

	run1 := func(args ...string) (int, string, string) { return runCLI(dsn, "", args...) }
	steps := []struct {
		name    string
		args    []string
		code    int
		out     string
		errText string
	}{
		{"a file with errors imports nothing and names each line and column", []string{"equipment", "import", bad}, 1, "",
			"ligne 2, colonne « kind »"},
		{"the empty name is reported too", []string{"equipment", "import", bad}, 1, "", "ligne 3, colonne « name »"},
		{"a good file imports", []string{"equipment", "import", good}, 0, "2 created, 0 updated", ""},
		{"importing again updates", []string{"equipment", "import", good}, 0, "0 created, 2 updated", ""},
		{"list shows the catalogue", []string{"equipment", "list"}, 0, "Gymnase Paul-Ramadier", ""},
		{"list filters by kind", []string{"equipment", "list", "--kind", "machine"}, 0, "1 equipment", ""},
		{"list filters by owner", []string{"equipment", "list", "--owner", "12202"}, 0, "2 equipment", ""},
		{"import needs a file", []string{"equipment", "import"}, 2, "", "give one CSV file"},
		{"usage records held bookings", []string{"equipment", "usage"}, 0, "0 usage record(s) written", ""},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			code, out, errOut := run1(st.args...)
			if code != st.code || !strings.Contains(out, st.out) || !strings.Contains(errOut, st.errText) {
				t.Fatalf("got exit %d, stdout %q, stderr %q\nwant exit %d, stdout with %q, stderr with %q", code, out, errOut, st.code, st.out, st.errText)
			}
		})
	}
}
