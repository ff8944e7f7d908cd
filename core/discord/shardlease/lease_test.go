package shardlease_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/together-bot/together/core/clocktest"
	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/db/dbtest"
	"github.com/together-bot/together/core/discord/shardlease"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func TestPlan(t *testing.T) {
	t.Parallel()
	m := func(id string, held int) shardlease.Member { return shardlease.Member{ProcessID: id, Held: held} }
	for _, tc := range []struct {
		name          string
		count         int
		members       []shardlease.Member
		me            string
		release, take int
	}{
		{"alone takes every shard", 4, []shardlease.Member{m("a", 0)}, "a", 0, 4},
		{"me missing from the list counts as live with none", 4, nil, "a", 0, 4},
		{"balanced 2-1-1 stays", 4, []shardlease.Member{m("a", 2), m("b", 1), m("c", 1)}, "a", 0, 0},
		{"below ceil may take a free lease (none is, once balanced)", 4, []shardlease.Member{m("a", 2), m("b", 1), m("c", 1)}, "b", 0, 1},
		{"a newcomer is short and takes up to floor", 4, []shardlease.Member{m("a", 2), m("b", 2), m("c", 0)}, "c", 0, 1},
		{"first at ceil keeps while one is short", 4, []shardlease.Member{m("a", 2), m("b", 2), m("c", 0)}, "a", 0, 0},
		{"second at ceil gives one back to the short one", 4, []shardlease.Member{m("a", 2), m("b", 2), m("c", 0)}, "b", 1, 0},
		{"at floor does not take while another is short", 4, []shardlease.Member{m("a", 2), m("b", 1), m("c", 0)}, "b", 0, 0},
		{"above ceil releases the surplus", 4, []shardlease.Member{m("a", 4), m("b", 0)}, "a", 2, 0},
		{"survivors of a crash take up to ceil", 4, []shardlease.Member{m("b", 1), m("c", 1)}, "b", 0, 1},
		{"more processes than shards: a spare asks for a free one", 2, []shardlease.Member{m("a", 1), m("b", 1), m("c", 0)}, "c", 0, 1},
		{"more processes than shards: a holder keeps its one", 2, []shardlease.Member{m("a", 1), m("b", 1), m("c", 0)}, "b", 0, 0},
		{"more processes than shards: one free shard is taken", 2, []shardlease.Member{m("a", 1), m("b", 0), m("c", 0)}, "b", 0, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			release, take := shardlease.Plan(tc.count, tc.members, tc.me)
			if release != tc.release || take != tc.take {
				t.Fatalf("Plan = release %d, take %d; want release %d, take %d", release, take, tc.release, tc.take)
			}
		})
	}
}

// fakeShards records what a manager opens and closes, and checks that
// across every manager of a test no shard is ever open twice.
type fakeShards struct {
	mu     sync.Mutex
	open   map[int]string // shard → process holding it open
	fences map[int]shardlease.Fence
	events []string
	dupes  []string
}

func newFakeShards() *fakeShards {
	return &fakeShards{open: map[int]string{}, fences: map[int]shardlease.Fence{}}
}

type processShards struct {
	all  *fakeShards
	name string
}

func (p processShards) Open(id int, fence shardlease.Fence) {
	p.all.mu.Lock()
	defer p.all.mu.Unlock()
	if other, ok := p.all.open[id]; ok {
		p.all.dupes = append(p.all.dupes, fmt.Sprintf("shard %d opened by %s while %s has it open", id, p.name, other))
	}
	p.all.open[id] = p.name
	p.all.fences[id] = fence
	p.all.events = append(p.all.events, fmt.Sprintf("%s open %d", p.name, id))
}

func (p processShards) Close(_ context.Context, id int) {
	p.all.mu.Lock()
	defer p.all.mu.Unlock()
	if p.all.open[id] == p.name {
		delete(p.all.open, id)
		delete(p.all.fences, id)
	}
	p.all.events = append(p.all.events, fmt.Sprintf("%s close %d", p.name, id))
}

func (f *fakeShards) holders() map[string][]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string][]int{}
	for id, p := range f.open {
		out[p] = append(out[p], id)
	}
	for _, ids := range out {
		sort.Ints(ids)
	}
	return out
}

func (f *fakeShards) requireNoDuplicates(t *testing.T) {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, d := range f.dupes {
		t.Error(d)
	}
}

