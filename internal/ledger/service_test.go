package ledger_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"testing"

	"voisines/internal/agreement"
	"voisines/internal/agreement/agreementtest"
	"voisines/internal/auth"
	"voisines/internal/ledger"
	"voisines/internal/money"
	"voisines/internal/store"
	"voisines/internal/store/storetest"
	"voisines/internal/validate"
)

// gym signs a shared-gym convention (Rodez owns, Onet uses) with its
// terms, 26.00 an hour, and returns it.
func gym(t *testing.T, w *world) agreement.Record {
	t.Helper()
	r := w.sign(t, convention{
		kind: agreement.EquipementPartage, mode: agreement.UnitPrice,
		parties: []party{{"rodez", agreement.RoleOwner}, {"onet", agreement.RoleUser}},
		start:   d("2026-01-01"), end: d("2026-12-31"),
		content: func(w *world, c *agreement.Content) {
			c.Equipment = agreement.EquipmentTerms{Equipment: "gymnase", FirstUse: d("2025-12-01")}
		},
	})
	w.terms(t, r, "rodez", ledger.Terms{
		Object: "Participation aux frais du gymnase", UsageUnit: "hour",
		UnitPrice: &ledger.UnitPriceTerms{Rule: money.UnitPrice{UnitCost: rat(t, "26"), Unit: "heure", Rounding: money.RoundHalfUp}},
	})
	return r
}

func TestIssuingThenCorrectingKeepsBothVersionsAndTheAuditSaysWho(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := setup(t, db)
		r := gym(t, w)
		w.use(t, r, "rodez", "onet", d("2026-03-02"), "hour", "", "300")
		w.clock.set(d("2026-07-02"))
		first := w.issue(t, "rodez", ledger.Request{AgreementID: r.ID, From: d("2026-01-01"), To: d("2026-06-30"), Label: "S1 2026"})

		// A forgotten booking turns up: 12 more hours.
		w.use(t, r, "rodez", "onet", d("2026-06-29"), "hour", "", "12")
		w.clock.set(d("2026-07-20"))
		second, err := w.ledger.Correct(ctx, w.clerk["rodez"], first.ID,
			ledger.Request{From: d("2026-01-01"), To: d("2026-06-30"), Label: "S1 2026"}, "réservation du 29 juin oubliée")
		if err != nil {
			t.Fatal(err)
		}
		t.Run("the correction is version 2 of the same statement and references version 1", func(t *testing.T) {
			if second.Number != first.Number || second.Version != 2 || second.Corrects != first.ID || second.Status != ledger.Issued {
				t.Fatalf("got number %d version %d corrects %d status %s, want number %d version 2 correcting %d, issued",
					second.Number, second.Version, second.Corrects, second.Status, first.Number, first.ID)
			}
			w.checkLines(t, second, want{"onet", "8 112,00"})
		})
		t.Run("both versions are kept, the first frozen as issued and no longer current", func(t *testing.T) {
			all, err := w.ledger.Statements(ctx, w.clerk["onet"], r.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(all) != 2 {
				t.Fatalf("got %d statements, want 2", len(all))
			}
			old := all[0]
			if old.ID != first.ID || old.Current() || old.SupersededBy != second.ID || old.InputsSHA256 != first.InputsSHA256 ||
				old.Result.Lines[0].Amount != eur(t, "7 800,00") {
				t.Errorf("got first version %+v, want it unchanged (7,800.00), superseded by %d", old, second.ID)
			}
			if !all[1].Current() {
				t.Errorf("got the correction not current")
			}
			for _, st := range all {
				if err := w.ledger.Recheck(ctx, w.clerk["onet"], st.ID); err != nil {
					t.Errorf("recheck of version %d: %v", st.Version, err)
				}
			}
		})
		t.Run("only the correction's flow counts in the year", func(t *testing.T) {
			y, err := w.ledger.Year(ctx, w.clerk["onet"], w.org["onet"], 2026)
			if err != nil {
				t.Fatal(err)
			}
			if len(y.Mandats) != 1 || y.Mandats[0].Amount != eur(t, "8 112,00") || y.Mandats[0].StatementID != second.ID {
				t.Fatalf("got mandats %+v, want the correction's 8,112.00 only", y.Mandats)
			}
			old := w.flows(t, first)
			if len(old) != 1 || old[0].Current {
				t.Errorf("got the first version's flows %+v, want one, not current", old)
			}
		})
		t.Run("the audit log shows who issued and who corrected, and why", func(t *testing.T) {
			rows, err := db.Reader().QueryContext(ctx, `SELECT actor, action, entity_id, detail FROM audit_log
				WHERE action LIKE 'ledger.statement.%' ORDER BY id`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			type entry struct{ actor, action, id, detail string }
			var got []entry
			for rows.Next() {
				var e entry
				if err := rows.Scan(&e.actor, &e.action, &e.id, &e.detail); err != nil {
					t.Fatal(err)
				}
				got = append(got, e)
			}
			if len(got) != 2 || got[0].action != "ledger.statement.issue" || got[1].action != "ledger.statement.correct" ||
				got[0].actor != "finances@rodez.test" || got[1].actor != "finances@rodez.test" {
				t.Fatalf("got audit %+v, want issue then correct by finances@rodez.test", got)
			}
			var detail struct {
				Reason   string         `json:"reason"`
				Corrects map[string]any `json:"corrects"`
			}
			if err := json.Unmarshal([]byte(got[1].detail), &detail); err != nil {
				t.Fatal(err)
			}
			if detail.Reason != "réservation du 29 juin oubliée" || detail.Corrects["total"] != "7800.00" {
				t.Errorf("got correction detail %s, want the reason and the corrected total", got[1].detail)
			}
		})
		t.Run("a superseded version cannot be corrected again", func(t *testing.T) {
			_, err := w.ledger.Correct(ctx, w.clerk["rodez"], first.ID, ledger.Request{From: d("2026-01-01"), To: d("2026-06-30")}, "encore")
			if _, ok := validate.As(err); !ok {
				t.Fatalf("got %v, want a refusal", err)
			}
		})
	})
}

