package raid

import (
	"github.com/disgoorg/disgo/discord"

	"github.com/together-bot/together/core/interaction"
	"github.com/together-bot/together/core/refusal"
)

// Command is /raid (point interaction.Commands). Members use /raid quests, so the
// command is not Staff as a whole; start and end check staff at run time.
func (h *handlers) Command() interaction.Command {
	d := interaction.Describer{Bundle: h.s.Bundle}
	return interaction.Command{
		Module: Name, Ephemeral: true,
		Definition: d.Slash("raid", "raid.cmd.raid",
			d.Sub("quests", "raid.cmd.quests"),
			d.Sub("start", "raid.cmd.start",
				d.Channel("channel", "raid.cmd.opt.channel", false, discord.ChannelTypeGuildText),
				d.Int("goal", "raid.cmd.opt.goal", false, 1, maxGoal)),
			d.Sub("end", "raid.cmd.end")),
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
