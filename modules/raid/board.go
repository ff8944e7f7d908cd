package raid

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/snowflake/v2"
	"github.com/uptrace/bun"

	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/projection"
)

// boardKind is the dashboard's projection kind; its key is the raid id
// (projection.IDKey).
const boardKind = "raid.board"

// Accents: in progress, goal reached, over.
const (
	colorActive    = 0x1e6f9f
	colorCompleted = 0x2e9e5b
	colorEnded     = 0x6b7280
)

// barWidth is the progress bar's length in blocks.
const barWidth = 20

// renderer is the dashboard's projection renderer.
func (s *service) renderer() projection.Renderer {
	return projection.Renderer{Kind: boardKind, Module: Name, Render: projection.RenderByID(s.renderBoard)}
}

// requestBoard re-renders the raid's dashboard once tx commits.
func (s *service) requestBoard(ctx context.Context, tx bun.Tx, raidID int64) error {
	if err := s.Projections.Request(ctx, tx, boardKind, projection.IDKey(raidID)); err != nil {
		return fmt.Errorf("raid: request board %d: %w", raidID, err)
	}
	return nil
}

// standing is one pair's points in a raid.
type standing struct {
	PairID int64
	Points int
}

// standings ranks a raid's contributing pairs (ties by the older pair id).
func standings(ctx context.Context, idb bun.IDB, raidID int64, limit int) ([]standing, int, error) {
	total := 0 // contributing pairs, beyond the limit too
	out, err := db.Query(ctx, idb, func(row db.Scanner) (standing, error) {
		var st standing
		return st, row.Scan(&st.PairID, &st.Points, &total)
	}, `SELECT pair_id, sum(points)::int, count(*) OVER ()::int FROM raid_pair_days
		WHERE raid_id = ? GROUP BY pair_id HAVING sum(points) > 0 ORDER BY sum(points) DESC, pair_id LIMIT ?`, raidID, limit)
	if err != nil {
		return nil, 0, fmt.Errorf("raid: standings: %w", err)
	}
	return out, total, nil
}

// percent is progress as a whole percentage, capped at 100.
func percent(progress, goal int) int {
	if goal <= 0 {
		return 0
	}
	return min(100, progress*100/goal)
}

// progressBar draws the progress bar.
func progressBar(progress, goal int) string {
	filled := percent(progress, goal) * barWidth / 100
	return strings.Repeat("█", filled) + strings.Repeat("░", barWidth-filled)
}

// phaseKey names the raid's phase.
func phaseKey(r raid) string {
	p := percent(r.Progress, r.Goal)
	switch {
	case r.Status == statusEnded && r.Completed():
		return "raid.phase.ended_won"
	case r.Status == statusEnded:
		return "raid.phase.ended"
	case r.Completed():
		return "raid.phase.completed"
	case p >= 75:
		return "raid.phase.final"
	case p >= 40:
		return "raid.phase.middle"
	case p > 0:
		return "raid.phase.momentum"
	default:
		return "raid.phase.start"
	}
}

func (s *service) renderBoard(ctx context.Context, idb bun.IDB, raidID int64) (projection.Rendered, error) {
	r, err := loadRaid(ctx, idb, raidID)
	if err != nil {
		return projection.Rendered{}, err
	}
	loc := s.Guilds.Locale(ctx, r.GuildID)
	now := s.now()
	open := r.Open(now)
	var b strings.Builder
	if r.Completed() {
		b.WriteString(s.t(loc, "raid.board.celebrate") + "\n\n")
	}
	b.WriteString(s.t(loc, "raid.board.goal", "goal", r.Goal) + "\n")
	b.WriteString(s.t(loc, "raid.board.progress", "progress", r.Progress, "goal", r.Goal,
		"percent", percent(r.Progress, r.Goal), "bar", progressBar(r.Progress, r.Goal)) + "\n")
	b.WriteString(s.t(loc, "raid.board.phase", "phase", s.t(loc, phaseKey(r))) + "\n")
	if open {
		b.WriteString(s.t(loc, "raid.board.time_left", "end", timestamp(r.EndsAt, "R"), "end_at", timestamp(r.EndsAt, "f")))
	} else {
		ended := r.EndsAt
		if r.EndedAt != nil && r.EndedAt.Before(ended) {
			ended = *r.EndedAt
		}
		b.WriteString(s.t(loc, "raid.board.ended_at", "end", timestamp(ended, "f")))
	}
	top, contributors, err := standings(ctx, idb, r.ID, boardTop)
	if err != nil {
		return projection.Rendered{}, err
	}
	b.WriteString("\n" + s.t(loc, "raid.board.pairs", "n", contributors) + "\n\n")
	b.WriteString(s.t(loc, "raid.board.top") + "\n")
	if len(top) == 0 {
		b.WriteString(s.t(loc, "raid.board.no_points") + "\n")
	}
	for i, st := range top {
		b.WriteString(s.t(loc, "raid.board.line", "place", i+1, "pair", s.pairName(ctx, idb, st.PairID), "points", st.Points) + "\n")
	}
	if open {
		day := r.Today(now)
		offers, err := dayOffers(ctx, idb, r, day)
		if err != nil {
			return projection.Rendered{}, err
		}
		b.WriteString("\n" + s.t(loc, "raid.board.today", "cap", r.DailyCap) + "\n")
		for _, q := range offers {
			b.WriteString(s.t(loc, "raid.quest.line", "points", q.Points, "text", q.Text(loc)) + "\n")
		}
	}
	rows, err := s.boardRows(loc, r, open)
	if err != nil {
		return projection.Rendered{}, err
	}
	color := colorActive
	switch {
	case r.Completed():
		color = colorCompleted
	case !open:
		color = colorEnded
	}
	return projection.Rendered{
		GuildID:   snowflake.ID(r.GuildID),
		ChannelID: snowflake.ID(r.ChannelID),
		Message: discord.MessageCreate{
			Embeds: []discord.Embed{{Title: s.t(loc, "raid.board.title", "week", r.WeekStart),
				Description: strings.TrimSpace(b.String()), Color: color}},
			Components:      rows,
			AllowedMentions: &discord.AllowedMentions{},
		},
	}, nil
}

func (s *service) boardRows(loc string, r raid, open bool) ([]discord.LayoutComponent, error) {
	type btn struct {
		action, label string
		style         discord.ButtonStyle
	}
	all := []btn{{actTake, "raid.button.take", discord.ButtonStylePrimary},
		{actMine, "raid.button.mine", discord.ButtonStyleSecondary},
		{actRules, "raid.button.rules", discord.ButtonStyleSecondary}}
	if !open {
		all = all[1:] // nothing left to take
	}
	var buttons []discord.InteractiveComponent
	for _, b := range all {
		id, err := boardButtonID(b.action, r.ID)
		if err != nil {
			return nil, err
		}
		buttons = append(buttons, discord.ButtonComponent{Style: b.style, Label: s.t(loc, b.label), CustomID: id})
	}
	return []discord.LayoutComponent{discord.NewActionRow(buttons...)}, nil
}

// pairName is "<@a> & <@b>" (the board never pings).
func (s *service) pairName(ctx context.Context, idb bun.IDB, pairID int64) string {
	p, err := s.pairs.Pair(ctx, idb, pairID)
	if err != nil {
		return fmt.Sprintf("#%d", pairID)
	}
	return fmt.Sprintf("<@%d> & <@%d>", p.Members[0], p.Members[1])
}

// timestamp is a Discord timestamp tag.
func timestamp(t time.Time, style string) string {
	return fmt.Sprintf("<t:%d:%s>", t.Unix(), style)
}
