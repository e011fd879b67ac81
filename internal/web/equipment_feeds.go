package web

import (
	"fmt"
	"net/http"
	"strconv"

	"voisines/internal/auth"
	"voisines/internal/civil"
	"voisines/internal/equipment"
)

// The organisation's secret calendar feeds (iCalendar): the list, with
// revocation, and the creation of a feed of the organisation's own
// bookings. An equipment's feed is created from the equipment's page.

type feedRow struct {
	ID                 int64
	Label, Scope, What string
	Created            string
	Revoked            string // "" while the feed works
}

type orgFeeds struct {
	OrgID int64
	Name  string
	Feeds []feedRow
}

type feedsData struct {
	Orgs    []orgFeeds
	Writers []option // organisations the user may create a feed for
	FeedURL string   // the address of the feed just created, shown once
	Errors  *formErrors
	Label   string
}

func (h *Handler) loadFeeds(r *http.Request, a auth.Actor) (feedsData, error) {
	var data feedsData
	names := map[int64]string{}
	for _, m := range a.User.Memberships {
		if !m.Role.Allows(auth.Write) {
			continue
		}
		feeds, err := h.equipment.Feeds(r.Context(), a, m.OrgID)
		if err != nil {
			return feedsData{}, err
		}
		of := orgFeeds{OrgID: m.OrgID, Name: m.OrgName}
		for _, f := range feeds {
			row := feedRow{ID: f.ID, Label: f.Label, Created: fmt.Sprintf("par %s le %s", f.CreatedBy, civil.In(f.CreatedAt, civil.Paris).French())}
			switch f.Scope {
			case equipment.FeedEquipment:
				name, ok := names[f.EquipmentID]
				if !ok {
					e, err := h.equipment.Get(r.Context(), f.EquipmentID)
					if err != nil {
						return feedsData{}, err
					}
					name, names[f.EquipmentID] = e.Name, e.Name
				}
				row.Scope, row.What = "Équipement", "réservations et fermetures de "+name
			default:
				row.Scope, row.What = "Organisme", "réservations faites par "+m.OrgName
			}
			if f.RevokedAt != nil {
				row.Revoked = fmt.Sprintf("révoqué par %s le %s", f.RevokedBy, civil.In(*f.RevokedAt, civil.Paris).French())
			}
			of.Feeds = append(of.Feeds, row)
		}
		data.Orgs = append(data.Orgs, of)
	}
	data.Writers = writableOrgs(a, 0)
	return data, nil
}

func (h *Handler) feedsPage(w http.ResponseWriter, r *http.Request) {
	a, ok := h.requireUser(w, r)
	if !ok {
		return
	}
	data, err := h.loadFeeds(r, a)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	pg := newPage(r, "Calendriers à suivre", "equipements", data)
	if r.URL.Query().Get("fait") == "revoque" {
		pg.Flash = "Le calendrier est révoqué : son adresse ne répond plus."
	}
	h.render(w, r, http.StatusOK, "equipment_feeds", pg)
}

// feedCreate creates a feed of an organisation's bookings and shows its
// address once.
func (h *Handler) feedCreate(w http.ResponseWriter, r *http.Request) {
	a, ok := h.requireUser(w, r)
	if !ok {
		return
	}
	org, err := strconv.ParseInt(r.PostFormValue("org"), 10, 64)
	if err != nil || org <= 0 {
		h.feedsFailed(w, r, a, invalidField("scope", "choisissez l'organisme"))
		return
	}
	_, token, err := h.equipment.CreateFeed(r.Context(), a, equipment.FeedOrganisation, org, r.PostFormValue("label"))
	if err != nil {
		h.feedsFailed(w, r, a, err)
		return
	}
	data, err := h.loadFeeds(r, a)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	data.FeedURL = feedURL(r, token)
	pg := newPage(r, "Calendriers à suivre", "equipements", data)
	pg.Flash = "Calendrier créé. Copiez son adresse maintenant : elle ne sera plus affichée."
	h.render(w, r, http.StatusCreated, "equipment_feeds", pg)
}

// feedFields maps the domain's fields to the feed form's inputs.
var feedFields = map[string][2]string{"label": {"label", "Nom du calendrier"}, "scope": {"org", "Organisme"}}

func (h *Handler) feedsFailed(w http.ResponseWriter, r *http.Request, a auth.Actor, err error) {
	fe, status := formErrorsIn(err, feedFields)
	if status >= 500 || status == http.StatusNotFound || status == http.StatusForbidden {
		h.Fail(w, r, err)
		return
	}
	data, lerr := h.loadFeeds(r, a)
	if lerr != nil {
		h.Fail(w, r, lerr)
		return
	}
	data.Errors, data.Label = fe, r.PostFormValue("label")
	h.render(w, r, status, "equipment_feeds", newPage(r, "Calendriers à suivre", "equipements", data))
}

// feedRevoke revokes a feed for ever.
func (h *Handler) feedRevoke(w http.ResponseWriter, r *http.Request) {
	a, ok := h.requireUser(w, r)
	if !ok {
		return
	}
	id, err := idParam(r)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	if _, err := h.equipment.RevokeFeed(r.Context(), a, id); err != nil {
		h.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/calendriers?fait=revoque", http.StatusSeeOther)
}
