package discordsim

import (
	"context"
	"encoding/hex"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/disgo/httpserver"
)

// Endpoint behaviours the tests switch between.
const (
	endpointGood    = iota // verifies signatures (disgo), answers PING and commands
	endpointLax            // answers {"type":1} to anything, signed or not
	endpointFailing        // answers 500
)

// testEndpoint is a bot's interactions endpoint built on disgo's httpserver.
func testEndpoint(t *testing.T, publicKey string, mode *atomic.Int32, payloads chan<- discord.Interaction) *httptest.Server {
	t.Helper()
	key, err := hex.DecodeString(publicKey)
	if err != nil {
		t.Fatal(err)
	}
	verified := httpserver.HandleInteraction(httpserver.DefaultVerifier{}, key, slog.New(slog.DiscardHandler),
		func(respond httpserver.RespondFunc, ev httpserver.EventInteractionCreate) {
			if ev.Type() == discord.InteractionTypePing {
				_ = respond(discord.InteractionResponse{Type: discord.InteractionResponseTypePong})
				return
			}
			payloads <- ev.Interaction
			_ = respond(discord.InteractionResponse{Type: discord.InteractionResponseTypeCreateMessage,
				Data: discord.MessageCreate{Content: "answered over http"}})
		})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch mode.Load() {
		case endpointLax:
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"type":1}`))
		case endpointFailing:
			http.Error(w, "boom", http.StatusInternalServerError)
		default:
			verified(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestHTTPInteractionsEndpoint(t *testing.T) {
	h := newHarness(t, Options{})
	h.registerCommands()
	var mode atomic.Int32
	payloads := make(chan discord.Interaction, 10)
	ep := testEndpoint(t, h.srv.PublicKey(), &mode, payloads)
	ctx := context.Background()

	if app := h.api("GET", "/applications/@me", nil).json(t); app["verify_key"] != h.srv.PublicKey() || app["interactions_endpoint_url"] != nil {
		t.Fatalf("application %v", app)
	}

	// An endpoint that does not check signatures, or fails, is refused at save.
	for m, want := range map[int32]string{endpointLax: "invalid signature was answered 200", endpointFailing: "answered 500"} {
		mode.Store(m)
		r := h.do("PUT", "/_sim/application/interactions-endpoint", map[string]any{"url": ep.URL}, "")
		if r.status != 400 || !strings.Contains(string(r.body), want) {
			t.Fatalf("mode %d: %d %s, want 400 with %q", m, r.status, r.body, want)
		}
	}
	if got := h.srv.InteractionsEndpoint().URL; got != "" {
		t.Fatalf("a refused URL was kept: %q", got)
	}

	mode.Store(endpointGood)
	r := h.do("PUT", "/_sim/application/interactions-endpoint", map[string]any{"url": ep.URL}, "")
	if r.status != 200 || r.json(t)["url"] != ep.URL || r.json(t)["public_key"] != h.srv.PublicKey() {
		t.Fatalf("set endpoint: %d %s", r.status, r.body)
	}
	if app := h.api("GET", "/applications/@me", nil).json(t); app["interactions_endpoint_url"] != ep.URL {
		t.Fatalf("application %v", app)
	}

	// The command is POSTed, not dispatched; the response body is the answer.
	res := h.interact(h.commandSpec("duel round start", map[string]any{"opponent": h.world.MemberIDs[1], "arena": h.world.ChannelIDs["duels"]})).wait(t)
	if res.Failed || res.Message["content"] != "answered over http" {
		t.Fatalf("result %+v", res)
	}
	if in := <-payloads; in.ID().String() != res.InteractionID {
		t.Fatalf("endpoint got interaction %s, result is %s", in.ID(), res.InteractionID)
	}
	for len(h.events) > 0 {
		if e := <-h.events; e.event == "INTERACTION_CREATE" {
			t.Fatal("INTERACTION_CREATE went over the gateway while an endpoint is set")
		}
	}
	if st := h.srv.Stats(); st.InteractionsOverHTTP != 1 || st.ByRoute["POST /interactions/{interaction_id}/{interaction_token}/callback"] != 0 {
		t.Fatalf("stats %+v", st)
	}

	// An endpoint that errors leaves the user with a failed interaction.
	mode.Store(endpointFailing)
	if res := h.interact(h.commandSpec("duel round start", map[string]any{"opponent": h.world.MemberIDs[1], "arena": h.world.ChannelIDs["duels"]})).wait(t); !res.Failed {
		t.Fatalf("an endpoint answering 500 did not fail the interaction: %+v", res)
	}

	// A routine check that an endpoint fails removes it: back to the gateway.
	mode.Store(endpointLax)
	if err := h.srv.CheckInteractionsEndpoint(ctx); err == nil || h.srv.InteractionsEndpoint().URL != "" {
		t.Fatalf("check passed a lax endpoint (%v) or kept it (%q)", err, h.srv.InteractionsEndpoint().URL)
	}
	p := h.interact(h.commandSpec("duel round start", map[string]any{"opponent": h.world.MemberIDs[1], "arena": h.world.ChannelIDs["duels"]}))
	in := h.nextInteraction()
	h.expect(h.callback(in, map[string]any{"type": 4, "data": map[string]any{"content": "over the gateway"}}), 204, -1)
	if res := p.wait(t); res.Failed {
		t.Fatalf("gateway interaction failed: %+v", res)
	}
	h.srv.RequireNoViolations(t)
}
