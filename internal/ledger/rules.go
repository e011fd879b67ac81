package ledger

import (
	"fmt"
	"slices"
	"sync"

	"voisines/internal/agreement"
	"voisines/internal/civil"
	"voisines/internal/money"
)

// roles says, for a kind of convention, which party invoices (the
// creditor) and which parties bear the cost or owe the price by default.
type roles struct {
	creditor agreement.Role
	bearers  []agreement.Role
}

var kindRoles = map[agreement.Kind]roles{
	agreement.Entente:                {agreement.RoleLead, []agreement.Role{agreement.RoleLead, agreement.RoleMember}},
	agreement.Prestation:             {agreement.RoleProvider, []agreement.Role{agreement.RoleBeneficiary}},
	agreement.MADServicesAscendante:  {agreement.RoleProvider, []agreement.Role{agreement.RoleBeneficiary}},
	agreement.MADServicesDescendante: {agreement.RoleProvider, []agreement.Role{agreement.RoleBeneficiary}},
	agreement.MADServiceL5111:        {agreement.RoleProvider, []agreement.Role{agreement.RoleBeneficiary}},
	agreement.ServiceUnifie:          {agreement.RoleLead, []agreement.Role{agreement.RoleLead, agreement.RoleMember}},
	agreement.ServiceCommun:          {agreement.RoleManager, []agreement.Role{agreement.RoleMember}},
	agreement.BiensPartages:          {agreement.RoleOwner, []agreement.Role{agreement.RoleMember}},
	agreement.EquipementPartage:      {agreement.RoleOwner, []agreement.Role{agreement.RoleUser}},
	// The commission syndicale holds the accounts of biens indivis: it pays
	// out a surplus and calls a deficit (L5222-2).
	agreement.BiensIndivis:          {agreement.RoleManager, []agreement.Role{agreement.RoleCoOwner}},
	agreement.MADPersonnel:          {agreement.RoleHomeEmployer, []agreement.Role{agreement.RoleHost}},
	agreement.GroupementCommandes:   {agreement.RoleCoordinator, []agreement.Role{agreement.RoleCoordinator, agreement.RoleMember}},
	agreement.DelegationCompetence:  {agreement.RoleDelegate, []agreement.Role{agreement.RoleDelegating}},
	agreement.MandatMaitriseOuvrage: {agreement.RoleMandatary, []agreement.Role{agreement.RoleProjectOwner}},
	agreement.CoMaitriseOuvrage:     {agreement.RoleLead, []agreement.Role{agreement.RoleLead, agreement.RoleProjectOwner}},
	agreement.AssistanceTechnique:   {agreement.RoleProvider, []agreement.Role{agreement.RoleBeneficiary}},
	agreement.PartenariatEvenement:  {agreement.RoleLead, []agreement.Role{agreement.RoleLead, agreement.RolePartner}},
	agreement.FraisScolarite:        {agreement.RoleSchoolHost, []agreement.Role{agreement.RoleResidence}},
}

// CreditorRole returns the role of the party that invoices under a
// convention of kind k.
func CreditorRole(k agreement.Kind) (agreement.Role, bool) {
	r, ok := kindRoles[k]
	return r.creditor, ok
}

// BearerRoles returns the roles of the parties that bear the cost or owe the
// price by default under a convention of kind k.
func BearerRoles(k agreement.Kind) []agreement.Role { return slices.Clone(kindRoles[k].bearers) }

// yearlyPeriod lists the kinds whose repayment periodicity "ne peut excéder
// un an" (CGCT D5211-16, R5111-1).
var yearlyPeriod = map[agreement.Kind]string{
	agreement.MADServicesAscendante:  "CGCT D5211-16",
	agreement.MADServicesDescendante: "CGCT D5211-16",
	agreement.MADServiceL5111:        "CGCT R5111-1",
	agreement.ServiceUnifie:          "CGCT R5111-1",
}

