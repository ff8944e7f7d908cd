package pairhome

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/disgo/events"
	"github.com/disgoorg/snowflake/v2"

	"github.com/together-bot/together/core/db/dbtest"
	"github.com/together-bot/together/discordsim"
	"github.com/together-bot/together/modules/pairhome/pairhomeapi"
)

// A crash after the pair row commits and before any room exists: the room
// job is durable, so the next process start creates the room.
func TestCrashBeforeRoomIsRepairedOnRestart(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{noQueue: true})
	p := e.mustCreate("anna", "boris")
	if got := e.pair(p.ID); got.RoomState != roomPending || got.ChannelID != 0 {
		t.Fatalf("before any worker ran: %+v", got)
	}
	// A second click while "down" returns the same pair and creates nothing.
	if again, created, err := e.create("anna", "boris"); err != nil || created || again.ID != p.ID {
		t.Fatalf("retry: %+v created=%v err=%v", again, created, err)
	}
	e.startQueue() // the restart
	ch := e.waitRoom(p.ID)
	e.settle()
	if rooms := e.roomsOf(p.ID); len(rooms) != 1 || rooms[0]["id"] != str(ch) {
		t.Fatalf("rooms = %v, want exactly the recorded one", rooms)
	}
}

// Discord fails the channel creation (5xx): River retries and exactly one
// room appears.
func TestRoomCreationRetriesAfterDiscordFailure(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{noQueue: true})
	if err := e.sim.InjectFault(discordsim.Fault{Kind: discordsim.FaultREST5xx, Status: 503, DurationMS: 1500}); err != nil {
		t.Fatal(err)
	}
	p := e.mustCreate("anna", "boris")
	err := e.svc.EnsureRoom(e.ctx, p.ID)
	if err == nil {
		t.Fatal("EnsureRoom during a Discord outage returned nil; the job would not be retried")
	}
	e.startQueue()
	e.waitRoom(p.ID)
	e.settle()
	if rooms := e.roomsOf(p.ID); len(rooms) != 1 {
		t.Fatalf("%d rooms, want 1", len(rooms))
	}
}

// The channel was created but the process died before recording it: the
// retry finds it by its topic marker and adopts it instead of creating a
// second, orphan channel.
func TestCrashAfterChannelCreatedAdoptsTheChannel(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{noQueue: true})
	var crashes atomic.Int32
	e.svc.afterChannelCreate = func(uint64) error {
		if crashes.Add(1) == 1 {
			return errors.New("simulated crash between channel creation and record")
		}
		return nil
	}
	p := e.mustCreate("anna", "boris")
	if err := e.svc.EnsureRoom(e.ctx, p.ID); err == nil {
		t.Fatal("the simulated crash did not surface")
	}
	if got := e.pair(p.ID); got.ChannelID != 0 {
		t.Fatalf("room recorded despite the crash: %+v", got)
	}
	if rooms := e.roomsOf(p.ID); len(rooms) != 1 {
		t.Fatalf("after the crash: %d rooms, want the 1 created", len(rooms))
	}
	e.startQueue() // the room job is still queued: it runs again
	ch := e.waitRoom(p.ID)
	e.settle()
	rooms := e.roomsOf(p.ID)
	if len(rooms) != 1 || rooms[0]["id"] != str(ch) {
		t.Fatalf("rooms = %d (%v), want the adopted one %d", len(rooms), rooms, ch)
	}
}

func TestStaffDissolveMakesRoomReadOnly(t *testing.T) {
	t.Parallel()
	e, p, ch := newRoomEnv(t)
	e.waitPanel(ch, "panel", func(string) bool { return true })
	if _, err := e.svc.Dissolve(e.ctx, e.guild, p.ID, e.users["admin"]); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Dissolve(e.ctx, e.guild, p.ID, e.users["admin"]); !errors.Is(err, errNotActive) {
		t.Fatalf("second dissolve: err = %v, want errNotActive", err)
	}
	dbtest.WaitUntil(t, 20*time.Second, "room archived", func() bool { return e.pair(p.ID).RoomState == roomArchived })
	room := e.channel(ch)
	for _, who := range []string{"anna", "boris"} {
		if !e.canView(room, who) || e.canSend(room, who) {
			t.Errorf("%s: view=%v send=%v, want read-only", who, e.canView(room, who), e.canSend(room, who))
		}
	}
	if e.canView(room, "carol") {
		t.Error("carol can see the archived room")
	}
	e.waitPanel(ch, "archived panel", func(text string) bool { return strings.Contains(text, "dissolved") })
	if refs, _ := e.svc.ActivePairs(e.ctx, nil, e.guild); len(refs) != 0 {
		t.Fatalf("ActivePairs still lists %+v", refs)
	}
	// Both members are free again.
	if _, created, err := e.create("anna", "carol"); err != nil || !created {
		t.Fatalf("re-pair anna: created=%v err=%v", created, err)
	}
}

