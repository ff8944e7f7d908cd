package discordsim

import (
	"testing"
	"time"

	"github.com/together-bot/together/discordsim/ratelimit"
)

func TestMessageCreateRateLimit(t *testing.T) {
	h := newHarness(t, Options{Limits: ratelimit.DefaultConfig()})
	ch := h.general()
	for i := range 5 {
		r := h.api("POST", "/channels/"+ch+"/messages", map[string]any{"content": "m"})
		h.expect(r, 200, -1)
		if got := r.header.Get("X-RateLimit-Remaining"); got != itoa(4-i) {
			t.Fatalf("remaining after %d = %q", i+1, got)
		}
		if r.header.Get("X-RateLimit-Bucket") == "" || r.header.Get("X-RateLimit-Limit") != "5" {
			t.Fatalf("headers %v", r.header)
		}
	}
	r := h.api("POST", "/channels/"+ch+"/messages", map[string]any{"content": "m"})
	h.expect(r, 429, -1)
	body := r.json(t)
	if body["global"] != false || body["retry_after"].(float64) <= 0 || body["message"] != "You are being rate limited." {
		t.Fatalf("429 body %v", body)
	}
	if r.header.Get("Retry-After") == "" || r.header.Get("X-RateLimit-Scope") != "user" || r.header.Get("X-RateLimit-Remaining") != "0" {
		t.Fatalf("429 headers %v", r.header)
	}
	// Other channels have their own bucket.
	h.post(h.world.ChannelIDs["lobby"], "elsewhere")
	// After the window, sending works again.
	h.clock.Advance(5 * time.Second)
	h.post(ch, "later")
	st := h.srv.Stats()
	if st.RateLimited != 1 || st.GlobalRateLimited != 0 || st.InvalidRequests != 1 {
		t.Fatalf("stats %+v", st)
	}
	if msgs, _ := h.srv.Messages(ch); len(msgs) != 6 {
		t.Fatalf("%d messages", len(msgs))
	}
}

func TestGlobalRateLimit(t *testing.T) {
	lim := generousLimits()
	lim.GlobalPerSecond = 3
	h := newHarness(t, Options{Limits: lim})
	for range 3 {
		h.expect(h.api("GET", "/users/@me", nil), 200, -1)
	}
	r := h.api("GET", "/users/@me", nil)
	h.expect(r, 429, -1)
	if body := r.json(t); body["global"] != true {
		t.Fatalf("body %v", body)
	}
	if r.header.Get("X-RateLimit-Global") != "true" || r.header.Get("X-RateLimit-Scope") != "global" {
		t.Fatalf("headers %v", r.header)
	}
	if st := h.srv.Stats(); st.GlobalRateLimited != 1 {
		t.Fatalf("stats %+v", st)
	}
}

func TestFaults(t *testing.T) {
	h := newHarness(t, Options{})
	if err := h.srv.InjectFault(Fault{Kind: FaultREST5xx, Status: 502, DurationMS: 1000, Route: "/users/@me"}); err != nil {
		t.Fatal(err)
	}
	h.expect(h.api("GET", "/users/@me", nil), 502, 0)
	h.expect(h.api("GET", "/gateway", nil), 200, -1) // other routes unaffected
	h.clock.Advance(time.Second)
	h.expect(h.api("GET", "/users/@me", nil), 200, -1)

	if err := h.srv.InjectFault(Fault{Kind: FaultRateLimitStorm, DurationMS: 1000}); err != nil {
		t.Fatal(err)
	}
	r := h.api("GET", "/users/@me", nil)
	h.expect(r, 429, -1)
	h.srv.ClearFaults()
	h.expect(h.api("GET", "/users/@me", nil), 200, -1)
	if err := h.srv.InjectFault(Fault{Kind: "nope"}); err == nil {
		t.Fatal("unknown fault accepted")
	}
	// Control API round trip.
	h.expect(h.do("POST", "/_sim/faults", map[string]any{"kind": "rest_5xx", "status": 503, "duration_ms": 500}, ""), 204, -1)
	h.expect(h.api("GET", "/users/@me", nil), 503, 0)
	h.expect(h.do("DELETE", "/_sim/faults", nil, ""), 204, -1)
	h.expect(h.api("GET", "/users/@me", nil), 200, -1)
	reqs := h.srv.Requests()
	if len(reqs) == 0 || reqs[len(reqs)-1].Route != "/users/@me" {
		t.Fatalf("request log %v", reqs)
	}
}

func TestInvalidRequestBan(t *testing.T) {
	lim := generousLimits()
	lim.InvalidLimit, lim.InvalidWindow = 3, time.Minute
	h := newHarness(t, Options{Limits: lim})
	for range 3 {
		h.expect(h.do("GET", APIPrefix+"/users/@me", nil, "Bot stolen"), 401, 0)
	}
	r := h.do("GET", APIPrefix+"/users/@me", nil, "Bot stolen")
	h.expect(r, 429, 0)
	if r.header.Get("Retry-After") == "" {
		t.Fatal("ban without Retry-After")
	}
	h.expect(h.api("GET", "/users/@me", nil), 200, -1) // the real token is unaffected
	h.clock.Advance(time.Minute)
	h.expect(h.do("GET", APIPrefix+"/users/@me", nil, "Bot stolen"), 401, 0)
}
