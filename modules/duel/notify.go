package duel

import (
	"context"
	"fmt"
	"hash/fnv"
	"strings"
	"time"

	"github.com/disgoorg/disgo/discord"

	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/discord/restclient"
)

// notify posts the round's prompt in one room and records the outcome. When
// the round stopped taking answers before the prompt could be posted (a
// Discord outage, a crash and the job's re-run, staff closing answers early
// or cancelling), the room still gets the prompt, marked late: what happened
// and where votes and results are, with no Submit button; the delivery is
// recorded as "late". A permanent failure (room deleted, access lost) is recorded and reported,
// not retried; transient ones are retried by River up to notifyMaxAttempts;
// rate limits snooze without using an attempt.
func (s *Service) notify(ctx context.Context, a NotifyArgs, lastAttempt bool) error {
	var (
		status  string
		channel int64
		phase   string
		open    bool
	)
	err := s.DB.Bun.QueryRowContext(ctx, `SELECT d.status, coalesce(d.channel_id, 0), r.phase, r.answer_deadline > clock_timestamp()
		FROM duel_deliveries d JOIN duel_rounds r ON r.id = d.round_id WHERE d.round_id = ? AND d.pair_id = ?`,
		a.RoundID, a.PairID).Scan(&status, &channel, &phase, &open)
	if db.IsNoRows(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if status != "pending" {
		return nil // a duplicate or redelivered job: already done
	}
	r, err := loadRound(ctx, s.DB.Bun, a.RoundID, noLock)
	if err != nil {
		return err
	}
	locale := s.Guilds.Locale(ctx, a.GuildID)
	sent := "sent"
	var msg discord.MessageCreate
	if roundPhase(phase) == phaseAnswering && open {
		if msg, err = s.noticeMessage(locale, r, a.PairID); err != nil {
			return err
		}
	} else {
		if msg, err = s.lateNotice(ctx, locale, r); err != nil {
			return err
		}
		sent = "late"
	}
	return restclient.Deliver(ctx, s.Rest, restclient.Delivery{ChannelID: uint64(channel), Message: msg,
		Nonce: noticeNonce(a.RoundID, a.PairID),
		Record: func(ctx context.Context, o restclient.Outcome, messageID uint64, lastErr string) error {
			status := sent
			switch {
			case o == restclient.Refused || (o == restclient.Failed && lastAttempt):
				status = "failed"
			case o == restclient.Failed:
				status = "pending"
			}
			return s.setDelivery(ctx, a, status, messageID, lastErr)
		}}, s.Logger.With("guild_id", a.GuildID, "round_id", a.RoundID, "pair_id", a.PairID))
}

// setDelivery records one attempt's outcome; it only moves pending rows, so
// a late duplicate cannot overwrite "sent".
func (s *Service) setDelivery(ctx context.Context, a NotifyArgs, status string, messageID uint64, lastErr string) error {
	var msg any
	if messageID != 0 {
		msg = int64(messageID)
	}
	_, err := s.DB.Bun.ExecContext(ctx, `UPDATE duel_deliveries SET status = ?, message_id = ?, last_error = nullif(?, ''),
		attempts = attempts + 1, updated_at = now() WHERE round_id = ? AND pair_id = ? AND status = 'pending'`,
		status, msg, lastErr, a.RoundID, a.PairID)
	if err != nil {
		return fmt.Errorf("duel: record delivery: %w", err)
	}
	return nil
}

// noticeMessage is the prompt posted in a pair's room.
func (s *Service) noticeMessage(locale string, r round, pairID int64) (discord.MessageCreate, error) {
	id, err := submitID(r.ID, pairID)
	if err != nil {
		return discord.MessageCreate{}, err
	}
	text := s.t(locale, "duel.notice.text", "no", r.No, "prompt", quote(r.Prompt),
		"deadline", timestamp(r.AnswerDeadline, "t"), "relative", timestamp(r.AnswerDeadline, "R"))
	return discord.MessageCreate{
		Content: text,
		Components: []discord.LayoutComponent{discord.NewActionRow(
			discord.NewPrimaryButton(s.t(locale, "duel.button.submit"), id))},
		// A prompt may contain @everyone or mentions: never ping from it.
		AllowedMentions: &discord.AllowedMentions{},
	}, nil
}

// lateNotice is the prompt of a round that stopped taking answers before it
// reached the room: the pair learns the round happened without them through
// no fault of theirs, and where to vote and see results. No Submit button.
func (s *Service) lateNotice(ctx context.Context, locale string, r round) (discord.MessageCreate, error) {
	var board int64
	if err := s.DB.Bun.QueryRowContext(ctx, `SELECT channel_id FROM duel_duels WHERE id = ?`, r.DuelID).Scan(&board); err != nil {
		return discord.MessageCreate{}, fmt.Errorf("duel: scoreboard of duel %d: %w", r.DuelID, err)
	}
	key := "duel.notice.late"
	if r.Phase == phaseCancelled {
		key = "duel.notice.late_cancelled"
	}
	return discord.MessageCreate{
		Content: s.t(locale, key, "no", r.No, "prompt", quote(r.Prompt), "closed", timestamp(r.AnswerDeadline, "f"),
			"channel", channelMention(uint64(board))),
		AllowedMentions: &discord.AllowedMentions{},
	}, nil
}

// noticeNonce makes a retried post after a lost response idempotent
// (Discord keeps nonces for a few minutes; ≤ 25 characters).
func noticeNonce(roundID, pairID int64) string {
	h := fnv.New64a()
	_, _ = fmt.Fprintf(h, "duel:%d:%d", roundID, pairID)
	return fmt.Sprintf("d%x", h.Sum64())
}

// quote renders text as a Markdown block quote.
func quote(text string) string {
	return "> " + strings.ReplaceAll(text, "\n", "\n> ")
}

// timestamp is a Discord timestamp tag; style t (time) or R (relative).
func timestamp(t time.Time, style string) string {
	return fmt.Sprintf("<t:%d:%s>", t.Unix(), style)
}
