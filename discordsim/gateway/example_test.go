package gateway_test

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/together-bot/together/discordsim/gateway"
)

// The emulator's REST server mounts the gateway next to its API and feeds
// it guild state; events are pushed with Dispatch as the REST side mutates
// state.
func ExampleNewServer() {
	gw := gateway.NewServer(gateway.Options{
		Token:             "bot-token",
		HeartbeatInterval: 41250 * time.Millisecond,
		ResumeURL:         func() string { return "ws://127.0.0.1:8080/gateway" },
		Ready: func(shardID, shardCount int) gateway.ReadyData {
			return gateway.ReadyData{
				User:          json.RawMessage(`{"id":"1","username":"bot","discriminator":"0","bot":true}`),
				ApplicationID: "1",
				GuildIDs:      []string{"8388608"},
			}
		},
		GuildCreates: func(shardID, shardCount, _ int) []json.RawMessage {
			return []json.RawMessage{json.RawMessage(`{"id":"8388608","name":"test"}`)}
		},
	})
	mux := http.NewServeMux()
	mux.Handle("/gateway", gw)

	gw.Dispatch("8388608", "MESSAGE_CREATE", map[string]any{"id": "2", "channel_id": "3", "content": "hi"})
	// Output:
}
