// Package pairhome is the pairs module: staff pair two members, each pair
// gets a private room and a Pair Home panel, and every other loop (duel,
// raid, oracle, hall) counts pairs through this package's Service.
//
// Other modules add blocks to the panel through the Section extension point
// (fx group "pairhome_sections") without pairhome importing them.
package pairhome

import (
	"encoding/base64"
	"log/slog"
	"strconv"
	"strings"

	"github.com/disgoorg/disgo/bot"
	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/disgo/rest"
	"go.uber.org/fx"

	"github.com/together-bot/together/core/config"
	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/discord/gateway"
	"github.com/together-bot/together/core/guild"
	"github.com/together-bot/together/core/i18n"
	"github.com/together-bot/together/core/interaction"
	"github.com/together-bot/together/core/module"
	"github.com/together-bot/together/core/projection"
	"github.com/together-bot/together/core/queue"
	"github.com/together-bot/together/modules/pairhome/migrations"
	"github.com/together-bot/together/modules/pairhome/pairhomeapi"
)

// Name is the module's id.
const Name = "pairhome"

// CategoryPurposeKey names the channel purpose of the pair rooms' category.
const CategoryPurposeKey = "category"

// CategoryPurpose asks /config and /setup for the category rooms go under.
var CategoryPurpose = guild.ChannelPurpose{
	Module: Name, Key: CategoryPurposeKey, NameKey: "pairhome.purpose.category", Kind: guild.Category, Required: true,
	// Manage Roles lets the bot write the rooms' permission overwrites.
	Permissions: botAllow | discord.PermissionManageRoles,
}

// Descriptor is the module as the catalog sees it.
var Descriptor = module.Descriptor{
	Name:       Name,
	Migrations: migrations.FS,
	Options: fx.Module(Name,
		fx.Provide(
			func() *sectionSet { return newSectionSet(nil) },
			newFxPanel,
			newFxService,
		),
		module.Contribute(projection.Renderers, func(p *panel) []projection.Renderer { return []projection.Renderer{p.Renderer()} }),
		module.Contribute(interaction.Commands, func(s *Service) []interaction.Command { return []interaction.Command{s.Command()} }),
		module.Contribute(interaction.Settings, configSettings),
		module.Contribute(interaction.Components, func(s *Service) []interaction.Component { return s.Components() }),
		module.Contribute(queue.Jobs, func(s *Service) []queue.Job { return s.Jobs() }),
		module.Add(queue.Schedules, Schedules...),
		module.Contribute(gateway.Listeners, func(s *Service) []bot.EventListener { return []bot.EventListener{s.Listener()} }),
		module.Add(i18n.Catalogs, Catalog),
		module.Add(guild.Purposes, CategoryPurpose),
		// Sections are registered once the Service exists: a contributor's section
		// may come from a service that needs pairhome's.
		module.Collect(pairhomeapi.Sections),
		fx.Provide(func(s *Service) pairhomeapi.Pairs { return s }),
		fx.Invoke(func(set *sectionSet, in module.Contributions[pairhomeapi.Section]) { set.set(in.Items) }),
		// Stop hooks run in reverse order, so this waits before the database closes.
		fx.Invoke(func(lc fx.Lifecycle, s *Service) { lc.Append(fx.StopHook(s.Wait)) }),
	),
}

type fxDeps struct {
	fx.In
	DB     *db.DB
	Config *config.Config
	Guilds *guild.Service
	Bundle *i18n.Bundle
	Logger *slog.Logger
	// Sections is filled by the Invoke below, after every contributor exists.
	Sections *sectionSet
}

func newFxPanel(d fxDeps) *panel {
	pn := newPanel(d.Guilds, nil, d.Bundle, d.Config.DefaultLocale)
	pn.sections = d.Sections
	return pn
}

func newFxService(d fxDeps, proj *projection.Service, r rest.Rest) (*Service, error) {
	botID := BotUserIDFromToken(d.Config.DiscordToken)
	if botID == 0 {
		// Modern applications' bot user shares the application's id.
		botID, _ = strconv.ParseUint(d.Config.DiscordAppID, 10, 64)
	}
	s, err := NewService(Config{
		DB: d.DB, Projections: proj, Settings: d.Guilds, Discord: r, Bundle: d.Bundle,
		DefaultLocale: d.Config.DefaultLocale, BotUserID: botID, Logger: d.Logger,
	})
	if err != nil {
		return nil, err
	}
	s.sections = d.Sections
	return s, nil
}

// BotUserIDFromToken reads the bot's user id from its token, whose first
// dot-separated part is the base64 of that id (0 when it cannot).
func BotUserIDFromToken(token string) uint64 {
	first, _, _ := strings.Cut(strings.TrimPrefix(token, "Bot "), ".")
	for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.StdEncoding, base64.RawURLEncoding} {
		if raw, err := enc.DecodeString(first); err == nil {
			if id, err := strconv.ParseUint(string(raw), 10, 64); err == nil {
				return id
			}
		}
	}
	return 0
}
