package agreement

import (
	"slices"
	"strings"
	"testing"

	"voisines/internal/civil"
)

// ruleCase is one rule tested on a refused convention and on its valid
// twin, which differs only by what the rule is about.
type ruleCase struct {
	name     string
	rule     Rule
	severity Severity // the severity of the violation expected on bad
	bad      Agreement
	good     Agreement
	asOf     civil.Date // drafted when zero
	goodAsOf civil.Date // asOf when zero
	field    string     // expected field of the violation, when set
	message  string     // a fragment of the expected French message, when set
}

func ruleCases() []ruleCase {
	entente := valid(Entente)
	secondment := valid(MADPersonnel)
	signedSecondment := signedVersion(secondment)
	groupement := valid(GroupementCommandes)
	signedGroupement := signedVersion(groupement)
	descending := valid(MADServicesDescendante)
	serviceCommun := valid(ServiceCommun)
	indivis := valid(BiensIndivis)
	l5111 := valid(MADServiceL5111)
	prestation := valid(Prestation)
	equipment := valid(EquipementPartage)
	delegation := valid(DelegationCompetence)
	mandat := valid(MandatMaitriseOuvrage)
	assistance := valid(AssistanceTechnique)
	ascending := valid(MADServicesAscendante)

	c := []ruleCase{
		{
			name: "an unknown kind of convention is refused", rule: RuleKind, severity: Blocking,
			bad: func() Agreement { a := entente; a.Kind = "contrat_magique"; return a }(), good: entente,
			field: "kind",
		},
		{
			name: "an entente with a single party is refused", rule: RuleParties, severity: Blocking,
			bad: func() Agreement { a := entente; a.Parties = a.Parties[:1]; return a }(), good: entente,
			message: "au moins 2 parties",
		},
		{
			name: "the same commune twice among the parties is refused", rule: RuleParties, severity: Blocking,
			bad: withParty(entente, 2, onet), good: entente, field: "parties[2].org_id",
		},
		{
			name: "an entente with two communes support is refused", rule: RuleRoles, severity: Blocking,
			bad: func() Agreement {
				a := entente
				a.Parties = slices.Clone(a.Parties)
				a.Parties[1].Role = RoleLead
				return a
			}(),
			good: entente, message: "Commune support",
		},
		{
			name: "a role the instrument does not know is refused", rule: RuleRoles, severity: Blocking,
			bad: func() Agreement {
				a := entente
				a.Parties = slices.Clone(a.Parties)
				a.Parties[2].Role = RoleMandatary
				return a
			}(),
			good: entente, field: "parties[2].role",
		},
		{
			name: "a département cannot be a member of an entente", rule: RuleOrgKind, severity: Blocking,
			bad: withParty(entente, 2, aveyron), good: entente, field: "parties[2].kind",
		},
		{
			name: "an entente without its cost-sharing clause is refused", rule: RuleClause, severity: Blocking,
			bad: withoutClause(entente, ClauseCleRepartition), good: entente, field: "clauses.cle_repartition",
		},
		{
			name: "a secondment without a notice clause or notice period is refused", rule: RuleClause, severity: Blocking,
			bad:  func() Agreement { a := withoutClause(secondment, ClausePreavis); a.Term.NoticeMonths = 0; return a }(),
			good: func() Agreement { a := withoutClause(secondment, ClausePreavis); return a }(), field: "clauses.preavis",
		},
		{
			name: "an event with ticketing entrusted needs the mandate to collect receipts", rule: RuleClause, severity: Blocking,
			bad: withoutClause(valid(PartenariatEvenement), ClauseMandatEncaissement),
			good: func() Agreement {
				a := withoutClause(valid(PartenariatEvenement), ClauseMandatEncaissement)
				a.Event.Ticketing = false
				return a
			}(),
			field: "clauses.mandat_encaissement",
		},
		{
			name: "an entente without a clause on its conférence is warned about, the law supplying a default", rule: RuleUsualClause, severity: Warning,
			bad: withoutClause(entente, ClauseConference), good: entente, field: "clauses.conference",
		},
		{
			name: "a service made available to the EPCI cannot be paid by a fixed price", rule: RuleFinancialMode, severity: Blocking,
			bad: func() Agreement { a := ascending; a.Financial.Mode = FixedPrice; return a }(), good: ascending, field: "financial.mode",
		},
		{
			name: "an end before the start is refused", rule: RuleTerm, severity: Blocking,
			bad: func() Agreement { a := entente; a.Term.End = a.Term.Start.AddDays(-1); return a }(), good: entente, field: "term.end",
		},
		{
			name: "a secondment of three years and one day is refused", rule: RuleMaxDuration, severity: Blocking,
			bad: func() Agreement { a := secondment; a.Term.End = civil.MustParse("2029-07-01"); return a }(), good: secondment,
			field: "term.end",
		},
		{
			name: "a secondment of 37 months is refused", rule: RuleMaxDuration, severity: Blocking,
			bad:  func() Agreement { a := secondment; a.Term.End = civil.Date{}; a.Term.DurationMonths = 37; return a }(),
			good: func() Agreement { a := secondment; a.Term.End = civil.Date{}; a.Term.DurationMonths = 36; return a }(),
		},
		{
			name: "a commune cannot delegate a competence to another commune", rule: RuleDelegation, severity: Blocking,
			bad: withParty(delegation, 1, olemps), good: delegation, field: "parties[1].kind",
			message: "une commune ne peut pas déléguer une compétence à une autre commune",
		},
		{
			name: "a commune may delegate a competence to its EPCI à fiscalité propre", rule: RuleDelegation, severity: Blocking,
			bad: withParty(delegation, 1, olemps), good: withParty(delegation, 1, agglo),
		},
		{
			name: "an EPCI cannot delegate a competence to a commune", rule: RuleDelegationEPCI, severity: Blocking,
			bad: func() Agreement {
				a := withParty(withParty(delegation, 0, agglo), 1, olemps)
				a.Delegation.EPCIUnanimity = true
				return a
			}(),
			good: func() Agreement { a := withParty(delegation, 0, agglo); a.Delegation.EPCIUnanimity = true; return a }(),
		},
		{
			name: "an EPCI delegating to the département must attest its communes' unanimity", rule: RuleDelegationEPCI, severity: Blocking,
			bad:   withParty(delegation, 0, agglo),
			good:  func() Agreement { a := withParty(delegation, 0, agglo); a.Delegation.EPCIUnanimity = true; return a }(),
			field: "delegation.epci_unanimity",
		},
		{
			name: "a signed secondment without the agent's consent is refused", rule: RuleAgentConsent, severity: Blocking,
			bad: func() Agreement {
				a := signedSecondment
				a.Approvals = slices.DeleteFunc(slices.Clone(a.Approvals), func(ap Approval) bool { return ap.Kind == AgentConsent })
				return a
			}(),
			good: signedSecondment,
		},
		{
			name: "the agent's consent after the signature is refused", rule: RuleAgentConsent, severity: Blocking,
			bad: func() Agreement {
				a := signedSecondment
				a.Approvals = slices.Clone(a.Approvals)
				for i := range a.Approvals {
					if a.Approvals[i].Kind == AgentConsent {
						a.Approvals[i].Date = signedDay.AddDays(1)
					}
				}
				return a
			}(),
			good: signedSecondment, asOf: signedDay.AddDays(2),
		},
		{
			name: "a secondment between two communes cannot waive repayment", rule: RuleRepayment, severity: Blocking,
			bad: func() Agreement {
				a := secondment
				a.Secondment.RepaymentWaived, a.Secondment.WaiverReason = true, "Solidarité entre voisines"
				a.Financial.Mode = NoFlow
				return a
			}(),
			good: secondment, field: "parties[1]", message: "entre deux communes",
		},
		{
			name: "a commune may waive repayment towards its own CCAS", rule: RuleRepayment, severity: Blocking,
			bad: func() Agreement {
				a := withParty(secondment, 0, rodez)
				a = withParty(a, 1, onet)
				a.Secondment.RepaymentWaived, a.Secondment.WaiverReason = true, "Établissement public rattaché"
				a.Financial.Mode = NoFlow
				return a
			}(),
			good: func() Agreement {
				a := withParty(secondment, 0, rodez)
				a = withParty(a, 1, ccasRodez)
				a.Secondment.RepaymentWaived, a.Secondment.WaiverReason = true, "Établissement public rattaché à la commune"
				a.Financial.Mode = NoFlow
				return a
			}(),
		},
		{
			name: "a commune may waive repayment towards the EPCI it is a member of", rule: RuleRepayment, severity: Blocking,
			bad: func() Agreement {
				a := withParty(secondment, 1, ccMillau)
				a.Secondment.RepaymentWaived, a.Secondment.WaiverReason = true, "EPCI"
				a.Financial.Mode = NoFlow
				return a
			}(),
			good: func() Agreement {
				a := withParty(secondment, 1, agglo)
				a.Secondment.RepaymentWaived, a.Secondment.WaiverReason = true, "EPCI dont la commune est membre"
				a.Financial.Mode = NoFlow
				return a
			}(),
		},
		{
			name: "a waiver must be stated in the convention", rule: RuleRepayment, severity: Blocking,
			bad: func() Agreement {
				a := withParty(secondment, 1, agglo)
				a.Secondment.RepaymentWaived = true
				a.Financial.Mode = NoFlow
				return a
			}(),
			good: func() Agreement {
				a := withParty(secondment, 1, agglo)
				a.Secondment.RepaymentWaived, a.Secondment.WaiverReason = true, "EPCI dont la commune est membre"
				a.Financial.Mode = NoFlow
				return a
			}(),
			field: "secondment.waiver_reason",
		},
		{
			name: "a secondment without waiver cannot be free of charge", rule: RuleRepayment, severity: Blocking,
			bad: func() Agreement { a := secondment; a.Financial.Mode = NoFlow; return a }(), good: secondment, field: "financial.mode",
		},
		{
			name: "a waiver towards a syndicat is allowed but its membership must be checked", rule: RuleRepayment, severity: Warning,
			bad: func() Agreement {
				a := withParty(secondment, 1, syndicat)
				a.Secondment.RepaymentWaived, a.Secondment.WaiverReason = true, "Syndicat dont la commune est membre"
				a.Financial.Mode = NoFlow
				return a
			}(),
			good: withParty(secondment, 1, syndicat),
		},
		{
			name: "a secondment without a quotité is refused", rule: RuleAgent, severity: Blocking,
			bad: func() Agreement { a := secondment; a.Secondment.Quotite = Fraction{}; return a }(), good: secondment,
			field: "secondment.quotite",
		},
		{
			name: "a quotité above full time is refused", rule: RuleAgent, severity: Blocking,
			bad:  func() Agreement { a := secondment; a.Secondment.Quotite = Fraction{36, 35}; return a }(),
			good: func() Agreement { a := secondment; a.Secondment.Quotite = Fraction{35, 35}; return a }(),
		},
		{
			name: "seconding an agent on a fixed-term contract is warned about", rule: RuleContractAgent, severity: Warning,
			bad:  func() Agreement { a := secondment; a.Secondment.AgentStatus = CDD; return a }(),
			good: func() Agreement { a := secondment; a.Secondment.AgentStatus = CDI; return a }(),
		},
		{
			name: "an EPCI cannot make its services available to a commune that is not a member", rule: RuleEPCIMembers, severity: Blocking,
			bad: withParty(descending, 2, millau), good: descending, field: "parties[2].epci_siren",
			message: "n'est pas membre de « CA Rodez Agglomération »",
		},
		{
			name: "a service commun cannot include another EPCI's commune", rule: RuleEPCIMembers, severity: Blocking,
			bad: withParty(serviceCommun, 2, millau), good: serviceCommun,
		},
		{
			name: "a service commun admits only public bodies attached to its parties", rule: RuleEPCIMembers, severity: Blocking,
			bad: func() Agreement {
				ccas := ccasRodez
				ccas.Name, ccas.AttachedCommune = "CCAS de Millau", "12145"
				return withParty(serviceCommun, 3, ccas)
			}(),
			good: serviceCommun, field: "parties[3].attached_commune",
		},
		{
			name: "a service commun needs exactly one EPCI", rule: RuleEPCIMembers, severity: Blocking,
			bad: func() Agreement {
				a := serviceCommun
				a.Parties = []Party{as(rodez, RoleManager), as(onet, RoleMember)}
				return a
			}(),
			good: serviceCommun,
		},
		{
			name: "biens partagés are shared only with member communes", rule: RuleEPCIMembers, severity: Blocking,
			bad: withParty(valid(BiensPartages), 1, millau), good: valid(BiensPartages),
		},
		{
			name: "communes of different EPCIs cannot use L5111-1-1 between themselves", rule: RuleSameEPCI, severity: Blocking,
			bad: withParty(l5111, 1, millau), good: l5111, field: "parties[1].epci_siren",
		},
		{
			name: "a service unifié between communes of different EPCIs is refused", rule: RuleSameEPCI, severity: Blocking,
			bad: withParty(valid(ServiceUnifie), 1, millau), good: valid(ServiceUnifie),
		},
		{
			name: "an entente between communes of Moselle is refused", rule: RuleLocalLaw, severity: Blocking,
			bad:  withParty(withParty(withParty(entente, 0, metz), 1, montigny), 2, onet),
			good: entente, field: "parties[0]", message: "droit local d'Alsace-Moselle",
		},
		{
			name: "a Bas-Rhin commune is recognised by its département even without the flag", rule: RuleLocalLaw, severity: Blocking,
			bad: withParty(entente, 1, Party{OrgID: 43, Kind: Commune, Name: "Strasbourg", SIREN: "216704825", CommuneCode: "67482",
				DepartementCode: "67", EPCISIREN: "246700488"}),
			good: entente,
		},
		{
			name: "a commission syndicale for Moselle communes is refused", rule: RuleLocalLaw, severity: Blocking,
			bad: withParty(withParty(indivis, 0, metz), 1, montigny), good: indivis,
		},
		{
			name: "a member's deliberation dated on the launch day is too late", rule: RulePurchasingGroup, severity: Blocking,
			bad: func() Agreement {
				a := signedGroupement
				a.Approvals = slices.Clone(a.Approvals)
				a.Approvals[2].Date, a.Approvals[2].TransmittedOn = launch, launch
				a.Signatures = nil
				a.Status = Approved
				return a
			}(),
			good: func() Agreement {
				a := signedGroupement
				a.Approvals = slices.Clone(a.Approvals)
				a.Approvals[2].Date, a.Approvals[2].TransmittedOn = launch.AddDays(-1), launch.AddDays(-1)
				a.Signatures = nil
				a.Status = Approved
				return a
			}(),
			field: "parties[2]", message: "antérieure au lancement",
		},
		{
			name: "a procedure launched without a member's deliberation is refused", rule: RulePurchasingGroup, severity: Blocking,
			bad: func() Agreement {
				a := signedGroupement
				a.Approvals = slices.DeleteFunc(slices.Clone(a.Approvals), func(ap Approval) bool { return ap.OrgID == luc.OrgID })
				a.Status = Submitted
				a.Signatures = nil
				return a
			}(),
			good: func() Agreement {
				a := signedGroupement
				a.Approvals = slices.DeleteFunc(slices.Clone(a.Approvals), func(ap Approval) bool { return ap.OrgID == luc.OrgID })
				a.Status = Submitted
				a.Signatures = nil
				return a
			}(),
			asOf: launch, goodAsOf: launch.AddDays(-1), // the same convention, the day before the launch
		},
		{
			name: "a groupement signed after its launch is refused", rule: RulePurchasingGroup, severity: Blocking,
			bad: func() Agreement {
				a := signedGroupement
				a.Signatures = slices.Clone(a.Signatures)
				a.Signatures[3].Date = launch.AddDays(1)
				return a
			}(),
			good: signedGroupement, asOf: launch.AddDays(2),
		},
		{
			name: "a prestation between public buyers without cooperation justification is flagged", rule: RuleCooperation, severity: Warning,
			bad:   func() Agreement { a := prestation; a.Prestation.CooperationJustification = ""; return a }(),
			good:  prestation,
			field: "prestation.cooperation_justification",
		},
		{
			name: "a prestation without the under-20 % attestation is flagged", rule: RuleCooperation, severity: Warning,
			bad:   func() Agreement { a := prestation; a.Prestation.OpenMarketBelow20 = false; return a }(),
			good:  prestation,
			field: "prestation.open_market_below_20",
		},
		{
			name: "a prestation declared a public contract needs no cooperation justification", rule: RuleCooperation, severity: Warning,
			bad:  func() Agreement { a := prestation; a.Prestation = PrestationTerms{}; return a }(),
			good: func() Agreement { a := prestation; a.Prestation = PrestationTerms{PublicContract: true}; return a }(),
		},
		{
			name: "equipment used for a year without a signed convention raises an alert", rule: RuleEquipmentYear, severity: Warning,
			bad:   func() Agreement { a := equipment; a.Equipment.FirstUse = civil.MustParse("2025-05-04"); return a }(),
			good:  func() Agreement { a := equipment; a.Equipment.FirstUse = civil.MustParse("2025-05-05"); return a }(),
			field: "equipment.first_use",
		},
		{
			name: "repayment less often than yearly is refused", rule: RuleRepaymentPeriod, severity: Blocking,
			bad:   func() Agreement { a := ascending; a.Financial.PeriodMonths = 13; return a }(),
			good:  func() Agreement { a := ascending; a.Financial.PeriodMonths = 12; return a }(),
			field: "financial.period_months",
		},
		{
			name: "charging a service commun against the attribution de compensation needs an EPCI with FPU", rule: RuleAC, severity: Blocking,
			bad: func() Agreement {
				a := serviceCommun
				a.Parties = slices.Clone(a.Parties)
				a.Parties[0].FPU = false
				return a
			}(),
			good: serviceCommun,
		},
		{
			name: "undivided shares that do not add up to one are refused", rule: RuleShares, severity: Blocking,
			bad: func() Agreement {
				a := indivis
				a.Indivision.Shares = []Share{{OrgID: olemps.OrgID, Share: Fraction{3, 7}}, {OrgID: druelle.OrgID, Share: Fraction{3, 7}}}
				return a
			}(),
			good: indivis, message: "6/7",
		},
		{
			name: "a co-owner without a share is refused", rule: RuleShares, severity: Blocking,
			bad: func() Agreement {
				a := indivis
				a.Indivision.Shares = []Share{{OrgID: olemps.OrgID, Share: Fraction{1, 1}}}
				return a
			}(),
			good: indivis, field: "parties[1]",
		},
		{
			name: "a service commun signed without the CST's opinion is refused", rule: RuleApprovals, severity: Blocking,
			bad: func() Agreement {
				a := signedVersion(serviceCommun)
				a.Approvals = slices.DeleteFunc(slices.Clone(a.Approvals), func(ap Approval) bool { return ap.Kind == CSTOpinion && ap.OrgID == onet.OrgID })
				return a
			}(),
			good: signedVersion(serviceCommun), message: "Onet-le-Château",
		},
		{
			name: "an unfavourable CST opinion still counts as given", rule: RuleApprovals, severity: Blocking,
			bad: func() Agreement {
				a := signedVersion(serviceCommun)
				a.Approvals = slices.DeleteFunc(slices.Clone(a.Approvals), func(ap Approval) bool { return ap.Kind == CSTOpinion && ap.OrgID == onet.OrgID })
				return a
			}(),
			good: func() Agreement {
				a := signedVersion(serviceCommun)
				a.Approvals = slices.Clone(a.Approvals)
				for i := range a.Approvals {
					if a.Approvals[i].Kind == CSTOpinion {
						a.Approvals[i].Unfavourable = true
					}
				}
				return a
			}(),
		},
		{
			name: "a party signing before its own deliberation is refused", rule: RuleSignatureOrder, severity: Blocking,
			bad: func() Agreement {
				a := signedVersion(entente)
				a.Signatures = slices.Clone(a.Signatures)
				a.Signatures[1].Date = deliberated.AddDays(-1)
				return a
			}(),
			good: signedVersion(entente), field: "signatures",
		},
		{
			name: "signing on a deliberation not yet sent to the prefecture is warned about", rule: RuleTransmission, severity: Warning,
			bad: func() Agreement {
				a := signedVersion(entente)
				a.Approvals = slices.Clone(a.Approvals)
				a.Approvals[0].TransmittedOn = civil.Date{}
				return a
			}(),
			good: signedVersion(entente),
		},
		{
			name: "a paid mandat between two communes is flagged as a possible public contract", rule: RulePaidMandate, severity: Warning,
			bad:  func() Agreement { a := mandat; a.ProjectOwnership.Remunerated = true; return a }(),
			good: mandat,
		},
		{
			name: "technical assistance without attested eligibility is warned about", rule: RuleEligibility, severity: Warning,
			bad:  func() Agreement { a := assistance; a.TechnicalAssistance.EligibilityAttested = false; return a }(),
			good: assistance,
		},
	}
	return c
}

