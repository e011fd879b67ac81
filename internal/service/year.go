package service

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"voisines/internal/audit"
	"voisines/internal/auth"
	"voisines/internal/money"
	"voisines/internal/store"
	"voisines/internal/validate"
)

// Category is the nature of a cost line. CGCT D5211-16 names what the unit
// operating cost includes "en particulier": staff, supplies, the renewal of
// goods and the related service contracts; other lines are eligible only
// when strictly tied to the service's operation.
type Category string

// The categories of cost lines.
const (
	Personnel      Category = "personnel"      // charges de personnel
	Fournitures    Category = "fournitures"    // fournitures
	Renouvellement Category = "renouvellement" // coût de renouvellement des biens
	Contrats       Category = "contrats"       // contrats de services rattachés
	Autre          Category = "autre"          // other expense
)

// Categories lists the categories in the order of the forms.
var Categories = []Category{Personnel, Fournitures, Renouvellement, Contrats, Autre}

// Valid reports whether c is one of the categories.
func (c Category) Valid() bool {
	for _, x := range Categories {
		if c == x {
			return true
		}
	}
	return false
}

// Label is the category's French name.
func (c Category) Label() string {
	switch c {
	case Personnel:
		return "Charges de personnel"
	case Fournitures:
		return "Fournitures"
	case Renouvellement:
		return "Renouvellement des biens"
	case Contrats:
		return "Contrats de services rattachés"
	case Autre:
		return "Autre dépense"
	}
	return string(c)
}

// NotStrictlyLinked is the reason D5211-16 gives for excluding a line.
const NotStrictlyLinked = "non strictement liée au fonctionnement du service"

// CostLine is one expense line of a service's year.
type CostLine struct {
	Category Category    `json:"category"`
	Label    string      `json:"label"`
	Amount   money.Cents `json:"amount"`
	Eligible bool        `json:"eligible"`
	// Reason says why an excluded line is excluded.
	Reason string `json:"reason,omitempty"`
}

// YearInput is what the provider states for a year: the cost lines of the
// latest compte administratif, the budget update and the forecast units.
type YearInput struct {
	// Source is where the lines come from; empty means "compte
	// administratif" of the year before.
	Source string     `json:"source,omitempty"`
	Lines  []CostLine `json:"lines"`
	// BudgetUpdate updates the cost for the year's budget primitif; it may
	// be negative, and needs a reason when it is not zero.
	BudgetUpdate       money.Cents `json:"budget_update"`
	BudgetUpdateReason string      `json:"budget_update_reason,omitempty"`
	// ForecastUnits are the units of work forecast for the year (weighted
	// acts for a service counting acts); D5211-16 requires a forecast.
	ForecastUnits money.Rat `json:"forecast_units"`
}

// Year is a service's year as stored, with its unit cost computed.
type Year struct {
	ServiceID int64 `json:"service_id"`
	Year      int   `json:"year"`
	YearInput
	Version   int64     `json:"version"`
	UpdatedAt time.Time `json:"updated_at"`

	// UnitCost is the D5211-16 computation: eligible lines, update,
	// per unit exact (money.ServiceUnitCost).
	UnitCost money.UnitCost `json:"unit_cost"`
	// Applied is the unit cost billed: PerUnit, or PerUnit rounded to the
	// cent when the convention rounds it first.
	Applied money.Rat `json:"applied_unit_cost"`
	// Explain is the computation in French, line by line.
	Explain []string `json:"explain"`
	// Notification is where the notification of the unit cost stands.
	Notification NoticeStatus `json:"notification"`
}

// basis is the money package's view of the year.
func (y YearInput) basis(year int, unit Unit) money.UnitCostBasis {
	b := money.UnitCostBasis{Source: y.Source, BudgetUpdate: y.BudgetUpdate, BudgetUpdateReason: y.BudgetUpdateReason,
		Units: y.ForecastUnits, Unit: unit.Label()}
	for _, l := range y.Lines {
		b.Lines = append(b.Lines, money.CostLine{Label: l.Label, Amount: l.Amount, Eligible: l.Eligible, Reason: l.Reason})
	}
	return b
}

