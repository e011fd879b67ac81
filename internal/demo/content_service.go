package demo

// The service commun ADS (CGCT L5211-4-2): the CC Conques-Marcillac
// instructs the planning permits of five member communes, billed at the
// unit cost of the weighted act (domain.md §10 example 6: PC 1, PA 1.2,
// DP 0.7, CUb 0.4; 361.58 €), set on the service's 2026 cost lines and
// forecast, notified in March; the acts of the first half of 2026 are
// imported from the service's software, month by month, and billed.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"voisines/internal/agreement"
	"voisines/internal/civil"
	"voisines/internal/ledger"
	"voisines/internal/money"
	"voisines/internal/service"
	"voisines/internal/store"
)

// The service commun's convention and service.
const (
	TitleADS   = "Service commun d'instruction des autorisations du droit des sols (ADS)"
	ServiceADS = "Instruction des autorisations d'urbanisme"

	convADS = "ads"
)

// LabelADS labels the statement of the first half of 2026.
const LabelADS = "1er semestre 2026"

// adsActs are the acts the service instructed for each commune in the first
// half of 2026: domain.md §10 example 6's A to E, by INSEE code.
var adsActs = []struct {
	code   string
	counts [4]int // PC, PA, DP, CUb
}{
	{salles, [4]int{40, 2, 85, 30}},      // 113.9 weighted acts
	{marcillac, [4]int{22, 0, 51, 18}},   // 64.9
	{stChristophe, [4]int{9, 1, 20, 11}}, // 28.6
	{valady, [4]int{15, 0, 33, 9}},       // 41.7
	{nauviale, [4]int{6, 0, 12, 5}},      // 16.4
}

// adsTypes are the act types in the order of adsActs' counts.
var adsTypes = [4]string{"PC", "PA", "DP", "CUb"}

// adsYear is the service's 2026: the 2025 compte administratif, updated for
// the 2026 budget, over 531 weighted acts forecast — 192,000.00 / 531 =
// 361.5819…, rounded to 361.58 € as example 6's 96,000.00 / 265.5.
var adsYear = service.YearInput{
	Source: "compte administratif 2025 du service commun",
	Lines: []service.CostLine{
		{Category: service.Personnel, Label: "Rémunérations et charges des instructeurs (2,5 ETP)", Amount: 148_600_00, Eligible: true},
		{Category: service.Fournitures, Label: "Fournitures, reprographie et affranchissement des plis recommandés", Amount: 6_900_00, Eligible: true},
		{Category: service.Contrats, Label: "Logiciel d'instruction et guichet numérique des autorisations d'urbanisme", Amount: 14_200_00, Eligible: true},
		{Category: service.Renouvellement, Label: "Renouvellement des postes informatiques et du véhicule de service", Amount: 9_800_00, Eligible: true},
		{Category: service.Autre, Label: "Quote-part des frais généraux du siège de la communauté", Amount: 7_400_00, Reason: service.NotStrictlyLinked},
	},
	BudgetUpdate:       12_500_00,
	BudgetUpdateReason: "Budget primitif 2026 : revalorisation indiciaire et avancements, module de dématérialisation des dépôts",
	ForecastUnits:      money.IntRat(531),
}

