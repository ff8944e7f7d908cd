package restlimit

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/disgoorg/disgo/rest"

	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/db/dbtest"
	"github.com/together-bot/together/core/db/migrate"
	"github.com/together-bot/together/migrations"
)

// sharedDBs returns n pools on one migrated schema: n processes of one
// deployment.
func sharedDBs(t testing.TB, n int) []*db.DB {
	t.Helper()
	schema := dbtest.Schema(t)
	first := dbtest.Open(t, schema)
	m := migrate.New(first.Pool, slog.New(slog.DiscardHandler), migrate.Source{Module: "core", FS: migrations.FS})
	if _, err := m.Up(context.Background()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	out := []*db.DB{first}
	for len(out) < n {
		out = append(out, dbtest.Open(t, schema))
	}
	return out
}

func sharedBudgets(t testing.TB, n int, o SharedOptions) ([]*Shared, []*db.DB) {
	dbs := sharedDBs(t, n)
	var out []*Shared
	for _, d := range dbs {
		out = append(out, NewShared(d.Pool, o))
	}
	return out, dbs
}

// maxInWindow is the most sends (database times) that fall in any
// half-open interval of length w.
func maxInWindow(sends []time.Time, w time.Duration) int {
	s := slices.Clone(sends)
	slices.SortFunc(s, time.Time.Compare)
	best, lo := 0, 0
	for hi := range s {
		for s[hi].Sub(s[lo]) >= w {
			lo++
		}
		best = max(best, hi-lo+1)
	}
	return best
}

// bookAll books n sends of route, spread over the budgets and several
// goroutines each, waiting as told when a booking is refused, and returns the
// booked slots in database time.
func bookAll(t *testing.T, budgets []*Shared, route func(i int) string, n int) []time.Time {
	t.Helper()
	var (
		mu    sync.Mutex
		sends []time.Time
		wg    sync.WaitGroup
	)
	ctx := context.Background()
	// Five goroutines per process: concurrent enough to contend for every
	// lock, few enough not to queue for connections on a busy machine.
	work := make(chan int)
	for w := range 5 * len(budgets) {
		s := budgets[w%len(budgets)]
		wg.Go(func() {
			for i := range work {
				for {
					g, err := s.take(ctx, route(i), time.Minute)
					if err != nil {
						t.Error(err)
						break
					}
					if g.booked {
						mu.Lock()
						sends = append(sends, g.sendAt)
						mu.Unlock()
						break
					}
					time.Sleep(g.retryIn)
				}
			}
		})
	}
	for i := range n {
		work <- i
	}
	close(work)
	wg.Wait()
	return sends
}

// TestSharedBudgetGlobalScheduleAcrossProcesses: three processes booking
// at once get distinct slots at least 1/46 s apart, so no second of
// database time holds more than 47 sends.
func TestSharedBudgetGlobalScheduleAcrossProcesses(t *testing.T) {
	budgets, _ := sharedBudgets(t, 3, SharedOptions{})
	const n = 150
	sends := bookAll(t, budgets, func(int) string { return "" }, n)
	if len(sends) != n {
		t.Fatalf("booked %d of %d", len(sends), n)
	}
	slices.SortFunc(sends, time.Time.Compare)
	gap := budgets[0].gap.Truncate(time.Microsecond)
	for i := 1; i < len(sends); i++ {
		if d := sends[i].Sub(sends[i-1]); d < gap {
			t.Fatalf("slots %d and %d are %v apart, want >= %v", i-1, i, d, gap)
		}
	}
	if got := maxInWindow(sends, time.Second); got > 47 {
		t.Errorf("%d sends in one second of database time, want <= 47", got)
	}
}

// TestSharedBucketAcrossProcesses: once Discord said a bucket allows 2
// requests per 300 ms, three processes together book at most 2 in any
// 300 ms (plus margin), and routes Discord reported with the same bucket
// hash count together.
func TestSharedBucketAcrossProcesses(t *testing.T) {
	budgets, _ := sharedBudgets(t, 3, SharedOptions{})
	const (
		create = "POST /channels/{channel.id}/messages 7"
		edit   = "PATCH /channels/{channel.id}/messages/{message.id} 7"
	)
	for _, route := range []string{create, edit} {
		info := &respInfo{status: 200, hash: "abc", limit: 2, hasLimit: true, remaining: 1, hasRemaining: true,
			resetAfter: 300 * time.Millisecond, hasReset: true, anyLimitHeader: true}
		if err := budgets[0].learn(route, "abc 7", info); err != nil {
			t.Fatal(err)
		}
	}
	sends := bookAll(t, budgets, func(i int) string {
		if i%2 == 0 {
			return create
		}
		return edit
	}, 12)
	if len(sends) != 12 {
		t.Fatalf("booked %d of 12", len(sends))
	}
	if got := maxInWindow(sends, 300*time.Millisecond); got > 2 {
		t.Errorf("%d sends of one bucket within 300ms, want <= 2", got)
	}
}

// TestSharedUnknownBucketProbesOnce: before Discord's headers are known,
// one request of a bucket goes at a time, across processes; the response
// releases the bucket.
func TestSharedUnknownBucketProbesOnce(t *testing.T) {
	budgets, _ := sharedBudgets(t, 2, SharedOptions{})
	ctx := context.Background()
	const route = "GET /channels/{channel.id} 9"
	g, err := budgets[0].take(ctx, route, time.Minute)
	if err != nil || !g.booked {
		t.Fatalf("first probe: %+v, %v", g, err)
	}
	g, err = budgets[1].take(ctx, route, time.Minute)
	if err != nil || g.booked || g.scope != ScopeRoute {
		t.Fatalf("second request while the probe is out: %+v, %v; want held back by the route", g, err)
	}
	info := &respInfo{status: 200, limit: 5, hasLimit: true, remaining: 4, hasRemaining: true,
		resetAfter: time.Second, hasReset: true, anyLimitHeader: true}
	if err := budgets[0].learn(route, "", info); err != nil {
		t.Fatal(err)
	}
	g, err = budgets[1].take(ctx, route, time.Minute)
	if err != nil || !g.booked {
		t.Fatalf("after the probe's response: %+v, %v; want booked", g, err)
	}
}

// TestSharedGlobal429PausesEveryProcess: a global 429 one process received
// holds every process's next send until the pause ends.
func TestSharedGlobal429PausesEveryProcess(t *testing.T) {
	budgets, dbs := sharedBudgets(t, 2, SharedOptions{})
	ctx := context.Background()
	info := &respInfo{status: http.StatusTooManyRequests, global: true, scope: ScopeGlobal, retryAfter: 2 * time.Second}
	if err := budgets[0].learn("POST /channels/{channel.id}/messages 1", "", info); err != nil {
		t.Fatal(err)
	}
	var pausedUntil time.Time
	if err := dbs[0].Pool.QueryRow(ctx, `SELECT paused_until FROM core_rest_schedule`).Scan(&pausedUntil); err != nil {
		t.Fatal(err)
	}
	g, err := budgets[1].take(ctx, "", time.Minute)
	if err != nil || !g.booked {
		t.Fatalf("take: %+v, %v", g, err)
	}
	if g.sendAt.Before(pausedUntil) {
		t.Errorf("slot %v inside the global pause ending %v", g.sendAt, pausedUntil)
	}
}

// TestSharedMaxWaitRefusesWithoutBooking: a request that may wait only
// 10ms behind a 3 s backlog fails at once with the expected delay, and the
// schedule is left as it was.
func TestSharedMaxWaitRefusesWithoutBooking(t *testing.T) {
	budgets, dbs := sharedBudgets(t, 1, SharedOptions{})
	ctx := context.Background()
	if _, err := dbs[0].Pool.Exec(ctx, `UPDATE core_rest_schedule SET next_at = clock_timestamp() + interval '3 seconds'`); err != nil {
		t.Fatal(err)
	}
	var before time.Time
	if err := dbs[0].Pool.QueryRow(ctx, `SELECT next_at FROM core_rest_schedule`).Scan(&before); err != nil {
		t.Fatal(err)
	}
	l := New(WithShared(budgets[0]), WithLogger(quietLogger()))
	ep := rest.CreateMessage.Compile(nil, 1)
	err := l.Wait(WithMaxWait(ctx, 10*time.Millisecond), ep)
	var we *WaitError
	if !errors.As(err, &we) || we.Wait < 2*time.Second || we.Scope != ScopeGlobal {
		t.Fatalf("Wait = %v; want a global *WaitError of about 3s", err)
	}
	if d, ok := RetryAfter(err); !ok || d != we.Wait {
		t.Errorf("RetryAfter = %v, %v", d, ok)
	}
	var after time.Time
	if err := dbs[0].Pool.QueryRow(ctx, `SELECT next_at FROM core_rest_schedule`).Scan(&after); err != nil {
		t.Fatal(err)
	}
	if !after.Equal(before) {
		t.Errorf("refused request moved the schedule from %v to %v", before, after)
	}
	assertIdle(t, l)
}

// TestSharedFailsClosedButInteractionsStayImmediate: with the database
// gone, ordinary requests are held and then refused with
// ErrBudgetUnavailable; interaction callbacks and follow-ups never touch
// the budget.
func TestSharedFailsClosedButInteractionsStayImmediate(t *testing.T) {
	dbs := sharedDBs(t, 1)
	budget := NewShared(dbs[0].Pool, SharedOptions{OutageWait: 50 * time.Millisecond})
	dbs[0].Pool.Close()
	l := New(WithShared(budget), WithLogger(quietLogger()))
	ctx := context.Background()

	for _, ep := range []*rest.CompiledEndpoint{
		rest.CreateInteractionResponse.Compile(nil, 1, "tok"),
		rest.CreateFollowupMessage.Compile(nil, 2, "tok"),
		rest.UpdateInteractionResponse.Compile(nil, 2, "tok"),
	} {
		if err := l.Wait(ctx, ep); err != nil {
			t.Fatalf("%s: %v", ep.URL, err)
		}
		if err := l.Unlock(ep, response(204, "")); err != nil {
			t.Fatal(err)
		}
	}
	err := l.Wait(ctx, rest.CreateMessage.Compile(nil, 1))
	if !errors.Is(err, ErrBudgetUnavailable) {
		t.Fatalf("Wait without the database = %v; want ErrBudgetUnavailable", err)
	}
	if d, ok := RetryAfter(err); !ok || d <= 0 {
		t.Errorf("RetryAfter = %v, %v; want a positive delay", d, ok)
	}
	assertIdle(t, l)
}

// TestSharedBookedSlotServesOneRequest: a request carrying a slot booked
// with Book is sent in it without booking again; only the first request of
// that route does, and the next one books its own slot.
func TestSharedBookedSlotServesOneRequest(t *testing.T) {
	// Slots 1 s apart: a request may come up to one slot late, so a slow
	// machine cannot make the booked slot expire before it is used.
	budgets, dbs := sharedBudgets(t, 1, SharedOptions{PerSecond: 1})
	ctx := context.Background()
	l := New(WithShared(budgets[0]), WithLogger(quietLogger()))
	nextAt := func() time.Time {
		t.Helper()
		var at time.Time
		if err := dbs[0].Pool.QueryRow(ctx, `SELECT next_at FROM core_rest_schedule`).Scan(&at); err != nil {
			t.Fatal(err)
		}
		return at
	}
	// The slot lies 2 s ahead and Book returns at once (lead 3 s): the
	// request then sleeps until the slot, so it is on time however slowly
	// the test itself runs until then.
	if _, err := dbs[0].Pool.Exec(ctx, `UPDATE core_rest_schedule SET next_at = clock_timestamp() + interval '2 seconds'`); err != nil {
		t.Fatal(err)
	}
	slot, err := l.Book(ctx, rest.UpdateMessage.Compile(nil, 1, 2), 3*time.Second)
	if err != nil || slot == nil {
		t.Fatalf("Book = %v, %v", slot, err)
	}
	booked := nextAt()
	withSlot := WithSlot(ctx, slot)

	first := rest.UpdateMessage.Compile(nil, 1, 2) // disgo compiles one endpoint per call
	if err := l.Wait(withSlot, first); err != nil {
		t.Fatal(err)
	}
	_ = l.Unlock(first, nil)
	if got := nextAt(); !got.Equal(booked) {
		t.Errorf("the request with its booked slot booked again: schedule %v -> %v", booked, got)
	}

	other := rest.CreateMessage.Compile(nil, 1) // another route books its own slot
	updateKey, _ := keys(first)
	otherCtx := WithSlot(ctx, &Slot{limiter: l, key: updateKey, sendAt: time.Now()})
	if err := l.Wait(otherCtx, other); err != nil {
		t.Fatal(err)
	}
	_ = l.Unlock(other, nil)
	afterOther := nextAt()
	if !afterOther.After(booked) {
		t.Errorf("a request of another route used a slot booked for another (schedule stayed at %v)", booked)
	}

	second := rest.UpdateMessage.Compile(nil, 1, 2)
	if err := l.Wait(withSlot, second); err != nil {
		t.Fatal(err)
	}
	_ = l.Unlock(second, nil)
	if got := nextAt(); !got.After(afterOther) {
		t.Errorf("a second request reused the slot (schedule stayed at %v)", got)
	}
	slot.Forgo() // used: nothing to give up
	assertIdle(t, l)
}

// TestSharedForgoneSlotReleasesProbe: the first booking of an unknown
// route is its probe; when the caller gives the slot up unsent, the route
// is free at once instead of waiting for a response that never comes.
func TestSharedForgoneSlotReleasesProbe(t *testing.T) {
	budgets, _ := sharedBudgets(t, 2, SharedOptions{})
	ctx := context.Background()
	l := New(WithShared(budgets[0]), WithLogger(quietLogger()))
	ep := rest.CreateMessage.Compile(nil, 7)
	key, _ := keys(ep)
	slot, err := l.Book(ctx, ep, 0)
	if err != nil || slot == nil {
		t.Fatalf("Book = %v, %v", slot, err)
	}
	if g, err := budgets[1].take(ctx, key, time.Minute); err != nil || g.booked || g.scope != ScopeRoute {
		t.Fatalf("while the probe is booked: %+v, %v; want held back by the route", g, err)
	}
	slot.Forgo()
	g, err := budgets[1].take(ctx, key, time.Minute)
	if err != nil || !g.booked {
		t.Fatalf("after the probe's slot was given up: %+v, %v; want booked", g, err)
	}

	// Once the limit is known (1 per 5 s), a given-up slot leaves the
	// route's log: the next request is not held back by a send Discord
	// never saw.
	info := &respInfo{status: 200, limit: 1, hasLimit: true, remaining: 1, hasRemaining: true,
		resetAfter: 5 * time.Second, hasReset: true, anyLimitHeader: true}
	if err := budgets[1].learn(key, "", info); err != nil {
		t.Fatal(err)
	}
	if _, err := budgets[1].pool.Exec(ctx, `UPDATE core_rest_buckets SET sends = '{}'`); err != nil {
		t.Fatal(err)
	}
	if slot, err = l.Book(ctx, ep, 0); err != nil || slot == nil {
		t.Fatalf("Book = %v, %v", slot, err)
	}
	if g, err := budgets[1].take(ctx, key, time.Minute); err != nil || g.booked || g.scope != ScopeRoute {
		t.Fatalf("with the window full: %+v, %v; want held back by the route", g, err)
	}
	slot.Forgo()
	if g, err := budgets[1].take(ctx, key, time.Minute); err != nil || !g.booked {
		t.Fatalf("after the slot was given up: %+v, %v; want booked", g, err)
	}
}

// TestBookWithoutSharedBudget: an in-memory limiter has nothing to book
// ahead; the request waits as usual.
func TestBookWithoutSharedBudget(t *testing.T) {
	l := New(WithLogger(quietLogger()))
	slot, err := l.Book(context.Background(), rest.CreateMessage.Compile(nil, 1), 0)
	if slot != nil || err != nil {
		t.Fatalf("Book = %v, %v; want nil, nil", slot, err)
	}
	if ctx := WithSlot(context.Background(), nil); ctx != context.Background() {
		t.Error("WithSlot(nil) changed the context")
	}
	slot.Forgo() // a nil slot is a no-op
}
