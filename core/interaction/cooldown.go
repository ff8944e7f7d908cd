package interaction

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/together-bot/together/core/db"
)

// Cooldowns stores per-user per-action cooldowns in Postgres, so they hold
// across replicas and restarts.
type Cooldowns struct{ db *db.DB }

// NewCooldowns wraps the database.
func NewCooldowns(d *db.DB) *Cooldowns { return &Cooldowns{db: d} }

// Check allows the action when the user's previous use is at least every
// ago, and starts a new cooldown; otherwise it returns when to retry.
// Concurrent checks let exactly one through.
func (c *Cooldowns) Check(ctx context.Context, guildID, userID uint64, action string, every time.Duration) (retryAt time.Time, ok bool, err error) {
	if c == nil || c.db == nil {
		return time.Time{}, false, errors.New("cooldowns: no database")
	}
	interval := fmt.Sprintf("%d milliseconds", every.Milliseconds())
	var until time.Time
	err = c.db.Pool.QueryRow(ctx, `INSERT INTO core_cooldowns (guild_id, user_id, action, until)
		VALUES ($1, $2, $3, now() + $4::interval)
		ON CONFLICT (guild_id, user_id, action) DO UPDATE SET until = EXCLUDED.until
		WHERE core_cooldowns.until <= now()
		RETURNING until`, int64(guildID), int64(userID), action, interval).Scan(&until)
	if err == nil {
		return until, true, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return time.Time{}, false, fmt.Errorf("cooldown %s: %w", action, err)
	}
	err = c.db.Pool.QueryRow(ctx, `SELECT until FROM core_cooldowns WHERE guild_id = $1 AND user_id = $2 AND action = $3`,
		int64(guildID), int64(userID), action).Scan(&until)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("cooldown %s: %w", action, err)
	}
	return until, false, nil
}

// Sweep deletes cooldowns that ended more than an hour ago.
func (c *Cooldowns) Sweep(ctx context.Context) (int64, error) {
	tag, err := c.db.Pool.Exec(ctx, `DELETE FROM core_cooldowns WHERE until < now() - interval '1 hour'`)
	if err != nil {
		return 0, fmt.Errorf("sweep cooldowns: %w", err)
	}
	return tag.RowsAffected(), nil
}
