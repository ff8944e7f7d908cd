package restlimit

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/disgoorg/disgo/rest"
)

// DefaultMaxRetries bounds the attempts disgo makes for one call that keeps
// getting 429s. A small number hands the failure back to the caller (a River
// job can snooze for RetryAfter) instead of parking a worker.
const DefaultMaxRetries = 3

const (
	// fallbackRetryAfter is used when a 429 carries no parsable retry time.
	fallbackRetryAfter = time.Second
	// max429Body caps how much of a 429 body is buffered for parsing.
	max429Body = 64 << 10
	// Idle buckets are dropped lazily (no background goroutine to stop).
	sweepEvery = time.Minute
	bucketTTL  = 5 * time.Minute
)

// Option configures a Limiter.
type Option func(*Limiter)

// WithGlobalLimit sets the in-memory global ceiling to n requests per second
// (a SlidingWindow). n <= 0 disables the proactive ceiling; global
// 429s are still honoured.
func WithGlobalLimit(n int) Option {
	return func(l *Limiter) { l.globalLimit = n; l.global = nil }
}

// WithGlobalLimiter replaces the in-memory ceiling, e.g. with one shared by
// several processes. nil disables the proactive ceiling.
func WithGlobalLimiter(g GlobalLimiter) Option {
	return func(l *Limiter) { l.global = g; l.globalLimit = 0; l.customGlobal = true }
}

// WithShared makes every non-exempt request book from the deployment-wide
// budget in Postgres (see Shared): the global schedule and the per-route
// buckets every process shares. It replaces the in-memory ceiling and the
// in-memory buckets for those requests; exempt interaction requests keep
// the in-memory buckets and are never delayed by the budget.
func WithShared(s *Shared) Option {
	return func(l *Limiter) { l.shared = s; l.global = nil; l.globalLimit = 0; l.customGlobal = true }
}

// WithMaxRetries sets how many attempts disgo makes on 429 (>= 1).
func WithMaxRetries(n int) Option {
	return func(l *Limiter) { l.maxRetries = max(n, 1) }
}

// WithLogger sets the logger (default slog.Default()).
func WithLogger(log *slog.Logger) Option {
	return func(l *Limiter) {
		if log != nil {
			l.log = log
		}
	}
}

// WithObserver registers a metrics observer.
func WithObserver(o Observer) Option {
	return func(l *Limiter) { l.observer = o }
}

// WithClock injects a clock, for tests.
func WithClock(c Clock) Option {
	return func(l *Limiter) {
		if c != nil {
			l.clock = c
		}
	}
}

// Limiter implements rest.RateLimiter. Use New; the zero value is not usable.
type Limiter struct {
	clock        Clock
	log          *slog.Logger
	observer     Observer
	global       GlobalLimiter
	globalLimit  int
	customGlobal bool
	shared       *Shared
	maxRetries   int

	mu          sync.Mutex
	routes      map[string]*bucket // route key -> bucket
	hashes      map[string]*bucket // Discord bucket hash + major params -> bucket
	reqs        map[*rest.CompiledEndpoint]*reqState
	globalUntil time.Time // end of the current global 429 pause
	inflight    int       // reservations not yet released, across buckets
	drained     chan struct{}
	lastSweep   time.Time
}

var _ rest.RateLimiter = (*Limiter)(nil)

// reqState links disgo's Wait and Unlock calls, which share only the
// *CompiledEndpoint. disgo compiles a fresh endpoint per call and reuses it
// for its 429 retries, so the pointer identifies one logical call. held is a
// stack so that callers reusing one endpoint concurrently still release the
// right number of reservations.
type reqState struct {
	held    []hold
	attempt int // 429s seen so far in this call's retry chain
}

// hold is one admitted request: its bucket slot and, if the GlobalLimiter is
// a GlobalAcquirer, the global release. A request booked from the Shared
// budget has no in-memory bucket (b is nil).
type hold struct {
	b       *bucket
	shared  bool
	counted bool // a known slot was consumed; refund it if never sent
	release func()
}

