package agreement

import (
	"fmt"
	"slices"
	"strings"

	"voisines/internal/civil"
)

// Status is where a convention stands in its life.
type Status string

// The statuses, in lifecycle order. Avenants and renewals are events of a
// convention in force (Amendments, Renewals), not statuses.
const (
	Draft      Status = "brouillon"
	Submitted  Status = "soumise"   // sent to the parties for their approvals
	Approved   Status = "approuvee" // every required approval recorded; signatures under way
	Signed     Status = "signee"    // signed by every signatory, not yet started
	InForce    Status = "en_vigueur"
	Expired    Status = "expiree"
	Terminated Status = "resiliee"
)

// Label returns the French name of the status.
func (s Status) Label() string {
	switch s {
	case Draft, "":
		return "brouillon"
	case Submitted:
		return "soumise aux parties"
	case Approved:
		return "approuvée, en signature"
	case Signed:
		return "signée"
	case InForce:
		return "en vigueur"
	case Expired:
		return "expirée"
	case Terminated:
		return "résiliée"
	}
	return string(s)
}

func (s Status) rank() int {
	switch s {
	case Submitted:
		return 1
	case Approved:
		return 2
	case Signed:
		return 3
	case InForce:
		return 4
	case Expired, Terminated:
		return 5
	}
	return 0 // Draft and ""
}

func (s Status) atLeast(t Status) bool { return s.rank() >= t.rank() }

// Final reports whether the convention no longer applies.
func (s Status) Final() bool { return s == Expired || s == Terminated }

// Action is something done to a convention, named in refusals.
type Action string

// The actions.
const (
	ActSubmit         Action = "soumettre"
	ActApprove        Action = "enregistrer une approbation"
	ActSign           Action = "signer"
	ActAmend          Action = "conclure un avenant"
	ActRenew          Action = "renouveler"
	ActTerminate      Action = "résilier"
	ActDecide         Action = "enregistrer une décision de la conférence"
	ActNotifyUnitCost Action = "enregistrer la notification du coût unitaire"
)

// Refusal is why an action on a convention is refused. Its message is in
// French, for the user; Violations lists the blocking rules when they are
// the cause.
type Refusal struct {
	Action     Action      `json:"action"`
	Status     Status      `json:"status"`
	Message    string      `json:"message"`
	Violations []Violation `json:"violations,omitempty"`
}

// Error returns the message followed by the violations.
func (r *Refusal) Error() string {
	s := fmt.Sprintf("impossible de %s : %s", r.Action, r.Message)
	for _, v := range r.Violations {
		s += " ; " + v.Error()
	}
	return s
}

func refuse(act Action, a Agreement, format string, args ...any) *Refusal {
	return &Refusal{Action: act, Status: a.Status, Message: fmt.Sprintf(format, args...)}
}

func refuseViolations(act Action, a Agreement, vs []Violation) *Refusal {
	r := refuse(act, a, "%d règle(s) bloquante(s) à corriger", len(vs))
	r.Violations = vs
	return r
}

// New returns a draft convention of kind k.
func New(k Kind, c Content) Agreement { return Agreement{Kind: k, Status: Draft, Content: c} }

// Submit sends a draft to the parties for their approvals. It is refused
// while blocking violations remain.
func Submit(a Agreement, asOf civil.Date) (Agreement, error) {
	if a.Status.rank() != 0 {
		return a, refuse(ActSubmit, a, "la convention n'est plus un brouillon (%s)", a.Status.Label())
	}
	if vs := Blockers(Validate(a, asOf)); len(vs) > 0 {
		return a, refuseViolations(ActSubmit, a, vs)
	}
	a.Status = Submitted
	return a, nil
}

