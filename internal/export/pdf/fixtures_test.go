package pdf

import (
	"voisines/internal/agreement"
	"voisines/internal/civil"
	"voisines/internal/money"
)

// Real communes and EPCI of the COG 2026 (INSEE code, SIREN, EPCI à FP as
// in the agreement package's fixtures). Representatives are fictitious.
var (
	rodez = agreement.Party{OrgID: 1, Kind: agreement.Commune, Name: "Rodez", SIREN: "211202023", CommuneCode: "12202",
		DepartementCode: "12", EPCISIREN: "241200187", Representative: agreement.Representative{Name: "Claire Martin", Title: "Maire"}}
	onet = agreement.Party{OrgID: 2, Kind: agreement.Commune, Name: "Onet-le-Château", SIREN: "211201769", CommuneCode: "12176",
		DepartementCode: "12", EPCISIREN: "241200187", Representative: agreement.Representative{Name: "Paul Bernard", Title: "Maire"}}
	olemps = agreement.Party{OrgID: 3, Kind: agreement.Commune, Name: "Olemps", SIREN: "211201744", CommuneCode: "12174",
		DepartementCode: "12", EPCISIREN: "241200187", Representative: agreement.Representative{Name: "Anne Roux", Title: "Maire"}}
	luc = agreement.Party{OrgID: 5, Kind: agreement.Commune, Name: "Luc-la-Primaube", SIREN: "211201330", CommuneCode: "12133",
		DepartementCode: "12", EPCISIREN: "241200187", Representative: agreement.Representative{Name: "Marie Costes", Title: "Maire"}}
	agglo = agreement.Party{OrgID: 10, Kind: agreement.EPCI, Name: "CA Rodez Agglomération", SIREN: "241200187", DepartementCode: "12",
		FPU: true, Representative: agreement.Representative{Name: "Sophie Garric", Title: "Présidente"}}
)

var (
	deliberated = civil.MustParse("2026-05-20")
	transmitted = civil.MustParse("2026-05-22")
	signedDay   = civil.MustParse("2026-06-01")
	generated   = civil.MustParse("2026-06-02")
	amendDay    = civil.MustParse("2026-09-15")
	asOf        = civil.MustParse("2026-09-30")
)

func as(p agreement.Party, role agreement.Role) agreement.Party { p.Role = role; return p }

// entente is a signed entente between three communes of Rodez
// Agglomération running a swimming pool, with its clauses written.
func entente() agreement.Agreement {
	a := agreement.New(agreement.Entente, agreement.Content{
		Title:   "Gestion commune de la piscine intercommunale du Grand Bourg",
		Parties: []agreement.Party{as(rodez, agreement.RoleLead), as(onet, agreement.RoleMember), as(olemps, agreement.RoleMember)},
		Term: agreement.Term{Start: civil.MustParse("2026-07-01"), DurationMonths: 36, TacitRenewal: true,
			RenewalMonths: 12, MaxRenewals: 2, NoticeMonths: 6},
		Financial: agreement.Financial{Mode: agreement.ActualCostByKey, PeriodMonths: 6,
			Summary: "Le coût net de fonctionnement de la piscine, déduction faite des recettes d'entrée, est réparti entre les parties selon la clé définie à l'article 2. La commune support émet chaque semestre un titre de recettes à l'encontre de chaque membre pour sa quote-part, soit " + money.Cents(1250000).String() + " par an au titre de l'acompte prévisionnel."},
		Clauses: []agreement.Clause{
			{ID: agreement.ClauseObjet, Text: "L'entente a pour objet la gestion, l'entretien et l'exploitation de la piscine intercommunale du Grand Bourg, équipement d'utilité commune aux trois communes."},
			{ID: agreement.ClauseCleRepartition, Text: "Les frais communs sont répartis à 50 % selon la population DGF de l'année N-1 et à 50 % selon le nombre d'entrées des scolaires de chaque commune."},
			{ID: agreement.ClauseConference, Text: "La conférence intercommunale réunit deux délégués de chaque conseil municipal, élus au scrutin secret. Elle se réunit au moins deux fois par an, dont une fois avant le vote des budgets primitifs."},
			{ID: agreement.ClauseSortie, Text: "Un membre peut se retirer de l'entente au 31 décembre de chaque année, moyennant un préavis de six mois ; il reste tenu des charges d'emprunt contractées avant son retrait. Les biens acquis en commun restent la propriété de la commune support, qui indemnise le membre sortant de sa quote-part de leur valeur nette comptable."},
		},
	})
	a.Approvals = deliberations(a, "Conseil municipal")
	return signed(a)
}

