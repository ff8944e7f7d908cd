package pairhome

import (
	"context"

	"github.com/together-bot/together/core/interaction"
)

// Values of the moderator_access setting.
const (
	accessOn  = "on"
	accessOff = "off"
)

// configSettings are pairhome's options in /config setting: whether the
// guild's moderators can see pair rooms (off by default: rooms are private)
// and what dissolving a pair does to its room.
func configSettings(s *service) []interaction.Setting {
	return []interaction.Setting{
		{Module: Name, Key: "moderator_access", NameKey: "pairhome.setting.moderator_access", Values: []string{accessOff, accessOn},
			Get: func(ctx context.Context, guildID uint64) (string, error) {
				c, err := s.GuildConfig(ctx, guildID)
				if c.ModeratorAccess {
					return accessOn, err
				}
				return accessOff, err
			},
			Set: func(ctx context.Context, guildID, by uint64, v string) error {
				_, err := s.updateConfig(ctx, guildID, by, func(c *guildConfig) { c.ModeratorAccess = v == accessOn })
				return err
			}},
		{Module: Name, Key: "archive_mode", NameKey: "pairhome.setting.archive_mode", Values: []string{archiveReadOnly, archiveDelete},
			Get: func(ctx context.Context, guildID uint64) (string, error) {
				c, err := s.GuildConfig(ctx, guildID)
				return c.ArchiveMode, err
			},
			Set: func(ctx context.Context, guildID, by uint64, v string) error {
				_, err := s.updateConfig(ctx, guildID, by, func(c *guildConfig) { c.ArchiveMode = v })
				return err
			}},
	}
}
