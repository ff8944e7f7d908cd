package raid

import (
	"go.uber.org/fx"

	"github.com/together-bot/together/core/guild"
	"github.com/together-bot/together/core/i18n"
	"github.com/together-bot/together/core/interaction"
	"github.com/together-bot/together/core/module"
	"github.com/together-bot/together/core/projection"
	"github.com/together-bot/together/core/queue"
	"github.com/together-bot/together/modules/hall/hallapi"
	"github.com/together-bot/together/modules/pairhome/pairhomeapi"
	"github.com/together-bot/together/modules/raid/migrations"
)

// purpose is the raid dashboard channel (point guild.Purposes): the weekly
// step starts raids only where it is set.
var purpose = guild.ChannelPurpose{Module: Name, Key: purposeKey, NameKey: "raid.purpose.channel", Kind: guild.Text}

// Descriptor is the module as the catalog sees it.
var Descriptor = module.Descriptor{
	Name:       Name,
	Requires:   []string{pairhomeapi.Name},
	Migrations: migrations.FS,
	Options: fx.Module(Name,
		fx.Provide(newService, newHandlers),
		module.Contribute(projection.Renderers, func(s *service) []projection.Renderer { return []projection.Renderer{s.renderer()} }),
		module.Contribute(interaction.Commands, func(h *handlers) []interaction.Command { return []interaction.Command{h.Command()} }),
		module.Contribute(interaction.Components, func(h *handlers) []interaction.Component { return h.Components() }),
		module.Contribute(queue.Jobs, func(s *service) []queue.Job { return s.jobs() }),
		module.Contribute(queue.Schedules, func(s *service) []queue.Schedule { return []queue.Schedule{s.schedule()} }),
		module.Add(i18n.Catalogs, catalog),
		module.Contribute(pairhomeapi.Sections, func(s *service) []pairhomeapi.Section { return []pairhomeapi.Section{pairSection(s)} }),
		module.Contribute(hallapi.Categories, func(s *service) []hallapi.Category { return []hallapi.Category{hallCategory(s)} }),
		module.Contribute(interaction.Settings, configSettings),
		module.Add(guild.Purposes, purpose),
		module.Contribute(guild.ChannelHooks, func(s *service) []guild.ChannelHook { return []guild.ChannelHook{s.channelHook()} }),
	),
}

// pairSection is raid's part of the Pair Home panel.
func pairSection(s *service) pairhomeapi.Section {
	return pairhomeapi.Section{Module: Name, Order: sectionOrder, Render: s.renderSection}
}
