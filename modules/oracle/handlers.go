package oracle

import (
	"context"
	"errors"
	"fmt"

	"github.com/disgoorg/disgo/discord"

	"github.com/together-bot/together/core/customid"
	"github.com/together-bot/together/core/interaction"
	"github.com/together-bot/together/core/refusal"
)

// handlers are the thin layer between the router and the service: parse,
// call, answer. Every rule lives in the service.
type handlers struct{ svc *Service }

// Command is /oracle (status for everyone, publish-now for staff). One
// command keeps both under /oracle; publish-now checks staff at run time,
// which the router's Staff flag would otherwise do for the whole command.
func (h *handlers) Command() interaction.Command {
	d := interaction.Describer{Bundle: h.svc.texts}
	return interaction.Command{
		Module: Name,
		Definition: d.Slash("oracle", "oracle.cmd.description",
			d.Sub("status", "oracle.cmd.status"),
			d.Sub("publish-now", "oracle.cmd.publish_now")),
		Ephemeral: true,
		Subcommands: map[string]func(*interaction.Context) error{
			"oracle status":      h.status,
			"oracle publish-now": h.publishNow,
		},
	}
}

// Components lists the buttons and selects of the card, the picker and the
// guidance view.
func (h *handlers) Components() []interaction.Component {
	pick := func(action string, handle func(*interaction.Context, customid.ID) error, other customid.Arg, value customid.Arg) interaction.Component {
		return interaction.Component{Module: Name, Action: action, Type: discord.ComponentTypeStringSelectMenu,
			Args: []customid.Arg{weekArg, other}, Values: interaction.Values{Min: 1, Max: 1, Each: value}, Handle: handle}
	}
	return []interaction.Component{
		interaction.Button(Name, actOpen, h.open, weekArg),
		interaction.Button(Name, actAbout, h.about, weekArg),
		interaction.Button(Name, actRitual, h.ritual, weekArg),
		pick(actTone, h.pickTone, contextArg, toneArg),
		pick(actContext, h.pickContext, toneArg, contextArg),
		interaction.Button(Name, actClaim, h.claim, weekArg, toneArg, contextArg),
		interaction.Button(Name, actDM, h.sendDM, weekArg),
		interaction.Button(Name, actPair, h.sendPair, weekArg),
	}
}

// The arguments and select values of the card's components, checked by the
// router before a handler runs.
var weekArg = customid.Custom("week", func(s string) error { _, err := ParseWeek(s); return err })

var (
	toneArg    = customid.OneOf("tone", choiceWords(Tones)...)
	contextArg = customid.OneOf("context", choiceWords(Contexts)...)
)

func choiceWords[T ~string](list []T) []string {
	out := make([]string, len(list))
	for i, w := range list {
		out[i] = string(w)
	}
	return out
}

// cardWeek reads the week argument the router checked against weekArg.
func cardWeek(id customid.ID) (Week, error) {
	w, err := ParseWeek(id.Arg(0))
	if err != nil {
		return Week{}, fmt.Errorf("oracle %s: week argument: %w", id.Action, err)
	}
	return w, nil
}

func (h *handlers) status(c *interaction.Context) error {
	st, err := h.svc.Status(c, c.GuildID())
	if err != nil {
		return err
	}
	channel := c.T("oracle.status.no_channel")
	if st.ChannelID != 0 {
		channel = fmt.Sprintf("<#%d>", st.ChannelID)
	}
	shown := c.T("oracle.status.not_published")
	if st.Shown != nil {
		shown = st.Shown.String()
	}
	title := st.Archetype
	if a, ok := h.svc.lib.Archetype(c.Locale, st.Archetype); ok {
		title = a.Title
	}
	return c.ReplyText(true, c.T("oracle.status.text",
		"week", st.Week.String(), "range", weekRange(st.Week, st.Location, c.Locale), "archetype", title,
		"channel", channel, "shown", shown,
		"next", st.NextPublish.Format("02.01.2006 15:04"), "zone", st.Location.String(),
		"relative", fmt.Sprintf("<t:%d:R>", st.NextPublish.Unix())))
}

func (h *handlers) publishNow(c *interaction.Context) error {
	if !c.IsStaff() {
		return interaction.ErrStaffOnly
	}
	p, err := h.svc.PublishNow(c, c.GuildID(), c.UserID())
	if err != nil {
		return err
	}
	return c.ReplyText(true, c.T("oracle.publish.done", "week", p.Week.String(), "channel", fmt.Sprintf("<#%d>", p.ChannelID)))
}

