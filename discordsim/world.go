package discordsim

import (
	"net/http"

	"github.com/together-bot/together/discordsim/gateway"
	"strings"
)

// MemberSpec describes a member added through the control API.
type MemberSpec struct {
	Username string   `json:"username"`
	Admin    bool     `json:"admin"`
	RoleIDs  []string `json:"role_ids"`
	Bot      bool     `json:"bot"`
}

// ChannelSpec describes a channel created through the control API.
type ChannelSpec struct {
	Name       string      `json:"name"`
	Type       int         `json:"type"`
	ParentID   string      `json:"parent_id"`
	Topic      string      `json:"topic,omitempty"`
	Overwrites []Overwrite `json:"permission_overwrites,omitempty"`
}

// GuildInfo summarises a guild for GET /_sim/guilds.
type GuildInfo struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	OwnerID string `json:"owner_id"`
	// BotRoleID is the bot's managed role; the @everyone role's id is the
	// guild id.
	BotRoleID string `json:"bot_role_id"`
}

type pendingEvent struct {
	guildID, name string
	data          any
	// liveOnly events (about ephemeral messages) go to the playground's
	// live feed, never to the gateway.
	liveOnly bool
}

func (s *Server) flush(events []pendingEvent) {
	for _, e := range events {
		if e.liveOnly {
			s.live.publishDispatch(e.guildID, e.name, e.data)
			continue
		}
		s.dispatch(e.guildID, e.name, e.data)
	}
}

// CreateGuild creates a guild owned by a fresh human owner; the bot joins
// with its managed role and receives GUILD_CREATE.
func (s *Server) CreateGuild(name string) (string, error) {
	if strings.TrimSpace(name) == "" {
		return "", controlErr(http.StatusBadRequest, "guild name required")
	}
	s.mu.Lock()
	gid := s.ids.next()
	ownerID := s.ids.next()
	s.st.users[ownerID] = &user{ID: ownerID, Username: "owner-" + ownerID[len(ownerID)-4:]}
	g := s.newGuildLocked(gid, name)
	g.OwnerID = ownerID
	s.addMemberLocked(g, ownerID, nil)
	s.botJoinsLocked(g)
	// Joining mid-session: the identify's large_threshold is not known
	// here, so Discord's default applies.
	payload := s.guildCreateJSON(g, gateway.DefaultLargeThreshold)
	s.mu.Unlock()
	s.dispatch(gid, "GUILD_CREATE", payload)
	s.log.Info("guild created", "guild_id", gid, "name", name)
	return gid, nil
}

// newGuildLocked builds a guild with its @everyone role (whose id is the
// guild's) and the managed role the bot will join with; it has no members
// yet and is not in the world until botJoinsLocked. Caller holds s.mu.
func (s *Server) newGuildLocked(gid, name string) *guild {
	g := &guild{ID: gid, Name: name, CreatedAt: s.now(), Roles: map[string]*role{}, Members: map[string]*member{}}
	g.Roles[gid] = &role{ID: gid, Name: "@everyone", Permissions: DefaultEveryonePermissions}
	g.RoleOrder = append(g.RoleOrder, gid)
	botRole := &role{ID: s.ids.next(), Name: s.opts.BotUsername, Permissions: *s.opts.BotPermissions, Position: 1, Managed: true, BotID: s.opts.BotUserID}
	g.Roles[botRole.ID] = botRole
	g.RoleOrder = append(g.RoleOrder, botRole.ID)
	g.BotRoleID = botRole.ID
	return g
}

// botJoinsLocked adds the bot with its managed role, after the guild's
// humans, and puts the guild in the world. Caller holds s.mu.
func (s *Server) botJoinsLocked(g *guild) {
	s.addMemberLocked(g, s.opts.BotUserID, []string{g.BotRoleID})
	s.st.guilds[g.ID] = g
	s.st.guildOrder = append(s.st.guildOrder, g.ID)
}

func (s *Server) addMemberLocked(g *guild, userID string, roles []string) *member {
	m := &member{UserID: userID, Roles: append([]string{}, roles...), JoinedAt: s.now()}
	g.Members[userID] = m
	g.MemberOrder = append(g.MemberOrder, userID)
	return m
}

// Guilds lists the guilds.
func (s *Server) Guilds() []GuildInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]GuildInfo, 0, len(s.st.guildOrder))
	for _, gid := range s.st.guildOrder {
		g := s.st.guilds[gid]
		out = append(out, GuildInfo{ID: g.ID, Name: g.Name, OwnerID: g.OwnerID, BotRoleID: g.BotRoleID})
	}
	return out
}

