package ledger

import (
	"context"
	"database/sql"
	"fmt"
	"runtime"
	"sync"
	"time"

	jsonv2 "github.com/go-json-experiment/json"

	"voisines/internal/agreement"
	"voisines/internal/auth"
	"voisines/internal/civil"
	"voisines/internal/money"
	"voisines/internal/store"
)

// Batch is what computing every statement of a period gave.
type Batch struct {
	Conventions int `json:"conventions"` // conventions with financial terms
	Statements  int `json:"statements"`  // statements computed
	Refused     int `json:"refused"`     // requests refused by the rules
	Flows       int `json:"flows"`       // gross flows they would yield
	// Total is the sum of every statement's total; Owed the sum of the
	// flows' amounts.
	Total money.Cents `json:"total"`
	Owed  money.Cents `json:"owed"`
	// UsageGroups is the number of (convention, user, unit, type) sums read
	// from the usage records.
	UsageGroups int `json:"usage_groups"`
	// Read is the time spent reading (the queries run concurrently), and
	// Compute the time spent computing.
	Read    time.Duration `json:"read_ns"`
	Compute time.Duration `json:"compute_ns"`
	// Streamed is when the conventions had all been read and those that
	// needed no usage computed.
	Streamed time.Duration `json:"streamed_ns"`
}

// RequestFunc returns the request of convention c's statement for the
// period from–to under terms t: at least the period; the actual costs of
// the year for the modes that share one.
type RequestFunc func(c Convention, t Terms, from, to civil.Date) Request

