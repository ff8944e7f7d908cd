// Package interactionfx wires the interaction layer into the fx app:
//
//	fx.New(runtime.Options(p), interactionfx.Module, interactionfx.SyncOnStart)
//
// Module needs from the container: *db.DB, *slog.Logger, *config.Config,
// module.Selection and rest.Rest. It provides *i18n.Bundle, *guild.Service
// (also as queue.Gate), *interaction.Router (reached by the gateway through
// an *interaction.Listener in the group "event_listeners") and *corecmd.Core, and
// contributes the core's commands, components, catalogs, the sweep job and
// its schedule. It accepts an optional interaction.DashboardLister.
//
// Modules contribute with the As* helpers, e.g.
//
//	interactionfx.AsCommands(func(s *Service) []interaction.Command { ... })
//	interactionfx.AsCatalog(duel.Catalog)
package interactionfx

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"time"

	"github.com/disgoorg/disgo/bot"
	"github.com/disgoorg/disgo/rest"
	"github.com/disgoorg/snowflake/v2"
	"go.uber.org/fx"

	"github.com/together-bot/together/core/config"
	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/guild"
	"github.com/together-bot/together/core/i18n"
	"github.com/together-bot/together/core/interaction"
	"github.com/together-bot/together/core/interaction/commands"
	"github.com/together-bot/together/core/interaction/corecmd"
	"github.com/together-bot/together/core/queue"
)

// Module is the whole interaction layer.
var Module = fx.Module("interaction",
	AsCatalog(interaction.Catalog),
	AsCatalog(corecmd.Catalog),
	fx.Provide(
		NewBundle,
		NewGuilds,
		fx.Annotate(func(s *guild.Service) queue.Gate { return s }),
		corecmd.New,
		NewRouter,
		interaction.NewListener,
		fx.Annotate(func(l *interaction.Listener) bot.EventListener { return l }, fx.ResultTags(`group:"event_listeners"`)),
		fx.Annotate(interaction.SweepJob, fx.ResultTags(`group:"jobs"`)),
		fx.Annotate(func() queue.Schedule { return interaction.SweepSchedule }, fx.ResultTags(`group:"schedules"`)),
	),
	AsCommands(func(c *corecmd.Core) []interaction.Command { return c.Commands() }),
	AsComponents(func(c *corecmd.Core) []interaction.Component { return c.Components() }),
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
)

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

// BundleParams collects every module's catalog.
type BundleParams struct {
	fx.In
	Log      *slog.Logger
	Catalogs []i18n.Catalog `group:"catalogs"`
}

// NewBundle merges the catalogs (sorted by module so errors are stable).
func NewBundle(p BundleParams) (*i18n.Bundle, error) {
	sort.SliceStable(p.Catalogs, func(i, j int) bool { return p.Catalogs[i].Module < p.Catalogs[j].Module })
	return i18n.NewBundle(p.Log, p.Catalogs...)
}

// GuildParams collects channel purposes.
type GuildParams struct {
	fx.In
	DB       *db.DB
	Log      *slog.Logger
	Purposes []guild.ChannelPurpose `group:"channel_purposes"`
}

// NewGuilds builds the settings service.
func NewGuilds(p GuildParams) (*guild.Service, error) {
	return guild.NewService(p.DB, p.Log, p.Purposes)
}

// RouterParams collects routes and services.
type RouterParams struct {
	fx.In
	Commands   []interaction.Command   `group:"commands"`
	Components []interaction.Component `group:"components"`
	Modals     []interaction.Modal     `group:"modals"`
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
		Commands: p.Commands, Components: p.Components, Modals: p.Modals,
		Settings: p.Guilds, Bundle: p.Bundle, DB: p.DB, REST: p.REST, Log: p.Log, DefaultLocale: def, Observer: p.Observer,
	})
}

// AsCommands contributes the commands a constructor returns.
func AsCommands(ctor any) fx.Option {
	return fx.Provide(fx.Annotate(ctor, fx.ResultTags(`group:"commands,flatten"`)))
}

// AsComponents contributes buttons and selects.
func AsComponents(ctor any) fx.Option {
	return fx.Provide(fx.Annotate(ctor, fx.ResultTags(`group:"components,flatten"`)))
}

// AsModals contributes modal handlers.
func AsModals(ctor any) fx.Option {
	return fx.Provide(fx.Annotate(ctor, fx.ResultTags(`group:"modals,flatten"`)))
}

// AsPurposes contributes channel purposes.
func AsPurposes(purposes ...guild.ChannelPurpose) fx.Option {
	return fx.Provide(fx.Annotate(func() []guild.ChannelPurpose { return purposes }, fx.ResultTags(`group:"channel_purposes,flatten"`)))
}

// AsCatalog contributes a module's texts.
func AsCatalog(c i18n.Catalog) fx.Option {
	return fx.Provide(fx.Annotate(func() i18n.Catalog { return c }, fx.ResultTags(`group:"catalogs"`)))
}
