package pairhome_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/together-bot/together/core/apptest"
	"github.com/together-bot/together/core/module"
	"github.com/together-bot/together/modules/pairhome"
)

// TestE2EModeratorAccessThroughConfig: the guild opts moderators into pair
// rooms with /config, as the issue asks; bad values change nothing.
func TestE2EModeratorAccessThroughConfig(t *testing.T) {
	t.Parallel()
	h := apptest.Start(t, apptest.Options{Modules: []module.Descriptor{pairhome.Descriptor}})
	admin := h.Guild.AdminID
	say := func(command string, opts map[string]any) string {
		return apptest.ReplyText(h.Command(admin, command, opts))
	}
	if got := say("config setting", map[string]any{"name": "pairhome.moderator_access", "value": "maybe"}); !strings.Contains(got, "Use one of: off, on") {
		t.Fatalf("bad value: %q", got)
	}
	if got := say("config setting", map[string]any{"name": "pairhome.moderator_access", "value": "on"}); !strings.Contains(got, "Moderators can see pair rooms: on") {
		t.Fatalf("set: %q", got)
	}
	if got := say("config show", nil); !strings.Contains(got, "(`pairhome.moderator_access`): on") || !strings.Contains(got, "(`pairhome.archive_mode`): readonly") {
		t.Fatalf("show: %q", got)
	}
	guildID, _ := strconv.ParseUint(h.Guild.GuildID, 10, 64)
	var access bool
	if err := h.DB.Pool.QueryRow(context.Background(), `SELECT moderator_access FROM pairhome_settings WHERE guild_id = $1`, guildID).Scan(&access); err != nil || !access {
		t.Fatalf("stored: %v %v", access, err)
	}
}
