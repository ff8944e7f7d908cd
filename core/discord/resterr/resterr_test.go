package resterr

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"syscall"
	"testing"
	"time"

	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/disgo/rest"
)

// restErr builds the *rest.Error disgo returns for a non-2xx response,
// wrapped the way callers usually see it.
func restErr(status int, body string, kv ...string) error {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	e := &rest.Error{Response: &http.Response{StatusCode: status, Status: http.StatusText(status), Header: h}, RsBody: []byte(body)}
	if c := codeOf(body); c != 0 {
		e.Code = c
	}
	return fmt.Errorf("send message: %w", e)
}

func codeOf(body string) rest.JSONErrorCode {
	var c int
	if _, err := fmt.Sscanf(body, `{"code":%d`, &c); err == nil {
		return rest.JSONErrorCode(c)
	}
	return 0
}

type waitErr struct{ d time.Duration }

func (w waitErr) Error() string             { return "waiting" }
func (w waitErr) RetryAfter() time.Duration { return w.d }
func (w waitErr) Unwrap() error             { return context.Canceled }

func TestRetryAfter(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want time.Duration
		ok   bool
	}{
		{"nil", nil, 0, false},
		{"body fractional wins over header", restErr(429, `{"message":"x","retry_after":0.9,"global":false}`, "Retry-After", "1"), 900 * time.Millisecond, true},
		{"header fallback", restErr(429, `<html>`, "Retry-After", "7"), 7 * time.Second, true},
		{"reset-after fallback", restErr(429, ``, "X-RateLimit-Reset-After", "0.25"), 250 * time.Millisecond, true},
		{"429 without hints", restErr(429, ``), 0, false},
		{"not a 429", restErr(500, `{"retry_after":3}`), 0, false},
		{"limiter wait error", fmt.Errorf("lock: %w", waitErr{3 * time.Second}), 3 * time.Second, true},
		{"limiter wait error, unknown", waitErr{0}, 0, false},
		{"plain error", errors.New("boom"), 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, ok := RetryAfter(tc.err)
			if d != tc.want || ok != tc.ok {
				t.Errorf("RetryAfter = %v, %v; want %v, %v", d, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestClassification(t *testing.T) {
	netErr := fmt.Errorf("error doing request in rest client: %w",
		&url.Error{Op: "Post", URL: "https://discord.com", Err: &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}})
	tests := []struct {
		name                 string
		err                  error
		transient, permanent bool
		rateLimited, unknown bool
		forbidden            bool
	}{
		{name: "nil"},
		{name: "429", err: restErr(429, `{"retry_after":1}`), transient: true, rateLimited: true},
		{name: "500", err: restErr(500, ``), transient: true},
		{name: "502", err: restErr(502, `<html>`), transient: true},
		{name: "503 overloaded", err: restErr(503, `{"code":130000,"message":"API resource overloaded"}`), transient: true},
		{name: "408", err: restErr(408, ``), transient: true},
		{name: "network", err: netErr, transient: true},
		{name: "unexpected EOF", err: fmt.Errorf("read: %w", io.ErrUnexpectedEOF), transient: true},
		{name: "timeout", err: &url.Error{Op: "Get", Err: context.DeadlineExceeded}, transient: true},
		{name: "canceled", err: fmt.Errorf("x: %w", context.Canceled)},
		{name: "abandoned limiter wait", err: waitErr{time.Second}, transient: true, rateLimited: true},
		{name: "unknown channel", err: restErr(404, `{"code":10003,"message":"Unknown Channel"}`), permanent: true, unknown: true},
		{name: "unknown guild", err: restErr(404, `{"code":10004,"message":"Unknown Guild"}`), permanent: true, unknown: true},
		{name: "unknown message", err: restErr(404, `{"code":10008,"message":"Unknown Message"}`), permanent: true, unknown: true},
		{name: "missing access", err: restErr(403, `{"code":50001,"message":"Missing Access"}`), permanent: true, forbidden: true},
		{name: "missing permissions", err: restErr(403, `{"code":50013,"message":"Missing Permissions"}`), permanent: true, forbidden: true},
		{name: "bare 404", err: restErr(404, ``), permanent: true, unknown: true},
		{name: "invalid form body", err: restErr(400, `{"code":50035,"message":"Invalid Form Body"}`), permanent: true},
		{name: "slowmode-ish write limit", err: restErr(429, `{"code":20028,"message":"write rate limit","retry_after":2}`), transient: true, rateLimited: true},
		{name: "check failed", err: discord.ErrCheckFailed},
		{name: "other", err: errors.New("json: cannot unmarshal")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := IsTransient(tc.err); got != tc.transient {
				t.Errorf("IsTransient = %v", got)
			}
			if got := IsPermanent(tc.err); got != tc.permanent {
				t.Errorf("IsPermanent = %v", got)
			}
			if got := IsRateLimited(tc.err); got != tc.rateLimited {
				t.Errorf("IsRateLimited = %v", got)
			}
			if got := IsUnknownResource(tc.err); got != tc.unknown {
				t.Errorf("IsUnknownResource = %v", got)
			}
			if got := IsForbidden(tc.err); got != tc.forbidden {
				t.Errorf("IsForbidden = %v", got)
			}
			if tc.transient && tc.permanent {
				t.Error("test case is both transient and permanent")
			}
		})
	}
}

func TestBackoffBounds(t *testing.T) {
	p := BackoffPolicy{Base: 100 * time.Millisecond, Max: 3 * time.Second}
	wantCeil := []time.Duration{100, 100, 200, 400, 800, 1600, 3000, 3000} // ms, attempts 0..7
	for a, w := range wantCeil {
		if got := p.Ceiling(a); got != w*time.Millisecond {
			t.Errorf("Ceiling(%d) = %v, want %v", a, got, w*time.Millisecond)
		}
	}
	for _, a := range []int{64, 1000, 1 << 30} { // no overflow
		if got := p.Ceiling(a); got != 3*time.Second {
			t.Errorf("Ceiling(%d) = %v", a, got)
		}
	}
	// Full jitter: the extremes of the random source map to 0 and the ceiling.
	lo := BackoffPolicy{Base: p.Base, Max: p.Max, Rand: func() float64 { return 0 }}
	hi := BackoffPolicy{Base: p.Base, Max: p.Max, Rand: func() float64 { return 0.999999999 }}
	if lo.Duration(5) != 0 || hi.Duration(5) < 1600*time.Millisecond-time.Microsecond || hi.Duration(5) > 1600*time.Millisecond {
		t.Errorf("jitter range = [%v, %v]", lo.Duration(5), hi.Duration(5))
	}
	// With the real source, samples stay in range and actually spread out.
	seen := map[time.Duration]bool{}
	for range 1000 {
		d := Backoff(4)
		if d < 0 || d > DefaultBackoff.Ceiling(4) {
			t.Fatalf("Backoff(4) = %v out of range", d)
		}
		seen[d] = true
	}
	if len(seen) < 100 {
		t.Errorf("only %d distinct backoffs: no jitter?", len(seen))
	}
	if (BackoffPolicy{}).Duration(3) != 0 {
		t.Error("zero policy should not sleep")
	}
}

func TestRetry(t *testing.T) {
	p := BackoffPolicy{Base: time.Millisecond, Max: 50 * time.Millisecond}
	ctx := context.Background()

	calls := 0
	err := p.Retry(ctx, 5, func(context.Context) error {
		calls++
		if calls < 3 {
			return restErr(502, ``)
		}
		return nil
	})
	if err != nil || calls != 3 {
		t.Errorf("transient then success: err=%v calls=%d", err, calls)
	}

	calls = 0
	err = p.Retry(ctx, 5, func(context.Context) error { calls++; return restErr(403, `{"code":50013}`) })
	if !IsPermanent(err) || calls != 1 {
		t.Errorf("permanent: err=%v calls=%d", err, calls)
	}

	calls = 0
	err = p.Retry(ctx, 3, func(context.Context) error { calls++; return restErr(500, ``) })
	if calls != 3 || StatusCode(err) != 500 {
		t.Errorf("exhausted: err=%v calls=%d", err, calls)
	}

	// A retry_after beyond the policy's cap is handed back at once.
	calls = 0
	start := time.Now()
	err = p.Retry(ctx, 5, func(context.Context) error { calls++; return restErr(429, `{"retry_after":60}`) })
	if calls != 1 || time.Since(start) > time.Second {
		t.Errorf("long retry_after: calls=%d", calls)
	}
	if d, _ := RetryAfter(err); d != time.Minute {
		t.Errorf("RetryAfter = %v", d)
	}

	// A short retry_after is honoured.
	calls = 0
	start = time.Now()
	_ = p.Retry(ctx, 2, func(context.Context) error { calls++; return restErr(429, `{"retry_after":0.03}`) })
	if calls != 2 || time.Since(start) < 30*time.Millisecond {
		t.Errorf("short retry_after: calls=%d after %v", calls, time.Since(start))
	}

	// Cancellation stops the loop.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	calls = 0
	_ = BackoffPolicy{Base: time.Hour, Max: time.Hour}.Retry(cctx, 5, func(context.Context) error { calls++; return restErr(500, ``) })
	if calls != 1 {
		t.Errorf("cancelled: calls=%d", calls)
	}
}
