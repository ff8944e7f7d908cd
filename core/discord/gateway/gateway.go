// Package gateway connects the bot to Discord's gateway with disgo and tracks
// readiness per shard.
//
// Operators grep for ShardDisconnect and ShardResume: both are logged once per
// transition with the shard id and the reason.
package gateway

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sort"
	"sync"
	"time"

	"github.com/disgoorg/disgo"
	"github.com/disgoorg/disgo/bot"
	"github.com/disgoorg/disgo/cache"
	"github.com/disgoorg/disgo/events"
	dgateway "github.com/disgoorg/disgo/gateway"
	"github.com/disgoorg/disgo/rest"
	"github.com/disgoorg/disgo/sharding"
	"github.com/gorilla/websocket"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/together-bot/together/core/ctxtime"
	"github.com/together-bot/together/core/discord/shardlease"
	"github.com/together-bot/together/core/module"
)

// Intents are the least the bot needs: guild structure for GUILD_CREATE and
// channel events, members to notice people leaving. Never message content.
var Intents = []dgateway.Intents{dgateway.IntentGuilds, dgateway.IntentGuildMembers}

// Options configure the connection.
type Options struct {
	Token string
	Rest  rest.Rest
	// ShardIDs are the shards to open (explicit SHARD_IDS); empty means all,
	// unless Leases is set.
	ShardIDs []int
	// ShardCount is the total; 0 takes Discord's recommendation from
	// GET /gateway/bot (SHARD_COUNT=auto).
	ShardCount int
	// Leases, when set, divides the shards among processes through leases in
	// Postgres (SHARD_IDS=auto): this process opens only the shards it holds.
	Leases    *Leases
	Listeners []bot.EventListener
	Logger    *slog.Logger
	// WatchEvery is how often shard health is checked (default 1 s).
	WatchEvery time.Duration
}

// Leases is what lease mode needs: the database and this process's id in
// core_processes; Tune adjusts the lease timing (tests).
type Leases struct {
	Pool      *pgxpool.Pool
	ProcessID string
	Tune      func(*shardlease.Options)
}

// Gateway owns the disgo client and the shard state.
type Gateway struct {
	opts   Options
	log    *slog.Logger
	mu     sync.Mutex
	client *bot.Client
	shards map[int]*shardState
	cancel context.CancelFunc
	done   chan struct{}

	// Lease mode: the manager, and per held shard the fence its connection
	// dials under and the cancel of its opening.
	leases  *shardlease.Manager
	fences  map[int]shardlease.Fence
	opening map[int]context.CancelFunc
	runCtx  context.Context
}

type shardState struct {
	ready       bool
	readySince  time.Time
	downSince   time.Time
	disconnects int
	heldSince   time.Time // lease mode
}

// New prepares the gateway; Start connects.
func New(opts Options) *Gateway {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.WatchEvery == 0 {
		opts.WatchEvery = time.Second
	}
	g := &Gateway{opts: opts, log: opts.Logger, shards: map[int]*shardState{},
		fences: map[int]shardlease.Fence{}, opening: map[int]context.CancelFunc{}}
	g.addConfiguredShards()
	return g
}