func TestWhoMayReadComputeAndIssue(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := setup(t, db)
		r := gym(t, w)
		w.use(t, r, "rodez", "onet", d("2026-03-02"), "hour", "", "10")
		w.clock.set(d("2026-07-02"))
		req := ledger.Request{AgreementID: r.ID, From: d("2026-01-01"), To: d("2026-06-30")}
		st := w.issue(t, "rodez", req)
		anonymous := auth.Actor{}
		for _, c := range []struct {
			name  string
			actor auth.Actor
			read  error // reading the statement
			draft error // drafting a statement
		}{
			{"the creditor reads and drafts", w.clerk["rodez"], nil, nil},
			{"the debtor reads but may not draft", w.clerk["onet"], nil, auth.ErrForbidden},
			{"a commune outside the convention does not see it", w.clerk["millau"], store.ErrNotFound, store.ErrNotFound},
			{"an anonymous visitor is asked to log in", anonymous, auth.ErrUnauthenticated, auth.ErrUnauthenticated},
			{"a platform admin reads and drafts", w.admin, nil, nil},
		} {
			t.Run(c.name, func(t *testing.T) {
				_, err := w.ledger.Statement(ctx, c.actor, st.ID)
				if !errors.Is(err, c.read) && !(c.read == nil && err == nil) {
					t.Errorf("read: got %v, want %v", err, c.read)
				}
				_, err = w.ledger.Flows(ctx, c.actor, st.ID)
				if !errors.Is(err, c.read) && !(c.read == nil && err == nil) {
					t.Errorf("flows: got %v, want %v", err, c.read)
				}
				_, err = w.ledger.Terms(ctx, c.actor, r.ID)
				if !errors.Is(err, c.read) && !(c.read == nil && err == nil) {
					t.Errorf("terms: got %v, want %v", err, c.read)
				}
				dr, err := w.ledger.Draft(ctx, c.actor, ledger.Request{AgreementID: r.ID, From: d("2026-07-01"), To: d("2026-12-31")})
				if !errors.Is(err, c.draft) && !(c.draft == nil && err == nil) {
					t.Errorf("draft: got %v, want %v", err, c.draft)
				}
				if err == nil {
					if err := w.ledger.DeleteDraft(ctx, c.actor, dr.ID); err != nil {
						t.Errorf("delete draft: %v", err)
					}
				}
			})
		}
		t.Run("the debtor may not set the terms it pays under", func(t *testing.T) {
			_, err := w.ledger.SetTerms(ctx, w.clerk["onet"], r.ID, 1, ledger.Terms{
				UnitPrice: &ledger.UnitPriceTerms{Rule: money.UnitPrice{UnitCost: rat(t, "1"), Rounding: money.RoundHalfUp}}})
			mustErr(t, err, auth.ErrForbidden, "")
		})
		t.Run("the debtor records its mandat, not the creditor's titre", func(t *testing.T) {
			fs := w.flows(t, st)
			_, err := w.ledger.RecordDocument(ctx, w.clerk["onet"], fs[0].ID, ledger.Titre, ledger.Document{Reference: "T-1"})
			mustErr(t, err, auth.ErrForbidden, "")
			f, err := w.ledger.RecordDocument(ctx, w.clerk["onet"], fs[0].ID, ledger.Mandat, ledger.Document{Reference: "M-2026-118", Date: d("2026-07-15")})
			if err != nil {
				t.Fatal(err)
			}
			if f.Mandat == nil || f.Mandat.Reference != "M-2026-118" || f.Mandat.Account != "657348" {
				t.Errorf("got mandat %+v, want M-2026-118 on the suggested 657348", f.Mandat)
			}
			f, err = w.ledger.RecordDocument(ctx, w.clerk["rodez"], fs[0].ID, ledger.Titre, ledger.Document{Reference: "T-2026-431", Account: "70878"})
			if err != nil {
				t.Fatal(err)
			}
			if f.Titre == nil || f.Titre.Account != "70878" || f.Mandat == nil {
				t.Errorf("got titre %+v and mandat %+v, want the titre on 70878 and the mandat kept", f.Titre, f.Mandat)
			}
		})
		t.Run("only a platform admin edits the account mapping", func(t *testing.T) {
			rule := ledger.AccountRule{Year: 2027, Instrument: string(agreement.EquipementPartage), Counterparty: ledger.AnyRelation,
				Side: ledger.Titre, Account: "70878", Label: "Remboursements de frais"}
			mustErr(t, w.ledger.SetAccount(ctx, w.clerk["rodez"], rule), auth.ErrForbidden, "")
			if err := w.ledger.SetAccount(ctx, w.admin, rule); err != nil {
				t.Fatal(err)
			}
			rules, err := w.ledger.Accounts(ctx, 2028)
			if err != nil {
				t.Fatal(err)
			}
			if len(rules) != 1 || rules[0].Account != "70878" {
				t.Errorf("got the 2028 mapping %+v, want the one 2027 row", rules)
			}
		})
	})
}

