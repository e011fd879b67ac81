package auth

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"voisines/internal/store"
	"voisines/internal/store/storetest"
	"voisines/internal/validate"
)

// createTokens issues n tokens of days days to actor, failing the test on
// the first error.
func createTokens(t *testing.T, s *Service, actor Actor, n, days int) []IssuedToken {
	t.Helper()
	out := make([]IssuedToken, n)
	for i := range out {
		tok, err := s.CreateToken(context.Background(), actor, NewToken{Name: fmt.Sprintf("Script %d", i+1), Days: days})
		if err != nil {
			t.Fatalf("create token %d: %v", i+1, err)
		}
		out[i] = tok
	}
	return out
}

// liveTokens counts the tokens of userID that are neither revoked nor
// expired, as listed.
func liveTokens(t *testing.T, s *Service, userID int64) int {
	t.Helper()
	ts, err := s.Tokens(context.Background(), System, userID)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, tok := range ts {
		if tok.Status == "active" {
			n++
		}
	}
	return n
}

func TestTokenLimit(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, clock := newService(db)
		for i, tc := range []struct {
			name string
			// setup brings the user's tokens to the state before the
			// creation under test.
			setup func(t *testing.T, me Actor)
			ok    bool
			live  int
		}{
			{"the 21st live token is refused, naming the field", func(t *testing.T, me Actor) {
				createTokens(t, s, me, MaxLiveTokens, 0)
			}, false, MaxLiveTokens},
			{"a revoked token frees a place", func(t *testing.T, me Actor) {
				toks := createTokens(t, s, me, MaxLiveTokens, 0)
				if _, err := s.RevokeToken(ctx, me, toks[3].ID); err != nil {
					t.Fatal(err)
				}
			}, true, MaxLiveTokens},
			{"an expired token frees a place", func(t *testing.T, me Actor) {
				createTokens(t, s, me, MaxLiveTokens-1, 0)
				createTokens(t, s, me, 1, 1)
				clock.Advance(24 * time.Hour)
			}, true, MaxLiveTokens},
			{"another user's tokens do not count", func(t *testing.T, me Actor) {
				other := newUser(t, s, "autre-"+me.User.Email)
				createTokens(t, s, Actor{User: &other}, MaxLiveTokens, 0)
				createTokens(t, s, me, MaxLiveTokens-1, 0)
			}, true, MaxLiveTokens},
			{"below the limit a token is created", func(t *testing.T, me Actor) {
				createTokens(t, s, me, 5, 0)
			}, true, 6},
		} {
			t.Run(tc.name, func(t *testing.T) {
				u := newUser(t, s, fmt.Sprintf("user%d@rodez.fr", i))
				me := Actor{User: &u}
				tc.setup(t, me)
				_, err := s.CreateToken(ctx, me, NewToken{Name: "Encore un"})
				if tc.ok && err != nil {
					t.Fatalf("got %v want the token created", err)
				}
				if !tc.ok {
					errs, ok := validate.As(err)
					if !ok || errs.For("tokens") == "" {
						t.Fatalf("got %v want a validation error on tokens", err)
					}
					if want := "Vous avez déjà 20 jetons actifs : révoquez-en un avant d'en créer un autre."; errs.For("tokens") != want {
						t.Fatalf("got %q want %q", errs.For("tokens"), want)
					}
				}
				if got := liveTokens(t, s, u.ID); got != tc.live {
					t.Fatalf("got %d live tokens want %d", got, tc.live)
				}
			})
		}
	})
}

// TestTokenLimitConcurrent creates tokens for one user from 8 goroutines at
// once, 2 places below the limit: the count and the insert share a
// transaction, so exactly 2 succeed.
func TestTokenLimitConcurrent(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _ := newService(db)
		u := newUser(t, s, "pressee@rodez.fr")
		me := Actor{User: &u}
		createTokens(t, s, me, MaxLiveTokens-2, 0)
		const workers = 8
		errs := make([]error, workers)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, errs[i] = s.CreateToken(ctx, me, NewToken{Name: fmt.Sprintf("Parallèle %d", i)})
			}()
		}
		close(start)
		wg.Wait()
		created := 0
		for _, err := range errs {
			if err == nil {
				created++
				continue
			}
			if ve, ok := validate.As(err); !ok || ve.For("tokens") == "" {
				t.Errorf("got %v want success or a validation error on tokens", err)
			}
		}
		if created != 2 {
			t.Errorf("got %d creations want 2", created)
		}
		if got := liveTokens(t, s, u.ID); got != MaxLiveTokens {
			t.Errorf("got %d live tokens want %d", got, MaxLiveTokens)
		}
	})
}

