// Package projectiontest counts dashboard refreshes in module tests without
// running the projection worker: Requests fakes the one call modules make in
// their transactions, Request; Requested reads what the real service
// recorded.
package projectiontest

import (
	"context"
	"sync"
	"testing"

	"github.com/uptrace/bun"
)

// Requests records every Request by kind and key. The zero value is ready.
type Requests struct {
	mu    sync.Mutex
	count map[string]int
}

// Request records one request; it never fails.
func (r *Requests) Request(_ context.Context, _ bun.Tx, kind, key string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.count == nil {
		r.count = map[string]int{}
	}
	r.count[kind+"/"+key]++
	return nil
}

// Count is how many times the projection kind/key was requested.
func (r *Requests) Count(kind, key string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.count[kind+"/"+key]
}

// Requested is how many times the real projection service was asked to
// refresh kind/key: each Request bumps the row's version, which starts at 1
// (0: never requested). Rebuilds bump it too.
func Requested(t testing.TB, idb bun.IDB, kind, key string) int {
	t.Helper()
	var v int
	err := idb.NewRaw(`SELECT coalesce((SELECT version FROM core_projections WHERE kind = ? AND key = ?), 0)`, kind, key).
		Scan(context.Background(), &v)
	if err != nil {
		t.Fatalf("projection %s/%s: %v", kind, key, err)
	}
	return v
}
