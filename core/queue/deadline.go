package queue

import (
	"context"
	"errors"
	"time"

	"github.com/riverqueue/river"
)

// passReserve is the time a per-guild pass keeps in hand before its job's
// deadline (JobTimeout). A pass that serves every guild in one job (raid's
// weekly turnover, oracle's Monday publish) can outlast the timeout at
// 10,000 guilds on a loaded machine; failing there would send the job into
// River's growing retry backoff and leave the last guilds waiting for hours.
const passReserve = 30 * time.Second

// ErrPassUnfinished says a pass stopped between guilds because its job's
// deadline was near, with work still due.
var ErrPassUnfinished = errors.New("queue: pass stopped before its job's deadline with work still due")

// NearDeadline reports whether ctx's deadline is closer than passReserve.
// A pass checks it between guilds and, when true, stops and returns
// ErrPassUnfinished; its worker hands that to Continue. Passes are
// idempotent, so the next run finds exactly what is still due.
func NearDeadline(ctx context.Context) bool {
	d, ok := ctx.Deadline()
	return ok && time.Until(d) < passReserve
}

// Continue turns a pass's ErrPassUnfinished into a snooze, so the job runs
// again at once instead of failing; any other error is returned as it is.
func Continue(err error) error {
	if errors.Is(err, ErrPassUnfinished) {
		return river.JobSnooze(time.Second)
	}
	return err
}
