package publicpost_test

import (
	"context"
	"strconv"
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
