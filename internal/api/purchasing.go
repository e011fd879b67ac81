package api

// The purchasing groups (groupements de commandes, issue 6): the groups of
// an organisation, a group with its lots and needs, the procedure computed
// from the thresholds in force on the launch date, the launch, each lot's
// award, the members' savings, the split of the procedure costs through the
// financial engine, and the table of thresholds. Every handler is the same
// script: parse, call the purchasing service (which authorises), answer.

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"voisines/internal/civil"
	"voisines/internal/ledger"
	"voisines/internal/money"
	"voisines/internal/purchasing"
	"voisines/internal/server/problem"
)

// purchasingRoutes are the purchasing groups: lots, needs, procedure,
// award, savings and the split of procedure costs (issue 6).
var purchasingRoutes = []route{
	{"GET", "/api/v1/procurement-thresholds", (*Handler).procurementThresholds},
	{"GET", "/api/v1/organisations/{id}/purchasing-groups", (*Handler).orgPurchasingGroups},
	{"POST", "/api/v1/purchasing-groups", (*Handler).purchasingGroupCreate},
	{"GET", "/api/v1/purchasing-groups/{id}", (*Handler).purchasingGroupGet},
	{"PUT", "/api/v1/purchasing-groups/{id}", (*Handler).purchasingGroupUpdate},
	{"POST", "/api/v1/purchasing-groups/{id}/lots", (*Handler).purchasingLotAdd},
	{"PUT", "/api/v1/purchasing-groups/{id}/lots/{lot}", (*Handler).purchasingLotUpdate},
	{"DELETE", "/api/v1/purchasing-groups/{id}/lots/{lot}", (*Handler).purchasingLotDelete},
	{"GET", "/api/v1/purchasing-groups/{id}/needs", (*Handler).purchasingNeeds},
	{"PUT", "/api/v1/purchasing-groups/{id}/needs", (*Handler).purchasingNeedSet},
	{"POST", "/api/v1/purchasing-groups/{id}/needs/import", (*Handler).purchasingNeedsImport},
	{"GET", "/api/v1/purchasing-groups/{id}/procedure", (*Handler).purchasingProcedure},
	{"POST", "/api/v1/purchasing-groups/{id}/launch", (*Handler).purchasingLaunch},
	{"PUT", "/api/v1/purchasing-groups/{id}/lots/{lot}/award", (*Handler).purchasingAward},
	{"GET", "/api/v1/purchasing-groups/{id}/savings", (*Handler).purchasingSavings},
	{"GET", "/api/v1/purchasing-groups/{id}/costs", (*Handler).purchasingCosts},
	{"POST", "/api/v1/purchasing-groups/{id}/costs", (*Handler).purchasingCostsSplit},
}

// failPurchase answers err; a conflict keeps the purchasing service's
// French message, which says what changed.
func (h *Handler) failPurchase(w http.ResponseWriter, r *http.Request, err error) {
	var ce *purchasing.ConflictError
	if errors.As(err, &ce) {
		h.WriteProblem(w, r, problem.Problem{Status: http.StatusConflict, Code: "conflict", Message: capitalizeFirst(ce.Message) + "."})
		return
	}
	h.Fail(w, r, err)
}

// purchaseReply answers v with status, or err through failPurchase.
func (h *Handler) purchaseReply(w http.ResponseWriter, r *http.Request, status int, v any, err error) {
	h.replyWith(h.failPurchase, w, r, status, v, err)
}

func capitalizeFirst(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	return strings.ToUpper(string(r[0])) + string(r[1:])
}

// maxNeedsFile caps a needs file sent to the import route.
const maxNeedsFile = 4 << 20

// queryDay reads an optional date of the query string (civil.ParseFrench).
func queryDay(r *http.Request, name string) (civil.Date, error) {
	v := strings.TrimSpace(r.URL.Query().Get(name))
	if v == "" {
		return civil.Date{}, nil
	}
	d, err := civil.ParseFrench(v)
	if err != nil {
		return civil.Date{}, problem.Invalid("Une date est invalide.", problem.Field{Name: name, Message: "date attendue, comme 2026-05-31 ou 31/05/2026"})
	}
	return d, nil
}

// thresholdsAnswer is the body of GET /api/v1/procurement-thresholds.
type thresholdsAnswer struct {
	Date       civil.Date              `json:"date"`
	Applicable []purchasing.Applicable `json:"applicable"`
}

