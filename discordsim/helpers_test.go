package discordsim

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/together-bot/together/core/clocktest"
	"github.com/together-bot/together/discordsim/ratelimit"
)

func newFakeClock() *clocktest.Manual {
	return clocktest.New(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
}

type dispatched struct {
	guildID, event string
	data           json.RawMessage
}

// harness is a server behind httptest plus a recorder of gateway events.
type harness struct {
	t      *testing.T
	srv    *Server
	http   *httptest.Server
	clock  *clocktest.Manual
	events chan dispatched
	world  DemoGuild
}

// generousLimits keeps functional tests away from 429s.
func generousLimits() ratelimit.Config {
	big := ratelimit.Bucket{Limit: 10000, Window: time.Second}
	return ratelimit.Config{GlobalPerSecond: 10000, MessageCreate: big, MessageEdit: big, Default: big}
}

func newHarness(t *testing.T, opts Options) *harness {
	t.Helper()
	clock := newFakeClock()
	if opts.Now == nil {
		opts.Now = clock.Now
	}
	if opts.Logger == nil && !testing.Verbose() {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Limits.Default.Limit == 0 {
		opts.Limits = generousLimits()
	}
	srv, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, srv: srv, clock: clock, events: make(chan dispatched, 1000)}
	srv.dispatchHook = func(guildID, event string, data any) {
		raw, _ := data.(json.RawMessage)
		select {
		case h.events <- dispatched{guildID, event, raw}:
		default:
		}
	}
	h.http = httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		h.http.Close()
		_ = srv.Close()
	})
	h.world, err = srv.SeedDemoGuild()
	if err != nil {
		t.Fatal(err)
	}
	for len(h.events) > 0 { // tests look at what happens after seeding
		<-h.events
	}
	return h
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
	return m
}

func (r response) list(t *testing.T) []map[string]any {
	t.Helper()
	var m []map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
	return m
}

// api calls the REST API as the bot.
func (h *harness) api(method, path string, body any) response {
	return h.do(method, APIPrefix+path, body, "Bot "+h.srv.Token())
}

func (h *harness) do(method, path string, body any, auth string) response {
	h.t.Helper()
	var rd io.Reader
	if body != nil {
		if raw, ok := body.(string); ok {
			rd = bytes.NewBufferString(raw)
		} else {
			b, _ := json.Marshal(body)
			rd = bytes.NewReader(b)
		}
	}
	req, _ := http.NewRequest(method, h.http.URL+path, rd)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, header: res.Header, body: b}
}

func (h *harness) expect(r response, status int, code int) {
	h.t.Helper()
	if r.status != status {
		h.t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	if code >= 0 {
		var e struct {
			Code    *int   `json:"code"`
			Message string `json:"message"`
		}
		if err := json.Unmarshal(r.body, &e); err != nil || e.Code == nil || *e.Code != code || e.Message == "" {
			h.t.Fatalf("body %s, want {message, code:%d}", r.body, code)
		}
	}
}

// waitEvent returns the next dispatched event with the given name.
func (h *harness) waitEvent(name string) dispatched {
	h.t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case e := <-h.events:
			if e.event == name {
				return e
			}
		case <-deadline:
			h.t.Fatalf("no %s dispatched", name)
		}
	}
}

func (h *harness) general() string { return h.world.ChannelIDs["general"] }

func (h *harness) post(channelID, content string) map[string]any {
	h.t.Helper()
	r := h.api("POST", "/channels/"+channelID+"/messages", map[string]any{"content": content})
	h.expect(r, 200, -1)
	return r.json(h.t)
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
