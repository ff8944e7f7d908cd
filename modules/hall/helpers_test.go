package hall

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/together-bot/together/core/clocktest"
	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/guild"
	"github.com/together-bot/together/core/i18n"
	"github.com/together-bot/together/core/module"
	"github.com/together-bot/together/core/module/modcore"
	"github.com/together-bot/together/core/moduletest"
	"github.com/together-bot/together/core/projection/projectiontest"
	"github.com/together-bot/together/core/queue"
	"github.com/together-bot/together/modules/hall/hallapi"
	hallmig "github.com/together-bot/together/modules/hall/migrations"
	"github.com/together-bot/together/modules/pairhome/pairhomeapi"
	"github.com/together-bot/together/modules/pairhome/pairhomeapi/pairhometest"
)

var quiet = moduletest.Logger("HALL_TEST_LOG")

const (
	testGuild   uint64 = 111
	hallChannel uint64 = 900
)

// fakePairs is pairhome's shared fake with a shorthand for test pairs.
type fakePairs struct{ pairhometest.Pairs }

func (f *fakePairs) add(id int64, a, b uint64) {
	f.Add(pairhomeapi.Pair{ID: id, GuildID: testGuild, Members: [2]uint64{a, b}})
}

// fakeGuilds is core/guild: a timezone and module switches; the
// deployment's defaults are English and UTC. The hall channel is a row in
// core_guild_channels (newEnv sets it), read through the transaction.
type fakeGuilds struct {
	mu  sync.Mutex
	tz  string
	off map[string]bool
}

func (f *fakeGuilds) Locale(context.Context, uint64) string { return i18n.EN }

func (f *fakeGuilds) Location(ctx context.Context, guildID uint64) *time.Location {
	st, _ := f.Settings(ctx, guildID)
	return st.Location(time.UTC)
}

func (f *fakeGuilds) Settings(_ context.Context, guildID uint64) (guild.Settings, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	mods := map[string]bool{}
	for m, off := range f.off {
		mods[m] = !off
	}
	return guild.Settings{GuildID: guildID, Timezone: f.tz, Modules: mods, Exists: true}, nil
}

// GuildsWithChannel: the tests' guilds are found through their live cards.
func (f *fakeGuilds) GuildsWithChannel(context.Context, string, string) ([]guild.GuildChannel, error) {
	return nil, nil
}

func (f *fakeGuilds) ModuleEnabled(ctx context.Context, module string, guildID uint64) (bool, error) {
	st, _ := f.Settings(ctx, guildID)
	return st.ModuleOn(module), nil
}

func (f *fakeGuilds) set(module string, on bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.off == nil {
		f.off = map[string]bool{}
	}
	f.off[module] = !on
}

// ledger is a contributing module's data: points per pair at a moment.
type ledger struct {
	mu     sync.Mutex
	events []event
}

type event struct {
	pair   int64
	at     time.Time
	points int
}

func (l *ledger) add(pair int64, at time.Time, points int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, event{pair, at, points})
}

func (l *ledger) Points(_ context.Context, _ bun.IDB, guildID uint64, from, to time.Time) (map[int64]int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := map[int64]int{}
	if guildID != testGuild {
		return out, nil
	}
	for _, e := range l.events {
		if !e.at.Before(from) && e.at.Before(to) {
			out[e.pair] += e.points
		}
	}
	return out, nil
}

// testCatalog names the test categories (their modules' own texts).
var testCatalog = i18n.Catalog{Module: "quest", Messages: map[string]map[string]string{
	i18n.EN: {"quest.hall.category": "Quest points"},
	i18n.RU: {"quest.hall.category": "Очки квестов"},
}}

var chessCatalog = i18n.Catalog{Module: "chess", Messages: map[string]map[string]string{
	i18n.EN: {"chess.hall.category": "Chess wins"},
	i18n.RU: {"chess.hall.category": "Победы в шахматах"},
}}

type env struct {
	t      testing.TB
	db     *db.DB
	svc    *Service
	pairs  *fakePairs
	guilds *fakeGuilds
	proj   *projectiontest.Requests
	clock  *clocktest.Manual
	quest  *ledger
	chess  *ledger
}

