package raid

import (
	"context"
	"fmt"
	"strconv"

	"github.com/uptrace/bun"

	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/interaction"
	"github.com/together-bot/together/core/refusal"
)

// guildRaidSettings are what a new raid in the guild starts with.
type guildRaidSettings struct {
	DailyCap, OffersPerDay, Goal int
}

func defaultRaidSettings() guildRaidSettings {
	return guildRaidSettings{DailyCap: defaultDailyCap, OffersPerDay: defaultOffersPerDay, Goal: defaultGoal}
}

func loadRaidSettings(ctx context.Context, idb bun.IDB, guildID uint64) (guildRaidSettings, error) {
	st := defaultRaidSettings()
	err := idb.QueryRowContext(ctx, `SELECT daily_cap, offers_per_day, goal FROM raid_guild_settings WHERE guild_id = ?`,
		int64(guildID)).Scan(&st.DailyCap, &st.OffersPerDay, &st.Goal)
	if err != nil && !db.IsNoRows(err) {
		return st, fmt.Errorf("raid: read guild settings: %w", err)
	}
	return st, nil
}

// numberSetting is one integer column of raid_guild_settings.
type numberSetting struct {
	key, column string
	min, max    int
	get         func(guildRaidSettings) int
}

var numberSettings = []numberSetting{
	{"daily_cap", "daily_cap", 1, 10000, func(s guildRaidSettings) int { return s.DailyCap }},
	{"offers_per_day", "offers_per_day", 1, 10, func(s guildRaidSettings) int { return s.OffersPerDay }},
	{"goal", "goal", 1, maxGoal, func(s guildRaidSettings) int { return s.Goal }},
}

// configSettings are raid's options in /config setting; they apply from the
// next raid on (a running raid keeps the values it started with).
func configSettings(s *service) []interaction.Setting {
	out := make([]interaction.Setting, 0, len(numberSettings))
	for _, ns := range numberSettings {
		out = append(out, interaction.Setting{Module: Name, Key: ns.key, NameKey: "raid.setting." + ns.key,
			Get: func(ctx context.Context, guildID uint64) (string, error) {
				st, err := loadRaidSettings(ctx, s.DB.Bun, guildID)
				return strconv.Itoa(ns.get(st)), err
			},
			Set: func(ctx context.Context, guildID, by uint64, value string) error {
				n, err := strconv.Atoi(value) // /config cleaned it (core/usertext)
				if err != nil || n < ns.min || n > ns.max {
					return refusal.New("raid.error.setting_range", "value", value, "min", ns.min, "max", ns.max)
				}
				d := defaultRaidSettings()
				// The other columns keep their value, or get the default on first write.
				_, err = s.DB.Bun.ExecContext(ctx, `INSERT INTO raid_guild_settings (guild_id, daily_cap, offers_per_day, goal, updated_by)
					VALUES (?, ?, ?, ?, ?)
					ON CONFLICT (guild_id) DO UPDATE SET `+ns.column+` = ?, updated_at = now(), updated_by = EXCLUDED.updated_by`,
					int64(guildID), pick(ns.key == "daily_cap", n, d.DailyCap), pick(ns.key == "offers_per_day", n, d.OffersPerDay),
					pick(ns.key == "goal", n, d.Goal), int64(by), n)
				if err != nil {
					return fmt.Errorf("raid: store %s: %w", ns.key, err)
				}
				return nil
			}})
	}
	return out
}

func pick(cond bool, a, b int) int {
	if cond {
		return a
	}
	return b
}
