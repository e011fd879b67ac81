package staff

// The operations. Each one checks who acts (see the package comment), runs
// its writes in one transaction and records itself in the audit log last.
// Errors: malformed input and refused requests come back as
// validate.Errors, unwrapped, so that a form, the API and the CLI can show
// them; an agent, cost, secondment or time record the actor may not see as
// store.ErrNotFound; a stale version as store.ErrConflict; anything else
// wrapped with a "staff: …" prefix.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"voisines/internal/agreement"
	"voisines/internal/audit"
	"voisines/internal/auth"
	"voisines/internal/civil"
	"voisines/internal/ledger"
	"voisines/internal/money"
	"voisines/internal/store"
	"voisines/internal/usage"
	"voisines/internal/validate"
)

// fail wraps err for the operation, except validation errors, which faces
// render as they are.
func fail(op string, err error) error {
	if _, ok := validate.As(err); ok {
		return err
	}
	return fmt.Errorf("staff: %s: %w", op, err)
}

func checkActor(actor auth.Actor) error {
	if actor.IsSystem() || actor.User != nil && !actor.User.Disabled {
		return nil
	}
	return auth.ErrUnauthenticated
}

// can reports whether actor may perform action for org.
func can(actor auth.Actor, action auth.Action, org int64) bool {
	return auth.Authorize(actor, action, org) == nil
}

func id64(id int64) string { return strconv.FormatInt(id, 10) }

// ---- Reading, with the privacy rules ----

// access is what an actor may see of an agent: everything as a user of
// its employer, or the secondments to the hosts whose user it is.
type access struct {
	employer bool
	hosted   []Secondment
}

func (acc access) visible() bool { return acc.employer || len(acc.hosted) > 0 }

// costVisible reports whether the actor may see the agent's cost of year:
// the employer always; a host for a year its secondment covers, once the
// secondment has started.
func (acc access) costVisible(year int, today civil.Date) bool {
	if acc.employer {
		return true
	}
	for _, s := range acc.hosted {
		if !s.Start.After(today) && s.Start.Year <= year && year <= s.End.Year {
			return true
		}
	}
	return false
}

// sees reports whether the actor may see secondment s of the agent.
func (acc access) sees(s Secondment) bool {
	return acc.employer || slices.ContainsFunc(acc.hosted, func(h Secondment) bool { return h.ID == s.ID })
}

// readAgent loads agent id and what actor may see of it; store.ErrNotFound
// when nothing.
func (s *Service) readAgent(ctx context.Context, q store.Querier, actor auth.Actor, id int64) (Agent, access, []Secondment, error) {
	if err := checkActor(actor); err != nil {
		return Agent{}, access{}, nil, err
	}
	ag, err := loadAgent(ctx, q, id)
	if err != nil {
		return Agent{}, access{}, nil, err
	}
	secs, err := listSecondments(ctx, q, `s.agent_id = ?`, id)
	if err != nil {
		return Agent{}, access{}, nil, err
	}
	acc := access{employer: can(actor, auth.ReadPrivate, ag.EmployerOrgID)}
	for _, sec := range secs {
		if can(actor, auth.ReadPrivate, sec.HostOrgID) {
			acc.hosted = append(acc.hosted, sec)
		}
	}
	if !acc.visible() {
		return Agent{}, access{}, nil, fmt.Errorf("agent %d: %w", id, store.ErrNotFound)
	}
	return ag, acc, secs, nil
}

// readSecondment loads secondment id for actor: store.ErrNotFound unless a
// user of its employer or of its host.
func (s *Service) readSecondment(ctx context.Context, q store.Querier, actor auth.Actor, id int64) (Secondment, error) {
	if err := checkActor(actor); err != nil {
		return Secondment{}, err
	}
	sec, err := loadSecondment(ctx, q, id)
	if err != nil {
		return Secondment{}, err
	}
	if !can(actor, auth.ReadPrivate, sec.EmployerOrgID) && !can(actor, auth.ReadPrivate, sec.HostOrgID) {
		return Secondment{}, fmt.Errorf("secondment %d: %w", id, store.ErrNotFound)
	}
	return sec, nil
}

// AgentFile is an agent with what the actor may see of its costs,
// secondments and alerts.
type AgentFile struct {
	Agent       Agent        `json:"agent"`
	Costs       []Cost       `json:"costs"`
	Secondments []Secondment `json:"secondments"`
	Alerts      []Alert      `json:"alerts"`
	// Employer says the actor reads as a user of the employer; CanWrite
	// that it may change the agent, its costs and secondments.
	Employer bool `json:"employer"`
	CanWrite bool `json:"can_write"`
}

// Agent returns agent id with its costs and secondments as the actor may
// see them; store.ErrNotFound for anyone neither its employer's nor a
// host's user.
func (s *Service) Agent(ctx context.Context, actor auth.Actor, id int64) (AgentFile, error) {
	q := s.db.Reader()
	ag, acc, secs, err := s.readAgent(ctx, q, actor, id)
	if err != nil {
		return AgentFile{}, fail("agent", err)
	}
	f := AgentFile{Agent: ag, Costs: []Cost{}, Secondments: []Secondment{}, Alerts: []Alert{}, Employer: acc.employer,
		CanWrite: can(actor, auth.Write, ag.EmployerOrgID)}
	costs, err := listCosts(ctx, q, id)
	if err != nil {
		return AgentFile{}, fail("agent", err)
	}
	today := s.today()
	years := map[int]bool{}
	for _, c := range costs {
		years[c.Year] = true
		if acc.costVisible(c.Year, today) {
			f.Costs = append(f.Costs, c)
		}
	}
	for _, sec := range secs {
		if !acc.sees(sec) {
			continue
		}
		f.Secondments = append(f.Secondments, sec)
		rec, err := s.agreements.Get(ctx, actor, sec.AgreementID)
		if err != nil {
			return AgentFile{}, fail("agent", err)
		}
		f.Alerts = append(f.Alerts, s.visibleAlerts(actor, secondmentAlerts(sec, ag, rec.Agreement, years, today))...)
	}
	return f, nil
}

// visibleAlerts keeps the alerts a host's user may see: not those about
// the employer's missing costs, which are the employer's business.
func (s *Service) visibleAlerts(actor auth.Actor, alerts []Alert) []Alert {
	out := alerts[:0:0]
	for _, al := range alerts {
		if al.OrgID == 0 || can(actor, auth.ReadPrivate, al.OrgID) {
			out = append(out, al)
		}
	}
	return out
}

// AgentLine is an agent in an organisation's list: employed by it, or
// seconded to it, with the secondments that concern the organisation.
type AgentLine struct {
	Agent       Agent        `json:"agent"`
	Employed    bool         `json:"employed"`
	Secondments []Secondment `json:"secondments"`
}

// Agents returns the agents of organisation orgID and the agents seconded
// to it, by name. The actor needs auth.ReadPrivate on orgID.
func (s *Service) Agents(ctx context.Context, actor auth.Actor, orgID int64) ([]AgentLine, error) {
	q := s.db.Reader()
	secs, err := s.orgSecondments(ctx, q, actor, orgID)
	if err != nil {
		return nil, fail("agents", err)
	}
	out, err := agentLines(ctx, q, orgID, secs)
	if err != nil {
		return nil, fail("agents", err)
	}
	return out, nil
}

