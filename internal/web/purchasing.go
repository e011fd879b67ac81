package web

// The purchasing groups (groupements de commandes, issue 6), under /achats:
// the groups of the user's organisations, the table of thresholds with its
// sources, and a group's page — lots, needs per member (each member edits
// its own lines, the coordinator all), the procedure with the thresholds
// applied and their sources, each member's procedure alone, the launch,
// the awards, the savings and the split of the procedure costs, whose
// statement is then issued from the finances pages.

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"voisines/internal/agreement"
	"voisines/internal/auth"
	"voisines/internal/civil"
	"voisines/internal/ledger"
	"voisines/internal/money"
	"voisines/internal/purchasing"
	"voisines/internal/server/problem"
	"voisines/internal/validate"
)

// purchasingPages are the templates of the purchasing groups (issue 6), under /achats.
var purchasingPages = []string{"purchasing_list", "purchasing_group", "purchasing_thresholds"}

// registerPurchasing adds the routes of the purchasing groups (issue 6), under /achats.
func (h *Handler) registerPurchasing(mux *http.ServeMux) {
	mux.HandleFunc("GET /achats", h.purchasingList)
	mux.HandleFunc("POST /achats", h.purchasingCreate)
	mux.HandleFunc("GET /achats/seuils", h.purchasingThresholds)
	mux.HandleFunc("GET /achats/{id}", h.purchasingGroup)
	mux.HandleFunc("POST /achats/{id}/objet", h.purchasingUpdate)
	mux.HandleFunc("POST /achats/{id}/lots", h.purchasingAddLot)
	mux.HandleFunc("POST /achats/{id}/lots/{lot}/supprimer", h.purchasingDeleteLot)
	mux.HandleFunc("POST /achats/{id}/besoins", h.purchasingSetNeed)
	mux.HandleFunc("POST /achats/{id}/lancement", h.purchasingLaunch)
	mux.HandleFunc("POST /achats/{id}/lots/{lot}/attribution", h.purchasingAward)
	mux.HandleFunc("POST /achats/{id}/frais", h.purchasingCosts)
}

// purchaseError is one field at fault in a form of the purchasing pages.
type purchaseError struct {
	ID, Label, Message string
}

// purchaseErrors is the error summary of a purchasing form.
type purchaseErrors struct {
	Message string
	Fields  []purchaseError
}

// purchaseFailure turns err into an error summary: field errors with the
// inputs they name (ids gives the input id and label of a domain field),
// or the problem's safe message; ok is false for an error the page cannot
// show (a server error, a missing group), to be answered as such.
func purchaseFailure(err error, ids func(field string) (string, string)) (*purchaseErrors, int, bool) {
	p := problem.From(err)
	switch {
	case p.Internal(), p.Status == http.StatusNotFound, p.Status == http.StatusUnauthorized:
		return nil, p.Status, false
	}
	out := &purchaseErrors{Message: p.Message}
	var ce *purchasing.ConflictError
	if errors.As(err, &ce) {
		out.Message = capitalize(ce.Message) + "."
	}
	for _, f := range p.Fields {
		id, label := ids(f.Name)
		out.Fields = append(out.Fields, purchaseError{ID: id, Label: label, Message: f.Message})
	}
	return out, p.Status, true
}

// ---- List ----

type purchaseSummaryView struct {
	ID                                               int64
	Title, Reference, Coordinator, Status, Procedure string
	Lots                                             int
}

type purchasingListData struct {
	Groups  []purchaseSummaryView
	CanOpen bool
	Form    map[string]string
	Errors  *purchaseErrors
}

func (h *Handler) purchasingListData(r *http.Request, a auth.Actor) (*purchasingListData, error) {
	list, err := h.purchase.Mine(r.Context(), a)
	if err != nil {
		return nil, err
	}
	d := &purchasingListData{Form: map[string]string{}}
	for _, s := range list {
		v := purchaseSummaryView{ID: s.ID, Title: s.Title, Reference: s.AgreementReference, Coordinator: s.Coordinator, Status: s.Status.Label(), Lots: s.Lots}
		if s.Status == purchasing.Launched {
			v.Status = "procédure lancée le " + s.LaunchDate.French()
			v.Procedure = capitalize(s.Procedure.Short())
		}
		d.Groups = append(d.Groups, v)
	}
	ids, all := auth.ActsFor(a, auth.Write)
	d.CanOpen = all || len(ids) > 0
	return d, nil
}

