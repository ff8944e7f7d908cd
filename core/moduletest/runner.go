package moduletest

import (
	"context"
	"testing"
	"time"

	"github.com/together-bot/together/core/queue"
)

// Runner builds a queue runner for opts, its jobs checked as the runtime
// checks them (a kind must be named after its module and registered once).
// The test starts it; StartRunner also does that.
func Runner(t testing.TB, opts queue.Options) *queue.Runner {
	t.Helper()
	reg, err := queue.NewRegistry(opts.Jobs)
	if err != nil {
		t.Fatal(err)
	}
	opts.Jobs = reg.All()
	r, err := queue.NewRunner(opts)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// StartRunner is Runner, started, and stopped (gracefully, within 20 s) at
// cleanup: a bot process's workers without its gateway.
func StartRunner(t testing.TB, opts queue.Options) *queue.Runner {
	t.Helper()
	r := Runner(t, opts)
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		_ = r.Stop(ctx)
	})
	return r
}
