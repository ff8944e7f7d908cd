package projection

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/disgo/rest"
	"github.com/disgoorg/snowflake/v2"

	"github.com/together-bot/together/core/discord/resterr"
)

// Discord is the part of disgo's rest.Rest the worker uses; the runtime's
// rest.Rest (built with the restlimit limiter) satisfies it.
type Discord interface {
	CreateMessage(channelID snowflake.ID, m discord.MessageCreate, opts ...rest.RequestOpt) (*discord.Message, error)
	UpdateMessage(channelID, messageID snowflake.ID, m discord.MessageUpdate, opts ...rest.RequestOpt) (*discord.Message, error)
	DeleteMessage(channelID, messageID snowflake.ID, opts ...rest.RequestOpt) error
	PinMessage(channelID, messageID snowflake.ID, opts ...rest.RequestOpt) error
}

// update is the edit that makes an existing message equal to m. Every field
// is set, even when empty, so an edit replaces rather than merges.
func update(m discord.MessageCreate) discord.MessageUpdate {
	content := m.Content
	embeds := m.Embeds
	if embeds == nil {
		embeds = []discord.Embed{}
	}
	components := m.Components
	if components == nil {
		components = []discord.LayoutComponent{}
	}
	flags := m.Flags
	return discord.MessageUpdate{
		Content:         &content,
		Embeds:          &embeds,
		Components:      &components,
		AllowedMentions: allowedMentions(m),
		Flags:           &flags,
	}
}

// allowedMentions defaults to pinging nobody: disgo's default parses every
// mention, and a dashboard edited every second must not ping a role each time.
func allowedMentions(m discord.MessageCreate) *discord.AllowedMentions {
	if m.AllowedMentions != nil {
		return m.AllowedMentions
	}
	return &discord.AllowedMentions{Parse: []discord.AllowedMentionType{}}
}

// contentHash identifies what a message shows. It covers what an edit can
// change; the nonce and other create-only fields are left out.
func contentHash(m discord.MessageCreate) ([]byte, error) {
	b, err := json.Marshal(update(m))
	if err != nil {
		return nil, fmt.Errorf("projection: encode message: %w", err)
	}
	sum := sha256.Sum256(b)
	return sum[:], nil
}

// outcome is what the worker does with a Discord error.
type outcome int

const (
	outTransient      outcome = iota // return the error: River retries with backoff
	outRateLimited                   // snooze for the retry-after, no attempt spent
	outUnknownMessage                // the message was deleted by hand: create it again
	outBroken                        // the channel is unusable: mark broken, stop retrying
)

// classify maps a REST error to what the worker should do, and for broken
// projections the reason shown by `/admin doctor`.
func classify(err error) (outcome, time.Duration, string) {
	if d, ok := resterr.RetryAfter(err); ok {
		return outRateLimited, d, ""
	}
	if resterr.IsRateLimited(err) {
		return outRateLimited, time.Second, ""
	}
	code, hasCode := resterr.Code(err)
	switch {
	case hasCode && code == rest.JSONErrorCodeUnknownMessage:
		return outUnknownMessage, 0, ""
	case hasCode && code == rest.JSONErrorCodeUnknownChannel:
		return outBroken, 0, "unknown channel (deleted?): reconfigure the dashboard channel"
	case hasCode && code == rest.JSONErrorCodeMissingAccess:
		return outBroken, 0, "missing access: the bot cannot see the channel"
	case hasCode && code == rest.JSONErrorCodeLackPermissionsToPerformAction:
		return outBroken, 0, "missing permissions: the bot needs Send Messages and Embed Links in the channel"
	case resterr.IsTransient(err):
		return outTransient, 0, ""
	case resterr.IsPermanent(err):
		// A 4xx retrying cannot fix (often an invalid message from the
		// renderer). Parking it as broken keeps the job from burning
		// attempts and the bot from burning its invalid-request budget.
		return outBroken, 0, "discord rejected the message: " + errSummary(err)
	}
	return outTransient, 0, ""
}

func errSummary(err error) string {
	var re *rest.Error
	if errors.As(err, &re) {
		if re.Message != "" {
			return fmt.Sprintf("%d %s", re.Code, re.Message)
		}
		if re.Response != nil {
			return re.Response.Status
		}
	}
	s := err.Error()
	if len(s) > 300 {
		s = s[:300]
	}
	return s
}

// Container is a dashboard drawn as one Components V2 container with an
// accent colour (0 for none). Its mentions show but never ping, as every
// dashboard's: the message is edited again and again.
func Container(accent int, parts ...discord.ContainerSubComponent) discord.MessageCreate {
	return discord.MessageCreate{
		Flags:           discord.MessageFlagIsComponentsV2,
		Components:      []discord.LayoutComponent{discord.NewContainer(parts...).WithAccentColor(accent)},
		AllowedMentions: &discord.AllowedMentions{Parse: []discord.AllowedMentionType{}},
	}
}
