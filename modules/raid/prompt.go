package raid

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/disgo/rest"
	"github.com/disgoorg/snowflake/v2"
	"github.com/riverqueue/river"

	"github.com/together-bot/together/core/discord/resterr"
	"github.com/together-bot/together/core/guild"
)

// sendTimeout bounds one post including the rate limiter's wait.
const sendTimeout = 15 * time.Second

// errNoRoom: the pair's room does not exist (yet); the job retries.
var errNoRoom = errors.New("raid: the pair has no room yet")

// deliverPrompt posts a pending claim's confirm prompt in the pair's room
// and records the outcome. Transient failures (and a room still being
// created) stay pending: the job retries, and after its attempts run out
// the step re-queues it while the claim can still be confirmed. A
// permanent refusal (room deleted, access lost) is recorded as failed.
// Either way the claim stays confirmable from /raid quests.
func (s *service) deliverPrompt(ctx context.Context, claimID int64) error {
	c, err := loadClaim(ctx, s.DB.Bun, claimID, noLock)
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
	fail := func(err error) error {
		if derr := s.setPrompt(ctx, c.ID, "pending", 0, err.Error()); derr != nil {
			return derr
		}
		return fmt.Errorf("raid: prompt for claim %d: %w", c.ID, err)
	}
	if p.ChannelID == 0 {
		return fail(errNoRoom)
	}
	msg, err := s.promptMessage(s.Guilds.Locale(ctx, c.GuildID), c)
	if err != nil {
		return err
	}
	msg.Nonce, msg.EnforceNonce = promptNonce(c.ID), true
	cctx, cancel := context.WithTimeout(ctx, sendTimeout)
	m, err := s.Rest.CreateMessage(snowflake.ID(p.ChannelID), msg, rest.WithCtx(cctx))
	cancel()
	switch {
	case err == nil:
		return s.setPrompt(ctx, c.ID, "sent", uint64(m.ID), "")
	case resterr.IsRateLimited(err):
		if d, ok := resterr.RetryAfter(err); ok {
			return river.JobSnooze(d)
		}
		return river.JobSnooze(time.Second)
	case resterr.IsPermanent(err):
		s.Logger.Warn("pair room unreachable; confirm prompt not delivered", "guild_id", c.GuildID, "claim_id", c.ID,
			"pair_id", c.PairID, "channel_id", p.ChannelID, "error", err)
		return s.setPrompt(ctx, c.ID, "failed", 0, err.Error())
	default:
		return fail(err)
	}
}

// setPrompt records one attempt; it never moves a prompt out of "sent".
func (s *service) setPrompt(ctx context.Context, claimID int64, status string, messageID uint64, lastErr string) error {
	var msg any
	if messageID != 0 {
		msg = int64(messageID)
	}
	if len(lastErr) > 300 {
		lastErr = lastErr[:300]
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
	rows, err := s.DB.Bun.QueryContext(ctx, `SELECT c.id, c.guild_id FROM raid_claims c JOIN raid_raids r ON r.id = c.raid_id
		WHERE c.status = 'pending' AND c.prompt_status = 'pending' AND r.status = 'active' AND r.ends_at > ?
		  AND c.day = (?::timestamptz AT TIME ZONE r.timezone)::date
		  AND c.created_at < ? AND NOT `+guild.ModuleOffCondition("c.guild_id", Name)+` ORDER BY c.id LIMIT 1000`,
		now, now, now.Add(-time.Minute))
	if err != nil {
		return 0, fmt.Errorf("raid: pending prompts: %w", err)
	}
	var params []river.InsertManyParams
	for rows.Next() {
		var a promptArgs
		var g int64
		if err := rows.Scan(&a.ClaimID, &g); err != nil {
			rows.Close()
			return 0, err
		}
		a.GuildID = uint64(g)
		params = append(params, river.InsertManyParams{Args: a, InsertOpts: promptInsertOpts()})
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(params) == 0 {
		return 0, err
	}
	res, err := s.Queue.InsertMany(ctx, params)
	if err != nil {
		return 0, fmt.Errorf("raid: re-queue prompts: %w", err)
	}
	n := 0
	for _, r := range res {
		if !r.UniqueSkippedAsDuplicate {
			n++
		}
	}
	return n, nil
}
