package restlimit

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/disgoorg/disgo/rest"
)

// Unit tests drive the limiter directly (Wait/Unlock as disgo would) with a
// fake clock, so long waits cost no real time.

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func response(status int, body string, kv ...string) *http.Response {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return &http.Response{StatusCode: status, Header: h, Body: io.NopCloser(strings.NewReader(body))}
}

// waitAsync runs l.Wait in a goroutine and returns its result channel.
func waitAsync(l *Limiter, ctx context.Context, ep *rest.CompiledEndpoint) <-chan error {
	ch := make(chan error, 1)
	go func() { ch <- l.Wait(ctx, ep) }()
	return ch
}

func expectBlocked(t *testing.T, ch <-chan error, what string) {
	t.Helper()
	select {
	case err := <-ch:
		t.Fatalf("%s: Wait returned early (%v)", what, err)
	case <-time.After(30 * time.Millisecond):
	}
}

func expectDone(t *testing.T, ch <-chan error, what string) {
	t.Helper()
	select {
	case err := <-ch:
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	case <-time.After(2 * time.Second):
		t.Fatalf("%s: Wait still blocked", what)
	}
}

// expectReleasedAfter waits for the waiter's timer, then checks that ch stays
// blocked until the clock has moved d and is released exactly then.
func expectReleasedAfter(t *testing.T, clk *fakeClock, ch <-chan error, d time.Duration, blocked, released string) {
	t.Helper()
	waitTimers(t, clk, 1)
	clk.Advance(d - time.Millisecond)
	expectBlocked(t, ch, blocked)
	clk.Advance(time.Millisecond)
	expectDone(t, ch, released)
}

func waitTimers(t *testing.T, c *fakeClock, n int) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for c.pending() < n {
		if time.Now().After(deadline) {
			t.Fatalf("expected %d armed timers, have %d", n, c.pending())
		}
		time.Sleep(time.Millisecond)
	}
}

func TestFakeClockFractionalReset(t *testing.T) {
	clk := newFakeClock()
	l := New(WithClock(clk), WithGlobalLimit(0), WithLogger(quietLogger()))
	ctx := context.Background()

	ep1 := rest.GetMessage.Compile(nil, 1, 1)
	if err := l.Wait(ctx, ep1); err != nil {
		t.Fatal(err)
	}
	_ = l.Unlock(ep1, response(200, "{}",
		"X-RateLimit-Bucket", "b", "X-RateLimit-Limit", "1",
		"X-RateLimit-Remaining", "0", "X-RateLimit-Reset-After", "0.9"))

	ep2 := rest.GetMessage.Compile(nil, 1, 2)
	ch := waitAsync(l, ctx, ep2)
	expectReleasedAfter(t, clk, ch, 900*time.Millisecond, "before reset", "at reset")
	_ = l.Unlock(ep2, nil)
	assertIdle(t, l)
}

func TestFakeClockGlobal429PausesAllButCallbacks(t *testing.T) {
	clk := newFakeClock()
	obs := &recObserver{}
	l := New(WithClock(clk), WithGlobalLimit(0), WithLogger(quietLogger()), WithObserver(obs))
	ctx := context.Background()

	ep := rest.CreateMessage.Compile(nil, 1)
	if err := l.Wait(ctx, ep); err != nil {
		t.Fatal(err)
	}
	_ = l.Unlock(ep, response(429, `{"message":"You are being rate limited.","retry_after":1.5,"global":true}`,
		"X-RateLimit-Global", "true", "X-RateLimit-Scope", "global", "Retry-After", "2",
		"Content-Type", "application/json"))
	if obs.waits[0] != 1500*time.Millisecond {
		t.Errorf("On429 retryAfter = %v, want 1.5s", obs.waits[0])
	}

	cb := rest.CreateInteractionResponse.Compile(nil, 5, "tok")
	expectDone(t, waitAsync(l, ctx, cb), "interaction callback during global pause")
	_ = l.Unlock(cb, response(204, ""))

	other := rest.GetGuild.Compile(nil, 77)
	ch := waitAsync(l, ctx, other)
	expectReleasedAfter(t, clk, ch, 1500*time.Millisecond, "during global pause", "after global pause")
	_ = l.Unlock(other, response(200, "{}"))

	// The retry of the 429'd call (same endpoint pointer) goes through once.
	expectDone(t, waitAsync(l, ctx, ep), "retry")
	_ = l.Unlock(ep, response(200, "{}"))
	assertIdle(t, l)
}

// A first request that fails without a response must not wedge the bucket.
func TestUnknownBucketProbeReleasedOnNetworkError(t *testing.T) {
	l := New(WithGlobalLimit(0), WithLogger(quietLogger()))
	ctx := context.Background()
	ep1 := rest.CreateMessage.Compile(nil, 3)
	ep2 := rest.CreateMessage.Compile(nil, 3)
	if err := l.Wait(ctx, ep1); err != nil {
		t.Fatal(err)
	}
	ch := waitAsync(l, ctx, ep2)
	expectBlocked(t, ch, "second request on unknown bucket")
	_ = l.Unlock(ep1, nil) // e.g. connection reset
	expectDone(t, ch, "after probe failed")
	_ = l.Unlock(ep2, response(200, "{}"))
	assertIdle(t, l)
}

