package agreement

import (
	"fmt"
	"slices"
	"testing"

	"voisines/internal/civil"
)

// Real organisations of the COG 2026 (INSEE code, SIREN, EPCI à FP checked
// in @etalab/decoupage-administratif). Representatives are fictitious. The
// département's SIREN and the CCAS's are left empty: not checked.
var (
	rodez = Party{OrgID: 1, Kind: Commune, Name: "Rodez", SIREN: "211202023", CommuneCode: "12202",
		DepartementCode: "12", EPCISIREN: "241200187", Representative: Representative{Name: "Claire Martin", Title: "Maire"}}
	onet = Party{OrgID: 2, Kind: Commune, Name: "Onet-le-Château", SIREN: "211201769", CommuneCode: "12176",
		DepartementCode: "12", EPCISIREN: "241200187", Representative: Representative{Name: "Paul Bernard", Title: "Maire"}}
	olemps = Party{OrgID: 3, Kind: Commune, Name: "Olemps", SIREN: "211201744", CommuneCode: "12174",
		DepartementCode: "12", EPCISIREN: "241200187", Representative: Representative{Name: "Anne Roux", Title: "Maire"}}
	druelle = Party{OrgID: 4, Kind: Commune, Name: "Druelle Balsac", SIREN: "200064665", CommuneCode: "12090",
		DepartementCode: "12", EPCISIREN: "241200187", Representative: Representative{Name: "Luc Vidal", Title: "Maire"}}
	luc = Party{OrgID: 5, Kind: Commune, Name: "Luc-la-Primaube", SIREN: "211201330", CommuneCode: "12133",
		DepartementCode: "12", EPCISIREN: "241200187", Representative: Representative{Name: "Marie Costes", Title: "Maire"}}
	millau = Party{OrgID: 6, Kind: Commune, Name: "Millau", SIREN: "211201454", CommuneCode: "12145",
		DepartementCode: "12", EPCISIREN: "241200567", Representative: Representative{Name: "Jean Fabre", Title: "Maire"}}
	agglo = Party{OrgID: 10, Kind: EPCI, Name: "CA Rodez Agglomération", SIREN: "241200187", DepartementCode: "12",
		FPU: true, Representative: Representative{Name: "Sophie Garric", Title: "Présidente"}}
	ccMillau = Party{OrgID: 11, Kind: EPCI, Name: "CC de Millau Grands Causses", SIREN: "241200567", DepartementCode: "12",
		FPU: true, Representative: Representative{Name: "Henri Puech", Title: "Président"}}
	aveyron = Party{OrgID: 20, Kind: Departement, Name: "Département de l'Aveyron", DepartementCode: "12",
		Representative: Representative{Name: "Hélène Albert", Title: "Présidente du conseil départemental"}}
	ccasRodez = Party{OrgID: 30, Kind: EPARattache, Name: "CCAS de Rodez", DepartementCode: "12", AttachedCommune: "12202",
		Representative: Representative{Name: "Claire Martin", Title: "Présidente du conseil d'administration"}}
	commission = Party{OrgID: 50, Kind: CommissionSyndicale, Name: "Commission syndicale des bois indivis d'Olemps et Druelle Balsac",
		DepartementCode: "12", Representative: Representative{Name: "Luc Vidal", Title: "Syndic"}}
	comite = Party{OrgID: 60, Kind: Association, Name: "Comité des fêtes du Grand Rodez (fictif)",
		Representative: Representative{Name: "Inès Lacombe", Title: "Présidente"}}
	metz = Party{OrgID: 40, Kind: Commune, Name: "Metz", SIREN: "215704636", CommuneCode: "57463",
		DepartementCode: "57", EPCISIREN: "200039865", AlsaceMoselle: true, Representative: Representative{Name: "Yves Weber", Title: "Maire"}}
	montigny = Party{OrgID: 41, Kind: Commune, Name: "Montigny-lès-Metz", SIREN: "215704800", CommuneCode: "57480",
		DepartementCode: "57", EPCISIREN: "200039865", AlsaceMoselle: true, Representative: Representative{Name: "Eva Muller", Title: "Maire"}}
	syndicat = Party{OrgID: 70, Kind: SyndicatMixte, Name: "Syndicat mixte (fictif)", DepartementCode: "12",
		Representative: Representative{Name: "Rémi Carles", Title: "Président"}}
)

