// Package org holds the organisations that act in Voisines: every commune and
// EPCI of the imported territory, and the syndicats, commissions syndicales,
// départements, attached public bodies and associations created by users.
package org

import (
	"context"
	"errors"
	"time"

	"voisines/internal/auth"
	"voisines/internal/store"
)

var errNotYet = errors.New("org: not implemented yet")

// Kind is the legal nature of an organisation (domain.md §1).
type Kind string

// The kinds of organisation.
const (
	Commune             Kind = "commune"
	EPCI                Kind = "epci"
	SyndicatCommunes    Kind = "syndicat_communes"    // SIVU / SIVOM
	SyndicatMixte       Kind = "syndicat_mixte"
	CommissionSyndicale Kind = "commission_syndicale" // CGCT L5222-1, biens indivis
	Departement         Kind = "departement"
	Region              Kind = "region"
	EPARattache         Kind = "epa_rattache" // CCAS/CIAS, caisse des écoles
	Association         Kind = "association"
	OrganismePrive      Kind = "organisme_prive"
)

// Organisation is an organisation with its public contact details.
type Organisation struct {
	ID              int64     `json:"id"`
	Kind            Kind      `json:"kind"`
	Name            string    `json:"name"`
	SIREN           string    `json:"siren,omitempty"`
	CommuneCode     string    `json:"commune_code,omitempty"`
	EPCISIREN       string    `json:"epci_siren,omitempty"`
	DepartementCode string    `json:"departement,omitempty"`
	Profile         Profile   `json:"profile"`
	Version         int64     `json:"version"`
	UpdatedAt       time.Time `json:"updated_at"`
}

// Profile is the part of an organisation its own members keep up to date.
type Profile struct {
	Address        string `json:"address"`
	Email          string `json:"email"`
	Phone          string `json:"phone"`
	Website        string `json:"website"`
	Representative string `json:"representative"` // mayor, president
}

// Service reads and changes organisations.
type Service struct {
	db *store.DB
}

// New returns a Service over db.
func New(db *store.DB) *Service { return &Service{db: db} }

// Get returns an organisation by id.
func (s *Service) Get(ctx context.Context, id int64) (Organisation, error) {
	return Organisation{}, errNotYet
}

// ByCommune returns the organisation of the commune with INSEE code code.
func (s *Service) ByCommune(ctx context.Context, code string) (Organisation, error) {
	return Organisation{}, errNotYet
}

// BySIREN returns the organisation with that SIREN.
func (s *Service) BySIREN(ctx context.Context, siren string) (Organisation, error) {
	return Organisation{}, errNotYet
}

// UpdateProfile changes an organisation's profile. version is the version the
// user saw; an older one is refused with store.ErrConflict.
func (s *Service) UpdateProfile(ctx context.Context, actor auth.Actor, id, version int64, p Profile) (Organisation, error) {
	return Organisation{}, errNotYet
}
