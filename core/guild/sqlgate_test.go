package guild_test

import (
	"context"
	"testing"

	"github.com/together-bot/together/core/db/dbtest"
	"github.com/together-bot/together/core/guild"
)

func TestModuleOffCondition(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t)
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

func TestGuildsWithChannel(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t)
	s, err := guild.NewService(d, nil, []guild.ChannelPurpose{{Module: "oracle", Key: "channel", NameKey: "oracle.purpose", Kind: guild.Text}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for g, ch := range map[uint64]uint64{1: 11, 2: 22, 3: 33} {
		if err := s.SetChannel(ctx, g, 0, "oracle.channel", ch); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SetModule(ctx, 2, 0, "oracle", false); err != nil {
		t.Fatal(err)
	}
	got, err := s.GuildsWithChannel(ctx, "oracle", "channel")
	if err != nil {
		t.Fatal(err)
	}
	want := []guild.GuildChannel{{GuildID: 1, ChannelID: 11}, {GuildID: 3, ChannelID: 33}}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("got %+v, want %+v", got, want)
	}
}
