package cli

import (
	"context"
	"errors"
	"testing"

	"voisines/internal/auth"
)

// TestTokenCommands lists and revokes a user's API token from the command
// line, which acts as a platform admin.
func TestTokenCommands(t *testing.T) {
	ctx := context.Background()
	db, dsn, _ := migratedSQLite(t)
	s := auth.New(db)
	u, err := s.CreateUser(ctx, auth.System, auth.NewUser{Email: "compta@rodez.fr", Name: "Marie Dupont", Password: "un mot de passe solide"})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := s.CreateToken(ctx, auth.Actor{User: &u}, auth.NewToken{Name: "Compta", Scope: auth.ScopeWrite})
	if err != nil {
		t.Fatal(err)
	}
	runSteps(t, dsn, []cliStep{
		{name: "token list shows every user's tokens, without secrets", args: []string{"token", "list"},
			wantOut: []string{"ID  USER", "1   compta@rodez.fr  Compta  write  active", "never", "1 token(s)"}},
		{name: "token list --user takes an e-mail address", args: []string{"token", "list", "--user", "Compta@Rodez.fr"},
			wantOut: []string{"Compta", "1 token(s)"}},
		{name: "token list --user of an unknown user fails", args: []string{"token", "list", "--user", "nobody@rodez.fr"},
			wantCode: 1, wantErr: "--user nobody@rodez.fr"},
		{name: "token revoke needs an id", args: []string{"token", "revoke"}, wantCode: 2, wantErr: "give one token id"},
		{name: "token revoke of an unknown token fails", args: []string{"token", "revoke", "99"}, wantCode: 1, wantErr: "revoke token 99"},
		{name: "token revoke ends the token", args: []string{"token", "revoke", "1"},
			wantOut: []string{`revoked token 1 "Compta" of compta@rodez.fr`}},
		{name: "token list shows it revoked", args: []string{"token", "list", "--user", "1"},
			wantOut: []string{"Compta  write  revoked"}},
	})
	if _, _, err := s.ResumeToken(ctx, tok.Secret); !errors.Is(err, auth.ErrInvalidToken) {
		t.Fatalf("after token revoke: got %v want ErrInvalidToken", err)
	}
}
