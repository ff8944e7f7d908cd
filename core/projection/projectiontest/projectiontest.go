// Package projectiontest holds a fake for the one projection call modules
// make in their transactions, Request, so module tests can count dashboard
// refreshes without running the projection worker.
package projectiontest

import (
	"context"
	"sync"

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
