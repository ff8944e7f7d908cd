package discordsim

import "strconv"

// Permission bits, as documented by Discord.
const (
	PermCreateInstantInvite    uint64 = 1 << 0
	PermKickMembers            uint64 = 1 << 1
	PermBanMembers             uint64 = 1 << 2
	PermAdministrator          uint64 = 1 << 3
	PermManageChannels         uint64 = 1 << 4
	PermManageGuild            uint64 = 1 << 5
	PermAddReactions           uint64 = 1 << 6
	PermViewChannel            uint64 = 1 << 10
	PermSendMessages           uint64 = 1 << 11
	PermManageMessages         uint64 = 1 << 13
	PermEmbedLinks             uint64 = 1 << 14
	PermAttachFiles            uint64 = 1 << 15
	PermReadMessageHistory     uint64 = 1 << 16
	PermMentionEveryone        uint64 = 1 << 17
	PermUseExternalEmojis      uint64 = 1 << 18
	PermConnect                uint64 = 1 << 20
	PermSpeak                  uint64 = 1 << 21
	PermChangeNickname         uint64 = 1 << 26
	PermManageRoles            uint64 = 1 << 28
	PermUseApplicationCommands uint64 = 1 << 31
	PermSendMessagesInThreads  uint64 = 1 << 38
	PermPinMessages            uint64 = 1 << 51
	// permAll is every permission bit Discord currently defines (0..51 plus
	// spare room); owners and administrators get it.
	permAll uint64 = 1<<53 - 1
)

// DefaultEveryonePermissions approximates what Discord grants @everyone in
// a new guild.
const DefaultEveryonePermissions = PermCreateInstantInvite | PermAddReactions | PermViewChannel |
	PermSendMessages | PermEmbedLinks | PermAttachFiles | PermReadMessageHistory |
	PermUseExternalEmojis | PermConnect | PermSpeak | PermChangeNickname |
	PermUseApplicationCommands | PermSendMessagesInThreads

// DefaultBotPermissions is the bot's managed role: what a typical invite URL
// grants. It is deliberately not ADMINISTRATOR so channel overwrites apply.
const DefaultBotPermissions = PermViewChannel | PermSendMessages | PermEmbedLinks | PermAttachFiles |
	PermReadMessageHistory | PermAddReactions | PermManageMessages | PermManageChannels |
	PermManageRoles | PermUseApplicationCommands | PermSendMessagesInThreads | PermPinMessages

// Overwrite types.
const (
	OverwriteRole   = 0
	OverwriteMember = 1
)

// Overwrite is a channel permission overwrite (Discord sends the bit sets
// as decimal strings).
type Overwrite struct {
	ID    string `json:"id"`
	Type  int    `json:"type"`
	Allow uint64 `json:"allow,string"`
	Deny  uint64 `json:"deny,string"`
}

// basePermissions computes a member's guild-level permissions: owner gets
// everything, then @everyone | roles, with ADMINISTRATOR short-circuiting.
// Caller holds s.mu.
func basePermissions(g *guild, m *member) uint64 {
	if g.OwnerID == m.UserID {
		return permAll
	}
	perms := g.Roles[g.ID].Permissions // @everyone has the guild's id
	for _, rid := range m.Roles {
		if r, ok := g.Roles[rid]; ok {
			perms |= r.Permissions
		}
	}
	if perms&PermAdministrator != 0 {
		return permAll
	}
	return perms
}

// channelPermissions applies a channel's own overwrites on top of the base
// permissions, in Discord's order: @everyone, aggregated roles, member.
// Overwrites of a category are NOT consulted: a channel only carries what
// was synced or copied into it. Caller holds s.mu.
func channelPermissions(g *guild, m *member, ch *channel) uint64 {
	base := basePermissions(g, m)
	if base&PermAdministrator != 0 || base == permAll {
		return permAll
	}
	perms := base
	for _, ow := range ch.Overwrites {
		if ow.Type == OverwriteRole && ow.ID == g.ID {
			perms &^= ow.Deny
			perms |= ow.Allow
		}
	}
	var allow, deny uint64
	for _, ow := range ch.Overwrites {
		if ow.Type == OverwriteRole && ow.ID != g.ID && hasRole(m, ow.ID) {
			allow |= ow.Allow
			deny |= ow.Deny
		}
	}
	perms &^= deny
	perms |= allow
	for _, ow := range ch.Overwrites {
		if ow.Type == OverwriteMember && ow.ID == m.UserID {
			perms &^= ow.Deny
			perms |= ow.Allow
		}
	}
	// Without VIEW_CHANNEL a member can do nothing in the channel.
	if perms&PermViewChannel == 0 {
		return 0
	}
	return perms
}

func hasRole(m *member, roleID string) bool {
	for _, r := range m.Roles {
		if r == roleID {
			return true
		}
	}
	return false
}

func permString(p uint64) string { return strconv.FormatUint(p, 10) }

// requireChannelPerms returns 50001 when the bot cannot see the channel and
// 50013 when it lacks any of need. Caller holds s.mu.
func (s *Server) requireChannelPerms(ch *channel, need uint64) error {
	if ch.GuildID == "" {
		return nil // DMs: the bot is a recipient of every DM it can address
	}
	g := s.st.guilds[ch.GuildID]
	if g == nil {
		return errMissingAccess
	}
	m := g.Members[s.opts.BotUserID]
	if m == nil {
		return errMissingAccess
	}
	perms := channelPermissions(g, m, ch)
	if perms&PermViewChannel == 0 {
		return errMissingAccess
	}
	if perms&need != need {
		return errMissingPerms
	}
	return nil
}

// requireGuildPerms checks guild-level permissions of the bot.
func (s *Server) requireGuildPerms(g *guild, need uint64) error {
	m := g.Members[s.opts.BotUserID]
	if m == nil {
		return errMissingAccess
	}
	if basePermissions(g, m)&need != need {
		return errMissingPerms
	}
	return nil
}
