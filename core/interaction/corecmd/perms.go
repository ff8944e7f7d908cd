package corecmd

import (
	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/snowflake/v2"
)

// channelPermissions computes a member's permissions in a channel the way
// Discord does: @everyone and role grants, Administrator short-circuit, then
// the channel's @everyone, role and member overwrites in that order.
func channelPermissions(guildID snowflake.ID, roles []discord.Role, memberID snowflake.ID, memberRoles []snowflake.ID,
	overwrites discord.PermissionOverwrites) discord.Permissions {
	byID := make(map[snowflake.ID]discord.Permissions, len(roles))
	for _, r := range roles {
		byID[r.ID] = r.Permissions
	}
	perms := byID[guildID] // the @everyone role has the guild's id
	for _, r := range memberRoles {
		perms |= byID[r]
	}
	if perms.Has(discord.PermissionAdministrator) {
		return discord.PermissionsAll
	}
	if o, ok := overwrites.Role(guildID); ok {
		perms = perms&^o.Deny | o.Allow
	}
	var allow, deny discord.Permissions
	for _, r := range memberRoles {
		if o, ok := overwrites.Role(r); ok {
			allow |= o.Allow
			deny |= o.Deny
		}
	}
	perms = perms&^deny | allow
	if o, ok := overwrites.Member(memberID); ok {
		perms = perms&^o.Deny | o.Allow
	}
	return perms
}
