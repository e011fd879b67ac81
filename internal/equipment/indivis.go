package equipment

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	"voisines/internal/audit"
	"voisines/internal/auth"
	"voisines/internal/civil"
	"voisines/internal/ledger"
	"voisines/internal/money"
	"voisines/internal/store"
	"voisines/internal/validate"
)

// Property is property held undivided by several communes (biens indivis,
// CGCT L5222-1): a forest, a mountain pasture, a church. A commission
// syndicale — an organisation of kind commission_syndicale — manages it;
// each co-owner commune holds an exact share (quote-part) from the titles,
// and the shares sum to exactly 1.
type Property struct {
	ID              int64  `json:"id"`
	CommissionOrgID int64  `json:"commission_org_id"`
	CommissionName  string `json:"commission_name"`
	Name            string `json:"name"`
	Description     string `json:"description"`
	// AgreementID is the convention or prefectoral order recorded in the
	// register (kind biens_indivis), 0 when not recorded.
	AgreementID int64     `json:"agreement_id,omitempty"`
	Shares      []Share   `json:"shares"`
	Version     int64     `json:"version"`
	CreatedAt   time.Time `json:"created_at"`
}

// Share is a co-owner's share of undivided property.
type Share struct {
	OrgID int64     `json:"org_id"`
	Name  string    `json:"name,omitempty"`
	Share money.Rat `json:"share"` // exact, "3/7"
	// Title is the deed or practice the share comes from.
	Title string `json:"title,omitempty"`
}

// NewProperty is what CreateProperty needs.
type NewProperty struct {
	Name        string  `json:"name"`
	Description string  `json:"description"`
	AgreementID int64   `json:"agreement_id,omitempty"`
	Shares      []Share `json:"shares"`
}

// CreateProperty records undivided property managed by a commission
// syndicale; the actor must write for the commission. The co-owners must
// be at least two distinct communes whose shares are positive and sum to
// exactly 1.
func (s *Service) CreateProperty(ctx context.Context, actor auth.Actor, commissionOrgID int64, n NewProperty) (Property, error) {
	if err := auth.Authorize(actor, auth.Write, commissionOrgID); err != nil {
		return Property{}, fmt.Errorf("equipment: create property: %w", err)
	}
	q := s.db.Reader()
	var errs validate.Errors
	n.Name, n.Description = strings.TrimSpace(n.Name), strings.TrimSpace(n.Description)
	if n.Name == "" {
		errs.Add("name", "le nom du bien est obligatoire")
	}
	errs.Check(validate.MaxLen("name", n.Name, 200))
	errs.Check(validate.MaxLen("description", n.Description, 5000))
	commission, err := orgParty(ctx, q, commissionOrgID)
	if err != nil {
		return Property{}, err
	}
	if commission.kind != "commission_syndicale" {
		errs.Add("commission_org_id", "%s n'est pas une commission syndicale (CGCT L5222-1)", validate.Quote(commission.name))
	}
	if len(n.Shares) < 2 {
		errs.Add("shares", "un bien indivis appartient à au moins deux communes")
	}
	sum := new(big.Rat)
	seen := map[int64]bool{}
	for i, sh := range n.Shares {
		field := fmt.Sprintf("shares[%d]", i)
		p, err := orgParty(ctx, q, sh.OrgID)
		if err != nil {
			errs.Add(field+".org_id", "cet organisme n'existe pas")
			continue
		}
		if p.kind != "commune" {
			errs.Add(field+".org_id", "%s n'est pas une commune : seules des communes possèdent des biens indivis (L5222-1)", validate.Quote(p.name))
		}
		if seen[sh.OrgID] {
			errs.Add(field+".org_id", "%s figure deux fois", validate.Quote(p.name))
		}
		seen[sh.OrgID] = true
		r := sh.Share.Big()
		if r.Sign() <= 0 {
			errs.Add(field+".share", "la quote-part de %s doit être positive", validate.Quote(p.name))
		}
		if !r.Num().IsInt64() || !r.Denom().IsInt64() {
			errs.Add(field+".share", "la quote-part de %s est trop grande", validate.Quote(p.name))
		}
		errs.Check(validate.MaxLen(field+".title", sh.Title, 500))
		sum.Add(sum, r)
	}
	if len(n.Shares) >= 2 && sum.Cmp(big.NewRat(1, 1)) != 0 {
		errs.Add("shares", "les quotes-parts doivent totaliser exactement 1 (elles totalisent %s)", sum.RatString())
	}
	if err := errs.Err(); err != nil {
		return Property{}, err
	}
	var id int64
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		now := s.clock()
		if err := tx.QueryRowContext(ctx, `INSERT INTO undivided_properties (commission_org_id, name, description,
			agreement_id, version, created_at, updated_at) VALUES (?, ?, ?, ?, 1, ?, ?) RETURNING id`,
			commissionOrgID, n.Name, n.Description, nullID(n.AgreementID), now, now).Scan(&id); err != nil {
			if errors.Is(store.MapError(err), store.ErrConflict) {
				return validate.FieldError{Field: "name", Message: "la commission gère déjà un bien de ce nom"}
			}
			return err
		}
		for i, sh := range n.Shares {
			r := sh.Share.Big()
			if _, err := tx.ExecContext(ctx, `INSERT INTO undivided_shares (property_id, org_id, position, share_num, share_den, title)
				VALUES (?, ?, ?, ?, ?, ?)`, id, sh.OrgID, i+1, r.Num().Int64(), r.Denom().Int64(), strings.TrimSpace(sh.Title)); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, actor.Audit(commissionOrgID, "indivis.create", "undivided_property", strconv.FormatInt(id, 10), n))
	})
	if err != nil {
		return Property{}, fmt.Errorf("equipment: create property %s: %w", n.Name, err)
	}
	return s.property(ctx, id)
}