// New returns a Limiter with a 50 req/s in-memory global ceiling and
// DefaultMaxRetries unless configured otherwise.
func New(opts ...Option) *Limiter {
	l := &Limiter{
		clock:       SystemClock{},
		log:         slog.Default(),
		globalLimit: DefaultGlobalLimit,
		maxRetries:  DefaultMaxRetries,
		routes:      map[string]*bucket{},
		hashes:      map[string]*bucket{},
		reqs:        map[*rest.CompiledEndpoint]*reqState{},
	}
	for _, o := range opts {
		o(l)
	}
	if !l.customGlobal && l.globalLimit > 0 {
		l.global = NewSlidingWindow(l.globalLimit, time.Second, l.clock)
	}
	return l
}

// MaxRetries implements rest.RateLimiter. disgo counts the first attempt, so
// this is the total number of attempts per call.
func (l *Limiter) MaxRetries() int { return l.maxRetries }

// Close waits until every reserved request has been unlocked, or ctx ends.
// It does not reject new requests; disgo closes the limiter from
// Client.Close at shutdown.
func (l *Limiter) Close(ctx context.Context) {
	l.mu.Lock()
	if l.inflight == 0 {
		l.mu.Unlock()
		return
	}
	if l.drained == nil {
		l.drained = make(chan struct{})
	}
	ch := l.drained
	l.mu.Unlock()
	select {
	case <-ch:
	case <-ctx.Done():
	}
}

// Reset forgets all buckets and any global pause. Requests in flight are
// released without affecting the new state.
func (l *Limiter) Reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, b := range l.routes {
		b.broadcast() // waiters re-resolve their route and find a fresh bucket
	}
	// Global releases must still happen, or the global chain would stall.
	for _, st := range l.reqs {
		for _, h := range st.held {
			if h.release != nil {
				defer h.release()
			}
		}
	}
	clear(l.routes)
	clear(l.hashes)
	clear(l.reqs)
	l.globalUntil = time.Time{}
	l.inflight = 0
	l.signalDrained()
}

// Wait implements rest.RateLimiter. It returns nil once the request may be
// sent, holding a reservation that Unlock releases. On context end it
// returns a *WaitError and holds nothing. If ctx has a deadline that falls
// before a known wait ends, it fails at once rather than sleeping in vain.
func (l *Limiter) Wait(ctx context.Context, ep *rest.CompiledEndpoint) error {
	key, route := keys(ep)
	if l.shared != nil && !isExempt(ep) {
		return l.waitShared(ctx, ep, key, route)
	}
	if d, ok := maxWaitFrom(ctx); ok {
		// In memory, waits fail fast against a deadline: the same promise.
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, d)
		defer cancel()
	}

	for {
		l.mu.Lock()
		now := l.clock.Now()
		l.maybeSweep(now)
		b := l.bucketFor(key)
		wait, ok, counted := b.acquire(now)
		if ok {
			b.inflight++
			b.lastUsed = now
			l.inflight++
			st := l.stateFor(ep)
			st.held = append(st.held, hold{b: b, counted: counted})
			l.mu.Unlock()
			break
		}
		wake := b.wake()
		b.waiters++
		l.mu.Unlock()

		err := l.sleep(ctx, now, wait, wake, route, ScopeRoute)

		l.mu.Lock()
		b.waiters--
		if err != nil {
			l.forgetIfIdle(ep)
		}
		l.mu.Unlock()
		if err != nil {
			return err
		}
	}

	if isExempt(ep) {
		return nil
	}

	// A global 429 pause. Loop because another 429 may extend it meanwhile.
	for {
		l.mu.Lock()
		now := l.clock.Now()
		until := l.globalUntil
		l.mu.Unlock()
		if !until.After(now) {
			break
		}
		if err := l.sleep(ctx, now, until.Sub(now), nil, route, ScopeGlobal); err != nil {
			l.cancelReservation(ep)
			return err
		}
	}

	if l.global == nil {
		return nil
	}
	var (
		release func()
		err     error
	)
	if acq, ok := l.global.(GlobalAcquirer); ok {
		release, err = acq.Acquire(ctx)
	} else {
		err = l.global.Wait(ctx)
	}
	if err != nil {
		l.cancelReservation(ep)
		if we := (*WaitError)(nil); errors.As(err, &we) && we.Route == "" {
			we.Route = route
		}
		return err
	}
	if release != nil {
		l.mu.Lock()
		if st := l.reqs[ep]; st != nil && len(st.held) > 0 {
			st.held[len(st.held)-1].release = release
			release = nil
		}
		l.mu.Unlock()
		if release != nil { // Reset ran meanwhile; nothing will release it
			release()
		}
	}
	return nil
}

