// Package projection keeps Discord messages ("dashboards") in step with
// Postgres. A module registers a Renderer per kind; inside its business
// transaction it calls Service.Request(ctx, tx, kind, key); a River job then
// renders a snapshot and creates or edits the message, paced so Discord never
// answers 429. Modules never touch dashboard messages themselves.
//
// # Guarantees and how they are kept
//
//   - Durable request: Request bumps core_projections.version and inserts the
//     refresh job in the caller's transaction. Commit means a refresh will
//     run; rollback leaves nothing behind.
//   - Coalescing: the job is unique by (kind, key) while available, pending,
//     scheduled, retryable or running; completed is left out of the unique
//     states so a finished refresh never blocks the next one (platform notes
//     §1.1).
//   - No lost trailing update: River skips an insert while the job runs, so
//     the worker re-checks version after every send. The final check and the
//     job's completion happen in one transaction holding the projection row
//     FOR UPDATE. Request updates that same row first, so either the worker
//     sees the new version (and loops or snoozes, keeping the unique job), or
//     Request runs after the job is completed and inserts a fresh one.
//   - Snapshot consistency: version is read in the same REPEATABLE READ
//     snapshot the renderer reads, so done_version never claims a change the
//     message does not show.
//   - Pacing in Postgres: see pacing.go. Several processes share the channel
//     and global schedules, and the creation lease, through rows.
package projection

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/disgo/rest"
	"github.com/disgoorg/snowflake/v2"
	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/discord/restlimit"
	"github.com/together-bot/together/core/module"
	"github.com/together-bot/together/core/queue"
)

// QueueName is the River queue refresh jobs go to (jobs go to a queue named
// after their module; the projection machinery is core module "projection").
const QueueName = "projection"

// Renderer turns a snapshot of one kind into a message. Render must be pure:
// it reads through db (a read-only REPEATABLE READ transaction) and nothing
// else, so the worker can call it as often as pacing requires.
type Renderer struct {
	Kind   string
	Module string // owning module, for the per-guild gate
	Pin    bool   // pin the message once, right after it is created
	Render func(ctx context.Context, db bun.IDB, key string) (Rendered, error)
}

// IDKey is the key of a dashboard that shows one row (a duel's scoreboard,
// a raid's board): the row's id.
func IDKey(id int64) string { return strconv.FormatInt(id, 10) }

// RenderByID is Renderer.Render for a kind keyed by IDKey: render gets the
// row's id, and a key that is no id fails the refresh.
func RenderByID(render func(ctx context.Context, idb bun.IDB, id int64) (Rendered, error)) func(context.Context, bun.IDB, string) (Rendered, error) {
	return func(ctx context.Context, idb bun.IDB, key string) (Rendered, error) {
		id, err := strconv.ParseInt(key, 10, 64)
		if err != nil {
			return Rendered{}, fmt.Errorf("projection: key %q is no row id: %w", key, err)
		}
		return render(ctx, idb, id)
	}
}

// Rendered is what a dashboard should look like now.
type Rendered struct {
	GuildID   snowflake.ID
	ChannelID snowflake.ID
	// Message is sent as is on creation; edits send its content, embeds,
	// components, allowed mentions and flags (see update()).
	Message discord.MessageCreate
	// Gone means the thing no longer exists: the message is deleted and the
	// projection stops until a later render says otherwise.
	Gone bool
}

// Status values of a projection.
const (
	StatusPending = "pending"
	StatusOK      = "ok"
	StatusBroken  = "broken"
	StatusGone    = "gone"
)

// Errors callers can branch on.
var (
	ErrUnknownKind = errors.New("projection: unknown kind")
	ErrInvalid     = errors.New("projection: invalid renderer")
)

// Gate is core/queue.Gate: whether a module may act in a guild.
type Gate = queue.Gate