// Responses arriving out of order must not hand out slots twice.
func TestRemainingAccountsForInFlight(t *testing.T) {
	clk := newFakeClock()
	l := New(WithClock(clk), WithGlobalLimit(0), WithLogger(quietLogger()))
	ctx := context.Background()
	hdr := func(rem string) *http.Response {
		return response(200, "{}", "X-RateLimit-Bucket", "x", "X-RateLimit-Limit", "3",
			"X-RateLimit-Remaining", rem, "X-RateLimit-Reset-After", "1")
	}
	ep := func(i int) *rest.CompiledEndpoint { return rest.GetMessage.Compile(nil, 1, i) }

	e0 := ep(0)
	_ = l.Wait(ctx, e0)
	_ = l.Unlock(e0, hdr("2")) // 2 left
	e1, e2 := ep(1), ep(2)
	_ = l.Wait(ctx, e1)
	_ = l.Wait(ctx, e2) // both slots taken
	ch := waitAsync(l, ctx, ep(3))
	expectBlocked(t, ch, "third concurrent request")
	// e2's response (remaining 1, e1 not yet counted by Discord) arrives
	// first; with e1 still in flight nothing may be freed.
	_ = l.Unlock(e2, hdr("1"))
	expectBlocked(t, ch, "after out-of-order response")
	_ = l.Unlock(e1, hdr("0"))
	expectBlocked(t, ch, "bucket exhausted")
	waitTimers(t, clk, 1)
	clk.Advance(time.Second)
	expectDone(t, ch, "after reset")
}

func acquireOK(t *testing.T, sw *SlidingWindow, ctx context.Context) func() {
	t.Helper()
	rel, err := sw.Acquire(ctx)
	if err != nil {
		t.Fatalf("Acquire: %v", err)
	}
	return rel
}

func TestSlidingWindowFakeClock(t *testing.T) {
	clk := newFakeClock()
	sw := NewSlidingWindow(3, time.Second, clk)
	ctx := context.Background()
	t0 := clk.Now()
	for range 3 {
		acquireOK(t, sw, ctx)()
	}
	ch := make(chan error, 1)
	var rel4 func()
	go func() {
		var err error
		rel4, err = sw.Acquire(ctx)
		ch <- err
	}()
	expectReleasedAfter(t, clk, ch, time.Second, "4th admission within window", "4th admission after window")
	rel4() // completes at t0+1s
	acquireOK(t, sw, ctx)()
	acquireOK(t, sw, ctx)()

	// The next slot follows the 4th admission's completion: t0+2s.
	dctx, cancel := context.WithDeadline(ctx, clk.Now().Add(10*time.Millisecond))
	defer cancel()
	_, err := sw.Acquire(dctx)
	var we *WaitError
	if !errors.As(err, &we) || !errors.Is(err, context.DeadlineExceeded) || we.Wait != time.Second {
		t.Fatalf("doomed wait: %v", err)
	}
	// The refusal took no place in the chain: the next admission is at t0+2s.
	ch2 := make(chan error, 1)
	go func() { ch2 <- sw.Wait(ctx) }()
	expectReleasedAfter(t, clk, ch2, time.Second, "before t0+2s", "at t0+2s")
	if got := clk.Now().Sub(t0); got != 2*time.Second {
		t.Fatalf("clock at +%v", got)
	}
}

// The window counts from completion: an admission whose request is still
// in flight holds back its chain.
func TestSlidingWindowWaitsForCompletion(t *testing.T) {
	clk := newFakeClock()
	sw := NewSlidingWindow(1, time.Second, clk)
	ctx := context.Background()
	rel1 := acquireOK(t, sw, ctx)
	ch := make(chan error, 1)
	go func() { _, err := sw.Acquire(ctx); ch <- err }()
	clk.Advance(5 * time.Second) // request 1 is slow
	expectBlocked(t, ch, "predecessor in flight")
	rel1()
	expectReleasedAfter(t, clk, ch, time.Second, "within window of completion", "window after completion")
}

// A cancelled waiter hands its predecessor's time to its successor instead
// of pushing it a window further.
func TestSlidingWindowCancelledWaiterKeepsChain(t *testing.T) {
	clk := newFakeClock()
	sw := NewSlidingWindow(1, time.Second, clk)
	ctx := context.Background()
	acquireOK(t, sw, ctx)() // completes at t0
	cctx, cancel := context.WithCancel(ctx)
	ch := make(chan error, 1)
	go func() { _, err := sw.Acquire(cctx); ch <- err }()
	waitTimers(t, clk, 1)
	cancel()
	if err := <-ch; !errors.Is(err, context.Canceled) {
		t.Fatalf("want Canceled, got %v", err)
	}
	ch3 := make(chan error, 1)
	go func() { _, err := sw.Acquire(ctx); ch3 <- err }()
	waitTimers(t, clk, 1)
	clk.Advance(time.Second)
	expectDone(t, ch3, "successor of cancelled waiter at t0+1s")
}

