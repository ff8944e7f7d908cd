package restlimit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/disgoorg/disgo/rest"

	"github.com/together-bot/together/core/discord/resterr"
)

// newClient wires a real disgo client to the fake server through l.
func newClient(f *fakeDiscord, l *Limiter) rest.Client {
	return rest.NewClient("test-token",
		rest.WithURL(f.srv.URL),
		rest.WithRateLimiter(l),
		rest.WithHTTPClient(&http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 100}}),
		rest.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))),
	)
}

func getMessage(c rest.Client, ctx context.Context, channel, message int) error {
	return c.Do(rest.GetMessage.Compile(nil, channel, message), nil, nil, rest.WithCtx(ctx))
}

func assertIdle(t *testing.T, l *Limiter) {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.inflight != 0 || len(l.reqs) != 0 {
		t.Errorf("leaked limiter state: inflight=%d reqs=%d", l.inflight, len(l.reqs))
	}
}

// Discord's global 429 has no X-RateLimit-Bucket. disgo ignores it and fires
// its retries back to back; we must wait retry_after once and succeed.
func TestGlobal429WithoutBucketHeaderHonouredOnce(t *testing.T) {
	f := newFakeDiscord(t)
	first := make(chan struct{})
	f.hook = func(w http.ResponseWriter, r *http.Request, n int) bool {
		if strings.HasPrefix(r.URL.Path, "/channels/1/") && n == 1 {
			writeGlobal429(w, 0.35)
			close(first)
			return true
		}
		return false
	}
	logs := &logRecorder{}
	obs := &recObserver{}
	l := New(WithLogger(slog.New(logs)), WithObserver(obs))
	c := newClient(f, l)
	ctx := context.Background()

	done := make(chan error, 1)
	go func() { done <- getMessage(c, ctx, 1, 10) }()
	<-first
	for obs.n429() == 0 { // the 429 has been processed by Unlock
		time.Sleep(time.Millisecond)
	}
	// A different route and channel must be held back by the global pause.
	if err := getMessage(c, ctx, 2, 20); err != nil {
		t.Fatalf("other route: %v", err)
	}
	if err := <-done; err != nil {
		t.Fatalf("global-limited call: %v", err)
	}

	var onRoute []time.Time
	var other time.Time
	for _, r := range f.requests() {
		if strings.HasPrefix(r.path, "/channels/1/") {
			onRoute = append(onRoute, r.at)
		} else {
			other = r.at
		}
	}
	if len(onRoute) != 2 {
		t.Fatalf("want exactly 2 requests (429 then success), got %d", len(onRoute))
	}
	const ra = 350 * time.Millisecond
	if gap := onRoute[1].Sub(onRoute[0]); gap < ra {
		t.Errorf("retry sent %v after global 429, want >= %v", gap, ra)
	}
	if gap := other.Sub(onRoute[0]); gap < ra {
		t.Errorf("unrelated route sent %v after global 429, want >= %v", gap, ra)
	}

	recs := logs.find("Discord API request retry scheduled")
	if len(recs) != 1 {
		t.Fatalf("want 1 retry log, got %d", len(recs))
	}
	rec := recs[0]
	if rec.level != slog.LevelWarn || rec.attrs["scope"].String() != ScopeGlobal ||
		rec.attrs["attempt"].Int64() != 1 || rec.attrs["route"].String() != "GET /channels/{channel.id}/messages/{message.id}" {
		t.Errorf("unexpected log record %+v", rec)
	}
	if b := rec.attrs["backoff"].Duration(); b < 300*time.Millisecond || b > ra {
		t.Errorf("backoff attr = %v, want ~%v", b, ra)
	}
	if got := obs.limits[0]; got != "GET /channels/{channel.id}/messages/{message.id}|global" {
		t.Errorf("observer On429 = %q", got)
	}
	assertIdle(t, l)
}

// Reset-After 0.9 must not be truncated to 0: three calls on a limit-1
// bucket are spaced by at least 0.9s at the server and none gets a 429.
func TestFractionalResetAfterHonoured(t *testing.T) {
	f := newFakeDiscord(t, rule("GET", `/channels/(\d+)/messages/\d+`, "h-msg", 1, 900*time.Millisecond))
	l := New()
	c := newClient(f, l)

	var wg sync.WaitGroup
	for i := range 3 {
		wg.Go(func() {
			if err := getMessage(c, context.Background(), 7, 100+i); err != nil {
				t.Errorf("call %d: %v", i, err)
			}
		})
	}
	wg.Wait()

	reqs := f.requests()
	if len(reqs) != 3 {
		t.Fatalf("want 3 requests, got %d", len(reqs))
	}
	for i := 1; i < len(reqs); i++ {
		if gap := reqs[i].at.Sub(reqs[i-1].at); gap < 900*time.Millisecond {
			t.Errorf("requests %d and %d only %v apart", i-1, i, gap)
		}
	}
	// Rounding 0.9 up to whole seconds would also be wrong (too slow).
	if total := reqs[2].at.Sub(reqs[0].at); total > 2500*time.Millisecond {
		t.Errorf("3 requests took %v; reset-after seems rounded up", total)
	}
	if n429, _ := f.stats(); n429 != 0 {
		t.Errorf("server sent %d 429s", n429)
	}
	assertIdle(t, l)
}

