package duel

import (
	"context"
	"strconv"
	"strings"

	"github.com/disgoorg/disgo/discord"
	"github.com/together-bot/together/core/usertext"
)

// ballotPage renders page (0-based) of a voting round's anonymous answers
// in full, with a select for that page's answers and paging buttons.
func (s *Service) ballotPage(ctx context.Context, locale string, guildID uint64, roundID int64, page int, userID uint64) (discord.MessageCreate, error) {
	r, err := guildRound(ctx, s.DB.Bun, guildID, roundID, noLock)
	if err != nil {
		return discord.MessageCreate{}, err
	}
	if r.Phase != phaseVoting {
		return discord.MessageCreate{}, ErrNotVoting
	}
	all, err := answers(ctx, s.DB.Bun, roundID, false)
	if err != nil {
		return discord.MessageCreate{}, err
	}
	pages := max(1, (len(all)+ballotPageSize-1)/ballotPageSize)
	page = min(max(page, 0), pages-1)
	part := all[min(page*ballotPageSize, len(all)):min((page+1)*ballotPageSize, len(all))]
	mine, err := s.myVote(ctx, roundID, userID)
	if err != nil {
		return discord.MessageCreate{}, err
	}
	var b strings.Builder
	b.WriteString(s.t(locale, "duel.ballot.head", "no", r.No, "page", page+1, "pages", pages,
		"deadline", timestamp(r.Deadline(), "R")))
	if mine > 0 {
		b.WriteString("\n" + s.t(locale, "duel.ballot.mine", "label", mine))
	}
	for _, a := range part {
		b.WriteString("\n\n**#" + strconv.Itoa(a.Label) + "**\n" + quote(a.Text))
	}
	var rows []discord.LayoutComponent
	if len(part) > 0 {
		sel, err := s.voteSelect(locale, roundID, page, part)
		if err != nil {
			return discord.MessageCreate{}, err
		}
		rows = append(rows, discord.NewActionRow(sel))
	}
	if pages > 1 {
		// Page 0's "previous" is disabled; it still names a valid page.
		prev, err := ballotID(roundID, max(page-1, 0))
		if err != nil {
			return discord.MessageCreate{}, err
		}
		next, err := ballotID(roundID, page+1)
		if err != nil {
			return discord.MessageCreate{}, err
		}
		rows = append(rows, discord.NewActionRow(
			discord.NewSecondaryButton(s.t(locale, "duel.button.prev"), prev).WithDisabled(page == 0),
			discord.NewSecondaryButton(s.t(locale, "duel.button.next"), next).WithDisabled(page == pages-1)))
	}
	return discord.MessageCreate{
		Embeds:          []discord.Embed{{Description: usertext.Cut(b.String(), maxEmbedDesc), Color: boardColor}},
		Components:      rows,
		AllowedMentions: &discord.AllowedMentions{},
	}, nil
}
