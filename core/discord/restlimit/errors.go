package restlimit

import (
	"fmt"
	"time"

	"github.com/together-bot/together/core/discord/resterr"
)

// Scope values used in logs, Observer.On429 and WaitError.Scope.
const (
	// ScopeUser, ScopeShared and ScopeGlobal mirror Discord's
	// X-RateLimit-Scope header.
	ScopeUser   = "user"
	ScopeShared = "shared"
	ScopeGlobal = "global"
	// ScopeCloudflare labels a 429 whose body is not Discord's JSON and which
	// carries no rate-limit headers: it came from the edge (Cloudflare), not
	// from Discord's API, and is treated like a global limit.
	ScopeCloudflare = "cloudflare"
	// ScopeRoute labels a local wait on a per-route bucket (no 429 involved).
	ScopeRoute = "route"
)

// WaitError is returned by Limiter.Wait (wrapped by disgo as "error locking
// bucket in rest client: ...") when the caller's context ends, or its
// deadline (or WithMaxWait) is known to be too early, while the request is
// held back by a rate limit, or when the shared budget stayed unreachable. It unwraps to the context error, so errors.Is(err,
// context.DeadlineExceeded) keeps working, and implements
// resterr.RetryAfterer so RetryAfter(err) tells a River job how long to
// snooze.
type WaitError struct {
	Route string        // "METHOD /route/{template}"
	Scope string        // ScopeRoute or ScopeGlobal
	Wait  time.Duration // remaining wait when giving up; 0 if unknown
	Err   error         // context.Canceled, context.DeadlineExceeded, or ErrBudgetUnavailable (wrapped)
}

func (e *WaitError) Error() string {
	msg := "restlimit: gave up waiting for " + e.Scope + " rate limit"
	if e.Route != "" {
		msg += " on " + e.Route
	}
	if e.Wait > 0 {
		msg += fmt.Sprintf(" (%s left)", e.Wait.Round(time.Millisecond))
	}
	return msg + ": " + e.Err.Error()
}

func (e *WaitError) Unwrap() error { return e.Err }

// RetryAfter implements resterr.RetryAfterer.
func (e *WaitError) RetryAfter() time.Duration { return e.Wait }

// RetryAfter reports how long to wait before retrying after a rate-limit
// failure: a *rest.Error with status 429 (disgo's error once MaxRetries are
// exhausted) or a *WaitError. See resterr.RetryAfter.
func RetryAfter(err error) (time.Duration, bool) { return resterr.RetryAfter(err) }

// IsTransient is resterr.IsTransient, re-exported for convenience.
func IsTransient(err error) bool { return resterr.IsTransient(err) }
