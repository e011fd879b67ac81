// Package territory holds the official French territory from the official
// geographic code (COG): régions, départements, communes, EPCI à fiscalité
// propre and their members, population figures with their source and vintage,
// and the geography (coordinates, shared borders) used for neighbour search.
//
// Territory data is public open data: every read here needs no actor.
package territory

import (
	"sync"
	"time"

	"voisines/internal/store"
)

// Population is one population figure of a commune. Figures of different
// sources or vintages are kept side by side, never mixed.
type Population struct {
	Measure string `json:"measure"` // "municipale", "totale" or "dgf"
	Source  string `json:"source"`  // SourceCommunes or SourceEPCI for the COG
	Vintage string `json:"vintage"` // e.g. "decoupage-administratif 6.0.0"
	Value   int64  `json:"value"`
}

// CommuneRef is the short form of a commune used in lists.
type CommuneRef struct {
	Code            string `json:"code"`
	Name            string `json:"name"`
	DepartementCode string `json:"departement"`
}

// Commune is a current commune of the COG.
type Commune struct {
	Code            string       `json:"code"`
	Name            string       `json:"name"`
	SIREN           string       `json:"siren"`
	DepartementCode string       `json:"departement"`
	DepartementName string       `json:"departement_name"`
	RegionCode      string       `json:"region"`
	RegionName      string       `json:"region_name"`
	Arrondissement  string       `json:"arrondissement,omitempty"`
	Zone            string       `json:"zone"`
	PostalCodes     []string     `json:"postal_codes"`
	EPCISIREN       string       `json:"epci_siren,omitempty"`
	EPCIName        string       `json:"epci_name,omitempty"`
	AlsaceMoselle   bool         `json:"droit_local_alsace_moselle"`
	Coordinates     *Point       `json:"coordinates,omitempty"`
	Populations     []Population `json:"populations"`
	// Retired communes are no longer in the latest imported COG (merged into a
	// commune nouvelle); they are kept for the organisations that refer to them.
	Retired bool `json:"retired,omitempty"`
}

// Point is a WGS84 position in degrees.
type Point struct {
	Lat float64 `json:"lat"`
	Lon float64 `json:"lon"`
}

// EPCI is an établissement public de coopération intercommunale à fiscalité
// propre (CC, CA, CU, METRO, MET69).
type EPCI struct {
	SIREN                string       `json:"siren"`
	Name                 string       `json:"name"`
	Type                 string       `json:"type"`      // CC, CA, CU, METRO, MET69
	Financing            string       `json:"financing"` // FPU or FA
	PopulationMunicipale int64        `json:"population_municipale"`
	PopulationTotale     int64        `json:"population_totale"`
	PopulationSource     string       `json:"population_source"`
	PopulationVintage    string       `json:"population_vintage"`
	Members              []CommuneRef `json:"members"`
	// Retired EPCI are no longer in the latest imported COG (merged or
	// dissolved); they keep no member.
	Retired bool `json:"retired,omitempty"`
}

// FPU reports whether the EPCI levies the fiscalité professionnelle unique.
func (e EPCI) FPU() bool { return e.Financing == "FPU" }

// Departement is a département of the COG.
type Departement struct {
	Code       string `json:"code"`
	Name       string `json:"name"`
	RegionCode string `json:"region"`
	Communes   int    `json:"communes"`
}

// Neighbour is a commune near another, with its great-circle distance (km,
// between the communes' points) and, for adjacent communes, the border length.
type Neighbour struct {
	CommuneRef
	DistanceKm float64 `json:"distance_km"`
	BorderM    int64   `json:"border_m,omitempty"`
}

// ImportReport says what an import did.
type ImportReport struct {
	Vintage       string `json:"vintage"` // e.g. "decoupage-administratif 6.0.0"
	Regions       int    `json:"regions"`
	Departements  int    `json:"departements"`
	Communes      int    `json:"communes"`
	EPCI          int    `json:"epci"`
	Members       int    `json:"members"`     // memberships of communes in EPCI
	Populations   int    `json:"populations"` // population figures written
	Organisations int    `json:"organisations"`
	Retired       int    `json:"retired"` // communes and EPCI no longer in the files
}

// GeoReport says what a geography import did.
type GeoReport struct {
	Coordinates int `json:"coordinates"`
	Adjacencies int `json:"adjacencies"`
}

// Progress is told how far a long import has gone; it may be nil.
type Progress func(stage string, done, total int)

// Service reads and imports the territory.
type Service struct {
	db *store.DB

	// mu guards the spatial index used by Within, built on first use and
	// dropped after an import (or when another process has imported since).
	mu        sync.Mutex
	grid      *grid
	gridRun   int64     // the last import_runs id when the grid was built
	gridCheck time.Time // when that id was last compared with the database
}

// New returns a Service over db.
func New(db *store.DB) *Service { return &Service{db: db} }
