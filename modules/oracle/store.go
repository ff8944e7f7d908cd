package oracle

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/guild"
	"github.com/uptrace/bun"
)

// store is the SQL for the oracle_ tables. Every function takes the bun.IDB
// it runs on, so the service decides what shares a transaction.
type store struct{}

// ensureWeek records the week's archetype if nobody did yet and returns the
// recorded one. Concurrent callers compute the same key, and the first
// insert wins for good.
func (store) ensureWeek(ctx context.Context, idb bun.IDB, guildID uint64, w Week, key string) (string, error) {
	if _, err := idb.NewRaw(`INSERT INTO oracle_weeks (guild_id, week, archetype_key) VALUES (?, ?, ?)
		ON CONFLICT (guild_id, week) DO NOTHING`, int64(guildID), w.String(), key).Exec(ctx); err != nil {
		return "", fmt.Errorf("oracle: record week %s of guild %d: %w", w, guildID, err)
	}
	var got string
	if err := idb.NewRaw(`SELECT archetype_key FROM oracle_weeks WHERE guild_id = ? AND week = ?`,
		int64(guildID), w.String()).Scan(ctx, &got); err != nil {
		return "", fmt.Errorf("oracle: read week %s of guild %d: %w", w, guildID, err)
	}
	return got, nil
}

// weekArchetype returns the recorded archetype of a week, "" when none.
func (store) weekArchetype(ctx context.Context, idb bun.IDB, guildID uint64, w Week) (string, error) {
	var key string
	err := idb.NewRaw(`SELECT archetype_key FROM oracle_weeks WHERE guild_id = ? AND week = ?`,
		int64(guildID), w.String()).Scan(ctx, &key)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("oracle: read week %s of guild %d: %w", w, guildID, err)
	}
	return key, nil
}

// dashboardRow is what the dashboard shows.
type dashboardRow struct {
	Week        Week
	PublishedAt time.Time
}

// dashboard returns the guild's dashboard row; ok=false when never published.
func (store) dashboard(ctx context.Context, idb bun.IDB, guildID uint64) (dashboardRow, bool, error) {
	var (
		week string
		at   time.Time
	)
	err := idb.NewRaw(`SELECT week, published_at FROM oracle_dashboards WHERE guild_id = ?`, int64(guildID)).Scan(ctx, &week, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return dashboardRow{}, false, nil
	}
	if err != nil {
		return dashboardRow{}, false, fmt.Errorf("oracle: read dashboard of guild %d: %w", guildID, err)
	}
	w, err := ParseWeek(week)
	if err != nil {
		return dashboardRow{}, false, err
	}
	return dashboardRow{Week: w, PublishedAt: at}, true, nil
}

// setDashboardWeek points the dashboard at w. The schedule (force=false)
// moves it only to a later week, so a slow replica never moves it back and
// a second run changes nothing. publish-now (force=true) also re-stamps the
// current week: the new published_at changes what the card shows, which
// makes the core edit the message, and so recreate it if it was deleted.
// moved reports whether the week changed.
func (store) setDashboardWeek(ctx context.Context, idb bun.IDB, guildID uint64, w Week, by uint64, force bool) (moved bool, err error) {
	var byArg any
	if by != 0 {
		byArg = int64(by)
	}
	var prev string
	err = idb.NewRaw(`SELECT week FROM oracle_dashboards WHERE guild_id = ? FOR UPDATE`, int64(guildID)).Scan(ctx, &prev)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return false, fmt.Errorf("oracle: read dashboard of guild %d: %w", guildID, err)
	}
	if prev > w.String() || prev == w.String() && !force {
		return false, nil
	}
	// The WHERE repeats the decision for the case the SELECT could not lock:
	// two first publishes of a guild racing on the insert.
	res, err := idb.NewRaw(`INSERT INTO oracle_dashboards (guild_id, week, published_by) VALUES (?, ?, ?)
		ON CONFLICT (guild_id) DO UPDATE SET week = EXCLUDED.week, published_at = clock_timestamp(), published_by = EXCLUDED.published_by
		WHERE oracle_dashboards.week < EXCLUDED.week OR (? AND oracle_dashboards.week = EXCLUDED.week)`,
		int64(guildID), w.String(), byArg, force).Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("oracle: publish week %s of guild %d: %w", w, guildID, err)
	}
	n, _ := res.RowsAffected()
	return n > 0 && prev != w.String(), nil
}

