// Package apptest boots the whole bot for end-to-end tests: the Discord
// emulator, a fresh Postgres schema and the real runtime with the modules under
// test. Tests then act as users through the emulator and read what the bot did.
package apptest

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/disgoorg/disgo/rest"
	"github.com/disgoorg/snowflake/v2"
	"go.uber.org/fx"

	"github.com/together-bot/together/core/config"
	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/db/dbtest"
	"github.com/together-bot/together/core/discord/gateway"
	"github.com/together-bot/together/core/interaction"
	"github.com/together-bot/together/core/interaction/commands"
	"github.com/together-bot/together/core/logging"
	"github.com/together-bot/together/core/module"
	"github.com/together-bot/together/core/queue"
	"github.com/together-bot/together/core/runtime"
	"github.com/together-bot/together/discordsim"
)

// Options choose what to boot.
type Options struct {
	// Modules are the feature modules under test; their requirements must be
	// listed too (the catalog is built from exactly these).
	Modules []module.Descriptor
	// Sim configures the emulator; zero values are Discord's defaults.
	Sim discordsim.Options
	// Env overrides configuration variables (e.g. DEFAULT_TIMEZONE).
	Env map[string]string
	// Extra fx options, e.g. fx.Populate to reach a module's service.
	Extra []fx.Option
	// DatabaseURL, when set, is the database the bot uses instead of a fresh
	// schema on the shared DATABASE_URL server: outage drills pass a private
	// dbtest.NewCluster they can stop and start. Harness.DB opens it too.
	DatabaseURL string
	// SharedSim, when set, is an emulator this harness uses instead of
	// starting its own (Sim is then ignored): several harnesses sharing one
	// emulator and one database (DatabaseURL) are several processes of one
	// bot, e.g. with disjoint SHARD_IDS. The harness neither seeds a guild
	// (Guild stays empty) nor closes it; its owner does both.
	SharedSim *discordsim.Server
	// LogOutput, when set, also receives the bot's log (text, debug level), so
	// a test can assert on lines such as ShardDisconnect.
	LogOutput io.Writer
	// HTTPInteractions makes the bot serve the HTTP interactions endpoint
	// (INTERACTIONS_ADDR, DISCORD_PUBLIC_KEY = the emulator's key). A harness
	// that owns its emulator also sets the emulator's endpoint URL to it, so
	// interactions arrive signed over HTTP instead of the gateway; with
	// SharedSim the emulator's owner decides where interactions go.
	HTTPInteractions bool
}

// Harness is a running bot plus the world it lives in.
type Harness struct {
	T      testing.TB
	Sim    *discordsim.Server
	Guild  discordsim.DemoGuild
	DB     *db.DB
	Queue  *queue.Queue
	Runner *queue.Runner
	Schema string // empty with Options.DatabaseURL
	opts   Options
	app    *fx.App
	cfg    *config.Config
	sel    module.Selection
	log    *slog.Logger
	vars   map[string]string
	router *interaction.Router
	rest   rest.Rest
}

// Start boots everything and waits until the gateway is ready. Cleanup stops
// the bot and fails the test if any request broke Discord's API rules.
//
// End-to-end tests are named TestE2E... (benchmarks may call Start too):
// `make test` runs them in a second pass without the race detector, because
// disgo's own gateway races (race_on.go) would fail every one of them under
// -race; everything else runs with -race.
func Start(t testing.TB, opts Options) *Harness {
	t.Helper()
	if _, isBench := t.(*testing.B); !isBench && !strings.HasPrefix(t.Name(), "TestE2E") {
		t.Fatalf("end-to-end test %s must be named TestE2E... so make test's e2e pass runs it", t.Name())
	}
	SkipUnderRace(t)
	logOut := io.Discard
	if os.Getenv("APPTEST_LOG") != "" {
		logOut = os.Stderr
	}
	if opts.LogOutput != nil {
		logOut = io.MultiWriter(logOut, opts.LogOutput)
	}
	log := logging.New(logOut, "text", slog.LevelDebug)
	sim, guild := opts.SharedSim, discordsim.DemoGuild{}
	if sim == nil {
		simOpts := opts.Sim
		if simOpts.Logger == nil {
			simOpts.Logger = log.With("component", "discordsim")
		}
		var err error
		if sim, err = discordsim.New(simOpts); err != nil {
			t.Fatal(err)
		}
		if err := sim.Start(""); err != nil {
			t.Fatal(err)
		}
		if guild, err = sim.SeedDemoGuild(); err != nil {
			t.Fatal(err)
		}
	}
	schema, dbURL := "", opts.DatabaseURL
	if dbURL == "" {
		schema = dbtest.Schema(t)
		dbURL = withSearchPath(dbtest.URL(t), schema)
	}
	h := &Harness{T: t, Sim: sim, Guild: guild, Schema: schema, opts: opts, log: log}
	t.Cleanup(func() {
		h.Stop()
		if opts.SharedSim == nil {
			_ = sim.Close()
			sim.RequireNoViolations(t)
		}
	})

	vars := map[string]string{
		"DATABASE_URL":    dbURL,
		"DISCORD_TOKEN":   sim.Token(),
		"DISCORD_APP_ID":  sim.AppID(),
		"DISCORD_API_URL": sim.APIURL(),
		"HTTP_ADDR":       freeAddr(t),
	}
	if opts.HTTPInteractions {
		vars["INTERACTIONS_ADDR"] = freeAddr(t)
		vars["DISCORD_PUBLIC_KEY"] = sim.PublicKey()
	}
	for k, v := range opts.Env {
		vars[k] = v
	}
	h.vars = vars
	var err error
	h.cfg, err = config.Load(config.FromMap(vars))
	if err != nil {
		t.Fatal(err)
	}
	cat, err := module.NewCatalog(opts.Modules...)
	if err != nil {
		t.Fatal(err)
	}
	if h.sel, err = cat.Resolve(nil); err != nil {
		t.Fatal(err)
	}
	if schema != "" {
		h.DB = dbtest.Open(t, schema)
	} else {
		d, err := db.Open(context.Background(), dbURL, db.Options{MaxConns: 4})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(d.Close)
		h.DB = d
	}
	h.Boot()
	if opts.HTTPInteractions && opts.SharedSim == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := sim.SetInteractionsEndpoint(ctx, h.InteractionsURL()); err != nil {
			t.Fatalf("set the interactions endpoint: %v", err)
		}
	}
	return h
}

