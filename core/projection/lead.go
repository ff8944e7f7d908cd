package projection

import (
	"sync"
	"time"
)

// Bounds of the render lead. The floor covers a render on an idle machine
// with room to spare; the ceiling keeps the snapshot far younger than the
// seconds between a dashboard's changes even on a starved machine.
const (
	minRenderLead = 20 * time.Millisecond
	maxRenderLead = 500 * time.Millisecond
)

// leadEstimator sets how long before its send slot a refresh wakes to
// render what it sends. Rendering late costs the slot (the limiter gives up
// a request that comes more than one slot after its time) and sends an
// older snapshot after another wait; rendering early lets changes that
// commit meanwhile miss the send. It follows render times, and the time
// from a planned wake-up to a finished render (a late wake-up costs the
// slot too), like TCP's retransmission timer follows round trips: a
// smoothed mean plus four smoothed deviations, so a busy machine's slow,
// erratic renders get a longer lead and an idle one stays near the floor.
// Every render counts, whether or not a slot follows, so the lead comes
// down again when renders get fast. At the ceiling a refresh renders about
// as early as it did before it booked ahead.
type leadEstimator struct {
	mu     sync.Mutex
	mean   time.Duration
	dev    time.Duration
	primed bool
}

// lead is the current lead, within [minRenderLead, maxRenderLead].
func (e *leadEstimator) lead() time.Duration {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.primed {
		return 2 * minRenderLead
	}
	return min(max(e.mean+4*e.dev, minRenderLead), maxRenderLead)
}

// observe records how long one render took (from the planned wake-up, when
// there was one).
func (e *leadEstimator) observe(took time.Duration) {
	took = min(max(took, 0), maxRenderLead)
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.primed {
		e.mean, e.dev, e.primed = took, took/2, true
		return
	}
	diff := took - e.mean
	if diff < 0 {
		diff = -diff
	}
	// Gains of 1/8 and 1/4, as RFC 6298.
	e.dev += (diff - e.dev) / 4
	e.mean += (took - e.mean) / 8
}