// check validates the input of year and returns it cleaned up.
func (y YearInput) check(year int) (YearInput, error) {
	var errs validate.Errors
	if year < 2000 || year > 2100 {
		errs.Add("year", "exercice invalide : %d", year)
	}
	y.Source = strings.TrimSpace(y.Source)
	if y.Source == "" {
		y.Source = fmt.Sprintf("compte administratif %d", year-1)
	}
	errs.Check(validate.MaxLen("source", y.Source, 200))
	if len(y.Lines) == 0 {
		errs.Add("lines", "indiquez les dépenses du service au dernier compte administratif")
	}
	if len(y.Lines) > 200 {
		errs.Add("lines", "une année compte au plus 200 lignes de dépenses")
	}
	eligible := false
	for i, l := range y.Lines {
		f := fmt.Sprintf("lines[%d]", i)
		l.Label, l.Reason = strings.TrimSpace(l.Label), strings.TrimSpace(l.Reason)
		if !l.Category.Valid() {
			errs.Add(f+".category", "nature de dépense inconnue : %s (personnel, fournitures, renouvellement, contrats, autre)", validate.Quote(string(l.Category)))
		}
		if l.Label == "" {
			errs.Add(f+".label", "le libellé de la ligne %d est obligatoire", i+1)
		}
		errs.Check(validate.MaxLen(f+".label", l.Label, 200))
		if l.Amount < 0 {
			errs.Add(f+".amount", "une dépense ne peut pas être négative (ligne %d) ; une baisse prévue au budget primitif s'indique dans l'actualisation", i+1)
		}
		if !l.Eligible && l.Reason == "" {
			errs.Add(f+".reason", "dites pourquoi la ligne %d est exclue (par exemple « %s »)", i+1, NotStrictlyLinked)
		}
		errs.Check(validate.MaxLen(f+".reason", l.Reason, 300))
		eligible = eligible || l.Eligible
		y.Lines[i] = l
	}
	if len(y.Lines) > 0 && !eligible {
		errs.Add("lines", "aucune dépense n'est retenue : le coût unitaire ne peut pas être calculé")
	}
	y.BudgetUpdateReason = strings.TrimSpace(y.BudgetUpdateReason)
	if y.BudgetUpdate != 0 && y.BudgetUpdateReason == "" {
		errs.Add("budget_update_reason", "dites ce que l'actualisation au budget primitif prévoit (glissement vieillesse-technicité, nouveau contrat…)")
	}
	errs.Check(validate.MaxLen("budget_update_reason", y.BudgetUpdateReason, 300))
	if y.ForecastUnits.Sign() <= 0 {
		errs.Add("forecast_units", "indiquez la prévision d'utilisation du service en unités d'œuvre (CGCT D5211-16), un nombre positif")
	}
	if err := errs.Err(); err != nil {
		return y, err
	}
	if _, err := money.ServiceUnitCost(y.basis(year, Hour)); err != nil {
		return y, validate.Errors{{Field: "budget_update", Message: "le coût actualisé doit être positif : l'actualisation ne peut pas annuler les dépenses retenues"}}
	}
	return y, nil
}

// compute fills y's unit cost and explanation for service s.
func (y *Year) compute(s Service) error {
	uc, err := money.ServiceUnitCost(y.basis(y.Year, s.Unit))
	if err != nil {
		return err
	}
	y.UnitCost = uc
	y.Explain = uc.Explain()
	y.Applied = uc.PerUnit
	if s.RoundUnitCostFirst {
		p, err := money.UnitPrice{UnitCost: uc.PerUnit, RoundUnitCostFirst: true, Rounding: s.Rounding}.Price(nil)
		if err != nil {
			return err
		}
		y.Applied = p.AppliedUnitCost
		y.Explain = append(y.Explain, fmt.Sprintf("Coût unitaire arrondi au centime avant facturation, comme le prévoit la convention : %s\u00a0€/%s.",
			p.AppliedUnitCost.French(2), s.Unit.Label()))
	}
	return nil
}

// UnitCostText writes a unit cost for people: "28,00 €/heure", with more
// decimals when it is not a whole number of cents.
func UnitCostText(perUnit money.Rat, unit Unit) string {
	places := 2
	if !perUnit.Mul(money.IntRat(100)).IsInt() {
		places = 6
	}
	return perUnit.French(places) + "\u00a0€/" + unit.Label()
}