func (s *Service) property(ctx context.Context, id int64) (Property, error) {
	q := s.db.Reader()
	var p Property
	var agreement sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT p.id, p.commission_org_id, o.name, p.name, p.description, p.agreement_id,
		p.version, p.created_at FROM undivided_properties p JOIN organisations o ON o.id = p.commission_org_id
		WHERE p.id = ?`, id).Scan(&p.ID, &p.CommissionOrgID, &p.CommissionName, &p.Name, &p.Description, &agreement,
		&p.Version, &p.CreatedAt)
	if err != nil {
		return Property{}, fmt.Errorf("equipment: property %d: %w", id, store.MapError(err))
	}
	p.AgreementID, p.CreatedAt = agreement.Int64, p.CreatedAt.UTC()
	rows, err := q.QueryContext(ctx, `SELECT s.org_id, o.name, s.share_num, s.share_den, s.title
		FROM undivided_shares s JOIN organisations o ON o.id = s.org_id WHERE s.property_id = ? ORDER BY s.position`, id)
	if err != nil {
		return Property{}, fmt.Errorf("equipment: property %d: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var sh Share
		var num, den int64
		if err := rows.Scan(&sh.OrgID, &sh.Name, &num, &den, &sh.Title); err != nil {
			return Property{}, fmt.Errorf("equipment: property %d: %w", id, err)
		}
		sh.Share = money.NewRat(num, den)
		p.Shares = append(p.Shares, sh)
	}
	return p, rows.Err()
}

// mayReadProperty reports whether actor is a member of the commission or
// of a co-owner.
func mayReadProperty(actor auth.Actor, p Property) bool {
	if auth.Authorize(actor, auth.ReadPrivate, p.CommissionOrgID) == nil {
		return true
	}
	for _, sh := range p.Shares {
		if auth.Authorize(actor, auth.ReadPrivate, sh.OrgID) == nil {
			return true
		}
	}
	return false
}

// Property returns undivided property with its shares, for the members of
// the commission and of the co-owners.
func (s *Service) Property(ctx context.Context, actor auth.Actor, id int64) (Property, error) {
	p, err := s.property(ctx, id)
	if err != nil {
		return Property{}, err
	}
	if !mayReadProperty(actor, p) {
		if actor.User == nil {
			return Property{}, fmt.Errorf("equipment: property %d: %w", id, auth.ErrUnauthenticated)
		}
		// Neither the commission's nor a co-owner's: as if it did not exist.
		return Property{}, fmt.Errorf("equipment: property %d: %w", id, store.ErrNotFound)
	}
	return p, nil
}

// Accounts are a commission's receipts and expenses of one year for one
// property.
type Accounts struct {
	Year     int         `json:"year"`
	Receipts money.Cents `json:"receipts"`
	Expenses money.Cents `json:"expenses"`
	Note     string      `json:"note,omitempty"`
}

// RecordAccounts records (or corrects) a year's receipts and expenses; the
// actor must write for the commission.
func (s *Service) RecordAccounts(ctx context.Context, actor auth.Actor, propertyID int64, a Accounts) error {
	p, err := s.property(ctx, propertyID)
	if err != nil {
		return err
	}
	if err := auth.Authorize(actor, auth.Write, p.CommissionOrgID); err != nil {
		return fmt.Errorf("equipment: accounts of property %d: %w", propertyID, err)
	}
	var errs validate.Errors
	if a.Year < 1900 || a.Year > 2200 {
		errs.Add("year", "année invalide")
	}
	if a.Receipts < 0 {
		errs.Add("receipts", "les recettes ne peuvent pas être négatives")
	}
	if a.Expenses < 0 {
		errs.Add("expenses", "les dépenses ne peuvent pas être négatives")
	}
	a.Note = strings.TrimSpace(a.Note)
	errs.Check(validate.MaxLen("note", a.Note, 1000))
	if err := errs.Err(); err != nil {
		return err
	}
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO undivided_accounts (property_id, year, receipts, expenses, note,
			recorded_by_name, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (property_id, year) DO UPDATE SET receipts = excluded.receipts, expenses = excluded.expenses,
			note = excluded.note, recorded_by_name = excluded.recorded_by_name, recorded_at = excluded.recorded_at`,
			propertyID, a.Year, int64(a.Receipts), int64(a.Expenses), a.Note, actor.String(), s.clock()); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Audit(p.CommissionOrgID, "indivis.accounts", "undivided_property",
			strconv.FormatInt(propertyID, 10), a))
	})
	if err != nil {
		return fmt.Errorf("equipment: accounts of property %d: %w", propertyID, err)
	}
	return nil
}

