package ratelimit

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/together-bot/together/core/clocktest"
)

// newClock is a manually advanced clock; tests never sleep.
func newClock() *clocktest.Manual {
	return clocktest.New(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
}

const (
	routeMessages = "/channels/{channel_id}/messages"
	routeMessage  = "/channels/{channel_id}/messages/{message_id}"
	routeCallback = "/interactions/{interaction_id}/{interaction_token}/callback"
	routeGuild    = "/guilds/{guild_id}"
)

func create(channel string) Request {
	return Request{Token: "bot", Method: "POST", Route: routeMessages, MajorID: channel}
}

func edit(channel string) Request {
	return Request{Token: "bot", Method: "PATCH", Route: routeMessage, MajorID: channel}
}

// acquireN performs n acquisitions and returns how many were allowed plus
// the last result.
func acquireN(l *Limiter, req Request, n int) (allowed int, last Result) {
	for range n {
		last = l.Acquire(req)
		if last.Allowed {
			allowed++
		}
	}
	return allowed, last
}

// step acquires req n times, expects `allowed` successes, then advances the
// clock.
type step struct {
	req     Request
	n       int
	allowed int
	advance time.Duration
}

func TestRouteBuckets(t *testing.T) {
	tests := []struct {
		name  string
		steps []step
	}{
		{
			name: "message create: 5 per 5s per channel",
			steps: []step{
				{create("1"), 7, 5, 0},
				{create("2"), 5, 5, 4 * time.Second},
				{create("1"), 1, 0, time.Second},
				{create("1"), 5, 5, 0},
			},
		},
		{
			name: "message edit counted separately from create",
			steps: []step{
				{create("1"), 5, 5, 0},
				{edit("1"), 6, 5, 0},
				{create("1"), 1, 0, 0},
				{edit("2"), 5, 5, 0},
			},
		},
		{
			name: "default bucket 10 per 10s per route and major",
			steps: []step{
				{Request{Token: "bot", Method: "GET", Route: routeGuild, MajorID: "g1"}, 12, 10, 0},
				{Request{Token: "bot", Method: "PATCH", Route: routeGuild, MajorID: "g1"}, 10, 10, 0},
				{Request{Token: "bot", Method: "GET", Route: routeGuild, MajorID: "g2"}, 10, 10, 10 * time.Second},
				{Request{Token: "bot", Method: "GET", Route: routeGuild, MajorID: "g1"}, 10, 10, 0},
			},
		},
		{
			name: "buckets are per token",
			steps: []step{
				{create("1"), 5, 5, 0},
				{Request{Token: "other", Method: "POST", Route: routeMessages, MajorID: "1"}, 5, 5, 0},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newClock()
			l := New(DefaultConfig(), clk.Now)
			for i, s := range tt.steps {
				got, _ := acquireN(l, s.req, s.n)
				if got != s.allowed {
					t.Fatalf("step %d (%s %s major %s): allowed %d of %d, want %d",
						i, s.req.Method, s.req.Route, s.req.MajorID, got, s.n, s.allowed)
				}
				clk.Advance(s.advance)
			}
		})
	}
}

func TestRouteOverrideAndUnlimited(t *testing.T) {
	clk := newClock()
	cfg := DefaultConfig()
	cfg.Routes = map[string]Bucket{
		"PATCH /channels/{channel_id}": {Limit: 2, Window: 10 * time.Minute},
		"POST " + routeMessages:        {Limit: -1},
	}
	l := New(cfg, clk.Now)
	rename := Request{Token: "bot", Method: "PATCH", Route: "/channels/{channel_id}", MajorID: "1"}
	if got, _ := acquireN(l, rename, 3); got != 2 {
		t.Errorf("override: allowed %d, want 2", got)
	}
	if got, _ := acquireN(l, create("1"), 20); got != 20 {
		t.Errorf("unlimited override: allowed %d, want 20", got)
	}
}

func TestGlobalLimit(t *testing.T) {
	tests := []struct {
		name       string
		exempt     bool
		wantAllow  int
		wantGlobal bool
	}{
		{"50 per second per token", false, 50, true},
		{"interaction callbacks are exempt", true, 60, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newClock()
			cfg := DefaultConfig()
			cfg.Default = Bucket{Limit: 1000, Window: time.Second}
			l := New(cfg, clk.Now)
			allowed := 0
			var last Result
			for i := range 60 {
				// Spread over distinct majors so route buckets never refuse.
				req := Request{Token: "bot", Method: "POST", Route: routeCallback, MajorID: fmt.Sprint(i), Exempt: tt.exempt}
				if last = l.Acquire(req); last.Allowed {
					allowed++
				}
			}
			if allowed != tt.wantAllow {
				t.Fatalf("allowed %d, want %d", allowed, tt.wantAllow)
			}
			if last.Global != tt.wantGlobal {
				t.Fatalf("last.Global = %v, want %v", last.Global, tt.wantGlobal)
			}
			// Another token has its own global budget.
			if r := l.Acquire(Request{Token: "other", Method: "GET", Route: routeGuild, MajorID: "x"}); !r.Allowed {
				t.Fatalf("other token refused: %+v", r)
			}
			clk.Advance(time.Second)
			if r := l.Acquire(Request{Token: "bot", Method: "GET", Route: routeGuild, MajorID: "x"}); !r.Allowed {
				t.Fatalf("refused after global window: %+v", r)
			}
		})
	}
}

