package projection

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/disgo/rest"
	"github.com/disgoorg/snowflake/v2"
	"github.com/riverqueue/river"

	"github.com/together-bot/together/core/discord/resterr"
	"github.com/together-bot/together/core/discord/restlimit"
	"github.com/together-bot/together/core/queue"
)

// callTimeout bounds one REST call including the limiter's wait; a wait the
// limiter knows to be longer fails at once and becomes a snooze.
const callTimeout = 10 * time.Second

// retryBackoff spaces retries of transient failures (5xx, network).
var retryBackoff = resterr.BackoffPolicy{Base: time.Second, Max: 5 * time.Minute}

// Job returns the refresh worker for the queue (queue.Jobs).
func (s *Service) Job() queue.Job {
	return queue.NewJob(QueueName, "refreshes a dashboard message from Postgres (core/projection)", &refreshWorker{s: s})
}

type refreshWorker struct {
	river.WorkerDefaults[RefreshArgs]
	s *Service
}

func (w *refreshWorker) Work(ctx context.Context, job *river.Job[RefreshArgs]) error {
	return w.s.work(ctx, job)
}

// Timeout leaves room for WorkBudget of in-process refreshes plus one send.
func (w *refreshWorker) Timeout(*river.Job[RefreshArgs]) time.Duration {
	return w.s.opts.WorkBudget + time.Minute
}

// NextRetry replaces River's attempt^4 with capped, jittered backoff: a
// dashboard should come back within minutes of Discord recovering.
func (w *refreshWorker) NextRetry(job *river.Job[RefreshArgs]) time.Time {
	return time.Now().Add(retryBackoff.Duration(job.Attempt))
}

// result of one refresh pass.
type result struct {
	// version is the latest version this pass dealt with: shown on Discord,
	// or deliberately not shown (module off in the guild, channel broken).
	// The trailing check in finish compares against it either way, so a
	// Request that lands during the pass is never dropped.
	version int64
}

func (s *Service) work(ctx context.Context, job *river.Job[RefreshArgs]) error {
	r, ok := s.renderer(job.Args.Projection)
	if !ok {
		// Another process may run the module that owns this kind; give it
		// the job. The projection stays dirty, so nothing is lost meanwhile.
		s.log.Warn("no renderer for projection kind in this process", "kind", job.Args.Projection)
		return river.JobSnooze(15 * time.Second)
	}
	if s.discord == nil {
		return errors.New("projection: Service has no Discord client")
	}
	// A REST call that cannot get a send slot within MaxSleep fails at once
	// with the delay, and the job snoozes instead of holding its worker.
	ctx = restlimit.WithMaxWait(ctx, s.opts.MaxSleep)
	start := time.Now()
	for {
		res, err := s.refresh(ctx, r, job.Args.Key)
		if errors.Is(err, errNoRow) {
			return nil
		}
		if err != nil {
			return err
		}
		again, err := s.finish(ctx, job, res.version)
		if err != nil || !again {
			return err
		}
		if time.Since(start) > s.opts.WorkBudget {
			return river.JobSnooze(0)
		}
	}
}

