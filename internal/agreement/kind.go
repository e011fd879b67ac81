// Package agreement holds the rules of conventions between communes and their
// partners: the legal instruments of cooperation (domain.md §2–§3), what each
// requires of its parties, clauses and approvals (§4), the legal checks that
// refuse or warn about a convention, and its lifecycle from draft to
// termination, with the deadlines that raise alerts.
//
// Everything here is pure Go over values: no database, no HTTP, no clock
// (the caller passes the civil date "asOf", usually civil.Today()). Storage,
// pages, the API and document generation are built on top of these types,
// which is why they carry JSON tags.
//
// The catalogue (catalogue.go) is the one place that says, for each Kind,
// its legal basis, roles, clauses, approvals and financial modes; Validate
// (validate.go) applies the rules; Submit, RecordApproval, Sign, Amend,
// Renew, Terminate and Refresh (lifecycle.go) move a convention through its
// statuses; Alerts (alerts.go) computes what needs attention.
package agreement

import "voisines/internal/org"

// Kind is the legal instrument a convention uses. Its values are stable
// codes, stored in databases and exports.
type Kind string

// The instruments of domain.md §2, with school costs as their own kind.
const (
	// Entente is an entente intercommunale with its conférence (CGCT L5221-1, L5221-2).
	Entente Kind = "entente"
	// Prestation is a convention de prestation de services (CGCT L5111-1; CCP L2511-6).
	Prestation Kind = "prestation_services"
	// MADServicesAscendante makes a commune's service available to its EPCI (CGCT L5211-4-1 II, D5211-16).
	MADServicesAscendante Kind = "mise_a_disposition_services_ascendante"
	// MADServicesDescendante makes an EPCI's service available to member communes (CGCT L5211-4-1 III, D5211-16).
	MADServicesDescendante Kind = "mise_a_disposition_services_descendante"
	// MADServiceL5111 makes a service or equipment available under CGCT L5111-1-1 I 1° (R5111-1).
	MADServiceL5111 Kind = "mise_a_disposition_service_l5111_1_1"
	// ServiceUnifie pools services into a service unifié (CGCT L5111-1-1 I 2°, R5111-1).
	ServiceUnifie Kind = "service_unifie"
	// ServiceCommun is a service commun of an EPCI à FP and its communes (CGCT L5211-4-2).
	ServiceCommun Kind = "service_commun"
	// BiensPartages is the règlement of goods an EPCI shares with its communes (CGCT L5211-4-3).
	BiensPartages Kind = "biens_partages"
	// EquipementPartage is the shared use of collective equipment (CGCT L1311-15).
	EquipementPartage Kind = "equipement_partage"
	// BiensIndivis is property held undivided by communes, managed by a commission syndicale (CGCT L5222-1 ff.).
	BiensIndivis Kind = "biens_indivis"
	// MADPersonnel is the mise à disposition of an agent (CGFP L512-6 ff.; décret 2008-580).
	MADPersonnel Kind = "mise_a_disposition_personnel"
	// GroupementCommandes is a purchasing group (CCP L2113-6 to L2113-8).
	GroupementCommandes Kind = "groupement_commandes"
	// DelegationCompetence delegates a competence (CGCT L1111-8, R1111-1).
	DelegationCompetence Kind = "delegation_competence"
	// MandatMaitriseOuvrage entrusts project ownership tasks to a mandatary (CCP L2422-5 to L2422-11).
	MandatMaitriseOuvrage Kind = "mandat_maitrise_ouvrage"
	// CoMaitriseOuvrage designates one owner among several for one work (CCP L2422-12).
	CoMaitriseOuvrage Kind = "co_maitrise_ouvrage"
	// AssistanceTechnique is the département's technical assistance (CGCT L3232-1-1, R3232-1).
	AssistanceTechnique Kind = "assistance_technique"
	// PartenariatEvenement co-organises a cultural or sports event (CGCT L1111-4).
	PartenariatEvenement Kind = "partenariat_evenement"
	// FraisScolarite shares school costs between communes (Code de l'éducation L212-8).
	FraisScolarite Kind = "frais_scolarite"
)

