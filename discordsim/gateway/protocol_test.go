package gateway

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

func TestIdentifyReadyAndGuildCreate(t *testing.T) {
	t.Parallel()
	srv, url := startServer(t, baseOptions(t))
	c := dialRaw(t, url)

	hello := c.expect(opHello, "")
	var h struct {
		HeartbeatInterval int64 `json:"heartbeat_interval"`
	}
	if err := json.Unmarshal(hello.D, &h); err != nil || h.HeartbeatInterval != 60000 {
		t.Fatalf("hello d = %s", hello.D)
	}
	if hello.S != nil || hello.T != nil {
		t.Fatalf("hello must have null s and t: %+v", hello)
	}

	c.send(opIdentify, identifyPayload(1, 2))
	ready := c.expect(opDispatch, "READY")
	if *ready.S != 1 {
		t.Fatalf("READY s = %d, want 1", *ready.S)
	}
	var r struct {
		V                int    `json:"v"`
		SessionID        string `json:"session_id"`
		ResumeGatewayURL string `json:"resume_gateway_url"`
		Shard            [2]int `json:"shard"`
		Guilds           []struct {
			ID          string `json:"id"`
			Unavailable bool   `json:"unavailable"`
		} `json:"guilds"`
		Application struct {
			ID    string `json:"id"`
			Flags *int   `json:"flags"`
		} `json:"application"`
		User struct {
			ID string `json:"id"`
		} `json:"user"`
	}
	if err := json.Unmarshal(ready.D, &r); err != nil {
		t.Fatal(err)
	}
	if r.V != 10 || r.SessionID == "" || r.Shard != [2]int{1, 2} || r.User.ID != "1" ||
		r.Application.ID != "1" || r.Application.Flags == nil {
		t.Fatalf("READY = %s", ready.D)
	}
	if !strings.HasPrefix(r.ResumeGatewayURL, "ws://127.0.0.1") {
		t.Fatalf("resume_gateway_url = %q", r.ResumeGatewayURL)
	}
	if len(r.Guilds) != 1 || r.Guilds[0].ID != guildOnShard1 || !r.Guilds[0].Unavailable {
		t.Fatalf("READY guilds = %+v, want only the shard-1 guild as unavailable", r.Guilds)
	}
	gc := c.expect(opDispatch, "GUILD_CREATE")
	if *gc.S != 2 || !strings.Contains(string(gc.D), guildOnShard1) {
		t.Fatalf("GUILD_CREATE s=%d d=%s", *gc.S, gc.D)
	}

	st := srv.Shards()
	if len(st) != 1 || st[0].ShardID != 1 || st[0].ShardCount != 2 || !st[0].Connected ||
		st[0].SessionID != r.SessionID || st[0].Seq != 2 || st[0].Identified.IsZero() {
		t.Fatalf("Shards() = %+v", st)
	}
}

func TestHeartbeatAck(t *testing.T) {
	t.Parallel()
	_, url := startServer(t, baseOptions(t))
	c := dialRaw(t, url)
	c.expect(opHello, "")
	c.send(opHeartbeat, nil) // allowed before identify, d may be null
	c.expect(opHeartbeatACK, "")
	c.send(opIdentify, identifyPayload(0, 2))
	c.expect(opDispatch, "READY")
	c.expect(opDispatch, "GUILD_CREATE")
	c.send(opHeartbeat, 2)
	c.expect(opHeartbeatACK, "")
}

func TestMissedHeartbeatClosesAndEndsSession(t *testing.T) {
	t.Parallel()
	opts := baseOptions(t)
	opts.HeartbeatInterval = 200 * time.Millisecond // timeout 300ms
	_, url := startServer(t, opts)
	c := dialRaw(t, url)
	sessionID, _ := c.identify()
	c.expectClose(CloseSessionTimedOut)

	// 4009 means "start a new session": resuming is refused.
	c2 := dialRaw(t, url)
	c2.expect(opHello, "")
	c2.send(opResume, map[string]any{"token": testToken, "session_id": sessionID, "seq": 1})
	if f := c2.expect(opInvalidSession, ""); string(f.D) != "false" {
		t.Fatalf("op 9 d = %s", f.D)
	}
}

func TestHeartbeatsKeepConnectionAlive(t *testing.T) {
	t.Parallel()
	opts := baseOptions(t)
	opts.HeartbeatInterval = 100 * time.Millisecond
	opts.HeartbeatTimeout = time.Second
	_, url := startServer(t, opts)
	c := dialRaw(t, url)
	c.identify(0, 2)
	c.expect(opDispatch, "GUILD_CREATE")
	// Heartbeats every ~interval for well past the timeout: still alive.
	deadline := time.Now().Add(1500 * time.Millisecond)
	for time.Now().Before(deadline) {
		c.send(opHeartbeat, 2)
		c.expect(opHeartbeatACK, "")
		time.Sleep(100 * time.Millisecond)
	}
}