func TestRules(t *testing.T) {
	for _, tt := range ruleCases() {
		t.Run(tt.name, func(t *testing.T) {
			asOf := tt.asOf
			if asOf.IsZero() {
				asOf = drafted
			}
			bad := Validate(tt.bad, asOf)
			var found *Violation
			for i, v := range bad {
				if v.Rule == tt.rule.ID && v.Severity == tt.severity &&
					(tt.field == "" || v.Field == tt.field) && strings.Contains(v.Message, tt.message) {
					found = &bad[i]
					break
				}
			}
			if found == nil {
				t.Fatalf("refused twin: got %v, want a %s violation of %q (field %q, message containing %q)",
					bad, tt.severity, tt.rule.ID, tt.field, tt.message)
			}
			if (found.Article == "" && tt.rule.ID != RuleKind.ID) || found.Message == "" {
				t.Errorf("violation %+v: got an empty article or message, want both", *found)
			}
			goodAsOf := tt.goodAsOf
			if goodAsOf.IsZero() {
				goodAsOf = asOf
			}
			if good := Validate(tt.good, goodAsOf); has(good, tt.rule.ID) {
				t.Errorf("valid twin: got %v, want no %q violation", good, tt.rule.ID)
			}
		})
	}
}

func TestEveryRuleHasItsTest(t *testing.T) {
	tested := map[RuleID]bool{}
	for _, tt := range ruleCases() {
		tested[tt.rule.ID] = true
	}
	for _, r := range Rules() {
		if !tested[r.ID] {
			t.Errorf("rule %q (%s): got no test case, want at least one", r.ID, r.Title)
		}
	}
}

func TestValidFixturesBreakNoRule(t *testing.T) {
	for _, k := range Kinds() {
		t.Run(string(k)+" fixture is valid as drafted and as signed", func(t *testing.T) {
			if vs := Validate(valid(k), drafted); len(vs) > 0 {
				t.Errorf("drafted: got %v, want none", vs)
			}
			if vs := Validate(signedVersion(valid(k)), terminateDay); len(vs) > 0 {
				t.Errorf("signed: got %v, want none", vs)
			}
		})
	}
}

func TestViolationError(t *testing.T) {
	v := Violation{Rule: RuleDelegation.ID, Article: "CGCT L1111-8", Field: "parties[1].kind", Message: "une commune ne peut pas déléguer"}
	if got, want := v.Error(), "parties[1].kind : une commune ne peut pas déléguer (CGCT L1111-8)"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestBlockersKeepsOnlyBlockingViolations(t *testing.T) {
	vs := Validate(withoutClause(withoutClause(valid(Entente), ClauseLitiges), ClauseObjet), drafted)
	if got := rules(Blockers(vs)); !slices.Equal(got, []RuleID{RuleClause.ID}) {
		t.Errorf("got %v, want only %q", got, RuleClause.ID)
	}
}
