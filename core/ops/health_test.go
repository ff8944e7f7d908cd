package ops

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

type pingFunc func(ctx context.Context) error

func (f pingFunc) Ping(ctx context.Context) error { return f(ctx) }

type ready bool

func (r ready) Ready() bool { return bool(r) }

var (
	up   = pingFunc(func(context.Context) error { return nil })
	down = pingFunc(func(context.Context) error { return errors.New("connection refused") })
	hang = pingFunc(func(ctx context.Context) error { select {} })
)

func TestHealthStates(t *testing.T) {
	cases := []struct {
		name        string
		db, queue   Pinger
		discord     Readiness
		wantStatus  int
		wantDB      string
		wantQueue   string
		wantDiscord string
	}{
		{"all ok", up, up, ready(true), 200, "ok", "ok", "ready"},
		{"db down", down, down, ready(true), 503, "fail", "fail", "ready"},
		{"db hangs", hang, hang, ready(true), 503, "fail", "fail", "ready"},
		{"discord not ready", up, up, ready(false), 503, "ok", "ok", "not_ready"},
		{"no gateway", up, up, nil, 503, "ok", "ok", "not_ready"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := &Health{DB: tc.db, Queue: tc.queue, Discord: tc.discord, Version: "v1", Started: time.Now(),
				Modules: []string{"duel"}, Timeout: 100 * time.Millisecond}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
			if rec.Code != tc.wantStatus {
				t.Fatalf("status %d, want %d", rec.Code, tc.wantStatus)
			}
			var r Report
			if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil {
				t.Fatal(err)
			}
			if r.DB != tc.wantDB || r.Queue != tc.wantQueue || r.Discord != tc.wantDiscord || r.OK != (tc.wantStatus == 200) {
				t.Fatalf("report %+v", r)
			}
			if r.Version != "v1" || len(r.Modules) != 1 {
				t.Fatalf("report %+v", r)
			}
		})
	}
}

// TestHealthListsHeldShards: /healthz names the shards this process holds.
func TestHealthListsHeldShards(t *testing.T) {
	h := &Health{Shards: func() []ShardReport {
		return []ShardReport{{ShardID: 2, Ready: true, Leased: true, HeldForS: 7}}
	}}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	var r Report
	if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Shards) != 1 || r.Shards[0] != (ShardReport{ShardID: 2, Ready: true, Leased: true, HeldForS: 7}) {
		t.Fatalf("shards %+v", r.Shards)
	}
}
