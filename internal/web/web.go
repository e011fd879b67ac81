// Package web is the HTML face of Voisines: server-rendered French pages for
// the public territory (communes, EPCI) and for members keeping their
// organisation's data. Templates and the stylesheet are embedded and parsed at
// start-up; pages need no JavaScript.
package web

import (
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"

	"voisines/internal/auth"
	"voisines/internal/org"
	"voisines/internal/territory"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Config is what the pages need.
type Config struct {
	Territory     *territory.Service
	Orgs          *org.Service
	Auth          *auth.Service
	Log           *slog.Logger
	SecureCookies bool
}

// Handler serves the HTML pages.
type Handler struct {
	territory *territory.Service
	orgs      *org.Service
	auth      *auth.Service
	log       *slog.Logger
	secure    bool
	pages     map[string]*template.Template
	assets    *assets
}

// pageNames are the page templates; each defines "content" and is rendered
// inside layout.html.
var pageNames = []string{"home", "login", "communes", "commune", "epci", "profile", "account", "error"}

// New parses every template and hashes every asset; a missing or broken file
// fails here, at start-up, not on the first request.
func New(cfg Config) (*Handler, error) {
	h := &Handler{
		territory: cfg.Territory,
		orgs:      cfg.Orgs,
		auth:      cfg.Auth,
		log:       cfg.Log,
		secure:    cfg.SecureCookies,
		pages:     make(map[string]*template.Template, len(pageNames)),
	}
	if h.log == nil {
		h.log = slog.Default()
	}
	static, err := fs.Sub(staticFS, "static")
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	if h.assets, err = loadAssets(static); err != nil {
		return nil, err
	}
	funcs := templateFuncs(h.assets)
	for _, name := range pageNames {
		t, err := template.New(name).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/partials.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("web: parse template %s: %w", name, err)
		}
		if t.Lookup("content") == nil {
			return nil, fmt.Errorf("web: template %s defines no content", name)
		}
		h.pages[name] = t
	}
	return h, nil
}

// Register adds the pages' routes to mux.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", h.home)
	mux.HandleFunc("GET /connexion", h.loginForm)
	mux.HandleFunc("POST /connexion", h.login)
	mux.HandleFunc("POST /deconnexion", h.logout)
	mux.HandleFunc("GET /communes", h.searchCommunes)
	mux.HandleFunc("GET /communes/{code}", h.commune)
	mux.HandleFunc("GET /epci/{siren}", h.epci)
	mux.HandleFunc("GET /organisations/{id}", h.organisation)
	mux.HandleFunc("GET /organisations/{id}/profil", h.profileForm)
	mux.HandleFunc("POST /organisations/{id}/profil", h.saveProfile)
	mux.HandleFunc("GET /compte", h.account)
	mux.HandleFunc("GET /static/{file}", h.assets.serve)
	mux.HandleFunc("/", h.notFound)
}
