package demo

// Staff secondment (mise à disposition individuelle de personnel, CGFP
// L512-6 ff.): an adjoint technique of Marcillac-Vallon works 30 % of his
// time for Mouret from 1 May to 31 December 2026, billed pro rata
// (domain.md §10 example 2: 43,350.00 × 30 % / 12 = 1,083.75 a month), his
// reimbursement for May to October drafted; a secrétaire de mairie of
// Conques-en-Rouergue works for Pruines since September, billed on the
// time she records.

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"voisines/internal/agreement"
	"voisines/internal/civil"
	"voisines/internal/money"
	"voisines/internal/staff"
	"voisines/internal/store"
)

// The secondments' conventions and agents.
const (
	TitleSecondment  = "Mise à disposition d'un adjoint technique de Marcillac-Vallon auprès de Mouret"
	TitleSecretariat = "Mise à disposition d'une secrétaire de mairie de Conques-en-Rouergue auprès de Pruines"

	convSecondment  = "secondment"
	convSecretariat = "secretariat"
)

// The reimbursement of the secondment to Mouret drafted by the demo: May
// to October 2026, six of its eight months.
var secondmentFrom, secondmentTo = day("2026-05-01"), day("2026-10-31")

// LabelSecondment labels that reimbursement.
const LabelSecondment = "Mai à octobre 2026"

// agentSpec is a seconded agent, recorded by its employer's clerk on
// recorded with its 2026 cost, and its secondment under the convention of
// key conv, recorded on secondedOn.
type agentSpec struct {
	employer   string
	recorded   civil.Date
	in         staff.AgentInput
	cost2026   staff.CostInput
	conv       string
	secondedOn civil.Date
	secondment staff.SecondmentInput
}

// timeSpec is a day worked at the host, entered by the host's clerk that
// evening.
type timeSpec struct {
	day      string
	minutes  int64
	activity string
}

// secretariatTime is the time worked at Pruines since September.
var secretariatTime = []timeSpec{
	{"2026-09-08", 420, "Accueil du public, état civil et courrier"},
	{"2026-09-22", 450, "Préparation du conseil municipal du 25 septembre : ordre du jour, notes de synthèse, délibérations"},
	{"2026-10-06", 390, "Accueil du public, urbanisme (dépôt de déclarations préalables) et courrier"},
	{"2026-10-13", 420, "Exécution budgétaire : mandats et titres du troisième trimestre"},
	{"2026-11-03", 420, "Accueil du public, état civil et listes électorales"},
	{"2026-11-17", 450, "Préparation de la décision modificative n° 2 et du conseil municipal du 20 novembre"},
	{"2026-11-24", 360, "Accueil du public et courrier ; suivi des délibérations transmises"},
}

