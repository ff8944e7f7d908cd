package discordsim

import (
	"fmt"
	"net/http"
	"time"
)

// Fault kinds accepted by InjectFault and POST /_sim/faults.
const (
	FaultGatewayClose   = "gateway_close"
	FaultReconnect      = "reconnect"
	FaultInvalidSession = "invalid_session"
	FaultREST5xx        = "rest_5xx"
	FaultLatency        = "latency"
	FaultRateLimitStorm = "rate_limit_storm"
)

// Fault describes an injected failure.
type Fault struct {
	Kind       string `json:"kind"`
	Code       int    `json:"code,omitempty"`        // gateway_close: close code (default 4000)
	Resumable  bool   `json:"resumable,omitempty"`   // invalid_session
	Status     int    `json:"status,omitempty"`      // rest_5xx: 500..599 (default 502)
	DurationMS int    `json:"duration_ms,omitempty"` // rest_5xx, latency, rate_limit_storm
	Route      string `json:"route,omitempty"`       // rest_5xx: only this route template
	MS         int    `json:"ms,omitempty"`          // latency per request
}

// activeFault is a time-bounded REST fault.
type activeFault struct {
	Fault
	until time.Time
}

// InjectFault applies a fault. Gateway faults act immediately; REST faults
// last DurationMS on the server clock.
func (s *Server) InjectFault(f Fault) error {
	switch f.Kind {
	case FaultGatewayClose:
		if f.Code == 0 {
			f.Code = 4000
		}
		s.gw.Close(f.Code)
	case FaultReconnect:
		s.gw.Reconnect()
	case FaultInvalidSession:
		s.gw.InvalidSession(f.Resumable)
	case FaultREST5xx, FaultLatency:
		if f.Kind == FaultREST5xx && f.Status == 0 {
			f.Status = http.StatusBadGateway
		}
		if f.Kind == FaultREST5xx && (f.Status < 500 || f.Status > 599) {
			return controlErr(http.StatusBadRequest, "rest_5xx status must be 5xx, got %d", f.Status)
		}
		if f.DurationMS <= 0 {
			return controlErr(http.StatusBadRequest, "%s needs duration_ms > 0", f.Kind)
		}
		s.mu.Lock()
		s.faults = append(s.faults, activeFault{Fault: f, until: s.now().Add(time.Duration(f.DurationMS) * time.Millisecond)})
		s.mu.Unlock()
	case FaultRateLimitStorm:
		if f.DurationMS <= 0 {
			return controlErr(http.StatusBadRequest, "rate_limit_storm needs duration_ms > 0")
		}
		s.limiter.Storm(s.now().Add(time.Duration(f.DurationMS) * time.Millisecond))
	default:
		return controlErr(http.StatusBadRequest, "unknown fault kind %q", f.Kind)
	}
	s.log.Info("fault injected", "kind", f.Kind, "fault", fmt.Sprintf("%+v", f))
	return nil
}

// ClearFaults removes REST faults and ends a rate-limit storm.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	s.faults = nil
	s.mu.Unlock()
	s.limiter.Storm(time.Time{})
}

// liveFaults drops expired faults. Caller holds s.mu.
func (s *Server) liveFaults() []activeFault {
	now := s.now()
	live := s.faults[:0]
	for _, f := range s.faults {
		if now.Before(f.until) {
			live = append(live, f)
		}
	}
	s.faults = live
	return live
}

func (s *Server) currentLatency() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	var d time.Duration
	for _, f := range s.liveFaults() {
		if f.Kind == FaultLatency {
			d = max(d, time.Duration(f.MS)*time.Millisecond)
		}
	}
	return d
}

// activeFailure returns the status to fail a request on route with.
func (s *Server) activeFailure(route string) (int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range s.liveFaults() {
		if f.Kind == FaultREST5xx && (f.Route == "" || f.Route == route) {
			return f.Status, true
		}
	}
	return 0, false
}
