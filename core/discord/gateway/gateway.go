// Package gateway connects the bot to Discord's gateway with disgo and tracks
// readiness per shard.
//
// Operators grep for ShardDisconnect and ShardResume: both are logged once per
// transition with the shard id and the reason.
package gateway

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/disgoorg/disgo"
	"github.com/disgoorg/disgo/bot"
	"github.com/disgoorg/disgo/cache"
	"github.com/disgoorg/disgo/events"
	dgateway "github.com/disgoorg/disgo/gateway"
	"github.com/disgoorg/disgo/rest"
	"github.com/disgoorg/disgo/sharding"
	"github.com/together-bot/together/core/module"
)

// Intents are the least the bot needs: guild structure for GUILD_CREATE and
// channel events, members to notice people leaving. Never message content.
var Intents = []dgateway.Intents{dgateway.IntentGuilds, dgateway.IntentGuildMembers}

// Options configure the connection.
type Options struct {
	Token      string
	Rest       rest.Rest
	ShardIDs   []int
	ShardCount int
	Listeners  []bot.EventListener
	Logger     *slog.Logger
	// WatchEvery is how often shard health is checked (default 1 s).
	WatchEvery time.Duration
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
}

type shardState struct {
	ready       bool
	readySince  time.Time
	downSince   time.Time
	disconnects int
}

// New prepares the gateway; Start connects.
func New(opts Options) *Gateway {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.WatchEvery == 0 {
		opts.WatchEvery = time.Second
	}
	if opts.ShardCount == 0 {
		opts.ShardCount = 1
	}
	if len(opts.ShardIDs) == 0 {
		for i := range opts.ShardCount {
			opts.ShardIDs = append(opts.ShardIDs, i)
		}
	}
	g := &Gateway{opts: opts, log: opts.Logger, shards: map[int]*shardState{}}
	for _, id := range opts.ShardIDs {
		g.shards[id] = &shardState{}
	}
	return g
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
	for attempt := 1; ; attempt++ {
		client, err := g.build()
		if err == nil {
			g.mu.Lock()
			g.client = client
			g.mu.Unlock()
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
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

func (g *Gateway) build() (*bot.Client, error) {
	listeners := append([]bot.EventListener{bot.NewListenerFunc(g.onEvent)}, g.opts.Listeners...)
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
		bot.WithShardManagerConfigOpts(
			sharding.WithShardCount(g.opts.ShardCount),
			sharding.WithShardIDs(g.opts.ShardIDs...),
			sharding.WithAutoScaling(false),
			sharding.WithGatewayConfigOpts(dgateway.WithIntents(Intents...), dgateway.WithAutoReconnect(true),
				// disgo v0.19.6's zstd transport shares a buffer between goroutines
				// without a lock (a data race under -race); uncompressed JSON avoids it.
				dgateway.WithCompression(dgateway.CompressionNone)),
			sharding.WithCloseHandler(g.onClose),
		),
	)
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
	t := time.NewTicker(g.opts.WatchEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
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
	}
}

// Ready reports whether every shard of this process is connected and ready.
func (g *Gateway) Ready() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, s := range g.shards {
		if !s.ready {
			return false
		}
	}
	return len(g.shards) > 0
}

// ShardStatus is one shard's state for /healthz and metrics.
type ShardStatus struct {
	ShardID     int  `json:"shard_id"`
	Ready       bool `json:"ready"`
	Disconnects int  `json:"disconnects"`
}

// Shards lists this process's shards.
func (g *Gateway) Shards() []ShardStatus {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := make([]ShardStatus, 0, len(g.shards))
	for _, id := range g.opts.ShardIDs {
		s := g.shards[id]
		out = append(out, ShardStatus{ShardID: id, Ready: s.ready, Disconnects: s.disconnects})
	}
	return out
}

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
