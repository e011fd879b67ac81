package agreement_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"voisines/internal/agreement"
	"voisines/internal/auth"
	"voisines/internal/civil"
	"voisines/internal/store"
	"voisines/internal/store/storetest"
	"voisines/internal/validate"
)

func references(page agreement.Page) []string {
	out := []string{}
	for _, s := range page.Items {
		out = append(out, s.Reference)
	}
	slices.Sort(out)
	return out
}

func TestRegister(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := setup(t, db)
		entente := w.create(t, w.input(agreement.Entente))       // Rodez, Onet, Olemps; 2026-07-01 to 2028-12-31
		prestation := w.create(t, w.input(agreement.Prestation)) // Rodez, Millau
		mad := w.create(t, w.input(agreement.MADServicesDescendante))
		entente = must(t)(w.svc.Submit(ctx, w.clerk["rodez"], entente.ID, entente.Version))

		tests := []struct {
			name  string
			actor auth.Actor
			f     agreement.Filter
			want  []string
		}{
			{"Rodez's clerk sees Rodez's conventions", w.clerk["rodez"], agreement.Filter{}, []string{entente.Reference, prestation.Reference}},
			{"Millau's clerk sees only the one Millau is party to", w.clerk["millau"], agreement.Filter{}, []string{prestation.Reference}},
			{"Olemps's clerk sees its entente and its service", w.clerk["olemps"], agreement.Filter{}, []string{entente.Reference, mad.Reference}},
			{"a platform admin sees every convention", w.admin, agreement.Filter{}, []string{entente.Reference, prestation.Reference, mad.Reference}},
			{"the register of one organisation", w.clerk["rodez"], agreement.Filter{OrgID: w.org["rodez"]}, []string{entente.Reference, prestation.Reference}},
			{"filtered by kind", w.clerk["rodez"], agreement.Filter{Kind: agreement.Prestation}, []string{prestation.Reference}},
			{"filtered by status", w.clerk["rodez"], agreement.Filter{Status: agreement.Submitted}, []string{entente.Reference}},
			{"filtered by partner", w.clerk["rodez"], agreement.Filter{Partner: w.org["millau"]}, []string{prestation.Reference}},
			{"filtered by a year the conventions cover", w.clerk["rodez"], agreement.Filter{Year: 2027}, []string{entente.Reference, prestation.Reference}},
			{"filtered by a year after their end", w.clerk["rodez"], agreement.Filter{Year: 2029}, []string{}},
			{"filtered by a party's name", w.clerk["rodez"], agreement.Filter{Text: "millau"}, []string{prestation.Reference}},
			{"filtered by part of the title", w.clerk["rodez"], agreement.Filter{Text: "ENTENTE"}, []string{entente.Reference}},
			{"filtered by reference", w.clerk["rodez"], agreement.Filter{Text: prestation.Reference}, []string{prestation.Reference}},
			{"a partner outside the actor's conventions adds nothing", w.clerk["millau"], agreement.Filter{Partner: w.org["olemps"]}, []string{}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				page, err := w.svc.List(ctx, tt.actor, tt.f)
				if err != nil {
					t.Fatal(err)
				}
				if got := references(page); !slices.Equal(got, tt.want) || page.Total != len(tt.want) {
					t.Errorf("got %v (total %d), want %v", got, page.Total, tt.want)
				}
			})
		}
		t.Run("a register line names the parties with the role fitted to the kind", func(t *testing.T) {
			page, _ := w.svc.List(ctx, w.clerk["millau"], agreement.Filter{})
			got := page.Items[0]
			want := agreement.PartySummary{OrgID: w.org["millau"], Name: "Millau", Role: agreement.RoleBeneficiary, RoleLabel: "Bénéficiaire"}
			if len(got.Parties) != 2 || got.Parties[1] != want || got.Start != startDay || got.End != endDay {
				t.Errorf("got %+v, want Millau as %+v and the term", got, want)
			}
		})
		t.Run("pages are cut by limit and offset, newest first", func(t *testing.T) {
			page, err := w.svc.List(ctx, w.admin, agreement.Filter{Limit: 2, Offset: 1})
			if err != nil {
				t.Fatal(err)
			}
			if page.Total != 3 || len(page.Items) != 2 || page.Items[0].ID != prestation.ID || page.Items[1].ID != entente.ID {
				t.Errorf("got %+v, want the 2nd and 3rd newest of 3", page)
			}
		})
		t.Run("an unknown status is a validation error", func(t *testing.T) {
			_, err := w.svc.List(ctx, w.clerk["rodez"], agreement.Filter{Status: "archivee"})
			if errs, ok := validate.As(err); !ok || errs.For("status") == "" {
				t.Fatalf("got %v, want a validation error on status", err)
			}
		})
	})
}

func alertKinds(alerts []agreement.OrgAlert, reference string) []agreement.AlertKind {
	var out []agreement.AlertKind
	for _, al := range alerts {
		if al.Reference == reference {
			out = append(out, al.Kind)
		}
	}
	return out
}

