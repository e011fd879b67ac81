package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"testing"

	"voisines/internal/civil"
	"voisines/internal/server/servertest"
	"voisines/internal/staff"
	"voisines/internal/store"
	"voisines/internal/store/storetest"
)

// TestAgreementAlertsIncludeStaffAlerts reads an organisation's alerts
// through /api/v1/agreements/alerts: besides its conventions', the staff
// alerts of its secondments — the end within three months for employer
// and host, the missing annual cost for the employer only — with the
// convention's reference; an organisation concerned by nothing has none.
func TestAgreementAlertsIncludeStaffAlerts(t *testing.T) {
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
			who   string
			org   int64
			kinds []string
		}{
			{servertest.ClerkRodez, w.Rodez, []string{string(staff.AlertEnding), string(staff.AlertCost)}},
			{servertest.HostClerk, w.Conques, []string{string(staff.AlertEnding)}},
			{servertest.ClerkOnet, w.Onet, nil},
		} {
			t.Run(tt.who, func(t *testing.T) {
				resp := w.F.Client(t, tt.who).Do("GET", fmt.Sprintf("/api/v1/agreements/alerts?org=%d", tt.org), "", nil)
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("got %d: %s", resp.StatusCode, resp.Body)
				}
				var body struct {
					Alerts []struct {
						Kind        string     `json:"kind"`
						AgreementID int64      `json:"agreement_id"`
						Due         civil.Date `json:"due"`
						Reference   string     `json:"reference"`
						Message     string     `json:"message"`
					} `json:"alerts"`
				}
				if err := json.Unmarshal([]byte(resp.Body), &body); err != nil {
					t.Fatal(err)
				}
				var kinds []string
				for _, al := range body.Alerts {
					kinds = append(kinds, al.Kind)
					if al.AgreementID != w.Agreement.ID || al.Reference != w.Agreement.Reference || al.Message == "" {
						t.Errorf("got alert %+v, want one of convention %s", al, w.Agreement.Reference)
					}
					if al.Kind == string(staff.AlertEnding) && al.Due != civil.MustParse("2026-12-31") {
						t.Errorf("got the end due %s, want 2026-12-31", al.Due)
					}
				}
				if !slices.Equal(kinds, tt.kinds) {
					t.Errorf("got kinds %v, want %v (dated first)", kinds, tt.kinds)
				}
			})
		}
	})
}
