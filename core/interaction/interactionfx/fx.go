// Package interactionfx wires the interaction layer into the fx app:
//
//	fx.New(runtime.Options(p), interactionfx.Module, interactionfx.SyncOnStart)
//
// Module needs from the container: *db.DB, *slog.Logger, *config.Config,
// module.Selection and rest.Rest. It provides *i18n.Bundle, *guild.Service
// (also as queue.Gate), *interaction.Router (reached by the gateway through
// an *interaction.Listener contributed to gateway.Listeners) and *corecmd.Core, and
// contributes the core's commands, components, catalogs, the sweep job and
// its schedule. It accepts an optional interaction.DashboardLister. With
// INTERACTIONS_ADDR set it also serves the HTTP interactions endpoint.
//
// It collects the interaction layer's extension points (interaction.Commands,
// Components, Modals, Settings, StatusSections, i18n.Catalogs,
// guild.Purposes and guild.ChannelHooks); modules contribute with module.Contribute and module.Add.
package interactionfx

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/disgoorg/disgo/bot"
	"github.com/disgoorg/disgo/rest"
	"github.com/disgoorg/snowflake/v2"
	"go.uber.org/fx"

	"github.com/together-bot/together/core/config"
	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/discord/gateway"
	"github.com/together-bot/together/core/guild"
	"github.com/together-bot/together/core/i18n"
	"github.com/together-bot/together/core/interaction"
	"github.com/together-bot/together/core/interaction/commands"
	"github.com/together-bot/together/core/interaction/corecmd"
	"github.com/together-bot/together/core/module"
	"github.com/together-bot/together/core/ops"
	"github.com/together-bot/together/core/queue"
	"github.com/together-bot/together/core/usertext"
)

// Module is the whole interaction layer.
var Module = fx.Module("interaction",
	module.Collect(i18n.Catalogs),
	module.Collect(guild.Purposes),
	module.Collect(guild.ChannelHooks),
	module.Collect(interaction.Commands),
	module.Collect(interaction.Components),
	module.Collect(interaction.Modals),
	module.Collect(interaction.Settings),
	module.Collect(interaction.StatusSections),
	module.Add(i18n.Catalogs, interaction.Catalog, corecmd.Catalog, usertext.Catalog),
	fx.Provide(
		NewBundle,
		NewGuilds,
		fx.Annotate(func(s *guild.Service) queue.Gate { return s }),
		corecmd.New,
		NewRouter,
		interaction.NewListener,
	),
	module.Contribute(gateway.Listeners, func(l *interaction.Listener) []bot.EventListener { return []bot.EventListener{l} }),
	module.Contribute(queue.Jobs, func(p sweepDeps) []queue.Job { return []queue.Job{interaction.SweepJob(p.DB, p.Log)} }),
	module.Add(queue.Schedules, interaction.SweepSchedule),
	module.Contribute(interaction.Commands, func(c *corecmd.Core) []interaction.Command { return c.Commands() }),
	module.Contribute(interaction.Components, func(c *corecmd.Core) []interaction.Component { return c.Components() }),
	// Hooks are added once the Service exists: a hook may come from a module
	// service that needs the Service itself.
	fx.Invoke(func(g *guild.Service, h module.Contributions[guild.ChannelHook]) error {
		return g.AddChannelHooks(h.Items...)
	}),
	fx.Invoke(func(lc fx.Lifecycle, g *guild.Service, r *interaction.Router, l *interaction.Listener) {
		l.Attach(r)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		lc.Append(fx.Hook{
			OnStart: func(context.Context) error {
				go func() { defer close(done); g.Listen(ctx) }()
				return nil
			},
			OnStop: func(stopCtx context.Context) error {
				// Let in-flight interactions answer before the database closes.
				err := r.Wait(stopCtx)
				cancel()
				<-done
				return err
			},
		})
	}),
	// After the hook above, so a stop closes the endpoint first and the
	// router then waits for the interactions it already took.
	fx.Invoke(ServeEndpoint),
)

// EndpointParams are what the HTTP interactions endpoint needs.
type EndpointParams struct {
	fx.In
	Lifecycle fx.Lifecycle
	Config    *config.Config `optional:"true"`
	Router    *interaction.Router
	DB        *db.DB
	Log       *slog.Logger
}

