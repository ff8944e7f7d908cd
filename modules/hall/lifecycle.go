package hall

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"github.com/together-bot/together/core/guild"
)

// refreshEvery bounds how stale a live card may get when no contributor
// asked for a refresh (the projection's hash check makes an unchanged
// render free).
const refreshEvery = time.Hour

// tickBatch bounds the syncs one tick queues for first cards, month ends and
// switched categories: 10,000 guilds whose month ends together are spread
// over ten ticks, and their dashboards are paced by core/projection.
const tickBatch = 1000

// refreshPerTick bounds the hourly safety-net refreshes per tick (a minute),
// so an idle bot's cost stays flat however many guilds it serves: beyond
// 3,000 guilds a card's refresh comes every guilds/50 minutes instead of
// hourly. Changes reach cards through their contributors' requests anyway.
const refreshPerTick = 50

// maxCatchUp bounds the months one Sync finalizes; the next tick goes on.
const maxCatchUp = 12

// Sync brings one guild's cards up to date: it creates the first card,
// finalizes every live card whose period has ended (each creating the
// next month's), and re-renders a live card whose categories were switched
// or that was not refreshed for an hour. Safe to run any number of times,
// concurrently too.
func (s *Service) Sync(ctx context.Context, guildID uint64) error {
	if err := s.ensureFirst(ctx, guildID); err != nil {
		return err
	}
	now := s.now()
	var live []Card
	// Each finalization creates the next card, which is due too when the
	// bot (or hall in this guild) was off for more than a month: catch up,
	// a bounded number of months per run.
	for range maxCatchUp {
		var err error
		if live, err = cards(ctx, s.DB.Bun, guildID, true); err != nil {
			return err
		}
		due := 0
		for _, c := range live {
			if !now.Before(c.End) {
				due++
				if _, err := s.Finalize(ctx, guildID, c.Month); err != nil {
					return err
				}
			}
		}
		if due == 0 {
			break
		}
	}
	cats, err := s.enabled(ctx, guildID)
	if err != nil {
		return err
	}
	shown := keysOf(cats)
	for _, c := range live {
		err := s.DB.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
			due, err := touchLive(ctx, tx, c, shown, refreshEvery)
			if err != nil || !due {
				return err
			}
			return s.refresher.proj.Request(ctx, tx, CardKind, c.Key())
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// ensureFirst creates the guild's first card (the current month in its
// timezone) when it has none; later cards are created by finalization.
func (s *Service) ensureFirst(ctx context.Context, guildID uint64) error {
	return s.DB.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		c, created, err := s.createFirst(ctx, tx, guildID)
		if err != nil || !created {
			return err
		}
		return s.refresher.proj.Request(ctx, tx, CardKind, c.Key())
	})
}

// createFirst inserts the guild's first card in tx when it has none; the
// caller requests its projection.
func (s *Service) createFirst(ctx context.Context, tx bun.Tx, guildID uint64) (Card, bool, error) {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM hall_cards WHERE guild_id = ?`, int64(guildID)).Scan(&n); err != nil {
		return Card{}, false, fmt.Errorf("hall: count cards: %w", err)
	}
	if n > 0 {
		return Card{}, false, nil
	}
	cats, err := s.enabled(ctx, guildID)
	if err != nil {
		return Card{}, false, err
	}
	loc := s.guilds.Location(ctx, guildID)
	m := MonthOf(s.now(), loc)
	c := Card{GuildID: guildID, Month: m, Start: m.Start(loc), End: m.End(loc), Timezone: loc.String(), Shown: keysOf(cats)}
	created, err := insertCard(ctx, tx, c)
	if err != nil || !created {
		return Card{}, false, err
	}
	s.Logger.Info("hall card started", "guild_id", guildID, "month", m.String(), "timezone", c.Timezone)
	return c, true, nil
}

// channelHook shows the card within seconds of the hall channel being set
// (guild.ChannelHooks): in the transaction that changes the channel it
// creates the guild's first card if there is none and requests every live
// card, which the projection then posts in the new channel (removing it
// from the old one) or, when the channel was cleared, takes down. Final
// cards stay where they were finalized.
func (s *Service) channelHook() guild.ChannelHook {
	return guild.ChannelHook{Purpose: ChannelPurpose.ID(), OnChange: func(ctx context.Context, tx bun.Tx, c guild.ChannelChange) error {
		if c.To != 0 {
			if _, _, err := s.createFirst(ctx, tx, c.GuildID); err != nil {
				return err
			}
		}
		// The new card is live, so this requests it too.
		return s.refresher.RequestRefresh(ctx, tx, c.GuildID)
	}}
}

// Finalize freezes a card whose period has ended: its standings are
// written to hall tables, it becomes final, and the next month's card is
// created, starting where this one ends (so a timezone change never
// counts a moment twice). One transaction holding the card's row lock; a
// card already final or not yet due is left alone, so duplicate and
// concurrent runs are no-ops. It reports whether this call finalized it.
func (s *Service) Finalize(ctx context.Context, guildID uint64, m Month) (bool, error) {
	cats, err := s.enabled(ctx, guildID)
	if err != nil {
		return false, err
	}
	done := false
	err = s.DB.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		c, err := loadCard(ctx, tx, guildID, m, true)
		if err != nil {
			return err
		}
		if !c.Live() || s.now().Before(c.End) {
			return nil
		}
		boards, err := s.boards(ctx, tx, c, cats)
		if err != nil {
			return err
		}
		active, err := s.activePairCount(ctx, tx, guildID)
		if err != nil {
			return err
		}
		channel, err := guild.ReadChannel(ctx, tx, guildID, ChannelPurpose)
		if err != nil {
			return err
		}
		if done, err = markFinal(ctx, tx, c, channel, active); err != nil || !done {
			return err
		}
		if err := saveBoards(ctx, tx, c, boards); err != nil {
			return err
		}
		loc := s.guilds.Location(ctx, guildID)
		next := Card{GuildID: guildID, Month: m.Next(), Start: c.End, End: m.Next().End(loc), Timezone: loc.String(),
			Shown: keysOf(cats)}
		if _, err := insertCard(ctx, tx, next); err != nil {
			return err
		}
		// Keys sort by month, the stable order core/projection asks for.
		if err := s.refresher.proj.Request(ctx, tx, CardKind, c.Key()); err != nil {
			return err
		}
		return s.refresher.proj.Request(ctx, tx, CardKind, next.Key())
	})
	if errors.Is(err, ErrNoCard) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if done {
		s.Logger.Info("hall card finalized", "guild_id", guildID, "month", m.String(), "categories", len(cats))
	}
	return done, nil
}

// Tick queues a sync for the guilds with work due (dueGuilds): one query
// whatever the number of guilds, and nothing queued when nothing is due.
// The sync jobs carry guild_id, so the queue skips them in guilds where
// hall is off.
func (s *Service) Tick(ctx context.Context) (int, error) {
	guilds, err := dueGuilds(ctx, s.DB.Bun, s.now(), refreshEvery, tickBatch, refreshPerTick)
	if err != nil {
		return 0, err
	}
	var params []river.InsertManyParams
	for _, g := range guilds {
		params = append(params, river.InsertManyParams{Args: SyncArgs{GuildID: g}, InsertOpts: syncInsertOpts()})
	}
	if len(params) == 0 {
		return 0, nil
	}
	if _, err := s.Queue.InsertMany(ctx, params); err != nil {
		return 0, fmt.Errorf("hall: queue syncs: %w", err)
	}
	return len(params), nil
}
