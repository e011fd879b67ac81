// Package pdf writes the documents of a convention in French: the
// convention itself, generated from its structured fields for its kind
// (title block, visas of the legal basis and of the approvals, parties and
// their representatives, numbered articles, signature blocks), and each of
// its avenants (what changed, previous and new wording).
//
// The documents use the core PDF fonts in Windows-1252, which cover French
// (accents, « », €, œ); other characters are replaced (see printable).
package pdf

import (
	"errors"
	"fmt"
	"io"
	"strconv"

	"voisines/internal/agreement"
	"voisines/internal/civil"
)

// Options are the details of a document that are not in the convention.
type Options struct {
	// Reference is the convention's reference as the parties know it
	// ("ENT-2026-004"); empty uses its id.
	Reference string
	// GeneratedOn is the date printed in the footer and the file's
	// metadata; zero means today. Tests fix it.
	GeneratedOn civil.Date
}

// ErrNoAmendment is returned by Avenant for a number the convention has no
// avenant for.
var ErrNoAmendment = errors.New("pdf: no such avenant")

// Convention writes the PDF of convention a as it stands after its last
// avenant.
func Convention(w io.Writer, a agreement.Agreement, opts Options) error {
	spec, ok := agreement.Lookup(a.Kind)
	if !ok {
		return fmt.Errorf("pdf: convention: unknown kind %q", a.Kind)
	}
	o := opts.withDefaults(a)
	if err := render(w, conventionDocument(a, spec, o), o); err != nil {
		return fmt.Errorf("pdf: convention %s: %w", o.Reference, err)
	}
	return nil
}

// Avenant writes the PDF of avenant number n of convention a: the
// convention it amends, why, and each change with its previous and new
// value.
func Avenant(w io.Writer, a agreement.Agreement, n int, opts Options) error {
	spec, ok := agreement.Lookup(a.Kind)
	if !ok {
		return fmt.Errorf("pdf: avenant: unknown kind %q", a.Kind)
	}
	if n < 1 || n > len(a.Amendments) {
		return fmt.Errorf("%w: %d (the convention has %d)", ErrNoAmendment, n, len(a.Amendments))
	}
	o := opts.withDefaults(a)
	if err := render(w, avenantDocument(a, spec, n, o), o); err != nil {
		return fmt.Errorf("pdf: avenant %d of %s: %w", n, o.Reference, err)
	}
	return nil
}

func (o Options) withDefaults(a agreement.Agreement) Options {
	if o.Reference == "" {
		o.Reference = strconv.FormatInt(a.ID, 10)
	}
	if o.GeneratedOn.IsZero() {
		o.GeneratedOn = civil.Today()
	}
	return o
}

// conventionLabel returns "convention n° ENT-2026-004".
func conventionLabel(o Options) string {
	return "convention n° " + o.Reference
}
