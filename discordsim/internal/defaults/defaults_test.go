package defaults

import (
	"testing"
	"time"
)

func TestPositive(t *testing.T) {
	for _, tc := range []struct {
		name   string
		v, def int
		want   int
	}{
		{"positive kept", 3, 7, 3},
		{"zero defaulted", 0, 7, 7},
		{"negative defaulted", -1, 7, 7},
	} {
		if got := Positive(tc.v, tc.def); got != tc.want {
			t.Errorf("%s: Positive(%d, %d) = %d, want %d", tc.name, tc.v, tc.def, got, tc.want)
		}
	}
	if got := Positive(-time.Second, time.Minute); got != time.Minute {
		t.Errorf("Positive(-1s, 1m) = %v, want 1m", got)
	}
}