func TestCloseCodes(t *testing.T) {
	t.Parallel()
	big := `{"op":3,"d":{"status":"` + strings.Repeat("x", 5000) + `"}}`
	cases := []struct {
		name string
		run  func(c *rawClient)
		code int
	}{
		{"payload before identify", func(c *rawClient) {
			c.send(opPresenceUpdate, map[string]any{"status": "online", "afk": false, "activities": []any{}})
		}, CloseNotAuthenticated},
		{"bad token", func(c *rawClient) {
			d := identifyPayload()
			d["token"] = "wrong"
			c.send(opIdentify, d)
		}, CloseAuthenticationFailed},
		{"bad token on resume", func(c *rawClient) {
			c.send(opResume, map[string]any{"token": "wrong", "session_id": "x", "seq": 0})
		}, CloseAuthenticationFailed},
		{"shard id beyond count", func(c *rawClient) { c.send(opIdentify, identifyPayload(2, 2)) }, CloseInvalidShard},
		{"negative shard", func(c *rawClient) { c.send(opIdentify, identifyPayload(-1, 2)) }, CloseInvalidShard},
		{"zero shard count", func(c *rawClient) { c.send(opIdentify, identifyPayload(0, 0)) }, CloseInvalidShard},
		{"unknown opcode", func(c *rawClient) { c.send(5, map[string]any{}) }, CloseUnknownOpcode},
		{"server-only opcode", func(c *rawClient) { c.send(opHeartbeatACK, nil) }, CloseUnknownOpcode},
		{"malformed json", func(c *rawClient) { c.sendText(`{"op":1,`) }, CloseDecodeError},
		{"missing op", func(c *rawClient) { c.sendText(`{"d":null}`) }, CloseDecodeError},
		{"wrong field type", func(c *rawClient) { c.sendText(`{"op":2,"d":{"token":5}}`) }, CloseDecodeError},
		{"frame over 4096 bytes", func(c *rawClient) { c.sendText(big) }, CloseDecodeError},
		{"unknown intent bit", func(c *rawClient) {
			d := identifyPayload()
			d["intents"] = 1 << 30
			c.send(opIdentify, d)
		}, CloseInvalidIntents},
		{"identify twice", func(c *rawClient) {
			c.send(opIdentify, identifyPayload())
			c.expect(opDispatch, "READY")
			c.send(opIdentify, identifyPayload())
		}, CloseAlreadyAuthenticated},
		{"send rate limit", func(c *rawClient) {
			for range 121 {
				c.send(opHeartbeat, nil)
			}
		}, CloseRateLimited},
	}
	_, url := startServer(t, baseOptions(t))
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := dialRaw(t, url)
			c.expect(opHello, "")
			tc.run(c)
			c.expectClose(tc.code)
		})
	}
}

func TestInvalidAPIVersion(t *testing.T) {
	t.Parallel()
	_, url := startServer(t, baseOptions(t))
	for _, q := range []string{"?v=9&encoding=json", "?encoding=json"} {
		ws, _, err := websocketDial(url + q)
		if err != nil {
			t.Fatal(err)
		}
		c := &rawClient{t: t, ws: ws}
		c.expectClose(CloseInvalidAPIVersion)
		_ = ws.Close()
	}
	resp, err := http.Get(strings.Replace(url, "ws", "http", 1) + "?v=10&encoding=etf")
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("encoding=etf: status %d, want 400", resp.StatusCode)
	}
}

func TestCommandsAcceptedAfterIdentify(t *testing.T) {
	t.Parallel()
	opts := baseOptions(t)
	opts.GuildMembers = func(req MemberRequest) []json.RawMessage {
		if req.GuildID != guildOnShard0 || len(req.UserIDs) != 1 || req.UserIDs[0] != "3" {
			t.Errorf("member request = %+v", req)
		}
		return []json.RawMessage{json.RawMessage(`{"user":{"id":"3","username":"user"},"roles":[],"joined_at":"2024-01-01T00:00:00Z"}`)}
	}
	_, url := startServer(t, opts)
	c := dialRaw(t, url)
	c.identify()
	c.expect(opDispatch, "GUILD_CREATE")
	c.expect(opDispatch, "GUILD_CREATE")
	c.send(opPresenceUpdate, map[string]any{"since": nil, "activities": []any{}, "status": "idle", "afk": false})
	c.send(opVoiceStateUpdate, map[string]any{"guild_id": guildOnShard0, "channel_id": nil, "self_mute": false, "self_deaf": false})
	c.send(opRequestGuildMembers, map[string]any{"guild_id": guildOnShard0, "user_ids": "3", "limit": 0, "nonce": "n1"})
	chunk := c.expect(opDispatch, "GUILD_MEMBERS_CHUNK")
	var ch struct {
		Members    []json.RawMessage `json:"members"`
		ChunkCount int               `json:"chunk_count"`
		Nonce      string            `json:"nonce"`
	}
	if err := json.Unmarshal(chunk.D, &ch); err != nil || len(ch.Members) != 1 || ch.ChunkCount != 1 || ch.Nonce != "n1" {
		t.Fatalf("chunk = %s", chunk.D)
	}
	if *chunk.S != 4 {
		t.Fatalf("chunk s = %d, want 4", *chunk.S)
	}
	c.send(opHeartbeat, 4)
	c.expect(opHeartbeatACK, "")
}

func TestIdentifyTimeout(t *testing.T) {
	t.Parallel()
	opts := baseOptions(t)
	opts.IdentifyTimeout = 50 * time.Millisecond
	_, url := startServer(t, opts)
	c := dialRaw(t, url)
	c.expect(opHello, "")
	c.send(opHeartbeat, nil) // heartbeating alone does not authenticate
	c.expect(opHeartbeatACK, "")
	c.expectClose(CloseSessionTimedOut)
}

func TestShutdown(t *testing.T) {
	t.Parallel()
	srv, url := startServer(t, baseOptions(t)) // its cleanup's second Shutdown is a no-op
	c := dialRaw(t, url)
	c.identify()

	done := make(chan error, 1)
	go func() { done <- shutdown(srv) }()
	c.expectClose(websocket.CloseGoingAway)
	if err := <-done; err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if _, resp, err := websocketDial(url + "?v=10"); err == nil || resp == nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("dial after shutdown: err %v resp %v", err, resp)
	}
}
