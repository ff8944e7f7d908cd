// Package module defines what a feature module is and resolves which modules a
// deployment runs.
//
// A module is a Descriptor: a name, the modules it needs, its embedded SQL
// migrations, its operator commands, and one fx.Option that provides its
// services and contributes to typed extension points (point.go): the core's
// (commands, components, jobs, schedules, renderers, ...) and other modules'
// (pairhomeapi.Sections, hallapi.Categories). Everything static lives on the
// Descriptor so that operator commands work without starting a bot.
package module

import (
	"io/fs"

	"github.com/together-bot/together/core/operator"
	"go.uber.org/fx"
)

// Descriptor is one feature module.
type Descriptor struct {
	// Name is the module's stable id: used in --modules, /config, custom ids, logs and tables.
	Name string
	// Requires names modules that must run (and be on in a guild) for this one to work.
	Requires []string
	// Migrations holds NNN_description.sql files applied in version order, forward-only.
	Migrations fs.FS
	// Options provides the module's services and contributions. Build it with
	// fx.Module(Name, ...) and contribute with Contribute, Add and Collect.
	Options fx.Option
	// Operator lists the module's `app` subcommands (the runbook). They work
	// without a running bot, so they live here rather than in Options.
	Operator []operator.Command
}
