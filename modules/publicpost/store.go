package publicpost

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/guild"
	"github.com/together-bot/together/core/usertext"
)

// postCols is the column list every query returns, in scanPost's order.
const postCols = `id, guild_id, channel_id, source, payload, scheduled_for, status, idempotency_key,
	attempts, next_attempt_at, lease_until, first_attempt_at, last_attempt_at, sent_at,
	published_message_id, last_error, created_by, created_at, updated_at`

// offGuild is true for rows of guilds where an admin turned publicpost off, so
// one query skips those rows: they stay pending, untouched, instead of being
// claimed and put back on every sweep (the original's endless bounce).
var offGuild = guild.ModuleOffCondition("p.guild_id", Name)

// readPost reads a row of postCols (db.Query's scan).
func readPost(row db.Scanner) (Post, error) { return scanPost(row) }

// scanPost reads a row of postCols, then any extra columns into extra.
func scanPost(row db.Scanner, extra ...any) (Post, error) {
	var (
		p                      Post
		gid, ch                int64
		msgID, createdBy       *int64
		payload                []byte
		status                 string
		lastErr                *string
		lease, first, last, at *time.Time
	)
	dest := append([]any{&p.ID, &gid, &ch, &p.Source, &payload, &p.ScheduledFor, &status, &p.IdempotencyKey,
		&p.Attempts, &p.NextAttemptAt, &lease, &first, &last, &at, &msgID, &lastErr, &createdBy,
		&p.CreatedAt, &p.UpdatedAt}, extra...)
	if err := row.Scan(dest...); err != nil {
		return Post{}, err
	}
	p.GuildID, p.ChannelID, p.Status = uint64(gid), uint64(ch), Status(status)
	p.LeaseUntil, p.FirstAttemptAt, p.LastAttemptAt, p.SentAt = lease, first, last, at
	if msgID != nil {
		p.PublishedMessageID = uint64(*msgID)
	}
	if createdBy != nil {
		p.CreatedBy = uint64(*createdBy)
	}
	if lastErr != nil {
		p.LastError = *lastErr
	}
	var err error
	p.Payload, err = decodePayload(payload)
	return p, err
}

// insertPost writes the row in the caller's transaction. On an idempotency
// key conflict it returns the existing row and created=false.
func insertPost(ctx context.Context, tx bun.Tx, n NewPost) (Post, bool, error) {
	payload, err := json.Marshal(n.Payload)
	if err != nil {
		return Post{}, false, fmt.Errorf("encode payload: %w", err)
	}
	var createdBy *int64
	if n.CreatedBy != 0 {
		v := int64(n.CreatedBy)
		createdBy = &v
	}
	// ON CONFLICT DO NOTHING returns no row on conflict; the second statement
	// then reads the winner. Both run in the caller's transaction, so a row
	// committed by a concurrent creator is visible (READ COMMITTED).
	// The payload goes as text: bun writes []byte as bytea.
	row := tx.QueryRowContext(ctx, `
		INSERT INTO publicpost_posts (guild_id, channel_id, source, payload, scheduled_for, idempotency_key, next_attempt_at, created_by)
		VALUES (?, ?, ?, ?::jsonb, ?, ?, ?, ?)
		ON CONFLICT ON CONSTRAINT publicpost_posts_idempotency_key_key DO NOTHING
		RETURNING `+postCols,
		int64(n.GuildID), int64(n.ChannelID), n.Source, string(payload), n.At, n.IdempotencyKey, n.At, createdBy)
	p, err := scanPost(row)
	if err == nil {
		return p, true, nil
	}
	if !db.IsNoRows(err) {
		return Post{}, false, fmt.Errorf("insert scheduled post: %w", err)
	}
	p, err = scanPost(tx.QueryRowContext(ctx, `SELECT `+postCols+` FROM publicpost_posts WHERE idempotency_key = ?`, n.IdempotencyKey))
	if err != nil {
		return Post{}, false, fmt.Errorf("read existing post %q: %w", n.IdempotencyKey, err)
	}
	return p, false, nil
}

// claim is one claimed row plus what the claim learnt about earlier attempts.
type claim struct {
	Post
	// token fences later updates: only the holder of this claim may release it.
	token time.Time
	// retried: an earlier attempt may have reached Discord.
	retried bool
	// stale: that earlier attempt is older than the nonce window we trust.
	stale bool
}

