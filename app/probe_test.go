package main

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/together-bot/together/core/db/dbtest"
	"github.com/together-bot/together/core/module"
)

func TestE2EProbeInflight(t *testing.T) {
	cluster := dbtest.NewCluster(t)
	d := startDrill(t, cluster.URL(), []module.Descriptor{}...)
	lobby := d.Guild.ChannelIDs["lobby"]
	g, c := mustID(t, d.Guild.GuildID), mustID(t, lobby)
	ctx := context.Background()
	if _, err := drillBump(ctx, d.DB.Bun, d.proj, g, c); err != nil {
		t.Fatal(err)
	}
	d.WaitUntil(15*time.Second, "dashboard created", func() bool { return d.dashboard(lobby) == "count=1" })
	if _, err := drillBump(ctx, d.DB.Bun, d.proj, g, c); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	cluster.Stop()
	time.Sleep(5 * time.Second)
	cluster.Start()
	d.WaitUntil(30*time.Second, "healthz ok", func() bool { code, _ := d.health(); return code == 200 })
	var states string
	_ = d.DB.Pool.QueryRow(ctx, `SELECT string_agg(kind||':'||state::text, ', ') FROM river_job WHERE state NOT IN ('completed')`).Scan(&states)
	t.Logf("jobs after recovery: %s", states)
	for {
		if _, err := drillBump(ctx, d.DB.Bun, d.proj, g, c); err == nil {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	start := time.Now()
	want := "count=" + itoa(d.counterValue())
	d.WaitUntil(60*time.Second, "dashboard "+want, func() bool { return d.dashboard(lobby) == want })
	t.Logf("caught up after %s", time.Since(start))
}

func itoa(i int) string { return strconv.Itoa(i) }
