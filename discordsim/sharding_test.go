package discordsim

import (
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"
)

// TestGatewayBotReportsShardingLimits: GET /gateway/bot recommends the
// configured shard count and reports max_concurrency and the session start
// budget the gateway keeps.
func TestGatewayBotReportsShardingLimits(t *testing.T) {
	h := newHarness(t, Options{ShardCount: 4, MaxConcurrency: 2, SessionStartTotal: 50})
	gb := h.api("GET", "/gateway/bot", nil).json(t)
	ssl := gb["session_start_limit"].(map[string]any)
	if gb["shards"].(float64) != 4 || ssl["max_concurrency"].(float64) != 2 || ssl["total"].(float64) != 50 || ssl["remaining"].(float64) != 50 {
		t.Fatalf("GET /gateway/bot = %v", gb)
	}
	h.srv.RequireNoViolations(t)
}

// TestGuildsAreDistributedByDiscordsFormula: each shard's READY lists
// exactly the guilds with (guild_id >> 22) % shard_count == shard_id.
func TestGuildsAreDistributedByDiscordsFormula(t *testing.T) {
	// Each reading of the clock is a millisecond later, so guild ids (whose
	// bits from 22 up are a timestamp) spread over the shards.
	var mu sync.Mutex
	now := time.Now()
	tick := func() time.Time { mu.Lock(); defer mu.Unlock(); now = now.Add(time.Millisecond); return now }
	h := newHarness(t, Options{Now: tick})
	for i := range 12 {
		if _, err := h.srv.CreateGuild("g" + strconv.Itoa(i)); err != nil {
			t.Fatal(err)
		}
	}
	h.srv.mu.Lock()
	all := slices.Clone(h.srv.st.guildOrder)
	h.srv.mu.Unlock()
	const count = 4
	var seen []string
	shardsUsed := 0
	for shard := range count {
		if len(h.srv.readyData(shard, count).GuildIDs) > 0 {
			shardsUsed++
		}
		for _, gid := range h.srv.readyData(shard, count).GuildIDs {
			id, _ := strconv.ParseUint(gid, 10, 64)
			if int((id>>22)%count) != shard {
				t.Errorf("guild %s on shard %d, want %d", gid, shard, (id>>22)%count)
			}
			seen = append(seen, gid)
		}
		if creates := h.srv.guildCreates(shard, count, 250); len(creates) != len(h.srv.readyData(shard, count).GuildIDs) {
			t.Errorf("shard %d: %d GUILD_CREATEs for %d guilds in READY", shard, len(creates), len(h.srv.readyData(shard, count).GuildIDs))
		}
	}
	slices.Sort(all)
	slices.Sort(seen)
	if !slices.Equal(all, seen) {
		t.Fatalf("guilds over all shards %v, want each once: %v", seen, all)
	}
	if shardsUsed < 2 {
		t.Fatalf("all guilds on one shard; the test's clock did not spread them")
	}
}
