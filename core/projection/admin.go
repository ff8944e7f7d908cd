package projection

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/disgoorg/snowflake/v2"
	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/queue"
)

// Filter selects projections; zero fields match everything.
type Filter struct {
	Guild snowflake.ID
	Kind  string
	Key   string
}

// State is one projection as operators see it (`app projections list`,
// `/admin doctor`).
type State struct {
	Kind, Key, Module string
	Status            string // StatusPending, StatusOK, StatusBroken, StatusGone
	GuildID           snowflake.ID
	ChannelID         snowflake.ID
	MessageID         snowflake.ID
	Pinned            bool
	// Behind reports that Discord does not show the latest request yet.
	Behind      bool
	RequestedAt time.Time
	LastEditAt  *time.Time
	LastError   string
	BrokenSince *time.Time
}

const filterSQL = `($1 = '' OR kind = $1) AND ($2 = '' OR key = $2) AND ($3::bigint = 0 OR guild_id = $3::bigint)`

// List returns the projections matching f, sorted by guild, kind and key.
func List(ctx context.Context, d *db.DB, f Filter) ([]State, error) {
	rows, err := d.Pool.Query(ctx, `
		SELECT kind, key, module, state, coalesce(guild_id, 0), coalesce(channel_id, 0), coalesce(message_id, 0),
			pinned, version > done_version, requested_at, last_edit_at, coalesce(last_error, ''), broken_at
		FROM core_projections WHERE `+filterSQL+`
		ORDER BY guild_id NULLS FIRST, kind, key`, f.Kind, f.Key, int64(f.Guild))
	if err != nil {
		return nil, fmt.Errorf("projection: list: %w", err)
	}
	defer rows.Close()
	var out []State
	for rows.Next() {
		var (
			st                      State
			guild, channel, message int64
		)
		if err := rows.Scan(&st.Kind, &st.Key, &st.Module, &st.Status, &guild, &channel, &message,
			&st.Pinned, &st.Behind, &st.RequestedAt, &st.LastEditAt, &st.LastError, &st.BrokenSince); err != nil {
			return nil, fmt.Errorf("projection: list: %w", err)
		}
		st.GuildID, st.ChannelID, st.MessageID = snowflake.ID(guild), snowflake.ID(channel), snowflake.ID(message)
		out = append(out, st)
	}
	return out, rows.Err()
}

// Dashboards lists a guild's projections for `/admin` (status, last edit,
// last error of each dashboard).
func (s *Service) Dashboards(ctx context.Context, guildID snowflake.ID) ([]State, error) {
	if guildID == 0 {
		return nil, nil
	}
	return List(ctx, s.db, Filter{Guild: guildID})
}

// Rebuild enqueues a refresh of every projection matching f and makes it
// send even if the content looks unchanged, and retry broken ones at once
// (runbook: `app projections rebuild`). It returns how many were enqueued.
// It needs no running queue: any process serving the "projection" queue
// picks the jobs up.
func Rebuild(ctx context.Context, d *db.DB, f Filter) (int, error) {
	q, err := queue.NewQueue(d, nil)
	if err != nil {
		return 0, fmt.Errorf("projection: rebuild: %w", err)
	}
	return rebuild(ctx, d, q, f)
}

// Rebuild is the package-level Rebuild using the Service's database.
func (s *Service) Rebuild(ctx context.Context, f Filter) (int, error) {
	return rebuild(ctx, s.db, s.queue, f)
}

func rebuild(ctx context.Context, d *db.DB, q *queue.Queue, f Filter) (int, error) {
	tx, err := d.SQL.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("projection: rebuild: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	rows, err := tx.QueryContext(ctx, `
		UPDATE core_projections SET version = version + 1, content_hash = NULL, retry_at = NULL,
			requested_at = now(), updated_at = now()
		WHERE `+filterSQL+` RETURNING kind, key`, f.Kind, f.Key, int64(f.Guild))
	if err != nil {
		return 0, fmt.Errorf("projection: rebuild: %w", err)
	}
	params, err := refreshParams(rows)
	if err != nil {
		return 0, err
	}
	if err := insertRefreshes(ctx, q, tx, params); err != nil {
		return 0, err
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("projection: rebuild: %w", err)
	}
	return len(params), nil
}

func refreshParams(rows *sql.Rows) ([]river.InsertManyParams, error) {
	defer rows.Close()
	var params []river.InsertManyParams
	for rows.Next() {
		var a RefreshArgs
		if err := rows.Scan(&a.Projection, &a.Key); err != nil {
			return nil, fmt.Errorf("projection: scan: %w", err)
		}
		params = append(params, river.InsertManyParams{Args: a})
	}
	return params, rows.Err()
}

// insertRefreshes enqueues in chunks so a rebuild of thousands of
// dashboards stays within Postgres' parameter limits.
func insertRefreshes(ctx context.Context, q *queue.Queue, tx *sql.Tx, params []river.InsertManyParams) error {
	for len(params) > 0 {
		n := min(len(params), 500)
		if _, err := q.InsertManyTx(ctx, bun.Tx{Tx: tx}, params[:n]); err != nil {
			return fmt.Errorf("projection: enqueue refreshes: %w", err)
		}
		params = params[n:]
	}
	return nil
}
