package staff

// The rules, pure: what an agent, a cost, a secondment and time worked
// must be, and how a secondment agrees with its convention. Errors are
// validate.Errors naming the field, in French.

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"voisines/internal/agreement"
	"voisines/internal/civil"
	"voisines/internal/money"
	"voisines/internal/validate"
)

// maxAmount bounds one line of an annual cost: ten million euros.
const maxAmount money.Cents = 10_000_000_00

// maxOtherLines bounds the other lines of an annual cost.
const maxOtherLines = 20

// normalizeAgent trims in and checks it.
func normalizeAgent(in AgentInput) (AgentInput, error) {
	in.FamilyName = strings.TrimSpace(in.FamilyName)
	in.GivenName = strings.TrimSpace(in.GivenName)
	in.Grade = strings.TrimSpace(in.Grade)
	in.Status = Status(strings.ToLower(strings.TrimSpace(string(in.Status))))
	var errs validate.Errors
	if in.EmployerOrgID <= 0 {
		errs.Add("employer_org_id", "l'employeur de l'agent est obligatoire")
	}
	if in.FamilyName == "" {
		errs.Add("family_name", "le nom de l'agent est obligatoire")
	}
	errs.Check(validate.MaxLen("family_name", in.FamilyName, 100))
	if in.GivenName == "" {
		errs.Add("given_name", "le prénom de l'agent est obligatoire")
	}
	errs.Check(validate.MaxLen("given_name", in.GivenName, 100))
	errs.Check(validate.MaxLen("grade", in.Grade, 200))
	if !in.Status.Valid() {
		errs.Add("status", "%s n'est pas une situation d'agent (titulaire, stagiaire, cdi ou cdd)", validate.Quote(string(in.Status)))
	}
	return in, errs.Err()
}

// normalizeCost trims in and checks it as the cost of year.
func normalizeCost(year int, in CostInput) (CostInput, error) {
	in.Source = strings.TrimSpace(in.Source)
	var errs validate.Errors
	if year < 2000 || year > 2100 {
		errs.Add("year", "l'année %d n'est pas une année valide", year)
	}
	amount := func(field string, c money.Cents) {
		switch {
		case c < 0:
			errs.Add(field, "un montant ne peut pas être négatif")
		case c > maxAmount:
			errs.Add(field, "le montant %s dépasse %s : vérifiez-le", c, maxAmount)
		}
	}
	amount("gross_pay", in.GrossPay)
	amount("employer_contributions", in.EmployerContributions)
	if in.GrossPay == 0 {
		errs.Add("gross_pay", "la rémunération brute de l'année est obligatoire")
	}
	if len(in.Other) > maxOtherLines {
		errs.Add("other_lines", "au plus %d autres lignes", maxOtherLines)
	}
	for i, l := range in.Other {
		l.Label, l.Reason = strings.TrimSpace(l.Label), strings.TrimSpace(l.Reason)
		in.Other[i] = l
		field := fmt.Sprintf("other_lines[%d]", i)
		if l.Label == "" {
			errs.Add(field+".label", "chaque ligne a un libellé")
		}
		errs.Check(validate.MaxLen(field+".label", l.Label, 200))
		errs.Check(validate.MaxLen(field+".reason", l.Reason, 500))
		amount(field+".amount", l.Amount)
	}
	if in.Source == "" {
		errs.Add("source", "indiquez la source des montants (par exemple « DSN décembre 2025 »)")
	}
	errs.Check(validate.MaxLen("source", in.Source, 200))
	return in, errs.Err()
}

// sameFraction reports whether a and b are the same ratio (30/100 = 3/10).
func sameFraction(a, b agreement.Fraction) bool {
	return a.Valid() && b.Valid() && a.Rat().Cmp(b.Rat()) == 0
}

// quotiteRat returns f as a money.Rat.
func quotiteRat(f agreement.Fraction) money.Rat { return money.NewRat(f.Num, f.Den) }

// homeOf returns the convention's administration d'origine.
func homeOf(a agreement.Agreement) (agreement.Party, bool) {
	ps := a.WithRole(agreement.RoleHomeEmployer)
	if len(ps) == 0 {
		return agreement.Party{}, false
	}
	return ps[0], true
}

