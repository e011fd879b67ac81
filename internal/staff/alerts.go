package staff

import (
	"fmt"

	"voisines/internal/agreement"
	"voisines/internal/civil"
)

// AlertKind is what a staff alert is about.
type AlertKind string

// The kinds of staff alert.
const (
	// AlertEnding: the secondment ends within three months.
	AlertEnding AlertKind = "fin_prochaine"
	// AlertConsent: the convention has no written consent of the agent
	// (CGFP L512-7).
	AlertConsent AlertKind = "accord_agent_manquant"
	// AlertDuration: the secondment lasts more than three years (décret
	// 2008-580: three years at most, renewable by periods of three years at
	// most).
	AlertDuration AlertKind = "duree_superieure_3_ans"
	// AlertCost: the agent's annual cost of a year the secondment covers is
	// not recorded, so that year cannot be billed.
	AlertCost AlertKind = "cout_annuel_manquant"
	// AlertMismatch: the secondment no longer agrees with its convention.
	AlertMismatch AlertKind = "incoherence_convention"
)

// Label is the kind's French title, for the pages' headings.
func (k AlertKind) Label() string {
	switch k {
	case AlertEnding:
		return "Fin dans moins de trois mois"
	case AlertConsent:
		return "Accord écrit de l'agent manquant"
	case AlertDuration:
		return "Durée supérieure à trois ans"
	case AlertCost:
		return "Coût annuel non saisi"
	case AlertMismatch:
		return "Écart avec la convention"
	}
	return string(k)
}

// Alert is something the employer or the host must do or know about a
// secondment.
type Alert struct {
	Kind         AlertKind `json:"kind"`
	SecondmentID int64     `json:"secondment_id"`
	AgentID      int64     `json:"agent_id"`
	AgreementID  int64     `json:"agreement_id"`
	// OrgID is the organisation that must act (the employer records
	// consents and costs); 0 when it concerns both.
	OrgID   int64      `json:"org_id,omitempty"`
	Due     civil.Date `json:"due,omitzero"`
	Year    int        `json:"year,omitempty"`
	Message string     `json:"message"` // French
}

// EndingWithinMonths is how far ahead AlertEnding looks.
const EndingWithinMonths = 3

// MaxYears is the longest period of a secondment before it must be
// renewed (décret 2008-580).
const MaxYears = 3

// secondmentAlerts returns the alerts of secondment s of agent ag under
// convention a as of today; costYears are the years whose annual cost is
// recorded.
func secondmentAlerts(s Secondment, ag Agent, a agreement.Agreement, costYears map[int]bool, today civil.Date) []Alert {
	var out []Alert
	add := func(kind AlertKind, org int64, due civil.Date, year int, format string, args ...any) {
		out = append(out, Alert{Kind: kind, SecondmentID: s.ID, AgentID: s.AgentID, AgreementID: s.AgreementID,
			OrgID: org, Due: due, Year: year, Message: fmt.Sprintf(format, args...)})
	}
	ended := a.Status == agreement.Terminated || a.Status == agreement.Expired
	if !s.End.Before(today) && !s.End.After(today.AddMonths(EndingWithinMonths)) && !ended {
		add(AlertEnding, 0, s.End, 0, "la mise à disposition de %s chez %s prend fin le %s : renouvelez-la (convention, accord de l'agent, arrêté) ou préparez le retour de l'agent",
			ag.Name(), s.HostName, s.End.French())
	}
	if _, ok := consentOf(a); !ok {
		add(AlertConsent, s.EmployerOrgID, civil.Date{}, 0, "la convention %s ne porte pas l'accord écrit de %s, préalable à sa signature (CGFP L512-7) : enregistrez-le",
			s.AgreementReference, ag.Name())
	}
	if limit := s.Start.AddYears(MaxYears); !s.End.Before(limit) {
		add(AlertDuration, 0, limit.AddDays(-1), 0, "la mise à disposition de %s dure du %s au %s, plus de trois ans : au-delà de trois ans elle doit être renouvelée, par périodes de trois ans au plus (décret 2008-580)",
			ag.Name(), s.Start.French(), s.End.French())
	}
	last := civil.Min(s.End, today)
	for y := s.Start.Year; y <= last.Year && !s.Start.After(today); y++ {
		if !costYears[y] {
			add(AlertCost, s.EmployerOrgID, civil.Date{}, y, "le coût annuel %d de %s n'est pas saisi : le remboursement de %d ne peut pas être calculé",
				y, ag.Name(), y)
		}
	}
	blocking, notes := mismatches(s, ag, a)
	for _, m := range append(blocking, notes...) {
		add(AlertMismatch, s.EmployerOrgID, civil.Date{}, 0, "%s", m)
	}
	return out
}
