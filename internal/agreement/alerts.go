package agreement

import (
	"fmt"
	"time"

	"voisines/internal/civil"
)

// AlertKind is what an alert is about.
type AlertKind string

// The kinds of alert.
const (
	AlertExpiring        AlertKind = "echeance"                   // the convention ends soon
	AlertNotice          AlertKind = "preavis"                    // last day to stop a tacit renewal
	AlertMissingApproval AlertKind = "approbation_manquante"      // an approval is still to be recorded
	AlertUnitCost        AlertKind = "notification_cout_unitaire" // D5211-16 / R5111-1 deadline
	AlertEquipment       AlertKind = "equipement_sans_convention" // L1311-15, a year of use without convention
	AlertRatification    AlertKind = "ratification_manquante"     // a conférence decision awaits a council
)

// Alert is something a party must do, or know, about a convention.
type Alert struct {
	Kind        AlertKind `json:"kind"`
	AgreementID int64     `json:"agreement_id,omitempty"`
	// OrgID is the party that must act; 0 when it concerns every party.
	OrgID   int64      `json:"org_id,omitempty"`
	Due     civil.Date `json:"due,omitzero"`
	Overdue bool       `json:"overdue,omitempty"`
	Message string     `json:"message"` // French
}

// Alerts returns everything about a that needs attention as of asOf,
// looking days ahead for deadlines: expiry or notice, missing approvals,
// the unit-cost notification, a year of equipment use without convention,
// conférence decisions awaiting ratification.
func Alerts(a Agreement, asOf civil.Date, days int) []Alert {
	var out []Alert
	out = append(out, Expiring(a, asOf, days)...)
	out = append(out, ApprovalAlerts(a)...)
	if al, ok := UnitCostAlert(a, asOf, days); ok {
		out = append(out, al)
	}
	if a.Kind == EquipementPartage {
		signed := a.SignedOn()
		if al, ok := EquipmentUseAlert(a.Equipment.FirstUse, asOf, !signed.IsZero() && !signed.After(asOf)); ok {
			out = append(out, al)
		}
	}
	out = append(out, RatificationAlerts(a)...)
	for i := range out {
		out[i].AgreementID = a.ID
	}
	return out
}

// Expiring reports a convention in force (or signed) whose period ends
// within days of asOf. When the term renews tacitly, it reports instead the
// last day on which a party can give notice to stop the renewal.
func Expiring(a Agreement, asOf civil.Date, days int) []Alert {
	if a.Status != InForce && a.Status != Signed {
		return nil
	}
	end := a.CurrentEnd()
	if end.IsZero() {
		return nil
	}
	horizon := asOf.AddDays(days)
	if _, renews := a.tacitRenewal(end); renews {
		// Notice given that day takes effect on end+1 at the latest, which
		// Refresh reads as stopping the renewal.
		noticeBy := civil.Min(end, end.AddDays(1).AddMonths(-a.Term.NoticeMonths))
		if noticeBy.Before(asOf) || noticeBy.After(horizon) {
			return nil
		}
		return []Alert{{Kind: AlertNotice, Due: noticeBy, Message: fmt.Sprintf(
			"« %s » sera reconduite tacitement le %s sauf dénonciation au plus tard le %s (préavis de %d mois)",
			a.Title, end.AddDays(1).French(), noticeBy.French(), a.Term.NoticeMonths)}}
	}
	if end.Before(asOf) || end.After(horizon) {
		return nil
	}
	return []Alert{{Kind: AlertExpiring, Due: end, Message: fmt.Sprintf(
		"« %s » arrive à échéance le %s (dans %d jours)", a.Title, end.French(), asOf.DaysUntil(end))}}
}

// ApprovalAlerts lists, for a convention submitted to the parties, each
// approval still missing, addressed to the party that must record it. For
// a groupement de commandes the deliberations are due the day before the
// procedure's launch.
func ApprovalAlerts(a Agreement) []Alert {
	if a.Status != Submitted {
		return nil
	}
	var due civil.Date
	if a.Kind == GroupementCommandes && !a.PurchasingGroup.LaunchDate.IsZero() {
		due = a.PurchasingGroup.LaunchDate.AddDays(-1)
	}
	var out []Alert
	for _, n := range MissingApprovals(a) {
		who := ""
		if n.PartyName != "" {
			who = " (" + n.PartyName + ")"
		}
		al := Alert{Kind: AlertMissingApproval, OrgID: n.OrgID, Message: fmt.Sprintf(
			"« %s » : %s%s à enregistrer", a.Title, lower(n.Title), who)}
		if n.Kind == Deliberation {
			al.Due = due
		}
		out = append(out, al)
	}
	return out
}

