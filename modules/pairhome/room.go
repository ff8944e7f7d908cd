package pairhome

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/disgo/rest"
	"github.com/disgoorg/snowflake/v2"
	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"github.com/together-bot/together/core/discord/resterr"
	"github.com/together-bot/together/core/guild"
	"github.com/together-bot/together/core/queue"
	"github.com/together-bot/together/modules/pairhome/pairhomeapi"
)

// Room permissions. Members talk; the bot also manages the channel and its
// messages (ManageMessages is what lets it pin the panel).
const (
	memberAllow   = discord.PermissionViewChannel | discord.PermissionSendMessages | discord.PermissionReadMessageHistory
	readOnlyAllow = discord.PermissionViewChannel | discord.PermissionReadMessageHistory
	readOnlyDeny  = discord.PermissionSendMessages
	botAllow      = memberAllow | discord.PermissionManageChannels | discord.PermissionManageMessages
)

// callTimeout bounds one Discord call made by a job.
const callTimeout = 15 * time.Second

// Room error codes stored in room_error and shown by /pair room.
const (
	roomErrNoCategory = "no_category"
	roomErrForbidden  = "forbidden"
	roomErrRejected   = "rejected"
)

// marker tags a room's topic with its pair, so a retry after "channel
// created, id not recorded" finds and adopts the channel instead of
// creating a second one.
func marker(pairID int64) string { return fmt.Sprintf("[pairhome:%d]", pairID) }

// overwrites is the full permission set of a room. @everyone cannot see it;
// moderators see it only when the guild opted in.
func (s *service) overwrites(guildID snowflake.ID, members [2]uint64, st guild.Settings, cfg guildConfig, readOnly bool, botID uint64) []discord.PermissionOverwrite {
	allow, deny := memberAllow, discord.Permissions(0)
	if readOnly {
		allow, deny = readOnlyAllow, readOnlyDeny
	}
	out := []discord.PermissionOverwrite{discord.RolePermissionOverwrite{RoleID: guildID, Deny: discord.PermissionViewChannel}}
	for _, m := range members {
		if m != 0 { // 0: a member who left (Discord refuses overwrites for non-members)
			out = append(out, discord.MemberPermissionOverwrite{UserID: snowflake.ID(m), Allow: allow, Deny: deny})
		}
	}
	out = append(out, discord.MemberPermissionOverwrite{UserID: snowflake.ID(botID), Allow: botAllow})
	if cfg.ModeratorAccess && st.ModeratorRoleID != 0 {
		out = append(out, discord.RolePermissionOverwrite{RoleID: snowflake.ID(st.ModeratorRoleID), Allow: allow, Deny: deny})
	}
	return out
}

// sameOverwrites compares permission sets regardless of order.
func sameOverwrites(a, b []discord.PermissionOverwrite) bool {
	if len(a) != len(b) {
		return false
	}
	type key struct {
		t  discord.PermissionOverwriteType
		id snowflake.ID
	}
	type bits struct{ allow, deny discord.Permissions }
	flat := func(list []discord.PermissionOverwrite) map[key]bits {
		m := map[key]bits{}
		for _, o := range list {
			switch v := o.(type) {
			case discord.RolePermissionOverwrite:
				m[key{o.Type(), o.ID()}] = bits{v.Allow, v.Deny}
			case discord.MemberPermissionOverwrite:
				m[key{o.Type(), o.ID()}] = bits{v.Allow, v.Deny}
			}
		}
		return m
	}
	return maps.Equal(flat(a), flat(b))
}

// EnsureRoom makes an active pair's room exist with the right permissions:
// it adopts a channel an earlier attempt created, creates one otherwise,
// recreates a room deleted by hand, and records the channel. Discord
// refusals that a retry cannot fix are recorded on the pair and left to the
// reconcile job; transient failures are returned so River retries.
func (s *service) EnsureRoom(ctx context.Context, pairID int64) error {
	return s.withRoomLease(ctx, pairID, s.ensureRoom)
}