// purchasingList shows the groups the user's organisations coordinate or
// belong to, and the form opening a group from a convention.
func (h *Handler) purchasingList(w http.ResponseWriter, r *http.Request) {
	a, ok := h.signedInActor(w, r)
	if !ok {
		return
	}
	d, err := h.purchasingListData(r, a)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	pg := newPage(r, "Achats groupés", "achats", d)
	h.render(w, r, http.StatusOK, "purchasing_list", pg)
}

// purchasingCreate opens the group of a convention named by its reference
// or number.
func (h *Handler) purchasingCreate(w http.ResponseWriter, r *http.Request) {
	a, ok := h.signedInActor(w, r)
	if !ok {
		return
	}
	ref := strings.TrimSpace(r.PostFormValue("convention"))
	nature := purchasing.Nature(r.PostFormValue("main_nature"))
	in := purchasing.CreateInput{Title: r.PostFormValue("title"), MainNature: nature}
	var err error
	switch id, perr := strconv.ParseInt(ref, 10, 64); {
	case ref == "":
		err = validate.FieldError{Field: "agreement_id", Message: "indiquez la référence de la convention constitutive (2026-0012)"}
	case perr == nil && id > 0:
		in.AgreementID = id
	default:
		rec, gerr := h.agreement.ByReference(r.Context(), a, ref)
		if gerr != nil {
			err = validate.FieldError{Field: "agreement_id", Message: "aucune de vos conventions n'a la référence " + validate.Quote(ref)}
		} else {
			in.AgreementID = rec.ID
		}
	}
	var g purchasing.Group
	if err == nil {
		g, err = h.purchase.Create(r.Context(), a, in)
	}
	if err != nil {
		fe, status, shown := purchaseFailure(err, func(field string) (string, string) {
			switch field {
			case "title":
				return "f-open-title", "Intitulé"
			case "main_nature":
				return "f-open-nature", "Objet principal"
			}
			return "f-open-convention", "Convention constitutive"
		})
		if !shown {
			h.Fail(w, r, err)
			return
		}
		d, derr := h.purchasingListData(r, a)
		if derr != nil {
			h.Fail(w, r, derr)
			return
		}
		d.Errors = fe
		d.Form = formValues(r, "convention", "title", "main_nature")
		h.render(w, r, status, "purchasing_list", newPage(r, "Achats groupés", "achats", d))
		return
	}
	http.Redirect(w, r, groupURL(g.ID, "ouvert"), http.StatusSeeOther)
}

func groupURL(id int64, done string) string {
	u := "/achats/" + strconv.FormatInt(id, 10)
	if done != "" {
		u += "?fait=" + url.QueryEscape(done)
	}
	return u
}

// ---- Thresholds ----

type thresholdView struct {
	Kind, Amount, Period, Source string
}

type thresholdsData struct {
	Date      string
	DateLabel string
	Natures   []struct {
		Label string
		Rows  []thresholdView
	}
	Error string
}

func thresholdRow(t purchasing.Threshold) thresholdView {
	period := "depuis le " + t.ValidFrom.French()
	if !t.ValidTo.IsZero() {
		period = "du " + t.ValidFrom.French() + " au " + t.ValidTo.French()
	}
	return thresholdView{Kind: capitalize(t.Kind.Label()), Amount: t.Amount.String() + " HT", Period: period, Source: t.Source}
}

