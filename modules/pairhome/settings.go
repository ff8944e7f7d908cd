package pairhome

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
)

// GuildConfig returns pairhome's settings for a guild.
func (s *Service) GuildConfig(ctx context.Context, guildID uint64) (GuildConfig, error) {
	return loadConfig(ctx, s.db.Bun, guildID)
}

// SetGuildConfig stores the settings; a change of moderator access is
// applied to every active room by the room job.
func (s *Service) SetGuildConfig(ctx context.Context, guildID, by uint64, c GuildConfig) error {
	if c.ArchiveMode != ArchiveReadOnly && c.ArchiveMode != ArchiveDelete {
		return fmt.Errorf("pairhome: archive mode %q: want %q or %q", c.ArchiveMode, ArchiveReadOnly, ArchiveDelete)
	}
	return s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		old, err := loadConfig(ctx, tx, guildID)
		if err != nil {
			return err
		}
		if err := saveConfig(ctx, tx, guildID, by, c); err != nil {
			return err
		}
		if old.ModeratorAccess == c.ModeratorAccess {
			return nil
		}
		rows, err := activePairs(ctx, tx, guildID)
		if err != nil {
			return err
		}
		for _, r := range rows {
			if err := s.enqueue(ctx, tx, RoomArgs{GuildID: guildID, PairID: r.ID}); err != nil {
				return err
			}
		}
		return nil
	})
}