func (s *service) ensureRoom(ctx context.Context, r pairRow) error {
	if r.Status != statusActive {
		return nil // the archive job owns archived pairs' rooms
	}
	p := r.ref()
	st, cfg, err := s.roomSettings(ctx, p.GuildID)
	if err != nil {
		return err
	}
	botID, err := s.botUserID(ctx)
	if err != nil {
		return err
	}
	want := s.overwrites(snowflake.ID(p.GuildID), p.Members, st, cfg, false, botID)

	if p.ChannelID != 0 {
		ch, err := call(ctx, func(o rest.RequestOpt) (discord.Channel, error) {
			return s.Rest.GetChannel(snowflake.ID(p.ChannelID), o)
		})
		switch {
		case err == nil:
			return s.syncOverwrites(ctx, p, ch, want)
		case resterr.IsUnknownResource(err):
			// Deleted by hand while we were not listening: start over.
			if err := s.RoomDeleted(ctx, p.GuildID, p.ChannelID); err != nil {
				return err
			}
			p.ChannelID = 0
		default:
			return s.discordFailure(ctx, p.ID, "check room", err)
		}
	}

	category, ok := st.Channel(Name, categoryPurposeKey)
	if !ok {
		s.Logger.Warn("pair room waits for the pair category to be configured", "guild_id", p.GuildID, "pair_id", p.ID)
		return setRoomError(ctx, s.DB.Bun, p.ID, roomErrNoCategory)
	}
	channels, err := call(ctx, func(o rest.RequestOpt) ([]discord.GuildChannel, error) {
		return s.Rest.GetGuildChannels(snowflake.ID(p.GuildID), o)
	})
	if err != nil {
		return s.discordFailure(ctx, p.ID, "list channels", err)
	}
	var room discord.GuildChannel
	for _, ch := range channels {
		if tc, ok := ch.(discord.GuildTextChannel); ok && tc.Topic() != nil && strings.Contains(*tc.Topic(), marker(p.ID)) {
			room = ch
			break
		}
	}
	if room != nil {
		s.Logger.Info("adopting a pair room created by an earlier attempt", "pair_id", p.ID, "channel_id", room.ID())
		if err := s.syncOverwrites(ctx, p, room, want); err != nil {
			return err
		}
	} else {
		name := r.RoomName
		if name == "" {
			name = fmt.Sprintf("pair-%d", p.ID)
		}
		loc := s.Guilds.Locale(ctx, p.GuildID)
		topic := s.Bundle.T(loc, "pairhome.room.topic", "a", mention(p.Members[0]), "b", mention(p.Members[1])) + " " + marker(p.ID)
		room, err = call(ctx, func(o rest.RequestOpt) (discord.GuildChannel, error) {
			return s.Rest.CreateGuildChannel(snowflake.ID(p.GuildID), discord.GuildTextChannelCreate{
				Name: name, Topic: topic, ParentID: snowflake.ID(category), PermissionOverwrites: want,
			}, o)
		})
		if err != nil {
			return s.discordFailure(ctx, p.ID, "create room", err)
		}
		s.Logger.Info("pair room created", "guild_id", p.GuildID, "pair_id", p.ID, "channel_id", room.ID(), "action", "pair.room")
	}
	if s.afterChannelCreate != nil {
		if err := s.afterChannelCreate(uint64(room.ID())); err != nil {
			return err
		}
	}
	return s.record(ctx, p, uint64(room.ID()))
}

// record stores the room, then asks for the panel. A room that arrives
// after its pair was archived is archived in turn, never left behind.
func (s *service) record(ctx context.Context, p pairRef, channelID uint64) error {
	orphan := false
	err := s.DB.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		status, ok, err := recordRoom(ctx, tx, p.ID, channelID)
		if err != nil {
			return err
		}
		if !ok {
			orphan = true
			return nil
		}
		if status != statusActive {
			return s.enqueue(ctx, tx, archiveArgs{GuildID: p.GuildID, PairID: p.ID})
		}
		return s.RequestPanel(ctx, tx, p.ID)
	})
	if err != nil || !orphan {
		return err
	}
	// Another channel was recorded meanwhile; ours would be an orphan.
	s.Logger.Warn("deleting a duplicate pair room", "pair_id", p.ID, "channel_id", channelID)
	_, derr := call(ctx, func(o rest.RequestOpt) (struct{}, error) {
		return struct{}{}, s.Rest.DeleteChannel(snowflake.ID(channelID), o)
	})
	if derr != nil && !resterr.IsUnknownResource(derr) {
		return s.discordFailure(ctx, p.ID, "delete duplicate room", derr)
	}
	return nil
}

func (s *service) syncOverwrites(ctx context.Context, p pairRef, ch discord.Channel, want []discord.PermissionOverwrite) error {
	gc, ok := ch.(discord.GuildChannel)
	if ok && sameOverwrites(gc.PermissionOverwrites(), want) {
		if p.ChannelID == uint64(ch.ID()) {
			return setRoomError(ctx, s.DB.Bun, p.ID, "")
		}
		return nil
	}
	_, err := call(ctx, func(o rest.RequestOpt) (discord.Channel, error) {
		return s.Rest.UpdateChannel(ch.ID(), discord.GuildTextChannelUpdate{PermissionOverwrites: &want}, o)
	})
	if err != nil {
		return s.discordFailure(ctx, p.ID, "update room permissions", err)
	}
	return nil
}

// ArchiveRoom applies the guild's archive mode to an archived pair's room:
// read-only for both members, or deleted.
func (s *service) ArchiveRoom(ctx context.Context, pairID int64) error {
	return s.withRoomLease(ctx, pairID, s.archiveRoom)
}