// sleep waits for d (if > 0), a wake-up on wake (if non-nil) or ctx.
func (l *Limiter) sleep(ctx context.Context, now time.Time, d time.Duration, wake <-chan struct{}, route, scope string) error {
	if err := ctx.Err(); err != nil {
		return &WaitError{Route: route, Scope: scope, Wait: d, Err: err}
	}
	var fire <-chan time.Time
	if d > 0 {
		if dl, ok := ctx.Deadline(); ok && now.Add(d).After(dl) {
			return &WaitError{Route: route, Scope: scope, Wait: d, Err: context.DeadlineExceeded}
		}
		t := l.clock.NewTimer(d)
		defer t.Stop()
		fire = t.C()
	}
	select {
	case <-fire:
	case <-wake:
	case <-ctx.Done():
		left := time.Duration(0)
		if d > 0 {
			left = max(0, now.Add(d).Sub(l.clock.Now()))
		}
		return &WaitError{Route: route, Scope: scope, Wait: left, Err: ctx.Err()}
	}
	return nil
}

// cancelReservation undoes a reservation for a request that was never sent,
// giving its slot back to the bucket.
func (l *Limiter) cancelReservation(ep *rest.CompiledEndpoint) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if h, ok := l.popHeld(ep); ok && h.b != nil {
		// The refund may land in a later window than the slot was taken
		// from; clamping to the limit keeps that harmless.
		if h.counted && h.b.state == stateKnown && (h.b.limit <= 0 || h.b.remaining < h.b.limit) {
			h.b.remaining++
		}
		h.b.broadcast()
	}
	l.forgetIfIdle(ep)
}

// Unlock implements rest.RateLimiter. It releases the reservation and learns
// from the response. It never returns an error: by now Discord has acted on
// the request, and disgo would turn an error into a failed call, inviting a
// duplicate retry. Malformed headers are logged instead.
func (l *Limiter) Unlock(ep *rest.CompiledEndpoint, rs *http.Response) error {
	key, route := keys(ep)
	var info *respInfo
	if rs != nil {
		info = parseResponse(rs, l.clock)
		for _, h := range info.bad {
			l.log.Debug("ignoring malformed Discord rate limit header", slog.String("route", route), slog.String("header", h))
		}
	}

	l.mu.Lock()
	now := l.clock.Now()
	h, held := l.popHeld(ep)
	if held && h.b != nil {
		h.b.broadcast()
	}
	shared := held && h.shared
	st := l.reqs[ep]
	attempt := 1
	if st != nil {
		attempt = st.attempt + 1
	}
	var (
		wait  time.Duration
		retry bool
	)
	if info != nil {
		if shared {
			wait = info.retryAfter // the Shared budget holds the state
		} else {
			wait = l.apply(key, ep.MajorParams, info, now)
		}
		if info.status == http.StatusTooManyRequests {
			retry = attempt < l.maxRetries
		}
	}
	if st != nil {
		if retry {
			st.attempt = attempt
		} else {
			st.attempt = 0
		}
	}
	l.forgetIfIdle(ep)
	l.mu.Unlock()
	if h.release != nil {
		h.release()
	}
	if shared {
		hashKey := ""
		if info != nil && info.hash != "" {
			hashKey = info.hash + " " + ep.MajorParams
		}
		if err := l.shared.learn(key, hashKey, info); err != nil {
			l.log.Warn("Discord rate limit state not recorded in the shared REST budget", slog.String("route", route), slog.Any("error", err))
		}
	}

	if info == nil {
		return nil
	}
	if l.observer != nil {
		l.observer.OnRequest(route, info.status)
	}
	if info.status == http.StatusTooManyRequests {
		if l.observer != nil {
			l.observer.On429(route, info.scope, wait)
		}
		attrs := []any{
			slog.String("route", route),
			slog.Int("attempt", attempt),
			slog.Duration("backoff", wait),
			slog.String("scope", info.scope),
			slog.Int("max_attempts", l.maxRetries),
		}
		if info.hash != "" {
			attrs = append(attrs, slog.String("bucket", info.hash))
		}
		if retry {
			// Operators grep for this exact message.
			l.log.Warn("Discord API request retry scheduled", attrs...)
		} else {
			l.log.Warn("Discord API request rate limited, retries exhausted", attrs...)
		}
	}
	return nil
}

