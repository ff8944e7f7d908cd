package pairhome

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/guild"
	"github.com/together-bot/together/modules/pairhome/pairhomeapi"
	"github.com/uptrace/bun"
)

// pairRow is one pairhome_pairs row. Only this file reads or writes the table.
type pairRow struct {
	bun.BaseModel `bun:"table:pairhome_pairs"`

	ID               int64      `bun:"id,pk,autoincrement"`
	GuildID          int64      `bun:"guild_id"`
	UserLow          int64      `bun:"user_low"`
	UserHigh         int64      `bun:"user_high"`
	Status           string     `bun:"status"`
	RoomState        string     `bun:"room_state"`
	ChannelID        *int64     `bun:"channel_id"`
	RoomName         string     `bun:"room_name"`
	RoomError        *string    `bun:"room_error"`
	ArchiveReason    *string    `bun:"archive_reason"`
	CreatedBy        *int64     `bun:"created_by"`
	CreatedAt        time.Time  `bun:"created_at"`
	ArchivedAt       *time.Time `bun:"archived_at"`
	ArchivedBy       *int64     `bun:"archived_by"`
	MembersCheckedAt *time.Time `bun:"members_checked_at"`
}

func (r pairRow) ref() pairRef {
	p := pairRef{Pair: pairhomeapi.Pair{
		ID: r.ID, GuildID: uint64(r.GuildID), Members: [2]uint64{uint64(r.UserLow), uint64(r.UserHigh)},
		Active: r.Status == statusActive, CreatedAt: r.CreatedAt,
	}, RoomState: r.RoomState}
	if r.ChannelID != nil {
		p.ChannelID = uint64(*r.ChannelID)
	}
	return p
}

func loadPair(ctx context.Context, idb bun.IDB, pairID int64) (pairRow, error) {
	var r pairRow
	err := idb.NewSelect().Model(&r).Where("id = ?", pairID).Scan(ctx)
	if db.IsNoRows(err) {
		return r, pairhomeapi.ErrNoPair
	}
	if err != nil {
		return r, fmt.Errorf("pairhome: load pair %d: %w", pairID, err)
	}
	return r, nil
}

// lockPair loads a pair FOR UPDATE inside a transaction.
func lockPair(ctx context.Context, tx bun.Tx, pairID int64) (pairRow, error) {
	var r pairRow
	err := tx.NewSelect().Model(&r).Where("id = ?", pairID).For("UPDATE").Scan(ctx)
	if db.IsNoRows(err) {
		return r, pairhomeapi.ErrNoPair
	}
	if err != nil {
		return r, fmt.Errorf("pairhome: lock pair %d: %w", pairID, err)
	}
	return r, nil
}

// lockFound locks, for the rest of tx, the pair a lookup returned (r,
// err) and reads it again. A lookup that found none is not an error here:
// found is false.
func lockFound(ctx context.Context, tx bun.Tx, r pairRow, err error) (_ pairRow, found bool, _ error) {
	if errors.Is(err, pairhomeapi.ErrNoPair) {
		return pairRow{}, false, nil
	}
	if err != nil {
		return pairRow{}, false, err
	}
	if r, err = lockPair(ctx, tx, r.ID); err != nil {
		return pairRow{}, false, err
	}
	return r, true, nil
}

// activePairOf finds the active pair of a member through pairhome_members.
func activePairOf(ctx context.Context, idb bun.IDB, guildID, userID uint64) (pairRow, error) {
	var r pairRow
	err := idb.NewSelect().Model(&r).
		Where("id = (SELECT pair_id FROM pairhome_members WHERE guild_id = ? AND user_id = ?)", int64(guildID), int64(userID)).
		Scan(ctx)
	if db.IsNoRows(err) {
		return r, pairhomeapi.ErrNoPair
	}
	if err != nil {
		return r, fmt.Errorf("pairhome: pair of user %d: %w", userID, err)
	}
	return r, nil
}

func activePairs(ctx context.Context, idb bun.IDB, guildID uint64) ([]pairRow, error) {
	var rows []pairRow
	err := idb.NewSelect().Model(&rows).Where("guild_id = ? AND status = ?", int64(guildID), statusActive).
		Order("id").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("pairhome: active pairs of guild %d: %w", guildID, err)
	}
	return rows, nil
}

