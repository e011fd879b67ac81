package server

import (
	"runtime/debug"
	"testing"
)

func TestTuneGCSetsTheServersTargetUnlessTheEnvironmentDoes(t *testing.T) {
	// Restore the test process's own settings afterwards.
	oldPercent := debug.SetGCPercent(100)
	oldLimit := debug.SetMemoryLimit(-1)
	t.Cleanup(func() {
		debug.SetGCPercent(oldPercent)
		debug.SetMemoryLimit(oldLimit)
	})
	env := func(vars map[string]string) func(string) string {
		return func(k string) string { return vars[k] }
	}

	t.Run("an environment without GOGC or GOMEMLIMIT gets the server's settings", func(t *testing.T) {
		debug.SetGCPercent(100)
		debug.SetMemoryLimit(1 << 40)
		got := TuneGC(env(nil))
		if p := debug.SetGCPercent(100); p != GCPercent {
			t.Errorf("GC percent in effect: got %d, want %d", p, GCPercent)
		}
		if l := debug.SetMemoryLimit(-1); l != MemoryLimit {
			t.Errorf("memory limit in effect: got %d, want %d", l, MemoryLimit)
		}
		if got.Percent != "400" || got.MemoryLimit != MemoryLimit {
			t.Errorf("reported: got %+v, want 400 and %d", got, MemoryLimit)
		}
	})

	t.Run("GOGC and GOMEMLIMIT set by the operator are left as the runtime read them", func(t *testing.T) {
		debug.SetGCPercent(150)
		debug.SetMemoryLimit(3 << 30)
		got := TuneGC(env(map[string]string{"GOGC": "150", "GOMEMLIMIT": "3GiB"}))
		if p := debug.SetGCPercent(100); p != 150 {
			t.Errorf("GC percent in effect: got %d, want 150", p)
		}
		if l := debug.SetMemoryLimit(-1); l != 3<<30 {
			t.Errorf("memory limit in effect: got %d, want %d", l, int64(3<<30))
		}
		if got.Percent != "150" || got.MemoryLimit != 3<<30 {
			t.Errorf("reported: got %+v, want 150 and %d", got, int64(3<<30))
		}
	})
}
