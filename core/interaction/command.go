package interaction

import (
	"fmt"
	"slices"

	"github.com/disgoorg/disgo/discord"
)

// validate checks that the command is named and handled once: by Handle, or
// by Subcommands covering exactly the paths of its Definition.
func (c Command) validate() error {
	name := c.Definition.Name
	if name == "" || c.Module == "" || (c.Handle == nil) == (c.Subcommands == nil) {
		return fmt.Errorf("command %q of module %q: name, module and one of Handle or Subcommands are required", name, c.Module)
	}
	if c.Subcommands == nil {
		return nil
	}
	paths := subcommandPaths(c.Definition)
	for _, p := range paths {
		if c.Subcommands[p] == nil {
			return fmt.Errorf("command /%s of module %q: no handler for %q", name, c.Module, p)
		}
	}
	for p := range c.Subcommands {
		if !slices.Contains(paths, p) {
			return fmt.Errorf("command /%s of module %q: handler for %q, which Definition does not declare", name, c.Module, p)
		}
	}
	return nil
}

// subcommandPaths are the command paths a definition can be run as
// ("pair create", "duel round start"), as Context.CommandPath spells them.
func subcommandPaths(d discord.SlashCommandCreate) []string {
	var out []string
	for _, o := range d.Options {
		switch o := o.(type) {
		case discord.ApplicationCommandOptionSubCommand:
			out = append(out, d.Name+" "+o.Name)
		case discord.ApplicationCommandOptionSubCommandGroup:
			for _, s := range o.Options {
				out = append(out, d.Name+" "+o.Name+" "+s.Name)
			}
		}
	}
	return out
}

// run is the handler of the command's path.
func (c Command) run(ctx *Context) error {
	if c.Subcommands == nil {
		return c.Handle(ctx)
	}
	h, ok := c.Subcommands[ctx.CommandPath()]
	if !ok {
		return ErrUnknownAction
	}
	return h(ctx)
}
