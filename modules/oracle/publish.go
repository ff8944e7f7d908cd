package oracle

import (
	"context"
	"errors"

	"github.com/uptrace/bun"

	"github.com/together-bot/together/core/guild"
	"github.com/together-bot/together/core/queue"
)

// Published is the outcome of a publish.
type Published struct {
	Week      Week
	ChannelID uint64
	// Moved is false when the dashboard already showed this week (publish-now
	// then only refreshes it; the schedule does nothing).
	Moved bool
}

// PublishNow points the guild's dashboard at the current week and asks the
// core to render it: the existing message is edited (or recreated if it was
// deleted), never a second one posted. by is the staff member, 0 for the
// operator CLI.
func (s *Service) PublishNow(ctx context.Context, guildID, by uint64) (Published, error) {
	g, err := s.guild(ctx, guildID)
	if err != nil {
		return Published{}, err
	}
	// The router already refuses /oracle where oracle is off, but the
	// operator CLI calls this with no router in front of it.
	if err := g.settings.RequireModule(Name); err != nil {
		return Published{}, err
	}
	ch, err := g.settings.RequireChannel(Name, ChannelPurposeKey)
	if err != nil {
		return Published{}, err
	}
	p := Published{Week: WeekAt(s.now(), g.loc), ChannelID: ch}
	err = s.DB.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := s.weekArchetype(ctx, tx, guildID, p.Week); err != nil {
			return err
		}
		moved, err := s.st.setDashboardWeek(ctx, tx, guildID, p.Week, by, true)
		if err != nil {
			return err
		}
		p.Moved = moved
		return s.Projections.Request(ctx, tx, DashboardKind, DashboardKey(guildID))
	})
	if err != nil {
		return Published{}, err
	}
	s.Logger.Info("dashboard published", "guild_id", guildID, "week", p.Week.String(), "by", by, "moved", p.Moved, "action", "publish")
	return p, nil
}

// channelHook shows the dashboard within seconds of the oracle channel being
// set (guild.ChannelHooks). In the transaction that changes the channel, a
// guild that never had a dashboard gets the current week published (as
// publish-now would), and the dashboard is requested: the core posts it in
// the new channel and deletes it from the old one, or takes it down when
// the channel was cleared.
func (s *Service) channelHook() guild.ChannelHook {
	return guild.ChannelHook{Purpose: ChannelPurpose.ID(), OnChange: func(ctx context.Context, tx bun.Tx, c guild.ChannelChange) error {
		if c.To != 0 {
			if err := s.publishFirst(ctx, tx, c.GuildID, c.By); err != nil {
				return err
			}
		}
		return s.Projections.Request(ctx, tx, DashboardKind, DashboardKey(c.GuildID))
	}}
}

// publishFirst publishes the current week in tx when the guild has no
// dashboard yet; later weeks are the schedule's.
func (s *Service) publishFirst(ctx context.Context, tx bun.Tx, guildID, by uint64) error {
	if _, ok, err := s.st.dashboard(ctx, tx, guildID); err != nil || ok {
		return err
	}
	w := WeekAt(s.now(), s.Guilds.Location(ctx, guildID))
	if _, err := s.weekArchetype(ctx, tx, guildID, w); err != nil {
		return err
	}
	if _, err := s.st.setDashboardWeek(ctx, tx, guildID, w, by, false); err != nil {
		return err
	}
	s.Logger.Info("first dashboard published with the channel", "guild_id", guildID, "week", w.String(), "by", by, "action", "publish")
	return nil
}

// publishIfDue is the schedule's per-guild step: publish the current week
// once its Monday PublishHour has passed locally and the dashboard still
// shows an older week. Running it again does nothing, so the schedule can
// run every few minutes on any replica. Guilds where oracle is off never
// get here: guildsWithChannel leaves them out.
func (s *Service) publishIfDue(ctx context.Context, guildID uint64, shown string) (bool, error) {
	g, err := s.guild(ctx, guildID)
	if err != nil {
		return false, err
	}
	if _, ok := g.settings.Channel(Name, ChannelPurposeKey); !ok {
		return false, nil
	}
	now := s.now()
	w := WeekAt(now, g.loc)
	if shown != "" && shown >= w.String() || now.Before(w.PublishAt(g.loc)) {
		return false, nil
	}
	var moved bool
	err = s.DB.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := s.weekArchetype(ctx, tx, guildID, w); err != nil {
			return err
		}
		if moved, err = s.st.setDashboardWeek(ctx, tx, guildID, w, 0, false); err != nil || !moved {
			return err
		}
		return s.Projections.Request(ctx, tx, DashboardKind, DashboardKey(guildID))
	})
	if err == nil && moved {
		s.Logger.Info("dashboard published by schedule", "guild_id", guildID, "week", w.String(), "action", "publish")
	}
	return moved, err
}

// publishPage bounds the guilds one query of PublishDue returns.
const publishPage = 500

// PublishDue runs publishIfDue for every guild whose dashboard is due
// (dueGuilds, a page at a time) and returns how many moved to a new week.
// With nothing due it costs one query, whatever the number of guilds. One
// guild's failure does not stop the others; failures come back as
// *GuildErrors.
func (s *Service) PublishDue(ctx context.Context) (int, error) {
	var (
		n      int
		failed GuildErrors
		after  uint64
	)
	for {
		guilds, err := s.st.dueGuilds(ctx, s.DB.Bun, s.now(), s.Guilds.DefaultLocation().String(), after, publishPage)
		if err != nil {
			return n, err
		}
		for _, g := range guilds {
			if queue.NearDeadline(ctx) {
				if len(failed) > 0 {
					return n, errors.Join(failed, queue.ErrPassUnfinished)
				}
				return n, queue.ErrPassUnfinished
			}
			moved, err := s.publishIfDue(ctx, g.GuildID, g.Week)
			if err != nil {
				s.Logger.Warn("scheduled publish failed", "guild_id", g.GuildID, "error", err)
				failed = append(failed, GuildError{GuildID: g.GuildID, Err: err})
				continue
			}
			if moved {
				n++
			}
		}
		if len(guilds) < publishPage {
			break
		}
		after = guilds[len(guilds)-1].GuildID
	}
	if len(failed) > 0 {
		return n, failed
	}
	return n, nil
}
