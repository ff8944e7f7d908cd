package discordsim

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/disgoorg/disgo"
	"github.com/disgoorg/disgo/bot"
	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/disgo/events"
	"github.com/disgoorg/disgo/gateway"
	"github.com/disgoorg/disgo/rest"
)

// TestDisgoBotEndToEnd drives a real disgo v0.19.6 bot running in its own
// process, configured only through DISCORD_API_URL and a token, exactly like
// the real bot: it discovers the gateway with GET /gateway, connects,
// registers a command with a bulk overwrite, answers a scripted /ping with a
// button, then answers the click by updating the message.
//
// The bot runs in a child process because disgo v0.19.6's gateway has data
// races of its own (heartbeat goroutine vs listener and Close); the child
// runs with GORACE=exitcode=0 so they cannot fail this package's tests, and
// can be killed cleanly.
func TestDisgoBotEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a bot process")
	}
	// A generous deadline: this test checks the plumbing through gateway
	// faults, not latency (the 3 s rule has its own test), and disgo's
	// reconnect backoff must not make it flaky on a loaded machine.
	srv, err := New(Options{Logger: slog.New(slog.DiscardHandler), InteractionDeadline: 15 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	world, err := srv.SeedDemoGuild()
	if err != nil {
		t.Fatal(err)
	}

	var out bytes.Buffer
	cmd := exec.Command(os.Args[0], "-test.run=^TestDisgoBotProcess$", "-test.v")
	cmd.Env = append(os.Environ(), "DISCORDSIM_BOT_PROCESS=1", "DISCORD_API_URL="+srv.APIURL(),
		"DISCORD_TOKEN="+srv.Token(), "GORACE=exitcode=0")
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// Ask the bot to stop, then kill it: disgo's Close can block after
		// gateway faults, and the bot's shutdown is not under test here.
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(3 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("bot process output:\n%s", out.String())
		}
	})

	// The bot is ready once its command is registered.
	waitFor(t, 20*time.Second, "bot registered /ping", func() bool {
		srv.mu.Lock()
		defer srv.mu.Unlock()
		return findCommandByName(srv.st.globalCommands, "ping") != nil
	})
	shards := srv.gw.Shards()
	if len(shards) != 1 || !shards[0].Connected {
		t.Fatalf("gateway shards %+v", shards)
	}

	bob := world.MemberIDs[0]
	ch := world.ChannelIDs["general"]
	res := simInteract(t, srv, InteractionSpec{Type: "command", GuildID: world.GuildID, ChannelID: ch, UserID: bob, Command: "ping"})
	if res.Failed || res.Message["content"] != "pong" {
		t.Fatalf("command result %+v", res)
	}
	res = simInteract(t, srv, InteractionSpec{Type: "component", GuildID: world.GuildID, ChannelID: ch, UserID: bob, MessageID: res.MessageID, CustomID: "ping-again"})
	if res.Failed || res.Message["content"] != "pong x2 by bob" || res.Message["edit_count"].(float64) != 1 {
		t.Fatalf("component result %+v", res)
	}
	// Gateway faults: the bot reconnects/resumes and still answers; events
	// sent meanwhile are replayed on resume.
	for _, f := range []Fault{{Kind: FaultReconnect}, {Kind: FaultGatewayClose, Code: 4000}} {
		if err := srv.InjectFault(f); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		res = simInteract(t, srv, InteractionSpec{Type: "command", GuildID: world.GuildID, ChannelID: ch, UserID: bob, Command: "ping"})
		if res.Failed || res.Message["content"] != "pong" {
			t.Fatalf("after %s: %+v", f.Kind, res)
		}
		t.Logf("answered %s after %v", f.Kind, time.Since(start))
	}
	if st := srv.Stats(); st.ByRoute["GET /gateway"] != 1 || st.ByRoute["PUT /applications/{application_id}/commands"] != 1 {
		t.Fatalf("bot did not use discovery + bulk overwrite: %v", st.ByRoute)
	}
	srv.RequireNoViolations(t)
}

// TestDisgoBotProcess is the bot of TestDisgoBotEndToEnd; it only runs in
// the child process.
func TestDisgoBotProcess(t *testing.T) {
	if os.Getenv("DISCORDSIM_BOT_PROCESS") != "1" {
		t.Skip("helper process for TestDisgoBotEndToEnd")
	}
	client, err := disgo.New(os.Getenv("DISCORD_TOKEN"),
		bot.WithRestClientConfigOpts(rest.WithURL(os.Getenv("DISCORD_API_URL"))),
		bot.WithGatewayConfigOpts(gateway.WithIntents(gateway.IntentGuilds, gateway.IntentGuildMessages)),
		bot.WithEventListenerFunc(func(e *events.ApplicationCommandInteractionCreate) {
			if e.Data.CommandName() != "ping" {
				return
			}
			err := e.CreateMessage(discord.NewMessageCreate().WithContent("pong").
				WithComponents(discord.NewActionRow(discord.NewPrimaryButton("Again", "ping-again"))))
			if err != nil {
				t.Errorf("create message: %v", err)
			}
		}),
		bot.WithEventListenerFunc(func(e *events.ComponentInteractionCreate) {
			err := e.UpdateMessage(discord.NewMessageUpdate().WithContent("pong x2 by " + e.User().Username).WithComponents())
			if err != nil {
				t.Errorf("update message: %v", err)
			}
		}),
	)
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if err := client.OpenGateway(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := client.Rest.SetGlobalCommands(client.ApplicationID, []discord.ApplicationCommandCreate{
		discord.SlashCommandCreate{Name: "ping", Description: "Ping the bot"},
	}); err != nil {
		t.Fatal(err)
	}
	<-ctx.Done()
	closeCtx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	client.Close(closeCtx)
}

func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// simInteract goes through the HTTP control API, like a script would.
func simInteract(t *testing.T, srv *Server, spec InteractionSpec) InteractionResult {
	t.Helper()
	body, _ := json.Marshal(spec)
	resp, err := http.Post(srv.URL()+"/_sim/interactions", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("interact: %d %s", resp.StatusCode, raw)
	}
	var res InteractionResult
	if err := json.Unmarshal(raw, &res); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), `"failed":true`) {
		t.Logf("interaction failed: %s", raw)
	}
	return res
}
