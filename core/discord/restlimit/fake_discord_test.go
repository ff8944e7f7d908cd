package restlimit

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"
)

// fakeDiscord is a tiny HTTP server that rate limits like Discord: routes
// matching a rule share a bucket (hash + major parameter) with a fixed window
// that starts at the first request, and every response carries
// X-RateLimit-* headers with fractional Reset-After. Requests over the limit
// get Discord's JSON 429. It records arrival times for assertions.
type fakeDiscord struct {
	srv   *httptest.Server
	rules []fakeRule
	delay time.Duration // simulated processing time for admitted requests
	// hook, if set, may answer a request itself (returns true). n is the
	// 1-based number of requests seen for the same method+path.
	hook func(w http.ResponseWriter, r *http.Request, n int) bool

	mu          sync.Mutex
	buckets     map[string]*fakeBucket
	perPath     map[string]int
	reqs        []fakeReq
	inflight    int
	maxInflight int
	n429        int
}

type fakeRule struct {
	method string
	path   *regexp.Regexp // first capture group is the major parameter
	hash   string
	limit  int
	window time.Duration
}

type fakeBucket struct {
	count   int
	resetAt time.Time
}

type fakeReq struct {
	at     time.Time
	method string
	path   string
}

func newFakeDiscord(t *testing.T, rules ...fakeRule) *fakeDiscord {
	t.Helper()
	f := &fakeDiscord{rules: rules, buckets: map[string]*fakeBucket{}, perPath: map[string]int{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func rule(method, pattern, hash string, limit int, window time.Duration) fakeRule {
	return fakeRule{method: method, path: regexp.MustCompile("^" + pattern + "$"), hash: hash, limit: limit, window: window}
}

func (f *fakeDiscord) serve(w http.ResponseWriter, r *http.Request) {
	now := time.Now()
	_, _ = io.Copy(io.Discard, r.Body)
	f.mu.Lock()
	f.reqs = append(f.reqs, fakeReq{at: now, method: r.Method, path: r.URL.Path})
	f.perPath[r.Method+r.URL.Path]++
	n := f.perPath[r.Method+r.URL.Path]
	f.inflight++
	f.maxInflight = max(f.maxInflight, f.inflight)
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.inflight--
		f.mu.Unlock()
	}()

	w.Header().Set("Content-Type", "application/json")
	if f.hook != nil && f.hook(w, r, n) {
		return
	}

	var (
		ru    *fakeRule
		major string
	)
	for i := range f.rules {
		if m := f.rules[i].path.FindStringSubmatch(r.URL.Path); m != nil && f.rules[i].method == r.Method {
			ru = &f.rules[i]
			if len(m) > 1 {
				major = m[1]
			}
			break
		}
	}
	if ru == nil { // unlimited route: no rate-limit headers at all
		time.Sleep(f.delay)
		_, _ = io.WriteString(w, "{}")
		return
	}

	f.mu.Lock()
	b := f.buckets[ru.hash+"/"+major]
	if b == nil {
		b = &fakeBucket{}
		f.buckets[ru.hash+"/"+major] = b
	}
	if !now.Before(b.resetAt) {
		b.count, b.resetAt = 0, now.Add(ru.window)
	}
	left := b.resetAt.Sub(now)
	admitted := b.count < ru.limit
	if admitted {
		b.count++
	} else {
		f.n429++
	}
	remaining := ru.limit - b.count
	f.mu.Unlock()

	h := w.Header()
	h.Set("X-RateLimit-Bucket", ru.hash)
	h.Set("X-RateLimit-Limit", strconv.Itoa(ru.limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(remaining))
	// Round up to the millisecond like Discord, so clients never act early.
	h.Set("X-RateLimit-Reset-After", secs(left))
	h.Set("X-RateLimit-Reset", strconv.FormatFloat(float64(b.resetAt.UnixMilli())/1000, 'f', 3, 64))
	if !admitted {
		h.Set("X-RateLimit-Scope", "user")
		h.Set("Retry-After", strconv.Itoa(int(math.Ceil(left.Seconds()))))
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = fmt.Fprintf(w, `{"message":"You are being rate limited.","retry_after":%s,"global":false}`, secs(left))
		return
	}
	time.Sleep(f.delay)
	_, _ = io.WriteString(w, "{}")
}

func secs(d time.Duration) string {
	return strconv.FormatFloat(math.Ceil(d.Seconds()*1000)/1000, 'f', 3, 64)
}

// writeGlobal429 answers like Discord's documented global limit: no bucket
// header, X-RateLimit-Global and X-RateLimit-Scope set, fractional body.
func writeGlobal429(w http.ResponseWriter, retryAfter float64) {
	h := w.Header()
	h.Set("X-RateLimit-Global", "true")
	h.Set("X-RateLimit-Scope", "global")
	h.Set("Retry-After", strconv.Itoa(int(math.Ceil(retryAfter))))
	w.WriteHeader(http.StatusTooManyRequests)
	_, _ = fmt.Fprintf(w, `{"message":"You are being rate limited.","retry_after":%g,"global":true,"code":0}`, retryAfter)
}

func (f *fakeDiscord) requests() []fakeReq {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := append([]fakeReq(nil), f.reqs...)
	sort.Slice(out, func(i, j int) bool { return out[i].at.Before(out[j].at) })
	return out
}

func (f *fakeDiscord) stats() (n429, maxInflight int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.n429, f.maxInflight
}

// recObserver records Observer calls.
type recObserver struct {
	mu       sync.Mutex
	statuses []int
	limits   []string // "route|scope"
	waits    []time.Duration
}

func (o *recObserver) OnRequest(route string, status int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.statuses = append(o.statuses, status)
}

func (o *recObserver) On429(route, scope string, retryAfter time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.limits = append(o.limits, route+"|"+scope)
	o.waits = append(o.waits, retryAfter)
}

func (o *recObserver) n429() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.limits)
}

// logRecorder is a slog.Handler that keeps records for assertions.
type logRecorder struct {
	mu   sync.Mutex
	recs []logRec
}

type logRec struct {
	level slog.Level
	msg   string
	attrs map[string]slog.Value
}

func (h *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (h *logRecorder) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *logRecorder) WithGroup(string) slog.Handler            { return h }
func (h *logRecorder) Handle(_ context.Context, r slog.Record) error {
	rec := logRec{level: r.Level, msg: r.Message, attrs: map[string]slog.Value{}}
	r.Attrs(func(a slog.Attr) bool { rec.attrs[a.Key] = a.Value; return true })
	h.mu.Lock()
	h.recs = append(h.recs, rec)
	h.mu.Unlock()
	return nil
}

func (h *logRecorder) find(msg string) []logRec {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []logRec
	for _, r := range h.recs {
		if r.msg == msg {
			out = append(out, r)
		}
	}
	return out
}

// fakeClock is a manually advanced Clock.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*fakeTimer
}

