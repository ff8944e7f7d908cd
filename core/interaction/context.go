package interaction

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/disgo/rest"
	"github.com/disgoorg/snowflake/v2"

	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/guild"
	"github.com/together-bot/together/core/i18n"
	"github.com/together-bot/together/core/once"
	"github.com/together-bot/together/core/refusal"
)

// answer tracks what has been sent for the interaction so each responder
// picks the one Discord call that is valid next.
type answer int

const (
	unanswered     answer = iota
	replied               // initial message or message update sent
	deferredCreate        // "thinking…" shown; the next Reply edits it
	deferredUpdate        // component acknowledged; the original message stays
	deferredEdited        // a deferredCreate was filled in
	modalShown
)

// Context is what every handler receives. It embeds the interaction's
// context.Context (cancelled when the handler returns).
type Context struct {
	context.Context
	Interaction   discord.Interaction
	Settings      guild.Settings
	Locale        string
	CorrelationID string
	Log           *slog.Logger

	r       *Router
	route   route
	respond Responder

	mu    sync.Mutex
	state answer
	// deferEphemeral records the visibility chosen by the defer.
	deferEphemeral bool
}

// GuildID is 0 outside guilds.
func (c *Context) GuildID() uint64 {
	if id := c.Interaction.GuildID(); id != nil {
		return uint64(*id)
	}
	return 0
}

// UserID is the user who interacted.
func (c *Context) UserID() uint64 { return uint64(c.Interaction.User().ID) }

// Member is the interacting member (nil outside guilds).
func (c *Context) Member() *discord.ResolvedMember { return c.Interaction.Member() }

// Module and Action name the route being run.
func (c *Context) Module() string { return c.route.module }
func (c *Context) Action() string { return c.route.action }

// T renders an i18n key in the interaction's locale.
func (c *Context) T(key string, args ...any) string { return c.r.bundle.T(c.Locale, key, args...) }

// Bundle gives handlers the catalogs (e.g. to render in another locale).
func (c *Context) Bundle() *i18n.Bundle { return c.r.bundle }

// DB is the process's database (nil in router unit tests).
func (c *Context) DB() *db.DB { return c.r.db }

// IsStaff: Administrator permission or the guild's moderator role, read from
// the member Discord sent with the interaction.
func (c *Context) IsStaff() bool { return isStaff(c.Member(), c.Settings.ModeratorRoleID) }

func isStaff(m *discord.ResolvedMember, moderatorRole uint64) bool {
	if m == nil {
		return false
	}
	if m.Permissions.Has(discord.PermissionAdministrator) {
		return true
	}
	return moderatorRole != 0 && slices.ContainsFunc(m.RoleIDs, func(id snowflake.ID) bool { return uint64(id) == moderatorRole })
}

// CommandPath is "config show" for /config show; "" for non-commands.
func (c *Context) CommandPath() string {
	if d, ok := c.SlashData(); ok {
		p := d.CommandPath()
		if len(p) > 0 && p[0] == '/' {
			p = p[1:]
		}
		out := []byte(p)
		for i := range out {
			if out[i] == '/' {
				out[i] = ' '
			}
		}
		return string(out)
	}
	return ""
}

// SlashData is the slash command's data (options).
func (c *Context) SlashData() (discord.SlashCommandInteractionData, bool) {
	if i, ok := c.Interaction.(discord.ApplicationCommandInteraction); ok {
		if d, ok := i.Data.(discord.SlashCommandInteractionData); ok {
			return d, true
		}
	}
	return discord.SlashCommandInteractionData{}, false
}

// ComponentInteraction is the button or select interaction.
func (c *Context) ComponentInteraction() (discord.ComponentInteraction, bool) {
	i, ok := c.Interaction.(discord.ComponentInteraction)
	return i, ok
}

// ModalData is the submitted modal's data.
func (c *Context) ModalData() (discord.ModalSubmitInteractionData, bool) {
	if i, ok := c.Interaction.(discord.ModalSubmitInteraction); ok {
		return i.Data, true
	}
	return discord.ModalSubmitInteractionData{}, false
}

