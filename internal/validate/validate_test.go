package validate_test

import (
	"errors"
	"fmt"
	"testing"

	"voisines/internal/validate"
)

func TestEmail(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"mairie@rodez.fr", true},
		{"secretariat.mairie@sainte-radegonde.fr", true},
		{"a+b@example.com", true},
		{"", false},
		{"mairie", false},
		{"mairie@", false},
		{"@rodez.fr", false},
		{"mairie@localhost", false},
		{"mairie@rodez.", false},
		{"Mairie <mairie@rodez.fr>", false},
		{"mairie @rodez.fr", false},
		{"mairie@rodez.fr\n", false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q is accepted: %v", tt.in, tt.ok), func(t *testing.T) {
			err := validate.Email("email", tt.in)
			if (err == nil) != tt.ok {
				t.Fatalf("got %v want ok=%v", err, tt.ok)
			}
			var fe validate.FieldError
			if err != nil && (!errors.As(err, &fe) || fe.Field != "email") {
				t.Fatalf("got %#v want a FieldError for email", err)
			}
		})
	}
}

func TestPhone(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"05 65 77 88 00", true},
		{"05.65.77.88.00", true},
		{"0565778800", true},
		{"+33 5 65 77 88 00", true},
		{"+33 (0)5 65 77 88 00", true}, // 0 after the country code: 12 digits, still plausible
		{"0033 5 65 77 88 00", true},
		{"05 65 77 88", false},
		{"5 65 77 88 00", false},
		{"05 65 77 88 00 00", false},
		{"+0 5 65", false},
		{"tel: 05 65 77 88 00", false},
		{"05-65-77-88-0O", false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q is accepted: %v", tt.in, tt.ok), func(t *testing.T) {
			if err := validate.Phone("phone", tt.in); (err == nil) != tt.ok {
				t.Fatalf("got %v want ok=%v", err, tt.ok)
			}
		})
	}
}

func TestWebsite(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"https://www.rodez.fr", "https://www.rodez.fr", true},
		{"http://mairie-olemps.fr/contact?x=1", "http://mairie-olemps.fr/contact?x=1", true},
		{"www.rodez.fr", "https://www.rodez.fr", true},
		{"ftp://rodez.fr", "", false},
		{"https://localhost", "", false},
		{"https://", "", false},
		{"rodez", "", false},
		{"https://user:pw@rodez.fr", "", false},
		{"https://www.rodez.fr/a b", "", false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q is accepted: %v", tt.in, tt.ok), func(t *testing.T) {
			got, err := validate.Website("website", tt.in)
			if (err == nil) != tt.ok {
				t.Fatalf("got %v want ok=%v", err, tt.ok)
			}
			if tt.ok && got != tt.want {
				t.Fatalf("got %q want %q", got, tt.want)
			}
		})
	}
}

func TestLuhn(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"211202023", true},
		{"241200187", true},
		{"79927398713", true},
		{"211202024", false},
		{"", false},
		{"21120202a", false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q passes: %v", tt.in, tt.ok), func(t *testing.T) {
			if got := validate.Luhn(tt.in); got != tt.ok {
				t.Fatalf("got %v want %v", got, tt.ok)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	t.Run("an empty list is no error", func(t *testing.T) {
		var errs validate.Errors
		if err := errs.Err(); err != nil {
			t.Fatalf("got %v want nil", err)
		}
	})
	t.Run("a list names every field and survives wrapping", func(t *testing.T) {
		var errs validate.Errors
		errs.Add("name", "le nom est obligatoire")
		errs.Check(validate.Email("email", "x"))
		errs.Check(nil)
		err := fmt.Errorf("org: create: %w", errs.Err())
		got, ok := validate.As(err)
		if !ok || len(got) != 2 {
			t.Fatalf("got %v, %v want two field errors", got, ok)
		}
		if got.For("name") != "le nom est obligatoire" || got.For("email") == "" || got.For("phone") != "" {
			t.Fatalf("got messages %q %q %q", got.For("name"), got.For("email"), got.For("phone"))
		}
		want := "name: le nom est obligatoire; email: « x » n'est pas une adresse électronique valide (exemple : mairie@rodez.fr)"
		if errs.Error() != want {
			t.Fatalf("got %q want %q", errs.Error(), want)
		}
	})
	t.Run("a single field error is found as a list of one", func(t *testing.T) {
		got, ok := validate.As(fmt.Errorf("x: %w", validate.FieldError{Field: "siren", Message: "m"}))
		if !ok || len(got) != 1 || got[0].Field != "siren" {
			t.Fatalf("got %v, %v", got, ok)
		}
	})
	t.Run("another error is not a validation error", func(t *testing.T) {
		if _, ok := validate.As(errors.New("boom")); ok {
			t.Fatal("got ok want not found")
		}
	})
}

func TestMaxLenCountsCharactersNotBytes(t *testing.T) {
	if err := validate.MaxLen("name", "Écrouves", 8); err != nil {
		t.Fatalf("got %v want nil", err)
	}
	if err := validate.MaxLen("name", "Écrouvess", 8); err == nil {
		t.Fatal("got nil want an error")
	}
}