// SkipUnderRace skips a test that opens a real gateway connection (through
// Start, or `app run` in-process) when built with -race; see Start.
func SkipUnderRace(t testing.TB) {
	t.Helper()
	if raceEnabled {
		t.Skip("end-to-end: runs in make test's pass without -race (disgo v0.19.6 gateway data races)")
	}
}

// Boot starts the bot process (again, after Stop: a restart).
func (h *Harness) Boot() {
	t := h.T
	t.Helper()
	var gw *gateway.Gateway
	var rst rest.Rest
	extra := append([]fx.Option{fx.Populate(&gw, &h.Queue, &h.Runner, &h.router, &rst)}, h.opts.Extra...)
	h.app = fx.New(runtime.Options(runtime.Params{Config: h.cfg, Selection: h.sel, Logger: h.log, Version: "test",
		Test: true, Extra: extra}))
	if err := h.app.Err(); err != nil {
		t.Fatalf("build app: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := h.app.Start(ctx); err != nil {
		t.Fatalf("start app: %v", err)
	}
	h.WaitUntil(30*time.Second, "gateway ready", gw.Ready)
	// Register the commands before the test acts, as `app run` does at start.
	appID, err := snowflake.Parse(h.Sim.AppID())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := commands.Sync(ctx, rst, appID, nil, h.router.Definitions()); err != nil {
		t.Fatalf("sync commands: %v", err)
	}
	h.rest = rst
}

// SyncGuildCommands also registers the bot's commands in the seeded guild,
// as `app commands sync --guild` does.
func (h *Harness) SyncGuildCommands() {
	h.T.Helper()
	appID, guildID := snowflake.MustParse(h.Sim.AppID()), snowflake.MustParse(h.Guild.GuildID)
	if _, err := commands.Sync(context.Background(), h.rest, appID, &guildID, h.router.Definitions()); err != nil {
		h.T.Fatalf("sync guild commands: %v", err)
	}
}

// Stop shuts the bot down gracefully (the emulator and database stay).
func (h *Harness) Stop() {
	if h.app == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := h.app.Stop(ctx); err != nil {
		h.T.Errorf("stop app: %v", err)
	}
	h.app = nil
}

// Env is the bot's configuration as environment variables (database, token,
// API URL, HTTP address and Options.Env), for running CLI commands against it.
func (h *Harness) Env() map[string]string {
	out := map[string]string{}
	for k, v := range h.vars {
		out[k] = v
	}
	return out
}

// HTTPURL is the bot's ops listener (/healthz, /metrics), e.g. "http://127.0.0.1:1234".
func (h *Harness) HTTPURL() string { return "http://" + h.cfg.HTTPAddr }

// InteractionsURL is the bot's HTTP interactions endpoint ("" unless
// Options.HTTPInteractions).
func (h *Harness) InteractionsURL() string {
	if h.cfg.InteractionsAddr == "" {
		return ""
	}
	return "http://" + h.cfg.InteractionsAddr + interaction.EndpointPath
}

// Interact acts as a user and fails the test if the emulator refuses the action.
func (h *Harness) Interact(spec discordsim.InteractionSpec) discordsim.InteractionResult {
	h.T.Helper()
	if spec.GuildID == "" {
		spec.GuildID = h.Guild.GuildID
	}
	if spec.ChannelID == "" {
		spec.ChannelID = h.Guild.ChannelIDs["general"]
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	res, err := h.Sim.Interact(ctx, spec)
	if err != nil {
		h.T.Fatalf("interact %+v: %v", spec, err)
	}
	if res.Failed {
		h.T.Fatalf("interaction %q was not answered within Discord's deadline", spec.Command+spec.CustomID)
	}
	return res
}

// Command runs a slash command as a user.
func (h *Harness) Command(userID, command string, options map[string]any) discordsim.InteractionResult {
	h.T.Helper()
	return h.Interact(discordsim.InteractionSpec{Type: discordsim.InteractKindCommand, UserID: userID, Command: command, Options: options})
}

// WaitUntil polls cond until it holds.
func (h *Harness) WaitUntil(timeout time.Duration, what string, cond func() bool) {
	h.T.Helper()
	dbtest.WaitUntil(h.T, timeout, what, cond)
}

func withSearchPath(url, schema string) string {
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	return fmt.Sprintf("%s%ssearch_path=%s", url, sep, schema)
}

func freeAddr(t testing.TB) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}
