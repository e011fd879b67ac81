package demo

// The groupement de commandes (CCP L2113-6 to L2113-8): Salles-la-Source
// coordinates the purchase of cleaning products and paper for itself,
// Valady and Marcillac-Vallon, a four-year framework agreement (domain.md
// §10 example 3: 86,000 + 59,200 + 79,600 = 224,800.00 excl. VAT, above
// the 216,000.00 threshold of a formalised procedure, each alone below
// it); launched in May 2026, awarded in July with 30,000.00 saved, and
// the 1,850.00 of procedure costs split by share of needs in a draft
// statement.

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"voisines/internal/agreement"
	"voisines/internal/civil"
	"voisines/internal/ledger"
	"voisines/internal/money"
	"voisines/internal/purchasing"
	"voisines/internal/store"
)

// The purchasing group's convention, group and supplier.
const (
	TitleGroup = "Groupement de commandes de produits d'entretien, d'hygiène et de papier"
	GroupTitle = "Produits d'entretien, d'hygiène et papier 2026-2030"
	// Supplier is the (fictitious) holder of the framework agreement.
	Supplier = "Rouergue Hygiène Services"

	convGroup = "group"
)

// The procedure costs split by the demo, and the group's launch.
var (
	groupCostsFrom, groupCostsTo = day("2026-03-01"), day("2026-07-31")
	groupLaunch                  = day("2026-05-18")
)

// LabelGroupCosts labels the statement of the procedure costs.
const LabelGroupCosts = "Frais de procédure de l'appel d'offres 2026"

// groupCosts are the procedure costs, 1,850.00 in all.
var groupCosts = []money.CostLine{
	{Label: "Avis de marché au BOAMP et au JOUE", Amount: 1_240_00, Eligible: true},
	{Label: "Plateforme de dématérialisation des marchés publics", Amount: 610_00, Eligible: true},
}

// groupNeeds are each member's yearly needs excl. VAT (four years), what it
// paid before for the same four years, and its awarded price.
var groupNeeds = []struct {
	code              string
	entered           civil.Date
	yearly            money.Cents
	previous, awarded money.Cents
}{
	{salles, day("2026-04-02"), 21_500_00, 92_000_00, 80_000_00},
	{valady, day("2026-04-08"), 14_800_00, 64_000_00, 55_000_00},
	{marcillac, day("2026-04-13"), 19_900_00, 83_000_00, 74_000_00},
}

func (s *seeder) groupConventionSpec() convSpec {
	return convSpec{
		key: convGroup, kind: agreement.GroupementCommandes,
		parties: []partySpec{{salles, agreement.RoleCoordinator}, {valady, agreement.RoleMember}, {marcillac, agreement.RoleMember}},
		content: agreement.Content{
			Title: TitleGroup,
			Term:  agreement.Term{Start: day("2026-03-01"), End: day("2030-12-31"), NoticeMonths: 3},
			Financial: agreement.Financial{Mode: agreement.ActualCostByKey,
				Summary: "Le coordonnateur avance les frais de procédure (publicité, plateforme de dématérialisation) et les répartit entre les membres au prorata de leurs besoins estimés ; chaque membre passe et paie ses propres commandes."},
			PurchasingGroup: agreement.PurchasingGroupTerms{
				Needs:      "Produits d'entretien et d'hygiène, papier d'essuyage et papier de bureau : accord-cadre à bons de commande de quatre ans",
				LaunchDate: groupLaunch,
			},
		},
		clauses: map[agreement.ClauseID]string{
			agreement.ClauseBesoins:               "Le groupement achète les produits d'entretien et d'hygiène, le papier d'essuyage et le papier de bureau de ses membres, par un accord-cadre à bons de commande de quatre ans en un lot (CPV 39830000-9). Chaque membre arrête ses besoins avant le lancement.",
			agreement.ClauseMissionsCoordonnateur: "Salles-la-Source, coordonnateur, recense les besoins, rédige le dossier de consultation, organise la procédure jusqu'à l'attribution, signe et notifie l'accord-cadre ; chaque membre l'exécute pour ses propres besoins.",
			agreement.ClauseCAO:                   "La commission d'appel d'offres du groupement réunit un représentant élu de la commission d'appel d'offres de chaque membre ; elle est présidée par celui du coordonnateur (CGCT L1414-3).",
			agreement.ClauseDuree:                 "La convention prend effet le 1er mars 2026 et s'achève à la fin de l'exécution de l'accord-cadre, au plus tard le 31 décembre 2030.",
			agreement.ClauseFinancier:             "Le coordonnateur avance les frais de procédure et les répartit entre les membres au prorata de leurs besoins estimés, sur état et titre de recettes ; chaque membre paie ses propres commandes au titulaire.",
			agreement.ClauseRetrait:               "Un membre ne peut se retirer du groupement qu'après l'exécution de l'accord-cadre en cours ; aucune adhésion n'est possible après le lancement de la procédure.",
			agreement.ClauseLitiges:               textLitiges,
		},
		drafted: day("2026-01-19"),
		approvals: []approvalSpec{
			{salles, "2026-009", day("2026-02-12"), day("2026-02-16")},
			{valady, "2026-006", day("2026-02-19"), day("2026-02-23")},
			{marcillac, "2026-014", day("2026-03-05"), day("2026-03-09")},
		},
		signed: day("2026-03-20"),
	}
}

