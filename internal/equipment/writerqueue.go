package equipment

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"voisines/internal/audit"
	"voisines/internal/auth"
	"voisines/internal/store"
)

// Group commit
//
// Single bookings are written in groups: the requests that arrive while a
// group is being written wait, and the next group writes them all in one
// transaction, which costs one commit (one set of WAL frames on SQLite, one
// fsync on PostgreSQL) instead of one each. Each booking still succeeds or
// fails alone: its slots are inserted with ON CONFLICT DO NOTHING, the
// primary key of booking_slots still deciding, and a booking that did not
// get all its quarters removes what it wrote and gets its own
// *ConflictError, naming the booking that holds the slot (perhaps one of
// the same group), while the others go on. An unexpected error fails the
// group; its bookings are then written again one transaction each, so that
// a bad request fails alone too. Nobody is answered before the commit.
//
// On SQLite there is one writer, so one group at a time; the waiting
// requests are taken first come, first served (database/sql would hand the
// writer connection over in random order, which stretches the latency
// tail), and a group books in arrival order. On PostgreSQL a few groups run
// at once; each books in (equipment, start) order, so that two groups
// waiting on each other's slots always wait in the same direction and
// never deadlock; the audit log's lock serialises them only from their
// audit records to their commit.
//
// Groups are written by writer goroutines, started when a job finds no
// writer free and ending when the queue is empty: a writer that has
// answered a group takes the next one at once, while it still runs. (Handing
// the next group to one of its waiting requests instead left the writer
// idle while that request waited for a processor behind every goroutine
// the last group had just woken: a fifth of the time under load.)
//
// Gathering. On SQLite much of a booking's write is the same for a whole
// group: the transaction, the audit chain's head, the commit's log frames
// (a dozen pages for a booking written alone, two system calls each). At
// 2,250 requests a second the groups held 2.4 bookings on average (each
// arrived while the last group was written) and the writer was busy three
// quarters of the time. So when bookings are being made concurrently, the
// writer lets a group gather for up to gatherFor after its oldest booking
// arrived, or until it holds gatherUpTo: a booking waits at most gatherFor
// more. Gathering for 1 ms made the groups hold 4.6 on average and took a
// tenth off the CPU per request; 2 ms makes them hold 7.2, and the p99
// of interleaved runs at 2,250/s was lower in 8 pairs of 12, the slowest
// runs' most of all, for 0.8 ms more at the median (see the README's
// benchmarks). Concurrency is how many other bookings were in progress
// when each one arrived, on average over the last few dozen: a client
// booking alone, one request after the other, never waits, since nothing
// else could join its group.

const (
	// maxGroup is the most bookings one transaction writes.
	maxGroup = 64
	// gatherFor is the longest a booking waits for others to join its
	// group, counted from its arrival; gatherUpTo is the group size at
	// which the writer stops waiting.
	gatherFor  = 2 * time.Millisecond
	gatherUpTo = 16
	// gatherWhenConcurrent is the average number of other bookings in
	// progress at an arrival from which the writer gathers.
	gatherWhenConcurrent = 1.0
)

// bookingJob is one booking waiting to be written.
type bookingJob struct {
	ctx   context.Context
	actor auth.Actor
	p     prepared
	r     Request   // normalised: UTC times, trimmed purpose
	seq   uint64    // arrival order
	at    time.Time // when it queued
	// detail is the audit record's detail, encoded before the job queues
	// so that the writer does not.
	detail json.RawMessage

	// Set by the group that wrote it.
	booking Booking
	err     error
	// done is closed when the job is written or has failed.
	done chan struct{}
}

// writerQueue hands groups of booking jobs to the writers.
type writerQueue struct {
	mu      sync.Mutex
	pending []*bookingJob
	writers int    // writer goroutines running
	lanes   int    // most writers at once: 1 on SQLite
	seq     uint64 // last arrival number
	ordered bool   // book each group in (equipment, start) order

	// inProgress counts the bookings between Book's start and its end;
	// concurrency is the average of the others in progress at each
	// arrival.
	inProgress  atomic.Int64
	concurrency float64
	// arrived wakes a gathering writer when a booking queues; nil where
	// groups do not gather (PostgreSQL: see Gathering above).
	arrived chan struct{}
}

func newWriterQueue(db *store.DB) *writerQueue {
	if db.Dialect == store.SQLite {
		return &writerQueue{lanes: 1, arrived: make(chan struct{}, 1)}
	}
	return &writerQueue{lanes: 4, ordered: true}
}

// begin counts a booking in progress until the returned func is called.
func (q *writerQueue) begin() (end func()) {
	q.inProgress.Add(1)
	return func() { q.inProgress.Add(-1) }
}

// gatherWait returns how long the writer should let the next group gather:
// until gatherFor after its oldest booking arrived, when the queue holds
// fewer than gatherUpTo and bookings are being made concurrently; else 0.
// q.mu is held.
func (q *writerQueue) gatherWait(now time.Time) time.Duration {
	if q.arrived == nil || len(q.pending) == 0 || len(q.pending) >= gatherUpTo || q.concurrency < gatherWhenConcurrent {
		return 0
	}
	return max(q.pending[0].at.Add(gatherFor).Sub(now), 0)
}

