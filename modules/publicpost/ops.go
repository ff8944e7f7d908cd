package publicpost

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/queue"
	"github.com/together-bot/together/core/usertext"
)

// Filter selects posts for List and Requeue (`app posts list|requeue`).
type Filter struct {
	Statuses []Status // empty: any (List) or failed+processing (Requeue)
	GuildID  uint64   // 0: every guild
	ID       int64    // 0: any post
	Limit    int      // List only; 0 means 50
}

// ParseStatuses reads "failed,processing" (the CLI's --status).
func ParseStatuses(list string) ([]Status, error) {
	var out []Status
	for _, s := range strings.Split(list, ",") {
		if strings.TrimSpace(s) == "" {
			continue
		}
		st, err := ParseStatus(s)
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, nil
}

func (f Filter) where(defaults []Status) (string, []any) {
	statuses := f.Statuses
	if len(statuses) == 0 {
		statuses = defaults
	}
	var conds []string
	var args []any
	if len(statuses) > 0 {
		names := make([]string, len(statuses))
		for i, s := range statuses {
			names[i] = string(s)
		}
		args = append(args, bun.List(names))
		conds = append(conds, "status IN (?)")
	}
	if f.GuildID != 0 {
		args = append(args, int64(f.GuildID))
		conds = append(conds, "guild_id = ?")
	}
	if f.ID != 0 {
		args = append(args, f.ID)
		conds = append(conds, "id = ?")
	}
	if len(conds) == 0 {
		return "TRUE", args
	}
	return strings.Join(conds, " AND "), args
}

// List returns matching posts, most recently updated first (docs/operations.md §5, step 1).
func List(ctx context.Context, d *db.DB, f Filter) ([]Post, error) {
	where, args := f.where(nil)
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	args = append(args, limit)
	posts, err := db.Query(ctx, d.Bun, readPost, `SELECT `+postCols+` FROM publicpost_posts WHERE `+where+`
		ORDER BY updated_at DESC, id DESC LIMIT ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("list scheduled posts: %w", err)
	}
	return posts, nil
}

// RequeueStatuses are what Requeue touches by default and at most.
var RequeueStatuses = []Status{StatusFailed, StatusProcessing}

// Requeue makes failed and stuck processing posts pending again, due now,
// with a fresh attempt budget (docs/operations.md §5, step 2). A processing row is only
// taken while its lease has expired: a live lease means a worker is sending
// it right now, and taking it would let two processes publish it at once.
// first_attempt_at is kept on purpose, so the publisher still checks the
// channel before resending a post that may already be there.
func Requeue(ctx context.Context, d *db.DB, f Filter) (int, error) {
	for _, s := range f.Statuses {
		if s != StatusFailed && s != StatusProcessing {
			return 0, fmt.Errorf("%w: requeue takes failed and/or processing, not %s", ErrBadStatus, s)
		}
	}
	where, args := f.where(RequeueStatuses)
	res, err := d.Bun.ExecContext(ctx, `UPDATE publicpost_posts SET status = 'pending', attempts = 0, lease_until = NULL,
		next_attempt_at = now(), updated_at = now()
		WHERE `+where+` AND (status = 'failed' OR (status = 'processing' AND lease_until <= now()))`, args...)
	if err != nil {
		return 0, fmt.Errorf("requeue scheduled posts: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("requeue scheduled posts: %w", err)
	}
	return int(n), nil
}

// PublishNow asks a worker to sweep due posts at once (runbook §4's one-off
// send), instead of waiting for the next scheduled sweep.
func PublishNow(ctx context.Context, q *queue.Queue) (jobID int64, err error) {
	res, err := q.Insert(ctx, SweepArgs{Reason: "manual"}, nil)
	if err != nil {
		return 0, fmt.Errorf("enqueue publicpost sweep: %w", err)
	}
	return res.Job.ID, nil
}

// FormatTable renders posts for `app posts list`: one line each, errors
// shortened so the table stays readable (the full text is in the row).
func FormatTable(posts []Post) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-8s %-20s %-20s %-10s %-20s %-8s %-20s %s\n",
		"ID", "GUILD", "CHANNEL", "STATUS", "SCHEDULED_FOR", "ATTEMPTS", "UPDATED_AT", "LAST_ERROR")
	for _, p := range posts {
		fmt.Fprintf(&b, "%-8d %-20d %-20d %-10s %-20s %-8d %-20s %s\n",
			p.ID, p.GuildID, p.ChannelID, p.Status, p.ScheduledFor.UTC().Format(time.DateTime),
			p.Attempts, p.UpdatedAt.UTC().Format(time.DateTime), usertext.Cut(oneLine(p.LastError), 60))
	}
	if len(posts) == 0 {
		b.WriteString("(no posts)\n")
	}
	return b.String()
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
