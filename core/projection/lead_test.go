package projection

import (
	"testing"
	"time"
)

func TestLeadEstimator(t *testing.T) {
	ms := time.Millisecond
	steady := func(d time.Duration, n int) []time.Duration {
		out := make([]time.Duration, n)
		for i := range out {
			out[i] = d
		}
		return out
	}
	cases := []struct {
		name     string
		samples  []time.Duration
		min, max time.Duration
	}{
		{"no samples yet: twice the floor", nil, 2 * minRenderLead, 2 * minRenderLead},
		{"fast steady renders: the floor", steady(2*ms, 50), minRenderLead, minRenderLead},
		{"slow steady renders: about the render time", steady(120*ms, 100), 120 * ms, 130 * ms},
		{"erratic renders: well above their mean", append(steady(10*ms, 20), 10*ms, 90*ms, 10*ms, 90*ms, 10*ms, 90*ms), 100 * ms, 400 * ms},
		{"starved: the ceiling", steady(2*time.Second, 20), maxRenderLead, maxRenderLead},
		{"recovers after a slow spell", append(steady(300*ms, 20), steady(3*ms, 80)...), minRenderLead, minRenderLead},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var e leadEstimator
			for _, s := range c.samples {
				e.observe(s)
			}
			if got := e.lead(); got < c.min || got > c.max {
				t.Errorf("lead = %s, want within [%s, %s]", got, c.min, c.max)
			}
		})
	}
}
