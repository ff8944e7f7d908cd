// Package ctxtime is the one way the core waits: a sleep that ends early,
// with the context's error, when the context does.
package ctxtime

import (
	"context"
	"time"
)

// Sleep waits d, or until ctx ends, and returns ctx's error in that case. A
// d of zero or less returns at once (nil unless ctx has already ended).
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Every calls fn every d until ctx ends; the first call comes after d, and
// none starts once ctx has ended. A call that overruns d delays the next
// instead of queueing ticks.
func Every(ctx context.Context, d time.Duration, fn func(context.Context)) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if ctx.Err() != nil {
				return
			}
			fn(ctx)
		}
	}
}
