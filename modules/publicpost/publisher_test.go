package publicpost

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/together-bot/together/core/moduletest"
	"github.com/together-bot/together/discordsim"
)

const (
	createRoute = "POST /channels/{channel_id}/messages" // sim stats key
	faultRoute  = "/channels/{channel_id}/messages"      // sim fault route
)

// nonceOf reads a control-API message's nonce.
func nonceOf(m map[string]any) string {
	var s string
	_ = json.Unmarshal(m["nonce"].(json.RawMessage), &s)
	return s
}

func TestPublishDuePost(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.post(e.service(), "t:1", "hello <@123> @everyone", time.Time{})
	st := e.drain(e.publisher(testConfig()))
	if st.Sent != 1 {
		t.Fatalf("drain = %+v, want 1 sent", st)
	}
	got := e.get(p.ID)
	msgs := e.messages(e.channel)
	if len(msgs) != 1 || got.Status != StatusSent || got.SentAt == nil || got.Attempts != 1 {
		t.Fatalf("post %+v, %d messages", got, len(msgs))
	}
	if msgs[0]["id"] != strconv.FormatUint(got.PublishedMessageID, 10) || nonceOf(msgs[0]) != Nonce(p.ID) {
		t.Fatalf("message %v does not match post %+v", msgs[0], got)
	}
}

func TestFuturePostWaits(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.post(e.service(), "t:future", "later", time.Now().Add(time.Hour))
	if st := e.drain(e.publisher(testConfig())); st.Sent != 0 {
		t.Fatalf("published a future post: %+v", st)
	}
	if got := e.get(p.ID); got.Status != StatusPending || got.Attempts != 0 {
		t.Fatalf("future post changed: %+v", got)
	}
}

func TestCreateIsIdempotent(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	svc := e.service()
	first := e.post(svc, "checkin:share:7", "once", time.Time{})
	again, created, err := svc.CreateNow(context.Background(), NewPost{GuildID: e.guild, ChannelID: e.channel,
		Payload: Payload{Content: "different"}, IdempotencyKey: "checkin:share:7"})
	if err != nil || created || again.ID != first.ID || again.Payload.Content != "once" {
		t.Fatalf("second create: %+v created=%v err=%v", again, created, err)
	}
	if _, _, err := svc.CreateNow(context.Background(), NewPost{GuildID: e.guild, ChannelID: e.channel,
		Payload: Payload{Content: strings.Repeat("x", MaxContent+1)}, IdempotencyKey: "k"}); !errors.Is(err, ErrBadPayload) {
		t.Fatalf("oversized payload: %v", err)
	}
	if _, _, err := svc.CreateNow(context.Background(), NewPost{GuildID: e.guild, ChannelID: e.channel,
		Payload: Payload{Content: "\u200b\ufeff\u2060"}, IdempotencyKey: "k"}); !errors.Is(err, ErrBadPayload) {
		t.Fatalf("invisible payload: %v", err)
	}
}

var errCrash = errors.New("simulated crash between send and record")

// TestKillBetweenSendAndRecord: the process dies after Discord created the
// message and before the row says so. The lease expires, another process
// reclaims the post and sends it again with the same nonce: Discord answers
// with the first message, so the channel holds exactly one.
func TestKillBetweenSendAndRecord(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.post(e.service(), "t:crash", "exactly once", time.Time{})
	dying := e.publisher(testConfig())
	dying.afterSend = func(int64) error { return errCrash }
	if _, err := dying.Drain(context.Background(), time.Minute); !errors.Is(err, errCrash) {
		t.Fatalf("drain with crash: %v", err)
	}
	if got := e.get(p.ID); got.Status != StatusProcessing {
		t.Fatalf("after the crash the row should still be processing: %+v", got)
	}

	next := e.publisher(testConfig())
	if st := e.drain(next); st.Sent != 0 {
		t.Fatalf("a live lease was taken over: %+v", st)
	}
	time.Sleep(testConfig().Lease + 100*time.Millisecond)
	if st := e.drain(next); st.Sent != 1 {
		t.Fatalf("expired lease not reclaimed: %+v", st)
	}
	got, msgs := e.get(p.ID), e.messages(e.channel)
	if len(msgs) != 1 || got.Status != StatusSent || msgs[0]["id"] != strconv.FormatUint(got.PublishedMessageID, 10) {
		t.Fatalf("want one message recorded on the post; post %+v, messages %v", got, msgs)
	}
	if got.Attempts != 2 {
		t.Fatalf("attempts = %d, want 2", got.Attempts)
	}
}

