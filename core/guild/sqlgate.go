package guild

import (
	"context"
	"fmt"
	"regexp"
)

var moduleName = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// ModuleOffCondition returns an SQL condition, true when the guild given by
// guildExpr (a column such as "p.guild_id" or a placeholder such as "$1") has
// turned module off. Set-based queries (a sweep over many guilds) use it to skip
// those guilds in one statement; the table behind it stays this package's.
// It panics on a module name that is not a plain identifier, which only a
// programming error can produce.
func ModuleOffCondition(guildExpr, module string) string {
	if !moduleName.MatchString(module) {
		panic(fmt.Sprintf("guild.ModuleOffCondition: bad module name %q", module))
	}
	return fmt.Sprintf(`EXISTS (SELECT 1 FROM core_guild_modules gm WHERE gm.guild_id = %s AND gm.module = '%s' AND NOT gm.enabled)`,
		guildExpr, module)
}

// GuildChannel is one guild's channel for a purpose.
type GuildChannel struct {
	GuildID   uint64
	ChannelID uint64
}

// GuildsWithChannel lists, by guild id, the guilds that configured a channel
// for the module's purpose (key as in ChannelPurpose.Key) and have not turned
// the module off: the guilds a periodic job of that module should visit.
func (s *Service) GuildsWithChannel(ctx context.Context, module, key string) ([]GuildChannel, error) {
	rows, err := s.db.Pool.Query(ctx, `SELECT c.guild_id, c.channel_id FROM core_guild_channels c
		WHERE c.module = $1 AND c.purpose = $2 AND NOT `+ModuleOffCondition("c.guild_id", module)+`
		ORDER BY c.guild_id`, module, key)
	if err != nil {
		return nil, fmt.Errorf("guild: list guilds with a %s.%s channel: %w", module, key, err)
	}
	defer rows.Close()
	var out []GuildChannel
	for rows.Next() {
		var g, c int64
		if err := rows.Scan(&g, &c); err != nil {
			return nil, err
		}
		out = append(out, GuildChannel{GuildID: uint64(g), ChannelID: uint64(c)})
	}
	return out, rows.Err()
}

// ChannelGuildsQuery returns a subquery of columns guild_id and channel_id:
// the guilds that configured a channel for the module's purpose key. Periodic jobs
// join it to their own tables to select, in one statement, only the guilds
// with work due, instead of loading every configured guild (GuildsWithChannel).
// It panics on names that are not plain identifiers, like ModuleOffCondition.
func ChannelGuildsQuery(module, key string) string {
	if !moduleName.MatchString(module) || !moduleName.MatchString(key) {
		panic(fmt.Sprintf("guild.ChannelGuildsQuery: bad module or key %q.%q", module, key))
	}
	return fmt.Sprintf(`SELECT guild_id, channel_id FROM core_guild_channels WHERE module = '%s' AND purpose = '%s'`, module, key)
}

// ModulesChangedCondition returns an SQL condition, true when a module was
// switched on or off in the guild given by guildExpr after the time given by
// sinceExpr: what a job whose output depends on the guild's modules checks
// to re-render only where a switch happened.
func ModulesChangedCondition(guildExpr, sinceExpr string) string {
	return fmt.Sprintf(`EXISTS (SELECT 1 FROM core_guild_modules gm WHERE gm.guild_id = %s AND gm.updated_at > %s)`, guildExpr, sinceExpr)
}

// TimezoneExpr returns an SQL expression for the IANA zone of the guild given
// by guildExpr, NULL when it set none (coalesce it with the deployment's
// default, DefaultLocation). Postgres knows the same tz database, so a job
// can tell in one statement which guilds reached a local time.
func TimezoneExpr(guildExpr string) string {
	return fmt.Sprintf(`(SELECT gs.timezone FROM core_guild_settings gs WHERE gs.guild_id = %s)`, guildExpr)
}
