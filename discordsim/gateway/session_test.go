package gateway

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// connectedSession identifies on shard 0 of 2 (one guild) and consumes
// READY (s=1) and GUILD_CREATE (s=2).
func connectedSession(t *testing.T, url string) (*rawClient, string) {
	t.Helper()
	c := dialRaw(t, url)
	id, _ := c.identify(0, 2)
	c.expect(opDispatch, "GUILD_CREATE")
	return c, id
}

func resume(t *testing.T, url, sessionID string, seq int64) *rawClient {
	t.Helper()
	c := dialRaw(t, url)
	c.expect(opHello, "")
	c.send(opResume, map[string]any{"token": testToken, "session_id": sessionID, "seq": seq})
	return c
}

func expectInvalidSession(t *testing.T, c *rawClient, resumable bool) {
	t.Helper()
	f := c.expect(opInvalidSession, "")
	if string(f.D) != fmt.Sprint(resumable) {
		t.Fatalf("op 9 d = %s, want %v", f.D, resumable)
	}
}

// waitDisconnected polls Shards until the session is detached; the server
// notices a dropped socket asynchronously.
func waitDisconnected(t *testing.T, srv *Server, sessionID string) {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for time.Now().Before(deadline) {
		for _, s := range srv.Shards() {
			if s.SessionID == sessionID && !s.Connected {
				return
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("session %s never disconnected: %+v", sessionID, srv.Shards())
}

func TestResumeReplaysMissedDispatchesInOrder(t *testing.T) {
	t.Parallel()
	srv, url := startServer(t, baseOptions(t))
	c, id := connectedSession(t, url)
	srv.Dispatch(guildOnShard0, "MESSAGE_CREATE", messageCreate(guildOnShard0, "seen"))
	c.expect(opDispatch, "MESSAGE_CREATE") // s=3

	// Drop the socket without a close frame, like a network failure.
	_ = c.ws.UnderlyingConn().Close()
	waitDisconnected(t, srv, id)
	for i := range 3 {
		srv.Dispatch(guildOnShard0, "MESSAGE_CREATE", messageCreate(guildOnShard0, fmt.Sprint("missed ", i)))
	}
	srv.Dispatch(guildOnShard1, "MESSAGE_CREATE", messageCreate(guildOnShard1, "other shard"))

	c2 := resume(t, url, id, 3)
	for i := range 3 {
		f := c2.expect(opDispatch, "MESSAGE_CREATE")
		var m struct{ Content string }
		_ = json.Unmarshal(f.D, &m)
		if *f.S != int64(4+i) || m.Content != fmt.Sprint("missed ", i) {
			t.Fatalf("replay %d: s=%d content=%q", i, *f.S, m.Content)
		}
	}
	if f := c2.expect(opDispatch, "RESUMED"); *f.S != 7 {
		t.Fatalf("RESUMED s = %d, want 7", *f.S)
	}
	srv.Dispatch(guildOnShard0, "MESSAGE_CREATE", messageCreate(guildOnShard0, "live"))
	if f := c2.expect(opDispatch, "MESSAGE_CREATE"); *f.S != 8 {
		t.Fatalf("live s = %d, want 8", *f.S)
	}

	// A resume from an earlier seq replays the older events too but never
	// the RESUMED marker; this also takes the session over from c2.
	c3 := resume(t, url, id, 5)
	for _, want := range []int64{6, 8} {
		if f := c3.expect(opDispatch, "MESSAGE_CREATE"); *f.S != want {
			t.Fatalf("second replay s = %d, want %d", *f.S, want)
		}
	}
	c3.expect(opDispatch, "RESUMED")
	c2.expectClose(CloseUnknownError)
}

func TestResumeRefused(t *testing.T) {
	t.Parallel()
	srv, url := startServer(t, baseOptions(t))

	t.Run("unknown session", func(t *testing.T) {
		c := resume(t, url, "nope", 0)
		expectInvalidSession(t, c, false)
		// After op 9 the connection may identify afresh.
		c.send(opIdentify, identifyPayload(0, 2))
		c.expect(opDispatch, "READY")
	})
	t.Run("seq ahead of server", func(t *testing.T) {
		c, id := connectedSession(t, url)
		_ = c.ws.UnderlyingConn().Close()
		waitDisconnected(t, srv, id)
		expectInvalidSession(t, resume(t, url, id, 99), false)
	})
	t.Run("client closed with 1000", func(t *testing.T) {
		c, id := connectedSession(t, url)
		_ = c.ws.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, "bye"))
		c.expectClose(websocket.CloseNormalClosure) // the server echoes it
		expectInvalidSession(t, resume(t, url, id, 2), false)
	})
	t.Run("client closed with 4000 stays resumable", func(t *testing.T) {
		c, id := connectedSession(t, url)
		_ = c.ws.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(4000, "brb"))
		c.expectClose(4000)
		waitDisconnected(t, srv, id)
		resume(t, url, id, 2).expect(opDispatch, "RESUMED")
	})
	t.Run("resume while identified", func(t *testing.T) {
		c, id := connectedSession(t, url)
		c.send(opResume, map[string]any{"token": testToken, "session_id": id, "seq": 2})
		c.expectClose(CloseAlreadyAuthenticated)
	})
}

