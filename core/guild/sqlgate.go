package guild

import (
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
