package ledger_test

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"voisines/internal/agreement"
	"voisines/internal/auth"
	"voisines/internal/ledger"
	"voisines/internal/money"
	"voisines/internal/store"
	"voisines/internal/store/storetest"
	"voisines/internal/validate"
)

// serviceCommun signs a service commun of the CA Rodez Agglomération (FPU)
// for Rodez and Onet, charged against the attribution de compensation when
// ac is set, whose actual cost is shared in equal parts.
func serviceCommun(t *testing.T, w *world, ac bool) agreement.Record {
	t.Helper()
	return w.sign(t, convention{
		kind: agreement.ServiceCommun, mode: agreement.ActualCostByKey,
		parties: []party{{"agglo", agreement.RoleManager}, {"rodez", agreement.RoleMember}, {"onet", agreement.RoleMember}},
		start:   d("2026-01-01"), end: d("2028-12-31"),
		content: func(w *world, c *agreement.Content) {
			c.ServiceCommun = agreement.ServiceCommunTerms{Tasks: "instruction du droit des sols", ImpactStatement: "fiche-impact.pdf",
				ChargeAgainstAC: ac}
		},
	})
}

var equalKey = &money.Key{Kind: money.KeyEqual, Label: "parts égales"}

func fieldError(t *testing.T, err error, field string) {
	t.Helper()
	errs, ok := validate.As(err)
	if !ok || errs.For(field) == "" {
		t.Fatalf("got %v, want a field error on %s", err, field)
	}
}

func TestSettlementAgainstTheAttributionDeCompensation(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := setup(t, db)
		r := serviceCommun(t, w, true)
		w.terms(t, r, "agglo", ledger.Terms{Object: "Service commun ADS", Key: equalKey, Settlement: ledger.SettleAgainstAC})
		w.clock.set(d("2027-01-15"))
		st := w.issue(t, "agglo", ledger.Request{AgreementID: r.ID, From: d("2026-01-01"), To: d("2026-12-31"),
			CostLines: []money.CostLine{{Label: "Coût du service", Amount: eur(t, "10 000,01"), Eligible: true}}})

		t.Run("the statement keeps the settlement in its frozen inputs", func(t *testing.T) {
			if st.Inputs.Settlement != ledger.SettleAgainstAC {
				t.Fatalf("got settlement %q, want %q", st.Inputs.Settlement, ledger.SettleAgainstAC)
			}
			if err := w.ledger.Recheck(ctx, w.clerk["agglo"], st.ID); err != nil {
				t.Fatal(err)
			}
		})
		fs := w.flows(t, st)
		t.Run("each member commune's flow is marked and takes the AC accounts 739211 / 73211", func(t *testing.T) {
			w.checkFlows(t, fs,
				flowWant{"rodez", "agglo", "5 000,01", "739211", "73211"},
				flowWant{"onet", "agglo", "5 000,00", "739211", "73211"})
			for _, f := range fs {
				if !f.AgainstAC() {
					t.Errorf("flow %d: got settlement %q, want %q", f.ID, f.Settlement, ledger.SettleAgainstAC)
				}
			}
		})
		t.Run("the EPCI's year shows imputations, no titre, and the CSV of titres leaves them out", func(t *testing.T) {
			y, err := w.ledger.Year(ctx, w.clerk["agglo"], w.org["agglo"], 2026)
			if err != nil {
				t.Fatal(err)
			}
			if len(y.Titres) != 0 || y.TotalTitres != 0 || len(y.Imputations) != 2 || y.TotalImputationsCreditor != eur(t, "10 000,01") {
				t.Fatalf("got titres %d (%s), imputations %d (%s), want none and two of 10,000.01",
					len(y.Titres), y.TotalTitres, len(y.Imputations), y.TotalImputationsCreditor)
			}
			if len(y.Conventions) != 1 || y.Conventions[0].ImputationsCreditor != eur(t, "10 000,01") || y.Conventions[0].Titres != 0 {
				t.Errorf("got conventions %+v", y.Conventions)
			}
			var buf bytes.Buffer
			if err := ledger.WriteTitresCSV(&buf, y.Imputations); err != nil {
				t.Fatal(err)
			}
			if lines := strings.Count(buf.String(), "\n"); lines != 1 {
				t.Errorf("got %d CSV lines %q, want the header only", lines, buf.String())
			}
		})
		t.Run("the commune's year shows what its AC is reduced by, no mandat, and the net for information", func(t *testing.T) {
			y, err := w.ledger.Year(ctx, w.clerk["rodez"], w.org["rodez"], 2026)
			if err != nil {
				t.Fatal(err)
			}
			if len(y.Mandats) != 0 || len(y.Imputations) != 1 || y.TotalImputationsDebtor != eur(t, "5 000,01") {
				t.Fatalf("got mandats %d, imputations %+v", len(y.Mandats), y.Imputations)
			}
			if len(y.Partners) != 1 || y.Partners[0].NetInformation != -eur(t, "5 000,01") {
				t.Errorf("got partners %+v, want a net position of −5,000.01", y.Partners)
			}
		})
		t.Run("no titre nor mandat is recorded for an imputation", func(t *testing.T) {
			_, err := w.ledger.RecordDocument(ctx, w.clerk["agglo"], fs[0].ID, ledger.Titre, ledger.Document{Reference: "T-1"})
			fieldError(t, err, "side")
			_, err = w.ledger.RecordDocument(ctx, w.clerk["rodez"], fs[0].ID, ledger.Mandat, ledger.Document{Reference: "M-1"})
			fieldError(t, err, "side")
		})
	})
}

