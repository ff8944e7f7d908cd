package raid

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"sort"
	"strconv"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/together-bot/together/core/db"
)

// pickOffers chooses a raid day's n quests: each quest's rank is the first
// eight bytes of sha256("<raid>:<day>:<key>"), ties broken by key, over the
// library sorted by key. The result depends only on its inputs — never on
// map or row order — so every pair, replica and re-render sees the same.
func pickOffers(raidID int64, day localDay, quests []quest, n int) []quest {
	type ranked struct {
		q    quest
		rank uint64
	}
	rs := make([]ranked, len(quests))
	for i, q := range quests {
		sum := sha256.Sum256([]byte(strconv.FormatInt(raidID, 10) + ":" + string(day) + ":" + q.Key))
		rs[i] = ranked{q: q, rank: binary.BigEndian.Uint64(sum[:8])}
	}
	sort.Slice(rs, func(i, j int) bool {
		if rs[i].rank != rs[j].rank {
			return rs[i].rank < rs[j].rank
		}
		return rs[i].q.Key < rs[j].q.Key
	})
	out := make([]quest, 0, min(n, len(rs)))
	for i := 0; i < n && i < len(rs); i++ {
		out = append(out, rs[i].q)
	}
	return out
}

const questCols = `key, category, difficulty, points, text_en, text_ru`

func scanQuest(sc db.Scanner) (quest, error) {
	var q quest
	err := sc.Scan(&q.Key, &q.Category, &q.Difficulty, &q.Points, &q.EN, &q.RU)
	return q, err
}

// quests reads quests from the table: the active ones (keys nil) or the
// given keys in the given order (retired ones included, for frozen offers).
func quests(ctx context.Context, idb bun.IDB, keys []string) ([]quest, error) {
	q := `SELECT ` + questCols + ` FROM raid_quests WHERE active ORDER BY key`
	args := []any{}
	if keys != nil {
		q = `SELECT ` + questCols + ` FROM raid_quests WHERE key IN (?) ORDER BY key`
		args = append(args, bun.List(keys))
	}
	found, err := db.Query(ctx, idb, scanQuest, q, args...)
	if err != nil {
		return nil, fmt.Errorf("raid: read quests: %w", err)
	}
	if keys == nil {
		return found, nil
	}
	byKey := make(map[string]quest, len(found))
	for _, qu := range found {
		byKey[qu.Key] = qu
	}
	out := found[:0]
	for _, k := range keys {
		if qu, ok := byKey[k]; ok {
			out = append(out, qu)
		}
	}
	return out, nil
}

// dayOffers returns a raid day's quests: the frozen row when the day has one,
// otherwise what pickOffers chooses now (read-only: renderers use it).
func dayOffers(ctx context.Context, idb bun.IDB, r raid, day localDay) ([]quest, error) {
	var keys []string
	err := idb.QueryRowContext(ctx, `SELECT quest_keys FROM raid_offers WHERE raid_id = ? AND day = ?`,
		r.ID, string(day)).Scan(pgdialect.Array(&keys))
	switch {
	case err == nil:
		return quests(ctx, idb, keys)
	case !db.IsNoRows(err):
		return nil, fmt.Errorf("raid: read offers: %w", err)
	}
	all, err := quests(ctx, idb, nil)
	if err != nil {
		return nil, err
	}
	return pickOffers(r.ID, day, all, r.OffersPerDay), nil
}

// ensureOffers freezes a raid day's offers (the first writer wins; a
// concurrent one reads the winner's) and returns them.
func ensureOffers(ctx context.Context, tx bun.Tx, r raid, day localDay) ([]quest, error) {
	all, err := quests(ctx, tx, nil)
	if err != nil {
		return nil, err
	}
	if len(all) == 0 {
		return nil, errNoQuests
	}
	picked := pickOffers(r.ID, day, all, r.OffersPerDay)
	keys := make([]string, len(picked))
	for i, q := range picked {
		keys[i] = q.Key
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO raid_offers (raid_id, day, quest_keys) VALUES (?, ?, ?)
		ON CONFLICT (raid_id, day) DO NOTHING`, r.ID, string(day), pgdialect.Array(keys)); err != nil {
		return nil, fmt.Errorf("raid: freeze offers: %w", err)
	}
	return dayOffers(ctx, tx, r, day)
}
