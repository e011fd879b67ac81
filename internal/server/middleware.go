package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"voisines/internal/agreement"
	"voisines/internal/auth"
	"voisines/internal/server/problem"
	"voisines/internal/server/session"
)

// recorder remembers the status and size of a response for the request log
// and for the panic handler (which must not write a second header).
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the real writer.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// logged is filled by inner middleware with what the request log shows.
type logged struct{ userID int64 }

type loggedKey struct{}

// logRequests logs one line per request and gives each request an id, sent
// back in X-Request-Id and attached to every error logged for it.
func (s *server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		var b [8]byte
		rand.Read(b[:])
		id := hex.EncodeToString(b[:])
		w.Header().Set("X-Request-Id", id)
		rec := &recorder{ResponseWriter: w}
		lg := &logged{}
		ctx := context.WithValue(r.Context(), loggedKey{}, lg)
		ctx = session.With(ctx, session.Info{RequestID: id, ClientIP: session.ClientIP(r)})
		next.ServeHTTP(rec, r.WithContext(ctx))
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		// Server errors were logged with their cause by the face that
		// answered; this line only adds the request's outcome.
		level := slog.LevelInfo
		if rec.status >= 500 {
			level = slog.LevelWarn
		}
		s.log.Log(r.Context(), level, "request",
			"method", r.Method,
			"path", r.URL.Path,
			"status", rec.status,
			"bytes", rec.bytes,
			"duration_ms", time.Since(start).Milliseconds(),
			"user_id", lg.userID,
			"request_id", id,
		)
	})
}

// recoverPanics turns a panic into a logged error and a 500 page, once.
func (s *server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec, ok := w.(*recorder)
		if !ok {
			rec = &recorder{ResponseWriter: w}
		}
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.Error("panic while serving a request",
				"panic", fmt.Sprint(v),
				"path", r.URL.Path,
				"request_id", session.From(r.Context()).RequestID,
				"stack", string(debug.Stack()))
			if rec.status == 0 {
				s.writeProblem(rec, r, problem.From(errors.New("panic")))
			}
		}()
		next.ServeHTTP(rec, r)
	})
}

// contentSecurityPolicy allows only Voisines' own assets: no inline script or
// style, no framing, forms posting only to Voisines.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

func (s *server) securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		if s.deps.SecureCookies {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

// MaxUploadBytes is the largest body of a route that receives a file (a
// convention's attachment, a spreadsheet to import): the file's own limit
// and room for a multipart envelope. The handlers cap the file itself.
const MaxUploadBytes = agreement.MaxAttachmentSize + 1<<20

// uploadRoutes are the routes allowed MaxUploadBytes instead of MaxBodyBytes.
var uploadRoutes = []string{
	"POST /api/v1/agreements/import",
	"POST /api/v1/agreements/{id}/attachments",
	"POST /conventions/import",
	"POST /conventions/{id}/pieces",
}

// limitBody caps every request body at MaxBodyBytes, or MaxUploadBytes on
// the uploadRoutes.
func limitBody(next http.Handler) http.Handler {
	uploads := http.NewServeMux()
	for _, pattern := range uploadRoutes {
		uploads.Handle(pattern, http.NotFoundHandler())
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil && r.Body != http.NoBody {
			limit := int64(MaxBodyBytes)
			if _, pattern := uploads.Handler(r); pattern != "" {
				limit = MaxUploadBytes
			}
			r.Body = http.MaxBytesReader(w, r.Body, limit)
		}
		next.ServeHTTP(w, r)
	})
}

// multipartMemory is how much of a multipart form is kept in memory; larger
// files wait in temporary files, which net/http removes after the request.
const multipartMemory = 1 << 20

// parseForm parses a URL-encoded or a multipart form (a file upload).
func parseForm(r *http.Request) error {
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == "multipart/form-data" {
		return r.ParseMultipartForm(multipartMemory)
	}
	return r.ParseForm()
}

// sessionless reports whether a path needs no session lookup.
func sessionless(path string) bool {
	return strings.HasPrefix(path, "/static/") || path == "/healthz" || path == "/readyz" ||
		path == "/api/v1/openapi.json"
}