// OrgKind is the legal nature of an organisation (domain.md §1): org.Kind,
// whose values, labels and Public are the one truth; the catalogue and the
// rules name it here.
type OrgKind = org.Kind

// The kinds of organisation, those of org.
const (
	Commune             = org.Commune
	EPCI                = org.EPCI // EPCI à fiscalité propre
	SyndicatCommunes    = org.SyndicatCommunes
	SyndicatMixte       = org.SyndicatMixte
	CommissionSyndicale = org.CommissionSyndicale
	Departement         = org.Departement
	Region              = org.Region
	EPARattache         = org.EPARattache // CCAS/CIAS, caisse des écoles
	Association         = org.Association
	OrganismePrive      = org.OrganismePrive
)

// collectivite reports whether k is a collectivité territoriale, as
// opposed to a public body (établissement public) or a private person.
func collectivite(k OrgKind) bool { return k == Commune || k == Departement || k == Region }

// Role is the part a party plays in a convention.
type Role string

// The roles. A kind's catalogue entry says which it uses, how many parties
// may hold each, and gives each a label fitted to the instrument.
const (
	RoleLead         Role = "chef_de_file"           // entente's commune support, service unifié's carrier, event lead, designated owner
	RoleMember       Role = "membre"                 // entente, service commun, groupement, biens partagés
	RoleProvider     Role = "prestataire"            // provides a service
	RoleBeneficiary  Role = "beneficiaire"           // receives it
	RoleCoordinator  Role = "coordonnateur"          // groupement de commandes
	RoleOwner        Role = "proprietaire"           // owner of equipment or shared goods
	RoleUser         Role = "utilisateur"            // user of equipment (L1311-15)
	RoleManager      Role = "gestionnaire"           // runs a service commun; the commission syndicale
	RoleCoOwner      Role = "coindivisaire"          // commune owning undivided property
	RoleHomeEmployer Role = "administration_origine" // seconded agent's employer
	RoleHost         Role = "organisme_accueil"      // where the agent works
	RoleDelegating   Role = "delegant"               // L1111-8
	RoleDelegate     Role = "delegataire"            // L1111-8
	RoleProjectOwner Role = "maitre_ouvrage"         // CCP L2422-5, L2422-12
	RoleMandatary    Role = "mandataire"             // CCP L2422-5
	RolePartner      Role = "partenaire"             // co-organised event
	RoleSchoolHost   Role = "commune_accueil"        // L212-8: commune whose schools take the pupils
	RoleResidence    Role = "commune_residence"      // L212-8: commune where the pupils live
)

// Label returns the role's French name, in general terms; a kind's
// RoleSpec.Label fits it to the instrument.
func (r Role) Label() string {
	switch r {
	case RoleLead:
		return "chef de file"
	case RoleMember:
		return "membre"
	case RoleProvider:
		return "prestataire"
	case RoleBeneficiary:
		return "bénéficiaire"
	case RoleCoordinator:
		return "coordonnateur"
	case RoleOwner:
		return "propriétaire"
	case RoleUser:
		return "utilisateur"
	case RoleManager:
		return "gestionnaire"
	case RoleCoOwner:
		return "co-indivisaire"
	case RoleHomeEmployer:
		return "administration d'origine"
	case RoleHost:
		return "organisme d'accueil"
	case RoleDelegating:
		return "autorité délégante"
	case RoleDelegate:
		return "autorité délégataire"
	case RoleProjectOwner:
		return "maître d'ouvrage"
	case RoleMandatary:
		return "mandataire"
	case RolePartner:
		return "partenaire"
	case RoleSchoolHost:
		return "commune d'accueil"
	case RoleResidence:
		return "commune de résidence"
	}
	return string(r)
}

