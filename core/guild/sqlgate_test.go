package guild_test

import (
	"context"
	"testing"

	"github.com/together-bot/together/core/db/dbtest"
	"github.com/together-bot/together/core/db/migrate"
	"github.com/together-bot/together/core/guild"
	"github.com/together-bot/together/migrations"
)

func TestModuleOffCondition(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t, migrate.Source{Module: "core", FS: migrations.FS})
	ctx := context.Background()
	if _, err := d.Pool.Exec(ctx, `INSERT INTO core_guild_modules (guild_id, module, enabled) VALUES (1, 'duel', false), (2, 'duel', true)`); err != nil {
		t.Fatal(err)
	}
	for guildID, want := range map[int64]bool{1: true, 2: false, 3: false} {
		var off bool
		if err := d.Pool.QueryRow(ctx, `SELECT `+guild.ModuleOffCondition("$1", "duel"), guildID).Scan(&off); err != nil {
			t.Fatal(err)
		}
		if off != want {
			t.Errorf("guild %d: off=%v, want %v", guildID, off, want)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("a module name with SQL in it was accepted")
		}
	}()
	guild.ModuleOffCondition("$1", "x' OR true --")
}
