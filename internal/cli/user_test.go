package cli

import (
	"context"
	"strings"
	"testing"

	"voisines/internal/store"
)

// TestUserOrgAndAuditCommands drives `user add`, `org add`, `org list` and
// `audit verify` in sequence on one SQLite database holding a commune
// inserted directly (the territory import is not part of this test).
func TestUserOrgAndAuditCommands(t *testing.T) {
	db, dsn, _ := migratedSQLite(t)
	insertRodez(t, db)

	steps := []struct {
		name     string
		args     []string
		stdin    string
		wantCode int
		wantOut  string // in stdout
		wantErr  string // in stderr
	}{
		{
			name:     "user add reads the password on standard input and makes a clerk of the commune named by its INSEE code",
			args:     []string{"user", "add", "--email", "Clerk@Rodez.fr", "--name", "Marie Dupont", "--org", "12202"},
			stdin:    "un mot de passe solide\n",
			wantCode: 0,
			wantOut:  "created user 1: clerk@rodez.fr (Marie Dupont)\n  clerk of Rodez (commune, organisation 1)",
		},
		{
			name:     "user add without an e-mail is a usage error",
			args:     []string{"user", "add", "--name", "X"},
			wantCode: 2,
			wantErr:  "--email and --name are required",
		},
		{
			name:     "user add with --role but no --org is a usage error",
			args:     []string{"user", "add", "--email", "x@rodez.fr", "--name", "X", "--role", "admin"},
			wantCode: 2,
			wantErr:  "--role needs --org",
		},
		{
			name:     "user add with a short password names the field",
			args:     []string{"user", "add", "--email", "x@rodez.fr", "--name", "X", "--password", "court"},
			wantCode: 1,
			wantErr:  "password: le mot de passe doit compter au moins 12 caractères",
		},
		{
			name:     "user add for an e-mail already taken is refused",
			args:     []string{"user", "add", "--email", "clerk@rodez.fr", "--name", "X", "--password", "un mot de passe solide"},
			wantCode: 1,
			wantErr:  "un compte existe déjà",
		},
		{
			name:     "user add for an unknown organisation is refused",
			args:     []string{"user", "add", "--email", "y@rodez.fr", "--name", "Y", "--password", "un mot de passe solide", "--org", "99999"},
			wantCode: 1,
			wantErr:  "--org 99999",
		},
		{
			name:     "user add with an unknown role names the role",
			args:     []string{"user", "add", "--email", "y@rodez.fr", "--name", "Y", "--org", "12202", "--role", "maire"},
			wantCode: 1,
			wantErr:  "role: « maire » n'est pas un rôle",
		},
		{
			name:     "org add creates a syndicat mixte",
			args:     []string{"org", "add", "--kind", "syndicat_mixte", "--name", "Syndicat mixte du Lévézou", "--siren", "200 000 172", "--departement", "12"},
			wantCode: 0,
			wantOut:  "created organisation 2: Syndicat mixte du Lévézou (syndicat_mixte, SIREN 200000172, département 12)",
		},
		{
			name:     "org add with a bad SIREN names the rule",
			args:     []string{"org", "add", "--kind", "association", "--name", "A", "--siren", "123456789"},
			wantCode: 1,
			wantErr:  "siren: « 123456789 » n'est pas un SIREN valide (clé de Luhn)",
		},
		{
			name:     "org add refuses a commune",
			args:     []string{"org", "add", "--kind", "commune", "--name", "Nouvelle"},
			wantCode: 1,
			wantErr:  "import du territoire",
		},
		{
			name:     "user add names the organisation by its SIREN and makes a platform admin",
			args:     []string{"user", "add", "--email", "president@levezou.fr", "--name", "Paul", "--password", "un mot de passe solide", "--org", "200000172", "--role", "admin", "--platform-admin"},
			wantCode: 0,
			wantOut:  "created user 2: president@levezou.fr (Paul), platform admin\n  admin of Syndicat mixte du Lévézou",
		},
		{
			name:     "org list shows the organisations with their ids",
			args:     []string{"org", "list"},
			wantCode: 0,
			wantOut:  "1–2 of 2",
		},
		{
			name:     "audit verify reports an intact log",
			args:     []string{"audit", "verify"},
			wantCode: 0,
			wantOut:  "audit log intact: 5 records\nlast record: 5:",
		},
		{
			name:     "audit verify refuses a malformed anchor",
			args:     []string{"audit", "verify", "--anchor", "5:abc"},
			wantCode: 2,
			wantErr:  "--anchor must be ID:HASH",
		},
	}
	run1 := func(t *testing.T, args []string, stdin string) (int, string, string) {
		return runCLI(dsn, stdin, args...)
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			code, out, errOut := run1(t, st.args, st.stdin)
			if code != st.wantCode || !strings.Contains(out, st.wantOut) || !strings.Contains(errOut, st.wantErr) {
				t.Fatalf("got exit %d, stdout %q, stderr %q\nwant exit %d, stdout with %q, stderr with %q",
					code, out, errOut, st.wantCode, st.wantOut, st.wantErr)
			}
		})
	}

	t.Run("audit verify exits 1 and names the altered record", func(t *testing.T) {
		ctx := context.Background()
		err := db.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE audit_log SET detail = '{}' WHERE id = 3`)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		code, _, errOut := run1(t, []string{"audit", "verify"}, "")
		if code != 1 || !strings.Contains(errOut, "the audit log is broken at record 3") {
			t.Fatalf("got exit %d, stderr %q want exit 1 naming record 3", code, errOut)
		}
	})
}