// apply updates limiter state from a response and returns, for 429s, how
// long affected requests are now held back. Caller holds l.mu.
func (l *Limiter) apply(key, major string, info *respInfo, now time.Time) time.Duration {
	b := l.bucketFor(key)
	if info.hash != "" {
		b = l.rebucket(key, major, b, info.hash)
	}
	defer b.broadcast()

	if info.status == http.StatusTooManyRequests {
		until := now.Add(info.retryAfter)
		if info.global {
			if until.After(l.globalUntil) {
				l.globalUntil = until
			}
			return l.globalUntil.Sub(now)
		}
		b.state = stateKnown
		b.remaining = 0
		if info.hasLimit {
			b.limit = info.limit
		}
		if until.After(b.reset) {
			b.reset = until
		}
		return b.reset.Sub(now)
	}

	switch {
	case info.hasRemaining && info.hasReset:
		// Discord's count already includes this request but not the other
		// reservations still in flight, so subtract them to stay safe.
		rem := max(0, info.remaining-b.inflight)
		newReset := now.Add(info.resetAfter)
		if b.state != stateKnown || b.reset.IsZero() || !now.Before(b.reset) {
			// First information about this window: adopt it.
			b.remaining = rem
			b.reset = newReset
		} else {
			// Same window; responses may arrive out of order, so never let
			// an older, higher count undo reservations.
			b.remaining = min(b.remaining, rem)
			if newReset.After(b.reset) {
				b.reset = newReset
			}
		}
		if info.hasLimit {
			b.limit = info.limit
		}
		b.state = stateKnown
	case b.state == stateUnknown && info.status < 300 && !info.anyLimitHeader:
		// A successful response with no rate-limit headers: the route has no
		// per-route limit (the global ceiling still applies).
		b.state = stateUnlimited
	}
	return 0
}

// rebucket makes route key share the bucket of every other route Discord
// reported with the same hash and major parameters. Caller holds l.mu.
func (l *Limiter) rebucket(key, major string, cur *bucket, hash string) *bucket {
	hk := hash + "\x00" + major
	target := l.hashes[hk]
	switch {
	case target == cur:
		return cur
	case target == nil && (cur.hashKey == "" || len(cur.routes) <= 1):
		// First sighting of this hash (or the hash of a single-route bucket
		// changed): label the bucket.
		if cur.hashKey != "" && l.hashes[cur.hashKey] == cur {
			delete(l.hashes, cur.hashKey)
		}
		cur.hashKey = hk
		l.hashes[hk] = cur
		return cur
	case target == nil:
		// Discord moved one route of a shared bucket to a new hash: split it
		// off into a fresh bucket.
		nb := newBucket()
		nb.hashKey = hk
		l.hashes[hk] = nb
		l.moveRoute(key, cur, nb)
		return nb
	case len(cur.routes) <= 1:
		// cur is this route's private bucket: fold it into target, carrying
		// its in-flight reservations. cur forwards so that those requests'
		// Unlock releases them on target.
		target.inflight += cur.inflight
		cur.inflight = 0
		cur.forward = target
		if cur.hashKey != "" && l.hashes[cur.hashKey] == cur {
			delete(l.hashes, cur.hashKey)
		}
		l.moveRoute(key, cur, target)
		return target
	default:
		// Part of another shared bucket: move only this route. Its in-flight
		// requests stay accounted on cur, which is approximate but safe
		// from deadlock (they still release there).
		l.moveRoute(key, cur, target)
		return target
	}
}