// loadSession puts the actor behind the session cookie, or behind an API
// token on /api/, into the request context. An unknown or expired cookie
// means an anonymous visitor (and the cookie is dropped); an anonymous
// visitor of the HTML pages gets a pre-session CSRF cookie so that the login
// form is protected too.
//
// "Authorization: Bearer vsn_…" is read on /api/ only (HTML pages ignore
// it): a request carrying both a token and the session cookie is refused
// (400), an invalid token is 401, and a read-only token may only GET or
// HEAD (403). A token request has no session (info.Token stays empty), so
// checkCSRF lets it through: no cookie, no ambient authority.
func (s *server) loadSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if sessionless(r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		info := session.From(r.Context())
		if secret, bearer, err := auth.BearerToken(r.Header.Get("Authorization")); bearer && isAPI(r) {
			a, err := s.tokenActor(r, secret, err)
			if err != nil {
				s.fail(w, r, fmt.Errorf("server: %s %s: %w", r.Method, r.URL.Path, err))
				return
			}
			info.Actor = a
			if lg, ok := r.Context().Value(loggedKey{}).(*logged); ok {
				lg.userID = a.UserID()
			}
			next.ServeHTTP(w, r.WithContext(session.With(r.Context(), info)))
			return
		}
		if c, err := r.Cookie(session.CookieName); err == nil && c.Value != "" {
			user, sess, err := s.deps.Auth.Resume(r.Context(), c.Value)
			switch {
			case err == nil:
				info.Actor = auth.Actor{User: &user}
				info.Token = c.Value
				info.CSRF = sess.CSRF
				if sess.Renewed {
					// The browser keeps the cookie until the expiry it was
					// last sent with: send the one that just moved.
					sess.Token = c.Value
					session.SetCookie(w, sess, s.deps.SecureCookies)
				}
				if lg, ok := r.Context().Value(loggedKey{}).(*logged); ok {
					lg.userID = user.ID
				}
			case errors.Is(err, auth.ErrUnauthenticated):
				session.ClearCookie(w, s.deps.SecureCookies)
			default:
				s.fail(w, r, fmt.Errorf("server: resume session: %w", err))
				return
			}
		}
		if info.Token == "" && !isAPI(r) {
			if c, err := r.Cookie(session.PreCookieName); err == nil && c.Value != "" {
				info.CSRF = c.Value
			} else if r.Method == http.MethodGet || r.Method == http.MethodHead {
				info.CSRF = session.NewToken()
				session.SetPreCookie(w, info.CSRF, s.deps.SecureCookies)
			}
		}
		next.ServeHTTP(w, r.WithContext(session.With(r.Context(), info)))
	})
}

// tokenActor is the actor of an API request carrying the bearer token
// secret (parseErr when the header was malformed): refused when the session
// cookie comes too, or when a read token is used for anything but GET and
// HEAD.
func (s *server) tokenActor(r *http.Request, secret string, parseErr error) (auth.Actor, error) {
	if c, err := r.Cookie(session.CookieName); err == nil && c.Value != "" {
		return auth.Actor{}, problem.Invalid("Envoyez soit un jeton d'accès (Authorization: Bearer), soit le cookie de session, mais pas les deux.")
	}
	if parseErr != nil {
		return auth.Actor{}, parseErr
	}
	user, tok, err := s.deps.Auth.ResumeToken(r.Context(), secret)
	if err != nil {
		return auth.Actor{}, err
	}
	if !tok.Scope.AllowsMethod(r.Method) {
		return auth.Actor{}, auth.ErrReadOnlyToken
	}
	return auth.Actor{User: &user, Token: &tok}, nil
}

// safeMethod reports whether m changes nothing.
func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// checkCSRF refuses an unsafe request that does not echo the CSRF token: in
// the hidden form field for HTML forms, in the X-CSRF-Token header for API
// calls authenticated by the session cookie. An API call without a session
// cookie carries no ambient authority and needs no token.
func (s *server) checkCSRF(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if safeMethod(r.Method) || sessionless(r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		info := session.From(r.Context())
		var sent string
		switch {
		case isAPI(r) && info.Token == "":
			next.ServeHTTP(w, r)
			return
		case isAPI(r):
			sent = r.Header.Get(session.Header)
		default:
			sent = r.Header.Get(session.Header)
			if sent == "" {
				// parseForm reads at most what limitBody allows; handlers
				// read the parsed values afterwards.
				if err := parseForm(r); err != nil {
					s.fail(w, r, fmt.Errorf("server: parse form: %w", err))
					return
				}
				sent = r.PostForm.Get(session.FormField)
			}
		}
		if !session.SameToken(sent, info.CSRF) {
			s.fail(w, r, fmt.Errorf("server: %s %s: %w", r.Method, r.URL.Path, problem.ErrCSRF))
			return
		}
		next.ServeHTTP(w, r)
	})
}
