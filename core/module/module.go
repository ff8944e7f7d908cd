// Package module defines what a feature module is and resolves which modules a
// deployment runs.
//
// A module is a Descriptor: a name, the modules it needs, its embedded SQL
// migrations, and one fx.Option that provides its services and contributes to the
// core's value groups (commands, components, jobs, schedules, renderers, and other
// modules' extension points). Everything static lives on the Descriptor so that
// operator commands (`app migrate`, `app jobs kinds`) work without starting a bot.
package module

import (
	"io/fs"

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
	// Options provides the module's services and contributions. Build it with fx.Module(Name, ...).
	Options fx.Option
}
