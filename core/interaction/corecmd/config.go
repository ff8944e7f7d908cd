package corecmd

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/disgoorg/disgo/discord"

	"github.com/together-bot/together/core/guild"
	"github.com/together-bot/together/core/i18n"
	"github.com/together-bot/together/core/interaction"
	"github.com/together-bot/together/core/refusal"
	"github.com/together-bot/together/core/usertext"
)

const maxChoices = 25

func (c *Core) configDefinition() discord.SlashCommandCreate {
	d := interaction.Describer{Bundle: c.bundle}
	var moduleChoices []discord.ApplicationCommandOptionChoiceString
	for _, m := range c.modules {
		if len(moduleChoices) < maxChoices {
			moduleChoices = append(moduleChoices, discord.ApplicationCommandOptionChoiceString{Name: m, Value: m})
		}
	}
	var purposeChoices []discord.ApplicationCommandOptionChoiceString
	if ps := c.guilds.Purposes(); len(ps) <= maxChoices {
		for _, p := range ps {
			purposeChoices = append(purposeChoices, discord.ApplicationCommandOptionChoiceString{
				Name: usertext.Cut(c.purposeLabel(i18n.EN, p), 100), Value: p.ID(),
				NameLocalizations: map[discord.Locale]string{discord.LocaleRussian: usertext.Cut(c.purposeLabel(i18n.RU, p), 100)},
			})
		}
	}
	var settingChoices []discord.ApplicationCommandOptionChoiceString
	for _, s := range c.settings {
		if len(settingChoices) < maxChoices {
			settingChoices = append(settingChoices, discord.ApplicationCommandOptionChoiceString{
				Name: usertext.Cut(s.ID()+" — "+c.bundle.T(i18n.EN, s.NameKey), 100), Value: s.ID(),
				NameLocalizations: map[discord.Locale]string{discord.LocaleRussian: usertext.Cut(s.ID()+" — "+c.bundle.T(i18n.RU, s.NameKey), 100)},
			})
		}
	}
	options := []discord.ApplicationCommandOption{}
	if len(settingChoices) > 0 {
		options = append(options, d.Sub("setting", "core.cmd.config.setting",
			d.Choices("name", "core.opt.setting", true, settingChoices...),
			d.String("value", "core.opt.setting_value", true, settingValueText.Min, settingValueText.Max)))
	}
	def := d.Slash("config", "core.cmd.config",
		d.Sub("show", "core.cmd.config.show"),
		d.Sub("module", "core.cmd.config.module",
			d.Choices("name", "core.opt.module", true, moduleChoices...),
			d.Bool("enabled", "core.opt.enabled", true)),
		d.Sub("channel", "core.cmd.config.channel",
			d.Choices("purpose", "core.opt.purpose", true, purposeChoices...),
			d.Channel("channel", "core.opt.channel", false,
				discord.ChannelTypeGuildText, discord.ChannelTypeGuildNews, discord.ChannelTypeGuildCategory)),
		d.Sub("moderator-role", "core.cmd.config.moderator_role", d.Role("role", "core.opt.role", false)),
		d.Sub("timezone", "core.cmd.config.timezone", d.String("zone", "core.opt.zone", false, zoneText.Min, zoneText.Max)),
		d.Sub("locale", "core.cmd.config.locale",
			d.Choices("value", "core.opt.locale", true,
				discord.ApplicationCommandOptionChoiceString{Name: "English", Value: i18n.EN},
				discord.ApplicationCommandOptionChoiceString{Name: "Русский", Value: i18n.RU},
				d.Choice("core.locale.auto", "auto"))))
	def.Options = append(def.Options, options...)
	return def
}

// The free text /config takes, under the one rule of core/usertext: a zone
// (blank clears it) and a module setting's value.
var (
	zoneText         = usertext.Field{Name: "zone", Min: 0, Max: 64}
	settingValueText = usertext.Field{Name: "value", Min: 1, Max: 64}
)

// configSubcommands answer /config's subcommands; "config setting" exists
// only where a module contributes a setting (configDefinition).
func (c *Core) configSubcommands() map[string]func(*interaction.Context) error {
	subs := map[string]func(*interaction.Context) error{
		"config show": func(ic *interaction.Context) error { return ic.ReplyLong(true, c.settingsReport(ic, ic.Settings)) },
		"config module": func(ic *interaction.Context) error {
			d, _ := ic.SlashData()
			return c.configModule(ic, d.String("name"), d.Bool("enabled"))
		},
		"config channel":        c.configChannel,
		"config moderator-role": c.configModeratorRole,
		"config timezone":       c.configTimezone,
		"config locale":         c.configLocale,
	}
	if len(c.settings) > 0 {
		subs["config setting"] = func(ic *interaction.Context) error {
			d, _ := ic.SlashData()
			value, err := settingValueText.Clean(d.String("value"))
			if err != nil {
				return err
			}
			return c.configSetting(ic, d.String("name"), value)
		}
	}
	return subs
}

