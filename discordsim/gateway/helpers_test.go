package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/together-bot/together/core/clocktest"
)

const (
	testToken = "test-token"
	// waitFor bounds every wait on the peer; generous so -race on a busy
	// machine never flakes, while passing tests finish far sooner.
	waitFor = 10 * time.Second
)

// Guild IDs chosen so (id >> 22) % 2 is known: guildOnShard0 lands on
// shard 0 and guildOnShard1 on shard 1 when sharding by two.
var (
	guildOnShard0 = fmt.Sprint(uint64(2) << 22)
	guildOnShard1 = fmt.Sprint(uint64(3) << 22)
	allGuilds     = []string{guildOnShard0, guildOnShard1}
)

func guildCreate(id string) json.RawMessage {
	return json.RawMessage(fmt.Sprintf(`{"id":%q,"name":"guild %s","owner_id":"2","joined_at":"2024-01-01T00:00:00Z","large":false,"member_count":1,"unavailable":false,"roles":[],"emojis":[],"stickers":[],"features":[],"channels":[],"threads":[],"members":[],"voice_states":[],"presences":[],"stage_instances":[],"guild_scheduled_events":[],"soundboard_sounds":[]}`, id, id))
}

func messageCreate(guildID, content string) json.RawMessage {
	gid := ""
	if guildID != "" {
		gid = fmt.Sprintf(`"guild_id":%q,`, guildID)
	}
	return json.RawMessage(fmt.Sprintf(`{"id":"100","channel_id":"200",%s"content":%q,"author":{"id":"3","username":"user"},"timestamp":"2024-01-01T00:00:00Z","type":0,"attachments":[],"embeds":[],"mentions":[],"mention_roles":[],"pinned":false,"tts":false,"mention_everyone":false}`, gid, content))
}

// baseOptions returns options with a catalogue of two guilds, a long
// heartbeat interval (tests about heartbeats lower it) and identify
// concurrency off (tests about it turn it on).
func baseOptions(t *testing.T) Options {
	off := false
	return Options{
		Token:                      testToken,
		HeartbeatInterval:          time.Minute,
		EnforceIdentifyConcurrency: &off,
		Ready: func(shardID, shardCount int) ReadyData {
			return ReadyData{
				User:          json.RawMessage(`{"id":"1","username":"bot","discriminator":"0","bot":true}`),
				ApplicationID: "1",
				GuildIDs:      allGuilds, // the server drops other shards' IDs
			}
		},
		GuildCreates: func(shardID, shardCount, _ int) []json.RawMessage {
			var out []json.RawMessage
			for _, id := range allGuilds {
				if s, _ := shardFor(id, shardCount); s == shardID {
					out = append(out, guildCreate(id))
				}
			}
			return out
		},
		Logger: slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
}

// startServer serves opts on an httptest server and returns its ws URL.
func startServer(t *testing.T, opts Options) (*Server, string) {
	t.Helper()
	srv := NewServer(opts)
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	t.Cleanup(func() {
		if err := shutdown(srv); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	return srv, "ws" + strings.TrimPrefix(ts.URL, "http")
}

// shutdown stops srv, giving its connections waitFor to close.
func shutdown(srv *Server) error {
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	return srv.Shutdown(ctx)
}

// frame is a decoded server payload.
type frame struct {
	Op int             `json:"op"`
	S  *int64          `json:"s"`
	T  *string         `json:"t"`
	D  json.RawMessage `json:"d"`
}

func (f frame) event() string {
	if f.T == nil {
		return ""
	}
	return *f.T
}

// rawClient is a hand-driven websocket peer for protocol edge cases.
type rawClient struct {
	t  *testing.T
	ws *websocket.Conn
}

func dialRaw(t *testing.T, url string) *rawClient {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial(url+"?v=10&encoding=json", nil)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { _ = ws.Close() })
	return &rawClient{t: t, ws: ws}
}

func (c *rawClient) send(op int, d any) {
	c.t.Helper()
	if err := c.ws.WriteJSON(map[string]any{"op": op, "d": d}); err != nil {
		c.t.Fatalf("send op %d: %v", op, err)
	}
}

func (c *rawClient) sendText(s string) {
	c.t.Helper()
	if err := c.ws.WriteMessage(websocket.TextMessage, []byte(s)); err != nil {
		c.t.Fatalf("send: %v", err)
	}
}

func (c *rawClient) read() (frame, error) {
	_ = c.ws.SetReadDeadline(time.Now().Add(waitFor))
	var f frame
	_, data, err := c.ws.ReadMessage()
	if err != nil {
		return f, err
	}
	if err := json.Unmarshal(data, &f); err != nil {
		c.t.Fatalf("server sent invalid JSON %q: %v", data, err)
	}
	return f, nil
}

// expect reads the next payload and checks its op (and event for op 0).
func (c *rawClient) expect(op int, event string) frame {
	c.t.Helper()
	f, err := c.read()
	if err != nil {
		c.t.Fatalf("waiting for op %d %s: %v", op, event, err)
	}
	if f.Op != op || f.event() != event {
		c.t.Fatalf("got op %d %q (d=%s), want op %d %q", f.Op, f.event(), f.D, op, event)
	}
	return f
}

// expectClose reads until the server closes and checks the code.
func (c *rawClient) expectClose(code int) {
	c.t.Helper()
	for {
		f, err := c.read()
		if err == nil {
			c.t.Logf("before close: op %d %q", f.Op, f.event())
			continue
		}
		var ce *websocket.CloseError
		if !errors.As(err, &ce) {
			c.t.Fatalf("want close %d, got %v", code, err)
		}
		if ce.Code != code {
			c.t.Fatalf("close code %d (%q), want %d", ce.Code, ce.Text, code)
		}
		return
	}
}

func identifyPayload(shard ...int) map[string]any {
	d := map[string]any{
		"token":      testToken,
		"intents":    1<<0 | 1<<9 | 1<<12, // GUILDS | GUILD_MESSAGES | DIRECT_MESSAGES
		"properties": map[string]string{"os": "linux", "browser": "test", "device": "test"},
	}
	if len(shard) == 2 {
		d["shard"] = shard
	}
	return d
}

// identify performs Hello → Identify → READY and returns the session ID
// and READY's sequence number.
func (c *rawClient) identify(shard ...int) (sessionID string, ready frame) {
	c.t.Helper()
	c.expect(opHello, "")
	c.send(opIdentify, identifyPayload(shard...))
	ready = c.expect(opDispatch, "READY")
	var r struct {
		SessionID string `json:"session_id"`
	}
	if err := json.Unmarshal(ready.D, &r); err != nil {
		c.t.Fatal(err)
	}
	return r.SessionID, ready
}

func newFakeClock() *clocktest.Manual { return clocktest.New(time.Unix(1_700_000_000, 0)) }

func websocketDial(url string) (*websocket.Conn, *http.Response, error) {
	return websocket.DefaultDialer.Dial(url, nil)
}