// isHost reports whether org is an organisme d'accueil of the convention.
func isHost(a agreement.Agreement, org int64) bool {
	for _, p := range a.WithRole(agreement.RoleHost) {
		if p.OrgID == org {
			return true
		}
	}
	return false
}

// prepareSecondment completes in from convention a (the only host, its
// quotité, start and last day) and checks it against a and agent ag. The
// result has no id, names nor version yet.
func prepareSecondment(in SecondmentInput, ag Agent, a agreement.Agreement) (Secondment, error) {
	var errs validate.Errors
	if a.Kind != agreement.MADPersonnel {
		errs.Add("agreement_id", "la convention n'est pas une mise à disposition de personnel (%s)", a.Kind.Label())
		return Secondment{}, errs
	}
	s := Secondment{
		AgreementID: in.AgreementID, AgentID: ag.ID, EmployerOrgID: ag.EmployerOrgID, HostOrgID: in.HostOrgID,
		Quotite: in.Quotite, Start: in.Start, End: in.End, Activities: strings.TrimSpace(in.Activities),
		ArreteReference: strings.TrimSpace(in.ArreteReference), ArreteDate: in.ArreteDate,
		Billing: Billing(strings.TrimSpace(string(in.Billing))), AnnualHours: in.AnnualHours,
	}
	if home, ok := homeOf(a); !ok || home.OrgID != ag.EmployerOrgID {
		errs.Add("agreement_id", "l'administration d'origine de la convention (%s) n'est pas l'employeur de l'agent (%s)",
			home.Name, ag.EmployerName)
	}
	hosts := a.WithRole(agreement.RoleHost)
	if s.HostOrgID == 0 && len(hosts) == 1 {
		s.HostOrgID = hosts[0].OrgID
	}
	switch {
	case s.HostOrgID == 0:
		errs.Add("host_org_id", "choisissez l'organisme d'accueil parmi ceux de la convention")
	case !isHost(a, s.HostOrgID):
		errs.Add("host_org_id", "cet organisme n'est pas un organisme d'accueil de la convention")
	}
	conv := a.Secondment.Quotite
	if s.Quotite.IsZero() {
		s.Quotite = conv
	}
	switch q := s.Quotite; {
	case !q.Valid() || q.Num <= 0 || q.Num > q.Den:
		errs.Add("quotite", "la quotité « %s » doit être comprise entre 0 (exclu) et 1 (temps complet)", q)
	case q.Den > 100_000:
		errs.Add("quotite", "la quotité « %s » a un dénominateur trop grand", q)
	case !sameFraction(q, conv):
		errs.Add("quotite", "la convention%s prévoit une quotité de %s (%s), pas %s (%s)",
			amendedText(a), conv, conv.Percent(), q, q.Percent())
	}
	if s.Start.IsZero() {
		s.Start = a.Term.Start
	}
	if s.End.IsZero() {
		s.End = agreement.LastDay(a)
	}
	switch {
	case s.Start.IsZero():
		errs.Add("start", "le premier jour de la mise à disposition est obligatoire")
	case s.End.IsZero():
		errs.Add("end", "le dernier jour de la mise à disposition est obligatoire (trois ans au plus, renouvelables)")
	case s.End.Before(s.Start):
		errs.Add("end", "la mise à disposition finit (%s) avant de commencer (%s)", s.End.French(), s.Start.French())
	default:
		if start := a.Term.Start; !start.IsZero() && s.Start.Before(start) {
			errs.Add("start", "la mise à disposition commence le %s, avant la prise d'effet de la convention (%s)", s.Start.French(), start.French())
		}
		if last := agreement.LastDay(a); !last.IsZero() && s.End.After(last) {
			errs.Add("end", "la mise à disposition finit le %s, après le dernier jour de la convention (%s)", s.End.French(), last.French())
		}
	}
	if s.Activities == "" {
		errs.Add("activities", "décrivez la nature des activités exercées chez l'organisme d'accueil (décret 2008-580)")
	}
	errs.Check(validate.MaxLen("activities", s.Activities, 2000))
	errs.Check(validate.MaxLen("arrete_reference", s.ArreteReference, 100))
	if (s.ArreteReference == "") != s.ArreteDate.IsZero() {
		field := "arrete_date"
		if s.ArreteReference == "" {
			field = "arrete_reference"
		}
		errs.Add(field, "indiquez à la fois le numéro et la date de l'arrêté de mise à disposition")
	}
	if s.Billing == "" {
		s.Billing = billingOf(a)
	}
	if !s.Billing.Valid() {
		errs.Add("billing", "%s n'est pas un mode de facturation (prorata ou temps_reel)", validate.Quote(string(s.Billing)))
	} else if m := billingMismatch(s.Billing, a); m != "" {
		errs.Add("billing", "%s : choisissez ce mode de facturation, ou modifiez la convention par avenant", m)
	}
	if s.AnnualHours == 0 {
		s.AnnualHours = DefaultAnnualHours
	}
	if s.AnnualHours < 1 || s.AnnualHours > 8760 {
		errs.Add("annual_hours", "le nombre d'heures annuelles doit être compris entre 1 et 8 760 (1 607 pour un temps complet)")
	}
	if ag.Status == CDD {
		errs.Add("agent_id", "un agent contractuel en CDD ne peut pas être mis à disposition : seuls les contractuels en CDI le peuvent (décret 88-145, art. 35-1)")
	}
	switch st := a.Secondment.AgentStatus; {
	case st == agreement.CDI && ag.Status != CDI:
		errs.Add("agent_id", "la convention met à disposition un contractuel en CDI ; l'agent est %s", ag.Status.Label())
	case st == agreement.Titulaire && (ag.Status == CDI || ag.Status == CDD):
		errs.Add("agent_id", "la convention met à disposition un fonctionnaire ; l'agent est %s", ag.Status.Label())
	}
	if err := errs.Err(); err != nil {
		return Secondment{}, err
	}
	return s, nil
}