// addConfiguredShards lists the shards of explicit mode once the count is known.
func (g *Gateway) addConfiguredShards() {
	if g.opts.Leases != nil || g.opts.ShardCount == 0 {
		return
	}
	if len(g.opts.ShardIDs) == 0 {
		for i := range g.opts.ShardCount {
			g.opts.ShardIDs = append(g.opts.ShardIDs, i)
		}
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, id := range g.opts.ShardIDs {
		g.shards[id] = &shardState{}
	}
}

// Start connects in the background: building the client asks Discord for the
// gateway URL, and the process must keep serving /healthz while Discord is down.
func (g *Gateway) Start() {
	ctx, cancel := context.WithCancel(context.Background())
	g.cancel, g.done = cancel, make(chan struct{})
	go g.run(ctx)
}

func (g *Gateway) run(ctx context.Context) {
	defer close(g.done)
	g.runCtx = ctx
	for attempt := 1; ; attempt++ {
		client, err := g.build()
		if err == nil {
			g.mu.Lock()
			g.client = client
			g.mu.Unlock()
			if g.leases != nil {
				// The lease manager opens and closes shards; it releases
				// every lease when ctx ends.
				var wg sync.WaitGroup
				wg.Add(1)
				go func() { defer wg.Done(); g.leases.Run(ctx) }()
				g.watch(ctx)
				wg.Wait()
				return
			}
			// Opening waits for identify slots; it must not block Start.
			if err := client.OpenShardManager(ctx); err != nil {
				g.log.Error("open shards", "error", err)
			}
			g.watch(ctx)
			return
		}
		wait := min(time.Duration(attempt)*2*time.Second, 30*time.Second)
		g.log.Warn("ShardDisconnect: cannot reach Discord to discover the gateway; retrying",
			"error", err, "retry_in", wait.String(), "attempt", attempt)
		if ctxtime.Sleep(ctx, wait) != nil {
			return
		}
	}
}

// build asks Discord for the shard count when it is "auto" and for
// max_concurrency in lease mode, then builds the client (which asks for
// GET /gateway/bot itself for the gateway URL).
func (g *Gateway) build() (*bot.Client, error) {
	maxConcurrency := 1
	if g.opts.ShardCount == 0 || g.opts.Leases != nil {
		gb, err := g.opts.Rest.GetGatewayBot()
		if err != nil {
			return nil, fmt.Errorf("GET /gateway/bot: %w", err)
		}
		if g.opts.ShardCount == 0 {
			g.opts.ShardCount = max(gb.Shards, 1)
			g.log.Info("shard count from Discord's recommendation", "shard_count", g.opts.ShardCount)
			g.addConfiguredShards()
		}
		maxConcurrency = max(gb.SessionStartLimit.MaxConcurrency, 1)
	}
	listeners := append([]bot.EventListener{bot.NewListenerFunc(g.onEvent)}, g.opts.Listeners...)
	shardOpts := []sharding.ConfigOpt{
		sharding.WithShardCount(g.opts.ShardCount),
		sharding.WithShardIDs(g.opts.ShardIDs...),
		sharding.WithAutoScaling(false),
		sharding.WithGatewayConfigOpts(dgateway.WithIntents(Intents...), dgateway.WithAutoReconnect(true),
			// disgo v0.19.6's zstd transport shares a buffer between goroutines
			// without a lock (a data race under -race); uncompressed JSON avoids it.
			dgateway.WithCompression(dgateway.CompressionNone)),
		sharding.WithCloseHandler(g.onClose),
	}
	if l := g.opts.Leases; l != nil && g.leases == nil {
		lopts := shardlease.Options{Pool: l.Pool, ProcessID: l.ProcessID, ShardCount: g.opts.ShardCount,
			Shards: leasedShards{g}, Logger: g.log}
		if l.Tune != nil {
			l.Tune(&lopts)
		}
		m, err := shardlease.New(lopts)
		if err != nil {
			return nil, err
		}
		g.leases = m
		g.log.Info("shards divided by leases", "shard_count", g.opts.ShardCount, "max_concurrency", maxConcurrency,
			"process_id", l.ProcessID)
	}
	if g.opts.Leases != nil {
		shardOpts = append(shardOpts,
			sharding.WithIdentifyRateLimiter(shardlease.NewPacer(g.opts.Leases.Pool, maxConcurrency, g.log)),
			sharding.WithGatewayCreateFunc(g.createFencedShard))
	}
	return disgo.New(g.opts.Token,
		bot.WithLogger(g.log),
		// No cache: the bot reads guilds, channels, roles and members from
		// REST or from the interaction payload when it needs them, never
		// from disgo's caches, and at 10,000 guilds of 50 members the
		// default caches would hold every GUILD_CREATE's members, channels
		// and roles for nothing (docs/benchmarks.md, scale). For the same
		// reason it never asks for member chunks.
		bot.WithCacheConfigOpts(cache.WithCaches(cache.FlagsNone)),
		bot.WithMemberChunkingFilter(bot.MemberChunkingFilterNone),
		bot.WithRest(g.opts.Rest),
		bot.WithEventListeners(listeners...),
		bot.WithShardManagerConfigOpts(shardOpts...),
	)
}

// errLeaseNotHeld refuses a dial for a shard whose lease this connection
// was not opened under (lost, released, or taken again since). It carries
// close code 4010 so disgo's reconnect loop, which stops only on close codes
// that forbid reconnecting, gives the stale connection up instead of
// retrying it forever.
func errLeaseNotHeld(shardID int) error {
	return fmt.Errorf("shard %d: lease not held by this connection: %w", shardID,
		&websocket.CloseError{Code: int(dgateway.CloseEventCodeInvalidShard.Code), Text: "shard lease not held"})
}

// createFencedShard builds a shard's gateway whose every dial, the first
// and each reconnect, checks the fence of the lease it was opened under.
func (g *Gateway) createFencedShard(token string, handler dgateway.EventHandlerFunc, opts ...dgateway.ConfigOpt) dgateway.Gateway {
	// disgo's gateway config is private: an unconnected gateway built from
	// the same options tells which shard this is.
	shardID := dgateway.New(token, handler, opts...).ShardID()
	g.mu.Lock()
	fence := g.fences[shardID]
	g.mu.Unlock()
	dialer := *websocket.DefaultDialer
	dialer.NetDialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if fence == nil || !fence() {
			return nil, errLeaseNotHeld(shardID)
		}
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}
	return dgateway.New(token, handler, append(opts, dgateway.WithDialer(&dialer))...)
}