// pairByChannel finds the pair whose room is channelID (any status).
func pairByChannel(ctx context.Context, idb bun.IDB, channelID uint64) (pairRow, error) {
	var r pairRow
	err := idb.NewSelect().Model(&r).Where("channel_id = ?", int64(channelID)).Scan(ctx)
	if db.IsNoRows(err) {
		return r, pairhomeapi.ErrNoPair
	}
	if err != nil {
		return r, fmt.Errorf("pairhome: pair of channel %d: %w", channelID, err)
	}
	return r, nil
}

// insertPair writes the pair and its two membership rows. A unique
// violation on pairhome_members means a member was paired concurrently.
func insertPair(ctx context.Context, tx bun.Tx, r *pairRow) error {
	if _, err := tx.NewInsert().Model(r).
		Column("guild_id", "user_low", "user_high", "room_name", "created_by").
		Returning("id, status, room_state, created_at").Exec(ctx); err != nil {
		return fmt.Errorf("pairhome: insert pair: %w", err)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO pairhome_members (guild_id, user_id, pair_id) VALUES (?, ?, ?), (?, ?, ?)`,
		r.GuildID, r.UserLow, r.ID, r.GuildID, r.UserHigh, r.ID)
	if err != nil {
		return fmt.Errorf("pairhome: insert members: %w", err)
	}
	return nil
}

// archivePair marks an active pair archived and frees its members. It
// reports false when the pair was not active (already archived).
func archivePair(ctx context.Context, tx bun.Tx, pairID int64, reason string, by uint64) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE pairhome_pairs SET status = 'archived', archive_reason = ?,
		archived_at = now(), archived_by = ? WHERE id = ? AND status = 'active'`, reason, nullID(by), pairID)
	if err != nil {
		return false, fmt.Errorf("pairhome: archive pair %d: %w", pairID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM pairhome_members WHERE pair_id = ?`, pairID); err != nil {
		return false, fmt.Errorf("pairhome: free members of pair %d: %w", pairID, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM pairhome_dissolve_consents WHERE pair_id = ?`, pairID); err != nil {
		return false, fmt.Errorf("pairhome: clear consents of pair %d: %w", pairID, err)
	}
	return true, nil
}

// recordRoom stores the channel the room job created or adopted. It
// succeeds only if no other channel was recorded meanwhile, and returns the
// pair's status so the caller can archive a room that arrived late.
func recordRoom(ctx context.Context, tx bun.Tx, pairID int64, channelID uint64) (status string, ok bool, err error) {
	err = tx.QueryRowContext(ctx, `UPDATE pairhome_pairs SET channel_id = ?, room_state = 'ready', room_error = NULL
		WHERE id = ? AND (channel_id IS NULL OR channel_id = ?) RETURNING status`,
		int64(channelID), pairID, int64(channelID)).Scan(&status)
	if db.IsNoRows(err) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("pairhome: record room of pair %d: %w", pairID, err)
	}
	return status, true, nil
}

