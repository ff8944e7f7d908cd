package oracle

import (
	"context"
	"errors"
	"fmt"

	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/disgo/rest"
	"github.com/disgoorg/snowflake/v2"
	"github.com/uptrace/bun"

	"github.com/together-bot/together/core/i18n"
	"github.com/together-bot/together/modules/pairhome/pairhomeapi"
)

// Claim is a member's guidance for a week as the handlers show it.
type Claim struct {
	Week      Week
	Archetype string
	Tone      Tone
	Context   Context
	Body      string // the guidance text, fixed at the first claim
	DMSent    bool
	PairSent  bool
	// New is true only for the call that stored the claim; a re-claim, a
	// double click or a retried interaction gets false and the same Body.
	New bool
	// PairRoom: pairhome is on and the member has a pair room to send to.
	PairRoom bool
}

// activeWeek is the week the guild's dashboard shows, which is the week
// claims count towards: between Monday 00:00 and the local publish hour the
// card still shows last week, and a claim from it belongs to last week.
func (s *Service) activeWeek(ctx context.Context, idb bun.IDB, guildID uint64, card Week) (Week, error) {
	d, ok, err := s.st.dashboard(ctx, idb, guildID)
	if err != nil {
		return Week{}, err
	}
	if !ok {
		return Week{}, ErrNotPublished
	}
	if d.Week != card {
		return Week{}, ErrStaleCard
	}
	return d.Week, nil
}

// Existing returns the member's claim for the card's week, or ErrNoClaim.
func (s *Service) Existing(ctx context.Context, guildID, userID uint64, card Week) (Claim, error) {
	w, err := s.activeWeek(ctx, s.DB.Bun, guildID, card)
	if err != nil {
		return Claim{}, err
	}
	row, ok, err := s.st.claim(ctx, s.DB.Bun, guildID, w, userID)
	if err != nil {
		return Claim{}, err
	}
	if !ok {
		return Claim{}, ErrNoClaim
	}
	return claimView(row, s.hasPairRoom(ctx, guildID, userID)), nil
}

// ClaimGuidance stores the member's first claim of the card's week and
// returns it; a later claim that week returns the stored guidance (whatever
// tone and context were picked then) and changes nothing. locale is the
// language the guidance is written in the first time.
func (s *Service) ClaimGuidance(ctx context.Context, guildID, userID uint64, card Week, t Tone, c Context, locale string) (Claim, error) {
	if !t.Valid() || !c.Valid() {
		return Claim{}, ErrBadChoice
	}
	g, err := s.guild(ctx, guildID)
	if err != nil {
		return Claim{}, err
	}
	if err := g.settings.RequireModule(Name); err != nil {
		return Claim{}, err
	}
	if n := i18n.Normalize(locale); n != "" {
		locale = n
	} else {
		locale = g.locale
	}
	var pair *pairhomeapi.Pair
	if s.pairhomeOn(g.settings) {
		// Read before the transaction: pairhome's lookup is its own business.
		p, err := s.pairs.PairOf(ctx, nil, guildID, userID)
		switch {
		case err == nil:
			pair = &p
		case !errors.Is(err, pairhomeapi.ErrNoPair):
			s.Logger.Warn("pairhome lookup failed; claiming without the pair panel refresh", "guild_id", guildID, "error", err)
		}
	}
	var row claimRow
	err = s.DB.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		w, err := s.activeWeek(ctx, tx, guildID, card)
		if err != nil {
			return err
		}
		key, err := s.weekArchetype(ctx, tx, guildID, w)
		if err != nil {
			return err
		}
		body, err := s.guidanceText(locale, key, w, t, c)
		if err != nil {
			return err
		}
		row, err = s.st.insertClaim(ctx, tx, guildID, claimRow{Week: w, UserID: userID, Archetype: key,
			Tone: t, Context: c, Locale: locale, Body: body})
		if err != nil || !row.JustClaims {
			return err
		}
		// The count on the dashboard and the partner's section changed.
		if err := s.Projections.Request(ctx, tx, DashboardKind, DashboardKey(guildID)); err != nil {
			return err
		}
		if pair != nil {
			return s.pairs.RequestPanel(ctx, tx, pair.ID)
		}
		return nil
	})
	if err != nil {
		return Claim{}, err
	}
	if row.JustClaims {
		s.Logger.Info("guidance claimed", "guild_id", guildID, "user_id", userID, "week", row.Week.String(),
			"archetype", row.Archetype, "tone", string(t), "context", string(c), "action", "claim")
	}
	return claimView(row, pair != nil && pair.ChannelID != 0), nil
}

func claimView(row claimRow, pairRoom bool) Claim {
	return Claim{Week: row.Week, Archetype: row.Archetype, Tone: row.Tone, Context: row.Context, Body: row.Body,
		DMSent: row.DMSent, PairSent: row.PairSent, New: row.JustClaims, PairRoom: pairRoom}
}