// purchasingThresholds shows the thresholds in force on a date, with their
// sources. Public: they are law.
func (h *Handler) purchasingThresholds(w http.ResponseWriter, r *http.Request) {
	date := civil.Today()
	d := &thresholdsData{}
	if s := strings.TrimSpace(r.URL.Query().Get("date")); s != "" {
		if p, err := civil.Parse(s); err == nil {
			date = p
		} else {
			d.Error = "La date " + validate.Quote(s) + " n'est pas au format AAAA-MM-JJ : voici les seuils d'aujourd'hui."
		}
	}
	d.Date, d.DateLabel = date.String(), date.French()
	for _, a := range h.purchase.Thresholds().All(date) {
		n := struct {
			Label string
			Rows  []thresholdView
		}{Label: capitalize(a.Nature.Label())}
		for _, t := range a.Thresholds {
			n.Rows = append(n.Rows, thresholdRow(t))
		}
		d.Natures = append(d.Natures, n)
	}
	if len(d.Natures) == 0 && d.Error == "" {
		d.Error = "La table des seuils de Voisines ne couvre pas le " + date.French() + " : aucune procédure ne peut être déterminée pour un lancement à cette date."
	}
	h.render(w, r, http.StatusOK, "purchasing_thresholds", newPage(r, "Seuils de la commande publique", "achats", d))
}

// ---- The group ----

type memberView struct {
	OrgID            int64
	Name, Role, Kind string
}

type lotView struct {
	ID                                             int64
	Number                                         int
	Label, CPV, Nature, Duration, Framework, Total string
	Awarded                                        bool
	Supplier, AwardedOn                            string
	FormSupplier, FormSIREN, FormDate              string
	AwardVersion                                   int64
	Prices                                         []priceView
	CanAward                                       bool
}

type priceView struct {
	OrgID         int64
	Name          string
	Amount, Field string // Field: the form value, Amount: as shown
}

// needView is one line of the needs table: a member's need in a lot.
type needView struct {
	LotID, OrgID       int64
	LotNumber          int
	LotLabel, Member   string
	Amount, HowEntered string
	Previous           string
	Version            int64
	CanEdit            bool
	// Form values: the amount in the chosen mode, the mode, the previous
	// price, as typed or stored.
	FormAmount, FormMode, FormPrevious string
	Frozen                             bool
	Years                              int
	Key                                string // f-need-{lot}-{org}
}

type decisionView struct {
	Value, Kind, Nature, NatureRule, Advert, Online string
	Explain                                         []string
	Thresholds                                      []thresholdView
	SmallLots                                       []string
}

type aloneView struct {
	Name, Value, Kind, Advert string
	Explain                   []string
}

type savingView struct {
	Member, Lot, Supplier, Previous, Awarded, Saving string
}

type statementView struct {
	ID                                  int64
	Number                              int
	Label, Status, Period, Total, Lines string
}

type purchasingGroupData struct {
	G                        purchasing.Group
	AgreementURL, Status     string
	AgreementStatus          string
	Coordinator              string
	Members                  []memberView
	Lots                     []lotView
	Needs                    []needView
	Total                    string
	Manage, Preparing        bool
	Natures                  []option
	MainNature               string
	Procedure                *decisionView
	ProcedureTitle, ProcDate string
	ProcedureError           string
	Stored                   bool
	CAO                      string
	Alone                    []aloneView
	LaunchDate               string
	Savings                  []savingView
	SavingsTotal             string
	Statements               []statementView
	CostFrom, CostTo         string
	Form                     map[string]string
	Errors                   *purchaseErrors
	ErrorsFor                string // the form the errors belong to
}

func natureOptions(selected purchasing.Nature, withAuto bool) []option {
	var out []option
	if withAuto {
		out = append(out, option{Value: "", Label: "selon la valeur des lots", Selected: selected == ""})
	}
	for _, n := range purchasing.Natures {
		out = append(out, option{Value: string(n), Label: n.Label(), Selected: n == selected})
	}
	return out
}

