package projection

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"

	"github.com/together-bot/together/core/db"
)

// projRow is the worker's view of one core_projections row.
type projRow struct {
	Kind, Key, Module, State string
	GuildID, ChannelID       uint64
	MessageID                uint64
	ContentHash              []byte
	Pinned                   bool
	Version, DoneVersion     int64
	LastEditAt, RetryAt      *time.Time
	RequestedAt              time.Time // the latest Request: staleness is measured from it
	Now                      time.Time // database clock when loaded
	// Active counts the dashboards of the channel that currently want edits
	// (dirty, or edited in the last 10 s); they share the channel's slots.
	Active int
}

var errNoRow = errors.New("projection: no such projection")

func (s *Service) load(ctx context.Context, kind, key string) (*projRow, error) {
	var (
		p                       projRow
		guild, channel, message int64
	)
	err := s.db.Pool.QueryRow(ctx, `
		SELECT kind, key, module, state, coalesce(guild_id, 0), coalesce(channel_id, 0), coalesce(message_id, 0),
			content_hash, pinned, version, done_version, last_edit_at, retry_at, requested_at, clock_timestamp(),
			CASE WHEN channel_id IS NULL THEN 1 ELSE (
				SELECT count(*) FROM core_projections o
				WHERE o.channel_id = p.channel_id AND o.state IN ('ok', 'pending')
				  AND (o.version > o.done_version OR o.last_edit_at > clock_timestamp() - interval '10 seconds'))
			END
		FROM core_projections p WHERE kind = $1 AND key = $2`, kind, key).Scan(
		&p.Kind, &p.Key, &p.Module, &p.State, &guild, &channel, &message,
		&p.ContentHash, &p.Pinned, &p.Version, &p.DoneVersion, &p.LastEditAt, &p.RetryAt, &p.RequestedAt, &p.Now, &p.Active)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errNoRow
	}
	if err != nil {
		return nil, fmt.Errorf("projection: load %s/%s: %w", kind, key, err)
	}
	p.GuildID, p.ChannelID, p.MessageID = uint64(guild), uint64(channel), uint64(message)
	p.Active = max(p.Active, 1)
	return &p, nil
}

// snapshot renders (kind, key) and returns the version the rendering covers.
// The version is read first in a REPEATABLE READ transaction, which fixes the
// snapshot; the renderer then reads the same snapshot, so every committed
// Request counted in version is visible to it, and none that is not.
func (s *Service) snapshot(ctx context.Context, r Renderer, key string) (Rendered, int64, error) {
	select {
	case s.snapshots <- struct{}{}:
		defer func() { <-s.snapshots }()
	case <-ctx.Done():
		return Rendered{}, 0, fmt.Errorf("projection: wait for a render slot: %w", ctx.Err())
	}
	start := time.Now()
	tx, err := s.db.Bun.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return Rendered{}, 0, fmt.Errorf("projection: begin snapshot: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	var v int64
	if err := tx.QueryRowContext(ctx, `SELECT version FROM core_projections WHERE kind = ? AND key = ?`, r.Kind, key).Scan(&v); err != nil {
		if db.IsNoRows(err) {
			return Rendered{}, 0, errNoRow
		}
		return Rendered{}, 0, fmt.Errorf("projection: read version: %w", err)
	}
	rd, err := r.Render(ctx, tx, key)
	if err != nil {
		return Rendered{}, 0, &RenderError{Kind: r.Kind, Key: key, Err: err}
	}
	s.lead.observe(time.Since(start))
	return rd, v, nil
}

// RenderError wraps a renderer failure; the job retries it with backoff.
type RenderError struct {
	Kind, Key string
	Err       error
}

func (e *RenderError) Error() string {
	return fmt.Sprintf("projection: render %s/%s: %v", e.Kind, e.Key, e.Err)
}

func (e *RenderError) Unwrap() error { return e.Err }

// shown records that Discord now shows version v of the projection.
type shown struct {
	guild, channel, message uint64
	hash                    []byte
	edited                  *time.Time // set when an API call was made
	pinned                  bool
}

func (s *Service) markShown(ctx context.Context, kind, key string, v int64, sh shown) error {
	_, err := s.db.Pool.Exec(ctx, `
		UPDATE core_projections SET state = 'ok', guild_id = $3, channel_id = $4, message_id = $5, content_hash = $6,
			done_version = greatest(done_version, $7), last_edit_at = coalesce($8, last_edit_at), pinned = $9,
			last_error = NULL, broken_at = NULL, retry_at = NULL,
			create_lease_until = NULL, create_nonce = NULL, updated_at = now()
		WHERE kind = $1 AND key = $2`,
		kind, key, int64(sh.guild), int64(sh.channel), int64(sh.message), sh.hash, v, sh.edited, sh.pinned)
	if err != nil {
		return fmt.Errorf("projection: record %s/%s: %w", kind, key, err)
	}
	return nil
}

func (s *Service) markBroken(ctx context.Context, kind, key string, guild, channel uint64, reason string) error {
	_, err := s.db.Pool.Exec(ctx, `
		UPDATE core_projections SET state = 'broken', guild_id = $3, channel_id = $4, last_error = $5,
			broken_at = coalesce(broken_at, now()), retry_at = now() + $6::interval,
			create_lease_until = NULL, updated_at = now()
		WHERE kind = $1 AND key = $2`,
		kind, key, int64(guild), int64(channel), reason, s.opts.BrokenRecheck.String())
	if err != nil {
		return fmt.Errorf("projection: mark %s/%s broken: %w", kind, key, err)
	}
	return nil
}

func (s *Service) markGone(ctx context.Context, kind, key string, v int64) error {
	_, err := s.db.Pool.Exec(ctx, `
		UPDATE core_projections SET state = 'gone', message_id = NULL, content_hash = NULL, pinned = false,
			done_version = greatest(done_version, $3), last_error = NULL, broken_at = NULL, retry_at = NULL,
			updated_at = now()
		WHERE kind = $1 AND key = $2`, kind, key, v)
	if err != nil {
		return fmt.Errorf("projection: mark %s/%s gone: %w", kind, key, err)
	}
	return nil
}

// forgetMessage drops a message id Discord no longer knows (or that moved
// channel), so the next send creates a new one.
func (s *Service) forgetMessage(ctx context.Context, kind, key string, message uint64) error {
	_, err := s.db.Pool.Exec(ctx, `
		UPDATE core_projections SET message_id = NULL, content_hash = NULL, pinned = false, updated_at = now()
		WHERE kind = $1 AND key = $2 AND message_id = $3`, kind, key, int64(message))
	if err != nil {
		return fmt.Errorf("projection: forget message of %s/%s: %w", kind, key, err)
	}
	return nil
}

// createLease is how long a worker may take to POST a message before
// another may try; longer than any single REST call with its limiter wait.
const createLease = 30 * time.Second

// acquireCreate takes the creation lease. It returns the nonce to send, or
// ok=false when the message exists by now or another worker holds the lease.
// The nonce survives a failed attempt, so a retry that follows a POST which
// did land (a timeout after Discord acted) is deduplicated by Discord.
func (s *Service) acquireCreate(ctx context.Context, kind, key string) (nonce string, ok bool, err error) {
	err = s.db.Pool.QueryRow(ctx, `
		UPDATE core_projections SET create_lease_until = clock_timestamp() + $3::interval,
			create_nonce = coalesce(create_nonce, $4), updated_at = now()
		WHERE kind = $1 AND key = $2 AND message_id IS NULL
		  AND (create_lease_until IS NULL OR create_lease_until < clock_timestamp())
		RETURNING create_nonce`, kind, key, createLease.String(), newNonce()).Scan(&nonce)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("projection: creation lease %s/%s: %w", kind, key, err)
	}
	return nonce, true, nil
}