// newEnv builds a Service with the given category keys deployed ("quest",
// "chess"), at now in the guild's zone tz.
func newEnv(t testing.TB, tz string, now time.Time, deployed ...string) *env {
	t.Helper()
	d := moduletest.DB(t, Name, hallmig.FS)
	b, err := i18n.NewBundle(quiet, Catalog, testCatalog, chessCatalog)
	must(t, err)
	q, err := queue.NewQueue(d, quiet)
	must(t, err)
	e := &env{t: t, db: d, pairs: &fakePairs{}, guilds: &fakeGuilds{tz: tz}, proj: &projectiontest.Requests{}, clock: clocktest.New(now),
		quest: &ledger{}, chess: &ledger{}}
	var cats []hallapi.Category
	for _, k := range deployed {
		switch k {
		case "quest":
			cats = append(cats, hallapi.Category{Module: "quest", Key: "quest", NameKey: "quest.hall.category", Order: 10, Points: e.quest.Points})
		case "chess":
			cats = append(cats, hallapi.Category{Module: "chess", Key: "chess", NameKey: "chess.hall.category", Order: 20, Points: e.chess.Points})
		}
	}
	e.svc, err = newService(serviceConfig{Core: modcore.Core{DB: d, Queue: q, Bundle: b, Logger: quiet}, Pairs: e.pairs,
		Refresher: newRefresher(e.proj), Categories: module.Contributions[hallapi.Category]{Items: cats}, guilds: e.guilds, now: e.clock.Now})
	must(t, err)
	// The hall channel, set before the tests' cards exist (the hook is
	// tested on its own: TestChannelHookShowsTheCardAtOnce).
	_, err = d.Pool.Exec(context.Background(), `INSERT INTO core_guild_channels (guild_id, module, purpose, channel_id) VALUES ($1, $2, $3, $4)`,
		int64(testGuild), Name, channelPurposeKey, int64(hallChannel))
	must(t, err)
	return e
}

// setChannel writes the hall channel as /config does (0 clears it) and runs
// hall's channel hook in that transaction.
func (e *env) setChannel(channel uint64) {
	e.t.Helper()
	must(e.t, e.db.InTx(context.Background(), func(ctx context.Context, tx bun.Tx) error {
		var from int64
		err := tx.QueryRowContext(ctx, `DELETE FROM core_guild_channels WHERE guild_id = ? AND module = ? AND purpose = ? RETURNING channel_id`,
			int64(testGuild), Name, channelPurposeKey).Scan(&from)
		if err != nil && !db.IsNoRows(err) {
			return err
		}
		if channel != 0 {
			if _, err := tx.ExecContext(ctx, `INSERT INTO core_guild_channels (guild_id, module, purpose, channel_id) VALUES (?, ?, ?, ?)`,
				int64(testGuild), Name, channelPurposeKey, int64(channel)); err != nil {
				return err
			}
		}
		return e.svc.channelHook().OnChange(ctx, tx, guild.ChannelChange{GuildID: testGuild, Purpose: ChannelPurpose,
			From: uint64(from), To: channel})
	}))
}

func (e *env) sync() {
	e.t.Helper()
	must(e.t, e.svc.Sync(context.Background(), testGuild))
}

func (e *env) card(m string) Card {
	e.t.Helper()
	month, err := ParseMonth(m)
	must(e.t, err)
	c, err := loadCard(context.Background(), e.db.Bun, testGuild, month, false)
	must(e.t, err)
	return c
}

// render renders a card as the projection worker would and returns the
// message JSON ("" when the card is gone).
func (e *env) render(m string) string {
	e.t.Helper()
	month, err := ParseMonth(m)
	must(e.t, err)
	r, err := e.svc.renderCard(context.Background(), e.db.Bun, cardKey(testGuild, month))
	must(e.t, err)
	if r.Gone {
		return ""
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // keep <@id> readable
	must(e.t, enc.Encode(r.Message))
	// disgo's component types escape HTML themselves.
	return strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(b.String())
}

func (e *env) optin(user uint64, choice string) {
	e.t.Helper()
	must(e.t, e.svc.OptIn(context.Background(), testGuild, user, choice))
}

// consentingPairs adds each pair n with members 10n+1 and 10n+2, both opted
// in to every category.
func (e *env) consentingPairs(ids ...int64) {
	e.t.Helper()
	for _, n := range ids {
		a, b := uint64(10*n+1), uint64(10*n+2)
		e.pairs.add(n, a, b)
		e.optin(a, "all")
		e.optin(b, "all")
	}
}

func (e *env) optout(user uint64, choice string) {
	e.t.Helper()
	must(e.t, e.svc.OptOut(context.Background(), testGuild, user, choice))
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}
