package queue_test

import (
	"context"
	"testing"

	"github.com/riverqueue/river/rivertype"

	"github.com/together-bot/together/core/queue"
)

func TestDepthAndRetry(t *testing.T) {
	t.Parallel()
	d := newDB(t)
	q := newQueue(t, d, &pingWorker{done: make(chan pingArgs, 4)}, nil)
	ctx := context.Background()
	for range 3 {
		if _, err := q.Insert(ctx, pingArgs{Note: "x"}, nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := d.Pool.Exec(ctx, `UPDATE river_job SET state = 'discarded', finalized_at = now() WHERE id IN (SELECT id FROM river_job ORDER BY id LIMIT 2)`); err != nil {
		t.Fatal(err)
	}
	rows, err := queue.Depth(ctx, d, false)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, r := range rows {
		got[r.Kind+"/"+r.Queue+"/"+r.State] = r.Count
	}
	if got["test.ping/test/discarded"] != 2 || got["test.ping/test/available"] != 1 {
		t.Fatalf("depth %+v", rows)
	}
	n, err := q.ins.Retry(ctx, "test.ping", []rivertype.JobState{rivertype.JobStateDiscarded})
	if err != nil || n != 2 {
		t.Fatalf("retry moved %d, %v", n, err)
	}
	rows, _ = queue.Depth(ctx, d, false)
	for _, r := range rows {
		if r.State == "discarded" {
			t.Fatalf("discarded jobs left: %+v", rows)
		}
	}
}