// ClauseID names a clause of a convention. The catalogue gives each kind's
// clauses their French titles, in the order of the document's articles.
type ClauseID string

// The clauses of domain.md §4 and of the articles it cites.
const (
	ClauseObjet                 ClauseID = "objet"
	ClauseDuree                 ClauseID = "duree" // met by Term: start, end or duration
	ClauseFinancier             ClauseID = "conditions_financieres"
	ClauseControle              ClauseID = "controle"
	ClauseEffetsPersonnel       ClauseID = "effets_personnel"
	ClauseResiliation           ClauseID = "resiliation"
	ClauseLitiges               ClauseID = "litiges"
	ClauseConference            ClauseID = "conference"            // entente: composition and working of the conférence
	ClauseCleRepartition        ClauseID = "cle_repartition"       // how costs are shared
	ClauseSortie                ClauseID = "sortie"                // withdrawal of a member and sharing of property
	ClauseMethodeCoutUnitaire   ClauseID = "methode_cout_unitaire" // D5211-16 / R5111-1
	ClausePrevisionUnites       ClauseID = "prevision_unites"      // D5211-16 / R5111-1
	ClauseBonneOrganisation     ClauseID = "bonne_organisation"    // L5211-4-1 III
	ClauseFicheImpact           ClauseID = "fiche_impact"          // L5211-4-2
	ClauseActivites             ClauseID = "activites"             // décret 2008-580
	ClauseConditionsEmploi      ClauseID = "conditions_emploi"
	ClauseRemboursement         ClauseID = "remboursement"
	ClausePreavis               ClauseID = "preavis"
	ClauseBesoins               ClauseID = "besoins" // groupement: needs and lots
	ClauseMissionsCoordonnateur ClauseID = "missions_coordonnateur"
	ClauseCAO                   ClauseID = "commission_appel_offres" // CGCT L1414-3
	ClauseRetrait               ClauseID = "retrait"
	ClauseCompetences           ClauseID = "competences_deleguees"
	ClauseObjectifs             ClauseID = "objectifs"
	ClauseIndicateurs           ClauseID = "indicateurs"
	ClauseMoyens                ClauseID = "moyens"
	ClauseOuvrage               ClauseID = "ouvrage"             // the work
	ClauseFinancementAvances    ClauseID = "financement_avances" // L2422-7 2°
	ClauseAccordPrealable       ClauseID = "accord_prealable"    // L2422-7 4°
	ClauseActionsJustice        ClauseID = "actions_justice"     // L2422-7 5°
	ClauseOrganisationMOA       ClauseID = "organisation_maitrise_ouvrage"
	ClauseTerme                 ClauseID = "terme" // L2422-12: the convention "en fixe le terme"
	ClauseAppelsFonds           ClauseID = "appels_de_fonds"
	ClauseQuotesParts           ClauseID = "quotes_parts"
	ClauseRepartitionExcedents  ClauseID = "repartition_excedents"
	ClauseReglementMiseDispo    ClauseID = "reglement_mise_a_disposition"
	ClauseEquipement            ClauseID = "equipement"
	ClauseMissions              ClauseID = "missions"
	ClauseApportsNature         ClauseID = "apports_en_nature"
	ClauseAssurances            ClauseID = "assurances"
	ClauseCommunication         ClauseID = "communication"
	ClauseMandatEncaissement    ClauseID = "mandat_encaissement" // L1611-7-1
	ClauseCoutEleve             ClauseID = "cout_moyen_eleve"
	ClauseRessourcesResidence   ClauseID = "ressources_commune_residence"
	ClauseDureeRenouvellement   ClauseID = "duree_renouvellement" // R1111-1: duration and renewal
)

// Level says whether a clause is required by law or only usual practice
// ("usual" in domain.md §4, tagged [S/U]).
type Level string

// The levels of a clause.
const (
	Mandatory Level = "obligatoire"
	Usual     Level = "usuelle"
)

