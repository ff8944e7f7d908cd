package discordsim

import (
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/together-bot/together/discordsim/specvalidate"
)

type statsCounters struct {
	requests, rateLimited, globalRateLimited, invalid   int
	messagesCreated, messagesEdited, interactionsFailed int
	interactionsOverHTTP                                int
	byRoute                                             map[string]int
}

// Stats is the /_sim/stats document.
type Stats struct {
	Requests           int `json:"requests"`
	RateLimited        int `json:"rate_limited"`
	GlobalRateLimited  int `json:"global_rate_limited"`
	InvalidRequests    int `json:"invalid_requests"`
	SpecViolations     int `json:"spec_violations"`
	MessagesCreated    int `json:"messages_created"`
	MessagesEdited     int `json:"messages_edited"`
	InteractionsFailed int `json:"interactions_failed"`
	// InteractionsOverHTTP counts interactions POSTed to the interactions
	// endpoint (the rest went over the gateway).
	InteractionsOverHTTP int            `json:"interactions_over_http"`
	ByRoute              map[string]int `json:"by_route"`
	// GatewayViolations counts gateway rules broken (GatewayViolations());
	// IdentifiesRefused counts identifies answered with op 9 for coming
	// sooner than max_concurrency allows.
	GatewayViolations int `json:"gateway_violations"`
	IdentifiesRefused int `json:"identifies_refused"`
}

// RequestRecord is one entry of the request log. Tokens are redacted.
type RequestRecord struct {
	Time       time.Time `json:"time"`
	Method     string    `json:"method"`
	Path       string    `json:"path"`
	Route      string    `json:"route"`
	Status     int       `json:"status"`
	DurationMS float64   `json:"duration_ms"`
	Body       string    `json:"body,omitempty"`
	// BodyBytes is the size of the whole request body; when it exceeds
	// Options.RequestLogBodyLimit, Body holds only the first bytes and
	// BodyTruncated is true.
	BodyBytes     int  `json:"body_bytes"`
	BodyTruncated bool `json:"body_truncated,omitempty"`
	// Bucket, Remaining and ResetAfter echo the X-RateLimit-* headers of
	// the response (empty when the request never reached the limiter).
	Bucket     string `json:"bucket,omitempty"`
	Remaining  string `json:"remaining,omitempty"`
	ResetAfter string `json:"reset_after,omitempty"`
}

// requestLog is a bounded ring buffer.
type requestLog struct {
	mu      sync.Mutex
	entries []RequestRecord
	next    int
	full    bool
}

func newRequestLog(size int) *requestLog { return &requestLog{entries: make([]RequestRecord, size)} }

func (l *requestLog) add(r RequestRecord) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries[l.next] = r
	l.next = (l.next + 1) % len(l.entries)
	if l.next == 0 {
		l.full = true
	}
}

func (l *requestLog) snapshot() []RequestRecord {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.full {
		return append([]RequestRecord{}, l.entries[:l.next]...)
	}
	return append(append([]RequestRecord{}, l.entries[l.next:]...), l.entries[:l.next]...)
}

// redactPath removes interaction and webhook tokens, which are credentials.
func redactPath(path string, params map[string]string) string {
	for _, k := range []string{"interaction_token", "webhook_token"} {
		if tok := params[k]; tok != "" {
			path = strings.ReplaceAll(path, tok, "[redacted]")
		}
	}
	return path
}

func (s *Server) recordRequest(method, path, route string, params map[string]string, status int, body []byte, header http.Header, d time.Duration) {
	path = redactPath(path, params)
	rec := RequestRecord{
		Time: s.now(), Method: method, Path: path, Route: route, Status: status,
		DurationMS: float64(d.Microseconds()) / 1000, BodyBytes: len(body),
		Bucket: header.Get("X-RateLimit-Bucket"), Remaining: header.Get("X-RateLimit-Remaining"),
		ResetAfter: header.Get("X-RateLimit-Reset-After"),
	}
	if limit := s.opts.RequestLogBodyLimit; len(body) > limit {
		body = body[:limit]
		rec.BodyTruncated = true
	}
	rec.Body = string(body)
	s.reqLog.add(rec)
	s.live.publish(LiveEvent{Type: "REQUEST", Method: method, Route: route, Status: status})
	s.mu.Lock()
	s.stats.requests++
	s.stats.byRoute[method+" "+route]++
	if status == http.StatusUnauthorized || status == http.StatusForbidden || status == http.StatusTooManyRequests {
		s.stats.invalid++
	}
	s.mu.Unlock()
	s.log.Debug("rest request", "method", method, "route", route, "status", status)
}

func (s *Server) countRateLimited(global bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.rateLimited++
	if global {
		s.stats.globalRateLimited++
	}
}

func (s *Server) recordViolations(vs []specvalidate.Violation) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.violations = append(s.violations, vs...)
	for _, v := range vs {
		s.log.Warn("spec violation", "method", v.Method, "route", v.Route, "pointer", v.Pointer, "message", v.Message)
	}
}

func invalidFormBody(vs []specvalidate.Violation) *APIError {
	for _, v := range vs {
		if v.Code == specvalidate.CodeInvalidJSON {
			return apiErr(http.StatusBadRequest, codeInvalidJSON, "The request body contains invalid JSON.")
		}
	}
	return &APIError{Status: http.StatusBadRequest, Code: codeInvalidFormBody, Message: "Invalid Form Body", Errors: specvalidate.FieldErrors(vs)}
}

// Violations returns every spec violation recorded so far.
func (s *Server) Violations() []specvalidate.Violation {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]specvalidate.Violation{}, s.violations...)
}

// TB is the subset of testing.TB RequireNoViolations needs (kept narrow so
// this package does not import testing).
type TB interface {
	Helper()
	Errorf(format string, args ...any)
}

// RequireNoViolations fails t for every spec violation and every gateway
// violation (a shard connected twice, ...) the bot produced.
func (s *Server) RequireNoViolations(t TB) {
	t.Helper()
	for _, v := range s.Violations() {
		t.Errorf("discordsim: spec violation: %s %s (%s) at %q: %s", v.Method, v.Path, v.Route, v.Pointer, v.Message)
	}
	for _, v := range s.GatewayViolations() {
		t.Errorf("discordsim: gateway violation %s: %s", v.Kind, v.Message)
	}
}

// Stats returns the counters served on /_sim/stats.
func (s *Server) Stats() Stats {
	gatewayViolations, identifiesRefused := len(s.gw.Violations()), s.gw.IdentifiesRefused()
	s.mu.Lock()
	defer s.mu.Unlock()
	// Interactions nobody waited for still fail when their deadline passes.
	for _, it := range s.st.interactions {
		if !it.Acked && !it.Failed && s.callbackExpired(it) {
			s.markFailed(it)
		}
	}
	by := make(map[string]int, len(s.stats.byRoute))
	for k, v := range s.stats.byRoute {
		by[k] = v
	}
	return Stats{
		Requests: s.stats.requests, RateLimited: s.stats.rateLimited, GlobalRateLimited: s.stats.globalRateLimited,
		InvalidRequests: s.stats.invalid, SpecViolations: len(s.violations), MessagesCreated: s.stats.messagesCreated,
		MessagesEdited: s.stats.messagesEdited, InteractionsFailed: s.stats.interactionsFailed,
		InteractionsOverHTTP: s.stats.interactionsOverHTTP, ByRoute: by,
		GatewayViolations: gatewayViolations, IdentifiesRefused: identifiesRefused,
	}
}

// Requests returns the request log, oldest first.
func (s *Server) Requests() []RequestRecord { return s.reqLog.snapshot() }
