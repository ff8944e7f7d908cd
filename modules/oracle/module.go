// Package oracle is the weekly oracle: each guild gets one archetype per
// week (chosen deterministically, see PickArchetype), a dashboard in its
// oracle channel, and members claim one piece of guidance per week built
// from the archetype, a tone and their situation. See docs/modules/oracle.md.
package oracle

import (
	"log/slog"

	"github.com/disgoorg/disgo/rest"
	"go.uber.org/fx"

	"github.com/together-bot/together/core/config"
	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/guild"
	"github.com/together-bot/together/core/i18n"
	"github.com/together-bot/together/core/interaction"
	"github.com/together-bot/together/core/module"
	"github.com/together-bot/together/core/projection"
	"github.com/together-bot/together/core/queue"
	"github.com/together-bot/together/modules/oracle/migrations"
	"github.com/together-bot/together/modules/pairhome"
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
// pairhome is deployed, its service is injected (optional dependency) and
// oracle adds the ritual button, pair-room copies and a Pair Home section.
var Descriptor = module.Descriptor{
	Name:       Name,
	Operator:   operatorCommands,
	Migrations: migrations.FS,
	Options: fx.Module(Name,
		fx.Provide(newServiceFx),
		module.ContributeOrFail(projection.Renderers, newRendererFx),
		module.Contribute(interaction.Commands, func(s *Service) []interaction.Command { return []interaction.Command{(&handlers{svc: s}).Command()} }),
		module.Contribute(interaction.Components, func(s *Service) []interaction.Component { return (&handlers{svc: s}).Components() }),
		module.Contribute(queue.Jobs, func(s *Service) []queue.Job { return []queue.Job{PublishDueJob(s)} }),
		module.Add(queue.Schedules, PublishSchedule),
		module.Add(i18n.Catalogs, Catalog),
		module.Add(guild.Purposes, ChannelPurpose),
		// Collected only when pairhome is deployed; otherwise nobody builds it.
		module.ContributeOrFail(pairhomeapi.Sections, func(module.None) ([]pairhomeapi.Section, error) {
			s, err := NewSection()
			return []pairhomeapi.Section{s}, err
		}),
	),
}

type serviceParams struct {
	fx.In
	DB          *db.DB
	Guilds      *guild.Service
	Projections *projection.Service
	Rest        rest.Rest
	Config      *config.Config
	Logger      *slog.Logger
	// Present only when pairhome is deployed.
	Pairhome *pairhome.Service `optional:"true"`
}

func newServiceFx(p serviceParams) (*Service, error) {
	return NewService(Config{DB: p.DB, Settings: p.Guilds, Projections: p.Projections, Discord: p.Rest, Pairs: PairsFrom(p.Pairhome),
		DefaultTimezone: p.Config.DefaultTimezone, DefaultLocale: p.Config.DefaultLocale, Logger: p.Logger})
}

// newRendererFx must depend neither on *Service nor on *pairhome.Service:
// the projection service needs every renderer, and both of those need the
// projection service. Whether pairhome is deployed comes from the selection.
func newRendererFx(p rendererDeps) ([]projection.Renderer, error) {
	lib, err := DefaultLibrary()
	if err != nil {
		return nil, err
	}
	r, err := NewRenderer(p.Guilds, lib, p.Config.DefaultTimezone, p.Config.DefaultLocale, p.Selection.Has(PairhomeModule))
	return []projection.Renderer{r}, err
}

type rendererDeps struct {
	fx.In
	Guilds    *guild.Service
	Config    *config.Config
	Selection module.Selection
}
