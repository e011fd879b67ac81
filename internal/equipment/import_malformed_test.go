package equipment

import (
	"context"
	"strings"
	"testing"

	"voisines/internal/auth"
)

// A malformed first line used to panic: FieldPos was read before the
// error, when no line had been read whole.
func TestParseCatalogueNamesAMalformedFirstLine(t *testing.T) {
	for _, body := range []string{
		"owner,name,kind,unit\n\"12002",
		"owner,name,kind,unit\n12002,Po\"dium,stage,day",
	} {
		_, errs := (&Service{}).parseCatalogue(context.Background(), auth.Actor{}, strings.NewReader(body))
		if len(errs) != 1 || errs[0].Line != 2 || !strings.HasPrefix(errs[0].Message, "ligne CSV mal formée") {
			t.Errorf("parseCatalogue(%q): got %v, want one malformed-line error on line 2", body, errs)
		}
	}
}