// refresh brings Discord to the current version of one projection, or
// returns a snooze/retry error.
func (s *Service) refresh(ctx context.Context, r Renderer, key string) (result, error) {
	p, err := s.load(ctx, r.Kind, key)
	if err != nil {
		return result{}, err
	}
	if p.GuildID != 0 {
		if on, err := s.enabled(ctx, r.Module, p.GuildID); err != nil || !on {
			return result{version: p.Version}, err
		}
	}
	if p.Version <= p.DoneVersion && p.State != StatusPending {
		return result{version: p.Version}, nil
	}
	// A dashboard's own spacing first, before rendering: the snapshot should
	// be as fresh as possible when it is sent.
	if p.LastEditAt != nil && p.State == StatusOK {
		next := p.LastEditAt.Add(s.opts.messageInterval(p.Active))
		if err := s.pause(ctx, next.Sub(p.Now)); err != nil {
			return result{}, err
		}
	}
	rd, v, err := s.snapshot(ctx, r, key)
	if err != nil {
		var re *RenderError
		if errors.As(err, &re) {
			s.noteError(ctx, r.Kind, key, err.Error())
		}
		return result{}, err
	}
	if rd.Gone {
		return s.gone(ctx, r, p, v)
	}
	if rd.GuildID != 0 && rd.GuildID != snowflake.ID(p.GuildID) {
		if on, err := s.enabled(ctx, r.Module, uint64(rd.GuildID)); err != nil || !on {
			return result{version: v}, err
		}
	}
	channel := uint64(rd.ChannelID)
	if channel == 0 {
		return result{}, &RenderError{Kind: r.Kind, Key: key, Err: errors.New("rendered message has no channel")}
	}
	if p.State == StatusBroken && channel == p.ChannelID && p.RetryAt != nil && p.RetryAt.After(p.Now) {
		// Still within the broken backoff for this channel: asking Discord
		// again would only add to the invalid-request count.
		return result{version: v}, nil
	}
	hash, err := contentHash(rd.Message)
	if err != nil {
		return result{}, err
	}
	needPin := r.Pin && !p.Pinned
	message := p.MessageID
	if message != 0 && p.ChannelID != channel {
		// Reconfigured to another channel: remove the old message, start over.
		if err := s.deleteOld(ctx, p); err != nil {
			return result{}, err
		}
		message, needPin = 0, r.Pin
	}
	// Equal content needs no call, except for a broken projection: only a
	// successful send proves the channel works again.
	if message != 0 && bytes.Equal(hash, p.ContentHash) && p.State != StatusBroken {
		if needPin {
			return s.pinOnly(ctx, r, p, rd, v, hash)
		}
		s.observe(r.Kind, "skipped", time.Time{})
		return result{version: v}, s.markShown(ctx, r.Kind, key, v, shown{
			guild: uint64(rd.GuildID), channel: channel, message: message, hash: hash, pinned: p.Pinned})
	}

	renderedAt := time.Now()
	sentAt, err := s.reserve(ctx, channel)
	if err != nil {
		return result{}, err
	}
	lead, booking := s.lead.lead(), time.Now()
	ctx, slot, err := s.bookSlot(ctx, channel, message, lead)
	defer slot.Forgo() // when no call follows after all (lost creation lease)
	if err != nil {
		return result{}, err
	}
	if time.Since(renderedAt) > lead {
		// We waited for the channel or the send slot: send what is true
		// now, not before the wait.
		if fresh, fv, err := s.snapshot(ctx, r, key); err == nil && !fresh.Gone && fresh.ChannelID == rd.ChannelID {
			if h, err := contentHash(fresh.Message); err == nil {
				rd, v, hash = fresh, fv, h
				renderedAt = time.Now()
				if slot != nil {
					// From the planned wake-up to a finished render: a
					// late wake-up costs the slot as a slow render does.
					wake := slot.SendAt().Add(-lead)
					if wake.Before(booking) {
						wake = booking
					}
					s.lead.observe(renderedAt.Sub(wake))
				}
			}
		}
	}

	if message != 0 {
		_, err := withCall(ctx, func(o rest.RequestOpt) (*discord.Message, error) {
			return s.discord.UpdateMessage(snowflake.ID(channel), snowflake.ID(message), update(rd.Message), o)
		})
		if err == nil {
			s.observe(r.Kind, "edited", p.RequestedAt)
			return result{version: v}, s.markShown(ctx, r.Kind, key, v, shown{guild: uint64(rd.GuildID),
				channel: channel, message: message, hash: hash, edited: &sentAt, pinned: p.Pinned})
		}
		if out, _, _ := classify(err); out != outUnknownMessage {
			return s.sendFailed(ctx, r, key, rd, v, "edit", err)
		}
		// Deleted by hand: forget it and create a new one (another
		// Discord bucket, so no channel pacing to wait for).
		s.log.Info("dashboard message was deleted; recreating it", "kind", r.Kind, "key", key, "message_id", message)
		if err := s.forgetMessage(ctx, r.Kind, key, message); err != nil {
			return result{}, err
		}
		sentAt = time.Now()
	}
	res, err := s.create(ctx, r, key, rd, v, hash, sentAt)
	if err == nil {
		s.observe(r.Kind, "created", p.RequestedAt)
	}
	return res, err
}

