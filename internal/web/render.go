package web

import (
	"bytes"
	"errors"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"voisines/internal/auth"
	"voisines/internal/org"
	"voisines/internal/server/problem"
	"voisines/internal/server/session"
	"voisines/internal/territory"
)

// page is what the layout needs, plus the page's own Data.
type page struct {
	Title   string
	Nav     string // the nav entry marked aria-current
	User    *auth.User
	CSRF    string
	Flash   string
	Problem *problem.Problem // shown as the error summary of a form
	Data    any
}

// newPage fills the layout fields from the request.
func newPage(r *http.Request, title, nav string, data any) page {
	info := session.From(r.Context())
	return page{Title: title, Nav: nav, User: info.Actor.User, CSRF: info.CSRF, Data: data}
}

// render executes a page into a buffer first, so that a template error
// becomes a clean 500 instead of half a page.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, name string, p page) {
	t, ok := h.pages[name]
	if !ok {
		h.Fail(w, r, errors.New("web: no page "+name))
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		h.Fail(w, r, err)
		return
	}
	hdr := w.Header()
	hdr.Set("Content-Type", "text/html; charset=utf-8")
	if p.User != nil {
		hdr.Set("Cache-Control", "private, no-store")
	} else {
		hdr.Set("Cache-Control", "private, no-cache")
	}
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// Fail answers with the French page for err and logs err once when it is the
// server's fault. An unauthenticated visitor is sent to the login page.
func (h *Handler) Fail(w http.ResponseWriter, r *http.Request, err error) {
	p := problem.From(err)
	if p.Internal() {
		h.log.Error("request failed", "error", err, "path", r.URL.Path,
			"request_id", session.From(r.Context()).RequestID)
	} else {
		h.log.Debug("request refused", "error", err, "path", r.URL.Path,
			"request_id", session.From(r.Context()).RequestID)
	}
	h.WriteProblem(w, r, p)
}

// WriteProblem answers with the French error page for p, without logging.
func (h *Handler) WriteProblem(w http.ResponseWriter, r *http.Request, p problem.Problem) {
	if p.Status == http.StatusUnauthorized && p.Code == "unauthenticated" && r.Method == http.MethodGet {
		http.Redirect(w, r, "/connexion?suite="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	heading := headings[p.Code]
	if heading == "" {
		heading = "Erreur"
	}
	data := struct {
		Heading string
		Message string
		Status  int
	}{heading, p.Message, p.Status}
	t, ok := h.pages["error"]
	var buf bytes.Buffer
	if !ok || t.ExecuteTemplate(&buf, "layout", newPage(r, heading, "", data)) != nil {
		// The error page itself failed: plain text, still French and safe.
		http.Error(w, p.Message, p.Status)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status)
	w.Write(buf.Bytes())
}

// headings are the titles of the error pages, by problem code.
var headings = map[string]string{
	"invalid_request":    "Demande invalide",
	"invalid":            "Données invalides",
	"too_large":          "Envoi trop volumineux",
	"csrf":               "Formulaire expiré",
	"unauthenticated":    "Connexion nécessaire",
	"forbidden":          "Accès refusé",
	"throttled":          "Trop de tentatives",
	"bad_credentials":    "Connexion refusée",
	"not_found":          "Page introuvable",
	"method_not_allowed": "Méthode non permise",
	"conflict":           "Modification concurrente",
	"unavailable":        "Service indisponible",
	"internal":           "Erreur interne",
}

func (h *Handler) notFound(w http.ResponseWriter, r *http.Request) {
	h.Fail(w, r, problem.ErrRouteNotFound)
}

// templateFuncs are the helpers the templates use: French number and
// distance formats, labels of codes, asset URLs.
func templateFuncs(a *assets) template.FuncMap {
	return template.FuncMap{
		"asset":           a.url,
		"number":          formatNumber,
		"km":              formatKm,
		"metres":          formatMetres,
		"join":            strings.Join,
		"kindLabel":       kindLabel,
		"roleLabel":       roleLabel,
		"measureLabel":    measureLabel,
		"epciTypeLabel":   epciTypeLabel,
		"fieldLabel":      fieldLabel,
		"populationTable": populationTable,
	}
}

// nbsp is the narrow no-break space French typography puts between groups
// of thousands.
const nbsp = "\u202f"

// formatNumber writes n the French way: 24 136.
func formatNumber(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(nbsp)
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// formatKm writes a distance with one decimal and a decimal comma: 3,2 km.
func formatKm(km float64) string {
	return strings.Replace(strconv.FormatFloat(math.Round(km*10)/10, 'f', 1, 64), ".", ",", 1) + "\u00a0km"
}

// formatMetres writes a border length in km (1,4 km) or, below one km, in m.
func formatMetres(m int64) string {
	if m <= 0 {
		return "—"
	}
	if m < 1000 {
		return strconv.FormatInt(m, 10) + "\u00a0m"
	}
	return formatKm(float64(m) / 1000)
}

// kindLabel is the French name of an organisation's kind, with a capital.
func kindLabel(kind string) string { return capitalize(org.Kind(kind).Label()) }

// roleLabel is the role's French name with a capital, for tables.
func roleLabel(role auth.Role) string { return capitalize(role.Label()) }

func capitalize(s string) string {
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

func measureLabel(m string) string {
	switch m {
	case "municipale":
		return "Population municipale"
	case "totale":
		return "Population totale"
	case "dgf":
		return "Population DGF"
	}
	return m
}

func epciTypeLabel(t string) string {
	switch t {
	case "CC":
		return "Communauté de communes"
	case "CA":
		return "Communauté d'agglomération"
	case "CU":
		return "Communauté urbaine"
	case "METRO":
		return "Métropole"
	case "MET69":
		return "Métropole de Lyon"
	}
	return "Intercommunalité"
}

// fieldLabel names a form field in the error summary.
func fieldLabel(name string) string {
	switch name {
	case "email":
		return "Adresse électronique"
	case "password":
		return "Mot de passe"
	case "address":
		return "Adresse postale"
	case "phone":
		return "Téléphone"
	case "website":
		return "Site internet"
	case "representative":
		return "Représentant"
	case "version":
		return "Version"
	case "q":
		return "Recherche"
	}
	return name
}

type populationRows struct {
	Caption string
	Rows    []territory.Population
}

func populationTable(caption string, rows []territory.Population) populationRows {
	return populationRows{Caption: caption, Rows: rows}
}