// claimNext moves the oldest due row (or the given one, if due) to processing
// under a lease. The row lock plus SKIP LOCKED means concurrent claimers take
// different rows; the committed lease keeps the row away from everyone else
// until it expires. Returns nil when nothing is claimable.
func claimNext(ctx context.Context, idb bun.IDB, onlyID int64, lease, nonceTrust time.Duration) (*claim, error) {
	var idArg *int64
	if onlyID != 0 {
		idArg = &onlyID
	}
	row := idb.QueryRowContext(ctx, `
		WITH c AS (
			SELECT p.id FROM publicpost_posts p
			WHERE p.status IN ('pending', 'processing') AND p.next_attempt_at <= now()
				AND (?::bigint IS NULL OR p.id = ?)
				AND NOT `+offGuild+`
			ORDER BY p.next_attempt_at, p.id
			LIMIT 1
			FOR UPDATE OF p SKIP LOCKED
		)
		UPDATE publicpost_posts p SET
			status = 'processing', attempts = p.attempts + 1,
			lease_until = now() + make_interval(secs => ?), next_attempt_at = now() + make_interval(secs => ?),
			first_attempt_at = coalesce(p.first_attempt_at, now()), last_attempt_at = now(), updated_at = now()
		FROM c WHERE p.id = c.id
		RETURNING `+prefixed("p", postCols)+`,
			p.first_attempt_at < now(), p.first_attempt_at < now() - make_interval(secs => ?)`,
		idArg, idArg, lease.Seconds(), lease.Seconds(), nonceTrust.Seconds())
	var c claim
	p, err := scanPost(row, &c.retried, &c.stale)
	if db.IsNoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("claim scheduled post: %w", err)
	}
	c.Post, c.token = p, *p.LastAttemptAt
	return &c, nil
}

// markSent records the message. It is not fenced by the claim token: the
// message exists whoever sent it (a reclaimer using the same nonce gets the
// same id), so recording it is always right unless the row is final already.
func markSent(ctx context.Context, idb bun.IDB, id int64, messageID uint64) error {
	_, err := idb.ExecContext(ctx, `UPDATE publicpost_posts SET status = 'sent', sent_at = now(), published_message_id = ?,
		lease_until = NULL, last_error = NULL, updated_at = now()
		WHERE id = ? AND status IN ('pending', 'processing', 'failed')`, int64(messageID), id)
	if err != nil {
		return fmt.Errorf("record post %d as sent: %w", id, err)
	}
	return nil
}

// reschedule puts a claimed row back to pending for a later attempt. refund
// gives the attempt back (Discord refused before acting, e.g. a 429).
func reschedule(ctx context.Context, idb bun.IDB, c *claim, after time.Duration, lastErr string, refund bool) error {
	dec := 0
	if refund {
		dec = 1
	}
	_, err := idb.ExecContext(ctx, `UPDATE publicpost_posts SET status = 'pending', lease_until = NULL,
		next_attempt_at = now() + make_interval(secs => ?), attempts = greatest(attempts - ?, 0),
		last_error = ?, updated_at = now()
		WHERE id = ? AND status = 'processing' AND last_attempt_at = ?`,
		after.Seconds(), dec, nullText(lastErr), c.ID, c.token)
	if err != nil {
		return fmt.Errorf("reschedule post %d: %w", c.ID, err)
	}
	return nil
}

// markFailed ends a claimed row with its reason.
func markFailed(ctx context.Context, idb bun.IDB, c *claim, lastErr string) error {
	_, err := idb.ExecContext(ctx, `UPDATE publicpost_posts SET status = 'failed', lease_until = NULL, last_error = ?, updated_at = now()
		WHERE id = ? AND status = 'processing' AND last_attempt_at = ?`, usertext.Cut(lastErr, maxErrLen), c.ID, c.token)
	if err != nil {
		return fmt.Errorf("record post %d as failed: %w", c.ID, err)
	}
	return nil
}

// otherMessageIDs lists message ids already recorded for other posts in the
// channel since a time, so the lookup never adopts another post's message.
func otherMessageIDs(ctx context.Context, idb bun.IDB, channelID uint64, exceptID int64, since time.Time) (map[uint64]bool, error) {
	var ids []int64
	err := idb.NewRaw(`SELECT published_message_id FROM publicpost_posts
		WHERE channel_id = ? AND id <> ? AND published_message_id IS NOT NULL AND sent_at >= ?`,
		int64(channelID), exceptID, since).Scan(ctx, &ids)
	if err != nil {
		return nil, fmt.Errorf("read recorded messages: %w", err)
	}
	out := make(map[uint64]bool, len(ids))
	for _, id := range ids {
		out[uint64(id)] = true
	}
	return out, nil
}

const maxErrLen = 800

func nullText(s string) *string {
	if s == "" {
		return nil
	}
	s = usertext.Cut(s, maxErrLen)
	return &s
}

// prefixed qualifies every column of a list with a table alias, for
// statements where a bare "id" would be ambiguous.
func prefixed(alias, cols string) string {
	parts := strings.Split(cols, ",")
	for i, c := range parts {
		parts[i] = alias + "." + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}
