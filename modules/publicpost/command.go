package publicpost

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/disgoorg/disgo/discord"

	"github.com/together-bot/together/core/config"
	"github.com/together-bot/together/core/interaction"
	"github.com/together-bot/together/core/refusal"
)

// Commands serves /post for staff.
type Commands struct {
	svc *Service
	// defaultZone is DEFAULT_TIMEZONE, used when the guild has none set.
	defaultZone *time.Location
	now         func() time.Time
}

// NewCommands builds the /post handlers; cfg may be nil (UTC).
func NewCommands(svc *Service, cfg *config.Config) *Commands {
	zone := time.UTC
	if cfg != nil && cfg.DefaultTimezone != nil {
		zone = cfg.DefaultTimezone
	}
	return &Commands{svc: svc, defaultZone: zone, now: time.Now}
}

// Command is contributed to the group "commands".
func (h *Commands) Command() interaction.Command {
	return interaction.Command{Module: ModuleName, Definition: postDefinition(), Staff: true, Ephemeral: true, Handle: h.Handle}
}

func postDefinition() discord.SlashCommandCreate {
	desc, descL := describe("publicpost.cmd.post")
	sub := func(name, key string, opts ...discord.ApplicationCommandOption) discord.ApplicationCommandOption {
		d, l := describe(key)
		return discord.ApplicationCommandOptionSubCommand{Name: name, Description: d, DescriptionLocalizations: l, Options: opts}
	}
	chD, chL := describe("publicpost.cmd.schedule.channel")
	atD, atL := describe("publicpost.cmd.schedule.at")
	txD, txL := describe("publicpost.cmd.schedule.text")
	idD, idL := describe("publicpost.cmd.cancel.id")
	one, maxLen, maxAt := 1, MaxContent, 40
	return discord.SlashCommandCreate{
		Name: "post", Description: desc, DescriptionLocalizations: descL,
		Options: []discord.ApplicationCommandOption{
			sub("schedule", "publicpost.cmd.schedule",
				discord.ApplicationCommandOptionChannel{Name: "channel", Description: chD, DescriptionLocalizations: chL, Required: true,
					ChannelTypes: []discord.ChannelType{discord.ChannelTypeGuildText, discord.ChannelTypeGuildNews}},
				discord.ApplicationCommandOptionString{Name: "at", Description: atD, DescriptionLocalizations: atL, Required: true,
					MinLength: &one, MaxLength: &maxAt},
				discord.ApplicationCommandOptionString{Name: "text", Description: txD, DescriptionLocalizations: txL, Required: true,
					MinLength: &one, MaxLength: &maxLen},
			),
			sub("list", "publicpost.cmd.list"),
			sub("cancel", "publicpost.cmd.cancel",
				discord.ApplicationCommandOptionInt{Name: "id", Description: idD, DescriptionLocalizations: idL, Required: true, MinValue: &one}),
		},
	}
}

// Handle dispatches /post subcommands.
func (h *Commands) Handle(c *interaction.Context) error {
	d, _ := c.SlashData()
	switch c.CommandPath() {
	case "post schedule":
		return h.schedule(c, d)
	case "post list":
		return h.list(c)
	case "post cancel":
		return h.cancel(c, d)
	}
	return refusal.New("core.error.unknown_action")
}

func (h *Commands) schedule(c *interaction.Context, d discord.SlashCommandInteractionData) error {
	ch, ok := d.OptChannel("channel")
	if !ok || (ch.Type != discord.ChannelTypeGuildText && ch.Type != discord.ChannelTypeGuildNews) {
		return refusal.New("publicpost.error.bad_channel")
	}
	zone := c.Settings.Location(h.defaultZone)
	input := d.String("at")
	at, err := ParseWhen(input, h.now(), zone)
	switch {
	case errors.Is(err, ErrPast):
		return refusal.New("publicpost.error.past", "input", input, "zone", zone.String())
	case errors.Is(err, ErrTooFar):
		return refusal.New("publicpost.error.too_far")
	case err != nil:
		return refusal.New("publicpost.error.bad_when", "input", input, "zone", zone.String())
	}
	payload := Payload{Content: d.String("text")}
	if payload.Validate() != nil {
		return refusal.New("publicpost.error.bad_text")
	}
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

func (h *Commands) list(c *interaction.Context) error {
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
				"error", truncate(oneLine(p.LastError), 120)))
			continue
		}
		lines = append(lines, c.T("publicpost.list.item", "id", p.ID, "channel", channelMention(p.ChannelID),
			"when", discordTime(p.ScheduledFor, "f"), "status", c.T("publicpost.state."+string(p.Status)),
			"preview", "`"+strings.ReplaceAll(truncate(oneLine(p.Payload.Content), 50), "`", "'")+"`"))
	}
	return c.ReplyText(true, truncate(strings.Join(lines, "\n"), MaxContent))
}

func (h *Commands) cancel(c *interaction.Context, d discord.SlashCommandInteractionData) error {
	id := int64(d.Int("id"))
	p, err := h.svc.Cancel(c, c.GuildID(), id)
	switch {
	case errors.Is(err, ErrNotFound):
		return refusal.New("publicpost.error.not_found", "id", id)
	case errors.Is(err, ErrNotCancellable):
		return refusal.New("publicpost.error.not_cancellable", "id", id, "status", c.T("publicpost.state."+string(p.Status)))
	case err != nil:
		return err
	}
	return c.ReplyText(true, c.T("publicpost.reply.cancelled", "id", p.ID))
}

func channelMention(id uint64) string { return "<#" + strconv.FormatUint(id, 10) + ">" }

func discordTime(t time.Time, style string) string { return fmt.Sprintf("<t:%d:%s>", t.Unix(), style) }