// leasedShards is the gateway as the lease manager drives it.
type leasedShards struct{ g *Gateway }

// Open starts connecting a shard whose lease was just taken.
func (l leasedShards) Open(shardID int, fence shardlease.Fence) {
	g := l.g
	g.mu.Lock()
	client := g.client
	ctx, cancel := context.WithCancel(g.runCtx)
	g.fences[shardID] = fence
	g.opening[shardID] = cancel
	g.shards[shardID] = &shardState{heldSince: time.Now()}
	g.mu.Unlock()
	go func() {
		defer cancel()
		if err := client.ShardManager.OpenShard(ctx, shardID); err != nil && ctx.Err() == nil {
			g.log.Error("open shard", "shard_id", shardID, "error", err)
		}
	}()
}

// Close closes a shard whose lease is being given up, and forgets it.
func (l leasedShards) Close(ctx context.Context, shardID int) {
	g := l.g
	g.mu.Lock()
	cancel := g.opening[shardID]
	delete(g.opening, shardID)
	delete(g.fences, shardID)
	s := g.shards[shardID]
	delete(g.shards, shardID)
	client := g.client
	g.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	if client != nil {
		client.ShardManager.CloseShard(ctx, shardID)
	}
	if s != nil && s.ready {
		g.log.Warn("ShardDisconnect", "shard_id", shardID, "reason", "lease given up")
	}
}

func (g *Gateway) onEvent(e bot.Event) {
	switch ev := e.(type) {
	case *events.Ready:
		g.markUp(ev.ShardID(), "ready")
	case *events.Resumed:
		g.markUp(ev.ShardID(), "resumed")
	}
}

func (g *Gateway) onClose(shard dgateway.Gateway, err error, reconnect bool) {
	var ce *websocket.CloseError
	if errors.As(err, &ce) && ce.Text == "shard lease not held" {
		return // a stale connection of a shard given up; the shard's state is not its own
	}
	g.markDown(shard.ShardID(), fmt.Sprintf("closed: %v (reconnect=%t)", err, reconnect))
}