// configChannel is /config channel: set or clear a purpose's channel.
func (c *Core) configChannel(ic *interaction.Context) error {
	d, _ := ic.SlashData()
	p, ok := c.guilds.Purpose(d.String("purpose"))
	if !ok {
		return refusal.New("core.config.unknown_purpose", "purpose", d.String("purpose"))
	}
	ch, set := d.OptChannel("channel")
	if !set {
		if err := c.guilds.SetChannel(ic, ic.GuildID(), ic.UserID(), p.ID(), 0); err != nil {
			return err
		}
		return ic.ReplyText(true, ic.T("core.config.channel_cleared", "purpose", c.purposeLabel(ic.Locale, p)))
	}
	if !kindMatches(p.Kind, ch.Type) {
		return refusal.New("core.config.channel_wrong_kind", "purpose", c.purposeLabel(ic.Locale, p), "kind", ic.T(kindKey(p.Kind)))
	}
	if err := c.guilds.SetChannel(ic, ic.GuildID(), ic.UserID(), p.ID(), uint64(ch.ID)); err != nil {
		return err
	}
	return ic.ReplyText(true, ic.T("core.config.channel_set", "purpose", c.purposeLabel(ic.Locale, p), "channel", fmt.Sprintf("<#%d>", ch.ID)))
}

// configModeratorRole is /config moderator-role: set or clear the role.
func (c *Core) configModeratorRole(ic *interaction.Context) error {
	d, _ := ic.SlashData()
	role, set := d.OptRole("role")
	var id uint64
	if set {
		id = uint64(role.ID)
	}
	if err := c.guilds.SetModeratorRole(ic, ic.GuildID(), ic.UserID(), id); err != nil {
		return err
	}
	if id == 0 {
		return ic.ReplyText(true, ic.T("core.config.role_cleared"))
	}
	return ic.ReplyText(true, ic.T("core.config.role_set", "role", fmt.Sprintf("<@&%d>", id)))
}

// configTimezone is /config timezone: set or clear the guild's zone.
func (c *Core) configTimezone(ic *interaction.Context) error {
	d, _ := ic.SlashData()
	zone, err := zoneText.Clean(d.String("zone"))
	if err != nil {
		return err
	}
	if err := c.guilds.SetTimezone(ic, ic.GuildID(), ic.UserID(), zone); err != nil {
		if errors.Is(err, guild.ErrBadTimezone) {
			return refusal.New("core.config.bad_timezone", "zone", shorten(zone, 40))
		}
		return err
	}
	if zone == "" {
		return ic.ReplyText(true, ic.T("core.config.timezone_cleared"))
	}
	return ic.ReplyText(true, ic.T("core.config.timezone_set", "zone", zone))
}

// configLocale is /config locale: set the guild's language, or "auto".
func (c *Core) configLocale(ic *interaction.Context) error {
	d, _ := ic.SlashData()
	v := d.String("value")
	if v == "auto" {
		v = ""
	}
	if err := c.guilds.SetLocale(ic, ic.GuildID(), ic.UserID(), v); err != nil {
		if errors.Is(err, guild.ErrBadLocale) {
			return refusal.New("core.config.bad_locale")
		}
		return err
	}
	// Answer in the language just chosen.
	newLoc := i18n.Resolve(v, guildLocaleOf(ic), c.defLoc)
	return ic.ReplyText(true, c.bundle.T(newLoc, "core.config.locale_set", "locale", localeName(c, newLoc, v)))
}

func (c *Core) configModule(ic *interaction.Context, name string, on bool) error {
	if name == mod {
		return refusal.New("core.config.core_always_on")
	}
	if !contains(c.modules, name) {
		return refusal.New("core.config.unknown_module", "module", name, "modules", strings.Join(c.modules, ", "))
	}
	st, err := c.guilds.Settings(ic, ic.GuildID())
	if err != nil {
		return err
	}
	plan, err := guild.PlanModuleChange(c.req, st, name, on)
	var dep *guild.DependentsError
	if errors.As(err, &dep) {
		return refusal.New("core.config.module_required_by", "module", name, "dependents", strings.Join(dep.Dependents, ", "))
	}
	if err != nil {
		return err
	}
	if err := c.guilds.SetModules(ic, ic.GuildID(), ic.UserID(), plan.Switches); err != nil {
		return err
	}
	key := "core.config.module_off"
	if on {
		key = "core.config.module_on"
	}
	text := ic.T(key, "module", name)
	if len(plan.AlsoEnabled) > 0 {
		text += "\n" + ic.T("core.config.module_also_on", "modules", strings.Join(plan.AlsoEnabled, ", "), "module", name)
	}
	return ic.ReplyText(true, text)
}

