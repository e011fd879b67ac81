package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"voisines/internal/server/servertest"
	"voisines/internal/store"
	"voisines/internal/store/storetest"
)

// TestServiceCommands records a year and prints its unit cost, refuses a
// faulty usage file whole with its lines, imports example 6's acts (again
// without duplicates), records the notification and issues the year's
// statement — domain.md §10 example 6 (a) from the command line.
func TestServiceCommands(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := servertest.NewServiceWorld(t, db)
		dsn := db.DSN()
		dir := t.TempDir()
		file := func(name, content string) string {
			p := filepath.Join(dir, name)
			if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
			return p
		}
		year := file("annee.json", `{"source": "budget prévisionnel 2026",
			"lines": [{"category": "personnel", "label": "Coût prévisionnel du service commun", "amount": 9600000, "eligible": true}],
			"forecast_units": "265,5"}`)
		good := file("actes.csv", servertest.ServiceADSUsage)
		bad := file("mauvais.csv", "date;beneficiaire;type;quantite;reference\n2026-05-12;12202;PC;4;X-1\n2026-02-30;12218;ZZ;4;X-2\n")
		ref := w.Agreement.Reference

		run1 := func(args ...string) (int, string, string) { return runCLI(dsn, "", args...) }
		steps := []struct {
			name    string
			args    []string
			code    int
			out     string
			errText string
		}{
			{"list shows the service", []string{"service", "list"}, 0, "Instruction du droit des sols", ""},
			{"list by a beneficiary says it benefits", []string{"service", "list", "--org", "12202"}, 0, "benefits", ""},
			{"unit-cost records the year and prints 361.58", []string{"service", "unit-cost", "--service", "1", "--year", "2026", "--set", year}, 0,
				"unit cost: 361,58\u00a0€/acte pondéré", ""},
			{"unit-cost finds the service by its convention's reference", []string{"service", "unit-cost", "--service", ref, "--year", "2026"}, 0,
				"Dépenses retenues : 96\u202f000,00\u00a0€", ""},
			{"a faulty file imports nothing and names each line and column", []string{"service", "import-usage", "--service", "1", bad}, 1, "",
				"ligne 3, colonne « date »"},
			{"the unknown beneficiary is reported too", []string{"service", "import-usage", "--service", "1", bad}, 1, "",
				"ligne 3, colonne « beneficiaire »"},
			{"the acts import", []string{"service", "import-usage", "--service", "1", good}, 0, "17 line(s), 17 created, 0 updated", ""},
			{"importing again duplicates nothing", []string{"service", "import-usage", "--service", "1", good}, 0, "17 line(s), 0 created, 17 updated", ""},
			{"import needs a file", []string{"service", "import-usage", "--service", "1"}, 2, "", "give one CSV file"},
			{"notify records the recipients", []string{"service", "notify", "--service", "1", "--year", "2026", "--date", "2026-04-20", "--to", "12202,12176"}, 0,
				"to Rodez, Onet-le-Château: no legal deadline", ""},
			{"an import for an unknown service names it", []string{"service", "import-usage", "--service", "2099-0999", good}, 1, "", "--service 2099-0999"},
			{"a notification for an unknown service names it", []string{"service", "notify", "--service", "2099-0999", "--year", "2026", "--date", "2026-04-20"}, 1, "",
				"--service 2099-0999"},
			{"a notification without a valid date is a usage error", []string{"service", "notify", "--service", "1", "--date", "20/04/2026"}, 2, "", "want 2026-04-20"},
			{"a statement for an unknown service names it", []string{"service", "statement", "--service", "2099-0999", "--from", "2026-01-01", "--to", "2026-06-30"}, 1, "",
				"--service 2099-0999"},
			{"a statement over a year is refused", []string{"service", "statement", "--service", "1", "--from", "2026-01-01", "--to", "2027-01-31"}, 1, "",
				"ne peut excéder un an"},
			{"the year's statement is issued", []string{"service", "statement", "--service", "1", "--from", "2026-01-01", "--to", "2026-12-31", "--issue"}, 0,
				"total 95\u202f999,49\u00a0€", ""},
		}
		for _, st := range steps {
			t.Run(st.name, func(t *testing.T) {
				code, out, errOut := run1(st.args...)
				if code != st.code || !strings.Contains(out, st.out) || !strings.Contains(errOut, st.errText) {
					t.Fatalf("got exit %d\nstdout: %s\nstderr: %s\nwant exit %d, stdout with %q, stderr with %q", code, out, errOut, st.code, st.out, st.errText)
				}
			})
		}
	})
}
