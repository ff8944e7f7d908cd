package pairhome

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/disgoorg/disgo/rest"
	"github.com/uptrace/bun"

	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/db/dbtest"
	"github.com/together-bot/together/core/guild"
	"github.com/together-bot/together/core/i18n"
	"github.com/together-bot/together/core/interaction"
	"github.com/together-bot/together/core/module/modcore"
	"github.com/together-bot/together/core/moduletest"
	"github.com/together-bot/together/core/projection"
	"github.com/together-bot/together/core/queue"
	"github.com/together-bot/together/discordsim"
	"github.com/together-bot/together/modules/pairhome/migrations"
	"github.com/together-bot/together/modules/pairhome/pairhomeapi"
)

// quiet discards logs unless PAIRHOME_TEST_LOG is set.
var quiet = moduletest.Logger("PAIRHOME_TEST_LOG")

// env is one emulated guild with a pair category, members and a moderator
// role, plus a database, the core services pairhome plugs into, and a
// running queue.
type env struct {
	t        testing.TB
	ctx      context.Context
	sim      *discordsim.Server
	db       *db.DB
	guilds   *guild.Service
	bundle   *i18n.Bundle
	proj     *projection.Service
	svc      *service
	q        *queue.Runner
	rest     rest.Rest
	guild    uint64
	category uint64
	modRole  uint64
	// Members by name: anna, boris (Cyrillic display names), carol, dave, mod, bot.
	users map[string]uint64
}

type envOptions struct {
	sections []pairhomeapi.Section
	// noQueue leaves jobs to the test (it calls EnsureRoom etc. itself).
	noQueue bool
}

func newEnv(t testing.TB, o envOptions) *env {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	g := moduletest.NewGuild(t, discordsim.Options{Logger: quiet}, "pairs")
	sim := g.Sim
	e := &env{t: t, ctx: ctx, sim: sim, users: map[string]uint64{}, guild: g.ID}
	e.category = g.Channel(discordsim.ChannelSpec{Name: "Pairs", Type: discordsim.ChannelGuildCategory})
	e.modRole = g.Role("Moderators", discordsim.PermManageMessages)
	for _, m := range []struct {
		key  string
		spec discordsim.MemberSpec
	}{
		{"anna", discordsim.MemberSpec{Username: "Анна Каренина"}},
		{"boris", discordsim.MemberSpec{Username: "Борис"}},
		{"carol", discordsim.MemberSpec{Username: "carol"}},
		{"dave", discordsim.MemberSpec{Username: "dave"}},
		{"mod", discordsim.MemberSpec{Username: "mod", RoleIDs: []string{str(e.modRole)}}},
		{"admin", discordsim.MemberSpec{Username: "admin", Admin: true}},
		{"bot", discordsim.MemberSpec{Username: "otherbot", Bot: true}},
	} {
		e.users[m.key] = g.Member(m.spec)
	}

	c := moduletest.NewCore(t, moduletest.CoreOptions{Module: Name, Migrations: migrations.FS,
		Catalogs: []i18n.Catalog{interaction.Catalog, catalog}, Purposes: []guild.ChannelPurpose{categoryPurpose}, Logger: quiet})
	e.db, e.guilds, e.bundle = c.DB, c.Guilds, c.Bundle
	if err := e.guilds.SetChannel(ctx, e.guild, 0, categoryPurpose.ID(), e.category); err != nil {
		t.Fatal(err)
	}
	if err := e.guilds.SetModeratorRole(ctx, e.guild, 0, e.modRole); err != nil {
		t.Fatal(err)
	}
	e.rest = g.Rest(quiet)
	sections := newSectionSet(o.sections)
	e.proj = c.Projection(t, e.rest, newPanel(e.guilds, sections, e.bundle).Renderer())
	var err error
	e.svc, err = newService(serviceConfig{Core: modcore.Core{DB: e.db, Queue: c.Queue, Projections: e.proj, Guilds: e.guilds, Rest: e.rest,
		Bundle: e.bundle, Logger: quiet}, BotUserID: moduletest.ID(t, sim.BotUserID()), Sections: sections})
	if err != nil {
		t.Fatal(err)
	}
	if botUserIDFromToken(sim.Token()) != moduletest.ID(t, sim.BotUserID()) {
		t.Fatalf("botUserIDFromToken(%q) = %d, want %s", sim.Token(), botUserIDFromToken(sim.Token()), sim.BotUserID())
	}
	if !o.noQueue {
		e.startQueue()
	}
	return e
}