// AddMember creates a user and adds them to the guild (GUILD_MEMBER_ADD).
// Admin gives them a fresh role with ADMINISTRATOR.
func (s *Server) AddMember(guildID string, spec MemberSpec) (string, error) {
	if spec.Username == "" {
		return "", controlErr(http.StatusBadRequest, "username required")
	}
	s.mu.Lock()
	g := s.st.guilds[guildID]
	if g == nil {
		s.mu.Unlock()
		return "", controlErr(http.StatusNotFound, "unknown guild %s", guildID)
	}
	for _, rid := range spec.RoleIDs {
		if g.Roles[rid] == nil || rid == g.ID {
			s.mu.Unlock()
			return "", controlErr(http.StatusBadRequest, "unknown role %s", rid)
		}
	}
	roles := append([]string{}, spec.RoleIDs...)
	var events []pendingEvent
	if spec.Admin {
		r := s.createRoleLocked(g, "admin-"+spec.Username, PermAdministrator)
		roles = append(roles, r.ID)
		events = append(events, pendingEvent{guildID: g.ID, name: "GUILD_ROLE_CREATE", data: map[string]any{"guild_id": g.ID, "role": roleJSON(r)}})
	}
	uid := s.ids.next()
	s.st.users[uid] = &user{ID: uid, Username: spec.Username, Bot: spec.Bot}
	m := s.addMemberLocked(g, uid, roles)
	payload := s.memberJSON(g, m, true)
	payload["guild_id"] = g.ID
	s.mu.Unlock()
	s.flush(append(events, pendingEvent{guildID: guildID, name: "GUILD_MEMBER_ADD", data: payload}))
	return uid, nil
}

// RemoveMember removes a member (GUILD_MEMBER_REMOVE).
func (s *Server) RemoveMember(guildID, userID string) error {
	s.mu.Lock()
	g, m := s.st.guildMember(guildID, userID)
	if m == nil {
		s.mu.Unlock()
		return controlErr(http.StatusNotFound, "unknown member %s in guild %s", userID, guildID)
	}
	if userID == g.OwnerID || userID == s.opts.BotUserID {
		s.mu.Unlock()
		return controlErr(http.StatusBadRequest, "cannot remove the owner or the bot")
	}
	delete(g.Members, userID)
	g.MemberOrder = removeString(g.MemberOrder, userID)
	payload := map[string]any{"guild_id": guildID, "user": s.userJSON(userID)}
	s.mu.Unlock()
	s.dispatch(guildID, "GUILD_MEMBER_REMOVE", payload)
	return nil
}

func (s *Server) createRoleLocked(g *guild, name string, perms uint64) *role {
	r := &role{ID: s.ids.next(), Name: name, Permissions: perms, Position: len(g.RoleOrder)}
	g.Roles[r.ID] = r
	g.RoleOrder = append(g.RoleOrder, r.ID)
	return r
}

// CreateRole adds a role (GUILD_ROLE_CREATE).
func (s *Server) CreateRole(guildID, name string, permissions uint64) (string, error) {
	s.mu.Lock()
	g := s.st.guilds[guildID]
	if g == nil {
		s.mu.Unlock()
		return "", controlErr(http.StatusNotFound, "unknown guild %s", guildID)
	}
	r := s.createRoleLocked(g, name, permissions)
	payload := map[string]any{"guild_id": guildID, "role": roleJSON(r)}
	s.mu.Unlock()
	s.dispatch(guildID, "GUILD_ROLE_CREATE", payload)
	return r.ID, nil
}

// AddMemberRole gives a member (the bot included) a role (GUILD_MEMBER_UPDATE).
func (s *Server) AddMemberRole(guildID, userID, roleID string) error {
	s.mu.Lock()
	g, m := s.st.guildMember(guildID, userID)
	if m == nil {
		s.mu.Unlock()
		return controlErr(http.StatusNotFound, "unknown member %s in guild %s", userID, guildID)
	}
	if g.Roles[roleID] == nil || roleID == guildID {
		s.mu.Unlock()
		return controlErr(http.StatusNotFound, "unknown role %s", roleID)
	}
	if !hasRole(m, roleID) {
		m.Roles = append(m.Roles, roleID)
	}
	payload := s.memberJSON(g, m, true)
	payload["guild_id"] = guildID
	s.mu.Unlock()
	s.dispatch(guildID, "GUILD_MEMBER_UPDATE", payload)
	return nil
}