// Property: with arbitrary latency and cancellations, requests "arrive"
// (anywhere between admission and release) at most limit per window.
func TestSlidingWindowNeverExceedsLimit(t *testing.T) {
	const limit, w, n = 5, 40 * time.Millisecond, 150
	sw := NewSlidingWindow(limit, w, nil)
	var (
		mu       sync.Mutex
		arrivals []time.Time
		wg       sync.WaitGroup
	)
	for i := range n {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(i), 7))
			ctx := context.Background()
			if i%10 == 3 { // some callers give up early
				c, cancel := context.WithTimeout(ctx, time.Duration(r.IntN(30))*time.Millisecond)
				defer cancel()
				ctx = c
			}
			rel, err := sw.Acquire(ctx)
			if err != nil {
				return
			}
			time.Sleep(time.Duration(r.IntN(5)) * time.Millisecond) // uplink latency
			mu.Lock()
			arrivals = append(arrivals, time.Now())
			mu.Unlock()
			time.Sleep(time.Duration(r.IntN(5)) * time.Millisecond) // downlink
			rel()
		})
	}
	wg.Wait()
	slices.SortFunc(arrivals, func(a, b time.Time) int { return a.Compare(b) })
	for i := limit; i < len(arrivals); i++ {
		if d := arrivals[i].Sub(arrivals[i-limit]); d < w {
			t.Fatalf("%d arrivals within %v", limit+1, d)
		}
	}
}

func TestCloseWaitsForInFlight(t *testing.T) {
	l := New(WithGlobalLimit(0), WithLogger(quietLogger()))
	ep := rest.GetGuild.Compile(nil, 1)
	_ = l.Wait(context.Background(), ep)
	closed := make(chan struct{})
	go func() { l.Close(context.Background()); close(closed) }()
	select {
	case <-closed:
		t.Fatal("Close returned with a request in flight")
	case <-time.After(30 * time.Millisecond):
	}
	_ = l.Unlock(ep, response(200, "{}"))
	select {
	case <-closed:
	case <-time.After(2 * time.Second):
		t.Fatal("Close did not return after the request finished")
	}
}

func TestMalformedHeadersDoNotFailRequest(t *testing.T) {
	l := New(WithGlobalLimit(0), WithLogger(quietLogger()))
	ep := rest.GetGuild.Compile(nil, 1)
	_ = l.Wait(context.Background(), ep)
	err := l.Unlock(ep, response(200, "{}", "X-RateLimit-Remaining", "lots", "X-RateLimit-Reset-After", "soon"))
	if err != nil {
		t.Fatalf("Unlock returned %v; disgo would report a sent request as failed", err)
	}
	expectDone(t, waitAsync(l, context.Background(), ep), "next request")
}

func TestReset(t *testing.T) {
	clk := newFakeClock()
	l := New(WithClock(clk), WithGlobalLimit(0), WithLogger(quietLogger()))
	ep := rest.GetGuild.Compile(nil, 1)
	_ = l.Wait(context.Background(), ep)
	_ = l.Unlock(ep, response(429, `{"retry_after":60,"global":true}`, "Content-Type", "application/json"))
	l.Reset()
	expectDone(t, waitAsync(l, context.Background(), rest.GetGuild.Compile(nil, 2)), "after Reset")
}

// BenchmarkWait measures the limiter's own cost per request (Wait + Unlock
// with a typical 200 response), without the global ceiling's sleeping.
func BenchmarkWait(b *testing.B) {
	hdr := http.Header{}
	hdr.Set("X-RateLimit-Bucket", "abcd")
	hdr.Set("X-RateLimit-Limit", "1000000000")
	hdr.Set("X-RateLimit-Remaining", "999999999")
	hdr.Set("X-RateLimit-Reset-After", "60.000")
	rs := &http.Response{StatusCode: 200, Header: hdr}

	serial := func(global Option) func(b *testing.B) {
		return func(b *testing.B) {
			l := New(global, WithLogger(quietLogger()))
			ep := rest.CreateMessage.Compile(nil, 42)
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if err := l.Wait(ctx, ep); err != nil {
					b.Fatal(err)
				}
				_ = l.Unlock(ep, rs)
			}
		}
	}
	b.Run("serial", serial(WithGlobalLimit(0)))
	// A ceiling that never blocks, to measure the bookkeeping alone.
	b.Run("serial+global", serial(WithGlobalLimiter(NewSlidingWindow(1024, time.Nanosecond, nil))))
	b.Run("parallel", func(b *testing.B) {
		l := New(WithGlobalLimit(0), WithLogger(quietLogger()))
		ctx := context.Background()
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			ep := rest.CreateMessage.Compile(nil, rand.IntN(64))
			for pb.Next() {
				if err := l.Wait(ctx, ep); err != nil {
					b.Error(err)
					return
				}
				_ = l.Unlock(ep, rs)
			}
		})
	})
}