// The timeline every lifecycle test follows.
var (
	drafted      = civil.MustParse("2026-05-04") // drafted and submitted
	deliberated  = civil.MustParse("2026-05-20") // councils deliberate
	transmitted  = civil.MustParse("2026-05-22") // deliberations reach the prefecture
	signedDay    = civil.MustParse("2026-06-01") // every party signs
	launch       = civil.MustParse("2026-06-15") // a groupement launches its procedure
	startDay     = civil.MustParse("2026-07-01")
	endDay       = civil.MustParse("2028-12-31")
	amendDelib   = civil.MustParse("2026-09-10")
	amendDay     = civil.MustParse("2026-09-15")
	terminateDay = civil.MustParse("2026-10-01")
)

func as(p Party, role Role) Party { p.Role = role; return p }

// valid returns a convention of kind k between real organisations that
// breaks no rule, not even a warning one, as of drafted.
func valid(k Kind) Agreement {
	spec, ok := Lookup(k)
	if !ok {
		panic("unknown kind " + string(k))
	}
	c := Content{
		Title:     spec.Label + " — essai",
		Term:      Term{Start: startDay, End: endDay, NoticeMonths: 3},
		Financial: Financial{Mode: spec.FinancialModes[0], Reference: "cout-1", Summary: "Article financier."},
	}
	switch k {
	case Entente:
		c.Parties = []Party{as(rodez, RoleLead), as(onet, RoleMember), as(olemps, RoleMember)}
	case Prestation:
		c.Parties = []Party{as(rodez, RoleProvider), as(millau, RoleBeneficiary)}
		c.Prestation = PrestationTerms{CooperationJustification: "Entretien mutualisé des espaces verts des deux villes centres, au service d'objectifs communs de service public.", OpenMarketBelow20: true}
	case MADServicesAscendante:
		c.Parties = []Party{as(olemps, RoleProvider), as(agglo, RoleBeneficiary)}
		c.Provision = ProvisionTerms{Service: "voirie", UnitCostMethod: "Dépenses du dernier compte administratif actualisées du budget primitif, divisées par les heures productives.", Unit: "heure", ForecastUnits: 8500}
		c.Financial.PeriodMonths = 6
	case MADServicesDescendante:
		c.Parties = []Party{as(agglo, RoleProvider), as(druelle, RoleBeneficiary), as(olemps, RoleBeneficiary)}
		c.Provision = ProvisionTerms{Service: "instruction des autorisations d'urbanisme", UnitCostMethod: "Coût du service divisé par le nombre d'actes.", Unit: "acte", ForecastUnits: 420}
		c.Financial.PeriodMonths = 12
	case MADServiceL5111:
		c.Parties = []Party{as(onet, RoleProvider), as(olemps, RoleBeneficiary)}
		c.Provision = ProvisionTerms{Service: "balayeuse et son chauffeur", UnitCostMethod: "Coût horaire du compte administratif.", Unit: "heure", ForecastUnits: 300}
		c.Financial.PeriodMonths = 12
	case ServiceUnifie:
		c.Parties = []Party{as(rodez, RoleLead), as(onet, RoleMember)}
		c.Provision = ProvisionTerms{Service: "service des archives", UnitCostMethod: "Coût par mètre linéaire traité.", Unit: "mètre linéaire", ForecastUnits: 120}
		c.Financial.PeriodMonths = 12
	case ServiceCommun:
		c.Parties = []Party{as(agglo, RoleManager), as(rodez, RoleMember), as(onet, RoleMember), as(ccasRodez, RoleMember)}
		c.ServiceCommun = ServiceCommunTerms{Tasks: "instruction du droit des sols", ImpactStatement: "fiche-impact-ads-2026.pdf", ChargeAgainstAC: true}
	case BiensPartages:
		c.Parties = []Party{as(agglo, RoleOwner), as(olemps, RoleMember), as(druelle, RoleMember)}
	case EquipementPartage:
		c.Parties = []Party{as(rodez, RoleOwner), as(olemps, RoleUser)}
		c.Equipment = EquipmentTerms{Equipment: "gymnase Paul-Lignon (fictif)", FirstUse: civil.MustParse("2026-03-01")}
	case BiensIndivis:
		c.Parties = []Party{as(olemps, RoleCoOwner), as(druelle, RoleCoOwner), as(commission, RoleManager)}
		c.Indivision = IndivisionTerms{Property: "bois indivis", Shares: []Share{
			{OrgID: olemps.OrgID, Share: Fraction{3, 7}}, {OrgID: druelle.OrgID, Share: Fraction{4, 7}}}}
	case MADPersonnel:
		c.Parties = []Party{as(onet, RoleHomeEmployer), as(rodez, RoleHost)}
		c.Term.End = civil.MustParse("2029-06-30") // three years from 1 July 2026
		c.Secondment = SecondmentTerms{Agent: "Agent A.", Grade: "adjoint technique principal", AgentStatus: Titulaire, Quotite: Fraction{30, 100}}
	case GroupementCommandes:
		c.Parties = []Party{as(rodez, RoleCoordinator), as(onet, RoleMember), as(olemps, RoleMember), as(luc, RoleMember)}
		c.PurchasingGroup = PurchasingGroupTerms{Needs: "produits d'entretien et papier, accord-cadre de quatre ans", LaunchDate: launch}
	case DelegationCompetence:
		c.Parties = []Party{as(rodez, RoleDelegating), as(aveyron, RoleDelegate)}
		c.Delegation = DelegationTerms{Competence: "gestion du réseau de lecture publique"}
	case MandatMaitriseOuvrage:
		c.Parties = []Party{as(druelle, RoleProjectOwner), as(rodez, RoleMandatary)}
		c.ProjectOwnership = ProjectOwnershipTerms{Work: "réhabilitation de l'école"}
	case CoMaitriseOuvrage:
		c.Parties = []Party{as(rodez, RoleLead), as(onet, RoleProjectOwner)}
		c.ProjectOwnership = ProjectOwnershipTerms{Work: "carrefour giratoire", Shares: []Share{
			{OrgID: rodez.OrgID, Share: Fraction{5, 8}}, {OrgID: onet.OrgID, Share: Fraction{3, 8}}}}
	case AssistanceTechnique:
		c.Parties = []Party{as(aveyron, RoleProvider), as(druelle, RoleBeneficiary)}
		c.TechnicalAssistance = TechnicalAssistanceTerms{Domain: "assainissement", EligibilityAttested: true}
	case PartenariatEvenement:
		c.Parties = []Party{as(rodez, RoleLead), as(onet, RolePartner), as(olemps, RolePartner), as(comite, RolePartner)}
		c.Event = EventTerms{Event: "festival d'été", Ticketing: true}
	case FraisScolarite:
		c.Parties = []Party{as(rodez, RoleSchoolHost), as(olemps, RoleResidence), as(druelle, RoleResidence)}
		c.SchoolCosts = SchoolCostsTerms{SchoolYear: "2026-2027", RoundUnitCostFirst: true}
	default:
		panic("no fixture for " + string(k))
	}
	a := New(k, c)
	for _, cs := range RequiredClauses(a) {
		a.Clauses = append(a.Clauses, Clause{ID: cs.ID, Text: "Texte de l'article « " + cs.Title + " »."})
	}
	return a
}

