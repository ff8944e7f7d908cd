package pairhometest

import (
	"context"
	"testing"

	"github.com/together-bot/together/core/apptest"
	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/moduletest"
	"github.com/together-bot/together/discordsim"
)

// SeedPair writes an active pair of two members straight into pairhome's
// tables, as /pair create and the room job would, for other modules'
// end-to-end tests that run pairhome but are not about it. room is the pair
// room's channel id ("" for a pair whose room is not made yet). Ids are the
// emulator's snowflakes.
func SeedPair(t testing.TB, d *db.DB, guildID, memberA, memberB, room string) int64 {
	t.Helper()
	g, a, b := int64(moduletest.ID(t, guildID)), int64(moduletest.ID(t, memberA)), int64(moduletest.ID(t, memberB))
	lo, hi := min(a, b), max(a, b)
	state, channel := "pending", any(nil)
	if room != "" {
		state, channel = "ready", int64(moduletest.ID(t, room))
	}
	ctx := context.Background()
	var id int64
	if err := d.Pool.QueryRow(ctx, `INSERT INTO pairhome_pairs (guild_id, user_low, user_high, room_state, channel_id, room_name)
		VALUES ($1, $2, $3, $4, $5, 'pair-room') RETURNING id`, g, lo, hi, state, channel).Scan(&id); err != nil {
		t.Fatalf("seed pair: %v", err)
	}
	if _, err := d.Pool.Exec(ctx, `INSERT INTO pairhome_members (guild_id, user_id, pair_id) VALUES ($1, $2, $4), ($1, $3, $4)`,
		g, lo, hi, id); err != nil {
		t.Fatalf("seed pair members: %v", err)
	}
	return id
}

// Rooms is what SeedRooms made: pair i of Members[i] lives in Rooms[i].
type Rooms struct {
	Members [2][2]string
	Rooms   [2]string
	Pairs   [2]int64
}

// SeedRooms pairs the demo guild's two members, and two members it adds
// (dave and erin), each pair with a room under the demo category.
func SeedRooms(t testing.TB, h *apptest.Harness) Rooms {
	t.Helper()
	var r Rooms
	r.Members[0] = [2]string{h.Guild.MemberIDs[0], h.Guild.MemberIDs[1]}
	for i, name := range []string{"dave", "erin"} {
		id, err := h.Sim.AddMember(h.Guild.GuildID, discordsim.MemberSpec{Username: name})
		if err != nil {
			t.Fatal(err)
		}
		r.Members[1][i] = id
	}
	for i := range r.Rooms {
		room, err := h.Sim.CreateChannel(h.Guild.GuildID, discordsim.ChannelSpec{Name: "pair-room", ParentID: h.Guild.CategoryID})
		if err != nil {
			t.Fatal(err)
		}
		r.Rooms[i] = room
		r.Pairs[i] = SeedPair(t, h.DB, h.Guild.GuildID, r.Members[i][0], r.Members[i][1], room)
	}
	return r
}
