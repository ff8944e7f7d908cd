package ctxtime_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/together-bot/together/core/ctxtime"
)

func TestSleep(t *testing.T) {
	t.Parallel()
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		d    time.Duration
		want error
	}{
		{"elapses", context.Background(), time.Millisecond, nil},
		{"zero returns at once", context.Background(), 0, nil},
		{"negative returns at once", context.Background(), -time.Second, nil},
		{"ended context wins over a long wait", cancelled, time.Hour, context.Canceled},
		{"ended context wins over zero", cancelled, 0, context.Canceled},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := ctxtime.Sleep(tc.ctx, tc.d); !errors.Is(err, tc.want) {
				t.Fatalf("Sleep(%s) = %v, want %v", tc.d, err, tc.want)
			}
		})
	}
}

// TestEveryCallsUntilTheContextEnds: Every keeps calling and returns once the
// context ends, here ended by the third call itself.
func TestEveryCallsUntilTheContextEnds(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	calls := 0
	ctxtime.Every(ctx, time.Millisecond, func(got context.Context) {
		if got != ctx {
			t.Error("fn did not get Every's context")
		}
		calls++
		if calls == 3 {
			cancel()
		}
	})
	if calls != 3 {
		t.Fatalf("fn called %d times, want 3 (Every must stop once the context ends)", calls)
	}
}

func TestWait(t *testing.T) {
	t.Parallel()
	var idle sync.WaitGroup
	if err := ctxtime.Wait(context.Background(), &idle); err != nil {
		t.Fatalf("nothing in flight: %v", err)
	}

	// Work that finishes is waited for.
	var busy sync.WaitGroup
	release := make(chan struct{})
	busy.Add(1)
	go func() { <-release; busy.Done() }()
	waited := make(chan error)
	go func() { waited <- ctxtime.Wait(context.Background(), &busy) }()
	close(release)
	if err := <-waited; err != nil {
		t.Fatalf("work that finished: %v", err)
	}

	// Work that never finishes gives way to the context.
	var stuck sync.WaitGroup
	stuck.Add(1)
	defer stuck.Done()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := ctxtime.Wait(ctx, &stuck); !errors.Is(err, context.Canceled) {
		t.Fatalf("stuck work, context ended: %v, want context.Canceled", err)
	}
}
