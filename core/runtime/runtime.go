// Package runtime assembles a running bot with fx: the core services, then every
// selected module's fx.Option. Reading this file top to bottom shows how a module
// becomes part of the process.
package runtime

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/disgoorg/disgo/bot"
	"github.com/disgoorg/disgo/rest"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.uber.org/fx"
	"go.uber.org/fx/fxevent"
	"riverqueue.com/riverui"

	"github.com/together-bot/together/core/config"
	"github.com/together-bot/together/core/ctxtime"
	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/db/migrate"
	"github.com/together-bot/together/core/discord/gateway"
	"github.com/together-bot/together/core/discord/restclient"
	"github.com/together-bot/together/core/discord/restlimit"
	"github.com/together-bot/together/core/interaction"
	"github.com/together-bot/together/core/interaction/interactionfx"
	"github.com/together-bot/together/core/module"
	"github.com/together-bot/together/core/module/modcore"
	"github.com/together-bot/together/core/ops"
	"github.com/together-bot/together/core/projection"
	"github.com/together-bot/together/core/queue"
	"github.com/together-bot/together/migrations"
)

// Params are decided before the container is built.
type Params struct {
	Config    *config.Config
	Selection module.Selection
	Logger    *slog.Logger
	Version   string
	NoMigrate bool
	// Test shortens queue polling and start-up jitter for tests.
	Test bool
	// SyncCommands registers slash commands at start when their definitions
	// changed since the last sync (`app run`; tests sync explicitly).
	SyncCommands bool
	// Extra options, e.g. the emulator's test hooks or core layers added later.
	Extra []fx.Option
}

// queueInputs are the modules' jobs and schedules. They are kept apart from the
// gateway's listeners: handlers' services need the queue, so the queue must not
// wait for the handlers.
type queueInputs struct {
	fx.In
	Jobs      module.Contributions[queue.Job]
	Schedules module.Contributions[queue.Schedule]
	Gate      queue.Gate `optional:"true"`
}

// gatewayInputs are the event listeners (the interaction router among them).
type gatewayInputs struct {
	fx.In
	Listeners module.Contributions[bot.EventListener]
}

// Options returns the whole application graph.
func Options(p Params) fx.Option {
	opts := []fx.Option{
		fx.WithLogger(func() fxevent.Logger {
			l := &fxevent.SlogLogger{Logger: p.Logger}
			l.UseLogLevel(slog.LevelDebug)
			return l
		}),
		fx.StartTimeout(90 * time.Second),
		fx.StopTimeout(60 * time.Second),
		fx.Supply(p.Config, p.Selection, p.Logger),
		module.Collect(queue.Jobs),
		module.Collect(queue.Schedules),
		module.Collect(gateway.Listeners),
		fx.Provide(
			openDB,
			newRest,
			queue.NewQueue,
			func(c queueInputs, d *db.DB, log *slog.Logger) (*queue.Runner, error) {
				return newRunner(c, d, log, p.Test)
			},
			newGateway,
			newMetrics,
		),
		fx.Invoke(func(lc fx.Lifecycle, d *db.DB, log *slog.Logger) {
			if p.NoMigrate {
				return
			}
			lc.Append(fx.StartHook(func(ctx context.Context) error {
				return migrateWithRetry(ctx, d, p.Config.DatabaseURL, p.Selection, log)
			}))
		}),
		fx.Invoke(startQueue, startGateway, func(lc fx.Lifecycle, d *db.DB, q *queue.Queue, g *gateway.Gateway, m *ops.Metrics) error {
			return serveHTTP(lc, p, d, q, g, m)
		}),
	}
	// The interaction layer is part of every bot: the router, guild settings and
	// their per-guild gate, i18n, and the core commands (/config, /setup, /admin).
	opts = append(opts, interactionfx.Module,
		// Dashboards: every module's renderers, one coalesced refresh pipeline.
		projection.Module,
		fx.Provide(func(s *projection.Service) interaction.DashboardLister { return dashboards{svc: s} }),
		// Interactions and dashboard refreshes are counted in /metrics.
		fx.Provide(func(m *ops.Metrics) interaction.Observer { return m }),
		fx.Provide(func(m *ops.Metrics) projection.Observer { return m }))
	if p.SyncCommands {
		opts = append(opts, interactionfx.SyncOnStart)
	}
	for _, m := range p.Selection.Modules {
		if o := modcore.Options(m); o != nil {
			opts = append(opts, o)
		}
	}
	return fx.Options(append(opts, p.Extra...)...)
}