// ComputeAll computes, without storing anything, the statement of every
// convention with financial terms for the period from–to, as the creditors
// would draft them, and passes each to fn (with its error when the rules
// refuse it); request supplies each statement's request. It reads set-wise:
// the usage of the period is summed by one GROUP BY (UsageSQL) while the
// conventions, their terms and parties stream in, and the conventions that
// do not bill by use are computed meanwhile; the others wait for the sums.
// The statements carry no explanation in words (Statement and Draft write
// it). fn is called from several goroutines, one statement at a time each.
// Only a platform admin or the system may run it.
func (s *Service) ComputeAll(ctx context.Context, actor auth.Actor, from, to civil.Date, request RequestFunc,
	fn func(Statement, error) error) (Batch, error) {
	if err := auth.RequirePlatformAdmin(actor); err != nil {
		return Batch{}, fail("compute all", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	started := time.Now()

	// The usage sums take longest: start them first.
	var use map[int64][]UsageTotal
	var groups int
	var useErr error
	usageDone := make(chan struct{})
	go func() {
		defer close(usageDone)
		q, end, err := s.batchReader(ctx)
		if err != nil {
			useErr = err
			return
		}
		defer end()
		use, groups, useErr = loadUsage(ctx, q, from, to)
	}()
	q, end, err := s.batchReader(ctx)
	if err != nil {
		return Batch{}, fail("compute all", err)
	}
	defer end()
	orgs, err := loadOrganisations(ctx, q)
	if err != nil {
		return Batch{}, fail("compute all", err)
	}

	r := batchRun{request: request, fn: fn, from: from, to: to, cancel: cancel, pops: map[popKey]bool{}, orgs: orgs}
	// Phase 1: decode and compute what needs no usage nor population while
	// the conventions stream in; park the rest.
	jobs := r.start(r.first)
	n, err := streamConventions(ctx, q, s.batchReader, func(j *batchJob) bool {
		select {
		case jobs <- j:
			return true
		case <-ctx.Done():
			return false
		}
	})
	r.stop(jobs)
	r.b.Streamed = time.Since(started)
	// Phase 2: the legal populations, then the usage sums.
	var pops map[popKey]map[int64]popFigure
	if err == nil {
		pops, err = loadPopulationSets(ctx, q, r.pops)
	}
	if err == nil {
		r.run(r.waitPops, pops, nil)
		<-usageDone
		if err = useErr; err == nil {
			r.b.Read = time.Since(started)
			r.run(r.waitUsage, pops, use)
		}
	}
	<-usageDone
	b := r.b
	b.Conventions, b.UsageGroups = n, groups
	b.Compute = time.Since(started) - b.Read
	switch {
	case r.err != nil:
		return b, r.err
	case err != nil:
		return b, fail("compute all", err)
	}
	return b, ctx.Err()
}

// batchRun is the state of a ComputeAll: the jobs parked for phase 2 and
// the totals, shared by the workers under mu.
type batchRun struct {
	orgs      map[int64]PartyRef
	request   RequestFunc
	fn        func(Statement, error) error
	from, to  civil.Date
	cancel    func()
	wg        sync.WaitGroup
	mu        sync.Mutex
	b         Batch
	err       error
	pops      map[popKey]bool
	waitPops  []*batchJob
	waitUsage []*batchJob
}

// start launches one worker per processor running work on each job sent
// on the returned channel.
func (r *batchRun) start(work func(*batchJob, *Batch)) chan *batchJob {
	jobs := make(chan *batchJob, 1024)
	workers := runtime.GOMAXPROCS(0)
	r.wg.Add(workers)
	for range workers {
		go func() {
			defer r.wg.Done()
			var local Batch
			for j := range jobs {
				work(j, &local)
			}
			r.mu.Lock()
			r.b.Statements += local.Statements
			r.b.Refused += local.Refused
			r.b.Flows += local.Flows
			r.b.Total += local.Total
			r.b.Owed += local.Owed
			r.mu.Unlock()
		}()
	}
	return jobs
}

func (r *batchRun) stop(jobs chan *batchJob) {
	close(jobs)
	r.wg.Wait()
}

// run computes parked jobs with the data they waited for.
func (r *batchRun) run(parked []*batchJob, pops map[popKey]map[int64]popFigure, use map[int64][]UsageTotal) {
	jobs := r.start(r.compute)
	for _, j := range parked {
		j.pops = pops
		if use != nil {
			j.usage = use[j.c.ID]
		}
		jobs <- j
	}
	r.stop(jobs)
}

// first decodes a job's terms and computes it, or parks it.
func (r *batchRun) first(j *batchJob, local *Batch) {
	if err := jsonv2.Unmarshal(j.doc, &j.terms); err != nil {
		r.fail(fmt.Errorf("terms of convention %d: %w", j.c.ID, err))
		return
	}
	j.doc = nil
	usage, pops := j.needs()
	if usage || len(pops) > 0 {
		r.mu.Lock()
		for _, k := range pops {
			r.pops[k] = true
		}
		if usage {
			r.waitUsage = append(r.waitUsage, j)
		} else {
			r.waitPops = append(r.waitPops, j)
		}
		r.mu.Unlock()
		return
	}
	r.compute(j, local)
}

// compute computes one statement and hands it to fn.
func (r *batchRun) compute(j *batchJob, local *Batch) {
	j.c.Parties = make([]PartyRef, len(j.parties))
	for i, p := range j.parties {
		j.c.Parties[i] = r.orgs[p.org]
		j.c.Parties[i].Role = p.role
	}
	req := r.request(j.c, j.terms, r.from, r.to)
	req.AgreementID = j.c.ID
	st, err := batchStatement(j.c, j.terms, req, gathered{usage: j.usage, populations: j.pops})
	if err != nil {
		local.Refused++
	} else {
		local.Statements++
		local.Total += st.Result.Total
		for _, l := range st.Result.Lines {
			if !l.Own && l.Amount != 0 {
				local.Flows++
				local.Owed += max(l.Amount, -l.Amount)
			}
		}
	}
	if ferr := r.fn(st, err); ferr != nil {
		r.fail(ferr)
	}
}

func (r *batchRun) fail(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err == nil {
		r.err = err
		r.cancel()
	}
}

// batchReader returns a querier for one of ComputeAll's concurrent reads,
// and the function that ends it. On PostgreSQL each read runs in its own
// read-only transaction with JIT compilation off (compiling these one-off
// scans costs more than it saves) and room for the GROUP BY to hash in
// memory; the benchmark's baseline uses the same session (UsageBaseline).
func (s *Service) batchReader(ctx context.Context) (store.Querier, func(), error) {
	switch s.db.Dialect {
	case store.Postgres:
		tx, err := s.db.Raw().BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
		if err != nil {
			return nil, nil, err
		}
		for _, set := range []string{`SET LOCAL jit = off`, `SET LOCAL work_mem = '128MB'`} {
			if _, err := tx.ExecContext(ctx, set); err != nil {
				tx.Rollback()
				return nil, nil, err
			}
		}
		return pgRead{tx}, func() { tx.Rollback() }, nil
	}
	return s.db.Reader(), func() {}, nil
}

// pgRead is a read-only PostgreSQL transaction as a store.Querier.
type pgRead struct{ tx *sql.Tx }

func (r pgRead) Dialect() store.Dialect { return store.Postgres }
func (r pgRead) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	res, err := r.tx.ExecContext(ctx, store.Postgres.Rebind(q), args...)
	return res, store.MapError(err)
}
func (r pgRead) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	rows, err := r.tx.QueryContext(ctx, store.Postgres.Rebind(q), args...)
	return rows, store.MapError(err)
}
func (r pgRead) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	return r.tx.QueryRowContext(ctx, store.Postgres.Rebind(q), args...)
}

