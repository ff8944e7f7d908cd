package gateway

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/together-bot/together/core/logging/logtest"
)

// These tests drive the server with disgo's real gateway client, the
// library the bot uses, so reconnect/resume behaviour is checked against
// what a production client actually does. disgo runs in a child process
// (internal/disgopeer, built without -race) because disgo v0.19.6 has data
// races of its own that would fail any -race test binary it runs in.
// disgo waits 1 s before every (re)connect, so each test takes seconds.

// disgoLine mirrors disgopeer's output.
type disgoLine struct {
	Kind      string `json:"kind"`
	Type      string `json:"type"`
	Seq       int    `json:"seq"`
	SessionID string `json:"session_id"`
	ResumeURL string `json:"resume_url"`
	GuildID   string `json:"guild_id"`
	Content   string `json:"content"`
	CloseCode int    `json:"close_code"`
	Error     string `json:"error"`
}

var peerBuild struct {
	once sync.Once
	path string
	err  error
}

// peerBinary builds disgopeer once per test binary.
func peerBinary(t *testing.T) string {
	t.Helper()
	peerBuild.once.Do(func() {
		dir, err := os.MkdirTemp("", "disgopeer")
		if err != nil {
			peerBuild.err = err
			return
		}
		peerBuild.path = filepath.Join(dir, "disgopeer")
		goTool, err := exec.LookPath("go")
		if err != nil {
			peerBuild.err = err
			return
		}
		cmd := exec.Command(goTool, "build", "-o", peerBuild.path, "./internal/disgopeer")
		if out, err := cmd.CombinedOutput(); err != nil {
			peerBuild.err = fmt.Errorf("go build disgopeer: %v\n%s", err, out)
		}
	})
	if peerBuild.err != nil {
		t.Fatal(peerBuild.err)
	}
	return peerBuild.path
}

func TestMain(m *testing.M) {
	code := m.Run()
	if peerBuild.path != "" {
		_ = os.RemoveAll(filepath.Dir(peerBuild.path))
	}
	os.Exit(code)
}

type disgoPeer struct {
	t         *testing.T
	events    chan disgoLine
	acks      chan struct{}
	openError chan disgoLine
}

// startDisgo runs a disgo gateway client against url. Extra args are
// disgopeer flags (-shard-id, -shard-count, -compress).
func startDisgo(t *testing.T, url, token string, args ...string) *disgoPeer {
	t.Helper()
	p := &disgoPeer{
		t:         t,
		events:    make(chan disgoLine, 1000),
		acks:      make(chan struct{}, 1000),
		openError: make(chan disgoLine, 1),
	}
	cmd := exec.Command(peerBinary(t), append([]string{"-url", url, "-token", token}, args...)...)
	stderr := &logtest.Buffer{} // the child's stderr, for failure reports
	cmd.Stderr = stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	read := make(chan struct{})
	go func() {
		defer close(read)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			var l disgoLine
			if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
				continue
			}
			switch l.Kind {
			case "ack":
				p.acks <- struct{}{}
			case "event":
				p.events <- l
			case "open_error":
				p.openError <- l
			}
		}
	}()
	t.Cleanup(func() {
		_, _ = io.WriteString(stdin, "close\n")
		_ = stdin.Close()
		select {
		case <-read:
		case <-time.After(waitFor):
			_ = cmd.Process.Kill()
			<-read
		}
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("disgo log:\n%s", stderr.String())
		}
	})
	return p
}

func openDisgo(t *testing.T, url string, args ...string) *disgoPeer {
	t.Helper()
	return startDisgo(t, url, testToken, args...)
}

func (p *disgoPeer) next() disgoLine {
	p.t.Helper()
	select {
	case ev := <-p.events:
		return ev
	case l := <-p.openError:
		p.t.Fatalf("disgo failed to open: %s", l.Error)
	case <-time.After(waitFor):
		p.t.Fatal("timed out waiting for a disgo event")
	}
	return disgoLine{}
}

// expect waits for the next event and checks its type and sequence number.
func (p *disgoPeer) expect(typ string, seq int) disgoLine {
	p.t.Helper()
	ev := p.next()
	if ev.Type != typ || ev.Seq != seq {
		p.t.Fatalf("disgo got %s s=%d, want %s s=%d", ev.Type, ev.Seq, typ, seq)
	}
	return ev
}