func TestPurgeTokens(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, clock := newService(db)
		owner := newUser(t, s, "compta@rodez.fr")
		me := Actor{User: &owner}
		admin, err := s.CreateUser(ctx, System, NewUser{Email: "admin@voisines.fr", Name: "Admin", Password: "correct horse battery", PlatformAdmin: true})
		if err != nil {
			t.Fatal(err)
		}
		disabled := admin
		disabled.Disabled = true

		create := func(name string, days int, revoke bool) {
			t.Helper()
			tok, err := s.CreateToken(ctx, me, NewToken{Name: name, Days: days})
			if err != nil {
				t.Fatal(err)
			}
			if revoke {
				if _, err := s.RevokeToken(ctx, me, tok.ID); err != nil {
					t.Fatal(err)
				}
			}
		}
		// Long ago: one revoked, one expired, one live for a year.
		create("révoqué ancien", 0, true)
		create("expiré ancien", 1, false)
		create("vivant", MaxTokenDays, false)
		clock.Advance(100 * 24 * time.Hour)
		// Recently: one revoked, one expired, one live.
		create("révoqué récent", 0, true)
		create("expiré récent", 1, false)
		create("vivant récent", 0, false)
		clock.Advance(2 * 24 * time.Hour)

		names := func() []string {
			t.Helper()
			ts, err := s.Tokens(ctx, System, owner.ID)
			if err != nil {
				t.Fatal(err)
			}
			out := []string{}
			for _, tok := range ts {
				out = append(out, tok.Name)
			}
			sort.Strings(out)
			return out
		}
		purges := func() int {
			t.Helper()
			var n int
			if err := db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = ?`, "token.purge").Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		all := names()

		t.Run("only a platform admin or the system may purge", func(t *testing.T) {
			for _, tc := range []struct {
				name  string
				actor Actor
				want  error
			}{
				{"anonymous", Actor{}, ErrUnauthenticated},
				{"a user", me, ErrForbidden},
				{"a disabled admin", Actor{User: &disabled}, ErrUnauthenticated},
			} {
				if n, err := s.PurgeTokens(ctx, tc.actor, DefaultTokenPurgeAge); !errors.Is(err, tc.want) || n != 0 {
					t.Errorf("%s: got %d %v want 0 %v", tc.name, n, err, tc.want)
				}
			}
			if got := names(); fmt.Sprint(got) != fmt.Sprint(all) {
				t.Errorf("got %v want nothing deleted: %v", got, all)
			}
		})

		t.Run("a negative age is a validation error", func(t *testing.T) {
			_, err := s.PurgeTokens(ctx, System, -time.Hour)
			if errs, ok := validate.As(err); !ok || errs.For("older_than") == "" {
				t.Fatalf("got %v want a validation error on older_than", err)
			}
		})

		for _, tc := range []struct {
			name      string
			actor     Actor
			olderThan time.Duration
			deleted   int
			left      []string
			purges    int
		}{
			{"an admin purges the tokens revoked or expired more than 90 days ago", Actor{User: &admin}, DefaultTokenPurgeAge, 2,
				[]string{"expiré récent", "révoqué récent", "vivant", "vivant récent"}, 1},
			{"purging again deletes nothing and records nothing", System, DefaultTokenPurgeAge, 0,
				[]string{"expiré récent", "révoqué récent", "vivant", "vivant récent"}, 1},
			{"with no age every dead token goes and live ones stay", System, 0, 2,
				[]string{"vivant", "vivant récent"}, 2},
		} {
			t.Run(tc.name, func(t *testing.T) {
				n, err := s.PurgeTokens(ctx, tc.actor, tc.olderThan)
				if err != nil || n != tc.deleted {
					t.Fatalf("got %d %v want %d deleted", n, err, tc.deleted)
				}
				if got := names(); fmt.Sprint(got) != fmt.Sprint(tc.left) {
					t.Fatalf("got %v left want %v", got, tc.left)
				}
				if got := purges(); got != tc.purges {
					t.Fatalf("got %d token.purge records want %d", got, tc.purges)
				}
			})
		}

		t.Run("the audit record gives the count", func(t *testing.T) {
			var detail string
			if err := db.Reader().QueryRowContext(ctx, `SELECT detail FROM audit_log WHERE action = ? ORDER BY id LIMIT 1`, "token.purge").
				Scan(&detail); err != nil {
				t.Fatal(err)
			}
			if want := `"count":2`; !strings.Contains(detail, want) {
				t.Fatalf("got %s want %s", detail, want)
			}
		})
	})
}
