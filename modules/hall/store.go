package hall

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/guild"
)

const cardColumns = `guild_id, month_key, period_start, period_end, timezone, status, shown,
	coalesce(channel_id, 0), coalesce(active_pairs, 0), finalized_at`

func scanCard(r db.Scanner) (Card, error) {
	var c Card
	var g, ch int64
	var month string
	if err := r.Scan(&g, &month, &c.Start, &c.End, &c.Timezone, &c.Status, &c.Shown, &ch, &c.ActivePairs, &c.FinalizedAt); err != nil {
		return Card{}, err
	}
	m, err := ParseMonth(month)
	if err != nil {
		return Card{}, err
	}
	c.GuildID, c.Month, c.ChannelID = uint64(g), m, uint64(ch)
	return c, nil
}

// loadCard reads one card; forUpdate locks it (finalization).
func loadCard(ctx context.Context, idb bun.IDB, guildID uint64, m Month, forUpdate bool) (Card, error) {
	q := `SELECT ` + cardColumns + ` FROM hall_cards WHERE guild_id = ? AND month_key = ?`
	if forUpdate {
		q += ` FOR UPDATE`
	}
	c, err := scanCard(idb.QueryRowContext(ctx, q, int64(guildID), m.String()))
	if db.IsNoRows(err) {
		return Card{}, ErrNoCard
	}
	if err != nil {
		return Card{}, fmt.Errorf("hall: load card %d:%s: %w", guildID, m, err)
	}
	return c, nil
}

// cards lists a guild's cards, oldest first; live only when asked.
func cards(ctx context.Context, idb bun.IDB, guildID uint64, liveOnly bool) ([]Card, error) {
	q := `SELECT ` + cardColumns + ` FROM hall_cards WHERE guild_id = ?`
	if liveOnly {
		q += ` AND status = 'live'`
	}
	out, err := db.Query(ctx, idb, scanCard, q+` ORDER BY month_key`, int64(guildID))
	if err != nil {
		return nil, fmt.Errorf("hall: list cards: %w", err)
	}
	return out, nil
}