// sendFailed is the job's outcome for a failed edit or create (what): the
// dashboard marked broken, a snooze for a rate limit, or an error River
// retries.
func (s *Service) sendFailed(ctx context.Context, r Renderer, key string, rd Rendered, v int64, what string, err error) (result, error) {
	out, d, reason := classify(err)
	switch out {
	case outBroken:
		return s.broken(ctx, r, key, rd, v, reason, err)
	case outRateLimited:
		return result{}, river.JobSnooze(d)
	default:
		return result{}, fmt.Errorf("projection: %s %s/%s: %w", what, r.Kind, key, err)
	}
}

// create POSTs the message under the creation lease, then pins it if asked.
func (s *Service) create(ctx context.Context, r Renderer, key string, rd Rendered, v int64, hash []byte, sentAt time.Time) (result, error) {
	nonce, ok, err := s.acquireCreate(ctx, r.Kind, key)
	if err != nil {
		return result{}, err
	}
	if !ok {
		// Someone else created it meanwhile, or holds the lease: come back.
		return result{}, river.JobSnooze(2 * time.Second)
	}
	m := rd.Message
	m.Nonce, m.EnforceNonce = nonce, true
	m.AllowedMentions = allowedMentions(m)
	msg, err := withCall(ctx, func(o rest.RequestOpt) (*discord.Message, error) {
		return s.discord.CreateMessage(rd.ChannelID, m, o)
	})
	if err != nil {
		s.releaseCreate(ctx, r.Kind, key)
		return s.sendFailed(ctx, r, key, rd, v, "create", err)
	}
	sh := shown{guild: uint64(rd.GuildID), channel: uint64(rd.ChannelID), message: uint64(msg.ID), hash: hash, edited: &sentAt}
	if err := s.markShown(ctx, r.Kind, key, v, sh); err != nil {
		return result{}, err
	}
	if r.Pin {
		s.pin(ctx, r, key, rd.ChannelID, msg.ID)
	}
	return result{version: v}, nil
}

// pin pins once. A pin that fails for good is recorded and not retried (a
// missing permission would otherwise cost an invalid request per refresh);
// a transient failure leaves pinned=false for the next refresh to retry.
func (s *Service) pin(ctx context.Context, r Renderer, key string, channel, message snowflake.ID) {
	_, err := withCall(ctx, func(o rest.RequestOpt) (struct{}, error) {
		return struct{}{}, s.discord.PinMessage(channel, message, o)
	})
	reason := ""
	if err != nil {
		if out, _, _ := classify(err); out == outTransient || out == outRateLimited {
			s.log.Warn("pin dashboard message; will retry", "kind", r.Kind, "key", key, "error", err)
			return
		}
		reason = "cannot pin the dashboard: " + errSummary(err)
	}
	if err := s.setPinned(ctx, r.Kind, key, reason); err != nil {
		s.log.Warn("record pin", "kind", r.Kind, "key", key, "error", err)
	}
}

func (s *Service) pinOnly(ctx context.Context, r Renderer, p *projRow, rd Rendered, v int64, hash []byte) (result, error) {
	if err := s.markShown(ctx, r.Kind, p.Key, v, shown{guild: uint64(rd.GuildID), channel: p.ChannelID,
		message: p.MessageID, hash: hash, pinned: false}); err != nil {
		return result{}, err
	}
	s.pin(ctx, r, p.Key, snowflake.ID(p.ChannelID), snowflake.ID(p.MessageID))
	return result{version: v}, nil
}