// seedPurchasing records the purchasing group of the convention
// seedConventions made: its lot and needs, launch, award and the split of
// its procedure costs.
func seedPurchasing(ctx context.Context, s *seeder) error {
	r, coord := s.conv[convGroup], s.clerk[salles]

	g, err := s.purchase.ByAgreement(ctx, coord, r.ID)
	if errors.Is(err, store.ErrNotFound) {
		s.clk.on(day("2026-03-23"))
		g, err = s.purchase.Create(ctx, coord, purchasing.CreateInput{AgreementID: r.ID, Title: GroupTitle, MainNature: purchasing.Supplies})
		if err == nil {
			s.rep.Created++
		}
	}
	if err != nil {
		return fmt.Errorf("groupement : %w", err)
	}
	if len(g.Lots) == 0 {
		s.clk.on(day("2026-03-23"))
		if g, err = s.purchase.AddLot(ctx, coord, g.ID, g.Version, purchasing.LotInput{Label: "Produits d'entretien, d'hygiène et papier",
			CPV: "39830000-9", Nature: purchasing.Supplies, DurationMonths: 48, Framework: true}); err != nil {
			return fmt.Errorf("lot : %w", err)
		}
		s.rep.Created++
	}
	lot := g.Lots[0]
	for _, n := range groupNeeds {
		if _, ok := g.Need(lot.ID, s.org[n.code]); ok {
			continue
		}
		s.clk.on(n.entered)
		yearly, previous := n.yearly, n.previous
		if _, err := s.purchase.SetNeed(ctx, s.clerk[n.code], g.ID, purchasing.NeedInput{LotID: lot.ID, OrgID: s.org[n.code],
			Yearly: &yearly, PreviousCost: &previous}); err != nil {
			return fmt.Errorf("besoins de %s : %w", s.name[n.code], err)
		}
		s.rep.Created++
	}
	if g, err = s.purchase.Get(ctx, coord, g.ID); err != nil {
		return err
	}

	if g.Status != purchasing.Launched {
		s.clk.on(groupLaunch)
		if g, err = s.purchase.Launch(ctx, coord, g.ID, g.Version, groupLaunch); err != nil {
			return fmt.Errorf("lancement : %w", err)
		}
		s.rep.Created++
	}
	if _, ok := g.Award(lot.ID); !ok {
		awarded := day("2026-07-16")
		in := purchasing.AwardInput{Supplier: Supplier, AwardedOn: awarded}
		for _, n := range groupNeeds {
			price := n.awarded
			in.Prices = append(in.Prices, purchasing.PriceInput{OrgID: s.org[n.code], Amount: &price})
		}
		s.clk.on(awarded)
		if g, err = s.purchase.Award(ctx, coord, g.ID, lot.ID, in); err != nil {
			return fmt.Errorf("attribution : %w", err)
		}
		s.rep.Created++
	}

	st, err := s.ensureCostSplit(ctx, g, day("2026-07-24"), purchasing.CostsInput{From: groupCostsFrom, To: groupCostsTo,
		Label: LabelGroupCosts, Lines: groupCosts})
	if err != nil {
		return fmt.Errorf("frais de procédure : %w", err)
	}
	s.rep.Drafts = append(s.rep.Drafts, StatementLine{Reference: r.Reference, Title: r.Agreement.Title, Label: st.Inputs.Label, Total: st.Result.Total})

	savings := purchasing.ComputeSavings(g)
	var others []string
	for _, m := range g.Members[1:] {
		others = append(others, m.Name)
	}
	line := fmt.Sprintf("%s, coordonné par %s avec %s ; %s HT de besoins sur %d ans → %s, lancée le %s",
		g.Title, g.Coordinator.Name, frenchList(others), g.Total(), lot.DurationMonths/12, g.Procedure.Kind.Label(), g.LaunchDate.French())
	if a, ok := g.Award(lot.ID); ok && savings.Total != nil {
		line += fmt.Sprintf(" ; attribuée à %s le %s, économie de %s HT", a.Supplier, a.AwardedOn.French(), savings.Total.Saving)
	}
	s.rep.Groups = append(s.rep.Groups, line+".")
	return nil
}

// ensureCostSplit returns the statement of g's procedure costs over in's
// period, split by the coordinator's clerk on the day given when there is
// none; it is left as a draft.
func (s *seeder) ensureCostSplit(ctx context.Context, g purchasing.Group, on civil.Date, in purchasing.CostsInput) (ledger.Statement, error) {
	clerk := s.clerk[s.codeOf(g.Coordinator.OrgID)]
	sts, err := s.purchase.CostStatements(ctx, clerk, g.ID)
	if err != nil {
		return ledger.Statement{}, err
	}
	if i := slices.IndexFunc(sts, func(st ledger.Statement) bool {
		return st.Inputs.From == in.From && st.Inputs.To == in.To && (st.Status == ledger.Draft || st.Current())
	}); i >= 0 {
		return sts[i], nil
	}
	s.clk.on(on)
	st, err := s.purchase.SplitCosts(ctx, clerk, g.ID, in)
	if err == nil {
		s.rep.Created++
	}
	return st, err
}