// CreateChannel creates a guild channel as a human would (CHANNEL_CREATE).
func (s *Server) CreateChannel(guildID string, spec ChannelSpec) (string, error) {
	s.mu.Lock()
	g := s.st.guilds[guildID]
	if g == nil {
		s.mu.Unlock()
		return "", controlErr(http.StatusNotFound, "unknown guild %s", guildID)
	}
	if err := s.checkNewChannel(g, spec.Name, spec.Type, spec.ParentID); err != nil {
		s.mu.Unlock()
		return "", controlErr(http.StatusBadRequest, "%v", err)
	}
	ch := s.insertChannelLocked(g, spec.Name, spec.Type, spec.ParentID, spec.Overwrites)
	if spec.Topic != "" {
		t := spec.Topic
		ch.Topic = &t
	}
	payload := s.channelJSON(ch)
	s.mu.Unlock()
	s.dispatch(guildID, "CHANNEL_CREATE", payload)
	return ch.ID, nil
}

// checkNewChannel validates what Discord would refuse. Caller holds s.mu.
func (s *Server) checkNewChannel(g *guild, name string, typ int, parentID string) error {
	if name == "" {
		return formError("name", "BASE_TYPE_REQUIRED", "This field is required")
	}
	switch typ {
	case ChannelGuildText, ChannelGuildVoice, ChannelGuildCategory, ChannelGuildNews:
	default:
		return formError("type", "BASE_TYPE_CHOICES", "Value must be one of {0, 2, 4, 5}.")
	}
	if parentID != "" {
		p := s.st.channels[parentID]
		if p == nil || p.GuildID != g.ID || p.Type != ChannelGuildCategory || typ == ChannelGuildCategory {
			return formError("parent_id", "CHANNEL_PARENT_INVALID", "Invalid parent channel")
		}
	}
	return nil
}

// insertChannelLocked stores a new channel. ows == nil (no
// permission_overwrites sent) under a category copies the category's
// overwrites: Discord creates the channel synced. From then on the channel
// owns its overwrites; later category edits do not propagate.
func (s *Server) insertChannelLocked(g *guild, name string, typ int, parentID string, ows []Overwrite) *channel {
	if ows == nil && parentID != "" {
		if p := s.st.channels[parentID]; p != nil {
			ows = p.Overwrites
		}
	}
	ch := &channel{
		ID: s.ids.next(), Type: typ, GuildID: g.ID, Name: name, ParentID: parentID,
		Position: len(g.ChannelIDs), Overwrites: append([]Overwrite{}, ows...),
	}
	s.st.channels[ch.ID] = ch
	g.ChannelIDs = append(g.ChannelIDs, ch.ID)
	return ch
}

// SetOverwrite creates or replaces a channel overwrite as a human admin
// would (CHANNEL_UPDATE).
func (s *Server) SetOverwrite(channelID string, ow Overwrite) error {
	s.mu.Lock()
	ch := s.st.channels[channelID]
	if ch == nil || ch.GuildID == "" {
		s.mu.Unlock()
		return controlErr(http.StatusNotFound, "unknown guild channel %s", channelID)
	}
	setOverwrite(ch, ow)
	payload := s.channelJSON(ch)
	s.mu.Unlock()
	s.dispatch(ch.GuildID, "CHANNEL_UPDATE", payload)
	return nil
}

func setOverwrite(ch *channel, ow Overwrite) {
	for i := range ch.Overwrites {
		if ch.Overwrites[i].ID == ow.ID {
			ch.Overwrites[i] = ow
			return
		}
	}
	ch.Overwrites = append(ch.Overwrites, ow)
}

// DeleteChannel deletes a channel as a human would (CHANNEL_DELETE).
func (s *Server) DeleteChannel(channelID string) error {
	s.mu.Lock()
	ch := s.st.channels[channelID]
	if ch == nil {
		s.mu.Unlock()
		return controlErr(http.StatusNotFound, "unknown channel %s", channelID)
	}
	payload := s.deleteChannelLocked(ch)
	s.mu.Unlock()
	s.dispatch(ch.GuildID, "CHANNEL_DELETE", payload)
	return nil
}