// TestReclaimAfterNonceForgotten: the crashed post comes back only after
// Discord forgot the nonce; the publisher finds the message in the channel
// and records it instead of sending a second copy.
func TestReclaimAfterNonceForgotten(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	svc := e.service()
	other := e.post(svc, "t:other", "same words", time.Time{})
	e.drain(e.publisher(testConfig())) // an earlier post with identical text must not be adopted
	p := e.post(svc, "t:stale", "same words", time.Time{})
	dying := e.publisher(testConfig())
	dying.afterSend = func(int64) error { return errCrash }
	_, _ = dying.Drain(context.Background(), time.Minute)
	e.ageAttempt(p.ID, 10*time.Minute)
	e.clock.Advance(6 * time.Minute) // beyond the emulator's 5-minute nonce memory

	posts := e.countRequests(createRoute)
	if st := e.drain(e.publisher(testConfig())); st.Sent != 1 {
		t.Fatalf("drain = %+v", st)
	}
	if n := e.countRequests(createRoute); n != posts {
		t.Fatalf("resent a post whose message exists (%d new creates)", n-posts)
	}
	got, msgs := e.get(p.ID), e.messages(e.channel)
	if len(msgs) != 2 || got.PublishedMessageID == e.get(other.ID).PublishedMessageID ||
		msgs[1]["id"] != strconv.FormatUint(got.PublishedMessageID, 10) {
		t.Fatalf("post %+v, messages %v", got, msgs)
	}
}

// TestReclaimStaleWithoutMessage: the earlier attempt died before reaching
// Discord; the lookup finds nothing and the post is sent once.
func TestReclaimStaleWithoutMessage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.post(e.service(), "t:lost", "never arrived", time.Time{})
	c, err := claimNext(context.Background(), e.db.Bun, p.ID, time.Minute, time.Minute)
	if err != nil || c == nil {
		t.Fatalf("claim: %v %v", c, err)
	}
	e.ageAttempt(p.ID, 10*time.Minute)
	if st := e.drain(e.publisher(testConfig())); st.Sent != 1 {
		t.Fatalf("drain = %+v", st)
	}
	if msgs := e.messages(e.channel); len(msgs) != 1 {
		t.Fatalf("%d messages", len(msgs))
	}
}

// TestDiscordOutageCatchUp: Discord answers 503 while posts fall due; they
// retry with backoff and each is published once when it recovers.
func TestDiscordOutageCatchUp(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	svc := e.service()
	chs := []uint64{e.channel, e.newChannel("second")}
	if err := e.sim.InjectFault(discordsim.Fault{Kind: discordsim.FaultREST5xx, Status: 503, DurationMS: 1500, Route: faultRoute}); err != nil {
		t.Fatal(err)
	}
	const n = 10
	for i := range n {
		if _, _, err := svc.CreateNow(context.Background(), NewPost{GuildID: e.guild, ChannelID: chs[i%2],
			Payload: Payload{Content: "p" + strconv.Itoa(i)}, At: time.Now().Add(time.Duration(i) * 100 * time.Millisecond),
			IdempotencyKey: "t:" + strconv.Itoa(i)}); err != nil {
			t.Fatal(err)
		}
	}
	pub := e.publisher(Config{Lease: 2 * time.Second, MaxAttempts: 50, SendTimeout: time.Second, Backoff: testConfig().Backoff})
	deadline := time.Now().Add(20 * time.Second)
	for e.countStatus(StatusSent) < n {
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d sent", e.countStatus(StatusSent), n)
		}
		e.drain(pub)
		time.Sleep(20 * time.Millisecond)
	}
	var retried int
	if err := e.db.Bun.QueryRowContext(context.Background(), `SELECT count(*) FROM publicpost_posts WHERE attempts > 1`).Scan(&retried); err != nil || retried == 0 {
		t.Fatalf("no post was retried (%v): the fault did not bite", err)
	}
	if got := len(e.messages(chs[0])) + len(e.messages(chs[1])); got != n {
		t.Fatalf("%d messages for %d posts", got, n)
	}
}

