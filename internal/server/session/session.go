// Package session carries a visitor's session through one HTTP request: the
// cookies that name it, and the actor, CSRF token and client address the
// server's middleware found for it. The web and API faces read them here, so
// that neither needs to import the server that wires them together.
package session

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net"
	"net/http"
	"time"

	"voisines/internal/auth"
)

// CookieName is the cookie that holds the session token.
const CookieName = "voisines_session"

// PreCookieName is the cookie that holds the CSRF token of a visitor who is not
// logged in yet (double-submit), so that the login form is protected too.
const PreCookieName = "voisines_csrf"

// FormField is the hidden form field that echoes the CSRF token.
const FormField = "csrf_token"

// Header is the request header that echoes the CSRF token on API calls
// authenticated by the session cookie.
const Header = "X-CSRF-Token"

// Info is what the middleware learnt about the request's visitor.
type Info struct {
	Actor auth.Actor
	// Token is the session cookie's value, empty for an anonymous visitor.
	Token string
	// CSRF is the token forms and API calls must echo: the session's own, or the
	// pre-session cookie's for an anonymous visitor.
	CSRF string
	// ClientIP is the remote address without its port, for login throttling.
	ClientIP string
	// RequestID identifies the request in logs.
	RequestID string
}

type ctxKey struct{}

// With returns ctx carrying info.
func With(ctx context.Context, info Info) context.Context {
	return context.WithValue(ctx, ctxKey{}, info)
}

// From returns what the middleware stored for the request; the zero Info
// (anonymous) when nothing was stored.
func From(ctx context.Context) Info {
	info, _ := ctx.Value(ctxKey{}).(Info)
	return info
}

// ActorFrom returns the actor of the request, anonymous when nobody is logged in.
func ActorFrom(ctx context.Context) auth.Actor { return From(ctx).Actor }

// ClientIP returns the address of the peer without its port. Voisines does not
// trust X-Forwarded-For: behind a proxy every client shares the proxy's
// throttling key, which errs on the safe side.
func ClientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// SetCookie sends the session cookie for s.
func SetCookie(w http.ResponseWriter, s auth.Session, secure bool) {
	http.SetCookie(w, &http.Cookie{
		Name:     CookieName,
		Value:    s.Token,
		Path:     "/",
		Expires:  s.ExpiresAt,
		HttpOnly: true,
		Secure:   secure,
		SameSite: http.SameSiteLaxMode,
	})
}

// ClearCookie removes the session cookie from the browser.
func ClearCookie(w http.ResponseWriter, secure bool) {
	http.SetCookie(w, &http.Cookie{
		Name:     CookieName,
		Value:    "",
		Path:     "/",
		Expires:  time.Unix(0, 0),
		MaxAge:   -1,
		HttpOnly: true,
		Secure:   secure,
		SameSite: http.SameSiteLaxMode,
	})
}

// SetPreCookie sends the pre-session CSRF cookie holding token.
func SetPreCookie(w http.ResponseWriter, token string, secure bool) {
	http.SetCookie(w, &http.Cookie{
		Name:     PreCookieName,
		Value:    token,
		Path:     "/",
		HttpOnly: true,
		Secure:   secure,
		SameSite: http.SameSiteLaxMode,
	})
}

// NewToken returns a random URL-safe token of 32 bytes of entropy.
func NewToken() string {
	var b [32]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// SameToken compares two tokens in constant time; an empty token never matches.
func SameToken(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
