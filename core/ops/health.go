// Package ops serves what operators look at: /healthz (and later /metrics and
// River UI).
package ops

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"time"
)

// Pinger answers whether a dependency is reachable within the context deadline.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Readiness reports whether the gateway is connected.
type Readiness interface {
	Ready() bool
}

// ShardReport is one shard of this process, for /healthz and /metrics.
type ShardReport struct {
	ShardID     int  `json:"shard_id"`
	Ready       bool `json:"ready"`
	Disconnects int  `json:"disconnects"`
	// Leased: the shard is this process's through a lease (SHARD_IDS=auto),
	// held for HeldForS seconds.
	Leased   bool  `json:"leased,omitempty"`
	HeldForS int64 `json:"held_for_s,omitempty"`
}

// Health builds the /healthz answer.
type Health struct {
	DB      Pinger
	Queue   Pinger
	Discord Readiness
	// Shards lists the shards this process holds (nil: not reported).
	Shards  ShardSource
	Modules []string
	Version string
	Started time.Time
	// Timeout bounds each check so /healthz answers in about a second even when
	// Postgres hangs (default 800 ms).
	Timeout time.Duration
}

// Report is the /healthz JSON.
type Report struct {
	OK      bool     `json:"ok"`
	Version string   `json:"version"`
	UptimeS int64    `json:"uptime_s"`
	DB      string   `json:"db"`
	Discord string   `json:"discord"`
	Queue   string   `json:"queue"`
	Modules []string `json:"modules"`
	// Shards are the shards this process holds.
	Shards []ShardReport `json:"shards"`
}

// Check runs every probe concurrently.
func (h *Health) Check(ctx context.Context) Report {
	timeout := h.Timeout
	if timeout == 0 {
		timeout = 800 * time.Millisecond
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	r := Report{Version: h.Version, UptimeS: int64(time.Since(h.Started).Seconds()), Modules: h.Modules}
	if r.Modules == nil {
		r.Modules = []string{}
	}
	var wg sync.WaitGroup
	probe := func(p Pinger, out *string) {
		defer wg.Done()
		*out = "fail"
		if p == nil {
			return
		}
		done := make(chan error, 1)
		// The probe runs in its own goroutine so a driver that ignores the
		// deadline cannot hold the answer back.
		go func() { done <- p.Ping(ctx) }()
		select {
		case err := <-done:
			if err == nil {
				*out = "ok"
			}
		case <-ctx.Done():
		}
	}
	wg.Add(2)
	go probe(h.DB, &r.DB)
	go probe(h.Queue, &r.Queue)
	wg.Wait()
	r.Shards = []ShardReport{}
	if h.Shards != nil {
		r.Shards = h.Shards()
	}
	r.Discord = "not_ready"
	if h.Discord != nil && h.Discord.Ready() {
		r.Discord = "ready"
	}
	r.OK = r.DB == "ok" && r.Queue == "ok" && r.Discord == "ready"
	return r
}

// ServeHTTP answers 200 when everything is ok and 503 otherwise.
func (h *Health) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r := h.Check(req.Context())
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	if !r.OK {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	_ = json.NewEncoder(w).Encode(r)
}
