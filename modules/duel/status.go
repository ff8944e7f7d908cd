package duel

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/interaction"
	"github.com/together-bot/together/core/usertext"
)

// deliveryCounts counts of a round's prompt fan-out, by status.
type deliveryCounts struct {
	Pending, Sent, Failed, NoRoom, Late int
	// FailedRooms lists up to 10 rooms that could not be reached, with why.
	FailedRooms []failedRoom
}

// failedRoom is one unreachable pair room.
type failedRoom struct {
	PairID    int64
	ChannelID uint64
	Error     string
}

// duelStatus is what /duel status shows staff.
type duelStatus struct {
	Duel     duel
	Round    *round
	Delivery deliveryCounts
	// Answers of the open round with their pairs (staff only: moderation).
	Answers []pairAnswer
}

// status reports the active duel, its latest round and the fan-out progress.
func (s *Service) status(ctx context.Context, guildID uint64) (duelStatus, error) {
	d, err := activeDuel(ctx, s.DB.Bun, guildID, noLock)
	if err != nil {
		return duelStatus{}, err
	}
	st := duelStatus{Duel: d}
	r, err := lastRound(ctx, s.DB.Bun, d.ID)
	if errors.Is(err, ErrNoRound) {
		return st, nil
	}
	if err != nil {
		return duelStatus{}, err
	}
	st.Round = &r
	if st.Delivery, err = s.deliveries(ctx, r.ID); err != nil {
		return duelStatus{}, err
	}
	if r.Phase.Open() {
		if st.Answers, err = answers(ctx, s.DB.Bun, r.ID, true); err != nil {
			return duelStatus{}, err
		}
	}
	return st, nil
}

func (s *Service) deliveries(ctx context.Context, roundID int64) (deliveryCounts, error) {
	byStatus, err := db.QueryMap[string, int](ctx, s.DB.Bun, `SELECT status, count(*) FROM duel_deliveries
		WHERE round_id = ? GROUP BY status`, roundID)
	if err != nil {
		return deliveryCounts{}, fmt.Errorf("duel: delivery counts: %w", err)
	}
	d := deliveryCounts{Pending: byStatus["pending"], Sent: byStatus["sent"], Failed: byStatus["failed"],
		NoRoom: byStatus["no_room"], Late: byStatus["late"]}
	d.FailedRooms, err = db.Query(ctx, s.DB.Bun, func(row db.Scanner) (failedRoom, error) {
		var f failedRoom
		return f, row.Scan(&f.PairID, &f.ChannelID, &f.Error)
	}, `SELECT pair_id, coalesce(channel_id, 0), coalesce(last_error, '') FROM duel_deliveries
		WHERE round_id = ? AND status = 'failed' ORDER BY pair_id LIMIT 10`, roundID)
	if err != nil {
		return deliveryCounts{}, fmt.Errorf("duel: unreachable rooms: %w", err)
	}
	return d, nil
}

// statusAnswers bounds the answers /duel status lists (a thousand pairs
// would otherwise take dozens of messages); /duel remove takes a member too.
const statusAnswers = 40

func (h *handlers) status(c *interaction.Context) error {
	st, err := h.s.status(c, c.GuildID())
	if err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString(c.T("duel.status.duel", "title", st.Duel.Title, "channel", channelMention(st.Duel.ChannelID)))
	if st.Round == nil {
		b.WriteString("\n" + c.T("duel.board.no_round"))
		return c.ReplyLong(true, b.String())
	}
	r := *st.Round
	b.WriteString("\n" + h.s.phaseLine(c.Locale, r))
	dl := st.Delivery
	b.WriteString("\n" + c.T("duel.status.delivery", "sent", dl.Sent, "pending", dl.Pending, "failed", dl.Failed,
		"no_room", dl.NoRoom, "late", dl.Late))
	for _, f := range dl.FailedRooms {
		b.WriteString("\n" + c.T("duel.status.failed_room", "pair", f.PairID, "channel", channelMention(f.ChannelID),
			"error", usertext.Cut(f.Error, 120)))
	}
	if len(st.Answers) > 0 {
		b.WriteString("\n\n" + c.T("duel.status.answers"))
	}
	for i, a := range st.Answers {
		if i == statusAnswers {
			b.WriteString("\n" + c.T("duel.status.more", "n", len(st.Answers)-statusAnswers))
			break
		}
		label := "–"
		if a.Label > 0 {
			label = fmt.Sprintf("#%d", a.Label)
		}
		line := fmt.Sprintf("\n%s · pair %d · <@%d> · %d · %s", label, a.PairID, a.AnsweredBy, a.Votes, usertext.Cut(oneLine(a.Text), 80))
		if a.Removed {
			line = "\n~~" + line[1:] + "~~"
		}
		b.WriteString(line)
	}
	return c.ReplyLong(true, b.String())
}

// contribution is one pair's totals in a duel.
type contribution struct{ Points, Answers, Votes int }

// contributionOf sums the scored rounds of the member's pair in a duel, or
// refuses with pairhomeapi.ErrNoPair.
func (s *Service) contributionOf(ctx context.Context, guildID uint64, duelID int64, userID uint64) (contribution, error) {
	p, err := s.pairOf(ctx, s.DB.Bun, guildID, userID)
	if err != nil {
		return contribution{}, err
	}
	var ct contribution
	err = s.DB.Bun.QueryRowContext(ctx, `SELECT coalesce(sum(points), 0)::int, count(*)::int, coalesce(sum(vote_points), 0)::int
		FROM duel_scores WHERE duel_id = ? AND pair_id = ?`, duelID, p.ID).Scan(&ct.Points, &ct.Answers, &ct.Votes)
	if err != nil {
		return contribution{}, fmt.Errorf("duel: contribution of pair %d: %w", p.ID, err)
	}
	return ct, nil
}

// roomOf is the room of the member's pair (0 while it is being created), or
// pairhomeapi.ErrNoPair.
func (s *Service) roomOf(ctx context.Context, guildID, userID uint64) (uint64, error) {
	p, err := s.pairOf(ctx, s.DB.Bun, guildID, userID)
	if err != nil {
		return 0, err
	}
	return p.ChannelID, nil
}

func channelMention(id uint64) string { return fmt.Sprintf("<#%d>", id) }

func minuteDuration(m int) time.Duration { return time.Duration(m) * time.Minute }
