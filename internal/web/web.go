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
	"maps"
	"net/http"
	"slices"

	"voisines/internal/agreement"
	"voisines/internal/auth"
	"voisines/internal/equipment"
	"voisines/internal/ledger"
	"voisines/internal/org"
	"voisines/internal/purchasing"
	"voisines/internal/service"
	"voisines/internal/staff"
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
	Agreements    *agreement.Service
	Equipment     *equipment.Service
	Ledger        *ledger.Service
	Staff         *staff.Service
	Services      *service.Manager
	Purchasing    *purchasing.Service
	Log           *slog.Logger
	SecureCookies bool
}

// Handler serves the HTML pages.
type Handler struct {
	territory *territory.Service
	orgs      *org.Service
	auth      *auth.Service
	agreement *agreement.Service
	equipment *equipment.Service
	ledger    *ledger.Service
	staff     *staff.Service
	services  *service.Manager
	purchase  *purchasing.Service
	log       *slog.Logger
	secure    bool
	pages     map[string]*template.Template
	assets    *assets
}

// pageNames are the page templates; each defines "content" and is rendered
// inside layout.html.
var pageNames = slices.Concat(
	[]string{"home", "login", "communes", "commune", "epci", "profile", "account", "error"},
	[]string{"agreement_list", "agreement_kinds", "agreement_form", "agreement_detail", "agreement_terminate", "agreement_import", "agreement_opendata"},
	equipmentPages,
	[]string{"ledger_year", "ledger_statement"},
	ledgerWritePages, staffPages, servicePages, purchasingPages,
)

// New parses every template and hashes every asset; a missing or broken file
// fails here, at start-up, not on the first request.
func New(cfg Config) (*Handler, error) {
	h := &Handler{
		territory: cfg.Territory,
		orgs:      cfg.Orgs,
		auth:      cfg.Auth,
		agreement: cfg.Agreements,
		equipment: cfg.Equipment,
		ledger:    cfg.Ledger,
		staff:     cfg.Staff,
		services:  cfg.Services,
		purchase:  cfg.Purchasing,
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
	maps.Copy(funcs, agreementFuncs())
	maps.Copy(funcs, ledgerFuncs())
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
	mux.HandleFunc("POST /compte/jetons", h.tokenCreate)
	mux.HandleFunc("POST /compte/jetons/{id}/revoquer", h.tokenRevoke)
	mux.HandleFunc("GET /conventions", h.agreementRegister)
	mux.HandleFunc("GET /conventions/nouvelle", h.agreementNew)
	mux.HandleFunc("POST /conventions/nouvelle", h.agreementCreate)
	mux.HandleFunc("GET /conventions/import", h.agreementImportForm)
	mux.HandleFunc("POST /conventions/import", h.agreementImport)
	mux.HandleFunc("GET /conventions/import/modele.csv", h.agreementImportTemplate)
	mux.HandleFunc("GET /conventions/import/modele.xlsx", h.agreementImportTemplate)
	mux.HandleFunc("GET /conventions/{id}", h.agreementDetail)
	mux.HandleFunc("GET /conventions/{id}/modifier", h.agreementEditForm)
	mux.HandleFunc("POST /conventions/{id}/modifier", h.agreementUpdate)
	mux.HandleFunc("POST /conventions/{id}/soumettre", h.agreementSubmit)
	mux.HandleFunc("POST /conventions/{id}/approbations", h.agreementApprove)
	mux.HandleFunc("POST /conventions/{id}/signatures", h.agreementSign)
	mux.HandleFunc("POST /conventions/{id}/decisions", h.agreementDecide)
	mux.HandleFunc("POST /conventions/{id}/cout-unitaire", h.agreementUnitCostNotice)
	mux.HandleFunc("GET /conventions/{id}/avenant", h.agreementAmendForm)
	mux.HandleFunc("POST /conventions/{id}/avenant", h.agreementAmend)
	mux.HandleFunc("POST /conventions/{id}/renouvellement", h.agreementRenew)
	mux.HandleFunc("GET /conventions/{id}/resiliation", h.agreementTerminateForm)
	mux.HandleFunc("POST /conventions/{id}/resiliation", h.agreementTerminate)
	mux.HandleFunc("GET /conventions/{id}/convention.pdf", h.agreementPDF)
	mux.HandleFunc("GET /conventions/{id}/avenants/{n}/avenant.pdf", h.amendmentPDF)
	mux.HandleFunc("POST /conventions/{id}/pieces", h.attachmentUpload)
	mux.HandleFunc("GET /conventions/{id}/pieces/{aid}", h.attachmentDownload)
	mux.HandleFunc("POST /conventions/{id}/pieces/{aid}/supprimer", h.attachmentDelete)
	mux.HandleFunc("GET /donnees/conventions", h.openData)
	h.registerEquipment(mux)
	mux.HandleFunc("GET /finances", h.ledgerYear)
	mux.HandleFunc("GET /finances/annee.xlsx", h.ledgerYearXLSX)
	mux.HandleFunc("GET /finances/titres.csv", h.ledgerTitresCSV)
	mux.HandleFunc("GET /finances/etats/{id}", h.ledgerStatement) // also {id}.pdf
	h.registerLedgerWrites(mux)
	h.registerStaff(mux)
	h.registerServices(mux)
	h.registerPurchasing(mux)
	mux.HandleFunc("GET /static/{file}", h.assets.serve)
	mux.HandleFunc("/", h.notFound)
}