// billingOf returns the billing convention a states through its
// financial mode: real time for a unit price (hours worked × hourly cost),
// pro rata otherwise.
func billingOf(a agreement.Agreement) Billing {
	if a.Financial.Mode == agreement.UnitPrice {
		return RealTime
	}
	return ProRata
}

// billingMismatch says, in French, how billing b disagrees with the
// financial mode convention a states — a real-time secondment needs a
// convention repaid at a unit price, a pro rata one a convention repaid
// pro rata of the quotité — or returns "". A convention without a mode,
// or waiving repayment (sans flux), bills nothing to compare.
func billingMismatch(b Billing, a agreement.Agreement) string {
	m := a.Financial.Mode
	if m == "" || m == agreement.NoFlow || m == b.Mode() {
		return ""
	}
	return fmt.Sprintf("la convention%s prévoit le mode financier « %s » ; une mise à disposition facturée %s demande le mode « %s »",
		amendedText(a), m.Label(), b.Label(), b.Mode().Label())
}

// amendedText says " (modifiée par l'avenant n° 2)" when the convention was
// amended, so that a quotité mismatch names the version compared.
func amendedText(a agreement.Agreement) string {
	if n := len(a.Amendments); n > 0 {
		return fmt.Sprintf(" (modifiée par l'avenant n° %d)", n)
	}
	return ""
}

// mismatches returns how stored secondment s no longer agrees with its
// convention a (an avenant changed the quotité or the parties, a renewal
// or a termination moved the last day) and with the agent's name the
// convention gives. Each is a French sentence; blocking ones come first
// and stop a reimbursement.
func mismatches(s Secondment, ag Agent, a agreement.Agreement) (blocking, notes []string) {
	if home, ok := homeOf(a); !ok || home.OrgID != s.EmployerOrgID {
		blocking = append(blocking, fmt.Sprintf("l'administration d'origine de la convention n'est plus %s", s.EmployerName))
	}
	if !isHost(a, s.HostOrgID) {
		blocking = append(blocking, fmt.Sprintf("%s n'est plus organisme d'accueil de la convention", s.HostName))
	}
	if m := billingMismatch(s.Billing, a); m != "" {
		blocking = append(blocking, m)
	}
	if q := a.Secondment.Quotite; !sameFraction(q, s.Quotite) {
		blocking = append(blocking, fmt.Sprintf("la convention%s prévoit une quotité de %s, la mise à disposition %s : mettez-la à jour",
			amendedText(a), q.Percent(), s.Quotite.Percent()))
	}
	if start := a.Term.Start; !start.IsZero() && s.Start.Before(start) {
		blocking = append(blocking, fmt.Sprintf("la mise à disposition commence (%s) avant la convention (%s)", s.Start.French(), start.French()))
	}
	if last := agreement.LastDay(a); !last.IsZero() && s.End.After(last) {
		blocking = append(blocking, fmt.Sprintf("la mise à disposition finit (%s) après le dernier jour de la convention (%s)", s.End.French(), last.French()))
	}
	if named := a.Secondment.Agent; named != "" && !strings.Contains(fold(named), fold(ag.FamilyName)) {
		notes = append(notes, fmt.Sprintf("la convention désigne l'agent « %s », la mise à disposition %s", named, ag.Name()))
	}
	return blocking, notes
}

