package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"voisines/internal/auth"
	"voisines/internal/equipment"
	"voisines/internal/money"
	"voisines/internal/server/problem"
	"voisines/internal/territory"
	"voisines/internal/validate"
)

// The owner's form of a piece of equipment: its description, tariffs,
// approval mode, and whether it is offered for booking. Withdrawing it
// with bookings to come shows them and asks for their cancellation, with a
// reason the requesters read (see equipment.Withdrawal).

// equipmentFormFields maps the domain's fields to the form's inputs.
var equipmentFormFields = map[string][2]string{
	"owner_org_id":          {"owner", "Organisme propriétaire"},
	"name":                  {"name", "Nom"},
	"kind":                  {"kind", "Type"},
	"description":           {"description", "Description"},
	"capacity":              {"capacity", "Capacité"},
	"commune_code":          {"commune", "Commune"},
	"address":               {"address", "Adresse"},
	"coordinates":           {"lat", "Coordonnées"},
	"accessibility":         {"accessibility", "Accessibilité"},
	"rules":                 {"rules", "Règles d'utilisation"},
	"unit":                  {"unit", "Unité de réservation"},
	"tariffs.own":           {"tariff-own", "Tarif pour le propriétaire"},
	"tariffs.convention":    {"tariff-convention", "Tarif sous convention"},
	"tariffs.other_commune": {"tariff-other", "Tarif pour les autres collectivités"},
	"tariffs.association":   {"tariff-association", "Tarif pour les associations"},
	"approval":              {"approval", "Validation des demandes"},
	"active":                {"active", "Proposé à la réservation"},
	"cancel_reason":         {"cancel-reason", "Motif de l'annulation"},
	"version":               {"name", "Version"},
}

// formErrorsIn turns err into the summary of a form whose inputs fields
// names: field errors with labels, or the problem's safe message.
func formErrorsIn(err error, fields map[string][2]string) (*formErrors, int) {
	p := problem.From(err)
	fe := &formErrors{Message: p.Message, ByName: map[string]string{}}
	for _, f := range p.Fields {
		id, label := f.Name, f.Name
		if m, ok := fields[f.Name]; ok {
			id, label = m[0], m[1]
		}
		fe.Fields = append(fe.Fields, fieldError{ID: id, Label: label, Message: f.Message})
		if _, seen := fe.ByName[id]; !seen {
			fe.ByName[id] = f.Message
		}
	}
	return fe, p.Status
}

// equipmentValues are the form's inputs as typed.
type equipmentValues struct {
	Owner, Name, Kind, Description, Capacity, Commune, Address, Lat, Lon string
	Accessibility, Rules, Unit, Approval                                 string
	TariffOwn, TariffConvention, TariffOther, TariffAssociation          string
	Active                                                               bool
}

type equipmentFormData struct {
	New       bool
	ID        int64
	Name      string // the saved name, for the title
	Version   int64
	Owners    []option
	Kinds     []option
	Units     []option
	Approvals []option
	V         equipmentValues
	Errors    *formErrors
	// Affected lists the bookings to come that withdrawing the equipment
	// cancels, when the manager has to confirm it.
	Affected     []string
	CancelReason string
}

func tariffValue(c *money.Cents) string {
	if c == nil {
		return ""
	}
	return c.French()
}

func equipmentValuesOf(e equipment.Equipment) equipmentValues {
	v := equipmentValues{Owner: strconv.FormatInt(e.OwnerOrgID, 10), Name: e.Name, Kind: string(e.Kind), Description: e.Description,
		Commune: e.CommuneCode, Address: e.Address, Accessibility: e.Accessibility, Rules: e.Rules, Unit: string(e.Unit),
		Approval: string(e.Approval), Active: e.Active, TariffOwn: tariffValue(e.Tariffs.Own),
		TariffConvention: tariffValue(e.Tariffs.Convention), TariffOther: tariffValue(e.Tariffs.OtherCommune),
		TariffAssociation: tariffValue(e.Tariffs.Association)}
	if e.Capacity > 0 {
		v.Capacity = strconv.Itoa(e.Capacity)
	}
	if e.Coordinates != nil {
		v.Lat = strconv.FormatFloat(e.Coordinates.Lat, 'f', -1, 64)
		v.Lon = strconv.FormatFloat(e.Coordinates.Lon, 'f', -1, 64)
	}
	return v
}

