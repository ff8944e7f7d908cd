package hall_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/disgoorg/snowflake/v2"
	"github.com/uptrace/bun"
	"go.uber.org/fx"

	"github.com/together-bot/together/core/apptest"
	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/guild"
	"github.com/together-bot/together/core/i18n"
	"github.com/together-bot/together/core/module"
	"github.com/together-bot/together/discordsim"
	"github.com/together-bot/together/modules/hall"
	"github.com/together-bot/together/modules/hall/hallapi"
	"github.com/together-bot/together/modules/pairhome"
	"github.com/together-bot/together/modules/pairhome/pairhomeapi/pairhometest"
)

// quest is a stand-in for duel or raid: a module that contributes a hall
// category exactly as they should, through hallapi only, and asks
// for a refresh in the transaction that changes its points.
type quest struct {
	db   *db.DB
	hall hallapi.Refresher // nil when hall is not deployed

	mu     sync.Mutex
	points map[int64]int
}

type questDeps struct {
	fx.In
	DB   *db.DB
	Hall hallapi.Refresher `optional:"true"`
}

var questModule = module.Descriptor{
	Name: "quest",
	Options: fx.Module("quest",
		fx.Provide(func(d questDeps) *quest { return &quest{db: d.DB, hall: d.Hall, points: map[int64]int{}} }),
		module.Contribute(hallapi.Categories, func(q *quest) []hallapi.Category {
			return []hallapi.Category{{Module: "quest", Key: "quest", NameKey: "quest.hall.category", Order: 10, Points: q.PointsByPair}}
		}),
		module.Add(i18n.Catalogs, i18n.Catalog{Module: "quest", Messages: map[string]map[string]string{
			i18n.EN: {"quest.hall.category": "Quest points"},
			i18n.RU: {"quest.hall.category": "Очки квестов"},
		}}),
	),
}

// PointsByPair has the signature duel and raid export.
func (q *quest) PointsByPair(_ context.Context, _ bun.IDB, _ uint64, _, _ time.Time) (map[int64]int, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := make(map[int64]int, len(q.points))
	for k, v := range q.points {
		out[k] = v
	}
	return out, nil
}