// TestADraftIsTheCreditorsWorkInProgress: a draft shows, in the list and
// by id, only to those who may write for the organisation that drafts it
// (the creditor) and to platform admins; to the other parties it does not
// exist (store.ErrNotFound) until it is issued, when every party sees it.
func TestADraftIsTheCreditorsWorkInProgress(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := setup(t, db)
		r := gym(t, w)
		w.use(t, r, "rodez", "onet", d("2026-03-02"), "hour", "", "10")
		w.clock.set(d("2026-07-02"))
		dr, err := w.ledger.Draft(ctx, w.clerk["rodez"], ledger.Request{AgreementID: r.ID, From: d("2026-01-01"), To: d("2026-06-30")})
		if err != nil {
			t.Fatal(err)
		}
		readonly := agreementtest.User(t, db, "lecture@rodez.test", false, auth.Grant{OrgID: w.org["rodez"], Role: auth.RoleReadOnly})
		onetAdmin := agreementtest.User(t, db, "admin@onet.test", false, auth.Grant{OrgID: w.org["onet"], Role: auth.RoleAdmin})
		// sees reports whether actor finds statement id in the list and by
		// id (its flows and history too), failing when the faces disagree.
		sees := func(t *testing.T, actor auth.Actor, id int64) bool {
			t.Helper()
			all, err := w.ledger.Statements(ctx, actor, r.ID)
			if err != nil {
				t.Fatalf("statements: %v", err)
			}
			listed := slices.ContainsFunc(all, func(st ledger.Statement) bool { return st.ID == id })
			_, err = w.ledger.Statement(ctx, actor, id)
			byID := err == nil
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("statement %d: got %v, want it or store.ErrNotFound", id, err)
			}
			for name, op := range map[string]func() error{
				"flows":   func() error { _, err := w.ledger.Flows(ctx, actor, id); return err },
				"history": func() error { _, err := w.ledger.History(ctx, actor, id); return err },
			} {
				if err := op(); (err == nil) != byID || err != nil && !errors.Is(err, store.ErrNotFound) {
					t.Errorf("%s of %d: got %v, want the same answer as by id (seen: %t)", name, id, err, byID)
				}
			}
			if listed != byID {
				t.Errorf("statement %d: listed %t but read by id %t, want the same", id, listed, byID)
			}
			return byID
		}
		for _, c := range []struct {
			name  string
			actor auth.Actor
			want  bool
		}{
			{"the creditor's clerk, who drafted it, sees the draft", w.clerk["rodez"], true},
			{"a platform admin sees the draft", w.admin, true},
			{"the debtor's clerk does not see it", w.clerk["onet"], false},
			{"not even the debtor's admin", onetAdmin, false},
			{"a read-only user of the creditor does not see it either", readonly, false},
		} {
			t.Run(c.name, func(t *testing.T) {
				if got := sees(t, c.actor, dr.ID); got != c.want {
					t.Errorf("got seen %t, want %t", got, c.want)
				}
			})
		}
		t.Run("the debtor is told nothing of it when it tries to issue or delete it", func(t *testing.T) {
			_, err := w.ledger.Issue(ctx, w.clerk["onet"], dr.ID)
			mustErr(t, err, store.ErrNotFound, "")
			mustErr(t, w.ledger.DeleteDraft(ctx, w.clerk["onet"], dr.ID), store.ErrNotFound, "")
		})
		if _, err := w.ledger.Issue(ctx, w.clerk["rodez"], dr.ID); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name  string
			actor auth.Actor
		}{
			{"once issued, the creditor sees it", w.clerk["rodez"]},
			{"once issued, the debtor sees it", w.clerk["onet"]},
			{"once issued, a read-only user of the creditor sees it", readonly},
		} {
			t.Run(c.name, func(t *testing.T) {
				if !sees(t, c.actor, dr.ID) {
					t.Error("got it hidden, want it seen")
				}
			})
		}
		t.Run("a commune outside the convention sees neither the list nor the statement", func(t *testing.T) {
			_, err := w.ledger.Statements(ctx, w.clerk["millau"], r.ID)
			mustErr(t, err, store.ErrNotFound, "")
			_, err = w.ledger.Statement(ctx, w.clerk["millau"], dr.ID)
			mustErr(t, err, store.ErrNotFound, "")
		})
	})
}

