package api

import (
	"fmt"
	"net/http"
	"strconv"

	"voisines/internal/auth"
	"voisines/internal/csvin"
	"voisines/internal/server/problem"
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

// replyCreated answers 201 with v at location, or err through fail.
func (h *Handler) replyCreated(fail failFunc, w http.ResponseWriter, r *http.Request, location string, v any, err error) {
	if err != nil {
		fail(w, r, err)
		return
	}
	w.Header().Set("Location", location)
	h.writeJSON(w, http.StatusCreated, v)
}

// orEmpty returns s, or an empty slice when s is nil, so that a list
// answers [] rather than null.
func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// importProblem is the error body of every refused import file (schema
// ImportError of the OpenAPI document): code invalid_import, a French
// message, one field per problem ("ligne 3, colonne date"), and lines,
// each problem with its line (0 for the whole file, 1 the header), column
// and message.
type importProblem struct {
	problem.Problem
	Lines csvin.Errors `json:"lines"`
}

// newImportProblem turns the problems of a refused file into a 422;
// nothing says, in French, what was not written ("aucun usage n'a été
// enregistré").
func newImportProblem(es csvin.Errors, nothing string) importProblem {
	p := importProblem{Problem: problem.Problem{Status: http.StatusUnprocessableEntity, Code: "invalid_import",
		Message: fmt.Sprintf("Le fichier est refusé en entier : %d erreur(s) à corriger, %s.", len(es), nothing)},
		Lines: es}
	for _, e := range es {
		name := "fichier"
		if e.Line > 0 {
			name = "ligne " + strconv.Itoa(e.Line)
		}
		if e.Column != "" {
			name += ", colonne " + e.Column
		}
		p.Fields = append(p.Fields, problem.Field{Name: name, Message: e.Message})
	}
	return p
}

// importFail answers a refused import file (a csvin.Errors in err) with
// its importProblem, and any other error through fail.
func (h *Handler) importFail(fail failFunc, nothing string) failFunc {
	return func(w http.ResponseWriter, r *http.Request, err error) {
		es, ok := csvin.AsErrors(err)
		if !ok {
			fail(w, r, err)
			return
		}
		h.writeJSON(w, http.StatusUnprocessableEntity, struct {
			Error importProblem `json:"error"`
		}{newImportProblem(es, nothing)})
	}
}
