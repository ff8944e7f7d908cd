// Package shardlease divides a bot's gateway shards among identical processes
// through leases in Postgres (SHARD_IDS=auto), so that each shard is connected
// by at most one process at any instant.
//
// Fencing. A lease carries an expiry in database time. Its holder renews it
// every RenewEvery; a renewal that began at local monotonic time t0 makes the
// lease valid, for the holder, until t0 + TTL - SelfCloseMargin. Because the
// database computes the new expiry after t0, the holder's own deadline always
// falls SelfCloseMargin or more before the expiry the others see. When it
// passes without a renewal (Postgres unreachable, process stalled), the holder
// closes the shard itself. Another process may take the lease only once it has
// been expired for TakeMargin, longer than the holder's self-close margin, so
// the old connection is closed before the new holder identifies. The
// connection itself is fenced too: the gateway dials a shard only while
// Fence reports the lease valid, so no reconnect of a lost shard slips through.
//
// Balance. Processes taking part (their core_processes row carries the shard
// count and was seen within LiveWindow) aim at floor or ceil of shards/live.
// A holder above ceil releases its surplus (closing first, then releasing); when
// some process holds fewer than floor, the holders at ceil beyond the count
// allowed there (count mod live, by process id) release one each; a process
// below floor takes free or expired leases, and one below ceil takes them once
// no process is short. Identifies are paced by Pacer, shared by every process.
package shardlease

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Timing defaults; see the package comment for how they relate.
const (
	DefaultTTL             = 10 * time.Second
	DefaultRenewEvery      = 2 * time.Second
	DefaultSelfCloseMargin = 3 * time.Second
	DefaultTakeMargin      = 4 * time.Second
	DefaultLiveWindow      = 10 * time.Second
)

// Shards is what the lease manager drives: the gateway's connections.
type Shards interface {
	// Open starts connecting shardID in the background. The connection may be
	// dialled only while fence reports true; it turns false for good once the
	// lease is lost or released.
	Open(shardID int, fence Fence)
	// Close closes shardID's connection and returns once it is closed.
	Close(ctx context.Context, shardID int)
}

// Fence reports whether the lease it was handed out with is still valid.
type Fence func() bool

// Options configure a Manager. Zero durations take the defaults.
type Options struct {
	Pool *pgxpool.Pool
	// ProcessID is this process's core_processes id (queue.Runner.ProcessID).
	ProcessID  string
	ShardCount int
	Shards     Shards
	Logger     *slog.Logger

	TTL             time.Duration
	RenewEvery      time.Duration
	SelfCloseMargin time.Duration
	TakeMargin      time.Duration
	LiveWindow      time.Duration
	// Clock is the local monotonic clock of self-close deadlines (default
	// time.Now, whose readings carry the monotonic clock); tests move it.
	Clock func() time.Time
}