// startQueue runs pairhome's and the projection's workers (a bot process).
func (e *env) startQueue() {
	e.t.Helper()
	e.q = moduletest.StartRunner(e.t, queue.Options{DB: e.db, Jobs: append(e.svc.Jobs(), projection.Jobs(e.proj)...),
		Gate: e.guilds, Logger: quiet, Test: true})
}

func str(v uint64) string { return strconv.FormatUint(v, 10) }

// newRoomEnv is an env (with its queue) in which anna and boris are a pair
// whose room exists; it returns the pair and its room.
func newRoomEnv(t testing.TB) (*env, pairRef, uint64) {
	t.Helper()
	e := newEnv(t, envOptions{})
	p := e.mustCreate("anna", "boris")
	return e, p, e.waitRoom(p.ID)
}

// create pairs two members by key as the admin.
func (e *env) create(a, b string) (pairRef, bool, error) {
	return e.svc.Create(e.ctx, createInput{GuildID: e.guild, MemberA: e.users[a], MemberB: e.users[b], By: e.users["admin"],
		NameA: e.name(a), NameB: e.name(b)})
}

func (e *env) name(key string) string {
	switch key {
	case "anna":
		return "Анна Каренина"
	case "boris":
		return "Борис"
	}
	return key
}

func (e *env) mustCreate(a, b string) pairRef {
	e.t.Helper()
	p, _, err := e.create(a, b)
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

// pair re-reads a pair.
func (e *env) pair(id int64) pairRef {
	e.t.Helper()
	r, err := loadPair(e.ctx, e.db.Bun, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return r.ref()
}

// waitRoom waits until the pair's room is recorded and returns its channel id.
func (e *env) waitRoom(pairID int64) uint64 {
	e.t.Helper()
	var ch uint64
	dbtest.WaitUntil(e.t, 20*time.Second, "pair room recorded", func() bool {
		p := e.pair(pairID)
		ch = p.ChannelID
		return p.RoomState == roomReady && ch != 0
	})
	return ch
}

// channels lists the guild's channels in JSON form.
func (e *env) channels() []map[string]any {
	e.t.Helper()
	chs, err := e.sim.Channels(str(e.guild))
	if err != nil {
		e.t.Fatal(err)
	}
	out := make([]map[string]any, len(chs))
	for i, ch := range chs {
		out[i] = norm(ch)
	}
	return out
}

// channel returns one channel in JSON form, nil when it does not exist.
func (e *env) channel(channelID uint64) map[string]any {
	for _, ch := range e.channels() {
		if ch["id"] == str(channelID) {
			return ch
		}
	}
	return nil
}

// roomsOf lists the guild's channels whose topic carries the pair's marker.
func (e *env) roomsOf(pairID int64) []map[string]any {
	e.t.Helper()
	var out []map[string]any
	for _, ch := range e.channels() {
		if topic, _ := ch["topic"].(string); strings.Contains(topic, marker(pairID)) {
			out = append(out, ch)
		}
	}
	return out
}

// panelMessages returns a channel's Components V2 messages (Pair Home panels).
func (e *env) panelMessages(channelID uint64) []map[string]any {
	e.t.Helper()
	ms, err := e.sim.Messages(str(channelID))
	if err != nil {
		return nil
	}
	var out []map[string]any
	for _, m := range ms {
		m := norm(m)
		if f, _ := m["flags"].(float64); int(f)&(1<<15) != 0 {
			out = append(out, m)
		}
	}
	return out
}

// waitPanel waits until exactly one panel exists in the room and cond holds on its JSON text.
func (e *env) waitPanel(channelID uint64, what string, cond func(text string) bool) map[string]any {
	e.t.Helper()
	var got map[string]any
	dbtest.WaitUntil(e.t, 20*time.Second, what, func() bool {
		ps := e.panelMessages(channelID)
		if len(ps) != 1 {
			return false
		}
		got = ps[0]
		return cond(jsonText(got))
	})
	return got
}

// exec runs SQL in the test schema.
func (e *env) exec(q string, args ...any) {
	e.t.Helper()
	if _, err := e.db.Bun.ExecContext(e.ctx, q, args...); err != nil {
		e.t.Fatal(err)
	}
}

// setConfig stores pairhome's guild settings as staff would.
func (e *env) setConfig(c guildConfig) {
	e.t.Helper()
	if _, err := e.svc.updateConfig(e.ctx, e.guild, e.users["admin"], func(cur *guildConfig) { *cur = c }); err != nil {
		e.t.Fatal(err)
	}
}

// inTx runs fn in a transaction (for RequestPanel from "another module").
func (e *env) inTx(fn func(tx bunTx) error) {
	e.t.Helper()
	if err := e.db.InTx(e.ctx, func(_ context.Context, tx bun.Tx) error { return fn(tx) }); err != nil {
		e.t.Fatal(err)
	}
}

// perms computes a non-admin member's permissions in a channel from its
// overwrites, the way Discord does: @everyone, then roles, then the member.
func (e *env) perms(ch map[string]any, userKey string) uint64 {
	e.t.Helper()
	p := discordsim.DefaultEveryonePermissions
	var roles []string
	if userKey == "mod" {
		p |= discordsim.PermManageMessages
		roles = append(roles, str(e.modRole))
	}
	ows, _ := ch["permission_overwrites"].([]any)
	get := func(match func(id string, typ int) bool) (allow, deny uint64) {
		for _, o := range ows {
			o := o.(map[string]any)
			typ := int(o["type"].(float64))
			if match(o["id"].(string), typ) {
				a, _ := strconv.ParseUint(o["allow"].(string), 10, 64)
				d, _ := strconv.ParseUint(o["deny"].(string), 10, 64)
				allow |= a
				deny |= d
			}
		}
		return allow, deny
	}
	a, d := get(func(id string, typ int) bool { return typ == 0 && id == str(e.guild) })
	p = p&^d | a
	a, d = get(func(id string, typ int) bool { return typ == 0 && slices.Contains(roles, id) })
	p = p&^d | a
	a, d = get(func(id string, typ int) bool { return typ == 1 && id == str(e.users[userKey]) })
	p = p&^d | a
	if p&discordsim.PermViewChannel == 0 {
		return 0
	}
	return p
}

func (e *env) canView(ch map[string]any, userKey string) bool {
	return e.perms(ch, userKey)&discordsim.PermViewChannel != 0
}

func (e *env) canSend(ch map[string]any, userKey string) bool {
	return e.perms(ch, userKey)&discordsim.PermSendMessages != 0
}

// botOverwrite returns the allow bits of the bot's member overwrite.
func (e *env) botOverwrite(ch map[string]any) uint64 {
	ows, _ := ch["permission_overwrites"].([]any)
	for _, o := range ows {
		o := o.(map[string]any)
		if o["id"] == e.sim.BotUserID() {
			v, _ := strconv.ParseUint(o["allow"].(string), 10, 64)
			return v
		}
	}
	return 0
}

func (e *env) waitUntilPinned(channelID uint64) {
	e.t.Helper()
	dbtest.WaitUntil(e.t, 10*time.Second, "panel pinned", func() bool {
		for _, m := range e.panelMessages(channelID) {
			if p, _ := m["pinned"].(bool); p {
				return true
			}
		}
		return false
	})
}

// settle waits until no pairhome or projection job is pending.
func (e *env) settle() {
	e.t.Helper()
	dbtest.WaitUntil(e.t, 20*time.Second, "jobs settled", func() bool {
		var n int
		err := e.db.Pool.QueryRow(e.ctx, `SELECT count(*) FROM river_job WHERE queue IN ('pairhome', 'projection')
			AND state IN ('available', 'running', 'retryable', 'scheduled', 'pending')`).Scan(&n)
		return err == nil && n == 0
	})
}

type bunTx = bun.Tx