// claimRow is one stored claim.
type claimRow struct {
	Week       Week
	UserID     uint64
	Archetype  string
	Tone       Tone
	Context    Context
	Locale     string
	Body       string
	DMSent     bool
	PairSent   bool
	ClaimedAt  time.Time
	JustClaims bool // set by insertClaim for the caller that created it
}

// insertClaim stores a first claim; when the member already claimed that
// week it returns the stored one with JustClaims=false. Two simultaneous
// clicks both get the same row: the primary key lets one insert through.
func (s store) insertClaim(ctx context.Context, idb bun.IDB, guildID uint64, c claimRow) (claimRow, error) {
	res, err := idb.NewRaw(`INSERT INTO oracle_claims (guild_id, week, user_id, archetype_key, tone, context, locale, body)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (guild_id, week, user_id) DO NOTHING`,
		int64(guildID), c.Week.String(), int64(c.UserID), c.Archetype, string(c.Tone), string(c.Context), c.Locale, c.Body).Exec(ctx)
	if err != nil {
		return claimRow{}, fmt.Errorf("oracle: store claim: %w", err)
	}
	n, _ := res.RowsAffected()
	got, ok, err := s.claim(ctx, idb, guildID, c.Week, c.UserID)
	if err != nil {
		return claimRow{}, err
	}
	if !ok {
		return claimRow{}, fmt.Errorf("oracle: claim of user %d vanished after insert", c.UserID)
	}
	got.JustClaims = n > 0
	return got, nil
}

// claim reads one member's claim for a week.
func (store) claim(ctx context.Context, idb bun.IDB, guildID uint64, w Week, userID uint64) (claimRow, bool, error) {
	var (
		c                claimRow
		uid              int64
		tone, cx         string
		dmSent, pairSent sql.NullTime
	)
	err := idb.NewRaw(`SELECT user_id, archetype_key, tone, context, locale, body, dm_sent_at, pair_sent_at, created_at
		FROM oracle_claims WHERE guild_id = ? AND week = ? AND user_id = ?`, int64(guildID), w.String(), int64(userID)).
		Scan(ctx, &uid, &c.Archetype, &tone, &cx, &c.Locale, &c.Body, &dmSent, &pairSent, &c.ClaimedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return claimRow{}, false, nil
	}
	if err != nil {
		return claimRow{}, false, fmt.Errorf("oracle: read claim: %w", err)
	}
	c.Week, c.UserID, c.Tone, c.Context = w, uint64(uid), Tone(tone), Context(cx)
	c.DMSent, c.PairSent = dmSent.Valid, pairSent.Valid
	return c, true, nil
}

// countClaims counts the week's claims in a guild.
func (store) countClaims(ctx context.Context, idb bun.IDB, guildID uint64, w Week) (int, error) {
	var n int
	if err := idb.NewRaw(`SELECT count(*) FROM oracle_claims WHERE guild_id = ? AND week = ?`,
		int64(guildID), w.String()).Scan(ctx, &n); err != nil {
		return 0, fmt.Errorf("oracle: count claims: %w", err)
	}
	return n, nil
}

