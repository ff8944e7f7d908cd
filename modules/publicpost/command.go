package publicpost

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/disgoorg/disgo/discord"

	"github.com/together-bot/together/core/i18n"
	"github.com/together-bot/together/core/interaction"
	"github.com/together-bot/together/core/refusal"
	"github.com/together-bot/together/core/usertext"
)

// guildZones gives a guild's timezone, the deployment's default where the guild
// set none (guild.Service).
type guildZones interface {
	Location(ctx context.Context, guildID uint64) *time.Location
}

// errBadChannel refuses a channel posts cannot go to.
var errBadChannel = refusal.New("publicpost.error.bad_channel")

// postText is /post schedule's text: what a message's content may hold.
var postText = usertext.Field{Name: "text", Min: 1, Max: MaxContent}

// commands serves /post for staff.
type commands struct {
	svc   *Service
	zones guildZones
	texts *i18n.Bundle // the command's descriptions
	now   func() time.Time
}

func newCommands(svc *Service, zones guildZones, texts *i18n.Bundle) *commands {
	return &commands{svc: svc, zones: zones, texts: texts, now: time.Now}
}

// command is /post (interaction.Commands).
func (h *commands) command() interaction.Command {
	return interaction.Command{Module: Name, Definition: postDefinition(h.texts), Staff: true, Ephemeral: true,
		Subcommands: map[string]func(*interaction.Context) error{
			"post schedule": h.schedule, "post list": h.list, "post cancel": h.cancel,
		}}
}

func postDefinition(texts *i18n.Bundle) discord.SlashCommandCreate {
	d := interaction.Describer{Bundle: texts}
	return d.Slash("post", "publicpost.cmd.post",
		d.Sub("schedule", "publicpost.cmd.schedule",
			d.Channel("channel", "publicpost.cmd.schedule.channel", true, discord.ChannelTypeGuildText, discord.ChannelTypeGuildNews),
			d.String("at", "publicpost.cmd.schedule.at", true, 1, 40),
			d.String("text", "publicpost.cmd.schedule.text", true, 1, MaxContent)),
		d.Sub("list", "publicpost.cmd.list"),
		d.Sub("cancel", "publicpost.cmd.cancel",
			d.Int("id", "publicpost.cmd.cancel.id", true, 1, interaction.MaxInteger)))
}

func (h *commands) schedule(c *interaction.Context) error {
	d, _ := c.SlashData()
	ch, ok := d.OptChannel("channel")
	if !ok || (ch.Type != discord.ChannelTypeGuildText && ch.Type != discord.ChannelTypeGuildNews) {
		return errBadChannel
	}
	at, err := ParseWhen(d.String("at"), h.now(), h.zones.Location(c, c.GuildID()))
	if err != nil {
		return err
	}
	content, err := postText.Clean(d.String("text"))
	if err != nil {
		return err
	}
	payload := Payload{Content: content}
	p, _, err := h.svc.CreateNow(c, NewPost{
		GuildID: c.GuildID(), ChannelID: uint64(ch.ID), Payload: payload, At: at, CreatedBy: c.UserID(),
		// Discord redelivers an interaction with the same id, never a new one.
		IdempotencyKey: "publicpost:cmd:" + c.Interaction.ID().String(),
	})
	if err != nil {
		return err
	}
	return c.ReplyText(true, c.T("publicpost.reply.scheduled", "id", p.ID, "channel", channelMention(p.ChannelID),
		"when", discordTime(p.ScheduledFor, "R"), "at", discordTime(p.ScheduledFor, "f")))
}

// listLimit keeps /post list within one message.
const listLimit = 15

func (h *commands) list(c *interaction.Context) error {
	posts, err := h.svc.Upcoming(c, c.GuildID(), listLimit)
	if err != nil {
		return err
	}
	if len(posts) == 0 {
		return c.ReplyText(true, c.T("publicpost.list.empty"))
	}
	lines := []string{c.T("publicpost.list.title")}
	for _, p := range posts {
		if p.Status == StatusFailed {
			lines = append(lines, c.T("publicpost.list.failed", "id", p.ID, "channel", channelMention(p.ChannelID),
				"error", usertext.Cut(oneLine(p.LastError), 120)))
			continue
		}
		lines = append(lines, c.T("publicpost.list.item", "id", p.ID, "channel", channelMention(p.ChannelID),
			"when", discordTime(p.ScheduledFor, "f"), "status", c.T("publicpost.state."+string(p.Status)),
			"preview", "`"+strings.ReplaceAll(usertext.Cut(oneLine(p.Payload.Content), 50), "`", "'")+"`"))
	}
	return c.ReplyText(true, usertext.Cut(strings.Join(lines, "\n"), MaxContent))
}

func (h *commands) cancel(c *interaction.Context) error {
	d, _ := c.SlashData()
	id := int64(d.Int("id"))
	p, err := h.svc.Cancel(c, c.GuildID(), id)
	if errors.Is(err, ErrNotCancellable) {
		// The status is named in the member's language, known only here.
		return ErrNotCancellable.With("id", id, "status", c.T("publicpost.state."+string(p.Status)))
	}
	if err != nil {
		return err
	}
	return c.ReplyText(true, c.T("publicpost.reply.cancelled", "id", p.ID))
}

func channelMention(id uint64) string { return "<#" + strconv.FormatUint(id, 10) + ">" }

func discordTime(t time.Time, style string) string { return fmt.Sprintf("<t:%d:%s>", t.Unix(), style) }
