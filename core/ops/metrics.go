package ops

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Metrics is every Prometheus series the process exports. Layers record into
// it through small methods so they do not depend on Prometheus types.
type Metrics struct {
	Registry *prometheus.Registry

	interactions       *prometheus.CounterVec
	interactionLatency *prometheus.HistogramVec
	restRequests       *prometheus.CounterVec
	restRateLimited    *prometheus.CounterVec
	projections        *prometheus.CounterVec
	projectionStale    *prometheus.HistogramVec
	scrape             *scrapeCollector
}

// DepthSource reads queue depth at scrape time.
type DepthSource func(ctx context.Context) (map[[2]string]int, error) // (kind, state) → count

// ShardSource lists this process's shards at scrape time.
type ShardSource func() []ShardReport

// NewMetrics registers the series; depth and shards are read on each scrape.
// shards may be nil and set later with WatchShards (the gateway needs the REST
// client, which records into these metrics).
func NewMetrics(depth DepthSource, shards ShardSource) *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		Registry: reg,
		interactions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "together_interactions_total", Help: "Interactions handled, by module, command or action, and outcome.",
		}, []string{"module", "command", "outcome"}),
		interactionLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "together_interaction_ack_seconds", Help: "Time from receiving an interaction to its first answer.",
			Buckets: []float64{0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 1.5, 2, 2.5, 3, 5},
		}, []string{"module", "command"}),
		restRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "together_discord_requests_total", Help: "Discord REST responses by route and status.",
		}, []string{"route", "status"}),
		restRateLimited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "together_discord_rate_limited_total", Help: "Discord 429 responses by route and scope.",
		}, []string{"route", "scope"}),
		projections: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "together_projection_refreshes_total", Help: "Dashboard refreshes by kind and result (edited, created, skipped, broken).",
		}, []string{"kind", "result"}),
		projectionStale: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "together_projection_staleness_seconds", Help: "Time from the change that asked for a refresh to Discord showing it.",
			Buckets: []float64{0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300},
		}, []string{"kind"}),
	}
	m.scrape = &scrapeCollector{depth: depth, shards: shards}
	reg.MustRegister(m.interactions, m.interactionLatency, m.restRequests, m.restRateLimited, m.projections, m.projectionStale,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), m.scrape)
	return m
}

// WatchShards sets where shard readiness is read from.
func (m *Metrics) WatchShards(src ShardSource) {
	m.scrape.mu.Lock()
	defer m.scrape.mu.Unlock()
	m.scrape.shards = src
}

// Interaction records one handled interaction.
func (m *Metrics) Interaction(module, command, outcome string, ack time.Duration) {
	m.interactions.WithLabelValues(module, command, outcome).Inc()
	m.interactionLatency.WithLabelValues(module, command).Observe(ack.Seconds())
}

// OnRequest implements restlimit.Observer.
func (m *Metrics) OnRequest(route string, status int) {
	m.restRequests.WithLabelValues(route, strconv.Itoa(status)).Inc()
}

// On429 implements restlimit.Observer.
func (m *Metrics) On429(route, scope string, _ time.Duration) {
	m.restRateLimited.WithLabelValues(route, scope).Inc()
}

// Projection records one refresh outcome and, for edits, its staleness.
func (m *Metrics) Projection(kind, result string, staleness time.Duration) {
	m.projections.WithLabelValues(kind, result).Inc()
	if staleness > 0 {
		m.projectionStale.WithLabelValues(kind).Observe(staleness.Seconds())
	}
}

// scrapeCollector reads state that lives elsewhere when Prometheus asks.
type scrapeCollector struct {
	mu     sync.Mutex
	depth  DepthSource
	shards ShardSource
}

var (
	depthDesc = prometheus.NewDesc("together_queue_jobs", "Jobs in the queue by kind and state.", []string{"kind", "state"}, nil)
	shardDesc = prometheus.NewDesc("together_gateway_shard_ready", "1 when the shard is connected and ready.", []string{"shard"}, nil)
	heldDesc  = prometheus.NewDesc("together_gateway_shard_lease_held_seconds",
		"How long this process has held the shard's lease (SHARD_IDS=auto); a shard is listed only by its holder.", []string{"shard"}, nil)
)

func (c *scrapeCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- depthDesc
	ch <- shardDesc
	ch <- heldDesc
}

func (c *scrapeCollector) Collect(ch chan<- prometheus.Metric) {
	if c.depth != nil {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		counts, err := c.depth(ctx)
		cancel()
		if err == nil {
			for k, n := range counts {
				ch <- prometheus.MustNewConstMetric(depthDesc, prometheus.GaugeValue, float64(n), k[0], k[1])
			}
		}
	}
	c.mu.Lock()
	shards := c.shards
	c.mu.Unlock()
	if shards != nil {
		for _, s := range shards() {
			v := 0.0
			if s.Ready {
				v = 1
			}
			ch <- prometheus.MustNewConstMetric(shardDesc, prometheus.GaugeValue, v, strconv.Itoa(s.ShardID))
			if s.Leased {
				ch <- prometheus.MustNewConstMetric(heldDesc, prometheus.GaugeValue, float64(s.HeldForS), strconv.Itoa(s.ShardID))
			}
		}
	}
}
