package ledger

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"voisines/internal/agreement"
	"voisines/internal/audit"
	"voisines/internal/auth"
	"voisines/internal/money"
	"voisines/internal/store"
	"voisines/internal/validate"
)

// Year is an organisation's financial year under its conventions: the
// titres it must issue and the mandats it should expect, each gross, with
// totals per convention and per partner.
type Year struct {
	OrgID int64  `json:"org_id"`
	Name  string `json:"name"`
	SIREN string `json:"siren,omitempty"`
	Year  int    `json:"year"`
	// Titres are the current flows the organisation is creditor of: the
	// titres de recettes to issue. Mandats are those it is debtor of.
	// Neither holds flows settled against the attribution de compensation.
	Titres       []Flow      `json:"titres"`
	Mandats      []Flow      `json:"mandats"`
	TotalTitres  money.Cents `json:"total_titres"`
	TotalMandats money.Cents `json:"total_mandats"`
	// Imputations are the current flows settled against the attribution
	// de compensation (a service commun of an EPCI à FPU): neither titre
	// nor mandat, the AC the EPCI pays the commune is reduced by each.
	// Their totals as creditor (the EPCI) and as debtor (the commune).
	Imputations              []Flow      `json:"imputations_ac"`
	TotalImputationsCreditor money.Cents `json:"total_imputations_ac_creditor"`
	TotalImputationsDebtor   money.Cents `json:"total_imputations_ac_debtor"`
	// TitresToCancel are flows replaced by a correction whose titre the
	// organisation had recorded and has yet to cancel or reduce (titre
	// d'annulation or de réduction); MandatsToCancel those whose mandat it
	// had recorded and has yet to cancel. Each stays listed until the
	// cancellation's reference is recorded, then moves to TitresCancelled
	// or MandatsCancelled: a correction never makes a recorded document
	// silently disappear.
	TitresToCancel  []Flow `json:"titres_to_cancel"`
	MandatsToCancel []Flow `json:"mandats_to_cancel"`
	// TitresCancelled and MandatsCancelled are the same flows once the
	// organisation recorded the cancellation (Flow.TitreCancellation,
	// Flow.MandatCancellation): done, shown as such beside those still to
	// do, with the cancellation's reference.
	TitresCancelled  []Flow `json:"titres_cancelled"`
	MandatsCancelled []Flow `json:"mandats_cancelled"`
	// Conventions and Partners sum the same flows by convention and by
	// partner organisation.
	Conventions []ConventionYear `json:"conventions"`
	Partners    []PartnerYear    `json:"partners"`
}

// ConventionYear is one convention's share of an organisation's year.
type ConventionYear struct {
	AgreementID int64          `json:"agreement_id"`
	Reference   string         `json:"reference"`
	Title       string         `json:"title"`
	Kind        agreement.Kind `json:"kind"`
	Titres      money.Cents    `json:"titres"`
	Mandats     money.Cents    `json:"mandats"`
	// ImputationsCreditor and ImputationsDebtor sum the flows settled
	// against the attribution de compensation, as creditor and as debtor.
	ImputationsCreditor money.Cents `json:"imputations_ac_creditor"`
	ImputationsDebtor   money.Cents `json:"imputations_ac_debtor"`
	// Standalone is what the organisation states doing it alone would
	// cost, when recorded; then NetCost and Saving are computed for
	// information: NetCost = own cost + mandats + imputations as debtor −
	// titres − imputations as creditor, Saving = Standalone.Cost −
	// NetCost. Neither is ever booked.
	Standalone *Standalone  `json:"standalone,omitempty"`
	NetCost    *money.Cents `json:"net_cost_information,omitempty"`
	Saving     *money.Cents `json:"saving_information,omitempty"`
}

// PartnerYear sums an organisation's flows with one partner.
type PartnerYear struct {
	OrgID   int64       `json:"org_id"`
	Name    string      `json:"name"`
	SIREN   string      `json:"siren,omitempty"`
	Titres  money.Cents `json:"titres"`
	Mandats money.Cents `json:"mandats"`
	// ImputationsCreditor and ImputationsDebtor sum the flows with the
	// partner settled against the attribution de compensation.
	ImputationsCreditor money.Cents `json:"imputations_ac_creditor"`
	ImputationsDebtor   money.Cents `json:"imputations_ac_debtor"`
	// NetInformation is Titres + ImputationsCreditor − Mandats −
	// ImputationsDebtor: information only. Budget entries stay gross; only
	// the two public accountants may settle reciprocal debts by legal
	// set-off (domain.md §6).
	NetInformation money.Cents `json:"net_position_information_only"`
}

// Standalone is an organisation's stated cost of doing alone, in a year,
// what a convention does, and its own spending on the convention outside
// the flows.
type Standalone struct {
	AgreementID int64       `json:"agreement_id"`
	OrgID       int64       `json:"org_id"`
	Year        int         `json:"year"`
	Cost        money.Cents `json:"standalone_cost"`
	OwnCost     money.Cents `json:"own_cost"`
	Note        string      `json:"note,omitempty"`
}

