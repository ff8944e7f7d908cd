package interaction

import (
	"github.com/disgoorg/disgo/discord"

	"github.com/together-bot/together/core/i18n"
	"github.com/together-bot/together/core/usertext"
)

// MaxInteger is the largest value Discord accepts in an integer option.
const MaxInteger = 1<<53 - 1

// Describer builds a slash command's definition from catalog keys: each
// name's description in English, with its translations so Discord shows the
// member's language.
type Describer struct{ Bundle *i18n.Bundle }

func (d Describer) describe(key string) (string, map[discord.Locale]string) {
	return d.Bundle.T(i18n.EN, key), d.Bundle.Localizations(key)
}

// Slash is a top-level command.
func (d Describer) Slash(name, key string, opts ...discord.ApplicationCommandOption) discord.SlashCommandCreate {
	desc, loc := d.describe(key)
	return discord.SlashCommandCreate{Name: name, Description: desc, DescriptionLocalizations: loc, Options: opts}
}

// Sub is a subcommand.
func (d Describer) Sub(name, key string, opts ...discord.ApplicationCommandOption) discord.ApplicationCommandOptionSubCommand {
	desc, loc := d.describe(key)
	return discord.ApplicationCommandOptionSubCommand{Name: name, Description: desc, DescriptionLocalizations: loc, Options: opts}
}

// Group is a group of subcommands.
func (d Describer) Group(name, key string, subs ...discord.ApplicationCommandOptionSubCommand) discord.ApplicationCommandOptionSubCommandGroup {
	desc, loc := d.describe(key)
	return discord.ApplicationCommandOptionSubCommandGroup{Name: name, Description: desc, DescriptionLocalizations: loc, Options: subs}
}

// String is a text option of minLen to maxLen characters.
func (d Describer) String(name, key string, required bool, minLen, maxLen int) discord.ApplicationCommandOptionString {
	desc, loc := d.describe(key)
	return discord.ApplicationCommandOptionString{Name: name, Description: desc, DescriptionLocalizations: loc,
		Required: required, MinLength: &minLen, MaxLength: &maxLen}
}

// Int is an integer option from minV to maxV (MaxInteger: as large as
// Discord allows).
func (d Describer) Int(name, key string, required bool, minV, maxV int) discord.ApplicationCommandOptionInt {
	desc, loc := d.describe(key)
	return discord.ApplicationCommandOptionInt{Name: name, Description: desc, DescriptionLocalizations: loc,
		Required: required, MinValue: &minV, MaxValue: &maxV}
}

// Channel is a channel option limited to the given types.
func (d Describer) Channel(name, key string, required bool, types ...discord.ChannelType) discord.ApplicationCommandOptionChannel {
	desc, loc := d.describe(key)
	return discord.ApplicationCommandOptionChannel{Name: name, Description: desc, DescriptionLocalizations: loc,
		Required: required, ChannelTypes: types}
}

// User is a member option.
func (d Describer) User(name, key string, required bool) discord.ApplicationCommandOptionUser {
	desc, loc := d.describe(key)
	return discord.ApplicationCommandOptionUser{Name: name, Description: desc, DescriptionLocalizations: loc, Required: required}
}

// Role is a role option.
func (d Describer) Role(name, key string, required bool) discord.ApplicationCommandOptionRole {
	desc, loc := d.describe(key)
	return discord.ApplicationCommandOptionRole{Name: name, Description: desc, DescriptionLocalizations: loc, Required: required}
}

// Bool is a true/false option.
func (d Describer) Bool(name, key string, required bool) discord.ApplicationCommandOptionBool {
	desc, loc := d.describe(key)
	return discord.ApplicationCommandOptionBool{Name: name, Description: desc, DescriptionLocalizations: loc, Required: required}
}

// Choices is a text option whose value is one of choices.
func (d Describer) Choices(name, key string, required bool, choices ...discord.ApplicationCommandOptionChoiceString) discord.ApplicationCommandOptionString {
	desc, loc := d.describe(key)
	return discord.ApplicationCommandOptionString{Name: name, Description: desc, DescriptionLocalizations: loc,
		Required: required, Choices: choices}
}

// maxChoiceName is Discord's limit for a choice's name, in characters.
const maxChoiceName = 100

// Choice is one choice of a Choices option, named by key in every language
// (cut to Discord's 100 characters: a catalog text may be longer).
func (d Describer) Choice(key, value string) discord.ApplicationCommandOptionChoiceString {
	loc := d.Bundle.Localizations(key)
	for k, v := range loc {
		loc[k] = usertext.Cut(v, maxChoiceName)
	}
	return discord.ApplicationCommandOptionChoiceString{Name: usertext.Cut(d.Bundle.T(i18n.EN, key), maxChoiceName), NameLocalizations: loc, Value: value}
}
