package ledger

import (
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib"

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
	// Aggregated is when the database had summed the usage (its first sum
	// arrived), Read when the last sum had been read and its convention
	// handed to the workers, and Compute the time they took after that.
	Read       time.Duration `json:"read_ns"`
	Compute    time.Duration `json:"compute_ns"`
	Aggregated time.Duration `json:"aggregated_ns"`
	// Streamed is when the conventions had all been read and those that
	// needed no usage computed.
	Streamed time.Duration `json:"streamed_ns"`
}

// RequestFunc returns the request of convention c's statement for the
// period from–to under terms t: at least the period; the actual costs of
// the year for the modes that share one. c.Parties is valid only during the
// call (ComputeAll reuses its memory).
type RequestFunc func(c Convention, t Terms, from, to civil.Date) Request

// ComputeAll computes, without storing anything, the statement of every
// convention with financial terms for the period from–to, as the creditors
// would draft them, and passes each to fn (with its error when the rules
// refuse it); request supplies each statement's request. It reads set-wise:
// the usage of the period is summed by one GROUP BY (UsageSQL, sorted by
// convention) while the conventions, their terms and parties stream in
// (phase 1); the conventions that do not bill by use are computed
// meanwhile, the others are parked, and each is computed as soon as its
// sums have been read. The statements are those Compute drafts one by one
// (the same inputs and figures), without the explanation in words
// (Statement and Draft write it). fn is called from several goroutines, one
// statement at a time each. Only a platform admin or the system may run it.
func (s *Service) ComputeAll(ctx context.Context, actor auth.Actor, from, to civil.Date, request RequestFunc,
	fn func(Statement, error) error) (Batch, error) {
	if err := auth.RequirePlatformAdmin(actor); err != nil {
		return Batch{}, fail("compute all", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	started := time.Now()

	// The usage sums take longest: start them first. They come sorted by
	// convention, and are read once the conventions that wait for them
	// are all parked (phase 1), each convention computed as soon as its
	// sums are in.
	var groups int
	var useErr error
	var aggregated time.Duration
	ready := make(chan usagePhase, 1)
	usageDone := make(chan struct{})
	go func() {
		defer close(usageDone)
		groups, useErr = s.dispatchUsage(ctx, from, to, ready, func() { aggregated = time.Since(started) })
	}()
	orgs, err := s.loadOrganisations(ctx)
	if err != nil {
		cancel()
		<-usageDone
		return Batch{}, fail("compute all", err)
	}

	r := batchRun{request: request, fn: fn, from: from, to: to, cancel: cancel, pops: map[popKey]bool{}, orgs: orgs,
		docs: make(docBuffers, 4096)}
	// Phase 1: decode and compute what needs no usage nor population while
	// the conventions stream in; park the rest.
	jobs := r.start(r.first)
	n, err := s.streamConventions(ctx, r.docs, func(j *batchJob) bool {
		select {
		case jobs <- j:
			return true
		case <-ctx.Done():
			return false
		}
	})
	r.stop(jobs)
	r.b.Streamed = time.Since(started)
	// Phase 2: the legal populations; then the usage sums, as they come.
	var pops map[popKey]map[int64]popFigure
	if err == nil && r.err == nil {
		pops, err = s.loadPopulationSets(ctx, r.pops)
	}
	if err == nil && r.err == nil {
		r.run(r.waitPops, pops)
		slices.SortFunc(r.waitUsage, func(a, b *batchJob) int { return cmp.Compare(a.c.ID, b.c.ID) })
		jobs := r.start(r.compute)
		ready <- usagePhase{jobs: jobs, parked: r.waitUsage, pops: pops}
		<-usageDone
		r.b.Read = time.Since(started)
		r.stop(jobs)
		err = useErr
	} else {
		cancel()
		<-usageDone
	}
	b := r.b
	b.Conventions, b.UsageGroups, b.Aggregated = n, groups, aggregated
	b.Compute = time.Since(started) - b.Read
	switch {
	case r.err != nil:
		return b, r.err
	case err != nil:
		return b, fail("compute all", err)
	}
	return b, ctx.Err()
}

// usagePhase is what dispatchUsage needs to hand the conventions that wait
// for usage to the workers: the workers' channel, the conventions sorted by
// id, and the legal populations some of them need too.
type usagePhase struct {
	jobs   chan<- *batchJob
	parked []*batchJob
	pops   map[popKey]map[int64]popFigure
}

// usageOrder sorts UsageSQL's sums by convention (one integer key: the
// cheapest sort); compute sorts each convention's few sums as the
// one-by-one computation reads them.
const usageOrder = ` ORDER BY agreement_id`

// dispatchUsage runs UsageSQL sorted by convention and, once ready says
// which conventions wait for usage, sends each to the workers with its sums
// as soon as they are read (and those without usage in the period with
// none). It returns the number of sums read; first is called when the first
// arrives.
func (s *Service) dispatchUsage(ctx context.Context, from, to civil.Date, ready <-chan usagePhase, first func()) (int, error) {
	n := 0
	err := s.batchRead(ctx, UsageSQL+usageOrder, []any{from.String(), to.String()}, func(rows batchRows) error {
		var ph usagePhase
		select {
		case ph = <-ready:
		case <-ctx.Done():
			return ctx.Err()
		}
		// send hands parked convention i to the workers with its sums, and
		// forgets it, so that it may be collected once computed.
		send := func(i int, usage []UsageTotal) error {
			j := ph.parked[i]
			ph.parked[i] = nil
			j.pops = ph.pops
			if len(usage) > 0 {
				j.usage = slices.Clone(usage)
			}
			select {
			case ph.jobs <- j:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		var (
			next      int               // the next parked convention
			cur                    = -1 // the parked convention of the sums being read, if any
			curID     int64        = -1 // its id
			sums      []UsageTotal      // its sums so far
			id        int64
			u         UsageTotal
			unit, typ = newInternText(), newInternText()
			dest      = []any{&id, &u.Party, unit, typ, &u.Milli, &u.Records} // made once
		)
		for rows.Next() {
			if n == 0 {
				first()
			}
			n++
			if err := scanRow(rows, dest); err != nil {
				return err
			}
			if id != curID {
				if id < curID {
					return fmt.Errorf("the sums are not sorted by convention (%d after %d)", id, curID)
				}
				if cur >= 0 {
					if err := send(cur, sums); err != nil {
						return err
					}
				}
				cur, curID, sums = -1, id, sums[:0]
				for ; next < len(ph.parked) && ph.parked[next].c.ID <= id; next++ {
					if ph.parked[next].c.ID == id {
						cur = next
					} else if err := send(next, nil); err != nil {
						return err
					}
				}
			}
			if cur >= 0 {
				u.Unit, u.Type = unit.s, typ.s
				sums = append(sums, u)
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if cur >= 0 {
			if err := send(cur, sums); err != nil {
				return err
			}
		}
		for ; next < len(ph.parked); next++ {
			if err := send(next, nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return n, fmt.Errorf("usage: %w", err)
	}
	return n, nil
}

// batchRun is the state of a ComputeAll: the jobs parked for phase 2 and
// the totals, shared by the workers under mu.
type batchRun struct {
	orgs      orgTable
	docs      docBuffers
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
func (r *batchRun) start(work func(*batchJob, *batchWorker)) chan *batchJob {
	jobs := make(chan *batchJob, 1024)
	workers := runtime.GOMAXPROCS(0)
	r.wg.Add(workers)
	for range workers {
		go func() {
			defer r.wg.Done()
			var w batchWorker
			for j := range jobs {
				work(j, &w)
			}
			local := w.b
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

// run computes parked jobs with the populations they waited for.
func (r *batchRun) run(parked []*batchJob, pops map[popKey]map[int64]popFigure) {
	jobs := r.start(r.compute)
	for i, j := range parked {
		j.pops = pops
		parked[i] = nil // computed, it may be collected
		jobs <- j
	}
	r.stop(jobs)
}

// first decodes a job's terms and computes it, or parks it.
func (r *batchRun) first(j *batchJob, w *batchWorker) {
	err := w.terms.decode(j.doc, &j.terms)
	r.docs.put(j.doc) // the terms keep no part of it
	j.doc = nil
	if err != nil {
		r.fail(fmt.Errorf("terms of convention %d: %w", j.c.ID, err))
		return
	}
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
	r.compute(j, w)
}

// batchWorker is what a worker keeps between jobs: its totals, room for a
// convention's parties, and its terms decoder.
type batchWorker struct {
	b       Batch
	parties []PartyRef
	terms   termsDecoder
}

// resolveParties builds job j's request and resolves what of its statement
// needs no gathered data (resolveParties).
func (r *batchRun) resolveParties(j *batchJob, w *batchWorker) (Inputs, error) {
	// The convention's parties live in the worker's room: the inputs copy
	// what they keep of them.
	w.parties = slices.Grow(w.parties[:0], len(j.parties))[:len(j.parties)]
	for i, p := range j.parties {
		r.orgs.get(p.org, &w.parties[i])
		w.parties[i].Role = p.role
	}
	j.c.Parties = w.parties
	req := r.request(j.c, j.terms, r.from, r.to)
	req.AgreementID = j.c.ID
	in, err := resolveParties(j.c, j.terms, req)
	j.c.Parties = nil
	return in, err
}

// compute computes one statement and hands it to fn.
func (r *batchRun) compute(j *batchJob, w *batchWorker) {
	in, err := r.resolveParties(j, w)
	st := Statement{AgreementID: j.c.ID}
	if err == nil {
		if len(j.usage) > 1 {
			// In the order the one-by-one computation reads them (usage.Sum).
			slices.SortFunc(j.usage, func(a, b UsageTotal) int {
				return cmp.Or(cmp.Compare(a.Party, b.Party), strings.Compare(a.Unit, b.Unit), strings.Compare(a.Type, b.Type))
			})
		}
		st, err = evaluateStatement(j.c.ID, in, j.terms, gathered{usage: j.usage, populations: j.pops})
	}
	local := &w.b
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

// batchRows is a result set of one of ComputeAll's reads: *sql.Rows, or
// on PostgreSQL pgx.Rows, which scan straight into the destinations
// without database/sql's intermediate values.
type batchRows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// scanRow scans the current row into dest. For a pgx row whose columns
// are all binary integers or texts scanned into *int64, *string or a
// pgtype.BytesScanner, it reads the driver's bytes itself, sparing pgx's
// general scanning (the conventions, their parties and the usage sums are
// over a million rows); anything else (a NULL…) goes through Scan.
func scanRow(rows batchRows, dest []any) error {
	pr, ok := rows.(pgx.Rows)
	if !ok {
		return rows.Scan(dest...)
	}
	fields, values := pr.FieldDescriptions(), pr.RawValues()
	if len(fields) != len(dest) || len(values) != len(dest) {
		return rows.Scan(dest...)
	}
	for i, d := range dest {
		f, v := fields[i], values[i]
		switch d.(type) {
		case *int64:
			ok = f.DataTypeOID == pgtype.Int8OID && f.Format == pgtype.BinaryFormatCode && len(v) == 8
		case *string, pgtype.BytesScanner:
			ok = f.DataTypeOID == pgtype.TextOID && v != nil
		default:
			ok = false
		}
		if !ok {
			return rows.Scan(dest...)
		}
	}
	for i, d := range dest {
		switch d := d.(type) {
		case *int64:
			*d = int64(binary.BigEndian.Uint64(values[i]))
		case *string:
			*d = string(values[i])
		case pgtype.BytesScanner:
			if err := d.ScanBytes(values[i]); err != nil {
				return err
			}
		}
	}
	return nil
}

// batchRead runs query (with "?" placeholders) for one of ComputeAll's
// concurrent reads and passes its rows to fn. On PostgreSQL each read has
// its own connection, used through pgx directly, and runs in a read-only
// transaction with JIT compilation off (compiling these one-off scans costs
// more than it saves) and room for the GROUP BY to hash in memory; the
// benchmark's baseline reads the same way (UsageBaseline).
func (s *Service) batchRead(ctx context.Context, query string, args []any, fn func(batchRows) error) error {
	if s.db.Dialect != store.Postgres {
		rows, err := s.db.Reader().QueryContext(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		if err := fn(rows); err != nil {
			return err
		}
		return rows.Err()
	}
	conn, err := s.db.Raw().Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(driverConn any) error {
		pc := driverConn.(*stdlib.Conn).Conn()
		tx, err := pc.BeginTx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly})
		if err != nil {
			return err
		}
		defer tx.Rollback(context.WithoutCancel(ctx))
		if _, err := tx.Exec(ctx, `SET LOCAL jit = off; SET LOCAL work_mem = '128MB'`); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, store.Postgres.Rebind(query), args...)
		if err != nil {
			return store.MapError(err)
		}
		defer rows.Close()
		if err := fn(rows); err != nil {
			return err
		}
		return rows.Err()
	})
}

// UsageBaseline runs UsageSQL alone, through the same client and session
// settings as ComputeAll's reads, and reads every row: what the engine's
// year is measured against. It returns the number of groups and the sum of
// their quantities. Only a platform admin or the system may run it.
func (s *Service) UsageBaseline(ctx context.Context, actor auth.Actor, from, to civil.Date) (int, int64, error) {
	if err := auth.RequirePlatformAdmin(actor); err != nil {
		return 0, 0, fail("usage baseline", err)
	}
	n, total := 0, int64(0)
	err := s.batchRead(ctx, UsageSQL, []any{from.String(), to.String()}, func(rows batchRows) error {
		var agreement, user, milli, count int64
		var unit, typ string
		for rows.Next() {
			if err := rows.Scan(&agreement, &user, &unit, &typ, &milli, &count); err != nil {
				return err
			}
			n++
			total += milli
		}
		return nil
	})
	if err != nil {
		return 0, 0, fail("usage baseline", err)
	}
	return n, total, nil
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
	in, err := resolveParties(c, t, req)
	if err != nil {
		return Statement{AgreementID: c.ID}, err
	}
	return evaluateStatement(c.ID, in, t, d)
}

// evaluateStatement completes inputs in, resolved by resolveParties, with
// the gathered data and evaluates them, without words.
func evaluateStatement(id int64, in Inputs, t Terms, d gathered) (Statement, error) {
	if err := resolveTerms(&in, t, in.Request, d); err != nil {
		return Statement{AgreementID: id}, err
	}
	r, err := evaluate(in, false)
	if err != nil {
		return Statement{AgreementID: id, Inputs: in}, err
	}
	return Statement{AgreementID: id, Version: 1, Status: Draft, FiscalYear: in.To.Year, Inputs: in, Result: r}, nil
}

// streamConventions reads every convention with financial terms, in id
// order, merged with its current parties (two ordered queries read side by
// side, the parties kept as organisation ids until the statement is
// computed), and passes each to fn until fn returns false. It returns how
// many it read.
func (s *Service) streamConventions(ctx context.Context, docs docBuffers, fn func(*batchJob) bool) (int, error) {
	n := 0
	err := s.batchRead(ctx, `SELECT a.id, a.reference, a.title, a.kind, a.status, a.lead_org_id, a.start_date, a.end_date, t.terms
		FROM agreements a JOIN ledger_terms t ON t.agreement_id = a.id ORDER BY a.id`, nil, func(convs batchRows) error {
		return s.batchRead(ctx, `SELECT p.agreement_id, p.org_id, p.role FROM agreement_parties p
			WHERE p.is_current = ? ORDER BY p.agreement_id`, []any{true}, func(parties batchRows) error {
			var (
				c                  Convention // the convention being read
				kind, status, role = newInternText(), newInternText(), newInternText()
				doc                = &docScan{free: docs}
				pid, org           int64
				pending            bool         // a party row read but not yet used
				ps                 []batchParty // the parties of the convention being read
				// The destinations, made once: a variadic call would make
				// them anew for every row.
				convDest  = []any{&c.ID, &c.Reference, &c.Title, kind, status, &c.LeadOrgID, (*dateText)(&c.Start), (*dateText)(&c.End), doc}
				partyDest = []any{&pid, &org, role}
			)
			for convs.Next() {
				if err := scanRow(convs, convDest); err != nil {
					return fmt.Errorf("conventions: %w", err)
				}
				c.Kind, c.Status = agreement.Kind(kind.s), agreement.Status(status.s)
				for {
					if !pending {
						if !parties.Next() {
							break
						}
						if err := scanRow(parties, partyDest); err != nil {
							return fmt.Errorf("parties: %w", err)
						}
						pending = true
					}
					if pid > c.ID {
						break
					}
					pending = false
					if pid < c.ID {
						continue // a convention without terms
					}
					ps = append(ps, batchParty{org: org, role: agreement.Role(role.s)})
				}
				j := &batchJob{c: c, doc: doc.b, parties: slices.Clone(ps)}
				ps = ps[:0]
				n++
				if !fn(j) {
					return ctx.Err()
				}
			}
			return nil
		})
	})
	return n, err
}

// docBuffers recycles the buffers that carry terms documents from the
// reader to the workers, which decode them and give them back.
type docBuffers chan []byte

func (f docBuffers) get() []byte {
	select {
	case b := <-f:
		return b[:0]
	default:
		return nil
	}
}

func (f docBuffers) put(b []byte) {
	select {
	case f <- b:
	default:
	}
}

// docScan scans a terms document into a recycled buffer; on PostgreSQL from
// the driver's bytes (pgtype.BytesScanner).
type docScan struct {
	free docBuffers
	b    []byte
}

// ScanBytes implements pgtype.BytesScanner.
func (d *docScan) ScanBytes(v []byte) error {
	d.b = append(d.free.get(), v...)
	return nil
}

// Scan implements sql.Scanner.
func (d *docScan) Scan(src any) error {
	switch v := src.(type) {
	case []byte:
		return d.ScanBytes(v)
	case string:
		d.b = append(d.free.get(), v...)
		return nil
	}
	return fmt.Errorf("cannot scan %T into terms", src)
}

// internText scans a text column of few distinct values (a kind, a role,
// a unit) into one shared string per value, allocating only for a value
// not seen before: on PostgreSQL it reads the driver's bytes
// (pgtype.BytesScanner), through database/sql the value given.
type internText struct {
	seen map[string]string
	s    string
}

func newInternText() *internText { return &internText{seen: map[string]string{}} }

// ScanBytes implements pgtype.BytesScanner: v is the driver's memory.
func (t *internText) ScanBytes(v []byte) error {
	s, ok := t.seen[string(v)] // no allocation for the lookup
	if !ok {
		s = string(v)
		t.seen[s] = s
	}
	t.s = s
	return nil
}

// Scan implements sql.Scanner.
func (t *internText) Scan(src any) error {
	switch v := src.(type) {
	case []byte:
		return t.ScanBytes(v)
	case string:
		s, ok := t.seen[v]
		if !ok {
			s = v
			t.seen[s] = s
		}
		t.s = s
		return nil
	}
	return fmt.Errorf("cannot scan %T into text", src)
}

// dateText scans a civil date stored as ISO text; on PostgreSQL from the
// driver's bytes (pgtype.BytesScanner), without an intermediate string.
type dateText civil.Date

// ScanBytes implements pgtype.BytesScanner; nil (NULL) is the zero Date.
func (d *dateText) ScanBytes(v []byte) error {
	if v == nil {
		*d = dateText{}
		return nil
	}
	return (*civil.Date)(d).UnmarshalText(v)
}

// Scan implements sql.Scanner.
func (d *dateText) Scan(src any) error { return (*civil.Date)(d).Scan(src) }

// orgTable holds every organisation as a party of statements, by id: in a
// slice when the ids are dense enough, as they are.
type orgTable struct {
	dense  []PartyRef // by id; OrgID 0 for none
	sparse map[int64]PartyRef
}

// get sets *p to organisation id, or to the zero PartyRef.
func (o *orgTable) get(id int64, p *PartyRef) {
	if id >= 0 && id < int64(len(o.dense)) {
		*p = o.dense[id]
		return
	}
	*p = o.sparse[id]
}

// loadOrganisations reads every organisation as a party of statements.
func (s *Service) loadOrganisations(ctx context.Context) (orgTable, error) {
	var all []PartyRef
	maxID := int64(0)
	err := s.batchRead(ctx, `SELECT `+partyColumns+` FROM organisations o LEFT JOIN communes c ON c.code = o.commune_code`, nil,
		func(rows batchRows) error {
			for rows.Next() {
				var p PartyRef
				var kind string
				if err := rows.Scan(&p.OrgID, &p.Name, &p.SIREN, &kind, &p.CommuneCode, &p.EPCISIREN); err != nil {
					return err
				}
				p.Kind = agreement.OrgKind(kind)
				all = append(all, p)
				maxID = max(maxID, p.OrgID)
			}
			return nil
		})
	if err != nil {
		return orgTable{}, fmt.Errorf("organisations: %w", err)
	}
	var o orgTable
	if maxID < int64(4*len(all)+1024) {
		o.dense = make([]PartyRef, maxID+1)
		for _, p := range all {
			if p.OrgID >= 0 {
				o.dense[p.OrgID] = p
				continue
			}
			if o.sparse == nil {
				o.sparse = map[int64]PartyRef{}
			}
			o.sparse[p.OrgID] = p
		}
		return o, nil
	}
	o.sparse = make(map[int64]PartyRef, len(all))
	for _, p := range all {
		o.sparse[p.OrgID] = p
	}
	return o, nil
}

// UsageSQL is the query that sums the usage of a period by convention,
// user, unit and type: the baseline the benchmark compares ComputeAll with,
// and ComputeAll's own read of the usage (with usageOrder).
const UsageSQL = `SELECT agreement_id, user_org_id, unit, act_type, CAST(SUM(quantity_milli) AS BIGINT), COUNT(*) FROM usage_records
	WHERE agreement_id IS NOT NULL AND occurred_on >= ? AND occurred_on <= ?
	GROUP BY agreement_id, user_org_id, unit, act_type`

// loadPopulationSets reads the sets of legal populations keys take from the
// database.
func (s *Service) loadPopulationSets(ctx context.Context, sets map[popKey]bool) (map[popKey]map[int64]popFigure, error) {
	out := map[popKey]map[int64]popFigure{}
	for k := range sets {
		query := `SELECT o.id, cp.value, cp.source, cp.vintage FROM commune_populations cp
			JOIN organisations o ON o.commune_code = cp.commune_code WHERE cp.measure = ? AND cp.vintage = ?`
		args := []any{k.measure, k.vintage}
		if k.source != "" {
			query += ` AND cp.source = ?`
			args = append(args, k.source)
		}
		set := map[int64]popFigure{}
		err := s.batchRead(ctx, query, args, func(rows batchRows) error {
			for rows.Next() {
				var org int64
				var f popFigure
				if err := rows.Scan(&org, &f.value, &f.source, &f.vintage); err != nil {
					return err
				}
				if _, dup := set[org]; dup && k.source == "" {
					return fmt.Errorf("%w: populations %s %s of two sources: name the source in the key", errAmbiguous, k.measure, k.vintage)
				}
				set[org] = f
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("populations: %w", err)
		}
		out[k] = set
	}
	return out, nil
}
