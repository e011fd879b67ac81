package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"voisines/internal/org"
	"voisines/internal/server/problem"
)

// decodeJSON reads exactly one JSON object from body into v. Unknown fields,
// trailing data and wrong types are refused with a French message naming the
// field; a body over the server's limit stays a MaxBytesError (413).
func decodeJSON(body io.Reader, v any) error {
	if body == nil {
		return problem.Invalid("Le corps de la requête est vide : un objet JSON est attendu.")
	}
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonProblem(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return problem.Invalid("Le corps de la requête doit contenir un seul objet JSON.")
	}
	return nil
}

func jsonProblem(err error) error {
	var mbe *http.MaxBytesError
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &mbe):
		return err
	case errors.Is(err, io.EOF):
		return problem.Invalid("Le corps de la requête est vide : un objet JSON est attendu.")
	case errors.As(err, &typeErr):
		if typeErr.Field == "" {
			return problem.Invalid("Le corps de la requête doit être un objet JSON.")
		}
		return problem.Invalid("Un champ n'a pas le bon type.",
			problem.Field{Name: typeErr.Field, Message: fmt.Sprintf("valeur de type %s attendue", jsonTypeName(typeErr.Type.Kind().String()))})
	case errors.As(err, &syntaxErr), errors.Is(err, io.ErrUnexpectedEOF):
		return problem.Invalid("Le corps de la requête n'est pas un JSON valide.")
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		name = strings.Trim(name, `"`)
		return problem.Invalid("Le corps de la requête contient un champ inconnu.",
			problem.Field{Name: name, Message: "champ inconnu"})
	}
	return problem.Invalid("Le corps de la requête n'est pas un JSON valide.")
}

func jsonTypeName(kind string) string {
	switch kind {
	case "string":
		return "chaîne"
	case "int", "int64", "int32", "uint", "uint64", "float64":
		return "nombre"
	case "bool":
		return "booléen"
	case "struct", "map":
		return "objet"
	case "slice", "array":
		return "tableau"
	}
	return kind
}

// profilePatch is the body of PATCH /api/v1/organisations/{id}/profile: the
// version the client read, and the fields to change (absent ones keep their
// value).
type profilePatch struct {
	Version        *int64  `json:"version"`
	Address        *string `json:"address"`
	Email          *string `json:"email"`
	Phone          *string `json:"phone"`
	Website        *string `json:"website"`
	Representative *string `json:"representative"`
}

// parseProfilePatch reads and checks a profile patch.
func parseProfilePatch(body io.Reader) (profilePatch, error) {
	var p profilePatch
	if err := decodeJSON(body, &p); err != nil {
		return profilePatch{}, err
	}
	if p.Version == nil || *p.Version <= 0 {
		return profilePatch{}, problem.Invalid("La version lue est obligatoire, pour ne pas écraser la modification de quelqu'un d'autre.",
			problem.Field{Name: "version", Message: "nombre entier positif obligatoire : la version de l'organisation que vous avez lue"})
	}
	return p, nil
}

// apply returns cur with the patch's fields changed.
func (p profilePatch) apply(cur org.Profile) org.Profile {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = strings.TrimSpace(*v)
		}
	}
	set(&cur.Address, p.Address)
	set(&cur.Email, p.Email)
	set(&cur.Phone, p.Phone)
	set(&cur.Website, p.Website)
	set(&cur.Representative, p.Representative)
	return cur
}

// loginRequest is the body of POST /api/v1/session.
type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

func parseLogin(body io.Reader) (loginRequest, error) {
	var l loginRequest
	if err := decodeJSON(body, &l); err != nil {
		return loginRequest{}, err
	}
	l.Email = strings.TrimSpace(l.Email)
	var fields []problem.Field
	if l.Email == "" {
		fields = append(fields, problem.Field{Name: "email", Message: "adresse électronique obligatoire"})
	}
	if l.Password == "" {
		fields = append(fields, problem.Field{Name: "password", Message: "mot de passe obligatoire"})
	}
	if len(fields) > 0 {
		return loginRequest{}, problem.Invalid("L'adresse électronique et le mot de passe sont obligatoires.", fields...)
	}
	return l, nil
}