// approvalFor returns the act that meets n, dated on date.
func approvalFor(n Needed, date civil.Date, seq int) Approval {
	ap := Approval{OrgID: n.OrgID, Kind: n.Kind, Date: date}
	if numbered(n.Kind) {
		ap.Number = fmt.Sprintf("2026-%03d", seq)
		ap.TransmittedOn = date.AddDays(2)
	}
	return ap
}

// signedVersion returns a with every required approval and every
// signature recorded directly, as an import would, status Signed.
func signedVersion(a Agreement) Agreement {
	a.Approvals = nil
	for i, n := range RequiredApprovals(a) {
		a.Approvals = append(a.Approvals, approvalFor(n, deliberated, i+1))
	}
	a.Signatures = nil
	for _, p := range a.signatories() {
		a.Signatures = append(a.Signatures, Signature{OrgID: p.OrgID, Date: signedDay})
	}
	a.Status = Signed
	return a
}

func rules(vs []Violation) []RuleID {
	var out []RuleID
	for _, v := range vs {
		out = append(out, v.Rule)
	}
	return out
}

func has(vs []Violation, id RuleID) bool {
	return slices.ContainsFunc(vs, func(v Violation) bool { return v.Rule == id })
}

func mustNot(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("got error %v, want none", err)
	}
}

func withParty(a Agreement, i int, p Party) Agreement {
	a.Parties = slices.Clone(a.Parties)
	p.Role = a.Parties[i].Role
	a.Parties[i] = p
	return a
}

func withoutClause(a Agreement, id ClauseID) Agreement {
	a.Clauses = slices.DeleteFunc(slices.Clone(a.Clauses), func(c Clause) bool { return c.ID == id })
	return a
}
