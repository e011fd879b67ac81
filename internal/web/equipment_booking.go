package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"voisines/internal/auth"
	"voisines/internal/civil"
	"voisines/internal/equipment"
	"voisines/internal/store"
)

// A booking's page: what was booked, where it stands, and its history —
// who asked, who decided, who cancelled it, when and why — for the members
// of its owner and of its requester.

type historyLine struct {
	At, Actor, Action, Detail string
}

type bookingPageData struct {
	B         equipment.Booking
	Row       bookingRow
	Kind      string
	Decided   string
	Cancelled string
	History   []historyLine
}

// actionLabels are the French names of the history's actions.
var actionLabels = map[string]string{
	"requested":              "demande",
	"requested_and_approved": "demande, validée aussitôt",
	"blackout":               "fermeture décidée",
	"approved":               "validation",
	"refused":                "refus",
	"cancelled":              "annulation",
	"use_recorded":           "horaires réels enregistrés",
}

// frenchInstant writes an instant in Paris time: "lundi 7 septembre 2026 à 17 h 30".
func frenchInstant(t time.Time) string {
	return equipment.FrenchDay(t) + " à " + equipment.FrenchClock(t)
}

func (h *Handler) bookingPage(w http.ResponseWriter, r *http.Request) {
	a, ok := h.requireUser(w, r)
	if !ok {
		return
	}
	id, err := idParam(r)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	b, err := h.equipment.Booking(r.Context(), a, id)
	if errors.Is(err, auth.ErrForbidden) {
		// An outsider learns nothing of the booking, as from the API.
		err = fmt.Errorf("web: booking %d: %w", id, store.ErrNotFound)
	}
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	events, err := h.equipment.History(r.Context(), a, id)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	d := bookingPageData{B: b, Row: row(a, b), Kind: "Réservation"}
	if b.Kind == equipment.KindBlackout {
		d.Kind = "Fermeture"
	}
	if b.DecidedAt != nil {
		d.Decided = fmt.Sprintf("par %s, le %s", b.DecidedBy, frenchInstant(*b.DecidedAt))
	}
	if b.CancelledAt != nil {
		d.Cancelled = fmt.Sprintf("par %s, le %s", b.CancelledBy, frenchInstant(*b.CancelledAt))
	}
	for _, e := range events {
		label, ok := actionLabels[e.Action]
		if !ok {
			label = e.Action
		}
		d.History = append(d.History, historyLine{At: frenchInstant(e.At), Actor: e.Actor, Action: label, Detail: e.Detail})
	}
	title := d.Kind + " n° " + strconv.FormatInt(b.ID, 10)
	h.render(w, r, http.StatusOK, "equipment_booking", newPage(r, title, "equipements", d))
}

// cancelledRows lists an organisation's bookings to come that were
// cancelled, with who cancelled them and why, so that the requester sees
// them.
func (h *Handler) cancelledRows(r *http.Request, a auth.Actor, orgID int64) ([]cancelledRow, error) {
	bs, err := h.equipment.Bookings(r.Context(), a, equipment.BookingFilter{OrgID: orgID, Side: equipment.AsRequester,
		Statuses: []equipment.Status{equipment.Cancelled, equipment.Refused}, From: time.Now(), Limit: 50})
	if err != nil {
		return nil, err
	}
	var out []cancelledRow
	for _, b := range bs {
		c := cancelledRow{ID: b.ID, Equipment: b.EquipmentName, EquipmentID: b.EquipmentID, When: equipment.FrenchSpan(b.Start, b.End),
			Status: b.Status.Label()}
		switch {
		case b.CancelledAt != nil:
			c.By, c.At, c.Why = b.CancelledBy, civil.In(*b.CancelledAt, civil.Paris).French(), b.CancelReason
		case b.DecidedAt != nil:
			c.By, c.At, c.Why = b.DecidedBy, civil.In(*b.DecidedAt, civil.Paris).French(), b.DecisionNote
		}
		out = append(out, c)
	}
	return out, nil
}

type cancelledRow struct {
	ID                        int64
	Equipment                 string
	EquipmentID               int64
	When, Status, By, At, Why string
}
