// Package oracle is the weekly oracle: each guild gets one archetype per
// week (chosen deterministically, see PickArchetype), a dashboard in its
// oracle channel, and members claim one piece of guidance per week built
// from the archetype, a tone and their situation. See docs/modules/oracle.md.
package oracle

import (
	"go.uber.org/fx"

	"github.com/together-bot/together/core/guild"
	"github.com/together-bot/together/core/i18n"
	"github.com/together-bot/together/core/interaction"
	"github.com/together-bot/together/core/module"
	"github.com/together-bot/together/core/module/modcore"
	"github.com/together-bot/together/core/projection"
	"github.com/together-bot/together/core/queue"
	"github.com/together-bot/together/modules/oracle/migrations"
	"github.com/together-bot/together/modules/pairhome/pairhomeapi"
)

// Name is the module's id.
const Name = "oracle"

// ChannelPurposeKey is the oracle channel's purpose key ("oracle.channel").
const ChannelPurposeKey = "channel"

// ChannelPurpose is the channel the dashboard lives in.
var ChannelPurpose = guild.ChannelPurpose{
	Module: Name, Key: ChannelPurposeKey, NameKey: "oracle.purpose.channel", Kind: guild.Text, Required: true,
	// Zero Permissions: the text default (view, send, embed links, history)
	// is exactly what the dashboard needs.
	TestPost: true,
}

// Descriptor is the oracle module. It does not require pairhome: when
// pairhome is deployed, its pairhomeapi.Pairs is injected (optional
// dependency) and oracle adds the ritual button, pair-room copies and a
// Pair Home section.
var Descriptor = module.Descriptor{
	Name:       Name,
	Operator:   operatorCommands,
	Migrations: migrations.FS,
	Options: fx.Module(Name,
		fx.Provide(newServiceFx),
		module.Contribute(projection.Renderers, func(s *Service) []projection.Renderer { return []projection.Renderer{s.renderer()} }),
		module.Contribute(interaction.Commands, func(s *Service) []interaction.Command { return []interaction.Command{(&handlers{svc: s}).Command()} }),
		module.Contribute(interaction.Components, func(s *Service) []interaction.Component { return (&handlers{svc: s}).Components() }),
		module.Contribute(queue.Jobs, func(s *Service) []queue.Job { return []queue.Job{publishDueJob(s)} }),
		module.Add(queue.Schedules, PublishSchedule),
		module.Add(i18n.Catalogs, Catalog),
		module.Add(guild.Purposes, ChannelPurpose),
		module.Contribute(guild.ChannelHooks, func(s *Service) []guild.ChannelHook { return []guild.ChannelHook{s.channelHook()} }),
		// Collected only when pairhome is deployed; otherwise nobody builds it.
		module.Contribute(pairhomeapi.Sections, func(s *Service) []pairhomeapi.Section { return []pairhomeapi.Section{newSection(s.texts)} }),
	),
}

type serviceParams struct {
	fx.In
	Core modcore.Core
	// Present only when pairhome is deployed.
	Pairs pairhomeapi.Pairs `optional:"true"`
}

func newServiceFx(p serviceParams) (*Service, error) {
	return newService(serviceConfig{Core: p.Core, Pairs: p.Pairs})
}
