package oracle

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

func mustLoc(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// The same instant is in different weeks for different guilds: Sunday
// 29 Nov 2026 21:30 UTC is Monday 00:30 in Moscow (next ISO week) and still
// Sunday afternoon in New York.
func TestWeekBoundaryFollowsGuildTimezone(t *testing.T) {
	t.Parallel()
	msk, nyc := mustLoc(t, "Europe/Moscow"), mustLoc(t, "America/New_York")
	instant := time.Date(2026, time.November, 29, 21, 30, 0, 0, time.UTC)
	cases := []struct {
		loc  *time.Location
		want string
	}{
		{time.UTC, "2026-W48"},
		{msk, "2026-W49"},
		{nyc, "2026-W48"},
	}
	for _, c := range cases {
		if got := WeekAt(instant, c.loc).String(); got != c.want {
			t.Errorf("WeekAt(%s, %s) = %s, want %s", instant, c.loc, got, c.want)
		}
	}
	// One minute before local midnight is still the old week.
	if got := WeekAt(time.Date(2026, time.November, 29, 20, 59, 0, 0, time.UTC), msk).String(); got != "2026-W48" {
		t.Errorf("Sunday 23:59 MSK is in %s, want 2026-W48", got)
	}
	// The week starts at local midnight, not UTC midnight.
	w := WeekAt(instant, msk)
	if start := w.Start(msk); !start.Equal(time.Date(2026, time.November, 29, 21, 0, 0, 0, time.UTC)) {
		t.Errorf("2026-W49 starts at %s in Moscow, want Sunday 21:00 UTC", start.UTC())
	}
}

func TestPublishTimeIsLocalMonday10(t *testing.T) {
	t.Parallel()
	msk, nyc := mustLoc(t, "Europe/Moscow"), mustLoc(t, "America/New_York")
	w := Week{Year: 2026, Num: 48}
	if got := w.PublishAt(msk); !got.Equal(time.Date(2026, time.November, 23, 7, 0, 0, 0, time.UTC)) {
		t.Errorf("Moscow publish at %s, want 07:00 UTC", got.UTC())
	}
	if got := w.PublishAt(nyc); !got.Equal(time.Date(2026, time.November, 23, 15, 0, 0, 0, time.UTC)) {
		t.Errorf("New York publish at %s, want 15:00 UTC", got.UTC())
	}
	// Across a DST change: New York's 10:00 on 9 March 2026 is 14:00 UTC (EDT).
	if got := (Week{Year: 2026, Num: 11}).PublishAt(nyc); !got.Equal(time.Date(2026, time.March, 9, 14, 0, 0, 0, time.UTC)) {
		t.Errorf("EDT publish at %s, want 14:00 UTC", got.UTC())
	}
	// Before 10:00 local the next publish is today; after, next Monday.
	before := time.Date(2026, time.November, 23, 6, 59, 0, 0, time.UTC)
	if got := NextPublish(before, msk); !got.Equal(w.PublishAt(msk)) {
		t.Errorf("NextPublish before = %s", got.UTC())
	}
	if got := NextPublish(w.PublishAt(msk), msk); !got.Equal(w.Next().PublishAt(msk)) {
		t.Errorf("NextPublish at = %s", got.UTC())
	}
}

func TestParseWeek(t *testing.T) {
	t.Parallel()
	// 2026 and 2020 have 53 ISO weeks (they start on a Thursday / leap Wednesday); 2025 does not.
	for _, s := range []string{"2026-W01", "2026-W48", "2026-W53", "2020-W53", "2027-W01"} {
		if w, err := ParseWeek(s); err != nil || w.String() != s {
			t.Errorf("ParseWeek(%q) = %v, %v", s, w, err)
		}
	}
	for _, s := range []string{"", "2025-W53", "2026-W00", "2026-W54", "2026W48", "2026-w48", "20x6-W48"} {
		if _, err := ParseWeek(s); err == nil {
			t.Errorf("ParseWeek(%q) accepted", s)
		}
	}
	if got := (Week{Year: 2026, Num: 53}).Next().String(); got != "2027-W01" {
		t.Errorf("week after 2026-W53 = %s", got)
	}
	if !(Week{2026, 53}).Before(Week{2027, 1}) || (Week{2027, 1}).Before(Week{2026, 53}) {
		t.Error("Before is wrong across the year")
	}
}

func FuzzParseWeek(f *testing.F) {
	for _, s := range []string{"2026-W48", "2026-W53", "0000-W01", "9999-W52", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		w, err := ParseWeek(s)
		if err == nil && w.String() != s {
			t.Fatalf("ParseWeek(%q) round-trips to %q", s, w)
		}
	})
}

