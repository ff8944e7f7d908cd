package duel

import (
	"log/slog"

	"github.com/disgoorg/disgo/rest"
	"go.uber.org/fx"

	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/guild"
	"github.com/together-bot/together/core/i18n"
	"github.com/together-bot/together/core/interaction"
	"github.com/together-bot/together/core/module"
	"github.com/together-bot/together/core/projection"
	"github.com/together-bot/together/core/queue"
	"github.com/together-bot/together/modules/duel/migrations"
	"github.com/together-bot/together/modules/hall/hallapi"
	"github.com/together-bot/together/modules/pairhome/pairhomeapi"
)

// Descriptor is the module as the catalog sees it.
var Descriptor = module.Descriptor{
	Name:       Name,
	Requires:   []string{pairhomeapi.Name},
	Migrations: migrations.FS,
	Options: fx.Module(Name,
		fx.Provide(newFxService, newHandlers),
		module.Add(i18n.Catalogs, catalog),
		module.Contribute(projection.Renderers, func(s *Service) []projection.Renderer { return []projection.Renderer{s.boardRenderer()} }),
		module.Contribute(interaction.Commands, func(h *handlers) []interaction.Command { return []interaction.Command{h.command()} }),
		module.Contribute(interaction.Components, func(h *handlers) []interaction.Component { return h.components() }),
		module.Contribute(interaction.Modals, func(h *handlers) []interaction.Modal { return h.modals() }),
		module.Contribute(queue.Jobs, func(s *Service) []queue.Job { return s.jobs() }),
		module.Add(queue.Schedules, sweepSchedule),
		module.Contribute(pairhomeapi.Sections, func(s *Service) []pairhomeapi.Section { return []pairhomeapi.Section{s.pairSection()} }),
		module.Contribute(hallapi.Categories, func(s *Service) []hallapi.Category { return []hallapi.Category{s.hallCategory()} }),
	),
}

type fxDeps struct {
	fx.In
	DB          *db.DB
	Queue       *queue.Queue
	Guilds      *guild.Service
	Bundle      *i18n.Bundle
	Logger      *slog.Logger
	Projections *projection.Service
	Pairs       pairhomeapi.Pairs
	Rest        rest.Rest
	Hall        hallapi.Refresher `optional:"true"`
}

func newFxService(d fxDeps) (*Service, error) {
	return newService(config{DB: d.DB, Queue: d.Queue, Pairs: d.Pairs, Projections: d.Projections, Discord: d.Rest,
		Guilds: d.Guilds, Hall: d.Hall, Bundle: d.Bundle, Logger: d.Logger})
}