// fold lowers s and drops accents and punctuation, for a loose comparison
// of names.
func fold(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch r {
		case 'à', 'â', 'ä':
			r = 'a'
		case 'é', 'è', 'ê', 'ë':
			r = 'e'
		case 'î', 'ï':
			r = 'i'
		case 'ô', 'ö':
			r = 'o'
		case 'ù', 'û', 'ü':
			r = 'u'
		case 'ç':
			r = 'c'
		case 'ÿ':
			r = 'y'
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// consentOf returns the agent's consent as convention a records it: the
// latest favourable accord_agent of the home employer, the convention's or
// an avenant's.
func consentOf(a agreement.Agreement) (Act, bool) { return actOf(a, agreement.AgentConsent) }

// actOf returns the latest favourable act of kind of the home employer
// recorded on convention a or on one of its avenants.
func actOf(a agreement.Agreement, kind agreement.ApprovalKind) (Act, bool) {
	home, ok := homeOf(a)
	if !ok {
		return Act{}, false
	}
	var found Act
	ok = false
	consider := func(aps []agreement.Approval, amendment int) {
		for _, ap := range aps {
			if ap.OrgID != home.OrgID || ap.Kind != kind || ap.Unfavourable || ap.Date.IsZero() || ap.Decision != "" {
				continue
			}
			if !ok || !ap.Date.Before(found.Date) {
				found, ok = Act{Date: ap.Date, Reference: ap.Number, Amendment: amendment}, true
			}
		}
	}
	consider(a.Approvals, 0)
	for _, am := range a.Amendments {
		consider(am.Approvals, am.Number)
	}
	return found, ok
}

// periodMonths counts the months of from..to (inclusive), a partial month
// as days / days of that month: the financial engine's count (ledger
// rules.go), needed here to compare worked hours with a full time over the
// period. Reimburse checks that the engine counted the same (pro rata).
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

// fullTimeShare is the share of a full time the minutes worked over a
// period of months represent: minutes / (60 × annualHours × months / 12) =
// minutes / (5 × annualHours × months). Above 1, more than a full time was
// recorded.
func fullTimeShare(minutes, annualHours int64, months money.Rat) money.Rat {
	return money.IntRat(minutes).Quo(money.IntRat(5 * annualHours).Mul(months))
}

// checkPeriod checks a reimbursement period of secondment s as of today:
// within one civil year and within the secondment, and begun (a
// reimbursement repays time already worked; and the host sees the agent's
// cost only once the secondment has started).
func checkPeriod(p Period, s Secondment, today civil.Date) error {
	var errs validate.Errors
	switch {
	case p.From.IsZero():
		errs.Add("from", "le premier jour de la période est obligatoire")
	case p.To.IsZero():
		errs.Add("to", "le dernier jour de la période est obligatoire")
	case p.To.Before(p.From):
		errs.Add("to", "la période finit (%s) avant de commencer (%s)", p.To.French(), p.From.French())
	case p.From.Year != p.To.Year:
		errs.Add("to", "une période de remboursement tient dans une seule année civile (coût annuel de l'année, douze mois au plus)")
	default:
		if p.From.Before(s.Start) {
			errs.Add("from", "la période commence le %s, avant la mise à disposition (%s)", p.From.French(), s.Start.French())
		}
		if p.To.After(s.End) {
			errs.Add("to", "la période finit le %s, après la mise à disposition (%s)", p.To.French(), s.End.French())
		}
		if p.From.After(today) {
			errs.Add("from", "la période commence le %s, dans le futur : le remboursement porte sur une période commencée", p.From.French())
		}
	}
	errs.Check(validate.MaxLen("label", strings.TrimSpace(p.Label), 120))
	return errs.Err()
}

// checkTime trims in and checks it as time worked under secondment s,
// as of today.
func checkTime(in TimeInput, s Secondment, today civil.Date) (TimeInput, error) {
	in.Activity, in.Note = strings.TrimSpace(in.Activity), strings.TrimSpace(in.Note)
	var errs validate.Errors
	if s.Billing != RealTime {
		errs.Add("billing", "la mise à disposition est facturée %s : elle ne demande pas de relevé du temps", s.Billing.Label())
	}
	switch {
	case in.Date.IsZero():
		errs.Add("date", "la date est obligatoire")
	case in.Date.Before(s.Start) || in.Date.After(s.End):
		errs.Add("date", "le %s est hors de la mise à disposition (du %s au %s)", in.Date.French(), s.Start.French(), s.End.French())
	case in.Date.After(today):
		errs.Add("date", "le %s est dans le futur : saisissez le temps une fois effectué", in.Date.French())
	}
	switch {
	case in.Minutes <= 0:
		errs.Add("minutes", "la durée doit être positive")
	case in.Minutes > 24*60:
		errs.Add("minutes", "une journée compte au plus 24 h")
	}
	if in.Activity == "" {
		errs.Add("activity", "indiquez l'activité exercée")
	}
	errs.Check(validate.MaxLen("activity", in.Activity, 200))
	errs.Check(validate.MaxLen("note", in.Note, 1000))
	return in, errs.Err()
}

// ParseDuration reads a duration as people write it, in whole minutes:
// "7:30", "7h30", "7 h 30", "7h", "45 min", "45min", or decimal hours
// "7,5" / "7.5" (which must make whole minutes: "0,01" is refused).
func ParseDuration(s string) (int64, error) {
	t := strings.ToLower(strings.Join(strings.Fields(s), ""))
	bad := fmt.Errorf("%s n'est pas une durée (exemples : 7:30, 7 h 30, 45 min, 7,5)", validate.Quote(s))
	if t == "" || len(t) > 20 {
		return 0, bad
	}
	whole := func(x string) (int64, bool) {
		if x == "" || len(x) > 6 {
			return 0, false
		}
		for _, r := range x {
			if r < '0' || r > '9' {
				return 0, false
			}
		}
		n, err := strconv.ParseInt(x, 10, 64)
		return n, err == nil
	}
	var minutes int64
	switch {
	case strings.HasSuffix(t, "min") || strings.HasSuffix(t, "mn"):
		n, ok := whole(strings.TrimSuffix(strings.TrimSuffix(t, "min"), "mn"))
		if !ok {
			return 0, bad
		}
		minutes = n
	case strings.ContainsAny(t, ":h"):
		h, m, _ := strings.Cut(strings.Replace(t, "h", ":", 1), ":")
		hours, ok := whole(h)
		if !ok {
			return 0, bad
		}
		var mins int64
		if m != "" {
			if mins, ok = whole(m); !ok || len(m) != 2 || mins >= 60 {
				return 0, bad
			}
		}
		minutes = hours*60 + mins
	default:
		h, frac, _ := strings.Cut(strings.Replace(t, ",", ".", 1), ".")
		if _, ok := whole(h); !ok || (frac != "" && !onlyDigits(frac)) || len(frac) > 6 {
			return 0, bad
		}
		r, err := money.ParseRat(strings.Replace(t, ",", ".", 1))
		if err != nil || r.Sign() < 0 {
			return 0, bad
		}
		m := r.Mul(money.IntRat(60))
		if !m.IsInt() || m.Cmp(money.IntRat(1_000_000)) > 0 {
			return 0, fmt.Errorf("%s ne fait pas un nombre entier de minutes", validate.Quote(s))
		}
		minutes = m.Num().Int64()
	}
	if minutes <= 0 {
		return 0, fmt.Errorf("%s : la durée doit être positive", validate.Quote(s))
	}
	return minutes, nil
}

func onlyDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}
