package store

import (
	"context"
	"path/filepath"
	"testing"
)

// TestM57MigrationMovesParentAccountsToTheirChildren applies migration 11
// to the seeded account rules, one of them set by hand meanwhile.
func TestM57MigrationMovesParentAccountsToTheirChildren(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "m11.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.migrateTo(ctx, 10); err != nil {
		t.Fatal(err)
	}
	// A platform administrator chose another account for biens indivis.
	if _, err := db.write.ExecContext(ctx, `UPDATE ledger_accounts SET account = '7788', label = 'à la main'
		WHERE year = 2026 AND instrument = 'biens_indivis' AND counterparty = '*' AND side = 'titre'`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.migrateTo(ctx, 11); err != nil {
		t.Fatal(err)
	}
	account := func(instrument, counterparty, side string) string {
		t.Helper()
		var a string
		err := db.write.QueryRowContext(ctx, `SELECT account FROM ledger_accounts WHERE year = 2026 AND instrument = ?
			AND counterparty = ? AND side = ?`, instrument, counterparty, side).Scan(&a)
		if err != nil {
			return "none"
		}
		return a
	}
	for _, tc := range []struct{ instrument, counterparty, side, want string }{
		{"equipement_partage", "*", "titre", "74748"},
		{"equipement_partage", "commune_membre", "titre", "74741"},
		{"equipement_partage", "gfp_rattachement", "titre", "74751"},
		{"equipement_partage", "*", "mandat", "657348"},
		{"equipement_partage", "commune_membre", "mandat", "657341"},
		{"equipement_partage", "gfp_rattachement", "mandat", "657351"},
		{"partenariat_evenement", "*", "titre", "74748"},
		{"partenariat_evenement", "*", "mandat", "657348"},
		{"frais_scolarite", "*", "titre", "74748"},
		{"frais_scolarite", "*", "mandat", "6558"},
		{"biens_indivis", "*", "titre", "7788"},              // set by hand: kept
		{"biens_indivis", "commune_membre", "titre", "none"}, // and not split
		{"*", "autre", "titre", "70878"},
		{"*", "autre", "mandat", "62878"},
	} {
		if got := account(tc.instrument, tc.counterparty, tc.side); got != tc.want {
			t.Errorf("%s / %s / %s: got %s want %s", tc.instrument, tc.counterparty, tc.side, got, tc.want)
		}
	}
	var parents int
	if err := db.write.QueryRowContext(ctx, `SELECT COUNT(*) FROM ledger_accounts WHERE account IN ('7474', '65734')`).Scan(&parents); err != nil || parents != 0 {
		t.Fatalf("rules on parent accounts left: %d (%v)", parents, err)
	}
	var label string
	if err := db.write.QueryRowContext(ctx, `SELECT label FROM ledger_accounts WHERE account = '70878' LIMIT 1`).Scan(&label); err != nil || label != "Remboursements de frais par des tiers" {
		t.Fatalf("label of 70878: got %q (%v)", label, err)
	}
}