func TestADraftIsIssuedOnlyAsComputed(t *testing.T) {
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
		w.use(t, r, "rodez", "onet", d("2026-03-03"), "hour", "", "2")
		t.Run("new usage since the draft makes issuing it a conflict", func(t *testing.T) {
			_, err := w.ledger.Issue(ctx, w.clerk["rodez"], dr.ID)
			mustErr(t, err, store.ErrConflict, "recalculez")
		})
		t.Run("recomputed, it is issued with the new usage", func(t *testing.T) {
			dr, err = w.ledger.Recompute(ctx, w.clerk["rodez"], dr.ID)
			if err != nil {
				t.Fatal(err)
			}
			st, err := w.ledger.Issue(ctx, w.clerk["rodez"], dr.ID)
			if err != nil {
				t.Fatal(err)
			}
			w.checkLines(t, st, want{"onet", "312,00"})
		})
		t.Run("a second statement over an overlapping period is refused", func(t *testing.T) {
			dr, err := w.ledger.Draft(ctx, w.clerk["rodez"], ledger.Request{AgreementID: r.ID, From: d("2026-06-01"), To: d("2026-07-31")})
			if err != nil {
				t.Fatal(err)
			}
			_, err = w.ledger.Issue(ctx, w.clerk["rodez"], dr.ID)
			mustErr(t, err, store.ErrConflict, "corrigez")
		})
		t.Run("an issued statement is not a draft any more", func(t *testing.T) {
			all, _ := w.ledger.Statements(ctx, w.clerk["rodez"], r.ID)
			for _, st := range all {
				if st.Status == ledger.Issued {
					if err := w.ledger.DeleteDraft(ctx, w.clerk["rodez"], st.ID); err == nil {
						t.Error("got an issued statement deleted")
					}
					if _, err := w.ledger.Recompute(ctx, w.clerk["rodez"], st.ID); err == nil {
						t.Error("got an issued statement recomputed")
					}
				}
			}
		})
	})
}