func TestRefusalConsumesNothing(t *testing.T) {
	clk := newClock()
	cfg := DefaultConfig()
	cfg.GlobalPerSecond = 6
	l := New(cfg, clk.Now)
	// Five creates fill the route bucket and use five global slots.
	acquireN(l, create("1"), 5)
	// Route refusals must not eat the sixth global slot.
	acquireN(l, create("1"), 10)
	if r := l.Acquire(create("2")); !r.Allowed {
		t.Fatalf("global slot consumed by route refusals: %+v", r)
	}
	// Now the global limit refuses; that must not consume route slots.
	if r := l.Acquire(create("3")); !r.Global {
		t.Fatalf("want global refusal, got %+v", r)
	}
	clk.Advance(time.Second)
	if got, _ := acquireN(l, create("3"), 5); got != 5 {
		t.Fatalf("route slots consumed by global refusal: allowed %d, want 5", got)
	}
}

func TestHeaders(t *testing.T) {
	clk := newClock()
	cfg := DefaultConfig()
	cfg.Default = Bucket{Limit: 2, Window: 1500 * time.Millisecond}
	l := New(cfg, clk.Now)
	req := Request{Token: "bot", Method: "GET", Route: routeGuild, MajorID: "g1"}
	reset := clk.Now().Add(1500 * time.Millisecond)
	wantReset := fmt.Sprintf("%d.%03d", reset.Unix(), reset.Nanosecond()/1e6)

	first := l.Acquire(req)
	clk.Advance(250 * time.Millisecond)
	second := l.Acquire(req)
	clk.Advance(250 * time.Millisecond)
	refused := l.Acquire(req)
	other := l.Acquire(Request{Token: "bot", Method: "GET", Route: routeGuild, MajorID: "g2"})
	otherRoute := l.Acquire(Request{Token: "bot", Method: "GET", Route: "/guilds/{guild_id}/roles", MajorID: "g1"})

	tests := []struct {
		name   string
		res    Result
		header map[string]string // "" means absent
	}{
		{"first allowed", first, map[string]string{
			"X-RateLimit-Limit": "2", "X-RateLimit-Remaining": "1",
			"X-RateLimit-Reset": wantReset, "X-RateLimit-Reset-After": "1.500",
			"X-RateLimit-Bucket": bucketHash("GET " + routeGuild),
			"Retry-After":        "", "X-RateLimit-Scope": "", "X-RateLimit-Global": "",
		}},
		{"second allowed, fractional reset-after", second, map[string]string{
			"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": wantReset, "X-RateLimit-Reset-After": "1.250",
		}},
		{"route 429", refused, map[string]string{
			"X-RateLimit-Limit": "2", "X-RateLimit-Remaining": "0",
			"X-RateLimit-Reset": wantReset, "X-RateLimit-Reset-After": "1.000",
			"X-RateLimit-Bucket": bucketHash("GET " + routeGuild),
			"Retry-After":        "1", "X-RateLimit-Scope": "user", "X-RateLimit-Global": "",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, want := range tt.header {
				if got := tt.res.Header.Get(k); got != want {
					t.Errorf("%s = %q, want %q", k, got, want)
				}
			}
		})
	}
	if !first.Allowed || !second.Allowed || refused.Allowed {
		t.Fatalf("allowed = %v %v %v, want true true false", first.Allowed, second.Allowed, refused.Allowed)
	}
	if refused.Scope != ScopeUser || refused.Global || refused.RetryAfter != 1.0 {
		t.Errorf("refused = %+v, want scope user, not global, retry 1.0", refused)
	}
	if got, want := other.Header.Get(HeaderBucket), first.Header.Get(HeaderBucket); got != want {
		t.Errorf("bucket hash differs across majors: %q vs %q", got, want)
	}
	if otherRoute.Header.Get(HeaderBucket) == first.Header.Get(HeaderBucket) {
		t.Errorf("bucket hash shared by different routes")
	}
}

