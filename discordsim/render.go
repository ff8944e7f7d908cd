package discordsim

import (
	"encoding/json"
	"time"
)

// Renderers turn state into Discord's JSON shapes. Callers hold s.mu.

const discordTime = "2006-01-02T15:04:05.000000+00:00"

func fmtTime(t time.Time) string { return t.UTC().Format(discordTime) }

func (s *Server) userJSON(id string) map[string]any {
	u := s.st.users[id]
	if u == nil {
		return nil
	}
	out := map[string]any{
		"id": u.ID, "username": u.Username, "global_name": nil, "avatar": nil,
		"discriminator": "0", "public_flags": 0, "flags": 0, "banner": nil,
		"accent_color": nil, "avatar_decoration_data": nil, "primary_guild": nil,
	}
	if u.Bot {
		out["bot"] = true
	}
	return out
}

func (s *Server) memberJSON(g *guild, m *member, withUser bool) map[string]any {
	roles := append([]string{}, m.Roles...)
	out := map[string]any{
		"roles": roles, "joined_at": fmtTime(m.JoinedAt), "nick": nil, "avatar": nil, "banner": nil,
		"premium_since": nil, "deaf": false, "mute": false, "flags": 0, "pending": false,
		"communication_disabled_until": nil, "unusual_dm_activity_until": nil,
	}
	if withUser {
		out["user"] = s.userJSON(m.UserID)
	}
	return out
}

func roleJSON(r *role) map[string]any {
	out := map[string]any{
		"id": r.ID, "name": r.Name, "permissions": permString(r.Permissions), "position": r.Position,
		"color": 0, "colors": map[string]any{"primary_color": 0, "secondary_color": nil, "tertiary_color": nil},
		"hoist": false, "managed": r.Managed, "mentionable": false, "icon": nil, "unicode_emoji": nil,
		"flags": 0, "description": nil,
	}
	if r.Managed && r.BotID != "" {
		out["tags"] = map[string]any{"bot_id": r.BotID}
	}
	return out
}

func overwritesJSON(ows []Overwrite) []map[string]any {
	out := make([]map[string]any, 0, len(ows))
	for _, ow := range ows {
		out = append(out, map[string]any{"id": ow.ID, "type": ow.Type, "allow": permString(ow.Allow), "deny": permString(ow.Deny)})
	}
	return out
}