func (s *Service) releaseCreate(ctx context.Context, kind, key string) {
	if _, err := s.db.Pool.Exec(ctx, `UPDATE core_projections SET create_lease_until = NULL WHERE kind = $1 AND key = $2`,
		kind, key); err != nil {
		s.log.Warn("release creation lease", "kind", kind, "key", key, "error", err)
	}
}

// noteError records a failure for operators without changing the state; the
// job retries it.
func (s *Service) noteError(ctx context.Context, kind, key, msg string) {
	if len(msg) > 500 {
		msg = msg[:500]
	}
	if _, err := s.db.Pool.Exec(ctx, `UPDATE core_projections SET last_error = $3, updated_at = now()
		WHERE kind = $1 AND key = $2`, kind, key, msg); err != nil {
		s.log.Warn("record projection error", "kind", kind, "key", key, "error", err)
	}
}

func (s *Service) setPinned(ctx context.Context, kind, key string, pinErr string) error {
	_, err := s.db.Pool.Exec(ctx, `UPDATE core_projections SET pinned = true, last_error = nullif($3, ''), updated_at = now()
		WHERE kind = $1 AND key = $2`, kind, key, pinErr)
	return err
}

// finish ends one refresh that made Discord show version v. Under the row
// lock it either finds a newer version (again=true: refresh once more) or
// completes the job in the same transaction, so a Request that commits after
// this point finds the job completed and enqueues a new one.
func (s *Service) finish(ctx context.Context, job *river.Job[RefreshArgs], v int64) (again bool, err error) {
	tx, err := s.db.SQL.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("projection: begin finish: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	var cur int64
	err = tx.QueryRowContext(ctx, `SELECT version FROM core_projections WHERE kind = $1 AND key = $2 FOR UPDATE`,
		job.Args.Projection, job.Args.Key).Scan(&cur)
	switch {
	case db.IsNoRows(err):
	case err != nil:
		return false, fmt.Errorf("projection: finish: %w", err)
	case cur > v:
		return true, nil
	}
	if _, err := river.JobCompleteTx[*riverdatabasesql.Driver](ctx, tx, job); err != nil {
		return false, fmt.Errorf("projection: complete job: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("projection: commit finish: %w", err)
	}
	return false, nil
}
