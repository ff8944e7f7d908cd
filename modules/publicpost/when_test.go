package publicpost

import (
	"errors"
	"testing"
	"time"
)

func TestParseWhen(t *testing.T) {
	t.Parallel()
	moscow, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		t.Skip("no tzdata:", err)
	}
	now := time.Date(2026, 3, 1, 17, 0, 0, 0, time.UTC) // 20:00 in Moscow
	cases := []struct {
		in   string
		want time.Time
		err  error
	}{
		{"in 90m", now.Add(90 * time.Minute), nil},
		{"in 2h", now.Add(2 * time.Hour), nil},
		{"  IN 1h 30m ", now.Add(90 * time.Minute), nil},
		{"2026-03-02 09:15", time.Date(2026, 3, 2, 6, 15, 0, 0, time.UTC), nil},
		{"21:30", time.Date(2026, 3, 1, 18, 30, 0, 0, time.UTC), nil},
		{"08:00", time.Date(2026, 3, 2, 5, 0, 0, 0, time.UTC), nil}, // passed today: tomorrow
		{"2026-03-01 19:59", time.Time{}, ErrPast},
		{"2028-01-01 00:00", time.Time{}, ErrTooFar},
		{"in 0m", time.Time{}, ErrBadWhen},
		{"tomorrow", time.Time{}, ErrBadWhen},
		{"in 5 days", time.Time{}, ErrBadWhen},
		{"25:00", time.Time{}, ErrBadWhen},
		{"2026-13-01 10:00", time.Time{}, ErrBadWhen},
		{"", time.Time{}, ErrBadWhen},
	}
	for _, c := range cases {
		got, err := ParseWhen(c.in, now, moscow)
		if !errors.Is(err, c.err) || (c.err == nil && !got.Equal(c.want)) {
			t.Errorf("ParseWhen(%q) = %v, %v; want %v, %v", c.in, got.UTC(), err, c.want, c.err)
		}
	}
}

func TestNonceFitsDiscord(t *testing.T) {
	t.Parallel()
	if n := Nonce(1<<63 - 1); len(n) > 25 {
		t.Fatalf("nonce %q is %d chars", n, len(n))
	}
	if Nonce(42) != "pp.42" || Nonce(42) == Nonce(43) {
		t.Fatal("nonce must be deterministic and per post")
	}
}