func (o Options) withDefaults() (Options, error) {
	if o.Pool == nil || o.ProcessID == "" || o.Shards == nil || o.ShardCount < 1 {
		return o, errors.New("shardlease: Pool, ProcessID, Shards and a ShardCount ≥ 1 are required")
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.TTL, DefaultTTL)
	def(&o.RenewEvery, DefaultRenewEvery)
	def(&o.SelfCloseMargin, DefaultSelfCloseMargin)
	def(&o.TakeMargin, DefaultTakeMargin)
	def(&o.LiveWindow, DefaultLiveWindow)
	if o.RenewEvery >= o.TTL-o.SelfCloseMargin {
		return o, fmt.Errorf("shardlease: RenewEvery %s leaves no room to renew before the self-close deadline (TTL %s - margin %s)",
			o.RenewEvery, o.TTL, o.SelfCloseMargin)
	}
	if o.TakeMargin <= o.SelfCloseMargin {
		return o, fmt.Errorf("shardlease: TakeMargin %s must exceed SelfCloseMargin %s", o.TakeMargin, o.SelfCloseMargin)
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	return o, nil
}

// Manager holds this process's leases.
type Manager struct {
	opts Options
	log  *slog.Logger

	mu     sync.Mutex
	held   map[int]*lease
	gen    uint64
	ticked bool          // a tick reached the database at least once
	wake   chan struct{} // deadlines changed: the watchdog recomputes
}

type lease struct {
	gen      uint64
	deadline time.Time // local: close the shard if not renewed by then
	since    time.Time
}

// New validates the options; Run starts leasing.
func New(opts Options) (*Manager, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	return &Manager{opts: opts, log: opts.Logger.With("component", "shardlease"), held: map[int]*lease{},
		wake: make(chan struct{}, 1)}, nil
}

// Run leases until ctx ends: a tick every RenewEvery and a watchdog that
// closes a shard the moment its self-close deadline passes. It returns
// after releasing every lease (closing first).
func (m *Manager) Run(ctx context.Context) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); m.watchdog(ctx) }()
	t := time.NewTicker(m.opts.RenewEvery)
	defer t.Stop()
	for {
		tickCtx, cancel := context.WithTimeout(ctx, m.opts.RenewEvery)
		if err := m.Tick(tickCtx); err != nil && ctx.Err() == nil {
			m.log.Warn("shard lease tick", "error", err)
		}
		cancel()
		select {
		case <-ctx.Done():
			wg.Wait()
			stopCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			m.ReleaseAll(stopCtx)
			cancel()
			return
		case <-t.C:
		}
	}
}

// watchdog closes shards whose deadline passed, without waiting for a tick
// that may be stuck on an unreachable database.
func (m *Manager) watchdog(ctx context.Context) {
	for {
		m.closeOverdue(ctx)
		wait := m.opts.RenewEvery
		m.mu.Lock()
		now := m.opts.Clock()
		for _, l := range m.held {
			wait = min(wait, max(l.deadline.Sub(now), time.Millisecond))
		}
		m.mu.Unlock()
		select {
		case <-ctx.Done():
			return
		case <-m.wake:
		case <-time.After(wait):
		}
	}
}

func (m *Manager) notify() {
	select {
	case m.wake <- struct{}{}:
	default:
	}
}

// Tick is one round: close overdue shards, heartbeat and renew, close what
// was lost, then release a surplus or take free leases.
func (m *Manager) Tick(ctx context.Context) error {
	m.closeOverdue(ctx)
	defer m.closeOverdue(ctx)
	started := m.opts.Clock()
	renewed, err := m.renew(ctx)
	if err != nil {
		return err
	}
	var lost []int
	m.mu.Lock()
	m.ticked = true
	for id, l := range m.held {
		if slices.Contains(renewed, id) {
			l.deadline = started.Add(m.opts.TTL - m.opts.SelfCloseMargin)
			continue
		}
		delete(m.held, id)
		lost = append(lost, id)
	}
	m.mu.Unlock()
	m.notify()
	for _, id := range lost {
		m.log.Warn("shard lease lost: closing the shard", "shard_id", id)
		m.opts.Shards.Close(context.WithoutCancel(ctx), id)
	}

	members, err := m.members(ctx)
	if err != nil {
		return err
	}
	release, take := Plan(m.opts.ShardCount, members, m.opts.ProcessID)
	if release > 0 {
		return m.release(ctx, release)
	}
	if take > 0 {
		return m.take(ctx, take, started)
	}
	return nil
}