// UsageBaseline runs UsageSQL alone, in the same session as ComputeAll's
// reads, and reads every row: what the engine's year is measured against.
// It returns the number of groups and the sum of their quantities. Only a
// platform admin or the system may run it.
func (s *Service) UsageBaseline(ctx context.Context, actor auth.Actor, from, to civil.Date) (int, int64, error) {
	if err := auth.RequirePlatformAdmin(actor); err != nil {
		return 0, 0, fail("usage baseline", err)
	}
	q, end, err := s.batchReader(ctx)
	if err != nil {
		return 0, 0, fail("usage baseline", err)
	}
	defer end()
	rows, err := q.QueryContext(ctx, UsageSQL, from.String(), to.String())
	if err != nil {
		return 0, 0, fail("usage baseline", err)
	}
	defer rows.Close()
	n, total := 0, int64(0)
	var agreement, user, milli, count int64
	var unit, typ string
	for rows.Next() {
		if err := rows.Scan(&agreement, &user, &unit, &typ, &milli, &count); err != nil {
			return 0, 0, fail("usage baseline", err)
		}
		n++
		total += milli
	}
	return n, total, rows.Err()
}

// batchJob is one convention to compute, with what it needs.
type batchJob struct {
	c       Convention // without its Parties until computed
	parties []batchParty
	doc     []byte // the terms as stored, decoded by a worker
	terms   Terms
	usage   []UsageTotal
	pops    map[popKey]map[int64]popFigure
}

// batchParty is a party of a convention as read: organisation and role.
type batchParty struct {
	org  int64
	role agreement.Role
}

// needs reports whether the job's statement reads usage records, and which
// legal population sets it reads.
func (j *batchJob) needs() (usage bool, pops []popKey) {
	t := j.terms
	usage = t.Mode == agreement.UnitPrice
	var walk func(k money.Key)
	walk = func(k money.Key) {
		switch k.Kind {
		case money.KeyMix:
			for _, p := range k.Parts {
				walk(p.Key)
			}
		case money.KeyUsage:
			usage = usage || len(k.Usage) == 0
		case money.KeyPopulation:
			if len(k.Figures) == 0 {
				pops = append(pops, popKey{k.Measure, k.Vintage, k.Source})
			}
		}
	}
	if t.Key != nil && (t.Mode == agreement.ActualCostByKey || t.Mode == agreement.CallsForFunds) {
		walk(*t.Key)
	}
	return usage, pops
}

// batchStatement resolves and evaluates one statement, without words.
func batchStatement(c Convention, t Terms, req Request, d gathered) (Statement, error) {
	in, err := resolve(c, t, req, d)
	if err != nil {
		return Statement{AgreementID: c.ID}, err
	}
	r, err := evaluate(in, false)
	if err != nil {
		return Statement{AgreementID: c.ID, Inputs: in}, err
	}
	return Statement{AgreementID: c.ID, Version: 1, Status: Draft, FiscalYear: in.To.Year, Inputs: in, Result: r}, nil
}

// streamConventions reads every convention with financial terms, in id
// order, merged with its current parties (two ordered queries read side by
// side, the parties kept as organisation ids until the statement is
// computed), and passes each to fn until fn returns false. It returns how
// many it read.
func streamConventions(ctx context.Context, q store.Querier,
	reader func(context.Context) (store.Querier, func(), error), fn func(*batchJob) bool) (int, error) {
	convs, err := q.QueryContext(ctx, `SELECT a.id, a.reference, a.title, a.kind, a.status, a.lead_org_id, a.start_date, a.end_date, t.terms
		FROM agreements a JOIN ledger_terms t ON t.agreement_id = a.id ORDER BY a.id`)
	if err != nil {
		return 0, fmt.Errorf("conventions: %w", err)
	}
	defer convs.Close()
	pq, end, err := reader(ctx)
	if err != nil {
		return 0, err
	}
	defer end()
	parties, err := pq.QueryContext(ctx, `SELECT p.agreement_id, p.org_id, p.role FROM agreement_parties p
		JOIN ledger_terms t ON t.agreement_id = p.agreement_id WHERE p.is_current = ? ORDER BY p.agreement_id`, true)
	if err != nil {
		return 0, fmt.Errorf("parties: %w", err)
	}
	defer parties.Close()
	var (
		n        int
		kind     string
		status   string
		pid, org int64
		role     string
		pending  bool // a party row read but not yet used
		kinds    = map[string]agreement.Kind{}
		roles    = map[string]agreement.Role{}
	)
	for convs.Next() {
		j := &batchJob{}
		c := &j.c
		if err := convs.Scan(&c.ID, &c.Reference, &c.Title, &kind, &status, &c.LeadOrgID, &c.Start, &c.End, &j.doc); err != nil {
			return n, fmt.Errorf("conventions: %w", err)
		}
		k, ok := kinds[kind]
		if !ok {
			k = agreement.Kind(kind)
			kinds[kind] = k
		}
		c.Kind, c.Status = k, agreement.Status(status)
		for {
			if !pending {
				if !parties.Next() {
					break
				}
				if err := parties.Scan(&pid, &org, &role); err != nil {
					return n, fmt.Errorf("parties: %w", err)
				}
				pending = true
			}
			if pid > c.ID {
				break
			}
			pending = false
			if pid < c.ID {
				continue
			}
			r, ok := roles[role]
			if !ok {
				r = agreement.Role(role)
				roles[role] = r
			}
			j.parties = append(j.parties, batchParty{org: org, role: r})
		}
		n++
		if !fn(j) {
			return n, ctx.Err()
		}
	}
	if err := convs.Err(); err != nil {
		return n, fmt.Errorf("conventions: %w", err)
	}
	return n, parties.Err()
}