// CouncilRenewalYear reports whether municipal councils are renewed in
// year — every six years since 2008 (2020, 2026, 2032) — when budgets may
// be adopted until 30 April instead of 15 April (CGCT L1612-2).
func CouncilRenewalYear(year int) bool { return year >= 2008 && (year-2008)%6 == 0 }

// UnitCostDeadline returns the day by which the unit cost of a service made
// available must be notified for year (D5211-16 6°, R5111-1): within three
// months of signature in the year the convention is signed; otherwise the
// budget deadline of L1612-2, 15 April, or 30 April in a council-renewal
// year. The deadline day itself is in time ("au plus tard le 15 avril", the
// usual reading of L1612-2).
func UnitCostDeadline(signed civil.Date, year int) civil.Date {
	if !signed.IsZero() && signed.Year == year {
		return signed.AddMonths(3)
	}
	if CouncilRenewalYear(year) {
		return civil.New(year, time.April, 30)
	}
	return civil.New(year, time.April, 15)
}

// UnitCostAlert reports the unit-cost notification of asOf's year when it
// is due within days, or overdue, and not yet recorded.
func UnitCostAlert(a Agreement, asOf civil.Date, days int) (Alert, bool) {
	signed := a.SignedOn()
	if !unitCostKind(a.Kind) || (a.Status != Signed && a.Status != InForce) || signed.IsZero() || asOf.Year < signed.Year {
		return Alert{}, false
	}
	year := asOf.Year
	for _, n := range a.UnitCostNotices {
		if n.Year == year {
			return Alert{}, false
		}
	}
	due := UnitCostDeadline(signed, year)
	if due.After(asOf.AddDays(days)) {
		return Alert{}, false
	}
	al := Alert{Kind: AlertUnitCost, OrgID: a.unitCostProvider(), Due: due, Overdue: asOf.After(due)}
	if al.Overdue {
		al.Message = fmt.Sprintf("« %s » : le coût unitaire %d devait être notifié aux bénéficiaires au plus tard le %s", a.Title, year, due.French())
	} else {
		al.Message = fmt.Sprintf("« %s » : notifier le coût unitaire %d aux bénéficiaires au plus tard le %s", a.Title, year, due.French())
	}
	return al, true
}

// unitCostProvider returns the party that determines and notifies the unit
// cost: the one providing the service.
func (a Agreement) unitCostProvider() int64 {
	for _, role := range []Role{RoleProvider, RoleLead} {
		if _, p, ok := a.roleIndex(role); ok {
			return p.OrgID
		}
	}
	return 0
}

// EquipmentDeadline returns the day a year after firstUse: from then on,
// without a convention, the owner of the equipment sets the participation
// alone and it is a dépense obligatoire for the user (L1311-15).
func EquipmentDeadline(firstUse civil.Date) civil.Date { return firstUse.AddMonths(12) }

// EquipmentUseAlert raises the L1311-15 alert: collective equipment used
// since firstUse, not covered by a signed convention, and a year has passed
// by today.
func EquipmentUseAlert(firstUse, today civil.Date, covered bool) (Alert, bool) {
	if firstUse.IsZero() || covered {
		return Alert{}, false
	}
	due := EquipmentDeadline(firstUse)
	if today.Before(due) {
		return Alert{}, false
	}
	return Alert{Kind: AlertEquipment, Due: due, Overdue: true, Message: fmt.Sprintf(
		"l'équipement est utilisé depuis le %s sans convention signée : depuis le %s, le propriétaire fixe seul la participation, qui devient une dépense obligatoire pour l'utilisateur",
		firstUse.French(), due.French())}, true
}

// RatificationAlerts lists each conférence decision a council has not yet
// ratified; until then the decision is not enforceable (L5221-2).
func RatificationAlerts(a Agreement) []Alert {
	if a.Kind != Entente || a.Status.Final() {
		return nil
	}
	var out []Alert
	for _, d := range a.Decisions {
		for _, p := range a.Parties {
			if !a.ratified(p.OrgID, d.Ref) {
				out = append(out, Alert{Kind: AlertRatification, OrgID: p.OrgID, Message: fmt.Sprintf(
					"« %s » : la décision « %s » de la conférence du %s attend la ratification du conseil de « %s »",
					a.Title, d.Subject, d.Date.French(), p.Name)})
			}
		}
	}
	return out
}