func TestStatementsAreRefusedOutsideTheRules(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := setup(t, db)
		r := gym(t, w)
		draft, err := w.agr.Create(ctx, w.clerk["rodez"], agreement.Input{Kind: agreement.EquipementPartage,
			Content: agreement.Content{Title: "Brouillon", Financial: agreement.Financial{Mode: agreement.UnitPrice},
				Term: agreement.Term{Start: d("2027-01-01"), End: d("2027-12-31")}, Equipment: agreement.EquipmentTerms{Equipment: "stade"}},
			Parties: []agreement.PartyInput{{OrgID: w.org["rodez"], Role: agreement.RoleOwner}, {OrgID: w.org["onet"], Role: agreement.RoleUser}}})
		if err != nil {
			t.Fatal(err)
		}
		w.terms(t, draft, "rodez", ledger.Terms{UnitPrice: &ledger.UnitPriceTerms{Rule: money.UnitPrice{UnitCost: rat(t, "10"), Rounding: money.RoundHalfUp}}})
		for _, c := range []struct {
			name  string
			req   ledger.Request
			field string
		}{
			{"a period that ends before it starts", ledger.Request{AgreementID: r.ID, From: d("2026-06-30"), To: d("2026-01-01")}, "to"},
			{"a period before the convention", ledger.Request{AgreementID: r.ID, From: d("2025-12-01"), To: d("2025-12-31")}, "from"},
			{"a period after the convention", ledger.Request{AgreementID: r.ID, From: d("2026-12-01"), To: d("2027-01-31")}, "to"},
			{"units of an organisation that owes nothing", ledger.Request{AgreementID: r.ID, From: d("2026-01-01"), To: d("2026-01-31"),
				Units: []ledger.UnitEntry{{Party: 999999, Units: money.IntRat(1)}}}, "units[0].party"},
			{"a call for funds under a unit price", ledger.Request{AgreementID: r.ID, From: d("2026-01-01"), To: d("2026-01-31"), Call: 1}, "call"},
		} {
			t.Run(c.name+" is refused", func(t *testing.T) {
				_, err := w.ledger.Compute(ctx, w.clerk["rodez"], c.req)
				errs, ok := validate.As(err)
				if !ok || errs.For(c.field) == "" {
					t.Fatalf("got %v, want a field error on %s", err, c.field)
				}
			})
		}
		t.Run("a convention not yet concluded is computed but not issued", func(t *testing.T) {
			st, err := w.ledger.Draft(ctx, w.clerk["rodez"], ledger.Request{AgreementID: draft.ID, From: d("2027-01-01"), To: d("2027-01-31"),
				Units: []ledger.UnitEntry{{Party: w.org["onet"], Units: money.IntRat(3)}}})
			if err != nil {
				t.Fatal(err)
			}
			w.checkLines(t, st, want{"onet", "30,00"})
			_, err = w.ledger.Issue(ctx, w.clerk["rodez"], st.ID)
			if errs, ok := validate.As(err); !ok || errs.For("agreement") == "" {
				t.Fatalf("got %v, want a refusal naming the convention's status", err)
			}
		})
		t.Run("terms in another mode than the convention's are refused", func(t *testing.T) {
			_, err := w.ledger.SetTerms(ctx, w.clerk["rodez"], r.ID, 1, ledger.Terms{Mode: agreement.FixedPrice,
				Fixed: []ledger.FixedLine{{Party: w.org["onet"], Amount: 100}}})
			if errs, ok := validate.As(err); !ok || errs.For("terms.mode") == "" {
				t.Fatalf("got %v, want a field error on terms.mode", err)
			}
		})
		t.Run("terms edited from a stale version are a conflict", func(t *testing.T) {
			_, err := w.ledger.SetTerms(ctx, w.clerk["rodez"], r.ID, 7, ledger.Terms{
				UnitPrice: &ledger.UnitPriceTerms{Rule: money.UnitPrice{UnitCost: rat(t, "27"), Rounding: money.RoundHalfUp}}})
			mustErr(t, err, store.ErrConflict, "")
		})
	})
}

