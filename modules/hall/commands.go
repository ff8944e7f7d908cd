package hall

import (
	"context"
	"strings"

	"github.com/disgoorg/disgo/discord"

	"github.com/together-bot/together/core/interaction"
)

// maxChoices is Discord's limit of choices per option.
const maxChoices = 25

// command is /hall (interaction.Commands): any member, ephemeral. The
// category choices are the categories deployed in this process.
func (s *Service) command() interaction.Command {
	d := interaction.Describer{Bundle: s.Bundle}
	choices := []discord.ApplicationCommandOptionChoiceString{d.Choice("hall.choice.all", choiceAll)}
	for _, c := range s.categories {
		if len(choices) == maxChoices {
			break // Discord's limit; "all" still covers the rest
		}
		choices = append(choices, d.Choice(c.NameKey, c.Key))
	}
	category := d.Choices("category", "hall.cmd.opt.category", true, choices...)
	return interaction.Command{
		Module: Name, Ephemeral: true,
		Definition: d.Slash("hall", "hall.cmd.hall",
			d.Sub("optin", "hall.cmd.optin", category),
			d.Sub("optout", "hall.cmd.optout", category),
			d.Sub("status", "hall.cmd.status")),
		Subcommands: map[string]func(*interaction.Context) error{
			"hall optin": s.consentCommand(s.OptIn), "hall optout": s.consentCommand(s.OptOut),
			"hall status": func(c *interaction.Context) error { return s.replyStatus(c, "") },
		},
	}
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