func (s *seeder) adsConventionSpec() convSpec {
	return convSpec{
		key: convADS, kind: agreement.ServiceCommun,
		parties: []partySpec{{cc, agreement.RoleManager}, {salles, agreement.RoleMember}, {marcillac, agreement.RoleMember},
			{stChristophe, agreement.RoleMember}, {valady, agreement.RoleMember}, {nauviale, agreement.RoleMember}},
		content: agreement.Content{
			Title: TitleADS,
			Term:  agreement.Term{Start: day("2026-01-01"), End: day("2028-12-31"), NoticeMonths: 6},
			Financial: agreement.Financial{Mode: agreement.UnitPrice, PeriodMonths: 6,
				Summary: "Chaque commune rembourse les actes instruits pour elle au coût unitaire de l'acte pondéré (PC 1 ; PA 1,2 ; DP 0,7 ; CUb 0,4), fixé chaque année sur les dépenses du service et le nombre d'actes prévu, notifié avant le 30 avril ; état semestriel et titre de recettes de la communauté."},
			ServiceCommun: agreement.ServiceCommunTerms{
				Tasks:           "Instruction des permis de construire, permis d'aménager, déclarations préalables et certificats d'urbanisme opérationnels déposés dans les communes membres",
				ImpactStatement: "Fiche d'impact annexée (effectifs, organisation, conditions de travail et rémunération des agents du service)",
			},
		},
		clauses: map[agreement.ClauseID]string{
			agreement.ClauseObjet:           "Le service commun instruit, pour le compte des maires des communes membres, les demandes de permis de construire, de permis d'aménager, les déclarations préalables et les certificats d'urbanisme opérationnels. Le maire reste seul compétent pour délivrer les autorisations.",
			agreement.ClauseFicheImpact:     "La fiche d'impact annexée décrit les effets de la création du service commun sur l'organisation et les conditions de travail, la rémunération et les droits acquis des agents ; elle a été soumise au comité social territorial.",
			agreement.ClauseEffetsPersonnel: "Les deux instructeurs de Marcillac-Vallon et de Salles-la-Source rejoignent de plein droit la communauté ; ils conservent leur régime indemnitaire et leurs droits acquis.",
			agreement.ClauseFinancier:       "Chaque commune rembourse les actes instruits pour elle au coût unitaire de l'acte pondéré (PC 1 ; PA 1,2 ; DP 0,7 ; CUb 0,4), calculé sur les dépenses du service au dernier compte administratif actualisées au budget primitif et sur le nombre d'actes prévu, arrondi au centime et notifié avant le 30 avril. La communauté émet chaque semestre un état et un titre de recettes ; le service n'est pas imputé sur l'attribution de compensation.",
			agreement.ClauseDuree:           "La convention prend effet le 1er janvier 2026 et s'achève le 31 décembre 2028.",
			agreement.ClauseControle:        "Le service rend compte chaque semestre aux maires du nombre d'actes instruits par commune et des délais d'instruction ; un comité de suivi des maires se réunit une fois par an.",
			agreement.ClauseResiliation:     textResil,
			agreement.ClauseLitiges:         textLitiges,
		},
		drafted: day("2025-09-15"),
		acts: []actSpec{
			{code: cc, kind: agreement.CSTOpinion, body: cstBody, number: "CST-2025-031", date: day("2025-10-07")},
			{code: salles, kind: agreement.CSTOpinion, body: cstBody, number: "CST-2025-031", date: day("2025-10-07")},
			{code: marcillac, kind: agreement.CSTOpinion, body: cstBody, number: "CST-2025-031", date: day("2025-10-07")},
			{code: stChristophe, kind: agreement.CSTOpinion, body: cstBody, number: "CST-2025-031", date: day("2025-10-07")},
			{code: valady, kind: agreement.CSTOpinion, body: cstBody, number: "CST-2025-031", date: day("2025-10-07")},
			{code: nauviale, kind: agreement.CSTOpinion, body: cstBody, number: "CST-2025-031", date: day("2025-10-07")},
		},
		approvals: []approvalSpec{
			{cc, "2025-112", day("2025-10-23"), day("2025-10-27")},
			{salles, "2025-066", day("2025-11-06"), day("2025-11-10")},
			{marcillac, "2025-079", day("2025-11-13"), day("2025-11-17")},
			{stChristophe, "2025-047", day("2025-11-18"), day("2025-11-20")},
			{valady, "2025-053", day("2025-11-20"), day("2025-11-24")},
			{nauviale, "2025-036", day("2025-11-27"), day("2025-12-01")},
		},
		signed: day("2025-12-10"),
	}
}

// cstBody is the comité social territorial of the communes and of the
// communauté, each under fifty agents: the centre de gestion's.
const cstBody = "Comité social territorial du centre de gestion de l'Aveyron"