func TestRetryAfterRoundsUp(t *testing.T) {
	clk := newClock()
	l := New(DefaultConfig(), clk.Now)
	acquireN(l, create("1"), 5)
	clk.Advance(3700 * time.Millisecond)
	r := l.Acquire(create("1"))
	if r.RetryAfter != 1.3 || r.Header.Get("Retry-After") != "2" || r.Header.Get("X-RateLimit-Reset-After") != "1.300" {
		t.Fatalf("got retry %v, Retry-After %q, Reset-After %q; want 1.3, 2, 1.300",
			r.RetryAfter, r.Header.Get("Retry-After"), r.Header.Get("X-RateLimit-Reset-After"))
	}
}

func TestGlobal429Shape(t *testing.T) {
	clk := newClock()
	cfg := DefaultConfig()
	cfg.GlobalPerSecond = 1
	l := New(cfg, clk.Now)
	l.Acquire(create("1"))
	clk.Advance(400 * time.Millisecond)
	res := l.Acquire(create("2"))
	if res.Allowed || !res.Global || res.Scope != ScopeGlobal || res.RetryAfter != 0.6 {
		t.Fatalf("result = %+v, want global refusal after 0.6s", res)
	}
	rec := httptest.NewRecorder()
	WriteTooManyRequests(rec, res)
	checkResponse(t, rec, map[string]string{
		"X-RateLimit-Global": "true", "X-RateLimit-Scope": "global", "Retry-After": "1",
		"X-RateLimit-Bucket": "", "X-RateLimit-Limit": "", "X-RateLimit-Remaining": "",
		"Content-Type": "application/json",
	}, 0.6, true)
}

func TestRoute429Response(t *testing.T) {
	clk := newClock()
	l := New(DefaultConfig(), clk.Now)
	_, res := acquireN(l, create("1"), 6)
	rec := httptest.NewRecorder()
	WriteTooManyRequests(rec, res)
	checkResponse(t, rec, map[string]string{
		"X-RateLimit-Scope": "user", "Retry-After": "5", "X-RateLimit-Global": "",
		"X-RateLimit-Bucket": bucketHash("POST " + routeMessages), "X-RateLimit-Remaining": "0",
	}, 5, false)
}

func checkResponse(t *testing.T, rec *httptest.ResponseRecorder, header map[string]string, retry float64, global bool) {
	t.Helper()
	if rec.Code != http.StatusTooManyRequests {
		t.Fatalf("status %d, want 429", rec.Code)
	}
	for k, want := range header {
		if got := rec.Header().Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	var body map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("decoding body %q: %v", rec.Body, err)
	}
	want := map[string]any{"message": "You are being rate limited.", "retry_after": retry, "global": global}
	if fmt.Sprint(body) != fmt.Sprint(want) {
		t.Errorf("body = %v, want %v", body, want)
	}
}

func TestStorm(t *testing.T) {
	clk := newClock()
	l := New(DefaultConfig(), clk.Now)
	l.Storm(clk.Now().Add(2500 * time.Millisecond))

	r := l.Acquire(create("1"))
	if r.Allowed || !r.Global || r.RetryAfter != 2.5 || r.Header.Get(HeaderBucket) != "" {
		t.Fatalf("during storm: %+v, want global refusal for 2.5s without bucket", r)
	}
	cb := Request{Token: "bot", Method: "POST", Route: routeCallback, MajorID: "tok", Exempt: true}
	if r := l.Acquire(cb); !r.Allowed {
		t.Fatalf("exempt request refused during storm: %+v", r)
	}
	clk.Advance(2500 * time.Millisecond)
	if got, _ := acquireN(l, create("1"), 5); got != 5 {
		t.Fatalf("after storm allowed %d of 5; storm refusals must not consume slots", got)
	}
}

func TestInvalidRequests(t *testing.T) {
	tests := []struct {
		status int
		scope  string
		counts bool
	}{
		{401, "", true},
		{403, "", true},
		{429, ScopeUser, true},
		{429, ScopeGlobal, true},
		{429, ScopeShared, false},
		{404, "", false},
		{400, "", false},
		{200, "", false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d %s", tt.status, tt.scope), func(t *testing.T) {
			l := New(DefaultConfig(), newClock().Now)
			l.RecordStatus("bot", tt.status, tt.scope)
			want := 0
			if tt.counts {
				want = 1
			}
			if got := l.InvalidCount("bot"); got != want {
				t.Errorf("InvalidCount = %d, want %d", got, want)
			}
		})
	}
}