// ruleText is the legal rule a statement applies, printed at its top.
func ruleText(k agreement.Kind, mode agreement.FinancialMode, kind StatementKind) string {
	switch mode {
	case agreement.UnitPrice:
		switch k {
		case agreement.MADServicesAscendante, agreement.MADServicesDescendante:
			return "CGCT D5211-16 : remboursement égal au coût unitaire de fonctionnement du service multiplié par le nombre d'unités de fonctionnement constatées ; périodicité d'un an au plus."
		case agreement.MADServiceL5111, agreement.ServiceUnifie:
			return "CGCT R5111-1 : remboursement égal au coût unitaire de fonctionnement multiplié par le nombre d'unités de fonctionnement constatées ; périodicité d'un an au plus."
		case agreement.EquipementPartage:
			return "CGCT L1311-15 : participation financière calculée par référence aux frais de fonctionnement de l'équipement, selon les modalités de la convention."
		case agreement.MADPersonnel:
			return "CGFP L512-11 et décret n° 2008-580 : remboursement au temps réel, heures travaillées × coût horaire (coût annuel de l'agent / heures annuelles de travail)."
		case agreement.FraisScolarite:
			return "Code de l'éducation L212-8 : contribution calculée sur le coût moyen par élève des écoles publiques de la commune d'accueil, multiplié par le nombre d'élèves."
		}
		return "Coût unitaire multiplié par les unités consommées, chaque ligne arrondie au centime comme la convention le prévoit."
	case agreement.ActualCostByKey:
		switch k {
		case agreement.BiensIndivis:
			return "CGCT L5222-2 : répartition de l'excédent des recettes (ou des dépenses) de la commission syndicale entre les communes co-indivisaires, selon leurs droits."
		case agreement.Entente:
			return "CGCT L5221-1 : ouvrages et institutions d'utilité commune entretenus à frais communs, répartis selon la clé de la convention."
		}
		return "Coût réel réparti selon la clé de répartition de la convention, au centime, par la méthode du plus fort reste."
	case agreement.SalaryProRata:
		return "CGFP L512-11 et décret n° 2008-580 : remboursement de la rémunération et des charges de l'agent, au prorata de la quotité de travail et de la durée de la période."
	case agreement.FixedPrice:
		return "Prix forfaitaire fixé par la convention."
	case agreement.CallsForFunds:
		basis := "CCP L2422-12 (co-maîtrise d'ouvrage)"
		if k == agreement.MandatMaitriseOuvrage {
			basis = "CCP L2422-7 2° (mandat de maîtrise d'ouvrage)"
		}
		if kind == Final {
			return basis + " : décompte final sur le coût réel de l'ouvrage, réparti selon la clé de la convention, déduction faite des appels de fonds déjà émis."
		}
		return basis + " : appel de fonds sur la part de chaque maître d'ouvrage dans le coût prévisionnel de l'ouvrage."
	}
	return mode.Label()
}

// periodMonths returns the number of months from `from` to `to`
// inclusive, exactly: whole calendar months counted "de quantième à
// quantième", plus the remaining days as a fraction of the month they fall
// in. 1 May to 31 December is 8; 1 to 15 June is 1/2.
func periodMonths(from, to civil.Date) money.Rat {
	next := to.AddDays(1)
	n := 0
	for !from.AddMonths(n + 1).After(next) {
		n++
	}
	start := from.AddMonths(n)
	days := start.DaysUntil(next)
	if days == 0 {
		return money.IntRat(int64(n))
	}
	monthLen := start.DaysUntil(start.AddMonths(1))
	return money.IntRat(int64(n)).Add(money.NewRat(int64(days), int64(monthLen)))
}

// longerThan reports whether the period from..to lasts more than n months.
func longerThan(from, to civil.Date, n int) bool {
	return !to.Before(from.AddMonths(n))
}

// frenchPeriod writes a period for statements: "du 1er mai 2026 au 31
// décembre 2026", or "le 15 mars 2026" for one day.
func frenchPeriod(from, to civil.Date) string {
	if from == to {
		return "le " + from.French()
	}
	return fmt.Sprintf("du %s au %s", from.French(), to.French())
}

// kindLabel returns the French name of kind k, from a table built once
// (agreement.Lookup copies the whole catalogue entry each time).
func kindLabel(k agreement.Kind) string {
	if l, ok := kindLabels()[k]; ok {
		return l
	}
	return string(k)
}

var kindLabels = sync.OnceValue(func() map[agreement.Kind]string {
	m := map[agreement.Kind]string{}
	for _, s := range agreement.Catalogue() {
		m[s.Kind] = s.Label
	}
	return m
})
