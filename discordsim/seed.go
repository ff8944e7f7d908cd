package discordsim

import (
	"fmt"
	"math/rand/v2"
	"net/http"

	"github.com/together-bot/together/discordsim/gateway"
)

// WorldSpec describes a generated world for scale runs (SeedWorld).
type WorldSpec struct {
	// Guilds is how many guilds to create (1 to MaxSeedGuilds).
	Guilds int `json:"guilds"`
	// MembersPerGuild counts the human members of each guild, its owner
	// and one staff member included (2 to MaxSeedMembers); the bot comes on
	// top.
	MembersPerGuild int `json:"members_per_guild"`
	// Seed makes names and the choice of staff reproducible; ids are
	// snowflakes from the server clock as always.
	Seed uint64 `json:"seed"`
}

// Limits of SeedWorld, well above the scale benchmark's 10,000 × 50.
const (
	MaxSeedGuilds  = 100_000
	MaxSeedMembers = 10_000
)

// SeededGuild names what SeedWorld created in one guild.
type SeededGuild struct {
	GuildID     string `json:"guild_id"`
	OwnerID     string `json:"owner_id"`
	StaffID     string `json:"staff_id"`
	StaffRoleID string `json:"staff_role_id"`
	CategoryID  string `json:"category_id"`
	// ChannelIDs maps the text channels' names (general, hall, oracle,
	// raid, duels) to their ids.
	ChannelIDs map[string]string `json:"channel_ids"`
	// MemberIDs are the other human members, in join order.
	MemberIDs []string `json:"member_ids"`
}

// seedChannels are the text channels every generated guild gets: one per
// module that posts in a configured channel, plus general.
var seedChannels = []string{"general", "hall", "oracle", "raid", "duels"}

// seedWords make readable, seed-determined usernames.
var seedWords = []string{"amber", "birch", "cedar", "dune", "ember", "fern", "gale", "heath", "iris", "juniper",
	"kelp", "lark", "moss", "nova", "opal", "pine", "quill", "reed", "sage", "tide", "umber", "vale", "wren", "yew"}

// SeedWorld creates spec.Guilds guilds, each with an owner, a staff member
// holding a Staff role (MANAGE_GUILD), the other members, a category and
// the text channels in seedChannels; the bot joins each with its managed
// role. It holds the world lock for the whole run (a 10,000 × 50 world takes
// a few seconds), so it is meant for before the bot connects; a connected
// bot receives one GUILD_CREATE per guild, like when it is added to them.
func (s *Server) SeedWorld(spec WorldSpec) ([]SeededGuild, error) {
	if spec.Guilds < 1 || spec.Guilds > MaxSeedGuilds {
		return nil, controlErr(http.StatusBadRequest, "guilds must be 1 to %d, got %d", MaxSeedGuilds, spec.Guilds)
	}
	if spec.MembersPerGuild < 2 || spec.MembersPerGuild > MaxSeedMembers {
		return nil, controlErr(http.StatusBadRequest, "members_per_guild must be 2 to %d, got %d", MaxSeedMembers, spec.MembersPerGuild)
	}
	rng := rand.New(rand.NewPCG(spec.Seed, spec.Seed^0x9e3779b97f4a7c15))
	out := make([]SeededGuild, 0, spec.Guilds)
	var pending []pendingEvent
	s.mu.Lock()
	for i := range spec.Guilds {
		g, seeded := s.seedGuildLocked(i, spec.MembersPerGuild, rng)
		out = append(out, seeded)
		pending = append(pending, pendingEvent{guildID: g.ID, name: "GUILD_CREATE", data: s.guildCreateJSON(g, gateway.DefaultLargeThreshold)})
	}
	s.mu.Unlock()
	s.flush(pending)
	s.log.Info("world seeded", "guilds", spec.Guilds, "members_per_guild", spec.MembersPerGuild, "seed", spec.Seed)
	return out, nil
}

// seedGuildLocked builds one generated guild. Caller holds s.mu.
func (s *Server) seedGuildLocked(n, members int, rng *rand.Rand) (*guild, SeededGuild) {
	gid := s.ids.next()
	g := s.newGuildLocked(gid, fmt.Sprintf("Guild %d", n+1))
	staff := s.createRoleLocked(g, "Staff", PermManageGuild)
	seeded := SeededGuild{GuildID: gid, StaffRoleID: staff.ID, ChannelIDs: map[string]string{}}

	// The staff member is a random one of the non-owner members.
	staffAt := 1 + rng.IntN(members-1)
	for i := range members {
		uid := s.ids.next()
		name := fmt.Sprintf("%s-%s-%d", seedWords[rng.IntN(len(seedWords))], seedWords[rng.IntN(len(seedWords))], i)
		s.st.users[uid] = &user{ID: uid, Username: name}
		var roles []string
		switch {
		case i == 0:
			g.OwnerID, seeded.OwnerID = uid, uid
		case i == staffAt:
			roles = []string{staff.ID}
			seeded.StaffID = uid
		default:
			seeded.MemberIDs = append(seeded.MemberIDs, uid)
		}
		s.addMemberLocked(g, uid, roles)
	}
	s.botJoinsLocked(g)

	cat := s.insertChannelLocked(g, "together", ChannelGuildCategory, "", nil)
	seeded.CategoryID = cat.ID
	for _, name := range seedChannels {
		seeded.ChannelIDs[name] = s.insertChannelLocked(g, name, ChannelGuildText, "", nil).ID
	}
	return g, seeded
}
