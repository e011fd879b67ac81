package agreement

import "slices"

// Spec is what the law and practice require of one kind of convention: the
// catalogue entry a form, a validator and a document generator all read.
type Spec struct {
	Kind  Kind   `json:"kind"`
	Label string `json:"label"` // French
	// Section is the section of domain.md §3 describing the instrument
	// (school costs have none; see §10, example 9).
	Section    string      `json:"section,omitempty"`
	Basis      []Reference `json:"basis"`
	MinParties int         `json:"min_parties"`
	Roles      []RoleSpec  `json:"roles"`
	// LeadRole is the role of the party that drafts and runs the convention.
	LeadRole Role `json:"lead_role"`
	// Signatories are the roles whose holders sign; empty means every party.
	Signatories []Role        `json:"signatories,omitempty"`
	Clauses     []ClauseSpec  `json:"clauses"`
	Approvals   []Requirement `json:"approvals"`
	// FinancialModes are the modes the kind allows, the usual one first.
	FinancialModes []FinancialMode `json:"financial_modes"`
	// MaxMonths caps each period of the convention (36 for a secondment).
	MaxMonths int `json:"max_months,omitempty"`
}

// RoleSpec says how many parties of a kind may hold a role, and which kinds
// of organisation may.
type RoleSpec struct {
	Role     Role      `json:"role"`
	Label    string    `json:"label"` // French, fitted to the instrument
	Min      int       `json:"min"`
	Max      int       `json:"max,omitempty"` // 0: no maximum
	OrgKinds []OrgKind `json:"org_kinds"`
}

// ClauseSpec is a clause a kind of convention contains.
type ClauseSpec struct {
	ID    ClauseID  `json:"id"`
	Title string    `json:"title"` // French article title
	Level Level     `json:"level"`
	Basis Reference `json:"basis,omitzero"`
}

// Requirement is an approval a convention needs before it is signed.
type Requirement struct {
	Kind ApprovalKind `json:"kind"`
	// Roles are the roles whose holders must each record the approval;
	// empty means every party.
	Roles []Role `json:"roles,omitempty"`
	// PublicOnly skips parties that are not public bodies (an association
	// decides by its own rules).
	PublicOnly bool `json:"public_only,omitempty"`
	// Once is an act made once for the convention, by no party (OrgID 0).
	Once  bool      `json:"once,omitempty"`
	Title string    `json:"title"` // French
	Basis Reference `json:"basis,omitzero"`
}

// applies reports whether party p must record the requirement.
func (r Requirement) applies(p Party) bool {
	if r.Once {
		return false
	}
	if r.PublicOnly && !p.Kind.Public() {
		return false
	}
	return len(r.Roles) == 0 || slices.Contains(r.Roles, p.Role)
}

// Lists of organisation kinds used by several instruments.
var (
	communesAndGroupings = []OrgKind{Commune, EPCI, SyndicatCommunes, SyndicatMixte}
	localPublic          = []OrgKind{Commune, EPCI, SyndicatCommunes, SyndicatMixte, Departement, Region}
	allPublic            = []OrgKind{Commune, EPCI, SyndicatCommunes, SyndicatMixte, CommissionSyndicale, Departement, Region, EPARattache}
	anyOrg               = []OrgKind{Commune, EPCI, SyndicatCommunes, SyndicatMixte, CommissionSyndicale, Departement, Region, EPARattache, Association, OrganismePrive}
)

// Clauses found in most conventions.
var (
	objet       = ClauseSpec{ID: ClauseObjet, Title: "Objet", Level: Mandatory}
	dureeUsual  = ClauseSpec{ID: ClauseDuree, Title: "Durée", Level: Usual}
	controle    = ClauseSpec{ID: ClauseControle, Title: "Modalités de contrôle", Level: Usual}
	resiliation = ClauseSpec{ID: ClauseResiliation, Title: "Résiliation", Level: Usual}
	litiges     = ClauseSpec{ID: ClauseLitiges, Title: "Litiges", Level: Usual}
)

func deliberationOfEach(basis Reference) Requirement {
	return Requirement{Kind: Deliberation, Title: "Délibération de chaque partie approuvant la convention", Basis: basis}
}