// Sources lists migrations in the order they apply: core, then modules in dependency order.
func Sources(sel module.Selection) []migrate.Source {
	out := []migrate.Source{{Module: "core", FS: migrations.FS}}
	for _, m := range sel.Modules {
		if m.Migrations != nil {
			out = append(out, migrate.Source{Module: m.Name, FS: m.Migrations})
		}
	}
	return out
}

func openDB(lc fx.Lifecycle, cfg *config.Config) (*db.DB, error) {
	d, err := db.Open(context.Background(), cfg.DatabaseURL, db.Options{})
	if err != nil {
		return nil, err
	}
	lc.Append(fx.StopHook(d.Close))
	return d, nil
}

// migrateWithRetry waits for Postgres at start instead of crash-looping, but
// stops at once on credentials or a database name that can never work.
func migrateWithRetry(ctx context.Context, d *db.DB, databaseURL string, sel module.Selection, log *slog.Logger) error {
	m := migrate.New(d.Pool, log, Sources(sel)...)
	for attempt := 1; ; attempt++ {
		applied, err := m.Up(ctx)
		if err == nil {
			log.Info("migrations current", "applied_now", len(applied))
			return nil
		}
		if fe := DatabaseSettingError(databaseURL, err); fe != nil {
			return fe
		}
		if !db.IsUnavailable(err) {
			return err
		}
		wait := min(time.Duration(attempt)*time.Second, 10*time.Second)
		log.Warn("database not reachable for migrations; retrying", "error", err, "retry_in", wait.String())
		if cerr := ctxtime.Sleep(ctx, wait); cerr != nil {
			return fmt.Errorf("migrate: %w (last error: %v)", cerr, err)
		}
	}
}

func newRest(cfg *config.Config, d *db.DB, log *slog.Logger, m *ops.Metrics) rest.Rest {
	var budget *restlimit.Shared
	if cfg.RESTBudgetShared {
		budget = restlimit.NewShared(d.Pool, restlimit.SharedOptions{})
	} else {
		log.Info("shared REST budget off (DISCORD_REST_BUDGET=off): the REST proxy must pace requests for the whole deployment", "discord_api", cfg.DiscordAPIURL)
	}
	return restclient.New(cfg.DiscordToken, cfg.DiscordAPIURL, log, m, budget)
}

// newMetrics reads queue depth and shard readiness lazily, at scrape time.
func newMetrics(d *db.DB) *ops.Metrics {
	return ops.NewMetrics(
		func(ctx context.Context) (map[[2]string]int, error) {
			rows, err := queue.Depth(ctx, d, false)
			if err != nil {
				return nil, err
			}
			out := map[[2]string]int{}
			for _, r := range rows {
				out[[2]string{r.Kind, r.State}] += r.Count
			}
			return out, nil
		},
		nil)
}

func newRunner(c queueInputs, d *db.DB, log *slog.Logger, test bool) (*queue.Runner, error) {
	return queue.NewRunner(queue.Options{DB: d, Jobs: c.Jobs.Items, Schedules: c.Schedules.Items, Gate: c.Gate, Logger: log, Test: test,
		// Refresh workers mostly sleep until their send slot; 10 cannot keep
		// the global budget busy (docs/benchmarks.md).
		QueueWorkers: map[string]int{projection.QueueName: 24}})
}

func startQueue(lc fx.Lifecycle, q *queue.Runner) {
	lc.Append(fx.Hook{OnStart: q.Start, OnStop: q.Stop})
}

