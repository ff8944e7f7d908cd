package shardlease

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/together-bot/together/core/ctxtime"
)

// IdentifyWindow is Discord's spacing of identifies in one max_concurrency
// bucket (docs: "max_concurrency identify requests per 5 seconds").
const IdentifyWindow = 5 * time.Second

// slotSpacing is the reservation per identify: the window plus room for a
// later dial being quicker than an earlier one (the identify follows the slot
// by one dial and Hello).
const slotSpacing = IdentifyWindow + 500*time.Millisecond

// Pacer is disgo's identify rate limiter shared by every process through
// core_identify_slots: Wait reserves the bucket's next slot in database time
// and sleeps until it; Unlock, called once the shard is ready or gave up,
// keeps the next slot at least IdentifyWindow after now.
type Pacer struct {
	pool           *pgxpool.Pool
	maxConcurrency int
	log            *slog.Logger
}

// NewPacer paces identifies for max_concurrency buckets (from GET /gateway/bot).
func NewPacer(pool *pgxpool.Pool, maxConcurrency int, log *slog.Logger) *Pacer {
	return &Pacer{pool: pool, maxConcurrency: max(maxConcurrency, 1), log: log}
}

// Bucket is the identify bucket of a shard.
func (p *Pacer) Bucket(shardID int) int { return shardID % p.maxConcurrency }

// Reserve books the bucket's next identify slot and returns how long to wait
// for it.
func (p *Pacer) Reserve(ctx context.Context, shardID int) (time.Duration, error) {
	var wait float64
	err := p.pool.QueryRow(ctx, `INSERT INTO core_identify_slots AS s (bucket, next_at) VALUES ($1, now() + make_interval(secs => $2))
		ON CONFLICT (bucket) DO UPDATE SET next_at = greatest(s.next_at, now()) + make_interval(secs => $2)
		RETURNING extract(epoch FROM s.next_at - now())::float8 - $2`, p.Bucket(shardID), slotSpacing.Seconds()).Scan(&wait)
	if err != nil {
		return 0, fmt.Errorf("shardlease: reserve identify slot: %w", err)
	}
	return max(time.Duration(wait*float64(time.Second)), 0), nil
}

// Wait implements gateway.IdentifyRateLimiter.
func (p *Pacer) Wait(ctx context.Context, shardID int) error {
	wait, err := p.Reserve(ctx, shardID)
	if err != nil {
		return err
	}
	p.log.Debug("identify slot reserved", "shard_id", shardID, "bucket", p.Bucket(shardID), "wait", wait.String())
	return ctxtime.Sleep(ctx, wait)
}

// Unlock implements gateway.IdentifyRateLimiter: the identify has been sent
// (or the attempt failed), so the bucket's next one is a window from now.
func (p *Pacer) Unlock(shardID int) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if _, err := p.pool.Exec(ctx, `UPDATE core_identify_slots SET next_at = greatest(next_at, now() + make_interval(secs => $2))
		WHERE bucket = $1`, p.Bucket(shardID), IdentifyWindow.Seconds()); err != nil {
		p.log.Warn("identify slot: push the next one back", "shard_id", shardID, "error", err)
	}
}

// Close implements gateway.IdentifyRateLimiter; nothing is held locally.
func (p *Pacer) Close(context.Context) {}
