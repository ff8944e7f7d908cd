package ratelimit

import (
	"net/http"
	"sync"
	"time"
)

// sweepEvery bounds how often Acquire scans for expired state. A scan is
// O(buckets), so doing it at most once per interval keeps Acquire O(1)
// amortised while memory stays proportional to recently active buckets.
const sweepEvery = time.Minute

// Request identifies one incoming REST call.
type Request struct {
	Token   string // identity the global limit is keyed by (bot token; use the client IP for unauthenticated calls)
	Method  string
	Route   string // template, e.g. "/channels/{channel_id}/messages/{message_id}"
	MajorID string // top-level resource id (channel/guild/webhook id or interaction token) — buckets are per route + major
	Exempt  bool   // interaction callback endpoints: exempt from the global limit
}

// Scopes reported in X-RateLimit-Scope.
const (
	ScopeUser   = "user"
	ScopeGlobal = "global"
	ScopeShared = "shared"
)

// Result is the Limiter's decision for one Request.
type Result struct {
	Allowed    bool
	Global     bool        // true when the global limit refused
	Scope      string      // "user" | "global" | "shared"; empty when allowed
	RetryAfter float64     // seconds, fractional; zero when allowed
	Header     http.Header // headers to put on the response either way
}

// bucketKey identifies one bucket instance. Per-route limits apply to each
// token separately, like Discord's per-bot buckets.
type bucketKey struct {
	token, route, major string
}

// Limiter enforces a Config. It is safe for concurrent use.
type Limiter struct {
	cfg Config
	now func() time.Time

	mu        sync.Mutex
	buckets   map[bucketKey]*window
	global    map[string]*window // per token, one-second windows
	invalid   map[string]*window // per token, InvalidWindow windows
	stormEnd  time.Time
	lastSweep time.Time
}

// New returns a Limiter enforcing cfg, with zero fields taken from
// DefaultConfig. now is the clock; nil means time.Now.
func New(cfg Config, now func() time.Time) *Limiter {
	if now == nil {
		now = time.Now
	}
	l := &Limiter{cfg: cfg.withDefaults(), now: now}
	l.clear()
	return l
}

// Config returns the effective configuration, defaults filled in.
func (l *Limiter) Config() Config { return l.cfg }

func (l *Limiter) clear() {
	l.buckets = make(map[bucketKey]*window)
	l.global = make(map[string]*window)
	l.invalid = make(map[string]*window)
	l.stormEnd = time.Time{}
}

// Reset forgets every bucket, counter and storm.
func (l *Limiter) Reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.clear()
}

// Storm makes every non-exempt request fail with a global 429 until the
// given time, whatever the buckets say. A zero or past time ends a storm.
func (l *Limiter) Storm(until time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.stormEnd = until
}

// Acquire decides whether req may proceed and consumes a slot if so. A
// refused request consumes nothing, neither from its route bucket nor from
// the global limit.
func (l *Limiter) Acquire(req Request) Result {
	now := l.now()
	routeKey := req.Method + " " + req.Route
	cfg := l.cfg.bucketFor(routeKey)
	hash := bucketHash(routeKey)

	l.mu.Lock()
	defer l.mu.Unlock()
	l.maybeSweep(now)

	if !req.Exempt && now.Before(l.stormEnd) {
		return globalRefusal(l.stormEnd.Sub(now))
	}

	var gw *window
	if !req.Exempt && l.cfg.GlobalPerSecond > 0 {
		gw = lookup(l.global, req.Token)
		gw.roll(now, time.Second)
		if gw.count >= l.cfg.GlobalPerSecond {
			return globalRefusal(gw.reset.Sub(now))
		}
	}

	if cfg.unlimited() {
		if gw != nil {
			gw.count++
		}
		return Result{Allowed: true, Header: http.Header{}}
	}
	bw := lookup(l.buckets, bucketKey{req.Token, routeKey, req.MajorID})
	bw.roll(now, cfg.Window)
	if bw.count >= cfg.Limit {
		return routeRefusal(cfg.Limit, bw.reset, now, hash)
	}
	bw.count++
	if gw != nil {
		gw.count++
	}
	return Result{
		Allowed: true,
		Header:  bucketHeader(cfg.Limit, cfg.Limit-bw.count, bw.reset, now, hash),
	}
}

// lookup returns the window stored under key, creating an empty one.
func lookup[K comparable](m map[K]*window, key K) *window {
	w, ok := m[key]
	if !ok {
		w = &window{}
		m[key] = w
	}
	return w
}

// maybeSweep drops closed windows at most once per sweepEvery. Must be
// called with l.mu held.
func (l *Limiter) maybeSweep(now time.Time) {
	if now.Sub(l.lastSweep) < sweepEvery {
		return
	}
	l.lastSweep = now
	sweep(l.buckets, now)
	sweep(l.global, now)
	sweep(l.invalid, now)
}

func sweep[K comparable](m map[K]*window, now time.Time) {
	for k, w := range m {
		if w.expired(now) {
			delete(m, k)
		}
	}
}
