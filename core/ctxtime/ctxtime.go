// Package ctxtime is the one way the core waits, for a while (Sleep, Every)
// or for work in flight (Wait): a wait that ends early, with the context's
// error, when the context does.
package ctxtime

import (
	"context"
	"sync"
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

// Wait waits until wg's count is zero, or until ctx ends, and returns ctx's
// error in that case (what wg counts keeps running): a graceful stop that
// gives in-flight work until a deadline.
func Wait(ctx context.Context, wg *sync.WaitGroup) error {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
