package discordsim

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"
)

func TestRun(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, Options{Addr: addr, Logger: slog.New(slog.DiscardHandler)}, true) }()
	waitFor(t, 5*time.Second, "emulator up", func() bool {
		res, err := http.Get("http://" + addr + "/_sim/guilds")
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == 200
	})
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return")
	}
}