func TestTheYearComparesWithTheStatedCostOfDoingItAlone(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := setup(t, db)
		r := gym(t, w)
		w.use(t, r, "rodez", "onet", d("2026-03-02"), "hour", "", "312")
		w.clock.set(d("2027-01-05"))
		w.issue(t, "rodez", ledger.Request{AgreementID: r.ID, From: d("2026-01-01"), To: d("2026-12-31")})
		err := w.ledger.SetStandalone(ctx, w.clerk["onet"], ledger.Standalone{AgreementID: r.ID, OrgID: w.org["onet"], Year: 2026,
			Cost: eur(t, "19 500,00"), Note: "location d'un gymnase privé, 312 h à 62,50 €"})
		if err != nil {
			t.Fatal(err)
		}
		t.Run("a commune outside the convention cannot state a cost for it", func(t *testing.T) {
			err := w.ledger.SetStandalone(ctx, w.clerk["millau"], ledger.Standalone{AgreementID: r.ID, OrgID: w.org["millau"], Year: 2026, Cost: 1})
			mustErr(t, err, store.ErrNotFound, "")
		})
		y, err := w.ledger.Year(ctx, w.clerk["onet"], w.org["onet"], 2026)
		if err != nil {
			t.Fatal(err)
		}
		t.Run("the user saves 19,500.00 − 8,112.00 = 11,388.00, for information", func(t *testing.T) {
			if len(y.Conventions) != 1 {
				t.Fatalf("got %d conventions, want 1", len(y.Conventions))
			}
			c := y.Conventions[0]
			if c.Mandats != eur(t, "8 112,00") || c.Saving == nil || *c.Saving != eur(t, "11 388,00") || c.Reference != r.Reference {
				t.Fatalf("got %+v, want mandats 8,112.00 and a saving of 11,388.00", c)
			}
		})
		t.Run("another commune's year is not readable", func(t *testing.T) {
			_, err := w.ledger.Year(ctx, w.clerk["millau"], w.org["onet"], 2026)
			mustErr(t, err, auth.ErrForbidden, "")
		})
	})
}