// fillOptions sets the menus of the form from its values.
func (d *equipmentFormData) fillOptions(a auth.Actor) {
	owner, _ := strconv.ParseInt(d.V.Owner, 10, 64)
	d.Owners = writableOrgs(a, owner)
	d.Kinds = nil
	for _, k := range equipment.Kinds {
		d.Kinds = append(d.Kinds, option{Value: string(k), Label: capitalize(k.Label()), Selected: string(k) == d.V.Kind})
	}
	d.Units = nil
	for _, u := range []equipment.Unit{equipment.UnitHour, equipment.UnitHalfDay, equipment.UnitDay} {
		d.Units = append(d.Units, option{Value: string(u), Label: capitalize(u.Label()), Selected: string(u) == d.V.Unit})
	}
	d.Approvals = nil
	for _, ap := range []equipment.Approval{equipment.ApproveManual, equipment.ApproveConvention, equipment.ApproveAutomatic} {
		d.Approvals = append(d.Approvals, option{Value: string(ap), Label: capitalize(ap.Label()), Selected: string(ap) == d.V.Approval})
	}
}

// readEquipmentForm reads the posted form into its values and the details
// it describes; errs collects what cannot be read.
func readEquipmentForm(r *http.Request) (equipmentValues, equipment.Details, validate.Errors) {
	v := equipmentValues{Owner: r.PostFormValue("owner"), Name: r.PostFormValue("name"), Kind: r.PostFormValue("kind"),
		Description: r.PostFormValue("description"), Capacity: strings.TrimSpace(r.PostFormValue("capacity")),
		Commune: r.PostFormValue("commune"), Address: r.PostFormValue("address"), Lat: strings.TrimSpace(r.PostFormValue("lat")),
		Lon: strings.TrimSpace(r.PostFormValue("lon")), Accessibility: r.PostFormValue("accessibility"),
		Rules: r.PostFormValue("rules"), Unit: r.PostFormValue("unit"), Approval: r.PostFormValue("approval"),
		TariffOwn: r.PostFormValue("tariff_own"), TariffConvention: r.PostFormValue("tariff_convention"),
		TariffOther: r.PostFormValue("tariff_other_commune"), TariffAssociation: r.PostFormValue("tariff_association"),
		Active: r.PostFormValue("active") != ""}
	d := equipment.Details{Name: v.Name, Kind: equipment.Kind(v.Kind), Description: v.Description, CommuneCode: v.Commune,
		Address: v.Address, Accessibility: v.Accessibility, Rules: v.Rules, Unit: equipment.Unit(v.Unit),
		Approval: equipment.Approval(v.Approval), Active: v.Active}
	var errs validate.Errors
	if v.Capacity != "" {
		n, err := strconv.Atoi(v.Capacity)
		if err != nil || n < 0 {
			errs.Add("capacity", "la capacité est un nombre entier de personnes, comme 300")
		}
		d.Capacity = n
	}
	if v.Lat != "" || v.Lon != "" {
		lat, err1 := strconv.ParseFloat(strings.Replace(v.Lat, ",", ".", 1), 64)
		lon, err2 := strconv.ParseFloat(strings.Replace(v.Lon, ",", ".", 1), 64)
		if err1 != nil || err2 != nil {
			errs.Add("coordinates", "latitude et longitude en degrés décimaux, comme 44,3506 et 2,5750, ou laissez les deux vides")
		} else {
			d.Coordinates = &territory.Point{Lat: lat, Lon: lon}
		}
	}
	for _, t := range []struct {
		field, value string
		dst          **money.Cents
	}{{"tariffs.own", v.TariffOwn, &d.Tariffs.Own}, {"tariffs.convention", v.TariffConvention, &d.Tariffs.Convention},
		{"tariffs.other_commune", v.TariffOther, &d.Tariffs.OtherCommune}, {"tariffs.association", v.TariffAssociation, &d.Tariffs.Association}} {
		if strings.TrimSpace(t.value) == "" {
			continue
		}
		c, err := money.Parse(t.value)
		if err != nil {
			errs.Add(t.field, "montant en euros par unité, comme 26,00 (0 pour gratuit, vide pour « sur demande »)")
			continue
		}
		*t.dst = &c
	}
	return v, d, errs
}

// equipmentNewForm shows the form of new equipment, for the members who
// write for an organisation.
func (h *Handler) equipmentNewForm(w http.ResponseWriter, r *http.Request) {
	a, ok := h.requireUser(w, r)
	if !ok {
		return
	}
	d := equipmentFormData{New: true, V: equipmentValues{Kind: string(equipment.Hall), Unit: string(equipment.UnitHour),
		Approval: string(equipment.ApproveManual), Active: true}}
	d.fillOptions(a)
	if len(d.Owners) == 0 {
		h.Fail(w, r, auth.ErrForbidden)
		return
	}
	h.render(w, r, http.StatusOK, "equipment_form", newPage(r, "Ajouter un équipement", "equipements", d))
}

