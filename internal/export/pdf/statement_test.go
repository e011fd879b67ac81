package pdf

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"voisines/internal/agreement"
	"voisines/internal/civil"
	"voisines/internal/ledger"
	"voisines/internal/money"
)

func mustRat(t *testing.T, s string) money.Rat {
	t.Helper()
	r, err := money.ParseRat(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// ledgerParty is a party of a statement.
func ledgerParty(id int64, name, siren string, kind agreement.OrgKind, role agreement.Role) ledger.PartyRef {
	return ledger.PartyRef{OrgID: id, Name: name, SIREN: siren, Kind: kind, Role: role, Label: name}
}

// gymStatement is domain.md §10 example 7: Onet-le-Château used Rodez's
// gym 312 hours at 26.00 an hour, issued.
func gymStatement(t *testing.T) (ledger.Statement, []ledger.Flow) {
	rodez := ledgerParty(1, "Rodez", "211202023", agreement.Commune, agreement.RoleOwner)
	onet := ledgerParty(2, "Onet-le-Château", "211201769", agreement.Commune, agreement.RoleUser)
	in := ledger.Inputs{
		Agreement: ledger.AgreementRef{ID: 7, Reference: "2026-0007", Title: "Utilisation du gymnase Paul-Lignon par les écoles d'Onet-le-Château", Kind: agreement.EquipementPartage},
		Kind:      ledger.Periodic, From: civil.MustParse("2026-01-01"), To: civil.MustParse("2026-12-31"), Label: "année 2026",
		Mode: agreement.UnitPrice, Object: "Participation aux frais de fonctionnement du gymnase",
		Creditor: rodez, Parties: []ledger.PartyRef{onet},
		UnitPrice: &ledger.UnitPriceTerms{
			Rule: money.UnitPrice{Unit: "heure", Rounding: money.RoundHalfUp},
			Basis: &money.UnitCostBasis{Source: "compte administratif 2025", Units: mustRat(t, "2480"), Unit: "heure",
				Lines: []money.CostLine{
					{Label: "Énergie", Amount: 2_412_000, Eligible: true},
					{Label: "Ménage et entretien", Amount: 2_318_000, Eligible: true},
					{Label: "Gardien", Amount: 1_718_000, Eligible: true},
					{Label: "Remboursement d'emprunt", Amount: 900_000, Reason: "dépense d'investissement"}}},
		},
		Units:     []money.Usage{{Party: "Onet-le-Château", Units: mustRat(t, "312")}},
		UnitsFrom: "usage_records",
	}
	r, err := ledger.Evaluate(in)
	if err != nil {
		t.Fatal(err)
	}
	st := ledger.Statement{ID: 12, AgreementID: 7, Number: 1, Version: 1, Status: ledger.Issued, FiscalYear: 2026,
		Inputs: in, InputsSHA256: "4f0c7b2e9a1d6c3b8e5f2a7d0c9b6e3f1a4d7c0b3e6f9a2d5c8b1e4f7a0d3c6b", Result: r,
		IssuedBy: "finances@rodez.fr", IssuedAt: time.Date(2027, 1, 8, 9, 30, 0, 0, time.UTC)}
	flows := []ledger.Flow{{ID: 40, StatementID: 12, AgreementID: 7, AgreementReference: "2026-0007", Creditor: rodez, Debtor: onet,
		Amount: r.Lines[0].Amount, FiscalYear: 2026, TitreAccount: "7474", MandatAccount: "65734",
		Object: "Participation aux frais de fonctionnement du gymnase — année 2026 (convention 2026-0007)",
		Titre:  &ledger.Document{Reference: "T-2027-0031", Date: civil.MustParse("2027-01-12"), Account: "7474"}}}
	return st, flows
}

// festivalStatement is domain.md §10 example 4: a festival's net cost
// shared by a mixed key, as a draft.
func festivalStatement(t *testing.T) ledger.Statement {
	ps := []ledger.PartyRef{
		ledgerParty(1, "Rodez", "211202023", agreement.Commune, agreement.RoleLead),
		ledgerParty(2, "Onet-le-Château", "211201769", agreement.Commune, agreement.RolePartner),
		ledgerParty(3, "Olemps", "211201744", agreement.Commune, agreement.RolePartner),
		ledgerParty(4, "Druelle Balsac", "200064665", agreement.Commune, agreement.RolePartner),
	}
	figures := func(vals ...string) []money.Figure {
		var out []money.Figure
		for i, v := range vals {
			out = append(out, money.Figure{Party: ps[i].Label, Value: mustRat(t, v)})
		}
		return out
	}
	tickets := []money.Usage{}
	for i, v := range []string{"1230", "810", "402", "158"} {
		tickets = append(tickets, money.Usage{Party: ps[i].Label, Units: mustRat(t, v)})
	}
	in := ledger.Inputs{
		Agreement: ledger.AgreementRef{ID: 9, Reference: "2026-0009", Title: "Festival d'été des quatre communes", Kind: agreement.PartenariatEvenement},
		Kind:      ledger.Periodic, From: civil.MustParse("2026-06-01"), To: civil.MustParse("2026-09-30"), Label: "Festival 2026",
		Mode: agreement.ActualCostByKey, Object: "Participation au coût net du festival",
		Creditor: ps[0], Parties: ps,
		Key: &money.Key{Kind: money.KeyMix, Label: "clé du festival", Parts: []money.Part{
			{Weight: mustRat(t, "50 %"), Key: money.Key{Kind: money.KeyPopulation, Measure: money.PopulationDGF, Source: "DGCL", Vintage: "2026",
				Figures: figures("4812", "2157", "1046", "689")}},
			{Weight: mustRat(t, "30 %"), Key: money.Key{Kind: money.KeyUsage, Label: "billets par commune de résidence", Usage: tickets}},
			{Weight: mustRat(t, "20 %"), Key: money.Key{Kind: money.KeyEqual}},
		}},
		CostLines: []money.CostLine{
			{Label: "Coût net du festival (dépenses moins recettes de billetterie)", Amount: 4_738_055, Eligible: true},
			{Label: "Réception des élus", Amount: 85_000, Reason: "hors convention"},
		},
	}
	r, err := ledger.Evaluate(in)
	if err != nil {
		t.Fatal(err)
	}
	return ledger.Statement{ID: 3, AgreementID: 9, Number: 1, Version: 1, Status: ledger.Draft, FiscalYear: 2026,
		Inputs: in, InputsSHA256: "0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e", Result: r}
}

func TestStatementText(t *testing.T) {
	gym, flows := gymStatement(t)
	for _, tt := range []struct {
		name     string
		st       ledger.Statement
		flows    []ledger.Flow
		contains []string
	}{
		{
			name: "statement-gym", st: gym, flows: flows,
			contains: []string{
				"ÉTAT DES SOMMES DUES", "État n° 1", "Convention n° 2026-0007",
				"Émis le 8 janvier 2027 par finances@rodez.fr",
				"Créancier : Rodez (SIREN 211202023).", "Débiteur : Onet-le-Château (SIREN 211201769).",
				"Période : du 1er janvier 2026 au 31 décembre 2026 (année 2026)",
				"CGCT L1311-15", "Remboursement d'emprunt : 9 000,00 €, exclu (dépense d'investissement)",
				"Coût unitaire : 64 480,00 € / 2 480 = 26,00 €/heure",
				"Onet-le-Château (année 2026) : 312 × 26,00 € = 8 112,00 € -> 8 112,00 €",
				"Onet-le-Château doit 8 112,00 € à Rodez.", "Total de l'état : 8 112,00 €",
				"Titre de recettes de Rodez, compte suggéré 7474 — émis sous le n° T-2027-0031 le 12 janvier 2027 (compte 7474).",
				"Mandat d'Onet-le-Château, compte suggéré 65734.",
				"4f0c7b2e9a1d6c3b8e5f2a7d0c9b6e3f1a4d7c0b3e6f9a2d5c8b1e4f7a0d3c6b",
				"Certifié exact par l'ordonnateur de Rodez.",
			},
		},
		{
			name: "statement-festival", st: festivalStatement(t),
			contains: []string{
				"Projet — état non émis",
				"Clé de répartition : clé du festival = 50 % × population DGF + 30 % × billets par commune de résidence + 20 % × parts égales",
				"Olemps : 50 % × 1 046 / 8 704 + 30 % × 402 / 2 600 + 20 % × 1 / 4 = 2 213 139/14 144 000 ~ 0,156472",
				"rang 1 : reçoit 1 centime restant ; montant 7 413,73 €.",
				"Rodez : 22 190,57 €, part supportée par le créancier lui-même (aucun titre).",
				"Druelle Balsac doit 5 108,11 € à Rodez.", "Total de l'état : 47 380,55 €",
				"Réception des élus : 850,00 €, exclu (hors convention).",
				"Les titres de recettes et les mandats seront établis à l'émission de l'état.",
			},
		},
	} {
		t.Run("the "+tt.name+" PDF shows the whole computation in French", func(t *testing.T) {
			var buf bytes.Buffer
			if err := Statement(&buf, tt.st, StatementOptions{Flows: tt.flows, GeneratedOn: generated}); err != nil {
				t.Fatalf("Statement: %v", err)
			}
			keep(t, tt.name+".pdf", buf.Bytes())
			text := extractText(t, buf.Bytes())
			golden(t, tt.name+".txt", text)
			flat := flatten(text)
			for _, w := range tt.contains {
				if !strings.Contains(flat, flatten(w)) {
					t.Errorf("extracted text lacks %q", w)
				}
			}
		})
	}
}