func decisionOf(d purchasing.Decision) *decisionView {
	v := &decisionView{Value: d.Value.String() + " HT", Kind: capitalize(d.Kind.Label()), Nature: d.Nature.Label(),
		NatureRule: capitalize(strings.TrimPrefix(d.NatureRule, "objet principal : ")), Advert: capitalize(d.Advert.Label()), Explain: d.Explain}
	v.Online = "Non obligatoire"
	if d.OnlinePublication {
		v.Online = "Obligatoire, sur le profil d'acheteur (CCP R2132-2)"
	}
	for _, t := range d.Thresholds {
		v.Thresholds = append(v.Thresholds, thresholdRow(t))
	}
	for _, l := range d.SmallLots {
		s := fmt.Sprintf("Lot n° %d (%s) : %s, sous le seuil de %s", l.Number, l.Label, l.Value, l.Threshold)
		if l.Within {
			s += " — dans la limite de 20 % (" + d.SmallLotsCap.String() + ")"
		}
		v.SmallLots = append(v.SmallLots, s)
	}
	return v
}

func roleName(r agreement.Role) string {
	if r == agreement.RoleCoordinator {
		return "Coordonnateur"
	}
	return "Membre"
}

func plainAmount(c money.Cents) string { return c.French() }

// groupData builds the group page for the user; date is the simulated
// launch date of the procedure before launch (today when zero).
func (h *Handler) groupData(r *http.Request, a auth.Actor, id int64, date civil.Date) (*purchasingGroupData, error) {
	g, err := h.purchase.Get(r.Context(), a, id)
	if err != nil {
		return nil, err
	}
	d := &purchasingGroupData{G: g, AgreementURL: agreementURL(g.AgreementID), Status: capitalize(g.Status.Label()),
		AgreementStatus: capitalize(g.AgreementStatus.Label()), Coordinator: g.Coordinator.Name, Total: g.Total().String() + " HT",
		Manage: g.Rights.Manage, Preparing: g.Status == purchasing.Preparing, Natures: natureOptions(g.MainNature, true),
		Form: map[string]string{}, LaunchDate: civil.Today().String()}
	if g.MainNature != "" {
		d.MainNature = g.MainNature.Label()
	}
	for _, m := range g.Members {
		d.Members = append(d.Members, memberView{OrgID: m.OrgID, Name: m.Name, Role: roleName(m.Role), Kind: capitalize(m.Kind.Label())})
	}
	writes := map[int64]bool{}
	for _, o := range g.Rights.NeedsFor {
		writes[o] = true
	}
	for _, l := range g.Lots {
		lv := lotView{ID: l.ID, Number: l.Number, Label: l.Label, CPV: l.CPV, Nature: capitalize(l.Nature.Label()),
			Duration: fmt.Sprintf("%d mois", l.DurationMonths), Framework: map[bool]string{true: "oui", false: "non"}[l.Framework],
			Total: l.Total.String(), CanAward: d.Manage && g.Status == purchasing.Launched}
		aw, awarded := g.Award(l.ID)
		if awarded {
			lv.Awarded, lv.Supplier, lv.AwardedOn, lv.AwardVersion = true, aw.Supplier, aw.AwardedOn.French(), aw.Version
			lv.FormSupplier, lv.FormSIREN, lv.FormDate = aw.Supplier, aw.SupplierSIREN, aw.AwardedOn.String()
			if aw.SupplierSIREN != "" {
				lv.Supplier += " (SIREN " + aw.SupplierSIREN + ")"
			}
		}
		for _, m := range g.Members {
			n, has := g.Need(l.ID, m.OrgID)
			if has {
				pv := priceView{OrgID: n.OrgID, Name: m.Name}
				if awarded {
					for _, p := range aw.Prices {
						if p.OrgID == n.OrgID {
							pv.Amount, pv.Field = p.Amount.String(), plainAmount(p.Amount)
						}
					}
				}
				lv.Prices = append(lv.Prices, pv)
			}
			if !has && !writes[m.OrgID] {
				continue
			}
			if !has && g.Status == purchasing.Launched {
				continue
			}
			nv := needView{LotID: l.ID, OrgID: m.OrgID, LotNumber: l.Number, LotLabel: l.Label, Member: m.Name, CanEdit: writes[m.OrgID],
				Frozen: g.Status == purchasing.Launched, Key: fmt.Sprintf("f-need-%d-%d", l.ID, m.OrgID), FormMode: "total"}
			if l.DurationMonths%12 == 0 {
				nv.Years = l.DurationMonths / 12
			}
			if has {
				nv.Amount, nv.Version, nv.FormAmount = n.Amount.String(), n.Version, plainAmount(n.Amount)
				nv.HowEntered = "en total sur la durée"
				if n.Yearly != nil {
					nv.HowEntered = fmt.Sprintf("%s par an × %d ans", n.Yearly, n.Years)
					nv.FormAmount, nv.FormMode = plainAmount(*n.Yearly), "yearly"
				}
				if n.PreviousCost != nil {
					nv.Previous, nv.FormPrevious = n.PreviousCost.String(), plainAmount(*n.PreviousCost)
				}
			} else {
				nv.Amount = "non saisi"
			}
			d.Needs = append(d.Needs, nv)
		}
		d.Lots = append(d.Lots, lv)
	}
	// The procedure: stored on launch, or computed for the date.
	if date.IsZero() {
		date = civil.Today()
	}
	d.ProcDate = date.String()
	if len(g.Lots) > 0 {
		var p purchasing.Procedure
		var perr error
		if g.Status == purchasing.Launched {
			p, perr = h.purchase.ProcedureOf(r.Context(), a, g, civil.Date{})
			d.Stored = true
			d.ProcedureTitle = "Procédure arrêtée au lancement du " + g.LaunchDate.French()
		} else {
			p, perr = h.purchase.ProcedureOf(r.Context(), a, g, date)
			d.ProcedureTitle = "Procédure pour un lancement le " + date.French()
		}
		switch fes, ok := validate.As(perr); {
		case perr == nil:
			d.Procedure = decisionOf(p.Decision)
			d.CAO = p.CAO.Explain
			for _, al := range p.Alone {
				d.Alone = append(d.Alone, aloneView{Name: al.Name, Value: al.Decision.Value.String() + " HT",
					Kind: capitalize(al.Decision.Kind.Label()), Advert: capitalize(al.Decision.Advert.Label()), Explain: al.Decision.Explain})
			}
		case ok:
			d.ProcedureError = fes[0].Message
		default:
			return nil, perr
		}
	}
	if g.Status == purchasing.Launched {
		s := purchasing.ComputeSavings(g)
		for _, m := range s.Members {
			for _, l := range m.Lots {
				sv := savingView{Member: m.Name, Lot: fmt.Sprintf("n° %d — %s", l.Number, l.Label), Supplier: l.Supplier,
					Previous: "non indiqué", Awarded: "non attribué", Saving: "—"}
				if l.Previous != nil {
					sv.Previous = l.Previous.String()
				}
				if l.Awarded != nil {
					sv.Awarded = l.Awarded.String()
				}
				if l.Saving != nil {
					sv.Saving = l.Saving.String()
				}
				d.Savings = append(d.Savings, sv)
			}
		}
		complete := false
		for _, m := range s.Members {
			complete = complete || m.Missing < len(m.Lots)
		}
		if s.Total != nil && g.Rights.Coordinator && complete {
			d.SavingsTotal = fmt.Sprintf("%s payés auparavant, %s au marché : %s d'économie", s.Total.Previous, s.Total.Awarded, s.Total.Saving)
		}
		d.CostFrom, d.CostTo = g.LaunchDate.String(), civil.New(g.LaunchDate.Year, 12, 31).String()
		sts, err := h.purchase.CostStatementsOf(r.Context(), a, g)
		if err != nil {
			return nil, err
		}
		for _, st := range sts {
			sv := statementView{ID: st.ID, Number: st.Number, Label: st.Inputs.Label, Total: st.Result.Total.String(),
				Period: "du " + st.Inputs.From.French() + " au " + st.Inputs.To.French()}
			sv.Status = "Brouillon à vérifier et émettre"
			if st.Status == ledger.Issued {
				sv.Status = "Émis"
			}
			var parts []string
			for _, l := range st.Result.Lines {
				parts = append(parts, l.Name+" "+l.Amount.String())
			}
			sv.Lines = strings.Join(parts, " ; ")
			d.Statements = append(d.Statements, sv)
		}
	}
	return d, nil
}

