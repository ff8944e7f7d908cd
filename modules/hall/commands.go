package hall

import (
	"context"
	"strings"

	"github.com/disgoorg/disgo/discord"

	"github.com/together-bot/together/core/i18n"
	"github.com/together-bot/together/core/interaction"
)

// maxChoices is Discord's limit of choices per option.
const maxChoices = 25

// command is /hall (interaction.Commands): any member, ephemeral. The
// category choices are the categories deployed in this process.
func (s *Service) command() interaction.Command {
	b := s.Bundle
	desc := func(key string) (string, map[discord.Locale]string) { return b.T(i18n.EN, key), b.Localizations(key) }
	choices := []discord.ApplicationCommandOptionChoiceString{s.choice("hall.choice.all", choiceAll)}
	for _, c := range s.categories {
		if len(choices) == maxChoices {
			break // Discord's limit; "all" still covers the rest
		}
		choices = append(choices, s.choice(c.NameKey, c.Key))
	}
	catDesc, catLoc := desc("hall.cmd.opt.category")
	category := discord.ApplicationCommandOptionString{Name: "category", Description: catDesc,
		DescriptionLocalizations: catLoc, Required: true, Choices: choices}
	sub := func(name, key string, opts ...discord.ApplicationCommandOption) discord.ApplicationCommandOptionSubCommand {
		d, l := desc(key)
		return discord.ApplicationCommandOptionSubCommand{Name: name, Description: d, DescriptionLocalizations: l, Options: opts}
	}
	d, l := desc("hall.cmd.hall")
	return interaction.Command{
		Module: Name, Ephemeral: true,
		Definition: discord.SlashCommandCreate{Name: "hall", Description: d, DescriptionLocalizations: l,
			Options: []discord.ApplicationCommandOption{
				sub("optin", "hall.cmd.optin", category),
				sub("optout", "hall.cmd.optout", category),
				sub("status", "hall.cmd.status"),
			}},
		Subcommands: map[string]func(*interaction.Context) error{
			"hall optin": s.consentCommand(s.OptIn), "hall optout": s.consentCommand(s.OptOut),
			"hall status": func(c *interaction.Context) error { return s.replyStatus(c, "") },
		},
	}
}

// choice is a localized option; Discord allows 100 characters per name.
func (s *Service) choice(nameKey, value string) discord.ApplicationCommandOptionChoiceString {
	name := s.Bundle.T(i18n.EN, nameKey)
	loc := s.Bundle.Localizations(nameKey)
	for k, v := range loc {
		loc[k] = clip(v, 100)
	}
	return discord.ApplicationCommandOptionChoiceString{Name: clip(name, 100), NameLocalizations: loc, Value: value}
}

func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

// consentCommand is /hall optin or optout: change, then show the member
// where they stand.
func (s *Service) consentCommand(change func(ctx context.Context, guildID, userID uint64, choice string) error) func(*interaction.Context) error {
	return func(c *interaction.Context) error {
		d, _ := c.SlashData()
		if err := change(c, c.GuildID(), c.UserID(), d.String("category")); err != nil {
			return err
		}
		return s.replyStatus(c, c.T("hall.reply.updated")+"\n")
	}
}

// replyStatus answers with the member's consent per category, after lead.
func (s *Service) replyStatus(c *interaction.Context, lead string) error {
	st, err := s.Status(c, c.GuildID(), c.UserID())
	if err != nil {
		return err
	}
	return c.ReplyText(true, lead+s.statusText(c, st))
}

// statusText lists the member's consent per category, the partner's, and
// the rule that both are needed.
func (s *Service) statusText(c *interaction.Context, st []CategoryStatus) string {
	if len(st) == 0 {
		return c.T("hall.reply.no_categories")
	}
	yes := func(b bool) string {
		if b {
			return c.T("hall.reply.in")
		}
		return c.T("hall.reply.out")
	}
	lines := make([]string, 0, len(st)+1)
	for _, cs := range st {
		line := c.T("hall.reply.line", "category", c.T(cs.Category.NameKey), "state", yes(cs.Mine))
		if cs.HasPair {
			line += " · " + c.T("hall.reply.partner", "state", yes(cs.Partner))
		}
		if !cs.On {
			line += " · " + c.T("hall.reply.off")
		}
		lines = append(lines, line)
	}
	lines = append(lines, c.T("hall.reply.rule"))
	return strings.Join(lines, "\n")
}