// Options tune pacing. Zero values take the defaults.
type Options struct {
	// ChannelEdits creates/edits are allowed in any ChannelWindow per channel,
	// shared by every dashboard there. Defaults 5 and 5.25 s: Discord's
	// observed 5 per 5 s per channel, with 5% margin so network jitter cannot
	// squeeze a sixth request into one of Discord's windows.
	ChannelEdits  int
	ChannelWindow time.Duration
	// MaxSleep is the longest a worker waits in-process for its turn (in
	// its channel, or for a send slot of the REST budget) before it snoozes
	// the job instead (River's poll adds up to a second). Default 1.5 s.
	MaxSleep time.Duration
	// WorkBudget bounds one job run that keeps refreshing a hot dashboard
	// while no other refresh waits. Default 30 s.
	WorkBudget time.Duration
	// BrokenRecheck is how long a broken projection waits before it tries the
	// same channel again (the periodic recheck or the next Request). Default 5 min.
	BrokenRecheck time.Duration
	// RecheckEvery is the spec of the periodic recheck schedule. Default "@every 1m".
	RecheckEvery string
}

func (o Options) withDefaults() Options {
	if o.ChannelEdits <= 0 {
		o.ChannelEdits = 5
	}
	if o.ChannelWindow <= 0 {
		o.ChannelWindow = 5250 * time.Millisecond
	}
	if o.MaxSleep <= 0 {
		o.MaxSleep = 1500 * time.Millisecond
	}
	if o.WorkBudget <= 0 {
		o.WorkBudget = 30 * time.Second
	}
	if o.BrokenRecheck <= 0 {
		o.BrokenRecheck = 5 * time.Minute
	}
	if o.RecheckEvery == "" {
		o.RecheckEvery = "@every 1m"
	}
	return o
}

// messageInterval is the least time between two edits of one message when
// active dashboards share its channel: the channel's sustained rate split
// evenly (1.05 s alone, 4.2 s among four).
func (o Options) messageInterval(active int) time.Duration {
	return time.Duration(max(active, 1)) * o.ChannelWindow / time.Duration(o.ChannelEdits)
}

// Observer receives each refresh's result ("edited", "created", "skipped",
// "broken") and, for sends, the time since the change was requested
// (ops.Metrics implements it).
type Observer interface {
	Projection(kind, result string, staleness time.Duration)
}

// Config builds a Service.
type Config struct {
	DB        *db.DB
	Discord   Discord // rest.Rest satisfies it; nil only for command-line use (List/Rebuild)
	Renderers []Renderer
	Gate      Gate // nil: every guild is on
	Logger    *slog.Logger
	Options   Options
	Observer  Observer // nil: not recorded
	// Queue enqueues refreshes; nil builds one on DB (tools and tests).
	Queue *queue.Queue
}

// Service requests refreshes and runs the refresh worker.
type Service struct {
	db        *db.DB
	discord   Discord
	gate      Gate
	observer  Observer
	mu        sync.RWMutex
	renderers map[string]Renderer
	log       *slog.Logger
	opts      Options
	queue     *queue.Queue
	// slots is the REST client's limiter when it books from the shared
	// budget: a refresh books its send slot before rendering what it sends.
	slots slotBooker
	// lead is how long before its slot a refresh renders (lead.go).
	lead leadEstimator
	// snapshots bounds the renders running at once. A render holds a pooled
	// connection for its snapshot, and its renderer may take a second one
	// (a guild settings read the cache misses). With as many refresh workers
	// as connections, every worker could hold one and wait for another,
	// starving the whole process (interaction handlers, lease heartbeats,
	// River's fetches) until their timeouts: a lease drill saw a command
	// wait 55 s. Renders take at most a quarter of the pool.
	snapshots chan struct{}
}

// renderSlots is how many renders may run at once on d: a quarter of its
// pool, at least one.
func renderSlots(d *db.DB) int {
	if d.Pool == nil {
		return 1
	}
	return max(1, int(d.Pool.Config().MaxConns)/4)
}

// slotBooker is restlimit.Limiter.Book.
type slotBooker interface {
	Book(ctx context.Context, ep *rest.CompiledEndpoint, lead time.Duration) (*restlimit.Slot, error)
}

