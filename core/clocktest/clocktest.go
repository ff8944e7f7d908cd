// Package clocktest is the one manual clock tests hand to code that takes a
// `Now func() time.Time`: the test sets or advances the time, and nothing
// races a real clock on a loaded machine.
package clocktest

import (
	"sync"
	"time"
)

// Manual is a clock that moves only when told; safe for concurrent use.
type Manual struct {
	mu sync.Mutex
	t  time.Time
}

// New returns a clock stopped at t.
func New(t time.Time) *Manual { return &Manual{t: t} }

// Now is the clock's time; pass the method value as a `Now` option.
func (c *Manual) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set moves the clock to t (backwards too).
func (c *Manual) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// Advance moves the clock forward by d.
func (c *Manual) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
