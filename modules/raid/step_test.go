package raid

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/together-bot/together/core/projection"
	"github.com/together-bot/together/core/projection/projectiontest"
	"github.com/together-bot/together/core/queue"
)

func at(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	must(t, err)
	return v
}

// step runs the step and checks what it did.
func (e *env) step(want stepResult) {
	e.t.Helper()
	got, err := e.svc.Step(context.Background())
	must(e.t, err)
	if got != want {
		e.t.Fatalf("at %s step = %+v, want %+v", e.clock.Now().UTC().Format(time.RFC3339), got, want)
	}
}

func (e *env) active(guildID uint64) raid {
	e.t.Helper()
	r, err := activeRaid(context.Background(), e.DB.Bun, guildID)
	must(e.t, err)
	return r
}

// TestStepFollowsEachGuildsWeek: two guilds in Asia/Almaty and
// America/Los_Angeles. The step ends an expired raid before starting the
// next one (the original started first and so skipped every other week),
// runs twice without effect, turns each guild over at its own local
// Monday, refreshes boards at each local midnight, and catches up after a
// missed week.
func TestStepFollowsEachGuildsWeek(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := context.Background()
	const almaty, la, off uint64 = 201, 202, 203
	must(t, e.Guilds.SetTimezone(ctx, almaty, 1, "Asia/Almaty"))
	must(t, e.Guilds.SetTimezone(ctx, la, 1, "America/Los_Angeles"))
	must(t, e.Guilds.SetModule(ctx, off, 1, Name, false))
	for _, g := range []uint64{almaty, la, off} {
		e.configureChannel(g)
	}

	e.clock.Set(at(t, "2026-11-29T18:30:00Z")) // Almaty Sun 23:30, LA Sun 10:30
	e.step(stepResult{Started: 2})
	e.step(stepResult{})
	a1, l1 := e.active(almaty), e.active(la)
	if a1.WeekStart != "2026-11-23" || !a1.EndsAt.Equal(at(t, "2026-11-29T19:00:00Z")) || !a1.Auto {
		t.Fatalf("almaty raid %+v", a1)
	}
	if l1.WeekStart != "2026-11-23" || !l1.EndsAt.Equal(at(t, "2026-11-30T08:00:00Z")) || l1.Timezone != "America/Los_Angeles" {
		t.Fatalf("la raid %+v", l1)
	}
	if _, err := activeRaid(ctx, e.DB.Bun, off); !errors.Is(err, errNoRaid) {
		t.Fatalf("raid started where the module is off: %v", err)
	}

	// Almaty's Monday 00:00: its raid ends and the new week's starts in
	// the same run; Los Angeles is still on Sunday.
	e.clock.Set(at(t, "2026-11-29T19:01:00Z"))
	e.step(stepResult{Ended: 1, Started: 1})
	e.step(stepResult{})
	if a2 := e.active(almaty); a2.WeekStart != "2026-11-30" || a2.ID == a1.ID {
		t.Fatalf("almaty week 2: %+v", a2)
	}
	if e.raid(a1.ID).Status != statusEnded || e.active(la).ID != l1.ID {
		t.Fatal("wrong raids moved")
	}
	if projectiontest.Requested(t, e.DB.Bun, boardKind, projection.IDKey(a1.ID)) < 2 {
		t.Fatal("the ended raid's board was not re-rendered with its final state")
	}

	e.clock.Set(at(t, "2026-11-30T07:59:00Z")) // LA Sun 23:59
	e.step(stepResult{})
	e.clock.Set(at(t, "2026-11-30T08:00:00Z")) // LA Mon 00:00
	e.step(stepResult{Ended: 1, Started: 1})

	// A new local day re-renders both boards once (new offers, fresh cap).
	a2 := e.active(almaty)
	before := projectiontest.Requested(t, e.DB.Bun, boardKind, projection.IDKey(a2.ID))
	e.clock.Set(at(t, "2026-11-30T18:59:00Z")) // Almaty Mon 23:59
	e.step(stepResult{})
	e.clock.Set(at(t, "2026-11-30T19:00:00Z")) // Almaty Tue 00:00
	e.step(stepResult{DayChanged: 1})
	e.step(stepResult{})
	if projectiontest.Requested(t, e.DB.Bun, boardKind, projection.IDKey(a2.ID)) != before+1 {
		t.Fatal("the day change did not request the board exactly once")
	}

	// A missed week (no runs at all): one run ends both and starts this
	// week's, not last week's.
	e.clock.Set(at(t, "2026-12-16T12:00:00Z"))
	e.step(stepResult{Ended: 2, Started: 2})
	e.step(stepResult{})
	for _, g := range []uint64{almaty, la} {
		if r := e.active(g); r.WeekStart != "2026-12-14" {
			t.Fatalf("guild %d after a missed week: %+v", g, r)
		}
	}

	// Staff end the raid: the step does not restart it this week, but does
	// next week.
	_, err := e.svc.EndRaid(ctx, almaty, 1)
	must(t, err)
	e.step(stepResult{})
	// Staff may start another one by hand the same week.
	r, err := e.svc.StartRaid(ctx, startSpec{GuildID: almaty, Goal: 50, By: 1})
	must(t, err)
	if r.ChannelID != testChannel || r.Auto || r.Goal != 50 {
		t.Fatalf("manual raid %+v", r)
	}
	if _, err := e.svc.StartRaid(ctx, startSpec{GuildID: almaty, By: 1}); !errors.Is(err, errRaidActive) {
		t.Fatalf("second start: %v", err)
	}
	e.clock.Set(at(t, "2026-12-21T12:00:00Z"))
	e.step(stepResult{Ended: 2, Started: 2})

	// Turning the module on later starts that guild's raid on the next run.
	must(t, e.Guilds.SetModule(ctx, off, 1, Name, true))
	e.step(stepResult{Started: 1})
}

// TestConcurrentStepsStartOneRaid: two replicas running the step at once
// start one raid per guild.
func TestConcurrentStepsStartOneRaid(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	e.configureChannel(testGuild)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := e.svc.Step(context.Background()); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	var n int
	must(t, e.DB.Pool.QueryRow(context.Background(), `SELECT count(*) FROM raid_raids`).Scan(&n))
	if n != 1 {
		t.Fatalf("%d raids", n)
	}
}

// TestStepStopsBeforeItsDeadline: a step whose job is close to its deadline
// (River's timeout, as on a loaded machine at 10,000 guilds) stops between
// guilds with queue.ErrPassUnfinished, and its worker snoozes the job rather than
// failing it; the next run starts what is still due, once.
func TestStepStopsBeforeItsDeadline(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	for _, g := range []uint64{301, 302} {
		e.configureChannel(g)
	}
	e.clock.Set(at(t, "2026-11-30T12:00:00Z"))

	late, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	got, err := e.svc.Step(late)
	if !errors.Is(err, queue.ErrPassUnfinished) || got != (stepResult{}) {
		t.Fatalf("step near its deadline = %+v, %v; want nothing done and queue.ErrPassUnfinished", got, err)
	}
	w := &stepWorker{s: e.svc}
	var snooze *river.JobSnoozeError
	if err := w.Work(late, &river.Job[stepArgs]{JobRow: &rivertype.JobRow{ID: 1}}); !errors.As(err, &snooze) {
		t.Fatalf("worker near its deadline returned %v, want a snooze", err)
	}

	e.step(stepResult{Started: 2})
	e.step(stepResult{})
}
