package service

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"voisines/internal/agreement"
	"voisines/internal/audit"
	"voisines/internal/auth"
	"voisines/internal/civil"
	"voisines/internal/money"
	"voisines/internal/store"
	"voisines/internal/validate"
)

// Notice is one notification of a year's unit cost to the beneficiaries.
type Notice struct {
	ID         int64       `json:"id"`
	ServiceID  int64       `json:"service_id"`
	Year       int         `json:"year"`
	Date       civil.Date  `json:"date"`
	Recipients []Recipient `json:"recipients"`
	// UnitCost is the unit cost notified, exact; Applied is as billed (to
	// the cent when the convention rounds it first).
	UnitCost money.Rat `json:"unit_cost"`
	Applied  money.Rat `json:"applied_unit_cost"`
	// Deadline is the legal deadline it was measured against, zero for a
	// service commun; Late says the notification came after it.
	Deadline   civil.Date `json:"deadline,omitzero"`
	Late       bool       `json:"late"`
	DaysLate   int        `json:"days_late,omitempty"`
	Note       string     `json:"note,omitempty"`
	RecordedAt time.Time  `json:"recorded_at"`
	RecordedBy string     `json:"recorded_by"`
}

// Recipient is a beneficiary a notification was sent to.
type Recipient struct {
	OrgID int64  `json:"org_id"`
	Name  string `json:"name"`
}

// NoticeInput is a notification the provider records.
type NoticeInput struct {
	// Date is the day the unit cost was notified; it cannot be in the
	// future.
	Date civil.Date `json:"date"`
	// Recipients are the beneficiaries notified; empty means all of them.
	Recipients []int64 `json:"recipients,omitempty"`
	Note       string  `json:"note,omitempty"`
}

// NoticeStatus is where the notification of a year's unit cost stands.
type NoticeStatus struct {
	// Required says the law sets a deadline: D5211-16 for a mise à
	// disposition de services, R5111-1 for L5111-1-1 and the service
	// unifié; not for a service commun.
	Required bool   `json:"required"`
	Article  string `json:"article,omitempty"`
	// Deadline is the last day to notify (zero when not required or the
	// convention is not signed yet): within three months of signature in
	// the year of signature, else 15 April, 30 April in a council-renewal
	// year such as 2026 (agreement.UnitCostDeadline).
	Deadline civil.Date `json:"deadline,omitzero"`
	Notified bool       `json:"notified"`
	// Late says the first notification came after the deadline, or none
	// came and the deadline is past.
	Late bool `json:"late"`
	// Changed says the unit cost computed today differs from the last one
	// notified: it must be notified again.
	Changed bool     `json:"changed"`
	Notices []Notice `json:"notices"`
	// Message says it in French.
	Message string `json:"message"`
}

// noticeArticle returns the article setting the notification deadline for
// services of kind k, or "" when none does.
func noticeArticle(k agreement.Kind) string {
	switch k {
	case agreement.MADServicesAscendante, agreement.MADServicesDescendante:
		return "CGCT D5211-16"
	case agreement.MADServiceL5111, agreement.ServiceUnifie:
		return "CGCT R5111-1"
	}
	return ""
}

// deadline returns the notification deadline of year for s, zero when the
// law sets none or the convention is not signed yet.
func deadline(s Service, year int) civil.Date {
	if noticeArticle(s.Kind) == "" || s.SignedOn.IsZero() || year < s.SignedOn.Year {
		return civil.Date{}
	}
	return agreement.UnitCostDeadline(s.SignedOn, year)
}

// noticeStatus describes the notification of year y of s as of today.
func (m *Manager) noticeStatus(s Service, y Year, notices []Notice) NoticeStatus {
	st := NoticeStatus{Article: noticeArticle(s.Kind), Notices: notices}
	st.Required = st.Article != ""
	st.Deadline = deadline(s, y.Year)
	st.Notified = len(notices) > 0
	if st.Notices == nil {
		st.Notices = []Notice{}
	}
	today := m.today()
	if st.Notified {
		first, last := notices[0], notices[len(notices)-1]
		st.Late = first.Late
		st.Changed = last.UnitCost.Cmp(y.UnitCost.PerUnit) != 0 || last.Applied.Cmp(y.Applied) != 0
		msg := fmt.Sprintf("Coût unitaire %d notifié le %s à %s", y.Year, first.Date.French(), recipientsText(first.Recipients))
		switch {
		case first.Deadline.IsZero():
			msg += "."
		case first.Late:
			msg += fmt.Sprintf(", en retard de %d jour(s) : il devait l'être au plus tard le %s (%s).", first.DaysLate, first.Deadline.French(), st.Article)
		default:
			msg += fmt.Sprintf(", dans le délai (au plus tard le %s).", first.Deadline.French())
		}
		if len(notices) > 1 {
			msg += fmt.Sprintf(" Dernière notification le %s.", last.Date.French())
		}
		if st.Changed {
			msg += fmt.Sprintf(" Attention : le coût unitaire a changé depuis (%s au lieu de %s) : notifiez-le de nouveau.",
				UnitCostText(y.Applied, s.Unit), UnitCostText(last.Applied, s.Unit))
		}
		st.Message = msg
		return st
	}
	switch {
	case !st.Required:
		st.Message = fmt.Sprintf("Coût unitaire %d non notifié. Le décret D5211-16 ne s'applique pas formellement à un service commun : notifiez-le comme la convention le prévoit.", y.Year)
	case st.Deadline.IsZero():
		st.Message = fmt.Sprintf("Coût unitaire %d non notifié. La convention n'est pas encore signée : l'année de sa signature, le coût unitaire se notifie dans les trois mois qui la suivent (%s).", y.Year, st.Article)
	case today.After(st.Deadline):
		st.Late = true
		st.Message = fmt.Sprintf("En retard : le coût unitaire %d devait être notifié aux bénéficiaires au plus tard le %s (%s).", y.Year, st.Deadline.French(), st.Article)
	default:
		st.Message = fmt.Sprintf("À notifier aux bénéficiaires au plus tard le %s (%s).", st.Deadline.French(), st.Article)
	}
	return st
}