func (s *Server) channelJSON(ch *channel) map[string]any {
	if ch.Type == ChannelDM {
		return map[string]any{
			"id": ch.ID, "type": ch.Type, "last_message_id": nullable(ch.LastMsgID), "flags": 0,
			"recipients": []any{s.userJSON(ch.RecipientID)},
		}
	}
	out := map[string]any{
		"id": ch.ID, "type": ch.Type, "guild_id": ch.GuildID, "name": ch.Name, "position": ch.Position,
		"permission_overwrites": overwritesJSON(ch.Overwrites), "parent_id": nullable(ch.ParentID),
		"nsfw": ch.NSFW, "flags": 0,
	}
	if ch.Type != ChannelGuildCategory {
		out["topic"] = ch.Topic
		out["last_message_id"] = nullable(ch.LastMsgID)
		out["rate_limit_per_user"] = 0
	}
	return out
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func rawOrEmpty(r json.RawMessage) json.RawMessage {
	if len(r) == 0 || string(r) == "null" {
		return json.RawMessage("[]")
	}
	return r
}

// messageJSON renders a message the way the REST API returns it.
func (s *Server) messageJSON(m *message) map[string]any {
	out := map[string]any{
		"id": m.ID, "type": m.Type, "channel_id": m.ChannelID, "content": m.Content,
		"author": s.userJSON(m.AuthorID), "attachments": []any{}, "embeds": rawOrEmpty(m.Embeds),
		"components": rawOrEmpty(m.Components), "mentions": []any{}, "mention_roles": []any{},
		"mention_everyone": false, "pinned": m.Pinned, "tts": false, "timestamp": fmtTime(m.Timestamp),
		"edited_timestamp": nil, "flags": m.Flags,
	}
	if m.EditedTimestamp != nil {
		out["edited_timestamp"] = fmtTime(*m.EditedTimestamp)
	}
	if len(m.Nonce) > 0 {
		out["nonce"] = m.Nonce
	}
	if m.WebhookID != "" {
		out["webhook_id"] = m.WebhookID
		out["application_id"] = s.opts.AppID
	}
	if m.InteractionMeta != nil {
		out["interaction_metadata"] = m.InteractionMeta
	}
	if len(m.Reference) > 0 {
		out["message_reference"] = m.Reference
	}
	return out
}

// gatewayMessageJSON adds what MESSAGE_CREATE/UPDATE carry on the gateway.
func (s *Server) gatewayMessageJSON(m *message) map[string]any {
	out := s.messageJSON(m)
	if m.GuildID != "" {
		out["guild_id"] = m.GuildID
		if g, mem := s.st.guildMember(m.GuildID, m.AuthorID); g != nil && mem != nil {
			out["member"] = s.memberJSON(g, mem, false)
		}
	}
	return out
}

// rolesJSON lists a guild's roles in their order.
func rolesJSON(g *guild) []any {
	roles := make([]any, 0, len(g.RoleOrder))
	for _, rid := range g.RoleOrder {
		roles = append(roles, roleJSON(g.Roles[rid]))
	}
	return roles
}

// guildChannelsJSON lists a guild's channels in their order.
func (s *Server) guildChannelsJSON(g *guild) []map[string]any {
	channels := make([]map[string]any, 0, len(g.ChannelIDs))
	for _, cid := range g.ChannelIDs {
		channels = append(channels, s.channelJSON(s.st.channels[cid]))
	}
	return channels
}

func (s *Server) guildJSON(g *guild) map[string]any {
	return map[string]any{
		"id": g.ID, "name": g.Name, "icon": nil, "splash": nil, "discovery_splash": nil,
		"owner_id": g.OwnerID, "afk_channel_id": nil, "afk_timeout": 300, "verification_level": 0,
		"default_message_notifications": 0, "explicit_content_filter": 0, "roles": rolesJSON(g),
		"emojis": []any{}, "stickers": []any{}, "features": []any{}, "mfa_level": 0, "application_id": nil,
		"system_channel_id": nil, "system_channel_flags": 0, "rules_channel_id": nil,
		"vanity_url_code": nil, "description": nil, "banner": nil, "premium_tier": 0,
		"preferred_locale": "en-US", "public_updates_channel_id": nil, "nsfw_level": 0,
		"premium_progress_bar_enabled": false, "safety_alerts_channel_id": nil, "max_members": 500000,
		"max_video_channel_users": 25, "widget_enabled": false, "widget_channel_id": nil,
	}
}

// guildCreateJSON is the GUILD_CREATE payload: the guild plus its members,
// channels and the gateway-only extras. A guild with more members than
// largeThreshold is "large": like Discord without the presence intent, it
// lists only the bot's own member, and the bot asks for the others with
// Request Guild Members (op 8) if it wants them.
func (s *Server) guildCreateJSON(g *guild, largeThreshold int) map[string]any {
	out := s.guildJSON(g)
	large := len(g.MemberOrder) > largeThreshold
	members := make([]any, 0, min(len(g.MemberOrder), largeThreshold))
	for _, uid := range g.MemberOrder {
		if large && uid != s.opts.BotUserID {
			continue
		}
		members = append(members, s.memberJSON(g, g.Members[uid], true))
	}
	channels := s.guildChannelsJSON(g)
	for _, ch := range channels {
		delete(ch, "guild_id") // implied by the guild that carries them
	}
	joined := g.CreatedAt
	if bm := g.Members[s.opts.BotUserID]; bm != nil {
		joined = bm.JoinedAt
	}
	out["members"] = members
	out["channels"] = channels
	out["member_count"] = len(g.MemberOrder)
	out["joined_at"] = fmtTime(joined)
	out["large"] = large
	out["unavailable"] = false
	for _, k := range []string{"threads", "voice_states", "presences", "stage_instances", "guild_scheduled_events", "soundboard_sounds"} {
		out[k] = []any{}
	}
	return out
}