// groupDoneMessage is the confirmation of the action the user just took.
func groupDoneMessage(r *http.Request) string {
	switch r.URL.Query().Get("fait") {
	case "ouvert":
		return "Le groupement est ouvert : ajoutez ses lots, puis chaque membre saisit ses besoins."
	case "objet":
		return "L'intitulé et l'objet principal sont enregistrés."
	case "lot":
		return "Le lot est ajouté."
	case "lot-supprime":
		return "Le lot est supprimé avec ses besoins."
	case "besoin":
		return "Le besoin est enregistré."
	case "lance":
		return "Le lancement est enregistré : la procédure est arrêtée avec les seuils appliqués, et les besoins sont figés."
	case "attribution":
		return "L'attribution du lot est enregistrée."
	}
	return ""
}

func (h *Handler) groupID(w http.ResponseWriter, r *http.Request) (auth.Actor, int64, bool) {
	a, ok := h.signedInActor(w, r)
	if !ok {
		return a, 0, false
	}
	id, err := pathNumber(r, "id")
	if err != nil {
		h.Fail(w, r, err)
		return a, 0, false
	}
	return a, id, true
}

// purchasingGroup shows a group.
func (h *Handler) purchasingGroup(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.groupID(w, r)
	if !ok {
		return
	}
	var date civil.Date
	if s := strings.TrimSpace(r.URL.Query().Get("date")); s != "" {
		date, _ = civil.Parse(s)
	}
	d, err := h.groupData(r, a, id, date)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	pg := newPage(r, d.G.Title, "achats", d)
	pg.Flash = groupDoneMessage(r)
	h.render(w, r, http.StatusOK, "purchasing_group", pg)
}

