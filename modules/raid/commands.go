package raid

import (
	"github.com/disgoorg/disgo/discord"

	"github.com/together-bot/together/core/interaction"
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
		Subcommands: map[string]func(*interaction.Context) error{
			"raid quests": h.showToday, "raid start": staffOnly(h.start), "raid end": staffOnly(h.end),
		},
	}
}

// staffOnly runs handle for staff and refuses members: /raid is open to
// members for quests, its start and end are not.
func staffOnly(handle func(*interaction.Context) error) func(*interaction.Context) error {
	return func(c *interaction.Context) error {
		if !c.IsStaff() {
			return interaction.ErrStaffOnly
		}
		return handle(c)
	}
}

// end is /raid end.
func (h *handlers) end(c *interaction.Context) error {
	r, err := h.s.EndRaid(c, c.GuildID(), c.UserID())
	if err != nil {
		return err
	}
	return c.ReplyText(true, c.T("raid.reply.ended", "progress", r.Progress, "goal", r.Goal))
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
