package cli

import (
	"context"
	"testing"
	"time"

	"voisines/internal/auth"
	"voisines/internal/store"
	"voisines/internal/store/storetest"
)

// TestTokenPurgeCommand purges old revoked and expired tokens from the
// command line, on both engines, and refuses a bad --older-than.
func TestTokenPurgeCommand(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := auth.New(db)
		u, err := s.CreateUser(ctx, auth.System, auth.NewUser{Email: "compta@rodez.fr", Name: "Marie Dupont", Password: "un mot de passe solide"})
		if err != nil {
			t.Fatal(err)
		}
		me := auth.Actor{User: &u}
		for _, name := range []string{"Ancien", "Récent", "Vivant"} {
			tok, err := s.CreateToken(ctx, me, auth.NewToken{Name: name})
			if err != nil {
				t.Fatal(err)
			}
			if name == "Vivant" {
				continue
			}
			if _, err := s.RevokeToken(ctx, me, tok.ID); err != nil {
				t.Fatal(err)
			}
		}
		// The CLI runs on the real clock: date the first revocation back.
		old := time.Now().UTC().Add(-100 * 24 * time.Hour)
		if err := db.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE name = ?`, old, "Ancien")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		runSteps(t, db.DSN(), []cliStep{
			{name: "a bad --older-than is a usage error naming the flag", args: []string{"token", "purge", "--older-than", "trois mois"},
				wantCode: 2, wantErr: `--older-than "trois mois"`},
			{name: "a negative --older-than is a usage error", args: []string{"token", "purge", "--older-than", "-5d"},
				wantCode: 2, wantErr: "--older-than"},
			{name: "fractional days are refused", args: []string{"token", "purge", "--older-than", "1.5d"},
				wantCode: 2, wantErr: "--older-than"},
			{name: "an argument is a usage error", args: []string{"token", "purge", "3"}, wantCode: 2, wantErr: "unexpected argument"},
			{name: "by default tokens dead more than 90 days go", args: []string{"token", "purge"},
				wantOut: []string{"purged 1 token(s)"}},
			{name: "a Go duration is accepted", args: []string{"token", "purge", "--older-than", "2160h"},
				wantOut: []string{"purged 0 token(s)"}},
			{name: "--older-than 0d purges every revoked token", args: []string{"token", "purge", "--older-than", "0d"},
				wantOut: []string{"purged 1 token(s)"}},
			{name: "the live token is kept", args: []string{"token", "list"},
				wantOut: []string{"Vivant", "1 token(s)"}},
		})
	})
}
