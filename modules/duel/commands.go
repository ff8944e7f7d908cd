package duel

import (
	"github.com/disgoorg/disgo/discord"

	"github.com/together-bot/together/core/interaction"
	"github.com/together-bot/together/core/usertext"
)

// command is /duel (interaction.Commands). Every subcommand is staff-only;
// members take part through buttons, the form and the ballot.
func (h *handlers) command() interaction.Command {
	d := interaction.Describer{Bundle: h.s.Bundle}
	return interaction.Command{
		Module: Name, Staff: true, Ephemeral: true,
		Definition: d.Slash("duel", "duel.cmd.duel",
			d.Sub("start", "duel.cmd.start",
				d.Channel("channel", "duel.cmd.opt.channel", true, discord.ChannelTypeGuildText),
				d.String("title", "duel.cmd.opt.title", false, 1, titleText.Max)),
			d.Group("round", "duel.cmd.round",
				d.Sub("start", "duel.cmd.round_start",
					d.String("prompt", "duel.cmd.opt.prompt", true, promptText.Min, promptText.Max),
					d.Int("duration_minutes", "duel.cmd.opt.duration", true, minRoundMinutes, maxRoundMinutes),
					d.Int("vote_minutes", "duel.cmd.opt.vote", false, 0, maxVoteMinutes)),
				d.Sub("close-answers", "duel.cmd.round_close_answers"),
				d.Sub("cancel", "duel.cmd.round_cancel")),
			d.Sub("end", "duel.cmd.end"),
			d.Sub("status", "duel.cmd.status"),
			d.Sub("remove", "duel.cmd.remove",
				d.User("member", "duel.cmd.opt.member", false),
				d.Int("number", "duel.cmd.opt.number", false, 1, 100000))),
		Subcommands: map[string]func(*interaction.Context) error{
			"duel start": h.start, "duel round start": h.roundStart, "duel round close-answers": h.closeAnswers,
			"duel round cancel": h.cancelRound, "duel end": h.end, "duel status": h.status, "duel remove": h.remove,
		},
	}
}

// cancelRound is /duel round cancel.
func (h *handlers) cancelRound(c *interaction.Context) error {
	r, err := h.s.cancelRound(c, c.GuildID(), c.UserID())
	if err != nil {
		return err
	}
	return c.ReplyText(true, c.T("duel.reply.round_cancelled", "no", r.No))
}

func (h *handlers) start(c *interaction.Context) error {
	d, _ := c.SlashData()
	ch := d.Channel("channel")
	du, err := h.s.startDuel(c, c.GuildID(), uint64(ch.ID), c.UserID(), d.String("title"))
	if err != nil {
		return err
	}
	return c.ReplyText(true, c.T("duel.reply.started", "title", du.Title, "channel", channelMention(du.ChannelID)))
}

func (h *handlers) roundStart(c *interaction.Context) error {
	d, _ := c.SlashData()
	minutes := d.Int("duration_minutes")
	if minutes < minRoundMinutes || minutes > maxRoundMinutes {
		return badInput("duration_minutes", minRoundMinutes, maxRoundMinutes)
	}
	vote, ok := d.OptInt("vote_minutes")
	if !ok {
		vote = defVoteMinutes
	}
	res, err := h.s.startRound(c, c.GuildID(), c.UserID(), roundSpec{Prompt: d.String("prompt"),
		AnswerDuration: minuteDuration(minutes), VoteMinutes: vote})
	if err != nil {
		return err
	}
	return c.ReplyText(true, c.T("duel.reply.round_started", "no", res.Round.No, "rooms", res.Rooms,
		"no_room", res.NoRoom, "deadline", timestamp(res.Round.AnswerDeadline, "R")))
}

func (h *handlers) closeAnswers(c *interaction.Context) error {
	r, out, err := h.s.closeAnswers(c, c.GuildID(), c.UserID())
	if err != nil {
		return err
	}
	if out == outcomeVoting && r.VoteDeadline != nil {
		return c.ReplyText(true, c.T("duel.reply.answers_closed_voting", "no", r.No,
			"deadline", timestamp(*r.VoteDeadline, "f"), "relative", timestamp(*r.VoteDeadline, "R")))
	}
	return c.ReplyText(true, c.T("duel.reply.answers_closed_scored", "no", r.No))
}

func (h *handlers) end(c *interaction.Context) error {
	res, err := h.s.endDuel(c, c.GuildID(), c.UserID())
	if err != nil {
		return err
	}
	text := c.T("duel.reply.ended", "title", res.Duel.Title)
	if res.Scored != nil {
		text += "\n" + c.T("duel.reply.ended_scored", "no", res.Scored.No)
	}
	return c.ReplyText(true, text)
}

func (h *handlers) remove(c *interaction.Context) error {
	d, _ := c.SlashData()
	t := removeTarget{}
	if u, ok := d.OptUser("member"); ok {
		t.Member = uint64(u.ID)
	}
	if n, ok := d.OptInt("number"); ok {
		t.Label = n
	}
	if t.Member == 0 && t.Label == 0 {
		return ErrRemoveTarget
	}
	a, err := h.s.removeAnswer(c, c.GuildID(), c.UserID(), t)
	if err != nil {
		return err
	}
	return c.ReplyText(true, c.T("duel.reply.removed", "pair", a.PairID, "answer", usertext.Cut(oneLine(a.Text), 200)))
}
