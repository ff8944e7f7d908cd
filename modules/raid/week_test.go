package raid

import (
	"context"
	"math/rand"
	"slices"
	"testing"
	"time"
)

func zone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	must(t, err)
	return loc
}

func TestWeekAndDayFollowTheGuildZone(t *testing.T) {
	t.Parallel()
	almaty, la := zone(t, "Asia/Almaty"), zone(t, "America/Los_Angeles")
	utc := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		must(t, err)
		return v
	}
	for _, c := range []struct {
		name    string
		at      string
		loc     *time.Location
		day     localDay
		monday  localDay
		endsUTC string
	}{
		// Almaty is UTC+5: Sunday 23:59 local is still last week...
		{"almaty sunday night", "2026-11-29T18:59:00Z", almaty, "2026-11-29", "2026-11-23", "2026-11-29T19:00:00Z"},
		// ...and one minute later it is Monday, while UTC is still Sunday.
		{"almaty monday midnight", "2026-11-29T19:00:00Z", almaty, "2026-11-30", "2026-11-30", "2026-12-06T19:00:00Z"},
		// Los Angeles (UTC-8 in winter) is still on Sunday at UTC Monday morning.
		{"la sunday", "2026-11-30T07:59:00Z", la, "2026-11-29", "2026-11-23", "2026-11-30T08:00:00Z"},
		{"la monday", "2026-11-30T08:00:00Z", la, "2026-11-30", "2026-11-30", "2026-12-07T08:00:00Z"},
		// The week in which DST starts (8 March 2026) is 167 hours long.
		{"la dst week", "2026-03-04T12:00:00Z", la, "2026-03-04", "2026-03-02", "2026-03-09T07:00:00Z"},
		{"utc", "2026-11-25T12:00:00Z", time.UTC, "2026-11-25", "2026-11-23", "2026-11-30T00:00:00Z"},
	} {
		at := utc(c.at)
		w := weekAt(at, c.loc)
		if d := dayAt(at, c.loc); d != c.day {
			t.Errorf("%s: day %s, want %s", c.name, d, c.day)
		}
		if w.Start != c.monday || !w.End.Equal(utc(c.endsUTC)) {
			t.Errorf("%s: week %s ends %s, want %s ends %s", c.name, w.Start, w.End.UTC(), c.monday, c.endsUTC)
		}
		if !at.Before(w.End) || at.Before(w.Begin) {
			t.Errorf("%s: %s outside [%s, %s)", c.name, at, w.Begin, w.End)
		}
	}
}

func TestOffersAreDeterministic(t *testing.T) {
	t.Parallel()
	lib := slices.Clone(library)
	want := pickOffers(7, "2026-11-25", lib, 3)
	if len(want) != 3 {
		t.Fatalf("%d offers", len(want))
	}
	for range 20 {
		rand.Shuffle(len(lib), func(i, j int) { lib[i], lib[j] = lib[j], lib[i] })
		if got := pickOffers(7, "2026-11-25", lib, 3); !slices.EqualFunc(got, want, func(a, b quest) bool { return a.Key == b.Key }) {
			t.Fatalf("order-dependent: %v vs %v", got, want)
		}
	}
	distinct := map[string]bool{}
	for d := range 7 {
		day := dayAt(time.Date(2026, 11, 23+d, 12, 0, 0, 0, time.UTC), time.UTC)
		for _, q := range pickOffers(7, day, library, 3) {
			distinct[q.Key] = true
		}
	}
	if len(distinct) < 8 {
		t.Fatalf("a week offers only %d distinct quests", len(distinct))
	}
	if got := pickOffers(7, "2026-11-25", library[:2], 3); len(got) != 2 {
		t.Fatalf("more offers than quests: %d", len(got))
	}
}

func TestLibrary(t *testing.T) {
	t.Parallel()
	if len(library) < 20 {
		t.Fatalf("%d quests; the issue asks for at least 20", len(library))
	}
	seen := map[string]bool{}
	for _, q := range library {
		if seen[q.Key] || len(q.Key) > maxKeyLen || q.Points < 1 || q.EN == "" || q.RU == "" || q.Category == "" {
			t.Errorf("bad quest %+v", q)
		}
		seen[q.Key] = true
		switch q.Difficulty {
		case "easy", "medium", "hard":
		default:
			t.Errorf("%s: difficulty %q", q.Key, q.Difficulty)
		}
	}
	// Loading is an idempotent upsert by key.
	e := newEnv(t, nil)
	ctx := context.Background()
	must(t, e.svc.LoadLibrary(ctx))
	_, err := e.DB.Pool.Exec(ctx, `UPDATE raid_quests SET points = 1 WHERE key = $1`, library[0].Key)
	must(t, err)
	e.svc.libraryLoaded.Store(false)
	must(t, e.svc.LoadLibrary(ctx))
	var n, pts int
	must(t, e.DB.Pool.QueryRow(ctx, `SELECT count(*), (SELECT points FROM raid_quests WHERE key = $1) FROM raid_quests`,
		library[0].Key).Scan(&n, &pts))
	if n != len(library) || pts != library[0].Points {
		t.Fatalf("%d quests, points %d", n, pts)
	}
}