// gone deletes the message of a projection whose subject no longer exists.
func (s *Service) gone(ctx context.Context, r Renderer, p *projRow, v int64) (result, error) {
	if err := s.deleteOld(ctx, p); err != nil {
		return result{}, err
	}
	return result{version: v}, s.markGone(ctx, r.Kind, p.Key, v)
}

// deleteOld deletes p's message, if any. Unknown message/channel or missing
// access mean there is nothing we can or need to delete.
func (s *Service) deleteOld(ctx context.Context, p *projRow) error {
	if p.MessageID == 0 {
		return nil
	}
	_, err := withCall(ctx, func(o rest.RequestOpt) (struct{}, error) {
		return struct{}{}, s.discord.DeleteMessage(snowflake.ID(p.ChannelID), snowflake.ID(p.MessageID), o)
	})
	if err != nil {
		switch out, d, _ := classify(err); out {
		case outRateLimited:
			return river.JobSnooze(d)
		case outTransient:
			return fmt.Errorf("projection: delete old message of %s/%s: %w", p.Kind, p.Key, err)
		default:
			s.log.Info("old dashboard message not deleted", "kind", p.Kind, "key", p.Key, "message_id", p.MessageID, "error", err)
		}
	}
	return s.forgetMessage(ctx, p.Kind, p.Key, p.MessageID)
}

func (s *Service) broken(ctx context.Context, r Renderer, key string, rd Rendered, v int64, reason string, cause error) (result, error) {
	s.observe(r.Kind, "broken", time.Time{})
	s.log.Warn("dashboard broken; will retry after the recheck interval or when reconfigured",
		"kind", r.Kind, "key", key, "channel_id", rd.ChannelID, "reason", reason, "error", cause)
	return result{version: v}, s.markBroken(ctx, r.Kind, key, uint64(rd.GuildID), uint64(rd.ChannelID), reason)
}

func (s *Service) enabled(ctx context.Context, module string, guild uint64) (bool, error) {
	if s.gate == nil {
		return true, nil
	}
	on, err := s.gate.ModuleEnabled(ctx, module, guild)
	if err != nil {
		return false, fmt.Errorf("projection: module gate: %w", err)
	}
	return on, nil
}

// bookSlot books the REST budget's send slot for the refresh's call (the
// edit of message, or the create when there is none) and waits until
// lead before it, so the snapshot rendered next is what Discord gets.
// It returns the context the call must be made with, and the slot (nil
// when the limiter books at send time). A slot that cannot be
// had within MaxSleep becomes a snooze for the expected wait.
func (s *Service) bookSlot(ctx context.Context, channel, message uint64, lead time.Duration) (context.Context, *restlimit.Slot, error) {
	if s.slots == nil {
		return ctx, nil, nil
	}
	ep := rest.CreateMessage.Compile(nil, snowflake.ID(channel))
	if message != 0 {
		ep = rest.UpdateMessage.Compile(nil, snowflake.ID(channel), snowflake.ID(message))
	}
	slot, err := s.slots.Book(ctx, ep, lead)
	if err != nil {
		if out, d, _ := classify(err); out == outRateLimited {
			return nil, nil, river.JobSnooze(d)
		}
		return nil, nil, fmt.Errorf("projection: book a send slot in channel %d: %w", channel, err)
	}
	return restlimit.WithSlot(ctx, slot), slot, nil
}

// withCall runs one REST call with the job's context and a bound, so a
// limiter wait that cannot finish in time fails fast and becomes a snooze.
func withCall[T any](ctx context.Context, call func(opt rest.RequestOpt) (T, error)) (T, error) {
	c, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	return call(rest.WithCtx(c))
}