// 200 requests on distinct, unlimited routes: the server never sees more
// than 50 in any one-second window.
func TestProactiveGlobalCeiling(t *testing.T) {
	if testing.Short() {
		t.Skip("takes ~3s")
	}
	f := newFakeDiscord(t)
	l := New() // default 50/s
	c := newClient(f, l)

	var wg sync.WaitGroup
	for i := range 200 {
		wg.Go(func() {
			if err := getMessage(c, context.Background(), 1000+i, 1); err != nil {
				t.Errorf("call %d: %v", i, err)
			}
		})
	}
	wg.Wait()

	reqs := f.requests()
	if len(reqs) != 200 {
		t.Fatalf("want 200 requests, got %d", len(reqs))
	}
	minW := time.Hour
	for i := 0; i+DefaultGlobalLimit < len(reqs); i++ {
		minW = min(minW, reqs[i+DefaultGlobalLimit].at.Sub(reqs[i].at))
	}
	t.Logf("smallest span of %d consecutive requests: %v", DefaultGlobalLimit+1, minW)
	for i := 0; i+DefaultGlobalLimit < len(reqs); i++ {
		if d := reqs[i+DefaultGlobalLimit].at.Sub(reqs[i].at); d < time.Second {
			t.Fatalf("requests %d..%d (%d) arrived within %v", i, i+DefaultGlobalLimit, DefaultGlobalLimit+1, d)
		}
	}
	// And the ceiling is a ceiling, not a crawl: ~3 windows for 4 batches.
	if total := reqs[len(reqs)-1].at.Sub(reqs[0].at); total > 4*time.Second {
		t.Errorf("200 requests took %v", total)
	}
	assertIdle(t, l)
}

// Two routes Discord reports under one bucket hash (same channel) share the
// limit: after learning both, a third request waits for the reset instead of
// drawing a 429.
func TestSharedBucketHashMergesRoutes(t *testing.T) {
	f := newFakeDiscord(t,
		rule("GET", `/channels/(\d+)/messages/\d+`, "shared", 2, time.Second),
		rule("GET", `/channels/(\d+)/messages`, "shared", 2, time.Second),
	)
	l := New()
	c := newClient(f, l)
	ctx := context.Background()

	if err := getMessage(c, ctx, 5, 1); err != nil { // remaining 1
		t.Fatal(err)
	}
	if err := c.Do(rest.GetMessages.Compile(nil, 5), nil, nil, rest.WithCtx(ctx)); err != nil { // remaining 0, reveals shared hash
		t.Fatal(err)
	}
	if err := getMessage(c, ctx, 5, 2); err != nil { // must wait for reset
		t.Fatal(err)
	}
	// Same routes on another channel are another bucket (major parameter).
	if err := getMessage(c, ctx, 6, 1); err != nil {
		t.Fatal(err)
	}

	if n429, _ := f.stats(); n429 != 0 {
		t.Errorf("server sent %d 429s; routes not merged", n429)
	}
	reqs := f.requests()
	if gap := reqs[2].at.Sub(reqs[0].at); gap < time.Second {
		t.Errorf("third request on shared bucket only %v after the first", gap)
	}

	keyA, _ := keys(rest.GetMessage.Compile(nil, 5, 1))
	keyB, _ := keys(rest.GetMessages.Compile(nil, 5))
	keyC, _ := keys(rest.GetMessage.Compile(nil, 6, 1))
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.routes[keyA] == nil || l.routes[keyA] != l.routes[keyB] {
		t.Error("routes with the same bucket hash and channel do not share a bucket")
	}
	if l.routes[keyA] == l.routes[keyC] {
		t.Error("different channels share a bucket")
	}
}

