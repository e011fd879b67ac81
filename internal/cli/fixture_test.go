package cli

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"voisines/internal/agreement"
	"voisines/internal/agreement/agreementtest"
	"voisines/internal/auth"
	"voisines/internal/civil"
	"voisines/internal/store"
)

// migratedSQLite opens a migrated SQLite database in a new temporary
// directory, closed at the end of the test, and returns it with its DSN
// and the directory, for the test's other files.
func migratedSQLite(t *testing.T) (db *store.DB, dsn, dir string) {
	t.Helper()
	ctx := context.Background()
	dir = t.TempDir()
	dsn = filepath.Join(dir, "voisines.db")
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return db, dsn, dir
}

// rodezAgglo is the CA Rodez Agglomération (with no organisation) and the
// first n of Rodez, Onet-le-Château and Olemps, whose organisations get
// ids 1, 2 and 3 and a fictitious mayor.
func rodezAgglo(n int) agreementtest.Territory {
	communes := []agreementtest.Commune{
		{Short: "rodez", Code: "12202", Name: "Rodez", SIREN: "211202023"},
		{Short: "onet", Code: "12176", Name: "Onet-le-Château", SIREN: "211201769"},
		{Short: "olemps", Code: "12174", Name: "Olemps", SIREN: "211201744"},
	}[:n]
	for i := range communes {
		communes[i].EPCI, communes[i].Mayor = "241200187", "Maire fictif"
	}
	return agreementtest.Territory{
		EPCIs:    []agreementtest.EPCI{{SIREN: "241200187", Name: "CA Rodez Agglomération", Type: "CA", NoOrganisation: true}},
		Communes: communes,
	}
}

// insertRodez writes the commune of Rodez, in no EPCI, and its
// organisation (id 1), with no representative.
func insertRodez(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	err := db.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO communes (code, name, siren, departement_code) VALUES ('12202', 'Rodez', '211202023', '12')`); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO organisations (kind, name, siren, commune_code, departement_code, created_at, updated_at)
			VALUES ('commune', 'Rodez', '211202023', '12202', '12', ?, ?)`, now, now)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// conclude has the system actor create and submit in on drafted, record
// its approvals as acts says and sign it for every party on signed, with
// agr reading clk.
func conclude(t *testing.T, agr *agreement.Service, clk *agreementtest.Clock, in agreement.Input,
	drafted civil.Date, acts agreementtest.Acts, signed civil.Date) agreement.Record {
	t.Helper()
	clerks := agreementtest.Clerks{Service: agr, SetDate: clk.Set, Of: agreementtest.Anyone(auth.System)}
	return clerks.Conclude(t, in, drafted, acts, signed)
}

// testEnv returns an Env whose environment is vars and whose output is kept.
func testEnv(vars map[string]string) (*Env, *bytes.Buffer, *bytes.Buffer) {
	var out, errOut bytes.Buffer
	return &Env{
		Stdin:  strings.NewReader(""),
		Stdout: &out,
		Stderr: &errOut,
		Getenv: func(k string) string { return vars[k] },
		Log:    slog.New(slog.NewTextHandler(io.Discard, nil)),
	}, &out, &errOut
}

// runCLI runs the command line args with stdin as its standard input and,
// unless dsn is empty, VOISINES_DB set to dsn; it returns the exit code
// and what it wrote.
func runCLI(dsn, stdin string, args ...string) (code int, stdout, stderr string) {
	vars := map[string]string{}
	if dsn != "" {
		vars["VOISINES_DB"] = dsn
	}
	env, out, errOut := testEnv(vars)
	env.Stdin = strings.NewReader(stdin)
	code = run(context.Background(), env, args)
	return code, out.String(), errOut.String()
}

// cliStep is a command line a test runs and what it must answer: the exit
// code, texts in the standard output (narrow and non-breaking spaces read
// as spaces) and a text in the standard error.
type cliStep struct {
	name     string
	args     []string
	stdin    string
	wantCode int
	wantOut  []string
	wantErr  string
}

// runSteps runs each step, in order, as a subtest over the database dsn.
func runSteps(t *testing.T, dsn string, steps []cliStep) {
	t.Helper()
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			code, out, errOut := runCLI(dsn, st.stdin, st.args...)
			plain := strings.NewReplacer("\u202f", " ", "\u00a0", " ").Replace(out)
			ok := code == st.wantCode && strings.Contains(errOut, st.wantErr)
			for _, w := range st.wantOut {
				ok = ok && strings.Contains(plain, w)
			}
			if !ok {
				t.Fatalf("got exit %d, stdout %q, stderr %q\nwant exit %d, stdout with %q, stderr with %q",
					code, out, errOut, st.wantCode, st.wantOut, st.wantErr)
			}
		})
	}
}