// groupFailed shows the group again with the errors of the form which (an
// anchor of the page) and the values typed.
func (h *Handler) groupFailed(w http.ResponseWriter, r *http.Request, a auth.Actor, id int64, which string, form map[string]string,
	err error, ids func(field string) (string, string)) {
	fe, status, shown := purchaseFailure(err, ids)
	if !shown {
		h.Fail(w, r, err)
		return
	}
	d, derr := h.groupData(r, a, id, civil.Date{})
	if derr != nil {
		h.Fail(w, r, derr)
		return
	}
	d.Errors, d.ErrorsFor = fe, which
	for k, v := range form {
		d.Form[k] = v
	}
	h.render(w, r, status, "purchasing_group", newPage(r, d.G.Title, "achats", d))
}

// postedAmount reads an amount in euros of a form; "" is nil.
func postedAmount(r *http.Request, name, field string, errs *validate.Errors) *money.Cents {
	s := strings.TrimSpace(r.PostFormValue(name))
	if s == "" {
		return nil
	}
	c, err := money.Parse(s)
	if err != nil {
		errs.Add(field, "%s n'est pas un montant en euros (21 500,00)", validate.Quote(s))
		return nil
	}
	return &c
}

func postedInt(r *http.Request, name string) int64 {
	n, _ := strconv.ParseInt(strings.TrimSpace(r.PostFormValue(name)), 10, 64)
	return n
}

// purchasingUpdate changes the title and the main nature.
func (h *Handler) purchasingUpdate(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.groupID(w, r)
	if !ok {
		return
	}
	in := purchasing.GroupInput{Title: r.PostFormValue("title"), MainNature: purchasing.Nature(r.PostFormValue("main_nature"))}
	if _, err := h.purchase.Update(r.Context(), a, id, postedInt(r, "version"), in); err != nil {
		h.groupFailed(w, r, a, id, "objet", formValues(r, "title", "main_nature"), err, func(f string) (string, string) {
			if f == "title" {
				return "f-objet-title", "Intitulé"
			}
			return "f-objet-nature", "Objet principal"
		})
		return
	}
	http.Redirect(w, r, groupURL(id, "objet"), http.StatusSeeOther)
}