// New validates the renderers and builds the Service.
func New(cfg Config) (*Service, error) {
	if cfg.DB == nil {
		return nil, fmt.Errorf("%w: Config.DB is nil", ErrInvalid)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	s := &Service{
		db:        cfg.DB,
		discord:   cfg.Discord,
		gate:      cfg.Gate,
		renderers: map[string]Renderer{},
		log:       cfg.Logger.With("component", "projection"),
		opts:      cfg.Options.withDefaults(),
		observer:  cfg.Observer,
		snapshots: make(chan struct{}, renderSlots(cfg.DB)),
	}
	if c, ok := cfg.Discord.(interface{ RateLimiter() rest.RateLimiter }); ok {
		s.slots, _ = c.RateLimiter().(slotBooker)
	}
	if err := s.Register(cfg.Renderers...); err != nil {
		return nil, err
	}
	s.queue = cfg.Queue
	if s.queue == nil {
		q, err := queue.NewQueue(cfg.DB, cfg.Logger)
		if err != nil {
			return nil, fmt.Errorf("projection: %w", err)
		}
		s.queue = q
	}
	return s, nil
}

// Register adds renderers. fx registers the "renderers" group after the Service
// exists, so a renderer may depend on a module service that itself needs the
// projection Service (to call Request) without a construction cycle.
func (s *Service) Register(rs ...Renderer) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range rs {
		switch {
		case r.Kind == "":
			return fmt.Errorf("%w: empty Kind (module %q)", ErrInvalid, r.Module)
		case r.Module == "":
			return fmt.Errorf("%w: kind %q has no Module", ErrInvalid, r.Kind)
		case r.Render == nil:
			return fmt.Errorf("%w: kind %q has no Render func", ErrInvalid, r.Kind)
		}
		if prev, dup := s.renderers[r.Kind]; dup {
			return fmt.Errorf("%w: kind %q registered by %s and %s", ErrInvalid, r.Kind, prev.Module, r.Module)
		}
		s.renderers[r.Kind] = r
	}
	return nil
}

// renderer looks a kind up.
func (s *Service) renderer(kind string) (Renderer, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	r, ok := s.renderers[kind]
	return r, ok
}

// Kinds lists the registered kinds.
func (s *Service) Kinds() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]string, 0, len(s.renderers))
	for k := range s.renderers {
		out = append(out, k)
	}
	return out
}

// Requester is what a module's service needs of Service to keep its
// dashboards current; tests count the requests instead of rendering.
type Requester interface {
	Request(ctx context.Context, tx bun.Tx, kind, key string) error
}

// Request asks for (kind, key) to be refreshed once tx commits. Call it after
// the business writes, late in the transaction: it updates the projection row,
// which stays locked until commit.
func (s *Service) Request(ctx context.Context, tx bun.Tx, kind, key string) error {
	r, ok := s.renderer(kind)
	if !ok {
		return fmt.Errorf("%w %q", ErrUnknownKind, kind)
	}
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO core_projections (kind, key, module) VALUES (?, ?, ?)
		ON CONFLICT (kind, key) DO UPDATE SET
			version = core_projections.version + 1, requested_at = now(), updated_at = now()`,
		kind, key, r.Module); err != nil {
		return fmt.Errorf("projection: request %s/%s: %w", kind, key, err)
	}
	if _, err := s.queue.InsertTx(ctx, tx, RefreshArgs{Projection: kind, Key: key}, nil); err != nil {
		return fmt.Errorf("projection: enqueue %s/%s: %w", kind, key, err)
	}
	return nil
}

// RefreshArgs identify the projection a refresh job works on. There is
// deliberately no top-level guild_id: the core queue's gate would then check
// the "projection" module; the worker gates on the renderer's module instead.
type RefreshArgs struct {
	Projection string `json:"projection" river:"unique"` // the renderer's kind
	Key        string `json:"key" river:"unique"`
}

// Kind implements river.JobArgs.
func (RefreshArgs) Kind() string { return "projection.refresh" }

// Validate lets `app jobs send` refuse incomplete args.
func (a RefreshArgs) Validate() error {
	if a.Projection == "" || a.Key == "" {
		return errors.New("projection and key are required")
	}
	return nil
}

// InsertOpts implements river.JobArgsWithInsertOpts so that every insert
// (a request, a recheck, `app jobs send`) gets the same uniqueness: one
// waiting refresh per dashboard, and a finished one never blocks the next.
func (RefreshArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 25, UniqueOpts: queue.UniqueWhileActive()}
}

// observe records one refresh outcome.
func (s *Service) observe(kind, result string, requestedAt time.Time) {
	if s.observer == nil {
		return
	}
	var stale time.Duration
	if !requestedAt.IsZero() && (result == "edited" || result == "created") {
		stale = time.Since(requestedAt)
	}
	s.observer.Projection(kind, result, stale)
}

// Renderers is the extension point for dashboard kinds.
var Renderers = module.NewPoint[Renderer]("renderers")