// Roster is what an organisation's staff page shows: the lines of Agents
// and the alerts of Alerts.
type Roster struct {
	Agents []AgentLine `json:"agents"`
	Alerts []Alert     `json:"alerts"`
}

// Roster returns Agents and Alerts of organisation orgID together, reading
// its secondments once. The actor needs auth.ReadPrivate on orgID.
func (s *Service) Roster(ctx context.Context, actor auth.Actor, orgID int64) (Roster, error) {
	q := s.db.Reader()
	secs, err := s.orgSecondments(ctx, q, actor, orgID)
	if err != nil {
		return Roster{}, fail("roster", err)
	}
	var r Roster
	if r.Agents, err = agentLines(ctx, q, orgID, secs); err != nil {
		return Roster{}, fail("roster", err)
	}
	if r.Alerts, _, err = s.alertsOf(ctx, q, actor, orgID, secs); err != nil {
		return Roster{}, fail("roster", err)
	}
	return r, nil
}

// orgSecondments returns the secondments organisation orgID is the
// employer or the host of, if the actor has auth.ReadPrivate on it.
func (s *Service) orgSecondments(ctx context.Context, q store.Querier, actor auth.Actor, orgID int64) ([]Secondment, error) {
	if err := checkActor(actor); err != nil {
		return nil, err
	}
	if err := auth.Authorize(actor, auth.ReadPrivate, orgID); err != nil {
		return nil, err
	}
	return listSecondments(ctx, q, `s.employer_org_id = ? OR s.host_org_id = ?`, orgID, orgID)
}

// agentLines returns the lines of Agents from secs, the secondments of
// orgID.
func agentLines(ctx context.Context, q store.Querier, orgID int64, secs []Secondment) ([]AgentLine, error) {
	agents, err := listAgents(ctx, q, orgID)
	if err != nil {
		return nil, err
	}
	out := []AgentLine{}
	for _, ag := range agents {
		l := AgentLine{Agent: ag, Employed: ag.EmployerOrgID == orgID, Secondments: []Secondment{}}
		for _, sec := range secs {
			if sec.AgentID == ag.ID && (l.Employed || sec.HostOrgID == orgID) {
				l.Secondments = append(l.Secondments, sec)
			}
		}
		out = append(out, l)
	}
	return out, nil
}

// Cost returns agent agentID's annual cost of year; store.ErrNotFound when
// none is recorded or the actor may not see it.
func (s *Service) Cost(ctx context.Context, actor auth.Actor, agentID int64, year int) (Cost, error) {
	q := s.db.Reader()
	_, acc, _, err := s.readAgent(ctx, q, actor, agentID)
	if err != nil {
		return Cost{}, fail("cost", err)
	}
	if !acc.costVisible(year, s.today()) {
		return Cost{}, fail("cost", fmt.Errorf("cost of agent %d for %d: %w", agentID, year, store.ErrNotFound))
	}
	c, err := loadCost(ctx, q, agentID, year)
	if err != nil {
		return Cost{}, fail("cost", err)
	}
	return c, nil
}

// SecondmentFile is a secondment with its convention's consent and
// waiver, its alerts and its reimbursements.
type SecondmentFile struct {
	Secondment
	AgreementStatus agreement.Status `json:"agreement_status"`
	// Consent is the agent's written consent as the convention records it;
	// nil while it is missing.
	Consent *Act `json:"consent"`
	// ConventionArrete is the arrêté of mise à disposition recorded on the
	// convention (its arrete approval), when there is one.
	ConventionArrete *Act `json:"convention_arrete,omitempty"`
	// RepaymentWaived: the convention waives the host's repayment (with
	// WaiverReason); nothing is billed.
	RepaymentWaived bool   `json:"repayment_waived"`
	WaiverReason    string `json:"waiver_reason,omitempty"`
	// AgreementVersion is the convention's row version, for recording the
	// consent through it.
	AgreementVersion int64           `json:"agreement_version"`
	Alerts           []Alert         `json:"alerts"`
	Reimbursements   []Reimbursement `json:"reimbursements"`
	// Employer and Host say which side the actor writes for.
	Employer bool `json:"can_write_as_employer"`
	Host     bool `json:"can_write_as_host"`
}

// Secondment returns secondment id; store.ErrNotFound unless the actor is
// a user of its employer or of its host.
func (s *Service) Secondment(ctx context.Context, actor auth.Actor, id int64) (SecondmentFile, error) {
	q := s.db.Reader()
	sec, err := s.readSecondment(ctx, q, actor, id)
	if err != nil {
		return SecondmentFile{}, fail("secondment", err)
	}
	f, err := s.fileOf(ctx, q, actor, sec)
	if err != nil {
		return SecondmentFile{}, fail("secondment", err)
	}
	return f, nil
}

func (s *Service) fileOf(ctx context.Context, q store.Querier, actor auth.Actor, sec Secondment) (SecondmentFile, error) {
	rec, err := s.agreements.Get(ctx, actor, sec.AgreementID)
	if err != nil {
		return SecondmentFile{}, err
	}
	a := rec.Agreement
	f := SecondmentFile{Secondment: sec, AgreementStatus: a.Status, AgreementVersion: rec.Version,
		RepaymentWaived: a.Secondment.RepaymentWaived, WaiverReason: a.Secondment.WaiverReason,
		Employer: can(actor, auth.Write, sec.EmployerOrgID), Host: can(actor, auth.Write, sec.HostOrgID),
		Alerts: []Alert{}, Reimbursements: []Reimbursement{}}
	if c, ok := consentOf(a); ok {
		f.Consent = &c
	}
	if c, ok := actOf(a, agreement.Arrete); ok {
		f.ConventionArrete = &c
	}
	ag, err := loadAgent(ctx, q, sec.AgentID)
	if err != nil {
		return SecondmentFile{}, err
	}
	years, err := costYears(ctx, q, []int64{ag.ID})
	if err != nil {
		return SecondmentFile{}, err
	}
	f.Alerts = append(f.Alerts, s.visibleAlerts(actor, secondmentAlerts(sec, ag, a, years[ag.ID], s.today()))...)
	rs, err := s.reimbursements(ctx, q, actor, sec)
	if err != nil {
		return SecondmentFile{}, err
	}
	f.Reimbursements = append(f.Reimbursements, rs...)
	return f, nil
}

// reimbursements returns the reimbursements of sec whose statement still
// exists, with its status.
func (s *Service) reimbursements(ctx context.Context, q store.Querier, actor auth.Actor, sec Secondment) ([]Reimbursement, error) {
	rs, err := listReimbursements(ctx, q, sec.ID)
	if err != nil || len(rs) == 0 {
		return rs, err
	}
	stmts, err := s.statements(ctx, actor, sec)
	if err != nil {
		return nil, err
	}
	out := rs[:0]
	for _, r := range rs {
		if st, ok := stmts[r.StatementID]; ok {
			r.StatementStatus = st.Status
			if st.Status == ledger.Issued {
				r.Amount = st.Result.Total
			}
			out = append(out, r)
		}
	}
	return out, nil
}

