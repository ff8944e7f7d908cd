package duel

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"unicode/utf8"

	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/snowflake/v2"
	"github.com/uptrace/bun"

	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/projection"
	"github.com/together-bot/together/core/usertext"
)

// boardKind is the scoreboard's projection kind; its key is the duel id
// (projection.IDKey).
const boardKind = "duel.board"

// boardColor is the duel's accent.
const boardColor = 0xc44536

// Discord limits the board works within.
const (
	maxSelectOptions = 25
	maxOptionLabel   = 100
	maxEmbedDesc     = 4096
	// ballotPageSize answers of up to 400 characters fit one embed.
	ballotPageSize = 8
)

// boardRenderer is the scoreboard's projection renderer (projection.Renderers).
func (s *Service) boardRenderer() projection.Renderer {
	return projection.Renderer{Kind: boardKind, Module: Name, Render: projection.RenderByID(s.renderBoard)}
}

// requestBoard re-renders the duel's scoreboard once tx commits.
func (s *Service) requestBoard(ctx context.Context, tx bun.Tx, duelID int64) error {
	return s.Projections.Request(ctx, tx, boardKind, projection.IDKey(duelID))
}

// standing is one pair's total in a duel.
type standing struct {
	PairID  int64
	Points  int
	Answers int
	Votes   int
}

// standings ranks the duel's pairs by points; ties go to the pair whose
// first scored answer came earlier.
func standings(ctx context.Context, idb bun.IDB, duelID int64, limit int) ([]standing, error) {
	out, err := db.Query(ctx, idb, scanStanding, `SELECT pair_id, sum(points)::int, sum(answer_points)::int, sum(vote_points)::int
		FROM duel_scores WHERE duel_id = ? GROUP BY pair_id
		ORDER BY sum(points) DESC, min(answered_at), pair_id LIMIT ?`, duelID, limit)
	if err != nil {
		return nil, fmt.Errorf("duel: standings: %w", err)
	}
	return out, nil
}

func scanStanding(row db.Scanner) (standing, error) {
	var st standing
	err := row.Scan(&st.PairID, &st.Points, &st.Answers, &st.Votes)
	return st, err
}

func (s *Service) renderBoard(ctx context.Context, idb bun.IDB, duelID int64) (projection.Rendered, error) {
	d, err := loadDuel(ctx, idb, duelID, noLock)
	if err != nil {
		return projection.Rendered{}, err
	}
	loc := s.Guilds.Locale(ctx, d.GuildID)
	var b strings.Builder
	r, err := lastRound(ctx, idb, d.ID)
	hasRound := err == nil
	if err != nil && !errors.Is(err, ErrNoRound) {
		return projection.Rendered{}, err
	}
	var ans []pairAnswer
	switch {
	case d.Status == "ended":
		b.WriteString(s.t(loc, "duel.board.ended"))
	case !hasRound:
		b.WriteString(s.t(loc, "duel.board.no_round"))
	default:
		b.WriteString(s.phaseLine(loc, r))
		b.WriteString("\n")
		b.WriteString(quote(usertext.Cut(r.Prompt, 300)))
		if r.Phase.Open() {
			if ans, err = answers(ctx, idb, r.ID, false); err != nil {
				return projection.Rendered{}, err
			}
			votes := 0
			for _, a := range ans {
				votes += a.Votes
			}
			b.WriteString("\n")
			b.WriteString(s.t(loc, "duel.board.counts", "answers", len(ans), "votes", votes))
		}
	}
	top, err := standings(ctx, idb, d.ID, boardTop)
	if err != nil {
		return projection.Rendered{}, err
	}
	b.WriteString("\n\n")
	b.WriteString(s.t(loc, "duel.board.standings"))
	b.WriteString("\n")
	if len(top) == 0 {
		b.WriteString(s.t(loc, "duel.board.no_points"))
	}
	for i, st := range top {
		b.WriteString(s.t(loc, "duel.board.line", "place", i+1, "pair", s.pairName(ctx, idb, st.PairID),
			"points", st.Points, "answers", st.Answers, "votes", st.Votes))
		b.WriteString("\n")
	}
	voting := hasRound && r.Phase == phaseVoting && d.Status == "active"
	more := false
	if voting {
		b.WriteString("\n")
		b.WriteString(s.t(loc, "duel.board.ballot_head"))
		more = writeBallot(&b, ans, maxEmbedDesc-utf8.RuneCountInString(b.String())-200, s.t(loc, "duel.board.more_answers"))
	}
	rows, err := s.boardRows(loc, d, r, voting, ans, more || len(ans) > maxSelectOptions)
	if err != nil {
		return projection.Rendered{}, err
	}
	return projection.Rendered{
		GuildID:   snowflake.ID(d.GuildID),
		ChannelID: snowflake.ID(d.ChannelID),
		Message: discord.MessageCreate{
			Embeds:          []discord.Embed{{Title: d.Title, Description: b.String(), Color: boardColor}},
			Components:      rows,
			AllowedMentions: &discord.AllowedMentions{},
		},
	}, nil
}

