package gateway

import (
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// TestDuplicateSessionIsAViolation: a second session connected on a shard
// while the first still is, by identify or by resume, is recorded; a session
// on another shard, or after the first closed, is not.
func TestDuplicateSessionIsAViolation(t *testing.T) {
	t.Parallel()
	srv, url := startServer(t, baseOptions(t))
	first := dialRaw(t, url)
	firstID, _ := first.identify(0, 2)
	other := dialRaw(t, url)
	other.identify(1, 2)
	if vs := srv.Violations(); len(vs) != 0 {
		t.Fatalf("violations for distinct shards: %+v", vs)
	}
	second := dialRaw(t, url)
	secondID, _ := second.identify(0, 2)
	vs := srv.Violations()
	if len(vs) != 1 || vs[0].Kind != ViolationDuplicateSession || vs[0].ShardID != 0 || vs[0].ShardCount != 2 ||
		vs[0].SessionID != secondID || vs[0].OtherSessionID != firstID {
		t.Fatalf("violations %+v, want one duplicate_session of %s against %s", vs, secondID, firstID)
	}

	// Both close cleanly; a new session on shard 0 is no duplicate.
	for _, c := range []*rawClient{first, second} {
		_ = c.ws.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""))
		_ = c.ws.Close()
	}
	waitGone(t, srv, firstID)
	waitGone(t, srv, secondID)
	third := dialRaw(t, url)
	third.identify(0, 2)
	if vs := srv.Violations(); len(vs) != 1 {
		t.Fatalf("violations after a clean handover: %+v", vs)
	}
}

// TestResumeOntoAConnectedShardIsAViolation: resuming a dropped session of
// shard 0 while another process has identified on shard 0 is a duplicate.
func TestResumeOntoAConnectedShardIsAViolation(t *testing.T) {
	t.Parallel()
	srv, url := startServer(t, baseOptions(t))
	c, id := connectedSession(t, url)
	_ = c.ws.Close() // dropped, resumable
	waitDisconnected(t, srv, id)
	other := dialRaw(t, url)
	other.identify(0, 2)
	if vs := srv.Violations(); len(vs) != 0 {
		t.Fatalf("a fresh identify next to a detached session is recorded: %+v", vs)
	}
	r := resume(t, url, id, 2)
	r.expect(opDispatch, "RESUMED")
	if vs := srv.Violations(); len(vs) != 1 || vs[0].Kind != ViolationDuplicateSession || vs[0].SessionID != id {
		t.Fatalf("violations %+v, want the resume of %s", vs, id)
	}
}

// TestIdentifyConcurrencyPerBucket: with max_concurrency 2, shards 0 and 2
// share bucket 0: the second identify within 5 s gets op 9 d=false (what
// Discord documents) and is counted; shard 1's bucket is free; 5 s later
// shard 2 may identify.
func TestIdentifyConcurrencyPerBucket(t *testing.T) {
	t.Parallel()
	opts := baseOptions(t)
	clock := newFakeClock()
	opts.Now, opts.MaxConcurrency, opts.EnforceIdentifyConcurrency = clock.Now, 2, nil
	srv, url := startServer(t, opts)
	dialRaw(t, url).identify(0, 4)
	early := dialRaw(t, url)
	early.expect(opHello, "")
	early.send(opIdentify, identifyPayload(2, 4))
	expectInvalidSession(t, early, false)
	if n := srv.IdentifiesRefused(); n != 1 {
		t.Fatalf("IdentifiesRefused = %d, want 1", n)
	}
	dialRaw(t, url).identify(1, 4)
	clock.Advance(identifyWindow)
	dialRaw(t, url).identify(2, 4)
	if n := srv.IdentifiesRefused(); n != 1 {
		t.Fatalf("IdentifiesRefused = %d after the window, want 1", n)
	}
}

// TestSessionStartLimit: each identify spends a session start; when none
// is left the identify is a violation and every session ends (Discord resets
// the token); the budget refills 24 h after the window's first identify.
func TestSessionStartLimit(t *testing.T) {
	t.Parallel()
	opts := baseOptions(t)
	clock := newFakeClock()
	opts.Now, opts.SessionStartTotal = clock.Now, 2
	srv, url := startServer(t, opts)
	if l := srv.SessionStarts(); l.Total != 2 || l.Remaining != 2 || l.MaxConcurrency != 1 {
		t.Fatalf("fresh limit %+v", l)
	}
	a := dialRaw(t, url)
	a.identify(0, 2)
	clock.Advance(time.Hour)
	dialRaw(t, url).identify(1, 2)
	l := srv.SessionStarts()
	if l.Remaining != 0 || l.ResetAfterMS != int((23*time.Hour).Milliseconds()) {
		t.Fatalf("limit after two identifies %+v, want 0 remaining, reset in 23 h", l)
	}
	c := dialRaw(t, url)
	c.expect(opHello, "")
	c.send(opIdentify, identifyPayload(0, 2))
	c.expectClose(CloseAuthenticationFailed)
	a.expectClose(CloseAuthenticationFailed)
	if vs := srv.Violations(); len(vs) != 1 || vs[0].Kind != ViolationSessionStartLimit {
		t.Fatalf("violations %+v", vs)
	}
	clock.Advance(23 * time.Hour)
	if l := srv.SessionStarts(); l.Remaining != 2 {
		t.Fatalf("limit after the window %+v, want refilled", l)
	}
}

// waitGone polls Shards until the session no longer exists.
func waitGone(t *testing.T, srv *Server, sessionID string) {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for time.Now().Before(deadline) {
		found := false
		for _, s := range srv.Shards() {
			found = found || s.SessionID == sessionID
		}
		if !found {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("session %s never ended: %+v", sessionID, srv.Shards())
}
