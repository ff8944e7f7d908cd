package discordsim

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

func TestSeedWorldIsReproducibleAndComplete(t *testing.T) {
	names := func() []string {
		srv, err := New(Options{})
		if err != nil {
			t.Fatal(err)
		}
		guilds, err := srv.SeedWorld(WorldSpec{Guilds: 3, MembersPerGuild: 10, Seed: 7})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, g := range guilds {
			v, err := srv.GuildViewAs(g.GuildID, "")
			if err != nil {
				t.Fatal(err)
			}
			if len(v.Members) != 11 || len(g.MemberIDs) != 8 || g.StaffID == "" || g.OwnerID == "" {
				t.Fatalf("guild %s: %d members (want 10 + bot), seeded %+v", g.GuildID, len(v.Members), g)
			}
			if len(g.ChannelIDs) != len(seedChannels) || g.CategoryID == "" {
				t.Fatalf("channels %+v", g)
			}
			for _, m := range v.Members {
				out = append(out, m.Username)
			}
		}
		return out
	}
	a, b := names(), names()
	if strings.Join(a, ",") != strings.Join(b, ",") {
		t.Fatalf("same seed, different names:\n%v\n%v", a, b)
	}
}

func TestSeedWorldRefusesBadSizes(t *testing.T) {
	srv, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, spec := range []WorldSpec{{Guilds: 0, MembersPerGuild: 5}, {Guilds: 1, MembersPerGuild: 1}, {Guilds: MaxSeedGuilds + 1, MembersPerGuild: 5}} {
		if _, err := srv.SeedWorld(spec); err == nil {
			t.Fatalf("%+v accepted", spec)
		}
	}
	if len(srv.Guilds()) != 0 {
		t.Fatalf("a refused seed created guilds: %v", srv.Guilds())
	}
}

// TestSeededWorldOverShards identifies two shards with large_threshold 50
// against guilds of 60 members: each shard gets READY and exactly its
// guilds' GUILD_CREATE, marked large and listing only the bot, and op 8
// returns every member in a GUILD_MEMBERS_CHUNK.
func TestSeededWorldOverShards(t *testing.T) {
	clock := newFakeClock()
	srv, err := New(Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	defer srv.Close()
	guilds, err := srv.SeedWorld(WorldSpec{Guilds: 20, MembersPerGuild: 60, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]int{}
	for _, g := range guilds {
		want[shardFor(g.GuildID, 2)]++
	}
	total := 0
	for shard := range 2 {
		ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(hs.URL, "http")+gatewayPath+"?v=10&encoding=json", nil)
		if err != nil {
			t.Fatal(err)
		}
		read := func() map[string]any {
			t.Helper()
			_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
			var f map[string]any
			if err := ws.ReadJSON(&f); err != nil {
				t.Fatal(err)
			}
			return f
		}
		read() // HELLO
		if err := ws.WriteJSON(map[string]any{"op": 2, "d": map[string]any{
			"token": srv.Token(), "intents": 1 | 2, "shard": []int{shard, 2}, "large_threshold": 50,
			"properties": map[string]any{"os": "linux", "browser": "t", "device": "t"}}}); err != nil {
			t.Fatal(err)
		}
		if f := read(); f["t"] != "READY" {
			t.Fatalf("want READY, got %v", f["t"])
		}
		var first string
		for range want[shard] {
			f := read()
			if f["t"] != "GUILD_CREATE" {
				t.Fatalf("want GUILD_CREATE, got %v", f["t"])
			}
			d := f["d"].(map[string]any)
			id := d["id"].(string)
			if shardFor(id, 2) != shard {
				t.Fatalf("guild %s on shard %d", id, shard)
			}
			members := d["members"].([]any)
			if d["large"] != true || d["member_count"].(float64) != 61 || len(members) != 1 {
				t.Fatalf("large guild: large=%v member_count=%v members=%d", d["large"], d["member_count"], len(members))
			}
			if u := members[0].(map[string]any)["user"].(map[string]any)["id"]; u != srv.BotUserID() {
				t.Fatalf("the large guild's one member is %v, not the bot", u)
			}
			first = id
			total++
		}
		if first != "" {
			if err := ws.WriteJSON(map[string]any{"op": 8, "d": map[string]any{"guild_id": first, "query": "", "limit": 0, "nonce": "n1"}}); err != nil {
				t.Fatal(err)
			}
			f := read()
			var chunk struct {
				GuildID string            `json:"guild_id"`
				Members []json.RawMessage `json:"members"`
				Nonce   string            `json:"nonce"`
			}
			raw, _ := json.Marshal(f["d"])
			if err := json.Unmarshal(raw, &chunk); err != nil || f["t"] != "GUILD_MEMBERS_CHUNK" {
				t.Fatalf("want GUILD_MEMBERS_CHUNK, got %v (%v)", f["t"], err)
			}
			if chunk.GuildID != first || len(chunk.Members) != 61 || chunk.Nonce != "n1" {
				t.Fatalf("chunk for %s with %d members, nonce %q", chunk.GuildID, len(chunk.Members), chunk.Nonce)
			}
		}
		_ = ws.Close()
		clock.Advance(6 * time.Second) // Discord's identify spacing: one per 5 s

	}
	if total != len(guilds) {
		t.Fatalf("%d GUILD_CREATEs over both shards, want %d", total, len(guilds))
	}
}