// catalogue is the one place where the instruments are described. Basis,
// roles, clauses and approvals follow domain.md §2–§4; where §4 says
// "usual" the clause is Usual (a warning when missing), not Mandatory.
var catalogue = []Spec{
	{
		Kind: Entente, Label: "Entente intercommunale", Section: "A",
		Basis:      []Reference{cgct("L5221-1"), cgct("L5221-2")},
		MinParties: 2, LeadRole: RoleLead,
		Roles: []RoleSpec{
			{Role: RoleLead, Label: "Commune support", Min: 1, Max: 1, OrgKinds: communesAndGroupings},
			{Role: RoleMember, Label: "Membre de l'entente", Min: 1, OrgKinds: communesAndGroupings},
		},
		Clauses: []ClauseSpec{
			objet,
			{ID: ClauseCleRepartition, Title: "Répartition des frais communs", Level: Mandatory, Basis: cgct("L5221-1")},
			// L5221-2 supplies a default (three members per council, elected
			// by secret ballot), so the clause is usual rather than mandatory.
			{ID: ClauseConference, Title: "Conférence intercommunale", Level: Usual, Basis: cgct("L5221-2")},
			{ID: ClauseFinancier, Title: "Conditions financières et calendrier des paiements", Level: Usual},
			dureeUsual,
			{ID: ClauseSortie, Title: "Retrait d'un membre et partage des biens", Level: Usual},
			resiliation, litiges,
		},
		Approvals:      []Requirement{deliberationOfEach(cgct("L5221-1"))},
		FinancialModes: []FinancialMode{ActualCostByKey, UnitPrice, FixedPrice},
	},
	{
		Kind: Prestation, Label: "Convention de prestation de services", Section: "B",
		Basis:      []Reference{cgct("L5111-1"), ref("CCP", "L2511-6")},
		MinParties: 2, LeadRole: RoleProvider,
		Roles: []RoleSpec{
			{Role: RoleProvider, Label: "Prestataire", Min: 1, Max: 1, OrgKinds: localPublic},
			{Role: RoleBeneficiary, Label: "Bénéficiaire", Min: 1, OrgKinds: localPublic},
		},
		Clauses: []ClauseSpec{
			objet,
			{ID: ClauseDuree, Title: "Durée", Level: Mandatory},
			{ID: ClauseFinancier, Title: "Prix ou remboursement", Level: Mandatory},
			controle, resiliation, litiges,
		},
		Approvals:      []Requirement{deliberationOfEach(cgct("L5111-1"))},
		FinancialModes: []FinancialMode{UnitPrice, FixedPrice, ActualCostByKey},
	},
	{
		Kind: MADServicesAscendante, Label: "Mise à disposition de services d'une commune à son EPCI (ascendante)", Section: "C",
		Basis:      []Reference{cgct("L5211-4-1"), cgct("D5211-16")},
		MinParties: 2, LeadRole: RoleBeneficiary,
		Roles: []RoleSpec{
			{Role: RoleProvider, Label: "Commune mettant à disposition", Min: 1, Max: 1, OrgKinds: []OrgKind{Commune}},
			{Role: RoleBeneficiary, Label: "EPCI bénéficiaire", Min: 1, Max: 1, OrgKinds: []OrgKind{EPCI}},
		},
		Clauses: provisionClauses(false),
		Approvals: []Requirement{
			{Kind: Deliberation, Title: "Délibérations de l'EPCI et de la commune", Basis: cgct("L5211-4-1")},
		},
		FinancialModes: []FinancialMode{UnitPrice},
	},
	{
		Kind: MADServicesDescendante, Label: "Mise à disposition de services d'un EPCI à ses communes membres (descendante)", Section: "C",
		Basis:      []Reference{cgct("L5211-4-1"), cgct("D5211-16")},
		MinParties: 2, LeadRole: RoleProvider,
		Roles: []RoleSpec{
			{Role: RoleProvider, Label: "EPCI mettant à disposition", Min: 1, Max: 1, OrgKinds: []OrgKind{EPCI}},
			{Role: RoleBeneficiary, Label: "Commune membre bénéficiaire", Min: 1, OrgKinds: []OrgKind{Commune}},
		},
		Clauses: provisionClauses(true),
		Approvals: []Requirement{
			{Kind: Deliberation, Title: "Délibérations de l'EPCI et de chaque commune", Basis: cgct("L5211-4-1")},
		},
		FinancialModes: []FinancialMode{UnitPrice},
	},
	{
		Kind: MADServiceL5111, Label: "Mise à disposition de service ou d'équipement (L5111-1-1)", Section: "D",
		Basis:      []Reference{cgct("L5111-1-1"), cgct("R5111-1")},
		MinParties: 2, LeadRole: RoleProvider,
		Roles: []RoleSpec{
			{Role: RoleProvider, Label: "Partie mettant à disposition", Min: 1, Max: 1, OrgKinds: localPublic},
			{Role: RoleBeneficiary, Label: "Bénéficiaire", Min: 1, OrgKinds: localPublic},
		},
		Clauses:        provisionClauses(false),
		Approvals:      []Requirement{deliberationOfEach(cgct("L5111-1-1"))},
		FinancialModes: []FinancialMode{UnitPrice},
	},
	{
		Kind: ServiceUnifie, Label: "Service unifié (L5111-1-1)", Section: "D",
		Basis:      []Reference{cgct("L5111-1-1"), cgct("R5111-1")},
		MinParties: 2, LeadRole: RoleLead,
		Roles: []RoleSpec{
			{Role: RoleLead, Label: "Partie portant le service unifié", Min: 1, Max: 1, OrgKinds: localPublic},
			{Role: RoleMember, Label: "Partie membre du service unifié", Min: 1, OrgKinds: localPublic},
		},
		Clauses: append(provisionClauses(false)[:4:4],
			ClauseSpec{ID: ClauseEffetsPersonnel, Title: "Effets sur le personnel", Level: Mandatory, Basis: cgct("L5111-1-1")},
			dureeUsual, controle, resiliation, litiges),
		Approvals: []Requirement{
			deliberationOfEach(cgct("L5111-1-1")),
			{Kind: CSTOpinion, Title: "Avis du comité social territorial compétent sur les effets pour le personnel", Basis: cgct("L5111-1-1")},
		},
		FinancialModes: []FinancialMode{UnitPrice},
	},
	{
		Kind: ServiceCommun, Label: "Service commun", Section: "E",
		Basis:      []Reference{cgct("L5211-4-2")},
		MinParties: 2, LeadRole: RoleManager,
		Roles: []RoleSpec{
			{Role: RoleManager, Label: "Gestionnaire du service commun (l'EPCI, ou une commune choisie par lui)", Min: 1, Max: 1, OrgKinds: []OrgKind{EPCI, Commune}},
			{Role: RoleMember, Label: "Membre du service commun", Min: 1, OrgKinds: []OrgKind{EPCI, Commune, EPARattache}},
		},
		Clauses: []ClauseSpec{
			{ID: ClauseObjet, Title: "Missions du service commun", Level: Mandatory},
			{ID: ClauseFicheImpact, Title: "Fiche d'impact annexée", Level: Mandatory, Basis: cgct("L5211-4-2")},
			{ID: ClauseEffetsPersonnel, Title: "Effets sur l'organisation, les conditions de travail, la rémunération et les droits acquis", Level: Mandatory, Basis: cgct("L5211-4-2")},
			{ID: ClauseFinancier, Title: "Remboursement ou imputation sur l'attribution de compensation", Level: Mandatory, Basis: cgct("L5211-4-2")},
			dureeUsual, controle, resiliation, litiges,
		},
		Approvals: []Requirement{
			deliberationOfEach(cgct("L5211-4-2")),
			{Kind: CSTOpinion, Title: "Avis du comité social territorial compétent sur la convention et ses annexes", Basis: cgct("L5211-4-2")},
		},
		FinancialModes: []FinancialMode{UnitPrice, ActualCostByKey, NoFlow},
	},
	{
		Kind: BiensPartages, Label: "Règlement de mise à disposition de biens partagés", Section: "F1",
		Basis:      []Reference{cgct("L5211-4-3")},
		MinParties: 2, LeadRole: RoleOwner, Signatories: []Role{RoleOwner},
		Roles: []RoleSpec{
			{Role: RoleOwner, Label: "EPCI propriétaire", Min: 1, Max: 1, OrgKinds: []OrgKind{EPCI}},
			{Role: RoleMember, Label: "Commune membre utilisatrice", Min: 1, OrgKinds: []OrgKind{Commune}},
		},
		Clauses: []ClauseSpec{
			{ID: ClauseObjet, Title: "Biens partagés", Level: Mandatory},
			{ID: ClauseReglementMiseDispo, Title: "Modalités de mise à disposition", Level: Mandatory, Basis: cgct("L5211-4-3")},
			{ID: ClauseFinancier, Title: "Modalités financières", Level: Mandatory, Basis: cgct("L5211-4-3")},
			dureeUsual,
		},
		Approvals: []Requirement{
			{Kind: Deliberation, Roles: []Role{RoleOwner}, Title: "Délibération du conseil communautaire adoptant le règlement", Basis: cgct("L5211-4-3")},
		},
		FinancialModes: []FinancialMode{ActualCostByKey, UnitPrice, FixedPrice, NoFlow},
	},
	{
		Kind: EquipementPartage, Label: "Utilisation partagée d'équipements collectifs", Section: "F2",
		Basis:      []Reference{cgct("L1311-15")},
		MinParties: 2, LeadRole: RoleOwner,
		Roles: []RoleSpec{
			{Role: RoleOwner, Label: "Propriétaire de l'équipement", Min: 1, Max: 1, OrgKinds: localPublic},
			{Role: RoleUser, Label: "Collectivité utilisatrice", Min: 1, OrgKinds: localPublic},
		},
		Clauses: []ClauseSpec{
			{ID: ClauseEquipement, Title: "Équipements concernés", Level: Mandatory, Basis: cgct("L1311-15")},
			{ID: ClauseFinancier, Title: "Participation calculée par référence aux frais de fonctionnement", Level: Mandatory, Basis: cgct("L1311-15")},
			dureeUsual, controle, litiges,
		},
		Approvals:      []Requirement{deliberationOfEach(cgct("L1311-15"))},
		FinancialModes: []FinancialMode{UnitPrice, ActualCostByKey, FixedPrice},
	},
	{
		Kind: BiensIndivis, Label: "Biens et droits indivis — commission syndicale", Section: "G",
		Basis:      []Reference{cgct("L5222-1"), cgct("L5222-2"), cgct("L5222-4")},
		MinParties: 2, LeadRole: RoleCoOwner, Signatories: []Role{RoleCoOwner},
		Roles: []RoleSpec{
			{Role: RoleCoOwner, Label: "Commune co-indivisaire", Min: 2, OrgKinds: []OrgKind{Commune}},
			{Role: RoleManager, Label: "Commission syndicale", Min: 0, Max: 1, OrgKinds: []OrgKind{CommissionSyndicale}},
		},
		Clauses: []ClauseSpec{
			{ID: ClauseObjet, Title: "Biens et droits indivis", Level: Mandatory, Basis: cgct("L5222-1")},
			{ID: ClauseQuotesParts, Title: "Quotes-parts de chaque commune", Level: Mandatory},
			{ID: ClauseRepartitionExcedents, Title: "Répartition des excédents et des dépenses", Level: Mandatory, Basis: cgct("L5222-2")},
			{ID: ClauseSortie, Title: "Sortie de l'indivision", Level: Usual, Basis: cgct("L5222-4")},
		},
		Approvals: []Requirement{
			{Kind: Deliberation, Roles: []Role{RoleCoOwner}, Title: "Délibération de chaque conseil municipal", Basis: cgct("L5222-1")},
			{Kind: PrefectOrder, Once: true, Title: "Arrêté préfectoral instituant la commission syndicale", Basis: cgct("L5222-1")},
		},
		FinancialModes: []FinancialMode{ActualCostByKey},
	},
	{
		Kind: MADPersonnel, Label: "Mise à disposition de personnel", Section: "H",
		Basis:      []Reference{ref("CGFP", "L512-6 à L512-15"), ref("Décret n° 2008-580", "")},
		MinParties: 2, LeadRole: RoleHomeEmployer, MaxMonths: 36,
		Roles: []RoleSpec{
			{Role: RoleHomeEmployer, Label: "Administration d'origine", Min: 1, Max: 1, OrgKinds: allPublic},
			{Role: RoleHost, Label: "Organisme d'accueil", Min: 1, OrgKinds: anyOrg},
		},
		Clauses: []ClauseSpec{
			{ID: ClauseActivites, Title: "Nature des activités exercées", Level: Mandatory, Basis: ref("Décret n° 2008-580", "")},
			{ID: ClauseConditionsEmploi, Title: "Conditions d'emploi", Level: Mandatory, Basis: ref("Décret n° 2008-580", "")},
			{ID: ClauseControle, Title: "Contrôle et évaluation des activités", Level: Mandatory, Basis: ref("Décret n° 2008-580", "")},
			{ID: ClauseDuree, Title: "Durée (trois ans au plus, renouvelable)", Level: Mandatory, Basis: ref("Décret n° 2008-580", "")},
			{ID: ClauseRemboursement, Title: "Remboursement ou exonération", Level: Mandatory, Basis: ref("CGFP", "L512-11")},
			{ID: ClausePreavis, Title: "Fin anticipée et préavis", Level: Mandatory, Basis: ref("Décret n° 2008-580", "")},
		},
		Approvals: []Requirement{
			{Kind: AgentConsent, Roles: []Role{RoleHomeEmployer}, Title: "Accord écrit de l'agent", Basis: ref("CGFP", "L512-7")},
			{Kind: CouncilInformation, Roles: []Role{RoleHomeEmployer}, Title: "Information préalable de l'assemblée délibérante", Basis: ref("CGFP", "L512-12")},
			{Kind: Arrete, Roles: []Role{RoleHomeEmployer}, Title: "Arrêté de mise à disposition", Basis: ref("Décret n° 2008-580", "")},
		},
		// Pro rata of the quotité, or real time (hours worked × hourly
		// cost: a unit price); sans flux when repayment is waived (L512-15).
		FinancialModes: []FinancialMode{SalaryProRata, UnitPrice, NoFlow},
	},
	{
		Kind: GroupementCommandes, Label: "Groupement de commandes", Section: "I",
		Basis:      []Reference{ref("CCP", "L2113-6"), ref("CCP", "L2113-7"), cgct("L1414-3")},
		MinParties: 2, LeadRole: RoleCoordinator,
		Roles: []RoleSpec{
			{Role: RoleCoordinator, Label: "Coordonnateur", Min: 1, OrgKinds: anyOrg},
			{Role: RoleMember, Label: "Membre du groupement", Min: 0, OrgKinds: anyOrg},
		},
		Clauses: []ClauseSpec{
			{ID: ClauseBesoins, Title: "Objet du groupement : besoins et lots", Level: Mandatory, Basis: ref("CCP", "L2113-6")},
			{ID: ClauseMissionsCoordonnateur, Title: "Missions du coordonnateur", Level: Mandatory, Basis: ref("CCP", "L2113-7")},
			{ID: ClauseCAO, Title: "Commission d'appel d'offres", Level: Usual, Basis: cgct("L1414-3")},
			{ID: ClauseDuree, Title: "Durée", Level: Mandatory},
			{ID: ClauseFinancier, Title: "Frais de procédure et paiement des prestations", Level: Mandatory},
			{ID: ClauseRetrait, Title: "Adhésion et retrait d'un membre", Level: Mandatory},
			litiges,
		},
		Approvals: []Requirement{
			{Kind: Deliberation, Title: "Délibération de chaque membre, avant le lancement de la procédure", Basis: ref("CCP", "L2113-7")},
		},
		FinancialModes: []FinancialMode{ActualCostByKey, NoFlow, FixedPrice},
	},
	{
		Kind: DelegationCompetence, Label: "Délégation de compétence", Section: "J",
		Basis:      []Reference{cgct("L1111-8"), cgct("R1111-1")},
		MinParties: 2, LeadRole: RoleDelegating,
		Roles: []RoleSpec{
			{Role: RoleDelegating, Label: "Autorité délégante", Min: 1, Max: 1, OrgKinds: []OrgKind{Commune, Departement, Region, EPCI}},
			{Role: RoleDelegate, Label: "Autorité délégataire", Min: 1, Max: 1, OrgKinds: []OrgKind{Commune, Departement, Region, EPCI}},
		},
		Clauses: []ClauseSpec{
			{ID: ClauseCompetences, Title: "Compétences déléguées", Level: Mandatory, Basis: cgct("R1111-1")},
			{ID: ClauseDureeRenouvellement, Title: "Durée et modalités de renouvellement", Level: Mandatory, Basis: cgct("R1111-1")},
			{ID: ClauseObjectifs, Title: "Objectifs à atteindre", Level: Mandatory, Basis: cgct("R1111-1")},
			{ID: ClauseControle, Title: "Modalités de contrôle de l'autorité délégante", Level: Mandatory, Basis: cgct("R1111-1")},
			{ID: ClauseIndicateurs, Title: "Indicateurs de suivi", Level: Mandatory, Basis: cgct("R1111-1")},
			{ID: ClauseFinancier, Title: "Cadre financier", Level: Mandatory, Basis: cgct("R1111-1")},
			{ID: ClauseMoyens, Title: "Moyens de fonctionnement et services mis à disposition", Level: Mandatory, Basis: cgct("R1111-1")},
			{ID: ClauseEffetsPersonnel, Title: "Mise à disposition ou détachement des personnels", Level: Mandatory, Basis: cgct("R1111-1")},
			{ID: ClauseResiliation, Title: "Résiliation anticipée", Level: Usual, Basis: cgct("R1111-1")},
		},
		Approvals: []Requirement{
			{Kind: Deliberation, Title: "Délibérations concordantes des parties", Basis: cgct("R1111-1")},
		},
		FinancialModes: []FinancialMode{FixedPrice, ActualCostByKey, NoFlow},
	},
	{
		Kind: MandatMaitriseOuvrage, Label: "Mandat de maîtrise d'ouvrage", Section: "K1",
		Basis:      []Reference{ref("CCP", "L2422-5"), ref("CCP", "L2422-6"), ref("CCP", "L2422-7")},
		MinParties: 2, LeadRole: RoleProjectOwner,
		Roles: []RoleSpec{
			{Role: RoleProjectOwner, Label: "Maître d'ouvrage", Min: 1, Max: 1, OrgKinds: allPublic},
			{Role: RoleMandatary, Label: "Mandataire", Min: 1, Max: 1, OrgKinds: anyOrg},
		},
		Clauses: []ClauseSpec{
			{ID: ClauseOuvrage, Title: "Ouvrage, missions confiées, constat d'achèvement, rémunération, pénalités et résiliation", Level: Mandatory, Basis: ref("CCP", "L2422-7")},
			{ID: ClauseFinancementAvances, Title: "Financement et avance ou remboursement des fonds", Level: Mandatory, Basis: ref("CCP", "L2422-7")},
			{ID: ClauseControle, Title: "Contrôle technique, financier et comptable du maître d'ouvrage", Level: Mandatory, Basis: ref("CCP", "L2422-7")},
			{ID: ClauseAccordPrealable, Title: "Accord préalable du maître d'ouvrage à l'avant-projet et à la réception", Level: Mandatory, Basis: ref("CCP", "L2422-7")},
			{ID: ClauseActionsJustice, Title: "Actions en justice", Level: Mandatory, Basis: ref("CCP", "L2422-7")},
			{ID: ClauseDuree, Title: "Durée de la mission", Level: Mandatory},
		},
		Approvals: []Requirement{
			{Kind: Deliberation, Roles: []Role{RoleProjectOwner}, Title: "Délibération du maître d'ouvrage", Basis: ref("CCP", "L2422-5")},
		},
		FinancialModes: []FinancialMode{CallsForFunds, ActualCostByKey, FixedPrice},
	},
	{
		Kind: CoMaitriseOuvrage, Label: "Co-maîtrise d'ouvrage (transfert temporaire)", Section: "K2",
		Basis:      []Reference{ref("CCP", "L2422-12")},
		MinParties: 2, LeadRole: RoleLead,
		Roles: []RoleSpec{
			{Role: RoleLead, Label: "Maître d'ouvrage désigné", Min: 1, Max: 1, OrgKinds: allPublic},
			{Role: RoleProjectOwner, Label: "Autre maître d'ouvrage", Min: 1, OrgKinds: allPublic},
		},
		Clauses: []ClauseSpec{
			{ID: ClauseOuvrage, Title: "Ouvrage et parts de chaque maître d'ouvrage", Level: Mandatory, Basis: ref("CCP", "L2422-12")},
			{ID: ClauseOrganisationMOA, Title: "Conditions d'organisation de la maîtrise d'ouvrage", Level: Mandatory, Basis: ref("CCP", "L2422-12")},
			{ID: ClauseTerme, Title: "Terme de la convention", Level: Mandatory, Basis: ref("CCP", "L2422-12")},
			{ID: ClauseAppelsFonds, Title: "Participation et appels de fonds", Level: Mandatory},
			controle, litiges,
		},
		Approvals:      []Requirement{deliberationOfEach(ref("CCP", "L2422-12"))},
		FinancialModes: []FinancialMode{CallsForFunds, ActualCostByKey},
	},
	{
		Kind: AssistanceTechnique, Label: "Assistance technique départementale", Section: "L",
		Basis:      []Reference{cgct("L3232-1-1"), cgct("R3232-1")},
		MinParties: 2, LeadRole: RoleProvider,
		Roles: []RoleSpec{
			{Role: RoleProvider, Label: "Département", Min: 1, Max: 1, OrgKinds: []OrgKind{Departement}},
			{Role: RoleBeneficiary, Label: "Commune ou EPCI bénéficiaire", Min: 1, OrgKinds: []OrgKind{Commune, EPCI}},
		},
		Clauses: []ClauseSpec{
			{ID: ClauseMissions, Title: "Missions d'assistance technique", Level: Mandatory, Basis: cgct("L3232-1-1")},
			{ID: ClauseFinancier, Title: "Rémunération", Level: Mandatory, Basis: cgct("L3232-1-1")},
			{ID: ClauseDuree, Title: "Durée", Level: Mandatory},
			resiliation,
		},
		Approvals:      []Requirement{deliberationOfEach(cgct("L3232-1-1"))},
		FinancialModes: []FinancialMode{FixedPrice, UnitPrice},
	},
	{
		Kind: PartenariatEvenement, Label: "Convention de partenariat pour un événement co-organisé", Section: "M",
		Basis:      []Reference{cgct("L1111-4")},
		MinParties: 2, LeadRole: RoleLead,
		Roles: []RoleSpec{
			{Role: RoleLead, Label: "Commune chef de file", Min: 1, Max: 1, OrgKinds: []OrgKind{Commune, EPCI}},
			{Role: RolePartner, Label: "Partenaire", Min: 1, OrgKinds: anyOrg},
		},
		Clauses: []ClauseSpec{
			objet,
			{ID: ClauseCleRepartition, Title: "Budget et clé de répartition", Level: Mandatory},
			{ID: ClauseApportsNature, Title: "Apports en nature", Level: Usual},
			{ID: ClauseAssurances, Title: "Assurances et responsabilité", Level: Usual},
			{ID: ClauseCommunication, Title: "Communication", Level: Usual},
			{ID: ClauseRepartitionExcedents, Title: "Affectation d'un éventuel excédent", Level: Usual},
			dureeUsual, litiges,
		},
		Approvals: []Requirement{
			{Kind: Deliberation, PublicOnly: true, Title: "Délibération de chaque collectivité partenaire", Basis: cgct("L1111-4")},
		},
		FinancialModes: []FinancialMode{ActualCostByKey, FixedPrice},
	},
	{
		Kind: FraisScolarite, Label: "Répartition des charges de scolarisation",
		Basis:      []Reference{ref("Code de l'éducation", "L212-8")},
		MinParties: 2, LeadRole: RoleSchoolHost,
		Roles: []RoleSpec{
			{Role: RoleSchoolHost, Label: "Commune d'accueil", Min: 1, Max: 1, OrgKinds: []OrgKind{Commune, EPCI}},
			{Role: RoleResidence, Label: "Commune de résidence", Min: 1, OrgKinds: []OrgKind{Commune, EPCI}},
		},
		Clauses: []ClauseSpec{
			objet,
			{ID: ClauseCoutEleve, Title: "Coût moyen par élève et règle d'arrondi", Level: Mandatory, Basis: ref("Code de l'éducation", "L212-8")},
			{ID: ClauseRessourcesResidence, Title: "Prise en compte des ressources de la commune de résidence", Level: Usual, Basis: ref("Code de l'éducation", "L212-8")},
			dureeUsual, litiges,
		},
		Approvals:      []Requirement{deliberationOfEach(ref("Code de l'éducation", "L212-8"))},
		FinancialModes: []FinancialMode{UnitPrice},
	},
}

