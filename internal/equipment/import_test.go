package equipment_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"voisines/internal/csvin"
	"voisines/internal/equipment"
	"voisines/internal/server/servertest"
	"voisines/internal/store"
	"voisines/internal/store/storetest"
)

// French Excel saves « CSV (séparateur : point-virgule) » in Windows-1252:
// the catalogue keeps its accents, stored as UTF-8 on both engines.
func TestCatalogueImportReadsWindows1252(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		clerk := e.actor(servertest.ClerkRodez)
		// 0xEA is ê, 0xE9 é, 0xE8 è, 0xA0 a no-break space and 0x80 the euro sign.
		cp1252 := "owner;name;kind;unit;description;tariff_other_commune\r\n" +
			"12202;Salle des f\xeates;hall;day;Cuisine \xe9quip\xe9e, sc\xe8ne;180,00\xa0\x80\r\n"

		t.Run("the name is stored exactly as the clerk typed it", func(t *testing.T) {
			rep, err := e.svc.ImportCSV(ctx, clerk, strings.NewReader(cp1252))
			if err != nil || rep != (equipment.ImportReport{Created: 1}) {
				t.Fatalf("got %+v, %v; want 1 created", rep, err)
			}
			found, err := e.svc.Search(ctx, equipment.Query{OwnerOrgID: e.rodez})
			if err != nil || len(found) != 1 {
				t.Fatalf("got %d equipment, %v; want 1", len(found), err)
			}
			got, err := e.svc.Get(ctx, found[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Name != "Salle des fêtes" {
				t.Errorf("got name %q, want %q", got.Name, "Salle des fêtes")
			}
			if got.Description != "Cuisine équipée, scène" {
				t.Errorf("got description %q, want %q", got.Description, "Cuisine équipée, scène")
			}
			if got.Tariffs.OtherCommune == nil || *got.Tariffs.OtherCommune != 180_00 {
				t.Errorf("got tariff %v, want 180,00 €", got.Tariffs.OtherCommune)
			}
		})

		t.Run("the same catalogue saved in UTF-8 updates the same equipment", func(t *testing.T) {
			utf8File := "\ufeffowner;name;kind;unit;description;tariff_other_commune\n" +
				"12202;Salle des fêtes;hall;day;Cuisine équipée, scène;190,00\n"
			rep, err := e.svc.ImportCSV(ctx, clerk, strings.NewReader(utf8File))
			if err != nil || rep != (equipment.ImportReport{Updated: 1}) {
				t.Fatalf("got %+v, %v; want 1 updated, none created", rep, err)
			}
		})

		t.Run("an error echoing a Windows-1252 cell reads in French", func(t *testing.T) {
			bad := "owner;name;kind;unit;capacity\n12202;Salle des f\xeates;hall;day;\xe9norme\n"
			_, err := e.svc.ImportCSV(ctx, clerk, strings.NewReader(bad))
			var es csvin.Errors
			want := csvin.Errors{{Line: 2, Column: "capacity", Message: "« énorme » n'est pas un nombre entier"}}
			if !errors.As(err, &es) || !slices.Equal(es, want) || !utf8.ValidString(err.Error()) {
				t.Errorf("got %v, want %v", err, want)
			}
		})
	})
}
