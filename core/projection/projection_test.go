package projection_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/disgoorg/snowflake/v2"
	"github.com/uptrace/bun"

	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/db/dbtest"
	"github.com/together-bot/together/core/projection"
	"github.com/together-bot/together/discordsim"
)

func contentOf(t *testing.T, w *world, st projection.State) string {
	t.Helper()
	if st.MessageID == 0 {
		return ""
	}
	m := w.messages(t, st.ChannelID)[st.MessageID.String()]
	if m == nil {
		return ""
	}
	c, _ := m["content"].(string)
	return c
}

func TestTrailingUpdateAfterBurstLands(t *testing.T) {
	t.Parallel()
	w := newWorld(t, discordsim.Options{RequestLogSize: 10000})
	d := newDB(t)
	n := newNode(t, d, w.rest(d), projection.Options{}, nil, false)
	ch := w.channel(t, "burst")
	board(t, d, "b1", w.guildID(), ch)

	const changes = 60
	for range changes {
		bump(t, d, n.svc, "b1")
		time.Sleep(20 * time.Millisecond) // ~1.2 s of changes, spanning several refreshes
	}
	want := render("b1", changes)
	dbtest.WaitUntil(t, 15*time.Second, "the last change on Discord", func() bool {
		st := state(t, d, "b1")
		return st.MessageID != 0 && contentOf(t, w, st) == want && !st.Behind
	})
	st := w.sim.Stats()
	if st.RateLimited != 0 {
		t.Errorf("emulator answered %d 429s", st.RateLimited)
	}
	if got := len(w.messages(t, ch)); got != 1 {
		t.Errorf("channel has %d messages, want 1", got)
	}
	if edits := st.MessagesCreated + st.MessagesEdited; edits > changes || edits < 2 {
		t.Errorf("%d creates+edits for %d changes", edits, changes)
	}
	if ts := patchTimes(w, ch); maxInWindow(ts, 5*time.Second) > 5 {
		t.Errorf("more than 5 edits in 5 s: %v", ts)
	}
}