func TestSettlementAgainstACIsRefusedOutsideL5211_4_2(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := setup(t, db)
		ac := ledger.Terms{Key: equalKey, Settlement: ledger.SettleAgainstAC}
		t.Run("a convention other than a service commun", func(t *testing.T) {
			r := gym(t, w)
			_, err := w.ledger.SetTerms(ctx, w.clerk["rodez"], r.ID, 1, ledger.Terms{Settlement: ledger.SettleAgainstAC,
				UnitPrice: &ledger.UnitPriceTerms{Rule: money.UnitPrice{UnitCost: rat(t, "26"), Rounding: money.RoundHalfUp}}})
			fieldError(t, err, "terms.settlement")
		})
		t.Run("a service commun that does not provide for it", func(t *testing.T) {
			r := serviceCommun(t, w, false)
			_, err := w.ledger.SetTerms(ctx, w.clerk["agglo"], r.ID, 0, ac)
			fieldError(t, err, "terms.settlement")
			if _, err := w.ledger.SetTerms(ctx, w.clerk["agglo"], r.ID, 0, ledger.Terms{Key: equalKey}); err != nil {
				t.Fatalf("the same terms settled by titre: %v", err)
			}
		})
		t.Run("an EPCI without the fiscalité professionnelle unique", func(t *testing.T) {
			if _, err := db.Raw().ExecContext(ctx, `UPDATE epcis SET financing = 'FA' WHERE siren = '241200567'`); err != nil {
				t.Fatal(err)
			}
			r, err := w.agr.Create(ctx, w.clerk["ccmillau"], agreement.Input{Kind: agreement.ServiceCommun,
				Content: agreement.Content{Title: "Service commun", Financial: agreement.Financial{Mode: agreement.ActualCostByKey},
					Term:          agreement.Term{Start: d("2026-01-01"), End: d("2026-12-31")},
					ServiceCommun: agreement.ServiceCommunTerms{Tasks: "paie", ChargeAgainstAC: true}},
				Parties: []agreement.PartyInput{{OrgID: w.org["ccmillau"], Role: agreement.RoleManager}, {OrgID: w.org["millau"], Role: agreement.RoleMember}}})
			if err != nil {
				t.Fatal(err)
			}
			_, err = w.ledger.SetTerms(ctx, w.clerk["ccmillau"], r.ID, 0, ac)
			fieldError(t, err, "terms.settlement")
			if !strings.Contains(err.Error(), "fiscalité professionnelle unique") {
				t.Errorf("got %v, want the FPU named", err)
			}
		})
		t.Run("an unknown settlement", func(t *testing.T) {
			r := serviceCommun(t, w, true)
			_, err := w.ledger.SetTerms(ctx, w.clerk["agglo"], r.ID, 0, ledger.Terms{Key: equalKey, Settlement: "compensation"})
			fieldError(t, err, "terms.settlement")
		})
	})
}