// RecordApproval records a party's act (a deliberation, the agent's
// consent, an opinion, an order). Once every required approval is there a
// submitted convention becomes approved. A ratification of a conférence
// decision is recorded while the entente is signed or in force.
func RecordApproval(a Agreement, ap Approval, asOf civil.Date) (Agreement, error) {
	if ap.Kind == Ratification {
		return recordRatification(a, ap, asOf)
	}
	if a.Status != Submitted && a.Status != Approved {
		return a, refuse(ActApprove, a, "les approbations s'enregistrent une fois la convention soumise aux parties et avant sa signature (statut : %s)", a.Status.Label())
	}
	if err := checkApproval(a, ap, asOf); err != nil {
		return a, err
	}
	if ap.OrgID == 0 && !slices.ContainsFunc(Requirements(a), func(r Requirement) bool { return r.Once && r.Kind == ap.Kind }) {
		return a, refuse(ActApprove, a, "une %s doit émaner d'une partie", ap.Kind.Label())
	}
	if _, ok := a.approval(ap.OrgID, ap.Kind); ok {
		return a, refuse(ActApprove, a, "cette %s est déjà enregistrée%s", ap.Kind.Label(), a.forParty(ap.OrgID))
	}
	if blank(ap.Body) {
		p, _ := a.Party(ap.OrgID)
		ap.Body = DefaultBody(p.Kind, ap.Kind)
	}
	a.Approvals = append(slices.Clip(a.Approvals), ap)
	if a.Status == Submitted && len(MissingApprovals(a)) == 0 {
		a.Status = Approved
	}
	return a, nil
}

func (a Agreement) forParty(orgID int64) string {
	if p, ok := a.Party(orgID); ok {
		return " pour « " + p.Name + " »"
	}
	return ""
}

func checkApproval(a Agreement, ap Approval, asOf civil.Date) *Refusal {
	if ap.OrgID != 0 {
		if _, ok := a.Party(ap.OrgID); !ok {
			return refuse(ActApprove, a, "l'organisation %d n'est pas partie à la convention", ap.OrgID)
		}
	}
	switch {
	case ap.Kind.Label() == string(ap.Kind):
		return refuse(ActApprove, a, "nature d'approbation inconnue : « %s »", ap.Kind)
	case ap.Date.IsZero():
		return refuse(ActApprove, a, "la date de la %s est manquante", ap.Kind.Label())
	case ap.Date.After(asOf):
		return refuse(ActApprove, a, "la %s est datée du %s, dans le futur", ap.Kind.Label(), ap.Date.French())
	case !ap.TransmittedOn.IsZero() && ap.TransmittedOn.Before(ap.Date):
		return refuse(ActApprove, a, "la transmission en préfecture (%s) précède l'acte (%s)", ap.TransmittedOn.French(), ap.Date.French())
	case numbered(ap.Kind) && blank(ap.Number):
		return refuse(ActApprove, a, "le numéro de la %s est manquant", ap.Kind.Label())
	}
	return nil
}

// numbered reports whether acts of kind k carry a number.
func numbered(k ApprovalKind) bool {
	return k == Deliberation || k == Ratification || k == Arrete || k == PrefectOrder
}

func recordRatification(a Agreement, ap Approval, asOf civil.Date) (Agreement, error) {
	if a.Kind != Entente {
		return a, refuse(ActApprove, a, "seules les décisions de la conférence d'une entente se ratifient")
	}
	if a.Status != Signed && a.Status != InForce {
		return a, refuse(ActApprove, a, "les décisions de la conférence se ratifient pendant la vie de l'entente (statut : %s)", a.Status.Label())
	}
	if err := checkApproval(a, ap, asOf); err != nil {
		return a, err
	}
	d, ok := a.decision(ap.Decision)
	switch {
	case ap.OrgID == 0:
		return a, refuse(ActApprove, a, "une ratification émane du conseil d'une partie")
	case !ok:
		return a, refuse(ActApprove, a, "la décision « %s » de la conférence n'est pas enregistrée", ap.Decision)
	case ap.Date.Before(d.Date):
		return a, refuse(ActApprove, a, "la ratification (%s) précède la décision de la conférence (%s)", ap.Date.French(), d.Date.French())
	case a.ratified(ap.OrgID, d.Ref):
		return a, refuse(ActApprove, a, "la décision « %s » est déjà ratifiée%s", d.Ref, a.forParty(ap.OrgID))
	}
	if blank(ap.Body) {
		p, _ := a.Party(ap.OrgID)
		ap.Body = DefaultBody(p.Kind, Ratification)
	}
	a.Approvals = append(slices.Clip(a.Approvals), ap)
	return a, nil
}

func (a Agreement) decision(ref string) (ConferenceDecision, bool) {
	for _, d := range a.Decisions {
		if d.Ref == ref {
			return d, true
		}
	}
	return ConferenceDecision{}, false
}

func (a Agreement) ratified(orgID int64, ref string) bool {
	return slices.ContainsFunc(a.allApprovals(), func(ap Approval) bool {
		return ap.Kind == Ratification && ap.OrgID == orgID && ap.Decision == ref && ap.counts()
	})
}

