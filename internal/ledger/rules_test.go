package ledger

import (
	"testing"

	"voisines/internal/agreement"
	"voisines/internal/civil"
)

func TestPeriodMonths(t *testing.T) {
	for _, c := range []struct{ from, to, want string }{
		{"2026-05-01", "2026-12-31", "8"},
		{"2026-01-01", "2026-12-31", "12"},
		{"2026-06-01", "2026-06-15", "1/2"},
		{"2026-02-01", "2026-02-14", "1/2"},
		{"2026-01-15", "2026-03-14", "2"},
		{"2026-03-10", "2026-03-10", "1/31"},
	} {
		t.Run(c.from+" to "+c.to+" is "+c.want+" months", func(t *testing.T) {
			if got := periodMonths(civil.MustParse(c.from), civil.MustParse(c.to)); got.String() != c.want {
				t.Errorf("got %s, want %s", got, c.want)
			}
		})
	}
}

func TestTheMostSpecificAccountWins(t *testing.T) {
	rules := []AccountRule{
		{Instrument: "*", Counterparty: Autre, Side: Titre, Account: "70878"},
		{Instrument: "*", Counterparty: GFPRattachement, Side: Titre, Account: "70876"},
		{Instrument: string(agreement.MADPersonnel), Counterparty: Autre, Side: Titre, Account: "70848"},
		{Instrument: string(agreement.EquipementPartage), Counterparty: AnyRelation, Side: Titre, Account: "7474"},
		{Instrument: string(agreement.MandatMaitriseOuvrage), Counterparty: AnyRelation, Side: Mandat, Account: ""},
		{Instrument: "*", Counterparty: Autre, Side: Mandat, Account: "62878"},
	}
	for _, c := range []struct {
		name string
		kind agreement.Kind
		rel  Relation
		side Side
		want string
	}{
		{"the kind's own row for the relation", agreement.MADPersonnel, Autre, Titre, "70848"},
		{"the kind's row for any relation", agreement.EquipementPartage, GFPRattachement, Titre, "7474"},
		{"the generic row for the relation", agreement.Entente, GFPRattachement, Titre, "70876"},
		{"an empty account stops the fall-back", agreement.MandatMaitriseOuvrage, Autre, Mandat, ""},
		{"no row at all gives no suggestion", agreement.Entente, CommuneMembre, Mandat, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := pickAccount(rules, c.kind, c.rel, c.side).Account; got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

func TestRelationOfACommuneAndItsEPCI(t *testing.T) {
	commune := PartyRef{Kind: agreement.Commune, EPCISIREN: "241200187"}
	epci := PartyRef{Kind: agreement.EPCI, SIREN: "241200187"}
	other := PartyRef{Kind: agreement.EPCI, SIREN: "241200567"}
	for _, c := range []struct {
		name        string
		self, other PartyRef
		want        Relation
	}{
		{"a commune sees its EPCI as its GFP de rattachement", commune, epci, GFPRattachement},
		{"an EPCI sees its member commune", epci, commune, CommuneMembre},
		{"another EPCI is another body", commune, other, Autre},
		{"two communes are other bodies", commune, commune, Autre},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := relation(c.self, c.other); got != c.want {
				t.Errorf("got %s, want %s", got, c.want)
			}
		})
	}
}