// secondment is a signed mise à disposition of a technical agent from
// Onet-le-Château to Rodez, at 30 %, with its mandatory clauses written.
func secondment() agreement.Agreement {
	a := agreement.New(agreement.MADPersonnel, agreement.Content{
		Title:     "Mise à disposition d'un agent du service des sports",
		Parties:   []agreement.Party{as(onet, agreement.RoleHomeEmployer), as(rodez, agreement.RoleHost)},
		Term:      agreement.Term{Start: civil.MustParse("2026-07-01"), End: civil.MustParse("2029-06-30"), NoticeMonths: 2},
		Financial: agreement.Financial{Mode: agreement.SalaryProRata, Summary: "Le remboursement est effectué trimestriellement, sur présentation d'un état des rémunérations versées."},
		Secondment: agreement.SecondmentTerms{Agent: "Julien Lacan", Grade: "adjoint technique principal de 2e classe",
			AgentStatus: agreement.Titulaire, Quotite: agreement.Fraction{Num: 30, Den: 100}},
		Clauses: []agreement.Clause{
			{ID: agreement.ClauseActivites, Text: "L'agent assure l'entretien des équipements sportifs de plein air de la commune d'accueil et participe à l'organisation des manifestations sportives."},
			{ID: agreement.ClauseConditionsEmploi, Text: "L'organisme d'accueil fixe les conditions de travail de l'agent : horaires, congés annuels dans le respect des nécessités de service des deux collectivités. L'administration d'origine gère sa situation administrative (avancement, autorisations de travail à temps partiel, discipline)."},
			{ID: agreement.ClauseControle, Text: "Un rapport sur la manière de servir de l'agent est établi chaque année par l'organisme d'accueil et transmis à l'administration d'origine, qui procède à l'entretien professionnel."},
		},
	})
	a.Approvals = []agreement.Approval{
		{OrgID: onet.OrgID, Kind: agreement.AgentConsent, Date: civil.MustParse("2026-05-12")},
		{OrgID: onet.OrgID, Kind: agreement.CouncilInformation, Body: "Conseil municipal", Date: deliberated},
		{OrgID: onet.OrgID, Kind: agreement.Arrete, Number: "A-2026-118", Date: civil.MustParse("2026-05-28"), TransmittedOn: civil.MustParse("2026-05-29")},
	}
	return signed(a)
}

// deliberations returns a deliberation of each party, numbered.
func deliberations(a agreement.Agreement, body string) []agreement.Approval {
	var out []agreement.Approval
	for i, p := range a.Parties {
		out = append(out, agreement.Approval{OrgID: p.OrgID, Kind: agreement.Deliberation, Body: body,
			Number: "2026-0" + string(rune('4'+i)) + "5", Date: deliberated, TransmittedOn: transmitted})
	}
	return out
}

// signed returns a with every signatory's signature on signedDay.
func signed(a agreement.Agreement) agreement.Agreement {
	for _, p := range a.Parties {
		a.Signatures = append(a.Signatures, agreement.Signature{OrgID: p.OrgID, Date: signedDay, Signatory: p.Representative.Name})
	}
	a.Status = agreement.Signed
	return a
}

// amendedSecondment is secondment after avenant n° 1, which raises the
// quotité to 50 % and widens the activities.
func amendedSecondment(t interface{ Fatalf(string, ...any) }) agreement.Agreement {
	a := secondment()
	next := a.Content
	next.Secondment.Quotite = agreement.Fraction{Num: 50, Den: 100}
	next.Clauses = append([]agreement.Clause(nil), a.Clauses...)
	next.Clauses[0].Text += " Il assure en outre l'encadrement de l'école municipale des sports le mercredi."
	am := agreement.Amendment{Date: amendDay, Reason: "L'ouverture de l'école municipale des sports de Rodez le mercredi nécessite d'augmenter le temps de travail de l'agent mis à disposition.",
		Approvals: []agreement.Approval{{OrgID: onet.OrgID, Kind: agreement.AgentConsent, Date: civil.MustParse("2026-09-01")}}}
	b, err := agreement.Amend(a, next, am, asOf)
	if err != nil {
		t.Fatalf("amend: %v", err)
	}
	return b
}
