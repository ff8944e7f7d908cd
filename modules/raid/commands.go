package raid

import (
	"github.com/disgoorg/disgo/discord"

	"github.com/together-bot/together/core/i18n"
	"github.com/together-bot/together/core/interaction"
	"github.com/together-bot/together/core/refusal"
)

func intPtr(v int) *int { return &v }

// Command is /raid (point interaction.Commands). Members use /raid quests, so the
// command is not Staff as a whole; start and end check staff at run time.
func (h *handlers) Command() interaction.Command {
	b := h.s.Bundle
	desc := func(key string) (string, map[discord.Locale]string) { return b.T(i18n.EN, key), b.Localizations(key) }
	sub := func(name, key string, opts ...discord.ApplicationCommandOption) discord.ApplicationCommandOptionSubCommand {
		d, l := desc(key)
		return discord.ApplicationCommandOptionSubCommand{Name: name, Description: d, DescriptionLocalizations: l, Options: opts}
	}
	chDesc, chLoc := desc("raid.cmd.opt.channel")
	goalDesc, goalLoc := desc("raid.cmd.opt.goal")
	cmdDesc, cmdLoc := desc("raid.cmd.raid")
	return interaction.Command{
		Module: Name, Ephemeral: true,
		Definition: discord.SlashCommandCreate{
			Name: "raid", Description: cmdDesc, DescriptionLocalizations: cmdLoc,
			Options: []discord.ApplicationCommandOption{
				sub("quests", "raid.cmd.quests"),
				sub("start", "raid.cmd.start",
					discord.ApplicationCommandOptionChannel{Name: "channel", Description: chDesc, DescriptionLocalizations: chLoc,
						ChannelTypes: []discord.ChannelType{discord.ChannelTypeGuildText}},
					discord.ApplicationCommandOptionInt{Name: "goal", Description: goalDesc, DescriptionLocalizations: goalLoc,
						MinValue: intPtr(1), MaxValue: intPtr(maxGoal)}),
				sub("end", "raid.cmd.end"),
			},
		},
		Handle: h.handleCommand,
	}
}

func (h *handlers) handleCommand(c *interaction.Context) error {
	switch c.CommandPath() {
	case "raid quests":
		return h.showToday(c)
	case "raid start":
		if !c.IsStaff() {
			return refusal.New("core.error.staff_only")
		}
		return h.start(c)
	case "raid end":
		if !c.IsStaff() {
			return refusal.New("core.error.staff_only")
		}
		r, err := h.s.EndRaid(c, c.GuildID(), c.UserID())
		if err != nil {
			return err
		}
		return c.ReplyText(true, c.T("raid.reply.ended", "progress", r.Progress, "goal", r.Goal))
	}
	return refusal.New("core.error.unknown_action")
}

func (h *handlers) start(c *interaction.Context) error {
	d, _ := c.SlashData()
	spec := startSpec{GuildID: c.GuildID(), By: c.UserID()}
	if ch, ok := d.OptChannel("channel"); ok {
		spec.ChannelID = uint64(ch.ID)
	}
	if g, ok := d.OptInt("goal"); ok {
		spec.Goal = g
	}
	r, err := h.s.StartRaid(c, spec)
	if err != nil {
		return err
	}
	return c.ReplyText(true, c.T("raid.reply.started", "goal", r.Goal, "channel", channelMention(r.ChannelID),
		"end", timestamp(r.EndsAt, "f")))
}