// statements returns the statements of sec's convention by id.
func (s *Service) statements(ctx context.Context, actor auth.Actor, sec Secondment) (map[int64]ledger.Statement, error) {
	ss, err := s.ledger.Statements(ctx, actor, sec.AgreementID)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]ledger.Statement, len(ss))
	for _, st := range ss {
		out[st.ID] = st
	}
	return out, nil
}

// TimeRecords returns the time worked under secondment id from..to (zero
// for no bound), by day; store.ErrNotFound unless the actor is a user of
// its employer or host.
func (s *Service) TimeRecords(ctx context.Context, actor auth.Actor, id int64, from, to civil.Date) ([]TimeRecord, error) {
	q := s.db.Reader()
	if _, err := s.readSecondment(ctx, q, actor, id); err != nil {
		return nil, fail("time records", err)
	}
	ts, err := listTimes(ctx, q, id, from, to)
	if err != nil {
		return nil, fail("time records", err)
	}
	if ts == nil {
		ts = []TimeRecord{}
	}
	return ts, nil
}

// Alerts returns the alerts of the secondments organisation orgID is the
// employer or the host of, as of today: ending within three months,
// missing consent, longer than three years, missing annual cost, and
// mismatches with the convention; those addressed to orgID or to both.
// Earliest due first, undated last. The actor needs auth.ReadPrivate on
// orgID.
func (s *Service) Alerts(ctx context.Context, actor auth.Actor, orgID int64) ([]Alert, error) {
	out, _, err := s.alerts(ctx, actor, orgID)
	return out, err
}

// OrgAlerts returns the alerts of Alerts in the form of the conventions'
// alerts (agreement.Service.Alerts), so that an organisation's alert list
// shows both: the kind is the staff alert's (fin_prochaine,
// accord_agent_manquant, duree_superieure_3_ans, cout_annuel_manquant,
// incoherence_convention), the reference and title those of the
// secondment's convention. The actor needs auth.ReadPrivate on orgID.
func (s *Service) OrgAlerts(ctx context.Context, actor auth.Actor, orgID int64) ([]agreement.OrgAlert, error) {
	als, secs, err := s.alerts(ctx, actor, orgID)
	if err != nil {
		return nil, err
	}
	out := make([]agreement.OrgAlert, len(als))
	for i, al := range als {
		sec := secs[al.SecondmentID]
		out[i] = agreement.OrgAlert{Alert: agreement.Alert{Kind: agreement.AlertKind(al.Kind), AgreementID: al.AgreementID,
			OrgID: al.OrgID, Due: al.Due, Message: al.Message}, Reference: sec.AgreementReference, Title: sec.AgreementTitle}
	}
	return out, nil
}

// MergeAlerts returns the alerts of lists in one list, earliest due first,
// undated last, each list's order kept otherwise: the conventions' alerts
// of an organisation with its staff alerts (OrgAlerts).
func MergeAlerts(lists ...[]agreement.OrgAlert) []agreement.OrgAlert {
	out := []agreement.OrgAlert{}
	for _, l := range lists {
		out = append(out, l...)
	}
	slices.SortStableFunc(out, func(a, b agreement.OrgAlert) int { return byDue(a.Due, b.Due) })
	return out
}

// byDue orders dates earliest first, the zero date last.
func byDue(a, b civil.Date) int {
	if a.IsZero() != b.IsZero() {
		if a.IsZero() {
			return 1
		}
		return -1
	}
	return a.Compare(b)
}

// alerts returns the alerts of Alerts and the secondments they are about,
// by id.
func (s *Service) alerts(ctx context.Context, actor auth.Actor, orgID int64) ([]Alert, map[int64]Secondment, error) {
	q := s.db.Reader()
	secs, err := s.orgSecondments(ctx, q, actor, orgID)
	if err != nil {
		return nil, nil, fail("alerts", err)
	}
	out, byID, err := s.alertsOf(ctx, q, actor, orgID, secs)
	if err != nil {
		return nil, nil, fail("alerts", err)
	}
	return out, byID, nil
}

// alertsOf returns the alerts of Alerts from secs, the secondments of
// orgID, and the secondments by id.
func (s *Service) alertsOf(ctx context.Context, q store.Querier, actor auth.Actor, orgID int64, secs []Secondment) ([]Alert, map[int64]Secondment, error) {
	byID := make(map[int64]Secondment, len(secs))
	var ids []int64
	for _, sec := range secs {
		ids = append(ids, sec.AgentID)
	}
	years, err := costYears(ctx, q, ids)
	if err != nil {
		return nil, nil, err
	}
	today := s.today()
	out := []Alert{}
	// An agent or a convention may carry several secondments: each is read
	// once per call.
	agents := map[int64]Agent{}
	conventions := map[int64]agreement.Agreement{}
	for _, sec := range secs {
		byID[sec.ID] = sec
		ag, ok := agents[sec.AgentID]
		if !ok {
			if ag, err = loadAgent(ctx, q, sec.AgentID); err != nil {
				return nil, nil, err
			}
			agents[sec.AgentID] = ag
		}
		conv, ok := conventions[sec.AgreementID]
		if !ok {
			rec, err := s.agreements.Get(ctx, actor, sec.AgreementID)
			if err != nil {
				return nil, nil, err
			}
			conv = rec.Agreement
			conventions[sec.AgreementID] = conv
		}
		for _, al := range secondmentAlerts(sec, ag, conv, years[ag.ID], today) {
			if al.OrgID == 0 || al.OrgID == orgID {
				out = append(out, al)
			}
		}
	}
	slices.SortStableFunc(out, func(a, b Alert) int { return byDue(a.Due, b.Due) })
	return out, byID, nil
}

// ---- Agents and costs ----

// CreateAgent records an agent of in.EmployerOrgID. The actor needs
// auth.Write on the employer.
func (s *Service) CreateAgent(ctx context.Context, actor auth.Actor, in AgentInput) (Agent, error) {
	if err := checkActor(actor); err != nil {
		return Agent{}, fail("create agent", err)
	}
	in, err := normalizeAgent(in)
	if err != nil {
		return Agent{}, err
	}
	if err := auth.Authorize(actor, auth.Write, in.EmployerOrgID); err != nil {
		return Agent{}, fail("create agent", err)
	}
	t := s.clock()
	ag := Agent{EmployerOrgID: in.EmployerOrgID, FamilyName: in.FamilyName, GivenName: in.GivenName, Grade: in.Grade,
		Status: in.Status, Version: 1, CreatedAt: t, UpdatedAt: t}
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := insertAgent(ctx, tx, &ag, actor.UserID()); err != nil {
			return err
		}
		loaded, err := loadAgent(ctx, tx, ag.ID)
		if err != nil {
			return err
		}
		ag = loaded
		return audit.Record(ctx, tx, actor.Audit(ag.EmployerOrgID, "staff.agent.create", "staff_agent", id64(ag.ID),
			map[string]any{"status": ag.Status, "grade": ag.Grade}))
	})
	if err != nil {
		return Agent{}, fail("create agent", err)
	}
	return ag, nil
}

