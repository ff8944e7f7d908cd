package ratelimit

import "time"

// window is one fixed rate-limit window. It opens at the first request after
// the previous window closed, so an idle bucket always starts fresh.
type window struct {
	reset time.Time // when the window closes and the count returns to zero
	count int
}

// roll opens a new window of the given length if the current one has closed.
func (w *window) roll(now time.Time, length time.Duration) {
	if !now.Before(w.reset) {
		w.reset = now.Add(length)
		w.count = 0
	}
}

// expired reports whether the window has closed; an expired window is
// indistinguishable from a missing one and can be dropped.
func (w *window) expired(now time.Time) bool { return !now.Before(w.reset) }

// seconds converts a duration to fractional seconds.
func seconds(d time.Duration) float64 { return d.Seconds() }
