package equipment_test

import "voisines/internal/validate"

// fieldOf returns the field of the first validation error in err's chain.
func fieldOf(err error) string {
	if fes, ok := validate.As(err); ok && len(fes) > 0 {
		return fes[0].Field
	}
	return ""
}
