package queue

import (
	"time"

	"github.com/riverqueue/river"

	"github.com/together-bot/together/core/discord/resterr"
)

// SnoozeRateLimited is how a job meets Discord's rate limit: a snooze, which
// spends no attempt, for as long as Discord or the REST limiter asked (a
// second when neither said). It is nil when err is no rate limit.
func SnoozeRateLimited(err error) error {
	if wait, ok := resterr.RetryAfter(err); ok {
		return river.JobSnooze(wait)
	}
	if resterr.IsRateLimited(err) {
		return river.JobSnooze(time.Second)
	}
	return nil
}
