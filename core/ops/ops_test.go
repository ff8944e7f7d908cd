package ops

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

func TestBasicAuth(t *testing.T) {
	h := BasicAuth("ops", "s3cret", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("ui")) }))
	for _, tc := range []struct {
		user, pass string
		set        bool
		want       int
	}{{"", "", false, 401}, {"ops", "wrong", true, 401}, {"other", "s3cret", true, 401}, {"ops", "s3cret", true, 200}} {
		req := httptest.NewRequest("GET", "/riverui/", nil)
		if tc.set {
			req.SetBasicAuth(tc.user, tc.pass)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != tc.want {
			t.Errorf("%q/%q: status %d, want %d", tc.user, tc.pass, rec.Code, tc.want)
		}
	}
}

func TestMetricsExposeEverySeries(t *testing.T) {
	m := NewMetrics(
		func(context.Context) (map[[2]string]int, error) {
			return map[[2]string]int{{"duel.round_close", "available"}: 3}, nil
		},
		func() []ShardReport {
			return []ShardReport{{ShardID: 0, Ready: true}, {ShardID: 1}, {ShardID: 3, Ready: true, Leased: true, HeldForS: 42}}
		},
	)
	m.Interaction("duel", "duel round start", "ok", 120*time.Millisecond)
	m.OnRequest("PATCH /channels/{channel_id}/messages/{message_id}", 200)
	m.On429("POST /channels/{channel_id}/messages", "user", time.Second)
	m.Projection("duel.scoreboard", "edited", 800*time.Millisecond)
	rec := httptest.NewRecorder()
	promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{}).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body := rec.Body.String()
	for _, want := range []string{
		`together_interactions_total{command="duel round start",module="duel",outcome="ok"} 1`,
		`together_interaction_ack_seconds_bucket{command="duel round start",module="duel",le="0.25"} 1`,
		`together_discord_requests_total{route="PATCH /channels/{channel_id}/messages/{message_id}",status="200"} 1`,
		`together_discord_rate_limited_total{route="POST /channels/{channel_id}/messages",scope="user"} 1`,
		`together_projection_refreshes_total{kind="duel.scoreboard",result="edited"} 1`,
		`together_projection_staleness_seconds_count{kind="duel.scoreboard"} 1`,
		`together_queue_jobs{kind="duel.round_close",state="available"} 3`,
		`together_gateway_shard_ready{shard="1"} 0`,
		`together_gateway_shard_lease_held_seconds{shard="3"} 42`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("missing %s", want)
		}
	}
	if strings.Contains(body, `together_gateway_shard_lease_held_seconds{shard="0"}`) {
		t.Error("a shard of explicit SHARD_IDS is reported as leased")
	}
}
