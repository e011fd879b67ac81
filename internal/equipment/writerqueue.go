package equipment

import (
	"context"

	"voisines/internal/store"
)

// writerQueue hands SQLite's single writer connection to booking
// transactions in arrival order. database/sql wakes the requests waiting
// for a busy pool's connection in random order, which on a one-connection
// pool under load makes a few requests wait far longer than the others;
// the blocked senders of a channel are served first come, first served.
// On PostgreSQL writers run in parallel and the queue steps aside.
type writerQueue chan struct{}

func newWriterQueue(db *store.DB) writerQueue {
	if db.Dialect != store.SQLite {
		return nil
	}
	return make(writerQueue, 1)
}

// enter waits for the writer's turn; leave must follow.
func (q writerQueue) enter(ctx context.Context) error {
	if q == nil {
		return nil
	}
	select {
	case q <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (q writerQueue) leave() {
	if q != nil {
		<-q
	}
}