// renew heartbeats this process as a lease member and extends its leases
// that have not expired; it returns the shards still held.
func (m *Manager) renew(ctx context.Context) ([]int, error) {
	host, _ := os.Hostname()
	if _, err := m.opts.Pool.Exec(ctx, `INSERT INTO core_processes (id, host, pid, shard_lease_count) VALUES ($1, $2, $3, $4)
		ON CONFLICT (id) DO UPDATE SET seen_at = now(), shard_lease_count = $4`,
		m.opts.ProcessID, host, os.Getpid(), m.opts.ShardCount); err != nil {
		return nil, fmt.Errorf("shardlease: heartbeat: %w", err)
	}
	if !m.seeded() {
		if _, err := m.opts.Pool.Exec(ctx, `INSERT INTO core_shard_leases (shard_count, shard_id)
			SELECT $1, s FROM generate_series(0, $1 - 1) s ON CONFLICT DO NOTHING`, m.opts.ShardCount); err != nil {
			return nil, fmt.Errorf("shardlease: create lease rows: %w", err)
		}
	}
	// pgx hands a failed Query's error to CollectRows through the rows.
	rows, _ := m.opts.Pool.Query(ctx, `UPDATE core_shard_leases SET expires_at = now() + make_interval(secs => $3), renewed_at = now()
		WHERE shard_count = $1 AND holder = $2 AND expires_at > now() RETURNING shard_id`,
		m.opts.ShardCount, m.opts.ProcessID, m.opts.TTL.Seconds())
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		return nil, fmt.Errorf("shardlease: renew: %w", err)
	}
	return ids, nil
}

func (m *Manager) seeded() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.ticked
}

// Member is a live process taking part in leasing and how many valid leases
// it holds.
type Member struct {
	ProcessID string
	Held      int
}

func (m *Manager) members(ctx context.Context) ([]Member, error) {
	rows, _ := m.opts.Pool.Query(ctx, `SELECT p.id, count(l.shard_id) FROM core_processes p
		LEFT JOIN core_shard_leases l ON l.holder = p.id AND l.shard_count = $1 AND l.expires_at > now()
		WHERE p.shard_lease_count = $1 AND (p.seen_at > now() - make_interval(secs => $2) OR p.id = $3)
		GROUP BY p.id ORDER BY p.id`, m.opts.ShardCount, m.opts.LiveWindow.Seconds(), m.opts.ProcessID)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[Member])
	if err != nil {
		return nil, fmt.Errorf("shardlease: members: %w", err)
	}
	return out, nil
}

// Plan decides how many leases me releases or takes, given every live member
// (me included) and the valid leases each holds. See the package comment.
func Plan(shardCount int, members []Member, me string) (release, take int) {
	sorted := slices.Clone(members)
	if !slices.ContainsFunc(sorted, func(m Member) bool { return m.ProcessID == me }) {
		sorted = append(sorted, Member{ProcessID: me})
	}
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].ProcessID < sorted[j].ProcessID })
	live := len(sorted)
	floor, extra := shardCount/live, shardCount%live
	ceil := floor
	if extra > 0 {
		ceil++
	}
	mine, short, atCeilBeforeMe, seenMe := 0, false, 0, false
	for _, mb := range sorted {
		if mb.Held < floor {
			short = true
		}
		switch {
		case mb.ProcessID == me:
			mine, seenMe = mb.Held, true
		case !seenMe && mb.Held >= ceil:
			atCeilBeforeMe++
		}
	}
	switch {
	case mine > ceil:
		return mine - ceil, 0
	case mine == ceil && extra > 0 && short && atCeilBeforeMe >= extra:
		// More processes hold ceil than the remainder allows while one is
		// short: the later ones by id give one back.
		return 1, 0
	case mine < floor:
		return 0, floor - mine
	case mine < ceil && !short:
		return 0, ceil - mine
	}
	return 0, 0
}

// release closes, then releases, the highest shards held.
func (m *Manager) release(ctx context.Context, n int) error {
	m.mu.Lock()
	ids := make([]int, 0, len(m.held))
	for id := range m.held {
		ids = append(ids, id)
	}
	sort.Sort(sort.Reverse(sort.IntSlice(ids)))
	ids = ids[:min(n, len(ids))]
	for _, id := range ids {
		delete(m.held, id)
	}
	m.mu.Unlock()
	return m.closeAndRelease(ctx, ids, "rebalance")
}