// UpdateAgent changes agent id's names, grade and status; version is the
// version the user edited. The employer does not change (an agent who
// changes employer is a new agent of the new one). The actor needs
// auth.Write on the employer.
func (s *Service) UpdateAgent(ctx context.Context, actor auth.Actor, id, version int64, in AgentInput) (Agent, error) {
	var out Agent
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		ag, _, _, err := s.readAgent(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if in.EmployerOrgID == 0 {
			in.EmployerOrgID = ag.EmployerOrgID
		}
		in, err := normalizeAgent(in)
		if err != nil {
			return err
		}
		if in.EmployerOrgID != ag.EmployerOrgID {
			return validate.Errors{{Field: "employer_org_id", Message: "l'employeur d'un agent ne change pas : enregistrez l'agent chez son nouvel employeur"}}
		}
		if err := auth.Authorize(actor, auth.Write, ag.EmployerOrgID); err != nil {
			return err
		}
		before := ag
		ag.FamilyName, ag.GivenName, ag.Grade, ag.Status, ag.UpdatedAt = in.FamilyName, in.GivenName, in.Grade, in.Status, s.clock()
		if err := updateAgent(ctx, tx, &ag, version); err != nil {
			return err
		}
		if ag.Status == CDD {
			n, err := listSecondments(ctx, tx, `s.agent_id = ? AND s.end_date >= ?`, id, s.today().String())
			if err != nil {
				return err
			}
			if len(n) > 0 {
				return validate.Errors{{Field: "status", Message: "l'agent a une mise à disposition en cours ou à venir : un contractuel en CDD ne peut pas être mis à disposition"}}
			}
		}
		out = ag
		changed := map[string]any{"version": ag.Version}
		if before.Status != ag.Status {
			changed["status"] = [2]Status{before.Status, ag.Status}
		}
		if before.Grade != ag.Grade {
			changed["grade"] = [2]string{before.Grade, ag.Grade}
		}
		if before.FamilyName != ag.FamilyName || before.GivenName != ag.GivenName {
			changed["name_changed"] = true
		}
		return audit.Record(ctx, tx, actor.Audit(ag.EmployerOrgID, "staff.agent.update", "staff_agent", id64(id), changed))
	})
	if err != nil {
		return Agent{}, fail("update agent", err)
	}
	return out, nil
}

// SetCost records agent agentID's annual cost of year; version is 0 for a
// year not recorded yet, else the version the user edited. Drafts of
// reimbursements of that year computed by Reimburse are recomputed. The
// actor needs auth.Write on the employer.
func (s *Service) SetCost(ctx context.Context, actor auth.Actor, agentID int64, year int, version int64, in CostInput) (Cost, error) {
	in, err := normalizeCost(year, in)
	if err != nil {
		return Cost{}, err
	}
	var out Cost
	var secs []Secondment
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		ag, _, all, err := s.readAgent(ctx, tx, actor, agentID)
		if err != nil {
			return err
		}
		if err := auth.Authorize(actor, auth.Write, ag.EmployerOrgID); err != nil {
			return err
		}
		secs = all
		c := Cost{AgentID: agentID, Year: year, GrossPay: in.GrossPay, EmployerContributions: in.EmployerContributions,
			Other: in.Other, Source: in.Source, UpdatedAt: s.clock()}
		if err := saveCost(ctx, tx, &c, version, actor.UserID()); err != nil {
			return err
		}
		out = c
		return audit.Record(ctx, tx, actor.Audit(ag.EmployerOrgID, "staff.cost.set", "staff_agent", id64(agentID),
			map[string]any{"year": year, "version": c.Version, "gross_pay": c.GrossPay.Plain(),
				"employer_contributions": c.EmployerContributions.Plain(), "total": c.Total().Plain(), "source": c.Source}))
	})
	if err != nil {
		return Cost{}, fail("set cost", err)
	}
	for _, sec := range secs {
		if err := s.refreshDrafts(ctx, actor, sec, func(r Reimbursement) bool { return r.CostYear == year }); err != nil {
			return Cost{}, fail("set cost", err)
		}
	}
	return out, nil
}

// ---- Secondments ----

// CreateSecondment records the secondment of agent in.AgentID under
// convention in.AgreementID, completed from the convention (its host when
// it has one, its quotité, start and last day) and checked against it. A
// convention carries one secondment: a second one is refused. The actor
// needs auth.Write on the agent's employer.
func (s *Service) CreateSecondment(ctx context.Context, actor auth.Actor, in SecondmentInput) (Secondment, error) {
	if err := checkActor(actor); err != nil {
		return Secondment{}, fail("create secondment", err)
	}
	var errs validate.Errors
	if in.AgentID <= 0 {
		errs.Add("agent_id", "l'agent est obligatoire")
	}
	if in.AgreementID <= 0 {
		errs.Add("agreement_id", "la convention de mise à disposition est obligatoire")
	}
	if err := errs.Err(); err != nil {
		return Secondment{}, err
	}
	q := s.db.Reader()
	ag, acc, _, err := s.readAgent(ctx, q, actor, in.AgentID)
	if errors.Is(err, store.ErrNotFound) {
		return Secondment{}, validate.Errors{{Field: "agent_id", Message: "agent introuvable parmi ceux de vos organisations"}}
	} else if err != nil {
		return Secondment{}, fail("create secondment", err)
	}
	if !acc.employer {
		return Secondment{}, fail("create secondment", auth.ErrForbidden)
	}
	if err := auth.Authorize(actor, auth.Write, ag.EmployerOrgID); err != nil {
		return Secondment{}, fail("create secondment", err)
	}
	rec, err := s.agreements.Get(ctx, actor, in.AgreementID)
	if errors.Is(err, store.ErrNotFound) {
		return Secondment{}, validate.Errors{{Field: "agreement_id", Message: fmt.Sprintf("la convention n° %d est introuvable parmi celles de vos organisations", in.AgreementID)}}
	} else if err != nil {
		return Secondment{}, fail("create secondment", err)
	}
	sec, err := prepareSecondment(in, ag, rec.Agreement)
	if err != nil {
		return Secondment{}, err
	}
	t := s.clock()
	sec.CreatedAt, sec.UpdatedAt = t, t
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		if other, err := secondmentOf(ctx, tx, in.AgreementID); err != nil {
			return err
		} else if other != 0 {
			return validate.Errors{{Field: "agreement_id", Message: fmt.Sprintf(
				"la convention %s porte déjà une mise à disposition (n° %d) : Voisines facture une mise à disposition par convention ; pour une convention collective, établissez une convention par agent",
				rec.Reference, other)}}
		}
		if err := insertSecondment(ctx, tx, &sec, actor.UserID()); err != nil {
			return err
		}
		loaded, err := loadSecondment(ctx, tx, sec.ID)
		if err != nil {
			return err
		}
		sec = loaded
		return audit.Record(ctx, tx, actor.Audit(sec.EmployerOrgID, "staff.secondment.create", "staff_secondment", id64(sec.ID),
			map[string]any{"agreement": rec.Reference, "agent_id": sec.AgentID, "host_org_id": sec.HostOrgID,
				"quotite": sec.Quotite.String(), "start": sec.Start, "end": sec.End, "billing": sec.Billing, "annual_hours": sec.AnnualHours}))
	})
	if err != nil {
		return Secondment{}, fail("create secondment", err)
	}
	return sec, nil
}