// loadOrganisations reads every organisation as a party of statements.
func loadOrganisations(ctx context.Context, q store.Querier) (map[int64]PartyRef, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+partyColumns+` FROM organisations o LEFT JOIN communes c ON c.code = o.commune_code`)
	if err != nil {
		return nil, fmt.Errorf("organisations: %w", err)
	}
	defer rows.Close()
	out := map[int64]PartyRef{}
	for rows.Next() {
		var p PartyRef
		var kind string
		if err := rows.Scan(&p.OrgID, &p.Name, &p.SIREN, &kind, &p.CommuneCode, &p.EPCISIREN); err != nil {
			return nil, fmt.Errorf("organisations: %w", err)
		}
		p.Kind = agreement.OrgKind(kind)
		out[p.OrgID] = p
	}
	return out, rows.Err()
}

// UsageSQL is the query that sums the usage of a period by convention,
// user, unit and type: the set-wise read of ComputeAll, and the baseline
// the benchmark compares it with.
const UsageSQL = `SELECT agreement_id, user_org_id, unit, act_type, SUM(quantity_milli), COUNT(*) FROM usage_records
	WHERE agreement_id IS NOT NULL AND occurred_on >= ? AND occurred_on <= ?
	GROUP BY agreement_id, user_org_id, unit, act_type`

// loadUsage sums the usage of the period by convention.
func loadUsage(ctx context.Context, q store.Querier, from, to civil.Date) (map[int64][]UsageTotal, int, error) {
	rows, err := q.QueryContext(ctx, UsageSQL, from.String(), to.String())
	if err != nil {
		return nil, 0, fmt.Errorf("usage: %w", err)
	}
	defer rows.Close()
	out := map[int64][]UsageTotal{}
	n := 0
	var unit, typ string
	units := map[string]string{} // one string per distinct unit and type
	intern := func(s string) string {
		if v, ok := units[s]; ok {
			return v
		}
		units[s] = s
		return s
	}
	for rows.Next() {
		var id int64
		var u UsageTotal
		if err := rows.Scan(&id, &u.Party, &unit, &typ, &u.Milli, &u.Records); err != nil {
			return nil, 0, fmt.Errorf("usage: %w", err)
		}
		u.Unit, u.Type = intern(unit), intern(typ)
		out[id] = append(out[id], u)
		n++
	}
	return out, n, rows.Err()
}

// loadPopulationSets reads the sets of legal populations keys take from the
// database.
func loadPopulationSets(ctx context.Context, q store.Querier, sets map[popKey]bool) (map[popKey]map[int64]popFigure, error) {
	out := map[popKey]map[int64]popFigure{}
	for k := range sets {
		query := `SELECT o.id, cp.value, cp.source, cp.vintage FROM commune_populations cp
			JOIN organisations o ON o.commune_code = cp.commune_code WHERE cp.measure = ? AND cp.vintage = ?`
		args := []any{k.measure, k.vintage}
		if k.source != "" {
			query += ` AND cp.source = ?`
			args = append(args, k.source)
		}
		rows, err := q.QueryContext(ctx, query, args...)
		if err != nil {
			return nil, fmt.Errorf("populations: %w", err)
		}
		set := map[int64]popFigure{}
		for rows.Next() {
			var org int64
			var f popFigure
			if err := rows.Scan(&org, &f.value, &f.source, &f.vintage); err != nil {
				rows.Close()
				return nil, fmt.Errorf("populations: %w", err)
			}
			if _, dup := set[org]; dup && k.source == "" {
				rows.Close()
				return nil, fmt.Errorf("%w: populations %s %s of two sources: name the source in the key", errAmbiguous, k.measure, k.vintage)
			}
			set[org] = f
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
		out[k] = set
	}
	return out, nil
}