// REST is the Discord REST client for anything beyond answering (may be nil in tests).
func (c *Context) REST() rest.Rest { return c.r.rest }

// Reply sends a message: the initial response when nothing was sent yet, the
// content of the "thinking…" message after a Defer, a follow-up otherwise.
// After an ephemeral Defer the answer stays private; an ephemeral answer
// after a public Defer is sent privately and the public placeholder deleted.
func (c *Context) Reply(ephemeral bool, msg discord.MessageCreate) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.replyLocked(ephemeral, msg)
}

// ReplyText sends plain text (see Reply).
func (c *Context) ReplyText(ephemeral bool, text string) error {
	return c.Reply(ephemeral, discord.MessageCreate{Content: text, AllowedMentions: &discord.AllowedMentions{}})
}

func (c *Context) replyLocked(ephemeral bool, msg discord.MessageCreate) error {
	if ephemeral {
		msg.Flags = msg.Flags.Add(discord.MessageFlagEphemeral)
	}
	switch c.state {
	case unanswered:
		return c.firstAnswer("reply", discord.InteractionResponseTypeCreateMessage, msg, replied)
	case deferredCreate:
		if ephemeral && !c.deferEphemeral {
			// A private answer must not land in a public "thinking…"
			// message: send it privately and remove the placeholder.
			if _, err := c.followupLocked(msg); err != nil {
				return err
			}
			if err := c.r.irest.DeleteInteractionResponse(c.Interaction.ApplicationID(), c.Interaction.Token(), rest.WithCtx(c.Context)); err != nil {
				c.Log.Warn("could not delete the public placeholder", "error", err)
			}
			c.state = deferredEdited
			return nil
		}
		if err := c.editOriginal(toUpdate(msg)); err != nil {
			return err
		}
		c.state = deferredEdited
		return nil
	default:
		_, err := c.followupLocked(msg)
		return err
	}
}

// Defer shows "thinking…" (ephemeral or public); answer later with Reply or Edit.
func (c *Context) Defer(ephemeral bool) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.deferLocked(ephemeral)
}

func (c *Context) deferLocked(ephemeral bool) error {
	if c.state != unanswered {
		return nil
	}
	var data discord.InteractionResponseData
	if ephemeral {
		data = discord.MessageCreate{Flags: discord.MessageFlagEphemeral}
	}
	if err := c.firstAnswer("defer", discord.InteractionResponseTypeDeferredCreateMessage, data, deferredCreate); err != nil {
		return err
	}
	c.deferEphemeral = ephemeral
	return nil
}

// DeferUpdate acknowledges a component without changing its message yet;
// answer later with UpdateMessage (edits that message) or Reply (follow-up).
func (c *Context) DeferUpdate() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.deferUpdateLocked()
}

func (c *Context) deferUpdateLocked() error {
	if c.state != unanswered {
		return nil
	}
	return c.firstAnswer("defer update", discord.InteractionResponseTypeDeferredUpdateMessage, nil, deferredUpdate)
}

// Edit changes the original response (after Reply or Defer).
func (c *Context) Edit(msg discord.MessageUpdate) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state == unanswered {
		return fmt.Errorf("edit: nothing was sent yet")
	}
	if err := c.editOriginal(msg); err != nil {
		return err
	}
	if c.state == deferredCreate {
		c.state = deferredEdited
	}
	return nil
}

// Followup sends an extra message (the initial answer when nothing was
// sent yet; the returned message is then nil).
func (c *Context) Followup(ephemeral bool, msg discord.MessageCreate) (*discord.Message, error) {
	if ephemeral {
		msg.Flags = msg.Flags.Add(discord.MessageFlagEphemeral)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.followupLocked(msg)
}

func (c *Context) followupLocked(msg discord.MessageCreate) (*discord.Message, error) {
	if c.state == unanswered {
		// Nothing sent yet: the "follow-up" is the initial answer.
		return nil, c.firstAnswer("reply", discord.InteractionResponseTypeCreateMessage, msg, replied)
	}
	m, err := c.r.irest.CreateFollowupMessage(c.Interaction.ApplicationID(), c.Interaction.Token(), msg, rest.WithCtx(c.Context))
	if err != nil {
		return nil, fmt.Errorf("follow-up: %w", err)
	}
	return m, nil
}

// Modal opens a modal; only valid as the first answer.
func (c *Context) Modal(m discord.ModalCreate) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state != unanswered {
		return fmt.Errorf("modal: interaction already answered (a modal must be the first answer; avoid slow work before it)")
	}
	return c.firstAnswer("modal", discord.InteractionResponseTypeModal, m, modalShown)
}