// ServeEndpoint serves POST /interactions on INTERACTIONS_ADDR when it is
// set: Discord's HTTP interactions, routed like the gateway's.
func ServeEndpoint(p EndpointParams) error {
	if p.Config == nil || p.Config.InteractionsAddr == "" {
		return nil
	}
	if err := p.Config.CheckInteractions(); err != nil {
		return err
	}
	ep, err := interaction.NewEndpoint(p.Router, interaction.EndpointOptions{PublicKey: p.Config.DiscordPublicKey, DB: p.DB, Log: p.Log})
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("POST "+interaction.EndpointPath, ep)
	ops.Listen(p.Lifecycle, p.Config.InteractionsAddr, mux, p.Log)
	return nil
}

// SyncOnStart syncs slash commands in the background at start, only when
// their hash changed since the last sync (never on gateway reconnects). Add
// it to `app run`, not to one-shot operator commands.
var SyncOnStart = fx.Invoke(func(lc fx.Lifecycle, r *interaction.Router, d *db.DB, rst rest.Rest, cfg *config.Config, log *slog.Logger) {
	lc.Append(fx.StartHook(func(context.Context) {
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			appID, err := AppID(cfg, rst)
			if err != nil {
				log.Error("command sync skipped", "error", err)
				return
			}
			diff, synced, err := commands.SyncIfChanged(ctx, d, rst, cfg.DiscordAPIURL, appID, nil, r.Definitions())
			switch {
			case err != nil:
				log.Error("command sync failed", "error", err)
			case synced:
				log.Info("commands synced", "diff", diff.String(), "written", diff.Written)
			default:
				log.Debug("commands unchanged since last sync")
			}
		}()
	}))
})

// AppID is DISCORD_APP_ID or, when unset, the application Discord reports.
func AppID(cfg *config.Config, rst rest.Rest) (snowflake.ID, error) {
	if cfg != nil && cfg.DiscordAppID != "" {
		id, err := strconv.ParseUint(cfg.DiscordAppID, 10, 64)
		return snowflake.ID(id), err
	}
	app, err := rst.GetCurrentApplication()
	if err != nil {
		return 0, fmt.Errorf("read application id: %w", err)
	}
	return app.ID, nil
}

// NewBundle merges every module's catalog (sorted by module so errors are stable).
func NewBundle(log *slog.Logger, c module.Contributions[i18n.Catalog]) (*i18n.Bundle, error) {
	catalogs := slices.Clone(c.Items)
	sort.SliceStable(catalogs, func(i, j int) bool { return catalogs[i].Module < catalogs[j].Module })
	return i18n.NewBundle(log, catalogs...)
}

// NewGuilds builds the settings service with every module's channel purposes.
func NewGuilds(d *db.DB, log *slog.Logger, cfg *config.Config, p module.Contributions[guild.ChannelPurpose]) (*guild.Service, error) {
	s, err := guild.NewService(d, log, p.Items)
	if err != nil {
		return nil, err
	}
	if cfg != nil {
		s.SetDefaults(cfg.DefaultLocale, cfg.DefaultTimezone)
	}
	return s, nil
}

// RouterParams collects routes and services.
type RouterParams struct {
	fx.In
	Commands   module.Contributions[interaction.Command]
	Components module.Contributions[interaction.Component]
	Modals     module.Contributions[interaction.Modal]
	Guilds     *guild.Service
	Bundle     *i18n.Bundle
	DB         *db.DB
	REST       rest.Rest
	Log        *slog.Logger
	Config     *config.Config       `optional:"true"`
	Observer   interaction.Observer `optional:"true"`
}

// NewRouter builds the router.
func NewRouter(p RouterParams) (*interaction.Router, error) {
	def := i18n.EN
	if p.Config != nil && p.Config.DefaultLocale != "" {
		def = p.Config.DefaultLocale
	}
	return interaction.NewRouter(interaction.Options{
		Commands: p.Commands.Items, Components: p.Components.Items, Modals: p.Modals.Items,
		Settings: p.Guilds, Bundle: p.Bundle, DB: p.DB, REST: p.REST, Log: p.Log, DefaultLocale: def, Observer: p.Observer,
	})
}

type sweepDeps struct {
	fx.In
	DB  *db.DB
	Log *slog.Logger
}