func (s *seeder) staffConventionSpecs() []convSpec {
	madClauses := func(activities, employment, control, duration, repayment string) map[agreement.ClauseID]string {
		return map[agreement.ClauseID]string{
			agreement.ClauseActivites:        activities,
			agreement.ClauseConditionsEmploi: employment,
			agreement.ClauseControle:         control,
			agreement.ClauseDuree:            duration,
			agreement.ClauseRemboursement:    repayment,
			agreement.ClausePreavis:          "La mise à disposition peut prendre fin avant son terme à la demande de l'agent, de la commune d'origine ou de la commune d'accueil, avec un préavis de deux mois notifié par écrit aux deux autres.",
		}
	}
	return []convSpec{
		{
			key: convSecondment, kind: agreement.MADPersonnel,
			parties: []partySpec{{marcillac, agreement.RoleHomeEmployer}, {mouret, agreement.RoleHost}},
			content: agreement.Content{
				Title: TitleSecondment,
				Term:  agreement.Term{Start: day("2026-05-01"), End: day("2026-12-31"), NoticeMonths: 2},
				Financial: agreement.Financial{Mode: agreement.SalaryProRata,
					Summary: "Mouret rembourse à Marcillac-Vallon la rémunération et les charges patronales de l'agent au prorata de la quotité (30 %) et des mois de mise à disposition, sur état établi par Marcillac-Vallon."},
				Secondment: agreement.SecondmentTerms{Agent: "Julien Bessière", Grade: "adjoint technique principal de 2e classe",
					AgentStatus: agreement.Titulaire, Quotite: agreement.Fraction{Num: 30, Den: 100}},
			},
			clauses: madClauses(
				"M. Julien Bessière, adjoint technique principal de 2e classe, assure pour Mouret l'entretien de la voirie communale, des espaces verts et des bâtiments communaux.",
				"L'agent travaille pour Mouret à 30 % de son temps, le mardi et le mercredi matin ; Mouret organise son travail, Marcillac-Vallon reste son employeur (rémunération, carrière, congés, discipline).",
				"Le maire de Mouret transmet chaque année au maire de Marcillac-Vallon un rapport sur la manière de servir de l'agent, joint à son entretien professionnel.",
				"La mise à disposition court du 1er mai au 31 décembre 2026.",
				"Mouret rembourse la rémunération et les charges patronales de l'agent au prorata de la quotité et des mois de mise à disposition (CGFP L512-11), sur état établi par Marcillac-Vallon.",
			),
			drafted: day("2026-02-09"),
			acts: []actSpec{
				{code: marcillac, kind: agreement.AgentConsent, number: "Lettre de l'agent du 2 mars 2026", date: day("2026-03-02")},
				{code: marcillac, kind: agreement.CouncilInformation, number: "Séance du 12 mars 2026", date: day("2026-03-12")},
				{code: marcillac, kind: agreement.Arrete, number: "A-2026-027", date: day("2026-04-20")},
			},
			signed: day("2026-04-24"),
		},
		{
			key: convSecretariat, kind: agreement.MADPersonnel,
			parties: []partySpec{{conques, agreement.RoleHomeEmployer}, {pruines, agreement.RoleHost}},
			content: agreement.Content{
				Title: TitleSecretariat,
				Term:  agreement.Term{Start: day("2026-09-01"), End: day("2027-08-31"), NoticeMonths: 2},
				Financial: agreement.Financial{Mode: agreement.UnitPrice,
					Summary: "Pruines rembourse à Conques-en-Rouergue le temps réellement effectué, relevé jour par jour, au coût horaire de l'agent (coût annuel de la rémunération et des charges / 1 607 heures)."},
				Secondment: agreement.SecondmentTerms{Agent: "Nathalie Couderc", Grade: "adjoint administratif principal de 1re classe",
					AgentStatus: agreement.Titulaire, Quotite: agreement.Fraction{Num: 7, Den: 35}},
			},
			clauses: madClauses(
				"Mme Nathalie Couderc, adjoint administratif principal de 1re classe, assure le secrétariat de mairie de Pruines : accueil du public, état civil, préparation et suivi du conseil municipal, exécution du budget.",
				"L'agent travaille pour Pruines sept heures par semaine, le mardi ; Conques-en-Rouergue reste son employeur (rémunération, carrière, congés, discipline).",
				"Pruines relève chaque jour travaillé et en transmet le relevé à Conques-en-Rouergue ; le maire de Pruines adresse chaque année un rapport sur la manière de servir de l'agent.",
				"La mise à disposition court du 1er septembre 2026 au 31 août 2027.",
				"Pruines rembourse le temps réellement effectué au coût horaire de l'agent (CGFP L512-11), sur état établi par Conques-en-Rouergue.",
			),
			drafted: day("2026-06-01"),
			acts: []actSpec{
				{code: conques, kind: agreement.AgentConsent, number: "Lettre de l'agent du 15 juin 2026", date: day("2026-06-15")},
				{code: conques, kind: agreement.CouncilInformation, number: "Séance du 25 juin 2026", date: day("2026-06-25")},
				{code: conques, kind: agreement.Arrete, number: "A-2026-052", date: day("2026-07-20")},
			},
			signed: day("2026-07-27"),
		},
	}
}

