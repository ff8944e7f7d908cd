package commands_test

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/disgo/rest"
	"github.com/disgoorg/omit"
	"github.com/disgoorg/snowflake/v2"

	"github.com/together-bot/together/core/db/dbtest"
	"github.com/together-bot/together/core/interaction/commands"
	"github.com/together-bot/together/discordsim"
)

func sim(t *testing.T) (rest.Rest, snowflake.ID) {
	c, app, _ := simServer(t)
	return c, app
}

func simServer(t *testing.T) (rest.Rest, snowflake.ID, *discordsim.Server) {
	t.Helper()
	srv, err := discordsim.New(discordsim.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(""); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	client := rest.New(rest.NewClient(srv.Token(), rest.WithURL(srv.APIURL())))
	t.Cleanup(func() { client.Close(context.Background()) })
	return client, snowflake.MustParse(srv.AppID()), srv
}

func defs(desc string) []discord.ApplicationCommandCreate {
	return []discord.ApplicationCommandCreate{
		discord.SlashCommandCreate{
			Name: "config", Description: "Server settings",
			DescriptionLocalizations: map[discord.Locale]string{discord.LocaleRussian: "Настройки сервера"},
			DefaultMemberPermissions: omit.NewPtr(discord.PermissionManageGuild),
			Contexts:                 []discord.InteractionContextType{discord.InteractionContextTypeGuild},
			Options: []discord.ApplicationCommandOption{
				discord.ApplicationCommandOptionSubCommand{Name: "show", Description: "Show settings"},
				discord.ApplicationCommandOptionSubCommand{Name: "locale", Description: "Language", Options: []discord.ApplicationCommandOption{
					discord.ApplicationCommandOptionString{Name: "value", Description: "Language", Required: true,
						Choices: []discord.ApplicationCommandOptionChoiceString{{Name: "English", Value: "en"}, {Name: "Русский", Value: "ru"}}},
				}},
			},
		},
		discord.SlashCommandCreate{Name: "duel", Description: desc,
			Contexts: []discord.InteractionContextType{discord.InteractionContextTypeGuild}},
	}
}

func TestSyncWritesOnlyWhenDifferent(t *testing.T) {
	t.Parallel()
	client, app := sim(t)
	ctx := context.Background()
	d, err := commands.Sync(ctx, client, app, nil, defs("Duels"))
	if err != nil {
		t.Fatal(err)
	}
	if !d.Written || len(d.Added) != 2 {
		t.Fatalf("first sync: %+v", d)
	}
	d, err = commands.Sync(ctx, client, app, nil, defs("Duels"))
	if err != nil {
		t.Fatal(err)
	}
	if d.Written || !d.Empty() || d.Unchanged != 2 {
		t.Fatalf("second sync should be a no-op: %+v (%s)", d, d)
	}
	d, err = commands.Sync(ctx, client, app, nil, defs("Duels between pairs"))
	if err != nil {
		t.Fatal(err)
	}
	if !d.Written || len(d.Changed) != 1 || d.Changed[0] != "/duel" {
		t.Fatalf("changed description: %+v", d)
	}
	d, err = commands.Sync(ctx, client, app, nil, defs("Duels between pairs")[:1])
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Removed) != 1 || d.Removed[0] != "/duel" {
		t.Fatalf("removed: %+v", d)
	}
}

func TestSyncIfChangedSkipsWhenHashMatches(t *testing.T) {
	t.Parallel()
	client, app, srv := simServer(t)
	db := dbtest.New(t)
	ctx := context.Background()
	gid, err := srv.CreateGuild("g")
	if err != nil {
		t.Fatal(err)
	}
	g := snowflake.MustParse(gid)
	_, synced, err := commands.SyncIfChanged(ctx, db, client, "http://discord.test/api/v10", app, &g, defs("x"))
	if err != nil || !synced {
		t.Fatalf("first: synced=%v err=%v", synced, err)
	}
	_, synced, err = commands.SyncIfChanged(ctx, db, client, "http://discord.test/api/v10", app, &g, defs("x"))
	if err != nil || synced {
		t.Fatalf("unchanged: synced=%v err=%v", synced, err)
	}
	_, synced, err = commands.SyncIfChanged(ctx, db, client, "http://discord.test/api/v10", app, &g, defs("y"))
	if err != nil || !synced {
		t.Fatalf("changed: synced=%v err=%v", synced, err)
	}
	// Another API (a fresh emulator, a proxy) holds its own commands.
	_, synced, err = commands.SyncIfChanged(ctx, db, client, "http://127.0.0.1:7000/api/v10", app, &g, defs("y"))
	if err != nil || !synced {
		t.Fatalf("other endpoint: synced=%v err=%v", synced, err)
	}
}

func TestHashOrderIndependent(t *testing.T) {
	a := defs("x")
	b := []discord.ApplicationCommandCreate{a[1], a[0]}
	ha, _ := commands.Hash(a)
	hb, _ := commands.Hash(b)
	hc, _ := commands.Hash(defs("y"))
	if ha != hb || ha == hc {
		t.Fatal("hash must ignore order and see changes")
	}
}

// Nested changes count: dropping "required" from an option is a change even
// though the new definition simply omits the field.
func TestSyncSeesNestedOptionChanges(t *testing.T) {
	t.Parallel()
	client, app := sim(t)
	ctx := context.Background()
	if _, err := commands.Sync(ctx, client, app, nil, defs("x")); err != nil {
		t.Fatal(err)
	}
	changed := defs("x")
	cfg := changed[0].(discord.SlashCommandCreate)
	sub := cfg.Options[1].(discord.ApplicationCommandOptionSubCommand)
	opt := sub.Options[0].(discord.ApplicationCommandOptionString)
	opt.Required = false
	sub.Options = []discord.ApplicationCommandOption{opt}
	cfg.Options = []discord.ApplicationCommandOption{cfg.Options[0], sub}
	changed[0] = cfg
	d, err := commands.Sync(ctx, client, app, nil, changed)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Changed) != 1 || d.Changed[0] != "/config" {
		t.Fatalf("diff %+v", d)
	}
	if d, _ := commands.Sync(ctx, client, app, nil, changed); !d.Empty() {
		t.Fatalf("after writing, still different: %s", d)
	}
}
