package publicpost

import (
	"context"
	"fmt"
	"time"

	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/guild"
	"github.com/together-bot/together/core/interaction"
	"github.com/together-bot/together/core/usertext"
)

// GuildStatus is publicpost's section of /admin status for one guild.
type GuildStatus struct {
	Counts map[Status]int
	// ModuleOff: an admin turned publicpost off; due posts are held, not sent.
	ModuleOff bool
	// Held is how many pending posts are due but held because the module is off.
	Held int
	// Overdue counts pending posts due for more than OverdueAfter while the
	// module is on: a stuck publisher or a long outage.
	Overdue int
	// OldestDue is the oldest due pending post's time, if any.
	OldestDue *time.Time
	// LastFailure is the newest failed post's error, for a quick look.
	LastFailure *Post
}

// OverdueAfter is when a due post counts as overdue (a few sweep intervals).
const OverdueAfter = 5 * time.Minute

// GuildStatus reads the guild's outbox state.
func (s *Service) GuildStatus(ctx context.Context, guildID uint64) (GuildStatus, error) {
	var st GuildStatus
	gid := int64(guildID)
	counts, err := db.QueryMap[Status, int](ctx, s.db.Bun, `SELECT status, count(*) FROM publicpost_posts WHERE guild_id = ? GROUP BY status`, gid)
	if err != nil {
		return st, fmt.Errorf("count posts: %w", err)
	}
	st.Counts = counts
	err = s.db.Bun.QueryRowContext(ctx, `
		SELECT `+guild.ModuleOffCondition("?0", Name)+`,
			count(*) FILTER (WHERE scheduled_for <= now()),
			count(*) FILTER (WHERE scheduled_for <= now() - make_interval(secs => ?1)),
			min(scheduled_for) FILTER (WHERE scheduled_for <= now())
		FROM publicpost_posts WHERE guild_id = ?0 AND status = 'pending'`, gid, OverdueAfter.Seconds()).
		Scan(&st.ModuleOff, &st.Held, &st.Overdue, &st.OldestDue)
	if err != nil {
		return st, fmt.Errorf("read due posts: %w", err)
	}
	if st.ModuleOff {
		st.Overdue = 0
	} else {
		st.Held = 0
	}
	if st.Counts[StatusFailed] > 0 {
		posts, err := List(ctx, s.db, Filter{GuildID: guildID, Statuses: []Status{StatusFailed}, Limit: 1})
		if err != nil {
			return st, err
		}
		if len(posts) > 0 {
			st.LastFailure = &posts[0]
		}
	}
	return st, nil
}

// StatusLines renders GuildStatus through the i18n function the caller
// holds (interaction.Context.T or a Bundle bound to a locale), one line per
// fact, for /admin status.
func StatusLines(t func(key string, args ...any) string, st GuildStatus) []string {
	lines := []string{t("publicpost.status.counts",
		"pending", st.Counts[StatusPending], "processing", st.Counts[StatusProcessing],
		"sent", st.Counts[StatusSent], "failed", st.Counts[StatusFailed])}
	switch {
	case st.ModuleOff && st.Held > 0:
		lines = append(lines, t("publicpost.status.held", "count", st.Held))
	case st.Overdue > 0:
		lines = append(lines, t("publicpost.status.overdue", "count", st.Overdue,
			"since", fmt.Sprintf("<t:%d:R>", st.OldestDue.Unix())))
	}
	if st.LastFailure != nil {
		lines = append(lines, t("publicpost.status.last_failure", "id", st.LastFailure.ID,
			"error", usertext.Cut(oneLine(st.LastFailure.LastError), 200)))
	}
	return lines
}

// statusSection reports the outbox in /admin status, including posts held
// because publicpost is turned off in the guild.
func statusSection(s *Service) interaction.StatusSection {
	return interaction.StatusSection{Module: Name, Lines: func(c *interaction.Context) ([]string, error) {
		st, err := s.GuildStatus(c, c.GuildID())
		if err != nil {
			return nil, err
		}
		return StatusLines(c.T, st), nil
	}}
}