var lotFields = map[string][2]string{
	"label": {"f-lot-label", "Intitulé du lot"}, "cpv": {"f-lot-cpv", "Code CPV"}, "nature": {"f-lot-nature", "Nature"},
	"duration_months": {"f-lot-duration", "Durée"}, "lots": {"f-lot-label", "Lots"},
}

func fieldsOf(m map[string][2]string, fallback string) func(string) (string, string) {
	return func(f string) (string, string) {
		if v, ok := m[f]; ok {
			return v[0], v[1]
		}
		return fallback, f
	}
}

// purchasingAddLot adds a lot.
func (h *Handler) purchasingAddLot(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.groupID(w, r)
	if !ok {
		return
	}
	months, _ := strconv.Atoi(strings.TrimSpace(r.PostFormValue("duration_months")))
	in := purchasing.LotInput{Label: r.PostFormValue("label"), CPV: r.PostFormValue("cpv"), Nature: purchasing.Nature(r.PostFormValue("nature")),
		DurationMonths: months, Framework: r.PostFormValue("framework") == "oui"}
	if _, err := h.purchase.AddLot(r.Context(), a, id, postedInt(r, "version"), in); err != nil {
		h.groupFailed(w, r, a, id, "lots", formValues(r, "label", "cpv", "nature", "duration_months", "framework"), err, fieldsOf(lotFields, "f-lot-label"))
		return
	}
	http.Redirect(w, r, groupURL(id, "lot")+"#lots", http.StatusSeeOther)
}

// purchasingDeleteLot deletes a lot.
func (h *Handler) purchasingDeleteLot(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.groupID(w, r)
	if !ok {
		return
	}
	lot, err := pathNumber(r, "lot")
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	if _, err := h.purchase.DeleteLot(r.Context(), a, id, lot, postedInt(r, "version")); err != nil {
		h.groupFailed(w, r, a, id, "lots", nil, err, fieldsOf(lotFields, "f-lot-label"))
		return
	}
	http.Redirect(w, r, groupURL(id, "lot-supprime")+"#lots", http.StatusSeeOther)
}

// purchasingSetNeed writes one member's line in a lot: its need, as a total
// or per year, and the price it paid before.
func (h *Handler) purchasingSetNeed(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.groupID(w, r)
	if !ok {
		return
	}
	lot, org := postedInt(r, "lot"), postedInt(r, "org")
	key := fmt.Sprintf("f-need-%d-%d", lot, org)
	var errs validate.Errors
	in := purchasing.NeedInput{LotID: lot, OrgID: org, Version: postedInt(r, "version")}
	amount := postedAmount(r, "amount", "amount", &errs)
	if r.PostFormValue("mode") == "yearly" {
		in.Yearly = amount
	} else {
		in.Amount = amount
	}
	in.PreviousCost = postedAmount(r, "previous_cost", "previous_cost", &errs)
	err := errs.Err()
	if err == nil {
		_, err = h.purchase.SetNeed(r.Context(), a, id, in)
	}
	if err != nil {
		form := map[string]string{"need": key, "amount": r.PostFormValue("amount"), "mode": r.PostFormValue("mode"), "previous_cost": r.PostFormValue("previous_cost")}
		h.groupFailed(w, r, a, id, "besoins", form, err, func(f string) (string, string) {
			switch f {
			case "previous_cost":
				return key + "-previous", "Prix payé auparavant"
			case "amount", "yearly", "years":
				return key + "-amount", "Besoin"
			}
			return key + "-amount", "Besoin"
		})
		return
	}
	http.Redirect(w, r, groupURL(id, "besoin")+"#besoins", http.StatusSeeOther)
}

