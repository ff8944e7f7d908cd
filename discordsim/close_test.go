package discordsim

import (
	"log/slog"
	"net"
	"strings"
	"testing"
)

// TestCloseIgnoresAConnectionThatSentNothing: an HTTP client may dial a
// connection it then leaves unused; net/http's Shutdown waits five seconds
// for it. That is no request left running, so Close must not report one.
func TestCloseIgnoresAConnectionThatSentNothing(t *testing.T) {
	t.Parallel()
	srv, err := New(Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL(), "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := srv.Close(); err != nil {
		t.Fatalf("Close with an unused connection open: %v", err)
	}
}