// TestGiveUpThenRequeue: a post failing with 5xx past MaxAttempts is failed
// with a clear reason; `app posts requeue` brings it back and it goes out.
func TestGiveUpThenRequeue(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.post(e.service(), "t:giveup", "persistent", time.Time{})
	if err := e.sim.InjectFault(discordsim.Fault{Kind: discordsim.FaultREST5xx, Status: 502, DurationMS: 60_000, Route: faultRoute}); err != nil {
		t.Fatal(err)
	}
	pub := e.publisher(testConfig())
	e.drainUntil(pub, p.ID, StatusFailed)
	got := e.get(p.ID)
	if got.Attempts != 3 || !strings.HasPrefix(got.LastError, "gave up after 3 attempts") {
		t.Fatalf("failed post %+v", got)
	}
	e.sim.ClearFaults()

	n, err := Requeue(context.Background(), e.db, Filter{Statuses: []Status{StatusFailed}, GuildID: e.guild})
	if err != nil || n != 1 {
		t.Fatalf("requeue = %d, %v", n, err)
	}
	if st := e.drain(pub); st.Sent != 1 {
		t.Fatalf("drain after requeue = %+v", st)
	}
	if got := e.get(p.ID); got.Status != StatusSent || len(e.messages(e.channel)) != 1 {
		t.Fatalf("after requeue: %+v", got)
	}
}

func TestPermanentErrorsFailAtOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	svc := e.service()
	hidden, err := e.sim.CreateChannel(strconv.FormatUint(e.guild, 10), discordsim.ChannelSpec{Name: "staff-only",
		Overwrites: []discordsim.Overwrite{{ID: e.sim.BotUserID(), Type: 1, Deny: discordsim.PermViewChannel}}})
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]uint64{"unknown channel": 1234567890123456789, "missing access": moduletest.ID(t, hidden)}
	ids := map[string]int64{}
	for want, ch := range cases {
		p, _, err := svc.CreateNow(context.Background(), NewPost{GuildID: e.guild, ChannelID: ch,
			Payload: Payload{Content: "x"}, IdempotencyKey: "t:" + want})
		if err != nil {
			t.Fatal(err)
		}
		ids[want] = p.ID
	}
	if st := e.drain(e.publisher(testConfig())); st.Failed != 2 {
		t.Fatalf("drain = %+v", st)
	}
	for want, id := range ids {
		got := e.get(id)
		if got.Status != StatusFailed || got.Attempts != 1 || !strings.Contains(got.LastError, "permanent: "+want) {
			t.Errorf("%s: %+v", want, got)
		}
	}
}

// TestModuleOffHoldsPosts: posts of a guild with publicpost off are not
// claimed (no attempts, no churn), are reported, and go out once it is on.
func TestModuleOffHoldsPosts(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	svc := e.service()
	e.setModule(false)
	p := e.post(svc, "t:off", "held", time.Now().Add(-time.Minute))
	pub := e.publisher(testConfig())
	for range 3 {
		if st := e.drain(pub); st != (DrainStats{}) {
			t.Fatalf("touched a post of a guild with the module off: %+v", st)
		}
	}
	got := e.get(p.ID)
	if got.Status != StatusPending || got.Attempts != 0 || !got.UpdatedAt.Equal(got.CreatedAt) {
		t.Fatalf("held post changed: %+v", got)
	}
	st, err := svc.GuildStatus(context.Background(), e.guild)
	if err != nil || !st.ModuleOff || st.Held != 1 || st.Counts[StatusPending] != 1 {
		t.Fatalf("status %+v, %v", st, err)
	}
	lines := StatusLines(func(k string, args ...any) string { return k }, st)
	if len(lines) != 2 || lines[1] != "publicpost.status.held" {
		t.Fatalf("status lines %v", lines)
	}

	e.setModule(true)
	if st := e.drain(pub); st.Sent != 1 {
		t.Fatalf("after turning on: %+v", st)
	}
}

// TestTwoPublishersNeverShareARow: two processes drain the same backlog;
// every post is sent by exactly one of them (one create request each).
func TestTwoPublishersNeverShareARow(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	svc := e.service()
	channels := []uint64{e.channel}
	for i := range 11 {
		channels = append(channels, e.newChannel("c"+strconv.Itoa(i)))
	}
	const n = 60
	for i := range n {
		if _, _, err := svc.CreateNow(context.Background(), NewPost{GuildID: e.guild, ChannelID: channels[i%len(channels)],
			Payload: Payload{Content: "post " + strconv.Itoa(i)}, IdempotencyKey: "t:" + strconv.Itoa(i)}); err != nil {
			t.Fatal(err)
		}
	}
	// One REST client (as behind a shared REST proxy): two independent
	// limiters would overrun the per-channel bucket between them.
	dc := e.rest()
	a, b := newPublisher(e.db, dc, testConfig(), quiet), newPublisher(e.db, dc, testConfig(), quiet)
	results := make(chan int, 2)
	deadline := time.Now().Add(30 * time.Second)
	for _, p := range []*Publisher{a, b} {
		go func() {
			sent := 0
			// Posts held back by the limiter past SendTimeout are rescheduled
			// (no request was made); keep draining until everything is out.
			for e.countStatus(StatusSent) < n && time.Now().Before(deadline) {
				st, _ := p.Drain(context.Background(), time.Minute)
				sent += st.Sent
				time.Sleep(20 * time.Millisecond)
			}
			results <- sent
		}()
	}
	r1, r2 := <-results, <-results
	if r1+r2 != n || r1 == 0 || r2 == 0 {
		t.Fatalf("sent %d + %d, want %d shared", r1, r2, n)
	}
	if got := e.countRequests(createRoute); got != n {
		t.Fatalf("%d create requests for %d posts", got, n)
	}
}

