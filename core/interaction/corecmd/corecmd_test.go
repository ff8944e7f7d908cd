package corecmd

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/snowflake/v2"

	"github.com/together-bot/together/core/customid"
	"github.com/together-bot/together/core/guild"
	"github.com/together-bot/together/core/i18n"
	"github.com/together-bot/together/core/i18n/i18ntest"
	"github.com/together-bot/together/core/interaction"
)

func TestCatalogsComplete(t *testing.T) {
	i18ntest.RequireComplete(t, Catalog, interaction.Catalog)
}

// Every "core.*" key written in this package or the router exists.
func TestKeysUsedExist(t *testing.T) {
	b, err := i18n.NewBundle(nil, Catalog, interaction.Catalog)
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`"(core\.[a-z_.]+[a-z_])"`)
	var keys []string
	for _, dir := range []string{".", ".."} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, f := range files {
			if filepath.Base(f) == "catalog.go" || regexp.MustCompile(`_test\.go$`).MatchString(f) {
				continue
			}
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range re.FindAllStringSubmatch(string(src), -1) {
				if m[1] == "core.sweep" { // a job kind and schedule name, not a text
					continue
				}
				keys = append(keys, m[1])
			}
		}
	}
	if len(keys) < 20 {
		t.Fatalf("found only %d keys; is the scan broken?", len(keys))
	}
	i18ntest.RequireKeys(t, b, keys...)
}

func TestChannelPermissions(t *testing.T) {
	const g, botRole, other, bot = snowflake.ID(1), snowflake.ID(2), snowflake.ID(3), snowflake.ID(9)
	view, send, embed := discord.PermissionViewChannel, discord.PermissionSendMessages, discord.PermissionEmbedLinks
	roles := []discord.Role{{ID: g, Permissions: view}, {ID: botRole, Permissions: send | embed}, {ID: other, Permissions: discord.PermissionAdministrator}}
	ow := func(list ...discord.PermissionOverwrite) discord.PermissionOverwrites { return list }
	cases := []struct {
		name   string
		mroles []snowflake.ID
		ows    discord.PermissionOverwrites
		want   discord.Permissions
	}{
		{"roles only", []snowflake.ID{botRole}, nil, view | send | embed},
		{"everyone deny", []snowflake.ID{botRole}, ow(discord.RolePermissionOverwrite{RoleID: g, Deny: send}), view | embed},
		{"role allow beats everyone deny", []snowflake.ID{botRole},
			ow(discord.RolePermissionOverwrite{RoleID: g, Deny: send}, discord.RolePermissionOverwrite{RoleID: botRole, Allow: send}), view | send | embed},
		{"member deny last", []snowflake.ID{botRole},
			ow(discord.RolePermissionOverwrite{RoleID: botRole, Allow: send}, discord.MemberPermissionOverwrite{UserID: bot, Deny: view}), send | embed},
		{"admin ignores overwrites", []snowflake.ID{other}, ow(discord.RolePermissionOverwrite{RoleID: g, Deny: view}), discord.PermissionsAll},
	}
	for _, c := range cases {
		if got := channelPermissions(g, roles, bot, c.mroles, c.ows); got != c.want {
			t.Errorf("%s: got %s want %s", c.name, got, c.want)
		}
	}
}

func TestSetupPaging(t *testing.T) {
	ps := make([]guild.ChannelPurpose, 11)
	for i := range ps {
		ps[i] = guild.ChannelPurpose{Module: "m", Key: string(rune('a' + i))}
	}
	cases := []struct{ n, pages int }{{0, 1}, {2, 1}, {3, 2}, {6, 2}, {7, 3}, {11, 4}}
	for _, c := range cases {
		if got := pageCount(c.n); got != c.pages {
			t.Errorf("pageCount(%d) = %d want %d", c.n, got, c.pages)
		}
		seen := 0
		for p := 0; p < c.pages; p++ {
			seen += len(pageSlice(ps[:c.n], p))
		}
		if seen != c.n {
			t.Errorf("n=%d: pages cover %d purposes", c.n, seen)
		}
	}
	if len(pageSlice(ps, 0)) != firstPageChannels || len(pageSlice(ps, 1)) != perPage {
		t.Fatal("page sizes")
	}
}

// The /setup checklist's ids, as setupView builds them on every page, pass
// the arguments their components declare; a page outside them or a purpose
// no module declares is refused as out of date.
func TestSetupComponentsDeclareTheirIDs(t *testing.T) {
	ps := make([]guild.ChannelPurpose, 7) // three pages
	for i := range ps {
		ps[i] = guild.ChannelPurpose{Module: "m", Key: string(rune('a' + i))}
	}
	svc, err := guild.NewService(nil, nil, ps)
	if err != nil {
		t.Fatal(err)
	}
	declared := map[string][]customid.Arg{}
	for _, comp := range (&Core{guilds: svc}).Components() {
		declared[comp.Action] = comp.Args
	}
	accepts := func(action string, args ...string) bool {
		id, err := customid.Parse(customid.MustNew(mod, action, args...))
		if err != nil {
			t.Fatal(err)
		}
		return customid.CheckArgs(id, declared[action]) == nil
	}
	pages := pageCount(len(ps))
	for page := range pages {
		// The paging buttons name page-1 and page+1.
		if !accepts(actSetupPage, strconv.Itoa(page-1)) || !accepts(actSetupPage, strconv.Itoa(page+1)) {
			t.Fatalf("page %d refused", page)
		}
		for _, p := range pageSlice(svc.Purposes(), page) {
			if !accepts(actSetupChannel, p.ID(), strconv.Itoa(page)) {
				t.Fatalf("channel select of %s on page %d refused", p.ID(), page)
			}
		}
	}
	for name, ok := range map[string]bool{
		"page past the last":  accepts(actSetupPage, strconv.Itoa(pages+1)),
		"negative page":       accepts(actSetupPage, "-2"),
		"unknown purpose":     accepts(actSetupChannel, "gone.rooms", "0"),
		"role select with id": accepts(actSetupRole, "1"),
		"test button":         !accepts(actSetupTest),
	} {
		if ok {
			t.Errorf("%s accepted", name)
		}
	}
}