func TestACorrectionNeverMakesARecordedTitreDisappear(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := setup(t, db)
		r := gym(t, w)
		w.use(t, r, "rodez", "onet", d("2026-03-02"), "hour", "", "300")
		w.clock.set(d("2026-07-02"))
		req := ledger.Request{AgreementID: r.ID, From: d("2026-01-01"), To: d("2026-06-30"), Label: "S1 2026"}
		first := w.issue(t, "rodez", req)
		old := w.flows(t, first)[0]
		if _, err := w.ledger.RecordDocument(ctx, w.clerk["rodez"], old.ID, ledger.Titre, ledger.Document{Reference: "T-2026-12", Date: d("2026-07-03")}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.ledger.RecordDocument(ctx, w.clerk["onet"], old.ID, ledger.Mandat, ledger.Document{Reference: "M-2026-88", Date: d("2026-07-10")}); err != nil {
			t.Fatal(err)
		}
		t.Run("a cancellation of a current flow is refused", func(t *testing.T) {
			_, err := w.ledger.RecordDocument(ctx, w.clerk["rodez"], old.ID, ledger.TitreCancel, ledger.Document{Reference: "A-1"})
			fieldError(t, err, "side")
		})
		w.use(t, r, "rodez", "onet", d("2026-06-29"), "hour", "", "12")
		second, err := w.ledger.Correct(ctx, w.clerk["rodez"], first.ID, req, "réservation oubliée")
		if err != nil {
			t.Fatal(err)
		}
		year := func(t *testing.T, who string) ledger.Year {
			t.Helper()
			y, err := w.ledger.Year(ctx, w.clerk[who], w.org[who], 2026)
			if err != nil {
				t.Fatal(err)
			}
			return y
		}
		t.Run("the creditor's year lists the replaced titre to cancel beside the new one to issue", func(t *testing.T) {
			y := year(t, "rodez")
			if len(y.TitresToCancel) != 1 || y.TitresToCancel[0].ID != old.ID || y.TitresToCancel[0].Titre.Reference != "T-2026-12" ||
				y.TitresToCancel[0].SupersededBy != second.ID {
				t.Fatalf("got titres to cancel %+v, want flow %d with T-2026-12, replaced by %d", y.TitresToCancel, old.ID, second.ID)
			}
			if len(y.Titres) != 1 || y.Titres[0].Amount != eur(t, "8 112,00") || y.TotalTitres != eur(t, "8 112,00") {
				t.Errorf("got titres %+v, want the correction's 8,112.00 gross, not a difference", y.Titres)
			}
			if len(y.MandatsToCancel) != 0 {
				t.Errorf("got mandats to cancel in the creditor's year: %+v", y.MandatsToCancel)
			}
		})
		t.Run("the debtor's year lists its mandat to cancel", func(t *testing.T) {
			y := year(t, "onet")
			if len(y.MandatsToCancel) != 1 || y.MandatsToCancel[0].Mandat.Reference != "M-2026-88" || len(y.TitresToCancel) != 0 {
				t.Fatalf("got mandats to cancel %+v, titres to cancel %+v", y.MandatsToCancel, y.TitresToCancel)
			}
		})
		t.Run("the replaced flow takes no new titre", func(t *testing.T) {
			_, err := w.ledger.RecordDocument(ctx, w.clerk["rodez"], old.ID, ledger.Titre, ledger.Document{Reference: "T-2"})
			fieldError(t, err, "side")
		})
		t.Run("only the creditor records the titre d'annulation, only the debtor the mandat's", func(t *testing.T) {
			_, err := w.ledger.RecordDocument(ctx, w.clerk["onet"], old.ID, ledger.TitreCancel, ledger.Document{Reference: "A-1"})
			mustErr(t, err, auth.ErrForbidden, "")
			_, err = w.ledger.RecordDocument(ctx, w.clerk["rodez"], old.ID, ledger.MandatCancel, ledger.Document{Reference: "A-1"})
			mustErr(t, err, auth.ErrForbidden, "")
			_, err = w.ledger.RecordDocument(ctx, w.clerk["millau"], old.ID, ledger.TitreCancel, ledger.Document{Reference: "A-1"})
			mustErr(t, err, store.ErrNotFound, "")
		})
		t.Run("once recorded, the cancellation leaves the list and stays on the flow", func(t *testing.T) {
			f, err := w.ledger.RecordDocument(ctx, w.clerk["rodez"], old.ID, ledger.TitreCancel, ledger.Document{Reference: "TA-2026-3", Date: d("2026-07-21")})
			if err != nil {
				t.Fatal(err)
			}
			if f.TitreCancellation == nil || f.TitreCancellation.Reference != "TA-2026-3" || f.TitreCancellation.Account != old.TitreAccount {
				t.Errorf("got cancellation %+v, want TA-2026-3 on %s", f.TitreCancellation, old.TitreAccount)
			}
			if y := year(t, "rodez"); len(y.TitresToCancel) != 0 {
				t.Errorf("got titres to cancel %+v, want none", y.TitresToCancel)
			}
			if y := year(t, "onet"); len(y.MandatsToCancel) != 1 {
				t.Errorf("the debtor's mandat is still to cancel: got %+v", y.MandatsToCancel)
			}
			got, err := w.ledger.Flow(ctx, w.clerk["onet"], old.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Titre == nil || got.TitreCancellation == nil || got.Amount != old.Amount {
				t.Errorf("got flow %+v, want its titre, its cancellation and its amount kept", got)
			}
		})
	})
}