func TestInvalidWindow(t *testing.T) {
	clk := newClock()
	cfg := DefaultConfig()
	cfg.InvalidLimit = 3
	l := New(cfg, clk.Now)
	l.RecordStatus("bot", 401, "")
	clk.Advance(9 * time.Minute)
	l.RecordStatus("bot", 403, "")
	l.RecordStatus("bot", 429, ScopeUser)
	l.RecordStatus("other", 401, "")
	if got := l.InvalidCount("bot"); got != 3 || !l.InvalidExceeded("bot") {
		t.Fatalf("count %d exceeded %v, want 3 true", got, l.InvalidExceeded("bot"))
	}
	if got := l.InvalidCount("other"); got != 1 {
		t.Fatalf("other count %d, want 1", got)
	}
	// The window opened at the first invalid response; ten minutes later it
	// is over.
	clk.Advance(time.Minute)
	if got := l.InvalidCount("bot"); got != 0 {
		t.Fatalf("count after window = %d, want 0", got)
	}
	l.RecordStatus("bot", 401, "")
	if got := l.InvalidCount("bot"); got != 1 {
		t.Fatalf("count in new window = %d, want 1", got)
	}
}

func TestBucketExpiry(t *testing.T) {
	clk := newClock()
	l := New(DefaultConfig(), clk.Now)
	for i := range 40 { // below the global limit of 50/s
		l.Acquire(create(fmt.Sprint(i)))
	}
	l.RecordStatus("bot", 401, "")
	if n := len(l.buckets); n != 40 {
		t.Fatalf("buckets = %d, want 40", n)
	}
	// Past every window and past the sweep interval: idle state is dropped.
	clk.Advance(11 * time.Minute)
	l.Acquire(create("fresh"))
	if n := len(l.buckets); n != 1 {
		t.Errorf("buckets after expiry = %d, want 1", n)
	}
	if n := len(l.invalid); n != 0 {
		t.Errorf("invalid counters after expiry = %d, want 0", n)
	}
	if n := len(l.global); n != 1 {
		t.Errorf("global windows after expiry = %d, want 1", n)
	}
}

func TestReset(t *testing.T) {
	clk := newClock()
	l := New(DefaultConfig(), clk.Now)
	acquireN(l, create("1"), 5)
	l.RecordStatus("bot", 401, "")
	l.Storm(clk.Now().Add(time.Hour))
	l.Reset()
	if r := l.Acquire(create("1")); !r.Allowed {
		t.Fatalf("refused after Reset: %+v", r)
	}
	if n := l.InvalidCount("bot"); n != 0 {
		t.Fatalf("invalid count after Reset = %d", n)
	}
}

func TestConfigDefaults(t *testing.T) {
	l := New(Config{Routes: map[string]Bucket{"GET /x": {Limit: 3}}}, nil)
	cfg := l.Config()
	d := DefaultConfig()
	if cfg.GlobalPerSecond != 50 || cfg.MessageCreate != d.MessageCreate || cfg.MessageEdit != d.MessageEdit ||
		cfg.Default != d.Default || cfg.InvalidLimit != 10000 || cfg.InvalidWindow != 10*time.Minute {
		t.Errorf("defaults not applied: %+v", cfg)
	}
	if got := cfg.Routes["GET /x"]; got != (Bucket{Limit: 3, Window: d.Default.Window}) {
		t.Errorf("override without window = %+v, want default window", got)
	}
}

func TestConcurrentAcquire(t *testing.T) {
	clk := newClock()
	l := New(DefaultConfig(), clk.Now)
	var wg sync.WaitGroup
	var mu sync.Mutex
	allowed := 0
	for range 20 {
		wg.Go(func() {
			for range 10 {
				if l.Acquire(create("1")).Allowed {
					mu.Lock()
					allowed++
					mu.Unlock()
				}
				l.RecordStatus("bot", 429, ScopeUser)
			}
		})
	}
	wg.Wait()
	if allowed != 5 {
		t.Fatalf("allowed %d concurrent creates, want exactly 5", allowed)
	}
	if n := l.InvalidCount("bot"); n != 200 {
		t.Fatalf("invalid count %d, want 200", n)
	}
}

func BenchmarkAcquire(b *testing.B) {
	l := New(Config{GlobalPerSecond: -1, Default: Bucket{Limit: 1 << 30, Window: time.Hour}}, nil)
	req := Request{Token: "bot", Method: "GET", Route: routeGuild, MajorID: "g1"}
	b.ReportAllocs()
	for b.Loop() {
		l.Acquire(req)
	}
}

func TestRetryAfterNeverZero(t *testing.T) {
	clk := newClock()
	l := New(DefaultConfig(), clk.Now)
	acquireN(l, create("1"), 5)
	clk.Advance(5*time.Second - 100*time.Microsecond)
	r := l.Acquire(create("1"))
	if r.Allowed || r.RetryAfter != 0.001 || r.Header.Get(HeaderRetryAfter) != "1" {
		t.Fatalf("got allowed=%v retry=%v Retry-After=%q, want refusal 0.001 and 1", r.Allowed, r.RetryAfter, r.Header.Get(HeaderRetryAfter))
	}
}