func TestDissolveDeletesRoomWhenConfigured(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	e.setConfig(guildConfig{ArchiveMode: archiveDelete})
	p := e.mustCreate("anna", "boris")
	ch := e.waitRoom(p.ID)
	if _, err := e.svc.Dissolve(e.ctx, e.guild, p.ID, e.users["admin"]); err != nil {
		t.Fatal(err)
	}
	dbtest.WaitUntil(t, 20*time.Second, "room deleted", func() bool { return e.pair(p.ID).RoomState == roomDeleted })
	if e.channel(ch) != nil {
		t.Fatal("room still exists")
	}
	if got := e.pair(p.ID); got.ChannelID != 0 || got.Active {
		t.Fatalf("pair after delete: %+v", got)
	}
	e.settle()
}

func TestBothMembersConfirmToDissolve(t *testing.T) {
	t.Parallel()
	e, p, _ := newRoomEnv(t)
	if _, _, err := e.svc.ConsentDissolve(e.ctx, e.guild, p.ID, e.users["carol"]); !errors.Is(err, pairhomeapi.ErrNotPairMember) {
		t.Fatalf("carol's consent: err = %v, want pairhomeapi.ErrNotPairMember", err)
	}
	_, done, err := e.svc.ConsentDissolve(e.ctx, e.guild, p.ID, e.users["anna"])
	if err != nil || done {
		t.Fatalf("anna alone: done=%v err=%v", done, err)
	}
	// A double click by the same member does not count twice.
	if _, done, err = e.svc.ConsentDissolve(e.ctx, e.guild, p.ID, e.users["anna"]); err != nil || done {
		t.Fatalf("anna twice: done=%v err=%v", done, err)
	}
	if _, done, err = e.svc.ConsentDissolve(e.ctx, e.guild, p.ID, e.users["boris"]); err != nil || !done {
		t.Fatalf("boris: done=%v err=%v", done, err)
	}
	dbtest.WaitUntil(t, 20*time.Second, "room archived", func() bool { return e.pair(p.ID).RoomState == roomArchived })
	e.settle()
}

func TestDeletedRoomIsRecreated(t *testing.T) {
	t.Parallel()
	e, p, ch := newRoomEnv(t)
	e.waitPanel(ch, "panel", func(string) bool { return true })
	if err := e.sim.DeleteChannel(str(ch)); err != nil {
		t.Fatal(err)
	}
	// No event reaches us here: the reconcile job notices on its own.
	if err := e.svc.Reconcile(e.ctx); err != nil {
		t.Fatal(err)
	}
	var ch2 uint64
	dbtest.WaitUntil(t, 20*time.Second, "room recreated", func() bool {
		got := e.pair(p.ID)
		ch2 = got.ChannelID
		return got.RoomState == roomReady && ch2 != 0 && ch2 != ch
	})
	e.waitPanel(ch2, "panel in the new room", func(string) bool { return true })
	e.waitUntilPinned(ch2)
	e.settle()
	if rooms := e.roomsOf(p.ID); len(rooms) != 1 {
		t.Fatalf("%d rooms, want 1", len(rooms))
	}
	// The gateway event path: delete again and deliver CHANNEL_DELETE.
	if err := e.sim.DeleteChannel(str(ch2)); err != nil {
		t.Fatal(err)
	}
	e.svc.Listener().OnEvent(&events.GuildChannelDelete{GenericGuildChannel: &events.GenericGuildChannel{
		GenericEvent: events.NewGenericEvent(nil, 0, 0), GuildID: snowflake.ID(e.guild), ChannelID: snowflake.ID(ch2)}})
	dbtest.WaitUntil(t, 20*time.Second, "room recreated after the event", func() bool {
		got := e.pair(p.ID)
		return got.RoomState == roomReady && got.ChannelID != 0 && got.ChannelID != ch2
	})
}

func TestDeletedPanelIsRecreatedAndPinned(t *testing.T) {
	t.Parallel()
	e, _, ch := newRoomEnv(t)
	first := e.waitPanel(ch, "panel", func(string) bool { return true })
	e.waitUntilPinned(ch)
	if err := e.sim.DeleteMessage(str(ch), first["id"].(string)); err != nil {
		t.Fatal(err)
	}
	// The bot gets no message events; the reconcile job's check recreates it.
	if err := e.svc.Reconcile(e.ctx); err != nil {
		t.Fatal(err)
	}
	second := e.waitPanel(ch, "panel recreated", func(string) bool { return true })
	if second["id"] == first["id"] {
		t.Fatal("panel not recreated")
	}
	e.waitUntilPinned(ch)
}

