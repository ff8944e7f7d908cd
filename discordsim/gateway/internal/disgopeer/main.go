// Command disgopeer drives disgo's real gateway client against a gateway
// URL and reports what it sees as JSON lines on stdout.
//
// It exists because disgo v0.19.6's gateway has data races of its own
// (unsynchronised heartbeat fields), so running it inside a -race test
// binary fails the test for reasons outside this package. Tests build this
// command without -race and talk to it over pipes instead.
//
// Output lines: {"kind":"opened"}, {"kind":"open_error",...},
// {"kind":"ack"} per heartbeat ACK, {"kind":"event",...} per dispatch.
// Input: "close" closes the gateway with 1000 and exits; EOF exits.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/disgoorg/disgo/gateway"
	"github.com/gorilla/websocket"
)

// Line is one report; the tests decode the same shape.
type Line struct {
	Kind      string `json:"kind"`
	Type      string `json:"type,omitempty"`
	Seq       int    `json:"seq,omitempty"`
	SessionID string `json:"session_id,omitempty"`
	ResumeURL string `json:"resume_url,omitempty"`
	GuildID   string `json:"guild_id,omitempty"`
	Content   string `json:"content,omitempty"`
	CloseCode int    `json:"close_code,omitempty"`
	Error     string `json:"error,omitempty"`
}

func main() {
	url := flag.String("url", "", "gateway URL")
	token := flag.String("token", "", "bot token")
	shardID := flag.Int("shard-id", 0, "shard ID")
	shardCount := flag.Int("shard-count", 1, "shard count")
	compress := flag.String("compress", string(gateway.CompressionZstdStream), `"", zlib-payload, zlib-stream or zstd-stream`)
	flag.Parse()

	var mu sync.Mutex
	enc := json.NewEncoder(os.Stdout)
	emit := func(l Line) {
		mu.Lock()
		defer mu.Unlock()
		_ = enc.Encode(l)
	}

	gw := gateway.New(*token, func(_ gateway.Gateway, typ gateway.EventType, seq int, ev gateway.EventData) {
		l := Line{Kind: "event", Type: string(typ), Seq: seq}
		switch e := ev.(type) {
		case gateway.EventHeartbeatAck:
			emit(Line{Kind: "ack"})
			return
		case gateway.EventReady:
			l.SessionID, l.ResumeURL = e.SessionID, e.ResumeGatewayURL
		case gateway.EventGuildCreate:
			l.GuildID = e.ID.String()
		case gateway.EventMessageCreate:
			l.Content = e.Content
			if e.GuildID != nil {
				l.GuildID = e.GuildID.String()
			}
		}
		emit(l)
	},
		gateway.WithURL(*url),
		gateway.WithShardID(*shardID),
		gateway.WithShardCount(*shardCount),
		gateway.WithCompression(gateway.CompressionType(*compress)),
		gateway.WithIntents(gateway.IntentGuilds, gateway.IntentGuildMessages, gateway.IntentDirectMessages),
		gateway.WithLogger(slog.New(slog.NewTextHandler(os.Stderr, nil))),
	)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	err := gw.Open(ctx)
	cancel()
	if err != nil {
		l := Line{Kind: "open_error", Error: err.Error()}
		var ce *websocket.CloseError
		if errors.As(err, &ce) {
			l.CloseCode = ce.Code
		}
		emit(l)
		os.Exit(1)
	}
	emit(Line{Kind: "opened"})

	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		if in.Text() == "close" {
			break
		}
	}
	ctx, cancel = context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	gw.Close(ctx)
}