// Distribution is a year's surplus or deficit of undivided property split
// between the co-owners by their shares (largest-remainder method, in
// cents, so that the parts sum exactly to the result).
type Distribution struct {
	PropertyID int64       `json:"property_id"`
	Year       int         `json:"year"`
	Receipts   money.Cents `json:"receipts"`
	Expenses   money.Cents `json:"expenses"`
	// Result is receipts − expenses: a surplus when positive, a deficit
	// when negative.
	Result     money.Cents        `json:"result"`
	Lines      []DistributionLine `json:"lines"`
	Allocation money.Allocation   `json:"allocation"`
	// Explanation is the computation in French, line by line.
	Explanation []string `json:"explanation"`
}

// DistributionLine is one co-owner's part.
type DistributionLine struct {
	OrgID  int64       `json:"org_id"`
	Name   string      `json:"name"`
	Share  money.Rat   `json:"share"`
	Amount money.Cents `json:"amount"` // received when positive, owed when negative
	// Compulsory marks a share of a deficit: once assigned it is a dépense
	// obligatoire of the commune (CGCT L5222-2).
	Compulsory bool `json:"compulsory"`
}

// Split computes the distribution of a year's result as the commission
// proposes it to the councils, which decide within three months
// (L5222-2); members of the commission and of the co-owners may read it.
func (s *Service) Split(ctx context.Context, actor auth.Actor, propertyID int64, year int) (Distribution, error) {
	p, err := s.Property(ctx, actor, propertyID)
	if err != nil {
		return Distribution{}, err
	}
	d := Distribution{PropertyID: propertyID, Year: year}
	var receipts, expenses int64
	err = s.db.Reader().QueryRowContext(ctx, `SELECT receipts, expenses FROM undivided_accounts WHERE property_id = ? AND year = ?`,
		propertyID, year).Scan(&receipts, &expenses)
	if isNotFound(err) {
		return Distribution{}, validate.FieldError{Field: "year", Message: fmt.Sprintf("aucun compte n'est enregistré pour %d", year)}
	}
	if err != nil {
		return Distribution{}, fmt.Errorf("equipment: split property %d: %w", propertyID, err)
	}
	d.Receipts, d.Expenses = money.Cents(receipts), money.Cents(expenses)
	if d.Result, err = d.Receipts.Sub(d.Expenses); err != nil {
		return Distribution{}, err
	}
	return d, p.split(&d)
}

// split fills d's lines from its Result and the property's shares.
func (p Property) split(d *Distribution) error {
	parties := make([]string, len(p.Shares))
	figures := make([]money.Figure, len(p.Shares))
	for i, sh := range p.Shares {
		parties[i] = sh.Name
		figures[i] = money.Figure{Party: sh.Name, Value: sh.Share}
	}
	key := money.Key{Kind: money.KeyFixed, Label: "quotes-parts des titres de propriété", Figures: figures}
	shares, err := key.Shares(parties)
	if err != nil {
		return fmt.Errorf("equipment: shares of property %d: %w", p.ID, err)
	}
	if d.Allocation, err = money.Allocate(d.Result, shares); err != nil {
		return fmt.Errorf("equipment: split property %d: %w", p.ID, err)
	}
	what := "excédent"
	if d.Result < 0 {
		what = "déficit"
	}
	d.Explanation = []string{fmt.Sprintf("%s %d : recettes %s − dépenses %s = %s %s.", p.Name, d.Year, d.Receipts, d.Expenses, what, d.Result)}
	d.Explanation = append(d.Explanation, d.Allocation.Explain()...)
	for i, l := range d.Allocation.Lines {
		d.Lines = append(d.Lines, DistributionLine{OrgID: p.Shares[i].OrgID, Name: p.Shares[i].Name, Share: l.Share,
			Amount: l.Amount, Compulsory: l.Amount < 0})
	}
	if d.Result < 0 {
		d.Explanation = append(d.Explanation, "La part du déficit assignée à chaque commune est une dépense obligatoire (CGCT L5222-2).")
	}
	return nil
}

