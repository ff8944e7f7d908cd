package duel

import (
	"go.uber.org/fx"

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
		fx.Provide(newService, newHandlers),
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