func (s *service) archiveRoom(ctx context.Context, r pairRow) error {
	p := r.ref()
	if r.Status != statusArchived || r.RoomState == roomArchived || (r.RoomState == roomDeleted && p.ChannelID == 0) {
		return nil
	}
	state := roomDeleted
	if p.ChannelID != 0 {
		st, cfg, err := s.roomSettings(ctx, p.GuildID)
		if err != nil {
			return err
		}
		if cfg.ArchiveMode == archiveDelete {
			_, err = call(ctx, func(o rest.RequestOpt) (struct{}, error) {
				return struct{}{}, s.Rest.DeleteChannel(snowflake.ID(p.ChannelID), o)
			})
		} else {
			state = roomArchived
			// Plain assignments: err must reach the switch below, not a shadow.
			var members [2]uint64
			members, err = s.presentMembers(ctx, p)
			if err != nil {
				return s.discordFailure(ctx, p.ID, "check members", err)
			}
			var botID uint64
			if botID, err = s.botUserID(ctx); err != nil {
				return err
			}
			ows := s.overwrites(snowflake.ID(p.GuildID), members, st, cfg, true, botID)
			_, err = call(ctx, func(o rest.RequestOpt) (discord.Channel, error) {
				return s.Rest.UpdateChannel(snowflake.ID(p.ChannelID), discord.GuildTextChannelUpdate{PermissionOverwrites: &ows}, o)
			})
		}
		switch {
		case err == nil:
		case resterr.IsUnknownResource(err):
			state = roomDeleted
		default:
			return s.discordFailure(ctx, p.ID, "archive room", err)
		}
	}
	return s.DB.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := setRoomState(ctx, tx, p.ID, p.ChannelID, state); err != nil {
			return err
		}
		s.Logger.Info("pair room archived", "pair_id", p.ID, "room_state", state, "action", "pair.room_archive")
		return s.RequestPanel(ctx, tx, p.ID)
	})
}

// presentMembers returns the pair's members with 0 for any who left the guild.
func (s *service) presentMembers(ctx context.Context, p pairRef) ([2]uint64, error) {
	out := p.Members
	for i, m := range p.Members {
		_, err := call(ctx, func(o rest.RequestOpt) (*discord.Member, error) {
			return s.Rest.GetMember(snowflake.ID(p.GuildID), snowflake.ID(m), o)
		})
		switch {
		case err == nil:
		case resterr.IsUnknownResource(err):
			out[i] = 0
		default:
			return out, err
		}
	}
	return out, nil
}

// roomSettings are what a room's permissions follow: the guild's settings
// (the moderator role, the category) and pairhome's own (moderator access,
// archive mode).
func (s *service) roomSettings(ctx context.Context, guildID uint64) (guild.Settings, guildConfig, error) {
	st, err := s.Guilds.Settings(ctx, guildID)
	if err != nil {
		return guild.Settings{}, guildConfig{}, fmt.Errorf("pairhome: guild settings: %w", err)
	}
	cfg, err := loadConfig(ctx, s.DB.Bun, guildID)
	if err != nil {
		return guild.Settings{}, guildConfig{}, err
	}
	return st, cfg, nil
}

// withRoomLease runs fn on the pair while holding its room lease, or snoozes
// the job while another worker holds it.
func (s *service) withRoomLease(ctx context.Context, pairID int64, fn func(context.Context, pairRow) error) error {
	token := newToken()
	ok, err := takeRoomLease(ctx, s.DB.Bun, pairID, token)
	if err != nil {
		return err
	}
	if !ok {
		return river.JobSnooze(2 * time.Second)
	}
	defer func() {
		if err := releaseRoomLease(context.WithoutCancel(ctx), s.DB.Bun, pairID, token); err != nil {
			s.Logger.Warn("release room lease", "pair_id", pairID, "error", err)
		}
	}()
	r, err := loadPair(ctx, s.DB.Bun, pairID)
	if errors.Is(err, pairhomeapi.ErrNoPair) {
		return nil // gone: no room to look after
	}
	if err != nil {
		return err
	}
	return fn(ctx, r)
}

func newToken() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// discordFailure decides what a Discord error means for a room job: wait
// out rate limits, retry transient failures, and record the rest on the pair
// (the reconcile job tries again later) instead of failing forever.
func (s *service) discordFailure(ctx context.Context, pairID int64, what string, err error) error {
	if snooze := queue.SnoozeRateLimited(err); snooze != nil {
		return snooze
	}
	if resterr.IsTransient(err) || !resterr.IsPermanent(err) {
		return fmt.Errorf("pairhome: %s: %w", what, err)
	}
	reason := roomErrRejected
	if resterr.IsForbidden(err) {
		reason = roomErrForbidden
	}
	s.Logger.Warn("discord refused a room change; the reconcile job will try again", "pair_id", pairID, "step", what, "error", err)
	return setRoomError(ctx, s.DB.Bun, pairID, reason)
}

// call runs one REST call bounded by callTimeout.
func call[T any](ctx context.Context, fn func(rest.RequestOpt) (T, error)) (T, error) {
	c, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	return fn(rest.WithCtx(c))
}

// botUserID is the bot's own user id, which every room must allow or the bot
// would lock itself out. Known from the token or DISCORD_APP_ID in practice;
// otherwise asked of Discord once (GET /users/@me) and remembered.
func (s *service) botUserID(ctx context.Context) (uint64, error) {
	if id := s.botID.Load(); id != 0 {
		return id, nil
	}
	u, err := s.Rest.GetCurrentUser("", rest.WithCtx(ctx))
	if err != nil {
		return 0, fmt.Errorf("pairhome: learn the bot's user id: %w", err)
	}
	s.botID.Store(uint64(u.ID))
	return uint64(u.ID), nil
}
