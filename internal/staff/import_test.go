package staff_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"voisines/internal/auth"
	"voisines/internal/civil"
	"voisines/internal/csvin"
	"voisines/internal/staff"
	"voisines/internal/store"
	"voisines/internal/store/storetest"
)

// TestImportTimeCSV imports a host's monthly sheet: all or nothing, every
// error with its line, and a file imported twice is refused the second
// time.
func TestImportTimeCSV(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := setup(t, db)
		r := w.convene(t, convention{home: "rodez", host: "conques", start: d("2026-05-01"), end: d("2026-12-31"), realTime: true})
		w.clock.set(d("2026-04-20"))
		ag := w.agent(t, "rodez", "")
		sec, err := w.staff.CreateSecondment(ctx, w.clerk["rodez"], staff.SecondmentInput{AgreementID: r.ID, AgentID: ag.ID,
			Activities: "Entretien", Billing: staff.RealTime})
		if err != nil {
			t.Fatal(err)
		}
		w.clock.set(d("2026-06-03"))
		host := w.clerk["conques"]
		count := func(t *testing.T) int {
			t.Helper()
			ts, err := w.staff.TimeRecords(ctx, host, sec.ID, civil.Date{}, civil.Date{})
			if err != nil {
				t.Fatal(err)
			}
			return len(ts)
		}
		t.Run("a file in neither UTF-8 nor Windows-1252 is refused with a clear error", func(t *testing.T) {
			_, err := w.staff.ImportTimeCSV(ctx, host, strings.NewReader("\xff\xfes\x00e\x00c\x00\n\x00"))
			var ie csvin.Errors
			if !errors.As(err, &ie) || len(ie) != 1 || ie[0].Message != csvin.EncodingMessage {
				t.Fatalf("got %v, want the encoding error", err)
			}
		})
		t.Run("a Windows-1252 file keeps its accents", func(t *testing.T) {
			file := fmt.Sprintf("secondment;date;duration;activity\n%d;12/05/2026;2 h;R\xe9union de pr\xe9paration\n", sec.ID)
			if _, err := w.staff.ImportTimeCSV(ctx, host, strings.NewReader(file)); err != nil {
				t.Fatalf("got %v, want the file imported", err)
			}
			ts, err := w.staff.TimeRecords(ctx, host, sec.ID, d("2026-05-12"), d("2026-05-12"))
			if err != nil || len(ts) != 1 || ts[0].Activity != "Réunion de préparation" {
				t.Fatalf("got %+v, %v; want one record of activity « Réunion de préparation »", ts, err)
			}
			if err := w.staff.DeleteTime(ctx, host, ts[0].ID, ts[0].Version); err != nil {
				t.Fatal(err)
			}
		})
		t.Run("a file with errors writes nothing and names each line", func(t *testing.T) {
			file := fmt.Sprintf("secondment;date;duration;activity\n%d;04/05/2026;7 h 30;Tonte\n%d;2026-06-30;7:30;Tonte\n999;2026-05-05;1h;Tonte\n%d;2026-05-06;1h;\n",
				sec.ID, sec.ID, sec.ID)
			_, err := w.staff.ImportTimeCSV(ctx, host, strings.NewReader(file))
			var ie csvin.Errors
			if !errors.As(err, &ie) {
				t.Fatalf("got %v, want import errors", err)
			}
			var got []string
			for _, e := range ie {
				got = append(got, fmt.Sprintf("%d/%s", e.Line, e.Column))
			}
			if want := "[3/date 4/secondment 5/activity]"; fmt.Sprint(got) != want {
				t.Fatalf("got %v, want %s (%v)", got, want, ie)
			}
			if n := count(t); n != 0 {
				t.Fatalf("got %d records, want none", n)
			}
		})
		good := fmt.Sprintf("agreement,date,duration,activity,note\n%s,2026-05-04,7:30,Tonte,\n%s,2026-05-05,7:30,Tonte,\n%s,2026-05-11,4,Taille,haies\n",
			r.Reference, r.Reference, r.Reference)
		t.Run("a good file is recorded whole", func(t *testing.T) {
			rep, err := w.staff.ImportTimeCSV(ctx, host, strings.NewReader(good))
			if err != nil || rep.Records != 3 || rep.Minutes != 1140 {
				t.Fatalf("got %+v, %v", rep, err)
			}
			if n := count(t); n != 3 {
				t.Fatalf("got %d records, want 3", n)
			}
		})
		t.Run("the same file again is refused, line by line", func(t *testing.T) {
			_, err := w.staff.ImportTimeCSV(ctx, host, strings.NewReader(good))
			var ie csvin.Errors
			if !errors.As(err, &ie) || len(ie) != 3 || !strings.Contains(ie[0].Message, "déjà saisi") {
				t.Fatalf("got %v", err)
			}
		})
		t.Run("a user of an unconcerned commune imports nothing", func(t *testing.T) {
			_, err := w.staff.ImportTimeCSV(ctx, w.clerk["onet"], strings.NewReader(good))
			var ie csvin.Errors
			if !errors.As(err, &ie) || len(ie) != 3 || ie[0].Column != "agreement" {
				t.Fatalf("got %v", err)
			}
		})
		t.Run("the command line imports as the system, for the host", func(t *testing.T) {
			rep, err := w.staff.ImportTimeCSV(ctx, auth.System, strings.NewReader(fmt.Sprintf("secondment,date,duration,activity\n%d,2026-05-12,45 min,Tonte\n", sec.ID)))
			if err != nil || rep.Records != 1 {
				t.Fatalf("got %+v, %v", rep, err)
			}
			ts, _ := w.staff.TimeRecords(ctx, host, sec.ID, d("2026-05-12"), d("2026-05-12"))
			if len(ts) != 1 || ts[0].EnteredByOrgID != w.org["conques"] || ts[0].CreatedBy != "system:cli" {
				t.Fatalf("got %+v", ts)
			}
		})
	})
}