// NetLabel is how every face labels a net position.
const NetLabel = "Position nette (information seulement — jamais comptabilisée)"

// Year returns organisation orgID's year. The actor needs auth.ReadPrivate
// on the organisation.
func (s *Service) Year(ctx context.Context, actor auth.Actor, orgID int64, year int) (Year, error) {
	if err := auth.Authorize(actor, auth.ReadPrivate, orgID); err != nil {
		return Year{}, fail("year", err)
	}
	q := s.db.Reader()
	y := Year{OrgID: orgID, Year: year}
	err := q.QueryRowContext(ctx, `SELECT o.name, COALESCE(o.siren, c.siren, o.epci_siren, '') FROM organisations o
		LEFT JOIN communes c ON c.code = o.commune_code WHERE o.id = ?`, orgID).Scan(&y.Name, &y.SIREN)
	if err != nil {
		return Year{}, fail("year", fmt.Errorf("organisation %d: %w", orgID, store.MapError(err)))
	}
	flows, err := listFlows(ctx, q, `f.fiscal_year = ? AND (f.creditor_org_id = ? OR f.debtor_org_id = ?)`, year, orgID, orgID)
	if err != nil {
		return Year{}, fail("year", err)
	}
	standalone, err := standaloneCosts(ctx, q, orgID, year)
	if err != nil {
		return Year{}, fail("year", err)
	}
	titles, err := conventionTitles(ctx, q, orgID, year)
	if err != nil {
		return Year{}, fail("year", err)
	}
	if err := y.add(flows, standalone, titles); err != nil {
		return Year{}, fail("year", err)
	}
	for _, l := range []*[]Flow{&y.Titres, &y.Mandats, &y.Imputations, &y.TitresToCancel, &y.MandatsToCancel,
		&y.TitresCancelled, &y.MandatsCancelled} {
		if *l == nil {
			*l = []Flow{}
		}
	}
	if y.Conventions == nil {
		y.Conventions = []ConventionYear{}
	}
	if y.Partners == nil {
		y.Partners = []PartnerYear{}
	}
	return y, nil
}

// add sums the current flows into y, gross.
func (y *Year) add(flows []Flow, standalone []Standalone, titles map[int64]ConventionYear) error {
	conv := map[int64]*ConventionYear{}
	partner := map[int64]*PartnerYear{}
	convOf := func(id int64) *ConventionYear {
		if c, ok := conv[id]; ok {
			return c
		}
		c := titles[id]
		c.AgreementID = id
		conv[id] = &c
		return &c
	}
	var err error
	for _, f := range flows {
		if !f.Current {
			switch {
			case f.Creditor.OrgID == y.OrgID && f.TitreToCancel():
				y.TitresToCancel = append(y.TitresToCancel, f)
			case f.Creditor.OrgID == y.OrgID && f.Titre != nil && f.TitreCancellation != nil:
				y.TitresCancelled = append(y.TitresCancelled, f)
			case f.Debtor.OrgID == y.OrgID && f.MandatToCancel():
				y.MandatsToCancel = append(y.MandatsToCancel, f)
			case f.Debtor.OrgID == y.OrgID && f.Mandat != nil && f.MandatCancellation != nil:
				y.MandatsCancelled = append(y.MandatsCancelled, f)
			}
			continue
		}
		c := convOf(f.AgreementID)
		switch {
		case f.AgainstAC() && f.Creditor.OrgID == y.OrgID:
			y.Imputations = append(y.Imputations, f)
			p := partnerOf(partner, f.Debtor)
			err = addTo(f.Amount, &y.TotalImputationsCreditor, &c.ImputationsCreditor, &p.ImputationsCreditor)
		case f.AgainstAC():
			y.Imputations = append(y.Imputations, f)
			p := partnerOf(partner, f.Creditor)
			err = addTo(f.Amount, &y.TotalImputationsDebtor, &c.ImputationsDebtor, &p.ImputationsDebtor)
		case f.Creditor.OrgID == y.OrgID:
			y.Titres = append(y.Titres, f)
			p := partnerOf(partner, f.Debtor)
			err = addTo(f.Amount, &y.TotalTitres, &c.Titres, &p.Titres)
		default:
			y.Mandats = append(y.Mandats, f)
			p := partnerOf(partner, f.Creditor)
			err = addTo(f.Amount, &y.TotalMandats, &c.Mandats, &p.Mandats)
		}
		if err != nil {
			return err
		}
	}
	for _, st := range standalone {
		c := convOf(st.AgreementID)
		sa := st
		c.Standalone = &sa
		net, err := money.Sum(st.OwnCost, c.Mandats, c.ImputationsDebtor, -c.Titres, -c.ImputationsCreditor)
		if err != nil {
			return err
		}
		saving, err := st.Cost.Sub(net)
		if err != nil {
			return err
		}
		c.NetCost, c.Saving = &net, &saving
	}
	for _, c := range conv {
		y.Conventions = append(y.Conventions, *c)
	}
	slices.SortFunc(y.Conventions, func(a, b ConventionYear) int { return strings.Compare(a.Reference, b.Reference) })
	for _, p := range partner {
		if p.NetInformation, err = money.Sum(p.Titres, p.ImputationsCreditor, -p.Mandats, -p.ImputationsDebtor); err != nil {
			return err
		}
		y.Partners = append(y.Partners, *p)
	}
	slices.SortFunc(y.Partners, func(a, b PartnerYear) int {
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return int(a.OrgID - b.OrgID)
	})
	return nil
}