// hasPairRoom: pairhome is on and the member's pair has a room to send to.
func (s *Service) hasPairRoom(ctx context.Context, guildID, userID uint64) bool {
	_, err := s.pairRoom(ctx, guildID, userID)
	return err == nil
}

// pairRoom finds the member's pair with a room, or ErrNoPairhome,
// pairhomeapi.ErrNoPair or ErrNoRoom.
func (s *Service) pairRoom(ctx context.Context, guildID, userID uint64) (pairhomeapi.Pair, error) {
	g, err := s.guild(ctx, guildID)
	if err != nil {
		return pairhomeapi.Pair{}, err
	}
	if !s.pairhomeOn(g.settings) {
		return pairhomeapi.Pair{}, ErrNoPairhome
	}
	p, err := s.pairs.PairOf(ctx, nil, guildID, userID)
	if err != nil {
		return pairhomeapi.Pair{}, fmt.Errorf("oracle: pair of member %d: %w", userID, err)
	}
	if p.ChannelID == 0 {
		return pairhomeapi.Pair{}, ErrNoRoom
	}
	return p, nil
}

// SendToDM sends the member a copy of their claim in DMs, at most once per
// claim. A refused DM (closed DMs) gives the copy back for a later retry.
func (s *Service) SendToDM(ctx context.Context, guildID, userID uint64, card Week) error {
	return s.sendCopy(ctx, guildID, userID, card, toDM, func(body, locale string) error {
		if s.Rest == nil {
			return fmt.Errorf("%w: no Discord client", ErrSendFailed)
		}
		dm, err := s.Rest.CreateDMChannel(snowflake.ID(userID), rest.WithCtx(ctx))
		if err != nil {
			return fmt.Errorf("%w: open DM: %w", ErrSendFailed, err)
		}
		msg := discord.MessageCreate{Content: s.texts.T(locale, "oracle.copy.dm_header") + "\n\n" + body,
			AllowedMentions: &discord.AllowedMentions{}}
		if _, err := s.Rest.CreateMessage(dm.ID(), msg, rest.WithCtx(ctx)); err != nil {
			return fmt.Errorf("%w: send DM: %w", ErrSendFailed, err)
		}
		return nil
	})
}

// SendToPair posts a copy of the claim in the member's pair room, at most
// once per claim.
func (s *Service) SendToPair(ctx context.Context, guildID, userID uint64, card Week) error {
	p, err := s.pairRoom(ctx, guildID, userID)
	if err != nil {
		return err
	}
	return s.sendCopy(ctx, guildID, userID, card, toPair, func(body, locale string) error {
		if s.Rest == nil {
			return fmt.Errorf("%w: no Discord client", ErrSendFailed)
		}
		head := s.texts.T(locale, "oracle.copy.pair_header", "user", fmt.Sprintf("<@%d>", userID))
		msg := discord.MessageCreate{Content: head + "\n\n" + body, AllowedMentions: &discord.AllowedMentions{}}
		if _, err := s.Rest.CreateMessage(snowflake.ID(p.ChannelID), msg, rest.WithCtx(ctx)); err != nil {
			return fmt.Errorf("%w: post in pair room: %w", ErrSendFailed, err)
		}
		return nil
	})
}

// sendCopy marks the copy sent first, so a double click sends once; if the
// send then fails the mark is undone. A crash between the two loses that one
// copy rather than ever sending it twice.
func (s *Service) sendCopy(ctx context.Context, guildID, userID uint64, card Week, d delivery, send func(body, locale string) error) error {
	w, err := s.activeWeek(ctx, s.DB.Bun, guildID, card)
	if err != nil {
		return err
	}
	row, ok, err := s.st.claim(ctx, s.DB.Bun, guildID, w, userID)
	if err != nil {
		return err
	}
	if !ok {
		return ErrNoClaim
	}
	first, err := s.st.markSent(ctx, s.DB.Bun, guildID, w, userID, d)
	if err != nil {
		return err
	}
	if !first {
		return ErrAlreadySent
	}
	if err := send(row.Body, row.Locale); err != nil {
		if uerr := s.st.unmarkSent(context.WithoutCancel(ctx), s.DB.Bun, guildID, w, userID, d); uerr != nil {
			s.Logger.Error("could not give a failed copy back", "guild_id", guildID, "user_id", userID, "to", string(d), "error", uerr)
		}
		return err
	}
	s.Logger.Info("guidance copy sent", "guild_id", guildID, "user_id", userID, "week", w.String(), "to", string(d), "action", "send_copy")
	return nil
}

// Ritual asks pairhome to refresh the member's pair panel (where the oracle
// section shows both partners) and returns the room to point them to.
func (s *Service) Ritual(ctx context.Context, guildID, userID uint64) (uint64, error) {
	p, err := s.pairRoom(ctx, guildID, userID)
	if err != nil {
		return 0, err
	}
	err = s.DB.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		return s.pairs.RequestPanel(ctx, tx, p.ID)
	})
	if err != nil {
		return 0, err
	}
	return p.ChannelID, nil
}
