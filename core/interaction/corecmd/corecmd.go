// Package corecmd is the core's own commands (module "core", always on):
// /config, /setup and /admin.
package corecmd

import (
	"log/slog"
	"slices"
	"sort"

	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/disgo/rest"
	"go.uber.org/fx"

	"github.com/together-bot/together/core/config"
	"github.com/together-bot/together/core/customid"
	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/guild"
	"github.com/together-bot/together/core/i18n"
	"github.com/together-bot/together/core/interaction"
	"github.com/together-bot/together/core/module"
)

const mod = guild.CoreModule

// Deps are what the core commands need from the container.
type Deps struct {
	fx.In
	Guilds     *guild.Service
	Selection  module.Selection
	Bundle     *i18n.Bundle
	DB         *db.DB
	REST       rest.Rest
	Log        *slog.Logger
	Dashboards interaction.DashboardLister `optional:"true"`
	Config     *config.Config              `optional:"true"`
	Sections   module.Contributions[interaction.StatusSection]
	Settings   module.Contributions[interaction.Setting]
}

// Core implements the commands.
type Core struct {
	guilds  *guild.Service
	modules []string // deployed feature modules, sorted, without core
	req     guild.Requirements
	bundle  *i18n.Bundle
	db      *db.DB
	rest    rest.Rest
	log     *slog.Logger
	dash    interaction.DashboardLister
	defLoc  string
	// sections are modules' /admin status lines, sorted by module.
	sections []interaction.StatusSection
	// settings are modules' /config options, sorted by id.
	settings []interaction.Setting
}

// New builds the core commands.
func New(d Deps) *Core {
	c := &Core{guilds: d.Guilds, req: guild.RequirementsOf(d.Selection), bundle: d.Bundle, db: d.DB,
		rest: d.REST, log: d.Log, dash: d.Dashboards, sections: slices.Clone(d.Sections.Items)}
	sort.SliceStable(c.sections, func(i, j int) bool { return c.sections[i].Module < c.sections[j].Module })
	c.settings = slices.Clone(d.Settings.Items)
	sort.Slice(c.settings, func(i, j int) bool { return c.settings[i].ID() < c.settings[j].ID() })
	for _, m := range d.Selection.Names() {
		if m != mod {
			c.modules = append(c.modules, m)
		}
	}
	sort.Strings(c.modules)
	c.defLoc = i18n.EN
	if d.Config != nil && d.Config.DefaultLocale != "" {
		c.defLoc = d.Config.DefaultLocale
	}
	if c.log == nil {
		c.log = slog.Default()
	}
	return c
}

// Commands are contributed to interaction.Commands.
func (c *Core) Commands() []interaction.Command {
	return []interaction.Command{
		{Module: mod, Staff: true, Ephemeral: true, Definition: c.configDefinition(), Subcommands: c.configSubcommands()},
		{Module: mod, Staff: true, Ephemeral: true, Definition: c.setupDefinition(), Handle: c.handleSetup},
		{Module: mod, Staff: true, Ephemeral: true, Definition: c.adminDefinition(), Subcommands: c.adminSubcommands()},
	}
}

// Components are contributed to interaction.Components.
func (c *Core) Components() []interaction.Component {
	ps := c.guilds.Purposes()
	purposes := make([]string, len(ps))
	for i, p := range ps {
		purposes[i] = p.ID()
	}
	// A purpose whose module is no longer deployed, or a page outside the
	// checklist, is an out-of-date checklist: the router refuses it as such.
	// -1 and pageCount are the disabled paging buttons' ids at either end;
	// setupView clamps them.
	purposeArg := customid.OneOf("purpose", purposes...)
	pageArg := customid.Int("page", -1, pageCount(len(ps)))
	return []interaction.Component{
		{Module: mod, Action: actSetupRole, Staff: true, Type: discord.ComponentTypeRoleSelectMenu,
			Values: interaction.Values{Min: 0, Max: 1}, Handle: c.setupRole},
		{Module: mod, Action: actSetupLocale, Staff: true, Type: discord.ComponentTypeStringSelectMenu,
			Values: interaction.Values{Min: 1, Max: 1, Each: customid.OneOf("locale", setupLocales...)}, Handle: c.setupLocale},
		{Module: mod, Action: actSetupChannel, Staff: true, Type: discord.ComponentTypeChannelSelectMenu,
			Args: []customid.Arg{purposeArg, pageArg}, Values: interaction.Values{Min: 0, Max: 1}, Handle: c.setupChannel},
		{Module: mod, Action: actSetupPage, Staff: true, Type: discord.ComponentTypeButton,
			Args: []customid.Arg{pageArg}, Handle: c.setupPage},
		{Module: mod, Action: actSetupTest, Staff: true, Type: discord.ComponentTypeButton, Handle: c.setupTest},
	}
}

// purposeLabel is "<module> · <localized purpose name>".
func (c *Core) purposeLabel(locale string, p guild.ChannelPurpose) string {
	return p.Module + " · " + c.bundle.T(locale, p.NameKey)
}