// forgetRoom resets an active pair whose room was deleted by hand to pending.
func forgetRoom(ctx context.Context, tx bun.Tx, pairID int64, channelID uint64) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE pairhome_pairs SET channel_id = NULL, room_state = 'pending'
		WHERE id = ? AND channel_id = ? AND status = 'active'`, pairID, int64(channelID))
	if err != nil {
		return false, fmt.Errorf("pairhome: forget room of pair %d: %w", pairID, err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// setRoomState finishes the archive of a room. "deleted" always clears the
// channel id, so a channel recorded later is never mistaken for handled.
func setRoomState(ctx context.Context, tx bun.Tx, pairID int64, channelID uint64, state string) error {
	q := `UPDATE pairhome_pairs SET room_state = ?, room_error = NULL WHERE id = ? AND channel_id = ?`
	args := []any{state, pairID, int64(channelID)}
	if state == roomDeleted {
		q = `UPDATE pairhome_pairs SET room_state = 'deleted', channel_id = NULL, room_error = NULL
			WHERE id = ? AND channel_id IS NOT DISTINCT FROM ?`
		args = []any{pairID, nullID(channelID)}
	}
	if _, err := tx.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("pairhome: set room state of pair %d: %w", pairID, err)
	}
	return nil
}

func setRoomError(ctx context.Context, idb bun.IDB, pairID int64, reason string) error {
	_, err := idb.ExecContext(ctx, `UPDATE pairhome_pairs SET room_error = nullif(?, '') WHERE id = ?`, reason, pairID)
	if err != nil {
		return fmt.Errorf("pairhome: record room error of pair %d: %w", pairID, err)
	}
	return nil
}

// guildConfig is pairhome's own per-guild settings.
type guildConfig struct {
	ModeratorAccess bool
	ArchiveMode     string
}

func loadConfig(ctx context.Context, idb bun.IDB, guildID uint64) (guildConfig, error) {
	c := guildConfig{ArchiveMode: archiveReadOnly}
	err := idb.QueryRowContext(ctx, `SELECT moderator_access, archive_mode FROM pairhome_settings WHERE guild_id = ?`,
		int64(guildID)).Scan(&c.ModeratorAccess, &c.ArchiveMode)
	if err != nil && !db.IsNoRows(err) {
		return c, fmt.Errorf("pairhome: settings of guild %d: %w", guildID, err)
	}
	return c, nil
}

// lockConfig reads a guild's settings and locks its row until tx ends,
// creating the row with the defaults first so there is one to lock.
func lockConfig(ctx context.Context, tx bun.Tx, guildID uint64) (guildConfig, error) {
	if _, err := tx.ExecContext(ctx, `INSERT INTO pairhome_settings (guild_id) VALUES (?) ON CONFLICT (guild_id) DO NOTHING`,
		int64(guildID)); err != nil {
		return guildConfig{}, fmt.Errorf("pairhome: settings row of guild %d: %w", guildID, err)
	}
	var c guildConfig
	err := tx.QueryRowContext(ctx, `SELECT moderator_access, archive_mode FROM pairhome_settings WHERE guild_id = ? FOR UPDATE`,
		int64(guildID)).Scan(&c.ModeratorAccess, &c.ArchiveMode)
	if err != nil {
		return c, fmt.Errorf("pairhome: lock settings of guild %d: %w", guildID, err)
	}
	return c, nil
}

func saveConfig(ctx context.Context, tx bun.Tx, guildID, by uint64, c guildConfig) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO pairhome_settings (guild_id, moderator_access, archive_mode, updated_by)
		VALUES (?, ?, ?, ?) ON CONFLICT (guild_id) DO UPDATE SET moderator_access = EXCLUDED.moderator_access,
		archive_mode = EXCLUDED.archive_mode, updated_at = now(), updated_by = EXCLUDED.updated_by`,
		int64(guildID), c.ModeratorAccess, c.ArchiveMode, nullID(by))
	if err != nil {
		return fmt.Errorf("pairhome: save settings of guild %d: %w", guildID, err)
	}
	return nil
}

