package interaction_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/together-bot/together/core/db/dbtest"
	"github.com/together-bot/together/core/interaction"
)

// signedRequest is a POST as Discord sends it: Ed25519 over timestamp+body.
type signedRequest struct {
	body      string
	timestamp string
	signature string // hex; "" sends no header
}

func sign(key ed25519.PrivateKey, at time.Time, body string) signedRequest {
	ts := strconv.FormatInt(at.Unix(), 10)
	return signedRequest{body: body, timestamp: ts, signature: hex.EncodeToString(ed25519.Sign(key, []byte(ts+body)))}
}

func (s signedRequest) send(h http.Handler) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, interaction.EndpointPath, strings.NewReader(s.body))
	req.Header.Set("Content-Type", "application/json")
	if s.signature != "" {
		req.Header.Set("X-Signature-Ed25519", s.signature)
	}
	if s.timestamp != "" {
		req.Header.Set("X-Signature-Timestamp", s.timestamp)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

// TestEndpointVerifiesSignatures: only a fresh request signed with the
// application's key, seen for the first time, reaches the router; PING is
// answered with PONG; a command's answer is the HTTP response body.
func TestEndpointVerifiesSignatures(t *testing.T) {
	d := dbtest.New(t)
	pub, key, _ := ed25519.GenerateKey(rand.Reader)
	_, otherKey, _ := ed25519.GenerateKey(rand.Reader)
	now := time.Now().Truncate(time.Second) // timestamps are whole seconds
	h := newHarness(t, interaction.Options{}, func(h *harness) interaction.Options { o := h.options(); o.DB = d; return o })
	ep, err := interaction.NewEndpoint(h.r, interaction.EndpointOptions{PublicKey: pub, DB: d,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	cmd := func() string {
		return "{" + base(2, guildA, member{}, "en-US") + `,"data":{"id":"9","name":"duel","type":1,"options":[]}}`
	}
	ping := fmt.Sprintf(`{"id":"%d","application_id":"%d","type":1,"token":"tok","version":1}`, now.UnixNano()%1e12, appID)
	replayed := sign(key, now, cmd())
	replayed.send(ep) // the first delivery is genuine

	const okAnswer = `{"type":4,"data":{"content":"ok","flags":64,"allowed_mentions":{"parse":null,"roles":null,"users":null,"replied_user":false}}}`
	cases := []struct {
		name     string
		req      signedRequest
		status   int
		response string // the JSON answer expected in the body
		ran      bool   // the handler ran
	}{
		{"unsigned", signedRequest{body: cmd(), timestamp: strconv.FormatInt(now.Unix(), 10)}, 401, "", false},
		{"no timestamp", signedRequest{body: cmd(), signature: sign(key, now, cmd()).signature}, 401, "", false},
		{"forged body", func() signedRequest {
			r := sign(key, now, cmd())
			r.body = strings.Replace(r.body, `"duel"`, `"config"`, 1)
			return r
		}(), 401, "", false},
		{"wrong key", sign(otherKey, now, cmd()), 401, "", false},
		{"signature not hex", func() signedRequest { r := sign(key, now, cmd()); r.signature = strings.Repeat("zz", 64); return r }(), 401, "", false},
		{"stale timestamp", sign(key, now.Add(-interaction.SignatureMaxAge-time.Second), cmd()), 401, "", false},
		{"timestamp from the future", sign(key, now.Add(interaction.SignatureMaxAge+time.Second), cmd()), 401, "", false},
		{"replayed request", replayed, 401, "", false},
		{"ping", sign(key, now, ping), 200, `{"type":1}`, false},
		{"command", sign(key, now, cmd()), 200, okAnswer, true},
		{"command signed at the edge of the window", sign(key, now.Add(-interaction.SignatureMaxAge), cmd()), 200, okAnswer, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := h.ran.Load()
			w := tc.req.send(ep)
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d (%s)", w.Code, tc.status, w.Body)
			}
			if tc.response != "" {
				var got, want any
				if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
					t.Fatalf("answer %q: %v", w.Body, err)
				}
				_ = json.Unmarshal([]byte(tc.response), &want)
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Fatalf("answer %s, want %s", w.Body, tc.response)
				}
				if ct := w.Header().Get("Content-Type"); ct != "application/json" {
					t.Fatalf("content type %q", ct)
				}
			}
			// The router answers before its handler returns: wait for it.
			if err := h.r.Wait(t.Context()); err != nil {
				t.Fatal(err)
			}
			if ran := h.ran.Load() > before; ran != tc.ran {
				t.Fatalf("handler ran: %v, want %v", ran, tc.ran)
			}
		})
	}
}

func TestEndpointNeedsKeyAndDatabase(t *testing.T) {
	h := newHarness(t, interaction.Options{}, func(h *harness) interaction.Options { return h.options() })
	if _, err := interaction.NewEndpoint(h.r, interaction.EndpointOptions{PublicKey: make([]byte, 31)}); err == nil {
		t.Fatal("a 31-byte key was accepted")
	}
}

// BenchmarkEndpointCommand: one signed command through the endpoint, the
// replay guard's insert included (a fresh interaction each time).
func BenchmarkEndpointCommand(b *testing.B) {
	d := dbtest.New(b)
	pub, key, _ := ed25519.GenerateKey(rand.Reader)
	h := newHarness(b, interaction.Options{}, func(h *harness) interaction.Options { o := h.options(); o.DB = d; return o })
	ep, err := interaction.NewEndpoint(h.r, interaction.EndpointOptions{PublicKey: pub, DB: d, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; b.Loop(); i++ {
		body := fmt.Sprintf(`{"id":"%d","application_id":"%d","type":2,"token":"tok","version":1,"guild_id":"%d","member":%s,"channel_id":"600","locale":"en-US","data":{"id":"9","name":"duel","type":1,"options":[]}}`,
			1000+i, appID, guildA, memberJSON(member{}))
		if w := sign(key, time.Now(), body).send(ep); w.Code != http.StatusOK {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}