// noteArrival updates the average number of other bookings in progress
// when one arrives, over about the last 32 arrivals; q.mu is held.
func (q *writerQueue) noteArrival() {
	others := float64(max(q.inProgress.Load()-1, 0))
	q.concurrency += (others - q.concurrency) / 32
}

// write writes j, in a group with whatever else is waiting, and returns
// when j is committed or has failed.
func (s *Service) write(j *bookingJob) {
	q := s.writer
	j.done = make(chan struct{})
	q.mu.Lock()
	q.seq++
	j.seq, j.at = q.seq, time.Now()
	q.noteArrival()
	q.pending = append(q.pending, j)
	// A running writer takes every job queued before it ends; a new one
	// starts only when a lane is free.
	start := q.writers < q.lanes
	if start {
		q.writers++
	}
	q.mu.Unlock()
	q.wake()
	if start {
		go s.writeQueue()
	}
	<-j.done
}

// writeQueue writes groups until the queue is empty.
func (s *Service) writeQueue() {
	q := s.writer
	for {
		q.mu.Lock()
		if len(q.pending) == 0 {
			q.writers--
			q.mu.Unlock()
			return
		}
		if wait := q.gatherWait(time.Now()); wait > 0 {
			q.mu.Unlock()
			q.waitForGroup(wait)
			q.mu.Lock()
		}
		group := q.take()
		q.mu.Unlock()
		s.writeGroupSafely(group)
		for _, j := range group {
			close(j.done)
		}
	}
}

// writeGroupSafely writes group; a panic, which rolled the transaction
// back, fails the whole group and is logged, and the writer goes on.
func (s *Service) writeGroupSafely(group []*bookingJob) {
	defer func() {
		if p := recover(); p != nil {
			slog.Error("equipment: booking group panicked", "panic", p, "stack", string(debug.Stack()))
			for _, g := range group {
				g.booking, g.err = Booking{}, fmt.Errorf("equipment: booking not written: %v", p)
			}
		}
	}()
	s.writeGroup(group)
}

// wake tells a gathering writer that a booking has queued.
func (q *writerQueue) wake() {
	if q.arrived == nil {
		return
	}
	select {
	case q.arrived <- struct{}{}:
	default: // a wake-up is waiting already: the writer counts the queue then
	}
}

// waitForGroup waits until the queue holds gatherUpTo bookings or wait has
// passed.
func (q *writerQueue) waitForGroup(wait time.Duration) {
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		select {
		case <-q.arrived:
			q.mu.Lock()
			n := len(q.pending)
			q.mu.Unlock()
			if n >= gatherUpTo {
				return
			}
		case <-timer.C:
			return
		}
	}
}

// take removes the next group from the queue, oldest first; q.mu is held.
func (q *writerQueue) take() []*bookingJob {
	n := min(len(q.pending), maxGroup)
	group := slices.Clone(q.pending[:n])
	q.pending = q.pending[n:]
	return group
}

// writeGroup writes a group of bookings in one transaction, and when that
// fails for another reason than a slot already held, each of them in its
// own.
func (s *Service) writeGroup(group []*bookingJob) {
	live := group[:0:0]
	for _, j := range group {
		if err := j.ctx.Err(); err != nil {
			j.err = err // the client left while it waited
			continue
		}
		live = append(live, j)
	}
	if len(live) == 0 {
		return
	}
	if s.writer.ordered {
		slices.SortFunc(live, func(a, b *bookingJob) int {
			return cmp.Or(cmp.Compare(a.r.EquipmentID, b.r.EquipmentID), a.r.Start.Compare(b.r.Start), cmp.Compare(a.seq, b.seq))
		})
	}
	err := s.commitGroup(live)
	if err == nil {
		return
	}
	if len(live) == 1 {
		live[0].booking, live[0].err = Booking{}, err
		return
	}
	for _, j := range live {
		if err := s.commitGroup([]*bookingJob{j}); err != nil {
			j.booking, j.err = Booking{}, err
		}
	}
}