func TestRollbackRequestsNothing(t *testing.T) {
	t.Parallel()
	w := newWorld(t, discordsim.Options{})
	d := newDB(t)
	svc, err := projection.New(projection.Config{DB: d, Discord: w.rest(d), Renderers: []projection.Renderer{renderer(false)}, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	ch := w.channel(t, "rb")
	board(t, d, "r1", w.guildID(), ch)
	errAbort := errors.New("abort")
	err = d.InTx(context.Background(), func(ctx context.Context, tx bun.Tx) error {
		if err := svc.Request(ctx, tx, testKind, "r1"); err != nil {
			return err
		}
		return errAbort
	})
	if !errors.Is(err, errAbort) {
		t.Fatalf("InTx: %v", err)
	}
	var jobs, rows int
	_ = d.Pool.QueryRow(context.Background(), `SELECT count(*) FROM river_job`).Scan(&jobs)
	_ = d.Pool.QueryRow(context.Background(), `SELECT count(*) FROM core_projections`).Scan(&rows)
	if jobs != 0 || rows != 0 {
		t.Fatalf("rolled-back request left %d jobs and %d projection rows", jobs, rows)
	}
	// A committed one does enqueue exactly one job, however often requested.
	for range 3 {
		change(t, d, svc, "r1", "")
	}
	_ = d.Pool.QueryRow(context.Background(), `SELECT count(*) FROM river_job WHERE kind = 'projection.refresh'`).Scan(&jobs)
	if jobs != 1 {
		t.Fatalf("3 committed requests made %d jobs, want 1 (coalesced)", jobs)
	}
	if err := svc.Request(context.Background(), bun.Tx{}, "nope", "x"); !errors.Is(err, projection.ErrUnknownKind) {
		t.Fatalf("unknown kind: %v", err)
	}
}

// firstRefresh is how several tests begin: a world and one node (pinning
// dashboards when pin), and dashboard key in a channel of its own, changed
// once so that its first message goes out.
func firstRefresh(t *testing.T, key string, pin bool) (*world, *db.DB, *node, snowflake.ID) {
	t.Helper()
	w := newWorld(t, discordsim.Options{})
	d := newDB(t)
	n := newNode(t, d, w.rest(d), projection.Options{}, nil, pin)
	ch := w.channel(t, key)
	board(t, d, key, w.guildID(), ch)
	bump(t, d, n.svc, key)
	return w, d, n, ch
}

func TestDeletedMessageIsRecreated(t *testing.T) {
	t.Parallel()
	w, d, n, ch := firstRefresh(t, "d1", false)
	dbtest.WaitUntil(t, 10*time.Second, "first message", func() bool { return contentOf(t, w, state(t, d, "d1")) == render("d1", 1) })
	first := state(t, d, "d1").MessageID
	if err := w.sim.DeleteMessage(ch.String(), first.String()); err != nil {
		t.Fatal(err)
	}
	bump(t, d, n.svc, "d1")
	dbtest.WaitUntil(t, 10*time.Second, "recreated message", func() bool {
		st := state(t, d, "d1")
		return st.MessageID != first && contentOf(t, w, st) == render("d1", 2)
	})
	if got := len(w.messages(t, ch)); got != 1 {
		t.Fatalf("channel has %d messages, want 1", got)
	}
}

func TestMissingAccessMarksBrokenThenRecovers(t *testing.T) {
	t.Parallel()
	w := newWorld(t, discordsim.Options{})
	d := newDB(t)
	n := newNode(t, d, w.rest(d), projection.Options{BrokenRecheck: 500 * time.Millisecond}, nil, false)
	ch := w.channel(t, "hidden")
	deny := discordsim.Overwrite{ID: w.sim.BotUserID(), Type: discordsim.OverwriteMember, Deny: discordsim.PermViewChannel}
	if err := w.sim.SetOverwrite(ch.String(), deny); err != nil {
		t.Fatal(err)
	}
	board(t, d, "m1", w.guildID(), ch)
	bump(t, d, n.svc, "m1")
	dbtest.WaitUntil(t, 10*time.Second, "broken state", func() bool { return state(t, d, "m1").Status == projection.StatusBroken })
	st := state(t, d, "m1")
	if st.LastError == "" || st.BrokenSince == nil {
		t.Fatalf("broken without a reason: %+v", st)
	}
	dash, err := n.svc.Dashboards(context.Background(), w.guildID())
	if err != nil || len(dash) != 1 || dash[0].Status != projection.StatusBroken {
		t.Fatalf("Dashboards = %+v, %v", dash, err)
	}
	// Requests inside the backoff do not call Discord again.
	before := w.sim.Stats().Requests
	bump(t, d, n.svc, "m1")
	time.Sleep(300 * time.Millisecond)
	if after := w.sim.Stats().Requests; after != before {
		t.Errorf("%d requests to a broken channel within the backoff", after-before)
	}

	// The admin fixes the channel; the periodic recheck brings it back.
	if err := w.sim.SetOverwrite(ch.String(), discordsim.Overwrite{ID: w.sim.BotUserID(), Type: discordsim.OverwriteMember}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(600 * time.Millisecond)
	if k, err := n.svc.Recheck(context.Background()); err != nil || k != 1 {
		t.Fatalf("Recheck = %d, %v", k, err)
	}
	dbtest.WaitUntil(t, 10*time.Second, "recovery", func() bool {
		st := state(t, d, "m1")
		return st.Status == projection.StatusOK && st.LastError == "" && contentOf(t, w, st) == render("m1", 2)
	})

	// Reconfigured to a channel that was deleted: broken; moved again: fixed.
	gone := w.channel(t, "soon-deleted")
	if err := w.sim.DeleteChannel(gone.String()); err != nil {
		t.Fatal(err)
	}
	change(t, d, n.svc, "m1", "channel_id = ?", int64(gone))
	dbtest.WaitUntil(t, 10*time.Second, "unknown channel", func() bool { return state(t, d, "m1").Status == projection.StatusBroken })
	other := w.channel(t, "new-home")
	change(t, d, n.svc, "m1", "channel_id = ?", int64(other))
	dbtest.WaitUntil(t, 10*time.Second, "moved dashboard", func() bool {
		st := state(t, d, "m1")
		return st.Status == projection.StatusOK && st.ChannelID == other && contentOf(t, w, st) == render("m1", 2)
	})
}

func TestUnchangedContentSkipsTheAPI(t *testing.T) {
	t.Parallel()
	w, d, n, _ := firstRefresh(t, "s1", false)
	dbtest.WaitUntil(t, 10*time.Second, "message", func() bool { return !state(t, d, "s1").Behind && state(t, d, "s1").MessageID != 0 })
	base := w.sim.Stats()
	for range 5 {
		change(t, d, n.svc, "s1", "") // a request with nothing visible changed
	}
	dbtest.WaitUntil(t, 10*time.Second, "requests handled", func() bool { return !state(t, d, "s1").Behind })
	if st := w.sim.Stats(); st.Requests != base.Requests {
		t.Fatalf("unchanged content made %d REST calls", st.Requests-base.Requests)
	}
	// Rebuild forces one send even though nothing changed.
	k, err := projection.Rebuild(context.Background(), d, projection.Filter{Kind: testKind})
	if err != nil || k != 1 {
		t.Fatalf("Rebuild = %d, %v", k, err)
	}
	dbtest.WaitUntil(t, 10*time.Second, "rebuild edit", func() bool { return w.sim.Stats().MessagesEdited == base.MessagesEdited+1 })
}

func TestGoneDeletesAndPinOnce(t *testing.T) {
	t.Parallel()
	w, d, n, ch := firstRefresh(t, "p1", true)
	dbtest.WaitUntil(t, 10*time.Second, "pinned message", func() bool {
		st := state(t, d, "p1")
		m := w.messages(t, ch)[st.MessageID.String()]
		return st.Pinned && m != nil && m["pinned"] == true
	})
	bump(t, d, n.svc, "p1")
	dbtest.WaitUntil(t, 10*time.Second, "edit", func() bool { return contentOf(t, w, state(t, d, "p1")) == render("p1", 2) })
	pins := 0
	for _, r := range w.sim.Requests() {
		if r.Method == "PUT" {
			pins++
		}
	}
	if pins != 1 {
		t.Errorf("%d pin calls, want 1", pins)
	}
	msgID := state(t, d, "p1").MessageID.String()
	change(t, d, n.svc, "p1", "gone = true")
	dbtest.WaitUntil(t, 10*time.Second, "deleted", func() bool {
		st := state(t, d, "p1")
		return st.Status == projection.StatusGone && w.messages(t, ch)[msgID] == nil
	})

}

func TestGateStopsUpdates(t *testing.T) {
	t.Parallel()
	w := newWorld(t, discordsim.Options{})
	d := newDB(t)
	var on atomic.Bool
	on.Store(true)
	gate := gateFunc(func(module string, _ uint64) bool { return module != "testmod" || on.Load() })
	n := newNode(t, d, w.rest(d), projection.Options{}, gate, false)
	ch := w.channel(t, "gated")
	board(t, d, "g1", w.guildID(), ch)
	bump(t, d, n.svc, "g1")
	dbtest.WaitUntil(t, 10*time.Second, "message", func() bool { return contentOf(t, w, state(t, d, "g1")) == render("g1", 1) })
	on.Store(false)
	bump(t, d, n.svc, "g1")
	dbtest.WaitUntil(t, 10*time.Second, "job done", func() bool {
		var n int
		_ = d.Pool.QueryRow(context.Background(), `SELECT count(*) FROM river_job WHERE kind = 'projection.refresh' AND state <> 'completed'`).Scan(&n)
		return n == 0
	})
	if got := contentOf(t, w, state(t, d, "g1")); got != render("g1", 1) {
		t.Fatalf("module off, yet the dashboard changed to %q", got)
	}
	on.Store(true)
	if _, err := n.svc.Rebuild(context.Background(), projection.Filter{Guild: w.guildID()}); err != nil {
		t.Fatal(err)
	}
	dbtest.WaitUntil(t, 10*time.Second, "update after re-enabling", func() bool { return contentOf(t, w, state(t, d, "g1")) == render("g1", 2) })
}

func TestTwoProcessesOneMessagePerDashboard(t *testing.T) {
	t.Parallel()
	w := newWorld(t, discordsim.Options{RequestLogSize: 20000})
	d := newDB(t)
	a := newNode(t, d, w.rest(d), projection.Options{}, nil, false)
	b := newNode(t, d, w.rest(d), projection.Options{}, nil, false)
	const boards = 12
	chans := []interface{ String() string }{}
	for i := range 3 {
		chans = append(chans, w.channel(t, fmt.Sprintf("shared-%d", i)))
	}
	for i := range boards {
		board(t, d, fmt.Sprintf("k%d", i), w.guildID(), snowflakeOf(chans[i%3]))
	}
	var wg sync.WaitGroup
	for _, nd := range []*node{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range 5 {
				for i := range boards {
					bump(t, d, nd.svc, fmt.Sprintf("k%d", i))
				}
				time.Sleep(time.Duration(r) * 100 * time.Millisecond)
			}
		}()
	}
	wg.Wait()
	dbtest.WaitUntil(t, 40*time.Second, "every dashboard current", func() bool {
		for i := range boards {
			st := state(t, d, fmt.Sprintf("k%d", i))
			if st.Behind || contentOf(t, w, st) != render(fmt.Sprintf("k%d", i), 10) {
				return false
			}
		}
		return true
	})
	total := 0
	for _, c := range chans {
		ms := w.messages(t, snowflakeOf(c))
		total += len(ms)
		if ts := patchTimes(w, snowflakeOf(c)); maxInWindow(ts, 5*time.Second) > 5 {
			t.Errorf("channel %s: more than 5 edits in 5 s", c)
		}
	}
	if total != boards {
		t.Fatalf("%d messages for %d dashboards", total, boards)
	}
	if st := w.sim.Stats(); st.RateLimited != 0 {
		t.Fatalf("emulator answered %d 429s", st.RateLimited)
	}
}
