package duel

import (
	"strconv"

	"github.com/disgoorg/disgo/discord"

	"github.com/together-bot/together/core/customid"
	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/interaction"
	"github.com/together-bot/together/core/refusal"
)

// Handlers answers the module's commands, buttons, selects and modals.
type Handlers struct{ s *Service }

// NewHandlers wraps the service.
func NewHandlers(s *Service) *Handlers { return &Handlers{s: s} }

// Components lists the buttons and selects (fx group "components").
func (h *Handlers) Components() []interaction.Component {
	return []interaction.Component{
		{Module: Name, Action: actSubmit, Handle: h.openForm},
		{Module: Name, Action: actVote, Handle: h.vote},
		{Module: Name, Action: actBallot, Handle: h.ballot},
		{Module: Name, Action: actRules, Handle: h.text("duel.reply.rules")},
		{Module: Name, Action: actHow, Handle: h.text("duel.reply.how")},
		{Module: Name, Action: actRoom, Handle: h.room},
		{Module: Name, Action: actMine, Handle: h.mine},
	}
}

// Modals lists the answer form (fx group "modals").
func (h *Handlers) Modals() []interaction.Modal {
	return []interaction.Modal{{Module: Name, Action: actAnswer, Handle: h.answer}}
}

// openForm shows the answer form after the cheap checks, so a member learns
// "too late" or "not your pair" before typing. The form is prefilled with
// the pair's current answer.
func (h *Handlers) openForm(c *interaction.Context, id customid.ID) error {
	roundID, err := idArg(id, 0)
	if err != nil {
		return err
	}
	pairID, err := idArg(id, 1)
	if err != nil {
		return err
	}
	r, err := h.s.CheckCanAnswer(c, c.GuildID(), roundID, pairID, c.UserID())
	if err != nil {
		return asRefusal(err)
	}
	var current string
	if err := h.s.db.Bun.QueryRowContext(c, `SELECT answer FROM duel_answers WHERE round_id = ? AND pair_id = ?`,
		roundID, pairID).Scan(&current); err != nil && !db.IsNoRows(err) {
		return err
	}
	formID, err := answerID(roundID, pairID)
	if err != nil {
		return err
	}
	input := discord.NewParagraphTextInput(answerInputID).WithMinLength(MinAnswerLen).WithMaxLength(MaxAnswerLen).
		WithRequired(true).WithPlaceholder(truncate(oneLine(r.Prompt), 100))
	if current != "" {
		input = input.WithValue(current)
	}
	return c.Modal(discord.NewModalCreate(formID, truncate(c.T("duel.modal.title", "no", r.No), 45),
		discord.NewLabel(truncate(c.T("duel.modal.label"), 45), input)))
}

func (h *Handlers) answer(c *interaction.Context, id customid.ID) error {
	roundID, err := idArg(id, 0)
	if err != nil {
		return err
	}
	pairID, err := idArg(id, 1)
	if err != nil {
		return err
	}
	data, _ := c.ModalData()
	res, err := h.s.Submit(c, c.GuildID(), roundID, pairID, c.UserID(), data.Text(answerInputID))
	if err != nil {
		return asRefusal(err)
	}
	key := "duel.reply.answer_saved"
	if res.Replaced {
		key = "duel.reply.answer_replaced"
	}
	return c.ReplyText(true, c.T(key, "deadline", timestamp(res.Round.AnswerDeadline, "R")))
}

func (h *Handlers) vote(c *interaction.Context, id customid.ID) error {
	roundID, err := idArg(id, 0)
	if err != nil {
		return err
	}
	ci, ok := c.ComponentInteraction()
	if !ok {
		return refusal.New("core.error.unknown_action")
	}
	values := ci.StringSelectMenuInteractionData().Values
	if len(values) != 1 {
		return refusal.New("duel.error.no_answer")
	}
	label, err := strconv.Atoi(values[0])
	if err != nil {
		return refusal.New("duel.error.no_answer")
	}
	res, err := h.s.Vote(c, c.GuildID(), roundID, c.UserID(), label)
	if err != nil {
		return asRefusal(err)
	}
	key := "duel.reply.voted"
	if res.Changed {
		key = "duel.reply.vote_changed"
	}
	return c.ReplyText(true, c.T(key, "label", label))
}

// ballot shows one page of the full anonymous ballot privately: used when
// the board cannot show every answer in full or offer more than 25 in its
// select (Discord's limit). Paging edits the private message in place.
func (h *Handlers) ballot(c *interaction.Context, id customid.ID) error {
	roundID, err := idArg(id, 0)
	if err != nil {
		return err
	}
	page, _ := strconv.Atoi(id.Arg(1))
	msg, err := h.s.BallotPage(c, c.Locale, c.GuildID(), roundID, page, c.UserID())
	if err != nil {
		return asRefusal(err)
	}
	if ci, ok := c.ComponentInteraction(); ok && ci.Message.Flags.Has(discord.MessageFlagEphemeral) {
		return c.UpdateMessage(discord.MessageUpdate{Embeds: &msg.Embeds, Components: &msg.Components})
	}
	return c.Reply(true, msg)
}

func (h *Handlers) text(key string) func(*interaction.Context, customid.ID) error {
	return func(c *interaction.Context, _ customid.ID) error {
		return c.ReplyText(true, c.T(key, "min", MinAnswerLen, "max", MaxAnswerLen))
	}
}

func (h *Handlers) room(c *interaction.Context, _ customid.ID) error {
	p, err := h.s.pairs.PairOf(c, h.s.db.Bun, c.GuildID(), c.UserID())
	if err != nil {
		return asRefusal(err)
	}
	if p.ChannelID == 0 {
		return c.ReplyText(true, c.T("duel.reply.no_room"))
	}
	return c.ReplyText(true, c.T("duel.reply.your_room", "channel", channelMention(p.ChannelID)))
}

func (h *Handlers) mine(c *interaction.Context, id customid.ID) error {
	duelID, err := idArg(id, 0)
	if err != nil {
		return err
	}
	p, err := h.s.pairs.PairOf(c, h.s.db.Bun, c.GuildID(), c.UserID())
	if err != nil {
		return asRefusal(err)
	}
	ct, err := h.s.Contribution(c, duelID, p.ID)
	if err != nil {
		return err
	}
	return c.ReplyText(true, c.T("duel.reply.mine", "points", ct.Points, "answers", ct.Answers, "votes", ct.Votes))
}
