package raid

import (
	"context"
	"strings"
	"testing"

	"github.com/together-bot/together/core/i18n"
	"github.com/together-bot/together/modules/pairhome/pairhomeapi"
	"github.com/together-bot/together/modules/pairhome/pairhomeapi/pairhometest"
)

func TestPairHomeSectionAndBoard(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := context.Background()
	p := e.pair(1, 0)
	viewer := pairhometest.Viewer(t, e.svc.renderSection, e.DB.Bun)
	view := func(loc string) pairhomeapi.SectionView { return viewer(p, loc) }
	pairhometest.RequireHidden(t, view(i18n.EN)) // no raid yet
	r := e.start()
	if e.pairs.Panels(p.ID) != 1 {
		t.Fatal("start did not refresh the guild's panels")
	}
	offers := e.offers(r)
	c := e.claim(p, 0, r, offers[0].Key)
	if e.pairs.Panels(p.ID) != 1 {
		t.Fatal("a claim refreshed the pair's panel before any points changed")
	}
	_, err := e.svc.Confirm(ctx, testGuild, p.Members[1], c.ID)
	must(t, err)
	if e.pairs.Panels(p.ID) != 2 {
		t.Fatal("confirm did not refresh the pair's panel")
	}
	v := view(i18n.RU)
	want, _ := boardButtonID(actTake, r.ID)
	if !strings.Contains(v.Text, "Сегодня: **"+itoa(int64(c.Points))+"**/60") || len(v.Buttons) != 1 || v.Buttons[0].CustomID != want {
		t.Fatalf("section = %+v", v)
	}

	out, err := e.svc.renderBoard(ctx, e.DB.Bun, r.ID)
	must(t, err)
	d := out.Message.Embeds[0].Description
	for _, w := range []string{"Goal: **500**", "Contributing pairs: **1**", "<@1001> & <@1002>", offers[2].EN, "Ends <t:"} {
		if !strings.Contains(d, w) {
			t.Fatalf("board lacks %q:\n%s", w, d)
		}
	}
	if uint64(out.ChannelID) != testChannel || len(out.Message.Components) != 1 {
		t.Fatalf("board = %+v", out)
	}
	_, err = e.svc.EndRaid(ctx, testGuild, 1)
	must(t, err)
	out, err = e.svc.renderBoard(ctx, e.DB.Bun, r.ID)
	must(t, err)
	if d := out.Message.Embeds[0].Description; !strings.Contains(d, "Phase: **Over**") || strings.Contains(d, offers[2].EN) {
		t.Fatalf("final board:\n%s", d)
	}
	if v := view(i18n.EN); v.Text != "" {
		t.Fatalf("section after the end: %+v", v)
	}
}

func TestBar(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ p, g, pct, filled int }{{0, 500, 0, 0}, {250, 500, 50, 10}, {499, 500, 99, 19}, {900, 500, 100, 20}} {
		if got := percent(c.p, c.g); got != c.pct {
			t.Errorf("percent(%d, %d) = %d", c.p, c.g, got)
		}
		if got := strings.Count(progressBar(c.p, c.g), "█"); got != c.filled {
			t.Errorf("progressBar(%d, %d) fills %d", c.p, c.g, got)
		}
	}
}
