package server

import (
	"encoding/json"
	"errors"
	"net/http"

	"voisines/internal/store"
)

// healthz says the process is alive; it touches nothing else.
func (s *server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write([]byte("ok\n"))
}

// readyz says the instance can serve: the database answers and its schema is
// the one this binary expects. A load balancer sends traffic only then.
func (s *server) readyz(w http.ResponseWriter, r *http.Request) {
	status, reason := http.StatusOK, ""
	if err := s.deps.DB.Ping(r.Context()); err != nil {
		s.log.Error("readyz: database does not answer", "error", err)
		status, reason = http.StatusServiceUnavailable, "database unreachable"
	} else if err := s.deps.DB.CheckSchema(r.Context()); err != nil {
		s.log.Error("readyz: schema not current", "error", err)
		status, reason = http.StatusServiceUnavailable, "database schema not current"
		if !errors.Is(err, store.ErrStaleSchema) {
			reason = "database schema newer than this binary"
		}
	}
	body := map[string]string{"status": "ready"}
	if status != http.StatusOK {
		body = map[string]string{"status": "unavailable", "reason": reason}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(body)
}