func TestTermsAreWrittenWithTheDraftOrNotAtAll(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := setup(t, db)
		r := gym(t, w)
		w.use(t, r, "rodez", "onet", d("2026-03-02"), "hour", "", "10")
		w.clock.set(d("2026-07-02"))
		clerk := w.clerk["rodez"]
		s1 := ledger.Request{AgreementID: r.ID, From: d("2026-01-01"), To: d("2026-06-30"), Label: "S1 2026"}
		issued := w.issue(t, "rodez", s1)
		draft, err := w.ledger.Draft(ctx, clerk, ledger.Request{AgreementID: r.ID, From: d("2026-07-01"), To: d("2026-09-30"), Label: "T3 2026"})
		if err != nil {
			t.Fatal(err)
		}
		other := gym(t, w)
		// Dearer terms, 30.00 an hour.
		dearer := ledger.Terms{Object: "Participation aux frais du gymnase", UsageUnit: "hour",
			UnitPrice: &ledger.UnitPriceTerms{Rule: money.UnitPrice{UnitCost: rat(t, "30"), Unit: "heure", Rounding: money.RoundHalfUp}}}
		termsSet := func(t *testing.T) int {
			t.Helper()
			var n int
			if err := db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = 'ledger.terms.set'`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		unitCost := func(t *testing.T) (int64, string) {
			t.Helper()
			tr, err := w.ledger.Terms(ctx, clerk, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			return tr.Version, tr.Terms.UnitPrice.Rule.UnitCost.String()
		}
		for _, tc := range []struct {
			name   string
			run    func() (ledger.Statement, error)
			target error
		}{
			{"a draft whose period ends before it starts is refused, with the terms", func() (ledger.Statement, error) {
				return w.ledger.DraftWithTerms(ctx, clerk, 1, dearer, ledger.Request{AgreementID: r.ID, From: d("2026-12-31"), To: d("2026-10-01")})
			}, nil},
			{"a draft given a stale version of the terms is refused", func() (ledger.Statement, error) {
				return w.ledger.DraftWithTerms(ctx, clerk, 7, dearer, ledger.Request{AgreementID: r.ID, From: d("2026-10-01"), To: d("2026-12-31")})
			}, store.ErrConflict},
			{"recomputing an issued statement is refused, with the terms", func() (ledger.Statement, error) {
				return w.ledger.RecomputeWithTerms(ctx, clerk, r.ID, 1, dearer, issued.ID)
			}, nil},
			{"recomputing a statement through another convention is refused, with the terms", func() (ledger.Statement, error) {
				return w.ledger.RecomputeWithTerms(ctx, clerk, other.ID, 1, dearer, draft.ID)
			}, store.ErrNotFound},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := termsSet(t)
				_, err := tc.run()
				if err == nil {
					t.Fatal("got no error, want the operation refused")
				}
				if _, invalid := validate.As(err); tc.target == nil && !invalid || tc.target != nil && !errors.Is(err, tc.target) {
					t.Fatalf("got %v, want a validation error or %v", err, tc.target)
				}
				if v, cost := unitCost(t); v != 1 || cost != "26" {
					t.Errorf("got terms version %d at %s an hour, want version 1 at 26 (unchanged)", v, cost)
				}
				if after := termsSet(t); after != before {
					t.Errorf("got %d ledger.terms.set audit entries, want %d", after, before)
				}
			})
		}
		t.Run("recomputing the draft with the dearer terms writes both", func(t *testing.T) {
			st, err := w.ledger.RecomputeWithTerms(ctx, clerk, r.ID, 1, dearer, draft.ID)
			if err != nil {
				t.Fatal(err)
			}
			if v, cost := unitCost(t); v != 2 || cost != "30" {
				t.Errorf("got terms version %d at %s an hour, want version 2 at 30", v, cost)
			}
			if st.ID != draft.ID || st.Status != ledger.Draft {
				t.Errorf("got statement %d (%s), want draft %d recomputed", st.ID, st.Status, draft.ID)
			}
		})
		t.Run("drafting with the terms writes both, audited as the two operations", func(t *testing.T) {
			before := termsSet(t)
			w.use(t, r, "rodez", "onet", d("2026-10-05"), "hour", "", "2")
			st, err := w.ledger.DraftWithTerms(ctx, clerk, 2, dearer, ledger.Request{AgreementID: r.ID, From: d("2026-10-01"), To: d("2026-12-31"), Label: "T4 2026"})
			if err != nil {
				t.Fatal(err)
			}
			if st.Status != ledger.Draft || st.Result.Total != eur(t, "60,00") {
				t.Errorf("got %s statement of %s, want a draft of 60,00 (2 h at 30)", st.Status, st.Result.Total)
			}
			if v, _ := unitCost(t); v != 3 {
				t.Errorf("got terms version %d, want 3", v)
			}
			if after := termsSet(t); after != before+1 {
				t.Errorf("got %d ledger.terms.set audit entries, want %d", after, before+1)
			}
			var drafts int
			if err := db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = 'ledger.draft.create' AND entity_id = ?`,
				strconv.FormatInt(st.ID, 10)).Scan(&drafts); err != nil {
				t.Fatal(err)
			}
			if drafts != 1 {
				t.Errorf("got %d ledger.draft.create audit entries for the draft, want 1", drafts)
			}
		})
	})
}
