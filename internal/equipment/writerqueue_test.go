package equipment

import (
	"strings"
	"testing"
	"time"
)

// TestAPanicFailsItsGroupOnly checks that a group whose writing panics is
// answered with an error for each of its bookings, and that the writer
// goroutine survives it: nothing reaches the requests as a panic.
func TestAPanicFailsItsGroupOnly(t *testing.T) {
	s := &Service{}
	// A job without a context makes writeGroup panic on its first look.
	group := []*bookingJob{{}, {}}
	s.writeGroupSafely(group)
	for i, j := range group {
		if j.err == nil || !strings.Contains(j.err.Error(), "booking not written") {
			t.Fatalf("job %d: got error %v, want the group's panic as an error", i, j.err)
		}
	}
}

func TestTheWriterGathersGroupsOnlyUnderConcurrentLoad(t *testing.T) {
	now := time.Date(2031, 1, 6, 10, 0, 0, 0, time.UTC)
	queue := func(concurrency float64, ages ...time.Duration) *writerQueue {
		q := &writerQueue{lanes: 1, arrived: make(chan struct{}, 1), concurrency: concurrency}
		for _, age := range ages {
			q.pending = append(q.pending, &bookingJob{at: now.Add(-age)})
		}
		return q
	}
	full := make([]time.Duration, gatherUpTo)
	tests := []struct {
		name string
		q    *writerQueue
		want time.Duration
	}{
		{"a booking arriving while others are in progress waits for company", queue(2, 0), gatherFor},
		{"the wait counts from the oldest booking's arrival", queue(2, 300*time.Microsecond, 0), gatherFor - 300*time.Microsecond},
		{"a booking that waited its time already is written at once", queue(2, 2*gatherFor), 0},
		{"a full group is written at once", queue(5, full...), 0},
		{"a client booking alone never waits", queue(0, 0), 0},
		{"nor under a light load", queue(gatherWhenConcurrent/2, 0), 0},
		{"PostgreSQL's writers do not gather", &writerQueue{lanes: 4, concurrency: 5, pending: []*bookingJob{{at: now}}}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.q.gatherWait(now); got != tt.want {
				t.Errorf("gatherWait: got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestConcurrencyIsTheAverageOfTheOtherBookingsInProgressAtEachArrival(t *testing.T) {
	q := &writerQueue{}
	end := q.begin() // a lone client: only its own booking in progress
	for range 100 {
		q.noteArrival()
	}
	if q.concurrency != 0 {
		t.Fatalf("one booking at a time: got concurrency %v, want 0", q.concurrency)
	}
	var ends []func()
	for range 4 {
		ends = append(ends, q.begin())
	}
	for range 200 {
		q.noteArrival()
	}
	if q.concurrency < 3.9 || q.concurrency > 4 {
		t.Fatalf("five bookings in progress: got concurrency %v, want about 4", q.concurrency)
	}
	for _, e := range append(ends, end) {
		e()
	}
	if n := q.inProgress.Load(); n != 0 {
		t.Fatalf("after every booking ended: %d still in progress", n)
	}
}

func TestAGatheringWriterStopsWaitingWhenTheGroupIsFull(t *testing.T) {
	q := &writerQueue{lanes: 1, arrived: make(chan struct{}, 1)}
	done := make(chan struct{})
	go func() {
		q.waitForGroup(time.Hour)
		close(done)
	}()
	for range gatherUpTo {
		q.mu.Lock()
		q.pending = append(q.pending, &bookingJob{at: time.Now()})
		q.mu.Unlock()
		q.wake()
	}
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("the writer still waits with %d bookings queued", gatherUpTo)
	}
}
