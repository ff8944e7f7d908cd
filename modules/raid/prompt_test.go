package raid

import (
	"context"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/disgo/rest"
	"github.com/disgoorg/snowflake/v2"
)

// flakyDiscord fails while down, then posts. CreateMessage is the only
// Discord call the raid service makes; the embedded rest.Rest is nil, so any
// other call fails the test with a panic.
type flakyDiscord struct {
	rest.Rest
	mu    sync.Mutex
	down  bool
	calls int
	posts []discord.MessageCreate
}

func (f *flakyDiscord) CreateMessage(_ snowflake.ID, m discord.MessageCreate, _ ...rest.RequestOpt) (*discord.Message, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.down {
		return nil, io.ErrUnexpectedEOF // a dropped connection: transient
	}
	f.posts = append(f.posts, m)
	return &discord.Message{ID: snowflake.ID(9000 + len(f.posts))}, nil
}

func (f *flakyDiscord) setDown(down bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.down = down
}

// TestPromptFailureThenRecovery: the room prompt cannot be delivered, the
// claim is not stuck — the partner sees it with its confirm button in
// /raid quests, the step re-queues the prompt, and once Discord is back
// the prompt is posted exactly once.
func TestPromptFailureThenRecovery(t *testing.T) {
	t.Parallel()
	d := &flakyDiscord{down: true}
	e := newEnv(t, d)
	ctx := context.Background()
	p := e.pair(1, 700)
	r := e.start()
	c := e.claim(p, 0, r, e.offers(r)[0].Key)
	if jobs, _ := e.promptJobs(); len(jobs) != 1 || jobs[0] != (promptArgs{GuildID: testGuild, ClaimID: c.ID}) {
		t.Fatalf("queued %+v", jobs)
	}
	for range 3 {
		if err := e.svc.deliverPrompt(ctx, promptArgs{GuildID: testGuild, ClaimID: c.ID}); err == nil {
			t.Fatal("delivery while Discord is down succeeded")
		}
	}
	var status, lastErr string
	var tries int
	must(t, e.DB.Pool.QueryRow(ctx, `SELECT prompt_status, prompt_tries, prompt_error FROM raid_claims WHERE id = $1`, c.ID).
		Scan(&status, &tries, &lastErr))
	if status != "pending" || tries != 3 || !strings.Contains(lastErr, "EOF") {
		t.Fatalf("prompt %s after %d tries (%s)", status, tries, lastErr)
	}
	// The partner still finds the claim, pending, in today's view.
	today, err := e.svc.TodayFor(ctx, testGuild, p.Members[1])
	must(t, err)
	if len(today.Claims) != 1 || today.Claims[0].Status != claimPending || today.Claims[0].RequestedBy != p.Members[0] {
		t.Fatalf("today = %+v", today.Claims)
	}
	// While the first job is still queued the step adds none.
	e.clock.Set(e.clock.Now().Add(2 * time.Minute))
	res, err := e.svc.Step(ctx)
	must(t, err)
	if jobs, _ := e.promptJobs(); res.Prompts != 0 || len(jobs) != 1 {
		t.Fatalf("step = %+v beside a queued prompt, queued %d", res, len(jobs))
	}
	// The job runs out of attempts on a long outage; the step re-queues the
	// prompt, pending for more than a minute.
	_, err = e.DB.Pool.Exec(ctx, `UPDATE river_job SET state = 'discarded', finalized_at = now() WHERE kind = $1`, promptArgs{}.Kind())
	must(t, err)
	res, err = e.svc.Step(ctx)
	must(t, err)
	if jobs, states := e.promptJobs(); res.Prompts != 1 || len(jobs) != 2 || jobs[1] != jobs[0] || states[1] != "available" {
		t.Fatalf("step = %+v, queued %+v %v", res, jobs, states)
	}
	d.setDown(false)
	must(t, e.svc.deliverPrompt(ctx, promptArgs{GuildID: testGuild, ClaimID: c.ID}))
	must(t, e.svc.deliverPrompt(ctx, promptArgs{GuildID: testGuild, ClaimID: c.ID})) // a duplicate job: nothing more
	if len(d.posts) != 1 {
		t.Fatalf("%d prompts posted", len(d.posts))
	}
	msg := d.posts[0]
	want, _ := confirmID(c.ID)
	if !strings.Contains(msg.Content, "<@1001>") || !strings.Contains(msg.Content, "Confirm") ||
		msg.Components[0].(discord.ActionRowComponent).Components[0].(discord.ButtonComponent).CustomID != want {
		t.Fatalf("prompt = %+v", msg)
	}
	if msg.AllowedMentions == nil || len(msg.AllowedMentions.Parse) != 0 {
		t.Fatal("the prompt must not ping")
	}
	res, err = e.svc.Step(ctx)
	must(t, err)
	if res.Prompts != 0 {
		t.Fatalf("sent prompt re-queued: %+v", res)
	}
	// And the confirm works whatever the prompt went through.
	cr, err := e.svc.Confirm(ctx, testGuild, p.Members[1], c.ID)
	must(t, err)
	if cr.Applied != c.Points {
		t.Fatalf("confirm = %+v", cr)
	}
}

