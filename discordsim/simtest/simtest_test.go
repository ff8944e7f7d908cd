package simtest_test

import (
	"log/slog"
	"testing"

	"github.com/together-bot/together/discordsim"
	"github.com/together-bot/together/discordsim/simtest"
)

func postMessage(t *testing.T, srv *discordsim.Server, channelID, body string) int {
	t.Helper()
	status, _ := simtest.CallAsBot(t, srv.APIURL(), srv.Token(), "POST", "/channels/"+channelID+"/messages", body)
	return status
}

func TestNewServesCleanBot(t *testing.T) {
	srv, demo := simtest.NewDemo(t, discordsim.Options{Logger: slog.New(slog.DiscardHandler)})
	if got := postMessage(t, srv, demo.ChannelIDs["general"], `{"content":"hi"}`); got != 200 {
		t.Fatalf("status %d", got)
	}
}

func TestRequireNoViolationsFails(t *testing.T) {
	srv, err := discordsim.New(discordsim.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(""); err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	demo, _ := srv.SeedDemoGuild()
	if got := postMessage(t, srv, demo.ChannelIDs["general"], `{"content":"hi","flags":"x"}`); got != 400 {
		t.Fatalf("status %d", got)
	}
	ft := &fakeT{TB: t}
	simtest.RequireNoViolations(ft, srv)
	if !ft.failed {
		t.Fatal("violation not reported")
	}
}

type fakeT struct {
	testing.TB
	failed bool
}

func (f *fakeT) Helper()                           {}
func (f *fakeT) Errorf(format string, args ...any) { f.failed = true }
