package resterr

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/together-bot/together/core/ctxtime"
)

// BackoffPolicy is capped exponential backoff with full jitter: attempt n
// sleeps a uniformly random duration in [0, min(Max, Base*2^(n-1))].
// Full jitter (rather than "exponential plus a little noise") spreads out
// the retries of many workers that failed at the same moment, e.g. when
// Discord returned 502s for a few seconds.
type BackoffPolicy struct {
	Base time.Duration // upper bound for attempt 1; must be > 0
	Max  time.Duration // cap on the upper bound; must be >= Base
	// Rand returns a float in [0, 1). nil uses math/rand/v2. Tests inject a
	// deterministic source.
	Rand func() float64
}

// DefaultBackoff suits in-process retries of a single REST call. River jobs
// should rely on River's own retry schedule instead of nesting long sleeps.
var DefaultBackoff = BackoffPolicy{Base: 500 * time.Millisecond, Max: 30 * time.Second}

// Backoff returns DefaultBackoff.Duration(attempt).
func Backoff(attempt int) time.Duration { return DefaultBackoff.Duration(attempt) }

// Ceiling is the upper bound of the jitter range for attempt (1-based;
// values < 1 count as 1). It never overflows, whatever the attempt.
func (p BackoffPolicy) Ceiling(attempt int) time.Duration {
	if p.Base <= 0 {
		return 0
	}
	maxD := max(p.Max, p.Base)
	if attempt < 1 {
		attempt = 1
	}
	d := p.Base
	for i := 1; i < attempt; i++ {
		if d >= maxD/2 { // doubling would reach or pass the cap (or overflow)
			return maxD
		}
		d *= 2
	}
	return min(d, maxD)
}

// Duration returns the jittered sleep before retry number attempt.
func (p BackoffPolicy) Duration(attempt int) time.Duration {
	c := p.Ceiling(attempt)
	if c <= 0 {
		return 0
	}
	r := p.Rand
	if r == nil {
		r = rand.Float64
	}
	// Scale in float: Int64N(c+1) would be equivalent but is not injectable.
	return min(time.Duration(r()*float64(c+1)), c)
}

// Retry calls fn up to attempts times while it fails with a transient error
// (IsTransient), sleeping between tries. A known retry-after (429) is
// honoured instead of the jittered backoff; if it exceeds p.Max the error is
// returned at once so the caller can snooze instead of blocking a worker.
//
// Only wrap idempotent calls (GETs, PUT/PATCH/DELETE by ID). A POST that
// timed out may have reached Discord; retrying it can duplicate a message.
// Rate-limit retries are safe: Discord rejected the request before acting.
func (p BackoffPolicy) Retry(ctx context.Context, attempts int, fn func(context.Context) error) error {
	var err error
	for attempt := 1; ; attempt++ {
		if err = fn(ctx); err == nil || !IsTransient(err) || attempt >= attempts {
			return err
		}
		wait := p.Duration(attempt)
		if ra, ok := RetryAfter(err); ok {
			if ra > max(p.Max, p.Base) {
				return err
			}
			wait = ra
		}
		if ctxtime.Sleep(ctx, wait) != nil {
			return err
		}
	}
}

// Retry is DefaultBackoff.Retry.
func Retry(ctx context.Context, attempts int, fn func(context.Context) error) error {
	return DefaultBackoff.Retry(ctx, attempts, fn)
}