// seedSharedService records the service commun ADS under the convention
// seedConventions made, its 2026 unit cost and notice, the acts of the
// first half of 2026 and their statement.
func seedSharedService(ctx context.Context, s *seeder) error {
	r, admin := s.conv[convADS], s.clerk[cc]

	svc, err := s.shared.ByAgreement(ctx, admin, r.ID)
	if errors.Is(err, store.ErrNotFound) {
		s.clk.on(day("2026-01-06"))
		weights := []service.ActWeight{
			{Type: "PC", Label: "Permis de construire", Weight: money.IntRat(1)},
			{Type: "PA", Label: "Permis d'aménager", Weight: money.NewRat(12, 10)},
			{Type: "DP", Label: "Déclaration préalable", Weight: money.NewRat(7, 10)},
			{Type: "CUb", Label: "Certificat d'urbanisme opérationnel", Weight: money.NewRat(4, 10)},
		}
		svc, err = s.shared.Create(ctx, admin, r.ID, service.Details{Name: ServiceADS, Unit: service.Act, Weights: weights,
			RoundUnitCostFirst: true,
			Description:        "Service commun de la communauté : deux instructeurs et demi, au siège de Marcillac-Vallon."})
		if err == nil {
			s.rep.Created++
		}
	}
	if err != nil {
		return fmt.Errorf("service : %w", err)
	}

	y, err := s.shared.Year(ctx, admin, svc.ID, 2026)
	if errors.Is(err, store.ErrNotFound) {
		s.clk.on(day("2026-02-16"))
		in := adsYear
		in.Lines = slices.Clone(adsYear.Lines)
		y, err = s.shared.SetYear(ctx, admin, svc.ID, 2026, 0, in)
		if err == nil {
			s.rep.Created++
		}
	}
	if err != nil {
		return fmt.Errorf("coût unitaire 2026 : %w", err)
	}
	notified := day("2026-03-12")
	if !y.Notification.Notified {
		s.clk.on(notified)
		if _, err := s.shared.Notify(ctx, admin, svc.ID, 2026, service.NoticeInput{Date: notified,
			Note: "Courrier du président aux maires, avec le détail du calcul"}); err != nil {
			return fmt.Errorf("notification du coût unitaire 2026 : %w", err)
		}
		s.rep.Created++
	} else {
		notified = y.Notification.Notices[0].Date
	}

	// The acts of January to June, imported on 3 July from the
	// instruction software's monthly export.
	u, err := s.shared.Usage(ctx, admin, svc.ID, service.UsageFilter{From: firstHalfFrom, To: firstHalfTo})
	if err != nil {
		return err
	}
	if len(u.Lines) == 0 {
		s.clk.on(day("2026-07-03"))
		if _, err := s.shared.ImportUsage(ctx, admin, svc.ID, strings.NewReader(adsUsageFile())); err != nil {
			return fmt.Errorf("import des actes du 1er semestre : %w", err)
		}
		s.rep.Created++
		if u, err = s.shared.Usage(ctx, admin, svc.ID, service.UsageFilter{From: firstHalfFrom, To: firstHalfTo}); err != nil {
			return err
		}
	}
	var weighted money.Rat
	for _, t := range u.Totals {
		weighted = weighted.Add(t.Weighted)
	}

	if _, err := s.ensureServiceStatement(ctx, svc, day("2026-07-08"),
		service.StatementRequest{From: firstHalfFrom, To: firstHalfTo, Label: LabelADS}); err != nil {
		return fmt.Errorf("état du 1er semestre : %w", err)
	}

	var names []string
	for _, b := range svc.Beneficiaries {
		names = append(names, b.Name)
	}
	s.rep.Services = append(s.rep.Services, fmt.Sprintf(
		"%s, par la %s pour %s ; coût unitaire 2026 de %s (%s pour %s actes pondérés prévus), notifié le %s ; %s actes pondérés au 1er semestre 2026.",
		svc.Name, svc.Provider.Name, frenchList(names), service.UnitCostText(y.Applied, svc.Unit), y.UnitCost.Updated,
		units(y.ForecastUnits), notified.French(), units(weighted)))
	return nil
}

// adsUsageFile is the usage file of the first half of 2026: adsActs spread
// over the months, one line per commune, act type and month, dated the
// month's last day.
func adsUsageFile() string {
	var b strings.Builder
	b.WriteString("date;beneficiaire;type;quantite;reference\n")
	for i, c := range adsActs {
		for j, n := range c.counts {
			for m := range 6 {
				// n acts over six months, the remainder of n / 6 spread
				// from a month that turns with the line, so that the
				// months differ.
				q := n / 6
				if (m+i+j)%6 < n%6 {
					q++
				}
				if q == 0 {
					continue
				}
				last := civil.New(2026, time.Month(m+1), 1).AddMonths(1).AddDays(-1)
				fmt.Fprintf(&b, "%s;%s;%s;%d;ADS-2026-%02d-%s-%s\n", last, c.code, adsTypes[j], q, m+1, c.code, adsTypes[j])
			}
		}
	}
	return b.String()
}

// ensureServiceStatement returns the current statement of svc for req's
// period, drafting and issuing it on the day given when there is none.
func (s *seeder) ensureServiceStatement(ctx context.Context, svc service.Service, on civil.Date, req service.StatementRequest) (ledger.Statement, error) {
	clerk := s.clerk[s.codeOf(svc.Provider.OrgID)]
	sts, err := s.shared.Statements(ctx, clerk, svc.ID)
	if err != nil {
		return ledger.Statement{}, err
	}
	var draft *ledger.Statement
	for i, st := range sts {
		if st.Inputs.From != req.From || st.Inputs.To != req.To {
			continue
		}
		switch {
		case st.Current():
			return st, nil
		case st.Status == ledger.Draft:
			draft = &sts[i]
		}
	}
	s.clk.on(on)
	if draft == nil {
		st, err := s.shared.DraftStatement(ctx, clerk, svc.ID, req)
		if err != nil {
			return st, err
		}
		draft = &st
	} else if _, err := s.shared.RecomputeStatement(ctx, clerk, svc.ID, draft.ID); err != nil {
		return ledger.Statement{}, err
	}
	st, err := s.shared.IssueStatement(ctx, clerk, svc.ID, draft.ID)
	if err == nil {
		s.rep.Created++
	}
	return st, err
}

// units writes a number of weighted acts: "531", "265,5".
func units(r money.Rat) string {
	if r.IsInt() {
		return r.French(0)
	}
	return r.French(1)
}

// frenchList joins names the French way: "A, B et C".
func frenchList(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " et " + names[len(names)-1]
}