func (h *Handler) equipmentCreate(w http.ResponseWriter, r *http.Request) {
	a, ok := h.requireUser(w, r)
	if !ok {
		return
	}
	v, details, errs := readEquipmentForm(r)
	owner, err := strconv.ParseInt(v.Owner, 10, 64)
	if err != nil || owner <= 0 {
		errs.Add("owner_org_id", "choisissez l'organisme propriétaire")
	}
	d := equipmentFormData{New: true, V: v}
	if err := errs.Err(); err != nil {
		h.equipmentEditFailed(w, r, a, d, err)
		return
	}
	e, err := h.equipment.Create(r.Context(), a, owner, details)
	if err != nil {
		h.equipmentEditFailed(w, r, a, d, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/equipements/%d?fait=cree", e.ID), http.StatusSeeOther)
}

// equipmentEditForm shows the form of existing equipment to its owner's
// managers.
func (h *Handler) equipmentEditForm(w http.ResponseWriter, r *http.Request) {
	a, ok := h.requireUser(w, r)
	if !ok {
		return
	}
	id, err := idParam(r)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	e, err := h.equipment.Get(r.Context(), id)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	if err := auth.Authorize(a, auth.Write, e.OwnerOrgID); err != nil {
		h.Fail(w, r, err)
		return
	}
	d := equipmentFormData{ID: e.ID, Name: e.Name, Version: e.Version, V: equipmentValuesOf(e)}
	d.fillOptions(a)
	h.render(w, r, http.StatusOK, "equipment_form", newPage(r, "Modifier "+e.Name, "equipements", d))
}

func (h *Handler) equipmentUpdate(w http.ResponseWriter, r *http.Request) {
	a, ok := h.requireUser(w, r)
	if !ok {
		return
	}
	id, err := idParam(r)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	e, err := h.equipment.Get(r.Context(), id)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	v, details, errs := readEquipmentForm(r)
	v.Owner = strconv.FormatInt(e.OwnerOrgID, 10)
	version, verr := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	if verr != nil || version <= 0 {
		errs.Add("version", "la version lue manque : rechargez la page")
	}
	wd := equipment.Withdrawal{Cancel: r.PostFormValue("cancel_bookings") != "", Reason: r.PostFormValue("cancel_reason")}
	d := equipmentFormData{ID: e.ID, Name: e.Name, Version: version, V: v, CancelReason: wd.Reason}
	if err := errs.Err(); err != nil {
		h.equipmentEditFailed(w, r, a, d, err)
		return
	}
	_, cancelled, err := h.equipment.UpdateWithdrawing(r.Context(), a, id, version, details, wd)
	if err != nil {
		h.equipmentEditFailed(w, r, a, d, err)
		return
	}
	done := "modifie"
	if len(cancelled) > 0 {
		done = "retire"
	}
	http.Redirect(w, r, fmt.Sprintf("/equipements/%d?fait=%s&annulees=%d", id, done, len(cancelled)), http.StatusSeeOther)
}

// equipmentEditFailed shows the equipment form again with its values and
// errors; a withdrawal to confirm lists the bookings it cancels.
func (h *Handler) equipmentEditFailed(w http.ResponseWriter, r *http.Request, a auth.Actor, d equipmentFormData, err error) {
	var ae *equipment.AffectedError
	var fe *formErrors
	var status int
	if errors.As(err, &ae) {
		fe, status = &formErrors{Message: ae.Message, ByName: map[string]string{}}, http.StatusConflict
		d.Affected = ae.Lines()
	} else {
		fe, status = formErrorsIn(err, equipmentFormFields)
	}
	if status >= 500 || status == http.StatusNotFound || status == http.StatusUnauthorized || status == http.StatusForbidden {
		h.Fail(w, r, err)
		return
	}
	d.Errors = fe
	d.fillOptions(a)
	title := "Ajouter un équipement"
	if !d.New {
		title = "Modifier " + d.Name
	}
	h.render(w, r, status, "equipment_form", newPage(r, title, "equipements", d))
}

// Err returns the error message of the input id, "" when none.
func (d equipmentFormData) Err(id string) string {
	if d.Errors == nil {
		return ""
	}
	return d.Errors.ByName[id]
}
