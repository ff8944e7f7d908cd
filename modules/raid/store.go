package raid

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/guild"
)

// Row locks for loaders.
const (
	noLock    = ""
	forUpdate = " FOR UPDATE"
)

const raidCols = `id, guild_id, channel_id, timezone, week_start::text, ends_at, goal, progress, daily_cap,
	offers_per_day, status, completed_at, auto, ended_at`

func scanRaid(sc db.Scanner) (raid, error) {
	var r raid
	var g, c int64
	var week string
	err := sc.Scan(&r.ID, &g, &c, &r.Timezone, &week, &r.EndsAt, &r.Goal, &r.Progress, &r.DailyCap,
		&r.OffersPerDay, &r.Status, &r.CompletedAt, &r.Auto, &r.EndedAt)
	r.GuildID, r.ChannelID, r.WeekStart = uint64(g), uint64(c), localDay(week)
	return r, err
}

// activeRaid returns the guild's active raid (possibly past its end, until
// the step ends it) or errNoRaid.
func activeRaid(ctx context.Context, idb bun.IDB, guildID uint64) (raid, error) {
	return db.QueryRow(ctx, idb, scanRaid, errNoRaid, "raid: load active raid", `SELECT `+raidCols+` FROM raid_raids
		WHERE guild_id = ? AND status = 'active'`, int64(guildID))
}

func loadRaid(ctx context.Context, idb bun.IDB, id int64) (raid, error) {
	return db.QueryRow(ctx, idb, scanRaid, errNoRaid, fmt.Sprintf("raid: load raid %d", id),
		`SELECT `+raidCols+` FROM raid_raids WHERE id = ?`, id)
}

// guildRaid is loadRaid limited to guildID: another guild's raid (a custom
// id carried over) is errNoRaid too.
func guildRaid(ctx context.Context, idb bun.IDB, guildID uint64, id int64) (raid, error) {
	return db.QueryRow(ctx, idb, scanRaid, errNoRaid, fmt.Sprintf("raid: load raid %d", id),
		`SELECT `+raidCols+` FROM raid_raids WHERE id = ? AND guild_id = ?`, id, int64(guildID))
}

const claimCols = `id, raid_id, guild_id, pair_id, day::text, quest_key, points, requested_by, status, applied,
	coalesce(confirmed_by, 0), prompt_status`

func scanClaim(sc db.Scanner) (claim, error) {
	var c claim
	var g, req, conf int64
	var day string
	err := sc.Scan(&c.ID, &c.RaidID, &g, &c.PairID, &day, &c.QuestKey, &c.Points, &req, &c.Status, &c.Applied,
		&conf, &c.PromptStatus)
	c.GuildID, c.RequestedBy, c.ConfirmedBy, c.Day = uint64(g), uint64(req), uint64(conf), localDay(day)
	return c, err
}

// loadClaim returns a claim of guildID by id or errNoClaim (another guild's
// claim, from a custom id carried over, is none).
func loadClaim(ctx context.Context, idb bun.IDB, guildID uint64, id int64, lock string) (claim, error) {
	return db.QueryRow(ctx, idb, scanClaim, errNoClaim, fmt.Sprintf("raid: load claim %d", id),
		`SELECT `+claimCols+` FROM raid_claims WHERE id = ? AND guild_id = ?`+lock, id, int64(guildID))
}

// pairClaims lists a pair's claims of one raid day, oldest first.
func pairClaims(ctx context.Context, idb bun.IDB, raidID, pairID int64, day localDay) ([]claim, error) {
	out, err := db.Query(ctx, idb, scanClaim, `SELECT `+claimCols+` FROM raid_claims
		WHERE raid_id = ? AND pair_id = ? AND day = ? ORDER BY id`, raidID, pairID, string(day))
	if err != nil {
		return nil, fmt.Errorf("raid: pair claims: %w", err)
	}
	return out, nil
}

// pairPoints is a pair's points in a raid on one day and in total.
func pairPoints(ctx context.Context, idb bun.IDB, raidID, pairID int64, day localDay) (today, week int, err error) {
	err = idb.QueryRowContext(ctx, `SELECT coalesce(sum(points) FILTER (WHERE day = ?), 0)::int, coalesce(sum(points), 0)::int
		FROM raid_pair_days WHERE raid_id = ? AND pair_id = ?`, string(day), raidID, pairID).Scan(&today, &week)
	if err != nil {
		return 0, 0, fmt.Errorf("raid: pair points: %w", err)
	}
	return today, week, nil
}

// startDue lists, by guild id after after, up to limit guilds with a raid
// channel, raid on, and no raid for their current local week (Postgres's
// date_trunc('week') is the ISO Monday, like weekAt). defaultZone is for
// guilds that set no timezone.
func startDue(ctx context.Context, idb bun.IDB, now time.Time, defaultZone string, after uint64, limit int) ([]guild.GuildChannel, error) {
	out, err := db.Query(ctx, idb, func(row db.Scanner) (guild.GuildChannel, error) {
		var gc guild.GuildChannel
		return gc, row.Scan(&gc.GuildID, &gc.ChannelID)
	}, `SELECT c.guild_id, c.channel_id FROM (`+guild.ChannelGuildsQuery(Name, purposeKey)+`) c
		WHERE c.guild_id > ? AND NOT `+guild.ModuleOffCondition("c.guild_id", Name)+`
		  AND NOT EXISTS (SELECT 1 FROM raid_raids r WHERE r.guild_id = c.guild_id
		    AND r.week_start = date_trunc('week', ?::timestamptz AT TIME ZONE coalesce(`+guild.TimezoneExpr("c.guild_id")+`, ?))::date)
		ORDER BY c.guild_id LIMIT ?`, int64(after), now, defaultZone, limit)
	if err != nil {
		return nil, fmt.Errorf("raid: guilds due a weekly raid: %w", err)
	}
	return out, nil
}

// dayChanged lists, by id after after, up to limit active raids whose local
// day (in the raid's own zone) differs from the one last shown.
func dayChanged(ctx context.Context, idb bun.IDB, now time.Time, after int64, limit int) ([]raid, error) {
	out, err := db.Query(ctx, idb, scanRaid, `SELECT `+raidCols+` FROM raid_raids
		WHERE status = 'active' AND id > ? AND shown_day IS DISTINCT FROM (?::timestamptz AT TIME ZONE timezone)::date
		ORDER BY id LIMIT ?`, after, now, limit)
	if err != nil {
		return nil, fmt.Errorf("raid: list raids with a new day: %w", err)
	}
	return out, nil
}
