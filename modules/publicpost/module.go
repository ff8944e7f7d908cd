package publicpost

import (
	"embed"
	"io/fs"

	"go.uber.org/fx"

	"github.com/together-bot/together/core/i18n"
	"github.com/together-bot/together/core/interaction"
	"github.com/together-bot/together/core/module"
	"github.com/together-bot/together/core/module/modcore"
	"github.com/together-bot/together/core/queue"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations are the module's SQL files (NNN_name.sql at the root).
var Migrations = mustSub(migrationFiles, "migrations")

// Descriptor registers the module with the core.
//
// Provides: *Service (other modules create posts with it). Contributes:
// /post (interaction.Commands), the publish and sweep jobs (queue.Jobs), the
// periodic sweep (queue.Schedules), the catalog (i18n.Catalogs) and the
// /admin status section (interaction.StatusSections). Publisher settings
// come from a Config value, replaceable with fx.Decorate.
var Descriptor = module.Descriptor{
	Name:       Name,
	Operator:   operatorCommands,
	Migrations: Migrations,
	Options: fx.Module(Name,
		// Module-internal pieces; fx.Private keeps them out of other modules' reach.
		fx.Provide(
			func(c modcore.Core, cfg Config) *Publisher { return newPublisher(c.DB, c.Rest, cfg, c.Logger) },
			func(s *Service, c modcore.Core) *commands { return newCommands(s, c.Guilds, c.Bundle) },
			fx.Private,
		),
		fx.Provide(
			// Public so a deployment or test can replace it with fx.Decorate.
			func() Config { return Config{}.withDefaults() },
			func(c modcore.Core) *Service { return NewService(c.DB, c.Queue, c.Logger) },
		),
		module.Contribute(queue.Jobs, func(p *Publisher) []queue.Job { return []queue.Job{PublishJob(p), SweepJob(p)} }),
		module.Contribute(queue.Schedules, func(c Config) []queue.Schedule { return []queue.Schedule{SweepSchedule(c)} }),
		module.Contribute(interaction.Commands, func(h *commands) []interaction.Command { return []interaction.Command{h.command()} }),
		module.Add(i18n.Catalogs, Catalog),
		module.Contribute(interaction.StatusSections, func(s *Service) []interaction.StatusSection { return []interaction.StatusSection{statusSection(s)} }),
	),
}

func mustSub(f fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(f, dir)
	if err != nil {
		panic(err)
	}
	return sub
}
