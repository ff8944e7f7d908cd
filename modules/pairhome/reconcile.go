package pairhome

import (
	"context"
	"fmt"
	"strings"

	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/disgo/rest"
	"github.com/disgoorg/snowflake/v2"
	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"github.com/together-bot/together/core/discord/resterr"
	"github.com/together-bot/together/core/projection"
)

// memberChecksPerRun bounds GET member calls per guild and run; pairs are
// checked oldest-checked first, so every pair gets its turn.
const memberChecksPerRun = 25

// reconcileBatch bounds the guilds one Reconcile visits, least recently
// checked first. A guild costs about 1 + 2×pairs REST calls, so 50 guilds
// every 2 minutes keep the repair near 2 requests/s of the 50/s budget
// whatever the number of guilds; with 10,000 guilds each is visited about
// every 7 hours (events handle members leaving and rooms deleted at once).
const reconcileBatch = 50

// Reconcile repairs what events may have missed (the bot was offline, an
// event was dropped): rooms deleted by hand, members who left, rooms still
// to create or archive. Discord errors are logged and skipped, never
// returned, so one broken guild cannot fail the job for the others; only
// database errors are returned (River retries them).
func (s *service) Reconcile(ctx context.Context) error {
	guilds, err := guildsToReconcile(ctx, s.DB.Bun, reconcileBatch)
	if err != nil {
		return err
	}
	for _, g := range guilds {
		if err := s.reconcileGuild(ctx, g); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			s.Logger.Error("reconcile guild", "guild_id", g, "error", err)
		}
	}
	return nil
}

func (s *service) reconcileGuild(ctx context.Context, guildID uint64) error {
	pairs, err := pairsToReconcile(ctx, s.DB.Bun, guildID)
	if err != nil {
		return err
	}
	channels, cerr := call(ctx, func(o rest.RequestOpt) ([]discord.GuildChannel, error) {
		return s.Rest.GetGuildChannels(snowflake.ID(guildID), o)
	})
	if cerr != nil {
		s.Logger.Warn("reconcile: cannot list guild channels; skipping room checks", "guild_id", guildID, "error", cerr)
	}
	live := map[uint64]bool{}
	for _, ch := range channels {
		live[uint64(ch.ID())] = true
	}
	for _, r := range pairs {
		p := r.ref()
		switch {
		case !p.Active:
			err = s.enqueueNow(ctx, archiveArgs{GuildID: guildID, PairID: p.ID})
		case p.ChannelID == 0 || (r.RoomError != nil && *r.RoomError != ""):
			err = s.enqueueNow(ctx, roomArgs{GuildID: guildID, PairID: p.ID})
		case cerr == nil && !live[p.ChannelID]:
			err = s.RoomDeleted(ctx, guildID, p.ChannelID)
		}
		if err != nil {
			return err
		}
	}
	return s.checkMembers(ctx, guildID)
}

// checkMembers archives pairs whose member is no longer in the guild.
func (s *service) checkMembers(ctx context.Context, guildID uint64) error {
	pairs, err := pairsForMemberCheck(ctx, s.DB.Bun, guildID, memberChecksPerRun)
	if err != nil {
		return err
	}
	for _, r := range pairs {
		p := r.ref()
		left, ok := uint64(0), true
		for _, m := range p.Members {
			_, err := call(ctx, func(o rest.RequestOpt) (*discord.Member, error) {
				return s.Rest.GetMember(snowflake.ID(guildID), snowflake.ID(m), o)
			})
			if err == nil {
				continue
			}
			if c, has := resterr.Code(err); has && c == rest.JSONErrorCodeUnknownMember || !has && resterr.IsUnknownResource(err) {
				left = m
				break
			}
			s.Logger.Warn("reconcile: cannot check a pair member", "guild_id", guildID, "pair_id", p.ID, "user_id", m, "error", err)
			ok = false
			break
		}
		if left != 0 {
			if _, err := s.MemberLeft(ctx, guildID, left); err != nil {
				return err
			}
			continue
		}
		if ok {
			if err := markMembersChecked(ctx, s.DB.Bun, p.ID); err != nil {
				return err
			}
			if err := s.verifyPanel(ctx, p); err != nil {
				return err
			}
		}
	}
	return nil
}

// verifyPanel makes the core re-send the pair's panel even if its content is
// unchanged. The core only notices a panel deleted by hand when it edits it
// (the bot does not receive message events), so this is what recreates a
// deleted panel within one reconcile cycle.
func (s *service) verifyPanel(ctx context.Context, p pairRef) error {
	if p.ChannelID == 0 {
		return nil
	}
	_, err := s.Projections.Rebuild(ctx, projection.Filter{Kind: panelKind, Key: p.Key()})
	return err
}

// sectionsBatch bounds the guilds one SyncSections run looks at.
const sectionsBatch = 1000

// SyncSections compares, per guild, the sections that would show now with
// the ones shown last, and re-renders that guild's panels when they differ.
// Guild settings carry no change hook, so this runs every minute; it looks
// only at guilds never checked or with a module switched since the last
// check (one query when nothing changed, whatever the number of guilds).
func (s *service) SyncSections(ctx context.Context) error {
	guilds, err := guildsWithSectionsDue(ctx, s.DB.Bun, sectionsBatch)
	if err != nil {
		return err
	}
	for _, g := range guilds {
		st, err := s.Guilds.Settings(ctx, g)
		if err != nil {
			s.Logger.Warn("sections: guild settings unavailable", "guild_id", g, "error", err)
			continue
		}
		// While pairhome itself is off its panels show no section; recording
		// that empty set makes switching it back on re-render them.
		var names []string
		if st.ModuleOn(Name) {
			for _, sec := range enabledSections(st, s.sections.all()) {
				names = append(names, sec.Module)
			}
		}
		err = s.DB.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
			changed, err := swapSections(ctx, tx, g, strings.Join(names, ","))
			if err != nil || !changed {
				return err
			}
			return s.RequestPanels(ctx, tx, g)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// enqueueNow inserts a job outside any business transaction.
func (s *service) enqueueNow(ctx context.Context, args river.JobArgs) error {
	if _, err := s.Queue.Insert(ctx, args, nil); err != nil {
		return fmt.Errorf("pairhome: enqueue %s: %w", args.Kind(), err)
	}
	return nil
}
