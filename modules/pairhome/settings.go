package pairhome

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
)

// GuildConfig returns pairhome's settings for a guild.
func (s *service) GuildConfig(ctx context.Context, guildID uint64) (guildConfig, error) {
	return loadConfig(ctx, s.DB.Bun, guildID)
}

// updateConfig changes pairhome's settings of a guild and returns them as
// stored. The read, the change and the write happen in one transaction
// holding the guild's settings row, so two staff members changing two
// options at once both get their way (issue #19). A change of moderator
// access is applied to every active room by the room job.
func (s *service) updateConfig(ctx context.Context, guildID, by uint64, change func(*guildConfig)) (guildConfig, error) {
	var out guildConfig
	err := s.DB.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		old, err := lockConfig(ctx, tx, guildID)
		if err != nil {
			return err
		}
		c := old
		change(&c)
		if c.ArchiveMode != archiveReadOnly && c.ArchiveMode != archiveDelete {
			return fmt.Errorf("pairhome: archive mode %q: want %q or %q", c.ArchiveMode, archiveReadOnly, archiveDelete)
		}
		if err := saveConfig(ctx, tx, guildID, by, c); err != nil {
			return err
		}
		out = c
		if old.ModeratorAccess == c.ModeratorAccess {
			return nil
		}
		rows, err := activePairs(ctx, tx, guildID)
		if err != nil {
			return err
		}
		for _, r := range rows {
			if err := s.enqueue(ctx, tx, roomArgs{GuildID: guildID, PairID: r.ID}); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}
