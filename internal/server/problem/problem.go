// Package problem turns the errors of domain operations into what the HTTP
// faces tell the user: a status, a stable code, a safe French message and, for
// invalid input, the fields at fault. The internal error itself is only logged,
// never sent: a database error's text must not reach a client.
package problem

import (
	"context"
	"errors"
	"net/http"

	"voisines/internal/auth"
	"voisines/internal/store"
	"voisines/internal/validate"
)

// Field is one invalid field of a form or JSON body.
type Field struct {
	Name    string `json:"name"`
	Message string `json:"message"`
}

// Problem is what a face says about a failed request.
type Problem struct {
	Status  int     `json:"-"`
	Code    string  `json:"code"`
	Message string  `json:"message"`
	Fields  []Field `json:"fields,omitempty"`
}

// Internal reports whether the problem is the server's fault, which is logged
// as an error; the others are the client's and are not.
func (p Problem) Internal() bool { return p.Status >= 500 }

// Errors the faces raise themselves.
var (
	// ErrCSRF means an unsafe request did not echo the session's CSRF token.
	ErrCSRF = errors.New("csrf token missing or invalid")
	// ErrTooLarge means the request body is over the limit.
	ErrTooLarge = errors.New("request body too large")
	// ErrRouteNotFound means no route matches the request.
	ErrRouteNotFound = errors.New("no such route")
	// ErrMethodNotAllowed means the route exists for other methods.
	ErrMethodNotAllowed = errors.New("method not allowed")
)

// InvalidError is an input error found by a face while parsing a request
// (a malformed JSON body, a missing query parameter).
type InvalidError struct {
	Message string
	Fields  []Field
}

func (e *InvalidError) Error() string {
	s := "invalid input: " + e.Message
	for _, f := range e.Fields {
		s += "; " + f.Name + ": " + f.Message
	}
	return s
}

// Invalid returns an InvalidError naming the fields at fault. message is
// French and shown to the user.
func Invalid(message string, fields ...Field) error {
	return &InvalidError{Message: message, Fields: fields}
}

// From classifies err. It never copies err's text into the message; the
// messages of validation errors (validate.FieldError), written for users in
// French, are passed on with their field names.
func From(err error) Problem {
	var inv *InvalidError
	var mbe *http.MaxBytesError
	fieldErrs, invalid := validate.As(err)
	switch {
	case err == nil:
		return Problem{Status: http.StatusOK}
	case errors.As(err, &inv):
		return Problem{Status: http.StatusBadRequest, Code: "invalid_request", Message: inv.Message, Fields: inv.Fields}
	case invalid:
		fields := make([]Field, len(fieldErrs))
		for i, fe := range fieldErrs {
			fields[i] = Field{Name: fe.Field, Message: fe.Message}
		}
		return Problem{Status: http.StatusUnprocessableEntity, Code: "invalid",
			Message: "Certains champs ne sont pas valides.", Fields: fields}
	case errors.Is(err, ErrTooLarge), errors.As(err, &mbe):
		return Problem{Status: http.StatusRequestEntityTooLarge, Code: "too_large",
			Message: "La requête est trop volumineuse."}
	case errors.Is(err, ErrCSRF):
		return Problem{Status: http.StatusForbidden, Code: "csrf",
			Message: "Le formulaire a expiré ou ne provient pas de Voisines : rechargez la page et recommencez."}
	case errors.Is(err, auth.ErrInvalidToken):
		return Problem{Status: http.StatusUnauthorized, Code: "invalid_token",
			Message: "Le jeton d'accès est inconnu, expiré ou révoqué."}
	case errors.Is(err, auth.ErrUnauthenticated):
		return Problem{Status: http.StatusUnauthorized, Code: "unauthenticated",
			Message: "Vous devez vous connecter pour accéder à cette page."}
	case errors.Is(err, auth.ErrReadOnlyToken):
		return Problem{Status: http.StatusForbidden, Code: "read_only_token",
			Message: "Ce jeton d'accès est en lecture seule : il ne permet que de consulter (GET)."}
	case errors.Is(err, auth.ErrSessionRequired):
		return Problem{Status: http.StatusForbidden, Code: "session_required",
			Message: "Cette opération demande une session ouverte avec votre mot de passe : un jeton d'accès ne suffit pas (il ne peut pas, par exemple, créer d'autres jetons)."}
	case errors.Is(err, auth.ErrForbidden):
		return Problem{Status: http.StatusForbidden, Code: "forbidden",
			Message: "Vous n'agissez pas pour cette organisation : seuls ses membres habilités peuvent faire cette opération."}
	case errors.Is(err, auth.ErrThrottled):
		return Problem{Status: http.StatusTooManyRequests, Code: "throttled",
			Message: "Trop de tentatives de connexion échouées. Par sécurité, attendez quelques minutes avant de réessayer."}
	case errors.Is(err, auth.ErrBadCredentials):
		return Problem{Status: http.StatusUnauthorized, Code: "bad_credentials",
			Message: "Adresse électronique ou mot de passe incorrect."}
	case errors.Is(err, ErrRouteNotFound):
		return Problem{Status: http.StatusNotFound, Code: "not_found",
			Message: "Cette adresse ne correspond à aucune page de Voisines."}
	case errors.Is(err, ErrMethodNotAllowed):
		return Problem{Status: http.StatusMethodNotAllowed, Code: "method_not_allowed",
			Message: "Cette adresse n'accepte pas cette méthode."}
	case errors.Is(err, store.ErrNotFound):
		return Problem{Status: http.StatusNotFound, Code: "not_found",
			Message: "Nous n'avons rien trouvé à cette adresse."}
	case errors.Is(err, store.ErrConflict):
		return Problem{Status: http.StatusConflict, Code: "conflict",
			Message: "Ces données ont été modifiées par quelqu'un d'autre entre-temps. Rechargez la page pour voir la version actuelle, puis refaites vos changements."}
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return Problem{Status: http.StatusServiceUnavailable, Code: "unavailable",
			Message: "Le service a mis trop de temps à répondre. Réessayez dans un instant."}
	default:
		return Problem{Status: http.StatusInternalServerError, Code: "internal",
			Message: "Une erreur interne s'est produite. Elle a été enregistrée ; réessayez plus tard."}
	}
}
