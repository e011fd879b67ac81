package api

import (
	"net/http"

	"voisines/internal/auth"
)

// The steps every handler script shares, beyond actorAndID: read more of the
// path, read the body, answer the domain's result. Each step that returns
// false has already answered.

// failFunc answers an error, in the house format or a family's own.
type failFunc func(w http.ResponseWriter, r *http.Request, err error)

// actorIDYear reads the actor, {id} and {year} of the path.
func (h *Handler) actorIDYear(w http.ResponseWriter, r *http.Request) (auth.Actor, int64, int, bool) {
	a, id, ok := h.actorAndID(w, r)
	if !ok {
		return a, 0, 0, false
	}
	year, err := yearOf(r)
	if err != nil {
		h.Fail(w, r, err)
		return a, 0, 0, false
	}
	return a, id, year, true
}

// pathParam reads the positive integer path value name.
func (h *Handler) pathParam(w http.ResponseWriter, r *http.Request, name string) (int64, bool) {
	v, err := pathInt(r, name)
	if err != nil {
		h.Fail(w, r, err)
		return 0, false
	}
	return v, true
}

// decode reads the JSON body into v.
func (h *Handler) decode(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := decodeJSON(r.Body, v); err != nil {
		h.Fail(w, r, err)
		return false
	}
	return true
}

// reply answers v with status, or err as every route does.
func (h *Handler) reply(w http.ResponseWriter, r *http.Request, status int, v any, err error) {
	h.replyWith(h.Fail, w, r, status, v, err)
}

// replyWith answers v with status, or err through fail.
func (h *Handler) replyWith(fail failFunc, w http.ResponseWriter, r *http.Request, status int, v any, err error) {
	if err != nil {
		fail(w, r, err)
		return
	}
	h.writeJSON(w, status, v)
}
