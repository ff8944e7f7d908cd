package gateway

import (
	"context"
	"errors"
	"testing"
	"time"

	dgateway "github.com/disgoorg/disgo/gateway"
	"github.com/gorilla/websocket"

	"github.com/together-bot/together/core/discord/shardlease"
)

// TestFencedShardDoesNotDialWithoutItsLease: a shard connection built under
// a lease that is no longer valid refuses to dial, with a close code that
// stops disgo's reconnect loop, instead of reaching Discord.
func TestFencedShardDoesNotDialWithoutItsLease(t *testing.T) {
	t.Parallel()
	g := New(Options{Token: "x", ShardCount: 4, Leases: &Leases{}})
	valid := false
	g.fences[2] = shardlease.Fence(func() bool { return valid })
	// Nothing listens on port 1: were the fence ignored, the dial would be
	// refused by the network and disgo would retry until ctx ends.
	shard := g.createFencedShard("x", nil, dgateway.WithShardID(2), dgateway.WithShardCount(4), dgateway.WithURL("ws://127.0.0.1:1"))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := shard.Open(ctx)
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != int(dgateway.CloseEventCodeInvalidShard.Code) {
		t.Fatalf("Open = %v, want the lease refusal", err)
	}
	if shard.ShardID() != 2 {
		t.Fatalf("shard id %d", shard.ShardID())
	}
}

// TestLeaseModeReadiness: a lease-mode gateway is not ready before it has
// reached the lease table, even while holding no shard.
func TestLeaseModeReadiness(t *testing.T) {
	t.Parallel()
	g := New(Options{Token: "x", ShardCount: 4, Leases: &Leases{}})
	if g.Ready() || len(g.Shards()) != 0 || !g.Leased() {
		t.Fatalf("fresh lease-mode gateway: ready=%t shards=%v leased=%t", g.Ready(), g.Shards(), g.Leased())
	}
	explicit := New(Options{Token: "x", ShardCount: 2})
	if ids := explicit.Shards(); len(ids) != 2 || explicit.Leased() {
		t.Fatalf("explicit mode lists %v", ids)
	}
}
