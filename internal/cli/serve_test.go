package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"voisines/internal/server/servertest"
	"voisines/internal/store"
	"voisines/internal/territory"
)

func TestServeRefusesABadConfiguration(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"an address without port", nil, []string{"serve", "--addr", "localhost"}, "is not host:port"},
		{"a port out of range", nil, []string{"serve", "--addr", ":99999"}, "port must be a number"},
		{"a bad address from the environment", map[string]string{"VOISINES_ADDR": "nowhere"}, []string{"serve"}, "is not host:port"},
		{"a malformed boolean in the environment", map[string]string{"VOISINES_SECURE_COOKIES": "maybe"}, []string{"serve"}, "VOISINES_SECURE_COOKIES"},
		{"an empty database name", nil, []string{"serve", "--db", ""}, "--db is empty"},
		{"an argument", nil, []string{"serve", "extra"}, "unexpected argument"},
		{"a malformed jobs interval in the environment", map[string]string{"VOISINES_JOBS_INTERVAL": "bogus"}, []string{"serve"}, "VOISINES_JOBS_INTERVAL"},
		{"a negative jobs interval", nil, []string{"serve", "--jobs-interval", "-1s"}, "jobs-interval"},
		{"a demo geo-dir that is not a directory", nil, []string{"demo", "--geo-dir", "/nonexistent", "--setup-only"}, "is not a directory"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env, _, errOut := testEnv(tc.env)
			if code := run(context.Background(), env, tc.args); code != 2 {
				t.Fatalf("exit code: got %d want 2\n%s", code, errOut)
			}
			if !strings.Contains(errOut.String(), tc.want) {
				t.Fatalf("stderr: want %q in it, got %s", tc.want, errOut)
			}
		})
	}
}

func TestServeRefusesAStaleSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "stale.db")
	db, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	// A database with a migrations table at version 0 of a real schema is not
	// empty: simulate an older binary's database by recording nothing but a
	// table of its own.
	if _, err := db.Raw().Exec(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMP NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Raw().Exec(`INSERT INTO schema_migrations VALUES (1, 'old', CURRENT_TIMESTAMP)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if store.Latest() < 2 {
		t.Skip("only one migration: no database can be stale yet")
	}
	env, _, errOut := testEnv(nil)
	if code := run(context.Background(), env, []string{"serve", "--db", path, "--addr", "127.0.0.1:0"}); code != 1 {
		t.Fatalf("exit code: got %d want 1\n%s", code, errOut)
	}
	if !strings.Contains(errOut.String(), "--migrate") {
		t.Fatalf("stderr: want the store's message pointing at --migrate, got %s", errOut)
	}
}

func TestServeRefusesADatabaseNewerThanTheBinary(t *testing.T) {
	path := filepath.Join(t.TempDir(), "newer.db")
	db, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Raw().Exec(`INSERT INTO schema_migrations VALUES (?, 'future', CURRENT_TIMESTAMP)`, store.Latest()+1); err != nil {
		t.Fatal(err)
	}
	db.Close()
	env, _, errOut := testEnv(nil)
	if code := run(context.Background(), env, []string{"serve", "--db", path, "--addr", "127.0.0.1:0", "--migrate"}); code != 1 {
		t.Fatalf("exit code: got %d want 1\n%s", code, errOut)
	}
	if !strings.Contains(errOut.String(), "newer than this binary") {
		t.Fatalf("stderr: got %s", errOut)
	}
}

func TestDemoSetsUpPrintsAndWritesTheLogins(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "demo.db")
	// The fixture territory holds the demo's CC, so the command imports
	// nothing and the test stays fast.
	db, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := territory.New(db).ImportCOG(context.Background(), servertest.COG(t), nil); err != nil {
		t.Fatal(err)
	}
	db.Close()

	env, out, errOut := testEnv(nil)
	if code := run(context.Background(), env, []string{"demo", "--db", path, "--setup-only"}); code != 0 {
		t.Fatalf("exit code %d\n%s", code, errOut)
	}
	for _, want := range []string{"CC Conques-Marcillac", "26 comptes de démonstration créés", "voisines-demo-2026",
		"admin@demo.voisines.fr", "secretaire.<commune>@demo.voisines.fr", "demo-logins.txt"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output: want %q in it\n%s", want, out)
		}
	}
	logins, err := os.ReadFile(filepath.Join(dir, "demo-logins.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(logins), "@demo.voisines.fr"); n != 26 {
		t.Errorf("logins file lists %d accounts want 26", n)
	}

	env, out, errOut = testEnv(nil)
	if code := run(context.Background(), env, []string{"demo", "--db", path, "--setup-only"}); code != 0 {
		t.Fatalf("second run: exit code %d\n%s", code, errOut)
	}
	if !strings.Contains(out.String(), "déjà présents") {
		t.Errorf("second run: want the accounts reused\n%s", out)
	}
}
