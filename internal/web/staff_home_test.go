package web_test

import (
	"context"
	"strings"
	"testing"

	"voisines/internal/civil"
	"voisines/internal/server/servertest"
	"voisines/internal/staff"
	"voisines/internal/store"
	"voisines/internal/store/storetest"
)

// TestHomeShowsStaffAlerts shows, on the home page of a member, the staff
// alerts of its organisations' secondments among their alerts: the end
// within three months and the missing cost for the employer, the end only
// for the host; a commune concerned by nothing has none.
func TestHomeShowsStaffAlerts(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := servertest.NewStaffWorld(t, db)
		ctx, clerk := context.Background(), w.Actor(t, servertest.ClerkRodez)
		ag, err := w.Staff.CreateAgent(ctx, clerk, staff.AgentInput{EmployerOrgID: w.Rodez, FamilyName: "Dupont", GivenName: "Jeanne",
			Grade: "adjoint technique principal", Status: staff.Titulaire})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Staff.CreateSecondment(ctx, clerk, staff.SecondmentInput{AgreementID: w.Agreement.ID, AgentID: ag.ID,
			Activities: "Entretien des espaces verts"}); err != nil {
			t.Fatal(err)
		}
		w.SetDate(civil.MustParse("2026-10-15"))
		for _, tt := range []struct {
			who          string
			want, absent []string
		}{
			{servertest.ClerkRodez, []string{`<h2 id="alertes">Alertes</h2>`, "Fin dans moins de trois mois", "Coût annuel non saisi",
				"Au plus tard le 31 décembre 2026", "convention " + w.Agreement.Reference}, nil},
			{servertest.HostClerk, []string{"Fin dans moins de trois mois"}, []string{"Coût annuel non saisi"}},
			{servertest.ClerkOnet, []string{"Aucune alerte"}, []string{"Fin dans moins de trois mois"}},
		} {
			t.Run(tt.who, func(t *testing.T) {
				resp := w.F.Client(t, tt.who).Do("GET", "/", "", nil)
				if resp.StatusCode != 200 {
					t.Fatalf("got %d", resp.StatusCode)
				}
				for _, s := range tt.want {
					if !strings.Contains(resp.Body, s) {
						t.Errorf("got a home page without %q", s)
					}
				}
				for _, s := range tt.absent {
					if strings.Contains(resp.Body, s) {
						t.Errorf("got a home page with %q", s)
					}
				}
			})
		}
	})
}