// ApprovalKind is the kind of act a convention needs before it is signed or
// while it lives (domain.md §11).
type ApprovalKind string

// The kinds of approval.
const (
	Deliberation       ApprovalKind = "deliberation"          // council's deliberation approving the convention
	Ratification       ApprovalKind = "ratification"          // council's ratification of a conférence decision (L5221-2)
	AgentConsent       ApprovalKind = "accord_agent"          // seconded agent's written agreement (CGFP L512-7)
	CouncilInformation ApprovalKind = "information_assemblee" // prior information of the home council (CGFP L512-12)
	CSTOpinion         ApprovalKind = "avis_cst"              // comité social territorial's opinion
	Arrete             ApprovalKind = "arrete"                // the home authority's order (décret 2008-580)
	PrefectOrder       ApprovalKind = "arrete_prefectoral"    // prefect's order creating a commission syndicale (L5222-1)
	AccountantApproval ApprovalKind = "accord_comptable"      // public accountant's approval (L1611-7-1)
)

// Label returns the French name of the kind of approval.
func (k ApprovalKind) Label() string {
	switch k {
	case Deliberation:
		return "délibération"
	case Ratification:
		return "ratification d'une décision de la conférence"
	case AgentConsent:
		return "accord écrit de l'agent"
	case CouncilInformation:
		return "information préalable de l'assemblée délibérante"
	case CSTOpinion:
		return "avis du comité social territorial"
	case Arrete:
		return "arrêté de mise à disposition"
	case PrefectOrder:
		return "arrêté préfectoral"
	case AccountantApproval:
		return "accord du comptable public"
	}
	return string(k)
}

// FinancialMode is how money flows under a convention; the money package
// computes the amounts.
type FinancialMode string

// The financial modes (domain.md §9, §11 CostModel).
const (
	ActualCostByKey FinancialMode = "cout_reel_cle"        // actual cost split by a key
	UnitPrice       FinancialMode = "prix_unitaire"        // unit cost × units used (D5211-16, R5111-1)
	SalaryProRata   FinancialMode = "prorata_remuneration" // pay and charges × quotité
	FixedPrice      FinancialMode = "forfait"
	CallsForFunds   FinancialMode = "appels_de_fonds"
	NoFlow          FinancialMode = "sans_flux" // free of charge, or waiver of repayment
)

// Label returns the French name of the financial mode.
func (m FinancialMode) Label() string {
	switch m {
	case ActualCostByKey:
		return "coût réel réparti selon une clé"
	case UnitPrice:
		return "coût unitaire × unités consommées"
	case SalaryProRata:
		return "rémunération et charges au prorata de la quotité"
	case FixedPrice:
		return "prix forfaitaire"
	case CallsForFunds:
		return "appels de fonds et décompte final"
	case NoFlow:
		return "sans flux financier"
	}
	return string(m)
}

// Reference is an article of a code or a text: {"CGCT", "L5221-1"}.
type Reference struct {
	Code    string `json:"code"`    // "CGCT", "CCP", "CGFP", "Code de l'éducation", "Décret n° 2008-580"
	Article string `json:"article"` // "L5221-1"; empty for a whole decree
}

// String returns "CGCT L5221-1".
func (r Reference) String() string {
	if r.Article == "" {
		return r.Code
	}
	return r.Code + " " + r.Article
}

// CodeName returns the code's full French name for visas, "code général des
// collectivités territoriales", or the code as given when it is not a
// known abbreviation.
func (r Reference) CodeName() string {
	switch r.Code {
	case "CGCT":
		return "code général des collectivités territoriales"
	case "CCP":
		return "code de la commande publique"
	case "CGFP":
		return "code général de la fonction publique"
	case "Code de l'éducation":
		return "code de l'éducation"
	}
	return r.Code
}

func ref(code, article string) Reference { return Reference{Code: code, Article: article} }

func cgct(article string) Reference { return ref("CGCT", article) }