// commitGroup books every job of the group in one transaction. A job whose
// slot is taken gets its *ConflictError in j.err and writes nothing; an
// error returned means nothing was written.
func (s *Service) commitGroup(group []*bookingJob) error {
	// One request's cancellation must not roll back the others' bookings.
	// On PostgreSQL a deadline still bounds a group stuck on the network.
	// SQLite's statements run in this process and its lock waits are
	// bounded by busy_timeout; a context that can end would only make the
	// driver start a watcher goroutine for every statement of the group.
	ctx := context.WithoutCancel(group[0].ctx)
	if s.db.Dialect == store.Postgres {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
	}
	for _, j := range group {
		j.booking, j.err = Booking{}, nil
	}
	ids := make([]int64, len(group))
	for i, j := range group {
		ids[i] = j.r.EquipmentID
	}
	slices.Sort(ids)
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		now := s.clock()
		// The equipment may have been withdrawn since the request was
		// checked.
		active, err := lockActive(ctx, tx, ids)
		if err != nil {
			return err
		}
		todo := make([]*bookingJob, 0, len(group))
		for _, j := range group {
			if !active[j.r.EquipmentID] {
				j.err = errInactive
				continue
			}
			todo = append(todo, j)
		}
		if err := insertBookingRows(ctx, tx, todo, now); err != nil {
			return err
		}
		for _, j := range todo {
			held, err := holdSlotsIfFree(ctx, tx, j.booking.ID, j.p.equipment.ID, j.booking.Interval())
			if err != nil {
				return err
			}
			if !held {
				ce, err := s.conflictIn(ctx, tx, j.r.EquipmentID, Interval{j.r.Start, j.r.End})
				if err != nil {
					return err
				}
				j.booking, j.err = Booking{}, ce
			}
		}
		// The audit records last, all in one go: on PostgreSQL the log's
		// lock is held from the first of them to the commit.
		entries := make([]audit.Entry, 0, len(group))
		for _, j := range group {
			if j.err != nil {
				continue
			}
			entries = append(entries, j.actor.Audit(j.r.RequesterOrgID, "booking.request", "booking",
				strconv.FormatInt(j.booking.ID, 10), j.detail))
		}
		return audit.RecordMany(ctx, tx, entries)
	})
}

// bookingRowsChunk is the most booking rows one statement inserts.
const bookingRowsChunk = 16

// insertBookingRows writes the rows of the jobs' bookings, without their
// slots, a few per statement, and sets j.booking.
func insertBookingRows(ctx context.Context, tx *store.Tx, jobs []*bookingJob, now time.Time) error {
	for len(jobs) > 0 {
		chunk := jobs[:min(len(jobs), bookingRowsChunk)]
		jobs = jobs[len(chunk):]
		args := make([]any, 0, 16*len(chunk))
		for _, j := range chunk {
			b, a := bookingRow(j.actor, j.p, KindBooking, j.r.RequesterOrgID, j.r.AgreementID, 0, Interval{j.r.Start, j.r.End}, j.r.Purpose, now)
			j.booking = b
			args = append(args, a...)
		}
		rows, err := tx.QueryContext(ctx, insertBookings(len(chunk)), args...)
		if err != nil {
			return err
		}
		ids := make([]int64, 0, len(chunk))
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if len(ids) != len(chunk) {
			return fmt.Errorf("equipment: %d booking rows written for %d", len(ids), len(chunk))
		}
		// Both engines number the rows of one statement in the order of
		// its VALUES; RETURNING need not list them in that order.
		slices.Sort(ids)
		for i, j := range chunk {
			j.booking.ID = ids[i]
		}
	}
	return nil
}

// holdSlotsIfFree holds the slots of a booking whose row is written,
// unless one of them is held already: then it removes the booking's slots
// and row, and held is false. The primary key of booking_slots decides, as
// for every other write; ON CONFLICT DO NOTHING only turns its refusal into
// a count instead of an error, which on PostgreSQL would abort the whole
// group's transaction.
func holdSlotsIfFree(ctx context.Context, tx *store.Tx, bookingID, equipmentID int64, iv Interval) (held bool, err error) {
	first, last := quarterOf(iv.Start), quarterOf(iv.End)
	for q := first; q < last; q += slotBatch {
		end := min(q+slotBatch, last)
		args := make([]any, 0, 3*(end-q))
		for k := q; k < end; k++ {
			args = append(args, equipmentID, k, bookingID)
		}
		res, err := tx.ExecContext(ctx, slotInsert(end-q)+" ON CONFLICT DO NOTHING", args...)
		if err != nil {
			return false, err
		}
		if n, err := res.RowsAffected(); err != nil {
			return false, err
		} else if n < end-q {
			if _, err := tx.ExecContext(ctx, `DELETE FROM booking_slots WHERE booking_id = ?`, bookingID); err != nil {
				return false, err
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM bookings WHERE id = ?`, bookingID); err != nil {
				return false, err
			}
			return false, nil
		}
	}
	return true, nil
}

// conflictIn explains, inside the transaction that found it, why an
// interval could not be booked: the booking or blackout holding its first
// taken quarter, committed or written earlier in the same group.
func (s *Service) conflictIn(ctx context.Context, tx store.Querier, equipmentID int64, iv Interval) (*ConflictError, error) {
	req, clash, kind, found, err := firstClash(ctx, tx, equipmentID, []Interval{iv}, 0)
	if err != nil {
		return nil, err
	}
	if !found {
		return &ConflictError{Requested: iv, Message: "Ce créneau vient d'être réservé par quelqu'un d'autre. Rechargez le calendrier et choisissez un autre créneau."}, nil
	}
	return newConflict(req, clash, kind, false), nil
}