func (s *Server) deleteChannelLocked(ch *channel) map[string]any {
	payload := s.channelJSON(ch)
	delete(s.st.channels, ch.ID)
	if g := s.st.guilds[ch.GuildID]; g != nil {
		g.ChannelIDs = removeString(g.ChannelIDs, ch.ID)
		// Children of a deleted category become top-level, like on Discord.
		for _, cid := range g.ChannelIDs {
			if c := s.st.channels[cid]; c != nil && c.ParentID == ch.ID {
				c.ParentID = ""
			}
		}
	}
	for _, mid := range s.st.channelMsgs[ch.ID] {
		delete(s.st.messages, mid)
	}
	delete(s.st.channelMsgs, ch.ID)
	return payload
}

// DeleteMessage deletes a message as a human moderator would (MESSAGE_DELETE).
func (s *Server) DeleteMessage(channelID, messageID string) error {
	s.mu.Lock()
	m := s.st.messages[messageID]
	if m == nil || m.ChannelID != channelID {
		s.mu.Unlock()
		return controlErr(http.StatusNotFound, "unknown message %s in channel %s", messageID, channelID)
	}
	ev := s.deleteMessageLocked(m)
	s.mu.Unlock()
	s.flush(ev)
	return nil
}

func (s *Server) deleteMessageLocked(m *message) []pendingEvent {
	delete(s.st.messages, m.ID)
	s.st.channelMsgs[m.ChannelID] = removeString(s.st.channelMsgs[m.ChannelID], m.ID)
	if m.EphemeralTo != "" {
		return []pendingEvent{{guildID: m.GuildID, name: "MESSAGE_DELETE", liveOnly: true,
			data: map[string]any{"id": m.ID, "channel_id": m.ChannelID, "ephemeral_to": m.EphemeralTo}}}
	}
	payload := map[string]any{"id": m.ID, "channel_id": m.ChannelID}
	if m.GuildID != "" {
		payload["guild_id"] = m.GuildID
	}
	return []pendingEvent{{guildID: m.GuildID, name: "MESSAGE_DELETE", data: payload}}
}

// Messages returns a channel's messages (oldest first) as the control API
// shows them: every message, ephemeral ones marked with ephemeral_to.
func (s *Server) Messages(channelID string) ([]map[string]any, error) {
	return s.messagesAs(channelID, "")
}

// MessagesAs returns what userID can see: other users' ephemerals hidden.
func (s *Server) MessagesAs(channelID, userID string) ([]map[string]any, error) {
	return s.messagesAs(channelID, userID)
}

func (s *Server) messagesAs(channelID, asUser string) ([]map[string]any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st.channels[channelID] == nil {
		return nil, controlErr(http.StatusNotFound, "unknown channel %s", channelID)
	}
	out := []map[string]any{}
	for _, mid := range s.st.channelMsgs[channelID] {
		m := s.st.messages[mid]
		if asUser != "" && m.EphemeralTo != "" && m.EphemeralTo != asUser {
			continue
		}
		out = append(out, s.controlMessageJSON(m))
	}
	return out, nil
}

func (s *Server) controlMessageJSON(m *message) map[string]any {
	j := s.messageJSON(m)
	j["edit_count"] = m.EditCount
	if m.GuildID != "" {
		j["guild_id"] = m.GuildID
	}
	if m.EphemeralTo != "" {
		j["ephemeral_to"] = m.EphemeralTo
	}
	return j
}

// Message returns one message in control-API form.
func (s *Server) Message(messageID string) (map[string]any, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.st.messages[messageID]
	if m == nil {
		return nil, false
	}
	return s.controlMessageJSON(m), true
}

// Channels returns a guild's channels with their overwrites.
func (s *Server) Channels(guildID string) ([]map[string]any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.st.guilds[guildID]
	if g == nil {
		return nil, controlErr(http.StatusNotFound, "unknown guild %s", guildID)
	}
	out := []map[string]any{}
	for _, cid := range g.ChannelIDs {
		out = append(out, s.channelJSON(s.st.channels[cid]))
	}
	return out, nil
}

// DMs returns the messages of the DM channel between the bot and userID.
func (s *Server) DMs(userID string) ([]map[string]any, error) {
	s.mu.Lock()
	cid, ok := s.st.dms[userID]
	_, known := s.st.users[userID]
	s.mu.Unlock()
	if !known {
		return nil, controlErr(http.StatusNotFound, "unknown user %s", userID)
	}
	if !ok {
		return []map[string]any{}, nil
	}
	return s.Messages(cid)
}