// RecordDecision records a decision of an entente's conférence; it is
// enforceable once every council has ratified it (Enforceable).
func RecordDecision(a Agreement, d ConferenceDecision, asOf civil.Date) (Agreement, error) {
	switch {
	case a.Kind != Entente:
		return a, refuse(ActDecide, a, "seule une entente a une conférence")
	case a.Status != Signed && a.Status != InForce:
		return a, refuse(ActDecide, a, "la conférence décide pendant la vie de l'entente (statut : %s)", a.Status.Label())
	case blank(d.Ref) || blank(d.Subject):
		return a, refuse(ActDecide, a, "la décision doit avoir une référence et un objet")
	case d.Date.IsZero() || d.Date.After(asOf):
		return a, refuse(ActDecide, a, "la date de la décision est manquante ou dans le futur")
	}
	if _, dup := a.decision(d.Ref); dup {
		return a, refuse(ActDecide, a, "la décision « %s » est déjà enregistrée", d.Ref)
	}
	a.Decisions = append(slices.Clip(a.Decisions), d)
	return a, nil
}

// Enforceable reports whether the conférence decision ref has been ratified
// by every participating council (L5221-2).
func Enforceable(a Agreement, ref string) bool {
	if _, ok := a.decision(ref); !ok {
		return false
	}
	for _, p := range a.Parties {
		if !a.ratified(p.OrgID, ref) {
			return false
		}
	}
	return true
}

// Sign records one signatory's signature. It is refused before every
// required approval is recorded, for a party that does not sign, twice for
// the same party, and when the signature would break a rule (signing
// before one's own deliberation, after a groupement's launch…). Once every
// signatory has signed the convention is signed, and in force from its
// start date.
func Sign(a Agreement, s Signature, asOf civil.Date) (Agreement, error) {
	switch a.Status {
	case Submitted:
		var names []string
		for _, n := range MissingApprovals(a) {
			item := lower(n.Title)
			if n.PartyName != "" {
				item += " (" + n.PartyName + ")"
			}
			names = append(names, item)
		}
		return a, refuse(ActSign, a, "toutes les approbations requises ne sont pas enregistrées : %s", strings.Join(names, " ; "))
	case Approved:
	default:
		return a, refuse(ActSign, a, "la convention n'est pas en cours de signature (statut : %s)", a.Status.Label())
	}
	p, ok := a.Party(s.OrgID)
	switch {
	case !ok:
		return a, refuse(ActSign, a, "l'organisation %d n'est pas partie à la convention", s.OrgID)
	case !slices.ContainsFunc(a.signatories(), func(q Party) bool { return q.OrgID == s.OrgID }):
		return a, refuse(ActSign, a, "« %s » n'est pas signataire de cette convention", p.Name)
	case s.Date.IsZero() || s.Date.After(asOf):
		return a, refuse(ActSign, a, "la date de signature de « %s » est manquante ou dans le futur", p.Name)
	}
	if _, dup := a.signature(s.OrgID); dup {
		return a, refuse(ActSign, a, "« %s » a déjà signé", p.Name)
	}
	if blank(s.Signatory) {
		s.Signatory = p.Representative.Name
	}
	a.Signatures = append(slices.Clip(a.Signatures), s)
	if vs := Blockers(Validate(a, asOf)); len(vs) > 0 {
		a.Signatures = a.Signatures[:len(a.Signatures)-1]
		return a, refuseViolations(ActSign, a, vs)
	}
	if !a.SignedOn().IsZero() {
		a.Status = Signed
		a = Refresh(a, asOf)
	}
	return a, nil
}

// Refresh applies the changes time alone brings by asOf: a signed
// convention comes into force on its start date (or on signature); a
// convention past its end is renewed tacitly when its term says so, or
// expires; a termination takes effect on its effective date.
func Refresh(a Agreement, asOf civil.Date) Agreement {
	for {
		switch a.Status {
		case Signed:
			if t := a.Termination; t.By != 0 && !asOf.Before(t.Effective) {
				a.Status = Terminated // ended before it ever started
				return a
			}
			start := a.Term.Start
			if start.IsZero() {
				start = a.SignedOn()
			}
			if asOf.Before(start) {
				return a
			}
			a.Status = InForce
		case InForce:
			end := a.CurrentEnd()
			t := a.Termination
			if t.By != 0 && !asOf.Before(t.Effective) && (end.IsZero() || !t.Effective.After(end.AddDays(1))) {
				a.Status = Terminated
				return a
			}
			if end.IsZero() || !asOf.After(end) {
				return a
			}
			if r, ok := a.tacitRenewal(end); ok {
				a.Renewals = append(slices.Clip(a.Renewals), r)
				continue
			}
			a.Status = Expired
			return a
		default:
			return a
		}
	}
}