// phaseLine is "Round #N · answers open · closes in 5 minutes".
func (s *Service) phaseLine(loc string, r round) string {
	switch r.Phase {
	case phaseAnswering:
		return s.t(loc, "duel.board.phase_answering", "no", r.No, "deadline", timestamp(r.AnswerDeadline, "R"))
	case phaseVoting:
		return s.t(loc, "duel.board.phase_voting", "no", r.No, "deadline", timestamp(r.Deadline(), "R"))
	case phaseCancelled:
		return s.t(loc, "duel.board.phase_cancelled", "no", r.No)
	default:
		return s.t(loc, "duel.board.phase_closed", "no", r.No)
	}
}

// writeBallot lists the anonymous answers within budget characters; each
// gets an equal share (at most its full text). It reports whether some
// answers were cut or left out (then the board offers the full ballot).
func writeBallot(b *strings.Builder, ans []pairAnswer, budget int, moreText string) (more bool) {
	if len(ans) == 0 {
		return false
	}
	share := budget/len(ans) - 12
	const minShare = 60
	shown := len(ans)
	if share < minShare {
		share = minShare
		shown = max(budget/(minShare+12), 0)
	}
	for i, a := range ans {
		if i >= shown {
			b.WriteString(moreText)
			return true
		}
		text := usertext.Cut(oneLine(a.Text), share)
		if text != oneLine(a.Text) {
			more = true
		}
		fmt.Fprintf(b, "\n**#%d** %s", a.Label, text)
	}
	return more
}

// boardRows: the voting select (first 25 answers), a full-ballot button
// when there are more or some were cut, and the four help buttons.
func (s *Service) boardRows(loc string, d duel, r round, voting bool, ans []pairAnswer, more bool) ([]discord.LayoutComponent, error) {
	var rows []discord.LayoutComponent
	if voting && len(ans) > 0 {
		sel, err := s.voteSelect(loc, r.ID, 0, ans[:min(len(ans), maxSelectOptions)])
		if err != nil {
			return nil, err
		}
		rows = append(rows, discord.NewActionRow(sel))
	}
	var buttons []discord.InteractiveComponent
	if voting && more {
		id, err := ballotID(r.ID, 0)
		if err != nil {
			return nil, err
		}
		buttons = append(buttons, discord.NewPrimaryButton(s.t(loc, "duel.button.ballot"), id))
	}
	for _, b := range []struct {
		action, label string
		style         discord.ButtonStyle
	}{
		{actRules, "duel.button.rules", discord.ButtonStyleSecondary},
		{actHow, "duel.button.how", discord.ButtonStyleSecondary},
		{actRoom, "duel.button.room", discord.ButtonStyleSuccess},
		{actMine, "duel.button.mine", discord.ButtonStyleSecondary},
	} {
		id, err := boardButtonID(b.action, d.ID)
		if err != nil {
			return nil, err
		}
		buttons = append(buttons, discord.ButtonComponent{Style: b.style, Label: s.t(loc, b.label), CustomID: id})
	}
	// One action row holds five buttons.
	rows = append(rows, discord.NewActionRow(buttons[:min(5, len(buttons))]...))
	return rows, nil
}

// voteSelect offers the given answers (≤ 25) by their anonymous number.
func (s *Service) voteSelect(loc string, roundID int64, page int, ans []pairAnswer) (discord.StringSelectMenuComponent, error) {
	id, err := voteID(roundID, page)
	if err != nil {
		return discord.StringSelectMenuComponent{}, err
	}
	opts := make([]discord.StringSelectMenuOption, 0, len(ans))
	for _, a := range ans {
		label := usertext.Cut(fmt.Sprintf("#%d · %s", a.Label, oneLine(a.Text)), maxOptionLabel)
		opts = append(opts, discord.NewStringSelectMenuOption(label, strconv.Itoa(a.Label)))
	}
	return discord.NewStringSelectMenu(id, s.t(loc, "duel.board.vote_placeholder"), opts...), nil
}

// pairName is "<@a> & <@b>" (the board never pings).
func (s *Service) pairName(ctx context.Context, idb bun.IDB, pairID int64) string {
	p, err := s.pairs.Pair(ctx, idb, pairID)
	if err != nil {
		return fmt.Sprintf("#%d", pairID)
	}
	return fmt.Sprintf("<@%d> & <@%d>", p.Members[0], p.Members[1])
}

// oneLine flattens an answer for one-line displays.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