type rig struct {
	t      *testing.T
	db     *db.DB
	shards *fakeShards
	clocks map[string]*clocktest.Manual
	mgrs   map[string]*shardlease.Manager
}

func newRig(t *testing.T) *rig {
	return &rig{t: t, db: dbtest.New(t), shards: newFakeShards(),
		clocks: map[string]*clocktest.Manual{}, mgrs: map[string]*shardlease.Manager{}}
}

func (r *rig) manager(name string, count int) *shardlease.Manager {
	r.t.Helper()
	c := clocktest.New(time.Unix(1_000_000, 0))
	m, err := shardlease.New(shardlease.Options{Pool: r.db.Pool, ProcessID: name, ShardCount: count,
		Shards: processShards{all: r.shards, name: name}, Logger: quiet, Clock: c.Now})
	if err != nil {
		r.t.Fatal(err)
	}
	r.clocks[name], r.mgrs[name] = c, m
	return m
}

func (r *rig) tick(names ...string) {
	r.t.Helper()
	for _, n := range names {
		if err := r.mgrs[n].Tick(context.Background()); err != nil {
			r.t.Fatalf("%s: tick: %v", n, err)
		}
	}
}

func (r *rig) exec(sql string, args ...any) {
	r.t.Helper()
	if _, err := r.db.Pool.Exec(context.Background(), sql, args...); err != nil {
		r.t.Fatal(err)
	}
}

// expire makes name's leases expired for ago in database time, and its
// process not seen for as long, as if it had died ago before now.
func (r *rig) expire(name string, ago time.Duration) {
	r.t.Helper()
	r.exec(`UPDATE core_shard_leases SET expires_at = now() - make_interval(secs => $2) WHERE holder = $1`, name, ago.Seconds())
	r.exec(`UPDATE core_processes SET seen_at = now() - make_interval(secs => $2) - interval '10 seconds' WHERE id = $1`, name, ago.Seconds())
}

func (r *rig) requireHolders(want map[string][]int) {
	r.t.Helper()
	got := r.shards.holders()
	for name, ids := range want {
		if !slices.Equal(got[name], ids) {
			r.t.Fatalf("open shards: %v, want %v", got, want)
		}
		if held := r.mgrs[name].Held(); !slices.Equal(held, ids) && !(len(held) == 0 && len(ids) == 0) {
			r.t.Fatalf("%s holds %v, want %v", name, held, ids)
		}
	}
	for name, ids := range got {
		if _, ok := want[name]; !ok && len(ids) > 0 {
			r.t.Fatalf("open shards: %v, want %v", got, want)
		}
	}
}

// TestLeasesDivideShardsAndSurviveACrash: three managers share four shards,
// each held once; when one dies its shards are taken only after expiry plus
// the take margin; when it comes back the shards rebalance without any shard
// open twice.
func TestLeasesDivideShardsAndSurviveACrash(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.manager("a", 4)
	r.manager("b", 4)
	r.manager("c", 4)
	// a alone at first takes everything; b and c join and the shards spread.
	r.tick("a")
	r.requireHolders(map[string][]int{"a": {0, 1, 2, 3}})
	r.tick("b", "c")      // members: a holds 4 > ceil 2
	r.tick("a")           // a releases its surplus: 2 and 3
	r.tick("b", "c")      // b and c take one each
	r.tick("a", "b", "c") // settled
	r.requireHolders(map[string][]int{"a": {0, 1}, "b": {2}, "c": {3}})

	// a dies: its leases expire. Within the take margin nobody takes them.
	r.expire("a", time.Second)
	r.tick("b", "c")
	r.requireHolders(map[string][]int{"a": {0, 1}, "b": {2}, "c": {3}})
	// Past expiry plus the take margin b and c share them.
	r.expire("a", shardlease.DefaultTakeMargin+time.Second)
	r.mgrs["a"].ReleaseAll(context.Background()) // the dead process's sockets are gone (kill -9)
	r.exec(`UPDATE core_shard_leases SET holder = 'a', expires_at = now() - interval '10 seconds' WHERE holder IS NULL`)
	r.tick("b", "c")
	r.requireHolders(map[string][]int{"b": {0, 2}, "c": {1, 3}})

	// a comes back (a new process with a new id): c, second at ceil, gives
	// one back, which the newcomer takes.
	r.manager("a2", 4)
	r.tick("a2", "b", "c", "a2", "b", "c")
	got := r.shards.holders()
	if len(got["a2"]) != 1 || len(got["b"])+len(got["c"]) != 3 || len(got["b"]) == 0 || len(got["c"]) == 0 {
		t.Fatalf("after rejoin: %v, want 1 shard on a2 and 3 on b and c", got)
	}
	r.shards.requireNoDuplicates(t)
}

