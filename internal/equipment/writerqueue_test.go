package equipment

import (
	"strings"
	"testing"
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
