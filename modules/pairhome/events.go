package pairhome

import (
	"context"
	"time"

	"github.com/disgoorg/disgo/bot"
	"github.com/disgoorg/disgo/events"
	"github.com/together-bot/together/core/ctxtime"
)

// eventTimeout bounds the database work of one gateway event.
const eventTimeout = 30 * time.Second

// Listener reacts to members leaving and rooms deleted by hand (point
// gateway.Listeners). Failures are logged, never panicked: the reconcile
// job repairs whatever an event could not.
func (s *service) Listener() bot.EventListener {
	return bot.NewListenerFunc(func(e bot.Event) {
		switch ev := e.(type) {
		case *events.GuildMemberLeave:
			s.background(func() { s.onMemberLeave(uint64(ev.GuildID), uint64(ev.User.ID)) })
		case *events.GuildChannelDelete:
			s.background(func() { s.onChannelDelete(uint64(ev.GuildID), uint64(ev.ChannelID)) })
		}
	})
}

// background runs event work off the gateway goroutine; Wait lets shutdown
// finish it before the database closes.
func (s *service) background(fn func()) {
	s.events.Add(1)
	go func() {
		defer s.events.Done()
		fn()
	}()
}

// Wait blocks until in-flight event work is done or ctx ends.
func (s *service) Wait(ctx context.Context) error { return ctxtime.Wait(ctx, &s.events) }

func (s *service) onMemberLeave(guildID, userID uint64) {
	ctx, cancel := context.WithTimeout(context.Background(), eventTimeout)
	defer cancel()
	if !s.moduleOn(ctx, guildID) {
		return
	}
	archived, err := s.MemberLeft(ctx, guildID, userID)
	if err != nil {
		s.Logger.Error("archive the pair of a member who left", "guild_id", guildID, "user_id", userID, "error", err)
		return
	}
	if archived {
		s.Logger.Info("member left; pair archived", "guild_id", guildID, "user_id", userID)
	}
}

func (s *service) onChannelDelete(guildID, channelID uint64) {
	ctx, cancel := context.WithTimeout(context.Background(), eventTimeout)
	defer cancel()
	if !s.moduleOn(ctx, guildID) {
		return
	}
	if err := s.RoomDeleted(ctx, guildID, channelID); err != nil {
		s.Logger.Error("repair a deleted pair room", "guild_id", guildID, "channel_id", channelID, "error", err)
	}
}

// moduleOn asks the guild gate. The core gates jobs and interactions but not
// gateway events, so listeners ask themselves; while pairhome is off, events
// are ignored and the reconcile job catches up once it is back on.
func (s *service) moduleOn(ctx context.Context, guildID uint64) bool {
	st, err := s.Guilds.Settings(ctx, guildID)
	if err != nil {
		s.Logger.Warn("guild settings unavailable; event left to the reconcile job", "guild_id", guildID, "error", err)
		return false
	}
	return st.ModuleOn(Name)
}