// TestHolderClosesWhenItCannotRenew: a holder cut off from Postgres closes
// its shards by its own clock once its deadline passes, before the lease
// expires for the others; its fence turns false at once.
func TestHolderClosesWhenItCannotRenew(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	m := r.manager("a", 2)
	r.tick("a")
	r.requireHolders(map[string][]int{"a": {0, 1}})
	r.shards.mu.Lock()
	fence := r.shards.fences[0]
	r.shards.mu.Unlock()
	if !fence() {
		t.Fatal("fence of a fresh lease is false")
	}
	// Partitioned: every query fails.
	cut, cancel := context.WithCancel(context.Background())
	cancel()
	r.clocks["a"].Advance(shardlease.DefaultTTL - shardlease.DefaultSelfCloseMargin - time.Millisecond)
	if err := m.Tick(cut); err == nil {
		t.Fatal("tick on a cancelled context succeeded")
	}
	r.requireHolders(map[string][]int{"a": {0, 1}})
	r.clocks["a"].Advance(time.Millisecond)
	if err := m.Tick(cut); err == nil {
		t.Fatal("tick on a cancelled context succeeded")
	}
	r.requireHolders(map[string][]int{"a": nil})
	if fence() {
		t.Fatal("fence still true after the self-close")
	}
	// The database still has the lease until it expires: nobody else may
	// take it yet, so the closed shard cannot be doubled.
	b := r.manager("b", 2)
	r.tick("b")
	if held := b.Held(); len(held) != 0 {
		t.Fatalf("b took %v while a's leases were unexpired", held)
	}
}

// TestLostLeaseIsClosedAndNotRenewed: a lease that expired in the database
// is not renewed by its holder (someone may be taking it); the holder closes
// the shard at its next tick.
func TestLostLeaseIsClosedAndNotRenewed(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.manager("a", 1)
	r.tick("a")
	r.exec(`UPDATE core_shard_leases SET holder = 'b', expires_at = now() + interval '1 minute'`)
	r.tick("a")
	r.requireHolders(map[string][]int{"a": nil})
}

// TestReleaseAllClosesThenFrees: at shutdown the shards are closed and their
// leases free for the others at once.
func TestReleaseAllClosesThenFrees(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	a := r.manager("a", 2)
	r.tick("a")
	a.ReleaseAll(context.Background())
	r.requireHolders(map[string][]int{"a": nil})
	r.manager("b", 2)
	r.exec(`DELETE FROM core_processes WHERE id = 'a'`)
	r.tick("b")
	r.requireHolders(map[string][]int{"b": {0, 1}})
	rows, err := shardlease.List(context.Background(), r.db.Pool)
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range rows {
		if row.Holder != "b" || row.State != shardlease.StateHeld || row.ExpiresIn <= 0 {
			t.Errorf("lease %+v, want held by b", row)
		}
	}
}

// TestPacerSpacesIdentifiesPerBucket: reservations in one bucket are a
// window apart in database time; another bucket is independent.
func TestPacerSpacesIdentifiesPerBucket(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t)
	ctx := context.Background()
	p := shardlease.NewPacer(d.Pool, 2, quiet)
	first, err := p.Reserve(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	second, err := p.Reserve(ctx, 2) // same bucket as 0
	if err != nil {
		t.Fatal(err)
	}
	other, err := p.Reserve(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if first != 0 || other != 0 {
		t.Fatalf("first reservations wait %s and %s, want 0", first, other)
	}
	if second < shardlease.IdentifyWindow {
		t.Fatalf("second reservation in the bucket waits %s, want at least %s", second, shardlease.IdentifyWindow)
	}
	var nextAt time.Duration
	p.Unlock(0)
	if err := d.Pool.QueryRow(ctx, `SELECT (extract(epoch FROM next_at - now()) * 1e9)::bigint FROM core_identify_slots WHERE bucket = 0`).Scan(&nextAt); err != nil {
		t.Fatal(err)
	}
	if nextAt < shardlease.IdentifyWindow {
		t.Fatalf("after Unlock the next slot is %s away, want at least %s", nextAt, shardlease.IdentifyWindow)
	}
}
