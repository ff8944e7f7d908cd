package discordsim

import (
	"net/http"
	"strings"
)

// searchMembers is GET /guilds/{guild_id}/members/search: members whose
// username starts with query (case-insensitive), at most limit (default 1,
// like Discord). Nicknames are not emulated, so only usernames match.
func (s *Server) searchMembers(rc *restCall) (int, any, error) {
	query := strings.ToLower(rc.query.Get("query"))
	limit, err := rc.limit(1, 1000)
	if err != nil {
		return 0, nil, err
	}
	g, err := s.guildForBot(rc.param("guild_id"))
	if err != nil {
		return 0, nil, err
	}
	out := []any{}
	for _, uid := range g.MemberOrder {
		if len(out) >= limit {
			break
		}
		if strings.HasPrefix(strings.ToLower(s.st.users[uid].Username), query) {
			out = append(out, s.memberJSON(g, g.Members[uid], true))
		}
	}
	return http.StatusOK, out, nil
}

// listGuildCommandPermissions is GET
// /applications/{application_id}/guilds/{guild_id}/commands/permissions.
// Permission overrides are not modelled, so no command has any: Discord
// answers an empty list for such a guild.
func (s *Server) listGuildCommandPermissions(rc *restCall) (int, any, error) {
	if _, _, err := s.commandScope(rc); err != nil {
		return 0, nil, err
	}
	if _, err := s.guildForBot(rc.param("guild_id")); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, []any{}, nil
}

// leaveGuild is DELETE /users/@me/guilds/{guild_id}: the bot leaves, gets
// GUILD_DELETE (without "unavailable", which marks an outage) and no
// further events of that guild. The guild stays in the world for its human
// members.
func (s *Server) leaveGuild(rc *restCall) (int, any, error) {
	s.mu.Lock()
	g, err := s.guildForBot(rc.param("guild_id"))
	if err != nil {
		s.mu.Unlock()
		return 0, nil, err
	}
	if g.OwnerID == s.opts.BotUserID {
		s.mu.Unlock()
		return 0, nil, apiErr(http.StatusBadRequest, codeInvalidGuild, "Invalid Guild")
	}
	delete(g.Members, s.opts.BotUserID)
	g.MemberOrder = removeString(g.MemberOrder, s.opts.BotUserID)
	s.mu.Unlock()
	// Sent before the guild is marked left, or the filter would drop it.
	s.dispatch(g.ID, "GUILD_DELETE", map[string]any{"id": g.ID})
	s.markBotLeft(g.ID)
	s.log.Info("bot left guild", "guild_id", g.ID)
	return http.StatusNoContent, nil, nil
}

// markBotLeft stops gateway events of a guild the bot left.
func (s *Server) markBotLeft(guildID string) {
	s.leftMu.Lock()
	defer s.leftMu.Unlock()
	if s.leftGuilds == nil {
		s.leftGuilds = map[string]bool{}
	}
	s.leftGuilds[guildID] = true
}

// botLeft reports whether the bot left guildID. It has its own lock because
// dispatch runs both with and without s.mu held by its callers' callers.
func (s *Server) botLeft(guildID string) bool {
	s.leftMu.Lock()
	defer s.leftMu.Unlock()
	return s.leftGuilds[guildID]
}