func (s *seeder) agentSpecs() []agentSpec {
	return []agentSpec{
		{
			employer: marcillac, recorded: day("2026-04-14"),
			in: staff.AgentInput{FamilyName: "Bessière", GivenName: "Julien", Grade: "adjoint technique principal de 2e classe", Status: staff.Titulaire},
			// domain.md §10 example 2.
			cost2026: staff.CostInput{GrossPay: 30_000_00, EmployerContributions: 13_350_00,
				Source: "Paie 2026 : traitement, NBI et IFSE de janvier, charges patronales (CNRACL, URSSAF, CNFPT, centre de gestion)"},
			conv: convSecondment, secondedOn: day("2026-04-24"),
			secondment: staff.SecondmentInput{ArreteReference: "A-2026-027", ArreteDate: day("2026-04-20"),
				Activities: "Entretien de la voirie communale, des espaces verts et des bâtiments de Mouret, le mardi et le mercredi matin."},
		},
		{
			employer: conques, recorded: day("2026-07-27"),
			in: staff.AgentInput{FamilyName: "Couderc", GivenName: "Nathalie", Grade: "adjoint administratif principal de 1re classe", Status: staff.Titulaire},
			cost2026: staff.CostInput{GrossPay: 27_600_00, EmployerContributions: 12_282_00,
				Source: "Paie 2026 : traitement, NBI et IFSE de juillet, charges patronales (CNRACL, URSSAF, CNFPT, centre de gestion)"},
			conv: convSecretariat, secondedOn: day("2026-07-27"),
			secondment: staff.SecondmentInput{ArreteReference: "A-2026-052", ArreteDate: day("2026-07-20"), Billing: staff.RealTime,
				Activities: "Secrétariat de mairie de Pruines, le mardi : accueil du public, état civil, conseil municipal, exécution budgétaire."},
		},
	}
}

// seedStaff records the agents, their costs and secondments under the
// conventions seedConventions made, the reimbursement drafted for Mouret
// and the time worked at Pruines.
func seedStaff(ctx context.Context, s *seeder) error {
	secs, grades := map[string]staff.Secondment{}, map[string]string{}
	for _, as := range s.agentSpecs() {
		sec, err := s.ensureSecondment(ctx, as)
		if err != nil {
			return fmt.Errorf("mise à disposition de %s %s : %w", as.in.GivenName, as.in.FamilyName, err)
		}
		secs[as.conv], grades[as.conv] = sec, as.in.Grade
	}

	// Marcillac-Vallon has computed what Mouret owes for May to October;
	// the statement waits to be checked and issued.
	sec := secs[convSecondment]
	rb, err := s.ensureReimbursement(ctx, sec, staff.Period{From: secondmentFrom, To: secondmentTo, Label: LabelSecondment}, day("2026-11-06"))
	if err != nil {
		return fmt.Errorf("remboursement de %s : %w", sec.AgentName, err)
	}
	conv := s.conv[convSecondment]
	s.rep.Drafts = append(s.rep.Drafts, StatementLine{Reference: conv.Reference, Title: conv.Agreement.Title, Label: LabelSecondment, Total: rb.Amount})
	monthly, _ := money.Round(rb.AnnualCost.Rat().Mul(rb.Quotite).Quo(money.IntRat(12)), money.RoundHalfUp)
	s.rep.Secondments = append(s.rep.Secondments, fmt.Sprintf("%s (%s) de %s à %s, à %s du %s au %s, remboursé au prorata : %s par mois.",
		sec.AgentName, grades[convSecondment], sec.EmployerName, sec.HostName, sec.Quotite.Percent(), sec.Start.French(), sec.End.French(), monthly))

	// Pruines records the Tuesdays worked by its secrétaire de mairie.
	sec = secs[convSecretariat]
	times, err := s.ensureTimes(ctx, sec, secretariatTime)
	if err != nil {
		return fmt.Errorf("relevés de temps de %s : %w", sec.AgentName, err)
	}
	var minutes int64
	for _, t := range times {
		minutes += t.Minutes
	}
	s.rep.Secondments = append(s.rep.Secondments, fmt.Sprintf("%s (%s) de %s à %s depuis le %s, au temps réellement effectué : %d journées relevées, %s.",
		sec.AgentName, grades[convSecretariat], sec.EmployerName, sec.HostName, sec.Start.French(), len(times), staff.FormatMinutes(minutes)))
	return nil
}