func TestTheHistoryOfAStatementSaysWhoDidWhat(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := setup(t, db)
		r := gym(t, w)
		w.use(t, r, "rodez", "onet", d("2026-03-02"), "hour", "", "10")
		w.clock.set(d("2026-07-02"))
		req := ledger.Request{AgreementID: r.ID, From: d("2026-01-01"), To: d("2026-06-30")}
		dr, err := w.ledger.Draft(ctx, w.clerk["rodez"], req)
		if err != nil {
			t.Fatal(err)
		}
		if dr, err = w.ledger.Recompute(ctx, w.clerk["rodez"], dr.ID); err != nil {
			t.Fatal(err)
		}
		st, err := w.ledger.Issue(ctx, w.clerk["rodez"], dr.ID)
		if err != nil {
			t.Fatal(err)
		}
		v2, err := w.ledger.Correct(ctx, w.admin, st.ID, req, "erreur de saisie")
		if err != nil {
			t.Fatal(err)
		}
		gone, err := w.ledger.Draft(ctx, w.clerk["rodez"], ledger.Request{AgreementID: r.ID, From: d("2026-07-01"), To: d("2026-07-31")})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.ledger.DeleteDraft(ctx, w.clerk["rodez"], gone.ID); err != nil {
			t.Fatal(err)
		}
		evs, err := w.ledger.History(ctx, w.clerk["onet"], st.ID)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range evs {
			got = append(got, e.Action+" "+e.Actor)
		}
		want := []string{"ledger.draft.create finances@rodez.test", "ledger.draft.recompute finances@rodez.test",
			"ledger.statement.issue finances@rodez.test", "ledger.statement.correct admin@voisines.test"}
		if !slices.Equal(got, want) {
			t.Fatalf("got history %q, want %q", got, want)
		}
		if evs[3].StatementID != v2.ID {
			t.Errorf("got the correction on statement %d, want %d", evs[3].StatementID, v2.ID)
		}
		var deleted int
		if err := db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = 'ledger.draft.delete'`).Scan(&deleted); err != nil {
			t.Fatal(err)
		}
		if deleted != 1 {
			t.Errorf("got %d deletions in the audit log, want 1", deleted)
		}
		if _, err := w.ledger.History(ctx, w.clerk["millau"], st.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a stranger reading the history: got %v, want not found", err)
		}
	})
}

func TestTheAccountTableOfAYearIsReplacedWhole(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := setup(t, db)
		t.Run("a year without rows shows those in force and creates its own from them", func(t *testing.T) {
			tb, err := w.ledger.AccountTable(ctx, 2027)
			if err != nil {
				t.Fatal(err)
			}
			if tb.Own() || tb.InForce != 2026 || len(tb.Rules) < 20 {
				t.Fatalf("got table in force %d with %d rules, want 2026's", tb.InForce, len(tb.Rules))
			}
			rules := slices.Clone(tb.Rules)
			rules[0].Account, rules[0].Label = "7087", "Remboursements de frais"
			got, err := w.ledger.SetAccounts(ctx, w.admin, 2027, tb.Version, rules)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Own() || len(got.Rules) != len(rules) || got.Version == tb.Version {
				t.Fatalf("got %+v, want 2027's own %d rules", got, len(rules))
			}
			in2028, err := w.ledger.Accounts(ctx, 2028)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.ContainsFunc(in2028, func(r ledger.AccountRule) bool { return r.Year == 2027 && r.Account == "7087" }) {
				t.Errorf("2028 does not use 2027's edited row: %+v", in2028[:2])
			}
			before, _ := w.ledger.Accounts(ctx, 2026)
			if slices.ContainsFunc(before, func(r ledger.AccountRule) bool { return r.Account == "7087" }) {
				t.Errorf("2026's table changed")
			}
		})
		t.Run("an edit from a stale version is a conflict", func(t *testing.T) {
			_, err := w.ledger.SetAccounts(ctx, w.admin, 2027, "0000", nil)
			mustErr(t, err, store.ErrConflict, "")
		})
		t.Run("only a platform admin may", func(t *testing.T) {
			tb, _ := w.ledger.AccountTable(ctx, 2027)
			_, err := w.ledger.SetAccounts(ctx, w.clerk["rodez"], 2027, tb.Version, tb.Rules)
			mustErr(t, err, auth.ErrForbidden, "")
		})
		t.Run("rows are checked one by one and never twice", func(t *testing.T) {
			tb, _ := w.ledger.AccountTable(ctx, 2027)
			bad := []ledger.AccountRule{
				{Instrument: "*", Counterparty: ledger.Autre, Side: ledger.Titre, Account: "70878"},
				{Instrument: "*", Counterparty: ledger.Autre, Side: ledger.Titre, Account: "7O878"},
				{Instrument: "gymnase", Counterparty: "voisin", Side: "avoir", Account: "1"},
			}
			_, err := w.ledger.SetAccounts(ctx, w.admin, 2027, tb.Version, bad)
			errs, ok := validate.As(err)
			if !ok {
				t.Fatalf("got %v, want field errors", err)
			}
			for _, f := range []string{"rules[1].account", "rules[1].instrument", "rules[2].instrument", "rules[2].counterparty", "rules[2].side"} {
				if errs.For(f) == "" {
					t.Errorf("no error on %s in %v", f, errs)
				}
			}
		})
	})
}
