// Package simtest holds testing helpers for the Discord emulator: start a
// server for one test and fail the test on any spec violation the bot made.
package simtest

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/together-bot/together/discordsim"
)

// New starts an emulator on a random local port for the duration of t.
// At cleanup it fails t for every spec violation recorded, then closes the
// server. Point the bot at srv.APIURL() (DISCORD_API_URL) and srv.Token().
func New(t testing.TB, opts discordsim.Options) *discordsim.Server {
	t.Helper()
	srv, err := discordsim.New(opts)
	if err != nil {
		t.Fatalf("discordsim: %v", err)
	}
	if err := srv.Start("127.0.0.1:0"); err != nil {
		t.Fatalf("discordsim: %v", err)
	}
	t.Cleanup(func() {
		RequireNoViolations(t, srv)
		if err := srv.Close(); err != nil {
			t.Errorf("discordsim close: %v", err)
		}
	})
	return srv
}

// NewDemo is New with the demo guild seeded (Server.SeedDemoGuild): owner,
// admin, two members, a category and its channels.
func NewDemo(t testing.TB, opts discordsim.Options) (*discordsim.Server, discordsim.DemoGuild) {
	t.Helper()
	srv := New(t, opts)
	demo, err := srv.SeedDemoGuild()
	if err != nil {
		t.Fatalf("discordsim demo guild: %v", err)
	}
	return srv, demo
}

// RequireNoViolations fails t for each request the bot sent that Discord
// would have refused as invalid (see GET /_sim/violations).
func RequireNoViolations(t testing.TB, srv *discordsim.Server) {
	t.Helper()
	srv.RequireNoViolations(t)
}

// CallAsBot sends one REST request (body is JSON, "" for none) to the
// emulator's API at apiURL as the bot with token, and returns the answer's
// status and body. It takes the URL and token rather than a Server so that
// tests of an emulator in another process can use it too.
func CallAsBot(t testing.TB, apiURL, token, method, path, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, apiURL+path, strings.NewReader(body))
	if err != nil {
		t.Fatalf("discordsim request: %v", err)
	}
	req.Header.Set("Authorization", "Bot "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("discordsim %s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("discordsim %s %s: reading the answer: %v", method, path, err)
	}
	return res.StatusCode, out
}