// claimedAmong returns which of users claimed in the week.
func (store) claimedAmong(ctx context.Context, idb bun.IDB, guildID uint64, w Week, users []uint64) (map[uint64]bool, error) {
	out := make(map[uint64]bool, len(users))
	if len(users) == 0 {
		return out, nil
	}
	ids := make([]int64, len(users))
	for i, u := range users {
		ids[i] = int64(u)
		out[u] = false
	}
	var got []int64
	if err := idb.NewRaw(`SELECT user_id FROM oracle_claims WHERE guild_id = ? AND week = ? AND user_id IN (?)`,
		int64(guildID), w.String(), bun.List(ids)).Scan(ctx, &got); err != nil {
		return nil, fmt.Errorf("oracle: read partners' claims: %w", err)
	}
	for _, u := range got {
		out[uint64(u)] = true
	}
	return out, nil
}

// delivery names a copy of a claim: to the member's DMs or their pair room.
type delivery string

const (
	toDM   delivery = "dm"
	toPair delivery = "pair"
)

func (d delivery) column() string {
	if d == toPair {
		return "pair_sent_at"
	}
	return "dm_sent_at"
}

// markSent claims the right to send one copy: true for exactly one caller
// per claim and delivery (until unmarkSent gives it back).
func (store) markSent(ctx context.Context, idb bun.IDB, guildID uint64, w Week, userID uint64, d delivery) (bool, error) {
	// column() is one of two constants, never input.
	res, err := idb.NewRaw(`UPDATE oracle_claims SET `+d.column()+` = now()
		WHERE guild_id = ? AND week = ? AND user_id = ? AND `+d.column()+` IS NULL`,
		int64(guildID), w.String(), int64(userID)).Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("oracle: mark %s copy sent: %w", d, err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// unmarkSent gives the copy back after Discord refused it, so the member can
// retry once they open their DMs.
func (store) unmarkSent(ctx context.Context, idb bun.IDB, guildID uint64, w Week, userID uint64, d delivery) error {
	_, err := idb.NewRaw(`UPDATE oracle_claims SET `+d.column()+` = NULL WHERE guild_id = ? AND week = ? AND user_id = ?`,
		int64(guildID), w.String(), int64(userID)).Exec(ctx)
	if err != nil {
		return fmt.Errorf("oracle: reset %s copy: %w", d, err)
	}
	return nil
}

// guildWithChannel is a publish candidate.
type guildWithChannel struct {
	GuildID uint64
	Week    string // the dashboard's week, "" when never published
}

// dueGuilds lists, by guild id after after, up to limit guilds with an
// oracle channel, oracle on, and a dashboard older than their local week
// (or none) once that week's Monday PublishHour:00 has passed: the rule
// publishIfDue applies. Listing a guild that publishIfDue then skips would
// make every run before Monday's publish hour cost queries per guild (for
// guilds two weeks behind, such as new ones). Postgres does the timezone
// arithmetic; defaultZone is for guilds that set no timezone.
func (store) dueGuilds(ctx context.Context, idb bun.IDB, now time.Time, defaultZone string, after uint64, limit int) ([]guildWithChannel, error) {
	out, err := db.Query(ctx, idb, scanGuildWeek, `SELECT c.guild_id, coalesce(d.week, '') FROM (`+guild.ChannelGuildsQuery(Name, ChannelPurposeKey)+`) c
		CROSS JOIN LATERAL (SELECT ?::timestamptz AT TIME ZONE coalesce(`+guild.TimezoneExpr("c.guild_id")+`, ?) AS now) l
		LEFT JOIN oracle_dashboards d ON d.guild_id = c.guild_id
		WHERE c.guild_id > ? AND NOT `+guild.ModuleOffCondition("c.guild_id", Name)+`
		  AND coalesce(d.week, '') < to_char(l.now, 'IYYY-"W"IW')
		  AND l.now >= date_trunc('week', l.now) + make_interval(hours => ?)
		ORDER BY c.guild_id LIMIT ?`, now, defaultZone, int64(after), PublishHour, limit)
	if err != nil {
		return nil, fmt.Errorf("oracle: list guilds due: %w", err)
	}
	return out, nil
}

func scanGuildWeek(row db.Scanner) (guildWithChannel, error) {
	var g guildWithChannel
	err := row.Scan(&g.GuildID, &g.Week)
	return g, err
}