// newGateway connects the shards of SHARD_IDS, or with SHARD_IDS=auto those
// whose lease this process holds (the leases use its core_processes id).
func newGateway(c gatewayInputs, cfg *config.Config, r rest.Rest, d *db.DB, runner *queue.Runner, log *slog.Logger) *gateway.Gateway {
	opts := gateway.Options{Token: cfg.DiscordToken, Rest: r, ShardIDs: cfg.ShardIDs,
		ShardCount: cfg.ShardCount, Listeners: c.Listeners.Items, Logger: log}
	if cfg.ShardLeases {
		opts.Leases = &gateway.Leases{Pool: d.Pool, ProcessID: runner.ProcessID()}
	}
	return gateway.New(opts)
}

// shardReports is the gateway's shard list for /healthz and /metrics.
func shardReports(g *gateway.Gateway) ops.ShardSource {
	return func() []ops.ShardReport {
		shards := g.Shards()
		out := make([]ops.ShardReport, 0, len(shards))
		for _, s := range shards {
			out = append(out, ops.ShardReport{ShardID: s.ShardID, Ready: s.Ready, Disconnects: s.Disconnects,
				Leased: g.Leased(), HeldForS: s.HeldForS})
		}
		return out
	}
}

func startGateway(lc fx.Lifecycle, g *gateway.Gateway, m *ops.Metrics) {
	m.WatchShards(shardReports(g))
	lc.Append(fx.Hook{
		OnStart: func(context.Context) error { g.Start(); return nil },
		OnStop:  func(ctx context.Context) error { g.Stop(ctx); return nil },
	})
}

// metricsHandler puts /metrics behind basic auth when METRICS_USER is set.
// Without it, config only allows an HTTP_ADDR off loopback with
// METRICS_PUBLIC=true, and that is said at start.
func metricsHandler(cfg *config.Config, metrics http.Handler, log *slog.Logger) http.Handler {
	if cfg.MetricsUser != "" {
		return ops.BasicAuth(cfg.MetricsUser, cfg.MetricsPassword, metrics)
	}
	if host, _, _ := net.SplitHostPort(cfg.HTTPAddr); !config.IsLoopback(host) {
		log.Warn("/metrics is served without auth to every network that reaches HTTP_ADDR (METRICS_PUBLIC=true)", "addr", cfg.HTTPAddr)
	}
	return metrics
}

// serveHTTP serves /healthz and /metrics on HTTP_ADDR, and River UI either
// there behind basic auth or on the loopback-only OPS_ADDR.
func serveHTTP(lc fx.Lifecycle, p Params, d *db.DB, q *queue.Queue, g *gateway.Gateway, m *ops.Metrics) error {
	mux := http.NewServeMux()
	mux.Handle("GET /healthz", &ops.Health{DB: d, Queue: q, Discord: g, Shards: shardReports(g), Modules: p.Selection.Names(),
		Version: p.Version, Started: time.Now()})
	cfg := p.Config
	mux.Handle("GET /metrics", metricsHandler(cfg, promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{Timeout: 5 * time.Second}), p.Logger))
	listeners := map[string]http.Handler{cfg.HTTPAddr: mux}

	if cfg.RiverUIUser != "" || cfg.OpsAddr != "" {
		ui, err := riverui.NewHandler(&riverui.HandlerOpts{
			Endpoints: riverui.NewEndpoints(q.River, nil), Logger: p.Logger, Prefix: "/riverui",
			JobListHideArgsByDefault: true,
		})
		if err != nil {
			return fmt.Errorf("river ui: %w", err)
		}
		uiCtx, stopUI := context.WithCancel(context.Background())
		lc.Append(fx.Hook{
			// River UI's background services stop with this context, so it is the
			// process lifetime, not fx's start context.
			OnStart: func(context.Context) error { return ui.Start(uiCtx) },
			OnStop:  func(context.Context) error { stopUI(); return nil },
		})
		if cfg.RiverUIUser != "" {
			mux.Handle("/riverui/", ops.BasicAuth(cfg.RiverUIUser, cfg.RiverUIPassword, ui))
		}
		if cfg.OpsAddr != "" {
			opsMux := http.NewServeMux()
			opsMux.Handle("/riverui/", ui)
			listeners[cfg.OpsAddr] = opsMux
		}
	}
	for addr, handler := range listeners {
		ops.Listen(lc, addr, handler, p.Logger)
	}
	return nil
}
