package raid

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/disgoorg/disgo/discord"

	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/discord/restclient"
	"github.com/together-bot/together/core/guild"
	"github.com/together-bot/together/core/queue"
)

// errNoRoom: the pair's room does not exist (yet); the job retries.
var errNoRoom = errors.New("raid: the pair has no room yet")

// deliverPrompt posts a pending claim's confirm prompt in the pair's room
// and records the outcome. Transient failures (and a room still being
// created) stay pending: the job retries, and after its attempts run out
// the step re-queues it while the claim can still be confirmed. A
// permanent refusal (room deleted, access lost) is recorded as failed.
// Either way the claim stays confirmable from /raid quests.
func (s *service) deliverPrompt(ctx context.Context, a promptArgs) error {
	c, err := loadClaim(ctx, s.DB.Bun, a.GuildID, a.ClaimID, noLock)
	if errors.Is(err, errNoClaim) {
		return nil
	}
	if err != nil {
		return err
	}
	if c.Status != claimPending || c.PromptStatus == "sent" {
		return nil // confirmed already, or a duplicate job
	}
	r, err := loadRaid(ctx, s.DB.Bun, c.RaidID)
	if err != nil {
		return err
	}
	if !r.Open(s.now()) || c.Day != r.Today(s.now()) {
		return nil // no longer confirmable: nothing to prompt for
	}
	p, err := s.pairs.Pair(ctx, s.DB.Bun, c.PairID)
	if err != nil {
		return err
	}
	if p.ChannelID == 0 {
		if err := s.setPrompt(ctx, c.ID, "pending", 0, errNoRoom.Error()); err != nil {
			return err
		}
		return fmt.Errorf("raid: prompt for claim %d: %w", c.ID, errNoRoom)
	}
	msg, err := s.promptMessage(s.Guilds.Locale(ctx, c.GuildID), c)
	if err != nil {
		return err
	}
	return restclient.Deliver(ctx, s.Rest, restclient.Delivery{ChannelID: p.ChannelID, Message: msg, Nonce: promptNonce(c.ID),
		Record: func(ctx context.Context, o restclient.Outcome, messageID uint64, lastErr string) error {
			return s.setPrompt(ctx, c.ID, promptStatus[o], messageID, lastErr)
		}}, s.Logger.With("guild_id", c.GuildID, "claim_id", c.ID, "pair_id", c.PairID))
}

// promptStatus is the prompt_status an attempt leaves: a transient failure
// stays pending (the job retries, then the step re-queues it).
var promptStatus = map[restclient.Outcome]string{restclient.Sent: "sent", restclient.Refused: "failed", restclient.Failed: "pending"}

// setPrompt records one attempt; it never moves a prompt out of "sent".
func (s *service) setPrompt(ctx context.Context, claimID int64, status string, messageID uint64, lastErr string) error {
	var msg any
	if messageID != 0 {
		msg = int64(messageID)
	}
	_, err := s.DB.Bun.ExecContext(ctx, `UPDATE raid_claims SET prompt_status = ?, prompt_message = ?,
		prompt_error = nullif(?, ''), prompt_tries = prompt_tries + 1 WHERE id = ? AND prompt_status <> 'sent'`,
		status, msg, lastErr, claimID)
	if err != nil {
		return fmt.Errorf("raid: record prompt: %w", err)
	}
	return nil
}

// promptMessage is the confirm prompt posted in the pair's room.
func (s *service) promptMessage(locale string, c claim) (discord.MessageCreate, error) {
	id, err := confirmID(c.ID)
	if err != nil {
		return discord.MessageCreate{}, err
	}
	return discord.MessageCreate{
		Content: s.t(locale, "raid.prompt.text", "user", fmt.Sprintf("<@%d>", c.RequestedBy), "quest", questText(c.QuestKey, locale),
			"points", c.Points),
		Components: []discord.LayoutComponent{discord.NewActionRow(
			discord.NewSuccessButton(s.t(locale, "raid.button.confirm"), id))},
		// Mention the requester in text only: the room is theirs, no ping needed.
		AllowedMentions: &discord.AllowedMentions{},
	}, nil
}

// promptNonce makes a retried post after a lost response idempotent.
func promptNonce(claimID int64) string {
	h := fnv.New64a()
	_, _ = fmt.Fprintf(h, "raid:%d", claimID)
	return fmt.Sprintf("r%x", h.Sum64())
}

// requeuePrompts queues prompts still pending after a minute for claims
// that can still be confirmed today (after the gate skipped them, an
// operator deleted jobs, or a job ran out of attempts on a long outage).
// Uniqueness makes it harmless while the original job is queued. Guilds
// that turned raid off are left out in the query: the queue's gate would
// only skip their prompts again, every run.
func (s *service) requeuePrompts(ctx context.Context) (int, error) {
	now := s.now()
	n, err := queue.Requeue(ctx, s.Queue, func(row db.Scanner) (promptArgs, error) {
		var a promptArgs
		return a, row.Scan(&a.ClaimID, &a.GuildID)
	}, `SELECT c.id, c.guild_id FROM raid_claims c JOIN raid_raids r ON r.id = c.raid_id
		WHERE c.status = 'pending' AND c.prompt_status = 'pending' AND r.status = 'active' AND r.ends_at > ?
		  AND c.day = (?::timestamptz AT TIME ZONE r.timezone)::date
		  AND c.created_at < ? AND NOT `+guild.ModuleOffCondition("c.guild_id", Name)+` ORDER BY c.id LIMIT 1000`,
		now, now, now.Add(-time.Minute))
	if err != nil {
		return 0, fmt.Errorf("raid: re-queue prompts: %w", err)
	}
	return n, nil
}