// purchasingLaunch records the launch.
func (h *Handler) purchasingLaunch(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.groupID(w, r)
	if !ok {
		return
	}
	var errs validate.Errors
	date := postedDate(r, "launch_date", "la date de lancement", true, &errs)
	err := errs.Err()
	if err == nil {
		_, err = h.purchase.Launch(r.Context(), a, id, postedInt(r, "version"), date)
	}
	if err != nil {
		h.groupFailed(w, r, a, id, "lancement", formValues(r, "launch_date"), err, func(f string) (string, string) {
			if f == "agreement" {
				return "f-launch-date", "Convention constitutive"
			}
			if f == "lots" {
				return "f-launch-date", "Lots"
			}
			return "f-launch-date", "Date de lancement"
		})
		return
	}
	http.Redirect(w, r, groupURL(id, "lance")+"#procedure", http.StatusSeeOther)
}

// purchasingAward records a lot's award: the supplier and an amount per
// member with needs (unit prices are entered through the API).
func (h *Handler) purchasingAward(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.groupID(w, r)
	if !ok {
		return
	}
	lot, err := pathNumber(r, "lot")
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	prefix := fmt.Sprintf("f-award-%d", lot)
	var errs validate.Errors
	in := purchasing.AwardInput{Supplier: r.PostFormValue("supplier"), SupplierSIREN: r.PostFormValue("supplier_siren"),
		AwardedOn: postedDate(r, "awarded_on", "la date d'attribution", true, &errs), Version: postedInt(r, "version")}
	form := formValues(r, "supplier", "supplier_siren", "awarded_on")
	form["award"] = prefix
	if err := r.ParseForm(); err != nil {
		h.Fail(w, r, err)
		return
	}
	for name := range r.PostForm {
		orgText, isPrice := strings.CutPrefix(name, "price-")
		if !isPrice {
			continue
		}
		org, _ := strconv.ParseInt(orgText, 10, 64)
		form[name] = r.PostFormValue(name)
		if p := postedAmount(r, name, "prices", &errs); p != nil {
			in.Prices = append(in.Prices, purchasing.PriceInput{OrgID: org, Amount: p})
		}
	}
	err = errs.Err()
	if err == nil {
		_, err = h.purchase.Award(r.Context(), a, id, lot, in)
	}
	if err != nil {
		h.groupFailed(w, r, a, id, "attribution", form, err, func(f string) (string, string) {
			switch f {
			case "supplier":
				return prefix + "-supplier", "Titulaire"
			case "supplier_siren":
				return prefix + "-siren", "SIREN du titulaire"
			case "awarded_on":
				return prefix + "-date", "Date d'attribution"
			}
			return prefix + "-supplier", "Prix"
		})
		return
	}
	http.Redirect(w, r, groupURL(id, "attribution")+"#attribution", http.StatusSeeOther)
}

// purchasingCosts splits procedure costs and opens the draft statement.
func (h *Handler) purchasingCosts(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.groupID(w, r)
	if !ok {
		return
	}
	var errs validate.Errors
	in := purchasing.CostsInput{From: postedDate(r, "from", "le début de la période", true, &errs), To: postedDate(r, "to", "la fin de la période", true, &errs),
		Label: strings.TrimSpace(r.PostFormValue("label"))}
	amount := postedAmount(r, "amount", "cost_lines", &errs)
	if amount == nil {
		errs.Add("cost_lines", "indiquez le montant des frais de procédure")
	} else {
		what := strings.TrimSpace(r.PostFormValue("what"))
		if what == "" {
			what = "Frais de procédure"
		}
		in.Lines = []money.CostLine{{Label: what, Amount: *amount, Eligible: true}}
	}
	err := errs.Err()
	var st ledger.Statement
	if err == nil {
		st, err = h.purchase.SplitCosts(r.Context(), a, id, in)
	}
	if err != nil {
		h.groupFailed(w, r, a, id, "frais", formValues(r, "from", "to", "label", "amount", "what"), err, func(f string) (string, string) {
			switch {
			case f == "from":
				return "f-costs-from", "Début de la période"
			case f == "to":
				return "f-costs-to", "Fin de la période"
			case strings.HasPrefix(f, "cost_lines"):
				return "f-costs-amount", "Montant des frais"
			}
			return "f-costs-amount", "Frais de procédure"
		})
		return
	}
	http.Redirect(w, r, "/finances/etats/"+strconv.FormatInt(st.ID, 10), http.StatusSeeOther)
}