// SetYear records year's cost lines, budget update and forecast units for
// service id; version is the version of the year the user edited, 0 for a
// new year (store.ErrConflict when stale). The actor needs auth.Write on
// the provider.
func (m *Manager) SetYear(ctx context.Context, actor auth.Actor, id int64, year int, version int64, in YearInput) (Year, error) {
	s, _, err := m.loadForWrite(ctx, actor, id)
	if err != nil {
		return Year{}, fail("set year", err)
	}
	in.Lines = append([]CostLine(nil), in.Lines...)
	if in, err = in.check(year); err != nil {
		return Year{}, err
	}
	y := Year{ServiceID: id, Year: year, YearInput: in, UpdatedAt: m.clock()}
	if err := y.compute(s); err != nil {
		return Year{}, fail("set year", err)
	}
	err = m.db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if y.Version, err = saveYear(ctx, tx, y, version, actor.UserID()); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Audit(s.Provider.OrgID, "service.year.set", "service", strconv.FormatInt(id, 10),
			map[string]any{"year": year, "version": y.Version, "input": in, "eligible": y.UnitCost.Eligible.Plain(),
				"updated": y.UnitCost.Updated.Plain(), "per_unit": y.UnitCost.PerUnit, "applied": y.Applied}))
	})
	if err != nil {
		return Year{}, fail("set year", err)
	}
	notices, err := listNotices(ctx, m.db.Reader(), id, year)
	if err != nil {
		return Year{}, fail("set year", err)
	}
	y.Notification = m.noticeStatus(s, y, notices)
	return y, nil
}

// Year returns year of service id with its unit cost and notification
// status; store.ErrNotFound when the year is not recorded or the actor may
// not read the service.
func (m *Manager) Year(ctx context.Context, actor auth.Actor, id int64, year int) (Year, error) {
	s, _, err := m.load(ctx, actor, id)
	if err != nil {
		return Year{}, fail("year", err)
	}
	y, err := m.yearOf(ctx, s, year)
	if err != nil {
		return Year{}, fail("year", err)
	}
	return y, nil
}

func (m *Manager) yearOf(ctx context.Context, s Service, year int) (Year, error) {
	q := m.db.Reader()
	y, err := loadYear(ctx, q, s.ID, year)
	if err != nil {
		return Year{}, err
	}
	if err := y.compute(s); err != nil {
		return Year{}, err
	}
	notices, err := listNotices(ctx, q, s.ID, year)
	if err != nil {
		return Year{}, err
	}
	y.Notification = m.noticeStatus(s, y, notices)
	return y, nil
}

// Years returns every recorded year of service id, latest first.
func (m *Manager) Years(ctx context.Context, actor auth.Actor, id int64) ([]Year, error) {
	s, _, err := m.load(ctx, actor, id)
	if err != nil {
		return nil, fail("years", err)
	}
	return m.YearsOf(ctx, actor, s)
}

// YearsOf is Years for a service already read. s must come from Get (or
// ByAgreement) for the same actor in the same request: YearsOf does not read
// the service or its convention again, so it does not re-check that actor is
// a user of one of its parties.
func (m *Manager) YearsOf(ctx context.Context, actor auth.Actor, s Service) ([]Year, error) {
	if actor.Anonymous() {
		return nil, fail("years", auth.ErrUnauthenticated)
	}
	years, err := yearNumbers(ctx, m.db.Reader(), s.ID)
	if err != nil {
		return nil, fail("years", err)
	}
	out := make([]Year, 0, len(years))
	for _, n := range years {
		y, err := m.yearOf(ctx, s, n)
		if err != nil {
			return nil, fail("years", err)
		}
		out = append(out, y)
	}
	return out, nil
}

// errNoYear says the year's cost lines are missing.
func errNoYear(field string, year int) error {
	return validate.Errors{{Field: field, Message: fmt.Sprintf(
		"les dépenses et la prévision d'unités de %d ne sont pas encore saisies : le coût unitaire %d ne peut pas être calculé", year, year)}}
}

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }
