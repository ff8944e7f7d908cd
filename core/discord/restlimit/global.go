package restlimit

import (
	"context"
	"sync"
	"time"
)

// GlobalLimiter is the proactive request ceiling applied to every
// non-exempt request right before it is sent. Wait blocks until one request
// may be sent, or returns an error (typically a *WaitError wrapping
// ctx.Err()).
//
// The interface is deliberately tiny so that an implementation coordinated
// through Postgres (several bot processes sharing one token, hence one
// Discord global limit) can replace the in-memory one.
type GlobalLimiter interface {
	Wait(ctx context.Context) error
}

// GlobalAcquirer is an optional extension of GlobalLimiter. If the limiter
// implements it, Limiter calls Acquire instead of Wait and calls release
// exactly once when the request's response (or failure) is in. That lets the
// implementation count a request until it has certainly reached Discord,
// which makes the ceiling hold at Discord's side regardless of network
// latency (see SlidingWindow).
type GlobalAcquirer interface {
	Acquire(ctx context.Context) (release func(), err error)
}

// DefaultGlobalLimit is Discord's documented global limit for bots.
const DefaultGlobalLimit = 50

// SlidingWindow is the in-memory GlobalLimiter: at most Limit requests reach
// Discord in any interval of length Window.
//
// A token bucket with rate Limit/s and burst Limit would admit up to 2*Limit
// in the second straddling a refill, so this is a sliding log instead. The
// n-th admission waits until admission n-Limit has *completed* (its response
// arrived, via Acquire's release) and then one more Window. Since a request
// reaches Discord between admission and response, any two requests in the
// same chain (n, n+Limit, n+2*Limit, ...) reach Discord at least Window
// apart, so a window holds at most one request per chain: at most Limit in
// total, whatever the latency. The price is that throughput is
// Limit / (Window + round-trip time), e.g. ~45/s at 100ms RTT.
//
// Through plain Wait (no release) the admission time stands in for the
// completion time; that is exact only if latency is constant.
//
// A waiter whose context ends takes over its predecessor's time, so the
// chain stays intact and the slot is not wasted.
type SlidingWindow struct {
	limit  int
	window time.Duration
	clock  Clock

	mu   sync.Mutex
	ring []*swEntry // last admission per chain; nil if unused
	next int
}

// swEntry is one admission. t and alias are written before done is closed
// and read only after, which orders them for the race detector and readers.
type swEntry struct {
	t     time.Time // completion time (or admission time, via Wait)
	alias *swEntry  // set if abandoned: use the predecessor's time instead
	done  chan struct{}
}

func (e *swEntry) finish(t time.Time) {
	e.t = t
	close(e.done)
}

// NewSlidingWindow returns a limiter admitting limit requests per window.
// limit must be > 0. A nil clock means SystemClock.
func NewSlidingWindow(limit int, window time.Duration, clock Clock) *SlidingWindow {
	if limit <= 0 {
		panic("restlimit: NewSlidingWindow limit must be > 0")
	}
	if clock == nil {
		clock = SystemClock{}
	}
	return &SlidingWindow{limit: limit, window: window, clock: clock, ring: make([]*swEntry, limit)}
}

// Wait implements GlobalLimiter.
func (s *SlidingWindow) Wait(ctx context.Context) error {
	e, err := s.admit(ctx)
	if err != nil {
		return err
	}
	e.finish(s.clock.Now())
	return nil
}

// Acquire implements GlobalAcquirer. release must be called exactly once
// (further calls are ignored); until then the chain behind this request
// stalls.
func (s *SlidingWindow) Acquire(ctx context.Context) (release func(), err error) {
	e, err := s.admit(ctx)
	if err != nil {
		return nil, err
	}
	var once sync.Once
	return func() { once.Do(func() { e.finish(s.clock.Now()) }) }, nil
}

// peek resolves an entry's time without blocking.
func peek(e *swEntry) (t time.Time, ok bool) {
	for e != nil {
		select {
		case <-e.done:
		default:
			return time.Time{}, false
		}
		if e.alias == nil {
			return e.t, true
		}
		e = e.alias
	}
	return time.Time{}, true // empty chain: no constraint
}

// resolve waits until an entry's time is known.
func resolve(ctx context.Context, e *swEntry) (time.Time, error) {
	for e != nil {
		select {
		case <-e.done:
		case <-ctx.Done():
			return time.Time{}, ctx.Err()
		}
		if e.alias == nil {
			return e.t, nil
		}
		e = e.alias
	}
	return time.Time{}, nil
}

func (s *SlidingWindow) admit(ctx context.Context) (*swEntry, error) {
	if err := ctx.Err(); err != nil {
		return nil, &WaitError{Scope: ScopeGlobal, Err: err}
	}
	deadline, hasDeadline := ctx.Deadline()

	s.mu.Lock()
	prev := s.ring[s.next]
	if hasDeadline {
		// Fail fast, without taking a place in the chain, if the slot is
		// known and lies beyond the deadline.
		if t, ok := peek(prev); ok && !t.IsZero() && t.Add(s.window).After(deadline) {
			s.mu.Unlock()
			return nil, &WaitError{Scope: ScopeGlobal, Wait: t.Add(s.window).Sub(s.clock.Now()), Err: context.DeadlineExceeded}
		}
	}
	e := &swEntry{done: make(chan struct{})}
	s.ring[s.next] = e
	s.next = (s.next + 1) % s.limit
	s.mu.Unlock()

	abandon := func(err error, left time.Duration) (*swEntry, error) {
		e.alias = prev
		close(e.done)
		return nil, &WaitError{Scope: ScopeGlobal, Wait: left, Err: err}
	}

	t, err := resolve(ctx, prev)
	if err != nil {
		return abandon(err, 0)
	}
	if t.IsZero() {
		return e, nil
	}
	at := t.Add(s.window)
	now := s.clock.Now()
	d := at.Sub(now)
	if d <= 0 {
		return e, nil
	}
	if hasDeadline && at.After(deadline) {
		return abandon(context.DeadlineExceeded, d)
	}
	timer := s.clock.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C():
		return e, nil
	case <-ctx.Done():
		return abandon(ctx.Err(), max(0, at.Sub(s.clock.Now())))
	}
}
