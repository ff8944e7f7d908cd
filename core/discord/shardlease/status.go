package shardlease

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Lease states as `app shards` shows them.
const (
	StateHeld    = "held"    // unexpired
	StateExpired = "expired" // its holder stopped renewing; taken after the take margin
	StateFree    = "free"    // released or never taken
)

// LeaseRow is one shard of the deployment.
type LeaseRow struct {
	ShardCount int
	ShardID    int
	Holder     string
	State      string
	// Age is how long the holder has held it; ExpiresIn is negative once
	// expired. Both zero for a free lease.
	Age       time.Duration
	ExpiresIn time.Duration
	// HolderSeen is how long ago the holder's process last heartbeated
	// (-1 when it has no core_processes row any more).
	HolderSeen time.Duration
}

// List reads every lease, in database time.
func List(ctx context.Context, pool *pgxpool.Pool) ([]LeaseRow, error) {
	rows, err := pool.Query(ctx, `SELECT l.shard_count, l.shard_id, coalesce(l.holder, ''),
			coalesce(extract(epoch FROM now() - l.acquired_at), 0)::float8,
			coalesce(extract(epoch FROM l.expires_at - now()), 0)::float8,
			coalesce(extract(epoch FROM now() - p.seen_at), -1)::float8,
			l.holder IS NULL
		FROM core_shard_leases l LEFT JOIN core_processes p ON p.id = l.holder
		ORDER BY l.shard_count, l.shard_id`)
	if err != nil {
		return nil, fmt.Errorf("shardlease: list: %w", err)
	}
	defer rows.Close()
	secs := func(f float64) time.Duration {
		return time.Duration(f * float64(time.Second)).Round(100 * time.Millisecond)
	}
	var out []LeaseRow
	for rows.Next() {
		var r LeaseRow
		var age, expires, seen float64
		var free bool
		if err := rows.Scan(&r.ShardCount, &r.ShardID, &r.Holder, &age, &expires, &seen, &free); err != nil {
			return nil, fmt.Errorf("shardlease: list: %w", err)
		}
		r.ExpiresIn, r.HolderSeen = secs(expires), secs(seen)
		switch {
		case free:
			r.State, r.HolderSeen = StateFree, 0
		case expires <= 0:
			r.State, r.Age = StateExpired, secs(age)
		default:
			r.State, r.Age = StateHeld, secs(age)
		}
		if seen < 0 {
			r.HolderSeen = -1
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("shardlease: list: %w", err)
	}
	return out, nil
}
