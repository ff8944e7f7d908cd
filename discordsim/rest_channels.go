package discordsim

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
)

// overwriteBody accepts allow/deny as strings (documented) or integers.
type overwriteBody struct {
	ID    string          `json:"id"`
	Type  *int            `json:"type"`
	Allow json.RawMessage `json:"allow"`
	Deny  json.RawMessage `json:"deny"`
}

func (ob overwriteBody) overwrite() Overwrite {
	ow := Overwrite{ID: ob.ID, Allow: parsePermBits(ob.Allow), Deny: parsePermBits(ob.Deny)}
	if ob.Type != nil {
		ow.Type = *ob.Type
	}
	return ow
}

func parsePermBits(r json.RawMessage) uint64 {
	r = bytes.TrimSpace(r)
	if len(r) == 0 || string(r) == "null" {
		return 0
	}
	var str string
	if json.Unmarshal(r, &str) == nil {
		v, _ := strconv.ParseUint(str, 10, 64)
		return v
	}
	var n uint64
	_ = json.Unmarshal(r, &n)
	return n
}

// toOverwrites checks and converts overwrites the bot wants to set: ids
// must name a role or member of the guild, and (unless the bot is admin)
// it may only allow or deny permissions it holds itself. Caller holds s.mu.
func (s *Server) toOverwrites(g *guild, botPerms uint64, in []overwriteBody) ([]Overwrite, error) {
	out := make([]Overwrite, 0, len(in))
	for i, ob := range in {
		ow := ob.overwrite()
		switch {
		case ow.Type == OverwriteRole && g.Roles[ow.ID] != nil:
		case ow.Type == OverwriteMember && g.Members[ow.ID] != nil:
		default:
			return nil, formError("permission_overwrites."+itoa(i)+".id", "UNKNOWN_OVERWRITE_TARGET", "Unknown role or member")
		}
		if botPerms != permAll && (ow.Allow|ow.Deny)&^botPerms != 0 {
			return nil, errMissingPerms
		}
		out = append(out, ow)
	}
	return out, nil
}

func (s *Server) botMember(g *guild) *member { return g.Members[s.opts.BotUserID] }

// emitChannel queues a CHANNEL_* event carrying the channel as it now is
// and returns that payload, which is also the route's answer.
func (s *Server) emitChannel(rc *restCall, event string, ch *channel) map[string]any {
	out := s.channelJSON(ch)
	rc.emit(pendingEvent{guildID: ch.GuildID, name: event, data: out})
	return out
}

var errDMChannel = apiErr(http.StatusBadRequest, codeCannotExecuteOnChannel, "Cannot execute action on a DM channel")

func (s *Server) getChannel(rc *restCall) (int, any, error) {
	ch, err := s.channelForBot(rc.param("channel_id"), PermViewChannel)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, s.channelJSON(ch), nil
}

type channelBody struct {
	Name       *string          `json:"name"`
	Type       *int             `json:"type"`
	Topic      *string          `json:"topic"`
	NSFW       *bool            `json:"nsfw"`
	Position   *int             `json:"position"`
	Overwrites *[]overwriteBody `json:"permission_overwrites"`
}