// settingsReport is /config show.
func (c *Core) settingsReport(ic *interaction.Context, st guild.Settings) string {
	var b strings.Builder
	fmt.Fprintf(&b, "## %s\n", ic.T("core.config.title"))
	locale := ic.T("core.locale.auto") + " → " + ic.Locale
	if st.Locale != "" {
		locale = localeName(c, ic.Locale, st.Locale)
	}
	fmt.Fprintf(&b, "%s: %s\n", ic.T("core.label.locale"), locale)
	tz := ic.T("core.value.default")
	if st.Timezone != "" {
		tz = st.Timezone
	}
	fmt.Fprintf(&b, "%s: %s\n", ic.T("core.label.timezone"), tz)
	role := ic.T("core.value.not_set")
	if st.ModeratorRoleID != 0 {
		role = fmt.Sprintf("<@&%d>", st.ModeratorRoleID)
	}
	fmt.Fprintf(&b, "%s: %s\n", ic.T("core.label.moderator_role"), role)
	fmt.Fprintf(&b, "\n**%s**\n", ic.T("core.label.modules"))
	for _, m := range c.modules {
		state := "✅ " + ic.T("core.value.on")
		if !st.ModuleOn(m) {
			state = "⛔ " + ic.T("core.value.off")
		}
		fmt.Fprintf(&b, "%s: %s\n", m, state)
	}
	if len(c.settings) > 0 {
		fmt.Fprintf(&b, "\n**%s**\n", ic.T("core.label.settings"))
		for _, s := range c.settings {
			v, err := s.Get(ic, st.GuildID)
			if err != nil {
				v = "?"
				c.log.Warn("read module setting", "setting", s.ID(), "guild_id", st.GuildID, "error", err)
			}
			fmt.Fprintf(&b, "%s (`%s`): %s\n", ic.T(s.NameKey), s.ID(), v)
		}
	}
	if ps := c.guilds.Purposes(); len(ps) > 0 {
		fmt.Fprintf(&b, "\n**%s**\n", ic.T("core.label.channels"))
		for _, p := range ps {
			b.WriteString(c.purposeLine(ic, st, p) + "\n")
		}
	}
	return b.String()
}

func (c *Core) purposeLine(ic *interaction.Context, st guild.Settings, p guild.ChannelPurpose) string {
	if id, ok := st.Channel(p.Module, p.Key); ok {
		return fmt.Sprintf("✅ %s: <#%d>", c.purposeLabel(ic.Locale, p), id)
	}
	mark := "⬜"
	if p.Required && st.ModuleOn(p.Module) {
		mark = "⚠️"
	}
	return fmt.Sprintf("%s %s: %s", mark, c.purposeLabel(ic.Locale, p), ic.T("core.value.not_set"))
}

func kindMatches(k guild.ChannelKind, t discord.ChannelType) bool {
	if k == guild.Category {
		return t == discord.ChannelTypeGuildCategory
	}
	return t == discord.ChannelTypeGuildText || t == discord.ChannelTypeGuildNews
}

func kindKey(k guild.ChannelKind) string {
	if k == guild.Category {
		return "core.kind.category"
	}
	return "core.kind.text"
}

func channelTypesFor(k guild.ChannelKind) []discord.ChannelType {
	if k == guild.Category {
		return []discord.ChannelType{discord.ChannelTypeGuildCategory}
	}
	return []discord.ChannelType{discord.ChannelTypeGuildText, discord.ChannelTypeGuildNews}
}

func localeName(c *Core, in, l string) string {
	switch l {
	case i18n.EN:
		return "English"
	case i18n.RU:
		return "Русский"
	}
	return c.bundle.T(in, "core.locale.auto")
}

func guildLocaleOf(ic *interaction.Context) string {
	if l := ic.Interaction.GuildLocale(); l != nil {
		return string(*l)
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// configSetting changes one module setting after checking the value.
func (c *Core) configSetting(ic *interaction.Context, id, value string) error {
	i := slices.IndexFunc(c.settings, func(s interaction.Setting) bool { return s.ID() == id })
	if i < 0 {
		return refusal.New("core.config.unknown_setting", "setting", id)
	}
	s := c.settings[i]
	if err := ic.Settings.RequireModule(s.Module); err != nil {
		return err
	}
	if len(s.Values) > 0 && !slices.Contains(s.Values, value) {
		return refusal.New("core.config.bad_setting_value", "setting", id, "value", value, "values", strings.Join(s.Values, ", "))
	}
	if err := s.Set(ic, ic.GuildID(), ic.UserID(), value); err != nil {
		return err
	}
	return ic.ReplyText(true, ic.T("core.config.setting_set", "setting", ic.T(s.NameKey), "value", value))
}

// shorten cuts what a user typed before it is echoed back, so a 300-character
// bogus value does not fill the reply.
func shorten(s string, max int) string {
	r := []rune(s)
	if len(r) <= max {
		return s
	}
	return string(r[:max-1]) + "…"
}
