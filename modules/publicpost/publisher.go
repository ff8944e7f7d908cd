package publicpost

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/disgo/rest"
	"github.com/disgoorg/snowflake/v2"

	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/discord/resterr"
)

// Discord is the part of disgo's rest.Rest the publisher uses.
type Discord interface {
	CreateMessage(channelID snowflake.ID, m discord.MessageCreate, opts ...rest.RequestOpt) (*discord.Message, error)
	GetMessages(channelID snowflake.ID, around, before, after snowflake.ID, limit int, opts ...rest.RequestOpt) ([]discord.Message, error)
}

// Outcome is what one publish attempt did to its post.
type Outcome int

const (
	Sent        Outcome = iota + 1
	Rescheduled         // back to pending for a later attempt
	Failed              // final until requeued
	Interrupted         // left processing; the lease brings it back
)

// Publisher claims due posts and sends them.
type Publisher struct {
	db      *db.DB
	discord Discord
	cfg     Config
	log     *slog.Logger

	botID atomic.Uint64 // learnt from our first message, for the lookup

	// afterSend runs between Discord's answer and the database write; tests
	// use it to simulate a process dying at the worst moment.
	afterSend func(postID int64) error
}

// newPublisher builds a publisher; log is the module's (Core.Logger).
func newPublisher(d *db.DB, dc Discord, cfg Config, log *slog.Logger) *Publisher {
	if log == nil {
		log = slog.Default()
	}
	return &Publisher{db: d, discord: dc, cfg: cfg.withDefaults(), log: log}
}

// Result is one publish attempt.
type Result struct {
	PostID  int64
	Outcome Outcome
	// RetryAt is set for Rescheduled.
	RetryAt time.Time
}

// PublishOne publishes the post if it is due and claimable. ok is false when
// it is not (not due yet, taken by another process, final, or the module is
// off in its guild).
func (p *Publisher) PublishOne(ctx context.Context, postID int64) (Result, bool, error) {
	c, err := claimNext(ctx, p.db.Bun, postID, p.cfg.Lease, p.cfg.NonceTrust)
	if err != nil || c == nil {
		return Result{}, false, err
	}
	res, err := p.publish(ctx, c)
	return res, true, err
}

// DrainStats sums a Drain.
type DrainStats struct {
	Sent, Rescheduled, Failed, Interrupted int
	// More: stopped by the budget while posts were still claimable.
	More bool
}

// Drain publishes due posts with cfg.Concurrency workers until none is
// claimable or budget runs out. Each worker claims one row at a time, so a
// lease only starts when its post is about to be sent.
func (p *Publisher) Drain(ctx context.Context, budget time.Duration) (DrainStats, error) {
	deadline := time.Now().Add(budget)
	var (
		mu    sync.Mutex
		st    DrainStats
		first error
		wg    sync.WaitGroup
	)
	for range p.cfg.Concurrency {
		wg.Go(func() {
			for ctx.Err() == nil {
				if time.Now().After(deadline) {
					mu.Lock()
					st.More = true
					mu.Unlock()
					return
				}
				c, err := claimNext(ctx, p.db.Bun, 0, p.cfg.Lease, p.cfg.NonceTrust)
				if err == nil && c == nil {
					return
				}
				var res Result
				if err == nil {
					res, err = p.publish(ctx, c)
				}
				mu.Lock()
				switch res.Outcome {
				case Sent:
					st.Sent++
				case Rescheduled:
					st.Rescheduled++
				case Failed:
					st.Failed++
				case Interrupted:
					st.Interrupted++
				}
				if err != nil && first == nil {
					first = err
				}
				mu.Unlock()
				if err != nil {
					return
				}
			}
		})
	}
	wg.Wait()
	if first == nil && ctx.Err() != nil {
		first = ctx.Err()
	}
	return st, first
}