func (s *Server) createGuildChannel(rc *restCall) (int, any, error) {
	var b channelBody
	var parent struct {
		ParentID *string `json:"parent_id"`
	}
	if err := rc.decode(&b); err != nil {
		return 0, nil, err
	}
	_ = rc.decode(&parent)
	g := s.st.guilds[rc.param("guild_id")]
	if g == nil {
		return 0, nil, errUnknown(codeUnknownGuild)
	}
	if err := s.requireGuildPerms(g, PermManageChannels); err != nil {
		return 0, nil, err
	}
	name, typ, parentID := "", ChannelGuildText, ""
	if b.Name != nil {
		name = *b.Name
	}
	if b.Type != nil {
		typ = *b.Type
	}
	if parent.ParentID != nil {
		parentID = *parent.ParentID
	}
	if err := s.checkNewChannel(g, name, typ, parentID); err != nil {
		return 0, nil, err
	}
	var ows []Overwrite
	if b.Overwrites != nil {
		ows = []Overwrite{} // sent, even empty: no sync with the category
	}
	if b.Overwrites != nil && len(*b.Overwrites) > 0 {
		if err := s.requireGuildPerms(g, PermManageRoles); err != nil {
			return 0, nil, err
		}
		var err error
		if ows, err = s.toOverwrites(g, basePermissions(g, s.botMember(g)), *b.Overwrites); err != nil {
			return 0, nil, err
		}
	}
	ch := s.insertChannelLocked(g, name, typ, parentID, ows)
	ch.Topic = b.Topic
	if b.NSFW != nil {
		ch.NSFW = *b.NSFW
	}
	return http.StatusCreated, s.emitChannel(rc, "CHANNEL_CREATE", ch), nil
}

