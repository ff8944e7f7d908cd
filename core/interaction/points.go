package interaction

import "github.com/together-bot/together/core/module"

// The interaction layer's extension points. A module contributes with
// module.Contribute or module.Add; interactionfx collects them.
var (
	// Commands are slash commands.
	Commands = module.NewPoint[Command]("commands")
	// Components are button and select handlers.
	Components = module.NewPoint[Component]("components")
	// Modals are modal-submit handlers.
	Modals = module.NewPoint[Modal]("modals")
	// Settings are per-guild options under /config setting.
	Settings = module.NewPoint[Setting]("settings")
	// StatusSections are a module's lines in /admin status.
	StatusSections = module.NewPoint[StatusSection]("status sections")
)