// TestPromptWaitsForTheRoom: a pair whose room is still being created
// keeps its prompt pending (retried), never failed.
func TestPromptWaitsForTheRoom(t *testing.T) {
	t.Parallel()
	d := &flakyDiscord{}
	e := newEnv(t, d)
	ctx := context.Background()
	p := e.pair(1, 0)
	r := e.start()
	c := e.claim(p, 0, r, e.offers(r)[0].Key)
	if err := e.svc.deliverPrompt(ctx, promptArgs{GuildID: testGuild, ClaimID: c.ID}); err == nil || !strings.Contains(err.Error(), "no room") {
		t.Fatalf("deliver without a room: %v", err)
	}
	if d.calls != 0 {
		t.Fatal("posted without a room")
	}
	got, err := loadClaim(ctx, e.DB.Bun, testGuild, c.ID, noLock)
	must(t, err)
	if got.PromptStatus != "pending" {
		t.Fatalf("prompt %s", got.PromptStatus)
	}
}

// TestStepRequeuesOnlyConfirmablePrompts: the step re-queues an undelivered
// prompt only where raid is on, and only on its claim's day (a claim from
// yesterday can no longer be confirmed, so its prompt would say nothing).
func TestStepRequeuesOnlyConfirmablePrompts(t *testing.T) {
	t.Parallel()
	e := newEnv(t, &flakyDiscord{down: true})
	ctx := context.Background()
	p := e.pair(1, 700)
	r := e.start()
	e.claim(p, 0, r, e.offers(r)[0].Key)
	giveUp := func() {
		t.Helper()
		_, err := e.DB.Pool.Exec(ctx, `UPDATE river_job SET state = 'discarded', finalized_at = now()
			WHERE kind = $1 AND finalized_at IS NULL`, promptArgs{}.Kind())
		must(t, err)
	}
	giveUp()
	e.clock.Set(e.clock.Now().Add(2 * time.Minute))
	must(t, e.Guilds.SetModule(ctx, testGuild, 1, Name, false))
	e.step(stepResult{})
	must(t, e.Guilds.SetModule(ctx, testGuild, 1, Name, true))
	e.step(stepResult{Prompts: 1})
	giveUp()
	e.clock.Set(time.Date(2026, 11, 26, 0, 30, 0, 0, time.UTC)) // the raid's next day (UTC)
	e.step(stepResult{DayChanged: 1})
	if jobs, _ := e.promptJobs(); len(jobs) != 2 {
		t.Fatalf("%d prompt jobs, want the claim's first and one re-queue", len(jobs))
	}
}