// procurementThresholds returns the thresholds in force on a date (today
// by default), for one nature or all. Public: they are law.
func (h *Handler) procurementThresholds(w http.ResponseWriter, r *http.Request) {
	date, err := queryDay(r, "date")
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	if date.IsZero() {
		date = civil.Today()
	}
	table := purchasing.Thresholds()
	if h.purchase != nil {
		table = h.purchase.Thresholds()
	}
	out := thresholdsAnswer{Date: date, Applicable: []purchasing.Applicable{}}
	if v := r.URL.Query().Get("nature"); v != "" {
		n, ok := purchasing.ParseNature(v)
		if !ok {
			h.Fail(w, r, problem.Invalid("La nature est inconnue.", problem.Field{Name: "nature", Message: "supplies, services ou works"}))
			return
		}
		a, err := table.On(date, n)
		if err != nil {
			h.Fail(w, r, err)
			return
		}
		out.Applicable = append(out.Applicable, a)
	} else {
		out.Applicable = append(out.Applicable, table.All(date)...)
		if len(out.Applicable) == 0 {
			_, err := table.On(date, purchasing.Supplies)
			h.Fail(w, r, err)
			return
		}
	}
	h.writeJSON(w, http.StatusOK, out)
}

// orgPurchasingGroups lists the groups organisation {id} coordinates or
// belongs to; 403 to a user of another organisation (access.go).
func (h *Handler) orgPurchasingGroups(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.actorAndID(w, r)
	if !ok {
		return
	}
	if !h.orgListAllowed(w, r, a, id, "ses groupements de commandes") {
		return
	}
	list, err := h.purchase.List(r.Context(), a, id)
	if list == nil {
		list = []purchasing.Summary{}
	}
	h.reply(w, r, http.StatusOK, map[string]any{"groups": list}, err)
}

// purchasingGroupCreate opens the group of a convention constitutive.
func (h *Handler) purchasingGroupCreate(w http.ResponseWriter, r *http.Request) {
	a, err := actor(r)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	var in purchasing.CreateInput
	if !h.decode(w, r, &in) {
		return
	}
	g, err := h.purchase.Create(r.Context(), a, in)
	h.purchaseReply(w, r, http.StatusCreated, g, err)
}

// purchasingGroupGet returns group {id} as the user may see it.
func (h *Handler) purchasingGroupGet(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.actorAndID(w, r)
	if !ok {
		return
	}
	g, err := h.purchase.Get(r.Context(), a, id)
	h.purchaseReply(w, r, http.StatusOK, g, err)
}

// versioned is the version a write starts from.
type versioned struct {
	Version *int64 `json:"version"`
}

func (v versioned) get() (int64, error) {
	if v.Version == nil || *v.Version <= 0 {
		return 0, problem.Invalid("La version lue est obligatoire, pour ne pas écraser la modification de quelqu'un d'autre.",
			problem.Field{Name: "version", Message: "nombre entier positif obligatoire : la version du groupement que vous avez lue"})
	}
	return *v.Version, nil
}

// decodeVersion reads a JSON body that embeds versioned, and its version.
func (h *Handler) decodeVersion(w http.ResponseWriter, r *http.Request, in interface{ get() (int64, error) }) (int64, bool) {
	if !h.decode(w, r, in) {
		return 0, false
	}
	version, err := in.get()
	if err != nil {
		h.Fail(w, r, err)
		return 0, false
	}
	return version, true
}

// purchasingGroupUpdate changes a group's title and main nature.
func (h *Handler) purchasingGroupUpdate(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.actorAndID(w, r)
	if !ok {
		return
	}
	var in struct {
		purchasing.GroupInput
		versioned
	}
	version, ok := h.decodeVersion(w, r, &in)
	if !ok {
		return
	}
	g, err := h.purchase.Update(r.Context(), a, id, version, in.GroupInput)
	h.purchaseReply(w, r, http.StatusOK, g, err)
}

// lotBody is the body of the lot routes.
type lotBody struct {
	purchasing.LotInput
	versioned
}

// purchasingLotAdd adds a lot to group {id}.
func (h *Handler) purchasingLotAdd(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.actorAndID(w, r)
	if !ok {
		return
	}
	var in lotBody
	version, ok := h.decodeVersion(w, r, &in)
	if !ok {
		return
	}
	g, err := h.purchase.AddLot(r.Context(), a, id, version, in.LotInput)
	h.purchaseReply(w, r, http.StatusCreated, g, err)
}

// purchasingLotUpdate changes lot {lot} of group {id}.
func (h *Handler) purchasingLotUpdate(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.actorAndID(w, r)
	if !ok {
		return
	}
	lot, ok := h.pathParam(w, r, "lot")
	if !ok {
		return
	}
	var in lotBody
	version, ok := h.decodeVersion(w, r, &in)
	if !ok {
		return
	}
	g, err := h.purchase.UpdateLot(r.Context(), a, id, lot, version, in.LotInput)
	h.purchaseReply(w, r, http.StatusOK, g, err)
}

// purchasingLotDelete deletes lot {lot} of group {id}; the version is in
// the query (?version=3).
func (h *Handler) purchasingLotDelete(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.actorAndID(w, r)
	if !ok {
		return
	}
	lot, ok := h.pathParam(w, r, "lot")
	if !ok {
		return
	}
	v, _ := strconv.ParseInt(r.URL.Query().Get("version"), 10, 64)
	if _, err := (versioned{Version: &v}).get(); err != nil {
		h.Fail(w, r, err)
		return
	}
	g, err := h.purchase.DeleteLot(r.Context(), a, id, lot, v)
	h.purchaseReply(w, r, http.StatusOK, g, err)
}

