package hall

import (
	"go.uber.org/fx"

	"github.com/together-bot/together/core/guild"
	"github.com/together-bot/together/core/i18n"
	"github.com/together-bot/together/core/interaction"
	"github.com/together-bot/together/core/module"
	"github.com/together-bot/together/core/module/modcore"
	"github.com/together-bot/together/core/projection"
	"github.com/together-bot/together/core/queue"
	"github.com/together-bot/together/modules/hall/hallapi"
	"github.com/together-bot/together/modules/hall/migrations"
	"github.com/together-bot/together/modules/pairhome/pairhomeapi"
)

// channelPurposeKey names the hall channel's purpose.
const channelPurposeKey = "channel"

// ChannelPurpose asks /config and /setup for the channel the cards go to.
var ChannelPurpose = guild.ChannelPurpose{Module: Name, Key: channelPurposeKey, NameKey: "hall.purpose.channel",
	Kind: guild.Text, Required: true}

// Descriptor is the module as the catalog sees it. hall requires pairhome:
// categories rank pairs, and only pairhome knows a pair's members (for the
// consent check and the names) and how many pairs are active. It requires
// no category module: duel, raid and others contribute when deployed.
var Descriptor = module.Descriptor{
	Name:       Name,
	Requires:   []string{pairhomeapi.Name},
	Operator:   operatorCommands,
	Migrations: migrations.FS,
	Options: fx.Module(Name,
		fx.Provide(
			func(c modcore.Core) *Refresher { return newRefresher(c.Projections) },
			func(r *Refresher) hallapi.Refresher { return r },
			newService,
		),
		module.Contribute(projection.Renderers, func(s *Service) []projection.Renderer {
			return []projection.Renderer{{Kind: CardKind, Module: Name, Render: s.renderCard}}
		}),
		module.Contribute(interaction.Commands, func(s *Service) []interaction.Command { return []interaction.Command{s.command()} }),
		module.Contribute(queue.Jobs, func(s *Service) []queue.Job { return s.jobs() }),
		module.Add(queue.Schedules, tickSchedule),
		module.Add(i18n.Catalogs, Catalog),
		module.Add(guild.Purposes, ChannelPurpose),
		module.Contribute(guild.ChannelHooks, func(s *Service) []guild.ChannelHook { return []guild.ChannelHook{s.channelHook()} }),
		module.Collect(hallapi.Categories),
	),
}