// provisionClauses are the clauses of a service made available under
// L5211-4-1 or L5111-1-1: the D5211-16 / R5111-1 mechanism comes first.
func provisionClauses(descending bool) []ClauseSpec {
	cs := []ClauseSpec{
		{ID: ClauseObjet, Title: "Service mis à disposition", Level: Mandatory},
		{ID: ClauseMethodeCoutUnitaire, Title: "Méthode de détermination du coût unitaire de fonctionnement", Level: Mandatory, Basis: cgct("D5211-16")},
		{ID: ClausePrevisionUnites, Title: "Prévision d'utilisation en unités de fonctionnement", Level: Mandatory, Basis: cgct("D5211-16")},
		{ID: ClauseFinancier, Title: "Remboursement et périodicité (un an au plus)", Level: Mandatory, Basis: cgct("D5211-16")},
	}
	if descending {
		cs = append(cs, ClauseSpec{ID: ClauseBonneOrganisation, Title: "Intérêt pour la bonne organisation des services", Level: Mandatory, Basis: cgct("L5211-4-1")})
	}
	return append(cs,
		ClauseSpec{ID: ClauseEffetsPersonnel, Title: "Autorité fonctionnelle sur les agents", Level: Usual, Basis: cgct("L5211-4-1")},
		dureeUsual, controle, resiliation, litiges)
}