// ReleaseAll closes every shard held and releases its lease (at shutdown).
func (m *Manager) ReleaseAll(ctx context.Context) {
	m.mu.Lock()
	ids := make([]int, 0, len(m.held))
	for id := range m.held {
		ids = append(ids, id)
	}
	clear(m.held)
	m.mu.Unlock()
	if err := m.closeAndRelease(ctx, ids, "shutdown"); err != nil {
		m.log.Warn("release shard leases at shutdown (they expire on their own)", "error", err)
	}
}

func (m *Manager) closeAndRelease(ctx context.Context, ids []int, why string) error {
	if len(ids) == 0 {
		return nil
	}
	for _, id := range ids {
		m.log.Info("releasing shard lease", "shard_id", id, "reason", why)
		m.opts.Shards.Close(ctx, id)
	}
	if _, err := m.opts.Pool.Exec(ctx, `UPDATE core_shard_leases SET holder = NULL, expires_at = NULL
		WHERE shard_count = $1 AND shard_id = ANY($2) AND holder = $3`, m.opts.ShardCount, ids, m.opts.ProcessID); err != nil {
		return fmt.Errorf("shardlease: release %v: %w", ids, err)
	}
	return nil
}

// take claims up to n free leases, or leases expired for longer than
// TakeMargin, and opens their shards.
func (m *Manager) take(ctx context.Context, n int, started time.Time) error {
	rows, err := m.opts.Pool.Query(ctx, `UPDATE core_shard_leases l
		SET holder = $2, expires_at = now() + make_interval(secs => $3), acquired_at = now(), renewed_at = now()
		WHERE (l.shard_count, l.shard_id) IN (
			SELECT shard_count, shard_id FROM core_shard_leases
			WHERE shard_count = $1 AND (holder IS NULL OR expires_at < now() - make_interval(secs => $4))
			ORDER BY shard_id LIMIT $5 FOR UPDATE SKIP LOCKED)
		RETURNING l.shard_id`, m.opts.ShardCount, m.opts.ProcessID, m.opts.TTL.Seconds(), m.opts.TakeMargin.Seconds(), n)
	if err != nil {
		return fmt.Errorf("shardlease: take: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		return fmt.Errorf("shardlease: take: %w", err)
	}
	sort.Ints(ids)
	for _, id := range ids {
		m.mu.Lock()
		m.gen++
		gen := m.gen
		m.held[id] = &lease{gen: gen, deadline: started.Add(m.opts.TTL - m.opts.SelfCloseMargin), since: m.opts.Clock()}
		m.mu.Unlock()
		m.log.Info("shard lease taken", "shard_id", id)
		m.opts.Shards.Open(id, func() bool { return m.valid(id, gen) })
	}
	m.notify()
	return nil
}

// valid is the fence of one lease: the same grant, before its deadline.
func (m *Manager) valid(shardID int, gen uint64) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	l := m.held[shardID]
	return l != nil && l.gen == gen && m.opts.Clock().Before(l.deadline)
}

// closeOverdue closes the shards whose renewal did not come in time.
func (m *Manager) closeOverdue(ctx context.Context) {
	var overdue []int
	m.mu.Lock()
	now := m.opts.Clock()
	for id, l := range m.held {
		if !now.Before(l.deadline) {
			delete(m.held, id)
			overdue = append(overdue, id)
		}
	}
	m.mu.Unlock()
	for _, id := range overdue {
		m.log.Warn("shard lease not renewed before its deadline: closing the shard", "shard_id", id)
		m.opts.Shards.Close(context.WithoutCancel(ctx), id)
	}
}

// Held lists the shards this process holds, in order.
func (m *Manager) Held() []int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Sorted(maps.Keys(m.held))
}

// Settled reports whether a tick has reached the database: before that, an
// empty Held means "not yet", not "standing by".
func (m *Manager) Settled() bool { return m.seeded() }