// addConsent records a member's consent to dissolve and returns how many
// unexpired consents the pair now has.
func addConsent(ctx context.Context, tx bun.Tx, pairID int64, userID uint64, ttl time.Duration) (int, error) {
	if _, err := tx.ExecContext(ctx, `DELETE FROM pairhome_dissolve_consents WHERE pair_id = ? AND expires_at <= now()`, pairID); err != nil {
		return 0, fmt.Errorf("pairhome: expire consents: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO pairhome_dissolve_consents (pair_id, user_id, expires_at)
		VALUES (?, ?, now() + ?::interval) ON CONFLICT (pair_id, user_id) DO UPDATE SET expires_at = EXCLUDED.expires_at`,
		pairID, int64(userID), fmt.Sprintf("%d seconds", int(ttl.Seconds()))); err != nil {
		return 0, fmt.Errorf("pairhome: record consent: %w", err)
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM pairhome_dissolve_consents WHERE pair_id = ?`, pairID).Scan(&n); err != nil {
		return 0, fmt.Errorf("pairhome: count consents: %w", err)
	}
	return n, nil
}

// guildsToReconcile lists guilds with active pairs or rooms still to
// archive, leaving out the guilds that turned pairhome off.
func guildsToReconcile(ctx context.Context, idb bun.IDB, limit int) ([]uint64, error) {
	ids, err := db.Query(ctx, idb, db.Scan[uint64], `SELECT guild_id FROM pairhome_pairs p
		WHERE (status = 'active' OR room_state = 'ready') AND NOT `+guild.ModuleOffCondition("p.guild_id", Name)+`
		GROUP BY guild_id ORDER BY min(coalesce(members_checked_at, 'epoch')), guild_id LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("pairhome: guilds to reconcile: %w", err)
	}
	return ids, nil
}

// pairsToReconcile: active pairs, and archived pairs whose room is not archived yet.
func pairsToReconcile(ctx context.Context, idb bun.IDB, guildID uint64) ([]pairRow, error) {
	var rows []pairRow
	err := idb.NewSelect().Model(&rows).
		Where("guild_id = ? AND (status = 'active' OR room_state = 'ready')", int64(guildID)).
		Order("id").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("pairhome: pairs to reconcile in guild %d: %w", guildID, err)
	}
	return rows, nil
}

// pairsForMemberCheck picks the active pairs checked longest ago.
func pairsForMemberCheck(ctx context.Context, idb bun.IDB, guildID uint64, limit int64) ([]pairRow, error) {
	var rows []pairRow
	err := idb.NewSelect().Model(&rows).Where("guild_id = ? AND status = 'active'", int64(guildID)).
		OrderExpr("members_checked_at NULLS FIRST, id").Limit(limit).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("pairhome: pairs for member check: %w", err)
	}
	return rows, nil
}

func markMembersChecked(ctx context.Context, idb bun.IDB, pairID int64) error {
	_, err := idb.ExecContext(ctx, `UPDATE pairhome_pairs SET members_checked_at = now() WHERE id = ?`, pairID)
	return err
}

// guildsWithSectionsDue lists guilds with an active pair whose sections were
// never recorded or that switched a module since, at most limit.
func guildsWithSectionsDue(ctx context.Context, idb bun.IDB, limit int) ([]uint64, error) {
	// The minute of margin covers a switch committed while the last check
	// was reading the settings: it is looked at once more.
	ids, err := db.Query(ctx, idb, db.Scan[uint64], `SELECT DISTINCT p.guild_id FROM pairhome_pairs p
		LEFT JOIN pairhome_guild_sections s ON s.guild_id = p.guild_id
		WHERE p.status = 'active'
		  AND (s.guild_id IS NULL OR `+guild.ModulesChangedCondition("p.guild_id", "s.updated_at - interval '1 minute'")+`)
		ORDER BY p.guild_id LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("pairhome: guilds with sections due: %w", err)
	}
	return ids, nil
}

// swapSections stores the section set shown in a guild and reports whether
// it changed. It stamps updated_at either way: guildsWithSectionsDue looks
// only at guilds with a module switched since.
func swapSections(ctx context.Context, tx bun.Tx, guildID uint64, modules string) (bool, error) {
	var prev string
	err := tx.QueryRowContext(ctx, `SELECT modules FROM pairhome_guild_sections WHERE guild_id = ? FOR UPDATE`, int64(guildID)).Scan(&prev)
	if err != nil && !db.IsNoRows(err) {
		return false, fmt.Errorf("pairhome: read sections of guild %d: %w", guildID, err)
	}
	if err == nil && prev == modules {
		if _, err := tx.ExecContext(ctx, `UPDATE pairhome_guild_sections SET updated_at = now() WHERE guild_id = ?`, int64(guildID)); err != nil {
			return false, fmt.Errorf("pairhome: stamp sections of guild %d: %w", guildID, err)
		}
		return false, nil
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO pairhome_guild_sections (guild_id, modules) VALUES (?, ?)
		ON CONFLICT (guild_id) DO UPDATE SET modules = EXCLUDED.modules, updated_at = now()`, int64(guildID), modules); err != nil {
		return false, fmt.Errorf("pairhome: store sections of guild %d: %w", guildID, err)
	}
	return true, nil
}

func nullID(id uint64) any {
	if id == 0 {
		return nil
	}
	return int64(id)
}

// roomLease is how long one room job may hold a pair's room: longer than its
// few bounded Discord calls, short enough that a crashed worker's lease
// expires before River's retry backoff grows.
const roomLease = time.Minute

// takeRoomLease claims the pair's room work; ok=false while another worker
// holds an unexpired lease.
func takeRoomLease(ctx context.Context, idb bun.IDB, pairID int64, token string) (bool, error) {
	res, err := idb.ExecContext(ctx, `UPDATE pairhome_pairs SET room_lease_until = clock_timestamp() + ?::interval,
		room_lease_token = ? WHERE id = ? AND (room_lease_until IS NULL OR room_lease_until < clock_timestamp())`,
		fmt.Sprintf("%d seconds", int(roomLease.Seconds())), token, pairID)
	if err != nil {
		return false, fmt.Errorf("pairhome: room lease of pair %d: %w", pairID, err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

func releaseRoomLease(ctx context.Context, idb bun.IDB, pairID int64, token string) error {
	_, err := idb.ExecContext(ctx, `UPDATE pairhome_pairs SET room_lease_until = NULL, room_lease_token = NULL
		WHERE id = ? AND room_lease_token = ?`, pairID, token)
	return err
}
