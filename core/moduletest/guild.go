package moduletest

import (
	"log/slog"
	"strconv"
	"testing"

	"github.com/disgoorg/disgo/rest"

	"github.com/together-bot/together/core/discord/restlimit"
	"github.com/together-bot/together/discordsim"
	"github.com/together-bot/together/discordsim/simtest"
)

// Guild is one guild in an emulator started for the test; cleanup fails the
// test for any request the bot sent that Discord would refuse.
type Guild struct {
	T   testing.TB
	Sim *discordsim.Server
	ID  uint64
}

// NewGuild starts an emulator with opts and creates a guild called name.
func NewGuild(t testing.TB, opts discordsim.Options, name string) *Guild {
	t.Helper()
	sim := simtest.New(t, opts)
	g, err := sim.CreateGuild(name)
	if err != nil {
		t.Fatal(err)
	}
	return &Guild{T: t, Sim: sim, ID: ID(t, g)}
}

// Channel creates a channel in the guild.
func (g *Guild) Channel(spec discordsim.ChannelSpec) uint64 {
	g.T.Helper()
	return g.created(g.Sim.CreateChannel(g.str(), spec))
}

// Member adds a member to the guild.
func (g *Guild) Member(spec discordsim.MemberSpec) uint64 {
	g.T.Helper()
	return g.created(g.Sim.AddMember(g.str(), spec))
}

// Role creates a role with the given permission bits.
func (g *Guild) Role(name string, permissions uint64) uint64 {
	g.T.Helper()
	return g.created(g.Sim.CreateRole(g.str(), name, permissions))
}

// created is the id the emulator gave what a control call made; the test
// fails if the call did.
func (g *Guild) created(id string, err error) uint64 {
	g.T.Helper()
	if err != nil {
		g.T.Fatal(err)
	}
	return ID(g.T, id)
}

// Messages lists a channel's messages, oldest first.
func (g *Guild) Messages(channel uint64) []map[string]any {
	g.T.Helper()
	return g.listed(g.Sim.Messages(strconv.FormatUint(channel, 10)))
}

// DMs lists the messages in a user's DM channel with the bot.
func (g *Guild) DMs(user uint64) []map[string]any {
	g.T.Helper()
	return g.listed(g.Sim.DMs(strconv.FormatUint(user, 10)))
}

func (g *Guild) listed(ms []map[string]any, err error) []map[string]any {
	g.T.Helper()
	if err != nil {
		g.T.Fatal(err)
	}
	return ms
}

// Rest is a REST client for the emulator with the project's rate limiter
// (opts after the logger), as one bot process has.
func (g *Guild) Rest(log *slog.Logger, opts ...restlimit.Option) rest.Rest {
	opts = append([]restlimit.Option{restlimit.WithLogger(log)}, opts...)
	return rest.New(rest.NewClient(g.Sim.Token(), rest.WithURL(g.Sim.APIURL()),
		rest.WithRateLimiter(restlimit.New(opts...)), rest.WithLogger(log)))
}

func (g *Guild) str() string { return strconv.FormatUint(g.ID, 10) }

// ID parses a snowflake the emulator returned, failing the test if it is not one.
func ID(t testing.TB, s string) uint64 {
	t.Helper()
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		t.Fatalf("bad id %q: %v", s, err)
	}
	return v
}
