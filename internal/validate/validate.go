// Package validate holds the validation errors every domain package returns
// and the web form, the JSON API and the CLI all show: each names the field
// and says, in French for the user, which rule the value breaks.
//
// A domain operation collects its field errors in an Errors list and returns
// it (unwrapped, since the messages are already written for the user):
//
//	var errs validate.Errors
//	if p.Name == "" {
//		errs.Add("name", "le nom est obligatoire")
//	}
//	if err := errs.Err(); err != nil {
//		return err
//	}
//
// A face recovers the list with As, whatever wrapping happened on the way.
package validate

import (
	"errors"
	"fmt"
	"strings"
)

// FieldError says that the value of one field breaks one rule.
type FieldError struct {
	Field   string `json:"field"`   // the field's name in forms and JSON: "siren", "email"
	Message string `json:"message"` // French, for the user: "« 123 » n'est pas un SIREN valide (9 chiffres)"
}

// Error returns "field: message".
func (e FieldError) Error() string { return e.Field + ": " + e.Message }

// Errors is a list of field errors; a non-empty one is an error.
type Errors []FieldError

// Error joins the field errors with "; ".
func (es Errors) Error() string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "; ")
}

// Add appends an error for field, its message formatted as by fmt.Sprintf.
func (es *Errors) Add(field, format string, args ...any) {
	*es = append(*es, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// Check appends err when it is a FieldError or an Errors list, and does
// nothing for nil; any other error is kept under the field "" so that it is
// not lost. It lets rule functions returning error feed a list.
func (es *Errors) Check(err error) {
	if err == nil {
		return
	}
	if found, ok := As(err); ok {
		*es = append(*es, found...)
		return
	}
	*es = append(*es, FieldError{Message: err.Error()})
}

// Err returns the list as an error, or nil when it is empty.
func (es Errors) Err() error {
	if len(es) == 0 {
		return nil
	}
	return es
}

// For returns the message for field, or "" when the field has no error; forms
// use it to show the message next to the input.
func (es Errors) For(field string) string {
	for _, e := range es {
		if e.Field == field {
			return e.Message
		}
	}
	return ""
}

// As finds validation errors in err's chain: an Errors list, or a single
// FieldError turned into a one-element list.
func As(err error) (Errors, bool) {
	var list Errors
	if errors.As(err, &list) {
		return list, true
	}
	var one FieldError
	if errors.As(err, &one) {
		return Errors{one}, true
	}
	return nil, false
}