// UpdateSecondment changes secondment id (its convention and agent stay);
// version is the version the user edited. Zero fields take the
// convention's, as CreateSecondment does. Drafts of its reimbursements are
// recomputed. The actor needs auth.Write on the employer.
func (s *Service) UpdateSecondment(ctx context.Context, actor auth.Actor, id, version int64, in SecondmentInput) (Secondment, error) {
	q := s.db.Reader()
	cur, err := s.readSecondment(ctx, q, actor, id)
	if err != nil {
		return Secondment{}, fail("update secondment", err)
	}
	if err := auth.Authorize(actor, auth.Write, cur.EmployerOrgID); err != nil {
		return Secondment{}, fail("update secondment", err)
	}
	var errs validate.Errors
	if in.AgreementID != 0 && in.AgreementID != cur.AgreementID {
		errs.Add("agreement_id", "une mise à disposition reste attachée à sa convention")
	}
	if in.AgentID != 0 && in.AgentID != cur.AgentID {
		errs.Add("agent_id", "une mise à disposition reste attachée à son agent")
	}
	if err := errs.Err(); err != nil {
		return Secondment{}, err
	}
	in.AgreementID, in.AgentID = cur.AgreementID, cur.AgentID
	ag, err := loadAgent(ctx, q, cur.AgentID)
	if err != nil {
		return Secondment{}, fail("update secondment", err)
	}
	rec, err := s.agreements.Get(ctx, actor, cur.AgreementID)
	if err != nil {
		return Secondment{}, fail("update secondment", err)
	}
	next, err := prepareSecondment(in, ag, rec.Agreement)
	if err != nil {
		return Secondment{}, err
	}
	var out Secondment
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		sec, err := loadSecondment(ctx, tx, id)
		if err != nil {
			return err
		}
		before := sec
		sec.HostOrgID, sec.Quotite, sec.Start, sec.End, sec.Activities = next.HostOrgID, next.Quotite, next.Start, next.End, next.Activities
		sec.ArreteReference, sec.ArreteDate, sec.Billing, sec.AnnualHours = next.ArreteReference, next.ArreteDate, next.Billing, next.AnnualHours
		sec.UpdatedAt = s.clock()
		if err := updateSecondment(ctx, tx, &sec, version); err != nil {
			return err
		}
		if before.Billing == RealTime && sec.Billing != RealTime || before.HostOrgID != sec.HostOrgID {
			if ts, err := listTimes(ctx, tx, id, civil.Date{}, civil.Date{}); err != nil {
				return err
			} else if len(ts) > 0 {
				return validate.Errors{{Field: "billing", Message: fmt.Sprintf(
					"%d relevés de temps sont saisis pour cette mise à disposition : supprimez-les avant de changer d'organisme d'accueil ou de mode de facturation", len(ts))}}
			}
		}
		if ts, err := listTimes(ctx, tx, id, civil.Date{}, civil.Date{}); err != nil {
			return err
		} else if n := outside(ts, sec.Start, sec.End); n > 0 {
			return validate.Errors{{Field: "start", Message: fmt.Sprintf("%d relevés de temps tomberaient hors de la mise à disposition : supprimez-les d'abord", n)}}
		}
		if out, err = loadSecondment(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Audit(sec.EmployerOrgID, "staff.secondment.update", "staff_secondment", id64(id),
			map[string]any{"agreement": sec.AgreementReference, "version": out.Version, "host_org_id": sec.HostOrgID,
				"quotite": sec.Quotite.String(), "start": sec.Start, "end": sec.End, "billing": sec.Billing, "annual_hours": sec.AnnualHours}))
	})
	if err != nil {
		return Secondment{}, fail("update secondment", err)
	}
	if err := s.refreshDrafts(ctx, actor, out, func(Reimbursement) bool { return true }); err != nil {
		return Secondment{}, fail("update secondment", err)
	}
	return out, nil
}

func outside(ts []TimeRecord, start, end civil.Date) int {
	n := 0
	for _, t := range ts {
		if t.Date.Before(start) || t.Date.After(end) {
			n++
		}
	}
	return n
}

// RecordConsent records the agent's written consent to secondment id on
// its convention — the convention's accord_agent approval of the home
// employer (CGFP L512-7), through agreement.Service.RecordApproval, which
// accepts it while the convention awaits its approvals, before signature.
// reference is the consent's reference (a letter's number, a filed
// document). The actor needs auth.Write on the employer.
func (s *Service) RecordConsent(ctx context.Context, actor auth.Actor, id int64, date civil.Date, reference string) (SecondmentFile, error) {
	q := s.db.Reader()
	sec, err := s.readSecondment(ctx, q, actor, id)
	if err != nil {
		return SecondmentFile{}, fail("record consent", err)
	}
	if err := auth.Authorize(actor, auth.Write, sec.EmployerOrgID); err != nil {
		return SecondmentFile{}, fail("record consent", err)
	}
	reference = strings.TrimSpace(reference)
	var errs validate.Errors
	if date.IsZero() {
		errs.Add("consent_date", "la date de l'accord écrit de l'agent est obligatoire")
	}
	if reference == "" {
		errs.Add("consent_reference", "indiquez la référence de l'accord écrit (courrier, pièce jointe)")
	}
	errs.Check(validate.MaxLen("consent_reference", reference, 100))
	if err := errs.Err(); err != nil {
		return SecondmentFile{}, err
	}
	rec, err := s.agreements.Get(ctx, actor, sec.AgreementID)
	if err != nil {
		return SecondmentFile{}, fail("record consent", err)
	}
	_, err = s.agreements.RecordApproval(ctx, actor, sec.AgreementID, rec.Version, agreement.Approval{
		OrgID: sec.EmployerOrgID, Kind: agreement.AgentConsent, Number: reference, Date: date,
		Body: agreement.DefaultBody(agreement.Commune, agreement.AgentConsent)})
	if err != nil {
		var r *agreement.Refusal
		if errors.As(err, &r) {
			return SecondmentFile{}, validate.Errors{{Field: "consent_date", Message: r.Message}}
		}
		return SecondmentFile{}, fail("record consent", err)
	}
	return s.Secondment(ctx, actor, id)
}

// ---- Time records ----

// guard says, for the dates of time worked under a secondment, whether a
// statement of its convention covers them: an issued one freezes them (a
// correction goes through the ledger), a draft computed by Reimburse is
// recomputed after the change — by the employer only: a host's user may
// not change time the employer is billing.
// guardActor reads the statements a change of time worked is weighed
// against (guardOf).
var guardActor = auth.SystemActor("staff")

type guard struct {
	issued   []ledger.Statement
	drafts   []ledger.Statement
	employer bool
}