// Properties lists the undivided properties whose commission or one of
// whose co-owners the actor is a member of, by name.
func (s *Service) Properties(ctx context.Context, actor auth.Actor) ([]Property, error) {
	if actor.User == nil {
		return nil, fmt.Errorf("equipment: properties: %w", auth.ErrUnauthenticated)
	}
	// Few properties exist (a handful per département): each is read whole
	// and kept when mayReadProperty says so, the one rule of who sees it.
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT id FROM undivided_properties ORDER BY name, id`)
	if err != nil {
		return nil, fmt.Errorf("equipment: properties: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, fmt.Errorf("equipment: properties: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("equipment: properties: %w", err)
	}
	var out []Property
	for _, id := range ids {
		p, err := s.property(ctx, id)
		if err != nil {
			return nil, err
		}
		if mayReadProperty(actor, p) {
			out = append(out, p)
		}
	}
	return out, nil
}

// RecordedAccounts is a year's accounts as recorded, with who recorded them.
type RecordedAccounts struct {
	Accounts
	RecordedBy string    `json:"recorded_by"`
	RecordedAt time.Time `json:"recorded_at"`
}

// AccountsOf lists the years recorded for a property, latest first, to
// the members of its commission and co-owners.
func (s *Service) AccountsOf(ctx context.Context, actor auth.Actor, propertyID int64) ([]RecordedAccounts, error) {
	if _, err := s.Property(ctx, actor, propertyID); err != nil {
		return nil, err
	}
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT year, receipts, expenses, note, recorded_by_name, recorded_at
		FROM undivided_accounts WHERE property_id = ? ORDER BY year DESC`, propertyID)
	if err != nil {
		return nil, fmt.Errorf("equipment: accounts of property %d: %w", propertyID, err)
	}
	defer rows.Close()
	var out []RecordedAccounts
	for rows.Next() {
		var a RecordedAccounts
		var receipts, expenses int64
		if err := rows.Scan(&a.Year, &receipts, &expenses, &a.Note, &a.RecordedBy, &a.RecordedAt); err != nil {
			return nil, fmt.Errorf("equipment: accounts of property %d: %w", propertyID, err)
		}
		a.Receipts, a.Expenses, a.RecordedAt = money.Cents(receipts), money.Cents(expenses), a.RecordedAt.UTC()
		out = append(out, a)
	}
	return out, rows.Err()
}

// StatementRequest is the request to the financial engine (package
// ledger) that splits a year's surplus or deficit of undivided property
// between its co-owners, as titres and mandats: the year's receipts and
// expenses under the property's convention, whose key is the shares of
// the titles. The commission's managers draft it (ledger.Service.Draft)
// and issue it from the finances pages. A property not linked to a
// convention of the register cannot be split through the engine.
func (s *Service) StatementRequest(ctx context.Context, actor auth.Actor, propertyID int64, year int) (ledger.Request, error) {
	p, err := s.Property(ctx, actor, propertyID)
	if err != nil {
		return ledger.Request{}, err
	}
	if err := auth.Authorize(actor, auth.Write, p.CommissionOrgID); err != nil {
		return ledger.Request{}, fmt.Errorf("equipment: statement of property %d: %w", propertyID, err)
	}
	if p.AgreementID == 0 {
		return ledger.Request{}, validate.FieldError{Field: "agreement_id", Message: "ce bien n'est rattaché à aucune convention du registre : " +
			"enregistrez la convention ou l'arrêté de biens indivis, avec ses conditions financières, pour que la répartition donne lieu à des titres et des mandats"}
	}
	d, err := s.Split(ctx, actor, propertyID, year)
	if err != nil {
		return ledger.Request{}, err
	}
	return ledger.Request{AgreementID: p.AgreementID, From: civil.New(year, time.January, 1), To: civil.New(year, time.December, 31),
		Label:     fmt.Sprintf("%s, exercice %d", p.Name, year),
		Receipts:  []money.CostLine{{Label: fmt.Sprintf("Recettes %d de la commission syndicale", year), Amount: d.Receipts, Eligible: true}},
		CostLines: []money.CostLine{{Label: fmt.Sprintf("Dépenses %d de la commission syndicale", year), Amount: d.Expenses, Eligible: true}}}, nil
}