// open answers "Get guidance": the stored guidance when the member already
// claimed this week (nothing is sent again), the picker otherwise.
func (h *handlers) open(c *interaction.Context, id customid.ID) error {
	w, err := cardWeek(id)
	if err != nil {
		return err
	}
	cl, err := h.svc.Existing(c, c.GuildID(), c.UserID(), w)
	switch {
	case err == nil:
		return c.Reply(true, guidanceMessage(c.Bundle(), c.Locale, cl))
	case errors.Is(err, ErrNoClaim):
		return c.Reply(true, pickerMessage(c.Bundle(), c.Locale, w, ToneSoft, CtxAllGood))
	default:
		return err
	}
}

func (h *handlers) about(c *interaction.Context, _ customid.ID) error {
	return c.ReplyText(true, c.T("oracle.about"))
}

func (h *handlers) ritual(c *interaction.Context, _ customid.ID) error {
	room, err := h.svc.Ritual(c, c.GuildID(), c.UserID())
	if err != nil {
		return err
	}
	return c.ReplyText(true, c.T("oracle.ritual.done", "room", fmt.Sprintf("<#%d>", room)))
}

// pickTone and pickContext redraw the picker with the new choice; the id
// carries the week and the other choice, the select's value the new one
// (both checked by the router).
func (h *handlers) pickTone(c *interaction.Context, id customid.ID) error {
	w, err := cardWeek(id)
	if err != nil {
		return err
	}
	return c.UpdateMessage(toUpdate(pickerMessage(c.Bundle(), c.Locale, w, Tone(selected(c)), Context(id.Arg(1)))))
}

func (h *handlers) pickContext(c *interaction.Context, id customid.ID) error {
	w, err := cardWeek(id)
	if err != nil {
		return err
	}
	return c.UpdateMessage(toUpdate(pickerMessage(c.Bundle(), c.Locale, w, Tone(id.Arg(1)), Context(selected(c)))))
}

// selected is the string select's one value.
func selected(c *interaction.Context) string {
	ci, _ := c.ComponentInteraction()
	return ci.StringSelectMenuInteractionData().Values[0]
}

// claim stores the first claim (or finds the earlier one) and turns the
// picker into the guidance view. A double click runs this twice; both see
// the same stored claim and nothing is sent anywhere.
func (h *handlers) claim(c *interaction.Context, id customid.ID) error {
	w, err := cardWeek(id)
	if err != nil {
		return err
	}
	cl, err := h.svc.ClaimGuidance(c, c.GuildID(), c.UserID(), w, Tone(id.Arg(1)), Context(id.Arg(2)), c.Locale)
	if err != nil {
		return err
	}
	return c.UpdateMessage(toUpdate(guidanceMessage(c.Bundle(), c.Locale, cl)))
}

func (h *handlers) sendDM(c *interaction.Context, id customid.ID) error {
	return h.sendCopy(c, id, h.svc.SendToDM, errDMFailed)
}

func (h *handlers) sendPair(c *interaction.Context, id customid.ID) error {
	return h.sendCopy(c, id, h.svc.SendToPair, errPairFailed)
}

// What the member reads when Discord refused their copy (ErrSendFailed).
var (
	errDMFailed   = refusal.New("oracle.error.dm_failed")
	errPairFailed = refusal.New("oracle.error.pair_failed")
)

// sendCopy sends one copy, then redraws the guidance view so the button
// shows as sent.
func (h *handlers) sendCopy(c *interaction.Context, id customid.ID, send func(context.Context, uint64, uint64, Week) error, failed *refusal.Error) error {
	w, err := cardWeek(id)
	if err != nil {
		return err
	}
	if err := send(c, c.GuildID(), c.UserID(), w); err != nil {
		if errors.Is(err, ErrSendFailed) {
			c.Log.Info("guidance copy refused by Discord", "error", err)
			return failed
		}
		return err
	}
	cl, err := h.svc.Existing(c, c.GuildID(), c.UserID(), w)
	if err != nil {
		return err
	}
	return c.UpdateMessage(toUpdate(guidanceMessage(c.Bundle(), c.Locale, cl)))
}

// toUpdate turns a message into the edit that makes an existing message
// equal to it (every field set, so nothing from the picker survives).
func toUpdate(m discord.MessageCreate) discord.MessageUpdate {
	content, comps := m.Content, m.Components
	embeds := m.Embeds
	if embeds == nil {
		embeds = []discord.Embed{}
	}
	if comps == nil {
		comps = []discord.LayoutComponent{}
	}
	return discord.MessageUpdate{Content: &content, Embeds: &embeds, Components: &comps, AllowedMentions: m.AllowedMentions}
}