// tacitRenewal returns the renewal that follows a period ending on end, if
// the term renews tacitly, no cap is reached and no termination stops it.
func (a Agreement) tacitRenewal(end civil.Date) (Renewal, bool) {
	t := a.Term
	if !t.TacitRenewal || (a.Termination.By != 0 && !a.Termination.Effective.After(end.AddDays(1))) {
		return Renewal{}, false
	}
	tacit := 0
	for _, r := range a.Renewals {
		if r.Tacit {
			tacit++
		}
	}
	if t.MaxRenewals > 0 && tacit >= t.MaxRenewals {
		return Renewal{}, false
	}
	months := t.RenewalMonths
	if months == 0 {
		months = t.months()
	}
	if months == 0 {
		return Renewal{}, false
	}
	start := end.AddDays(1)
	return Renewal{Number: len(a.Renewals) + 1, Date: start, Tacit: true, PreviousEnd: end,
		NewEnd: start.AddMonths(months).AddDays(-1)}, true
}

// Amend concludes avenant am, which replaces the content of a signed or
// in-force convention by next. am gives the avenant's Date, Reason and the
// approvals that authorised it; every party that approved the convention
// by deliberation (and the agent, for a secondment) approves the avenant
// too, by the principle of parallel forms. Amend numbers the avenant,
// records what changed and keeps the replaced content. Parties the avenant
// adds sign it on its date.
func Amend(a Agreement, next Content, am Amendment, asOf civil.Date) (Agreement, error) {
	if a.Status != Signed && a.Status != InForce {
		return a, refuse(ActAmend, a, "seule une convention signée ou en vigueur se modifie par avenant (statut : %s)", a.Status.Label())
	}
	switch {
	case blank(am.Reason):
		return a, refuse(ActAmend, a, "l'objet de l'avenant est manquant")
	case am.Date.IsZero() || am.Date.After(asOf):
		return a, refuse(ActAmend, a, "la date de l'avenant est manquante ou dans le futur")
	case am.Date.Before(a.SignedOn()):
		return a, refuse(ActAmend, a, "l'avenant (%s) précède la signature de la convention (%s)", am.Date.French(), a.SignedOn().French())
	}
	changes := Diff(a.Content, next)
	if len(changes) == 0 {
		return a, refuse(ActAmend, a, "l'avenant ne modifie rien")
	}
	cand := a
	cand.Content = next
	am.Number = len(a.Amendments) + 1
	am.Changes = changes
	am.Previous = a.Content
	for _, ap := range am.Approvals {
		if err := checkApproval(cand, ap, asOf); err != nil {
			err.Action = ActAmend
			return a, err
		}
		if ap.Date.After(am.Date) {
			return a, refuse(ActAmend, a, "l'approbation du %s est postérieure à l'avenant (%s)", ap.Date.French(), am.Date.French())
		}
	}
	for _, r := range Requirements(cand) {
		if r.Kind != Deliberation && r.Kind != AgentConsent {
			continue
		}
		for _, p := range cand.Parties {
			if r.applies(p) && !slices.ContainsFunc(am.Approvals, func(ap Approval) bool {
				return ap.OrgID == p.OrgID && ap.Kind == r.Kind && ap.counts()
			}) {
				return a, refuse(ActAmend, a, "l'avenant requiert la %s de « %s »", r.Kind.Label(), p.Name)
			}
		}
	}
	cand.Amendments = append(slices.Clip(a.Amendments), am)
	for _, p := range cand.signatories() {
		if _, ok := cand.signature(p.OrgID); !ok {
			cand.Signatures = append(slices.Clip(cand.Signatures), Signature{OrgID: p.OrgID, Date: am.Date, Signatory: p.Representative.Name})
		}
	}
	if vs := Blockers(Validate(cand, asOf)); len(vs) > 0 {
		return a, refuseViolations(ActAmend, a, vs)
	}
	return Refresh(cand, asOf), nil
}

// ContentAt returns the content of version n: 0 is the initial
// convention, n the content after avenant n.
func (a Agreement) ContentAt(n int) (Content, bool) {
	switch {
	case n < 0 || n > len(a.Amendments):
		return Content{}, false
	case n == len(a.Amendments):
		return a.Content, true
	}
	return a.Amendments[n].Previous, true
}