func (q *quest) award(t *testing.T, guildID uint64, pairID int64, n int) {
	t.Helper()
	err := q.db.InTx(context.Background(), func(ctx context.Context, tx bun.Tx) error {
		q.mu.Lock()
		q.points[pairID] += n
		q.mu.Unlock()
		return hallapi.Request(ctx, q.hall, tx, guildID)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestE2EHallCard drives the card through the real runtime and the
// emulator: the card posted as soon as the hall channel is set (no sync),
// a contributed category, consent by slash command, a refresh requested in
// a contributor's transaction, a deleted card recreated by `app hall
// refresh`, a category switched off in the guild, and a withdrawal of
// consent reaching the frozen card of an ended month.
func TestE2EHallCard(t *testing.T) {
	t.Parallel()
	var (
		guilds *guild.Service
		q      *quest
	)
	h := apptest.Start(t, apptest.Options{Modules: []module.Descriptor{pairhome.Descriptor, hall.Descriptor, questModule},
		Env:   map[string]string{"DEFAULT_TIMEZONE": "Europe/Moscow"},
		Extra: []fx.Option{fx.Populate(&guilds, &q)}})
	ctx := context.Background()
	h.SyncGuildCommands()
	gid := snowflake.MustParse(h.Guild.GuildID)
	channel := h.Guild.ChannelIDs["general"]

	dave, err := h.Sim.AddMember(h.Guild.GuildID, discordsim.MemberSpec{Username: "dave"})
	must(t, err)
	erin, err := h.Sim.AddMember(h.Guild.GuildID, discordsim.MemberSpec{Username: "erin"})
	must(t, err)
	members := [2][2]string{{h.Guild.MemberIDs[0], h.Guild.MemberIDs[1]}, {dave, erin}}
	var pairs [2]int64
	for i, m := range members {
		a, b := snowflake.MustParse(m[0]), snowflake.MustParse(m[1])
		members[i] = [2]string{min(a, b).String(), max(a, b).String()}
		pairs[i] = pairhometest.SeedPair(t, h.DB, h.Guild.GuildID, m[0], m[1], "")
	}
	pairName := func(i int) string { return "<@" + members[i][0] + "> & <@" + members[i][1] + ">" }

	// cards returns the hall card messages in the channel.
	cards := func() []map[string]any {
		ms, err := h.Sim.Messages(channel)
		must(t, err)
		var out []map[string]any
		for _, m := range ms {
			if strings.Contains(apptest.JSON(m), "Hall of fame") {
				out = append(out, m)
			}
		}
		return out
	}
	waitCard := func(what string, ok func(card string) bool) map[string]any {
		t.Helper()
		var last map[string]any
		defer func() {
			if t.Failed() {
				rows, _ := h.DB.Pool.Query(ctx, `SELECT key, state, coalesce(last_error, ''), coalesce(channel_id, 0) FROM core_projections`)
				for rows.Next() {
					var k, st, e string
					var ch int64
					_ = rows.Scan(&k, &st, &e, &ch)
					t.Logf("projection %s %s %q channel %d; cards %d", k, st, e, ch, len(cards()))
				}
				rows.Close()
			}
		}()
		h.WaitUntil(30*time.Second, what, func() bool {
			cs := cards()
			if len(cs) != 1 {
				return false
			}
			last = cs[0]
			return ok(apptest.JSON(last))
		})
		return last
	}
	sync := func() {
		_, err := h.Queue.Insert(ctx, hall.SyncArgs{GuildID: uint64(gid)}, nil)
		must(t, err)
	}

	// Setting the channel is enough: no hall.sync runs before the card shows.
	must(t, guilds.SetChannel(ctx, uint64(gid), 0, hall.ChannelPurpose.ID(), uint64(snowflake.MustParse(channel))))
	month := hall.MonthOf(time.Now(), time.FixedZone("MSK", 3*3600))
	waitCard("the first card", func(c string) bool {
		return strings.Contains(c, "this month so far") && strings.Contains(c, "Quest points") &&
			strings.Contains(c, "No points yet") && strings.Contains(c, "Active pairs: **2**")
	})
	var tz string
	must(t, h.DB.Pool.QueryRow(ctx, `SELECT timezone FROM hall_cards WHERE month_key = $1`, month.String()).Scan(&tz))
	if tz != "Europe/Moscow" {
		t.Fatalf("card timezone %q, want the deployment default", tz)
	}
	// now() is the transaction's start: equal times mean the card was
	// created in the transaction that set the channel, not by a sync.
	var sameTx bool
	must(t, h.DB.Pool.QueryRow(ctx, `SELECT c.created_at = g.updated_at FROM hall_cards c
		JOIN core_guild_channels g ON g.guild_id = c.guild_id AND g.module = 'hall' AND g.purpose = 'channel'`).Scan(&sameTx))
	if !sameTx {
		t.Fatal("the first card was not created in the transaction that set the hall channel")
	}

	if q.hall == nil {
		t.Fatal("the optional hallapi.Refresher was not injected into the contributing module")
	}
	q.award(t, uint64(gid), pairs[0], 5)
	q.award(t, uint64(gid), pairs[1], 3)
	waitCard("points counted", func(c string) bool { return strings.Contains(c, "2 pair(s) took part") })

	res := apptest.JSON(h.Command(members[0][0], "hall optin", map[string]any{"category": "quest"}))
	if !strings.Contains(res, "Preferences updated") || !strings.Contains(res, "Quest points: **opted in** · partner: opted out") {
		t.Fatalf("/hall optin: %s", res)
	}
	apptest.JSON(h.Command(members[1][0], "hall optin", map[string]any{"category": "all"}))
	apptest.JSON(h.Command(members[1][1], "hall optin", map[string]any{"category": "quest"}))
	waitCard("pair 2 named, pair 1 not (one partner only)", func(c string) bool {
		return strings.Contains(c, "1. "+pairName(1)+" — **3**") && !strings.Contains(c, members[0][0])
	})
	apptest.JSON(h.Command(members[0][1], "hall optin", map[string]any{"category": "all"}))
	waitCard("both pairs named", func(c string) bool {
		return strings.Contains(c, "1. "+pairName(0)+" — **5**") && strings.Contains(c, "2. "+pairName(1)+" — **3**")
	})
	res = apptest.JSON(h.Command(members[0][1], "hall status", nil))
	if !strings.Contains(res, "**opted in** · partner: opted in") || strings.Contains(res, "Preferences updated") {
		t.Fatalf("/hall status: %s", res)
	}
	apptest.JSON(h.Command(members[1][1], "hall optout", map[string]any{"category": "all"}))
	card := waitCard("opted-out pair gone", func(c string) bool {
		return strings.Contains(c, pairName(0)) && !strings.Contains(c, members[1][1])
	})

	// Deleted by hand: `app hall refresh` brings it back (one card).
	must(t, h.Sim.DeleteMessage(channel, card["id"].(string)))
	n, err := hall.Refresh(ctx, h.DB, uint64(gid))
	must(t, err)
	if n != 1 {
		t.Fatalf("refresh queued %d cards, want 1", n)
	}
	again := waitCard("card recreated", func(c string) bool { return strings.Contains(c, pairName(0)) })
	if again["id"] == card["id"] {
		t.Fatal("card not recreated")
	}

	// The contributing module switched off in the guild: the category goes.
	must(t, guilds.SetModule(ctx, uint64(gid), 0, "quest", false))
	sync()
	waitCard("category hidden", func(c string) bool {
		return !strings.Contains(c, "Quest points") && strings.Contains(c, "No rankings run on this server")
	})
	must(t, guilds.SetModule(ctx, uint64(gid), 0, "quest", true))
	sync()
	waitCard("category back", func(c string) bool { return strings.Contains(c, "1. "+pairName(0)+" — **5**") })
	if m, ok := h.Sim.Message(again["id"].(string)); !ok || strings.Contains(apptest.JSON(m), `"mentions":[{`) {
		t.Fatalf("card pinged someone: %s", apptest.JSON(m))
	}

	// The month ends (moved to now: the period is the only clock), and the
	// card is frozen naming pair 1; the next month's card is posted.
	_, err = h.DB.Pool.Exec(ctx, `UPDATE hall_cards SET period_end = now() WHERE month_key = $1`, month.String())
	must(t, err)
	sync()
	frozenID := again["id"].(string)
	waitMessage := func(what string, ok func(card string) bool) {
		t.Helper()
		h.WaitUntil(30*time.Second, what, func() bool {
			m, found := h.Sim.Message(frozenID)
			return found && ok(apptest.JSON(m))
		})
	}
	waitMessage("the card frozen", func(c string) bool {
		return strings.Contains(c, "final standings") && strings.Contains(c, "1. "+pairName(0)+" — **5**")
	})
	// One member withdraws consent: the frozen card is edited in place and
	// no longer names the pair; its place and points stay.
	apptest.JSON(h.Command(members[0][0], "hall optout", map[string]any{"category": "quest"}))
	waitMessage("the frozen card without the pair's names", func(c string) bool {
		return strings.Contains(c, "final standings") && !strings.Contains(c, members[0][0]) && !strings.Contains(c, members[0][1]) &&
			strings.Contains(c, "1. *a pair who asked not to be named* — **5**")
	})
	if st := h.Sim.Stats(); st.RateLimited != 0 {
		t.Fatalf("%d requests got 429", st.RateLimited)
	}
}
