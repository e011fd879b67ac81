// Package server assembles the HTTP face of Voisines: the HTML pages
// (internal/web), the JSON API (internal/api), health endpoints and the
// shared middleware, over one set of domain services.
package server

import (
	"log/slog"

	"voisines/internal/auth"
	"voisines/internal/org"
	"voisines/internal/store"
	"voisines/internal/territory"
)

// Deps is everything the HTTP faces need, built once by `serve`.
type Deps struct {
	DB        *store.DB
	Log       *slog.Logger
	Territory *territory.Service
	Orgs      *org.Service
	Auth      *auth.Service
	// SecureCookies marks cookies Secure (true behind HTTPS).
	SecureCookies bool
}