// ensureSecondment returns the secondment of as, recording the agent, its
// 2026 cost and the secondment when missing.
func (s *seeder) ensureSecondment(ctx context.Context, as agentSpec) (staff.Secondment, error) {
	clerk, employer := s.clerk[as.employer], s.org[as.employer]
	lines, err := s.staff.Agents(ctx, clerk, employer)
	if err != nil {
		return staff.Secondment{}, err
	}
	i := slices.IndexFunc(lines, func(l staff.AgentLine) bool {
		return l.Employed && l.Agent.FamilyName == as.in.FamilyName && l.Agent.GivenName == as.in.GivenName
	})
	var ag staff.Agent
	if i >= 0 {
		ag = lines[i].Agent
	} else {
		s.clk.on(as.recorded)
		in := as.in
		in.EmployerOrgID = employer
		if ag, err = s.staff.CreateAgent(ctx, clerk, in); err != nil {
			return staff.Secondment{}, fmt.Errorf("fiche de l'agent : %w", err)
		}
		s.rep.Created++
	}
	if _, err := s.staff.Cost(ctx, clerk, ag.ID, 2026); errors.Is(err, store.ErrNotFound) {
		s.clk.on(as.recorded)
		if _, err := s.staff.SetCost(ctx, clerk, ag.ID, 2026, 0, as.cost2026); err != nil {
			return staff.Secondment{}, fmt.Errorf("coût annuel 2026 : %w", err)
		}
		s.rep.Created++
	} else if err != nil {
		return staff.Secondment{}, err
	}
	conv := s.conv[as.conv]
	if i >= 0 {
		if j := slices.IndexFunc(lines[i].Secondments, func(sec staff.Secondment) bool { return sec.AgreementID == conv.ID }); j >= 0 {
			return lines[i].Secondments[j], nil
		}
	}
	s.clk.on(as.secondedOn)
	in := as.secondment
	in.AgreementID, in.AgentID = conv.ID, ag.ID
	sec, err := s.staff.CreateSecondment(ctx, clerk, in)
	if err != nil {
		return staff.Secondment{}, err
	}
	s.rep.Created++
	return sec, nil
}

// ensureReimbursement returns the reimbursement of sec over p, computed by
// the employer's clerk on the day given when missing.
func (s *seeder) ensureReimbursement(ctx context.Context, sec staff.Secondment, p staff.Period, on civil.Date) (staff.Reimbursement, error) {
	clerk := s.clerk[s.codeOf(sec.EmployerOrgID)]
	f, err := s.staff.Secondment(ctx, clerk, sec.ID)
	if err != nil {
		return staff.Reimbursement{}, err
	}
	if i := slices.IndexFunc(f.Reimbursements, func(r staff.Reimbursement) bool { return r.From == p.From && r.To == p.To }); i >= 0 {
		return f.Reimbursements[i], nil
	}
	s.clk.on(on)
	rb, _, err := s.staff.Reimburse(ctx, clerk, sec.ID, p)
	if err == nil {
		s.rep.Created++
	}
	return rb, err
}

// ensureTimes records the days of ts the host's clerk has not entered yet,
// each on its evening, and returns every time record of sec.
func (s *seeder) ensureTimes(ctx context.Context, sec staff.Secondment, ts []timeSpec) ([]staff.TimeRecord, error) {
	host := s.clerk[s.codeOf(sec.HostOrgID)]
	have, err := s.staff.TimeRecords(ctx, host, sec.ID, civil.Date{}, civil.Date{})
	if err != nil {
		return nil, err
	}
	added := false
	for _, t := range ts {
		d := day(t.day)
		if slices.ContainsFunc(have, func(r staff.TimeRecord) bool { return r.Date == d }) {
			continue
		}
		s.clk.set(at(t.day, 18, 30))
		if _, err := s.staff.RecordTime(ctx, host, sec.ID, staff.TimeInput{Date: d, Minutes: t.minutes, Activity: t.activity,
			ByOrgID: sec.HostOrgID}); err != nil {
			return nil, fmt.Errorf("%s : %w", d.French(), err)
		}
		s.rep.Created++
		added = true
	}
	if !added {
		return have, nil
	}
	return s.staff.TimeRecords(ctx, host, sec.ID, civil.Date{}, civil.Date{})
}
