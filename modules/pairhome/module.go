// Package pairhome is the pairs module: staff pair two members, each pair
// gets a private room and a Pair Home panel. Every other loop (duel, raid,
// oracle, hall) reads pairs through pairhomeapi.Pairs and adds blocks to the
// panel through the pairhomeapi.Sections point. No module imports this
// package, and it imports none of them; its exports are the Descriptor the
// app's catalog lists and Name (pairhomeapi.Name).
package pairhome

import (
	"encoding/base64"
	"strconv"
	"strings"

	"github.com/disgoorg/disgo/bot"
	"github.com/disgoorg/disgo/discord"
	"go.uber.org/fx"

	"github.com/together-bot/together/core/config"
	"github.com/together-bot/together/core/discord/gateway"
	"github.com/together-bot/together/core/guild"
	"github.com/together-bot/together/core/i18n"
	"github.com/together-bot/together/core/interaction"
	"github.com/together-bot/together/core/module"
	"github.com/together-bot/together/core/module/modcore"
	"github.com/together-bot/together/core/projection"
	"github.com/together-bot/together/core/queue"
	"github.com/together-bot/together/modules/pairhome/migrations"
	"github.com/together-bot/together/modules/pairhome/pairhomeapi"
)

// Name is the module's id.
const Name = pairhomeapi.Name

// categoryPurposeKey names the channel purpose of the pair rooms' category.
const categoryPurposeKey = "category"

// categoryPurpose asks /config and /setup for the category rooms go under.
var categoryPurpose = guild.ChannelPurpose{
	Module: Name, Key: categoryPurposeKey, NameKey: "pairhome.purpose.category", Kind: guild.Category, Required: true,
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
			func(s *service) pairhomeapi.Pairs { return s },
		),
		module.Contribute(projection.Renderers, func(p *panel) []projection.Renderer { return []projection.Renderer{p.Renderer()} }),
		module.Contribute(interaction.Commands, func(s *service) []interaction.Command { return []interaction.Command{s.Command()} }),
		module.Contribute(interaction.Settings, configSettings),
		module.Contribute(interaction.Components, func(s *service) []interaction.Component { return s.Components() }),
		module.Contribute(queue.Jobs, func(s *service) []queue.Job { return s.Jobs() }),
		module.Add(queue.Schedules, schedules...),
		module.Contribute(gateway.Listeners, func(s *service) []bot.EventListener { return []bot.EventListener{s.Listener()} }),
		module.Add(i18n.Catalogs, catalog),
		module.Add(guild.Purposes, categoryPurpose),
		// pairhome collects its own point. The sections are handed over once
		// everything is built, not taken by the constructors: a contributor's
		// section may come from a service that needs pairhomeapi.Pairs.
		module.Collect(pairhomeapi.Sections),
		fx.Invoke(func(set *sectionSet, in module.Contributions[pairhomeapi.Section]) { set.set(in.Items) }),
		// Stop hooks run in reverse order, so this waits before the database closes.
		fx.Invoke(func(lc fx.Lifecycle, s *service) { lc.Append(fx.StopHook(s.Wait)) }),
	),
}

type fxDeps struct {
	fx.In
	Core   modcore.Core
	Config *config.Config
	// Sections is filled by the Invoke above, after every contributor exists.
	Sections *sectionSet
}

func newFxPanel(d fxDeps) *panel { return newPanel(d.Core.Guilds, d.Sections, d.Core.Bundle) }

func newFxService(d fxDeps) (*service, error) {
	botID := botUserIDFromToken(d.Config.DiscordToken)
	if botID == 0 {
		// Modern applications' bot user shares the application's id.
		botID, _ = strconv.ParseUint(d.Config.DiscordAppID, 10, 64)
	}
	return newService(serviceConfig{Core: d.Core, BotUserID: botID, Sections: d.Sections})
}

// botUserIDFromToken reads the bot's user id from its token, whose first
// dot-separated part is the base64 of that id (0 when it cannot).
func botUserIDFromToken(token string) uint64 {
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