func (s *Service) guardOf(ctx context.Context, actor auth.Actor, sec Secondment) (guard, error) {
	// The guard weighs every statement of the convention, whoever asks: a
	// host's user does not see the employer's drafts (the ledger's rule,
	// ledger.Statement.VisibleTo) yet may not change the time they bill.
	// The caller has authorised actor on sec.
	stmts, err := s.statements(ctx, guardActor, sec)
	if err != nil {
		return guard{}, err
	}
	mine, err := listReimbursements(ctx, s.db.Reader(), sec.ID)
	if err != nil {
		return guard{}, err
	}
	g := guard{employer: can(actor, auth.Write, sec.EmployerOrgID)}
	for _, st := range stmts {
		switch {
		case st.Current():
			g.issued = append(g.issued, st)
		case st.Status == ledger.Draft && slices.ContainsFunc(mine, func(r Reimbursement) bool { return r.StatementID == st.ID }):
			g.drafts = append(g.drafts, st)
		}
	}
	return g, nil
}

func covers(st ledger.Statement, d civil.Date) bool {
	return !d.Before(st.Inputs.From) && !d.After(st.Inputs.To)
}

// check returns the error for a change of time worked on d, field naming
// the input.
func (g guard) check(d civil.Date, field string) error {
	for _, st := range g.issued {
		if covers(st, d) {
			return validate.Errors{{Field: field, Message: fmt.Sprintf(
				"le %s est couvert par l'état n° %d, émis : le temps de cette période ne change plus (l'employeur corrige l'état depuis la page Finances)",
				d.French(), st.Number)}}
		}
	}
	if g.employer {
		return nil
	}
	for _, st := range g.drafts {
		if covers(st, d) {
			return validate.Errors{{Field: field, Message: fmt.Sprintf(
				"le %s est couvert par l'état n° %d que l'employeur a calculé : demandez-lui de le supprimer avant de changer le temps de cette période",
				d.French(), st.Number)}}
		}
	}
	return nil
}

// drafted reports whether a draft covers d.
func (g guard) drafted(d civil.Date) bool {
	return slices.ContainsFunc(g.drafts, func(st ledger.Statement) bool { return covers(st, d) })
}

// enteredFor returns the organisation actor enters time for under sec:
// by when given (it must be the host or the employer), else the host or
// the employer, whichever the actor writes for first.
func enteredFor(actor auth.Actor, sec Secondment, by int64) (int64, error) {
	if by == 0 {
		switch {
		case can(actor, auth.Write, sec.HostOrgID):
			return sec.HostOrgID, nil
		case can(actor, auth.Write, sec.EmployerOrgID):
			return sec.EmployerOrgID, nil
		}
		return 0, auth.ErrForbidden
	}
	if by != sec.HostOrgID && by != sec.EmployerOrgID {
		return 0, validate.Errors{{Field: "by_org_id", Message: "le temps est saisi par l'organisme d'accueil ou par l'employeur"}}
	}
	return by, auth.Authorize(actor, auth.Write, by)
}

// writeUsage writes the usage record of time record t of sec.
func writeUsage(ctx context.Context, tx *store.Tx, sec Secondment, t TimeRecord) error {
	_, err := usage.Record(ctx, tx, usage.Entry{ProviderOrgID: sec.EmployerOrgID, UserOrgID: sec.HostOrgID,
		AgreementID: sec.AgreementID, Source: usage.FromService, SourceRef: usageRef(t.ID),
		Subject: "Mise à disposition de personnel, convention " + sec.AgreementReference, Unit: UsageUnit,
		Milli: t.Minutes * 1000, OccurredOn: t.Date})
	return err
}

// RecordTime records time worked under secondment id, billed in real
// time, and its usage record. The actor needs auth.Write on the host or
// the employer (in.ByOrgID).
func (s *Service) RecordTime(ctx context.Context, actor auth.Actor, id int64, in TimeInput) (TimeRecord, error) {
	sec, err := s.readSecondment(ctx, s.db.Reader(), actor, id)
	if err != nil {
		return TimeRecord{}, fail("record time", err)
	}
	by, err := enteredFor(actor, sec, in.ByOrgID)
	if err != nil {
		return TimeRecord{}, fail("record time", err)
	}
	if in, err = checkTime(in, sec, s.today()); err != nil {
		return TimeRecord{}, err
	}
	g, err := s.guardOf(ctx, actor, sec)
	if err != nil {
		return TimeRecord{}, fail("record time", err)
	}
	if err := g.check(in.Date, "date"); err != nil {
		return TimeRecord{}, err
	}
	t := TimeRecord{SecondmentID: id, Date: in.Date, Minutes: in.Minutes, Activity: in.Activity, Note: in.Note,
		EnteredByOrgID: by, Version: 1, CreatedAt: s.clock(), CreatedBy: actor.String()}
	t.UpdatedAt = t.CreatedAt
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := insertTime(ctx, tx, &t); err != nil {
			return err
		}
		if err := writeUsage(ctx, tx, sec, t); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Audit(by, "staff.time.record", "staff_time_record", id64(t.ID),
			map[string]any{"secondment_id": id, "date": t.Date, "minutes": t.Minutes}))
	})
	if err != nil {
		return TimeRecord{}, fail("record time", err)
	}
	if g.drafted(t.Date) {
		if err := s.refreshDrafts(ctx, actor, sec, coversDay(t.Date)); err != nil {
			return TimeRecord{}, fail("record time", err)
		}
	}
	return t, nil
}

func coversDay(days ...civil.Date) func(Reimbursement) bool {
	return func(r Reimbursement) bool {
		return slices.ContainsFunc(days, func(d civil.Date) bool { return !d.Before(r.From) && !d.After(r.To) })
	}
}

// readTime loads time record id and its secondment for actor.
func (s *Service) readTime(ctx context.Context, actor auth.Actor, id int64) (TimeRecord, Secondment, error) {
	if err := checkActor(actor); err != nil {
		return TimeRecord{}, Secondment{}, err
	}
	q := s.db.Reader()
	t, err := loadTime(ctx, q, id)
	if err != nil {
		return TimeRecord{}, Secondment{}, err
	}
	sec, err := s.readSecondment(ctx, q, actor, t.SecondmentID)
	if errors.Is(err, store.ErrNotFound) {
		return TimeRecord{}, Secondment{}, fmt.Errorf("time record %d: %w", id, store.ErrNotFound)
	}
	return t, sec, err
}