// addTo adds amount to each of totals, or returns money.ErrOverflow.
func addTo(amount money.Cents, totals ...*money.Cents) error {
	for _, t := range totals {
		sum, err := t.Add(amount)
		if err != nil {
			return err
		}
		*t = sum
	}
	return nil
}

func partnerOf(m map[int64]*PartnerYear, p PartyRef) *PartnerYear {
	if x, ok := m[p.OrgID]; ok {
		return x
	}
	x := &PartnerYear{OrgID: p.OrgID, Name: p.Name, SIREN: p.SIREN}
	m[p.OrgID] = x
	return x
}

// conventionTitles returns the reference, title and kind of the
// conventions orgID has flows or stated costs under in year.
func conventionTitles(ctx context.Context, q store.Querier, orgID int64, year int) (map[int64]ConventionYear, error) {
	rows, err := q.QueryContext(ctx, `SELECT a.id, a.reference, a.title, a.kind FROM agreements a WHERE a.id IN (
		SELECT agreement_id FROM ledger_flows WHERE fiscal_year = ? AND (creditor_org_id = ? OR debtor_org_id = ?)
		UNION SELECT agreement_id FROM ledger_standalone_costs WHERE year = ? AND org_id = ?)`, year, orgID, orgID, year, orgID)
	if err != nil {
		return nil, fmt.Errorf("conventions: %w", err)
	}
	defer rows.Close()
	out := map[int64]ConventionYear{}
	for rows.Next() {
		var c ConventionYear
		var kind string
		if err := rows.Scan(&c.AgreementID, &c.Reference, &c.Title, &kind); err != nil {
			return nil, err
		}
		c.Kind = agreement.Kind(kind)
		out[c.AgreementID] = c
	}
	return out, rows.Err()
}

func standaloneCosts(ctx context.Context, q store.Querier, orgID int64, year int) ([]Standalone, error) {
	rows, err := q.QueryContext(ctx, `SELECT agreement_id, org_id, year, standalone_cost, own_cost, note
		FROM ledger_standalone_costs WHERE org_id = ? AND year = ? ORDER BY agreement_id`, orgID, year)
	if err != nil {
		return nil, fmt.Errorf("standalone costs: %w", err)
	}
	defer rows.Close()
	var out []Standalone
	for rows.Next() {
		var st Standalone
		if err := rows.Scan(&st.AgreementID, &st.OrgID, &st.Year, &st.Cost, &st.OwnCost, &st.Note); err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, rows.Err()
}

// SetStandalone records what doing alone what convention st.AgreementID
// does would cost organisation st.OrgID in st.Year, and its own spending on
// it. The organisation must be a party; the actor needs auth.Write on it.
func (s *Service) SetStandalone(ctx context.Context, actor auth.Actor, st Standalone) error {
	st.Note = strings.TrimSpace(st.Note)
	var errs validate.Errors
	if st.Cost < 0 {
		errs.Add("standalone_cost", "un coût ne peut pas être négatif")
	}
	if st.OwnCost < 0 {
		errs.Add("own_cost", "un coût ne peut pas être négatif")
	}
	if st.Year < 2000 || st.Year > 2100 {
		errs.Add("year", "exercice invalide : %d", st.Year)
	}
	errs.Check(validate.MaxLen("note", st.Note, 1000))
	if err := errs.Err(); err != nil {
		return err
	}
	if err := auth.Authorize(actor, auth.Write, st.OrgID); err != nil {
		return fail("set standalone cost", err)
	}
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		c, err := readConvention(ctx, tx, actor, st.AgreementID)
		if err != nil {
			return err
		}
		if !slices.Contains(c.Readers, st.OrgID) {
			return validate.Errors{{Field: "org_id", Message: "l'organisation n'est pas partie à la convention"}}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO ledger_standalone_costs (agreement_id, org_id, year, standalone_cost,
			own_cost, note, recorded_at, recorded_by_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (agreement_id, org_id, year) DO UPDATE SET standalone_cost = excluded.standalone_cost,
			own_cost = excluded.own_cost, note = excluded.note, recorded_at = excluded.recorded_at,
			recorded_by_name = excluded.recorded_by_name`,
			st.AgreementID, st.OrgID, st.Year, int64(st.Cost), int64(st.OwnCost), st.Note, s.clock(), actor.String()); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Audit(st.OrgID, "ledger.standalone.set", "agreement",
			strconv.FormatInt(st.AgreementID, 10), map[string]any{"year": st.Year, "standalone_cost": st.Cost.Plain(),
				"own_cost": st.OwnCost.Plain(), "note": st.Note}))
	})
	if err != nil {
		return fail("set standalone cost", err)
	}
	return nil
}
