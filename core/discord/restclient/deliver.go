package restclient

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/disgo/rest"
	"github.com/disgoorg/snowflake/v2"

	"github.com/together-bot/together/core/discord/resterr"
	"github.com/together-bot/together/core/queue"
	"github.com/together-bot/together/core/usertext"
)

// Delivery is one message a River job posts once (a duel's round prompt, a
// raid's confirm prompt in a pair room), and how the job records each
// attempt.
type Delivery struct {
	ChannelID uint64
	Message   discord.MessageCreate
	// Nonce is enforced by Discord, so a post retried after a lost response
	// is not shown twice.
	Nonce string
	// Record stores one attempt: the outcome, the message's id when Sent,
	// and a summary of the error otherwise.
	Record func(ctx context.Context, o Outcome, messageID uint64, lastErr string) error
}

// Outcome is what became of one attempt.
type Outcome int

const (
	// Sent: the message is in the channel.
	Sent Outcome = iota
	// Refused: Discord will never accept it (channel deleted, access lost);
	// the job ends without retrying.
	Refused
	// Failed: a transient failure; the job retries.
	Failed
)

// deliverTimeout bounds one post including the rate limiter's wait; a longer
// wait fails fast with a retry-after and becomes a snooze.
const deliverTimeout = 15 * time.Second

// errSummaryLen bounds the error text handed to Record, in code points.
const errSummaryLen = 300

// Deliver posts d.Message and records the attempt. A rate limit snoozes the
// job (River's snooze error, nothing recorded, no attempt spent); a refusal
// is recorded, logged on log and ends the job; a transient failure is
// recorded and returned, so River retries.
func Deliver(ctx context.Context, c MessageCreator, d Delivery, log *slog.Logger) error {
	msg := d.Message
	msg.Nonce, msg.EnforceNonce = d.Nonce, true
	cctx, cancel := context.WithTimeout(ctx, deliverTimeout)
	m, err := c.CreateMessage(snowflake.ID(d.ChannelID), msg, rest.WithCtx(cctx))
	cancel()
	switch {
	case err == nil:
		return d.Record(ctx, Sent, uint64(m.ID), "")
	case resterr.IsRateLimited(err):
		return queue.SnoozeRateLimited(err)
	case resterr.IsPermanent(err):
		log.Warn("channel unreachable; message not delivered", "channel_id", d.ChannelID, "error", err)
		return d.Record(ctx, Refused, 0, usertext.Cut(err.Error(), errSummaryLen))
	default:
		if rerr := d.Record(ctx, Failed, 0, usertext.Cut(err.Error(), errSummaryLen)); rerr != nil {
			return rerr
		}
		return fmt.Errorf("post in channel %d: %w", d.ChannelID, err)
	}
}
