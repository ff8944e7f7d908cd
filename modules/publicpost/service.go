package publicpost

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/queue"
)

// Service is publicpost's API for other modules and for its own commands.
type Service struct {
	db *db.DB
	// queue takes the prompt publish job; the periodic sweep publishes
	// whatever that job misses.
	queue *queue.Queue
	log   *slog.Logger
	now   func() time.Time
}

// NewService builds the post service; other modules and tools create posts with it.
func NewService(d *db.DB, q *queue.Queue, log *slog.Logger) *Service {
	if log == nil {
		log = slog.Default()
	}
	return &Service{db: d, queue: q, log: log, now: time.Now}
}

// Create records a post inside the caller's transaction, together with the
// job that publishes it on time: if the caller rolls back, neither exists.
// Repeating a call with the same idempotency key returns the first post and
// created=false, whatever the other fields say.
func (s *Service) Create(ctx context.Context, tx bun.Tx, n NewPost) (p Post, created bool, err error) {
	if n.Source == "" {
		n.Source = Name
	}
	if n.At.IsZero() {
		n.At = s.now()
	}
	if err := n.validate(); err != nil {
		return Post{}, false, err
	}
	p, created, err = insertPost(ctx, tx, n)
	if err != nil || !created {
		return p, created, err
	}
	opts := &river.InsertOpts{}
	if p.ScheduledFor.After(s.now()) {
		opts.ScheduledAt = p.ScheduledFor
	}
	if _, err := s.queue.InsertTx(ctx, tx, PublishArgs{GuildID: p.GuildID, PostID: p.ID}, opts); err != nil {
		return Post{}, false, fmt.Errorf("enqueue publish of post %d: %w", p.ID, err)
	}
	return p, true, nil
}

// CreateNow is Create in a transaction of its own.
func (s *Service) CreateNow(ctx context.Context, n NewPost) (p Post, created bool, err error) {
	err = s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		p, created, err = s.Create(ctx, tx, n)
		return err
	})
	return p, created, err
}

// Cancel stops a pending post of the guild. Posts already being published or
// final cannot be cancelled (ErrNotCancellable).
func (s *Service) Cancel(ctx context.Context, guildID uint64, id int64) (Post, error) {
	p, err := scanPost(s.db.Bun.QueryRowContext(ctx, `UPDATE publicpost_posts SET status = 'cancelled', lease_until = NULL, updated_at = now()
		WHERE id = ? AND guild_id = ? AND status = 'pending' RETURNING `+postCols, id, int64(guildID)))
	if err == nil {
		return p, nil
	}
	if !db.IsNoRows(err) {
		return Post{}, fmt.Errorf("cancel post %d: %w", id, err)
	}
	posts, err := List(ctx, s.db, Filter{GuildID: guildID, ID: id, Limit: 1})
	switch {
	case err != nil:
		return Post{}, err
	case len(posts) == 0:
		return Post{}, ErrNotFound.With("id", id)
	default:
		return posts[0], ErrNotCancellable.With("id", id)
	}
}

// Get reads one post of the guild.
func (s *Service) Get(ctx context.Context, guildID uint64, id int64) (Post, error) {
	posts, err := List(ctx, s.db, Filter{GuildID: guildID, ID: id, Limit: 1})
	if err != nil {
		return Post{}, err
	}
	if len(posts) == 0 {
		return Post{}, ErrNotFound.With("id", id)
	}
	return posts[0], nil
}

// Upcoming lists the guild's pending and processing posts by time, then the
// most recent failures, for /post list.
func (s *Service) Upcoming(ctx context.Context, guildID uint64, limit int) ([]Post, error) {
	posts, err := db.Query(ctx, s.db.Bun, readPost, `
		(SELECT `+postCols+` FROM publicpost_posts WHERE guild_id = ?0 AND status IN ('pending', 'processing')
			ORDER BY scheduled_for, id LIMIT ?1)
		UNION ALL
		(SELECT `+postCols+` FROM publicpost_posts WHERE guild_id = ?0 AND status = 'failed'
			ORDER BY updated_at DESC LIMIT 5)`, int64(guildID), limit)
	if err != nil {
		return nil, fmt.Errorf("list upcoming posts: %w", err)
	}
	return posts, nil
}