// Interaction callbacks are exempt from the global ceiling and from a global
// 429 pause; other requests are not, and a caller whose deadline is shorter
// than the pause gets a RetryAfter at once instead of sleeping.
func TestInteractionCallbacksExemptFromGlobal(t *testing.T) {
	f := newFakeDiscord(t)
	f.hook = func(w http.ResponseWriter, r *http.Request, n int) bool {
		if r.URL.Path == "/channels/1/messages/1" {
			writeGlobal429(w, 5)
			return true
		}
		return false
	}
	l := New(WithGlobalLimit(1), WithMaxRetries(1))
	c := newClient(f, l)
	ctx := context.Background()

	// One attempt only: disgo returns the 429 as *rest.Error.
	err := getMessage(c, ctx, 1, 1)
	var re *rest.Error
	if !errors.As(err, &re) || re.Response.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("want *rest.Error 429, got %v", err)
	}
	if d, ok := RetryAfter(err); !ok || d != 5*time.Second {
		t.Errorf("RetryAfter(429 error) = %v, %v; want 5s", d, ok)
	}
	if !resterr.IsTransient(err) || resterr.IsPermanent(err) {
		t.Error("429 should be transient")
	}

	start := time.Now()
	var wg sync.WaitGroup
	for i := range 5 {
		wg.Go(func() {
			ep := rest.CreateInteractionResponse.Compile(nil, 900+i, fmt.Sprintf("tok%d", i))
			if err := c.Do(ep, map[string]int{"type": 5}, nil, rest.WithCtx(ctx)); err != nil {
				t.Errorf("callback %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	if el := time.Since(start); el > time.Second {
		t.Errorf("5 callbacks took %v during a global pause with a 1/s ceiling", el)
	}

	// A normal request with a short deadline fails fast with the pause left.
	dctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	start = time.Now()
	err = getMessage(c, dctx, 2, 2)
	if el := time.Since(start); el > 100*time.Millisecond {
		t.Errorf("deadline-doomed wait took %v, want immediate", el)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("want DeadlineExceeded, got %v", err)
	}
	var we *WaitError
	if !errors.As(err, &we) || we.Scope != ScopeGlobal {
		t.Errorf("want global *WaitError, got %v", err)
	}
	if d, ok := RetryAfter(err); !ok || d < 4*time.Second || d > 5*time.Second {
		t.Errorf("RetryAfter(wait error) = %v, %v", d, ok)
	}
	for _, r := range f.requests() {
		if r.path == "/channels/2/messages/2" {
			t.Error("request sent during global pause")
		}
	}
	assertIdle(t, l)
}

// Cancelling the context while waiting on an exhausted bucket returns
// promptly, leaks no reservation and reports the remaining wait.
func TestWaitHonoursContextCancellation(t *testing.T) {
	f := newFakeDiscord(t, rule("GET", `/channels/(\d+)/messages/\d+`, "slow", 1, 30*time.Second))
	l := New()
	c := newClient(f, l)

	if err := getMessage(c, context.Background(), 3, 1); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	err := getMessage(c, ctx, 3, 2)
	if el := time.Since(start); el > time.Second {
		t.Errorf("cancelled wait returned after %v", el)
	}
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("want context.Canceled, got %v", err)
	}
	if d, ok := RetryAfter(err); !ok || d < 25*time.Second || d > 30*time.Second {
		t.Errorf("RetryAfter = %v, %v; want ~30s", d, ok)
	}
	if !resterr.IsTransient(err) || !resterr.IsRateLimited(err) {
		t.Error("abandoned rate-limit wait should be transient and rate limited")
	}

	// A deadline that cannot be met fails without sleeping.
	dctx, dcancel := context.WithTimeout(context.Background(), time.Second)
	defer dcancel()
	start = time.Now()
	err = getMessage(c, dctx, 3, 3)
	if el := time.Since(start); el > 100*time.Millisecond || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("doomed deadline: err=%v after %v", err, el)
	}

	if n := len(f.requests()); n != 1 {
		t.Errorf("server saw %d requests, want 1", n)
	}
	assertIdle(t, l)
}

// With Remaining > 1 known, requests on one bucket run concurrently (disgo
// serialises them for the whole round trip), bounded by the limit.
func TestConcurrentRequestsUpToRemaining(t *testing.T) {
	f := newFakeDiscord(t, rule("GET", `/channels/(\d+)/messages/\d+`, "wide", 5, time.Second))
	f.delay = 150 * time.Millisecond
	l := New()
	c := newClient(f, l)

	var wg sync.WaitGroup
	for i := range 10 {
		wg.Go(func() {
			if err := getMessage(c, context.Background(), 4, i); err != nil {
				t.Errorf("call %d: %v", i, err)
			}
		})
	}
	wg.Wait()

	n429, maxIn := f.stats()
	if n429 != 0 {
		t.Errorf("server sent %d 429s", n429)
	}
	if maxIn < 4 || maxIn > 5 {
		t.Errorf("max concurrent requests at server = %d, want 4..5", maxIn)
	}
	assertIdle(t, l)
}

// A route that keeps answering 429 makes disgo give up after MaxRetries
// attempts; the error carries the fractional retry_after.
func TestRetriesExhausted(t *testing.T) {
	f := newFakeDiscord(t)
	f.hook = func(w http.ResponseWriter, r *http.Request, n int) bool {
		h := w.Header()
		h.Set("X-RateLimit-Bucket", "hot")
		h.Set("X-RateLimit-Limit", "5")
		h.Set("X-RateLimit-Remaining", "0")
		h.Set("X-RateLimit-Reset-After", "0.05")
		h.Set("X-RateLimit-Scope", "shared")
		h.Set("Retry-After", "1")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = io.WriteString(w, `{"message":"You are being rate limited.","retry_after":0.05,"global":false}`)
		return true
	}
	logs := &logRecorder{}
	l := New(WithLogger(slog.New(logs)))
	c := newClient(f, l)

	err := getMessage(c, context.Background(), 9, 9)
	if resterr.StatusCode(err) != http.StatusTooManyRequests {
		t.Fatalf("want 429 error, got %v", err)
	}
	if d, ok := RetryAfter(err); !ok || d != 50*time.Millisecond {
		t.Errorf("RetryAfter = %v, %v; want 50ms (body, not the 1s header)", d, ok)
	}
	if n := len(f.requests()); n != DefaultMaxRetries {
		t.Errorf("server saw %d attempts, want %d", n, DefaultMaxRetries)
	}
	if n := len(logs.find("Discord API request retry scheduled")); n != DefaultMaxRetries-1 {
		t.Errorf("%d retry logs, want %d", n, DefaultMaxRetries-1)
	}
	for i, r := range logs.find("Discord API request retry scheduled") {
		if r.attrs["scope"].String() != ScopeShared || r.attrs["attempt"].Int64() != int64(i+1) {
			t.Errorf("log %d: %+v", i, r.attrs)
		}
	}
	if n := len(logs.find("Discord API request rate limited, retries exhausted")); n != 1 {
		t.Errorf("%d exhausted logs, want 1", n)
	}
	reqs := f.requests()
	for i := 1; i < len(reqs); i++ {
		if gap := reqs[i].at.Sub(reqs[i-1].at); gap < 50*time.Millisecond {
			t.Errorf("attempt %d only %v after previous", i+1, gap)
		}
	}
	assertIdle(t, l)
}

// A 429 that is not Discord's JSON and has no rate-limit headers comes from
// the edge: treat it as global. A JSON 429 without a "via" header is a
// normal Discord route limit (disgo would call it Cloudflare).
func TestEdge429Classification(t *testing.T) {
	f := newFakeDiscord(t)
	f.hook = func(w http.ResponseWriter, r *http.Request, n int) bool {
		switch r.URL.Path {
		case "/channels/1/messages/1":
			w.Header().Set("Content-Type", "text/html")
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = io.WriteString(w, "<html>error code: 1015</html>")
			return true
		case "/channels/2/messages/2":
			w.Header().Set("X-RateLimit-Bucket", "b2")
			w.Header().Set("X-RateLimit-Scope", "user")
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = io.WriteString(w, `{"message":"You are being rate limited.","retry_after":0.25,"global":false}`)
			return true
		}
		return false
	}
	obs := &recObserver{}
	l := New(WithMaxRetries(1), WithObserver(obs))
	c := newClient(f, l)

	err := getMessage(c, context.Background(), 2, 2)
	if d, ok := RetryAfter(err); !ok || d != 250*time.Millisecond {
		t.Errorf("route 429 RetryAfter = %v, %v", d, ok)
	}
	err = getMessage(c, context.Background(), 1, 1)
	var re *rest.Error
	if !errors.As(err, &re) || !strings.Contains(string(re.RsBody), "1015") {
		t.Errorf("429 body not passed through to disgo's error: %v", err)
	}
	if d, ok := RetryAfter(err); !ok || d != 7*time.Second {
		t.Errorf("edge 429 RetryAfter = %v, %v", d, ok)
	}
	want := []string{
		"GET /channels/{channel.id}/messages/{message.id}|user",
		"GET /channels/{channel.id}/messages/{message.id}|cloudflare",
	}
	if fmt.Sprint(obs.limits) != fmt.Sprint(want) {
		t.Errorf("scopes = %v, want %v", obs.limits, want)
	}
	l.mu.Lock()
	paused := time.Until(l.globalUntil)
	l.mu.Unlock()
	if paused < 6*time.Second {
		t.Errorf("edge 429 should pause globally ~7s, got %v", paused)
	}
}
