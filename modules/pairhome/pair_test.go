package pairhome

import (
	"errors"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/disgoorg/disgo/discord"

	"github.com/together-bot/together/core/customid/customidtest"
	"github.com/together-bot/together/core/i18n"
	"github.com/together-bot/together/core/i18n/i18ntest"
	"github.com/together-bot/together/core/interaction"
	"github.com/together-bot/together/core/interaction/interactiontest"
	"github.com/together-bot/together/core/refusal"
	"github.com/together-bot/together/discordsim"
	"github.com/together-bot/together/modules/pairhome/pairhomeapi"
)

func TestCatalog(t *testing.T) {
	t.Parallel()
	i18ntest.RequireModule(t, i18ntest.Module{Catalog: catalog, With: []i18n.Catalog{interaction.Catalog}, MinKeys: 20})
}

func TestCustomIDsFit(t *testing.T) {
	t.Parallel()
	customidtest.RequireFits(t, Name, actionDissolve, customidtest.Int64)
	// The button the module renders is one its declaration accepts.
	btn, err := dissolveButton("x", math.MaxInt64)
	if err != nil {
		t.Fatal(err)
	}
	rows := []discord.LayoutComponent{discord.NewActionRow(btn)}
	if n := interactiontest.RequireAccepted(t, (&service{}).Components(), rows); n != 1 {
		t.Fatalf("checked %d components", n)
	}
}

func TestRoomNameKeepsEveryScript(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ a, b, want string }{
		{"Анна Каренина", "Борис", "анна-каренина-борис"},
		{"Ünal", "李雷", "ünal-李雷"},
		{"  x__y  ", "!!", "x-y"},
		{"🙂", "🎉", ""},
		{"Ali", "Ωmega 2", "ali-ωmega-2"},
	} {
		if got := roomName(c.a, c.b); got != c.want {
			t.Errorf("roomName(%q, %q) = %q, want %q", c.a, c.b, got, c.want)
		}
	}
	if got := roomName(strings.Repeat("я", 200), "b"); len([]rune(got)) > 100 {
		t.Errorf("RoomName too long: %d runes", len([]rune(got)))
	}
}

func TestCreateOpensPrivateRoomWithPinnedPanel(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	p, created, err := e.create("anna", "boris")
	if err != nil || !created {
		t.Fatalf("create: created=%v err=%v", created, err)
	}
	ch := e.waitRoom(p.ID)
	room := e.channel(ch)
	if room["parent_id"] != str(e.category) {
		t.Errorf("room parent = %v, want the pair category %d", room["parent_id"], e.category)
	}
	if room["name"] != "анна-каренина-борис" {
		t.Errorf("room name = %v, want the Cyrillic names kept", room["name"])
	}
	for _, who := range []string{"anna", "boris"} {
		if !e.canView(room, who) || !e.canSend(room, who) || e.perms(room, who)&discordsim.PermReadMessageHistory == 0 {
			t.Errorf("%s cannot view, send and read history in their room", who)
		}
	}
	for _, who := range []string{"carol", "dave", "mod", "bot"} {
		if e.canView(room, who) {
			t.Errorf("%s, outside the pair, can see the room", who)
		}
	}
	bot := e.botOverwrite(room)
	for _, need := range []uint64{discordsim.PermViewChannel, discordsim.PermSendMessages, discordsim.PermReadMessageHistory,
		discordsim.PermManageChannels, discordsim.PermManageMessages} {
		if bot&need == 0 {
			t.Errorf("bot overwrite %b lacks %b", bot, need)
		}
	}
	panel := e.waitPanel(ch, "panel with both members", func(text string) bool {
		return strings.Contains(text, "<@"+str(e.users["anna"])+">") && strings.Contains(text, "<@"+str(e.users["boris"])+">")
	})
	if pinned, _ := panel["pinned"].(bool); !pinned {
		e.waitUntilPinned(ch)
	}
	am, _ := panel["allowed_mentions"].(map[string]any)
	if am != nil {
		if parse, _ := am["parse"].([]any); len(parse) != 0 {
			t.Errorf("panel mentions may ping: %v", am)
		}
	}
	refs, err := e.svc.ActivePairs(e.ctx, nil, e.guild)
	if err != nil || len(refs) != 1 || refs[0].ID != p.ID || refs[0].ChannelID != ch {
		t.Fatalf("ActivePairs = %+v, %v", refs, err)
	}
	for _, who := range []string{"anna", "boris"} {
		got, err := e.svc.PairOf(e.ctx, nil, e.guild, e.users[who])
		if err != nil || got.ID != p.ID {
			t.Errorf("PairOf(%s) = %+v, %v", who, got, err)
		}
	}
	if _, err := e.svc.PairOf(e.ctx, nil, e.guild, e.users["carol"]); !errors.Is(err, pairhomeapi.ErrNoPair) {
		t.Errorf("PairOf(carol) err = %v, want pairhomeapi.ErrNoPair", err)
	}
}

