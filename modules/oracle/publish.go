package oracle

import (
	"context"

	"github.com/uptrace/bun"
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
	if !g.settings.ModuleOn(Name) {
		return Published{}, ErrModuleOff
	}
	ch, ok := g.settings.Channel(Name, ChannelPurposeKey)
	if !ok {
		return Published{}, ErrNoChannel
	}
	p := Published{Week: WeekAt(s.now(), g.loc), ChannelID: ch}
	err = s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := s.weekArchetype(ctx, tx, guildID, p.Week); err != nil {
			return err
		}
		moved, err := s.st.setDashboardWeek(ctx, tx, guildID, p.Week, by, true)
		if err != nil {
			return err
		}
		p.Moved = moved
		return s.proj.Request(ctx, tx, DashboardKind, DashboardKey(guildID))
	})
	if err != nil {
		return Published{}, err
	}
	s.log.Info("dashboard published", "guild_id", guildID, "week", p.Week.String(), "by", by, "moved", p.Moved, "action", "publish")
	return p, nil
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
	err = s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := s.weekArchetype(ctx, tx, guildID, w); err != nil {
			return err
		}
		if moved, err = s.st.setDashboardWeek(ctx, tx, guildID, w, 0, false); err != nil || !moved {
			return err
		}
		return s.proj.Request(ctx, tx, DashboardKind, DashboardKey(guildID))
	})
	if err == nil && moved {
		s.log.Info("dashboard published by schedule", "guild_id", guildID, "week", w.String(), "action", "publish")
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
		guilds, err := s.st.dueGuilds(ctx, s.db.Bun, s.now(), s.guilds.DefaultLocation().String(), after, publishPage)
		if err != nil {
			return n, err
		}
		for _, g := range guilds {
			moved, err := s.publishIfDue(ctx, g.GuildID, g.Week)
			if err != nil {
				s.log.Warn("scheduled publish failed", "guild_id", g.GuildID, "error", err)
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