// publish sends one claimed post and records the outcome. An error means
// the outcome could not be recorded; the lease then brings the post back.
func (p *Publisher) publish(ctx context.Context, c *claim) (Result, error) {
	log := p.log.With("post_id", c.ID, "guild_id", c.GuildID, "channel_id", c.ChannelID, "attempt", c.Attempts)
	res := Result{PostID: c.ID}
	if err := c.Payload.Validate(); err != nil {
		res.Outcome = Failed
		log.Warn("post failed: invalid payload", "error", err, "action", "publicpost.failed")
		return res, markFailed(ctx, p.db.Bun, c, err.Error())
	}
	if c.stale {
		msg, err := p.lookup(ctx, c)
		if err != nil {
			return p.sendFailed(ctx, log, c, fmt.Errorf("look for an earlier copy: %w", err))
		}
		if msg != nil {
			log.Info("post found in channel from an earlier attempt; not resending", "message_id", msg.ID.String(),
				"action", "publicpost.recovered")
			res.Outcome = Sent
			return res, markSent(ctx, p.db.Bun, c.ID, uint64(msg.ID))
		}
	}
	msg, err := p.send(ctx, c)
	if err != nil {
		return p.sendFailed(ctx, log, c, err)
	}
	p.botID.CompareAndSwap(0, uint64(msg.Author.ID))
	if p.afterSend != nil {
		if err := p.afterSend(c.ID); err != nil {
			res.Outcome = Interrupted
			return res, err
		}
	}
	if err := markSent(ctx, p.db.Bun, c.ID, uint64(msg.ID)); err != nil {
		// Discord has the message; the lease brings the row back and the
		// nonce (or the lookup) maps it to this same message.
		res.Outcome = Interrupted
		return res, err
	}
	res.Outcome = Sent
	log.Info("post published", "message_id", msg.ID.String(), "action", "publicpost.sent")
	return res, nil
}

func (p *Publisher) send(ctx context.Context, c *claim) (*discord.Message, error) {
	ctx, cancel := context.WithTimeout(ctx, p.cfg.SendTimeout)
	defer cancel()
	users := make([]snowflake.ID, len(c.Payload.MentionUsers))
	for i, u := range c.Payload.MentionUsers {
		users[i] = snowflake.ID(u)
	}
	m := discord.MessageCreate{
		Content:         c.Payload.Content,
		AllowedMentions: &discord.AllowedMentions{Users: users},
		Nonce:           Nonce(c.ID),
		EnforceNonce:    true,
	}
	return p.discord.CreateMessage(snowflake.ID(c.ChannelID), m, rest.WithCtx(ctx))
}

// sendFailed classifies a Discord error and records what happens next.
func (p *Publisher) sendFailed(ctx context.Context, log *slog.Logger, c *claim, err error) (Result, error) {
	res := Result{PostID: c.ID}
	if ctx.Err() != nil {
		// Shutting down: hand the post back now rather than after the lease.
		// Not refunded: the request may have reached Discord.
		wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		res.Outcome = Interrupted
		return res, errors.Join(ctx.Err(), reschedule(wctx, p.db.Bun, c, 0, "interrupted: "+err.Error(), false))
	}
	if d, ok := resterr.RetryAfter(err); ok {
		res.Outcome, res.RetryAt = Rescheduled, time.Now().Add(d)
		log.Info("post rate limited; retrying later", "retry_after", d.String(), "action", "publicpost.retry")
		return res, reschedule(ctx, p.db.Bun, c, d, "rate limited: "+err.Error(), true)
	}
	if resterr.IsTransient(err) {
		if c.Attempts >= p.cfg.MaxAttempts {
			res.Outcome = Failed
			reason := fmt.Sprintf("gave up after %d attempts: %v", c.Attempts, err)
			log.Error("post failed", "error", err, "action", "publicpost.failed")
			return res, markFailed(ctx, p.db.Bun, c, reason)
		}
		d := max(p.cfg.Backoff.Duration(c.Attempts), p.cfg.Backoff.Ceiling(c.Attempts)/2)
		res.Outcome, res.RetryAt = Rescheduled, time.Now().Add(d)
		log.Warn("post send failed; retrying", "error", err, "retry_in", d.String(), "action", "publicpost.retry")
		return res, reschedule(ctx, p.db.Bun, c, d, fmt.Sprintf("attempt %d: %v", c.Attempts, err), false)
	}
	res.Outcome = Failed
	reason := describePermanent(err)
	log.Error("post failed permanently", "error", err, "reason", reason, "action", "publicpost.failed")
	return res, markFailed(ctx, p.db.Bun, c, reason)
}

// describePermanent turns a final Discord error into the last_error staff
// and operators read.
func describePermanent(err error) string {
	code, _ := resterr.Code(err)
	switch {
	case resterr.IsUnknownResource(err):
		return fmt.Sprintf("permanent: unknown channel (Discord code %d): the target channel was deleted or is not visible to the bot: %v", code, err)
	case resterr.IsForbidden(err):
		return fmt.Sprintf("permanent: missing access (Discord code %d): the bot cannot view or send in the target channel: %v", code, err)
	case resterr.IsPermanent(err):
		return fmt.Sprintf("permanent: Discord refused the message (HTTP %d, code %d): %v", resterr.StatusCode(err), code, err)
	default:
		return "permanent: " + err.Error()
	}
}