// UpdateTime changes time record id; version is the version the user
// edited. The actor needs auth.Write on the host or the employer.
func (s *Service) UpdateTime(ctx context.Context, actor auth.Actor, id, version int64, in TimeInput) (TimeRecord, error) {
	t, sec, err := s.readTime(ctx, actor, id)
	if err != nil {
		return TimeRecord{}, fail("update time", err)
	}
	by, err := enteredFor(actor, sec, in.ByOrgID)
	if err != nil {
		return TimeRecord{}, fail("update time", err)
	}
	if in, err = checkTime(in, sec, s.today()); err != nil {
		return TimeRecord{}, err
	}
	g, err := s.guardOf(ctx, actor, sec)
	if err != nil {
		return TimeRecord{}, fail("update time", err)
	}
	if err := g.check(t.Date, "date"); err != nil {
		return TimeRecord{}, err
	}
	if err := g.check(in.Date, "date"); err != nil {
		return TimeRecord{}, err
	}
	before := t
	t.Date, t.Minutes, t.Activity, t.Note, t.EnteredByOrgID, t.UpdatedAt = in.Date, in.Minutes, in.Activity, in.Note, by, s.clock()
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := updateTime(ctx, tx, &t, version); err != nil {
			return err
		}
		if err := writeUsage(ctx, tx, sec, t); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Audit(by, "staff.time.update", "staff_time_record", id64(id),
			map[string]any{"secondment_id": sec.ID, "version": t.Version, "date": [2]civil.Date{before.Date, t.Date},
				"minutes": [2]int64{before.Minutes, t.Minutes}}))
	})
	if err != nil {
		return TimeRecord{}, fail("update time", err)
	}
	if g.drafted(before.Date) || g.drafted(t.Date) {
		if err := s.refreshDrafts(ctx, actor, sec, coversDay(before.Date, t.Date)); err != nil {
			return TimeRecord{}, fail("update time", err)
		}
	}
	return t, nil
}

// DeleteTime deletes time record id and its usage record; version is the
// version the user saw. The actor needs auth.Write on the host or the
// employer.
func (s *Service) DeleteTime(ctx context.Context, actor auth.Actor, id, version int64) error {
	t, sec, err := s.readTime(ctx, actor, id)
	if err != nil {
		return fail("delete time", err)
	}
	by, err := enteredFor(actor, sec, 0)
	if err != nil {
		return fail("delete time", err)
	}
	g, err := s.guardOf(ctx, actor, sec)
	if err != nil {
		return fail("delete time", err)
	}
	if err := g.check(t.Date, "date"); err != nil {
		return err
	}
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := deleteTime(ctx, tx, id, version); err != nil {
			return err
		}
		if _, err := usage.Remove(ctx, tx, usage.FromService, usageRef(id)); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Audit(by, "staff.time.delete", "staff_time_record", id64(id),
			map[string]any{"secondment_id": sec.ID, "date": t.Date, "minutes": t.Minutes}))
	})
	if err != nil {
		return fail("delete time", err)
	}
	if g.drafted(t.Date) {
		if err := s.refreshDrafts(ctx, actor, sec, coversDay(t.Date)); err != nil {
			return fail("delete time", err)
		}
	}
	return nil
}

// ---- Reimbursement ----

