package queue_test

import (
	"context"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/together-bot/together/core/queue"
)

// TestRescueOrphansHandsBackOnlyDeadProcessesJobs: a job whose process
// stopped heartbeating is available again at once with the crash recorded;
// one whose attempts are used up is discarded; a live process's job and a
// job nobody attempted stay as they are.
func TestRescueOrphansHandsBackOnlyDeadProcessesJobs(t *testing.T) {
	t.Parallel()
	d, q := newInserter(t)
	ctx := context.Background()
	insert := func(note string, maxAttempts int) int64 {
		res, err := q.Insert(ctx, pingArgs{GuildID: "1", Note: note}, &river.InsertOpts{MaxAttempts: maxAttempts})
		if err != nil {
			t.Fatal(err)
		}
		return res.Job.ID
	}
	orphan, exhausted, live, waiting := insert("orphan", 5), insert("exhausted", 1), insert("live", 5), insert("waiting", 5)
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := d.Pool.Exec(ctx, sql, args...); err != nil {
			t.Fatal(err)
		}
	}
	exec(`INSERT INTO core_processes (id, host, pid, seen_at) VALUES ('dead', 'h', 1, now() - interval '1 minute'),
		('alive', 'h', 2, now())`)
	exec(`UPDATE river_job SET state = 'running', attempt = 1, attempted_at = now(), attempted_by = ARRAY['earlier', 'dead']
		WHERE id = ANY($1)`, []int64{orphan, exhausted})
	exec(`UPDATE river_job SET state = 'running', attempt = 1, attempted_at = now(), attempted_by = ARRAY['alive'] WHERE id = $1`, live)

	got, err := queue.RescueOrphans(ctx, d.Pool, 20*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("rescued %+v, want the two jobs of the dead process", got)
	}
	want := map[int64]rivertype.JobState{orphan: rivertype.JobStateAvailable, exhausted: rivertype.JobStateDiscarded,
		live: rivertype.JobStateRunning, waiting: rivertype.JobStateAvailable}
	for id, state := range want {
		job, err := q.River.JobGet(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if job.State != state {
			t.Errorf("job %d is %s, want %s", id, job.State, state)
		}
		if id == orphan && (len(job.Errors) != 1 || job.Errors[0].Attempt != 1 || time.Until(job.ScheduledAt) > time.Second) {
			t.Errorf("rescued job errors %+v scheduled %v", job.Errors, job.ScheduledAt)
		}
	}
	// Running it again finds nothing: each job is handed back once.
	if again, err := queue.RescueOrphans(ctx, d.Pool, 20*time.Second); err != nil || len(again) != 0 {
		t.Fatalf("second sweep: %+v, %v", again, err)
	}
}