func (l *Limiter) moveRoute(key string, from, to *bucket) {
	for i, r := range from.routes {
		if r == key {
			from.routes = append(from.routes[:i], from.routes[i+1:]...)
			break
		}
	}
	to.routes = append(to.routes, key)
	l.routes[key] = to
	from.broadcast()
}

func (l *Limiter) bucketFor(key string) *bucket {
	b := l.routes[key]
	if b == nil {
		b = newBucket()
		b.routes = []string{key}
		l.routes[key] = b
	}
	return b
}

func (l *Limiter) stateFor(ep *rest.CompiledEndpoint) *reqState {
	st := l.reqs[ep]
	if st == nil {
		st = &reqState{}
		l.reqs[ep] = st
	}
	return st
}

// popHeld releases the newest reservation of ep. It returns the hold with
// b resolved to the live bucket (following merges); the caller must call
// h.release, if set, outside l.mu. Caller holds l.mu.
func (l *Limiter) popHeld(ep *rest.CompiledEndpoint) (h hold, ok bool) {
	st := l.reqs[ep]
	if st == nil || len(st.held) == 0 {
		return hold{}, false
	}
	h = st.held[len(st.held)-1]
	st.held = st.held[:len(st.held)-1]
	if h.b != nil {
		for h.b.forward != nil {
			h.b = h.b.forward
		}
		h.b.inflight = max(0, h.b.inflight-1)
	}
	l.inflight = max(0, l.inflight-1)
	if l.inflight == 0 {
		l.signalDrained()
	}
	return h, true
}

func (l *Limiter) forgetIfIdle(ep *rest.CompiledEndpoint) {
	if st := l.reqs[ep]; st != nil && len(st.held) == 0 && st.attempt == 0 {
		delete(l.reqs, ep)
	}
}

func (l *Limiter) signalDrained() {
	if l.drained != nil {
		close(l.drained)
		l.drained = nil
	}
}

// maybeSweep drops buckets nobody used for bucketTTL. Caller holds l.mu.
func (l *Limiter) maybeSweep(now time.Time) {
	if now.Sub(l.lastSweep) < sweepEvery {
		return
	}
	l.lastSweep = now
	for key, b := range l.routes {
		if b.inflight == 0 && b.waiters == 0 && now.Sub(b.lastUsed) > bucketTTL && !now.Before(b.reset) {
			delete(l.routes, key)
			if b.hashKey != "" && l.hashes[b.hashKey] == b {
				delete(l.hashes, b.hashKey)
			}
		}
	}
}

// keys returns the bucket key (method + route + major params, as disgo) and
// the low-cardinality route label used in logs and metrics.
func keys(ep *rest.CompiledEndpoint) (key, route string) {
	if ep.Endpoint != nil {
		route = ep.Endpoint.Method + " " + ep.Endpoint.Route
	} else {
		route = ep.URL
	}
	if ep.MajorParams == "" {
		return route, route
	}
	return route + " " + ep.MajorParams, route
}

// isExempt reports whether Discord exempts the endpoint from the global
// limit: the interaction callback and every webhook route addressed with an
// interaction token (original response and follow-ups); see doc.go.
func isExempt(ep *rest.CompiledEndpoint) bool {
	if ep.Endpoint == nil {
		return false
	}
	r := ep.Endpoint.Route
	return strings.HasPrefix(r, "/interactions/") && strings.HasSuffix(r, "/callback") ||
		strings.HasPrefix(r, "/webhooks/{application.id}/{interaction.token}")
}
