package ratelimit

import (
	"testing"
	"time"
)

func TestParseBucket(t *testing.T) {
	for in, want := range map[string]Bucket{
		"5/5s":      {Limit: 5, Window: 5 * time.Second},
		"100/1m":    {Limit: 100, Window: time.Minute},
		"unlimited": {Limit: -1, Window: time.Second},
	} {
		got, err := ParseBucket(in)
		if err != nil || got != want {
			t.Errorf("ParseBucket(%q) = %+v, %v; want %+v", in, got, err, want)
		}
		if back, _ := ParseBucket(got.String()); back != got {
			t.Errorf("%q does not round-trip through String: %q", in, got.String())
		}
	}
	for _, bad := range []string{"", "5", "0/5s", "-1/5s", "x/5s", "5/0s", "5/soon", "5/-1s"} {
		if _, err := ParseBucket(bad); err == nil {
			t.Errorf("ParseBucket(%q) accepted", bad)
		}
	}
}
