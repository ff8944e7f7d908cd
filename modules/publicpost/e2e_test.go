package publicpost_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/fx"

	"github.com/together-bot/together/core/apptest"
	"github.com/together-bot/together/core/module"
	"github.com/together-bot/together/modules/publicpost"
)

// TestE2EPostPublishedByRuntime boots the real runtime with publicpost and
// creates a post through the exported service as another module would; the
// prompt job publishes it through the bot's own REST client.
func TestE2EPostPublishedByRuntime(t *testing.T) {
	t.Parallel()
	var svc *publicpost.Service
	h := apptest.Start(t, apptest.Options{Modules: []module.Descriptor{publicpost.Descriptor},
		Extra: []fx.Option{fx.Populate(&svc)}})
	guildID, _ := strconv.ParseUint(h.Guild.GuildID, 10, 64)
	channel := h.Guild.ChannelIDs["general"]
	channelID, _ := strconv.ParseUint(channel, 10, 64)
	p, created, err := svc.CreateNow(context.Background(), publicpost.NewPost{GuildID: guildID, ChannelID: channelID,
		Source: "e2e", Payload: publicpost.Payload{Content: "from another module"}, IdempotencyKey: "e2e:1"})
	if err != nil || !created {
		t.Fatalf("create: %v", err)
	}
	h.WaitUntil(30*time.Second, "post sent", func() bool {
		posts, err := publicpost.List(context.Background(), h.DB, publicpost.Filter{ID: p.ID})
		return err == nil && len(posts) == 1 && posts[0].Status == publicpost.StatusSent
	})
	msgs, err := h.Sim.Messages(channel)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range msgs {
		if m["content"] == "from another module" {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d copies of the post", n)
	}
}

// TestE2EHeldPostsInAdminStatus: with publicpost turned off in the guild a due
// post stays pending, and /admin status says so.
func TestE2EHeldPostsInAdminStatus(t *testing.T) {
	t.Parallel()
	var svc *publicpost.Service
	h := apptest.Start(t, apptest.Options{Modules: []module.Descriptor{publicpost.Descriptor},
		Extra: []fx.Option{fx.Populate(&svc)}})
	h.Command(h.Guild.AdminID, "config module", map[string]any{"name": "publicpost", "enabled": false})
	guildID, _ := strconv.ParseUint(h.Guild.GuildID, 10, 64)
	channelID, _ := strconv.ParseUint(h.Guild.ChannelIDs["general"], 10, 64)
	if _, _, err := svc.CreateNow(context.Background(), publicpost.NewPost{GuildID: guildID, ChannelID: channelID,
		Source: "e2e", Payload: publicpost.Payload{Content: "held"}, IdempotencyKey: "e2e:held"}); err != nil {
		t.Fatal(err)
	}
	var report string
	h.WaitUntil(20*time.Second, "held post reported", func() bool {
		res := h.Command(h.Guild.AdminID, "admin status", nil)
		report = fmt.Sprint(res.Message["content"])
		return strings.Contains(report, "1 due post(s) are held because publicpost is turned off")
	})
	posts, err := publicpost.List(context.Background(), h.DB, publicpost.Filter{})
	if err != nil || len(posts) != 1 || posts[0].Status != publicpost.StatusPending || posts[0].Attempts != 0 {
		t.Fatalf("held post: %+v %v", posts, err)
	}
}