func TestMemberLeavingArchivesThePair(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	p1 := e.mustCreate("anna", "boris")
	p2 := e.mustCreate("carol", "dave")
	e.waitRoom(p1.ID)
	e.waitRoom(p2.ID)
	// Reconcile path: boris leaves while no event is delivered.
	if err := e.sim.RemoveMember(str(e.guild), str(e.users["boris"])); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Reconcile(e.ctx); err != nil {
		t.Fatal(err)
	}
	if got := e.pair(p1.ID); got.Active {
		t.Fatalf("pair 1 after boris left: %+v", got)
	}
	// Event path: dave leaves and GUILD_MEMBER_REMOVE arrives.
	if err := e.sim.RemoveMember(str(e.guild), str(e.users["dave"])); err != nil {
		t.Fatal(err)
	}
	e.svc.Listener().OnEvent(&events.GuildMemberLeave{GenericEvent: events.NewGenericEvent(nil, 0, 0),
		GuildID: snowflake.ID(e.guild), User: discord.User{ID: snowflake.ID(e.users["dave"])}})
	dbtest.WaitUntil(t, 10*time.Second, "pair 2 archived", func() bool { return !e.pair(p2.ID).Active })
	for _, id := range []int64{p1.ID, p2.ID} {
		dbtest.WaitUntil(t, 20*time.Second, "room archived", func() bool { return e.pair(id).RoomState == roomArchived })
	}
	e.settle()
	// anna stays and may pair again.
	if _, created, err := e.create("anna", "carol"); err != nil || !created {
		t.Fatalf("re-pair: created=%v err=%v", created, err)
	}
}

func TestReconcileSurvivesDiscordOutage(t *testing.T) {
	t.Parallel()
	e, p, _ := newRoomEnv(t)
	e.settle()
	if err := e.sim.InjectFault(discordsim.Fault{Kind: discordsim.FaultREST5xx, Status: 502, DurationMS: 60_000}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(e.ctx, 30*time.Second)
	defer cancel()
	if err := e.svc.Reconcile(ctx); err != nil {
		t.Fatalf("Reconcile during an outage: %v", err)
	}
	e.sim.ClearFaults()
	if got := e.pair(p.ID); !got.Active || got.RoomState != roomReady {
		t.Fatalf("an outage changed the pair: %+v", got)
	}
}

func TestModeratorAccessIsOptIn(t *testing.T) {
	t.Parallel()
	e, _, ch := newRoomEnv(t)
	if e.canView(e.channel(ch), "mod") {
		t.Fatal("moderators see the room without the guild opting in")
	}
	e.setConfig(guildConfig{ModeratorAccess: true, ArchiveMode: archiveReadOnly})
	dbtest.WaitUntil(t, 20*time.Second, "moderators see the room", func() bool { return e.canView(e.channel(ch), "mod") })
	if e.canView(e.channel(ch), "carol") {
		t.Fatal("carol sees the room")
	}
	e.setConfig(guildConfig{ArchiveMode: archiveReadOnly})
	dbtest.WaitUntil(t, 20*time.Second, "moderator access revoked", func() bool { return !e.canView(e.channel(ch), "mod") })
	e.settle()
}

// TestReconcileSkipsGuildsWithPairhomeOff: while a guild has pairhome off,
// the reconcile sweep leaves its pairs alone; once it is back on, the sweep
// catches up on what happened meanwhile.
func TestReconcileSkipsGuildsWithPairhomeOff(t *testing.T) {
	t.Parallel()
	e, p, _ := newRoomEnv(t)
	e.settle()
	if err := e.guilds.SetModule(e.ctx, e.guild, 0, Name, false); err != nil {
		t.Fatal(err)
	}
	if err := e.sim.RemoveMember(str(e.guild), str(e.users["boris"])); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Reconcile(e.ctx); err != nil {
		t.Fatal(err)
	}
	if got := e.pair(p.ID); !got.Active {
		t.Fatalf("pair archived by a sweep while pairhome is off: %+v", got)
	}
	if err := e.guilds.SetModule(e.ctx, e.guild, 0, Name, true); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Reconcile(e.ctx); err != nil {
		t.Fatal(err)
	}
	if got := e.pair(p.ID); got.Active {
		t.Fatalf("pair still active after the sweep with pairhome back on: %+v", got)
	}
	e.settle()
}