func (g *Gateway) markUp(shardID int, how string) {
	g.mu.Lock()
	s := g.shards[shardID]
	if s == nil {
		g.mu.Unlock()
		return
	}
	wasDown := !s.downSince.IsZero()
	downFor := time.Since(s.downSince)
	s.ready, s.readySince, s.downSince = true, time.Now(), time.Time{}
	g.mu.Unlock()
	if wasDown {
		g.log.Info("ShardResume", "shard_id", shardID, "how", how, "down_for", downFor.Round(time.Millisecond).String())
	} else {
		g.log.Info("shard ready", "shard_id", shardID, "how", how)
	}
}

func (g *Gateway) markDown(shardID int, reason string) {
	g.mu.Lock()
	s := g.shards[shardID]
	if s == nil || !s.ready {
		g.mu.Unlock()
		return
	}
	s.ready, s.downSince = false, time.Now()
	s.disconnects++
	g.mu.Unlock()
	g.log.Warn("ShardDisconnect", "shard_id", shardID, "reason", reason)
}

// watch turns shard status changes into ShardDisconnect / ShardResume log lines
// and readiness: disgo has no disconnect event. Zombied connections (no
// heartbeat ACK) are detected and resumed by disgo v0.19.6 itself.
func (g *Gateway) watch(ctx context.Context) {
	ctxtime.Every(ctx, g.opts.WatchEvery, func(context.Context) {
		for shard := range g.client.ShardManager.Shards() {
			id := shard.ShardID()
			if status := shard.Status(); status != dgateway.StatusReady {
				g.markDown(id, "status "+status.String())
				continue
			}
			g.mu.Lock()
			s := g.shards[id]
			recovered := s != nil && !s.ready && !s.downSince.IsZero()
			g.mu.Unlock()
			if recovered {
				// disgo is Ready again without a READY/RESUMED event having reached us.
				g.markUp(id, "status ready")
			}
		}
	})
}

// Ready reports whether every shard of this process is connected and ready.
// In lease mode a process holding no shard (more replicas than shards, or
// waiting its turn) is ready once it has reached the lease table.
func (g *Gateway) Ready() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, s := range g.shards {
		if !s.ready {
			return false
		}
	}
	if g.opts.Leases != nil {
		return g.leases != nil && g.leases.Settled()
	}
	return len(g.shards) > 0
}

// ShardStatus is one shard's state for /healthz and metrics.
type ShardStatus struct {
	ShardID     int  `json:"shard_id"`
	Ready       bool `json:"ready"`
	Disconnects int  `json:"disconnects"`
	// HeldForS is how long this process has held the shard's lease (lease
	// mode only).
	HeldForS int64 `json:"held_for_s,omitempty"`
}

// Shards lists this process's shards: in lease mode those it holds now.
func (g *Gateway) Shards() []ShardStatus {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := make([]ShardStatus, 0, len(g.shards))
	for id, s := range g.shards {
		st := ShardStatus{ShardID: id, Ready: s.ready, Disconnects: s.disconnects}
		if !s.heldSince.IsZero() {
			st.HeldForS = int64(time.Since(s.heldSince).Seconds())
		}
		out = append(out, st)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ShardID < out[j].ShardID })
	return out
}

// Leased reports whether shards are divided by leases (SHARD_IDS=auto).
func (g *Gateway) Leased() bool { return g.opts.Leases != nil }

// Client returns the disgo client once connected (nil before).
func (g *Gateway) Client() *bot.Client {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.client
}

// Stop closes every shard. Closing with 1000 ends the sessions: a restarted
// process identifies afresh, which is what a deliberate shutdown wants.
func (g *Gateway) Stop(ctx context.Context) {
	if g.cancel == nil {
		return
	}
	g.cancel()
	<-g.done
	if c := g.Client(); c != nil {
		c.Close(ctx)
	}
}

// Listeners is the extension point for gateway event listeners (pairhome
// reacts to members leaving and channels deleted by hand).
var Listeners = module.NewPoint[bot.EventListener]("event listeners")