func TestAlerts(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := setup(t, db)

		in := w.input(agreement.Entente)
		in.Content.Term.End = civil.MustParse("2026-12-31")
		expiring := w.inForce(t, in)

		// A submitted entente where Rodez and Olemps have deliberated, not Onet.
		pending := w.create(t, w.input(agreement.Entente))
		w.clock.Set(drafted)
		pending = must(t)(w.svc.Submit(ctx, w.clerk["rodez"], pending.ID, pending.Version))
		w.clock.Set(deliberated)
		for i, short := range []string{"rodez", "olemps"} {
			pending = must(t)(w.svc.RecordApproval(ctx, w.clerk[short], pending.ID, pending.Version, agreement.Approval{
				OrgID: w.org[short], Kind: agreement.Deliberation, Number: "2026-01" + string(rune('0'+i)), Date: deliberated, TransmittedOn: deliberated}))
		}

		service := w.inForce(t, w.input(agreement.MADServicesDescendante)) // signed on 1 June 2026

		w.clock.Set(civil.MustParse("2026-11-15"))
		t.Run("a convention ending within the days asked is listed for each party", func(t *testing.T) {
			for _, short := range []string{"rodez", "onet"} {
				alerts, err := w.svc.Alerts(ctx, w.clerk[short], w.org[short], 60)
				if err != nil {
					t.Fatal(err)
				}
				if got := alertKinds(alerts, expiring.Reference); !slices.Equal(got, []agreement.AlertKind{agreement.AlertExpiring}) {
					t.Errorf("%s: got %v, want one expiry alert", short, got)
				}
			}
		})
		t.Run("a convention ending after the days asked is not", func(t *testing.T) {
			alerts, _ := w.svc.Alerts(ctx, w.clerk["rodez"], w.org["rodez"], 30)
			if got := alertKinds(alerts, expiring.Reference); len(got) != 0 {
				t.Errorf("got %v, want none within 30 days", got)
			}
		})
		t.Run("a missing approval is listed for the party that must record it, and only for it", func(t *testing.T) {
			onet, _ := w.svc.Alerts(ctx, w.clerk["onet"], w.org["onet"], 60)
			if got := alertKinds(onet, pending.Reference); !slices.Equal(got, []agreement.AlertKind{agreement.AlertMissingApproval}) {
				t.Errorf("got %v for Onet, want its missing deliberation", got)
			}
			rodez, _ := w.svc.Alerts(ctx, w.clerk["rodez"], w.org["rodez"], 60)
			if got := alertKinds(rodez, pending.Reference); len(got) != 0 {
				t.Errorf("got %v for Rodez, want none: Rodez has deliberated", got)
			}
		})
		t.Run("the unit cost of a service made available is due within three months of signature, for the provider", func(t *testing.T) {
			w.clock.Set(civil.MustParse("2026-08-15"))
			agglo, _ := w.svc.Alerts(ctx, w.clerk["agglo"], w.org["agglo"], 60)
			i := slices.IndexFunc(agglo, func(al agreement.OrgAlert) bool { return al.Reference == service.Reference })
			if i < 0 || agglo[i].Kind != agreement.AlertUnitCost || agglo[i].Due != civil.MustParse("2026-09-01") {
				t.Fatalf("got %+v, want the D5211-16 notice due on 1 September 2026", agglo)
			}
			druelle, _ := w.svc.Alerts(ctx, w.clerk["druelle"], w.org["druelle"], 60)
			if got := alertKinds(druelle, service.Reference); len(got) != 0 {
				t.Errorf("got %v for a beneficiary, want none", got)
			}
			service = must(t)(w.svc.RecordUnitCostNotice(ctx, w.clerk["agglo"], service.ID, service.Version,
				agreement.UnitCostNotice{Year: 2026, Date: civil.MustParse("2026-08-15")}))
			agglo, _ = w.svc.Alerts(ctx, w.clerk["agglo"], w.org["agglo"], 60)
			if got := alertKinds(agglo, service.Reference); len(got) != 0 {
				t.Errorf("got %v after the notice, want none", got)
			}
		})
		t.Run("alerts come earliest first", func(t *testing.T) {
			w.clock.Set(civil.MustParse("2026-11-15"))
			alerts, _ := w.svc.Alerts(ctx, w.admin, w.org["olemps"], 365)
			for i := 1; i < len(alerts); i++ {
				if a, b := alerts[i-1].Due, alerts[i].Due; !b.IsZero() && (a.IsZero() || a.After(b)) {
					t.Fatalf("got %+v, want dated alerts first, earliest first", alerts)
				}
			}
		})
		t.Run("a negative number of days is a validation error", func(t *testing.T) {
			if _, err := w.svc.Alerts(ctx, w.clerk["rodez"], w.org["rodez"], -1); !errors.As(err, new(validate.Errors)) {
				t.Fatalf("got %v, want validate.Errors", err)
			}
		})
	})
}

