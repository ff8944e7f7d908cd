package once_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/together-bot/together/core/db/dbtest"
	"github.com/together-bot/together/core/once"
)

func TestDoOnceConcurrentExpiryAndSweep(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t)
	ctx := context.Background()
	var wins atomic.Int32
	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := once.Do(ctx, d.Bun, "k1", time.Hour)
			if err != nil {
				t.Error(err)
			}
			if ok {
				wins.Add(1)
			}
		}()
	}
	wg.Wait()
	if wins.Load() != 1 {
		t.Fatalf("%d callers won, want 1", wins.Load())
	}
	// A rolled-back claim leaves the key free.
	_ = d.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		ok, err := once.Do(ctx, tx, "k2", time.Hour)
		if !ok || err != nil {
			t.Fatalf("first claim in tx: %v %v", ok, err)
		}
		return errors.New("rollback")
	})
	if ok, _ := once.Do(ctx, d.Bun, "k2", time.Hour); !ok {
		t.Fatal("rolled-back claim kept the key")
	}
	// Expired keys can be claimed again and are swept.
	if ok, _ := once.Do(ctx, d.Bun, "k3", time.Millisecond); !ok {
		t.Fatal("k3 first")
	}
	time.Sleep(20 * time.Millisecond)
	n, err := once.Sweep(ctx, d.Bun)
	if err != nil || n != 1 {
		t.Fatalf("sweep = %d, %v", n, err)
	}
	if ok, _ := once.Do(ctx, d.Bun, "k3", time.Hour); !ok {
		t.Fatal("expired key not reclaimable")
	}
	if _, err := once.Do(ctx, d.Bun, "", time.Hour); !errors.Is(err, once.ErrBadKey) {
		t.Fatalf("empty key err = %v", err)
	}
}
