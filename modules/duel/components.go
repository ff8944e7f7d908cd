package duel

import (
	"fmt"
	"strconv"

	"github.com/disgoorg/disgo/discord"

	"github.com/together-bot/together/core/customid"
	"github.com/together-bot/together/core/interaction"
	"github.com/together-bot/together/core/usertext"
)

// handlers answers the module's commands, buttons, selects and modals.
type handlers struct{ s *Service }

func newHandlers(s *Service) *handlers { return &handlers{s: s} }

// components lists the buttons and selects (interaction.Components).
func (h *handlers) components() []interaction.Component {
	return []interaction.Component{
		interaction.Button(Name, actSubmit, h.openForm, roundArg, pairArg),
		{Module: Name, Action: actVote, Type: discord.ComponentTypeStringSelectMenu, Args: []customid.Arg{roundArg, pageArg},
			Values: interaction.Values{Min: 1, Max: 1, Each: labelValue}, Handle: h.vote},
		interaction.Button(Name, actBallot, h.ballot, roundArg, pageArg),
		interaction.Button(Name, actRules, h.text("duel.reply.rules"), duelArg),
		interaction.Button(Name, actHow, h.text("duel.reply.how"), duelArg),
		interaction.Button(Name, actRoom, h.room, duelArg),
		interaction.Button(Name, actMine, h.mine, duelArg),
	}
}

// modals lists the answer form (interaction.Modals).
func (h *handlers) modals() []interaction.Modal {
	return []interaction.Modal{{Module: Name, Action: actAnswer, Args: []customid.Arg{roundArg, pairArg}, Handle: h.answer}}
}

// openForm shows the answer form after the cheap checks, so a member learns
// "too late" or "not your pair" before typing. The form is prefilled with
// the pair's current answer.
func (h *handlers) openForm(c *interaction.Context, id customid.ID) error {
	roundID, pairID := id.Int64(0), id.Int64(1)
	r, current, err := h.s.answerForm(c, c.GuildID(), roundID, pairID, c.UserID())
	if err != nil {
		return err
	}
	formID, err := answerID(roundID, pairID)
	if err != nil {
		return err
	}
	input := discord.NewParagraphTextInput(answerInputID).WithMinLength(answerText.Min).WithMaxLength(answerText.Max).
		WithRequired(true).WithPlaceholder(usertext.Cut(oneLine(r.Prompt), 100))
	if current != "" {
		input = input.WithValue(current)
	}
	return c.Modal(discord.NewModalCreate(formID, usertext.Cut(c.T("duel.modal.title", "no", r.No), 45),
		discord.NewLabel(usertext.Cut(c.T("duel.modal.label"), 45), input)))
}

func (h *handlers) answer(c *interaction.Context, id customid.ID) error {
	roundID, pairID := id.Int64(0), id.Int64(1)
	data, _ := c.ModalData()
	res, err := h.s.submit(c, c.GuildID(), roundID, pairID, c.UserID(), data.Text(answerInputID))
	if err != nil {
		return err
	}
	key := "duel.reply.answer_saved"
	if res.Replaced {
		key = "duel.reply.answer_replaced"
	}
	return c.ReplyText(true, c.T(key, "deadline", timestamp(res.Round.AnswerDeadline, "R")))
}

func (h *handlers) vote(c *interaction.Context, id customid.ID) error {
	// The router checked: a string select with one value, a label number.
	ci, _ := c.ComponentInteraction()
	label, err := strconv.Atoi(ci.StringSelectMenuInteractionData().Values[0])
	if err != nil {
		return fmt.Errorf("duel vote: label: %w", err)
	}
	res, err := h.s.vote(c, c.GuildID(), id.Int64(0), c.UserID(), label)
	if err != nil {
		return err
	}
	key := map[voteOutcome]string{voteRecorded: "duel.reply.voted", voteChanged: "duel.reply.vote_changed",
		voteUnchanged: "duel.reply.vote_unchanged"}[res.Outcome]
	return c.ReplyText(true, c.T(key, "label", label))
}

// ballot shows one page of the full anonymous ballot privately: used when
// the board cannot show every answer in full or offer more than 25 in its
// select (Discord's limit). Paging edits the private message in place.
func (h *handlers) ballot(c *interaction.Context, id customid.ID) error {
	msg, err := h.s.ballotPage(c, c.Locale, c.GuildID(), id.Int64(0), int(id.Int64(1)), c.UserID())
	if err != nil {
		return err
	}
	if ci, ok := c.ComponentInteraction(); ok && ci.Message.Flags.Has(discord.MessageFlagEphemeral) {
		return c.UpdateMessage(discord.MessageUpdate{Embeds: &msg.Embeds, Components: &msg.Components})
	}
	return c.Reply(true, msg)
}

func (h *handlers) text(key string) func(*interaction.Context, customid.ID) error {
	return func(c *interaction.Context, _ customid.ID) error {
		return c.ReplyText(true, c.T(key, "min", minAnswerLen, "max", maxAnswerLen))
	}
}

func (h *handlers) room(c *interaction.Context, _ customid.ID) error {
	room, err := h.s.roomOf(c, c.GuildID(), c.UserID())
	if err != nil {
		return err
	}
	if room == 0 {
		return c.ReplyText(true, c.T("duel.reply.no_room"))
	}
	return c.ReplyText(true, c.T("duel.reply.your_room", "channel", channelMention(room)))
}

func (h *handlers) mine(c *interaction.Context, id customid.ID) error {
	ct, err := h.s.contributionOf(c, c.GuildID(), id.Int64(0), c.UserID())
	if err != nil {
		return err
	}
	return c.ReplyText(true, c.T("duel.reply.mine", "points", ct.Points, "answers", ct.Answers, "votes", ct.Votes))
}
