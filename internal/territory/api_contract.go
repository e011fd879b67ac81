package territory

import (
	"context"
	"errors"
	"io/fs"
)

// The operations below are the package's contract with the web, API and CLI
// faces. Their bodies are being written; each returns errNotYet until then.
var errNotYet = errors.New("territory: not implemented yet")

// Commune returns the commune with INSEE code code, or store.ErrNotFound.
func (s *Service) Commune(ctx context.Context, code string) (Commune, error) {
	return Commune{}, errNotYet
}

// EPCI returns the EPCI with the given SIREN and its member communes.
func (s *Service) EPCI(ctx context.Context, siren string) (EPCI, error) { return EPCI{}, errNotYet }

// Departement returns a département.
func (s *Service) Departement(ctx context.Context, code string) (Departement, error) {
	return Departement{}, errNotYet
}

// Search finds communes by name (accent- and case-insensitive prefix or
// substring), INSEE code or postal code, best matches first.
func (s *Service) Search(ctx context.Context, q string, limit int) ([]CommuneRef, error) {
	return nil, errNotYet
}

// Adjacent lists the communes sharing a border with code.
func (s *Service) Adjacent(ctx context.Context, code string) ([]Neighbour, error) {
	return nil, errNotYet
}

// Within lists the communes whose point lies within km of code's point,
// nearest first, without code itself.
func (s *Service) Within(ctx context.Context, code string, km float64) ([]Neighbour, error) {
	return nil, errNotYet
}

// ImportCOG imports the official geographic code from the four JSON files of
// @etalab/decoupage-administratif (communes.json, epci.json,
// departements.json, regions.json) found in dir; all or nothing.
func (s *Service) ImportCOG(ctx context.Context, dir fs.FS, progress Progress) (ImportReport, error) {
	return ImportReport{}, errNotYet
}

// ImportShippedCOG imports the territory shipped inside the binary.
func (s *Service) ImportShippedCOG(ctx context.Context, progress Progress) (ImportReport, error) {
	return ImportReport{}, errNotYet
}

// ImportGeo imports commune coordinates and adjacency from CSV; all or nothing.
func (s *Service) ImportGeo(ctx context.Context, coordsPath, adjacencyPath string, progress Progress) (GeoReport, error) {
	return GeoReport{}, errNotYet
}