func (p *disgoPeer) expectMessage(content string, seq int) {
	p.t.Helper()
	if ev := p.expect("MESSAGE_CREATE", seq); ev.Content != content {
		p.t.Fatalf("message content %q, want %q", ev.Content, content)
	}
}

func (p *disgoPeer) expectAck() {
	p.t.Helper()
	select {
	case <-p.acks:
	case <-time.After(waitFor):
		p.t.Fatal("no heartbeat ACK reached disgo")
	}
}

// expectReady consumes READY and the shard's GUILD_CREATEs and returns the
// READY event.
func (p *disgoPeer) expectReady(guildIDs ...string) disgoLine {
	p.t.Helper()
	ready := p.expect("READY", 1)
	for i, id := range guildIDs {
		if gc := p.expect("GUILD_CREATE", 2+i); gc.GuildID != id {
			p.t.Fatalf("GUILD_CREATE for %s, want %s", gc.GuildID, id)
		}
	}
	return ready
}

func waitShard(t *testing.T, srv *Server, connected bool) ShardState {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for time.Now().Before(deadline) {
		if st := srv.Shards(); len(st) == 1 && st[0].Connected == connected {
			return st[0]
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("shard never reached connected=%v: %+v", connected, srv.Shards())
	return ShardState{}
}

func TestDisgoIdentify(t *testing.T) {
	t.Parallel()
	srv, url := startServer(t, baseOptions(t))
	p := openDisgo(t, url) // disgo's default transport: zstd-stream
	ready := p.expectReady(guildOnShard0, guildOnShard1)
	if st := waitShard(t, srv, true); st.SessionID != ready.SessionID {
		t.Fatalf("server session %q, READY %q", st.SessionID, ready.SessionID)
	}
	if ready.ResumeURL != url {
		t.Fatalf("resume URL %q, want %q", ready.ResumeURL, url)
	}
	srv.Dispatch(guildOnShard0, "MESSAGE_CREATE", messageCreate(guildOnShard0, "hello"))
	p.expectMessage("hello", 4)
}

func TestDisgoTransports(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"", "zlib-payload", "zlib-stream", "zstd-stream"} {
		t.Run("compress="+mode, func(t *testing.T) {
			t.Parallel()
			srv, url := startServer(t, baseOptions(t))
			p := openDisgo(t, url, "-compress", mode)
			p.expectReady(guildOnShard0, guildOnShard1)
			for _, m := range []string{"one", "two", "three"} {
				srv.Dispatch("", "MESSAGE_CREATE", messageCreate("", m))
			}
			p.expectMessage("one", 4)
			p.expectMessage("two", 5)
			p.expectMessage("three", 6)
		})
	}
}

func TestDisgoHeartbeats(t *testing.T) {
	t.Parallel()
	t.Run("periodic", func(t *testing.T) {
		t.Parallel()
		opts := baseOptions(t)
		opts.HeartbeatInterval = 100 * time.Millisecond
		opts.HeartbeatTimeout = 3 * time.Second // generous: -race on a busy box
		_, url := startServer(t, opts)
		p := openDisgo(t, url)
		for range 3 {
			p.expectAck()
		}
	})
	t.Run("requested by server", func(t *testing.T) {
		t.Parallel()
		srv, url := startServer(t, baseOptions(t)) // 60 s interval: no periodic beats
		p := openDisgo(t, url)
		p.expectReady(guildOnShard0, guildOnShard1)
		srv.RequestHeartbeat()
		p.expectAck()
	})
}

func TestDisgoResumesAfterClose4000WithMissedDispatches(t *testing.T) {
	t.Parallel()
	srv, url := startServer(t, baseOptions(t))
	p := openDisgo(t, url, "-compress", "")
	id := p.expectReady(guildOnShard0, guildOnShard1).SessionID
	srv.Dispatch(guildOnShard0, "MESSAGE_CREATE", messageCreate(guildOnShard0, "live"))
	p.expectMessage("live", 4)

	srv.Close(CloseUnknownError)
	if st := srv.Shards(); len(st) != 1 || st[0].Connected {
		t.Fatalf("session not detached by close: %+v", st)
	}
	for _, m := range []string{"missed 1", "missed 2", "missed 3"} {
		srv.Dispatch(guildOnShard0, "MESSAGE_CREATE", messageCreate(guildOnShard0, m))
	}
	p.expectMessage("missed 1", 5)
	p.expectMessage("missed 2", 6)
	p.expectMessage("missed 3", 7)
	p.expect("RESUMED", 8)
	if st := waitShard(t, srv, true); st.SessionID != id {
		t.Fatalf("resumed into session %q, want %q", st.SessionID, id)
	}
	srv.Dispatch(guildOnShard0, "MESSAGE_CREATE", messageCreate(guildOnShard0, "after"))
	p.expectMessage("after", 9)
}

func TestDisgoReconnectOpcode(t *testing.T) {
	t.Parallel()
	srv, url := startServer(t, baseOptions(t))
	p := openDisgo(t, url)
	id := p.expectReady(guildOnShard0, guildOnShard1).SessionID
	srv.Reconnect()
	waitShard(t, srv, false) // disgo closed the socket itself
	srv.Dispatch(guildOnShard0, "MESSAGE_CREATE", messageCreate(guildOnShard0, "while away"))
	p.expectMessage("while away", 4)
	p.expect("RESUMED", 5)
	if st := waitShard(t, srv, true); st.SessionID != id {
		t.Fatalf("op 7 led to a new session %q, want resume of %q", st.SessionID, id)
	}
}

func TestDisgoInvalidSession(t *testing.T) {
	t.Parallel()
	t.Run("not resumable: re-identifies", func(t *testing.T) {
		t.Parallel()
		srv, url := startServer(t, baseOptions(t))
		p := openDisgo(t, url)
		first := p.expectReady(guildOnShard0, guildOnShard1).SessionID
		srv.InvalidSession(false)
		second := p.expectReady(guildOnShard0, guildOnShard1).SessionID
		if second == first {
			t.Fatal("re-identify reused the old session ID")
		}
		if st := waitShard(t, srv, true); st.SessionID != second {
			t.Fatalf("server session %q, want %q", st.SessionID, second)
		}
	})
	t.Run("resumable: resumes", func(t *testing.T) {
		t.Parallel()
		srv, url := startServer(t, baseOptions(t))
		p := openDisgo(t, url)
		id := p.expectReady(guildOnShard0, guildOnShard1).SessionID
		srv.InvalidSession(true)
		p.expect("RESUMED", 4)
		if st := waitShard(t, srv, true); st.SessionID != id {
			t.Fatalf("server session %q, want resumed %q", st.SessionID, id)
		}
	})
}

func TestDisgoShardRouting(t *testing.T) {
	t.Parallel()
	opts := baseOptions(t)
	opts.EnforceIdentifyConcurrency = nil // enforced; two buckets let both shards start at once
	opts.MaxConcurrency = 2
	srv, url := startServer(t, opts)
	s0 := openDisgo(t, url, "-shard-id", "0", "-shard-count", "2")
	s1 := openDisgo(t, url, "-shard-id", "1", "-shard-count", "2")
	s0.expectReady(guildOnShard0)
	s1.expectReady(guildOnShard1)

	srv.Dispatch(guildOnShard1, "MESSAGE_CREATE", messageCreate(guildOnShard1, "for shard 1"))
	srv.Dispatch("", "MESSAGE_CREATE", messageCreate("", "dm"))
	srv.Dispatch(guildOnShard0, "MESSAGE_CREATE", messageCreate(guildOnShard0, "for shard 0"))
	srv.Dispatch(guildOnShard1, "MESSAGE_CREATE", messageCreate(guildOnShard1, "shard 1 again"))

	// Each shard's stream is exactly its own events, in order.
	s0.expectMessage("dm", 3)
	s0.expectMessage("for shard 0", 4)
	s1.expectMessage("for shard 1", 3)
	s1.expectMessage("shard 1 again", 4)

	st := srv.Shards()
	if len(st) != 2 || st[0].ShardID != 0 || st[1].ShardID != 1 || st[0].ShardCount != 2 {
		t.Fatalf("Shards() = %+v", st)
	}
}

func TestDisgoBadToken(t *testing.T) {
	t.Parallel()
	_, url := startServer(t, baseOptions(t))
	p := startDisgo(t, url, "wrong-token")
	select {
	case l := <-p.openError:
		if l.CloseCode != CloseAuthenticationFailed {
			t.Fatalf("open error %q (close %d), want close 4004", l.Error, l.CloseCode)
		}
	case ev := <-p.events:
		t.Fatalf("disgo got %s with a wrong token", ev.Type)
	case <-time.After(waitFor):
		t.Fatal("disgo neither opened nor failed")
	}
}
