package web

import (
	"context"
	"net/http"
	"slices"

	"voisines/internal/agreement"
	"voisines/internal/auth"
	"voisines/internal/server/session"
	"voisines/internal/staff"
)

type homeData struct {
	Query       string
	Memberships []auth.Membership
	// Alerts are what the user's organisations must do or know: their
	// conventions' alerts (the next 60 days) and their secondments' staff
	// alerts, earliest due first. AlertsChecked says they were gathered
	// (the user may read the private data of one organisation at least).
	Alerts        []homeAlert
	AlertsChecked bool
	AlertDays     int
}

// homeAlert is an alert of one of the user's organisations.
type homeAlert struct {
	agreement.OrgAlert
	OrgName  string
	KindName string
}

// home shows a member their organisations and their alerts, and anyone
// the search box.
func (h *Handler) home(w http.ResponseWriter, r *http.Request) {
	data := homeData{AlertDays: agreement.DefaultAlertDays}
	if u := session.ActorFrom(r.Context()).User; u != nil {
		data.Memberships = u.Memberships
		alerts, checked, err := h.homeAlerts(r, session.ActorFrom(r.Context()))
		if err != nil {
			h.Fail(w, r, err)
			return
		}
		data.Alerts, data.AlertsChecked = alerts, checked
	}
	h.render(w, r, http.StatusOK, "home", newPage(r, "Accueil", "accueil", data))
}

// homeAlerts gathers, for every organisation whose private data the user
// may read, the alerts of its conventions and of its secondments
// (staff.Service.OrgAlerts), merged earliest due first.
func (h *Handler) homeAlerts(r *http.Request, a auth.Actor) ([]homeAlert, bool, error) {
	var out []homeAlert
	checked := false
	for _, m := range a.User.Memberships {
		if !m.Role.Allows(auth.ReadPrivate) {
			continue
		}
		checked = true
		alerts, err := h.orgAlerts(r.Context(), a, m.OrgID)
		if err != nil {
			return nil, false, err
		}
		for _, al := range alerts {
			out = append(out, homeAlert{OrgAlert: al, OrgName: m.OrgName, KindName: homeAlertKind(al.Kind)})
		}
	}
	// Earliest due first across organisations; undated alerts last.
	slices.SortStableFunc(out, func(x, y homeAlert) int {
		if x.Due.IsZero() != y.Due.IsZero() {
			if x.Due.IsZero() {
				return 1
			}
			return -1
		}
		return x.Due.Compare(y.Due)
	})
	return out, checked, nil
}

// homeAlertKind names an alert's kind in French: a convention's, or a
// secondment's (staff.AlertKind).
func homeAlertKind(k agreement.AlertKind) string {
	if name := alertKindName(k); name != string(k) {
		return name
	}
	return staff.AlertKind(k).Label()
}

// orgAlerts are what an organisation must do: its conventions' alerts
// (agreement.DefaultAlertDays ahead) merged with its staff alerts, earliest
// first. The home page and the conventions' register both show them.
func (h *Handler) orgAlerts(ctx context.Context, a auth.Actor, orgID int64) ([]agreement.OrgAlert, error) {
	alerts, err := h.agreement.Alerts(ctx, a, orgID, agreement.DefaultAlertDays)
	if err != nil || h.staff == nil {
		return alerts, err
	}
	staffAlerts, err := h.staff.OrgAlerts(ctx, a, orgID)
	if err != nil {
		return nil, err
	}
	return staff.MergeAlerts(alerts, staffAlerts), nil
}