// Catalogue returns every kind's Spec, in the order of domain.md §2. The
// result is the caller's to change.
func Catalogue() []Spec {
	out := make([]Spec, len(catalogue))
	for i, s := range catalogue {
		out[i] = s.clone()
	}
	return out
}

// Lookup returns the Spec of kind k.
func Lookup(k Kind) (Spec, bool) {
	for _, s := range catalogue {
		if s.Kind == k {
			return s.clone(), true
		}
	}
	return Spec{}, false
}

// Kinds returns every kind, in catalogue order.
func Kinds() []Kind {
	out := make([]Kind, len(catalogue))
	for i, s := range catalogue {
		out[i] = s.Kind
	}
	return out
}

// Label returns the kind's French label, or its code when unknown.
func (k Kind) Label() string {
	if s, ok := Lookup(k); ok {
		return s.Label
	}
	return string(k)
}

// Role returns the RoleSpec of role r.
func (s Spec) Role(r Role) (RoleSpec, bool) {
	for _, rs := range s.Roles {
		if rs.Role == r {
			return rs, true
		}
	}
	return RoleSpec{}, false
}

// ClauseTitle returns the catalogue title of clause id for this kind.
func (s Spec) ClauseTitle(id ClauseID) string {
	for _, c := range s.Clauses {
		if c.ID == id {
			return c.Title
		}
	}
	return string(id)
}

// Allows reports whether the kind allows financial mode m.
func (s Spec) Allows(m FinancialMode) bool { return slices.Contains(s.FinancialModes, m) }

func (s Spec) clone() Spec {
	s.Basis = slices.Clone(s.Basis)
	s.Roles = slices.Clone(s.Roles)
	for i := range s.Roles {
		s.Roles[i].OrgKinds = slices.Clone(s.Roles[i].OrgKinds)
	}
	s.Signatories = slices.Clone(s.Signatories)
	s.Clauses = slices.Clone(s.Clauses)
	s.Approvals = slices.Clone(s.Approvals)
	for i := range s.Approvals {
		s.Approvals[i].Roles = slices.Clone(s.Approvals[i].Roles)
	}
	s.FinancialModes = slices.Clone(s.FinancialModes)
	return s
}