func TestCreateTwiceGivesOnePairAndOneRoom(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	p1 := e.mustCreate("anna", "boris")
	p2, created, err := e.create("boris", "anna") // the other order is the same pair
	if err != nil || created || p2.ID != p1.ID {
		t.Fatalf("second create: %+v created=%v err=%v, want pair %d unchanged", p2, created, err, p1.ID)
	}
	ch := e.waitRoom(p1.ID)
	p3, created, err := e.create("anna", "boris")
	if err != nil || created || p3.ChannelID != ch {
		t.Fatalf("third create: %+v created=%v err=%v", p3, created, err)
	}
	e.settle()
	if rooms := e.roomsOf(p1.ID); len(rooms) != 1 {
		t.Fatalf("%d rooms for the pair, want 1", len(rooms))
	}
	if ps := e.panelMessages(ch); len(ps) != 1 {
		t.Fatalf("%d panels in the room, want 1", len(ps))
	}
}

func TestConcurrentCreatesGiveOnePairPerMember(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	var wg sync.WaitGroup
	type result struct {
		p       pairRef
		created bool
		err     error
	}
	results := make([]result, 12)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			partner := "boris"
			if i%3 == 2 {
				partner = "carol" // competes for anna
			}
			p, c, err := e.create("anna", partner)
			results[i] = result{p, c, err}
		}()
	}
	wg.Wait()
	created, ids := 0, map[int64]bool{}
	for _, r := range results {
		var ap *alreadyPairedError
		switch {
		case r.err == nil:
			ids[r.p.ID] = true
			if r.created {
				created++
			}
		case errors.As(r.err, &ap):
		default:
			t.Fatalf("unexpected error: %v", r.err)
		}
	}
	if created != 1 || len(ids) != 1 {
		t.Fatalf("created=%d distinct pairs=%d, want exactly one pair", created, len(ids))
	}
	var pairID int64
	for id := range ids {
		pairID = id
	}
	e.waitRoom(pairID)
	e.settle()
	var n int
	if err := e.db.Pool.QueryRow(e.ctx, `SELECT count(*) FROM pairhome_pairs`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("%d pair rows (err %v), want 1", n, err)
	}
	if rooms := e.roomsOf(pairID); len(rooms) != 1 {
		t.Fatalf("%d rooms, want 1", len(rooms))
	}
}

func TestCreateRefusesSelfAndTakenMembers(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{noQueue: true})
	if _, _, err := e.create("anna", "anna"); !errors.Is(err, errSelfPair) {
		t.Fatalf("self pair: err = %v", err)
	}
	p := e.mustCreate("anna", "boris")
	_, _, err := e.create("carol", "boris")
	var ap *alreadyPairedError
	if !errors.As(err, &ap) || ap.UserID != e.users["boris"] || ap.PairID != p.ID {
		t.Fatalf("boris taken: err = %v", err)
	}
	// It is the already-paired refusal, naming boris for the router's text.
	var re *refusal.Error
	if !errors.Is(err, errAlreadyPaired) || !errors.As(err, &re) || !slices.Contains(re.Args, any(mention(e.users["boris"]))) {
		t.Fatalf("boris taken: %v is not the already-paired refusal naming boris (%+v)", err, re)
	}
	// The database itself refuses a second active membership.
	_, err = e.db.Pool.Exec(e.ctx, `INSERT INTO pairhome_members (guild_id, user_id, pair_id) VALUES ($1, $2, $3)`,
		int64(e.guild), int64(e.users["anna"]), p.ID)
	if err == nil {
		t.Fatal("a second membership row for anna was accepted")
	}
}
