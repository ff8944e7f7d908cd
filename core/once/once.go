// Package once runs keyed operations at most once per key for a while: the
// first caller of Do with a key gets true, every later caller false until the
// key expires. It is how a double click, a redelivered interaction or a
// retried job does its work once.
//
// Call Do inside the business transaction (pass the bun.Tx): if the work rolls
// back, so does the claim, and the next attempt may run. Expired keys are
// deleted by the core sweep job (interaction.SweepJob), so the table does not
// grow forever; an expired key can be claimed again.
package once

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// MaxKeyLen bounds keys (they are primary keys).
const MaxKeyLen = 200

// ErrBadKey refuses empty or oversized keys and non-positive TTLs.
var ErrBadKey = errors.New("once: key must be 1..200 bytes and ttl positive")

// Do claims key for ttl. It returns true to exactly one caller among
// concurrent ones; a key whose previous claim expired can be claimed again.
func Do(ctx context.Context, idb bun.IDB, key string, ttl time.Duration) (bool, error) {
	if key == "" || len(key) > MaxKeyLen || ttl <= 0 {
		return false, fmt.Errorf("%w (key %q, ttl %s)", ErrBadKey, key, ttl)
	}
	var claimed bool
	err := idb.NewRaw(`INSERT INTO core_once (key, expires_at) VALUES (?, now() + ?::interval)
		ON CONFLICT (key) DO UPDATE SET expires_at = EXCLUDED.expires_at, created_at = now()
		WHERE core_once.expires_at <= now()
		RETURNING true`, key, fmt.Sprintf("%d milliseconds", ttl.Milliseconds())).Scan(ctx, &claimed)
	if err != nil {
		if isNoRows(err) {
			return false, nil
		}
		return false, fmt.Errorf("once %q: %w", key, err)
	}
	return claimed, nil
}

// Sweep deletes expired keys and returns how many went.
func Sweep(ctx context.Context, idb bun.IDB) (int64, error) {
	res, err := idb.NewRaw(`DELETE FROM core_once WHERE expires_at <= now()`).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("sweep once keys: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
