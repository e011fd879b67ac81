package equipment

import "time"

// SetClock replaces the service's clock, for tests that move time.
func SetClock(s *Service, now func() time.Time) { s.now = now }