// Renew renews a signed or in-force convention expressly until newEnd,
// decided on date.
func Renew(a Agreement, newEnd, date civil.Date, asOf civil.Date) (Agreement, error) {
	if a.Status != Signed && a.Status != InForce {
		return a, refuse(ActRenew, a, "seule une convention signée ou en vigueur se renouvelle (statut : %s)", a.Status.Label())
	}
	end := a.CurrentEnd()
	switch {
	case end.IsZero():
		return a, refuse(ActRenew, a, "la convention n'a pas de terme à renouveler")
	case date.IsZero() || date.After(asOf):
		return a, refuse(ActRenew, a, "la date de la décision de renouvellement est manquante ou dans le futur")
	case !newEnd.After(end):
		return a, refuse(ActRenew, a, "le nouveau terme (%s) doit suivre le terme actuel (%s)", newEnd.French(), end.French())
	case a.Termination.By != 0:
		return a, refuse(ActRenew, a, "la convention est résiliée à compter du %s", a.Termination.Effective.French())
	}
	a.Renewals = append(slices.Clip(a.Renewals), Renewal{Number: len(a.Renewals) + 1, Date: date, PreviousEnd: end, NewEnd: newEnd})
	if vs := Blockers(Validate(a, asOf)); len(vs) > 0 {
		a.Renewals = a.Renewals[:len(a.Renewals)-1]
		return a, refuseViolations(ActRenew, a, vs)
	}
	return Refresh(a, asOf), nil
}

// Terminate ends a signed or in-force convention before its term: t says
// by whom, when, why and from when. Without an effective date, the notice
// period of the term applies; a shorter notice needs every party's
// agreement (t.Mutual).
func Terminate(a Agreement, t Termination, asOf civil.Date) (Agreement, error) {
	if a.Status != Signed && a.Status != InForce {
		return a, refuse(ActTerminate, a, "seule une convention signée ou en vigueur se résilie (statut : %s)", a.Status.Label())
	}
	p, ok := a.Party(t.By)
	switch {
	case a.Termination.By != 0:
		return a, refuse(ActTerminate, a, "la résiliation est déjà enregistrée")
	case !ok:
		return a, refuse(ActTerminate, a, "la résiliation doit émaner d'une partie")
	case blank(t.Reason):
		return a, refuse(ActTerminate, a, "le motif de la résiliation est manquant")
	case t.Date.IsZero() || t.Date.After(asOf):
		return a, refuse(ActTerminate, a, "la date de la résiliation est manquante ou dans le futur")
	}
	earliest := t.Date.AddMonths(a.Term.NoticeMonths)
	if t.Effective.IsZero() {
		t.Effective = earliest
	}
	switch {
	case t.Effective.Before(t.Date):
		return a, refuse(ActTerminate, a, "la résiliation ne peut prendre effet (%s) avant d'être décidée (%s)", t.Effective.French(), t.Date.French())
	case !t.Mutual && t.Effective.Before(earliest):
		return a, refuse(ActTerminate, a, "le préavis de %d mois impose une prise d'effet au plus tôt le %s (résiliation par « %s »)",
			a.Term.NoticeMonths, earliest.French(), p.Name)
	}
	a.Termination = t
	return Refresh(a, asOf), nil
}

// RecordUnitCostNotice records that the unit cost of year was notified on
// date to the beneficiaries of a service made available (D5211-16, R5111-1).
func RecordUnitCostNotice(a Agreement, n UnitCostNotice, asOf civil.Date) (Agreement, error) {
	switch {
	case !unitCostKind(a.Kind):
		return a, refuse(ActNotifyUnitCost, a, "une convention « %s » n'a pas de coût unitaire à notifier", a.Kind.Label())
	case a.Status != Signed && a.Status != InForce:
		return a, refuse(ActNotifyUnitCost, a, "la convention n'est ni signée ni en vigueur (statut : %s)", a.Status.Label())
	case n.Year == 0 || n.Date.IsZero() || n.Date.After(asOf):
		return a, refuse(ActNotifyUnitCost, a, "l'année ou la date de notification est manquante, ou la date est dans le futur")
	}
	a.UnitCostNotices = append(slices.Clip(a.UnitCostNotices), n)
	return a, nil
}

func unitCostKind(k Kind) bool {
	return k == MADServicesAscendante || k == MADServicesDescendante || k == MADServiceL5111 || k == ServiceUnifie
}