func (s *Server) modifyChannel(rc *restCall) (int, any, error) {
	var b channelBody
	var raw map[string]json.RawMessage
	if err := rc.decode(&b); err != nil {
		return 0, nil, err
	}
	_ = rc.decode(&raw)
	ch, err := s.channelForBot(rc.param("channel_id"), PermViewChannel|PermManageChannels)
	if err != nil {
		return 0, nil, err
	}
	if ch.Type == ChannelDM {
		return 0, nil, errDMChannel
	}
	g := s.st.guilds[ch.GuildID]
	parentID := ch.ParentID
	if v, ok := raw["parent_id"]; ok {
		parentID = ""
		_ = json.Unmarshal(v, &parentID) // null leaves it empty
		if parentID != "" {
			if err := s.checkNewChannel(g, ch.Name, ch.Type, parentID); err != nil {
				return 0, nil, err
			}
		}
	}
	if b.Overwrites != nil {
		if err := s.requireChannelPerms(ch, PermManageRoles); err != nil {
			return 0, nil, err
		}
		ows, err := s.toOverwrites(g, channelPermissions(g, s.botMember(g), ch), *b.Overwrites)
		if err != nil {
			return 0, nil, err
		}
		ch.Overwrites = ows
	}
	if b.Name != nil {
		if *b.Name == "" {
			return 0, nil, formError("name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
		}
		ch.Name = *b.Name
	}
	if _, ok := raw["topic"]; ok {
		ch.Topic = b.Topic
	}
	if b.NSFW != nil {
		ch.NSFW = *b.NSFW
	}
	if b.Position != nil {
		ch.Position = *b.Position
	}
	ch.ParentID = parentID
	return http.StatusOK, s.emitChannel(rc, "CHANNEL_UPDATE", ch), nil
}

func (s *Server) deleteChannelREST(rc *restCall) (int, any, error) {
	ch, err := s.channelForBot(rc.param("channel_id"), PermViewChannel)
	if err == nil && ch.Type != ChannelDM {
		err = s.requireChannelPerms(ch, PermManageChannels)
	}
	if err != nil {
		return 0, nil, err
	}
	if ch.Type == ChannelDM {
		// Closing a DM keeps its history; it reopens on the next create.
		return http.StatusOK, s.channelJSON(ch), nil
	}
	out := s.deleteChannelLocked(ch)
	rc.emit(pendingEvent{guildID: ch.GuildID, name: "CHANNEL_DELETE", data: out})
	return http.StatusOK, out, nil
}

func (s *Server) putOverwrite(rc *restCall) (int, any, error) {
	var b overwriteBody
	if err := rc.decode(&b); err != nil {
		return 0, nil, err
	}
	b.ID = rc.param("overwrite_id")
	ch, err := s.channelForBot(rc.param("channel_id"), PermViewChannel|PermManageRoles)
	if err != nil {
		return 0, nil, err
	}
	g := s.st.guilds[ch.GuildID]
	if g == nil {
		return 0, nil, errDMChannel
	}
	ows, err := s.toOverwrites(g, channelPermissions(g, s.botMember(g), ch), []overwriteBody{b})
	if err != nil {
		return 0, nil, err
	}
	setOverwrite(ch, ows[0])
	s.emitChannel(rc, "CHANNEL_UPDATE", ch)
	return http.StatusNoContent, nil, nil
}

func (s *Server) deleteOverwrite(rc *restCall) (int, any, error) {
	ch, err := s.channelForBot(rc.param("channel_id"), PermViewChannel|PermManageRoles)
	if err != nil {
		return 0, nil, err
	}
	id := rc.param("overwrite_id")
	kept := ch.Overwrites[:0]
	found := false
	for _, ow := range ch.Overwrites {
		if ow.ID == id {
			found = true
			continue
		}
		kept = append(kept, ow)
	}
	ch.Overwrites = kept
	if !found {
		return 0, nil, errUnknown(codeUnknownOverwrite)
	}
	s.emitChannel(rc, "CHANNEL_UPDATE", ch)
	return http.StatusNoContent, nil, nil
}

// guildForBot returns a guild the bot is in. Caller holds s.mu.
func (s *Server) guildForBot(id string) (*guild, error) {
	g := s.st.guilds[id]
	if g == nil || s.botMember(g) == nil {
		return nil, errUnknown(codeUnknownGuild)
	}
	return g, nil
}

func (s *Server) getGuild(rc *restCall) (int, any, error) {
	g, err := s.guildForBot(rc.param("guild_id"))
	if err != nil {
		return 0, nil, err
	}
	out := s.guildJSON(g)
	if rc.query.Get("with_counts") == "true" {
		out["approximate_member_count"] = len(g.Members)
		out["approximate_presence_count"] = 0
	}
	return http.StatusOK, out, nil
}

func (s *Server) listGuildChannels(rc *restCall) (int, any, error) {
	g, err := s.guildForBot(rc.param("guild_id"))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, s.guildChannelsJSON(g), nil
}

func (s *Server) listMembers(rc *restCall) (int, any, error) {
	limit, err := rc.limit(1, 1000) // Discord's default really is 1
	if err != nil {
		return 0, nil, err
	}
	after := rc.query.Get("after")
	g, err := s.guildForBot(rc.param("guild_id"))
	if err != nil {
		return 0, nil, err
	}
	ids := append([]string{}, g.MemberOrder...)
	for i := 1; i < len(ids); i++ { // sorted by user id, as Discord pages them
		for j := i; j > 0 && snowflakeLess(ids[j], ids[j-1]); j-- {
			ids[j], ids[j-1] = ids[j-1], ids[j]
		}
	}
	out := []any{}
	for _, uid := range ids {
		if (after == "" || snowflakeLess(after, uid)) && len(out) < limit {
			out = append(out, s.memberJSON(g, g.Members[uid], true))
		}
	}
	return http.StatusOK, out, nil
}

func (s *Server) getMember(rc *restCall) (int, any, error) {
	g, err := s.guildForBot(rc.param("guild_id"))
	if err != nil {
		return 0, nil, err
	}
	m := g.Members[rc.param("user_id")]
	if m == nil {
		return 0, nil, errUnknown(codeUnknownMember)
	}
	return http.StatusOK, s.memberJSON(g, m, true), nil
}

func (s *Server) listRoles(rc *restCall) (int, any, error) {
	g, err := s.guildForBot(rc.param("guild_id"))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, rolesJSON(g), nil
}

// UnmarshalJSON accepts allow/deny as decimal strings (Discord's format)
// or numbers, so control-API scripts can use either.
func (o *Overwrite) UnmarshalJSON(b []byte) error {
	var ob overwriteBody
	if err := json.Unmarshal(b, &ob); err != nil {
		return err
	}
	*o = ob.overwrite()
	return nil
}