// UpdateMessage edits the message a component belongs to.
func (c *Context) UpdateMessage(msg discord.MessageUpdate) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch c.state {
	case unanswered:
		return c.firstAnswer("update message", discord.InteractionResponseTypeUpdateMessage, msg, replied)
	case deferredUpdate, replied:
		return c.editOriginal(msg)
	default:
		return fmt.Errorf("update message: the interaction was answered with a new message")
	}
}

// firstAnswer sends the interaction's initial response and moves to the
// state it leads to; on failure the state stays unanswered.
func (c *Context) firstAnswer(what string, typ discord.InteractionResponseType, data discord.InteractionResponseData, next answer) error {
	if err := c.respond(typ, data); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	c.state = next
	return nil
}

func (c *Context) editOriginal(msg discord.MessageUpdate) error {
	if _, err := c.r.irest.UpdateInteractionResponse(c.Interaction.ApplicationID(), c.Interaction.Token(), msg, rest.WithCtx(c.Context)); err != nil {
		return fmt.Errorf("edit response: %w", err)
	}
	return nil
}

// deferForKindLocked is the automatic defer: commands show "thinking…"
// (ephemeral when the command says so), components are acknowledged without
// touching their message, modals show an ephemeral "thinking…".
func (c *Context) deferForKindLocked() error {
	switch c.Interaction.(type) {
	case discord.ComponentInteraction:
		return c.deferUpdateLocked()
	case discord.ModalSubmitInteraction:
		return c.deferLocked(true)
	default:
		return c.deferLocked(c.route.ephemeral)
	}
}

func (c *Context) autoDefer() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state != unanswered {
		return
	}
	if err := c.deferForKindLocked(); err != nil {
		c.Log.Warn("automatic defer failed", "error", err)
		return
	}
	c.Log.Debug("handler slow; deferred automatically")
}

func (c *Context) answered() answer {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state
}

// Cooldown refuses the action for this user until every has passed since
// the last allowed use; the refusal reads "try again <t:…:R>".
func (c *Context) Cooldown(action string, every time.Duration) error {
	retryAt, ok, err := c.r.cooldowns.Check(c, c.GuildID(), c.UserID(), c.route.module+"."+action, every)
	if err != nil {
		return err
	}
	if !ok {
		return refusal.New("core.error.cooldown", "when", fmt.Sprintf("<t:%d:R>", retryAt.Unix()))
	}
	return nil
}

// Once claims key (namespaced by the module) for ttl outside any
// transaction: true for the first caller only. Inside a business transaction
// use once.Do with the tx instead.
func (c *Context) Once(key string, ttl time.Duration) (bool, error) {
	return once.Do(c, c.r.db.Bun, c.route.module+":"+key, ttl)
}

func toUpdate(m discord.MessageCreate) discord.MessageUpdate {
	u := discord.MessageUpdate{AllowedMentions: m.AllowedMentions}
	if m.Flags.Has(discord.MessageFlagIsComponentsV2) {
		f := discord.MessageFlagIsComponentsV2
		u.Flags = &f
		comps := m.Components
		u.Components = &comps
		return u
	}
	content, embeds, comps := m.Content, m.Embeds, m.Components
	if embeds == nil {
		embeds = []discord.Embed{}
	}
	if comps == nil {
		comps = []discord.LayoutComponent{}
	}
	u.Content, u.Embeds, u.Components = &content, &embeds, &comps
	return u
}