// Reimburse computes what the host owes for secondment id over period p
// (within one civil year and within the secondment) through the financial
// engine: it sets the convention's ledger terms from the agent's annual
// cost of p's year — pro rata (SalaryProRata) with the quotité, or in real
// time at a unit price (UnitPrice: the hourly cost, the hours worked given
// with the request; see the package comment) — and drafts the statement,
// or recomputes the draft it computed before for the same period (drafts
// it again when the hours changed). The employer then checks and issues the statement through
// the ledger. Refused when the convention waives repayment (nothing is
// billed), when the secondment no longer agrees with its convention (its
// billing among the rest: real time needs a convention repaid at a unit
// price, pro rata one repaid pro rata of the quotité), when
// the year's cost is missing, when no time was worked, or when an issued
// statement already covers the period. The actor needs auth.Write on the
// employer (the ledger's creditor).
//
// The ledger sets the terms and drafts (or recomputes) in one transaction
// (ledger.Service.DraftWithTerms), audited as its own operations, before
// this one records the basis: a draft that cannot be computed leaves the
// terms as they were, and Issue refuses a draft whose terms changed since
// it was computed.
func (s *Service) Reimburse(ctx context.Context, actor auth.Actor, id int64, p Period) (Reimbursement, ledger.Statement, error) {
	q := s.db.Reader()
	sec, err := s.readSecondment(ctx, q, actor, id)
	if err != nil {
		return Reimbursement{}, ledger.Statement{}, fail("reimburse", err)
	}
	if err := auth.Authorize(actor, auth.Write, sec.EmployerOrgID); err != nil {
		return Reimbursement{}, ledger.Statement{}, fail("reimburse", err)
	}
	p.Label = strings.TrimSpace(p.Label)
	if err := checkPeriod(p, sec, s.today()); err != nil {
		return Reimbursement{}, ledger.Statement{}, err
	}
	rec, err := s.agreements.Get(ctx, actor, sec.AgreementID)
	if err != nil {
		return Reimbursement{}, ledger.Statement{}, fail("reimburse", err)
	}
	a := rec.Agreement
	if a.Secondment.RepaymentWaived {
		return Reimbursement{}, ledger.Statement{}, validate.Errors{{Field: "agreement_id", Message: fmt.Sprintf(
			"la convention %s exonère l'organisme d'accueil du remboursement (%s) : aucun état de remboursement n'est établi",
			sec.AgreementReference, strings.TrimSpace(a.Secondment.WaiverReason))}}
	}
	ag, err := loadAgent(ctx, q, sec.AgentID)
	if err != nil {
		return Reimbursement{}, ledger.Statement{}, fail("reimburse", err)
	}
	if blocking, _ := mismatches(sec, ag, a); len(blocking) > 0 {
		return Reimbursement{}, ledger.Statement{}, validate.Errors{{Field: "agreement_id", Message: "la mise à disposition ne concorde plus avec sa convention : " + strings.Join(blocking, " ; ")}}
	}
	cost, err := loadCost(ctx, q, ag.ID, p.From.Year)
	if errors.Is(err, store.ErrNotFound) {
		return Reimbursement{}, ledger.Statement{}, validate.Errors{{Field: "year", Message: fmt.Sprintf(
			"le coût annuel %d de %s n'est pas saisi : saisissez-le sur sa fiche avant de calculer le remboursement", p.From.Year, ag.Name())}}
	} else if err != nil {
		return Reimbursement{}, ledger.Statement{}, fail("reimburse", err)
	}
	r := Reimbursement{SecondmentID: id, From: p.From, To: p.To, Label: p.Label, Billing: sec.Billing, CostYear: cost.Year,
		AnnualCost: cost.Total(), AnnualHours: sec.AnnualHours, Quotite: quotiteRat(sec.Quotite)}
	months := periodMonths(p.From, p.To)
	terms := ledger.Terms{Mode: sec.Billing.Mode(), Creditor: sec.EmployerOrgID, Parties: []int64{sec.HostOrgID},
		Object:     clip(fmt.Sprintf("Mise à disposition de %s (quotité %s)", ag.Name(), sec.Quotite.Percent()), 200),
		Secondment: &ledger.SecondmentTerms{CostLines: cost.Lines(), Quotite: r.Quotite, Rounding: money.RoundHalfUp}}
	var units []ledger.UnitEntry
	if sec.Billing == RealTime {
		totals, err := usage.Sum(ctx, q, usage.Filter{AgreementID: sec.AgreementID, UserOrgID: sec.HostOrgID,
			Source: usage.FromService, Unit: UsageUnit, From: p.From, To: p.To})
		if err != nil {
			return Reimbursement{}, ledger.Statement{}, fail("reimburse", err)
		}
		for _, t := range totals {
			r.Minutes += t.Milli / 1000
		}
		if r.Minutes == 0 {
			return Reimbursement{}, ledger.Statement{}, validate.Errors{{Field: "from", Message: fmt.Sprintf(
				"aucun temps de travail n'est saisi du %s au %s : rien à rembourser", p.From.French(), p.To.French())}}
		}
		if fullTimeShare(r.Minutes, sec.AnnualHours, months).Cmp(money.IntRat(1)) > 0 {
			full := money.IntRat(sec.AnnualHours).Mul(months).Quo(money.IntRat(12))
			return Reimbursement{}, ledger.Statement{}, validate.Errors{{Field: "to", Message: fmt.Sprintf(
				"les %s saisies du %s au %s dépassent un temps complet sur la période (%s h pour %d h par an)",
				FormatMinutes(r.Minutes), p.From.French(), p.To.French(), full.French(1), sec.AnnualHours)}}
		}
		// A unit price: the hours worked (minutes / 60, exact) × the
		// hourly cost (annual cost / annual hours, exact, in euros), the
		// line rounded half up once. The hours are given with the request:
		// the usage records count minutes, which the hourly cost does not
		// price, so the terms bill hours and leave minutes out.
		terms.Secondment = nil
		terms.Object = clip(fmt.Sprintf("Mise à disposition de %s : %s de travail au coût horaire (coût annuel / %d h)",
			ag.Name(), FormatMinutes(r.Minutes), sec.AnnualHours), 200)
		terms.UsageUnit = HourUnit
		terms.UnitPrice = &ledger.UnitPriceTerms{Rule: money.UnitPrice{
			UnitCost: r.AnnualCost.Euros().Quo(money.IntRat(sec.AnnualHours)), Unit: HourUnit, Rounding: money.RoundHalfUp}}
		units = []ledger.UnitEntry{{Party: sec.HostOrgID, Units: money.NewRat(r.Minutes, 60)}}
	}

	stmts, err := s.statements(ctx, actor, sec)
	if err != nil {
		return Reimbursement{}, ledger.Statement{}, fail("reimburse", err)
	}
	for _, st := range stmts {
		if st.Current() && !p.To.Before(st.Inputs.From) && !p.From.After(st.Inputs.To) {
			return Reimbursement{}, ledger.Statement{}, validate.Errors{{Field: "from", Message: fmt.Sprintf(
				"l'état n° %d, émis, couvre déjà la période du %s au %s : corrigez-le depuis la page Finances plutôt que d'en calculer un autre",
				st.Number, st.Inputs.From.French(), st.Inputs.To.French())}}
		}
	}
	mine, err := listReimbursements(ctx, q, id)
	if err != nil {
		return Reimbursement{}, ledger.Statement{}, fail("reimburse", err)
	}
	var draft int64
	for _, m := range mine {
		if st, ok := stmts[m.StatementID]; ok && st.Status == ledger.Draft && m.From == p.From && m.To == p.To {
			draft = m.StatementID
			// A draft recomputes from its own request: one that billed
			// other hours (or none, computed pro rata) is drafted again.
			if !slices.EqualFunc(st.Inputs.Request.Units, units, func(a, b ledger.UnitEntry) bool {
				return a.Party == b.Party && a.Type == b.Type && a.Units.Cmp(b.Units) == 0
			}) {
				if err := s.ledger.DeleteDraft(ctx, actor, draft); err != nil {
					return Reimbursement{}, ledger.Statement{}, fail("reimburse", err)
				}
				draft = 0
			}
		}
	}
	version := int64(0)
	if tr, err := s.ledger.Terms(ctx, actor, sec.AgreementID); err == nil {
		version = tr.Version
	} else if !errors.Is(err, store.ErrNotFound) {
		return Reimbursement{}, ledger.Statement{}, fail("reimburse", err)
	}
	// The terms and the draft are written together: a draft that cannot
	// be computed leaves the previous terms in place.
	var st ledger.Statement
	if draft != 0 {
		st, err = s.ledger.RecomputeWithTerms(ctx, actor, sec.AgreementID, version, terms, draft)
	} else {
		st, err = s.ledger.DraftWithTerms(ctx, actor, version, terms,
			ledger.Request{AgreementID: sec.AgreementID, From: p.From, To: p.To, Label: p.Label, Units: units})
	}
	if err != nil {
		return Reimbursement{}, ledger.Statement{}, fail("reimburse", err)
	}
	if sec.Billing == RealTime {
		want, err := money.Round(sec.HourlyCost(r.AnnualCost).Mul(money.NewRat(r.Minutes, 60)), money.RoundHalfUp)
		if err != nil || st.Result.Pricing == nil || want != st.Result.Total {
			return Reimbursement{}, ledger.Statement{}, fmt.Errorf("staff: reimburse %d: the ledger billed %s, not the hours × hourly cost %s", id, st.Result.Total, want)
		}
	} else if rep := st.Result.Repayment; rep == nil || rep.Rule.Months.Cmp(months) != 0 {
		return Reimbursement{}, ledger.Statement{}, fmt.Errorf("staff: reimburse %d: the ledger counted other months than %s", id, months)
	}
	r.StatementID, r.Amount, r.StatementStatus = st.ID, st.Result.Total, st.Status
	r.ComputedAt, r.ComputedBy = s.clock(), actor.String()
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := saveReimbursement(ctx, tx, &r); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Audit(sec.EmployerOrgID, "staff.reimbursement.compute", "staff_secondment", id64(id),
			map[string]any{"agreement": sec.AgreementReference, "statement_id": st.ID, "period": [2]civil.Date{p.From, p.To},
				"billing": sec.Billing, "cost_year": r.CostYear, "annual_cost": r.AnnualCost.Plain(), "quotite": r.Quotite.String(),
				"minutes": r.Minutes, "amount": r.Amount.Plain()}))
	})
	if err != nil {
		return Reimbursement{}, ledger.Statement{}, fail("reimburse", err)
	}
	return r, st, nil
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// refreshDrafts recomputes the drafts Reimburse computed for sec that
// affected selects, after a change of what they were computed from (a
// cost, time worked, the secondment), so that none is issued stale. A
// draft that can no longer be computed (no time left in its period) is
// deleted.
func (s *Service) refreshDrafts(ctx context.Context, actor auth.Actor, sec Secondment, affected func(Reimbursement) bool) error {
	rs, err := listReimbursements(ctx, s.db.Reader(), sec.ID)
	if err != nil || len(rs) == 0 {
		return err
	}
	stmts, err := s.statements(ctx, actor, sec)
	if err != nil {
		return err
	}
	for _, r := range rs {
		if st, ok := stmts[r.StatementID]; !ok || st.Status != ledger.Draft || !affected(r) {
			continue
		}
		if _, _, err := s.Reimburse(ctx, actor, sec.ID, Period{From: r.From, To: r.To, Label: r.Label}); err != nil {
			if _, invalid := validate.As(err); !invalid {
				return err
			}
			if err := s.ledger.DeleteDraft(ctx, actor, r.StatementID); err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
		}
	}
	return nil
}