// insertCard creates a live card unless one exists for that month; it
// reports whether this call created it.
func insertCard(ctx context.Context, idb bun.IDB, c Card) (bool, error) {
	res, err := idb.ExecContext(ctx, `INSERT INTO hall_cards (guild_id, month_key, period_start, period_end, timezone, shown)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (guild_id, month_key) DO NOTHING`,
		int64(c.GuildID), c.Month.String(), c.Start, c.End, c.Timezone, c.Shown)
	if err != nil {
		return false, fmt.Errorf("hall: insert card %s: %w", c.Key(), err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// markFinal is the finalization's guard: only a live card changes.
func markFinal(ctx context.Context, idb bun.IDB, c Card, channelID uint64, activePairs int) (bool, error) {
	res, err := idb.ExecContext(ctx, `UPDATE hall_cards SET status = 'final', finalized_at = now(),
		channel_id = nullif(?, 0), active_pairs = ? WHERE guild_id = ? AND month_key = ? AND status = 'live'`,
		int64(channelID), activePairs, int64(c.GuildID), c.Month.String())
	if err != nil {
		return false, fmt.Errorf("hall: finalize %s: %w", c.Key(), err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// touchLive records that the live card was refreshed for shown categories;
// it reports whether a refresh is due (categories changed, or every passed
// on the database clock, which every process shares).
func touchLive(ctx context.Context, idb bun.IDB, c Card, shown string, every time.Duration) (bool, error) {
	res, err := idb.ExecContext(ctx, `UPDATE hall_cards SET shown = ?, refreshed_at = now()
		WHERE guild_id = ? AND month_key = ? AND status = 'live' AND (shown <> ? OR refreshed_at < now() - ?::interval)`,
		shown, int64(c.GuildID), c.Month.String(), shown, every.String())
	if err != nil {
		return false, fmt.Errorf("hall: touch card %s: %w", c.Key(), err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// saveBoards freezes a card's standings.
func saveBoards(ctx context.Context, idb bun.IDB, c Card, boards []Board) error {
	for _, b := range boards {
		if _, err := idb.ExecContext(ctx, `INSERT INTO hall_card_categories (guild_id, month_key, category, name_key, ord, participation)
			VALUES (?, ?, ?, ?, ?, ?)`, int64(c.GuildID), c.Month.String(), b.Category, b.NameKey, b.Order, b.Participation); err != nil {
			return fmt.Errorf("hall: freeze %s/%s: %w", c.Key(), b.Category, err)
		}
		for _, e := range b.Top {
			if _, err := idb.ExecContext(ctx, `INSERT INTO hall_card_entries (guild_id, month_key, category, place, pair_id, user_a, user_b, points)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, int64(c.GuildID), c.Month.String(), b.Category, e.Place, e.PairID,
				int64(e.Members[0]), int64(e.Members[1]), e.Points); err != nil {
				return fmt.Errorf("hall: freeze %s/%s #%d: %w", c.Key(), b.Category, e.Place, err)
			}
		}
	}
	return nil
}

// loadBoards reads a finalized card's frozen standings.
func loadBoards(ctx context.Context, idb bun.IDB, c Card) ([]Board, error) {
	rows, err := idb.QueryContext(ctx, `SELECT category, name_key, ord, participation FROM hall_card_categories
		WHERE guild_id = ? AND month_key = ? ORDER BY ord, category`, int64(c.GuildID), c.Month.String())
	if err != nil {
		return nil, fmt.Errorf("hall: frozen categories: %w", err)
	}
	var out []Board
	index := map[string]int{}
	for rows.Next() {
		var b Board
		if err := rows.Scan(&b.Category, &b.NameKey, &b.Order, &b.Participation); err != nil {
			rows.Close()
			return nil, err
		}
		index[b.Category] = len(out)
		out = append(out, b)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// Consent is read now, not frozen: a withdrawal reaches past cards too.
	rows, err = idb.QueryContext(ctx, `SELECT e.category, e.place, e.pair_id, e.user_a, e.user_b, e.points,
			NOT (EXISTS (SELECT 1 FROM hall_optins o WHERE o.guild_id = e.guild_id AND o.user_id = e.user_a AND o.category = e.category)
			 AND EXISTS (SELECT 1 FROM hall_optins o WHERE o.guild_id = e.guild_id AND o.user_id = e.user_b AND o.category = e.category))
		FROM hall_card_entries e
		WHERE e.guild_id = ? AND e.month_key = ? ORDER BY e.category, e.place`, int64(c.GuildID), c.Month.String())
	if err != nil {
		return nil, fmt.Errorf("hall: frozen entries: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var cat string
		var e Entry
		var a, b int64
		if err := rows.Scan(&cat, &e.Place, &e.PairID, &a, &b, &e.Points, &e.Hidden); err != nil {
			return nil, err
		}
		e.Members = [2]uint64{uint64(a), uint64(b)}
		if i, ok := index[cat]; ok {
			out[i].Top = append(out[i].Top, e)
		}
	}
	return out, rows.Err()
}

// consentCardMonths are the cards a consent change of userID can alter, oldest
// first: the live ones and every final one that names the member.
func consentCardMonths(ctx context.Context, idb bun.IDB, guildID, userID uint64) ([]Month, error) {
	rows, err := idb.QueryContext(ctx, `SELECT c.month_key FROM hall_cards c WHERE c.guild_id = ? AND (c.status = 'live'
		OR EXISTS (SELECT 1 FROM hall_card_entries e WHERE e.guild_id = c.guild_id AND e.month_key = c.month_key
			AND ? IN (e.user_a, e.user_b)))
		ORDER BY c.month_key`, int64(guildID), int64(userID))
	if err != nil {
		return nil, fmt.Errorf("hall: cards naming member %d: %w", userID, err)
	}
	defer rows.Close()
	var out []Month
	for rows.Next() {
		var key string
		if err := rows.Scan(&key); err != nil {
			return nil, err
		}
		m, err := ParseMonth(key)
		if err != nil {
			return nil, fmt.Errorf("hall: card month %q: %w", key, err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// optedIn is the set of members of a guild opted in to a category.
func optedIn(ctx context.Context, idb bun.IDB, guildID uint64, category string) (map[uint64]bool, error) {
	out, err := db.QuerySet[uint64](ctx, idb, `SELECT user_id FROM hall_optins WHERE guild_id = ? AND category = ?`,
		int64(guildID), category)
	if err != nil {
		return nil, fmt.Errorf("hall: opt-ins of %s: %w", category, err)
	}
	return out, nil
}

// memberOptins lists the categories a member opted in to.
func memberOptins(ctx context.Context, idb bun.IDB, guildID, userID uint64) (map[string]bool, error) {
	out, err := db.QuerySet[string](ctx, idb, `SELECT category FROM hall_optins WHERE guild_id = ? AND user_id = ?`,
		int64(guildID), int64(userID))
	if err != nil {
		return nil, fmt.Errorf("hall: member opt-ins: %w", err)
	}
	return out, nil
}

func addOptins(ctx context.Context, idb bun.IDB, guildID, userID uint64, keys []string) error {
	for _, k := range keys {
		if _, err := idb.ExecContext(ctx, `INSERT INTO hall_optins (guild_id, user_id, category) VALUES (?, ?, ?)
			ON CONFLICT DO NOTHING`, int64(guildID), int64(userID), k); err != nil {
			return fmt.Errorf("hall: opt in to %s: %w", k, err)
		}
	}
	return nil
}

// removeOptins deletes the given categories, or every one when keys is nil
// (including categories of modules no longer deployed: consent withdrawn
// means withdrawn everywhere).
func removeOptins(ctx context.Context, idb bun.IDB, guildID, userID uint64, keys []string) error {
	q, args := `DELETE FROM hall_optins WHERE guild_id = ? AND user_id = ?`, []any{int64(guildID), int64(userID)}
	if keys != nil {
		q += ` AND category IN (?)`
		args = append(args, bun.List(keys))
	}
	if _, err := idb.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("hall: opt out: %w", err)
	}
	return nil
}

// dueGuilds lists, oldest first and in one statement, the guilds whose sync
// has work: a hall channel but no card yet, a live card past its period
// end, or a live card shown before a module was switched in the guild (up
// to batch of these), plus up to refreshes live cards not refreshed for
// every. Guilds where hall is off are left out. Period ends are compared
// with now (the service clock, which computed them); refreshed_at with the
// database's, which touchLive writes it with.
func dueGuilds(ctx context.Context, idb bun.IDB, now time.Time, every time.Duration, batch, refreshes int) ([]uint64, error) {
	off := func(expr string) string { return guild.ModuleOffCondition(expr, Name) }
	out, err := db.Query(ctx, idb, db.Scan[uint64], `
		(SELECT g.guild_id FROM (`+guild.ChannelGuildsQuery(Name, channelPurposeKey)+`) g
		  WHERE NOT EXISTS (SELECT 1 FROM hall_cards h WHERE h.guild_id = g.guild_id) AND NOT `+off("g.guild_id")+`
		  ORDER BY 1 LIMIT ?)
		UNION
		(SELECT c.guild_id FROM hall_cards c
		  WHERE c.status = 'live' AND (c.period_end <= ? OR `+guild.ModulesChangedCondition("c.guild_id", "c.refreshed_at")+`)
		    AND NOT `+off("c.guild_id")+`
		  ORDER BY c.period_end LIMIT ?)
		UNION
		(SELECT c.guild_id FROM hall_cards c
		  WHERE c.status = 'live' AND c.refreshed_at < now() - ?::interval AND NOT `+off("c.guild_id")+`
		  ORDER BY c.refreshed_at LIMIT ?)
		ORDER BY 1`, batch, now, batch, every.String(), refreshes)
	if err != nil {
		return nil, fmt.Errorf("hall: list guilds with a sync due: %w", err)
	}
	return out, nil
}