func TestOpenData(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := setup(t, db)
		live := w.inForce(t, w.input(agreement.Entente))
		secondment := w.inForce(t, w.input(agreement.MADPersonnel))
		draft := w.create(t, w.input(agreement.Prestation))
		ended := w.inForce(t, w.input(agreement.FraisScolarite))
		w.clock.Set(terminateDay)
		ended = must(t)(w.svc.Terminate(ctx, w.clerk["rodez"], ended.ID, ended.Version, agreement.Termination{
			By: w.org["rodez"], Date: terminateDay, Effective: terminateDay, Mutual: true, Reason: "Motif interne confidentiel"}))
		// Signed, starting later: not yet in force.
		later := w.input(agreement.ServiceUnifie)
		later.Content.Term.Start = civil.MustParse("2027-01-01")
		w.clock.Set(drafted)
		notYet := w.signAll(t, w.approveAll(t, w.create(t, later)))
		if _, err := w.svc.Attach(ctx, w.clerk["rodez"], live.ID, w.org["rodez"], agreement.AttachmentInput{
			Filename: "deliberation-secrete.pdf", Kind: agreement.DeliberationScan, Data: strings.NewReader("%PDF-1.4")}); err != nil {
			t.Fatal(err)
		}
		w.clock.Set(terminateDay)

		items, err := w.svc.OpenData(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, it := range items {
			got = append(got, it.Reference)
		}
		t.Run("only the conventions in force are published", func(t *testing.T) {
			if want := []string{live.Reference, secondment.Reference}; !slices.Equal(got, want) {
				t.Fatalf("got %v, want %v (not the draft %s, the terminated %s nor the not-yet-started %s)",
					got, want, draft.Reference, ended.Reference, notYet.Reference)
			}
		})
		t.Run("a published convention carries its public fields", func(t *testing.T) {
			want := agreement.PublicAgreement{Reference: live.Reference, Kind: agreement.Entente, KindLabel: "Entente intercommunale",
				LegalBasis: []string{"CGCT L5221-1", "CGCT L5221-2"}, Title: live.Agreement.Title, Status: agreement.InForce,
				StatusLabel: "en vigueur", Start: startDay, End: endDay, Parties: []agreement.PublicParty{
					{Name: "Rodez", SIREN: "211202023", Role: agreement.RoleLead, RoleLabel: "Commune support"},
					{Name: "Onet-le-Château", SIREN: "211201769", Role: agreement.RoleMember, RoleLabel: "Membre de l'entente"},
					{Name: "Olemps", SIREN: "211201744", Role: agreement.RoleMember, RoleLabel: "Membre de l'entente"}}}
			gotJSON, _ := json.Marshal(items[0])
			wantJSON, _ := json.Marshal(want)
			if string(gotJSON) != string(wantJSON) {
				t.Errorf("got %s\nwant %s", gotJSON, wantJSON)
			}
		})

		var jsonOut, csvOut bytes.Buffer
		if err := agreement.WriteOpenDataJSON(&jsonOut, items); err != nil {
			t.Fatal(err)
		}
		if err := agreement.WriteOpenDataCSV(&csvOut, items); err != nil {
			t.Fatal(err)
		}
		private := []string{
			"Claire Martin", "Paul Bernard", "Anne Roux", // representatives
			"12 345,67", "Article financier", "cout-1", // financial terms
			"Texte confidentiel",             // clauses
			"Agent Anonyme-Dupuis",           // the seconded agent
			"deliberation-secrete",           // attachments
			"Conseil municipal", "approvals", // approvals
		}
		for name, out := range map[string]string{"JSON": jsonOut.String(), "CSV": csvOut.String()} {
			t.Run("the "+name+" export holds no private field", func(t *testing.T) {
				for _, p := range private {
					if strings.Contains(out, p) {
						t.Errorf("got %q in the export, want it kept private:\n%s", p, out)
					}
				}
				for _, p := range []string{live.Reference, "Onet-le-Château", "211201769", "CGCT L5221-1"} {
					if !strings.Contains(out, p) {
						t.Errorf("got no %q in the export, want it published:\n%s", p, out)
					}
				}
			})
		}
		t.Run("the CSV has its header and one line per convention, parties in order", func(t *testing.T) {
			rows, err := csv.NewReader(&csvOut).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != 3 || !slices.Equal(rows[0], agreement.OpenDataColumns) {
				t.Fatalf("got %d rows, header %v; want 3 rows, header %v", len(rows), rows[0], agreement.OpenDataColumns)
			}
			want := []string{live.Reference, "entente", "Entente intercommunale", "CGCT L5221-1 ; CGCT L5221-2", live.Agreement.Title,
				"en_vigueur", "en vigueur", "2026-07-01", "2028-12-31", "Rodez ; Onet-le-Château ; Olemps",
				"211202023 ; 211201769 ; 211201744", "Commune support ; Membre de l'entente ; Membre de l'entente"}
			if !slices.Equal(rows[1], want) {
				t.Errorf("got %q\nwant %q", rows[1], want)
			}
		})
	})
}