func TestResumeBufferOverflowEndsSession(t *testing.T) {
	t.Parallel()
	opts := baseOptions(t)
	opts.ResumeBuffer = 5
	srv, url := startServer(t, opts)
	c, id := connectedSession(t, url)
	_ = c.ws.UnderlyingConn().Close()
	waitDisconnected(t, srv, id)
	for range 6 {
		srv.Dispatch(guildOnShard0, "MESSAGE_CREATE", messageCreate(guildOnShard0, "x"))
	}
	if len(srv.Shards()) != 0 {
		t.Fatalf("session survived overflow: %+v", srv.Shards())
	}
	expectInvalidSession(t, resume(t, url, id, 2), false)
}

func TestResumeWindowExpires(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	opts := baseOptions(t)
	opts.Now = clock.Now
	opts.ResumeWindow = time.Minute
	srv, url := startServer(t, opts)
	c, id := connectedSession(t, url)
	_ = c.ws.UnderlyingConn().Close()
	waitDisconnected(t, srv, id)
	clock.Advance(time.Minute + time.Second)
	expectInvalidSession(t, resume(t, url, id, 2), false)
}

func TestServerFaults(t *testing.T) {
	t.Parallel()
	srv, url := startServer(t, baseOptions(t))

	c, id := connectedSession(t, url)
	srv.Reconnect()
	c.expect(opReconnect, "")
	_ = c.ws.UnderlyingConn().Close()
	waitDisconnected(t, srv, id)
	c = resume(t, url, id, 2)
	c.expect(opDispatch, "RESUMED")

	srv.RequestHeartbeat()
	c.expect(opHeartbeat, "")

	srv.InvalidSession(true)
	expectInvalidSession(t, c, true)
	c.send(opResume, map[string]any{"token": testToken, "session_id": id, "seq": 3})
	c.expect(opDispatch, "RESUMED")

	srv.Close(CloseUnknownError)
	c.expectClose(CloseUnknownError)
	c = resume(t, url, id, 4)
	c.expect(opDispatch, "RESUMED")

	srv.InvalidSession(false)
	expectInvalidSession(t, c, false)
	if len(srv.Shards()) != 0 {
		t.Fatalf("session survived op 9 false: %+v", srv.Shards())
	}
	c.send(opIdentify, identifyPayload(0, 2))
	c.expect(opDispatch, "READY")

	srv.Close(CloseSessionTimedOut)
	c.expectClose(CloseSessionTimedOut)
	if len(srv.Shards()) != 0 {
		t.Fatalf("session survived close 4009: %+v", srv.Shards())
	}
}

func TestIdentifyConcurrency(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	opts := baseOptions(t)
	opts.Now = clock.Now
	opts.EnforceIdentifyConcurrency = nil // default: enforced
	opts.MaxConcurrency = 2
	_, url := startServer(t, opts)

	connectedSession(t, url) // shard 0, bucket 0
	c := dialRaw(t, url)
	c.identify(1, 2) // shard 1 is bucket 1: allowed at once

	c2 := dialRaw(t, url)
	c2.expect(opHello, "")
	c2.send(opIdentify, identifyPayload(0, 2)) // bucket 0 again within 5 s
	expectInvalidSession(t, c2, false)

	clock.Advance(5 * time.Second)
	c2.send(opIdentify, identifyPayload(0, 2))
	c2.expect(opDispatch, "READY")
}

func TestDispatchRoutingAndIntents(t *testing.T) {
	t.Parallel()
	srv, url := startServer(t, baseOptions(t))
	s0, _ := connectedSession(t, url)
	s1 := dialRaw(t, url)
	s1.expect(opHello, "")
	d := identifyPayload(1, 2)
	d["intents"] = 1 << 0 // GUILDS only
	s1.send(opIdentify, d)
	s1.expect(opDispatch, "READY")
	s1.expect(opDispatch, "GUILD_CREATE")

	srv.Dispatch(guildOnShard1, "MESSAGE_CREATE", messageCreate(guildOnShard1, "no intent"))
	srv.Dispatch(guildOnShard1, "CHANNEL_CREATE", json.RawMessage(`{"id":"5","type":0,"guild_id":"`+guildOnShard1+`"}`))
	srv.Dispatch("", "MESSAGE_CREATE", messageCreate("", "dm"))
	srv.Dispatch(guildOnShard0, "INTERACTION_CREATE", json.RawMessage(`{"id":"6"}`))

	// Shard 1 has no GUILD_MESSAGES: only the channel event arrives.
	s1.expect(opDispatch, "CHANNEL_CREATE")
	// Shard 0 gets the DM (DMs live on shard 0) and the intent-free event.
	s0.expect(opDispatch, "MESSAGE_CREATE")
	s0.expect(opDispatch, "INTERACTION_CREATE")

	// Prove nothing else was queued for either: the next payload is the ACK.
	for _, c := range []*rawClient{s0, s1} {
		c.send(opHeartbeat, nil)
		c.expect(opHeartbeatACK, "")
	}
}

func TestCompressedTransports(t *testing.T) {
	t.Parallel()
	_, url := startServer(t, baseOptions(t))
	for _, mode := range []string{"zlib-stream", "zstd-stream"} {
		ws, _, err := websocketDial(url + "?v=10&encoding=json&compress=" + mode)
		if err != nil {
			t.Fatal(err)
		}
		mt, _, err := ws.ReadMessage()
		if err != nil || mt != websocket.BinaryMessage {
			t.Fatalf("%s: hello message type %d err %v", mode, mt, err)
		}
		_ = ws.Close()
	}
}