func recipientsText(rs []Recipient) string {
	names := make([]string, len(rs))
	for i, r := range rs {
		names[i] = r.Name
	}
	return strings.Join(names, ", ")
}

// Notify records that year's unit cost of service id was notified to the
// beneficiaries on in.Date: the convention's own record of the notice
// (agreement.Service.RecordUnitCostNotice, which clears its alert) for the
// kinds the law sets a deadline for, and the recipients here. A
// notification after the deadline is recorded and reported late. The
// actor needs auth.Write on the provider.
func (m *Manager) Notify(ctx context.Context, actor auth.Actor, id int64, year int, in NoticeInput) (Notice, error) {
	s, rec, err := m.loadForWrite(ctx, actor, id)
	if err != nil {
		return Notice{}, fail("notify", err)
	}
	y, err := m.yearOf(ctx, s, year)
	if isNotFound(err) {
		return Notice{}, errNoYear("year", year)
	} else if err != nil {
		return Notice{}, fail("notify", err)
	}
	var errs validate.Errors
	today := m.today()
	switch {
	case in.Date.IsZero():
		errs.Add("date", "la date de la notification est obligatoire")
	case in.Date.After(today):
		errs.Add("date", "la notification du %s est dans le futur : enregistrez-la une fois faite", in.Date.French())
	case in.Date.Year < year-1:
		errs.Add("date", "une notification du %s ne peut pas porter sur le coût unitaire %d", in.Date.French(), year)
	}
	if s.AgreementStatus != agreement.Signed && s.AgreementStatus != agreement.InForce {
		errs.Add("date", "la convention n'est ni signée ni en vigueur (%s) : le coût unitaire ne se notifie pas", s.AgreementStatus.Label())
	}
	in.Note = strings.TrimSpace(in.Note)
	errs.Check(validate.MaxLen("note", in.Note, 500))
	recipients := in.Recipients
	if len(recipients) == 0 {
		for _, p := range s.Beneficiaries {
			recipients = append(recipients, p.OrgID)
		}
	}
	n := Notice{ServiceID: id, Year: year, Date: in.Date, UnitCost: y.UnitCost.PerUnit, Applied: y.Applied, Note: in.Note,
		Deadline: deadline(s, year), RecordedAt: m.clock(), RecordedBy: actor.String()}
	for i, org := range recipients {
		p, ok := s.Beneficiary(org)
		switch {
		case !ok:
			errs.Add(fmt.Sprintf("recipients[%d]", i), "l'organisation n° %d n'est pas bénéficiaire du service", org)
		case slices.ContainsFunc(n.Recipients, func(r Recipient) bool { return r.OrgID == org }):
			errs.Add(fmt.Sprintf("recipients[%d]", i), "%s est citée deux fois", p.Name)
		default:
			n.Recipients = append(n.Recipients, Recipient{OrgID: org, Name: p.Name})
		}
	}
	if len(n.Recipients) == 0 && len(errs) == 0 {
		errs.Add("recipients", "le service n'a aucun bénéficiaire à qui notifier le coût unitaire")
	}
	if err := errs.Err(); err != nil {
		return Notice{}, err
	}
	if !n.Deadline.IsZero() && n.Date.After(n.Deadline) {
		n.Late, n.DaysLate = true, n.Deadline.DaysUntil(n.Date)
	}
	// The convention's own record first, in its own transaction: a refusal
	// there writes nothing here. Recording the same day twice adds nothing
	// to the convention, so that a retry after a failure below is safe.
	if noticeArticle(s.Kind) != "" && !slices.Contains(rec.Agreement.UnitCostNotices, agreement.UnitCostNotice{Year: year, Date: in.Date}) {
		_, err := m.agreements.RecordUnitCostNotice(ctx, actor, rec.ID, rec.Version, agreement.UnitCostNotice{Year: year, Date: in.Date})
		var rf *agreement.Refusal
		if errors.As(err, &rf) {
			return Notice{}, validate.Errors{{Field: "date", Message: rf.Message}}
		} else if err != nil {
			return Notice{}, fail("notify", err)
		}
	}
	err = m.db.InTx(ctx, func(tx *store.Tx) error {
		if err := insertNotice(ctx, tx, &n, actor.UserID()); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Audit(s.Provider.OrgID, "service.unit_cost.notify", "service", strconv.FormatInt(id, 10),
			map[string]any{"agreement": rec.Reference, "year": year, "date": n.Date, "recipients": n.Recipients,
				"unit_cost": n.UnitCost, "applied_unit_cost": n.Applied, "deadline": n.Deadline, "late": n.Late}))
	})
	if err != nil {
		return Notice{}, fail("notify", err)
	}
	return n, nil
}

// Notification returns where the notification of year's unit cost of
// service id stands.
func (m *Manager) Notification(ctx context.Context, actor auth.Actor, id int64, year int) (NoticeStatus, error) {
	y, err := m.Year(ctx, actor, id, year)
	if err != nil {
		return NoticeStatus{}, err
	}
	return y.Notification, nil
}