func TestRequeueLeavesLiveLeases(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.post(e.service(), "t:lease", "x", time.Time{})
	if c, err := claimNext(context.Background(), e.db.Bun, 0, time.Minute, time.Minute); err != nil || c == nil {
		t.Fatalf("claim: %v", err)
	}
	if n, err := Requeue(context.Background(), e.db, Filter{}); err != nil || n != 0 {
		t.Fatalf("requeued a row under a live lease: %d %v", n, err)
	}
	e.ageAttempt(p.ID, 10*time.Minute)
	if n, err := Requeue(context.Background(), e.db, Filter{ID: p.ID, Statuses: []Status{StatusProcessing}}); err != nil || n != 1 {
		t.Fatalf("requeue expired = %d %v", n, err)
	}
	got := e.get(p.ID)
	if got.Status != StatusPending || got.Attempts != 0 || got.FirstAttemptAt == nil {
		t.Fatalf("requeued row %+v (first_attempt_at must survive for the lookup)", got)
	}
	if _, err := Requeue(context.Background(), e.db, Filter{Statuses: []Status{StatusSent}}); !errors.Is(err, ErrBadStatus) {
		t.Fatalf("requeue of sent rows: %v", err)
	}
	if out := FormatTable([]Post{got}); !strings.Contains(out, "pending") {
		t.Fatalf("table:\n%s", out)
	}
}

func TestCancel(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	svc := e.service()
	p := e.post(svc, "t:cancel", "x", time.Now().Add(time.Hour))
	if _, err := svc.Cancel(context.Background(), e.guild+1, p.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("cancel from another guild: %v", err)
	}
	if got, err := svc.Cancel(context.Background(), e.guild, p.ID); err != nil || got.Status != StatusCancelled {
		t.Fatalf("cancel: %+v %v", got, err)
	}
	if got, err := svc.Cancel(context.Background(), e.guild, p.ID); !errors.Is(err, ErrNotCancellable) || got.Status != StatusCancelled {
		t.Fatalf("second cancel: %+v %v", got, err)
	}
	if _, err := svc.Cancel(context.Background(), e.guild, 999999); !errors.Is(err, ErrNotFound) {
		t.Fatalf("cancel unknown: %v", err)
	}
}

// ageAttempt makes the post's attempts look old and its lease expired.
func (e *env) ageAttempt(id int64, by time.Duration) {
	e.t.Helper()
	_, err := e.db.Bun.ExecContext(context.Background(), `UPDATE publicpost_posts SET
		first_attempt_at = first_attempt_at - make_interval(secs => ?1), last_attempt_at = last_attempt_at - make_interval(secs => ?1),
		lease_until = now() - interval '1 second', next_attempt_at = now() - interval '1 second' WHERE id = ?0`, id, by.Seconds())
	if err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) countRequests(route string) int {
	return e.sim.Stats().ByRoute[route]
}

// drainUntil drains repeatedly (waiting out backoffs) until the post reaches want.
func (e *env) drainUntil(p *Publisher, id int64, want Status) {
	e.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for e.get(id).Status != want {
		if time.Now().After(deadline) {
			e.t.Fatalf("post %d never reached %s: %+v", id, want, e.get(id))
		}
		e.drain(p)
		time.Sleep(20 * time.Millisecond)
	}
}

func (e *env) countStatus(s Status) int {
	var n int
	if err := e.db.Bun.QueryRowContext(context.Background(), `SELECT count(*) FROM publicpost_posts WHERE status = ?`, string(s)).Scan(&n); err != nil {
		e.t.Error(err)
	}
	return n
}