// needsAnswer is the body of GET …/needs: the lots with their totals and
// the lines the user may see.
type needsAnswer struct {
	GroupID int64             `json:"group_id"`
	Status  purchasing.Status `json:"status"`
	Version int64             `json:"version"`
	Lots    []purchasing.Lot  `json:"lots"`
	Needs   []purchasing.Need `json:"needs"`
	Total   money.Cents       `json:"total"`
	Rights  purchasing.Rights `json:"rights"`
}

func needsOf(g purchasing.Group) needsAnswer {
	return needsAnswer{GroupID: g.ID, Status: g.Status, Version: g.Version, Lots: g.Lots, Needs: g.Needs, Total: g.Total(), Rights: g.Rights}
}

// purchasingNeeds returns the needs of group {id}: every line to the
// coordinator, a member's own lines to it.
func (h *Handler) purchasingNeeds(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.actorAndID(w, r)
	if !ok {
		return
	}
	g, err := h.purchase.Get(r.Context(), a, id)
	h.purchaseReply(w, r, http.StatusOK, needsOf(g), err)
}

// purchasingNeedSet writes one member's line in a lot.
func (h *Handler) purchasingNeedSet(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.actorAndID(w, r)
	if !ok {
		return
	}
	var in purchasing.NeedInput
	if !h.decode(w, r, &in) {
		return
	}
	g, err := h.purchase.SetNeed(r.Context(), a, id, in)
	h.purchaseReply(w, r, http.StatusOK, needsOf(g), err)
}

// purchasingNeedsImport imports a needs file (text/csv body), all or
// nothing; a refused file answers as every import route does (importFail).
func (h *Handler) purchasingNeedsImport(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.actorAndID(w, r)
	if !ok {
		return
	}
	rep, err := h.purchase.ImportNeeds(r.Context(), a, id, http.MaxBytesReader(w, r.Body, maxNeedsFile))
	h.replyWith(h.importFail(h.failPurchase, "aucun besoin n'a été enregistré"), w, r, http.StatusOK, rep, err)
}

// purchasingProcedure returns the procedure of group {id}: the one stored
// on launch, or computed for ?date= (today by default) before it.
func (h *Handler) purchasingProcedure(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.actorAndID(w, r)
	if !ok {
		return
	}
	date, err := queryDay(r, "date")
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	p, err := h.purchase.Procedure(r.Context(), a, id, date)
	h.purchaseReply(w, r, http.StatusOK, p, err)
}

// purchasingLaunch records the launch of group {id}'s consultation.
func (h *Handler) purchasingLaunch(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.actorAndID(w, r)
	if !ok {
		return
	}
	var in struct {
		LaunchDate civil.Date `json:"launch_date"`
		versioned
	}
	version, ok := h.decodeVersion(w, r, &in)
	if !ok {
		return
	}
	g, err := h.purchase.Launch(r.Context(), a, id, version, in.LaunchDate)
	h.purchaseReply(w, r, http.StatusOK, g, err)
}

// purchasingAward records (or corrects) the award of lot {lot}.
func (h *Handler) purchasingAward(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.actorAndID(w, r)
	if !ok {
		return
	}
	lot, ok := h.pathParam(w, r, "lot")
	if !ok {
		return
	}
	var in purchasing.AwardInput
	if !h.decode(w, r, &in) {
		return
	}
	g, err := h.purchase.Award(r.Context(), a, id, lot, in)
	h.purchaseReply(w, r, http.StatusOK, g, err)
}

// purchasingSavings returns the members' savings.
func (h *Handler) purchasingSavings(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.actorAndID(w, r)
	if !ok {
		return
	}
	s, err := h.purchase.Savings(r.Context(), a, id)
	h.purchaseReply(w, r, http.StatusOK, s, err)
}

// purchasingCosts lists the statements of the group's convention.
func (h *Handler) purchasingCosts(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.actorAndID(w, r)
	if !ok {
		return
	}
	list, err := h.purchase.CostStatements(r.Context(), a, id)
	h.purchaseReply(w, r, http.StatusOK, map[string]any{"statements": list}, err)
}

// purchasingCostsSplit splits procedure costs between the members by share
// of needs and answers the draft statement.
func (h *Handler) purchasingCostsSplit(w http.ResponseWriter, r *http.Request) {
	a, id, ok := h.actorAndID(w, r)
	if !ok {
		return
	}
	var in purchasing.CostsInput
	if !h.decode(w, r, &in) {
		return
	}
	st, err := h.purchase.SplitCosts(r.Context(), a, id, in)
	h.purchaseReply(w, r, http.StatusCreated, struct {
		ledger.Statement
	}{st}, err)
}