type fakeTimer struct {
	at    time.Time
	c     chan time.Time
	fired bool
	c2    *fakeClock
}

// newFakeClock starts an hour ahead of real time so contexts with deadlines
// derived from it do not expire in real time during the test.
func newFakeClock() *fakeClock { return &fakeClock{now: time.Now().Add(time.Hour).Round(time.Second)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) NewTimer(d time.Duration) Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{at: c.now.Add(d), c: make(chan time.Time, 1), c2: c}
	if d <= 0 {
		t.fired = true
		t.c <- c.now
	} else {
		c.timers = append(c.timers, t)
	}
	return t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	kept := c.timers[:0]
	for _, t := range c.timers {
		if !t.fired && !t.at.After(c.now) {
			t.fired = true
			t.c <- c.now
		} else if !t.fired {
			kept = append(kept, t)
		}
	}
	c.timers = kept
}

// pending is the number of armed timers, used to know a goroutine is asleep.
func (c *fakeClock) pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, t := range c.timers {
		if !t.fired {
			n++
		}
	}
	return n
}

func (t *fakeTimer) C() <-chan time.Time { return t.c }
func (t *fakeTimer) Stop() bool {
	t.c2.mu.Lock()
	defer t.c2.mu.Unlock()
	was := !t.fired
	t.fired = true
	return was
}
