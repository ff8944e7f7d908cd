package apptest_test

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/together-bot/together/core/apptest"
	"github.com/together-bot/together/core/module"
	"github.com/together-bot/together/discordsim"
	"github.com/together-bot/together/examples/hello"
)

// BenchmarkInteractionAck measures how long a user waits for a simple
// command's answer: /hello (one transaction writing a row and inserting a
// job, then a type-4 reply) through the emulator's gateway, the real runtime
// (router, per-guild gate, handler) and the callback back to the emulator.
// Each iteration is one interaction, timed from the emulator dispatching
// INTERACTION_CREATE until Interact returns with the callback (wall clock).
// Reports p50 and p99 in ms. Run with e.g. -benchtime 500x.
func BenchmarkInteractionAck(b *testing.B) {
	h := apptest.Start(b, apptest.Options{Modules: []module.Descriptor{hello.Descriptor}})
	members := h.Guild.MemberIDs
	// Warm up: first use of the pool's connections, the settings cache, the
	// REST client's connection to the emulator.
	for i := range 10 {
		h.Command(members[i%len(members)], "hello", nil)
	}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		spec := discordsim.InteractionSpec{Type: discordsim.InteractKindCommand, GuildID: h.Guild.GuildID,
			ChannelID: h.Guild.ChannelIDs["general"], UserID: members[i%len(members)], Command: "hello"}
		start := time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		res, err := h.Sim.Interact(ctx, spec)
		cancel()
		took := time.Since(start)
		if err != nil || res.Failed {
			b.Fatalf("interaction %d: %v (failed=%t)", i, err, res.Failed)
		}
		lat = append(lat, took)
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))]) / float64(time.Millisecond)
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(lat[len(lat)-1])/float64(time.Millisecond), "max-ms")
}
