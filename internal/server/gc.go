package server

import (
	"runtime/debug"
	"strconv"
	"strings"
)

// Garbage collection of a serving process.
//
// A server's live heap is small (about 10 MB under load: sessions, the
// statement caches, the buffers of the requests in flight) while it
// allocates fast (tens of kilobytes per booking request). With Go's default
// target (GOGC=100: collect when the heap has doubled) it collected six
// times a second at 2,000 bookings/s, each cycle marking for about 15 ms
// with a quarter of the processors, and the requests that met a cycle made
// the latency tail. A serving process collects when the heap has grown
// fivefold instead (GCPercent), under a soft limit (MemoryLimit) past which
// the collector works harder rather than the process growing: a burst of
// large requests costs CPU, not unbounded memory. GOGC and GOMEMLIMIT, when
// set, win.
const (
	GCPercent   = 400
	MemoryLimit = 1 << 30 // bytes
)

// GCSettings is what TuneGC left in effect, for the start-up log.
type GCSettings struct {
	Percent     string // "400", or GOGC as set ("off")
	MemoryLimit int64  // bytes
}

// TuneGC sets the collector of a serving process to GCPercent and
// MemoryLimit, except where getenv (os.Getenv, or the CLI's environment)
// sets GOGC or GOMEMLIMIT, which the Go runtime has already applied.
func TuneGC(getenv func(string) string) GCSettings {
	var s GCSettings
	if v := strings.TrimSpace(getenv("GOGC")); v != "" {
		s.Percent = v
	} else {
		debug.SetGCPercent(GCPercent)
		s.Percent = strconv.Itoa(GCPercent)
	}
	if strings.TrimSpace(getenv("GOMEMLIMIT")) == "" {
		debug.SetMemoryLimit(MemoryLimit)
	}
	s.MemoryLimit = debug.SetMemoryLimit(-1) // a negative limit only reads it
	return s
}
