package restlimit

import "time"

type bucketState uint8

const (
	stateUnknown   bucketState = iota // no limit known: one request at a time
	stateKnown                        // remaining/reset known
	stateUnlimited                    // route answered without rate-limit headers
)

type bucket struct {
	routes  []string // route keys pointing here
	hashKey string   // Discord hash + major params, once known

	state     bucketState
	limit     int       // 0 if unknown
	remaining int       // slots free for new requests (reservations deducted)
	reset     time.Time // end of the current window; zero if not yet known
	inflight  int
	waiters   int
	lastUsed  time.Time

	changed chan struct{} // closed on any change that may unblock waiters
	forward *bucket       // set when merged into another bucket
}

func newBucket() *bucket { return &bucket{} }

// acquire tries to take a slot at now. counted reports whether a known slot
// was consumed (false for probes of a bucket whose state is unknown). If ok
// is false, wait > 0 is how long until the window resets, and wait == 0
// means "until something changes".
func (b *bucket) acquire(now time.Time) (wait time.Duration, ok, counted bool) {
	switch b.state {
	case stateUnlimited:
		return 0, true, false
	case stateKnown:
		if !b.reset.IsZero() && !now.Before(b.reset) {
			// Window over. With a known limit, a fresh window starts with
			// the full limit; its reset time arrives with the next response.
			b.reset = time.Time{}
			if b.limit <= 0 {
				b.state = stateUnknown
				return b.acquire(now)
			}
			b.remaining = b.limit
		}
		if b.remaining > 0 {
			b.remaining--
			return 0, true, true
		}
		if !b.reset.IsZero() {
			return b.reset.Sub(now), false, false
		}
		// Exhausted a window whose end we never learned (all responses
		// were lost). Nobody in flight will tell us, so probe.
		return 0, b.inflight == 0, false
	default:
		return 0, b.inflight == 0, false
	}
}

func (b *bucket) wake() <-chan struct{} {
	if b.changed == nil {
		b.changed = make(chan struct{})
	}
	return b.changed
}

func (b *bucket) broadcast() {
	if b.changed != nil {
		close(b.changed)
		b.changed = nil
	}
}