// pickVector pins the documented formula: changing the hash, the input
// format or the ordering would silently reshuffle every guild's weeks.
func TestPickArchetypeFormula(t *testing.T) {
	t.Parallel()
	lib, err := DefaultLibrary()
	if err != nil {
		t.Fatal(err)
	}
	keys := lib.Keys()
	for i := 1; i < len(keys); i++ {
		if keys[i-1] >= keys[i] {
			t.Fatalf("library keys not sorted: %v", keys)
		}
	}
	// sha256("123456789012345678:2026-W48")[0:8] as a big-endian uint64, mod 12.
	got := []string{
		PickArchetype(keys, 123456789012345678, Week{2026, 48}),
		PickArchetype(keys, 123456789012345678, Week{2026, 49}),
		PickArchetype(keys, 1, Week{2027, 1}),
	}
	if got[0] != pickVector[0] || got[1] != pickVector[1] || got[2] != pickVector[2] {
		t.Fatalf("PickArchetype = %v, want %v", got, pickVector)
	}
	// Over a year, a guild sees more than a couple of archetypes.
	seen := map[string]bool{}
	for n := 1; n <= 52; n++ {
		seen[PickArchetype(keys, 987654321, Week{2027, n})] = true
	}
	if len(seen) < len(keys)/2 {
		t.Errorf("only %d distinct archetypes in 52 weeks", len(seen))
	}
	// The order given does not matter once sorted, only the set.
	if PickArchetype(nil, 1, Week{2026, 1}) != "" {
		t.Error("empty library picked something")
	}
}

// pickVector was computed independently (Python's hashlib) from the
// documented formula.
var pickVector = [3]string{"garden", "signal", "pulse"}

// TestPickArchetypeAcrossProcesses runs the pick in two fresh processes (this
// test binary re-executed) and compares them with this process: no state,
// map order or start time may change the answer.
func TestPickArchetypeAcrossProcesses(t *testing.T) {
	t.Parallel()
	if os.Getenv("ORACLE_PICK_CHILD") != "" {
		t.Skip("child")
	}
	lib, err := DefaultLibrary()
	if err != nil {
		t.Fatal(err)
	}
	want := picks(lib.Keys())
	for i := range 2 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestPickChild$", "-test.v")
		cmd.Env = append(os.Environ(), "ORACLE_PICK_CHILD=1", fmt.Sprintf("ORACLE_PICK_RUN=%d", i))
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("child process: %v\n%s", err, out)
		}
		got := between(string(out), "PICKS[", "]PICKS")
		if got != want {
			t.Fatalf("process %d picked\n%s\nthis process picked\n%s", i, got, want)
		}
	}
}

// TestPickChild is the child side of TestPickArchetypeAcrossProcesses.
func TestPickChild(t *testing.T) {
	if os.Getenv("ORACLE_PICK_CHILD") == "" {
		t.Skip("only run as a child process")
	}
	lib, err := DefaultLibrary()
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("PICKS[%s]PICKS\n", picks(lib.Keys()))
}

func picks(keys []string) string {
	var b strings.Builder
	for _, g := range []uint64{1, 42, 1100000000000000001, 18446744073709551615} {
		for n := 1; n <= 10; n++ {
			w := Week{2026, n * 5}
			fmt.Fprintf(&b, "%d/%s=%s;", g, w, PickArchetype(keys, g, w))
		}
	}
	return b.String()
}

func between(s, from, to string) string {
	i := strings.Index(s, from)
	j := strings.Index(s, to)
	if i < 0 || j < i {
		return "(missing)"
	}
	return s[i+len(from) : j]
}
