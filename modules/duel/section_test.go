package duel

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/together-bot/together/core/i18n"
	"github.com/together-bot/together/modules/pairhome/pairhomeapi/pairhometest"
)

func TestPairHomeSectionFollowsTheRound(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := context.Background()
	p, q := e.pair(1, 0), e.pair(2, 0)
	view := pairhometest.Viewer(t, e.svc.renderSection, e.DB.Bun)
	pairhometest.RequireHidden(t, view(p, i18n.EN)) // no duel yet
	e.startDuel()
	if v := view(p, i18n.EN); !strings.Contains(v.Text, "first round starts soon") {
		t.Fatalf("idle section: %+v", v)
	}
	r := e.startRound(time.Minute, 10)
	v := view(p, i18n.RU)
	want, _ := submitID(r.ID, p.ID)
	if !strings.Contains(v.Text, "ещё не ответила") || len(v.Buttons) != 1 || v.Buttons[0].CustomID != want {
		t.Fatalf("answering section: %+v", v)
	}
	e.submit(r, p, 0, "an answer")
	e.submit(r, q, 0, "another")
	if v := view(p, i18n.EN); !strings.Contains(v.Text, "has answered") || len(v.Buttons) != 1 {
		t.Fatalf("answered section: %+v", v)
	}
	e.expire(r)
	e.advance(r)
	if v := view(p, i18n.EN); !strings.Contains(v.Text, "voting") || len(v.Buttons) != 0 || !strings.Contains(v.Text, "<#500>") {
		t.Fatalf("voting section: %+v", v)
	}
	_, err := e.svc.vote(ctx, testGuild, r.ID, q.Members[0], e.labelOf(r, p.ID))
	must(t, err)
	e.expire(r)
	e.advance(r)
	if v := view(p, i18n.EN); !strings.Contains(v.Text, "closed") || !strings.Contains(v.Text, "**2**") {
		t.Fatalf("closed section: %+v", v)
	}
}
